/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares what the parts of tools/trafficgen share: the parsed arguments, the
 * address set of N blocks (its keys, its wire share), and the namespace and interface helpers.
 * trafficgen.c holds main() and those helpers, trafficgen-send.c the generator and its
 * measurement, trafficgen-fill.c the receiving programs and how their maps are filled.
 */
#ifndef ARXDP_TRAFFICGEN_H
#define ARXDP_TRAFFICGEN_H

#include <netinet/in.h>
#include <stdint.h>

/* IPv4 sources the wire carries per set: 198.18.0.0-198.18.253.255 blocked, 198.19.0.0-
 * 198.19.253.255 clean; 198.19.255.0/31 are the two test hosts. */
#define WIRE_MAX4 65024u
#define FILLER4 0xf0000000u /* 240.0.0.0: pads a set beyond WIRE_MAX4, never on the wire */

enum tg_dist { TG_ONE = 0, TG_HOT = 1, TG_UNIFORM = 2 };

struct args {
	const char *gen_ns, *rx_ns, *dev, *rx_dev, *prog, *pin_dir;
	int family;
	enum tg_dist dist;
	uint32_t n, hot, capacity;
	struct in6_addr src, dst;
	double time_s;
	uint64_t count;
	int cpu, batch, size;
	uint32_t timeout_s;
	int precise;
	int fill;
	double max_ns; /* refuse above this per frame: the floor would be implausible */
	int direct; /* no calibration: one call of count frames, the reference to check it by */
	int no_anchor; /* leave the program out of the dispatcher between calls (to show why) */
};

/* How many of a set of n the wire carries (IPv4 has WIRE_MAX4 addresses to send from). */
uint32_t tg_wire_count(int family, uint32_t n);
/* The i-th key of a set of n starting at base: wire addresses first, then filler. */
void tg_set_key(int family, const struct in6_addr *base, uint32_t n, uint32_t i, void *key);
/* Enters the network namespace name (a /run/netns name or a path); NULL: stays. */
int tg_ns_enter(const char *name);
/* The ifindex of dev and, when mac is not NULL, its MAC address. */
int tg_if_lookup(const char *dev, int *ifindex, uint8_t mac[6]);

int tg_cmd_send(struct args *a);
int tg_cmd_attach(struct args *a);

#endif
