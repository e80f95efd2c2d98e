/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares the daemon object: the loop's sources and the parts it glues together
 * (responder, alerts.json input, persistence, control socket). One instance lives in main()
 * and is passed to everything that needs more than the responder; nothing here is global.
 */
#ifndef ARXDPD_DAEMON_H
#define ARXDPD_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include "blocklist.h"
#include "follow.h"
#include "loader.h"
#include "persist.h"
#include "responder.h"
#include "settings.h"

struct cJSON;
struct runner;

struct daemon_opts {
	const char *config;
	bool foreground, check_only, from_start, unblock_on_exit;
	int verbose;
};

struct daemon {
	struct daemon_opts o;
	struct arxdp_settings s;
	struct settings_flags flags; /* the command line's settings: a reload applies them again */
	struct blocklist bl;
	struct responder r;
	struct follow in;
	struct persist p;
	struct runner *runner;
	int epfd, sigfd, timerfd, inofd, ctlfd, lockfd, metricsfd;
	int claimfd; /* one daemon per pin directory (claim_pin_dir) */
	int nlfd; /* netlink: this host's addresses changed */
	uint64_t ticks, start_mono;
	bool metrics_file_failed, stop;
	enum arxdp_xdp_mode used_mode[ARXDP_MAX_IFACES];
};

/* control.c: the control socket. */
int control_open(struct daemon *d);
void control_close(struct daemon *d);
/* Answers every client waiting on the listening socket. */
void control_serve(struct daemon *d);
/* The daemon's counters and settings as `arxdp status` shows them. */
struct cJSON *daemon_status(const struct daemon *d);

/* main.c: re-reads both configuration files; a broken one keeps the running configuration. */
int daemon_reload(struct daemon *d);
/* main.c: saves the state now if due (force: now, whatever the interval). */
void daemon_save(struct daemon *d, bool force);

#endif /* ARXDPD_DAEMON_H */
