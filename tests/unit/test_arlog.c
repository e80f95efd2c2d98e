// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the tables of the active-responses.log writer (user/lib/arlog.c): Wazuh's
 * timestamp in local time, the line shape the ruleset decodes, and append-per-line writing.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "arlog.h"

struct ts_case {
	char tz[32];
	long long t;
	char out[32];
};

/* clang-format off */
static struct ts_case ts_cases[] = {
	/* The lab exchange of the reference: add at 14:46:27 UTC. */
	{ "UTC0", 1655477187, "2022/06/17 14:46:27" },
	/* Local time, not UTC: the same instant two hours east. */
	{ "XXX-2", 1655477187, "2022/06/17 16:46:27" },
	{ "XXX+5", 1655477187, "2022/06/17 09:46:27" },
	{ "UTC0", 0, "1970/01/01 00:00:00" },
	{ "UTC0", 946684799, "1999/12/31 23:59:59" },
	{ "UTC0", 1709337600, "2024/03/02 00:00:00" },
	{ "UTC0", 253402300799LL, "9999/12/31 23:59:59" },
};
/* clang-format on */

ParameterizedTestParameters(arlog, timestamp)
{
	return cr_make_param_array(struct ts_case, ts_cases,
				   sizeof(ts_cases) / sizeof(ts_cases[0]));
}

ParameterizedTest(struct ts_case *c, arlog, timestamp)
{
	char buf[ARLOG_TS_MAX];

	setenv("TZ", c->tz, 1);
	tzset();
	cr_assert_eq(arlog_timestamp((time_t)c->t, buf, sizeof(buf)), 0);
	cr_expect_str_eq(buf, c->out);
	cr_expect_eq(arlog_timestamp((time_t)c->t, buf, 5), -ENOSPC);
}

struct line_case {
	char name[64];
	char msg[160];
	char out[256];
};

/* clang-format off */
static struct line_case line_cases[] = {
	{ "active-response/bin/firewall-drop", "Starting",
	  "2022/06/17 14:46:27 active-response/bin/firewall-drop: Starting\n" },
	/* A stdin echo keeps its newline: Wazuh's blank line. */
	{ "active-response/bin/firewall-drop", "{\"command\":\"add\"}\n",
	  "2022/06/17 14:46:27 active-response/bin/firewall-drop: {\"command\":\"add\"}\n\n" },
	{ "/var/ossec/active-response/bin/route-null", "Ended",
	  "2022/06/17 14:46:27 /var/ossec/active-response/bin/route-null: Ended\n" },
	{ "active-response/bin/firewall-drop",
	  "Cannot read 'srcip' from data or invalid IP format",
	  "2022/06/17 14:46:27 active-response/bin/firewall-drop: "
	  "Cannot read 'srcip' from data or invalid IP format\n" },
	{ "x", "%s %n", "2022/06/17 14:46:27 x: %s %n\n" },
	{ "x", "", "2022/06/17 14:46:27 x: \n" },
};
/* clang-format on */

ParameterizedTestParameters(arlog, line)
{
	return cr_make_param_array(struct line_case, line_cases,
				   sizeof(line_cases) / sizeof(line_cases[0]));
}

ParameterizedTest(struct line_case *c, arlog, line)
{
	char buf[512];

	setenv("TZ", "UTC0", 1);
	tzset();
	cr_assert_eq(arlog_format(buf, sizeof(buf), 1655477187, c->name, c->msg), 0);
	cr_expect_str_eq(buf, c->out);
	cr_expect_eq(arlog_format(buf, strlen(c->out), 1655477187, c->name, c->msg), -ENOSPC);
}

static char *slurp(const char *path)
{
	static char buf[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	cr_assert_not_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Each line carries a stamp between before and after: the writes may straddle a second. */
static void expect_line(char **cur, time_t before, time_t after, const char *rest)
{
	char ts[ARLOG_TS_MAX];
	time_t t;

	for (t = before; t <= after; t++) {
		cr_assert_eq(arlog_timestamp(t, ts, sizeof(ts)), 0);
		if (!strncmp(*cur, ts, strlen(ts)))
			break;
	}
	cr_assert_leq(t, after, "no stamp of now at '%.40s'", *cur);
	*cur += strlen(ts);
	cr_assert_eq(strncmp(*cur, rest, strlen(rest)), 0, "'%s' instead of '%s'", *cur, rest);
	*cur += strlen(rest);
}

Test(arlog, write_appends_one_line_each)
{
	char dir[] = "/tmp/arlog-test.XXXXXX", path[64];
	time_t before, after;
	char *got;

	setenv("TZ", "UTC0", 1);
	tzset();
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/active-responses.log", dir);
	before = time(NULL);
	cr_assert_eq(arlog_write(path, "active-response/bin/firewall-drop", "Starting"), 0);
	cr_assert_eq(arlog_write(path, "active-response/bin/firewall-drop", "{\"a\":1}\n"), 0);
	cr_assert_eq(arlog_writef(path, "active-response/bin/firewall-drop", "%s %d", "Ended", 7),
		     0);
	after = time(NULL);
	got = slurp(path);
	expect_line(&got, before, after, " active-response/bin/firewall-drop: Starting\n");
	expect_line(&got, before, after, " active-response/bin/firewall-drop: {\"a\":1}\n\n");
	expect_line(&got, before, after, " active-response/bin/firewall-drop: Ended 7\n");
	cr_expect_str_eq(got, "");
	unlink(path);
	rmdir(dir);
}

Test(arlog, write_reports_unwritable)
{
	cr_expect_eq(arlog_write("/nonexistent-dir/x/active-responses.log", "x", "m"), -ENOENT);
}
