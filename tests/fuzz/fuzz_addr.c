// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: address, prefix and duration parsing. Properties, not just "no crash":
 * what parses formats back to text that parses to the same value; an exact address is inside
 * its own /32 or /128; host bits are never set below the prefix; a duration parsed is within
 * DURATION_MAX_S and formats without overflowing its buffer.
 */
#include <stdlib.h>
#include <string.h>
#include "addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_host_bits(const struct arxdp_addr *a)
{
	int bytes = a->family == 4 ? 4 : 16, i;

	if (a->prefixlen > bytes * 8)
		abort();
	for (i = 0; i < bytes * 8; i++)
		if (i >= a->prefixlen && (a->a[i / 8] & (0x80 >> (i % 8))))
			abort();
	for (i = bytes; i < 16; i++)
		if (a->a[i])
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[256], buf[ADDR_STRLEN], dbuf[64], err[128];
	struct arxdp_addr a, b;
	uint32_t secs;

	if (size >= sizeof(s))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	if (addr_parse(s, &a, err, sizeof(err)) == 0) {
		if (a.family != 4 && a.family != 6)
			abort();
		check_host_bits(&a);
		if (!addr_format(&a, buf, sizeof(buf)))
			abort();
		if (addr_parse(buf, &b, NULL, 0) || addr_cmp(&a, &b))
			abort();
		if (addr_is_exact(&a) && !addr_in_prefix(&a, &a))
			abort();
		addr_is_special(&a);
		/* A tiny buffer must be refused or filled within bounds, never overrun. */
		addr_format(&a, buf, 8);
	} else if (!memchr(err, '\0', sizeof(err))) {
		abort();
	}
	if (addr_parse_host(s, &a) == 0) {
		if (!addr_is_exact(&a))
			abort();
		if (!addr_format(&a, buf, sizeof(buf)) || addr_parse_host(buf, &b) ||
		    addr_cmp(&a, &b))
			abort();
	}
	if (duration_parse(s, &secs) == 0) {
		if (secs > DURATION_MAX_S)
			abort();
		if (!duration_format(secs, dbuf, sizeof(dbuf)))
			abort();
		duration_format(secs, dbuf, 4);
	}
	return 0;
}
