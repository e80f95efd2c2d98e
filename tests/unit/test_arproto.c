// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the tables of Wazuh's AR message protocol (user/lib/arproto.c): validation as
 * active_responses.c does it, the srcip lookup order, the check_keys line, execd's messages
 * rebuilt byte for byte against the reference exchange, and execd's rkey.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arproto.h"

#define FWDROP_DATA "tests/data/fwdrop/"

struct parse_case {
	char line[256];
	int err;
	int cmd; /* enum ar_command when err == 0 */
};

/* clang-format off */
static struct parse_case parse_cases[] = {
	{ "{\"version\":1,\"origin\":{},\"command\":\"add\",\"parameters\":{}}\n", 0, AR_CMD_ADD },
	{ "{\"version\":1,\"origin\":{},\"command\":\"delete\",\"parameters\":{}}", 0, AR_CMD_DELETE },
	{ "{\"version\":1,\"origin\":{},\"command\":\"continue\",\"parameters\":{}}", 0, AR_CMD_CONTINUE },
	{ "{\"version\":1,\"origin\":{},\"command\":\"abort\",\"parameters\":{}}", 0, AR_CMD_ABORT },
	{ "{\"version\":1,\"origin\":{},\"command\":\"check_keys\",\"parameters\":{}}", 0,
	  AR_CMD_CHECK_KEYS },
	{ "{\"version\":1,\"origin\":{},\"command\":\"firewall-drop600\",\"parameters\":{}}", 0,
	  AR_CMD_OTHER },
	{ "{\"version\":1,\"origin\":{},\"command\":\"ADD\",\"parameters\":{}}", 0, AR_CMD_OTHER },
	{ "{\"version\":1.5,\"origin\":{},\"command\":\"add\",\"parameters\":{}}", 0, AR_CMD_ADD },
	/* cJSON_ParseWithOpts(..., 0): bytes after the object do not matter. */
	{ "{\"version\":1,\"origin\":{},\"command\":\"add\",\"parameters\":{}} trailing", 0, AR_CMD_ADD },
	{ "{\"origin\":{},\"command\":\"add\",\"parameters\":{}}", -EINVAL, 0 },
	{ "{\"version\":\"1\",\"origin\":{},\"command\":\"add\",\"parameters\":{}}", -EINVAL, 0 },
	{ "{\"version\":1,\"command\":\"add\",\"parameters\":{}}", -EINVAL, 0 },
	{ "{\"version\":1,\"origin\":\"node01\",\"command\":\"add\",\"parameters\":{}}", -EINVAL, 0 },
	{ "{\"version\":1,\"origin\":{},\"parameters\":{}}", -EINVAL, 0 },
	{ "{\"version\":1,\"origin\":{},\"command\":7,\"parameters\":{}}", -EINVAL, 0 },
	{ "{\"version\":1,\"origin\":{},\"command\":\"add\"}", -EINVAL, 0 },
	{ "{\"version\":1,\"origin\":{},\"command\":\"add\",\"parameters\":[]}", -EINVAL, 0 },
	{ "{}", -EINVAL, 0 },
	{ "[]", -EINVAL, 0 },
	{ "", -EINVAL, 0 },
	{ "continue", -EINVAL, 0 },
	{ "{\"version\":1,\"origin\":{},\"command\":\"add\",\"parameters\":{}", -EINVAL, 0 },
	/* get_json_from_input() looks keys up with cJSON_GetObjectItem: case-insensitive names,
	 * the first of two equal names; the command's value is strcmp()ed. */
	{ "{\"Version\":1,\"ORIGIN\":{},\"Command\":\"delete\",\"Parameters\":{}}", 0,
	  AR_CMD_DELETE },
	{ "{\"version\":1,\"origin\":{},\"command\":\"delete\",\"command\":\"add\","
	  "\"parameters\":{}}", 0, AR_CMD_DELETE },
	{ "{\"version\":\"1\",\"version\":1,\"origin\":{},\"command\":\"add\",\"parameters\":{}}",
	  -EINVAL, 0 },
	{ "{\"version\":1,\"origin\":{},\"command\":\"add \",\"parameters\":{}}", 0, AR_CMD_OTHER },
	{ "{\"version\":1,\"origin\":{},\"command\":\"\",\"parameters\":{}}", 0, AR_CMD_OTHER },
	/* fgets() keeps the newline; a line that is only one is not a message. */
	{ "\n", -EINVAL, 0 },
};
/* clang-format on */

ParameterizedTestParameters(arproto, parse)
{
	return cr_make_param_array(struct parse_case, parse_cases,
				   sizeof(parse_cases) / sizeof(parse_cases[0]));
}

ParameterizedTest(struct parse_case *c, arproto, parse)
{
	cJSON *m = NULL;
	int r = arproto_parse(c->line, &m);

	cr_assert_eq(r, c->err, "'%s': got %d, expected %d", c->line, r, c->err);
	if (r) {
		cr_expect_null(m);
		return;
	}
	cr_expect_eq(arproto_command(m), (enum ar_command)c->cmd, "'%s'", c->line);
	cJSON_Delete(m);
}

struct srcip_case {
	char alert[320]; /* parameters.alert */
	char srcip[64]; /* "" = none found */
	char canon[64];
};

/* clang-format off */
static struct srcip_case srcip_cases[] = {
	{ "{\"data\":{\"srcip\":\"192.0.2.1\"}}", "192.0.2.1", "192.0.2.1" },
	{ "{\"data\":{\"srcip\":\"2001:0db8::1\"}}", "2001:0db8::1", "2001:db8::1" },
	{ "{\"data\":{\"srcip\":\"::ffff:192.0.2.7\"}}", "::ffff:192.0.2.7", "192.0.2.7" },
	{ "{\"data\":{\"win\":{\"eventdata\":{\"ipAddress\":\"198.51.100.1\","
	  "\"destinationIp\":\"198.51.100.2\"}},\"srcip\":\"198.51.100.3\"}}",
	  "198.51.100.1", "198.51.100.1" },
	{ "{\"data\":{\"win\":{\"eventdata\":{\"destinationIp\":\"198.51.100.2\"}},"
	  "\"srcip\":\"198.51.100.3\"}}", "198.51.100.2", "198.51.100.2" },
	/* 4.14.7: an invalid value counts as missing, so the next field is used. */
	{ "{\"data\":{\"win\":{\"eventdata\":{\"ipAddress\":\"-\",\"destinationIp\":\"198.51.100.2\"}}}}",
	  "198.51.100.2", "198.51.100.2" },
	{ "{\"data\":{\"win\":{\"eventdata\":{\"ipAddress\":5}},\"srcip\":\"198.51.100.3\"}}",
	  "198.51.100.3", "198.51.100.3" },
	{ "{\"data\":{\"win\":\"x\",\"srcip\":\"198.51.100.3\"}}", "198.51.100.3", "198.51.100.3" },
	{ "{\"source\":{\"ip\":\"203.0.113.4\"}}", "203.0.113.4", "203.0.113.4" },
	{ "{\"data\":{\"srcip\":\"203.0.113.5\"},\"source\":{\"ip\":\"203.0.113.4\"}}",
	  "203.0.113.5", "203.0.113.5" },
	{ "{\"data\":\"srcip\",\"source\":{\"ip\":\"2001:db8::4\"}}", "2001:db8::4", "2001:db8::4" },
	{ "{\"data\":{\"src_ip\":\"192.0.2.1\"}}", "", "" },
	{ "{\"data\":{\"srcip\":3232235777}}", "", "" },
	{ "{\"data\":{\"srcip\":\"\"}}", "", "" },
	{ "{\"data\":{\"srcip\":\"example.com\"}}", "", "" },
	{ "{\"data\":{\"srcip\":\"192.168.1.1; rm -rf /\"}}", "", "" },
	{ "{\"data\":{\"srcip\":\"../../tmp/malicious\"}}", "", "" },
	{ "{\"data\":{\"srcip\":\"$(reboot)\"}}", "", "" },
	{ "{\"data\":{\"srcip\":\"192.0.2.0/24\"}}", "", "" },
	/* getaddrinfo(AI_NUMERICHOST) reads these as 127.0.0.1, 8.0.0.1, 127.0.0.1, 127.0.0.1;
	 * the drop-in takes inet_pton's forms only, on purpose (docs/firewall-drop.md). */
	{ "{\"data\":{\"srcip\":\"127.1\"}}", "", "" },
	{ "{\"data\":{\"srcip\":\"010.0.0.1\"}}", "", "" },
	{ "{\"data\":{\"srcip\":\"0x7f.1\"}}", "", "" },
	{ "{\"data\":{\"srcip\":\"2130706433\"}}", "", "" },
	{ "{\"data\":{\"srcip\":\"fe80::1%eth0\"}}", "", "" },
	/* cJSON_GetObjectItem, as get_srcip_from_json(): names match case-insensitively. */
	{ "{\"Data\":{\"SrcIP\":\"192.0.2.2\"}}", "192.0.2.2", "192.0.2.2" },
	{ "{\"data\":{\"WIN\":{\"EventData\":{\"IPADDRESS\":\"198.51.100.4\"}},"
	  "\"srcip\":\"198.51.100.3\"}}", "198.51.100.4", "198.51.100.4" },
	{ "{\"data\":{\"srcip\":\"192.0.2.3\",\"srcip\":\"192.0.2.4\"}}", "192.0.2.3",
	  "192.0.2.3" },
	/* Each field is looked at once: an invalid first data.srcip is not skipped for a second. */
	{ "{\"data\":{\"srcip\":\"-\",\"srcip\":\"192.0.2.4\"}}", "", "" },
	{ "{\"data\":{}}", "", "" },
	{ "{}", "", "" },
	{ "[]", "", "" },
};
/* clang-format on */

ParameterizedTestParameters(arproto, srcip)
{
	return cr_make_param_array(struct srcip_case, srcip_cases,
				   sizeof(srcip_cases) / sizeof(srcip_cases[0]));
}

ParameterizedTest(struct srcip_case *c, arproto, srcip)
{
	char line[512], buf[ADDR_STRLEN];
	struct arxdp_addr a;
	const char *ip;
	cJSON *m;

	snprintf(line, sizeof(line),
		 "{\"version\":1,\"origin\":{},\"command\":\"add\",\"parameters\":{\"alert\":%s}}",
		 c->alert);
	cr_assert_eq(arproto_parse(line, &m), 0, "%s", line);
	ip = arproto_srcip(m, &a);
	if (!c->srcip[0]) {
		cr_expect_null(ip, "%s: found '%s'", c->alert, ip ? ip : "");
	} else {
		cr_assert_not_null(ip, "%s: nothing found", c->alert);
		cr_expect_str_eq(ip, c->srcip);
		cr_expect_str_eq(addr_format(&a, buf, sizeof(buf)), c->canon);
	}
	cJSON_Delete(m);
}

struct rule_case {
	char rule[128];
	unsigned int id;
	int level;
};

/* clang-format off */
static struct rule_case rule_cases[] = {
	{ "{\"id\":\"31168\",\"level\":15}", 31168, 15 },
	{ "{\"id\":100200,\"level\":3}", 100200, 3 },
	{ "{\"id\":\"4294967295\",\"level\":16}", 4294967295u, 16 },
	{ "{\"id\":\"4294967296\",\"level\":300}", 0, 0 },
	{ "{\"id\":\"12a\",\"level\":\"5\"}", 0, 0 },
	{ "{\"id\":\"-1\",\"level\":-1}", 0, 0 },
	{ "{\"id\":\"\"}", 0, 0 },
	{ "{}", 0, 0 },
	{ "\"rule\"", 0, 0 },
};
/* clang-format on */

ParameterizedTestParameters(arproto, rule)
{
	return cr_make_param_array(struct rule_case, rule_cases,
				   sizeof(rule_cases) / sizeof(rule_cases[0]));
}

ParameterizedTest(struct rule_case *c, arproto, rule)
{
	char line[512];
	uint32_t id = 99;
	uint8_t level = 99;
	cJSON *m;

	snprintf(line, sizeof(line),
		 "{\"version\":1,\"origin\":{},\"command\":\"add\",\"parameters\":{\"alert\":"
		 "{\"rule\":%s}}}",
		 c->rule);
	cr_assert_eq(arproto_parse(line, &m), 0, "%s", line);
	arproto_rule(m, &id, &level);
	cr_expect_eq(id, c->id, "%s: id %u", c->rule, id);
	cr_expect_eq(level, c->level, "%s: level %u", c->rule, level);
	cJSON_Delete(m);
}

struct keys_case {
	char name[64];
	char key[64];
	char out[256];
};

/* clang-format off */
static struct keys_case keys_cases[] = {
	{ "firewall-drop", "192.168.56.3",
	  "{\"version\":1,\"origin\":{\"name\":\"firewall-drop\",\"module\":\"active-response\"},"
	  "\"command\":\"check_keys\",\"parameters\":{\"keys\":[\"192.168.56.3\"]}}" },
	{ "route-null", "2001:0db8::1",
	  "{\"version\":1,\"origin\":{\"name\":\"route-null\",\"module\":\"active-response\"},"
	  "\"command\":\"check_keys\",\"parameters\":{\"keys\":[\"2001:0db8::1\"]}}" },
	{ "", "a\"b\\c",
	  "{\"version\":1,\"origin\":{\"name\":\"\",\"module\":\"active-response\"},"
	  "\"command\":\"check_keys\",\"parameters\":{\"keys\":[\"a\\\"b\\\\c\"]}}" },
};
/* clang-format on */

ParameterizedTestParameters(arproto, check_keys)
{
	return cr_make_param_array(struct keys_case, keys_cases,
				   sizeof(keys_cases) / sizeof(keys_cases[0]));
}

ParameterizedTest(struct keys_case *c, arproto, check_keys)
{
	const char *keys[] = { c->key };
	char *s = arproto_check_keys(c->name, keys, 1);
	cJSON *m;

	struct sbuf b = {};

	cr_assert_not_null(s);
	cr_expect_str_eq(s, c->out);
	/* arxdpd's tree-less builder prints the same bytes. */
	sb_str(&b, "prefix:");
	arproto_check_keys_sb(&b, c->name, keys, 1);
	cr_assert(!b.oom);
	cr_expect_str_eq(b.p + 7, c->out);
	free(b.p);
	/* What we print must be what execd accepts as a reply. */
	cr_expect_eq(arproto_parse(s, &m), 0);
	cr_expect_eq(arproto_command(m), AR_CMD_CHECK_KEYS);
	cJSON_Delete(m);
	free(s);
}

Test(arproto, check_keys_empty)
{
	char *s = arproto_check_keys("firewall-drop", NULL, 0);
	struct sbuf b = {};

	arproto_check_keys_sb(&b, "firewall-drop", NULL, 0);
	cr_assert_not_null(s);
	cr_expect_str_eq(b.p, s);
	free(b.p);
	cr_expect_str_eq(s, "{\"version\":1,\"origin\":{\"name\":\"firewall-drop\",\"module\":"
			    "\"active-response\"},\"command\":\"check_keys\",\"parameters\":"
			    "{\"keys\":[]}}");
	free(s);
}

static char *read_line_of(const char *file)
{
	static char buf[8192];
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), FWDROP_DATA "%s", file);
	f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open '%s' (run from the repository root)", path);
	cr_assert_not_null(fgets(buf, sizeof(buf), f), "'%s' is empty", path);
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

struct exchange_case {
	char file[64];
	int cmd;
};

static struct exchange_case exchange_cases[] = {
	{ "exchange-add.json", AR_CMD_ADD },
	{ "exchange-continue.json", AR_CMD_CONTINUE },
	{ "exchange-delete.json", AR_CMD_DELETE },
};

ParameterizedTestParameters(arproto, execd_msg)
{
	return cr_make_param_array(struct exchange_case, exchange_cases,
				   sizeof(exchange_cases) / sizeof(exchange_cases[0]));
}

/* execd's message rebuilt from the alert alone equals the real line, byte for byte. */
ParameterizedTest(struct exchange_case *c, arproto, execd_msg)
{
	char *want = strdup(read_line_of(c->file)), *got;
	const cJSON *alert;
	cJSON *m;

	cr_assert_eq(arproto_parse(want, &m), 0);
	cr_expect_eq(arproto_command(m), (enum ar_command)c->cmd);
	alert = cJSON_GetObjectItem(cJSON_GetObjectItem(m, "parameters"), "alert");
	got = arproto_execd_msg("node01", c->cmd, alert, NULL, 0,
				"active-response/bin/firewall-drop");
	cr_assert_not_null(got);
	cr_expect_str_eq(got, want);
	free(got);
	cJSON_Delete(m);
	free(want);
}

Test(arproto, exchange_check_keys)
{
	char *want = strdup(read_line_of("exchange-check-keys.json")), *got;
	const char *keys[1];
	cJSON *m;

	cr_assert_eq(arproto_parse(read_line_of("exchange-add.json"), &m), 0);
	keys[0] = arproto_srcip(m, NULL);
	cr_assert_str_eq(keys[0], "192.168.56.3");
	got = arproto_check_keys("firewall-drop", keys, 1);
	cr_expect_str_eq(got, want);
	free(got);
	free(want);
	cJSON_Delete(m);
}

Test(arproto, execd_msg_extra_args_and_bad_command)
{
	const char *extra[] = { "-v", "x y" };
	char *s = arproto_execd_msg("n", AR_CMD_ABORT, NULL, extra, 2, "active-response/bin/x");

	cr_assert_not_null(s);
	cr_expect_str_eq(s, "{\"version\":1,\"origin\":{\"name\":\"n\",\"module\":\"wazuh-execd\"},"
			    "\"command\":\"abort\",\"parameters\":{\"extra_args\":[\"-v\",\"x y\"],"
			    "\"alert\":{},\"program\":\"active-response/bin/x\"}}");
	free(s);
	cr_expect_null(arproto_execd_msg("n", AR_CMD_OTHER, NULL, NULL, 0, "p"));
}

struct rkey_case {
	char line[256];
	char base[32];
	char rkey[128];
};

/* clang-format off */
static struct rkey_case rkey_cases[] = {
	{ "{\"version\":1,\"origin\":{\"name\":\"firewall-drop\",\"module\":\"active-response\"},"
	  "\"command\":\"check_keys\",\"parameters\":{\"keys\":[\"192.168.56.3\"]}}",
	  "firewall-drop", "firewall-drop-192.168.56.3" },
	{ "{\"version\":1,\"origin\":{},\"command\":\"check_keys\",\"parameters\":"
	  "{\"keys\":[\"10.0.0.1\",7,\"root\"]}}", "restart-wazuh", "restart-wazuh-10.0.0.1-root" },
	/* Anything else: the basename alone (every such run shares one key). */
	{ "{\"version\":1,\"origin\":{},\"command\":\"add\",\"parameters\":{\"keys\":[\"x\"]}}",
	  "firewall-drop", "firewall-drop" },
	{ "{\"version\":1,\"origin\":{},\"command\":\"check_keys\",\"parameters\":{\"keys\":\"x\"}}",
	  "firewall-drop", "firewall-drop" },
	{ "not json", "custom-ar.sh", "custom-ar.sh" },
	{ "", "custom-ar.sh", "custom-ar.sh" },
};
/* clang-format on */

ParameterizedTestParameters(arproto, rkey)
{
	return cr_make_param_array(struct rkey_case, rkey_cases,
				   sizeof(rkey_cases) / sizeof(rkey_cases[0]));
}

ParameterizedTest(struct rkey_case *c, arproto, rkey)
{
	char buf[AR_RKEY_MAX];
	bool trunc = true;

	cr_assert_eq(arproto_rkey(c->line, c->base, buf, sizeof(buf), &trunc), 0);
	cr_expect_str_eq(buf, c->rkey);
	cr_expect_not(trunc);
}

Test(arproto, rkey_truncated_at_4096)
{
	static char line[3 * AR_RKEY_MAX], buf[AR_RKEY_MAX + 64];
	char key[AR_RKEY_MAX];
	bool trunc = false;
	size_t i;

	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	snprintf(line, sizeof(line),
		 "{\"version\":1,\"origin\":{},\"command\":\"check_keys\",\"parameters\":"
		 "{\"keys\":[\"%s\"]}}",
		 key);
	memset(buf, 'X', sizeof(buf));
	cr_assert_eq(arproto_rkey(line, "restart-wazuh", buf, sizeof(buf), &trunc), 0);
	cr_expect(trunc);
	cr_expect_eq(strlen(buf), AR_RKEY_MAX - 1);
	cr_expect_eq(strncmp(buf, "restart-wazuh-kkk", 17), 0, "basename prefix kept");
	for (i = 14; i < AR_RKEY_MAX - 1; i++)
		cr_assert_eq(buf[i], 'k', "byte %zu", i);
	cr_expect_eq(buf[AR_RKEY_MAX - 1], '\0');
	cr_expect_eq(buf[AR_RKEY_MAX], 'X', "nothing written past 4096 bytes");
	cr_expect_eq(arproto_rkey(line, "x", buf, 0, &trunc), -EINVAL);
}

/*
 * arxdpd builds execd's messages around the alert line without a JSON tree; the result must be
 * byte for byte what the tree-based builder prints, for every verb, for extra_args and node
 * names that need escaping, over every sample alert.
 */
struct raw_case {
	char node[32];
	char verb[16];
	enum ar_command cmd;
	int n_extra;
	char extra[3][16];
};

static struct raw_case raw_cases[] = {
	{ "node01", "add", AR_CMD_ADD, 0, {} },
	{ "node01", "continue", AR_CMD_CONTINUE, 0, {} },
	{ "node01", "abort", AR_CMD_ABORT, 0, {} },
	{ "node01", "delete", AR_CMD_DELETE, 0, {} },
	{ "un\"quo\\ted", "add", AR_CMD_ADD, 3, { "-a", "b\"c", ";" } },
	{ "", "delete", AR_CMD_DELETE, 1, { "tab\there" } },
};

ParameterizedTestParameters(arproto, execd_msg_raw_matches_tree)
{
	return cr_make_param_array(struct raw_case, raw_cases,
				   sizeof(raw_cases) / sizeof(raw_cases[0]));
}

ParameterizedTest(struct raw_case *c, arproto, execd_msg_raw_matches_tree)
{
	const char *extra[3] = { c->extra[0], c->extra[1], c->extra[2] };
	FILE *f = fopen("tests/data/alerts/samples.jsonl", "r");
	char *line = NULL;
	size_t cap = 0;
	int n = 0;

	cr_assert_not_null(f);
	while (getline(&line, &cap, f) > 0) {
		cJSON *alert = cJSON_Parse(line);
		char *printed, *tree, *raw;

		cr_assert_not_null(alert, "sample %d parses", n);
		printed = cJSON_PrintUnformatted(alert);
		tree = arproto_execd_msg(c->node, c->cmd, alert, extra, c->n_extra,
					 "active-response/bin/firewall-drop");
		raw = arproto_execd_msg_raw(c->node, c->verb, printed, strlen(printed), extra,
					    c->n_extra, "active-response/bin/firewall-drop");
		cr_assert_not_null(tree);
		cr_assert_not_null(raw);
		cr_expect_str_eq(raw, tree, "sample %d, verb %s", n, c->verb);
		free(printed);
		free(tree);
		free(raw);
		cJSON_Delete(alert);
		n++;
	}
	cr_expect_gt(n, 0, "samples read");
	free(line);
	fclose(f);
}
