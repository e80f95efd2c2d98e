// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains measuring variants of bpf/arxdp.bpf.c, never deployed. arxdp_nocnt: the
 * same parse, exact-block lookup, expiry check (coarse clock), CIDR guard and global per-CPU
 * counters, but no per-block drop counts; the difference between the two on the hit path is
 * what those counts cost. The v_* programs: one IPv4 hit-path body built with a different set
 * of its components (VLAN parse, expiry check, per-block counts as atomic or plain adds, the
 * global per-CPU counter), so one bench-prog run prices every component side by side: two
 * programs that differ in one component differ by its cost. The h_* programs: the real IPv4
 * hit path over hot maps of other layouts, for tools/bench-hot (below). Keep them in step with
 * the real program when its hit path changes.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "arxdp.h"
#include "parse.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ARXDP_DEFAULT_CAPACITY);
	__type(key, __u32);
	__type(value, struct arxdp_block);
} block_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ARXDP_DEFAULT_CAPACITY);
	__type(key, struct in6_addr);
	__type(value, struct arxdp_block);
} block_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ARXDP_MAX_IFINDEX *ARXDP_STAT_MAX);
	__type(key, __u32);
	__type(value, struct arxdp_counter);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct arxdp_meta);
} meta SEC(".maps");

static __always_inline void count(__u32 idx, __u64 bytes)
{
	struct arxdp_counter *c = bpf_map_lookup_elem(&stats, &idx);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline int expired(const struct arxdp_block *b)
{
	return b->expires_ns && b->expires_ns <= bpf_ktime_get_coarse_ns();
}

SEC("xdp")
int arxdp_nocnt(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct hdr_cursor c = { .pos = data };
	__u64 bytes = data_end - data;
	struct arxdp_block *b;
	struct arxdp_meta *m;
	__u32 zero = 0;
	int proto;

	proto = parse_ethhdr(&c, data_end);
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = parse_iphdr(&c, data_end);
		__u32 saddr;

		if (!iph)
			goto other;
		saddr = iph->saddr;
		b = bpf_map_lookup_elem(&block_v4, &saddr);
		if (b && !expired(b)) {
			count(ARXDP_STAT_DROP_V4, bytes);
			return XDP_DROP;
		}
		/* The real program consults the trie only when prefixes exist; so does this. */
		m = bpf_map_lookup_elem(&meta, &zero);
		if (m && m->cidr4_entries)
			return XDP_PASS;
		count(b ? ARXDP_STAT_PASS_EXPIRED_V4 : ARXDP_STAT_PASS_V4, bytes);
		return XDP_PASS;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = parse_ip6hdr(&c, data_end);
		struct in6_addr saddr;

		if (!ip6h)
			goto other;
		saddr = ip6h->saddr;
		b = bpf_map_lookup_elem(&block_v6, &saddr);
		if (b && !expired(b)) {
			count(ARXDP_STAT_DROP_V6, bytes);
			return XDP_DROP;
		}
		m = bpf_map_lookup_elem(&meta, &zero);
		if (m && m->cidr6_entries)
			return XDP_PASS;
		count(b ? ARXDP_STAT_PASS_EXPIRED_V6 : ARXDP_STAT_PASS_V6, bytes);
		return XDP_PASS;
	}
other:
	count(ARXDP_STAT_PASS_OTHER, bytes);
	return XDP_PASS;
}

enum {
	C_VLAN = 1 << 0, /* the 802.1Q/802.1ad loop before the IP header */
	C_CLOCK = 1 << 1, /* expiry check: bpf_ktime_get_coarse_ns() on a timed block */
	C_ATOMIC = 1 << 2, /* per-block counts: two atomic adds in the shared value */
	C_PLAIN = 1 << 3, /* per-block counts: two plain adds in the shared value */
	C_STATS = 1 << 4, /* the global per-CPU counter of the interface row */
};

static __always_inline int body(struct xdp_md *ctx, const int comp)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct hdr_cursor c = { .pos = data };
	__u64 bytes = data_end - data;
	__u32 ifindex = ctx->ingress_ifindex;
	struct arxdp_block *b;
	struct iphdr *iph;
	int proto;

	if (comp & C_VLAN) {
		proto = parse_ethhdr(&c, data_end);
	} else {
		struct ethhdr *eth = data;

		if ((void *)(eth + 1) > data_end)
			return XDP_PASS;
		proto = eth->h_proto;
		c.pos = eth + 1;
	}
	if (proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	iph = parse_iphdr(&c, data_end);
	if (!iph)
		return XDP_PASS;
	{
		__u32 saddr = iph->saddr;

		b = bpf_map_lookup_elem(&block_v4, &saddr);
	}
	if (!b)
		return XDP_PASS;
	if ((comp & C_CLOCK) && b->expires_ns && b->expires_ns <= bpf_ktime_get_coarse_ns())
		return XDP_PASS;
	if (comp & C_ATOMIC) {
		__sync_fetch_and_add(&b->packets, 1);
		__sync_fetch_and_add(&b->bytes, bytes);
	}
	if (comp & C_PLAIN) {
		b->packets++;
		b->bytes += bytes;
	}
	if (comp & C_STATS) {
		__u32 idx = (ifindex < ARXDP_MAX_IFINDEX ? ifindex : 0) * ARXDP_STAT_MAX +
			    ARXDP_STAT_DROP_V4;
		struct arxdp_counter *s = bpf_map_lookup_elem(&stats, &idx);

		if (s) {
			s->packets++;
			s->bytes += bytes;
		}
	}
	return XDP_DROP;
}

#define VARIANT(name, comp)                     \
	SEC("xdp") int name(struct xdp_md *ctx) \
	{                                       \
		return body(ctx, comp);         \
	}

/* All of today's hit path, then each one component less, then the least. */
VARIANT(v_all, C_VLAN | C_CLOCK | C_ATOMIC | C_STATS)
VARIANT(v_no_vlan, C_CLOCK | C_ATOMIC | C_STATS)
VARIANT(v_no_clock, C_VLAN | C_ATOMIC | C_STATS)
VARIANT(v_no_counts, C_VLAN | C_CLOCK | C_STATS)
VARIANT(v_plain_counts, C_VLAN | C_CLOCK | C_PLAIN | C_STATS)
VARIANT(v_no_stats, C_VLAN | C_CLOCK | C_ATOMIC)
VARIANT(v_lookup_only, 0)

/*
 * Hot-tier layouts (issue 16, item 2): the real program's IPv4 hit path (VLAN parse, the
 * prefilter word, the hot lookup, the expiry check with the coarse clock, the per-block counts,
 * the global per-CPU counter), each over a hot map of another layout, timed by tools/bench-hot
 * behind the spreader (sources uniform over N blocks), so the element's size and the map type
 * are what differs. Every value starts expires_ns, packets, bytes (as struct arxdp_hot does),
 * so one body serves all; bench-hot fills each map as user space would.
 */
struct hot_min {
	__u64 expires_ns;
	__u64 packets;
	__u64 bytes;
};

/* (today) HASH, the 56-byte struct arxdp_hot: 112-byte elements. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ARXDP_HOT_CAPACITY);
	__type(key, __u32);
	__type(value, struct arxdp_hot);
} hot_cur SEC(".maps");

/* (a) PERCPU_HASH, {expires, packets, bytes} per CPU: 64-byte elements, as xdp-filter's. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, ARXDP_HOT_CAPACITY);
	__type(key, __u32);
	__type(value, struct hot_min);
} hot_pcpu SEC(".maps");

/* (b) PERCPU_HASH, the whole struct arxdp_hot per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, ARXDP_HOT_CAPACITY);
	__type(key, __u32);
	__type(value, struct arxdp_hot);
} hot_pcpu_full SEC(".maps");

/* (c) HASH, {expires, packets, bytes} shared: 80-byte elements. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ARXDP_HOT_CAPACITY);
	__type(key, __u32);
	__type(value, struct hot_min);
} hot_small SEC(".maps");

/* (d) HASH, the expiry alone (no per-block counts): 64-byte elements, the least a shared
 * value can be. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ARXDP_HOT_CAPACITY);
	__type(key, __u32);
	__type(value, __u64);
} hot_exp SEC(".maps");

/* The real program's prefilter, filled for the blocked /24s by bench-prog. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ARXDP_PF_WORDS);
	__type(key, __u32);
	__type(value, __u64);
} prefilter SEC(".maps");

enum {
	H_PF = 1 << 0, /* the prefilter word before the lookup */
	H_CLOCK = 1 << 1, /* the expiry check (coarse clock on a timed block) */
	H_COUNT = 1 << 2, /* per-block counts: plain adds in the value */
	H_STATS = 1 << 3, /* the global per-CPU counter of the interface row */
	/* The expiry against bpf_jiffies64() (the verifier inlines it: one load) instead of the
	 * coarse clock's helper call; only to price the call, the stamps are not jiffies. */
	H_JIFFIES = 1 << 4,
	H_ALL = H_PF | H_CLOCK | H_COUNT | H_STATS,
};

static __always_inline int hot_body(struct xdp_md *ctx, void *map, const int comp)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct hdr_cursor c = { .pos = data };
	__u64 bytes = data_end - data;
	__u32 ifindex = ctx->ingress_ifindex;
	struct iphdr *iph;
	__u32 saddr, idx;
	__u64 *v, *w;

	if (parse_ethhdr(&c, data_end) != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	iph = parse_iphdr(&c, data_end);
	if (!iph)
		return XDP_PASS;
	saddr = iph->saddr;
	if (comp & H_PF) {
		__u32 slot = arxdp_pf_slot4(&saddr);

		idx = slot / 64;
		w = bpf_map_lookup_elem(&prefilter, &idx);
		if (w && !((*w >> (slot & 63)) & 1))
			return XDP_PASS;
	}
	v = bpf_map_lookup_elem(map, &saddr);
	if (!v)
		return XDP_PASS;
	if ((comp & H_CLOCK) && v[0] &&
	    v[0] <= (comp & H_JIFFIES ? bpf_jiffies64() : bpf_ktime_get_coarse_ns()))
		return XDP_PASS;
	if (comp & H_COUNT) {
		v[1]++;
		v[2] += bytes;
	}
	if (comp & H_STATS) {
		struct arxdp_counter *s;

		idx = (ifindex < ARXDP_MAX_IFINDEX ? ifindex : 0) * ARXDP_STAT_MAX +
		      ARXDP_STAT_DROP_V4;
		s = bpf_map_lookup_elem(&stats, &idx);
		if (s) {
			s->packets++;
			s->bytes += bytes;
		}
	}
	return XDP_DROP;
}

#define HOT_VARIANT(name, map, comp)              \
	SEC("xdp") int name(struct xdp_md *ctx)   \
	{                                         \
		return hot_body(ctx, &map, comp); \
	}

HOT_VARIANT(h_cur, hot_cur, H_ALL)
HOT_VARIANT(h_pcpu, hot_pcpu, H_ALL)
HOT_VARIANT(h_pcpu_full, hot_pcpu_full, H_ALL)
HOT_VARIANT(h_small, hot_small, H_ALL)
HOT_VARIANT(h_exp, hot_exp, H_PF | H_CLOCK | H_STATS)
/* The components, each one less, over today's layout and over (a). */
HOT_VARIANT(h_cur_no_clock, hot_cur, H_ALL & ~H_CLOCK)
HOT_VARIANT(h_cur_no_stats, hot_cur, H_ALL & ~H_STATS)
HOT_VARIANT(h_cur_no_pf, hot_cur, H_ALL & ~H_PF)
HOT_VARIANT(h_cur_no_count, hot_cur, H_ALL & ~H_COUNT)
HOT_VARIANT(h_pcpu_no_clock, hot_pcpu, H_ALL & ~H_CLOCK)
HOT_VARIANT(h_pcpu_no_stats, hot_pcpu, H_ALL & ~H_STATS)
HOT_VARIANT(h_cur_lookup, hot_cur, 0)
HOT_VARIANT(h_cur_jiffies, hot_cur, H_ALL | H_JIFFIES)
HOT_VARIANT(h_small_jiffies, hot_small, H_ALL | H_JIFFIES)

char LICENSE[] SEC("license") = "Dual BSD/GPL";
