// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the tests of a pin set opened while its loader was still pinning it: the
 * loader pins map by map holding the pin-directory lock, so a writer that opened it meanwhile
 * saw no tier counts, no hot maps or no prefilter. Its first write (under the lock) must look
 * again and use them: a block written to a big map uncounted is one the program never looks
 * up, and a clear prefilter bit hides a block as surely. Each row hides a set of pins, opens,
 * puts them back, blocks, and asks the program. Needs root.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include "arxdp.h"
#include "blocklist.h"
#include "loader.h"
#include "log.h"
#include "pindir.h"
#include "util.h"
#include "bpf/pkt.h"
#include "bpf/verdict.h"
#include "testutil.h"

/* Inline strings: criterion copies a row into a new process. */
struct row {
	char desc[48];
	char hide[3][16]; /* pins missing at open, pinned again before the first write */
	char addr[48];
};

/* clang-format off */
static struct row rows[] = {
	{ "tier counts late, IPv4", { ARXDP_MAP_TIER }, "198.51.100.70" },
	{ "hot tier late, IPv4", { ARXDP_MAP_TIER, ARXDP_MAP_HOT4, ARXDP_MAP_HOT6 }, "198.51.100.71" },
	{ "hot tier late, IPv6", { ARXDP_MAP_TIER, ARXDP_MAP_HOT4, ARXDP_MAP_HOT6 }, "2001:db8::71" },
	{ "prefilter late, IPv4", { ARXDP_MAP_PREFILTER, ARXDP_MAP_PFCOUNT }, "198.51.100.72" },
	{ "prefilter late, IPv6", { ARXDP_MAP_PREFILTER, ARXDP_MAP_PFCOUNT }, "2001:db8::72" },
};
/* clang-format on */

ParameterizedTestParameters(partial, late_pins)
{
	return cr_make_param_array(struct row, rows, ARRAY_SIZE(rows));
}

/* Takes names[0..n) out of dir, keeping their maps in fds to be pinned back by the case. */
static void hide(const char *dir, const char *const *names, int n, int *fds)
{
	char path[PATH_MAX];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		fds[i] = bpf_obj_get(path);
		cr_assert_geq(fds[i], 0, "%s", path);
		cr_assert_eq(unlink(path), 0);
	}
}

ParameterizedTest(struct row *r, partial, late_pins, .fini = tu_rm_pin_dir)
{
	struct loader_opts o = { .capacity_v4 = 64, .capacity_v6 = 64, .cidr_capacity = 16 };
	int prog_fd = -1, fds[3] = { -1, -1, -1 }, i, n;
	const char *names[3];
	struct bl_reason why = { .origin = ARXDP_ORIGIN_CLI };
	struct blocklist bl;
	struct arxdp_addr a;
	char path[PATH_MAX];

	prog_fd = pin_set_prog(&o, "partial");
	for (n = 0; n < 3 && r->hide[n][0]; n++)
		names[n] = r->hide[n];
	hide(o.pin_dir, names, n, fds);
	cr_assert_eq(addr_parse(r->addr, &a, NULL, 0), 0);
	cr_assert_eq(bl_open_some(&bl, o.pin_dir, bl_open_for(&a) | BL_OPEN_GUARD), 0);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", o.pin_dir, r->hide[i]);
		cr_assert_eq(bpf_obj_pin(fds[i], path), 0, "%s", path);
		close(fds[i]);
	}
	cr_assert_eq(bl_block(&bl, &a, 0, &why, NULL, NULL), 0, "%s: block %s", r->desc, r->addr);
	cr_expect_eq(pkt_verdict_ok(prog_fd, r->addr), XDP_DROP, "%s: the program drops %s",
		     r->desc, r->addr);
	bl_close(&bl);
	close(prog_fd);
}

/* A hot map pinned late with another layout: every write refuses, none goes uncounted. */
Test(partial, late_hot_map_of_another_layout, .fini = tu_rm_pin_dir)
{
	struct loader_opts o = { .capacity_v4 = 64, .capacity_v6 = 64, .cidr_capacity = 16 };
	const char *const late[] = { ARXDP_MAP_TIER, ARXDP_MAP_HOT4, ARXDP_MAP_HOT6 };
	struct bl_reason why = { .origin = ARXDP_ORIGIN_CLI };
	int prog_fd = -1, fds[3], bad, i;
	struct arxdp_block v;
	struct blocklist bl;
	struct arxdp_addr a;
	char path[PATH_MAX];

	prog_fd = pin_set_prog(&o, "partial");
	hide(o.pin_dir, late, 3, fds);
	cr_assert_eq(addr_parse("198.51.100.73", &a, NULL, 0), 0);
	cr_assert_eq(bl_open_some(&bl, o.pin_dir, bl_open_for(&a) | BL_OPEN_GUARD), 0);
	bad = bpf_map_create(BPF_MAP_TYPE_HASH, NULL, 4, 8, 16, NULL);
	cr_assert_geq(bad, 0);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", o.pin_dir, late[i]);
		cr_assert_eq(bpf_obj_pin(i == 1 ? bad : fds[i], path), 0, "%s", path);
		close(fds[i]);
	}
	for (i = 0; i < 2; i++)
		cr_expect_neq(bl_block(&bl, &a, 0, &why, NULL, NULL), 0, "write %d refused", i);
	cr_expect_eq(bl_get(&bl, &a, &v), -ENOENT, "nothing written");
	cr_expect_eq(pkt_verdict_ok(prog_fd, "198.51.100.73"), XDP_PASS);
	bl_close(&bl);
	close(bad);
	close(prog_fd);
}

/* A tier pin that is not a map (here a directory) is an error, not an older pin set. */
Test(partial, tier_pin_unopenable, .fini = tu_rm_pin_dir)
{
	struct loader_opts o = { .capacity_v4 = 64, .capacity_v6 = 64, .cidr_capacity = 16 };
	struct blocklist bl;
	struct arxdp_addr a;
	char path[PATH_MAX];
	int prog_fd = -1;

	prog_fd = pin_set_prog(&o, "partial");
	snprintf(path, sizeof(path), "%s/%s", o.pin_dir, ARXDP_MAP_TIER);
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(mkdir(path, 0700), 0);
	cr_assert_eq(addr_parse("198.51.100.74", &a, NULL, 0), 0);
	cr_expect_neq(bl_open_some(&bl, o.pin_dir, bl_open_for(&a) | BL_OPEN_GUARD), 0,
		      "open refused");
	close(prog_fd);
}

/*
 * Hot maps not pinned but the tier map pinned: writers keep to the big maps, and each write
 * raises the tier counts as read, never from zero: zeros written back would tell the program
 * that the other family's big map is empty, and its blocks would pass.
 */
Test(partial, big_maps_only_keep_the_tier_counts, .fini = tu_rm_pin_dir)
{
	struct loader_opts o = { .capacity_v4 = 64, .capacity_v6 = 64, .cidr_capacity = 16 };
	const char *const gone[] = { ARXDP_MAP_HOT4, ARXDP_MAP_HOT6 };
	struct bl_reason why = { .origin = ARXDP_ORIGIN_CLI };
	struct arxdp_addr a4, a6;
	struct blocklist bl;
	int prog_fd, fds[2];

	prog_fd = pin_set_prog(&o, "partial");
	hide(o.pin_dir, gone, 2, fds);
	close(fds[0]);
	close(fds[1]);
	cr_assert_eq(addr_parse("2001:db8::75", &a6, NULL, 0), 0);
	cr_assert_eq(addr_parse("198.51.100.75", &a4, NULL, 0), 0);
	cr_assert_eq(bl_open(&bl, o.pin_dir), 0);
	cr_assert_eq(bl_block(&bl, &a6, 0, &why, NULL, NULL), 0);
	cr_assert_eq(bl_block(&bl, &a4, 0, &why, NULL, NULL), 0);
	cr_expect_eq(pkt_verdict_ok(prog_fd, "2001:db8::75"), XDP_DROP,
		     "the IPv6 block stays visible after an IPv4 write");
	cr_expect_eq(pkt_verdict_ok(prog_fd, "198.51.100.75"), XDP_DROP);
	bl_close(&bl);
	close(prog_fd);
}

/*
 * arxdpd puts back pins that vanished (bpffs remounted) under the pin-directory lock, as the
 * loader pins: a writer that holds the lock never sees the set half put back.
 */
Test(partial, repin_under_the_lock, .fini = tu_rm_pin_dir)
{
	struct loader_opts o = { .capacity_v4 = 64, .capacity_v6 = 64, .cidr_capacity = 16 };
	const char *const gone[] = { ARXDP_MAP_PREFILTER, ARXDP_MAP_PFCOUNT };
	char path[PATH_MAX];
	struct blocklist bl;
	int prog_fd, fds[2], lock, n = -1, i;

	prog_fd = pin_set_prog(&o, "partial");
	cr_assert_eq(bl_open(&bl, o.pin_dir), 0);
	hide(o.pin_dir, gone, 2, fds);
	close(fds[0]);
	close(fds[1]);
	lock = pindir_lock_timeout(o.pin_dir, 1000, true);
	cr_assert_geq(lock, 0);
	bl.lock_timeout_ms = 50;
	cr_expect_neq(bl_repin(&bl, prog_fd, &n), 0, "repinned while another writer held the lock");
	cr_expect_eq(n, 0);
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", o.pin_dir, gone[i]);
		cr_expect_neq(access(path, F_OK), 0, "%s pinned under another's lock", gone[i]);
	}
	pindir_unlock(lock);
	cr_expect_eq(bl_repin(&bl, prog_fd, &n), 0);
	cr_expect_eq(n, 2);
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", o.pin_dir, gone[i]);
		cr_expect_eq(access(path, F_OK), 0, "%s not put back", gone[i]);
	}
	bl_close(&bl);
	close(prog_fd);
}
