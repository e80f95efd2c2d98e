// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: one alerts.json line through alert_parse and, when it parses, through the
 * whole decision engine (match_alert) with the replay test configuration, as the daemon runs
 * it. A hostile line must never crash, leak or make a block decision for an address that is
 * loopback, unspecified, one of our own or white-listed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "alert.h"
#include "config.h"
#include "log.h"
#include "match.h"
#include "settings.h"

#ifndef FUZZ_ROOT
#define FUZZ_ROOT "."
#endif

static struct ossec_config *cfg;
static struct arxdp_settings settings;
static struct arxdp_addr own[2];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void quiet(enum log_level l, const char *msg, void *ctx)
{
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[CONFIG_ERR_MAX];
	const char *path = getenv("FUZZ_OSSEC_CONF");

	log_init("fuzz", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	/* Warnings about the configuration are expected; keep the fuzzer's output readable. */
	log_set_sink(quiet, NULL);
	if (!path)
		path = FUZZ_ROOT "/tests/data/replay/ossec.conf";
	if (config_load_ossec(&cfg, path, err, sizeof(err))) {
		fprintf(stderr, "fuzz_alert: %s\n", err);
		abort();
	}
	settings_defaults(&settings);
	addr_parse_host("198.18.0.1", &own[0]);
	addr_parse_host("2001:2::1", &own[1]);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct match_decision d[64];
	struct match_env env = { .cfg = cfg, .settings = &settings, .own = own, .n_own = 2 };
	char err[256];
	struct alert a;
	size_t n = 0, i;
	int64_t t;

	memset(&a, 0, sizeof(a));
	if (alert_parse(&a, (const char *)data, size, err, sizeof(err))) {
		/* A failed parse leaves the struct empty: freeing must be harmless. */
		alert_free(&a);
		return 0;
	}
	if (a.timestamp)
		alert_parse_time(a.timestamp, &t);
	env.offenders = offenders_new();
	if (!env.offenders)
		abort();
	if (match_alert(&env, &a, d, sizeof(d) / sizeof(d[0]), &n) && n > sizeof(d) / sizeof(d[0]))
		abort();
	for (i = 0; i < n; i++) {
		if (d[i].action != MATCH_BLOCK || !d[i].has_addr)
			continue;
		/* The invariants of every path: never loopback, own or white-listed. */
		if (addr_is_special(&d[i].addr) || !addr_cmp(&d[i].addr, &own[0]) ||
		    !addr_cmp(&d[i].addr, &own[1]))
			abort();
		if (a.srcip && match_white_list(cfg, a.srcip))
			abort();
	}
	offenders_free(env.offenders);
	alert_free(&a);
	alert_free(&a); /* documented as safe on an already freed struct */
	return 0;
}
