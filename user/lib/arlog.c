// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the active-responses.log writer (see arlog.h). It is shared by the
 * drop-in firewall-drop and the daemon's execd side, so both write lines Wazuh decodes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "arlog.h"
#include "util.h"

int arlog_timestamp(time_t t, char *buf, size_t len)
{
	struct tm tm;
	int n;

	if (!localtime_r(&t, &tm))
		return -EINVAL;
	n = snprintf(buf, len, "%d/%02d/%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

int arlog_format(char *buf, size_t len, time_t t, const char *name, const char *msg)
{
	char ts[ARLOG_TS_MAX];
	int err, n;

	err = arlog_timestamp(t, ts, sizeof(ts));
	if (err)
		return err;
	n = snprintf(buf, len, "%s %s: %s\n", ts, name, msg);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

int arlog_write(const char *path, const char *name, const char *msg)
{
	char ts[ARLOG_TS_MAX];
	int err = 0, fd;
	FILE *f;

	err = arlog_timestamp(time(NULL), ts, sizeof(ts));
	if (err)
		return err;
	/* Root writes into a directory Wazuh's user owns: no FIFO, device or symbolic link
	 * there may hang or redirect it. The mode is fopen()'s (0666 less the umask); the fd is
	 * close-on-exec, so a fallback child (iptables) does not inherit the log. */
	fd = open_regular_append(path, 0666, NULL);
	if (fd < 0)
		return fd;
	f = fdopen(fd, "a");
	if (!f) {
		err = -errno;
		close(fd);
		return err;
	}
	if (fprintf(f, "%s %s: %s\n", ts, name, msg) < 0)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

int arlog_writef(const char *path, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int n, err;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	err = arlog_write(path, name, msg);
	free(msg);
	return err;
}
