/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares the writer of Wazuh's active-responses.log lines. The format is decoded
 * by Wazuh's own ruleset (rules 651/652, the ar_log decoders), so it is reproduced exactly:
 * "YYYY/MM/DD HH:MM:SS <argv[0]>: <message>\n", local time, the file opened for append per line.
 */
#ifndef ARXDP_ARLOG_H
#define ARXDP_ARLOG_H

#include <stddef.h>
#include <time.h>

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

#endif /* ARXDP_ARLOG_H */
