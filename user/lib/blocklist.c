// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the typed operations on the pinned block maps (see blocklist.h).
 * Exact addresses live in the per-family hashes (two tiers: blocklist_tier.c), prefixes in
 * the per-family tries; the
 * "meta" map tells the program whether a trie holds anything, so it is kept exact here,
 * under the pin-directory lock, on every insert and delete of a prefix; the prefilter's
 * per-slot counts likewise on every insert and delete of an exact address (blocklist_pf.c).
 * Opening the pin set is in blocklist_open.c; the lock, the guard and single writes are here.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
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

uint32_t bl_after_execd_s(const struct arxdp_block *v)
{
	return !v->expires_ns && (v->keys & BL_KEYS_EXECD) ? v->timeout_s : 0;
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

int bl_check_allowed(struct blocklist *bl, const struct arxdp_addr *a, const char **why)
{
	int i, err;

	if (addr_is_special(a)) {
		*why = "loopback or unspecified addresses are never blocked";
		return -EPERM;
	}
	/* Every add passes here first: what it writes is open, and this host's addresses known. */
	err = bl_need(bl, bl_open_for(a) | BL_OPEN_GUARD);
	if (err) {
		*why = "the maps or this host's addresses cannot be read";
		return err;
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

/* Nested: a caller may hold the lock around many operations that each take it. */
int bl_lock(struct blocklist *bl)
{
	unsigned int ms = bl->lock_timeout_ms ?: PINDIR_LOCK_TIMEOUT_MS;
	int fd, err;

	if (bl->lock_depth++ > 0)
		return 0;
	/* Another writer may have run since the last hold: nothing cached is known now. */
	memset(&bl->cache, 0, sizeof(bl->cache));
	if (!bl->pin_dir[0])
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
	err = bl->whole_checked ? 0 : bl_reopen_if_whole(bl);
	if (err)
		bl_unlock(bl);
	return err;
}

void bl_unlock(struct blocklist *bl)
{
	if (bl->lock_depth <= 0)
		return;
	if (bl->lock_depth == 1)
		bl_cache_flush(bl); /* still held: no writer sees a count written ahead */
	if (--bl->lock_depth > 0)
		return;
	memset(&bl->cache, 0, sizeof(bl->cache));
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

	/* A read: the prefilter is not needed. */
	return bl_need(bl, bl_open_for(a) & ~BL_OPEN_PF) ?: bl_locate(bl, a, v, &where);
}

int bl_put(struct blocklist *bl, const struct arxdp_addr *a, const struct arxdp_block *v)
{
	struct arxdp_block old;
	enum bl_map where = MAP_NUM;
	int err = bl_need(bl, bl_open_for(a));

	if (err)
		return err;
	if (bl_locate(bl, a, &old, &where))
		where = MAP_NUM;
	return bl_write(bl, a, v, where);
}

/*
 * Whether a write by hand onto old waits for execd's delete: old is unstamped and held by an
 * execd key, and its permanence is execd's (no hold by hand yet, or one that waits already:
 * timeout_s set), not the operator's own permanent block.
 */
static bool bl_deferred_by_hand(const struct arxdp_block *old, const struct bl_reason *why)
{
	return why && why->origin == ARXDP_ORIGIN_CLI && !old->expires_ns &&
	       (old->keys & BL_KEYS_EXECD) && (!(old->keys & ARXDP_KEY_OPERATOR) || old->timeout_s);
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
	 * So is any write onto a block an execd key holds: execd's timer, which the map does not
	 * know, must not find the block gone before its delete. The later expiry wins.
	 */
	if (live && why && expires && expires < old->expires_ns &&
	    ((why->keys | old->keys) & BL_KEYS_EXECD))
		keep = true;
	/*
	 * execd's add without a stamp (no safety expiry) holds until its delete; onto a block
	 * with a stamp it adds that hold and keeps the stamp: were the block made permanent, an
	 * execd that dies before its delete would leave it so forever.
	 */
	if (live && why && !expires && old->expires_ns && (why->keys & BL_KEYS_EXECD))
		keep = true;
	/*
	 * execd keeps a timer per rkey (program and address), the map one expiry per address.
	 * A repeat under the same rkey restarts from now with its timeout, shorter too (a
	 * repeated_offenders step below the timeout), as execd's does. Another response's
	 * shorter timeout (why->floor) or an alert onto an operator's longer block must not cut
	 * it: execd would leave the other timer, and the operator's block, to their own end.
	 */
	if (live && why && expires && old->expires_ns && expires < old->expires_ns &&
	    (why->floor || (why->origin == ARXDP_ORIGIN_ALERT && (old->keys & ARXDP_KEY_OPERATOR))))
		keep = true;
	if (!keep) {
		v->timeout_s = timeout_s;
		v->expires_ns = expires;
	} else if (bl_deferred_by_hand(old, why)) {
		/*
		 * By hand onto a block only execd's unstamped hold keeps: the operator's time
		 * starts when execd lets go (bl_unblock_key stamps it then); until then the
		 * block has no stamp to extend. A later request by hand replaces it, 0 too.
		 */
		v->timeout_s = timeout_s;
	}
	/* The newest reason wins, but an add without one keeps the reason it extends. */
	if (why && (why->rule_id || !live)) {
		v->rule_id = why->rule_id;
		v->level = why->level;
	}
	if (why) {
		v->origin = why->origin;
		v->keys |= why->keys;
		/* Blocked by hand: the operator's now, whoever made it; execd's delete leaves it. */
		if (why->origin == ARXDP_ORIGIN_CLI)
			v->keys |= ARXDP_KEY_OPERATOR;
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
	bool found, live, absent;
	union bl_key k;
	int err;

	err = bl_check_allowed(bl, a, &reason);
	if (err) {
		pr_warn("block '%s': refused: %s", addr_format(a, buf, sizeof(buf)), reason);
		return err;
	}
	err = bl_lock(bl);
	if (err)
		return err;
	key_of(a, map_of(a), &k);
	if (addr_is_exact(a) && !only_live && bl_pf_empty(bl, map_of(a), &k)) {
		/* An empty prefilter slot proves a new address: no lookup at all. Otherwise a
		 * lookup comes first: a write tried first would count, fail and uncount for every
		 * extension (8 calls where the lookup and the update in place are 2). */
		bl_merge_block(&v, NULL, false, timeout_s, why, now, wall, &r);
		err = bl_write_new(bl, a, &v, true);
		if (err != -EEXIST) {
			bl_unlock(bl);
			goto done;
		}
	}
	err = bl_locate(bl, a, &old, &where);
	found = !err;
	absent = err == -ENOENT; /* looked up under this lock hold: no second lookup */
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
	err = found ? bl_write(bl, a, &v, where) : bl_write_new(bl, a, &v, absent);
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

	err = bl_need(bl, bl_open_for(a)) ?: bl_lock(bl);
	if (err)
		return err;
	err = bl_locate(bl, a, &v, &where);
	if (!err)
		err = delete_locked(bl, a, where);
	bl_unlock(bl);
	return err;
}

int bl_unblock_key(struct blocklist *bl, const struct arxdp_addr *a, uint8_t key, uint8_t *kept)
{
	struct arxdp_block v;
	enum bl_map where;
	int err;

	if (kept)
		*kept = 0;
	err = bl_need(bl, bl_open_for(a)) ?: bl_lock(bl);
	if (err)
		return err;
	err = bl_locate(bl, a, &v, &where);
	if (err)
		goto out;
	if ((v.keys & ~key) && !bl_expired(&v, mono_now_ns())) {
		v.keys &= ~key;
		/* The operator's time, deferred while execd held the block (bl_merge_block). */
		if (v.keys == ARXDP_KEY_OPERATOR && !v.expires_ns && v.timeout_s)
			v.expires_ns = mono_now_ns() + (uint64_t)v.timeout_s * NSEC_PER_SEC;
		err = bl_write(bl, a, &v, where);
		if (!err && kept)
			*kept = v.keys;
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
	if (bl_need(bl, BL_OPEN_META) || bl->fd_meta < 0)
		return -ENOENT;
	return bpf_map_lookup_elem(bl->fd_meta, &zero, out) ? -errno : 0;
}
