// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the blocklist's side of the prefilter (ARXDP_PF_* in arxdp.h): the
 * bitmap mapped into this process, the per-slot counts every writer of an exact block keeps,
 * and the rebuild that recomputes both from the exact maps (repair, and pin sets made before
 * the prefilter existed). Every function here runs under the pin-directory lock, taken by
 * the caller; the order of the steps, not the lock, is what keeps the program from missing
 * a block: see arxdp.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "blocklist_int.h"
#include "log.h"

#define PF_BYTES ((size_t)ARXDP_PF_WORDS * sizeof(uint64_t))
/*
 * Bit changes go through bpf(), a word at a time, until this many words went that way; then
 * the bitmap is mapped whole (a burst, the daemon), where a change is one atomic operation.
 */
#define PF_WORD_OPS_MAX 32

static int pf_mmap(struct blocklist *bl, size_t len, off_t off, uint64_t **out)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, bl->fd_prefilter, off);

	if (p == MAP_FAILED) {
		int err = -errno;

		pr_warn("map '%s': mmap failed: %s", ARXDP_MAP_PREFILTER, strerror(-err));
		return err;
	}
	*out = p;
	return 0;
}

static int pf_map_whole(struct blocklist *bl)
{
	if (bl->pf)
		return 0;
	bl->cache.word_ok = false;
	return pf_mmap(bl, PF_BYTES, 0, &bl->pf);
}

/*
 * Mapping the bitmap makes the kernel insert all of its 1,024 pages at mmap() and remove them
 * at munmap(): about 0.2x of a process start, and even one page (mmap and munmap, ~5 us) costs
 * more than the two bpf() calls (~1 us each) that read and rewrite the one word a lone block
 * changes. So a pin-path open maps nothing: the CLI and the drop-in change their bit through
 * bpf(), and a writer that changes many (a burst, the daemon, the rebuild) maps the whole
 * bitmap. whole: map it now (a private instance, whose tests read bl->pf).
 */
int bl_pf_map(struct blocklist *bl, bool whole)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	bl->pf = NULL;
	bl->pf_ok = false;
	bl->pf_word_ops = 0;
	if (bl->fd_prefilter < 0 || bl->fd_pfcount < 0)
		return 0;
	if (bpf_obj_get_info_by_fd(bl->fd_prefilter, &info, &len))
		return -errno;
	if (info.value_size != sizeof(uint64_t) || info.max_entries != ARXDP_PF_WORDS ||
	    !(info.map_flags & BPF_F_MMAPABLE)) {
		pr_warn("map '%s': unexpected layout (value %u bytes, %u entries, flags %#x): "
			"see 'A changed map layout' in docs/OPERATIONS.md",
			ARXDP_MAP_PREFILTER, info.value_size, info.max_entries, info.map_flags);
		return -EINVAL;
	}
	bl->pf_ok = true;
	return whole ? pf_map_whole(bl) : 0;
}

void bl_pf_unmap(struct blocklist *bl)
{
	if (bl->pf)
		munmap(bl->pf, PF_BYTES);
	bl->pf = NULL;
}

static uint32_t slot_of(enum bl_map m, const union bl_key *k)
{
	return map_base(m) == MAP_BLOCK4 ? arxdp_pf_slot4(&k->v4) : arxdp_pf_slot6(k->v6);
}

/* Word idx of the bitmap: in place when mapped, else through bpf() (once per lock hold). */
static int word_get(struct blocklist *bl, uint32_t idx, uint64_t *w)
{
	if (!bl->pf && bl->pf_word_ops >= PF_WORD_OPS_MAX && pf_map_whole(bl))
		bl->pf_word_ops = 0; /* said; the word path still works, mapping is tried later */
	if (bl->pf) {
		*w = __atomic_load_n(&bl->pf[idx], __ATOMIC_SEQ_CST);
		return 0;
	}
	if (bl_cache_on(bl) && bl->cache.word_ok && bl->cache.word_idx == idx) {
		*w = bl->cache.word;
		return 0;
	}
	bl->pf_word_ops++;
	if (bpf_map_lookup_elem(bl->fd_prefilter, &idx, w))
		return -errno;
	bl->cache.word = *w;
	bl->cache.word_idx = idx;
	bl->cache.word_ok = bl_cache_on(bl);
	return 0;
}

/*
 * Sets or clears slot's bit in its word, whose value old word_get() read under the lock.
 * Mapped: one atomic operation. Not mapped: the word is rewritten through bpf() with the other
 * slots' bits as read; that is exact because every writer holds the lock and the program only
 * reads. The kernel copies the value bytewise or wider, and every byte but the changed bit's
 * is the same in the old and the new word, so the program never reads another bit changed.
 */
static int word_put(struct blocklist *bl, uint32_t slot, uint64_t old, bool set)
{
	uint64_t bit = 1ull << (slot % 64), w = set ? old | bit : old & ~bit;
	uint32_t idx = slot / 64;

	if (w == old)
		return 0;
	/* Sequentially consistent, and the map write that follows is a syscall: the program
	 * sees the bit before it can see the entry. */
	if (bl->pf) {
		if (set)
			__atomic_fetch_or(&bl->pf[idx], bit, __ATOMIC_SEQ_CST);
		else
			__atomic_fetch_and(&bl->pf[idx], ~bit, __ATOMIC_SEQ_CST);
		return 0;
	}
	bl->pf_word_ops++;
	if (bpf_map_update_elem(bl->fd_prefilter, &idx, &w, BPF_ANY)) {
		bl->cache.word_ok = false;
		return -errno;
	}
	bl->cache.word = w;
	bl->cache.word_idx = idx;
	bl->cache.word_ok = bl_cache_on(bl);
	return 0;
}

static bool slot_cached(const struct blocklist *bl, uint32_t slot)
{
	return bl_cache_on(bl) && bl->cache.slot_ok && bl->cache.slot == slot;
}

static void slot_drop(struct blocklist *bl)
{
	bl->cache.slot_ok = false;
	bl->cache.slot_ahead = bl->cache.slot_new = 0;
}

/* The cached slot's exact count written back where a burst wrote it ahead; a failure leaves
 * it high (a false positive until the next rebuild). */
void bl_pf_flush(struct blocklist *bl)
{
	__u32 cnt = bl->cache.slot_cnt, slot = bl->cache.slot;

	if (!bl_cache_on(bl) || !bl->cache.slot_ok || !bl->cache.slot_ahead)
		return;
	bl->cache.slot_ahead = 0;
	if (bpf_map_update_elem(bl->fd_pfcount, &slot, &cnt, BPF_ANY)) {
		pr_debug("map '%s': exact count not written back: it stays high",
			 ARXDP_MAP_PFCOUNT);
		slot_drop(bl);
	}
}

/*
 * n entries more in slot, before they are inserted: its count up, then its bit set. A count
 * alone never says the bit is set (an uncount interrupted between the clear and the count's
 * delete leaves a count over a clear bit), so the word is read unless this lock hold set the
 * bit itself (the slot cache). A clear bit means an empty slot: one insert counts it. A second
 * up of the cached slot (a burst in one /24) writes the count BL_AHEAD ahead, so the next ups
 * are counted already.
 */
static int slot_up(struct blocklist *bl, uint32_t slot, uint32_t n)
{
	uint64_t bit = 1ull << (slot % 64), w;
	__u32 cnt = n, ahead, wr;
	int err;

	if (slot_cached(bl, slot)) {
		if (bl->cache.slot_ahead >= n) {
			bl->cache.slot_ahead -= n;
			bl->cache.slot_cnt += n;
			return 0;
		}
		cnt = bl->cache.slot_cnt + n;
		ahead = bl->cache.slot_new++ && cnt < UINT32_MAX - BL_AHEAD ? BL_AHEAD : 0;
		wr = cnt + ahead;
		if (bpf_map_update_elem(bl->fd_pfcount, &slot, &wr, BPF_ANY)) {
			slot_drop(bl);
			return -errno;
		}
		bl->cache.slot_cnt = cnt;
		bl->cache.slot_ahead = ahead;
		return 0;
	}
	bl_pf_flush(bl); /* another slot takes the cache */
	slot_drop(bl);
	err = word_get(bl, slot / 64, &w);
	if (err)
		return err;
	if (!(w & bit) && !bpf_map_update_elem(bl->fd_pfcount, &slot, &cnt, BPF_NOEXIST))
		goto set;
	if (!(w & bit) && errno != EEXIST)
		return -errno;
	cnt = 0;
	if (bpf_map_lookup_elem(bl->fd_pfcount, &slot, &cnt) && errno != ENOENT)
		return -errno;
	cnt += n;
	if (bpf_map_update_elem(bl->fd_pfcount, &slot, &cnt, BPF_ANY))
		return -errno;
set:
	err = word_put(bl, slot, w, true);
	if (err)
		return err;
	bl->cache.slot = slot;
	bl->cache.slot_cnt = cnt;
	bl->cache.slot_new = 1;
	bl->cache.slot_ok = bl_cache_on(bl);
	return 0;
}

/*
 * n entries fewer in slot, after they were deleted: its count down; at 0 the bit, then it. In
 * the cached slot an uncount is kept back (the count written stays high) up to BL_AHEAD.
 */
static int slot_down(struct blocklist *bl, uint32_t slot, uint32_t n)
{
	bool hit = slot_cached(bl, slot);
	__u32 cnt = hit ? bl->cache.slot_cnt : 0, wr;
	uint64_t w;
	int err;

	if (!hit && bpf_map_lookup_elem(bl->fd_pfcount, &slot, &cnt) && errno != ENOENT)
		return -errno;
	/* An uncounted slot (written by a writer older than the prefilter) keeps its bit: a
	 * false positive costs a lookup, a wrong clear would hide a block. */
	if (!cnt)
		return 0;
	if (cnt > n) {
		cnt -= n;
		if (hit && bl->cache.slot_ahead + n <= BL_AHEAD) {
			bl->cache.slot_ahead += n;
			bl->cache.slot_cnt = cnt;
			return 0;
		}
		wr = cnt + (hit ? bl->cache.slot_ahead : 0);
		if (bpf_map_update_elem(bl->fd_pfcount, &slot, &wr, BPF_ANY)) {
			if (hit)
				slot_drop(bl);
			return -errno;
		}
		if (hit)
			bl->cache.slot_cnt = cnt; /* the bit stays set: the cache still holds */
		return 0;
	}
	if (hit)
		slot_drop(bl);
	err = word_get(bl, slot / 64, &w);
	err = err ?: word_put(bl, slot, w, false);
	if (err)
		return err;
	if (bpf_map_delete_elem(bl->fd_pfcount, &slot) && errno != ENOENT)
		return -errno;
	return 0;
}

static int slot_adjust(struct blocklist *bl, uint32_t slot, int delta)
{
	return delta > 0 ? slot_up(bl, slot, (uint32_t)delta) :
			   slot_down(bl, slot, (uint32_t)-delta);
}

bool bl_pf_empty(struct blocklist *bl, enum bl_map m, const union bl_key *k)
{
	uint32_t slot;
	uint64_t w;

	if (!bl->pf_ok || !map_exact(m) || !bl_cache_on(bl))
		return false;
	slot = slot_of(m, k);
	if (slot_cached(bl, slot))
		return false;
	return !word_get(bl, slot / 64, &w) && !((w >> (slot % 64)) & 1);
}

int bl_pf_adjust(struct blocklist *bl, enum bl_map m, const union bl_key *k, int delta)
{
	int err;

	if (!bl->pf_ok || !map_exact(m))
		return 0;
	err = slot_adjust(bl, slot_of(m, k), delta);
	if (err)
		pr_warn("map '%s': count update failed: %s", ARXDP_MAP_PFCOUNT, strerror(-err));
	return err;
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

/* Appends the slot of every key of an exact map to *slots (grown as needed). */
static int collect(struct blocklist *bl, enum bl_map m, uint32_t **slots, size_t *n, size_t *cap)
{
	union bl_key k, next;
	void *prev = NULL;
	int fd = map_fd(bl, m);

	if (fd < 0)
		return 0; /* no hot tier in this pin set */
	memset(&k, 0, sizeof(k));
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 4096;
			uint32_t *p = realloc(*slots, nc * sizeof(*p));

			if (!p)
				return -ENOMEM;
			*slots = p;
			*cap = nc;
		}
		(*slots)[(*n)++] = slot_of(m, &next);
		k = next;
		prev = &k;
	}
	return errno == ENOENT ? 0 : -errno;
}

/*
 * New counts first, then the bits: each word is replaced by one store of the recomputed
 * value, which covers every entry in the maps now (the lock keeps writers out), so no
 * instant of the rebuild hides an entry that the old bitmap showed. The tier counts are set
 * from the same walk, before the prefilter: a big map's count never reads low.
 */
int bl_pf_rebuild(struct blocklist *bl, uint64_t *slots_set)
{
	uint32_t *slots = NULL, key, next;
	uint64_t *words = NULL, set = 0;
	size_t n = 0, cap = 0, i, j, from;
	uint32_t per_map[MAP_NUM] = {};
	int err, m;

	*slots_set = 0;
	err = bl_lock(bl);
	if (err)
		return err;
	for (m = 0; m < MAP_NUM && !err; m++) {
		if (!map_exact(m))
			continue;
		from = n;
		err = collect(bl, m, &slots, &n, &cap);
		per_map[m] = (uint32_t)(n - from);
	}
	err = err ?: bl_tier_set(bl, per_map);
	if (!err && !bl->pf_ok) {
		bl_unlock(bl);
		free(slots);
		return -ENOENT;
	}
	err = err ?: pf_map_whole(bl);
	words = calloc(ARXDP_PF_WORDS, sizeof(*words));
	if (!err && !words)
		err = -ENOMEM;
	if (err)
		goto out;
	if (n) /* qsort() wants a real array even for 0 elements */
		qsort(slots, n, sizeof(*slots), cmp_u32);
	slot_drop(bl);
	/* Stale counts go (the key is read before its entry is deleted), then the new ones. */
	while (!bpf_map_get_next_key(bl->fd_pfcount, NULL, &next)) {
		key = next;
		if (bpf_map_delete_elem(bl->fd_pfcount, &key) && errno != ENOENT) {
			err = -errno;
			goto out;
		}
	}
	for (i = 0; i < n; i = j) {
		__u32 cnt;

		for (j = i; j < n && slots[j] == slots[i]; j++)
			;
		cnt = j - i;
		if (bpf_map_update_elem(bl->fd_pfcount, &slots[i], &cnt, BPF_ANY)) {
			err = -errno;
			goto out;
		}
		words[slots[i] / 64] |= 1ull << (slots[i] % 64);
		set++;
	}
	for (i = 0; i < ARXDP_PF_WORDS; i++)
		if (__atomic_load_n(&bl->pf[i], __ATOMIC_RELAXED) != words[i])
			__atomic_store_n(&bl->pf[i], words[i], __ATOMIC_SEQ_CST);
	slot_drop(bl); /* the counts were rewritten */
	*slots_set = set;
out:
	bl_unlock(bl);
	if (err)
		pr_warn("map '%s': rebuild failed: %s", ARXDP_MAP_PREFILTER, strerror(-err));
	free(words);
	free(slots);
	return err;
}

int bl_pf_adjust_keys(struct blocklist *bl, enum bl_map m, const uint8_t *keys, size_t n, int delta)
{
	size_t ksz = key_sizes[m], i, j;
	uint32_t *slots;
	union bl_key k;
	int err = 0;

	if (!bl->pf_ok || !map_exact(m) || !n)
		return 0;
	slots = calloc(n, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		memset(&k, 0, sizeof(k));
		memcpy(&k, keys + i * ksz, ksz);
		slots[i] = slot_of(m, &k);
	}
	/* One count update per slot, however many of the keys share it. */
	qsort(slots, n, sizeof(*slots), cmp_u32);
	for (i = 0, j = 0; i < n && j < PF_WORD_OPS_MAX / 2; i++)
		j += !i || slots[i] != slots[i - 1];
	/* Many bits to change: mapped, each is one store (failing, the words go by bpf()). */
	if (j >= PF_WORD_OPS_MAX / 2)
		pf_map_whole(bl);
	for (i = 0; i < n && !err; i = j) {
		for (j = i; j < n && slots[j] == slots[i]; j++)
			;
		err = slot_adjust(bl, slots[i], (int)(j - i) * delta);
	}
	free(slots);
	if (err)
		pr_warn("map '%s': count update failed: %s", ARXDP_MAP_PFCOUNT, strerror(-err));
	return err;
}
