// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the control socket against slow, silent and foreign peers, over real
 * Unix sockets in a temporary directory. Server side: the non-blocking reader never waits, a
 * slow-loris client is dropped at its deadline while another client's request goes through,
 * and bad requests end with their own codes. Client side: "no daemon" (-ENOENT,
 * -ECONNREFUSED) is told apart from "a daemon that does not answer" (-ETIMEDOUT, also when it
 * dribbles its reply), and a socket whose owner is neither root nor us is refused before the
 * request is sent (-EPERM; the foreign owner needs root to set up).
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
#include <sys/un.h>
#include <sys/wait.h>
#include "ctl.h"
#include "log.h"
#include "util.h"
#include "testutil.h"

#define NOBODY 65534

static char dir[64], sock[128];
static pid_t server = -1;
static struct tu_warnings warned;

static void setup(void)
{
	tu_deadline(20);
	log_init("test", LOG_LEVEL_INFO, LOG_TARGET_STDERR);
	tu_capture_warnings(&warned);
	tu_mkdtemp(dir, sizeof(dir), "ctl");
	snprintf(sock, sizeof(sock), "%s/arxdpd.sock", dir);
}

static void teardown(void)
{
	tu_kill_child(&server);
	log_set_sink(NULL, NULL);
	cr_assert_eq(tu_rm_rf(dir), 0);
}

static int client_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert_geq(fd, 0);
	str_copy(sa.sun_path, sock, sizeof(sa.sun_path));
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* The server side's accept, waiting (bounded) for the client to be queued. */
static int accept_one(int lfd)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };

	cr_assert_eq(poll(&p, 1, 2000), 1, "a client is waiting");
	return ctl_accept(lfd);
}

static void send_text(int fd, const char *s, size_t n)
{
	cr_assert_eq(write_all(fd, s, n), 0);
}

/* ---- server side ------------------------------------------------------------------------ */

struct feed_case {
	char desc[48];
	char parts[3][48]; /* sent one by one, each followed by a feed */
	bool shut; /* the client shuts its side down after the parts */
	int last; /* what the last feed answers */
	char want[48];
};

/* clang-format off */
static struct feed_case feed_cases[] = {
	{ "whole line", { "{\"cmd\":\"status\"}\n" }, false, 0, "{\"cmd\":\"status\"}" },
	{ "in three pieces", { "{\"cmd\"", ":\"sta", "tus\"}\n" }, false, 0, "{\"cmd\":\"status\"}" },
	{ "ended by shutdown", { "{\"cmd\":\"reload\"}" }, true, 0, "{\"cmd\":\"reload\"}" },
	{ "half a line, no more", { "{\"cmd\":" }, false, -EAGAIN, "" },
	{ "closed without a byte", { "" }, true, -ENODATA, "" },
	{ "what follows the line waits", { "{\"a\":1}\n{\"b\":2}\n" }, false, 0, "{\"a\":1}" },
};
/* clang-format on */

ParameterizedTestParameters(ctl_conn, feed)
{
	return cr_make_param_array(struct feed_case, feed_cases, ARRAY_SIZE(feed_cases));
}

ParameterizedTest(struct feed_case *c, ctl_conn, feed, .init = setup, .fini = teardown)
{
	struct ctl_conn conn;
	int lfd, cfd, err = -EAGAIN, i;

	lfd = ctl_listen(sock);
	cr_assert_geq(lfd, 0);
	cfd = client_connect();
	cr_assert_eq(ctl_conn_init(&conn, accept_one(lfd), mono_now_ns(), 1000), 0);
	cr_expect_eq(ctl_conn_feed(&conn), -EAGAIN, "%s: nothing sent yet", c->desc);
	for (i = 0; i < 3 && c->parts[i][0]; i++) {
		send_text(cfd, c->parts[i], strlen(c->parts[i]));
		usleep(10000);
		err = ctl_conn_feed(&conn);
		if (i < 2 && c->parts[i + 1][0])
			cr_expect_eq(err, -EAGAIN, "%s: part %d: not complete yet", c->desc, i);
	}
	if (c->shut) {
		shutdown(cfd, SHUT_WR);
		usleep(10000);
		err = ctl_conn_feed(&conn);
	}
	cr_expect_eq(err, c->last, "%s: %d, want %d", c->desc, err, c->last);
	if (!c->last)
		cr_expect_str_eq(conn.buf, c->want, "%s", c->desc);
	ctl_conn_close(&conn);
	close(cfd);
	close(lfd);
}

/*
 * The old server read each client to its end with a blocking read: one idle client stalled the
 * daemon's loop. Here a slow loris (a byte every 50 ms, never a newline) never makes a feed
 * wait, a second client's request is read meanwhile, and the loris is dropped at its deadline.
 */
Test(ctl_conn, slow_loris, .init = setup, .fini = teardown)
{
	struct ctl_conn loris, good;
	uint64_t t0 = mono_now_ns(), t;
	int lfd, cl, cg, err, i;

	lfd = ctl_listen(sock);
	cr_assert_geq(lfd, 0);
	cl = client_connect();
	cr_assert_eq(ctl_conn_init(&loris, accept_one(lfd), t0, 300), 0);
	cg = client_connect();
	cr_assert_eq(ctl_conn_init(&good, accept_one(lfd), t0, 300), 0);
	send_text(cg, "{\"cmd\":\"status\"}\n", 17);
	for (i = 0; !ctl_conn_expired(&loris, mono_now_ns()); i++) {
		cr_assert_lt(i, 100, "the deadline never came");
		send_text(cl, "{", 1);
		t = mono_now_ns();
		err = ctl_conn_feed(&loris);
		cr_assert_eq(err, -EAGAIN, "the loris' request is never complete (%d)", err);
		cr_assert_lt(tu_ms_since(t), 20, "a feed never waits");
		if (good.fd >= 0 && !ctl_conn_feed(&good)) {
			cr_expect_str_eq(good.buf, "{\"cmd\":\"status\"}");
			cr_expect_eq(ctl_conn_reply(&good, "{\"ok\":true}"), 0);
			ctl_conn_close(&good);
		}
		cr_assert_leq(ctl_conn_remaining_ms(&loris, mono_now_ns()), 300);
		usleep(50000);
	}
	cr_expect_eq(good.fd, -1, "the good client was served while the loris dribbled");
	cr_expect(tu_ms_since(t0) >= 300 && tu_ms_since(t0) <= 450,
		  "dropped at its deadline: %llu ms", (unsigned long long)tu_ms_since(t0));
	cr_expect_eq(ctl_conn_remaining_ms(&loris, mono_now_ns()), 0);
	ctl_conn_close(&loris);
	close(cl);
	close(cg);
	close(lfd);
}

Test(ctl_conn, too_long, .init = setup, .fini = teardown)
{
	char *big = malloc(CTL_MSG_MAX);
	struct ctl_conn conn;
	int lfd, cfd, err = -EAGAIN, i;

	cr_assert_not_null(big);
	memset(big, 'x', CTL_MSG_MAX);
	lfd = ctl_listen(sock);
	cr_assert_geq(lfd, 0);
	cfd = client_connect();
	cr_assert_eq(ctl_conn_init(&conn, accept_one(lfd), mono_now_ns(), 1000), 0);
	send_text(cfd, big, CTL_MSG_MAX);
	for (i = 0; i < 100 && err == -EAGAIN; i++) {
		err = ctl_conn_feed(&conn);
		usleep(1000);
	}
	cr_expect_eq(err, -EMSGSIZE);
	ctl_conn_close(&conn);
	close(cfd);
	close(lfd);
	free(big);
}

/* A client the daemon has no slot for: one error line, then closed. */
Test(ctl_conn, reject, .init = setup, .fini = teardown)
{
	char buf[256] = "";
	int lfd, cfd;
	ssize_t n;

	lfd = ctl_listen(sock);
	cr_assert_geq(lfd, 0);
	cfd = client_connect();
	ctl_reject(accept_one(lfd), "busy: 8 \"requests\" in progress");
	n = read(cfd, buf, sizeof(buf) - 1);
	cr_assert_gt(n, 0);
	cr_expect_str_eq(buf, "{\"ok\":false,\"error\":\"busy: 8 'requests' in progress\"}\n");
	cr_expect_eq(read(cfd, buf, sizeof(buf)), 0, "closed after the line");
	close(cfd);
	close(lfd);
}

/* ---- client side ------------------------------------------------------------------------ */

enum behaviour {
	B_NONE, /* no socket at all */
	B_STALE, /* a socket file nobody listens on */
	B_NO_ACCEPT, /* listening, never accepting */
	B_SILENT, /* accepts, reads, never answers */
	B_DRIBBLE, /* answers a byte every 50 ms, forever */
	B_ANSWER, /* answers at once */
};

struct client_case {
	char desc[40];
	enum behaviour b;
	int err;
	bool said; /* a warning for the operator */
};

/* clang-format off */
static struct client_case client_cases[] = {
	{ "no socket", B_NONE, -ENOENT, false },
	{ "stale socket", B_STALE, -ECONNREFUSED, false },
	{ "never accepts", B_NO_ACCEPT, -ETIMEDOUT, true },
	{ "never answers", B_SILENT, -ETIMEDOUT, true },
	{ "dribbles its answer", B_DRIBBLE, -ETIMEDOUT, true },
	{ "answers", B_ANSWER, 0, false },
};
/* clang-format on */

ParameterizedTestParameters(ctl_client, busy_or_absent)
{
	return cr_make_param_array(struct client_case, client_cases, ARRAY_SIZE(client_cases));
}

static void serve(int lfd, enum behaviour b)
{
	struct ctl_conn c;
	int fd, i;

	if (b == B_NO_ACCEPT)
		for (;;)
			pause();
	fd = accept_one(lfd);
	if (ctl_conn_init(&c, fd, mono_now_ns(), 5000))
		_exit(1);
	while (ctl_conn_feed(&c) == -EAGAIN)
		usleep(1000);
	if (b == B_ANSWER) {
		ctl_conn_reply(&c, "{\"ok\":true}");
		_exit(0);
	}
	for (i = 0; b == B_DRIBBLE; i++) {
		if (write(c.fd, "{", 1) != 1)
			_exit(0);
		usleep(50000);
	}
	for (;;)
		pause();
}

ParameterizedTest(struct client_case *c, ctl_client, busy_or_absent, .init = setup,
		  .fini = teardown)
{
	char *reply = NULL;
	uint64_t t0;
	int lfd = -1, err;

	if (c->b != B_NONE) {
		lfd = ctl_listen(sock);
		cr_assert_geq(lfd, 0);
	}
	if (c->b == B_STALE) {
		close(lfd);
		lfd = -1;
	}
	if (lfd >= 0) {
		server = fork();
		cr_assert_geq(server, 0);
		if (!server)
			serve(lfd, c->b);
	}
	t0 = mono_now_ns();
	err = ctl_request_timeout(sock, "{\"cmd\":\"status\"}", &reply, 300);
	cr_expect_eq(err, c->err, "%s: %d, want %d", c->desc, err, c->err);
	cr_expect_leq(tu_ms_since(t0), 300 + 150, "%s: answered within its deadline (%llu ms)",
		      c->desc, (unsigned long long)tu_ms_since(t0));
	if (!c->err)
		cr_expect_str_eq(reply, "{\"ok\":true}\n");
	else
		cr_expect_null(reply);
	cr_expect_eq(warned.n, c->said ? 1 : 0, "%s: %d warnings (%s)", c->desc, warned.n,
		     warned.last);
	if (c->said)
		cr_expect(strstr(warned.last, sock) && strstr(warned.last, "busy"), "%s: %s",
			  c->desc, warned.last);
	free(reply);
	if (lfd >= 0)
		close(lfd);
}

/*
 * The CLI's own deadline: a daemon that dribbles its answer (the old client's per-read timeout
 * restarted with every byte, so it waited forever) ends at CTL_CLIENT_TIMEOUT_MS.
 */
Test(ctl_client, default_deadline_covers_the_whole_answer, .init = setup, .fini = teardown)
{
	char *reply = NULL;
	uint64_t t0;
	int lfd;

	lfd = ctl_listen(sock);
	cr_assert_geq(lfd, 0);
	server = fork();
	cr_assert_geq(server, 0);
	if (!server)
		serve(lfd, B_DRIBBLE);
	t0 = mono_now_ns();
	cr_expect_eq(ctl_request(sock, "{\"cmd\":\"status\"}", &reply), -ETIMEDOUT);
	cr_expect_leq(tu_ms_since(t0), CTL_CLIENT_TIMEOUT_MS + 300, "%llu ms",
		      (unsigned long long)tu_ms_since(t0));
	cr_expect_null(reply);
	close(lfd);
}

/*
 * A socket another user made at the daemon's path (while arxdpd is down, in a directory that
 * user can write): the CLI must not hand it a request or believe its answer.
 */
Test(ctl_client, foreign_peer_refused, .init = setup, .fini = teardown)
{
	char *reply = NULL, got = 0, want[256];
	int p[2], err;

	if (geteuid())
		cr_skip_test("a listener of another uid needs root to set up");
	cr_assert_eq(chown(dir, NOBODY, NOBODY), 0);
	cr_assert_eq(pipe(p), 0);
	server = fork();
	cr_assert_geq(server, 0);
	if (!server) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int lfd, fd;
		char c = 'n';

		if (setgid(NOBODY) || setuid(NOBODY))
			_exit(1);
		lfd = socket(AF_UNIX, SOCK_STREAM, 0);
		str_copy(sa.sun_path, sock, sizeof(sa.sun_path));
		if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 4) ||
		    chmod(sock, 0666))
			_exit(1);
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		fd = accept(lfd, NULL, NULL);
		/* What the client sent before it hung up: nothing, if it refused us. */
		if (fd >= 0 && read(fd, &c, 1) == 1)
			c = 'y';
		if (write(p[1], &c, 1) != 1)
			_exit(1);
		if (fd >= 0)
			dprintf(fd, "{\"ok\":true}\n");
		for (;;)
			pause();
	}
	close(p[1]);
	cr_assert_eq(read(p[0], &got, 1), 1, "the foreign listener is up");
	err = ctl_request(sock, "{\"cmd\":\"block\",\"addr\":\"192.0.2.1\"}", &reply);
	cr_expect_eq(err, -EPERM, "%d", err);
	cr_expect_null(reply);
	snprintf(want, sizeof(want), "control socket '%s': peer uid %d is not root: refusing", sock,
		 NOBODY);
	cr_expect(strstr(warned.last, want), "message '%s' lacks '%s'", warned.last, want);
	cr_assert_eq(read(p[0], &got, 1), 1);
	cr_expect_eq(got, 'n', "no byte of the request reached the foreign listener");
	close(p[0]);
	free(reply);
}

struct listen_case {
	char desc[40];
	mode_t mode;
	int err;
};

static struct listen_case listen_cases[] = {
	{ "private directory", 0700, 0 },
	{ "sticky like /tmp", 01777, 0 },
	{ "world-writable", 0777, -EPERM },
	{ "group-writable", 0770, -EPERM },
};

ParameterizedTestParameters(ctl_listen, directory)
{
	return cr_make_param_array(struct listen_case, listen_cases, ARRAY_SIZE(listen_cases));
}

/* Root unlinks and binds in the socket's directory: one others may steer is refused. */
ParameterizedTest(struct listen_case *c, ctl_listen, directory, .init = setup, .fini = teardown)
{
	int fd;

	cr_assert_eq(chmod(dir, c->mode), 0);
	fd = ctl_listen(sock);
	if (!c->err) {
		cr_expect_geq(fd, 0, "%s: %d", c->desc, fd);
		close(fd);
	} else {
		cr_expect_eq(fd, c->err, "%s: %d", c->desc, fd);
		cr_expect(strstr(warned.last, sock) &&
				  strstr(warned.last, "writable by group or others"),
			  "%s", warned.last);
		cr_expect_eq(access(sock, F_OK), -1, "%s: no socket made", c->desc);
	}
}
