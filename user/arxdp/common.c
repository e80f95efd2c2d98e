// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the helpers the `arxdp` verbs share: JSON output, opening the pinned
 * maps with a message that says what to do, the request to arxdpd, and argument parsing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/un.h>
#include "cli.h"
#include "ctl.h"
#include "log.h"
#include "util.h"

int cli_print_json(cJSON *o)
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

int cli_open_maps(const struct cli *cli, struct blocklist *bl, unsigned int what)
{
	const char *pin_dir = cli->s.pin_dir;
	int err = bl_open_some(bl, pin_dir, what);

	if (err == -ENOENT)
		pr_warn("pin directory '%s': arxdp is not loaded there: run 'arxdp attach IFACE' "
			"(or 'arxdp block' to preload blocks)",
			pin_dir);
	else if (err == -EACCES || err == -EPERM)
		pr_warn("pin directory '%s': permission denied: run as root", pin_dir);
	else if (err)
		pr_warn("pin directory '%s': cannot open the maps: %s", pin_dir, strerror(-err));
	return err;
}

void cli_loader_opts(const struct cli *cli, struct loader_opts *o)
{
	const struct arxdp_settings *s = &cli->s;

	memset(o, 0, sizeof(*o));
	o->pin_dir = s->pin_dir;
	o->capacity_v4 = s->capacity_v4;
	o->capacity_v6 = s->capacity_v6;
	o->cidr_capacity = s->cidr_capacity;
	o->dry_run = s->dry_run;
	o->dispatcher = s->xdp_dispatcher;
	o->no_block_counters = !s->block_counters;
	o->priority = s->xdp_priority;
}

int cli_open_or_create_maps(const struct cli *cli, struct blocklist *bl, unsigned int what)
{
	struct loader_opts o;
	int err, fd;

	err = bl_open_some(bl, cli->s.pin_dir, what);
	if (err != -ENOENT)
		return err ? cli_open_maps(cli, bl, what) : 0;
	cli_loader_opts(cli, &o);
	err = loader_get_prog(&o, &fd);
	if (err)
		return err;
	close(fd);
	return cli_open_maps(cli, bl, what);
}

int cli_daemon_request(const struct cli *cli, cJSON *req, cJSON **reply)
{
	const char *sock = cli->s.socket_path;
	char *s, *out = NULL;
	int err;

	*reply = NULL;
	/*
	 * No socket there: no daemon, as the connect would say (ENOENT), without printing the
	 * request first: cJSON prints a number with printf's %g and reads it back with sscanf,
	 * cold libc code that the CLI paid at every start without a daemon. A path too long for
	 * a socket address still goes to ctl_request, which says so.
	 */
	if (strlen(sock) < sizeof(((struct sockaddr_un *)0)->sun_path) && access(sock, F_OK) &&
	    errno == ENOENT)
		return 1;
	s = cJSON_PrintUnformatted(req);
	if (!s)
		return -ENOMEM;
	err = ctl_request(sock, s, &out);
	free(s);
	if (err == -ENOENT || err == -ECONNREFUSED)
		return 1;
	if (err) {
		pr_warn("control socket '%s': %s", sock, strerror(-err));
		return err;
	}
	*reply = cJSON_Parse(out);
	free(out);
	if (!*reply) {
		pr_warn("control socket '%s': the reply is not JSON", sock);
		return -EPROTO;
	}
	/* That daemon works on other maps than ours: write them directly. */
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(*reply, "pin_dir_mismatch"))) {
		pr_debug("arxdpd at '%s' uses another pin directory: working on '%s' directly",
			 sock, cli->s.pin_dir);
		cJSON_Delete(*reply);
		*reply = NULL;
		return 1;
	}
	return 0;
}

/* 0 when a daemon reply says ok, else -EINVAL with its error said. */
static int daemon_reply_result(const cJSON *reply)
{
	const cJSON *ok = cJSON_GetObjectItemCaseSensitive(reply, "ok");
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(reply, "error");

	if (!cJSON_IsTrue(ok)) {
		pr_warn("arxdpd: %s", cJSON_IsString(e) ? e->valuestring : "request failed");
		return -EINVAL;
	}
	return 0;
}

int cli_daemon_verb(const struct cli *cli, cJSON *req, cJSON **reply)
{
	int err = cli_daemon_request(cli, req, reply);

	cJSON_Delete(req);
	if (!err)
		err = daemon_reply_result(*reply);
	if (err) {
		cJSON_Delete(*reply);
		*reply = NULL;
		return err;
	}
	if (cli->json)
		cli_print_json(cJSON_Duplicate(*reply, true));
	return 0;
}

int cli_no_args(int argc, char **argv)
{
	if (argc != 1) {
		pr_warn("%s: takes no arguments", argv[0]);
		return -EINVAL;
	}
	return 0;
}

int cli_parse_u32(const char *what, const char *s, uint32_t max, uint32_t *out)
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

int cli_parse_duration(const char *s, uint32_t *out)
{
	int err = duration_parse(s, out);

	if (err)
		pr_warn("duration '%s': %s: use seconds or a number with s, m, h, d or w "
			"(30s, 10m, 4h, 1d); 0 means permanent",
			s, err == -ERANGE ? "too long" : "not a duration");
	return err;
}

int cli_parse_addr(const char *s, struct arxdp_addr *a)
{
	char err[160];

	if (addr_parse(s, a, err, sizeof(err))) {
		pr_warn("address %s", err);
		return -EINVAL;
	}
	return 0;
}
