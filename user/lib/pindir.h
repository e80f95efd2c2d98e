/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares the pin-directory helpers: mounting bpffs when it is missing, creating
 * the directory, and the lock every process takes before it mutates pinned state.
 */
#ifndef ARXDP_PINDIR_H
#define ARXDP_PINDIR_H

#include <stddef.h>

/* Mounts bpffs on /sys/fs/bpf when needed and creates pin_dir (0700) on it. */
int pindir_prepare(const char *pin_dir);
/* pin_dir + "/" + name into buf; -ENAMETOOLONG when it does not fit. */
int pindir_path(char *buf, size_t len, const char *pin_dir, const char *name);
/*
 * Takes an exclusive flock on the directory itself (bpffs holds no regular files, but a
 * directory fd can be flocked). Returns the fd to pass to pindir_unlock(), or -errno.
 */
int pindir_lock(const char *pin_dir);
void pindir_unlock(int fd);

#endif /* ARXDP_PINDIR_H */
