// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the live-frames traffic generator of the data-plane benchmark and the
 * helpers around it (trafficgen.h says which part holds what):
 *   send    run tools/trafficgen.bpf.c through BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES in
 *           the sender's namespace, so frames reach the peer veth as xdp_frames (as from a NIC
 *           driver, no skb), and report what the receiver counted: its veth rx_packets and its
 *           stack counters, never what was sent. Generator and receiver share one pinned CPU,
 *           so wall time per received packet is CPU time per packet of both together.
 *   attach  put a program on the receiving veth inside its namespace: the floor programs, the
 *           bare lookup and the no-counter variant (maps filled here), or arxdp itself (loaded
 *           and pinned through the loader in the root namespace, whose bpffs `ip netns exec`
 *           would hide, and filled through the blocklist's bulk load, as users fill it).
 *   keys    print the blocked addresses of a set of N, for `arxdp block --from -`.
 * Every address comes from 198.18.0.0/15 or 2001:2::/48, except the IPv4 filler that pads a
 * map beyond the addresses the wire can carry: 240.0.0.0/4, which is never sent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "log.h"
#include "util.h"
#include "trafficgen.h"

static int parse_addr(int family, const char *s, struct in6_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(family == 4 ? AF_INET : AF_INET6, s, out) != 1) {
		pr_warn("address '%s': parse failed: not an IPv%d address", s, family);
		return -EINVAL;
	}
	return 0;
}

uint32_t tg_wire_count(int family, uint32_t n)
{
	return family == 4 && n > WIRE_MAX4 ? WIRE_MAX4 : n;
}

void tg_set_key(int family, const struct in6_addr *base, uint32_t n, uint32_t i, void *key)
{
	if (family == 4) {
		uint32_t b = ntohl(base->s6_addr32[0]);
		uint32_t a = i < tg_wire_count(4, n) ? b + i : FILLER4 + (i - WIRE_MAX4);

		*(uint32_t *)key = htonl(a);
		return;
	}
	memcpy(key, base, 16);
	((uint32_t *)key)[3] = htonl(ntohl(base->s6_addr32[3]) + i);
}

int tg_ns_enter(const char *name)
{
	char path[PATH_MAX];
	int fd, err = 0;

	if (!name)
		return 0;
	if (name[0] == '/')
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		pr_warn("namespace '%s': open failed: %s", path, errstr(err));
		return err;
	}
	if (setns(fd, CLONE_NEWNET)) {
		err = -errno;
		pr_warn("namespace '%s': setns failed: %s", path, errstr(err));
	}
	close(fd);
	return err;
}

int tg_if_lookup(const char *dev, int *ifindex, uint8_t mac[6])
{
	struct ifreq ifr = {};
	int fd, err = 0;

	*ifindex = if_nametoindex(dev);
	if (!*ifindex) {
		err = -errno;
		pr_warn("interface '%s': lookup failed: %s", dev, errstr(err));
		return err;
	}
	if (!mac)
		return 0;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		err = -errno;
		pr_warn("interface '%s': reading the MAC failed: %s", dev, errstr(err));
	} else {
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	}
	close(fd);
	return err;
}

static int cmd_keys(struct args *a)
{
	char buf[INET6_ADDRSTRLEN];
	uint8_t key[16];
	uint32_t i;

	for (i = 0; i < a->n; i++) {
		tg_set_key(a->family, &a->src, a->n, i, key);
		inet_ntop(a->family == 4 ? AF_INET : AF_INET6, key, buf, sizeof(buf));
		if (a->timeout_s)
			printf("%s %u\n", buf, a->timeout_s);
		else
			printf("%s\n", buf);
	}
	return fflush(stdout) ? -errno : 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: trafficgen send --gen-ns NS --dev IF --rx-ns NS --rx-dev IF [--family 4|6]\n"
		"                       [--dist one|hot|uniform] [--n N] [--hot H] --src ADDR --dst ADDR\n"
		"                       [--time SECONDS] [--count PACKETS] [--cpu CPU] [--batch B]\n"
		"                       [--size BYTES] [--max-ns NS] [--direct]\n"
		"                       [--no-anchor]\n"
		"       trafficgen attach --ns NS --dev IF --prog drop|pass|lookup|nocnt|arxdp\n"
		"                       [--pin-dir DIR] [--fill --family 4|6 --n N --src ADDR] [--capacity C]\n"
		"                       [--precise]\n"
		"       trafficgen keys [--family 4|6] --n N --src ADDR [--timeout SECONDS]\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "gen-ns", required_argument, NULL, 'G' },
		{ "rx-ns", required_argument, NULL, 'R' },
		{ "ns", required_argument, NULL, 'R' },
		{ "dev", required_argument, NULL, 'd' },
		{ "rx-dev", required_argument, NULL, 'r' },
		{ "family", required_argument, NULL, 'f' },
		{ "dist", required_argument, NULL, 'D' },
		{ "n", required_argument, NULL, 'n' },
		{ "hot", required_argument, NULL, 'H' },
		{ "src", required_argument, NULL, 's' },
		{ "dst", required_argument, NULL, 'a' },
		{ "time", required_argument, NULL, 't' },
		{ "count", required_argument, NULL, 'c' },
		{ "cpu", required_argument, NULL, 'C' },
		{ "batch", required_argument, NULL, 'b' },
		{ "size", required_argument, NULL, 'S' },
		{ "prog", required_argument, NULL, 'p' },
		{ "pin-dir", required_argument, NULL, 'P' },
		{ "capacity", required_argument, NULL, 'K' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "precise", no_argument, NULL, 'x' },
		{ "fill", no_argument, NULL, 'F' },
		{ "max-ns", required_argument, NULL, 'M' },
		{ "direct", no_argument, NULL, 'X' },
		{ "no-anchor", no_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};
	struct args a = { .family = 4,
			  .dist = TG_UNIFORM,
			  .n = 1,
			  .hot = 1000,
			  .time_s = 1.0,
			  .count = 4000000000ULL,
			  .cpu = 1,
			  .size = 64 };
	const char *cmd, *src = NULL, *dst = NULL;
	int opt, err;

	log_init("trafficgen", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	if (argc < 2) {
		usage();
		return 2;
	}
	cmd = argv[1];
	optind = 2;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'G':
			a.gen_ns = optarg;
			break;
		case 'R':
			a.rx_ns = optarg;
			break;
		case 'd':
			a.dev = optarg;
			break;
		case 'r':
			a.rx_dev = optarg;
			break;
		case 'f':
			a.family = atoi(optarg) == 6 ? 6 : 4;
			break;
		case 'D':
			a.dist = !strcmp(optarg, "one") ? TG_ONE :
				 !strcmp(optarg, "hot") ? TG_HOT :
							  TG_UNIFORM;
			break;
		case 'n':
			a.n = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'H':
			a.hot = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 's':
			src = optarg;
			break;
		case 'a':
			dst = optarg;
			break;
		case 't':
			a.time_s = atof(optarg);
			break;
		case 'c':
			a.count = strtoull(optarg, NULL, 0);
			break;
		case 'C':
			a.cpu = atoi(optarg);
			break;
		case 'b':
			a.batch = atoi(optarg);
			break;
		case 'S':
			a.size = atoi(optarg);
			break;
		case 'p':
			a.prog = optarg;
			break;
		case 'P':
			a.pin_dir = optarg;
			break;
		case 'K':
			a.capacity = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'T':
			a.timeout_s = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'x':
			a.precise = 1;
			break;
		case 'F':
			a.fill = 1;
			break;
		case 'M':
			a.max_ns = atof(optarg);
			break;
		case 'X':
			a.direct = 1;
			break;
		case 'A':
			a.no_anchor = 1;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (a.batch < 0 || a.batch > 256 || a.time_s <= 0 || a.time_s > 600) {
		pr_warn("arguments: --batch must be 0..256 and --time 0..600 s");
		return 2;
	}
	if ((src && parse_addr(a.family, src, &a.src)) ||
	    (dst && parse_addr(a.family, dst, &a.dst)))
		return 2;
	if (!strcmp(cmd, "send")) {
		if (!src || !dst) {
			pr_warn("send: arguments: --src and --dst are required");
			return 2;
		}
		err = tg_cmd_send(&a);
	} else if (!strcmp(cmd, "attach")) {
		err = tg_cmd_attach(&a);
	} else if (!strcmp(cmd, "keys")) {
		err = src ? cmd_keys(&a) : -EINVAL;
	} else {
		usage();
		return 2;
	}
	return err ? 1 : 0;
}
