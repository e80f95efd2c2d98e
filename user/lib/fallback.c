// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the iptables/ip6tables/nftables fallback and the stock lock (see
 * fallback.h). Unlike the stock program it checks every exit status: a rule that did not go
 * in is reported, never assumed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "fallback.h"
#include "log.h"
#include "util.h"

/* execd normally hands its PATH down; this is what a systemd service gets when it does not. */
#define FB_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define FB_PATH_DIRS_MAX 64
#define FB_SPAWN_TRIES 5
/* Stock lock(): give up (and go for the holder) once the wait counter reaches this. */
#define FB_LOCK_MAX_ITER 50

int fb_find_binary(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH"), *p, *end;
	struct stat st;
	int n, dirs = 0;

	if (!path || !*path)
		path = FB_DEFAULT_PATH;
	for (p = path; *p && dirs < FB_PATH_DIRS_MAX; p = *end ? end + 1 : end, dirs++) {
		end = strchrnul(p, ':');
		/* An empty entry means the cwd; a root program never searches there. */
		if (end == p || *p != '/')
			continue;
		n = snprintf(out, len, "%.*s/%s", (int)(end - p), p, name);
		if (n < 0 || (size_t)n >= len)
			continue;
		if (!stat(out, &st) && S_ISREG(st.st_mode) && !access(out, X_OK))
			return 0;
	}
	if (len)
		out[0] = '\0';
	return -ENOENT;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void child_exec(char *const argv[], int in_fd, int err_fd)
{
	int null = open("/dev/null", O_RDWR);

	if (null < 0 || dup2(in_fd >= 0 ? in_fd : null, 0) < 0 || dup2(null, 1) < 0 ||
	    dup2(err_fd, 2) < 0)
		_exit(127);
	/* Nothing of ours (maps, locks, logs) may leak into the firewall tool. */
	syscall(SYS_close_range, 3U, ~0U, 0U);
	execv(argv[0], argv);
	dprintf(2, "cannot execute '%s': %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int spawn(char *const argv[], int in_fd, int err_fd, pid_t *pid)
{
	int i;

	/* Wazuh retries only a failed spawn, sleeping 1, 2, 3, 4 s between five tries. */
	for (i = 0; i < FB_SPAWN_TRIES; i++) {
		*pid = fork();
		if (*pid == 0)
			child_exec(argv, in_fd, err_fd);
		if (*pid > 0)
			return 0;
		if (i + 1 < FB_SPAWN_TRIES)
			sleep(i + 1);
	}
	return -errno;
}

static void keep_first_line(char *buf, size_t len)
{
	char *nl;

	if (!len)
		return;
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
}

/* Reads the child's stderr until EOF or the deadline; true when EOF came in time. */
static bool drain(int fd, int64_t deadline, char *errbuf, size_t errlen)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t used = 0;
	char junk[512];
	ssize_t n;
	int left;

	for (;;) {
		left = (int)(deadline - now_ms());
		if (left <= 0)
			return false;
		if (poll(&pfd, 1, left) < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		if (!pfd.revents)
			continue;
		if (errlen && used + 1 < errlen)
			n = read(fd, errbuf + used, errlen - 1 - used);
		else
			n = read(fd, junk, sizeof(junk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return true;
		if (errlen && used + 1 < errlen) {
			used += n;
			errbuf[used] = '\0';
		}
	}
}

int fb_run(char *const argv[], const char *input, int timeout_ms, int *status, char *errbuf,
	   size_t errlen)
{
	int in_pipe[2] = { -1, -1 }, err_pipe[2] = { -1, -1 }, err = 0, ws;
	bool done;
	pid_t pid;

	if (errlen)
		errbuf[0] = '\0';
	*status = -1;
	if (pipe2(err_pipe, O_CLOEXEC) || (input && pipe2(in_pipe, O_CLOEXEC))) {
		err = -errno;
		goto out;
	}
	err = spawn(argv, in_pipe[0], err_pipe[1], &pid);
	if (err)
		goto out;
	close(err_pipe[1]);
	err_pipe[1] = -1;
	if (input) {
		/* A few hundred bytes: the pipe takes them whole, so no writer/reader deadlock. */
		size_t len = strlen(input), off = 0;
		ssize_t n;

		close(in_pipe[0]);
		in_pipe[0] = -1;
		signal(SIGPIPE, SIG_IGN);
		while (off < len) {
			n = write(in_pipe[1], input + off, len - off);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			off += n;
		}
		close(in_pipe[1]);
		in_pipe[1] = -1;
	}
	done = drain(err_pipe[0], now_ms() + timeout_ms, errbuf, errlen);
	if (!done)
		kill(pid, SIGKILL);
	while (waitpid(pid, &ws, 0) < 0) {
		if (errno != EINTR) {
			err = -errno;
			goto out;
		}
	}
	if (WIFEXITED(ws))
		*status = WEXITSTATUS(ws);
	else
		*status = 128 + WTERMSIG(ws);
	if (!done) {
		snprintf(errbuf, errlen, "killed after %d ms", timeout_ms);
		err = -ETIMEDOUT;
	}
	keep_first_line(errbuf, errlen);
out:
	for (int i = 0; i < 2; i++) {
		if (in_pipe[i] >= 0)
			close(in_pipe[i]);
		if (err_pipe[i] >= 0)
			close(err_pipe[i]);
	}
	return err;
}

static int read_pid(const char *dir, pid_t *pid)
{
	char path[PATH_MAX];
	int n, got;
	FILE *f;

	n = snprintf(path, sizeof(path), "%s/pid", dir);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	got = fscanf(f, "%d", pid);
	fclose(f);
	return got == 1 && *pid > 0 ? 0 : -EINVAL;
}

static int write_pid(const char *dir)
{
	char path[PATH_MAX];
	int n, err = 0;
	FILE *f;

	n = snprintf(path, sizeof(path), "%s/pid", dir);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "we");
	if (!f)
		return -errno;
	if (fprintf(f, "%d", (int)getpid()) < 0)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

/* Does pid still run a program called proc_name (what `pgrep -f` would have found)? */
static bool runs_as(pid_t pid, const char *proc_name)
{
	char path[64], cmd[4096];
	ssize_t n, i;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, cmd, sizeof(cmd) - 1);
	close(fd);
	if (n <= 0)
		return false;
	for (i = 0; i < n; i++)
		if (!cmd[i])
			cmd[i] = ' ';
	cmd[n] = '\0';
	return strstr(cmd, proc_name) != NULL;
}

void fb_unlock(const char *dir)
{
	char path[PATH_MAX];
	int n;

	n = snprintf(path, sizeof(path), "%s/pid", dir);
	if (n > 0 && (size_t)n < sizeof(path))
		unlink(path);
	if (rmdir(dir) && errno != ENOENT)
		pr_warn("lock '%s': cannot remove: %s", dir, strerror(errno));
}

int fb_lock(const char *dir, const char *proc_name)
{
	pid_t holder, saved = -1;
	int i = 0, err;

	for (;;) {
		/* S_IRWXG as the stock program: the wazuh group may inspect it, nobody else. */
		if (!mkdir(dir, S_IRWXG)) {
			err = write_pid(dir);
			if (err) {
				pr_warn("lock '%s': cannot write pid file: %s", dir,
					strerror(-err));
				fb_unlock(dir);
			}
			return err;
		}
		if (errno != EEXIST) {
			err = -errno;
			pr_warn("lock '%s': cannot create: %s", dir, strerror(-err));
			return err;
		}
		holder = -1;
		if (!read_pid(dir, &holder)) {
			if (kill(holder, 0) && errno == ESRCH) {
				/* The holder died (kill -9, reboot): no need to wait 625 s for it. */
				pr_info("lock '%s': removing the stale lock of process %d", dir,
					(int)holder);
				fb_unlock(dir);
				continue;
			}
			if (saved == -1)
				saved = holder;
			if (holder == saved)
				i++;
		}
		sleep(i);
		i++;
		if (i < FB_LOCK_MAX_ITER)
			continue;
		if (holder > 0 && runs_as(holder, proc_name) && !kill(holder, SIGKILL)) {
			pr_warn("Killed process %d holding lock.", (int)holder);
			fb_unlock(dir);
			i = 0;
			saved = -1;
			continue;
		}
		pr_warn("Unable to kill process %d holding lock.", (int)holder);
		fb_unlock(dir);
		if (!mkdir(dir, S_IRWXG))
			return write_pid(dir);
		return -EBUSY;
	}
}

/*
 * 0 when the command exited 0; -ENOENT, unsaid, for exit status absent (a check's "not there";
 * 0 for none); else -EIO or why it could not run, logged with its stderr.
 */
static int run_logged(char *const argv[], const char *input, int absent)
{
	char errbuf[256];
	int err, status;

	err = fb_run(argv, input, FB_CMD_TIMEOUT_MS, &status, errbuf, sizeof(errbuf));
	if (err) {
		pr_warn("command '%s': cannot run: %s%s%s", argv[0], strerror(-err),
			errbuf[0] ? ": " : "", errbuf);
		return err;
	}
	if (absent && status == absent)
		return -ENOENT;
	if (status) {
		pr_warn("command '%s': exited with status %d%s%s", argv[0], status,
			errbuf[0] ? ": " : "", errbuf);
		return -EIO;
	}
	return 0;
}

/* The stock program's two rules, INPUT then FORWARD, with op ("-I", "-D" or "-C"). */
static void ipt_plan(struct fb_plan *p, const char *bin, const char *op)
{
	static const char *const chains[] = { "INPUT", "FORWARD" };
	size_t i;

	/* As the stock program: no table, no comment. -w waits for the xtables lock instead of
	 * failing silently when another tool holds it. */
	for (i = 0; i < ARRAY_SIZE(chains); i++) {
		char *argv[] = { (char *)bin, "-w",  "5",  (char *)op, (char *)chains[i],
				 "-s",	      p->ip, "-j", "DROP",     NULL };

		memcpy(p->cmd[i].argv, argv, sizeof(argv));
	}
	p->n = ARRAY_SIZE(chains);
}

int fb_plan_build(struct fb_plan *p, bool nft, const char *bin, bool add,
		  const struct arxdp_addr *a, uint32_t timeout_s)
{
	const char *set = a->family == 4 ? FB_NFT_SET4 : FB_NFT_SET6;
	char tmo[32] = "";
	int n;

	memset(p, 0, sizeof(*p));
	if (!addr_is_exact(a))
		return -EINVAL;
	addr_format(a, p->ip, sizeof(p->ip));
	if (!nft) {
		/* -I: the top of the chain, as the stock program inserts. */
		ipt_plan(p, bin, add ? "-I" : "-D");
		return 0;
	}
	if (add && timeout_s)
		snprintf(tmo, sizeof(tmo), " timeout %us", timeout_s);
	/* One transaction: creating what is missing and re-adding the rules after a flush keeps
	 * it idempotent while the sets (the blocks) survive. */
	if (add)
		n = snprintf(
			p->script, sizeof(p->script),
			"add table inet " FB_NFT_TABLE "\n"
			"add set inet " FB_NFT_TABLE " " FB_NFT_SET4
			" { type ipv4_addr; flags timeout; }\n"
			"add set inet " FB_NFT_TABLE " " FB_NFT_SET6
			" { type ipv6_addr; flags timeout; }\n"
			"add chain inet " FB_NFT_TABLE
			" input { type filter hook input priority -1; policy accept; }\n"
			"add chain inet " FB_NFT_TABLE
			" forward { type filter hook forward priority -1; policy accept; }\n"
			"flush chain inet " FB_NFT_TABLE " input\n"
			"flush chain inet " FB_NFT_TABLE " forward\n"
			"add rule inet " FB_NFT_TABLE " input ip saddr @" FB_NFT_SET4 " drop\n"
			"add rule inet " FB_NFT_TABLE " input ip6 saddr @" FB_NFT_SET6 " drop\n"
			"add rule inet " FB_NFT_TABLE " forward ip saddr @" FB_NFT_SET4 " drop\n"
			"add rule inet " FB_NFT_TABLE " forward ip6 saddr @" FB_NFT_SET6 " drop\n"
			"add element inet " FB_NFT_TABLE " %s { %s%s }\n",
			set, p->ip, tmo);
	else
		n = snprintf(p->script, sizeof(p->script),
			     "delete element inet " FB_NFT_TABLE " %s { %s }\n", set, p->ip);
	if (n < 0 || (size_t)n >= sizeof(p->script))
		return -ENAMETOOLONG;
	p->cmd[0].argv[0] = (char *)bin;
	p->cmd[0].argv[1] = "-f";
	p->cmd[0].argv[2] = "-";
	p->cmd[0].input = p->script;
	p->n = 1;
	return 0;
}

/* Every command of the plan runs, even after one failed (the stock program's two rules). */
static int run_plan(bool nft, const char *bin, bool add, const struct arxdp_addr *a,
		    uint32_t timeout_s)
{
	struct fb_plan p;
	int err, e;
	size_t i;

	err = fb_plan_build(&p, nft, bin, add, a, timeout_s);
	if (err)
		return err;
	for (i = 0; i < p.n; i++) {
		e = run_logged(p.cmd[i].argv, p.cmd[i].input, 0);
		err = err ?: e;
	}
	return err;
}

int fb_check_build(struct fb_plan *p, bool nft, const char *bin, const struct arxdp_addr *a)
{
	const char *set = a->family == 4 ? FB_NFT_SET4 : FB_NFT_SET6;

	memset(p, 0, sizeof(*p));
	if (!addr_is_exact(a))
		return -EINVAL;
	addr_format(a, p->ip, sizeof(p->ip));
	if (!nft) {
		ipt_plan(p, bin, "-C");
	} else {
		/* nft joins its arguments with spaces: "get element inet T S { IP }". */
		char *argv[] = { (char *)bin, "get", "element", "inet", FB_NFT_TABLE,
				 (char *)set, "{",   p->ip,	"}",	NULL };

		memcpy(p->cmd[0].argv, argv, sizeof(argv));
		p->n = 1;
	}
	return 0;
}

/*
 * The tool fb_apply uses for a's family under mode: iptables or ip6tables, else (or in
 * nftables mode) nft. -ENOENT when none is in PATH; quiet leaves that unsaid.
 */
static int pick_tool(enum arxdp_fallback mode, const struct arxdp_addr *a, bool quiet, char *bin,
		     size_t len, bool *nft, const char **used)
{
	const char *ipt = a->family == 4 ? "iptables" : "ip6tables";
	char ip[ADDR_STRLEN];

	*nft = false;
	if (mode == ARXDP_FALLBACK_IPTABLES) {
		if (!fb_find_binary(ipt, bin, len)) {
			*used = ipt;
			return 0;
		}
		if (!quiet)
			pr_info("The iptables file '%s' is not accessible: %s (%d)", ipt,
				strerror(ENOENT), ENOENT);
	}
	if (!fb_find_binary("nft", bin, len)) {
		*nft = true;
		*used = "nft";
		return 0;
	}
	if (quiet)
		return -ENOENT;
	addr_format(a, ip, sizeof(ip));
	if (mode == ARXDP_FALLBACK_IPTABLES)
		pr_warn("fallback '%s': no firewall tool: neither %s nor nft is in PATH", ip, ipt);
	else
		pr_warn("fallback '%s': no firewall tool: nft is not in PATH", ip);
	return -ENOENT;
}

int fb_apply(enum arxdp_fallback mode, bool add, const struct arxdp_addr *a, uint32_t timeout_s,
	     const char **used)
{
	char bin[PATH_MAX];
	bool nft;
	int err;

	*used = NULL;
	if (mode == ARXDP_FALLBACK_FAIL)
		return -EPERM;
	if (!addr_is_exact(a))
		return -EINVAL;
	err = pick_tool(mode, a, false, bin, sizeof(bin), &nft, used);
	if (err)
		return err;
	return run_plan(nft, bin, add, a, timeout_s);
}

int fb_remove_left(enum arxdp_fallback mode, const struct arxdp_addr *a, unsigned int *found,
		   const char **used)
{
	struct fb_plan chk, del;
	char bin[PATH_MAX];
	int err, e;
	size_t i;
	bool nft;

	*found = 0;
	*used = NULL;
	if (mode == ARXDP_FALLBACK_FAIL)
		return -EPERM;
	/* No tool, no block it made: nothing to say at every delete on such a host. */
	if (pick_tool(mode, a, true, bin, sizeof(bin), &nft, used))
		return 0;
	err = fb_check_build(&chk, nft, bin, a);
	if (!err)
		err = fb_plan_build(&del, nft, bin, false, a, 0);
	if (err)
		return err;
	/* Check i and delete i are the same rule (INPUT, FORWARD) or the same element. Only what
	 * is there is deleted: a delete of what is not there would log the tool's error. Status 1
	 * is "not there" for both tools (iptables' "Bad rule"; nft's missing element, set or
	 * table, and as root nothing else of this fixed command). */
	for (i = 0; i < chk.n && i < del.n; i++) {
		e = run_logged(chk.cmd[i].argv, NULL, 1);
		if (e == -ENOENT)
			continue;
		if (!e) {
			(*found)++;
			e = run_logged(del.cmd[i].argv, del.cmd[i].input, 0);
		}
		err = err ?: e;
	}
	return err;
}

int fb_mark_used(void)
{
	int fd = open(FB_USED_MARK, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

bool fb_was_used(void)
{
	struct stat st;

	return !lstat(FB_USED_MARK, &st) && S_ISREG(st.st_mode);
}
