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
#include <stdio.h>
#include "blocklist.h"
#include "ctl.h"
#include "execd.h"
#include "follow.h"
#include "loader.h"
#include "persist.h"
#include "responder.h"
#include "settings.h"

struct cJSON;
struct execq_in;
struct runner;

/* What an epoll event's data.ptr points at, for the daemon's own fds: never a runner job. */
enum src_kind {
	SRC_SIGNAL = 1,
	SRC_TIMER,
	SRC_INOTIFY,
	SRC_CTL,
	SRC_METRICS,
	SRC_NETLINK,
	SRC_CLIENT,
	SRC_COM, /* execd mode: queue/sockets/com */
	SRC_EXECQ
};

struct src {
	int magic_not_job;
	enum src_kind kind;
};

enum client_kind { CLIENT_FREE = 0, CLIENT_CTL, CLIENT_HTTP, CLIENT_COM };

#define CLIENTS_CTL_MAX 8
#define CLIENTS_MAX 20 /* CLIENTS_CTL_MAX + METRICS_HTTP_CLIENTS + EXECD_COM_CLIENTS */

/* One connection of the control socket, the metrics port or the com socket (clients.c). */
struct client {
	struct src tag; /* first: the epoll data.ptr */
	enum client_kind kind;
	struct ctl_conn c; /* fd, deadline, request buffer */
	char *out; /* the reply, sent as the socket takes it */
	size_t out_len, out_off;
};

struct daemon_opts {
	const char *config;
	bool foreground, check_only, from_start;
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
	struct execq_in *eq; /* the execq input; NULL when off */
	int epfd, sigfd, timerfd, inofd, ctlfd, lockfd, metricsfd;
	int claimfd; /* one daemon per pin directory (claim_pin_dir) */
	int nlfd; /* netlink: this host's addresses changed */
	int prog_fd; /* the program this daemon loaded or adopted */
	bool pins_lost; /* said once: the pins are gone and cannot be put back yet */
	bool sweeping; /* the expiry sweep has budget left this tick: the loop does not sleep */
	uint64_t ticks, start_mono;
	bool metrics_file_failed, stop;
	enum arxdp_xdp_mode used_mode[ARXDP_MAX_IFACES];
	struct client clients[CLIENTS_MAX];
	struct execd execd; /* the wazuh-execd mode (execd.c); execd.on false otherwise */
};

/* control.c: the control socket. */
int control_open(struct daemon *d);
void control_close(struct daemon *d);
/* The reply (malloc'd JSON text) to one request; NULL only without memory. */
char *control_handle(struct daemon *d, const char *request);
/* The daemon's counters and settings as `arxdp status` shows them. */
struct cJSON *daemon_status(const struct daemon *d);

/* clients.c: every connection, served without waiting on any. */
void clients_accept(struct daemon *d, int listen_fd, enum client_kind kind);
void clients_event(struct daemon *d, struct client *cl, uint32_t events);
/* Drops the clients past their deadline; ms until the next one's, -1 when none waits. */
int clients_expire(struct daemon *d);
void clients_close_all(struct daemon *d);

/* startup.c: the steps before the loop; each says why it failed. */
int take_lock(struct daemon *d);
int claim_pin_dir(struct daemon *d);
int attach_all(struct daemon *d);
void warn_capacities(const struct daemon *d);
int drop_capabilities(void);
void notify_systemd(const char *msg);
/* -EBUSY, said, when a live wazuh-execd of this home would run the same responses. */
int refuse_beside_execd(const struct arxdp_settings *s, const struct ossec_config *cfg);

/* main.c: the Prometheus exposition of the maps and the daemon. */
int daemon_render_metrics(FILE *out, void *daemon);

/* main.c: re-reads both configuration files; a broken one keeps the running configuration. */
int daemon_reload(struct daemon *d);
/* main.c: saves the state now if due (force: now, whatever the interval). */
void daemon_save(struct daemon *d, bool force);

#endif /* ARXDPD_DAEMON_H */
