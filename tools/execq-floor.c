// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the floor of tools/bench-execq.sh: the least an executor of execq can do
 * and still block each attacker. It binds <home>/queue/alerts/execq as execd does (SOCK_DGRAM,
 * 0660), waits in a blocking recvmmsg (the quickest wake-up there is: no epoll, no poll loop),
 * and for each datagram finds "srcip":" by a plain scan, parses the address and writes the
 * block with bl_block, under one lock per batch as arxdpd does. No JSON, no ar.conf, no log,
 * no state, no timeout list. Whatever the sender still waits on this machine with this floor
 * is the machine's (the scheduler's, the hypervisor's), not any executor's, so issue 13's
 * "no send over 1 ms" is judged beside it. SIGTERM ends it; it prints "key=value" counters.
 *
 * --work-ns N adds N ns of spinning per datagram after its map write: arxdpd's CPU per
 * message less the floor's, to tell what the sender's waits owe to the executor's work.
 *
 * Usage: execq-floor --home DIR [--pin-dir DIR] [--work-ns N]
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "addr.h"
#include "blocklist.h"
#include "log.h"
#include "execq-sock.h"
#include "util.h"

#define OS_MAXSTR 65536
#define VLEN 8 /* as arxdpd's EXECQ_VLEN */
#define TIMEOUT_S 600

struct floor_ex {
	const char *home, *pin_dir;
	uint64_t work_ns;
	int fd;
	struct blocklist bl;
	unsigned long messages, blocked, errors;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static int bind_execq(struct floor_ex *ex)
{
	ex->fd = execq_bind(ex->home, 0);
	return ex->fd < 0 ? ex->fd : 0;
}

/* The first "srcip":"…" of the datagram: the alert's data.srcip in analysisd's messages. */
static int block_one(struct floor_ex *ex, char *msg, size_t len)
{
	static const char tag[] = "\"srcip\":\"";
	const struct bl_reason why = { .origin = ARXDP_ORIGIN_ALERT };
	struct arxdp_addr a;
	char *p, *q;

	msg[len] = '\0';
	p = strstr(msg, tag);
	if (!p)
		return -ENOENT;
	p += sizeof(tag) - 1;
	q = strchr(p, '"');
	if (!q)
		return -EINVAL;
	*q = '\0';
	if (addr_parse(p, &a, NULL, 0))
		return -EINVAL;
	return bl_block(&ex->bl, &a, TIMEOUT_S, &why, NULL, NULL);
}

static int run(struct floor_ex *ex)
{
	static char bufs[VLEN][OS_MAXSTR + 2];
	struct mmsghdr mm[VLEN];
	struct iovec iov[VLEN];
	int n, err = 0;

	for (int i = 0; i < VLEN; i++) {
		iov[i] = (struct iovec){ bufs[i], OS_MAXSTR + 1 };
		mm[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
	}
	while (!stop) {
		n = recvmmsg(ex->fd, mm, VLEN, MSG_WAITFORONE, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			pr_warn("execq: recvmmsg failed: %s", strerror(errno));
			break;
		}
		if (bl_lock(&ex->bl)) {
			ex->errors += n;
			continue;
		}
		for (int i = 0; i < n; i++) {
			ex->messages++;
			if (block_one(ex, bufs[i], mm[i].msg_len))
				ex->errors++;
			else
				ex->blocked++;
			for (uint64_t t = mono_now_ns();
			     ex->work_ns && mono_now_ns() - t < ex->work_ns;)
				;
		}
		bl_unlock(&ex->bl);
	}
	return err;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = { { "home", required_argument, NULL, 'H' },
						  { "pin-dir", required_argument, NULL, 'p' },
						  { "work-ns", required_argument, NULL, 'w' },
						  { NULL, 0, NULL, 0 } };
	struct floor_ex ex = { .fd = -1 };
	struct sigaction sa = { .sa_handler = on_signal };
	int c, err;

	log_init("execq-floor", LOG_LEVEL_INFO, LOG_TARGET_STDERR);
	ex.pin_dir = getenv("ARXDP_PIN_DIR") ? getenv("ARXDP_PIN_DIR") : "/sys/fs/bpf/arxdp";
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'H':
			ex.home = optarg;
			break;
		case 'p':
			ex.pin_dir = optarg;
			break;
		case 'w':
			ex.work_ns = strtoull(optarg, NULL, 10);
			break;
		default:
			ex.home = NULL;
			break;
		}
	}
	if (!ex.home || optind != argc) {
		fprintf(stderr, "usage: execq-floor --home DIR [--pin-dir DIR] [--work-ns N]\n");
		return 2;
	}
	/* SIGTERM must interrupt the blocking recvmmsg: no SA_RESTART. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	err = bl_open(&ex.bl, ex.pin_dir);
	if (err) {
		pr_warn("pin directory '%s': open failed: %s", ex.pin_dir, strerror(-err));
		return 1;
	}
	err = bind_execq(&ex);
	if (!err)
		err = run(&ex);
	printf("messages=%lu\nblocked=%lu\nerrors=%lu\n", ex.messages, ex.blocked, ex.errors);
	if (ex.fd >= 0)
		close(ex.fd);
	bl_close(&ex.bl);
	return err ? 1 : 0;
}
