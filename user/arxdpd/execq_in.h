/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares arxdpd's execq input: the socket wazuh-analysisd sends the manager's own
 * responses to (<wazuh home>/queue/alerts/execq, AF_UNIX SOCK_DGRAM, bound as execd's StartMQ
 * binds it), each datagram handled as wazuh-execd 4.x handles it (lib/execq.c), its decision
 * made an action by the responder: a fast-path executable becomes a map write whose expiry
 * stamp is the response's timeout, any other runs as a script with execd's stdin protocol,
 * restart-wazuh runs restart.sh. Nothing is held for a snapshot: a datagram has no stream
 * position to re-read after a crash, so each is applied at most once.
 */
#ifndef ARXDPD_EXECQ_IN_H
#define ARXDPD_EXECQ_IN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include "daemon.h"
#include "execq.h"

struct execq_counters {
	uint64_t received, errors, ignored, truncated;
	uint64_t blocks, no_srcip, scripts, restarts;
	uint64_t name_lost; /* another process took the socket's name */
};

/*
 * Datagrams taken per receive call (recvmmsg). More hold more datagrams in hand while the
 * sender refills the queue behind them, which measured as a later drop for each (alert-to-drop
 * p50 0.56 ms with 16, 0.38 ms with 4). With the poll of an emptied queue (execq_in.c), 8
 * against 4: 61,499 vs 54,252 and 51,501 vs 48,521 blocks/s, 13.0 vs 14.2 and 15.0 vs 15.4 µs
 * of CPU per message, p50 0.31 vs 0.32 and 0.38 vs 0.36 ms (12 and 15 rounds); 16 against 4:
 * 41,192 vs 39,340 blocks/s, p50 0.47 vs 0.40 ms.
 */
#define EXECQ_VLEN 8

struct execq_in {
	struct src tag; /* first: the epoll data.ptr */
	int fd;
	char path[108]; /* sun_path */
	dev_t dev;
	ino_t ino; /* the name as bound: another inode there is another process's socket */
	bool lost; /* said: the name is not ours any more */
	bool paused; /* the pin-directory lock was busy: out of epoll until it is free */
	bool stopping; /* shut for reading: a 0-byte read is the end of the queue */
	struct execq_table *t;
	/* EXECQ_VLEN datagrams, each EXECQ_MAXSTR + NUL and one byte to see a longer one */
	char *buf;
	struct mmsghdr mm[EXECQ_VLEN];
	struct iovec iov[EXECQ_VLEN];
	struct execq_text alert; /* the alert printed for the log lines, kept between blocks */
	struct execq_counters c;
	/* The poll of an empty queue after datagrams (execq_in.c's EXECQ_SPIN_*; tests set them) */
	uint64_t spin_ns;
	unsigned int spin_polls;
};

/* An input without a socket (tests): the ar.conf table of home, role from agent_id. */
int execq_in_new(struct execq_in **out, const char *home, const char *agent_id);
void execq_in_free(struct execq_in *eq);
/*
 * One datagram as received (len its real length, MSG_TRUNC): execd's logging, then the action
 * through r (map writes, log lines) and runner (scripts, restart.sh; NULL: none run). The
 * caller holds the pin-directory lock.
 */
void execq_in_message(struct execq_in *eq, struct responder *r, struct runner *runner,
		      const void *buf, size_t len);

/* The daemon's side: on when its settings say execq. Each says why it failed. */
int execq_in_open(struct daemon *d);
void execq_in_close(struct daemon *d);
/*
 * At a stop, before the final save: refuses new datagrams (a sender is told EPIPE at once, as
 * when no reader exists, instead of queueing into a socket about to close) and applies those
 * already queued, so a stop loses none that a sender was told were delivered.
 */
void execq_in_stop(struct daemon *d);
/* The socket is readable: a bounded batch of datagrams, under one pin-directory lock. */
void execq_in_event(struct daemon *d);
/* Once a second: is the name still our socket? A paused input tries the lock again. */
void execq_in_tick(struct daemon *d);
bool execq_in_paused(const struct daemon *d);
/* Adds "execq" to `arxdp status` (nothing when the input is off). */
void execq_in_status(const struct daemon *d, struct cJSON *st);

#endif /* ARXDPD_EXECQ_IN_H */
