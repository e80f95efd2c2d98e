/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares the writer of Wazuh's active-responses.log lines. The format is decoded
 * by Wazuh's own ruleset (rules 651/652, the ar_log decoders), so it is reproduced exactly:
 * "YYYY/MM/DD HH:MM:SS <argv[0]>: <message>\n", local time, appended to the file (O_APPEND).
 */
#ifndef ARXDP_ARLOG_H
#define ARXDP_ARLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "sbuf.h"

struct ossec_command;

/* Where an AR program logs, relative to the Wazuh home (LOG_FILE in active_responses.h). */
#define ARLOG_DEFAULT_PATH "logs/active-responses.log"
/* "YYYY/MM/DD HH:MM:SS" plus room for five-digit years. */
#define ARLOG_TS_MAX 32

/* w_get_timestamp(): "%d/%02d/%02d %02d:%02d:%02d" of t in local time. */
int arlog_timestamp(time_t t, char *buf, size_t len);
/* The whole line for time t into buf, newline included; -ENOSPC when it does not fit. */
int arlog_format(char *buf, size_t len, time_t t, const char *name, const char *msg);
/*
 * Appends one line to path (opened and closed for this line, as write_debug_file() does).
 * msg is written as it is: a stdin echo keeps its '\n', which gives Wazuh's blank line.
 */
int arlog_write(const char *path, const char *name, const char *msg);
int arlog_writef(const char *path, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * A one-shot program's writer (the drop-in): the same lines, the log opened once per process
 * (at the first flush, with open_regular()'s checks: no symbolic link followed, no FIFO or
 * device, no file with a second hard link) instead of once per line, which cost ten system
 * calls a line. Lines are kept until arlog_flush() and written with one write(): the caller
 * flushes before anything that waits or that another process sees (reading stdin, writing
 * stdout, the map write, a fallback's children, exit), so the file holds what a write per line
 * gives, in the same order, each line whole (O_APPEND). A log that cannot be opened loses its
 * lines, as Wazuh's programs lose them, and is tried again at the next flush. The process
 * lives for milliseconds: a log rotated meanwhile gets the rest of its lines, as one that was
 * rotated a moment later would have.
 */
struct arlog {
	const char *path; /* kept, not copied */
	const char *name; /* argv[0], the name in every line */
	int fd; /* -1: not opened yet, or it could not be */
	struct sbuf b;
	char ts[ARLOG_TS_MAX];
	time_t ts_at;
};

void arlog_init(struct arlog *l, const char *path, const char *name);
/* A line: "<time> <name>: " + msg + "\n", kept until the next flush. */
void arlog_line(struct arlog *l, const char *msg);
void arlog_linef(struct arlog *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes the kept lines (one write); 0, or -errno when they were lost. */
int arlog_flush(struct arlog *l);
/* Flushes, closes the log and frees the buffer. */
int arlog_close(struct arlog *l);

/*
 * The daemon's writer: the same lines, buffered per burst in one kept buffer (a burst of blocks
 * writes seven lines each; one write per burst instead of one open/write/close per line), the
 * file reopened when logrotate moved it away. Lines that cannot be written are lost, as Wazuh's
 * programs lose them; nothing else is affected.
 */
struct arlog_buf {
	char path[4096];
	int fd;
	uint64_t ino;
	struct sbuf b;
	char ts[ARLOG_TS_MAX];
	time_t ts_at;
	bool refused; /* said once that path is not a regular file */
};

void arlog_buf_init(struct arlog_buf *w, const char *path);
/* Writes what is buffered; the buffer is kept for the next burst. */
void arlog_buf_flush(struct arlog_buf *w);
void arlog_buf_close(struct arlog_buf *w);
/* A line: "<time> active-response/bin/<exe>: " + msg + "\n". */
void arlog_buf_line(struct arlog_buf *w, const char *exe, const char *msg);
/*
 * firewall-drop's add sequence for one block, as execd's messages make it write them:
 * Starting, the add message, check_keys [addr], continue (abort when extended), Ended (Aborted).
 * alert is the alert as JSON text; node the origin name of execd's messages.
 */
void arlog_buf_add(struct arlog_buf *w, const char *node, const struct ossec_command *cmd,
		   const char *alert, size_t alert_len, const char *addr, bool extended);
/* firewall-drop's delete sequence for a block that ended: Starting, delete message, Ended. */
void arlog_buf_delete(struct arlog_buf *w, const char *node, const struct ossec_command *cmd,
		      const char *alert, size_t alert_len);

#endif /* ARXDP_ARLOG_H */
