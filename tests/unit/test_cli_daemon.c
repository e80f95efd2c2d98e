// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the test of cli_daemon_request() (user/arxdp/common.c), the CLI's request
 * to arxdpd: 1 (no daemon: the caller writes the maps itself) when nothing is at the socket
 * path or nothing listens there, decided without printing the request when no file is there;
 * the reply when a daemon answers; a warning and an error for a path no socket address holds.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "arxdp/cli.h"
#include "ctl.h"
#include "testutil.h"

enum at_path { NOTHING, NO_DIR, TOO_LONG, PLAIN_FILE, LISTENER };

struct daemon_row {
	char desc[48];
	enum at_path at;
	int want; /* cli_daemon_request's result: 1, 0, or < 0 (any error) */
	int warnings;
};

static struct daemon_row rows[] = {
	{ "no socket file", NOTHING, 1, 0 },
	{ "no directory either", NO_DIR, 1, 0 },
	{ "a path too long for a socket", TOO_LONG, -1, 1 },
	{ "a file, nothing listening", PLAIN_FILE, 1, 0 },
	{ "a daemon answering", LISTENER, 0, 0 },
};

ParameterizedTestParameters(cli, daemon_request)
{
	return cr_make_param_array(struct daemon_row, rows, ARRAY_SIZE(rows));
}

static char dir[64];

static void cleanup(void)
{
	if (dir[0])
		tu_rm_rf(dir);
	dir[0] = '\0';
}

/* One connection: reads the request to its end, answers ok, and waits to be killed. */
static void answer(int ready, void *ctx)
{
	const char *path = ctx;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[4096];
	int fd, c;

	str_copy(sa.sun_path, path, sizeof(sa.sun_path));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1))
		_exit(1);
	if (write(ready, "r", 1) != 1)
		_exit(1);
	c = accept(fd, NULL, NULL);
	while (c >= 0 && read(c, buf, sizeof(buf)) > 0)
		;
	if (c >= 0 && write(c, "{\"ok\":true}\n", 12) != 12)
		_exit(1);
	if (c >= 0)
		close(c);
	pause();
	_exit(0);
}

ParameterizedTest(struct daemon_row *r, cli, daemon_request, .fini = cleanup)
{
	static struct cli cli;
	struct tu_warnings w;
	cJSON *req, *reply = NULL;
	pid_t peer = -1;
	int ret, fd;

	tu_deadline(10);
	tu_mkdtemp(dir, sizeof(dir), "clid");
	log_init("test", LOG_LEVEL_INFO, LOG_TARGET_STDERR);
	memset(&cli, 0, sizeof(cli));
	switch (r->at) {
	case NOTHING:
	case LISTENER:
	case PLAIN_FILE:
		snprintf(cli.s.socket_path, sizeof(cli.s.socket_path), "%s/arxdpd.sock", dir);
		break;
	case NO_DIR:
		snprintf(cli.s.socket_path, sizeof(cli.s.socket_path), "%s/none/arxdpd.sock", dir);
		break;
	case TOO_LONG:
		snprintf(cli.s.socket_path, sizeof(cli.s.socket_path), "%s/%0150d.sock", dir, 0);
		break;
	}
	if (r->at == PLAIN_FILE) {
		fd = open(cli.s.socket_path, O_CREAT | O_WRONLY, 0600);
		cr_assert_geq(fd, 0);
		close(fd);
	}
	if (r->at == LISTENER)
		peer = tu_fork_ready(answer, cli.s.socket_path, "the peer listens");
	req = cJSON_CreateObject();
	cr_assert_not_null(cJSON_AddStringToObject(req, "cmd", "block"));
	cr_assert_not_null(cJSON_AddNumberToObject(req, "timeout", 600));
	tu_capture_warnings(&w);
	ret = cli_daemon_request(&cli, req, &reply);
	log_set_sink(NULL, NULL);
	tu_kill_child(&peer);
	if (r->want < 0)
		cr_expect_lt(ret, 0, "%s: an error (got %d)", r->desc, ret);
	else
		cr_expect_eq(ret, r->want, "%s: got %d", r->desc, ret);
	cr_expect_eq(w.n, r->warnings, "%s: %d warnings (last: %s)", r->desc, w.n, w.last);
	if (r->warnings)
		cr_expect(strstr(w.last, "control socket"), "%s: said %s", r->desc, w.last);
	if (r->at == LISTENER)
		cr_expect(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply, "ok")));
	else
		cr_expect_null(reply);
	cJSON_Delete(reply);
	cJSON_Delete(req);
}
