/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file contains the packet parsers of the XDP program: one __always_inline helper per
 * layer, each advancing a cursor. Every helper checks its header against data_end before it
 * reads a byte (the verifier rejects the program otherwise), and a short packet makes the
 * helper fail, never match: a truncated frame is passed, never dropped.
 */
#ifndef ARXDP_PARSE_BPF_H
#define ARXDP_PARSE_BPF_H

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef ETH_P_8021AD
#define ETH_P_8021AD 0x88A8
#endif

/* 802.1Q inside 802.1ad (QinQ) is the deepest stack we accept; deeper frames pass. */
#define ARXDP_VLAN_MAX_DEPTH 2

struct arxdp_vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

struct hdr_cursor {
	void *pos;
};

/* Returns the EtherType after the VLAN tags in network byte order, or -1 when truncated. */
static __always_inline int parse_ethhdr(struct hdr_cursor *c, void *data_end)
{
	struct ethhdr *eth = c->pos;
	struct arxdp_vlan_hdr *vlh;
	__be16 proto;
	int i;

	if ((void *)(eth + 1) > data_end)
		return -1;
	c->pos = eth + 1;
	proto = eth->h_proto;

#pragma unroll
	for (i = 0; i < ARXDP_VLAN_MAX_DEPTH; i++) {
		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		vlh = c->pos;
		if ((void *)(vlh + 1) > data_end)
			return -1;
		proto = vlh->encap_proto;
		c->pos = vlh + 1;
	}
	return proto;
}

/*
 * Only the source address is needed, and it sits in the fixed part of the header, so options
 * (any IHL) are never walked. Every fragment carries the source, so fragments match too.
 */
static __always_inline struct iphdr *parse_iphdr(struct hdr_cursor *c, void *data_end)
{
	struct iphdr *iph = c->pos;

	if ((void *)(iph + 1) > data_end)
		return NULL;
	if (iph->version != 4 || iph->ihl < 5)
		return NULL;
	return iph;
}

/* The source is in the fixed header; extension headers do not matter to a source match. */
static __always_inline struct ipv6hdr *parse_ip6hdr(struct hdr_cursor *c, void *data_end)
{
	struct ipv6hdr *ip6h = c->pos;

	if ((void *)(ip6h + 1) > data_end)
		return NULL;
	if (ip6h->version != 6)
		return NULL;
	return ip6h;
}

#endif /* ARXDP_PARSE_BPF_H */
