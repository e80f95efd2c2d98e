/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares the loader: the only user of the skeleton. It mounts bpffs when needed,
 * loads the XDP program over the pinned maps (creating and pinning them on first use), pins
 * the program, and attaches it to or detaches it from interfaces.
 */
#ifndef ARXDP_LOADER_H
#define ARXDP_LOADER_H

#include <stdbool.h>
#include <stdint.h>
#include "xdpmode.h"

struct loader_opts {
	const char *pin_dir;
	uint32_t capacity_v4;
	uint32_t capacity_v6;
	uint32_t cidr_capacity;
	/* The hot tier's capacity per family; 0: ARXDP_HOT_CAPACITY. Measuring and tests only:
	 * a pinned hot map keeps the size it was made with. */
	uint32_t hot_capacity;
	bool dry_run;
	bool precise_clock; /* benchmarks only: bpf_ktime_get_ns() instead of the tick clock */
	bool coarse_clock; /* measuring only: the coarse clock's helper instead of jiffies */
	bool no_block_counters; /* no per-block drop counts (no add per drop) */
	bool no_prefilter; /* measuring only: every packet looks the exact map up */
	/* Measuring only, private instances only (loader_private_open): the program reads the big
	 * maps alone and the instance's blocklist writes there, as before the hot tier. */
	bool no_hot_tier;
	bool dispatcher; /* attach through libxdp's dispatcher when the kernel can run it */
	unsigned int priority; /* libxdp run priority (lower runs first) */
	/* Load a new program even when one is pinned (new knobs, new build); maps are kept. */
	bool reload;
};

/*
 * Returns an fd of the pinned program, loading and pinning it first when absent (or when
 * opts->reload). Existing pinned maps are reused, whatever their capacity.
 */
int loader_get_prog(const struct loader_opts *opts, int *prog_fd);
/* The ARXDP_LOAD_* flags a program loaded with opts has. */
__u32 loader_load_flags(const struct loader_opts *opts);
/* The ARXDP_LOAD_* flags of the program pinned in pin_dir; -ENOENT when none is pinned. */
int loader_pinned_load_flags(const char *pin_dir, __u32 *flags);

/*
 * Loads the program without pinning anything and without touching pinned maps: a private
 * instance for BPF_PROG_TEST_RUN. The caller gets the program fd and every map fd by name
 * through loader_private_map_fd(); release with loader_private_close().
 */
struct loader_private;
int loader_private_open(const struct loader_opts *opts, struct loader_private **out);
int loader_private_prog_fd(const struct loader_private *lp);
int loader_private_map_fd(const struct loader_private *lp, const char *name);
/* The tick length the instance's expiry clock counts in; 0: it calls the coarse clock. */
__u32 loader_private_clock_tick(const struct loader_private *lp);
void loader_private_close(struct loader_private *lp);
struct blocklist;
/* Opens bl over the maps of a private instance (tests, benchmarks); they stay owned by lp. */
int loader_private_blocklist(const struct loader_private *lp, struct blocklist *bl);

enum attach_state {
	ATTACH_NONE = 0,
	ATTACH_OURS, /* our program, over our maps */
	ATTACH_FOREIGN,
};

struct attach_info {
	enum attach_state state;
	enum arxdp_xdp_mode mode; /* NATIVE or SKB when attached */
	bool dispatcher; /* ours runs as one program of a libxdp dispatcher */
	int n_progs; /* programs on the interface (a dispatcher's count, else 1) */
	uint32_t prog_id;
	char prog_name[16];
};

/* What is attached to ifindex, judged against the maps pinned in pin_dir. */
int loader_query(const char *pin_dir, int ifindex, struct attach_info *info);

/*
 * Attaches the pinned program (loading it first when needed). A foreign program is replaced
 * only with force; our own is replaced in place (new build, new knobs). *used_mode receives
 * the mode that took.
 */
int loader_attach(const struct loader_opts *opts, const char *ifname, enum arxdp_xdp_mode mode,
		  bool force, enum arxdp_xdp_mode *used_mode);
/* Detaches our program from ifname; the maps and every block stay. */
int loader_detach(const char *pin_dir, const char *ifname);

const char *mode_name(enum arxdp_xdp_mode mode);
int mode_parse(const char *s, enum arxdp_xdp_mode *mode);

#endif /* ARXDP_LOADER_H */
