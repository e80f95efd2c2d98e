// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* This file contains the pin-directory helpers declared in pindir.h. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include "log.h"
#include "pindir.h"
#include "util.h"

#define BPFFS_ROOT "/sys/fs/bpf"

static int is_bpffs(const char *path)
{
	struct statfs st;

	if (statfs(path, &st))
		return -errno;
	return st.f_type == BPF_FS_MAGIC;
}

int pindir_path(char *buf, size_t len, const char *pin_dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", pin_dir, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int pindir_prepare(const char *pin_dir)
{
	bool created = false;
	int err;

	/* Only the standard location is mounted for the user; elsewhere is their choice. */
	if (!strncmp(pin_dir, BPFFS_ROOT "/", strlen(BPFFS_ROOT) + 1) &&
	    is_bpffs(BPFFS_ROOT) != 1) {
		if (mkdir(BPFFS_ROOT, 0700) && errno != EEXIST) {
			err = -errno;
			pr_warn("bpffs '%s': cannot create mount point: %s", BPFFS_ROOT,
				strerror(-err));
			return err;
		}
		if (mount("bpf", BPFFS_ROOT, "bpf", 0, "mode=0700")) {
			err = -errno;
			pr_warn("bpffs '%s': mount failed: %s", BPFFS_ROOT, strerror(-err));
			return err;
		}
		pr_info("bpffs '%s': mounted", BPFFS_ROOT);
	}
	if (mkdir(pin_dir, 0700)) {
		if (errno != EEXIST) {
			err = -errno;
			pr_warn("pin directory '%s': cannot create: %s", pin_dir, strerror(-err));
			return err;
		}
	} else {
		created = true;
	}
	err = is_bpffs(pin_dir);
	if (err < 0) {
		pr_warn("pin directory '%s': %s", pin_dir, strerror(-err));
		return err;
	}
	if (!err) {
		if (created)
			rmdir(pin_dir); /* leave nothing behind where nothing can be pinned */
		pr_warn("pin directory '%s': not on a BPF filesystem: mount one with "
			"'mount -t bpf bpf %s' or choose a directory under %s",
			pin_dir, BPFFS_ROOT, BPFFS_ROOT);
		return -ENOTSUP;
	}
	return 0;
}

/*
 * flock(2) has no timeout and a signal-based one would need global state: poll LOCK_NB with a
 * growing pause instead (100 us up to 10 ms), so a short deadline is kept to the millisecond
 * and the 5 s one costs about 500 wake-ups.
 */
int pindir_lock_timeout(const char *pin_dir, unsigned int timeout_ms, bool quiet)
{
	uint64_t deadline = mono_now_ns() + (uint64_t)timeout_ms * 1000000ULL, now;
	long pause_ns = 100000;
	int fd, err;

	fd = open(pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		pr_warn("pin directory '%s': cannot open: %s", pin_dir, strerror(-err));
		return err;
	}
	for (;;) {
		struct timespec ts;

		if (!flock(fd, LOCK_EX | LOCK_NB))
			return fd;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			err = -errno;
			pr_warn("pin directory '%s': cannot lock: %s", pin_dir, strerror(-err));
			goto fail;
		}
		now = mono_now_ns();
		if (now >= deadline)
			break;
		if ((uint64_t)pause_ns > deadline - now)
			pause_ns = (long)(deadline - now);
		ts.tv_sec = 0;
		ts.tv_nsec = pause_ns;
		nanosleep(&ts, NULL);
		if (pause_ns < 10000000)
			pause_ns *= 2;
	}
	err = -ETIMEDOUT;
	if (!quiet)
		pr_warn("pin directory '%s': lock held by another process for more than %u ms: "
			"giving up (lslocks names the holder)",
			pin_dir, timeout_ms);
fail:
	close(fd);
	return err;
}

int pindir_lock(const char *pin_dir)
{
	return pindir_lock_timeout(pin_dir, PINDIR_LOCK_TIMEOUT_MS, false);
}

void pindir_unlock(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}
