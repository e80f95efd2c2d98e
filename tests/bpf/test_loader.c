// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the loader's pinned-map checks on the real bpffs: a map pinned by
 * another layout (an older arxdp's block value) is refused by name, and nothing of the new
 * program is pinned over it. Needs root; skips otherwise. Pins under a private directory that
 * every test removes.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "arxdp.h"
#include "loader.h"
#include "log.h"
#include "pindir.h"

static char dir[64];

static void rm_pins(void)
{
	const char *names[] = { ARXDP_MAP_BLOCK4, ARXDP_MAP_BLOCK6, ARXDP_MAP_CIDR4,
				ARXDP_MAP_CIDR6,  ARXDP_MAP_STATS,  ARXDP_MAP_META,
				ARXDP_PIN_PROG,	  "block_counters", ".lock" };
	char p[128];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
}

static void setup(void)
{
	if (geteuid() != 0)
		cr_skip_test("pinning needs root");
	log_init("test", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	snprintf(dir, sizeof(dir), "/sys/fs/bpf/arxdp-test-loader-%d", (int)getpid());
	cr_assert_eq(pindir_prepare(dir), 0);
}

static void teardown(void)
{
	if (dir[0])
		rm_pins();
}

/* (key, value, entries) of a block_v4 pinned by someone else; 0 = this build's. */
struct layout {
	__u32 key, value, entries;
	int err;
};

static void try_layout(const struct layout *l)
{
	struct loader_opts o = {
		.pin_dir = dir, .capacity_v4 = 1024, .capacity_v6 = 1024, .cidr_capacity = 16
	};
	char p[128];
	int fd, prog = -1, err;

	fd = bpf_map_create(BPF_MAP_TYPE_HASH, ARXDP_MAP_BLOCK4, l->key ?: 4,
			    l->value ?: sizeof(struct arxdp_block), l->entries ?: 1024, NULL);
	cr_assert_geq(fd, 0, "bpf_map_create: %d", errno);
	snprintf(p, sizeof(p), "%s/%s", dir, ARXDP_MAP_BLOCK4);
	cr_assert_eq(bpf_obj_pin(fd, p), 0);
	close(fd);
	err = loader_get_prog(&o, &prog);
	cr_expect_eq(err, l->err, "key %u value %u entries %u: %d, expected %d", l->key, l->value,
		     l->entries, err, l->err);
	snprintf(p, sizeof(p), "%s/%s", dir, ARXDP_PIN_PROG);
	cr_expect_eq(access(p, F_OK) == 0, l->err == 0, "program pinned: %d", access(p, F_OK));
	if (prog >= 0)
		close(prog);
}

Test(loader, old_value_layout_refused, .init = setup, .fini = teardown)
{
	/* The first release's block value: 40 bytes, without the drop counts. */
	try_layout(&(struct layout){ .value = 40, .err = -EINVAL });
}

Test(loader, other_key_refused, .init = setup, .fini = teardown)
{
	try_layout(&(struct layout){ .key = 8, .err = -EINVAL });
}

/* Another capacity is a configuration matter, not a layout: the pinned map is kept. */
Test(loader, other_capacity_kept, .init = setup, .fini = teardown)
{
	try_layout(&(struct layout){ .entries = 2048, .err = 0 });
}

Test(loader, same_layout_reused, .init = setup, .fini = teardown)
{
	try_layout(&(struct layout){ .err = 0 });
}
