// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains arxdpd's control socket: `arxdp status`, `reload`, and the CLI's blocks
 * and unblocks, which go through the responder so they are logged and persisted like any.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <cjson/cJSON.h>
#include "btable.h"
#include "ctl.h"
#include "render.h"
#include "daemon.h"
#include "execq_in.h"
#include "log.h"
#include "runner.h"
#include "state.h"
#include "util.h"

int control_open(struct daemon *d)
{
	d->ctlfd = ctl_listen(d->s.socket_path);
	return d->ctlfd < 0 ? d->ctlfd : 0;
}

void control_close(struct daemon *d)
{
	if (d->ctlfd < 0)
		return;
	close(d->ctlfd);
	unlink(d->s.socket_path);
	d->ctlfd = -1;
}

static void add_num(cJSON *o, const char *k, double v)
{
	cJSON_AddNumberToObject(o, k, v);
}

cJSON *daemon_status(const struct daemon *d)
{
	const struct responder_counters *c = &d->r.c;
	const struct pending_delete *p;
	struct runner_stats rs = {};
	cJSON *o = cJSON_CreateObject(), *x;
	size_t i, np = 0;

	if (d->runner)
		runner_get_stats(d->runner, &rs);
	cJSON_AddStringToObject(o, "version", ARXDP_VERSION);
	add_num(o, "pid", getpid());
	add_num(o, "uptime", (double)((mono_now_ns() - d->start_mono) / NSEC_PER_SEC));
	cJSON_AddStringToObject(o, "alerts_file", d->s.alerts);
	add_num(o, "alerts_offset", (double)d->in.tail.pos.offset);
	cJSON_AddStringToObject(o, "ossec_conf", d->s.ossec_conf);
	add_num(o, "active_responses", d->r.cfg ? (double)d->r.cfg->n_ars : 0);
	add_num(o, "alerts_read", (double)c->alerts);
	add_num(o, "bad_lines", (double)(c->bad_lines + c->long_lines));
	x = cJSON_AddObjectToObject(o, "decisions");
	add_num(x, "block", (double)c->decisions[MATCH_BLOCK]);
	add_num(x, "script", (double)c->decisions[MATCH_SCRIPT]);
	add_num(x, "skip", (double)c->decisions[MATCH_SKIP]);
	x = cJSON_AddObjectToObject(o, "skips");
	for (i = 1; i < ARRAY_SIZE(c->skips); i++)
		if (c->skips[i])
			add_num(x, match_reason_name(i), (double)c->skips[i]);
	x = cJSON_AddObjectToObject(o, "blocks");
	add_num(x, "new", (double)c->blocked);
	add_num(x, "extended", (double)c->extended);
	add_num(x, "duplicates", (double)c->duplicates);
	add_num(x, "refused", (double)c->refused);
	add_num(x, "expired", (double)c->expired);
	add_num(x, "unblocked", (double)c->unblocked);
	add_num(x, "tracked", (double)btable_size(d->r.bt));
	x = cJSON_AddObjectToObject(o, "errors");
	add_num(x, "map_full", (double)c->map_full);
	add_num(x, "map_write", (double)c->write_errors);
	add_num(x, "state", (double)c->state_errors);
	add_num(x, "reload", (double)c->reload_errors);
	x = cJSON_AddObjectToObject(o, "scripts");
	add_num(x, "started", (double)rs.started);
	add_num(x, "running", rs.running);
	add_num(x, "queued", rs.queued + (double)d->r.n_held);
	add_num(x, "stateful", (double)rs.stateful);
	add_num(x, "stateless", (double)rs.stateless);
	add_num(x, "aborted", (double)rs.aborted);
	add_num(x, "deletes", (double)rs.deletes);
	add_num(x, "killed", (double)rs.killed);
	add_num(x, "failed", (double)rs.failed);
	for (p = d->r.pending; p; p = p->next)
		np++;
	add_num(x, "pending_deletes", (double)np);
	execq_in_status(d, o);
	return o;
}

static cJSON *reply_error(const char *msg)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddBoolToObject(o, "ok", false);
	cJSON_AddStringToObject(o, "error", msg);
	return o;
}

static cJSON *reply_ok(void)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddBoolToObject(o, "ok", true);
	return o;
}

/*
 * A whole number in [0, max] when present (absent: *out untouched). A negative, fractional or
 * huge value is an error with its field named, never a cast: timeout -5 once became 136 years.
 */
static int get_uint(const cJSON *req, const char *k, double max, uint32_t *out, char *err,
		    size_t len)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, k);

	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0 ||
	    v->valuedouble > max || v->valuedouble != floor(v->valuedouble)) {
		snprintf(err, len, "request: '%s' must be a whole number from 0 to %.0f", k, max);
		return -EINVAL;
	}
	*out = (uint32_t)v->valuedouble;
	return 0;
}

static cJSON *do_unblock(struct daemon *d, const struct arxdp_addr *a, const char *buf)
{
	char msg[256];
	cJSON *o;
	int r = responder_unblock(&d->r, a);

	responder_flush(&d->r);
	if (r) {
		snprintf(msg, sizeof(msg), "unblock '%s': %s", buf,
			 r == -ENOENT ? "not blocked" : strerror(-r));
		return reply_error(msg);
	}
	o = reply_ok();
	cJSON_AddStringToObject(o, "unblocked", buf);
	return o;
}

/* The alert a CLI block is logged with, as firewall-drop would see it: the address, the rule. */
static char *operator_alert(const char *addr, const struct bl_reason *why)
{
	cJSON *alert = cJSON_CreateObject(), *data, *rule;
	char id[16], *txt;

	if (!alert)
		return NULL;
	data = cJSON_AddObjectToObject(alert, "data");
	if (why->rule_id) {
		rule = cJSON_AddObjectToObject(alert, "rule");
		snprintf(id, sizeof(id), "%u", why->rule_id);
		cJSON_AddNumberToObject(rule, "level", why->level);
		cJSON_AddStringToObject(rule, "id", id);
	}
	cJSON_AddStringToObject(data, "srcip", addr);
	txt = cJSON_PrintUnformatted(alert);
	cJSON_Delete(alert);
	return txt;
}

static cJSON *do_block(struct daemon *d, const cJSON *req, bool unblock)
{
	const cJSON *addr = cJSON_GetObjectItemCaseSensitive(req, "addr");
	const cJSON *pin = cJSON_GetObjectItemCaseSensitive(req, "pin_dir");
	struct block_req q = { .why = { .origin = ARXDP_ORIGIN_CLI } };
	char err[160], buf[ADDR_STRLEN], msg[256], *txt;
	uint32_t level = 0;
	struct arxdp_block v;
	enum bl_result res;
	cJSON *o;
	int r;

	/* A CLI working on other maps must not have its block land in ours. */
	if (cJSON_IsString(pin) && strcmp(pin->valuestring, d->s.pin_dir)) {
		o = reply_error("pin directory differs from arxdpd's");
		cJSON_AddBoolToObject(o, "pin_dir_mismatch", true);
		return o;
	}
	if (!cJSON_IsString(addr) || addr_parse(addr->valuestring, &q.addr, err, sizeof(err)))
		return reply_error(cJSON_IsString(addr) ? err : "request: 'addr' missing");
	addr_format(&q.addr, buf, sizeof(buf));
	if (unblock)
		return do_unblock(d, &q.addr, buf);
	if (get_uint(req, "timeout", UINT32_MAX, &q.timeout_s, err, sizeof(err)) ||
	    get_uint(req, "rule_id", UINT32_MAX, &q.why.rule_id, err, sizeof(err)) ||
	    get_uint(req, "level", 16, &level, err, sizeof(err)))
		return reply_error(err);
	q.why.level = (uint8_t)level;
	txt = operator_alert(buf, &q.why);
	q.alert = txt ? txt : "{}";
	q.alert_len = strlen(q.alert);
	q.compact = txt ? strdup(txt) : NULL;
	r = responder_block(&d->r, &q, &res, &v);
	responder_flush(&d->r);
	free(txt);
	if (r) {
		snprintf(msg, sizeof(msg), "block '%s': %s", buf,
			 r == -ENOSPC ? "map full" :
			 r == -EPERM  ? "refused: never-blocked address" :
					strerror(-r));
		return reply_error(msg);
	}
	o = reply_ok();
	if (render_block_result(o, buf, res == BL_EXTENDED, &v)) {
		cJSON_Delete(o);
		return reply_error("block: no memory for the reply");
	}
	return o;
}

char *control_handle(struct daemon *d, const char *text)
{
	cJSON *req = cJSON_Parse(text), *reply, *st;
	const cJSON *cmd = req ? cJSON_GetObjectItemCaseSensitive(req, "cmd") : NULL;
	char *out;

	if (!cJSON_IsString(cmd)) {
		reply = reply_error("request: not JSON with a 'cmd'");
	} else if (!strcmp(cmd->valuestring, "status")) {
		reply = reply_ok();
		st = daemon_status(d);
		cJSON_AddItemToObject(reply, "daemon", st);
	} else if (!strcmp(cmd->valuestring, "reload")) {
		reply = daemon_reload(d) ? reply_error("reload failed: the running configuration "
						       "stays; see the daemon's log") :
					   reply_ok();
	} else if (!strcmp(cmd->valuestring, "block")) {
		reply = do_block(d, req, false);
	} else if (!strcmp(cmd->valuestring, "unblock")) {
		reply = do_block(d, req, true);
	} else {
		reply = reply_error("request: unknown 'cmd'");
	}
	cJSON_Delete(req);
	out = reply ? cJSON_PrintUnformatted(reply) : NULL;
	cJSON_Delete(reply);
	return out;
}
