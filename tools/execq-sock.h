/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file contains how the benchmark's executors (tools/execd-serial.c, tools/execq-floor.c)
 * bind <home>/queue/alerts/execq: as wazuh-execd's StartMQ does, a SOCK_DGRAM socket of mode
 * 0660 whose stale name is unlinked first, with SO_RCVBUF set when rcvbuf is not 0 (execd asks
 * OS_MAXSTR + 512; a Unix datagram socket's queue is bounded by net.unix.max_dgram_qlen).
 */
#ifndef ARXDP_TOOLS_EXECQ_SOCK_H
#define ARXDP_TOOLS_EXECQ_SOCK_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "log.h"

/* The bound socket, or -errno (said through the logger). */
static inline int execq_bind(const char *home, int rcvbuf)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, err;

	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/queue/alerts/execq", home) >=
	    (int)sizeof(sa.sun_path)) {
		pr_warn("execq '%s/queue/alerts/execq': path too long", home);
		return -ENAMETOOLONG;
	}
	unlink(sa.sun_path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || chmod(sa.sun_path, 0660) ||
	    (rcvbuf && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)))) {
		err = -errno;
		pr_warn("execq '%s': bind failed: %s", sa.sun_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return err;
	}
	return fd;
}

#endif
