// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the `arxdp` command line: a do_<cmd> table over the pinned maps (no
 * daemon needed), with a readable text form and --json for machines. In JSON mode errors are
 * JSON too: warnings are collected and the last one becomes {"error": ...} on stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <cjson/cJSON.h>
#include "arxdp.h"
#include "blocklist.h"
#include "config.h"
#include "ctl.h"
#include "loader.h"
#include "log.h"
#include "metrics.h"
#include "render.h"
#include "replay.h"
#include "settings.h"
#include "top.h"
#include "util.h"

static struct {
	bool json;
	int verbose;
	struct arxdp_settings s;
	char last_error[1024];
} g;

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
	bool mutates;
};

static void json_sink(enum log_level level, const char *msg, void *ctx)
{
	if (level == LOG_LEVEL_WARN)
		str_copy(g.last_error, msg, sizeof(g.last_error));
	if (level <= log_get_level())
		fprintf(stderr, "arxdp: %s\n", msg);
}

static int print_json(cJSON *o)
{
	char *s;

	if (!o)
		return -ENOMEM;
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!s)
		return -ENOMEM;
	puts(s);
	free(s);
	return 0;
}

static int need_root(const char *cmd)
{
	if (geteuid() != 0) {
		pr_warn("%s: permission denied: changing blocks or attachments needs root "
			"(try 'sudo arxdp %s')",
			cmd, cmd);
		return -EPERM;
	}
	return 0;
}

static int open_maps(struct blocklist *bl)
{
	int err = bl_open(bl, g.s.pin_dir);

	if (err == -ENOENT)
		pr_warn("pin directory '%s': arxdp is not loaded there: run 'arxdp attach IFACE' "
			"(or 'arxdp block' to preload blocks)",
			g.s.pin_dir);
	else if (err == -EACCES || err == -EPERM)
		pr_warn("pin directory '%s': permission denied: run as root", g.s.pin_dir);
	else if (err)
		pr_warn("pin directory '%s': cannot open the maps: %s", g.s.pin_dir,
			strerror(-err));
	return err;
}

static void loader_opts_from(struct loader_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->pin_dir = g.s.pin_dir;
	o->capacity_v4 = g.s.capacity_v4;
	o->capacity_v6 = g.s.capacity_v6;
	o->cidr_capacity = g.s.cidr_capacity;
	o->dry_run = g.s.dry_run;
	o->dispatcher = g.s.xdp_dispatcher;
	o->no_block_counters = !g.s.block_counters;
	o->priority = g.s.xdp_priority;
}

/* Blocks may be written before any interface is attached: create the maps when absent. */
static int open_or_create_maps(struct blocklist *bl)
{
	struct loader_opts o;
	int err, fd;

	err = bl_open(bl, g.s.pin_dir);
	if (err != -ENOENT)
		return err ? open_maps(bl) : 0;
	loader_opts_from(&o);
	err = loader_get_prog(&o, &fd);
	if (err)
		return err;
	close(fd);
	return open_maps(bl);
}

/*
 * Sends a request to arxdpd when one listens on the socket. Returns 1 when no daemon runs
 * (the caller works on the maps), 0 with the reply, or -errno.
 */
static int daemon_request(cJSON *req, cJSON **reply)
{
	char *s = cJSON_PrintUnformatted(req), *out = NULL;
	int err;

	*reply = NULL;
	if (!s)
		return -ENOMEM;
	err = ctl_request(g.s.socket_path, s, &out);
	free(s);
	if (err == -ENOENT || err == -ECONNREFUSED)
		return 1;
	if (err) {
		pr_warn("control socket '%s': %s", g.s.socket_path, strerror(-err));
		return err;
	}
	*reply = cJSON_Parse(out);
	free(out);
	if (!*reply) {
		pr_warn("control socket '%s': the reply is not JSON", g.s.socket_path);
		return -EPROTO;
	}
	/* That daemon works on other maps than ours: write them directly. */
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(*reply, "pin_dir_mismatch"))) {
		pr_debug("arxdpd at '%s' uses another pin directory: working on '%s' directly",
			 g.s.socket_path, g.s.pin_dir);
		cJSON_Delete(*reply);
		*reply = NULL;
		return 1;
	}
	return 0;
}

/* A daemon reply: prints it (JSON mode) or its error; returns 0 or -EINVAL. */
static int daemon_reply_result(cJSON *reply)
{
	const cJSON *ok = cJSON_GetObjectItemCaseSensitive(reply, "ok");
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(reply, "error");

	if (!cJSON_IsTrue(ok)) {
		pr_warn("arxdpd: %s", cJSON_IsString(e) ? e->valuestring : "request failed");
		return -EINVAL;
	}
	return 0;
}

static int parse_u32(const char *what, const char *s, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max) {
		pr_warn("%s '%s': not a number from 0 to %u", what, s, max);
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

static int parse_duration_arg(const char *s, uint32_t *out)
{
	int err = duration_parse(s, out);

	if (err)
		pr_warn("duration '%s': %s: use seconds or a number with s, m, h, d or w "
			"(30s, 10m, 4h, 1d); 0 means permanent",
			s, err == -ERANGE ? "too long" : "not a duration");
	return err;
}

static int parse_addr_arg(const char *s, struct arxdp_addr *a)
{
	char err[160];

	if (addr_parse(s, a, err, sizeof(err))) {
		pr_warn("address %s", err);
		return -EINVAL;
	}
	return 0;
}

static int do_attach(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "force", no_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'd' },
		{ "reload", no_argument, NULL, 'r' },
		{ "capacity", required_argument, NULL, 'c' },
		{ "no-dispatcher", no_argument, NULL, 'n' },
		{ "no-block-counters", no_argument, NULL, 'B' },
		{ "priority", required_argument, NULL, 'P' },
		{},
	};
	enum arxdp_xdp_mode mode = g.s.mode, used;
	struct loader_opts o;
	bool force = false, reload = false;
	uint32_t cap;
	int c, err;

	loader_opts_from(&o);
	while ((c = getopt_long(argc, argv, "m:f", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (mode_parse(optarg, &mode)) {
				pr_warn("mode '%s': unknown: use auto, native or skb", optarg);
				return -EINVAL;
			}
			break;
		case 'f':
			force = true;
			break;
		case 'd':
			o.dry_run = true;
			reload = true;
			break;
		case 'r':
			reload = true;
			break;
		case 'c':
			if (parse_u32("capacity", optarg, 1u << 28, &cap))
				return -EINVAL;
			o.capacity_v4 = o.capacity_v6 = cap;
			break;
		case 'n':
			o.dispatcher = false;
			break;
		case 'B':
			o.no_block_counters = true;
			reload = true;
			break;
		case 'P':
			if (parse_u32("priority", optarg, 1000, &cap))
				return -EINVAL;
			o.priority = cap;
			break;
		default:
			return -EINVAL;
		}
	}
	if (optind != argc - 1) {
		pr_warn("attach: expected one interface name");
		return -EINVAL;
	}
	o.reload = reload;
	err = loader_attach(&o, argv[optind], mode, force, &used);
	if (err)
		return err;
	if (g.json) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "attached", argv[optind]);
		cJSON_AddStringToObject(j, "mode", mode_name(used));
		return print_json(j);
	}
	printf("attached to %s in %s mode%s\n", argv[optind], mode_name(used),
	       o.dry_run ? " (dry run: nothing is dropped)" : "");
	return 0;
}

static int do_detach(int argc, char **argv)
{
	int err;

	if (argc != 2) {
		pr_warn("detach: expected one interface name");
		return -EINVAL;
	}
	err = loader_detach(g.s.pin_dir, argv[1]);
	if (err)
		return err;
	if (g.json) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "detached", argv[1]);
		return print_json(j);
	}
	printf("detached from %s; blocks kept\n", argv[1]);
	return 0;
}

/* One line of a --from file: ADDR[/PREFIX] [DURATION] [# comment]. 1 = blank line. */
static int parse_list_line(char *line, const char *file, unsigned long lineno, uint32_t deflt,
			   struct bl_item *it)
{
	char *p, *addr, *dur, *extra, err[160];

	p = strchr(line, '#');
	if (p)
		*p = '\0';
	addr = strtok(line, " \t\r\n");
	if (!addr)
		return 1;
	dur = strtok(NULL, " \t\r\n");
	extra = strtok(NULL, " \t\r\n");
	if (extra) {
		pr_warn("%s:%lu: '%s': unexpected text after the duration", file, lineno, extra);
		return -EINVAL;
	}
	if (addr_parse(addr, &it->addr, err, sizeof(err))) {
		pr_warn("%s:%lu: %s", file, lineno, err);
		return -EINVAL;
	}
	it->timeout_s = deflt;
	if (dur && duration_parse(dur, &it->timeout_s)) {
		pr_warn("%s:%lu: duration '%s': not a duration (30s, 10m, 4h, 1d, 0)", file, lineno,
			dur);
		return -EINVAL;
	}
	return 0;
}

static int block_from(struct blocklist *bl, const char *file, uint32_t deflt,
		      const struct bl_reason *why)
{
	struct bl_item *items = NULL, *tmp;
	size_t cap = 0, len = 0, n = 0, i;
	unsigned long lineno = 0, bad = 0, refused = 0;
	uint64_t loaded = 0;
	char *line = NULL, buf[ADDR_STRLEN];
	int *errs = NULL, err = 0, r;
	FILE *f;

	f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	if (!f) {
		err = -errno;
		pr_warn("block list '%s': cannot open: %s", file, strerror(-err));
		return err;
	}
	while (getline(&line, &len, f) != -1) {
		lineno++;
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			tmp = realloc(items, cap * sizeof(*items));
			if (!tmp) {
				err = -ENOMEM;
				goto out;
			}
			items = tmp;
		}
		r = parse_list_line(line, file, lineno, deflt, &items[n]);
		if (r < 0)
			bad++;
		else if (r == 0)
			n++;
	}
	if (ferror(f)) {
		err = -EIO;
		pr_warn("block list '%s': read failed at line %lu", file, lineno + 1);
		goto out;
	}
	errs = calloc(n ?: 1, sizeof(*errs));
	if (!errs) {
		err = -ENOMEM;
		goto out;
	}
	err = bl_block_many(bl, items, (int)n, why, errs, &loaded);
	if (err)
		goto out;
	for (i = 0; i < n; i++) {
		if (errs[i] == -EPERM) {
			refused++;
			pr_warn("block list '%s': %s: refused: never-blocked address", file,
				addr_format(&items[i].addr, buf, sizeof(buf)));
		}
	}
	if (g.json) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddNumberToObject(j, "loaded", (double)loaded);
		cJSON_AddNumberToObject(j, "bad_lines", bad);
		cJSON_AddNumberToObject(j, "refused", refused);
		cJSON_AddNumberToObject(j, "failed", (double)(n - loaded - refused));
		print_json(j);
	} else {
		printf("loaded %" PRIu64 " blocks from %s (%lu bad lines, %lu refused, %" PRIu64
		       " not written)\n",
		       loaded, file, bad, refused, (uint64_t)(n - loaded - refused));
	}
	/* Bad lines are reported and skipped; the exit status still tells a script. */
	if (bad || loaded + refused < n)
		err = -EINVAL;
out:
	if (f != stdin)
		fclose(f);
	free(line);
	free(items);
	free(errs);
	return err;
}

static int do_block(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "from", required_argument, NULL, 'F' },
		{ "rule", required_argument, NULL, 'r' },
		{ "level", required_argument, NULL, 'l' },
		{},
	};
	struct bl_reason why = { .origin = ARXDP_ORIGIN_CLI };
	const char *from = NULL;
	struct arxdp_addr a;
	struct arxdp_block v;
	struct blocklist bl;
	enum bl_result res;
	uint32_t timeout = 0, lvl;
	char buf[ADDR_STRLEN], dur[32];
	int c, err;

	while ((c = getopt_long(argc, argv, "t:", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (parse_duration_arg(optarg, &timeout))
				return -EINVAL;
			break;
		case 'F':
			from = optarg;
			break;
		case 'r':
			if (parse_u32("rule id", optarg, UINT32_MAX, &why.rule_id))
				return -EINVAL;
			break;
		case 'l':
			if (parse_u32("level", optarg, 16, &lvl))
				return -EINVAL;
			why.level = (uint8_t)lvl;
			break;
		default:
			return -EINVAL;
		}
	}
	if (from ? optind != argc : optind != argc - 1) {
		pr_warn("block: expected one ADDR[/PREFIX], or --from FILE");
		return -EINVAL;
	}
	if (!from && parse_addr_arg(argv[optind], &a))
		return -EINVAL;
	if (!from) {
		/* Through arxdpd when it runs, so the block is logged and persisted. */
		cJSON *req = cJSON_CreateObject(), *reply = NULL;

		cJSON_AddStringToObject(req, "cmd", "block");
		cJSON_AddStringToObject(req, "pin_dir", g.s.pin_dir);
		cJSON_AddStringToObject(req, "addr", argv[optind]);
		cJSON_AddNumberToObject(req, "timeout", timeout);
		if (why.rule_id)
			cJSON_AddNumberToObject(req, "rule_id", why.rule_id);
		if (why.level)
			cJSON_AddNumberToObject(req, "level", why.level);
		err = daemon_request(req, &reply);
		cJSON_Delete(req);
		if (err <= 0) {
			if (!err)
				err = daemon_reply_result(reply);
			if (!err) {
				const cJSON *ext =
					cJSON_GetObjectItemCaseSensitive(reply, "extended");

				addr_format(&a, buf, sizeof(buf));
				if (g.json)
					print_json(cJSON_Duplicate(reply, true));
				else
					printf("%s %s (%s, through arxdpd)\n",
					       cJSON_IsTrue(ext) ? "extended" : "blocked", buf,
					       duration_format(timeout, dur, sizeof(dur)));
			}
			cJSON_Delete(reply);
			return err;
		}
	}
	err = open_or_create_maps(&bl);
	if (err)
		return err;
	if (from) {
		err = block_from(&bl, from, timeout, &why);
		goto out;
	}
	err = bl_block(&bl, &a, timeout, &why, &res, &v);
	if (err)
		goto out;
	addr_format(&a, buf, sizeof(buf));
	if (g.json) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "addr", buf);
		if (timeout)
			cJSON_AddNumberToObject(j, "expires_in", timeout);
		else
			cJSON_AddNullToObject(j, "expires_in");
		cJSON_AddBoolToObject(j, "extended", res == BL_EXTENDED);
		cJSON_AddNumberToObject(j, "offenses", v.offenses);
		err = print_json(j);
	} else {
		printf("%s %s (%s)\n", res == BL_EXTENDED ? "extended" : "blocked", buf,
		       duration_format(v.expires_ns ? v.timeout_s : 0, dur, sizeof(dur)));
	}
out:
	bl_close(&bl);
	return err;
}

static int do_unblock(int argc, char **argv)
{
	struct blocklist bl;
	struct arxdp_addr a;
	char buf[ADDR_STRLEN];
	int err;

	if (argc != 2) {
		pr_warn("unblock: expected one ADDR[/PREFIX]");
		return -EINVAL;
	}
	if (parse_addr_arg(argv[1], &a))
		return -EINVAL;
	{
		cJSON *req = cJSON_CreateObject(), *reply = NULL;

		cJSON_AddStringToObject(req, "cmd", "unblock");
		cJSON_AddStringToObject(req, "pin_dir", g.s.pin_dir);
		cJSON_AddStringToObject(req, "addr", argv[1]);
		err = daemon_request(req, &reply);
		cJSON_Delete(req);
		if (err <= 0) {
			if (!err)
				err = daemon_reply_result(reply);
			if (!err) {
				if (g.json)
					print_json(cJSON_Duplicate(reply, true));
				else
					printf("unblocked %s (through arxdpd)\n",
					       addr_format(&a, buf, sizeof(buf)));
			}
			cJSON_Delete(reply);
			return err;
		}
	}
	err = open_maps(&bl);
	if (err)
		return err;
	err = bl_unblock(&bl, &a);
	addr_format(&a, buf, sizeof(buf));
	if (err == -ENOENT)
		pr_warn("unblock '%s': not blocked", buf);
	else if (err)
		pr_warn("unblock '%s': map update failed: %s", buf, strerror(-err));
	else if (g.json) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "unblocked", buf);
		err = print_json(j);
	} else {
		printf("unblocked %s\n", buf);
	}
	bl_close(&bl);
	return err;
}

static int do_flush(int argc, char **argv)
{
	struct blocklist bl;
	uint64_t n = 0;
	int err;

	if (argc != 1) {
		pr_warn("flush: takes no arguments");
		return -EINVAL;
	}
	err = open_maps(&bl);
	if (err)
		return err;
	err = bl_flush(&bl, &n);
	if (err)
		pr_warn("flush: failed after %" PRIu64 " entries: %s", n, strerror(-err));
	else if (g.json) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddNumberToObject(j, "removed", (double)n);
		err = print_json(j);
	} else {
		printf("removed %" PRIu64 " blocks\n", n);
	}
	bl_close(&bl);
	return err;
}

struct list_ctx {
	uint64_t now_mono, now_wall, n;
	bool all;
};

static int list_cb(const struct bl_entry *e, void *vctx)
{
	struct list_ctx *ctx = vctx;
	cJSON *o;
	char *s;

	if (!ctx->all && bl_expired(&e->v, ctx->now_mono))
		return 0;
	if (!g.json) {
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

static int do_list(int argc, char **argv)
{
	struct list_ctx ctx = { .now_mono = mono_now_ns(), .now_wall = wall_now_ns() };
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
	err = open_maps(&bl);
	if (err)
		return err;
	if (g.json)
		fputs("[", stdout);
	else
		render_entry_header(stdout);
	err = bl_foreach(&bl, list_cb, &ctx);
	if (g.json)
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

static int do_stats(int argc, char **argv)
{
	struct arxdp_counter st[ARXDP_STAT_MAX];
	struct blocklist bl;
	cJSON *j = NULL;
	int err;

	if (argc != 1) {
		pr_warn("stats: takes no arguments");
		return -EINVAL;
	}
	err = open_maps(&bl);
	if (err)
		return err;
	err = bl_stats(&bl, st);
	if (err) {
		pr_warn("map '%s': read failed: %s", ARXDP_MAP_STATS, strerror(-err));
	} else if (g.json) {
		j = render_stats_json(st);
		err = bl_stats_ifaces(&bl, stats_iface_cb,
				      j ? cJSON_AddObjectToObject(j, "interfaces") : NULL);
		err = err ?: print_json(j);
	} else {
		printf("all interfaces\n");
		render_stats_text(stdout, st);
		err = bl_stats_ifaces(&bl, stats_iface_cb, NULL);
	}
	bl_close(&bl);
	return err;
}

static int status_ifaces(cJSON *arr, bool *any)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	struct attach_info ai;

	if (!ifs)
		return -errno;
	for (i = ifs; i->if_index; i++) {
		if (loader_query(g.s.pin_dir, i->if_index, &ai) || ai.state == ATTACH_NONE)
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

static void status_daemon(cJSON *j)
{
	cJSON *req = cJSON_CreateObject(), *reply = NULL, *dm;
	int err;

	cJSON_AddStringToObject(req, "cmd", "status");
	err = daemon_request(req, &reply);
	cJSON_Delete(req);
	dm = err ? NULL : cJSON_GetObjectItemCaseSensitive(reply, "daemon");
	if (j) {
		if (dm)
			cJSON_AddItemToObject(j, "daemon", cJSON_Duplicate(dm, true));
		else
			cJSON_AddNullToObject(j, "daemon");
	} else if (!dm) {
		printf("daemon: not running (socket %s)\n", g.s.socket_path);
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

static int do_reload(int argc, char **argv)
{
	cJSON *req = cJSON_CreateObject(), *reply = NULL;
	int err;

	if (argc != 1) {
		pr_warn("reload: takes no arguments");
		cJSON_Delete(req);
		return -EINVAL;
	}
	cJSON_AddStringToObject(req, "cmd", "reload");
	err = daemon_request(req, &reply);
	cJSON_Delete(req);
	if (err == 1) {
		pr_warn("reload: arxdpd is not running (no socket at '%s')", g.s.socket_path);
		return -ENOENT;
	}
	if (!err)
		err = daemon_reply_result(reply);
	if (!err) {
		if (g.json)
			print_json(cJSON_Duplicate(reply, true));
		else
			printf("arxdpd reloaded its configuration\n");
	}
	cJSON_Delete(reply);
	return err;
}

static int do_status(int argc, char **argv)
{
	struct arxdp_meta meta = {};
	struct blocklist bl;
	struct bl_fill f;
	cJSON *j = NULL, *arr = NULL, *maps;
	bool any = false;
	__u32 zero = 0;
	int err;

	if (argc != 1) {
		pr_warn("status: takes no arguments");
		return -EINVAL;
	}
	err = bl_open(&bl, g.s.pin_dir);
	if (err && err != -ENOENT)
		return open_maps(&bl);
	if (g.json) {
		j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "pin_dir", g.s.pin_dir);
		cJSON_AddBoolToObject(j, "loaded", !err);
		arr = cJSON_AddArrayToObject(j, "interfaces");
	} else {
		printf("pin directory: %s (%s)\n", g.s.pin_dir, err ? "not loaded" : "loaded");
		printf("interfaces:\n");
	}
	status_ifaces(arr, &any);
	if (!g.json && !any)
		printf("  (none attached)\n");
	status_daemon(j);
	if (err)
		return g.json ? print_json(j) : 0;

	err = bl_fill(&bl, &f);
	if (!err)
		bpf_map_lookup_elem(bl.fd_meta, &zero, &meta);
	if (err) {
		pr_warn("pin directory '%s': cannot read map fill: %s", g.s.pin_dir,
			strerror(-err));
		cJSON_Delete(j);
		bl_close(&bl);
		return err;
	}
	if (g.json) {
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
		err = print_json(j);
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
	const cJSON *daemon; /* the "daemon" object of arxdpd's status, NULL when none runs */
};

static int metrics_cb(FILE *out, void *ctx)
{
	const struct metrics_cli *m = ctx;

	return metrics_render(out, m->bl, g.s.pin_dir, m->daemon);
}

static int do_metrics(int argc, char **argv)
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
	err = open_maps(&bl);
	if (err)
		return err;
	/* arxdpd's counters join the exposition when it runs; without it the maps suffice. */
	req = cJSON_CreateObject();
	if (req && cJSON_AddStringToObject(req, "cmd", "status") && !daemon_request(req, &reply))
		m.daemon = cJSON_GetObjectItemCaseSensitive(reply, "daemon");
	m.bl = &bl;
	err = textfile ? metrics_write_textfile(textfile, metrics_cb, &m) : metrics_cb(stdout, &m);
	cJSON_Delete(req);
	cJSON_Delete(reply);
	bl_close(&bl);
	return err;
}

static int do_top(int argc, char **argv)
{
	struct top_opts o;
	struct blocklist bl;
	int err;

	if (top_parse_args(argc, argv, &o))
		return -EINVAL;
	o.pin_dir = g.s.pin_dir;
	err = open_maps(&bl);
	if (err)
		return err;
	err = top_run(&bl, &o);
	bl_close(&bl);
	return err;
}

static int do_sweep(int argc, char **argv)
{
	struct blocklist bl;
	uint32_t swept = 0;
	int err;

	if (argc != 1) {
		pr_warn("sweep: takes no arguments");
		return -EINVAL;
	}
	err = open_maps(&bl);
	if (err)
		return err;
	err = bl_sweep(&bl, mono_now_ns(), UINT32_MAX, NULL, NULL, &swept); /* one full pass */
	if (!err) {
		if (g.json) {
			cJSON *j = cJSON_CreateObject();

			cJSON_AddNumberToObject(j, "swept", swept);
			err = print_json(j);
		} else {
			printf("removed %u expired blocks\n", swept);
		}
	}
	bl_close(&bl);
	return err;
}

static int do_help(int argc, char **argv);
static int do_version(int argc, char **argv)
{
	printf("arxdp %s\n", ARXDP_VERSION);
	return 0;
}

static const struct cmd cmds[] = {
	{ "attach", do_attach,
	  "IFACE [--mode auto|native|skb] [--force] [--dry-run] [--reload] [--capacity N] "
	  "[--no-dispatcher] [--priority N] [--no-block-counters]",
	  true },
	{ "detach", do_detach, "IFACE", true },
	{ "block", do_block,
	  "ADDR[/PREFIX] [--timeout DURATION] [--rule ID] [--level N] | --from FILE|-", true },
	{ "unblock", do_unblock, "ADDR[/PREFIX]", true },
	{ "flush", do_flush, "", true },
	{ "sweep", do_sweep, "", true },
	{ "list", do_list, "[--all] [--json]", false },
	{ "stats", do_stats, "[--json]", false },
	{ "status", do_status, "[--json]", false },
	{ "metrics", do_metrics, "[--textfile PATH]", false },
	{ "top", do_top, "[--interval MS] [--iterations N] [--once]", false },
	{ "reload", do_reload, "(asks arxdpd to re-read its configuration)", true },
	{ "replay", cmd_replay,
	  "[--ossec-conf FILE] [--config FILE] [--own ADDR]... [--json] FILE...", false },
	{ "check-config", cmd_check_config, "[--ossec-conf FILE] [--config FILE]", false },
	{ "version", do_version, "", false },
	{ "help", do_help, "", false },
};

static int do_help(int argc, char **argv)
{
	size_t i;

	printf("Usage: arxdp [--pin-dir DIR] [--socket PATH] [--config FILE] [--json] [-v] "
	       "COMMAND [ARGS]\n\n"
	       "Blocks source addresses at XDP through the maps pinned in the pin directory\n"
	       "(default %s, or $%s). No daemon is needed.\n\nCommands:\n",
	       ARXDP_PIN_DIR_DEFAULT, ARXDP_PIN_DIR_ENV);
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		printf("  %-13s %s\n", cmds[i].name, cmds[i].usage);
	printf("\nDURATION: seconds, or 30s, 10m, 4h, 1d, 2w; 0 or none = permanent.\n"
	       "Exit status: 0 on success, 1 on an error (the message says which), 2 on an unknown\n"
	       "command or global option.\n");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option gopts[] = {
		{ "pin-dir", required_argument, NULL, 'p' },
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{},
	};
	const char *pin_dir = NULL, *config = NULL, *socket_path = NULL, *path;
	char cerr[CONFIG_ERR_MAX];
	const struct cmd *cmd = NULL;
	int c, i, err, sub_argc;
	char **sub_argv;

	settings_defaults(&g.s);
	log_init("arxdp", LOG_LEVEL_INFO, LOG_TARGET_STDERR);

	/* Global options come before the command ("+": stop at the first non-option). */
	while ((c = getopt_long(argc, argv, "+p:c:s:jvhV", gopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			pin_dir = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 's':
			socket_path = optarg;
			break;
		case 'j':
			g.json = true;
			break;
		case 'v':
			g.verbose++;
			break;
		case 'h':
			return do_help(0, NULL), 0;
		case 'V':
			return do_version(0, NULL), 0;
		default:
			fprintf(stderr, "Try 'arxdp help'.\n");
			return 2;
		}
	}
	if (optind >= argc) {
		do_help(0, NULL);
		return 2;
	}
	/* arxdp.conf names the pin directory, socket and capacities; flags win over it. */
	path = settings_path(config);
	if (path && strcmp(argv[optind], "replay") && strcmp(argv[optind], "check-config") &&
	    settings_load(&g.s, path, cerr, sizeof(cerr))) {
		fprintf(stderr, "arxdp: %s\n", cerr);
		return 1;
	}
	if (pin_dir)
		str_copy(g.s.pin_dir, pin_dir, sizeof(g.s.pin_dir));
	if (socket_path)
		str_copy(g.s.socket_path, socket_path, sizeof(g.s.socket_path));
	for (i = 0; i < (int)ARRAY_SIZE(cmds); i++)
		if (!strcmp(argv[optind], cmds[i].name))
			cmd = &cmds[i];
	if (!cmd) {
		fprintf(stderr, "arxdp: unknown command '%s'; try 'arxdp help'\n", argv[optind]);
		return 2;
	}

	/* --json, --pin-dir and -v are accepted after the command too; the rest is its own. */
	sub_argv = calloc(argc + 1, sizeof(*sub_argv));
	if (!sub_argv)
		return 1;
	sub_argc = 0;
	for (i = optind; i < argc; i++) {
		if (i > optind && (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))) {
			g.json = true;
		} else if (i > optind && (!strcmp(argv[i], "-v") || !strcmp(argv[i], "-vv"))) {
			g.verbose += argv[i][2] ? 2 : 1;
		} else if (i > optind && !strcmp(argv[i], "--pin-dir") && i + 1 < argc) {
			str_copy(g.s.pin_dir, argv[++i], sizeof(g.s.pin_dir));
		} else if (i > optind && (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) &&
			   cmd->fn != cmd_replay && cmd->fn != cmd_check_config) {
			printf("Usage: arxdp %s %s\n", cmd->name, cmd->usage);
			free(sub_argv);
			return 0;
		} else {
			sub_argv[sub_argc++] = argv[i];
		}
	}
	if (g.json && cmd->fn == cmd_replay)
		sub_argv[sub_argc++] = "--json";
	log_set_level(g.verbose >= 2 ? LOG_LEVEL_TRACE :
		      g.verbose == 1 ? LOG_LEVEL_DEBUG :
				       LOG_LEVEL_INFO);
	if (g.json)
		log_set_sink(json_sink, NULL);

	err = cmd->mutates ? need_root(cmd->name) : 0;
	if (!err) {
		optind = 0; /* 0, not 1: glibc re-initialises and permutes again */
		err = cmd->fn(sub_argc, sub_argv);
	}
	if (err && g.json && cmd->fn != cmd_replay) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "error", g.last_error[0] ? g.last_error : errstr(err));
		print_json(j);
	}
	free(sub_argv);
	fflush(stdout);
	return err ? 1 : 0;
}
