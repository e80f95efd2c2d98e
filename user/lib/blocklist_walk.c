// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the blocklist's walks over the six maps (see blocklist.h): counters and
 * stats, chunked batch reads for list/foreach/fill, the incremental sweep and flush in slices.
 * Writes (single and bulk) and the lock are in blocklist.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "blocklist_int.h"
#include "log.h"
#include "pindir.h"
#include "util.h"

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
	return bl_need(bl, BL_OPEN_STATS) ?: read_rows(bl, sum_row, out);
}

int bl_stats_ifaces(struct blocklist *bl,
		    void (*cb)(uint32_t ifindex, const struct arxdp_counter row[ARXDP_STAT_MAX],
			       void *ctx),
		    void *ctx)
{
	return bl_need(bl, BL_OPEN_STATS) ?: read_rows(bl, cb, ctx);
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
	if (fd < 0) {
		/* A hot map this pin set does not have: an empty map. */
		*got = 0;
		*done = true;
		return 0;
	}
	if (map_exact(m)) {
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
		for (i = 0; i < cnt; i++) {
			memcpy(&keys[i], kbuf + i * key_sizes[m], key_sizes[m]);
			if (map_is_hot(m)) {
				struct arxdp_hot h;

				/* Read in the hot layout (one size): back to the common one. */
				memcpy(&h, &vals[i], sizeof(h));
				block_of(&h, &vals[i]);
			}
		}
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

/*
 * Whether exact map m is empty by the tier counts, read once before a walk: a writer counts
 * before it inserts and uncounts after it deletes, so an entry that is there for the whole
 * walk is counted (a count reads high, never low), and an empty hot map's 16,384 buckets, or
 * an empty big map's million, are not read. Unreadable or absent counts: nothing is skipped.
 */
static bool counted_empty(const struct arxdp_tier *t, bool have, enum bl_map m)
{
	const __u32 n[MAP_NUM] = { t->big4_entries, t->big6_entries, 1, 1,
				   t->hot4_entries, t->hot6_entries };

	return have && map_exact(m) && !n[m];
}

/* Reads all six maps chunk by chunk, calling cb per chunk; a non-zero cb return stops. */
static int walk(struct blocklist *bl,
		int (*cb)(enum bl_map m, const union bl_key *keys, const struct arxdp_block *vals,
			  __u32 n, void *ctx),
		void *ctx)
{
	struct arxdp_block *vals = NULL;
	union bl_key *keys = NULL;
	struct arxdp_tier t = {};
	__u32 got, zero = 0;
	bool have = false;
	int m, err;

	err = bl_need(bl, BL_OPEN_V4 | BL_OPEN_V6 | BL_OPEN_CIDR4 | BL_OPEN_CIDR6);
	if (err)
		return err;
	if (bl->fd_tier >= 0)
		have = !bpf_map_lookup_elem(bl->fd_tier, &zero, &t);
	/* Not calloc: a chunk is read before it is used, and zeroing 80 KiB of keys cost
	 * `arxdp list`, one process per call, 20 page faults for a near-empty table. */
	keys = malloc(BATCH * sizeof(*keys));
	vals = calloc(BATCH, sizeof(*vals));
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (m = 0; m < MAP_NUM; m++) {
		struct chunk_cursor c = {};
		bool done = counted_empty(&t, have, m);

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

/*
 * gone (optional): where the deleted key is appended, for the caller to uncount the whole
 * chunk in one pass after the deletes; without it the key is uncounted here. Either way the
 * prefilter is uncounted only once the entry is gone (see bl_pf_adjust).
 */
static int delete_entry(struct blocklist *bl, enum bl_map m, const union bl_key *k, __u8 *gone,
			__u32 *ngone)
{
	if (bpf_map_delete_elem(map_fd(bl, m), k))
		return errno == ENOENT ? 0 : -errno;
	if (gone && map_exact(m))
		memcpy(gone + (*ngone)++ * key_sizes[m], k, key_sizes[m]);
	else if (bl_pf_adjust(bl, m, k, -1))
		return -EIO;
	return bl_meta_adjust(bl, m, -1);
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
	int m, err;
	__u32 i, got;

	err = bl_need(bl, BL_OPEN_ALL & ~(BL_OPEN_STATS | BL_OPEN_GUARD));
	if (err)
		goto out;
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
				err = delete_entry(bl, m, &keys[i], NULL, NULL);
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
/* The chunk's deleted exact keys, uncounted together (after their deletes, under the lock). */
static int uncount(struct blocklist *bl, enum bl_map m, const __u8 *gone, __u32 *ngone)
{
	int err = *ngone ? bl_pf_adjust_keys(bl, m, gone, *ngone, -1) : 0;

	*ngone = 0;
	return err;
}

struct sweep_cursor {
	int map;
	struct chunk_cursor c;
	struct bl_tally run, last; /* the pass going on, the last complete one */
};

static void tally_add(struct bl_tally *t, enum bl_map m, const struct arxdp_block *v)
{
	if (v->origin < ARXDP_ORIGIN_MAX)
		t->by_origin[v->origin]++;
	if (map_base(m) == MAP_BLOCK4 || map_base(m) == MAP_CIDR4)
		t->v4++;
	else
		t->v6++;
}

void bl_sweep_tally(const struct blocklist *bl, struct bl_tally *out)
{
	const struct sweep_cursor *cur = bl->sweep;

	if (cur)
		*out = cur->last;
	else
		memset(out, 0, sizeof(*out));
}

bool bl_sweep_at_start(const struct blocklist *bl)
{
	const struct sweep_cursor *cur = bl->sweep;

	return !cur || (cur->map == 0 && !cur->c.started);
}

int bl_sweep(struct blocklist *bl, uint64_t now, uint32_t budget,
	     void (*cb)(const struct bl_entry *e, void *ctx), void *ctx, uint32_t *swept)
{
	struct arxdp_block *vals = NULL;
	union bl_key *keys = NULL;
	struct sweep_cursor *cur;
	enum bl_map where;
	__u8 *gone = NULL;
	__u32 ngone = 0;
	uint32_t n = 0, scanned = 0;
	bool locked = false;
	struct bl_entry e;
	int err = 0;
	__u32 i, got;

	err = bl_need(bl, BL_OPEN_ALL & ~(BL_OPEN_STATS | BL_OPEN_GUARD));
	if (err)
		return err;
	if (!bl->sweep) {
		bl->sweep = calloc(1, sizeof(struct sweep_cursor));
		if (!bl->sweep)
			return -ENOMEM;
	}
	cur = bl->sweep;
	/* An unbounded call is a full pass: from the top, whatever an earlier call left. */
	if (budget == UINT32_MAX) {
		cur->map = 0;
		memset(&cur->c, 0, sizeof(cur->c));
		memset(&cur->run, 0, sizeof(cur->run));
	}
	keys = calloc(BATCH, sizeof(*keys));
	vals = calloc(BATCH, sizeof(*vals));
	gone = calloc(BATCH, 16);
	if (!keys || !vals || !gone) {
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
			if (!bl_expired(&vals[i], now)) {
				tally_add(&cur->run, cur->map, &vals[i]);
				continue;
			}
			if (!locked) {
				err = bl_lock(bl);
				if (err)
					goto out;
				locked = true;
			}
			addr_of(&keys[i], cur->map, &e.addr);
			/* Re-check under the lock: a writer may have renewed it, or deleted and
			 * added it again in the other tier (whose own pass then sees it). */
			if (bl_locate(bl, &e.addr, &e.v, &where) || where != (enum bl_map)cur->map)
				continue;
			if (!bl_expired(&e.v, now)) {
				tally_add(&cur->run, cur->map, &e.v);
				continue;
			}
			e.dropped.packets = e.v.packets;
			e.dropped.bytes = e.v.bytes;
			if (cb)
				cb(&e, ctx);
			err = delete_entry(bl, cur->map, &keys[i], gone, &ngone);
			if (err)
				goto out;
			n++;
		}
		err = uncount(bl, cur->map, gone, &ngone);
		if (err)
			goto out;
		if (locked)
			bl_unlock(bl);
		locked = false;
		if (done) {
			memset(&cur->c, 0, sizeof(cur->c));
			if (++cur->map == MAP_NUM) {
				cur->map = 0;
				cur->last = cur->run;
				cur->last.valid = true;
				memset(&cur->run, 0, sizeof(cur->run));
				break; /* wrapped: one full pass at most per call */
			}
		}
	}
out:
	if (swept)
		*swept = n;
	/* Deleted before a failure: still uncounted (left counted, they would be false
	 * positives only). */
	if (gone && ngone)
		uncount(bl, cur->map, gone, &ngone);
	free(keys);
	free(vals);
	free(gone);
	if (locked)
		bl_unlock(bl);
	return err;
}

static int fill_chunk(enum bl_map m, const union bl_key *keys, const struct arxdp_block *vals,
		      __u32 n, void *ctx)
{
	struct bl_fill *f = ctx;
	uint64_t *dst[MAP_NUM] = { &f->block4, &f->block6, &f->cidr4,
				   &f->cidr6,  &f->block4, &f->block6 };

	*dst[m] += n;
	if (m == MAP_HOT4)
		f->hot4 += n;
	else if (m == MAP_HOT6)
		f->hot6 += n;
	return 0;
}

int bl_fill(struct blocklist *bl, struct bl_fill *f)
{
	memset(f, 0, sizeof(*f));
	return walk(bl, fill_chunk, f);
}
