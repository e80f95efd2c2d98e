// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* This file contains `arxdp reload`: the one verb that only arxdpd can carry out. */
#include <errno.h>
#include <stdio.h>
#include "cli.h"
#include "log.h"

int do_reload(struct cli *cli, int argc, char **argv)
{
	cJSON *req, *reply;
	int err;

	if (cli_no_args(argc, argv))
		return -EINVAL;
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "cmd", "reload");
	err = cli_daemon_verb(cli, req, &reply);
	if (err == 1) {
		pr_warn("reload: arxdpd is not running (no socket at '%s')", cli->s.socket_path);
		return -ENOENT;
	}
	if (err)
		return err;
	if (!cli->json)
		printf("arxdpd reloaded its configuration\n");
	cJSON_Delete(reply);
	return 0;
}
