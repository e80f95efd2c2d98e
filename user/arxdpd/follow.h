/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares the alerts.json input of arxdpd: the follower hands each complete alert
 * line to the matching engine, whose decisions go to the responder. Blocks from one alert carry
 * its position in the stream, so an alert re-read after a crash is never applied twice.
 */
#ifndef ARXDPD_FOLLOW_H
#define ARXDPD_FOLLOW_H

#include <stdbool.h>
#include <stdint.h>
#include "tail.h"

struct responder;

struct follow {
	struct tail tail;
	struct responder *r;
	const char *path; /* for messages */
	bool lock_busy; /* the pin-directory lock was held by another: nothing read, try again */
	uint64_t last_alert_mono; /* when the last line arrived: snapshots wait for a pause */
};

int follow_open(struct follow *f, struct responder *r, const char *path,
		const struct tail_pos *resume, bool from_start);
void follow_close(struct follow *f);
/*
 * Reads and applies what has arrived, up to the per-poll budget (f->tail.more: lines left),
 * all under one pin-directory lock. When another process holds the lock past the blocklist's
 * wait, nothing is read (-ETIMEDOUT, f->lock_busy): the lines wait in the file, none is lost.
 */
int follow_poll(struct follow *f);
/* One alert line, as the follower hands it out (exposed for tests and replays). */
int follow_line(struct follow *f, const char *line, size_t len, const struct tail_pos *at,
		bool too_long);

#endif /* ARXDPD_FOLLOW_H */
