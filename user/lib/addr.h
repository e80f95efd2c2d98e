/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file contains address, prefix and duration parsing and formatting. Pure functions,
 * no I/O: everything that turns operator or alert text into a map key goes through here.
 */
#ifndef ARXDP_ADDR_H
#define ARXDP_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An address or prefix. IPv4 sits in a[0..3] in network order; the rest is zero. */
struct arxdp_addr {
	uint8_t family; /* 4 or 6 */
	uint8_t prefixlen; /* 32 or 128 for an exact address */
	uint8_t a[16];
};

/* INET6_ADDRSTRLEN + "/128" */
#define ADDR_STRLEN 52

/*
 * Parses "ADDR" or "ADDR/PREFIX", numeric only. An IPv4-mapped IPv6 address becomes IPv4
 * (that is what arrives on the wire), its prefix reduced by 96. Host bits set below the
 * prefix are an error (-EINVAL) so a typo never widens a block silently.
 * err, when not NULL, receives a sentence on failure.
 */
int addr_parse(const char *s, struct arxdp_addr *out, char *err, size_t errlen);
/* Numeric address only, no prefix (firewall-drop, alerts). */
int addr_parse_host(const char *s, struct arxdp_addr *out);
/* "198.51.100.7", "2001:db8::1" for exact addresses; "203.0.113.0/24" for prefixes. */
const char *addr_format(const struct arxdp_addr *a, char *buf, size_t len);
bool addr_is_exact(const struct arxdp_addr *a);
/* Is addr inside prefix? Families must match. */
bool addr_in_prefix(const struct arxdp_addr *addr, const struct arxdp_addr *prefix);
/* Loopback, unspecified and similar addresses that must never be blocked. */
bool addr_is_special(const struct arxdp_addr *a);
int addr_cmp(const struct arxdp_addr *x, const struct arxdp_addr *y);

/* Longest accepted duration: 100 years, far from any overflow of ns arithmetic. */
#define DURATION_MAX_S (100ULL * 365 * 86400)

/* "90", "30s", "10m", "4h", "1d", "2w" -> seconds; "0" = permanent. */
int duration_parse(const char *s, uint32_t *seconds);
/* "1d2h", "45s", "permanent" for 0. */
const char *duration_format(uint64_t seconds, char *buf, size_t len);

#endif /* ARXDP_ADDR_H */
