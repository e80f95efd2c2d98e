// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the wazuh-execd mode's tables: which starts are execd starts, the home
 * from a program path, execd's command line into the daemon's options and settings flags, the
 * com socket's framing (parsed, built, and fed over a real socketpair in pieces), the answers
 * to the com requests over a real ossec.conf and internal options, and the pid file in a
 * private fake home (mode, content, a stale file of our pid, other pids' files, unsafe dirs).
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

static void put(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

struct answer_case {
	char name[40];
	char ossec[160]; /* ossec.conf the daemon runs with and the check reads */
	char local_internal[64]; /* empty: none */
	char req[40];
	char want[100];
};

#define CONF_ESC                                                                           \
	"<ossec_config><active-response><repeated_offenders>2, 10,60</repeated_offenders>" \
	"</active-response></ossec_config>"
#define CONF_RO(v)                                                                      \
	"<ossec_config><active-response><repeated_offenders>" v "</repeated_offenders>" \
	"</active-response></ossec_config>"
#define CONF_OFF                                                                    \
	"<ossec_config><active-response><disabled>yes</disabled></active-response>" \
	"</ossec_config>"
#define CONF_BAD                                                                            \
	"<ossec_config>\n<active-response>\n<disabled>maybe</disabled>\n</active-response>" \
	"</ossec_config>"

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

/* A daemon over a fake home, with the strings its options point at. */
struct fixture {
	struct daemon d;
	char home[64], ossec[PATH_MAX], arxdp[PATH_MAX];
};

static struct daemon *daemon_over(const char *home, const char *ossec)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char err[CONFIG_ERR_MAX];
	struct daemon *d = &fx->d;

	cr_assert(fx);
	put(home, "ossec.conf", ossec);
	put(home, "arxdp.conf", "<arxdp></arxdp>\n");
	str_copy(fx->home, home, sizeof(fx->home));
	snprintf(fx->ossec, sizeof(fx->ossec), "%s/ossec.conf", home);
	snprintf(fx->arxdp, sizeof(fx->arxdp), "%s/arxdp.conf", home);
	d->o.config = fx->arxdp;
	settings_defaults(&d->s);
	str_copy(d->s.wazuh_home, home, sizeof(d->s.wazuh_home));
	settings_flags_add(&d->flags, settings_find_flag("wazuh-home"), fx->home);
	settings_flags_add(&d->flags, settings_find_flag("ossec-conf"), fx->ossec);
	/* A broken file is what the check must find; the daemon runs on a good one. */
	if (config_load_ossec(&d->r.cfg, fx->ossec, err, sizeof(err)))
		cr_assert_eq(config_parse_ossec(&d->r.cfg, "good", CONF_ESC, strlen(CONF_ESC), err,
						sizeof(err)),
			     0, "%s", err);
	return d;
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

/* ---- lock_restart and restart ---- */

#define STEPS 4

struct com_step {
	char req[40];
	char want[100];
};

struct lock_case {
	char name[56];
	char local_internal[64]; /* empty: none */
	struct com_step steps[STEPS]; /* up to the first empty req */
};

#define INTERNAL(n) \
	"ok {\"internal\":{\"execd\":{\"request_timeout\":0,\"max_restart_lock\":" #n "}}}"

/* clang-format off */
static struct lock_case lock_cases[] = {
	{ "lock_restart reads the maximum that getconfig then shows", "",
	  { { "lock_restart -1", "ok " }, { "getconfig internal", INTERNAL(600) } } },
	{ "the local options file wins", "execd.max_restart_lock=30\n",
	  { { "lock_restart 5", "ok " }, { "getconfig internal", INTERNAL(30) } } },
	{ "an invalid time still reads it", "execd.max_restart_lock=45\n",
	  { { "lock_restart -7", "err Invalid timeout" }, { "getconfig internal", INTERNAL(45) } } },
	{ "out of getDefine_Int's range: the default", "execd.max_restart_lock=4000\n",
	  { { "lock_restart 1", "ok " }, { "getconfig internal", INTERNAL(600) } } },
};
/* clang-format on */

ParameterizedTestParameters(execd, lock_restart)
{
	return cr_make_param_array(struct lock_case, lock_cases, ARRAY_SIZE(lock_cases));
}

static void fake_home(char *dir, size_t size, const char *local_internal)
{
	char etc[PATH_MAX];

	tu_mkdtemp(dir, size, "execd");
	snprintf(etc, sizeof(etc), "%s/etc", dir);
	cr_assert_eq(mkdir(etc, 0755), 0);
	put(etc, "internal_options.conf", "execd.request_timeout=60\nexecd.max_restart_lock=600\n");
	if (local_internal && local_internal[0])
		put(etc, "local_internal_options.conf", local_internal);
}

ParameterizedTest(struct lock_case *c, execd, lock_restart)
{
	char dir[64], *a;
	struct daemon *d;
	int i;

	fake_home(dir, sizeof(dir), c->local_internal);
	d = daemon_over(dir, CONF_ESC);
	for (i = 0; i < STEPS && c->steps[i].req[0]; i++) {
		a = execd_com_answer(d, c->steps[i].req);
		cr_assert(a, "%s: %s", c->name, c->steps[i].req);
		cr_expect_str_eq(a, c->steps[i].want, "%s: %s", c->name, c->steps[i].req);
		free(a);
	}
	config_free_ossec(d->r.cfg);
	free(d);
	tu_rm_rf(dir);
}

struct restart_case {
	char name[56];
	bool restart_sh; /* active-response/bin/restart.sh exists; else bin/wazuh-control */
	char agent_id[8];
	bool runner; /* the daemon has its runner (it always has one when running) */
	struct com_step steps[STEPS]; /* sent in order before the restart request */
	char req[16];
	char want[24];
	char ran[16]; /* the argument the program got; "" = nothing may run */
};

/* clang-format off */
static struct restart_case restart_cases[] = {
	{ "manager: restart.sh manager", true, "000", true, {}, "restart", "ok ", "manager" },
	{ "agent: restart.sh agent", true, "001", true, {}, "restart", "ok ", "agent" },
	{ "restart-wazuh is the same request", true, "000", true, {}, "restart-wazuh", "ok ",
	  "manager" },
	{ "without restart.sh: wazuh-control restart", false, "000", true, {}, "restart", "ok ",
	  "restart" },
	{ "locked: ok, and nothing runs", true, "000", true, { { "lock_restart 30", "ok " } },
	  "restart", "ok ", "" },
	{ "locked for the maximum", true, "000", true, { { "lock_restart -1", "ok " } },
	  "restart", "ok ", "" },
	{ "an invalid lock_restart lifts the lock", true, "000", true,
	  { { "lock_restart 30", "ok " }, { "lock_restart -2", "err Invalid timeout" } },
	  "restart", "ok ", "manager" },
	{ "a lock of 0 is none", true, "000", true, { { "lock_restart 0", "ok " } },
	  "restart", "ok ", "manager" },
	{ "no fork: execd's error", true, "000", false, {}, "restart", "err Cannot fork", "" },
};
/* clang-format on */

ParameterizedTestParameters(execd, restart)
{
	return cr_make_param_array(struct restart_case, restart_cases, ARRAY_SIZE(restart_cases));
}

ParameterizedTest(struct restart_case *c, execd, restart)
{
	char dir[64], sub[PATH_MAX], script[PATH_MAX + 64], ran[PATH_MAX], got[32] = "", *a;
	struct runner_env env = {};
	struct runner *r = NULL;
	struct daemon *d;
	int i, status;
	FILE *f;

	fake_home(dir, sizeof(dir), NULL);
	snprintf(ran, sizeof(ran), "%s/ran", dir);
	snprintf(sub, sizeof(sub), "%s/%s", dir, c->restart_sh ? "active-response" : "bin");
	cr_assert_eq(mkdir(sub, 0755), 0);
	if (c->restart_sh) {
		strcat(sub, "/bin");
		cr_assert_eq(mkdir(sub, 0755), 0);
	}
	snprintf(script, sizeof(script), "#!/bin/sh\necho \"$1\" > '%s'\n", ran);
	put(sub, c->restart_sh ? "restart.sh" : "wazuh-control", script);
	strcat(sub, c->restart_sh ? "/restart.sh" : "/wazuh-control");
	cr_assert_eq(chmod(sub, 0755), 0);
	d = daemon_over(dir, CONF_ESC);
	str_copy(d->s.agent_id, c->agent_id, sizeof(d->s.agent_id));
	env.home = d->s.wazuh_home;
	if (c->runner) {
		cr_assert_eq(runner_new(&r, &env, -1), 0);
		d->runner = r;
	}
	for (i = 0; i < STEPS && c->steps[i].req[0]; i++) {
		a = execd_com_answer(d, c->steps[i].req);
		cr_assert(a);
		cr_expect_str_eq(a, c->steps[i].want, "%s: %s", c->name, c->steps[i].req);
		free(a);
	}
	a = execd_com_answer(d, c->req);
	cr_assert(a, "%s", c->name);
	cr_expect_str_eq(a, c->want, "%s", c->name);
	free(a);
	if (c->ran[0]) {
		/* The only child of this process: the program, left running by the answer. */
		cr_assert_gt(waitpid(-1, &status, 0), 0, "%s: nothing was started", c->name);
		cr_expect(WIFEXITED(status) && !WEXITSTATUS(status), "%s", c->name);
		f = fopen(ran, "r");
		cr_assert(f, "%s: the program did not run", c->name);
		cr_assert(fgets(got, sizeof(got), f));
		fclose(f);
		got[strcspn(got, "\n")] = '\0';
		cr_expect_str_eq(got, c->ran, "%s", c->name);
	} else {
		cr_expect_eq(waitpid(-1, &status, WNOHANG), -1, "%s: something was started",
			     c->name);
		cr_expect_eq(errno, ECHILD, "%s", c->name);
	}
	runner_free(r);
	config_free_ossec(d->r.cfg);
	free(d);
	tu_rm_rf(dir);
}

/* ---- the pid file ---- */

struct pid_case {
	char name[48];
	mode_t run_mode; /* var/run's mode; 0: var/run is a symbolic link to a private dir */
	bool stale_own; /* a file already named after our pid */
	int err;
};

static struct pid_case pid_cases[] = {
	{ "Wazuh's 0770 var/run", 0770, false, 0 },
	{ "0700", 0700, false, 0 },
	{ "a stale file of our pid is replaced", 0770, true, 0 },
	{ "world-writable var/run", 0777, false, -EPERM },
	{ "var/run a symbolic link", 0, false, -ENOTDIR },
};

ParameterizedTestParameters(execd, pidfile)
{
	return cr_make_param_array(struct pid_case, pid_cases, ARRAY_SIZE(pid_cases));
}

ParameterizedTest(struct pid_case *c, execd, pidfile)
{
	char dir[64], p[PATH_MAX], other[PATH_MAX], run[256], buf[32] = "";
	struct execd x = { .comfd = -1 };
	struct stat st;
	int fd, err;

	tu_mkdtemp(dir, sizeof(dir), "execd");
	snprintf(p, sizeof(p), "%s/var", dir);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(run, sizeof(run), "%s/var/run", dir);
	if (c->run_mode) {
		cr_assert_eq(mkdir(run, c->run_mode), 0);
		cr_assert_eq(chmod(run, c->run_mode), 0);
	} else {
		snprintf(p, sizeof(p), "%s/elsewhere", dir);
		cr_assert_eq(mkdir(p, 0700), 0);
		cr_assert_eq(symlink(p, run), 0);
	}
	if (c->run_mode) {
		/* Another execd's: never ours to touch. */
		snprintf(other, sizeof(other), "%s/wazuh-execd-%d.pid", run, (int)getpid() + 1);
		put(run, strrchr(other, '/') + 1, "x\n");
	}
	if (c->stale_own) {
		snprintf(p, sizeof(p), "wazuh-execd-%d.pid", (int)getpid());
		put(run, p, "1\n2\n");
	}
	err = execd_pidfile_create(&x, dir, getpid());
	if (err)
		tu_rm_rf(dir);
	cr_assert_eq(err, c->err, "%s: %d, want %d", c->name, err, c->err);
	if (err)
		return;
	snprintf(p, sizeof(p), "%s/wazuh-execd-%d.pid", run, (int)getpid());
	cr_expect_str_eq(x.pid_path, p, "%s", c->name);
	cr_assert_eq(lstat(p, &st), 0, "%s", c->name);
	cr_expect(S_ISREG(st.st_mode));
	cr_expect_eq(st.st_mode & 07777, 0640, "%s: mode %o", c->name, st.st_mode & 07777);
	fd = open(p, O_RDONLY);
	cr_assert_geq(fd, 0);
	cr_assert_gt(read(fd, buf, sizeof(buf) - 1), 0);
	close(fd);
	snprintf(p, sizeof(p), "%d\n", (int)getpid());
	cr_expect_str_eq(buf, p, "%s: content", c->name);
	execd_pidfile_remove(&x);
	snprintf(p, sizeof(p), "%s/wazuh-execd-%d.pid", run, (int)getpid());
	cr_expect_neq(access(p, F_OK), 0, "%s: removed", c->name);
	cr_expect_eq(access(other, F_OK), 0, "%s: the other pid's file stays", c->name);
	tu_rm_rf(dir);
}

/* ---- the com socket ---- */

enum com_before { COM_NONE, COM_STALE, COM_LIVE };

struct listen_case {
	char name[48];
	enum com_before before;
	mode_t dir_mode;
	int err;
};

static struct listen_case listen_cases[] = {
	{ "fresh", COM_NONE, 0770, 0 },
	{ "a stale name is taken over", COM_STALE, 0770, 0 },
	{ "a live execd answers: refused", COM_LIVE, 0770, -EBUSY },
	{ "world-writable queue/sockets", COM_NONE, 0777, -EPERM },
};

ParameterizedTestParameters(execd, com_listen)
{
	return cr_make_param_array(struct listen_case, listen_cases, ARRAY_SIZE(listen_cases));
}

static int bind_at(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	cr_assert_geq(fd, 0);
	str_copy(sa.sun_path, path, sizeof(sa.sun_path));
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0, "%s", strerror(errno));
	cr_assert_eq(listen(fd, 1), 0);
	return fd;
}

ParameterizedTest(struct listen_case *c, execd, com_listen)
{
	/* Not root's group: the socket's group must come from -g, not from the process. */
	struct execd x = { .comfd = -1, .gid = 65534 };
	char dir[64], p[256], com[300];
	struct stat st;
	int live = -1, err;

	tu_mkdtemp(dir, sizeof(dir), "execd");
	snprintf(p, sizeof(p), "%s/queue", dir);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/queue/sockets", dir);
	cr_assert_eq(mkdir(p, c->dir_mode), 0);
	cr_assert_eq(chmod(p, c->dir_mode), 0);
	snprintf(com, sizeof(com), "%s/com", p);
	if (c->before != COM_NONE)
		live = bind_at(com);
	if (c->before == COM_STALE) {
		close(live); /* the name stays, nobody answers */
		live = -1;
	}
	err = execd_com_listen(&x, dir);
	cr_expect_eq(err, c->err, "%s: %d, want %d", c->name, err, c->err);
	if (!err) {
		cr_expect_str_eq(x.com_path, com, "%s", c->name);
		cr_expect_geq(x.comfd, 0);
		cr_assert_eq(lstat(com, &st), 0);
		cr_expect(S_ISSOCK(st.st_mode));
		cr_expect_eq(st.st_mode & 0777, 0660, "%s: mode %o", c->name, st.st_mode & 0777);
		cr_expect_eq(st.st_gid, x.gid);
		execd_com_close(&x);
		cr_expect_neq(access(com, F_OK), 0, "%s: removed on close", c->name);
	} else if (c->before == COM_LIVE) {
		cr_expect_eq(access(com, F_OK), 0, "%s: the live socket stays", c->name);
	}
	if (live >= 0)
		close(live);
	tu_rm_rf(dir);
}
