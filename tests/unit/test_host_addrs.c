// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the test of bl_host_addrs() (user/lib/hostaddr.c), which reads this
 * host's addresses with one RTM_GETADDR dump instead of getifaddrs(): the same addresses, in
 * the same order, in a fresh namespace with addresses the test gives it (not in the root one,
 * where the other tests add and remove addresses meanwhile).
 */
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "addr.h"
#include "blocklist.h"

/* getifaddrs()' IPv4 and IPv6 entries, formatted one per line. */
static void by_getifaddrs(char *buf, size_t len)
{
	struct ifaddrs *ifa, *i;
	struct arxdp_addr a;
	char s[ADDR_STRLEN];
	size_t off = 0;

	buf[0] = '\0';
	cr_assert_eq(getifaddrs(&ifa), 0, "getifaddrs: %s", strerror(errno));
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr)
			continue;
		memset(&a, 0, sizeof(a));
		if (i->ifa_addr->sa_family == AF_INET) {
			a.family = 4;
			a.prefixlen = 32;
			memcpy(a.a, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			a.family = 6;
			a.prefixlen = 128;
			memcpy(a.a, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, 16);
		} else {
			continue;
		}
		off += snprintf(buf + off, len - off, "%s\n", addr_format(&a, s, sizeof(s)));
		cr_assert_lt(off, len);
	}
	freeifaddrs(ifa);
}

static void by_dump(char *buf, size_t len)
{
	struct arxdp_addr *list;
	char s[ADDR_STRLEN];
	size_t n, i, off = 0;

	buf[0] = '\0';
	cr_assert_eq(bl_host_addrs(&list, &n), 0);
	for (i = 0; i < n; i++) {
		off += snprintf(buf + off, len - off, "%s\n", addr_format(&list[i], s, sizeof(s)));
		cr_assert_lt(off, len);
	}
	free(list);
}

static void expect_same(void)
{
	static char want[1 << 16], got[1 << 16];

	by_getifaddrs(want, sizeof(want));
	by_dump(got, sizeof(got));
	cr_expect_str_eq(got, want);
}

/* A private namespace: loopback down (no address), then the test's own (veth), peer too. */
Test(host_addrs, same_as_getifaddrs_in_a_fresh_namespace)
{
	static const char *const cmds[] = {
		"ip link set lo up",
		"ip link add xha0 type veth peer name xha1",
		"ip link set xha0 up",
		"ip addr add 198.18.200.1/24 dev xha0",
		"ip addr add 198.18.201.1 peer 198.18.201.2 dev xha0",
		"ip -6 addr add 2001:2:0:c8::1/64 dev xha0 nodad",
	};
	char empty[64];

	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare: %s (needs root)", strerror(errno));
	by_dump(empty, sizeof(empty));
	cr_expect_str_eq(empty, "", "a fresh namespace has no address");
	expect_same();
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		cr_assert_eq(system(cmds[i]), 0, "%s", cmds[i]);
	expect_same();
}
