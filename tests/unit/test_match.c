// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the tests of the decision engine (user/lib/match.c): rule binding with
 * Wazuh's quirks, analysisd's checks, the white list, dispatch by location, repeated offenders,
 * and whole decisions over the reference sample alerts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include "log.h"
#include "match.h"

static void discard(enum log_level level, const char *msg, void *ctx)
{
	(void)level;
	(void)msg;
	(void)ctx;
}

/* The fixtures trigger 1305/1306 on purpose; keep the output to the results. */
static void quiet(void)
{
	log_set_sink(discard, NULL);
}

TestSuite(match, .init = quiet);

struct rid_case {
	char list[32];
	int rule;
	bool match;
};

ParameterizedTestParameters(match, rules_id)
{
	static struct rid_case cases[] = {
		{ "5710, 5712", 5712, true },  { "5710, 5712", 5710, true },
		{ "5710 5712", 5710, true },   { "5710 5712", 5712, false },
		{ "5710;5712", 5712, false },  { "5710;5712", 5710, true },
		{ "x,5710", 5710, false },     { ",,5710", 5710, true },
		{ "  5712", 5712, true },      { "5710abc,5712", 5712, true },
		{ "57100", 5710, false },      { "05710", 5710, true },
		{ "5710,", 5711, false },      { "", 5710, false },
		{ "5710,,,5712", 5712, true },
	};

	return cr_make_param_array(struct rid_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct rid_case *c, match, rules_id)
{
	cr_expect_eq(match_rules_id(c->list, c->rule), c->match, "'%s' vs %d", c->list, c->rule);
}

struct bind_case {
	int ar_level; /* 0 = unset */
	char group[48]; /* "" = unset */
	char rids[24]; /* "" = unset */
	int level;
	int rule;
	char groups[96];
	bool bound;
};

ParameterizedTestParameters(match, binds)
{
	static struct bind_case cases[] = {
		/* level is >= */
		{ 10, "", "", 10, 1, "sshd,", true },
		{ 10, "", "", 9, 1, "sshd,", false },
		{ 10, "", "", 15, 1, "", true },
		/* level AND group when both are set */
		{ 10, "sshd,", "", 12, 1, "syslog,sshd,", true },
		{ 10, "sshd,", "", 12, 1, "web,", false },
		{ 10, "sshd,", "", 5, 1, "syslog,sshd,", false },
		/* group alone */
		{ 0, "sshd,", "", 3, 1, "syslog,sshd,", true },
		{ 0, "sshd,", "", 3, 1, "syslog,sshd_x,", false },
		{ 0, "pci_dss_11.4,", "", 3, 1, "web,pci_dss_11.4,", true },
		/* rules_id is always OR-ed, even when level AND group fails */
		{ 10, "sshd,", "5712", 5, 5712, "web,", true },
		{ 10, "", "5712", 5, 5712, "", true },
		{ 10, "", "5712", 5, 5713, "", false },
		{ 0, "", "5710 5712", 5, 5712, "", false },
		/* nothing set: never bound */
		{ 0, "", "", 15, 5712, "sshd,", false },
		/* level 0 rule never fires, even by id */
		{ 0, "", "5712", 0, 5712, "", false },
		{ 1, "", "", 0, 5712, "", false },
	};

	return cr_make_param_array(struct bind_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bind_case *c, match, binds)
{
	struct ossec_ar ar = { .level = c->ar_level };

	if (c->group[0]) {
		ar.rules_group = c->group;
		cr_assert_eq(oregex_compile(&ar.group_re, c->group, OREGEX_REGEX, NULL, 0), 0);
	}
	if (c->rids[0])
		ar.rules_id = c->rids;
	cr_expect_eq(match_binds(&ar, c->level, c->rule, c->groups), c->bound,
		     "level %d group '%s' ids '%s' vs rule %d level %d groups '%s'", c->ar_level,
		     c->group, c->rids, c->rule, c->level, c->groups);
	oregex_free(&ar.group_re);
}

struct chars_case {
	char s[48];
	bool srcip_ok;
	bool dstuser_ok;
};

ParameterizedTestParameters(match, character_classes)
{
	static struct chars_case cases[] = {
		{ "192.0.2.1", true, true },
		{ "2001:db8::1", true, false },
		{ "host_name-1.example", true, true },
		{ "", true, true },
		{ "root", true, true },
		{ "user@domain", false, true },
		{ "who?", false, true },
		{ "adm$n", false, false },
		{ "a b", false, false },
		{ "192.0.2.1;id", false, false },
		{ "x/y", false, false },
		{ "\xc3\xa9t\xc3\xa9", false, false },
	};

	return cr_make_param_array(struct chars_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct chars_case *c, match, character_classes)
{
	cr_expect_eq(match_srcip_chars(c->s), c->srcip_ok, "srcip '%s'", c->s);
	cr_expect_eq(match_dstuser_chars(c->s), c->dstuser_ok, "dstuser '%s'", c->s);
}

static struct ossec_config *load(const char *path)
{
	struct ossec_config *cfg = NULL;
	char err[CONFIG_ERR_MAX];

	cr_assert_eq(config_load_ossec(&cfg, path, err, sizeof(err)), 0, "%s", err);
	return cfg;
}

struct wl_case {
	char conf[48];
	char ip[48];
	bool listed;
};

ParameterizedTestParameters(match, white_list)
{
	static struct wl_case cases[] = {
		{ "ossec-manager.conf", "127.0.0.1", true },
		{ "ossec-manager.conf", "127.0.0.2", false },
		{ "ossec-manager.conf", "198.51.100.2", true },
		{ "ossec-manager.conf", "198.51.100.3", false },
		{ "ossec-manager.conf", "::ffff:198.51.100.2", true },
		{ "ossec-manager.conf", "::FFFF:198.51.100.2", true },
		{ "ossec-manager.conf", "localhost.localdomain", true },
		{ "ossec-manager.conf", "2001:db8::2", false },
		{ "valid/quirks.conf", "192.0.2.1", true },
		{ "valid/quirks.conf", "198.51.100.77", true },
		/* dotted netmask 255.255.255.128 */
		{ "valid/quirks.conf", "203.0.113.5", true },
		/* the '!' quirk: its own match and every later one say "no"... */
		{ "valid/quirks.conf", "203.0.113.200", false },
		{ "valid/quirks.conf", "203.0.113.129", false },
		/* ...and reaching the end says "yes" */
		{ "valid/quirks.conf", "192.0.2.99", true },
		/* IPv6 entries are host-name patterns: substring, case-insensitive */
		{ "valid/quirks.conf", "2001:db8::1", true },
		{ "valid/quirks.conf", "2001:DB8::10", true },
		{ "valid/quirks.conf", "2001:db8::2", false },
		{ "valid/quirks.conf", "backup-3", true },
		{ "valid/quirks.conf", "my-gateway", false },
		/* an out-of-range "address" is a pattern too */
		{ "valid/quirks.conf", "203.0.113.300", true },
	};

	return cr_make_param_array(struct wl_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct wl_case *c, match, white_list)
{
	char path[96];
	struct ossec_config *cfg;

	snprintf(path, sizeof(path), "tests/data/conf/%s", c->conf);
	cfg = load(path);
	cr_expect_eq(match_white_list(cfg, c->ip), c->listed, "%s: '%s'", c->conf, c->ip);
	config_free_ossec(cfg);
}

struct loc_case {
	char self[8];
	bool manager_in_all;
	unsigned int loc;
	int agent_num;
	char alert_agent[8];
	bool here;
};

ParameterizedTestParameters(match, runs_here)
{
	static struct loc_case cases[] = {
		/* on a manager */
		{ "000", false, AR_LOC_AS_ONLY, 0, "005", true },
		{ "000", false, AR_LOC_AS_ONLY, 0, "000", true },
		{ "000", false, AR_LOC_REMOTE_AGENT, 0, "000", true },
		{ "000", false, AR_LOC_REMOTE_AGENT, 0, "005", false },
		{ "000", false, AR_LOC_SPECIFIC_AGENT, 32, "000", false },
		{ "000", false, AR_LOC_ALL_AGENTS, 0, "000", false },
		{ "000", true, AR_LOC_ALL_AGENTS, 0, "005", true },
		{ "000", false, AR_LOC_AS_ONLY | AR_LOC_ALL_AGENTS, 0, "005", true },
		{ "000", false, AR_LOC_REMOTE_AGENT | AR_LOC_ALL_AGENTS, 0, "005", false },
		/* on an agent (005) */
		{ "005", false, AR_LOC_AS_ONLY, 0, "005", false },
		{ "005", false, AR_LOC_REMOTE_AGENT, 0, "005", true },
		{ "005", false, AR_LOC_REMOTE_AGENT, 0, "006", false },
		{ "005", false, AR_LOC_SPECIFIC_AGENT, 5, "001", true },
		{ "005", false, AR_LOC_SPECIFIC_AGENT, 6, "005", false },
		{ "005", false, AR_LOC_ALL_AGENTS, 0, "001", true },
	};

	return cr_make_param_array(struct loc_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct loc_case *c, match, runs_here)
{
	struct ossec_ar ar = { .loc = c->loc, .agent_num = c->agent_num };
	struct arxdp_settings s;

	settings_defaults(&s);
	strcpy(s.agent_id, c->self);
	s.manager_in_all = c->manager_in_all;
	cr_expect_eq(match_runs_here(&s, &ar, c->alert_agent), c->here,
		     "self %s loc %o agent %d alert from %s", c->self, c->loc, c->agent_num,
		     c->alert_agent);
}

/* Section 4.4: 1,5,10 minutes -> 600 s first, then 60, 300, 600, 600 ... */
Test(match, repeated_offenders)
{
	struct ossec_config cfg = { .repeated = { 1, 5, 10 }, .n_repeated = 3 };
	struct offender_table *t = offenders_new();
	static const uint32_t want[] = { 600, 60, 300, 600, 600, 600 };
	static const uint32_t reps[] = { 0, 1, 2, 3, 3, 3 };
	uint32_t r, count;
	size_t i;

	cr_assert_not_null(t);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		cr_expect_eq(offenders_escalate(t, &cfg, "firewall-drop-192.0.2.1", 600, &r),
			     want[i], "add #%zu", i + 1);
		cr_expect_eq(r, reps[i], "add #%zu", i + 1);
	}
	/* another key starts afresh; timeout 0 is never escalated nor counted */
	cr_expect_eq(offenders_escalate(t, &cfg, "firewall-drop-192.0.2.2", 180, NULL), 180);
	cr_expect_eq(offenders_escalate(t, &cfg, "firewall-drop-192.0.2.3", 0, NULL), 0);
	cr_expect_eq(offenders_get(t, "firewall-drop-192.0.2.3", &count), -ENOENT);
	cr_expect_eq(offenders_size(t), 2);
	/* not configured: unchanged */
	cfg.n_repeated = 0;
	cr_expect_eq(offenders_escalate(t, &cfg, "firewall-drop-192.0.2.1", 600, NULL), 600);
	offenders_free(t);
}

static int collect(const char *rkey, uint32_t count, void *ctx)
{
	uint64_t *sum = ctx;

	cr_expect(!strncmp(rkey, "k-", 2));
	*sum += count;
	return 0;
}

static int stop_at_first(const char *rkey, uint32_t count, void *ctx)
{
	(void)rkey;
	(void)count;
	(*(int *)ctx)++;
	return -ECANCELED;
}

Test(match, offenders_persist_and_restore)
{
	struct ossec_config cfg = { .repeated = { 2, 4 }, .n_repeated = 2 };
	struct offender_table *t = offenders_new();
	char key[32], big[OFFENDER_KEY_MAX + 100];
	uint64_t sum = 0;
	uint32_t count;
	int i, calls = 0;

	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "k-%d", i);
		cr_assert_eq(offenders_set(t, key, (uint32_t)(i % 3)), 0);
	}
	cr_expect_eq(offenders_size(t), 1000);
	cr_expect_eq(offenders_get(t, "k-500", &count), 0);
	cr_expect_eq(count, 500 % 3);
	cr_expect_eq(offenders_foreach(t, collect, &sum), 0);
	cr_expect_eq(sum, 333 * 1 + 333 * 2);
	cr_expect_eq(offenders_foreach(t, stop_at_first, &calls), -ECANCELED);
	cr_expect_eq(calls, 1);
	/* a restored count continues where execd left off */
	cr_expect_eq(offenders_escalate(t, &cfg, "k-1", 100, NULL), 4 * 60);
	cr_expect_eq(offenders_escalate(t, &cfg, "k-0", 100, NULL), 2 * 60);
	cr_expect_eq(offenders_set(t, "", 1), -EINVAL);
	/* keys longer than execd's 4095 characters are truncated like execd's */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cr_expect_eq(offenders_set(t, big, 7), 0);
	big[OFFENDER_KEY_MAX - 1] = '\0';
	cr_expect_eq(offenders_get(t, big, &count), 0);
	cr_expect_eq(count, 7);
	offenders_free(t);
}

Test(match, rkey)
{
	char buf[32];

	cr_expect_eq(match_rkey(buf, sizeof(buf), "firewall-drop", "192.0.2.1"), 0);
	cr_expect_str_eq(buf, "firewall-drop-192.0.2.1");
	cr_expect_eq(match_rkey(buf, sizeof(buf), "bin/restart-wazuh", "10"), 0);
	cr_expect_str_eq(buf, "restart-wazuh-10");
	cr_expect_eq(match_rkey(buf, 8, "firewall-drop", "x"), -ENAMETOOLONG);
}

/* ---- whole decisions over the reference samples ---- */

struct alert_case {
	char conf[48];
	char self[8];
	int line; /* of tests/data/alerts/samples.jsonl */
	char want[200]; /* "name:action[:reason|:timeout];..." */
};

ParameterizedTestParameters(match, samples)
{
	static struct alert_case cases[] = {
		/* 5712 from agent 000: only host-deny (level 10 AND sshd,) binds, for agent 032 */
		{ "ossec-manager.conf", "000", 1, "host-deny1:skip:remote;" },
		/* 31168 from agent 005: all -> agents, server -> here, host-deny (level 15,
		   pci_dss_11.4,) -> agent 032 */
		{ "ossec-manager.conf", "000", 2,
		  "firewall-drop300:skip:remote;firewall-drop300:block:300;host-deny1:skip:remote;" },
		/* level 5: host-deny needs 10 */
		{ "ossec-manager.conf", "000", 3, "" },
		/* 5720 level 10, sshd, */
		{ "ossec-manager.conf", "000", 5, "host-deny1:skip:remote;" },
		/* as agent 005 itself: "all" runs here, "server" does not */
		{ "ossec-manager.conf", "005", 2,
		  "firewall-drop300:block:300;firewall-drop300:skip:remote;host-deny1:skip:remote;" },
		/* as agent 032: the defined-agent script runs */
		{ "ossec-manager.conf", "032", 1, "host-deny1:script:1;" },
		/* the replay fixture: firewall-drop600 then the pci_dss_11.4 rkey repeat */
		{ "../replay/ossec.conf", "000", 1,
		  "firewall-drop600:block:600;host-deny60:skip:remote;custom0:script:0;"
		  "firewall-drop300:block:1800;" },
		/* white-listed 203.0.113.76 (203.0.113.64/28) */
		{ "../replay/ossec.conf", "000", 5,
		  "firewall-drop600:skip:white_list;host-deny60:skip:white_list;"
		  "firewall-drop300:skip:white_list;" },
		/* no address: a script still runs, the fast path cannot */
		{ "../replay/ossec.conf", "000", 6,
		  "custom0:script:0;firewall-drop0:skip:no_srcip;" },
	};

	return cr_make_param_array(struct alert_case, cases, sizeof(cases) / sizeof(cases[0]));
}

static void read_sample(int want, char *buf, size_t size)
{
	FILE *f = fopen("tests/data/alerts/samples.jsonl", "r");
	int n = 0;

	cr_assert_not_null(f);
	while (fgets(buf, (int)size, f))
		if (++n == want)
			break;
	fclose(f);
	cr_assert_eq(n, want);
}

ParameterizedTest(struct alert_case *c, match, samples)
{
	static char line[ALERT_LINE_MAX + 2];
	struct match_decision d[16];
	struct arxdp_settings s;
	struct match_env env;
	struct alert a;
	char path[96], got[400] = "", one[96];
	size_t n, i;

	snprintf(path, sizeof(path), "tests/data/conf/%s", c->conf);
	settings_defaults(&s);
	strcpy(s.agent_id, c->self);
	env = (struct match_env){ .cfg = load(path), .settings = &s };
	env.offenders = offenders_new();
	read_sample(c->line, line, sizeof(line));
	cr_assert_eq(alert_parse(&a, line, strlen(line), NULL, 0), 0);
	cr_assert_eq(match_alert(&env, &a, d, 16, &n), 0);
	for (i = 0; i < n; i++) {
		if (d[i].action == MATCH_SKIP)
			snprintf(one, sizeof(one), "%s:skip:%s;", d[i].ar->name,
				 match_reason_name(d[i].reason));
		else
			snprintf(one, sizeof(one), "%s:%s:%u;", d[i].ar->name,
				 match_action_name(d[i].action), d[i].timeout);
		strcat(got, one);
	}
	cr_expect_str_eq(got, c->want, "%s as %s, sample %d", c->conf, c->self, c->line);
	alert_free(&a);
	offenders_free(env.offenders);
	config_free_ossec((struct ossec_config *)env.cfg);
}

struct skip_case {
	char data[160];
	char own[48];
	char want[24]; /* action or reason of the one server firewall-drop response */
};

ParameterizedTestParameters(match, never_block)
{
	static struct skip_case cases[] = {
		{ "\"srcip\":\"192.0.2.7\"", "", "block" },
		{ "\"srcip\":\"192.0.2.7\"", "192.0.2.7", "own_address" },
		{ "\"srcip\":\"::ffff:192.0.2.7\"", "192.0.2.7", "own_address" },
		{ "\"srcip\":\"2001:db8::7\"", "2001:db8::7", "own_address" },
		{ "\"srcip\":\"127.0.0.5\"", "", "loopback" },
		{ "\"srcip\":\"::1\"", "", "loopback" },
		{ "\"srcip\":\"0.0.0.0\"", "", "loopback" },
		{ "\"srcip\":\"localhost\"", "", "invalid_srcip" },
		{ "\"srcip\":\"192.0.2.7\",\"dstuser\":\"a b\"", "", "invalid_dstuser" },
		{ "\"srcip\":\"192.0.2.7 \"", "", "invalid_srcip" },
		{ "\"srcuser\":\"x\"", "", "no_srcip" },
		{ "\"srcip\":\"\"", "", "no_srcip" },
		/* the address to block is checked against the white list as well */
		{ "\"srcip\":\"192.0.2.7\",\"win\":{\"eventdata\":{\"ipAddress\":\"198.51.100.2\"}}",
		  "", "white_list" },
	};

	return cr_make_param_array(struct skip_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct skip_case *c, match, never_block)
{
	static const char conf[] =
		"<ossec_config><global><white_list>198.51.100.2</white_list></global>"
		"<command><name>firewall-drop</name><executable>firewall-drop</executable>"
		"<timeout_allowed>yes</timeout_allowed></command>"
		"<active-response><command>firewall-drop</command><location>server</location>"
		"<level>3</level><timeout>60</timeout></active-response></ossec_config>";
	char json[400], err[CONFIG_ERR_MAX];
	struct ossec_config *cfg = NULL;
	struct match_decision d[2];
	struct arxdp_addr own;
	struct arxdp_settings s;
	struct match_env env;
	struct alert a;
	size_t n;

	cr_assert_eq(config_parse_ossec(&cfg, "mem", conf, strlen(conf), err, sizeof(err)), 0, "%s",
		     err);
	settings_defaults(&s);
	env = (struct match_env){ .cfg = cfg, .settings = &s };
	if (c->own[0]) {
		cr_assert_eq(addr_parse_host(c->own, &own), 0);
		env.own = &own;
		env.n_own = 1;
	}
	snprintf(json, sizeof(json),
		 "{\"rule\":{\"id\":\"100\",\"level\":5},\"agent\":{\"id\":\"003\"},\"id\":\"1.2\","
		 "\"data\":{%s}}",
		 c->data);
	cr_assert_eq(alert_parse(&a, json, strlen(json), err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(match_alert(&env, &a, d, 2, &n), 0);
	cr_assert_eq(n, 1);
	cr_expect_str_eq(d[0].action == MATCH_SKIP ? match_reason_name(d[0].reason) :
						     match_action_name(d[0].action),
			 c->want, "%s", c->data);
	alert_free(&a);
	config_free_ossec(cfg);
}

Test(match, too_many_decisions)
{
	static const char conf[] =
		"<ossec_config><command><name>c</name><executable>c</executable></command>"
		"<active-response><command>c</command><location>server</location><level>1</level>"
		"</active-response><active-response><command>c</command><location>server</location>"
		"<level>1</level></active-response></ossec_config>";
	static const char json[] = "{\"rule\":{\"id\":\"1\",\"level\":5},\"id\":\"1.2\"}";
	struct ossec_config *cfg = NULL;
	struct match_decision d[2];
	struct arxdp_settings s;
	struct match_env env;
	struct alert a;
	size_t n;

	cr_assert_eq(config_parse_ossec(&cfg, "mem", conf, strlen(conf), NULL, 0), 0);
	settings_defaults(&s);
	env = (struct match_env){ .cfg = cfg, .settings = &s };
	cr_assert_eq(alert_parse(&a, json, strlen(json), NULL, 0), 0);
	cr_expect_eq(match_alert(&env, &a, d, 1, &n), -ENOSPC);
	cr_expect_eq(n, 1);
	cr_expect_eq(match_alert(&env, &a, d, 2, &n), 0);
	cr_expect_eq(n, 2);
	cr_expect_eq(d[1].action, MATCH_SCRIPT);
	cr_expect_eq(d[1].reason, MATCH_REASON_NONE);
	alert_free(&a);
	config_free_ossec(cfg);
}

/* ---- what Wazuh delivers at all: analysisd's queues and execd's switch ---- */

struct sends_case {
	char desc[72];
	char ars[400]; /* <active-response> blocks after the command, in one root */
	char self[8];
	bool manager_in_all;
	char want[48]; /* "action|reason;" per bound response */
};

#define FD_AR(loc)                                                                      \
	"<active-response><command>firewall-drop</command><location>" loc "</location>" \
	"<level>3</level><timeout>60</timeout></active-response>"
#define FD_OFF "<active-response><disabled>yes</disabled></active-response>"

ParameterizedTestParameters(match, wazuh_sends)
{
	static struct sends_case cases[] = {
		{ "manager, server", FD_AR("server"), "000", false, "block;" },
		{ "disabled first: execd off on this host", FD_OFF FD_AR("server"), "000", false,
		  "ar_disabled;" },
		{ "disabled last: analysisd's queues reset", FD_AR("server") FD_OFF, "000", false,
		  "ar_disabled;" },
		{ "disabled in between: the server block lost LOCAL_AR, all still goes out",
		  FD_AR("server") FD_OFF FD_AR("all"), "000", false, "ar_disabled;remote;" },
		{ "agent: 'all' before a disabled block lost REMOTE_AR",
		  FD_AR("all") FD_OFF FD_AR("server"), "005", false, "ar_disabled;remote;" },
		{ "agent: 'all' travels on REMOTE_AR, no LOCAL_AR needed", FD_AR("all"), "005",
		  false, "block;" },
		{ "agent: a trailing disabled block stops it", FD_AR("all") FD_OFF, "005", false,
		  "ar_disabled;" },
		{ "manager_in_all: the 'all' queue is what counts", FD_AR("all"), "000", true,
		  "block;" },
	};

	return cr_make_param_array(struct sends_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct sends_case *c, match, wazuh_sends)
{
	static const char json[] = "{\"rule\":{\"id\":\"100\",\"level\":5},\"agent\":{\"id\":"
				   "\"005\"},\"id\":\"1.2\",\"data\":{\"srcip\":\"192.0.2.7\"}}";
	char conf[700], err[CONFIG_ERR_MAX], got[96] = "";
	struct ossec_config *cfg = NULL;
	struct match_decision d[4];
	struct arxdp_settings s;
	struct match_env env;
	struct alert a;
	size_t n, i;

	snprintf(conf, sizeof(conf),
		 "<ossec_config><command><name>firewall-drop</name><executable>firewall-drop"
		 "</executable><timeout_allowed>yes</timeout_allowed></command>%s</ossec_config>",
		 c->ars);
	cr_assert_eq(config_parse_ossec(&cfg, "mem", conf, strlen(conf), err, sizeof(err)), 0,
		     "%s: %s", c->desc, err);
	settings_defaults(&s);
	strcpy(s.agent_id, c->self);
	s.manager_in_all = c->manager_in_all;
	env = (struct match_env){ .cfg = cfg, .settings = &s };
	cr_assert_eq(alert_parse(&a, json, strlen(json), err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(match_alert(&env, &a, d, 4, &n), 0);
	for (i = 0; i < n; i++) {
		strcat(got, d[i].action == MATCH_SKIP ? match_reason_name(d[i].reason) :
							match_action_name(d[i].action));
		strcat(got, ";");
	}
	cr_expect_str_eq(got, c->want, "%s", c->desc);
	alert_free(&a);
	config_free_ossec(cfg);
}
