// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* This file contains the daemon's block table declared in btable.h: chained hashing that
 * doubles its bucket array as it fills, so a million blocks stay O(1). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "btable.h"

struct btable {
	struct bmeta **buckets;
	size_t nbuckets, n;
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
	t->nbuckets = 1024;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	return t;
}

void btable_free(struct btable *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->nbuckets; i++) {
		struct bmeta *m = t->buckets[i], *next;

		for (; m; m = next) {
			next = m->next;
			free(m->alert);
			free(m);
		}
	}
	free(t->buckets);
	free(t);
}

static int grow(struct btable *t)
{
	size_t nb = t->nbuckets * 2, i;
	struct bmeta **b = calloc(nb, sizeof(*b));

	if (!b)
		return -ENOMEM;
	for (i = 0; i < t->nbuckets; i++) {
		struct bmeta *m = t->buckets[i], *next;

		for (; m; m = next) {
			size_t h = hash_addr(&m->addr) & (nb - 1);

			next = m->next;
			m->next = b[h];
			b[h] = m;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = nb;
	return 0;
}

struct bmeta *btable_get(const struct btable *t, const struct arxdp_addr *addr)
{
	struct bmeta *m = t->buckets[hash_addr(addr) & (t->nbuckets - 1)];

	for (; m; m = m->next)
		if (same(&m->addr, addr))
			return m;
	return NULL;
}

struct bmeta *btable_upsert(struct btable *t, const struct arxdp_addr *addr)
{
	struct bmeta *m = btable_get(t, addr);
	size_t h;

	if (m)
		return m;
	if (t->n >= t->nbuckets && grow(t))
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->addr = *addr;
	h = hash_addr(addr) & (t->nbuckets - 1);
	m->next = t->buckets[h];
	t->buckets[h] = m;
	t->n++;
	return m;
}

void btable_del(struct btable *t, const struct arxdp_addr *addr)
{
	struct bmeta **pp = &t->buckets[hash_addr(addr) & (t->nbuckets - 1)], *m;

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

size_t btable_size(const struct btable *t)
{
	return t->n;
}

int btable_foreach(const struct btable *t, int (*cb)(struct bmeta *m, void *ctx), void *ctx)
{
	size_t i;
	int err;

	for (i = 0; i < t->nbuckets; i++) {
		struct bmeta *m = t->buckets[i], *next;

		for (; m; m = next) {
			next = m->next; /* cb may delete m */
			err = cb(m, ctx);
			if (err)
				return err;
		}
	}
	return 0;
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
