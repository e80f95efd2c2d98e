/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file contains the set-up the unit and BPF tests share: a bound on a case that could
 * hang, a private temporary directory and its removal, a forked helper process (a lock
 * holder, a peer on a socket) ended and reaped, a fixture file's line, and the logger's
 * warnings captured for a case to check what was said. Static inline, so that every test
 * binary keeps its one source.
 */
#ifndef ARXDP_TESTUTIL_H
#define ARXDP_TESTUTIL_H

#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "log.h"
#include "util.h"

/*
 * The bound on every case of a suite whose old code hangs: SIGALRM kills the worker, a crash
 * to Criterion. Not .timeout: libcriterion leaks its timer entry under LSan.
 */
static inline void tu_deadline(unsigned int seconds)
{
	alarm(seconds);
}

static inline uint64_t tu_ms_since(uint64_t t0)
{
	return (mono_now_ns() - t0) / 1000000;
}

/* Line want (1-based) of a fixture file, newline kept, in a buffer of size len. */
static inline char *tu_read_line(const char *path, int want, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int n = 0;

	cr_assert_not_null(f, "open %s (tests run from the repository root)", path);
	while (fgets(buf, (int)len, f))
		if (++n == want)
			break;
	fclose(f);
	cr_assert_eq(n, want, "%s has fewer than %d lines", path, want);
	return buf;
}

/* Makes a fresh /tmp/arxdp-test-<name>.XXXXXX into dir. */
static inline void tu_mkdtemp(char *dir, size_t len, const char *name)
{
	cr_assert_lt(snprintf(dir, len, "/tmp/arxdp-test-%s.XXXXXX", name), (int)len);
	cr_assert_not_null(mkdtemp(dir), "mkdtemp '%s': %s", dir, strerror(errno));
}

static inline int tu_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) ? -errno : 0;
}

/* Removes dir and whatever a case left in it (FIFOs, sockets, links, sub-directories). */
static inline int tu_rm_rf(const char *dir)
{
	return nftw(dir, tu_rm_one, 16, FTW_DEPTH | FTW_PHYS) ? -EIO : 0;
}

/*
 * A case's pin directory: tu_pin_dir() names it, tu_rm_pin_dir() (a .fini, so that it runs
 * after a failed assertion too) removes it with whatever any build pinned there, without a
 * list of names to keep in step with the loader.
 */
static char tu_pins[64];

static inline const char *tu_pin_dir(const char *name)
{
	snprintf(tu_pins, sizeof(tu_pins), "/sys/fs/bpf/arxdp-test-%s-%d", name, (int)getpid());
	return tu_pins;
}

static inline void tu_rm_pin_dir(void)
{
	if (tu_pins[0])
		tu_rm_rf(tu_pins);
	tu_pins[0] = '\0';
}

/* Ends a forked helper and reaps it, so that none outlives its case; *pid is -1 after. */
static inline void tu_kill_child(pid_t *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGKILL);
		waitpid(*pid, NULL, 0);
	}
	*pid = -1;
}

/*
 * Forks a helper process (a lock holder) that runs fn(ready, ctx), which must not return: it
 * writes a byte on ready once set up. When wait_for (what that byte means) is set, the call
 * returns after the byte came; else at once. Returns the pid, for tu_kill_child().
 */
static inline pid_t tu_fork_ready(void (*fn)(int ready, void *ctx), void *ctx, const char *wait_for)
{
	pid_t pid;
	int p[2];
	char c;

	cr_assert_eq(pipe(p), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (!pid) {
		/* p[0] stays open here: a parent that does not wait has closed its end already. */
		fn(p[1], ctx);
		_exit(1);
	}
	close(p[1]);
	if (wait_for)
		cr_assert_eq(read(p[0], &c, 1), 1, "%s", wait_for);
	close(p[0]);
	return pid;
}

/* The warnings the code under test said: how many, and the last one. */
struct tu_warnings {
	int n;
	char last[512];
};

static inline void tu_warning_sink(enum log_level l, const char *msg, void *ctx)
{
	struct tu_warnings *w = ctx;

	if (l != LOG_LEVEL_WARN)
		return;
	w->n++;
	str_copy(w->last, msg, sizeof(w->last));
}

/* From now on the logger's warnings go to w, emptied first, instead of stderr. */
static inline void tu_capture_warnings(struct tu_warnings *w)
{
	w->n = 0;
	w->last[0] = '\0';
	log_set_sink(tu_warning_sink, w);
}

#endif /* ARXDP_TESTUTIL_H */
