// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the expiry clock's bounds, on a private instance through
 * BPF_PROG_TEST_RUN: the program reads CLOCK_MONOTONIC from jiffies (struct
 * arxdp_clock_sample in arxdp.h), tied to it by the loader. A block must never pass before its
 * stamp (the clock never runs ahead of CLOCK_MONOTONIC, by a millisecond here) and must pass a
 * tick after it (the clock lags by a tick at most, as the coarse clock does; the millisecond of
 * room is for a tick the kernel counted late, on a VM whose vCPU the host did not run). Each
 * row is checked at many points of the tick, for the jiffies clock and for the coarse clock's
 * helper it replaced; a point that should pass and does not is tried again (a tick counted late
 * at the point delays the clock for a moment), which a clock wrongly behind fails each time.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include "arxdp.h"
#include "blocklist.h"
#include "loader.h"
#include "log.h"
#include "util.h"
#include "bpf/pkt.h"

#define MS 1000000ll
/* Room for a tick counted late (a vCPU the host did not run) at calibration or at a point. */
#define SLACK_NS (1000 * 1000ll)
#define TRIES 3 /* a point that fails is tried again: a late count passes, a wrong clock not */
#define POINTS 24 /* samples spread over about four ticks at HZ 250 */

struct row {
	char desc[64];
	bool coarse; /* the coarse clock's helper, not jiffies */
	/* The stamp: now + ahead_ns, minus ticks_behind ticks (of at most 10 ms when coarse). */
	long long ahead_ns;
	int ticks_behind;
	int verdict;
};

/* clang-format off */
static struct row rows[] = {
	{ "jiffies: 1 ms ahead drops", false, 1 * MS, 0, XDP_DROP },
	{ "jiffies: 2 ms ahead drops", false, 2 * MS, 0, XDP_DROP },
	{ "jiffies: 1 s ahead drops", false, 1000 * MS, 0, XDP_DROP },
	{ "jiffies: a tick and 1 ms behind passes", false, -SLACK_NS, 1, XDP_PASS },
	{ "jiffies: 20 ms behind passes", false, -20 * MS, 0, XDP_PASS },
	{ "coarse: 2 ms ahead drops", true, 2 * MS, 0, XDP_DROP },
	{ "coarse: a tick and 1 ms behind passes", true, -SLACK_NS, 1, XDP_PASS },
};
/* clang-format on */

ParameterizedTestParameters(clock, bounds)
{
	return cr_make_param_array(struct row, rows, ARRAY_SIZE(rows));
}

static int run(struct loader_private *lp, __u32 *retval)
{
	struct pkt_spec spec = { .ethertype = ETH_P_IP, .src = "198.51.100.40" };
	uint8_t buf[PKT_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	opts.data_in = buf;
	opts.data_size_in = pkt_build(&spec, buf);
	if (bpf_prog_test_run_opts(loader_private_prog_fd(lp), &opts))
		return -errno;
	*retval = opts.retval;
	return 0;
}

ParameterizedTest(struct row *r, clock, bounds)
{
	struct loader_opts o = { .capacity_v4 = 64,
				 .capacity_v6 = 64,
				 .cidr_capacity = 16,
				 .hot_capacity = 16,
				 .coarse_clock = r->coarse };
	struct arxdp_block v = { .offenses = 1, .origin = ARXDP_ORIGIN_CLI, .timeout_s = 1 };
	struct timespec pause = { 0, 700 * 1000 };
	struct loader_private *lp;
	struct blocklist bl;
	struct arxdp_addr a;
	long long tick;
	__u32 ret;
	int i, try;

	if (geteuid() != 0)
		cr_skip_test("BPF_PROG_TEST_RUN needs root");
	log_init("test", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	cr_assert_eq(loader_private_open(&o, &lp), 0, "load the XDP program");
	cr_assert_eq(loader_private_blocklist(lp, &bl), 0);
	tick = loader_private_clock_tick(lp);
	if (r->coarse)
		cr_assert_eq(tick, 0, "the coarse clock asked, the jiffies one used");
	else
		cr_assert(tick == 1 * MS || tick == 3333333 || tick == 4 * MS || tick == 10 * MS,
			  "this kernel's tick read as %lld ns", tick);
	if (!tick)
		tick = 10 * MS;
	cr_assert_eq(addr_parse("198.51.100.40", &a, NULL, 0), 0);
	for (i = 0; i < POINTS; i++) {
		/* Only a late count at the point can make it fail once: it can delay the clock,
		 * never advance it, so a block that passes early fails at its first try. */
		for (try = 0; try < (r->verdict == XDP_PASS ? TRIES : 1); try++) {
			v.expires_ns = (__u64)((long long)mono_now_ns() + r->ahead_ns -
					       r->ticks_behind * tick);
			cr_assert_eq(bl_put(&bl, &a, &v), 0);
			cr_assert_eq(run(lp, &ret), 0);
			nanosleep(&pause, NULL);
			if (ret == (__u32)r->verdict)
				break;
		}
		cr_expect_eq(ret, (__u32)r->verdict,
			     "%s: point %d of %d: verdict %u after %d tries", r->desc, i, POINTS,
			     ret, TRIES);
	}
	bl_close(&bl);
	loader_private_close(lp);
}
