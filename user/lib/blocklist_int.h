/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares what the blocklist's files share (blocklist.c: lock, guard, single writes;
 * blocklist_open.c: opening the pin set, private instances, repin;
 * blocklist_tier.c: where an exact entry lives, its writes and deletes, bulk load;
 * blocklist_walk.c: walks, sweep, flush, counters; blocklist_pf.c: the prefilter): the six
 * maps' keys and names. Nothing outside user/lib/blocklist*.c includes it.
 */
#ifndef ARXDP_BLOCKLIST_INT_H
#define ARXDP_BLOCKLIST_INT_H

#include <string.h>
#include "blocklist.h"

#define BATCH 4096

/* The key forms of wazuh-execd's timers in struct arxdp_block's keys (not the operator's). */
#define BL_KEYS_EXECD (ARXDP_KEY_PLAIN | ARXDP_KEY_MAPPED)

/* Any key of the six block maps. */
union bl_key {
	__u32 v4;
	__u8 v6[16];
	struct arxdp_lpm4 lpm4;
	struct arxdp_lpm6 lpm6;
};

/* MAP_BLOCK4/6 are the big exact maps, MAP_HOT4/6 the hot tier in front of them. */
enum bl_map {
	MAP_BLOCK4 = 0,
	MAP_BLOCK6,
	MAP_CIDR4,
	MAP_CIDR6,
	MAP_HOT4,
	MAP_HOT6,
	MAP_NUM,
};

extern const char *const map_names[MAP_NUM];
extern const char *const cap_names[MAP_NUM];
extern const size_t key_sizes[MAP_NUM];

/* -1 for a map this pin set does not have (the hot tier of a set older than it). */
static inline int map_fd(const struct blocklist *bl, enum bl_map m)
{
	const int fds[MAP_NUM] = { bl->fd_block4, bl->fd_block6, bl->fd_cidr4,
				   bl->fd_cidr6,  bl->fd_hot4,	 bl->fd_hot6 };

	return fds[m];
}

static inline uint32_t map_cap(const struct blocklist *bl, enum bl_map m)
{
	const uint32_t caps[MAP_NUM] = { bl->cap_block4, bl->cap_block6, bl->cap_cidr4,
					 bl->cap_cidr6,	 bl->cap_hot4,	 bl->cap_hot6 };

	return caps[m];
}

/* The address map a tier stands for: keys, slots and families are those of the big map. */
static inline enum bl_map map_base(enum bl_map m)
{
	return m == MAP_HOT4 ? MAP_BLOCK4 : m == MAP_HOT6 ? MAP_BLOCK6 : m;
}

static inline bool map_exact(enum bl_map m)
{
	m = map_base(m);
	return m == MAP_BLOCK4 || m == MAP_BLOCK6;
}

static inline enum bl_map map_hot(enum bl_map m)
{
	return m == MAP_BLOCK4 ? MAP_HOT4 : MAP_HOT6;
}

static inline enum bl_map map_of(const struct arxdp_addr *a)
{
	if (a->family == 4)
		return addr_is_exact(a) ? MAP_BLOCK4 : MAP_CIDR4;
	return addr_is_exact(a) ? MAP_BLOCK6 : MAP_CIDR6;
}

static inline void key_of(const struct arxdp_addr *a, enum bl_map m, union bl_key *k)
{
	memset(k, 0, sizeof(*k));
	switch (map_base(m)) {
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

static inline void addr_of(const union bl_key *k, enum bl_map m, struct arxdp_addr *a)
{
	memset(a, 0, sizeof(*a));
	switch (map_base(m)) {
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

/* The hot maps' value (struct arxdp_hot, same fields in the drop path's order) and back. */
_Static_assert(sizeof(struct arxdp_hot) == sizeof(struct arxdp_block), "one size for both tiers");

static inline void hot_of(const struct arxdp_block *v, struct arxdp_hot *h)
{
	*h = (struct arxdp_hot){
		.expires_ns = v->expires_ns,
		.packets = v->packets,
		.bytes = v->bytes,
		.added_ns = v->added_ns,
		.seq = v->seq,
		.timeout_s = v->timeout_s,
		.rule_id = v->rule_id,
		.offenses = v->offenses,
		.level = v->level,
		.origin = v->origin,
		.prefixlen = v->prefixlen,
		.keys = v->keys,
	};
}

static inline void block_of(const struct arxdp_hot *h, struct arxdp_block *v)
{
	*v = (struct arxdp_block){
		.expires_ns = h->expires_ns,
		.added_ns = h->added_ns,
		.seq = h->seq,
		.timeout_s = h->timeout_s,
		.rule_id = h->rule_id,
		.offenses = h->offenses,
		.level = h->level,
		.origin = h->origin,
		.prefixlen = h->prefixlen,
		.keys = h->keys,
		.packets = h->packets,
		.bytes = h->bytes,
	};
}

static inline bool map_is_hot(enum bl_map m)
{
	return m == MAP_HOT4 || m == MAP_HOT6;
}

/* struct bl_cache holds only while the lock is held: no other writer runs then. */
static inline bool bl_cache_on(const struct blocklist *bl)
{
	return bl->lock_depth > 0;
}

/*
 * How far a burst writes a count ahead of its inserts (and keeps a delete's uncount back):
 * what an interrupted burst may leave too high, at most, per count.
 */
#define BL_AHEAD 64

/*
 * Under the first lock of this blocklist (bl_lock): the optional maps found missing at open
 * looked for again, since a loader may have been pinning the set then (blocklist_open.c).
 */
int bl_reopen_if_whole(struct blocklist *bl);

/* Writes the exact counts of struct bl_cache where a burst wrote them ahead; at the last
 * bl_unlock(), still under the lock. A failure leaves them high, which is safe. */
void bl_cache_flush(struct blocklist *bl);
void bl_pf_flush(struct blocklist *bl);

/*
 * Keeps the counts the program gates on exact, under the lock: meta's prefix counts (a trie
 * is skipped at 0) and, for the exact maps, the tier map's (a big map is skipped at 0; both
 * tiers' counts bound the family to its capacity). Every count goes up BEFORE its insert
 * and down AFTER its delete (see struct arxdp_tier), a trie's too: high, never low.
 */
int bl_meta_adjust(struct blocklist *bl, enum bl_map m, int delta);

/*
 * Where exact address or prefix a lives: its value in *v and its map in *where (MAP_HOT4/6 or
 * MAP_BLOCK4/6 for an exact one, hot looked up first). -ENOENT when it is in none.
 */
int bl_locate(struct blocklist *bl, const struct arxdp_addr *a, struct arxdp_block *v,
	      enum bl_map *where);
/*
 * Writes v for a: in place in map where when a lives there (from bl_locate), or, new (where
 * MAP_NUM), an exact a into the hot map while it has room, else the big one, counting first.
 * A new write answers -EEXIST (unreported) when a turns out to be in either tier, so the
 * caller may try it before any lookup. The caller holds the lock.
 */
int bl_write(struct blocklist *bl, const struct arxdp_addr *a, const struct arxdp_block *v,
	     enum bl_map where);
/*
 * The same new write of an exact a, absent: known in neither tier (bl_pf_empty(), or a miss of
 * bl_locate() under this lock hold), so that no lookup repeats the question.
 */
int bl_write_new(struct blocklist *bl, const struct arxdp_addr *a, const struct arxdp_block *v,
		 bool absent);
/* Deletes a from map where (from bl_locate), then uncounts it. The caller holds the lock. */
int bl_delete_at(struct blocklist *bl, enum bl_map where, const union bl_key *k);
/* The tier map's count of exact map m (either tier), delta more or fewer; else a no-op. */
int bl_tier_adjust(struct blocklist *bl, enum bl_map m, int delta);
/* Wazuh's extension semantics: v from old (live or not) and this add (see bl_block). */
void bl_merge_block(struct arxdp_block *v, const struct arxdp_block *old, bool live,
		    uint32_t timeout_s, const struct bl_reason *why, uint64_t now_mono,
		    uint64_t now_wall, enum bl_result *res);
/* Sets the tier map's counts (the rebuild: n[m] entries in exact map m); under the lock. */
int bl_tier_set(struct blocklist *bl, const uint32_t n[MAP_NUM]);
/*
 * The prefilter's count of k's slot, delta entries more or fewer (exact maps only; a no-op
 * for tries and for maps without a prefilter). Count up BEFORE inserting into the map, down
 * AFTER deleting from it: an interrupted writer then leaves a false positive, never a miss.
 */
int bl_pf_adjust(struct blocklist *bl, enum bl_map m, const union bl_key *k, int delta);
/* The same for n keys of map m laid end to end (key_sizes[m] bytes each). */
int bl_pf_adjust_keys(struct blocklist *bl, enum bl_map m, const uint8_t *keys, size_t n,
		      int delta);
/*
 * Whether k's prefilter slot is empty (its bit clear): then no exact map holds k, and a new
 * write needs no lookup. false when not known (no prefilter, not under the lock, a read failed).
 */
bool bl_pf_empty(struct blocklist *bl, enum bl_map m, const union bl_key *k);
int bl_pf_map(struct blocklist *bl, bool whole);
void bl_pf_unmap(struct blocklist *bl);
/* The message for a failed write of a (map full says how to raise the capacity). */
int bl_report_write_error(struct blocklist *bl, enum bl_map m, const struct arxdp_addr *a, int err);

#endif /* ARXDP_BLOCKLIST_INT_H */
