// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the tests of execq_alert_text()'s copy of the alert straight from the
 * datagram (user/lib/execq.c): whatever the datagram's text, the result is byte for byte what
 * cJSON prints of the alert (the log lines embed it, and Wazuh's firewall-drop logs cJSON's
 * print), and the copy is taken exactly when the text is cJSON's print already.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cjson/cJSON.h>
#include "execq.h"
#include "testutil.h"

static char home[64];
static struct execq_table *t;

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", home, rel);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	static const char *const dirs[] = { "etc", "etc/shared", "active-response",
					    "active-response/bin" };
	char path[256];
	size_t i;

	tu_mkdtemp(home, sizeof(home), "execq_verbatim");
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", home, dirs[i]);
		cr_assert_eq(mkdir(path, 0700), 0, "%s", path);
	}
	put("etc/shared/ar.conf", "firewall-drop300 - firewall-drop - 300\n");
	put("active-response/bin/firewall-drop", "#!/bin/sh\n");
	cr_assert_eq(execq_table_new(&t, home, EXECQ_MANAGER), 0);
}

static void teardown(void)
{
	execq_table_free(t);
	tu_rm_rf(home);
}

TestSuite(execq_verbatim, .init = setup, .fini = teardown);

#define HEAD                                                                              \
	"{\"version\":1,\"origin\":{\"name\":\"node01\",\"module\":\"wazuh-analysisd\"}," \
	"\"command\":\"firewall-drop300\","
#define ALERT(a) HEAD "\"parameters\":{\"extra_args\":[],\"alert\":" a "}}"
#define SHELLSHOCK_ALERT                                                                          \
	"{\"timestamp\":\"2022-06-17T14:46:27.816+0000\",\"rule\":{\"level\":15,\"description\":" \
	"\"Shellshock attack detected\",\"id\":\"31168\",\"firedtimes\":1,\"mail\":true,"         \
	"\"groups\":[\"web\",\"accesslog\",\"attack\"]},\"agent\":{\"id\":\"005\"},"              \
	"\"id\":\"1655477187.49701\",\"full_log\":\"192.168.56.3 - - \\\"GET / HTTP/1.1\\\" "     \
	"\\\"() { :; }; /bin/cat /etc/passwd\\\"\",\"data\":{\"srcip\":\"192.168.56.3\"}}"

struct vcase {
	const char *desc, *dgram;
	bool verbatim; /* the datagram's bytes are cJSON's print: copied */
};

static const struct vcase vcases[] = {
	{ "analysisd's alert", ALERT(SHELLSHOCK_ALERT), true },
	{ "every short escape", ALERT("{\"s\":\"q\\\" b\\\\ \\b\\f\\n\\r\\t\"}"), true },
	{ "raw UTF-8 and DEL", ALERT("{\"s\":\"caf\xc3\xa9 \x7f\"}"), true },
	{ "integers", ALERT("{\"a\":0,\"b\":-12,\"c\":123456789012345,\"d\":2147483648}"), true },
	{ "literals and empty containers",
	  ALERT("{\"t\":true,\"f\":false,\"n\":null,\"o\":{},\"a\":[],\"x\":[[{}]]}"), true },
	{ "keys in another case",
	  HEAD "\"PARAMETERS\":{\"Alert\":{\"data\":{\"srcip\":\"192.0.2.1\"}}}}", true },
	{ "spacing outside the alert",
	  HEAD " \"parameters\" : { \"extra_args\" : [ \"a\" , 1 ] , \"alert\" : "
	       "{\"data\":{\"srcip\":\"192.0.2.1\"}} } }",
	  true },
	{ "the first of two alerts",
	  HEAD "\"parameters\":{\"alert\":{\"k\":1},\"alert\":{\"k\":2}}}", true },
	{ "skipped siblings with braces in strings",
	  HEAD "\"x\":{\"}\":\"{[\\\"\"},\"parameters\":{\"y\":[\"]\",{\"z\":\"}\"}],"
	       "\"alert\":{\"k\":\"v\"}}}",
	  true },
	{ "an array for an alert", ALERT("[1,\"a\"]"), true },
	{ "spacing inside the alert", ALERT("{\"a\": 1, \"b\" :[ 2 ]}"), false },
	{ "a newline inside the alert", ALERT("{\"a\":1\n}"), false },
	{ "an escaped slash", ALERT("{\"u\":\"http:\\/\\/x\"}"), false },
	{ "a \\u escape", ALERT("{\"s\":\"caf\\u00e9\"}"), false },
	{ "a \\u escape of a control byte", ALERT("{\"s\":\"\\u0001\"}"), false },
	{ "an escape in a key", ALERT("{\"k\\u0065y\":1}"), false },
	{ "a fraction", ALERT("{\"a\":1.5}"), false },
	{ "a fraction cJSON prints alike", ALERT("{\"a\":0.25}"), false },
	{ "an exponent", ALERT("{\"a\":1e3}"), false },
	{ "a trailing zero fraction", ALERT("{\"a\":1.0}"), false },
	{ "minus zero", ALERT("{\"a\":-0}"), false },
	{ "sixteen digits", ALERT("{\"a\":1234567890123456}"), false },
	{ "a raw control byte in a string", ALERT("{\"s\":\"a\x01z\"}"), false },
	{ "an escaped alert key", HEAD "\"parameters\":{\"al\\u0065rt\":{\"k\":1}}}", false },
	{ "an escaped key before the alert",
	  HEAD "\"parameters\":{\"\\u0061\":1,\"alert\":{\"k\":1}}}", false },
};

/* The text equals cJSON's print of the tree execq made, and is copied exactly when expected. */
Test(execq_verbatim, same_bytes_as_cjson)
{
	size_t i;

	for (i = 0; i < sizeof(vcases) / sizeof(vcases[0]); i++) {
		const struct vcase *c = &vcases[i];
		struct execq_text at = { .cap = 4096 };
		struct execq_decision d;
		char *want;

		at.p = malloc(at.cap);
		cr_assert_not_null(at.p);
		cr_assert_eq(execq_handle(t, c->dgram, strlen(c->dgram) + 1, &d), 0, "%s", c->desc);
		cr_assert_eq(d.kind, EXECQ_RUN, "%s: %s", c->desc, d.error ? d.error : "");
		cr_assert_not_null(d.alert, "%s", c->desc);
		want = cJSON_PrintUnformatted(d.alert);
		cr_assert_not_null(want);
		cr_assert_eq(execq_alert_text(&d, &at), 0, "%s", c->desc);
		cr_expect_str_eq(at.p, want, "%s", c->desc);
		cr_expect_eq(at.len, strlen(want), "%s", c->desc);
		cr_expect_eq(at.verbatim, c->verbatim, "%s: copied %d", c->desc, at.verbatim);
		free(want);
		free(at.p);
		execq_decision_free(&d);
	}
}

/* A buffer too small for the copy: printed by cJSON into a grown buffer, the same bytes. */
Test(execq_verbatim, small_buffer_prints)
{
	static const char dgram[] = ALERT(SHELLSHOCK_ALERT);
	struct execq_text at = { .p = malloc(8), .cap = 8 };
	struct execq_decision d;

	cr_assert_eq(execq_handle(t, dgram, sizeof(dgram), &d), 0);
	cr_assert_eq(execq_alert_text(&d, &at), 0);
	cr_expect_str_eq(at.p, SHELLSHOCK_ALERT);
	cr_expect_not(at.verbatim);
	cr_assert_eq(execq_alert_text(&d, &at), 0);
	cr_expect_str_eq(at.p, SHELLSHOCK_ALERT);
	cr_expect(at.verbatim, "the grown buffer takes the copy");
	free(at.p);
	execq_decision_free(&d);
}

/* The datagram cut at EXECQ_READ_MAX: execd sees no valid JSON, so no alert at all. */
Test(execq_verbatim, cut_datagram_has_no_alert)
{
	size_t n = EXECQ_MAXSTR + 16, head = strlen(ALERT("{\"s\":\""));
	char *m = malloc(n);
	struct execq_decision d;

	cr_assert_not_null(m);
	memcpy(m, ALERT("{\"s\":\""), head);
	memset(m + head, 'a', n - head);
	memcpy(m + n - 6, "\"}}}", 5);
	cr_assert_eq(execq_handle(t, m, n, &d), 0);
	cr_expect(d.truncated);
	cr_expect_eq(d.kind, EXECQ_ERROR);
	execq_decision_free(&d);
	free(m);
}

/* Each special byte at each position of a long string: the word-at-a-time scan sees them all. */
Test(execq_verbatim, special_bytes_anywhere)
{
	static const struct {
		const char *ins;
		bool verbatim;
	} sp[] = { { "\\n", true },   { "\\\"", true }, { "\\\\", true },     { "\x01", false },
		   { "\x1f", false }, { "\\/", false }, { "\\u0041", false }, { "\xc3\xa9", true },
		   { "\x7f", true },  { " ", true } };
	char dgram[512], s[64];
	size_t i, k;

	for (i = 0; i < sizeof(sp) / sizeof(sp[0]); i++) {
		for (k = 0; k <= 40; k++) {
			struct execq_text at = { .cap = 4096 };
			struct execq_decision d;
			char *want;

			memset(s, 'a', 40);
			s[40] = '\0';
			snprintf(dgram, sizeof(dgram), ALERT("{\"s\":\"%.*s%s%s\"}"), (int)k, s,
				 sp[i].ins, s + k);
			at.p = malloc(at.cap);
			cr_assert_eq(execq_handle(t, dgram, strlen(dgram) + 1, &d), 0);
			cr_assert_eq(d.kind, EXECQ_RUN, "%zu at %zu", i, k);
			want = cJSON_PrintUnformatted(d.alert);
			cr_assert_eq(execq_alert_text(&d, &at), 0);
			cr_expect_str_eq(at.p, want, "%zu at %zu", i, k);
			cr_expect_eq(at.verbatim, sp[i].verbatim, "%zu at %zu", i, k);
			free(want);
			free(at.p);
			execq_decision_free(&d);
		}
	}
}

/*
 * Mutations of analysisd's message (bytes inserted, deleted or replaced, seeded so a failure
 * repeats): every variant execd would run has, through execq_alert_text, cJSON's own print
 * of its alert, whichever way the text was obtained.
 */
Test(execq_verbatim, mutations_same_as_cjson)
{
	static const char base[] = ALERT(SHELLSHOCK_ALERT);
	static const char bytes[] = " \\\"0.e-\x01u/{}[],:A9\n";
	unsigned int seed = 13, i, m, copied = 0, printed = 0;
	char dgram[sizeof(base) + 8];

	for (i = 0; i < 4000; i++) {
		size_t len = sizeof(base) - 1;
		struct execq_text at = { .cap = 4096 };
		struct execq_decision d;
		char *want;

		memcpy(dgram, base, sizeof(base));
		for (m = 0; m < 1 + i % 3; m++) {
			size_t at_pos = (size_t)rand_r(&seed) % len;
			char c = bytes[(size_t)rand_r(&seed) % (sizeof(bytes) - 1)];

			switch (rand_r(&seed) % 3) {
			case 0: /* insert */
				memmove(dgram + at_pos + 1, dgram + at_pos, len - at_pos + 1);
				dgram[at_pos] = c;
				len++;
				break;
			case 1: /* delete */
				memmove(dgram + at_pos, dgram + at_pos + 1, len - at_pos);
				len--;
				break;
			default:
				dgram[at_pos] = c;
			}
		}
		cr_assert_eq(execq_handle(t, dgram, len + 1, &d), 0);
		if (d.kind != EXECQ_RUN || !d.alert) {
			execq_decision_free(&d);
			continue;
		}
		at.p = malloc(at.cap);
		want = cJSON_PrintUnformatted(d.alert);
		cr_assert_not_null(want);
		cr_assert_eq(execq_alert_text(&d, &at), 0);
		cr_assert_str_eq(at.p, want, "mutation %u: %s", i, dgram);
		if (at.verbatim)
			copied++;
		else
			printed++;
		free(want);
		free(at.p);
		execq_decision_free(&d);
	}
	/* Both ways taken, or the comparison above proved little. */
	cr_expect_gt(copied, 100u);
	cr_expect_gt(printed, 100u);
}
