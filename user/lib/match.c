// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the decision engine declared in match.h. The order of the per-response
 * checks is analysisd's (dstuser, srcip, white list, then dispatch by location); what follows
 * dispatch (no address, never-block addresses) is arxdp's own, because firewall-drop would only
 * fail or lock the host out there.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "match.h"
#include "util.h"

/* ---- rule binding -------------------------------------------------------------------------- */

bool match_rules_id(const char *p, int rule_num)
{
	size_t guard = 0;

	if (!p)
		return false;
	/* Rule_AddAR: spaces and commas skipped, a number compared, then on past the next ','. */
	while (*p && guard++ < 1u << 20) {
		if (*p == ' ' || *p == ',') {
			p++;
		} else if (isdigit((unsigned char)*p)) {
			if (atoi(p) == rule_num)
				return true;
			p = strchr(p, ',');
			if (!p)
				return false;
			p++;
		} else {
			return false;
		}
	}
	return false;
}

bool match_binds(const struct ossec_ar *ar, int level, int rule_num, const char *groups)
{
	bool has_group = ar->rules_group != NULL;

	if (level <= 0)
		return false;
	if (ar->level && has_group) {
		if (level >= ar->level && oregex_match(&ar->group_re, groups))
			return true;
	} else if ((ar->level && level >= ar->level) ||
		   (has_group && oregex_match(&ar->group_re, groups))) {
		return true;
	}
	return match_rules_id(ar->rules_id, rule_num);
}

/* ---- checks before sending ----------------------------------------------------------------- */

static bool all_in(const char *s, const char *extra)
{
	size_t guard = 0;

	for (; *s && guard++ < ALERT_LINE_MAX; s++)
		if (!isalnum((unsigned char)*s) || !isascii((unsigned char)*s))
			if (!strchr(extra, *s))
				return false;
	return true;
}

bool match_srcip_chars(const char *s)
{
	return all_in(s, ".:_-");
}

bool match_dstuser_chars(const char *s)
{
	return all_in(s, "._@?-");
}

/* OS_IPFoundList: a '!' entry flips the answer for itself, every later entry and the end. */
static bool wl_ip_found(const struct ossec_config *cfg, uint32_t ip)
{
	bool yes = true;
	size_t i;

	for (i = 0; i < cfg->n_wl_ip; i++) {
		if (cfg->wl_ip[i].negate)
			yes = false;
		if ((ip & cfg->wl_ip[i].mask) == cfg->wl_ip[i].net)
			return yes;
	}
	return !yes;
}

bool match_white_list(const struct ossec_config *cfg, const char *srcip)
{
	struct in_addr a4;
	size_t i;

	if (!srcip)
		return false;
	if (!strncasecmp(srcip, "::ffff:", 7))
		srcip += 7;
	/* An IPv6 srcip against IPv4 entries is untyped in Wazuh: count it as no match. */
	if (cfg->n_wl_ip && inet_pton(AF_INET, srcip, &a4) == 1 &&
	    wl_ip_found(cfg, ntohl(a4.s_addr)))
		return true;
	for (i = 0; i < cfg->n_wl_host; i++)
		if (oregex_match(&cfg->wl_host[i].re, srcip))
			return true;
	return false;
}

/* ---- dispatch ------------------------------------------------------------------------------ */

static bool is_manager(const struct arxdp_settings *s)
{
	return atoi(s->agent_id) == 0;
}

/* Section 3.1 (OS_Exec): server, or local for the manager's own alert, goes to its execq. */
static bool to_manager(const struct ossec_ar *ar, const char *agent_id)
{
	return (ar->loc & AR_LOC_AS_ONLY) ||
	       ((ar->loc & AR_LOC_REMOTE_AGENT) && !strcmp(agent_id, "000"));
}

bool match_runs_here(const struct arxdp_settings *s, const struct ossec_ar *ar,
		     const char *agent_id)
{
	bool to_mgr = to_manager(ar, agent_id);
	int self = atoi(s->agent_id);

	if (is_manager(s))
		return to_mgr || ((ar->loc & AR_LOC_ALL_AGENTS) && s->manager_in_all);
	if (to_mgr)
		return false;
	if (ar->loc & AR_LOC_ALL_AGENTS)
		return true;
	if ((ar->loc & AR_LOC_SPECIFIC_AGENT) && ar->agent_num == self)
		return true;
	return (ar->loc & AR_LOC_REMOTE_AGENT) && atoi(agent_id) == self;
}

const char *match_action_name(enum match_action a)
{
	switch (a) {
	case MATCH_BLOCK:
		return "block";
	case MATCH_SCRIPT:
		return "script";
	case MATCH_SKIP:
		return "skip";
	}
	return "?";
}

const char *match_reason_name(enum match_reason r)
{
	static const char *const names[] = {
		[MATCH_REASON_NONE] = "",
		[MATCH_WHITE_LIST] = "white_list",
		[MATCH_INVALID_SRCIP] = "invalid_srcip",
		[MATCH_INVALID_DSTUSER] = "invalid_dstuser",
		[MATCH_NO_SRCIP] = "no_srcip",
		[MATCH_REMOTE] = "remote",
		[MATCH_OWN_ADDRESS] = "own_address",
		[MATCH_LOOPBACK] = "loopback",
		[MATCH_AR_DISABLED] = "ar_disabled",
	};

	if ((unsigned int)r < ARRAY_SIZE(names))
		return names[r];
	return "?";
}

int match_rkey(char *buf, size_t len, const char *executable, const char *key)
{
	const char *base = strrchr(executable, '/');
	size_t need;

	base = base ? base + 1 : executable;
	need = strlen(base) + 1 + strlen(key) + 1;
	if (need > len)
		return -ENAMETOOLONG;
	memcpy(buf, base, strlen(base));
	buf[strlen(base)] = '-';
	memcpy(buf + strlen(base) + 1, key, strlen(key) + 1);
	return 0;
}

static bool is_own(const struct match_env *env, const struct arxdp_addr *a)
{
	size_t i;

	for (i = 0; i < env->n_own; i++)
		if (env->own[i].family == a->family && !memcmp(env->own[i].a, a->a, 16))
			return true;
	return false;
}

/*
 * Would Wazuh deliver this response to this node's execd at all? analysisd's OS_Exec sends the
 * manager's own responses to execq only with LOCAL_AR in Config.ar and everything for agents
 * only with REMOTE_AR (both cleared by a trailing disabled block), and a node whose execd is
 * off (1350) binds no execq: analysisd logs 1210 once and drops what it would have sent there.
 */
static bool wazuh_sends(const struct ossec_config *cfg, const struct ossec_ar *ar,
			const char *agent_id)
{
	unsigned int queue = to_manager(ar, agent_id) ? AR_QUEUE_LOCAL : AR_QUEUE_REMOTE;

	return !cfg->execd_disabled && (cfg->ar_queue & queue);
}

/* What analysisd's checks say about the alert; the same for every response. */
static enum match_reason alert_checks(const struct match_env *env, const struct alert *a)
{
	if (a->dstuser && !match_dstuser_chars(a->dstuser))
		return MATCH_INVALID_DSTUSER;
	if (a->srcip && !match_srcip_chars(a->srcip))
		return MATCH_INVALID_SRCIP;
	/* Wazuh checks data.srcip; the address we would block is checked too, to be safe. */
	if (match_white_list(env->cfg, a->srcip) ||
	    (a->addr != a->srcip && match_white_list(env->cfg, a->addr)))
		return MATCH_WHITE_LIST;
	return MATCH_REASON_NONE;
}

/* Everything but binding: what this one response does for this alert here. */
static void decide(const struct match_env *env, const struct alert *a, enum match_reason pre,
		   bool addr_ok, const struct arxdp_addr *addr, const struct ossec_ar *ar,
		   struct match_decision *d)
{
	bool fast = settings_is_fastpath(env->settings, ar->cmd->executable);
	char rkey[OFFENDER_KEY_MAX];

	memset(d, 0, sizeof(*d));
	d->ar = ar;
	d->action = MATCH_SKIP;
	d->timeout = ar->timeout;
	d->has_addr = addr_ok;
	if (addr_ok)
		d->addr = *addr;

	if (pre != MATCH_REASON_NONE)
		d->reason = pre;
	else if (!match_runs_here(env->settings, ar, a->agent_id))
		d->reason = MATCH_REMOTE;
	else if (!wazuh_sends(env->cfg, ar, a->agent_id))
		d->reason = MATCH_AR_DISABLED;
	else if (!fast)
		d->action = MATCH_SCRIPT;
	else if (!a->addr || !*a->addr)
		d->reason = MATCH_NO_SRCIP;
	else if (!addr_ok)
		d->reason = MATCH_INVALID_SRCIP;
	else if (addr_is_special(addr))
		d->reason = MATCH_LOOPBACK;
	else if (is_own(env, addr))
		d->reason = MATCH_OWN_ADDRESS;
	else
		d->action = MATCH_BLOCK;

	if (d->action != MATCH_BLOCK || !env->offenders)
		return;
	/* firewall-drop's check_keys key is the srcip text exactly as the alert carries it. */
	if (!match_rkey(rkey, sizeof(rkey), ar->cmd->executable, a->addr))
		d->timeout = offenders_escalate(env->offenders, env->cfg, rkey, ar->timeout,
						&d->repeats);
}

int match_alert(const struct match_env *env, const struct alert *a, struct match_decision *out,
		size_t max, size_t *n)
{
	enum match_reason pre = MATCH_REASON_NONE;
	bool addr_ok, checked = false;
	struct arxdp_addr addr;
	size_t i;

	*n = 0;
	/* A rule of level 0 never gets a response (Rule_AddAR skips it). */
	if (a->level <= 0)
		return 0;
	addr_ok = a->addr && !addr_parse_host(a->addr, &addr);
	for (i = 0; i < env->cfg->n_ars; i++) {
		const struct ossec_ar *ar = &env->cfg->ars[i];

		if (!match_binds(ar, a->level, a->rule_num, a->groups ? a->groups : ""))
			continue;
		if (*n >= max)
			return -ENOSPC;
		if (!checked) {
			pre = alert_checks(env, a);
			checked = true;
		}
		decide(env, a, pre, addr_ok, &addr, ar, &out[(*n)++]);
	}
	return 0;
}

/* ---- repeated offenders -------------------------------------------------------------------- */

struct offender {
	char *rkey; /* NULL: empty slot */
	uint64_t hash;
	uint32_t count;
};

struct offender_table {
	struct offender *slots;
	size_t cap; /* power of two */
	size_t n;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return h;
}

struct offender_table *offenders_new(void)
{
	struct offender_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->cap = 64;
	t->slots = calloc(t->cap, sizeof(*t->slots));
	if (!t->slots) {
		free(t);
		return NULL;
	}
	return t;
}

void offenders_free(struct offender_table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->cap; i++)
		free(t->slots[i].rkey);
	free(t->slots);
	free(t);
}

static struct offender *find_slot(const struct offender_table *t, const char *rkey, uint64_t h)
{
	size_t i, mask = t->cap - 1;

	/* Load stays under 1/2, so an empty slot always ends the probe within cap steps. */
	for (i = h & mask;; i = (i + 1) & mask) {
		struct offender *o = &t->slots[i];

		if (!o->rkey || (o->hash == h && !strcmp(o->rkey, rkey)))
			return o;
	}
}

static int grow_table(struct offender_table *t)
{
	struct offender *old = t->slots;
	size_t old_cap = t->cap, i;

	t->slots = calloc(old_cap * 2, sizeof(*t->slots));
	if (!t->slots) {
		t->slots = old;
		return -ENOMEM;
	}
	t->cap = old_cap * 2;
	for (i = 0; i < old_cap; i++)
		if (old[i].rkey)
			*find_slot(t, old[i].rkey, old[i].hash) = old[i];
	free(old);
	return 0;
}

static struct offender *lookup_or_add(struct offender_table *t, const char *rkey, bool *added)
{
	char key[OFFENDER_KEY_MAX];
	struct offender *o;
	uint64_t h;

	/* execd truncates the rkey at 4095 characters; do the same so the keys agree. */
	str_copy(key, rkey, sizeof(key));
	h = hash_str(key);
	o = find_slot(t, key, h);
	*added = false;
	if (o->rkey)
		return o;
	if (t->n >= OFFENDERS_MAX)
		return NULL;
	if ((t->n + 1) * 2 > t->cap) {
		if (grow_table(t))
			return NULL;
		o = find_slot(t, key, h);
	}
	o->rkey = strdup(key);
	if (!o->rkey)
		return NULL;
	o->hash = h;
	o->count = 0;
	t->n++;
	*added = true;
	return o;
}

uint32_t offenders_escalate(struct offender_table *t, const struct ossec_config *cfg,
			    const char *rkey, uint32_t timeout, uint32_t *repeats)
{
	struct offender *o;
	bool added;
	int n;

	if (repeats)
		*repeats = 0;
	if (!t || !timeout || !cfg->n_repeated)
		return timeout;
	o = lookup_or_add(t, rkey, &added);
	/* Out of memory or at OFFENDERS_MAX: behave as for a first sight rather than fail. */
	if (!o || added)
		return timeout;
	n = cfg->n_repeated;
	if (o->count >= (uint32_t)n) {
		timeout = cfg->repeated[n - 1] * 60;
	} else {
		timeout = cfg->repeated[o->count] * 60;
		o->count++;
	}
	if (repeats)
		*repeats = o->count;
	return timeout;
}

int offenders_set(struct offender_table *t, const char *rkey, uint32_t count)
{
	struct offender *o;
	bool added;

	if (!rkey || !*rkey)
		return -EINVAL;
	o = lookup_or_add(t, rkey, &added);
	if (!o)
		return t->n >= OFFENDERS_MAX ? -ENOSPC : -ENOMEM;
	o->count = count;
	return 0;
}

int offenders_get(const struct offender_table *t, const char *rkey, uint32_t *count)
{
	char key[OFFENDER_KEY_MAX];
	struct offender *o;

	str_copy(key, rkey, sizeof(key));
	o = find_slot(t, key, hash_str(key));
	if (!o->rkey)
		return -ENOENT;
	*count = o->count;
	return 0;
}

size_t offenders_size(const struct offender_table *t)
{
	return t ? t->n : 0;
}

int offenders_foreach(const struct offender_table *t,
		      int (*cb)(const char *rkey, uint32_t count, void *ctx), void *ctx)
{
	size_t i;
	int ret;

	for (i = 0; t && i < t->cap; i++) {
		if (!t->slots[i].rkey)
			continue;
		ret = cb(t->slots[i].rkey, t->slots[i].count, ctx);
		if (ret)
			return ret;
	}
	return 0;
}
