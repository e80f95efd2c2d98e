// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: arxdp.conf from memory (settings_parse). A failure must leave the
 * caller's settings byte for byte as they were (the reload contract); a success must leave
 * every string terminated and every count within its array.
 */
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "log.h"
#include "settings.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void quiet(enum log_level l, const char *msg, void *ctx)
{
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_init("fuzz", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	log_set_sink(quiet, NULL);
	return 0;
}

static void terminated(const char *s, size_t n)
{
	if (!memchr(s, '\0', n))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arxdp_settings s, before;
	char err[CONFIG_ERR_MAX];
	int i;

	settings_defaults(&s);
	before = s;
	if (settings_parse(&s, "fuzz", (const char *)data, size, err, sizeof(err))) {
		if (memcmp(&s, &before, sizeof(s)))
			abort();
		return 0;
	}
	if (s.n_ifaces < 0 || s.n_ifaces > ARXDP_MAX_IFACES || s.n_fastpath < 0 ||
	    s.n_fastpath > ARXDP_MAX_FASTPATH)
		abort();
	terminated(s.wazuh_home, sizeof(s.wazuh_home));
	terminated(s.ossec_conf, sizeof(s.ossec_conf));
	terminated(s.alerts, sizeof(s.alerts));
	terminated(s.ar_log, sizeof(s.ar_log));
	terminated(s.pin_dir, sizeof(s.pin_dir));
	terminated(s.state_dir, sizeof(s.state_dir));
	terminated(s.socket_path, sizeof(s.socket_path));
	terminated(s.agent_id, sizeof(s.agent_id));
	for (i = 0; i < s.n_ifaces; i++)
		terminated(s.ifaces[i], sizeof(s.ifaces[i]));
	for (i = 0; i < s.n_fastpath; i++)
		terminated(s.fastpath[i], sizeof(s.fastpath[i]));
	settings_is_fastpath(&s, "firewall-drop");
	settings_is_fastpath(&s, "firewall-drop.sh");
	return 0;
}
