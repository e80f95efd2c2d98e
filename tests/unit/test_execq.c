// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the tables of execd's handling of one execq datagram (user/lib/execq.c):
 * messages as analysisd, agentd and the API build them, the errors execd logs, ar.conf as
 * ReadExecConfig reads it, and the one reload per unknown name. Each test builds a throwaway
 * Wazuh home (mkdtemp) with etc/shared/ar.conf and active-response/bin/.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "arproto.h"
#include "execq.h"
#include "log.h"

#define FWDROP_DATA "tests/data/fwdrop/"
#define FD "active-response/bin/firewall-drop"

static char g_home[64];
static char g_log[1 << 17];

static void sink(enum log_level level, const char *msg, void *ctx)
{
	size_t len = strlen(g_log);

	snprintf(g_log + len, sizeof(g_log) - len, "%s\n", msg);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void home_cleanup(void)
{
	log_set_sink(NULL, NULL);
	if (g_home[0])
		nftw(g_home, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	g_home[0] = '\0';
}

TestSuite(execq, .fini = home_cleanup);

static void write_file(const char *rel, const char *text, mode_t mode)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", g_home, rel);
	f = fopen(path, "w");
	cr_assert_not_null(f, "cannot create '%s': %s", path, strerror(errno));
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(chmod(path, mode), 0);
}

/* exes: space-separated names created in active-response/bin. */
static void add_exes(const char *exes)
{
	char list[256], rel[320], *save = NULL, *e;

	snprintf(list, sizeof(list), "%s", exes);
	for (e = strtok_r(list, " ", &save); e; e = strtok_r(NULL, " ", &save)) {
		snprintf(rel, sizeof(rel), "active-response/bin/%s", e);
		write_file(rel, "#!/bin/sh\n", 0750);
	}
}

static struct execq_table *home_new(const char *arconf, const char *exes, enum execq_role role)
{
	static const char *const dirs[] = { "etc", "etc/shared", "active-response",
					    "active-response/bin" };
	struct execq_table *t = NULL;
	char path[256];
	size_t i;

	g_log[0] = '\0';
	log_set_sink(sink, NULL);
	snprintf(g_home, sizeof(g_home), "/tmp/arxdp-execq-XXXXXX");
	cr_assert_not_null(mkdtemp(g_home));
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", g_home, dirs[i]);
		cr_assert_eq(mkdir(path, 0750), 0, "mkdir '%s': %s", path, strerror(errno));
	}
	if (arconf)
		write_file(EXECQ_AR_CONF, arconf, 0640);
	add_exes(exes);
	cr_assert_eq(execq_table_new(&t, g_home, role), 0);
	return t;
}

/* Sends text as analysisd does: strlen + 1 bytes, the NUL included. */
static void handle_str(struct execq_table *t, const char *text, struct execq_decision *d)
{
	cr_assert_eq(execq_handle(t, text, strlen(text) + 1, d), 0);
}

static void handle_name(struct execq_table *t, const char *name, struct execq_decision *d)
{
	cJSON *m = cJSON_CreateObject();
	char *s;

	cr_assert_not_null(cJSON_AddStringToObject(m, "command", name));
	s = cJSON_PrintUnformatted(m);
	cJSON_Delete(m);
	handle_str(t, s, d);
	free(s);
}

static int count_of(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* analysisd's preamble (analysisd rewrites ar.conf with it) and the sample config's lines. */
#define PREAMBLE                                                                          \
	"restart-ossec0 - restart-ossec.sh - 0\nrestart-ossec0 - restart-ossec.cmd - 0\n" \
	"restart-wazuh0 - restart-ossec.sh - 0\nrestart-wazuh0 - restart-ossec.cmd - 0\n" \
	"restart-wazuh0 - restart-wazuh - 0\nrestart-wazuh0 - restart-wazuh.exe - 0\n"
#define STD_CONF                                                                           \
	PREAMBLE                                                                           \
	"firewall-drop180 - firewall-drop - 180\nfirewall-drop300 - firewall-drop - 300\n" \
	"firewall-drop300 - firewall-drop - 300\nhost-deny1 - host-deny - 1\n"             \
	"firewall-drop0 - firewall-drop - 0\n"
#define STD_EXES "firewall-drop restart-wazuh"

/* An alert as alerts.json holds it (src/analysisd/format/to_json.c key order). */
#define ALERT(agent, ip)                                                                              \
	"{\"timestamp\":\"2022-05-11T12:29:19.905+0000\",\"rule\":{\"level\":10,\"description\":"     \
	"\"sshd: brute force trying to get access to the system. Non existent user.\",\"id\":"        \
	"\"5712\",\"firedtimes\":1,\"mail\":false,\"groups\":[\"syslog\",\"sshd\"]},\"agent\":" agent \
	",\"manager\":{\"name\":\"wazuh-manager\"},\"id\":\"1652272159.1549653\",\"full_log\":"       \
	"\"sshd[17584]: Invalid user paco from " ip " port 56404\",\"decoder\":{\"parent\":"          \
	"\"sshd\",\"name\":\"sshd\"},\"data\":{\"srcip\":\"" ip "\",\"srcuser\":\"paco\"},"           \
	"\"location\":\"/var/log/secure\"}"
#define MGR "{\"id\":\"000\",\"name\":\"wazuh-manager\"}"
#define AGT "{\"id\":\"001\",\"name\":\"web01\",\"ip\":\"192.0.2.50\"}"
/* ar_json.c getActiveResponseInJSON() key order. */
#define ANALYSISD(node, name, extra, alert)                                                    \
	"{\"version\":1,\"origin\":{\"name\":\"" node "\",\"module\":\"wazuh-analysisd\"},"    \
	"\"command\":\"" name "\",\"parameters\":{\"extra_args\":[" extra "],\"alert\":" alert \
	"}}"
#define ADD(node, extra, alert, prog)                                                     \
	"{\"version\":1,\"origin\":{\"name\":\"" node "\",\"module\":\"wazuh-execd\"},"   \
	"\"command\":\"add\",\"parameters\":{\"extra_args\":[" extra "],\"alert\":" alert \
	",\"program\":\"" prog "\"}}"
#define X40 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
#define X240 X40 X40 X40 X40 X40 X40

struct msg_case {
	char desc[64];
	char msg[1024];
	int kind;
	char error[1100]; /* EXECQ_ERROR: execd's line */
	char program[288];
	int timeout;
	bool custom;
	char add[1280]; /* EXECQ_RUN: the first stdin line; "" = not checked */
	bool ar_valid;
	char srcip[48]; /* execq_srcip(); "" = none */
	char canon[48];
	char warning[320];
	int n_warning;
};

/* clang-format off */
static struct msg_case msg_cases[] = {
	{ "analysisd, IPv4",
	  ANALYSISD("node01", "firewall-drop180", "", ALERT(MGR, "192.0.2.10")), EXECQ_RUN, "",
	  FD, 180, false, ADD("node01", "", ALERT(MGR, "192.0.2.10"), FD), true,
	  "192.0.2.10", "192.0.2.10", "", 0 },
	{ "analysisd, IPv6, duplicated ar.conf line",
	  ANALYSISD("node01", "firewall-drop300", "", ALERT(MGR, "2001:db8::7")), EXECQ_RUN, "",
	  FD, 300, false, ADD("node01", "", ALERT(MGR, "2001:db8::7"), FD), true,
	  "2001:db8::7", "2001:db8::7", "", 0 },
	{ "analysisd, IPv4-mapped IPv6",
	  ANALYSISD("node01", "firewall-drop180", "", ALERT(MGR, "::ffff:198.51.100.7")), EXECQ_RUN,
	  "", FD, 180, false, ADD("node01", "", ALERT(MGR, "::ffff:198.51.100.7"), FD), true,
	  "::ffff:198.51.100.7", "198.51.100.7", "", 0 },
	{ "analysisd, extra_args",
	  ANALYSISD("undefined", "firewall-drop0", "\"-arg1\",\";\"", ALERT(MGR, "192.0.2.11")),
	  EXECQ_RUN, "", FD, 0, false,
	  ADD("undefined", "\"-arg1\",\";\"", ALERT(MGR, "192.0.2.11"), FD), true,
	  "192.0.2.11", "192.0.2.11", "", 0 },
	/* remoted -> agentd strips "#!-execd ": the payload is analysisd's message unchanged. */
	{ "agentd, an agent's alert",
	  ANALYSISD("manager-node02", "firewall-drop0", "", ALERT(AGT, "203.0.113.5")), EXECQ_RUN,
	  "", FD, 0, false, ADD("manager-node02", "", ALERT(AGT, "203.0.113.5"), FD), true,
	  "203.0.113.5", "203.0.113.5", "", 0 },
	/* Agents 4.2.0-4.2.4 get ! $ ' ` as the text \\x21...: still JSON, forwarded as is. */
	{ "agentd, 4.2.0-4.2.4 escaping",
	  ANALYSISD("node01", "firewall-drop0", "", "{\"data\":{\"srcip\":\"203.0.113.6\"},"
		    "\"full_log\":\"GET /?q=\\\\x24(id)\\\\x21\"}"), EXECQ_RUN, "", FD, 0, false,
	  ADD("node01", "", "{\"data\":{\"srcip\":\"203.0.113.6\"},\"full_log\":"
	      "\"GET /?q=\\\\x24(id)\\\\x21\"}", FD), true, "203.0.113.6", "203.0.113.6", "", 0 },
	/* framework/wazuh/core/active_response.py, printed by Python's json.dumps. */
	{ "API, custom '!' script",
	  "{\"version\": 1, \"origin\": {\"name\": null, \"module\": \"API\"}, \"command\": "
	  "\"!firewall-drop\", \"parameters\": {\"extra_args\": [], \"alert\": {\"data\": "
	  "{\"srcip\": \"192.0.2.77\"}}}}", EXECQ_RUN, "", FD, 0, true,
	  "{\"version\":1,\"origin\":{\"name\":null,\"module\":\"wazuh-execd\"},\"command\":\"add\","
	  "\"parameters\":{\"extra_args\":[],\"alert\":{\"data\":{\"srcip\":\"192.0.2.77\"}},"
	  "\"program\":\"" FD "\"}}", true, "192.0.2.77", "192.0.2.77", "", 0 },
	{ "API, ar.conf name",
	  "{\"version\": 1, \"origin\": {\"name\": \"node01\", \"module\": \"api/framework\"}, "
	  "\"command\": \"firewall-drop180\", \"parameters\": {\"extra_args\": [], \"alert\": {}}}",
	  EXECQ_RUN, "", FD, 180, false,
	  "{\"version\":1,\"origin\":{\"name\":\"node01\",\"module\":\"wazuh-execd\"},\"command\":"
	  "\"add\",\"parameters\":{\"extra_args\":[],\"alert\":{},\"program\":\"" FD "\"}}", true,
	  "", "", "", 0 },
	/* GetCommandbyName() does not look for a '!' script: running it fails later (1317). */
	{ "custom script not on disk", "{\"command\":\"!host-deny\"}", EXECQ_RUN, "",
	  "active-response/bin/host-deny", 0, true, "{\"command\":\"add\"}", false, "", "", "", 0 },
	{ "custom script, parent reference", "{\"command\":\"!../../../bin/sh\"}", EXECQ_ERROR,
	  "(1311): Invalid command name '!../../../bin/sh' provided.", "", 0, true, "", false, "",
	  "", "Active response command '../../../bin/sh' vulnerable to directory traversal attack. "
	  "Ignoring.", 2 },
	{ "custom script, path too long", "{\"command\":\"!" X240 "\"}", EXECQ_ERROR,
	  "(1311): Invalid command name '!" X240 "' provided.", "", 0, true, "", false, "", "",
	  "Cannot execute command '" X240 "...': path too long.", 2 },
	{ "restart-wazuh", ANALYSISD("node01", "restart-wazuh", "", "{}"), EXECQ_RESTART, "", "",
	  0, false, "", false, "", "", "", 0 },
	{ "restart-wazuh0 from ar.conf", ANALYSISD("node01", "restart-wazuh0", "", "{}"), EXECQ_RUN,
	  "", "active-response/bin/restart-wazuh", 0, false,
	  ADD("node01", "", "{}", "active-response/bin/restart-wazuh"), true, "", "", "", 0 },
	{ "ar.conf entry without its program", ANALYSISD("node01", "host-deny1", "", "{}"),
	  EXECQ_IGNORED, "", "", 1, false, "", false, "", "", "", 0 },
	{ "unknown name", ANALYSISD("node01", "firewall-drop600", "", "{}"), EXECQ_ERROR,
	  "(1311): Invalid command name 'firewall-drop600' provided.", "", 0, false, "", false, "",
	  "", "", 0 },
	{ "invalid JSON", "{\"version\":1,\"command\":\"firewall-drop180\"", EXECQ_ERROR,
	  "(1315): Invalid JSON message: '{\"version\":1,\"command\":\"firewall-drop180\"'", "", 0,
	  false, "", false, "", "", "", 0 },
	/* exec.c's legacy string (agents before 4.2): 4.x execd only parses JSON. */
	{ "legacy string format",
	  "firewall-drop180 - 192.0.2.10 1652272159.1549653 5712 /var/log/secure - -", EXECQ_ERROR,
	  "(1315): Invalid JSON message: 'firewall-drop180 - 192.0.2.10 1652272159.1549653 5712 "
	  "/var/log/secure - -'", "", 0, false, "", false, "", "", "", 0 },
	{ "legacy API string", "!firewall-drop - -", EXECQ_ERROR,
	  "(1315): Invalid JSON message: '!firewall-drop - -'", "", 0, false, "", false, "", "", "",
	  0 },
	{ "JSON, not an object", "5712", EXECQ_ERROR, "(1316): Invalid AR command: '5712'", "", 0,
	  false, "", false, "", "", "", 0 },
	{ "no command", "{}", EXECQ_ERROR, "(1316): Invalid AR command: '{}'", "", 0, false, "",
	  false, "", "", "", 0 },
	{ "command not a string", "{\"version\":1,\"command\":180}", EXECQ_ERROR,
	  "(1316): Invalid AR command: '{\"version\":1,\"command\":180}'", "", 0, false, "", false,
	  "", "", "", 0 },
	{ "command null", "{\"command\":null}", EXECQ_ERROR,
	  "(1316): Invalid AR command: '{\"command\":null}'", "", 0, false, "", false, "", "", "",
	  0 },
	/* execd needs no version, origin or parameters; the program refuses the message. */
	{ "command only", "{\"command\":\"firewall-drop180\"}", EXECQ_RUN, "", FD, 180, false,
	  "{\"command\":\"add\"}", false, "", "", "", 0 },
	/* cJSON_GetObjectItem and cJSON_ReplaceItemInObject ignore case; replacing renames. */
	{ "keys in other case",
	  "{\"version\":1,\"origin\":{\"name\":\"n\",\"Module\":\"x\"},\"Command\":"
	  "\"firewall-drop180\",\"Parameters\":{\"alert\":{\"data\":{\"srcip\":\"192.0.2.1\"}}}}",
	  EXECQ_RUN, "", FD, 180, false,
	  "{\"version\":1,\"origin\":{\"name\":\"n\",\"module\":\"wazuh-execd\"},\"command\":\"add\","
	  "\"Parameters\":{\"alert\":{\"data\":{\"srcip\":\"192.0.2.1\"}},\"program\":\"" FD "\"}}",
	  true, "192.0.2.1", "192.0.2.1", "", 0 },
	/* cJSON_Parse() does not require the text to end after the object. */
	{ "bytes after the object", "{\"command\":\"firewall-drop0\"} trailing", EXECQ_RUN, "", FD,
	  0, false, "{\"command\":\"add\"}", false, "", "", "", 0 },
	{ "parameters an array", "{\"version\":1,\"origin\":{},\"command\":\"firewall-drop0\","
	  "\"parameters\":[]}", EXECQ_RUN, "", FD, 0, false,
	  "{\"version\":1,\"origin\":{},\"command\":\"add\",\"parameters\":[\"" FD "\"]}", false, "",
	  "", "", 0 },
	{ "origin without module", "{\"version\":1,\"origin\":{\"name\":\"x\"},\"command\":"
	  "\"firewall-drop0\",\"parameters\":{}}", EXECQ_RUN, "", FD, 0, false,
	  "{\"version\":1,\"origin\":{\"name\":\"x\"},\"command\":\"add\",\"parameters\":"
	  "{\"program\":\"" FD "\"}}", true, "", "", "", 0 },
	/* The program run is ar.conf's; a program key in the message is only duplicated. */
	{ "program key already there", "{\"version\":1,\"origin\":{},\"command\":\"firewall-drop0\","
	  "\"parameters\":{\"program\":\"/bin/sh\"}}", EXECQ_RUN, "", FD, 0, false,
	  "{\"version\":1,\"origin\":{},\"command\":\"add\",\"parameters\":{\"program\":\"/bin/sh\","
	  "\"program\":\"" FD "\"}}", true, "", "", "", 0 },
};
/* clang-format on */

ParameterizedTestParameters(execq, message)
{
	return cr_make_param_array(struct msg_case, msg_cases,
				   sizeof(msg_cases) / sizeof(msg_cases[0]));
}

ParameterizedTest(struct msg_case *c, execq, message)
{
	struct execq_table *t = home_new(STD_CONF, STD_EXES, EXECQ_MANAGER);
	struct execq_decision d;
	struct arxdp_addr a;
	char buf[ADDR_STRLEN];
	const char *ip;

	handle_str(t, c->msg, &d);
	cr_assert_eq(d.kind, c->kind, "%s: kind %d, expected %d (error '%s')", c->desc, d.kind,
		     c->kind, d.error ? d.error : "");
	cr_expect_not(d.truncated, "%s", c->desc);
	cr_expect_eq(d.custom, c->custom, "%s: custom", c->desc);
	if (c->kind == EXECQ_ERROR)
		cr_expect_str_eq(d.error, c->error, "%s", c->desc);
	else
		cr_expect_null(d.error, "%s", c->desc);
	cr_expect_eq(d.n_warning, c->n_warning, "%s: warnings", c->desc);
	if (c->n_warning)
		cr_expect_str_eq(d.warning, c->warning, "%s", c->desc);
	if (c->kind == EXECQ_RUN || c->kind == EXECQ_IGNORED) {
		cr_expect_str_eq(d.cmd.program, c->program, "%s", c->desc);
		cr_expect_eq(d.cmd.timeout, c->timeout, "%s: timeout", c->desc);
	}
	if (c->kind == EXECQ_RESTART)
		cr_expect_str_eq(d.restart_arg, "manager", "%s", c->desc);
	if (c->kind != EXECQ_RUN) {
		cr_expect_null(d.msg, "%s", c->desc);
		cr_expect_null(execq_render(&d, "continue"), "%s", c->desc);
		cr_expect_null(execq_srcip(&d, NULL), "%s", c->desc);
		goto out;
	}
	if (c->add[0])
		cr_expect_str_eq(execq_add_json(&d), c->add, "%s", c->desc);
	cr_expect_eq(d.ar_valid, c->ar_valid, "%s: ar_valid", c->desc);
	ip = execq_srcip(&d, &a);
	if (!c->srcip[0]) {
		cr_expect_null(ip, "%s: srcip '%s'", c->desc, ip);
		goto out;
	}
	cr_assert_not_null(ip, "%s: no srcip", c->desc);
	cr_expect_str_eq(ip, c->srcip, "%s", c->desc);
	cr_expect_str_eq(addr_format(&a, buf, sizeof(buf)), c->canon, "%s", c->desc);
out:
	execq_decision_free(&d);
	execq_table_free(t);
}

static char *read_line_of(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");

	cr_assert_not_null(f, "cannot open '%s' (run from the repository root)", path);
	cr_assert_not_null(fgets(buf, sizeof(buf), f), "'%s' is empty", path);
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return strdup(buf);
}

/*
 * The real exchange (wazuh-ar-exchange-sample.jsonl in tests/data/fwdrop): analysisd's message
 * for it gives execd's add, continue and delete lines byte for byte.
 */
Test(execq, reference_exchange)
{
	static const char head[] = "{\"version\":1,\"origin\":{\"name\":\"node01\",\"module\":"
				   "\"wazuh-analysisd\"},\"command\":\"firewall-drop300\","
				   "\"parameters\":{\"extra_args\":[],\"alert\":{\"timestamp\":";
	struct execq_table *t = home_new(STD_CONF, STD_EXES, EXECQ_MANAGER);
	char *in = read_line_of("tests/data/execq/analysisd-shellshock.json");
	char *add = read_line_of(FWDROP_DATA "exchange-add.json");
	char *cont = read_line_of(FWDROP_DATA "exchange-continue.json");
	char *del = read_line_of(FWDROP_DATA "exchange-delete.json");
	struct execq_text at = { .p = malloc(16), .cap = 16 };
	struct execq_decision d;
	char *s, *raw, *again;

	cr_assert_eq(strncmp(in, head, strlen(head)), 0, "fixture not in analysisd's key order");
	handle_str(t, in, &d);
	cr_assert_eq(d.kind, EXECQ_RUN);
	cr_expect_str_eq(d.cmd.name, "firewall-drop300");
	cr_expect_eq(d.cmd.timeout, 300);
	cr_expect(d.ar_valid);
	cr_expect_str_eq(execq_srcip(&d, NULL), "192.168.56.3");
	/* A buffer too small to print in place: the text is the same, and the buffer grows. */
	cr_assert_eq(execq_alert_text(&d, &at), 0);
	cr_assert_not_null(at.p);
	cr_expect_gt(at.cap, at.len + EXECQ_TEXT_SPARE);
	cr_expect_eq(at.len, strlen(at.p));
	cr_expect_not_null(strstr(in, at.p), "alert text differs from analysisd's");
	cr_expect(cJSON_IsArray(d.extra_args));
	/* arproto's builder around the same alert text gives the same bytes. */
	raw = arproto_execd_msg_raw("node01", "add", at.p, at.len, NULL, 0, FD);
	/* The render leaves the message an add: add_json, printed later, is still the add. */
	s = execq_render(&d, "delete");
	cr_expect_str_eq(s, del);
	free(s);
	cr_expect_str_eq(execq_add_json(&d), add);
	cr_expect_str_eq(raw, d.add_json);
	free(raw);
	/* Printed in place into the grown buffer: the same text again. */
	again = strdup(at.p);
	cr_assert_eq(execq_alert_text(&d, &at), 0);
	cr_expect_str_eq(at.p, again);
	free(again);
	free(at.p);
	s = execq_render(&d, "delete");
	cr_expect_str_eq(s, del);
	free(s);
	s = execq_render(&d, "continue");
	cr_expect_str_eq(s, cont);
	free(s);
	s = execq_render(&d, "abort");
	cr_expect_not_null(strstr(s, "\"command\":\"abort\""));
	cr_expect_eq(strlen(s), strlen(cont) - strlen("continue") + strlen("abort"));
	free(s);
	execq_decision_free(&d);
	execq_table_free(t);
	free(in);
	free(add);
	free(cont);
	free(del);
}

/* A message of exactly len bytes of JSON (full_log pads it). */
static char *sized_msg(size_t len)
{
	static const char pre[] =
		"{\"version\":1,\"origin\":{\"name\":\"node01\",\"module\":"
		"\"wazuh-analysisd\"},\"command\":\"firewall-drop0\",\"parameters\":"
		"{\"extra_args\":[],\"alert\":{\"data\":{\"srcip\":\"192.0.2.10\"},"
		"\"full_log\":\"";
	static const char post[] = "\"}}}";
	char *m = malloc(len + 1);

	cr_assert_not_null(m);
	cr_assert_gt(len, sizeof(pre) + sizeof(post));
	memcpy(m, pre, sizeof(pre) - 1);
	memset(m + sizeof(pre) - 1, 'A', len - (sizeof(pre) - 1) - (sizeof(post) - 1));
	memcpy(m + len - (sizeof(post) - 1), post, sizeof(post));
	return m;
}

/* OS_RecvUnix(q, OS_MAXSTR, buffer) reads OS_MAXSTR - 1 bytes; the rest of the datagram is lost. */
Test(execq, datagram_size)
{
	struct execq_table *t = home_new(STD_CONF, STD_EXES, EXECQ_MANAGER);
	struct execq_decision d;
	char *m, *want;

	m = sized_msg(EXECQ_READ_MAX); /* plus the NUL: the longest execd takes whole */
	handle_str(t, m, &d);
	cr_expect_eq(d.kind, EXECQ_RUN);
	cr_expect_not(d.truncated);
	execq_decision_free(&d);
	free(m);

	m = sized_msg(EXECQ_READ_MAX + 1); /* one byte more: cut, no longer JSON */
	handle_str(t, m, &d);
	cr_assert_eq(d.kind, EXECQ_ERROR);
	cr_expect(d.truncated);
	m[EXECQ_READ_MAX] = '\0';
	cr_assert_eq(asprintf(&want, "(1315): Invalid JSON message: '%s'", m) > 0, 1);
	cr_expect_str_eq(d.error, want);
	free(want);
	execq_decision_free(&d);
	free(m);

	/* A short message followed by 70000 spaces, no NUL: cut, yet still JSON. */
	m = malloc(70000);
	cr_assert_not_null(m);
	memset(m, ' ', 70000);
	memcpy(m, "{\"command\":\"firewall-drop0\"}", 28);
	cr_assert_eq(execq_handle(t, m, 70000, &d), 0);
	cr_expect_eq(d.kind, EXECQ_RUN);
	cr_expect(d.truncated);
	execq_decision_free(&d);
	free(m);
	execq_table_free(t);
}

/* The message is the C string at the start of the datagram. */
Test(execq, datagram_bytes)
{
	static const char lead_nul[] = "\0{\"command\":\"firewall-drop0\"}";
	static const char after_nul[] = "{\"command\":\"firewall-drop0\"}\0garbage";
	struct execq_table *t = home_new(STD_CONF, STD_EXES, EXECQ_MANAGER);
	struct execq_decision d;

	cr_assert_eq(execq_handle(t, lead_nul, sizeof(lead_nul), &d), 0);
	cr_expect_eq(d.kind, EXECQ_ERROR);
	cr_expect_str_eq(d.error, "(1315): Invalid JSON message: ''");
	execq_decision_free(&d);
	cr_assert_eq(execq_handle(t, after_nul, sizeof(after_nul), &d), 0);
	cr_expect_eq(d.kind, EXECQ_RUN);
	cr_expect_str_eq(execq_add_json(&d), "{\"command\":\"add\"}");
	cr_expect_eq(execq_alert_text(&d, &(struct execq_text){}), -ENOENT, "no alert in it");
	execq_decision_free(&d);
	/* OS_RecvUnix returns 0 for an empty datagram: ExecdStart's receive error. 4.x's
	 * QUEUE_ERROR ends at the quote (Wazuh's own unit tests expect "...: 'Success'"). */
	cr_assert_eq(execq_handle(t, "", 0, &d), 0);
	cr_expect_eq(d.kind, EXECQ_ERROR);
	cr_expect_str_eq(d.error, "(1210): Queue 'queue/alerts/execq' not accessible: 'Success'");
	execq_decision_free(&d);
	cr_expect_eq(execq_handle(t, NULL, 3, &d), -EINVAL);
	execq_table_free(t);
}

/* ExecdRun: lazy load on the first message, one reload per unknown name, then (1311). */
Test(execq, reload_once_per_unknown_name)
{
	struct execq_table *t = home_new("firewall-drop0 - firewall-drop - 0\n"
					 "host-deny1 - host-deny - 1\n",
					 "firewall-drop", EXECQ_MANAGER);
	struct execq_decision d;

	cr_expect_eq(execq_table_reads(t), 0, "execd reads ar.conf only when a message needs it");
	handle_name(t, "firewall-drop600", &d);
	cr_expect_eq(d.kind, EXECQ_ERROR);
	cr_expect_str_eq(d.error, "(1311): Invalid command name 'firewall-drop600' provided.");
	cr_expect_eq(execq_table_reads(t), 1);
	execq_decision_free(&d);
	cr_expect_eq(count_of(g_log,
			      "Active response command not present: "
			      "'active-response/bin/host-deny'. Not using it on this system."),
		     1);

	write_file(EXECQ_AR_CONF,
		   "firewall-drop0 - firewall-drop - 0\nhost-deny1 - host-deny - 1\n"
		   "firewall-drop600 - firewall-drop - 600\n",
		   0640);
	handle_name(t, "firewall-drop600", &d);
	cr_expect_eq(d.kind, EXECQ_RUN, "the reload must find the new line");
	cr_expect_eq(d.cmd.timeout, 600);
	cr_expect_eq(execq_table_reads(t), 2);
	execq_decision_free(&d);
	handle_name(t, "firewall-drop0", &d);
	cr_expect_eq(d.kind, EXECQ_RUN);
	cr_expect_eq(execq_table_reads(t), 2, "a known name must not re-read the file");
	execq_decision_free(&d);
	/* f_time_reading: "not present" only on the first read. */
	cr_expect_eq(count_of(g_log, "not present"), 1, "log:\n%s", g_log);
	execq_table_free(t);
}

/* A name whose program is missing is found, so it never causes a reload: dropped until one. */
Test(execq, missing_program_until_reload)
{
	struct execq_table *t = home_new("host-deny1 - host-deny - 1\n", "", EXECQ_MANAGER);
	struct execq_decision d;

	handle_name(t, "host-deny1", &d);
	cr_expect_eq(d.kind, EXECQ_IGNORED);
	execq_decision_free(&d);
	add_exes("host-deny");
	handle_name(t, "host-deny1", &d);
	cr_expect_eq(d.kind, EXECQ_IGNORED, "installing the program alone changes nothing");
	cr_expect_eq(execq_table_reads(t), 1);
	execq_decision_free(&d);
	handle_name(t, "unknown0", &d); /* the reload it causes sees the program */
	execq_decision_free(&d);
	handle_name(t, "host-deny1", &d);
	cr_expect_eq(d.kind, EXECQ_RUN);
	cr_expect_str_eq(d.cmd.program, "active-response/bin/host-deny");
	cr_expect_eq(d.cmd.timeout, 1);
	execq_decision_free(&d);
	execq_table_free(t);
}

Test(execq, missing_ar_conf)
{
	struct execq_table *t = home_new(NULL, STD_EXES, EXECQ_MANAGER);
	struct execq_decision d;

	cr_expect_eq(execq_table_read(t), -ENOENT);
	cr_expect_not_null(strstr(g_log, "(1103): Could not open file 'etc/shared/ar.conf' due to "
					 "[(2)-(No such file or directory)]."),
			   "log:\n%s", g_log);
	handle_name(t, "firewall-drop0", &d);
	cr_expect_eq(d.kind, EXECQ_ERROR);
	cr_expect_str_eq(d.error, "(1311): Invalid command name 'firewall-drop0' provided.");
	execq_decision_free(&d);
	/* "restart-wazuh" needs no table. */
	handle_name(t, "restart-wazuh", &d);
	cr_expect_eq(d.kind, EXECQ_RESTART);
	execq_decision_free(&d);
	execq_table_free(t);
}

Test(execq, restart_on_agent)
{
	struct execq_table *t = home_new(STD_CONF, STD_EXES, EXECQ_AGENT);
	struct execq_decision d;

	handle_name(t, "restart-wazuh", &d);
	cr_expect_eq(d.kind, EXECQ_RESTART);
	cr_expect_str_eq(d.restart_arg, "agent");
	cr_expect_eq(execq_table_reads(t), 0, "restart-wazuh is handled before any lookup");
	execq_decision_free(&d);
	handle_name(t, "!restart-wazuh", &d); /* not the special name: a script of that name */
	cr_expect_eq(d.kind, EXECQ_RUN);
	cr_expect_str_eq(d.cmd.program, "active-response/bin/restart-wazuh");
	execq_decision_free(&d);
	execq_table_free(t);
}

struct conf_case {
	char desc[64];
	char conf[768];
	char exes[96];
	char name[300]; /* looked up */
	int kind;
	char program[96];
	int timeout;
	int entries;
	char log[320]; /* a line ReadExecConfig logs; "" = nothing logged */
};

#define N300 X240 "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
#define N256 X240 "yyyyyyyyyyyyyyyy"
#define INV "(1313): Invalid active response config: 'etc/shared/ar.conf'."

/* clang-format off */
static struct conf_case conf_cases[] = {
	{ "preamble, restart-wazuh installed", PREAMBLE, "restart-wazuh", "restart-wazuh0",
	  EXECQ_RUN, "active-response/bin/restart-wazuh", 0, 2, "Active response command not "
	  "present: 'active-response/bin/restart-wazuh.exe'. Not using it on this system. (line 6)" },
	{ "preamble, the first installed one wins", PREAMBLE, "restart-ossec.sh restart-wazuh",
	  "restart-wazuh0", EXECQ_RUN, "active-response/bin/restart-ossec.sh", 0, 3, "Active "
	  "response command not present: 'active-response/bin/restart-ossec.cmd'. Not using it on "
	  "this system. (line 4)" },
	{ "a blank line is refused", "\nfirewall-drop0 - firewall-drop - 0\n", "firewall-drop",
	  "firewall-drop0", EXECQ_RUN, FD, 0, 1, INV " (line 1)" },
	{ "a comment is refused", "# the table\nfirewall-drop0 - firewall-drop - 0\n",
	  "firewall-drop", "firewall-drop0", EXECQ_RUN, FD, 0, 1, INV " (line 1)" },
	{ "a comment with separators is an entry", "# firewall-drop0 - firewall-drop - 0\n",
	  "firewall-drop", "# firewall-drop0", EXECQ_RUN, FD, 0, 1, "" },
	{ "a name starting with '!'", "!firewall-drop0 - firewall-drop - 0\n", "firewall-drop",
	  "firewall-drop0", EXECQ_ERROR, "", 0, 0, INV " (line 1)" },
	{ "one separator", "firewall-drop0 - firewall-drop\n", "firewall-drop", "firewall-drop0",
	  EXECQ_ERROR, "", 0, 0, INV " (line 1)" },
	{ "executable with a parent reference", "evil0 - ../../../bin/sh - 0\n", "", "evil0",
	  EXECQ_IGNORED, "", 0, 1, "Active response command '../../../bin/sh' vulnerable to "
	  "directory traversal attack. Ignoring. (line 1)" },
	{ "parent reference inside", "evil0 - sub/../firewall-drop - 0\n", "firewall-drop",
	  "evil0", EXECQ_IGNORED, "", 0, 1, "Active response command 'sub/../firewall-drop' "
	  "vulnerable to directory traversal attack. Ignoring. (line 1)" },
	{ "dots that are no parent reference", "dots0 - ..firewall-drop - 0\n", "..firewall-drop",
	  "dots0", EXECQ_RUN, "active-response/bin/..firewall-drop", 0, 1, "" },
	{ "dots in the name are not checked", "..0 - firewall-drop - 0\n", "firewall-drop", "..0",
	  EXECQ_RUN, FD, 0, 1, "" },
	{ "program not present", "host-deny1 - host-deny - 1\n", "", "host-deny1", EXECQ_IGNORED,
	  "", 1, 1, "Active response command not present: 'active-response/bin/host-deny'. Not "
	  "using it on this system. (line 1)" },
	{ "timeout is atoi", "fd0 - firewall-drop - 30s\n", "firewall-drop", "fd0", EXECQ_RUN, FD,
	  30, 1, "" },
	{ "negative timeout", "fd0 - firewall-drop - -5\n", "firewall-drop", "fd0", EXECQ_RUN, FD,
	  -5, 1, "" },
	{ "timeout not a number", "fd0 - firewall-drop - x\n", "firewall-drop", "fd0", EXECQ_RUN, FD,
	  0, 1, "" },
	{ "CRLF line", "fd0 - firewall-drop - 7\r\n", "firewall-drop", "fd0", EXECQ_RUN, FD, 7, 1,
	  "" },
	{ "no newline at the end", "fd0 - firewall-drop - 9", "firewall-drop", "fd0", EXECQ_RUN, FD,
	  9, 1, "" },
	{ "name longer than OS_FLSIZE", N300 " - firewall-drop - 0\n", "firewall-drop", N256,
	  EXECQ_RUN, FD, 0, 1, "(1318): Command name truncated " N256 " (line 1)" },
	{ "names are exact", "fd0 - firewall-drop - 0\n", "firewall-drop", "FD0", EXECQ_ERROR, "",
	  0, 1, "" },
	{ "duplicate fills a missing program, keeps its timeout",
	  "fd5 - host-deny - 5\nfd5 - firewall-drop - 60\n", "firewall-drop", "fd5", EXECQ_RUN, FD,
	  5, 1, "Active response command not present: 'active-response/bin/host-deny'. Not using it "
	  "on this system. (line 1)" },
	{ "duplicate with programs: both kept, first found",
	  "fd5 - firewall-drop - 5\nfd5 - host-deny - 60\n", "firewall-drop host-deny", "fd5",
	  EXECQ_RUN, FD, 5, 2, "" },
};
/* clang-format on */

ParameterizedTestParameters(execq, ar_conf)
{
	return cr_make_param_array(struct conf_case, conf_cases,
				   sizeof(conf_cases) / sizeof(conf_cases[0]));
}

ParameterizedTest(struct conf_case *c, execq, ar_conf)
{
	struct execq_table *t = home_new(c->conf, c->exes, EXECQ_MANAGER);
	struct execq_decision d;

	handle_name(t, c->name, &d);
	cr_assert_eq(d.kind, c->kind, "%s: kind %d, expected %d", c->desc, d.kind, c->kind);
	cr_expect_eq(execq_table_size(t), c->entries, "%s: entries", c->desc);
	if (c->kind == EXECQ_RUN || c->kind == EXECQ_IGNORED) {
		cr_expect_str_eq(d.cmd.program, c->program, "%s", c->desc);
		cr_expect_eq(d.cmd.timeout, c->timeout, "%s: timeout", c->desc);
	}
	if (c->log[0])
		cr_expect_not_null(strstr(g_log, c->log), "%s: log:\n%s", c->desc, g_log);
	else
		cr_expect_str_empty(g_log, "%s: log:\n%s", c->desc, g_log);
	execq_decision_free(&d);
	execq_table_free(t);
}

/* MAX_AR: 64 entries; later Wazuh stops at the first that does not fit and says so once. */
Test(execq, max_ar)
{
	struct execq_table *t;
	struct execq_decision d;
	char *conf = malloc(8192), name[32];
	size_t len = 0;
	int i;

	cr_assert_not_null(conf);
	for (i = 0; i < EXECQ_MAX_AR + 6; i++)
		len += snprintf(conf + len, 8192 - len, "fd%d - firewall-drop - %d\n", i, i);
	/* A duplicate after the cap would fill fd0's program: it is never read. */
	snprintf(conf + len, 8192 - len, "fd0 - firewall-drop - 0\n");
	t = home_new(conf, "", EXECQ_MANAGER);
	free(conf);
	handle_name(t, "fd0", &d);
	cr_expect_eq(d.kind, EXECQ_IGNORED);
	execq_decision_free(&d);
	cr_expect_eq(execq_table_size(t), EXECQ_MAX_AR);
	cr_expect_eq(count_of(g_log, "more than 64 commands"), 1, "log:\n%s", g_log);
	cr_expect_not_null(strstr(g_log, "line 65: more than 64 commands"), "log:\n%s", g_log);
	add_exes("firewall-drop");
	snprintf(name, sizeof(name), "fd%d", EXECQ_MAX_AR - 1);
	handle_name(t, name, &d); /* found: no reload, still no program */
	cr_expect_eq(d.kind, EXECQ_IGNORED);
	execq_decision_free(&d);
	snprintf(name, sizeof(name), "fd%d", EXECQ_MAX_AR);
	handle_name(t, name, &d); /* beyond the cap: reload, then (1311) */
	cr_expect_eq(d.kind, EXECQ_ERROR);
	cr_expect_eq(execq_table_reads(t), 2);
	execq_decision_free(&d);
	cr_expect_eq(count_of(g_log, "more than 64 commands"), 1, "reported once while it lasts");
	snprintf(name, sizeof(name), "fd%d", EXECQ_MAX_AR - 1);
	handle_name(t, name, &d);
	cr_expect_eq(d.kind, EXECQ_RUN);
	cr_expect_eq(d.cmd.timeout, EXECQ_MAX_AR - 1);
	execq_decision_free(&d);
	execq_table_free(t);
}
