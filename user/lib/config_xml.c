// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the config module's XML layer: reading a configuration file, parsing it
 * as Wazuh does (several roots, no entities), the small element helpers the ossec.conf reader
 * uses, and the plain element tree handed to arxdp.conf's reader (settings.c).
 *
 * libxml2 is opened with dlopen() at the first parse that needs it, not linked: it brings ICU
 * and libstdc++, whose loading tripled the start-up of the drop-in and of the CLI's map
 * verbs, which run one process per action (docs/BENCHMARKS.md, start-up). arxdp.conf in the
 * plain form config_lean.c reads never loads it.
 */
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "config.h"
#include "config_xml.h"
#include "util.h"

/* Neither file is ever near this; it bounds the read of a wrong path (a device, a log). */
#define CONFIG_FILE_MAX (16u << 20)
#define WRAP_OPEN "<arxdp-wrap>"
#define WRAP_CLOSE "</arxdp-wrap>"
#define LIBXML2_SONAME "libxml2.so.2"

/* The libxml2 functions the module calls, typed from libxml2's own declarations. */
struct xml_api {
	__typeof__(xmlNewParserCtxt) *new_ctxt;
	__typeof__(xmlCtxtReadMemory) *read_memory;
	__typeof__(xmlCtxtGetLastError) *last_error;
	__typeof__(xmlFreeParserCtxt) *free_ctxt;
	__typeof__(xmlFreeDoc) *free_doc;
	__typeof__(xmlDocGetRootElement) *root;
	__typeof__(xmlGetLineNo) *line;
	__typeof__(xmlNodeGetContent) *content;
	xmlFreeFunc *free; /* libxml2's xmlFree is a variable holding the function */
};

/*
 * Process-wide and written once (pthread_once), like the library it stands for: the handle
 * stays open for the life of the process, since documents and names outlive any one parse.
 */
static struct xml_api xml;
static char xml_load_error[256];
static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_load(void)
{
	static const char *const names[] = {
		"xmlNewParserCtxt",  "xmlCtxtReadMemory", "xmlCtxtGetLastError",
		"xmlFreeParserCtxt", "xmlFreeDoc",	  "xmlDocGetRootElement",
		"xmlGetLineNo",	     "xmlNodeGetContent", "xmlFree"
	};
	void *slots[sizeof(names) / sizeof(names[0])];
	void *h = dlopen(LIBXML2_SONAME, RTLD_NOW | RTLD_LOCAL);

	_Static_assert(sizeof(slots) == sizeof(xml), "one name per member of struct xml_api");
	if (!h) {
		snprintf(xml_load_error, sizeof(xml_load_error),
			 "libxml2 '%s': cannot load: %s: install the libxml2 package",
			 LIBXML2_SONAME, dlerror());
		return;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		slots[i] = dlsym(h, names[i]);
		if (!slots[i]) {
			snprintf(xml_load_error, sizeof(xml_load_error),
				 "libxml2 '%s': no symbol '%s': install libxml2 2.9 or later",
				 LIBXML2_SONAME, names[i]);
			dlclose(h);
			return;
		}
	}
	memcpy(&xml, slots, sizeof(xml));
}

/* 0 when libxml2 is loaded, else -ENOENT with the reason in pc's err. */
static int xml_ready(const struct parse_ctx *pc)
{
	pthread_once(&xml_once, xml_load);
	if (xml.new_ctxt)
		return 0;
	if (pc->err && pc->errlen)
		snprintf(pc->err, pc->errlen, "%s '%s': %s", pc->kind, pc->name, xml_load_error);
	return -ENOENT;
}

long xml_line(const xmlNode *n)
{
	return xml.line(n);
}

xmlNode *xml_root(xmlDoc *doc)
{
	return xml.root(doc);
}

void xml_free_doc(xmlDoc *doc)
{
	xml.free_doc(doc);
}

void config_verr(char *err, size_t errlen, const char *kind, const char *name, long line,
		 const char *elem, const char *fmt, va_list ap)
{
	char msg[CONFIG_ERR_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (err && errlen)
		snprintf(err, errlen, "%s '%s' line %ld: <%s>: %s", kind, name, line, elem, msg);
}

void perr(const struct parse_ctx *pc, const xmlNode *node, const char *elem, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	config_verr(pc->err, pc->errlen, pc->kind, pc->name, node ? xml_line(node) : 0L, elem, fmt,
		    ap);
	va_end(ap);
}

int config_read_named(const char *kind, const char *path, const char *enoent_hint, char **buf,
		      size_t *len, char *err, size_t errlen)
{
	int ret = config_read_file(path, buf, len);

	if (ret && err && errlen)
		snprintf(err, errlen, "%s '%s': cannot read: %s%s", kind, path, errstr(ret),
			 ret == -ENOENT && enoent_hint ? enoent_hint : "");
	return ret;
}

int config_read_file(const char *path, char **buf, size_t *len)
{
	struct stat st;
	ssize_t n;
	size_t got = 0;
	int fd, ret = 0;

	*buf = NULL;
	/* O_NONBLOCK: a FIFO in the file's place is refused below, never waited on (a reload or
	 * a com request runs in the daemon's loop); on a regular file it changes nothing. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		goto out;
	}
	if ((uint64_t)st.st_size > CONFIG_FILE_MAX) {
		ret = -EFBIG;
		goto out;
	}
	*buf = malloc((size_t)st.st_size + 1);
	if (!*buf) {
		ret = -ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, *buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	(*buf)[got] = '\0';
	*len = got;
out:
	if (ret) {
		free(*buf);
		*buf = NULL;
	}
	close(fd);
	return ret;
}

/*
 * ossec.conf may hold several <ossec_config> roots, so it is not a document: blank out the
 * prolog (keeping newlines so line numbers hold) and wrap the rest in one synthetic root.
 */
char *wrap_document(const char *buf, size_t len, size_t *out_len)
{
	size_t open_len = strlen(WRAP_OPEN), close_len = strlen(WRAP_CLOSE), i = 0;
	char *w, *body;

	w = malloc(open_len + len + close_len + 1);
	if (!w)
		return NULL;
	memcpy(w, WRAP_OPEN, open_len);
	body = w + open_len;
	memcpy(body, buf, len);
	if (len >= 3 && !memcmp(body, "\xEF\xBB\xBF", 3))
		memset(body, ' ', 3);
	while (i < len && isspace((unsigned char)body[i]))
		i++;
	if (len - i >= 5 && !memcmp(body + i, "<?xml", 5)) {
		size_t end = i + 5;

		while (end + 1 < len && (body[end] != '?' || body[end + 1] != '>'))
			end++;
		if (end + 1 < len) {
			for (; i < end + 2; i++)
				if (body[i] != '\n')
					body[i] = ' ';
		}
	}
	memcpy(body + len, WRAP_CLOSE, close_len + 1);
	*out_len = open_len + len + close_len;
	return w;
}

xmlDoc *parse_xml(const struct parse_ctx *pc, const char *buf, size_t len)
{
	xmlParserCtxt *ctxt;
	xmlDoc *doc = NULL;
	size_t wlen;
	char *w;

	if (memchr(buf, '\0', len)) {
		perr(pc, NULL, "?", "the file contains a NUL byte: it is not a text file");
		return NULL;
	}
	if (xml_ready(pc))
		return NULL;
	w = wrap_document(buf, len, &wlen);
	if (!w) {
		perr(pc, NULL, "?", "out of memory");
		return NULL;
	}
	ctxt = xml.new_ctxt();
	if (!ctxt) {
		perr(pc, NULL, "?", "out of memory");
		goto out;
	}
	/* No XML_PARSE_NOENT (entity expansion) nor XML_PARSE_DTDLOAD; NONET for good measure. */
	doc = xml.read_memory(ctxt, w, (int)wlen, pc->name, NULL,
			      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
				      XML_PARSE_BIG_LINES);
	if (!doc) {
		const xmlError *e = xml.last_error(ctxt);
		char msg[256] = "malformed XML";
		size_t n;

		if (e && e->message) {
			snprintf(msg, sizeof(msg), "%s", e->message);
			n = strlen(msg);
			while (n && isspace((unsigned char)msg[n - 1]))
				msg[--n] = '\0';
		}
		/* Only an unclosed element of the file reaches the synthetic root. */
		if (strstr(msg, "arxdp-wrap"))
			snprintf(msg, sizeof(msg),
				 "an element is still open at the end of the "
				 "file (a closing tag is missing)");
		if (pc->err && pc->errlen)
			snprintf(pc->err, pc->errlen,
				 "%s '%s' line %d: not well-formed XML: %s: fix the markup there",
				 pc->kind, pc->name, e ? e->line : 0, msg);
	}
out:
	if (ctxt)
		xml.free_ctxt(ctxt);
	free(w);
	return doc;
}

bool is_elem(const xmlNode *n)
{
	return n && n->type == XML_ELEMENT_NODE;
}

bool has_child_elem(const xmlNode *n)
{
	const xmlNode *c;

	for (c = n->children; c; c = c->next)
		if (is_elem(c))
			return true;
	return false;
}

const char *ename(const xmlNode *n)
{
	return (const char *)n->name;
}

char *leaf_text(const struct parse_ctx *pc, const xmlNode *n, const char *parent)
{
	xmlChar *raw;
	char *s, *start, *end;

	if (has_child_elem(n)) {
		perr(pc, n, parent,
		     "element <%s> holds elements instead of a value (1234): "
		     "write a plain value",
		     ename(n));
		return NULL;
	}
	raw = xml.content(n);
	if (!raw) {
		s = strdup("");
		goto out;
	}
	start = (char *)raw;
	while (isspace((unsigned char)*start))
		start++;
	end = start + strlen(start);
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	s = strndup(start, (size_t)(end - start));
	(*xml.free)(raw);
out:
	if (!s)
		perr(pc, n, parent, "out of memory");
	return s;
}

void replace(char **dst, char *v)
{
	free(*dst);
	*dst = v;
}

void *grow(void *arr, size_t n, size_t size)
{
	/* Powers of two: reallocate only when n reaches one. */
	if (n && (n & (n - 1)))
		return arr;
	return realloc(arr, (n ? n * 2 : 4) * size);
}

/* ---- element trees for the other readers (arxdp.conf) -------------------------------------- */

void free_elems(struct config_elem *e)
{
	struct config_elem *next;

	for (; e; e = next) {
		next = e->next;
		free_elems(e->children);
		free(e->text);
		free(e);
	}
}

/* Depth-first copy of the XML elements; a leaf's text is trimmed, a parent's is NULL. */
static int copy_tree(const struct parse_ctx *pc, const xmlNode *parent, struct config_elem **out,
		     int depth)
{
	struct config_elem **tail = out;
	const xmlNode *n;
	int guard = 0, ret;

	if (depth > 16) {
		perr(pc, parent, ename(parent), "elements nested deeper than 16 levels");
		return -EINVAL;
	}
	for (n = parent->children; n && guard < CONFIG_MAX_CHILDREN; n = n->next, guard++) {
		struct config_elem *e;

		if (!is_elem(n))
			continue;
		e = calloc(1, sizeof(*e));
		if (!e) {
			perr(pc, n, ename(n), "out of memory");
			return -ENOMEM;
		}
		*tail = e;
		tail = &e->next;
		e->name = (const char *)n->name;
		e->line = xml_line(n);
		if (has_child_elem(n)) {
			ret = copy_tree(pc, n, &e->children, depth + 1);
			if (ret)
				return ret;
		} else {
			e->text = leaf_text(pc, n, ename(parent));
			if (!e->text)
				return -ENOMEM;
		}
	}
	return 0;
}

static int parse_tree(const char *kind, const char *name, const char *buf, size_t len,
		      struct config_tree *out, bool lean, char *err, size_t errlen)
{
	struct parse_ctx pc = { kind, name, err, errlen };
	xmlDoc *doc;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	memset(out, 0, sizeof(*out));
	if (lean && !memchr(buf, '\0', len) && lean_tree(buf, len, &out->root))
		return 0;
	doc = parse_xml(&pc, buf, len);
	if (!doc)
		return -EINVAL;
	ret = copy_tree(&pc, xml_root(doc), &out->root, 0);
	/* The element names live in the document, which the tree keeps until it is freed. */
	out->doc = doc;
	if (ret)
		config_free_doc(out);
	return ret;
}

int config_parse_tree(const char *kind, const char *name, const char *buf, size_t len,
		      struct config_tree *out, char *err, size_t errlen)
{
	return parse_tree(kind, name, buf, len, out, true, err, errlen);
}

int config_parse_tree_xml(const char *kind, const char *name, const char *buf, size_t len,
			  struct config_tree *out, char *err, size_t errlen)
{
	return parse_tree(kind, name, buf, len, out, false, err, errlen);
}

void config_free_doc(struct config_tree *t)
{
	free_elems(t->root);
	if (t->doc)
		xml_free_doc(t->doc);
	t->root = NULL;
	t->doc = NULL;
}
