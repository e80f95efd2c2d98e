// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the control socket's framing tables: a request read whole, in pieces,
 * oversized, as garbage, cut by EOF, or never sent (the read's timeout), over a socketpair
 * with a forked writer; replies sent and read back; and the round trip through a real socket
 * (ctl_listen, ctl_request) in a private directory, with the errors the CLI relies on to fall
 * back to the maps.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "ctl.h"
#include "log.h"
#include "util.h"

#define PIECES_MAX 4
#define PAUSE_US 20000 /* between pieces: each arrives in its own read */

typedef char piece[200];

/*
 * Writes the pieces to fd (len bytes of a single one when len is not 0), pausing between
 * them, then closes (eof) or stays until killed.
 */
static pid_t writer(int fd, const piece *p, int n, size_t len, bool eof)
{
	pid_t pid = fork();
	int i;

	cr_assert_geq(pid, 0);
	if (pid)
		return pid;
	for (i = 0; i < n; i++) {
		if (i)
			usleep(PAUSE_US);
		if (write_all(fd, p[i], len ?: strlen(p[i])))
			_exit(1);
	}
	if (eof)
		_exit(0);
	sleep(30);
	_exit(0);
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

struct frame_case {
	char name[24];
	piece in[PIECES_MAX];
	int n;
	bool eof; /* the writer closes after its pieces */
	size_t buflen;
	int err;
	char want[200];
};

/* clang-format off */
static struct frame_case frame_cases[] = {
	{ "whole", { "{\"cmd\":\"status\"}\n" }, 1, false, 256, 0,
	  "{\"cmd\":\"status\"}\n" },
	{ "in pieces", { "{\"cmd\"", ":\"sta", "tus\"}", "\n" }, 4, false, 256, 0,
	  "{\"cmd\":\"status\"}\n" },
	/* Cut by EOF: what came is the request; the daemon's JSON parse then rejects it. */
	{ "EOF mid-request", { "{\"cmd\":", "\"sta" }, 2, true, 256, 0,
	  "{\"cmd\":\"sta" },
	{ "EOF before anything", { "" }, 0, true, 256, -ENODATA, "" },
	/* Bounded: the buffer's worth, terminated, without waiting for a newline. */
	{ "oversized", { "{\"cmd\":\"block\",\"addr\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			 "xxxxxxxxxxxxxxxxxxxxxx\"}\n" }, 1, false, 32, 0,
	  "{\"cmd\":\"block\",\"addr\":\"xxxxxxxx" },
};
/* clang-format on */

ParameterizedTestParameters(ctl, read_request)
{
	return cr_make_param_array(struct frame_case, frame_cases, ARRAY_SIZE(frame_cases));
}

ParameterizedTest(struct frame_case *c, ctl, read_request)
{
	size_t want_len = strlen(c->want);
	char buf[300];
	int sv[2];
	pid_t pid;

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid = writer(sv[1], c->in, c->n, 0, c->eof);
	close(sv[1]);
	memset(buf, 'Z', sizeof(buf));
	cr_expect_eq(ctl_read_request(sv[0], buf, c->buflen), c->err, "%s", c->name);
	if (!c->err) {
		cr_expect_eq(memcmp(buf, c->want, want_len), 0, "%s: got '%.*s'", c->name,
			     (int)want_len, buf);
		cr_expect_eq(buf[want_len], '\0', "%s: not terminated after %zu bytes", c->name,
			     want_len);
	}
	cr_expect_eq(buf[c->buflen], 'Z', "%s: wrote past the buffer", c->name);
	close(sv[0]);
	reap(pid);
}

/* Bytes are bytes: NULs and non-UTF-8 come through for the JSON parser to reject. */
Test(ctl, read_request_garbage)
{
	static const piece in = "\x00\xff\xfe{\x01\n";
	char buf[64];
	int sv[2];
	pid_t pid;

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid = writer(sv[1], &in, 1, 6, false);
	close(sv[1]);
	cr_expect_eq(ctl_read_request(sv[0], buf, sizeof(buf)), 0);
	cr_expect_eq(memcmp(buf, in, 6), 0);
	cr_expect_eq(buf[6], '\0');
	close(sv[0]);
	reap(pid);
}

/* A client that connects and says nothing holds the daemon for the timeout, not forever. */
Test(ctl, read_request_times_out)
{
	uint64_t t0 = mono_now_ns();
	char buf[64];
	int sv[2];

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	cr_expect_eq(ctl_read_request(sv[0], buf, sizeof(buf)), -EAGAIN);
	cr_expect_lt(mono_now_ns() - t0, 8 * NSEC_PER_SEC);
	cr_expect_geq(mono_now_ns() - t0, 4 * NSEC_PER_SEC);
	close(sv[0]);
	close(sv[1]);
}

Test(ctl, send_is_one_line)
{
	char buf[64] = "";
	ssize_t n;
	int sv[2];

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	cr_assert_eq(ctl_send(sv[0], "{\"ok\":true}"), 0);
	close(sv[0]);
	n = read(sv[1], buf, sizeof(buf) - 1);
	cr_assert_eq(n, 12);
	cr_expect_str_eq(buf, "{\"ok\":true}\n");
	close(sv[1]);
}

static char dir[64], sock[128];

static void setup(void)
{
	log_init("test", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	signal(SIGPIPE, SIG_IGN);
	str_copy(dir, "/tmp/arxdp-test-ctl.XXXXXX", sizeof(dir));
	cr_assert_not_null(mkdtemp(dir));
	/* A directory that does not exist yet: ctl_listen makes it. */
	snprintf(sock, sizeof(sock), "%s/run/ctl.sock", dir);
}

static void teardown(void)
{
	char p[160];

	unlink(sock);
	snprintf(p, sizeof(p), "%s/run", dir);
	rmdir(p);
	rmdir(dir);
}

struct reply_case {
	char name[24];
	piece out[PIECES_MAX]; /* the server's reply, in pieces */
	int n;
	size_t big; /* or a reply of this many bytes ('x'), sent at once */
	int err;
	char want[64];
	size_t want_len; /* with big */
};

/* clang-format off */
static struct reply_case reply_cases[] = {
	{ "one line", { "{\"ok\":true}\n" }, 1, 0, 0, "{\"ok\":true}\n", 0 },
	{ "in pieces", { "{\"ok\"", ":tr", "ue}\n" }, 3, 0, 0, "{\"ok\":true}\n", 0 },
	/* A daemon that closed without answering is an error, not an empty reply. */
	{ "nothing", { "" }, 0, 0, -EPROTO, "", 0 },
	{ "oversized", { "" }, 0, CTL_MSG_MAX + 1000, 0, "", CTL_MSG_MAX - 1 },
};
/* clang-format on */

ParameterizedTestParameters(ctl, request)
{
	return cr_make_param_array(struct reply_case, reply_cases, ARRAY_SIZE(reply_cases));
}

/* The server side of one request: accept, read it, check it, reply with c's pieces. */
static void serve(int lfd, const struct reply_case *c)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	char req[256];
	int fd, i;

	if (poll(&pfd, 1, 10000) != 1)
		_exit(2);
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0 || ctl_read_request(fd, req, sizeof(req)) ||
	    strcmp(req, "{\"cmd\":\"status\"}\n"))
		_exit(3);
	for (i = 0; i < c->n; i++) {
		if (i)
			usleep(PAUSE_US);
		if (write_all(fd, c->out[i], strlen(c->out[i])))
			_exit(4);
	}
	if (c->big) {
		char *s = malloc(c->big);

		if (!s)
			_exit(5);
		memset(s, 'x', c->big);
		/* The client stops reading at its limit and closes: EPIPE is expected here. */
		write_all(fd, s, c->big);
	}
	_exit(0);
}

ParameterizedTest(struct reply_case *c, ctl, request, .init = setup, .fini = teardown)
{
	char *reply = (char *)1;
	struct stat st;
	int lfd, status;
	pid_t pid;

	lfd = ctl_listen(sock);
	cr_assert_geq(lfd, 0, "%s", strerror(-lfd));
	cr_assert_eq(stat(sock, &st), 0);
	cr_expect(S_ISSOCK(st.st_mode));
	cr_expect_eq(st.st_mode & 0777, 0600, "socket mode %o", st.st_mode & 0777);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (!pid)
		serve(lfd, c);
	cr_expect_eq(ctl_request(sock, "{\"cmd\":\"status\"}", &reply), c->err, "%s", c->name);
	if (c->err) {
		cr_expect_null(reply, "%s", c->name);
	} else if (c->big) {
		cr_assert_not_null(reply);
		cr_expect_eq(strlen(reply), c->want_len, "%s: %zu bytes", c->name, strlen(reply));
		cr_expect_eq(strspn(reply, "x"), c->want_len);
	} else {
		cr_assert_not_null(reply);
		cr_expect_str_eq(reply, c->want, "%s", c->name);
	}
	free(reply);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_expect(WIFEXITED(status) && !WEXITSTATUS(status), "%s: server failed (%#x)", c->name,
		  status);
	close(lfd);
}

/* What the CLI takes as "no daemon": it then works on the maps directly. */
Test(ctl, no_daemon, .init = setup, .fini = teardown)
{
	char *reply = (char *)1;
	int lfd;

	cr_expect_eq(ctl_request(sock, "{\"cmd\":\"status\"}", &reply), -ENOENT);
	cr_expect_null(reply);
	/* A socket left behind by a daemon that died. */
	lfd = ctl_listen(sock);
	cr_assert_geq(lfd, 0);
	close(lfd);
	cr_expect_eq(ctl_request(sock, "{\"cmd\":\"status\"}", &reply), -ECONNREFUSED);
	cr_expect_null(reply);
	/* ... which the next daemon replaces. */
	lfd = ctl_listen(sock);
	cr_expect_geq(lfd, 0, "stale socket not replaced: %s", strerror(-lfd));
	close(lfd);
}

Test(ctl, path_too_long)
{
	char path[200];
	char *reply = NULL;

	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	cr_expect_eq(ctl_listen(path), -ENAMETOOLONG);
	cr_expect_eq(ctl_request(path, "{}", &reply), -ENAMETOOLONG);
	cr_expect_null(reply);
}
