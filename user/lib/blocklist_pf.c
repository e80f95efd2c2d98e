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
/* What one bit needs mapped: the kernel maps the array in pages (4 MiB is a whole number). */
#define PF_PAGE ((size_t)getpagesize())

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
	if (bl->pf_page)
		munmap(bl->pf_page, PF_PAGE);
	bl->pf_page = NULL;
	return pf_mmap(bl, PF_BYTES, 0, &bl->pf);
}

/* The word of slot, mapped: its page alone the first time, the whole bitmap after that. */
static int pf_word(struct blocklist *bl, uint32_t slot, uint64_t **w)
{
	uint32_t words = PF_PAGE / sizeof(uint64_t), idx = slot / 64, page = idx / words;
	int err;

	if (!bl->pf && bl->pf_page && bl->pf_page_no != page) {
		err = pf_map_whole(bl);
		if (err)
			return err;
	}
	if (bl->pf) {
		*w = &bl->pf[idx];
		return 0;
	}
	if (!bl->pf_page) {
		err = pf_mmap(bl, PF_PAGE, (off_t)page * PF_PAGE, &bl->pf_page);
		if (err)
			return err;
		bl->pf_page_no = page;
	}
	*w = &bl->pf_page[idx % words];
	return 0;
}

/*
 * Mapping the bitmap makes the kernel insert all of its 1,024 pages at mmap() and remove them
 * at munmap(): about 0.2x of a process start, which the CLI and the drop-in paid at every run
 * to change one bit (docs/BENCHMARKS.md, start-up). So a pin-path open maps nothing: the first
 * bit maps its own page, and a second page maps the whole bitmap (bursts, the daemon, the
 * rebuild). whole: map it now (a private instance, whose tests read bl->pf).
 */
int bl_pf_map(struct blocklist *bl, bool whole)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	bl->pf = bl->pf_page = NULL;
	bl->pf_ok = false;
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
	if (bl->pf_page)
		munmap(bl->pf_page, PF_PAGE);
	bl->pf = bl->pf_page = NULL;
}

static uint32_t slot_of(enum bl_map m, const union bl_key *k)
{
	return map_base(m) == MAP_BLOCK4 ? arxdp_pf_slot4(&k->v4) : arxdp_pf_slot6(k->v6);
}

static int bit_set(struct blocklist *bl, uint32_t slot)
{
	uint64_t *w;
	int err = pf_word(bl, slot, &w);

	/* Sequentially consistent, and the map write that follows is a syscall: the program
	 * sees the bit before it can see the entry. */
	if (!err)
		__atomic_fetch_or(w, 1ull << (slot % 64), __ATOMIC_SEQ_CST);
	return err;
}

static int bit_clear(struct blocklist *bl, uint32_t slot)
{
	uint64_t *w;
	int err = pf_word(bl, slot, &w);

	if (!err)
		__atomic_fetch_and(w, ~(1ull << (slot % 64)), __ATOMIC_SEQ_CST);
	return err;
}

/* delta entries more (> 0) or fewer (< 0) in slot; the bit follows the count. */
static int slot_adjust(struct blocklist *bl, uint32_t slot, int delta)
{
	__u32 cnt = 0;
	int err;

	if (bpf_map_lookup_elem(bl->fd_pfcount, &slot, &cnt) && errno != ENOENT)
		return -errno;
	if (delta > 0) {
		cnt += delta;
		if (bpf_map_update_elem(bl->fd_pfcount, &slot, &cnt, BPF_ANY))
			return -errno;
		return bit_set(bl, slot);
	}
	/* An uncounted slot (written by a writer older than the prefilter) keeps its bit: a
	 * false positive costs a lookup, a wrong clear would hide a block. */
	if (!cnt)
		return 0;
	if (cnt > (__u32)-delta) {
		cnt += delta;
		return bpf_map_update_elem(bl->fd_pfcount, &slot, &cnt, BPF_ANY) ? -errno : 0;
	}
	err = bit_clear(bl, slot);
	if (err)
		return err;
	if (bpf_map_delete_elem(bl->fd_pfcount, &slot) && errno != ENOENT)
		return -errno;
	return 0;
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
