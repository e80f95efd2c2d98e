// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the table of the benchmarks' call-size calibration (tools/calib.h): given
 * the readings of a machine at two sizes, or a simulated machine with a fixed cost per call, a
 * cost per frame, a clock tick and noise, the size chosen must keep the fixed cost within 2%
 * and the spread within 1% of a call, or the calibration must refuse, naming why. The VM of
 * issue 16 (20-30 ms idle per live-frames call, 4 ms ticks) is in the table.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include "../../tools/calib.h"

static const struct calib_policy pol = { .fixed_share = 0.02,
					 .resolution = 0.01,
					 .max_per_ns = 5000,
					 .max_call_ns = 1e9,
					 .budget_ns = 5e9,
					 .start_size = 64,
					 .min_size = 256,
					 .max_size = UINT32_MAX };

struct choose_case {
	char name[48];
	struct calib_sample lo, hi;
	int err;
	uint64_t size_min, size_max; /* the chosen size, inclusive bounds */
};

/* clang-format off */
static struct choose_case choose_cases[] = {
	/* 1 us fixed, 50 ns per frame, 0.2 us spread: the fixed share decides, 980 frames. */
	{ "fixed decides", { 1000, { 51000, 51100, 51200, 51000, 51100 } },
	  { 8000, { 401000, 401100, 401200, 401000, 401100 } }, 0, 1077, 1079 },
	/* No fixed cost, 10 ns per frame, 10 us spread: resolution decides, call >= 1 ms. */
	{ "resolution decides", { 1000, { 0, 10000, 20000, 10000, 30000 } },
	  { 100000, { 1000000, 1010000, 990000, 1020000, 1000000 } }, 0, 99000, 101000 },
	/* Nearly free calls: at least min_size. */
	{ "min size", { 1000, { 6000, 6000, 6000, 6000, 6000 } },
	  { 8000, { 48000, 48000, 48000, 48000, 48000 } }, 0, 256, 256 },
	/* One preempted reading at either size does not count as spread. */
	{ "outlier ignored", { 1000, { 51000, 4051000, 51000, 51000, 51000 } },
	  { 8000, { 401000, 401000, 9401000, 401000, 401000 } }, 0, 980, 980 },
	/* The VM: 30 ms fixed, 50 ns/frame: 29.4M frames, a 1.5 s call, over the 1 s run. */
	{ "VM 30 ms fixed", { 512000, { 55600000, 55600000, 55600000, 55600000, 55600000 } },
	  { 4096000, { 234800000, 234800000, 234800000, 234800000, 234800000 } }, -E2BIG, 0, 0 },
	/* Same, smaller sizes: the fixed cost outweighs the work of the larger call, grow. */
	{ "VM, fixed outweighs", { 64000, { 33200000, 33200000, 33200000, 33200000, 33200000 } },
	  { 512000, { 55600000, 55600000, 55600000, 55600000, 55600000 } }, -EDOM, 0, 0 },
	/* A fixed cost of 15 or 23 ms at random fakes 1 us per run: not a verdict, grow. */
	{ "bimodal fixed cost", { 1000, { 15000000, 15000000, 23000000, 15000000, 23000000 } },
	  { 8000, { 23000000, 23000000, 15000000, 23000000, 23000000 } }, -EDOM, 0, 0 },
	/* Same time at both sizes (ticks larger than the work): no slope, grow. */
	{ "no slope", { 64, { 4000000, 4000000, 8000000, 4000000, 4000000 } },
	  { 512, { 4000000, 8000000, 4000000, 4000000, 4000000 } }, -EDOM, 0, 0 },
	/* A slope inside the spread is no slope either. */
	{ "slope under the spread", { 64, { 4000000, 8000000, 4000000, 8000000, 4000000 } },
	  { 512, { 4100000, 8100000, 4100000, 8100000, 4100000 } }, -EDOM, 0, 0 },
	/* An empty program costing 430 us per frame: implausible, refuse. */
	{ "implausible floor", { 16, { 6880000, 6880000, 6880000, 6880000, 6880000 } },
	  { 128, { 55040000, 55040000, 55040000, 55040000, 55040000 } }, -ERANGE, 0, 0 },
};
/* clang-format on */

ParameterizedTestParameters(calib, choose)
{
	return cr_make_param_array(struct choose_case, choose_cases,
				   sizeof(choose_cases) / sizeof(choose_cases[0]));
}

ParameterizedTest(struct choose_case *c, calib, choose)
{
	struct calib_result r;
	int err = calib_choose(&c->lo, &c->hi, &pol, &r);

	cr_assert_eq(err, c->err, "%s: error %d, expected %d (size %lu, fixed %.0f, per %.2f)",
		     c->name, err, c->err, (unsigned long)r.size, r.fixed_ns, r.per_ns);
	if (!c->err) {
		cr_assert(r.size >= c->size_min && r.size <= c->size_max,
			  "%s: size %lu outside %lu..%lu", c->name, (unsigned long)r.size,
			  (unsigned long)c->size_min, (unsigned long)c->size_max);
		cr_assert(r.fixed_ns <= 0.0201 * r.call_ns, "%s: fixed %.0f of %.0f ns", c->name,
			  r.fixed_ns, r.call_ns);
		cr_assert(r.jitter_ns <= 0.0101 * r.call_ns, "%s: spread %.0f of %.0f ns", c->name,
			  r.jitter_ns, r.call_ns);
	}
}

/* A simulated machine: time = fixed (+ jitter cycling) + per * size, rounded up to ticks. */
struct machine {
	char name[48];
	double fixed_ns, fixed_var_ns, per_ns, tick_ns, max_call_ns;
	int err;
	int reads;
};

static int machine_measure(void *ctx, uint64_t size, double *ns)
{
	struct machine *m = ctx;
	static const double wobble[] = { 0.0, 1.0, 0.5, 0.25, 0.75 };
	double t = m->fixed_ns + m->fixed_var_ns * wobble[m->reads++ % 5] + m->per_ns * size;

	*ns = m->tick_ns > 0 ? ceil(t / m->tick_ns) * m->tick_ns : t;
	return 0;
}

/* clang-format off */
static struct machine machines[] = {
	{ "this VM, live frames", 2000, 500, 50, 0, 1e9, 0, 0 },
	{ "this VM, test run floor", 1500, 300, 6, 0, 1e9, 0, 0 },
	{ "issue 16 VM, live frames, 1 s run", 20e6, 10e6, 50, 4e6, 1e9, -E2BIG, 0 },
	{ "issue 16 VM, live frames, 4 s run", 20e6, 10e6, 50, 4e6, 4e9, 0, 0 },
	{ "issue 16 VM, test run, 4 ms ticks", 0, 0, 6, 4e6, 2e9, 0, 0 },
	{ "empty program at 430 us per frame", 1e6, 0, 430000, 0, 1e12, -ERANGE, 0 },
};
/* clang-format on */

ParameterizedTestParameters(calib, machine)
{
	return cr_make_param_array(struct machine, machines,
				   sizeof(machines) / sizeof(machines[0]));
}

/* Whatever size is chosen, a call of it on that machine must read within 3% of the truth. */
ParameterizedTest(struct machine *m, calib, machine)
{
	struct calib_policy p = pol;
	struct calib_result r;
	double ns, truth;
	int err, i;

	p.max_call_ns = m->max_call_ns;
	p.budget_ns = 60e9;
	err = calib_run(machine_measure, m, &p, &r);
	cr_assert_eq(err, m->err,
		     "%s: error %d, expected %d (size %lu fixed %.0f per %.2f jit %.0f)", m->name,
		     err, m->err, (unsigned long)r.size, r.fixed_ns, r.per_ns, r.jitter_ns);
	if (err)
		return;
	for (i = 0; i < 5; i++) {
		machine_measure(m, r.size, &ns);
		truth = m->per_ns * r.size;
		cr_assert(fabs(ns - truth) <= 0.03 * truth,
			  "%s: size %lu reads %.4g ns per frame, truth %.4g", m->name,
			  (unsigned long)r.size, ns / r.size, m->per_ns);
	}
}
