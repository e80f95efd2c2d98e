// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the script runner's throughput benchmark: N stateless runs of a trivial
 * sh script (it reads its line and exits) in a throwaway Wazuh home, queued at once, then
 * driven as arxdpd's loop drives the runner: a 1 Hz timerfd calling runner_tick, SIGCHLD
 * through a signalfd reaped with waitpid(-1) and runner_child, epoll readiness to
 * runner_event. Prints the scripts per second, and the heap each queued job holds (mallinfo2
 * before and after queueing).
 *   bench-runner [-n JOBS] [-c CONCURRENCY]
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include "config.h"
#include "log.h"
#include "match.h"
#include "runner.h"
#include "sbuf.h"
#include "state.h"
#include "util.h"

#define ALERT_PAD 1200 /* a typical alert's size inside execd's message */
#define BOUND_S 600 /* the whole run's bound */

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int make_home(char *home)
{
	static const char script[] = "#!/bin/sh\nread -r line\n";
	char path[128];
	int fd, err = 0;

	if (!mkdtemp(home))
		return -errno;
	snprintf(path, sizeof(path), "%s/active-response", home);
	if (mkdir(path, 0755))
		return -errno;
	snprintf(path, sizeof(path), "%s/active-response/bin", home);
	if (mkdir(path, 0755))
		return -errno;
	snprintf(path, sizeof(path), "%s/active-response/bin/noop", home);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (fd < 0)
		return -errno;
	err = write_all(fd, script, strlen(script));
	close(fd);
	return err;
}

/* execd's add message around an alert of ALERT_PAD bytes, built as the daemon builds it. */
static char *message(int i)
{
	struct sbuf b = {};
	char head[256];

	snprintf(head, sizeof(head),
		 "{\"version\":1,\"origin\":{\"name\":\"node01\",\"module\":\"wazuh-execd\"},"
		 "\"command\":\"add\",\"parameters\":{\"extra_args\":[],\"alert\":{\"id\":\"%d\","
		 "\"full_log\":\"",
		 i);
	sb_str(&b, head);
	for (int k = 0; k < ALERT_PAD / 10; k++)
		sb_str(&b, "0123456789");
	sb_str(&b, "\",\"data\":{\"srcip\":\"192.0.2.7\"}},\"program\":\"active-response/bin/"
		   "noop\"}}");
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* sigfd and tfd: the fds, whose addresses tag them in epoll. */
static int run(struct runner *r, int epfd, const int *sigfd, const int *tfd)
{
	uint64_t end = mono_now_ns() + BOUND_S * NSEC_PER_SEC;
	struct epoll_event ev[16];
	struct runner_stats st;
	int k, m, status;
	pid_t pid;

	for (;;) {
		runner_get_stats(r, &st);
		if (!st.running && !st.queued)
			return 0;
		if (mono_now_ns() > end)
			return -ETIMEDOUT;
		m = epoll_wait(epfd, ev, ARRAY_SIZE(ev), 1000);
		for (k = 0; k < m; k++) {
			void *p = ev[k].data.ptr;
			struct signalfd_siginfo si;
			uint64_t ticks;

			if (runner_owns(p)) {
				runner_event(r, p, ev[k].events);
			} else if (p == sigfd) {
				while (read(*sigfd, &si, sizeof(si)) == sizeof(si))
					;
				while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
					runner_child(r, pid, status);
			} else if (p == tfd && read(*tfd, &ticks, sizeof(ticks)) > 0) {
				runner_tick(r, wall_now_ns());
			}
		}
	}
}

int main(int argc, char **argv)
{
	struct itimerspec its = { .it_interval = { 1, 0 }, .it_value = { 1, 0 } };
	struct ossec_config cfg = {};
	const struct ossec_config *cfgp = &cfg;
	struct pending_delete *pending = NULL;
	char home[] = "/tmp/arxdp-bench-runner.XXXXXX";
	uint32_t n = 200, conc = 8, i;
	struct epoll_event ev = { .events = EPOLLIN };
	struct mallinfo2 before, after;
	struct runner *r = NULL;
	struct runner_stats st;
	struct runner_env env;
	int opt, epfd, sigfd, tfd, err;
	sigset_t mask;
	double secs;
	uint64_t t0;

	while ((opt = getopt(argc, argv, "n:c:")) != -1) {
		if (opt == 'n')
			n = (uint32_t)strtoul(optarg, NULL, 10);
		else if (opt == 'c')
			conc = (uint32_t)strtoul(optarg, NULL, 10);
		else
			return 2;
	}
	log_init("bench-runner", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	err = make_home(home);
	if (err) {
		pr_warn("home '%s': cannot create: %s", home, strerror(-err));
		return 1;
	}
	epfd = epoll_create1(EPOLL_CLOEXEC);
	sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (epfd < 0 || sigfd < 0 || tfd < 0 || timerfd_settime(tfd, 0, &its, NULL)) {
		pr_warn("bench: epoll/signalfd/timerfd: %s", strerror(errno));
		return 1;
	}
	ev.data.ptr = &sigfd;
	epoll_ctl(epfd, EPOLL_CTL_ADD, sigfd, &ev);
	ev.data.ptr = &tfd;
	epoll_ctl(epfd, EPOLL_CTL_ADD, tfd, &ev);
	env = (struct runner_env){ .home = home,
				   .cfg = &cfgp,
				   .offenders = offenders_new(),
				   .pending = &pending,
				   .concurrency = conc,
				   .time_limit_s = 60 };
	if (!env.offenders || runner_new(&r, &env, epfd))
		return 1;

	before = mallinfo2();
	for (i = 0; i < n; i++) {
		char *msg = message((int)i);

		if (!msg || runner_add(r, "noop", msg, 0))
			return 1;
	}
	after = mallinfo2();
	t0 = mono_now_ns();
	/* As the daemon after its snapshot: one tick right away, then once a second. */
	runner_tick(r, wall_now_ns());
	err = run(r, epfd, &sigfd, &tfd);
	secs = (double)(mono_now_ns() - t0) / 1e9;
	runner_get_stats(r, &st);
	printf("%u scripts, concurrency %u: %.2f s, %.1f scripts/s, %.0f bytes of heap per "
	       "queued job%s\n",
	       n, conc, secs, (double)st.started / secs,
	       (double)(after.uordblks - before.uordblks) / n, err ? " (TIMED OUT)" : "");
	runner_free(r);
	offenders_free(env.offenders);
	nftw(home, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return err ? 1 : 0;
}
