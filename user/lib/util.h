/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* This file contains small helpers shared by every user-space module. */
#ifndef ARXDP_UTIL_H
#define ARXDP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Kernel-only typedefs must not leak into user space; use the __u* / stdint types. */
#pragma GCC poison u8 u16 u32 u64 s8 s16 s32 s64

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define STRERR_BUFSIZE 128
#define __unused __attribute__((unused))

#define NSEC_PER_SEC 1000000000ULL

/* CLOCK_MONOTONIC in ns: the clock bpf_ktime_get_coarse_ns() follows (coarse lags <= 1 tick). */
uint64_t mono_now_ns(void);
/* CLOCK_REALTIME in ns. */
uint64_t wall_now_ns(void);

/* Copies src into dst (size bytes, always terminated); -ENAMETOOLONG when it did not fit. */
int str_copy(char *dst, const char *src, size_t size);

/* Writes all len bytes (a short write or EINTR goes on); 0 or -errno. */
int write_all(int fd, const void *buf, size_t len);

/*
 * Opens path, which must be a regular file, for root in a directory another user may own
 * (Wazuh's logs/, a state directory): the last component is never followed when it is a
 * symbolic link (-ELOOP), open() never waits on a FIFO or a device (lstat refuses one
 * beforehand, O_NONBLOCK covers a swap in between), and anything fstat does not show as a
 * regular file is refused (-EINVAL); so is a file with more than one hard link opened for
 * writing (-EMLINK: a link to a file of root's). O_CLOEXEC and O_NOCTTY always; the fd comes
 * back in blocking mode. It logs nothing (the drop-in logs through the file it opens): *why,
 * when given, receives the text for the caller's message ("is a FIFO, not a regular file").
 */
int open_regular(const char *path, int flags, mode_t mode, const char **why);
/* open_regular(O_WRONLY | O_APPEND | O_CREAT): the active-responses.log writers. */
int open_regular_append(const char *path, mode_t mode, const char **why);

/* path_trusted_dir(): the directory itself may be writable by others when it is sticky. */
#define PATH_TRUST_STICKY 1u
/*
 * Whether root may create files in dir without another user steering them: dir and every
 * directory above it owned by root or by this euid; dir writable by nobody else (with
 * PATH_TRUST_STICKY, a sticky dir such as /tmp passes: its entries cannot be renamed by
 * others); the directories above writable by others only when sticky. Checked on the path as
 * given (a symbolic link in it must belong to root or to us) and on the path it resolves to.
 * -EPERM with the reason in why ("directory '/x' is writable by group or others (mode 0777)"),
 * or -errno when a directory cannot be examined. It logs nothing.
 */
int path_trusted_dir(const char *dir, unsigned int flags, char *why, size_t len);

/* Wazuh's OS_StrIsNum: decimal digits only, at least one. */
bool str_is_num(const char *s);

/* errno text for a negative errno or a libbpf error code. */
const char *errstr(int err);

#endif /* ARXDP_UTIL_H */
