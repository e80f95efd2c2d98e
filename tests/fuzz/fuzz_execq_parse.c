// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target, differential: execq_parse_fast() against cJSON_ParseWithLength(), which
 * it stands in for on the execq fast path. Whenever the fast parser returns a tree, cJSON
 * must accept the same bytes and build an equal tree (node by node, and the same printed
 * text), and every span it records as printed must be exactly cJSON's print of its node. A
 * refusal is always allowed: cJSON then decides, as before.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "execq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fast parser takes a context-free allocator: the harness keeps what it handed out. */
#define MAX_ALLOCS 65536
static void *allocs[MAX_ALLOCS];
static size_t n_allocs;
static bool alloc_full;

static void *take(size_t n)
{
	void *p;

	if (n_allocs == MAX_ALLOCS) {
		alloc_full = true;
		return NULL;
	}
	p = calloc(1, n ? n : 1);
	if (p)
		allocs[n_allocs++] = p;
	return p;
}

static void release(void)
{
	while (n_allocs)
		free(allocs[--n_allocs]);
	alloc_full = false;
}

/* Child by child, in order: cJSON_Compare finds object members by name, so a repeated key
 * (both parsers keep every one, in order) would compare a member with the first of its name. */
static bool same(const cJSON *a, const cJSON *b)
{
	if ((a->type & 0xff) != (b->type & 0xff) || a->valueint != b->valueint ||
	    memcmp(&a->valuedouble, &b->valuedouble, sizeof(double)) || !a->string != !b->string ||
	    (a->string && strcmp(a->string, b->string)) || !a->valuestring != !b->valuestring ||
	    (a->valuestring && strcmp(a->valuestring, b->valuestring)))
		return false;
	for (a = a->child, b = b->child; a && b; a = a->next, b = b->next)
		if (!same(a, b))
			return false;
	return !a && !b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct execq_spans spans;
	cJSON *fast, *ref;
	char *pf, *pr;
	int i;

	fast = execq_parse_fast(text, size, take, &spans);
	if (!fast) {
		release();
		return 0;
	}
	ref = cJSON_ParseWithLength(text, size);
	if (!ref) {
		fprintf(stderr, "fuzz_execq_parse: fast parser accepted what cJSON refuses\n");
		abort();
	}
	if (!same(fast, ref)) {
		fprintf(stderr, "fuzz_execq_parse: trees differ\n");
		abort();
	}
	pf = cJSON_PrintUnformatted(fast);
	pr = cJSON_PrintUnformatted(ref);
	if (!pf || !pr || strcmp(pf, pr)) {
		fprintf(stderr, "fuzz_execq_parse: prints differ\n");
		abort();
	}
	for (i = 0; i < spans.n; i++) {
		const struct execq_span *sp = &spans.s[i];
		char *p;

		if (!sp->printed)
			continue;
		p = cJSON_PrintUnformatted(sp->node);
		if (!p || strlen(p) != sp->len || memcmp(p, sp->text, sp->len)) {
			fprintf(stderr,
				"fuzz_execq_parse: span %d is not cJSON's print of its node\n", i);
			abort();
		}
		free(p);
	}
	free(pf);
	free(pr);
	cJSON_Delete(ref);
	release();
	return 0;
}
