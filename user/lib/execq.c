// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains wazuh-execd's handling of one execq datagram (see execq.h). Every rule
 * names the Wazuh function it comes from (v4.14.7). The JSON is edited with cJSON, as execd
 * edits it (parse, replace, print), so lookups are as case-insensitive and the printed bytes as
 * exact as execd's own.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "arproto.h"
#include "execq.h"
#include "log.h"
#include "util.h"

/* error_messages.h */
#define FOPEN_ERROR "(1103): Could not open file '%s' due to [(%d)-(%s)]."
#define QUEUE_ERROR "(1210): Queue '%s' not accessible: '%s'"
#define EXEC_INV_NAME "(1311): Invalid command name '%s' provided."
#define EXEC_INV_CONF "(1313): Invalid active response config: '%s'."
#define EXEC_INV_JSON "(1315): Invalid JSON message: '%.*s'"
#define EXEC_INV_CMD "(1316): Invalid AR command: '%.*s'"
#define EXEC_BAD_NAME "(1318): Command name truncated %s"
#define EXEC_TRAVERSAL \
	"Active response command '%s' vulnerable to directory traversal attack. Ignoring."
#define EXEC_NOT_PRESENT "Active response command not present: '%s'. Not using it on this system."
#define EXEC_TOO_LONG "Cannot execute command '%32s...': path too long."

struct execq_chunk;

struct execq_table {
	struct execq_chunk *spare; /* one arena chunk kept between messages */
	bool verbatim_ok; /* the cJSON linked prints as execq_verbatim.c proves (1.7.x) */
	char conf[PATH_MAX]; /* <home>/etc/shared/ar.conf */
	char home[PATH_MAX]; /* "" or "<home>/" */
	enum execq_role role;
	bool read_before; /* exec.c f_time_reading, inverted */
	bool cap_reported; /* exec.c (later versions) f_max_reported */
	unsigned int reads;
	int n;
	struct execq_cmd cmds[EXECQ_MAX_AR];
	char line[EXECQ_MAXSTR + 1]; /* ReadExecConfig's buffer */
};

int execq_table_new(struct execq_table **out, const char *home, enum execq_role role)
{
	struct execq_table *t;
	const char *sep;
	int n;

	*out = NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	home = home ? home : "";
	sep = home[0] && home[strlen(home) - 1] != '/' ? "/" : "";
	n = snprintf(t->home, sizeof(t->home), "%s%s", home, sep);
	if (n < 0 || (size_t)n >= sizeof(t->home) - sizeof(EXECQ_AR_CONF)) {
		pr_warn("execq home '%s': path too long", home);
		free(t);
		return -ENAMETOOLONG;
	}
	if (snprintf(t->conf, sizeof(t->conf), "%s%s", t->home, EXECQ_AR_CONF) >=
	    (int)sizeof(t->conf)) {
		free(t);
		return -ENAMETOOLONG;
	}
	t->role = role;
	t->verbatim_ok = !strncmp(cJSON_Version(), "1.7.", 4);
	*out = t;
	return 0;
}

void execq_table_free(struct execq_table *t)
{
	if (t)
		free(t->spare);
	free(t);
}

int execq_table_size(const struct execq_table *t)
{
	return t->n;
}

const struct execq_cmd *execq_table_at(const struct execq_table *t, int i)
{
	return i >= 0 && i < t->n ? &t->cmds[i] : NULL;
}

unsigned int execq_table_reads(const struct execq_table *t)
{
	return t->reads;
}

/*
 * snprintf(dst, OS_FLSIZE, "%s/%s", AR_BINDIR, exe), as exec.c writes a program path; true
 * when it was cut.
 */
static bool bin_path(char *dst, const char *exe)
{
	return snprintf(dst, EXECQ_FLSIZE, "%s/%s", EXECQ_AR_BINDIR, exe) >= EXECQ_FLSIZE;
}

/* file_op.c w_ref_parent_folder() (non-Windows): a ".." path component anywhere. */
static bool ref_parent(const char *path)
{
	const char *p;

	if (path[0] == '.' && path[1] == '.' && (path[2] == '\0' || path[2] == '/'))
		return true;
	for (p = path; (p = strstr(p, "/..")); p += 3)
		if (p[3] == '\0' || p[3] == '/')
			return true;
	return false;
}

/*
 * ReadExecConfig's fopen(cmd, "r") probe, relative to the home. O_NONBLOCK: a FIFO put there
 * must not stall the daemon (execd would wait on it).
 */
static bool present(const struct execq_table *t, const char *program)
{
	char path[PATH_MAX];
	int fd;

	if (snprintf(path, sizeof(path), "%s%s", t->home, program) >= (int)sizeof(path))
		return false;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static void line_warn(unsigned int lineno, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* An ar.conf line's message, execd's text then the line number. */
static void line_warn(unsigned int lineno, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	pr_warn("%s (line %u)", n < 0 ? fmt : msg, lineno);
	if (n >= 0)
		free(msg);
}

/* glibc's atoi: strtol, truncated to int. */
static int c_atoi(const char *s)
{
	return (int)strtol(s, NULL, 10);
}

/*
 * exec.c ReadExecConfig(), one line. Returns true when the table is full and reading stops
 * (the later Wazuh code's truncation; see execq.h).
 */
static bool read_line(struct execq_table *t, char *buf, unsigned int lineno, bool *capped)
{
	struct execq_cmd c = {};
	char *exe, *tmo, *sep;
	bool dup = false;
	int i;

	if (buf[0] == '!' || !(sep = strstr(buf, " - "))) {
		line_warn(lineno, EXEC_INV_CONF, EXECQ_AR_CONF);
		return false;
	}
	*sep = '\0';
	exe = sep + 3;
	/* The name is kept (and its truncation reported) before the rest of the line is checked. */
	if (strlen(buf) > EXECQ_FLSIZE) {
		memcpy(c.name, buf, EXECQ_FLSIZE);
		line_warn(lineno, EXEC_BAD_NAME, c.name);
	} else {
		strcpy(c.name, buf);
	}
	sep = strstr(exe, " - ");
	if (!sep) {
		line_warn(lineno, EXEC_INV_CONF, EXECQ_AR_CONF);
		return false;
	}
	*sep = '\0';
	tmo = sep + 3;
	if (ref_parent(exe)) {
		line_warn(lineno, EXEC_TRAVERSAL, exe);
	} else {
		/* ReadExecConfig cuts a longer path without a word, then probes the rest. */
		if (bin_path(c.program, exe))
			pr_debug("ar.conf '%s': line %u: program path cut to %d bytes",
				 EXECQ_AR_CONF, lineno, EXECQ_FLSIZE - 1);
		if (!present(t, c.program)) {
			if (!t->read_before)
				line_warn(lineno, EXEC_NOT_PRESENT, c.program);
			c.program[0] = '\0';
		}
	}
	sep = strchr(tmo, '\n');
	if (sep)
		*sep = '\0';
	c.timeout = c_atoi(tmo);
	/*
	 * Duplicate names: an earlier entry without a program takes this one's program (keeping
	 * its own timeout); this one is dropped when it has no program. Two with programs both
	 * stay, and lookups find the first.
	 */
	for (i = 0; i < t->n; i++) {
		if (strcmp(t->cmds[i].name, c.name))
			continue;
		if (!t->cmds[i].program[0]) {
			strcpy(t->cmds[i].program, c.program);
			dup = true;
			break;
		} else if (!c.program[0]) {
			dup = true;
		}
	}
	if (dup)
		return false;
	if (t->n == EXECQ_MAX_AR) {
		if (!t->cap_reported)
			pr_warn("ar.conf '%s': line %u: more than %d commands (execd's MAX_AR): this "
				"line and the rest of the file are ignored",
				EXECQ_AR_CONF, lineno, EXECQ_MAX_AR);
		*capped = true;
		return true;
	}
	t->cmds[t->n++] = c;
	return false;
}

int execq_table_read(struct execq_table *t)
{
	unsigned int lineno = 0;
	bool capped = false;
	struct stat st;
	FILE *fp = NULL;
	int fd, err = 0;

	t->n = 0;
	t->reads++;
	/* O_NONBLOCK and the regular-file check: a FIFO must not stall the daemon. */
	fd = open(t->conf, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		err = -errno;
		pr_warn(FOPEN_ERROR, EXECQ_AR_CONF, -err, strerror(-err));
		goto out;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		err = -EINVAL;
		pr_warn("ar.conf '%s': not a regular file", t->conf);
		close(fd);
		goto out;
	}
	fp = fdopen(fd, "r");
	if (!fp) {
		err = -errno;
		close(fd);
		goto out;
	}
	/* fgets(buffer, OS_MAXSTR, fp): a longer line is read as several. */
	while (fgets(t->line, EXECQ_MAXSTR, fp))
		if (read_line(t, t->line, ++lineno, &capped))
			break;
	if (ferror(fp)) {
		err = -EIO;
		pr_warn("ar.conf '%s': line %u: read failed", t->conf, lineno + 1);
	}
	fclose(fp);
	t->read_before = true;
	t->cap_reported = capped;
out:
	return err;
}

/*
 * exec.c GetCommandbyName(). A '!' name is a script of active-response/bin with timeout 0 and
 * no ar.conf entry: -EPERM for a parent reference, -ENAMETOOLONG past OS_FLSIZE. -ENOENT when
 * the table does not hold the name.
 */
static int lookup(const struct execq_table *t, const char *name, struct execq_cmd *out)
{
	int i;

	if (name[0] == '!') {
		if (ref_parent(name + 1))
			return -EPERM;
		if (bin_path(out->program, name + 1))
			return -ENAMETOOLONG;
		strcpy(out->name, name); /* shorter than the program path */
		out->timeout = 0;
		return 0;
	}
	for (i = 0; i < t->n; i++) {
		if (!strcmp(name, t->cmds[i].name)) {
			*out = t->cmds[i];
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * ---- the message's tree ----
 *
 * A datagram's tree is a couple of hundred cJSON allocations, and malloc, free and
 * cJSON_Delete's walk cost about as much as the parse. So the tree lives in an arena of its
 * decision: chunks from which the parse and execd's rewrite take nodes, released in one go
 * with the decision (never cJSON_Delete), the table keeping one chunk for the next message.
 * cJSON's allocator hooks are process-wide and take no argument, so the decision being built
 * is reached through `building`: set, with the hooks, only around the cJSON calls of the
 * parse and the rewrite (which log nothing and call nothing else), and reset before
 * execq_handle returns. arxdpd runs them on its one thread; every other cJSON user of the
 * process (status replies, the alert parser's own arena) runs outside that window and sees
 * cJSON's default hooks. After it, the tree is only read, or printed into malloc'd text; the
 * one edit, execq_render's verb, swaps the value in place. Sanitizer builds keep cJSON's own
 * allocations, so ASan still sees every node.
 */
#if defined(__SANITIZE_ADDRESS__)
#define EXECQ_ARENA 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EXECQ_ARENA 0
#endif
#endif
#ifndef EXECQ_ARENA
#define EXECQ_ARENA 1
#endif

#define EXECQ_CHUNK 65536 /* an analysisd message's tree takes 10-20 KiB: one chunk */

struct execq_chunk {
	struct execq_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

static struct execq_decision *building; /* see above: only inside tree_begin/tree_end */

static void *arena_alloc(size_t n)
{
	struct execq_decision *d = building;
	struct execq_chunk *c = d->arena;
	size_t need = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);

	if (!c || c->cap - c->used < need) {
		size_t cap = need > EXECQ_CHUNK ? need : EXECQ_CHUNK;

		if (d->home->spare && cap == EXECQ_CHUNK) {
			c = d->home->spare;
			d->home->spare = NULL;
		} else {
			c = malloc(sizeof(*c) + cap);
			if (!c)
				return NULL; /* cJSON checks: the parse fails, as without memory */
			c->cap = cap;
		}
		c->used = 0;
		c->next = d->arena;
		d->arena = c;
	}
	c->used += need;
	return (char *)c->data + c->used - need;
}

static void arena_nofree(void *p)
{
	(void)p; /* released with the decision */
}

static void tree_begin(struct execq_table *t, struct execq_decision *d)
{
	cJSON_Hooks hooks = { .malloc_fn = arena_alloc, .free_fn = arena_nofree };

	d->home = t;
	if (!EXECQ_ARENA)
		return;
	building = d;
	cJSON_InitHooks(&hooks);
}

static void tree_end(void)
{
	if (!EXECQ_ARENA)
		return;
	cJSON_InitHooks(NULL);
	building = NULL;
}

static void tree_free(struct execq_decision *d)
{
	struct execq_chunk *c, *next;

	if (!EXECQ_ARENA)
		cJSON_Delete(d->msg);
	for (c = d->arena; c; c = next) {
		next = c->next;
		if (d->home && !d->home->spare && c->cap == EXECQ_CHUNK) {
			d->home->spare = c;
			continue;
		}
		free(c);
	}
	d->arena = NULL;
	d->msg = NULL;
	d->alert = d->extra_args = NULL;
}

static int set_text(char **dst, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int set_text(char **dst, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(dst, fmt, ap);
	va_end(ap);
	if (n < 0) {
		*dst = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int fail(struct execq_decision *d, int err)
{
	if (err)
		return err;
	d->kind = EXECQ_ERROR;
	return 0;
}

/* Resolves name with ExecdRun's one reload; fills d->cmd, or d->error. */
static int resolve(struct execq_table *t, const char *name, struct execq_decision *d)
{
	int r, i, err;

	for (i = 0; i < 2; i++) {
		r = lookup(t, name, &d->cmd);
		if (!r)
			return 0;
		if (r != -ENOENT) {
			d->n_warning++;
			if (!d->warning) {
				err = r == -EPERM ?
					      set_text(&d->warning, EXEC_TRAVERSAL, name + 1) :
					      set_text(&d->warning, EXEC_TOO_LONG, name + 1);
				if (err)
					return err;
			}
		}
		if (!i)
			execq_table_read(t); /* execd goes on whatever the read gave */
	}
	memset(&d->cmd, 0, sizeof(d->cmd));
	return fail(d, set_text(&d->error, EXEC_INV_NAME, name));
}

/* cJSON_ReplaceItemInObject with a new string; nothing when obj holds no such key. */
static int replace_str(cJSON *obj, const char *key, const char *val)
{
	cJSON *s;

	if (!cJSON_IsObject(obj) || !cJSON_GetObjectItem(obj, key))
		return 0;
	s = cJSON_CreateString(val);
	if (!s)
		return -ENOMEM;
	if (!cJSON_ReplaceItemInObject(obj, key, s)) {
		cJSON_Delete(s);
		return -ENOMEM;
	}
	return 0;
}

/*
 * ExecdRun's rewrite, positions kept: command "add", origin.module "wazuh-execd",
 * parameters.program appended (relative path). A missing origin or parameters stays missing.
 */
static int rewrite(struct execq_decision *d)
{
	cJSON *params, *prog;
	int err;

	err = replace_str(d->msg, "command", "add");
	if (!err)
		err = replace_str(cJSON_GetObjectItem(d->msg, "origin"), "module", AR_MODULE_EXECD);
	if (err)
		return err;
	params = cJSON_GetObjectItem(d->msg, "parameters");
	if (params) {
		prog = cJSON_CreateString(d->cmd.program);
		if (!prog || !cJSON_AddItemToObject(params, "program", prog)) {
			cJSON_Delete(prog);
			return -ENOMEM;
		}
	}
	if (cJSON_IsObject(params)) {
		d->alert = cJSON_GetObjectItem(params, "alert");
		d->extra_args = cJSON_GetObjectItem(params, "extra_args");
	}
	/* What firewall-drop's get_json_from_input() makes of that line: the line is msg printed,
	 * and printing keeps every type and the first of duplicate keys, so the tree answers as
	 * a second parse of the line would, without one per datagram. */
	d->ar_valid = !arproto_check(d->msg);
	return 0;
}

static int handle(struct execq_table *t, const char *buf, size_t len, struct execq_decision *d)
{
	const cJSON *c;
	size_t n;
	int err;

	/* OS_RecvUnix returns 0 for an empty datagram, which ExecdStart takes for a failure. */
	if (!len)
		return fail(d, set_text(&d->error, QUEUE_ERROR, EXECQ_QUEUE, strerror(0)));
	n = len < EXECQ_READ_MAX ? len : EXECQ_READ_MAX;
	/* Cut only when the lost bytes were part of the string (not just its NUL). */
	d->truncated =
		len > EXECQ_READ_MAX && buf[EXECQ_READ_MAX] && !memchr(buf, '\0', EXECQ_READ_MAX);
	/* The C string execd parses, up to the first NUL: parsed where it lies, not copied. */
	n = strnlen(buf, n);
	d->text = buf;
	d->text_len = n;
	tree_begin(t, d);
	/* The same tree in one pass for analysisd's text (execq_parse.c), else cJSON's parse. */
	d->msg = EXECQ_ARENA ? execq_parse_fast(buf, n, arena_alloc, &d->spans) : NULL;
	if (!d->msg)
		d->msg = cJSON_ParseWithLength(buf, n);
	tree_end();
	if (!d->msg) {
		err = fail(d, set_text(&d->error, EXEC_INV_JSON, (int)n, buf));
		goto out;
	}
	c = cJSON_GetObjectItem(d->msg, "command");
	if (!cJSON_IsString(c)) {
		err = fail(d, set_text(&d->error, EXEC_INV_CMD, (int)n, buf));
		goto out;
	}
	/* Unix only, before any lookup: exactly this name, no timeout suffix. */
	if (!strcmp(c->valuestring, EXECQ_RESTART_NAME)) {
		d->kind = EXECQ_RESTART;
		d->restart_arg = t->role == EXECQ_AGENT ? "agent" : "manager";
		err = 0;
		goto out;
	}
	d->custom = c->valuestring[0] == '!';
	err = resolve(t, c->valuestring, d);
	if (err || d->error) /* kind stays EXECQ_ERROR */
		goto out;
	if (!d->cmd.program[0]) {
		d->kind = EXECQ_IGNORED;
		goto out;
	}
	d->kind = EXECQ_RUN;
	tree_begin(t, d);
	err = rewrite(d);
	tree_end();
out:
	if (d->kind != EXECQ_RUN)
		tree_free(d);
	return err;
}

int execq_handle(struct execq_table *t, const void *buf, size_t len, struct execq_decision *d)
{
	int err;

	memset(d, 0, sizeof(*d));
	if (!t || (!buf && len))
		return -EINVAL;
	err = handle(t, buf, len, d);
	if (err)
		execq_decision_free(d);
	return err;
}

char *execq_render(struct execq_decision *d, const char *verb)
{
	cJSON *c;
	char *out, *add;

	if (d->kind != EXECQ_RUN || !d->msg || !verb)
		return NULL;
	/* The rewrite made command a string (named "command"): its value swapped in place, as
	 * the arena's nodes are never freed one by one; back to "add" after the print, so
	 * add_json, printed when first asked for, is always the add message. */
	c = cJSON_GetObjectItem(d->msg, "command");
	if (!cJSON_IsString(c))
		return NULL;
	add = c->valuestring;
	c->valuestring = (char *)verb;
	out = cJSON_PrintUnformatted(d->msg);
	c->valuestring = add;
	return out;
}

const char *execq_add_json(struct execq_decision *d)
{
	if (d->kind != EXECQ_RUN || !d->msg)
		return NULL;
	if (!d->add_json)
		d->add_json = cJSON_PrintUnformatted(d->msg);
	return d->add_json;
}

/* The datagram's text of d->alert when it is cJSON's print of it (execq_verbatim.c). */
static const char *verbatim_alert(const struct execq_decision *d, size_t *len)
{
	int i;

	if (!d->text || !d->home || !d->home->verbatim_ok)
		return NULL;
	/* The one-pass parse saw the alert's text already: no second scan of it. */
	for (i = 0; i < d->spans.n; i++) {
		if (d->spans.s[i].node != d->alert)
			continue;
		*len = d->spans.s[i].len;
		return d->spans.s[i].printed ? d->spans.s[i].text : NULL;
	}
	return execq_verbatim_alert(d->text, d->text_len, len);
}

int execq_alert_text(const struct execq_decision *d, struct execq_text *out)
{
	const char *v;
	size_t need;
	char *p;

	out->len = 0;
	out->verbatim = false;
	if (d->kind != EXECQ_RUN || !d->alert)
		return -ENOENT;
	v = verbatim_alert(d, &need);
	if (v && need < out->cap) {
		memcpy(out->p, v, need);
		out->p[need] = '\0';
		out->len = need;
		out->verbatim = true;
		return 0;
	}
	/* cJSON wants a few bytes to spare; the printed alert is rarely longer than its input. */
	if (out->cap && cJSON_PrintPreallocated((cJSON *)d->alert, out->p, (int)out->cap, false)) {
		out->len = strlen(out->p);
		return 0;
	}
	p = cJSON_PrintUnformatted(d->alert);
	if (!p)
		return -ENOMEM;
	need = strlen(p) + 1;
	/* Kept at the larger size: the next alert that long prints in place. */
	if (need + EXECQ_TEXT_SPARE > out->cap) {
		char *q = realloc(out->p, need + EXECQ_TEXT_SPARE);

		if (!q) {
			free(p);
			return -ENOMEM;
		}
		out->p = q;
		out->cap = need + EXECQ_TEXT_SPARE;
	}
	memcpy(out->p, p, need);
	out->len = need - 1;
	free(p);
	return 0;
}

const char *execq_srcip(const struct execq_decision *d, struct arxdp_addr *a)
{
	if (d->kind != EXECQ_RUN || !d->ar_valid)
		return NULL;
	return arproto_srcip(d->msg, a);
}

void execq_decision_free(struct execq_decision *d)
{
	free(d->error);
	free(d->warning);
	tree_free(d);
	free(d->add_json);
	memset(d, 0, sizeof(*d));
}
