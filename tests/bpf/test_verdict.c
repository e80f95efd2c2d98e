// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the datapath packet table: every row is a frame, the verdict the XDP
 * program must return for it and the one global counter that must move, run through
 * BPF_PROG_TEST_RUN on a private instance (nothing pinned, nothing attached). Blocks are
 * written with the same blocklist code the CLI uses. Needs root (CAP_BPF); skips otherwise.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
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

struct row {
	char desc[64];
	struct pkt_spec pkt;
	int verdict;
	int stat; /* the one global counter index that moves by one packet */
	char counted[48]; /* block whose own counter must move ("" = none) */
};

static struct loader_private *lp;
static struct blocklist bl;

static void add_block(const char *s, uint32_t timeout, bool expired)
{
	struct bl_reason why = { .rule_id = 5712, .level = 10, .origin = ARXDP_ORIGIN_CLI };
	struct arxdp_addr a;
	struct arxdp_block v = { .offenses = 1, .origin = ARXDP_ORIGIN_CLI };

	cr_assert_eq(addr_parse(s, &a, NULL, 0), 0, "fixture address %s", s);
	if (expired) {
		/* Already past its stamp, as when no process ran to delete it. */
		v.expires_ns = mono_now_ns() - NSEC_PER_SEC;
		v.timeout_s = 1;
		cr_assert_eq(bl_put(&bl, &a, &v), 0);
		return;
	}
	cr_assert_eq(bl_block(&bl, &a, timeout, &why, NULL, NULL), 0, "block %s", s);
}

static void setup(bool dry_run)
{
	struct loader_opts o = {
		.capacity_v4 = 1024,
		.capacity_v6 = 1024,
		.cidr_capacity = 64,
		.hot_capacity = 256,
		.dry_run = dry_run,
	};

	if (geteuid() != 0)
		cr_skip_test("BPF_PROG_TEST_RUN needs root");
	log_init("test", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	cr_assert_eq(loader_private_open(&o, &lp), 0, "load the XDP program");
	cr_assert_eq(loader_private_blocklist(lp, &bl), 0);
	add_block("198.51.100.7", 0, false);
	add_block("198.51.100.8", 0, true);
	add_block("198.51.100.9", 3600, false);
	add_block("203.0.113.0/24", 600, false);
	add_block("2001:db8::7", 0, false);
	add_block("2001:db8::8", 0, true);
	add_block("2001:db8:1::/48", 0, false);
}

static void setup_normal(void)
{
	setup(false);
}

static void setup_dry(void)
{
	setup(true);
}

static void teardown(void)
{
	bl_close(&bl);
	loader_private_close(lp);
	lp = NULL;
}

static int run(const struct pkt_spec *spec, __u32 *retval)
{
	uint8_t buf[PKT_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	opts.data_in = buf;
	opts.data_size_in = pkt_build(spec, buf);
	opts.repeat = 1;
	if (bpf_prog_test_run_opts(loader_private_prog_fd(lp), &opts))
		return -errno;
	*retval = opts.retval;
	return 0;
}

#define V4(s) .ethertype = ETH_P_IP, .src = s
#define V6(s) .ethertype = ETH_P_IPV6, .src = s

/* clang-format off */
static struct row rows[] = {
	{ "v4 permanent block: drop", { V4("198.51.100.7") }, XDP_DROP, ARXDP_STAT_DROP_V4,
	  "198.51.100.7" },
	{ "v4 timed block, live: drop", { V4("198.51.100.9") }, XDP_DROP, ARXDP_STAT_DROP_V4,
	  "198.51.100.9" },
	{ "v4 expired block: pass", { V4("198.51.100.8") }, XDP_PASS, ARXDP_STAT_PASS_EXPIRED_V4, "" },
	{ "v4 miss, /24 holds blocks (prefilter bit set): pass", { V4("198.51.100.10") }, XDP_PASS,
	  ARXDP_STAT_PASS_V4, "" },
	{ "v4 miss, no block in its /24 (prefilter clear): pass", { V4("198.18.7.1") }, XDP_PASS,
	  ARXDP_STAT_PASS_V4, "" },
	{ "v4 CIDR hit: drop", { V4("203.0.113.77") }, XDP_DROP, ARXDP_STAT_DROP_CIDR_V4,
	  "203.0.113.0/24" },
	{ "v4 next to CIDR: pass", { V4("203.0.114.1") }, XDP_PASS, ARXDP_STAT_PASS_V4, "" },
	{ "v4 IHL 15 with options: drop", { V4("198.51.100.7"), .ihl = 15 }, XDP_DROP,
	  ARXDP_STAT_DROP_V4, "198.51.100.7" },
	{ "v4 first fragment: drop", { V4("198.51.100.7"), .frag = 0x2000 }, XDP_DROP,
	  ARXDP_STAT_DROP_V4, "198.51.100.7" },
	{ "v4 later fragment: drop", { V4("198.51.100.7"), .frag = 0x0010 }, XDP_DROP,
	  ARXDP_STAT_DROP_V4, "198.51.100.7" },
	{ "v4 bad IHL 4: pass", { V4("198.51.100.7"), .ihl = 4 }, XDP_PASS, ARXDP_STAT_PASS_OTHER, "" },
	{ "v4 version 6 in a v4 frame: pass", { V4("198.51.100.7"), .ip_version = 6 }, XDP_PASS,
	  ARXDP_STAT_PASS_OTHER, "" },
	{ "802.1Q v4 hit: drop", { V4("198.51.100.7"), .nvlan = 1 }, XDP_DROP, ARXDP_STAT_DROP_V4,
	  "198.51.100.7" },
	{ "QinQ (802.1ad + 802.1Q) v4 hit: drop",
	  { V4("198.51.100.7"), .nvlan = 2, .vlan_tpid = { 0x88a8, 0x8100 } }, XDP_DROP,
	  ARXDP_STAT_DROP_V4, "198.51.100.7" },
	{ "three VLAN tags: pass", { V4("198.51.100.7"), .nvlan = 3 }, XDP_PASS,
	  ARXDP_STAT_PASS_OTHER, "" },
	{ "v6 permanent block: drop", { V6("2001:db8::7") }, XDP_DROP, ARXDP_STAT_DROP_V6,
	  "2001:db8::7" },
	{ "v6 expired block: pass", { V6("2001:db8::8") }, XDP_PASS, ARXDP_STAT_PASS_EXPIRED_V6, "" },
	{ "v6 miss, /64 holds blocks: pass", { V6("2001:db8::9") }, XDP_PASS, ARXDP_STAT_PASS_V6, "" },
	{ "v6 miss, no block in its /64: pass", { V6("2001:2:0:9::1") }, XDP_PASS, ARXDP_STAT_PASS_V6,
	  "" },
	{ "v4 CIDR hit, no exact block in its /24: drop", { V4("203.0.113.1") }, XDP_DROP,
	  ARXDP_STAT_DROP_CIDR_V4, "203.0.113.0/24" },
	{ "v6 CIDR hit: drop", { V6("2001:db8:1:ffff::1") }, XDP_DROP, ARXDP_STAT_DROP_CIDR_V6,
	  "2001:db8:1::/48" },
	{ "802.1Q v6 hit: drop", { V6("2001:db8::7"), .nvlan = 1 }, XDP_DROP, ARXDP_STAT_DROP_V6,
	  "2001:db8::7" },
	{ "ARP: pass", { .ethertype = ETH_P_ARP }, XDP_PASS, ARXDP_STAT_PASS_OTHER, "" },
	{ "non-IP (0x88b5): pass", { .ethertype = 0x88b5 }, XDP_PASS, ARXDP_STAT_PASS_OTHER, "" },
	{ "truncated in the VLAN tag: pass", { V4("198.51.100.7"), .nvlan = 1, .cut = 16 },
	  XDP_PASS, ARXDP_STAT_PASS_OTHER, "" },
	{ "truncated in the second VLAN tag: pass", { V4("198.51.100.7"), .nvlan = 2, .cut = 20 },
	  XDP_PASS, ARXDP_STAT_PASS_OTHER, "" },
	{ "v4 truncated before the source: pass", { V4("198.51.100.7"), .cut = 14 + 13 }, XDP_PASS,
	  ARXDP_STAT_PASS_OTHER, "" },
	{ "v4 truncated at 19 of 20 header bytes: pass", { V4("198.51.100.7"), .cut = 14 + 19 },
	  XDP_PASS, ARXDP_STAT_PASS_OTHER, "" },
	{ "v4 header only, no payload: drop", { V4("198.51.100.7"), .cut = 14 + 20 }, XDP_DROP,
	  ARXDP_STAT_DROP_V4, "198.51.100.7" },
	{ "v6 truncated at 39 of 40 header bytes: pass", { V6("2001:db8::7"), .cut = 14 + 39 },
	  XDP_PASS, ARXDP_STAT_PASS_OTHER, "" },
	{ "Ethernet header only: pass", { V4("198.51.100.7"), .cut = 14 }, XDP_PASS,
	  ARXDP_STAT_PASS_OTHER, "" },
};
/* clang-format on */

ParameterizedTestParameters(verdict, table)
{
	return cr_make_param_array(struct row, rows, sizeof(rows) / sizeof(rows[0]));
}

static void read_stats(struct arxdp_counter st[ARXDP_STAT_MAX])
{
	cr_assert_eq(bl_stats(&bl, st), 0);
}

static void check_row(struct row *r, bool dry)
{
	struct arxdp_counter before[ARXDP_STAT_MAX], after[ARXDP_STAT_MAX], cb = {}, ca = {};
	struct arxdp_addr a;
	int expect_stat = r->stat, expect_verdict = r->verdict, i;
	__u32 ret = 0;

	if (dry && r->verdict == XDP_DROP) {
		/* Dry run: counted as would-drop, passed on the wire. */
		expect_verdict = XDP_PASS;
		expect_stat = r->pkt.ethertype == ETH_P_IPV6 ? ARXDP_STAT_DRYRUN_V6 :
							       ARXDP_STAT_DRYRUN_V4;
	}
	if (r->counted[0]) {
		cr_assert_eq(addr_parse(r->counted, &a, NULL, 0), 0);
		cr_assert_eq(bl_counters(&bl, &a, &cb), 0);
	}
	read_stats(before);
	cr_assert_eq(run(&r->pkt, &ret), 0, "%s: test run failed", r->desc);
	read_stats(after);
	cr_expect_eq(ret, (__u32)expect_verdict, "%s: verdict %u, expected %d", r->desc, ret,
		     expect_verdict);
	for (i = 0; i < ARXDP_STAT_MAX; i++)
		cr_expect_eq(after[i].packets - before[i].packets, i == expect_stat ? 1u : 0u,
			     "%s: counter %d moved by %llu", r->desc, i,
			     (unsigned long long)(after[i].packets - before[i].packets));
	if (r->counted[0]) {
		cr_assert_eq(bl_counters(&bl, &a, &ca), 0);
		cr_expect_eq(ca.packets - cb.packets, 1u, "%s: block counter of %s", r->desc,
			     r->counted);
		cr_expect_gt(ca.bytes, cb.bytes, "%s: block byte counter", r->desc);
	}
}

ParameterizedTest(struct row *r, verdict, table, .init = setup_normal, .fini = teardown)
{
	check_row(r, false);
}

ParameterizedTestParameters(verdict, dry_run)
{
	return cr_make_param_array(struct row, rows, sizeof(rows) / sizeof(rows[0]));
}

ParameterizedTest(struct row *r, verdict, dry_run, .init = setup_dry, .fini = teardown)
{
	check_row(r, true);
}

/* A block that expires while packets flow stops dropping without anyone deleting it. */
Test(verdict, expiry_without_delete, .init = setup_normal, .fini = teardown)
{
	struct pkt_spec s = { V4("198.51.100.20") };
	struct arxdp_addr a;
	struct arxdp_block v;
	__u32 ret;

	addr_parse("198.51.100.20", &a, NULL, 0);
	cr_assert_eq(bl_block(&bl, &a, 1, NULL, NULL, &v), 0);
	cr_assert_eq(run(&s, &ret), 0);
	cr_expect_eq(ret, XDP_DROP);
	/* The coarse clock lags by at most a tick: wait the second plus a margin. */
	usleep(1100 * 1000);
	cr_assert_eq(run(&s, &ret), 0);
	cr_expect_eq(ret, XDP_PASS);
	cr_expect_eq(bl_get(&bl, &a, &v), 0, "the entry is still in the map");
}

/* Unblocking removes the block and its counters; the next packet passes. */
Test(verdict, unblock, .init = setup_normal, .fini = teardown)
{
	struct pkt_spec s = { V4("198.51.100.7") };
	struct arxdp_counter c;
	struct arxdp_addr a;
	__u32 ret;

	addr_parse("198.51.100.7", &a, NULL, 0);
	cr_assert_eq(run(&s, &ret), 0);
	cr_expect_eq(ret, XDP_DROP);
	cr_assert_eq(bl_unblock(&bl, &a), 0);
	cr_assert_eq(bl_counters(&bl, &a, &c), 0);
	cr_expect_eq(c.packets, 0u);
	cr_assert_eq(run(&s, &ret), 0);
	cr_expect_eq(ret, XDP_PASS);
	cr_expect_eq(bl_unblock(&bl, &a), -ENOENT);
}

/* The trie is skipped while empty: removing the only prefix makes its addresses pass. */
Test(verdict, cidr_removed, .init = setup_normal, .fini = teardown)
{
	struct pkt_spec s = { V4("203.0.113.77") };
	struct arxdp_addr a;
	__u32 ret;

	addr_parse("203.0.113.0/24", &a, NULL, 0);
	cr_assert_eq(bl_unblock(&bl, &a), 0);
	cr_assert_eq(run(&s, &ret), 0);
	cr_expect_eq(ret, XDP_PASS);
}

/* A full family (its two tiers at capacity_v4) refuses the next block with -ENOSPC and keeps
 * what it had. */
Test(verdict, map_full, .init = setup_normal, .fini = teardown)
{
	/* 1,024+ addresses: more than the fixture /24s hold, so the benchmarking range's upper
	 * half, which the maps only store here (the namespace tests' hosts sit in 198.18/16 and
	 * the blocklist refuses this host's own addresses). */
	struct arxdp_addr a = { .family = 4, .prefixlen = 32, .a = { 198, 19, 0, 0 } };
	struct pkt_spec s = { V4("198.51.100.7") };
	int i, err = 0;
	__u32 ret;

	for (i = 0; i < 2048 && !err; i++) {
		a.a[2] = i >> 8;
		a.a[3] = i & 0xff;
		err = bl_block(&bl, &a, 0, NULL, NULL, NULL);
	}
	cr_expect_eq(err, -ENOSPC, "capacity 1024 is reached");
	cr_expect_eq(i, 1024 - 3 + 1, "the two tiers hold the capacity together: %d", i);
	cr_assert_eq(run(&s, &ret), 0);
	cr_expect_eq(ret, XDP_DROP, "existing blocks stay");
}

static int run_repeat(const struct pkt_spec *spec, __u32 repeat, __u32 *retval)
{
	uint8_t buf[PKT_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	opts.data_in = buf;
	opts.data_size_in = pkt_build(spec, buf);
	opts.repeat = repeat;
	if (bpf_prog_test_run_opts(loader_private_prog_fd(lp), &opts))
		return -errno;
	*retval = opts.retval;
	return 0;
}

/*
 * The drop counts live in the block value: every drop is counted (plain adds, one CPU), an
 * extension keeps them, and a block made again after its expiry starts from zero.
 */
Test(verdict, block_counts_in_value, .init = setup_normal, .fini = teardown)
{
	struct pkt_spec s = { V4("198.51.100.30") }, s6 = { V6("2001:db8::30") };
	struct arxdp_addr a, a6;
	struct arxdp_block v;
	struct arxdp_counter c;
	enum bl_result res;
	__u32 ret;

	addr_parse("198.51.100.30", &a, NULL, 0);
	addr_parse("2001:db8::30", &a6, NULL, 0);
	cr_assert_eq(bl_block(&bl, &a, 3600, NULL, NULL, NULL), 0);
	cr_assert_eq(bl_block(&bl, &a6, 3600, NULL, NULL, NULL), 0);
	cr_assert_eq(run_repeat(&s, 1000, &ret), 0);
	cr_expect_eq(ret, XDP_DROP);
	cr_assert_eq(run_repeat(&s6, 700, &ret), 0);
	cr_assert_eq(bl_counters(&bl, &a, &c), 0);
	cr_expect_eq(c.packets, 1000u, "v4 block counted %llu of 1000",
		     (unsigned long long)c.packets);
	cr_expect_eq(c.bytes, 1000u * pkt_build(&s, (uint8_t[PKT_MAX]){ 0 }));
	cr_assert_eq(bl_counters(&bl, &a6, &c), 0);
	cr_expect_eq(c.packets, 700u);

	/* Extension: same block, counts kept, offense counted. */
	cr_assert_eq(bl_block(&bl, &a, 7200, NULL, &res, &v), 0);
	cr_expect_eq(res, BL_EXTENDED);
	cr_expect_eq(v.packets, 1000u);
	cr_assert_eq(run_repeat(&s, 5, &ret), 0);
	cr_assert_eq(bl_counters(&bl, &a, &c), 0);
	cr_expect_eq(c.packets, 1005u);

	/* Expired and made again: a new block, counted from zero. */
	v.expires_ns = mono_now_ns() - NSEC_PER_SEC;
	cr_assert_eq(bl_put(&bl, &a, &v), 0);
	cr_assert_eq(bl_block(&bl, &a, 60, NULL, &res, &v), 0);
	cr_expect_eq(res, BL_NEW);
	cr_expect_eq(v.packets, 0u);
	cr_assert_eq(run_repeat(&s, 3, &ret), 0);
	cr_assert_eq(bl_counters(&bl, &a, &c), 0);
	cr_expect_eq(c.packets, 3u);
}

/* With per-block counting off the block drops, its value is never written by the program. */
Test(verdict, block_counts_off)
{
	struct loader_opts o = {
		.capacity_v4 = 64, .capacity_v6 = 64, .cidr_capacity = 16, .no_block_counters = true
	};
	struct pkt_spec s = { V4("198.51.100.31") };
	struct arxdp_counter c;
	struct arxdp_addr a;
	__u32 ret;

	if (geteuid() != 0)
		cr_skip_test("BPF_PROG_TEST_RUN needs root");
	log_init("test", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	cr_assert_eq(loader_private_open(&o, &lp), 0);
	cr_assert_eq(loader_private_blocklist(lp, &bl), 0);
	addr_parse("198.51.100.31", &a, NULL, 0);
	cr_assert_eq(bl_block(&bl, &a, 0, NULL, NULL, NULL), 0);
	cr_assert_eq(run_repeat(&s, 10, &ret), 0);
	cr_expect_eq(ret, XDP_DROP);
	cr_assert_eq(bl_counters(&bl, &a, &c), 0);
	cr_expect_eq(c.packets, 0u);
	teardown();
}

/*
 * execd keys one IPv4 address under two texts ("198.51.100.40" and "::ffff:198.51.100.40"),
 * each with its own timer; the map holds one entry, which lives until the last of its keys
 * is deleted. A block made or extended by hand (the CLI) is the operator's too: execd's
 * delete leaves it, `arxdp unblock` removes it. Every step is checked in the map and with a
 * packet through the program.
 */
enum key_op {
	K_END = 0,
	K_ADD, /* the drop-in's add (key set) or the CLI's (key 0) */
	K_ALERT, /* arxdpd's block from an alert: no key */
	K_REPEAT,
	K_DELETE, /* the drop-in's delete */
	K_UNBLOCK, /* arxdp unblock */
};

struct key_step {
	enum key_op op;
	uint8_t key; /* ARXDP_KEY_* of the drop-in; 0 = the CLI (K_ADD) */
	uint32_t timeout;
	int err; /* expected return */
	bool present; /* in the map afterwards (and dropping) */
	uint8_t keys; /* expected key mask when present */
	uint32_t offenses; /* expected when present */
	int64_t left; /* seconds left when present: -1 not checked, 0 permanent */
};

struct key_row {
	char desc[72];
	struct key_step steps[6];
};

#define P ARXDP_KEY_PLAIN
#define M ARXDP_KEY_MAPPED
#define O ARXDP_KEY_OPERATOR

/* clang-format off */
static struct key_row key_rows[] = {
	{ "plain add, mapped add, plain delete keeps it, mapped delete removes it", {
		{ K_ADD, P, 0, 0, true, P, 1, 0 },
		{ K_ADD, M, 0, 0, true, P | M, 2, 0 },
		{ K_DELETE, P, 0, 0, true, M, 2, 0 },
		{ K_DELETE, M, 0, 0, false, 0, 0, -1 } } },
	{ "mapped first, then plain: the same in the other order", {
		{ K_ADD, M, 0, 0, true, M, 1, 0 },
		{ K_ADD, P, 0, 0, true, P | M, 2, 0 },
		{ K_DELETE, M, 0, 0, true, P, 2, 0 },
		{ K_DELETE, P, 0, 0, false, 0, 0, -1 } } },
	{ "one form only: its delete removes the entry", {
		{ K_ADD, P, 0, 0, true, P, 1, 0 },
		{ K_DELETE, P, 0, 0, false, 0, 0, -1 },
		{ K_DELETE, P, 0, -ENOENT, false, 0, 0, -1 } } },
	{ "a delete of the form that never added keeps the other", {
		{ K_ADD, P, 0, 0, true, P, 1, 0 },
		{ K_DELETE, M, 0, 0, true, P, 1, 0 },
		{ K_DELETE, P, 0, 0, false, 0, 0, -1 } } },
	{ "the second form's shorter expiry does not cut the first one's", {
		{ K_ADD, P, 3600, 0, true, P, 1, 3600 },
		{ K_ADD, M, 60, 0, true, P | M, 2, 3600 },
		{ K_ADD, M, 7200, 0, true, P | M, 3, 7200 } } },
	{ "an operator's permanent block: execd's add and delete leave it", {
		{ K_ADD, 0, 0, 0, true, O, 1, 0 },
		{ K_ADD, M, 60, 0, true, M | O, 2, 0 },
		{ K_DELETE, M, 0, 0, true, O, 2, 0 },
		{ K_UNBLOCK, 0, 0, 0, false, 0, 0, -1 } } },
	{ "an operator's timed block: a firewall-drop delete leaves it", {
		{ K_ADD, 0, 3600, 0, true, O, 1, 3600 },
		{ K_DELETE, P, 0, 0, true, O, 1, 3600 },
		{ K_UNBLOCK, 0, 0, 0, false, 0, 0, -1 } } },
	{ "arxdpd's block (no key): a firewall-drop delete removes it", {
		{ K_ALERT, 0, 3600, 0, true, 0, 1, 3600 },
		{ K_DELETE, P, 0, 0, false, 0, 0, -1 } } },
	{ "made permanent by hand over execd's block: execd's delete leaves it", {
		{ K_ADD, P, 600, 0, true, P, 1, 600 },
		{ K_ADD, 0, 0, 0, true, P | O, 2, 0 },
		{ K_DELETE, P, 0, 0, true, O, 2, 0 } } },
	{ "a longer timeout by hand over execd's block: kept, with its expiry", {
		{ K_ADD, P, 600, 0, true, P, 1, 600 },
		{ K_ADD, 0, 7200, 0, true, P | O, 2, 7200 },
		{ K_DELETE, P, 0, 0, true, O, 2, 7200 } } },
	{ "a shorter timeout by hand never cuts execd's block", {
		{ K_ADD, P, 3600, 0, true, P, 1, 3600 },
		{ K_ADD, 0, 60, 0, true, P | O, 2, 3600 },
		{ K_DELETE, P, 0, 0, true, O, 2, 3600 } } },
	{ "without execd, a repeat by hand restarts the timer from now", {
		{ K_ADD, 0, 3600, 0, true, O, 1, 3600 },
		{ K_ADD, 0, 60, 0, true, O, 2, 60 } } },
	{ "an unstamped execd add never makes a timed block permanent", {
		{ K_ALERT, 0, 3600, 0, true, 0, 1, 3600 },
		{ K_ADD, P, 0, 0, true, P, 2, 3600 },
		{ K_DELETE, P, 0, 0, false, 0, 0, -1 } } },
	{ "a timed block by hand over an unstamped one runs from its delete", {
		{ K_ADD, P, 0, 0, true, P, 1, 0 },
		{ K_ADD, 0, 600, 0, true, P | O, 2, 0 },
		{ K_DELETE, P, 0, 0, true, O, 2, 600 } } },
	{ "an alert never cuts an operator's longer block, nor takes its hold", {
		{ K_ADD, 0, 86400, 0, true, O, 1, 86400 },
		{ K_ALERT, 0, 600, 0, true, O, 2, 86400 },
		{ K_DELETE, P, 0, 0, true, O, 2, 86400 } } },
	{ "an alert's repeat restarts from now, shorter too, as execd's", {
		{ K_ALERT, 0, 3600, 0, true, 0, 1, 3600 },
		{ K_ALERT, 0, 60, 0, true, 0, 2, 60 } } },
	{ "an alert onto a shorter block restarts it from now, as execd's repeat", {
		{ K_ADD, 0, 60, 0, true, O, 1, 60 },
		{ K_ALERT, 0, 600, 0, true, O, 2, 600 } } },
	{ "abort path: a repeat counts on a live block, writes nothing otherwise", {
		{ K_REPEAT, P, 0, -ENOENT, false, 0, 0, -1 },
		{ K_ADD, P, 0, 0, true, P, 1, 0 },
		{ K_REPEAT, P, 0, 0, true, P, 2, 0 },
		{ K_REPEAT, P, 0, 0, true, P, 3, 0 } } },
};
/* clang-format on */

#undef P
#undef M
#undef O

ParameterizedTestParameters(verdict, execd_keys)
{
	return cr_make_param_array(struct key_row, key_rows,
				   sizeof(key_rows) / sizeof(key_rows[0]));
}

ParameterizedTest(struct key_row *r, verdict, execd_keys, .init = setup_normal, .fini = teardown)
{
	struct pkt_spec s = { V4("198.51.100.40") };
	struct arxdp_addr a;
	struct arxdp_block v;
	int i, err;
	uint8_t kept;
	__u32 ret;

	addr_parse("198.51.100.40", &a, NULL, 0);
	for (i = 0; i < 6 && r->steps[i].op != K_END; i++) {
		const struct key_step *st = &r->steps[i];
		struct bl_reason why = { .origin = st->key	     ? ARXDP_ORIGIN_FIREWALL_DROP :
						   st->op == K_ALERT ? ARXDP_ORIGIN_ALERT :
								       ARXDP_ORIGIN_CLI,
					 .keys = st->key };

		if (st->op == K_ADD || st->op == K_ALERT)
			err = bl_block(&bl, &a, st->timeout, &why, NULL, NULL);
		else if (st->op == K_REPEAT)
			err = bl_repeat(&bl, &a, st->timeout, &why, NULL);
		else if (st->op == K_UNBLOCK)
			err = bl_unblock(&bl, &a);
		else
			err = bl_unblock_key(&bl, &a, st->key, &kept);
		cr_expect_eq(err, st->err, "%s: step %d returned %d", r->desc, i, err);
		if (st->op == K_DELETE)
			cr_expect_eq(kept, st->present ? st->keys : 0, "%s: step %d: kept %u",
				     r->desc, i, kept);
		err = bl_get(&bl, &a, &v);
		cr_assert_eq(err == 0, st->present, "%s: step %d: present %d", r->desc, i, !err);
		cr_assert_eq(run(&s, &ret), 0);
		cr_expect_eq(ret, st->present ? XDP_DROP : XDP_PASS, "%s: step %d: verdict",
			     r->desc, i);
		if (!st->present)
			continue;
		cr_expect_eq(v.keys, st->keys, "%s: step %d: keys %u", r->desc, i, v.keys);
		cr_expect_eq(v.offenses, st->offenses, "%s: step %d: offenses %u", r->desc, i,
			     v.offenses);
		if (st->left == 0)
			cr_expect_eq(v.expires_ns, 0u, "%s: step %d: permanent", r->desc, i);
		else if (st->left > 0)
			cr_expect(bl_remaining_s(&v, mono_now_ns()) <= (uint64_t)st->left &&
					  bl_remaining_s(&v, mono_now_ns()) + 5 >=
						  (uint64_t)st->left,
				  "%s: step %d: %llu s left", r->desc, i,
				  (unsigned long long)bl_remaining_s(&v, mono_now_ns()));
	}
}

/* An expired entry is dead: a delete removes it even when another form's bit is left. */
Test(verdict, execd_keys_expired, .init = setup_normal, .fini = teardown)
{
	struct arxdp_block v = { .offenses = 2,
				 .origin = ARXDP_ORIGIN_FIREWALL_DROP,
				 .keys = ARXDP_KEY_PLAIN | ARXDP_KEY_MAPPED,
				 .timeout_s = 1 };
	struct arxdp_addr a;
	uint8_t kept = 1;

	addr_parse("198.51.100.41", &a, NULL, 0);
	v.expires_ns = mono_now_ns() - NSEC_PER_SEC;
	cr_assert_eq(bl_put(&bl, &a, &v), 0);
	cr_expect_eq(bl_repeat(&bl, &a, 0, NULL, NULL), -ENOENT, "no repeat on an expired block");
	cr_expect_eq(bl_unblock_key(&bl, &a, ARXDP_KEY_PLAIN, &kept), 0);
	cr_expect_not(kept);
	cr_expect_eq(bl_get(&bl, &a, &v), -ENOENT);
}
