// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains bench-prog's source spreader: BPF_PROG_TEST_RUN repeats one frame, so
 * every lookup of the program under test hits the same, cache-hot bucket. This program
 * rewrites the IPv4 source of the frame on every repetition (base + a scrambled counter
 * modulo range: uniform over the range, no two neighbours in a row) and tail-calls the
 * program under test, so a map of a million entries pays its cache and TLB misses as under
 * live traffic. The program under test and the references (empty XDP_DROP, bare XDP_PASS)
 * run behind the same spreader: ratios and differences cancel its own cost.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} target SEC(".maps");

/* Set by bench-prog between cases (host byte order). */
__u32 base = 0;
__u32 range = 1;
__u32 ctr = 0;

SEC("xdp")
int spread(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	__u32 r = range ?: 1;

	if ((void *)(iph + 1) > data_end)
		return XDP_ABORTED;
	/* Odd multiplier: a bijection on 2^32, so the modulo walks the range evenly. */
	iph->saddr = bpf_htonl(base + (ctr++ * 2654435761u) % r);
	bpf_tail_call(ctx, &target, 0);
	return XDP_ABORTED;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
