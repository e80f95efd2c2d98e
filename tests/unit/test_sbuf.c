// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the string buffer's table: every string escaped by sb_json must print
 * exactly as cJSON prints it (execd's messages and the delete lines are compared byte for
 * byte with Wazuh's), including escapes at either end and long runs that cross growth steps.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "sbuf.h"

struct esc_case {
	char in[64];
};

/* clang-format off */
static struct esc_case esc_cases[] = {
	{ "" }, { "plain" }, { "\"" }, { "\\" }, { "\"quoted\"" }, { "a\\b\"c" },
	{ "tab\there" }, { "\n\r\b\f\t" }, { "\x01\x1f end" }, { "start \x7f" },
	{ "caf\xc3\xa9 \xe2\x82\xac" }, { "</script>" }, { "trailing\\" },
};
/* clang-format on */

ParameterizedTestParameters(sbuf, json_as_cjson)
{
	return cr_make_param_array(struct esc_case, esc_cases,
				   sizeof(esc_cases) / sizeof(esc_cases[0]));
}

ParameterizedTest(struct esc_case *c, sbuf, json_as_cjson)
{
	cJSON *s = cJSON_CreateString(c->in);
	char *want = cJSON_PrintUnformatted(s);
	struct sbuf b = {};

	sb_json(&b, c->in);
	cr_assert(!b.oom);
	cr_expect_str_eq(b.p, want, "'%s'", c->in);
	cr_expect_eq(b.len, strlen(want));
	free(want);
	free(b.p);
	cJSON_Delete(s);
}

/* Many appends across growth steps keep every byte, in order. */
Test(sbuf, grows)
{
	struct sbuf b = {};
	char want[20000];
	int i;

	for (i = 0; i < 2000; i++) {
		sb_str(&b, "0123456789");
		memcpy(want + i * 10, "0123456789", 10);
	}
	cr_assert(!b.oom);
	cr_expect_eq(b.len, 20000u);
	cr_expect_eq(memcmp(b.p, want, sizeof(want)), 0);
	cr_expect_eq(b.p[b.len], '\0');
	free(b.p);
}
