/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares the pin-directory helpers: mounting bpffs when it is missing, creating
 * the directory, and the lock every process takes before it mutates pinned state.
 */
#ifndef ARXDP_PINDIR_H
#define ARXDP_PINDIR_H

#include <stdbool.h>
#include <stddef.h>

/* The wait of the CLI, the drop-in and the loader: long enough for any real writer. */
#define PINDIR_LOCK_TIMEOUT_MS 5000

/* Mounts bpffs on /sys/fs/bpf when needed and creates pin_dir (0700) on it. */
int pindir_prepare(const char *pin_dir);
/* pin_dir + "/" + name into buf; -ENAMETOOLONG when it does not fit. */
int pindir_path(char *buf, size_t len, const char *pin_dir, const char *name);
/*
 * Takes an exclusive flock on the directory itself (bpffs holds no regular files, but a
 * directory fd can be flocked). Returns the fd to pass to pindir_unlock(), or -errno.
 *
 * The wait is bounded: another process holding the lock longer than timeout_ms (a stopped
 * 'arxdp flush', an operator's flock(1)) gives -ETIMEDOUT, said with pr_warn unless quiet, and
 * nothing is held. The caller keeps working and tries again later (the daemon: its next loop
 * slice, with a short timeout such as 50 ms); no writer ever holds the lock for long, so a
 * timeout means a stuck or hostile holder, not a busy one.
 */
int pindir_lock_timeout(const char *pin_dir, unsigned int timeout_ms, bool quiet);
/* pindir_lock_timeout() with PINDIR_LOCK_TIMEOUT_MS, not quiet. */
int pindir_lock(const char *pin_dir);
void pindir_unlock(int fd);

#endif /* ARXDP_PINDIR_H */
