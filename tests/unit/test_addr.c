// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* This file contains the address, prefix and duration tables (user/lib/addr.c). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include "addr.h"

struct addr_case {
	char in[64];
	int err; /* 0 or -EINVAL */
	char out[64]; /* canonical form when err == 0 */
	int family;
	int prefixlen;
};

/* clang-format off */
static struct addr_case addr_cases[] = {
	{ "198.51.100.7", 0, "198.51.100.7", 4, 32 },
	{ "203.0.113.0/24", 0, "203.0.113.0/24", 4, 24 },
	{ "203.0.113.7/32", 0, "203.0.113.7", 4, 32 },
	{ "0.0.0.0/0", 0, "0.0.0.0/0", 4, 0 },
	{ "2001:db8::1", 0, "2001:db8::1", 6, 128 },
	{ "2001:DB8:0:0:0:0:0:1", 0, "2001:db8::1", 6, 128 },
	{ "2001:db8::/32", 0, "2001:db8::/32", 6, 32 },
	{ "2001:db8::1/128", 0, "2001:db8::1", 6, 128 },
	{ "::ffff:203.0.113.7", 0, "203.0.113.7", 4, 32 },
	{ "::ffff:203.0.113.0/120", 0, "203.0.113.0/24", 4, 24 },
	{ "::ffff:c633:6407", 0, "198.51.100.7", 4, 32 },
	{ "", -EINVAL, "", 0, 0 },
	{ "198.51.100", -EINVAL, "", 0, 0 },
	{ "198.51.100.256", -EINVAL, "", 0, 0 },
	{ "127.1", -EINVAL, "", 0, 0 },
	{ "010.0.0.1", -EINVAL, "", 0, 0 },
	{ "198.51.100.7/33", -EINVAL, "", 0, 0 },
	{ "198.51.100.7/", -EINVAL, "", 0, 0 },
	{ "198.51.100.7/-1", -EINVAL, "", 0, 0 },
	{ "198.51.100.7/24x", -EINVAL, "", 0, 0 },
	{ "203.0.113.5/24", -EINVAL, "", 0, 0 },
	{ "2001:db8::1/64", -EINVAL, "", 0, 0 },
	{ "2001:db8::/129", -EINVAL, "", 0, 0 },
	{ "::ffff:203.0.113.0/64", -EINVAL, "", 0, 0 },
	{ "2001:db8:::1", -EINVAL, "", 0, 0 },
	{ "example.com", -EINVAL, "", 0, 0 },
	{ "198.51.100.7; rm -rf /", -EINVAL, "", 0, 0 },
	{ "../../tmp/malicious", -EINVAL, "", 0, 0 },
	{ " 198.51.100.7", -EINVAL, "", 0, 0 },
	{ "198.51.100.7 ", -EINVAL, "", 0, 0 },
	{ "fe80::1%eth0", -EINVAL, "", 0, 0 },
};
/* clang-format on */

ParameterizedTestParameters(addr, parse)
{
	return cr_make_param_array(struct addr_case, addr_cases,
				   sizeof(addr_cases) / sizeof(addr_cases[0]));
}

ParameterizedTest(struct addr_case *c, addr, parse)
{
	struct arxdp_addr a;
	char buf[ADDR_STRLEN], err[160] = "";
	int r = addr_parse(c->in, &a, err, sizeof(err));

	cr_assert_eq(r, c->err, "'%s': got %d, expected %d", c->in, r, c->err);
	if (r) {
		cr_expect_neq(err[0], '\0', "'%s': an error sentence", c->in);
		return;
	}
	cr_expect_str_eq(addr_format(&a, buf, sizeof(buf)), c->out);
	cr_expect_eq(a.family, c->family);
	cr_expect_eq(a.prefixlen, c->prefixlen);
}

struct host_case {
	char in[64];
	int err;
};

static struct host_case host_cases[] = {
	{ "192.0.2.1", 0 },
	{ "2001:0db8::1", 0 },
	{ "::ffff:192.0.2.1", 0 },
	{ "192.0.2.0/24", -EINVAL },
	{ "192.168.1.1; rm -rf /", -EINVAL },
	{ "", -EINVAL },
	{ "$(reboot)", -EINVAL },
	{ "`id`", -EINVAL },
};

ParameterizedTestParameters(addr, parse_host)
{
	return cr_make_param_array(struct host_case, host_cases,
				   sizeof(host_cases) / sizeof(host_cases[0]));
}

ParameterizedTest(struct host_case *c, addr, parse_host)
{
	struct arxdp_addr a;

	cr_expect_eq(addr_parse_host(c->in, &a), c->err, "'%s'", c->in);
}

struct special_case {
	char in[64];
	bool special;
};

static struct special_case special_cases[] = {
	{ "127.0.0.1", true },
	{ "127.5.6.7", true },
	{ "0.0.0.0", true },
	{ "0.0.0.0/0", true },
	{ "64.0.0.0/2", true },
	{ "::1", true },
	{ "::", true },
	{ "::/0", true },
	{ "198.51.100.7", false },
	{ "203.0.113.0/24", false },
	{ "2001:db8::1", false },
	{ "128.0.0.0/1", false },
};

ParameterizedTestParameters(addr, special)
{
	return cr_make_param_array(struct special_case, special_cases,
				   sizeof(special_cases) / sizeof(special_cases[0]));
}

ParameterizedTest(struct special_case *c, addr, special)
{
	struct arxdp_addr a;

	cr_assert_eq(addr_parse(c->in, &a, NULL, 0), 0, "%s", c->in);
	cr_expect_eq(addr_is_special(&a), c->special, "%s", c->in);
}

struct prefix_case {
	char addr[64];
	char prefix[64];
	bool inside;
};

static struct prefix_case prefix_cases[] = {
	{ "203.0.113.7", "203.0.113.0/24", true },     { "203.0.114.7", "203.0.113.0/24", false },
	{ "198.51.100.7", "198.51.100.7", true },      { "198.51.100.7", "198.51.100.6/31", true },
	{ "198.51.100.8", "198.51.100.6/31", false },  { "2001:db8::1", "2001:db8::/32", true },
	{ "2001:db9::1", "2001:db8::/32", false },     { "2001:db8::1", "203.0.113.0/24", false },
	{ "203.0.113.0/24", "203.0.113.0/25", false },
};

ParameterizedTestParameters(addr, in_prefix)
{
	return cr_make_param_array(struct prefix_case, prefix_cases,
				   sizeof(prefix_cases) / sizeof(prefix_cases[0]));
}

ParameterizedTest(struct prefix_case *c, addr, in_prefix)
{
	struct arxdp_addr a, p;

	cr_assert_eq(addr_parse(c->addr, &a, NULL, 0), 0);
	cr_assert_eq(addr_parse(c->prefix, &p, NULL, 0), 0);
	cr_expect_eq(addr_in_prefix(&a, &p), c->inside, "%s in %s", c->addr, c->prefix);
}

struct dur_case {
	char in[32];
	int err;
	uint32_t seconds;
};

static struct dur_case dur_cases[] = {
	{ "0", 0, 0 },
	{ "90", 0, 90 },
	{ "30s", 0, 30 },
	{ "10m", 0, 600 },
	{ "4h", 0, 14400 },
	{ "1d", 0, 86400 },
	{ "2w", 0, 1209600 },
	{ "", -EINVAL, 0 },
	{ "s", -EINVAL, 0 },
	{ "-5", -EINVAL, 0 },
	{ "5x", -EINVAL, 0 },
	{ "5mm", -EINVAL, 0 },
	{ "1.5h", -EINVAL, 0 },
	{ " 5", -EINVAL, 0 },
	{ "99999999999999999999", -ERANGE, 0 },
	{ "36500d", 0, 3153600000u },
	{ "36501d", -ERANGE, 0 },
};

ParameterizedTestParameters(duration, parse)
{
	return cr_make_param_array(struct dur_case, dur_cases,
				   sizeof(dur_cases) / sizeof(dur_cases[0]));
}

ParameterizedTest(struct dur_case *c, duration, parse)
{
	uint32_t s = 12345;
	int r = duration_parse(c->in, &s);

	cr_assert_eq(r, c->err, "'%s': got %d", c->in, r);
	if (!r)
		cr_expect_eq(s, c->seconds, "'%s': got %u", c->in, s);
}

struct dfmt_case {
	uint64_t s;
	char out[32];
};

static struct dfmt_case dfmt_cases[] = {
	{ 0, "permanent" }, { 45, "45s" },     { 60, "1m00s" },
	{ 3599, "59m59s" }, { 3600, "1h00m" }, { 90061, "1d01h" },
};

ParameterizedTestParameters(duration, format)
{
	return cr_make_param_array(struct dfmt_case, dfmt_cases,
				   sizeof(dfmt_cases) / sizeof(dfmt_cases[0]));
}

ParameterizedTest(struct dfmt_case *c, duration, format)
{
	char buf[32];

	cr_expect_str_eq(duration_format(c->s, buf, sizeof(buf)), c->out);
}
