// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* This file contains the script runner declared in runner.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <cjson/cJSON.h>
#include "arlog.h"
#include "arproto.h"
#include "config.h"
#include "log.h"
#include "match.h"
#include "runner.h"
#include "util.h"

#define JOB_MAGIC 0x4a4f4221 /* "JOB!" */
#define LINE_MAX_EXECD 8192 /* execd reads one line with fgets(8192) */
#define PIPE_SIZE (1 << 20)
#define MISSING_MAX 64
/*
 * A program's files (lock dirs, logs, saved rules) get rwx for the owner, read for the group,
 * nothing for others: the pattern of Wazuh's tree (root:wazuh, 0750/0640, its alert dirs made
 * under umask 0027), whatever shell or unit arxdpd was started from. 022 would make them
 * world-readable; 077 would hide them from Wazuh's components, which run in the wazuh group.
 */
#define CHILD_UMASK 027
/* close_range's fallback: how far to close when RLIMIT_NOFILE is unlimited. */
#define CHILD_FD_SCAN_MAX 65536

enum job_kind { JOB_ADD, JOB_DELETE };
enum job_state { JOB_FREE, JOB_READING, JOB_WAITING };

/* A queued run: what starting it needs, nothing more, so a burst of thousands stays small. */
struct qjob {
	enum job_kind kind;
	uint32_t timeout_s;
	char *json; /* execd's message, at its size */
	struct qjob *next;
	char exe[BTABLE_EXE_MAX];
};

/*
 * A running program, in one of concurrency slots that live as long as the runner: its epoll
 * tag never points at freed memory, even when the daemon's batch of events still holds one
 * for a program reaped earlier in the same batch (the slot is then free, or runs another
 * program, whose non-blocking read just finds nothing).
 */
struct job {
	int magic; /* first: lets the daemon tell a job from its own epoll sources */
	enum job_kind kind;
	enum job_state state;
	char exe[BTABLE_EXE_MAX];
	char *json;
	uint32_t timeout_s;
	pid_t pid;
	int in_fd, out_fd;
	char *line; /* execd's one line; allocated on the slot's first add, then kept */
	size_t len;
	uint64_t deadline_mono;
};

struct runner {
	struct runner_env env;
	int epfd;
	struct qjob *queue_head, *queue_tail;
	struct job *slots; /* env.concurrency of them */
	struct runner_stats st;
	char missing[MISSING_MAX][BTABLE_EXE_MAX];
	int n_missing;
};

bool runner_owns(const void *ptr)
{
	return ptr && *(const int *)ptr == JOB_MAGIC;
}

int runner_new(struct runner **out, const struct runner_env *env, int epfd)
{
	struct runner *r = calloc(1, sizeof(*r));
	uint32_t i;

	if (!r)
		return -ENOMEM;
	r->env = *env;
	if (!r->env.concurrency)
		r->env.concurrency = 1;
	r->epfd = epfd;
	r->slots = calloc(r->env.concurrency, sizeof(*r->slots));
	if (!r->slots) {
		free(r);
		return -ENOMEM;
	}
	for (i = 0; i < r->env.concurrency; i++) {
		r->slots[i].magic = JOB_MAGIC;
		r->slots[i].in_fd = r->slots[i].out_fd = -1;
	}
	*out = r;
	return 0;
}

static void job_close_fds(struct runner *r, struct job *j)
{
	if (j->in_fd >= 0)
		close(j->in_fd);
	if (j->out_fd >= 0) {
		epoll_ctl(r->epfd, EPOLL_CTL_DEL, j->out_fd, NULL);
		close(j->out_fd);
	}
	j->in_fd = j->out_fd = -1;
}

/* The slot is free again; its line buffer stays for the next add. */
static void job_release(struct runner *r, struct job *j)
{
	job_close_fds(r, j);
	free(j->json);
	j->json = NULL;
	j->pid = 0;
	j->len = 0;
	j->state = JOB_FREE;
	r->st.running--;
}

void runner_free(struct runner *r)
{
	struct qjob *q, *next;
	uint32_t i;

	if (!r)
		return;
	for (i = 0; i < r->env.concurrency; i++) {
		job_close_fds(r, &r->slots[i]);
		free(r->slots[i].json);
		free(r->slots[i].line);
	}
	free(r->slots);
	for (q = r->queue_head; q; q = next) {
		next = q->next;
		free(q->json);
		free(q);
	}
	free(r);
}

static int enqueue(struct runner *r, enum job_kind kind, const char *exe, char *json,
		   uint32_t timeout_s)
{
	struct qjob *q = calloc(1, sizeof(*q));
	char *trim;

	if (!q) {
		free(json);
		return -ENOMEM;
	}
	/* A string buffer grows by doubling: the queue keeps only the message. */
	trim = realloc(json, strlen(json) + 1);
	if (trim)
		json = trim;
	q->kind = kind;
	q->json = json;
	q->timeout_s = timeout_s;
	str_copy(q->exe, exe, sizeof(q->exe));
	if (r->queue_tail)
		r->queue_tail->next = q;
	else
		r->queue_head = q;
	r->queue_tail = q;
	r->st.queued++;
	return 0;
}

int runner_add(struct runner *r, const char *exe, char *json, uint32_t timeout_s)
{
	return enqueue(r, JOB_ADD, exe, json, timeout_s);
}

int runner_delete(struct runner *r, const char *exe, char *json)
{
	return enqueue(r, JOB_DELETE, exe, json, 0);
}

void runner_reset_missing(struct runner *r)
{
	r->n_missing = 0;
}

/* A missing program is an error once per executable, not once per alert. */
static bool report_missing(struct runner *r, const char *exe, const char *path, int err)
{
	int i;

	for (i = 0; i < r->n_missing; i++)
		if (!strcmp(r->missing[i], exe))
			return false;
	if (r->n_missing < MISSING_MAX)
		str_copy(r->missing[r->n_missing++], exe, BTABLE_EXE_MAX);
	pr_warn("active response '%s': cannot run '%s/%s': %s; install it or remove the "
		"<active-response> that names it",
		exe, r->env.home, path, strerror(-err));
	return true;
}

static int write_line(int fd, const char *s)
{
	size_t len = strlen(s);
	struct iovec iov[2] = { { (void *)s, len }, { "\n", 1 } };
	ssize_t n = writev(fd, iov, 2);

	/* The pipe was sized for the message: a short write means the program is not reading. */
	if (n < 0)
		return -errno;
	return (size_t)n == len + 1 ? 0 : -EAGAIN;
}

/* Everything above stderr goes: the program gets its three pipes and nothing of ours. */
static void close_from_3(void)
{
	struct rlimit rl;
	unsigned int fd, max = CHILD_FD_SCAN_MAX;

	if (!syscall(SYS_close_range, 3U, ~0U, 0U))
		return;
	/* No close_range (ENOSYS before 5.9, or a seccomp filter): one close per possible fd. */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < CHILD_FD_SCAN_MAX)
		max = (unsigned int)rl.rlim_cur;
	for (fd = 3; fd < max; fd++)
		close((int)fd);
}

/*
 * The forked child, up to execv. Only async-signal-safe calls. A program starts as from a
 * fresh execd: every signal at its default and none blocked (arxdpd ignores SIGPIPE and blocks
 * what its signalfd reads; an ignored disposition would survive exec), no descriptor but
 * stdin, stdout and stderr (arxdpd's own inherited ones included: a shell's fd on a secret file
 * must not reach a script), a fixed umask, its own session (so a kill reaches its children).
 */
/* rt_sigaction(sig, SIG_DFL) without glibc: the kernel's struct, one word of mask. */
static void reset_raw(int sig)
{
	struct {
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		unsigned long mask;
	} ksa = { .handler = SIG_DFL };

	syscall(SYS_rt_sigaction, sig, &ksa, NULL, sizeof(ksa.mask));
}

static void child_exec(const char *home, char *path, char *arg, int in_fd, int out_fd)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	char *argv[] = { path, arg, NULL };
	int src[3], i, null;
	sigset_t none;

	/* glibc refuses its reserved real-time signals (32, 33) in sigaction(); an ignored one
	 * is still inherited through exec (make leaves 32 ignored), so the kernel is asked. */
	for (i = 1; i < NSIG; i++)
		if (i != SIGKILL && i != SIGSTOP && sigaction(i, &dfl, NULL))
			reset_raw(i);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	if (chdir(home))
		_exit(127);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		_exit(127);
	src[0] = in_fd >= 0 ? in_fd : null;
	src[1] = out_fd >= 0 ? out_fd : null;
	src[2] = null; /* execd sends stderr to /dev/null */
	/* Moved above 2 first: with arxdpd's 0-2 closed a pipe may sit on 0-2 itself, and the
	 * dup2 onto one target must not clobber the source of another. */
	for (i = 0; i < 3; i++) {
		src[i] = fcntl(src[i], F_DUPFD_CLOEXEC, 3);
		if (src[i] < 0)
			_exit(127);
	}
	for (i = 0; i < 3; i++)
		if (dup2(src[i], i) < 0)
			_exit(127);
	close_from_3();
	umask(CHILD_UMASK);
	execv(path, argv);
	_exit(127);
}

static int spawn(struct runner *r, struct job *j)
{
	char path[PATH_MAX];
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err;
	pid_t pid;

	if (snprintf(path, sizeof(path), "active-response/bin/%s", j->exe) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	/* execd rejects ".." components; a name from ossec.conf must stay in the bin dir. */
	if (strstr(j->exe, "..") || strchr(j->exe, '/')) {
		report_missing(r, j->exe, path, -EPERM);
		return -EPERM;
	}
	{
		char full[PATH_MAX * 2];

		snprintf(full, sizeof(full), "%s/%s", r->env.home, path);
		if (access(full, X_OK)) {
			err = -errno;
			report_missing(r, j->exe, path, err);
			return err;
		}
	}
	if (pipe2(in, O_CLOEXEC) || (j->kind == JOB_ADD && pipe2(out, O_CLOEXEC))) {
		err = -errno;
		goto fail;
	}
	/* Our ends only: the program's stdin and stdout stay blocking, as under execd. */
	fcntl(in[1], F_SETPIPE_SZ, PIPE_SIZE);
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	if (j->kind == JOB_ADD)
		fcntl(out[0], F_SETFL, O_NONBLOCK);
	pid = fork();
	if (pid < 0) {
		err = -errno;
		goto fail;
	}
	if (pid == 0)
		child_exec(r->env.home, path, NULL, in[0], j->kind == JOB_ADD ? out[1] : -1);
	close(in[0]);
	j->in_fd = in[1];
	if (j->kind == JOB_ADD) {
		close(out[1]);
		j->out_fd = out[0];
	}
	j->pid = pid;
	return 0;
fail:
	if (in[0] >= 0) {
		close(in[0]);
		close(in[1]);
	}
	if (out[0] >= 0) {
		close(out[0]);
		close(out[1]);
	}
	pr_warn("active response '%s': cannot start: %s", j->exe, strerror(-err));
	return err;
}

int runner_spawn(struct runner *r, const char *program, const char *arg, pid_t *pid_out)
{
	char path[PATH_MAX], a[64];
	pid_t pid;

	if (str_copy(path, program, sizeof(path)) || str_copy(a, arg, sizeof(a)))
		return -ENAMETOOLONG;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		child_exec(r->env.home, path, a, -1, -1);
	if (pid_out)
		*pid_out = pid;
	return 0;
}

static char *with_command(const char *json, const char *cmd)
{
	cJSON *o = cJSON_Parse(json), *c;
	char *s = NULL;

	if (!o)
		return NULL;
	c = cJSON_CreateString(cmd);
	if (c && cJSON_ReplaceItemInObjectCaseSensitive(o, "command", c))
		s = cJSON_PrintUnformatted(o);
	else
		cJSON_Delete(c);
	cJSON_Delete(o);
	return s;
}

static struct pending_delete *find_pending(struct runner *r, const char *rkey)
{
	struct pending_delete *p;

	for (p = *r->env.pending; p; p = p->next)
		if (!strcmp(p->rkey, rkey))
			return p;
	return NULL;
}

/* execd's steps 7-9 once the program printed a line: rkey, timeout list, continue/abort. */
static void answer(struct runner *r, struct job *j)
{
	char rkey[AR_RKEY_MAX], base[BTABLE_EXE_MAX];
	const char *cmd = "continue";
	struct pending_delete *p;
	uint32_t timeout = j->timeout_s;
	bool truncated = false;
	char *reply;
	int err;

	str_copy(base, j->exe, sizeof(base));
	err = arproto_rkey(j->line, base, rkey, sizeof(rkey), &truncated);
	if (err)
		str_copy(rkey, base, sizeof(rkey));
	if (truncated)
		pr_warn("active response '%s': key exceeds %d characters: truncated", j->exe,
			AR_RKEY_MAX);
	if (timeout) {
		timeout = offenders_escalate(r->env.offenders, *r->env.cfg, rkey, timeout, NULL);
		p = find_pending(r, rkey);
		if (p) {
			/* execd: already received, the block is extended from now; abort. */
			p->deadline_mono_ns = mono_now_ns() + (uint64_t)timeout * NSEC_PER_SEC;
			p->timeout_s = timeout;
			cmd = "abort";
			r->st.aborted++;
		} else {
			p = calloc(1, sizeof(*p));
			if (p && (p->rkey = strdup(rkey)) &&
			    (p->json = with_command(j->json, "delete"))) {
				str_copy(p->exe, j->exe, sizeof(p->exe));
				p->timeout_s = timeout;
				p->deadline_mono_ns =
					mono_now_ns() + (uint64_t)timeout * NSEC_PER_SEC;
				p->next = *r->env.pending;
				*r->env.pending = p;
				pr_debug("active response '%s': delete due in %us (key '%s')",
					 j->exe, timeout, rkey);
			} else {
				pending_free(p);
				pr_warn("active response '%s': no memory for its delete", j->exe);
			}
			r->st.stateful++;
		}
	}
	reply = with_command(j->json, cmd);
	err = reply ? write_line(j->in_fd, reply) : -ENOMEM;
	if (err == -EPIPE) /* it exited after its line: nothing to tell it, as under execd */
		pr_debug("active response '%s' (pid %d): gone before its '%s'", j->exe, (int)j->pid,
			 cmd);
	else if (err)
		pr_warn("active response '%s' (pid %d): cannot send '%s': %s", j->exe, (int)j->pid,
			cmd, strerror(-err));
	free(reply);
	job_close_fds(r, j);
	j->state = JOB_WAITING;
}

/* false when the program could not be started (the slot stays free). */
static bool start(struct runner *r, struct job *j)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = j };
	int err;

	j->deadline_mono = mono_now_ns() + (uint64_t)r->env.time_limit_s * NSEC_PER_SEC;
	r->st.started++;
	if (j->kind == JOB_ADD && !j->line && !(j->line = malloc(LINE_MAX_EXECD))) {
		pr_warn("active response '%s': cannot start: %s", j->exe, strerror(ENOMEM));
		r->st.failed++;
		return false;
	}
	if (spawn(r, j)) {
		r->st.failed++;
		return false;
	}
	err = write_line(j->in_fd, j->json);
	if (err == -EPIPE) {
		/* Its right (execd ignores it too): it exited or closed stdin before reading. */
		pr_debug("active response '%s' (pid %d): did not read its input", j->exe,
			 (int)j->pid);
	} else if (err) {
		pr_warn("active response '%s' (pid %d): cannot write its input: %s", j->exe,
			(int)j->pid, strerror(-err));
		kill(-j->pid, SIGKILL);
	}
	if (j->kind == JOB_DELETE) {
		r->st.deletes++;
		close(j->in_fd);
		j->in_fd = -1;
		j->state = JOB_WAITING;
		return true;
	}
	j->state = JOB_READING;
	if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, j->out_fd, &ev)) {
		pr_warn("active response '%s': epoll: %s", j->exe, strerror(errno));
		kill(-j->pid, SIGKILL);
		job_close_fds(r, j);
		j->state = JOB_WAITING;
	}
	return true;
}

void runner_event(struct runner *r, void *ptr, uint32_t events)
{
	struct job *j = ptr;
	ssize_t n;

	if (j->state != JOB_READING)
		return;
	for (;;) {
		char *nl;

		n = read(j->out_fd, j->line + j->len, LINE_MAX_EXECD - 1 - j->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0 && j->len) {
			/* execd's fgets takes a last line without its newline as the line. */
			answer(r, j);
			return;
		}
		if (n <= 0) {
			/* EOF without a line: a stateless program; no timeout entry, no answer. */
			pr_debug("active response '%s': won't be added to the timeout list: no "
				 "keys message from the program",
				 j->exe);
			r->st.stateless++;
			job_close_fds(r, j);
			j->state = JOB_WAITING;
			return;
		}
		j->len += (size_t)n;
		j->line[j->len] = '\0';
		nl = memchr(j->line, '\n', j->len);
		if (nl || j->len == LINE_MAX_EXECD - 1) {
			if (nl)
				*nl = '\0';
			answer(r, j);
			return;
		}
	}
}

/* Fills every free slot from the queue, oldest first. */
static void start_queued(struct runner *r)
{
	uint32_t i = 0;

	while (r->queue_head && r->st.running < r->env.concurrency) {
		struct qjob *q = r->queue_head;
		struct job *j;

		while (r->slots[i].state != JOB_FREE)
			i++; /* running < concurrency: a free one exists */
		j = &r->slots[i];
		r->queue_head = q->next;
		if (!r->queue_head)
			r->queue_tail = NULL;
		r->st.queued--;
		j->kind = q->kind;
		j->timeout_s = q->timeout_s;
		j->json = q->json;
		str_copy(j->exe, q->exe, sizeof(j->exe));
		free(q);
		j->state = JOB_WAITING;
		r->st.running++;
		if (!start(r, j))
			job_release(r, j);
	}
}

static struct job *find_pid(struct runner *r, pid_t pid)
{
	uint32_t i;

	for (i = 0; i < r->env.concurrency; i++)
		if (r->slots[i].state != JOB_FREE && r->slots[i].pid == pid)
			return &r->slots[i];
	return NULL;
}

bool runner_child(struct runner *r, pid_t pid, int status)
{
	struct job *j = pid > 0 ? find_pid(r, pid) : NULL;

	if (!j)
		return false;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && j->state == JOB_READING)
		pr_warn("active response '%s': could not be executed", j->exe);
	/* A program that exits with its stdout still unread: drain what it printed. */
	if (j->state == JOB_READING)
		runner_event(r, j, EPOLLIN);
	/* Still reading: a child of the program holds its stdout; nothing more is awaited. */
	if (j->state == JOB_READING)
		r->st.stateless++;
	job_release(r, j);
	/* The freed slot goes to the next queued job now, not at the next tick: a burst of
	 * scripts runs at the speed of the scripts, not at concurrency per second. */
	start_queued(r);
	return true;
}

void runner_reap(struct runner *r)
{
	struct job *j;
	uint32_t i;
	int status;

	/* Its own children only: arxdpd has another (the state saver) that it reaps itself. */
	for (i = 0; i < r->env.concurrency; i++) {
		j = &r->slots[i];
		if (j->state != JOB_FREE && waitpid(j->pid, &status, WNOHANG) == j->pid)
			runner_child(r, j->pid, status);
	}
}

static void fire_due(struct runner *r, uint64_t now_mono, bool all, bool *changed)
{
	struct pending_delete **pp = r->env.pending, *p;

	while ((p = *pp)) {
		/* execd: fires when now - added > timeout, i.e. strictly after the deadline. */
		if (all || now_mono > p->deadline_mono_ns + NSEC_PER_SEC) {
			*pp = p->next;
			if (!runner_delete(r, p->exe, p->json))
				p->json = NULL;
			pending_free(p);
			*changed = true;
			continue;
		}
		pp = &p->next;
	}
}

bool runner_tick(struct runner *r, uint64_t now_mono_ns)
{
	uint64_t now = mono_now_ns();
	bool changed = false;
	struct job *j;
	uint32_t i;

	for (i = 0; i < r->env.concurrency; i++) {
		j = &r->slots[i];
		if (j->state != JOB_FREE && now > j->deadline_mono) {
			pr_warn("active response '%s' (pid %d): still running after %us: killed",
				j->exe, (int)j->pid, r->env.time_limit_s);
			kill(-j->pid, SIGKILL);
			kill(j->pid, SIGKILL);
			j->deadline_mono = UINT64_MAX;
			r->st.killed++;
			if (j->state == JOB_READING) {
				job_close_fds(r, j);
				j->state = JOB_WAITING;
			}
		}
	}
	fire_due(r, now_mono_ns, false, &changed);
	start_queued(r);
	return changed;
}

void runner_flush_deletes(struct runner *r, uint32_t wait_s)
{
	uint64_t end = mono_now_ns() + (uint64_t)wait_s * NSEC_PER_SEC;
	bool changed = false;

	fire_due(r, 0, true, &changed);
	while ((r->queue_head || r->st.running) && mono_now_ns() < end) {
		start_queued(r);
		runner_reap(r);
		usleep(10000);
	}
}

struct queued_run *runner_take_queued(struct runner *r)
{
	struct queued_run *list = NULL, **tail = &list, *q;
	struct qjob *j, *next;

	for (j = r->queue_head; j; j = next) {
		next = j->next;
		q = calloc(1, sizeof(*q));
		if (q)
			q->exe = strdup(j->exe);
		if (!q || !q->exe) {
			/* Kept in the runner: lost with it, as before this existed. */
			free(q);
			pr_warn("active response '%s': no memory to keep it for the next start",
				j->exe);
			r->queue_head = j;
			return list;
		}
		q->json = j->json;
		q->timeout_s = j->timeout_s;
		q->is_delete = j->kind == JOB_DELETE;
		*tail = q;
		tail = &q->next;
		free(j);
		r->st.queued--;
	}
	r->queue_head = r->queue_tail = NULL;
	return list;
}

void runner_get_stats(const struct runner *r, struct runner_stats *st)
{
	*st = r->st;
}
