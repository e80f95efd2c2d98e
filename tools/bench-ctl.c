// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the control-plane benchmark, on private (unpinned) instances of the
 * real program and maps, through the same blocklist code the CLI and the daemon use:
 *   - insert N blocks one by one (bl_block: lookup, merge, update) and batched
 *     (bl_block_many), µs per block, and the kernel's memlock figure of the block map at each
 *     N, at the default capacity and at a capacity of N;
 *   - sweep 1,000,000 expired blocks (bl_sweep).
 * Each figure is the median of RUNS runs, with min–max; output is markdown on stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "arxdp.h"
#include "blocklist.h"
#include "loader.h"
#include "log.h"
#include "util.h"

#define RUNS 5
#define SWEEP_N 1000000u

struct inst {
	struct loader_private *lp;
	struct blocklist bl;
	bool bl_open;
};

static int inst_open(struct inst *in, uint32_t capacity)
{
	struct loader_opts o = { .capacity_v4 = capacity,
				 .capacity_v6 = 1024,
				 .cidr_capacity = 64 };
	int err;

	memset(in, 0, sizeof(*in));
	err = loader_private_open(&o, &in->lp);
	if (err)
		return err;
	err = loader_private_blocklist(in->lp, &in->bl);
	in->bl_open = !err;
	return err;
}

static void inst_close(struct inst *in)
{
	if (in->bl_open)
		bl_close(&in->bl);
	loader_private_close(in->lp);
	memset(in, 0, sizeof(*in));
}

/* The kernel's own accounting of a map, as bpftool shows it (memlock in fdinfo). */
static uint64_t memlock(int fd)
{
	char path[64], line[256];
	uint64_t v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %lu", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* N addresses: 198.18.0.0/15 first, then 240.0.0.0/4 filler (these never leave the process). */
static void make_items(struct bl_item *items, uint32_t n, uint32_t timeout_s)
{
	uint32_t i, a;

	for (i = 0; i < n; i++) {
		a = i < 131072 ? 0xc6120000u + i : 0xf0000000u + i;
		memset(&items[i], 0, sizeof(items[i]));
		items[i].addr.family = 4;
		items[i].addr.prefixlen = 32;
		items[i].addr.a[0] = a >> 24;
		items[i].addr.a[1] = a >> 16;
		items[i].addr.a[2] = a >> 8;
		items[i].addr.a[3] = a;
		items[i].timeout_s = timeout_s;
	}
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

static void spread(double *v, int n, double *med, double *min, double *max)
{
	qsort(v, n, sizeof(*v), cmp_double);
	*med = v[n / 2];
	*min = v[0];
	*max = v[n - 1];
}

static const struct bl_reason why = { .rule_id = 5712, .level = 10, .origin = ARXDP_ORIGIN_ALERT };

/* µs per block for one run; batched or one by one. */
static int insert_run(const struct bl_item *items, int *errs, uint32_t n, bool batched, double *us,
		      uint64_t *mem)
{
	struct inst in;
	uint64_t t0, loaded = 0;
	uint32_t i;
	int err;

	err = inst_open(&in, ARXDP_DEFAULT_CAPACITY);
	if (err)
		goto out;
	t0 = mono_now_ns();
	if (batched) {
		err = bl_block_many(&in.bl, items, (int)n, &why, errs, &loaded);
		/* An address of this host (another test's veth) is refused, rightly. */
		for (i = 0; i < n && !err; i++)
			loaded += errs[i] == -EPERM;
		if (!err && loaded != n)
			err = -EIO;
	} else {
		for (i = 0; i < n && !err; i++) {
			err = bl_block(&in.bl, &items[i].addr, items[i].timeout_s, &why, NULL,
				       NULL);
			if (err == -EPERM)
				err = 0;
		}
	}
	*us = (double)(mono_now_ns() - t0) / 1e3 / n;
	*mem = memlock(loader_private_map_fd(in.lp, ARXDP_MAP_BLOCK4));
	if (err)
		pr_warn("insert of %u blocks: failed: %s", n, errstr(err));
out:
	inst_close(&in);
	return err;
}

static int sweep_run(const struct bl_item *items, int *errs, double *ms, uint32_t *swept)
{
	struct inst in;
	uint64_t t0, loaded = 0;
	int err;

	err = inst_open(&in, ARXDP_DEFAULT_CAPACITY);
	err = err ?: bl_block_many(&in.bl, items, SWEEP_N, &why, errs, &loaded);
	if (err)
		goto out;
	/* One-second blocks, then past their stamp by more than a tick of the coarse clock. */
	usleep(1100000);
	t0 = mono_now_ns();
	err = bl_sweep(&in.bl, mono_now_ns(), UINT32_MAX, NULL, NULL, swept);
	*ms = (double)(mono_now_ns() - t0) / 1e6;
	if (!err && *swept != loaded)
		err = -EIO;
	if (err)
		pr_warn("sweep of %u blocks: failed: %s (swept %u)", SWEEP_N, errstr(err), *swept);
out:
	inst_close(&in);
	return err;
}

int main(int argc, char **argv)
{
	static const uint32_t sizes[] = { 1000, 10000, 100000, 1000000 };
	double one[RUNS], bat[RUNS], sw[RUNS], m1, lo1, hi1, mb, lob, hib, ms, los, his;
	uint64_t mem = 0, mem_n;
	struct bl_item *items = NULL;
	int *errs = NULL, r, err = 0, nsizes = 4;
	uint32_t swept = 0;
	size_t s;
	struct inst in;

	log_init("bench-ctl", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	if (argc > 1 && !strcmp(argv[1], "--quick"))
		nsizes = 3;
	else if (argc > 1) {
		fprintf(stderr, "usage: bench-ctl [--quick]\n");
		return 2;
	}
	if (geteuid() != 0) {
		printf("SKIP: needs root (BPF maps)\n");
		return 77;
	}
	items = calloc(SWEEP_N, sizeof(*items));
	errs = calloc(SWEEP_N, sizeof(*errs));
	if (!items || !errs) {
		err = -ENOMEM;
		goto out;
	}
	make_items(items, SWEEP_N, 3600);

	printf("Private instances of the real program (block map capacity 1,048,576, preallocated), "
	       "written through `user/lib/blocklist.c` as the CLI and the daemon write them; median of "
	       "%d runs (min–max). memlock is the kernel's accounting of the IPv4 block map "
	       "(`bpftool map show`).\n\n",
	       RUNS);
	printf("| N | one by one (bl_block), µs/block | batched (bl_block_many), µs/block | "
	       "whole batch, ms | block_v4 memlock, capacity 1,048,576 | block_v4 memlock, "
	       "capacity N |\n|---:|---:|---:|---:|---:|---:|\n");
	fflush(stdout);
	for (s = 0; s < (size_t)nsizes; s++) {
		uint32_t n = sizes[s];

		for (r = 0; r < RUNS && !err; r++) {
			err = insert_run(items, errs, n, false, &one[r], &mem);
			err = err ?: insert_run(items, errs, n, true, &bat[r], &mem);
		}
		if (err)
			goto out;
		err = inst_open(&in, n);
		mem_n = err ? 0 : memlock(loader_private_map_fd(in.lp, ARXDP_MAP_BLOCK4));
		inst_close(&in);
		if (err)
			goto out;
		spread(one, RUNS, &m1, &lo1, &hi1);
		spread(bat, RUNS, &mb, &lob, &hib);
		printf("| %u | %.2f (%.2f–%.2f) | %.2f (%.2f–%.2f) | %.1f | %.1f MiB | %.2f MiB |\n",
		       n, m1, lo1, hi1, mb, lob, hib, mb * n / 1e3, mem / 1048576.0,
		       mem_n / 1048576.0);
		fflush(stdout);
	}

	make_items(items, SWEEP_N, 1);
	for (r = 0; r < RUNS && !err; r++)
		err = sweep_run(items, errs, &sw[r], &swept);
	if (err)
		goto out;
	spread(sw, RUNS, &ms, &los, &his);
	printf("\nSweep of %u expired blocks (bl_sweep, batched lookup-and-delete): **%.0f ms** "
	       "(%.0f–%.0f), %.2f µs per block.\n",
	       SWEEP_N, ms, los, his, ms * 1e3 / SWEEP_N);
out:
	free(items);
	free(errs);
	if (err)
		pr_warn("bench-ctl: failed: %s", errstr(err));
	return err ? 1 : 0;
}
