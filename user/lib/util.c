// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* This file contains the clock, string and file helpers declared in util.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>
#include "util.h"

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

uint64_t mono_now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t wall_now_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

int str_copy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (!size)
		return -ENAMETOOLONG;
	if (n >= size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return -ENAMETOOLONG;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static const char *not_regular(mode_t m)
{
	if (S_ISLNK(m))
		return "is a symbolic link: not followed";
	if (S_ISDIR(m))
		return "is a directory, not a regular file";
	if (S_ISFIFO(m))
		return "is a FIFO, not a regular file";
	if (S_ISSOCK(m))
		return "is a socket, not a regular file";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "is a device, not a regular file";
	return "is not a regular file";
}

int open_regular(const char *path, int flags, mode_t mode, const char **why)
{
	const char *reason = NULL;
	struct stat st;
	int fd = -1, err;

	/* A FIFO or device is refused before open() can wait on it or wake a driver up. */
	if (!lstat(path, &st) && !S_ISREG(st.st_mode)) {
		err = S_ISLNK(st.st_mode) ? -ELOOP : -EINVAL;
		reason = not_regular(st.st_mode);
		goto fail;
	}
	fd = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, mode);
	if (fd < 0) {
		err = -errno;
		reason = err == -ELOOP ? not_regular(S_IFLNK) : strerror(-err);
		goto fail;
	}
	if (fstat(fd, &st)) {
		err = -errno;
		reason = strerror(-err);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
		reason = not_regular(st.st_mode);
		goto fail;
	}
	if ((flags & O_ACCMODE) != O_RDONLY && st.st_nlink > 1) {
		err = -EMLINK;
		reason = "has more than one hard link: not written through";
		goto fail;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)) {
		err = -errno;
		reason = strerror(-err);
		goto fail;
	}
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	if (why)
		*why = reason;
	return err;
}

int open_regular_append(const char *path, mode_t mode, const char **why)
{
	return open_regular(path, O_WRONLY | O_APPEND | O_CREAT, mode, why);
}

static bool owner_ok(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

/*
 * One directory of the chain. leaf: the directory the files go into, which nobody else may
 * write unless sticky is allowed; above it, a sticky directory is fine (/tmp): others cannot
 * rename or remove what root owns there.
 */
static int check_one(const char *path, bool leaf, unsigned int flags, char *why, size_t len)
{
	struct stat st;

	if (lstat(path, &st))
		return -errno;
	if (S_ISLNK(st.st_mode)) {
		if (owner_ok(st.st_uid))
			return 0; /* what it points to is checked on the resolved path */
		snprintf(why, len, "symbolic link '%s' belongs to uid %u", path,
			 (unsigned int)st.st_uid);
		return -EPERM;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, len, "'%s' is not a directory", path);
		return -ENOTDIR;
	}
	if (!owner_ok(st.st_uid)) {
		snprintf(why, len, "directory '%s' belongs to uid %u, not to root", path,
			 (unsigned int)st.st_uid);
		return -EPERM;
	}
	if (!(st.st_mode & (S_IWGRP | S_IWOTH)))
		return 0;
	if ((st.st_mode & S_ISVTX) && (!leaf || (flags & PATH_TRUST_STICKY)))
		return 0;
	snprintf(why, len, "directory '%s' is writable by group or others (mode %04o)%s", path,
		 (unsigned int)(st.st_mode & 07777), leaf ? "" : " without the sticky bit");
	return -EPERM;
}

/* path and each directory above it, up to "/". */
static int check_chain(const char *path, bool strict_leaf, unsigned int flags, char *why,
		       size_t len)
{
	char buf[PATH_MAX], *slash;
	bool leaf = strict_leaf;
	int err;

	err = str_copy(buf, path, sizeof(buf));
	if (err)
		return err;
	for (;;) {
		err = check_one(buf[0] ? buf : "/", leaf, flags, why, len);
		if (err)
			return err;
		leaf = false;
		slash = strrchr(buf, '/');
		if (!slash || !buf[0])
			return 0;
		*slash = '\0';
	}
}

int path_trusted_dir(const char *dir, unsigned int flags, char *why, size_t len)
{
	char abs[PATH_MAX], real[PATH_MAX];
	size_t n;
	int err;

	why[0] = '\0';
	if (dir[0] == '/') {
		err = str_copy(abs, dir, sizeof(abs));
	} else if (!getcwd(abs, sizeof(abs))) {
		err = -errno;
	} else {
		n = strlen(abs);
		err = snprintf(abs + n, sizeof(abs) - n, "/%s", dir) >= (int)(sizeof(abs) - n) ?
			      -ENAMETOOLONG :
			      0;
	}
	if (!err) {
		/* A trailing slash would make the leaf the empty name. */
		for (n = strlen(abs); n > 1 && abs[n - 1] == '/'; n--)
			abs[n - 1] = '\0';
		err = realpath(abs, real) ? 0 : -errno;
	}
	if (!err)
		err = check_chain(abs, false, flags, why, len);
	if (!err)
		err = check_chain(real, true, flags, why, len);
	if (err && !why[0])
		snprintf(why, len, "directory '%s': %s", dir, strerror(-err));
	return err;
}

const char *errstr(int err)
{
	static __thread char buf[STRERR_BUFSIZE];

	if (err < 0)
		err = -err;
	libbpf_strerror(err, buf, sizeof(buf));
	return buf;
}

bool str_is_num(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}
