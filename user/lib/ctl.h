/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares the control socket: one JSON request line, one JSON reply line, over a
 * Unix stream socket that only root can use (mode 0600). arxdpd serves it; the CLI asks it for
 * the daemon's status, for a reload, and for blocks that must be logged and persisted.
 */
#ifndef ARXDP_CTL_H
#define ARXDP_CTL_H

#include <stddef.h>

#define CTL_MSG_MAX 65536

/* Binds and listens on path (removing a stale socket), mode 0600. Returns the fd or -errno. */
int ctl_listen(const char *path);
/* Reads one request line from a connected client, bounded by a short timeout. */
int ctl_read_request(int fd, char *buf, size_t len);
int ctl_send(int fd, const char *json);
/*
 * Sends req and returns the malloc'd reply in *reply. -ENOENT / -ECONNREFUSED when no daemon
 * listens at path (the CLI then works on the maps directly).
 */
int ctl_request(const char *path, const char *req, char **reply);

#endif /* ARXDP_CTL_H */
