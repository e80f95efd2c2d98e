// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the tests of the alerts.json parser (user/lib/alert.c), over the real Wazuh
 * samples (addresses rewritten to documentation ranges) and hand-made edge cases.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <cjson/cJSON.h>
#include "alert.h"
#include "testutil.h"

#define SAMPLES "tests/data/alerts/samples.jsonl"

struct sample_case {
	int line;
	char id[32];
	char rule_id[16];
	int level;
	char agent[8];
	char addr[48]; /* "" = none */
	char groups[256];
	long long time_s;
};

ParameterizedTestParameters(alert, samples)
{
	static struct sample_case cases[] = {
		{ 1, "1652272159.1549653", "5712", 10, "000", "192.0.2.10",
		  "syslog,sshd,authentication_failures,gdpr_IV_35.7.d,gdpr_IV_32.2,hipaa_164.312.b,"
		  "nist_800_53_SI.4,nist_800_53_AU.14,nist_800_53_AC.7,pci_dss_11.4,"
		  "pci_dss_10.2.4,pci_dss_10.2.5,tsc_CC6.1,tsc_CC6.8,tsc_CC7.2,tsc_CC7.3,",
		  1652272159 },
		{ 2, "1655477187.49701", "31168", 15, "005", "192.0.2.56",
		  "web,accesslog,attack,pci_dss_11.4,gdpr_IV_35.7.d,nist_800_53_SI.4,tsc_CC6.1,"
		  "tsc_CC6.8,tsc_CC7.2,tsc_CC7.3,",
		  1655477187 },
		{ 3, "1587082673.77856", "5716", 5, "001", "203.0.113.73",
		  "syslog,sshd,authentication_failed,pci_dss_10.2.4,pci_dss_10.2.5,gpg13_7.1,"
		  "gdpr_IV_35.7.d,gdpr_IV_32.2,hipaa_164.312.b,nist_800_53_AU.14,nist_800_53_AC.7,",
		  1587082673 },
		{ 4, "1587082700.80945", "5710", 5, "002", "203.0.113.89",
		  "syslog,sshd,invalid_login,authentication_failed,pci_dss_10.2.4,pci_dss_10.2.5,"
		  "pci_dss_10.6.1,gpg13_7.1,gdpr_IV_35.7.d,gdpr_IV_32.2,hipaa_164.312.b,"
		  "nist_800_53_AU.14,nist_800_53_AC.7,nist_800_53_AU.6,",
		  1587082700 },
		{ 5, "1587083113.109656", "5720", 10, "004", "203.0.113.76",
		  "syslog,sshd,authentication_failures,pci_dss_10.2.4,pci_dss_10.2.5,pci_dss_11.4,"
		  "gpg13_7.1,gdpr_IV_35.7.d,gdpr_IV_32.2,hipaa_164.312.b,nist_800_53_AU.14,"
		  "nist_800_53_AC.7,nist_800_53_SI.4,",
		  1587083113 },
		/* minimal syscheck alert: no agent (the manager's own), no data, no groups */
		{ 6, "1609860180.513333", "554", 5, "000", "", "", 1609860180 },
	};

	return cr_make_param_array(struct sample_case, cases, sizeof(cases) / sizeof(cases[0]));
}

static char *read_line(const char *path, int want)
{
	static char buf[ALERT_LINE_MAX + 2];

	return tu_read_line(path, want, buf, sizeof(buf));
}

ParameterizedTest(struct sample_case *c, alert, samples)
{
	char *line = read_line(SAMPLES, c->line), err[160];
	struct alert a;

	cr_assert_eq(alert_parse(&a, line, strlen(line), err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(a.id, c->id);
	cr_expect_str_eq(a.rule_id, c->rule_id);
	cr_expect_eq(a.rule_num, atoi(c->rule_id));
	cr_expect_eq(a.level, c->level);
	cr_expect_str_eq(a.agent_id, c->agent);
	if (c->addr[0]) {
		cr_expect_str_eq(a.addr, c->addr);
		cr_expect_str_eq(a.srcip, c->addr);
	} else {
		cr_expect_null(a.addr);
		cr_expect_null(a.srcip);
	}
	cr_expect_str_eq(a.groups, c->groups);
	cr_expect_eq(a.time_s, c->time_s);
	/* The whole alert stays available for execd's message. */
	cr_expect(cJSON_IsObject(cJSON_GetObjectItem(a.root, "rule")));
	alert_free(&a);
	alert_free(&a);
}

struct addr_case {
	char json[400];
	char addr[48];
	char srcip[48];
	char dstuser[32];
};

ParameterizedTestParameters(alert, address_order)
{
	static struct addr_case cases[] = {
		{ "{\"rule\":{\"id\":\"1\",\"level\":3},\"id\":\"1.1\",\"data\":{\"srcip\":\"192.0.2.1\","
		  "\"win\":{\"eventdata\":{\"ipAddress\":\"192.0.2.2\",\"destinationIp\":\"192.0.2.3\"}}}}",
		  "192.0.2.2", "192.0.2.1", "" },
		{ "{\"rule\":{\"id\":\"1\",\"level\":3},\"id\":\"1.1\",\"data\":{\"srcip\":\"192.0.2.1\","
		  "\"win\":{\"eventdata\":{\"destinationIp\":\"192.0.2.3\"}}}}",
		  "192.0.2.3", "192.0.2.1", "" },
		{ "{\"rule\":{\"id\":\"1\",\"level\":3},\"id\":\"1.1\",\"data\":{\"srcip\":\"192.0.2.1\","
		  "\"dstuser\":\"root\"},\"source\":{\"ip\":\"192.0.2.9\"}}",
		  "192.0.2.1", "192.0.2.1", "root" },
		/* Wazuh 5: source.ip */
		{ "{\"rule\":{\"id\":\"1\",\"level\":3},\"id\":\"1.1\",\"source\":{\"ip\":\"2001:db8::5\"}}",
		  "2001:db8::5", "2001:db8::5", "" },
		/* only strings count, as in firewall-drop */
		{ "{\"rule\":{\"id\":\"1\",\"level\":3},\"id\":\"1.1\",\"data\":{\"srcip\":3221225985,"
		  "\"win\":{\"eventdata\":{\"ipAddress\":[1]}}}}",
		  "", "", "" },
	};

	return cr_make_param_array(struct addr_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct addr_case *c, alert, address_order)
{
	struct alert a;
	char err[160];

	cr_assert_eq(alert_parse(&a, c->json, strlen(c->json), err, sizeof(err)), 0, "%s", err);
	if (c->addr[0])
		cr_expect_str_eq(a.addr, c->addr);
	else
		cr_expect_null(a.addr);
	if (c->srcip[0])
		cr_expect_str_eq(a.srcip, c->srcip);
	else
		cr_expect_null(a.srcip);
	if (c->dstuser[0])
		cr_expect_str_eq(a.dstuser, c->dstuser);
	else
		cr_expect_null(a.dstuser);
	alert_free(&a);
}

struct bad_case {
	char json[200];
	int ret;
	char err[80];
};

ParameterizedTestParameters(alert, bad)
{
	static struct bad_case cases[] = {
		{ "not json", -EINVAL, "not JSON: parse error at byte 0" },
		{ "{\"rule\":{\"id\":\"1\",\"level\":3},\"id\":\"1.1\"", -EINVAL, "not JSON" },
		{ "[1,2]", -EINVAL, "not a JSON object" },
		{ "{\"id\":\"1.1\"}", -EINVAL, "missing object 'rule'" },
		{ "{\"rule\":{\"level\":3},\"id\":\"1.1\"}", -EINVAL,
		  "missing or non-numeric string 'rule.id'" },
		{ "{\"rule\":{\"id\":5712,\"level\":3},\"id\":\"1.1\"}", -EINVAL,
		  "missing or non-numeric string 'rule.id'" },
		{ "{\"rule\":{\"id\":\"5712\",\"level\":\"3\"},\"id\":\"1.1\"}", -EINVAL,
		  "missing or invalid number 'rule.level'" },
		{ "{\"rule\":{\"id\":\"5712\",\"level\":3}}", -EINVAL, "missing string 'id'" },
		{ "{\"rule\":{\"id\":\"5712\",\"level\":3},\"id\":\"1.1\"} trailing", -EINVAL,
		  "not JSON" },
	};

	return cr_make_param_array(struct bad_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_case *c, alert, bad)
{
	struct alert a;
	char err[160] = "";

	cr_expect_eq(alert_parse(&a, c->json, strlen(c->json), err, sizeof(err)), c->ret);
	cr_expect(!strncmp(err, c->err, strlen(c->err)), "error '%s', expected '%s'", err, c->err);
	cr_expect_null(a.root);
}

Test(alert, line_length_limit)
{
	static const char head[] =
		"{\"rule\":{\"id\":\"1\",\"level\":3},\"id\":\"1.1\",\"full_log\":\"";
	size_t body = ALERT_LINE_MAX - strlen(head) - 2, len;
	char *line = malloc(ALERT_LINE_MAX + 16), err[160];
	struct alert a;

	cr_assert_not_null(line);
	strcpy(line, head);
	memset(line + strlen(head), 'x', body);
	strcpy(line + strlen(head) + body, "\"}");
	len = strlen(line);
	cr_assert_eq(len, ALERT_LINE_MAX);
	cr_expect_eq(alert_parse(&a, line, len, err, sizeof(err)), 0, "exactly 65536 bytes: %s",
		     err);
	alert_free(&a);
	memmove(line + strlen(head) + 1, line + strlen(head), body + 3);
	cr_expect_eq(alert_parse(&a, line, len + 1, err, sizeof(err)), -E2BIG);
	cr_expect(strstr(err, "longer than 65536") != NULL, "%s", err);
	free(line);
}

struct time_case {
	char ts[40];
	int ret;
	long long epoch;
};

ParameterizedTestParameters(alert, timestamps)
{
	static struct time_case cases[] = {
		{ "2022-05-11T12:29:19.905+0000", 0, 1652272159 },
		{ "2022-05-11T14:29:19.905+0200", 0, 1652272159 },
		{ "2022-05-11T07:59:19.905-0430", 0, 1652272159 },
		{ "2022-05-11T12:29:19Z", 0, 1652272159 },
		{ "2022-05-11T12:29:19.905+02:00", 0, 1652264959 },
		{ "2022-05-11 12:29:19", -EINVAL, 0 },
		{ "2022-13-11T12:29:19.905+0000", -EINVAL, 0 },
		{ "2022-05-11T12:29:19.905+0000x", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
	};

	return cr_make_param_array(struct time_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct time_case *c, alert, timestamps)
{
	int64_t t = 0;

	cr_expect_eq(alert_parse_time(c->ts, &t), c->ret, "'%s'", c->ts);
	if (!c->ret)
		cr_expect_eq(t, c->epoch, "'%s': %lld, expected %lld", c->ts, (long long)t,
			     c->epoch);
}

Test(alert, time_falls_back_to_id)
{
	const char *j = "{\"timestamp\":\"garbage\",\"rule\":{\"id\":\"1\",\"level\":3},"
			"\"id\":\"1700000000.42\"}";
	struct alert a;

	cr_assert_eq(alert_parse(&a, j, strlen(j), NULL, 0), 0);
	cr_expect_eq(a.time_s, 1700000000);
	alert_free(&a);
}
