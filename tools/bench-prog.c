// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the program unit-cost benchmark: BPF_PROG_TEST_RUN over one frame per
 * case (floor, miss, hit, expired, IPv6, VLAN, CIDR, jiffies, coarse and precise clock, the
 * bare lookup and the no-counter variant), each the median of RUNS runs of REPEAT repetitions, printed as
 * a markdown table with ratios to the empty XDP_DROP program measured in the same run. The
 * frame never changes, so every lookup is cache-hot: this is the cost of the instructions, a
 * floor for the live-frames figures, and the CI guard: --check fails when the hit/floor ratio
 * grows more than 20% over the committed baseline.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <getopt.h>
#include <net/if.h>
#include <sched.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include "arxdp.h"
#include "blocklist.h"
#include "loader.h"
#include "log.h"
#include "util.h"
#include "floor.skel.h"
#include "arxdp-variant.skel.h"
#include "../tests/bpf/pkt.h"
#include "calib.h"

#define MAX_RUNS 31
#define REGRESSION 1.20 /* allowed growth of hit/floor over the baseline */

enum prog_id {
	P_FLOOR,
	P_ARXDP,
	P_PRECISE,
	P_COARSE,
	P_LOOKUP,
	P_NOCNT,
	/* Component variants of the hit path (tools/arxdp-variant.bpf.c). */
	P_V_ALL,
	P_V_NO_VLAN,
	P_V_NO_CLOCK,
	P_V_PLAIN,
	P_V_NO_STATS,
	P_V_LOOKUP,
	P_XDPFILT, /* xdp-filter's own ipv4 object, when installed */
	P_NUM
};

/* Debian's xdp-tools: the object `xdp-filter load -f ipv4` (default allow policy) runs. */
#define XDPFILT_OBJ "/usr/lib/x86_64-linux-gnu/bpf/xdpfilt_alw_ip.o"

struct bench_case {
	const char *name;
	enum prog_id prog;
	struct pkt_spec pkt;
	int verdict;
	bool cidr; /* runs after the prefix block exists (the trie is then consulted on a miss) */
};

#define V4(s) .ethertype = ETH_P_IP, .src = s
#define V6(s) .ethertype = ETH_P_IPV6, .src = s

/* Addresses of 198.18.0.0/15 and 2001:2::/48 only; blocks are set up in setup_blocks(). */
static const struct bench_case cases[] = {
	{ "floor: empty XDP_DROP", P_FLOOR, { V4("198.18.200.7") }, XDP_DROP, false },
	{ "miss, IPv4", P_ARXDP, { V4("198.18.200.99") }, XDP_PASS, false },
	{ "hit, IPv4, timed block (jiffies clock)",
	  P_ARXDP,
	  { V4("198.18.200.7") },
	  XDP_DROP,
	  false },
	{ "hit, IPv4, permanent block (no clock)",
	  P_ARXDP,
	  { V4("198.18.200.8") },
	  XDP_DROP,
	  false },
	{ "hit, IPv4, timed block, precise clock",
	  P_PRECISE,
	  { V4("198.18.200.7") },
	  XDP_DROP,
	  false },
	{ "hit, IPv4, timed block, coarse clock's helper",
	  P_COARSE,
	  { V4("198.18.200.7") },
	  XDP_DROP,
	  false },
	{ "expired block, IPv4", P_ARXDP, { V4("198.18.200.9") }, XDP_PASS, false },
	{ "miss, IPv6", P_ARXDP, { V6("2001:2:0:1::99") }, XDP_PASS, false },
	{ "hit, IPv6, timed block", P_ARXDP, { V6("2001:2:0:1::7") }, XDP_DROP, false },
	{ "hit, IPv4 in 802.1Q", P_ARXDP, { V4("198.18.200.7"), .nvlan = 1 }, XDP_DROP, false },
	{ "hit, IPv4 in QinQ",
	  P_ARXDP,
	  { V4("198.18.200.7"), .nvlan = 2, .vlan_tpid = { 0x88a8, 0x8100 } },
	  XDP_DROP,
	  false },
	{ "CIDR hit, IPv4 /24 (exact miss, trie hit)",
	  P_ARXDP,
	  { V4("198.19.7.1") },
	  XDP_DROP,
	  true },
	{ "miss, IPv4, prefixes present (trie consulted)",
	  P_ARXDP,
	  { V4("198.19.8.1") },
	  XDP_PASS,
	  true },
	{ "bare lookup hit (floor.bpf.c)", P_LOOKUP, { V4("198.18.200.7") }, XDP_DROP, false },
	{ "hit without per-block counts (arxdp-variant)",
	  P_NOCNT,
	  { V4("198.18.200.7") },
	  XDP_DROP,
	  false },
	{ "component: all of the hit path", P_V_ALL, { V4("198.18.200.7") }, XDP_DROP, false },
	{ "component: − VLAN parse", P_V_NO_VLAN, { V4("198.18.200.7") }, XDP_DROP, false },
	{ "component: − clock", P_V_NO_CLOCK, { V4("198.18.200.7") }, XDP_DROP, false },
	{ "component: atomics → plain adds", P_V_PLAIN, { V4("198.18.200.7") }, XDP_DROP, false },
	{ "component: − stats lookup", P_V_NO_STATS, { V4("198.18.200.7") }, XDP_DROP, false },
	{ "component: lookup only", P_V_LOOKUP, { V4("198.18.200.7") }, XDP_DROP, false },
	{ "xdp-filter -f ipv4 hit (xdpfilt_alw_ip.o)",
	  P_XDPFILT,
	  { V4("198.18.200.7") },
	  XDP_DROP,
	  false },
};

/* The case whose ratio to the floor the CI check guards. */
#define HIT_CASE 2

struct bench {
	struct loader_private *lp[3]; /* jiffies, precise, coarse clock */
	struct blocklist bl[3];
	struct floor *fl;
	struct arxdp_variant *var;
	struct bpf_object *xf; /* xdp-filter's object, NULL when not installed */
	int fd[P_NUM];
	uint32_t repeat;
	int runs;
	const char *only; /* the floor and the cases whose name starts so, nothing else */
	struct calib_result cal;
	uint32_t min_repeat; /* --repeat: the calibration may only raise it */
	uint32_t rep[ARRAY_SIZE(cases)]; /* per case, so each call lasts as long as needed */
};

static bool selected(const struct bench *b, size_t i)
{
	return i == 0 || !b->only || !strncmp(cases[i].name, b->only, strlen(b->only));
}

static int open_bl(struct blocklist *bl, struct loader_private *lp)
{
	return loader_private_blocklist(lp, bl);
}

static int put(struct blocklist *bl, const char *s, uint32_t timeout_s, bool expired)
{
	struct bl_reason why = { .rule_id = 5712, .level = 10, .origin = ARXDP_ORIGIN_CLI };
	struct arxdp_block v = { .offenses = 1, .origin = ARXDP_ORIGIN_CLI, .timeout_s = 1 };
	struct arxdp_addr a;
	int err;

	err = addr_parse(s, &a, NULL, 0);
	if (err)
		return err;
	if (expired) {
		v.expires_ns = mono_now_ns() - NSEC_PER_SEC;
		err = bl_put(bl, &a, &v);
	} else {
		err = bl_block(bl, &a, timeout_s, &why, NULL, NULL);
	}
	if (err)
		pr_warn("block '%s': write failed: %s", s, errstr(err));
	return err;
}

static int setup_blocks(struct blocklist *bl)
{
	int err;

	err = put(bl, "198.18.200.7", 3600, false);
	err = err ?: put(bl, "198.18.200.8", 0, false);
	err = err ?: put(bl, "198.18.200.9", 0, true);
	err = err ?: put(bl, "2001:2:0:1::7", 3600, false);
	return err;
}

/* The same value arxdp would hold, so the bare lookup and the variant read as much. */
static int fill_one(int map_fd, const char *s)
{
	struct arxdp_block v = { .timeout_s = 3600, .offenses = 1 };
	struct arxdp_addr a;
	int err;

	err = addr_parse(s, &a, NULL, 0);
	if (err)
		return err;
	v.expires_ns = mono_now_ns() + 3600 * NSEC_PER_SEC;
	if (bpf_map_update_elem(map_fd, a.a, &v, BPF_ANY))
		return -errno;
	return 0;
}

/*
 * xdp-filter's ipv4 object as Debian ships it, with its maps private (its pins are cleared) and
 * one source entry: a per-CPU value with the source flag set in every CPU's slot, as
 * `xdp-filter ip -m src` writes it. Absent object: its case is skipped, not failed.
 */
static int open_xdpfilter(struct bench *b)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	__u64 *vals = NULL;
	__u32 key;
	int i, n, err;

	b->fd[P_XDPFILT] = -1;
	if (access(XDPFILT_OBJ, R_OK))
		return 0;
	b->xf = bpf_object__open_file(XDPFILT_OBJ, NULL);
	if (!b->xf) {
		err = -errno;
		goto fail;
	}
	bpf_object__for_each_map(map, b->xf)
	{
		bpf_map__set_pin_path(map, NULL);
		if (!strcmp(bpf_map__name(map), "filter_ipv4"))
			bpf_map__set_max_entries(map, ARXDP_DEFAULT_CAPACITY);
	}
	err = bpf_object__load(b->xf);
	if (err)
		goto fail;
	map = bpf_object__find_map_by_name(b->xf, "filter_ipv4");
	prog = bpf_object__next_program(b->xf, NULL);
	n = libbpf_num_possible_cpus();
	vals = calloc(n > 0 ? n : 1, sizeof(*vals));
	if (!map || !prog || n <= 0 || !vals) {
		err = -ENOENT;
		goto fail;
	}
	for (i = 0; i < n; i++)
		vals[i] = 1; /* MAP_FLAG_SRC of xdp-filter's common_kern_user.h */
	inet_pton(AF_INET, "198.18.200.7", &key);
	if (bpf_map_update_elem(bpf_map__fd(map), &key, vals, BPF_ANY)) {
		err = -errno;
		goto fail;
	}
	free(vals);
	b->fd[P_XDPFILT] = bpf_program__fd(prog);
	return 0;
fail:
	free(vals);
	pr_warn("BPF object '%s': load failed: %s", XDPFILT_OBJ, errstr(err));
	return err;
}

static int bench_open(struct bench *b)
{
	int i, err;

	for (i = 0; i < 3; i++) {
		struct loader_opts o = { .capacity_v4 = ARXDP_DEFAULT_CAPACITY,
					 .capacity_v6 = ARXDP_DEFAULT_CAPACITY,
					 .cidr_capacity = ARXDP_DEFAULT_CIDR_CAPACITY,
					 .precise_clock = i == 1,
					 .coarse_clock = i == 2 };

		err = loader_private_open(&o, &b->lp[i]);
		if (err)
			return err;
		err = open_bl(&b->bl[i], b->lp[i]);
		err = err ?: setup_blocks(&b->bl[i]);
		if (err)
			return err;
	}
	b->fd[P_ARXDP] = loader_private_prog_fd(b->lp[0]);
	b->fd[P_PRECISE] = loader_private_prog_fd(b->lp[1]);
	b->fd[P_COARSE] = loader_private_prog_fd(b->lp[2]);

	b->fl = floor__open();
	if (!b->fl)
		return -errno;
	bpf_map__set_max_entries(b->fl->maps.lookup_v4, ARXDP_DEFAULT_CAPACITY);
	bpf_map__set_max_entries(b->fl->maps.lookup_v6, 1024);
	err = floor__load(b->fl);
	err = err ?: fill_one(bpf_map__fd(b->fl->maps.lookup_v4), "198.18.200.7");
	if (err) {
		pr_warn("BPF object 'floor': load failed: %s", errstr(err));
		return err;
	}
	b->fd[P_FLOOR] = bpf_program__fd(b->fl->progs.floor_drop);
	b->fd[P_LOOKUP] = bpf_program__fd(b->fl->progs.bare_lookup);

	b->var = arxdp_variant__open();
	if (!b->var)
		return -errno;
	bpf_map__set_max_entries(b->var->maps.block_v4, ARXDP_DEFAULT_CAPACITY);
	err = arxdp_variant__load(b->var);
	err = err ?: fill_one(bpf_map__fd(b->var->maps.block_v4), "198.18.200.7");
	if (err) {
		pr_warn("BPF object 'arxdp-variant': load failed: %s", errstr(err));
		return err;
	}
	b->fd[P_NOCNT] = bpf_program__fd(b->var->progs.v_no_counts);
	b->fd[P_V_ALL] = bpf_program__fd(b->var->progs.v_all);
	b->fd[P_V_NO_VLAN] = bpf_program__fd(b->var->progs.v_no_vlan);
	b->fd[P_V_NO_CLOCK] = bpf_program__fd(b->var->progs.v_no_clock);
	b->fd[P_V_PLAIN] = bpf_program__fd(b->var->progs.v_plain_counts);
	b->fd[P_V_NO_STATS] = bpf_program__fd(b->var->progs.v_no_stats);
	b->fd[P_V_LOOKUP] = bpf_program__fd(b->var->progs.v_lookup_only);
	return open_xdpfilter(b);
}

static void bench_close(struct bench *b)
{
	int i;

	for (i = 0; i < 3; i++) {
		if (b->lp[i])
			bl_close(&b->bl[i]);
		loader_private_close(b->lp[i]);
	}
	floor__destroy(b->fl);
	arxdp_variant__destroy(b->var);
	bpf_object__close(b->xf);
}

struct result {
	double med, min, max;
};

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

/*
 * The CPU time of this thread, which the test run's loop is charged to: the kernel lets other
 * work run inside a long call (cond_resched) and waits idle in others (the dispatcher), and
 * on two CPUs shared with builds either would count in wall time.
 */
static uint64_t cpu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/*
 * ns per packet of one case. opts.duration is the kernel's mean in whole ns, too coarse
 * against a 6 ns floor (one ns is 17%), so the call is timed from here (this thread's CPU
 * time), at the repeat the calibration chose.
 */
static int run_once(struct bench *b, const struct bench_case *c, double *ns)
{
	uint32_t repeat = b->rep[c - cases];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .repeat = repeat);
	uint8_t buf[PKT_MAX];
	uint64_t t0;

	opts.data_in = buf;
	opts.data_size_in = pkt_build(&c->pkt, buf);
	t0 = cpu_now_ns();
	if (bpf_prog_test_run_opts(b->fd[c->prog], &opts)) {
		int err = -errno;

		pr_warn("case '%s': BPF_PROG_TEST_RUN failed: %s", c->name, errstr(err));
		return err;
	}
	*ns = (double)(cpu_now_ns() - t0) / repeat;
	if ((int)opts.retval != c->verdict) {
		pr_warn("case '%s': wrong verdict: %u, expected %d", c->name, opts.retval,
			c->verdict);
		return -EPROTO;
	}
	return 0;
}

/*
 * A test run puts its program into the kernel's XDP dispatcher and takes it out again unless
 * something else keeps it there; each change waits for the dispatcher's update (an RCU grace
 * period), on some VMs 20-30 ms of idle wall time per call (issue 16). So every program is
 * attached in native mode to a veth of a network namespace private to this process, which
 * the kernel removes, devices, attachments and all, when the process ends.
 */
static int anchor_progs(const struct bench *b)
{
	char name[IFNAMSIZ];
	int i, ifindex, err;

	if (unshare(CLONE_NEWNET)) {
		err = -errno;
		pr_warn("dispatcher anchor: private network namespace failed: %s", errstr(err));
		return err;
	}
	/* One veth end per program: a pair per two programs, however many variants exist. */
	for (i = 0; i < P_NUM; i += 2) {
		char cmd[96];

		snprintf(cmd, sizeof(cmd), "ip link add bpa%d type veth peer name bpa%d", i, i + 1);
		if (system(cmd)) {
			pr_warn("dispatcher anchor: creating the veths failed");
			return -EIO;
		}
	}
	for (i = 0; i < P_NUM; i++) {
		if (b->fd[i] < 0)
			continue;
		snprintf(name, sizeof(name), "bpa%d", i);
		ifindex = (int)if_nametoindex(name);
		if (!ifindex || bpf_xdp_attach(ifindex, b->fd[i], XDP_FLAGS_DRV_MODE, NULL)) {
			err = ifindex ? -errno : -ENODEV;
			pr_warn("interface '%s': attaching the dispatcher anchor failed: %s", name,
				errstr(err));
			return err;
		}
	}
	return 0;
}

/* Wall time of one BPF_PROG_TEST_RUN of case i at size repetitions. */
static int time_case(const struct bench *b, size_t i, uint64_t size, double *ns)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .repeat = (uint32_t)size);
	uint8_t buf[PKT_MAX];
	uint64_t t0;

	opts.data_in = buf;
	opts.data_size_in = pkt_build(&cases[i].pkt, buf);
	t0 = cpu_now_ns();
	if (bpf_prog_test_run_opts(b->fd[cases[i].prog], &opts)) {
		int err = -errno;

		pr_warn("case '%s': calibration: BPF_PROG_TEST_RUN failed: %s", cases[i].name,
			errstr(err));
		return err;
	}
	*ns = (double)(cpu_now_ns() - t0);
	return 0;
}

static int time_floor(void *ctx, uint64_t size, double *ns)
{
	return time_case(ctx, 0, size, ns);
}

/*
 * The floor's calibration gives the least wall time a call needs here; each case gets the
 * repeat that fills it at its own cost per run (one probe call of a quarter of the floor's
 * repeat, 20% margin), so costly cases do not take four times as long as they must.
 */
static int size_cases(struct bench *b, bool calibrated)
{
	double work = b->cal.call_ns - b->cal.fixed_ns, t, per, rep;
	uint64_t probe = b->repeat / 4 > 1000 ? b->repeat / 4 : 1000;
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		b->rep[i] = b->repeat;
	if (!calibrated)
		return 0;
	for (i = 1; i < ARRAY_SIZE(cases); i++) {
		if (!selected(b, i))
			continue;
		err = time_case(b, i, probe, &t);
		if (err)
			return err;
		per = (t - b->cal.fixed_ns) / (double)probe;
		if (per < b->cal.per_ns)
			per = b->cal.per_ns;
		rep = ceil(1.2 * work / per);
		rep = rep < b->min_repeat ? b->min_repeat : rep > UINT32_MAX ? UINT32_MAX : rep;
		b->rep[i] = (uint32_t)rep;
	}
	return 0;
}

/*
 * Before any timed run: the fixed cost of a test run and the spread of its timing on this
 * machine (some VMs add ms per call, or move in 4 ms ticks), so that the repeat count keeps
 * both under 2% and 1% of the cheapest case's call; --repeat is the least it may use. The
 * empty program costing more than a microsecond means the machine measures itself: refuse.
 */
static int calibrate_repeat(struct bench *b)
{
	const struct calib_policy p = { .fixed_share = 0.02,
					.resolution = 0.01,
					.max_per_ns = 1000,
					.max_call_ns = 3e9,
					.budget_ns = 10e9,
					.start_size = 1000,
					.min_size = b->min_repeat,
					.max_size = UINT32_MAX };
	struct calib_result *r = &b->cal;
	int err = calib_run(time_floor, b, &p, r);

	if (err == -ERANGE)
		pr_warn("calibration: refused: the empty program costs %.1f ns per run (fixed %.0f "
			"ns per call), above the plausible %.0f ns",
			r->per_ns, r->fixed_ns, p.max_per_ns);
	else if (err == -E2BIG)
		pr_warn("calibration: refused: a fixed cost of %.0f ns per call and a spread of %.0f "
			"ns need a repeat of %" PRIu64 " (%.2f s per call), more than %.0f s",
			r->fixed_ns, r->jitter_ns, r->size, r->call_ns / 1e9, p.max_call_ns / 1e9);
	else if (err == -EDOM || err == -ETIMEDOUT)
		pr_warn("calibration: refused: no cost per run resolved up to a repeat of %" PRIu64
			" within %.1f s (spread %.0f ns per call)",
			r->hi_size, r->spent_ns / 1e9, r->jitter_ns);
	/*
	 * The spread of the fastest readings misses preemption, which hits a call of a few ms
	 * whole or not at all: no call shorter than 50 ms, which averages over many timeslices.
	 */
	if (!err && r->call_ns < 50e6 && r->per_ns > 0) {
		double s = ceil((50e6 - r->fixed_ns) / r->per_ns);

		r->size = s > UINT32_MAX ? UINT32_MAX : (uint64_t)s;
		r->call_ns = r->fixed_ns + r->per_ns * (double)r->size;
	}
	if (!err)
		b->repeat = (uint32_t)r->size;
	return err;
}

static void print_calibration(const struct bench *b, bool calibrated)
{
	const struct calib_result *r = &b->cal;

	if (!calibrated) {
		printf("Calibration: none (--no-calibrate), repeat %u as given.\n\n", b->repeat);
		return;
	}
	printf("Calibration (before the timed runs, empty program, repeats %" PRIu64 " and %" PRIu64
	       "): fixed %.0f ns per call, %.2f ns per run, timing spread %.0f ns; repeat %u "
	       "keeps the fixed cost at %.2f%% and the spread at %.2f%% of a floor call "
	       "(limits 2%% and 1%%).\n\n",
	       r->lo_size, r->hi_size, r->fixed_ns, r->per_ns, r->jitter_ns, b->repeat,
	       100 * r->fixed_ns / (r->fixed_ns + r->per_ns * b->repeat),
	       100 * r->jitter_ns / (r->fixed_ns + r->per_ns * b->repeat));
}

static void summarize(double *v, int n, struct result *r)
{
	qsort(v, n, sizeof(*v), cmp_double);
	r->med = v[n / 2];
	r->min = v[0];
	r->max = v[n - 1];
}

/*
 * Round robin over the cases of one phase, run after run, so a burst of load from elsewhere
 * hits every case of that round alike; the check's ratio is the median of per-round ratios.
 */
static int run_phase(struct bench *b, bool cidr, double ns[][MAX_RUNS])
{
	size_t i;
	int r, err;

	for (r = 0; r < b->runs; r++) {
		for (i = 0; i < ARRAY_SIZE(cases); i++) {
			if (cases[i].cidr != cidr || b->fd[cases[i].prog] < 0 || !selected(b, i))
				continue;
			err = run_once(b, &cases[i], &ns[i][r]);
			if (err)
				return err;
		}
	}
	return 0;
}

static int read_baseline(const char *path, double *ratio)
{
	char line[256];
	FILE *f = fopen(path, "r");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "hit_floor_ratio %lf", ratio) == 1)
			err = 0;
	}
	fclose(f);
	if (err)
		pr_warn("baseline '%s': no 'hit_floor_ratio' line", path);
	return err;
}

static int write_baseline(const char *path, double ratio, const struct result *floor,
			  const struct result *hit)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fprintf(f,
		"# Baseline of `make bench-check` (tools/bench-prog --check): the arxdp hit path\n"
		"# (IPv4, timed block, coarse clock) over the empty XDP_DROP program, both through\n"
		"# BPF_PROG_TEST_RUN in the same run. The check fails when the ratio grows by more\n"
		"# than 20%%. Written by tools/bench-prog --write-baseline (floor %.1f ns, hit %.1f ns).\n"
		"hit_floor_ratio %.3f\n",
		floor->med, hit->med, ratio);
	return fclose(f) ? -errno : 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "repeat", required_argument, NULL, 'r' },
		{ "runs", required_argument, NULL, 'n' },
		{ "check", no_argument, NULL, 'c' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "write-baseline", no_argument, NULL, 'w' },
		{ "only", required_argument, NULL, 'o' },
		{ "no-calibrate", no_argument, NULL, 'N' },
		{ "no-anchor", no_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};
	struct bench b = { .repeat = 1000000, .runs = 7 };
	struct result res[ARRAY_SIZE(cases)];
	double ns[ARRAY_SIZE(cases)][MAX_RUNS], ratios[MAX_RUNS];
	int r;
	const char *baseline = "tools/bench-baseline.txt";
	bool check = false, write = false, calibrate = true, anchor = true;
	double base = 0, ratio;
	size_t i;
	int opt, err;

	log_init("bench-prog", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			b.repeat = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'n':
			b.runs = atoi(optarg);
			break;
		case 'c':
			check = true;
			break;
		case 'b':
			baseline = optarg;
			break;
		case 'w':
			write = true;
			break;
		case 'o':
			b.only = optarg;
			break;
		case 'N':
			calibrate = false;
			break;
		case 'A':
			anchor = false;
			break;
		default:
			fprintf(stderr, "usage: bench-prog [--repeat N] [--runs N] [--check] "
					"[--baseline FILE] [--write-baseline] [--only NAME] "
					"[--no-calibrate] [--no-anchor]\n");
			return 2;
		}
	}
	if (b.runs < 5 || b.runs > MAX_RUNS || b.repeat < 1000) {
		pr_warn("arguments: --runs must be 5..%d and --repeat at least 1000", MAX_RUNS);
		return 2;
	}
	if (geteuid() != 0) {
		printf("SKIP: BPF_PROG_TEST_RUN needs root\n");
		return 77;
	}
	err = bench_open(&b);
	b.min_repeat = b.repeat;
	err = err ?: anchor ? anchor_progs(&b) : 0;
	err = err ?: calibrate ? calibrate_repeat(&b) : 0;
	err = err ?: size_cases(&b, calibrate);
	if (err)
		goto out;
	/* A prefix block turns every later miss into a trie lookup too: add it last. */
	err = run_phase(&b, false, ns);
	err = err ?: put(&b.bl[0], "198.19.7.0/24", 3600, false);
	err = err ?: run_phase(&b, true, ns);
	if (err)
		goto out;
	for (r = 0; r < b.runs; r++)
		ratios[r] = selected(&b, HIT_CASE) ? ns[HIT_CASE][r] / ns[0][r] : 0;
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		if (selected(&b, i))
			summarize(ns[i], b.runs, &res[i]);
	qsort(ratios, b.runs, sizeof(ratios[0]), cmp_double);
	ratio = ratios[b.runs / 2];

	printf("BPF_PROG_TEST_RUN, one 64-byte frame per case, repeat %u for the floor (each case "
	       "sized to calls as long, column *repeat*), median of %d runs (min–max); maps at arxdp's default capacity (1,048,576). The frame never changes, "
	       "so every lookup is cache-hot: instruction cost, not memory cost.\n\n",
	       b.repeat, b.runs);
	print_calibration(&b, calibrate);
	printf("| Case | ns/pkt | − floor, ns | × floor | repeat |\n|---|---:|---:|---:|---:|\n");
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		if (selected(&b, i))
			printf("| %s | %.2f (%.2f–%.2f) | %.2f | %.2f× | %u |\n", cases[i].name,
			       res[i].med, res[i].min, res[i].max, res[i].med - res[0].med,
			       res[i].med / res[0].med, b.rep[i]);
	if (b.only)
		goto out;
	printf("\nClock: the precise clock (bpf_ktime_get_ns) costs %.1f ns more per hit than the "
	       "jiffies one on this machine (clock source above), the coarse clock's helper %.1f "
	       "ns more; the per-block counts (plain adds) cost %.1f ns per hit here "
	       "(cache-hot).\n",
	       res[4].med - res[HIT_CASE].med, res[5].med - res[HIT_CASE].med,
	       res[HIT_CASE].med - res[14].med);

	if (write) {
		err = write_baseline(baseline, ratio, &res[0], &res[HIT_CASE]);
		if (err)
			pr_warn("baseline '%s': write failed: %s", baseline, errstr(err));
		goto out;
	}
	if (read_baseline(baseline, &base) == 0) {
		bool ok = ratio <= base * REGRESSION;

		printf("\nRegression check (`make bench-check`): hit/floor = %.2f×, baseline %.2f×, "
		       "limit %.2f×: **%s**.\n",
		       ratio, base, base * REGRESSION, ok ? "pass" : "FAIL");
		if (check && !ok)
			err = -ERANGE;
	} else if (check) {
		err = -ENOENT;
	}
out:
	bench_close(&b);
	if (err && err != -ERANGE)
		pr_warn("bench-prog: failed: %s", errstr(err));
	return err ? 1 : 0;
}
