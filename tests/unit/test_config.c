// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the tests of the ossec.conf and arxdp.conf readers (user/lib/config.c): every
 * fatal Wazuh error with its exact message, the warnings that skip one block, and the quirks
 * that change what runs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include "arxdp.h"
#include "config.h"
#include "log.h"

#define INV "tests/data/conf/invalid/"
#define PFX(f) "ossec.conf '" INV f "' "

struct bad_case {
	char file[64];
	int ret;
	char err[CONFIG_ERR_MAX];
};

ParameterizedTestParameters(config, invalid_ossec)
{
	static struct bad_case cases[] = {
		{ "1230-command.conf", -EINVAL,
		  PFX("1230-command.conf") "line 6: <command>: invalid element <timeout> (1230): "
					   "remove it; <command> takes name, executable, "
					   "timeout_allowed, extra_args and expect" },
		{ "1230-ar.conf", -EINVAL,
		  PFX("1230-ar.conf") "line 11: <active-response>: invalid element <rule_id> "
				      "(1230): remove it; <active-response> takes disabled, command, "
				      "location, agent_id, level, rules_group, rules_id, timeout and "
				      "repeated_offenders" },
		{ "1230-root.conf", -EINVAL,
		  PFX("1230-root.conf") "line 4: <agent_config>: invalid element in the "
					"configuration (1230): the top level holds only "
					"<ossec_config> blocks" },
		{ "1235-timeout-allowed.conf", -EINVAL,
		  PFX("1235-timeout-allowed.conf") "line 6: <command>: invalid value 'Yes' for "
						   "<timeout_allowed> (1235): write 'yes' or 'no' "
						   "(lower case)" },
		{ "1235-name-bang.conf", -EINVAL,
		  PFX("1235-name-bang.conf") "line 4: <command>: invalid value '!x' for <name> "
					     "(1235): a command name must not start with '!' "
					     "(execd reserves it for API commands)" },
		{ "1235-level.conf", -EINVAL,
		  PFX("1235-level.conf") "line 11: <active-response>: invalid value '21' for "
					 "<level> (1235): write a number from 0 to 20" },
		{ "1235-level-sign.conf", -EINVAL,
		  PFX("1235-level-sign.conf") "line 11: <active-response>: invalid value '+5' for "
					      "<level> (1235): write a number from 0 to 20" },
		{ "1235-disabled.conf", -EINVAL,
		  PFX("1235-disabled.conf") "line 9: <active-response>: invalid value 'true' for "
					    "<disabled> (1235): write 'yes' or 'no' (lower case)" },
		{ "1280.conf", -EINVAL,
		  PFX("1280.conf") "line 3: <command>: missing command options (1280): a "
				   "<command> needs both <name> and <executable>" },
		{ "1281.conf", -EINVAL,
		  PFX("1281.conf") "line 8: <active-response>: missing options in the active "
				   "response configuration (1281): a block needs <command> and "
				   "<location> (or <disabled>yes</disabled>)" },
		/* the reference sample holds the agent's <disabled>no</disabled>-only block */
		{ "1281-agent-block.conf", -EINVAL,
		  PFX("1281-agent-block.conf") "line 99: <active-response>: missing options in the "
					       "active response configuration (1281): a block "
					       "needs <command> and <location> (or "
					       "<disabled>yes</disabled>)" },
		{ "1302.conf", -EINVAL,
		  PFX("1302.conf") "line 8: <active-response>: invalid active response location "
				   "'manager' (1302): use server, local, defined-agent or all" },
		{ "1303.conf", -EINVAL,
		  PFX("1303.conf") "line 8: <active-response>: unknown command 'foo' (1303): "
				   "define it in a <command> block placed before this one" },
		{ "1303-order.conf", -EINVAL,
		  PFX("1303-order.conf") "line 3: <active-response>: unknown command "
					 "'firewall-drop' (1303): define it in a <command> block "
					 "placed before this one" },
		{ "1304.conf", -EINVAL,
		  PFX("1304.conf") "line 8: <active-response>: no agent defined for response "
				   "(1304): location 'defined-agent' needs <agent_id>" },
		{ "xml.conf", -EINVAL,
		  PFX("xml.conf") "line 5: not well-formed XML: Opening and ending tag mismatch: "
				  "command line 3 and commandd: fix the markup there" },
		{ "unclosed.conf", -EINVAL,
		  PFX("unclosed.conf") "line 7: not well-formed XML: an element is still open at "
				       "the end of the file (a closing tag is missing): fix the "
				       "markup there" },
		/* no entity is ever expanded, least of all an external one */
		{ "entity.conf", -EINVAL,
		  PFX("entity.conf") "line 5: not well-formed XML: Entity 'e' not defined: fix the "
				     "markup there" },
		{ "nested.conf", -EINVAL,
		  PFX("nested.conf") "line 4: <command>: element <name> holds elements instead "
				     "of a value (1234): write a plain value" },
		{ "missing.conf", -ENOENT,
		  PFX("missing.conf") "\b: cannot read: No such file or directory: give the right "
				      "path with --ossec-conf or <ossec_conf> in arxdp.conf" },
	};

	return cr_make_param_array(struct bad_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_case *c, config, invalid_ossec)
{
	struct ossec_config *cfg = (void *)1;
	char path[128], err[CONFIG_ERR_MAX] = "", want[CONFIG_ERR_MAX], *bs;

	snprintf(path, sizeof(path), INV "%s", c->file);
	/* "\b" in the table removes the space before it (no "line" for unreadable files). */
	snprintf(want, sizeof(want), "%s", c->err);
	bs = strchr(want, '\b');
	if (bs)
		memmove(bs - 1, bs + 1, strlen(bs + 1) + 1);
	cr_expect_eq(config_load_ossec(&cfg, path, err, sizeof(err)), c->ret);
	cr_expect_null(cfg);
	cr_expect_str_eq(err, want);
}

static struct ossec_config *load_ok(const char *path)
{
	struct ossec_config *cfg = NULL;
	char err[CONFIG_ERR_MAX] = "";

	cr_assert_eq(config_load_ossec(&cfg, path, err, sizeof(err)), 0, "%s", err);
	cr_assert_not_null(cfg);
	return cfg;
}

/* ar.conf view of the reference sample's manager part (section 3.3). */
Test(config, manager_sample)
{
	static const char *const want[][3] = {
		{ "firewall-drop180", "firewall-drop", "180" },
		{ "firewall-drop300", "firewall-drop", "300" },
		{ "firewall-drop300", "firewall-drop", "300" },
		{ "host-deny1", "host-deny", "1" },
	};
	struct ossec_config *cfg = load_ok("tests/data/conf/ossec-manager.conf");
	size_t i;

	cr_assert_eq(cfg->n_cmds, 6);
	cr_expect_not(cfg->cmds[1].timeout_allowed,
		      "restart-wazuh: timeout_allowed defaults to no");
	cr_expect(cfg->cmds[0].timeout_allowed);
	cr_assert_eq(cfg->n_ars, 4);
	for (i = 0; i < 4; i++) {
		char t[16];

		snprintf(t, sizeof(t), "%d", cfg->ars[i].wazuh_timeout);
		cr_expect_str_eq(cfg->ars[i].name, want[i][0]);
		cr_expect_str_eq(cfg->ars[i].cmd->executable, want[i][1]);
		cr_expect_str_eq(t, want[i][2]);
	}
	cr_expect_eq(cfg->ars[0].loc, AR_LOC_REMOTE_AGENT);
	cr_expect_eq(cfg->ars[1].loc, AR_LOC_ALL_AGENTS);
	cr_expect_eq(cfg->ars[2].loc, AR_LOC_AS_ONLY);
	cr_expect_eq(cfg->ars[3].loc, AR_LOC_SPECIFIC_AGENT);
	cr_expect_eq(cfg->ars[3].agent_num, 32);
	cr_expect_eq(cfg->ars[3].level, 10);
	cr_expect_str_eq(cfg->ars[3].rules_group, "sshd,|pci_dss_11.4,");
	cr_expect_eq(cfg->n_wl_ip, 2);
	cr_expect_eq(cfg->n_wl_host, 1);
	cr_expect_str_eq(cfg->wl_host[0].text, "^localhost.localdomain$");
	cr_expect_str_eq(cfg->node_name, "undefined");
	cr_expect_eq(cfg->n_repeated, 0);
	cr_expect_not(cfg->execd_disabled);
	cr_expect_eq(cfg->ar_queue, AR_QUEUE_LOCAL | AR_QUEUE_REMOTE);
	config_free_ossec(cfg);
}

static char last_msg[1024];
static void capture(enum log_level level, const char *msg, void *ctx)
{
	(void)level;
	(void)ctx;
	strncat(last_msg, msg, sizeof(last_msg) - strlen(last_msg) - 2);
	strcat(last_msg, "\n");
}

Test(config, quirks)
{
	struct ossec_config *cfg;

	log_set_sink(capture, NULL);
	cfg = load_ok("tests/data/conf/valid/quirks.conf");
	log_set_sink(NULL, NULL);
	/* 1305 is info, 1306 a warning; both name the file and the line. */
	cr_expect(strstr(last_msg, "quirks.conf' line 30: <active-response>: timeout not allowed "
				   "for command 'restart-wazuh' (1305)") != NULL,
		  "%s", last_msg);
	cr_expect(strstr(last_msg, "quirks.conf' line 37: <active-response>: invalid agent ID "
				   "'000' (1306)") != NULL,
		  "%s", last_msg);
	cr_expect_str_eq(cfg->node_name, "node07");
	cr_assert_eq(cfg->n_ars, 4);
	cr_expect_str_eq(cfg->ars[0].name, "restart-wazuh0");
	cr_expect_eq(cfg->ars[0].timeout, 0);
	cr_expect_eq(cfg->ars[0].loc, AR_LOC_REMOTE_AGENT, "LOCAL is local, case-insensitively");
	cr_expect_str_eq(cfg->ars[1].name, "firewall-drop90");
	cr_expect_eq(cfg->ars[1].loc, AR_LOC_AS_ONLY, "'alias' contains 'as'");
	cr_expect_str_eq(cfg->ars[2].name, "firewall-drop-5");
	cr_expect_eq(cfg->ars[2].wazuh_timeout, -5);
	cr_expect_eq(cfg->ars[2].timeout, 1, "execd deletes a negative timeout at once");
	cr_expect_eq(cfg->ars[2].loc, AR_LOC_AS_ONLY | AR_LOC_ALL_AGENTS);
	cr_expect_str_eq(cfg->ars[3].name, "firewall-drop0");
	cr_expect_eq(cfg->ars[3].agent_num, 7);
	cr_expect_str_eq(cfg->cmds[1].extra_args, "-a  b");
	/* execd: 5 pieces at most, blanks skipped, the fifth keeps the rest ("30,40" -> 30) */
	cr_assert_eq(cfg->n_repeated, 5);
	cr_expect_eq(cfg->repeated[0], 1);
	cr_expect_eq(cfg->repeated[2], 10);
	cr_expect_eq(cfg->repeated[4], 30);
	cr_expect_eq(cfg->n_disabled, 1);
	cr_expect_eq(cfg->n_warnings, 1);
	/* execd sees only the first block of the second root (restart-wazuh): no <disabled> */
	cr_expect_not(cfg->execd_disabled, "the disabled block is the fourth of its root");
	cr_expect_eq(cfg->execd_disabled_line, 0);
	cr_expect_eq(cfg->ar_queue, AR_QUEUE_LOCAL | AR_QUEUE_REMOTE);
	/* white list: IPv4, CIDR, dotted netmask, '!' entries; the rest are patterns */
	cr_assert_eq(cfg->n_wl_ip, 5);
	cr_expect_eq(cfg->wl_ip[2].mask, 0xffffff80u);
	cr_expect(cfg->wl_ip[3].negate);
	cr_assert_eq(cfg->n_wl_host, 3);
	cr_expect_str_eq(cfg->wl_host[0].text, "2001:db8::1");
	cr_expect_str_eq(cfg->wl_host[2].text, "203.0.113.300");
	config_free_ossec(cfg);
}

struct queue_case {
	char desc[80];
	char xml[900];
	unsigned int queue; /* analysisd's Config.ar */
	bool execd_disabled;
	int line; /* of the <disabled> execd reads (every case is one line: 1), 0 = none */
};

#define OC "<ossec_config>"
#define OCE "</ossec_config>"
#define CMD                                                                     \
	"<command><name>c</name><executable>c</executable><timeout_allowed>yes" \
	"</timeout_allowed></command>"
#define AR(loc)                                                             \
	"<active-response><command>c</command><location>" loc "</location>" \
	"<level>3</level></active-response>"
#define ARD "<active-response><disabled>yes</disabled><command>c</command></active-response>"
#define ARN(loc)                                                                     \
	"<active-response><disabled>no</disabled><command>c</command><location>" loc \
	"</location><level>3</level></active-response>"
#define BOTH (AR_QUEUE_LOCAL | AR_QUEUE_REMOTE)

/*
 * analysisd skips every disabled block and resets its queues there; execd reads only the first
 * <active-response> of each root (os_xml's path walk) and the first root that has a <disabled>
 * there decides.
 */
ParameterizedTestParameters(config, disabled_readers)
{
	static struct queue_case cases[] = {
		{ "server", OC CMD AR("server") OCE, AR_QUEUE_LOCAL, false, 0 },
		{ "all", OC CMD AR("all") OCE, AR_QUEUE_REMOTE, false, 0 },
		{ "local", OC CMD AR("local") OCE, BOTH, false, 0 },
		{ "disabled first: execd off, later blocks still set the queue",
		  OC CMD ARD AR("all") OCE, AR_QUEUE_REMOTE, true, 1 },
		{ "disabled alone: both off", OC CMD ARD OCE, 0, true, 1 },
		{ "disabled later, not last: only that block is skipped",
		  OC CMD AR("server") ARD AR("all") OCE, AR_QUEUE_REMOTE, false, 0 },
		{ "disabled fifth of five: execd on, queues reset",
		  OC CMD AR("server") AR("all") AR("local") AR("server") ARD OCE, 0, false, 0 },
		{ "disabled first of the second root: execd off",
		  OC CMD AR("server") OCE OC ARD AR("all") OCE, AR_QUEUE_REMOTE, true, 1 },
		{ "disabled later in the second root: execd on",
		  OC CMD AR("server") OCE OC AR("all") ARD AR("local") OCE, BOTH, false, 0 },
		{ "disabled last, in the second root", OC CMD AR("server") OCE OC AR("all") ARD OCE,
		  0, false, 0 },
		{ "a root without blocks, then disabled first: execd off",
		  OC CMD OCE OC ARD AR("server") OCE, AR_QUEUE_LOCAL, true, 1 },
		{ "'no' in the first root decides before a later root's 'yes'",
		  OC CMD ARN("server") OCE OC ARD AR("all") OCE, AR_QUEUE_REMOTE, false, 1 },
		{ "'no' first, then a disabled block last", OC CMD ARN("server") ARD OCE, 0, false,
		  1 },
		{ "an empty first block hides the disabled one from execd",
		  OC CMD "<active-response/>" ARD AR("server") OCE, AR_QUEUE_LOCAL, false, 0 },
		{ "an attribute on the first block hides it from execd",
		  OC CMD "<active-response x=\"1\"><disabled>yes</disabled><command>c</command>"
			 "</active-response>" AR("server") OCE,
		  AR_QUEUE_LOCAL, false, 0 },
		{ "an attribute on the root hides the root from execd",
		  "<ossec_config x=\"1\">" CMD ARD AR("server") OCE, AR_QUEUE_LOCAL, false, 0 },
		{ "execd takes the first <disabled> of the block, analysisd any 'yes'",
		  OC CMD "<active-response><disabled>no</disabled><disabled>yes</disabled>"
			 "<command>c</command></active-response>" AR("all") OCE,
		  AR_QUEUE_REMOTE, false, 1 },
	};

	return cr_make_param_array(struct queue_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct queue_case *c, config, disabled_readers)
{
	struct ossec_config *cfg = NULL;
	char err[CONFIG_ERR_MAX];

	cr_assert_eq(config_parse_ossec(&cfg, "mem", c->xml, strlen(c->xml), err, sizeof(err)), 0,
		     "%s: %s", c->desc, err);
	cr_expect_eq(cfg->ar_queue, c->queue, "%s: queue %u", c->desc, cfg->ar_queue);
	cr_expect_eq(cfg->execd_disabled, c->execd_disabled, "%s: execd", c->desc);
	cr_expect_eq(cfg->execd_disabled_line, c->line, "%s: line", c->desc);
	config_free_ossec(cfg);
}

/* A failed reload leaves the previous configuration whole. */
Test(config, reload_keeps_previous)
{
	struct ossec_config *live = load_ok("tests/data/conf/ossec-manager.conf"), *next;
	char err[CONFIG_ERR_MAX];

	cr_expect_neq(config_load_ossec(&next, INV "1303.conf", err, sizeof(err)), 0);
	cr_expect_null(next);
	cr_expect_eq(live->n_ars, 4);
	cr_expect_str_eq(live->ars[3].name, "host-deny1");
	cr_expect_not_null(config_find_command(live, "route-null"));
	cr_expect_null(config_find_command(live, "route"));
	config_free_ossec(live);
}

Test(config, prolog_bom_and_comments)
{
	static const char xml[] = "\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- c -->\n"
				  "<ossec_config></ossec_config>\n<!-- between -->\n"
				  "<ossec_config><cluster><node_name>n1</node_name></cluster>"
				  "</ossec_config>\n<!-- end -->\n";
	struct ossec_config *cfg = NULL;
	char err[CONFIG_ERR_MAX];

	cr_assert_eq(config_parse_ossec(&cfg, "mem", xml, strlen(xml), err, sizeof(err)), 0, "%s",
		     err);
	cr_expect_str_eq(cfg->node_name, "n1");
	cr_expect_eq(cfg->n_ars, 0);
	config_free_ossec(cfg);
}

/* ---- arxdp.conf ---- */

Test(config, example_settings_are_the_defaults)
{
	struct arxdp_settings got, want;
	char err[CONFIG_ERR_MAX];

	unsetenv("ARXDP_PIN_DIR");
	unsetenv("ARXDP_SOCKET");
	cr_assert_eq(settings_load(&got, "conf/arxdp.conf", err, sizeof(err)), 0, "%s", err);
	settings_defaults(&want);
	settings_resolve_paths(&want);
	cr_expect_eq(memcmp(&got, &want, sizeof(got)), 0,
		     "conf/arxdp.conf must document the built-in defaults");
}

Test(config, full_settings)
{
	struct arxdp_settings s;
	char err[CONFIG_ERR_MAX];

	unsetenv("ARXDP_PIN_DIR");
	setenv("ARXDP_SOCKET", "/tmp/env.sock", 1);
	cr_assert_eq(settings_load(&s, "tests/data/conf/settings/full.conf", err, sizeof(err)), 0,
		     "%s", err);
	cr_expect_str_eq(s.wazuh_home, "/opt/wazuh");
	cr_expect_str_eq(s.ossec_conf, "/opt/wazuh/etc/ossec.conf");
	cr_expect_str_eq(s.alerts, "/srv/alerts.json");
	cr_expect_str_eq(s.ar_log, "/opt/wazuh/logs/active-responses.log");
	cr_expect_eq(s.n_ifaces, 2);
	cr_expect_str_eq(s.ifaces[1], "eth1");
	cr_expect_eq(s.mode, ARXDP_MODE_SKB);
	cr_expect(s.dry_run);
	cr_expect_eq(s.capacity_v4, 1000);
	cr_expect_eq(s.capacity_v6, 2000);
	cr_expect_eq(s.cidr_capacity, 300);
	cr_expect_str_eq(s.pin_dir, "/sys/fs/bpf/test");
	cr_expect_str_eq(s.state_dir, "/tmp/arxdp-state");
	cr_expect_str_eq(s.socket_path, "/tmp/env.sock", "the environment beats the file");
	cr_expect_str_eq(s.agent_id, "007");
	cr_expect(s.manager_in_all);
	cr_expect_eq(s.n_fastpath, 2);
	cr_expect(settings_is_fastpath(&s, "my-drop.sh"));
	cr_expect_not(settings_is_fastpath(&s, "route-null"), "a list replaces the defaults");
	cr_expect_eq(s.script_concurrency, 2);
	cr_expect_eq(s.script_time_limit_s, 120);
	cr_expect_eq(s.fwdrop_safety_expiry_s, 86400);
	cr_expect_eq(s.fwdrop_fallback, ARXDP_FALLBACK_FAIL);
	cr_expect(s.execq);
	cr_expect(s.unblock_on_exit);
	unsetenv("ARXDP_SOCKET");
}

struct set_case {
	char xml[200];
	char err[200];
};

ParameterizedTestParameters(config, invalid_settings)
{
	static struct set_case cases[] = {
		{ "<arxdp><xdp_mode>fast</xdp_mode></arxdp>",
		  "arxdp.conf 'mem' line 1: <xdp_mode>: invalid mode 'fast': write auto, native or "
		  "skb" },
		{ "<arxdp>\n<dry_run>1</dry_run></arxdp>",
		  "arxdp.conf 'mem' line 2: <dry_run>: invalid value '1': write 'yes' or 'no'" },
		{ "<arxdp><capacity_v4>0</capacity_v4></arxdp>",
		  "arxdp.conf 'mem' line 1: <capacity_v4>: invalid value '0': write a whole number "
		  "from 1 to 268435456" },
		{ "<arxdp><pin_dir>relative</pin_dir></arxdp>",
		  "arxdp.conf 'mem' line 1: <pin_dir>: 'relative' is not an absolute path: write it "
		  "from '/'" },
		{ "<arxdp><agent_id>abc</agent_id></arxdp>",
		  "arxdp.conf 'mem' line 1: <agent_id>: invalid agent id 'abc': write digits, "
		  "\"000\" on a manager" },
		{ "<arxdp><script_time_limit>soon</script_time_limit></arxdp>",
		  "arxdp.conf 'mem' line 1: <script_time_limit>: invalid duration 'soon': write "
		  "seconds or a number with s, m, h, d or w (\"90\", \"10m\", \"1d\")" },
		{ "<arxdp><fastpath><exe>x</exe></fastpath></arxdp>",
		  "arxdp.conf 'mem' line 1: <fastpath>: unknown element <exe>: list programs as "
		  "<executable>NAME</executable>" },
		{ "<arxdp><fastpath><executable>../x</executable></fastpath></arxdp>",
		  "arxdp.conf 'mem' line 1: <fastpath>: invalid executable '../x': write a file "
		  "name of active-response/bin, without a path" },
		{ "<arxdp><interfaces>eth0</interfaces></arxdp>",
		  "arxdp.conf 'mem' line 1: <interfaces>: unknown element: see conf/arxdp.conf for "
		  "the elements <arxdp> takes (is it misspelt?)" },
		{ "<arxdp/><arxdp/>",
		  "arxdp.conf 'mem' line 1: <arxdp>: the file must hold exactly one <arxdp> "
		  "element" },
		{ "<!-- nothing -->",
		  "arxdp.conf 'mem' line 0: <arxdp>: no <arxdp> element: the file must hold one" },
	};

	return cr_make_param_array(struct set_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct set_case *c, config, invalid_settings)
{
	struct arxdp_settings s, before;
	char err[CONFIG_ERR_MAX] = "";

	memset(&s, 0x5a, sizeof(s));
	before = s;
	cr_expect_eq(settings_parse(&s, "mem", c->xml, strlen(c->xml), err, sizeof(err)), -EINVAL);
	cr_expect_str_eq(err, c->err);
	cr_expect_eq(memcmp(&s, &before, sizeof(s)), 0, "a failed load leaves *s alone");
}

/* Values at and past ARXDP_PATH_LEN: a path that does not fit is refused, never cut. */
struct long_case {
	char before[80]; /* elements ahead of the long one, on line 2 */
	char elem[24]; /* given "/aaa..." of len characters, on the next line */
	char env[24]; /* or this variable */
	int len, ret;
	char err[240];
};

ParameterizedTestParameters(config, long_paths)
{
	static struct long_case cases[] = {
		{ "", "pin_dir", "", ARXDP_PATH_LEN - 1, 0, "" },
		{ "", "pin_dir", "", ARXDP_PATH_LEN, -ENAMETOOLONG,
		  "arxdp.conf 'mem' line 2: <pin_dir>: value is too long: at most 511 characters" },
		{ "\n", "metrics_textfile", "", ARXDP_PATH_LEN, -ENAMETOOLONG,
		  "arxdp.conf 'mem' line 3: <metrics_textfile>: value is too long: at most 511 "
		  "characters" },
		{ "<alerts>/a</alerts><ar_log>/l</ar_log>\n", "wazuh_home", "", ARXDP_PATH_LEN - 16,
		  0, "" },
		{ "", "wazuh_home", "", ARXDP_PATH_LEN - 15, -ENAMETOOLONG,
		  "arxdp.conf 'mem' line 2: <wazuh_home>: <ossec_conf> under this home would be "
		  "longer than 511 characters: shorten the home or set <ossec_conf>" },
		{ "<ossec_conf>/o</ossec_conf><alerts>/a</alerts>\n", "wazuh_home", "", 490,
		  -ENAMETOOLONG,
		  "arxdp.conf 'mem' line 3: <wazuh_home>: <ar_log> under this home would be longer "
		  "than 511 characters: shorten the home or set <ar_log>" },
		{ "", "", "ARXDP_SOCKET", ARXDP_PATH_LEN - 1, 0, "" },
		{ "", "", "ARXDP_PIN_DIR", ARXDP_PATH_LEN, -ENAMETOOLONG,
		  "environment 'ARXDP_PIN_DIR': value is too long: at most 511 characters" },
	};

	return cr_make_param_array(struct long_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct long_case *c, config, long_paths)
{
	struct arxdp_settings s, before;
	char err[CONFIG_ERR_MAX] = "", val[ARXDP_PATH_LEN + 8], xml[2 * ARXDP_PATH_LEN];
	int n;

	unsetenv("ARXDP_PIN_DIR");
	unsetenv("ARXDP_SOCKET");
	cr_assert_lt(c->len, (int)sizeof(val));
	memset(val, 'a', (size_t)c->len);
	val[0] = '/';
	val[c->len] = '\0';
	if (c->env[0]) {
		setenv(c->env, val, 1);
		n = snprintf(xml, sizeof(xml), "<arxdp>\n%s</arxdp>\n", c->before);
	} else {
		n = snprintf(xml, sizeof(xml), "<arxdp>\n%s<%s>%s</%s>\n</arxdp>\n", c->before,
			     c->elem, val, c->elem);
	}
	cr_assert_lt(n, (int)sizeof(xml));
	memset(&s, 0x5a, sizeof(s));
	before = s;
	cr_expect_eq(settings_parse(&s, "mem", xml, (size_t)n, err, sizeof(err)), c->ret, "%s",
		     err);
	cr_expect_str_eq(err, c->err);
	if (c->ret)
		cr_expect_eq(memcmp(&s, &before, sizeof(s)), 0, "a failed load leaves *s alone");
	else if (!strcmp(c->elem, "pin_dir"))
		cr_expect_str_eq(s.pin_dir, val);
	else if (c->env[0])
		cr_expect_str_eq(s.socket_path, val);
	else
		cr_expect_eq(strlen(s.ossec_conf), ARXDP_PATH_LEN - 1);
	unsetenv("ARXDP_PIN_DIR");
	unsetenv("ARXDP_SOCKET");
}

/* Without a file the environment's override is refused alike, and the default stays. */
Test(config, defaults_long_env)
{
	char val[ARXDP_PATH_LEN + 1];
	struct arxdp_settings s;

	memset(val, 'a', sizeof(val) - 1);
	val[0] = '/';
	val[sizeof(val) - 1] = '\0';
	setenv("ARXDP_PIN_DIR", val, 1);
	cr_expect_eq(settings_defaults(&s), -ENAMETOOLONG);
	cr_expect_str_eq(s.pin_dir, ARXDP_PIN_DIR_DEFAULT);
	val[sizeof(val) - 2] = '\0';
	setenv("ARXDP_PIN_DIR", val, 1);
	cr_expect_eq(settings_defaults(&s), 0);
	cr_expect_str_eq(s.pin_dir, val);
	unsetenv("ARXDP_PIN_DIR");
}

Test(config, settings_path)
{
	setenv("ARXDP_CONF", "/x/arxdp.conf", 1);
	cr_expect_str_eq(settings_path("/y.conf"), "/y.conf");
	cr_expect_str_eq(settings_path(NULL), "/x/arxdp.conf");
	unsetenv("ARXDP_CONF");
}

/* Commands read after a response that names an earlier one: the table grows under it. */
Test(config, command_after_response)
{
	static const char xml[] = "<ossec_config>\n"
				  "<command><name>a</name><executable>a.sh</executable></command>\n"
				  "<active-response><command>a</command><location>local</location>"
				  "<level>5</level></active-response>\n"
				  "<command><name>b</name><executable>b.sh</executable></command>\n"
				  "<command><name>c</name><executable>c.sh</executable></command>\n"
				  "<command><name>d</name><executable>d.sh</executable></command>\n"
				  "<command><name>e</name><executable>e.sh</executable></command>\n"
				  "<command><name>f</name><executable>f.sh</executable></command>\n"
				  "<active-response><command>f</command><location>local</location>"
				  "<level>5</level></active-response>\n"
				  "</ossec_config>\n";
	struct ossec_config *cfg;
	char err[CONFIG_ERR_MAX];

	cr_assert_eq(config_parse_ossec(&cfg, "mem", xml, strlen(xml), err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(cfg->n_ars, 2u);
	cr_expect_eq(cfg->ars[0].cmd, &cfg->cmds[0], "points into the table as it ended");
	cr_expect_str_eq(cfg->ars[0].cmd->executable, "a.sh");
	cr_expect_str_eq(cfg->ars[1].cmd->executable, "f.sh");
	config_free_ossec(cfg);
}
