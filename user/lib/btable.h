/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares the daemon's table of what it knows about the blocks it made beyond the
 * map value: which executable the response named (for the active-responses.log lines), a
 * compact copy of the alert (for the delete line Wazuh would write), and the wall-clock expiry
 * that survives a reboot. Keyed by address or prefix.
 */
#ifndef ARXDP_BTABLE_H
#define ARXDP_BTABLE_H

#include <stddef.h>
#include <stdint.h>
#include "addr.h"

#define BTABLE_EXE_MAX 64

struct bmeta {
	struct arxdp_addr addr;
	char exe[BTABLE_EXE_MAX]; /* "firewall-drop" */
	char *alert; /* compact alert JSON (owned) or NULL */
	uint64_t expires_wall_ns; /* 0 = permanent */
	uint32_t timeout_s;
	uint32_t rule_id;
	uint32_t offenses;
	uint8_t level;
	uint8_t origin;
	uint64_t added_wall_ns;
	uint64_t seq;
	struct bmeta *next;
};

struct btable;

struct btable *btable_new(void);
void btable_free(struct btable *t);
/* Inserts or returns the existing entry for addr (fields zeroed when new); NULL on ENOMEM. */
struct bmeta *btable_upsert(struct btable *t, const struct arxdp_addr *addr);
struct bmeta *btable_get(const struct btable *t, const struct arxdp_addr *addr);
void btable_del(struct btable *t, const struct arxdp_addr *addr);
size_t btable_size(const struct btable *t);
/* Stops at the first non-zero return of cb, which is returned. */
int btable_foreach(const struct btable *t, int (*cb)(struct bmeta *m, void *ctx), void *ctx);
/* Replaces m->alert with a copy of s (NULL clears); -ENOMEM. */
int bmeta_set_alert(struct bmeta *m, const char *s);
/* The same with a malloc'd string that the entry takes over (no copy). */
void bmeta_take_alert(struct bmeta *m, char *s);

#endif /* ARXDP_BTABLE_H */
