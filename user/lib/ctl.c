// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* This file contains the control-socket helpers declared in ctl.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include "ctl.h"
#include "log.h"
#include "util.h"

#define CTL_TIMEOUT_S 5

static int make_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	return str_copy(sa->sun_path, path, sizeof(sa->sun_path));
}

static void set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = CTL_TIMEOUT_S };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

int ctl_listen(const char *path)
{
	char dir[PATH_MAX];
	struct sockaddr_un sa;
	mode_t old;
	int fd, err;

	err = make_addr(path, &sa);
	if (err) {
		pr_warn("control socket '%s': path too long", path);
		return err;
	}
	str_copy(dir, path, sizeof(dir));
	if (mkdir(dirname(dir), 0755) && errno != EEXIST) {
		err = -errno;
		pr_warn("control socket '%s': cannot create its directory: %s", path,
			strerror(-err));
		return err;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	/* Created 0600 from the start: no window in which another user could connect. */
	old = umask(0177);
	err = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	umask(old);
	if (!err && listen(fd, 16))
		err = -errno;
	if (err) {
		pr_warn("control socket '%s': cannot listen: %s", path, strerror(-err));
		close(fd);
		return err;
	}
	return fd;
}

int ctl_read_request(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	set_timeouts(fd);
	while (got < len - 1) {
		n = read(fd, buf + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
		if (memchr(buf + got - n, '\n', (size_t)n))
			break;
	}
	buf[got] = '\0';
	return got ? 0 : -ENODATA;
}

int ctl_send(int fd, const char *json)
{
	return write_all(fd, json, strlen(json)) ?: write_all(fd, "\n", 1);
}

int ctl_request(const char *path, const char *req, char **reply)
{
	struct sockaddr_un sa;
	char *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd, err;

	*reply = NULL;
	err = make_addr(path, &sa);
	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	set_timeouts(fd);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		goto out;
	}
	err = ctl_send(fd, req);
	if (err)
		goto out;
	shutdown(fd, SHUT_WR);
	buf = malloc(CTL_MSG_MAX);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	while (got < CTL_MSG_MAX - 1) {
		n = read(fd, buf + got, CTL_MSG_MAX - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	if (!got) {
		err = -EPROTO;
		goto out;
	}
	*reply = buf;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return err;
}
