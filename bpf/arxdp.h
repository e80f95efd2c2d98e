/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file is the one contract between the XDP program and user space: map names, keys,
 * values, counter indices and defaults. Fixed-width types only, so the BPF target and the
 * host compiler lay every struct out identically; explicit padding keeps BTF and memcmp honest.
 */
#ifndef ARXDP_H
#define ARXDP_H

#include <linux/types.h>

#define ARXDP_PIN_DIR_DEFAULT "/sys/fs/bpf/arxdp"
#define ARXDP_PIN_DIR_ENV "ARXDP_PIN_DIR"

/* Map names double as pin names (LIBBPF_PIN_BY_NAME); the kernel keeps 15 characters. */
#define ARXDP_MAP_BLOCK4 "block_v4"
#define ARXDP_MAP_BLOCK6 "block_v6"
#define ARXDP_MAP_CIDR4 "cidr_v4"
#define ARXDP_MAP_CIDR6 "cidr_v6"
#define ARXDP_MAP_STATS "stats"
#define ARXDP_MAP_META "meta"
#define ARXDP_MAP_PREFILTER "prefilter"
#define ARXDP_MAP_PFCOUNT "pf_count"
#define ARXDP_MAP_HOT4 "block_v4_hot"
#define ARXDP_MAP_HOT6 "block_v6_hot"
#define ARXDP_MAP_TIER "tier"
/* The loaded program is pinned too, so every interface runs one instance over one map set. */
#define ARXDP_PIN_PROG "prog"
#define ARXDP_PROG_NAME "arxdp_xdp"

#define ARXDP_DEFAULT_CAPACITY 1048576u
#define ARXDP_DEFAULT_CIDR_CAPACITY 65536u

/*
 * The hot tier: a small exact hash per family, looked up before the big one. A hash's bucket
 * array is roundup_pow_of_two(max_entries) x 16 bytes, 16 MiB at the default capacity: a few
 * thousand live blocks spread over it miss the cache on every lookup, while a 16,384-entry
 * map's 256 KiB of buckets stays in L2 (docs/BENCHMARKS.md, "drop and clean paths"). Writers
 * (blocklist_tier.c) put a new block in the hot map while it has room, else in the big one; an
 * entry stays in the tier it was written to, and a key is never in both.
 */
#define ARXDP_HOT_CAPACITY 16384u

enum arxdp_origin {
	ARXDP_ORIGIN_NONE = 0,
	ARXDP_ORIGIN_ALERT = 1,
	ARXDP_ORIGIN_CLI = 2,
	ARXDP_ORIGIN_FIREWALL_DROP = 3,
	ARXDP_ORIGIN_STATE = 4,
	ARXDP_ORIGIN_MAX,
};

/* Value of every block map (exact and CIDR, both families). */
struct arxdp_block {
	/* CLOCK_MONOTONIC ns, read by the program at tick granularity (see struct
	 * arxdp_clock_sample); 0 = permanent. */
	__u64 expires_ns;
	/* CLOCK_REALTIME ns of the first block; kept across extensions. */
	__u64 added_ns;
	/* arxdpd's position in the alert stream of the alert that last wrote this block (0 = not
	 * from an alert): re-reading an alert after a crash never applies it twice. */
	__u64 seq;
	__u32 timeout_s; /* duration last applied, for display and state (0 = permanent) */
	__u32 rule_id; /* Wazuh rule id, 0 = none */
	__u32 offenses; /* adds seen for this address while blocked, first = 1 */
	__u8 level; /* Wazuh rule level, 0 = none */
	__u8 origin; /* enum arxdp_origin */
	/* A trie lookup returns the value, not the matched key: the prefix length stored
	 * here tells user space which prefix answered an exact-key lookup. */
	__u8 prefixlen;
	/*
	 * ARXDP_KEY_*: the forms of the address under which wazuh-execd holds this block (only
	 * the drop-in firewall-drop sets them). execd keys "198.51.100.4" and
	 * "::ffff:198.51.100.4" as two rkeys with two timers while the map holds one entry, so
	 * the entry lives until the last of its keys is deleted; an operator's add (the CLI)
	 * holds it too, with ARXDP_KEY_OPERATOR, which no firewall-drop delete releases. 0: no
	 * key (arxdpd's alerts, older writers); a firewall-drop delete then removes the entry.
	 * Was padding, so maps pinned before keep their layout. The program never reads it.
	 */
	__u8 keys;
	/*
	 * Drops of this block (dry run: would-be drops), added by the program with plain adds:
	 * one lookup per packet, no second map, no locked instruction. Exact while one CPU at a
	 * time receives the source; when several CPUs take its packets at once, an add is lost
	 * when another CPU's store lands between its load and its store, so the count is a lower
	 * bound: never above the drops, short of them by at most the adds that overlapped
	 * another CPU's (docs/BENCHMARKS.md, "drop and clean paths", measures it). User space
	 * carries them across an extension; the packets between its read and its write are lost.
	 */
	__u64 packets;
	__u64 bytes;
};

/*
 * Value of the hot maps: struct arxdp_block's fields, those a drop reads and writes first. A
 * hash element holds a 48-byte header (its hash at byte 40), the key padded to 8 bytes, then
 * the value: in this order the hash, the key, the expiry and the drop counts of a hot IPv4
 * block span 40 bytes, one cache line for half the elements (a 112-byte element starts at
 * one of four offsets in a line), where struct arxdp_block's order puts the counts 40 bytes
 * past the expiry, two lines for every element. User space
 * converts (blocklist_int.h); the big maps keep struct arxdp_block, so pinned maps keep
 * their layout.
 */
struct arxdp_hot {
	__u64 expires_ns;
	__u64 packets;
	__u64 bytes;
	__u64 added_ns;
	__u64 seq;
	__u32 timeout_s;
	__u32 rule_id;
	__u32 offenses;
	__u8 level;
	__u8 origin;
	__u8 prefixlen;
	__u8 keys;
};

#define ARXDP_KEY_PLAIN (1u << 0) /* the address as written: IPv4 dotted quad, or IPv6 */
#define ARXDP_KEY_MAPPED (1u << 1) /* an IPv4 address written IPv4-mapped: ::ffff:a.b.c.d */
#define ARXDP_KEY_OPERATOR (1u << 2) /* blocked by hand: no firewall-drop delete ends it */

/* LPM trie keys: prefixlen first, as the trie requires; addresses in network byte order. */
struct arxdp_lpm4 {
	__u32 prefixlen;
	__u32 addr;
};

struct arxdp_lpm6 {
	__u32 prefixlen;
	__u8 addr[16];
};

/* Per-CPU packet and byte counts of the global counter array. */
struct arxdp_counter {
	__u64 packets;
	__u64 bytes;
};

/*
 * The per-CPU counter array holds one row of ARXDP_STAT_MAX counters per receiving interface:
 * index = ifindex * ARXDP_STAT_MAX + stat, for ifindex below ARXDP_MAX_IFINDEX; row 0 takes
 * every higher ifindex (ifindex 0 is never a device). An array index costs no lookup on the
 * packet path, unlike a hash keyed by interface.
 */
#define ARXDP_MAX_IFINDEX 1024

/* Counter index within a row: verdict x family x reason. */
enum arxdp_stat {
	ARXDP_STAT_PASS_V4 = 0, /* IPv4, no block */
	ARXDP_STAT_PASS_V6, /* IPv6, no block */
	ARXDP_STAT_PASS_OTHER, /* not IP, or not parsable: passed untouched */
	ARXDP_STAT_PASS_EXPIRED_V4, /* a block matched but had expired */
	ARXDP_STAT_PASS_EXPIRED_V6,
	ARXDP_STAT_DROP_V4, /* exact IPv4 block */
	ARXDP_STAT_DROP_V6, /* exact IPv6 block */
	ARXDP_STAT_DROP_CIDR_V4, /* IPv4 prefix block */
	ARXDP_STAT_DROP_CIDR_V6, /* IPv6 prefix block */
	ARXDP_STAT_DRYRUN_V4, /* would have been dropped (dry_run) */
	ARXDP_STAT_DRYRUN_V6,
	ARXDP_STAT_MAX,
};

/* Single-entry array kept by user space under the pin-directory lock. */
struct arxdp_meta {
	__u32 cidr4_entries; /* the trie is consulted only when non-zero */
	__u32 cidr6_entries;
	__u32 load_flags; /* ARXDP_LOAD_* of the pinned program; the program never reads it */
	__u32 attach_flags; /* ARXDP_ATTACH_*: how the last attach went; user space only */
};

/*
 * Single-entry array kept by user space under the pin-directory lock: how many entries each
 * exact map holds. The program looks a big map up only after a hot miss and only when its count
 * is non-zero, so the blocks of a list that fits in the hot tier never touch the big map's
 * buckets; the program never reads the hot counts: writers keep a family's two tiers within
 * the configured capacity (the big map's max_entries) with them. A writer counts BEFORE it
 * inserts and deletes BEFORE it uncounts: an interrupted writer leaves a count too high (a
 * lookup too many, a block refused early until the next rebuild), never a block the program
 * skips. A separate map, not fields of arxdp_meta: a pinned meta keeps its layout.
 */
struct arxdp_tier {
	__u32 big4_entries;
	__u32 big6_entries;
	__u32 hot4_entries;
	__u32 hot6_entries;
};

/*
 * The prefilter: a bitmap the program reads before the exact maps, so traffic from sources
 * with no block near them never touches a big hash (whose random buckets miss the cache at a
 * million entries). One bit per slot: an IPv4 address's slot is its /24 (exact), an IPv6
 * address's a hash of its /64 into a second range. A clear bit proves no exact block in the
 * slot and the program passes without the lookup; a set bit only sends it to the lookup.
 * Prefix blocks never depend on it (the tries are gated by meta's counts instead).
 *
 * User space keeps it exact under the pin-directory lock, with a count per slot in
 * ARXDP_MAP_PFCOUNT (a hash the program never reads): a writer counts and sets the bit BEFORE
 * it inserts into an exact map, and deletes from the map BEFORE it uncounts (clearing the bit
 * at zero), so an interrupted writer leaves a false positive (a lookup too many), never a
 * block the program cannot see. The array is BPF_F_MMAPABLE: a writer of many bits sets them
 * in place through the mapping; one of a few (a CLI or drop-in process) rewrites the bit's
 * word through bpf(), read and written under the lock, so the other slots' bits stay.
 */
#define ARXDP_PF_SLOT_BITS 24
#define ARXDP_PF_V6_BASE (1u << ARXDP_PF_SLOT_BITS) /* IPv6 slots follow the 2^24 of IPv4 */
#define ARXDP_PF_SLOTS (2u << ARXDP_PF_SLOT_BITS)
#define ARXDP_PF_WORDS (ARXDP_PF_SLOTS / 64) /* __u64 words: 4 MiB */

/* Byte by byte, so the BPF target and the host agree whatever their byte order. */
static inline __attribute__((always_inline)) __u32 arxdp_pf_slot4(const void *addr)
{
	const __u8 *p = addr;

	return (__u32)p[0] << 16 | (__u32)p[1] << 8 | p[2];
}

/* The /64 (first 8 bytes), mixed multiplicatively; the top ARXDP_PF_SLOT_BITS bits index. */
static inline __attribute__((always_inline)) __u32 arxdp_pf_slot6(const void *addr)
{
	const __u8 *p = addr;
	__u32 hi = (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
	__u32 lo = (__u32)p[4] << 24 | (__u32)p[5] << 16 | (__u32)p[6] << 8 | p[7];
	__u32 h = (hi * 0x9e3779b1u) ^ lo;

	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return ARXDP_PF_V6_BASE | (h >> (32 - ARXDP_PF_SLOT_BITS));
}

/*
 * The program's revision, in the top byte of arxdp_meta.load_flags (0: pinned before the
 * revision existed). A pinned program of a lower revision may not read a map this build's
 * writers fill (the hot tier did not exist for it), so the loader loads this build's at its
 * next load and swaps it in on every interface running the old one; a higher revision (a newer
 * build's) is kept. Raise it whenever the program starts to read a map or field it did not,
 * and for a change a running host should take at its next start (a cheaper clock).
 */
#define ARXDP_LOAD_REV_SHIFT 24
#define ARXDP_LOAD_REV_MASK (0xffu << ARXDP_LOAD_REV_SHIFT)
#define ARXDP_PROG_REV 2u /* 1: the hot tier was read; 2: the expiry clock is jiffies */

/*
 * The expiry clock. The program reads CLOCK_MONOTONIC at tick granularity from jiffies, a load
 * the verifier inlines, instead of calling bpf_ktime_get_coarse_ns() on every hit of a timed
 * block (5-8 ns of a 30-45 ns drop, docs/BENCHMARKS.md). The kernel advances jiffies by exactly
 * TICK_NSEC of CLOCK_MONOTONIC per tick (tick_do_update_jiffies64), and neither counts a
 * suspend, so now = jiffies * tick_ns + offset_ns holds for the whole boot. The loader samples
 * arxdp_clock.bpf.c around a few jiffies' starts and keeps the least offset (loader.c,
 * tick_measure): the program's clock then lags CLOCK_MONOTONIC by at most a tick and the
 * sampling gap, as the coarse clock lags by a tick, and is ahead of it only by the delay of a
 * tick counted late at every sample (a block expires that much early at worst; tests/bpf/
 * test_clock.c bounds it by a millisecond). A kernel whose HZ cannot be read, or whose ticks
 * match no HZ, keeps the helper (tick_ns 0).
 */
struct arxdp_clock_sample {
	__u64 jiffies;
	__u64 coarse_ns;
	__u32 hz; /* CONFIG_HZ, 0 when the kernel's configuration is not readable */
	__u32 pad;
};

#define ARXDP_LOAD_DRY_RUN (1u << 0)
#define ARXDP_LOAD_NO_BLOCK_COUNTERS (1u << 1)
#define ARXDP_LOAD_NO_PREFILTER (1u << 2) /* measuring only: the prefilter is not consulted */
#define ARXDP_ATTACH_DISPATCHER (1u << 0) /* attached through libxdp's dispatcher */
#define ARXDP_ATTACH_NO_DISPATCHER (1u << 1) /* the dispatcher could not run: plain attach */

#endif /* ARXDP_H */
