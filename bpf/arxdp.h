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
/* The loaded program is pinned too, so every interface runs one instance over one map set. */
#define ARXDP_PIN_PROG "prog"
#define ARXDP_PROG_NAME "arxdp_xdp"

#define ARXDP_DEFAULT_CAPACITY 1048576u
#define ARXDP_DEFAULT_CIDR_CAPACITY 65536u

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
	/* CLOCK_MONOTONIC ns as bpf_ktime_get_coarse_ns() reads it; 0 = permanent. */
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
	 * the entry lives until the last of its keys is deleted. 0: no execd key (the CLI,
	 * arxdpd, older writers); a firewall-drop delete then removes the entry. Was padding,
	 * so maps pinned before keep their layout. The program never reads it.
	 */
	__u8 keys;
	/*
	 * Drops of this block (dry run: would-be drops), added by the program with atomic adds:
	 * one lookup per packet instead of a second map, at the price of a shared cache line
	 * when one source floods many CPUs at once (docs/BENCHMARKS.md). User space carries them
	 * across an extension; the packets of the instant between its read and its write are lost.
	 */
	__u64 packets;
	__u64 bytes;
};

#define ARXDP_KEY_PLAIN (1u << 0) /* the address as written: IPv4 dotted quad, or IPv6 */
#define ARXDP_KEY_MAPPED (1u << 1) /* an IPv4 address written IPv4-mapped: ::ffff:a.b.c.d */

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

#define ARXDP_LOAD_DRY_RUN (1u << 0)
#define ARXDP_LOAD_NO_BLOCK_COUNTERS (1u << 1)
#define ARXDP_ATTACH_DISPATCHER (1u << 0) /* attached through libxdp's dispatcher */
#define ARXDP_ATTACH_NO_DISPATCHER (1u << 1) /* the dispatcher could not run: plain attach */

#endif /* ARXDP_H */
