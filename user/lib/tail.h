/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares the alerts.json follower. Wazuh appends one line per alert, may leave a
 * partial last line, re-creates alerts.json as a new hard link at rotation (the old file keeps
 * living under logs/alerts/YYYY/Mon/), and may truncate. The follower hands out complete lines
 * only, finishes the old file before it switches, and reports a position that a restart can
 * resume from, including into a file that was rotated away meanwhile.
 *
 * Hostile or broken files: only a regular file is read, never through a symbolic link, and
 * open() never waits on a FIFO or device (Wazuh's user owns logs/; Wazuh itself only ever
 * makes alerts.json a regular file, re-linked at rotation). Anything else is said once and
 * checked again at every poll. NUL bytes are no part of any line (JSON never holds a raw
 * one): a NUL ends the line being read, which is handed out as it is, and a run of NULs (a
 * sparse or pre-allocated file) is skipped, holes by seeking, so the line after it is read.
 */
#ifndef ARXDP_TAIL_H
#define ARXDP_TAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>

/* Where the next unread line starts. seq counts bytes over every file ever followed, so it
 * only grows: it orders alerts across rotations. */
struct tail_pos {
	uint64_t dev, ino;
	uint64_t offset;
	uint64_t lineno; /* lines consumed in this file */
	uint64_t seq;
};

struct tail {
	char path[PATH_MAX];
	int fd;
	struct tail_pos pos;
	char *buf; /* the partial line read so far */
	size_t len, cap, max_line;
	bool discarding; /* inside an over-long line: dropping bytes until its newline */
	uint64_t long_line_no;
	/* Lines handed out per tail_poll at most (0 = no limit), so a huge burst never keeps the
	 * caller's event loop from its other work; more is set when lines were left. */
	size_t line_budget;
	/* Bytes read per tail_poll at most (tail_open sets TAIL_BYTE_BUDGET; 0 = no limit): an
	 * over-long line or a run of NULs is read over several polls, more set meanwhile. */
	size_t byte_budget;
	bool more;
	uint64_t nul_bytes; /* NUL bytes skipped in this file (said once per file) */
	/* The refusal said last ("is a FIFO, ...", a static text): the same one is not said
	 * again until a file opens. */
	const char *refused;
};

#define TAIL_BYTE_BUDGET (4u << 20)

/* Called for every complete line (no newline). too_long: only the first max_line bytes. */
typedef int (*tail_line_cb)(const char *line, size_t len, const struct tail_pos *at, bool too_long,
			    void *ctx);

/*
 * Opens path. With resume (a saved position), continues there: in the same file, or in the
 * rotated file found by inode under the directory of path (then the new file from its start).
 * Without resume, starts at the end (from_start: at the beginning). A missing file is not an
 * error: it is opened when it appears.
 */
int tail_open(struct tail *t, const char *path, size_t max_line, const struct tail_pos *resume,
	      bool from_start);
/* Reads what is available, calling cb per complete line; handles rotation and truncation. */
int tail_poll(struct tail *t, tail_line_cb cb, void *ctx);
void tail_close(struct tail *t);

#endif /* ARXDP_TAIL_H */
