/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares the daemon's table of the blocks it made: the map value as last written
 * (one record, the same struct the XDP program reads), plus what the map has no room for:
 * which executable the response named (for the active-responses.log lines) and a compact copy
 * of the alert (for the delete line Wazuh would write). Keyed by address or prefix.
 */
#ifndef ARXDP_BTABLE_H
#define ARXDP_BTABLE_H

#include <stddef.h>
#include <stdint.h>
#include "arxdp.h"
#include "addr.h"

#define BTABLE_EXE_MAX 64
/* The bucket array's first size, and the old buckets each insert moves while it doubles. */
#define BTABLE_FIRST_BUCKETS 1024
#define BTABLE_MOVE_STEP 4

struct bmeta {
	struct arxdp_addr addr;
	char exe[BTABLE_EXE_MAX]; /* "firewall-drop" */
	char *alert; /* compact alert JSON (owned) or NULL */
	/* As in the map: expires_ns on CLOCK_MONOTONIC (0 = permanent), added_ns wall clock. */
	struct arxdp_block v;
	struct bmeta *next;
};

/*
 * The one conversion pair between the map's monotonic expiry stamp and the wall-clock time that
 * state keeps across a reboot (where the monotonic clock starts again). Both are derived from
 * the time left, read at the moment of the call: a wall-clock step between two saves never
 * moves an expiry. 0 stays 0 (permanent); a wall expiry already past becomes a monotonic
 * stamp in the past (1 at the least), never 0.
 */
uint64_t bmeta_expiry_wall(uint64_t expires_mono_ns, uint64_t now_mono_ns, uint64_t now_wall_ns);
uint64_t bmeta_expiry_mono(uint64_t expires_wall_ns, uint64_t now_mono_ns, uint64_t now_wall_ns);

struct btable;

struct btable *btable_new(void);
void btable_free(struct btable *t);
/* Inserts or returns the existing entry for addr (fields zeroed when new); NULL on ENOMEM. */
struct bmeta *btable_upsert(struct btable *t, const struct arxdp_addr *addr);
struct bmeta *btable_get(const struct btable *t, const struct arxdp_addr *addr);
void btable_del(struct btable *t, const struct arxdp_addr *addr);
size_t btable_size(const struct btable *t);
/*
 * Old buckets still to move into the doubled array (0: no move under way), for the tests:
 * each upsert moves BTABLE_MOVE_STEP of them, get and del none.
 */
size_t btable_moving(const struct btable *t);
/* Stops at the first non-zero return of cb, which is returned. cb may delete the entry it is
 * given, never insert. */
int btable_foreach(const struct btable *t, int (*cb)(struct bmeta *m, void *ctx), void *ctx);
/* Replaces m->alert with a copy of s (NULL clears); -ENOMEM. */
int bmeta_set_alert(struct bmeta *m, const char *s);
/* The same with a malloc'd string that the entry takes over (no copy). */
void bmeta_take_alert(struct bmeta *m, char *s);

#endif /* ARXDP_BTABLE_H */
