/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file contains the one logger of arxdp. Levels mirror libbpf's; libbpf's own output is
 * routed here one level lower, so it shows only with -vv. Output goes to stderr (foreground,
 * CLI, and under systemd, whose journal takes stderr) or to syslog.
 */
#ifndef ARXDP_LOG_H
#define ARXDP_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_WARN = 0,
	LOG_LEVEL_INFO = 1,
	LOG_LEVEL_DEBUG = 2,
	LOG_LEVEL_TRACE = 3, /* libbpf's debug output */
};

enum log_target {
	LOG_TARGET_STDERR = 0,
	LOG_TARGET_SYSLOG = 1,
};

/* ident: program name for the prefix and syslog. */
void log_init(const char *ident, enum log_level level, enum log_target target);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Redirects the output to a callback (tests, JSON error wrapping); NULL restores. */
void log_set_sink(void (*sink)(enum log_level, const char *msg, void *ctx), void *ctx);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* For the print callbacks of libraries (libbpf, libxdp). */
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#define pr_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define pr_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define pr_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

/* Silences libbpf around probes that are expected to fail; returns the previous state. */
int log_silence_libbpf(int silence);

#endif /* ARXDP_LOG_H */
