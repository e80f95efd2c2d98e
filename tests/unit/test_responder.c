// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the tests of arxdpd's glue (user/arxdpd/responder.c, follow.c, persist.c):
 * alert lines and operator requests in, map writes, active-responses.log lines and state out.
 * The maps are a private instance of the real program (root); without root the tier is skipped,
 * since a double of the map would prove nothing about what the kernel stores.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "arxdpd/follow.h"
#include "arxdpd/persist.h"
#include "arxdpd/responder.h"
#include "btable.h"
#include "loader.h"
#include "log.h"
#include "state.h"
#include "testutil.h"
#include "util.h"

static const char ossec_xml[] =
	"<ossec_config>\n"
	"  <global><white_list>192.0.2.10</white_list></global>\n"
	"  <command><name>firewall-drop</name><executable>firewall-drop</executable>\n"
	"    <timeout_allowed>yes</timeout_allowed></command>\n"
	"  <active-response><command>firewall-drop</command><location>local</location>\n"
	"    <rules_id>5712</rules_id><timeout>600</timeout></active-response>\n"
	"  <active-response><command>firewall-drop</command><location>local</location>\n"
	"    <rules_id>5713</rules_id><timeout>0</timeout></active-response>\n"
	"  <command><name>notify</name><executable>notify.sh</executable>\n"
	"    <timeout_allowed>no</timeout_allowed></command>\n"
	"  <active-response><command>notify</command><location>local</location>\n"
	"    <rules_id>5714</rules_id></active-response>\n"
	"</ossec_config>\n";

static struct loader_private *lp;
static struct blocklist bl;
static struct arxdp_settings s;
static struct responder r;
static char dir[64];

static void setup(void)
{
	struct loader_opts o = { .capacity_v4 = 256, .capacity_v6 = 256, .cidr_capacity = 16 };
	struct ossec_config *cfg;
	char err[CONFIG_ERR_MAX];

	if (geteuid() != 0)
		cr_skip_test("the responder writes real maps: needs root");
	log_init("test", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	tu_mkdtemp(dir, sizeof(dir), "responder");
	cr_assert_eq(loader_private_open(&o, &lp), 0, "load the XDP program");
	cr_assert_eq(loader_private_blocklist(lp, &bl), 0);
	settings_defaults(&s);
	snprintf(s.ar_log, sizeof(s.ar_log), "%s/active-responses.log", dir);
	snprintf(s.state_dir, sizeof(s.state_dir), "%s/state", dir);
	cr_assert_eq(responder_init(&r, &s, &bl), 0);
	cr_assert_eq(
		config_parse_ossec(&cfg, "test", ossec_xml, strlen(ossec_xml), err, sizeof(err)), 0,
		"%s", err);
	responder_set_config(&r, cfg);
}

static void teardown(void)
{
	if (geteuid() != 0)
		return;
	responder_free(&r);
	bl_close(&bl);
	loader_private_close(lp);
	tu_rm_rf(dir);
}

/* The log's firewall-drop lines, each as its message or its execd command, joined by '|'. */
static size_t log_lines(char *out, size_t len)
{
	char line[8192];
	size_t n = 0;
	FILE *f;

	out[0] = '\0';
	responder_flush(&r);
	f = fopen(s.ar_log, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, "\"command\":\"");
		const char *msg = strstr(line, "firewall-drop: ");

		n++;
		if (!msg)
			continue;
		msg += strlen("firewall-drop: ");
		if (p) {
			p += strlen("\"command\":\"");
			strncat(out, p, strcspn(p, "\""));
		} else {
			strncat(out, msg, strcspn(msg, "\n"));
		}
		strncat(out, "|", len - strlen(out) - 1);
	}
	fclose(f);
	return n;
}

/* A first start over an empty state directory: nothing to load, this boot's maps known. */
static void first_start(struct persist *p)
{
	struct tail_pos got;
	bool have_pos;

	cr_assert_eq(mkdir(s.state_dir, 0700), 0);
	persist_init(p, s.state_dir);
	cr_assert_eq(persist_load(p, &r, &got, &have_pos), 0, "first start: no state");
}

/* A block of firewall-drop's the table tracks, as a saved state would name it. */
static struct bmeta *track(const char *addr)
{
	struct arxdp_addr a;
	struct bmeta *m;

	cr_assert_eq(addr_parse(addr, &a, NULL, 0), 0, "%s", addr);
	m = btable_upsert(r.bt, &a);
	cr_assert_not_null(m);
	strcpy(m->exe, "firewall-drop");
	return m;
}

static void feed(const char *rule, const char *srcip, uint64_t seq)
{
	struct follow f = { .r = &r, .path = "alerts.json" };
	struct tail_pos at = { .seq = seq, .lineno = seq };
	char line[1024];

	snprintf(line, sizeof(line),
		 "{\"timestamp\":\"2026-11-25T10:00:00.000+0000\",\"rule\":{\"level\":10,"
		 "\"description\":\"sshd: brute force\",\"id\":\"%s\",\"groups\":[\"sshd\"]},"
		 "\"agent\":{\"id\":\"000\",\"name\":\"manager\"},\"id\":\"1764064800.%llu\","
		 "\"data\":{\"srcip\":\"%s\"},\"location\":\"/var/log/auth.log\"}",
		 rule, (unsigned long long)seq, srcip);
	cr_assert_eq(follow_line(&f, line, strlen(line), &at, false), 0);
}

struct step {
	const char *rule, *addr;
	uint64_t seq;
	/* after the step */
	bool blocked;
	uint32_t offenses, timeout;
	uint64_t stored_seq; /* the alert position the map holds: seq + 1 */
	const char *log; /* every command/message line of the log so far */
};

/* One address through a whole life: new, repeat, re-read, permanent, white-listed. */
static const struct step steps[] = {
	{ "5712", "198.51.100.7", 10, true, 1, 600, 11, "Starting|add|check_keys|continue|Ended|" },
	{ "5712", "198.51.100.7", 20, true, 2, 600, 21,
	  "Starting|add|check_keys|continue|Ended|Starting|add|check_keys|abort|Aborted|" },
	/* The same alert re-read after a crash (seq not above the stored one): nothing. */
	{ "5712", "198.51.100.7", 20, true, 2, 600, 21,
	  "Starting|add|check_keys|continue|Ended|Starting|add|check_keys|abort|Aborted|" },
	/* White-listed: no block, no line. */
	{ "5712", "192.0.2.10", 30, false, 0, 0, 0,
	  "Starting|add|check_keys|continue|Ended|Starting|add|check_keys|abort|Aborted|" },
	/* Bound to no response: nothing. */
	{ "1002", "198.51.100.8", 40, false, 0, 0, 0,
	  "Starting|add|check_keys|continue|Ended|Starting|add|check_keys|abort|Aborted|" },
};

Test(responder, alert_lifecycle, .init = setup, .fini = teardown)
{
	char buf[4096];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		const struct step *st = &steps[i];
		struct arxdp_block v;
		struct arxdp_addr a;
		struct bmeta *m;

		feed(st->rule, st->addr, st->seq);
		cr_assert_eq(addr_parse(st->addr, &a, NULL, 0), 0);
		m = btable_get(r.bt, &a);
		if (!st->blocked) {
			cr_expect_neq(bl_get(&bl, &a, &v), 0, "step %zu: %s must not be blocked", i,
				      st->addr);
			cr_expect_null(m, "step %zu", i);
		} else {
			cr_assert_eq(bl_get(&bl, &a, &v), 0, "step %zu: %s not in the map", i,
				     st->addr);
			cr_expect_eq(v.offenses, st->offenses, "step %zu: offenses %u", i,
				     v.offenses);
			cr_expect_eq(v.timeout_s, st->timeout, "step %zu", i);
			cr_expect_eq(v.rule_id, 5712u);
			cr_expect_eq(v.origin, ARXDP_ORIGIN_ALERT);
			cr_expect_eq(v.seq, st->stored_seq, "step %zu: seq %llu", i,
				     (unsigned long long)v.seq);
			cr_assert_not_null(m, "step %zu: no table entry", i);
			/* The table holds what the map holds: one record, no copies. */
			cr_expect_eq(memcmp(&m->v.expires_ns, &v.expires_ns, 8), 0);
			cr_expect_eq(m->v.offenses, v.offenses);
			cr_expect_eq(m->v.seq, v.seq);
			cr_expect_str_eq(m->exe, "firewall-drop");
			cr_assert_not_null(m->alert);
			cr_expect(strstr(m->alert, "\"srcip\":\"198.51.100.7\"") != NULL, "%s",
				  m->alert);
			cr_expect(strstr(m->alert, "\"id\":\"5712\"") != NULL, "%s", m->alert);
			/* ExecdRun's stored delete is the first alert's: a repeat keeps it. */
			cr_expect(strstr(m->alert, "\"id\":\"1764064800.10\"") != NULL,
				  "step %zu: %s", i, m->alert);
		}
		log_lines(buf, sizeof(buf));
		cr_expect_str_eq(buf, st->log, "step %zu", i);
	}
	cr_expect_eq(r.c.blocked, 1u);
	cr_expect_eq(r.c.extended, 1u);
	cr_expect_eq(r.c.duplicates, 1u);
	cr_expect_eq(r.c.skips[MATCH_WHITE_LIST], 1u);
}

Test(responder, operator_block_unblock_and_state, .init = setup, .fini = teardown)
{
	struct block_req q = { .timeout_s = 0, .why = { .origin = ARXDP_ORIGIN_CLI } };
	struct tail_pos pos = { .seq = 5 }, got_pos;
	struct persist p;
	struct btable *back = btable_new();
	struct pending_delete *pending = NULL;
	struct arxdp_block v;
	enum bl_result res;
	struct bmeta *m;
	bool have_pos;
	char buf[4096];

	cr_assert_not_null(back);
	cr_assert_eq(addr_parse("203.0.113.0/24", &q.addr, NULL, 0), 0);
	q.alert = "{\"data\":{\"srcip\":\"203.0.113.0/24\"}}";
	q.alert_len = strlen(q.alert);
	q.compact = strdup(q.alert);
	cr_assert_eq(responder_block(&r, &q, &res, &v), 0);
	cr_expect_eq(res, BL_NEW);
	cr_expect_eq(v.expires_ns, 0u, "permanent");
	cr_expect_eq(v.origin, ARXDP_ORIGIN_CLI);
	/* Persisted, and read back as the same record. */
	persist_init(&p, s.state_dir);
	cr_assert_eq(mkdir(s.state_dir, 0700), 0);
	persist_save(&p, &r, &pos, false, true);
	cr_assert_eq(state_load(s.state_dir, &got_pos, &have_pos, back, NULL, &pending, NULL, NULL),
		     0);
	m = btable_get(back, &q.addr);
	cr_assert_not_null(m);
	cr_expect_eq(m->v.expires_ns, 0u);
	cr_expect_eq(m->v.origin, ARXDP_ORIGIN_CLI);
	cr_expect_eq(got_pos.seq, 5u);
	/* A refused address: never this host's loopback. */
	cr_assert_eq(addr_parse("127.0.0.1", &q.addr, NULL, 0), 0);
	cr_expect_eq(responder_block(&r, &q, NULL, NULL), -EPERM);
	cr_expect_eq(r.c.refused, 1u);
	/* The unblock writes the delete sequence and forgets the block. */
	cr_assert_eq(addr_parse("203.0.113.0/24", &q.addr, NULL, 0), 0);
	cr_assert_eq(responder_unblock(&r, &q.addr), 0);
	cr_expect_neq(bl_get(&bl, &q.addr, &v), 0);
	cr_expect_null(btable_get(r.bt, &q.addr));
	cr_expect_eq(responder_unblock(&r, &q.addr), -ENOENT);
	log_lines(buf, sizeof(buf));
	cr_expect_str_eq(buf, "Starting|add|check_keys|continue|Ended|Starting|delete|Ended|");
	btable_free(back);
	pending_free_all(pending);
}

/* A script waits for the snapshot that holds its alert, then goes to the runner. */
Test(responder, scripts_wait_for_their_snapshot, .init = setup, .fini = teardown)
{
	struct tail_pos pos = { .seq = 50 };
	struct persist p;
	int status;
	pid_t pid;

	cr_assert_eq(mkdir(s.state_dir, 0700), 0);
	persist_init(&p, s.state_dir);
	feed("5714", "198.51.100.9", 50);
	cr_expect_eq(r.n_held, 1u, "held until a snapshot covers it");
	cr_expect_eq(r.c.decisions[MATCH_SCRIPT], 1u);
	/* Held scripts start a snapshot at once, whatever the interval. */
	p.last_save_mono = mono_now_ns();
	persist_save(&p, &r, &pos, true, false);
	cr_assert_gt(p.saver, 0, "a forked snapshot");
	cr_expect_eq(r.n_held, 0u);
	cr_assert_not_null(p.covered, "the snapshot covers the script");
	pid = waitpid(p.saver, &status, 0);
	cr_assert_eq(pid, p.saver);
	cr_expect(persist_child(&p, &r, pid, status));
	cr_expect_null(p.covered, "released after the snapshot");
	cr_expect_eq(access(s.state_dir, F_OK), 0);
	/* A failed snapshot holds them again. */
	feed("5714", "198.51.100.10", 60);
	persist_save(&p, &r, &pos, true, false);
	cr_assert_gt(p.saver, 0);
	waitpid(p.saver, &status, 0);
	cr_expect(persist_child(&p, &r, p.saver, 1 << 8));
	cr_expect_eq(r.n_held, 1u, "back in the queue");
	cr_expect_eq(r.c.state_errors, 1u);
}

/* A stop waits for a stuck snapshot child only so long: then it is killed and the stop saves. */
Test(responder, stop_bounds_the_wait_for_a_snapshot, .init = setup, .fini = teardown)
{
	struct tail_pos pos = { .seq = 70 }, got_pos;
	struct pending_delete *pending = NULL;
	struct btable *back = btable_new();
	struct persist p;
	bool have_pos;
	uint64_t t0;
	pid_t stuck;
	int status;

	tu_deadline(10); /* the old code waits for the stuck child forever */
	cr_assert_eq(mkdir(s.state_dir, 0700), 0);
	persist_init(&p, s.state_dir);
	cr_expect_geq(p.saver_wait_ns, 5 * NSEC_PER_SEC, "a real save gets seconds");
	feed("5714", "198.51.100.11", 70);
	persist_save(&p, &r, &pos, true, false);
	cr_assert_gt(p.saver, 0);
	waitpid(p.saver, &status, 0);
	cr_assert(persist_child(&p, &r, p.saver, status));
	/* A snapshot that never ends (a disk that stopped answering). */
	stuck = fork();
	cr_assert_geq(stuck, 0);
	if (stuck == 0) {
		pause();
		_exit(0);
	}
	p.saver = stuck;
	p.saver_wait_ns = 100 * 1000 * 1000;
	pos.seq = 71;
	t0 = mono_now_ns();
	persist_final(&p, &r, &pos, NULL);
	cr_expect_lt(mono_now_ns() - t0, 2 * NSEC_PER_SEC, "bounded by saver_wait_ns");
	cr_expect_eq(p.saver, 0);
	cr_expect_eq(waitpid(stuck, &status, WNOHANG), -1, "killed and reaped");
	cr_expect_eq(r.c.state_errors, 1u, "the killed snapshot counts as failed");
	cr_assert_eq(state_load(s.state_dir, &got_pos, &have_pos, back, NULL, &pending, NULL, NULL),
		     0);
	cr_expect(have_pos);
	cr_expect_eq(got_pos.seq, 71u, "the final save ran, in this process");
	btable_free(back);
	pending_free_all(pending);
}

/* The sweep runs in slices of sweep_slice entries, one pass per tick at most. */
Test(responder, sweep_in_slices, .init = setup, .fini = teardown)
{
	struct arxdp_block v = { .expires_ns = 1, .timeout_s = 1, .origin = ARXDP_ORIGIN_CLI };
	struct arxdp_addr a;
	struct persist p;
	struct bl_fill f;
	int i, steps = 0;
	char buf[32];
	bool more;

	persist_init(&p, s.state_dir);
	cr_expect_leq(p.sweep_slice, 2048u, "a slice stays well under a millisecond");
	p.sweep_slice = 100;
	cr_assert_eq(bl_lock(&bl), 0);
	for (i = 0; i < 250; i++) {
		snprintf(buf, sizeof(buf), "198.51.100.%d", i);
		if (i >= 200)
			snprintf(buf, sizeof(buf), "2001:db8::%x", i);
		cr_assert_eq(addr_parse(buf, &a, NULL, 0), 0);
		v.prefixlen = a.prefixlen;
		cr_assert_eq(bl_put(&bl, &a, &v), 0, "%s", buf);
	}
	bl_unlock(&bl);
	cr_expect_not(persist_sweep_step(&p, &r), "no budget before the first tick");
	cr_assert_eq(bl_fill(&bl, &f), 0);
	cr_expect_eq(f.block4 + f.block6, 250u, "nothing swept without budget");
	persist_sweep_start(&p);
	more = persist_sweep_step(&p, &r);
	cr_expect(more, "250 entries take more than one slice of 100");
	cr_assert_eq(bl_fill(&bl, &f), 0);
	cr_expect_geq(f.block4 + f.block6, 150u, "one slice removed at most its 100");
	for (steps = 1; more && steps < 20; steps++)
		more = persist_sweep_step(&p, &r);
	cr_expect_leq(steps, 4, "one pass: %d slices", steps);
	cr_assert_eq(bl_fill(&bl, &f), 0);
	cr_expect_eq(f.block4 + f.block6, 0u, "every expired block gone after the pass");
	cr_expect_not(persist_sweep_step(&p, &r), "the pass wrapped: nothing more this tick");
}

/*
 * A burst writes active-responses.log in pieces of RESPONDER_LOG_WRITE_AT bytes (one write of
 * arlog's 256 KiB held the loop over 1 ms): never more than a piece and a block's lines kept,
 * the file growing during the burst, and the bytes those of one write at the end.
 */
Test(responder, log_written_in_pieces, .init = setup, .fini = teardown)
{
	size_t kept_max = 0, block_max = 0, before = 0, lines;
	struct stat st;
	int i, writes = 0;
	char ip[32];
	static char all[1 << 16];

	for (i = 0; i < 200; i++) {
		snprintf(ip, sizeof(ip), "198.51.100.%d", i);
		feed("5712", ip, (uint64_t)i + 1);
		if (r.log.b.len > kept_max)
			kept_max = r.log.b.len;
		if (r.log.b.len > before && r.log.b.len - before > block_max)
			block_max = r.log.b.len - before;
		if (r.log.b.len < before)
			writes++;
		before = r.log.b.len;
	}
	cr_expect_lt(kept_max, RESPONDER_LOG_WRITE_AT + block_max,
		     "%zu bytes kept unwritten (a block: %zu)", kept_max, block_max);
	cr_expect_geq(writes, 5, "%d writes during 200 blocks", writes);
	cr_assert_eq(stat(s.ar_log, &st), 0, "nothing written during the burst");
	cr_expect_gt((size_t)st.st_size, 200 * block_max / 2);
	lines = log_lines(all, sizeof(all));
	cr_expect_eq(lines, 200 * 7, "%zu lines", lines);
	cr_expect_eq(strstr(all, "Starting|add|check_keys|continue|Ended|Starting|"), all);
}

static char logged[8192];

static void sink(enum log_level level, const char *msg, void *ctx)
{
	strncat(logged, msg, sizeof(logged) - strlen(logged) - 2);
	strcat(logged, "\n");
}

/*
 * State that outlived the maps (a reboot): what is left comes back, what ran out is logged.
 * The never-block guard holds for a restore as for any add: an address this host has gained
 * since (192.0.2.77 here), a prefix covering it, and loopback or unspecified ones a
 * hand-edited file holds are refused by name, never written, and forgotten.
 */
Test(responder, restore_from_state, .init = setup, .fini = teardown)
{
	static const struct {
		const char *addr;
		int64_t left_s; /* 0 = permanent, < 0 = ran out while stopped */
		const char *said; /* after "state 'PATH': " when refused (not restored) */
		bool refused;
	} rows[] = {
		{ "198.51.100.20", 0, "block 198.51.100.20: restored from the state (permanent)",
		  false },
		{ "198.51.100.21", 600, "block 198.51.100.21: restored from the state (59", false },
		{ "2001:db8::21", -5, "block 2001:db8::21: expired while arxdpd was stopped",
		  false },
		{ "203.0.113.64/26", 3600, "block 203.0.113.64/26: restored from the state (35",
		  false },
		{ "127.0.0.1", 0,
		  "block 127.0.0.1: not restored: loopback or unspecified addresses are never "
		  "blocked",
		  true },
		{ "64.0.0.0/2", 600,
		  "block 64.0.0.0/2: not restored: loopback or unspecified addresses are never "
		  "blocked",
		  true },
		{ "::1", 600,
		  "block ::1: not restored: loopback or unspecified addresses are never blocked",
		  true },
		{ "192.0.2.77", 0,
		  "block 192.0.2.77: not restored: this host's own address is never blocked",
		  true },
		{ "192.0.2.0/24", 3600,
		  "block 192.0.2.0/24: not restored: the prefix covers an address of this host",
		  true },
	};
	struct tail_pos pos = { .seq = 7 }, got;
	struct arxdp_addr own;
	struct persist p;
	bool have_pos;
	struct arxdp_block v;
	char said[PATH_MAX + 256];
	size_t i;

	cr_assert_eq(mkdir(s.state_dir, 0700), 0);
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		struct bmeta *m = track(rows[i].addr);

		m->v.timeout_s = rows[i].left_s > 0 ? (uint32_t)rows[i].left_s : 0;
		m->v.expires_ns =
			!rows[i].left_s ? 0 : mono_now_ns() + rows[i].left_s * NSEC_PER_SEC;
		m->v.origin = ARXDP_ORIGIN_ALERT;
		m->v.offenses = 2;
	}
	cr_assert_eq(state_save(s.state_dir, &pos, r.bt, NULL, NULL, NULL, NULL), 0);
	/* A new daemon over empty maps reads it. */
	btable_free(r.bt);
	r.bt = btable_new();
	/* The address this host has gained while arxdpd was stopped. */
	cr_assert_eq(addr_parse("192.0.2.77", &own, NULL, 0), 0);
	cr_assert_eq(bl_protect(&bl, &own), 0);
	persist_init(&p, s.state_dir);
	logged[0] = '\0';
	log_set_level(LOG_LEVEL_INFO);
	log_set_sink(sink, NULL);
	cr_assert_eq(persist_load(&p, &r, &got, &have_pos), 0);
	log_set_sink(NULL, NULL);
	cr_expect(have_pos);
	cr_expect_eq(got.seq, 7u);
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		struct arxdp_addr a;

		addr_parse(rows[i].addr, &a, NULL, 0);
		snprintf(said, sizeof(said), "%s%s%s%s", rows[i].refused ? "state '" : "",
			 rows[i].refused ? s.state_dir : "",
			 rows[i].refused ? "/state.json': " : "", rows[i].said);
		cr_expect(strstr(logged, said) != NULL, "row %zu: '%s' not in:\n%s", i, said,
			  logged);
		if (rows[i].left_s < 0 || rows[i].refused) {
			cr_expect_neq(bl_get(&bl, &a, &v), 0, "row %zu: must stay gone", i);
			cr_expect_null(btable_get(r.bt, &a));
			continue;
		}
		cr_assert_eq(bl_get(&bl, &a, &v), 0, "row %zu: not restored", i);
		cr_expect_eq(v.offenses, 2u);
		cr_expect_eq(!v.expires_ns, !rows[i].left_s, "row %zu", i);
	}
	/* The one that ran out got firewall-drop's delete sequence. */
	log_lines(logged, sizeof(logged));
	cr_expect_str_eq(logged, "Starting|delete|Ended|");
}

/*
 * A block another writer removed from these very maps (arxdp flush or unblock, the drop-in's
 * delete) while the daemon was stopped stays removed; the same state against other maps (a
 * reboot) is restored.
 */
Test(responder, removal_by_another_writer_is_final, .init = setup, .fini = teardown)
{
	struct block_req q = { .timeout_s = 600, .why = { .origin = ARXDP_ORIGIN_CLI } };
	struct tail_pos pos = { .seq = 9 }, got;
	struct state_maps other;
	struct arxdp_block v;
	struct persist p;
	bool have_pos;

	first_start(&p);
	cr_assert_neq(p.maps.boot_id[0], '\0', "this boot's id");
	cr_assert_neq(p.maps.map_id, 0u);
	cr_assert_eq(addr_parse("198.51.100.30", &q.addr, NULL, 0), 0);
	q.alert = "{}";
	q.alert_len = 2;
	cr_assert_eq(responder_block(&r, &q, NULL, NULL), 0);
	persist_save(&p, &r, &pos, false, true);
	/* Stopped; the operator unblocks it with the CLI, straight in the maps. */
	cr_assert_eq(bl_unblock(&bl, &q.addr), 0);
	btable_free(r.bt);
	r.bt = btable_new();
	cr_assert_eq(persist_load(&p, &r, &got, &have_pos), 0);
	cr_expect_neq(bl_get(&bl, &q.addr, &v), 0, "brought back from the state");
	cr_expect_null(btable_get(r.bt, &q.addr), "still tracked");
	/* The same snapshot against other maps: what is missing was lost, and comes back. */
	cr_assert_eq(responder_block(&r, &q, NULL, NULL), 0);
	other = p.maps;
	other.map_id++;
	cr_assert_eq(state_save(s.state_dir, &pos, r.bt, NULL, NULL, &other, NULL), 0);
	cr_assert_eq(bl_unblock(&bl, &q.addr), 0);
	btable_free(r.bt);
	r.bt = btable_new();
	cr_assert_eq(persist_load(&p, &r, &got, &have_pos), 0);
	cr_expect_eq(bl_get(&bl, &q.addr, &v), 0, "not restored over other maps");
}

/* A clean stop keeps the script runs that never started; the next start runs them. */
Test(responder, clean_stop_keeps_queued_scripts, .init = setup, .fini = teardown)
{
	struct tail_pos pos = { .seq = 70 }, got;
	struct queued_run *from_runner = calloc(1, sizeof(*from_runner));
	struct persist p;
	bool have_pos;

	cr_assert_eq(mkdir(s.state_dir, 0700), 0);
	persist_init(&p, s.state_dir);
	feed("5714", "198.51.100.11", 70);
	cr_assert_eq(r.n_held, 1u);
	/* One the runner had queued (a due delete), one still held. */
	cr_assert_not_null(from_runner);
	from_runner->exe = strdup("notify.sh");
	from_runner->json = strdup("{\"command\":\"delete\"}");
	from_runner->is_delete = true;
	persist_final(&p, &r, &pos, from_runner);
	cr_expect_eq(r.n_held, 0u);
	/* The next start. */
	responder_free(&r);
	cr_assert_eq(responder_init(&r, &s, &bl), 0);
	cr_assert_eq(persist_load(&p, &r, &got, &have_pos), 0);
	cr_assert_eq(r.n_held, 2u, "both back, held for the first snapshot");
	cr_expect(r.held->is_delete, "the runner's first, in order");
	cr_expect_str_eq(r.held->json, "{\"command\":\"delete\"}");
	cr_expect(!r.held->next->is_delete);
	cr_expect(strstr(r.held->next->json, "198.51.100.11") != NULL);
	/* A periodic snapshot never holds them: a crash after they ran cannot run them again. */
	persist_save(&p, &r, &pos, false, true);
	cr_expect_eq(r.n_held, 0u, "released after the snapshot");
	btable_free(r.bt);
	r.bt = btable_new();
	cr_assert_eq(persist_load(&p, &r, &got, &have_pos), 0);
	cr_expect_eq(r.n_held, 0u, "nothing queued in a periodic snapshot");
}

/*
 * A block another writer removes while arxdpd runs (the CLI straight in the maps, the
 * drop-in's delete) is left out of the next snapshot: new maps after a reboot never bring it
 * back. One it changed is saved as the maps hold it.
 */
Test(responder, snapshot_records_the_maps, .init = setup, .fini = teardown)
{
	struct block_req q = { .timeout_s = 600, .why = { .origin = ARXDP_ORIGIN_CLI } };
	struct block_req q2 = q;
	struct tail_pos pos = { .seq = 11 }, got;
	struct arxdp_block v;
	struct persist p;
	bool have_pos;

	first_start(&p);
	cr_assert_eq(addr_parse("198.51.100.31", &q.addr, NULL, 0), 0);
	cr_assert_eq(addr_parse("198.51.100.32", &q2.addr, NULL, 0), 0);
	q.alert = q2.alert = "{}";
	q.alert_len = q2.alert_len = 2;
	cr_assert_eq(responder_block(&r, &q, NULL, NULL), 0);
	cr_assert_eq(responder_block(&r, &q2, NULL, NULL), 0);
	/* While arxdpd runs: one unblocked, the other made permanent, both behind its back. */
	cr_assert_eq(bl_unblock(&bl, &q.addr), 0);
	cr_assert_eq(bl_block(&bl, &q2.addr, 0, &q2.why, NULL, NULL), 0);
	/* Recorded as taken against other maps: the restore below is a reboot's. */
	p.maps.map_id++;
	r.dirty = true;
	persist_save(&p, &r, &pos, false, true);
	cr_assert_eq(bl_unblock(&bl, &q2.addr), 0);
	btable_free(r.bt);
	r.bt = btable_new();
	p.maps.map_id--;
	cr_assert_eq(persist_load(&p, &r, &got, &have_pos), 0);
	cr_expect_neq(bl_get(&bl, &q.addr, &v), 0, "an unblock while running came back");
	cr_expect_null(btable_get(r.bt, &q.addr));
	cr_assert_eq(bl_get(&bl, &q2.addr, &v), 0, "the changed block is lost");
	cr_expect_eq(v.expires_ns, 0u, "saved as the maps held it: permanent");
}

/*
 * Into new maps, execd's hold is over (its timeout list did not outlive it): the operator's
 * time that waited for execd's delete starts now, a hold that was execd's alone is not
 * restored, and the operator's own permanent block stays permanent.
 */
Test(responder, restore_ends_execd_holds, .init = setup, .fini = teardown)
{
	static const struct {
		const char *addr;
		uint8_t keys;
		uint32_t timeout_s;
		bool restored;
		const char *said;
	} rows[] = {
		{ "198.51.100.33", ARXDP_KEY_PLAIN | ARXDP_KEY_OPERATOR, 600, true,
		  "block 198.51.100.33: restored from the state (600s left)" },
		{ "198.51.100.34", ARXDP_KEY_MAPPED, 0, false,
		  "block 198.51.100.34: held by wazuh-execd, whose timers did not outlive it: not "
		  "restored" },
		{ "198.51.100.35", ARXDP_KEY_OPERATOR, 0, true,
		  "block 198.51.100.35: restored from the state (permanent)" },
		{ "198.51.100.36", ARXDP_KEY_PLAIN | ARXDP_KEY_OPERATOR, 0, true,
		  "block 198.51.100.36: restored from the state (permanent)" },
	};
	struct tail_pos pos = { .seq = 12 }, got;
	struct state_maps other;
	struct arxdp_block v;
	struct persist p;
	bool have_pos;
	size_t i;

	first_start(&p);
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		struct bmeta *m = track(rows[i].addr);

		m->v.keys = rows[i].keys;
		m->v.timeout_s = rows[i].timeout_s;
		m->v.origin = ARXDP_ORIGIN_CLI;
		m->v.offenses = 2;
	}
	other = p.maps;
	other.map_id++;
	cr_assert_eq(state_save(s.state_dir, &pos, r.bt, NULL, NULL, &other, NULL), 0);
	btable_free(r.bt);
	r.bt = btable_new();
	logged[0] = '\0';
	log_set_level(LOG_LEVEL_INFO);
	log_set_sink(sink, NULL);
	cr_assert_eq(persist_load(&p, &r, &got, &have_pos), 0);
	log_set_sink(NULL, NULL);
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		struct arxdp_addr a;

		addr_parse(rows[i].addr, &a, NULL, 0);
		cr_expect(strstr(logged, rows[i].said) != NULL, "row %zu: '%s' not in:\n%s", i,
			  rows[i].said, logged);
		if (!rows[i].restored) {
			cr_expect_neq(bl_get(&bl, &a, &v), 0, "row %zu: restored", i);
			cr_expect_null(btable_get(r.bt, &a));
			continue;
		}
		cr_assert_eq(bl_get(&bl, &a, &v), 0, "row %zu: not restored", i);
		cr_expect_eq(v.keys, ARXDP_KEY_OPERATOR, "row %zu: keys %u", i, v.keys);
		cr_expect_eq(!v.expires_ns, !rows[i].timeout_s, "row %zu: stamp", i);
		if (rows[i].timeout_s)
			cr_expect(bl_remaining_s(&v, mono_now_ns()) + 5 >= rows[i].timeout_s &&
					  bl_remaining_s(&v, mono_now_ns()) <= rows[i].timeout_s,
				  "row %zu: %llu s left", i,
				  (unsigned long long)bl_remaining_s(&v, mono_now_ns()));
	}
}

/*
 * execd keeps a timer per rkey (program and address): a second response of another program
 * with a shorter timeout leaves the first one's end, while a repeat of the same program
 * restarts from now, shorter too (a repeated_offenders step below the timeout).
 */
Test(responder, another_response_never_shortens, .init = setup, .fini = teardown)
{
	struct ossec_command route = { .name = "route-null", .executable = "route-null" };
	struct block_req q = { .timeout_s = 3600,
			       .why = { .origin = ARXDP_ORIGIN_ALERT },
			       .ar_name = "firewall-drop3600",
			       .rule = "5712",
			       .alert = "{}",
			       .alert_len = 2 };
	struct arxdp_block v;

	cr_assert_eq(addr_parse("198.51.100.37", &q.addr, NULL, 0), 0);
	cr_assert_eq(responder_block(&r, &q, NULL, &v), 0);
	q.cmd = &route;
	q.timeout_s = 60;
	q.ar_name = "route-null60";
	cr_assert_eq(responder_block(&r, &q, NULL, &v), 0);
	cr_expect(bl_remaining_s(&v, mono_now_ns()) > 3500, "cut to %llu s by route-null",
		  (unsigned long long)bl_remaining_s(&v, mono_now_ns()));
	/* Still firewall-drop's end: route-null's repeat does not cut it either. */
	cr_assert_eq(responder_block(&r, &q, NULL, &v), 0);
	cr_expect(bl_remaining_s(&v, mono_now_ns()) > 3500, "cut to %llu s by route-null",
		  (unsigned long long)bl_remaining_s(&v, mono_now_ns()));
	cr_expect_str_eq(btable_get(r.bt, &q.addr)->exe, "firewall-drop");
	/* firewall-drop's own repeat restarts it from now, as execd's timer would. */
	q.cmd = NULL;
	q.ar_name = "firewall-drop60";
	cr_assert_eq(responder_block(&r, &q, NULL, &v), 0);
	cr_expect(bl_remaining_s(&v, mono_now_ns()) <= 60, "%llu s left",
		  (unsigned long long)bl_remaining_s(&v, mono_now_ns()));
}
