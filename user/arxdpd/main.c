// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains arxdpd, the controller: it follows alerts.json, runs every alert through
 * the matching engine that `arxdp replay` uses, turns fast-path responses into map writes and
 * runs the other commands as Wazuh's execd would, writes active-responses.log as firewall-drop
 * would, sweeps expired blocks, persists its state, and answers the control socket.
 *
 * One epoll loop with signalfd, timerfd and inotify, and no library beyond libc for it: the
 * loop has five sources, sd-event would add a dependency and an allocation model for nothing,
 * and signalfd keeps every handler out of async-signal context (SIGCHLD included).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/capability.h>
#include <cjson/cJSON.h>
#include "alert.h"
#include "arlog.h"
#include "arproto.h"
#include "blocklist.h"
#include "btable.h"
#include "config.h"
#include "ctl.h"
#include "loader.h"
#include "log.h"
#include "match.h"
#include "metrics.h"
#include "pindir.h"
#include "runner.h"
#include "sbuf.h"
#include "settings.h"
#include "state.h"
#include "tail.h"
#include "util.h"

#define SWEEP_BUDGET 131072 /* entries scanned per tick: a million-entry pass takes 8 s */
#define SAVE_MIN_INTERVAL_NS (NSEC_PER_SEC / 2)
#define SAVE_BURST_INTERVAL_NS (5 * NSEC_PER_SEC) /* while alerts keep coming */
#define SAVE_QUIET_NS (NSEC_PER_SEC / 10) /* no alert for this long: a quiet moment */
#define ARLOG_FLUSH_AT (256 << 10) /* bytes of buffered log lines that trigger a write */
#define MAX_DECISIONS 256
#define BURST_LOCK_LINES 1024
#define POLL_LINE_BUDGET 4096 /* alerts per poll before the loop looks at its other sources */

enum src_kind { SRC_SIGNAL = 1, SRC_TIMER, SRC_INOTIFY, SRC_CTL, SRC_METRICS };

struct src {
	int magic_not_job; /* never JOB magic: tells our sources from runner jobs */
	enum src_kind kind;
};

static struct src src_signal = { 0, SRC_SIGNAL }, src_timer = { 0, SRC_TIMER },
		  src_inotify = { 0, SRC_INOTIFY }, src_ctl = { 0, SRC_CTL },
		  src_metrics = { 0, SRC_METRICS };

struct counters {
	uint64_t alerts, bad_lines, long_lines;
	uint64_t decisions[3]; /* by enum match_action */
	uint64_t skips[16]; /* by enum match_reason */
	uint64_t blocked, extended, duplicates, refused, map_full, write_errors;
	uint64_t expired, unblocked;
	uint64_t reloads, reload_errors, state_errors;
};

struct opts {
	const char *config;
	bool foreground, check_only, from_start, unblock_on_exit, verbose2;
	int verbose;
};

static struct daemon {
	struct opts o;
	struct arxdp_settings s;
	struct ossec_config *cfg;
	struct offender_table *off;
	struct btable *bt;
	struct pending_delete *pending;
	struct blocklist bl;
	struct tail tail;
	struct runner *runner;
	struct arxdp_addr *own;
	size_t n_own;
	int epfd, sigfd, timerfd, inofd, ctlfd, lockfd, arlog_fd, metricsfd;
	uint64_t ticks;
	bool metrics_file_failed;
	struct sbuf arlog; /* lines not yet written; the buffer is kept between writes */
	struct sbuf compact; /* compact_alert()'s scratch, kept between blocks */
	uint64_t arlog_ino;
	bool dirty, scripts_queued, stop, map_full_burst, burst_locked;
	pid_t saver_pid;
	unsigned int burst_lines;
	uint64_t last_save_mono, start_mono, last_alert_mono;
	uint64_t blog_sec; /* block_log_ok(): the second counted, lines logged, lines left out */
	unsigned int blog_n, blog_quiet;
	struct counters c;
	char ossec_loaded[64];
	enum arxdp_xdp_mode used_mode[ARXDP_MAX_IFACES];
} d = { .epfd = -1,
	.sigfd = -1,
	.timerfd = -1,
	.inofd = -1,
	.ctlfd = -1,
	.lockfd = -1,
	.arlog_fd = -1,
	.metricsfd = -1 };

/* ---- active-responses.log: firewall-drop's lines, buffered per burst ---- */

static void arlog_flush(void)
{
	struct stat st;
	int err;

	if (!d.arlog.len)
		goto out;
	/* Reopen when logrotate moved the file away, as a per-line open would. */
	if (d.arlog_fd >= 0 && (stat(d.s.ar_log, &st) || (uint64_t)st.st_ino != d.arlog_ino)) {
		close(d.arlog_fd);
		d.arlog_fd = -1;
	}
	if (d.arlog_fd < 0) {
		d.arlog_fd = open(d.s.ar_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
		if (d.arlog_fd < 0) {
			/* Like Wazuh: a log that cannot be opened loses the lines, nothing else. */
			pr_debug("active-responses.log '%s': cannot open: %s", d.s.ar_log,
				 strerror(errno));
			goto out;
		}
		if (!fstat(d.arlog_fd, &st))
			d.arlog_ino = st.st_ino;
	}
	err = write_all(d.arlog_fd, d.arlog.p, d.arlog.len);
	if (err)
		pr_warn("active-responses.log '%s': write failed: %s", d.s.ar_log, strerror(-err));
out:
	if (d.arlog.oom)
		pr_warn("active-responses.log '%s': no memory for its lines: some were lost",
			d.s.ar_log);
	d.arlog.len = 0;
	d.arlog.oom = false;
}

/* Starts a line as firewall-drop's log writes it, with argv[0] as execd passes it. */
static void arlog_begin(const char *exe)
{
	static char ts[ARLOG_TS_MAX];
	static time_t ts_at = -1;
	time_t now = time(NULL);

	/* localtime_r per line would cost more than the rest of the line: once a second. */
	if (now != ts_at && !arlog_timestamp(now, ts, sizeof(ts)))
		ts_at = now;
	sb_str(&d.arlog, ts);
	sb_str(&d.arlog, " active-response/bin/");
	sb_str(&d.arlog, exe);
	sb_add(&d.arlog, ": ", 2);
}

static void arlog_end(void)
{
	sb_add(&d.arlog, "\n", 1);
	if (d.arlog.len >= ARLOG_FLUSH_AT)
		arlog_flush();
}

static void arlog_line(const char *exe, const char *msg)
{
	arlog_begin(exe);
	sb_str(&d.arlog, msg);
	arlog_end();
}

/* ---- helpers ---- */

/*
 * Per-block lines of the daemon's own log (syslog): at most BLOCK_LOG_PER_SEC a second, then
 * one line with how many were left out. A burst of 100,000 blocks must not become 100,000
 * syslog messages; active-responses.log keeps every block anyway. -v logs all of them.
 */
#define BLOCK_LOG_PER_SEC 100

static void block_log_summary(uint64_t sec)
{
	if (sec == d.blog_sec)
		return;
	if (d.blog_quiet)
		pr_info("%u more block and unblock lines in the last second not logged here "
			"(active-responses.log has each one)",
			d.blog_quiet);
	d.blog_sec = sec;
	d.blog_n = d.blog_quiet = 0;
}

static bool block_log_ok(void)
{
	block_log_summary(mono_now_ns() / NSEC_PER_SEC);
	if (log_get_level() >= LOG_LEVEL_DEBUG || d.blog_n < BLOCK_LOG_PER_SEC) {
		d.blog_n++;
		return true;
	}
	d.blog_quiet++;
	return false;
}

static int split_extra(const struct ossec_command *cmd, char *buf, size_t len, const char **argv,
		       int max)
{
	char *tok, *save = NULL;
	int n = 0;

	if (!cmd->extra_args)
		return 0;
	str_copy(buf, cmd->extra_args, len);
	/* execd splits on single spaces with strtok: empty tokens vanish. */
	for (tok = strtok_r(buf, " ", &save); tok && n < max; tok = strtok_r(NULL, " ", &save))
		argv[n++] = tok;
	return n;
}

/* execd's message around an alert line, as arproto builds it for every caller. */
static void execd_wrap(struct sbuf *b, const struct ossec_command *cmd, const char *verb,
		       const char *alert, size_t alert_len)
{
	const char *extra[64];
	char buf[4096], program[PATH_MAX];
	int n = split_extra(cmd, buf, sizeof(buf), extra, 64);

	snprintf(program, sizeof(program), "active-response/bin/%s", cmd->executable);
	arproto_execd_msg_sb(b, d.cfg && d.cfg->node_name ? d.cfg->node_name : "undefined", verb,
			     alert, alert_len, extra, n, program);
}

/* A line holding execd's message, then the blank line firewall-drop's copy of its input
 * leaves (the message ends in a newline). */
static void arlog_execd(const struct ossec_command *cmd, const char *verb, const char *alert,
			size_t alert_len)
{
	arlog_begin(cmd->executable);
	execd_wrap(&d.arlog, cmd, verb, alert, alert_len);
	sb_add(&d.arlog, "\n", 1);
	arlog_end();
}

static void sb_field(struct sbuf *b, const cJSON *o, const char *k, bool *first)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!v || (!cJSON_IsString(v) && !cJSON_IsNumber(v)))
		return;
	sb_str(b, *first ? "" : ",");
	*first = false;
	sb_json(b, k);
	sb_add(b, ":", 1);
	if (cJSON_IsString(v)) {
		sb_json(b, v->valuestring);
	} else {
		char num[32];

		snprintf(num, sizeof(num), "%.17g", v->valuedouble);
		sb_str(b, num);
	}
}

/* What the delete line needs of the alert, kept per block instead of the whole alert:
 * timestamp, rule id/level/description, agent, id and the address fields. */
static char *compact_alert(const cJSON *a)
{
	/* Built in a buffer kept between blocks, then copied once at its size: growing a fresh
	 * buffer per block made malloc's realloc path a fifth of the daemon's time. */
	struct sbuf *b = &d.compact;
	char *out;
	const cJSON *rule = cJSON_GetObjectItemCaseSensitive(a, "rule");
	const cJSON *agent = cJSON_GetObjectItemCaseSensitive(a, "agent");
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(a, "data");
	const cJSON *win = data ? cJSON_GetObjectItemCaseSensitive(data, "win") : NULL;
	const cJSON *ev = win ? cJSON_GetObjectItemCaseSensitive(win, "eventdata") : NULL;
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(a, "source");
	bool first = true, f2;

	sb_add(b, "{", 1);
	sb_field(b, a, "timestamp", &first);
	if (cJSON_IsObject(rule)) {
		sb_str(b, first ? "\"rule\":{" : ",\"rule\":{");
		first = false;
		f2 = true;
		sb_field(b, rule, "level", &f2);
		sb_field(b, rule, "description", &f2);
		sb_field(b, rule, "id", &f2);
		sb_add(b, "}", 1);
	}
	if (cJSON_IsObject(agent)) {
		sb_str(b, first ? "\"agent\":{" : ",\"agent\":{");
		first = false;
		f2 = true;
		sb_field(b, agent, "id", &f2);
		sb_field(b, agent, "name", &f2);
		sb_add(b, "}", 1);
	}
	sb_field(b, a, "id", &first);
	if (cJSON_IsObject(data)) {
		sb_str(b, first ? "\"data\":{" : ",\"data\":{");
		first = false;
		f2 = true;
		sb_field(b, data, "srcip", &f2);
		if (cJSON_IsObject(ev)) {
			sb_str(b, f2 ? "\"win\":{\"eventdata\":{" : ",\"win\":{\"eventdata\":{");
			f2 = false;
			{
				bool f3 = true;

				sb_field(b, ev, "ipAddress", &f3);
				sb_field(b, ev, "destinationIp", &f3);
			}
			sb_str(b, "}}");
		}
		sb_add(b, "}", 1);
	}
	if (cJSON_IsObject(src)) {
		sb_str(b, first ? "\"source\":{" : ",\"source\":{");
		first = false;
		f2 = true;
		sb_field(b, src, "ip", &f2);
		sb_add(b, "}", 1);
	}
	sb_add(b, "}", 1);
	out = b->oom ? NULL : malloc(b->len + 1);
	if (out)
		memcpy(out, b->p, b->len + 1);
	b->len = 0;
	b->oom = false;
	return out;
}

static const struct ossec_command *find_cmd_by_exe(const char *exe)
{
	size_t i;

	for (i = 0; d.cfg && i < d.cfg->n_cmds; i++)
		if (!strcmp(d.cfg->cmds[i].executable, exe))
			return &d.cfg->cmds[i];
	return NULL;
}

/* firewall-drop's delete sequence for a block that ended. */
static void log_delete(const struct bmeta *m, const struct arxdp_addr *a)
{
	const char *exe = m && m->exe[0] ? m->exe : "firewall-drop";
	const struct ossec_command *cmd = find_cmd_by_exe(exe);
	struct ossec_command fallback = { .executable = (char *)exe };
	struct sbuf alert = {};
	char buf[ADDR_STRLEN];

	if (!cmd)
		cmd = &fallback;
	if (m && m->alert) {
		sb_str(&alert, m->alert);
	} else {
		/* A block we know nothing about (CLI, firewall-drop): the address at least. */
		sb_str(&alert, "{\"data\":{\"srcip\":");
		sb_json(&alert, addr_format(a, buf, sizeof(buf)));
		sb_str(&alert, "}}");
	}
	arlog_line(exe, "Starting");
	if (!alert.oom)
		arlog_execd(cmd, "delete", alert.p, alert.len);
	arlog_line(exe, "Ended");
	free(alert.p);
}

static void log_add(const struct ossec_command *cmd, const char *alert, size_t alert_len,
		    const char *addr, bool extended)
{
	const char *exe = cmd->executable, *keys[1] = { addr };

	/* Built straight into the log buffer: this runs once per block of a burst. */
	arlog_line(exe, "Starting");
	arlog_execd(cmd, "add", alert, alert_len);
	arlog_begin(exe);
	arproto_check_keys_sb(&d.arlog, exe, keys, 1);
	arlog_end();
	arlog_execd(cmd, extended ? "abort" : "continue", alert, alert_len);
	arlog_line(exe, extended ? "Aborted" : "Ended");
}
static int load_own_addrs(void)
{
	struct arxdp_addr *own;
	size_t n;
	int err = bl_host_addrs(&own, &n);

	if (err)
		return err;
	free(d.own);
	d.own = own;
	d.n_own = n;
	return 0;
}

/* ---- applying decisions ---- */

static void apply_block(const struct match_decision *dec, const struct alert *a, uint64_t seq,
			const char *line, size_t len)
{
	struct bl_reason why = { .rule_id = (uint32_t)a->rule_num,
				 .level = (uint8_t)(a->level > 255 ? 255 : a->level),
				 .origin = ARXDP_ORIGIN_ALERT,
				 .seq = seq };
	const struct ossec_command *cmd = dec->ar->cmd;
	char buf[ADDR_STRLEN], dur[32];
	struct arxdp_block v;
	enum bl_result res;
	struct bmeta *m;
	int err;

	addr_format(&dec->addr, buf, sizeof(buf));
	err = bl_block(&d.bl, &dec->addr, dec->timeout, &why, &res, &v);
	if (err == -ENOSPC) {
		d.c.map_full++;
		/* The map's message came once from bl_block; this one says what happens next. */
		if (!d.map_full_burst)
			pr_warn("block '%s': map full: further blocks of this burst are counted "
				"(arxdp status), not logged; existing blocks stay",
				buf);
		d.map_full_burst = true;
		return;
	}
	if (err == -EPERM) {
		d.c.refused++;
		return;
	}
	if (err) {
		d.c.write_errors++;
		pr_warn("block '%s': map write failed: %s", buf, strerror(-err));
		return;
	}
	m = btable_upsert(d.bt, &dec->addr);
	if (m) {
		str_copy(m->exe, cmd->executable, sizeof(m->exe));
		m->timeout_s = v.timeout_s;
		m->expires_wall_ns =
			v.expires_ns ? wall_now_ns() + (v.expires_ns - mono_now_ns()) : 0;
		m->added_wall_ns = v.added_ns;
		m->rule_id = v.rule_id;
		m->level = v.level;
		m->origin = v.origin;
		m->offenses = v.offenses;
		m->seq = v.seq;
		bmeta_take_alert(m, compact_alert(a->root));
	}
	d.dirty = true;
	if (res == BL_DUPLICATE) {
		d.c.duplicates++;
		return;
	}
	log_add(cmd, line, len, buf, res == BL_EXTENDED);
	if (res == BL_EXTENDED) {
		d.c.extended++;
		if (block_log_ok())
			pr_info("block %s: extended by rule %s level %d (%s), %s, offense %u", buf,
				a->rule_id, a->level, dec->ar->name,
				duration_format(v.expires_ns ? v.timeout_s : 0, dur, sizeof(dur)),
				v.offenses);
	} else {
		d.c.blocked++;
		if (block_log_ok())
			pr_info("block %s: rule %s level %d (%s), %s", buf, a->rule_id, a->level,
				dec->ar->name,
				duration_format(v.expires_ns ? v.timeout_s : 0, dur, sizeof(dur)));
	}
}

static void apply_script(const struct match_decision *dec, const char *line, size_t len)
{
	struct sbuf b = {};
	char *json;

	execd_wrap(&b, dec->ar->cmd, "add", line, len);
	json = b.oom ? NULL : b.p;
	if (!json) {
		free(b.p);
		pr_warn("active response '%s': no memory for its message", dec->ar->name);
		return;
	}
	if (!runner_add(d.runner, dec->ar->cmd->executable, json, dec->timeout))
		d.scripts_queued = true;
}

static int on_line(const char *line, size_t len, const struct tail_pos *at, bool too_long,
		   void *ctx)
{
	struct match_decision dec[MAX_DECISIONS];
	struct match_env env = {
		.cfg = d.cfg, .settings = &d.s, .own = d.own, .n_own = d.n_own, .offenders = d.off
	};
	struct alert a = {};
	char err[256];
	size_t n = 0, i;

	d.dirty = true;
	d.last_alert_mono = mono_now_ns();
	if (d.burst_locked && ++d.burst_lines % BURST_LOCK_LINES == 0) {
		bl_unlock(&d.bl);
		d.burst_locked = !bl_lock(&d.bl);
	}
	if (too_long) {
		d.c.long_lines++;
		pr_warn("alerts '%s' line %llu: longer than %d bytes: skipped", d.s.alerts,
			(unsigned long long)at->lineno, ALERT_LINE_MAX);
		return 0;
	}
	/* Trimmed: the line is embedded as it is in execd's messages and the log. */
	while (len && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
		len--;
	if (!len)
		return 0;
	if (alert_parse(&a, line, len, err, sizeof(err))) {
		d.c.bad_lines++;
		pr_warn("alerts '%s' line %llu: %s: skipped", d.s.alerts,
			(unsigned long long)at->lineno, err);
		return 0;
	}
	d.c.alerts++;
	if (match_alert(&env, &a, dec, MAX_DECISIONS, &n) == -ENOSPC)
		pr_warn("alerts '%s' line %llu: more than %d responses bound: the rest skipped",
			d.s.alerts, (unsigned long long)at->lineno, MAX_DECISIONS);
	for (i = 0; i < n; i++) {
		d.c.decisions[dec[i].action]++;
		switch (dec[i].action) {
		case MATCH_BLOCK:
			/* seq + 1: position 0 would mean "not from an alert". */
			apply_block(&dec[i], &a, at->seq + 1, line, len);
			break;
		case MATCH_SCRIPT:
			apply_script(&dec[i], line, len);
			break;
		default:
			if (dec[i].reason < ARRAY_SIZE(d.c.skips))
				d.c.skips[dec[i].reason]++;
			pr_debug("alert %s: %s skipped: %s", a.id ? a.id : "?", dec[i].ar->name,
				 match_reason_name(dec[i].reason));
			break;
		}
	}
	alert_free(&a);
	return 0;
}

/* ---- state ---- */

static void saver_done(int status)
{
	d.saver_pid = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		/* The child said why on stderr; the next save tries again. */
		d.c.state_errors++;
		d.dirty = true;
	}
}

/*
 * A snapshot is serialised in a forked child: fork copies the tables as they are between two
 * alerts (a consistent snapshot) and the loop goes on at once, however many blocks there are.
 * force: synchronous, after any running save; used before scripts start and at exit.
 */
static void save_state(bool force)
{
	uint64_t now = mono_now_ns();
	pid_t pid;
	int status, err;

	/* While alerts keep coming, a snapshot costs the loop more than it saves: fork copies
	 * the page tables (1-1.5 ms here at 10,000 blocks), during which the next alert waits,
	 * and every page the loop then writes faults to be copied. So snapshots wait for a quiet
	 * moment, or at most SAVE_BURST_INTERVAL_NS. That is safe: the snapshot's alert position
	 * and the seq stamped in each block make re-reading the alerts after a crash apply none
	 * twice and lose none. */
	bool busy = d.tail.more || now - d.last_alert_mono < SAVE_QUIET_NS;
	uint64_t every = busy ? SAVE_BURST_INTERVAL_NS : SAVE_MIN_INTERVAL_NS;

	/* A forced save first waits for a running one: at exit its snapshot must be on disk,
	 * and a failed one makes the state dirty again. */
	if (force && d.saver_pid > 0) {
		if (waitpid(d.saver_pid, &status, 0) == d.saver_pid)
			saver_done(status);
		d.saver_pid = 0;
	}
	if (!d.dirty || (!force && now - d.last_save_mono < every))
		return;
	if (d.saver_pid > 0)
		return; /* one at a time; still dirty, so the next tick saves */
	d.dirty = false;
	d.last_save_mono = now;
	if (!force) {
		fflush(stderr);
		pid = fork();
		if (pid == 0) {
			err = state_save(d.s.state_dir, &d.tail.pos, d.bt, d.off, d.pending);
			/* _exit skips stdio: the reason would stay in stderr's buffer. */
			fflush(stderr);
			_exit(err ? 1 : 0);
		}
		if (pid > 0) {
			d.saver_pid = pid;
			return;
		}
		pr_debug("state: fork failed (%s): saving in the loop", strerror(errno));
	}
	err = state_save(d.s.state_dir, &d.tail.pos, d.bt, d.off, d.pending);
	if (err) {
		d.c.state_errors++;
		d.dirty = true;
	}
}

/* Every child ends here: the state saver, or a script of the runner. */
static void reap_children(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == d.saver_pid)
			saver_done(status);
		else
			runner_child(d.runner, pid, status);
	}
}

static int reconcile_cb(struct bmeta *m, void *ctx)
{
	uint64_t now_wall = wall_now_ns(), now_mono = mono_now_ns();
	char buf[ADDR_STRLEN];
	struct arxdp_block v;

	addr_format(&m->addr, buf, sizeof(buf));
	if (!bl_get(&d.bl, &m->addr, &v)) {
		/* Still in the map: the map is the truth for its expiry and counts. */
		m->offenses = v.offenses;
		m->seq = v.seq;
		return 0;
	}
	if (m->expires_wall_ns && m->expires_wall_ns <= now_wall) {
		pr_info("block %s: expired while arxdpd was stopped: removed", buf);
		log_delete(m, &m->addr);
		d.c.expired++;
		btable_del(d.bt, &m->addr);
		return 0;
	}
	memset(&v, 0, sizeof(v));
	v.expires_ns = m->expires_wall_ns ? now_mono + (m->expires_wall_ns - now_wall) : 0;
	v.added_ns = m->added_wall_ns;
	v.seq = m->seq;
	v.timeout_s = m->timeout_s;
	v.rule_id = m->rule_id;
	v.level = m->level;
	v.origin = m->origin;
	v.offenses = m->offenses;
	if (bl_put(&d.bl, &m->addr, &v)) {
		pr_warn("block %s: cannot restore: kept in the state for the next start", buf);
		return 0;
	}
	pr_info("block %s: restored from the state (%llus left)", buf,
		m->expires_wall_ns ?
			(unsigned long long)((m->expires_wall_ns - now_wall) / NSEC_PER_SEC) :
			0ULL);
	return 0;
}

static int load_state(struct tail_pos *pos, bool *have_pos)
{
	char path[PATH_MAX], aside[PATH_MAX + 32];
	int err;

	if (mkdir(d.s.state_dir, 0700) && errno != EEXIST) {
		err = -errno;
		pr_warn("state directory '%s': cannot create: %s", d.s.state_dir, strerror(-err));
		return err;
	}
	err = state_load(d.s.state_dir, pos, have_pos, d.bt, d.off, &d.pending);
	if (err == -ENOENT)
		return 0;
	if (err == -EBADMSG) {
		/* Keep the evidence, start clean: the maps still hold every block. */
		if (pindir_path(path, sizeof(path), d.s.state_dir, STATE_FILE) ||
		    snprintf(aside, sizeof(aside), "%s.corrupt-%lld", path,
			     (long long)time(NULL)) >= (int)sizeof(aside))
			return -ENAMETOOLONG;
		rename(path, aside);
		pr_warn("state '%s': corrupt: moved to '%s'; starting without it", path, aside);
		*have_pos = false;
		return 0;
	}
	if (err) {
		pr_warn("state directory '%s': cannot load: %s", d.s.state_dir, strerror(-err));
		return err;
	}
	err = bl_lock(&d.bl);
	if (err)
		return err;
	btable_foreach(d.bt, reconcile_cb, NULL);
	bl_unlock(&d.bl);
	arlog_flush();
	return 0;
}

/* ---- sweeping ---- */

static void sweep_cb(const struct bl_entry *e, void *ctx)
{
	struct bmeta *m = btable_get(d.bt, &e->addr);
	char buf[ADDR_STRLEN];

	if (block_log_ok())
		pr_info("unblock %s: expired after %us (%llu packets dropped)",
			addr_format(&e->addr, buf, sizeof(buf)), e->v.timeout_s,
			(unsigned long long)e->dropped.packets);
	log_delete(m, &e->addr);
	if (m)
		btable_del(d.bt, &e->addr);
	d.c.expired++;
	d.dirty = true;
}

static void sweep(void)
{
	uint32_t n = 0;

	bl_sweep(&d.bl, mono_now_ns(), SWEEP_BUDGET, sweep_cb, NULL, &n);
	arlog_flush();
}

/* ---- configuration ---- */

static int load_ossec(struct ossec_config **out)
{
	char err[CONFIG_ERR_MAX];
	int r = config_load_ossec(out, d.s.ossec_conf, err, sizeof(err));

	if (r)
		pr_warn("%s", err[0] ? err : strerror(-r));
	return r;
}

static int reload(void)
{
	struct arxdp_settings ns;
	struct ossec_config *cfg = NULL;
	const char *path = config_settings_path(d.o.config);
	char err[CONFIG_ERR_MAX];
	int r;

	d.c.reloads++;
	ns = d.s; /* keep flags and what needs a restart; re-read the rest */
	if (path) {
		struct arxdp_settings fresh;

		settings_defaults(&fresh);
		r = config_load_settings(&fresh, path, err, sizeof(err));
		if (r) {
			pr_warn("reload: %s: keeping the running configuration", err);
			d.c.reload_errors++;
			return r;
		}
		memcpy(ns.fastpath, fresh.fastpath, sizeof(ns.fastpath));
		ns.n_fastpath = fresh.n_fastpath;
		ns.manager_in_all = fresh.manager_in_all;
		ns.script_concurrency = fresh.script_concurrency;
		ns.script_time_limit_s = fresh.script_time_limit_s;
		str_copy(ns.agent_id, fresh.agent_id, sizeof(ns.agent_id));
	}
	r = load_ossec(&cfg);
	if (r) {
		pr_warn("reload: ossec.conf '%s' is broken: keeping the running configuration",
			d.s.ossec_conf);
		d.c.reload_errors++;
		return r;
	}
	config_free_ossec(d.cfg);
	d.cfg = cfg;
	d.s = ns;
	d.metrics_file_failed = false;
	load_own_addrs();
	runner_reset_missing(d.runner);
	pr_info("reload: configuration re-read (%zu active responses)", d.cfg->n_ars);
	return 0;
}

/* ---- control socket ---- */

static cJSON *status_json(void)
{
	struct runner_stats rs;
	cJSON *o = cJSON_CreateObject(), *x;
	size_t i;

	runner_get_stats(d.runner, &rs);
	cJSON_AddStringToObject(o, "version", ARXDP_VERSION);
	cJSON_AddNumberToObject(o, "pid", getpid());
	cJSON_AddNumberToObject(o, "uptime",
				(double)((mono_now_ns() - d.start_mono) / NSEC_PER_SEC));
	cJSON_AddStringToObject(o, "alerts_file", d.s.alerts);
	cJSON_AddNumberToObject(o, "alerts_offset", (double)d.tail.pos.offset);
	cJSON_AddStringToObject(o, "ossec_conf", d.s.ossec_conf);
	cJSON_AddNumberToObject(o, "active_responses", d.cfg ? (double)d.cfg->n_ars : 0);
	cJSON_AddNumberToObject(o, "alerts_read", (double)d.c.alerts);
	cJSON_AddNumberToObject(o, "bad_lines", (double)(d.c.bad_lines + d.c.long_lines));
	x = cJSON_AddObjectToObject(o, "decisions");
	cJSON_AddNumberToObject(x, "block", (double)d.c.decisions[MATCH_BLOCK]);
	cJSON_AddNumberToObject(x, "script", (double)d.c.decisions[MATCH_SCRIPT]);
	cJSON_AddNumberToObject(x, "skip", (double)d.c.decisions[MATCH_SKIP]);
	x = cJSON_AddObjectToObject(o, "skips");
	for (i = 1; i < ARRAY_SIZE(d.c.skips); i++)
		if (d.c.skips[i])
			cJSON_AddNumberToObject(x, match_reason_name(i), (double)d.c.skips[i]);
	x = cJSON_AddObjectToObject(o, "blocks");
	cJSON_AddNumberToObject(x, "new", (double)d.c.blocked);
	cJSON_AddNumberToObject(x, "extended", (double)d.c.extended);
	cJSON_AddNumberToObject(x, "duplicates", (double)d.c.duplicates);
	cJSON_AddNumberToObject(x, "refused", (double)d.c.refused);
	cJSON_AddNumberToObject(x, "expired", (double)d.c.expired);
	cJSON_AddNumberToObject(x, "unblocked", (double)d.c.unblocked);
	cJSON_AddNumberToObject(x, "tracked", (double)btable_size(d.bt));
	x = cJSON_AddObjectToObject(o, "errors");
	cJSON_AddNumberToObject(x, "map_full", (double)d.c.map_full);
	cJSON_AddNumberToObject(x, "map_write", (double)d.c.write_errors);
	cJSON_AddNumberToObject(x, "state", (double)d.c.state_errors);
	cJSON_AddNumberToObject(x, "reload", (double)d.c.reload_errors);
	x = cJSON_AddObjectToObject(o, "scripts");
	cJSON_AddNumberToObject(x, "started", (double)rs.started);
	cJSON_AddNumberToObject(x, "running", rs.running);
	cJSON_AddNumberToObject(x, "queued", rs.queued);
	cJSON_AddNumberToObject(x, "stateful", (double)rs.stateful);
	cJSON_AddNumberToObject(x, "stateless", (double)rs.stateless);
	cJSON_AddNumberToObject(x, "aborted", (double)rs.aborted);
	cJSON_AddNumberToObject(x, "deletes", (double)rs.deletes);
	cJSON_AddNumberToObject(x, "killed", (double)rs.killed);
	cJSON_AddNumberToObject(x, "failed", (double)rs.failed);
	{
		size_t np = 0;
		struct pending_delete *p;

		for (p = d.pending; p; p = p->next)
			np++;
		cJSON_AddNumberToObject(x, "pending_deletes", (double)np);
	}
	return o;
}

static cJSON *ctl_error(const char *msg)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddBoolToObject(o, "ok", false);
	cJSON_AddStringToObject(o, "error", msg);
	return o;
}

static cJSON *ctl_block(const cJSON *req, bool unblock)
{
	const cJSON *addr = cJSON_GetObjectItemCaseSensitive(req, "addr");
	const cJSON *to = cJSON_GetObjectItemCaseSensitive(req, "timeout");
	const cJSON *rule = cJSON_GetObjectItemCaseSensitive(req, "rule_id");
	const cJSON *lvl = cJSON_GetObjectItemCaseSensitive(req, "level");
	struct bl_reason why = { .origin = ARXDP_ORIGIN_CLI };
	const struct ossec_command *cmd = find_cmd_by_exe("firewall-drop");
	struct ossec_command fallback = { .executable = "firewall-drop" };
	char err[160], buf[ADDR_STRLEN], dur[32], msg[256], *txt;
	cJSON *alert;
	struct arxdp_addr a;
	struct arxdp_block v;
	enum bl_result res;
	struct bmeta *m;
	cJSON *o;
	int r;

	const cJSON *pin = cJSON_GetObjectItemCaseSensitive(req, "pin_dir");

	/* A CLI working on other maps must not have its block land in ours. */
	if (cJSON_IsString(pin) && strcmp(pin->valuestring, d.s.pin_dir)) {
		o = ctl_error("pin directory differs from arxdpd's");
		cJSON_AddBoolToObject(o, "pin_dir_mismatch", true);
		return o;
	}
	if (!cJSON_IsString(addr) || addr_parse(addr->valuestring, &a, err, sizeof(err)))
		return ctl_error(cJSON_IsString(addr) ? err : "request: 'addr' missing");
	addr_format(&a, buf, sizeof(buf));
	if (unblock) {
		r = bl_unblock(&d.bl, &a);
		if (r) {
			snprintf(msg, sizeof(msg), "unblock '%s': %s", buf,
				 r == -ENOENT ? "not blocked" : strerror(-r));
			return ctl_error(msg);
		}
		m = btable_get(d.bt, &a);
		log_delete(m, &a);
		arlog_flush();
		if (m)
			btable_del(d.bt, &a);
		d.c.unblocked++;
		d.dirty = true;
		pr_info("unblock %s: by the operator", buf);
		o = cJSON_CreateObject();
		cJSON_AddBoolToObject(o, "ok", true);
		cJSON_AddStringToObject(o, "unblocked", buf);
		return o;
	}
	if (cJSON_IsNumber(rule) && rule->valuedouble >= 0)
		why.rule_id = (uint32_t)rule->valuedouble;
	if (cJSON_IsNumber(lvl) && lvl->valuedouble >= 0 && lvl->valuedouble <= 16)
		why.level = (uint8_t)lvl->valuedouble;
	r = bl_block(&d.bl, &a, cJSON_IsNumber(to) ? (uint32_t)to->valuedouble : 0, &why, &res, &v);
	if (r) {
		snprintf(msg, sizeof(msg), "block '%s': %s", buf,
			 r == -ENOSPC ? "map full" :
			 r == -EPERM  ? "refused: never-blocked address" :
					strerror(-r));
		return ctl_error(msg);
	}
	/* Logged as firewall-drop would log it, with an alert that names only the address. */
	alert = cJSON_CreateObject();
	if (alert) {
		cJSON *data = cJSON_AddObjectToObject(alert, "data");

		if (why.rule_id) {
			cJSON *r = cJSON_AddObjectToObject(alert, "rule");
			char id[16];

			snprintf(id, sizeof(id), "%u", why.rule_id);
			cJSON_AddNumberToObject(r, "level", why.level);
			cJSON_AddStringToObject(r, "id", id);
		}
		cJSON_AddStringToObject(data, "srcip", buf);
	}
	txt = alert ? cJSON_PrintUnformatted(alert) : NULL;
	if (txt) {
		log_add(cmd ? cmd : &fallback, txt, strlen(txt), buf, res == BL_EXTENDED);
		arlog_flush();
	}
	m = btable_upsert(d.bt, &a);
	if (m) {
		bmeta_take_alert(m, txt);
		txt = NULL;
		str_copy(m->exe, "firewall-drop", sizeof(m->exe));
		m->timeout_s = v.timeout_s;
		m->expires_wall_ns =
			v.expires_ns ? wall_now_ns() + (v.expires_ns - mono_now_ns()) : 0;
		m->added_wall_ns = v.added_ns;
		m->rule_id = v.rule_id;
		m->level = v.level;
		m->origin = v.origin;
		m->offenses = v.offenses;
	}
	d.dirty = true;
	pr_info("block %s: by the operator, %s", buf,
		duration_format(v.expires_ns ? v.timeout_s : 0, dur, sizeof(dur)));
	o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "ok", true);
	cJSON_AddStringToObject(o, "addr", buf);
	cJSON_AddBoolToObject(o, "extended", res == BL_EXTENDED);
	cJSON_AddNumberToObject(o, "offenses", v.offenses);
	if (v.expires_ns)
		cJSON_AddNumberToObject(o, "expires_in", v.timeout_s);
	else
		cJSON_AddNullToObject(o, "expires_in");
	cJSON_Delete(alert);
	free(txt);
	return o;
}

static void handle_ctl(void)
{
	char buf[CTL_MSG_MAX];
	cJSON *req = NULL, *reply = NULL;
	const cJSON *cmd;
	char *s;
	int fd;

	for (;;) {
		fd = accept4(d.ctlfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (ctl_read_request(fd, buf, sizeof(buf))) {
			close(fd);
			continue;
		}
		req = cJSON_Parse(buf);
		cmd = req ? cJSON_GetObjectItemCaseSensitive(req, "cmd") : NULL;
		if (!cJSON_IsString(cmd)) {
			reply = ctl_error("request: not JSON with a 'cmd'");
		} else if (!strcmp(cmd->valuestring, "status")) {
			reply = cJSON_CreateObject();
			cJSON_AddBoolToObject(reply, "ok", true);
			cJSON_AddItemToObject(reply, "daemon", status_json());
		} else if (!strcmp(cmd->valuestring, "reload")) {
			int r = reload();

			reply = r ? ctl_error("reload failed: the running configuration stays; "
					      "see the daemon's log") :
				    cJSON_CreateObject();
			if (!r)
				cJSON_AddBoolToObject(reply, "ok", true);
		} else if (!strcmp(cmd->valuestring, "block")) {
			reply = ctl_block(req, false);
		} else if (!strcmp(cmd->valuestring, "unblock")) {
			reply = ctl_block(req, true);
		} else {
			reply = ctl_error("request: unknown 'cmd'");
		}
		s = reply ? cJSON_PrintUnformatted(reply) : NULL;
		if (s)
			ctl_send(fd, s);
		free(s);
		cJSON_Delete(reply);
		cJSON_Delete(req);
		reply = req = NULL;
		close(fd);
		save_state(true);
	}
}

/* ---- the loop ---- */

static void poll_alerts(void)
{
	int err;

	d.map_full_burst = false;
	d.bl.full_reported = false;
	/* One pin-directory lock per slice of a burst, not one per alert; released every
	 * BURST_LOCK_LINES so firewall-drop and the CLI never wait behind a long burst. */
	if (!bl_lock(&d.bl))
		d.burst_locked = true;
	err = tail_poll(&d.tail, on_line, NULL);
	if (d.burst_locked)
		bl_unlock(&d.bl);
	d.burst_locked = false;
	if (err)
		pr_warn("alerts '%s': read failed: %s", d.s.alerts, strerror(-err));
	arlog_flush();
	/* Scripts start only after the snapshot that includes their alerts: a crash never
	 * runs them twice. */
	if (d.scripts_queued) {
		save_state(true);
		d.scripts_queued = false;
		if (runner_tick(d.runner, wall_now_ns()))
			d.dirty = true;
	} else {
		save_state(false);
	}
}

static void watch_alerts_dir(void)
{
	char dir[PATH_MAX];

	str_copy(dir, d.s.alerts, sizeof(dir));
	/* The directory, not the file: rotation re-creates the file under the same name. */
	if (inotify_add_watch(d.inofd, dirname(dir),
			      IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM |
				      IN_CLOSE_WRITE | IN_ATTRIB) < 0)
		pr_debug("alerts '%s': cannot watch its directory (%s): polling once a second",
			 d.s.alerts, strerror(errno));
}

static void handle_signals(void)
{
	struct signalfd_siginfo si;

	while (read(d.sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			reap_children();
			break;
		case SIGHUP:
			reload();
			break;
		default:
			pr_info("signal %d: stopping", si.ssi_signo);
			d.stop = true;
			break;
		}
	}
}

#define METRICS_FILE_EVERY 15 /* seconds between textfile rewrites */

static int render_metrics(FILE *out, void *ctx)
{
	cJSON *st = status_json();
	int err = metrics_render(out, &d.bl, d.s.pin_dir, st);

	cJSON_Delete(st);
	return err;
}

static void write_metrics_file(void)
{
	int err;

	if (!d.s.metrics_textfile[0] || d.metrics_file_failed)
		return;
	err = metrics_write_textfile(d.s.metrics_textfile, render_metrics, NULL);
	if (err) {
		/* Said once: a host without node-exporter is normal, not an error per tick. */
		pr_info("metrics textfile '%s': cannot write (%s): not writing it any more until "
			"a reload",
			d.s.metrics_textfile, strerror(-err));
		d.metrics_file_failed = true;
	}
}

static void tick(void)
{
	uint64_t expirations;

	if (read(d.timerfd, &expirations, sizeof(expirations)) < 0)
		return;
	if (runner_tick(d.runner, wall_now_ns()))
		d.dirty = true;
	reap_children();
	block_log_summary(mono_now_ns() / NSEC_PER_SEC);
	sweep();
	poll_alerts();
	save_state(false);
	if (++d.ticks % METRICS_FILE_EVERY == 1)
		write_metrics_file();
}

/*
 * After start-up the daemon needs only what its loop does: map writes through fds it already
 * holds (no capability), XDP and BPF for a later load and attach (CAP_NET_ADMIN, CAP_BPF,
 * CAP_PERFMON; our own program is recognised through its pin, without CAP_SYS_ADMIN), reading
 * Wazuh's files owned by the wazuh user and writing its logs (CAP_DAC_READ_SEARCH,
 * CAP_DAC_OVERRIDE), and stopping the scripts it started (CAP_KILL). Everything else leaves
 * the effective and permitted sets. The bounding set stays whole on purpose: scripts run as
 * root exactly as wazuh-execd runs them, and a root exec regains the bounding set.
 */
static int drop_capabilities(void)
{
	static const cap_value_t keep[] = { CAP_BPF,	      CAP_PERFMON,	   CAP_NET_ADMIN,
					    CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_KILL };
	cap_t cur = cap_get_proc(), caps = cap_init();
	cap_flag_value_t have;
	size_t i;
	int err = 0;

	if (!cur || !caps) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(keep); i++) {
		/* Keep only what we hold: asking for more would make cap_set_proc fail. */
		if (cap_get_flag(cur, keep[i], CAP_PERMITTED, &have) || have != CAP_SET)
			continue;
		cap_set_flag(caps, CAP_EFFECTIVE, 1, &keep[i], CAP_SET);
		cap_set_flag(caps, CAP_PERMITTED, 1, &keep[i], CAP_SET);
	}
	if (cap_set_proc(caps)) {
		err = -errno;
		pr_warn("capabilities: cannot drop: %s", strerror(-err));
	}
out:
	cap_free(cur);
	cap_free(caps);
	return err;
}

static void notify_systemd(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, path, strlen(path));
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0'; /* abstract namespace */
	len = offsetof(struct sockaddr_un, sun_path) + strlen(path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&sa, len);
	close(fd);
}

static int setup_loop(void)
{
	struct itimerspec its = { .it_interval = { 1, 0 }, .it_value = { 1, 0 } };
	struct epoll_event ev;
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGQUIT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d.sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	d.timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	d.inofd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	d.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d.sigfd < 0 || d.timerfd < 0 || d.inofd < 0 || d.epfd < 0)
		return -errno;
	timerfd_settime(d.timerfd, 0, &its, NULL);
	watch_alerts_dir();
	ev.events = EPOLLIN;
	ev.data.ptr = &src_signal;
	epoll_ctl(d.epfd, EPOLL_CTL_ADD, d.sigfd, &ev);
	ev.data.ptr = &src_timer;
	epoll_ctl(d.epfd, EPOLL_CTL_ADD, d.timerfd, &ev);
	ev.data.ptr = &src_inotify;
	epoll_ctl(d.epfd, EPOLL_CTL_ADD, d.inofd, &ev);
	d.ctlfd = ctl_listen(d.s.socket_path);
	if (d.ctlfd < 0)
		return d.ctlfd;
	ev.data.ptr = &src_ctl;
	epoll_ctl(d.epfd, EPOLL_CTL_ADD, d.ctlfd, &ev);
	if (d.s.metrics_port) {
		d.metricsfd = metrics_http_listen("127.0.0.1", (uint16_t)d.s.metrics_port);
		if (d.metricsfd < 0)
			return d.metricsfd;
		ev.data.ptr = &src_metrics;
		epoll_ctl(d.epfd, EPOLL_CTL_ADD, d.metricsfd, &ev);
		pr_info("metrics: serving http://127.0.0.1:%u/metrics", d.s.metrics_port);
	}
	return 0;
}

static void run_loop(void)
{
	struct epoll_event evs[64];
	char ibuf[4096];
	int i, n;

	while (!d.stop) {
		/* Lines left by the per-poll budget: look at the other sources, then go on. */
		n = epoll_wait(d.epfd, evs, ARRAY_SIZE(evs), d.tail.more ? 0 : -1);
		if (n < 0 && errno == EINTR)
			continue;
		for (i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;

			if (runner_owns(p)) {
				runner_event(d.runner, p, evs[i].events);
				continue;
			}
			switch (((struct src *)p)->kind) {
			case SRC_SIGNAL:
				handle_signals();
				break;
			case SRC_TIMER:
				tick();
				break;
			case SRC_INOTIFY:
				while (read(d.inofd, ibuf, sizeof(ibuf)) > 0)
					;
				poll_alerts();
				break;
			case SRC_CTL:
				handle_ctl();
				break;
			case SRC_METRICS:
				metrics_http_serve(d.metricsfd, render_metrics, NULL);
				break;
			}
		}
		if (d.tail.more)
			poll_alerts();
		fflush(stderr);
	}
}

/* execd's shutdown behaviour, on request: every response is undone before exit. */
static int unblock_cb(struct bmeta *m, void *ctx)
{
	char buf[ADDR_STRLEN];

	if (m->origin == ARXDP_ORIGIN_ALERT && !bl_unblock(&d.bl, &m->addr)) {
		log_delete(m, &m->addr);
		pr_info("unblock %s: shutting down with --unblock-on-exit",
			addr_format(&m->addr, buf, sizeof(buf)));
		btable_del(d.bt, &m->addr);
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
		"              [--no-block-counters] [--metrics-textfile PATH] [--metrics-port N]\n\n"
		"Follows Wazuh's alerts.json and turns active responses into XDP drops.\n"
		"  -f  stay in the foreground, log to stderr      -n  check the configuration, exit\n"
		"  -v  more log output (-vv: libbpf's too)\n"
		"Settings come from arxdp.conf (--config, $ARXDP_CONF or %s);\n"
		"every flag overrides the file. SIGHUP reloads, SIGTERM stops and keeps every block.\n",
		ARXDP_CONF_DEFAULT);
}

enum {
	OPT_CONFIG = 256,
	OPT_OSSEC,
	OPT_ALERTS,
	OPT_HOME,
	OPT_IFACE,
	OPT_MODE,
	OPT_PIN,
	OPT_STATE,
	OPT_SOCKET,
	OPT_ARLOG,
	OPT_FROM_START,
	OPT_UNBLOCK,
	OPT_DRY,
	OPT_AGENT,
	OPT_CAP4,
	OPT_CAP6,
	OPT_CIDR,
	OPT_CONC,
	OPT_TLIMIT,
	OPT_MIA,
	OPT_NODISP,
	OPT_PRIO,
	OPT_NOBC,
	OPT_MFILE,
	OPT_MPORT,
};

static int parse_num(const char *opt, const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > UINT32_MAX) {
		fprintf(stderr, "arxdpd: %s '%s': not a number\n", opt, s);
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

/* Flags win over the file: they are applied to the settings after it is read. */
static int parse_args(int argc, char **argv, struct arxdp_settings *flags, uint64_t *set)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "ossec-conf", required_argument, NULL, OPT_OSSEC },
		{ "alerts", required_argument, NULL, OPT_ALERTS },
		{ "wazuh-home", required_argument, NULL, OPT_HOME },
		{ "iface", required_argument, NULL, OPT_IFACE },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "pin-dir", required_argument, NULL, OPT_PIN },
		{ "state-dir", required_argument, NULL, OPT_STATE },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "ar-log", required_argument, NULL, OPT_ARLOG },
		{ "from-start", no_argument, NULL, OPT_FROM_START },
		{ "unblock-on-exit", no_argument, NULL, OPT_UNBLOCK },
		{ "dry-run", no_argument, NULL, OPT_DRY },
		{ "agent-id", required_argument, NULL, OPT_AGENT },
		{ "capacity-v4", required_argument, NULL, OPT_CAP4 },
		{ "capacity-v6", required_argument, NULL, OPT_CAP6 },
		{ "cidr-capacity", required_argument, NULL, OPT_CIDR },
		{ "script-concurrency", required_argument, NULL, OPT_CONC },
		{ "script-time-limit", required_argument, NULL, OPT_TLIMIT },
		{ "manager-in-all", no_argument, NULL, OPT_MIA },
		{ "no-dispatcher", no_argument, NULL, OPT_NODISP },
		{ "priority", required_argument, NULL, OPT_PRIO },
		{ "no-block-counters", no_argument, NULL, OPT_NOBC },
		{ "metrics-textfile", required_argument, NULL, OPT_MFILE },
		{ "metrics-port", required_argument, NULL, OPT_MPORT },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{},
	};
	int c;

	while ((c = getopt_long(argc, argv, "fnvhV", lo, NULL)) != -1) {
		if (c >= OPT_CONFIG)
			*set |= 1ULL << (c - OPT_CONFIG);
		switch (c) {
		case 'f':
			d.o.foreground = true;
			break;
		case 'n':
			d.o.check_only = true;
			break;
		case 'v':
			d.o.verbose++;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("arxdpd %s\n", ARXDP_VERSION);
			exit(0);
		case OPT_CONFIG:
			d.o.config = optarg;
			break;
		case OPT_OSSEC:
			str_copy(flags->ossec_conf, optarg, sizeof(flags->ossec_conf));
			break;
		case OPT_ALERTS:
			str_copy(flags->alerts, optarg, sizeof(flags->alerts));
			break;
		case OPT_HOME:
			str_copy(flags->wazuh_home, optarg, sizeof(flags->wazuh_home));
			break;
		case OPT_IFACE:
			if (flags->n_ifaces >= ARXDP_MAX_IFACES) {
				fprintf(stderr, "arxdpd: --iface: at most %d\n", ARXDP_MAX_IFACES);
				return -EINVAL;
			}
			str_copy(flags->ifaces[flags->n_ifaces++], optarg, IF_NAMESIZE);
			break;
		case OPT_MODE:
			if (mode_parse(optarg, &flags->mode)) {
				fprintf(stderr, "arxdpd: --mode '%s': use auto, native or skb\n",
					optarg);
				return -EINVAL;
			}
			break;
		case OPT_PIN:
			str_copy(flags->pin_dir, optarg, sizeof(flags->pin_dir));
			break;
		case OPT_STATE:
			str_copy(flags->state_dir, optarg, sizeof(flags->state_dir));
			break;
		case OPT_SOCKET:
			str_copy(flags->socket_path, optarg, sizeof(flags->socket_path));
			break;
		case OPT_ARLOG:
			str_copy(flags->ar_log, optarg, sizeof(flags->ar_log));
			break;
		case OPT_FROM_START:
			d.o.from_start = true;
			break;
		case OPT_UNBLOCK:
			d.o.unblock_on_exit = true;
			break;
		case OPT_DRY:
			flags->dry_run = true;
			break;
		case OPT_AGENT:
			str_copy(flags->agent_id, optarg, sizeof(flags->agent_id));
			break;
		case OPT_CAP4:
			if (parse_num("--capacity-v4", optarg, &flags->capacity_v4))
				return -EINVAL;
			break;
		case OPT_CAP6:
			if (parse_num("--capacity-v6", optarg, &flags->capacity_v6))
				return -EINVAL;
			break;
		case OPT_CIDR:
			if (parse_num("--cidr-capacity", optarg, &flags->cidr_capacity))
				return -EINVAL;
			break;
		case OPT_CONC:
			if (parse_num("--script-concurrency", optarg, &flags->script_concurrency))
				return -EINVAL;
			break;
		case OPT_TLIMIT:
			if (duration_parse(optarg, &flags->script_time_limit_s)) {
				fprintf(stderr,
					"arxdpd: --script-time-limit '%s': not a duration\n",
					optarg);
				return -EINVAL;
			}
			break;
		case OPT_MIA:
			flags->manager_in_all = true;
			break;
		case OPT_NODISP:
			flags->xdp_dispatcher = false;
			break;
		case OPT_PRIO:
			if (parse_num("--priority", optarg, &flags->xdp_priority))
				return -EINVAL;
			break;
		case OPT_NOBC:
			flags->block_counters = false;
			break;
		case OPT_MFILE:
			str_copy(flags->metrics_textfile, optarg, sizeof(flags->metrics_textfile));
			break;
		case OPT_MPORT:
			if (parse_num("--metrics-port", optarg, &flags->metrics_port) ||
			    flags->metrics_port > 65535)
				return -EINVAL;
			break;
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "arxdpd: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

#define SET(o) (set & (1ULL << ((o)-OPT_CONFIG)))

static int load_settings(int argc, char **argv)
{
	struct arxdp_settings f;
	const char *path;
	char err[CONFIG_ERR_MAX];
	uint64_t set = 0;
	int r;

	settings_defaults(&f);
	f.ossec_conf[0] = f.alerts[0] = f.ar_log[0] = '\0';
	r = parse_args(argc, argv, &f, &set);
	if (r)
		return r;
	settings_defaults(&d.s);
	path = config_settings_path(d.o.config);
	if (path) {
		r = config_load_settings(&d.s, path, err, sizeof(err));
		if (r) {
			pr_warn("%s", err);
			return r;
		}
	}
	if (SET(OPT_HOME)) {
		/* Paths the file derived from its home follow a new home; paths it names stay. */
		struct arxdp_settings derived = d.s;

		derived.ossec_conf[0] = derived.alerts[0] = derived.ar_log[0] = '\0';
		settings_resolve_paths(&derived);
		if (!strcmp(d.s.ossec_conf, derived.ossec_conf))
			d.s.ossec_conf[0] = '\0';
		if (!strcmp(d.s.alerts, derived.alerts))
			d.s.alerts[0] = '\0';
		if (!strcmp(d.s.ar_log, derived.ar_log))
			d.s.ar_log[0] = '\0';
		str_copy(d.s.wazuh_home, f.wazuh_home, sizeof(d.s.wazuh_home));
	}
	if (SET(OPT_OSSEC))
		str_copy(d.s.ossec_conf, f.ossec_conf, sizeof(d.s.ossec_conf));
	if (SET(OPT_ALERTS))
		str_copy(d.s.alerts, f.alerts, sizeof(d.s.alerts));
	if (SET(OPT_ARLOG))
		str_copy(d.s.ar_log, f.ar_log, sizeof(d.s.ar_log));
	if (SET(OPT_IFACE)) {
		memcpy(d.s.ifaces, f.ifaces, sizeof(d.s.ifaces));
		d.s.n_ifaces = f.n_ifaces;
	}
	if (SET(OPT_MODE))
		d.s.mode = f.mode;
	if (SET(OPT_PIN))
		str_copy(d.s.pin_dir, f.pin_dir, sizeof(d.s.pin_dir));
	if (SET(OPT_STATE))
		str_copy(d.s.state_dir, f.state_dir, sizeof(d.s.state_dir));
	if (SET(OPT_SOCKET))
		str_copy(d.s.socket_path, f.socket_path, sizeof(d.s.socket_path));
	if (SET(OPT_DRY))
		d.s.dry_run = true;
	if (SET(OPT_AGENT))
		str_copy(d.s.agent_id, f.agent_id, sizeof(d.s.agent_id));
	if (SET(OPT_CAP4))
		d.s.capacity_v4 = f.capacity_v4;
	if (SET(OPT_CAP6))
		d.s.capacity_v6 = f.capacity_v6;
	if (SET(OPT_CIDR))
		d.s.cidr_capacity = f.cidr_capacity;
	if (SET(OPT_CONC))
		d.s.script_concurrency = f.script_concurrency ?: 1;
	if (SET(OPT_TLIMIT))
		d.s.script_time_limit_s = f.script_time_limit_s;
	if (SET(OPT_MIA))
		d.s.manager_in_all = true;
	if (SET(OPT_NODISP))
		d.s.xdp_dispatcher = false;
	if (SET(OPT_PRIO))
		d.s.xdp_priority = f.xdp_priority;
	if (SET(OPT_NOBC))
		d.s.block_counters = false;
	if (SET(OPT_MFILE))
		str_copy(d.s.metrics_textfile, f.metrics_textfile, sizeof(d.s.metrics_textfile));
	if (SET(OPT_MPORT))
		d.s.metrics_port = f.metrics_port;
	r = settings_resolve_paths(&d.s);
	if (r)
		pr_warn("settings: a path under '%s' is too long", d.s.wazuh_home);
	return r;
}

static int take_lock(void)
{
	char path[PATH_MAX];

	if (mkdir(d.s.state_dir, 0700) && errno != EEXIST) {
		pr_warn("state directory '%s': cannot create: %s", d.s.state_dir, strerror(errno));
		return -errno;
	}
	if (pindir_path(path, sizeof(path), d.s.state_dir, "arxdpd.lock"))
		return -ENAMETOOLONG;
	d.lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (d.lockfd < 0)
		return -errno;
	if (flock(d.lockfd, LOCK_EX | LOCK_NB)) {
		pr_warn("state directory '%s': another arxdpd is running (lock '%s' held)",
			d.s.state_dir, path);
		return -EBUSY;
	}
	return 0;
}

static int attach_all(void)
{
	struct loader_opts o = { .pin_dir = d.s.pin_dir,
				 .capacity_v4 = d.s.capacity_v4,
				 .capacity_v6 = d.s.capacity_v6,
				 .cidr_capacity = d.s.cidr_capacity,
				 .dry_run = d.s.dry_run,
				 .dispatcher = d.s.xdp_dispatcher,
				 .no_block_counters = !d.s.block_counters,
				 .priority = d.s.xdp_priority };
	__u32 pinned;
	int i, fd, err;

	/* A pinned program keeps the knobs it was loaded with: when the configuration asks for
	 * others (dry run, per-block counts), load it anew, or they would wait for a hand reload. */
	if (!loader_pinned_load_flags(o.pin_dir, &pinned) && pinned != loader_load_flags(&o)) {
		pr_info("program '%s': pinned with other settings (dry run, per-block counts): "
			"loading it with the configured ones",
			ARXDP_PROG_NAME);
		o.reload = true;
	}
	/* Load (or adopt the pinned program) even without interfaces: blocks need maps. */
	err = loader_get_prog(&o, &fd);
	if (err)
		return err;
	close(fd);
	for (i = 0; i < d.s.n_ifaces; i++) {
		err = loader_attach(&o, d.s.ifaces[i], d.s.mode, false, &d.used_mode[i]);
		if (err)
			return err;
		pr_info("interface %s: attached in %s mode", d.s.ifaces[i],
			mode_name(d.used_mode[i]));
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct runner_env renv;
	struct tail_pos pos = {};
	bool have_pos = false;
	int err;

	log_init("arxdpd", LOG_LEVEL_INFO, LOG_TARGET_STDERR);
	err = load_settings(argc, argv);
	if (err)
		return 1;
	log_set_level(d.o.verbose >= 2 ? LOG_LEVEL_TRACE :
		      d.o.verbose      ? LOG_LEVEL_DEBUG :
					 LOG_LEVEL_INFO);
	err = load_ossec(&d.cfg);
	if (err)
		return 1;
	if (d.o.check_only) {
		printf("configuration OK: %s (%zu active responses), alerts %s\n", d.s.ossec_conf,
		       d.cfg->n_ars, d.s.alerts);
		config_free_ossec(d.cfg);
		return 0;
	}
	/* Under systemd stderr is the journal; elsewhere a daemon logs to syslog. */
	if (!d.o.foreground && !getenv("INVOCATION_ID") && !getenv("JOURNAL_STREAM")) {
		if (daemon(0, 0)) {
			pr_warn("daemon: %s", strerror(errno));
			return 1;
		}
		log_init("arxdpd", log_get_level(), LOG_TARGET_SYSLOG);
	}
	/* One write per loop iteration instead of one per block line; flushed every iteration. */
	setvbuf(stderr, NULL, _IOFBF, 1 << 16);
	d.start_mono = mono_now_ns();
	d.bt = btable_new();
	d.off = offenders_new();
	if (!d.bt || !d.off) {
		err = -ENOMEM;
		goto out;
	}
	err = take_lock();
	if (err)
		goto out;
	err = attach_all();
	if (err)
		goto out;
	err = bl_open(&d.bl, d.s.pin_dir);
	if (err) {
		pr_warn("pin directory '%s': cannot open the maps: %s", d.s.pin_dir,
			strerror(-err));
		goto out;
	}
	load_own_addrs();
	err = load_state(&pos, &have_pos);
	if (err)
		goto out;
	err = tail_open(&d.tail, d.s.alerts, ALERT_LINE_MAX, have_pos ? &pos : NULL,
			d.o.from_start);
	d.tail.line_budget = POLL_LINE_BUDGET;
	if (err) {
		pr_warn("alerts '%s': cannot open: %s", d.s.alerts, strerror(-err));
		goto out;
	}
	err = setup_loop();
	if (err)
		goto out;
	renv = (struct runner_env){ .home = d.s.wazuh_home,
				    .cfg = (const struct ossec_config **)&d.cfg,
				    .offenders = d.off,
				    .pending = &d.pending,
				    .concurrency = d.s.script_concurrency ?: 1,
				    .time_limit_s = d.s.script_time_limit_s };
	err = runner_new(&d.runner, &renv, d.epfd);
	if (err)
		goto out;
	drop_capabilities();
	d.dirty = true;
	poll_alerts();
	save_state(true);
	pr_info("running: %zu active responses from %s, following %s, %zu blocks tracked",
		d.cfg->n_ars, d.s.ossec_conf, d.s.alerts, btable_size(d.bt));
	notify_systemd("READY=1");
	run_loop();
	notify_systemd("STOPPING=1");
	if (d.o.unblock_on_exit) {
		pr_info("shutting down: deleting every response (--unblock-on-exit)");
		runner_flush_deletes(d.runner, d.s.script_time_limit_s ?: 10);
		btable_foreach(d.bt, unblock_cb, NULL);
		arlog_flush();
		d.dirty = true;
	}
	save_state(true);
	pr_info("stopped; blocks stay in the pinned maps");
out:
	fflush(stderr);
	if (d.ctlfd >= 0) {
		close(d.ctlfd);
		unlink(d.s.socket_path);
	}
	if (d.metricsfd >= 0)
		close(d.metricsfd);
	runner_free(d.runner);
	tail_close(&d.tail);
	bl_close(&d.bl);
	btable_free(d.bt);
	alert_cleanup();
	offenders_free(d.off);
	pending_free_all(d.pending);
	config_free_ossec(d.cfg);
	free(d.arlog.p);
	free(d.compact.p);
	free(d.own);
	if (d.arlog_fd >= 0)
		close(d.arlog_fd);
	return err ? 1 : 0;
}
