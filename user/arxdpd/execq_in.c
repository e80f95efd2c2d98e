// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the execq input declared in execq_in.h. The socket is bound as execd's
 * StartMQ binds it (mode 0660, group wazuh), read without ever blocking a sender on us (drained
 * in bounded batches as soon as it is readable), and watched: an execd started later
 * unlinks the name and binds its own socket there, after which analysisd's datagrams go to it.
 */
#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <cjson/cJSON.h>
#include "alert.h"
#include "execq_in.h"
#include "log.h"
#include "match.h"
#include "runner.h"
#include "util.h"

/* Datagrams per wakeup: the loop then looks at its other sources (level-triggered: the rest
 * wakes it again at once). */
#define EXECQ_BATCH 1024
/*
 * A queue found empty right after datagrams is most often a sender between two sends.
 * Sleeping in epoll_wait then costs a wakeup for the next datagram, and a wakeup on another
 * CPU takes ~0.1 ms here (an IPI to an idle, halted vCPU; perf sched's delay of the woken
 * task), against ~15 µs of work per datagram: so the queue is polled this long first. The CPU
 * it costs an idle host: one bound per event that received datagrams (a burst's end; a poll
 * that finds one goes on with the batch), nothing for an event that found the queue empty.
 * 150 µs gave no more blocks/s than no poll, for more CPU. Each poll yields first (a sender
 * woken on this CPU by the last receive runs before it), then one recvmmsg with MSG_DONTWAIT,
 * EXECQ_SPIN_POLLS at most in case the clock says little.
 */
#define EXECQ_SPIN_NS (50 * 1000)
#define EXECQ_SPIN_POLLS 256
/*
 * execd asks for OS_MAXSTR + 512. A Unix datagram socket's queue is not bounded by it
 * (unix(7): SO_RCVBUF has no effect): a sender waits once net.unix.max_dgram_qlen datagrams
 * are queued (10 without systemd's 512), or its own SO_SNDBUF is taken by unread ones. So
 * only prompt reading keeps a sender from waiting; the size is set as execd sets one.
 */
#define EXECQ_RCVBUF (8 << 20)
#define EXECQ_BUF (EXECQ_MAXSTR + 2)
#define WAZUH_USER "wazuh"

int execq_in_new(struct execq_in **out, const char *home, const char *agent_id)
{
	enum execq_role role = agent_id && strcmp(agent_id, "000") ? EXECQ_AGENT : EXECQ_MANAGER;
	struct execq_in *eq;
	int err, i;

	*out = NULL;
	eq = calloc(1, sizeof(*eq));
	if (!eq)
		return -ENOMEM;
	eq->tag.kind = SRC_EXECQ;
	eq->fd = -1;
	eq->spin_ns = EXECQ_SPIN_NS;
	eq->spin_polls = EXECQ_SPIN_POLLS;
	/* Touched only as far as datagrams reach: a 1 KiB one maps one page of its slot. */
	eq->buf = malloc((size_t)EXECQ_VLEN * EXECQ_BUF);
	/* Room for the largest alert a datagram can hold, printed in place (execq_alert_text). */
	eq->alert.cap = EXECQ_BUF + EXECQ_TEXT_SPARE;
	eq->alert.p = malloc(eq->alert.cap);
	err = eq->buf && eq->alert.p ? execq_table_new(&eq->t, home, role) : -ENOMEM;
	if (err) {
		execq_in_free(eq);
		return err;
	}
	for (i = 0; i < EXECQ_VLEN; i++) {
		eq->iov[i] = (struct iovec){ .iov_base = eq->buf + (size_t)i * EXECQ_BUF,
					     .iov_len = EXECQ_BUF };
		eq->mm[i].msg_hdr = (struct msghdr){ .msg_iov = &eq->iov[i], .msg_iovlen = 1 };
	}
	*out = eq;
	return 0;
}

void execq_in_free(struct execq_in *eq)
{
	if (!eq)
		return;
	if (eq->fd >= 0)
		close(eq->fd);
	execq_table_free(eq->t);
	free(eq->buf);
	free(eq->alert.p);
	free(eq);
}

/* ---- one datagram ---- */

#define EXTRA_MAX 64

/*
 * The command as this datagram names it, for the log lines: firewall-drop echoes the message
 * execd gives it, so its extra_args are the datagram's, whatever ossec.conf says now.
 */
static void cmd_of(struct ossec_command *c, const char **argv, struct execq_decision *x, char *exe)
{
	const cJSON *e;
	int n = 0;

	cJSON_ArrayForEach(e, x->extra_args) if (cJSON_IsString(e) && n < EXTRA_MAX) argv[n++] =
		e->valuestring;
	*c = (struct ossec_command){ .name = x->cmd.name,
				     .executable = exe,
				     .program = x->cmd.program,
				     .extra_argv = argv,
				     .n_extra = n };
}

static const char *alert_id(const struct execq_decision *x)
{
	const cJSON *id = cJSON_GetObjectItem(x->alert, "id");

	return cJSON_IsString(id) ? id->valuestring : NULL;
}

/* ar.conf's atoi: execd's list deletes a negative timeout at its next check, about 1 s on. */
static uint32_t ar_timeout(int t)
{
	return t < 0 ? 1 : (uint32_t)t;
}

/*
 * firewall-drop under execd, in one map write: its check_keys key is the address text, so the
 * rkey is "<exe>-<srcip>"; a repeat while the block lives is execd's abort (the block is
 * extended from now, an offense counted, the log says Aborted), and the timeout list's delete
 * is the expiry stamp the XDP program checks itself.
 */
static void run_fast(struct execq_in *eq, struct responder *r, struct execq_decision *x, char *exe)
{
	char addr[ADDR_STRLEN], rkey[OFFENDER_KEY_MAX], err[256];
	const char *argv[EXTRA_MAX];
	struct ossec_command cmd;
	uint32_t timeout = ar_timeout(x->cmd.timeout);
	struct alert al = {};
	struct block_req q;
	struct arxdp_addr a;
	const char *ip = execq_srcip(x, &a);
	int e;

	if (!ip) {
		/* firewall-drop would log its complaint and exit: no key, no list entry. */
		eq->c.no_srcip++;
		pr_debug("execq: %s: no usable srcip in the alert: nothing to block", x->cmd.name);
		return;
	}
	addr_format(&a, addr, sizeof(addr));
	/* The fields come from the tree execq parsed: one parse per datagram. */
	if (x->alert && alert_block_fields(&al, x->alert, err, sizeof(err)))
		pr_debug("execq: %s: alert without rule or id (%s): blocked without them",
			 x->cmd.name, err);
	if (responder_seen(r, alert_id(x), x->cmd.name, addr))
		goto out;
	/* The log lines embed the alert as execd prints it: one print, into the kept buffer. */
	e = execq_alert_text(x, &eq->alert);
	if (e == -ENOMEM) {
		pr_warn("execq: %s: no memory to print the alert: '%s' not blocked", x->cmd.name,
			addr);
		goto out;
	}
	if (!match_rkey(rkey, sizeof(rkey), exe, ip))
		timeout = offenders_escalate(r->off, r->cfg, rkey, timeout, NULL);
	cmd_of(&cmd, argv, x, exe);
	q = (struct block_req){
		.addr = a,
		.addr_text = addr,
		.timeout_s = timeout,
		.cmd = &cmd,
		.alert = e ? "{}" : eq->alert.p,
		.alert_len = e ? 2 : eq->alert.len,
		.compact = al.root ? alert_compact(&al, &r->compact) : NULL,
		.why = { .rule_id = (uint32_t)al.rule_num,
			 .level = (uint8_t)(al.level > 255 ? 255 :
					    al.level < 0   ? 0 :
							     al.level),
			 .origin = ARXDP_ORIGIN_ALERT },
		.ar_name = x->cmd.name,
		.rule = al.rule_id ? al.rule_id : "?",
		.level = al.level,
	};
	eq->c.blocks++;
	responder_block(r, &q, NULL, NULL);
out:
	alert_free(&al);
}

/* Any other program: the runner speaks execd's stdin protocol with it, time-limited. */
static void run_script(struct execq_in *eq, struct responder *r, struct runner *runner,
		       struct execq_decision *x, const char *exe)
{
	char *json;

	if (responder_seen(r, alert_id(x), x->cmd.name, ""))
		return;
	eq->c.scripts++;
	if (!runner)
		return;
	json = execq_add_json(x) ? strdup(x->add_json) : NULL;
	if (!json || runner_add(runner, exe, json, ar_timeout(x->cmd.timeout))) {
		pr_warn("execq: %s: no memory to queue '%s'", x->cmd.name, x->cmd.program);
		return;
	}
	/*
	 * No snapshot to wait for: a datagram is never read twice (execq_in.h). Not while the
	 * stop drains the queue: a script started then would get no answer (the loop has run
	 * for the last time) and be lost; queued, it is saved and runs at the next start.
	 */
	if (!eq->stopping && runner_tick(runner, mono_now_ns()))
		r->dirty = true;
}

static void restart(struct execq_in *eq, struct runner *runner, const struct execq_decision *x)
{
	pid_t pid = 0;
	int err;

	eq->c.restarts++;
	err = runner ? runner_spawn(runner, EXECQ_RESTART_PROGRAM, x->restart_arg, &pid) : 0;
	if (err)
		pr_warn("execq: restart-wazuh: cannot start '%s %s': %s", EXECQ_RESTART_PROGRAM,
			x->restart_arg, strerror(-err));
	else
		pr_info("execq: restart-wazuh: started '%s %s' (pid %d)", EXECQ_RESTART_PROGRAM,
			x->restart_arg, (int)pid);
}

void execq_in_message(struct execq_in *eq, struct responder *r, struct runner *runner,
		      const void *buf, size_t len)
{
	const char *bin = EXECQ_AR_BINDIR "/";
	struct execq_decision x;
	char *exe;
	int err = execq_handle(eq->t, buf, len, &x);

	if (err) {
		pr_warn("execq: datagram of %zu bytes: cannot handle it: %s", len, strerror(-err));
		return;
	}
	if (x.truncated)
		eq->c.truncated++;
	if (x.n_warning)
		pr_warn("%s%s", x.warning, x.n_warning > 1 ? " (twice)" : "");
	switch (x.kind) {
	case EXECQ_ERROR:
		eq->c.errors++;
		pr_warn("%s", x.error);
		break;
	case EXECQ_IGNORED:
		eq->c.ignored++;
		break;
	case EXECQ_RESTART:
		restart(eq, runner, &x);
		break;
	case EXECQ_RUN:
		exe = x.cmd.program + strlen(bin);
		/* add_json is printed for this line only when it is logged. */
		if (log_get_level() >= LOG_LEVEL_DEBUG)
			pr_debug("Executing command '%s %s'", x.cmd.program,
				 execq_add_json(&x) ?: "(no memory to print it)");
		if (strncmp(x.cmd.program, bin, strlen(bin)) || strchr(exe, '/')) {
			/* '!dir/prog': execd would run it; the runner keeps to the bin directory. */
			eq->c.errors++;
			pr_warn("execq: %s: '%s' is not directly in %s: not run", x.cmd.name,
				x.cmd.program, EXECQ_AR_BINDIR);
		} else if (settings_is_fastpath(r->s, exe)) {
			run_fast(eq, r, &x, exe);
		} else {
			run_script(eq, r, runner, &x, exe);
		}
		break;
	}
	execq_decision_free(&x);
}

/* ---- the socket ---- */

/*
 * Wazuh's own layout makes queue/alerts the wazuh user's (0770), which path_trusted_dir()
 * refuses; what matters here is that nobody else may put a name there: no symbolic link, no
 * write for others without the sticky bit, owned by root or the wazuh user. Every operation
 * below stays on the name itself (lstat, unlink, lchown, a umask instead of chmod), so even
 * the wazuh user can steer none of them elsewhere.
 */
static int check_dir(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)], why[256];
	struct passwd *pw;
	struct stat st;

	str_copy(dir, path, sizeof(dir));
	dirname(dir);
	if (!path_trusted_dir(dir, 0, why, sizeof(why)))
		return 0;
	if (lstat(dir, &st) || !S_ISDIR(st.st_mode)) {
		pr_warn("execq '%s': directory '%s' is missing or not a directory: create it (Wazuh's "
			"installer does) or turn execq off",
			path, dir);
		return -ENOTDIR;
	}
	pw = getpwnam(WAZUH_USER);
	if ((st.st_mode & S_IWOTH && !(st.st_mode & S_ISVTX)) ||
	    (st.st_uid && (!pw || st.st_uid != pw->pw_uid))) {
		pr_warn("execq '%s': directory not trusted: %s: make it root's or wazuh's, not "
			"writable by others",
			path, why);
		return -EPERM;
	}
	return 0;
}

/* Only a stale socket is removed: a live one is another execd (or arxdpd) reading it. */
static int clear_name(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, err;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		pr_warn("execq '%s': exists and is not a socket: remove it, or turn execq off",
			path);
		return -EEXIST;
	}
	str_copy(sa.sun_path, path, sizeof(sa.sun_path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	err = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	close(fd);
	if (!err) {
		pr_warn("execq '%s': a live process reads it (wazuh-execd?): two readers would "
			"split the responses between them; stop it (or turn execd off) and start "
			"arxdpd again",
			path);
		return -EADDRINUSE;
	}
	if (err != -ECONNREFUSED) {
		pr_warn("execq '%s': cannot tell whether it is in use: %s", path, strerror(-err));
		return err;
	}
	return unlink(path) && errno != ENOENT ? -errno : 0;
}

static int bind_execq(struct execq_in *eq)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = -1, err, sz = EXECQ_RCVBUF;
	struct group *gr;
	struct stat st;
	mode_t old;

	err = check_dir(eq->path) ?: clear_name(eq->path);
	if (err)
		goto fail;
	str_copy(sa.sun_path, eq->path, sizeof(sa.sun_path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		goto fail;
	}
	/* StartMQ's 0660, made by the umask at bind: a chmod on the name could follow a link. */
	old = umask(0117);
	err = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	umask(old);
	if (err) {
		pr_warn("execq '%s': cannot bind: %s", eq->path, strerror(-err));
		goto fail;
	}
	if (lstat(eq->path, &st)) {
		err = -errno;
		goto fail;
	}
	eq->dev = st.st_dev;
	eq->ino = st.st_ino;
	gr = getgrnam(WAZUH_USER);
	if (gr && lchown(eq->path, (uid_t)-1, gr->gr_gid))
		pr_warn("execq '%s': cannot give it to group %s: %s (analysisd may not reach it)",
			eq->path, WAZUH_USER, strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz)))
		pr_debug("execq '%s': receive buffer left as it is: %s", eq->path, strerror(errno));
	eq->fd = fd;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	return err;
}

int execq_in_open(struct daemon *d)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct execq_in *eq;
	int err;

	if (!d->s.execq)
		return 0;
	/* execd's main(): with active response off it starts its com thread only, no execq. */
	if (d->r.cfg && d->r.cfg->execd_disabled) {
		pr_info("(1350): Active response disabled.");
		pr_warn("execq: '%s' line %d turns wazuh-execd off: %s/%s not bound, as execd binds "
			"nothing then (analysisd drops the responses for this host)",
			d->s.ossec_conf, d->r.cfg->execd_disabled_line, d->s.wazuh_home,
			EXECQ_QUEUE);
		return 0;
	}
	err = execq_in_new(&eq, d->s.wazuh_home, d->s.agent_id);
	if (err)
		return err;
	if (snprintf(eq->path, sizeof(eq->path), "%s/%s", d->s.wazuh_home, EXECQ_QUEUE) >=
	    (int)sizeof(eq->path)) {
		pr_warn("execq '%s/%s': path too long for a socket (%zu bytes at most)",
			d->s.wazuh_home, EXECQ_QUEUE, sizeof(eq->path) - 1);
		err = -ENAMETOOLONG;
		goto fail;
	}
	/* The dedupe table is for a second input: the wazuh-execd mode follows no alerts.json. */
	err = bind_execq(eq) ?: (d->execd.on ? 0 : responder_dedupe_on(&d->r));
	if (err)
		goto fail;
	ev.data.ptr = eq;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, eq->fd, &ev)) {
		err = -errno;
		goto fail;
	}
	d->eq = eq;
	pr_info("execq: reading '%s' as wazuh-execd would (ar.conf '%s/%s')", eq->path,
		d->s.wazuh_home, EXECQ_AR_CONF);
	return 0;
fail:
	if (eq->fd >= 0 && eq->ino)
		unlink(eq->path);
	execq_in_free(eq);
	return err;
}

void execq_in_close(struct daemon *d)
{
	struct execq_in *eq = d->eq;
	struct stat st;

	if (!eq)
		return;
	/* Our name only: an execd that took it over keeps its socket. */
	if (!lstat(eq->path, &st) && st.st_ino == eq->ino && st.st_dev == eq->dev)
		unlink(eq->path);
	execq_in_free(eq);
	d->eq = NULL;
}

static void set_paused(struct daemon *d, bool paused)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = d->eq };

	if (d->eq->paused == paused)
		return;
	/* Level-triggered: unread datagrams would wake the loop without end while it waits. */
	if (epoll_ctl(d->epfd, paused ? EPOLL_CTL_DEL : EPOLL_CTL_ADD, d->eq->fd, &ev)) {
		/* State unchanged: the next pass tries again rather than never reading execq. */
		pr_warn("execq '%s': epoll: %s", d->eq->path, strerror(errno));
		return;
	}
	d->eq->paused = paused;
}

/*
 * Up to EXECQ_VLEN datagrams in one call, never waiting; -errno (-EAGAIN: none queued). With
 * MSG_TRUNC each msg_len is the datagram's real length, as recv() gives it.
 */
static int receive(struct execq_in *eq)
{
	int n, i;

	for (i = 0; i < EXECQ_VLEN; i++)
		eq->mm[i].msg_len = 0;
	do
		n = recvmmsg(eq->fd, eq->mm, EXECQ_VLEN, MSG_TRUNC | MSG_DONTWAIT, NULL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

/* The bounded poll (EXECQ_SPIN_NS) after an empty receive: receive()'s result. */
static int receive_spin(struct execq_in *eq)
{
	uint64_t end = mono_now_ns() + eq->spin_ns;
	unsigned int i;
	int n = -EAGAIN;

	for (i = 0; i < eq->spin_polls && n == -EAGAIN && mono_now_ns() < end; i++) {
		sched_yield();
		n = receive(eq);
	}
	return n;
}

void execq_in_event(struct daemon *d)
{
	struct execq_in *eq = d->eq;
	uint64_t before;
	bool end = false, locked;
	int n, i, got;

	if (!eq)
		return;
	before = eq->c.received;
	responder_new_burst(&d->r);
	/*
	 * Busy: the datagrams wait in the socket's queue, none is lost while it has room. The
	 * lock decides, not the pause: an epoll change that failed leaves the input as it was
	 * (set_paused), and neither a held lock nor an unlocked batch may follow from it.
	 */
	locked = !bl_lock(&d->bl);
	set_paused(d, !locked);
	if (!locked)
		return;
	if (eq->paused) {
		bl_unlock(&d->bl);
		return;
	}
	/* Emptied as long as datagrams come (an empty queue polled a bounded while first),
	 * EXECQ_BATCH at most: the sender never waits on a queue this loop left full; the batch
	 * bound lets the loop see its other sources. */
	for (got = 0; got < EXECQ_BATCH && !end; got += n) {
		n = receive(eq);
		if (n == -EAGAIN && got)
			n = receive_spin(eq);
		if (n < 0) {
			if (n != -EAGAIN)
				pr_warn("execq '%s': receive failed: %s", eq->path, strerror(-n));
			break;
		}
		for (i = 0; i < n; i++) {
			/* Shut for reading: 0 bytes is the end of the queue (every later entry too). */
			if (!eq->mm[i].msg_len && eq->stopping) {
				end = true;
				break;
			}
			eq->c.received++;
			execq_in_message(eq, &d->r, d->runner, eq->iov[i].iov_base,
					 eq->mm[i].msg_len);
		}
	}
	bl_unlock(&d->bl);
	responder_flush(&d->r);
	/*
	 * The blocks mark the state dirty; the tick's snapshot takes them (no position here).
	 * Datagrams are alerts arriving: the snapshot waits for a pause in them as in the
	 * alerts.json lines, for its fork stops the loop (1 ms at 10,000 blocks) while a
	 * sender waits on a queue of net.unix.max_dgram_qlen datagrams.
	 */
	if (eq->c.received != before)
		d->in.last_alert_mono = mono_now_ns();
}

void execq_in_stop(struct daemon *d)
{
	struct execq_in *eq = d->eq;
	uint64_t before;
	int i;

	if (!eq || eq->fd < 0)
		return;
	/* Unix datagram senders get EPIPE from a reader shut for reading (unix_dgram_sendmsg). */
	if (shutdown(eq->fd, SHUT_RD))
		pr_warn("execq '%s': shutdown: %s", eq->path, strerror(errno));
	eq->stopping = true;
	set_paused(d, false);
	/* The queue holds at most net.unix.max_dgram_qlen datagrams; a held lock gets 20 tries. */
	for (i = 0; i < 20; i++) {
		before = eq->c.received;
		execq_in_event(d);
		if (!eq->paused && eq->c.received == before)
			break;
		if (eq->paused)
			usleep(50 * 1000);
	}
	if (eq->paused)
		pr_warn("execq '%s': the pin directory stayed locked: datagrams still queued at the "
			"stop are lost (their senders were told they were delivered)",
			eq->path);
}

bool execq_in_paused(const struct daemon *d)
{
	return d->eq && d->eq->paused;
}

void execq_in_tick(struct daemon *d)
{
	struct execq_in *eq = d->eq;
	struct stat st;
	bool ours, gone;

	if (!eq)
		return;
	if (eq->paused)
		execq_in_event(d);
	gone = lstat(eq->path, &st) != 0;
	ours = !gone && st.st_ino == eq->ino && st.st_dev == eq->dev;
	if (!ours && !eq->lost) {
		eq->c.name_lost++;
		pr_warn("execq '%s': %s: analysisd's responses go there now, not to arxdpd. A "
			"wazuh-execd started after arxdpd does this: stop it (turn execd off or "
			"use arxdpd in its place) and restart arxdpd to take the name back",
			eq->path, gone ? "the name was removed" : "another process bound the name");
	} else if (ours && eq->lost) {
		pr_info("execq '%s': the name is ours again", eq->path);
	}
	eq->lost = !ours;
}

void execq_in_status(const struct daemon *d, struct cJSON *st)
{
	const struct execq_in *eq = d->eq;
	cJSON *o;

	if (!eq)
		return;
	o = cJSON_AddObjectToObject(st, "execq");
	if (!o)
		return;
	cJSON_AddStringToObject(o, "path", eq->path);
	cJSON_AddBoolToObject(o, "name_ours", !eq->lost);
	cJSON_AddNumberToObject(o, "name_lost", (double)eq->c.name_lost);
	cJSON_AddNumberToObject(o, "received", (double)eq->c.received);
	cJSON_AddNumberToObject(o, "errors", (double)eq->c.errors);
	cJSON_AddNumberToObject(o, "ignored", (double)eq->c.ignored);
	cJSON_AddNumberToObject(o, "truncated", (double)eq->c.truncated);
	cJSON_AddNumberToObject(o, "blocks", (double)eq->c.blocks);
	cJSON_AddNumberToObject(o, "no_srcip", (double)eq->c.no_srcip);
	cJSON_AddNumberToObject(o, "scripts", (double)eq->c.scripts);
	cJSON_AddNumberToObject(o, "restarts", (double)eq->c.restarts);
	/* Both ways: the second copy may be the datagram or the alerts.json line. */
	cJSON_AddNumberToObject(o, "seen_twice", (double)d->r.c.seen_twice);
	cJSON_AddNumberToObject(o, "ar_conf_reads", execq_table_reads(eq->t));
}
