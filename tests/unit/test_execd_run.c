// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the wazuh-execd mode's tables that run things in a private fake home:
 * com lock_restart and the restart commands, the pid file (mode, content, a stale file of our
 * pid, other pids' files, unsafe dirs) and the com socket's listen (fresh, stale, live owner).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include "config.h"
#include "ctl.h"
#include "arxdpd/daemon.h"
#include "arxdpd/execd.h"
#include "log.h"
#include "runner.h"
#include "settings.h"
#include "testutil.h"
#include "util.h"

#include "execd_fixture.h"

/* ---- lock_restart and restart ---- */

#define STEPS 4

struct com_step {
	char req[40];
	char want[100];
};

struct lock_case {
	char name[56];
	char local_internal[64]; /* empty: none */
	struct com_step steps[STEPS]; /* up to the first empty req */
};

#define INTERNAL(n) \
	"ok {\"internal\":{\"execd\":{\"request_timeout\":0,\"max_restart_lock\":" #n "}}}"

/* clang-format off */
static struct lock_case lock_cases[] = {
	{ "lock_restart reads the maximum that getconfig then shows", "",
	  { { "lock_restart -1", "ok " }, { "getconfig internal", INTERNAL(600) } } },
	{ "the local options file wins", "execd.max_restart_lock=30\n",
	  { { "lock_restart 5", "ok " }, { "getconfig internal", INTERNAL(30) } } },
	{ "an invalid time still reads it", "execd.max_restart_lock=45\n",
	  { { "lock_restart -7", "err Invalid timeout" }, { "getconfig internal", INTERNAL(45) } } },
	{ "out of getDefine_Int's range: the default", "execd.max_restart_lock=4000\n",
	  { { "lock_restart 1", "ok " }, { "getconfig internal", INTERNAL(600) } } },
};
/* clang-format on */

ParameterizedTestParameters(execd, lock_restart)
{
	return cr_make_param_array(struct lock_case, lock_cases, ARRAY_SIZE(lock_cases));
}

ParameterizedTest(struct lock_case *c, execd, lock_restart)
{
	char dir[64], *a;
	struct daemon *d;
	int i;

	fake_home(dir, sizeof(dir), c->local_internal);
	d = daemon_over(dir, CONF_ESC);
	for (i = 0; i < STEPS && c->steps[i].req[0]; i++) {
		a = execd_com_answer(d, c->steps[i].req);
		cr_assert(a, "%s: %s", c->name, c->steps[i].req);
		cr_expect_str_eq(a, c->steps[i].want, "%s: %s", c->name, c->steps[i].req);
		free(a);
	}
	config_free_ossec(d->r.cfg);
	free(d);
	tu_rm_rf(dir);
}

struct restart_case {
	char name[56];
	bool restart_sh; /* active-response/bin/restart.sh exists; else bin/wazuh-control */
	char agent_id[8];
	bool runner; /* the daemon has its runner (it always has one when running) */
	struct com_step steps[STEPS]; /* sent in order before the restart request */
	char req[16];
	char want[24];
	char ran[16]; /* the argument the program got; "" = nothing may run */
};

/* clang-format off */
static struct restart_case restart_cases[] = {
	{ "manager: restart.sh manager", true, "000", true, {}, "restart", "ok ", "manager" },
	{ "agent: restart.sh agent", true, "001", true, {}, "restart", "ok ", "agent" },
	{ "restart-wazuh is the same request", true, "000", true, {}, "restart-wazuh", "ok ",
	  "manager" },
	{ "without restart.sh: wazuh-control restart", false, "000", true, {}, "restart", "ok ",
	  "restart" },
	{ "locked: ok, and nothing runs", true, "000", true, { { "lock_restart 30", "ok " } },
	  "restart", "ok ", "" },
	{ "locked for the maximum", true, "000", true, { { "lock_restart -1", "ok " } },
	  "restart", "ok ", "" },
	{ "an invalid lock_restart lifts the lock", true, "000", true,
	  { { "lock_restart 30", "ok " }, { "lock_restart -2", "err Invalid timeout" } },
	  "restart", "ok ", "manager" },
	{ "a lock of 0 is none", true, "000", true, { { "lock_restart 0", "ok " } },
	  "restart", "ok ", "manager" },
	{ "no fork: execd's error", true, "000", false, {}, "restart", "err Cannot fork", "" },
};
/* clang-format on */

ParameterizedTestParameters(execd, restart)
{
	return cr_make_param_array(struct restart_case, restart_cases, ARRAY_SIZE(restart_cases));
}

ParameterizedTest(struct restart_case *c, execd, restart)
{
	char dir[64], sub[PATH_MAX], script[PATH_MAX + 64], ran[PATH_MAX], got[32] = "", *a;
	struct runner_env env = {};
	struct runner *r = NULL;
	struct daemon *d;
	int i, status;
	FILE *f;

	fake_home(dir, sizeof(dir), NULL);
	snprintf(ran, sizeof(ran), "%s/ran", dir);
	snprintf(sub, sizeof(sub), "%s/%s", dir, c->restart_sh ? "active-response" : "bin");
	cr_assert_eq(mkdir(sub, 0755), 0);
	if (c->restart_sh) {
		strcat(sub, "/bin");
		cr_assert_eq(mkdir(sub, 0755), 0);
	}
	snprintf(script, sizeof(script), "#!/bin/sh\necho \"$1\" > '%s'\n", ran);
	put(sub, c->restart_sh ? "restart.sh" : "wazuh-control", script);
	strcat(sub, c->restart_sh ? "/restart.sh" : "/wazuh-control");
	cr_assert_eq(chmod(sub, 0755), 0);
	d = daemon_over(dir, CONF_ESC);
	str_copy(d->s.agent_id, c->agent_id, sizeof(d->s.agent_id));
	env.home = d->s.wazuh_home;
	if (c->runner) {
		cr_assert_eq(runner_new(&r, &env, -1), 0);
		d->runner = r;
	}
	for (i = 0; i < STEPS && c->steps[i].req[0]; i++) {
		a = execd_com_answer(d, c->steps[i].req);
		cr_assert(a);
		cr_expect_str_eq(a, c->steps[i].want, "%s: %s", c->name, c->steps[i].req);
		free(a);
	}
	a = execd_com_answer(d, c->req);
	cr_assert(a, "%s", c->name);
	cr_expect_str_eq(a, c->want, "%s", c->name);
	free(a);
	if (c->ran[0]) {
		/* The only child of this process: the program, left running by the answer. */
		cr_assert_gt(waitpid(-1, &status, 0), 0, "%s: nothing was started", c->name);
		cr_expect(WIFEXITED(status) && !WEXITSTATUS(status), "%s", c->name);
		f = fopen(ran, "r");
		cr_assert(f, "%s: the program did not run", c->name);
		cr_assert(fgets(got, sizeof(got), f));
		fclose(f);
		got[strcspn(got, "\n")] = '\0';
		cr_expect_str_eq(got, c->ran, "%s", c->name);
	} else {
		cr_expect_eq(waitpid(-1, &status, WNOHANG), -1, "%s: something was started",
			     c->name);
		cr_expect_eq(errno, ECHILD, "%s", c->name);
	}
	runner_free(r);
	config_free_ossec(d->r.cfg);
	free(d);
	tu_rm_rf(dir);
}

/* ---- the pid file ---- */

struct pid_case {
	char name[48];
	mode_t run_mode; /* var/run's mode; 0: var/run is a symbolic link to a private dir */
	bool stale_own; /* a file already named after our pid */
	int err;
};

static struct pid_case pid_cases[] = {
	{ "Wazuh's 0770 var/run", 0770, false, 0 },
	{ "0700", 0700, false, 0 },
	{ "a stale file of our pid is replaced", 0770, true, 0 },
	{ "world-writable var/run", 0777, false, -EPERM },
	{ "var/run a symbolic link", 0, false, -ENOTDIR },
};

ParameterizedTestParameters(execd, pidfile)
{
	return cr_make_param_array(struct pid_case, pid_cases, ARRAY_SIZE(pid_cases));
}

ParameterizedTest(struct pid_case *c, execd, pidfile)
{
	char dir[64], p[PATH_MAX], other[PATH_MAX], run[256], buf[32] = "";
	struct execd x = { .comfd = -1 };
	struct stat st;
	int fd, err;

	tu_mkdtemp(dir, sizeof(dir), "execd");
	snprintf(p, sizeof(p), "%s/var", dir);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(run, sizeof(run), "%s/var/run", dir);
	if (c->run_mode) {
		cr_assert_eq(mkdir(run, c->run_mode), 0);
		cr_assert_eq(chmod(run, c->run_mode), 0);
	} else {
		snprintf(p, sizeof(p), "%s/elsewhere", dir);
		cr_assert_eq(mkdir(p, 0700), 0);
		cr_assert_eq(symlink(p, run), 0);
	}
	if (c->run_mode) {
		/* Another execd's: never ours to touch. */
		snprintf(other, sizeof(other), "%s/wazuh-execd-%d.pid", run, (int)getpid() + 1);
		put(run, strrchr(other, '/') + 1, "x\n");
	}
	if (c->stale_own) {
		snprintf(p, sizeof(p), "wazuh-execd-%d.pid", (int)getpid());
		put(run, p, "1\n2\n");
	}
	err = execd_pidfile_create(&x, dir, getpid());
	if (err)
		tu_rm_rf(dir);
	cr_assert_eq(err, c->err, "%s: %d, want %d", c->name, err, c->err);
	if (err)
		return;
	snprintf(p, sizeof(p), "%s/wazuh-execd-%d.pid", run, (int)getpid());
	cr_expect_str_eq(x.pid_path, p, "%s", c->name);
	cr_assert_eq(lstat(p, &st), 0, "%s", c->name);
	cr_expect(S_ISREG(st.st_mode));
	cr_expect_eq(st.st_mode & 07777, 0640, "%s: mode %o", c->name, st.st_mode & 07777);
	fd = open(p, O_RDONLY);
	cr_assert_geq(fd, 0);
	cr_assert_gt(read(fd, buf, sizeof(buf) - 1), 0);
	close(fd);
	snprintf(p, sizeof(p), "%d\n", (int)getpid());
	cr_expect_str_eq(buf, p, "%s: content", c->name);
	execd_pidfile_remove(&x);
	snprintf(p, sizeof(p), "%s/wazuh-execd-%d.pid", run, (int)getpid());
	cr_expect_neq(access(p, F_OK), 0, "%s: removed", c->name);
	cr_expect_eq(access(other, F_OK), 0, "%s: the other pid's file stays", c->name);
	tu_rm_rf(dir);
}

/* ---- the com socket ---- */

enum com_before { COM_NONE, COM_STALE, COM_LIVE };

struct listen_case {
	char name[48];
	enum com_before before;
	mode_t dir_mode;
	int err;
};

static struct listen_case listen_cases[] = {
	{ "fresh", COM_NONE, 0770, 0 },
	{ "a stale name is taken over", COM_STALE, 0770, 0 },
	{ "a live execd answers: refused", COM_LIVE, 0770, -EBUSY },
	{ "world-writable queue/sockets", COM_NONE, 0777, -EPERM },
};

ParameterizedTestParameters(execd, com_listen)
{
	return cr_make_param_array(struct listen_case, listen_cases, ARRAY_SIZE(listen_cases));
}

static int bind_at(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	cr_assert_geq(fd, 0);
	str_copy(sa.sun_path, path, sizeof(sa.sun_path));
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0, "%s", strerror(errno));
	cr_assert_eq(listen(fd, 1), 0);
	return fd;
}

ParameterizedTest(struct listen_case *c, execd, com_listen)
{
	/* Not root's group: the socket's group must come from -g, not from the process. */
	struct execd x = { .comfd = -1, .gid = 65534 };
	char dir[64], p[256], com[300];
	struct stat st;
	int live = -1, err;

	tu_mkdtemp(dir, sizeof(dir), "execd");
	snprintf(p, sizeof(p), "%s/queue", dir);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/queue/sockets", dir);
	cr_assert_eq(mkdir(p, c->dir_mode), 0);
	cr_assert_eq(chmod(p, c->dir_mode), 0);
	snprintf(com, sizeof(com), "%s/com", p);
	if (c->before != COM_NONE)
		live = bind_at(com);
	if (c->before == COM_STALE) {
		close(live); /* the name stays, nobody answers */
		live = -1;
	}
	err = execd_com_listen(&x, dir);
	cr_expect_eq(err, c->err, "%s: %d, want %d", c->name, err, c->err);
	if (!err) {
		cr_expect_str_eq(x.com_path, com, "%s", c->name);
		cr_expect_geq(x.comfd, 0);
		cr_assert_eq(lstat(com, &st), 0);
		cr_expect(S_ISSOCK(st.st_mode));
		cr_expect_eq(st.st_mode & 0777, 0660, "%s: mode %o", c->name, st.st_mode & 0777);
		cr_expect_eq(st.st_gid, x.gid);
		execd_com_close(&x);
		cr_expect_neq(access(com, F_OK), 0, "%s: removed on close", c->name);
	} else if (c->before == COM_LIVE) {
		cr_expect_eq(access(com, F_OK), 0, "%s: the live socket stays", c->name);
	}
	if (live >= 0)
		close(live);
	tu_rm_rf(dir);
}
