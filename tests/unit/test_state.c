// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the state file tables: a snapshot written by state_save reads back
 * field for field, and values that do not fit their field (a hand-edited or corrupt
 * state.json) are clamped with a message instead of wrapping to a small number; an odd
 * entry is skipped with a message naming it while the rest of the state loads; names
 * another user planted in the state directory (links, a FIFO) are neither written through nor
 * read through; and the dedupe's recent keys come back, so that the responder still knows
 * an alert one input applied before a stop when the other input brings it after the start.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "addr.h"
#include "arxdpd/responder.h"
#include "arxdp.h"
#include "btable.h"
#include "log.h"
#include "match.h"
#include "state.h"
#include "testutil.h"
#include "util.h"

static char dir[64];
static int warnings;
static struct tu_warnings warned;

static void count_warnings(enum log_level l, const char *msg, void *ctx)
{
	if (l == LOG_LEVEL_WARN && strstr(msg, "out of range"))
		warnings++;
}

static void setup(void)
{
	log_init("test", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	tu_mkdtemp(dir, sizeof(dir), "state");
}

static void teardown(void)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/%s", dir, STATE_FILE);
	unlink(p);
	snprintf(p, sizeof(p), "%s/.%s.tmp", dir, STATE_FILE);
	unlink(p);
	rmdir(dir);
}

static void write_state(const char *json)
{
	char p[128];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, STATE_FILE);
	f = fopen(p, "w");
	cr_assert_not_null(f);
	fputs(json, f);
	fclose(f);
}

struct clamp_case {
	char field[16];
	char value[32];
	unsigned long long want;
	bool warned; /* the loader says it clamped */
};

/* clang-format off */
static struct clamp_case clamp_cases[] = {
	{ "timeout", "\"3600\"", 3600, false },
	{ "timeout", "\"4294967296\"", 4294967295ULL, true },
	{ "timeout", "\"18446744073709551615\"", 4294967295ULL, true },
	{ "offenses", "\"5\"", 5, false },
	{ "offenses", "\"4294967301\"", 4294967295ULL, true },
	{ "rule_id", "\"99999999999\"", 4294967295ULL, true },
	{ "level", "\"10\"", 10, false },
	{ "level", "\"300\"", 255, true },
	{ "origin", "\"2\"", 2, false },
	{ "origin", "\"200\"", ARXDP_ORIGIN_MAX - 1, true },
	{ "timeout", "-5", 0, false },
	{ "timeout", "\"-5\"", 0, false },
	{ "level", "-1", 0, false },
	/* The operator's hold is kept, execd's key forms are not (its timers are gone). */
	{ "keys", "\"4\"", ARXDP_KEY_OPERATOR, false },
	{ "keys", "\"3\"", ARXDP_KEY_PLAIN | ARXDP_KEY_MAPPED, false },
	{ "keys", "\"8\"", 0, false },
	{ "keys", "\"300\"", 255 & (ARXDP_KEY_OPERATOR | ARXDP_KEY_PLAIN | ARXDP_KEY_MAPPED), true },
};
/* clang-format on */

ParameterizedTestParameters(state, clamped)
{
	return cr_make_param_array(struct clamp_case, clamp_cases,
				   sizeof(clamp_cases) / sizeof(clamp_cases[0]));
}

static unsigned long long field_of(const struct bmeta *m, const char *f)
{
	if (!strcmp(f, "timeout"))
		return m->v.timeout_s;
	if (!strcmp(f, "offenses"))
		return m->v.offenses;
	if (!strcmp(f, "rule_id"))
		return m->v.rule_id;
	if (!strcmp(f, "level"))
		return m->v.level;
	if (!strcmp(f, "keys"))
		return m->v.keys;
	return m->v.origin;
}

ParameterizedTest(struct clamp_case *c, state, clamped, .init = setup, .fini = teardown)
{
	struct btable *bt = btable_new();
	struct pending_delete *pending = NULL;
	struct tail_pos pos = {};
	struct arxdp_addr a;
	struct bmeta *m;
	bool have_pos;
	char json[512];

	snprintf(json, sizeof(json),
		 "{\"version\":1,\"blocks\":[{\"addr\":\"192.0.2.9\",\"exe\":\"firewall-drop\","
		 "\"%s\":%s}]}",
		 c->field, c->value);
	write_state(json);
	warnings = 0;
	log_set_sink(count_warnings, NULL);
	cr_assert_eq(state_load(dir, &pos, &have_pos, bt, NULL, &pending, NULL, NULL), 0);
	log_set_sink(NULL, NULL);
	cr_expect_eq(warnings, c->warned ? 1 : 0, "%s %s: %d warnings", c->field, c->value,
		     warnings);
	cr_assert_eq(addr_parse("192.0.2.9", &a, NULL, 0), 0);
	m = btable_get(bt, &a);
	cr_assert_not_null(m);
	cr_expect_eq(field_of(m, c->field), c->want, "%s %s: %llu, expected %llu", c->field,
		     c->value, field_of(m, c->field), c->want);
	btable_free(bt);
}

/* What state_save writes, state_load reads back. */
Test(state, round_trip, .init = setup, .fini = teardown)
{
	struct btable *bt = btable_new(), *back = btable_new();
	struct pending_delete *pending = NULL;
	struct tail_pos pos = { .dev = 2049,
				.ino = 1234567,
				.offset = 98765,
				.lineno = 42,
				.seq = 41 },
			got = {};
	struct arxdp_addr a;
	struct bmeta *m;
	bool have_pos;

	cr_assert_eq(addr_parse("2001:db8::7", &a, NULL, 0), 0);
	m = btable_upsert(bt, &a);
	cr_assert_not_null(m);
	strcpy(m->exe, "firewall-drop");
	m->v.expires_ns = mono_now_ns() + 600 * NSEC_PER_SEC;
	m->v.added_ns = 1800000000000000001ULL;
	m->v.seq = 41;
	m->v.timeout_s = 600;
	m->v.rule_id = 5712;
	m->v.level = 10;
	m->v.origin = 1;
	m->v.offenses = 3;
	m->v.keys = ARXDP_KEY_OPERATOR | ARXDP_KEY_PLAIN;
	bmeta_set_alert(m, "{\"rule\":{\"id\":\"5712\"}}");
	cr_assert_eq(state_save(dir, &pos, bt, NULL, NULL, NULL, NULL), 0);
	cr_assert_eq(state_load(dir, &got, &have_pos, back, NULL, &pending, NULL, NULL), 0);
	cr_expect(have_pos);
	cr_expect_eq(got.ino, pos.ino);
	cr_expect_eq(got.offset, pos.offset);
	cr_expect_eq(got.seq, pos.seq);
	m = btable_get(back, &a);
	cr_assert_not_null(m);
	/* The expiry went through the wall clock and back: the time left holds, to a second. */
	cr_expect(m->v.expires_ns > mono_now_ns() + 598 * NSEC_PER_SEC &&
			  m->v.expires_ns <= mono_now_ns() + 600 * NSEC_PER_SEC,
		  "expiry moved: %llu s left",
		  (unsigned long long)((m->v.expires_ns - mono_now_ns()) / NSEC_PER_SEC));
	cr_expect_eq(m->v.added_ns, 1800000000000000001ULL);
	cr_expect_eq(m->v.timeout_s, 600u);
	cr_expect_eq(m->v.rule_id, 5712u);
	cr_expect_eq(m->v.offenses, 3u);
	cr_expect_eq(m->v.level, 10);
	cr_expect_eq(m->v.origin, 1);
	cr_expect_eq(m->v.seq, 41u);
	/* execd's key too: the restore (persist.c) ends execd's hold, knowing it was there. */
	cr_expect_eq(m->v.keys, ARXDP_KEY_OPERATOR | ARXDP_KEY_PLAIN, "keys %u", m->v.keys);
	cr_expect_str_eq(m->exe, "firewall-drop");
	cr_expect_eq(got.dev, pos.dev);
	cr_expect_eq(got.lineno, pos.lineno);
	cr_expect_str_eq(m->alert, "{\"rule\":{\"id\":\"5712\"}}");
	btable_free(bt);
	btable_free(back);
}

/*
 * One odd entry in an otherwise good state file: it is skipped with a message naming the file
 * and the entry; the block, the other offender, the pending delete and the position still
 * load (an empty rkey used to fail the whole load: fuzz_state's regression).
 */
struct odd_case {
	char desc[40];
	char offenders[160]; /* the file's "offenders" array */
	size_t n_offenders; /* how many load */
	char said[48]; /* in the one warning; "" for none */
};

/* clang-format off */
static struct odd_case odd_cases[] = {
	{ "no odd entry", "[{\"rkey\":\"firewall-drop-192.0.2.9\",\"count\":2}]", 1, "" },
	{ "empty rkey", "[{\"rkey\":\"\",\"count\":3},"
			"{\"rkey\":\"firewall-drop-192.0.2.9\",\"count\":2}]", 1,
	  "offender #1: missing or empty 'rkey'" },
	{ "rkey not a string", "[{\"rkey\":7,\"count\":3},"
			       "{\"rkey\":\"firewall-drop-192.0.2.9\",\"count\":2}]", 1,
	  "offender #1: missing or empty 'rkey'" },
	{ "no rkey, second entry", "[{\"rkey\":\"firewall-drop-192.0.2.9\",\"count\":2},"
				   "{\"count\":3}]", 1,
	  "offender #2: missing or empty 'rkey'" },
};
/* clang-format on */

ParameterizedTestParameters(state, odd_entry)
{
	return cr_make_param_array(struct odd_case, odd_cases,
				   sizeof(odd_cases) / sizeof(odd_cases[0]));
}

ParameterizedTest(struct odd_case *c, state, odd_entry, .init = setup, .fini = teardown)
{
	struct btable *bt = btable_new();
	struct offender_table *off = offenders_new();
	struct pending_delete *pending = NULL;
	struct tail_pos pos = {};
	uint32_t count = 0;
	char json[768];
	bool have_pos;
	int err;

	cr_assert(bt && off);
	snprintf(json, sizeof(json),
		 "{\"version\":1,\"alerts\":{\"ino\":7,\"offset\":11},"
		 "\"blocks\":[{\"addr\":\"192.0.2.9\",\"exe\":\"firewall-drop\"}],"
		 "\"offenders\":%s,\"pending\":[{\"exe\":\"firewall-drop\","
		 "\"rkey\":\"firewall-drop-192.0.2.10\",\"json\":\"{}\",\"timeout\":60}]}",
		 c->offenders);
	write_state(json);
	tu_capture_warnings(&warned);
	err = state_load(dir, &pos, &have_pos, bt, off, &pending, NULL, NULL);
	log_set_sink(NULL, NULL);
	cr_expect_eq(err, 0, "%s: %s", c->desc, strerror(-err));
	cr_expect_eq(btable_size(bt), 1, "%s: the block loads", c->desc);
	cr_expect_eq(offenders_size(off), c->n_offenders, "%s: %zu offenders", c->desc,
		     offenders_size(off));
	cr_expect_eq(offenders_get(off, "firewall-drop-192.0.2.9", &count), 0, "%s", c->desc);
	cr_expect_eq(count, 2, "%s: the good offender's count", c->desc);
	cr_expect(pending && !pending->next && !strcmp(pending->rkey, "firewall-drop-192.0.2.10"),
		  "%s: the pending delete loads", c->desc);
	cr_expect(have_pos && pos.offset == 11, "%s: the position loads", c->desc);
	cr_expect_eq(warned.n, c->said[0] ? 1 : 0, "%s: %d warnings (%s)", c->desc, warned.n,
		     warned.last);
	if (c->said[0]) {
		cr_expect(strstr(warned.last, c->said), "%s: said '%s'", c->desc, warned.last);
		cr_expect(strstr(warned.last, dir), "%s: the file is not named: '%s'", c->desc,
			  warned.last);
	}
	pending_free_all(pending);
	offenders_free(off);
	btable_free(bt);
}

/*
 * Another user's names in the state directory (a group- or world-writable one, or planted
 * before the daemon's first save): root's save must neither write through them nor hang on
 * them. victim stands for any file of root's outside the directory.
 */
enum plant { PLANT_SYMLINK, PLANT_DANGLING, PLANT_HARDLINK, PLANT_FIFO, PLANT_DIR };

struct plant_case {
	char desc[48];
	char name[24]; /* in the state directory */
	enum plant kind;
	int err; /* what state_save answers */
};

/* clang-format off */
static struct plant_case plant_cases[] = {
	{ "symlink at the temporary file", ".state.json.tmp", PLANT_SYMLINK, 0 },
	{ "dangling symlink at the temporary file", ".state.json.tmp", PLANT_DANGLING, 0 },
	{ "hard link at the temporary file", ".state.json.tmp", PLANT_HARDLINK, 0 },
	{ "FIFO at the temporary file", ".state.json.tmp", PLANT_FIFO, 0 },
	{ "symlink at state.json", "state.json", PLANT_SYMLINK, 0 },
	{ "hard link at state.json", "state.json", PLANT_HARDLINK, 0 },
	{ "directory at the temporary file", ".state.json.tmp", PLANT_DIR, -EISDIR },
};
/* clang-format on */

ParameterizedTestParameters(state, planted_names)
{
	return cr_make_param_array(struct plant_case, plant_cases,
				   sizeof(plant_cases) / sizeof(plant_cases[0]));
}

ParameterizedTest(struct plant_case *c, state, planted_names, .init = setup, .fini = teardown,
		  .timeout = 10)
{
	struct btable *bt = btable_new(), *back = btable_new();
	struct pending_delete *pending = NULL;
	struct tail_pos pos = { .ino = 7, .offset = 11 }, got = {};
	char victim[96], planted[128], p[128];
	struct stat st;
	bool have_pos;
	FILE *f;

	snprintf(victim, sizeof(victim), "/tmp/arxdp-test-victim.%d", (int)getpid());
	snprintf(planted, sizeof(planted), "%s/%s", dir, c->name);
	f = fopen(victim, "w");
	cr_assert_not_null(f);
	fputs("root's file\n", f);
	fclose(f);
	if (c->kind == PLANT_DANGLING)
		unlink(victim);
	switch (c->kind) {
	case PLANT_SYMLINK:
	case PLANT_DANGLING:
		cr_assert_eq(symlink(victim, planted), 0);
		break;
	case PLANT_HARDLINK:
		cr_assert_eq(link(victim, planted), 0);
		break;
	case PLANT_FIFO:
		cr_assert_eq(mkfifo(planted, 0600), 0);
		break;
	case PLANT_DIR:
		cr_assert_eq(mkdir(planted, 0700), 0);
		break;
	}
	log_set_sink(count_warnings, NULL);
	cr_expect_eq(state_save(dir, &pos, bt, NULL, NULL, NULL, NULL), c->err, "%s", c->desc);
	log_set_sink(NULL, NULL);
	if (c->kind == PLANT_DANGLING) {
		cr_expect_eq(access(victim, F_OK), -1, "%s: nothing created through the link",
			     c->desc);
	} else if (c->kind != PLANT_FIFO && c->kind != PLANT_DIR) {
		cr_expect_eq(stat(victim, &st), 0);
		cr_expect_eq(st.st_size, 12, "%s: root's file untouched (%lld bytes)", c->desc,
			     (long long)st.st_size);
	}
	if (!c->err) {
		snprintf(p, sizeof(p), "%s/%s", dir, STATE_FILE);
		cr_assert_eq(lstat(p, &st), 0);
		cr_expect(S_ISREG(st.st_mode) && st.st_nlink == 1,
			  "%s: state.json a file of its own", c->desc);
		cr_expect_eq(st.st_mode & 07777, 0600);
		cr_assert_eq(state_load(dir, &got, &have_pos, back, NULL, &pending, NULL, NULL), 0);
		cr_expect(have_pos && got.offset == 11, "%s: what was saved reads back", c->desc);
		snprintf(p, sizeof(p), "%s/.%s.tmp", dir, STATE_FILE);
		cr_expect_eq(access(p, F_OK), -1, "%s: no temporary file left", c->desc);
	} else {
		rmdir(planted);
	}
	unlink(victim);
	btable_free(bt);
	btable_free(back);
}

/* state.json as something else than a regular file: corrupt (set aside), never followed. */
Test(state, load_refuses_link_and_fifo, .init = setup, .fini = teardown, .timeout = 10)
{
	struct btable *bt = btable_new();
	struct pending_delete *pending = NULL;
	struct tail_pos pos = {};
	char p[128], real[128];
	bool have_pos;

	snprintf(p, sizeof(p), "%s/%s", dir, STATE_FILE);
	snprintf(real, sizeof(real), "%s/elsewhere.json", dir);
	cr_assert_eq(state_save(dir, &pos, bt, NULL, NULL, NULL, NULL), 0);
	cr_assert_eq(rename(p, real), 0);
	cr_assert_eq(symlink(real, p), 0);
	cr_expect_eq(state_load(dir, &pos, &have_pos, bt, NULL, &pending, NULL, NULL), -EBADMSG);
	cr_assert_eq(unlink(p), 0);
	cr_assert_eq(unlink(real), 0);
	cr_assert_eq(mkfifo(p, 0600), 0);
	cr_expect_eq(state_load(dir, &pos, &have_pos, bt, NULL, &pending, NULL, NULL), -EBADMSG);
	btable_free(bt);
}

/* A key of the dedupe: odd (never the empty slot), and most above 2^53, where a double fails. */
static uint64_t key_of(uint32_t i)
{
	return (0x9e3779b97f4a7c15ULL * (i + 1)) | 1;
}

struct seen_case {
	char desc[48];
	uint32_t cap, n, first; /* the ring saved */
	uint32_t keep; /* what the load keeps at most */
};

/* clang-format off */
static struct seen_case seen_cases[] = {
	{ "none recorded", 8, 0, 0, 16 },
	{ "ring not full yet", 8, 5, 0, 16 },
	{ "ring full, wrapped", 8, 8, 3, 16 },
	{ "more saved than kept: the newest", 8, 8, 6, 3 },
};
/* clang-format on */

ParameterizedTestParameters(state, seen_round_trip)
{
	return cr_make_param_array(struct seen_case, seen_cases, ARRAY_SIZE(seen_cases));
}

/* What state_save_seen writes, state_load_seen reads back, oldest first, to the last bit. */
ParameterizedTest(struct seen_case *c, state, seen_round_trip, .init = setup, .fini = teardown)
{
	struct btable *bt = btable_new(), *back = btable_new();
	struct state_seen saved = { .cap = c->cap, .n = c->n, .first = c->first };
	struct state_seen got = { .cap = c->keep };
	struct pending_delete *pending = NULL;
	struct tail_pos pos = { .ino = 7, .offset = 11 }, gpos = {};
	uint64_t keys[8];
	uint32_t i, skip = c->n > c->keep ? c->n - c->keep : 0;
	bool have_pos;

	cr_assert(bt && back && c->cap <= ARRAY_SIZE(keys));
	/* The i-th oldest at (first + i) % cap. */
	for (i = 0; i < c->cap; i++)
		keys[(c->first + i) % c->cap] = key_of(i);
	saved.keys = keys;
	cr_assert_eq(state_save_seen(dir, &pos, bt, NULL, NULL, NULL, NULL, &saved), 0);
	tu_capture_warnings(&warned);
	cr_assert_eq(state_load_seen(dir, &gpos, &have_pos, back, NULL, &pending, NULL, NULL, &got),
		     0, "%s", c->desc);
	log_set_sink(NULL, NULL);
	cr_expect_eq(warned.n, 0, "%s: %s", c->desc, warned.last);
	cr_expect(have_pos && gpos.offset == 11, "%s: the position loads too", c->desc);
	cr_expect_eq(got.n, c->n - skip, "%s: %u keys back", c->desc, got.n);
	cr_expect_eq(got.first, 0u, "%s", c->desc);
	for (i = 0; i < got.n && i + skip < c->n; i++)
		cr_expect_eq(got.keys[i], key_of(i + skip), "%s: key %u: %016llx", c->desc, i,
			     (unsigned long long)got.keys[i]);
	free(got.keys);
	btable_free(bt);
	btable_free(back);
}

/* A file of an older arxdpd, or a hand-edited one: said, naming the file and the field. */
struct seen_bad_case {
	char desc[40];
	char seen[160]; /* the file's ,"seen":... (empty: no field) */
	uint32_t n; /* keys that load */
	uint64_t first_key; /* the first of them */
	int warnings;
	char said[64]; /* in the last message */
};

/* clang-format off */
static struct seen_bad_case seen_bad_cases[] = {
	{ "an older file: no field", "", 0, 0, 0, "no 'seen' field" },
	{ "not a list", ",\"seen\":{\"a\":1}", 0, 0, 1, "'seen' is not a list" },
	{ "a number, not a hex string", ",\"seen\":[12345,\"00000000000000ab\"]", 1, 0xab, 1,
	  "'seen' entry #1: not a key" },
	{ "bad strings, one good", ",\"seen\":[\"zz\",\"0000000000000000\",\"00000000000000abc\","
				   "\"0x000000000000ab\",\"FFFFFFFFFFFFFFFF\"]", 1, ~0ULL, 4,
	  "'seen' entry #4: not a key" },
};
/* clang-format on */

ParameterizedTestParameters(state, seen_bad)
{
	return cr_make_param_array(struct seen_bad_case, seen_bad_cases,
				   ARRAY_SIZE(seen_bad_cases));
}

static char said_last[512];

static void said_sink(enum log_level l, const char *msg, void *ctx)
{
	int *n = ctx;

	if (l == LOG_LEVEL_WARN)
		(*n)++;
	str_copy(said_last, msg, sizeof(said_last));
}

ParameterizedTest(struct seen_bad_case *c, state, seen_bad, .init = setup, .fini = teardown)
{
	struct btable *bt = btable_new();
	struct state_seen got = { .cap = 16 };
	struct pending_delete *pending = NULL;
	struct tail_pos pos = {};
	char json[512];
	bool have_pos;
	int n = 0;

	snprintf(json, sizeof(json),
		 "{\"version\":1,\"alerts\":{\"ino\":\"7\",\"offset\":\"11\"},"
		 "\"blocks\":[{\"addr\":\"192.0.2.9\",\"exe\":\"firewall-drop\"}]%s}",
		 c->seen);
	write_state(json);
	said_last[0] = '\0';
	log_set_level(LOG_LEVEL_INFO);
	log_set_sink(said_sink, &n);
	cr_assert_eq(state_load_seen(dir, &pos, &have_pos, bt, NULL, &pending, NULL, NULL, &got), 0,
		     "%s", c->desc);
	log_set_sink(NULL, NULL);
	log_set_level(LOG_LEVEL_WARN);
	cr_expect_eq(got.n, c->n, "%s: %u keys", c->desc, got.n);
	if (c->n && got.n)
		cr_expect_eq(got.keys[0], c->first_key, "%s", c->desc);
	cr_expect_eq(n, c->warnings, "%s: %d warnings", c->desc, n);
	cr_expect(strstr(said_last, c->said), "%s: said '%s'", c->desc, said_last);
	cr_expect(strstr(said_last, dir), "%s: the file is not named: '%s'", c->desc, said_last);
	cr_expect_eq(btable_size(bt), 1, "%s: the block still loads", c->desc);
	cr_expect(have_pos && pos.offset == 11, "%s: the position still loads", c->desc);
	free(got.keys);
	btable_free(bt);
}

/*
 * The responder's side: keys recorded by one daemon, saved, restored into the next one. A
 * copy of an alert the first one applied is then seen (and counted), whether the keys came
 * back before the dedupe was turned on (the daemon's order: state, then execq) or after.
 */
struct restore_case {
	char desc[56];
	uint32_t recorded; /* alerts 0 .. recorded-1 recorded by the first daemon */
	bool dedupe_first; /* the next one turns the dedupe on before the restore */
	bool dedupe_on; /* the next one turns it on at all */
	int alert; /* the copy the next one gets: its alert number; -1: another response */
	bool matched; /* the first daemon got both copies of it already */
	bool seen;
};

/* clang-format off */
static struct restore_case restore_cases[] = {
	{ "restored, then the dedupe on", 3, false, true, 1, false, true },
	{ "the dedupe on, then restored", 3, true, true, 1, false, true },
	{ "the newest of a wrapped ring", RESPONDER_SEEN_KEEP + 5, false, true,
	  RESPONDER_SEEN_KEEP + 4, false, true },
	{ "the oldest of a wrapped ring: gone", RESPONDER_SEEN_KEEP + 5, false, true, 0, false,
	  false },
	{ "an alert never recorded", 3, false, true, 7, false, false },
	{ "the same alert, another response", 3, false, true, -1, false, false },
	{ "one input only: nothing compared", 3, false, false, 1, false, false },
	/* Both copies came before the stop: no input brings it again, the file leaves it out. */
	{ "both copies before the stop: not kept", 3, false, true, 1, true, false },
};
/* clang-format on */

ParameterizedTestParameters(state, seen_restored)
{
	return cr_make_param_array(struct restore_case, restore_cases, ARRAY_SIZE(restore_cases));
}

ParameterizedTest(struct restore_case *c, state, seen_restored, .init = setup, .fini = teardown)
{
	struct btable *bt = btable_new(), *back = btable_new();
	struct state_seen got = { .cap = RESPONDER_SEEN_KEEP }, waiting;
	struct pending_delete *pending = NULL;
	struct arxdp_settings s;
	struct responder r1, r2;
	struct tail_pos pos = {};
	char id[32], log[96];
	uint32_t i, want;
	bool have_pos;

	settings_defaults(&s);
	snprintf(log, sizeof(log), "%s/active-responses.log", dir);
	str_copy(s.ar_log, log, sizeof(s.ar_log));
	cr_assert_eq(responder_init(&r1, &s, NULL), 0);
	cr_assert_eq(responder_dedupe_on(&r1), 0);
	for (i = 0; i < c->recorded; i++) {
		snprintf(id, sizeof(id), "1700000000.%u", i);
		cr_assert(!responder_seen(&r1, id, "firewall-drop600", "198.51.100.7"),
			  "%s: alert %u new", c->desc, i);
	}
	cr_expect(r1.dirty, "%s: a recorded key is for the next snapshot", c->desc);
	if (c->matched) {
		snprintf(id, sizeof(id), "1700000000.%d", c->alert);
		cr_assert(responder_seen(&r1, id, "firewall-drop600", "198.51.100.7"));
	}
	/* What persist.c saves. */
	cr_assert_eq(responder_seen_waiting(&r1, &waiting), 0);
	cr_assert_eq(state_save_seen(dir, &pos, bt, NULL, NULL, NULL, NULL, &waiting), 0);
	free(waiting.keys);
	responder_free(&r1);
	want = (c->recorded < RESPONDER_SEEN_KEEP ? c->recorded : RESPONDER_SEEN_KEEP) - c->matched;

	cr_assert_eq(responder_init(&r2, &s, NULL), 0);
	cr_assert_eq(state_load_seen(dir, &pos, &have_pos, back, NULL, &pending, NULL, NULL, &got),
		     0);
	/* A key four newer ones pushed out of its bucket is forgotten already: not saved. */
	cr_expect(got.n <= want && got.n >= want - want / 200, "%s: %u keys in the file, not %u",
		  c->desc, got.n, want);
	if (c->dedupe_on && c->dedupe_first)
		cr_assert_eq(responder_dedupe_on(&r2), 0);
	responder_seen_restore(&r2, &got);
	cr_expect_null(got.keys, "%s: taken over", c->desc);
	if (c->dedupe_on && !c->dedupe_first)
		cr_assert_eq(responder_dedupe_on(&r2), 0);
	snprintf(id, sizeof(id), "1700000000.%d", c->alert < 0 ? 1 : c->alert);
	cr_expect_eq(responder_seen(&r2, id, c->alert < 0 ? "firewall-drop0" : "firewall-drop600",
				    "198.51.100.7"),
		     c->seen, "%s", c->desc);
	cr_expect_eq(r2.c.seen_twice, c->seen ? 1u : 0u, "%s", c->desc);
	responder_free(&r2);
	unlink(log);
	btable_free(bt);
	btable_free(back);
}

/*
 * A full ring restored, then the second copy of each alert: the table holds nearly all of it.
 * With one slot per hash (65,536 of them) 13,395 of the 16,384 were found; in buckets, all.
 */
Test(state, seen_full_ring_restored, .init = setup, .fini = teardown)
{
	struct state_seen got = {};
	struct arxdp_settings s;
	struct responder r1, r2;
	char id[32];
	uint32_t i;

	settings_defaults(&s);
	snprintf(s.ar_log, sizeof(s.ar_log), "%s/active-responses.log", dir);
	cr_assert_eq(responder_init(&r1, &s, NULL), 0);
	cr_assert_eq(responder_init(&r2, &s, NULL), 0);
	cr_assert_eq(responder_dedupe_on(&r1), 0);
	for (i = 0; i < RESPONDER_SEEN_KEEP; i++) {
		snprintf(id, sizeof(id), "1700000000.%u", i);
		responder_seen(&r1, id, "firewall-drop600", "198.51.100.7");
	}
	cr_assert_eq(r1.seen_keys.n, RESPONDER_SEEN_KEEP);
	/* What a load gives: a copy of the ring's keys, oldest first. */
	got.keys = calloc(RESPONDER_SEEN_KEEP, sizeof(*got.keys));
	cr_assert_not_null(got.keys);
	for (got.cap = RESPONDER_SEEN_KEEP; got.n < RESPONDER_SEEN_KEEP; got.n++)
		got.keys[got.n] = r1.seen_keys.keys[(r1.seen_keys.first + got.n) % got.cap];
	responder_seen_restore(&r2, &got);
	cr_assert_eq(responder_dedupe_on(&r2), 0);
	for (i = 0; i < RESPONDER_SEEN_KEEP; i++) {
		snprintf(id, sizeof(id), "1700000000.%u", i);
		responder_seen(&r2, id, "firewall-drop600", "198.51.100.7");
	}
	cr_expect_geq(r2.c.seen_twice, RESPONDER_SEEN_KEEP - RESPONDER_SEEN_KEEP / 200,
		      "%llu of %u restored keys found", (unsigned long long)r2.c.seen_twice,
		      RESPONDER_SEEN_KEEP);
	responder_free(&r1);
	responder_free(&r2);
}
