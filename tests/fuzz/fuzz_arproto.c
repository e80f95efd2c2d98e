// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: the firewall-drop stdin protocol. One line as execd (or an attacker who
 * controls alert fields) would write it: parse, command, address, rule, and the check_keys
 * reply and rkey built from what was read, as firewall-drop does. The address handed out must
 * be numeric and re-parse to the same value; the rkey must stay inside its buffer.
 */
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "addr.h"
#include "arproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char rkey[AR_RKEY_MAX], small[17];
	struct arxdp_addr a, b;
	const char *ip, *keys[1];
	cJSON *msg = NULL;
	uint32_t rule;
	uint8_t level;
	char *line, *reply;
	bool trunc;

	if (size > AR_INPUT_MAX)
		return 0;
	line = malloc(size + 1);
	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';

	/* The rkey side reads any line, parsed or not (execd reads the program's reply). */
	if (arproto_rkey(line, "firewall-drop", rkey, sizeof(rkey), &trunc) == 0 &&
	    strnlen(rkey, sizeof(rkey)) >= sizeof(rkey))
		abort();
	if (arproto_rkey(line, "firewall-drop", small, sizeof(small), &trunc) == 0 &&
	    strnlen(small, sizeof(small)) >= sizeof(small))
		abort();

	if (arproto_parse(line, &msg)) {
		free(line);
		return 0;
	}
	arproto_command_name(arproto_command(msg));
	arproto_rule(msg, &rule, &level);
	ip = arproto_srcip(msg, &a);
	if (ip) {
		if (addr_parse_host(ip, &b) || addr_cmp(&a, &b))
			abort();
		keys[0] = ip;
		reply = arproto_check_keys("firewall-drop", keys, 1);
		if (reply) {
			/* What firewall-drop prints must come back as one key under execd's parse. */
			if (strchr(reply, '\n'))
				abort();
			if (arproto_rkey(reply, "firewall-drop", rkey, sizeof(rkey), &trunc) ||
			    (!trunc &&
			     (strncmp(rkey, "firewall-drop-", 14) || strcmp(rkey + 14, ip))))
				abort();
			/* arxdpd's tree-less builder prints the same bytes. */
			{
				struct sbuf sb = {};

				arproto_check_keys_sb(&sb, "firewall-drop", keys, 1);
				if (!sb.oom && strcmp(sb.p, reply))
					abort();
				free(sb.p);
			}
			free(reply);
		}
	}
	cJSON_Delete(msg);
	free(line);
	return 0;
}
