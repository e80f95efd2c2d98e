// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* This file contains the string buffer declared in sbuf.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sbuf.h"

void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;

		if (cap < 256)
			cap = 256;
		char *p = realloc(b->p, cap);

		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void sb_str(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

void sb_esc(struct sbuf *b, const char *s)
{
	const unsigned char *c, *run;
	char esc[8];

	/* Runs of plain characters go in with one copy; only what needs escaping is split. */
	for (c = run = (const unsigned char *)s;; c++) {
		const char *e = NULL;

		switch (*c) {
		case '\0':
			sb_add(b, (const char *)run, (size_t)(c - run));
			return;
		case '"':
			e = "\\\"";
			break;
		case '\\':
			e = "\\\\";
			break;
		case '\b':
			e = "\\b";
			break;
		case '\f':
			e = "\\f";
			break;
		case '\n':
			e = "\\n";
			break;
		case '\r':
			e = "\\r";
			break;
		case '\t':
			e = "\\t";
			break;
		default:
			if (*c < 0x20) {
				snprintf(esc, sizeof(esc), "\\u%04x", *c);
				e = esc;
			}
		}
		if (e) {
			sb_add(b, (const char *)run, (size_t)(c - run));
			sb_str(b, e);
			run = c + 1;
		}
	}
}

void sb_json(struct sbuf *b, const char *s)
{
	sb_add(b, "\"", 1);
	sb_esc(b, s);
	sb_add(b, "\"", 1);
}
