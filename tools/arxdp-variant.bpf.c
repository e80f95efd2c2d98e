// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains a measuring variant of bpf/arxdp.bpf.c, never deployed: the same parse,
 * exact-block lookup, expiry check (coarse clock), CIDR guard and global per-CPU counters,
 * but no per-block drop counts. The difference between the two on the hit path is what those
 * counts cost (two atomic adds in the matched value). Keep it in step with the real program
 * when its hit path changes.
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
	__uint(max_entries, ARXDP_STAT_MAX);
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

char LICENSE[] SEC("license") = "Dual BSD/GPL";
