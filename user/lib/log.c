// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* This file contains the logger declared in log.h. */
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <bpf/libbpf.h>
#include "log.h"

static const char *log_ident = "arxdp";
static enum log_level log_level = LOG_LEVEL_INFO;
static enum log_target log_target = LOG_TARGET_STDERR;
static int libbpf_silenced;
static void (*log_sink)(enum log_level, const char *, void *);
static void *log_sink_ctx;

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	static const int prio[] = { LOG_WARNING, LOG_INFO, LOG_DEBUG, LOG_DEBUG };
	char buf[2048];
	size_t n;

	if (level > log_level)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (log_sink) {
		log_sink(level, buf, log_sink_ctx);
		return;
	}
	if (log_target == LOG_TARGET_SYSLOG)
		syslog(prio[level], "%s", buf);
	else
		fprintf(stderr, "%s: %s\n", log_ident, buf);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* Demoted one level: libbpf's warnings are details of an error we report ourselves. */
	if (libbpf_silenced)
		return 0;
	log_vmsg(level == LIBBPF_WARN ? LOG_LEVEL_DEBUG : LOG_LEVEL_TRACE, fmt, ap);
	return 0;
}

void log_init(const char *ident, enum log_level level, enum log_target target)
{
	log_ident = ident;
	log_level = level;
	log_target = target;
	if (target == LOG_TARGET_SYSLOG)
		openlog(ident, LOG_PID, LOG_DAEMON);
	libbpf_set_print(libbpf_print);
}

void log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level log_get_level(void)
{
	return log_level;
}

void log_set_sink(void (*sink)(enum log_level, const char *, void *), void *ctx)
{
	log_sink = sink;
	log_sink_ctx = ctx;
}

int log_silence_libbpf(int silence)
{
	int old = libbpf_silenced;

	libbpf_silenced = silence;
	return old;
}
