/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file contains the benchmarks' call-size calibration, shared by tools/trafficgen.c and
 * tools/bench-prog.c and unit tested by tests/unit/test_calib.c. A BPF_PROG_RUN call costs a
 * fixed part (syscall, set-up, and on some VMs tens of ms of idle wall time) plus a part per
 * frame or repetition, and the wall time of a call is only known to some resolution (some VMs
 * move in 4 ms ticks). Both must stay small against the timed call, or a figure measures the
 * machine instead of the program. So, outside the timed window: time calls at two sizes, fit
 * time = fixed + per * size, take the spread of repeated readings as the resolution, and size
 * the calls so that fixed <= fixed_share and resolution <= resolution of one call's time; or
 * refuse, saying which of the two cannot be met.
 */
#ifndef ARXDP_TOOLS_CALIB_H
#define ARXDP_TOOLS_CALIB_H

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define CALIB_READS 5 /* readings per size */
#define CALIB_STEP 8 /* the second size is this multiple of the first */
#define CALIB_ATTEMPTS 6 /* of growing sizes, until a slope is seen */

struct calib_policy {
	double fixed_share; /* largest share of a call the fixed cost may take (0.02) */
	double resolution; /* largest share of a call its timing spread may take (0.01) */
	double max_per_ns; /* above this per frame the floor is implausible: refuse */
	double max_call_ns; /* a call longer than this does not fit the run: refuse */
	double budget_ns; /* calibration time, all readings together */
	uint64_t start_size, min_size, max_size;
};

struct calib_sample {
	uint64_t size;
	double ns[CALIB_READS];
};

struct calib_result {
	double fixed_ns, per_ns, jitter_ns; /* the fit and the resolution of one reading */
	double call_ns; /* the predicted wall time of one call of the chosen size */
	uint64_t lo_size, hi_size, size;
	double spent_ns;
};

/* Wall time of one call of size frames (or repetitions), in ns. */
typedef int (*calib_measure_fn)(void *ctx, uint64_t size, double *ns);

static inline int calib_cmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

/*
 * Median, and the spread of the three fastest readings: other work on the machine only ever
 * adds time to a call, so a preempted reading says nothing of the clock's resolution, while
 * coarse ticks or a varying fixed cost still spread the fastest ones.
 */
static inline void calib_stats(const struct calib_sample *s, double *med, double *spread)
{
	double v[CALIB_READS];
	int i;

	for (i = 0; i < CALIB_READS; i++)
		v[i] = s->ns[i];
	qsort(v, CALIB_READS, sizeof(v[0]), calib_cmp);
	*med = v[CALIB_READS / 2];
	*spread = v[2] - v[0];
}

/*
 * The pure part: from the readings at two sizes, the fit and the size to use.
 * 0: r->size is the smallest size meeting both shares (at least min_size).
 * -EDOM: no slope above twice the spread and the fixed cost: sizes too small to see frames.
 * -ERANGE: per frame above max_per_ns: the floor is implausible.
 * -E2BIG: the size needed exceeds max_size or its call max_call_ns.
 * The fit is filled in r in every case but -EINVAL, for the caller's message.
 */
static inline int calib_choose(const struct calib_sample *lo, const struct calib_sample *hi,
			       const struct calib_policy *p, struct calib_result *r)
{
	double mlo, mhi, slo, shi, need_fixed, need_res, need;

	if (!lo || !hi || !p || !r || hi->size <= lo->size || p->fixed_share <= 0 ||
	    p->fixed_share >= 1 || p->resolution <= 0)
		return -EINVAL;
	calib_stats(lo, &mlo, &slo);
	calib_stats(hi, &mhi, &shi);
	r->lo_size = lo->size;
	r->hi_size = hi->size;
	r->per_ns = (mhi - mlo) / (double)(hi->size - lo->size);
	r->fixed_ns = mlo - r->per_ns * (double)lo->size;
	if (r->fixed_ns < 0)
		r->fixed_ns = 0;
	r->jitter_ns = slo > shi ? slo : shi;
	r->size = 0;
	r->call_ns = 0;
	/*
	 * A slope lost in the spread is no slope, and one the fixed cost outweighs is not yet
	 * trusted (a bimodal fixed cost fakes one): the readings resolve nothing yet, grow.
	 */
	if (r->per_ns <= 0 || mhi - mlo <= 2 * r->jitter_ns ||
	    r->per_ns * (double)hi->size < r->fixed_ns)
		return -EDOM;
	if (r->per_ns > p->max_per_ns)
		return -ERANGE;
	/* fixed / (fixed + per * s) <= share  <=>  s >= fixed * (1 - share) / (share * per) */
	need_fixed = r->fixed_ns * (1 - p->fixed_share) / (p->fixed_share * r->per_ns);
	/* jitter / (fixed + per * s) <= resolution */
	need_res = (r->jitter_ns / p->resolution - r->fixed_ns) / r->per_ns;
	need = need_fixed > need_res ? need_fixed : need_res;
	if (need < (double)p->min_size)
		need = (double)p->min_size;
	need = ceil(need);
	r->call_ns = r->fixed_ns + r->per_ns * need;
	if (need > (double)p->max_size || r->call_ns > p->max_call_ns) {
		r->size = need > 1.8e19 ? UINT64_MAX : (uint64_t)need;
		return -E2BIG;
	}
	r->size = (uint64_t)need;
	return 0;
}

/*
 * The loop around it: readings at growing sizes, the two interleaved so drift hits both,
 * until a slope shows; bounded by attempts, max_size and the time budget (-ETIMEDOUT).
 */
static inline int calib_run(calib_measure_fn fn, void *ctx, const struct calib_policy *p,
			    struct calib_result *r)
{
	struct calib_sample lo, hi;
	uint64_t s = p->start_size ?: 1;
	int a, i, err = -EDOM;

	r->spent_ns = 0;
	for (a = 0; a < CALIB_ATTEMPTS; a++) {
		if (s * CALIB_STEP > p->max_size)
			return err;
		lo.size = s;
		hi.size = s * CALIB_STEP;
		for (i = 0; i < CALIB_READS; i++) {
			err = fn(ctx, lo.size, &lo.ns[i]);
			err = err ?: fn(ctx, hi.size, &hi.ns[i]);
			if (err)
				return err;
			r->spent_ns += lo.ns[i] + hi.ns[i];
		}
		err = calib_choose(&lo, &hi, p, r);
		if (err != -EDOM)
			return err;
		if (r->spent_ns > p->budget_ns)
			return -ETIMEDOUT;
		s *= CALIB_STEP;
	}
	return err;
}

#endif /* ARXDP_TOOLS_CALIB_H */
