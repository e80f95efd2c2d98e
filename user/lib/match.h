/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file contains the decision engine: for one alert, which <active-response> blocks fire
 * and what each one does on this node, with Wazuh's semantics (rule binding as Rule_AddAR,
 * the checks analysisd makes before sending, dispatch by location, execd's repeated-offender
 * escalation). Pure functions without I/O: the daemon and `arxdp replay` call the same
 * match_alert() and differ only in what they do with the decisions.
 */
#ifndef ARXDP_MATCH_H
#define ARXDP_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "addr.h"
#include "alert.h"
#include "config.h"
#include "settings.h"

enum match_action {
	MATCH_BLOCK = 0, /* fast-path executable: a map write for addr */
	MATCH_SCRIPT, /* any other executable: run it the way execd does */
	MATCH_SKIP, /* bound to the rule but not run here; see reason */
};

enum match_reason {
	MATCH_REASON_NONE = 0,
	MATCH_WHITE_LIST, /* <global><white_list> covers the srcip */
	MATCH_INVALID_SRCIP, /* srcip fails analysisd's 1271 check, or is not a numeric address */
	MATCH_INVALID_DSTUSER, /* dstuser fails analysisd's 1272 check */
	MATCH_NO_SRCIP, /* fast-path command, alert without an address */
	MATCH_REMOTE, /* the response belongs to agents, not to this node */
	MATCH_OWN_ADDRESS, /* one of this host's addresses: never blocked */
	MATCH_LOOPBACK, /* loopback / unspecified: never blocked */
	MATCH_AR_DISABLED, /* Wazuh would not run it: execd or analysisd's queue is off */
};

struct match_decision {
	const struct ossec_ar *ar; /* points into the ossec_config; valid while it lives */
	enum match_action action;
	enum match_reason reason; /* MATCH_REASON_NONE unless action is MATCH_SKIP */
	bool has_addr;
	struct arxdp_addr addr; /* the address firewall-drop would read, when numeric */
	uint32_t timeout; /* effective seconds (after escalation for blocks); 0 = no expiry */
	uint32_t repeats; /* execd's repeat count for the rkey after this add; 0 = first */
};

struct offender_table;

/* What match_alert reads besides the alert. Nothing here is modified but the offenders. */
struct match_env {
	const struct ossec_config *cfg;
	const struct arxdp_settings *settings; /* agent_id, manager_in_all, fast-path set */
	const struct arxdp_addr *own; /* this host's addresses, never blocked */
	size_t n_own;
	struct offender_table *offenders; /* NULL: no repeated-offender escalation */
};

/*
 * Fills out[0..*n) with one decision per <active-response> bound to the alert's rule, in
 * configuration order. A block decision also counts as an execd add for its rkey
 * ("<executable>-<srcip>") in env->offenders and carries the escalated timeout; scripts keep
 * the configured timeout (their rkey is known only after their check_keys reply: call
 * offenders_escalate then). Returns 0, or -ENOSPC when max is too small (out holds the first
 * max decisions). cfg->n_ars is always enough.
 */
int match_alert(const struct match_env *env, const struct alert *a, struct match_decision *out,
		size_t max, size_t *n);

/* Rule binding (Rule_AddAR): level >=, level AND group when both set, else OR; rules_id OR. */
bool match_binds(const struct ossec_ar *ar, int level, int rule_num, const char *groups);
/* Wazuh's rules_id walk: "5710, 5712" lists both, "5710 5712" only 5710, "x,5710" nothing. */
bool match_rules_id(const char *rules_id, int rule_num);
/* analysisd's character classes: srcip ^[a-zA-Z.:_0-9-]*$, dstuser ^[a-zA-Z._0-9@?-]*$. */
bool match_srcip_chars(const char *s);
bool match_dstuser_chars(const char *s);
/* get_ip(): is srcip white-listed? (::ffff: stripped, IPv4 list with the '!' quirk, patterns) */
bool match_white_list(const struct ossec_config *cfg, const char *srcip);
/* Does this response run on this node for an alert from agent_id (section 3.1)? */
bool match_runs_here(const struct arxdp_settings *s, const struct ossec_ar *ar,
		     const char *agent_id);
const char *match_action_name(enum match_action a);
const char *match_reason_name(enum match_reason r);
/* execd's rkey: "<basename(executable)>-<key>"; -ENAMETOOLONG when it does not fit. */
int match_rkey(char *buf, size_t len, const char *executable, const char *key);

/* Repeated-offender state: execd's rkey -> count hash, never decremented. */
#define OFFENDERS_MAX (1u << 22)
#define OFFENDER_KEY_MAX 4096 /* execd truncates rkeys at 4095 characters */

struct offender_table *offenders_new(void);
void offenders_free(struct offender_table *t);
/*
 * One execd add for rkey with configured timeout (seconds): returns the timeout execd would use
 * (section 4.4: 0 and an unconfigured escalation leave it alone; the first sight records 0 and
 * keeps it; the n-th repeat uses repeated[n-1] minutes, the last one once they run out).
 * *repeats (may be NULL) receives the count after this add.
 */
uint32_t offenders_escalate(struct offender_table *t, const struct ossec_config *cfg,
			    const char *rkey, uint32_t timeout, uint32_t *repeats);
/* Restores (or overwrites) one entry, e.g. from the daemon's state file. */
int offenders_set(struct offender_table *t, const char *rkey, uint32_t count);
/* -ENOENT when rkey was never seen. */
int offenders_get(const struct offender_table *t, const char *rkey, uint32_t *count);
size_t offenders_size(const struct offender_table *t);
/* Calls cb for every entry (unspecified order) until it returns non-zero, which is returned. */
int offenders_foreach(const struct offender_table *t,
		      int (*cb)(const char *rkey, uint32_t count, void *ctx), void *ctx);

#endif /* ARXDP_MATCH_H */
