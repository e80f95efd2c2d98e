// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the hot tier's packet table: blocks written through the blocklist API
 * into a private instance whose hot maps hold 4 entries per family, so the first blocks of
 * each family land in the hot map and the rest spill into the big one; every row is a frame,
 * the tier its block must live in, the verdict and the one global counter that must move
 * (BPF_PROG_TEST_RUN). Then the gate (the big map is skipped while the tier map counts none
 * of its entries, and the rebuild recounts it) and a pin set older than the hot tier, which
 * the next load completes. Needs root.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include "arxdp.h"
#include "blocklist.h"
#include "loader.h"
#include "log.h"
#include "util.h"
#include "bpf/pkt.h"
#include "bpf/verdict.h"
#include "testutil.h"

#define HOT 4

static struct loader_private *lp;
static struct blocklist bl;

enum tier { NONE = 0, IN_HOT, IN_BIG };

/* Written in this order: per family the first HOT go to the hot map, the rest to the big. */
static const struct {
	const char *addr;
	int how; /* 0 permanent, 1 timed (an hour), -1 expired */
} fixture[] = {
	{ "198.51.100.1", 0 }, { "198.51.100.2", -1 }, { "198.51.100.3", 1 }, { "198.51.100.4", 0 },
	{ "198.51.100.5", 0 }, { "198.51.100.6", -1 }, { "198.51.100.7", 1 }, { "2001:db8::1", 0 },
	{ "2001:db8::2", -1 }, { "2001:db8::3", 1 },   { "2001:db8::4", 0 },  { "2001:db8::5", 0 },
	{ "2001:db8::6", -1 }, { "2001:db8::7", 1 },
};

static void add(const char *s, int how)
{
	struct bl_reason why = { .rule_id = 5712, .level = 10, .origin = ARXDP_ORIGIN_CLI };
	struct arxdp_block v = { .offenses = 1, .origin = ARXDP_ORIGIN_CLI };
	struct arxdp_addr a;

	cr_assert_eq(addr_parse(s, &a, NULL, 0), 0, "fixture address %s", s);
	if (how < 0) {
		/* Already past its stamp, as when no process ran to delete it. */
		v.expires_ns = mono_now_ns() - NSEC_PER_SEC;
		v.timeout_s = 1;
		cr_assert_eq(bl_put(&bl, &a, &v), 0);
		return;
	}
	cr_assert_eq(bl_block(&bl, &a, how ? 3600 : 0, &why, NULL, NULL), 0, "block %s", s);
}

static void open_private(bool dry_run)
{
	struct loader_opts o = { .capacity_v4 = 64,
				 .capacity_v6 = 64,
				 .cidr_capacity = 16,
				 .hot_capacity = HOT,
				 .dry_run = dry_run };

	if (geteuid() != 0)
		cr_skip_test("BPF_PROG_TEST_RUN needs root");
	log_init("test", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	cr_assert_eq(loader_private_open(&o, &lp), 0, "load the XDP program");
	cr_assert_eq(loader_private_blocklist(lp, &bl), 0);
	cr_assert(bl.fd_hot4 >= 0 && bl.fd_hot6 >= 0 && bl.fd_tier >= 0);
	cr_assert_eq(bl.cap_hot4, HOT);
}

static void setup_with(bool dry_run)
{
	size_t i;

	open_private(dry_run);
	for (i = 0; i < ARRAY_SIZE(fixture); i++)
		add(fixture[i].addr, fixture[i].how);
}

static void setup(void)
{
	setup_with(false);
}

static void setup_dry(void)
{
	setup_with(true);
}

static void teardown(void)
{
	bl_close(&bl);
	loader_private_close(lp);
	lp = NULL;
}

/* Which map holds s: looked up in the maps themselves, not through the API. */
static enum tier tier_of(const char *s)
{
	struct arxdp_block v;
	struct arxdp_addr a;
	bool hot, big;

	cr_assert_eq(addr_parse(s, &a, NULL, 0), 0);
	hot = !bpf_map_lookup_elem(a.family == 4 ? bl.fd_hot4 : bl.fd_hot6, a.a, &v);
	big = !bpf_map_lookup_elem(a.family == 4 ? bl.fd_block4 : bl.fd_block6, a.a, &v);
	cr_assert(!(hot && big), "%s is in both tiers", s);
	return hot ? IN_HOT : big ? IN_BIG : NONE;
}

static struct arxdp_tier tier_counts(void)
{
	struct arxdp_tier t;
	__u32 zero = 0;

	cr_assert_eq(bpf_map_lookup_elem(bl.fd_tier, &zero, &t), 0);
	return t;
}

struct row {
	char desc[64];
	char src[48];
	int tier; /* enum tier the source's block must live in */
	int verdict;
	int stat;
};

/* clang-format off */
static struct row rows[] = {
	{ "v4 permanent, hot: drop", "198.51.100.1", IN_HOT, XDP_DROP, ARXDP_STAT_DROP_V4 },
	{ "v4 expired, hot: pass", "198.51.100.2", IN_HOT, XDP_PASS, ARXDP_STAT_PASS_EXPIRED_V4 },
	{ "v4 timed, hot: drop", "198.51.100.3", IN_HOT, XDP_DROP, ARXDP_STAT_DROP_V4 },
	{ "v4 last hot slot: drop", "198.51.100.4", IN_HOT, XDP_DROP, ARXDP_STAT_DROP_V4 },
	{ "v4 spilled, big: drop", "198.51.100.5", IN_BIG, XDP_DROP, ARXDP_STAT_DROP_V4 },
	{ "v4 expired, big: pass", "198.51.100.6", IN_BIG, XDP_PASS, ARXDP_STAT_PASS_EXPIRED_V4 },
	{ "v4 timed, big: drop", "198.51.100.7", IN_BIG, XDP_DROP, ARXDP_STAT_DROP_V4 },
	{ "v4 miss in both, bit set: pass", "198.51.100.8", NONE, XDP_PASS, ARXDP_STAT_PASS_V4 },
	{ "v6 permanent, hot: drop", "2001:db8::1", IN_HOT, XDP_DROP, ARXDP_STAT_DROP_V6 },
	{ "v6 expired, hot: pass", "2001:db8::2", IN_HOT, XDP_PASS, ARXDP_STAT_PASS_EXPIRED_V6 },
	{ "v6 timed, hot: drop", "2001:db8::3", IN_HOT, XDP_DROP, ARXDP_STAT_DROP_V6 },
	{ "v6 spilled, big: drop", "2001:db8::5", IN_BIG, XDP_DROP, ARXDP_STAT_DROP_V6 },
	{ "v6 expired, big: pass", "2001:db8::6", IN_BIG, XDP_PASS, ARXDP_STAT_PASS_EXPIRED_V6 },
	{ "v6 timed, big: drop", "2001:db8::7", IN_BIG, XDP_DROP, ARXDP_STAT_DROP_V6 },
	{ "v6 miss in both: pass", "2001:db8::8", NONE, XDP_PASS, ARXDP_STAT_PASS_V6 },
};
/* clang-format on */

static void check_row(const struct row *r, bool dry)
{
	struct arxdp_counter before[ARXDP_STAT_MAX], after[ARXDP_STAT_MAX], cb = {}, ca = {};
	int verdict = r->verdict, stat = r->stat, i;
	bool v6 = strchr(r->src, ':') != NULL;
	struct arxdp_addr a;

	if (dry && verdict == XDP_DROP) {
		verdict = XDP_PASS;
		stat = v6 ? ARXDP_STAT_DRYRUN_V6 : ARXDP_STAT_DRYRUN_V4;
	}
	cr_expect_eq(tier_of(r->src), r->tier, "%s: in tier %d", r->desc, tier_of(r->src));
	cr_assert_eq(addr_parse(r->src, &a, NULL, 0), 0);
	cr_assert_eq(bl_counters(&bl, &a, &cb), 0);
	cr_assert_eq(bl_stats(&bl, before), 0);
	cr_expect_eq(pkt_verdict_ok(loader_private_prog_fd(lp), r->src), (__u32)verdict, "%s",
		     r->desc);
	cr_assert_eq(bl_stats(&bl, after), 0);
	for (i = 0; i < ARXDP_STAT_MAX; i++)
		cr_expect_eq(after[i].packets - before[i].packets, i == stat ? 1u : 0u,
			     "%s: counter %d", r->desc, i);
	cr_assert_eq(bl_counters(&bl, &a, &ca), 0);
	cr_expect_eq(ca.packets - cb.packets, r->verdict == XDP_DROP ? 1u : 0u,
		     "%s: the block's own count, read back through its tier", r->desc);
}

ParameterizedTestParameters(tier, table)
{
	return cr_make_param_array(struct row, rows, ARRAY_SIZE(rows));
}

ParameterizedTest(struct row *r, tier, table, .init = setup, .fini = teardown)
{
	check_row(r, false);
}

ParameterizedTestParameters(tier, dry_run)
{
	return cr_make_param_array(struct row, rows, ARRAY_SIZE(rows));
}

ParameterizedTest(struct row *r, tier, dry_run, .init = setup_dry, .fini = teardown)
{
	check_row(r, true);
}

/* The tier map counts exactly the big maps' entries: 3 per family in the fixture. */
Test(tier, counts_are_exact, .init = setup, .fini = teardown)
{
	struct arxdp_tier t = tier_counts();
	struct arxdp_addr a;

	cr_expect_eq(t.big4_entries, 3);
	cr_expect_eq(t.big6_entries, 3);
	cr_assert_eq(addr_parse("198.51.100.5", &a, NULL, 0), 0);
	cr_assert_eq(bl_unblock(&bl, &a), 0);
	cr_assert_eq(addr_parse("198.51.100.1", &a, NULL, 0), 0);
	cr_assert_eq(bl_unblock(&bl, &a), 0, "a hot delete leaves the big count alone");
	t = tier_counts();
	cr_expect_eq(t.big4_entries, 2);
	cr_expect_eq(t.big6_entries, 3);
}

/*
 * The gate is real: an entry written into the big map behind the writers' back (count 0) is
 * never looked up, and the rebuild (what the loader and arxdpd run on an older pin set)
 * counts it, after which it drops. A hot hit never needs the count.
 */
Test(tier, big_map_skipped_at_count_zero)
{
	struct arxdp_block v = { .offenses = 1 };
	struct arxdp_addr a, h;
	uint64_t set;

	open_private(false);
	cr_assert_eq(addr_parse("198.51.100.50", &h, NULL, 0), 0);
	cr_assert_eq(bl_block(&bl, &h, 0, NULL, NULL, NULL), 0);
	cr_assert_eq(addr_parse("198.51.100.51", &a, NULL, 0), 0);
	cr_assert_eq(bpf_map_update_elem(bl.fd_block4, a.a, &v, BPF_ANY), 0);
	cr_expect_eq(tier_counts().big4_entries, 0);
	cr_expect_eq(pkt_verdict_ok(loader_private_prog_fd(lp), "198.51.100.51"), XDP_PASS,
		     "uncounted: the program skips the big map");
	cr_expect_eq(pkt_verdict_ok(loader_private_prog_fd(lp), "198.51.100.50"), XDP_DROP);
	cr_assert_eq(bl_pf_rebuild(&bl, &set), 0);
	cr_expect_eq(tier_counts().big4_entries, 1);
	cr_expect_eq(pkt_verdict_ok(loader_private_prog_fd(lp), "198.51.100.51"), XDP_DROP);
	cr_assert_eq(bl_unblock(&bl, &a), 0);
	cr_expect_eq(tier_counts().big4_entries, 0);
	cr_expect_eq(pkt_verdict_ok(loader_private_prog_fd(lp), "198.51.100.51"), XDP_PASS);
	teardown();
}

/*
 * A pin set made before the hot tier (its three pins removed, blocks in the big maps only):
 * writers of that set keep to the big maps; the next load creates the hot maps and the tier
 * map, counts the big entries before it pins the program, so every older block drops at once;
 * a new block then goes to the hot map.
 */
Test(tier, older_pin_set_is_completed, .fini = tu_rm_pin_dir)
{
	struct loader_opts o = { .capacity_v4 = 1024, .capacity_v6 = 1024, .cidr_capacity = 16 };
	const char *names[] = {
		ARXDP_MAP_BLOCK4, ARXDP_MAP_BLOCK6, ARXDP_MAP_CIDR4,	 ARXDP_MAP_CIDR6,
		ARXDP_MAP_STATS,  ARXDP_MAP_META,   ARXDP_MAP_PREFILTER, ARXDP_MAP_PFCOUNT,
		ARXDP_PIN_PROG,	  ".lock",	    ARXDP_MAP_HOT4,	 ARXDP_MAP_HOT6,
		ARXDP_MAP_TIER
	};
	struct arxdp_addr a, b, c;
	const char *dir;
	char p[128];
	int fd = -1, fd2 = -1;
	size_t i;

	if (geteuid() != 0)
		cr_skip_test("pinning needs root");
	log_init("test", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	dir = tu_pin_dir("tier");
	o.pin_dir = dir;
	cr_assert_eq(loader_get_prog(&o, &fd), 0);
	for (i = 10; i < ARRAY_SIZE(names); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		cr_assert_eq(unlink(p), 0, "unpin %s", names[i]);
	}
	cr_assert_eq(bl_open(&bl, dir), 0);
	cr_expect(bl.fd_hot4 < 0 && bl.fd_hot6 < 0 && bl.fd_tier < 0, "no hot tier in this set");
	cr_assert_eq(addr_parse("198.51.100.90", &a, NULL, 0), 0);
	cr_assert_eq(addr_parse("2001:db8::90", &b, NULL, 0), 0);
	cr_assert_eq(bl_block(&bl, &a, 0, NULL, NULL, NULL), 0);
	cr_assert_eq(bl_block(&bl, &b, 0, NULL, NULL, NULL), 0);
	cr_expect_eq(tier_of("198.51.100.90"), IN_BIG, "the older set's writers use the big map");
	bl_close(&bl);
	o.reload = true;
	cr_assert_eq(loader_get_prog(&o, &fd2), 0);
	cr_expect_eq(pkt_verdict_ok(fd2, "198.51.100.90"), XDP_DROP, "the older set's block drops");
	cr_expect_eq(pkt_verdict_ok(fd2, "2001:db8::90"), XDP_DROP);
	cr_assert_eq(bl_open(&bl, dir), 0);
	cr_expect(bl.fd_hot4 >= 0 && bl.fd_hot6 >= 0 && bl.fd_tier >= 0, "the tier was created");
	cr_expect_eq(tier_counts().big4_entries, 1, "and counted");
	cr_expect_eq(tier_counts().big6_entries, 1);
	cr_assert_eq(addr_parse("198.51.100.91", &c, NULL, 0), 0);
	cr_assert_eq(bl_block(&bl, &c, 0, NULL, NULL, NULL), 0);
	cr_expect_eq(tier_of("198.51.100.91"), IN_HOT);
	cr_expect_eq(pkt_verdict_ok(fd2, "198.51.100.91"), XDP_DROP);
	cr_assert_eq(bl_unblock(&bl, &a), 0);
	cr_expect_eq(tier_of("198.51.100.90"), NONE);
	cr_expect_eq(tier_counts().big4_entries, 0);
	bl_close(&bl);
	close(fd);
	close(fd2);
}

/*
 * Writes in one lock hold (the daemon's bursts), where the counts are read once and written
 * ahead of the inserts, against the maps themselves after every step: no key in both tiers,
 * every count never below the entries (in a hold: counts are written ahead) and exact once
 * the lock is released (and at every step without a hold; the IPv4 hot count only never low
 * where a step forced it high, as an interrupted writer leaves it), every block dropping and
 * every unblocked address passing. Steps: "+addr" block, "-addr" unblock, "F4" the IPv4 hot
 * count forced to full.
 */
struct hold_row {
	char desc[64];
	bool hold; /* all steps under one bl_lock() */
	char steps[12][24];
	int e2big_at; /* the step refused as full (-ENOSPC), -1 none */
};

/* clang-format off */
static struct hold_row hold_rows[] = {
	{ "fill hot, spill to big, one hold", true,
	  { "+198.51.100.1", "+198.51.100.2", "+198.51.100.3", "+198.51.100.4", "+198.51.100.5",
	    "+198.51.101.6" }, -1 },
	{ "the same, a lock per write", false,
	  { "+198.51.100.1", "+198.51.100.2", "+198.51.100.3", "+198.51.100.4", "+198.51.100.5",
	    "+198.51.101.6" }, -1 },
	{ "extend, unblock, block again", true,
	  { "+198.51.100.1", "+198.51.100.1", "-198.51.100.1", "+198.51.100.1", "+198.51.100.2",
	    "-198.51.100.2" }, -1 },
	{ "a hot delete frees room for the next", true,
	  { "+198.51.100.1", "+198.51.100.2", "+198.51.100.3", "+198.51.100.4", "-198.51.100.2",
	    "+198.51.100.9", "+198.51.100.10" }, -1 },
	{ "hot counted full with room: to big", true,
	  { "+198.51.100.1", "F4", "+198.51.100.2", "+198.51.100.1", "-198.51.100.1",
	    "+198.51.100.3" }, -1 },
	{ "big emptied in the hold, then hot again", true,
	  { "+198.51.100.1", "+198.51.100.2", "+198.51.100.3", "+198.51.100.4", "+198.51.100.5",
	    "-198.51.100.5", "-198.51.100.4", "+198.51.100.6", "+198.51.100.5" }, -1 },
	{ "both families in one hold", true,
	  { "+2001:db8::1", "+198.51.100.1", "+2001:db8::2", "+2001:db8::3", "+2001:db8::4",
	    "+2001:db8::5", "-2001:db8::1", "+2001:db8::1" }, -1 },
};
/* clang-format on */

ParameterizedTestParameters(tier, one_hold_keeps_counts)
{
	return cr_make_param_array(struct hold_row, hold_rows, ARRAY_SIZE(hold_rows));
}

/* Entries of map fd; each key's prefilter slot counted into slots (a count per slot). */
static uint32_t walk(int fd, size_t ksz, uint32_t *slots, size_t *nslots)
{
	uint8_t k[16], next[16];
	uint32_t n = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		slots[(*nslots)++] = ksz == 4 ? arxdp_pf_slot4(next) : arxdp_pf_slot6(next);
		memcpy(k, next, ksz);
		prev = k;
		n++;
	}
	return n;
}

/* Counts: equal to the entries (exact), else never below them. */
#define expect_count(exact, got, want, ...)                    \
	do {                                                   \
		if (exact)                                     \
			cr_expect_eq(got, want, __VA_ARGS__);  \
		else                                           \
			cr_expect_geq(got, want, __VA_ARGS__); \
	} while (0)

static void check_hold(const struct hold_row *r, int step, bool forced, bool exact)
{
	const int fds[4] = { bl.fd_hot4, bl.fd_block4, bl.fd_hot6, bl.fd_block6 };
	struct arxdp_tier t = tier_counts();
	uint32_t slots[256], n[4], cnt, key, next;
	size_t ns = 0, i, j, same;
	void *prev = NULL;

	for (i = 0; i < 4; i++)
		n[i] = walk(fds[i], i < 2 ? 4 : 16, slots, &ns);
	expect_count(exact && !forced, t.hot4_entries, n[0], "%s, step %d: hot4 count", r->desc,
		     step);
	expect_count(exact, t.big4_entries, n[1], "%s, step %d: big4 count", r->desc, step);
	expect_count(exact, t.hot6_entries, n[2], "%s, step %d: hot6 count", r->desc, step);
	expect_count(exact, t.big6_entries, n[3], "%s, step %d: big6 count", r->desc, step);
	for (i = 0; i < ns; i++) {
		for (same = 0, j = 0; j < ns; j++)
			same += slots[j] == slots[i];
		cnt = 0;
		bpf_map_lookup_elem(bl.fd_pfcount, &slots[i], &cnt);
		expect_count(exact, cnt, same, "%s, step %d: slot %u count", r->desc, step,
			     slots[i]);
		cr_expect((bl.pf[slots[i] / 64] >> (slots[i] % 64)) & 1, "%s, step %d: slot bit",
			  r->desc, step);
	}
	/* No count for a slot without an entry. */
	while (!bpf_map_get_next_key(bl.fd_pfcount, prev, &next)) {
		for (same = 0, j = 0; j < ns; j++)
			same += slots[j] == next;
		cr_expect(same, "%s, step %d: slot %u counted without an entry", r->desc, step,
			  next);
		key = next;
		prev = &key;
	}
}

ParameterizedTest(struct hold_row *r, tier, one_hold_keeps_counts, .fini = teardown)
{
	struct bl_reason why = { .origin = ARXDP_ORIGIN_CLI };
	bool forced = false;
	struct arxdp_addr a;
	int i, err, prog;

	open_private(false);
	prog = loader_private_prog_fd(lp);
	if (r->hold)
		cr_assert_eq(bl_lock(&bl), 0);
	for (i = 0; i < (int)ARRAY_SIZE(r->steps) && r->steps[i][0]; i++) {
		const char *s = r->steps[i] + 1;

		if (r->steps[i][0] == 'F') {
			struct arxdp_tier t = tier_counts();
			__u32 zero = 0;

			/* Behind this writer's back, as a crash between count and insert leaves
			 * it; a writer holding the lock then sees it at its next lock hold only,
			 * so the hold is taken anew. */
			t.hot4_entries = HOT;
			if (r->hold)
				bl_unlock(&bl);
			cr_assert_eq(bpf_map_update_elem(bl.fd_tier, &zero, &t, BPF_ANY), 0);
			if (r->hold)
				cr_assert_eq(bl_lock(&bl), 0);
			forced = true;
			continue;
		}
		cr_assert_eq(addr_parse(s, &a, NULL, 0), 0);
		err = r->steps[i][0] == '+' ? bl_block(&bl, &a, 0, &why, NULL, NULL) :
					      bl_unblock(&bl, &a);
		cr_expect_eq(err, i == r->e2big_at ? -ENOSPC : 0, "%s, step %d (%s)", r->desc, i,
			     r->steps[i]);
		check_hold(r, i, forced, !r->hold);
		cr_expect_eq(pkt_verdict_ok(prog, s), r->steps[i][0] == '+' ? XDP_DROP : XDP_PASS,
			     "%s, step %d: %s's verdict", r->desc, i, s);
		tier_of(s); /* never in both */
	}
	if (r->hold)
		bl_unlock(&bl);
	check_hold(r, i, forced, true); /* the exact counts written back at the unlock */
}

/* The family's capacity (64) bounds both tiers: a refused block leaves every count as it was. */
Test(tier, full_family_leaves_counts, .fini = teardown)
{
	struct arxdp_tier before, after;
	struct arxdp_addr a;
	uint32_t slot, cnt_before = 0, cnt_after = 0;
	char buf[32];
	int i;

	open_private(false);
	cr_assert_eq(bl_lock(&bl), 0);
	for (i = 0; i < 64; i++) {
		snprintf(buf, sizeof(buf), "198.51.100.%d", i + 1);
		cr_assert_eq(addr_parse(buf, &a, NULL, 0), 0);
		cr_assert_eq(bl_block(&bl, &a, 0, NULL, NULL, NULL), 0, "%s", buf);
	}
	before = tier_counts();
	cr_expect_eq(before.hot4_entries + before.big4_entries, 64);
	for (i = 0; i < 2; i++) {
		/* A slot with entries, and a new one. */
		cr_assert_eq(addr_parse(i ? "198.51.102.1" : "198.51.100.200", &a, NULL, 0), 0);
		slot = arxdp_pf_slot4(a.a);
		cnt_before = 0;
		bpf_map_lookup_elem(bl.fd_pfcount, &slot, &cnt_before);
		cr_expect_eq(bl_block(&bl, &a, 0, NULL, NULL, NULL), -ENOSPC);
		after = tier_counts();
		cr_expect_eq(memcmp(&before, &after, sizeof(before)), 0, "tier counts unchanged");
		cnt_after = 0;
		bpf_map_lookup_elem(bl.fd_pfcount, &slot, &cnt_after);
		cr_expect_eq(cnt_after, cnt_before, "the slot's count unchanged");
		cr_expect_eq((bl.pf[slot / 64] >> (slot % 64)) & 1, !!cnt_before, "its bit too");
		cr_expect_eq(pkt_verdict_ok(loader_private_prog_fd(lp),
					    i ? "198.51.102.1" : "198.51.100.200"),
			     XDP_PASS);
	}
	bl_unlock(&bl);
}
