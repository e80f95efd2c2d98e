// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the typed operations on the pinned block maps (see blocklist.h).
 * Exact addresses live in the per-family hashes, prefixes in the per-family tries; the
 * "meta" map tells the program whether a trie holds anything, so it is kept exact here,
 * under the pin-directory lock, on every insert and delete of a prefix.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "blocklist.h"
#include "log.h"
#include "pindir.h"
#include "util.h"

#define BATCH 4096

/* Any key of the four block maps. */
union bl_key {
	__u32 v4;
	__u8 v6[16];
	struct arxdp_lpm4 lpm4;
	struct arxdp_lpm6 lpm6;
};

enum bl_map {
	MAP_BLOCK4 = 0,
	MAP_BLOCK6,
	MAP_CIDR4,
	MAP_CIDR6,
	MAP_NUM,
};

static const char *const map_names[MAP_NUM] = {
	ARXDP_MAP_BLOCK4,
	ARXDP_MAP_BLOCK6,
	ARXDP_MAP_CIDR4,
	ARXDP_MAP_CIDR6,
};
static const char *const cap_names[MAP_NUM] = {
	"capacity_v4",
	"capacity_v6",
	"cidr_capacity",
	"cidr_capacity",
};

static const size_t key_sizes[MAP_NUM] = {
	sizeof(__u32),
	16,
	sizeof(struct arxdp_lpm4),
	sizeof(struct arxdp_lpm6),
};

static int map_fd(const struct blocklist *bl, enum bl_map m)
{
	const int fds[MAP_NUM] = { bl->fd_block4, bl->fd_block6, bl->fd_cidr4, bl->fd_cidr6 };

	return fds[m];
}

static uint32_t map_cap(const struct blocklist *bl, enum bl_map m)
{
	const uint32_t caps[MAP_NUM] = { bl->cap_block4, bl->cap_block6, bl->cap_cidr4,
					 bl->cap_cidr6 };

	return caps[m];
}

static enum bl_map map_of(const struct arxdp_addr *a)
{
	if (a->family == 4)
		return addr_is_exact(a) ? MAP_BLOCK4 : MAP_CIDR4;
	return addr_is_exact(a) ? MAP_BLOCK6 : MAP_CIDR6;
}

static void key_of(const struct arxdp_addr *a, enum bl_map m, union bl_key *k)
{
	memset(k, 0, sizeof(*k));
	switch (m) {
	case MAP_BLOCK4:
		memcpy(&k->v4, a->a, 4);
		break;
	case MAP_BLOCK6:
		memcpy(k->v6, a->a, 16);
		break;
	case MAP_CIDR4:
		k->lpm4.prefixlen = a->prefixlen;
		memcpy(&k->lpm4.addr, a->a, 4);
		break;
	default:
		k->lpm6.prefixlen = a->prefixlen;
		memcpy(k->lpm6.addr, a->a, 16);
		break;
	}
}

static void addr_of(const union bl_key *k, enum bl_map m, struct arxdp_addr *a)
{
	memset(a, 0, sizeof(*a));
	switch (m) {
	case MAP_BLOCK4:
		a->family = 4;
		a->prefixlen = 32;
		memcpy(a->a, &k->v4, 4);
		break;
	case MAP_BLOCK6:
		a->family = 6;
		a->prefixlen = 128;
		memcpy(a->a, k->v6, 16);
		break;
	case MAP_CIDR4:
		a->family = 4;
		a->prefixlen = k->lpm4.prefixlen;
		memcpy(a->a, &k->lpm4.addr, 4);
		break;
	default:
		a->family = 6;
		a->prefixlen = k->lpm6.prefixlen;
		memcpy(a->a, k->lpm6.addr, 16);
		break;
	}
}

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

int bl_host_addrs(struct arxdp_addr **out, size_t *n)
{
	struct arxdp_addr *list = NULL, *tmp, a;
	struct ifaddrs *ifa, *i;
	size_t cnt = 0;

	if (getifaddrs(&ifa))
		return -errno;
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr)
			continue;
		memset(&a, 0, sizeof(a));
		if (i->ifa_addr->sa_family == AF_INET) {
			a.family = 4;
			a.prefixlen = 32;
			memcpy(a.a, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			a.family = 6;
			a.prefixlen = 128;
			memcpy(a.a, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, 16);
		} else {
			continue;
		}
		tmp = realloc(list, (cnt + 1) * sizeof(*list));
		if (!tmp) {
			free(list);
			freeifaddrs(ifa);
			return -ENOMEM;
		}
		list = tmp;
		list[cnt++] = a;
	}
	freeifaddrs(ifa);
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

static int map_capacity(int fd, uint32_t *cap)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*cap = info.max_entries;
	return 0;
}

static void bl_init(struct blocklist *bl)
{
	memset(bl, 0, sizeof(*bl));
	bl->fd_block4 = bl->fd_block6 = bl->fd_cidr4 = bl->fd_cidr6 = -1;
	bl->fd_stats = bl->fd_meta = -1;
	bl->lock_fd = -1;
}

static int bl_finish_open(struct blocklist *bl)
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
	err = bl_finish_open(bl);
	if (err)
		goto fail;
	return 0;
fail:
	bl_close(bl);
	return err;
}

int bl_open_fds(struct blocklist *bl, int block4, int block6, int cidr4, int cidr6, int stats,
		int meta)
{
	int err;

	bl_init(bl);
	bl->fd_block4 = dup(block4);
	bl->fd_block6 = dup(block6);
	bl->fd_cidr4 = dup(cidr4);
	bl->fd_cidr6 = dup(cidr6);
	bl->fd_stats = dup(stats);
	bl->fd_meta = dup(meta);
	err = bl_finish_open(bl);
	if (err)
		bl_close(bl);
	return err;
}

void bl_close(struct blocklist *bl)
{
	int *fds[] = { &bl->fd_block4, &bl->fd_block6, &bl->fd_cidr4,
		       &bl->fd_cidr6,  &bl->fd_stats,  &bl->fd_meta };
	size_t i;

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

static int meta_adjust(struct blocklist *bl, enum bl_map m, int delta)
{
	struct arxdp_meta meta = {};
	__u32 zero = 0, *cnt;

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

static int report_write_error(struct blocklist *bl, enum bl_map m, const struct arxdp_addr *a,
			      int err)
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
	enum bl_map m = map_of(a);
	union bl_key k;

	key_of(a, m, &k);
	/* A trie lookup is longest-prefix: ask for the exact key by its own prefix length,
	 * then make sure the answer is that prefix and not a shorter one. */
	if (bpf_map_lookup_elem(map_fd(bl, m), &k, v))
		return -errno;
	if ((m == MAP_CIDR4 || m == MAP_CIDR6) && v->prefixlen != a->prefixlen)
		return -ENOENT;
	return 0;
}

/*
 * existed: whether a is in its map now (CIDR bookkeeping counts entries). flags BPF_NOEXIST
 * answers -EEXIST, unreported, when it is.
 */
static int put(struct blocklist *bl, const struct arxdp_addr *a, const struct arxdp_block *v,
	       bool existed, __u64 flags)
{
	enum bl_map m = map_of(a);
	struct arxdp_block nv = *v;
	union bl_key k;

	nv.prefixlen = a->prefixlen;
	key_of(a, m, &k);
	if (bpf_map_update_elem(map_fd(bl, m), &k, &nv, flags))
		return errno == EEXIST && flags == BPF_NOEXIST ?
			       -EEXIST :
			       report_write_error(bl, m, a, -errno);
	return existed ? 0 : meta_adjust(bl, m, 1);
}

int bl_put(struct blocklist *bl, const struct arxdp_addr *a, const struct arxdp_block *v)
{
	struct arxdp_block old;

	return put(bl, a, v, bl_get(bl, a, &old) == 0, BPF_ANY);
}

static void merge_block(struct arxdp_block *v, const struct arxdp_block *old, bool live,
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
		merge_block(&v, NULL, false, timeout_s, why, now, wall, &r);
		err = put(bl, a, &v, false, BPF_NOEXIST);
		if (err != -EEXIST) {
			bl_unlock(bl);
			goto done;
		}
	}
	found = bl_get(bl, a, &old) == 0;
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
	merge_block(&v, &old, live, timeout_s, why, now, wall, &r);
	err = put(bl, a, &v, found, BPF_ANY);
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

/* The caller holds the lock and has just read the entry. */
static int delete_locked(struct blocklist *bl, const struct arxdp_addr *a)
{
	enum bl_map m = map_of(a);
	union bl_key k;

	key_of(a, m, &k);
	if (bpf_map_delete_elem(map_fd(bl, m), &k))
		return -errno;
	return meta_adjust(bl, m, -1);
}

int bl_unblock(struct blocklist *bl, const struct arxdp_addr *a)
{
	struct arxdp_block v;
	int err;

	err = bl_lock(bl);
	if (err)
		return err;
	err = bl_get(bl, a, &v);
	if (!err)
		err = delete_locked(bl, a);
	bl_unlock(bl);
	return err;
}

int bl_unblock_key(struct blocklist *bl, const struct arxdp_addr *a, uint8_t key, bool *kept)
{
	struct arxdp_block v;
	int err;

	if (kept)
		*kept = false;
	err = bl_lock(bl);
	if (err)
		return err;
	err = bl_get(bl, a, &v);
	if (err)
		goto out;
	if ((v.keys & ~key) && !bl_expired(&v, mono_now_ns())) {
		v.keys &= ~key;
		err = put(bl, a, &v, true, BPF_ANY);
		if (!err && kept)
			*kept = true;
		goto out;
	}
	err = delete_locked(bl, a);
out:
	bl_unlock(bl);
	return err;
}

int bl_counters(struct blocklist *bl, const struct arxdp_addr *a, struct arxdp_counter *sum)
{
	struct arxdp_block v;
	int err = bl_get(bl, a, &v);

	memset(sum, 0, sizeof(*sum));
	if (err)
		return err == -ENOENT ? 0 : err;
	sum->packets = v.packets;
	sum->bytes = v.bytes;
	return 0;
}

/*
 * Reads every interface row of the per-CPU counter array with batched lookups and hands each
 * row (summed over CPUs) to cb. Rows that never counted anything are skipped.
 */
static int read_rows(struct blocklist *bl,
		     void (*cb)(uint32_t ifindex, const struct arxdp_counter row[ARXDP_STAT_MAX],
				void *ctx),
		     void *ctx)
{
	const __u32 total = ARXDP_MAX_IFINDEX * ARXDP_STAT_MAX, chunk = 16 * ARXDP_STAT_MAX;
	struct arxdp_counter row[ARXDP_STAT_MAX], *vals;
	__u32 *keys, in = 0, out_batch, cnt, i, start = 0;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	bool first = true, done = false;
	int c, err = 0;

	keys = calloc(chunk, sizeof(*keys));
	vals = calloc((size_t)chunk * bl->ncpus, sizeof(*vals));
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	while (!done && start < total) {
		cnt = chunk;
		if (bpf_map_lookup_batch(bl->fd_stats, first ? NULL : &in, &out_batch, keys, vals,
					 &cnt, &opts)) {
			if (errno != ENOENT) {
				err = -errno;
				goto out;
			}
			done = true;
		}
		first = false;
		in = out_batch;
		/* Chunks hold whole rows: chunk is a multiple of the row length. */
		for (i = 0; i + ARXDP_STAT_MAX <= cnt; i += ARXDP_STAT_MAX) {
			bool any = false;
			__u32 k;

			memset(row, 0, sizeof(row));
			for (k = 0; k < ARXDP_STAT_MAX; k++) {
				for (c = 0; c < bl->ncpus; c++) {
					const struct arxdp_counter *v =
						&vals[(size_t)(i + k) * bl->ncpus + c];

					row[k].packets += v->packets;
					row[k].bytes += v->bytes;
				}
				any |= row[k].packets != 0;
			}
			if (any)
				cb(keys[i] / ARXDP_STAT_MAX, row, ctx);
		}
		start += cnt;
	}
out:
	free(keys);
	free(vals);
	return err;
}

static void sum_row(uint32_t ifindex, const struct arxdp_counter row[ARXDP_STAT_MAX], void *ctx)
{
	struct arxdp_counter *out = ctx;
	int k;

	for (k = 0; k < ARXDP_STAT_MAX; k++) {
		out[k].packets += row[k].packets;
		out[k].bytes += row[k].bytes;
	}
}

int bl_stats(struct blocklist *bl, struct arxdp_counter out[ARXDP_STAT_MAX])
{
	memset(out, 0, sizeof(out[0]) * ARXDP_STAT_MAX);
	return read_rows(bl, sum_row, out);
}

int bl_stats_ifaces(struct blocklist *bl,
		    void (*cb)(uint32_t ifindex, const struct arxdp_counter row[ARXDP_STAT_MAX],
			       void *ctx),
		    void *ctx)
{
	return read_rows(bl, cb, ctx);
}

/*
 * Reads a chunk of a map: the batch API for hashes, key by key for tries (which have none).
 * *cursor carries the position; *done is set at the end of the map.
 */
struct chunk_cursor {
	bool started;
	__u32 token; /* hash batch position */
	union bl_key last; /* trie position */
};

static int read_chunk(const struct blocklist *bl, enum bl_map m, struct chunk_cursor *c,
		      union bl_key *keys, struct arxdp_block *vals, __u32 max, __u32 *got,
		      bool *done)
{
	int fd = map_fd(bl, m), err;
	__u32 n = 0;

	*done = false;
	if (m == MAP_BLOCK4 || m == MAP_BLOCK6) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts);
		__u8 kbuf[BATCH * 16];
		__u32 i, cnt = max < BATCH ? max : BATCH;

		err = bpf_map_lookup_batch(fd, c->started ? &c->token : NULL, &c->token, kbuf, vals,
					   &cnt, &opts);
		c->started = true;
		if (err && errno != ENOENT)
			return -errno;
		if (err)
			*done = true;
		for (i = 0; i < cnt; i++)
			memcpy(&keys[i], kbuf + i * key_sizes[m], key_sizes[m]);
		*got = cnt;
		return 0;
	}
	while (n < max) {
		union bl_key next;

		memset(&next, 0, sizeof(next));
		if (bpf_map_get_next_key(fd, c->started ? &c->last : NULL, &next)) {
			if (errno != ENOENT)
				return -errno;
			*done = true;
			break;
		}
		c->started = true;
		c->last = next;
		if (bpf_map_lookup_elem(fd, &next, &vals[n]))
			continue; /* deleted meanwhile */
		keys[n++] = next;
	}
	*got = n;
	return 0;
}

/* Reads all four maps chunk by chunk, calling cb per chunk; a non-zero cb return stops. */
static int walk(struct blocklist *bl,
		int (*cb)(enum bl_map m, const union bl_key *keys, const struct arxdp_block *vals,
			  __u32 n, void *ctx),
		void *ctx)
{
	struct arxdp_block *vals = NULL;
	union bl_key *keys = NULL;
	int m, err = 0;
	__u32 got;

	keys = calloc(BATCH, sizeof(*keys));
	vals = calloc(BATCH, sizeof(*vals));
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (m = 0; m < MAP_NUM; m++) {
		struct chunk_cursor c = {};
		bool done = false;

		while (!done) {
			err = read_chunk(bl, m, &c, keys, vals, BATCH, &got, &done);
			if (err) {
				pr_warn("map '%s': read failed: %s", map_names[m], strerror(-err));
				goto out;
			}
			err = cb(m, keys, vals, got, ctx);
			if (err)
				goto out;
		}
	}
out:
	free(keys);
	free(vals);
	return err;
}

struct foreach_ctx {
	struct blocklist *bl;
	int (*cb)(const struct bl_entry *e, void *ctx);
	void *ctx;
};

static int foreach_chunk(enum bl_map m, const union bl_key *keys, const struct arxdp_block *vals,
			 __u32 n, void *vctx)
{
	struct foreach_ctx *fc = vctx;
	struct bl_entry e;
	__u32 i;
	int err;

	for (i = 0; i < n; i++) {
		addr_of(&keys[i], m, &e.addr);
		e.v = vals[i];
		e.dropped.packets = e.v.packets;
		e.dropped.bytes = e.v.bytes;
		err = fc->cb(&e, fc->ctx);
		if (err)
			return err;
	}
	return 0;
}

int bl_foreach(struct blocklist *bl, int (*cb)(const struct bl_entry *e, void *ctx), void *ctx)
{
	struct foreach_ctx fc = { bl, cb, ctx };

	return walk(bl, foreach_chunk, &fc);
}

static int delete_entry(struct blocklist *bl, enum bl_map m, const union bl_key *k)
{
	if (bpf_map_delete_elem(map_fd(bl, m), k))
		return errno == ENOENT ? 0 : -errno;
	return meta_adjust(bl, m, -1);
}

/*
 * Between two slices the lock is left free for as long as the slice held it (0.1 to 10 ms):
 * the other writers poll for it (pindir_lock_timeout) and must find it free now and then,
 * or a long flush would starve them past their deadline.
 */
static void flush_pause(uint64_t held_ns)
{
	struct timespec ts = { 0, 100000 };

	if (held_ns > (uint64_t)ts.tv_nsec)
		ts.tv_nsec = held_ns < 10000000 ? (long)held_ns : 10000000;
	nanosleep(&ts, NULL);
}

int bl_flush(struct blocklist *bl, uint64_t *removed)
{
	struct arxdp_block *vals = NULL;
	union bl_key *keys = NULL;
	uint64_t total = 0, t0;
	bool locked = false;
	int m, err = 0;
	__u32 i, got;

	keys = calloc(BL_FLUSH_SLICE, sizeof(*keys));
	vals = calloc(BL_FLUSH_SLICE, sizeof(*vals));
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (m = 0; m < MAP_NUM; m++) {
		/* Deleting while walking would reshuffle the walk: restart from the top after
		 * each slice; every slice removes what it read, so it ends. */
		for (;;) {
			struct chunk_cursor c = {};
			bool done;

			err = bl_lock(bl);
			if (err)
				goto out;
			locked = true;
			t0 = mono_now_ns();
			err = read_chunk(bl, m, &c, keys, vals, BL_FLUSH_SLICE, &got, &done);
			if (err)
				goto out;
			for (i = 0; i < got; i++) {
				err = delete_entry(bl, m, &keys[i]);
				if (err)
					goto out;
				total++;
			}
			bl_unlock(bl);
			locked = false;
			if (!got)
				break;
			flush_pause(mono_now_ns() - t0);
		}
	}
out:
	if (locked)
		bl_unlock(bl);
	if (removed)
		*removed = total;
	free(keys);
	free(vals);
	return err;
}

/* Where the incremental sweep stopped: the next call goes on from there. */
struct sweep_cursor {
	int map;
	struct chunk_cursor c;
};

int bl_sweep(struct blocklist *bl, uint64_t now, uint32_t budget,
	     void (*cb)(const struct bl_entry *e, void *ctx), void *ctx, uint32_t *swept)
{
	struct arxdp_block *vals = NULL;
	union bl_key *keys = NULL;
	struct sweep_cursor *cur;
	uint32_t n = 0, scanned = 0;
	bool locked = false;
	struct bl_entry e;
	int err = 0;
	__u32 i, got;

	if (!bl->sweep) {
		bl->sweep = calloc(1, sizeof(struct sweep_cursor));
		if (!bl->sweep)
			return -ENOMEM;
	}
	cur = bl->sweep;
	/* An unbounded call is a full pass: from the top, whatever an earlier call left. */
	if (budget == UINT32_MAX)
		memset(cur, 0, sizeof(*cur));
	keys = calloc(BATCH, sizeof(*keys));
	vals = calloc(BATCH, sizeof(*vals));
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	while (scanned < budget) {
		bool done = false;
		__u32 want = budget - scanned < BATCH ? budget - scanned : BATCH;

		err = read_chunk(bl, cur->map, &cur->c, keys, vals, want, &got, &done);
		if (err)
			goto out;
		scanned += got;
		/* The lock is held per chunk, not per scan: writers wait microseconds. */
		for (i = 0; i < got; i++) {
			if (!bl_expired(&vals[i], now))
				continue;
			if (!locked) {
				err = bl_lock(bl);
				if (err)
					goto out;
				locked = true;
			}
			addr_of(&keys[i], cur->map, &e.addr);
			/* Re-check under the lock: a writer may have renewed it. */
			if (bl_get(bl, &e.addr, &e.v) || !bl_expired(&e.v, now))
				continue;
			e.dropped.packets = e.v.packets;
			e.dropped.bytes = e.v.bytes;
			if (cb)
				cb(&e, ctx);
			err = delete_entry(bl, cur->map, &keys[i]);
			if (err)
				goto out;
			n++;
		}
		if (locked)
			bl_unlock(bl);
		locked = false;
		if (done) {
			memset(&cur->c, 0, sizeof(cur->c));
			if (++cur->map == MAP_NUM) {
				cur->map = 0;
				break; /* wrapped: one full pass at most per call */
			}
		}
	}
out:
	if (swept)
		*swept = n;
	free(keys);
	free(vals);
	if (locked)
		bl_unlock(bl);
	return err;
}

static int fill_chunk(enum bl_map m, const union bl_key *keys, const struct arxdp_block *vals,
		      __u32 n, void *ctx)
{
	struct bl_fill *f = ctx;
	uint64_t *dst[MAP_NUM] = { &f->block4, &f->block6, &f->cidr4, &f->cidr6 };

	*dst[m] += n;
	return 0;
}

int bl_fill(struct blocklist *bl, struct bl_fill *f)
{
	memset(f, 0, sizeof(*f));
	return walk(bl, fill_chunk, f);
}

int bl_block_many(struct blocklist *bl, const struct bl_item *items, int n,
		  const struct bl_reason *why, int *errs, uint64_t *loaded)
{
	uint64_t now = mono_now_ns(), wall = wall_now_ns();
	struct arxdp_block *vals[2] = {}, old;
	__u8 *keys[2] = {};
	int *idx[2] = {};
	__u32 cnt[2] = {};
	int i, f, err = 0;
	enum bl_result r;
	const char *reason;

	*loaded = 0;
	for (f = 0; f < 2; f++) {
		keys[f] = calloc(n ?: 1, 16);
		vals[f] = calloc(n ?: 1, sizeof(struct arxdp_block));
		idx[f] = calloc(n ?: 1, sizeof(int));
		if (!keys[f] || !vals[f] || !idx[f]) {
			err = -ENOMEM;
			goto out;
		}
	}
	err = bl_lock(bl);
	if (err)
		goto out;
	for (i = 0; i < n; i++) {
		const struct arxdp_addr *a = &items[i].addr;
		struct arxdp_block v;
		bool found, live;

		errs[i] = bl_check_allowed(bl, a, &reason);
		if (errs[i])
			continue;
		found = bl_get(bl, a, &old) == 0;
		live = found && !bl_expired(&old, now);
		merge_block(&v, &old, live, items[i].timeout_s, why, now, wall, &r);
		v.prefixlen = a->prefixlen;
		if (!addr_is_exact(a)) {
			/* Tries have no batch update; prefixes are few. */
			errs[i] = put(bl, a, &v, found, BPF_ANY);
			if (!errs[i])
				(*loaded)++;
			continue;
		}
		f = a->family == 4 ? 0 : 1;
		memcpy(keys[f] + cnt[f] * (f ? 16 : 4), a->a, f ? 16 : 4);
		vals[f][cnt[f]] = v;
		idx[f][cnt[f]++] = i;
	}
	for (f = 0; f < 2; f++) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts);
		int fd = f ? bl->fd_block6 : bl->fd_block4;
		__u32 done = 0;

		while (done < cnt[f]) {
			__u32 c = cnt[f] - done;

			if (c > BATCH * 16)
				c = BATCH * 16;
			if (bpf_map_update_batch(fd, keys[f] + done * (f ? 16 : 4), vals[f] + done,
						 &c, &opts)) {
				int e = -errno;
				struct arxdp_addr a = items[idx[f][done + c]].addr;
				__u32 j;

				/* c entries went in before the failure; the rest did not. */
				for (j = done + c; j < cnt[f]; j++)
					errs[idx[f][j]] = e == -E2BIG ? -ENOSPC : e;
				*loaded += c;
				report_write_error(bl, f ? MAP_BLOCK6 : MAP_BLOCK4, &a, e);
				break;
			}
			done += c;
			*loaded += c;
		}
	}
	bl_unlock(bl);
out:
	for (f = 0; f < 2; f++) {
		free(keys[f]);
		free(vals[f]);
		free(idx[f]);
	}
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
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	*id = 0;
	if (bl->fd_block4 < 0)
		return -EBADF;
	if (bpf_obj_get_info_by_fd(bl->fd_block4, &info, &len))
		return -errno;
	*id = info.id;
	return 0;
}
