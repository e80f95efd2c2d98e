// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains trafficgen's attach: the receiving program of each contender put on the
 * receiving veth inside its namespace, and its maps filled with the set of N blocks. arxdp is
 * loaded and pinned through the loader in the root namespace (whose bpffs `ip netns exec`
 * would hide) and filled through the blocklist's bulk load, as `arxdp block --from` fills it,
 * so its figures are those of the tiers users get; the measuring programs (the floors, the
 * bare lookup, the no-count variant) have maps of their own, filled here directly.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include "arxdp.h"
#include "blocklist.h"
#include "loader.h"
#include "log.h"
#include "util.h"
#include "trafficgen.h"
#include "floor.skel.h"
#include "arxdp-variant.skel.h"

#define FILL_CHUNK 65536u
#define FILL_TIMEOUT_S 86400u

/*
 * Fills map_fd, a measuring program's own hash map, with the n keys of the set and
 * arxdp_block values that expire in a day.
 */
static int fill_map(int map_fd, int family, const struct in6_addr *base, uint32_t n)
{
	size_t ksz = family == 4 ? 4 : 16;
	struct arxdp_block v = { .timeout_s = FILL_TIMEOUT_S,
				 .offenses = 1,
				 .origin = ARXDP_ORIGIN_CLI };
	uint8_t *keys = NULL;
	struct arxdp_block *vals = NULL;
	uint32_t i, done = 0, cnt;
	int err = 0;

	v.expires_ns = mono_now_ns() + (uint64_t)FILL_TIMEOUT_S * NSEC_PER_SEC;
	v.added_ns = wall_now_ns();
	keys = calloc(FILL_CHUNK, ksz);
	vals = calloc(FILL_CHUNK, sizeof(*vals));
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < FILL_CHUNK; i++)
		vals[i] = v;
	while (done < n) {
		cnt = n - done < FILL_CHUNK ? n - done : FILL_CHUNK;
		for (i = 0; i < cnt; i++)
			tg_set_key(family, base, n, done + i, keys + i * ksz);
		if (bpf_map_update_batch(map_fd, keys, vals, &cnt, NULL)) {
			err = -errno;
			pr_warn("map fill: batch update failed at %u: %s", done, errstr(err));
			goto out;
		}
		done += cnt;
	}
out:
	free(keys);
	free(vals);
	return err;
}

/* The hot map of the set's family holds what it should of a fill of n: else no figure. */
static int fill_check(struct blocklist *bl, int family, uint32_t n)
{
	uint32_t cap = family == 4 ? bl->cap_hot4 : bl->cap_hot6, want = n < cap ? n : cap;
	struct arxdp_tier t;
	uint32_t zero = 0, hot;

	if (bl->fd_tier < 0)
		return 0; /* a pin set older than the hot tier: every block is in the big map */
	if (bpf_map_lookup_elem(bl->fd_tier, &zero, &t))
		return -errno;
	hot = family == 4 ? t.hot4_entries : t.hot6_entries;
	if (hot < want) {
		pr_warn("fill '%s': hot tier: holds %u blocks of IPv%d, not the %u of %u loaded",
			bl->pin_dir, hot, family, want, n);
		return -EIO;
	}
	return 0;
}

/*
 * Blocks the set of n for a day through bl_block_many(), the bulk load of `arxdp block
 * --from`, in chunks: the first ARXDP_HOT_CAPACITY of the family (in key order) land in the
 * hot map, the rest in the big one, the tier counts and the prefilter kept as every writer
 * keeps them. The never-block list is emptied first: it holds the root namespace's addresses,
 * where tests running beside the benchmark put 198.18.x.y on their veths; the blocks here
 * apply to the rig's receiving namespace only, whose addresses (198.19.255.0/31) no set holds.
 */
static int fill_arxdp(const struct args *a)
{
	static const struct bl_reason why = { .origin = ARXDP_ORIGIN_CLI };
	struct blocklist bl;
	struct bl_item *items = NULL;
	uint64_t loaded;
	uint32_t done, cnt, i;
	int *errs = NULL, err;

	err = bl_open(&bl, a->pin_dir);
	if (err) {
		pr_warn("fill '%s': opening the blocklist failed: %s", a->pin_dir, errstr(err));
		return err;
	}
	free(bl.protect);
	bl.protect = NULL;
	bl.n_protect = 0;
	items = calloc(FILL_CHUNK, sizeof(*items));
	errs = calloc(FILL_CHUNK, sizeof(*errs));
	if (!items || !errs) {
		err = -ENOMEM;
		goto out;
	}
	for (done = 0; done < a->n; done += cnt) {
		cnt = a->n - done < FILL_CHUNK ? a->n - done : FILL_CHUNK;
		for (i = 0; i < cnt; i++) {
			memset(&items[i].addr, 0, sizeof(items[i].addr));
			items[i].addr.family = (uint8_t)a->family;
			items[i].addr.prefixlen = a->family == 4 ? 32 : 128;
			tg_set_key(a->family, &a->src, a->n, done + i, items[i].addr.a);
			items[i].timeout_s = FILL_TIMEOUT_S;
		}
		err = bl_block_many(&bl, items, (int)cnt, &why, errs, &loaded);
		i = 0;
		if (!err && loaded < cnt) {
			while (i < cnt - 1 && !errs[i])
				i++;
			err = errs[i] ?: -EIO;
		}
		if (err) {
			pr_warn("fill '%s': bulk load failed at block %u of %u: %s", a->pin_dir,
				done + i, a->n, errstr(err));
			goto out;
		}
	}
	err = fill_check(&bl, a->family, a->n);
out:
	free(items);
	free(errs);
	bl_close(&bl);
	return err;
}

static int xdp_attach_in(const char *ns, const char *dev, int prog_fd)
{
	int ifindex, err;

	err = tg_ns_enter(ns) ?: tg_if_lookup(dev, &ifindex, NULL);
	if (err)
		return err;
	err = bpf_xdp_attach(ifindex, prog_fd, XDP_FLAGS_DRV_MODE, NULL);
	if (err)
		pr_warn("interface '%s': native XDP attach failed: %s", dev, errstr(err));
	return err;
}

int tg_cmd_attach(struct args *a)
{
	struct arxdp_variant *var = NULL;
	struct floor *fl = NULL;
	int prog_fd = -1, err = 0;
	uint32_t cap = a->capacity ?: ARXDP_DEFAULT_CAPACITY;

	if (!a->rx_ns || !a->dev || !a->prog) {
		pr_warn("attach: arguments: --ns, --dev and --prog are required");
		return -EINVAL;
	}
	if (!strcmp(a->prog, "arxdp")) {
		struct loader_opts o = { .pin_dir = a->pin_dir,
					 .capacity_v4 = cap,
					 .capacity_v6 = cap,
					 .cidr_capacity = ARXDP_DEFAULT_CIDR_CAPACITY,
					 .precise_clock = a->precise,
					 .reload = true };

		if (!a->pin_dir) {
			pr_warn("attach: arguments: arxdp needs --pin-dir");
			return -EINVAL;
		}
		/* In the root namespace: the pin directory lives in its bpffs. */
		err = loader_get_prog(&o, &prog_fd);
		if (err)
			return err;
		if (a->n > 1 || a->fill)
			err = fill_arxdp(a);
		err = err ?: xdp_attach_in(a->rx_ns, a->dev, prog_fd);
		close(prog_fd);
		return err;
	}
	if (!strcmp(a->prog, "nocnt")) {
		/*
		 * Big map only, deliberately: the variant has no hot tier, so its figure beside
		 * arxdp's at N > ARXDP_HOT_CAPACITY is the big-map lookup without counts.
		 */
		var = arxdp_variant__open();
		if (!var)
			return -errno;
		bpf_map__set_max_entries(var->maps.block_v4, cap);
		bpf_map__set_max_entries(var->maps.block_v6, cap);
		err = arxdp_variant__load(var);
		if (err) {
			pr_warn("BPF object 'arxdp-variant': load failed: %s", errstr(err));
			goto out;
		}
		err = fill_map(
			bpf_map__fd(a->family == 4 ? var->maps.block_v4 : var->maps.block_v6),
			a->family, &a->src, a->n);
		prog_fd = bpf_program__fd(var->progs.arxdp_nocnt);
	} else {
		fl = floor__open();
		if (!fl)
			return -errno;
		bpf_map__set_max_entries(fl->maps.lookup_v4, cap);
		bpf_map__set_max_entries(fl->maps.lookup_v6, cap);
		err = floor__load(fl);
		if (err) {
			pr_warn("BPF object 'floor': load failed: %s", errstr(err));
			goto out;
		}
		if (!strcmp(a->prog, "drop")) {
			prog_fd = bpf_program__fd(fl->progs.floor_drop);
		} else if (!strcmp(a->prog, "pass")) {
			prog_fd = bpf_program__fd(fl->progs.floor_pass);
		} else if (!strcmp(a->prog, "lookup")) {
			err = fill_map(bpf_map__fd(a->family == 4 ? fl->maps.lookup_v4 :
								    fl->maps.lookup_v6),
				       a->family, &a->src, a->n);
			prog_fd = bpf_program__fd(fl->progs.bare_lookup);
		} else {
			pr_warn("attach: program '%s': unknown (drop, pass, lookup, nocnt, arxdp)",
				a->prog);
			err = -EINVAL;
		}
	}
	/* Attached through netlink, the program (and its maps) outlive this process. */
	if (!err)
		err = xdp_attach_in(a->rx_ns, a->dev, prog_fd);
out:
	arxdp_variant__destroy(var);
	floor__destroy(fl);
	return err;
}
