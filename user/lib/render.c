// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* This file contains the list and stats renderers declared in render.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "render.h"
#include "util.h"

static const char *const stat_names[ARXDP_STAT_MAX] = {
	[ARXDP_STAT_PASS_V4] = "pass_v4",
	[ARXDP_STAT_PASS_V6] = "pass_v6",
	[ARXDP_STAT_PASS_OTHER] = "pass_other",
	[ARXDP_STAT_PASS_EXPIRED_V4] = "pass_expired_v4",
	[ARXDP_STAT_PASS_EXPIRED_V6] = "pass_expired_v6",
	[ARXDP_STAT_DROP_V4] = "drop_v4",
	[ARXDP_STAT_DROP_V6] = "drop_v6",
	[ARXDP_STAT_DROP_CIDR_V4] = "drop_cidr_v4",
	[ARXDP_STAT_DROP_CIDR_V6] = "drop_cidr_v6",
	[ARXDP_STAT_DRYRUN_V4] = "dry_run_v4",
	[ARXDP_STAT_DRYRUN_V6] = "dry_run_v6",
};

const char *stat_name(unsigned int idx)
{
	return idx < ARXDP_STAT_MAX ? stat_names[idx] : "unknown";
}

static void iso_time(uint64_t wall_ns, char *buf, size_t len)
{
	time_t t = (time_t)(wall_ns / NSEC_PER_SEC);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

cJSON *render_entry_json(const struct bl_entry *e, uint64_t now_mono, uint64_t now_wall)
{
	char buf[ADDR_STRLEN], ts[32], rule[16];
	cJSON *o = cJSON_CreateObject();
	bool ok;

	if (!o)
		return NULL;
	iso_time(e->v.added_ns, ts, sizeof(ts));
	snprintf(rule, sizeof(rule), "%u", e->v.rule_id);
	ok = cJSON_AddStringToObject(o, "addr", addr_format(&e->addr, buf, sizeof(buf)));
	if (e->v.expires_ns)
		ok = ok && cJSON_AddNumberToObject(o, "expires_in",
						   (double)bl_remaining_s(&e->v, now_mono));
	else
		ok = ok && cJSON_AddNullToObject(o, "expires_in");
	ok = ok && cJSON_AddBoolToObject(o, "expired", bl_expired(&e->v, now_mono));
	ok = ok && cJSON_AddNumberToObject(o, "timeout", e->v.timeout_s);
	ok = ok && cJSON_AddNumberToObject(o, "packets", (double)e->dropped.packets);
	ok = ok && cJSON_AddNumberToObject(o, "bytes", (double)e->dropped.bytes);
	if (e->v.rule_id)
		ok = ok && cJSON_AddStringToObject(o, "rule_id", rule);
	else
		ok = ok && cJSON_AddNullToObject(o, "rule_id");
	if (e->v.level)
		ok = ok && cJSON_AddNumberToObject(o, "level", e->v.level);
	else
		ok = ok && cJSON_AddNullToObject(o, "level");
	ok = ok && cJSON_AddStringToObject(o, "origin", origin_name(e->v.origin));
	ok = ok && cJSON_AddNumberToObject(o, "offenses", e->v.offenses);
	ok = ok && cJSON_AddStringToObject(o, "added", ts);
	(void)now_wall;
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

void render_entry_header(FILE *out)
{
	fprintf(out, "%-40s %-10s %12s %14s %-14s %s\n", "ADDRESS", "EXPIRES", "PACKETS", "BYTES",
		"ORIGIN", "REASON");
}

void render_entry_row(FILE *out, const struct bl_entry *e, uint64_t now_mono)
{
	char buf[ADDR_STRLEN], left[32], reason[48];

	if (!e->v.expires_ns)
		snprintf(left, sizeof(left), "never");
	else if (bl_expired(&e->v, now_mono))
		snprintf(left, sizeof(left), "expired");
	else
		duration_format(bl_remaining_s(&e->v, now_mono), left, sizeof(left));
	if (e->v.rule_id)
		snprintf(reason, sizeof(reason), "rule %u level %u x%u", e->v.rule_id, e->v.level,
			 e->v.offenses);
	else
		snprintf(reason, sizeof(reason), "x%u", e->v.offenses);
	fprintf(out, "%-40s %-10s %12" PRIu64 " %14" PRIu64 " %-14s %s\n",
		addr_format(&e->addr, buf, sizeof(buf)), left, (uint64_t)e->dropped.packets,
		(uint64_t)e->dropped.bytes, origin_name(e->v.origin), reason);
}

static void sums(const struct arxdp_counter st[ARXDP_STAT_MAX], struct arxdp_counter *drop,
		 struct arxdp_counter *pass, struct arxdp_counter *dry)
{
	static const int drops[] = { ARXDP_STAT_DROP_V4, ARXDP_STAT_DROP_V6,
				     ARXDP_STAT_DROP_CIDR_V4, ARXDP_STAT_DROP_CIDR_V6 };
	static const int passes[] = { ARXDP_STAT_PASS_V4,	  ARXDP_STAT_PASS_V6,
				      ARXDP_STAT_PASS_OTHER,	  ARXDP_STAT_PASS_EXPIRED_V4,
				      ARXDP_STAT_PASS_EXPIRED_V6, ARXDP_STAT_DRYRUN_V4,
				      ARXDP_STAT_DRYRUN_V6 };
	size_t i;

	memset(drop, 0, sizeof(*drop));
	memset(pass, 0, sizeof(*pass));
	for (i = 0; i < ARRAY_SIZE(drops); i++) {
		drop->packets += st[drops[i]].packets;
		drop->bytes += st[drops[i]].bytes;
	}
	/* Dry-run hits were passed on the wire, so they count as passed too. */
	for (i = 0; i < ARRAY_SIZE(passes); i++) {
		pass->packets += st[passes[i]].packets;
		pass->bytes += st[passes[i]].bytes;
	}
	dry->packets = st[ARXDP_STAT_DRYRUN_V4].packets + st[ARXDP_STAT_DRYRUN_V6].packets;
	dry->bytes = st[ARXDP_STAT_DRYRUN_V4].bytes + st[ARXDP_STAT_DRYRUN_V6].bytes;
}

cJSON *render_stats_json(const struct arxdp_counter st[ARXDP_STAT_MAX])
{
	struct arxdp_counter drop, pass, dry;
	cJSON *o = cJSON_CreateObject(), *d;
	bool ok;
	int i;

	if (!o)
		return NULL;
	sums(st, &drop, &pass, &dry);
	ok = cJSON_AddNumberToObject(o, "dropped_packets", (double)drop.packets);
	ok = ok && cJSON_AddNumberToObject(o, "dropped_bytes", (double)drop.bytes);
	ok = ok && cJSON_AddNumberToObject(o, "passed_packets", (double)pass.packets);
	ok = ok && cJSON_AddNumberToObject(o, "passed_bytes", (double)pass.bytes);
	ok = ok && cJSON_AddNumberToObject(o, "dry_run_packets", (double)dry.packets);
	d = ok ? cJSON_AddObjectToObject(o, "counters") : NULL;
	for (i = 0; d && i < ARXDP_STAT_MAX; i++) {
		cJSON *c = cJSON_AddObjectToObject(d, stat_names[i]);

		ok = ok && c && cJSON_AddNumberToObject(c, "packets", (double)st[i].packets);
		ok = ok && c && cJSON_AddNumberToObject(c, "bytes", (double)st[i].bytes);
	}
	if (!ok || !d) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

void render_stats_text(FILE *out, const struct arxdp_counter st[ARXDP_STAT_MAX])
{
	struct arxdp_counter drop, pass, dry;
	int i;

	sums(st, &drop, &pass, &dry);
	fprintf(out, "dropped  %14" PRIu64 " packets %16" PRIu64 " bytes\n", (uint64_t)drop.packets,
		(uint64_t)drop.bytes);
	fprintf(out, "passed   %14" PRIu64 " packets %16" PRIu64 " bytes\n", (uint64_t)pass.packets,
		(uint64_t)pass.bytes);
	for (i = 0; i < ARXDP_STAT_MAX; i++)
		fprintf(out, "  %-18s %14" PRIu64 " packets %16" PRIu64 " bytes\n", stat_names[i],
			(uint64_t)st[i].packets, (uint64_t)st[i].bytes);
}

int render_block_result(cJSON *o, const char *addr, bool extended, const struct arxdp_block *v)
{
	uint32_t after = bl_after_execd_s(v);
	bool ok;

	ok = o && cJSON_AddStringToObject(o, "addr", addr) &&
	     cJSON_AddBoolToObject(o, "extended", extended) &&
	     cJSON_AddNumberToObject(o, "offenses", v->offenses);
	if (v->expires_ns)
		ok = ok && cJSON_AddNumberToObject(o, "expires_in", v->timeout_s);
	else
		ok = ok && cJSON_AddNullToObject(o, "expires_in");
	if (after)
		ok = ok && cJSON_AddNumberToObject(o, "after_execd_delete", after);
	return ok ? 0 : -ENOMEM;
}
