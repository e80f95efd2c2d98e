/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares how blocks and counters are shown: the JSON objects of `arxdp list
 * --json` / `stats --json` and the table rows of their text forms. Pure functions over
 * plain structs, so the formats are unit-tested without a kernel.
 */
#ifndef ARXDP_RENDER_H
#define ARXDP_RENDER_H

#include <stdint.h>
#include <stdio.h>
#include <cjson/cJSON.h>
#include "blocklist.h"

/* now_mono/now_wall: the clocks at the time of the listing. NULL on allocation failure. */
cJSON *render_entry_json(const struct bl_entry *e, uint64_t now_mono, uint64_t now_wall);
void render_entry_header(FILE *out);
void render_entry_row(FILE *out, const struct bl_entry *e, uint64_t now_mono);
/*
 * The fields of `arxdp block`'s result, into o (arxdpd's reply or the CLI's own object):
 * addr, extended, offenses, expires_in (the timeout when stamped, else null) and, only when
 * the operator's time waits for execd's delete, after_execd_delete. -ENOMEM when one failed.
 */
int render_block_result(cJSON *o, const char *addr, bool extended, const struct arxdp_block *v);
cJSON *render_stats_json(const struct arxdp_counter st[ARXDP_STAT_MAX]);
void render_stats_text(FILE *out, const struct arxdp_counter st[ARXDP_STAT_MAX]);
/* Stable snake_case name of a counter index, as used in JSON and metrics. */
const char *stat_name(unsigned int idx);

#endif /* ARXDP_RENDER_H */
