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
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "arxdp.h"
#include "loader.h"
#include "log.h"
#include "pindir.h"
#include "testutil.h"

static char dir[64];

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
		tu_rm_rf(dir); /* whatever the loader pinned: no list of names to keep in step */
}

static char said[512]; /* the loader's last warning */

static void keep_warning(enum log_level l, const char *msg, void *ctx)
{
	if (l == LOG_LEVEL_WARN && strstr(msg, "pinned by another"))
		snprintf(said, sizeof(said), "%s", msg);
}

/* A map pinned by someone else under one of our names; 0 = this build's value. */
struct layout {
	const char *name;
	enum bpf_map_type type;
	__u32 key, value, entries;
	int err;
};

static void try_layout(const struct layout *l)
{
	struct loader_opts o = {
		.pin_dir = dir, .capacity_v4 = 1024, .capacity_v6 = 1024, .cidr_capacity = 16
	};
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info);
	char p[128];
	int fd, prog = -1, err;

	fd = bpf_map_create(l->type, l->name, l->key, l->value, l->entries, NULL);
	cr_assert_geq(fd, 0, "bpf_map_create: %d", errno);
	snprintf(p, sizeof(p), "%s/%s", dir, l->name);
	cr_assert_eq(bpf_obj_pin(fd, p), 0);
	close(fd);
	said[0] = '\0';
	log_set_sink(keep_warning, NULL);
	err = loader_get_prog(&o, &prog);
	log_set_sink(NULL, NULL);
	cr_expect_eq(err, l->err, "%s key %u value %u entries %u: %d, expected %d", l->name, l->key,
		     l->value, l->entries, err, l->err);
	if (l->err) {
		/* Refused by name, before libbpf: not its bare EINVAL. */
		cr_expect(strstr(said, l->name) != NULL, "the message names '%s': '%s'", l->name,
			  said);
	} else {
		cr_expect_eq(said[0], '\0', "no layout complaint: '%s'", said);
	}
	/* The foreign map is left as it was. */
	fd = bpf_obj_get(p);
	cr_assert_geq(fd, 0);
	cr_assert_eq(bpf_obj_get_info_by_fd(fd, &info, &info_len), 0);
	cr_expect_eq(info.value_size, l->value);
	cr_expect_eq(info.max_entries, l->entries);
	close(fd);
	snprintf(p, sizeof(p), "%s/%s", dir, ARXDP_PIN_PROG);
	cr_expect_eq(access(p, F_OK) == 0, l->err == 0, "program pinned: %d", access(p, F_OK));
	if (prog >= 0)
		close(prog);
}

#define BLOCK4(k, v, n) ARXDP_MAP_BLOCK4, BPF_MAP_TYPE_HASH, k, v, n

Test(loader, old_value_layout_refused, .init = setup, .fini = teardown)
{
	/* The first release's block value: 40 bytes, without the drop counts. */
	try_layout(&(struct layout){ BLOCK4(4, 40, 1024), -EINVAL });
}

Test(loader, other_key_refused, .init = setup, .fini = teardown)
{
	try_layout(&(struct layout){ BLOCK4(8, sizeof(struct arxdp_block), 1024), -EINVAL });
}

/* The stats rows are part of the layout: only this check refuses another row count. */
Test(loader, other_stats_rows_refused, .init = setup, .fini = teardown)
{
	try_layout(&(struct layout){ ARXDP_MAP_STATS, BPF_MAP_TYPE_PERCPU_ARRAY, 4,
				     sizeof(struct arxdp_counter), ARXDP_STAT_MAX, -EINVAL });
}

/* Another capacity is a configuration matter, not a layout: the pinned map is kept. */
Test(loader, other_capacity_kept, .init = setup, .fini = teardown)
{
	try_layout(&(struct layout){ BLOCK4(4, sizeof(struct arxdp_block), 2048), 0 });
}

Test(loader, same_layout_reused, .init = setup, .fini = teardown)
{
	try_layout(&(struct layout){ BLOCK4(4, sizeof(struct arxdp_block), 1024), 0 });
}
