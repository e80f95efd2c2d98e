/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares `arxdp top`: a live terminal view of the busiest blocked addresses, with
 * drop rates computed from the per-block counters between two refreshes, remaining times and
 * reasons, under a header of global drop and pass rates and map fill. Plain ANSI escapes, no
 * curses: the view is one table, and the terminal is restored on every exit path.
 */
#ifndef ARXDP_TOP_H
#define ARXDP_TOP_H

#include <stdbool.h>
#include <stdint.h>
#include "blocklist.h"

#define TOP_INTERVAL_DEFAULT_MS 1000u
#define TOP_INTERVAL_MIN_MS 100u

struct top_opts {
	const char *pin_dir; /* shown in the header */
	uint32_t interval_ms; /* between refreshes */
	uint64_t iterations; /* refreshes before exiting; 0 = until q, SIGINT or SIGTERM */
	/* One plain frame (no screen control, pipe-friendly), after one interval so the rates
	 * mean something. */
	bool once;
};

/* Parses "[--interval MS] [--iterations N] [--once]" (argv[0] is the command). -EINVAL. */
int top_parse_args(int argc, char **argv, struct top_opts *o);

/*
 * Runs the view on stdout until q, SIGINT, SIGTERM or SIGHUP, or o->iterations refreshes.
 * On a terminal: alternate screen, hidden cursor, non-canonical input, all restored before
 * returning. Elsewhere: frames are printed one after another as plain text.
 */
int top_run(struct blocklist *bl, const struct top_opts *o);

#endif /* ARXDP_TOP_H */
