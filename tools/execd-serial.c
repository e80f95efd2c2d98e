// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the baseline of tools/bench-execq.sh: an executor shaped like Wazuh 4.x's
 * wazuh-execd (src/os_execd/execd.c ExecdRun; ref. wazuh-active-response.md §4.2, §4.7). It
 * binds <home>/queue/alerts/execq (SOCK_DGRAM, 0660, SO_RCVBUF OS_MAXSTR + 512) and for each
 * datagram, one at a time: parses the JSON, finds the command in etc/shared/ar.conf, rewrites
 * it (command "add", origin.module "wazuh-execd", parameters.program appended), forks,
 * setsid()s and execs the program (cwd the home, argv the program alone, stdin and stdout
 * pipes, stderr /dev/null), writes the add line, reads one line back, builds execd's rkey from
 * check_keys, answers continue (abort for an rkey already in the timeout list, searched
 * linearly as execd's OSList is), closes the pipes and waits for the exit.
 * What it leaves out, because a benchmark run is shorter than any timeout: the timeout list
 * is kept but never fired, and SIGTERM ends it without execd's deletes (the benchmark flushes
 * the maps itself). On exit it prints "key=value" counters on stdout.
 *
 * Usage: execd-serial --home DIR
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "log.h"
#include "execq-sock.h"
#include "util.h"

#define OS_MAXSTR 65536
#define MAX_AR 64
#define LINE_MAX_EXECD 8192

struct ar_cmd {
	char name[256];
	char program[512];
	int timeout;
};

struct executor {
	const char *home;
	int fd;
	struct ar_cmd cmds[MAX_AR];
	int ncmds;
	char **rkeys; /* the timeout list: one rkey per live entry */
	size_t nrkeys, caprkeys;
	unsigned long messages, spawned, aborts, errors;
	uint64_t busy_ns;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static int read_ar_conf(struct executor *ex)
{
	char path[4096], line[1024], name[256], exe[256];
	int timeout, err = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/etc/shared/ar.conf", ex->home);
	f = fopen(path, "re");
	if (!f) {
		err = -errno;
		pr_warn("ar.conf '%s': open failed: %s", path, strerror(errno));
		return err;
	}
	while (fgets(line, sizeof(line), f) && ex->ncmds < MAX_AR) {
		if (line[0] == '!' || sscanf(line, "%255s - %255s - %d", name, exe, &timeout) != 3)
			continue;
		snprintf(ex->cmds[ex->ncmds].name, sizeof(ex->cmds[0].name), "%s", name);
		snprintf(ex->cmds[ex->ncmds].program, sizeof(ex->cmds[0].program),
			 "active-response/bin/%s", exe);
		ex->cmds[ex->ncmds].timeout = timeout;
		ex->ncmds++;
	}
	fclose(f);
	if (!ex->ncmds) {
		pr_warn("ar.conf '%s': no command line", path);
		err = -EINVAL;
	}
	return err;
}

static const struct ar_cmd *find_cmd(const struct executor *ex, const char *name)
{
	for (int i = 0; i < ex->ncmds; i++)
		if (!strcmp(ex->cmds[i].name, name))
			return &ex->cmds[i];
	return NULL;
}

static int bind_execq(struct executor *ex)
{
	ex->fd = execq_bind(ex->home, OS_MAXSTR + 512);
	return ex->fd < 0 ? ex->fd : 0;
}

/* execd's rkey: the program's basename, then "-KEY" for each key of a check_keys line. */
static void make_rkey(const char *program, const char *line, char *rkey, size_t len)
{
	const char *base = strrchr(program, '/');
	cJSON *j = cJSON_Parse(line), *keys, *k;
	size_t n;

	snprintf(rkey, len, "%s", base ? base + 1 : program);
	keys = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "parameters"),
						"keys");
	if (cJSON_IsArray(keys) && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "command")) &&
	    !strcmp(cJSON_GetObjectItemCaseSensitive(j, "command")->valuestring, "check_keys")) {
		cJSON_ArrayForEach(k, keys)
		{
			n = strlen(rkey);
			if (cJSON_IsString(k) && n + 1 < len)
				snprintf(rkey + n, len - n, "-%s", k->valuestring);
		}
	}
	cJSON_Delete(j);
}

/* Returns true when rkey was in the timeout list already (execd's abort); adds it otherwise. */
static bool timeout_list_add(struct executor *ex, const char *rkey)
{
	char **grown;

	for (size_t i = 0; i < ex->nrkeys; i++)
		if (!strcmp(ex->rkeys[i], rkey))
			return true;
	if (ex->nrkeys == ex->caprkeys) {
		ex->caprkeys = ex->caprkeys ? ex->caprkeys * 2 : 1024;
		grown = realloc(ex->rkeys, ex->caprkeys * sizeof(*grown));
		if (!grown)
			return false;
		ex->rkeys = grown;
	}
	ex->rkeys[ex->nrkeys] = strdup(rkey);
	if (ex->rkeys[ex->nrkeys])
		ex->nrkeys++;
	return false;
}

static int spawn(const char *program, int *in_fd, int *out_fd, pid_t *pid)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err, devnull;

	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) {
		err = -errno;
		goto fail;
	}
	*pid = fork();
	if (*pid < 0) {
		err = -errno;
		goto fail;
	}
	if (*pid == 0) {
		setsid();
		devnull = open("/dev/null", O_WRONLY);
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 || devnull < 0 ||
		    dup2(devnull, 2) < 0)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		execv(program, (char *const[]){ (char *)program, NULL });
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	*in_fd = in[1];
	*out_fd = out[0];
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	return err;
}

/* One message, as ExecdRun handles it; errors are counted, never fatal. */
static void run_one(struct executor *ex, const char *msg)
{
	char line[LINE_MAX_EXECD], rkey[4096];
	cJSON *j = cJSON_Parse(msg), *cmd, *origin, *params;
	const struct ar_cmd *ac;
	char *out = NULL;
	int in_fd = -1, out_fd = -1, status;
	FILE *rf = NULL;
	pid_t pid = -1;
	bool again;
	int err;

	cmd = cJSON_GetObjectItemCaseSensitive(j, "command");
	origin = cJSON_GetObjectItemCaseSensitive(j, "origin");
	params = cJSON_GetObjectItemCaseSensitive(j, "parameters");
	if (!cJSON_IsString(cmd) || !cJSON_IsObject(params)) {
		pr_warn("execq message: (1316) invalid AR command: '%.80s'", msg);
		ex->errors++;
		goto out;
	}
	ac = find_cmd(ex, cmd->valuestring);
	if (!ac) {
		pr_warn("execq message: (1311) invalid command name '%s'", cmd->valuestring);
		ex->errors++;
		goto out;
	}
	cJSON_SetValuestring(cmd, "add");
	if (cJSON_IsObject(origin))
		cJSON_ReplaceItemInObjectCaseSensitive(origin, "module",
						       cJSON_CreateString("wazuh-execd"));
	cJSON_AddStringToObject(params, "program", ac->program);
	err = spawn(ac->program, &in_fd, &out_fd, &pid);
	if (err) {
		pr_warn("program '%s': (1317) could not launch command: %s", ac->program,
			strerror(-err));
		ex->errors++;
		goto out;
	}
	ex->spawned++;
	out = cJSON_PrintUnformatted(j);
	if (!out || write_all(in_fd, out, strlen(out)) || write_all(in_fd, "\n", 1))
		ex->errors++;
	rf = fdopen(out_fd, "r");
	if (rf && fgets(line, sizeof(line), rf)) {
		make_rkey(ac->program, line, rkey, sizeof(rkey));
		again = ac->timeout && timeout_list_add(ex, rkey);
		ex->aborts += again;
		free(out);
		cJSON_SetValuestring(cmd, again ? "abort" : "continue");
		out = cJSON_PrintUnformatted(j);
		if (!out || write_all(in_fd, out, strlen(out)) || write_all(in_fd, "\n", 1))
			ex->errors++;
	}
	close(in_fd);
	if (rf)
		fclose(rf);
	else
		close(out_fd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
out:
	free(out);
	cJSON_Delete(j);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = { { "home", required_argument, NULL, 'H' },
						  { NULL, 0, NULL, 0 } };
	struct executor ex = { .fd = -1 };
	struct sigaction sa = { .sa_handler = on_signal };
	static char buf[OS_MAXSTR + 1];
	uint64_t t;
	ssize_t n;
	int c, err;

	log_init("execd-serial", LOG_LEVEL_INFO, LOG_TARGET_STDERR);
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c != 'H') {
			fprintf(stderr, "usage: execd-serial --home DIR\n");
			return 2;
		}
		ex.home = optarg;
	}
	if (!ex.home) {
		fprintf(stderr, "usage: execd-serial --home DIR\n");
		return 2;
	}
	if (chdir(ex.home)) {
		pr_warn("home '%s': chdir failed: %s", ex.home, strerror(errno));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	err = read_ar_conf(&ex);
	if (!err)
		err = bind_execq(&ex);
	while (!err && !stop) {
		n = recv(ex.fd, buf, OS_MAXSTR, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			pr_warn("execq: recv failed: %s", strerror(errno));
			err = -errno;
			break;
		}
		buf[n] = '\0'; /* analysisd sends the trailing NUL; a datagram without one is cut */
		t = mono_now_ns();
		ex.messages++;
		run_one(&ex, buf);
		ex.busy_ns += mono_now_ns() - t;
	}
	printf("messages=%lu\nspawned=%lu\naborts=%lu\nerrors=%lu\nbusy_s=%.3f\n", ex.messages,
	       ex.spawned, ex.aborts, ex.errors, (double)ex.busy_ns / 1e9);
	for (size_t i = 0; i < ex.nrkeys; i++)
		free(ex.rkeys[i]);
	free(ex.rkeys);
	if (ex.fd >= 0)
		close(ex.fd);
	return err ? 1 : 0;
}
