// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* This file contains the alerts.json input declared in follow.h. */
#include <errno.h>
#include <string.h>
#include "alert.h"
#include "follow.h"
#include "log.h"
#include "match.h"
#include "responder.h"
#include "util.h"

#define MAX_DECISIONS 256
/* Alerts per poll, all under one lock: the loop then looks at its other sources, and
 * firewall-drop and the CLI get the lock between two polls of a long burst. */
#define POLL_LINE_BUDGET 1024

static int max_seq_cb(const struct bl_entry *e, void *ctx)
{
	uint64_t *max = ctx;

	if (e->v.seq > *max)
		*max = e->v.seq;
	return 0;
}

int follow_open(struct follow *f, struct responder *r, const char *path,
		const struct tail_pos *resume, bool from_start)
{
	struct tail_pos fresh = {};
	int err;

	memset(f, 0, sizeof(*f));
	f->r = r;
	f->path = path;
	/*
	 * Without a saved position (first start, or the state was lost) the stream's seq would
	 * start again near 0, below what the maps hold from before: every repeat alert would then
	 * look like a re-read one and never extend its block. So it goes on above the largest
	 * seq the maps hold; no file position (ino 0) keeps the start at the end of the file.
	 */
	if (!resume) {
		if (bl_foreach(r->bl, max_seq_cb, &fresh.seq))
			pr_warn("alerts '%s': cannot read the maps' alert positions: repeats of "
				"blocks made before may count as re-read",
				path);
		resume = &fresh;
	}
	err = tail_open(&f->tail, path, ALERT_LINE_MAX, resume, from_start);
	f->tail.line_budget = POLL_LINE_BUDGET;
	if (err)
		pr_warn("alerts '%s': cannot open: %s", path, strerror(-err));
	return err;
}

void follow_close(struct follow *f)
{
	tail_close(&f->tail);
}

static void apply(struct follow *f, const struct match_decision *dec, const struct alert *a,
		  uint64_t seq, const char *line, size_t len)
{
	struct responder *r = f->r;
	char addr[ADDR_STRLEN], rkey[OFFENDER_KEY_MAX];
	uint32_t timeout = dec->timeout;
	struct block_req q;

	r->c.decisions[dec->action]++;
	switch (dec->action) {
	case MATCH_BLOCK:
		if (responder_seen(r, a->id, dec->ar->name,
				   addr_format(&dec->addr, addr, sizeof(addr))))
			break;
		/* execd's add for firewall-drop's key, counted once the alert is known to be new
		 * (the matcher ran without the offenders, see follow_line). */
		if (!match_rkey(rkey, sizeof(rkey), dec->ar->cmd->executable, a->addr))
			timeout = offenders_escalate(r->off, r->cfg, rkey, dec->ar->timeout, NULL);
		q = (struct block_req){
			.addr = dec->addr,
			.timeout_s = timeout,
			.cmd = dec->ar->cmd,
			.alert = line,
			.alert_len = len,
			.compact = alert_compact(a, &r->compact),
			.why = { .rule_id = (uint32_t)a->rule_num,
				 .level = (uint8_t)(a->level > 255 ? 255 : a->level),
				 .origin = ARXDP_ORIGIN_ALERT,
				 .seq = seq },
			.ar_name = dec->ar->name,
			.rule = a->rule_id,
			.level = a->level,
		};
		responder_block(r, &q, NULL, NULL);
		break;
	case MATCH_SCRIPT:
		if (!responder_seen(r, a->id, dec->ar->name, ""))
			responder_script(r, dec, line, len);
		break;
	default:
		if (dec->reason < ARRAY_SIZE(r->c.skips))
			r->c.skips[dec->reason]++;
		pr_debug("alert %s: %s skipped: %s", a->id ? a->id : "?", dec->ar->name,
			 match_reason_name(dec->reason));
		break;
	}
}

int follow_line(struct follow *f, const char *line, size_t len, const struct tail_pos *at,
		bool too_long)
{
	struct match_decision dec[MAX_DECISIONS];
	struct responder *r = f->r;
	struct match_env env;
	struct alert a = {};
	char err[256];
	size_t n = 0, i;

	r->dirty = true;
	f->last_alert_mono = mono_now_ns();
	if (too_long) {
		r->c.long_lines++;
		pr_warn("alerts '%s' line %llu: longer than %d bytes: skipped", f->path,
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
		r->c.bad_lines++;
		pr_warn("alerts '%s' line %llu: %s: skipped", f->path,
			(unsigned long long)at->lineno, err);
		return 0;
	}
	r->c.alerts++;
	responder_match_env(r, &env);
	/* The repeat count is execd's, per add: apply() counts it for the responses it makes. */
	env.offenders = NULL;
	if (match_alert(&env, &a, dec, MAX_DECISIONS, &n) == -ENOSPC)
		pr_warn("alerts '%s' line %llu: more than %d responses bound: the rest skipped",
			f->path, (unsigned long long)at->lineno, MAX_DECISIONS);
	/* seq + 1: position 0 would mean "not from an alert". */
	for (i = 0; i < n; i++)
		apply(f, &dec[i], &a, at->seq + 1, line, len);
	alert_free(&a);
	return 0;
}

static int on_line(const char *line, size_t len, const struct tail_pos *at, bool too_long,
		   void *ctx)
{
	return follow_line(ctx, line, len, at, too_long);
}

int follow_poll(struct follow *f)
{
	int err;

	responder_new_burst(f->r);
	err = bl_lock(f->r->bl);
	f->lock_busy = err == -ETIMEDOUT;
	if (err)
		return err; /* the blocklist said so, once */
	err = tail_poll(&f->tail, on_line, f);
	bl_unlock(f->r->bl);
	if (err)
		pr_warn("alerts '%s': read failed: %s", f->path, strerror(-err));
	responder_flush(f->r);
	return err;
}
