// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the drop- and clean-path benchmark: BPF_PROG_TEST_RUN behind the source
 * spreader (tools/spread.bpf.c), so each repetition carries another source and a big map pays
 * its cache misses. At N = 1, 1,000 and 10,000 blocks, attack traffic (every source blocked,
 * uniform over the N) through arxdp and through xdp-filter's own ipv4 object holding the same
 * N addresses, each minus the empty XDP_DROP behind the same spreader (the marginal cost), and
 * at 100,000 (beyond xdp-filter's 10,000 and arxdp's hot tier: the spill case); then clean
 * traffic (65,024 sources, none blocked) at N = 1 and 1,000,000 minus a bare XDP_PASS, with and
 * without the prefilter. arxdp without its hot tier (the big map alone, as before the tier)
 * runs beside it in every round. All cases of one N run round robin, run after
 * run, and every figure is the median of per-round values, so load from elsewhere hits both
 * sides of a ratio alike. --check compares the ratios with tools/bench-baseline.txt.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
#include "spread.skel.h"
#include "../tests/bpf/pkt.h"

#define MAX_RUNS 31
#define REGRESSION 1.20
#define XDPFILT_OBJ "/usr/lib/x86_64-linux-gnu/bpf/xdpfilt_alw_ip.o"
/*
 * Blocked sources from 240.0.0.0/4, which no host owns (tests beside the benchmark put
 * 198.18.x.y on veths, and the blocklist rightly refuses this host's addresses); the frames
 * never leave BPF_PROG_TEST_RUN. Clean sources from 198.19.0.0, none of them blocked.
 */
#define ATTACK_BASE 0xf0000000u
#define CLEAN_BASE 0xc6130000u
#define SPREAD_MAX 65024u /* distinct sources per traffic, as the live bench sends */
#define SMALL_CAP 16384u

enum target {
	T_DROP,
	T_PASS,
	T_ARXDP,
	T_ARXDP_NOPF,
	T_ARXDP_SMALL,
	T_ARXDP_NOHOT,
	T_XDPFILT,
	T_NUM
};
#define N_INST 4 /* arxdp instances: default, no prefilter, small, no hot tier */

static const char *const target_names[T_NUM] = { "empty XDP_DROP",
						 "bare XDP_PASS",
						 "arxdp",
						 "arxdp without prefilter",
						 "arxdp at capacity 16,384",
						 "arxdp without the hot tier",
						 "xdp-filter -f ipv4 (xdpfilt_alw_ip.o)" };

struct paths {
	/* With prefilter, without, at xdp-filter's scale (its map holds 10,000), without the hot
	 * tier. */
	struct loader_private *lp[N_INST];
	struct blocklist bl[N_INST];
	struct floor *fl;
	struct spread *sp;
	struct bpf_object *xf;
	int xf_map, ncpus;
	int fd[T_NUM];
	uint32_t filled; /* blocks in every map so far */
	uint32_t repeat;
	uint32_t hot_capacity; /* 0: ARXDP_HOT_CAPACITY */
	int runs;
};

static uint32_t addr_at(uint32_t i)
{
	return ATTACK_BASE + i;
}

/* Grows every map to n blocks: arxdp's through the real bulk API (prefilter kept). */
static int fill_to(struct paths *p, uint32_t n, bool xdpfilter)
{
	const uint32_t chunk = 65536;
	struct bl_item *items = calloc(chunk, sizeof(*items));
	int *errs = calloc(chunk, sizeof(*errs));
	__u64 *vals = calloc(p->ncpus, sizeof(*vals));
	uint32_t i, c, k;
	uint64_t loaded;
	int err = 0, j;

	if (!items || !errs || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (j = 0; j < p->ncpus; j++)
		vals[j] = 1; /* MAP_FLAG_SRC of xdp-filter's common_kern_user.h */
	for (i = p->filled; i < n && !err; i += c) {
		c = n - i < chunk ? n - i : chunk;
		for (k = 0; k < c; k++) {
			uint32_t be = htonl(addr_at(i + k));

			memset(&items[k], 0, sizeof(items[k]));
			items[k].addr.family = 4;
			items[k].addr.prefixlen = 32;
			memcpy(items[k].addr.a, &be, 4);
			items[k].timeout_s = 86400;
			if (xdpfilter && bpf_map_update_elem(p->xf_map, &be, vals, BPF_ANY))
				err = -errno;
		}
		for (j = 0; j < N_INST && !err; j++) {
			if (j == 2 && n > SMALL_CAP)
				continue;
			err = bl_block_many(&p->bl[j], items, c, NULL, errs, &loaded);
			if (!err && loaded != c)
				err = -ENOSPC;
		}
	}
	if (!err)
		p->filled = n;
out:
	if (err)
		pr_warn("fill to %u blocks: failed: %s", n, errstr(err));
	free(items);
	free(errs);
	free(vals);
	return err;
}

static int open_xdpfilter(struct paths *p)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	int err;

	p->fd[T_XDPFILT] = -1;
	if (access(XDPFILT_OBJ, R_OK))
		return 0;
	p->xf = bpf_object__open_file(XDPFILT_OBJ, NULL);
	if (!p->xf)
		return -errno;
	bpf_object__for_each_map(map, p->xf) bpf_map__set_pin_path(map, NULL);
	err = bpf_object__load(p->xf);
	if (err)
		return err;
	map = bpf_object__find_map_by_name(p->xf, "filter_ipv4");
	prog = bpf_object__next_program(p->xf, NULL);
	if (!map || !prog)
		return -ENOENT;
	p->xf_map = bpf_map__fd(map);
	p->fd[T_XDPFILT] = bpf_program__fd(prog);
	return 0;
}

static int paths_open(struct paths *p)
{
	int i, err;

	p->ncpus = libbpf_num_possible_cpus();
	for (i = 0; i < N_INST; i++) {
		struct loader_opts o = { .capacity_v4 = i == 2 ? SMALL_CAP : ARXDP_DEFAULT_CAPACITY,
					 .capacity_v6 = 1024,
					 .cidr_capacity = 64,
					 .hot_capacity = p->hot_capacity,
					 .no_prefilter = i == 1,
					 .no_hot_tier = i == 3 };

		err = loader_private_open(&o, &p->lp[i]);
		err = err ?: loader_private_blocklist(p->lp[i], &p->bl[i]);
		if (err)
			return err;
	}
	p->fd[T_ARXDP] = loader_private_prog_fd(p->lp[0]);
	p->fd[T_ARXDP_NOPF] = loader_private_prog_fd(p->lp[1]);
	p->fd[T_ARXDP_SMALL] = loader_private_prog_fd(p->lp[2]);
	p->fd[T_ARXDP_NOHOT] = loader_private_prog_fd(p->lp[3]);
	p->fl = floor__open_and_load();
	p->sp = spread__open_and_load();
	if (!p->fl || !p->sp)
		return -errno ?: -EINVAL;
	p->fd[T_DROP] = bpf_program__fd(p->fl->progs.floor_drop);
	p->fd[T_PASS] = bpf_program__fd(p->fl->progs.floor_pass);
	err = open_xdpfilter(p);
	if (err)
		pr_warn("BPF object '%s': load failed: %s", XDPFILT_OBJ, errstr(err));
	return err;
}

static void paths_close(struct paths *p)
{
	int i;

	for (i = 0; i < N_INST; i++) {
		if (p->lp[i])
			bl_close(&p->bl[i]);
		loader_private_close(p->lp[i]);
	}
	floor__destroy(p->fl);
	spread__destroy(p->sp);
	bpf_object__close(p->xf);
}

/* ns per packet of target t behind the spreader, sources base + [0, range). */
static int run_once(struct paths *p, enum target t, uint32_t base, uint32_t range, int verdict,
		    double *ns)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .repeat = p->repeat);
	struct pkt_spec s = { .ethertype = ETH_P_IP, .src = "198.18.0.1" };
	int map = bpf_map__fd(p->sp->maps.target), fd = p->fd[t];
	uint8_t buf[PKT_MAX];
	__u32 zero = 0;

	if (bpf_map_update_elem(map, &zero, &fd, BPF_ANY))
		return -errno;
	p->sp->bss->base = base;
	p->sp->data->range = range;
	opts.data_in = buf;
	opts.data_size_in = pkt_build(&s, buf);
	/* The kernel's own mean: its timer stops while the loop is rescheduled, so the other
	 * processes of a shared machine do not count (whole ns: each figure is 30 ns or more). */
	if (bpf_prog_test_run_opts(bpf_program__fd(p->sp->progs.spread), &opts))
		return -errno;
	*ns = opts.duration;
	if ((int)opts.retval != verdict) {
		pr_warn("case '%s': wrong verdict %u, expected %d", target_names[t], opts.retval,
			verdict);
		return -EPROTO;
	}
	return 0;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

struct figure {
	double ns[T_NUM]; /* medians */
	double ratio; /* median per-round ratio of the figure's two marginals (or totals) */
	double vs[T_NUM]; /* attack: each target's marginal over ts[2]'s, median per round */
};

/*
 * One traffic at one N: the targets round robin, runs times. ratio: (arxdp − ref) /
 * (other − ref) per round for attack (other = xdp-filter), arxdp / ref for clean.
 */
static int measure(struct paths *p, bool attack, const enum target *ts, int nt, struct figure *f)
{
	double v[T_NUM][MAX_RUNS], r[MAX_RUNS], rv[T_NUM][MAX_RUNS];
	uint32_t range = p->filled < SPREAD_MAX ? p->filled : SPREAD_MAX;
	uint32_t base = attack ? ATTACK_BASE : CLEAN_BASE;
	int i, k, err;

	if (!attack)
		range = SPREAD_MAX;
	for (k = 0; k < p->runs; k++) {
		for (i = 0; i < nt; i++) {
			int verdict = ts[i] == T_PASS ? XDP_PASS :
				      ts[i] == T_DROP ? XDP_DROP :
				      attack	      ? XDP_DROP :
							XDP_PASS;

			err = run_once(p, ts[i], base, range, verdict, &v[ts[i]][k]);
			if (err)
				return err;
		}
		/* ts[0] is the reference, ts[1] arxdp, ts[2] the other side of the ratio. */
		if (attack)
			r[k] = (v[ts[1]][k] - v[ts[0]][k]) / (v[ts[2]][k] - v[ts[0]][k]);
		else
			r[k] = v[ts[1]][k] / v[ts[0]][k];
		for (i = 1; i < nt; i++)
			rv[ts[i]][k] = (v[ts[i]][k] - v[ts[0]][k]) / (v[ts[2]][k] - v[ts[0]][k]);
	}
	memset(f, 0, sizeof(*f));
	for (i = 0; i < nt; i++) {
		f->ns[ts[i]] = median(v[ts[i]], p->runs);
		if (i)
			f->vs[ts[i]] = median(rv[ts[i]], p->runs);
	}
	f->ratio = median(r, p->runs);
	return 0;
}

/*
 * The price of plain adds in the block value: both CPUs drop one source at once, each
 * BPF_PROG_TEST_RUN pinned to its own CPU; the block's count against the packets sent.
 */
struct flood {
	int prog_fd, cpu;
	uint32_t repeat;
	int err;
};

static void *flood_one(void *arg)
{
	struct flood *f = arg;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .repeat = f->repeat);
	struct pkt_spec s = { .ethertype = ETH_P_IP, .src = "240.0.0.1" };
	uint8_t buf[PKT_MAX];
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(f->cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	opts.data_in = buf;
	opts.data_size_in = pkt_build(&s, buf);
	f->err = bpf_prog_test_run_opts(f->prog_fd, &opts) ? -errno : 0;
	return NULL;
}

static int lost_counts(struct paths *p, double *lost)
{
	struct flood f[2];
	pthread_t t[2];
	struct arxdp_counter before, after;
	struct arxdp_addr a;
	int i, err;

	err = addr_parse("240.0.0.1", &a, NULL, 0);
	err = err ?: bl_counters(&p->bl[0], &a, &before);
	if (err)
		return err;
	for (i = 0; i < 2; i++) {
		f[i] = (struct flood){ .prog_fd = p->fd[T_ARXDP], .cpu = i, .repeat = p->repeat };
		if (pthread_create(&t[i], NULL, flood_one, &f[i]))
			return -EAGAIN;
	}
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	err = f[0].err ?: f[1].err;
	err = err ?: bl_counters(&p->bl[0], &a, &after);
	if (!err)
		*lost = 1.0 - (double)(after.packets - before.packets) / (2.0 * p->repeat);
	return err;
}

struct result {
	const char *key; /* baseline key */
	double value;
};

static int check(const char *path, const struct result *res, int n, bool write)
{
	FILE *f = fopen(path, write ? "a" : "r");
	char line[256], key[64];
	int i, bad = 0, found;
	double v, base = 0;

	if (!f)
		return -errno;
	if (write) {
		for (i = 0; i < n; i++)
			fprintf(f, "%s %.3f\n", res[i].key, res[i].value);
		return fclose(f) ? -errno : 0;
	}
	for (i = 0; i < n; i++) {
		rewind(f);
		found = 0;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "%63s %lf", key, &v) == 2 && !strcmp(key, res[i].key)) {
				found = 1;
				base = v;
			}
		if (!found) {
			pr_warn("baseline '%s': no '%s' line", path, res[i].key);
			bad = -ENOENT;
			continue;
		}
		printf("%s = %.2f, baseline %.2f, limit %.2f: **%s**\n", res[i].key, res[i].value,
		       base, base * REGRESSION,
		       res[i].value <= base * REGRESSION ? "pass" : "FAIL");
		if (res[i].value > base * REGRESSION && !bad)
			bad = -ERANGE;
	}
	fclose(f);
	return bad;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "repeat", required_argument, NULL, 'r' },
		{ "runs", required_argument, NULL, 'n' },
		{ "check", no_argument, NULL, 'c' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "write-baseline", no_argument, NULL, 'w' },
		{ "hot-capacity", required_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	const enum target atk[] = { T_DROP,	   T_ARXDP,	 T_XDPFILT,
				    T_ARXDP_NOHOT, T_ARXDP_NOPF, T_ARXDP_SMALL };
	/* Beyond xdp-filter's capacity: arxdp against itself without the hot tier. */
	const enum target spill[] = { T_DROP, T_ARXDP, T_ARXDP_NOHOT, T_ARXDP_NOPF };
	const enum target cln[] = { T_PASS, T_ARXDP, T_ARXDP_NOPF, T_ARXDP_NOHOT };
	const uint32_t attack_n[] = { 1, 1000, 10000, 100000 };
	struct paths p = { .repeat = 1000000, .runs = 7 };
	const char *baseline = "tools/bench-baseline.txt";
	struct figure fa[4], fc[2];
	struct result res[7];
	bool chk = false, write = false;
	int opt, err, i, nres = 0;
	double growth, growth_nopf, lost = 0;

	log_init("bench-paths", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			p.repeat = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'n':
			p.runs = atoi(optarg);
			break;
		case 'c':
			chk = true;
			break;
		case 'b':
			baseline = optarg;
			break;
		case 'w':
			write = true;
			break;
		case 'H':
			p.hot_capacity = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr,
				"usage: bench-paths [--repeat N] [--runs N] [--check] "
				"[--baseline FILE] [--write-baseline] [--hot-capacity N]\n");
			return 2;
		}
	}
	if (p.runs < 5 || p.runs > MAX_RUNS || p.repeat < 1000) {
		pr_warn("arguments: --runs must be 5..%d and --repeat at least 1000", MAX_RUNS);
		return 2;
	}
	if (geteuid() != 0) {
		printf("SKIP: BPF_PROG_TEST_RUN needs root\n");
		return 77;
	}
	err = paths_open(&p);
	if (err)
		goto out;
	if (p.fd[T_XDPFILT] < 0) {
		printf("SKIP: %s not installed (xdp-tools)\n", XDPFILT_OBJ);
		err = 0;
		goto out;
	}
	for (i = 0; i < 3 && !err; i++) {
		err = fill_to(&p, attack_n[i], true);
		err = err ?: measure(&p, true, atk, ARRAY_SIZE(atk), &fa[i]);
		if (i == 0)
			err = err ?: measure(&p, false, cln, ARRAY_SIZE(cln), &fc[0]);
	}
	err = err ?: fill_to(&p, attack_n[3], false);
	err = err ?: measure(&p, true, spill, ARRAY_SIZE(spill), &fa[3]);
	err = err ?: lost_counts(&p, &lost);
	err = err ?: fill_to(&p, 1000000, false);
	err = err ?: measure(&p, false, cln, ARRAY_SIZE(cln), &fc[1]);
	if (err)
		goto out;

	printf("BPF_PROG_TEST_RUN behind the source spreader, repeat %u, median of %d rounds; "
	       "ns per packet, spreader included on every side.\n\n",
	       p.repeat, p.runs);
	printf("Hot tier: %u entries per family. Marginal = minus the empty XDP_DROP.\n\n",
	       p.hot_capacity ?: ARXDP_HOT_CAPACITY);
	printf("| Attack, N | empty DROP | arxdp − floor | xdp-filter − floor "
	       "| arxdp / xdp-filter | without hot tier − floor | without hot tier / xdp-filter "
	       "| without prefilter − floor | at capacity 16,384 − floor |\n"
	       "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < 3; i++)
		printf("| %u | %.1f | %.1f | %.1f | %.2f× | %.1f | %.2f× | %.1f | %.1f |\n",
		       attack_n[i], fa[i].ns[T_DROP], fa[i].ns[T_ARXDP] - fa[i].ns[T_DROP],
		       fa[i].ns[T_XDPFILT] - fa[i].ns[T_DROP], fa[i].ratio,
		       fa[i].ns[T_ARXDP_NOHOT] - fa[i].ns[T_DROP], fa[i].vs[T_ARXDP_NOHOT],
		       fa[i].ns[T_ARXDP_NOPF] - fa[i].ns[T_DROP],
		       fa[i].ns[T_ARXDP_SMALL] - fa[i].ns[T_DROP]);
	printf("| %u | %.1f | %.1f | (10,000 max) | | %.1f | (arxdp / without: %.2f×) | %.1f | "
	       "(16,384 max) |\n",
	       attack_n[3], fa[3].ns[T_DROP], fa[3].ns[T_ARXDP] - fa[3].ns[T_DROP],
	       fa[3].ns[T_ARXDP_NOHOT] - fa[3].ns[T_DROP], fa[3].ratio,
	       fa[3].ns[T_ARXDP_NOPF] - fa[3].ns[T_DROP]);
	printf("\n| Clean, N | bare PASS | arxdp | arxdp without prefilter | arxdp / PASS "
	       "| arxdp − PASS | without prefilter − PASS | without hot tier − PASS |\n"
	       "|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < 2; i++)
		printf("| %s | %.1f | %.1f | %.1f | %.2f× | %.1f | %.1f | %.1f |\n",
		       i ? "1,000,000" : "1", fc[i].ns[T_PASS], fc[i].ns[T_ARXDP],
		       fc[i].ns[T_ARXDP_NOPF], fc[i].ratio, fc[i].ns[T_ARXDP] - fc[i].ns[T_PASS],
		       fc[i].ns[T_ARXDP_NOPF] - fc[i].ns[T_PASS],
		       fc[i].ns[T_ARXDP_NOHOT] - fc[i].ns[T_PASS]);
	/* Growth with N of the clean marginal: what the prefilter is for (1.0 = flat). */
	growth = (fc[1].ns[T_ARXDP] - fc[1].ns[T_PASS]) / (fc[0].ns[T_ARXDP] - fc[0].ns[T_PASS]);
	growth_nopf = (fc[1].ns[T_ARXDP_NOPF] - fc[1].ns[T_PASS]) /
		      (fc[0].ns[T_ARXDP_NOPF] - fc[0].ns[T_PASS]);
	printf("\nClean marginal at 1,000,000 over N = 1: %.2f× with the prefilter, %.2f× "
	       "without.\n\n",
	       growth, growth_nopf);

	printf("Per-block counts under a two-CPU flood of one source (plain adds): %.2f%% of "
	       "the drops not counted (%u packets per CPU).\n\n",
	       100.0 * lost, p.repeat);
	res[nres++] = (struct result){ "attack_vs_xdpfilter_n1", fa[0].ratio };
	res[nres++] = (struct result){ "attack_vs_xdpfilter_n1000", fa[1].ratio };
	res[nres++] = (struct result){ "attack_vs_xdpfilter_n10000", fa[2].ratio };
	/* Beyond the hot tier: what the spill costs against the big map alone. */
	res[nres++] = (struct result){ "attack_vs_nohot_n100000", fa[3].ratio };
	res[nres++] = (struct result){ "clean_pass_ratio_n1000000", fc[1].ratio };
	/* Totals, not marginals: a marginal of a few ns would make the check's ratio noise. */
	res[nres++] =
		(struct result){ "clean_n1000000_over_n1", fc[1].ns[T_ARXDP] / fc[0].ns[T_ARXDP] };
	if (write) {
		err = check(baseline, res, nres, true);
		goto out;
	}
	err = check(baseline, res, nres, false);
	if (!chk && err == -ERANGE)
		err = 0;
out:
	paths_close(&p);
	if (err && err != -ERANGE)
		pr_warn("bench-paths: failed: %s", errstr(err));
	return err ? 1 : 0;
}
