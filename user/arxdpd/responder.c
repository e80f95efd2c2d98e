// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the responder declared in responder.h: decisions become map writes,
 * script runs and firewall-drop's log lines, and the block table follows what was written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arproto.h"
#include "btable.h"
#include "log.h"
#include "responder.h"
#include "runner.h"
#include "state.h"
#include "util.h"

/*
 * Per-block lines of the daemon's own log (syslog): at most BLOCK_LOG_PER_SEC a second, then
 * one line with how many were left out. A burst of 100,000 blocks must not become 100,000
 * syslog messages; active-responses.log keeps every block anyway. -v logs all of them.
 */
#define BLOCK_LOG_PER_SEC 100

void responder_log_summary(struct responder *r, uint64_t now_mono_ns)
{
	uint64_t sec = now_mono_ns / NSEC_PER_SEC;

	if (sec == r->blog_sec)
		return;
	if (r->blog_quiet)
		pr_info("%u more block and unblock lines in the last second not logged here "
			"(active-responses.log has each one)",
			r->blog_quiet);
	r->blog_sec = sec;
	r->blog_n = r->blog_quiet = 0;
}

bool responder_log_ok(struct responder *r)
{
	responder_log_summary(r, mono_now_ns());
	if (log_get_level() >= LOG_LEVEL_DEBUG || r->blog_n < BLOCK_LOG_PER_SEC) {
		r->blog_n++;
		return true;
	}
	r->blog_quiet++;
	return false;
}

int responder_init(struct responder *r, const struct arxdp_settings *s, struct blocklist *bl)
{
	int err;

	memset(r, 0, sizeof(*r));
	r->held_tail = &r->held;
	r->s = s;
	r->bl = bl;
	arlog_buf_init(&r->log, s->ar_log);
	r->fwdrop.executable = "firewall-drop";
	r->bt = btable_new();
	r->off = offenders_new();
	if (!r->bt || !r->off) {
		err = -ENOMEM;
		goto fail;
	}
	err = config_command_prepare(&r->fwdrop);
	if (err)
		goto fail;
	return 0;
fail:
	responder_free(r);
	return err;
}

void responder_free(struct responder *r)
{
	free(r->seen);
	free(r->seen_loaded.keys);
	queued_free_all(r->held);
	arlog_buf_close(&r->log);
	config_command_release(&r->fwdrop);
	btable_free(r->bt);
	offenders_free(r->off);
	pending_free_all(r->pending);
	config_free_ossec(r->cfg);
	free(r->own);
	free(r->compact.p);
	memset(r, 0, sizeof(*r));
	r->log.fd = -1;
}

void responder_set_config(struct responder *r, struct ossec_config *cfg)
{
	config_free_ossec(r->cfg);
	r->cfg = cfg;
}

int responder_load_own_addrs(struct responder *r)
{
	struct arxdp_addr *own;
	const char *why;
	size_t n, i;
	int err = bl_host_addrs(&own, &n);

	if (err)
		return err;
	free(r->own);
	r->own = own;
	r->n_own = n;
	/* The map writer's guard learns new addresses too, so a prefix covering one is refused
	 * whichever way it comes. An address the host lost stays protected until a restart:
	 * the safe side. */
	for (i = 0; r->bl && i < n && !err; i++)
		if (!bl_check_allowed(r->bl, &own[i], &why))
			err = bl_protect(r->bl, &own[i]);
	return err;
}

void responder_match_env(const struct responder *r, struct match_env *env)
{
	*env = (struct match_env){ .cfg = r->cfg,
				   .settings = r->s,
				   .own = r->own,
				   .n_own = r->n_own,
				   .offenders = r->off };
}

static const char *node_name(const struct responder *r)
{
	return r->cfg && r->cfg->node_name ? r->cfg->node_name : "undefined";
}

static const struct ossec_command *cmd_by_exe(const struct responder *r, const char *exe)
{
	size_t i;

	for (i = 0; r->cfg && i < r->cfg->n_cmds; i++)
		if (!strcmp(r->cfg->cmds[i].executable, exe))
			return &r->cfg->cmds[i];
	return &r->fwdrop;
}

/*
 * Buckets of SEEN_WAYS slots, newest first: a key is forgotten when four newer ones fall in
 * its bucket. The table must hold what the ring gives back after a start, RESPONDER_SEEN_KEEP
 * keys: with one slot per hash (65,536 of them), a fifth of the oldest of those was pushed out
 * by a newer one; in 32,768 buckets of four, about one in 600. A 64-bit hash makes two
 * different keys colliding negligible; an evicted key at worst applies an alert twice, as two
 * inputs without this table would. Keys are odd; a key whose other copy came is kept even
 * (SEEN_MATCHED cleared), so a snapshot leaves it out.
 */
#define SEEN_WAYS 4
#define SEEN_SLOTS (1u << 17)
#define SEEN_MATCHED 1ull

static uint64_t *seen_bucket(const struct responder *r, uint64_t h)
{
	return &r->seen[((h >> 1) & (SEEN_SLOTS / SEEN_WAYS - 1)) * SEEN_WAYS];
}

/* In the table, and in the ring of what a snapshot keeps (its oldest one goes when full). */
static void seen_record(struct responder *r, uint64_t h)
{
	struct state_seen *k = &r->seen_keys;
	uint64_t *b = seen_bucket(r, h);

	memmove(b + 1, b, (SEEN_WAYS - 1) * sizeof(*b));
	b[0] = h;
	k->keys[(k->first + k->n) % k->cap] = h;
	if (k->n < k->cap)
		k->n++;
	else
		k->first = (k->first + 1) % k->cap;
}

/* Oldest first: a bucket keeps the newest, as it did before the stop. */
static void seen_put_loaded(struct responder *r)
{
	struct state_seen *l = &r->seen_loaded;
	uint32_t i;

	for (i = 0; i < l->n; i++)
		seen_record(r, l->keys[(l->first + i) % l->cap]);
	if (l->n)
		pr_debug("dedupe: %u recent keys from the state", l->n);
	free(l->keys);
	*l = (struct state_seen){};
}

int responder_dedupe_on(struct responder *r)
{
	if (r->seen)
		return 0;
	/* One allocation: the table, then the ring. */
	r->seen = calloc(SEEN_SLOTS + RESPONDER_SEEN_KEEP, sizeof(*r->seen));
	if (!r->seen)
		return -ENOMEM;
	r->seen_keys =
		(struct state_seen){ .keys = r->seen + SEEN_SLOTS, .cap = RESPONDER_SEEN_KEEP };
	seen_put_loaded(r);
	return 0;
}

int responder_seen_waiting(const struct responder *r, struct state_seen *out)
{
	const struct state_seen *k = &r->seen_keys;
	uint64_t h, *b;
	uint32_t i, j;

	*out = (struct state_seen){};
	if (!k->n)
		return 0;
	out->keys = malloc(k->n * sizeof(*out->keys));
	if (!out->keys)
		return -ENOMEM;
	out->cap = k->n;
	for (i = 0; i < k->n; i++) {
		h = k->keys[(k->first + i) % k->cap];
		b = seen_bucket(r, h);
		/* Still odd in its bucket: the other copy has not come. */
		for (j = 0; j < SEEN_WAYS && b[j] != h; j++)
			;
		if (j < SEEN_WAYS)
			out->keys[out->n++] = h;
	}
	return 0;
}

void responder_seen_restore(struct responder *r, struct state_seen *loaded)
{
	free(r->seen_loaded.keys);
	r->seen_loaded = *loaded;
	*loaded = (struct state_seen){};
	if (r->seen)
		seen_put_loaded(r);
}

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return (h ^ 0xff) * 0x100000001b3ull; /* a separator: ("ab","c") differs from ("a","bc") */
}

bool responder_seen(struct responder *r, const char *alert_id, const char *ar_name,
		    const char *addr)
{
	uint64_t h, *b;
	unsigned int i;

	if (!r->seen || !alert_id || !*alert_id)
		return false;
	h = fnv(fnv(fnv(0xcbf29ce484222325ull, alert_id), ar_name ?: ""), addr ?: "") | 1;
	b = seen_bucket(r, h);
	for (i = 0; i < SEEN_WAYS; i++) {
		if (b[i] && (b[i] | SEEN_MATCHED) == h) {
			b[i] = h & ~SEEN_MATCHED;
			r->c.seen_twice++;
			return true;
		}
	}
	seen_record(r, h);
	/* The snapshot keeps it: a stop before the other copy arrives must not forget it. */
	r->dirty = true;
	return false;
}

void responder_flush(struct responder *r)
{
	arlog_buf_flush(&r->log);
}

static void log_write_some(struct responder *r)
{
	if (r->log.b.len >= RESPONDER_LOG_WRITE_AT)
		arlog_buf_flush(&r->log);
}

void responder_new_burst(struct responder *r)
{
	r->map_full_burst = false;
	r->bl->full_reported = false;
}

/* firewall-drop's delete sequence for a block that ended. */
static void log_delete(struct responder *r, const struct bmeta *m, const struct arxdp_addr *a)
{
	const struct ossec_command *cmd = cmd_by_exe(r, m && m->exe[0] ? m->exe : "firewall-drop");
	struct sbuf alert = {};
	char buf[ADDR_STRLEN];

	if (m && m->alert) {
		sb_str(&alert, m->alert);
	} else {
		/* A block we know nothing about (CLI, firewall-drop): the address at least. */
		sb_str(&alert, "{\"data\":{\"srcip\":");
		sb_json(&alert, addr_format(a, buf, sizeof(buf)));
		sb_str(&alert, "}}");
	}
	if (!alert.oom)
		arlog_buf_delete(&r->log, node_name(r), cmd, alert.p, alert.len);
	free(alert.p);
	log_write_some(r);
}

static int write_failed(struct responder *r, int err, const char *addr)
{
	if (err == -ENOSPC) {
		r->c.map_full++;
		/* The map's message came once from bl_block; this one says what happens next. */
		if (!r->map_full_burst)
			pr_warn("block '%s': map full: further blocks of this burst are counted "
				"(arxdp status), not logged; existing blocks stay",
				addr);
		r->map_full_burst = true;
	} else if (err == -EPERM) {
		r->c.refused++;
	} else {
		r->c.write_errors++;
		pr_warn("block '%s': map write failed: %s", addr, strerror(-err));
	}
	return err;
}

static void log_block(struct responder *r, const struct block_req *q, const char *addr,
		      enum bl_result res, const struct arxdp_block *v)
{
	uint32_t after = bl_after_execd_s(v);
	char dur[32];

	if (res == BL_EXTENDED)
		r->c.extended++;
	else
		r->c.blocked++;
	if (!responder_log_ok(r))
		return;
	/* Only for a line that is written: a burst's blocks past the first few print none. */
	duration_format(after ? after : v->expires_ns ? v->timeout_s : 0, dur, sizeof(dur));
	if (!q->ar_name)
		pr_info("block %s: by the operator, %s%s", addr,
			after ? "held by execd until its delete, then " : "", dur);
	else if (res == BL_EXTENDED)
		pr_info("block %s: extended by rule %s level %d (%s), %s, offense %u", addr,
			q->rule, q->level, q->ar_name, dur, v->offenses);
	else
		pr_info("block %s: rule %s level %d (%s), %s", addr, q->rule, q->level, q->ar_name,
			dur);
}

int responder_block(struct responder *r, struct block_req *q, enum bl_result *res_out,
		    struct arxdp_block *out)
{
	const struct ossec_command *cmd = q->cmd ? q->cmd : cmd_by_exe(r, "firewall-drop");
	char buf[ADDR_STRLEN];
	const char *addr = q->addr_text ? q->addr_text : addr_format(&q->addr, buf, sizeof(buf));
	struct arxdp_block v;
	enum bl_result res;
	struct bmeta *m;
	int err;

	/* Another program's block has its own timer in execd: this write may only extend it. */
	m = btable_get(r->bt, &q->addr);
	q->why.floor = q->ar_name && m && m->exe[0] && strcmp(m->exe, cmd->executable);
	err = bl_block(r->bl, &q->addr, q->timeout_s, &q->why, &res, &v);
	if (err) {
		write_failed(r, err, addr);
		goto out;
	}
	/* The entry looked up above, or a new one (bl_block leaves the table as it was). */
	if (!m)
		m = btable_upsert(r->bt, &q->addr);
	if (m) {
		/* The program whose timer ends the block names it (its delete line): not this
		 * one when the other's later end was kept. */
		if (!q->why.floor || !v.expires_ns ||
		    v.expires_ns <= mono_now_ns() + (uint64_t)q->timeout_s * NSEC_PER_SEC)
			str_copy(m->exe, cmd->executable, sizeof(m->exe));
		m->v = v;
		/* ExecdRun keeps the first alert's delete in its timeout list: a repeat (or the
		 * same alert read again) leaves the alert the block's delete line will carry. */
		if (res == BL_NEW || !m->alert) {
			bmeta_take_alert(m, q->compact);
			q->compact = NULL;
		}
	}
	r->dirty = true;
	if (res_out)
		*res_out = res;
	if (out)
		*out = v;
	if (res == BL_DUPLICATE) {
		r->c.duplicates++;
		goto out;
	}
	/*
	 * execd answers abort only to a repeat its timeout list holds: a response without a
	 * timeout keeps no entry, so every add of it runs to its end (ExecdRun).
	 */
	arlog_buf_add(&r->log, node_name(r), cmd, q->alert, q->alert_len, addr,
		      res == BL_EXTENDED && (q->timeout_s || !q->ar_name));
	log_write_some(r);
	log_block(r, q, addr, res, &v);
out:
	free(q->compact);
	q->compact = NULL;
	return err;
}

int responder_script(struct responder *r, const struct match_decision *dec, const char *line,
		     size_t len)
{
	const struct ossec_command *cmd = dec->ar->cmd;
	struct queued_run *hs;
	struct sbuf b = {};

	arproto_execd_msg_sb(&b, node_name(r), "add", line, len, cmd->extra_argv, cmd->n_extra,
			     cmd->program);
	if (b.oom) {
		free(b.p);
		pr_warn("active response '%s': no memory for its message", dec->ar->name);
		return -ENOMEM;
	}
	hs = calloc(1, sizeof(*hs));
	if (hs)
		hs->exe = strdup(cmd->executable);
	if (!hs || !hs->exe) {
		free(hs);
		free(b.p);
		pr_warn("active response '%s': no memory to queue it", dec->ar->name);
		return -ENOMEM;
	}
	hs->json = b.p;
	hs->timeout_s = dec->timeout;
	*r->held_tail = hs;
	r->held_tail = &hs->next;
	r->n_held++;
	r->dirty = true;
	return 0;
}

struct queued_run *responder_take_held(struct responder *r)
{
	struct queued_run *list = r->held;

	r->held = NULL;
	r->held_tail = &r->held;
	r->n_held = 0;
	return list;
}

void responder_return_held(struct responder *r, struct queued_run *list)
{
	struct queued_run **end = &list;
	size_t n = 0;

	if (!list)
		return;
	while (*end) {
		end = &(*end)->next;
		n++;
	}
	*end = r->held;
	if (!r->held)
		r->held_tail = end;
	r->held = list;
	r->n_held += n;
}

void responder_release(struct responder *r, struct queued_run *list)
{
	struct queued_run *next;

	for (; list; list = next) {
		next = list->next;
		list->next = NULL;
		/* The runner owns the message from here on, whatever it answers. */
		if (r->runner && list->is_delete)
			runner_delete(r->runner, list->exe, list->json);
		else if (r->runner)
			runner_add(r->runner, list->exe, list->json, list->timeout_s);
		else
			free(list->json);
		list->json = NULL;
		queued_free_all(list);
	}
}

int responder_unblock(struct responder *r, const struct arxdp_addr *a)
{
	char buf[ADDR_STRLEN];
	int err = bl_unblock(r->bl, a);

	if (err)
		return err;
	log_delete(r, btable_get(r->bt, a), a);
	btable_del(r->bt, a);
	r->c.unblocked++;
	r->dirty = true;
	if (responder_log_ok(r))
		pr_info("unblock %s: by the operator", addr_format(a, buf, sizeof(buf)));
	return 0;
}

void responder_ended(struct responder *r, const struct arxdp_addr *a)
{
	log_delete(r, btable_get(r->bt, a), a);
	btable_del(r->bt, a);
	r->c.expired++;
	r->dirty = true;
}
