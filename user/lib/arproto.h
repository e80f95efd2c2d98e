/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares Wazuh's active-response message protocol (4.2 and later), both sides:
 * what an AR program accepts and answers (active_responses.c) and what wazuh-execd sends
 * (execd.c). Messages are one line of unformatted cJSON each; key order and escaping come from
 * the same library Wazuh uses, so the bytes match.
 */
#ifndef ARXDP_ARPROTO_H
#define ARXDP_ARPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "addr.h"
#include "sbuf.h"

#define AR_VERSION 1
#define AR_MODULE_PROGRAM "active-response" /* origin.module of an AR program's reply */
#define AR_MODULE_EXECD "wazuh-execd"
/* OS_MAXSTR: an AR program reads one line of at most this many bytes (fgets). */
#define AR_INPUT_MAX 65536
/* OS_SIZE_4096: execd's rkey buffer, terminator included. */
#define AR_RKEY_MAX 4096

enum ar_command {
	AR_CMD_OTHER = 0, /* a string, but none of the below */
	AR_CMD_ADD,
	AR_CMD_DELETE,
	AR_CMD_CONTINUE,
	AR_CMD_ABORT,
	AR_CMD_CHECK_KEYS,
};

/*
 * get_json_from_input(): parses line and checks that version is a number, origin an object,
 * command a string and parameters an object. 0 and *out (free with cJSON_Delete), or -EINVAL.
 */
int arproto_parse(const char *line, cJSON **out);
/* arproto_parse()'s checks on a tree already parsed: 0 or -EINVAL. */
int arproto_check(const cJSON *j);
/* The command of a parsed message; AR_CMD_OTHER when it is missing or unknown. */
enum ar_command arproto_command(const cJSON *msg);
/* "add", "delete", "continue", "abort", "check_keys"; NULL for AR_CMD_OTHER. */
const char *arproto_command_name(enum ar_command cmd);
/*
 * The address an AR acts on, in Wazuh's lookup order under parameters.alert:
 * data.win.eventdata.ipAddress, data.win.eventdata.destinationIp, data.srcip, then Wazuh 5's
 * source.ip. Each must be a string holding a numeric IPv4 or IPv6 address (4.14.7); one that
 * is not counts as missing. Returns the string (owned by msg) and fills *a (optional), or NULL.
 */
const char *arproto_srcip(const cJSON *msg, struct arxdp_addr *a);
/* parameters.alert.rule.id (numeric string or number) and .level; 0 when absent or invalid. */
void arproto_rule(const cJSON *msg, uint32_t *rule_id, uint8_t *level);
/*
 * The check_keys line an AR program prints (without the newline), origin.name = name.
 * malloc'd; NULL on allocation failure.
 */
char *arproto_check_keys(const char *name, const char *const *keys, int n_keys);
/*
 * The message execd writes to an AR program: {"version":1,"origin":{"name":node,"module":
 * "wazuh-execd"},"command":cmd,"parameters":{"extra_args":[...],"alert":alert,"program":
 * program}}. alert is copied (NULL gives {}). malloc'd; NULL on failure.
 */
char *arproto_execd_msg(const char *node, enum ar_command cmd, const cJSON *alert,
			const char *const *extra_args, int n_extra, const char *program);
/*
 * The same message around an alert that is JSON text already (the line Wazuh wrote to
 * alerts.json, which is what analysisd embeds), built without a JSON tree: arxdpd's per-block
 * path. verb is the command name ("add", "continue", "abort", "delete"). NULL on failure.
 */
char *arproto_execd_msg_raw(const char *node, const char *verb, const char *alert, size_t alert_len,
			    const char *const *extra_args, int n_extra, const char *program);
/* The same, appended to b (b->oom tells of a failure). */
void arproto_execd_msg_sb(struct sbuf *b, const char *node, const char *verb, const char *alert,
			  size_t alert_len, const char *const *extra_args, int n_extra,
			  const char *program);
/* arproto_check_keys's line appended to b, byte for byte, without a JSON tree. */
void arproto_check_keys_sb(struct sbuf *b, const char *name, const char *const *keys, int n_keys);
/*
 * execd's timeout-list key from the line a program printed: base, then "-<key>" for each
 * string of a check_keys reply, cut at AR_RKEY_MAX - 1 characters (*truncated set). Any other
 * line gives base alone. buf must hold AR_RKEY_MAX bytes or len; -EINVAL when len is 0.
 */
int arproto_rkey(const char *line, const char *base, char *buf, size_t len, bool *truncated);

#endif /* ARXDP_ARPROTO_H */
