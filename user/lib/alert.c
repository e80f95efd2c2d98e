// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* This file contains the alerts.json line parser declared in alert.h. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>
#include "alert.h"
#include "sbuf.h"
#include "util.h"

static const char *const win_ip[] = { "data", "win", "eventdata", "ipAddress" };
static const char *const win_dst[] = { "data", "win", "eventdata", "destinationIp" };
static const char *const data_src[] = { "data", "srcip" };
static const char *const source_ip[] = { "source", "ip" };

const struct alert_path alert_addr_paths[ALERT_ADDR_PATHS] = {
	{ win_ip, 4 },
	{ win_dst, 4 },
	{ data_src, 2 },
	{ source_ip, 2 },
};

/* Compliance arrays analysisd moves out of rule.groups, with the prefix it strips (section 6). */
static const char *const compliance[][2] = {
	{ "pci_dss", "pci_dss_" }, { "cis", "cis_" },	  { "gdpr", "gdpr_" },
	{ "gpg13", "gpg13_" },	   { "hipaa", "hipaa_" }, { "nist_800_53", "nist_800_53_" },
	{ "tsc", "tsc_" },
};

static void set_err(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
}

/*
 * The alert's JSON tree lives in an arena of its own: cJSON allocates every node, key and
 * string apart (a Wazuh alert is a couple of hundred allocations), which cost arxdpd more per
 * alert than parsing itself. cJSON's allocator hooks are global, so they point at the arena
 * only for the duration of the parse, and the tree is released with the arena, never with
 * cJSON_Delete. Sanitizer builds keep cJSON's own allocations, so ASan still sees every node.
 */
#if defined(__SANITIZE_ADDRESS__)
#define ALERT_ARENA 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ALERT_ARENA 0
#endif
#endif
#ifndef ALERT_ARENA
#define ALERT_ARENA 1
#endif

#define ARENA_CHUNK 65536 /* a Wazuh alert tree takes 10-20 KiB; one chunk each, reused */

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

static struct arena_chunk *arena_cur; /* the chunk list of the alert being parsed */
static struct arena_chunk *arena_spare; /* one chunk kept between alerts */
static bool arena_failed;

static void *arena_alloc(size_t n)
{
	struct arena_chunk *c = arena_cur;
	size_t need = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);

	if (!c || c->cap - c->used < need) {
		size_t cap = need > ARENA_CHUNK ? need : ARENA_CHUNK;

		if (arena_spare && arena_spare->cap >= cap) {
			c = arena_spare;
			arena_spare = NULL;
		} else {
			c = malloc(sizeof(*c) + cap);
			if (!c) {
				arena_failed = true;
				return NULL;
			}
			c->cap = cap;
		}
		c->used = 0;
		c->next = arena_cur;
		arena_cur = c;
	}
	c->used += need;
	return (char *)c->data + c->used - need;
}

static void arena_nofree(void *p)
{
	(void)p; /* released with the arena */
}

static void arena_release(void *chunks)
{
	struct arena_chunk *c = chunks, *next;

	for (; c; c = next) {
		next = c->next;
		if (!arena_spare && c->cap == ARENA_CHUNK) {
			arena_spare = c;
			continue;
		}
		free(c);
	}
}

void alert_cleanup(void)
{
	free(arena_spare);
	arena_spare = NULL;
}

static cJSON *parse_tree(struct alert *a, const char *line, size_t len, const char **end)
{
	cJSON_Hooks arena = { .malloc_fn = arena_alloc, .free_fn = arena_nofree };
	cJSON *root;

	if (!ALERT_ARENA)
		return cJSON_ParseWithLengthOpts(line, len, end, false);
	arena_cur = NULL;
	arena_failed = false;
	cJSON_InitHooks(&arena);
	root = cJSON_ParseWithLengthOpts(line, len, end, false);
	cJSON_InitHooks(NULL);
	a->arena = arena_cur;
	arena_cur = NULL;
	if (arena_failed)
		root = NULL; /* cJSON checks every allocation; alert_parse says ENOMEM plainly */
	return root;
}

void alert_free(struct alert *a)
{
	if (!a)
		return;
	/* A borrowed tree (alert_from_json) is the caller's; it has no arena either. */
	if (ALERT_ARENA)
		arena_release(a->arena);
	else if (!a->borrowed)
		cJSON_Delete(a->root);
	free(a->groups);
	memset(a, 0, sizeof(*a));
}

static const char *get_str(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Walks a dotted path of objects; NULL when a step is missing. */
static const char *get_path(const cJSON *obj, const char *const *path, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n && obj; i++)
		obj = cJSON_GetObjectItemCaseSensitive(obj, path[i]);
	return obj ? get_str(obj, path[n - 1]) : NULL;
}

static int groups_append(struct alert *a, size_t *cap, const char *prefix, const char *v)
{
	size_t plen = strlen(prefix), vlen = strlen(v), need = plen + vlen + 2;
	char *p;

	if (a->groups_len + need > *cap) {
		size_t ncap = (*cap ? *cap * 2 : 256) + need;

		p = realloc(a->groups, ncap);
		if (!p)
			return -ENOMEM;
		a->groups = p;
		*cap = ncap;
	}
	memcpy(a->groups + a->groups_len, prefix, plen);
	memcpy(a->groups + a->groups_len + plen, v, vlen);
	a->groups_len += plen + vlen;
	a->groups[a->groups_len++] = ',';
	a->groups[a->groups_len] = '\0';
	return 0;
}

static int build_groups(struct alert *a, const cJSON *rule)
{
	const cJSON *arr, *item;
	size_t cap = 0, i;
	int err;

	/* Room for a typical rule's groups and compliance tags in one allocation. */
	cap = 512;
	a->groups = malloc(cap);
	if (!a->groups)
		return -ENOMEM;
	a->groups[0] = '\0';
	arr = cJSON_GetObjectItemCaseSensitive(rule, "groups");
	cJSON_ArrayForEach(item, arr)
	{
		if (!cJSON_IsString(item))
			continue;
		err = groups_append(a, &cap, "", item->valuestring);
		if (err)
			return err;
	}
	/* The alert keeps the arrays in first-seen order; the rule's raw text had them likewise. */
	cJSON_ArrayForEach(arr, rule)
	{
		if (!cJSON_IsArray(arr) || !arr->string)
			continue;
		for (i = 0; i < ARRAY_SIZE(compliance); i++)
			if (arr->string && !strcmp(arr->string, compliance[i][0]))
				break;
		if (i == ARRAY_SIZE(compliance) || !cJSON_IsArray(arr))
			continue;
		cJSON_ArrayForEach(item, arr)
		{
			if (!cJSON_IsString(item))
				continue;
			err = groups_append(a, &cap, compliance[i][1], item->valuestring);
			if (err)
				return err;
		}
	}
	return 0;
}

static int two_digits(const char *s)
{
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* Days since 1970-01-01 of a proleptic Gregorian date; timegm() costs a lock and a tz lookup. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int alert_parse_time(const char *ts, int64_t *epoch)
{
	struct tm tm = { 0 };
	const char *p;
	int year, off = 0, sign, oh, om;

	/* %FT%T.mmm%z, as Wazuh writes it; the milliseconds and the offset are optional. */
	if (!ts || strlen(ts) < 19 || ts[4] != '-' || ts[7] != '-' || ts[10] != 'T' ||
	    ts[13] != ':' || ts[16] != ':')
		return -EINVAL;
	year = two_digits(ts) * 100 + two_digits(ts + 2);
	tm.tm_mon = two_digits(ts + 5) - 1;
	tm.tm_mday = two_digits(ts + 8);
	tm.tm_hour = two_digits(ts + 11);
	tm.tm_min = two_digits(ts + 14);
	tm.tm_sec = two_digits(ts + 17);
	if (year < 1970 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour < 0 || tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 ||
	    tm.tm_sec > 60)
		return -EINVAL;
	tm.tm_year = year - 1900;
	p = ts + 19;
	if (*p == '.') {
		int n;

		for (n = 0, p++; isdigit((unsigned char)*p) && n < 9; n++)
			p++;
	}
	if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		oh = two_digits(p + 1);
		/* p[3] is readable only when p[1] and p[2] are digits: "+" or "+0" ends the string. */
		if (oh < 0)
			return -EINVAL;
		om = p[3] == ':' ? two_digits(p + 4) : two_digits(p + 3);
		if (om < 0 || oh > 23 || om > 59)
			return -EINVAL;
		off = sign * (oh * 3600 + om * 60);
		p += p[3] == ':' ? 6 : 5;
	} else if (*p == 'Z') {
		p++;
	}
	if (*p)
		return -EINVAL;
	*epoch = days_from_civil(year, tm.tm_mon + 1, tm.tm_mday) * 86400 + tm.tm_hour * 3600 +
		 tm.tm_min * 60 + tm.tm_sec - off;
	return 0;
}

/* The first string found along the address paths; srcip: the first along analysisd's. */
static const char *find_addr(const cJSON *root, const char **srcip)
{
	const char *s = NULL;
	int i;

	*srcip = NULL;
	for (i = ALERT_SRCIP_FIRST; i < ALERT_ADDR_PATHS && !*srcip; i++)
		*srcip = get_path(root, alert_addr_paths[i].keys, alert_addr_paths[i].n);
	for (i = 0; i < ALERT_SRCIP_FIRST && !s; i++)
		s = get_path(root, alert_addr_paths[i].keys, alert_addr_paths[i].n);
	return s ? s : *srcip;
}

/* ---- the compact alert ---- */

/*
 * The compact alert's members, the paths timestamp, rule.level, rule.description, rule.id,
 * agent.id, agent.name, id, the two data.win.eventdata addresses, data.srcip and source.ip
 * merged into one tree: each key once, in the order the paths first name it. Fixed here
 * rather than merged from the path list for every block (strcmp of key pairs, ~2% of a
 * burst's samples); test_alert_tree holds the bytes it prints.
 */
struct compact_node {
	const char *key;
	const struct compact_node *kids; /* NULL: a leaf, printed when a string or number */
	int n;
};

#define C_LEAF(k)          \
	{                  \
		k, NULL, 0 \
	}
#define C_OBJ(k, kids)                    \
	{                                 \
		k, kids, ARRAY_SIZE(kids) \
	}
static const struct compact_node c_rule[] = { C_LEAF("level"), C_LEAF("description"),
					      C_LEAF("id") };
static const struct compact_node c_agent[] = { C_LEAF("id"), C_LEAF("name") };
static const struct compact_node c_evd[] = { C_LEAF("ipAddress"), C_LEAF("destinationIp") };
static const struct compact_node c_win[] = { C_OBJ("eventdata", c_evd) };
static const struct compact_node c_data[] = { C_OBJ("win", c_win), C_LEAF("srcip") };
static const struct compact_node c_source[] = { C_LEAF("ip") };
static const struct compact_node c_root[] = {
	C_LEAF("timestamp"), C_OBJ("rule", c_rule), C_OBJ("agent", c_agent),
	C_LEAF("id"),	     C_OBJ("data", c_data), C_OBJ("source", c_source),
};

/*
 * "%.17g" of d. An integer below 10^15 (rule.level, firedtimes: all the numbers a block keeps)
 * prints as its digits there, which are written here without printf's floating-point path.
 */
static const char *num_text(double d, char *buf, size_t len)
{
	char *p = buf + len;
	uint64_t u;

	if (d != d || d <= -1e15 || d >= 1e15 || d != (double)(int64_t)d ||
	    (d == 0 && signbit(d))) {
		snprintf(buf, len, "%.17g", d);
		return buf;
	}
	u = d < 0 ? (uint64_t) - (int64_t)d : (uint64_t)d;
	*--p = '\0';
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (d < 0)
		*--p = '-';
	return p;
}

static void compact_scalar(struct sbuf *b, const char *k, const cJSON *v, bool *first)
{
	char num[32];

	if (!cJSON_IsString(v) && !cJSON_IsNumber(v))
		return;
	sb_str(b, *first ? "" : ",");
	*first = false;
	sb_json(b, k);
	sb_add(b, ":", 1);
	if (cJSON_IsString(v)) {
		sb_json(b, v->valuestring);
		return;
	}
	sb_str(b, num_text(v->valuedouble, num, sizeof(num)));
}

/* The members of o that the nodes name; an inner node's member only when an object. */
static void compact_obj(struct sbuf *b, const cJSON *o, const struct compact_node *c, int n)
{
	bool first = true;
	int i;

	for (i = 0; i < n; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, c[i].key);

		if (!v)
			continue;
		if (!c[i].kids) {
			compact_scalar(b, c[i].key, v, &first);
			continue;
		}
		if (!cJSON_IsObject(v))
			continue;
		sb_str(b, first ? "" : ",");
		first = false;
		sb_json(b, c[i].key);
		sb_add(b, ":{", 2);
		compact_obj(b, v, c[i].kids, c[i].n);
		sb_add(b, "}", 1);
	}
}

char *alert_compact(const struct alert *a, struct sbuf *b)
{
	char *out;

	b->len = 0;
	b->oom = false;
	sb_add(b, "{", 1);
	compact_obj(b, a->root, c_root, ARRAY_SIZE(c_root));
	sb_add(b, "}", 1);
	out = b->oom ? NULL : malloc(b->len + 1);
	if (out)
		memcpy(out, b->p, b->len + 1);
	b->len = 0;
	b->oom = false;
	return out;
}

/* What every alert needs, from its tree (a->root, an object or not): both entries share it. */
static int alert_fill(struct alert *a, bool groups, char *err, size_t errlen)
{
	static const char *const dstuser[] = { "data", "dstuser" };
	const cJSON *rule, *v, *agent;

	if (!cJSON_IsObject(a->root)) {
		set_err(err, errlen, "not a JSON object");
		return -EINVAL;
	}
	rule = cJSON_GetObjectItemCaseSensitive(a->root, "rule");
	if (!cJSON_IsObject(rule)) {
		set_err(err, errlen, "missing object 'rule'");
		return -EINVAL;
	}
	a->rule_id = get_str(rule, "id");
	if (!a->rule_id || !isdigit((unsigned char)a->rule_id[0])) {
		set_err(err, errlen, "missing or non-numeric string 'rule.id'");
		return -EINVAL;
	}
	a->rule_num = atoi(a->rule_id);
	v = cJSON_GetObjectItemCaseSensitive(rule, "level");
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1000) {
		set_err(err, errlen, "missing or invalid number 'rule.level'");
		return -EINVAL;
	}
	a->level = v->valueint;
	a->id = get_str(a->root, "id");
	if (!a->id || !*a->id) {
		set_err(err, errlen, "missing string 'id'");
		return -EINVAL;
	}
	agent = cJSON_GetObjectItemCaseSensitive(a->root, "agent");
	a->agent_id = get_str(agent, "id");
	/* Events analysisd generates itself (syscheck on the manager, ...) are agent 000's. */
	if (!a->agent_id)
		a->agent_id = "000";
	a->addr = find_addr(a->root, &a->srcip);
	a->dstuser = get_path(a->root, dstuser, ARRAY_SIZE(dstuser));
	a->location = get_str(a->root, "location");
	a->timestamp = get_str(a->root, "timestamp");
	if (alert_parse_time(a->timestamp, &a->time_s))
		a->time_s = strtoll(a->id, NULL, 10);
	if (groups && build_groups(a, rule)) {
		set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

int alert_parse(struct alert *a, const char *line, size_t len, char *err, size_t errlen)
{
	const char *end = NULL;
	char msg[160];
	int ret;

	memset(a, 0, sizeof(*a));
	if (len > ALERT_LINE_MAX) {
		snprintf(msg, sizeof(msg), "line of %zu bytes is longer than %d bytes", len,
			 ALERT_LINE_MAX);
		set_err(err, errlen, msg);
		return -E2BIG;
	}
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	a->root = parse_tree(a, line, len, &end);
	if (!a->root && arena_failed) {
		set_err(err, errlen, "out of memory");
		ret = -ENOMEM;
		goto fail;
	}
	if (!a->root) {
		snprintf(msg, sizeof(msg), "not JSON: parse error at byte %zu",
			 end && end >= line ? (size_t)(end - line) : (size_t)0);
		set_err(err, errlen, msg);
		ret = -EINVAL;
		goto fail;
	}
	/* One object per line: anything after it means the line is not what Wazuh writes. */
	while (end && end < line + len && (*end == ' ' || *end == '\t'))
		end++;
	if (end && end < line + len) {
		snprintf(msg, sizeof(msg), "not JSON: trailing data at byte %zu",
			 (size_t)(end - line));
		set_err(err, errlen, msg);
		ret = -EINVAL;
		goto fail;
	}
	ret = alert_fill(a, true, err, errlen);
	if (ret)
		goto fail;
	return 0;
fail:
	alert_free(a);
	return ret;
}

static int from_json(struct alert *a, const struct cJSON *root, bool groups, char *err,
		     size_t errlen)
{
	int ret;

	memset(a, 0, sizeof(*a));
	/* Borrowed, never written: the const goes away only because the struct serves both. */
	a->root = (cJSON *)root;
	a->borrowed = true;
	ret = alert_fill(a, groups, err, errlen);
	if (ret)
		alert_free(a);
	return ret;
}

int alert_from_json(struct alert *a, const struct cJSON *root, char *err, size_t errlen)
{
	return from_json(a, root, true, err, errlen);
}

int alert_block_fields(struct alert *a, const struct cJSON *root, char *err, size_t errlen)
{
	return from_json(a, root, false, err, errlen);
}
