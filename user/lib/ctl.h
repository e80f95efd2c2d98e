/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares the control socket: one JSON request line, one JSON reply line, over a
 * Unix stream socket that only root can use (mode 0600). arxdpd serves it; the CLI asks it for
 * the daemon's status, for a reload, and for blocks that must be logged and persisted.
 */
#ifndef ARXDP_CTL_H
#define ARXDP_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CTL_MSG_MAX 65536
/* The CLI's wait for the daemon's answer, connect included. */
#define CTL_CLIENT_TIMEOUT_MS 5000

/*
 * Binds and listens on path (removing a stale socket), mode 0600, non-blocking. The directory
 * is created (0755) when missing and refused (-EPERM) unless path_trusted_dir() passes it
 * (sticky allowed: others cannot remove root's socket from /tmp). Returns the fd or -errno.
 */
int ctl_listen(const char *path);

/*
 * The server side, driven by the daemon's event loop: no call blocks. Per client:
 *
 *   fd = ctl_accept(lfd);                       on EPOLLIN of the listening socket, until
 *                                               -EAGAIN; when all the daemon's slots are
 *                                               taken: ctl_reject(fd, "busy")
 *   ctl_conn_init(&c, fd, now, timeout_ms);     then add fd to epoll (EPOLLIN)
 *   err = ctl_conn_feed(&c);                    on every EPOLLIN: -EAGAIN = not complete yet;
 *                                               0 = request in c.buf; else drop the client
 *   ctl_conn_expired(&c, now)                   at every loop turn: true = drop the client
 *   ctl_conn_reply(&c, json); ctl_conn_close(&c);
 *
 * The deadline covers the whole request, so a client that sends a byte a second (slow loris)
 * is dropped at it like one that sends nothing.
 */
struct ctl_conn {
	int fd; /* -1: the slot is free */
	uint64_t deadline_ns; /* CLOCK_MONOTONIC (mono_now_ns) */
	size_t len;
	char *buf; /* CTL_MSG_MAX bytes; the request, NUL-terminated, once complete */
};

/* One waiting client, non-blocking and close-on-exec; -EAGAIN when none waits. */
int ctl_accept(int listen_fd);
/* Refuses a client the daemon has no room for: one error reply (never blocking), closed. */
void ctl_reject(int fd, const char *why);
/* Takes fd over (closed by ctl_conn_close, also on failure here); deadline now + timeout_ms. */
int ctl_conn_init(struct ctl_conn *c, int fd, uint64_t now_ns, unsigned int timeout_ms);
/*
 * Reads what the client sent so far. 0: a whole request (up to a newline, or up to the
 * client's shutdown) is in c->buf; -EAGAIN: not yet; -ENODATA: closed without a request;
 * -EMSGSIZE: longer than CTL_MSG_MAX; other -errno: the connection failed.
 */
int ctl_conn_feed(struct ctl_conn *c);
/*
 * One read() (EINTR retried) of what the peer sent, appended to c->buf, which stays
 * NUL-terminated and holds at most cap - 1 bytes (cap <= CTL_MSG_MAX): the bytes read (> 0),
 * full_err when the buffer is full already, -ENODATA at the peer's end, -EAGAIN or -errno.
 * For framings other than the control socket's newline (HTTP, Wazuh's com socket).
 */
ssize_t ctl_conn_read(struct ctl_conn *c, size_t cap, int full_err);
bool ctl_conn_expired(const struct ctl_conn *c, uint64_t now_ns);
/* Milliseconds left before the deadline (0 when passed): an epoll_wait timeout. */
int ctl_conn_remaining_ms(const struct ctl_conn *c, uint64_t now_ns);
/* The reply line, without blocking or SIGPIPE: -EAGAIN when the client does not read it. */
int ctl_conn_reply(struct ctl_conn *c, const char *json);
void ctl_conn_close(struct ctl_conn *c);

/*
 * The client side (the CLI). Sends req and returns the malloc'd reply in *reply, all within
 * timeout_ms. The answers tell the cases apart:
 *   -ENOENT, -ECONNREFUSED  no daemon listens at path (quiet: the CLI works on the maps)
 *   -ETIMEDOUT              a daemon is there but did not answer in time: busy or stuck
 *   -EPERM                  the socket's owner is neither root nor this euid: not talked to
 *   -EPROTO                 the daemon closed without a reply
 * -ETIMEDOUT and -EPERM are said with pr_warn.
 */
int ctl_request_timeout(const char *path, const char *req, char **reply, unsigned int timeout_ms);
/* ctl_request_timeout() with CTL_CLIENT_TIMEOUT_MS. */
int ctl_request(const char *path, const char *req, char **reply);

#endif /* ARXDP_CTL_H */
