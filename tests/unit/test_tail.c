// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the alerts.json follower against broken and hostile files: NUL bytes in
 * and between lines, a sparse file of several GB with an alert after the hole, over-long runs
 * read under the per-poll byte budget, and a FIFO or a symbolic link at the path, which must
 * be refused without a wait and said once, however many polls see it. Real files in a
 * temporary directory.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "log.h"
#include "tail.h"
#include "testutil.h"
#include "util.h"

#define MAX_LINE 64
#define MAX_GOT 16
#define ALERT_A "{\"rule\":{\"id\":\"5710\"},\"data\":{\"srcip\":\"198.51.100.1\"}}"
#define ALERT_B "{\"rule\":{\"id\":\"5710\"},\"data\":{\"srcip\":\"198.51.100.2\"}}"

static char dir[64], path[128];
static struct tu_warnings warned;

struct got {
	int n;
	char line[MAX_GOT][MAX_LINE + 1];
	bool too_long[MAX_GOT];
	struct tail_pos at[MAX_GOT];
};

static void setup(void)
{
	log_init("test", LOG_LEVEL_INFO, LOG_TARGET_STDERR);
	tu_capture_warnings(&warned);
	tu_mkdtemp(dir, sizeof(dir), "tail");
	snprintf(path, sizeof(path), "%s/alerts.json", dir);
}

static void teardown(void)
{
	log_set_sink(NULL, NULL);
	cr_assert_eq(tu_rm_rf(dir), 0);
}

static int on_line(const char *line, size_t len, const struct tail_pos *at, bool too_long,
		   void *ctx)
{
	struct got *g = ctx;

	cr_assert_lt(g->n, MAX_GOT, "more lines than the case has");
	cr_assert_leq(len, MAX_LINE);
	memcpy(g->line[g->n], line, len);
	g->line[g->n][len] = '\0';
	g->too_long[g->n] = too_long;
	g->at[g->n] = *at;
	g->n++;
	return 0;
}

static void append(const char *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write_all(fd, p, n), 0);
	close(fd);
}

/* Polls until nothing is left, each poll within max_ms; returns the number of polls. */
static int poll_all(struct tail *t, struct got *g, unsigned int max_ms, int max_polls)
{
	int polls = 0;

	do {
		uint64_t t0 = mono_now_ns(), ms;

		cr_assert_eq(tail_poll(t, on_line, g), 0);
		ms = (mono_now_ns() - t0) / 1000000;
		cr_assert_leq(ms, max_ms, "poll %d took %llu ms", polls, (unsigned long long)ms);
		cr_assert_lt(++polls, max_polls, "still more after %d polls", polls);
	} while (t->more);
	return polls;
}

struct nul_case {
	char desc[48];
	char data[160];
	size_t len;
	int n;
	char want[3][MAX_LINE + 1];
	bool too_long[3];
	uint64_t last_offset; /* where the last line starts */
};

#define S(s) s, sizeof(s) - 1
#define XLONG \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
#define X64 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

/* clang-format off */
static struct nul_case nul_cases[] = {
	{ "plain lines", S("a\nb\n"), 2, { "a", "b" }, { false, false }, 2 },
	{ "NULs before an alert", S("\0\0\0\0\0\0\0\0" ALERT_A "\n"), 1, { ALERT_A }, { false }, 8 },
	{ "NUL ends a partial line", S("abc\0\0def\n"), 2, { "abc", "def" }, { false, false }, 5 },
	{ "NULs then a newline", S("\0\0\n" ALERT_A "\n"), 2, { "", ALERT_A }, { false, false }, 3 },
	{ "NULs between lines", S(ALERT_A "\n\0\0\0" ALERT_B "\n"), 2, { ALERT_A, ALERT_B },
	  { false, false }, sizeof(ALERT_A) + 3 },
	{ "over-long line cut by a NUL", S(XLONG "\0" ALERT_A "\n"), 2, { X64, ALERT_A },
	  { true, false }, sizeof(XLONG) },
	{ "trailing NULs without a newline", S(ALERT_A "\n\0\0\0"), 1, { ALERT_A }, { false }, 0 },
};
/* clang-format on */

ParameterizedTestParameters(tail, nul_bytes)
{
	return cr_make_param_array(struct nul_case, nul_cases, ARRAY_SIZE(nul_cases));
}

ParameterizedTest(struct nul_case *c, tail, nul_bytes, .init = setup, .fini = teardown)
{
	struct got g = {};
	struct tail t;
	int i;

	append(c->data, c->len);
	cr_assert_eq(tail_open(&t, path, MAX_LINE, NULL, true), 0);
	poll_all(&t, &g, 1000, 10);
	cr_expect_eq(g.n, c->n, "%s: %d lines, want %d", c->desc, g.n, c->n);
	for (i = 0; i < g.n && i < c->n; i++) {
		cr_expect_str_eq(g.line[i], c->want[i], "%s: line %d", c->desc, i);
		cr_expect_eq(g.too_long[i], c->too_long[i], "%s: too_long of line %d", c->desc, i);
	}
	if (c->last_offset && g.n)
		cr_expect_eq(g.at[g.n - 1].offset, c->last_offset, "%s: last line at %llu", c->desc,
			     (unsigned long long)g.at[g.n - 1].offset);
	/* Every byte up to the end is accounted for (NULs included) but a partial line. */
	if (c->data[c->len - 1] == '\n' || c->data[c->len - 1] == '\0') {
		cr_expect_eq(t.pos.offset, c->len, "%s: position %llu of %zu", c->desc,
			     (unsigned long long)t.pos.offset, c->len);
		cr_expect_eq(t.pos.seq, c->len);
	}
	tail_close(&t);
}

struct sparse_case {
	char desc[48];
	bool following; /* the hole appears while the file is followed (else: read from start) */
};

static struct sparse_case sparse_cases[] = {
	{ "read from the start", false },
	{ "grows while followed", true },
};

ParameterizedTestParameters(tail, sparse_file)
{
	return cr_make_param_array(struct sparse_case, sparse_cases, ARRAY_SIZE(sparse_cases));
}

/*
 * 6 GB of hole between two alerts: each poll stays within its budget (the old follower read
 * the hole in one poll, seconds long), and the alert after the hole arrives whole (the old one
 * took hole and alert as one over-long line).
 */
ParameterizedTest(struct sparse_case *c, tail, sparse_file, .init = setup, .fini = teardown,
		  .timeout = 60)
{
	const off_t hole = 6LL << 30;
	struct got g = {};
	struct tail t;
	int fd, want_a = c->following ? 0 : 1;

	append(S(ALERT_A "\n"));
	cr_assert_eq(tail_open(&t, path, MAX_LINE, NULL, !c->following), 0);
	if (c->following)
		poll_all(&t, &g, 200, 10);
	fd = open(path, O_WRONLY);
	cr_assert_geq(fd, 0);
	if (ftruncate(fd, hole))
		cr_skip_test("no room for a %lld-byte sparse file here", (long long)hole);
	close(fd);
	append(S(ALERT_B "\n"));
	poll_all(&t, &g, 200, 3000);
	cr_assert_eq(g.n, want_a + 1, "%s: %d lines", c->desc, g.n);
	if (want_a)
		cr_expect_str_eq(g.line[0], ALERT_A);
	cr_expect_str_eq(g.line[want_a], ALERT_B, "%s: the alert after the hole", c->desc);
	cr_expect_not(g.too_long[want_a]);
	cr_expect_eq(g.at[want_a].offset, (uint64_t)hole);
	cr_expect_eq(t.pos.offset, (uint64_t)hole + sizeof(ALERT_B));
	cr_expect_eq(t.pos.seq, (uint64_t)hole + sizeof(ALERT_B));
	cr_expect_eq(warned.n, 1, "the NUL run said once: %s", warned.last);
	cr_expect(strstr(warned.last, path) && strstr(warned.last, "NUL"), "%s", warned.last);
	tail_close(&t);
}

struct budget_case {
	char desc[48];
	char fill; /* what the 24 MiB written before the alert are */
	bool too_long; /* they make one over-long line */
};

static struct budget_case budget_cases[] = {
	{ "written NULs", '\0', false },
	{ "one 24 MiB line", 'A', true },
};

ParameterizedTestParameters(tail, byte_budget)
{
	return cr_make_param_array(struct budget_case, budget_cases, ARRAY_SIZE(budget_cases));
}

/* Written bytes (no hole to seek over): read 1 MiB per poll, more set, then the alert. */
ParameterizedTest(struct budget_case *c, tail, byte_budget, .init = setup, .fini = teardown,
		  .timeout = 60)
{
	const size_t fill = 24u << 20, budget = 1u << 20;
	char *buf = malloc(fill + 1);
	struct got g = {};
	struct tail t;
	int polls, n = c->too_long ? 2 : 1;

	cr_assert_not_null(buf);
	memset(buf, c->fill, fill);
	buf[fill] = '\n';
	append(buf, c->too_long ? fill + 1 : fill);
	free(buf);
	append(S(ALERT_B "\n"));
	cr_assert_eq(tail_open(&t, path, MAX_LINE, NULL, true), 0);
	cr_expect_eq(t.byte_budget, TAIL_BYTE_BUDGET, "a budget by default");
	t.byte_budget = budget;
	polls = poll_all(&t, &g, 200, 1000);
	cr_expect_geq(polls, (int)(fill / budget), "%s: %d polls for %zu bytes", c->desc, polls,
		      fill);
	cr_assert_eq(g.n, n, "%s: %d lines", c->desc, g.n);
	if (c->too_long)
		cr_expect(g.too_long[0]);
	cr_expect_str_eq(g.line[n - 1], ALERT_B, "%s: the alert after the run", c->desc);
	tail_close(&t);
}

struct refuse_case {
	char desc[32];
	bool symlink; /* else a FIFO */
	char why[24];
};

static struct refuse_case refuse_cases[] = {
	{ "FIFO", false, "FIFO" },
	{ "symbolic link", true, "symbolic link" },
};

ParameterizedTestParameters(tail, refused)
{
	return cr_make_param_array(struct refuse_case, refuse_cases, ARRAY_SIZE(refuse_cases));
}

/*
 * A FIFO (the old follower hung in open(), SIGTERM unheard) or a symbolic link at the path:
 * refused at once, said once over many polls, and a regular file put back is followed.
 */
ParameterizedTest(struct refuse_case *c, tail, refused, .init = setup, .fini = teardown,
		  .timeout = 10)
{
	char target[160];
	struct got g = {};
	struct tail t;
	int i;

	snprintf(target, sizeof(target), "%s/elsewhere.json", dir);
	if (c->symlink) {
		FILE *f = fopen(target, "w");

		cr_assert_not_null(f);
		fputs(ALERT_A "\n", f);
		fclose(f);
		cr_assert_eq(symlink(target, path), 0);
	} else {
		cr_assert_eq(mkfifo(path, 0600), 0);
	}
	cr_assert_eq(tail_open(&t, path, MAX_LINE, NULL, true), 0);
	for (i = 0; i < 20; i++)
		cr_assert_eq(tail_poll(&t, on_line, &g), 0);
	cr_expect_eq(g.n, 0, "%s: nothing read", c->desc);
	cr_expect_eq(warned.n, 1, "%s: said once over 21 looks, not %d times", c->desc, warned.n);
	cr_expect(strstr(warned.last, path) && strstr(warned.last, c->why), "%s", warned.last);

	cr_assert_eq(unlink(path), 0);
	append(S(ALERT_B "\n"));
	poll_all(&t, &g, 1000, 10);
	cr_assert_eq(g.n, 1, "%s: the regular file is followed", c->desc);
	cr_expect_str_eq(g.line[0], ALERT_B);

	/* Replaced again while followed: the old file is finished, the new thing refused. */
	cr_assert_eq(unlink(path), 0);
	if (c->symlink)
		cr_assert_eq(symlink(target, path), 0);
	else
		cr_assert_eq(mkfifo(path, 0600), 0);
	for (i = 0; i < 5; i++)
		cr_assert_eq(tail_poll(&t, on_line, &g), 0);
	cr_expect_eq(g.n, 1);
	cr_expect_eq(warned.n, 2, "%s: a new episode said once more", c->desc);

	/* Another kind of refusal is news too: a directory where the FIFO or link was. */
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(mkdir(path, 0700), 0);
	for (i = 0; i < 5; i++)
		cr_assert_eq(tail_poll(&t, on_line, &g), 0);
	cr_expect_eq(warned.n, 3, "%s: the directory said once", c->desc);
	cr_expect(strstr(warned.last, "directory"), "%s", warned.last);
	tail_close(&t);
}
