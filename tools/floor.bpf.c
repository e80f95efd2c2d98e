// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the reference programs the benchmarks measure arxdp against: the empty
 * XDP_DROP program (the floor), an XDP_PASS program (the stack without rules, and what the
 * receiving veth needs to take xdp_frames at all), and the bare lookup: the least any
 * blocklist must do, one hash lookup on the source address in a map of arxdp's size and
 * value layout, so a uniform spread over a large map pays the same cache misses.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "arxdp.h"

/* Sized at load to arxdp's capacity. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ARXDP_DEFAULT_CAPACITY);
	__type(key, __u32);
	__type(value, struct arxdp_block);
} lookup_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ARXDP_DEFAULT_CAPACITY);
	__type(key, struct in6_addr);
	__type(value, struct arxdp_block);
} lookup_v6 SEC(".maps");

SEC("xdp")
int floor_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("xdp")
int floor_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* No VLAN, no counters, no clock: the cache-miss floor of one lookup. */
SEC("xdp")
int bare_lookup(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);
		__u32 saddr;

		if ((void *)(iph + 1) > data_end)
			return XDP_PASS;
		saddr = iph->saddr;
		return bpf_map_lookup_elem(&lookup_v4, &saddr) ? XDP_DROP : XDP_PASS;
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = (void *)(eth + 1);
		struct in6_addr saddr;

		if ((void *)(ip6h + 1) > data_end)
			return XDP_PASS;
		saddr = ip6h->saddr;
		return bpf_map_lookup_elem(&lookup_v6, &saddr) ? XDP_DROP : XDP_PASS;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
