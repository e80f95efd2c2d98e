// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the typed operations on the pinned block maps (see blocklist.h).
 * Exact addresses live in the per-family hashes (two tiers: blocklist_tier.c), prefixes in
 * the per-family tries; the
 * "meta" map tells the program whether a trie holds anything, so it is kept exact here,
 * under the pin-directory lock, on every insert and delete of a prefix; the prefilter's
 * per-slot counts likewise on every insert and delete of an exact address (blocklist_pf.c).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/socket.h>
#include <linux/magic.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "blocklist.h"
#include "log.h"
#include "pindir.h"
#include "util.h"

#include "blocklist_int.h"

const char *const map_names[MAP_NUM] = {
	ARXDP_MAP_BLOCK4, ARXDP_MAP_BLOCK6, ARXDP_MAP_CIDR4,
	ARXDP_MAP_CIDR6,  ARXDP_MAP_HOT4,   ARXDP_MAP_HOT6,
};
const char *const cap_names[MAP_NUM] = {
	"capacity_v4",	 "capacity_v6", "cidr_capacity",
	"cidr_capacity", "capacity_v4", "capacity_v6",
};

const size_t key_sizes[MAP_NUM] = {
	sizeof(__u32), 16, sizeof(struct arxdp_lpm4), sizeof(struct arxdp_lpm6), sizeof(__u32), 16,
};

const char *origin_name(uint8_t origin)
{
	switch (origin) {
	case ARXDP_ORIGIN_ALERT:
		return "alert";
	case ARXDP_ORIGIN_CLI:
		return "cli";
	case ARXDP_ORIGIN_FIREWALL_DROP:
		return "firewall-drop";
	case ARXDP_ORIGIN_STATE:
		return "state";
	default:
		return "unknown";
	}
}

bool bl_expired(const struct arxdp_block *v, uint64_t now)
{
	/* Same comparison as the program: at the stamp it no longer drops. */
	return v->expires_ns && v->expires_ns <= now;
}

uint64_t bl_remaining_s(const struct arxdp_block *v, uint64_t now)
{
	if (!v->expires_ns || v->expires_ns <= now)
		return 0;
	return (v->expires_ns - now + NSEC_PER_SEC - 1) / NSEC_PER_SEC;
}

/* Appends one address of an RTM_NEWADDR message: IFA_LOCAL when present (the peer of a
 * point-to-point link is IFA_ADDRESS then), else IFA_ADDRESS, as getifaddrs() takes it. */
static int add_host_addr(const struct nlmsghdr *nh, struct arxdp_addr **list, size_t *cnt)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(nh);
	const struct rtattr *rta, *local = NULL, *addr = NULL;
	size_t alen = ifa->ifa_family == AF_INET ? 4 : 16;
	struct arxdp_addr a = {}, *tmp;
	int len = (int)IFA_PAYLOAD(nh);

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)) ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return 0;
	for (rta = IFA_RTA(ifa); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == IFA_LOCAL)
			local = rta;
		else if (rta->rta_type == IFA_ADDRESS)
			addr = rta;
	}
	rta = local ? local : addr;
	if (!rta || RTA_PAYLOAD(rta) < alen)
		return 0;
	a.family = alen == 4 ? 4 : 6;
	a.prefixlen = alen == 4 ? 32 : 128;
	memcpy(a.a, RTA_DATA(rta), alen);
	tmp = realloc(*list, (*cnt + 1) * sizeof(**list));
	if (!tmp)
		return -ENOMEM;
	*list = tmp;
	(*list)[(*cnt)++] = a;
	return 0;
}

/*
 * One RTM_GETADDR dump: what getifaddrs() gives, without the link dump (every interface's
 * statistics) getifaddrs() also asks for, which the CLI and the drop-in paid at every start.
 */
int bl_host_addrs(struct arxdp_addr **out, size_t *n)
{
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;
	} req = {
		.nh = { .nlmsg_len = sizeof(req),
			.nlmsg_type = RTM_GETADDR,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = 1 },
		.ifa = { .ifa_family = AF_UNSPEC },
	};
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct arxdp_addr *list = NULL;
	size_t cnt = 0, bufsz = 32768;
	int fd, err = 0, i;
	bool done = false;
	char *buf;
	ssize_t got;

	buf = malloc(bufsz);
	if (!buf)
		return -ENOMEM;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		err = -errno;
		goto out;
	}
	/* Bounded: a dump of a million addresses is far beyond any host. */
	for (i = 0; !done && !err && i < (1 << 20); i++) {
		const struct nlmsghdr *nh;
		int len;

		got = recv(fd, buf, bufsz, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			err = -errno;
			break;
		}
		if (got == 0) {
			err = -EIO;
			break;
		}
		len = (int)got;
		for (nh = (const struct nlmsghdr *)buf; !done && !err && NLMSG_OK(nh, len);
		     nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_seq != req.nh.nlmsg_seq)
				continue;
			if (nh->nlmsg_type == NLMSG_DONE)
				done = true;
			else if (nh->nlmsg_type == NLMSG_ERROR)
				err = ((const struct nlmsgerr *)NLMSG_DATA(nh))->error ?: -EIO;
			else if (nh->nlmsg_type == RTM_NEWADDR)
				err = add_host_addr(nh, &list, &cnt);
		}
	}
	if (!err && !done)
		err = -EIO;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	if (err) {
		free(list);
		return err;
	}
	*out = list;
	*n = cnt;
	return 0;
}

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

int bl_protect(struct blocklist *bl, const struct arxdp_addr *a)
{
	struct arxdp_addr *p;

	p = realloc(bl->protect, (bl->n_protect + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	p[bl->n_protect++] = *a;
	bl->protect = p;
	return 0;
}

int bl_check_allowed(const struct blocklist *bl, const struct arxdp_addr *a, const char **why)
{
	int i;

	if (addr_is_special(a)) {
		*why = "loopback or unspecified addresses are never blocked";
		return -EPERM;
	}
	for (i = 0; i < bl->n_protect; i++) {
		if (addr_in_prefix(&bl->protect[i], a)) {
			*why = addr_is_exact(a) ? "this host's own address is never blocked" :
						  "the prefix covers an address of this host";
			return -EPERM;
		}
	}
	return 0;
}

static int map_info(int fd, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len) ? -errno : 0;
}

static int map_capacity(int fd, uint32_t *cap)
{
	struct bpf_map_info info;
	int err = map_info(fd, &info);

	*cap = info.max_entries;
	return err;
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

static int bl_finish_open(struct blocklist *bl, bool map_pf)
{
	int err, n;

	n = libbpf_num_possible_cpus();
	if (n <= 0)
		return n ? n : -EINVAL;
	bl->ncpus = n;
	err = map_capacity(bl->fd_block4, &bl->cap_block4);
	err = err ?: map_capacity(bl->fd_block6, &bl->cap_block6);
	err = err ?: map_capacity(bl->fd_cidr4, &bl->cap_cidr4);
	err = err ?: map_capacity(bl->fd_cidr6, &bl->cap_cidr6);
	if (!err && bl->fd_hot4 >= 0)
		err = map_capacity(bl->fd_hot4, &bl->cap_hot4);
	if (!err && bl->fd_hot6 >= 0)
		err = map_capacity(bl->fd_hot6, &bl->cap_hot6);
	err = err ?: bl_pf_map(bl, map_pf);
	return err ?: load_own_addrs(bl);
}

int bl_open(struct blocklist *bl, const char *pin_dir)
{
	const char *names[] = { ARXDP_MAP_BLOCK4, ARXDP_MAP_BLOCK6, ARXDP_MAP_CIDR4,
				ARXDP_MAP_CIDR6,  ARXDP_MAP_STATS,  ARXDP_MAP_META };
	int *fds[ARRAY_SIZE(names)];
	char path[PATH_MAX];
	size_t i;
	int err;

	bl_init(bl);
	fds[0] = &bl->fd_block4;
	fds[1] = &bl->fd_block6;
	fds[2] = &bl->fd_cidr4;
	fds[3] = &bl->fd_cidr6;
	fds[4] = &bl->fd_stats;
	fds[5] = &bl->fd_meta;
	err = str_copy(bl->pin_dir, pin_dir, sizeof(bl->pin_dir));
	if (err)
		goto fail;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		err = pindir_path(path, sizeof(path), pin_dir, names[i]);
		if (err)
			goto fail;
		*fds[i] = bpf_obj_get(path);
		if (*fds[i] < 0) {
			err = -errno;
			if (err != -ENOENT)
				pr_warn("map '%s': cannot open: %s", path, strerror(-err));
			goto fail;
		}
	}
	/* Optional: a pin set from before the prefilter has none, and its program reads none;
	 * the next load creates it and rebuilds it from the maps. */
	if (!pindir_path(path, sizeof(path), pin_dir, ARXDP_MAP_PREFILTER))
		bl->fd_prefilter = bpf_obj_get(path);
	if (!pindir_path(path, sizeof(path), pin_dir, ARXDP_MAP_PFCOUNT))
		bl->fd_pfcount = bpf_obj_get(path);
	/* The hot tier likewise: without it every exact block goes to the big maps. */
	if (!pindir_path(path, sizeof(path), pin_dir, ARXDP_MAP_HOT4))
		bl->fd_hot4 = bpf_obj_get(path);
	if (!pindir_path(path, sizeof(path), pin_dir, ARXDP_MAP_HOT6))
		bl->fd_hot6 = bpf_obj_get(path);
	if (!pindir_path(path, sizeof(path), pin_dir, ARXDP_MAP_TIER))
		bl->fd_tier = bpf_obj_get(path);
	/* Both hot maps and the tier counts, or none: a new block must find its tier in either
	 * family, and without the counts a spill to the big maps would stay unseen. */
	if ((bl->fd_hot4 < 0) != (bl->fd_hot6 < 0) || (bl->fd_hot4 >= 0 && bl->fd_tier < 0)) {
		pr_warn("pin directory '%s': '%s', '%s' and '%s' are not all pinned: writing to "
			"the big maps only",
			pin_dir, ARXDP_MAP_HOT4, ARXDP_MAP_HOT6, ARXDP_MAP_TIER);
		if (bl->fd_hot4 >= 0)
			close(bl->fd_hot4);
		if (bl->fd_hot6 >= 0)
			close(bl->fd_hot6);
		bl->fd_hot4 = bl->fd_hot6 = -1;
	}
	/* Mapped a page at a time until a second page is needed (blocklist_pf.c). */
	err = bl_finish_open(bl, false);
	if (err)
		goto fail;
	return 0;
fail:
	bl_close(bl);
	return err;
}

static int dup_opt(int fd)
{
	return fd >= 0 ? dup(fd) : -1;
}

int bl_open_fds(struct blocklist *bl, const struct bl_fds *f)
{
	int err;

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
	err = bl_finish_open(bl, true);
	if (err)
		bl_close(bl);
	return err;
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

/* Nested: a caller may hold the lock around many operations that each take it. */
int bl_lock(struct blocklist *bl)
{
	unsigned int ms = bl->lock_timeout_ms ?: PINDIR_LOCK_TIMEOUT_MS;
	int fd;

	if (bl->lock_depth++ > 0 || !bl->pin_dir[0])
		return 0;
	fd = pindir_lock_timeout(bl->pin_dir, ms, bl->lock_timed_out);
	if (fd < 0) {
		bl->lock_depth--;
		if (fd == -ETIMEDOUT)
			bl->lock_timed_out = true;
		return fd;
	}
	if (bl->lock_timed_out)
		pr_info("pin directory '%s': lock taken again", bl->pin_dir);
	bl->lock_timed_out = false;
	bl->lock_fd = fd;
	return 0;
}

void bl_unlock(struct blocklist *bl)
{
	if (bl->lock_depth <= 0 || --bl->lock_depth > 0)
		return;
	pindir_unlock(bl->lock_fd);
	bl->lock_fd = -1;
}

int bl_meta_adjust(struct blocklist *bl, enum bl_map m, int delta)
{
	struct arxdp_meta meta = {};
	__u32 zero = 0, *cnt;

	if (map_exact(m))
		return bl_tier_adjust(bl, m, delta);
	if (m != MAP_CIDR4 && m != MAP_CIDR6)
		return 0;
	if (bpf_map_lookup_elem(bl->fd_meta, &zero, &meta))
		return -errno;
	cnt = m == MAP_CIDR4 ? &meta.cidr4_entries : &meta.cidr6_entries;
	if (delta < 0 && *cnt < (__u32)-delta)
		*cnt = 0;
	else
		*cnt += delta;
	return bpf_map_update_elem(bl->fd_meta, &zero, &meta, BPF_ANY) ? -errno : 0;
}

int bl_report_write_error(struct blocklist *bl, enum bl_map m, const struct arxdp_addr *a, int err)
{
	char buf[ADDR_STRLEN];

	/* A full hash answers E2BIG, a full trie ENOSPC: one message, one code, and said once
	 * until the caller re-arms it (arxdpd: once per burst). */
	if (err == -E2BIG || err == -ENOSPC) {
		if (bl->full_reported)
			return -ENOSPC;
		bl->full_reported = true;
		pr_warn("map '%s': full (capacity %u): cannot block %s; raise <%s> in arxdp.conf "
			"and reload, or remove stale blocks",
			map_names[m], map_cap(bl, m), addr_format(a, buf, sizeof(buf)),
			cap_names[m]);
		return -ENOSPC;
	}
	pr_warn("map '%s': cannot block %s: %s", map_names[m], addr_format(a, buf, sizeof(buf)),
		strerror(-err));
	return err;
}

int bl_get(struct blocklist *bl, const struct arxdp_addr *a, struct arxdp_block *v)
{
	enum bl_map where;

	return bl_locate(bl, a, v, &where);
}

int bl_put(struct blocklist *bl, const struct arxdp_addr *a, const struct arxdp_block *v)
{
	struct arxdp_block old;
	enum bl_map where = MAP_NUM;

	if (bl_locate(bl, a, &old, &where))
		where = MAP_NUM;
	return bl_write(bl, a, v, where);
}

void bl_merge_block(struct arxdp_block *v, const struct arxdp_block *old, bool live,
		    uint32_t timeout_s, const struct bl_reason *why, uint64_t now_mono,
		    uint64_t now_wall, enum bl_result *res)
{
	uint64_t expires = timeout_s ? now_mono + (uint64_t)timeout_s * NSEC_PER_SEC : 0;
	bool keep;

	memset(v, 0, sizeof(*v));
	if (live) {
		/* The drop counts ride along: an extension is the same block. */
		*v = *old;
		v->offenses++;
		*res = BL_EXTENDED;
	} else {
		v->added_ns = now_wall;
		v->offenses = 1;
		*res = BL_NEW;
	}
	/* Like execd, the newest add restarts the timer; a permanent block stays permanent. */
	keep = live && !old->expires_ns;
	/*
	 * An execd key's write is a floor: the block may be held by another key's timer, or
	 * by a longer block it extends, and execd deletes it when its own timer ends anyway.
	 */
	if (live && why && why->keys && expires && expires < old->expires_ns)
		keep = true;
	if (!keep) {
		v->timeout_s = timeout_s;
		v->expires_ns = expires;
	}
	/* The newest reason wins, but an add without one keeps the reason it extends. */
	if (why && (why->rule_id || !live)) {
		v->rule_id = why->rule_id;
		v->level = why->level;
	}
	if (why) {
		v->origin = why->origin;
		v->keys |= why->keys;
	}
	if (why && why->seq)
		v->seq = why->seq;
}

static int block_one(struct blocklist *bl, const struct arxdp_addr *a, uint32_t timeout_s,
		     const struct bl_reason *why, bool only_live, enum bl_result *res,
		     struct arxdp_block *out)
{
	uint64_t now = mono_now_ns(), wall = wall_now_ns();
	struct arxdp_block old, v;
	enum bl_map where = MAP_NUM;
	enum bl_result r;
	char buf[ADDR_STRLEN];
	const char *reason;
	bool found, live;
	int err;

	err = bl_check_allowed(bl, a, &reason);
	if (err) {
		pr_warn("block '%s': refused: %s", addr_format(a, buf, sizeof(buf)), reason);
		return err;
	}
	err = bl_lock(bl);
	if (err)
		return err;
	if (addr_is_exact(a) && !only_live) {
		/* Most blocks of a burst are new addresses: one write that fails when the address
		 * is there already replaces a lookup before every write. */
		bl_merge_block(&v, NULL, false, timeout_s, why, now, wall, &r);
		err = bl_write(bl, a, &v, MAP_NUM);
		if (err != -EEXIST) {
			bl_unlock(bl);
			goto done;
		}
	}
	found = bl_locate(bl, a, &old, &where) == 0;
	live = found && !bl_expired(&old, now);
	if (only_live && !live) {
		bl_unlock(bl);
		return -ENOENT;
	}
	/* Expired or not: an entry already written by this alert means it was applied. */
	if (found && why && why->seq && old.seq >= why->seq) {
		bl_unlock(bl);
		if (res)
			*res = BL_DUPLICATE;
		if (out)
			*out = old;
		return 0;
	}
	bl_merge_block(&v, &old, live, timeout_s, why, now, wall, &r);
	err = bl_write(bl, a, &v, found ? where : MAP_NUM);
	bl_unlock(bl);
done:
	if (err)
		return err;
	if (res)
		*res = r;
	if (out)
		*out = v;
	return 0;
}

int bl_block(struct blocklist *bl, const struct arxdp_addr *a, uint32_t timeout_s,
	     const struct bl_reason *why, enum bl_result *res, struct arxdp_block *out)
{
	return block_one(bl, a, timeout_s, why, false, res, out);
}

int bl_repeat(struct blocklist *bl, const struct arxdp_addr *a, uint32_t timeout_s,
	      const struct bl_reason *why, struct arxdp_block *out)
{
	return block_one(bl, a, timeout_s, why, true, NULL, out);
}

/* The caller holds the lock and has just found the entry in map where. */
static int delete_locked(struct blocklist *bl, const struct arxdp_addr *a, enum bl_map where)
{
	union bl_key k;

	key_of(a, where, &k);
	return bl_delete_at(bl, where, &k);
}

int bl_unblock(struct blocklist *bl, const struct arxdp_addr *a)
{
	struct arxdp_block v;
	enum bl_map where;
	int err;

	err = bl_lock(bl);
	if (err)
		return err;
	err = bl_locate(bl, a, &v, &where);
	if (!err)
		err = delete_locked(bl, a, where);
	bl_unlock(bl);
	return err;
}

int bl_unblock_key(struct blocklist *bl, const struct arxdp_addr *a, uint8_t key, bool *kept)
{
	struct arxdp_block v;
	enum bl_map where;
	int err;

	if (kept)
		*kept = false;
	err = bl_lock(bl);
	if (err)
		return err;
	err = bl_locate(bl, a, &v, &where);
	if (err)
		goto out;
	if ((v.keys & ~key) && !bl_expired(&v, mono_now_ns())) {
		v.keys &= ~key;
		err = bl_write(bl, a, &v, where);
		if (!err && kept)
			*kept = true;
		goto out;
	}
	err = delete_locked(bl, a, where);
out:
	bl_unlock(bl);
	return err;
}

int bl_meta(struct blocklist *bl, struct arxdp_meta *out)
{
	__u32 zero = 0;

	memset(out, 0, sizeof(*out));
	if (bl->fd_meta < 0)
		return -ENOENT;
	return bpf_map_lookup_elem(bl->fd_meta, &zero, out) ? -errno : 0;
}

int bl_map_id(struct blocklist *bl, uint32_t *id)
{
	struct bpf_map_info info;
	int err = bl->fd_block4 < 0 ? -EBADF : map_info(bl->fd_block4, &info);

	*id = err ? 0 : info.id;
	return err;
}

int bl_repin(struct blocklist *bl, int prog_fd, int *repinned)
{
	const int fds[] = { bl->fd_block4, bl->fd_block6, bl->fd_cidr4,	    bl->fd_cidr6,
			    bl->fd_stats,  bl->fd_meta,	  bl->fd_prefilter, bl->fd_pfcount,
			    bl->fd_hot4,   bl->fd_hot6,	  bl->fd_tier,	    prog_fd };
	const char *const names[] = { ARXDP_MAP_BLOCK4,	   ARXDP_MAP_BLOCK6,  ARXDP_MAP_CIDR4,
				      ARXDP_MAP_CIDR6,	   ARXDP_MAP_STATS,   ARXDP_MAP_META,
				      ARXDP_MAP_PREFILTER, ARXDP_MAP_PFCOUNT, ARXDP_MAP_HOT4,
				      ARXDP_MAP_HOT6,	   ARXDP_MAP_TIER,    ARXDP_PIN_PROG };
	char path[PATH_MAX], parent[PATH_MAX], *slash;
	struct statfs sf;
	size_t i;
	int err = 0;

	*repinned = 0;
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
		if (mkdir(bl->pin_dir, 0700) && errno != EEXIST)
			return -errno;
		if (bpf_obj_pin(fds[i], path)) {
			err = -errno;
			continue;
		}
		(*repinned)++;
	}
	return err;
}
