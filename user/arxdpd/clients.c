// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the daemon's clients: the control socket's, the metrics port's and (in
 * the wazuh-execd mode) the com socket's connections, served from the event loop without ever
 * waiting on one. Each has a slot, a deadline for the whole exchange (a client that sends a byte now and then is dropped at it
 * like one that sends nothing) and an output buffer that goes out as the socket takes it.
 * The slots are apart per kind: a local user flooding the metrics port, which anyone on the
 * host can reach, never takes the place of root's `arxdp` on the control socket.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include "ctl.h"
#include "daemon.h"
#include "log.h"
#include "metrics.h"
#include "util.h"

#define CTL_REQUEST_TIMEOUT_MS 2000 /* the CLI waits CTL_CLIENT_TIMEOUT_MS in all */

static const unsigned int slots_of[] = { [CLIENT_CTL] = CLIENTS_CTL_MAX,
					 [CLIENT_HTTP] = METRICS_HTTP_CLIENTS,
					 [CLIENT_COM] = EXECD_COM_CLIENTS };
/* wcom_main answers each request at once; a com client gets the control socket's time. */
static const unsigned int timeout_of[] = { [CLIENT_CTL] = CTL_REQUEST_TIMEOUT_MS,
					   [CLIENT_HTTP] = METRICS_HTTP_TIMEOUT_MS,
					   [CLIENT_COM] = CTL_REQUEST_TIMEOUT_MS };
static const char *const
	name_of[] = { [CLIENT_CTL] = "control", [CLIENT_HTTP] = "metrics", [CLIENT_COM] = "com" };

static void drop(struct daemon *d, struct client *cl)
{
	if (cl->c.fd >= 0) {
		epoll_ctl(d->epfd, EPOLL_CTL_DEL, cl->c.fd, NULL);
		/* Writing side first, so the peer sees the end of the reply before any reset. */
		shutdown(cl->c.fd, SHUT_WR);
	}
	ctl_conn_close(&cl->c);
	free(cl->out);
	cl->out = NULL;
	cl->out_len = cl->out_off = 0;
	cl->kind = CLIENT_FREE;
}

static struct client *free_slot(struct daemon *d, enum client_kind kind)
{
	struct client *spare = NULL;
	unsigned int i, used = 0;

	for (i = 0; i < ARRAY_SIZE(d->clients); i++) {
		if (d->clients[i].kind == kind)
			used++;
		else if (d->clients[i].kind == CLIENT_FREE && !spare)
			spare = &d->clients[i];
	}
	return used < slots_of[kind] ? spare : NULL;
}

static void reject(int fd, enum client_kind kind)
{
	static const char busy[] = "HTTP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\n"
				   "Connection: close\r\n\r\n";

	if (kind == CLIENT_CTL) {
		ctl_reject(fd, "arxdpd is busy with other clients: try again");
		return;
	}
	if (kind == CLIENT_COM) {
		/* wcom_main serves one client at a time; the others find their connection closed. */
		close(fd);
		return;
	}
	send(fd, busy, sizeof(busy) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
	close(fd);
}

void clients_accept(struct daemon *d, int lfd, enum client_kind kind)
{
	struct epoll_event ev = { .events = EPOLLIN };
	unsigned int timeout = timeout_of[kind];
	struct client *cl;
	int fd;

	/* Bounded: a flood of connections costs an accept and a close each, no more. */
	for (unsigned int n = 0; n < 64; n++) {
		fd = ctl_accept(lfd);
		if (fd < 0) {
			if (fd != -EAGAIN)
				pr_debug("accept failed: %s", strerror(-fd));
			return;
		}
		cl = free_slot(d, kind);
		if (!cl) {
			reject(fd, kind);
			continue;
		}
		if (ctl_conn_init(&cl->c, fd, mono_now_ns(), timeout))
			continue; /* it closed fd */
		cl->tag.kind = SRC_CLIENT;
		cl->kind = kind;
		ev.data.ptr = cl;
		if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev))
			drop(d, cl);
	}
}

/* Sends what the socket takes; the rest waits for EPOLLOUT. true when all of it went. */
static bool flush_out(struct daemon *d, struct client *cl)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = cl };
	ssize_t n;

	while (cl->out_off < cl->out_len) {
		n = send(cl->c.fd, cl->out + cl->out_off, cl->out_len - cl->out_off,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			epoll_ctl(d->epfd, EPOLL_CTL_MOD, cl->c.fd, &ev);
			return false;
		}
		if (n <= 0) {
			cl->out_off = cl->out_len; /* the client went away: nothing more to send */
			break;
		}
		cl->out_off += (size_t)n;
	}
	return true;
}

/* The request is whole: the answer is built now, and sent as the socket takes it. */
static void answer(struct daemon *d, struct client *cl)
{
	char *reply;

	if (cl->kind == CLIENT_HTTP) {
		if (metrics_http_response(cl->c.buf, daemon_render_metrics, d, &cl->out,
					  &cl->out_len))
			return;
	} else if (cl->kind == CLIENT_COM) {
		reply = execd_com_answer(d, cl->c.buf);
		if (!reply || execd_com_frame(reply, strlen(reply), &cl->out, &cl->out_len))
			cl->out = NULL;
		free(reply);
		if (!cl->out)
			return;
	} else {
		reply = control_handle(d, cl->c.buf);
		if (!reply || asprintf(&cl->out, "%s\n", reply) < 0)
			cl->out = NULL;
		free(reply);
		if (!cl->out)
			return;
		cl->out_len = strlen(cl->out);
	}
	cl->out_off = 0;
}

/* HTTP's head ends with a blank line, not the first newline the control framing takes. */
static int feed_http(struct client *cl)
{
	ssize_t n;
	int done;

	for (;;) {
		n = ctl_conn_read(&cl->c, METRICS_HTTP_REQUEST_MAX, -E2BIG);
		if (n < 0)
			return (int)n;
		done = metrics_http_request_done(cl->c.buf, cl->c.len);
		if (done)
			return done < 0 ? done : 0;
	}
}

void clients_event(struct daemon *d, struct client *cl, uint32_t events)
{
	enum client_kind kind;
	int err;

	if (cl->out) {
		if (flush_out(d, cl))
			drop(d, cl);
		return;
	}
	err = cl->kind == CLIENT_HTTP ? feed_http(cl) :
	      cl->kind == CLIENT_COM  ? execd_com_feed(&cl->c) :
					ctl_conn_feed(&cl->c);
	if (err == -EAGAIN && !(events & (EPOLLHUP | EPOLLERR)))
		return;
	if (err == -E2BIG) {
		/* An oversized head still gets its 400, as the old server gave it. */
		cl->c.buf[0] = '\0';
		err = 0;
	}
	if (err) {
		drop(d, cl);
		return;
	}
	kind = cl->kind;
	answer(d, cl);
	if (!cl->out || flush_out(d, cl))
		drop(d, cl);
	/* A change the request made goes into the next snapshot, not a save now. */
	if (kind == CLIENT_CTL)
		daemon_save(d, false);
}

int clients_expire(struct daemon *d)
{
	uint64_t now = mono_now_ns();
	int next = -1, ms;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(d->clients); i++) {
		struct client *cl = &d->clients[i];

		if (cl->kind == CLIENT_FREE)
			continue;
		if (ctl_conn_expired(&cl->c, now)) {
			pr_debug("%s client: no whole request or reply within its time: dropped",
				 name_of[cl->kind]);
			drop(d, cl);
			continue;
		}
		ms = ctl_conn_remaining_ms(&cl->c, now);
		if (next < 0 || ms < next)
			next = ms;
	}
	return next;
}

void clients_close_all(struct daemon *d)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(d->clients); i++)
		if (d->clients[i].kind != CLIENT_FREE)
			drop(d, &d->clients[i]);
}
