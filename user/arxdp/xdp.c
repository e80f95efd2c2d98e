// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the verbs on the XDP attachment: `arxdp attach` (loading the program
 * over the pinned maps first when needed) and `arxdp detach`, which keeps every block.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include "cli.h"
#include "log.h"

int do_attach(struct cli *cli, int argc, char **argv)
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
	enum arxdp_xdp_mode mode = cli->s.mode, used;
	struct loader_opts o;
	bool force = false, reload = false;
	uint32_t cap;
	int c, err;

	cli_loader_opts(cli, &o);
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
			if (cli_parse_u32("capacity", optarg, 1u << 28, &cap))
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
			if (cli_parse_u32("priority", optarg, 1000, &cap))
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
	if (cli->json) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "attached", argv[optind]);
		cJSON_AddStringToObject(j, "mode", mode_name(used));
		return cli_print_json(j);
	}
	printf("attached to %s in %s mode%s\n", argv[optind], mode_name(used),
	       o.dry_run ? " (dry run: nothing is dropped)" : "");
	return 0;
}

int do_detach(struct cli *cli, int argc, char **argv)
{
	int err;

	if (argc != 2) {
		pr_warn("detach: expected one interface name");
		return -EINVAL;
	}
	err = loader_detach(cli->s.pin_dir, argv[1]);
	if (err)
		return err;
	if (cli->json) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "detached", argv[1]);
		return cli_print_json(j);
	}
	printf("detached from %s; blocks kept\n", argv[1]);
	return 0;
}