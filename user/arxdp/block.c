// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the verbs that write the block maps: `arxdp block` (one address through
 * arxdpd when it runs, so the block is logged and persisted; else, or with --from, straight
 * into the maps), `unblock`, `flush` and `sweep`.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "log.h"
#include "render.h"
#include "util.h"

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

static int block_from(const struct cli *cli, struct blocklist *bl, const char *file, uint32_t deflt,
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
	if (cli->json) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddNumberToObject(j, "loaded", (double)loaded);
		cJSON_AddNumberToObject(j, "bad_lines", bad);
		cJSON_AddNumberToObject(j, "refused", refused);
		cJSON_AddNumberToObject(j, "failed", (double)(n - loaded - refused));
		cli_print_json(j);
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

/* The request of a verb on one address, which arxdpd carries out on our pin directory only. */
static cJSON *addr_request(const struct cli *cli, const char *cmd, const char *arg)
{
	cJSON *req = cJSON_CreateObject();

	cJSON_AddStringToObject(req, "cmd", cmd);
	cJSON_AddStringToObject(req, "pin_dir", cli->s.pin_dir);
	cJSON_AddStringToObject(req, "addr", arg);
	return req;
}

/*
 * The line `arxdp block` prints, whichever path wrote the block: its time left as written
 * (0: permanent), or the operator's time that starts at execd's delete (bl_merge_block).
 */
static void print_block(const char *addr, bool extended, uint32_t expires_in, uint32_t after_execd,
			bool daemon)
{
	const char *via = daemon ? ", through arxdpd" : "";
	char dur[32];

	if (after_execd)
		printf("extended %s (held by execd until its delete, then %s%s)\n", addr,
		       duration_format(after_execd, dur, sizeof(dur)), via);
	else
		printf("%s %s (%s%s)\n", extended ? "extended" : "blocked", addr,
		       duration_format(expires_in, dur, sizeof(dur)), via);
}

cJSON *cli_block_json(const char *addr, enum bl_result res, const struct arxdp_block *v)
{
	cJSON *j = cJSON_CreateObject();

	if (render_block_result(j, addr, res == BL_EXTENDED, v)) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

static uint32_t reply_u32(const cJSON *reply, const char *name)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(reply, name);

	return cJSON_IsNumber(n) && n->valuedouble > 0 && n->valuedouble <= UINT32_MAX ?
		       (uint32_t)n->valuedouble :
		       0;
}

/*
 * Through arxdpd when it runs, so the block is logged and persisted: 1 when no daemon runs
 * (the caller writes the maps), else the verb's result.
 */
static int block_by_daemon(const struct cli *cli, const char *arg, const struct arxdp_addr *a,
			   uint32_t timeout, const struct bl_reason *why)
{
	cJSON *req = addr_request(cli, "block", arg), *reply;
	char buf[ADDR_STRLEN];
	int err;

	cJSON_AddNumberToObject(req, "timeout", timeout);
	if (why->rule_id)
		cJSON_AddNumberToObject(req, "rule_id", why->rule_id);
	if (why->level)
		cJSON_AddNumberToObject(req, "level", why->level);
	err = cli_daemon_verb(cli, req, &reply);
	if (err)
		return err;
	if (!cli->json)
		print_block(addr_format(a, buf, sizeof(buf)),
			    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply, "extended")),
			    reply_u32(reply, "expires_in"), reply_u32(reply, "after_execd_delete"),
			    true);
	cJSON_Delete(reply);
	return 0;
}

/* As block_by_daemon(). */
static int unblock_by_daemon(const struct cli *cli, const char *arg, const struct arxdp_addr *a)
{
	cJSON *reply;
	char buf[ADDR_STRLEN];
	int err;

	err = cli_daemon_verb(cli, addr_request(cli, "unblock", arg), &reply);
	if (err)
		return err;
	if (!cli->json)
		printf("unblocked %s (through arxdpd)\n", addr_format(a, buf, sizeof(buf)));
	cJSON_Delete(reply);
	return 0;
}

int do_block(struct cli *cli, int argc, char **argv)
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
	char buf[ADDR_STRLEN];
	int c, err;

	while ((c = getopt_long(argc, argv, "t:", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (cli_parse_duration(optarg, &timeout))
				return -EINVAL;
			break;
		case 'F':
			from = optarg;
			break;
		case 'r':
			if (cli_parse_u32("rule id", optarg, UINT32_MAX, &why.rule_id))
				return -EINVAL;
			break;
		case 'l':
			if (cli_parse_u32("level", optarg, 16, &lvl))
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
	if (!from && cli_parse_addr(argv[optind], &a))
		return -EINVAL;
	if (!from) {
		err = block_by_daemon(cli, argv[optind], &a, timeout, &why);
		if (err <= 0)
			return err;
	}
	/* One address opens its family's maps alone; only an add reads this host's addresses. */
	err = cli_open_or_create_maps(cli, &bl,
				      from ? BL_OPEN_ALL : bl_open_for(&a) | BL_OPEN_GUARD);
	if (err)
		return err;
	if (from) {
		err = block_from(cli, &bl, from, timeout, &why);
		goto out;
	}
	err = bl_block(&bl, &a, timeout, &why, &res, &v);
	if (err)
		goto out;
	addr_format(&a, buf, sizeof(buf));
	/* What was written, as arxdpd's reply says it: not the timeout asked for. */
	if (cli->json)
		err = cli_print_json(cli_block_json(buf, res, &v));
	else
		print_block(buf, res == BL_EXTENDED, v.expires_ns ? v.timeout_s : 0,
			    bl_after_execd_s(&v), false);
out:
	bl_close(&bl);
	return err;
}

int do_unblock(struct cli *cli, int argc, char **argv)
{
	struct blocklist bl;
	struct arxdp_addr a;
	char buf[ADDR_STRLEN];
	int err;

	if (argc != 2) {
		pr_warn("unblock: expected one ADDR[/PREFIX]");
		return -EINVAL;
	}
	if (cli_parse_addr(argv[1], &a))
		return -EINVAL;
	err = unblock_by_daemon(cli, argv[1], &a);
	if (err <= 0)
		return err;
	err = cli_open_maps(cli, &bl, bl_open_for(&a));
	if (err)
		return err;
	err = bl_unblock(&bl, &a);
	addr_format(&a, buf, sizeof(buf));
	if (err == -ENOENT)
		pr_warn("unblock '%s': not blocked", buf);
	else if (err)
		pr_warn("unblock '%s': map update failed: %s", buf, strerror(-err));
	else if (cli->json) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "unblocked", buf);
		err = cli_print_json(j);
	} else {
		printf("unblocked %s\n", buf);
	}
	bl_close(&bl);
	return err;
}

/* The result of flush and sweep: {"<key>": n}, or "removed <n> <what>". */
static int print_removed(const struct cli *cli, const char *key, uint64_t n, const char *what)
{
	cJSON *j;

	if (!cli->json) {
		printf("removed %" PRIu64 " %s\n", n, what);
		return 0;
	}
	j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, key, (double)n);
	return cli_print_json(j);
}

int do_flush(struct cli *cli, int argc, char **argv)
{
	struct blocklist bl;
	uint64_t n = 0;
	int err;

	err = cli_no_args(argc, argv) ?: cli_open_maps(cli, &bl, BL_OPEN_ALL & ~BL_OPEN_GUARD);
	if (err)
		return err;
	err = bl_flush(&bl, &n);
	if (err)
		pr_warn("flush: failed after %" PRIu64 " entries: %s", n, strerror(-err));
	else
		err = print_removed(cli, "removed", n, "blocks");
	bl_close(&bl);
	return err;
}

int do_sweep(struct cli *cli, int argc, char **argv)
{
	struct blocklist bl;
	uint32_t swept = 0;
	int err;

	err = cli_no_args(argc, argv) ?: cli_open_maps(cli, &bl, BL_OPEN_ALL & ~BL_OPEN_GUARD);
	if (err)
		return err;
	err = bl_sweep(&bl, mono_now_ns(), UINT32_MAX, NULL, NULL, &swept); /* one full pass */
	if (!err)
		err = print_removed(cli, "swept", swept, "expired blocks");
	bl_close(&bl);
	return err;
}