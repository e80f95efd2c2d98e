// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the verbs that only read: `arxdp list`, `stats`, `status`, `metrics`
 * and `top` (whose view is top.c). None needs root beyond what opening the maps asks.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "log.h"
#include "metrics.h"
#include "render.h"
#include "top.h"
#include "util.h"

struct list_ctx {
	uint64_t now_mono, now_wall, n;
	bool all, json;
};

static int list_cb(const struct bl_entry *e, void *vctx)
{
	struct list_ctx *ctx = vctx;
	cJSON *o;
	char *s;

	if (!ctx->all && bl_expired(&e->v, ctx->now_mono))
		return 0;
	if (!ctx->json) {
		render_entry_row(stdout, e, ctx->now_mono);
		ctx->n++;
		return 0;
	}
	/* Streamed one object at a time: a million blocks never sit in memory as a tree. */
	o = render_entry_json(e, ctx->now_mono, ctx->now_wall);
	s = o ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(o);
	if (!s)
		return -ENOMEM;
	printf("%s%s", ctx->n++ ? ",\n" : "\n", s);
	free(s);
	return 0;
}

int do_list(struct cli *cli, int argc, char **argv)
{
	struct list_ctx ctx = { .now_mono = mono_now_ns(),
				.now_wall = wall_now_ns(),
				.json = cli->json };
	struct blocklist bl;
	int i, err;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--all")) {
			ctx.all = true;
		} else {
			pr_warn("list: unknown argument '%s'", argv[i]);
			return -EINVAL;
		}
	}
	/* The walk reads the address maps: not the counters, the prefilter or the guard. */
	err = cli_open_maps(cli, &bl, BL_OPEN_V4 | BL_OPEN_V6 | BL_OPEN_CIDR4 | BL_OPEN_CIDR6);
	if (err)
		return err;
	if (cli->json)
		fputs("[", stdout);
	else
		render_entry_header(stdout);
	err = bl_foreach(&bl, list_cb, &ctx);
	if (cli->json)
		fputs(ctx.n ? "\n]\n" : "]\n", stdout);
	bl_close(&bl);
	return err;
}

static void stats_iface_cb(uint32_t ifindex, const struct arxdp_counter row[ARXDP_STAT_MAX],
			   void *ctx)
{
	char name[IF_NAMESIZE] = "";
	cJSON *o;

	if (!ifindex)
		str_copy(name, "other", sizeof(name));
	else if (!if_indextoname(ifindex, name))
		snprintf(name, sizeof(name), "if%u", ifindex);
	if (ctx) {
		o = render_stats_json(row);
		if (o) {
			cJSON_AddNumberToObject(o, "ifindex", ifindex);
			cJSON_AddItemToObject(ctx, name, o);
		}
		return;
	}
	printf("\ninterface %s (ifindex %u)\n", name, ifindex);
	render_stats_text(stdout, row);
}

int do_stats(struct cli *cli, int argc, char **argv)
{
	struct arxdp_counter st[ARXDP_STAT_MAX];
	struct blocklist bl;
	cJSON *j = NULL;
	int err;

	err = cli_no_args(argc, argv) ?: cli_open_maps(cli, &bl, BL_OPEN_ALL & ~BL_OPEN_GUARD);
	if (err)
		return err;
	err = bl_stats(&bl, st);
	if (err) {
		pr_warn("map '%s': read failed: %s", ARXDP_MAP_STATS, strerror(-err));
	} else if (cli->json) {
		j = render_stats_json(st);
		err = bl_stats_ifaces(&bl, stats_iface_cb,
				      j ? cJSON_AddObjectToObject(j, "interfaces") : NULL);
		err = err ?: cli_print_json(j);
	} else {
		printf("all interfaces\n");
		render_stats_text(stdout, st);
		err = bl_stats_ifaces(&bl, stats_iface_cb, NULL);
	}
	bl_close(&bl);
	return err;
}

static int status_ifaces(const struct cli *cli, cJSON *arr, bool *any)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	struct attach_info ai;

	if (!ifs)
		return -errno;
	for (i = ifs; i->if_index; i++) {
		if (loader_query(cli->s.pin_dir, i->if_index, &ai) || ai.state == ATTACH_NONE)
			continue;
		*any = true;
		if (arr) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "ifname", i->if_name);
			cJSON_AddStringToObject(o, "mode", mode_name(ai.mode));
			cJSON_AddStringToObject(o, "program", ai.prog_name);
			cJSON_AddNumberToObject(o, "prog_id", ai.prog_id);
			cJSON_AddBoolToObject(o, "arxdp", ai.state == ATTACH_OURS);
			cJSON_AddBoolToObject(o, "dispatcher", ai.dispatcher);
			cJSON_AddNumberToObject(o, "programs", ai.n_progs);
			cJSON_AddItemToArray(arr, o);
		} else {
			printf("  %-16s %-7s %s (id %u)%s%s\n", i->if_name, mode_name(ai.mode),
			       ai.prog_name, ai.prog_id,
			       ai.state == ATTACH_OURS ? "" : "  [foreign program]",
			       ai.dispatcher ? "  [libxdp dispatcher]" : "");
		}
	}
	if_freenameindex(ifs);
	return 0;
}

static void status_daemon(const struct cli *cli, cJSON *j)
{
	cJSON *req = cJSON_CreateObject(), *reply = NULL, *dm;
	const char *why;
	int err;

	cJSON_AddStringToObject(req, "cmd", "status");
	err = cli_daemon_request(cli, req, &reply);
	cJSON_Delete(req);
	dm = err ? NULL : cJSON_GetObjectItemCaseSensitive(reply, "daemon");
	/* "Not running" only when nothing listens: a daemon that is there but does not answer
	 * (busy, stuck, full of other clients) is not one that is gone. */
	why = err == 1		? "not running" :
	      err == -ETIMEDOUT ? "running, but not answering in time (busy or stuck)" :
	      err		? "not reachable" :
	      !dm		? "busy: it refused the request" :
				  NULL;
	if (j) {
		if (dm)
			cJSON_AddItemToObject(j, "daemon", cJSON_Duplicate(dm, true));
		else
			cJSON_AddNullToObject(j, "daemon");
		if (why)
			cJSON_AddStringToObject(j, "daemon_state", why);
	} else if (!dm) {
		printf("daemon: %s (socket %s)\n", why, cli->s.socket_path);
	} else {
		const cJSON *b = cJSON_GetObjectItemCaseSensitive(dm, "blocks");
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(dm, "errors");
		const cJSON *sc = cJSON_GetObjectItemCaseSensitive(dm, "scripts");
		const cJSON *dc = cJSON_GetObjectItemCaseSensitive(dm, "decisions");

#define N(o, k)                                                        \
	(cJSON_GetObjectItemCaseSensitive(o, k) ?                      \
		 cJSON_GetObjectItemCaseSensitive(o, k)->valuedouble : \
		 0)
		printf("daemon: pid %.0f, up %.0fs, %.0f alerts read (%.0f bad lines) from %s\n",
		       N(dm, "pid"), N(dm, "uptime"), N(dm, "alerts_read"), N(dm, "bad_lines"),
		       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(dm, "alerts_file")));
		printf("  decisions: %.0f block, %.0f script, %.0f skip\n", N(dc, "block"),
		       N(dc, "script"), N(dc, "skip"));
		printf("  blocks: %.0f new, %.0f extended, %.0f expired, %.0f tracked\n",
		       N(b, "new"), N(b, "extended"), N(b, "expired"), N(b, "tracked"));
		printf("  scripts: %.0f started, %.0f running, %.0f killed, %.0f deletes pending\n",
		       N(sc, "started"), N(sc, "running"), N(sc, "killed"),
		       N(sc, "pending_deletes"));
		printf("  errors: %.0f map full, %.0f map write, %.0f state, %.0f reload\n",
		       N(e, "map_full"), N(e, "map_write"), N(e, "state"), N(e, "reload"));
#undef N
	}
	cJSON_Delete(reply);
}

int do_status(struct cli *cli, int argc, char **argv)
{
	struct arxdp_meta meta = {};
	struct blocklist bl;
	struct bl_fill f;
	cJSON *j = NULL, *arr = NULL, *maps;
	bool any = false;
	int err;

	if (cli_no_args(argc, argv))
		return -EINVAL;
	err = bl_open_some(&bl, cli->s.pin_dir, BL_OPEN_ALL & ~BL_OPEN_GUARD);
	if (err && err != -ENOENT)
		return cli_open_maps(cli, &bl, BL_OPEN_ALL & ~BL_OPEN_GUARD);
	if (cli->json) {
		j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "pin_dir", cli->s.pin_dir);
		cJSON_AddBoolToObject(j, "loaded", !err);
		arr = cJSON_AddArrayToObject(j, "interfaces");
	} else {
		printf("pin directory: %s (%s)\n", cli->s.pin_dir, err ? "not loaded" : "loaded");
		printf("interfaces:\n");
	}
	status_ifaces(cli, arr, &any);
	if (!cli->json && !any)
		printf("  (none attached)\n");
	status_daemon(cli, j);
	if (err)
		return cli->json ? cli_print_json(j) : 0;

	err = bl_fill(&bl, &f);
	if (!err)
		bl_meta(&bl, &meta); /* zeroed when unreadable: shown as the defaults */
	if (err) {
		pr_warn("pin directory '%s': cannot read map fill: %s", cli->s.pin_dir,
			strerror(-err));
		cJSON_Delete(j);
		bl_close(&bl);
		return err;
	}
	if (cli->json) {
		cJSON_AddBoolToObject(j, "dry_run", meta.load_flags & ARXDP_LOAD_DRY_RUN);
		cJSON_AddBoolToObject(j, "block_counters",
				      !(meta.load_flags & ARXDP_LOAD_NO_BLOCK_COUNTERS));
		cJSON_AddStringToObject(j, "attachment",
					meta.attach_flags & ARXDP_ATTACH_DISPATCHER ?
						"dispatcher" :
					meta.attach_flags & ARXDP_ATTACH_NO_DISPATCHER ?
						"plain (libxdp dispatcher unavailable)" :
						"plain");
		maps = cJSON_AddObjectToObject(j, "maps");
#define ADD_MAP(name, used, cap)                                       \
	do {                                                           \
		cJSON *m = cJSON_AddObjectToObject(maps, name);        \
		cJSON_AddNumberToObject(m, "entries", (double)(used)); \
		cJSON_AddNumberToObject(m, "capacity", (double)(cap)); \
	} while (0)
		ADD_MAP(ARXDP_MAP_BLOCK4, f.block4, bl.cap_block4);
		ADD_MAP(ARXDP_MAP_BLOCK6, f.block6, bl.cap_block6);
		ADD_MAP(ARXDP_MAP_CIDR4, f.cidr4, bl.cap_cidr4);
		ADD_MAP(ARXDP_MAP_CIDR6, f.cidr6, bl.cap_cidr6);
#undef ADD_MAP
		err = cli_print_json(j);
	} else {
		printf("dry run: %s\n", meta.load_flags & ARXDP_LOAD_DRY_RUN ? "yes" : "no");
		printf("per-block counters: %s\n",
		       meta.load_flags & ARXDP_LOAD_NO_BLOCK_COUNTERS ? "off" : "on");
		printf("attachment: %s\n",
		       meta.attach_flags & ARXDP_ATTACH_DISPATCHER ?
			       "through libxdp's dispatcher (other XDP programs can share)" :
		       meta.attach_flags & ARXDP_ATTACH_NO_DISPATCHER ?
			       "plain: libxdp's dispatcher cannot run on this kernel (no BPF "
			       "trampolines); other XDP programs cannot share the interface" :
			       "plain");
		printf("maps:\n");
		printf("  %-10s %10" PRIu64 " / %u\n", ARXDP_MAP_BLOCK4, f.block4, bl.cap_block4);
		printf("  %-10s %10" PRIu64 " / %u\n", ARXDP_MAP_BLOCK6, f.block6, bl.cap_block6);
		printf("  %-10s %10" PRIu64 " / %u\n", ARXDP_MAP_CIDR4, f.cidr4, bl.cap_cidr4);
		printf("  %-10s %10" PRIu64 " / %u\n", ARXDP_MAP_CIDR6, f.cidr6, bl.cap_cidr6);
	}
	bl_close(&bl);
	return err;
}

struct metrics_cli {
	struct blocklist *bl;
	const char *pin_dir;
	const cJSON *daemon; /* the "daemon" object of arxdpd's status, NULL when none runs */
};

static int metrics_cb(FILE *out, void *ctx)
{
	const struct metrics_cli *m = ctx;

	return metrics_render(out, m->bl, m->pin_dir, m->daemon, NULL);
}

int do_metrics(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "textfile", required_argument, NULL, 't' },
		{},
	};
	cJSON *req = NULL, *reply = NULL;
	struct metrics_cli m = {};
	const char *textfile = NULL;
	struct blocklist bl;
	int c, err;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 't')
			return -EINVAL;
		textfile = optarg;
	}
	if (optind != argc) {
		pr_warn("metrics: unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	err = cli_open_maps(cli, &bl, BL_OPEN_ALL & ~BL_OPEN_GUARD);
	if (err)
		return err;
	/* arxdpd's counters join the exposition when it runs; without it the maps suffice. */
	req = cJSON_CreateObject();
	if (req && cJSON_AddStringToObject(req, "cmd", "status") &&
	    !cli_daemon_request(cli, req, &reply))
		m.daemon = cJSON_GetObjectItemCaseSensitive(reply, "daemon");
	m.bl = &bl;
	m.pin_dir = cli->s.pin_dir;
	err = textfile ? metrics_write_textfile(textfile, metrics_cb, &m) : metrics_cb(stdout, &m);
	cJSON_Delete(req);
	cJSON_Delete(reply);
	bl_close(&bl);
	return err;
}

int do_top(struct cli *cli, int argc, char **argv)
{
	struct top_opts o;
	struct blocklist bl;
	int err;

	if (top_parse_args(argc, argv, &o))
		return -EINVAL;
	o.pin_dir = cli->s.pin_dir;
	err = cli_open_maps(cli, &bl, BL_OPEN_ALL & ~BL_OPEN_GUARD);
	if (err)
		return err;
	err = top_run(&bl, &o);
	bl_close(&bl);
	return err;
}