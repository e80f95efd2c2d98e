// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the blocklist's two tiers of exact blocks (ARXDP_HOT_CAPACITY in
 * arxdp.h): where an entry lives, its writes and deletes, and the bulk load. The rules, kept
 * under the pin-directory lock by every writer: an entry is updated where it lives (hot, else
 * big); a new one goes to the hot map while it has room, else to the big one; a delete removes
 * it from where it is; a key is never in both (a new write looks in the big map first); the
 * two together hold at most the configured capacity (the big map's). The tier map counts each
 * map's entries, up before an insert, down after a delete, so the program (which skips a big
 * map at 0) never misses a block. A pin set older than the hot tier has none of its maps:
 * every exact block then goes to the big maps, as before.
 *
 * System calls (about 1 us each here, the largest part of a block write): under one lock hold
 * the counts are read once (struct bl_cache), a burst writes a hot count ahead of its inserts
 * and keeps deletes' uncounts back until the last bl_unlock() writes the exact counts, a big
 * map counted empty is not looked into, and a hot map counted full is not counted for an
 * insert it would refuse. A burst of new blocks in the daemon thus costs a hot lookup and the
 * insert per block (7 calls before); counts written ahead are what an interrupted writer may
 * leave anyway: high, never low (tests/bpf/test_tier.c, one_hold_keeps_counts).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "blocklist_int.h"
#include "log.h"
#include "util.h"

/* The count of map m (exact, either tier) in t. */
static __u32 *tier_field(struct arxdp_tier *t, enum bl_map m)
{
	switch (m) {
	case MAP_BLOCK4:
		return &t->big4_entries;
	case MAP_BLOCK6:
		return &t->big6_entries;
	case MAP_HOT4:
		return &t->hot4_entries;
	default:
		return &t->hot6_entries;
	}
}

/* The tier counts: read once per lock hold, written through (struct bl_cache). */
static int tier_get(struct blocklist *bl, struct arxdp_tier *t)
{
	__u32 zero = 0;

	memset(t, 0, sizeof(*t));
	if (bl->fd_tier < 0)
		return 0;
	if (bl_cache_on(bl) && bl->cache.tier_ok) {
		*t = bl->cache.tier;
		return 0;
	}
	if (bpf_map_lookup_elem(bl->fd_tier, &zero, t))
		return -errno;
	bl->cache.tier = *t;
	bl->cache.tier_ok = bl_cache_on(bl);
	return 0;
}

/* Writes t, the exact counts, with the hot counts as far ahead as this burst raised them. */
static int tier_put(struct blocklist *bl, const struct arxdp_tier *t)
{
	__u32 zero = 0, *ahead = bl->cache.tier_ahead;
	struct arxdp_tier w = *t;

	if (bl->fd_tier < 0)
		return 0;
	if (!bl_cache_on(bl) || !bl->cache.tier_ok)
		ahead[0] = ahead[1] = 0;
	w.hot4_entries += ahead[0];
	w.hot6_entries += ahead[1];
	if (bpf_map_update_elem(bl->fd_tier, &zero, &w, BPF_ANY)) {
		bl->cache.tier_ok = false;
		ahead[0] = ahead[1] = 0;
		return -errno;
	}
	bl->cache.tier = *t;
	bl->cache.tier_ok = bl_cache_on(bl);
	return 0;
}

/*
 * Map m's count in t (as read), delta more or fewer, written. A burst (a second hot insert
 * counted in one lock hold) writes a hot count BL_AHEAD ahead, within the hot map's and the
 * family's capacity, so the next inserts are counted already, and keeps a hot delete's
 * uncount back: one tier write then serves many blocks, and a count the map holds is never
 * below the entries (what the program and every later writer rely on).
 */
static int tier_bump(struct blocklist *bl, struct arxdp_tier *t, enum bl_map m, int delta)
{
	__u32 *cnt = tier_field(t, m), *ahead = &bl->cache.tier_ahead[m == MAP_HOT6];
	bool burst = map_is_hot(m) && bl_cache_on(bl) && bl->cache.tier_ok;
	uint64_t used, cap;

	if (burst && delta == 1 && *ahead) {
		(*ahead)--;
		(*cnt)++;
		bl->cache.tier = *t;
		return 0;
	}
	if (burst && delta == -1 && *cnt && *ahead < BL_AHEAD) {
		(*ahead)++;
		(*cnt)--;
		bl->cache.tier = *t;
		return 0;
	}
	if (delta < 0 && *cnt < (__u32)-delta)
		*cnt = 0;
	else
		*cnt += delta;
	if (burst && delta == 1 && bl->cache.hot_new++) {
		used = (uint64_t)*tier_field(t, map_base(m)) + *cnt;
		cap = map_cap(bl, map_base(m));
		*ahead = BL_AHEAD;
		if (*cnt + (uint64_t)*ahead > map_cap(bl, m))
			*ahead = *cnt < map_cap(bl, m) ? map_cap(bl, m) - *cnt : 0;
		if (used + *ahead > cap)
			*ahead = used < cap ? (__u32)(cap - used) : 0;
	}
	return tier_put(bl, t);
}

void bl_cache_flush(struct blocklist *bl)
{
	struct arxdp_tier t = bl->cache.tier;

	if (bl_cache_on(bl) && bl->cache.tier_ok &&
	    (bl->cache.tier_ahead[0] || bl->cache.tier_ahead[1])) {
		bl->cache.tier_ahead[0] = bl->cache.tier_ahead[1] = 0;
		if (tier_put(bl, &t))
			pr_debug("map '%s': exact counts not written back: they stay high",
				 ARXDP_MAP_TIER);
	}
	bl_pf_flush(bl);
}

/* Big map m holds nothing by its count: never low (up before an insert, down after a delete). */
static bool big_empty(struct blocklist *bl, enum bl_map m, const struct arxdp_tier *t)
{
	struct arxdp_tier c = *t;

	return bl->fd_tier >= 0 && !*tier_field(&c, m);
}

int bl_locate(struct blocklist *bl, const struct arxdp_addr *a, struct arxdp_block *v,
	      enum bl_map *where)
{
	enum bl_map m = map_of(a);
	struct arxdp_tier t;
	struct arxdp_hot h;
	union bl_key k;

	key_of(a, m, &k);
	if (map_exact(m) && map_fd(bl, map_hot(m)) >= 0) {
		if (!bpf_map_lookup_elem(map_fd(bl, map_hot(m)), &k, &h)) {
			block_of(&h, v);
			*where = map_hot(m);
			return 0;
		}
		/* Under the lock the counts are read once for the writes that follow: a big map
		 * counted empty is not looked into (the program skips it too). */
		if (bl_cache_on(bl) && !tier_get(bl, &t) && big_empty(bl, m, &t))
			return -ENOENT;
	}
	/* A trie lookup is longest-prefix: ask for the exact key by its own prefix length,
	 * then make sure the answer is that prefix and not a shorter one. */
	if (bpf_map_lookup_elem(map_fd(bl, m), &k, v))
		return -errno;
	if ((m == MAP_CIDR4 || m == MAP_CIDR6) && v->prefixlen != a->prefixlen)
		return -ENOENT;
	*where = m;
	return 0;
}

int bl_tier_adjust(struct blocklist *bl, enum bl_map m, int delta)
{
	struct arxdp_tier t;
	int err;

	if (bl->fd_tier < 0 || !map_exact(m) || !delta)
		return 0;
	err = tier_get(bl, &t);
	return err ?: tier_bump(bl, &t, m, delta);
}

int bl_tier_set(struct blocklist *bl, const uint32_t n[MAP_NUM])
{
	struct arxdp_tier t = { .big4_entries = n[MAP_BLOCK4],
				.big6_entries = n[MAP_BLOCK6],
				.hot4_entries = n[MAP_HOT4],
				.hot6_entries = n[MAP_HOT6] };

	bl->cache.tier_ahead[0] = bl->cache.tier_ahead[1] = 0; /* recounted: exact */
	return tier_put(bl, &t);
}

/*
 * How many new entries family m (its big map) may still take: the configured capacity (the
 * big map's own) bounds both tiers together. Unbounded without a tier map (an older pin set:
 * the big map alone, which refuses by itself). *t: the counts as read (zero without them).
 */
static int room_of(struct blocklist *bl, enum bl_map m, __u32 *room, struct arxdp_tier *t)
{
	uint64_t used;
	int err;

	*room = UINT32_MAX;
	memset(t, 0, sizeof(*t));
	if (bl->fd_tier < 0)
		return 0;
	/*
	 * Read even without the hot maps (a partial pin set: the big maps only): the counts a
	 * write raises are written back whole, and zeros would tell the program that the other
	 * family's big map is empty, hiding every block in it.
	 */
	err = tier_get(bl, t);
	if (err)
		return err;
	if (map_fd(bl, map_hot(m)) < 0)
		return 0;
	used = (uint64_t)*tier_field(t, m) + *tier_field(t, map_hot(m));
	*room = used < map_cap(bl, m) ? (__u32)(map_cap(bl, m) - used) : 0;
	return 0;
}

/*
 * A new exact entry of big map m (its prefilter slot already counted); absent: known in
 * neither tier. The counts are read once (room_of) and each raised from that read: one lookup
 * and one update of the tier map per new block, none of them for a tier that cannot take it.
 */
static int write_new_exact(struct blocklist *bl, enum bl_map m, const union bl_key *k,
			   const struct arxdp_block *v, bool absent)
{
	int hot = map_fd(bl, map_hot(m)), big = map_fd(bl, m), err;
	struct arxdp_block old;
	struct arxdp_tier t;
	struct arxdp_hot h;
	__u32 room;

	err = room_of(bl, m, &room, &t);
	if (err)
		return err;
	if (hot >= 0) {
		/* Never in both: a key of the big tier is updated there, never added to hot. */
		if (!absent && !big_empty(bl, m, &t) && !bpf_map_lookup_elem(big, k, &old))
			return -EEXIST;
		/* Full: unless a lives in hot already (the caller then updates it there). */
		if (!room)
			return absent || bpf_map_lookup_elem(hot, k, &h) ? -E2BIG : -EEXIST;
		/* Counted full (never low): it would refuse, so it is not counted for a try. */
		if (bl->fd_tier < 0 || *tier_field(&t, map_hot(m)) < map_cap(bl, map_hot(m))) {
			err = tier_bump(bl, &t, map_hot(m), 1);
			if (err)
				return err;
			hot_of(v, &h);
			if (!bpf_map_update_elem(hot, k, &h, BPF_NOEXIST))
				return 0;
			err = -errno;
			tier_bump(bl, &t, map_hot(m), -1);
			/* A full hash refuses after its key lookup: E2BIG says k is not in it. */
			if (err != -E2BIG)
				return err;
		} else if (!absent && !bpf_map_lookup_elem(hot, k, &h)) {
			return -EEXIST;
		}
	}
	err = tier_bump(bl, &t, m, 1);
	if (err)
		return err;
	if (bpf_map_update_elem(big, k, v, BPF_NOEXIST)) {
		err = -errno;
		tier_bump(bl, &t, m, -1);
		return err;
	}
	return 0;
}

int bl_write_new(struct blocklist *bl, const struct arxdp_addr *a, const struct arxdp_block *v,
		 bool absent)
{
	enum bl_map m = map_of(a);
	struct arxdp_block nv = *v;
	union bl_key k;
	int err;

	nv.prefixlen = a->prefixlen;
	key_of(a, m, &k);
	if (!map_exact(m)) {
		/* Counted first: the program skips a trie counted 0, so a prefix inserted before
		 * its count (the count's write failing, or a kill -9 between) was never enforced. */
		err = bl_meta_adjust(bl, m, 1);
		if (err)
			return bl_report_write_error(bl, m, a, err);
		if (bpf_map_update_elem(map_fd(bl, m), &k, &nv, BPF_NOEXIST)) {
			err = -errno;
			bl_meta_adjust(bl, m, -1);
			return err == -EEXIST ? err : bl_report_write_error(bl, m, a, err);
		}
		return 0;
	}
	/* Counted before the entry exists: the program never sees an entry its bit hides. */
	err = bl_pf_adjust(bl, m, &k, 1);
	if (err)
		return err;
	err = write_new_exact(bl, m, &k, &nv, absent);
	if (err)
		bl_pf_adjust(bl, m, &k, -1);
	return err == -EEXIST || !err ? err : bl_report_write_error(bl, m, a, err);
}

int bl_write(struct blocklist *bl, const struct arxdp_addr *a, const struct arxdp_block *v,
	     enum bl_map where)
{
	enum bl_map m = map_of(a);
	struct arxdp_block nv = *v;
	struct arxdp_hot h;
	union bl_key k;

	if (where == MAP_NUM)
		return bl_write_new(bl, a, v, false);
	nv.prefixlen = a->prefixlen;
	key_of(a, m, &k);
	hot_of(&nv, &h);
	if (bpf_map_update_elem(map_fd(bl, where), &k, map_is_hot(where) ? (void *)&h : (void *)&nv,
				BPF_ANY))
		return bl_report_write_error(bl, m, a, -errno);
	return 0;
}

int bl_delete_at(struct blocklist *bl, enum bl_map where, const union bl_key *k)
{
	if (bpf_map_delete_elem(map_fd(bl, where), k))
		return -errno;
	/* Uncounted only once the entry is gone (see bl_pf_adjust and struct arxdp_tier). */
	return bl_pf_adjust(bl, where, k, -1) ?: bl_meta_adjust(bl, where, -1);
}

/* One exact write of a bulk load, sorted by group, then key, then position in the load. */
struct pend {
	__u8 key[16];
	int item; /* index into the load */
	__u8 group; /* family * G_NUM + G_* */
};

enum { G_HOT = 0, G_BIG, G_NEW, G_NUM };

static int cmp_pend(const void *x, const void *y)
{
	const struct pend *a = x, *b = y;
	int c;

	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	c = memcmp(a->key, b->key, 16);
	if (c)
		return c;
	return a->item < b->item ? -1 : a->item > b->item;
}

/*
 * Batched updates of n entries (values of either tier: one size); *written says how many went
 * in before a failure.
 */
static int batch_write(int fd, const __u8 *keys, size_t ksz, const struct arxdp_block *vals,
		       __u32 n, __u32 *written)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 done = 0, c;

	while (done < n) {
		c = n - done < BATCH * 16 ? n - done : BATCH * 16;
		if (bpf_map_update_batch(fd, keys + done * ksz, vals + done, &c, &opts)) {
			*written = done + c;
			return -errno;
		}
		done += c;
	}
	*written = done;
	return 0;
}

struct bulk {
	struct blocklist *bl;
	const struct bl_item *items;
	const struct arxdp_block *vals; /* by item */
	int *errs;
	uint64_t *loaded;
	__u8 *kbuf; /* scratch: n keys */
	struct arxdp_block *vbuf; /* scratch: n values */
	struct arxdp_block *hbuf; /* scratch: n values, rewritten for the hot map */
};

/* Values bound for a hot map, rewritten in place in its layout (the same size). */
static void to_hot(struct arxdp_block *v, __u32 n)
{
	struct arxdp_hot h;
	__u32 i;

	for (i = 0; i < n; i++) {
		hot_of(&v[i], &h);
		memcpy(&v[i], &h, sizeof(h));
	}
}

/* Items p[from, to) of one unique-key run each get err (and count when written). */
static void settle(struct bulk *b, const struct pend *p, size_t from, size_t to, int err)
{
	size_t i;

	for (i = from; i < to; i++) {
		b->errs[p[i].item] = err;
		if (!err)
			(*b->loaded)++;
	}
}

/* Entries that live in map m already: updated in place. */
static void bulk_update(struct bulk *b, enum bl_map m, const struct pend *p, size_t n)
{
	size_t ksz = key_sizes[map_base(m)], i;
	__u32 written = 0;
	int err;

	for (i = 0; i < n; i++) {
		memcpy(b->kbuf + i * ksz, p[i].key, ksz);
		b->vbuf[i] = b->vals[p[i].item];
	}
	if (map_is_hot(m))
		to_hot(b->vbuf, n);
	err = batch_write(map_fd(b->bl, m), b->kbuf, ksz, b->vbuf, n, &written);
	settle(b, p, 0, written, 0);
	if (err) {
		settle(b, p, written, n, err == -E2BIG ? -ENOSPC : err);
		bl_report_write_error(b->bl, map_base(m), &b->items[p[written].item].addr, err);
	}
}

/*
 * New entries of big map m: each key once (the last write of it in the load wins, as the
 * batch would have it). As many as the family's capacity leaves room for are counted in the
 * prefilter first, then the hot map takes what it has room for and the big map the rest, each
 * tier's count raised before its batch; the others are refused as a full map. Whatever did not
 * go in is uncounted again, so a failed load leaves no count behind.
 */
static void bulk_new(struct bulk *b, enum bl_map m, const struct pend *p, size_t n)
{
	size_t ksz = key_sizes[m], i, nu = 0, *run = NULL;
	int hot = map_fd(b->bl, map_hot(m)), err = 0;
	__u32 in_hot = 0, in_big = 0, rest, room, ok;
	enum bl_map fail_map = m;
	struct arxdp_tier t;

	run = calloc(n + 1, sizeof(*run)); /* run[u]: first pend of unique key u */
	if (!run) {
		settle(b, p, 0, n, -ENOMEM);
		return;
	}
	for (i = 0; i < n; i++) {
		if (i + 1 < n && !memcmp(p[i].key, p[i + 1].key, 16))
			continue;
		memcpy(b->kbuf + nu * ksz, p[i].key, ksz);
		b->vbuf[nu] = b->vals[p[i].item];
		run[++nu] = i + 1;
	}
	err = room_of(b->bl, m, &room, &t);
	ok = nu < room ? nu : room;
	if (err || bl_pf_adjust_keys(b->bl, m, b->kbuf, ok, 1)) {
		settle(b, p, 0, n, -EIO);
		goto out;
	}
	if (hot >= 0 && ok) {
		/* A copy in the hot layout: what does not fit goes to the big map as it was. */
		memcpy(b->hbuf, b->vbuf, ok * sizeof(*b->vbuf));
		to_hot(b->hbuf, ok);
		err = bl_tier_adjust(b->bl, map_hot(m), (int)ok);
		if (!err) {
			err = batch_write(hot, b->kbuf, ksz, b->hbuf, ok, &in_hot);
			bl_tier_adjust(b->bl, map_hot(m), -(int)(ok - in_hot));
		}
		if (err == -E2BIG)
			err = 0; /* full: the rest go to the big map */
		fail_map = map_hot(m);
	}
	rest = ok - in_hot;
	if (!err && rest) {
		fail_map = m;
		err = bl_tier_adjust(b->bl, m, (int)rest);
		if (!err) {
			err = batch_write(map_fd(b->bl, m), b->kbuf + in_hot * ksz, ksz,
					  b->vbuf + in_hot, rest, &in_big);
			bl_tier_adjust(b->bl, m, -(int)(rest - in_big));
		}
	}
	i = in_hot + in_big;
	settle(b, p, 0, run[i], 0);
	if (err) {
		settle(b, p, run[i], run[ok], err == -E2BIG ? -ENOSPC : err);
		bl_report_write_error(b->bl, map_base(fail_map), &b->items[p[run[i]].item].addr,
				      err);
	}
	bl_pf_adjust_keys(b->bl, m, b->kbuf + i * ksz, ok - i, -1);
	if (ok < nu) {
		settle(b, p, run[ok], n, -ENOSPC);
		bl_report_write_error(b->bl, m, &b->items[p[run[ok]].item].addr, -E2BIG);
	}
out:
	free(run);
}

int bl_block_many(struct blocklist *bl, const struct bl_item *items, int n,
		  const struct bl_reason *why, int *errs, uint64_t *loaded)
{
	uint64_t now = mono_now_ns(), wall = wall_now_ns();
	struct bulk b = { .bl = bl, .items = items, .errs = errs, .loaded = loaded };
	struct arxdp_block *vals, old;
	struct pend *p;
	size_t np = 0, i, j;
	enum bl_result r;
	const char *reason;
	int err;

	*loaded = 0;
	vals = calloc(n ?: 1, sizeof(*vals));
	p = calloc(n ?: 1, sizeof(*p));
	b.kbuf = calloc(n ?: 1, 16);
	b.vbuf = calloc(n ?: 1, sizeof(*b.vbuf));
	b.hbuf = calloc(n ?: 1, sizeof(*b.hbuf));
	b.vals = vals;
	err = !vals || !p || !b.kbuf || !b.vbuf || !b.hbuf ? -ENOMEM : bl_lock(bl);
	if (err)
		goto out;
	for (i = 0; i < (size_t)n; i++) {
		const struct arxdp_addr *a = &items[i].addr;
		enum bl_map where = MAP_NUM;
		bool found, live;

		errs[i] = bl_check_allowed(bl, a, &reason);
		if (errs[i])
			continue;
		found = bl_locate(bl, a, &old, &where) == 0;
		live = found && !bl_expired(&old, now);
		bl_merge_block(&vals[i], &old, live, items[i].timeout_s, why, now, wall, &r);
		vals[i].prefixlen = a->prefixlen;
		if (!addr_is_exact(a)) {
			/* Tries have no batch update; prefixes are few. */
			errs[i] = bl_write(bl, a, &vals[i], found ? where : MAP_NUM);
			if (!errs[i])
				(*loaded)++;
			continue;
		}
		memset(&p[np], 0, sizeof(p[np]));
		memcpy(p[np].key, a->a, a->family == 4 ? 4 : 16);
		p[np].item = (int)i;
		p[np].group = (a->family == 4 ? 0 : G_NUM) +
			      (!found				      ? G_NEW :
			       where == MAP_HOT4 || where == MAP_HOT6 ? G_HOT :
									G_BIG);
		np++;
	}
	if (np)
		qsort(p, np, sizeof(*p), cmp_pend);
	for (i = 0; i < np; i = j) {
		enum bl_map m = p[i].group < G_NUM ? MAP_BLOCK4 : MAP_BLOCK6;
		int g = p[i].group % G_NUM;

		for (j = i; j < np && p[j].group == p[i].group; j++)
			;
		if (g == G_NEW)
			bulk_new(&b, m, p + i, j - i);
		else
			bulk_update(&b, g == G_HOT ? map_hot(m) : m, p + i, j - i);
	}
	bl_unlock(bl);
out:
	free(vals);
	free(p);
	free(b.kbuf);
	free(b.vbuf);
	free(b.hbuf);
	return err;
}
