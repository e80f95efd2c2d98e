// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the ossec.conf reader declared in config.h; its XML layer is config_xml.c.
 * The acceptance rules, their order and the Wazuh message codes follow
 * src/config/active-response.c
 * (ReadActiveCommands, ReadActiveResponses), src/config/global-config.c and
 * src/os_execd/config.c as ../shared/ref/wazuh-active-response.md records them: the order of
 * the checks matters because the first failing one is the one Wazuh reports.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "arxdp.h"
#include "config.h"
#include "config_xml.h"
#include "log.h"
#include "util.h"

/* ---- ossec.conf ---------------------------------------------------------------------------- */

void config_free_ossec(struct ossec_config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->n_cmds; i++) {
		config_command_release(&cfg->cmds[i]);
		free(cfg->cmds[i].name);
		free(cfg->cmds[i].executable);
		free(cfg->cmds[i].extra_args);
	}
	for (i = 0; i < cfg->n_ars; i++) {
		free(cfg->ars[i].name);
		free(cfg->ars[i].location);
		free(cfg->ars[i].agent_id);
		free(cfg->ars[i].rules_group);
		oregex_free(&cfg->ars[i].group_re);
		free(cfg->ars[i].rules_id);
	}
	for (i = 0; i < cfg->n_wl_ip; i++)
		free(cfg->wl_ip[i].text);
	for (i = 0; i < cfg->n_wl_host; i++) {
		free(cfg->wl_host[i].text);
		oregex_free(&cfg->wl_host[i].re);
	}
	free(cfg->cmds);
	free(cfg->ars);
	free(cfg->wl_ip);
	free(cfg->wl_host);
	free(cfg->node_name);
	free(cfg->path);
	free(cfg);
}

const struct ossec_command *config_find_command(const struct ossec_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n_cmds; i++)
		if (!strcmp(cfg->cmds[i].name, name))
			return &cfg->cmds[i];
	return NULL;
}

static int read_command(const struct parse_ctx *pc, struct ossec_config *cfg, const xmlNode *blk)
{
	struct ossec_command c = { .line = (int)xml_line(blk) };
	const xmlNode *n;
	char *v = NULL;
	void *p;
	int ret = -EINVAL, guard = 0;

	for (n = blk->children; n && guard < CONFIG_MAX_CHILDREN; n = n->next, guard++) {
		if (!is_elem(n))
			continue;
		v = leaf_text(pc, n, "command");
		if (!v)
			goto out;
		if (!strcmp(ename(n), "name")) {
			if (v[0] == '!') {
				perr(pc, n, "command",
				     "invalid value '%s' for <name> (1235): a command name must not "
				     "start with '!' (execd reserves it for API commands)",
				     v);
				goto out;
			}
			replace(&c.name, v);
		} else if (!strcmp(ename(n), "executable")) {
			replace(&c.executable, v);
		} else if (!strcmp(ename(n), "timeout_allowed")) {
			if (strcmp(v, "yes") && strcmp(v, "no")) {
				perr(pc, n, "command",
				     "invalid value '%s' for <timeout_allowed> (1235): write 'yes' or "
				     "'no' (lower case)",
				     v);
				goto out;
			}
			c.timeout_allowed = !strcmp(v, "yes");
			free(v);
		} else if (!strcmp(ename(n), "extra_args")) {
			replace(&c.extra_args, v);
		} else if (!strcmp(ename(n), "expect")) {
			pr_debug(
				"%s '%s' line %ld: <command>: the <expect> tag is deprecated since "
				"version 4.2.0; ignored",
				pc->kind, pc->name, xml_line(n));
			free(v);
		} else {
			perr(pc, n, "command",
			     "invalid element <%s> (1230): remove it; <command> takes name, "
			     "executable, timeout_allowed, extra_args and expect",
			     ename(n));
			goto out;
		}
		v = NULL;
	}
	if (!c.name || !c.executable || !*c.name || !*c.executable) {
		perr(pc, blk, "command",
		     "missing command options (1280): a <command> needs both <name> and "
		     "<executable>");
		goto out;
	}
	p = grow(cfg->cmds, cfg->n_cmds, sizeof(*cfg->cmds));
	if (!p) {
		ret = -ENOMEM;
		perr(pc, blk, "command", "out of memory");
		goto out;
	}
	cfg->cmds = p;
	cfg->cmds[cfg->n_cmds++] = c;
	return 0;
out:
	free(v);
	free(c.name);
	free(c.executable);
	free(c.extra_args);
	return ret;
}

static void free_ar(struct ossec_ar *ar)
{
	free(ar->name);
	free(ar->location);
	free(ar->agent_id);
	free(ar->rules_group);
	free(ar->rules_id);
	oregex_free(&ar->group_re);
}

/* The location regexes of ReadActiveResponses, applied with OS_Regex semantics. */
static unsigned int location_flags(const char *loc, bool *defined)
{
	static const struct {
		const char *re;
		unsigned int flag;
	} tab[] = {
		{ "AS|analysisd|analysis-server|server", AR_LOC_AS_ONLY },
		{ "local", AR_LOC_REMOTE_AGENT },
		{ "defined-agent", AR_LOC_SPECIFIC_AGENT },
		{ "all|any", AR_LOC_ALL_AGENTS },
	};
	unsigned int flags = 0;
	struct oregex re;
	size_t i;

	*defined = false;
	for (i = 0; i < ARRAY_SIZE(tab); i++) {
		if (oregex_compile(&re, tab[i].re, OREGEX_REGEX, NULL, 0))
			continue;
		if (oregex_match(&re, loc)) {
			flags |= tab[i].flag;
			if (tab[i].flag == AR_LOC_SPECIFIC_AGENT)
				*defined = true;
		}
		oregex_free(&re);
	}
	return flags;
}

/* execd's <repeated_offenders>: OS_StrBreak(',', v, 5), leading blanks skipped, atoi, 0 ends. */
static void read_repeated(struct ossec_config *cfg, const char *v, const char *name, long line)
{
	const char *p = v, *comma;
	int i;

	cfg->n_repeated = 0;
	for (i = 0; i < AR_REPEATED_MAX && p; i++) {
		int val;

		comma = i < AR_REPEATED_MAX - 1 ? strchr(p, ',') : NULL;
		while (*p == ' ' || *p == '\t')
			p++;
		/* ExecdConfig skips an empty piece ("1,,5" is 1, 5); it still counts in the 5. */
		if (!*p || *p == ',') {
			p = comma ? comma + 1 : NULL;
			continue;
		}
		val = atoi(p);
		if (val <= 0)
			break;
		cfg->repeated[cfg->n_repeated++] = (uint32_t)val;
		pr_debug("ossec.conf '%s' line %ld: adding offenders timeout: %d (for #%d)", name,
			 line, val, i + 1);
		p = comma ? comma + 1 : NULL;
	}
}

static int read_ar(const struct parse_ctx *pc, struct ossec_config *cfg, const xmlNode *blk,
		   bool *seen_repeated)
{
	struct ossec_ar ar = { .line = (int)xml_line(blk) };
	char *location = NULL, *v = NULL;
	bool disabled = false, rpt = false, defined;
	const xmlNode *n;
	char namebuf[512];
	int ret = -EINVAL, guard = 0, timeout = 0;
	void *p;

	for (n = blk->children; n && guard < CONFIG_MAX_CHILDREN; n = n->next, guard++) {
		if (!is_elem(n))
			continue;
		v = leaf_text(pc, n, "active-response");
		if (!v)
			goto out;
		if (!strcmp(ename(n), "command")) {
			replace(&ar.name, v); /* the command name until the block is accepted */
		} else if (!strcmp(ename(n), "location")) {
			replace(&location, v);
		} else if (!strcmp(ename(n), "agent_id")) {
			replace(&ar.agent_id, v);
		} else if (!strcmp(ename(n), "rules_id")) {
			replace(&ar.rules_id, v);
		} else if (!strcmp(ename(n), "rules_group")) {
			replace(&ar.rules_group, v);
		} else if (!strcmp(ename(n), "level")) {
			if (!str_is_num(v) || atoi(v) > 20) {
				perr(pc, n, "active-response",
				     "invalid value '%s' for <level> (1235): write a number from 0 "
				     "to 20",
				     v);
				goto out;
			}
			ar.level = atoi(v);
			free(v);
		} else if (!strcmp(ename(n), "timeout")) {
			timeout = atoi(v); /* unvalidated, as in Wazuh */
			free(v);
		} else if (!strcmp(ename(n), "disabled")) {
			if (strcmp(v, "yes") && strcmp(v, "no")) {
				perr(pc, n, "active-response",
				     "invalid value '%s' for <disabled> (1235): write 'yes' or 'no' "
				     "(lower case)",
				     v);
				goto out;
			}
			/* "no" never undoes a "yes" of the same block (ar_flag stays -1). */
			if (!strcmp(v, "yes"))
				disabled = true;
			free(v);
		} else if (!strcmp(ename(n), "repeated_offenders")) {
			rpt = true;
			if (!*seen_repeated) {
				*seen_repeated = true;
				read_repeated(cfg, v, pc->name, xml_line(n));
			}
			free(v);
		} else if (!strcmp(ename(n), "ca_store")) {
			free(v); /* legacy agent-upgrade setting, ignored here as in Wazuh */
		} else {
			perr(pc, n, "active-response",
			     "invalid element <%s> (1230): remove it; <active-response> takes "
			     "disabled, command, location, agent_id, level, rules_group, rules_id, "
			     "timeout and repeated_offenders",
			     ename(n));
			goto out;
		}
		v = NULL;
	}

	if (disabled) {
		/*
		 * ReadActiveResponses: ar_flag = -1 while reading, then "reset ar_flag, the next
		 * ar command may not be disabled": ar_flag = 0, which also drops the queue flags
		 * of every earlier block; later enabled blocks set them again.
		 */
		cfg->ar_queue = 0;
		cfg->n_disabled++;
		pr_debug("%s '%s' line %d: <active-response>: command '%s' is disabled", pc->kind,
			 pc->name, ar.line, ar.name ? ar.name : "");
		ret = 0;
		goto out;
	}
	if (!ar.name || !location || !*ar.name || !*location) {
		if (rpt) {
			ret = 0; /* an execd-only block (repeated_offenders) */
			goto out;
		}
		perr(pc, blk, "active-response",
		     "missing options in the active response configuration (1281): a block "
		     "needs <command> and <location> (or <disabled>yes</disabled>)");
		goto out;
	}
	ar.loc = location_flags(location, &defined);
	if (defined) {
		if (!ar.agent_id) {
			perr(pc, blk, "active-response",
			     "no agent defined for response (1304): location 'defined-agent' "
			     "needs <agent_id>");
			goto out;
		}
		ar.agent_num = atoi(ar.agent_id);
		if (!ar.agent_num) {
			pr_warn("%s '%s' line %d: <active-response>: invalid agent ID '%s' (1306): "
				"use location=server to run AR on the manager; block ignored",
				pc->kind, pc->name, ar.line, ar.agent_id);
			cfg->n_warnings++;
			ret = 0;
			goto out;
		}
	}
	if (!ar.loc) {
		perr(pc, blk, "active-response",
		     "invalid active response location '%s' (1302): use server, local, "
		     "defined-agent or all",
		     location);
		goto out;
	}
	ar.cmd = config_find_command(cfg, ar.name);
	ar.cmd_index = ar.cmd ? (size_t)(ar.cmd - cfg->cmds) : 0;
	if (!ar.cmd) {
		perr(pc, blk, "active-response",
		     "unknown command '%s' (1303): define it in a <command> block placed before "
		     "this one",
		     ar.name);
		goto out;
	}
	if (timeout && !ar.cmd->timeout_allowed) {
		pr_info("%s '%s' line %d: <active-response>: timeout not allowed for command "
			"'%s' (1305): timeout set to 0; add <timeout_allowed>yes</timeout_allowed> "
			"to the command to keep it",
			pc->kind, pc->name, ar.line, ar.cmd->name);
		timeout = 0;
	}
	ar.wazuh_timeout = timeout;
	ar.timeout = timeout > 0 ? (uint32_t)timeout : timeout < 0 ? 1u : 0u;
	if (ar.rules_group) {
		char rerr[160];

		if (oregex_compile(&ar.group_re, ar.rules_group, OREGEX_REGEX, rerr,
				   sizeof(rerr))) {
			perr(pc, blk, "active-response",
			     "invalid <rules_group> (1235): %s: write groups separated by '|'",
			     rerr);
			goto out;
		}
	}
	snprintf(namebuf, sizeof(namebuf), "%s%d", ar.cmd->name, timeout);
	replace(&ar.name, strdup(namebuf));
	ar.location = location;
	location = NULL;
	p = grow(cfg->ars, cfg->n_ars, sizeof(*cfg->ars));
	if (!ar.name || !p) {
		ret = -ENOMEM;
		perr(pc, blk, "active-response", "out of memory");
		goto out;
	}
	cfg->ars = p;
	if (ar.loc & (AR_LOC_AS_ONLY | AR_LOC_REMOTE_AGENT))
		cfg->ar_queue |= AR_QUEUE_LOCAL;
	if (ar.loc & (AR_LOC_ALL_AGENTS | AR_LOC_REMOTE_AGENT | AR_LOC_SPECIFIC_AGENT))
		cfg->ar_queue |= AR_QUEUE_REMOTE;
	cfg->ars[cfg->n_ars++] = ar;
	return 0;
out:
	free(v);
	free(location);
	free_ar(&ar);
	return ret;
}

static bool parse_octets(const char *s, const char **end, uint32_t *out)
{
	uint32_t v = 0;
	int i, d;

	for (i = 0; i < 4; i++) {
		unsigned int oct = 0;

		if (i && *s++ != '.')
			return false;
		for (d = 0; d < 3 && isdigit((unsigned char)*s); d++)
			oct = oct * 10 + (unsigned int)(*s++ - '0');
		if (!d || oct > 255)
			return false;
		v = v << 8 | oct;
	}
	*end = s;
	*out = v;
	return true;
}

/*
 * OS_IsValidIP for 4.x white lists: ^!?\d{1,3}(\.\d{1,3}){3}(/\d{1,2}(\d(\.\d{1,3}){3})?)?$
 * and the numbers in range. Anything else is a host-name pattern.
 */
static bool parse_wl_ip(const char *text, struct ossec_wl_ip *e)
{
	const char *s = text, *end;
	uint32_t ip, mask;

	e->negate = *s == '!';
	if (e->negate)
		s++;
	if (!parse_octets(s, &end, &ip))
		return false;
	s = end;
	mask = 0xffffffffu;
	if (*s == '/') {
		const char *m = ++s;
		int digits = 0;

		while (isdigit((unsigned char)m[digits]))
			digits++;
		if (m[digits] == '.') {
			/* dotted netmask: its first octet has 2 or 3 digits per the regex */
			if (digits < 2 || !parse_octets(m, &end, &mask) || *end)
				return false;
		} else {
			if (digits < 1 || digits > 2 || m[digits] || atoi(m) > 32)
				return false;
			mask = atoi(m) ? 0xffffffffu << (32 - atoi(m)) : 0;
		}
	} else if (*s) {
		return false;
	}
	e->mask = mask;
	e->net = ip & mask;
	return true;
}

static int read_global(const struct parse_ctx *pc, struct ossec_config *cfg, const xmlNode *blk)
{
	const xmlNode *n;
	int guard = 0;
	char *v;

	for (n = blk->children; n && guard < CONFIG_MAX_CHILDREN; n = n->next, guard++) {
		struct ossec_wl_ip ip = { 0 };
		char rerr[160];
		void *p;

		if (!is_elem(n) || strcmp(ename(n), "white_list"))
			continue;
		v = leaf_text(pc, n, "global");
		if (!v)
			return -EINVAL;
		if (!*v) {
			free(v);
			perr(pc, n, "global",
			     "empty <white_list> (1234): write an address, a CIDR or a host name");
			return -EINVAL;
		}
		if (parse_wl_ip(v, &ip)) {
			p = grow(cfg->wl_ip, cfg->n_wl_ip, sizeof(*cfg->wl_ip));
			if (!p)
				goto nomem;
			cfg->wl_ip = p;
			ip.text = v;
			cfg->wl_ip[cfg->n_wl_ip++] = ip;
			continue;
		}
		p = grow(cfg->wl_host, cfg->n_wl_host, sizeof(*cfg->wl_host));
		if (!p)
			goto nomem;
		cfg->wl_host = p;
		if (oregex_compile(&cfg->wl_host[cfg->n_wl_host].re, v, OREGEX_MATCH, rerr,
				   sizeof(rerr))) {
			perr(pc, n, "global", "invalid <white_list> '%s': %s", v, rerr);
			free(v);
			return -EINVAL;
		}
		cfg->wl_host[cfg->n_wl_host++].text = v;
	}
	return 0;
nomem:
	free(v);
	perr(pc, blk, "global", "out of memory");
	return -ENOMEM;
}

static int read_cluster(const struct parse_ctx *pc, struct ossec_config *cfg, const xmlNode *blk)
{
	const xmlNode *n;
	int guard = 0;
	char *v;

	for (n = blk->children; n && guard < CONFIG_MAX_CHILDREN; n = n->next, guard++) {
		if (!is_elem(n) || strcmp(ename(n), "node_name"))
			continue;
		v = leaf_text(pc, n, "cluster");
		if (!v)
			return -EINVAL;
		replace(&cfg->node_name, v);
	}
	return 0;
}

/*
 * wazuh-execd's own switch. ExecdConfig (src/os_execd/config.c) reads it with
 * OS_GetOneContentforElement(&xml, {"ossec_config", "active-response", "disabled"}) and keeps
 * only the first value found. The path walk of os_xml (_GetElementContent in
 * src/os_xml/os_xml_access.c) goes through the flat node list with a depth j: a node of the
 * wanted name at depth j moves it one level down; a node shallower than j resets it to 0 and is
 * looked at again. Once the walk is inside the first <active-response> of a root (j = 2), the
 * next node at depth 1 (a sibling block, or an attribute of the block, which os_xml stores at
 * the block's own depth) resets it, and at depth 0 only the next <ossec_config> matches again.
 * So execd sees the <disabled> children of the first <active-response> of each root only (empty blocks
 * count, analysisd skips them); an attribute on the root or on that block hides the root. The
 * first root whose first block holds a <disabled> decides; analysisd has already validated
 * every value. Sets cfg->execd_disabled and the line of the <disabled> that decided.
 */
static void read_execd_switch(const struct parse_ctx *pc, struct ossec_config *cfg,
			      const xmlNode *root)
{
	const xmlNode *top, *n, *d;
	int guard = 0, guard2, guard3;

	for (top = root->children; top && guard < CONFIG_MAX_CHILDREN; top = top->next, guard++) {
		if (!is_elem(top) || top->properties || top->nsDef)
			continue;
		for (n = top->children, guard2 = 0; n && guard2 < CONFIG_MAX_CHILDREN;
		     n = n->next, guard2++)
			if (is_elem(n) && !strcmp(ename(n), "active-response"))
				break;
		if (!n || n->properties || n->nsDef)
			continue;
		for (d = n->children, guard3 = 0; d && guard3 < CONFIG_MAX_CHILDREN;
		     d = d->next, guard3++) {
			char *v;

			if (!is_elem(d) || strcmp(ename(d), "disabled"))
				continue;
			v = leaf_text(pc, d, "active-response");
			cfg->execd_disabled = v && !strcmp(v, "yes");
			cfg->execd_disabled_line = (int)xml_line(d);
			free(v);
			return;
		}
	}
}

static int walk_ossec(const struct parse_ctx *pc, struct ossec_config *cfg, const xmlNode *root)
{
	bool seen_repeated = false;
	const xmlNode *top, *n;
	int ret = 0, guard = 0, guard2;

	for (top = root->children; top && guard < CONFIG_MAX_CHILDREN; top = top->next, guard++) {
		if (!is_elem(top))
			continue;
		if (strcmp(ename(top), "ossec_config")) {
			perr(pc, top, ename(top),
			     "invalid element in the configuration (1230): the top level holds "
			     "only <ossec_config> blocks");
			return -EINVAL;
		}
		for (n = top->children, guard2 = 0; n && guard2 < CONFIG_MAX_CHILDREN;
		     n = n->next, guard2++) {
			/* Wazuh skips a block without child elements (chld_node == NULL). */
			if (!is_elem(n) || !has_child_elem(n))
				continue;
			if (!strcmp(ename(n), "command"))
				ret = read_command(pc, cfg, n);
			else if (!strcmp(ename(n), "active-response"))
				ret = read_ar(pc, cfg, n, &seen_repeated);
			else if (!strcmp(ename(n), "global"))
				ret = read_global(pc, cfg, n);
			else if (!strcmp(ename(n), "cluster"))
				ret = read_cluster(pc, cfg, n);
			if (ret)
				return ret;
		}
	}
	read_execd_switch(pc, cfg, root);
	return 0;
}

void config_command_release(struct ossec_command *c)
{
	free(c->extra_argv);
	free(c->extra_buf);
	free(c->program);
	c->extra_argv = NULL;
	c->extra_buf = c->program = NULL;
	c->n_extra = 0;
}

int config_command_prepare(struct ossec_command *c)
{
	char *tok, *save = NULL;
	size_t max;

	config_command_release(c);
	if (asprintf(&c->program, "active-response/bin/%s", c->executable) < 0) {
		c->program = NULL;
		return -ENOMEM;
	}
	if (!c->extra_args)
		return 0;
	/* execd splits on single spaces with strtok: empty tokens vanish. */
	max = strlen(c->extra_args) / 2 + 1;
	c->extra_buf = strdup(c->extra_args);
	c->extra_argv = calloc(max, sizeof(*c->extra_argv));
	if (!c->extra_buf || !c->extra_argv) {
		config_command_release(c);
		return -ENOMEM;
	}
	for (tok = strtok_r(c->extra_buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		c->extra_argv[c->n_extra++] = tok;
	return 0;
}

int config_parse_ossec(struct ossec_config **out, const char *name, const char *buf, size_t len,
		       char *err, size_t errlen)
{
	struct parse_ctx pc = { "ossec.conf", name, err, errlen };
	struct ossec_config *cfg;
	xmlDoc *doc = NULL;
	int ret;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return -ENOMEM;
	cfg->path = strdup(name);
	if (!cfg->path) {
		ret = -ENOMEM;
		goto out;
	}
	doc = parse_xml(&pc, buf, len);
	if (!doc) {
		ret = -EINVAL;
		goto out;
	}
	ret = walk_ossec(&pc, cfg, xml_root(doc));
	for (size_t i = 0; !ret && i < cfg->n_cmds; i++)
		ret = config_command_prepare(&cfg->cmds[i]);
	/* A <command> read after an <active-response> may have moved the array under it. */
	for (size_t i = 0; !ret && i < cfg->n_ars; i++)
		cfg->ars[i].cmd = &cfg->cmds[cfg->ars[i].cmd_index];
	if (ret)
		goto out;
	if (!cfg->node_name)
		cfg->node_name = strdup("undefined");
	if (!cfg->node_name) {
		ret = -ENOMEM;
		goto out;
	}
	*out = cfg;
	cfg = NULL;
out:
	if (doc)
		xml_free_doc(doc);
	config_free_ossec(cfg);
	return ret;
}

int config_load_ossec(struct ossec_config **out, const char *path, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int ret;

	*out = NULL;
	ret = config_read_named(
		"ossec.conf", path,
		": give the right path with --ossec-conf or <ossec_conf> in arxdp.conf", &buf, &len,
		err, errlen);
	if (ret)
		return ret;
	ret = config_parse_ossec(out, path, buf, len, err, errlen);
	free(buf);
	return ret;
}
