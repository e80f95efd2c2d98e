// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the tests of arxdpd's execq input (user/arxdpd/execq_in.c) behind the
 * socket: datagrams as analysisd sends them, and the same alerts as alerts.json lines, into a
 * responder over a private instance of the real maps (root; skipped otherwise). What is
 * checked is what the kernel stores: offenses, timeouts, permanence, and the log's sequences.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "arxdpd/daemon.h"
#include "arxdpd/execq_in.h"
#include "arxdpd/follow.h"
#include "arxdpd/responder.h"
#include "loader.h"
#include "log.h"
#include "testutil.h"
#include "util.h"

static const char ossec_xml[] =
	"<ossec_config>\n"
	"  <cluster><node_name>node01</node_name></cluster>\n"
	"  <command><name>firewall-drop</name><executable>firewall-drop</executable>\n"
	"    <timeout_allowed>yes</timeout_allowed></command>\n"
	"  <active-response><command>firewall-drop</command><location>local</location>\n"
	"    <rules_id>5712</rules_id><timeout>600</timeout>\n"
	"    <repeated_offenders>1,2</repeated_offenders></active-response>\n"
	"</ossec_config>\n";

static const char ar_conf[] = "firewall-drop600 - firewall-drop - 600\n"
			      "firewall-drop0 - firewall-drop - 0\n"
			      "gone0 - not-installed - 0\n";

static struct loader_private *lp;
static struct blocklist bl;
static struct arxdp_settings s;
static struct responder r;
static struct execq_in *eq;
static char dir[64];

static void put_file(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	struct loader_opts o = { .capacity_v4 = 256, .capacity_v6 = 256, .cidr_capacity = 16 };
	struct ossec_config *cfg;
	char err[CONFIG_ERR_MAX], p[256];

	if (geteuid() != 0)
		cr_skip_test("the responder writes real maps: needs root");
	log_init("test", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	tu_mkdtemp(dir, sizeof(dir), "execq_in");
	snprintf(p, sizeof(p), "%s/etc", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/etc/shared", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/active-response", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/active-response/bin", dir);
	mkdir(p, 0700);
	put_file("etc/shared/ar.conf", ar_conf);
	put_file("active-response/bin/firewall-drop", "#!/bin/sh\n");
	cr_assert_eq(loader_private_open(&o, &lp), 0, "load the XDP program");
	cr_assert_eq(loader_private_blocklist(lp, &bl), 0);
	settings_defaults(&s);
	snprintf(s.ar_log, sizeof(s.ar_log), "%s/active-responses.log", dir);
	cr_assert_eq(responder_init(&r, &s, &bl), 0);
	cr_assert_eq(
		config_parse_ossec(&cfg, "test", ossec_xml, strlen(ossec_xml), err, sizeof(err)), 0,
		"%s", err);
	responder_set_config(&r, cfg);
	cr_assert_eq(execq_in_new(&eq, dir, "000"), 0);
}

static void teardown(void)
{
	if (geteuid() != 0)
		return;
	execq_in_free(eq);
	responder_free(&r);
	bl_close(&bl);
	loader_private_close(lp);
	tu_rm_rf(dir);
}

static void alert_line(char *buf, size_t len, unsigned int id, const char *srcip)
{
	snprintf(buf, len,
		 "{\"timestamp\":\"2026-11-25T10:00:00.000+0000\",\"rule\":{\"level\":10,"
		 "\"description\":\"sshd: brute force\",\"id\":\"5712\",\"groups\":[\"sshd\"]},"
		 "\"agent\":{\"id\":\"000\",\"name\":\"manager\"},\"id\":\"1764064800.%u\","
		 "\"data\":{\"srcip\":\"%s\"},\"location\":\"/var/log/auth.log\"}",
		 id, srcip);
}

enum via { JSON_LINE, DATAGRAM, RAW };

/* One alert by one input; RAW sends cmd itself as the datagram. */
static void feed(enum via via, const char *cmd, unsigned int id, const char *srcip)
{
	struct follow f = { .r = &r, .path = "alerts.json" };
	struct tail_pos at = { .seq = id, .lineno = id };
	char line[1024], dgram[2048];
	int n;

	alert_line(line, sizeof(line), id, srcip);
	if (via == JSON_LINE) {
		cr_assert_eq(follow_line(&f, line, strlen(line), &at, false), 0);
		return;
	}
	if (via == RAW)
		n = snprintf(dgram, sizeof(dgram), "%s", cmd);
	else
		n = snprintf(dgram, sizeof(dgram),
			     "{\"version\":1,\"origin\":{\"name\":\"node01\",\"module\":"
			     "\"wazuh-analysisd\"},\"command\":\"%s\",\"parameters\":{"
			     "\"extra_args\":[],\"alert\":%s}}",
			     cmd, line);
	/* analysisd sends strlen + 1: the NUL travels with it. */
	execq_in_message(eq, &r, NULL, dgram, (size_t)n + 1);
}

static unsigned int adds_logged(void)
{
	char path[256], line[8192];
	unsigned int n = 0;
	FILE *f;

	responder_flush(&r);
	snprintf(path, sizeof(path), "%s/active-responses.log", dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, "\"command\":\"add\"") != NULL;
	fclose(f);
	return n;
}

struct step {
	enum via via;
	const char *cmd;
	unsigned int id;
	const char *addr;
	/* after the step, for addr */
	uint32_t offenses, timeout;
	bool permanent;
	unsigned int adds; /* add sequences in the log so far */
	uint64_t seen_twice;
};

/*
 * One address by both inputs: each alert is applied once whichever input brings it first,
 * and repeated_offenders (1, 2 minutes) counts each alert once, whichever input counted it.
 */
static const struct step steps[] = {
	{ DATAGRAM, "firewall-drop600", 1, "198.51.100.7", 1, 600, false, 1, 0 },
	{ JSON_LINE, NULL, 1, "198.51.100.7", 1, 600, false, 1, 1 },
	{ JSON_LINE, NULL, 2, "198.51.100.7", 2, 60, false, 2, 1 },
	{ DATAGRAM, "firewall-drop600", 2, "198.51.100.7", 2, 60, false, 2, 2 },
	{ DATAGRAM, "firewall-drop600", 3, "198.51.100.7", 3, 120, false, 3, 2 },
	{ DATAGRAM, "firewall-drop600", 4, "198.51.100.7", 4, 120, false, 4, 2 },
	/* Another response for the same alert is another key: applied. */
	{ DATAGRAM, "firewall-drop0", 5, "2001:db8::5", 1, 0, true, 5, 2 },
	{ DATAGRAM, "firewall-drop0", 5, "2001:db8::5", 1, 0, true, 5, 3 },
	/* IPv4-mapped: the IPv4 entry. */
	{ DATAGRAM, "firewall-drop600", 6, "::ffff:198.51.100.9", 1, 600, false, 6, 3 },
};

Test(execq_in, two_inputs_one_alert_once, .init = setup, .fini = teardown)
{
	size_t i;

	cr_assert_eq(responder_dedupe_on(&r), 0);
	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		const struct step *st = &steps[i];
		const char *a4 = strncmp(st->addr, "::ffff:", 7) ? st->addr : st->addr + 7;
		struct arxdp_block v;
		struct arxdp_addr a;

		feed(st->via, st->cmd, st->id, st->addr);
		cr_assert_eq(addr_parse(a4, &a, NULL, 0), 0);
		cr_assert_eq(bl_get(&bl, &a, &v), 0, "step %zu: %s not in the map", i, st->addr);
		cr_expect_eq(v.offenses, st->offenses, "step %zu: offenses %u", i, v.offenses);
		cr_expect_eq(v.timeout_s, st->timeout, "step %zu: timeout %u", i, v.timeout_s);
		cr_expect_eq(v.expires_ns == 0, st->permanent, "step %zu", i);
		cr_expect_eq(v.rule_id, 5712u, "step %zu", i);
		cr_expect_eq(adds_logged(), st->adds, "step %zu", i);
		cr_expect_eq(r.c.seen_twice, st->seen_twice, "step %zu", i);
	}
	cr_expect_eq(eq->c.blocks, 5u); /* seven datagrams, two seen by alerts.json first */
}

/* Without the second input nothing is compared: each copy is an add, as under execd. */
Test(execq_in, one_input_no_dedupe, .init = setup, .fini = teardown)
{
	struct arxdp_block v;
	struct arxdp_addr a;

	feed(DATAGRAM, "firewall-drop600", 1, "198.51.100.7");
	feed(DATAGRAM, "firewall-drop600", 1, "198.51.100.7");
	cr_assert_eq(addr_parse("198.51.100.7", &a, NULL, 0), 0);
	cr_assert_eq(bl_get(&bl, &a, &v), 0);
	cr_expect_eq(v.offenses, 2u);
	cr_expect_eq(r.c.seen_twice, 0u);
}

struct bad {
	const char *dgram;
	uint64_t errors, ignored, no_srcip;
};

/* What execd refuses or ignores writes nothing; each is counted where execd would log it. */
static const struct bad bads[] = {
	{ "not json", 1, 0, 0 },
	{ "firewall-drop600 - 198.51.100.7 1764064800.1 5712 /var/log/auth.log - -", 1, 0, 0 },
	{ "{\"version\":1,\"command\":7}", 1, 0, 0 },
	{ "{\"version\":1,\"command\":\"nosuch0\"}", 1, 0, 0 },
	{ "{\"version\":1,\"origin\":{},\"command\":\"gone0\",\"parameters\":{}}", 0, 1, 0 },
	/* firewall-drop finds no srcip: it would exit without keys. */
	{ "{\"version\":1,\"origin\":{\"name\":\"n\",\"module\":\"m\"},\"command\":"
	  "\"firewall-drop600\",\"parameters\":{\"alert\":{\"data\":{}}}}",
	  0, 0, 1 },
	{ "", 1, 0, 0 },
};

Test(execq_in, refused_and_ignored_write_nothing, .init = setup, .fini = teardown)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bads); i++) {
		struct execq_counters c0 = eq->c;

		execq_in_message(eq, &r, NULL, bads[i].dgram,
				 strlen(bads[i].dgram) + !!*bads[i].dgram);
		cr_expect_eq(eq->c.errors - c0.errors, bads[i].errors, "case %zu", i);
		cr_expect_eq(eq->c.ignored - c0.ignored, bads[i].ignored, "case %zu", i);
		cr_expect_eq(eq->c.no_srcip - c0.no_srcip, bads[i].no_srcip, "case %zu", i);
		cr_expect_eq(eq->c.blocks, 0u, "case %zu", i);
	}
	cr_expect_eq(adds_logged(), 0u);
	cr_expect_eq(r.c.blocked + r.c.extended, 0u);
}

/* firewall-drop logs the messages execd gives it: the datagram's own, byte for byte. */
Test(execq_in, log_lines_echo_the_datagram, .init = setup, .fini = teardown)
{
	char line[1024], dgram[2048], want[2048], path[256], got[8192];
	bool found = false;
	FILE *f;
	int n;

	alert_line(line, sizeof(line), 1, "198.51.100.7");
	n = snprintf(
		dgram, sizeof(dgram),
		"{\"version\":1,\"origin\":{\"name\":\"node01\",\"module\":\"wazuh-analysisd\"},"
		"\"command\":\"firewall-drop600\",\"parameters\":{\"extra_args\":[\"-x\",\"y\"],"
		"\"alert\":%s}}",
		line);
	snprintf(
		want, sizeof(want),
		"active-response/bin/firewall-drop: {\"version\":1,\"origin\":{\"name\":\"node01\","
		"\"module\":\"wazuh-execd\"},\"command\":\"add\",\"parameters\":{\"extra_args\":"
		"[\"-x\",\"y\"],\"alert\":%s,\"program\":\"active-response/bin/firewall-drop\"}}\n",
		line);
	execq_in_message(eq, &r, NULL, dgram, (size_t)n + 1);
	responder_flush(&r);
	snprintf(path, sizeof(path), "%s/active-responses.log", dir);
	f = fopen(path, "r");
	cr_assert_not_null(f);
	while (fgets(got, sizeof(got), f))
		if (strstr(got, want))
			found = true;
	fclose(f);
	cr_expect(found, "no add line '%s'", want);
}

/*
 * The daemon's side over a real socket: more datagrams queued than one receive call takes
 * (EXECQ_VLEN) are all applied, each once, in one event, and their log lines are those of
 * one datagram after another. The queue is deepened in a network namespace of the test's own
 * (net.unix.max_dgram_qlen is per namespace), so they all fit before the event reads them.
 */
#define BATCH_N (3 * EXECQ_VLEN + 5)

static struct daemon *event_daemon(int *peer)
{
	struct ossec_config *cfg;
	char err[CONFIG_ERR_MAX];
	struct daemon *d;
	int sv[2];
	FILE *f;

	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare: %s", strerror(errno));
	f = fopen("/proc/sys/net/unix/max_dgram_qlen", "w");
	cr_assert_not_null(f);
	fprintf(f, "%d\n", 4 * BATCH_N);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv), 0);
	d = calloc(1, sizeof(*d));
	cr_assert_not_null(d);
	d->bl = bl;
	d->epfd = -1;
	cr_assert_eq(responder_init(&d->r, &s, &d->bl), 0);
	cr_assert_eq(
		config_parse_ossec(&cfg, "test", ossec_xml, strlen(ossec_xml), err, sizeof(err)), 0,
		"%s", err);
	responder_set_config(&d->r, cfg);
	eq->fd = sv[0];
	d->eq = eq;
	*peer = sv[1];
	return d;
}

static void send_batch(int peer, unsigned int first, unsigned int n)
{
	char line[1024], dgram[2048], ip[32];
	unsigned int i;
	int len;

	for (i = first; i < first + n; i++) {
		snprintf(ip, sizeof(ip), "198.18.%u.%u", i / 250, 1 + i % 250);
		alert_line(line, sizeof(line), i, ip);
		len = snprintf(dgram, sizeof(dgram),
			       "{\"version\":1,\"origin\":{\"name\":\"node01\",\"module\":"
			       "\"wazuh-analysisd\"},\"command\":\"firewall-drop600\","
			       "\"parameters\":{\"extra_args\":[],\"alert\":%s}}",
			       line);
		cr_assert_eq(send(peer, dgram, (size_t)len + 1, 0), len + 1, "send %u: %s", i,
			     strerror(errno));
	}
}

/* Each line of the log without its time stamp: what a per-datagram write gives, in order. */
static void check_log(unsigned int n)
{
	char path[256], got[8192], want[8192], line[1024], ip[32];
	unsigned int i, k = 0, lineno = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/active-responses.log", dir);
	f = fopen(path, "r");
	cr_assert_not_null(f);
	for (i = 0; i < n; i++) {
		const char *fd = "active-response/bin/firewall-drop: ";
		const char *seq[7];
		char add[2048], keys[256];

		snprintf(ip, sizeof(ip), "198.18.%u.%u", i / 250, 1 + i % 250);
		alert_line(line, sizeof(line), i, ip);
		snprintf(add, sizeof(add),
			 "%s{\"version\":1,\"origin\":{\"name\":\"node01\",\"module\":\"wazuh-"
			 "execd\"},\"command\":\"add\",\"parameters\":{\"extra_args\":[],\"alert\":"
			 "%s,\"program\":\"active-response/bin/firewall-drop\"}}\n",
			 fd, line);
		snprintf(keys, sizeof(keys),
			 "%s{\"version\":1,\"origin\":{\"name\":\"firewall-drop\",\"module\":"
			 "\"active-response\"},\"command\":\"check_keys\",\"parameters\":{\"keys\":"
			 "[\"%s\"]}}\n",
			 fd, ip);
		seq[0] = "active-response/bin/firewall-drop: Starting\n";
		seq[1] = add;
		seq[2] = "\n";
		seq[3] = keys;
		seq[4] = NULL; /* continue: checked by its prefix below */
		seq[5] = "\n";
		seq[6] = "active-response/bin/firewall-drop: Ended\n";
		for (k = 0; k < 7; k++) {
			const char *g;

			cr_assert_not_null(fgets(got, sizeof(got), f), "line %u missing", lineno);
			lineno++;
			/* "YYYY/MM/DD HH:MM:SS " before each line but the blank ones */
			g = seq[k] && !strcmp(seq[k], "\n") ? got : got + 20;
			if (k == 4) {
				snprintf(want, sizeof(want), "%s{\"version\":1,\"origin\":{", fd);
				cr_expect_eq(strncmp(g, want, strlen(want)), 0, "line %u: %s",
					     lineno, got);
				cr_expect_not_null(strstr(g, "\"command\":\"continue\""), "line %u",
						   lineno);
				cr_expect_not_null(strstr(g, line), "line %u: alert", lineno);
				continue;
			}
			cr_expect_str_eq(g, seq[k], "line %u", lineno);
		}
	}
	cr_expect_null(fgets(got, sizeof(got), f), "more lines than %u blocks make", n);
	fclose(f);
}

Test(execq_in, batch_larger_than_one_receive, .init = setup, .fini = teardown)
{
	struct arxdp_block v;
	struct arxdp_addr a;
	struct daemon *d;
	unsigned int i;
	char ip[32];
	int peer;

	d = event_daemon(&peer);
	send_batch(peer, 0, BATCH_N);
	execq_in_event(d);
	cr_expect_eq(eq->c.received, BATCH_N);
	cr_expect_eq(eq->c.blocks, BATCH_N);
	cr_expect_eq(d->r.c.blocked, BATCH_N, "each applied once: %lu", d->r.c.blocked);
	cr_expect_eq(recv(eq->fd, ip, sizeof(ip), MSG_DONTWAIT), -1, "the queue is empty");
	for (i = 0; i < BATCH_N; i++) {
		snprintf(ip, sizeof(ip), "198.18.%u.%u", i / 250, 1 + i % 250);
		cr_assert_eq(addr_parse(ip, &a, NULL, 0), 0);
		cr_assert_eq(bl_get(&bl, &a, &v), 0, "%s not in the map", ip);
		cr_expect_eq(v.offenses, 1u, "%s applied once", ip);
	}
	check_log(BATCH_N);
	/* At a stop: shut for reading, what is queued is still applied, then the end. */
	send_batch(peer, BATCH_N, EXECQ_VLEN + 1);
	execq_in_stop(d);
	cr_expect_eq(eq->c.received, BATCH_N + EXECQ_VLEN + 1);
	cr_expect_eq(d->r.c.blocked, BATCH_N + EXECQ_VLEN + 1);
	cr_expect_eq(send(peer, "{}", 3, 0), -1, "no reader after the stop");
	cr_expect_eq(errno, EPIPE);
	close(peer);
	responder_free(&d->r);
	d->eq = NULL;
	free(d);
}

/*
 * The poll of an empty queue after datagrams: a datagram that comes within its bound is taken
 * by the same event, one after it by the next event, and an event that found the queue empty
 * does not poll at all. The bounds are lengthened (eq->spin_*) so that the margins are tens of
 * milliseconds, not the daemon's microseconds: a child sends the late datagram.
 */
struct spin_case {
	const char *name;
	uint64_t spin_ms;
	unsigned int polls, first, late_ms;
	unsigned int want; /* received by the first event */
};

static const struct spin_case spin_cases[] = {
	{ "a datagram within the bound joins the event", 500, UINT_MAX, 1, 20, 2 },
	{ "one after the bound waits for the next event", 5, UINT_MAX, 1, 300, 1 },
	{ "the poll count bounds it too", 2000, 1, 1, 300, 1 },
	{ "an event that found the queue empty does not poll", 2000, UINT_MAX, 0, 300, 0 },
};

Test(execq_in, spin_after_datagrams, .init = setup, .fini = teardown)
{
	struct daemon *d;
	unsigned int k, sent = 0;
	int peer, st;
	pid_t pid;

	d = event_daemon(&peer);
	for (k = 0; k < ARRAY_SIZE(spin_cases); k++) {
		const struct spin_case *c = &spin_cases[k];
		uint64_t base = eq->c.received;

		eq->spin_ns = c->spin_ms * 1000000;
		eq->spin_polls = c->polls;
		send_batch(peer, sent, c->first);
		pid = fork();
		cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
		if (!pid) {
			usleep(c->late_ms * 1000);
			send_batch(peer, sent + c->first, 1);
			_exit(0);
		}
		execq_in_event(d);
		cr_expect_eq(eq->c.received - base, c->want, "%s: %lu received", c->name,
			     (unsigned long)(eq->c.received - base));
		cr_assert_eq(waitpid(pid, &st, 0), pid);
		cr_assert(WIFEXITED(st) && !WEXITSTATUS(st), "%s: the late sender failed", c->name);
		/* Whatever the first event left is the next one's, each applied once. */
		eq->spin_ns = 0;
		execq_in_event(d);
		sent += c->first + 1;
		cr_expect_eq(eq->c.received, sent, "%s: %lu received in all", c->name,
			     (unsigned long)eq->c.received);
		cr_expect_eq(d->r.c.blocked, sent, "%s: each applied once", c->name);
	}
	check_log(sent);
	close(peer);
	responder_free(&d->r);
	d->eq = NULL;
	free(d);
}
