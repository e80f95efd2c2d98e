// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the verbs that work offline, on files alone: `arxdp replay` and
 * `arxdp check-config` (their engine is replay.c in the library). Both read their own
 * configuration and options; the table in main.c says so with CLI_OWN_OPTIONS.
 */
#include "cli.h"
#include "replay.h"

int do_replay(struct cli *cli, int argc, char **argv)
{
	return cmd_replay(argc, argv);
}

int do_check_config(struct cli *cli, int argc, char **argv)
{
	return cmd_check_config(argc, argv);
}
