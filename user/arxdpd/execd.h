/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares arxdpd's wazuh-execd mode: started as `wazuh-execd` (argv[0]) or as
 * `arxdpd --execd`, it takes execd's command line, finds the Wazuh home as execd does, writes
 * execd's pid file and answers execd's com socket, so wazuh-control and the API see execd.
 */
#ifndef ARXDPD_EXECD_H
#define ARXDPD_EXECD_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct daemon;
struct daemon_opts;
struct settings_flags;
struct ctl_conn;

#define EXECD_NAME "wazuh-execd"
#define EXECD_GROUP_DEFAULT "wazuh" /* GROUPGLOBAL */
#define EXECD_CONF_REL "etc/ossec.conf" /* OSSECCONF, relative to the home */
#define EXECD_COM_REL "queue/sockets/com" /* COM_LOCAL_SOCK */
#define EXECD_PID_DIR_REL "var/run"
#define EXECD_CLUSTER_REL "queue/cluster/c-internal.sock" /* CLUSTER_SOCK */
/* OS_MAXSTR: the largest request execd's wcom_main reads. */
#define EXECD_COM_MAX 65536
#define EXECD_COM_CLIENTS 4
/* internal_options.conf's execd.max_restart_lock, and getDefine_Int's bounds for it. */
#define EXECD_MAX_RESTART_LOCK_DEFAULT 600
#define EXECD_MAX_RESTART_LOCK_MAX 3600

struct execd {
	bool on; /* started as wazuh-execd or with --execd */
	const char *group; /* -g, EXECD_GROUP_DEFAULT when not given */
	gid_t gid; /* the group's: the com socket's group */
	char home[PATH_MAX]; /* as found (or --wazuh-home); the settings carry it on */
	char ossec_conf[PATH_MAX]; /* -c, relative to the home as execd reads it */
	char pid_path[PATH_MAX]; /* empty: none written (yet) */
	char com_path[PATH_MAX]; /* empty: not bound */
	int comfd;
	/* wcom.c's max_restart_lock: 0 until a lock_restart reads it, as getconfig shows it */
	int max_restart_lock;
	/* wcom.c's pending_upg: restart refused before it (CLOCK_MONOTONIC s: a step of the
	 * wall clock neither ends an upgrade's lock early nor stretches it) */
	int64_t restart_locked_until;
};

/* Is this an execd start: argv[0]'s basename is wazuh-execd, or argv[1] is --execd? */
bool execd_invoked(int argc, char **argv);

/*
 * The Wazuh home from the program's path, as execd cuts realpath(/proc/self/exe) at "/bin":
 * the directory holding the program must be named bin, and the home is the one above it
 * ("/var/ossec/bin/wazuh-execd" -> "/var/ossec"). -EINVAL when exe is not absolute or its
 * directory is not a bin; -ENAMETOOLONG when home cannot hold it.
 */
int execd_home_from_exe(const char *exe, char *home, size_t size);

/*
 * execd's command line ("Vtdhfg:c:", plus --execd, --wazuh-home DIR, --unblock-on-exit) into
 * o, the settings flags f (the home, ossec.conf) and x. Returns 0 with *exit_code -1 to run,
 * or 0 with *exit_code >= 0 when the program should exit now (-h, -V printed to out: stderr,
 * as execd's print_out() prints them); a bad command line or home is -EINVAL with the
 * message on err (stderr), *exit_code 1. exe_path is what /proc/self/exe resolves to (NULL:
 * unknown), tried before argv[0].
 */
int execd_parse_args(struct daemon_opts *o, struct settings_flags *f, struct execd *x, int argc,
		     char **argv, const char *exe_path, FILE *out, FILE *err, int *exit_code);

/*
 * <home>/var/run/wazuh-execd-<pid>.pid, "<pid>\n", 0640, as CreatePID writes it; created
 * O_EXCL|O_NOFOLLOW in a directory owned by root (or us) that others cannot write. A file
 * already named after this pid is stale (its process is gone: the pid is ours now) and is
 * replaced; files of other pids are never touched.
 */
int execd_pidfile_create(struct execd *x, const char *home, pid_t pid);
void execd_pidfile_remove(struct execd *x);

/* Binds <home>/queue/sockets/com (stream, 0660, group x->gid), non-blocking, listening. */
int execd_com_listen(struct execd *x, const char *home);
void execd_com_close(struct execd *x);

/*
 * The com socket's framing (OS_SendSecureTCP / OS_RecvSecureTCP): a 4-byte little-endian
 * length, then that many bytes. execd_com_parse: 0 and the payload when buf holds a whole
 * frame, -EAGAIN when more must come, -EMSGSIZE past EXECD_COM_MAX, -ENODATA for an empty one.
 */
int execd_com_parse(const char *buf, size_t len, const char **payload, size_t *plen);
/* msg framed into a new buffer (*out, *out_len); -ENOMEM. */
int execd_com_frame(const char *msg, size_t len, char **out, size_t *out_len);
/* Reads a com client's request into c->buf; ctl_conn_feed's returns; the payload NUL-ended. */
int execd_com_feed(struct ctl_conn *c);
/*
 * The answer (malloc'd text, not framed) to one request, shaped as wcom_dispatch's:
 * "getconfig active-response", "getconfig internal", "check-manager-configuration",
 * "lock_restart [N]", "restart" and "restart-wazuh" (restart.sh started through d->runner
 * unless locked); "err ..." otherwise. NULL only without memory.
 */
char *execd_com_answer(struct daemon *d, const char *req);

/* The daemon's side: the com socket watched by the loop (SRC_COM); both undone on exit. */
int execd_open(struct daemon *d);
void execd_close(struct daemon *d);

#endif /* ARXDPD_EXECD_H */
