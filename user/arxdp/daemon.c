// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* This file contains `arxdp reload`: the one verb that only arxdpd can carry out. */
#include <errno.h>
#include <stdio.h>
#include "cli.h"
#include "log.h"

int do_reload(struct cli *cli, int argc, char **argv)
{
	cJSON *req = cJSON_CreateObject(), *reply = NULL;
	int err;

	if (argc != 1) {
		pr_warn("reload: takes no arguments");
		cJSON_Delete(req);
		return -EINVAL;
	}
	cJSON_AddStringToObject(req, "cmd", "reload");
	err = cli_daemon_request(cli, req, &reply);
	cJSON_Delete(req);
	if (err == 1) {
		pr_warn("reload: arxdpd is not running (no socket at '%s')", cli->s.socket_path);
		return -ENOENT;
	}
	if (!err)
		err = cli_daemon_reply_result(reply);
	if (!err) {
		if (cli->json)
			cli_print_json(cJSON_Duplicate(reply, true));
		else
			printf("arxdpd reloaded its configuration\n");
	}
	cJSON_Delete(reply);
	return err;
}