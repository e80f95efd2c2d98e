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
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <xdp/libxdp.h>
#include "arxdp.h"
#include "arxdp.skel.h"
#include "blocklist.h"
#include "loader.h"
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
	       (o->no_prefilter ? ARXDP_LOAD_NO_PREFILTER : 0);
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
		if (fd >= 0) {
			*prog_fd = fd;
			return 0;
		}
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

static int pinned_map_id(const char *pin_dir, const char *name, __u32 *id)
{
	struct bpf_map_info info = {};
	int err = pinned_info(pin_dir, name, &info, sizeof(info));

	if (!err)
		*id = info.id;
	return err;
}

static int pinned_prog_id(const char *pin_dir, __u32 *id)
{
	struct bpf_prog_info info = {};
	int err = pinned_info(pin_dir, ARXDP_PIN_PROG, &info, sizeof(info));

	if (!err)
		*id = info.id;
	return err;
}

/* Ours = the pinned program, or any program that uses the block map pinned in pin_dir. */
static int classify_prog(const char *pin_dir, __u32 prog_id, struct attach_info *ai)
{
	struct bpf_prog_info info = {};
	__u32 map_ids[16] = {}, len = sizeof(info), our_map = 0, i, pinned = 0;
	int fd, err;

	ai->prog_id = prog_id;
	ai->state = ATTACH_FOREIGN;
	/* The pinned program is ours by definition, and recognising it takes no privilege:
	 * arxdpd keeps running after it dropped CAP_SYS_ADMIN. */
	if (!pinned_prog_id(pin_dir, &pinned) && pinned == prog_id) {
		ai->state = ATTACH_OURS;
		str_copy(ai->prog_name, ARXDP_PROG_NAME, sizeof(ai->prog_name));
		return 0;
	}
	/* Any other program (an older arxdp build over the same maps, or a foreign one) needs
	 * a look at its maps, which takes CAP_SYS_ADMIN. */
	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0) {
		err = -errno;
		if (err == -EPERM)
			str_copy(ai->prog_name, "?", sizeof(ai->prog_name));
		return err == -EPERM ? 0 : err;
	}
	info.nr_map_ids = ARRAY_SIZE(map_ids);
	info.map_ids = (__u64)(unsigned long)map_ids;
	err = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : 0;
	close(fd);
	if (err)
		return err;
	str_copy(ai->prog_name, info.name, sizeof(ai->prog_name));
	if (pinned_map_id(pin_dir, ARXDP_MAP_BLOCK4, &our_map))
		return 0;
	for (i = 0; i < info.nr_map_ids && i < ARRAY_SIZE(map_ids); i++)
		if (map_ids[i] == our_map)
			ai->state = ATTACH_OURS;
	return 0;
}

#define DISPATCHER_NAME "xdp_dispatcher"

/* A libxdp dispatcher holds the programs as freplace extensions: look inside it. */
static int query_dispatcher(const char *pin_dir, int ifindex, struct attach_info *ai)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p = NULL;
	struct attach_info one;
	int err = libxdp_get_error(mp);

	if (err || !mp)
		return 0; /* keep what the netlink query said: a foreign program */
	ai->n_progs = 0;
	while ((p = xdp_multiprog__next_prog(p, mp))) {
		ai->n_progs++;
		memset(&one, 0, sizeof(one));
		if (!classify_prog(pin_dir, xdp_program__id(p), &one) && one.state == ATTACH_OURS) {
			ai->state = ATTACH_OURS;
			ai->dispatcher = true;
			ai->prog_id = one.prog_id;
			str_copy(ai->prog_name, one.prog_name, sizeof(ai->prog_name));
		}
	}
	xdp_multiprog__close(mp);
	return 0;
}

int loader_query(const char *pin_dir, int ifindex, struct attach_info *ai)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	__u32 id = 0;
	int err;

	memset(ai, 0, sizeof(*ai));
	err = bpf_xdp_query(ifindex, 0, &q);
	if (err)
		return err;
	if (q.drv_prog_id) {
		id = q.drv_prog_id;
		ai->mode = ARXDP_MODE_NATIVE;
	} else if (q.skb_prog_id) {
		id = q.skb_prog_id;
		ai->mode = ARXDP_MODE_SKB;
	} else if (q.prog_id) {
		id = q.prog_id; /* offloaded or multi: foreign to us either way */
		ai->mode = ARXDP_MODE_NATIVE;
	}
	if (!id)
		return 0;
	ai->n_progs = 1;
	err = classify_prog(pin_dir, id, ai);
	if (!err && ai->state == ATTACH_FOREIGN && !strcmp(ai->prog_name, DISPATCHER_NAME))
		err = query_dispatcher(pin_dir, ifindex, ai);
	return err;
}

static __u32 mode_flag(enum arxdp_xdp_mode mode)
{
	return mode == ARXDP_MODE_SKB ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
}

static int attach_mode(int ifindex, int prog_fd, enum arxdp_xdp_mode mode,
		       const struct attach_info *cur)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	__u32 flags = mode_flag(mode);
	int old_fd = -1, err;

	if (cur->state != ATTACH_NONE && cur->mode == mode) {
		/* Atomic replace: no instant without a program on the interface. */
		old_fd = bpf_prog_get_fd_by_id(cur->prog_id);
		if (old_fd >= 0) {
			opts.old_prog_fd = old_fd;
			flags |= XDP_FLAGS_REPLACE;
		}
	} else if (cur->state != ATTACH_NONE) {
		/* Native and generic cannot coexist: the old one must go first. */
		bpf_xdp_detach(ifindex, mode_flag(cur->mode), NULL);
		flags |= XDP_FLAGS_UPDATE_IF_NOEXIST;
	} else {
		flags |= XDP_FLAGS_UPDATE_IF_NOEXIST;
	}
	err = bpf_xdp_attach(ifindex, prog_fd, flags, &opts);
	if (old_fd >= 0)
		close(old_fd);
	return err;
}

static int libxdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	/* Demoted like libbpf's: its warnings are details of an outcome we report ourselves. */
	log_vmsg(level == LIBXDP_WARN ? LOG_LEVEL_DEBUG : LOG_LEVEL_TRACE, fmt, ap);
	return 0;
}

static void set_attach_flags(const char *pin_dir, __u32 flags)
{
	struct arxdp_meta meta = {};
	char path[PATH_MAX];
	__u32 zero = 0;
	int fd, lock;

	if (pindir_path(path, sizeof(path), pin_dir, ARXDP_MAP_META))
		return;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return;
	/* Under the lock: writers of blocks update the prefix counts in the same value. */
	lock = pindir_lock(pin_dir);
	if (!bpf_map_lookup_elem(fd, &zero, &meta)) {
		meta.attach_flags = flags;
		bpf_map_update_elem(fd, &zero, &meta, BPF_ANY);
	}
	if (lock >= 0)
		pindir_unlock(lock);
	close(fd);
}

/*
 * Through libxdp: joins (or creates) the interface's dispatcher, running first at our priority
 * and passing on what we pass. Where the kernel cannot run a dispatcher, libxdp itself falls
 * back to a direct attachment, which *legacy reports.
 */
static int attach_libxdp(const struct loader_opts *o, int ifindex, int prog_fd,
			 enum arxdp_xdp_mode mode, bool *legacy)
{
	struct xdp_multiprog *mp;
	struct xdp_program *p;
	int fd, err;

	/* libxdp versions differ on whether they take the fd or dup it: give it its own. */
	fd = fcntl(prog_fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -errno;
	libxdp_set_print(libxdp_print);
	p = xdp_program__from_fd(fd);
	err = libxdp_get_error(p);
	if (err) {
		close(fd);
		return err;
	}
	xdp_program__set_run_prio(p, o->priority);
	xdp_program__set_chain_call_enabled(p, XDP_PASS, true);
	err = xdp_program__attach(p, ifindex,
				  mode == ARXDP_MODE_SKB ? XDP_MODE_SKB : XDP_MODE_NATIVE, 0);
	if (!err) {
		mp = xdp_multiprog__get_from_ifindex(ifindex);
		*legacy = libxdp_get_error(mp) || !mp || xdp_multiprog__is_legacy(mp);
		if (!libxdp_get_error(mp) && mp)
			xdp_multiprog__close(mp);
	}
	xdp_program__close(p);
	return err;
}

/* One mode: through the dispatcher when asked and possible, else a plain netlink attach. */
static int attach_one(const struct loader_opts *o, int ifindex, int prog_fd,
		      enum arxdp_xdp_mode mode, const struct attach_info *cur, __u32 *flags)
{
	bool legacy = true;
	int err;

	if (o->dispatcher && cur->state != ATTACH_OURS &&
	    (cur->state == ATTACH_NONE || cur->n_progs > 1 ||
	     !strcmp(cur->prog_name, DISPATCHER_NAME))) {
		err = attach_libxdp(o, ifindex, prog_fd, mode, &legacy);
		if (!err) {
			*flags = legacy ? ARXDP_ATTACH_NO_DISPATCHER : ARXDP_ATTACH_DISPATCHER;
			return 0;
		}
		if (cur->state != ATTACH_NONE)
			return err; /* never replace the programs of a dispatcher */
		pr_debug("libxdp attach failed (%s): attaching directly", errstr(err));
		*flags = ARXDP_ATTACH_NO_DISPATCHER;
	}
	return attach_mode(ifindex, prog_fd, mode, cur);
}

int loader_attach(const struct loader_opts *o, const char *ifname, enum arxdp_xdp_mode mode,
		  bool force, enum arxdp_xdp_mode *used)
{
	struct attach_info cur;
	int ifindex, prog_fd = -1, err;
	__u32 flags = 0;

	ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		pr_warn("interface '%s': no such interface", ifname);
		return -ENODEV;
	}
	err = pindir_prepare(o->pin_dir);
	if (err)
		return err;
	err = loader_query(o->pin_dir, ifindex, &cur);
	if (err) {
		pr_warn("interface '%s': XDP query failed: %s", ifname, errstr(err));
		return err;
	}
	if (cur.state == ATTACH_FOREIGN && !force &&
	    !(o->dispatcher && !strcmp(cur.prog_name, DISPATCHER_NAME))) {
		pr_warn("interface '%s': another XDP program '%s' (id %u) is attached: not "
			"replacing it; use --force to replace it",
			ifname, cur.prog_name, cur.prog_id);
		return -EEXIST;
	}
	if (cur.state == ATTACH_OURS && cur.dispatcher && !o->reload) {
		*used = cur.mode;
		return 0; /* already one of the dispatcher's programs */
	}
	err = loader_get_prog(o, &prog_fd);
	if (err)
		return err;

	if (mode == ARXDP_MODE_AUTO) {
		int old = log_silence_libbpf(1);

		err = attach_one(o, ifindex, prog_fd, ARXDP_MODE_NATIVE, &cur, &flags);
		log_silence_libbpf(old);
		if (!err) {
			*used = ARXDP_MODE_NATIVE;
			goto out;
		}
		pr_warn("interface '%s': native XDP failed (%s): falling back to skb mode, "
			"which is slower",
			ifname, errstr(err));
		/* A failed native attempt may have left nothing; query again for skb. */
		loader_query(o->pin_dir, ifindex, &cur);
		mode = ARXDP_MODE_SKB;
	}
	err = attach_one(o, ifindex, prog_fd, mode, &cur, &flags);
	if (err) {
		pr_warn("interface '%s': attach in %s mode failed: %s", ifname, mode_name(mode),
			errstr(err));
		goto out;
	}
	*used = mode;
out:
	if (!err)
		set_attach_flags(o->pin_dir, flags);
	if (!err && (flags & ARXDP_ATTACH_NO_DISPATCHER))
		pr_info("interface '%s': libxdp's dispatcher cannot run on this kernel (it needs "
			"BPF trampolines): attached directly; other XDP programs cannot share "
			"the interface",
			ifname);
	close(prog_fd);
	return err;
}

/* Removes only our program from the dispatcher; the others keep running. */
static int detach_dispatcher(const char *pin_dir, const char *ifname, int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p = NULL;
	struct attach_info one;
	int err = libxdp_get_error(mp);

	if (err || !mp) {
		pr_warn("interface '%s': cannot read its libxdp dispatcher: %s", ifname,
			errstr(err ?: -ENOENT));
		return err ?: -ENOENT;
	}
	err = -ENOENT;
	while ((p = xdp_multiprog__next_prog(p, mp))) {
		memset(&one, 0, sizeof(one));
		if (classify_prog(pin_dir, xdp_program__id(p), &one) || one.state != ATTACH_OURS)
			continue;
		err = xdp_program__detach(p, ifindex, xdp_multiprog__attach_mode(mp), 0);
		break;
	}
	xdp_multiprog__close(mp);
	if (err)
		pr_warn("interface '%s': detach from the dispatcher failed: %s", ifname,
			errstr(err));
	return err;
}

int loader_detach(const char *pin_dir, const char *ifname)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	struct attach_info cur;
	int ifindex, err;

	ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		pr_warn("interface '%s': no such interface", ifname);
		return -ENODEV;
	}
	err = loader_query(pin_dir, ifindex, &cur);
	if (err) {
		pr_warn("interface '%s': XDP query failed: %s", ifname, errstr(err));
		return err;
	}
	if (cur.state == ATTACH_NONE) {
		pr_warn("interface '%s': no XDP program attached", ifname);
		return -ENOENT;
	}
	if (cur.state == ATTACH_FOREIGN) {
		pr_warn("interface '%s': the attached XDP program '%s' (id %u) is not arxdp's: "
			"leaving it",
			ifname, cur.prog_name, cur.prog_id);
		return -EPERM;
	}
	if (cur.dispatcher)
		return detach_dispatcher(pin_dir, ifname, ifindex);
	opts.old_prog_fd = bpf_prog_get_fd_by_id(cur.prog_id);
	err = bpf_xdp_detach(ifindex, mode_flag(cur.mode) | XDP_FLAGS_REPLACE, &opts);
	if (opts.old_prog_fd >= 0)
		close(opts.old_prog_fd);
	if (err)
		pr_warn("interface '%s': detach failed: %s", ifname, errstr(err));
	return err;
}
