/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares the responder, arxdpd's one object that turns decisions into actions. Its
 * inputs are decisions, whatever made them: the alerts.json follower with the matching engine
 * (follow.h), the control socket (control.h). Its outputs are map writes with expiry stamps,
 * script runs, firewall-drop's active-responses.log lines, and the block table that the state
 * file persists. Everything it needs is in the struct or passed in: no globals, so tests drive
 * it with a private map and a temporary log.
 */
#ifndef ARXDPD_RESPONDER_H
#define ARXDPD_RESPONDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "addr.h"
#include "arlog.h"
#include "blocklist.h"
#include "config.h"
#include "match.h"
#include "sbuf.h"
#include "settings.h"
#include "state.h"

struct btable;
struct bmeta;
struct offender_table;
struct pending_delete;
struct runner;

/*
 * How many of the dedupe's most recent keys a snapshot keeps, so that a stop between the two
 * copies of an alert does not apply it twice. The alerts.json copy is the late one: analysisd
 * queues an alert for its alerts.json writer, then sends the alert's responses to execq
 * (analysisd.c, w_process_event_thread), so alerts.json lags execq by at most that queue,
 * analysisd.alerts_queue_size (16384 by default), and the few alerts the writer's stdio buffer
 * holds until its flush of each second. One key per response sent: 16384 keys cover a full
 * queue of alerts with one response each. 128 KiB here; a snapshot writes only the keys whose
 * other copy has not come yet (responder_seen_waiting), 300 KiB at most.
 */
#define RESPONDER_SEEN_KEEP 16384

struct responder_counters {
	uint64_t alerts, bad_lines, long_lines;
	uint64_t decisions[3]; /* by enum match_action */
	uint64_t skips[16]; /* by enum match_reason */
	uint64_t blocked, extended, duplicates, refused, map_full, write_errors;
	uint64_t expired, unblocked;
	uint64_t seen_twice; /* one alert by execq and alerts.json: applied once */
	uint64_t reloads, reload_errors, state_errors;
};

struct responder {
	/* Not owned: the daemon's settings and maps, and its script runner (NULL: none). */
	const struct arxdp_settings *s;
	struct blocklist *bl;
	struct runner *runner;
	/* Owned. */
	struct ossec_config *cfg;
	struct btable *bt; /* what the map value has no room for, per block */
	struct offender_table *off; /* repeated_offenders counts, per rkey */
	struct pending_delete *pending; /* execd's timeout list of the scripts */
	struct arxdp_addr *own; /* this host's addresses: never blocked */
	size_t n_own;
	struct arlog_buf log;
	struct ossec_command fwdrop; /* "firewall-drop", for blocks no <command> names */
	struct sbuf compact; /* alert_compact()'s scratch, kept between blocks */
	struct responder_counters c;
	bool dirty; /* something the state file holds changed */
	/* Scripts wait for the snapshot that holds their alert's position: a crash between the
	 * run and the snapshot would re-read the alert and run them again. */
	struct queued_run *held, **held_tail;
	size_t n_held;
	/* Recent (alert id, response, address) keys, direct-mapped: the same alert arriving by
	 * execq and by alerts.json is applied once. NULL: one input only, nothing to compare. */
	uint64_t *seen;
	/* The last RESPONDER_SEEN_KEEP keys recorded, in seen's allocation: what the state file
	 * keeps. The ones a snapshot kept wait in seen_loaded until the dedupe is turned on. */
	struct state_seen seen_keys, seen_loaded;
	bool map_full_burst; /* "map full" said in this burst */
	uint64_t blog_sec; /* the per-block log cap: the second counted, lines, lines left out */
	unsigned int blog_n, blog_quiet;
};

/* One block to make: from an alert (ar set) or from the operator (ar NULL). */
struct block_req {
	struct arxdp_addr addr;
	const char *addr_text; /* addr_format() of addr when the caller has it, or NULL */
	uint32_t timeout_s; /* 0 = permanent */
	const struct ossec_command *cmd; /* NULL: firewall-drop */
	const char *alert; /* the alert as JSON text: the log lines embed it as execd would */
	size_t alert_len;
	char *compact; /* malloc'd compact alert the block keeps (taken over), or NULL */
	struct bl_reason why;
	const char *ar_name; /* "firewall-drop600"; NULL when the operator asked */
	const char *rule; /* rule id as the alert writes it, for the daemon's log */
	int level;
};

int responder_init(struct responder *r, const struct arxdp_settings *s, struct blocklist *bl);
void responder_free(struct responder *r);
/* Takes cfg over and frees the one it replaces. */
void responder_set_config(struct responder *r, struct ossec_config *cfg);
/* Re-reads this host's addresses, for the matcher and the map writer's guard alike. */
int responder_load_own_addrs(struct responder *r);
/* The decision environment of the matching engine over the responder's configuration. */
void responder_match_env(const struct responder *r, struct match_env *env);

/*
 * Blocks q->addr as execd would treat the response (a repeat extends and counts an offense),
 * remembers it in the block table and logs firewall-drop's add sequence. -ENOSPC when the map
 * is full (said once per burst), -EPERM for a never-blocked address, another -errno when the
 * write failed; all counted. *res and *out (both optional) as bl_block() gives them.
 */
int responder_block(struct responder *r, struct block_req *q, enum bl_result *res,
		    struct arxdp_block *out);
/* Holds a script with execd's add message around the alert line (see responder_release). */
int responder_script(struct responder *r, const struct match_decision *dec, const char *line,
		     size_t len);
/* Takes the held scripts out (a snapshot is about to cover them); NULL when none. */
struct queued_run *responder_take_held(struct responder *r);
/* Puts taken scripts back in front (their snapshot failed). */
void responder_return_held(struct responder *r, struct queued_run *list);
/* Hands taken scripts to the runner (their snapshot is on disk) and frees the list; an add
 * goes in as an add, a delete as a delete. */
void responder_release(struct responder *r, struct queued_run *list);
/* Removes a block on request: firewall-drop's delete sequence, the table entry. -ENOENT. */
int responder_unblock(struct responder *r, const struct arxdp_addr *a);
/* A block that ended (swept, or gone while the daemon was stopped): logs, forgets it. */
void responder_ended(struct responder *r, const struct arxdp_addr *a);
/* Turns on the comparison of the two inputs (execq beside alerts.json), with the keys that
 * responder_seen_restore() gave it. */
int responder_dedupe_on(struct responder *r);
/*
 * The keys a snapshot kept (state_load_seen, oldest first), taken over: recorded at once when
 * the dedupe is on, else when responder_dedupe_on() turns it on, before either input is read;
 * never when it stays off (one input: nothing to compare).
 */
void responder_seen_restore(struct responder *r, struct state_seen *loaded);
/*
 * What a snapshot keeps of the ring: the keys whose other copy has not come yet, oldest first,
 * in a malloc'd copy (out->keys, freed by the caller). Once both copies came, neither input
 * brings the alert again: execq never resends, and alerts.json's saved position is past it.
 */
int responder_seen_waiting(const struct responder *r, struct state_seen *out);
/*
 * True when the response ar_name for alert_id and addr ("" for a script) was applied already
 * by the other input (counted); records it otherwise. Always false without dedupe or alert id.
 */
bool responder_seen(struct responder *r, const char *alert_id, const char *ar_name,
		    const char *addr);
/*
 * active-responses.log is written in pieces of this many bytes during a burst, the rest at its
 * end (responder_flush). arlog's own bound, 256 KiB (about 100 blocks of seven lines), made
 * single writes of 0.35-1.7 ms here, in the loop, while a sender waited on execq's queue of
 * 10 datagrams; a 32 KiB piece (about 12 blocks) costs an eighth of that. Same bytes, same order.
 */
#define RESPONDER_LOG_WRITE_AT (32 << 10)
/* Writes the buffered log lines. */
void responder_flush(struct responder *r);
/* Starts a new burst: "map full" may be said again. */
void responder_new_burst(struct responder *r);
/* True when a per-block line may go to the daemon's log (100 a second; -v: all). */
bool responder_log_ok(struct responder *r);
/* Says how many per-block lines the last second left out, once the second is over. */
void responder_log_summary(struct responder *r, uint64_t now_mono_ns);

#endif /* ARXDPD_RESPONDER_H */
