/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares arxdpd's persistence: state snapshots written by a forked child, the
 * reconciliation of the saved state with the pinned maps at start, and the incremental sweep
 * of expired blocks.
 */
#ifndef ARXDPD_PERSIST_H
#define ARXDPD_PERSIST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "state.h"
#include "tail.h"

struct responder;

struct persist {
	const char *dir; /* the state directory */
	pid_t saver; /* the snapshot child, 0 when none runs */
	struct queued_run *covered; /* scripts the running snapshot covers: released after it */
	uint64_t last_save_mono;
	uint64_t saver_wait_ns; /* how long a stop waits for a running snapshot (persist_init) */
	uint32_t sweep_credit; /* entries the expiry sweep may still scan before the next tick */
	uint32_t sweep_slice; /* entries per slice (persist_init) */
	struct state_maps maps; /* the maps this daemon writes, as every snapshot records them */
};

void persist_init(struct persist *p, const char *dir);
/*
 * Saves the responder's state with the alert position pos when it is dirty: in a forked child,
 * and no more often than every 0.5 s (every 5 s while busy, when alerts keep coming), at once
 * when scripts are held (they start when the snapshot holding their alert is on disk). force:
 * now, in this process, after a running snapshot ended (at exit); one that has not ended within
 * saver_wait_ns is killed and counted as failed, so a stop never hangs on a stuck disk.
 */
void persist_save(struct persist *p, struct responder *r, const struct tail_pos *pos, bool busy,
		  bool force);
/*
 * The last save of a clean stop, in this process: with the script runs that never started
 * (the runner's queue, taken over, then the held ones), so the next start runs them.
 */
void persist_final(struct persist *p, struct responder *r, const struct tail_pos *pos,
		   struct queued_run *not_started);
/*
 * A reaped child: true when it was the snapshot. A good one releases the scripts it covered to
 * the runner; a failed one makes the state dirty again and holds them for the next.
 */
bool persist_child(struct persist *p, struct responder *r, pid_t pid, int status);
/*
 * Loads the state and reconciles it with the maps: blocks still in a map take the map's
 * values. A block missing from the very maps the snapshot was taken against was removed by
 * another writer (arxdp flush or unblock, the drop-in's delete): that is final, it is
 * forgotten. Missing from other maps (a reboot, maps made anew), it is restored with its time
 * left, or logged as deleted when it ran out; one the never-block guard refuses (this host's
 * address by now, loopback, a prefix covering one) is said and forgotten. The dedupe's recent
 * keys go back to the responder (responder_seen_restore). A corrupt state file is moved aside.
 */
int persist_load(struct persist *p, struct responder *r, struct tail_pos *pos, bool *have_pos);
/*
 * The expiry sweep, which removes expired blocks and logs each as firewall-drop would: each
 * tick grants a budget (a million-entry pass takes 8 s), spent in small slices, one per turn
 * of the event loop, so events wait behind a slice, never behind a pass. step: one slice;
 * true while budget is left and the pass has not wrapped.
 */
void persist_sweep_start(struct persist *p);
bool persist_sweep_step(struct persist *p, struct responder *r);

#endif /* ARXDPD_PERSIST_H */
