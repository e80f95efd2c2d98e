// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the XDP program: parse to the source address, ask the prefilter bitmap
 * whether an exact block can exist for it (one word, cache-resident for clean traffic), look
 * it up only then in the exact maps of its family (the small hot one, then the big one when it
 * holds anything), then (only when prefix blocks exist) in the LPM trie, check the expiry
 * stamp, and count. The global counters are per-CPU; a block's own drop counts sit in its
 * value, found by the lookup that matched it (a hot-tier drop costs one lookup; a big-tier one
 * adds the tier count's load and the big lookup), and they are plain adds (no locked
 * instruction: see struct arxdp_block for what that trades). The clock (jiffies, see struct
 * arxdp_clock_sample) is read only on a hit of a timed block.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "arxdp.h"
#include "parse.bpf.h"

/* Set by the loader before load; the verifier then prunes the branch that is not taken. */
const volatile __u8 dry_run = 0;
/* bpf_ktime_get_ns() instead of the tick clock: only to measure what the tick one saves. */
const volatile __u8 precise_clock = 0;
/* The tick clock (struct arxdp_clock_sample in arxdp.h), set by the loader; tick_ns 0: the
 * coarse clock's helper. */
const volatile __u64 clock_offset_ns = 0;
const volatile __u32 clock_tick_ns = 0;
/* Per-block drop counts (plain adds in the matched value); the global per-interface
 * counters count either way. Off: no write to a shared line on the drop path at all. */
const volatile __u8 count_per_block = 1;
/* Off only to measure what the prefilter saves: every packet then looks the exact map up. */
const volatile __u8 use_prefilter = 1;
/* Off only to measure what the hot tier saves: the big maps alone, as before it existed. */
const volatile __u8 use_hot = 1;

/* Plain HASH, not LRU: a ban must never be evicted silently. max_entries is set at load.
 * The hot maps come first (ARXDP_HOT_CAPACITY in arxdp.h); the big ones take the rest. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ARXDP_HOT_CAPACITY);
	__type(key, __u32); /* network byte order */
	__type(value, struct arxdp_hot);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} block_v4_hot SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ARXDP_HOT_CAPACITY);
	__type(key, struct in6_addr);
	__type(value, struct arxdp_hot);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} block_v6_hot SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ARXDP_DEFAULT_CAPACITY);
	__type(key, __u32); /* network byte order */
	__type(value, struct arxdp_block);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} block_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ARXDP_DEFAULT_CAPACITY);
	__type(key, struct in6_addr);
	__type(value, struct arxdp_block);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} block_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, ARXDP_DEFAULT_CIDR_CAPACITY);
	__type(key, struct arxdp_lpm4);
	__type(value, struct arxdp_block);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* the kernel requires it for tries */
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cidr_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, ARXDP_DEFAULT_CIDR_CAPACITY);
	__type(key, struct arxdp_lpm6);
	__type(value, struct arxdp_block);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cidr_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ARXDP_MAX_IFINDEX *ARXDP_STAT_MAX);
	__type(key, __u32);
	__type(value, struct arxdp_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct arxdp_meta);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} meta SEC(".maps");

/* See struct arxdp_tier in arxdp.h. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct arxdp_tier);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tier SEC(".maps");

/* See ARXDP_PF_* in arxdp.h. Mmapable: user space sets and clears bits in place. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ARXDP_PF_WORDS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} prefilter SEC(".maps");

/* The prefilter's count per slot; only user space reads it (the program never does). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * ARXDP_DEFAULT_CAPACITY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_count SEC(".maps");

/* What every stage needs of the packet: its length and its interface's counter row. */
struct pkt {
	__u64 bytes;
	__u32 row; /* first counter index of the receiving interface */
};

static __always_inline void count(const struct pkt *p, __u32 stat)
{
	__u32 idx = p->row + stat;
	__u64 bytes = p->bytes;
	struct arxdp_counter *c = bpf_map_lookup_elem(&stats, &idx);

	/* Per-CPU slot: a plain add is race-free, no atomic needed. */
	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

/*
 * The block's own drop counts: plain adds (a locked add cost as much as the rest of the hit,
 * docs/BENCHMARKS.md); racing CPUs can lose an add, never make one up. The line is already in
 * this CPU's cache from the lookup, so a lone flood pays no extra miss.
 */
static __always_inline void count_block(__u64 *packets, __u64 *bytes, __u64 len)
{
	if (!count_per_block)
		return;
	(*packets)++;
	*bytes += len;
}

/*
 * Whether the exact map may hold a block in this slot. An array lookup the verifier inlines:
 * one load. A missing word cannot happen (the index is masked); it answers "look" anyway.
 */
static __always_inline int pf_maybe(__u32 slot)
{
	__u32 idx = slot / 64;
	__u64 *w;

	if (!use_prefilter)
		return 1;
	w = bpf_map_lookup_elem(&prefilter, &idx);
	return !w || ((*w >> (slot & 63)) & 1);
}

/*
 * Whether the big map of a family must be looked up after a hot miss: only when it holds
 * anything (an array lookup the verifier inlines, on a line that stays in cache). A missing
 * count cannot happen; it answers "look" anyway.
 */
static __always_inline int big_may_hold(int v6)
{
	struct arxdp_tier *t;
	__u32 zero = 0;

	if (!use_hot)
		return 1;
	t = bpf_map_lookup_elem(&tier, &zero);
	return !t || (v6 ? t->big6_entries : t->big4_entries);
}

/* CLOCK_MONOTONIC at tick granularity. The product wraps as the loader's offset does: exact. */
static __always_inline __u64 now_ns(void)
{
	if (precise_clock)
		return bpf_ktime_get_ns();
	if (clock_tick_ns)
		return bpf_jiffies64() * clock_tick_ns + clock_offset_ns;
	return bpf_ktime_get_coarse_ns();
}

/* The clock is read only here, on a hit of a block that can expire. */
static __always_inline int expired(__u64 expires_ns)
{
	if (!expires_ns)
		return 0;
	return expires_ns <= now_ns();
}

static __always_inline int verdict(__u64 *packets, __u64 *bytes, __u32 drop_idx, __u32 dry_idx,
				   const struct pkt *p)
{
	count_block(packets, bytes, p->bytes);
	if (dry_run) {
		count(p, dry_idx);
		return XDP_PASS;
	}
	count(p, drop_idx);
	return XDP_DROP;
}

/*
 * The exact maps of a family: the hot one, then the big one when it may hold anything (a key
 * is never in both). The verdict on a live hit; -1 otherwise, *was_expired set on an expired
 * one. Inlined: the maps are known at every call.
 */
static __always_inline int exact(void *hot, void *big, void *key, int v6, __u32 drop_idx,
				 __u32 dry_idx, const struct pkt *p, int *was_expired)
{
	struct arxdp_hot *h = use_hot ? bpf_map_lookup_elem(hot, key) : NULL;
	struct arxdp_block *b;

	if (h) {
		if (!expired(h->expires_ns))
			return verdict(&h->packets, &h->bytes, drop_idx, dry_idx, p);
		*was_expired = 1;
		return -1;
	}
	if (!big_may_hold(v6))
		return -1;
	b = bpf_map_lookup_elem(big, key);
	if (!b)
		return -1;
	if (!expired(b->expires_ns))
		return verdict(&b->packets, &b->bytes, drop_idx, dry_idx, p);
	*was_expired = 1;
	return -1;
}

static __always_inline int handle_v4(struct iphdr *iph, const struct pkt *p)
{
	__u32 saddr = iph->saddr;
	struct arxdp_block *b;
	struct arxdp_meta *m;
	__u32 zero = 0;
	int was_expired = 0, ret;

	if (pf_maybe(arxdp_pf_slot4(&saddr))) {
		ret = exact(&block_v4_hot, &block_v4, &saddr, 0, ARXDP_STAT_DROP_V4,
			    ARXDP_STAT_DRYRUN_V4, p, &was_expired);
		if (ret >= 0)
			return ret;
	}

	m = bpf_map_lookup_elem(&meta, &zero);
	if (m && m->cidr4_entries) {
		struct arxdp_lpm4 lk = { .prefixlen = 32, .addr = saddr };

		b = bpf_map_lookup_elem(&cidr_v4, &lk);
		if (b) {
			if (!expired(b->expires_ns))
				return verdict(&b->packets, &b->bytes, ARXDP_STAT_DROP_CIDR_V4,
					       ARXDP_STAT_DRYRUN_V4, p);
			was_expired = 1;
		}
	}
	count(p, was_expired ? ARXDP_STAT_PASS_EXPIRED_V4 : ARXDP_STAT_PASS_V4);
	return XDP_PASS;
}

static __always_inline int handle_v6(struct ipv6hdr *ip6h, const struct pkt *p)
{
	struct in6_addr saddr = ip6h->saddr;
	struct arxdp_block *b;
	struct arxdp_meta *m;
	__u32 zero = 0;
	int was_expired = 0, ret;

	if (pf_maybe(arxdp_pf_slot6(&saddr))) {
		ret = exact(&block_v6_hot, &block_v6, &saddr, 1, ARXDP_STAT_DROP_V6,
			    ARXDP_STAT_DRYRUN_V6, p, &was_expired);
		if (ret >= 0)
			return ret;
	}

	m = bpf_map_lookup_elem(&meta, &zero);
	if (m && m->cidr6_entries) {
		struct arxdp_lpm6 lk = { .prefixlen = 128 };

		__builtin_memcpy(lk.addr, &saddr, 16);
		b = bpf_map_lookup_elem(&cidr_v6, &lk);
		if (b) {
			if (!expired(b->expires_ns))
				return verdict(&b->packets, &b->bytes, ARXDP_STAT_DROP_CIDR_V6,
					       ARXDP_STAT_DRYRUN_V6, p);
			was_expired = 1;
		}
	}
	count(p, was_expired ? ARXDP_STAT_PASS_EXPIRED_V6 : ARXDP_STAT_PASS_V6);
	return XDP_PASS;
}

SEC("xdp")
int arxdp_xdp(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct hdr_cursor c = { .pos = data };
	__u32 ifindex = ctx->ingress_ifindex;
	struct pkt p = {
		.bytes = data_end - data,
		.row = (ifindex < ARXDP_MAX_IFINDEX ? ifindex : 0) * ARXDP_STAT_MAX,
	};
	struct ipv6hdr *ip6h;
	struct iphdr *iph;
	int proto;

	proto = parse_ethhdr(&c, data_end);
	if (proto == bpf_htons(ETH_P_IP)) {
		iph = parse_iphdr(&c, data_end);
		if (iph)
			return handle_v4(iph, &p);
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		ip6h = parse_ip6hdr(&c, data_end);
		if (ip6h)
			return handle_v6(ip6h, &p);
	}
	count(&p, ARXDP_STAT_PASS_OTHER);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
