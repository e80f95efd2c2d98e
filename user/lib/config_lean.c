// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the config module's reader of plain XML: elements without attributes,
 * text, comments, in ASCII, which is how arxdp.conf is written. It builds the tree
 * copy_tree() would build from libxml2's document, so that the drop-in and the CLI, one
 * process per action, read arxdp.conf without loading libxml2, ICU and libstdc++. It is
 * deliberately narrower than XML: at anything else (an attribute, an entity, CDATA, a
 * processing instruction, a DOCTYPE, a byte outside printable ASCII, a tag spread over lines,
 * a mismatched or missing closing tag, deep nesting) it gives up and libxml2 reads the file,
 * so every error message, and every less usual file, stays libxml2's.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "config_xml.h"

#define WRAP_NAME "arxdp-wrap"
/* copy_tree() refuses deeper nesting, with its own message: leave those files to it. */
#define LEAN_MAX_DEPTH 16
/* copy_tree() walks at most CONFIG_MAX_CHILDREN nodes of a parent; far below, to stay equal. */
#define LEAN_MAX_NODES 4096

struct lean {
	const char *p, *end;
	long line;
};

struct text {
	char *s;
	size_t len, cap;
};

static bool text_add(struct text *t, const char *s, size_t n)
{
	if (t->len + n >= t->cap) {
		size_t cap = t->cap ? t->cap : 64;
		char *p;

		while (t->len + n >= cap)
			cap *= 2;
		p = realloc(t->s, cap);
		if (!p)
			return false;
		t->s = p;
		t->cap = cap;
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	return true;
}

/* A character of text or comment this reader takes as it is (libxml2 would too). */
static bool plain_char(struct lean *l, char c)
{
	if (c == '\n') {
		l->line++;
		return true;
	}
	/* \r is normalised by XML, & starts a reference, > may close "]]>": all left to libxml2. */
	return c == '\t' || (c >= 0x20 && c < 0x7f && c != '&' && c != '>');
}

static bool name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool name_char(char c)
{
	return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static size_t name_len(const struct lean *l)
{
	size_t n = 0;

	if (l->p >= l->end || !name_start(*l->p))
		return 0;
	while (l->p + n < l->end && name_char(l->p[n]))
		n++;
	return n;
}

/* Spaces and tabs inside a tag: a newline there is left to libxml2's line numbering. */
static void skip_blanks(struct lean *l)
{
	while (l->p < l->end && (*l->p == ' ' || *l->p == '\t'))
		l->p++;
}

/* "<!-- ... -->" at l->p: any ASCII character but "--" (not XML there), < > & included. */
static bool comment(struct lean *l)
{
	char c;

	l->p += 4;
	for (; l->p + 1 < l->end; l->p++) {
		if (l->p[0] == '-' && l->p[1] == '-') {
			if (l->p + 2 < l->end && l->p[2] == '>') {
				l->p += 3;
				return true;
			}
			return false;
		}
		c = *l->p;
		if (c == '\n')
			l->line++;
		else if (c != '\t' && (c < 0x20 || c >= 0x7f))
			return false;
	}
	return false;
}

/* "</name>" at l->p, name being the open element's. */
static bool close_tag(struct lean *l, const char *name, size_t len)
{
	l->p += 2;
	if (name_len(l) != len || memcmp(l->p, name, len))
		return false;
	l->p += len;
	skip_blanks(l);
	if (l->p >= l->end || *l->p != '>')
		return false;
	l->p++;
	return true;
}

static bool element(struct lean *l, struct config_elem **out, int depth);

/*
 * The content of an element, up to its closing tag's "</": child elements into *kids, the
 * text (comments left out, as xmlNodeGetContent() does) into *t.
 */
static bool content(struct lean *l, struct config_elem **kids, struct text *t, int depth)
{
	struct config_elem **tail = kids;
	int nodes = 0;

	while (l->p < l->end) {
		if (*l->p != '<') {
			const char *run = l->p;

			/* A run of text at once: reading a 4 KiB file char by char showed. */
			for (; l->p < l->end && *l->p != '<'; l->p++)
				if (!plain_char(l, *l->p))
					return false;
			if (!text_add(t, run, (size_t)(l->p - run)))
				return false;
			continue;
		}
		if (++nodes > LEAN_MAX_NODES || l->p + 1 >= l->end)
			return false;
		if (l->p[1] == '/')
			return true;
		if (l->end - l->p >= 4 && !memcmp(l->p, "<!--", 4)) {
			if (!comment(l))
				return false;
			continue;
		}
		if (!element(l, tail, depth + 1))
			return false;
		tail = &(*tail)->next;
	}
	return false;
}

static char *trimmed(const struct text *t)
{
	const char *s = t->s ? t->s : "", *e = s + t->len;

	while (s < e && isspace((unsigned char)*s))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	return strndup(s, (size_t)(e - s));
}

/* One element at l->p ('<'), its subtree into *out. */
static bool element(struct lean *l, struct config_elem **out, int depth)
{
	struct text t = {};
	struct config_elem *e;
	const char *name;
	size_t len;
	bool ok = false;

	if (depth > LEAN_MAX_DEPTH)
		return false;
	l->p++;
	len = name_len(l);
	if (!len)
		return false;
	name = l->p;
	e = calloc(1, sizeof(*e) + len + 1);
	if (!e)
		return false;
	*out = e;
	memcpy(e + 1, name, len);
	e->name = (const char *)(e + 1);
	e->line = l->line;
	l->p += len;
	skip_blanks(l);
	if (l->end - l->p >= 2 && l->p[0] == '/' && l->p[1] == '>') {
		l->p += 2;
	} else {
		if (l->p >= l->end || *l->p != '>')
			goto out;
		l->p++;
		if (!content(l, &e->children, &t, depth) || !close_tag(l, name, len))
			goto out;
	}
	if (!e->children) {
		e->text = trimmed(&t);
		if (!e->text)
			goto out;
	}
	ok = true;
out:
	free(t.s);
	return ok;
}

bool lean_tree(const char *wrapped, size_t len, struct config_elem **out)
{
	static const char open[] = "<" WRAP_NAME ">";
	struct lean l = { wrapped + strlen(open), wrapped + len, 1 };
	struct text t = {};
	bool ok;

	*out = NULL;
	ok = len >= strlen(open) && !memcmp(wrapped, open, strlen(open)) &&
	     content(&l, out, &t, 0) && close_tag(&l, WRAP_NAME, strlen(WRAP_NAME)) && l.p == l.end;
	free(t.s);
	if (!ok) {
		free_elems(*out);
		*out = NULL;
	}
	return ok;
}
