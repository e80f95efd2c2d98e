// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains trafficgen's send: the live-frames generator (tools/trafficgen.bpf.c run
 * through BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES), its calibration, and the receiver's
 * counters it reports (veth rx_packets and the stack's, never what was sent).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include "log.h"
#include "util.h"
#include "trafficgen.h"
#include "trafficgen.skel.h"
#include "calib.h"

#define MAX_CHUNK (1u << 20)

static double now_s(void)
{
	return (double)mono_now_ns() / 1e9;
}

struct rx_counters {
	uint32_t rx_packets; /* rtnl_link_stats is 32-bit: deltas wrap correctly */
	uint32_t rx_dropped;
	uint64_t ip_in, udp_in, udp_noports;
};

/* One "Name: field field..." / "Name: value value..." pair of /proc/net/snmp. */
static uint64_t snmp_field(const char *text, const char *table, const char *field)
{
	char prefix[32], hdr[2048], val[2048], *hs, *vs, *h, *v;
	const char *p;

	snprintf(prefix, sizeof(prefix), "%s:", table);
	p = strstr(text, prefix);
	if (!p || sscanf(p, "%2047[^\n]\n%2047[^\n]", hdr, val) != 2)
		return 0;
	h = strtok_r(hdr, " ", &hs);
	v = strtok_r(val, " ", &vs);
	while (h && v) {
		if (!strcmp(h, field))
			return strtoull(v, NULL, 10);
		h = strtok_r(NULL, " ", &hs);
		v = strtok_r(NULL, " ", &vs);
	}
	return 0;
}

static uint64_t snmp6_field(const char *text, const char *field)
{
	const char *p = text;
	size_t len = strlen(field);

	while ((p = strstr(p, field))) {
		if ((p == text || p[-1] == '\n') && p[len] == ' ')
			return strtoull(p + len, NULL, 10);
		p += len;
	}
	return 0;
}

static int read_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		err = -errno;
	else
		buf[n] = '\0';
	close(fd);
	return err;
}

/* Counters of dev and of the stack of the current namespace. */
static int rx_read(const char *dev, int family, struct rx_counters *c)
{
	static char text[65536];
	struct ifaddrs *ifa, *i;
	int err = -ENODEV;

	memset(c, 0, sizeof(*c));
	if (getifaddrs(&ifa))
		return -errno;
	for (i = ifa; i; i = i->ifa_next) {
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_PACKET && i->ifa_data &&
		    !strcmp(i->ifa_name, dev)) {
			const struct rtnl_link_stats *s = i->ifa_data;

			c->rx_packets = s->rx_packets;
			c->rx_dropped = s->rx_dropped;
			err = 0;
		}
	}
	freeifaddrs(ifa);
	if (err) {
		pr_warn("interface '%s': reading counters failed: %s", dev, errstr(err));
		return err;
	}
	if (family == 4) {
		err = read_file("/proc/self/net/snmp", text, sizeof(text));
		if (!err) {
			c->ip_in = snmp_field(text, "Ip", "InReceives");
			c->udp_in = snmp_field(text, "Udp", "InDatagrams");
			c->udp_noports = snmp_field(text, "Udp", "NoPorts");
		}
	} else {
		err = read_file("/proc/self/net/snmp6", text, sizeof(text));
		if (!err) {
			c->ip_in = snmp6_field(text, "Ip6InReceives");
			c->udp_in = snmp6_field(text, "Udp6InDatagrams");
			c->udp_noports = snmp6_field(text, "Udp6NoPorts");
		}
	}
	if (err)
		pr_warn("stack counters: read failed: %s", errstr(err));
	return err;
}

static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* A valid Ethernet/IP/UDP frame for the receiver's MAC; returns its length. */
static int build_frame(uint8_t *buf, int size, int family, const uint8_t dmac[6],
		       const uint8_t smac[6], const struct in6_addr *src,
		       const struct in6_addr *dst)
{
	struct ethhdr *eth = (struct ethhdr *)buf;
	int l3 = family == 4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);
	int min = (int)sizeof(*eth) + l3 + (int)sizeof(struct udphdr);
	struct udphdr *udp = (struct udphdr *)(buf + sizeof(*eth) + l3);
	uint16_t ulen;
	uint32_t sum;

	if (size < min)
		size = min;
	if (size < 60)
		size = 60;
	memset(buf, 0, size);
	memcpy(eth->h_dest, dmac, 6);
	memcpy(eth->h_source, smac, 6);
	ulen = size - sizeof(*eth) - l3;
	udp->source = htons(40000);
	udp->dest = htons(9); /* discard: nothing listens, the stack counts NoPorts */
	udp->len = htons(ulen);
	memset(udp + 1, 0x5a, ulen - sizeof(*udp));
	if (family == 4) {
		struct iphdr *iph = (struct iphdr *)(eth + 1);

		eth->h_proto = htons(ETH_P_IP);
		iph->version = 4;
		iph->ihl = 5;
		iph->ttl = 64;
		iph->protocol = IPPROTO_UDP;
		iph->tot_len = htons(size - sizeof(*eth));
		memcpy(&iph->saddr, src, 4);
		memcpy(&iph->daddr, dst, 4);
		iph->check = csum_fold(csum_add(0, iph, sizeof(*iph)));
		sum = csum_add(0, &iph->saddr, 8) + IPPROTO_UDP + ulen;
	} else {
		struct ipv6hdr *ip6h = (struct ipv6hdr *)(eth + 1);

		eth->h_proto = htons(ETH_P_IPV6);
		ip6h->version = 6;
		ip6h->hop_limit = 64;
		ip6h->nexthdr = IPPROTO_UDP;
		ip6h->payload_len = htons(ulen);
		ip6h->saddr = *src;
		ip6h->daddr = *dst;
		sum = csum_add(0, &ip6h->saddr, 32) + IPPROTO_UDP + ulen;
	}
	udp->check = csum_fold(csum_add(sum, udp, ulen));
	if (!udp->check)
		udp->check = 0xffff;
	return size;
}

static int pin_cpu(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		int err = -errno;

		pr_warn("CPU %d: pinning failed: %s", cpu, errstr(err));
		return err;
	}
	return 0;
}

static int run_live(int prog_fd, uint8_t *frame, int len, uint32_t repeat, uint32_t batch)
{
	struct xdp_md ctx = { .data_end = (uint32_t)len };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = (uint32_t)len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = repeat,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = batch);

	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -errno;
	return 0;
}

/*
 * Every BPF_PROG_RUN of an XDP program puts it into the kernel's XDP dispatcher and takes it
 * out again unless something else keeps it there, and each change waits for the dispatcher's
 * update (an RCU grace period): on some VMs 20-30 ms of idle wall time per call (issue 16).
 * Attached in native mode to a spare veth of the generator's namespace for the run, the
 * program stays in the dispatcher and a call costs what it costs. The veth is deleted after
 * the run, and with the namespace if this process dies first.
 */
static int anchor_attach(int prog_fd, char *name, size_t size)
{
	char cmd[256];
	int ifindex, err;

	snprintf(name, size, "tga%x", (unsigned)getpid() & 0xfffffffu);
	snprintf(cmd, sizeof(cmd),
		 "ip link add %s type veth peer name tgb%x && ip link set %s up && "
		 "ip link set tgb%x up",
		 name, (unsigned)getpid() & 0xfffffffu, name, (unsigned)getpid() & 0xfffffffu);
	if (system(cmd)) {
		pr_warn("interface '%s': creating the dispatcher anchor failed", name);
		name[0] = '\0';
		return -EIO;
	}
	err = tg_if_lookup(name, &ifindex, NULL);
	if (!err && bpf_xdp_attach(ifindex, prog_fd, XDP_FLAGS_DRV_MODE, NULL)) {
		err = -errno;
		pr_warn("interface '%s': attaching the dispatcher anchor failed: %s", name,
			errstr(err));
	}
	return err;
}

static void anchor_detach(const char *name)
{
	char cmd[64];

	if (!name[0])
		return;
	snprintf(cmd, sizeof(cmd), "ip link del %s", name);
	if (system(cmd))
		pr_warn("interface '%s': removing the dispatcher anchor failed", name);
}

struct live_call {
	int prog_fd, len;
	uint8_t *frame;
	uint32_t batch;
};

static int live_measure(void *ctx, uint64_t size, double *ns)
{
	struct live_call *lc = ctx;
	uint64_t t0 = mono_now_ns();
	int err = run_live(lc->prog_fd, lc->frame, lc->len, (uint32_t)size, lc->batch);

	*ns = (double)(mono_now_ns() - t0);
	if (err)
		pr_warn("BPF_PROG_RUN live frames: calibration call failed: %s", errstr(err));
	return err;
}

/*
 * Before the timed window: the fixed cost of a call on this machine and the spread of its
 * timing, so every timed call is long enough for both to stay under 2% and 1% (a run then
 * lasts at least one such call, longer than --time where it must). A machine where that needs
 * calls over max(--time, 3 s), or an absurd cost per frame, gets no figure.
 */
static int calibrate_send(const struct args *a, struct live_call *lc, struct calib_result *r)
{
	const struct calib_policy p = { .fixed_share = 0.02,
					.resolution = 0.01,
					.max_per_ns = a->max_ns > 0 ? a->max_ns : 1e7,
					.max_call_ns = (a->time_s > 3 ? a->time_s : 3) * 1e9,
					.budget_ns = 3e9,
					.start_size = 256,
					.min_size = 64,
					.max_size = UINT32_MAX };
	int err = calib_run(live_measure, lc, &p, r);

	switch (err) {
	case 0:
		break;
	case -ERANGE:
		pr_warn("calibration: refused: %.0f ns per frame (fixed %.0f ns per call) is above "
			"the plausible %.0f ns",
			r->per_ns, r->fixed_ns, p.max_per_ns);
		break;
	case -E2BIG:
		pr_warn("calibration: refused: a fixed cost of %.0f ns per call and a spread of "
			"%.0f ns need calls of %" PRIu64 " frames (%.2f s at %.1f ns per frame), "
			"more than %.2f s: this machine cannot give a figure",
			r->fixed_ns, r->jitter_ns, r->size, r->call_ns / 1e9, r->per_ns,
			p.max_call_ns / 1e9);
		break;
	case -EDOM:
	case -ETIMEDOUT:
		pr_warn("calibration: refused: no cost per frame resolved up to %" PRIu64
			" frames per call within %.2f s (spread %.0f ns per call)",
			r->hi_size, r->spent_ns / 1e9, r->jitter_ns);
		break;
	default:
		break;
	}
	return err;
}

int tg_cmd_send(struct args *a)
{
	struct calib_result cal = {};
	struct rx_counters pre_cal;
	struct live_call lc;
	char anchor[IFNAMSIZ] = "";
	struct rx_counters before, after;
	uint8_t dmac[6], smac[6], frame[2048];
	struct trafficgen *skel = NULL;
	int rx_ifindex, gen_ifindex, len, prog_fd, err;
	uint32_t wire = tg_wire_count(a->family, a->n), chunk = 256, batch = 64;
	uint64_t sent = 0, wall_ns, rx;
	double t0, t, per_pkt;

	if (!a->gen_ns || !a->rx_ns || !a->dev || !a->rx_dev) {
		pr_warn("send: arguments: --gen-ns, --rx-ns, --dev and --rx-dev are required");
		return -EINVAL;
	}
	err = tg_ns_enter(a->rx_ns);
	err = err ?: tg_if_lookup(a->rx_dev, &rx_ifindex, dmac);
	err = err ?: tg_ns_enter(a->gen_ns);
	err = err ?: tg_if_lookup(a->dev, &gen_ifindex, smac);
	if (err)
		return err;

	skel = trafficgen__open();
	if (!skel) {
		err = -errno;
		pr_warn("BPF object 'trafficgen': open failed: %s", errstr(err));
		return err;
	}
	skel->rodata->ifindex_out = gen_ifindex;
	skel->rodata->family = a->family;
	skel->rodata->dist = a->dist;
	skel->rodata->n_addrs = wire ?: 1;
	skel->rodata->hot_n = a->hot < wire ? a->hot : wire;
	if (!skel->rodata->hot_n)
		skel->rodata->hot_n = 1;
	skel->rodata->base4 = ntohl(a->src.s6_addr32[0]);
	skel->rodata->base6_lo = ntohl(a->src.s6_addr32[3]);
	err = trafficgen__load(skel);
	if (err) {
		pr_warn("BPF object 'trafficgen': load failed: %s", errstr(err));
		goto out;
	}
	prog_fd = bpf_program__fd(skel->progs.tg_xdp);
	len = build_frame(frame, a->size, a->family, dmac, smac, &a->src, &a->dst);

	err = pin_cpu(a->cpu);
	if (err)
		goto out;
	/* One frame first: EINVAL here means the kernel has no live-frames mode. */
	err = run_live(prog_fd, frame, len, 1, 1);
	if (err) {
		pr_warn("BPF_PROG_RUN live frames: probe failed: %s", errstr(err));
		goto out;
	}
	if (!a->no_anchor) {
		err = anchor_attach(prog_fd, anchor, sizeof(anchor));
		if (err)
			goto out;
	}
	/* The receiver's program counts calibration frames too: they are reported apart. */
	err = tg_ns_enter(a->rx_ns) ?: rx_read(a->rx_dev, a->family, &pre_cal);
	err = err ?: tg_ns_enter(a->gen_ns);
	if (err)
		goto out;
	lc = (struct live_call){ .prog_fd = prog_fd, .len = len, .frame = frame, .batch = 64 };
	err = a->direct ? 0 : calibrate_send(a, &lc, &cal);
	if (err)
		goto out;
	if (!a->direct && cal.size > a->count) {
		pr_warn("calibration: refused: --count %" PRIu64 " is below one calibrated call of "
			"%" PRIu64 " frames",
			a->count, cal.size);
		err = -E2BIG;
		goto out;
	}
	chunk = a->direct ? (uint32_t)a->count : (uint32_t)cal.size;
	batch = cal.per_ns > 0 ? (uint32_t)(500000 / cal.per_ns) : 64;
	batch = batch < 1 ? 1 : batch > 64 ? 64 : batch;
	usleep(20000);
	err = tg_ns_enter(a->rx_ns) ?: rx_read(a->rx_dev, a->family, &before);
	err = err ?: tg_ns_enter(a->gen_ns);
	if (err)
		goto out;

	t0 = now_s();
	t = t0;
	while (sent < a->count && t - t0 < a->time_s) {
		double c0 = t;
		uint32_t n = chunk;

		if (sent + n > a->count)
			n = (uint32_t)(a->count - sent);
		err = run_live(prog_fd, frame, len, n, a->batch ? (uint32_t)a->batch : batch);
		if (err) {
			pr_warn("BPF_PROG_RUN live frames: run failed: %s", errstr(err));
			goto out;
		}
		sent += n;
		t = now_s();
		/* Aim at ~20 ms per call so the time bound holds for slow receivers too, never
		 * below the calibrated size that keeps the fixed cost of a call under 2%. */
		per_pkt = (t - c0) / n;
		chunk = per_pkt > 0 ? (uint32_t)(0.02 / per_pkt) : MAX_CHUNK;
		chunk = chunk > MAX_CHUNK ? MAX_CHUNK : chunk;
		chunk = chunk < cal.size ? (uint32_t)cal.size : chunk;
		if (a->direct)
			break;
		/* One NAPI poll takes what one batch delivers; keep it well under the 2 ms
		 * softirq budget, or the rest lands in ksoftirqd and the ring overflows. */
		batch = per_pkt > 0 ? (uint32_t)(0.0005 / per_pkt) : 64;
		batch = batch < 1 ? 1 : batch > 64 ? 64 : batch;
	}
	wall_ns = (uint64_t)((t - t0) * 1e9);
	usleep(20000);
	err = tg_ns_enter(a->rx_ns) ?: rx_read(a->rx_dev, a->family, &after);
	if (err)
		goto out;
	rx = (uint32_t)(after.rx_packets - before.rx_packets);
	printf("rx=%" PRIu64 " sent=%" PRIu64 " wall_ns=%" PRIu64 " ns_per_pkt=%.2f mpps=%.4f"
	       " ip_in=%" PRIu64 " udp_in=%" PRIu64 " udp_noports=%" PRIu64
	       " rx_dropped=%u loss=%.4f wire=%u batch=%u calib_fixed_ns=%.0f"
	       " calib_per_ns=%.2f calib_spread_ns=%.0f calib_size=%" PRIu64
	       " calib_fixed_share=%.4f calib_rx=%u\n",
	       rx, sent, wall_ns, rx ? (double)wall_ns / rx : 0.0,
	       wall_ns ? rx * 1e3 / wall_ns : 0.0, after.ip_in - before.ip_in,
	       after.udp_in - before.udp_in, after.udp_noports - before.udp_noports,
	       (uint32_t)(after.rx_dropped - before.rx_dropped),
	       sent ? 1.0 - (double)rx / sent : 0.0, wire, a->batch ? (uint32_t)a->batch : batch,
	       cal.fixed_ns, cal.per_ns, cal.jitter_ns, cal.size,
	       cal.call_ns > 0 ? cal.fixed_ns / cal.call_ns : 0.0,
	       (uint32_t)(before.rx_packets - pre_cal.rx_packets));
	if (!rx) {
		pr_warn("receiver '%s': counted no packet", a->rx_dev);
		err = -EIO;
	} else if (a->max_ns > 0 && (double)wall_ns / rx > a->max_ns) {
		pr_warn("figure: refused: %.0f ns per received packet is above the plausible %.0f "
			"ns (calibrated fixed cost %.0f ns per call, %.1f ns per frame)",
			(double)wall_ns / rx, a->max_ns, cal.fixed_ns, cal.per_ns);
		err = -ERANGE;
	}
out:
	if (!tg_ns_enter(a->gen_ns))
		anchor_detach(anchor);
	trafficgen__destroy(skel);
	return err;
}
