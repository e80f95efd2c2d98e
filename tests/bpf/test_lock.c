// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the blocklist writers under a pin-directory lock held by another process
 * (a real flock taken by a child): every writer gives up after the blocklist's deadline with
 * -ETIMEDOUT and writes nothing, the timeout is said once however often it repeats, and a
 * flush runs in slices that leave the lock free in between, so a flush never keeps another
 * writer out for its whole length. Real maps of a private instance; the lock is taken on a
 * temporary directory named as the instance's pin directory. Needs root; skips otherwise.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include "addr.h"
#include "blocklist.h"
#include "loader.h"
#include "log.h"
#include "pindir.h"
#include "testutil.h"
#include "util.h"

#define FILL 6000 /* six slices and more */

static struct loader_private *lp;
static struct blocklist bl;
static char dir[64];
static pid_t holder = -1;
static int n_warn, n_taken_again;

static void sink(enum log_level l, const char *msg, void *ctx)
{
	if (l == LOG_LEVEL_WARN && strstr(msg, "lock held by another process"))
		n_warn++;
	if (strstr(msg, "lock taken again"))
		n_taken_again++;
}

static void setup(void)
{
	struct loader_opts o = { .capacity_v4 = 8192, .capacity_v6 = 1024, .cidr_capacity = 64 };

	tu_deadline(30);
	if (geteuid() != 0)
		cr_skip_test("private BPF maps need root");
	log_init("test", LOG_LEVEL_INFO, LOG_TARGET_STDERR);
	log_set_sink(sink, NULL);
	n_warn = n_taken_again = 0;
	tu_mkdtemp(dir, sizeof(dir), "lock");
	cr_assert_eq(loader_private_open(&o, &lp), 0, "load the XDP program");
	cr_assert_eq(loader_private_blocklist(lp, &bl), 0);
	/* A private instance takes no lock: name a directory so that it does. */
	cr_assert_eq(str_copy(bl.pin_dir, dir, sizeof(bl.pin_dir)), 0);
}

static void teardown(void)
{
	tu_kill_child(&holder);
	log_set_sink(NULL, NULL);
	bl_close(&bl);
	loader_private_close(lp);
	lp = NULL;
	rmdir(dir);
}

static void hold_lock_child(int ready, void *ctx)
{
	const __u32 *when_gone = ctx;
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	struct arxdp_block v;

	if (fd < 0)
		_exit(1);
	while (when_gone && !bpf_map_lookup_elem(bl.fd_hot4, when_gone, &v))
		;
	while (flock(fd, when_gone ? LOCK_EX | LOCK_NB : LOCK_EX))
		usleep(20);
	if (write(ready, "x", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

/*
 * The child takes the lock and keeps it. With a sentinel key (when_gone), it first waits for
 * that entry to leave the IPv4 hot map, where the bulk load put every entry (a flush is under
 * way), then polls for the lock.
 */
static void hold_lock(const __u32 *when_gone)
{
	holder = tu_fork_ready(hold_lock_child, (void *)when_gone,
			       when_gone ? NULL : "the holder took the lock");
}

static void parse(const char *s, struct arxdp_addr *a)
{
	cr_assert_eq(addr_parse(s, a, NULL, 0), 0, "fixture %s", s);
}

Test(lock, writers_give_up_and_write_nothing, .init = setup, .fini = teardown)
{
	struct arxdp_addr a, b;
	struct arxdp_block v;
	uint64_t t0, ms, n = 0;
	int i, err;

	parse("198.51.100.7", &a);
	parse("198.51.100.8", &b);
	cr_assert_eq(bl_block(&bl, &b, 0, NULL, NULL, NULL), 0);
	bl.lock_timeout_ms = 50;
	hold_lock(NULL);
	for (i = 0; i < 5; i++) {
		t0 = mono_now_ns();
		err = bl_block(&bl, &a, 600, NULL, NULL, NULL);
		ms = tu_ms_since(t0);
		cr_assert_eq(err, -ETIMEDOUT, "bl_block under a held lock: %d", err);
		cr_expect_leq(ms, 50 + 100, "bl_block waited %llu ms", (unsigned long long)ms);
	}
	cr_expect_eq(bl_unblock(&bl, &b), -ETIMEDOUT);
	cr_expect_eq(bl_flush(&bl, &n), -ETIMEDOUT);
	cr_expect_eq(n, 0);
	cr_expect_eq(bl.lock_depth, 0, "nothing held after a timeout");
	cr_expect_eq(bl_get(&bl, &a, &v), -ENOENT, "nothing written under a held lock");
	cr_expect_eq(bl_get(&bl, &b, &v), 0, "nothing removed under a held lock");
	cr_expect_eq(n_warn, 1, "the timeout said once for 7 timeouts, not %d times", n_warn);

	tu_kill_child(&holder);
	cr_assert_eq(bl_block(&bl, &a, 600, NULL, NULL, NULL), 0, "free again: the retry works");
	cr_expect_eq(n_taken_again, 1, "the recovery said once");
	cr_expect_eq(bl_get(&bl, &a, &v), 0);
	hold_lock(NULL);
	cr_expect_eq(bl_block(&bl, &a, 600, NULL, NULL, NULL), -ETIMEDOUT);
	cr_expect_eq(n_warn, 2, "a new episode is said again");
}

/*
 * A child waits for the flush to start (the first key of the map gone), then polls for the
 * lock and keeps it once it has it. A flush that held the lock throughout ends with every
 * entry removed before the child gets in; in slices, the child gets in between two of them and
 * the flush stops at its deadline, part-way.
 */
Test(lock, flush_leaves_the_lock_free_between_slices, .init = setup, .fini = teardown)
{
	struct bl_item *items = calloc(FILL, sizeof(*items));
	int *errs = calloc(FILL, sizeof(*errs));
	uint64_t loaded = 0, n = 0, t0, ms;
	struct bl_fill f;
	__u32 first;
	int i, err;

	cr_assert(items && errs);
	for (i = 0; i < FILL; i++) {
		items[i].addr.family = 4;
		items[i].addr.prefixlen = 32;
		items[i].addr.a[0] = 10; /* not a fixture range: the maps never see traffic here */
		items[i].addr.a[1] = 77;
		items[i].addr.a[2] = (uint8_t)(i >> 8);
		items[i].addr.a[3] = (uint8_t)i;
	}
	cr_assert_eq(bl_block_many(&bl, items, FILL, NULL, errs, &loaded), 0);
	cr_assert_eq(loaded, FILL);
	/* The walk starts where get_next_key starts: the first slice removes this key. */
	cr_assert_eq(bpf_map_get_next_key(bl.fd_hot4, NULL, &first), 0);
	bl.lock_timeout_ms = 300;
	hold_lock(&first);
	t0 = mono_now_ns();
	err = bl_flush(&bl, &n);
	ms = tu_ms_since(t0);
	cr_assert_eq(err, -ETIMEDOUT, "the flush met the child's lock: %d (removed %llu)", err,
		     (unsigned long long)n);
	cr_expect(n > 0 && n < FILL, "stopped part-way: %llu of %d", (unsigned long long)n, FILL);
	cr_expect_leq(ms, 300 + 500, "the flush gave up after %llu ms", (unsigned long long)ms);
	cr_expect_eq(bl.lock_depth, 0);
	tu_kill_child(&holder);
	cr_assert_eq(bl_fill(&bl, &f), 0);
	cr_expect_eq(f.block4, FILL - n, "removed is what left the map");
	cr_assert_eq(bl_flush(&bl, &n), 0, "a repeat finishes the job");
	cr_assert_eq(bl_fill(&bl, &f), 0);
	cr_expect_eq(f.block4, 0);
	free(items);
	free(errs);
}
