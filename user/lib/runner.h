/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares the script runner: it runs active-response programs exactly as
 * wazuh-execd does (cwd the Wazuh home, argv the program alone, the add message on stdin, one
 * stdout line read, check_keys answered with continue or abort, a stateful program re-run
 * with delete after its timeout), but never blocks the event loop: programs run concurrently
 * up to a limit, each with an execution time limit after which its process group is killed.
 * No shell anywhere.
 */
#ifndef ARXDP_RUNNER_H
#define ARXDP_RUNNER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "state.h"

struct ossec_config;
struct offender_table;

struct runner_env {
	const char *home; /* Wazuh home: working directory, and where active-response/bin is */
	const struct ossec_config **cfg; /* current configuration (reload swaps it) */
	struct offender_table *offenders;
	struct pending_delete **pending; /* execd's timeout list, persisted by the daemon */
	uint32_t concurrency;
	uint32_t time_limit_s;
};

struct runner_stats {
	uint64_t started, stateless, stateful, aborted, deletes, killed, failed;
	uint32_t running, queued;
};

struct runner;

int runner_new(struct runner **out, const struct runner_env *env, int epfd);
void runner_free(struct runner *r);
/*
 * Queues an add: json is execd's add message (owned by the runner from now on). Never starts
 * it: the daemon starts scripts (runner_tick) only after the snapshot that holds their alert,
 * so a crash never runs one twice.
 */
int runner_add(struct runner *r, const char *exe, char *json, uint32_t timeout_s);
/*
 * Starts program (relative to the home) with one argument, stdin and stdout on /dev/null, no
 * time limit, and forgets it: execd's restart-wazuh (fork + execv restart.sh <role>). The
 * daemon's SIGCHLD handling reaps it.
 */
int runner_spawn(struct runner *r, const char *program, const char *arg, pid_t *pid);
/* Queues a delete run (json owned by the runner). */
int runner_delete(struct runner *r, const char *exe, char *json);
/*
 * epoll readiness on an fd the runner registered (data.ptr = one of the runner's slots, valid
 * until runner_free: an event left in a batch after its program was reaped is harmless).
 */
void runner_event(struct runner *r, void *job, uint32_t events);
/* After SIGCHLD: reaps finished programs (its own children only, by pid). */
void runner_reap(struct runner *r);
/*
 * A child the caller reaped itself: true when it was one of the runner's programs, whose slot
 * then goes to the next queued job at once.
 */
bool runner_child(struct runner *r, pid_t pid, int status);
/*
 * Once a second, and after queueing: kills overdue programs, fires due deletes, fills every
 * free slot from the queue. Returns true when the timeout list changed (the daemon saves its
 * state).
 */
bool runner_tick(struct runner *r, uint64_t now_mono_ns);
/* Runs every pending delete now (execd's shutdown behaviour) and waits, bounded. */
void runner_flush_deletes(struct runner *r, uint32_t wait_s);
/* Takes the queued runs that never started out of the runner (a clean stop keeps them). */
struct queued_run *runner_take_queued(struct runner *r);
void runner_get_stats(const struct runner *r, struct runner_stats *st);
/* Forget programs reported missing, so a reload re-checks them. */
void runner_reset_missing(struct runner *r);
/* Does the tag mark a runner job (epoll data.ptr)? */
bool runner_owns(const void *ptr);

#endif /* ARXDP_RUNNER_H */
