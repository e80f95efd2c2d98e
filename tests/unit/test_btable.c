// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the block table's tables: distinct keys (family, prefix length, bytes)
 * stay distinct, upsert returns the existing entry, a few hundred thousand v4 and v6 keys
 * survive the bucket array's doublings, deletion, foreach (every entry once, early stop,
 * deleting the visited entry), and the alert copy an entry owns. The doubling is incremental:
 * every key is found during and after a move, deletes and foreach work in the middle of one,
 * and no insert moves more than BTABLE_MOVE_STEP old buckets (the grow at 8,192 entries used to
 * rehash them all in one insert).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "btable.h"
#include "util.h"

#define MANY 130000 /* per family, inside 198.18.0.0/15: ~250 times the first bucket count */

/* clang-format off */
/* All different keys: the same bytes in either family, or with another prefix, included. */
static const char *const distinct[] = {
	"192.0.2.7", "192.0.2.8", "192.0.2.0/24", "192.0.2.0/25", "192.0.0.0/16",
	"198.51.100.1", "203.0.113.0/24", "0.0.0.0/0",
	"2001:db8::7", "2001:db8::8", "2001:db8::/32", "2001:db8::/64", "c000:207::",
	"::/0", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
};
/* clang-format on */

static struct arxdp_addr parse(const char *s)
{
	struct arxdp_addr a;

	cr_assert_eq(addr_parse(s, &a, NULL, 0), 0, "%s", s);
	return a;
}

Test(btable, distinct_keys)
{
	struct btable *t = btable_new();
	struct bmeta *m[ARRAY_SIZE(distinct)];
	size_t i, k;

	cr_assert_not_null(t);
	for (i = 0; i < ARRAY_SIZE(distinct); i++) {
		struct arxdp_addr a = parse(distinct[i]);

		m[i] = btable_upsert(t, &a);
		cr_assert_not_null(m[i]);
		cr_expect_eq(m[i]->v.offenses, 0, "%s: a new entry is not zeroed", distinct[i]);
		cr_expect_eq(addr_cmp(&m[i]->addr, &a), 0);
		m[i]->v.offenses = (uint32_t)i + 1;
		str_copy(m[i]->exe, distinct[i], sizeof(m[i]->exe));
	}
	cr_expect_eq(btable_size(t), ARRAY_SIZE(distinct));
	for (i = 0; i < ARRAY_SIZE(distinct); i++) {
		struct arxdp_addr a = parse(distinct[i]);

		cr_expect_eq(btable_get(t, &a), m[i], "%s", distinct[i]);
		/* Upsert of a known key is the same entry, its fields kept. */
		cr_expect_eq(btable_upsert(t, &a), m[i], "%s", distinct[i]);
		cr_expect_eq(m[i]->v.offenses, i + 1);
		cr_expect_str_eq(m[i]->exe, distinct[i]);
	}
	cr_expect_eq(btable_size(t), ARRAY_SIZE(distinct));
	for (i = 0; i < ARRAY_SIZE(distinct); i += 2) {
		struct arxdp_addr a = parse(distinct[i]);

		btable_del(t, &a);
		btable_del(t, &a); /* absent now: nothing happens */
		cr_expect_null(btable_get(t, &a), "%s", distinct[i]);
	}
	cr_expect_eq(btable_size(t), ARRAY_SIZE(distinct) / 2);
	for (k = 1; k < ARRAY_SIZE(distinct); k += 2) {
		struct arxdp_addr a = parse(distinct[k]);

		cr_expect_eq(btable_get(t, &a), m[k], "%s lost by a neighbour's delete",
			     distinct[k]);
	}
	btable_free(t);
}

/* Key i of a family: 198.18.0.0/15 or 2001:2::/48, exact. */
static struct arxdp_addr key(int family, uint32_t i)
{
	struct arxdp_addr a = { .family = (uint8_t)family };

	if (family == 4) {
		a.prefixlen = 32;
		a.a[0] = 198;
		a.a[1] = (uint8_t)(18 + (i >> 16));
		a.a[2] = (uint8_t)(i >> 8);
		a.a[3] = (uint8_t)i;
	} else {
		a.prefixlen = 128;
		a.a[0] = 0x20;
		a.a[1] = 0x01;
		a.a[3] = 0x02;
		a.a[13] = (uint8_t)(i >> 16);
		a.a[14] = (uint8_t)(i >> 8);
		a.a[15] = (uint8_t)i;
	}
	return a;
}

struct visit {
	struct btable *t;
	uint8_t *seen; /* per key: how often visited */
	size_t n, stop_after;
	bool del;
};

static size_t index_of(const struct bmeta *m)
{
	return m->v.rule_id; /* set at insertion */
}

static int visit_cb(struct bmeta *m, void *ctx)
{
	struct visit *v = ctx;

	v->seen[index_of(m)]++;
	v->n++;
	if (v->del)
		btable_del(v->t, &m->addr); /* the visited entry: allowed */
	return v->stop_after && v->n == v->stop_after ? 42 : 0;
}

static struct btable *fill(uint32_t n)
{
	struct btable *t = btable_new();
	uint32_t i;

	cr_assert_not_null(t);
	for (i = 0; i < 2 * n; i++) {
		struct arxdp_addr a = key(i < n ? 4 : 6, i % n);
		struct bmeta *m = btable_upsert(t, &a);

		cr_assert_not_null(m);
		m->v.rule_id = i;
	}
	return t;
}

Test(btable, many_grow_and_delete)
{
	struct btable *t = fill(MANY);
	uint32_t i;

	cr_assert_eq(btable_size(t), 2 * MANY);
	for (i = 0; i < 2 * MANY; i++) {
		struct arxdp_addr a = key(i < MANY ? 4 : 6, i % MANY);
		struct bmeta *m = btable_get(t, &a);

		cr_assert_not_null(m, "key %u lost in growth", i);
		cr_assert_eq(m->v.rule_id, i);
	}
	for (i = 0; i < 2 * MANY; i += 3) {
		struct arxdp_addr a = key(i < MANY ? 4 : 6, i % MANY);

		btable_del(t, &a);
	}
	cr_expect_eq(btable_size(t), 2 * MANY - (2 * MANY + 2) / 3);
	for (i = 0; i < 2 * MANY; i++) {
		struct arxdp_addr a = key(i < MANY ? 4 : 6, i % MANY);
		struct bmeta *m = btable_get(t, &a);

		if (i % 3 == 0)
			cr_assert_null(m, "key %u still there after its delete", i);
		else
			cr_assert(m && m->v.rule_id == i, "key %u lost by a delete", i);
	}
	btable_free(t);
}

struct foreach_case {
	char name[24];
	uint32_t n; /* keys per family */
	size_t stop_after; /* the callback returns 42 at this visit (0 = never) */
	bool del; /* the callback deletes what it visits */
};

/* clang-format off */
static struct foreach_case foreach_cases[] = {
	{ "empty", 0, 0, false },
	{ "all once", 5000, 0, false },
	{ "stops early", 5000, 77, false },
	{ "deletes each", 5000, 0, true },
	{ "deletes, stops", 5000, 1234, true },
};
/* clang-format on */

ParameterizedTestParameters(btable, foreach)
{
	return cr_make_param_array(struct foreach_case, foreach_cases, ARRAY_SIZE(foreach_cases));
}

ParameterizedTest(struct foreach_case *c, btable, foreach)
{
	struct btable *t = fill(c->n);
	struct visit v = { .t = t, .stop_after = c->stop_after, .del = c->del };
	size_t i, want = c->stop_after ?: 2 * c->n, once = 0;

	v.seen = calloc(2 * c->n + 1, 1);
	cr_assert_not_null(v.seen);
	cr_expect_eq(btable_foreach(t, visit_cb, &v), c->stop_after ? 42 : 0, "%s", c->name);
	cr_expect_eq(v.n, want, "%s: %zu visits", c->name, v.n);
	for (i = 0; i < 2 * c->n; i++) {
		cr_assert_leq(v.seen[i], 1, "%s: key %zu visited %u times", c->name, i, v.seen[i]);
		once += v.seen[i];
	}
	cr_expect_eq(once, want);
	cr_expect_eq(btable_size(t), c->del ? 2 * c->n - want : 2 * c->n, "%s", c->name);
	free(v.seen);
	btable_free(t);
}

/* ---- the incremental doubling ---- */

struct move_case {
	char name[32];
	int family;
	uint32_t n; /* keys inserted, the last of them while a move is under way */
	bool del; /* every third key deleted in the middle of the move */
	bool walk; /* foreach in the middle of the move: every key once */
};

/* clang-format off */
static struct move_case move_cases[] = {
	{ "first doubling starts", 4, BTABLE_FIRST_BUCKETS + 1, false, false },
	{ "the 8,192 doubling starts", 4, 8192 + 1, false, false },
	{ "8,192 half moved", 4, 8192 + 1024, false, false },
	{ "8,192 nearly moved", 4, 8192 + 2047, false, false },
	{ "deletes during the move", 4, 8192 + 100, true, false },
	{ "foreach during the move", 4, 8192 + 100, false, true },
	{ "foreach deleting, mid-move", 4, 4096 + 7, true, true },
	{ "v6, 16,384 doubling", 6, 16384 + 999, true, false },
};
/* clang-format on */

ParameterizedTestParameters(btable, move)
{
	return cr_make_param_array(struct move_case, move_cases, ARRAY_SIZE(move_cases));
}

static void expect_keys(struct btable *t, const struct move_case *c, uint32_t upto,
			const char *when)
{
	uint32_t i;

	for (i = 0; i < upto; i++) {
		struct arxdp_addr a = key(c->family, i);
		struct bmeta *m = btable_get(t, &a);

		if (c->del && i % 3 == 0 && i < c->n)
			cr_assert_null(m, "%s: %s: key %u back after its delete", c->name, when, i);
		else
			cr_assert(m && m->v.rule_id == i, "%s: %s: key %u lost", c->name, when, i);
	}
	for (i = upto; i < upto + 64; i++) {
		struct arxdp_addr a = key(c->family, i);

		cr_assert_null(btable_get(t, &a), "%s: %s: key %u never inserted", c->name, when,
			       i);
	}
}

ParameterizedTest(struct move_case *c, btable, move)
{
	struct btable *t = btable_new();
	size_t want = c->n, moving;
	uint32_t i;

	cr_assert_not_null(t);
	for (i = 0; i < c->n; i++) {
		struct arxdp_addr a = key(c->family, i);
		struct bmeta *m = btable_upsert(t, &a);

		cr_assert_not_null(m);
		m->v.rule_id = i;
	}
	moving = btable_moving(t);
	cr_assert_gt(moving, 0, "%s: no move under way after %u keys", c->name, c->n);
	if (c->del) {
		for (i = 0; i < c->n; i += 3) {
			struct arxdp_addr a = key(c->family, i);

			btable_del(t, &a);
			want--;
		}
		cr_expect_eq(btable_moving(t), moving, "%s: a delete moved buckets", c->name);
	}
	cr_expect_eq(btable_size(t), want, "%s", c->name);
	expect_keys(t, c, c->n, "during the move");
	if (c->walk) {
		struct visit v = { .t = t, .seen = calloc(c->n, 1) };

		cr_assert_not_null(v.seen);
		cr_expect_eq(btable_foreach(t, visit_cb, &v), 0);
		cr_expect_eq(v.n, want, "%s: %zu visits of %zu", c->name, v.n, want);
		for (i = 0; i < c->n; i++)
			cr_assert_eq(v.seen[i], c->del && i % 3 == 0 ? 0 : 1,
				     "%s: key %u visited %u times", c->name, i, v.seen[i]);
		free(v.seen);
	}
	/* Inserts go on until the move is over: nothing lost on the way. */
	for (i = c->n; btable_moving(t); i++) {
		struct arxdp_addr a = key(c->family, i);
		struct bmeta *m = btable_upsert(t, &a);

		cr_assert_not_null(m);
		m->v.rule_id = i;
		cr_assert_lt(i, c->n + moving, "%s: the move never ends", c->name);
	}
	expect_keys(t, c, i, "after the move");
	btable_free(t); /* frees entries in both arrays (ASan checks) */
}

/*
 * The work of one insert is bounded: a doubling starts with no move under way and moves
 * BTABLE_MOVE_STEP old buckets, as does each later insert, until none is left. Inserts up to
 * 2^17 keys with a delete every seventh: six doublings, the one at 8,192 entries included.
 */
Test(btable, bounded_move_per_insert)
{
	struct btable *t = btable_new();
	size_t before, after, n;
	uint32_t i, grows = 0;

	cr_assert_not_null(t);
	for (i = 0; i < 1u << 17; i++) {
		struct arxdp_addr a = key(4, i);

		before = btable_moving(t);
		n = btable_size(t);
		cr_assert_not_null(btable_upsert(t, &a));
		after = btable_moving(t);
		if (after > before) {
			grows++;
			cr_assert_eq(before, 0, "insert %u: a doubling while another moves", i);
			/* The old array had n buckets (doubling at one entry per bucket). */
			cr_assert_eq(after, n - BTABLE_MOVE_STEP, "insert %u: %zu of %zu left", i,
				     after, n);
		} else {
			cr_assert_leq(before - after, BTABLE_MOVE_STEP, "insert %u moved %zu", i,
				      before - after);
		}
		if (i % 7 == 6) {
			struct arxdp_addr d = key(4, i - 3);

			btable_del(t, &d);
			cr_assert_eq(btable_moving(t), after, "a delete moved buckets");
		}
	}
	cr_expect_geq(grows, 6, "%u doublings", grows);
	for (i = 0; i < 1u << 17; i++) {
		struct arxdp_addr a = key(4, i);

		cr_assert_eq(btable_get(t, &a) == NULL, i % 7 == 3 && i + 3 < 1u << 17, "key %u",
			     i);
	}
	btable_free(t);
}

Test(btable, alert_owned)
{
	struct btable *t = btable_new();
	struct arxdp_addr a = parse("192.0.2.7");
	struct bmeta *m = btable_upsert(t, &a);
	char src[] = "{\"rule\":{\"id\":\"5710\"}}";

	cr_assert_not_null(m);
	cr_expect_null(m->alert);
	cr_assert_eq(bmeta_set_alert(m, src), 0);
	cr_assert_not_null(m->alert);
	cr_expect_neq(m->alert, src, "not a copy");
	src[0] = 'X';
	cr_expect_str_eq(m->alert, "{\"rule\":{\"id\":\"5710\"}}");
	cr_assert_eq(bmeta_set_alert(m, NULL), 0);
	cr_expect_null(m->alert);
	bmeta_take_alert(m, strdup("{}"));
	cr_expect_str_eq(m->alert, "{}");
	bmeta_take_alert(m, strdup("{\"a\":1}")); /* the old one is freed (ASan checks) */
	cr_expect_str_eq(m->alert, "{\"a\":1}");
	btable_free(t); /* frees the entries' alerts too */
}

/* The one conversion pair between the map's monotonic stamps and the state's wall clock. */
Test(btable, expiry_conversions)
{
	static const struct {
		uint64_t mono, now_mono, now_wall, wall;
	} rows[] = {
		{ 0, 100, 5000, 0 }, /* permanent stays permanent */
		{ 160, 100, 5000, 5060 }, /* 60 left */
		{ 100, 100, 5000, 4999 }, /* over now: a moment ago, never 0 */
		{ 40, 100, 5000, 4999 }, /* over long ago */
		{ 40, 100, 0, 1 }, /* no wall clock: still not 0 */
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		cr_expect_eq(bmeta_expiry_wall(rows[i].mono, rows[i].now_mono, rows[i].now_wall),
			     rows[i].wall, "row %zu", i);
	/* Back: the time left survives the round trip; what ran out stays out (not 0). */
	cr_expect_eq(bmeta_expiry_mono(0, 100, 5000), 0u);
	cr_expect_eq(bmeta_expiry_mono(5060, 7, 5000), 67u);
	cr_expect_eq(bmeta_expiry_mono(4000, 7, 5000), 6u);
	cr_expect_eq(bmeta_expiry_mono(4000, 1, 5000), 1u);
	/* A clock step between save and load moves nothing but the wall figure itself. */
	cr_expect_eq(
		bmeta_expiry_mono(bmeta_expiry_wall(700, 100, 86400 + 5000), 100, 86400 + 5000),
		700u);
}
