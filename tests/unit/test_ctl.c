// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the control socket's framing tables: a request fed to a struct ctl_conn
 * whole, in pieces, oversized, as garbage, cut by EOF, or never sent (the connection's
 * deadline), over a socketpair with a forked writer; reply lines sent and read back; and the
 * round trip through a real socket (ctl_listen, ctl_request) in a private directory, with the
 * errors the CLI relies on to fall back to the maps. test_ctl_peer.c has the slow and foreign
 * peers.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
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
#include "testutil.h"
#include "util.h"

#define PIECES_MAX 4
#define PAUSE_US 20000 /* between pieces: each arrives in its own read */
#define FEEDS_MAX 10000 /* each waits for input: a bound that is never reached */

typedef char piece[200];

/*
 * Feeds c the way the daemon's loop does, waking on input, until the request is complete or
 * failed (ctl_conn_feed's answer), or c's deadline passes (-ETIMEDOUT).
 */
static int feed_to_end(struct ctl_conn *c)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	int err, i;

	for (i = 0; i < FEEDS_MAX; i++) {
		err = ctl_conn_feed(c);
		if (err != -EAGAIN)
			return err;
		if (ctl_conn_expired(c, mono_now_ns()))
			return -ETIMEDOUT;
		if (poll(&p, 1, ctl_conn_remaining_ms(c, mono_now_ns())) < 0 && errno != EINTR)
			return -errno;
	}
	return -ELOOP;
}

struct frame_case {
	char name[24];
	piece in[PIECES_MAX];
	int n;
	size_t in_len; /* bytes of in[0] when not 0: it holds NULs */
	size_t big; /* then this many 'x', no newline */
	bool eof; /* the writer closes after its bytes; else it stays, silent, until killed */
	unsigned int timeout_ms;
	int err;
	char want[200];
	size_t want_len; /* when not 0: want holds NULs */
};

/*
 * Writes c's pieces to fd, pausing between them, then its big run, then closes (eof) or stays
 * until killed.
 */
static pid_t writer(int fd, const struct frame_case *c)
{
	pid_t pid = fork();
	char *s;
	int i;

	cr_assert_geq(pid, 0);
	if (pid)
		return pid;
	for (i = 0; i < c->n; i++) {
		if (i)
			usleep(PAUSE_US);
		if (write_all(fd, c->in[i], c->in_len ?: strlen(c->in[i])))
			_exit(1);
	}
	if (c->big) {
		s = malloc(c->big);
		if (!s)
			_exit(1);
		memset(s, 'x', c->big);
		/* Blocks once the socket is full: the reader stops at its limit; killed there. */
		write_all(fd, s, c->big);
	}
	if (c->eof)
		_exit(0);
	sleep(30);
	_exit(0);
}

/* clang-format off */
static struct frame_case frame_cases[] = {
	{ "whole", { "{\"cmd\":\"status\"}\n" }, 1, 0, 0, false, 2000, 0,
	  "{\"cmd\":\"status\"}", 0 },
	{ "in pieces", { "{\"cmd\"", ":\"sta", "tus\"}", "\n" }, 4, 0, 0, false, 2000, 0,
	  "{\"cmd\":\"status\"}", 0 },
	/* Cut by EOF: what came is the request; the daemon's JSON parse then rejects it. */
	{ "EOF mid-request", { "{\"cmd\":", "\"sta" }, 2, 0, 0, true, 2000, 0,
	  "{\"cmd\":\"sta", 0 },
	{ "EOF before anything", { "" }, 0, 0, 0, true, 2000, -ENODATA, "", 0 },
	/* Refused at the buffer's end, without waiting for a newline that never comes. */
	{ "oversized", { "{\"cmd\":\"block\",\"addr\":\"" }, 1, 0, CTL_MSG_MAX + 1000, false,
	  2000, -EMSGSIZE, "", 0 },
	/* Bytes are bytes: NULs and non-UTF-8 come through for the JSON parser to reject. */
	{ "garbage", { "\x00\xff\xfe{\x01\n" }, 1, 6, 0, false, 2000, 0,
	  "\x00\xff\xfe{\x01", 5 },
	/* Connects and says nothing: dropped at its deadline, not held forever. */
	{ "silent client", { "" }, 0, 0, 0, false, 200, -ETIMEDOUT, "", 0 },
};
/* clang-format on */

ParameterizedTestParameters(ctl_conn, framing)
{
	return cr_make_param_array(struct frame_case, frame_cases, ARRAY_SIZE(frame_cases));
}

ParameterizedTest(struct frame_case *c, ctl_conn, framing)
{
	size_t want_len = c->want_len ?: strlen(c->want);
	uint64_t t0 = mono_now_ns(), ms;
	struct ctl_conn conn;
	int sv[2], err;
	pid_t pid;

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid = writer(sv[1], c);
	close(sv[1]);
	cr_assert_eq(ctl_conn_init(&conn, sv[0], t0, c->timeout_ms), 0, "%s", c->name);
	err = feed_to_end(&conn);
	ms = (mono_now_ns() - t0) / 1000000;
	cr_expect_eq(err, c->err, "%s: %d (%s), want %d", c->name, err, strerror(-err), c->err);
	cr_expect_lt(conn.len, CTL_MSG_MAX, "%s: %zu bytes, past the buffer", c->name, conn.len);
	if (!c->err && !err) {
		cr_expect_eq(conn.len, want_len, "%s: %zu bytes, want %zu", c->name, conn.len,
			     want_len);
		cr_expect_eq(memcmp(conn.buf, c->want, want_len), 0, "%s: got '%.*s'", c->name,
			     (int)want_len, conn.buf);
		cr_expect_eq(conn.buf[want_len], '\0', "%s: not terminated after %zu bytes",
			     c->name, want_len);
	}
	if (c->err == -ETIMEDOUT)
		cr_expect(ms >= c->timeout_ms && ms < c->timeout_ms + 300,
			  "%s: dropped after %llu ms, deadline %u ms", c->name,
			  (unsigned long long)ms, c->timeout_ms);
	else
		cr_expect_lt(ms, c->timeout_ms, "%s: ended by the deadline", c->name);
	ctl_conn_close(&conn);
	tu_kill_child(&pid);
}

struct line_case {
	char name[24];
	size_t big; /* the reply: this many 'x', else {"ok":true} */
	bool gone; /* the client closed before the reply */
	int err;
};

/* clang-format off */
static struct line_case line_cases[] = {
	{ "one line", 0, false, 0 },
	/* Without MSG_NOSIGNAL the SIGPIPE would kill the test (the daemon) here. */
	{ "client gone", 0, true, -EPIPE },
	/* More than the socket holds: never a wait for a client that does not read. */
	{ "client not reading", 4 << 20, false, -EAGAIN },
};
/* clang-format on */

ParameterizedTestParameters(ctl_conn, reply)
{
	return cr_make_param_array(struct line_case, line_cases, ARRAY_SIZE(line_cases));
}

ParameterizedTest(struct line_case *c, ctl_conn, reply)
{
	char buf[64] = "", *json = NULL;
	struct ctl_conn conn;
	ssize_t n;
	int sv[2];

	if (c->big) {
		json = malloc(c->big + 1);
		cr_assert_not_null(json);
		memset(json, 'x', c->big);
		json[c->big] = '\0';
	}
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	cr_assert_eq(ctl_conn_init(&conn, sv[0], mono_now_ns(), 1000), 0);
	if (c->gone)
		close(sv[1]);
	cr_expect_eq(ctl_conn_reply(&conn, json ?: "{\"ok\":true}"), c->err, "%s", c->name);
	ctl_conn_close(&conn);
	if (!c->err) {
		n = read(sv[1], buf, sizeof(buf) - 1);
		cr_expect_eq(n, 12, "%s: %zd bytes", c->name, n);
		cr_expect_str_eq(buf, "{\"ok\":true}\n", "%s", c->name);
		cr_expect_eq(read(sv[1], buf, sizeof(buf)), 0, "%s: more than the line", c->name);
	}
	if (!c->gone)
		close(sv[1]);
	free(json);
}

static char dir[64], sock[128];

static void setup(void)
{
	log_init("test", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	signal(SIGPIPE, SIG_IGN);
	tu_mkdtemp(dir, sizeof(dir), "ctl");
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

/*
 * The server side of one request, as the daemon reads it: accept, feed until complete (5 s at
 * most), check it, then reply with c's pieces over a blocking fd.
 */
static void serve(int lfd, const struct reply_case *c)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	struct ctl_conn conn;
	int fd, i;

	if (poll(&pfd, 1, 10000) != 1)
		_exit(2);
	fd = ctl_accept(lfd);
	if (fd < 0 || ctl_conn_init(&conn, fd, mono_now_ns(), 5000) || feed_to_end(&conn) ||
	    strcmp(conn.buf, "{\"cmd\":\"status\"}"))
		_exit(3);
	/* The pieces and the big reply are raw writes, not ctl_conn_reply: they wait. */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK))
		_exit(4);
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
	ctl_conn_close(&conn);
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
