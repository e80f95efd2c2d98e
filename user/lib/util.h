/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* This file contains small helpers shared by every user-space module. */
#ifndef ARXDP_UTIL_H
#define ARXDP_UTIL_H

#include <stddef.h>
#include <stdint.h>

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

/* errno text for a negative errno or a libbpf error code. */
const char *errstr(int err);

#endif /* ARXDP_UTIL_H */
