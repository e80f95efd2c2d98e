// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the tests of alert_from_json() (user/lib/alert.c): over every alert
 * fixture, the fields taken from a tree already parsed equal alert_parse()'s of the same text,
 * failures included (return code and message), and the caller's tree outlives the alert.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <cjson/cJSON.h>
#include "alert.h"
#include "sbuf.h"
#include "testutil.h"

struct tree_case {
	char file[64];
	int line;
	int ret; /* alert_parse's, and so alert_from_json's */
	/* the execd message around the alert: the tree is its parameters.alert, and the text
	 * alert_parse reads is that object printed, as the fast path used to reparse it */
	bool execd_msg;
};

#define SAMPLES "tests/data/alerts/samples.jsonl"
#define REPLAY "tests/data/replay/alerts.jsonl"

ParameterizedTestParameters(alert_tree, same_as_parse)
{
	static struct tree_case cases[] = {
		{ SAMPLES, 1, 0, false },
		{ SAMPLES, 2, 0, false },
		{ SAMPLES, 3, 0, false },
		{ SAMPLES, 4, 0, false },
		{ SAMPLES, 5, 0, false },
		{ SAMPLES, 6, 0, false },
		{ "tests/data/alerts/demo-5712.json", 1, 0, false },
		{ "tests/data/fwdrop/alert-shellshock.json", 1, 0, false },
		{ "tests/data/fwdrop/alert-wazuh5-source-ip.json", 1, -EINVAL, false }, /* no id */
		{ "tests/data/fwdrop/alert-windows-4625.json", 1, 0, false },
		{ "tests/data/execq/analysisd-shellshock.json", 1, 0, true },
		{ REPLAY, 1, 0, false },
		{ REPLAY, 2, 0, false },
		{ REPLAY, 7, 0, false },
		{ REPLAY, 8, 0, false }, /* +0100 offset */
		{ REPLAY, 18, 0, false }, /* windows */
		{ REPLAY, 20, 0, false }, /* level 0 */
		{ REPLAY, 22, 0, false },
		{ REPLAY, 23, -EINVAL, false }, /* no rule.id */
		{ REPLAY, 25, 0, false },
	};

	return cr_make_param_array(struct tree_case, cases, sizeof(cases) / sizeof(cases[0]));
}

static char *read_line(const char *path, int want)
{
	static char buf[ALERT_LINE_MAX + 2];

	tu_read_line(path, want, buf, sizeof(buf));
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static void expect_str(const char *got, const char *want, const char *field)
{
	if (!want)
		cr_expect_null(got, "%s: '%s', alert_parse has none", field, got);
	else if (!got)
		cr_expect_not_null(got, "%s: none, alert_parse has '%s'", field, want);
	else
		cr_expect_str_eq(got, want, "%s", field);
}

static void expect_same(const struct alert *t, const struct alert *p)
{
	struct sbuf s1 = {}, s2 = {};
	char *c1, *c2;

	expect_str(t->id, p->id, "id");
	expect_str(t->rule_id, p->rule_id, "rule_id");
	cr_expect_eq(t->rule_num, p->rule_num, "rule_num");
	cr_expect_eq(t->level, p->level, "level");
	expect_str(t->agent_id, p->agent_id, "agent_id");
	expect_str(t->addr, p->addr, "addr");
	expect_str(t->srcip, p->srcip, "srcip");
	expect_str(t->dstuser, p->dstuser, "dstuser");
	expect_str(t->location, p->location, "location");
	expect_str(t->timestamp, p->timestamp, "timestamp");
	cr_expect_eq(t->time_s, p->time_s, "time_s");
	expect_str(t->groups, p->groups, "groups");
	cr_expect_eq(t->groups_len, p->groups_len, "groups_len");
	/* What a block keeps for its delete line. */
	c1 = alert_compact(t, &s1);
	c2 = alert_compact(p, &s2);
	cr_assert_not_null(c1);
	cr_assert_not_null(c2);
	cr_expect_str_eq(c1, c2, "compact");
	free(c1);
	free(c2);
	free(s1.p);
	free(s2.p);
}

ParameterizedTest(struct tree_case *c, alert_tree, same_as_parse)
{
	char *line = read_line(c->file, c->line), *text = NULL, e1[160] = "", e2[160] = "";
	char e3[160] = "";
	cJSON *root = cJSON_Parse(line), *tree;
	struct alert p, t, b;
	int r1, r2, r3;

	cr_assert_not_null(root, "%s:%d: not JSON", c->file, c->line);
	tree = root;
	if (c->execd_msg) {
		tree = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "parameters"), "alert");
		cr_assert(cJSON_IsObject(tree), "%s: no parameters.alert", c->file);
		text = cJSON_PrintUnformatted(tree);
		cr_assert_not_null(text);
		line = text;
	}
	r1 = alert_parse(&p, line, strlen(line), e1, sizeof(e1));
	r2 = alert_from_json(&t, tree, e2, sizeof(e2));
	r3 = alert_block_fields(&b, tree, e3, sizeof(e3));
	cr_expect_eq(r3, r2, "%s:%d: alert_block_fields: %d (%s)", c->file, c->line, r3, e3);
	cr_expect_str_eq(e3, e2, "%s:%d: alert_block_fields' message", c->file, c->line);
	if (!r3 && !r2) {
		/* The same fields, no group text. */
		cr_expect_null(b.groups);
		cr_expect_eq(b.rule_id, t.rule_id);
		cr_expect_eq(b.rule_num, t.rule_num);
		cr_expect_eq(b.level, t.level);
		cr_expect_eq(b.id, t.id);
		cr_expect_eq(b.agent_id, t.agent_id);
		cr_expect_eq(b.addr, t.addr);
		cr_expect_eq(b.srcip, t.srcip);
		cr_expect_eq(b.time_s, t.time_s);
	}
	alert_free(&b);
	cr_expect_eq(r1, c->ret, "%s:%d: alert_parse: %d (%s)", c->file, c->line, r1, e1);
	cr_expect_eq(r2, r1, "%s:%d: alert_from_json: %d (%s)", c->file, c->line, r2, e2);
	cr_expect_str_eq(e2, e1, "%s:%d: message", c->file, c->line);
	if (!r1 && !r2) {
		expect_same(&t, &p);
		/* Borrowed: the strings are the tree's own. */
		cr_expect_eq(t.root, tree);
		cr_expect_eq(
			t.rule_id,
			cJSON_GetObjectItem(cJSON_GetObjectItem(tree, "rule"), "id")->valuestring);
	} else {
		cr_expect_null(t.root, "a failed alert holds nothing");
	}
	alert_free(&t);
	alert_free(&t);
	alert_free(&p);
	/* The tree is intact after alert_free: still readable, then deleted once (ASan). */
	cr_expect(cJSON_IsObject(cJSON_GetObjectItem(tree, "rule")) || c->ret);
	cJSON_Delete(root);
	free(text);
}

struct bad_tree {
	char json[200];
	char err[80];
};

/* Valid JSON that is no alert: the same refusals as alert_parse's, on any tree. */
ParameterizedTestParameters(alert_tree, refused)
{
	static struct bad_tree cases[] = {
		{ "[1,2]", "not a JSON object" },
		{ "\"text\"", "not a JSON object" },
		{ "{\"id\":\"1.1\"}", "missing object 'rule'" },
		{ "{\"rule\":[],\"id\":\"1.1\"}", "missing object 'rule'" },
		{ "{\"rule\":{\"level\":3},\"id\":\"1.1\"}",
		  "missing or non-numeric string 'rule.id'" },
		{ "{\"rule\":{\"id\":5712,\"level\":3},\"id\":\"1.1\"}",
		  "missing or non-numeric string 'rule.id'" },
		{ "{\"rule\":{\"id\":\"5712\",\"level\":\"3\"},\"id\":\"1.1\"}",
		  "missing or invalid number 'rule.level'" },
		{ "{\"rule\":{\"id\":\"5712\",\"level\":1001},\"id\":\"1.1\"}",
		  "missing or invalid number 'rule.level'" },
		{ "{\"rule\":{\"id\":\"5712\",\"level\":3}}", "missing string 'id'" },
		{ "{\"rule\":{\"id\":\"5712\",\"level\":3},\"id\":\"\"}", "missing string 'id'" },
	};

	return cr_make_param_array(struct bad_tree, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_tree *c, alert_tree, refused)
{
	cJSON *root = cJSON_Parse(c->json);
	char e1[160] = "", e2[160] = "";
	struct alert p, t;

	cr_assert_not_null(root, "%s", c->json);
	cr_expect_eq(alert_parse(&p, c->json, strlen(c->json), e1, sizeof(e1)), -EINVAL);
	cr_expect_eq(alert_from_json(&t, root, e2, sizeof(e2)), -EINVAL, "%s", c->json);
	cr_expect_str_eq(e1, c->err);
	cr_expect_str_eq(e2, c->err);
	cr_expect_null(t.root);
	cr_expect_null(t.groups);
	cJSON_Delete(root);
}

struct num_case {
	char num[32]; /* as the alert writes it */
};

/* The compact alert prints numbers as "%.17g" would, integers without printf included. */
ParameterizedTestParameters(alert_tree, compact_numbers)
{
	static struct num_case cases[] = {
		{ "15" },
		{ "0" },
		{ "-0" },
		{ "-7" },
		{ "999999999999999" },
		{ "-999999999999999" },
		{ "1000000000000000" },
		{ "-1e15" },
		{ "0.5" },
		{ "1e300" },
		{ "12345678901234567" },
		{ "4294967296" },
		{ "2.5e-7" },
	};

	return cr_make_param_array(struct num_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct num_case *c, alert_tree, compact_numbers)
{
	char json[160], want[80], num[40], err[160];
	struct sbuf sb = {};
	cJSON *root;
	struct alert a;
	char *out;

	snprintf(json, sizeof(json),
		 "{\"rule\":{\"id\":\"1\",\"level\":3},\"id\":\"1.1\",\"agent\":{\"id\":%s}}",
		 c->num);
	root = cJSON_Parse(json);
	cr_assert_not_null(root);
	snprintf(num, sizeof(num), "%.17g",
		 cJSON_GetObjectItem(cJSON_GetObjectItem(root, "agent"), "id")->valuedouble);
	snprintf(want, sizeof(want), "\"agent\":{\"id\":%s}", num);
	cr_assert_eq(alert_from_json(&a, root, err, sizeof(err)), 0, "%s", err);
	out = alert_compact(&a, &sb);
	cr_assert_not_null(out);
	cr_expect_not_null(strstr(out, want), "%s: '%s' has no '%s'", c->num, out, want);
	free(out);
	free(sb.p);
	alert_free(&a);
	cJSON_Delete(root);
}

struct compact_case {
	char json[480]; /* the alert's tree */
	char want[320]; /* its compact text, byte for byte */
};

/*
 * The compact alert's members, whatever shape the alert has: each key once (the first of
 * duplicates), in the fixed order, an inner member only when an object (an empty one kept),
 * a leaf only when a string or a number.
 */
ParameterizedTestParameters(alert_tree, compact_bytes)
{
	static struct compact_case cases[] = {
		{ "{\"timestamp\":\"2026-12-01T10:00:00.000+0000\",\"rule\":{\"level\":10,\"description\":\"Shell \\\"shock\\\"\",\"id\":\"31168\",\"groups\":[\"web\"]},\"agent\":{\"id\":\"001\",\"name\":\"web-1\",\"ip\":\"192.0.2.9\"},\"id\":\"1.2\",\"data\":{\"srcip\":\"198.51.100.7\",\"win\":{\"eventdata\":{\"destinationIp\":\"203.0.113.1\",\"ipAddress\":\"203.0.113.2\"}}},\"source\":{\"ip\":\"2001:db8::1\"}}",
		  "{\"timestamp\":\"2026-12-01T10:00:00.000+0000\",\"rule\":{\"level\":10,\"description\":\"Shell \\\"shock\\\"\",\"id\":\"31168\"},\"agent\":{\"id\":\"001\",\"name\":\"web-1\"},\"id\":\"1.2\",\"data\":{\"win\":{\"eventdata\":{\"ipAddress\":\"203.0.113.2\",\"destinationIp\":\"203.0.113.1\"}},\"srcip\":\"198.51.100.7\"},\"source\":{\"ip\":\"2001:db8::1\"}}" },
		{ "{\"id\":\"1\",\"id\":\"2\",\"rule\":\"x\",\"agent\":{\"id\":{\"a\":1},\"name\":7},\"data\":{},\"source\":[1]}",
		  "{\"agent\":{\"name\":7},\"id\":\"1\",\"data\":{}}" },
		{ "{\"rule\":{\"level\":3.5,\"id\":\"5\"},\"timestamp\":1e300,\"data\":{\"win\":{\"eventdata\":5}},\"source\":{}}",
		  "{\"timestamp\":1.0000000000000001e+300,\"rule\":{\"level\":3.5,\"id\":\"5\"},\"data\":{\"win\":{}},\"source\":{}}" },
		{ "{\"data\":{\"win\":[],\"srcip\":null},\"agent\":{},\"rule\":{\"level\":-0.0,\"description\":true}}",
		  "{\"rule\":{\"level\":-0},\"agent\":{},\"data\":{}}" },
		{ "{}", "{}" },
		{ "{\"source\":{\"ip\":\"a\\u00e9\\n\"},\"data\":{\"win\":{}}}",
		  "{\"data\":{\"win\":{}},\"source\":{\"ip\":\"aé\\n\"}}" },
	};

	return cr_make_param_array(struct compact_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct compact_case *c, alert_tree, compact_bytes)
{
	struct sbuf sb = {};
	struct alert a = {};
	char *out;

	a.root = cJSON_Parse(c->json);
	cr_assert_not_null(a.root, "%s: not JSON", c->json);
	out = alert_compact(&a, &sb);
	cr_assert_not_null(out);
	cr_expect_str_eq(out, c->want, "%s", c->json);
	free(out);
	free(sb.p);
	cJSON_Delete(a.root);
}
