// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the measuring helper of tools/bench-daemon.sh, which benchmarks arxdpd
 * end to end against a Wazuh-style active response on this machine:
 *   latency  a probe in a network namespace sends a paced UDP stream from one source address
 *            at a time (raw socket opened in the probe's namespace, source taken from the
 *            probe's /24); an alert line for that address is appended to alerts.json and the
 *            time until the block is in the map and until its per-block drop counter moves
 *            is measured. A fresh address per sample.
 *   burst    appends COUNT alert lines with unique addresses in one write and measures until
 *            the last one is in the map (arxdpd applies them in file order).
 *   wazuh    the Wazuh-style path, serialised as wazuh-execd runs it: one process per alert
 *            (fork + exec of `bench-daemon fwdrop`, the execd protocol on its stdin/stdout),
 *            which runs `iptables -I INPUT` and `iptables -I FORWARD`. The network namespace
 *            is entered once (setns), so no wrapper is charged per call.
 *   fwdrop   the active-response program of `wazuh`: firewall-drop's steps (log, check_keys,
 *            lock directory, two iptables processes, unlock, log).
 * Results are printed as "key=value" lines for the script. Addresses: probe sources from the
 * probe's own /24 in 198.18.0.0/15; map-only blocks from 198.19.0.0/16 and 2001:db8::/32;
 * the iptables rules live in a private namespace and no packet is sent to them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <cjson/cJSON.h>
#include "addr.h"
#include "blocklist.h"
#include "log.h"
#include "util.h"

#define MARK "@SRC@"
#define MAX_BURST 2000000
#define PROBE_PORT 40999
#define SPAWN_ANCHOR 30

struct opts {
	const char *pin_dir, *alerts, *template, *ns, *dst, *net, *v4, *v6, *out, *iptables;
	int first, samples, pps, count, timeout_s;
};

static struct opts o = { .first = 10,
			 .samples = 200,
			 .pps = 20000,
			 .count = 1000,
			 .timeout_s = 60,
			 .iptables = "iptables" };

static char *tmpl_pre, *tmpl_post;

static double now_us(void)
{
	return (double)mono_now_ns() / 1e3;
}

static void sleep_ns(long ns)
{
	struct timespec ts = { ns / 1000000000L, ns % 1000000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array. */
static double pct(const double *v, int n, double p)
{
	int k = (int)(p / 100.0 * n + 0.999999);

	if (n <= 0)
		return 0;
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1];
}

static void print_dist(const char *name, double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	printf("%s_n=%d\n%s_min=%.1f\n%s_p50=%.1f\n%s_p90=%.1f\n%s_p99=%.1f\n%s_max=%.1f\n", name,
	       n, name, n ? v[0] : 0, name, pct(v, n, 50), name, pct(v, n, 90), name, pct(v, n, 99),
	       name, n ? v[n - 1] : 0);
}

/* Reads the one-line template and splits it at the source-address marker. */
static int load_template(const char *path)
{
	char *line = NULL, *m;
	size_t cap = 0;
	ssize_t n;
	FILE *f = fopen(path, "re");

	if (!f) {
		pr_warn("template '%s': open failed: %s", path, strerror(errno));
		return -1;
	}
	n = getline(&line, &cap, f);
	fclose(f);
	if (n <= 0 || !(m = strstr(line, MARK))) {
		pr_warn("template '%s': read failed: no line with %s", path, MARK);
		free(line);
		return -1;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	*m = '\0';
	tmpl_pre = line;
	tmpl_post = m + strlen(MARK);
	return 0;
}

/* One alert line (with its newline) for addr into buf; returns its length. */
static size_t alert_line(char *buf, size_t len, const char *addr)
{
	int n = snprintf(buf, len, "%s%s%s\n", tmpl_pre, addr, tmpl_post);

	return n < 0 || (size_t)n >= len ? 0 : (size_t)n;
}

static int open_alerts(void)
{
	int fd = open(o.alerts, O_WRONLY | O_APPEND | O_CLOEXEC);

	if (fd < 0)
		pr_warn("alerts '%s': open failed: %s", o.alerts, strerror(errno));
	return fd;
}

static int open_blocklist(struct blocklist *bl)
{
	int err = bl_open(bl, o.pin_dir);

	if (err)
		pr_warn("pin directory '%s': open failed: %s", o.pin_dir, strerror(-err));
	return err;
}

/* Enters the network namespace NS (this thread only); returns the fd of the old one. */
static int enter_ns(const char *ns)
{
	char path[256];
	int old, fd;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	old = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (old < 0 || fd < 0 || setns(fd, CLONE_NEWNET)) {
		pr_warn("namespace '%s': enter failed: %s", ns, strerror(errno));
		if (old >= 0)
			close(old);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return old;
}

/* ---- latency ---- */

static atomic_uint cur_src; /* network order; 0 = pause */
static atomic_bool stop_sender;
static atomic_ulong sent, send_errors;
static int raw_fd;
static struct sockaddr_in dst_sa;

static void *sender(void *arg)
{
	const uint64_t period = 1000000000ull / (uint64_t)o.pps;
	uint64_t next = mono_now_ns(), now;
	unsigned char pkt[sizeof(struct iphdr) + sizeof(struct udphdr) + 18] = {};
	struct iphdr *ip = (struct iphdr *)pkt;
	struct udphdr *udp = (struct udphdr *)(ip + 1);

	(void)arg;
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->daddr = dst_sa.sin_addr.s_addr;
	udp->source = htons(PROBE_PORT);
	udp->dest = htons(PROBE_PORT);
	udp->len = htons(sizeof(pkt) - sizeof(*ip));
	while (!atomic_load(&stop_sender)) {
		unsigned int src = atomic_load(&cur_src);

		if (src) {
			ip->saddr = src;
			if (sendto(raw_fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&dst_sa,
				   sizeof(dst_sa)) == (ssize_t)sizeof(pkt))
				atomic_fetch_add(&sent, 1);
			else
				atomic_fetch_add(&send_errors, 1);
		}
		next += period;
		now = mono_now_ns();
		if (now + 20 * period < next || now > next + 20 * period)
			next = now; /* no catch-up bursts */
		else if (next > now)
			sleep_ns((long)(next - now));
	}
	return NULL;
}

static int cmd_latency(void)
{
	double *map_us, *drop_us;
	struct blocklist bl = {};
	struct sockaddr_in sink_sa = { .sin_family = AF_INET, .sin_port = htons(PROBE_PORT) };
	int afd, old, sink, i, ok = 0, timeouts = 0, rcvbuf = 1;
	unsigned long sent0;
	double t_start, t_end;
	FILE *raw = NULL;
	pthread_t th;
	char line[8192];

	if (!o.pin_dir || !o.alerts || !o.template || !o.ns || !o.dst || !o.net || o.samples < 1 ||
	    o.samples > 250 || o.first < 1 || o.first + o.samples > 255 || o.pps < 100 ||
	    o.pps > 200000) {
		pr_warn("latency: arguments: --pin-dir --alerts --template --ns --dst --net needed; "
			"--samples 1..250 within .1-.254, --pps 100..200000");
		return 2;
	}
	if (load_template(o.template) || open_blocklist(&bl))
		return 1;
	afd = open_alerts();
	if (afd < 0)
		return 1;
	dst_sa.sin_family = AF_INET;
	if (inet_pton(AF_INET, o.dst, &dst_sa.sin_addr) != 1) {
		pr_warn("address '%s': parse failed: not IPv4", o.dst);
		return 2;
	}
	/* A bound socket that is never read: passed probes end in its full buffer, no ICMP. */
	sink_sa.sin_addr = dst_sa.sin_addr;
	sink = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	setsockopt(sink, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (sink < 0 || bind(sink, (struct sockaddr *)&sink_sa, sizeof(sink_sa))) {
		pr_warn("sink %s:%d: bind failed: %s", o.dst, PROBE_PORT, strerror(errno));
		return 1;
	}
	old = enter_ns(o.ns);
	if (old < 0)
		return 1;
	raw_fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (raw_fd < 0) {
		pr_warn("probe socket in '%s': create failed: %s", o.ns, strerror(errno));
		return 1;
	}
	if (setns(old, CLONE_NEWNET)) {
		pr_warn("root namespace: re-enter failed: %s", strerror(errno));
		return 1;
	}
	close(old);
	if (o.out)
		raw = fopen(o.out, "we");
	map_us = calloc((size_t)o.samples, sizeof(double));
	drop_us = calloc((size_t)o.samples, sizeof(double));
	if (!map_us || !drop_us)
		return 1;
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	if (pthread_create(&th, NULL, sender, NULL)) {
		pr_warn("sender thread: create failed");
		return 1;
	}
	/* Warm-up: ARP for the destination, stream at rate. */
	atomic_store(&cur_src, dst_sa.sin_addr.s_addr ^ htonl(0xff) ^ htonl(2));
	sleep_ns(200000000L);
	sent0 = atomic_load(&sent);
	t_start = now_us();
	for (i = 0; i < o.samples; i++) {
		char addr[64];
		struct arxdp_addr a;
		struct arxdp_block v;
		struct arxdp_counter c;
		double t0, t, tmap = 0, tdrop = 0;
		size_t len;

		snprintf(addr, sizeof(addr), "%s.%d", o.net, o.first + i);
		if (addr_parse_host(addr, &a)) {
			pr_warn("address '%s': parse failed", addr);
			break;
		}
		atomic_store(&cur_src, *(unsigned int *)a.a);
		sleep_ns(3000000L); /* the new source streams (and passes) before its alert */
		bl_counters(&bl, &a, &c);
		if (c.packets || !bl_get(&bl, &a, &v)) {
			pr_warn("address '%s': blocked before its alert: not a fresh sample", addr);
			continue;
		}
		len = alert_line(line, sizeof(line), addr);
		t0 = now_us();
		if (!len || write_all(afd, line, len)) {
			pr_warn("alerts '%s': write failed", o.alerts);
			break;
		}
		for (;;) {
			t = now_us();
			if (!tmap && !bl_get(&bl, &a, &v))
				tmap = t;
			if (!bl_counters(&bl, &a, &c) && c.packets) {
				tdrop = t;
				if (!tmap)
					tmap = t;
				break;
			}
			if (t - t0 > 2e6)
				break;
			sleep_ns(10000L);
		}
		if (!tdrop) {
			timeouts++;
			if (raw)
				fprintf(raw, "%s timeout\n", addr);
			continue;
		}
		map_us[ok] = tmap - t0;
		drop_us[ok] = tdrop - t0;
		if (raw)
			fprintf(raw, "%s %.1f %.1f\n", addr, map_us[ok], drop_us[ok]);
		ok++;
	}
	t_end = now_us();
	atomic_store(&cur_src, 0);
	printf("probe_pps=%.0f\nsend_errors=%lu\ntimeouts=%d\n",
	       (double)(atomic_load(&sent) - sent0) / ((t_end - t_start) / 1e6),
	       atomic_load(&send_errors), timeouts);
	atomic_store(&stop_sender, true);
	pthread_join(th, NULL);
	print_dist("map", map_us, ok);
	print_dist("drop", drop_us, ok);
	if (raw)
		fclose(raw);
	close(afd);
	close(sink);
	bl_close(&bl);
	return ok ? 0 : 1;
}

/* ---- burst ---- */

static void burst_addr(char *buf, size_t len, int i)
{
	if (o.v4)
		snprintf(buf, len, "%s.%d.%d", o.v4, (i >> 8) & 0xff, i & 0xff);
	else
		snprintf(buf, len, "%s::%x:%x", o.v6, (unsigned)i >> 16, (unsigned)i & 0xffff);
}

static int cmd_burst(void)
{
	struct blocklist bl = {};
	struct arxdp_addr first, last;
	struct arxdp_block v;
	double t0, tw, tfirst = 0, tlast = 0;
	size_t cap, used = 0, n;
	char addr[64], *buf;
	int afd, i;

	if (!o.pin_dir || !o.alerts || !o.template || (!o.v4 == !o.v6) || o.count < 1 ||
	    o.count > MAX_BURST || (o.v4 && o.count > 65534)) {
		pr_warn("burst: arguments: --pin-dir --alerts --template and --v4 A.B or --v6 "
			"PREFIX needed; --count 1..%d (v4: 65534)",
			MAX_BURST);
		return 2;
	}
	if (load_template(o.template) || open_blocklist(&bl))
		return 1;
	afd = open_alerts();
	if (afd < 0)
		return 1;
	cap = (size_t)o.count * (strlen(tmpl_pre) + strlen(tmpl_post) + 64);
	buf = malloc(cap);
	if (!buf)
		return 1;
	for (i = 1; i <= o.count; i++) {
		burst_addr(addr, sizeof(addr), i);
		n = alert_line(buf + used, cap - used, addr);
		if (!n) {
			pr_warn("burst: alert line %d does not fit", i);
			return 1;
		}
		used += n;
	}
	burst_addr(addr, sizeof(addr), 1);
	addr_parse_host(addr, &first);
	burst_addr(addr, sizeof(addr), o.count);
	if (addr_parse_host(addr, &last)) {
		pr_warn("address '%s': parse failed", addr);
		return 1;
	}
	if (!bl_get(&bl, &last, &v)) {
		pr_warn("address '%s': already blocked before the burst", addr);
		return 1;
	}
	t0 = now_us();
	if (write_all(afd, buf, used)) {
		pr_warn("alerts '%s': write failed: %s", o.alerts, strerror(errno));
		return 1;
	}
	tw = now_us();
	for (;;) {
		double t = now_us();

		if (!tfirst && !bl_get(&bl, &first, &v))
			tfirst = t;
		if (!bl_get(&bl, &last, &v)) {
			tlast = t;
			break;
		}
		if (t - t0 > o.timeout_s * 1e6)
			break;
		sleep_ns(1000000L);
	}
	printf("count=%d\nbytes=%zu\nwrite_s=%.4f\nfirst_s=%.4f\n", o.count, used, (tw - t0) / 1e6,
	       tfirst ? (tfirst - t0) / 1e6 : -1);
	if (!tlast) {
		printf("timeout=1\n");
		pr_warn("burst: last block '%s' not applied within %d s", addr, o.timeout_s);
		return 1;
	}
	printf("total_s=%.4f\nrate=%.0f\n", (tlast - t0) / 1e6, o.count / ((tlast - t0) / 1e6));
	free(buf);
	close(afd);
	bl_close(&bl);
	return 0;
}

/* ---- the Wazuh-style path ---- */

static int run_argv(char *const argv[]);

static char self_exe[4096];

static int read_line_fd(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got + 1 < len) {
		ssize_t n = read(fd, buf + got, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (buf[got++] == '\n')
			break;
	}
	buf[got] = '\0';
	return (int)got;
}

/* One active response as execd runs it: spawn, add message, check_keys, continue, reap. */
static int run_one(const char *alert_json)
{
	char *add, *cont, reply[4096];
	int in[2], out[2], st = 0;
	pid_t pid;

	if (asprintf(&add,
		     "{\"version\":1,\"origin\":{\"name\":\"node01\",\"module\":\"wazuh-execd\"},"
		     "\"command\":\"add\",\"parameters\":{\"extra_args\":[],\"alert\":%s,"
		     "\"program\":\"active-response/bin/firewall-drop\"}}\n",
		     alert_json) < 0)
		return -1;
	if (asprintf(&cont,
		     "{\"version\":1,\"origin\":{\"name\":\"node01\",\"module\":\"wazuh-execd\"},"
		     "\"command\":\"continue\",\"parameters\":{\"extra_args\":[],\"alert\":%s,"
		     "\"program\":\"active-response/bin/firewall-drop\"}}\n",
		     alert_json) < 0) {
		free(add);
		return -1;
	}
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		char *argv[] = { self_exe, "fwdrop", NULL };

		dup2(in[0], 0);
		dup2(out[1], 1);
		execv(self_exe, argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	write_all(in[1], add, strlen(add));
	if (read_line_fd(out[0], reply, sizeof(reply)) > 0 && strstr(reply, "check_keys"))
		write_all(in[1], cont, strlen(cont));
	close(in[1]);
	while (read(out[0], reply, sizeof(reply)) > 0)
		;
	close(out[0]);
	waitpid(pid, &st, 0);
	free(add);
	free(cont);
	return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -1;
}

static int cmd_wazuh(void)
{
	double *lat, t0, t_start, total;
	char addr[64], line[8192];
	int i, fails = 0, old;
	ssize_t n;

	if (!o.template || !o.ns || !o.v4 || o.count < 1 || o.count > 65534) {
		pr_warn("wazuh: arguments: --template --ns --v4 A.B needed; --count 1..65534");
		return 2;
	}
	n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	if (n <= 0)
		return 1;
	self_exe[n] = '\0';
	if (load_template(o.template))
		return 1;
	/* Children inherit the namespace: entered once, no `ip netns exec` per alert. */
	old = enter_ns(o.ns);
	if (old < 0)
		return 1;
	close(old);
	setenv("BENCH_IPTABLES", o.iptables, 1);
	lat = calloc((size_t)(o.count > SPAWN_ANCHOR ? o.count : SPAWN_ANCHOR), sizeof(double));
	if (!lat)
		return 1;
	/* The machine's price of one process: fork + exec + wait of /bin/true. */
	for (i = 0; i < SPAWN_ANCHOR; i++) {
		char *argv[] = { "/bin/true", NULL };

		t0 = now_us();
		run_argv(argv);
		lat[i] = now_us() - t0;
	}
	print_dist("spawn", lat, SPAWN_ANCHOR);
	t_start = now_us();
	for (i = 0; i < o.count; i++) {
		size_t len;

		burst_addr(addr, sizeof(addr), i + 1);
		len = alert_line(line, sizeof(line), addr);
		if (!len)
			return 1;
		line[len - 1] = '\0';
		t0 = now_us();
		if (run_one(line))
			fails++;
		lat[i] = now_us() - t0;
		if ((now_us() - t_start) / 1e6 > o.timeout_s) {
			i++;
			break;
		}
	}
	total = (now_us() - t_start) / 1e6;
	printf("alerts=%d\nfails=%d\ntotal_s=%.3f\nrate=%.1f\n", i, fails, total, i / total);
	print_dist("lat", lat, i);
	free(lat);
	return fails ? 1 : 0;
}

static int run_argv(char *const argv[])
{
	int st = 0;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		int devnull = open("/dev/null", O_WRONLY);

		if (devnull >= 0) {
			dup2(devnull, 1);
			dup2(devnull, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -1;
}

static void fw_log(const char *msg)
{
	const char *path = getenv("BENCH_ARLOG");
	char ts[64];
	time_t t = time(NULL);
	struct tm tm;
	FILE *f;

	if (!path || !(f = fopen(path, "ae")))
		return;
	localtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y/%m/%d %H:%M:%S", &tm);
	fprintf(f, "%s active-response/bin/firewall-drop: %s\n", ts, msg);
	fclose(f);
}

/* firewall-drop's add path (Wazuh 4.x), with iptables for the firewall. */
static int cmd_fwdrop(void)
{
	const char *ipt = getenv("BENCH_IPTABLES"), *lock = getenv("BENCH_LOCK");
	const cJSON *ip;
	char *line = NULL, *reply = NULL, ck[512];
	size_t cap = 0, rcap = 0;
	cJSON *msg;
	int err = 0, tries;

	if (!ipt)
		ipt = "iptables";
	fw_log("Starting");
	if (getline(&line, &cap, stdin) <= 0)
		return 1;
	fw_log(line);
	msg = cJSON_Parse(line);
	ip = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(msg, "parameters"), "alert"),
			"data"),
		"srcip");
	if (!cJSON_IsString(ip))
		return 1;
	snprintf(ck, sizeof(ck),
		 "{\"version\":1,\"origin\":{\"name\":\"firewall-drop\",\"module\":"
		 "\"active-response\"},\"command\":\"check_keys\",\"parameters\":{\"keys\":"
		 "[\"%s\"]}}",
		 ip->valuestring);
	fw_log(ck);
	printf("%s\n", ck);
	fflush(stdout);
	if (getline(&reply, &rcap, stdin) <= 0 || !strstr(reply, "\"continue\""))
		return 1;
	fw_log(reply);
	for (tries = 0; lock && mkdir(lock, 0700) && errno == EEXIST && tries < 50; tries++)
		sleep_ns(100000000L);
	{
		char *a1[] = {
			(char *)ipt, "-I", "INPUT", "-s", ip->valuestring, "-j", "DROP", NULL
		};
		char *a2[] = { (char *)ipt,	"-I", "FORWARD", "-s",
			       ip->valuestring, "-j", "DROP",	 NULL };

		err = run_argv(a1) || run_argv(a2);
	}
	if (lock)
		rmdir(lock);
	fw_log("Ended");
	cJSON_Delete(msg);
	free(line);
	free(reply);
	return err ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench-daemon latency --pin-dir DIR --alerts FILE --template FILE --ns NS\n"
		"                            --dst ADDR --net A.B.C [--first N] [--samples N]\n"
		"                            [--pps N] [--out FILE]\n"
		"       bench-daemon burst --pin-dir DIR --alerts FILE --template FILE\n"
		"                          (--v4 A.B | --v6 PREFIX) --count N [--timeout S]\n"
		"       bench-daemon wazuh --ns NS --template FILE --v4 A.B --count N [--timeout S]\n"
		"                          [--iptables PROGRAM]\n"
		"       bench-daemon fwdrop   (the active response run by `wazuh`)\n"
		"The template is one alert line whose source address is " MARK ".\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = { { "pin-dir", required_argument, NULL, 'P' },
						  { "alerts", required_argument, NULL, 'a' },
						  { "template", required_argument, NULL, 'T' },
						  { "ns", required_argument, NULL, 'N' },
						  { "dst", required_argument, NULL, 'd' },
						  { "net", required_argument, NULL, 'n' },
						  { "first", required_argument, NULL, 'f' },
						  { "samples", required_argument, NULL, 's' },
						  { "pps", required_argument, NULL, 'p' },
						  { "out", required_argument, NULL, 'o' },
						  { "v4", required_argument, NULL, '4' },
						  { "v6", required_argument, NULL, '6' },
						  { "count", required_argument, NULL, 'c' },
						  { "timeout", required_argument, NULL, 't' },
						  { "iptables", required_argument, NULL, 'I' },
						  {} };
	const char *cmd;
	int opt;

	log_init("bench-daemon", LOG_LEVEL_INFO, LOG_TARGET_STDERR);
	log_silence_libbpf(1);
	if (argc < 2) {
		usage();
		return 2;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "fwdrop"))
		return cmd_fwdrop();
	optind = 2;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'P':
			o.pin_dir = optarg;
			break;
		case 'a':
			o.alerts = optarg;
			break;
		case 'T':
			o.template = optarg;
			break;
		case 'N':
			o.ns = optarg;
			break;
		case 'd':
			o.dst = optarg;
			break;
		case 'n':
			o.net = optarg;
			break;
		case 'f':
			o.first = atoi(optarg);
			break;
		case 's':
			o.samples = atoi(optarg);
			break;
		case 'p':
			o.pps = atoi(optarg);
			break;
		case 'o':
			o.out = optarg;
			break;
		case '4':
			o.v4 = optarg;
			break;
		case '6':
			o.v6 = optarg;
			break;
		case 'c':
			o.count = atoi(optarg);
			break;
		case 't':
			o.timeout_s = atoi(optarg);
			break;
		case 'I':
			o.iptables = optarg;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (o.timeout_s < 1 || o.timeout_s > 600) {
		pr_warn("arguments: --timeout must be 1..600 s");
		return 2;
	}
	if (!strcmp(cmd, "latency"))
		return cmd_latency();
	if (!strcmp(cmd, "burst"))
		return cmd_burst();
	if (!strcmp(cmd, "wazuh"))
		return cmd_wazuh();
	usage();
	return 2;
}
