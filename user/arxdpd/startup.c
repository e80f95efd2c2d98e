// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains arxdpd's start-up steps around the loop: the state-directory lock, the
 * claim on the pin directory, loading and attaching the program, what the maps really hold,
 * dropping capabilities, and systemd's notification socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/capability.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include "daemon.h"
#include "match.h"
#include "log.h"
#include "pindir.h"
#include "util.h"

/*
 * After start-up the daemon needs only what its loop does: map writes through fds it already
 * holds (no capability), XDP and BPF for a later load and attach (CAP_NET_ADMIN, CAP_BPF,
 * CAP_PERFMON; our own program is recognised through its pin, without CAP_SYS_ADMIN), reading
 * Wazuh's files owned by the wazuh user and writing its logs (CAP_DAC_READ_SEARCH,
 * CAP_DAC_OVERRIDE), and stopping the scripts it started (CAP_KILL). Everything else leaves
 * the effective and permitted sets. The bounding set stays whole on purpose: scripts run as
 * root exactly as wazuh-execd runs them, and a root exec regains the bounding set.
 */
int drop_capabilities(void)
{
	static const cap_value_t keep[] = { CAP_BPF,	      CAP_PERFMON,	   CAP_NET_ADMIN,
					    CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_KILL };
	cap_t cur = cap_get_proc(), caps = cap_init();
	cap_flag_value_t have;
	size_t i;
	int err = 0;

	if (!cur || !caps) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(keep); i++) {
		/* Keep only what we hold: asking for more would make cap_set_proc fail. */
		if (cap_get_flag(cur, keep[i], CAP_PERMITTED, &have) || have != CAP_SET)
			continue;
		cap_set_flag(caps, CAP_EFFECTIVE, 1, &keep[i], CAP_SET);
		cap_set_flag(caps, CAP_PERMITTED, 1, &keep[i], CAP_SET);
	}
	if (cap_set_proc(caps)) {
		err = -errno;
		pr_warn("capabilities: cannot drop: %s", strerror(-err));
	}
out:
	cap_free(cur);
	cap_free(caps);
	return err;
}

void notify_systemd(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, path, strlen(path));
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0'; /* abstract namespace */
	len = offsetof(struct sockaddr_un, sun_path) + strlen(path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&sa, len);
	close(fd);
}

int take_lock(struct daemon *d)
{
	char path[PATH_MAX], why[256];
	const char *reason = NULL;
	int err;

	if (mkdir(d->s.state_dir, 0700) && errno != EEXIST) {
		pr_warn("state directory '%s': cannot create: %s", d->s.state_dir, strerror(errno));
		return -errno;
	}
	/* Root writes the state, the lock and their temporary files here: a directory another
	 * user can write is one where their symlinks steer those writes. */
	err = path_trusted_dir(d->s.state_dir, 0, why, sizeof(why));
	if (err) {
		pr_warn("state directory '%s': not safe for root to write in: %s", d->s.state_dir,
			why);
		return err;
	}
	if (pindir_path(path, sizeof(path), d->s.state_dir, "arxdpd.lock"))
		return -ENAMETOOLONG;
	d->lockfd = open_regular(path, O_RDWR | O_CREAT, 0600, &reason);
	if (d->lockfd < 0) {
		pr_warn("state directory '%s': lock '%s': %s", d->s.state_dir, path,
			reason ? reason : strerror(-d->lockfd));
		return d->lockfd;
	}
	if (flock(d->lockfd, LOCK_EX | LOCK_NB)) {
		pr_warn("state directory '%s': another arxdpd is running (lock '%s' held)",
			d->s.state_dir, path);
		return -EBUSY;
	}
	return 0;
}

/*
 * One daemon per set of maps: a second one on the same pin directory (another state directory,
 * another configuration) would apply every alert twice and delete blocks the first still
 * holds. The claim is an abstract Unix socket named after the directory: the kernel drops it
 * with the process, so a crash never leaves a stale claim behind.
 */
int claim_pin_dir(struct daemon *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char real[PATH_MAX];
	const char *dir = realpath(d->s.pin_dir, real) ? real : d->s.pin_dir;
	uint64_t h = 1469598103934665603ULL;
	const char *c;
	socklen_t len;

	/* A hash of the path: abstract names are short, pin paths need not be. */
	for (c = dir; *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ULL;
	len = offsetof(struct sockaddr_un, sun_path) + 1 +
	      snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "arxdpd-pins-%016llx",
		       (unsigned long long)h);
	d->claimfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (d->claimfd < 0)
		return -errno;
	if (bind(d->claimfd, (struct sockaddr *)&sa, len)) {
		int err = -errno;

		if (err == -EADDRINUSE)
			pr_warn("pin directory '%s': another arxdpd already serves these maps: "
				"stop it first, or give this one its own --pin-dir",
				d->s.pin_dir);
		else
			pr_warn("pin directory '%s': cannot claim it: %s", d->s.pin_dir,
				strerror(-err));
		return err == -EADDRINUSE ? -EBUSY : err;
	}
	return 0;
}

int attach_all(struct daemon *d)
{
	struct loader_opts o = { .pin_dir = d->s.pin_dir,
				 .capacity_v4 = d->s.capacity_v4,
				 .capacity_v6 = d->s.capacity_v6,
				 .cidr_capacity = d->s.cidr_capacity,
				 .dry_run = d->s.dry_run,
				 .dispatcher = d->s.xdp_dispatcher,
				 .no_block_counters = !d->s.block_counters,
				 .priority = d->s.xdp_priority };
	__u32 pinned;
	int i, fd, err;

	/* A pinned program keeps the knobs it was loaded with: when the configuration asks for
	 * others (dry run, per-block counts), load it anew, or they would wait for a hand reload. */
	/* The revision is loader_get_prog()'s to judge: a newer build's program is kept. */
	if (!loader_pinned_load_flags(o.pin_dir, &pinned) &&
	    (pinned & ~ARXDP_LOAD_REV_MASK) != (loader_load_flags(&o) & ~ARXDP_LOAD_REV_MASK)) {
		pr_info("program '%s': pinned with other settings (dry run, per-block counts): "
			"loading it with the configured ones",
			ARXDP_PROG_NAME);
		o.reload = true;
	}
	/* Load (or adopt the pinned program) even without interfaces: blocks need maps. */
	err = loader_get_prog(&o, &fd);
	if (err)
		return err;
	/* Kept: a remounted bpffs gets it pinned again (check_pins). */
	d->prog_fd = fd;
	/* Loaded once: the load swapped it in wherever ours ran; each attach takes the pin. */
	o.reload = false;
	for (i = 0; i < d->s.n_ifaces; i++) {
		err = loader_attach(&o, d->s.ifaces[i], d->s.mode, false, &d->used_mode[i]);
		if (err)
			return err;
		pr_info("interface %s: attached in %s mode", d->s.ifaces[i],
			mode_name(d->used_mode[i]));
	}
	return 0;
}

/* Maps are created once: a capacity asked for later is not what the pinned maps have. */
void warn_capacities(const struct daemon *d)
{
	const struct {
		const char *what;
		uint32_t want, have;
	} c[] = {
		{ "capacity_v4", d->s.capacity_v4, d->bl.cap_block4 },
		{ "capacity_v6", d->s.capacity_v6, d->bl.cap_block6 },
		{ "cidr_capacity", d->s.cidr_capacity, d->bl.cap_cidr4 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(c); i++)
		if (c[i].have && c[i].want != c[i].have)
			pr_warn("pin directory '%s': %s %u asked, but the pinned maps hold %u: kept "
				"(maps are sized when first created; see docs/OPERATIONS.md to resize)",
				d->s.pin_dir, c[i].what, c[i].want, c[i].have);
}

/*
 * Never twice: a live wazuh-execd of the same home holds queue/alerts/execq, and analysisd
 * sends it every response that runs on this node, so arxdpd following alerts.json would run
 * each one a second time (two map writes, two offenses, execd's delete undoing arxdpd's
 * extension). A datagram connect() says whether a process is bound there, without waiting:
 * ECONNREFUSED is a stale name left by a stopped execd.
 */
int refuse_beside_execd(const struct arxdp_settings *s, const struct ossec_config *cfg)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t i, n = 0;
	int fd, live;

	for (i = 0; i < cfg->n_ars; i++)
		n += match_runs_here(s, &cfg->ars[i], s->agent_id);
	if (!n || snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/queue/alerts/execq",
			   s->wazuh_home) >= (int)sizeof(sa.sun_path))
		return 0;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	live = !connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (!live)
		return 0;
	pr_warn("wazuh-execd of '%s' is running (it holds '%s') and runs the same %zu active "
		"responses: arxdpd on alerts.json would run each one twice. Either keep execd and "
		"install arxdp's drop-in firewall-drop instead of arxdpd (scripts/wazuh-install.sh), "
		"or turn execd off (<disabled>yes</disabled> in the first <active-response> of "
		"ossec.conf, as execd reads it) and restart Wazuh",
		s->wazuh_home, sa.sun_path, n);
	return -EBUSY;
}
