// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the review's tests of the blocklist's write order: whatever step of a
 * block fails (or a kill -9 stops it at), the maps may keep a count too high, never an entry
 * the program cannot see. Each row makes one gate map read-only for the writer (its write then
 * fails as an interrupted writer's would never have happened), blocks, and asks the program:
 * an entry the maps hold must be dropped. Needs root.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include "arxdp.h"
#include "blocklist.h"
#include "loader.h"
#include "log.h"
#include "util.h"
#include "bpf/pkt.h"
#include "bpf/verdict.h"
#include "testutil.h"

/* Inline strings: criterion copies a row into a new process. */
struct row {
	char desc[48];
	char ro[16]; /* the pin opened read-only for the writer */
	char addr[48]; /* what is blocked */
	char src[48]; /* a source it covers */
};

/* clang-format off */
static struct row rows[] = {
	{ "prefix v4, meta read-only", ARXDP_MAP_META, "198.51.100.0/24", "198.51.100.9" },
	{ "prefix v6, meta read-only", ARXDP_MAP_META, "2001:db8:1::/48", "2001:db8:1::9" },
	{ "exact v4, tier read-only", ARXDP_MAP_TIER, "198.51.100.10", "198.51.100.10" },
	{ "exact v6, tier read-only", ARXDP_MAP_TIER, "2001:db8::10", "2001:db8::10" },
	{ "exact v4, pf_count read-only", ARXDP_MAP_PFCOUNT, "198.51.100.11", "198.51.100.11" },
	{ "exact v6, prefilter read-only", ARXDP_MAP_PREFILTER, "2001:db8::11", "2001:db8::11" },
};
/* clang-format on */

ParameterizedTestParameters(review, failed_step)
{
	return cr_make_param_array(struct row, rows, ARRAY_SIZE(rows));
}

static int *fd_of(struct blocklist *bl, const char *name)
{
	if (!strcmp(name, ARXDP_MAP_META))
		return &bl->fd_meta;
	if (!strcmp(name, ARXDP_MAP_TIER))
		return &bl->fd_tier;
	if (!strcmp(name, ARXDP_MAP_PFCOUNT))
		return &bl->fd_pfcount;
	return &bl->fd_prefilter;
}

ParameterizedTest(struct row *r, review, failed_step, .fini = tu_rm_pin_dir)
{
	struct loader_opts o = { .capacity_v4 = 64, .capacity_v6 = 64, .cidr_capacity = 16 };
	LIBBPF_OPTS(bpf_obj_get_opts, ro, .file_flags = BPF_F_RDONLY);
	struct bl_reason why = { .origin = ARXDP_ORIGIN_CLI };
	struct arxdp_block v;
	struct blocklist bl;
	struct arxdp_addr a;
	char path[PATH_MAX];
	int prog_fd = -1, *fd;

	prog_fd = pin_set_prog(&o, "review");
	cr_assert_eq(addr_parse(r->addr, &a, NULL, 0), 0);
	cr_assert_eq(bl_open_some(&bl, o.pin_dir, bl_open_for(&a) | BL_OPEN_GUARD), 0);
	fd = fd_of(&bl, r->ro);
	cr_assert_geq(*fd, 0, "%s: %s open", r->desc, r->ro);
	close(*fd);
	snprintf(path, sizeof(path), "%s/%s", o.pin_dir, r->ro);
	*fd = bpf_obj_get_opts(path, &ro);
	cr_assert_geq(*fd, 0, "%s", path);
	cr_expect_neq(bl_block(&bl, &a, 0, &why, NULL, NULL), 0, "%s: the block fails", r->desc);
	/* Failed or not, what the maps hold is enforced. */
	if (!bl_get(&bl, &a, &v))
		cr_expect_eq(pkt_verdict_ok(prog_fd, r->src), XDP_DROP,
			     "%s: %s is in the maps, so the program drops %s", r->desc, r->addr,
			     r->src);
	bl_close(&bl);
	close(prog_fd);
}

/*
 * A writer killed inside one lock hold, after a burst (counts written ahead, the exact ones
 * never written back) or after deletes whose uncounts it kept back: a pin-path open, whose
 * bits go through bpf() until many have (then mapped, in the same hold). Every block left
 * must be dropped, every count at least its entries.
 */
struct kill_row {
	char desc[48];
	int kind; /* address i of the burst: K_ONE24, K_EACH24 or K_V6 (see addr_i) */
	int n, del; /* blocked in one hold, then deleted in a second one before the kill */
};

enum { K_ONE24, K_EACH24, K_V6 };

/* clang-format off */
static struct kill_row kill_rows[] = {
	{ "v4 burst, one /24", K_ONE24, 70, 0 },
	{ "v4 burst, a /24 each", K_EACH24, 70, 0 },
	{ "v6 burst", K_V6, 70, 0 },
	{ "v4 deletes kept back", K_ONE24, 70, 40 },
	{ "v6 deletes kept back", K_V6, 70, 40 },
};
/* clang-format on */

ParameterizedTestParameters(review, killed_in_hold)
{
	return cr_make_param_array(struct kill_row, kill_rows, ARRAY_SIZE(kill_rows));
}

static void addr_i(const struct kill_row *r, int i, char *buf, size_t len, struct arxdp_addr *a)
{
	if (r->kind == K_ONE24)
		snprintf(buf, len, "198.51.100.%d", i + 1);
	else if (r->kind == K_EACH24)
		snprintf(buf, len, "198.19.%d.213", i + 1);
	else
		snprintf(buf, len, "2001:db8:%x::1", i + 1);
	cr_assert_eq(addr_parse(buf, a, NULL, 0), 0, "%s", buf);
}

static uint32_t entries(int fd)
{
	uint8_t k[16], next[16];
	void *prev = NULL;
	uint32_t n = 0;

	while (!bpf_map_get_next_key(fd, prev, next) && n < 100000) {
		memcpy(k, next, sizeof(k));
		prev = k;
		n++;
	}
	return n;
}

static void killed_writer(const struct kill_row *r, const char *pin_dir)
{
	struct bl_reason why = { .origin = ARXDP_ORIGIN_CLI };
	char buf[64];
	struct blocklist bl;
	struct arxdp_addr a;
	int i;

	if (bl_open_some(&bl, pin_dir, BL_OPEN_ALL & ~BL_OPEN_STATS) || bl_lock(&bl))
		_exit(2);
	for (i = 0; i < r->n; i++) {
		addr_i(r, i, buf, sizeof(buf), &a);
		if (bl_block(&bl, &a, 0, &why, NULL, NULL))
			_exit(3);
	}
	if (r->del) {
		bl_unlock(&bl);
		if (bl_lock(&bl))
			_exit(2);
	}
	for (i = 0; i < r->del; i++) {
		addr_i(r, i, buf, sizeof(buf), &a);
		if (bl_unblock(&bl, &a))
			_exit(4);
	}
	_exit(0); /* as a kill -9: no unlock, no count written back */
}

ParameterizedTest(struct kill_row *r, review, killed_in_hold, .fini = tu_rm_pin_dir)
{
	struct loader_opts o = { .capacity_v4 = 256, .capacity_v6 = 256, .cidr_capacity = 16 };
	struct arxdp_tier t;
	struct blocklist bl;
	struct arxdp_addr a;
	int prog_fd = -1, st, i;
	uint32_t n4, n6;
	__u32 zero = 0;
	char buf[64];
	pid_t pid;

	prog_fd = pin_set_prog(&o, "review");
	pid = fork();
	cr_assert_geq(pid, 0);
	if (!pid)
		killed_writer(r, o.pin_dir);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && !WEXITSTATUS(st), "%s: the writer ran (status %d)", r->desc, st);
	cr_assert_eq(bl_open(&bl, o.pin_dir), 0);
	for (i = 0; i < r->n; i++) {
		addr_i(r, i, buf, sizeof(buf), &a);
		cr_expect_eq(pkt_verdict_ok(prog_fd, buf), i < r->del ? XDP_PASS : XDP_DROP,
			     "%s: %s", r->desc, buf);
	}
	cr_assert_eq(bpf_map_lookup_elem(bl.fd_tier, &zero, &t), 0);
	n4 = entries(bl.fd_hot4);
	n6 = entries(bl.fd_hot6);
	cr_expect_geq(t.hot4_entries, n4, "%s: hot4 count %u, entries %u", r->desc, t.hot4_entries,
		      n4);
	cr_expect_geq(t.hot6_entries, n6, "%s: hot6 count %u, entries %u", r->desc, t.hot6_entries,
		      n6);
	cr_expect_eq(n4 + n6, (uint32_t)(r->n - r->del), "%s: entries left", r->desc);
	bl_close(&bl);
	close(prog_fd);
}

/*
 * The drop-in's two execd keys of one IPv4 block (as written, IPv4-mapped): deleting one keeps
 * the block, in place in its tier, still dropped; deleting the other removes it, and with it
 * its counts and its prefilter bit. A pin-path open, as the drop-in's.
 */
struct key_row {
	char desc[48];
	char addr[24];
	__u8 first, second; /* added in this order, deleted in this order */
};

/* clang-format off */
static struct key_row key_rows[] = {
	{ "plain then mapped", "198.51.100.20", ARXDP_KEY_PLAIN, ARXDP_KEY_MAPPED },
	{ "mapped then plain", "198.51.100.21", ARXDP_KEY_MAPPED, ARXDP_KEY_PLAIN },
};
/* clang-format on */

ParameterizedTestParameters(review, drop_in_keys)
{
	return cr_make_param_array(struct key_row, key_rows, ARRAY_SIZE(key_rows));
}

ParameterizedTest(struct key_row *r, review, drop_in_keys, .fini = tu_rm_pin_dir)
{
	struct loader_opts o = { .capacity_v4 = 64, .capacity_v6 = 64, .cidr_capacity = 16 };
	struct bl_reason why = { .origin = ARXDP_ORIGIN_FIREWALL_DROP };
	__u32 zero = 0, slot, cnt;
	struct arxdp_tier t;
	struct arxdp_block v;
	struct blocklist bl;
	struct arxdp_addr a;
	int prog_fd = -1;
	__u64 word;
	__u8 kept;

	prog_fd = pin_set_prog(&o, "review");
	cr_assert_eq(addr_parse(r->addr, &a, NULL, 0), 0);
	cr_assert_eq(bl_open_some(&bl, o.pin_dir, bl_open_for(&a) | BL_OPEN_GUARD), 0);
	why.keys = r->first;
	cr_assert_eq(bl_block(&bl, &a, 600, &why, NULL, NULL), 0);
	why.keys = r->second;
	cr_assert_eq(bl_block(&bl, &a, 600, &why, NULL, NULL), 0);
	cr_assert_eq(bl_unblock_key(&bl, &a, r->first, &kept), 0);
	cr_expect_eq(kept, r->second, "%s: the other key keeps it", r->desc);
	cr_assert_eq(bl_get(&bl, &a, &v), 0, "%s: still there", r->desc);
	cr_expect_eq(v.keys, r->second, "%s: the other key left", r->desc);
	cr_expect_eq(v.timeout_s, 600, "%s: its value intact", r->desc);
	cr_expect_eq(pkt_verdict_ok(prog_fd, r->addr), XDP_DROP, "%s: still dropped", r->desc);
	cr_assert_eq(bl_unblock_key(&bl, &a, r->second, &kept), 0);
	cr_expect(!kept, "%s: the last key removes it", r->desc);
	cr_expect_eq(bl_get(&bl, &a, &v), -ENOENT, "%s: gone", r->desc);
	cr_expect_eq(pkt_verdict_ok(prog_fd, r->addr), XDP_PASS, "%s: passed", r->desc);
	cr_assert_eq(bpf_map_lookup_elem(bl.fd_tier, &zero, &t), 0);
	cr_expect_eq(t.hot4_entries + t.big4_entries, 0, "%s: uncounted", r->desc);
	slot = arxdp_pf_slot4(a.a);
	cr_expect(bpf_map_lookup_elem(bl.fd_pfcount, &slot, &cnt), "%s: slot uncounted", r->desc);
	slot /= 64;
	cr_assert_eq(bpf_map_lookup_elem(bl.fd_prefilter, &slot, &word), 0);
	cr_expect_eq(word, 0, "%s: bit clear", r->desc);
	bl_close(&bl);
	close(prog_fd);
}
