// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the pin-directory lock under a holder that never lets go: a child
 * process takes a real flock on the directory (what an operator's flock(1) or a stopped
 * 'arxdp flush' does) and the lock must give up after its deadline with -ETIMEDOUT and one
 * clear message, then succeed once the holder is gone. The lock works on any directory, so a
 * temporary one stands in for the bpffs pin directory.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/wait.h>
#include "log.h"
#include "pindir.h"
#include "testutil.h"
#include "util.h"

static char dir[64];
static pid_t holder = -1;
static struct tu_warnings warned;

static void setup(void)
{
	tu_deadline(20);
	log_init("test", LOG_LEVEL_INFO, LOG_TARGET_STDERR);
	tu_capture_warnings(&warned);
	tu_mkdtemp(dir, sizeof(dir), "pindir");
}

static void teardown(void)
{
	tu_kill_child(&holder);
	log_set_sink(NULL, NULL);
	rmdir(dir);
}

static void hold_lock_child(int ready, void *ctx)
{
	int hold_ms = *(const int *)ctx;
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	if (fd < 0 || flock(fd, LOCK_EX))
		_exit(1);
	if (write(ready, "x", 1) != 1)
		_exit(1);
	if (hold_ms < 0)
		for (;;)
			pause();
	usleep((useconds_t)hold_ms * 1000);
	_exit(0);
}

/* A child takes the flock and keeps it for hold_ms (-1: until killed); returns once it holds. */
static void hold_lock(int hold_ms)
{
	holder = tu_fork_ready(hold_lock_child, &hold_ms, "the holder took the lock");
}

struct timeout_case {
	unsigned int timeout_ms;
	bool quiet;
};

static struct timeout_case timeout_cases[] = {
	{ 0, false },
	{ 50, false },
	{ 50, true },
	{ 300, false },
};

ParameterizedTestParameters(pindir, gives_up_after_its_deadline)
{
	return cr_make_param_array(struct timeout_case, timeout_cases, ARRAY_SIZE(timeout_cases));
}

ParameterizedTest(struct timeout_case *c, pindir, gives_up_after_its_deadline, .init = setup,
		  .fini = teardown)
{
	char want[192];
	uint64_t t0, ms;
	int fd;

	hold_lock(-1);
	t0 = mono_now_ns();
	fd = pindir_lock_timeout(dir, c->timeout_ms, c->quiet);
	ms = tu_ms_since(t0);
	cr_assert_eq(fd, -ETIMEDOUT, "held elsewhere: -ETIMEDOUT, got %d", fd);
	cr_expect_geq(ms, c->timeout_ms, "waited %llu ms of %u", (unsigned long long)ms,
		      c->timeout_ms);
	cr_expect_leq(ms, c->timeout_ms + 100, "gave up %llu ms after a %u ms deadline",
		      (unsigned long long)ms, c->timeout_ms);
	snprintf(want, sizeof(want),
		 "pin directory '%s': lock held by another process for more than %u ms", dir,
		 c->timeout_ms);
	if (c->quiet) {
		cr_expect_eq(warned.n, 0, "quiet, yet said: %s", warned.last);
	} else {
		cr_expect_eq(warned.n, 1);
		cr_expect(strstr(warned.last, want), "message '%s' lacks '%s'", warned.last, want);
	}
	tu_kill_child(&holder);
	fd = pindir_lock_timeout(dir, c->timeout_ms, c->quiet);
	cr_expect_geq(fd, 0, "free again: taken (%d)", fd);
	pindir_unlock(fd);
}

/* The default of pindir_lock(): the CLI, the drop-in and the loader wait 5 s, not forever. */
Test(pindir, default_wait_is_bounded, .init = setup, .fini = teardown)
{
	uint64_t t0 = mono_now_ns(), ms;
	int fd;

	hold_lock(-1);
	fd = pindir_lock(dir);
	ms = tu_ms_since(t0);
	cr_assert_eq(fd, -ETIMEDOUT);
	cr_expect(ms >= PINDIR_LOCK_TIMEOUT_MS && ms <= PINDIR_LOCK_TIMEOUT_MS + 200, "%llu ms",
		  (unsigned long long)ms);
}

/* A holder that lets go within the deadline: the waiter gets the lock soon after. */
Test(pindir, taken_when_released_in_time, .init = setup, .fini = teardown)
{
	uint64_t t0, ms;
	int fd;

	hold_lock(150);
	t0 = mono_now_ns();
	fd = pindir_lock_timeout(dir, 3000, false);
	ms = tu_ms_since(t0);
	cr_assert_geq(fd, 0, "taken after the holder exited (%d)", fd);
	cr_expect_leq(ms, 150 + 50, "taken %llu ms after a 150 ms hold", (unsigned long long)ms);
	cr_expect_eq(warned.n, 0);
	pindir_unlock(fd);
}

Test(pindir, missing_directory_named, .init = setup, .fini = teardown)
{
	char missing[96];

	snprintf(missing, sizeof(missing), "%s/none", dir);
	cr_expect_eq(pindir_lock_timeout(missing, 50, false), -ENOENT);
	cr_expect(strstr(warned.last, missing), "message names the directory: %s", warned.last);
}
