// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* This file contains arxdpd's persistence declared in persist.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "btable.h"
#include "log.h"
#include "persist.h"
#include "pindir.h"
#include "responder.h"
#include "state.h"
#include "util.h"

#define SWEEP_BUDGET 131072 /* entries scanned per tick: a million-entry pass takes 8 s */
/* Entries per slice, one slice per turn of the loop: ~0.3 ms here, so a sender on execq (10
 * datagrams deep) never waits 1 ms behind the sweep, whatever the number of blocks. */
#define SWEEP_SLICE 1024
#define SAVE_MIN_INTERVAL_NS (NSEC_PER_SEC / 2)
#define SAVE_BURST_INTERVAL_NS (5 * NSEC_PER_SEC) /* while alerts keep coming */
/* wazuh-control and systemd wait 30 s (90 s) before kill -9: the final save must fit after. */
#define SAVER_WAIT_NS (10 * NSEC_PER_SEC)
#define SAVER_REAP_NS (NSEC_PER_SEC) /* after SIGKILL: a task stuck in the kernel may linger */

void persist_init(struct persist *p, const char *dir)
{
	memset(p, 0, sizeof(*p));
	p->dir = dir;
	p->saver_wait_ns = SAVER_WAIT_NS;
	p->sweep_slice = SWEEP_SLICE;
}

static void saver_done(struct persist *p, struct responder *r, int status)
{
	struct queued_run *covered = p->covered;

	p->saver = 0;
	p->covered = NULL;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		/* The child said why on stderr; the next save tries again. */
		r->c.state_errors++;
		r->dirty = true;
		responder_return_held(r, covered);
		return;
	}
	responder_release(r, covered);
}

bool persist_child(struct persist *p, struct responder *r, pid_t pid, int status)
{
	if (!p->saver || pid != p->saver)
		return false;
	saver_done(p, r, status);
	return true;
}

static bool reap_by(pid_t pid, int *status, uint64_t deadline_mono)
{
	const struct timespec nap = { .tv_nsec = 5 * 1000 * 1000 };
	pid_t got;

	for (;;) {
		got = waitpid(pid, status, WNOHANG);
		if (got == pid || (got < 0 && errno != EINTR))
			return got == pid;
		if (mono_now_ns() >= deadline_mono)
			return false;
		nanosleep(&nap, NULL);
	}
}

/*
 * Waits at most saver_wait_ns for the running snapshot. Past that it is killed and counted
 * as failed (state dirty, its scripts held again): the caller's own save then covers all.
 */
static void finish_saver(struct persist *p, struct responder *r)
{
	pid_t pid = p->saver;
	int status = 0;

	if (pid <= 0)
		return;
	if (reap_by(pid, &status, mono_now_ns() + p->saver_wait_ns)) {
		saver_done(p, r, status);
		return;
	}
	pr_warn("state: snapshot child %d: still running after %llu ms: killed, saving here",
		(int)pid, (unsigned long long)(p->saver_wait_ns / 1000000));
	kill(pid, SIGKILL);
	if (!reap_by(pid, &status, mono_now_ns() + SAVER_REAP_NS))
		pr_warn("state: snapshot child %d: not gone 1 s after SIGKILL: left behind",
			(int)pid);
	saver_done(p, r, 1 << 8);
}

/*
 * The maps are the truth for what a snapshot records: a block another writer removed while
 * arxdpd ran (execd's delete through the drop-in, `arxdp unblock` or `flush` without the
 * daemon) is left out, so new maps after a reboot never bring it back; one it changed (an
 * extension, an operator's hold) is saved as it is now.
 */
static int refresh_cb(struct bmeta *m, void *ctx)
{
	struct responder *r = ctx;
	struct arxdp_addr a = m->addr;
	struct arxdp_block v;
	int err = bl_get(r->bl, &a, &v);

	if (!err)
		m->v = v;
	else if (err == -ENOENT)
		btable_del(r->bt, &a);
	return 0;
}

static int save_now(struct persist *p, struct responder *r, const struct tail_pos *pos,
		    const struct queued_run *queued)
{
	struct state_seen waiting;
	int err;

	btable_foreach(r->bt, refresh_cb, r);
	err = responder_seen_waiting(r, &waiting);
	err = err   ?:
		      state_save_seen(p->dir, pos, r->bt, r->off, r->pending, &p->maps, queued,
				      &waiting);
	free(waiting.keys);
	return err;
}

/*
 * A snapshot is serialised in a forked child: fork copies the tables as they are between two
 * alerts (a consistent snapshot) and the loop goes on at once, however many blocks there are.
 *
 * While alerts keep coming, a snapshot costs the loop more than it saves: fork copies the page
 * tables (1-1.5 ms here at 10,000 blocks), during which the next alert waits, and every page
 * the loop then writes faults to be copied. So snapshots wait for a quiet moment, or at most
 * SAVE_BURST_INTERVAL_NS. That is safe: the snapshot's alert position and the seq stamped in
 * each block make re-reading the alerts after a crash apply none twice and lose none.
 */
void persist_save(struct persist *p, struct responder *r, const struct tail_pos *pos, bool busy,
		  bool force)
{
	uint64_t now = mono_now_ns(), every = busy ? SAVE_BURST_INTERVAL_NS : SAVE_MIN_INTERVAL_NS;
	pid_t pid;

	/* A forced save first waits for a running one: at exit its snapshot must be on disk,
	 * and a failed one makes the state dirty again. */
	if (force)
		finish_saver(p, r);
	if ((!r->dirty && !r->held) || (!force && !r->held && now - p->last_save_mono < every))
		return;
	if (p->saver > 0)
		return; /* one at a time; still dirty, so the next tick saves */
	r->dirty = false;
	p->last_save_mono = now;
	p->covered = responder_take_held(r);
	if (!force) {
		fflush(stderr);
		pid = fork();
		if (pid == 0) {
			int err = save_now(p, r, pos, NULL);

			/* _exit skips stdio: the reason would stay in stderr's buffer. */
			fflush(stderr);
			_exit(err ? 1 : 0);
		}
		if (pid > 0) {
			p->saver = pid;
			return;
		}
		pr_debug("state: fork failed (%s): saving in the loop", strerror(errno));
	}
	saver_done(p, r, save_now(p, r, pos, NULL) ? 1 << 8 : 0);
}

struct reconcile {
	struct responder *r;
	const char *path; /* the state file, for its messages */
	bool same_maps; /* the snapshot was taken against these very maps */
};

void persist_final(struct persist *p, struct responder *r, const struct tail_pos *pos,
		   struct queued_run *not_started)
{
	struct queued_run **end = &not_started;

	finish_saver(p, r);
	while (*end)
		end = &(*end)->next;
	*end = responder_take_held(r);
	if (save_now(p, r, pos, not_started))
		r->c.state_errors++;
	else if (not_started)
		pr_info("state: %s script runs not started yet kept for the next start",
			not_started->next ? "the" : "one");
	queued_free_all(not_started);
}

static int reconcile_cb(struct bmeta *m, void *ctx)
{
	struct reconcile *rc = ctx;
	struct responder *r = rc->r;
	uint64_t now_mono = mono_now_ns();
	char buf[ADDR_STRLEN], left[32];
	struct arxdp_block v;
	struct arxdp_addr a = m->addr;
	const char *why;
	int err;

	addr_format(&a, buf, sizeof(buf));
	err = bl_get(r->bl, &a, &v);
	if (!err) {
		/* Still in the map: the map is the truth for its expiry and counts. */
		m->v = v;
		return 0;
	}
	if (err != -ENOENT) {
		pr_warn("block %s: cannot look it up in the maps: %s: kept in the state for the "
			"next start",
			buf, strerror(-err));
		return 0;
	}
	if (rc->same_maps) {
		/* Another writer removed it from these maps (its own delete line is written
		 * already): an operator's removal is final, never undone from the state. */
		pr_info("block %s: removed from the maps while arxdpd was stopped: forgotten", buf);
		btable_del(r->bt, &a);
		r->dirty = true;
		return 0;
	}
	if (m->v.expires_ns && m->v.expires_ns <= now_mono) {
		pr_info("block %s: expired while arxdpd was stopped: removed", buf);
		responder_ended(r, &a);
		return 0;
	}
	/*
	 * New maps: execd's timeout list, which its key forms stood for, is gone too (its stop
	 * ran the deletes; a new execd starts empty). An unstamped block that execd held is
	 * not restored for execd; an operator's time that waited for execd's delete starts now.
	 */
	if (!m->v.expires_ns && (m->v.keys & (ARXDP_KEY_PLAIN | ARXDP_KEY_MAPPED))) {
		if (!(m->v.keys & ARXDP_KEY_OPERATOR)) {
			pr_info("block %s: held by wazuh-execd, whose timers did not outlive it: "
				"not restored",
				buf);
			btable_del(r->bt, &a);
			r->dirty = true;
			return 0;
		}
		if (m->v.timeout_s)
			m->v.expires_ns = now_mono + (uint64_t)m->v.timeout_s * NSEC_PER_SEC;
	}
	m->v.keys &= ARXDP_KEY_OPERATOR;
	/*
	 * bl_put writes as it is told: the never-block guard is asked here, as every add asks it.
	 * The file may name an address this host has gained since, or have been edited by hand;
	 * such a block is forgotten, never kept for a later start.
	 */
	if (bl_check_allowed(r->bl, &a, &why)) {
		pr_warn("state '%s': block %s: not restored: %s", rc->path, buf, why);
		btable_del(r->bt, &a);
		r->dirty = true;
		return 0;
	}
	v = m->v;
	v.prefixlen = a.prefixlen;
	if (bl_put(r->bl, &a, &v)) {
		pr_warn("block %s: cannot restore: kept in the state for the next start", buf);
		return 0;
	}
	if (m->v.expires_ns)
		snprintf(left, sizeof(left), "%llus left",
			 (unsigned long long)((m->v.expires_ns - now_mono) / NSEC_PER_SEC));
	else
		snprintf(left, sizeof(left), "permanent");
	pr_info("block %s: restored from the state (%s)", buf, left);
	return 0;
}

/* This boot and this map: what every snapshot records (state_maps). */
static void current_maps(struct persist *p, struct responder *r)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	memset(&p->maps, 0, sizeof(p->maps));
	if (!f || !fgets(p->maps.boot_id, sizeof(p->maps.boot_id), f) ||
	    bl_map_id(r->bl, &p->maps.map_id)) {
		/* Unknown: snapshots record none, and what is missing is restored as before. */
		p->maps.boot_id[0] = '\0';
	}
	p->maps.boot_id[strcspn(p->maps.boot_id, "\n")] = '\0';
	if (f)
		fclose(f);
}

int persist_load(struct persist *p, struct responder *r, struct tail_pos *pos, bool *have_pos)
{
	char path[PATH_MAX], aside[PATH_MAX + 32];
	struct reconcile rc = { .r = r, .path = path };
	struct state_seen seen = { .cap = RESPONDER_SEEN_KEEP };
	struct queued_run *queued = NULL;
	struct state_maps saved;
	int err;

	current_maps(p, r);
	if (pindir_path(path, sizeof(path), p->dir, STATE_FILE))
		return -ENAMETOOLONG;
	if (mkdir(p->dir, 0700) && errno != EEXIST) {
		err = -errno;
		pr_warn("state directory '%s': cannot create: %s", p->dir, strerror(-err));
		return err;
	}
	err = state_load_seen(p->dir, pos, have_pos, r->bt, r->off, &r->pending, &saved, &queued,
			      &seen);
	if (err == -ENOENT)
		return 0;
	if (err == -EBADMSG) {
		/* Keep the evidence, start clean: the maps still hold every block. */
		if (snprintf(aside, sizeof(aside), "%s.corrupt-%lld", path,
			     (long long)time(NULL)) >= (int)sizeof(aside))
			return -ENAMETOOLONG;
		rename(path, aside);
		pr_warn("state '%s': corrupt: moved to '%s'; starting without it", path, aside);
		*have_pos = false;
		return 0;
	}
	if (err) {
		pr_warn("state directory '%s': cannot load: %s", p->dir, strerror(-err));
		queued_free_all(queued);
		return err;
	}
	/* What a clean stop left queued runs after the first snapshot of this start. */
	responder_return_held(r, queued);
	/* Before either input is read: an alert execq applied before the stop, read from
	 * alerts.json after it, is the second copy. */
	responder_seen_restore(r, &seen);
	err = bl_lock(r->bl);
	if (err)
		return err;
	rc.same_maps = p->maps.boot_id[0] && !strcmp(saved.boot_id, p->maps.boot_id) &&
		       saved.map_id == p->maps.map_id;
	/* The callback may delete the entry it is called for, which the walk allows. */
	btable_foreach(r->bt, reconcile_cb, &rc);
	bl_unlock(r->bl);
	responder_flush(r);
	return 0;
}

static void sweep_cb(const struct bl_entry *e, void *ctx)
{
	struct responder *r = ctx;
	char buf[ADDR_STRLEN];

	if (responder_log_ok(r))
		pr_info("unblock %s: expired after %us (%llu packets dropped)",
			addr_format(&e->addr, buf, sizeof(buf)), e->v.timeout_s,
			(unsigned long long)e->dropped.packets);
	responder_ended(r, &e->addr);
}

void persist_sweep_start(struct persist *p)
{
	p->sweep_credit = SWEEP_BUDGET;
}

bool persist_sweep_step(struct persist *p, struct responder *r)
{
	uint32_t n = 0, slice = p->sweep_credit < p->sweep_slice ? p->sweep_credit : p->sweep_slice;

	if (!slice)
		return false;
	bl_sweep(r->bl, mono_now_ns(), slice, sweep_cb, r, &n);
	responder_flush(r);
	p->sweep_credit -= slice;
	/* One pass per tick at most: a small list is not scanned again and again. */
	if (bl_sweep_at_start(r->bl))
		p->sweep_credit = 0;
	return p->sweep_credit > 0;
}
