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
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
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

/*
 * The one-shot handle (struct arlog): what sits at the log path must be a regular file with
 * one link, as open_regular() demands, or nothing is written, not even through it.
 */
enum plant { PLANT_SYMLINK, PLANT_FIFO, PLANT_HARDLINK, PLANT_DIR, PLANT_NO_DIR };

struct refuse_case {
	char desc[48];
	enum plant plant;
	int err;
};

/* clang-format off */
static struct refuse_case refuse_cases[] = {
	{ "a symbolic link to a file", PLANT_SYMLINK, -ELOOP },
	{ "a FIFO (open would wait)", PLANT_FIFO, -EINVAL },
	{ "a file with a second hard link", PLANT_HARDLINK, -EMLINK },
	{ "a directory", PLANT_DIR, -EINVAL },
	{ "no logs/ directory", PLANT_NO_DIR, -ENOENT },
};
/* clang-format on */

ParameterizedTestParameters(arlog, handle_refuses)
{
	return cr_make_param_array(struct refuse_case, refuse_cases,
				   sizeof(refuse_cases) / sizeof(refuse_cases[0]));
}

static off_t size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : st.st_size;
}

ParameterizedTest(struct refuse_case *c, arlog, handle_refuses)
{
	char dir[] = "/tmp/arlog-test.XXXXXX", path[96], other[96];
	struct arlog l;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/active-responses.log", dir);
	snprintf(other, sizeof(other), "%s/victim", dir);
	cr_assert_eq(close(open(other, O_WRONLY | O_CREAT, 0600)), 0);
	switch (c->plant) {
	case PLANT_SYMLINK:
		cr_assert_eq(symlink(other, path), 0);
		break;
	case PLANT_FIFO:
		cr_assert_eq(mkfifo(path, 0600), 0);
		break;
	case PLANT_HARDLINK:
		cr_assert_eq(link(other, path), 0);
		break;
	case PLANT_DIR:
		cr_assert_eq(mkdir(path, 0700), 0);
		break;
	case PLANT_NO_DIR:
		snprintf(path, sizeof(path), "%s/logs/active-responses.log", dir);
		break;
	}
	arlog_init(&l, path, "x");
	arlog_line(&l, "Starting");
	cr_expect_eq(arlog_flush(&l), c->err, "%s", c->desc);
	cr_expect_eq(l.fd, -1, "%s: nothing kept open", c->desc);
	arlog_line(&l, "Ended");
	cr_expect_eq(arlog_close(&l), c->err, "%s: refused at every flush", c->desc);
	cr_expect_eq(size_of(other), 0, "%s: nothing written through it", c->desc);
	unlink(path);
	rmdir(path);
	unlink(other);
	rmdir(dir);
}

/*
 * Lines kept between flushes come out whole, in order, after what the file held, each flush
 * one write; two handles on one file (two drop-ins at once) interleave by flush, never inside
 * a line. A flush with nothing kept writes nothing.
 */
struct batch_case {
	char desc[48];
	/* per step: the handle (0/1), the message, and whether a flush follows */
	struct {
		int h;
		char msg[40];
		bool flush;
	} step[6];
	int n;
	char out[400]; /* the file after the steps and the closes, stamps removed */
};

/* clang-format off */
static struct batch_case batch_cases[] = {
	{ "one line, one flush", { { 0, "Starting", true } }, 1,
	  "old\nx: Starting\n" },
	{ "a stdin echo keeps its blank line", { { 0, "{\"a\":1}\n", true }, { 0, "Ended", false } }, 2,
	  "old\nx: {\"a\":1}\n\nx: Ended\n" },
	{ "three lines kept, one write", { { 0, "a", false }, { 0, "b", false }, { 0, "c", true } }, 3,
	  "old\nx: a\nx: b\nx: c\n" },
	{ "two handles interleave by flush",
	  { { 0, "a1", false }, { 1, "b1", true }, { 0, "a2", true }, { 1, "b2", false },
	    { 0, "a3", true } }, 5,
	  "old\ny: b1\nx: a1\nx: a2\nx: a3\ny: b2\n" },
	{ "the close flushes", { { 1, "only at close", false } }, 1,
	  "old\ny: only at close\n" },
};
/* clang-format on */

/* in with each line's "<stamp> " removed when the stamp is one of [before, after]. */
static void unstamp(const char *in, time_t before, time_t after, char *out, size_t len)
{
	char ts[ARLOG_TS_MAX];
	size_t o = 0, n;
	time_t t;

	while (*in && o + 1 < len) {
		for (t = before; t <= after; t++) {
			cr_assert_eq(arlog_timestamp(t, ts, sizeof(ts)), 0);
			n = strlen(ts);
			if (!strncmp(in, ts, n) && in[n] == ' ') {
				in += n + 1;
				break;
			}
		}
		while (*in && o + 1 < len) {
			out[o++] = *in;
			if (*in++ == '\n')
				break;
		}
	}
	out[o] = '\0';
}

ParameterizedTestParameters(arlog, handle_batches)
{
	return cr_make_param_array(struct batch_case, batch_cases,
				   sizeof(batch_cases) / sizeof(batch_cases[0]));
}

ParameterizedTest(struct batch_case *c, arlog, handle_batches)
{
	char dir[] = "/tmp/arlog-test.XXXXXX", path[96], want[512];
	const char *names[2] = { "x", "y" };
	struct arlog l[2];
	time_t before, after;
	char *got;
	FILE *f;
	int i;

	setenv("TZ", "UTC0", 1);
	tzset();
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/active-responses.log", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("old\n", f);
	fclose(f);
	for (i = 0; i < 2; i++)
		arlog_init(&l[i], path, names[i]);
	before = time(NULL);
	for (i = 0; i < c->n; i++) {
		arlog_line(&l[c->step[i].h], c->step[i].msg);
		if (c->step[i].flush)
			cr_assert_eq(arlog_flush(&l[c->step[i].h]), 0, "%s: step %d", c->desc, i);
	}
	cr_expect_eq(arlog_flush(&l[0]), 0, "an empty flush");
	cr_assert_eq(arlog_close(&l[0]), 0);
	cr_assert_eq(arlog_close(&l[1]), 0);
	after = time(NULL);
	got = slurp(path);
	unstamp(got, before, after, want, sizeof(want));
	cr_expect_str_eq(want, c->out, "%s", c->desc);
	unlink(path);
	rmdir(dir);
}
