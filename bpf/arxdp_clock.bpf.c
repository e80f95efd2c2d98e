// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the loader's clock sample: jiffies and the coarse CLOCK_MONOTONIC read in
 * one run, and the kernel's HZ. The XDP program reads the expiry clock from jiffies (an
 * inlined load) instead of calling bpf_ktime_get_coarse_ns() on every hit; this pair is how
 * the loader ties the two together before it loads it (struct arxdp_clock in arxdp.h).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "arxdp.h"

/* From the kernel's configuration (/proc/config.gz or /boot/config-*); 0 when neither exists. */
extern const unsigned int CONFIG_HZ __kconfig __weak;

/* Read by the loader through the skeleton's mapped .bss after each test run. */
struct arxdp_clock_sample sample;

/* XDP, run by BPF_PROG_TEST_RUN only: a syscall program may not call the coarse clock. */
SEC("xdp")
int arxdp_clock_sample(struct xdp_md *ctx)
{
	sample.jiffies = bpf_jiffies64();
	sample.coarse_ns = bpf_ktime_get_coarse_ns();
	sample.hz = CONFIG_HZ;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
