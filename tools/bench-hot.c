// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the hot-tier layout benchmark (issue 16, item 2): the h_* variants of
 * tools/arxdp-variant.bpf.c (the real IPv4 hit path over hot maps of other layouts, and that
 * path one component less) beside the real program and xdp-filter's ipv4 object, behind the
 * source spreader (tools/spread.bpf.c) at N = 1, 1,000 and 10,000 blocks, sources uniform over
 * the N, so the element's size and the map type pay their cache misses. Every figure is minus
 * the empty XDP_DROP behind the same spreader (the marginal), and its ratio to xdp-filter's
 * marginal in the same round; medians over rounds, the targets round robin in every round.
 * Measuring only: nothing here guards a build (bench-paths does).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
#include "floor.skel.h"
#include "arxdp-variant.skel.h"
#include "spread.skel.h"
#include "../tests/bpf/pkt.h"

#define MAX_RUNS 31
/* Debian's xdp-tools: the object `xdp-filter load -f ipv4` (default allow policy) runs. */
#define XDPFILT_OBJ "/usr/lib/x86_64-linux-gnu/bpf/xdpfilt_alw_ip.o"
#define V4(s) .ethertype = ETH_P_IP, .src = s

struct result {
	double med, min, max;
};

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

static void summarize(double *v, int n, struct result *r)
{
	qsort(v, n, sizeof(*v), cmp_double);
	r->med = v[n / 2];
	r->min = v[0];
	r->max = v[n - 1];
}

/* This thread's CPU time, which the test run's loop is charged to (see bench-prog.c). */
static uint64_t cpu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static const char *const spread_progs[] = {
	"h_cur",	   "h_pcpu",	     "h_pcpu_full",   "h_small",	 "h_exp",
	"h_cur_no_clock",  "h_cur_no_stats", "h_cur_no_pf",   "h_cur_no_count",	 "h_pcpu_no_clock",
	"h_pcpu_no_stats", "h_cur_lookup",   "h_cur_jiffies", "h_small_jiffies",
};
static const char *const spread_maps[] = { "hot_cur", "hot_pcpu", "hot_pcpu_full", "hot_small",
					   "hot_exp" };
#define SP_FIXED 3 /* empty XDP_DROP, arxdp, xdp-filter; then the variants */
#define SP_NUM (SP_FIXED + ARRAY_SIZE(spread_progs))
#define SP_BASE 0xf0000000u /* 240.0.0.0/4: no host owns it, the frames never leave */

struct spread_bench {
	struct loader_private *lp;
	struct blocklist bl;
	struct floor *fl;
	struct spread *sp;
	struct arxdp_variant *var;
	struct bpf_object *xf;
	int fd[SP_NUM], xf_map, ncpus;
	uint32_t filled, repeat;
	int runs;
};

/* One value for every CPU (per-CPU maps) or one: expires a day from now, the rest zero. */
static int sp_put(int fd, uint32_t key, bool percpu, uint32_t vsize, int ncpus)
{
	uint32_t stride = (vsize + 7) & ~7u;
	int i, n = percpu ? ncpus : 1;
	uint8_t *buf = calloc(n, stride);
	__u64 exp = mono_now_ns() + 86400 * NSEC_PER_SEC;
	int err = 0;

	if (!buf)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		memcpy(buf + (size_t)i * stride, &exp, sizeof(exp));
	if (bpf_map_update_elem(fd, &key, buf, BPF_ANY))
		err = -errno;
	free(buf);
	return err;
}

static int sp_fill(struct spread_bench *b, uint32_t n)
{
	struct bpf_object *obj = b->var->obj;
	int pf = bpf_map__fd(b->var->maps.prefilter), err = 0;
	__u64 *xv = calloc(b->ncpus, sizeof(*xv));
	struct bl_item it = { .addr = { .family = 4, .prefixlen = 32 }, .timeout_s = 86400 };
	uint64_t loaded;
	uint32_t i;
	size_t m;

	if (!xv)
		return -ENOMEM;
	for (i = 0; i < (uint32_t)b->ncpus; i++)
		xv[i] = 1; /* MAP_FLAG_SRC of xdp-filter's common_kern_user.h */
	for (i = b->filled; i < n && !err; i++) {
		uint32_t be = htonl(SP_BASE + i), word = ((SP_BASE + i) >> 8) / 64;
		__u64 w = 0;
		int e;

		for (m = 0; m < ARRAY_SIZE(spread_maps) && !err; m++) {
			struct bpf_map *map = bpf_object__find_map_by_name(obj, spread_maps[m]);

			err = sp_put(bpf_map__fd(map), be,
				     bpf_map__type(map) == BPF_MAP_TYPE_PERCPU_HASH,
				     bpf_map__value_size(map), b->ncpus);
		}
		/* The prefilter bit of the address's /24 (arxdp_pf_slot4: its top 24 bits). */
		if (!err && bpf_map_lookup_elem(pf, &word, &w))
			err = -errno;
		w |= 1ull << (((SP_BASE + i) >> 8) & 63);
		if (!err && (bpf_map_update_elem(pf, &word, &w, BPF_ANY) ||
			     bpf_map_update_elem(b->xf_map, &be, xv, BPF_ANY)))
			err = -errno;
		memcpy(it.addr.a, &be, 4);
		err = err ?: bl_block_many(&b->bl, &it, 1, NULL, &e, &loaded);
		err = err ?: e;
	}
	free(xv);
	if (err)
		pr_warn("fill to %u blocks: failed: %s", n, errstr(err));
	else
		b->filled = n;
	return err;
}

static int sp_open(struct spread_bench *b)
{
	struct loader_opts o = { .capacity_v4 = ARXDP_DEFAULT_CAPACITY,
				 .capacity_v6 = 1024,
				 .cidr_capacity = 64 };
	struct bpf_program *prog;
	struct bpf_map *map;
	size_t i;
	int err;

	b->ncpus = libbpf_num_possible_cpus();
	err = loader_private_open(&o, &b->lp);
	err = err ?: loader_private_blocklist(b->lp, &b->bl);
	if (err)
		return err;
	b->fd[1] = loader_private_prog_fd(b->lp);
	b->fl = floor__open();
	b->sp = spread__open_and_load();
	b->var = arxdp_variant__open();
	if (!b->fl || !b->sp || !b->var)
		return -errno ?: -EINVAL;
	bpf_map__set_max_entries(b->fl->maps.lookup_v4, 1024);
	bpf_map__set_max_entries(b->fl->maps.lookup_v6, 1024);
	bpf_map__set_max_entries(b->var->maps.block_v4, 1024);
	bpf_map__set_max_entries(b->var->maps.block_v6, 1024);
	err = floor__load(b->fl) ?: arxdp_variant__load(b->var);
	if (err)
		return err;
	b->fd[0] = bpf_program__fd(b->fl->progs.floor_drop);
	for (i = 0; i < ARRAY_SIZE(spread_progs); i++) {
		prog = bpf_object__find_program_by_name(b->var->obj, spread_progs[i]);
		if (!prog)
			return -ENOENT;
		b->fd[SP_FIXED + i] = bpf_program__fd(prog);
	}
	/* xdp-filter at its compiled size (10,000), as `xdp-filter load -f ipv4` makes it. */
	b->xf = bpf_object__open_file(XDPFILT_OBJ, NULL);
	if (!b->xf)
		return -errno;
	bpf_object__for_each_map(map, b->xf) bpf_map__set_pin_path(map, NULL);
	err = bpf_object__load(b->xf);
	if (err)
		return err;
	map = bpf_object__find_map_by_name(b->xf, "filter_ipv4");
	prog = bpf_object__next_program(b->xf, NULL);
	if (!map || !prog)
		return -ENOENT;
	b->xf_map = bpf_map__fd(map);
	b->fd[2] = bpf_program__fd(prog);
	return 0;
}

static int sp_run(struct spread_bench *b, int which, uint32_t range, double *ns)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .repeat = b->repeat);
	struct pkt_spec s = { V4("198.18.0.1") };
	int map = bpf_map__fd(b->sp->maps.target);
	uint8_t buf[PKT_MAX];
	__u32 zero = 0;
	uint64_t t0;
	double t;
	int i;

	if (bpf_map_update_elem(map, &zero, &b->fd[which], BPF_ANY))
		return -errno;
	b->sp->bss->base = SP_BASE;
	b->sp->data->range = range;
	opts.data_in = buf;
	opts.data_size_in = pkt_build(&s, buf);
	/* The least of three calls: load from elsewhere on the two CPUs only ever adds time. */
	for (i = 0; i < 3; i++) {
		t0 = cpu_now_ns();
		if (bpf_prog_test_run_opts(bpf_program__fd(b->sp->progs.spread), &opts))
			return -errno;
		t = (double)(cpu_now_ns() - t0) / b->repeat;
		*ns = i && *ns < t ? *ns : t;
	}
	if (opts.retval != XDP_DROP) {
		pr_warn("spread target %d: wrong verdict %u, expected XDP_DROP", which,
			opts.retval);
		return -EPROTO;
	}
	return 0;
}

static const char *sp_name(int t)
{
	return t == 0 ? "empty XDP_DROP" :
	       t == 1 ? "arxdp (bpf/arxdp.bpf.c)" :
	       t == 2 ? "xdp-filter -f ipv4" :
			spread_progs[t - SP_FIXED];
}

/* --only: the variants named in a comma-separated list (the first three always). */
static bool sp_selected(const char *only, size_t t)
{
	const char *name = sp_name(t), *p = only;
	size_t n = strlen(name);

	if (t < SP_FIXED || !only)
		return true;
	for (; (p = strstr(p, name)); p += n)
		if ((p == only || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

static int spread_main(uint32_t repeat, int runs, const char *only)
{
	static const uint32_t ns_n[] = { 1, 1000, 10000 };
	struct spread_bench b = { .repeat = repeat, .runs = runs };
	double v[SP_NUM][MAX_RUNS], mg[SP_NUM][MAX_RUNS], rt[SP_NUM][MAX_RUNS];
	struct result m[3][SP_NUM], r[3][SP_NUM], fl[3];
	size_t t, j;
	int k, err;

	err = sp_open(&b);
	for (j = 0; j < ARRAY_SIZE(ns_n) && !err; j++) {
		err = sp_fill(&b, ns_n[j]);
		for (k = 0; k < runs && !err; k++) {
			/* Every other round backwards, so no target always follows the same one. */
			for (t = 0; t < SP_NUM && !err; t++) {
				size_t u = k & 1 ? SP_NUM - 1 - t : t;

				v[u][k] = 0;
				if (sp_selected(only, u))
					err = sp_run(&b, u, ns_n[j], &v[u][k]);
			}
			for (t = 0; t < SP_NUM && !err; t++) {
				mg[t][k] = v[t][k] - v[0][k];
				rt[t][k] = mg[t][k] / (v[2][k] - v[0][k]);
			}
		}
		if (!err)
			summarize(v[0], runs, &fl[j]);
		for (t = 0; t < SP_NUM && !err; t++) {
			summarize(mg[t], runs, &m[j][t]);
			summarize(rt[t], runs, &r[j][t]);
		}
	}
	if (err) {
		pr_warn("bench-hot: failed: %s", errstr(err));
		goto out;
	}
	printf("BPF_PROG_TEST_RUN behind the source spreader, repeat %u, %d rounds; marginal ns "
	       "(minus the empty XDP_DROP, median) and its ratio to xdp-filter's in the same "
	       "round (median, min–max).\n\n| Program | N = 1 | N = 1,000 | N = 10,000 |\n"
	       "|---|---:|---:|---:|\n",
	       repeat, runs);
	printf("| empty XDP_DROP, ns | %.1f | %.1f | %.1f |\n", fl[0].med, fl[1].med, fl[2].med);
	for (t = 1; t < SP_NUM; t++) {
		if (!sp_selected(only, t))
			continue;
		printf("| %s |", sp_name(t));
		for (j = 0; j < ARRAY_SIZE(ns_n); j++)
			printf(" %.1f, %.2f× (%.2f–%.2f) |", m[j][t].med, r[j][t].med, r[j][t].min,
			       r[j][t].max);
		printf("\n");
	}
out:
	if (b.lp)
		bl_close(&b.bl);
	loader_private_close(b.lp);
	floor__destroy(b.fl);
	spread__destroy(b.sp);
	arxdp_variant__destroy(b.var);
	bpf_object__close(b.xf);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "repeat", required_argument, NULL, 'r' },
		{ "runs", required_argument, NULL, 'n' },
		{ "only", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t repeat = 500000;
	const char *only = NULL;
	int opt, runs = 21;

	log_init("bench-hot", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			repeat = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'n':
			runs = atoi(optarg);
			break;
		case 'o':
			only = optarg;
			break;
		default:
			fprintf(stderr,
				"usage: bench-hot [--repeat N] [--runs N] [--only V1,V2,...]\n");
			return 2;
		}
	}
	if (runs < 5 || runs > MAX_RUNS || repeat < 1000) {
		pr_warn("arguments: --runs must be 5..%d and --repeat at least 1000", MAX_RUNS);
		return 2;
	}
	if (geteuid() != 0) {
		printf("SKIP: BPF_PROG_TEST_RUN needs root\n");
		return 77;
	}
	if (access(XDPFILT_OBJ, R_OK)) {
		printf("SKIP: %s not installed (xdp-tools)\n", XDPFILT_OBJ);
		return 77;
	}
	return spread_main(repeat, runs, only);
}
