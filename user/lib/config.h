/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file contains the configuration readers: Wazuh's ossec.conf (the <command>,
 * <active-response>, <global><white_list> and <cluster><node_name> parts that decide active
 * responses, with analysisd's and execd's exact acceptance rules) and arxdp's own arxdp.conf.
 * Both are XML read with libxml2 (no network, no entity expansion, no DTD) into plain structs;
 * this is the only module that includes libxml2.
 *
 * Loading always builds a fresh struct, so a reload that fails leaves the caller's previous one
 * untouched: load into a new pointer, swap on success, free the old one.
 */
#ifndef ARXDP_CONFIG_H
#define ARXDP_CONFIG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "addr.h"
#include "oregex.h"
#include "settings.h"

/* <location> flags (src/headers/ar.h). */
#define AR_LOC_ALL_AGENTS 001
#define AR_LOC_REMOTE_AGENT 002 /* "local": where the event came from */
#define AR_LOC_SPECIFIC_AGENT 004 /* "defined-agent" */
#define AR_LOC_AS_ONLY 010 /* "server": the manager */

/* analysisd's queue flags (ar_flag): which execq/ar queues it feeds. */
#define AR_QUEUE_LOCAL 1
#define AR_QUEUE_REMOTE 2

/* execd keeps at most 5 repeated_offenders values (OS_StrBreak(',', ..., 5)). */
#define AR_REPEATED_MAX 5

/* Error text buffer size for config_load_ossec / settings_load. */
#define CONFIG_ERR_MAX 512

struct ossec_command {
	char *name;
	char *executable;
	char *extra_args; /* NULL when absent; split on ' ' for execd's extra_args */
	bool timeout_allowed; /* "no" unless the block says "yes" (calloc in Wazuh) */
	int line;
	/* Prepared once at load, not per message: extra_args split as execd splits them, and
	 * the program path execd names ("active-response/bin/<executable>"). */
	const char **extra_argv;
	int n_extra;
	char *extra_buf;
	char *program;
};

/* One accepted <active-response>: a line of etc/shared/ar.conf. */
struct ossec_ar {
	const struct ossec_command *cmd;
	size_t cmd_index; /* cmd's place in cfg->cmds, which grows while the file is read */
	char *name; /* "<command><timeout>", e.g. "firewall-drop180": the ar.conf key */
	char *location; /* as written */
	unsigned int loc; /* AR_LOC_* */
	char *agent_id; /* for defined-agent; NULL otherwise */
	int agent_num; /* atoi(agent_id) */
	int level; /* 0 = not set */
	char *rules_group; /* NULL = not set */
	struct oregex group_re;
	char *rules_id; /* raw text; NULL = not set */
	int wazuh_timeout; /* atoi(<timeout>) after the 1305 rule: what ar.conf and the name show */
	/*
	 * Effective seconds; 0 = no expiry. A negative <timeout> makes execd delete at its next
	 * one-second check, so it becomes 1 here, never "no expiry".
	 */
	uint32_t timeout;
	int line;
};

/* <white_list> entry that is an IPv4 address, CIDR or dotted netmask (OS_IsValidIP). */
struct ossec_wl_ip {
	char *text;
	uint32_t net; /* host order, already masked */
	uint32_t mask;
	bool negate; /* written with a leading '!' */
};

/* Any other <white_list> entry (IPv6 included): an OSMatch pattern on the srcip text. */
struct ossec_wl_host {
	char *text;
	struct oregex re;
};

struct ossec_config {
	char *path;
	struct ossec_command *cmds;
	size_t n_cmds;
	struct ossec_ar *ars; /* in configuration order */
	size_t n_ars;
	struct ossec_wl_ip *wl_ip;
	size_t n_wl_ip;
	struct ossec_wl_host *wl_host;
	size_t n_wl_host;
	char *node_name; /* <cluster><node_name>, "undefined" when absent (origin.name) */
	/* execd's escalation in minutes, from the first <active-response> that has the element. */
	uint32_t repeated[AR_REPEATED_MAX];
	int n_repeated; /* 0 = no escalation */
	/*
	 * AR_QUEUE_*: analysisd's Config.ar. Every <disabled>yes</disabled> block is skipped and
	 * resets it to 0 (ar_flag), so a disabled block after the last enabled one leaves 0.
	 */
	unsigned int ar_queue;
	/*
	 * wazuh-execd's switch (1350: execd binds no execq, nothing runs on this host): the first
	 * <disabled> of the first <active-response> of the first <ossec_config> whose first block
	 * has one is "yes". A <disabled> in a later block of a root is invisible to execd.
	 */
	bool execd_disabled;
	int execd_disabled_line; /* line of the <disabled> execd reads; 0 = none (execd on) */
	int n_disabled; /* blocks skipped by <disabled>yes</disabled> (analysisd) */
	int n_warnings; /* blocks skipped with a warning (1306) */
};

/*
 * Reads ossec.conf at path into a new *out. Fatal mistakes (those that stop analysisd) return
 * -EINVAL with "ossec.conf '<path>' line N: <element>: what (code): how to fix" in err;
 * -ENOENT/-EACCES/... when the file cannot be read. Non-fatal ones (1305, 1306) are logged
 * with pr_warn / pr_info and the load succeeds.
 */
int config_load_ossec(struct ossec_config **out, const char *path, char *err, size_t errlen);
/* Same, from memory; name is used in messages. */
int config_parse_ossec(struct ossec_config **out, const char *name, const char *buf, size_t len,
		       char *err, size_t errlen);
void config_free_ossec(struct ossec_config *cfg);

/* Fills c's prepared fields from its executable and extra_args; -ENOMEM. */
int config_command_prepare(struct ossec_command *c);
void config_command_release(struct ossec_command *c);

/* The <command> named name, or NULL. */
const struct ossec_command *config_find_command(const struct ossec_config *cfg, const char *name);

/*
 * A file's elements as a plain tree, for readers that must not see libxml2 (arxdp.conf): the
 * same well-formedness checks and messages as ossec.conf's reader ("<kind> '<name>' line N:
 * not well-formed XML: ..."), no entity expansion, several roots allowed. A leaf holds its
 * trimmed text; an element holding elements has text NULL and children.
 */
struct config_elem {
	const char *name;
	char *text;
	long line;
	struct config_elem *children, *next;
};

struct config_tree {
	struct config_elem *root; /* the top-level elements, in file order */
	void *doc; /* owns the names; NULL when each element holds its own */
};

/* Every configuration message: "<kind> '<name>' line N: <elem>: <what>: <how to fix>". */
void config_verr(char *err, size_t errlen, const char *kind, const char *name, long line,
		 const char *elem, const char *fmt, va_list ap)
	__attribute__((format(printf, 7, 0)));

int config_parse_tree(const char *kind, const char *name, const char *buf, size_t len,
		      struct config_tree *out, char *err, size_t errlen);
/* A whole configuration file into malloc'd *buf (NUL-terminated); a regular file, 16 MiB at
 * most; -ENOENT, -EACCES, -EINVAL (not a regular file), -EFBIG. */
int config_read_file(const char *path, char **buf, size_t *len);
/* The same, with "<kind> '<path>': cannot read: reason" in err (enoent_hint appended). */
int config_read_named(const char *kind, const char *path, const char *enoent_hint, char **buf,
		      size_t *len, char *err, size_t errlen);
/*
 * config_parse_tree() reads a plain file (elements, text, comments, ASCII) itself and hands
 * anything else to libxml2; this one always uses libxml2 (the tests compare the two).
 */
int config_parse_tree_xml(const char *kind, const char *name, const char *buf, size_t len,
			  struct config_tree *out, char *err, size_t errlen);
void config_free_doc(struct config_tree *t);

#endif /* ARXDP_CONFIG_H */
