// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the prefilter's false-negative tests: random blocks written and removed
 * through the real blocklist API (single, bulk, unblock, flush slices, sweep; both families,
 * prefixes mixed in, IPv6 /64s chosen to collide in one slot), after which every blocked
 * address must drop and every other pass, through BPF_PROG_TEST_RUN on a private instance;
 * the slot counts must be exact (a slot with no block has its bit clear). Then the crash
 * orders: a bit without an entry passes, an entry is never written before its bit, and the
 * rebuild makes an entry written behind the prefilter's back reachable. Needs root.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdlib.h>
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
#include "testutil.h"

#define POOL 192

static struct loader_private *lp;
static struct blocklist bl;

static void setup(void)
{
	struct loader_opts o = {
		.capacity_v4 = 4096, .capacity_v6 = 4096, .cidr_capacity = 64, .hot_capacity = 1024
	};

	if (geteuid() != 0)
		cr_skip_test("BPF_PROG_TEST_RUN needs root");
	log_init("test", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	cr_assert_eq(loader_private_open(&o, &lp), 0, "load the XDP program");
	cr_assert_eq(loader_private_blocklist(lp, &bl), 0);
	cr_assert_not_null(bl.pf, "a private instance maps its prefilter");
}

static void teardown(void)
{
	bl_close(&bl);
	loader_private_close(lp);
	lp = NULL;
}

static __u32 run_fd(int prog_fd, const struct arxdp_addr *a)
{
	struct pkt_spec s = { .ethertype = a->family == 4 ? ETH_P_IP : ETH_P_IPV6 };
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	uint8_t buf[PKT_MAX];
	struct arxdp_addr h = *a;

	h.prefixlen = a->family == 4 ? 32 : 128;
	addr_format(&h, s.src, sizeof(s.src));
	opts.data_in = buf;
	opts.data_size_in = pkt_build(&s, buf);
	opts.repeat = 1;
	cr_assert_eq(bpf_prog_test_run_opts(prog_fd, &opts), 0);
	return opts.retval;
}

static __u32 verdict_of(const struct arxdp_addr *a)
{
	return run_fd(loader_private_prog_fd(lp), a);
}

static uint32_t slot_of(const struct arxdp_addr *a)
{
	return a->family == 4 ? arxdp_pf_slot4(a->a) : arxdp_pf_slot6(a->a);
}

static bool bit_of(uint32_t slot)
{
	return (__atomic_load_n(&bl.pf[slot / 64], __ATOMIC_RELAXED) >> (slot % 64)) & 1;
}

/* Two /64s of 2001:2:: whose slots collide: found by search, as a hash gives them. */
static void colliding_64s(uint16_t *x, uint16_t *y)
{
	static uint32_t seen[65536];
	uint8_t a[16] = { 0x20, 0x01, 0x00, 0x02 };
	uint32_t k, j;

	for (k = 0; k < 65536; k++) {
		a[6] = k >> 8;
		a[7] = k & 0xff;
		seen[k] = arxdp_pf_slot6(a);
		for (j = 0; j < k; j++) {
			if (seen[j] == seen[k]) {
				*x = j;
				*y = k;
				return;
			}
		}
	}
	cr_assert_fail("no two /64s of 2001:2::/48 collide");
}

struct fn_row {
	char desc[64];
	unsigned int seed;
	int ops;
	int v6_percent; /* share of IPv6 addresses in the pool */
	int cidr_percent; /* share of operations on prefixes */
	bool collide; /* IPv6 pool from two /64s of one slot */
};

/* clang-format off */
static struct fn_row fn_rows[] = {
	{ "IPv4 only, dense /24s", 1, 600, 0, 0, false },
	{ "IPv6 only, two colliding /64s", 2, 600, 100, 0, true },
	{ "both families, prefixes mixed in", 3, 800, 50, 10, true },
	{ "both families, many slots", 4, 800, 50, 5, false },
	{ "churn: mostly removals", 5, 1500, 40, 5, true },
};
/* clang-format on */

ParameterizedTestParameters(prefilter, no_false_negative)
{
	return cr_make_param_array(struct fn_row, fn_rows, ARRAY_SIZE(fn_rows));
}

struct model {
	struct arxdp_addr pool[POOL], cidr[8];
	bool blocked[POOL], cidr_on[8];
	int ncidr;
};

static void make_pool(struct model *md, const struct fn_row *r, uint16_t c6a, uint16_t c6b)
{
	char s[64];
	int i;

	for (i = 0; i < POOL; i++) {
		bool v6 = (rand() % 100) < r->v6_percent;

		if (v6 && r->collide)
			snprintf(s, sizeof(s), "2001:2:0:%x::%x", (i & 1) ? c6a : c6b, i + 1);
		else if (v6)
			snprintf(s, sizeof(s), "2001:2:0:%x::%x", rand() % 64, i + 1);
		else /* few /24s, so slots hold many addresses */
			snprintf(s, sizeof(s), "198.18.%d.%d", rand() % 4, i + 1);
		cr_assert_eq(addr_parse(s, &md->pool[i], NULL, 0), 0, "%s", s);
	}
	/* Prefixes over other addresses than the pool's, plus one over pool addresses. */
	md->ncidr = 0;
	cr_assert_eq(addr_parse("198.19.1.0/24", &md->cidr[md->ncidr++], NULL, 0), 0);
	cr_assert_eq(addr_parse("2001:2:1:5::/64", &md->cidr[md->ncidr++], NULL, 0), 0);
	cr_assert_eq(addr_parse("198.18.3.128/25", &md->cidr[md->ncidr++], NULL, 0), 0);
}

static bool expect_drop(const struct model *md, const struct arxdp_addr *a, int i)
{
	int c;

	if (i >= 0 && md->blocked[i])
		return true;
	for (c = 0; c < md->ncidr; c++)
		if (md->cidr_on[c] && addr_in_prefix(a, &md->cidr[c]))
			return true;
	return false;
}

static void step(struct model *md, const struct fn_row *r)
{
	struct bl_reason why = { .origin = ARXDP_ORIGIN_CLI };
	int op = rand() % 100, i = rand() % POOL, err;

	if (op < r->cidr_percent) {
		int c = rand() % md->ncidr;

		if (md->cidr_on[c])
			err = bl_unblock(&bl, &md->cidr[c]);
		else
			err = bl_block(&bl, &md->cidr[c], 0, &why, NULL, NULL);
		cr_assert_eq(err, 0, "prefix write");
		md->cidr_on[c] = !md->cidr_on[c];
	} else if (op < 50) {
		cr_assert_eq(bl_block(&bl, &md->pool[i], rand() % 2 ? 3600 : 0, &why, NULL, NULL),
			     0);
		md->blocked[i] = true;
	} else if (op < 60) {
		struct bl_item items[16];
		int errs[16], n = 1 + rand() % 16, k, idx[16];
		uint64_t loaded;

		for (k = 0; k < n; k++) {
			idx[k] = rand() % POOL;
			items[k].addr = md->pool[idx[k]];
			items[k].timeout_s = 600;
		}
		cr_assert_eq(bl_block_many(&bl, items, n, &why, errs, &loaded), 0);
		for (k = 0; k < n; k++) {
			cr_assert_eq(errs[k], 0);
			md->blocked[idx[k]] = true;
		}
	} else if (op < 90) {
		err = bl_unblock(&bl, &md->pool[i]);
		cr_assert_eq(err, md->blocked[i] ? 0 : -ENOENT, "unblock %d", i);
		md->blocked[i] = false;
	} else if (op < 95) {
		/* Expired behind the sweep's back, then swept. */
		struct arxdp_block v = { .offenses = 1, .timeout_s = 1 };
		uint32_t swept;

		v.expires_ns = mono_now_ns() - NSEC_PER_SEC;
		cr_assert_eq(bl_lock(&bl), 0);
		cr_assert_eq(bl_put(&bl, &md->pool[i], &v), 0);
		bl_unlock(&bl);
		cr_assert_eq(bl_sweep(&bl, mono_now_ns(), UINT32_MAX, NULL, NULL, &swept), 0);
		md->blocked[i] = false;
	} else if (op < 97) {
		uint64_t n;

		cr_assert_eq(bl_flush(&bl, &n), 0);
		memset(md->blocked, 0, sizeof(md->blocked));
		memset(md->cidr_on, 0, sizeof(md->cidr_on));
	} else {
		cr_assert_eq(bl_block(&bl, &md->pool[i], 60, &why, NULL, NULL), 0);
		md->blocked[i] = true;
	}
}

static void check_all(const struct model *md, int at)
{
	char buf[ADDR_STRLEN];
	int i, j;

	for (i = 0; i < POOL; i++) {
		const struct arxdp_addr *a = &md->pool[i];
		bool want = expect_drop(md, a, i), any = false;

		cr_assert_eq(verdict_of(a), want ? XDP_DROP : XDP_PASS, "after op %d: %s must %s",
			     at, addr_format(a, buf, sizeof(buf)), want ? "drop" : "pass");
		/* Counts exact: a slot that holds no exact block has its bit clear. */
		for (j = 0; j < POOL; j++)
			any |= md->blocked[j] && slot_of(&md->pool[j]) == slot_of(a);
		cr_assert_eq(bit_of(slot_of(a)), any, "after op %d: bit of %s's slot", at,
			     addr_format(a, buf, sizeof(buf)));
	}
}

ParameterizedTest(struct fn_row *r, prefilter, no_false_negative, .init = setup, .fini = teardown)
{
	static struct model md;
	uint16_t c6a = 0, c6b = 0;
	int k;

	memset(&md, 0, sizeof(md));
	srand(r->seed);
	if (r->collide)
		colliding_64s(&c6a, &c6b);
	make_pool(&md, r, c6a, c6b);
	for (k = 0; k < r->ops; k++) {
		step(&md, r);
		if (k % 50 == 49)
			check_all(&md, k);
	}
	check_all(&md, r->ops);
}

/* A bit with no entry behind it (a writer stopped after counting): the lookup misses. */
Test(prefilter, bit_without_entry_passes, .init = setup, .fini = teardown)
{
	struct arxdp_addr a;
	uint32_t slot;

	cr_assert_eq(addr_parse("198.51.100.77", &a, NULL, 0), 0);
	slot = slot_of(&a);
	__atomic_fetch_or(&bl.pf[slot / 64], 1ull << (slot % 64), __ATOMIC_SEQ_CST);
	cr_expect_eq(verdict_of(&a), XDP_PASS);
}

/*
 * A block written behind the prefilter's back (an older writer) is hidden: the program never
 * looks it up. The rebuild makes it reachable, and a later unblock clears its bit again.
 */
Test(prefilter, rebuild_repairs, .init = setup, .fini = teardown)
{
	struct arxdp_block v = { .offenses = 1 };
	struct arxdp_addr a, a6;
	uint64_t set;

	cr_assert_eq(addr_parse("198.51.100.78", &a, NULL, 0), 0);
	cr_assert_eq(addr_parse("2001:db8::78", &a6, NULL, 0), 0);
	cr_assert_eq(bpf_map_update_elem(bl.fd_block4, a.a, &v, BPF_ANY), 0);
	cr_assert_eq(bpf_map_update_elem(bl.fd_block6, a6.a, &v, BPF_ANY), 0);
	cr_expect_eq(verdict_of(&a), XDP_PASS, "hidden: the reason writers go through bl_*");
	cr_assert_eq(bl_pf_rebuild(&bl, &set), 0);
	cr_expect_eq(set, 2);
	cr_expect_eq(verdict_of(&a), XDP_DROP);
	cr_expect_eq(verdict_of(&a6), XDP_DROP);
	cr_assert_eq(bl_unblock(&bl, &a), 0);
	cr_expect_eq(bit_of(slot_of(&a)), false, "the rebuilt count was exact");
	cr_expect_eq(bit_of(slot_of(&a6)), true);
}

/*
 * An entry deleted without its uncount (a writer stopped between the two): the count is one
 * too many, so the bit stays on (a false positive) and the other block of the slot still
 * drops; the rebuild brings the count back to exact.
 */
Test(prefilter, delete_without_uncount, .init = setup, .fini = teardown)
{
	struct bl_reason why = { .origin = ARXDP_ORIGIN_CLI };
	struct arxdp_addr a, b;
	uint64_t set;

	cr_assert_eq(addr_parse("198.51.100.80", &a, NULL, 0), 0);
	cr_assert_eq(addr_parse("198.51.100.81", &b, NULL, 0), 0);
	cr_assert_eq(bl_block(&bl, &a, 0, &why, NULL, NULL), 0);
	cr_assert_eq(bl_block(&bl, &b, 0, &why, NULL, NULL), 0);
	cr_assert_eq(bpf_map_delete_elem(bl.fd_hot4, a.a), 0, "a went to the hot tier");
	cr_expect_eq(verdict_of(&a), XDP_PASS);
	cr_expect_eq(verdict_of(&b), XDP_DROP);
	cr_assert_eq(bl_unblock(&bl, &b), 0);
	cr_expect_eq(bit_of(slot_of(&a)), true, "one count left over: a false positive");
	cr_assert_eq(bl_pf_rebuild(&bl, &set), 0);
	cr_expect_eq(set, 0);
	cr_expect_eq(bit_of(slot_of(&a)), false);
}

/* A write that fails (map full) leaves no count behind, single or bulk: the bit stays clear. */
Test(prefilter, failed_insert_uncounts, .init = setup, .fini = teardown)
{
	struct bl_reason why = { .origin = ARXDP_ORIGIN_CLI };
	struct bl_item items[2];
	struct arxdp_addr a;
	uint64_t loaded;
	int i, errs[2];
	char s[32];

	for (i = 0; i < 4096; i++) {
		snprintf(s, sizeof(s), "198.18.%d.%d", 16 + i / 250, 1 + i % 250);
		cr_assert_eq(addr_parse(s, &a, NULL, 0), 0);
		cr_assert_eq(bl_block(&bl, &a, 0, &why, NULL, NULL), 0, "%s", s);
	}
	cr_assert_eq(addr_parse("198.18.200.1", &a, NULL, 0), 0);
	cr_assert_eq(bl_block(&bl, &a, 0, &why, NULL, NULL), -ENOSPC);
	cr_expect_eq(bit_of(slot_of(&a)), false, "single write: uncounted");
	cr_assert_eq(addr_parse("198.18.201.1", &items[0].addr, NULL, 0), 0);
	cr_assert_eq(addr_parse("2001:db8:5::1", &items[1].addr, NULL, 0), 0);
	items[0].timeout_s = items[1].timeout_s = 0;
	cr_assert_eq(bl_block_many(&bl, items, 2, &why, errs, &loaded), 0);
	cr_expect_eq(errs[0], -ENOSPC);
	cr_expect_eq(errs[1], 0, "IPv6 has room");
	cr_expect_eq(bit_of(slot_of(&items[0].addr)), false, "bulk write: uncounted");
	cr_expect_eq(bit_of(slot_of(&items[1].addr)), true);
	cr_expect_eq(verdict_of(&items[1].addr), XDP_DROP);
}

/*
 * A pin set made before the prefilter (its pins removed here, and one block written by an
 * older writer): the next load creates the prefilter and rebuilds it from the maps before it
 * pins the program, so every block of the older set drops at once.
 */
Test(prefilter, older_pin_set_is_rebuilt, .fini = tu_rm_pin_dir)
{
	struct loader_opts o = { .capacity_v4 = 1024, .capacity_v6 = 1024, .cidr_capacity = 16 };
	const char *names[] = {
		ARXDP_MAP_BLOCK4, ARXDP_MAP_BLOCK6, ARXDP_MAP_CIDR4,	 ARXDP_MAP_CIDR6,
		ARXDP_MAP_STATS,  ARXDP_MAP_META,   ARXDP_MAP_PREFILTER, ARXDP_MAP_PFCOUNT,
		ARXDP_PIN_PROG,	  ".lock",	    ARXDP_MAP_HOT4,	 ARXDP_MAP_HOT6,
		ARXDP_MAP_TIER
	};
	struct bl_reason why = { .origin = ARXDP_ORIGIN_CLI };
	struct arxdp_block v = { .offenses = 1 };
	struct arxdp_addr a, b;
	const char *dir;
	char p[128];
	int fd = -1, fd2 = -1;
	size_t i;

	if (geteuid() != 0)
		cr_skip_test("pinning needs root");
	log_init("test", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	dir = tu_pin_dir("pf");
	o.pin_dir = dir;
	cr_assert_eq(loader_get_prog(&o, &fd), 0);
	cr_assert_eq(bl_open(&bl, dir), 0);
	cr_assert_eq(addr_parse("198.51.100.90", &a, NULL, 0), 0);
	cr_assert_eq(addr_parse("2001:db8::90", &b, NULL, 0), 0);
	cr_assert_eq(bl_block(&bl, &a, 0, &why, NULL, NULL), 0);
	cr_assert_eq(bpf_map_update_elem(bl.fd_block6, b.a, &v, BPF_ANY), 0);
	bl_close(&bl);
	for (i = 6; i < 8; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		cr_assert_eq(unlink(p), 0, "unpin %s", names[i]);
	}
	o.reload = true;
	cr_assert_eq(loader_get_prog(&o, &fd2), 0);
	cr_expect_eq(run_fd(fd2, &a), XDP_DROP, "the block of the older set drops");
	cr_expect_eq(run_fd(fd2, &b), XDP_DROP, "so does the one no prefilter ever counted");
	close(fd);
	close(fd2);
}

/*
 * A pin-path open (the CLI, the drop-in) maps no bitmap: a bit is changed by rewriting its word
 * through bpf(), the other slots' bits as read. Every block drops and every unblock clears its
 * bit unless its slot still counts an entry, and no other slot's bit changes: a neighbour set
 * behind the counts' back (an older writer) keeps its bit through it all.
 */
struct lazy_row {
	char desc[64];
	char addrs[3][48]; /* inline: criterion copies the row into a new process */
	char neighbour[48]; /* its slot's bit set, uncounted, before the blocks; "" none */
	int unblock; /* the first ones unblocked again */
};

/* clang-format off */
static struct lazy_row lazy_rows[] = {
	{ "one IPv4 block", { "198.51.100.7" }, "", 1 },
	{ "two /24s of one word, one unblocked", { "198.51.100.7", "198.51.101.7" }, "", 1 },
	{ "two /24s of one word, both unblocked", { "198.51.100.7", "198.51.101.7" }, "", 2 },
	{ "an uncounted neighbour keeps its bit", { "198.51.100.7" }, "198.51.102.1", 1 },
	{ "neighbour bit, two blocks, one kept", { "198.51.101.7", "198.51.100.7" },
	  "198.51.103.1", 1 },
	{ "two of one slot, one unblocked", { "198.51.100.7", "198.51.100.8" }, "", 1 },
	{ "block, extend, unblock", { "198.51.100.7", "198.51.100.7" }, "", 1 },
	{ "IPv6 and IPv4", { "2001:db8::7", "198.51.100.7" }, "", 2 },
	{ "IPv6 alone, kept", { "2001:db8::7" }, "", 0 },
};
/* clang-format on */

ParameterizedTestParameters(prefilter, pin_path_word_writes)
{
	return cr_make_param_array(struct lazy_row, lazy_rows, ARRAY_SIZE(lazy_rows));
}

static bool word_bit(int fd, uint32_t slot)
{
	uint32_t idx = slot / 64;
	uint64_t w = 0;

	cr_assert_eq(bpf_map_lookup_elem(fd, &idx, &w), 0);
	return (w >> (slot % 64)) & 1;
}

static uint32_t slot_count(int fd, uint32_t slot)
{
	uint32_t cnt = 0;

	if (bpf_map_lookup_elem(fd, &slot, &cnt))
		cr_assert_eq(errno, ENOENT);
	return cnt;
}

/* Whether a[i] is blocked once the first unblock of a[0..n) are unblocked. */
static bool kept(const struct arxdp_addr *a, size_t n, int unblock, size_t i)
{
	size_t j;

	for (j = 0; j < (size_t)unblock && j < n; j++)
		if (!addr_cmp(&a[j], &a[i]))
			return false;
	return true;
}

/* The count pb keeps for slot must be the number of distinct kept addresses in it. */
static uint32_t kept_in_slot(const struct arxdp_addr *a, size_t n, int unblock, uint32_t slot)
{
	uint32_t c = 0;
	size_t i, j;

	for (i = 0; i < n; i++) {
		bool first = true;

		for (j = 0; j < i; j++)
			first = first && !!addr_cmp(&a[j], &a[i]);
		c += first && slot_of(&a[i]) == slot && kept(a, n, unblock, i);
	}
	return c;
}

static void check_slots(const struct lazy_row *r, struct blocklist *pb, int fd,
			const struct arxdp_addr *a, size_t n, int unblock, uint32_t nb_slot)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t want = kept_in_slot(a, n, unblock, slot_of(&a[i]));

		cr_expect_eq(run_fd(fd, &a[i]), kept(a, n, unblock, i) ? XDP_DROP : XDP_PASS,
			     "%s: %s's verdict", r->desc, r->addrs[i]);
		cr_expect_eq(slot_count(pb->fd_pfcount, slot_of(&a[i])), want, "%s: %s's count",
			     r->desc, r->addrs[i]);
		cr_expect_eq(word_bit(pb->fd_prefilter, slot_of(&a[i])),
			     want || slot_of(&a[i]) == nb_slot, "%s: %s's bit", r->desc,
			     r->addrs[i]);
	}
	if (r->neighbour[0])
		cr_expect(word_bit(pb->fd_prefilter, nb_slot), "%s: the neighbour keeps its bit",
			  r->desc);
}

ParameterizedTest(struct lazy_row *r, prefilter, pin_path_word_writes, .fini = tu_rm_pin_dir)
{
	struct loader_opts o = { .capacity_v4 = 1024, .capacity_v6 = 1024, .cidr_capacity = 16 };
	struct bl_reason why = { .origin = ARXDP_ORIGIN_CLI };
	struct arxdp_addr a[3], nb;
	uint32_t nb_slot = UINT32_MAX, idx;
	const char *dir;
	struct blocklist pb;
	uint64_t w = 0;
	int fd = -1;
	size_t i, n;

	if (geteuid() != 0)
		cr_skip_test("pinning needs root");
	log_init("test", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	dir = tu_pin_dir("pfl");
	o.pin_dir = dir;
	cr_assert_eq(loader_get_prog(&o, &fd), 0);
	cr_assert_eq(bl_open(&pb, dir), 0);
	cr_expect(pb.pf_ok && !pb.pf, "%s: nothing mapped at open", r->desc);
	if (r->neighbour[0]) {
		cr_assert_eq(addr_parse(r->neighbour, &nb, NULL, 0), 0);
		nb_slot = slot_of(&nb);
		idx = nb_slot / 64;
		cr_assert_eq(bpf_map_lookup_elem(pb.fd_prefilter, &idx, &w), 0);
		w |= 1ull << (nb_slot % 64);
		cr_assert_eq(bpf_map_update_elem(pb.fd_prefilter, &idx, &w, BPF_ANY), 0);
	}
	for (n = 0; n < ARRAY_SIZE(r->addrs) && r->addrs[n][0]; n++) {
		cr_assert_eq(addr_parse(r->addrs[n], &a[n], NULL, 0), 0);
		cr_assert_eq(bl_block(&pb, &a[n], 0, &why, NULL, NULL), 0, "%s", r->addrs[n]);
	}
	check_slots(r, &pb, fd, a, n, 0, nb_slot);
	for (i = 0; i < (size_t)r->unblock && i < n; i++)
		cr_assert_eq(bl_unblock(&pb, &a[i]), 0, "%s", r->addrs[i]);
	check_slots(r, &pb, fd, a, n, r->unblock, nb_slot);
	cr_expect_null(pb.pf, "%s: a few bits map nothing", r->desc);
	bl_close(&pb);
	close(fd);
}

/* Many bits: the word writes give way to the whole bitmap, mapped, and nothing is lost. */
Test(prefilter, pin_path_burst_maps_whole, .fini = tu_rm_pin_dir)
{
	struct loader_opts o = { .capacity_v4 = 1024, .capacity_v6 = 1024, .cidr_capacity = 16 };
	struct bl_reason why = { .origin = ARXDP_ORIGIN_CLI };
	struct arxdp_addr a[48];
	struct blocklist pb;
	char buf[32];
	int fd = -1;
	size_t i;

	if (geteuid() != 0)
		cr_skip_test("pinning needs root");
	log_init("test", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	o.pin_dir = tu_pin_dir("pfb");
	cr_assert_eq(loader_get_prog(&o, &fd), 0);
	cr_assert_eq(bl_open(&pb, o.pin_dir), 0);
	for (i = 0; i < ARRAY_SIZE(a); i++) {
		snprintf(buf, sizeof(buf), "198.51.%zu.9", 60 + i);
		cr_assert_eq(addr_parse(buf, &a[i], NULL, 0), 0);
		cr_assert_eq(bl_block(&pb, &a[i], 0, &why, NULL, NULL), 0, "%s", buf);
	}
	cr_expect_not_null(pb.pf, "a burst maps the bitmap");
	for (i = 0; i < ARRAY_SIZE(a); i++) {
		cr_expect_eq(run_fd(fd, &a[i]), XDP_DROP, "block %zu drops", i);
		cr_expect(word_bit(pb.fd_prefilter, slot_of(&a[i])), "block %zu has its bit", i);
	}
	for (i = 0; i < ARRAY_SIZE(a); i += 2)
		cr_assert_eq(bl_unblock(&pb, &a[i]), 0);
	for (i = 0; i < ARRAY_SIZE(a); i++) {
		cr_expect_eq(run_fd(fd, &a[i]), i % 2 ? XDP_DROP : XDP_PASS, "block %zu", i);
		cr_expect_eq(word_bit(pb.fd_prefilter, slot_of(&a[i])), i % 2 != 0, "bit %zu", i);
	}
	bl_close(&pb);
	close(fd);
}

/*
 * Two writers of one pin set, taking turns with the lock: what one cached in its hold (counts,
 * the word, counts written ahead) must not outlive it, or its next hold would write counts
 * from before the other's writes. After each turn every count is exact and every block drops.
 */
Test(prefilter, two_writers_take_turns, .fini = tu_rm_pin_dir)
{
	struct loader_opts o = { .capacity_v4 = 1024, .capacity_v6 = 1024, .cidr_capacity = 16 };
	const char *addrs[] = { "198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.101.4" };
	/* Per hold: the writer (0 or 1), then two writes (block or unblock, the address): the
	 * second write of a burst writes counts ahead. */
	static const struct {
		int who;
		struct {
			bool add;
			int addr;
		} op[2];
	} holds[] = {
		{ 0, { { true, 0 }, { true, 1 } } },  { 0, { { true, 3 }, { false, 0 } } },
		{ 1, { { false, 1 }, { true, 2 } } }, { 0, { { true, 0 }, { false, 3 } } },
		{ 1, { { true, 3 }, { false, 2 } } }, { 1, { { false, 0 }, { true, 1 } } },
		{ 0, { { true, 0 }, { true, 2 } } },
	};
	struct arxdp_tier t;
	struct blocklist w[2];
	struct arxdp_addr a[4];
	bool kept[4] = {};
	uint32_t want, zero = 0;
	size_t i, j, k;
	int fd = -1;

	if (geteuid() != 0)
		cr_skip_test("pinning needs root");
	log_init("test", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	o.pin_dir = tu_pin_dir("pft");
	cr_assert_eq(loader_get_prog(&o, &fd), 0);
	cr_assert_eq(bl_open(&w[0], o.pin_dir), 0);
	cr_assert_eq(bl_open(&w[1], o.pin_dir), 0);
	for (i = 0; i < ARRAY_SIZE(addrs); i++)
		cr_assert_eq(addr_parse(addrs[i], &a[i], NULL, 0), 0);
	for (i = 0; i < ARRAY_SIZE(holds); i++) {
		struct blocklist *b = &w[holds[i].who];

		cr_assert_eq(bl_lock(b), 0);
		for (j = 0; j < 2; j++) {
			const struct arxdp_addr *x = &a[holds[i].op[j].addr];

			cr_assert_eq(holds[i].op[j].add ? bl_block(b, x, 0, NULL, NULL, NULL) :
							  bl_unblock(b, x),
				     0, "hold %zu, write %zu", i, j);
			kept[holds[i].op[j].addr] = holds[i].op[j].add;
		}
		bl_unlock(b);
		cr_assert_eq(bpf_map_lookup_elem(b->fd_tier, &zero, &t), 0);
		for (want = 0, k = 0; k < ARRAY_SIZE(addrs); k++)
			want += kept[k];
		cr_expect_eq(t.hot4_entries, want, "hold %zu: hot count", i);
		for (k = 0; k < ARRAY_SIZE(addrs); k++) {
			uint32_t in_slot = 0, s = slot_of(&a[k]);

			for (j = 0; j < ARRAY_SIZE(addrs); j++)
				in_slot += kept[j] && slot_of(&a[j]) == s;
			cr_expect_eq(slot_count(b->fd_pfcount, s), in_slot, "hold %zu: %s's slot",
				     i, addrs[k]);
			cr_expect_eq(word_bit(b->fd_prefilter, s), in_slot != 0,
				     "hold %zu: %s's bit", i, addrs[k]);
			cr_expect_eq(run_fd(fd, &a[k]), kept[k] ? XDP_DROP : XDP_PASS,
				     "hold %zu: %s", i, addrs[k]);
		}
	}
	bl_close(&w[0]);
	bl_close(&w[1]);
	close(fd);
}
