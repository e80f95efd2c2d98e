// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* This file contains the tables of the `arxdp list --json` / `stats --json` objects. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "render.h"
#include "util.h"

#define NOW_MONO (1000 * NSEC_PER_SEC)
#define WALL_2022 1652272159ULL

struct entry_case {
	char addr[64];
	uint64_t expires_ns;
	uint32_t rule_id;
	uint8_t level, origin;
	uint64_t packets, bytes;
	char json[512];
};

/* clang-format off */
static struct entry_case entry_cases[] = {
	{ "198.51.100.7", 0, 5712, 10, ARXDP_ORIGIN_ALERT, 3, 180,
	  "{\"addr\":\"198.51.100.7\",\"expires_in\":null,\"expired\":false,\"timeout\":0,"
	  "\"packets\":3,\"bytes\":180,\"rule_id\":\"5712\",\"level\":10,\"origin\":\"alert\","
	  "\"offenses\":1,\"added\":\"2022-05-11T12:29:19Z\"}" },
	{ "2001:db8::1", NOW_MONO + 90 * NSEC_PER_SEC + 1, 0, 0, ARXDP_ORIGIN_CLI, 0, 0,
	  "{\"addr\":\"2001:db8::1\",\"expires_in\":91,\"expired\":false,\"timeout\":0,"
	  "\"packets\":0,\"bytes\":0,\"rule_id\":null,\"level\":null,\"origin\":\"cli\","
	  "\"offenses\":1,\"added\":\"2022-05-11T12:29:19Z\"}" },
	{ "203.0.113.0/24", NOW_MONO - 1, 31168, 15, ARXDP_ORIGIN_FIREWALL_DROP, 1, 64,
	  "{\"addr\":\"203.0.113.0/24\",\"expires_in\":0,\"expired\":true,\"timeout\":0,"
	  "\"packets\":1,\"bytes\":64,\"rule_id\":\"31168\",\"level\":15,"
	  "\"origin\":\"firewall-drop\",\"offenses\":1,\"added\":\"2022-05-11T12:29:19Z\"}" },
};
/* clang-format on */

ParameterizedTestParameters(render, entry_json)
{
	return cr_make_param_array(struct entry_case, entry_cases,
				   sizeof(entry_cases) / sizeof(entry_cases[0]));
}

ParameterizedTest(struct entry_case *c, render, entry_json)
{
	struct bl_entry e = {};
	cJSON *o;
	char *s;

	cr_assert_eq(addr_parse(c->addr, &e.addr, NULL, 0), 0);
	e.v.expires_ns = c->expires_ns;
	e.v.added_ns = WALL_2022 * NSEC_PER_SEC;
	e.v.rule_id = c->rule_id;
	e.v.level = c->level;
	e.v.origin = c->origin;
	e.v.offenses = 1;
	e.dropped.packets = c->packets;
	e.dropped.bytes = c->bytes;
	o = render_entry_json(&e, NOW_MONO, 0);
	cr_assert_not_null(o);
	s = cJSON_PrintUnformatted(o);
	cr_expect_str_eq(s, c->json);
	free(s);
	cJSON_Delete(o);
}

Test(render, stats_json_sums)
{
	struct arxdp_counter st[ARXDP_STAT_MAX] = {};
	cJSON *o, *x;

	st[ARXDP_STAT_DROP_V4].packets = 5;
	st[ARXDP_STAT_DROP_CIDR_V6].packets = 2;
	st[ARXDP_STAT_PASS_V4].packets = 7;
	st[ARXDP_STAT_PASS_OTHER].packets = 1;
	st[ARXDP_STAT_DRYRUN_V4].packets = 3;
	o = render_stats_json(st);
	cr_assert_not_null(o);
	x = cJSON_GetObjectItem(o, "dropped_packets");
	cr_expect_eq(x->valuedouble, 7);
	x = cJSON_GetObjectItem(o, "passed_packets");
	cr_expect_eq(x->valuedouble, 11, "dry-run hits pass on the wire");
	x = cJSON_GetObjectItem(o, "dry_run_packets");
	cr_expect_eq(x->valuedouble, 3);
	x = cJSON_GetObjectItem(cJSON_GetObjectItem(o, "counters"), "drop_cidr_v6");
	cr_expect_eq(cJSON_GetObjectItem(x, "packets")->valuedouble, 2);
	cJSON_Delete(o);
}

/* `arxdp block`'s result: the operator's time shows as after_execd_delete only while execd's
 * key holds an unstamped block (bl_after_execd_s). */
struct result_case {
	char name[48];
	uint64_t expires_ns;
	uint32_t timeout_s;
	uint8_t keys;
	char json[160];
};

#define R_ADDR "{\"addr\":\"198.51.100.9\",\"extended\":true,\"offenses\":2,"
/* clang-format off */
static struct result_case result_cases[] = {
	{ "stamped", NOW_MONO + 1, 600, 0, R_ADDR "\"expires_in\":600}" },
	{ "stamped, execd's key too", NOW_MONO + 1, 600, ARXDP_KEY_PLAIN,
	  R_ADDR "\"expires_in\":600}" },
	{ "permanent", 0, 0, ARXDP_KEY_OPERATOR, R_ADDR "\"expires_in\":null}" },
	{ "permanent, a timeout kept without execd", 0, 600, ARXDP_KEY_OPERATOR,
	  R_ADDR "\"expires_in\":null}" },
	{ "deferred, plain key", 0, 600, ARXDP_KEY_PLAIN | ARXDP_KEY_OPERATOR,
	  R_ADDR "\"expires_in\":null,\"after_execd_delete\":600}" },
	{ "deferred, mapped key", 0, 60, ARXDP_KEY_MAPPED | ARXDP_KEY_OPERATOR,
	  R_ADDR "\"expires_in\":null,\"after_execd_delete\":60}" },
	{ "execd's, permanent by hand", 0, 0, ARXDP_KEY_PLAIN | ARXDP_KEY_OPERATOR,
	  R_ADDR "\"expires_in\":null}" },
};
/* clang-format on */

ParameterizedTestParameters(render, block_result)
{
	return cr_make_param_array(struct result_case, result_cases, ARRAY_SIZE(result_cases));
}

ParameterizedTest(struct result_case *c, render, block_result)
{
	struct arxdp_block v = { .expires_ns = c->expires_ns,
				 .timeout_s = c->timeout_s,
				 .keys = c->keys,
				 .offenses = 2 };
	cJSON *o = cJSON_CreateObject();
	char *s;

	cr_assert_eq(render_block_result(o, "198.51.100.9", true, &v), 0, "%s", c->name);
	s = cJSON_PrintUnformatted(o);
	cr_expect_str_eq(s, c->json, "%s", c->name);
	free(s);
	cJSON_Delete(o);
	cr_expect_eq(render_block_result(NULL, "198.51.100.9", true, &v), -ENOMEM);
}
