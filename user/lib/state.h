/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares arxdpd's persistent state: the alert-stream position, the blocks it made
 * (with wall-clock expiry, so they survive a reboot that empties the maps), the repeated
 * offender counts, and the script deletes still due. One consistent snapshot, written
 * atomically (temporary file, fsync, rename, fsync of the directory), mode 0600.
 *
 * The directory: the daemon creates it (0700) and refuses it unless path_trusted_dir() (util.h)
 * passes. Even so, no name in it is trusted: the temporary file is created anew (O_EXCL,
 * O_NOFOLLOW, after removing whatever had its name), the rename is relative to the directory
 * fd, and state.json is read only when it is a regular file, not through a link.
 */
#ifndef ARXDP_STATE_H
#define ARXDP_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include "btable.h"
#include "tail.h"

#define STATE_FILE "state.json"

struct offender_table;

/* A stateful script's `delete`, due when CLOCK_MONOTONIC passes deadline (execd's timeout
 * list); the state file keeps it as wall-clock time, re-derived at every save. */
struct pending_delete {
	char exe[BTABLE_EXE_MAX];
	char *rkey; /* owned */
	char *json; /* the delete message, owned */
	uint64_t deadline_mono_ns;
	uint32_t timeout_s;
	struct pending_delete *next;
};

/*
 * A script run waiting to start: an add (execd's add message) or a due delete. The daemon
 * writes its queue into the state only at a clean stop, so a restart runs what a SIGTERM
 * interrupted; a periodic snapshot never holds it, so a crash never runs one twice.
 */
struct queued_run {
	struct queued_run *next;
	char *exe;
	char *json;
	uint32_t timeout_s;
	bool is_delete;
};

void queued_free_all(struct queued_run *list);
void pending_free(struct pending_delete *p);
void pending_free_all(struct pending_delete *list);

/*
 * Which maps a snapshot was taken against. A block the state holds that is missing from those
 * same maps at the next start was removed by another writer (arxdp flush or unblock, the
 * drop-in's delete), which is final; missing from other maps (a reboot emptied bpffs, the
 * maps were made anew) it was lost, and is restored.
 */
struct state_maps {
	char boot_id[40]; /* /proc/sys/kernel/random/boot_id; empty: unknown */
	uint32_t map_id; /* the kernel's id of block_v4, unique within a boot */
};

/*
 * The recent keys of the two inputs' dedupe (responder_seen): with them in the snapshot, an
 * alert that execq applied before a stop is not applied again when its alerts.json line is
 * read after it. A ring: keys[(first + i) % cap] for i < n, oldest first. In the file, hex
 * strings: a JSON number (a double) loses a 64-bit key's low bits.
 */
struct state_seen {
	uint64_t *keys;
	uint32_t cap, n, first;
};

/* maps: NULL writes none (the next start then restores what is missing, as before).
 * queued: the script runs not started yet, only at a clean stop; NULL writes none.
 * seen: NULL or none writes an empty list (a missing one then means an older writer). */
int state_save_seen(const char *dir, const struct tail_pos *pos, const struct btable *bt,
		    struct offender_table *off, const struct pending_delete *pending,
		    const struct state_maps *maps, const struct queued_run *queued,
		    const struct state_seen *seen);
/* state_save_seen() without keys. */
int state_save(const char *dir, const struct tail_pos *pos, const struct btable *bt,
	       struct offender_table *off, const struct pending_delete *pending,
	       const struct state_maps *maps, const struct queued_run *queued);
/*
 * Loads the snapshot into the empty bt/off/pending. -ENOENT when there is none (first start).
 * A corrupt file, or something else than a regular file at its name (a FIFO, a symbolic link),
 * is -EBADMSG with a message; the caller decides (the daemon keeps it aside).
 */
int state_load(const char *dir, struct tail_pos *pos, bool *have_pos, struct btable *bt,
	       struct offender_table *off, struct pending_delete **pending, struct state_maps *maps,
	       struct queued_run **queued);
/*
 * state_load() with the dedupe's keys: seen->cap says how many at most (the newest), and on
 * return seen holds them (keys malloc'd, first 0; NULL on error). A file without the field
 * (an older arxdpd's) or with a bad entry is said, naming the file and the field; the keys
 * that are good load, and nothing else of the state is lost.
 */
int state_load_seen(const char *dir, struct tail_pos *pos, bool *have_pos, struct btable *bt,
		    struct offender_table *off, struct pending_delete **pending,
		    struct state_maps *maps, struct queued_run **queued, struct state_seen *seen);

#endif /* ARXDP_STATE_H */
