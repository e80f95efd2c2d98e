// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the `arxdp` command line's dispatcher: global options, arxdp.conf, and a
 * table of verbs (each a do_<verb> in the file of its noun, see cli.h) over the pinned maps (no
 * daemon needed), with a readable text form and --json for machines. In JSON mode errors are
 * JSON too: warnings are collected and the last one becomes {"error": ...} on stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "config.h"
#include "log.h"
#include "util.h"

static void json_sink(enum log_level level, const char *msg, void *ctx)
{
	struct cli *cli = ctx;

	if (level == LOG_LEVEL_WARN)
		str_copy(cli->last_error, msg, sizeof(cli->last_error));
	if (level <= log_get_level())
		fprintf(stderr, "arxdp: %s\n", msg);
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

static int do_help(struct cli *cli, int argc, char **argv);
static int do_version(struct cli *cli, int argc, char **argv)
{
	printf("arxdp %s\n", ARXDP_VERSION);
	return 0;
}

static const struct cli_cmd cmds[] = {
	{ "attach", do_attach, true,
	  "IFACE [--mode auto|native|skb] [--force] [--dry-run] [--reload] [--capacity N] "
	  "[--no-dispatcher] [--priority N] [--no-block-counters]",
	  0 },
	{ "detach", do_detach, true, "IFACE", 0 },
	{ "block", do_block, true,
	  "ADDR[/PREFIX] [--timeout DURATION] [--rule ID] [--level N] | --from FILE|-", 0 },
	{ "unblock", do_unblock, true, "ADDR[/PREFIX]", 0 },
	{ "flush", do_flush, true, "", 0 },
	{ "sweep", do_sweep, true, "", 0 },
	{ "list", do_list, false, "[--all] [--json]", 0 },
	{ "stats", do_stats, false, "[--json]", 0 },
	{ "status", do_status, false, "[--json]", 0 },
	{ "metrics", do_metrics, false, "[--textfile PATH]", 0 },
	{ "top", do_top, false, "[--interval MS] [--iterations N] [--once]", 0 },
	{ "reload", do_reload, true, "(asks arxdpd to re-read its configuration)", 0 },
	{ "replay", do_replay, false,
	  "[--ossec-conf FILE] [--config FILE] [--own ADDR]... [--json] FILE...",
	  CLI_OWN_OPTIONS | CLI_JSON_STREAM },
	{ "check-config", do_check_config, false, "[--ossec-conf FILE] [--config FILE]",
	  CLI_OWN_OPTIONS },
	{ "version", do_version, false, "", 0 },
	{ "help", do_help, false, "", 0 },
};

static int do_help(struct cli *cli, int argc, char **argv)
{
	size_t i;

	printf("Usage: arxdp [--pin-dir DIR] [--socket PATH] [--config FILE] [--json] [-v] "
	       "COMMAND [ARGS]\n\n"
	       "Blocks source addresses at XDP through the maps pinned in the pin directory\n"
	       "(default %s, or $%s). No daemon is needed.\n\nCommands:\n",
	       ARXDP_PIN_DIR_DEFAULT, ARXDP_PIN_DIR_ENV);
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		printf("  %-13s %s\n", cmds[i].name, cmds[i].help);
	printf("\nDURATION: seconds, or 30s, 10m, 4h, 1d, 2w; 0 or none = permanent.\n"
	       "Exit status: 0 on success, 1 on an error (the message says which), 2 on an unknown\n"
	       "command or global option.\n");
	return 0;
}

static const struct cli_cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(name, cmds[i].name))
			return &cmds[i];
	return NULL;
}

/*
 * The verb's own argv: --json, --pin-dir and -v are accepted after the verb too and taken out
 * here; the rest is the verb's. 1 when --help was answered here, -ENAMETOOLONG (said) for a
 * --pin-dir that does not fit.
 */
static int verb_args(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
		     char **sub_argv, int *sub_argc)
{
	bool own = cmd->flags & CLI_OWN_OPTIONS;
	int i;

	*sub_argc = 0;
	for (i = 0; i < argc; i++) {
		if (i > 0 && (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))) {
			cli->json = true;
		} else if (i > 0 && (!strcmp(argv[i], "-v") || !strcmp(argv[i], "-vv"))) {
			cli->verbose += argv[i][2] ? 2 : 1;
		} else if (i > 0 && !strcmp(argv[i], "--pin-dir") && i + 1 < argc) {
			if (str_copy(cli->s.pin_dir, argv[++i], sizeof(cli->s.pin_dir))) {
				fprintf(stderr,
					"arxdp: --pin-dir '%s': too long: at most %zu characters\n",
					argv[i], sizeof(cli->s.pin_dir) - 1);
				return -ENAMETOOLONG;
			}
		} else if (i > 0 && (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) &&
			   !own) {
			printf("Usage: arxdp %s %s\n", cmd->name, cmd->help);
			return 1;
		} else {
			sub_argv[(*sub_argc)++] = argv[i];
		}
	}
	if (cli->json && (cmd->flags & CLI_JSON_STREAM))
		sub_argv[(*sub_argc)++] = "--json";
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
	const struct cli_cmd *cmd;
	struct cli cli = {};
	int c, err, sub_argc;
	char **sub_argv;

	if (settings_defaults(&cli.s)) {
		fprintf(stderr,
			"arxdp: environment 'ARXDP_PIN_DIR' or 'ARXDP_SOCKET': value is too "
			"long: at most %d characters\n",
			ARXDP_PATH_LEN - 1);
		return 2;
	}
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
			cli.json = true;
			break;
		case 'v':
			cli.verbose++;
			break;
		case 'h':
			return do_help(&cli, 0, NULL), 0;
		case 'V':
			return do_version(&cli, 0, NULL), 0;
		default:
			fprintf(stderr, "Try 'arxdp help'.\n");
			return 2;
		}
	}
	if (optind >= argc) {
		do_help(&cli, 0, NULL);
		return 2;
	}
	cmd = find_cmd(argv[optind]);
	/* arxdp.conf names the pin directory, socket and capacities; flags win over it. */
	path = settings_path(config);
	if (path && !(cmd && (cmd->flags & CLI_OWN_OPTIONS)) &&
	    settings_load(&cli.s, path, cerr, sizeof(cerr))) {
		fprintf(stderr, "arxdp: %s\n", cerr);
		return 1;
	}
	if (pin_dir && str_copy(cli.s.pin_dir, pin_dir, sizeof(cli.s.pin_dir))) {
		fprintf(stderr, "arxdp: --pin-dir '%s': too long: at most %zu characters\n",
			pin_dir, sizeof(cli.s.pin_dir) - 1);
		return 2;
	}
	if (socket_path && str_copy(cli.s.socket_path, socket_path, sizeof(cli.s.socket_path))) {
		fprintf(stderr, "arxdp: --socket '%s': too long: at most %zu characters\n",
			socket_path, sizeof(cli.s.socket_path) - 1);
		return 2;
	}
	if (!cmd) {
		fprintf(stderr, "arxdp: unknown command '%s'; try 'arxdp help'\n", argv[optind]);
		return 2;
	}

	sub_argv = calloc(argc + 1, sizeof(*sub_argv));
	if (!sub_argv)
		return 1;
	err = verb_args(&cli, cmd, argc - optind, argv + optind, sub_argv, &sub_argc);
	if (err) {
		free(sub_argv);
		return err < 0 ? 2 : 0;
	}
	log_set_level(cli.verbose >= 2 ? LOG_LEVEL_TRACE :
		      cli.verbose == 1 ? LOG_LEVEL_DEBUG :
					 LOG_LEVEL_INFO);
	if (cli.json)
		log_set_sink(json_sink, &cli);

	err = cmd->needs_root ? need_root(cmd->name) : 0;
	if (!err) {
		optind = 0; /* 0, not 1: glibc re-initialises and permutes again */
		err = cmd->fn(&cli, sub_argc, sub_argv);
	}
	if (err && cli.json && !(cmd->flags & CLI_JSON_STREAM)) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "error",
					cli.last_error[0] ? cli.last_error : errstr(err));
		cli_print_json(j);
	}
	free(sub_argv);
	fflush(stdout);
	return err ? 1 : 0;
}
