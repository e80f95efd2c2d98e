// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the loader's side of the interfaces: what is attached where (ours, a
 * foreign program, libxdp's dispatcher), attaching the pinned program with netlink so the
 * attachment outlives every process (no link fd to keep open, no window when a process exits),
 * and detaching it. It never touches the skeleton: it works on the pinned program's fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
#include "loader.h"
#include "loader_int.h"
#include "log.h"
#include "pindir.h"
#include "util.h"
static int pinned_map_id(const char *pin_dir, const char *name, __u32 *id)
{
	struct bpf_map_info info = {};
	int err = loader_pinned_info(pin_dir, name, &info, sizeof(info));

	if (!err)
		*id = info.id;
	return err;
}

static int pinned_prog_id(const char *pin_dir, __u32 *id)
{
	struct bpf_prog_info info = {};
	int err = loader_pinned_info(pin_dir, ARXDP_PIN_PROG, &info, sizeof(info));

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
	/* A load just swapped the new program in wherever ours ran, this interface too. */
	err = loader_query(o->pin_dir, ifindex, &cur);
	if (err) {
		pr_warn("interface '%s': XDP query failed: %s", ifname, errstr(err));
		close(prog_fd);
		return err;
	}

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

void loader_swap_others(const char *pin_dir, int prog_fd)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	struct attach_info cur;
	int err;

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) || !ifs) {
		pr_warn("program '%s': cannot list the interfaces running the one it replaced: %s; "
			"re-attach them with 'arxdp attach IFACE --reload'",
			ARXDP_PROG_NAME, strerror(errno));
		if (ifs)
			if_freenameindex(ifs);
		return;
	}
	for (i = ifs; i->if_index; i++) {
		if (loader_query(pin_dir, (int)i->if_index, &cur) || cur.state != ATTACH_OURS ||
		    cur.prog_id == info.id)
			continue;
		if (cur.dispatcher) {
			/* Replacing one program of a dispatcher means rebuilding it: left to
			 * an attach of that interface, which says how it went. */
			pr_warn("interface '%s': runs arxdp's previous program (id %u) in libxdp's "
				"dispatcher: not swapped; run 'arxdp attach %s --reload'",
				i->if_name, cur.prog_id, i->if_name);
			continue;
		}
		err = attach_mode((int)i->if_index, prog_fd, cur.mode, &cur);
		if (err)
			pr_warn("interface '%s': replacing arxdp's previous program (id %u) failed: "
				"%s; it still runs the previous one",
				i->if_name, cur.prog_id, errstr(err));
		else
			pr_info("interface '%s': arxdp's previous program (id %u) replaced by the "
				"new one (id %u)",
				i->if_name, cur.prog_id, info.id);
	}
	if_freenameindex(ifs);
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
