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
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "config_xml.h"

/* copy_tree() refuses deeper nesting, with its own message: leave those files to it. */
#define LEAN_MAX_DEPTH 16
/* copy_tree() walks at most CONFIG_MAX_CHILDREN nodes of a parent; far below, to stay equal. */
#define LEAN_MAX_NODES 4096

/*
 * The class of each byte, one table lookup per byte: the file is read at every start of the
 * drop-in and the CLI, and a loop over it that stored its position and tested ranges per
 * character was the largest user-space symbol of their profile (docs/BENCHMARKS.md, start-up).
 */
enum {
	C_TEXT = 1, /* taken as it is in text: \r is normalised by XML, & starts a reference, >
		     * may close "]]>", < starts markup: all left out */
	C_COMMENT = 2, /* taken in a comment: any ASCII character but "--", < > & included */
	C_NAME_START = 4,
	C_NAME = 8,
};

#define IS_ALPHA(c) (((c) >= 'A' && (c) <= 'Z') || ((c) >= 'a' && (c) <= 'z') || (c) == '_')
#define IS_ASCII(c) ((c) == '\t' || (c) == '\n' || ((c) >= 0x20 && (c) < 0x7f))
#define CLS(c)                                                                       \
	((IS_ASCII(c) && (c) != '&' && (c) != '<' && (c) != '>' ? C_TEXT : 0) |      \
	 (IS_ASCII(c) ? C_COMMENT : 0) | (IS_ALPHA(c) ? C_NAME_START | C_NAME : 0) | \
	 (((c) >= '0' && (c) <= '9') || (c) == '-' || (c) == '.' ? C_NAME : 0))
#define CLS4(c) CLS(c), CLS((c) + 1), CLS((c) + 2), CLS((c) + 3)
#define CLS16(c) CLS4(c), CLS4((c) + 4), CLS4((c) + 8), CLS4((c) + 12)
#define CLS64(c) CLS16(c), CLS16((c) + 16), CLS16((c) + 32), CLS16((c) + 48)
static const unsigned char cls[256] = { CLS64(0), CLS64(64), CLS64(128), CLS64(192) };
#undef CLS64
#undef CLS16
#undef CLS4
#undef CLS
#undef IS_ASCII
#undef IS_ALPHA

struct lean {
	const char *p, *end;
	long line;
};

/*
 * A leaf's text: its runs with the comments between them left out (as xmlNodeGetContent()
 * gives it). Mostly one run, which is pointed at in the file; only a leaf that a comment splits
 * gets a buffer of its own. A parent's text is never kept: its element has none.
 */
struct text {
	const char *s;
	size_t len;
	char *own;
};

static bool text_add(struct text *t, const char *s, size_t n)
{
	char *p;

	if (!t->len) {
		t->s = s;
		t->len = n;
		return true;
	}
	p = realloc(t->own, t->len + n);
	if (!p)
		return false;
	if (!t->own)
		memcpy(p, t->s, t->len);
	memcpy(p + t->len, s, n);
	t->own = p;
	t->s = p;
	t->len += n;
	return true;
}

static size_t name_len(const struct lean *l)
{
	const char *p = l->p;

	if (p >= l->end || !(cls[(unsigned char)*p] & C_NAME_START))
		return 0;
	for (p++; p < l->end && (cls[(unsigned char)*p] & C_NAME); p++)
		;
	return (size_t)(p - l->p);
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
	const char *p = l->p + 4, *end = l->end;
	long line = l->line;
	unsigned char c;

	for (; p + 1 < end; p++) {
		c = (unsigned char)*p;
		if (c == '-' && p[1] == '-') {
			if (p + 2 >= end || p[2] != '>')
				return false;
			l->p = p + 3;
			l->line = line;
			return true;
		}
		if (!(cls[c] & C_COMMENT))
			return false;
		line += c == '\n';
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

/* A run of text up to the next '<' (or the end); false at a byte left to libxml2. */
static bool text_run(struct lean *l)
{
	const char *p = l->p, *end = l->end;
	long line = l->line;
	unsigned char c;

	for (; p < end; p++) {
		c = (unsigned char)*p;
		if (!(cls[c] & C_TEXT))
			break;
		line += c == '\n';
	}
	l->p = p;
	l->line = line;
	return p == end || *p == '<';
}

static bool element(struct lean *l, struct config_elem **out, int depth);

/*
 * The content of an element, up to its closing tag's "</": child elements into *kids, the
 * text (comments left out, as xmlNodeGetContent() does) into *t while there is no child.
 */
static bool content(struct lean *l, struct config_elem **kids, struct text *t, int depth)
{
	struct config_elem **tail = kids;
	int nodes = 0;

	while (l->p < l->end) {
		if (*l->p != '<') {
			const char *run = l->p;

			if (!text_run(l))
				return false;
			if (!*kids && !text_add(t, run, (size_t)(l->p - run)))
				return false;
			continue;
		}
		if (++nodes > LEAN_MAX_NODES || l->p + 1 >= l->end)
			return false;
		/* A closing tag ends an element's content; the file's top level has none. */
		if (l->p[1] == '/')
			return depth > 0;
		if (l->end - l->p >= 4 && !memcmp(l->p, "<!--", 4)) {
			if (!comment(l))
				return false;
			continue;
		}
		if (!element(l, tail, depth + 1))
			return false;
		tail = &(*tail)->next;
	}
	/* The end of the file: where the top level ends, inside an element a missing tag. */
	return depth == 0;
}

/* The text trimmed of the white space this reader takes (space, tab, newline). */
static char *trimmed(const struct text *t)
{
	const char *s = t->len ? t->s : "", *e = s + t->len;

	while (s < e && (*s == ' ' || *s == '\t' || *s == '\n'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n'))
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
	free(t.own);
	return ok;
}

/*
 * What wrap_document() blanks for libxml2, skipped in place: a UTF-8 BOM, then, after white
 * space, an XML declaration up to its "?>" (its newlines counted). The file is read where it
 * lies: the wrapped copy cost a second buffer of the file's size at every start.
 */
static bool prolog(struct lean *l)
{
	const char *p = l->p, *end = l->end, *q;

	if (end - p >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	for (; p < end && (*p == ' ' || *p == '\t' || *p == '\n'); p++)
		l->line += *p == '\n';
	l->p = p;
	if (end - p < 5 || memcmp(p, "<?xml", 5))
		return true;
	for (q = p + 5; q + 1 < end && (q[0] != '?' || q[1] != '>'); q++)
		;
	if (q + 1 >= end)
		return false;
	for (; p < q; p++)
		l->line += *p == '\n';
	l->p = q + 2;
	return true;
}

bool lean_tree(const char *buf, size_t len, struct config_elem **out)
{
	struct lean l = { buf, buf + len, 1 };
	struct text t = {};
	bool ok;

	*out = NULL;
	ok = prolog(&l) && content(&l, out, &t, 0);
	free(t.own);
	if (!ok) {
		free_elems(*out);
		*out = NULL;
	}
	return ok;
}
