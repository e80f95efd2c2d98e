// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains Wazuh's active-response message protocol (see arproto.h). Validation
 * follows active_responses.c exactly (a message Wazuh's programs reject is rejected here, and
 * the other way round); builders follow execd.c's key order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "alert.h"
#include "arproto.h"
#include "sbuf.h"

static const char *const cmd_names[] = {
	[AR_CMD_ADD] = "add",
	[AR_CMD_DELETE] = "delete",
	[AR_CMD_CONTINUE] = "continue",
	[AR_CMD_ABORT] = "abort",
	[AR_CMD_CHECK_KEYS] = "check_keys",
};

#define N_CMDS (sizeof(cmd_names) / sizeof(cmd_names[0]))

int arproto_parse(const char *line, cJSON **out)
{
	cJSON *j;

	*out = NULL;
	if (!line)
		return -EINVAL;
	/* Trailing bytes after the object are allowed, as cJSON_ParseWithOpts(…, 0) allows. */
	j = cJSON_ParseWithOpts(line, NULL, 0);
	if (!j)
		return -EINVAL;
	if (arproto_check(j)) {
		cJSON_Delete(j);
		return -EINVAL;
	}
	*out = j;
	return 0;
}

int arproto_check(const cJSON *j)
{
	if (!cJSON_IsNumber(cJSON_GetObjectItem(j, "version")) ||
	    !cJSON_IsObject(cJSON_GetObjectItem(j, "origin")) ||
	    !cJSON_IsString(cJSON_GetObjectItem(j, "command")) ||
	    !cJSON_IsObject(cJSON_GetObjectItem(j, "parameters")))
		return -EINVAL;
	return 0;
}

enum ar_command arproto_command(const cJSON *msg)
{
	const cJSON *c = cJSON_GetObjectItem(msg, "command");
	size_t i;

	if (!cJSON_IsString(c))
		return AR_CMD_OTHER;
	for (i = 1; i < N_CMDS; i++)
		if (!strcmp(c->valuestring, cmd_names[i]))
			return (enum ar_command)i;
	return AR_CMD_OTHER;
}

const char *arproto_command_name(enum ar_command cmd)
{
	if ((size_t)cmd >= N_CMDS || cmd == AR_CMD_OTHER)
		return NULL;
	return cmd_names[cmd];
}

/* Follows a path of object keys; NULL as soon as one step is not an object. */
static const cJSON *walk(const cJSON *o, const char *const *path, int n)
{
	int i;

	for (i = 0; i < n && o; i++) {
		if (!cJSON_IsObject(o))
			return NULL;
		o = cJSON_GetObjectItem(o, path[i]);
	}
	return o;
}

static const cJSON *alert_of(const cJSON *msg)
{
	static const char *const p[] = { "parameters", "alert" };
	const cJSON *a = walk(msg, p, 2);

	return cJSON_IsObject(a) ? a : NULL;
}

const char *arproto_srcip(const cJSON *msg, struct arxdp_addr *a)
{
	const cJSON *alert = alert_of(msg), *v;
	struct arxdp_addr tmp;
	size_t i;

	if (!alert)
		return NULL;
	/* Unlike the alerts.json reader, each candidate must be an address (4.14.7). */
	for (i = 0; i < ALERT_ADDR_PATHS; i++) {
		v = walk(alert, alert_addr_paths[i].keys, alert_addr_paths[i].n);
		if (!cJSON_IsString(v) || addr_parse_host(v->valuestring, a ? a : &tmp))
			continue;
		return v->valuestring;
	}
	return NULL;
}

void arproto_rule(const cJSON *msg, uint32_t *rule_id, uint8_t *level)
{
	static const char *const rule_path[] = { "rule" };
	const cJSON *alert = alert_of(msg), *rule, *id, *lv;
	unsigned long v;
	char *end;

	*rule_id = 0;
	*level = 0;
	rule = alert ? walk(alert, rule_path, 1) : NULL;
	if (!cJSON_IsObject(rule))
		return;
	id = cJSON_GetObjectItem(rule, "id");
	if (cJSON_IsString(id) && id->valuestring[0] >= '0' && id->valuestring[0] <= '9') {
		errno = 0;
		v = strtoul(id->valuestring, &end, 10);
		if (!errno && !*end && v <= UINT32_MAX)
			*rule_id = (uint32_t)v;
	} else if (cJSON_IsNumber(id) && id->valuedouble >= 0 && id->valuedouble <= UINT32_MAX) {
		*rule_id = (uint32_t)id->valuedouble;
	}
	lv = cJSON_GetObjectItem(rule, "level");
	if (cJSON_IsNumber(lv) && lv->valuedouble >= 0 && lv->valuedouble <= UINT8_MAX)
		*level = (uint8_t)lv->valuedouble;
}

static char *print_and_free(cJSON *o, bool ok)
{
	char *s = ok ? cJSON_PrintUnformatted(o) : NULL;

	cJSON_Delete(o);
	return s;
}

char *arproto_check_keys(const char *name, const char *const *keys, int n_keys)
{
	cJSON *m = cJSON_CreateObject(), *origin, *params, *arr;
	bool ok = m != NULL;
	int i;

	ok = ok && cJSON_AddNumberToObject(m, "version", AR_VERSION);
	origin = ok ? cJSON_AddObjectToObject(m, "origin") : NULL;
	ok = ok && origin && cJSON_AddStringToObject(origin, "name", name ? name : "");
	ok = ok && cJSON_AddStringToObject(origin, "module", AR_MODULE_PROGRAM);
	ok = ok && cJSON_AddStringToObject(m, "command", cmd_names[AR_CMD_CHECK_KEYS]);
	params = ok ? cJSON_AddObjectToObject(m, "parameters") : NULL;
	arr = params ? cJSON_AddArrayToObject(params, "keys") : NULL;
	ok = ok && arr;
	for (i = 0; ok && i < n_keys; i++) {
		cJSON *k = cJSON_CreateString(keys[i]);

		ok = k && cJSON_AddItemToArray(arr, k);
	}
	return print_and_free(m, ok);
}

char *arproto_execd_msg(const char *node, enum ar_command cmd, const cJSON *alert,
			const char *const *extra_args, int n_extra, const char *program)
{
	cJSON *m = cJSON_CreateObject(), *origin, *params, *arr, *al;
	const char *name = arproto_command_name(cmd);
	bool ok = m && name;
	int i;

	ok = ok && cJSON_AddNumberToObject(m, "version", AR_VERSION);
	origin = ok ? cJSON_AddObjectToObject(m, "origin") : NULL;
	ok = ok && origin && cJSON_AddStringToObject(origin, "name", node ? node : "");
	ok = ok && cJSON_AddStringToObject(origin, "module", AR_MODULE_EXECD);
	ok = ok && cJSON_AddStringToObject(m, "command", name);
	params = ok ? cJSON_AddObjectToObject(m, "parameters") : NULL;
	arr = params ? cJSON_AddArrayToObject(params, "extra_args") : NULL;
	ok = ok && arr;
	for (i = 0; ok && i < n_extra; i++) {
		cJSON *s = cJSON_CreateString(extra_args[i]);

		ok = s && cJSON_AddItemToArray(arr, s);
	}
	if (ok) {
		al = alert ? cJSON_Duplicate(alert, 1) : cJSON_CreateObject();
		ok = al && cJSON_AddItemToObject(params, "alert", al);
		if (al && !ok)
			cJSON_Delete(al);
	}
	ok = ok && cJSON_AddStringToObject(params, "program", program ? program : "");
	return print_and_free(m, ok);
}

void arproto_execd_msg_sb(struct sbuf *b, const char *node, const char *verb, const char *alert,
			  size_t alert_len, const char *const *extra_args, int n_extra,
			  const char *program)
{
	int i;

	sb_str(b, "{\"version\":1,\"origin\":{\"name\":");
	sb_json(b, node ? node : "");
	sb_str(b, ",\"module\":\"" AR_MODULE_EXECD "\"},\"command\":");
	sb_json(b, verb);
	sb_str(b, ",\"parameters\":{\"extra_args\":[");
	for (i = 0; i < n_extra; i++) {
		if (i)
			sb_add(b, ",", 1);
		sb_json(b, extra_args[i]);
	}
	sb_str(b, "],\"alert\":");
	if (alert && alert_len)
		sb_add(b, alert, alert_len);
	else
		sb_str(b, "{}");
	sb_str(b, ",\"program\":");
	sb_json(b, program ? program : "");
	sb_str(b, "}}");
}

char *arproto_execd_msg_raw(const char *node, const char *verb, const char *alert, size_t alert_len,
			    const char *const *extra_args, int n_extra, const char *program)
{
	struct sbuf b = {};

	arproto_execd_msg_sb(&b, node, verb, alert, alert_len, extra_args, n_extra, program);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

void arproto_check_keys_sb(struct sbuf *b, const char *name, const char *const *keys, int n_keys)
{
	int i;

	sb_str(b, "{\"version\":1,\"origin\":{\"name\":");
	sb_json(b, name ? name : "");
	sb_str(b, ",\"module\":\"" AR_MODULE_PROGRAM "\"},\"command\":\"check_keys\","
		  "\"parameters\":{\"keys\":[");
	for (i = 0; i < n_keys; i++) {
		if (i)
			sb_add(b, ",", 1);
		sb_json(b, keys[i]);
	}
	sb_str(b, "]}}");
}

int arproto_rkey(const char *line, const char *base, char *buf, size_t len, bool *truncated)
{
	const cJSON *keys, *k;
	size_t used, n, room;
	cJSON *msg = NULL;

	if (!len)
		return -EINVAL;
	if (len > AR_RKEY_MAX)
		len = AR_RKEY_MAX;
	*truncated = false;
	used = strlen(base);
	if (used >= len) {
		used = len - 1;
		*truncated = true;
	}
	memcpy(buf, base, used);
	buf[used] = '\0';
	if (*truncated || arproto_parse(line, &msg) || arproto_command(msg) != AR_CMD_CHECK_KEYS)
		goto out;
	keys = cJSON_GetObjectItem(cJSON_GetObjectItem(msg, "parameters"), "keys");
	if (!cJSON_IsArray(keys))
		goto out;
	cJSON_ArrayForEach(k, keys)
	{
		if (!cJSON_IsString(k))
			continue;
		n = strlen(k->valuestring) + 1;
		room = len - 1 - used;
		if (n > room) {
			n = room;
			*truncated = true;
		}
		if (n) {
			buf[used] = '-';
			memcpy(buf + used + 1, k->valuestring, n - 1);
			used += n;
			buf[used] = '\0';
		}
		if (*truncated)
			break;
	}
out:
	cJSON_Delete(msg);
	return 0;
}
