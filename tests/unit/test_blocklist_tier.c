// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the writers' rules of the two exact tiers, through the real blocklist
 * API on private maps whose hot maps hold 8 entries per family: a new block goes to the hot
 * map while it has room, else to the big one; an update stays where the entry lives; a delete
 * removes it from there; the tier map counts the big maps exactly; walks, counts and flush see
 * one list; and, under a seeded random mix of every writer, a key is never in both tiers.
 * Needs root (private BPF maps).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "arxdp.h"
#include "blocklist.h"
#include "loader.h"
#include "log.h"
#include "util.h"

#define HOT 8
#define POOL 24

static struct loader_private *lp;
static struct blocklist bl;

static void setup(void)
{
	struct loader_opts o = {
		.capacity_v4 = 64, .capacity_v6 = 64, .cidr_capacity = 16, .hot_capacity = HOT
	};

	if (geteuid() != 0)
		cr_skip_test("private BPF maps need root");
	log_init("test", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	cr_assert_eq(loader_private_open(&o, &lp), 0);
	cr_assert_eq(loader_private_blocklist(lp, &bl), 0);
	cr_assert(bl.fd_hot4 >= 0 && bl.fd_tier >= 0);
}

static void teardown(void)
{
	bl_close(&bl);
	loader_private_close(lp);
	lp = NULL;
}

/* Pool address i of a family: 198.51.100.(10 + i) or 2001:db8::(10 + i). */
static struct arxdp_addr pool(int v6, int i)
{
	struct arxdp_addr a;
	char s[48];

	snprintf(s, sizeof(s), v6 ? "2001:db8::%x" : "198.51.100.%d", 10 + i);
	cr_assert_eq(addr_parse(s, &a, NULL, 0), 0);
	return a;
}

enum { NONE = 0, HOT_T = 1, BIG_T = 2 };

static int where(const struct arxdp_addr *a)
{
	struct arxdp_block v;
	bool hot = !bpf_map_lookup_elem(a->family == 4 ? bl.fd_hot4 : bl.fd_hot6, a->a, &v);
	bool big = !bpf_map_lookup_elem(a->family == 4 ? bl.fd_block4 : bl.fd_block6, a->a, &v);

	return (hot ? HOT_T : 0) | (big ? BIG_T : 0);
}

static struct arxdp_tier counts(void)
{
	struct arxdp_tier t;
	__u32 zero = 0;

	cr_assert_eq(bpf_map_lookup_elem(bl.fd_tier, &zero, &t), 0);
	return t;
}

static void block(const struct arxdp_addr *a, uint32_t timeout, enum bl_result *res)
{
	struct bl_reason why = { .rule_id = 100, .level = 7, .origin = ARXDP_ORIGIN_CLI };

	cr_assert_eq(bl_block(&bl, a, timeout, &why, res, NULL), 0);
}

Test(tier, new_blocks_fill_hot_then_spill, .init = setup, .fini = teardown)
{
	struct arxdp_addr a;
	int i;

	for (i = 0; i < HOT + 3; i++) {
		a = pool(0, i);
		block(&a, 0, NULL);
		cr_expect_eq(where(&a), i < HOT ? HOT_T : BIG_T, "block %d", i);
	}
	cr_expect_eq(counts().big4_entries, 3);
	cr_expect_eq(counts().big6_entries, 0);
}

/*
 * An update (extension) stays in the tier the entry lives in, even once the hot map has room
 * again; the freed hot slot goes to the next new block.
 */
Test(tier, update_in_place_delete_where_it_is, .init = setup, .fini = teardown)
{
	struct arxdp_addr a, spilled = pool(0, HOT), fresh = pool(0, HOT + 1), first = pool(0, 0);
	enum bl_result r;
	struct arxdp_block v;
	int i;

	for (i = 0; i <= HOT; i++) {
		a = pool(0, i);
		block(&a, 600, NULL);
	}
	cr_assert_eq(where(&spilled), BIG_T);
	block(&spilled, 600, &r);
	cr_expect_eq(r, BL_EXTENDED);
	cr_expect_eq(where(&spilled), BIG_T);
	cr_assert_eq(bl_unblock(&bl, &first), 0);
	cr_expect_eq(where(&first), NONE);
	block(&spilled, 0, &r);
	cr_expect_eq(r, BL_EXTENDED);
	cr_expect_eq(where(&spilled), BIG_T, "not moved by an update");
	cr_assert_eq(bl_get(&bl, &spilled, &v), 0);
	cr_expect_eq(v.offenses, 3);
	cr_expect_eq(v.expires_ns, 0, "made permanent in place");
	block(&fresh, 0, &r);
	cr_expect_eq(r, BL_NEW);
	cr_expect_eq(where(&fresh), HOT_T, "the freed hot slot");
	cr_expect_eq(counts().big4_entries, 1);
	cr_assert_eq(bl_unblock(&bl, &spilled), 0);
	cr_expect_eq(where(&spilled), NONE);
	cr_expect_eq(counts().big4_entries, 0, "a big delete uncounts");
	cr_expect_eq(bl_unblock(&bl, &spilled), -ENOENT);
}

/* Every field survives the hot map's own layout, both ways, and the program's counts too. */
Test(tier, hot_value_round_trip, .init = setup, .fini = teardown)
{
	struct bl_reason why = { .rule_id = 5712,
				 .level = 10,
				 .origin = ARXDP_ORIGIN_FIREWALL_DROP,
				 .seq = 77,
				 .keys = ARXDP_KEY_MAPPED };
	struct arxdp_block v, w,
		put = { .expires_ns = 123456789,
			.added_ns = 42,
			.seq = 9,
			.timeout_s = 30,
			.rule_id = 31,
			.offenses = 4,
			.level = 5,
			.origin = ARXDP_ORIGIN_STATE,
			.keys = 3,
			.packets = 1000,
			.bytes = 64000 };
	struct arxdp_addr a = pool(1, 0), b = pool(1, 1);

	cr_assert_eq(bl_block(&bl, &a, 90, &why, NULL, &v), 0);
	cr_assert_eq(where(&a), HOT_T);
	cr_assert_eq(bl_get(&bl, &a, &w), 0);
	cr_expect_eq(w.prefixlen, 128);
	v.prefixlen = 128; /* set by the write, not in what bl_block returns */
	cr_expect_eq(memcmp(&v, &w, sizeof(v)), 0, "what bl_block wrote is what bl_get reads");
	cr_expect_eq(w.rule_id, 5712);
	cr_expect_eq(w.seq, 77);
	cr_expect_eq(w.keys, ARXDP_KEY_MAPPED);
	cr_expect_eq(w.timeout_s, 90);
	cr_assert_eq(bl_lock(&bl), 0);
	cr_assert_eq(bl_put(&bl, &b, &put), 0);
	bl_unlock(&bl);
	cr_assert_eq(where(&b), HOT_T);
	cr_assert_eq(bl_get(&bl, &b, &w), 0);
	put.prefixlen = 128;
	cr_expect_eq(memcmp(&put, &w, sizeof(w)), 0, "a state restore's value, read back");
}

struct seen {
	int n, hot_bits;
};

static int count_cb(const struct bl_entry *e, void *ctx)
{
	struct seen *s = ctx;

	s->n++;
	if (e->v.rule_id == 100 && e->v.offenses == 1)
		s->hot_bits++;
	return 0;
}

/* Walks, fill counts and flush see the two tiers as one list. */
Test(tier, one_list_for_walks_and_flush, .init = setup, .fini = teardown)
{
	struct seen s = {};
	struct bl_fill f;
	struct arxdp_addr a;
	uint64_t removed;
	int i, v6;

	for (v6 = 0; v6 < 2; v6++)
		for (i = 0; i < HOT + 5; i++) {
			a = pool(v6, i);
			block(&a, 0, NULL);
		}
	cr_assert_eq(bl_foreach(&bl, count_cb, &s), 0);
	cr_expect_eq(s.n, 2 * (HOT + 5));
	cr_expect_eq(s.hot_bits, 2 * (HOT + 5), "every value read back whole");
	cr_assert_eq(bl_fill(&bl, &f), 0);
	cr_expect_eq(f.block4, HOT + 5);
	cr_expect_eq(f.block6, HOT + 5);
	cr_expect_eq(f.hot4, HOT);
	cr_expect_eq(f.hot6, HOT);
	cr_assert_eq(bl_flush(&bl, &removed), 0);
	cr_expect_eq(removed, 2 * (HOT + 5));
	cr_assert_eq(bl_fill(&bl, &f), 0);
	cr_expect_eq(f.block4 + f.block6, 0);
	cr_expect_eq(counts().big4_entries, 0);
	cr_expect_eq(counts().big6_entries, 0);
}

/*
 * A bulk load that crosses the hot map's last slot, naming some addresses twice: each key is
 * written once, in one tier, every item succeeds, and the count of the big map is exact.
 */
Test(tier, bulk_load_spills_once_per_key, .init = setup, .fini = teardown)
{
	struct bl_item items[12];
	struct arxdp_addr a;
	uint64_t loaded;
	int errs[12], i, in_hot = 0, in_big = 0;

	for (i = 0; i < HOT - 2; i++) {
		a = pool(0, i);
		block(&a, 0, NULL);
	}
	memset(items, 0, sizeof(items));
	for (i = 0; i < 12; i++) {
		items[i].addr = pool(0, HOT - 2 + i % 6); /* 6 new keys, each twice */
		items[i].timeout_s = 60;
	}
	items[3].addr = pool(0, 0); /* one that lives in hot already */
	cr_assert_eq(bl_block_many(&bl, items, 12, NULL, errs, &loaded), 0);
	cr_expect_eq(loaded, 12);
	for (i = 0; i < 12; i++)
		cr_expect_eq(errs[i], 0, "item %d: %d", i, errs[i]);
	for (i = 0; i < POOL; i++) {
		a = pool(0, i);
		cr_expect_neq(where(&a), HOT_T | BIG_T, "address %d in both tiers", i);
		in_hot += where(&a) == HOT_T;
		in_big += where(&a) == BIG_T;
	}
	cr_expect_eq(in_hot, HOT);
	cr_expect_eq(in_big, HOT - 2 + 6 - HOT);
	cr_expect_eq(counts().big4_entries, (uint32_t)in_big);
}

/*
 * A seeded mix of every writer (single blocks, expired state restores, unblocks, bulk loads
 * with repeats, full sweeps, flushes) over two small pools, the hot maps full most of the time:
 * after every step each key lives in at most one tier, the walk sees exactly the model's keys
 * and the tier map counts the big maps exactly.
 */
Test(tier, never_in_both_tiers, .init = setup, .fini = teardown)
{
	bool model[2][POOL] = {};
	unsigned int seed = 16;
	int step, i, v6, k;

	for (step = 0; step < 600; step++) {
		int op = rand_r(&seed) % 10, idx = rand_r(&seed) % POOL, fam = rand_r(&seed) % 2;
		struct arxdp_addr a = pool(fam, idx);
		struct arxdp_block v = { .offenses = 1, .expires_ns = 1, .timeout_s = 1 };
		struct bl_item items[6];
		int errs[6];
		uint64_t n;
		uint32_t swept;

		if (op < 4) {
			block(&a, rand_r(&seed) % 2 ? 3600 : 0, NULL);
			model[fam][idx] = true;
		} else if (op == 4) {
			/* An expired entry, as a state restore of a stale one writes it. */
			cr_assert_eq(bl_lock(&bl), 0);
			cr_assert_eq(bl_put(&bl, &a, &v), 0);
			bl_unlock(&bl);
			model[fam][idx] = true;
		} else if (op < 7) {
			cr_expect_eq(bl_unblock(&bl, &a), model[fam][idx] ? 0 : -ENOENT);
			model[fam][idx] = false;
		} else if (op == 7) {
			memset(items, 0, sizeof(items));
			for (k = 0; k < 6; k++) {
				int j = rand_r(&seed) % POOL;

				items[k].addr = pool(fam, j);
				model[fam][j] = true;
			}
			cr_assert_eq(bl_block_many(&bl, items, 6, NULL, errs, &n), 0);
			cr_expect_eq(n, 6);
		} else if (op == 8) {
			cr_assert_eq(bl_sweep(&bl, mono_now_ns(), UINT32_MAX, NULL, NULL, &swept),
				     0);
			/* Only the op-4 entries are expired; they are gone now. */
			for (v6 = 0; v6 < 2; v6++)
				for (i = 0; i < POOL; i++) {
					struct arxdp_addr b = pool(v6, i);
					struct arxdp_block w;

					if (model[v6][i] && bl_get(&bl, &b, &w) == -ENOENT)
						model[v6][i] = false;
				}
		} else if (rand_r(&seed) % 4 == 0) {
			cr_assert_eq(bl_flush(&bl, &n), 0);
			memset(model, 0, sizeof(model));
		}
		for (v6 = 0; v6 < 2; v6++) {
			uint32_t big = 0, hot = 0;
			uint32_t want = v6 ? counts().big6_entries : counts().big4_entries;

			for (i = 0; i < POOL; i++) {
				struct arxdp_addr b = pool(v6, i);
				int w = where(&b);

				cr_assert_neq(w, HOT_T | BIG_T, "step %d (op %d): %d/%d in both",
					      step, op, v6, i);
				cr_assert_eq(w != NONE, model[v6][i], "step %d (op %d): %d/%d",
					     step, op, v6, i);
				big += w == BIG_T;
				hot += w == HOT_T;
			}
			cr_assert_eq(big, want, "step %d (op %d): family %d: %u in big, counted %u",
				     step, op, v6, big, want);
			want = v6 ? counts().hot6_entries : counts().hot4_entries;
			cr_assert_eq(hot, want, "step %d (op %d): family %d: %u in hot, counted %u",
				     step, op, v6, hot, want);
		}
	}
}

/*
 * capacity_v4 bounds the two tiers together (what the operator configured is the most blocks a
 * family holds), one by one and in bulk; a delete in either tier makes room again.
 */
Test(tier, capacity_bounds_both_tiers)
{
	struct loader_opts o = {
		.capacity_v4 = 12, .capacity_v6 = 64, .cidr_capacity = 16, .hot_capacity = HOT
	};
	struct bl_item items[6];
	struct arxdp_addr a;
	enum bl_result r;
	uint64_t loaded;
	int errs[6], i;

	if (geteuid() != 0)
		cr_skip_test("private BPF maps need root");
	log_init("test", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	cr_assert_eq(loader_private_open(&o, &lp), 0);
	cr_assert_eq(loader_private_blocklist(lp, &bl), 0);
	for (i = 0; i < 10; i++) {
		a = pool(0, i);
		block(&a, 0, NULL);
	}
	memset(items, 0, sizeof(items));
	for (i = 0; i < 6; i++)
		items[i].addr = pool(0, 10 + i);
	cr_assert_eq(bl_block_many(&bl, items, 6, NULL, errs, &loaded), 0);
	cr_expect_eq(loaded, 2, "room for 2 of 6");
	for (i = 0; i < 6; i++)
		cr_expect_eq(errs[i], i < 2 ? 0 : -ENOSPC, "item %d: %d", i, errs[i]);
	cr_expect_eq(counts().hot4_entries + counts().big4_entries, 12);
	a = pool(0, 20);
	cr_expect_eq(bl_block(&bl, &a, 0, NULL, NULL, NULL), -ENOSPC, "full at 12");
	cr_expect_eq(where(&a), NONE);
	a = pool(0, 1);
	block(&a, 0, &r);
	cr_expect_eq(r, BL_EXTENDED, "a full family still extends its hot blocks");
	a = pool(0, 11);
	block(&a, 0, &r);
	cr_expect_eq(r, BL_EXTENDED, "and its big ones");
	a = pool(0, 0);
	cr_assert_eq(bl_unblock(&bl, &a), 0);
	a = pool(0, 20);
	cr_expect_eq(bl_block(&bl, &a, 0, NULL, NULL, NULL), 0, "a hot delete made room");
	cr_expect_eq(where(&a), HOT_T);
	a = pool(0, 21);
	cr_expect_eq(bl_block(&bl, &a, 0, NULL, NULL, NULL), -ENOSPC);
	a = pool(0, 11);
	cr_assert_eq(where(&a), BIG_T);
	cr_assert_eq(bl_unblock(&bl, &a), 0);
	a = pool(0, 21);
	cr_expect_eq(bl_block(&bl, &a, 0, NULL, NULL, NULL), 0, "so did a big one");
	cr_expect_eq(where(&a), BIG_T, "the hot map is full: the big one takes it");
	teardown();
}
