// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the sender of tools/bench-execq.sh, playing wazuh-analysisd: it connects
 * a SOCK_DGRAM socket to <home>/queue/alerts/execq and sends N analysisd-shaped messages
 * (ref. wazuh-active-response.md §3.1-3.2: {"version":1,"origin":{"name":"node01","module":
 * "wazuh-analysisd"},"command":"<name><timeout>","parameters":{"extra_args":[],"alert":{...}}},
 * strlen + 1 bytes, the NUL included, as OS_SendUnix sends), each for a distinct attacker,
 * as fast as a blocking sender can. Every send() is timed (CLOCK_MONOTONIC around it): the
 * total and the longest time the sender was blocked, and how many sends waited over 1 ms.
 * Alert-to-drop: a poller thread looks every SAMPLE-th address (and the last) up in the
 * pinned block map until it is present, from the start of that address's send(); the map
 * entry is the drop (the XDP program drops the next packet from it). blocks/s: N over the
 * time from the first send to the moment every block is in the map.
 * The messages are built before the clock starts. Addresses: BASE + i inside 198.18.0.0/15
 * (fixture only: they are written to maps that no traffic ever reaches). Prints "key=value".
 *
 * Usage: bench-execq --home DIR --template FILE [--pin-dir DIR] [--n N] [--sample K]
 *                    [--base A.B.C.D] [--command NAME] [--timeout S]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "addr.h"
#include "blocklist.h"
#include "log.h"
#include "util.h"

#define OS_MAXSTR 65536
#define WINDOW 8 /* pending samples looked up on every pass, in send order */
#define FULL_PASS_NS 1000000ULL /* every pending sample at least this often */
#define SLOW_MAX 16 /* sends over 1 ms listed (index, start in the run, wait) */

struct bench {
	const char *home, *template, *pin_dir, *command;
	uint32_t base; /* host order */
	int n, sample, timeout_s;
	char **msgs;
	size_t *lens;
	struct blocklist bl;
	/* samples: index into the N messages, send start, time found in the map */
	int nsamples;
	int *sidx;
	uint64_t *sent_ns, *found_ns;
	atomic_int sent; /* samples whose send has started */
	atomic_bool quit;
	uint64_t deadline_ns;
};

static void addr_of(const struct bench *b, int i, struct arxdp_addr *a, char *text, size_t len)
{
	struct in_addr in = { .s_addr = htonl(b->base + (uint32_t)i) };

	inet_ntop(AF_INET, &in, text, len);
	addr_parse(text, a, NULL, 0);
}

static int build_messages(struct bench *b)
{
	char ip[INET_ADDRSTRLEN], id[64];
	cJSON *t, *alert, *data;
	struct arxdp_addr a;
	char *text = NULL;
	FILE *f;
	long sz;
	int err = 0;

	f = fopen(b->template, "re");
	if (!f || fseek(f, 0, SEEK_END) || (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		err = -errno;
		pr_warn("template '%s': open failed: %s", b->template, strerror(-err));
		if (f)
			fclose(f);
		return err;
	}
	text = calloc(1, sz + 1);
	if (!text || fread(text, 1, sz, f) != (size_t)sz) {
		fclose(f);
		free(text);
		pr_warn("template '%s': read failed", b->template);
		return -EIO;
	}
	fclose(f);
	t = cJSON_Parse(text);
	free(text);
	alert = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(t, "parameters"),
						 "alert");
	data = cJSON_GetObjectItemCaseSensitive(alert, "data");
	if (!cJSON_IsObject(data) || !cJSON_GetObjectItemCaseSensitive(t, "command")) {
		pr_warn("template '%s': not an analysisd message (command, parameters.alert.data)",
			b->template);
		err = -EINVAL;
		goto out;
	}
	cJSON_ReplaceItemInObjectCaseSensitive(t, "command", cJSON_CreateString(b->command));
	b->msgs = calloc(b->n, sizeof(*b->msgs));
	b->lens = calloc(b->n, sizeof(*b->lens));
	if (!b->msgs || !b->lens) {
		err = -ENOMEM;
		goto out;
	}
	for (int i = 0; i < b->n; i++) {
		addr_of(b, i, &a, ip, sizeof(ip));
		snprintf(id, sizeof(id), "%llu.%d",
			 (unsigned long long)(wall_now_ns() / NSEC_PER_SEC), i);
		cJSON_ReplaceItemInObjectCaseSensitive(data, "srcip", cJSON_CreateString(ip));
		cJSON_ReplaceItemInObjectCaseSensitive(alert, "id", cJSON_CreateString(id));
		b->msgs[i] = cJSON_PrintUnformatted(t);
		if (!b->msgs[i]) {
			err = -ENOMEM;
			goto out;
		}
		b->lens[i] = strlen(b->msgs[i]) + 1; /* the NUL goes too, as analysisd sends it */
		if (b->lens[i] > OS_MAXSTR) {
			pr_warn("template '%s': message of %zu bytes over OS_MAXSTR", b->template,
				b->lens[i]);
			err = -EMSGSIZE;
			goto out;
		}
	}
out:
	cJSON_Delete(t);
	return err;
}

static bool present(struct bench *b, int i)
{
	char ip[INET_ADDRSTRLEN];
	struct arxdp_block v;
	struct arxdp_addr a;

	addr_of(b, i, &a, ip, sizeof(ip));
	return bl_get(&b->bl, &a, &v) == 0;
}

static void *poller(void *arg)
{
	struct bench *b = arg;
	uint64_t last_full = 0, now;
	int first = 0, looked, sent;
	bool full;

	while (first < b->nsamples && !atomic_load(&b->quit)) {
		now = mono_now_ns();
		if (now > b->deadline_ns)
			break;
		full = now - last_full >= FULL_PASS_NS;
		if (full)
			last_full = now;
		sent = atomic_load(&b->sent);
		looked = 0;
		for (int j = first; j < sent && (full || looked < WINDOW); j++) {
			if (b->found_ns[j])
				continue;
			looked++;
			if (present(b, b->sidx[j]))
				b->found_ns[j] = mono_now_ns();
		}
		while (first < b->nsamples && b->found_ns[first])
			first++;
		nanosleep(&(struct timespec){ 0, 20000 }, NULL);
	}
	return NULL;
}

static int connect_execq(const struct bench *b)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, err;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/queue/alerts/execq", b->home);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		pr_warn("execq '%s': connect failed: %s", sa.sun_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return err;
	}
	return fd;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, c = *(const uint64_t *)y;

	return a < c ? -1 : a > c;
}

static double pct_ms(uint64_t *v, int n, double p)
{
	if (!n)
		return -1;
	qsort(v, n, sizeof(*v), cmp_u64);
	return (double)v[(int)(p * (n - 1) + 0.5)] / 1e6;
}

static int run(struct bench *b)
{
	uint64_t t0, ts, te, d, blocked = 0, max = 0, t_sent = 0, t_all = 0, *lat = NULL;
	int fd, over_1ms = 0, j = 0, err = 0, nfound = 0, npresent = 0, nslow = 0;
	/* The first sends over 1 ms: when in the run, how long; they show what stalled. */
	struct {
		int i;
		uint64_t at, wait;
	} slow[SLOW_MAX];
	pthread_t th;

	fd = connect_execq(b);
	if (fd < 0)
		return fd;
	for (int i = 0; i < b->n; i += b->sample)
		if (present(b, i)) {
			pr_warn("pin directory '%s': block for attacker %d present before the run",
				b->pin_dir, i);
			err = -EEXIST;
			goto out;
		}
	lat = calloc(b->nsamples, sizeof(*lat));
	if (!lat) {
		err = -ENOMEM;
		goto out;
	}
	b->deadline_ns = mono_now_ns() + (uint64_t)b->timeout_s * NSEC_PER_SEC;
	if (pthread_create(&th, NULL, poller, b)) {
		err = -EAGAIN;
		goto out;
	}
	t0 = mono_now_ns();
	for (int i = 0; i < b->n && !err; i++) {
		ts = mono_now_ns();
		if (j < b->nsamples && b->sidx[j] == i) {
			b->sent_ns[j] = ts;
			atomic_store(&b->sent, ++j);
		}
		while (send(fd, b->msgs[i], b->lens[i], 0) < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			pr_warn("execq: send of message %d failed: %s", i, strerror(errno));
			atomic_store(&b->quit, true);
			break;
		}
		te = mono_now_ns();
		d = te - ts;
		blocked += d;
		max = d > max ? d : max;
		over_1ms += d > 1000000;
		if (d > 1000000 && nslow < SLOW_MAX)
			slow[nslow++] = (typeof(slow[0])){ i, ts - t0, d };
	}
	t_sent = mono_now_ns();
	pthread_join(th, NULL);
	if (err)
		goto out;
	/* Every block, not only the samples: wait (bounded) until all are in the map. */
	while (mono_now_ns() < b->deadline_ns) {
		npresent = 0;
		for (int i = 0; i < b->n; i++)
			npresent += present(b, i);
		if (npresent == b->n) {
			t_all = mono_now_ns();
			break;
		}
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
	/* The last sample is the last message: in order, its time is when the last block landed. */
	if (b->found_ns[b->nsamples - 1] && b->found_ns[b->nsamples - 1] < t_all)
		t_all = b->found_ns[b->nsamples - 1];
	for (int k = 0; k < b->nsamples; k++)
		if (b->found_ns[k])
			lat[nfound++] = b->found_ns[k] - b->sent_ns[k];
	printf("n=%d\nmsg_bytes=%zu\nsend_blocked_ms=%.3f\nsend_max_us=%.1f\nsends_over_1ms=%d\n"
	       "sender_s=%.3f\n",
	       b->n, b->lens[0], (double)blocked / 1e6, (double)max / 1e3, over_1ms,
	       (double)(t_sent - t0) / 1e9);
	printf("present=%d\nall_s=%.3f\nblocks_per_s=%.0f\n", npresent,
	       t_all ? (double)(t_all - t0) / 1e9 : -1.0,
	       t_all ? b->n / ((double)(t_all - t0) / 1e9) : 0.0);
	printf("samples=%d\nsamples_found=%d\n", b->nsamples, nfound);
	printf("slow_sends=");
	for (int k = 0; k < nslow; k++)
		printf("%s#%d@%.1fms:%.0fus", k ? "," : "", slow[k].i, (double)slow[k].at / 1e6,
		       (double)slow[k].wait / 1e3);
	printf("\n");
	printf("lat_p50_ms=%.3f\nlat_p99_ms=%.3f\nlat_max_ms=%.3f\n", pct_ms(lat, nfound, 0.5),
	       pct_ms(lat, nfound, 0.99), pct_ms(lat, nfound, 1.0));
	if (npresent != b->n)
		err = -ETIMEDOUT;
out:
	free(lat);
	close(fd);
	return err;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-execq --home DIR --template FILE [--pin-dir DIR] [--n N]\n"
			"                   [--sample K] [--base A.B.C.D] [--command NAME] "
			"[--timeout S]\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = { { "home", required_argument, NULL, 'H' },
						  { "template", required_argument, NULL, 't' },
						  { "pin-dir", required_argument, NULL, 'p' },
						  { "n", required_argument, NULL, 'n' },
						  { "sample", required_argument, NULL, 's' },
						  { "base", required_argument, NULL, 'b' },
						  { "command", required_argument, NULL, 'c' },
						  { "timeout", required_argument, NULL, 'T' },
						  { NULL, 0, NULL, 0 } };
	struct bench b = { .n = 10000,
			   .sample = 100,
			   .timeout_s = 300,
			   .command = "firewall-drop600",
			   .base = 0xc6138000 /* 198.19.128.0 */ };
	struct in_addr in;
	int c, err;

	log_init("bench-execq", LOG_LEVEL_INFO, LOG_TARGET_STDERR);
	b.pin_dir = getenv("ARXDP_PIN_DIR") ? getenv("ARXDP_PIN_DIR") : "/sys/fs/bpf/arxdp";
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'H':
			b.home = optarg;
			break;
		case 't':
			b.template = optarg;
			break;
		case 'p':
			b.pin_dir = optarg;
			break;
		case 'n':
			b.n = atoi(optarg);
			break;
		case 's':
			b.sample = atoi(optarg);
			break;
		case 'c':
			b.command = optarg;
			break;
		case 'T':
			b.timeout_s = atoi(optarg);
			break;
		case 'b':
			if (inet_pton(AF_INET, optarg, &in) != 1) {
				usage();
				return 2;
			}
			b.base = ntohl(in.s_addr);
			break;
		default:
			usage();
			return 2;
		}
	}
	/* 198.18.0.0/15 only: a fixture range, never an address of a real host. */
	if (!b.home || !b.template || b.n < 1 || b.sample < 1 || b.timeout_s < 1 ||
	    (b.base & 0xfffe0000) != 0xc6120000 ||
	    ((b.base + (uint32_t)b.n - 1) & 0xfffe0000) != 0xc6120000) {
		usage();
		fprintf(stderr,
			"bench-execq: the N addresses from --base must lie in 198.18.0.0/15\n");
		return 2;
	}
	err = bl_open(&b.bl, b.pin_dir);
	if (err) {
		pr_warn("pin directory '%s': open failed: %s", b.pin_dir, strerror(-err));
		return 1;
	}
	b.nsamples = (b.n - 1) / b.sample + 1 + ((b.n - 1) % b.sample != 0);
	b.sidx = calloc(b.nsamples, sizeof(*b.sidx));
	b.sent_ns = calloc(b.nsamples, sizeof(*b.sent_ns));
	b.found_ns = calloc(b.nsamples, sizeof(*b.found_ns));
	if (!b.sidx || !b.sent_ns || !b.found_ns) {
		err = -ENOMEM;
		goto out;
	}
	for (int i = 0, k = 0; i < b.n; i += b.sample)
		b.sidx[k++] = i;
	b.sidx[b.nsamples - 1] = b.n - 1; /* the last message is always a sample */
	err = build_messages(&b);
	if (!err)
		err = run(&b);
out:
	if (b.msgs)
		for (int i = 0; i < b.n; i++)
			free(b.msgs[i]);
	free(b.msgs);
	free(b.lens);
	free(b.sidx);
	free(b.sent_ns);
	free(b.found_ns);
	bl_close(&b.bl);
	return err ? 1 : 0;
}
