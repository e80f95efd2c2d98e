/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file contains the parser of one alerts.json line (Wazuh's compact alert JSON) into the
 * plain struct the matching engine reads. The cJSON tree is kept: the daemon forwards the whole
 * alert object to scripts inside Wazuh's execd message, exactly as analysisd would.
 */
#ifndef ARXDP_ALERT_H
#define ARXDP_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest line accepted, newline excluded: OS_MAXSTR, the size of Wazuh's own buffers. */
#define ALERT_LINE_MAX 65536

struct cJSON;
struct sbuf;

/*
 * Where Wazuh looks for the address an active response acts on, in its order: the Windows
 * event's ipAddress, then its destinationIp, then data.srcip, then Wazuh 5's source.ip
 * (active_responses.c get_srcip_from_json). The last two are also analysisd's srcip.
 */
struct alert_path {
	const char *const *keys;
	int n;
};
#define ALERT_ADDR_PATHS 4
#define ALERT_SRCIP_FIRST 2 /* alert_addr_paths[2] and [3]: analysisd's srcip */
extern const struct alert_path alert_addr_paths[ALERT_ADDR_PATHS];

struct alert {
	/* Owns every string below; the "alert" object of execd's JSON. Read-only: the tree
	 * lives in the alert's own arena and is released by alert_free() only. */
	struct cJSON *root;
	void *arena;
	bool borrowed; /* alert_from_json(): root is the caller's, alert_free leaves it */
	const char *id; /* "<epoch>.<counter>" */
	const char *rule_id; /* rule.id, a string of digits */
	int rule_num; /* atoi(rule_id), what rules_id compares against */
	int level; /* rule.level */
	const char *agent_id; /* agent.id; "000" when the alert has no agent (manager's own) */
	/*
	 * The address firewall-drop would block: data.win.eventdata.ipAddress, then
	 * data.win.eventdata.destinationIp, then data.srcip, then Wazuh 5's source.ip (first string
	 * found). NULL when none.
	 */
	const char *addr;
	/* analysisd's srcip (data.srcip, else source.ip): what the 1271 and white-list checks see. */
	const char *srcip;
	const char *dstuser; /* data.dstuser */
	const char *location; /* top-level "location" */
	const char *timestamp;
	int64_t time_s; /* timestamp as UTC epoch seconds; from the id's epoch when unparseable */
	/*
	 * The group text rules_group matches: each of rule.groups followed by ',', then the
	 * compliance arrays as "pci_dss_<v>," "cis_<v>," ... in the alert's order.
	 */
	char *groups;
	size_t groups_len;
};

/*
 * Parses one line (len bytes, no newline needed, need not be terminated). On failure returns
 * -EINVAL (not JSON, missing or mistyped required field: rule.id, rule.level, id) or -E2BIG
 * (longer than ALERT_LINE_MAX) or -ENOMEM, with a sentence in err; a is then empty. The caller
 * adds the file and line number.
 */
int alert_parse(struct alert *a, const char *line, size_t len, char *err, size_t errlen);
/*
 * The same fields, checks and messages as alert_parse, from a tree the caller already holds
 * (the "alert" object of an execd message): no second parse. a borrows root (every string
 * points into it), so root must outlive a; alert_free(a) still frees what a owns (groups).
 */
int alert_from_json(struct alert *a, const struct cJSON *root, char *err, size_t errlen);
/*
 * alert_from_json without the group text (groups stays NULL), for a response already chosen
 * (execq's fast path), which matches no rules_group: the same checks, fields and messages.
 */
int alert_block_fields(struct alert *a, const struct cJSON *root, char *err, size_t errlen);
/*
 * What a block's delete line needs of the alert, instead of the whole alert: timestamp, rule
 * id, level and description, agent, id and the address paths. Built in scratch (kept by the
 * caller between alerts, so no buffer grows per block), returned malloc'd at its size; NULL on
 * allocation failure.
 */
char *alert_compact(const struct alert *a, struct sbuf *scratch);
/* Frees what alert_parse allocated; safe on a zeroed or already freed struct. */
void alert_free(struct alert *a);
/* Returns the memory the parser keeps between alerts (at exit: leak checkers stay quiet). */
void alert_cleanup(void);
/* "2022-05-11T12:29:19.905+0000" -> UTC epoch seconds; -EINVAL when malformed. */
int alert_parse_time(const char *ts, int64_t *epoch);

#endif /* ARXDP_ALERT_H */
