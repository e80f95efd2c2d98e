// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* This file contains the address, prefix and duration helpers declared in addr.h. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static void __attribute__((format(printf, 3, 4)))
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static bool host_bits_clear(const uint8_t *a, unsigned int plen, unsigned int bits)
{
	unsigned int i;

	for (i = plen; i < bits; i++)
		if (a[i / 8] & (0x80 >> (i % 8)))
			return false;
	return true;
}

static int parse_numeric(const char *s, struct arxdp_addr *out)
{
	struct in6_addr a6;
	struct in_addr a4;

	memset(out, 0, sizeof(*out));
	/* inet_pton, unlike inet_aton, takes no shorthand ("127.1") or octal ("010.0.0.1"). */
	if (inet_pton(AF_INET, s, &a4) == 1) {
		out->family = 4;
		out->prefixlen = 32;
		memcpy(out->a, &a4, 4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a6) == 1) {
		if (!memcmp(a6.s6_addr, v4mapped, sizeof(v4mapped))) {
			out->family = 4;
			out->prefixlen = 32;
			memcpy(out->a, a6.s6_addr + 12, 4);
			return 1; /* mapped: the caller adjusts a prefix */
		}
		out->family = 6;
		out->prefixlen = 128;
		memcpy(out->a, a6.s6_addr, 16);
		return 0;
	}
	return -EINVAL;
}

int addr_parse_host(const char *s, struct arxdp_addr *out)
{
	if (!s || !*s || strlen(s) >= ADDR_STRLEN || strchr(s, '/'))
		return -EINVAL;
	return parse_numeric(s, out) < 0 ? -EINVAL : 0;
}

int addr_parse(const char *s, struct arxdp_addr *out, char *err, size_t errlen)
{
	char buf[ADDR_STRLEN + 8], *slash, *end;
	unsigned long plen;
	unsigned int bits;
	int mapped;

	if (!s || !*s) {
		set_err(err, errlen, "empty address");
		return -EINVAL;
	}
	if (strlen(s) >= sizeof(buf)) {
		set_err(err, errlen, "'%.60s…': too long for an address", s);
		return -EINVAL;
	}
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	mapped = parse_numeric(buf, out);
	if (mapped < 0) {
		set_err(err, errlen, "'%s': not a numeric IPv4 or IPv6 address", s);
		return -EINVAL;
	}
	if (!slash)
		return 0;

	bits = out->family == 4 && !mapped ? 32 : 128;
	if (!isdigit((unsigned char)slash[1])) {
		set_err(err, errlen, "'%s': prefix length is not a number", s);
		return -EINVAL;
	}
	errno = 0;
	plen = strtoul(slash + 1, &end, 10);
	if (errno || *end || plen > bits) {
		set_err(err, errlen, "'%s': prefix length out of range", s);
		return -EINVAL;
	}
	if (mapped) {
		if (plen < 96) {
			set_err(err, errlen, "'%s': an IPv4-mapped prefix must be /96 or longer",
				s);
			return -EINVAL;
		}
		plen -= 96;
		bits = 32;
	}
	if (!host_bits_clear(out->a, plen, bits)) {
		set_err(err, errlen, "'%s': host bits set below the prefix length", s);
		return -EINVAL;
	}
	out->prefixlen = plen;
	return 0;
}

bool addr_is_exact(const struct arxdp_addr *a)
{
	return a->prefixlen == (a->family == 4 ? 32 : 128);
}

const char *addr_format(const struct arxdp_addr *a, char *buf, size_t len)
{
	char tmp[INET6_ADDRSTRLEN];

	if (!inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->a, tmp, sizeof(tmp)))
		snprintf(tmp, sizeof(tmp), "?");
	if (addr_is_exact(a))
		snprintf(buf, len, "%s", tmp);
	else
		snprintf(buf, len, "%s/%u", tmp, a->prefixlen);
	return buf;
}

bool addr_in_prefix(const struct arxdp_addr *addr, const struct arxdp_addr *prefix)
{
	unsigned int i, plen = prefix->prefixlen;

	if (addr->family != prefix->family || addr->prefixlen < plen)
		return false;
	for (i = 0; i < plen / 8; i++)
		if (addr->a[i] != prefix->a[i])
			return false;
	if (plen % 8) {
		uint8_t mask = (uint8_t)(0xff << (8 - plen % 8));

		if ((addr->a[i] & mask) != (prefix->a[i] & mask))
			return false;
	}
	return true;
}

bool addr_is_special(const struct arxdp_addr *a)
{
	static const struct arxdp_addr lo4 = { .family = 4,
					       .prefixlen = 32,
					       .a = { 127, 0, 0, 1 } };
	static const struct arxdp_addr lo6 = { .family = 6, .prefixlen = 128, .a = { [15] = 1 } };
	static const uint8_t zero[16];

	/* Loopback, 0/8 ("this network") and :: never arrive from a peer worth blocking, and a
	 * prefix wide enough to cover loopback is a typo, not a policy. */
	if (a->family == 4)
		return a->a[0] == 127 || a->a[0] == 0 || addr_in_prefix(&lo4, a);
	return !memcmp(a->a, zero, 16) || addr_in_prefix(&lo6, a);
}

int addr_cmp(const struct arxdp_addr *x, const struct arxdp_addr *y)
{
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	int c = memcmp(x->a, y->a, 16);
	if (c)
		return c;
	return (int)x->prefixlen - (int)y->prefixlen;
}

int duration_parse(const char *s, uint32_t *seconds)
{
	unsigned long long v, mult = 1;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	if (*end) {
		switch (*end) {
		case 's':
			mult = 1;
			break;
		case 'm':
			mult = 60;
			break;
		case 'h':
			mult = 3600;
			break;
		case 'd':
			mult = 86400;
			break;
		case 'w':
			mult = 7 * 86400;
			break;
		default:
			return -EINVAL;
		}
		if (end[1])
			return -EINVAL;
	}
	if (v > DURATION_MAX_S / mult || v * mult > UINT32_MAX)
		return -ERANGE;
	*seconds = (uint32_t)(v * mult);
	return 0;
}

const char *duration_format(uint64_t s, char *buf, size_t len)
{
	if (!s) {
		snprintf(buf, len, "permanent");
		return buf;
	}
	if (s >= 86400)
		snprintf(buf, len, "%llud%02lluh", (unsigned long long)(s / 86400),
			 (unsigned long long)(s % 86400 / 3600));
	else if (s >= 3600)
		snprintf(buf, len, "%lluh%02llum", (unsigned long long)(s / 3600),
			 (unsigned long long)(s % 3600 / 60));
	else if (s >= 60)
		snprintf(buf, len, "%llum%02llus", (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
	else
		snprintf(buf, len, "%llus", (unsigned long long)s);
	return buf;
}
