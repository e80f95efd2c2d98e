// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the tests of opening a pin set in parts (bl_open_some): one address's
 * family alone, the never-block guard read only where a block is added, a family opened later
 * on demand with the same layout checks, and `list`'s walk, which skips a map the tier counts
 * show empty without missing an entry. A pin set of its own per case (loader_get_prog), and
 * BPF_PROG_TEST_RUN for what the program drops. Needs root.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <unistd.h>
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

static struct blocklist bl;
static int prog_fd = -1;

static const char *make_pin_set(const char *name)
{
	struct loader_opts o = { .capacity_v4 = 64, .capacity_v6 = 64, .cidr_capacity = 16 };

	prog_fd = pin_set_prog(&o, name);
	return o.pin_dir;
}

static void teardown(void)
{
	bl_close(&bl);
	if (prog_fd >= 0)
		close(prog_fd);
	prog_fd = -1;
	tu_rm_pin_dir();
}

static __u32 run(const char *src)
{
	return pkt_verdict_ok(prog_fd, src);
}

static struct arxdp_addr parse(const char *s)
{
	struct arxdp_addr a;

	cr_assert_eq(addr_parse(s, &a, NULL, 0), 0, "address %s", s);
	return a;
}

/* The fds of the six address maps, in bl_open_for's families. */
struct fds_open {
	bool block4, block6, cidr4, cidr6, stats, pf;
};

/* Inline strings: criterion copies a row into a new process. */
struct family_row {
	char addr[48]; /* blocked, then unblocked */
	char probe[48]; /* a source the block covers */
	struct fds_open want;
};

static struct family_row family_rows[] = {
	{ "198.51.100.7", "198.51.100.7", { .block4 = true, .pf = true } },
	{ "2001:db8::7", "2001:db8::7", { .block6 = true, .pf = true } },
	{ "198.51.100.0/24", "198.51.100.9", { .cidr4 = true } },
	{ "2001:db8:1::/48", "2001:db8:1::9", { .cidr6 = true } },
};

/*
 * A block and an unblock of one address, each in a blocklist that opened only that address's
 * family: the other families' maps, the counters and (for the unblock) this host's addresses
 * are never read, and the program drops the block all the same.
 */
ParameterizedTestParameters(open, one_family)
{
	return cr_make_param_array(struct family_row, family_rows, ARRAY_SIZE(family_rows));
}

ParameterizedTest(struct family_row *r, open, one_family, .fini = teardown)
{
	const char *dir = make_pin_set("open1");
	struct arxdp_addr a = parse(r->addr);

	cr_assert_eq(bl_open_some(&bl, dir, bl_open_for(&a) | BL_OPEN_GUARD), 0);
	cr_expect_eq(bl.fd_block4 >= 0, r->want.block4, "%s: block_v4 open", r->addr);
	cr_expect_eq(bl.fd_block6 >= 0, r->want.block6, "%s: block_v6 open", r->addr);
	cr_expect_eq(bl.fd_cidr4 >= 0, r->want.cidr4, "%s: cidr_v4 open", r->addr);
	cr_expect_eq(bl.fd_cidr6 >= 0, r->want.cidr6, "%s: cidr_v6 open", r->addr);
	cr_expect_eq(bl.fd_prefilter >= 0, r->want.pf, "%s: prefilter open", r->addr);
	cr_expect_eq(bl.fd_stats >= 0, false, "%s: no counters", r->addr);
	cr_expect_eq(bl.fd_hot4 >= 0, r->want.block4, "%s: block_v4_hot open", r->addr);
	cr_expect_eq(bl.fd_hot6 >= 0, r->want.block6, "%s: block_v6_hot open", r->addr);
	cr_assert_eq(bl_block(&bl, &a, 0, NULL, NULL, NULL), 0, "block %s", r->addr);
	cr_expect_eq(run(r->probe), XDP_DROP, "%s dropped", r->probe);
	bl_close(&bl);

	cr_assert_eq(bl_open_some(&bl, dir, bl_open_for(&a)), 0);
	cr_expect_eq(bl.opened & BL_OPEN_GUARD, 0u, "an unblock reads no host addresses");
	cr_assert_eq(bl_unblock(&bl, &a), 0, "unblock %s", r->addr);
	cr_expect_eq(bl.n_protect, 0, "still none read");
	cr_expect_eq(bl.opened & BL_OPEN_GUARD, 0u);
	cr_expect_eq(run(r->probe), XDP_PASS, "%s passes again", r->probe);
	cr_expect_eq(bl_unblock(&bl, &a), -ENOENT, "gone");
}

/* An address of this host that the guard must refuse (not loopback: that is refused anyway). */
static bool host_addr(struct arxdp_addr *out)
{
	struct arxdp_addr *list;
	size_t n, i;
	bool found = false;

	cr_assert_eq(bl_host_addrs(&list, &n), 0);
	for (i = 0; i < n && !found; i++) {
		if (!addr_is_special(&list[i])) {
			*out = list[i];
			found = true;
		}
	}
	free(list);
	return found;
}

/*
 * The guard is read where a block is added, whatever the open asked for: a blocklist opened
 * without it (a delete's) still refuses this host's own address, and a prefix covering it.
 */
Test(open, guard_read_on_add, .fini = teardown)
{
	const char *dir = make_pin_set("open2");
	struct arxdp_addr own, cover;
	char buf[ADDR_STRLEN];

	if (!host_addr(&own))
		cr_skip_test("this host has no address but loopback");
	cr_assert_eq(bl_open_some(&bl, dir, bl_open_for(&own)), 0);
	cr_expect_eq(bl.n_protect, 0);
	cr_expect_eq(bl_block(&bl, &own, 0, NULL, NULL, NULL), -EPERM, "own address %s refused",
		     addr_format(&own, buf, sizeof(buf)));
	cr_expect_gt(bl.n_protect, 0, "the guard was read by the add");
	cover = own;
	cover.prefixlen = own.family == 4 ? 16 : 48;
	memset(cover.a + cover.prefixlen / 8, 0, sizeof(cover.a) - cover.prefixlen / 8);
	cr_expect_eq(bl_block(&bl, &cover, 0, NULL, NULL, NULL), -EPERM, "a covering prefix too");
	bl_close(&bl);
	/* And with the guard asked for at open, as the drop-in's add does. */
	cr_assert_eq(bl_open_some(&bl, dir, bl_open_for(&own) | BL_OPEN_GUARD), 0);
	cr_expect_gt(bl.n_protect, 0);
	cr_expect_eq(bl_block(&bl, &own, 0, NULL, NULL, NULL), -EPERM);
}

/* A family opened later, by the first operation that needs it, with every check of an open. */
Test(open, family_opened_on_demand, .fini = teardown)
{
	const char *dir = make_pin_set("open3");
	struct arxdp_addr v4 = parse("198.51.100.20"), v6 = parse("2001:db8::20");
	struct arxdp_block v;

	cr_assert_eq(bl_open_some(&bl, dir, bl_open_for(&v4)), 0);
	cr_expect(bl.fd_block6 < 0 && bl.fd_hot6 < 0);
	cr_assert_eq(bl_block(&bl, &v6, 0, NULL, NULL, NULL), 0, "a v6 block opens its family");
	cr_expect(bl.fd_block6 >= 0 && bl.fd_hot6 >= 0, "both tiers of it");
	cr_expect_eq(run("2001:db8::20"), XDP_DROP);
	cr_expect_eq(bl_get(&bl, &v6, &v), 0);
	cr_expect_eq(bl_unblock(&bl, &v6), 0);
	cr_expect_eq(run("2001:db8::20"), XDP_PASS);
}

struct layout_row {
	char pin[32]; /* replaced by the map below */
	enum bpf_map_type type;
	__u32 key, value, flags;
	char addr[48]; /* of the replaced map's family */
	char other[48]; /* of another family, which still works */
};

static struct layout_row layout_rows[] = {
	{ ARXDP_MAP_BLOCK6, BPF_MAP_TYPE_ARRAY, 4, sizeof(struct arxdp_block), 0, "2001:db8::30",
	  "198.51.100.30" },
	{ ARXDP_MAP_BLOCK6, BPF_MAP_TYPE_HASH, 16, 40, 0, "2001:db8::30", "198.51.100.30" },
	{ ARXDP_MAP_BLOCK4, BPF_MAP_TYPE_HASH, 16, sizeof(struct arxdp_block), 0, "198.51.100.30",
	  "2001:db8::30" },
	{ ARXDP_MAP_HOT4, BPF_MAP_TYPE_HASH, 4, 8, 0, "198.51.100.30", "2001:db8::30" },
	{ ARXDP_MAP_CIDR4, BPF_MAP_TYPE_HASH, sizeof(struct arxdp_lpm4), sizeof(struct arxdp_block),
	  0, "198.51.100.0/24", "2001:db8::30" },
};

/*
 * A pinned map of another layout than this build's (an older release's maps): refused by name
 * whether its family is opened at bl_open or later, and the other families are unaffected.
 */
ParameterizedTestParameters(open, wrong_layout_refused)
{
	return cr_make_param_array(struct layout_row, layout_rows, ARRAY_SIZE(layout_rows));
}

ParameterizedTest(struct layout_row *r, open, wrong_layout_refused, .fini = teardown)
{
	const char *dir = make_pin_set("open4");
	struct arxdp_addr a = parse(r->addr), o = parse(r->other);
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, r->pin);
	cr_assert_eq(unlink(path), 0);
	fd = bpf_map_create(r->type, "bogus", r->key, r->value, 4, NULL);
	cr_assert_geq(fd, 0, "bpf_map_create: %s", strerror(errno));
	cr_assert_eq(bpf_obj_pin(fd, path), 0);
	close(fd);

	cr_expect_eq(bl_open(&bl, dir), -EINVAL, "%s: a full open refuses it", r->pin);
	cr_assert_eq(bl_open_some(&bl, dir, bl_open_for(&o)), 0, "the other family opens");
	cr_expect_eq(bl_block(&bl, &o, 0, NULL, NULL, NULL), 0, "and works");
	cr_expect_eq(bl_block(&bl, &a, 0, NULL, NULL, NULL), -EINVAL,
		     "%s: refused when opened on demand", r->pin);
	bl_close(&bl);
	cr_expect_eq(bl_open_some(&bl, dir, bl_open_for(&a)), -EINVAL, "and when asked for");
}

struct list_row {
	char name[32];
	int hot_cap; /* of the private instance: 1 puts the second block of a family in big */
	char addrs[4][48];
	int n;
	char unblock[48]; /* then unblocked ("": none) */
	/* Tier counts overwritten before the walk (-1: kept): too high must change nothing. */
	int big4, hot6;
};

static struct list_row list_rows[] = {
	{ "hot only", 4, { "198.51.100.1", "2001:db8::1" }, 2, "", -1, -1 },
	{ "hot and big",
	  1,
	  { "198.51.100.1", "198.51.100.2", "2001:db8::1", "2001:db8::2" },
	  4,
	  "",
	  -1,
	  -1 },
	{ "big only, hot emptied",
	  1,
	  { "198.51.100.1", "198.51.100.2" },
	  2,
	  "198.51.100.1",
	  -1,
	  -1 },
	{ "counts too high", 4, { "198.51.100.1" }, 1, "", 7, 9 },
};

static int count_cb(const struct bl_entry *e, void *ctx)
{
	(void)e;
	(*(int *)ctx)++;
	return 0;
}

/* `list` skips a map the tier counts show empty; an entry of any tier is still listed. */
ParameterizedTestParameters(open, walk_by_counts)
{
	return cr_make_param_array(struct list_row, list_rows, ARRAY_SIZE(list_rows));
}

ParameterizedTest(struct list_row *r, open, walk_by_counts)
{
	struct loader_opts o = { .capacity_v4 = 64, .capacity_v6 = 64, .cidr_capacity = 16 };
	struct loader_private *lp;
	struct arxdp_tier t;
	struct bl_fill f;
	__u32 zero = 0;
	int i, n = 0;

	if (geteuid() != 0)
		cr_skip_test("BPF maps need root");
	log_init("test", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	o.hot_capacity = r->hot_cap;
	cr_assert_eq(loader_private_open(&o, &lp), 0);
	cr_assert_eq(loader_private_blocklist(lp, &bl), 0);
	for (i = 0; i < r->n; i++) {
		struct arxdp_addr a = parse(r->addrs[i]);

		cr_assert_eq(bl_block(&bl, &a, 0, NULL, NULL, NULL), 0);
	}
	if (r->unblock[0]) {
		struct arxdp_addr a = parse(r->unblock);

		cr_assert_eq(bl_unblock(&bl, &a), 0);
	}
	cr_assert_eq(bpf_map_lookup_elem(bl.fd_tier, &zero, &t), 0);
	if (r->big4 >= 0)
		t.big4_entries = r->big4;
	if (r->hot6 >= 0)
		t.hot6_entries = r->hot6;
	cr_assert_eq(bpf_map_update_elem(bl.fd_tier, &zero, &t, BPF_ANY), 0);
	cr_expect_eq(bl_foreach(&bl, count_cb, &n), 0);
	cr_expect_eq(n, r->n - !!r->unblock[0], "%s: %d listed", r->name, n);
	cr_expect_eq(bl_fill(&bl, &f), 0);
	cr_expect_eq(f.block4 + f.block6, (uint64_t)n, "%s: fill", r->name);
	bl_close(&bl);
	loader_private_close(lp);
}
