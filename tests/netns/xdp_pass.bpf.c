// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file is the "foreign" XDP program of the coexistence test (tests/netns/test-ops.sh):
 * it passes every packet and counts them in a one-slot array, so the test can tell that it
 * saw traffic, and that arxdp refuses to replace it without --force.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pass_count SEC(".maps");

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&pass_count, &key);

	if (n)
		__sync_fetch_and_add(n, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
