// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the test of cli_block_json() (user/arxdp/block.c), what `arxdp block
 * --json` prints on the direct path: the block as bl_block() wrote it over what the maps held
 * (a real write on private maps), not the timeout asked for. A permanent block stays permanent
 * under --timeout; over execd's unstamped block the time waits for execd's delete
 * (after_execd_delete); over execd's stamped one the later expiry stays. Needs root.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>
#include <unistd.h>
#include "arxdp/cli.h"
#include "blocklist.h"
#include "loader.h"
#include "log.h"
#include "util.h"

enum { NOTHING = 0 }; /* first.origin: no block before the operator's */

struct block_row {
	char desc[64];
	struct {
		uint8_t origin; /* enum arxdp_origin, NOTHING: no earlier block */
		uint8_t keys; /* the execd key forms the drop-in writes it under */
		uint32_t timeout_s;
	} first;
	uint32_t timeout_s; /* arxdp block --timeout */
	char want[160]; /* the JSON, unformatted */
};

#define FWDROP ARXDP_ORIGIN_FIREWALL_DROP
#define CLI ARXDP_ORIGIN_CLI
#define A "\"addr\":\"198.51.100.20\","

static struct block_row rows[] = {
	{ "new, permanent",
	  { NOTHING },
	  0,
	  "{" A "\"extended\":false,\"offenses\":1,\"expires_in\":null}" },
	{ "new, 1h",
	  { NOTHING },
	  3600,
	  "{" A "\"extended\":false,\"offenses\":1,\"expires_in\":3600}" },
	{ "permanent by hand, then 1h: stays permanent",
	  { CLI, 0, 0 },
	  3600,
	  "{" A "\"extended\":true,\"offenses\":2,\"expires_in\":null}" },
	{ "1h by hand, then 1m: the newest restarts it",
	  { CLI, 0, 3600 },
	  60,
	  "{" A "\"extended\":true,\"offenses\":2,\"expires_in\":60}" },
	{ "arxdpd's permanent alert block, then 10m",
	  { ARXDP_ORIGIN_ALERT, 0, 0 },
	  600,
	  "{" A "\"extended\":true,\"offenses\":2,\"expires_in\":null}" },
	{ "execd's unstamped block, then 10m: deferred",
	  { FWDROP, ARXDP_KEY_PLAIN, 0 },
	  600,
	  "{" A
	  "\"extended\":true,\"offenses\":2,\"expires_in\":null,\"after_execd_delete\":600}" },
	{ "execd's unstamped mapped key, then 10m: deferred",
	  { FWDROP, ARXDP_KEY_MAPPED, 0 },
	  600,
	  "{" A
	  "\"extended\":true,\"offenses\":2,\"expires_in\":null,\"after_execd_delete\":600}" },
	{ "execd's unstamped block, then permanent",
	  { FWDROP, ARXDP_KEY_PLAIN, 0 },
	  0,
	  "{" A "\"extended\":true,\"offenses\":2,\"expires_in\":null}" },
	{ "execd's 1h safety expiry, then 10m: 1h stays",
	  { FWDROP, ARXDP_KEY_PLAIN, 3600 },
	  600,
	  "{" A "\"extended\":true,\"offenses\":2,\"expires_in\":3600}" },
};

ParameterizedTestParameters(cli, block_json)
{
	return cr_make_param_array(struct block_row, rows, ARRAY_SIZE(rows));
}

static struct loader_private *lp;
static struct blocklist bl;

static void setup(void)
{
	struct loader_opts o = { .capacity_v4 = 16, .capacity_v6 = 16, .cidr_capacity = 16 };

	if (geteuid() != 0)
		cr_skip_test("private BPF maps need root");
	log_init("test", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	cr_assert_eq(loader_private_open(&o, &lp), 0);
	cr_assert_eq(loader_private_blocklist(lp, &bl), 0);
}

static void teardown(void)
{
	bl_close(&bl);
	loader_private_close(lp);
	lp = NULL;
}

ParameterizedTest(struct block_row *r, cli, block_json, .init = setup, .fini = teardown)
{
	struct bl_reason first = { .origin = r->first.origin, .keys = r->first.keys };
	struct bl_reason by_hand = { .origin = ARXDP_ORIGIN_CLI };
	struct arxdp_addr a;
	struct arxdp_block v;
	enum bl_result res;
	cJSON *j;
	char *got;

	cr_assert_eq(addr_parse("198.51.100.20", &a, NULL, 0), 0);
	if (r->first.origin != NOTHING)
		cr_assert_eq(bl_block(&bl, &a, r->first.timeout_s, &first, NULL, NULL), 0, "%s",
			     r->desc);
	cr_assert_eq(bl_block(&bl, &a, r->timeout_s, &by_hand, &res, &v), 0, "%s", r->desc);
	j = cli_block_json("198.51.100.20", res, &v);
	cr_assert_not_null(j, "%s", r->desc);
	got = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	cr_assert_not_null(got);
	cr_expect_str_eq(got, r->want, "%s: got %s", r->desc, got);
	free(got);
}
