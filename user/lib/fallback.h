/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares the firewall fallback of the drop-in firewall-drop: when the XDP maps are
 * absent, a block goes where the stock program puts it (iptables/ip6tables INPUT and FORWARD)
 * or into an nftables set, so a host is never left unprotected because arxdp is not loaded.
 * Commands run by fork+execv with a fixed argv (never a shell); the address reaching them is
 * always one addr_format() wrote, never text from the alert.
 */
#ifndef ARXDP_FALLBACK_H
#define ARXDP_FALLBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "addr.h"

/* What the drop-in firewall-drop does when the pinned maps are absent. */
enum arxdp_fallback {
	ARXDP_FALLBACK_IPTABLES = 0, /* as the stock program; nftables when iptables is missing */
	ARXDP_FALLBACK_NFTABLES,
	ARXDP_FALLBACK_FAIL,
};

/* The nftables objects of the fallback (one table, one set per family). */
#define FB_NFT_TABLE "arxdp_fwdrop"
#define FB_NFT_SET4 "blk4"
#define FB_NFT_SET6 "blk6"
/* Stock firewall-drop's lock directory, relative to the Wazuh home (shared with firewalld-drop). */
#define FB_LOCK_DIR "active-response/bin/fw-drop"
/* A firewall command still running after this long is killed. */
#define FB_CMD_TIMEOUT_MS 30000

/*
 * get_binary_path() of Wazuh 4.8+: the first regular, executable file called name in $PATH
 * (a default system PATH when unset) into out. -ENOENT when none.
 */
int fb_find_binary(const char *name, char *out, size_t len);
/*
 * Runs argv[0] (a path) with argv and no shell; stdin gets input (or /dev/null when NULL),
 * stdout goes to /dev/null, stderr is kept (first line in errbuf). Waits at most timeout_ms,
 * then kills. 0 and *status (exit status, 128+signal when killed), or -errno when it could not
 * be started (fork is retried 5 times, as Wazuh does).
 */
int fb_run(char *const argv[], const char *input, int timeout_ms, int *status, char *errbuf,
	   size_t errlen);
/*
 * Stock active_responses.c lock(): mkdir(dir) with the pid inside, waiting 1, 3, 5 ... s while
 * the same process holds it; after ~625 s a holder still running as proc_name is killed. A
 * holder that no longer exists is reclaimed at once. 0 or -errno.
 */
int fb_lock(const char *dir, const char *proc_name);
void fb_unlock(const char *dir);
/*
 * Applies add or delete of exact address a with the configured fallback; timeout_s is used by
 * nftables (element timeout), iptables has none. *used names the tool ("iptables",
 * "ip6tables", "nft"). -EPERM for ARXDP_FALLBACK_FAIL, -ENOENT when no tool exists, -EIO when
 * a command failed (logged with its stderr), other -errno when one could not run.
 */
int fb_apply(enum arxdp_fallback mode, bool add, const struct arxdp_addr *a, uint32_t timeout_s,
	     const char **used);
/*
 * A mark, relative to the Wazuh home (the drop-in's working directory), that the fallback
 * blocked something on this host: only then can a delete the maps know nothing of be the
 * fallback's, and only then does it pay fb_remove_left's checks (two tool runs, ~7 ms); a
 * plain delete of a block that expired by its stamp stays as cheap as before.
 */
#define FB_USED_MARK "var/run/arxdp-fwdrop-fallback"
/* Leaves the mark (a regular file, never through a symlink); -errno when it cannot. */
int fb_mark_used(void);
/* Whether the mark is there (a regular file). */
bool fb_was_used(void);
/*
 * A delete that found no block of a in the XDP maps: a block fb_apply made while they were
 * absent (drop-in installed, then `arxdp attach`) would otherwise stay for ever. Each check of
 * fb_check_build runs with the tool fb_apply would use, and fb_plan_build's delete of the
 * same rule or element runs for what is there. *found counts what was there (and removed),
 * *used names the tool, NULL when none is in PATH (then nothing is there, said nowhere).
 * Nothing there is said nowhere either. -EPERM for ARXDP_FALLBACK_FAIL; -EIO when a check or
 * a delete failed (logged with its stderr), other -errno when one could not run (logged).
 * The caller holds the fb_lock().
 */
int fb_remove_left(enum arxdp_fallback mode, const struct arxdp_addr *a, unsigned int *found,
		   const char **used);

/* What fb_apply runs for one address, built without running anything (tests read it). */
#define FB_PLAN_CMDS 2
#define FB_PLAN_ARGV 10
#define FB_PLAN_SCRIPT 2048

struct fb_plan {
	struct {
		char *argv[FB_PLAN_ARGV]; /* NULL-terminated; points at bin and into the plan */
		const char *input; /* stdin text, or NULL */
	} cmd[FB_PLAN_CMDS];
	size_t n;
	char ip[ADDR_STRLEN];
	char script[FB_PLAN_SCRIPT];
};

/*
 * The commands for add or delete of exact address a. Without nft, bin is the iptables or
 * ip6tables that a's family needs, and the plan is the stock program's two rules (INPUT and
 * FORWARD); with nft, bin is nft and the plan one transaction on its stdin, with timeout_s
 * as the element's timeout. The plan points at bin and into itself: it is never copied.
 * -EINVAL for a prefix, -ENAMETOOLONG when the script does not fit.
 */
int fb_plan_build(struct fb_plan *p, bool nft, const char *bin, bool add,
		  const struct arxdp_addr *a, uint32_t timeout_s);
/*
 * The checks fb_remove_left runs, exit status 0 when there, 1 when not: without nft the two
 * rules of the add (`-C INPUT`, `-C FORWARD`, in the order of fb_plan_build's), with nft
 * `get element` of a in its family's set. -EINVAL for a prefix.
 */
int fb_check_build(struct fb_plan *p, bool nft, const char *bin, const struct arxdp_addr *a);

#endif /* ARXDP_FALLBACK_H */
