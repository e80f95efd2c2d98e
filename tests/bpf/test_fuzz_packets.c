// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the differential packet fuzzer of the datapath: tens of thousands of random
 * and mutated frames (truncations, 0-3 VLAN tags of 802.1Q/802.1ad, IPv4 with any IHL, options,
 * fragments and wrong versions, IPv6, random bytes) go through BPF_PROG_TEST_RUN on a private
 * instance, and each verdict is compared with a reference classifier written here from the
 * README ("How the datapath works"), not from the BPF source:
 *
 *   Ethernet, at most 2 VLAN tags (0x8100 / 0x88a8), then IPv4 with version 4, IHL >= 5 and the
 *   20-byte header present, or IPv6 with version 6 and the 40-byte header present; the source
 *   address is looked up exactly, then in the prefixes (longest match); a block whose expiry
 *   has passed never drops; everything else passes.
 *
 * Any disagreement, and any drop of a source that is not blocked by a live block, fails with the
 * frame hex-dumped. The PRNG seed is printed; ARXDP_FUZZ_SEED=N replays a run, and
 * ARXDP_FUZZ_FRAMES=N changes the count (default 30,000).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include "arxdp.h"
#include "blocklist.h"
#include "loader.h"
#include "log.h"
#include "util.h"

#define FRAME_MAX 320
#define MAX_BLOCKS 512
#define MAX_REPORTS 5

/* The reference's own copy of every block it wrote. */
struct ref_block {
	struct arxdp_addr a;
	bool live;
};

static struct ref_block blocks[MAX_BLOCKS];
static int n_blocks;
static struct loader_private *lp;
static struct blocklist bl;
static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* splitmix64: tiny, seedable, good enough to spread frames. */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rnd_below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

static bool chance(int percent)
{
	return rnd_below(100) < (uint32_t)percent;
}

/* ---- the reference classifier ---------------------------------------------------------- */

static bool prefix_match(const uint8_t *addr, const struct arxdp_addr *p)
{
	int full = p->prefixlen / 8, rest = p->prefixlen % 8;

	if (memcmp(addr, p->a, full))
		return false;
	return !rest || ((addr[full] ^ p->a[full]) & (0xff00 >> rest) & 0xff) == 0;
}

/* Verdict for a source of family fam (4 or 6) at addr; *why names the deciding block. */
static int ref_lookup(int fam, const uint8_t *addr, const struct ref_block **why)
{
	int full = fam == 4 ? 32 : 128, i, best = -1;

	*why = NULL;
	for (i = 0; i < n_blocks; i++) {
		const struct ref_block *b = &blocks[i];

		if (b->a.family == fam && b->a.prefixlen == full &&
		    !memcmp(b->a.a, addr, full / 8)) {
			*why = b;
			if (b->live)
				return XDP_DROP;
			break; /* an expired exact block falls through to the prefixes */
		}
	}
	for (i = 0; i < n_blocks; i++) {
		const struct ref_block *b = &blocks[i];

		if (b->a.family == fam && b->a.prefixlen < full && prefix_match(addr, &b->a) &&
		    (best < 0 || b->a.prefixlen > blocks[best].a.prefixlen))
			best = i;
	}
	if (best >= 0) {
		*why = &blocks[best];
		return blocks[best].live ? XDP_DROP : XDP_PASS;
	}
	return XDP_PASS;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The datapath as the README states it; fam and src say what was looked up (fam 0: nothing). */
static int ref_classify(const uint8_t *f, int len, int *fam, const uint8_t **src,
			const struct ref_block **why)
{
	int off = 14, tags;
	uint16_t proto;

	*fam = 0;
	*why = NULL;
	if (len < 14)
		return XDP_PASS;
	proto = be16(f + 12);
	for (tags = 0; proto == 0x8100 || proto == 0x88a8; tags++) {
		if (tags == 2 || off + 4 > len)
			return XDP_PASS; /* a third tag, or a truncated one */
		proto = be16(f + off + 2);
		off += 4;
	}
	if (proto == 0x0800) {
		if (off + 20 > len || f[off] >> 4 != 4 || (f[off] & 0xf) < 5)
			return XDP_PASS;
		*fam = 4;
		*src = f + off + 12;
	} else if (proto == 0x86dd) {
		if (off + 40 > len || f[off] >> 4 != 6)
			return XDP_PASS;
		*fam = 6;
		*src = f + off + 8;
	} else {
		return XDP_PASS;
	}
	return ref_lookup(*fam, *src, why);
}

/* ---- blocks ------------------------------------------------------------------------------- */

static void add_block(const struct arxdp_addr *a, bool live, bool permanent)
{
	struct arxdp_block v = { .offenses = 1, .origin = ARXDP_ORIGIN_CLI, .rule_id = 5712 };
	int i;

	for (i = 0; i < n_blocks; i++)
		if (!addr_cmp(&blocks[i].a, a))
			return; /* keep the first word on an address: the reference must match */
	if (n_blocks == MAX_BLOCKS)
		return;
	if (!live) {
		/* Past its stamp, as when no process ran to delete it. */
		v.expires_ns = mono_now_ns() - NSEC_PER_SEC;
		v.timeout_s = 1;
	} else if (!permanent) {
		/* Far enough away that no frame of this run can see it lapse. */
		v.expires_ns = mono_now_ns() + 3600 * NSEC_PER_SEC;
		v.timeout_s = 3600;
	}
	/* bl_put writes the value as is and keeps the meta prefix counts exact. */
	cr_assert_eq(bl_put(&bl, a, &v), 0, "fixture block");
	blocks[n_blocks].a = *a;
	blocks[n_blocks].live = live;
	n_blocks++;
}

/* A random address in one of a few neighbourhoods, so that frames hit blocks often. */
static void rnd_addr(int fam, uint8_t *out)
{
	static const uint8_t v4_nets[][3] = { { 192, 0, 2 }, { 198, 51, 100 }, { 203, 0, 113 } };
	int i;

	if (fam == 4) {
		memcpy(out, v4_nets[rnd_below(3)], 3);
		out[3] = (uint8_t)rnd();
		if (chance(10))
			for (i = 0; i < 4; i++)
				out[i] = (uint8_t)rnd();
		return;
	}
	memset(out, 0, 16);
	out[0] = 0x20;
	out[1] = 0x01;
	out[2] = 0x0d;
	out[3] = 0xb8;
	out[5] = (uint8_t)rnd_below(4);
	for (i = 6; i < 16; i++)
		out[i] = chance(50) ? 0 : (uint8_t)rnd();
	if (chance(10))
		for (i = 0; i < 16; i++)
			out[i] = (uint8_t)rnd();
}

static void make_blocks(void)
{
	struct arxdp_addr a;
	int i, fam, bits, plen;

	n_blocks = 0;
	for (i = 0; i < 300; i++) {
		fam = chance(50) ? 4 : 6;
		memset(&a, 0, sizeof(a));
		a.family = fam;
		rnd_addr(fam, a.a);
		bits = fam == 4 ? 32 : 128;
		plen = bits;
		if (chance(25)) {
			/* Prefixes of every length, nested ones included (longest match matters). */
			plen = fam == 4 ? 22 + (int)rnd_below(10) : 40 + (int)rnd_below(88);
		}
		a.prefixlen = (uint8_t)plen;
		for (int b = plen; b < bits; b++)
			a.a[b / 8] &= (uint8_t) ~(0x80 >> (b % 8));
		if (fam == 4 && addr_is_special(&a))
			continue;
		add_block(&a, !chance(25), chance(50));
	}
}

/* ---- frames ------------------------------------------------------------------------------- */

/* A block of family fam, most of the time (prefix blocks give their network address). */
static const struct ref_block *pick_block(int fam)
{
	const struct ref_block *b = &blocks[rnd_below((uint32_t)n_blocks)];
	int tries;

	for (tries = 0; tries < 8 && b->a.family != fam; tries++)
		b = &blocks[rnd_below((uint32_t)n_blocks)];
	return b;
}

static int build_frame(uint8_t *f)
{
	static const uint16_t tpids[] = { 0x8100, 0x88a8, 0x8100, 0x88a8, 0x9100 };
	int len = 14, ntags, i, fam, kind = (int)rnd_below(100);
	uint16_t proto;

	for (i = 0; i < FRAME_MAX; i++)
		f[i] = (uint8_t)rnd();
	if (kind < 8)
		return 14 + (int)rnd_below(FRAME_MAX - 14); /* random bytes */
	memcpy(f, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02", 12);
	fam = kind < 50 ? 4 : kind < 92 ? 6 : 0;
	proto = fam == 4 ? 0x0800 : fam == 6 ? 0x86dd : (chance(50) ? 0x0806 : (uint16_t)rnd());
	ntags = chance(50) ? 0 : (int)rnd_below(4);
	for (i = 0; i < ntags; i++) {
		uint16_t tpid = tpids[rnd_below(chance(95) ? 4 : 5)];

		f[len - 2] = tpid >> 8;
		f[len - 1] = tpid & 0xff;
		len += 4; /* TCI stays random */
	}
	f[len - 2] = proto >> 8;
	f[len - 1] = proto & 0xff;
	if (fam == 4) {
		int ihl = chance(80) ? 5 + (int)rnd_below(11) : (int)rnd_below(16);
		int ver = chance(95) ? 4 : (int)rnd_below(16);

		f[len] = (uint8_t)(ver << 4 | ihl);
		if (chance(50)) { /* fragments: MF and offsets, or none */
			f[len + 6] = chance(50) ? 0x20 : 0;
			f[len + 7] = (uint8_t)rnd();
		}
		f[len + 9] = 17;
		rnd_addr(4, f + len + 12);
		if (chance(60))
			memcpy(f + len + 12, pick_block(4)->a.a, 4);
		len += ihl >= 5 ? ihl * 4 : 20;
		len += 8 + (int)rnd_below(64);
	} else if (fam == 6) {
		int ver = chance(95) ? 6 : (int)rnd_below(16);

		f[len] = (uint8_t)(ver << 4 | (f[len] & 0xf));
		rnd_addr(6, f + len + 8);
		if (chance(60))
			memcpy(f + len + 8, pick_block(6)->a.a, 16);
		len += 40 + 8 + (int)rnd_below(64);
	} else {
		len += 46;
	}
	if (len > FRAME_MAX)
		len = FRAME_MAX;
	if (chance(20)) /* truncation anywhere, down to a bare Ethernet header */
		len = 14 + (int)rnd_below((uint32_t)(len - 13));
	if (chance(10)) /* a few flipped bytes anywhere */
		for (i = (int)rnd_below(3) + 1; i > 0; i--)
			f[rnd_below((uint32_t)len)] ^= (uint8_t)(1 + rnd_below(255));
	return len;
}

static void hexdump(char *out, size_t size, const uint8_t *f, int len)
{
	size_t n = 0;
	int i;

	for (i = 0; i < len && n + 4 < size; i++)
		n += (size_t)snprintf(out + n, size - n, "%s%02x", i % 16 ? " " : "\n    ", f[i]);
}

static void setup(void)
{
	struct loader_opts o = { .capacity_v4 = 4096, .capacity_v6 = 4096, .cidr_capacity = 1024 };

	if (geteuid() != 0)
		cr_skip_test("BPF_PROG_TEST_RUN needs root");
	log_init("test", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	cr_assert_eq(loader_private_open(&o, &lp), 0, "load the XDP program");
	cr_assert_eq(loader_private_blocklist(lp, &bl), 0);
}

static void teardown(void)
{
	bl_close(&bl);
	loader_private_close(lp);
	lp = NULL;
}

Test(fuzz_packets, differential, .init = setup, .fini = teardown, .timeout = 120)
{
	const char *env_seed = getenv("ARXDP_FUZZ_SEED"), *env_n = getenv("ARXDP_FUZZ_FRAMES");
	uint64_t seed = env_seed ? strtoull(env_seed, NULL, 0) : (uint64_t)time(NULL) ^ getpid();
	long frames = env_n ? strtol(env_n, NULL, 0) : 30000, i;
	long drops = 0, looked_up = 0, bad = 0;
	uint8_t f[FRAME_MAX];
	char dump[FRAME_MAX * 4 + 64], src_txt[ADDR_STRLEN], why_txt[ADDR_STRLEN];

	rng_state = seed;
	fprintf(stderr, "fuzz_packets: seed %llu (ARXDP_FUZZ_SEED=%llu replays), %ld frames\n",
		(unsigned long long)seed, (unsigned long long)seed, frames);
	make_blocks();
	cr_assert_gt(n_blocks, 100, "fixture blocks");
	for (i = 0; i < frames; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts);
		const struct ref_block *why;
		const uint8_t *src = NULL;
		int len = build_frame(f), fam, want;
		struct arxdp_addr sa = {};

		want = ref_classify(f, len, &fam, &src, &why);
		opts.data_in = f;
		opts.data_size_in = (__u32)len;
		opts.repeat = 1;
		cr_assert_eq(bpf_prog_test_run_opts(loader_private_prog_fd(lp), &opts), 0,
			     "test run of frame %ld (len %d): %s", i, len, strerror(errno));
		looked_up += fam != 0;
		drops += opts.retval == XDP_DROP;
		if (opts.retval == (__u32)want && (want != XDP_DROP || (why && why->live)))
			continue;
		if (++bad > MAX_REPORTS)
			continue;
		if (fam) {
			sa.family = (uint8_t)fam;
			sa.prefixlen = fam == 4 ? 32 : 128;
			memcpy(sa.a, src, fam == 4 ? 4 : 16);
			addr_format(&sa, src_txt, sizeof(src_txt));
		} else {
			strcpy(src_txt, "(none)");
		}
		if (why)
			addr_format(&why->a, why_txt, sizeof(why_txt));
		hexdump(dump, sizeof(dump), f, len);
		cr_log_error("seed %llu frame %ld: program says %s, reference %s; source %s; "
			     "deciding block %s%s; %d bytes:%s",
			     (unsigned long long)seed, i, opts.retval == XDP_DROP ? "DROP" : "PASS",
			     want == XDP_DROP ? "DROP" : "PASS", src_txt, why ? why_txt : "(none)",
			     why ? (why->live ? " (live)" : " (expired)") : "", len, dump);
	}
	fprintf(stderr, "fuzz_packets: %ld frames, %ld with an IP source, %ld dropped, %ld wrong\n",
		frames, looked_up, drops, bad);
	cr_expect_eq(bad, 0, "seed %llu: %ld of %ld frames disagree with the reference",
		     (unsigned long long)seed, bad, frames);
	/* A run that never drops (or drops everything) proves nothing about the lookups. */
	cr_expect_gt(drops, frames / 20, "too few drops (%ld) to exercise the blocks", drops);
	cr_expect_lt(drops, frames * 3 / 4, "too many drops (%ld) to exercise the misses", drops);
}
