// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the script runner's tables, run with real programs: small sh scripts in
 * a throwaway Wazuh home, driven through the runner's API with a private epoll fd and a loop
 * bounded by DRIVE_MS, as the daemon's loop drives it. Each script logs every stdin line it
 * gets into <name>.log, so the tests see exactly what execd's protocol sent it. The probe that
 * reports what a child inherits (descriptors, signals, umask) is this binary itself, run by
 * the runner as active-response/bin/probe: see probe().
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cjson/cJSON.h>
#include "config.h"
#include "log.h"
#include "match.h"
#include "runner.h"
#include "state.h"
#include "testutil.h"
#include "util.h"

#define DRIVE_MS 10000ULL /* every loop's bound, far above what any script here needs */
#define EXE "t"
#define KEYS1                                                                                    \
	"{\"version\":1,\"origin\":{\"name\":\"t\",\"module\":\"active-response\"},\"command\":" \
	"\"check_keys\",\"parameters\":{\"keys\":[\"192.0.2.7\"]}}"
#define KEYS2                                                                                    \
	"{\"version\":1,\"origin\":{\"name\":\"t\",\"module\":\"active-response\"},\"command\":" \
	"\"check_keys\",\"parameters\":{\"keys\":[\"192.0.2.7\",\"root\"]}}"

static struct {
	char home[64];
	int epfd;
	struct ossec_config cfg;
	const struct ossec_config *cfgp;
	struct offender_table *off;
	struct pending_delete *pending;
	struct runner *r;
	int warned; /* warnings that contain warn_match */
	char warn_match[32];
} fx;

/*
 * Run by the runner as active-response/bin/probe (a symlink to this binary), before
 * Criterion's main: writes what it inherited into probe.out in its cwd (the home), and exits.
 * The listing comes first, so the only descriptor of its own it has then is the listing's.
 */
__attribute__((constructor)) static void probe(void)
{
	char buf[4096], line[256], path[320], target[256];
	struct dirent *e;
	size_t len;
	ssize_t n;
	FILE *f;
	DIR *d;
	int fd;

	if (strcmp(program_invocation_short_name, "probe"))
		return;
	d = opendir("/proc/self/fd");
	if (!d)
		_exit(1);
	len = (size_t)snprintf(buf, sizeof(buf), "fds:");
	while ((e = readdir(d)) && len < sizeof(buf)) {
		if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, " %s=%s", e->d_name, target);
	}
	closedir(d);
	f = fopen("/proc/self/status", "re");
	while (f && fgets(line, sizeof(line), f) && len < sizeof(buf))
		if (!strncmp(line, "SigIgn:", 7) || !strncmp(line, "SigBlk:", 7) ||
		    !strncmp(line, "Umask:", 6))
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "\n%.*s",
						(int)strcspn(line, "\n"), line);
	if (f)
		fclose(f);
	fd = open("probe.out", O_WRONLY | O_CREAT | O_TRUNC, 0666);
	if (fd < 0 || write(fd, buf, strlen(buf)) < 0)
		_exit(1);
	_exit(0);
}

static void sink(enum log_level l, const char *msg, void *ctx)
{
	if (l == LOG_LEVEL_WARN && fx.warn_match[0] && strstr(msg, fx.warn_match))
		fx.warned++;
}

static void start_runner(uint32_t concurrency, uint32_t time_limit_s)
{
	struct runner_env env = { .home = fx.home,
				  .cfg = &fx.cfgp,
				  .offenders = fx.off,
				  .pending = &fx.pending,
				  .concurrency = concurrency,
				  .time_limit_s = time_limit_s };

	runner_free(fx.r);
	cr_assert_eq(runner_new(&fx.r, &env, fx.epfd), 0);
}

static void setup(void)
{
	char bin[128];

	log_init("test", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	log_set_sink(sink, NULL);
	/* As arxdpd: a script that closed its stdin must not kill the runner's process. */
	signal(SIGPIPE, SIG_IGN);
	memset(&fx, 0, sizeof(fx));
	fx.cfgp = &fx.cfg;
	tu_mkdtemp(fx.home, sizeof(fx.home), "runner");
	snprintf(bin, sizeof(bin), "%s/active-response", fx.home);
	cr_assert_eq(mkdir(bin, 0755), 0);
	snprintf(bin, sizeof(bin), "%s/active-response/bin", fx.home);
	cr_assert_eq(mkdir(bin, 0755), 0);
	fx.epfd = epoll_create1(EPOLL_CLOEXEC);
	cr_assert_geq(fx.epfd, 0);
	fx.off = offenders_new();
	cr_assert_not_null(fx.off);
	start_runner(4, 10);
}

static void teardown(void)
{
	runner_free(fx.r);
	pending_free_all(fx.pending);
	offenders_free(fx.off);
	close(fx.epfd);
	tu_rm_rf(fx.home);
	log_set_sink(NULL, NULL);
}

TestSuite(runner, .init = setup, .fini = teardown);

static void put_file(const char *rel, const char *text, mode_t mode)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", fx.home, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(write_all(fd, text, strlen(text)), 0);
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
}

/*
 * A script that logs its first stdin line, prints reply (with a newline when nl), then logs
 * every further line until EOF (wait) or exits at once.
 */
static void put_script(const char *name, const char *reply, bool nl, bool wait)
{
	char text[2048], say[512] = "", rel[128];

	if (reply[0])
		snprintf(say, sizeof(say), "printf '%%s%s' '%s'\n", nl ? "\\n" : "", reply);
	snprintf(text, sizeof(text),
		 "#!/bin/sh\n"
		 "log=${0##*/}.log\n"
		 "IFS= read -r line || exit 0\n"
		 "printf '%%s\\n' \"$line\" >>\"$log\"\n"
		 "%s%s",
		 say,
		 wait ? "while IFS= read -r line; do printf '%s\\n' \"$line\" >>\"$log\"; done\n" :
			"");
	snprintf(rel, sizeof(rel), "active-response/bin/%s", name);
	put_file(rel, text, 0755);
}

static char *add_msg(const char *exe)
{
	char *s = NULL;

	cr_assert_gt(asprintf(&s,
			      "{\"version\":1,\"origin\":{\"name\":\"node01\",\"module\":"
			      "\"wazuh-execd\"},\"command\":\"add\",\"parameters\":{\"extra_args\":"
			      "[],\"alert\":{\"rule\":{\"id\":\"5710\"},\"data\":{\"srcip\":"
			      "\"192.0.2.7\"}},\"program\":\"active-response/bin/%s\"}}",
			      exe),
		     0);
	return s;
}

/* The file in the home, whole, or NULL when absent. */
static char *slurp(const char *rel)
{
	char path[256], *buf;
	size_t len = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", fx.home, rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = calloc(1, 65536);
	cr_assert_not_null(buf);
	while (len < 65535 && (n = read(fd, buf + len, 65535 - len)) > 0)
		len += (size_t)n;
	close(fd);
	return buf;
}

/* Line i (0-based) of text into out; false when there is none. */
static bool nth_line(const char *text, int i, char *out, size_t len)
{
	const char *p = text, *nl;

	for (; p && i > 0; i--) {
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	if (!p || !*p)
		return false;
	nl = strchrnul(p, '\n');
	snprintf(out, len, "%.*s", (int)(nl - p), p);
	return true;
}

static int count_lines(const char *text)
{
	int n = 0;

	for (; text && *text; text++)
		n += *text == '\n';
	return n;
}

/* Is got the add message of exe with only its command changed to cmd? */
static bool is_msg(const char *got, const char *exe, const char *cmd)
{
	char *want_s = add_msg(exe);
	cJSON *got_j = cJSON_Parse(got), *want = cJSON_Parse(want_s), *c;
	bool ok = false;

	c = got_j ? cJSON_GetObjectItemCaseSensitive(got_j, "command") : NULL;
	if (cJSON_IsString(c) && !strcmp(c->valuestring, cmd)) {
		cJSON_ReplaceItemInObjectCaseSensitive(got_j, "command", cJSON_CreateString("add"));
		ok = cJSON_Compare(got_j, want, true);
	}
	cJSON_Delete(got_j);
	cJSON_Delete(want);
	free(want_s);
	return ok;
}

static struct runner_stats stats(void)
{
	struct runner_stats st;

	runner_get_stats(fx.r, &st);
	return st;
}

static bool idle(void)
{
	struct runner_stats st = stats();

	return !st.running && !st.queued;
}

/*
 * The daemon's loop in small: readiness of the runner's fds, reaping, and with tick the
 * once-a-second work (here on every turn), until idle or DRIVE_MS. The most programs seen
 * running at once goes to *max_running.
 */
static bool drive(bool tick, uint32_t *max_running)
{
	uint64_t end = mono_now_ns() + DRIVE_MS * 1000000ULL;
	struct epoll_event ev[8];
	int n, i;

	while (mono_now_ns() < end) {
		if (tick)
			runner_tick(fx.r, mono_now_ns());
		n = epoll_wait(fx.epfd, ev, 8, 5);
		for (i = 0; i < n; i++) {
			cr_assert(runner_owns(ev[i].data.ptr));
			runner_event(fx.r, ev[i].data.ptr, ev[i].events);
		}
		runner_reap(fx.r);
		if (max_running && stats().running > *max_running)
			*max_running = stats().running;
		if (idle())
			return true;
	}
	return false;
}

static void run_one(const char *exe, uint32_t timeout_s)
{
	cr_assert_eq(runner_add(fx.r, exe, add_msg(exe), timeout_s), 0);
	runner_tick(fx.r, mono_now_ns());
	cr_assert(drive(false, NULL), "'%s' still running after %llu ms", exe, DRIVE_MS);
}

static void add_pending(const char *exe, const char *rkey, uint64_t deadline)
{
	struct pending_delete *p = calloc(1, sizeof(*p));

	cr_assert_not_null(p);
	str_copy(p->exe, exe, sizeof(p->exe));
	p->rkey = strdup(rkey);
	p->json = add_msg(exe);
	cJSON *j = cJSON_Parse(p->json);
	cJSON_ReplaceItemInObjectCaseSensitive(j, "command", cJSON_CreateString("delete"));
	free(p->json);
	p->json = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	p->deadline_mono_ns = deadline;
	p->timeout_s = 600;
	p->next = fx.pending;
	fx.pending = p;
}

static size_t n_pending(void)
{
	size_t n = 0;

	for (struct pending_delete *p = fx.pending; p; p = p->next)
		n++;
	return n;
}

struct proto_case {
	char name[24];
	char reply[160]; /* what the program prints on stdout ("" = nothing) */
	bool nl; /* the reply ends in a newline; without one the program exits after it */
	uint32_t timeout_s;
	char known[32]; /* an rkey already in the timeout list */
	char want_cmd[16]; /* the second stdin line's command ("" = no second line) */
	char want_rkey[32]; /* the timeout list's entry afterwards ("" = none) */
	uint64_t stateful, stateless, aborted;
};

/* clang-format off */
static struct proto_case proto_cases[] = {
	{ "check_keys", KEYS1, true, 600, "", "continue", "t-192.0.2.7", 1, 0, 0 },
	{ "two keys", KEYS2, true, 600, "", "continue", "t-192.0.2.7-root", 1, 0, 0 },
	{ "repeat: abort", KEYS1, true, 600, "t-192.0.2.7", "abort", "t-192.0.2.7", 0, 0, 1 },
	{ "other key: continue", KEYS1, true, 600, "t-192.0.2.8", "continue", "t-192.0.2.7", 1, 0, 0 },
	{ "timeout 0", KEYS1, true, 0, "", "continue", "", 0, 0, 0 },
	{ "stateless", "", true, 600, "", "", "", 0, 1, 0 },
	{ "not json", "hello", true, 600, "", "continue", "t", 1, 0, 0 },
	/* execd's fgets takes a last line without its newline as the line. */
	{ "no newline, exit", KEYS1, false, 600, "", "", "t-192.0.2.7", 1, 0, 0 },
};
/* clang-format on */

ParameterizedTestParameters(runner, protocol)
{
	return cr_make_param_array(struct proto_case, proto_cases, ARRAY_SIZE(proto_cases));
}

/* execd's exchange: the add line, one line back, continue or abort, the timeout list. */
ParameterizedTest(struct proto_case *c, runner, protocol)
{
	uint64_t before = mono_now_ns();
	struct pending_delete *p;
	struct runner_stats st;
	char line[4096];
	char *log;

	put_script(EXE, c->reply, c->nl, c->nl && c->reply[0]);
	if (c->known[0])
		add_pending(EXE, c->known, before + 10 * NSEC_PER_SEC);
	run_one(EXE, c->timeout_s);
	log = slurp(EXE ".log");
	cr_assert_not_null(log, "%s: the script never ran", c->name);
	cr_assert(nth_line(log, 0, line, sizeof(line)), "%s", c->name);
	cr_expect(is_msg(line, EXE, "add"), "%s: first line: %s", c->name, line);
	if (c->want_cmd[0]) {
		cr_assert(nth_line(log, 1, line, sizeof(line)), "%s: no reply", c->name);
		cr_expect(is_msg(line, EXE, c->want_cmd), "%s: reply: %s", c->name, line);
	}
	cr_expect_eq(count_lines(log), c->want_cmd[0] ? 2 : 1, "%s: %s", c->name, log);
	free(log);

	p = NULL;
	for (struct pending_delete *q = fx.pending; q; q = q->next)
		if (!strcmp(q->rkey, c->want_rkey))
			p = q;
	cr_expect_eq(n_pending(), (c->known[0] ? 1u : 0u) + (c->stateful ? 1u : 0u),
		     "%s: timeout list", c->name);
	if (c->want_rkey[0]) {
		cr_assert_not_null(p, "%s: no entry '%s'", c->name, c->want_rkey);
		cr_expect_str_eq(p->exe, EXE);
		cr_expect(is_msg(p->json, EXE, "delete"), "%s: delete: %s", c->name, p->json);
		cr_expect_eq(p->timeout_s, c->timeout_s, "%s", c->name);
		/* New or extended: due timeout from now (an abort moves the deadline too). */
		cr_expect_geq(p->deadline_mono_ns, before + c->timeout_s * NSEC_PER_SEC, "%s",
			      c->name);
	}
	st = stats();
	cr_expect_eq(st.started, 1);
	cr_expect_eq(st.stateful, c->stateful, "%s", c->name);
	cr_expect_eq(st.stateless, c->stateless, "%s", c->name);
	cr_expect_eq(st.aborted, c->aborted, "%s", c->name);
	cr_expect_eq(st.failed, 0);
}

/* The delete runs once, strictly after the deadline, with its message on stdin only. */
Test(runner, delete_after_timeout)
{
	uint64_t due;
	char line[4096];
	char *log;

	put_script(EXE, KEYS1, true, true);
	run_one(EXE, 5);
	cr_assert_eq(n_pending(), 1);
	due = fx.pending->deadline_mono_ns;
	cr_expect_not(runner_tick(fx.r, due), "fired at its deadline");
	cr_expect_eq(n_pending(), 1);
	cr_expect(runner_tick(fx.r, due + 2 * NSEC_PER_SEC), "the timeout list did not change");
	cr_expect_eq(n_pending(), 0);
	cr_assert(drive(false, NULL));
	cr_expect_eq(stats().deletes, 1);
	cr_expect_not(runner_tick(fx.r, due + 100 * NSEC_PER_SEC));
	cr_assert(drive(false, NULL));
	log = slurp(EXE ".log");
	cr_assert_not_null(log);
	/* add, continue, delete: the check_keys it printed on the delete run went to /dev/null,
	 * and nothing answered it. */
	cr_expect_eq(count_lines(log), 3, "%s", log);
	cr_assert(nth_line(log, 2, line, sizeof(line)));
	cr_expect(is_msg(line, EXE, "delete"), "%s", line);
	cr_expect_eq(stats().deletes, 1);
	free(log);
}

/* execd's shutdown: every pending delete now, whatever its deadline. */
Test(runner, flush_deletes)
{
	static const char *const exes[] = { "a", "b", "c" };
	char rel[32], line[4096];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(exes); i++) {
		put_script(exes[i], KEYS1, true, true);
		add_pending(exes[i], exes[i], mono_now_ns() + 3600 * NSEC_PER_SEC);
	}
	runner_flush_deletes(fx.r, 5);
	cr_expect_eq(n_pending(), 0);
	cr_expect(idle());
	for (i = 0; i < ARRAY_SIZE(exes); i++) {
		char *log;

		snprintf(rel, sizeof(rel), "%s.log", exes[i]);
		log = slurp(rel);
		cr_assert_not_null(log, "'%s' never ran", exes[i]);
		cr_expect(nth_line(log, 0, line, sizeof(line)) && is_msg(line, exes[i], "delete"),
			  "%s: %s", exes[i], log);
		cr_expect_eq(count_lines(log), 1);
		free(log);
	}
}

struct hang_case {
	char name[32];
	char script[256];
};

/* clang-format off */
static struct hang_case hang_cases[] = {
	{ "before its line", "#!/bin/sh\nsleep 30 &\necho $! >sleeper.pid\nwait\n" },
	{ "after continue", "#!/bin/sh\nread -r a\necho '" KEYS1 "'\nread -r b\n"
			    "sleep 30 &\necho $! >sleeper.pid\nwait\n" },
};
/* clang-format on */

ParameterizedTestParameters(runner, time_limit)
{
	return cr_make_param_array(struct hang_case, hang_cases, ARRAY_SIZE(hang_cases));
}

/* A program over the time limit is killed with its whole process group. */
ParameterizedTest(struct hang_case *c, runner, time_limit)
{
	uint64_t t0 = mono_now_ns(), end;
	pid_t sleeper = 0;
	int status = 0;
	char *s;

	/* Orphans come to this process: the killed script's sleep can be waited for here. */
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	start_runner(4, 1);
	put_file("active-response/bin/" EXE, c->script, 0755);
	cr_assert_eq(runner_add(fx.r, EXE, add_msg(EXE), 600), 0);
	cr_assert(drive(true, NULL), "%s: not killed", c->name);
	cr_expect_lt(mono_now_ns() - t0, 5 * NSEC_PER_SEC, "%s: killed late", c->name);
	cr_expect_eq(stats().killed, 1, "%s", c->name);
	s = slurp("sleeper.pid");
	cr_assert_not_null(s, "%s", c->name);
	sleeper = atoi(s);
	free(s);
	cr_assert_gt(sleeper, 0);
	for (end = mono_now_ns() + 5 * NSEC_PER_SEC; mono_now_ns() < end; usleep(10000))
		if (waitpid(sleeper, &status, WNOHANG) == sleeper)
			break;
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		  "%s: the script's child survived (status %#x)", c->name, status);
}

struct missing_case {
	char name[24];
	char exe[24];
	char file[48]; /* a file put in place first ("" = none) */
	mode_t mode;
};

/* clang-format off */
static struct missing_case missing_cases[] = {
	{ "absent", "nope", "", 0 },
	{ "not executable", "noexec", "active-response/bin/noexec", 0644 },
	/* Refused even when the file exists: a name must stay inside the bin directory. */
	{ "parent", "../up", "active-response/up", 0755 },
	{ "slash", "sub/t", "", 0 },
};
/* clang-format on */

ParameterizedTestParameters(runner, missing_reported_once)
{
	return cr_make_param_array(struct missing_case, missing_cases, ARRAY_SIZE(missing_cases));
}

/* A program that cannot run is one warning per executable, not one per alert. */
ParameterizedTest(struct missing_case *c, runner, missing_reported_once)
{
	int i;

	if (c->file[0])
		put_file(c->file, "#!/bin/sh\necho ran >ran.log\n", c->mode);
	str_copy(fx.warn_match, "cannot run", sizeof(fx.warn_match));
	for (i = 0; i < 3; i++)
		cr_assert_eq(runner_add(fx.r, c->exe, add_msg(c->exe), 600), 0);
	runner_tick(fx.r, mono_now_ns());
	cr_assert(drive(false, NULL));
	cr_expect_eq(fx.warned, 1, "%s: %d warnings", c->name, fx.warned);
	cr_expect_eq(stats().failed, 3, "%s", c->name);
	runner_reset_missing(fx.r);
	cr_assert_eq(runner_add(fx.r, c->exe, add_msg(c->exe), 600), 0);
	runner_tick(fx.r, mono_now_ns());
	cr_assert(drive(false, NULL));
	cr_expect_eq(fx.warned, 2, "%s: not reported again after a reset", c->name);
	cr_expect_null(slurp("ran.log"), "%s: it ran", c->name);
	cr_expect_eq(n_pending(), 0);
}

/*
 * A burst: the daemon ticks once after queueing, and from then on each finished program hands
 * its slot to the next at once. With starts only on the 1 Hz tick, this takes 10 s.
 */
Test(runner, slot_goes_to_next_at_once)
{
	uint32_t max_running = 0;
	char *log;
	int i;

	start_runner(2, 10);
	put_script(EXE, "", true, false);
	for (i = 0; i < 20; i++)
		cr_assert_eq(runner_add(fx.r, EXE, add_msg(EXE), 0), 0);
	/* Queued, not started: the daemon starts them after the snapshot that holds them. */
	cr_expect_eq(stats().queued, 20);
	cr_expect_eq(stats().running, 0);
	runner_tick(fx.r, mono_now_ns());
	cr_expect_eq(stats().running, 2);
	cr_assert(drive(false, &max_running), "stalled with %u queued", stats().queued);
	cr_expect_leq(max_running, 2);
	cr_expect_eq(stats().started, 20);
	cr_expect_eq(stats().stateless, 20);
	log = slurp(EXE ".log");
	cr_expect_eq(count_lines(log), 20);
	free(log);
}

/*
 * The daemon handles a batch of epoll events in order: SIGCHLD may reap a program whose
 * stdout event comes later in the same batch. That event's tag must still be the runner's,
 * and handling it must change nothing.
 */
Test(runner, stale_event_after_reap)
{
	uint64_t end = mono_now_ns() + DRIVE_MS * 1000000ULL;
	struct epoll_event ev = {};
	int n = 0;

	put_script(EXE, "", true, false);
	cr_assert_eq(runner_add(fx.r, EXE, add_msg(EXE), 600), 0);
	runner_tick(fx.r, mono_now_ns());
	while (n <= 0 && mono_now_ns() < end)
		n = epoll_wait(fx.epfd, &ev, 1, 10);
	cr_assert_eq(n, 1, "no event from the script");
	while (!idle() && mono_now_ns() < end) {
		runner_reap(fx.r);
		usleep(1000);
	}
	cr_assert(idle());
	cr_expect_eq(stats().stateless, 1);
	cr_assert(runner_owns(ev.data.ptr), "the tag of a reaped program is not the runner's");
	runner_event(fx.r, ev.data.ptr, ev.events);
	cr_expect_eq(stats().stateless, 1);
	cr_expect_eq(stats().started, 1);
	cr_expect(idle());
}

/* The value of a "Field:\t<value>" line of /proc/self/status in the probe report. */
static bool field(const char *report, const char *name, char *out, size_t len)
{
	const char *p = strstr(report, name);

	if (!p)
		return false;
	p += strlen(name);
	p += strspn(p, " \t");
	snprintf(out, len, "%.*s", (int)strcspn(p, "\n"), p);
	return true;
}

/* The entries (" N=target") on the probe report's first line. */
static int fds_listed(const char *rep)
{
	const char *p, *end = strchrnul(rep, '\n');
	int n = 0;

	for (p = rep; p < end; p++)
		if (*p == ' ' && p[1] >= '0' && p[1] <= '9' &&
		    p[1 + strspn(p + 1, "0123456789")] == '=')
			n++;
	return n;
}

/*
 * What a script inherits: arxdpd's process ignores SIGPIPE, blocks the signals its signalfd
 * reads, may hold descriptors without O_CLOEXEC from whoever started it (here one on a
 * "secret" file), and its umask is whatever that was. None of it may reach a script.
 */
Test(runner, child_starts_clean)
{
	char self[256], link[256], v[64];
	struct stat st;
	sigset_t block;
	ssize_t n;
	char *rep;
	int fd;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	cr_assert_gt(n, 0);
	self[n] = '\0';
	snprintf(link, sizeof(link), "%s/active-response/bin/probe", fx.home);
	cr_assert_eq(symlink(self, link), 0);
	put_file("secret", "root:x:0:0\n", 0600);
	snprintf(link, sizeof(link), "%s/secret", fx.home);
	fd = open(link, O_RDONLY); /* inherited, as a shell's fd would be */
	cr_assert_geq(fd, 0);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	cr_assert_eq(sigprocmask(SIG_BLOCK, &block, NULL), 0);
	signal(SIGHUP, SIG_IGN);
	umask(0);

	run_one("probe", 0);
	rep = slurp("probe.out");
	cr_assert_not_null(rep, "the probe did not run");
	cr_expect_eq(fds_listed(rep), 3, "descriptors beyond 0-2: %s", rep);
	cr_expect_eq(strncmp(rep, "fds: 0=pipe:[", 13), 0, "%s", rep);
	cr_expect_not_null(strstr(rep, " 1=pipe:["), "%s", rep);
	cr_expect_not_null(strstr(rep, " 2=/dev/null\n"), "%s", rep);
	cr_expect_null(strstr(rep, "secret"), "%s", rep);
	cr_assert(field(rep, "SigIgn:", v, sizeof(v)), "%s", rep);
	cr_expect_str_eq(v, "0000000000000000", "ignored signals inherited: %s", rep);
	cr_assert(field(rep, "SigBlk:", v, sizeof(v)), "%s", rep);
	cr_expect_str_eq(v, "0000000000000000", "blocked signals inherited: %s", rep);
	cr_assert(field(rep, "Umask:", v, sizeof(v)), "%s", rep);
	cr_expect_str_eq(v, "0027", "%s", rep);
	snprintf(link, sizeof(link), "%s/probe.out", fx.home);
	cr_assert_eq(stat(link, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0640, "a file made with 0666 got %o", st.st_mode & 0777);
	free(rep);
	close(fd);
}
