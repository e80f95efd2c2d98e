// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the blocklist's side of the pin set (see blocklist.h): opening its parts
 * as an operation first needs them (bl_open_some, bl_need), with the layout of every map
 * checked, since the CLI and the drop-in open pins no loader checked; the optional maps of a
 * newer pin set looked for again under the first lock (bl_reopen_if_whole); private instances
 * (bl_open_fds); and the pins put back under a running daemon (bl_repin). The lock and the
 * writes are in blocklist.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "blocklist.h"
#include "log.h"
#include "pindir.h"
#include "util.h"

#include "blocklist_int.h"

static int load_own_addrs(struct blocklist *bl)
{
	struct arxdp_addr *list;
	size_t n, i;
	int err = bl_host_addrs(&list, &n);

	for (i = 0; !err && i < n; i++)
		err = bl_protect(bl, &list[i]);
	free(list);
	return err;
}

unsigned int bl_open_for(const struct arxdp_addr *a)
{
	if (!addr_is_exact(a))
		return a->family == 4 ? BL_OPEN_CIDR4 : BL_OPEN_CIDR6;
	/* An exact write or delete keeps the prefilter's count of its slot. */
	return (a->family == 4 ? BL_OPEN_V4 : BL_OPEN_V6) | BL_OPEN_PF;
}

static int map_info(int fd, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len) ? -errno : 0;
}

static void bl_init(struct blocklist *bl)
{
	memset(bl, 0, sizeof(*bl));
	bl->fd_block4 = bl->fd_block6 = bl->fd_cidr4 = bl->fd_cidr6 = -1;
	bl->fd_stats = bl->fd_meta = -1;
	bl->fd_prefilter = bl->fd_pfcount = -1;
	bl->fd_hot4 = bl->fd_hot6 = bl->fd_tier = -1;
	bl->lock_fd = -1;
}

/*
 * The capacity of address map m, after checking that it is the map this build writes: the
 * loader refuses a pinned map of another layout, but the CLI and the drop-in open the pins
 * without it, and a value of another size would be written as garbage.
 */
static int map_check(struct blocklist *bl, enum bl_map m, int fd)
{
	static const __u32 types[MAP_NUM] = { BPF_MAP_TYPE_HASH,     BPF_MAP_TYPE_HASH,
					      BPF_MAP_TYPE_LPM_TRIE, BPF_MAP_TYPE_LPM_TRIE,
					      BPF_MAP_TYPE_HASH,     BPF_MAP_TYPE_HASH };
	__u32 vsize = map_is_hot(m) ? sizeof(struct arxdp_hot) : sizeof(struct arxdp_block);
	uint32_t *caps[MAP_NUM] = { &bl->cap_block4, &bl->cap_block6, &bl->cap_cidr4,
				    &bl->cap_cidr6,  &bl->cap_hot4,   &bl->cap_hot6 };
	struct bpf_map_info info;
	int err = map_info(fd, &info);

	if (err)
		return err;
	if (info.type != types[m] || info.key_size != key_sizes[m] || info.value_size != vsize) {
		pr_warn("map '%s': unexpected layout (type %u, key %u bytes, value %u bytes; this "
			"build needs %u, %zu, %u): see 'A changed map layout' in docs/OPERATIONS.md",
			map_names[m], info.type, info.key_size, info.value_size, types[m],
			key_sizes[m], vsize);
		return -EINVAL;
	}
	*caps[m] = info.max_entries;
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* A pinned map by name: -1 in *fd, and 0, when it is optional and cannot be opened. */
static int open_pin(struct blocklist *bl, const char *name, bool optional, int *fd)
{
	char path[PATH_MAX];
	int err = pindir_path(path, sizeof(path), bl->pin_dir, name);

	close_fd(fd); /* a retry after a failed need */
	if (err)
		return optional ? 0 : err;
	*fd = bpf_obj_get(path);
	if (*fd >= 0)
		return 0;
	err = -errno;
	/* Only a missing optional map is an older pin set: any other error on one (a tier map
	 * that cannot be opened beside the hot maps) would have writes skip what it counts. */
	if (optional && err == -ENOENT)
		return 0;
	/* Quiet at bl_open (not loaded there); said when a later need finds the pin gone. */
	if (err != -ENOENT || bl->open_done)
		pr_warn("map '%s': cannot open: %s", path, strerror(-err));
	return err;
}

static bool pinned(const struct blocklist *bl, const char *name)
{
	char path[PATH_MAX];

	return !pindir_path(path, sizeof(path), bl->pin_dir, name) && !access(path, F_OK);
}

/*
 * The hot map of exact family m (MAP_BLOCK4/6), when the pin set has a usable hot tier: both
 * hot maps and the tier counts, or none. A new block must find its tier in either family, and
 * without the counts a spill to the big maps would stay unseen. Decided once, at the first
 * family opened: the other family's hot map is only looked for then, not opened.
 */
static int open_hot(struct blocklist *bl, enum bl_map m)
{
	bool v4 = m == MAP_BLOCK4;
	int *fd = v4 ? &bl->fd_hot4 : &bl->fd_hot6;
	bool other;

	int err;

	if (bl->hot_state < 0)
		return 0;
	err = open_pin(bl, v4 ? ARXDP_MAP_HOT4 : ARXDP_MAP_HOT6, true, fd);
	if (err)
		return err;
	if (!bl->hot_state) {
		other = (v4 ? bl->fd_hot6 : bl->fd_hot4) >= 0 ||
			pinned(bl, v4 ? ARXDP_MAP_HOT6 : ARXDP_MAP_HOT4);
		if (*fd < 0 && !other) {
			bl->hot_state = -1;
			return 0;
		}
		if (*fd >= 0 && other && bl->fd_tier >= 0) {
			bl->hot_state = 1;
			return map_check(bl, map_hot(m), *fd);
		}
	} else if (*fd >= 0) {
		return map_check(bl, map_hot(m), *fd);
	} else if (bl->open_done) {
		/* The other family may have written its hot map already: never switch tiers. */
		pr_warn("map '%s': cannot open: it is gone", v4 ? ARXDP_MAP_HOT4 : ARXDP_MAP_HOT6);
		return -ENOENT;
	}
	pr_warn("pin directory '%s': '%s', '%s' and '%s' are not all pinned: writing to "
		"the big maps only",
		bl->pin_dir, ARXDP_MAP_HOT4, ARXDP_MAP_HOT6, ARXDP_MAP_TIER);
	close_fd(&bl->fd_hot4);
	close_fd(&bl->fd_hot6);
	bl->hot_state = -1;
	return 0;
}

/* Exact family m (MAP_BLOCK4/6): its big map, the tier counts and its hot map. */
static int open_exact(struct blocklist *bl, enum bl_map m)
{
	int *fd = m == MAP_BLOCK4 ? &bl->fd_block4 : &bl->fd_block6;
	int err = open_pin(bl, map_names[m], false, fd);

	err = err ?: map_check(bl, m, *fd);
	if (!err && bl->fd_tier < 0 && !(bl->opened & BL_OPEN_TIER_TRIED)) {
		/* Optional: a pin set older than the hot tier has neither. */
		err = open_pin(bl, ARXDP_MAP_TIER, true, &bl->fd_tier);
		bl->opened |= BL_OPEN_TIER_TRIED;
	}
	return err ?: open_hot(bl, m);
}

static int open_part(struct blocklist *bl, unsigned int part)
{
	int err, n;

	switch (part) {
	case BL_OPEN_V4:
		return open_exact(bl, MAP_BLOCK4);
	case BL_OPEN_V6:
		return open_exact(bl, MAP_BLOCK6);
	case BL_OPEN_CIDR4:
		err = open_pin(bl, ARXDP_MAP_CIDR4, false, &bl->fd_cidr4);
		return err ?: map_check(bl, MAP_CIDR4, bl->fd_cidr4);
	case BL_OPEN_CIDR6:
		err = open_pin(bl, ARXDP_MAP_CIDR6, false, &bl->fd_cidr6);
		return err ?: map_check(bl, MAP_CIDR6, bl->fd_cidr6);
	case BL_OPEN_STATS:
		n = libbpf_num_possible_cpus();
		if (n <= 0)
			return n ? n : -EINVAL;
		bl->ncpus = n;
		return open_pin(bl, ARXDP_MAP_STATS, false, &bl->fd_stats);
	case BL_OPEN_META:
		return open_pin(bl, ARXDP_MAP_META, false, &bl->fd_meta);
	case BL_OPEN_PF:
		/* Optional: a pin set from before the prefilter has none, and its program reads
		 * none; the next load creates it and rebuilds it from the maps. Not mapped: a bit
		 * is changed through bpf() until many are (blocklist_pf.c). */
		err = open_pin(bl, ARXDP_MAP_PREFILTER, true, &bl->fd_prefilter);
		err = err ?: open_pin(bl, ARXDP_MAP_PFCOUNT, true, &bl->fd_pfcount);
		return err ?: bl_pf_map(bl, false);
	case BL_OPEN_GUARD:
		return load_own_addrs(bl);
	default:
		return 0;
	}
}

/* A prefix's trie comes with meta, which counts the trie's entries for the program. */
static unsigned int parts_of(unsigned int what)
{
	if (what & (BL_OPEN_CIDR4 | BL_OPEN_CIDR6))
		what |= BL_OPEN_META;
	return what & BL_OPEN_ALL;
}

/*
 * Opens what of the pin set is not open yet, in the order bl_open always opened it (a
 * missing map is named in the same order). A private instance (bl_open_fds) has it all.
 */
int bl_need(struct blocklist *bl, unsigned int what)
{
	static const unsigned int order[] = { BL_OPEN_V4,    BL_OPEN_V6,    BL_OPEN_CIDR4,
					      BL_OPEN_CIDR6, BL_OPEN_STATS, BL_OPEN_META,
					      BL_OPEN_PF,    BL_OPEN_GUARD };
	unsigned int todo = parts_of(what) & ~bl->opened;
	size_t i;
	int err;

	if (!bl->pin_dir[0])
		return 0; /* no pin directory: all there is was given (bl_open_fds) */
	for (i = 0; todo && i < ARRAY_SIZE(order); i++) {
		if (!(todo & order[i]))
			continue;
		err = open_part(bl, order[i]);
		if (err)
			return err;
		bl->opened |= order[i];
	}
	return 0;
}

int bl_open_some(struct blocklist *bl, const char *pin_dir, unsigned int what)
{
	int err;

	bl_init(bl);
	err = str_copy(bl->pin_dir, pin_dir, sizeof(bl->pin_dir));
	err = err ?: bl_need(bl, what);
	if (err) {
		bl_close(bl);
		return err;
	}
	bl->open_done = true;
	return 0;
}

int bl_open(struct blocklist *bl, const char *pin_dir)
{
	return bl_open_some(bl, pin_dir, BL_OPEN_ALL);
}

static int dup_opt(int fd)
{
	return fd >= 0 ? dup(fd) : -1;
}

int bl_open_fds(struct blocklist *bl, const struct bl_fds *f)
{
	enum bl_map m;
	int err = 0, n;

	bl_init(bl);
	bl->fd_block4 = dup(f->block4);
	bl->fd_block6 = dup(f->block6);
	bl->fd_cidr4 = dup(f->cidr4);
	bl->fd_cidr6 = dup(f->cidr6);
	bl->fd_stats = dup(f->stats);
	bl->fd_meta = dup(f->meta);
	bl->fd_prefilter = dup_opt(f->prefilter);
	bl->fd_pfcount = dup_opt(f->pfcount);
	if (f->hot4 >= 0 && f->hot6 >= 0) {
		bl->fd_hot4 = dup(f->hot4);
		bl->fd_hot6 = dup(f->hot6);
	}
	bl->fd_tier = dup_opt(f->tier);
	bl->hot_state = bl->fd_hot4 >= 0 ? 1 : -1;
	n = libbpf_num_possible_cpus();
	if (n <= 0)
		err = n ? n : -EINVAL;
	bl->ncpus = n;
	for (m = 0; m < MAP_NUM && !err; m++)
		if (map_fd(bl, m) >= 0 || !map_is_hot(m))
			err = map_check(bl, m, map_fd(bl, m));
	err = err ?: bl_pf_map(bl, true);
	err = err ?: load_own_addrs(bl);
	if (err) {
		bl_close(bl);
		return err;
	}
	/* No pin directory: nothing is opened later. */
	bl->opened = BL_OPEN_ALL;
	bl->open_done = true;
	return 0;
}

void bl_close(struct blocklist *bl)
{
	int *fds[] = { &bl->fd_block4, &bl->fd_block6, &bl->fd_cidr4,	  &bl->fd_cidr6,
		       &bl->fd_stats,  &bl->fd_meta,   &bl->fd_prefilter, &bl->fd_pfcount,
		       &bl->fd_hot4,   &bl->fd_hot6,   &bl->fd_tier };
	size_t i;

	bl_pf_unmap(bl);
	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	pindir_unlock(bl->lock_fd);
	bl->lock_fd = -1;
	bl->lock_depth = 0;
	free(bl->protect);
	bl->protect = NULL;
	bl->n_protect = 0;
	free(bl->sweep);
	bl->sweep = NULL;
}

/*
 * A pin set opened while a loader was still pinning it (it pins map by map, holding the lock)
 * may have looked older than it is: no tier counts, no hot maps, no prefilter. A write made on
 * that view would put a block in a big map uncounted, which the program then never looks up,
 * or leave its prefilter bit clear. Under the lock the set is whole: before the first write,
 * the optional maps that were missing are looked for again, and opened when they are there.
 */
int bl_reopen_if_whole(struct blocklist *bl)
{
	bool switched = false;
	int err = 0;

	if (bl->hot_state < 0 && pinned(bl, ARXDP_MAP_TIER) && pinned(bl, ARXDP_MAP_HOT4) &&
	    pinned(bl, ARXDP_MAP_HOT6)) {
		pr_info("pin directory '%s': its hot tier was pinned after it was opened: using it",
			bl->pin_dir);
		bl->hot_state = 0;
		switched = true;
		err = open_pin(bl, ARXDP_MAP_TIER, true, &bl->fd_tier);
		bl->opened |= BL_OPEN_TIER_TRIED;
		if (!err && (bl->opened & BL_OPEN_V4))
			err = open_hot(bl, MAP_BLOCK4);
		if (!err && (bl->opened & BL_OPEN_V6))
			err = open_hot(bl, MAP_BLOCK6);
	}
	if (!err && (bl->opened & BL_OPEN_PF) && (bl->fd_prefilter < 0 || bl->fd_pfcount < 0) &&
	    pinned(bl, ARXDP_MAP_PREFILTER) && pinned(bl, ARXDP_MAP_PFCOUNT))
		err = open_part(bl, BL_OPEN_PF);
	if (err && switched) {
		/* Not half switched: the next lock looks again, and each write fails until then. */
		close_fd(&bl->fd_hot4);
		close_fd(&bl->fd_hot6);
		close_fd(&bl->fd_tier);
		bl->hot_state = -1;
	}
	bl->whole_checked = !err;
	return err;
}

int bl_map_id(struct blocklist *bl, uint32_t *id)
{
	struct bpf_map_info info;
	int err = bl_need(bl, BL_OPEN_V4);

	if (!err)
		err = bl->fd_block4 < 0 ? -EBADF : map_info(bl->fd_block4, &info);

	*id = err ? 0 : info.id;
	return err;
}

int bl_repin(struct blocklist *bl, int prog_fd, int *repinned)
{
	int err = bl_need(bl, BL_OPEN_ALL & ~BL_OPEN_GUARD);
	const int fds[] = { bl->fd_block4, bl->fd_block6, bl->fd_cidr4,	    bl->fd_cidr6,
			    bl->fd_stats,  bl->fd_meta,	  bl->fd_prefilter, bl->fd_pfcount,
			    bl->fd_hot4,   bl->fd_hot6,	  bl->fd_tier,	    prog_fd };
	const char *const names[] = { ARXDP_MAP_BLOCK4,	   ARXDP_MAP_BLOCK6,  ARXDP_MAP_CIDR4,
				      ARXDP_MAP_CIDR6,	   ARXDP_MAP_STATS,   ARXDP_MAP_META,
				      ARXDP_MAP_PREFILTER, ARXDP_MAP_PFCOUNT, ARXDP_MAP_HOT4,
				      ARXDP_MAP_HOT6,	   ARXDP_MAP_TIER,    ARXDP_PIN_PROG };
	char path[PATH_MAX], parent[PATH_MAX], *slash;
	bool locked = false;
	struct statfs sf;
	size_t i;

	*repinned = 0;
	if (err)
		return err;
	/* Nothing is made anywhere but on a bpffs: an unmounted one leaves a plain directory
	 * there, where a new directory would only mislead the next reader. */
	str_copy(parent, bl->pin_dir, sizeof(parent));
	slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = '\0';
	if (statfs(access(bl->pin_dir, F_OK) ? parent : bl->pin_dir, &sf))
		return -errno;
	if (sf.f_type != BPF_FS_MAGIC)
		return -ENOENT;
	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		if (fds[i] < 0 || pindir_path(path, sizeof(path), bl->pin_dir, names[i]))
			continue;
		if (!access(path, F_OK))
			continue;
		/* Only a missing pin is put back: one that exists is somebody's, maybe new. */
		if (mkdir(bl->pin_dir, 0700) && errno != EEXIST) {
			err = -errno;
			goto out;
		}
		/*
		 * Under the lock, as the loader pins: a writer that finds the set whole under it
		 * (bl_reopen_if_whole) must not see a prefilter without its counts, or hot maps
		 * without the tier map, and write a block the program then skips.
		 */
		if (!locked) {
			err = bl_lock(bl);
			if (err)
				goto out;
			locked = true;
			if (!access(path, F_OK))
				continue;
		}
		if (bpf_obj_pin(fds[i], path)) {
			err = -errno;
			continue;
		}
		(*repinned)++;
	}
out:
	if (locked)
		bl_unlock(bl);
	return err;
}
