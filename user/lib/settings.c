// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* This file contains the defaults of arxdp.conf and the lookups on the settings struct. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arxdp.h"
#include "settings.h"
#include "util.h"

static const char *const default_fastpath[] = {
	"firewall-drop", "firewalld-drop", "route-null", "ipfw", "ipfw_mac", "pf", "npf",
};

void settings_defaults(struct arxdp_settings *s)
{
	const char *env;
	size_t i;

	memset(s, 0, sizeof(*s));
	str_copy(s->wazuh_home, ARXDP_WAZUH_HOME_DEFAULT, sizeof(s->wazuh_home));
	s->mode = ARXDP_MODE_AUTO;
	s->xdp_dispatcher = true;
	s->block_counters = true;
	str_copy(s->metrics_textfile, "/var/lib/prometheus/node-exporter/arxdp.prom",
		 sizeof(s->metrics_textfile));
	/* Before libxdp's default of 50: a dropped packet is work no later program must do. */
	s->xdp_priority = 10;
	s->capacity_v4 = ARXDP_DEFAULT_CAPACITY;
	s->capacity_v6 = ARXDP_DEFAULT_CAPACITY;
	s->cidr_capacity = ARXDP_DEFAULT_CIDR_CAPACITY;
	str_copy(s->pin_dir, ARXDP_PIN_DIR_DEFAULT, sizeof(s->pin_dir));
	str_copy(s->state_dir, ARXDP_STATE_DIR_DEFAULT, sizeof(s->state_dir));
	str_copy(s->socket_path, ARXDP_SOCKET_DEFAULT, sizeof(s->socket_path));
	str_copy(s->agent_id, "000", sizeof(s->agent_id));
	for (i = 0; i < ARRAY_SIZE(default_fastpath); i++)
		str_copy(s->fastpath[i], default_fastpath[i], sizeof(s->fastpath[i]));
	s->n_fastpath = ARRAY_SIZE(default_fastpath);
	s->script_concurrency = 8;
	s->script_time_limit_s = 60;
	s->fwdrop_safety_expiry_s = 0;
	s->fwdrop_fallback = ARXDP_FALLBACK_IPTABLES;

	env = getenv(ARXDP_PIN_DIR_ENV);
	if (env && *env)
		str_copy(s->pin_dir, env, sizeof(s->pin_dir));
	env = getenv(ARXDP_SOCKET_ENV);
	if (env && *env)
		str_copy(s->socket_path, env, sizeof(s->socket_path));
}

bool settings_is_fastpath(const struct arxdp_settings *s, const char *exe)
{
	size_t n = strlen(exe);
	int i;

	/* Older installs name the programs "firewall-drop.sh"; both spellings take the path. */
	if (n > 3 && !strcmp(exe + n - 3, ".sh"))
		n -= 3;
	for (i = 0; i < s->n_fastpath; i++)
		if (strlen(s->fastpath[i]) == n && !strncmp(s->fastpath[i], exe, n))
			return true;
	return false;
}

static int resolve(char *path, size_t size, const char *home, const char *rel)
{
	int n;

	if (*path)
		return 0;
	n = snprintf(path, size, "%s/%s", home, rel);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int settings_resolve_paths(struct arxdp_settings *s)
{
	int err;

	err = resolve(s->ossec_conf, sizeof(s->ossec_conf), s->wazuh_home, "etc/ossec.conf");
	err = err   ?:
		      resolve(s->alerts, sizeof(s->alerts), s->wazuh_home,
			      "logs/alerts/alerts.json");
	err = err   ?:
		      resolve(s->ar_log, sizeof(s->ar_log), s->wazuh_home,
			      "logs/active-responses.log");
	return err;
}
