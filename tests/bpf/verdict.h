/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* This file contains the bpf tests' one-frame run: a program's verdict on a frame from a source. */
#ifndef ARXDP_TEST_VERDICT_H
#define ARXDP_TEST_VERDICT_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bpf/pkt.h"

/* prog_fd's verdict on one UDP frame from src (IPv6 when it holds a ':'); -errno on failure. */
static inline long pkt_verdict(int prog_fd, const char *src)
{
	struct pkt_spec s = { .ethertype = strchr(src, ':') ? ETH_P_IPV6 : ETH_P_IP };
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	uint8_t buf[PKT_MAX];

	snprintf(s.src, sizeof(s.src), "%s", src);
	opts.data_in = buf;
	opts.data_size_in = pkt_build(&s, buf);
	opts.repeat = 1;
	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -errno;
	return opts.retval;
}

#endif /* ARXDP_TEST_VERDICT_H */
