// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains execq_verbatim_alert() (execq.h): the alert's text of an execq datagram,
 * found and proven to be cJSON's print of it by one scan, so execq_alert_text() copies it
 * instead of printing the tree.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include "execq.h"

/*
 * cJSON_PrintUnformatted(alert) gives back the datagram's own text of the alert whenever that
 * text is already what cJSON 1.7 prints (execq.c checks the version linked), and analysisd prints its messages with cJSON. One scan
 * proves it: no whitespace between tokens; in keys and strings no byte below 0x20 and no escape
 * but \" \\ \b \f \n \r \t (print_string_ptr's; anything else, \/ and every \u, decodes to
 * bytes printed otherwise); numbers only as integers of at most 15 digits without a leading
 * zero ("%1.15g" prints those as written; not "-0"); true, false, null. Any other text is left
 * to cJSON's print. The alert is found as cJSON_GetObjectItem finds it: the first key equal to
 * "parameters", then "alert", ignoring ASCII case (tolower in the C locale, which arxdpd keeps).
 */
#define CANON_DEPTH 1000 /* CJSON_NESTING_LIMIT: cJSON parsed no deeper */

/* buffer_skip_whitespace(): cJSON skips every byte up to 32. */
static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (unsigned char)*p <= 32)
		p++;
	return p;
}

/* Past a string at p ('"'); NULL when it does not end before end. */
static const char *skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '"')
			return p + 1;
		if (*p == '\\')
			p++;
	}
	return NULL;
}

/* Past one value of a text cJSON parsed, so well formed (nested values, any spacing). */
static const char *skip_value(const char *p, const char *end)
{
	int depth = 0;

	for (;;) {
		p = skip_ws(p, end);
		if (p >= end)
			return NULL;
		switch (*p) {
		case '"':
			p = skip_string(p, end);
			if (!p)
				return NULL;
			break;
		case '{':
		case '[':
			depth++;
			p++;
			continue;
		case '}':
		case ']':
			depth--;
			p++;
			break;
		case ',':
		case ':':
			p++;
			continue;
		default: /* a number or a literal: up to the next delimiter */
			while (p < end && (unsigned char)*p > 32 && !strchr(",:[]{}\"", *p))
				p++;
		}
		if (depth <= 0)
			return p;
	}
}

/* The value of the first member of the object at p whose key is name (ASCII case ignored). */
static const char *member(const char *p, const char *end, const char *name)
{
	size_t len = strlen(name), klen;
	const char *k;

	p = skip_ws(p, end);
	if (p >= end || *p != '{')
		return NULL;
	for (p++;;) {
		p = skip_ws(p, end);
		if (p >= end || *p != '"')
			return NULL; /* '}': not there */
		k = p + 1;
		p = skip_string(p, end);
		if (!p)
			return NULL;
		klen = (size_t)(p - 1 - k);
		/* A key with an escape might decode to name: only cJSON can tell. */
		if (memchr(k, '\\', klen))
			return NULL;
		p = skip_ws(p, end);
		if (p >= end || *p++ != ':')
			return NULL;
		if (klen == len && !strncasecmp(k, name, len))
			return skip_ws(p, end);
		p = skip_value(p, end);
		p = p ? skip_ws(p, end) : NULL;
		if (!p || p >= end || *p++ != ',')
			return NULL;
	}
}

static const char *canon_value(const char *p, const char *end, int depth);

/* The bytes cJSON prints in a string as they are: none below 0x20, no quote, no backslash. */
static const bool plain[256] = {
	[0x20 ... 0x21] = true,
	[0x23 ... 0x5b] = true,
	[0x5d ... 0xff] = true,
};

/*
 * Eight bytes at a time while none is a quote, a backslash or below 0x20 (the zero-byte and
 * byte-below tests of "Bit Twiddling Hacks": a word they flag is looked at byte by byte).
 */
static const char *plain_words(const char *p, const char *end)
{
	const uint64_t ones = 0x0101010101010101ull, highs = ones << 7;
	uint64_t x, q, b;

	while (end - p >= 8) {
		memcpy(&x, p, 8);
		q = x ^ (ones * '"');
		b = x ^ (ones * '\\');
		if ((((q - ones) & ~q) | ((b - ones) & ~b) | ((x - ones * 0x20) & ~x)) & highs)
			break;
		p += 8;
	}
	return p;
}

static const char *canon_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		p = plain_words(p, end);
		while (p < end && plain[(unsigned char)*p])
			p++;
		if (p >= end)
			return NULL;
		if (*p == '"')
			return p + 1;
		if (*p != '\\' || ++p >= end || !*p || !strchr("\"\\bfnrt", *p))
			return NULL;
	}
	return NULL;
}

static const char *canon_number(const char *p, const char *end)
{
	bool neg = *p == '-';
	const char *digits = p + neg;

	p = digits;
	if (p >= end || *p < '0' || *p > '9')
		return NULL;
	if (*p == '0') {
		if (neg)
			return NULL;
		p++;
	} else {
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	/* A fraction, an exponent, a leading zero: "%1.15g" may print it otherwise. */
	if (p - digits > 15 || (p < end && *p && strchr("0123456789+-.eE", *p)))
		return NULL;
	return p;
}

static const char *canon_literal(const char *p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	return (size_t)(end - p) >= n && !memcmp(p, lit, n) ? p + n : NULL;
}

/* Past the container at p ('{' or '['), each member canonical. */
static const char *canon_container(const char *p, const char *end, int depth)
{
	char close = *p == '{' ? '}' : ']';
	bool obj = *p == '{';

	if (depth >= CANON_DEPTH)
		return NULL;
	if (++p < end && *p == close)
		return p + 1;
	for (;;) {
		if (obj && (p >= end || *p != '"' || !(p = canon_string(p, end)) || p >= end ||
			    *p++ != ':'))
			return NULL;
		p = canon_value(p, end, depth + 1);
		if (!p || p >= end)
			return NULL;
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *canon_value(const char *p, const char *end, int depth)
{
	if (p >= end)
		return NULL;
	switch (*p) {
	case '"':
		return canon_string(p, end);
	case '{':
	case '[':
		return canon_container(p, end, depth);
	case 't':
		return canon_literal(p, end, "true");
	case 'f':
		return canon_literal(p, end, "false");
	case 'n':
		return canon_literal(p, end, "null");
	default:
		return canon_number(p, end);
	}
}

const char *execq_verbatim_alert(const char *text, size_t len, size_t *alen)
{
	const char *end = text + len, *p, *q;

	p = member(text, end, "parameters");
	p = p ? member(p, end, "alert") : NULL;
	q = p ? canon_value(p, end, 0) : NULL;
	if (!q)
		return NULL;
	*alen = (size_t)(q - p);
	return p;
}
