/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares arxdp's own settings: the struct, its defaults, the arxdp.conf reader, and
 * the one option table that arxdp.conf's elements and arxdpd's flags share, so a value means
 * the same and is checked the same whichever way it arrives.
 */
#ifndef ARXDP_SETTINGS_H
#define ARXDP_SETTINGS_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include "fallback.h"
#include "xdpmode.h"

#define ARXDP_CONF_DEFAULT "/etc/arxdp/arxdp.conf"
#define ARXDP_CONF_ENV "ARXDP_CONF"
#define ARXDP_STATE_DIR_DEFAULT "/var/lib/arxdp"
#define ARXDP_SOCKET_DEFAULT "/run/arxdp/arxdpd.sock"
#define ARXDP_SOCKET_ENV "ARXDP_SOCKET"
#define ARXDP_WAZUH_HOME_DEFAULT "/var/ossec"

#define ARXDP_MAX_IFACES 32
#define ARXDP_MAX_FASTPATH 32
#define ARXDP_NAME_MAX 64
/*
 * A path setting, terminator included. Not PATH_MAX: eight of those made the struct 35 KiB,
 * and the drop-in and the CLI, one process per action, zeroed and copied it twice at every
 * start (about 17 page faults). A longer value is refused with the file, line and element.
 */
#define ARXDP_PATH_LEN 512

struct arxdp_settings {
	char wazuh_home[ARXDP_PATH_LEN];
	char ossec_conf[ARXDP_PATH_LEN]; /* empty: <wazuh_home>/etc/ossec.conf */
	char alerts[ARXDP_PATH_LEN]; /* empty: <wazuh_home>/logs/alerts/alerts.json */
	char ar_log[ARXDP_PATH_LEN]; /* empty: <wazuh_home>/logs/active-responses.log */
	char ifaces[ARXDP_MAX_IFACES][IF_NAMESIZE];
	int n_ifaces;
	enum arxdp_xdp_mode mode;
	bool xdp_dispatcher; /* share interfaces through libxdp's dispatcher when it can run */
	uint32_t xdp_priority; /* libxdp run priority: lower runs first */
	bool dry_run;
	bool block_counters; /* per-block drop counts: atomic adds in the matched block's value */
	char metrics_textfile[ARXDP_PATH_LEN]; /* node-exporter textfile; empty = none */
	uint32_t metrics_port; /* loopback HTTP port for /metrics; 0 = none */
	uint32_t capacity_v4; /* exact blocks per family */
	uint32_t capacity_v6;
	uint32_t cidr_capacity; /* prefix blocks per family */
	char pin_dir[ARXDP_PATH_LEN];
	char state_dir[ARXDP_PATH_LEN];
	char socket_path[ARXDP_PATH_LEN];
	char agent_id[16]; /* "000" on a manager */
	bool manager_in_all; /* let location "all" include this manager (Wazuh excludes it) */
	char fastpath[ARXDP_MAX_FASTPATH][ARXDP_NAME_MAX]; /* executables that become map writes */
	int n_fastpath;
	uint32_t script_concurrency; /* scripts running at once */
	uint32_t script_time_limit_s; /* a script running longer is killed */
	uint32_t fwdrop_safety_expiry_s; /* firewall-drop blocks lapse after this; 0 = never */
	enum arxdp_fallback fwdrop_fallback;
	bool execq; /* bind <wazuh_home>/queue/alerts/execq and handle it as wazuh-execd */
	bool unblock_on_exit; /* a stop deletes every response, as execd does */
};

/*
 * Fills s with the defaults, then applies ARXDP_PIN_DIR and ARXDP_SOCKET from the environment:
 * -ENAMETOOLONG when one of them does not fit (that setting keeps its default).
 */
int settings_defaults(struct arxdp_settings *s);
/* Is exe (a <command><executable>, with or without ".sh") in the fast-path set? */
bool settings_is_fastpath(const struct arxdp_settings *s, const char *exe);
/* Resolves the paths left empty against wazuh_home; -ENAMETOOLONG when one does not fit. */
int settings_resolve_paths(struct arxdp_settings *s);

#define SETTINGS_ERR_MAX 512

/* One setting: its arxdp.conf element and, when it has one, its arxdpd flag. */
struct settings_opt {
	const char *elem; /* "capacity_v4" */
	const char *flag; /* "capacity-v4"; NULL: file only */
	int type; /* enum settings_type, in settings.c */
	size_t off, size; /* the field in struct arxdp_settings */
	uint32_t min, max; /* numbers */
	bool flag_value; /* a boolean flag takes no argument and sets this */
	bool reloadable; /* SIGHUP applies a new value; the others need a restart */
};

/* Does the flag take a value? (A boolean flag takes none: it sets flag_value.) */
bool settings_flag_takes_value(const struct settings_opt *o);
/* The table, ending with an entry whose elem is NULL. */
const struct settings_opt *settings_opts(void);
const struct settings_opt *settings_find_flag(const char *flag);
/*
 * Parses v into o's field of s. On failure, err holds what is wrong and how to fix it, without
 * the place ("invalid value 'x': write a whole number from 1 to 1024"); the caller names the
 * file and line or the flag. from_flag: a relative path is taken against the working directory
 * (the file wants absolute paths), a boolean flag sets its flag_value.
 */
int settings_set(struct arxdp_settings *s, const struct settings_opt *o, const char *v,
		 bool from_flag, char *err, size_t errlen);

/* Flags given on a command line, applied over the file by settings_apply_flags(). */
#define SETTINGS_MAX_FLAGS 128
struct settings_flags {
	const struct settings_opt *opt[SETTINGS_MAX_FLAGS];
	const char *val[SETTINGS_MAX_FLAGS];
	int n;
};

/* Records --flag VALUE (VALUE NULL for a boolean flag); -E2BIG past SETTINGS_MAX_FLAGS. */
int settings_flags_add(struct settings_flags *f, const struct settings_opt *o, const char *v);
/*
 * Applies the flags in order over s (the file read already), so flags win; then resolves the
 * paths. A new wazuh_home carries along the paths the file left to be derived from its home;
 * paths it named stay. err as settings_set's, prefixed with the flag: "--capacity-v4 'x': ...".
 */
int settings_apply_flags(struct arxdp_settings *s, const struct settings_flags *f, char *err,
			 size_t errlen);
/* Copies the reloadable settings of fresh into s (SIGHUP). */
void settings_take_reloadable(struct arxdp_settings *s, const struct arxdp_settings *fresh);

/*
 * Reads arxdp.conf at path into *s: defaults first (settings_defaults), then the file, then
 * ARXDP_PIN_DIR / ARXDP_SOCKET from the environment again (they override the file), then
 * settings_resolve_paths(). On failure *s is left unchanged and err holds
 * "arxdp.conf '<path>' line N: <element>: what: how to fix".
 */
int settings_load(struct arxdp_settings *s, const char *path, char *err, size_t errlen);
int settings_parse(struct arxdp_settings *s, const char *name, const char *buf, size_t len,
		   char *err, size_t errlen);
/*
 * The arxdp.conf to read: $ARXDP_CONF when set, else ARXDP_CONF_DEFAULT when it exists, else
 * NULL (defaults apply). explicit_path (a --config option) wins when not NULL.
 */
const char *settings_path(const char *explicit_path);

#endif /* ARXDP_SETTINGS_H */
