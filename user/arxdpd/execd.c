// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains arxdpd's wazuh-execd mode, declared in execd.h: execd's command line and
 * home detection (src/os_execd/main.c, w_homedir), its pid file (CreatePID: wazuh-control's
 * start and status read only that file and the pid in its name) and its com socket
 * (wcom_main, wcom_dispatch, getARConfig, getExecdInternalOptions of Wazuh 4.x).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <cjson/cJSON.h>
#include "config.h"
#include "ctl.h"
#include "daemon.h"
#include "execd.h"
#include "log.h"
#include "runner.h"
#include "settings.h"
#include "util.h"

bool execd_invoked(int argc, char **argv)
{
	const char *base;

	if (argc < 1 || !argv[0])
		return false;
	base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	return !strcmp(base, EXECD_NAME) || (argc > 1 && !strcmp(argv[1], "--execd"));
}

int execd_home_from_exe(const char *exe, char *home, size_t size)
{
	const char *slash = strrchr(exe, '/');
	size_t n;

	if (exe[0] != '/' || !slash || slash == exe)
		return -EINVAL;
	/* The directory is exe[0 .. slash); its last component must be "bin". */
	n = (size_t)(slash - exe);
	if (n < 4 || strncmp(exe + n - 4, "/bin", 4))
		return -EINVAL;
	n -= 4;
	if (!n) /* /bin/wazuh-execd: the home is / */
		return str_copy(home, "/", size);
	if (n >= size)
		return -ENAMETOOLONG;
	memcpy(home, exe, n);
	home[n] = '\0';
	return 0;
}

/* argv[0] made absolute without resolving its last link: wazuh-control runs <home>/bin/NAME. */
static int home_from_argv0(const char *argv0, char *home, size_t size)
{
	char cwd[PATH_MAX], abs[PATH_MAX];

	if (!strchr(argv0, '/'))
		return -EINVAL;
	if (argv0[0] == '/')
		return execd_home_from_exe(argv0, home, size);
	if (!getcwd(cwd, sizeof(cwd)) ||
	    snprintf(abs, sizeof(abs), "%s/%s", cwd, argv0) >= (int)sizeof(abs))
		return -ENAMETOOLONG;
	return execd_home_from_exe(abs, home, size);
}

/*
 * execd's order: realpath(/proc/self/exe), then (when arxdpd is a symbolic link named
 * wazuh-execd, whose real path is arxdpd's own) the path it was started by, then $WAZUH_HOME.
 * --wazuh-home wins over all of them.
 */
static int find_home(struct execd *x, const char *given, const char *exe, const char *argv0,
		     FILE *err)
{
	const char *env = getenv("WAZUH_HOME");

	if (given)
		return str_copy(x->home, given, sizeof(x->home));
	if (exe && !execd_home_from_exe(exe, x->home, sizeof(x->home)))
		return 0;
	if (argv0 && !home_from_argv0(argv0, x->home, sizeof(x->home)))
		return 0;
	if (env && env[0] == '/')
		return str_copy(x->home, env, sizeof(x->home));
	fprintf(err,
		"%s: Wazuh home: '%s' is not in a bin directory of a Wazuh home "
		"(<home>/bin/%s): install it there, or give --wazuh-home DIR\n",
		EXECD_NAME,
		exe   ? exe :
		argv0 ? argv0 :
			"?",
		EXECD_NAME);
	return -EINVAL;
}

static void help(FILE *f)
{
	fprintf(f,
		"\narxdpd %s - XDP active response, standing in for %s\n\n"
		"  %s: -[Vhdtf] [-g group] [-c config]\n"
		"    -V          Version and license message\n"
		"    -h          This help message\n"
		"    -d          Execute in debug mode. This parameter\n"
		"                can be specified multiple times\n"
		"                to increase the debug level.\n"
		"    -t          Test configuration\n"
		"    -f          Run in foreground\n"
		"    -g <group>  Group to run as (default: %s)\n"
		"    -c <config> Configuration file to use (default: %s)\n"
		"    --wazuh-home <dir>   Wazuh home (default: found from the program's path)\n"
		"    --unblock-on-exit    delete every response on stop, as execd does\n"
		"  arxdp.conf ($%s or %s) sets pins, state, socket and interfaces.\n\n",
		ARXDP_VERSION, EXECD_NAME, EXECD_NAME, EXECD_GROUP_DEFAULT, EXECD_CONF_REL,
		ARXDP_CONF_ENV, ARXDP_CONF_DEFAULT);
}

enum { OPT_EXECD = 256, OPT_HOME, OPT_UNBLOCK };

static int add_flag(struct settings_flags *f, const char *flag, const char *v)
{
	const struct settings_opt *o = settings_find_flag(flag);

	return o ? settings_flags_add(f, o, v) : -ENOENT;
}

int execd_parse_args(struct daemon_opts *o, struct settings_flags *f, struct execd *x, int argc,
		     char **argv, const char *exe_path, FILE *out, FILE *err, int *exit_code)
{
	static const struct option lo[] = {
		{ "execd", no_argument, NULL, OPT_EXECD },
		{ "wazuh-home", required_argument, NULL, OPT_HOME },
		{ "unblock-on-exit", no_argument, NULL, OPT_UNBLOCK },
		{},
	};
	const char *cfg = EXECD_CONF_REL, *given_home = NULL;
	bool unblock = false;
	struct group *g;
	int c;

	*exit_code = 1;
	x->on = true;
	x->comfd = -1;
	x->group = EXECD_GROUP_DEFAULT;
	optind = 1;
	opterr = 0;
	/* execd's own option string: the same letters take the same arguments. */
	while ((c = getopt_long(argc, argv, "Vtdhfg:c:", lo, NULL)) != -1) {
		switch (c) {
		case 'V':
			fprintf(out, "arxdpd %s, standing in for %s (Wazuh 4.x command line)\n",
				ARXDP_VERSION, EXECD_NAME);
			*exit_code = 0;
			return 0;
		case 'h':
			/* execd's help_execd() exits 1. */
			help(out);
			return 0;
		case 'd':
			o->verbose++;
			break;
		case 'f':
			o->foreground = true;
			break;
		case 't':
			o->check_only = true;
			break;
		case 'g':
			x->group = optarg;
			break;
		case 'c':
			cfg = optarg;
			break;
		case OPT_EXECD:
			break;
		case OPT_HOME:
			given_home = optarg;
			break;
		case OPT_UNBLOCK:
			unblock = true;
			break;
		default:
			fprintf(err, "%s: unknown option or missing argument '%s'\n", EXECD_NAME,
				argv[optind - 1]);
			help(err);
			return -EINVAL;
		}
	}
	if (optind != argc) {
		fprintf(err, "%s: unexpected argument '%s'\n", EXECD_NAME, argv[optind]);
		return -EINVAL;
	}
	if (given_home && given_home[0] != '/') {
		fprintf(err, "%s: --wazuh-home '%s': write an absolute path\n", EXECD_NAME,
			given_home);
		return -EINVAL;
	}
	if (find_home(x, given_home, exe_path, argv[0], err))
		return -EINVAL;
	/* execd chdir()s to its home first: a relative -c is read from there. */
	if ((cfg[0] == '/' ? str_copy(x->ossec_conf, cfg, sizeof(x->ossec_conf)) :
			     snprintf(x->ossec_conf, sizeof(x->ossec_conf), "%s/%s",
				      strcmp(x->home, "/") ? x->home : "",
				      cfg) >= (int)sizeof(x->ossec_conf))) {
		fprintf(err, "%s: -c '%s': path too long\n", EXECD_NAME, cfg);
		return -EINVAL;
	}
	/* Privsep_GetGroup: an unknown group stops execd before it reads its configuration. */
	errno = 0;
	g = getgrnam(x->group);
	if (!g) {
		fprintf(err, "%s: group '%s': %s: give an existing one with -g\n", EXECD_NAME,
			x->group, errno ? strerror(errno) : "no such group");
		return -EINVAL;
	}
	x->gid = g->gr_gid;
	/* The responses come from queue/alerts/execq (execq_in.c), as execd's do. */
	if (add_flag(f, "wazuh-home", x->home) || add_flag(f, "ossec-conf", x->ossec_conf) ||
	    add_flag(f, "execq", NULL) || (unblock && add_flag(f, "unblock-on-exit", NULL))) {
		fprintf(err, "%s: too many flags\n", EXECD_NAME);
		return -E2BIG;
	}
	*exit_code = -1;
	return 0;
}

/* ---- directories under the home ---- */

/*
 * Wazuh makes var/run and queue/sockets 0770 root:wazuh: group-writable, so
 * path_trusted_dir() would refuse them. The directories above must pass it; the directory
 * itself must be root's (or ours) and closed to others. Names in it are then only ever
 * created with O_EXCL|O_NOFOLLOW or removed, never followed: the wazuh group cannot steer
 * a write.
 */
static int open_home_dir(const char *home, const char *rel, char *dir, size_t size, char *why,
			 size_t wlen)
{
	char parent[PATH_MAX];
	struct stat st;
	char *slash;
	int fd, err;

	if (snprintf(dir, size, "%s/%s", strcmp(home, "/") ? home : "", rel) >= (int)size)
		return -ENAMETOOLONG;
	str_copy(parent, dir, sizeof(parent));
	slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = '\0';
	err = path_trusted_dir(parent, 0, why, wlen);
	if (err)
		return err;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		snprintf(why, wlen, "directory '%s': %s", dir, strerror(errno));
		return err;
	}
	if (fstat(fd, &st) || (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & S_IWOTH)) {
		snprintf(why, wlen, "directory '%s' must be root's and not writable by others",
			 dir);
		close(fd);
		return -EPERM;
	}
	return fd;
}

int execd_pidfile_create(struct execd *x, const char *home, pid_t pid)
{
	char dir[PATH_MAX], name[64], why[PATH_MAX + 128], line[32];
	int dfd, fd = -1, err = 0, tries;

	x->pid_path[0] = '\0';
	dfd = open_home_dir(home, EXECD_PID_DIR_REL, dir, sizeof(dir), why, sizeof(why));
	if (dfd < 0) {
		pr_warn("pid file: %s", dfd == -ENAMETOOLONG ? "path too long" : why);
		return dfd;
	}
	snprintf(name, sizeof(name), "%s-%d.pid", EXECD_NAME, (int)pid);
	/* The whole path first: a file that could not be removed by name is never made. */
	if (snprintf(x->pid_path, sizeof(x->pid_path), "%s/%s", dir, name) >=
	    (int)sizeof(x->pid_path)) {
		pr_warn("pid file in '%s': path too long", dir);
		err = -ENAMETOOLONG;
		goto out;
	}
	for (tries = 0; tries < 2 && fd < 0; tries++) {
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
		/* Named after our pid: left by a process gone before the pid came to us. */
		if (fd < 0 && errno == EEXIST && !tries && !unlinkat(dfd, name, 0))
			continue;
		if (fd < 0)
			break;
	}
	if (fd < 0) {
		err = -errno;
		pr_warn("pid file '%s/%s': cannot create: %s", dir, name, strerror(errno));
		goto out;
	}
	snprintf(line, sizeof(line), "%d\n", (int)pid);
	/* umask may have taken bits: CreatePID's chmod gives 0640 whatever it is. */
	err = write_all(fd, line, strlen(line));
	if (!err && fchmod(fd, 0640))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (err) {
		pr_warn("pid file '%s/%s': cannot write: %s", dir, name, strerror(-err));
		unlinkat(dfd, name, 0);
		goto out;
	}
out:
	if (err)
		x->pid_path[0] = '\0';
	close(dfd);
	return err;
}

void execd_pidfile_remove(struct execd *x)
{
	if (!x->pid_path[0])
		return;
	if (unlink(x->pid_path) && errno != ENOENT)
		pr_warn("pid file '%s': cannot remove: %s", x->pid_path, strerror(errno));
	x->pid_path[0] = '\0';
}

/* ---- the com socket ---- */

int execd_com_listen(struct execd *x, const char *home)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[PATH_MAX], why[PATH_MAX + 128];
	int dfd, fd = -1, err;
	mode_t old;

	dfd = open_home_dir(home, "queue/sockets", dir, sizeof(dir), why, sizeof(why));
	if (dfd < 0) {
		pr_warn("com socket: %s", dfd == -ENAMETOOLONG ? "path too long" : why);
		return dfd;
	}
	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/com", dir) >= (int)sizeof(sa.sun_path)) {
		pr_warn("com socket '%s/com': path too long for a socket", dir);
		err = -ENAMETOOLONG;
		goto out;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	/* A live execd (Wazuh's own, or another of us) answers there: its socket is not ours
	 * to take. A stream connect to a Unix socket never waits: it is accepted or refused. */
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)) || errno == EAGAIN) {
		/* EAGAIN: a live listener whose backlog is full, no less alive. */
		pr_warn("com socket '%s': another %s answers there: stop it first (one execd per "
			"Wazuh home)",
			sa.sun_path, EXECD_NAME);
		err = -EBUSY;
		close(fd);
		goto out;
	}
	/* Only a name nobody listens on (or none) is stale and ours to replace. */
	if (errno != ECONNREFUSED && errno != ENOENT) {
		err = -errno;
		pr_warn("com socket '%s': cannot tell whether another %s answers there: %s",
			sa.sun_path, EXECD_NAME, strerror(-err));
		close(fd);
		goto out;
	}
	close(fd);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	/* OS_BindUnixDomain removes a stale name; the socket is 0660 from the start. */
	unlinkat(dfd, "com", 0);
	old = umask(0117);
	err = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	umask(old);
	/* The API (group wazuh) connects: the socket is in execd's group. */
	if (!err && fchownat(dfd, "com", (uid_t)-1, x->gid, AT_SYMLINK_NOFOLLOW))
		err = -errno;
	if (!err && listen(fd, 16))
		err = -errno;
	if (err) {
		pr_warn("com socket '%s': cannot listen: %s", sa.sun_path, strerror(-err));
		close(fd);
		goto out;
	}
	str_copy(x->com_path, sa.sun_path, sizeof(x->com_path));
	x->comfd = fd;
out:
	close(dfd);
	return err;
}

void execd_com_close(struct execd *x)
{
	if (x->comfd < 0)
		return;
	close(x->comfd);
	x->comfd = -1;
	if (x->com_path[0])
		unlink(x->com_path);
	x->com_path[0] = '\0';
}

int execd_com_parse(const char *buf, size_t len, const char **payload, size_t *plen)
{
	const unsigned char *h = (const unsigned char *)buf;
	uint32_t n;

	if (len < 4)
		return -EAGAIN;
	/* wnet_order: the length is little-endian on every host. */
	n = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
	if (n > EXECD_COM_MAX)
		return -EMSGSIZE;
	if (!n)
		return -ENODATA;
	if (len < 4 + (size_t)n)
		return -EAGAIN;
	*payload = buf + 4;
	*plen = n;
	return 0;
}

int execd_com_frame(const char *msg, size_t len, char **out, size_t *out_len)
{
	unsigned char *b;

	if (len > UINT32_MAX - 4)
		return -EMSGSIZE;
	b = malloc(len + 4);
	if (!b)
		return -ENOMEM;
	b[0] = (unsigned char)len;
	b[1] = (unsigned char)(len >> 8);
	b[2] = (unsigned char)(len >> 16);
	b[3] = (unsigned char)(len >> 24);
	memcpy(b + 4, msg, len);
	*out = (char *)b;
	*out_len = len + 4;
	return 0;
}

int execd_com_feed(struct ctl_conn *c)
{
	const char *payload;
	size_t plen;
	ssize_t n;
	int r;

	for (;;) {
		r = execd_com_parse(c->buf, c->len, &payload, &plen);
		if (r != -EAGAIN)
			break;
		/* c->buf holds CTL_MSG_MAX bytes: a frame of up to EXECD_COM_MAX - 5 fits. */
		n = ctl_conn_read(c, CTL_MSG_MAX, -EMSGSIZE);
		if (n < 0)
			return (int)n;
	}
	if (r)
		return r;
	if (plen + 4 >= CTL_MSG_MAX)
		return -EMSGSIZE;
	/* The payload moves to the front as the text the dispatcher reads. */
	memmove(c->buf, payload, plen);
	c->buf[plen] = '\0';
	return 0;
}

/* ---- the answers ---- */

static char *ok_json(cJSON *o)
{
	char *txt = o ? cJSON_PrintUnformatted(o) : NULL, *out = NULL;

	if (txt && asprintf(&out, "ok %s", txt) < 0)
		out = NULL;
	free(txt);
	cJSON_Delete(o);
	return out;
}

/* getARConfig(): the switch execd reads and the escalation, in minutes as written. */
static char *ar_config(const struct ossec_config *cfg)
{
	cJSON *root = cJSON_CreateObject(), *ar = cJSON_AddObjectToObject(root, "active-response");
	cJSON *rot;
	int i;

	if (!ar)
		goto fail;
	cJSON_AddStringToObject(ar, "disabled", cfg && cfg->execd_disabled ? "yes" : "no");
	if (cfg && cfg->n_repeated) {
		rot = cJSON_AddArrayToObject(ar, "repeated_offenders");
		for (i = 0; rot && i < cfg->n_repeated; i++)
			cJSON_AddItemToArray(rot, cJSON_CreateNumber(cfg->repeated[i]));
	}
	return ok_json(root);
fail:
	cJSON_Delete(root);
	return NULL;
}

/* getDefine_Int: local_internal_options.conf over internal_options.conf, else the default. */
static long internal_option(const char *home, const char *key, long def)
{
	static const char *const files[] = { "etc/local_internal_options.conf",
					     "etc/internal_options.conf" };
	char path[PATH_MAX], line[512], *v;
	size_t i, klen = strlen(key);
	long val;
	FILE *f;
	int fd;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		if (snprintf(path, sizeof(path), "%s/%s", home, files[i]) >= (int)sizeof(path))
			continue;
		/* In the loop (a com request): never wait on a FIFO, never follow a link. */
		fd = open_regular(path, O_RDONLY, 0, NULL);
		f = fd >= 0 ? fdopen(fd, "re") : NULL;
		if (!f) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		while (fgets(line, sizeof(line), f)) {
			if (strncmp(line, key, klen) || line[klen] != '=')
				continue;
			v = line + klen + 1;
			val = strtol(v, NULL, 10);
			fclose(f);
			return val;
		}
		fclose(f);
	}
	return def;
}

/*
 * getExecdInternalOptions() prints wcom.c's globals: request_timeout is set by no 4.x Unix
 * execd code (0 for ever), max_restart_lock only by a lock_restart request (0 before one).
 */
static char *internal_config(const struct execd *x)
{
	cJSON *root = cJSON_CreateObject(), *in = cJSON_AddObjectToObject(root, "internal");
	cJSON *ex = in ? cJSON_AddObjectToObject(in, "execd") : NULL;

	if (!ex) {
		cJSON_Delete(root);
		return NULL;
	}
	cJSON_AddNumberToObject(ex, "request_timeout", 0);
	cJSON_AddNumberToObject(ex, "max_restart_lock", x->max_restart_lock);
	return ok_json(root);
}

/* getDefine_Int("execd", "max_restart_lock", 0, 3600), which stops execd on a bad value. */
static int max_restart_lock(const char *home)
{
	long v = internal_option(home, "execd.max_restart_lock", EXECD_MAX_RESTART_LOCK_DEFAULT);

	if (v < 0 || v > EXECD_MAX_RESTART_LOCK_MAX) {
		pr_warn("internal options: execd.max_restart_lock '%ld': not in 0..%d: %d used", v,
			EXECD_MAX_RESTART_LOCK_MAX, EXECD_MAX_RESTART_LOCK_DEFAULT);
		v = EXECD_MAX_RESTART_LOCK_DEFAULT;
	}
	return (int)v;
}

/*
 * wcom_dispatch's lock_restart (the upgrade module's "com lock_restart -1" on an agent):
 * restart requests are refused for the given seconds, -1 or more than the maximum meaning
 * the maximum. Below -1 is "err Invalid timeout", and even then the lock is set to that
 * time (in the past: whatever lock there was is lifted), as lock_restart() is called anyway.
 */
static char *lock_restart(struct daemon *d, const char *args)
{
	struct execd *x = &d->execd;
	int timeout = args ? atoi(args) : -2;
	char *out;

	x->max_restart_lock = max_restart_lock(d->s.wazuh_home);
	if (timeout < -1) {
		out = strdup("err Invalid timeout");
	} else {
		out = strdup("ok ");
		if (timeout == -1 || timeout > x->max_restart_lock) {
			if (timeout > x->max_restart_lock)
				pr_warn("Timeout exceeds the maximum allowed.");
			timeout = x->max_restart_lock;
		}
	}
	x->restart_locked_until = (int64_t)(mono_now_ns() / NSEC_PER_SEC) + timeout;
	return out;
}

/*
 * wcom_restart(): active-response/bin/restart.sh <manager|agent> when it exists, else
 * bin/wazuh-control restart, forked and left running; "ok " also while locked (logged).
 */
static char *restart(struct daemon *d)
{
	int64_t lock = d->execd.restart_locked_until - (int64_t)(mono_now_ns() / NSEC_PER_SEC);
	const char *prog = "active-response/bin/restart.sh", *arg;
	char path[PATH_MAX];
	pid_t pid = 0;
	int err;

	if (lock > 0) {
		pr_info("Agent auto-restart locked for %d seconds.", (int)lock);
		return strdup("ok ");
	}
	arg = strcmp(d->s.agent_id, "000") ? "agent" : "manager";
	if (snprintf(path, sizeof(path), "%s/%s", d->s.wazuh_home, prog) >= (int)sizeof(path) ||
	    access(path, F_OK)) {
		prog = "bin/wazuh-control";
		arg = "restart";
	}
	err = d->runner ? runner_spawn(d->runner, prog, arg, &pid) : -ECHILD;
	if (err) {
		pr_warn("com: restart: cannot start '%s %s': %s", prog, arg, strerror(-err));
		return strdup("err Cannot fork");
	}
	pr_info("com: restart: started '%s %s' (pid %d)", prog, arg, (int)pid);
	return strdup("ok ");
}

/*
 * wcom_getconfig's "cluster": without a clusterd answering on its socket (cluster off, or an
 * agent), execd's own refusal. clusterd's configuration is not relayed: with it running, the
 * answer is execd's for a failed getClusterConfig().
 */
static char *cluster_config(const char *home)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	bool up = false;
	int fd;

	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", strcmp(home, "/") ? home : "",
		     EXECD_CLUSTER_REL) < (int)sizeof(sa.sun_path)) {
		/* A stream connect to a Unix socket never waits: accepted or refused. */
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		up = fd >= 0 &&
		     (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)) || errno == EAGAIN);
		if (fd >= 0)
			close(fd);
	}
	if (!up)
		return strdup("err Unable to connect with socket. The component might be disabled");
	pr_debug("com: getconfig cluster: clusterd's configuration is not relayed");
	return strdup("err Could not get requested section");
}

/* Both files as the daemon would read them now: 0, or the message naming file and line. */
static int check_files(struct daemon *d, char *err, size_t len)
{
	struct arxdp_settings *s = malloc(sizeof(*s));
	const char *path = settings_path(d->o.config);
	struct ossec_config *cfg = NULL;
	int r = 0;

	if (!s)
		return -ENOMEM;
	if (settings_defaults(s)) {
		snprintf(
			err, len,
			"environment 'ARXDP_PIN_DIR' or 'ARXDP_SOCKET': value is too long: at most "
			"%d characters",
			ARXDP_PATH_LEN - 1);
		r = -ENAMETOOLONG;
	}
	if (path && !r)
		r = settings_load(s, path, err, len);
	r = r ?: settings_apply_flags(s, &d->flags, err, len);
	r = r ?: config_load_ossec(&cfg, s->ossec_conf, err, len);
	if (r && !err[0] &&
	    snprintf(err, len, "ossec.conf '%s': %s", s->ossec_conf, strerror(-r)) >= (int)len)
		err[len - 1] = '\0';
	config_free_ossec(cfg);
	free(s);
	return r;
}

/*
 * wcom_check_manager_config() runs every daemon with -t and answers JSON without "ok ":
 * {"error":0,"message":"ok"}, or error non-zero with what they printed. Here the files this
 * daemon reads are checked in place (no child, the loop never waits); the other Wazuh daemons
 * are not run.
 */
static char *check_manager(struct daemon *d)
{
	char msg[CONFIG_ERR_MAX > SETTINGS_ERR_MAX ? CONFIG_ERR_MAX : SETTINGS_ERR_MAX] = "";
	cJSON *o = cJSON_CreateObject();
	char *out;
	int r = check_files(d, msg, sizeof(msg));

	cJSON_AddNumberToObject(o, "error", r ? 1 : 0);
	cJSON_AddStringToObject(o, "message", r ? msg : "ok");
	out = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return out;
}

char *execd_com_answer(struct daemon *d, const char *req)
{
	const char *args = strchr(req, ' ');
	size_t clen = args ? (size_t)(args - req) : strlen(req);

	if (args)
		args++;
	if (clen == 9 && !strncmp(req, "getconfig", 9)) {
		if (!args)
			return strdup("err WCOM getconfig needs arguments");
		if (!strcmp(args, "active-response"))
			return ar_config(d->r.cfg);
		if (!strcmp(args, "internal"))
			return internal_config(&d->execd);
		if (!strcmp(args, "cluster"))
			return cluster_config(d->s.wazuh_home);
		pr_debug("com: getconfig '%s': not a section arxdpd answers", args);
		return strdup("err Could not get requested section");
	}
	if (clen == 27 && !strncmp(req, "check-manager-configuration", 27))
		return check_manager(d);
	if (clen == 12 && !strncmp(req, "lock_restart", 12))
		return lock_restart(d, args);
	if ((clen == 7 && !strncmp(req, "restart", 7)) ||
	    (clen == 13 && !strncmp(req, "restart-wazuh", 13)))
		return restart(d);
	pr_debug("com: unrecognized command '%.*s'", (int)clen, req);
	return strdup("err Unrecognized command");
}

/* ---- the daemon's side ---- */

int execd_open(struct daemon *d)
{
	static const struct src com_src = { 0, SRC_COM };
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = (void *)&com_src };
	int err = execd_com_listen(&d->execd, d->s.wazuh_home);

	if (err)
		return err;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->execd.comfd, &ev))
		return -errno;
	pr_info("com socket: serving '%s' (group %s)", d->execd.com_path, d->execd.group);
	/* main()'s STARTUP_MSG, once the com thread runs (also with active response off). */
	pr_info("Started (pid: %d).", (int)getpid());
	return 0;
}

void execd_close(struct daemon *d)
{
	execd_com_close(&d->execd);
	execd_pidfile_remove(&d->execd);
}
