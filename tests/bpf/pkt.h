/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file contains the packet builder of the datapath tests: Ethernet, up to three VLAN
 * tags, IPv4 (any IHL, fragment fields) or IPv6, and a UDP header with a small payload;
 * or any other EtherType with filler bytes. The frame can be cut at any length to test
 * truncation. Modelled on the kernel selftests' pkt_v4/pkt_v6.
 */
#ifndef ARXDP_TEST_PKT_H
#define ARXDP_TEST_PKT_H

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>

#define PKT_MAX 256

struct pkt_spec {
	uint16_t ethertype; /* ETH_P_IP, ETH_P_IPV6, ETH_P_ARP... (host order) */
	int nvlan;
	uint16_t vlan_tpid[3]; /* host order; 0x8100 when 0 */
	char src[48]; /* numeric source address */
	uint8_t ihl; /* IPv4 header length in words; 5 when 0 */
	uint16_t frag; /* IPv4 frag_off field, host order (MF = 0x2000, offset in 8-byte units) */
	uint8_t ip_version; /* overrides the version nibble when non-zero */
	int cut; /* keep only this many bytes when > 0 */
};

static inline int pkt_build(const struct pkt_spec *s, uint8_t *buf)
{
	uint8_t *p = buf;
	struct ethhdr *eth = (struct ethhdr *)p;
	uint16_t proto = s->ethertype;
	int i, len;

	memset(buf, 0, PKT_MAX);
	memcpy(eth->h_dest, "\x02\x00\x00\x00\x00\x01", 6);
	memcpy(eth->h_source, "\x02\x00\x00\x00\x00\x02", 6);
	p += sizeof(*eth);
	if (s->nvlan) {
		eth->h_proto = htons(s->vlan_tpid[0] ? s->vlan_tpid[0] : 0x8100);
		for (i = 0; i < s->nvlan; i++) {
			uint16_t next =
				i + 1 < s->nvlan ?
					(s->vlan_tpid[i + 1] ? s->vlan_tpid[i + 1] : 0x8100) :
					proto;

			uint16_t tag[2] = { htons(100 + i), htons(next) }; /* TCI, next type */

			memcpy(p, tag, sizeof(tag));
			p += 4;
		}
	} else {
		eth->h_proto = htons(proto);
	}

	/* Headers are built in aligned locals and copied: in the frame they sit at offsets
	 * that are not aligned for their types. */
	if (proto == ETH_P_IP) {
		struct iphdr iph = {};
		struct udphdr udp = {};
		uint8_t *start = p;
		uint8_t ihl = s->ihl ? s->ihl : 5;
		uint16_t tot;

		iph.version = s->ip_version ? s->ip_version : 4;
		iph.ihl = ihl;
		iph.ttl = 64;
		iph.protocol = IPPROTO_UDP;
		iph.frag_off = htons(s->frag);
		inet_pton(AF_INET, s->src, &iph.saddr);
		inet_pton(AF_INET, "198.18.0.1", &iph.daddr);
		p += sizeof(iph);
		if (ihl > 5) {
			memset(p, 1, ihl * 4 - sizeof(iph)); /* options: NOPs */
			p += ihl * 4 - sizeof(iph);
		}
		udp.source = htons(4000);
		udp.dest = htons(5000);
		udp.len = htons(sizeof(udp) + 16);
		memcpy(p, &udp, sizeof(udp));
		p += sizeof(udp) + 16;
		tot = (uint16_t)(p - start);
		iph.tot_len = htons(tot);
		memcpy(start, &iph, sizeof(iph));
	} else if (proto == ETH_P_IPV6) {
		struct ipv6hdr ip6 = {};
		struct udphdr udp = {};

		ip6.version = s->ip_version ? s->ip_version : 6;
		ip6.hop_limit = 64;
		ip6.nexthdr = IPPROTO_UDP;
		inet_pton(AF_INET6, s->src, &ip6.saddr);
		inet_pton(AF_INET6, "2001:2::1", &ip6.daddr);
		ip6.payload_len = htons(sizeof(udp) + 16);
		memcpy(p, &ip6, sizeof(ip6));
		p += sizeof(ip6);
		udp.source = htons(4000);
		udp.dest = htons(5000);
		udp.len = htons(sizeof(udp) + 16);
		memcpy(p, &udp, sizeof(udp));
		p += sizeof(udp) + 16;
	} else {
		memset(p, 0xab, 46);
		p += 46;
	}
	len = p - buf;
	if (s->cut > 0 && s->cut < len)
		len = s->cut;
	return len;
}

#endif /* ARXDP_TEST_PKT_H */
