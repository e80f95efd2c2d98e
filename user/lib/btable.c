// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the daemon's block table declared in btable.h: chained hashing that
 * doubles its bucket array as it fills, so a million blocks stay O(1). The doubling moves the
 * entries over bit by bit (BTABLE_MOVE_STEP old buckets per insert), never all at once: the
 * table lives in the event loop, and rehashing 8,192 entries in one go took 0.5-0.7 ms there
 * (65,536: 5 ms) while a sender waited on a 10-datagram execq queue. The move is done long
 * before the next doubling is due (that takes as many inserts as the old array has buckets).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "btable.h"

struct btable {
	struct bmeta **buckets;
	size_t nbuckets, n;
	/*
	 * During a move: the previous array (nbuckets / 2), its buckets [moved, nold) not moved
	 * yet. A key lives in old[h & (nold - 1)] while that bucket is unmoved, else in buckets.
	 * Old bucket i splits into new buckets i and i + nold, and nothing else lands there: they
	 * are set (NULL) as i moves, so the new array needs no zeroing pass (calloc cleared 128 KiB
	 * in one insert at 8,192 entries, 0.45 ms; 128 MiB at 8 million).
	 */
	struct bmeta **old;
	size_t nold, moved;
};

static uint64_t hash_addr(const struct arxdp_addr *a)
{
	/* FNV-1a over the significant bytes: cheap and good enough for addresses. */
	uint64_t h = 1469598103934665603ULL;
	size_t i, len = a->family == 4 ? 4 : 16;

	for (i = 0; i < len; i++)
		h = (h ^ a->a[i]) * 1099511628211ULL;
	h = (h ^ a->prefixlen) * 1099511628211ULL;
	return (h ^ a->family) * 1099511628211ULL;
}

static bool same(const struct arxdp_addr *x, const struct arxdp_addr *y)
{
	return x->family == y->family && x->prefixlen == y->prefixlen && !memcmp(x->a, y->a, 16);
}

struct btable *btable_new(void)
{
	struct btable *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->nbuckets = BTABLE_FIRST_BUCKETS;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	return t;
}

static void free_chains(struct bmeta **b, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++) {
		struct bmeta *m = b[i], *next;

		for (; m; m = next) {
			next = m->next;
			free(m->alert);
			free(m);
		}
	}
}

void btable_free(struct btable *t)
{
	if (!t)
		return;
	if (t->old) {
		free_chains(t->old, t->moved, t->nold);
		free_chains(t->buckets, 0, t->moved);
		free_chains(t->buckets, t->nold, t->nold + t->moved);
	} else {
		free_chains(t->buckets, 0, t->nbuckets);
	}
	free(t->old);
	free(t->buckets);
	free(t);
}

/* The chain head where addr lives (or would be inserted). */
static struct bmeta **slot(const struct btable *t, const struct arxdp_addr *addr)
{
	uint64_t h = hash_addr(addr);

	if (t->old && (h & (t->nold - 1)) >= t->moved)
		return &t->old[h & (t->nold - 1)];
	return &t->buckets[h & (t->nbuckets - 1)];
}

/* Up to BTABLE_MOVE_STEP old buckets into the new array; the old one is freed when empty. */
static void move_step(struct btable *t)
{
	size_t end;

	if (!t->old)
		return;
	end = t->moved + BTABLE_MOVE_STEP < t->nold ? t->moved + BTABLE_MOVE_STEP : t->nold;
	for (; t->moved < end; t->moved++) {
		struct bmeta *m = t->old[t->moved], *next;

		t->buckets[t->moved] = t->buckets[t->moved + t->nold] = NULL;
		for (; m; m = next) {
			size_t h = hash_addr(&m->addr) & (t->nbuckets - 1);

			next = m->next;
			m->next = t->buckets[h];
			t->buckets[h] = m;
		}
		t->old[t->moved] = NULL;
	}
	if (t->moved == t->nold) {
		free(t->old);
		t->old = NULL;
		t->nold = t->moved = 0;
	}
}

/* A new array twice the size, not even zeroed (see struct btable); nothing moves yet. */
static int grow(struct btable *t)
{
	size_t nb = t->nbuckets * 2;
	struct bmeta **b = nb < SIZE_MAX / sizeof(*b) ? malloc(nb * sizeof(*b)) : NULL;

	if (!b)
		return -ENOMEM;
	t->old = t->buckets;
	t->nold = t->nbuckets;
	t->moved = 0;
	t->buckets = b;
	t->nbuckets = nb;
	return 0;
}

struct bmeta *btable_get(const struct btable *t, const struct arxdp_addr *addr)
{
	struct bmeta *m = *slot(t, addr);

	for (; m; m = m->next)
		if (same(&m->addr, addr))
			return m;
	return NULL;
}

struct bmeta *btable_upsert(struct btable *t, const struct arxdp_addr *addr)
{
	struct bmeta *m = btable_get(t, addr), **pp;

	if (m)
		return m;
	/* A move under way is always over by now (see the top): no second old array. */
	if (!t->old && t->n >= t->nbuckets && grow(t))
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	move_step(t);
	m->addr = *addr;
	pp = slot(t, addr);
	m->next = *pp;
	*pp = m;
	t->n++;
	return m;
}

/* No move here: foreach's callback may delete, and a move would shift entries under it. */
void btable_del(struct btable *t, const struct arxdp_addr *addr)
{
	struct bmeta **pp = slot(t, addr), *m;

	for (; (m = *pp); pp = &m->next) {
		if (same(&m->addr, addr)) {
			*pp = m->next;
			free(m->alert);
			free(m);
			t->n--;
			return;
		}
	}
}

size_t btable_moving(const struct btable *t)
{
	return t->old ? t->nold - t->moved : 0;
}

size_t btable_size(const struct btable *t)
{
	return t->n;
}

static int foreach_in(struct bmeta **b, size_t from, size_t to,
		      int (*cb)(struct bmeta *m, void *ctx), void *ctx)
{
	size_t i;
	int err;

	for (i = from; i < to; i++) {
		struct bmeta *m = b[i], *next;

		for (; m; m = next) {
			next = m->next; /* cb may delete m */
			err = cb(m, ctx);
			if (err)
				return err;
		}
	}
	return 0;
}

int btable_foreach(const struct btable *t, int (*cb)(struct bmeta *m, void *ctx), void *ctx)
{
	int err;

	if (!t->old)
		return foreach_in(t->buckets, 0, t->nbuckets, cb, ctx);
	/* The new array's buckets in use so far: i and i + nold for each moved i. */
	err = foreach_in(t->old, t->moved, t->nold, cb, ctx);
	err = err ?: foreach_in(t->buckets, 0, t->moved, cb, ctx);
	return err ?: foreach_in(t->buckets, t->nold, t->nold + t->moved, cb, ctx);
}

void bmeta_take_alert(struct bmeta *m, char *s)
{
	free(m->alert);
	m->alert = s;
}

int bmeta_set_alert(struct bmeta *m, const char *s)
{
	char *c = NULL;

	if (s) {
		c = strdup(s);
		if (!c)
			return -ENOMEM;
	}
	free(m->alert);
	m->alert = c;
	return 0;
}

uint64_t bmeta_expiry_wall(uint64_t expires_mono_ns, uint64_t now_mono_ns, uint64_t now_wall_ns)
{
	if (!expires_mono_ns)
		return 0;
	if (expires_mono_ns <= now_mono_ns)
		return now_wall_ns ? now_wall_ns - 1 : 1; /* already over: a moment ago */
	return now_wall_ns + (expires_mono_ns - now_mono_ns);
}

uint64_t bmeta_expiry_mono(uint64_t expires_wall_ns, uint64_t now_mono_ns, uint64_t now_wall_ns)
{
	if (!expires_wall_ns)
		return 0;
	if (expires_wall_ns <= now_wall_ns)
		return now_mono_ns > 1 ? now_mono_ns - 1 : 1;
	return now_mono_ns + (expires_wall_ns - now_wall_ns);
}
