/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares one execq datagram handled exactly as wazuh-execd 4.x handles it
 * (src/os_execd/execd.c ExecdStart/ExecdRun, src/os_execd/exec.c ReadExecConfig and
 * GetCommandbyName), without running anything: the result says what execd would log, run and
 * write. The command table is etc/shared/ar.conf, read lazily and re-read once for every name
 * it does not hold, as execd reads it.
 *
 * What the responder does with a decision of kind EXECQ_RUN, as execd does it: run
 * cmd.program (relative to the home, argv = the program alone) with add_json + "\n" on stdin,
 * read one stdout line; the timeout-list key (rkey) is basename(program) plus "-<key>" for each
 * key of a check_keys reply (arproto_rkey), so it is known only once the program answered;
 * then write execq_render(d, "continue" or "abort"). A timeout of 0 means no delete, ever.
 * The fast path for a firewall-drop style executable may compute the key itself, as
 * firewall-drop does: execq_srcip() is the address firewall-drop would answer in check_keys
 * (NULL when firewall-drop would answer nothing and exit).
 */
#ifndef ARXDP_EXECQ_H
#define ARXDP_EXECQ_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>
#include "addr.h"

#define EXECQ_MAXSTR 65536 /* OS_MAXSTR */
/* OS_RecvUnix(q, OS_MAXSTR, buf) receives at most sizet - 1 bytes: the rest of a datagram is lost. */
#define EXECQ_READ_MAX (EXECQ_MAXSTR - 1)
#define EXECQ_MAX_AR 64 /* execd.h MAX_AR */
#define EXECQ_FLSIZE 256 /* OS_FLSIZE: names and program paths */
#define EXECQ_AR_CONF "etc/shared/ar.conf" /* DEFAULTAR, relative to the home */
#define EXECQ_AR_BINDIR "active-response/bin" /* AR_BINDIR */
#define EXECQ_QUEUE "queue/alerts/execq" /* EXECQUEUE */
#define EXECQ_RESTART_NAME "restart-wazuh"
#define EXECQ_RESTART_PROGRAM EXECQ_AR_BINDIR "/restart.sh"

/* One ar.conf entry, as execd keeps it. */
struct execq_cmd {
	char name[EXECQ_FLSIZE + 1]; /* the name before the first " - " ('!' kept for custom) */
	char program[EXECQ_FLSIZE + 1]; /* "active-response/bin/<exe>"; "" = not on this system */
	int timeout; /* atoi of the third field, seconds; 0 = stateless */
};

/* Which argument restart.sh gets: execd built as manager or as agent (CLIENT). */
enum execq_role {
	EXECQ_MANAGER = 0,
	EXECQ_AGENT,
};

struct execq_table;

/*
 * A table over <home>/etc/shared/ar.conf, empty until the first lookup reads it (execd reads
 * nothing at start-up). home NULL or "" = the working directory.
 */
int execq_table_new(struct execq_table **out, const char *home, enum execq_role role);
void execq_table_free(struct execq_table *t);
/*
 * ReadExecConfig(): empties the table and reads the file. Each refused line is logged as execd
 * logs it, followed by " (line N)": (1313) for a line starting with '!' or lacking a " - ",
 * (1318) for a name cut to 256 bytes, the traversal message for an executable that references
 * a parent directory (the entry stays, with an empty program), and, on the first read only,
 * "Active response command not present" (likewise). The table holds at most EXECQ_MAX_AR
 * entries: 4.14.7 has no bounds check there (static arrays, undefined behaviour past 65), so
 * this follows the later Wazuh code, which stops reading at the first entry that does not fit
 * and logs it once. 0, or -errno when the file cannot be read (then the table stays empty,
 * as execd's does, and (1103) is logged).
 */
int execq_table_read(struct execq_table *t);
int execq_table_size(const struct execq_table *t);
const struct execq_cmd *execq_table_at(const struct execq_table *t, int i);
/* How many times the file was read (lazy load and reloads), for tests and debug counters. */
unsigned int execq_table_reads(const struct execq_table *t);

enum execq_kind {
	EXECQ_ERROR = 0, /* execd logs error and drops the message */
	EXECQ_IGNORED, /* ar.conf names it but holds no program for it: dropped without a word */
	EXECQ_RESTART, /* exactly "restart-wazuh": fork + execv restart.sh <role>, nothing else */
	EXECQ_RUN, /* run cmd.program with add_json */
};

/*
 * The text of the values two levels down in a message (parameters.alert among them) as
 * execq_parse_fast() found it, and whether that text is what cJSON prints of the value (the
 * scan of execq_verbatim.c: no whitespace, strings and numbers as cJSON writes them).
 */
#define EXECQ_SPANS 8
struct execq_span {
	const cJSON *node;
	const char *text;
	size_t len;
	bool printed; /* text is cJSON_PrintUnformatted(node) */
};

struct execq_spans {
	int n;
	struct execq_span s[EXECQ_SPANS];
};

struct execq_decision {
	enum execq_kind kind;
	/* The datagram held more than execd reads: it saw the first EXECQ_READ_MAX bytes only. */
	bool truncated;
	char *error; /* EXECQ_ERROR: the line execd logs (merror), exactly */
	/* A '!' name refused (parent reference, path too long): execd's mwarn, logged n_warning times */
	char *warning;
	int n_warning;
	bool custom; /* the name starts with '!': API/agent_control script, timeout 0, no ar.conf */
	struct execq_cmd cmd; /* EXECQ_RUN, EXECQ_IGNORED: the entry the name resolved to */
	const char *restart_arg; /* EXECQ_RESTART: "manager" or "agent" */
	/* EXECQ_RUN: */
	cJSON *msg; /* the message as execd rewrote it (command "add", module, program) */
	char *add_json; /* execq_add_json()'s, printed when first asked for; else NULL */
	const cJSON *alert, *extra_args; /* into msg; NULL when absent */
	/* add_json passes an AR program's input check (arproto_parse): else it exits silently */
	bool ar_valid;
	/*
	 * The text parsed, where the caller received it (not copied): execq_alert_text() takes
	 * the alert's bytes from it, so the caller's buffer must outlive that call.
	 */
	const char *text;
	size_t text_len;
	struct execq_spans spans; /* from execq_parse_fast(); n = 0 after cJSON's parse */
	/* Where msg's nodes live (execq.c's arena) and the table whose spare chunk it may take:
	 * a decision is freed before its table. */
	void *arena;
	struct execq_table *home;
};

/*
 * Handles one datagram (buf, len as received: pass the real length, MSG_TRUNC, so a longer
 * one is seen as such). Only its first EXECQ_READ_MAX bytes, up to the first NUL, are the
 * message, as for execd. Reads the table when the name is not in it (once per message).
 * 0 with *d filled, whatever its kind; -ENOMEM (nothing to free) or -EINVAL.
 */
int execq_handle(struct execq_table *t, const void *buf, size_t len, struct execq_decision *d);
/*
 * The first line execd writes to the program, without the "\n" (msg printed: the fast path
 * needs no text of it, so it is printed on the first call only). Owned by d; NULL when d is
 * not EXECQ_RUN or on allocation failure.
 */
const char *execq_add_json(struct execq_decision *d);

/* A text buffer kept by the caller between messages, grown when one does not fit. */
struct execq_text {
	char *p;
	size_t cap, len;
	bool verbatim; /* the last text was the datagram's own bytes, not printed */
};
#define EXECQ_TEXT_SPARE 64 /* what cJSON_PrintPreallocated wants beyond the text */
/*
 * parameters.alert as add_json prints it (the same bytes), into out: in place when it fits,
 * without an allocation. When the datagram's own text of the alert is provably what cJSON
 * prints (analysisd prints its messages with cJSON), that text is copied and nothing printed.
 * 0; -ENOENT when d has no alert (not EXECQ_RUN), -ENOMEM.
 */
int execq_alert_text(const struct execq_decision *d, struct execq_text *out);
/*
 * Where text (an execq message, len bytes, that cJSON parsed) holds parameters.alert as
 * cJSON_GetObjectItem finds it, when those bytes are exactly what cJSON_PrintUnformatted
 * prints of it; *alen its length. NULL when the scan cannot prove it (cJSON must print it).
 */
const char *execq_verbatim_alert(const char *text, size_t len, size_t *alen);
/*
 * The tree cJSON_ParseWithLength(text, len) makes, its nodes and strings from alloc (zeroed
 * by the call), when the text is of the shapes execq_parse.c handles; NULL otherwise (then
 * cJSON decides, also whether the text is JSON at all). spans (or NULL) gets the text of
 * the first EXECQ_SPANS values two levels down.
 */
cJSON *execq_parse_fast(const char *text, size_t len, void *(*alloc)(size_t n),
			struct execq_spans *spans);
/*
 * The message with command set to verb ("continue", "abort", "delete"): what execd writes
 * second, or stores in its timeout list; every other byte equals add_json's (msg's command is
 * "add" again after the call). malloc'd, NULL on failure or when d is not EXECQ_RUN.
 */
char *execq_render(struct execq_decision *d, const char *verb);
/*
 * The address firewall-drop would act on (arproto_srcip on the add message), filling *a
 * (optional); NULL when the decision is not EXECQ_RUN, when firewall-drop would refuse the
 * message (!ar_valid) or when it holds no usable address. The string is owned by d->msg.
 */
const char *execq_srcip(const struct execq_decision *d, struct arxdp_addr *a);
void execq_decision_free(struct execq_decision *d);

#endif /* ARXDP_EXECQ_H */
