// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains arxdpd's start-up and event loop: options and settings, the locks, the
 * maps and the program, capabilities, and one epoll loop over signalfd, timerfd, inotify, the
 * control socket, the metrics port and the script runner's pipes. What happens to an alert is
 * in follow.c (input), responder.c (decision to action) and persist.c (state).
 *
 * No library beyond libc for the loop: it has six sources, sd-event would add a dependency
 * and an allocation model for nothing, and signalfd keeps every handler out of async-signal
 * context (SIGCHLD included).
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/wait.h>
#include <cjson/cJSON.h>
#include "btable.h"
#include "daemon.h"
#include "execq_in.h"
#include "log.h"
#include "metrics.h"
#include "runner.h"
#include "util.h"

#define SAVE_QUIET_NS (NSEC_PER_SEC / 10) /* no alert for this long: a quiet moment */
#define METRICS_FILE_EVERY 15 /* seconds between textfile rewrites */
/* The loop's longest wait for the pin-directory lock, and how soon it tries again. */
#define LOOP_LOCK_TIMEOUT_MS 50
#define LOCK_RETRY_MS 100

static const struct src src_of[] = {
	[SRC_SIGNAL] = { 0, SRC_SIGNAL },   [SRC_TIMER] = { 0, SRC_TIMER },
	[SRC_INOTIFY] = { 0, SRC_INOTIFY }, [SRC_CTL] = { 0, SRC_CTL },
	[SRC_METRICS] = { 0, SRC_METRICS }, [SRC_NETLINK] = { 0, SRC_NETLINK },
};

/* ---- configuration ---- */

static int load_ossec(const struct arxdp_settings *s, struct ossec_config **out)
{
	char err[CONFIG_ERR_MAX];
	int r = config_load_ossec(out, s->ossec_conf, err, sizeof(err));

	if (r)
		pr_warn("%s", err[0] ? err : strerror(-r));
	return r;
}

/* The file (or the defaults), then the command line's flags over it. */
static int read_settings(const struct daemon *d, struct arxdp_settings *s)
{
	const char *path = settings_path(d->o.config);
	char err[SETTINGS_ERR_MAX];
	int r;

	r = settings_defaults(s);
	if (r) {
		pr_warn("environment 'ARXDP_PIN_DIR' or 'ARXDP_SOCKET': value is too long: at most "
			"%d characters",
			ARXDP_PATH_LEN - 1);
		return r;
	}
	if (path) {
		r = settings_load(s, path, err, sizeof(err));
		if (r) {
			pr_warn("%s", err);
			return r;
		}
	}
	r = settings_apply_flags(s, &d->flags, err, sizeof(err));
	if (r)
		pr_warn("arxdpd: %s", err);
	return r;
}

int daemon_reload(struct daemon *d)
{
	struct arxdp_settings fresh;
	struct ossec_config *cfg = NULL;
	int r;

	d->r.c.reloads++;
	/* What the loop reads afresh is re-read; the rest (paths, maps) needs a restart. */
	r = read_settings(d, &fresh);
	if (r) {
		pr_warn("reload: arxdp.conf is broken: keeping the running configuration");
		d->r.c.reload_errors++;
		return r;
	}
	r = load_ossec(&d->s, &cfg);
	if (r) {
		pr_warn("reload: ossec.conf '%s' is broken: keeping the running configuration",
			d->s.ossec_conf);
		d->r.c.reload_errors++;
		return r;
	}
	settings_take_reloadable(&d->s, &fresh);
	responder_set_config(&d->r, cfg);
	d->metrics_file_failed = false;
	responder_load_own_addrs(&d->r);
	if (d->runner)
		runner_reset_missing(d->runner);
	pr_info("reload: configuration re-read (%zu active responses)", d->r.cfg->n_ars);
	return 0;
}

void daemon_save(struct daemon *d, bool force)
{
	bool busy = d->in.tail.more || mono_now_ns() - d->in.last_alert_mono < SAVE_QUIET_NS;

	persist_save(&d->p, &d->r, &d->in.tail.pos, busy, force);
}

/* ---- the loop ---- */

static void poll_alerts(struct daemon *d)
{
	/* The wazuh-execd mode takes its responses from execq only, never from alerts.json. */
	if (!d->execd.on)
		follow_poll(&d->in);
	/* Held scripts make the snapshot start now; they run when it is on disk. */
	daemon_save(d, false);
}

/* Every child ends here: the state saver, or a script of the runner. */
static void reap_children(struct daemon *d)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (!persist_child(&d->p, &d->r, pid, status)) {
			runner_child(d->runner, pid, status);
			continue;
		}
		/* The snapshot released the scripts it covered: start them now, not at the tick. */
		if (runner_tick(d->runner, mono_now_ns()))
			d->r.dirty = true;
	}
}

static void handle_signals(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			reap_children(d);
			break;
		case SIGHUP:
			daemon_reload(d);
			break;
		default:
			pr_info("signal %d: stopping", si.ssi_signo);
			d->stop = true;
			break;
		}
	}
}

int daemon_render_metrics(FILE *out, void *ctx)
{
	struct daemon *d = ctx;
	cJSON *st = daemon_status(d);
	struct bl_tally tally;
	int err;

	bl_sweep_tally(&d->bl, &tally);
	err = metrics_render(out, &d->bl, d->s.pin_dir, st, &tally);

	cJSON_Delete(st);
	return err;
}

static void write_metrics_file(struct daemon *d)
{
	int err;

	if (!d->s.metrics_textfile[0] || d->metrics_file_failed)
		return;
	err = metrics_write_textfile(d->s.metrics_textfile, daemon_render_metrics, d);
	if (err) {
		/* Said once: a host without node-exporter is normal, not an error per tick. */
		pr_info("metrics textfile '%s': cannot write (%s): not writing it any more until "
			"a reload",
			d->s.metrics_textfile, strerror(-err));
		d->metrics_file_failed = true;
	}
}

/*
 * The pins are how the CLI and firewall-drop find the maps. When bpffs is unmounted and
 * mounted again under the daemon, they are gone while the program and the maps live on; a CLI
 * would then make new maps no attached program reads. So every tick puts back what is missing.
 */
static void check_pins(struct daemon *d)
{
	int n = 0, err = bl_repin(&d->bl, d->prog_fd, &n);

	if (n)
		pr_warn("pin directory '%s': %d pins were gone (bpffs remounted?): pinned again",
			d->s.pin_dir, n);
	if (err && !d->pins_lost)
		pr_warn("pin directory '%s': pins are gone and cannot be put back yet: %s; "
			"trying every second",
			d->s.pin_dir, strerror(-err));
	d->pins_lost = err != 0;
}

static void tick(struct daemon *d)
{
	uint64_t expirations;

	if (read(d->timerfd, &expirations, sizeof(expirations)) < 0)
		return;
	if (runner_tick(d->runner, mono_now_ns()))
		d->r.dirty = true;
	reap_children(d);
	responder_log_summary(&d->r, mono_now_ns());
	check_pins(d);
	execq_in_tick(d);
	persist_sweep_start(&d->p);
	poll_alerts(d);
	daemon_save(d, false);
	if (++d->ticks % METRICS_FILE_EVERY == 1)
		write_metrics_file(d);
}

static void watch_alerts_dir(struct daemon *d)
{
	char dir[PATH_MAX];

	str_copy(dir, d->s.alerts, sizeof(dir));
	/* The directory, not the file: rotation re-creates the file under the same name. */
	if (inotify_add_watch(d->inofd, dirname(dir),
			      IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM |
				      IN_CLOSE_WRITE | IN_ATTRIB) < 0)
		pr_debug("alerts '%s': cannot watch its directory (%s): polling once a second",
			 d->s.alerts, strerror(errno));
}

static int watch(struct daemon *d, int fd, enum src_kind k)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = (void *)&src_of[k] };

	return epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/*
 * This host's addresses change under a running daemon (a VIP taking over, IPv6 temporary
 * addresses): netlink tells of every address added or removed, and the guard is re-read, so an
 * alert never blocks an address the host took after start.
 */
static int open_netlink(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -errno;
	}
	return fd;
}

static void handle_netlink(struct daemon *d)
{
	char buf[8192];
	bool changed = false;
	ssize_t n;

	/* The messages say which address; re-reading them all is simpler and as cheap. */
	while ((n = recv(d->nlfd, buf, sizeof(buf), 0)) > 0 || (n < 0 && errno == ENOBUFS))
		changed = true;
	if (changed && responder_load_own_addrs(&d->r))
		pr_warn("host addresses: cannot re-read them: the previous set stays protected");
}

static int setup_loop(struct daemon *d)
{
	struct itimerspec its = { .it_interval = { 1, 0 }, .it_value = { 1, 0 } };
	sigset_t mask;
	int err;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGQUIT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	d->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	d->inofd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->sigfd < 0 || d->timerfd < 0 || d->inofd < 0 || d->epfd < 0)
		return -errno;
	timerfd_settime(d->timerfd, 0, &its, NULL);
	if (!d->execd.on)
		watch_alerts_dir(d);
	err = watch(d, d->sigfd, SRC_SIGNAL);
	err = err ?: watch(d, d->timerfd, SRC_TIMER);
	err = err ?: watch(d, d->inofd, SRC_INOTIFY);
	err = err ?: control_open(d);
	err = err ?: watch(d, d->ctlfd, SRC_CTL);
	err = err ?: execq_in_open(d);
	if (!err && d->execd.on)
		err = execd_open(d);
	if (err)
		return err;
	d->nlfd = open_netlink();
	if (d->nlfd < 0)
		pr_warn("host addresses: cannot follow their changes (netlink: %s): the set read at "
			"start is the one protected",
			strerror(-d->nlfd));
	else
		err = watch(d, d->nlfd, SRC_NETLINK);
	if (err || !d->s.metrics_port)
		return err;
	d->metricsfd = metrics_http_listen("127.0.0.1", (uint16_t)d->s.metrics_port);
	if (d->metricsfd < 0)
		return d->metricsfd;
	pr_info("metrics: serving http://127.0.0.1:%u/metrics", d->s.metrics_port);
	return watch(d, d->metricsfd, SRC_METRICS);
}

static void run_loop(struct daemon *d)
{
	struct epoll_event evs[64];
	char ibuf[4096];
	int i, n, wait;

	while (!d->stop) {
		/* Lines left by the per-poll budget: look at the other sources, then go on. A
		 * client's deadline or a busy pin-directory lock bound the wait too. */
		wait = clients_expire(d);
		if ((d->in.lock_busy || execq_in_paused(d)) && (wait < 0 || wait > LOCK_RETRY_MS))
			wait = LOCK_RETRY_MS;
		n = epoll_wait(d->epfd, evs, ARRAY_SIZE(evs),
			       d->in.tail.more || d->sweeping ? 0 : wait);
		if (n < 0 && errno == EINTR)
			continue;
		for (i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;

			if (runner_owns(p)) {
				runner_event(d->runner, p, evs[i].events);
				continue;
			}
			switch (((const struct src *)p)->kind) {
			case SRC_SIGNAL:
				handle_signals(d);
				break;
			case SRC_TIMER:
				tick(d);
				break;
			case SRC_INOTIFY:
				while (read(d->inofd, ibuf, sizeof(ibuf)) > 0)
					;
				poll_alerts(d);
				break;
			case SRC_CTL:
				clients_accept(d, d->ctlfd, CLIENT_CTL);
				break;
			case SRC_METRICS:
				clients_accept(d, d->metricsfd, CLIENT_HTTP);
				break;
			case SRC_CLIENT:
				clients_event(d, p, evs[i].events);
				break;
			case SRC_COM:
				clients_accept(d, d->execd.comfd, CLIENT_COM);
				break;
			case SRC_NETLINK:
				handle_netlink(d);
				break;
			case SRC_EXECQ:
				execq_in_event(d);
				break;
			}
		}
		if (d->in.tail.more || d->in.lock_busy)
			poll_alerts(d);
		if (execq_in_paused(d))
			execq_in_event(d);
		/* One slice per turn, events or not: a steady stream never starves the sweep. */
		d->sweeping = persist_sweep_step(&d->p, &d->r);
		fflush(stderr);
	}
}

/* execd's shutdown behaviour, on request: every response is undone before exit. */
static int unblock_cb(struct bmeta *m, void *ctx)
{
	struct responder *r = ctx;
	struct arxdp_addr a = m->addr;
	struct arxdp_block cur;
	char buf[ADDR_STRLEN];

	/* An operator's hold (ARXDP_KEY_OPERATOR in the map, whoever wrote last) stays. */
	if (m->v.origin != ARXDP_ORIGIN_ALERT || bl_get(r->bl, &a, &cur) ||
	    (cur.keys & ARXDP_KEY_OPERATOR))
		return 0;
	if (!bl_unblock(r->bl, &a)) {
		pr_info("unblock %s: shutting down with unblock_on_exit",
			addr_format(&a, buf, sizeof(buf)));
		responder_ended(r, &a);
	}
	return 0;
}

/* ---- start-up ---- */
static void usage(FILE *f)
{
	fprintf(f,
		"Usage: arxdpd [-f] [-n] [-v] [--config FILE] [--ossec-conf FILE] [--alerts FILE]\n"
		"              [--wazuh-home DIR] [--iface IFACE]... [--mode auto|native|skb]\n"
		"              [--pin-dir DIR] [--state-dir DIR] [--socket PATH] [--ar-log FILE]\n"
		"              [--from-start] [--unblock-on-exit] [--dry-run] [--agent-id ID]\n"
		"              [--capacity-v4 N] [--capacity-v6 N] [--cidr-capacity N]\n"
		"              [--script-concurrency N] [--script-time-limit DURATION]\n"
		"              [--manager-in-all] [--no-dispatcher] [--priority N]\n"
		"              [--no-block-counters] [--metrics-textfile PATH] [--metrics-port N]\n"
		"              [--execq]\n\n"
		"Follows Wazuh's alerts.json and turns active responses into XDP drops.\n"
		"  -f  stay in the foreground, log to stderr      -n  check the configuration, exit\n"
		"  -v  more log output (-vv: libbpf's too)\n"
		"Settings come from arxdp.conf (--config, $ARXDP_CONF or %s);\n"
		"every flag overrides the file. SIGHUP reloads, SIGTERM stops and keeps every block.\n"
		"As 'arxdpd --execd ...' (first) or named wazuh-execd, it takes wazuh-execd's\n"
		"command line (-h lists it) and place in the Wazuh home.\n",
		ARXDP_CONF_DEFAULT);
}

enum {
	OPT_CONFIG = 256,
	OPT_FROM_START,
	OPT_SETTING, /* + the index in the settings table */
};

/* The daemon's own flags, then one per setting of the shared table. */
static int parse_args(struct daemon *d, int argc, char **argv)
{
	const struct settings_opt *opts = settings_opts();
	struct option lo[8 + 64] = {
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "from-start", no_argument, NULL, OPT_FROM_START },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
	};
	int c, i, n = 4;

	for (i = 0; opts[i].elem && n < (int)ARRAY_SIZE(lo) - 1; i++)
		if (opts[i].flag)
			lo[n++] = (struct option){ opts[i].flag,
						   settings_flag_takes_value(&opts[i]) ?
							   required_argument :
							   no_argument,
						   NULL, OPT_SETTING + i };
	while ((c = getopt_long(argc, argv, "fnvhV", lo, NULL)) != -1) {
		switch (c) {
		case 'f':
			d->o.foreground = true;
			break;
		case 'n':
			d->o.check_only = true;
			break;
		case 'v':
			d->o.verbose++;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("arxdpd %s\n", ARXDP_VERSION);
			exit(0);
		case OPT_CONFIG:
			d->o.config = optarg;
			break;
		case OPT_FROM_START:
			d->o.from_start = true;
			break;
		default:
			if (c < OPT_SETTING) {
				usage(stderr);
				return -EINVAL;
			}
			if (settings_flags_add(&d->flags, &opts[c - OPT_SETTING],
					       settings_flag_takes_value(&opts[c - OPT_SETTING]) ?
						       optarg :
						       NULL)) {
				fprintf(stderr, "arxdpd: too many flags\n");
				return -E2BIG;
			}
			break;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "arxdpd: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

static void daemon_init(struct daemon *d)
{
	memset(d, 0, sizeof(*d));
	d->epfd = d->sigfd = d->timerfd = d->inofd = d->ctlfd = d->lockfd = d->metricsfd = -1;
	d->claimfd = d->nlfd = d->prog_fd = -1;
	d->execd.comfd = -1;
}

static void daemon_fini(struct daemon *d)
{
	fflush(stderr);
	clients_close_all(d);
	control_close(d);
	execd_close(d);
	execq_in_close(d);
	if (d->metricsfd >= 0)
		close(d->metricsfd);
	runner_free(d->runner);
	d->r.runner = NULL;
	follow_close(&d->in);
	bl_close(&d->bl);
	responder_free(&d->r);
	alert_cleanup();
	if (d->lockfd >= 0)
		close(d->lockfd);
	if (d->claimfd >= 0)
		close(d->claimfd);
	if (d->nlfd >= 0)
		close(d->nlfd);
	if (d->prog_fd >= 0)
		close(d->prog_fd);
	if (d->epfd >= 0)
		close(d->epfd);
}

/* Everything between the settings and the loop; a failure said why already. */
static int start(struct daemon *d)
{
	struct runner_env renv;
	struct tail_pos pos = {};
	bool have_pos = false;
	int err;

	d->start_mono = mono_now_ns();
	err = take_lock(d);
	err = err ?: claim_pin_dir(d);
	err = err ?: attach_all(d);
	if (err)
		return err;
	err = bl_open(&d->bl, d->s.pin_dir);
	if (err) {
		pr_warn("pin directory '%s': cannot open the maps: %s", d->s.pin_dir,
			strerror(-err));
		return err;
	}
	warn_capacities(d);
	/* Repair at start: a writer older than the prefilter may have added blocks it hides.
	 * Not fatal: the program still drops what the prefilter shows. */
	{
		uint64_t set;

		if (!bl_pf_rebuild(&d->bl, &set))
			pr_debug("map '%s': rebuilt, %llu slots set", ARXDP_MAP_PREFILTER,
				 (unsigned long long)set);
	}
	responder_load_own_addrs(&d->r);
	persist_init(&d->p, d->s.state_dir);
	/* Start-up may wait for the lock as the CLI does; the loop never waits long. */
	err = persist_load(&d->p, &d->r, &pos, &have_pos);
	d->bl.lock_timeout_ms = LOOP_LOCK_TIMEOUT_MS;
	if (d->execd.on) {
		/* No alerts.json here: the saved position is kept for a later arxdpd. */
		d->in.tail.fd = -1;
		d->in.tail.pos = pos;
	} else {
		err = err   ?:
			      follow_open(&d->in, &d->r, d->s.alerts, have_pos ? &pos : NULL,
					  d->o.from_start);
	}
	err = err ?: setup_loop(d);
	if (err)
		return err;
	renv = (struct runner_env){ .home = d->s.wazuh_home,
				    .cfg = (const struct ossec_config **)&d->r.cfg,
				    .offenders = d->r.off,
				    .pending = &d->r.pending,
				    .concurrency = d->s.script_concurrency ?: 1,
				    .time_limit_s = d->s.script_time_limit_s };
	err = runner_new(&d->runner, &renv, d->epfd);
	if (err)
		return err;
	d->r.runner = d->runner;
	return 0;
}

int main(int argc, char **argv)
{
	struct daemon d;
	struct ossec_config *cfg = NULL;
	int err;

	daemon_init(&d);
	log_init("arxdpd", LOG_LEVEL_INFO, LOG_TARGET_STDERR);
	if (execd_invoked(argc, argv)) {
		char exe[PATH_MAX];
		int code;

		/* wazuh-execd's command line and home (execd.c); arxdp.conf still sets the rest. */
		if (execd_parse_args(&d.o, &d.flags, &d.execd, argc, argv,
				     realpath("/proc/self/exe", exe) ? exe : NULL, stderr, stderr,
				     &code))
			return 1;
		if (code >= 0)
			return code;
		log_init(EXECD_NAME, LOG_LEVEL_INFO, LOG_TARGET_STDERR);
	} else if (parse_args(&d, argc, argv)) {
		return 1;
	}
	if (read_settings(&d, &d.s))
		return 1;
	log_set_level(d.o.verbose >= 2 ? LOG_LEVEL_TRACE :
		      d.o.verbose      ? LOG_LEVEL_DEBUG :
					 LOG_LEVEL_INFO);
	if (load_ossec(&d.s, &cfg))
		return 1;
	if (!d.o.check_only && !d.execd.on && refuse_beside_execd(&d.s, cfg)) {
		config_free_ossec(cfg);
		return 1;
	}
	if (d.o.check_only) {
		printf("configuration OK: %s (%zu active responses), alerts %s\n", d.s.ossec_conf,
		       cfg->n_ars, d.execd.on ? "from execq" : d.s.alerts);
		config_free_ossec(cfg);
		return 0;
	}
	/* Under systemd stderr is the journal; elsewhere a daemon logs to syslog. wazuh-control
	 * waits for execd to fork away, under systemd too. */
	if (!d.o.foreground &&
	    (d.execd.on || (!getenv("INVOCATION_ID") && !getenv("JOURNAL_STREAM")))) {
		if (daemon(0, 0)) {
			pr_warn("daemon: %s", strerror(errno));
			config_free_ossec(cfg);
			return 1;
		}
		log_init(d.execd.on ? EXECD_NAME : "arxdpd", log_get_level(), LOG_TARGET_SYSLOG);
	}
	/* CreatePID after goDaemon: the pid in the name is the one wazuh-control signals. */
	if (d.execd.on && execd_pidfile_create(&d.execd, d.s.wazuh_home, getpid())) {
		config_free_ossec(cfg);
		return 1;
	}
	/* One write per loop iteration instead of one per block line; flushed every iteration. */
	setvbuf(stderr, NULL, _IOFBF, 1 << 16);
	err = responder_init(&d.r, &d.s, &d.bl);
	if (err) {
		config_free_ossec(cfg);
		goto out;
	}
	responder_set_config(&d.r, cfg);
	err = start(&d);
	if (err)
		goto out;
	drop_capabilities();
	d.r.dirty = true;
	poll_alerts(&d);
	daemon_save(&d, true);
	pr_info("running: %zu active responses from %s, following %s, %zu blocks tracked",
		d.r.cfg->n_ars, d.s.ossec_conf, d.execd.on ? "execq" : d.s.alerts,
		btable_size(d.r.bt));
	notify_systemd("READY=1");
	run_loop(&d);
	notify_systemd("STOPPING=1");
	execq_in_stop(&d);
	if (d.s.unblock_on_exit) {
		pr_info("shutting down: deleting every response (unblock_on_exit)");
		runner_flush_deletes(d.runner, d.s.script_time_limit_s ?: 10);
		btable_foreach(d.r.bt, unblock_cb, &d.r);
		responder_flush(&d.r);
		d.r.dirty = true;
	}
	persist_final(&d.p, &d.r, &d.in.tail.pos, runner_take_queued(d.runner));
	pr_info("stopped; %sblocks stay in the pinned maps",
		d.s.unblock_on_exit ? "operator " : "");
out:
	daemon_fini(&d);
	return err ? 1 : 0;
}
