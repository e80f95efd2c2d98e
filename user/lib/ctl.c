// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* This file contains the control-socket helpers declared in ctl.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include "ctl.h"
#include "log.h"
#include "util.h"

static int make_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	return str_copy(sa->sun_path, path, sizeof(sa->sun_path));
}

int ctl_listen(const char *path)
{
	char dir[PATH_MAX], why[PATH_MAX + 128];
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
	/* Root removes and binds a name there: nobody else may steer the directory. */
	err = path_trusted_dir(dir, PATH_TRUST_STICKY, why, sizeof(why));
	if (err) {
		pr_warn("control socket '%s': %s: refusing", path, why);
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

/* ---- server side: non-blocking, one struct ctl_conn per client ---- */

int ctl_accept(int listen_fd)
{
	int fd;

	for (;;) {
		fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0)
			return fd;
		/* A client gone before accept(): the next one may be waiting. */
		if (errno != EINTR && errno != ECONNABORTED)
			return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	}
}

/* json and its newline in one call; a partial send is as good as none. */
static int send_line(int fd, const char *json)
{
	struct iovec iov[2] = { { (void *)json, strlen(json) }, { "\n", 1 } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t n;

	do
		n = sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return (size_t)n == iov[0].iov_len + 1 ? 0 : -EAGAIN;
}

void ctl_reject(int fd, const char *why)
{
	char buf[256], *p;
	int n = snprintf(buf, sizeof(buf), "{\"ok\":false,\"error\":\"");

	/* Plain text only: a quote, a backslash or a control byte would break the JSON. */
	for (p = buf + n; *why && p < buf + sizeof(buf) - 4; why++)
		*p++ = *why == '"' || *why == '\\' || (unsigned char)*why < 0x20 ? '\'' : *why;
	strcpy(p, "\"}");
	send_line(fd, buf);
	close(fd);
}

int ctl_conn_init(struct ctl_conn *c, int fd, uint64_t now_ns, unsigned int timeout_ms)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->deadline_ns = now_ns + (uint64_t)timeout_ms * 1000000ULL;
	c->buf = malloc(CTL_MSG_MAX);
	if (!c->buf) {
		ctl_conn_close(c);
		return -ENOMEM;
	}
	/* Accepted elsewhere perhaps: reads must never wait. */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)) {
		int err = -errno;

		ctl_conn_close(c);
		return err;
	}
	return 0;
}

ssize_t ctl_conn_read(struct ctl_conn *c, size_t cap, int full_err)
{
	ssize_t n;

	if (cap > CTL_MSG_MAX)
		cap = CTL_MSG_MAX;
	do {
		if (c->len >= cap - 1)
			return full_err;
		n = read(c->fd, c->buf + c->len, cap - 1 - c->len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (n == 0)
		return -ENODATA;
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	return n;
}

int ctl_conn_feed(struct ctl_conn *c)
{
	char *nl;
	ssize_t n;

	for (;;) {
		n = ctl_conn_read(c, CTL_MSG_MAX, -EMSGSIZE);
		if (n == -ENODATA) {
			/* The client's shutdown(SHUT_WR) ends a request without a newline. */
			if (!c->len)
				return -ENODATA;
			return 0;
		}
		if (n < 0)
			return (int)n;
		nl = memchr(c->buf + c->len - (size_t)n, '\n', (size_t)n);
		if (nl) {
			*nl = '\0';
			c->len = (size_t)(nl - c->buf);
			return 0;
		}
	}
}

bool ctl_conn_expired(const struct ctl_conn *c, uint64_t now_ns)
{
	return c->fd >= 0 && now_ns >= c->deadline_ns;
}

int ctl_conn_remaining_ms(const struct ctl_conn *c, uint64_t now_ns)
{
	uint64_t ms;

	if (now_ns >= c->deadline_ns)
		return 0;
	ms = (c->deadline_ns - now_ns + 999999) / 1000000;
	return ms > INT32_MAX ? INT32_MAX : (int)ms;
}

int ctl_conn_reply(struct ctl_conn *c, const char *json)
{
	return send_line(c->fd, json);
}

void ctl_conn_close(struct ctl_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
	c->len = 0;
}

/* ---- client side ---- */

static int remaining_ms(uint64_t deadline)
{
	uint64_t now = mono_now_ns();

	return now >= deadline ? 0 : (int)((deadline - now + 999999) / 1000000);
}

/* Waits for events on fd until deadline: 0, -ETIMEDOUT, or -errno. */
static int wait_fd(int fd, short events, uint64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;

	for (;;) {
		n = poll(&p, 1, remaining_ms(deadline));
		if (n > 0)
			return 0;
		if (n == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

/* Only a daemon of root's (or of our own euid) may get our requests and be believed. */
static int check_peer(int fd, const char *path)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len))
		return -errno;
	if (cr.uid == 0 || cr.uid == geteuid())
		return 0;
	pr_warn("control socket '%s': peer uid %u is not root: refusing", path,
		(unsigned int)cr.uid);
	return -EPERM;
}

static int connect_by(int fd, const struct sockaddr_un *sa, uint64_t deadline)
{
	struct timeval tv;
	int ms = remaining_ms(deadline);

	/* A Unix connect() waits only when the listener's backlog is full: SO_SNDTIMEO bounds
	 * that wait, which then ends in EAGAIN. */
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000 + (ms ? 0 : 1);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (!connect(fd, (const struct sockaddr *)sa, sizeof(*sa)))
		return 0;
	return errno == EAGAIN || errno == EINPROGRESS ? -ETIMEDOUT : -errno;
}

static int send_all_by(int fd, const char *p, size_t len, uint64_t deadline)
{
	ssize_t n;
	int err;

	while (len) {
		n = send(fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n >= 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return -errno;
		err = wait_fd(fd, POLLOUT, deadline);
		if (err)
			return err;
	}
	return 0;
}

int ctl_request_timeout(const char *path, const char *req, char **reply, unsigned int timeout_ms)
{
	uint64_t deadline = mono_now_ns() + (uint64_t)timeout_ms * 1000000ULL;
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
	err = connect_by(fd, &sa, deadline);
	err = err ?: check_peer(fd, path);
	if (!err && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK))
		err = -errno;
	err = err ?: send_all_by(fd, req, strlen(req), deadline);
	err = err ?: send_all_by(fd, "\n", 1, deadline);
	if (err)
		goto out;
	shutdown(fd, SHUT_WR);
	buf = malloc(CTL_MSG_MAX);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	/* The deadline is the whole answer's: a reply dribbled a byte at a time ends there. */
	while (got < CTL_MSG_MAX - 1) {
		n = read(fd, buf + got, CTL_MSG_MAX - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EWOULDBLOCK) {
			err = wait_fd(fd, POLLIN, deadline);
			if (err)
				goto out;
			continue;
		}
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
	if (err == -ETIMEDOUT)
		pr_warn("control socket '%s': arxdpd did not answer within %u ms: busy or stuck "
			"(a daemon listens there)",
			path, timeout_ms);
	free(buf);
	close(fd);
	return err;
}

int ctl_request(const char *path, const char *req, char **reply)
{
	return ctl_request_timeout(path, req, reply, CTL_CLIENT_TIMEOUT_MS);
}
