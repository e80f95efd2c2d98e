// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the traffic generator's XDP program, run by BPF_PROG_RUN in live-frames
 * mode: it rewrites the source address of the frame user space built (one address, a hot set,
 * or uniform over N), patches the IP and UDP checksums incrementally and redirects the frame
 * into the veth whose peer runs the program under test. The page pool hands back either the
 * original or an already rewritten frame, so every patch is relative to the bytes in front of
 * it, never to the template.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

enum tg_dist {
	TG_ONE = 0,
	TG_HOT = 1,
	TG_UNIFORM = 2,
};

/* Set before load; the verifier drops the branches that are not taken. */
const volatile __u32 ifindex_out = 0;
const volatile __u8 family = 4;
const volatile __u32 dist = TG_ONE;
const volatile __u32 n_addrs = 1;
const volatile __u32 hot_n = 1;
/* First address of the range, host order for IPv4; IPv6 adds the index to the last word. */
const volatile __u32 base4 = 0;
const volatile __u32 base6_lo = 0;

static __always_inline __u32 pick(void)
{
	if (dist == TG_UNIFORM)
		return bpf_get_prandom_u32() % n_addrs;
	if (dist == TG_HOT)
		return bpf_get_prandom_u32() % hot_n;
	return 0;
}

/* RFC 1624: HC' = ~(~HC + ~m + m'), over the 16-bit words as they sit in memory. */
static __always_inline __u16 csum_replace4(__u16 sum, __u32 from, __u32 to)
{
	__u32 s = (__u16)~sum;

	s += (__u16) ~(from & 0xffff);
	s += (__u16) ~(from >> 16);
	s += to & 0xffff;
	s += to >> 16;
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

SEC("xdp")
int tg_xdp(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	__u32 idx = pick();

	if (family == 4) {
		struct iphdr *iph = (void *)(eth + 1);
		struct udphdr *udp = (void *)(iph + 1);
		__u32 old, new;

		if ((void *)(udp + 1) > data_end)
			return XDP_ABORTED;
		old = iph->saddr;
		new = bpf_htonl(base4 + idx);
		iph->saddr = new;
		iph->check = csum_replace4(iph->check, old, new);
		/* 0 means "no checksum" in UDP over IPv4; a computed 0 is sent as 0xffff. */
		if (udp->check) {
			udp->check = csum_replace4(udp->check, old, new);
			if (!udp->check)
				udp->check = 0xffff;
		}
	} else {
		struct ipv6hdr *ip6h = (void *)(eth + 1);
		struct udphdr *udp = (void *)(ip6h + 1);
		__u32 old, new;

		if ((void *)(udp + 1) > data_end)
			return XDP_ABORTED;
		old = ip6h->saddr.in6_u.u6_addr32[3];
		new = bpf_htonl(base6_lo + idx);
		ip6h->saddr.in6_u.u6_addr32[3] = new;
		udp->check = csum_replace4(udp->check, old, new);
		if (!udp->check)
			udp->check = 0xffff;
	}
	return bpf_redirect(ifindex_out, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
