// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the tests of `arxdp replay` and `arxdp check-config` (user/lib/replay.c):
 * golden outputs over the fixture alerts, read plain, from stdin and from multi-member gzip
 * archives, and the error paths (unreadable input, broken configuration, bad lines).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include "alert.h"
#include "log.h"
#include "replay.h"

#define DIR "tests/data/replay/"
/* argv arrays end with NULL, as main's do. */
#define ARGC(v) ((int)(sizeof(v) / sizeof((v)[0])) - 1)

static char logbuf[16384];

static void capture(enum log_level level, const char *msg, void *ctx)
{
	(void)level;
	(void)ctx;
	strncat(logbuf, msg, sizeof(logbuf) - strlen(logbuf) - 2);
	strcat(logbuf, "\n");
}

static void setup(void)
{
	logbuf[0] = '\0';
	log_set_sink(capture, NULL);
}

TestSuite(replay, .init = setup);

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	cr_assert_not_null(f, "open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

/* Runs fn with stdout sent to a temporary file; returns its result, output in *out. */
static int run_captured(int (*fn)(int, char **), int argc, char **argv, char **out)
{
	char path[] = "/tmp/arxdp-replay-XXXXXX";
	int fd = mkstemp(path), saved, ret;

	cr_assert_geq(fd, 0);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fd, STDOUT_FILENO);
	ret = fn(argc, argv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(fd);
	*out = slurp(path, NULL);
	unlink(path);
	return ret;
}

static void expect_golden(const char *out, const char *golden)
{
	char *want = slurp(golden, NULL);

	cr_expect_str_eq(out, want, "output differs from %s", golden);
	free(want);
}

#define BASE_ARGS                                                                          \
	"replay", "--ossec-conf", DIR "ossec.conf", "--config", DIR "arxdp.conf", "--own", \
		"192.0.2.1"

static void expect_bad_lines_reported(void)
{
	cr_expect(strstr(logbuf, "alerts.jsonl' line 10: not JSON: parse error at byte 0: line "
				 "skipped") != NULL,
		  "%s", logbuf);
	cr_expect(strstr(logbuf, "line 23: missing or non-numeric string 'rule.id': line "
				 "skipped") != NULL,
		  "%s", logbuf);
}

Test(replay, golden_json)
{
	char *argv[] = { BASE_ARGS, "--json", DIR "alerts.jsonl", NULL }, *out;

	cr_assert_eq(run_captured(cmd_replay, ARGC(argv), argv, &out), 0, "%s", logbuf);
	expect_golden(out, DIR "alerts.json.golden");
	expect_bad_lines_reported();
	free(out);
}

Test(replay, golden_table)
{
	char *argv[] = { BASE_ARGS, DIR "alerts.jsonl", NULL }, *out;

	cr_assert_eq(run_captured(cmd_replay, ARGC(argv), argv, &out), 0, "%s", logbuf);
	expect_golden(out, DIR "alerts.txt.golden");
	free(out);
}

Test(replay, stdin)
{
	char *argv[] = { BASE_ARGS, "-", "--json", NULL }, *out;
	int fd = open(DIR "alerts.jsonl", O_RDONLY);

	cr_assert_geq(fd, 0);
	dup2(fd, STDIN_FILENO);
	close(fd);
	cr_assert_eq(run_captured(cmd_replay, ARGC(argv), argv, &out), 0, "%s", logbuf);
	expect_golden(out, DIR "alerts.json.golden");
	free(out);
}

/* A rotated archive: several gzip members (gzopen "ab" adds one per open), as zcat reads. */
Test(replay, gzip_multi_member)
{
	char path[] = "/tmp/arxdp-alerts-XXXXXX.json.gz",
	     *argv[] = { BASE_ARGS, "--json", path, NULL };
	size_t len, half;
	char *in = slurp(DIR "alerts.jsonl", &len), *out;
	gzFile gz;
	int fd = mkstemps(path, 8);

	cr_assert_geq(fd, 0);
	close(fd);
	/* split in the middle of a line: members need not end on a line boundary */
	half = len / 2;
	gz = gzopen(path, "wb");
	cr_assert_not_null(gz);
	cr_assert_eq(gzwrite(gz, in, (unsigned int)half), (int)half);
	gzclose(gz);
	gz = gzopen(path, "ab");
	cr_assert_not_null(gz);
	cr_assert_eq(gzwrite(gz, in + half, (unsigned int)(len - half)), (int)(len - half));
	gzclose(gz);
	cr_assert_eq(run_captured(cmd_replay, ARGC(argv), argv, &out), 0, "%s", logbuf);
	expect_golden(out, DIR "alerts.json.golden");
	free(out);
	free(in);
	unlink(path);
}

Test(replay, truncated_gzip_is_an_error)
{
	char path[] = "/tmp/arxdp-trunc-XXXXXX", *argv[] = { BASE_ARGS, "--json", path, NULL };
	char *in = slurp(DIR "alerts.jsonl", NULL), *out, *gzdata;
	size_t glen;
	gzFile gz;
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	close(fd);
	gz = gzopen(path, "wb");
	gzwrite(gz, in, (unsigned int)strlen(in));
	gzclose(gz);
	gzdata = slurp(path, &glen);
	fd = open(path, O_WRONLY | O_TRUNC);
	cr_assert_eq(write(fd, gzdata, glen / 2), (ssize_t)(glen / 2));
	close(fd);
	cr_expect_eq(run_captured(cmd_replay, ARGC(argv), argv, &out), -EIO);
	cr_expect(strstr(logbuf, "read failed") != NULL, "%s", logbuf);
	free(out);
	free(gzdata);
	free(in);
	unlink(path);
}

Test(replay, unreadable_input_still_reads_the_rest)
{
	char *argv[] = { BASE_ARGS, "--json", DIR "no-such-file.json", DIR "alerts.jsonl", NULL };
	char *out;

	cr_expect_eq(run_captured(cmd_replay, ARGC(argv), argv, &out), -ENOENT);
	cr_expect(strstr(logbuf, "alerts '" DIR "no-such-file.json': cannot open: No such file or "
				 "directory") != NULL,
		  "%s", logbuf);
	expect_golden(out, DIR "alerts.json.golden");
	free(out);
}

Test(replay, long_line_then_more)
{
	char path[] = "/tmp/arxdp-long-XXXXXX", *argv[] = { BASE_ARGS, "--json", path, NULL }, *out;
	FILE *f;
	int fd = mkstemp(path), i;

	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	fputs("{\"rule\":{\"id\":\"1\",\"level\":3},\"id\":\"1.1\",\"full_log\":\"", f);
	for (i = 0; i < ALERT_LINE_MAX + 10; i++)
		fputc('x', f);
	fputs("\"}\n", f);
	fputs("{\"rule\":{\"id\":\"5712\",\"level\":10,\"groups\":[\"sshd\"]},\"id\":\"2.2\","
	      "\"data\":{\"srcip\":\"198.51.100.200\"}}\n",
	      f);
	fclose(f);
	cr_assert_eq(run_captured(cmd_replay, ARGC(argv), argv, &out), 0, "%s", logbuf);
	cr_expect(strstr(logbuf, "line 1: line longer than 65536 bytes: line skipped") != NULL,
		  "%s", logbuf);
	cr_expect(strstr(out, "{\"alert_id\":\"2.2\",\"rule_id\":\"5712\",\"command\":"
			      "\"firewall-drop\",\"ar\":\"firewall-drop600\",\"action\":\"block\","
			      "\"addr\":\"198.51.100.200\",\"timeout\":600,") == out,
		  "%s", out);
	free(out);
	unlink(path);
}

struct usage_case {
	char args[4][48];
	int argc;
	int ret;
};

ParameterizedTestParameters(replay, usage)
{
	static struct usage_case cases[] = {
		{ { "replay", "--help" }, 2, 0 },
		{ { "replay" }, 1, -EINVAL },
		{ { "replay", "--bogus", "x" }, 3, -EINVAL },
		{ { "replay", "--own", "not-an-ip", "x" }, 4, -EINVAL },
		{ { "replay", "--ossec-conf", DIR "missing.conf", "x" }, 4, -ENOENT },
		{ { "check-config", "--help" }, 2, 0 },
		{ { "check-config", "--json" }, 2, -EINVAL },
		{ { "check-config", "extra" }, 2, -EINVAL },
	};

	return cr_make_param_array(struct usage_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct usage_case *c, replay, usage)
{
	char *argv[5] = { 0 }, *out;
	int i;

	for (i = 0; i < c->argc; i++)
		argv[i] = c->args[i];
	cr_expect_eq(run_captured(strcmp(argv[0], "replay") ? cmd_check_config : cmd_replay,
				  c->argc, argv, &out),
		     c->ret, "%s %s: %s", argv[0], argv[1] ? argv[1] : "", logbuf);
	if (c->ret == 0)
		cr_expect(strstr(out, "Usage: arxdp ") == out, "%s", out);
	free(out);
}

Test(replay, check_config_table)
{
	char *argv[] = { "check-config", "--ossec-conf",   "tests/data/conf/ossec-manager.conf",
			 "--config",	 DIR "arxdp.conf", NULL };
	char *out;

	cr_assert_eq(run_captured(cmd_check_config, ARGC(argv), argv, &out), 0, "%s", logbuf);
	cr_expect(strstr(out, "\nfirewall-drop180 - firewall-drop - 180 ") != NULL, "%s", out);
	cr_expect(strstr(out, "\nhost-deny1 - host-deny - 1 ") != NULL, "%s", out);
	cr_expect(strstr(out, "# fast-path, location 'server' runs here, line 74\n") != NULL, "%s",
		  out);
	cr_expect(strstr(out, "# script, location 'defined-agent' runs agents, line 83\n") != NULL,
		  "%s", out);
	free(out);
}

Test(replay, check_config_quirks)
{
	char *argv[] = { "check-config", "--ossec-conf",   "tests/data/conf/valid/quirks.conf",
			 "--config",	 DIR "arxdp.conf", NULL };
	char *out;

	cr_assert_eq(run_captured(cmd_check_config, ARGC(argv), argv, &out), 0, "%s", logbuf);
	cr_expect(strstr(out, "\nfirewall-drop-5 - firewall-drop - -5 ") != NULL, "%s", out);
	cr_expect(strstr(out, "# repeated_offenders: 1m 5m 10m 20m 30m\n") != NULL, "%s", out);
	/* its disabled block is the fourth of its root: invisible to execd, not the last */
	cr_expect(strstr(logbuf, "1350") == NULL, "%s", logbuf);
	cr_expect(strstr(logbuf, "ar_flag") == NULL, "%s", logbuf);
	free(out);
}

struct disabled_warning {
	char conf[48];
	char warning[200];
	char absent[16]; /* a warning that must not be given */
};

ParameterizedTestParameters(replay, check_config_disabled)
{
	static struct disabled_warning cases[] = {
		{ "conf/valid/execd-off.conf",
		  "execd-off.conf' line 15: <disabled>yes</disabled> in the first <active-response> "
		  "of its <ossec_config> turns wazuh-execd off on this host (1350)",
		  "ar_flag" },
		{ "conf/valid/disabled-last.conf",
		  "disabled-last.conf': a <disabled>yes</disabled> block after the last enabled one "
		  "resets analysisd's queues (ar_flag): Wazuh sends no active response at all",
		  "1350" },
		/* the disabled block is followed by a server block only: no agent queue */
		{ "replay/ossec-disabled-later.conf",
		  "(ar_flag): Wazuh sends no response to agents (local, defined-agent, all)",
		  "1350" },
	};

	return cr_make_param_array(struct disabled_warning, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct disabled_warning *c, replay, check_config_disabled)
{
	char path[80], *argv[] = { "check-config", "--ossec-conf",   path,
				   "--config",	   DIR "arxdp.conf", NULL };
	char *out;

	snprintf(path, sizeof(path), "tests/data/%s", c->conf);
	cr_assert_eq(run_captured(cmd_check_config, ARGC(argv), argv, &out), 0, "%s", logbuf);
	cr_expect(strstr(logbuf, c->warning) != NULL, "%s: %s", c->conf, logbuf);
	cr_expect(strstr(logbuf, c->absent) == NULL, "%s: %s", c->conf, logbuf);
	free(out);
}

/*
 * The only <disabled>yes</disabled> is the sixth block of its root: Wazuh runs everything but
 * that block, so the decisions are those of the fixture (which has a <disabled>no</disabled>
 * first). Reading the first <disabled> of the file instead would skip every decision.
 */
Test(replay, disabled_later_block_leaves_execd_on)
{
	char *argv[] = { "replay",    "--ossec-conf",	DIR "ossec-disabled-later.conf",
			 "--config",  DIR "arxdp.conf", "--own",
			 "192.0.2.1", "--json",		DIR "alerts.jsonl",
			 NULL };
	char *out;

	cr_assert_eq(run_captured(cmd_replay, ARGC(argv), argv, &out), 0, "%s", logbuf);
	expect_golden(out, DIR "alerts.json.golden");
	free(out);
}

/* execd off on the manager: its own responses are skipped, those for agents still go out. */
Test(replay, execd_off)
{
	char *argv[] = { "replay",    "--ossec-conf",	"tests/data/conf/valid/execd-off.conf",
			 "--config",  DIR "arxdp.conf", "--own",
			 "192.0.2.1", "--json",		DIR "alerts.jsonl",
			 NULL };
	char *out;

	cr_assert_eq(run_captured(cmd_replay, ARGC(argv), argv, &out), 0, "%s", logbuf);
	cr_expect(strstr(out, "{\"alert_id\":\"1652272159.1549653\",\"rule_id\":\"5712\","
			      "\"command\":\"firewall-drop\",\"ar\":\"firewall-drop60\","
			      "\"action\":\"skip\",\"addr\":\"192.0.2.10\",\"timeout\":60,"
			      "\"expires\":null,\"reason\":\"ar_disabled\"}\n") != NULL,
		  "%s", out);
	cr_expect(strstr(out, "\"reason\":\"remote\"") != NULL, "%s", out);
	cr_expect(strstr(out, "\"action\":\"block\"") == NULL, "nothing blocked here: %s", out);
	cr_expect(strstr(out, "\"action\":\"script\"") == NULL, "nothing runs here: %s", out);
	free(out);
}

Test(replay, check_config_broken)
{
	char *argv[] = { "check-config", "--ossec-conf",   "tests/data/conf/invalid/1303.conf",
			 "--config",	 DIR "arxdp.conf", NULL };
	char *out;

	cr_expect_eq(run_captured(cmd_check_config, ARGC(argv), argv, &out), -EINVAL);
	cr_expect(strstr(logbuf, "line 8: <active-response>: unknown command 'foo' (1303)") != NULL,
		  "%s", logbuf);
	cr_expect_str_eq(out, "");
	free(out);
}
