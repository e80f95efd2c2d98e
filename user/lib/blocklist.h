/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares the typed operations on the pinned block maps: open, block with
 * Wazuh's extension semantics, unblock, bulk load, iterate, sweep, and counters. Every
 * writer goes through here, so the never-block guard and the CIDR bookkeeping hold for
 * every path (CLI, daemon, firewall-drop).
 */
#ifndef ARXDP_BLOCKLIST_H
#define ARXDP_BLOCKLIST_H

#include <limits.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include "arxdp.h"
#include "addr.h"

struct blocklist {
	int fd_block4, fd_block6, fd_cidr4, fd_cidr6;
	int fd_stats, fd_meta;
	int fd_prefilter, fd_pfcount; /* -1: a pin set older than the prefilter */
	/* The hot tier and the big maps' counts; -1: a pin set older than the hot tier, whose
	 * program reads neither: every exact block then goes to the big maps. */
	int fd_hot4, fd_hot6, fd_tier;
	uint64_t *pf; /* the prefilter bitmap, mapped whole; NULL when absent or not yet needed */
	uint32_t pf_word_ops; /* words read or written through bpf() while unmapped */
	bool pf_ok; /* the prefilter exists, with the layout of this build */
	/*
	 * What this writer last read or wrote of the counts and the bitmap, valid only while it
	 * holds the lock (no other writer runs then) and dropped at its last bl_unlock(): a burst
	 * under one lock reads each once (blocklist_tier.c, blocklist_pf.c). A failed write
	 * drops its part. In a burst a count is written ahead of the inserts it covers (*_ahead
	 * more than the exact count held here), and the last bl_unlock() writes the exact one.
	 */
	struct bl_cache {
		struct arxdp_tier tier; /* exact */
		uint32_t tier_ahead[2]; /* hot4, hot6: written this much above tier */
		uint32_t hot_new; /* hot inserts counted in this hold */
		uint64_t word; /* prefilter word word_idx, when not mapped */
		uint32_t word_idx;
		uint32_t slot, slot_cnt; /* pf_count of slot (exact); its bit is known set */
		uint32_t slot_ahead, slot_new; /* written above slot_cnt; ups of slot */
		bool tier_ok, word_ok, slot_ok;
	} cache;
	uint32_t cap_block4, cap_block6, cap_cidr4, cap_cidr6; /* big maps: the configured ones */
	uint32_t cap_hot4, cap_hot6;
	int ncpus;
	unsigned int opened; /* BL_OPEN_* parts open (bl_need) */
	int hot_state; /* 0: not known yet; 1: the hot tier is used; -1: it is not (big maps only) */
	bool open_done; /* bl_open*() returned: a pin found missing later is said */
	bool whole_checked; /* the optional maps were looked for again under the lock */
	int lock_fd; /* held between bl_lock() and bl_unlock() */
	int lock_depth;
	unsigned int lock_timeout_ms; /* longest wait for the lock; 0 = PINDIR_LOCK_TIMEOUT_MS */
	bool lock_timed_out; /* a timeout was said: the next ones are quiet until a lock succeeds */
	bool full_reported; /* "map full" said already; the caller clears it to say it again */
	char pin_dir[PATH_MAX];
	/* Addresses never blocked: this host's own (BL_OPEN_GUARD) plus any the caller adds. */
	struct arxdp_addr *protect;
	int n_protect;
	void *sweep; /* where the incremental sweep goes on */
};

/*
 * The parts of a pin set: an exact family's maps (big, hot, tier counts), a prefix family's
 * (trie, meta), the prefilter (every exact write and delete), the counters, meta, and the
 * never-block guard's list of this host's addresses (one RTM_GETADDR dump).
 */
enum {
	BL_OPEN_V4 = 1u << 0,
	BL_OPEN_V6 = 1u << 1,
	BL_OPEN_CIDR4 = 1u << 2,
	BL_OPEN_CIDR6 = 1u << 3,
	BL_OPEN_STATS = 1u << 4,
	BL_OPEN_META = 1u << 5,
	BL_OPEN_PF = 1u << 6,
	BL_OPEN_GUARD = 1u << 7,
	BL_OPEN_ALL = (1u << 8) - 1,
	BL_OPEN_TIER_TRIED = 1u << 8, /* internal: the optional tier map was looked for */
};

/* Opens the maps pinned in pin_dir. -ENOENT (quietly) when arxdp is not loaded there. */
int bl_open(struct blocklist *bl, const char *pin_dir);
/*
 * bl_open opening only the parts in what (BL_OPEN_*) now: a process that works on one address
 * opens its family alone (bl_open_for), and only an add reads this host's addresses. Whatever
 * an operation needs beyond that is opened when it first runs (bl_need), with the same checks;
 * a pin found missing then is said, and its error returned.
 */
int bl_open_some(struct blocklist *bl, const char *pin_dir, unsigned int what);
/* The parts a block or an unblock of a needs (an add also needs BL_OPEN_GUARD). */
unsigned int bl_open_for(const struct arxdp_addr *a);
/* Opens the parts of what not open yet; 0 when all are. */
int bl_need(struct blocklist *bl, unsigned int what);
/* The maps of one instance by fd; -1 for an optional map the instance lacks. */
struct bl_fds {
	int block4, block6, cidr4, cidr6, stats, meta;
	int prefilter, pfcount; /* optional */
	int hot4, hot6, tier; /* optional */
};

/*
 * Opens bl over maps the caller already holds (a private instance: loader_private_blocklist());
 * the fds are duplicated, so they stay the caller's.
 */
int bl_open_fds(struct blocklist *bl, const struct bl_fds *fds);
void bl_close(struct blocklist *bl);

/*
 * The pin-directory lock; no-op for a private instance. Nested: an inner call only counts.
 * The wait is bounded by lock_timeout_ms (set it after bl_open: the daemon a short one, e.g.
 * 50 ms, the CLI and the drop-in keep the 5 s default). -ETIMEDOUT when another process held
 * the lock longer: nothing was written and nothing is held; every writer below (bl_block,
 * bl_unblock, bl_flush, ...) then returns -ETIMEDOUT the same way, and the caller retries later
 * (the daemon on its next slice). The first timeout is logged, the following ones are quiet
 * until the lock is taken again, which is said once too.
 */
int bl_lock(struct blocklist *bl);
void bl_unlock(struct blocklist *bl);

/* This host's addresses (those getifaddrs() lists, from one RTM_GETADDR dump), malloc'd in *out. */
int bl_host_addrs(struct arxdp_addr **out, size_t *n);
/* Adds an address or prefix that must never be blocked. */
int bl_protect(struct blocklist *bl, const struct arxdp_addr *a);
/*
 * -EPERM with a reason when a is loopback, unspecified, one of ours, or covers one of ours.
 * The gate of every add: it opens a's maps and reads this host's addresses when not done yet
 * (another error, with a reason, when that fails).
 */
int bl_check_allowed(struct blocklist *bl, const struct arxdp_addr *a, const char **why);

struct bl_reason {
	uint32_t rule_id;
	uint8_t level;
	uint8_t origin; /* enum arxdp_origin */
	uint64_t seq; /* alert-stream position (arxdpd), 0 = none */
	uint8_t keys; /* ARXDP_KEY_PLAIN/MAPPED execd holds this write under (firewall-drop) */
	/* Another response's write onto this block (its own execd timer): it may extend the
	 * block, never shorten it. */
	bool floor;
};

enum bl_result {
	BL_NEW = 0, /* not blocked before (or only by an expired entry) */
	BL_EXTENDED, /* already blocked: timer restarted, offense counted */
	BL_DUPLICATE, /* this alert (seq) was already applied: nothing written */
};

/*
 * Blocks a for timeout_s seconds (0 = permanent), as execd treats a repeat: a live block is
 * extended from now and its offense count grows (offenses counts every add while the block
 * lives, the first included, whichever writer made it); a permanent block is never shortened
 * by a timed one. A write with why->keys adds that key form to the block and never shortens
 * it either: the later expiry wins, as execd's timers for two keys would keep it until the
 * last; nor does any write onto a block an execd key holds. A write of why->origin
 * ARXDP_ORIGIN_CLI (blocked by hand) adds ARXDP_KEY_OPERATOR: no execd delete removes the
 * block then (bl_unblock_key). A why->seq not above the stored one is a re-read alert:
 * nothing is written (BL_DUPLICATE). Takes the lock itself. *res (optional) says which case
 * it was.
 */
int bl_block(struct blocklist *bl, const struct arxdp_addr *a, uint32_t timeout_s,
	     const struct bl_reason *why, enum bl_result *res, struct arxdp_block *out);
/*
 * firewall-drop's abort path: execd already holds this key, extends its own timer and runs no
 * add, so the repeat is counted here: exactly bl_block on a live block (BL_EXTENDED), and
 * -ENOENT, with nothing written, when a is not blocked (or only by an expired entry).
 */
int bl_repeat(struct blocklist *bl, const struct arxdp_addr *a, uint32_t timeout_s,
	      const struct bl_reason *why, struct arxdp_block *out);
/* Writes v as it is (state restore); the caller holds the lock. */
int bl_put(struct blocklist *bl, const struct arxdp_addr *a, const struct arxdp_block *v);
/* -ENOENT when not blocked. Takes the lock itself. */
int bl_unblock(struct blocklist *bl, const struct arxdp_addr *a);
/*
 * firewall-drop's delete: execd's timer for key form key (ARXDP_KEY_*) ended. The entry is
 * deleted unless another key form or the operator's hold (ARXDP_KEY_OPERATOR) still holds a
 * live block; then only key is cleared and *kept (optional) says what holds it, 0 when the
 * entry was deleted. -ENOENT when not blocked. Takes the lock itself.
 */
int bl_unblock_key(struct blocklist *bl, const struct arxdp_addr *a, uint8_t key, uint8_t *kept);
int bl_get(struct blocklist *bl, const struct arxdp_addr *a, struct arxdp_block *v);
/*
 * Removes every block, in slices of at most BL_FLUSH_SLICE entries, each under its own lock:
 * other writers get the lock between slices. A lock timeout stops it with -ETIMEDOUT and
 * *removed tells how far it got (a repeat finishes the job).
 */
#define BL_FLUSH_SLICE 1024
int bl_flush(struct blocklist *bl, uint64_t *removed);

struct bl_item {
	struct arxdp_addr addr;
	uint32_t timeout_s;
};

/*
 * Bulk load with batched map updates. Items already checked by the caller; each item's
 * verdict lands in errs[i] (0 or -errno). Returns 0 or the first fatal error; *loaded
 * counts what was written.
 */
int bl_block_many(struct blocklist *bl, const struct bl_item *items, int n,
		  const struct bl_reason *why, int *errs, uint64_t *loaded);

struct bl_entry {
	struct arxdp_addr addr;
	struct arxdp_block v;
	struct arxdp_counter dropped; /* the block's drop counts (v.packets, v.bytes) */
};

/* Calls cb for every entry of the six maps (both tiers: one list); cb returning non-zero stops with that value. */
int bl_foreach(struct blocklist *bl, int (*cb)(const struct bl_entry *e, void *ctx), void *ctx);

/*
 * Incremental sweep: scans up to budget entries from where the previous call stopped (bounded
 * work per call), deleting those whose expiry passed at now_mono_ns; cb sees each one first.
 * After the last map it starts over at the next call. budget UINT32_MAX: one full pass.
 */
int bl_sweep(struct blocklist *bl, uint64_t now_mono_ns, uint32_t budget,
	     void (*cb)(const struct bl_entry *e, void *ctx), void *ctx, uint32_t *swept);
/* Whether the next bl_sweep() starts a pass: none began yet, or the last one wrapped. */
bool bl_sweep_at_start(const struct blocklist *bl);

/* Live blocks by origin and family, as the sweep counted them over a pass. */
struct bl_tally {
	bool valid; /* false until a first pass ended */
	uint64_t by_origin[ARXDP_ORIGIN_MAX];
	uint64_t v4, v6;
};
/*
 * The tally of the sweep's last complete pass, so that a daemon can report the breakdown
 * without walking the maps in its loop: as old as that pass (entries changed while it ran are
 * counted where the pass found them).
 */
void bl_sweep_tally(const struct blocklist *bl, struct bl_tally *out);

/* Global counters summed over CPUs and interfaces. */
int bl_stats(struct blocklist *bl, struct arxdp_counter out[ARXDP_STAT_MAX]);
/*
 * The counters of each interface that counted anything (summed over CPUs). ifindex 0 holds
 * the interfaces whose ifindex is ARXDP_MAX_IFINDEX or more.
 */
int bl_stats_ifaces(struct blocklist *bl,
		    void (*cb)(uint32_t ifindex, const struct arxdp_counter row[ARXDP_STAT_MAX],
			       void *ctx),
		    void *ctx);
/* A block's drop counts; zero when a is not blocked. */
int bl_counters(struct blocklist *bl, const struct arxdp_addr *a, struct arxdp_counter *sum);

/* block4 and block6 count both tiers; hot4 and hot6 the part of them in the hot tier. */
struct bl_fill {
	uint64_t block4, block6, cidr4, cidr6;
	uint64_t hot4, hot6;
};
int bl_fill(struct blocklist *bl, struct bl_fill *f);

const char *origin_name(uint8_t origin);
/* Seconds left (rounded up) for a live block, 0 when permanent or expired. */
uint64_t bl_remaining_s(const struct arxdp_block *v, uint64_t now_mono_ns);
/*
 * The operator's seconds that start at execd's delete: an unstamped block that an execd key
 * holds keeps a timed request by hand in timeout_s (bl_block), 0 when there is none.
 */
uint32_t bl_after_execd_s(const struct arxdp_block *v);
bool bl_expired(const struct arxdp_block *v, uint64_t now_mono_ns);

/*
 * Recomputes the prefilter bitmap and its per-slot counts, and the tier map's counts of the big
 * maps, from the exact maps, under the lock:
 * the repair for a pin set whose prefilter is missing or was written by a writer that did not
 * keep it (the loader runs it on a pin set made before the prefilter; arxdpd at start).
 * *slots_set counts the slots whose bit is set. -ENOENT when these maps have no prefilter (the
 * tier counts are recounted all the same). On a blocklist of bl_open() (every part open).
 */
int bl_pf_rebuild(struct blocklist *bl, uint64_t *slots_set);

/* The program's load and attach flags and the trie counts (the "meta" map); zeroed on failure. */
int bl_meta(struct blocklist *bl, struct arxdp_meta *out);

/*
 * The kernel's id of the IPv4 block map: unique within a boot, so it tells these maps from
 * maps made anew (after a reboot, an unload) under the same pins.
 */
int bl_map_id(struct blocklist *bl, uint32_t *id);

/*
 * Pins again, under the same names, whatever of these maps (and prog_fd, when >= 0) is missing
 * from the pin directory: a bpffs unmounted and mounted again under a running daemon holds no
 * pins, while the program and the maps live on through their fds. A pin that exists is left
 * alone. *repinned counts what was pinned; -errno of the last failure (not bpffs: -EPERM).
 */
int bl_repin(struct blocklist *bl, int prog_fd, int *repinned);

#endif /* ARXDP_BLOCKLIST_H */
