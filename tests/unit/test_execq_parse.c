// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the tests of execq_parse_fast() (user/lib/execq_parse.c): whenever it
 * returns a tree, that tree is node for node the one cJSON_ParseWithLength() makes of the same
 * bytes (types, keys, strings, numbers bit for bit, the links), and it returns one for the
 * text analysisd sends; everything else is left to cJSON (NULL).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "execq.h"
#include "testutil.h"

#define POOL (1 << 20)

static max_align_t pool[POOL / sizeof(max_align_t)];
static size_t used;

static void *bump(size_t n)
{
	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (POOL - used < n)
		return NULL;
	used += n;
	/* Not zeroed on purpose: the parser must set every field itself. */
	return memset((char *)pool + used - n, 0xa5, n);
}

static void same_tree(const cJSON *a, const cJSON *b, const char *where)
{
	const cJSON *x, *y, *lx = NULL;

	cr_assert_eq(a->type, b->type, "%s: type %d, cJSON's %d", where, a->type, b->type);
	cr_assert_eq(!a->string, !b->string, "%s: key", where);
	if (a->string)
		cr_assert_str_eq(a->string, b->string, "%s: key", where);
	cr_assert_eq(!a->valuestring, !b->valuestring, "%s: valuestring", where);
	if (a->valuestring)
		cr_assert_str_eq(a->valuestring, b->valuestring, "%s: valuestring", where);
	cr_assert_eq(a->valueint, b->valueint, "%s: valueint %d, cJSON's %d", where, a->valueint,
		     b->valueint);
	cr_assert_eq(memcmp(&a->valuedouble, &b->valuedouble, sizeof(double)), 0,
		     "%s: valuedouble %.17g, cJSON's %.17g", where, a->valuedouble, b->valuedouble);
	cr_assert_eq(!a->child, !b->child, "%s: children", where);
	for (x = a->child, y = b->child; x && y; lx = x, x = x->next, y = y->next) {
		cr_assert_eq(x->prev ? x->prev == lx || x == a->child : 0, 1, "%s: prev link",
			     where);
		same_tree(x, y, x->string ? x->string : "[]");
	}
	cr_assert_eq(!x, !y, "%s: number of children", where);
	if (a->child)
		cr_assert_eq(a->child->prev, lx, "%s: the first child's prev is not the last",
			     where);
}

struct parse_case {
	char text[200];
	int fast; /* 1: handled here, 0: left to cJSON */
};

ParameterizedTestParameters(execq_parse, like_cjson)
{
	static struct parse_case cases[] = {
		{ "{\"a\":1,\"b\":\"x\",\"c\":[true,false,null],\"d\":{}}", 1 },
		{ " \t\n{ \"a\" : [ 1 , -2 , 0 ] , \"b\" : { \"c\" : [ ] } }  trailing", 1 },
		{ "{\"s\":\"q\\\"b\\\\s\\/n\\nt\\tr\\rb\\bf\\f\"}", 1 },
		{ "{\"a\":007,\"b\":999999999999999,\"c\":-999999999999999}", 1 },
		{ "{\"i\":2147483647,\"j\":2147483648,\"k\":-2147483648,\"l\":-2147483649}", 1 },
		{ "{\"a\":1,\"a\":2}", 1 },
		{ "[]", 1 },
		{ "\"top\"", 1 },
		{ "{\"k\\u00e9\":1}", 0 },
		{ "{\"a\":\"\\u00e9\"}", 0 },
		{ "{\"a\":1.5}", 0 },
		{ "{\"a\":1e3}", 0 },
		{ "{\"a\":-0}", 0 },
		{ "{\"a\":1234567890123456}", 0 },
		{ "{\"a\":1-2}", 0 },
		{ "\xEF\xBB\xBF{\"a\":1}", 0 },
		{ "{\"a\":\"\\x\"}", 0 },
		{ "{\"a\":1,}", 0 },
		{ "{\"a\" 1}", 0 },
		{ "{\"a\":nul}", 0 },
		{ "{\"a\":tru}", 0 },
		{ "{\"a\":\"open", 0 },
		{ "{\"a\":[1,2", 0 },
		{ "{\"a\":-}", 0 },
		{ "", 0 },
		{ "   ", 0 },
		{ "x", 0 },
	};

	return cr_make_param_array(struct parse_case, cases, sizeof(cases) / sizeof(cases[0]));
}

static void check(const char *text, size_t len, int fast)
{
	cJSON *ref = cJSON_ParseWithLength(text, len), *got;

	used = 0;
	got = execq_parse_fast(text, len, bump, NULL);
	if (got) {
		cr_assert_not_null(ref, "'%.*s': a tree where cJSON refuses the text", (int)len,
				   text);
		same_tree(got, ref, "root");
	}
	cr_expect_eq(!!got, fast, "'%.*s': %s", (int)len, text,
		     got ? "handled, expected to be left to cJSON" : "left to cJSON");
	cJSON_Delete(ref);
}

ParameterizedTest(struct parse_case *c, execq_parse, like_cjson)
{
	check(c->text, strlen(c->text), c->fast);
}

/* cJSON's depth limit (1000 nested containers) holds here too. */
Test(execq_parse, nesting_limit)
{
	static char text[2100];
	int depth;

	for (depth = 999; depth <= 1001; depth++) {
		memset(text, '[', (size_t)depth);
		memset(text + depth, ']', (size_t)depth);
		check(text, 2 * (size_t)depth, depth <= 1000);
	}
}

/* A message cut anywhere is either refused by both or parsed alike (a prefix of a value). */
Test(execq_parse, analysisd_message_and_its_prefixes)
{
	static char text[8192];
	char *line =
		tu_read_line("tests/data/execq/analysisd-shellshock.json", 1, text, sizeof(text));
	size_t n, len;

	cr_assert_not_null(line);
	len = strcspn(text, "\n");
	check(text, len, 1);
	for (n = 0; n < len; n++) {
		cJSON *ref = cJSON_ParseWithLength(text, n), *got;

		used = 0;
		got = execq_parse_fast(text, n, bump, NULL);
		if (got) {
			cr_assert_not_null(ref, "prefix %zu: a tree where cJSON refuses it", n);
			same_tree(got, ref, "root");
		}
		cJSON_Delete(ref);
	}
}

/* No memory: NULL, never a partial tree. */
Test(execq_parse, no_memory)
{
	static const char text[] = "{\"a\":[1,2,{\"b\":\"c\"}]}";

	used = POOL - 64;
	cr_expect_null(execq_parse_fast(text, sizeof(text) - 1, bump, NULL));
}

struct span_case {
	char text[240];
	int printed; /* 1: the alert's text is what cJSON prints of it */
};

/*
 * The alert's span (parameters.alert, found as execq.c finds it) is marked printed exactly
 * when its bytes are cJSON_PrintUnformatted's of it, and then execq_verbatim_alert() agrees.
 */
ParameterizedTestParameters(execq_parse, alert_span)
{
	static struct span_case cases[] = {
		{ "{\"command\":\"x\",\"parameters\":{\"alert\":{\"a\":[1,\"b\",true,null,{}],\"c\":-5}}}",
		  1 },
		{ "{ \"parameters\" : { \"extra_args\" : [ ] , \"alert\":{\"a\":\"q\\\"\\n\"}} }",
		  1 },
		{ "{\"parameters\":{\"alert\":{\"a\": 1}}}", 0 },
		{ "{\"parameters\":{\"alert\":{\"a\":[1 ]}}}", 0 },
		{ "{\"parameters\":{\"alert\":{\"a\":\"x\\/y\"}}}", 0 },
		{ "{\"parameters\":{\"alert\":{\"a\":007}}}", 0 },
		{ "{\"parameters\":{\"alert\":{\"a\":0,\"b\":10}}}", 1 },
		{ "{\"parameters\":{\"alert\":{\"a\":\"\x01\"}}}", 0 },
		{ "{\"parameters\":{\"alert\":{\"a\":\"\x7f\xc3\xa9\"}}}", 1 },
		{ "{\"parameters\":{\"alert\":{\"a\":1},\"alert\":{\"a\": 2}}}", 1 },
		{ "{\"parameters\":{\"alert\":{\"a\": 1},\"alert\":{\"a\":2}}}", 0 },
		{ "{\"PARAMETERS\":{\"Alert\":{}}}", 1 },
		{ "{\"parameters\":{\"alert\":\"text\"}}", 1 },
	};

	return cr_make_param_array(struct span_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct span_case *c, execq_parse, alert_span)
{
	size_t len = strlen(c->text), vlen = 0;
	struct execq_spans sp;
	const cJSON *alert;
	const char *v;
	cJSON *root;
	char *print;
	int i;

	used = 0;
	root = execq_parse_fast(c->text, len, bump, &sp);
	cr_assert_not_null(root, "%s: left to cJSON", c->text);
	alert = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "parameters"), "alert");
	cr_assert_not_null(alert);
	for (i = 0; i < sp.n && sp.s[i].node != alert; i++)
		;
	cr_assert_lt(i, sp.n, "%s: no span for the alert", c->text);
	print = cJSON_PrintUnformatted(alert);
	cr_assert_not_null(print);
	cr_expect_eq(sp.s[i].printed, c->printed, "%s: printed %d", c->text, sp.s[i].printed);
	if (sp.s[i].printed) {
		cr_expect_eq(sp.s[i].len, strlen(print), "%s: span length", c->text);
		cr_expect_eq(strncmp(sp.s[i].text, print, sp.s[i].len), 0, "%s: '%.*s' vs '%s'",
			     c->text, (int)sp.s[i].len, sp.s[i].text, print);
	}
	v = execq_verbatim_alert(c->text, len, &vlen);
	if (v)
		cr_expect(sp.s[i].printed && v == sp.s[i].text && vlen == sp.s[i].len,
			  "%s: the scan copies '%.*s'", c->text, (int)vlen, v);
	free(print);
}
