// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the loader, the only user of the skeleton: it creates or reuses the
 * pinned maps, loads and pins the program, and attaches it with netlink so the attachment
 * outlives every process (no link fd to keep open, no window when a process exits).
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <xdp/libxdp.h>
#include "arxdp.h"
#include "arxdp.skel.h"
#include "arxdp_clock.skel.h"
#include "blocklist.h"
#include "loader.h"
#include "loader_int.h"
#include "log.h"
#include "pindir.h"
#include "util.h"

struct loader_private {
	struct arxdp *skel;
	bool no_hot_tier;
};

const char *mode_name(enum arxdp_xdp_mode mode)
{
	switch (mode) {
	case ARXDP_MODE_NATIVE:
		return "native";
	case ARXDP_MODE_SKB:
		return "skb";
	default:
		return "auto";
	}
}

int mode_parse(const char *s, enum arxdp_xdp_mode *mode)
{
	if (!strcmp(s, "auto"))
		*mode = ARXDP_MODE_AUTO;
	else if (!strcmp(s, "native") || !strcmp(s, "drv"))
		*mode = ARXDP_MODE_NATIVE;
	else if (!strcmp(s, "skb") || !strcmp(s, "generic"))
		*mode = ARXDP_MODE_SKB;
	else
		return -EINVAL;
	return 0;
}

/* bpf_obj_get_info_by_fd on a pinned object: needs no CAP_SYS_ADMIN, unlike *_get_fd_by_id. */
static int pinned_info(const char *pin_dir, const char *name, void *info, __u32 len)
{
	char path[PATH_MAX];
	int fd, err;

	err = pindir_path(path, sizeof(path), pin_dir, name);
	if (err)
		return err;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	err = bpf_obj_get_info_by_fd(fd, info, &len) ? -errno : 0;
	close(fd);
	return err;
}

/*
 * Pinned maps win over the configuration: libbpf refuses to reuse a map of another size. A
 * pinned map of another layout (an older release's value) is refused here, by name, instead
 * of as libbpf's bare EINVAL at load.
 */
static int size_map(struct bpf_map *map, const char *pin_dir, uint32_t want)
{
	const char *name = bpf_map__name(map);
	struct bpf_map_info info = {};

	if (!pinned_info(pin_dir, name, &info, sizeof(info))) {
		/* want 0: a map whose size is part of the layout (stats rows, meta). */
		if (info.key_size != bpf_map__key_size(map) ||
		    info.value_size != bpf_map__value_size(map) ||
		    (!want && info.max_entries != bpf_map__max_entries(map))) {
			pr_warn("map '%s/%s': pinned by another arxdp version (key %u, value %u "
				"bytes, %u entries; this one needs %u, %u%s%.0u): cannot reuse "
				"it; see 'A changed map layout' in docs/OPERATIONS.md",
				pin_dir, name, info.key_size, info.value_size, info.max_entries,
				bpf_map__key_size(map), bpf_map__value_size(map), want ? "" : ", ",
				want ? 0 : bpf_map__max_entries(map));
			return -EINVAL;
		}
		if (want && info.max_entries != want)
			pr_warn("map '%s': pinned with capacity %u, configuration asks %u: keeping "
				"%u; run 'arxdp flush' and remove %s/%s to resize",
				name, info.max_entries, want, info.max_entries, pin_dir, name);
		want = info.max_entries;
	}
	if (!want)
		return 0;
	return bpf_map__set_max_entries(map, want);
}

static int clock_sample(const struct arxdp_clock *skel, struct arxdp_clock_sample *smp)
{
	char pkt[64] = {}; /* never looked at; a run needs an Ethernet header's worth */
	LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = pkt, .data_size_in = sizeof(pkt));

	if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.arxdp_clock_sample), &run))
		return -errno;
	*smp = skel->bss->sample;
	return 0;
}

/* TICK_NSEC as include/linux/jiffies.h computes it. */
static __u32 tick_of(__u32 hz)
{
	return (1000000000u + hz / 2) / hz;
}

/* Whether a measured tick is HZ's, within per_mille. */
static bool tick_is(__u32 measured, __u32 hz, __u32 per_mille)
{
	__u64 t = tick_of(hz);

	return measured * 1000ull > t * (1000 - per_mille) &&
	       measured * 1000ull < t * (1000 + per_mille);
}

/* TICK_NSEC of the HZ that a measured tick matches: CONFIG_HZ's when known, else a usual one. */
static __u32 tick_match(__u32 hz, __u32 measured)
{
	static const __u32 usual_hz[] = { 100, 250, 300, 1000 };
	size_t i;

	if (hz)
		return hz <= 10000 && tick_is(measured, hz, 50) ? tick_of(hz) : 0;
	for (i = 0; i < ARRAY_SIZE(usual_hz); i++)
		if (tick_is(measured, usual_hz[i], 20))
			return tick_of(usual_hz[i]);
	return 0;
}

/* What the samples found (tick_measure). */
struct tick_seen {
	__u32 tick; /* TICK_NSEC of the HZ the samples showed; 0: none */
	__u32 hz; /* CONFIG_HZ, 0 when unknown */
	__u32 measured; /* the coarse clock's last step per jiffy, for the message */
	__u64 offset_ns; /* now = jiffies * tick + offset_ns */
	int kept; /* transitions seen with a gap of at most TICK_GAP_NS */
	__u64 wide_ns; /* with none kept: the narrowest gap seen, which offset_ns comes from */
};

#define TICK_GAP_NS 300000 /* a transition seen over a wider gap bounds the clock too loosely */
#define TICK_KEEP 4 /* transitions: a tick counted late in one (a VM's vCPU not running) */

/*
 * Samples until jiffies advance between two samples taken close together, TICK_KEEP times.
 * The coarse clock holds one value per jiffy, so its step per jiffy is a tick's length (a
 * sample between a tick's jiffies update and its clock update spoils one step: another
 * transition serves). The new jiffy began, in CLOCK_MONOTONIC (which jiffies follow), after
 * the first of the two samples read the old one, less the kernel's delay in counting it: an
 * offset from that sample is behind the clock by at most the gap, and ahead of it by at most
 * that delay, which a vCPU that was not running makes long. So the least offset of the
 * transitions is kept: a late count in one of them does not put the clock ahead. Bounded:
 * 2,000 samples 50 us apart at most.
 */
static int tick_measure(const struct arxdp_clock *skel, struct tick_seen *t)
{
	struct timespec pause = { 0, 50000 };
	struct arxdp_clock_sample a, b;
	__u64 ta = mono_now_ns(), tb, off, gap;
	int i, seen = 0, err;
	__u32 tick;

	err = clock_sample(skel, &a);
	for (i = 0; !err && i < 2000 && t->kept < TICK_KEEP; i++, a = b, ta = tb) {
		nanosleep(&pause, NULL);
		tb = mono_now_ns();
		err = clock_sample(skel, &b);
		if (err || b.jiffies == a.jiffies)
			continue;
		seen++;
		t->hz = b.hz;
		t->measured = (__u32)((b.coarse_ns - a.coarse_ns) / (b.jiffies - a.jiffies));
		tick = b.jiffies - a.jiffies <= 4 ? tick_match(b.hz, t->measured) : 0;
		if (!tick || (t->tick && tick != t->tick))
			continue;
		t->tick = tick;
		off = ta - b.jiffies * tick;
		gap = tb - ta;
		if (gap <= TICK_GAP_NS) {
			if (!t->kept++ || (__s64)(off - t->offset_ns) < 0)
				t->offset_ns = off;
		} else if (!t->kept && (!t->wide_ns || gap < t->wide_ns)) {
			t->offset_ns = off;
			t->wide_ns = gap;
		}
	}
	if (!err && !t->tick)
		err = seen ? -ERANGE : -ETIME;
	return err;
}

/*
 * The tick length and the offset of the program's clock (struct arxdp_clock_sample in
 * arxdp.h). HZ comes from the kernel's configuration, checked against the ticks measured here
 * (a configuration file of another kernel would make every expiry wrong), or from the
 * measurement alone when there is no configuration.
 */
static int clock_calibrate(__u32 *tick_ns, __u64 *offset_ns)
{
	struct arxdp_clock *skel;
	struct tick_seen t = {};
	int err;

	skel = arxdp_clock__open_and_load();
	if (!skel)
		return -errno;
	err = tick_measure(skel, &t);
	if (err == -ERANGE)
		pr_info("expiry clock: a tick measured %u ns, which is not HZ %u's: the program "
			"reads the coarse clock's helper instead",
			t.measured, t.hz);
	if (!err) {
		*tick_ns = t.tick;
		*offset_ns = t.offset_ns;
		pr_debug("expiry clock: jiffies of %u ns, offset from %d close transitions%s",
			 t.tick, t.kept, t.kept ? "" : " (none: the narrowest wide one)");
	}
	arxdp_clock__destroy(skel);
	return err;
}

static int open_skel(const struct loader_opts *o, const char *pin_root, struct arxdp **out)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .pin_root_path = pin_root);
	struct arxdp *skel;
	int err;

	skel = arxdp__open_opts(&open_opts);
	if (!skel) {
		err = -errno;
		pr_warn("BPF object 'arxdp': open failed: %s", errstr(err));
		return err;
	}
	skel->rodata->dry_run = o->dry_run;
	skel->rodata->precise_clock = o->precise_clock;
	if (!o->coarse_clock) {
		__u32 tick = 0;
		__u64 off = 0;

		err = clock_calibrate(&tick, &off);
		if (err && err != -ERANGE)
			pr_info("expiry clock: cannot tie jiffies to the monotonic clock (%s): the "
				"program reads the coarse clock's helper instead",
				errstr(err));
		skel->rodata->clock_tick_ns = tick;
		skel->rodata->clock_offset_ns = off;
	}
	skel->rodata->count_per_block = !o->no_block_counters;
	skel->rodata->use_prefilter = !o->no_prefilter;
	/* A pinned program always reads the hot tier: every writer of the pin set writes it. */
	skel->rodata->use_hot = !(o->no_hot_tier && !pin_root);
	*out = skel;
	return 0;
}

static bool pinned(const char *pin_dir, const char *name)
{
	char path[PATH_MAX];

	return !pindir_path(path, sizeof(path), pin_dir, name) && !access(path, F_OK);
}

/* Every exact entry may need its slot: one count per entry at most. */
static uint32_t pf_capacity(const struct loader_opts *o)
{
	uint64_t c = (uint64_t)(o->capacity_v4 ?: ARXDP_DEFAULT_CAPACITY) +
		     (o->capacity_v6 ?: ARXDP_DEFAULT_CAPACITY);

	return c > UINT32_MAX / 2 ? UINT32_MAX / 2 : (uint32_t)c;
}

static uint32_t hot_cap(const struct loader_opts *o)
{
	return o->hot_capacity ?: ARXDP_HOT_CAPACITY;
}

static void skel_fds(const struct arxdp *skel, struct bl_fds *f)
{
	*f = (struct bl_fds){
		.block4 = bpf_map__fd(skel->maps.block_v4),
		.block6 = bpf_map__fd(skel->maps.block_v6),
		.cidr4 = bpf_map__fd(skel->maps.cidr_v4),
		.cidr6 = bpf_map__fd(skel->maps.cidr_v6),
		.stats = bpf_map__fd(skel->maps.stats),
		.meta = bpf_map__fd(skel->maps.meta),
		.prefilter = bpf_map__fd(skel->maps.prefilter),
		.pfcount = bpf_map__fd(skel->maps.pf_count),
		.hot4 = bpf_map__fd(skel->maps.block_v4_hot),
		.hot6 = bpf_map__fd(skel->maps.block_v6_hot),
		.tier = bpf_map__fd(skel->maps.tier),
	};
}

/*
 * A pin set made before the prefilter (or the hot tier) existed holds blocks the new (empty)
 * prefilter does not show and the new (zero) tier counts do not count: recount them from the
 * maps. The caller holds the pin-directory lock, so the blocklist over the skeleton's fds (no
 * pin directory, no lock of its own) sees no writer meanwhile.
 */
static int rebuild_prefilter(struct arxdp *skel)
{
	struct blocklist bl;
	struct bl_fds f;
	uint64_t set = 0;
	int err;

	skel_fds(skel, &f);
	err = bl_open_fds(&bl, &f);
	if (err)
		return err;
	err = bl_pf_rebuild(&bl, &set);
	bl_close(&bl);
	if (!err)
		pr_info("maps '%s', '%s': created or recounted for blocks pinned before them; "
			"%llu slots set",
			ARXDP_MAP_PREFILTER, ARXDP_MAP_TIER, (unsigned long long)set);
	return err;
}

__u32 loader_load_flags(const struct loader_opts *o)
{
	return (o->dry_run ? ARXDP_LOAD_DRY_RUN : 0) |
	       (o->no_block_counters ? ARXDP_LOAD_NO_BLOCK_COUNTERS : 0) |
	       (o->no_prefilter ? ARXDP_LOAD_NO_PREFILTER : 0) |
	       ARXDP_PROG_REV << ARXDP_LOAD_REV_SHIFT;
}

/* Whether the pinned program is an older build's, which this build must replace. */
static bool pinned_is_older(const char *pin_dir)
{
	__u32 flags, rev;

	if (loader_pinned_load_flags(pin_dir, &flags))
		return false;
	rev = flags >> ARXDP_LOAD_REV_SHIFT;
	if (rev > ARXDP_PROG_REV)
		pr_warn("program '%s': pinned by a newer arxdp (revision %u, this build's %u): "
			"keeping it; upgrade every arxdp binary together",
			ARXDP_PROG_NAME, rev, ARXDP_PROG_REV);
	if (rev >= ARXDP_PROG_REV)
		return false;
	pr_info("program '%s': pinned by an older arxdp (revision %u, this build's %u): loading "
		"this build's over the same maps",
		ARXDP_PROG_NAME, rev, ARXDP_PROG_REV);
	return true;
}

int loader_pinned_info(const char *pin_dir, const char *name, void *info, __u32 len)
{
	return pinned_info(pin_dir, name, info, len);
}

int loader_pinned_load_flags(const char *pin_dir, __u32 *flags)
{
	struct arxdp_meta meta = {};
	char path[PATH_MAX];
	__u32 zero = 0;
	int fd, err;

	err = pindir_path(path, sizeof(path), pin_dir, ARXDP_PIN_PROG);
	if (err)
		return err;
	if (access(path, F_OK))
		return -ENOENT;
	err = pindir_path(path, sizeof(path), pin_dir, ARXDP_MAP_META);
	if (err)
		return err;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	err = bpf_map_lookup_elem(fd, &zero, &meta) ? -errno : 0;
	close(fd);
	if (!err)
		*flags = meta.load_flags;
	return err;
}

int loader_get_prog(const struct loader_opts *o, int *prog_fd)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	struct arxdp *skel = NULL;
	int fd = -1, lock = -1, err;
	struct arxdp_meta meta = {};
	bool pf_new;
	__u32 zero = 0;

	err = pindir_prepare(o->pin_dir);
	if (err)
		return err;
	err = pindir_path(path, sizeof(path), o->pin_dir, ARXDP_PIN_PROG);
	if (err)
		return err;
	if (!o->reload) {
		fd = bpf_obj_get(path);
		if (fd >= 0 && !pinned_is_older(o->pin_dir)) {
			*prog_fd = fd;
			return 0;
		}
		if (fd >= 0)
			close(fd);
		fd = -1;
	}

	lock = pindir_lock(o->pin_dir);
	if (lock < 0)
		return lock;
	err = open_skel(o, o->pin_dir, &skel);
	if (err)
		goto out;
	err = size_map(skel->maps.block_v4, o->pin_dir, o->capacity_v4);
	err = err ?: size_map(skel->maps.block_v6, o->pin_dir, o->capacity_v6);
	err = err ?: size_map(skel->maps.cidr_v4, o->pin_dir, o->cidr_capacity);
	err = err ?: size_map(skel->maps.cidr_v6, o->pin_dir, o->cidr_capacity);
	err = err ?: size_map(skel->maps.stats, o->pin_dir, 0);
	err = err ?: size_map(skel->maps.meta, o->pin_dir, 0);
	err = err ?: size_map(skel->maps.prefilter, o->pin_dir, 0);
	err = err ?: size_map(skel->maps.pf_count, o->pin_dir, pf_capacity(o));
	err = err ?: size_map(skel->maps.block_v4_hot, o->pin_dir, hot_cap(o));
	err = err ?: size_map(skel->maps.block_v6_hot, o->pin_dir, hot_cap(o));
	err = err ?: size_map(skel->maps.tier, o->pin_dir, 0);
	if (err) {
		pr_warn("BPF object 'arxdp': maps of '%s' unusable: %s", o->pin_dir, errstr(err));
		goto out;
	}
	/* Only a pin set that already holds block maps can hold blocks the prefilter misses, or
	 * big-map entries a new tier map does not count. */
	pf_new = (pinned(o->pin_dir, ARXDP_MAP_BLOCK4) || pinned(o->pin_dir, ARXDP_MAP_BLOCK6)) &&
		 (!pinned(o->pin_dir, ARXDP_MAP_PREFILTER) ||
		  !pinned(o->pin_dir, ARXDP_MAP_PFCOUNT) || !pinned(o->pin_dir, ARXDP_MAP_TIER));
	err = arxdp__load(skel);
	if (err) {
		pr_warn("BPF program '%s': load failed: %s (run with -vv for the verifier log)",
			ARXDP_PROG_NAME, errstr(err));
		goto out;
	}
	/* Before the program is pinned, so nothing can attach it while its prefilter is empty or
	 * its tier counts hide the big maps. */
	if (pf_new) {
		err = rebuild_prefilter(skel);
		if (err)
			goto out;
	}

	/* Pin beside, then rename over: an attach racing with a reload never sees no program. */
	err = pindir_path(tmp, sizeof(tmp), o->pin_dir,
			  ARXDP_PIN_PROG "_new" /* bpffs refuses dots in names */);
	if (err)
		goto out;
	unlink(tmp);
	if (bpf_obj_pin(bpf_program__fd(skel->progs.arxdp_xdp), tmp) || rename(tmp, path)) {
		err = -errno;
		pr_warn("program pin '%s': cannot pin: %s", path, strerror(-err));
		unlink(tmp);
		goto out;
	}

	bpf_map_lookup_elem(bpf_map__fd(skel->maps.meta), &zero, &meta);
	meta.load_flags = loader_load_flags(o);
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.meta), &zero, &meta, BPF_ANY)) {
		err = -errno;
		pr_warn("map 'meta': update failed: %s", strerror(-err));
		goto out;
	}

	fd = dup(bpf_program__fd(skel->progs.arxdp_xdp));
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	*prog_fd = fd;
	pr_debug("program '%s': loaded and pinned at %s%s", ARXDP_PROG_NAME, path,
		 o->dry_run ? " (dry run)" : "");
out:
	arxdp__destroy(skel);
	pindir_unlock(lock);
	/* After the unlock: a swap records how it attached, under the lock. */
	if (!err)
		loader_swap_others(o->pin_dir, fd);
	return err;
}

int loader_private_open(const struct loader_opts *o, struct loader_private **out)
{
	struct loader_private *lp;
	struct bpf_map *map;
	int err;

	lp = calloc(1, sizeof(*lp));
	if (!lp)
		return -ENOMEM;
	lp->no_hot_tier = o->no_hot_tier;
	err = open_skel(o, NULL, &lp->skel);
	if (err)
		goto fail;
	/* No pin path: a private instance never touches what the datapath uses. */
	bpf_object__for_each_map(map, lp->skel->obj)
	{
		err = bpf_map__set_pin_path(map, NULL);
		if (err)
			goto fail;
	}
	if (o->capacity_v4)
		bpf_map__set_max_entries(lp->skel->maps.block_v4, o->capacity_v4);
	if (o->capacity_v6)
		bpf_map__set_max_entries(lp->skel->maps.block_v6, o->capacity_v6);
	if (o->cidr_capacity) {
		bpf_map__set_max_entries(lp->skel->maps.cidr_v4, o->cidr_capacity);
		bpf_map__set_max_entries(lp->skel->maps.cidr_v6, o->cidr_capacity);
	}
	bpf_map__set_max_entries(lp->skel->maps.pf_count, pf_capacity(o));
	if (o->hot_capacity) {
		bpf_map__set_max_entries(lp->skel->maps.block_v4_hot, o->hot_capacity);
		bpf_map__set_max_entries(lp->skel->maps.block_v6_hot, o->hot_capacity);
	}
	err = arxdp__load(lp->skel);
	if (err) {
		pr_warn("BPF program '%s': load failed: %s", ARXDP_PROG_NAME, errstr(err));
		goto fail;
	}
	*out = lp;
	return 0;
fail:
	loader_private_close(lp);
	return err;
}

int loader_private_prog_fd(const struct loader_private *lp)
{
	return bpf_program__fd(lp->skel->progs.arxdp_xdp);
}

__u32 loader_private_clock_tick(const struct loader_private *lp)
{
	return lp->skel->rodata->clock_tick_ns;
}

int loader_private_map_fd(const struct loader_private *lp, const char *name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(lp->skel->obj, name);

	return map ? bpf_map__fd(map) : -ENOENT;
}

void loader_private_close(struct loader_private *lp)
{
	if (!lp)
		return;
	arxdp__destroy(lp->skel);
	free(lp);
}

int loader_private_blocklist(const struct loader_private *lp, struct blocklist *bl)
{
	struct bl_fds f;

	skel_fds(lp->skel, &f);
	if (lp->no_hot_tier)
		f.hot4 = f.hot6 = f.tier = -1;
	return bl_open_fds(bl, &f);
}
