/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file contains the bpf tests' one-frame run (a program's verdict on a frame from a
 * source) and the pin set of a case's own that such a program runs over.
 */
#ifndef ARXDP_TEST_VERDICT_H
#define ARXDP_TEST_VERDICT_H

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "loader.h"
#include "log.h"
#include "bpf/pkt.h"
#include "testutil.h"

/* prog_fd's verdict on one UDP frame from src (IPv6 when it holds a ':'); -errno on failure. */
static inline long pkt_verdict(int prog_fd, const char *src)
{
	struct pkt_spec s = { .ethertype = strchr(src, ':') ? ETH_P_IPV6 : ETH_P_IP };
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	size_t n = strlen(src);
	uint8_t buf[PKT_MAX];

	/* Refused, not cut: a truncated source would test another address. */
	if (n >= sizeof(s.src))
		return -ENAMETOOLONG;
	memcpy(s.src, src, n + 1);
	opts.data_in = buf;
	opts.data_size_in = pkt_build(&s, buf);
	opts.repeat = 1;
	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -errno;
	return opts.retval;
}

/* pkt_verdict, the test failing when the run itself fails. */
static inline __u32 pkt_verdict_ok(int prog_fd, const char *src)
{
	long v = pkt_verdict(prog_fd, src);

	cr_assert_geq(v, 0, "test run from %s: %s", src, strerror((int)-v));
	return (__u32)v;
}

/* A pin set of the case's own (o's capacities) in tu_pin_dir(name), its program's fd. */
static inline int pin_set_prog(struct loader_opts *o, const char *name)
{
	int prog_fd = -1;

	if (geteuid() != 0)
		cr_skip_test("pinning needs root");
	log_init("test", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	o->pin_dir = tu_pin_dir(name);
	cr_assert_eq(loader_get_prog(o, &prog_fd), 0, "load and pin the XDP program");
	return prog_fd;
}

#endif /* ARXDP_TEST_VERDICT_H */
