/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file contains arxdp's own settings (arxdp.conf) as a plain struct, with the defaults
 * that apply when no file exists. config.c fills it from XML; everything else only reads it.
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

struct arxdp_settings {
	char wazuh_home[PATH_MAX];
	char ossec_conf[PATH_MAX]; /* empty: <wazuh_home>/etc/ossec.conf */
	char alerts[PATH_MAX]; /* empty: <wazuh_home>/logs/alerts/alerts.json */
	char ar_log[PATH_MAX]; /* empty: <wazuh_home>/logs/active-responses.log */
	char ifaces[ARXDP_MAX_IFACES][IF_NAMESIZE];
	int n_ifaces;
	enum arxdp_xdp_mode mode;
	bool xdp_dispatcher; /* share interfaces through libxdp's dispatcher when it can run */
	uint32_t xdp_priority; /* libxdp run priority: lower runs first */
	bool dry_run;
	bool block_counters; /* per-block drop counts: atomic adds in the matched block's value */
	char metrics_textfile[PATH_MAX]; /* node-exporter textfile; empty = none */
	uint32_t metrics_port; /* loopback HTTP port for /metrics; 0 = none */
	uint32_t capacity_v4; /* exact blocks per family */
	uint32_t capacity_v6;
	uint32_t cidr_capacity; /* prefix blocks per family */
	char pin_dir[PATH_MAX];
	char state_dir[PATH_MAX];
	char socket_path[PATH_MAX];
	char agent_id[16]; /* "000" on a manager */
	bool manager_in_all; /* let location "all" include this manager (Wazuh excludes it) */
	char fastpath[ARXDP_MAX_FASTPATH][ARXDP_NAME_MAX]; /* executables that become map writes */
	int n_fastpath;
	uint32_t script_concurrency; /* scripts running at once */
	uint32_t script_time_limit_s; /* a script running longer is killed */
	uint32_t fwdrop_safety_expiry_s; /* firewall-drop blocks lapse after this; 0 = never */
	enum arxdp_fallback fwdrop_fallback;
};

/* Fills s with the defaults, then applies ARXDP_PIN_DIR and ARXDP_SOCKET from the environment. */
void settings_defaults(struct arxdp_settings *s);
/* Is exe (a <command><executable>, with or without ".sh") in the fast-path set? */
bool settings_is_fastpath(const struct arxdp_settings *s, const char *exe);
/* Resolves the paths left empty against wazuh_home; -ENAMETOOLONG when one does not fit. */
int settings_resolve_paths(struct arxdp_settings *s);

#endif /* ARXDP_SETTINGS_H */
