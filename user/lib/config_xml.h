/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares the XML helpers inside the config module (config.c, config_xml.c), the
 * one part of arxdp that includes libxml2. Nothing outside user/lib/config*.c includes it.
 */
#ifndef ARXDP_CONFIG_XML_H
#define ARXDP_CONFIG_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include "config.h"

/* Bounds the walk over one parent's children; ossec.conf blocks have a dozen. */
#define CONFIG_MAX_CHILDREN 100000

struct parse_ctx {
	const char *kind; /* "ossec.conf" or "arxdp.conf" */
	const char *name;
	char *err;
	size_t errlen;
};

/* libxml2 is dlopen()ed by parse_xml(); these stand for its functions once a parse succeeded. */
long xml_line(const xmlNode *n);
xmlNode *xml_root(xmlDoc *doc);
void xml_free_doc(xmlDoc *doc);

/*
 * The file wrapped in one synthetic root, <arxdp-wrap>, its prolog and BOM blanked (newlines
 * kept, so line numbers hold): what libxml2 parses, and what config_lean.c reads.
 */
char *wrap_document(const char *buf, size_t len, size_t *out_len);
/*
 * arxdp.conf's usual form without libxml2: elements without attributes, text, comments,
 * ASCII. The same tree as copy_tree() builds from libxml2's document of the wrapped file, or
 * false when the file holds anything else (libxml2 then reads it, and words the errors). buf
 * is the file as it is (not wrapped: the prolog is skipped the way wrap_document() blanks it).
 */
bool lean_tree(const char *buf, size_t len, struct config_elem **out);
void free_elems(struct config_elem *e);

/* "<kind> '<name>' line N: <elem>: msg" into pc->err. */
void perr(const struct parse_ctx *pc, const xmlNode *node, const char *elem, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The file as one document (several roots allowed), no entity expansion; NULL with err set. */
xmlDoc *parse_xml(const struct parse_ctx *pc, const char *buf, size_t len);
bool is_elem(const xmlNode *n);
bool has_child_elem(const xmlNode *n);
const char *ename(const xmlNode *n);
/* The text of a leaf element, trimmed; NULL (and err set) when it holds elements. */
char *leaf_text(const struct parse_ctx *pc, const xmlNode *n, const char *parent);
void replace(char **dst, char *v);
/* Grows arr (n elements of size) by doubling when n reaches a power of two. */
void *grow(void *arr, size_t n, size_t size);

#endif /* ARXDP_CONFIG_XML_H */
