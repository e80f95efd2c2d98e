// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: ossec.conf from memory (config_parse_ossec). libxml2 must neither expand
 * entities nor read anything outside the buffer; every accepted configuration must be usable:
 * its white list, rules and commands are exercised once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "log.h"
#include "match.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ossec_config *cfg = NULL;
	char err[CONFIG_ERR_MAX];
	size_t i;

	if (config_parse_ossec(&cfg, "fuzz", (const char *)data, size, err, sizeof(err))) {
		if (cfg)
			abort(); /* a failed load must not hand out a half-built struct */
		if (!memchr(err, '\0', sizeof(err)))
			abort();
		return 0;
	}
	for (i = 0; i < cfg->n_ars; i++) {
		const struct ossec_ar *ar = &cfg->ars[i];

		if (!ar->cmd || !ar->name)
			abort();
		match_binds(ar, 10, 5712, "sshd,authentication_failed,");
		config_find_command(cfg, ar->cmd->name);
	}
	match_white_list(cfg, "198.51.100.7");
	match_white_list(cfg, "2001:db8::7");
	match_white_list(cfg, "::ffff:203.0.113.9");
	config_free_ossec(cfg);
	return 0;
}
