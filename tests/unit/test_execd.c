// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the wazuh-execd mode's tables: which starts are execd starts, the home
 * from a program path, execd's command line into the daemon's options and settings flags, the
 * com socket's framing (parsed, built, and fed over a real socketpair in pieces), the answers
 * to the com requests over a real ossec.conf and internal options (test_execd_run.c: the
 * rest, in a private fake home).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include "config.h"
#include "ctl.h"
#include "arxdpd/daemon.h"
#include "arxdpd/execd.h"
#include "log.h"
#include "runner.h"
#include "settings.h"
#include "testutil.h"
#include "util.h"
#include "execd_fixture.h"

#define ARGS_MAX 8

/* ---- which starts are execd's ---- */

/* Criterion runs each case in a process of its own: the tables hold text, not pointers. */
struct invoked_case {
	char argv[4][48];
	int argc;
	bool want;
};

static struct invoked_case invoked_cases[] = {
	{ { "wazuh-execd" }, 1, true },
	{ { "/var/ossec/bin/wazuh-execd", "-f" }, 2, true },
	{ { "./wazuh-execd", "-t" }, 2, true },
	{ { "arxdpd", "--execd" }, 2, true },
	{ { "/usr/sbin/arxdpd", "--execd", "-f" }, 3, true },
	/* Only first: "--execd" later is an option to arxdpd's own parser, which refuses it. */
	{ { "arxdpd", "-f", "--execd" }, 3, false },
	{ { "wazuh-execd-old" }, 1, false },
	{ { "/var/ossec/bin/wazuh-execd/arxdpd" }, 1, false },
	{ { "arxdpd" }, 1, false },
};

ParameterizedTestParameters(execd, invoked)
{
	return cr_make_param_array(struct invoked_case, invoked_cases, ARRAY_SIZE(invoked_cases));
}

ParameterizedTest(struct invoked_case *c, execd, invoked)
{
	char *argv[4] = { c->argv[0], c->argv[1], c->argv[2], c->argv[3] };

	cr_expect_eq(execd_invoked(c->argc, argv), c->want, "%s %s", c->argv[0],
		     c->argc > 1 ? c->argv[1] : "");
}

/* ---- the home from the program's path ---- */

struct home_case {
	char exe[64];
	size_t size;
	int err;
	char home[32]; /* empty: not looked at */
};

static struct home_case home_cases[] = {
	{ "/var/ossec/bin/wazuh-execd", PATH_MAX, 0, "/var/ossec" },
	{ "/opt/wazuh/manager/bin/wazuh-execd", PATH_MAX, 0, "/opt/wazuh/manager" },
	{ "/bin/wazuh-execd", PATH_MAX, 0, "/" },
	/* Installed elsewhere: no bin directory of a home holds it. */
	{ "/usr/sbin/arxdpd", PATH_MAX, -EINVAL, "" },
	{ "/usr/local/sbin/wazuh-execd", PATH_MAX, -EINVAL, "" },
	{ "/var/ossec/binary/wazuh-execd", PATH_MAX, -EINVAL, "" },
	{ "/var/ossec/bin", PATH_MAX, -EINVAL, "" },
	{ "/wazuh-execd", PATH_MAX, -EINVAL, "" },
	{ "var/ossec/bin/wazuh-execd", PATH_MAX, -EINVAL, "" },
	{ "wazuh-execd", PATH_MAX, -EINVAL, "" },
	{ "", PATH_MAX, -EINVAL, "" },
	/* "/var/ossec" and its NUL need 11 bytes. */
	{ "/var/ossec/bin/wazuh-execd", 11, 0, "/var/ossec" },
	{ "/var/ossec/bin/wazuh-execd", 10, -ENAMETOOLONG, "" },
};

ParameterizedTestParameters(execd, home)
{
	return cr_make_param_array(struct home_case, home_cases, ARRAY_SIZE(home_cases));
}

ParameterizedTest(struct home_case *c, execd, home)
{
	char home[PATH_MAX] = "untouched";
	int err = execd_home_from_exe(c->exe, home, c->size);

	cr_assert_eq(err, c->err, "'%s': %d, want %d", c->exe, err, c->err);
	if (c->home[0])
		cr_expect_str_eq(home, c->home, "'%s'", c->exe);
}

/* ---- the command line ---- */

struct args_case {
	char name[40];
	char argv[ARGS_MAX][40];
	char exe[40]; /* what /proc/self/exe resolves to */
	int err, exit_code;
	bool foreground, check_only, unblock;
	int verbose;
	char home[24], ossec_conf[40], group[8]; /* home empty: no settings to look at */
	char out_has[48], err_has[48]; /* empty: not looked at */
};

/* clang-format off */
static struct args_case args_cases[] = {
	{ "plain start", { "wazuh-execd", "-g", "root" }, "/var/ossec/bin/wazuh-execd", 0, -1,
	  false, false, false, 0, "/var/ossec", "/var/ossec/etc/ossec.conf", "root", "", "" },
	{ "wazuh-control's -f -d -d -t", { "wazuh-execd", "-fddt", "-g", "root" },
	  "/var/ossec/bin/wazuh-execd", 0, -1, true, true, false, 2, "/var/ossec",
	  "/var/ossec/etc/ossec.conf", "root", "", "" },
	{ "-c relative to the home", { "wazuh-execd", "-groot", "-c", "etc/other.conf" },
	  "/var/ossec/bin/wazuh-execd", 0, -1, false, false, false, 0, "/var/ossec",
	  "/var/ossec/etc/other.conf", "root", "", "" },
	{ "-c absolute", { "wazuh-execd", "-g", "root", "-c", "/etc/x.conf" },
	  "/var/ossec/bin/wazuh-execd", 0, -1, false, false, false, 0, "/var/ossec",
	  "/etc/x.conf", "root", "", "" },
	{ "--execd with a home", { "arxdpd", "--execd", "--wazuh-home", "/srv/w", "-g", "root" },
	  "/usr/sbin/arxdpd", 0, -1, false, false, false, 0, "/srv/w", "/srv/w/etc/ossec.conf",
	  "root", "", "" },
	/* A symbolic link named wazuh-execd: its real path is arxdpd's, argv[0] has the home. */
	{ "symlink: the home from argv[0]", { "/srv/w/bin/wazuh-execd", "-g", "root" },
	  "/usr/sbin/arxdpd", 0, -1, false, false, false, 0, "/srv/w", "/srv/w/etc/ossec.conf",
	  "root", "", "" },
	{ "--unblock-on-exit: execd's stop", { "wazuh-execd", "--unblock-on-exit", "-g", "root" },
	  "/var/ossec/bin/wazuh-execd", 0, -1, false, false, true, 0, "/var/ossec",
	  "/var/ossec/etc/ossec.conf", "root", "", "" },
	{ "-V", { "wazuh-execd", "-V" }, "/var/ossec/bin/wazuh-execd", 0, 0, false, false,
	  false, 0, "", "", "", "standing in for wazuh-execd", "" },
	{ "-h exits 1 as execd's", { "wazuh-execd", "-h" }, "/var/ossec/bin/wazuh-execd", 0, 1,
	  false, false, false, 0, "", "", "", "-[Vhdtf] [-g group] [-c config]", "" },
	{ "unknown option", { "wazuh-execd", "-n" }, "/var/ossec/bin/wazuh-execd", -EINVAL, 1,
	  false, false, false, 0, "", "", "", "", "unknown option" },
	{ "-g without its group", { "wazuh-execd", "-g" }, "/var/ossec/bin/wazuh-execd",
	  -EINVAL, 1, false, false, false, 0, "", "", "", "", "missing argument" },
	{ "an argument", { "wazuh-execd", "-g", "root", "start" }, "/var/ossec/bin/wazuh-execd",
	  -EINVAL, 1, false, false, false, 0, "", "", "", "", "unexpected argument" },
	{ "unknown group", { "wazuh-execd", "-g", "no-such-group-arxdp" },
	  "/var/ossec/bin/wazuh-execd", -EINVAL, 1, false, false, false, 0, "", "", "",
	  "", "group 'no-such-group-arxdp'" },
	{ "no home anywhere", { "arxdpd", "--execd", "-g", "root" }, "/usr/sbin/arxdpd", -EINVAL,
	  1, false, false, false, 0, "", "", "", "", "--wazuh-home" },
	{ "relative --wazuh-home", { "arxdpd", "--execd", "--wazuh-home", "w", "-g", "root" },
	  "/usr/sbin/arxdpd", -EINVAL, 1, false, false, false, 0, "", "", "", "",
	  "absolute" },
};
/* clang-format on */

ParameterizedTestParameters(execd, args)
{
	return cr_make_param_array(struct args_case, args_cases, ARRAY_SIZE(args_cases));
}

static const char *flag_value(const struct settings_flags *f, const char *flag)
{
	int i;

	for (i = 0; i < f->n; i++)
		if (!strcmp(f->opt[i]->flag, flag))
			return f->val[i];
	return NULL;
}

static bool has_flag(const struct settings_flags *f, const char *flag)
{
	int i;

	for (i = 0; i < f->n; i++)
		if (!strcmp(f->opt[i]->flag, flag))
			return true;
	return false;
}

ParameterizedTest(struct args_case *c, execd, args)
{
	struct daemon_opts o = {};
	struct settings_flags *f = calloc(1, sizeof(*f));
	struct execd *x = calloc(1, sizeof(*x));
	char *argv[ARGS_MAX + 1] = {}, *obuf = NULL, *ebuf = NULL;
	size_t olen = 0, elen = 0;
	FILE *out = open_memstream(&obuf, &olen), *err = open_memstream(&ebuf, &elen);
	int argc = 0, code = 42, r;

	cr_assert(f && x && out && err);
	unsetenv("WAZUH_HOME");
	while (argc < ARGS_MAX && c->argv[argc][0]) {
		argv[argc] = strdup(c->argv[argc]); /* getopt permutes */
		argc++;
	}
	r = execd_parse_args(&o, f, x, argc, argv, c->exe, out, err, &code);
	fclose(out);
	fclose(err);
	cr_assert_eq(r, c->err, "%s: %d, want %d (%s)", c->name, r, c->err, ebuf);
	cr_expect_eq(code, c->exit_code, "%s: exit code %d, want %d", c->name, code, c->exit_code);
	if (c->out_has[0])
		cr_expect(strstr(obuf, c->out_has), "%s: output '%s'", c->name, obuf);
	if (c->err_has[0])
		cr_expect(strstr(ebuf, c->err_has), "%s: message '%s'", c->name, ebuf);
	if (c->home[0]) {
		cr_expect_eq(o.foreground, c->foreground, "%s", c->name);
		cr_expect_eq(o.check_only, c->check_only, "%s", c->name);
		/* A setting, so arxdp.conf's <unblock_on_exit> gives it to wazuh-control's start. */
		cr_expect_eq(has_flag(f, "unblock-on-exit"), c->unblock, "%s", c->name);
		cr_expect_eq(o.verbose, c->verbose, "%s", c->name);
		cr_expect_str_eq(x->home, c->home, "%s", c->name);
		cr_expect_str_eq(x->ossec_conf, c->ossec_conf, "%s", c->name);
		cr_expect_str_eq(x->group, c->group, "%s", c->name);
		cr_expect_eq(x->gid, 0, "%s: root's gid", c->name);
		/* The settings carry them, so a reload re-applies them over arxdp.conf. */
		cr_expect_str_eq(flag_value(f, "wazuh-home") ?: "", c->home, "%s", c->name);
		cr_expect_str_eq(flag_value(f, "ossec-conf") ?: "", c->ossec_conf, "%s", c->name);
	}
	while (argc > 0)
		free(argv[--argc]);
	free(obuf);
	free(ebuf);
	free(f);
	free(x);
}

/* ---- the com socket's framing ---- */

struct parse_case {
	char name[40];
	char buf[16];
	size_t len;
	int err;
	char payload[16]; /* empty: not looked at */
};

/* clang-format off */
static struct parse_case parse_cases[] = {
	{ "whole", "\x09\0\0\0getconfig", 13, 0, "getconfig" },
	{ "trailing bytes are the next frame's", "\x03\0\0\0abcdef", 10, 0, "abc" },
	{ "header only", "\x09\0\0\0", 4, -EAGAIN, "" },
	{ "half a header", "\x09\0", 2, -EAGAIN, "" },
	{ "nothing", "", 0, -EAGAIN, "" },
	{ "short payload", "\x09\0\0\0getcon", 10, -EAGAIN, "" },
	/* Little-endian: 0x00000100 is 256 bytes, not 1 << 24. */
	{ "little-endian length", "\0\x01\0\0x", 5, -EAGAIN, "" },
	{ "empty frame", "\0\0\0\0", 4, -ENODATA, "" },
	{ "largest", "\0\0\x01\0", 4, -EAGAIN, "" },
	{ "over OS_MAXSTR", "\x01\0\x01\0", 4, -EMSGSIZE, "" },
	{ "huge", "\xff\xff\xff\xff", 4, -EMSGSIZE, "" },
};
/* clang-format on */

ParameterizedTestParameters(execd, parse)
{
	return cr_make_param_array(struct parse_case, parse_cases, ARRAY_SIZE(parse_cases));
}

ParameterizedTest(struct parse_case *c, execd, parse)
{
	const char *p = NULL;
	size_t n = 0;
	int r = execd_com_parse(c->buf, c->len, &p, &n);

	cr_assert_eq(r, c->err, "%s: %d, want %d", c->name, r, c->err);
	if (c->payload[0]) {
		cr_assert_eq(n, strlen(c->payload), "%s", c->name);
		cr_expect(!memcmp(p, c->payload, n), "%s", c->name);
	}
}

Test(execd, frame_round_trip)
{
	static const size_t lens[] = { 1, 3, 255, 256, 65535, EXECD_COM_MAX };
	char *msg = malloc(EXECD_COM_MAX), *out;
	const char *p;
	size_t i, n, olen;

	cr_assert(msg);
	for (i = 0; i < EXECD_COM_MAX; i++)
		msg[i] = (char)('a' + i % 26);
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		cr_assert_eq(execd_com_frame(msg, lens[i], &out, &olen), 0);
		cr_assert_eq(olen, lens[i] + 4);
		cr_expect_eq((unsigned char)out[0], lens[i] & 0xff, "%zu", lens[i]);
		cr_expect_eq((unsigned char)out[1], (lens[i] >> 8) & 0xff, "%zu", lens[i]);
		cr_assert_eq(execd_com_parse(out, olen, &p, &n), 0, "%zu", lens[i]);
		cr_expect_eq(n, lens[i]);
		cr_expect(!memcmp(p, msg, n));
		/* One byte short is never a whole frame. */
		cr_expect_eq(execd_com_parse(out, olen - 1, &p, &n), -EAGAIN, "%zu", lens[i]);
		free(out);
	}
	free(msg);
}

struct feed_case {
	char name[32];
	char pieces[3][40];
	size_t lens[3];
	bool eof;
	int err;
	char want[32]; /* empty: not looked at */
};

/* clang-format off */
static struct feed_case feed_cases[] = {
	{ "one write", { "\x19\0\0\0getconfig active-response" }, { 29 }, false, 0,
	  "getconfig active-response" },
	{ "header split", { "\x12\0", "\0\0getconfig internal" }, { 2, 22 }, false, 0,
	  "getconfig internal" },
	{ "payload split", { "\x09\0\0\0get", "config" }, { 7, 6 }, false, 0, "getconfig" },
	{ "EOF mid-frame", { "\x09\0\0\0get" }, { 7 }, true, -ENODATA, "" },
	{ "EOF before anything", { "" }, { 0 }, true, -ENODATA, "" },
	{ "empty frame", { "\0\0\0\0" }, { 4 }, false, -ENODATA, "" },
	{ "oversized length", { "\xff\xff\0\x10" }, { 4 }, false, -EMSGSIZE, "" },
	{ "not yet", { "\x09\0\0\0get" }, { 7 }, false, -EAGAIN, "" },
};
/* clang-format on */

ParameterizedTestParameters(execd, feed)
{
	return cr_make_param_array(struct feed_case, feed_cases, ARRAY_SIZE(feed_cases));
}

ParameterizedTest(struct feed_case *c, execd, feed)
{
	struct ctl_conn conn;
	int sv[2], i, r = -EAGAIN;

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	cr_assert_eq(ctl_conn_init(&conn, sv[0], mono_now_ns(), 2000), 0);
	/* Fed after every piece, as the loop does on each EPOLLIN. */
	for (i = 0; i < 3 && c->lens[i]; i++) {
		cr_assert_eq(write_all(sv[1], c->pieces[i], c->lens[i]), 0);
		r = execd_com_feed(&conn);
		if (r != -EAGAIN)
			break;
	}
	if (c->eof) {
		close(sv[1]);
		sv[1] = -1;
		r = execd_com_feed(&conn);
	}
	cr_assert_eq(r, c->err, "%s: %d, want %d", c->name, r, c->err);
	if (c->want[0])
		cr_expect_str_eq(conn.buf, c->want, "%s", c->name);
	ctl_conn_close(&conn);
	if (sv[1] >= 0)
		close(sv[1]);
}

/* ---- the answers ---- */

struct answer_case {
	char name[40];
	char ossec[160]; /* ossec.conf the daemon runs with and the check reads */
	char local_internal[64]; /* empty: none */
	char req[40];
	char want[100];
};

/* clang-format off */
static struct answer_case answer_cases[] = {
	{ "active-response", CONF_ESC, "", "getconfig active-response",
	  "ok {\"active-response\":{\"disabled\":\"no\",\"repeated_offenders\":[2,10,60]}}" },
	{ "active-response, execd off", CONF_OFF, "", "getconfig active-response",
	  "ok {\"active-response\":{\"disabled\":\"yes\"}}" },
	/* ExecdConfig: OS_StrBreak(',', v, 5) pieces, an empty (or blank) one skipped. */
	{ "offenders, an empty piece skipped", CONF_RO("1,,5"), "", "getconfig active-response",
	  "ok {\"active-response\":{\"disabled\":\"no\",\"repeated_offenders\":[1,5]}}" },
	{ "offenders, a blank piece skipped", CONF_RO("1, \t,5"), "", "getconfig active-response",
	  "ok {\"active-response\":{\"disabled\":\"no\",\"repeated_offenders\":[1,5]}}" },
	{ "offenders, empty pieces count in 5", CONF_RO("1,,2,3,4,5"), "",
	  "getconfig active-response",
	  "ok {\"active-response\":{\"disabled\":\"no\",\"repeated_offenders\":[1,2,3,4]}}" },
	{ "offenders, the 5th piece the rest", CONF_RO("1,2,3,4,5,6"), "",
	  "getconfig active-response",
	  "ok {\"active-response\":{\"disabled\":\"no\",\"repeated_offenders\":[1,2,3,4,5]}}" },
	{ "offenders, a 0 ends them", CONF_RO("7,0,9"), "", "getconfig active-response",
	  "ok {\"active-response\":{\"disabled\":\"no\",\"repeated_offenders\":[7]}}" },
	/* wcom.c's globals: request_timeout is never set, max_restart_lock by lock_restart only. */
	{ "internal, before any lock_restart", CONF_ESC, "", "getconfig internal",
	  "ok {\"internal\":{\"execd\":{\"request_timeout\":0,\"max_restart_lock\":0}}}" },
	{ "internal, options files not read", CONF_ESC,
	  "execd.request_timeout=15\nexecd.max_restart_lock=30\n", "getconfig internal",
	  "ok {\"internal\":{\"execd\":{\"request_timeout\":0,\"max_restart_lock\":0}}}" },
	{ "lock_restart without a time", CONF_ESC, "", "lock_restart", "err Invalid timeout" },
	{ "lock_restart below -1", CONF_ESC, "", "lock_restart -2", "err Invalid timeout" },
	{ "lock_restart -1", CONF_ESC, "", "lock_restart -1", "ok " },
	{ "lock_restart past the maximum", CONF_ESC, "", "lock_restart 9999", "ok " },
	{ "check ok", CONF_ESC, "", "check-manager-configuration",
	  "{\"error\":0,\"message\":\"ok\"}" },
	{ "getconfig alone", CONF_ESC, "", "getconfig",
	  "err WCOM getconfig needs arguments" },
	{ "unknown section", CONF_ESC, "", "getconfig logging",
	  "err Could not get requested section" },
	{ "cluster, clusterd not running", CONF_ESC, "", "getconfig cluster",
	  "err Unable to connect with socket. The component might be disabled" },
	{ "unknown command", CONF_ESC, "", "frobnicate", "err Unrecognized command" },
	{ "a command not taken here", CONF_ESC, "", "unmerge x",
	  "err Unrecognized command" },
	{ "prefix of a command", CONF_ESC, "", "getconfigs active-response",
	  "err Unrecognized command" },
	{ "empty", CONF_ESC, "", "", "err Unrecognized command" },
};
/* clang-format on */

ParameterizedTestParameters(execd, answer)
{
	return cr_make_param_array(struct answer_case, answer_cases, ARRAY_SIZE(answer_cases));
}

ParameterizedTest(struct answer_case *c, execd, answer)
{
	char dir[64], etc[PATH_MAX], *a;
	struct daemon *d;

	tu_mkdtemp(dir, sizeof(dir), "execd");
	snprintf(etc, sizeof(etc), "%s/etc", dir);
	cr_assert_eq(mkdir(etc, 0755), 0);
	put(etc, "internal_options.conf", "execd.request_timeout=60\nexecd.max_restart_lock=600\n");
	if (c->local_internal[0])
		put(etc, "local_internal_options.conf", c->local_internal);
	d = daemon_over(dir, c->ossec);
	a = execd_com_answer(d, c->req);
	cr_assert(a, "%s", c->name);
	cr_expect_str_eq(a, c->want, "%s", c->name);
	free(a);
	config_free_ossec(d->r.cfg);
	free(d); /* the fixture: d is its first member */
	tu_rm_rf(dir);
}

Test(execd, check_names_file_and_line)
{
	char dir[64], *a;
	struct daemon *d;

	tu_mkdtemp(dir, sizeof(dir), "execd");
	d = daemon_over(dir, CONF_BAD);
	a = execd_com_answer(d, "check-manager-configuration");
	cr_assert(a);
	cr_expect(strstr(a, "\"error\":1"), "%s", a);
	cr_expect(strstr(a, "ossec.conf' line 3"), "%s", a);
	cr_expect(strstr(a, "(1235)"), "%s", a);
	free(a);
	config_free_ossec(d->r.cfg);
	free(d); /* the fixture: d is its first member */
	tu_rm_rf(dir);
}

/* With clusterd's socket listening, execd would relay its answer: here its failure text. */
Test(execd, cluster_running)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[64], sub[PATH_MAX], *a;
	struct daemon *d;
	int fd;

	tu_mkdtemp(dir, sizeof(dir), "execd");
	snprintf(sub, sizeof(sub), "%s/queue", dir);
	cr_assert_eq(mkdir(sub, 0755), 0);
	strcat(sub, "/cluster");
	cr_assert_eq(mkdir(sub, 0755), 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/c-internal.sock", sub);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert(fd >= 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(fd, 4), 0);
	d = daemon_over(dir, CONF_ESC);
	a = execd_com_answer(d, "getconfig cluster");
	cr_assert(a);
	cr_expect_str_eq(a, "err Could not get requested section");
	free(a);
	close(fd);
	config_free_ossec(d->r.cfg);
	free(d);
	tu_rm_rf(dir);
}
