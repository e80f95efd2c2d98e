/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares what the blocklist's two files share (blocklist.c: open, lock, writes;
 * blocklist_walk.c: walks, sweep, flush, counters; blocklist_pf.c: the prefilter): the four
 * maps' keys and names. Nothing outside user/lib/blocklist*.c includes it.
 */
#ifndef ARXDP_BLOCKLIST_INT_H
#define ARXDP_BLOCKLIST_INT_H

#include <string.h>
#include "blocklist.h"

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

extern const char *const map_names[MAP_NUM];
extern const char *const cap_names[MAP_NUM];
extern const size_t key_sizes[MAP_NUM];

static inline int map_fd(const struct blocklist *bl, enum bl_map m)
{
	const int fds[MAP_NUM] = { bl->fd_block4, bl->fd_block6, bl->fd_cidr4, bl->fd_cidr6 };

	return fds[m];
}

static inline uint32_t map_cap(const struct blocklist *bl, enum bl_map m)
{
	const uint32_t caps[MAP_NUM] = { bl->cap_block4, bl->cap_block6, bl->cap_cidr4,
					 bl->cap_cidr6 };

	return caps[m];
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

static inline void addr_of(const union bl_key *k, enum bl_map m, struct arxdp_addr *a)
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

/* Keeps meta's prefix counts exact, under the lock; the program skips a trie at 0. */
int bl_meta_adjust(struct blocklist *bl, enum bl_map m, int delta);
/*
 * The prefilter's count of k's slot, delta entries more or fewer (exact maps only; a no-op
 * for tries and for maps without a prefilter). Count up BEFORE inserting into the map, down
 * AFTER deleting from it: an interrupted writer then leaves a false positive, never a miss.
 */
int bl_pf_adjust(struct blocklist *bl, enum bl_map m, const union bl_key *k, int delta);
/* The same for n keys of map m laid end to end (key_sizes[m] bytes each). */
int bl_pf_adjust_keys(struct blocklist *bl, enum bl_map m, const uint8_t *keys, size_t n,
		      int delta);
int bl_pf_map(struct blocklist *bl, bool whole);
void bl_pf_unmap(struct blocklist *bl);
/* The message for a failed write of a (map full says how to raise the capacity). */
int bl_report_write_error(struct blocklist *bl, enum bl_map m, const struct arxdp_addr *a, int err);

#endif /* ARXDP_BLOCKLIST_INT_H */
