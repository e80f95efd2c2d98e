// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* This file contains the alerts.json follower declared in tail.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "log.h"
#include "tail.h"
#include "util.h"

#define READ_CHUNK 65536
/* logs/alerts/YYYY/Mon/ossec-alerts-DD.json: two levels below the directory of alerts.json. */
#define FIND_DEPTH 3
#define FIND_MAX_ENTRIES 100000

static int open_current(struct tail *t, bool at_end)
{
	struct stat st;
	int fd, err;

	fd = open(t->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		pr_warn("alerts '%s': not a regular file: waiting for the file to come back",
			t->path);
		return -EISDIR;
	}
	t->fd = fd;
	t->pos.dev = st.st_dev;
	t->pos.ino = st.st_ino;
	t->pos.lineno = 0;
	t->pos.offset = at_end ? (uint64_t)st.st_size : 0;
	if (at_end)
		t->pos.seq += (uint64_t)st.st_size;
	if (lseek(fd, (off_t)t->pos.offset, SEEK_SET) < 0)
		return -errno;
	t->len = 0;
	t->discarding = false;
	return 0;
}

/* Depth-limited search for the file that still has inode ino (rotated away while we were down). */
static int find_inode(const char *dir, int depth, uint64_t dev, uint64_t ino, char *out,
		      size_t outlen, int *budget)
{
	struct dirent *de;
	struct stat st;
	char path[PATH_MAX];
	DIR *d;
	int found = 0;

	if (depth < 0)
		return 0;
	d = opendir(dir);
	if (!d)
		return 0;
	while (!found && (de = readdir(d)) && (*budget)-- > 0) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (lstat(path, &st))
			continue;
		if (S_ISREG(st.st_mode) && st.st_ino == ino && st.st_dev == dev) {
			found = !str_copy(out, path, outlen);
		} else if (S_ISDIR(st.st_mode)) {
			found = find_inode(path, depth - 1, dev, ino, out, outlen, budget);
		}
	}
	closedir(d);
	return found;
}

int tail_open(struct tail *t, const char *path, size_t max_line, const struct tail_pos *resume,
	      bool from_start)
{
	char dir[PATH_MAX], old[PATH_MAX];
	struct stat st;
	int budget = FIND_MAX_ENTRIES, err;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->max_line = max_line;
	t->cap = max_line + 1;
	t->buf = malloc(t->cap);
	if (!t->buf)
		return -ENOMEM;
	err = str_copy(t->path, path, sizeof(t->path));
	if (err)
		return err;
	if (resume)
		t->pos.seq = resume->seq;

	if (resume && resume->ino) {
		if (!stat(path, &st) && st.st_ino == resume->ino && st.st_dev == resume->dev &&
		    (uint64_t)st.st_size >= resume->offset) {
			err = open_current(t, false);
			if (err)
				return err;
			t->pos = *resume;
			if (lseek(t->fd, (off_t)resume->offset, SEEK_SET) < 0)
				return -errno;
			return 0;
		}
		/* Rotated while we were away: finish the old file first if it still exists. */
		str_copy(dir, path, sizeof(dir));
		if (find_inode(dirname(dir), FIND_DEPTH, resume->dev, resume->ino, old, sizeof(old),
			       &budget)) {
			int fd = open(old, O_RDONLY | O_CLOEXEC);

			if (fd >= 0 && lseek(fd, (off_t)resume->offset, SEEK_SET) >= 0) {
				pr_info("alerts '%s': rotated while stopped: finishing '%s' from "
					"offset %llu first",
					path, old, (unsigned long long)resume->offset);
				t->fd = fd;
				t->pos = *resume;
				return 0;
			}
			if (fd >= 0)
				close(fd);
		}
		pr_warn("alerts '%s': the file read last (inode %llu) is gone: reading the "
			"current file from its start",
			path, (unsigned long long)resume->ino);
		from_start = true;
	}
	err = open_current(t, !from_start);
	if (err == -ENOENT) {
		pr_info("alerts '%s': does not exist yet: waiting for it", path);
		return 0;
	}
	return err == -EISDIR ? 0 : err;
}

static int emit(struct tail *t, tail_line_cb cb, void *ctx, const char *line, size_t len,
		size_t consumed, bool too_long)
{
	struct tail_pos at = t->pos;

	t->pos.offset += consumed;
	t->pos.seq += consumed;
	t->pos.lineno++;
	at.lineno = t->pos.lineno;
	return cb(line, len, &at, too_long, ctx);
}

/* Reads fd to its current end (or the line budget), handing out complete lines. */
static int drain(struct tail *t, tail_line_cb cb, void *ctx, size_t *lines)
{
	char chunk[READ_CHUNK];
	ssize_t n;
	int err;

	for (;;) {
		char *p, *nl;
		size_t left;

		n = read(t->fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return 0;
		p = chunk;
		left = (size_t)n;
		while (left) {
			nl = memchr(p, '\n', left);
			size_t take = nl ? (size_t)(nl - p) : left;

			if (t->discarding) {
				t->len += take; /* counts bytes only */
			} else if (t->len + take > t->max_line) {
				size_t room = t->max_line - t->len;

				memcpy(t->buf + t->len, p, room);
				t->discarding = true;
				t->len += take;
			} else {
				memcpy(t->buf + t->len, p, take);
				t->len += take;
			}
			if (!nl)
				break;
			if (t->discarding) {
				err = emit(t, cb, ctx, t->buf, t->max_line, t->len + 1, true);
				t->discarding = false;
			} else {
				err = emit(t, cb, ctx, t->buf, t->len, t->len + 1, false);
			}
			t->len = 0;
			if (err)
				return err;
			p = nl + 1;
			left -= take + 1;
			if (t->line_budget && ++*lines >= t->line_budget) {
				/* Give back what was read past the last line handed out. */
				if (left && lseek(t->fd, -(off_t)left, SEEK_CUR) < 0)
					return -errno;
				t->more = true;
				return 0;
			}
		}
	}
}

int tail_poll(struct tail *t, tail_line_cb cb, void *ctx)
{
	struct stat cur, st;
	size_t lines = 0;
	int err;

	t->more = false;
	if (t->fd < 0) {
		err = open_current(t, false);
		if (err == -ENOENT || err == -EISDIR)
			return 0;
		if (err)
			return err;
		pr_info("alerts '%s': opened", t->path);
	}
	if (fstat(t->fd, &st))
		return -errno;
	/* Truncated in place: what we had consumed is gone; start over from its beginning. */
	if ((uint64_t)st.st_size < t->pos.offset + t->len) {
		pr_warn("alerts '%s': truncated (size %lld < offset %llu): reading from the start",
			t->path, (long long)st.st_size, (unsigned long long)t->pos.offset);
		if (lseek(t->fd, 0, SEEK_SET) < 0)
			return -errno;
		t->pos.offset = 0;
		t->pos.lineno = 0;
		t->len = 0;
		t->discarding = false;
	}
	err = drain(t, cb, ctx, &lines);
	if (err || t->more)
		return err;

	/* A new file under the name: the old one is complete (Wazuh never writes it again). */
	if (stat(t->path, &cur) || cur.st_ino != t->pos.ino || cur.st_dev != t->pos.dev) {
		bool exists = !stat(t->path, &cur);

		err = drain(t, cb, ctx, &lines);
		if (err || t->more)
			return err;
		if (t->len)
			pr_warn("alerts '%s': rotated with a partial last line of %zu bytes: "
				"dropped",
				t->path, t->len);
		close(t->fd);
		t->fd = -1;
		/* The partial tail of the old file was never emitted; skip it in seq too. */
		t->pos.seq += t->len;
		t->len = 0;
		t->discarding = false;
		if (!exists)
			return 0;
		err = open_current(t, false);
		if (err == -ENOENT || err == -EISDIR)
			return 0;
		if (err)
			return err;
		pr_info("alerts '%s': rotated: following the new file", t->path);
		return drain(t, cb, ctx, &lines);
	}
	return 0;
}

void tail_close(struct tail *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	free(t->buf);
	t->buf = NULL;
}
