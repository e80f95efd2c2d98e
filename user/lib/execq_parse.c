// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains execq_parse_fast() (execq.h): the tree cJSON_ParseWithLength() makes of
 * an execq datagram, built in one pass for the text analysisd sends, or NULL for cJSON.
 */
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "execq.h"

/*
 * cJSON's parse was the largest part of a datagram's CPU (~18% of a burst's samples): three
 * strncmp before every value (null, false, true), a length pass and a copy pass per string,
 * localeconv() and strtod() per number. Here each value is told apart by its first byte and
 * a string is copied as it is scanned. Only text whose tree is known to be cJSON 1.7's is
 * handled: strings without \u (their other escapes decode as cJSON's do), numbers that are
 * integers of at most 15 digits (strtod gives them exactly; not "-0", and not followed by
 * one of ".eE+-", which parse_number would read on), true, false, null, and nesting no deeper
 * than CJSON_NESTING_LIMIT. Anything else, and any text cJSON would refuse, returns NULL so
 * that the caller asks cJSON: the trees, the text accepted and the text refused stay cJSON's.
 * Like cJSON_ParseWithLength (not require_null_terminated), text after the value is ignored.
 * The nodes come zeroed from alloc, linked as cJSON links them (child->prev is the last).
 */
#define PARSE_DEPTH 1000 /* CJSON_NESTING_LIMIT */

struct pstate {
	const char *p, *end;
	void *(*alloc)(size_t n);
	int depth;
	/* Counts what cJSON would print otherwise (whitespace, a control byte, "\\/", a leading
	 * zero): a value whose text added none is printed as written (execq_verbatim.c). */
	unsigned long unprinted;
	struct execq_spans *spans;
};

/* buffer_skip_whitespace(): every byte up to 32. */
static void ws(struct pstate *s)
{
	const char *p = s->p;

	while (s->p < s->end && (unsigned char)*s->p <= 32)
		s->p++;
	s->unprinted += s->p != p;
}

static cJSON *node(struct pstate *s)
{
	cJSON *c = s->alloc(sizeof(*c));

	if (c)
		memset(c, 0, sizeof(*c));
	return c;
}

/* The string at s->p ('"'), decoded into new memory; NULL when not handled here. */
static char *string(struct pstate *s)
{
	const char *q = s->p + 1, *e;
	char *out, *o;

	/* cJSON's first pass: the closing quote, an escape skipping the byte after it. */
	for (e = q; e < s->end && *e != '"'; e++) {
		if ((unsigned char)*e < 0x20)
			s->unprinted++; /* printed as an escape */
		if (*e == '\\' && ++e >= s->end)
			return NULL;
	}
	if (e >= s->end)
		return NULL;
	out = s->alloc((size_t)(e - q) + 1);
	if (!out)
		return NULL;
	for (o = out; q < e; q++) {
		const char *bs = memchr(q, '\\', (size_t)(e - q));
		size_t run = bs ? (size_t)(bs - q) : (size_t)(e - q);

		memcpy(o, q, run);
		o += run;
		q += run;
		if (q >= e)
			break;
		switch (*++q) {
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		case '/':
			s->unprinted++; /* printed as '/' */
			*o++ = *q;
			break;
		case '"':
		case '\\':
			*o++ = *q;
			break;
		default:
			return NULL; /* \u (UTF-16 to UTF-8) and what cJSON refuses */
		}
	}
	*o = '\0';
	s->p = e + 1;
	return out;
}

static bool number(struct pstate *s, cJSON *c)
{
	const char *q = s->p;
	bool neg = *q == '-';
	uint64_t u = 0;
	double d;
	int n = 0;

	if (neg)
		q++;
	for (; q < s->end && *q >= '0' && *q <= '9' && n <= 15; q++, n++)
		u = u * 10 + (uint64_t)(*q - '0');
	if (!n || n > 15 || (neg && !u))
		return false;
	if (q < s->end && (*q == '.' || *q == 'e' || *q == 'E' || *q == '+' || *q == '-'))
		return false;
	s->unprinted += n > 1 && q[-n] == '0';
	d = neg ? -(double)u : (double)u;
	c->type = cJSON_Number;
	c->valuedouble = d;
	c->valueint = d >= INT_MAX ? INT_MAX : d <= (double)INT_MIN ? INT_MIN : (int)d;
	s->p = q;
	return true;
}

static bool word(struct pstate *s, const char *w, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n))
		return false;
	s->p += n;
	return true;
}

static bool value(struct pstate *s, cJSON *c);

/* value(), its text noted when two levels down (a member of a member of the message). */
static bool value_at(struct pstate *s, cJSON *c)
{
	const char *p = s->p;
	unsigned long u = s->unprinted;
	struct execq_span *sp;

	if (!value(s, c))
		return false;
	if (s->depth == 2 && s->spans && s->spans->n < EXECQ_SPANS) {
		sp = &s->spans->s[s->spans->n++];
		*sp = (struct execq_span){ .node = c,
					   .text = p,
					   .len = (size_t)(s->p - p),
					   .printed = s->unprinted == u };
	}
	return true;
}

/* An object's members or an array's elements, s->p at '{' or '['. */
static bool members(struct pstate *s, cJSON *c, bool obj)
{
	char close = obj ? '}' : ']';
	cJSON *head = NULL, *last = NULL, *m;

	if (++s->depth > PARSE_DEPTH)
		return false;
	c->type = obj ? cJSON_Object : cJSON_Array;
	s->p++;
	ws(s);
	if (s->p < s->end && *s->p == close)
		goto done;
	for (;;) {
		m = node(s);
		if (!m)
			return false;
		if (obj) {
			if (s->p >= s->end || *s->p != '"' || !(m->string = string(s)))
				return false;
			ws(s);
			if (s->p >= s->end || *s->p != ':')
				return false;
			s->p++;
			ws(s);
		}
		if (!value_at(s, m))
			return false;
		if (!head) {
			head = m;
		} else {
			last->next = m;
			m->prev = last;
		}
		last = m;
		ws(s);
		if (s->p >= s->end || *s->p != ',')
			break;
		s->p++;
		ws(s);
	}
	if (s->p >= s->end || *s->p != close)
		return false;
done:
	if (head)
		head->prev = last;
	c->child = head;
	s->depth--;
	s->p++;
	return true;
}

static bool value(struct pstate *s, cJSON *c)
{
	if (s->p >= s->end)
		return false;
	switch (*s->p) {
	case '"':
		c->type = cJSON_String;
		return (c->valuestring = string(s)) != NULL;
	case '{':
		return members(s, c, true);
	case '[':
		return members(s, c, false);
	case 'n':
		c->type = cJSON_NULL;
		return word(s, "null", 4);
	case 't':
		c->type = cJSON_True;
		c->valueint = 1;
		return word(s, "true", 4);
	case 'f':
		c->type = cJSON_False;
		return word(s, "false", 5);
	default:
		return number(s, c);
	}
}

cJSON *execq_parse_fast(const char *text, size_t len, void *(*alloc)(size_t n),
			struct execq_spans *spans)
{
	struct pstate s = { .p = text, .end = text + len, .alloc = alloc, .spans = spans };
	cJSON *c;

	if (spans)
		spans->n = 0;
	/* skip_utf8_bom(): a BOM is cJSON's to skip. */
	if (!text || !alloc || (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)))
		return NULL;
	ws(&s);
	c = node(&s);
	if (c && value(&s, c))
		return c;
	if (spans)
		spans->n = 0;
	return NULL;
}
