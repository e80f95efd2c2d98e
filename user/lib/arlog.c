// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the active-responses.log writer (see arlog.h). It is shared by the
 * drop-in firewall-drop and the daemon's execd side, so both write lines Wazuh decodes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "arlog.h"
#include "arproto.h"
#include "config.h"
#include "log.h"
#include "util.h"

#define ARLOG_FLUSH_AT (256 << 10) /* bytes of buffered lines that trigger a write */

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

void arlog_init(struct arlog *l, const char *path, const char *name)
{
	memset(l, 0, sizeof(*l));
	l->path = path;
	l->name = name;
	l->fd = -1;
	l->ts_at = -1;
}

/* localtime_r() once a second, not once a line. */
static const char *stamp(char *ts, time_t *at)
{
	time_t now = time(NULL);

	if (now != *at && !arlog_timestamp(now, ts, ARLOG_TS_MAX))
		*at = now;
	return ts;
}

void arlog_line(struct arlog *l, const char *msg)
{
	sb_str(&l->b, stamp(l->ts, &l->ts_at));
	sb_add(&l->b, " ", 1);
	sb_str(&l->b, l->name);
	sb_add(&l->b, ": ", 2);
	sb_str(&l->b, msg);
	sb_add(&l->b, "\n", 1);
}

void arlog_linef(struct arlog *l, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0) {
		l->b.oom = true;
		return;
	}
	arlog_line(l, msg);
	free(msg);
}

int arlog_flush(struct arlog *l)
{
	int err = 0;

	if (!l->b.len)
		goto out;
	if (l->b.oom) {
		/* A line cut short would be a line Wazuh's decoders misread: none is written. */
		err = -ENOMEM;
		goto out;
	}
	if (l->fd < 0) {
		/* fopen()'s mode, as the stock program creates it; close-on-exec, so a fallback
		 * child (iptables) does not inherit the log. */
		int fd = open_regular_append(l->path, 0666, NULL);

		if (fd < 0) {
			err = fd;
			goto out;
		}
		l->fd = fd;
	}
	err = write_all(l->fd, l->b.p, l->b.len);
out:
	l->b.len = 0;
	l->b.oom = false;
	return err;
}

int arlog_close(struct arlog *l)
{
	int err = arlog_flush(l);

	if (l->fd >= 0 && close(l->fd) && !err)
		err = -errno;
	l->fd = -1;
	free(l->b.p);
	l->b = (struct sbuf){};
	return err;
}

void arlog_buf_init(struct arlog_buf *w, const char *path)
{
	memset(w, 0, sizeof(*w));
	str_copy(w->path, path, sizeof(w->path));
	w->fd = -1;
	w->ts_at = -1;
}

void arlog_buf_close(struct arlog_buf *w)
{
	arlog_buf_flush(w);
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	free(w->b.p);
	w->b = (struct sbuf){};
}

/* The Wazuh user owns logs/: what sits at the path is refused unless a regular file. */
static int open_log(struct arlog_buf *w, const char **why)
{
	struct stat st;
	int fd = open_regular_append(w->path, 0640, why);

	if (fd < 0)
		return fd;
	if (fstat(fd, &st)) {
		*why = strerror(errno);
		close(fd);
		return -EIO;
	}
	w->fd = fd;
	w->ino = st.st_ino;
	w->refused = false;
	return 0;
}

void arlog_buf_flush(struct arlog_buf *w)
{
	struct stat st;
	int err;

	if (!w->b.len)
		goto out;
	/* Reopen when logrotate moved the file away, as a per-line open would. */
	if (w->fd >= 0 && (lstat(w->path, &st) || (uint64_t)st.st_ino != w->ino)) {
		close(w->fd);
		w->fd = -1;
	}
	if (w->fd < 0) {
		const char *why = NULL;

		err = open_log(w, &why);
		if (err == -EINVAL || err == -ELOOP || err == -EMLINK) {
			if (!w->refused)
				pr_warn("active-responses.log '%s': %s: not writing to it; its lines "
					"are lost until it is a regular file",
					w->path, why ? why : strerror(-err));
			w->refused = true;
			goto out;
		}
		if (err) {
			/* Like Wazuh: a log that cannot be opened loses the lines, nothing else. */
			pr_debug("active-responses.log '%s': cannot open: %s", w->path,
				 why ? why : strerror(-err));
			goto out;
		}
	}
	err = write_all(w->fd, w->b.p, w->b.len);
	if (err)
		pr_warn("active-responses.log '%s': write failed: %s", w->path, strerror(-err));
out:
	if (w->b.oom)
		pr_warn("active-responses.log '%s': no memory for its lines: some were lost",
			w->path);
	w->b.len = 0;
	w->b.oom = false;
}

static void line_begin(struct arlog_buf *w, const char *exe)
{
	time_t now = time(NULL);

	/* localtime_r per line would cost more than the rest of the line: once a second. */
	if (now != w->ts_at && !arlog_timestamp(now, w->ts, sizeof(w->ts)))
		w->ts_at = now;
	sb_str(&w->b, w->ts);
	sb_str(&w->b, " active-response/bin/");
	sb_str(&w->b, exe);
	sb_add(&w->b, ": ", 2);
}

static void line_end(struct arlog_buf *w)
{
	sb_add(&w->b, "\n", 1);
	if (w->b.len >= ARLOG_FLUSH_AT)
		arlog_buf_flush(w);
}

void arlog_buf_line(struct arlog_buf *w, const char *exe, const char *msg)
{
	line_begin(w, exe);
	sb_str(&w->b, msg);
	line_end(w);
}

/* A line holding execd's message, then the blank line firewall-drop's copy of its input
 * leaves (the message ends in a newline). */
static void execd_line(struct arlog_buf *w, const char *node, const struct ossec_command *cmd,
		       const char *verb, const char *alert, size_t alert_len)
{
	line_begin(w, cmd->executable);
	arproto_execd_msg_sb(&w->b, node, verb, alert, alert_len, cmd->extra_argv, cmd->n_extra,
			     cmd->program);
	sb_add(&w->b, "\n", 1);
	line_end(w);
}

void arlog_buf_add(struct arlog_buf *w, const char *node, const struct ossec_command *cmd,
		   const char *alert, size_t alert_len, const char *addr, bool extended)
{
	const char *exe = cmd->executable, *keys[1] = { addr };

	arlog_buf_line(w, exe, "Starting");
	execd_line(w, node, cmd, "add", alert, alert_len);
	line_begin(w, exe);
	arproto_check_keys_sb(&w->b, exe, keys, 1);
	line_end(w);
	execd_line(w, node, cmd, extended ? "abort" : "continue", alert, alert_len);
	arlog_buf_line(w, exe, extended ? "Aborted" : "Ended");
}

void arlog_buf_delete(struct arlog_buf *w, const char *node, const struct ossec_command *cmd,
		      const char *alert, size_t alert_len)
{
	arlog_buf_line(w, cmd->executable, "Starting");
	execd_line(w, node, cmd, "delete", alert, alert_len);
	arlog_buf_line(w, cmd->executable, "Ended");
}
