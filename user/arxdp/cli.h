/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares what the `arxdp` verbs share: the CLI context (struct cli, filled by
 * main.c from the global options and arxdp.conf, then passed to every verb), the verb table's
 * entry, the helpers of common.c, and the do_<verb> functions, grouped by the noun file that
 * holds them as in bpftool.
 */
#ifndef ARXDP_CLI_H
#define ARXDP_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "addr.h"
#include "blocklist.h"
#include "loader.h"
#include "settings.h"

struct cli {
	bool json; /* --json: the verb prints JSON, and a failure becomes {"error": ...} */
	int verbose; /* -v count */
	struct arxdp_settings s; /* arxdp.conf (or the defaults), then the flags over it */
	char last_error[1024]; /* JSON mode: the last warning, for {"error": ...} */
};

/* argv[0] is the verb's name; return 0 or a negative errno (exit status 1). */
typedef int (*cli_fn)(struct cli *cli, int argc, char **argv);

/* What a verb takes over from the dispatcher. */
enum cli_cmd_flags {
	/* Reads arxdp.conf itself (its own --config) and answers its own --help. */
	CLI_OWN_OPTIONS = 1u << 0,
	/* --json is passed on to it as its own option: its output is a stream of JSON lines, so
	 * a failure stays on stderr instead of becoming {"error": ...}. */
	CLI_JSON_STREAM = 1u << 1,
};

struct cli_cmd {
	const char *name;
	cli_fn fn;
	bool needs_root; /* changes blocks or attachments */
	const char *help; /* the arguments, as 'arxdp help' lists them */
	unsigned int flags; /* enum cli_cmd_flags */
};

/* common.c */
/* Prints o on one line and frees it; -ENOMEM when o is NULL or cannot be printed. */
int cli_print_json(cJSON *o);
/* Opens the maps pinned in the configured pin directory, saying why when it cannot. */
int cli_open_maps(const struct cli *cli, struct blocklist *bl, unsigned int what);
/* The same, creating the maps when absent: blocks may be written before any attach. */
int cli_open_or_create_maps(const struct cli *cli, struct blocklist *bl, unsigned int what);
/* Loader options from the settings. */
void cli_loader_opts(const struct cli *cli, struct loader_opts *o);
/*
 * Sends req to arxdpd when one listens on the socket. Returns 1 when no daemon runs (or it
 * works on another pin directory: the caller works on the maps), 0 with *reply, or -errno.
 */
int cli_daemon_request(const struct cli *cli, cJSON *req, cJSON **reply);
/*
 * A verb that arxdpd carries out: sends req and frees it, then checks the reply, which JSON
 * mode prints as it came. Returns 1 as cli_daemon_request() does, -errno (a refusal said), or
 * 0 with *reply for the caller's text line; the caller frees it.
 */
int cli_daemon_verb(const struct cli *cli, cJSON *req, cJSON **reply);
/* 0 when the verb (argv[0]) was given no arguments, else -EINVAL with that said. */
int cli_no_args(int argc, char **argv);
int cli_parse_u32(const char *what, const char *s, uint32_t max, uint32_t *out);
int cli_parse_duration(const char *s, uint32_t *out);
int cli_parse_addr(const char *s, struct arxdp_addr *a);

/* xdp.c */
int do_attach(struct cli *cli, int argc, char **argv);
int do_detach(struct cli *cli, int argc, char **argv);

/* block.c */
/*
 * `arxdp block --json` on the direct path: block v as bl_block() wrote it, with the fields of
 * arxdpd's reply: addr, extended, offenses, expires_in (its timeout when stamped, else null)
 * and, only when the time waits for execd's delete, after_execd_delete (render_block_result).
 * NULL when out of memory.
 */
cJSON *cli_block_json(const char *addr, enum bl_result res, const struct arxdp_block *v);
int do_block(struct cli *cli, int argc, char **argv);
int do_unblock(struct cli *cli, int argc, char **argv);
int do_flush(struct cli *cli, int argc, char **argv);
int do_sweep(struct cli *cli, int argc, char **argv);

/* show.c */
int do_list(struct cli *cli, int argc, char **argv);
int do_stats(struct cli *cli, int argc, char **argv);
int do_status(struct cli *cli, int argc, char **argv);
int do_metrics(struct cli *cli, int argc, char **argv);
int do_top(struct cli *cli, int argc, char **argv);

/* daemon.c */
int do_reload(struct cli *cli, int argc, char **argv);

/* offline.c */
int do_replay(struct cli *cli, int argc, char **argv);
int do_check_config(struct cli *cli, int argc, char **argv);

#endif /* ARXDP_CLI_H */
