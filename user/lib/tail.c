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

/*
 * Opens the file at t->path. -EAGAIN: something else than a regular file is there (said once
 * until a file opens again or the refusal changes); the caller retries at its next poll.
 */
static int open_current(struct tail *t, bool at_end)
{
	const char *why = NULL;
	struct stat st;
	int fd, err;

	fd = open_regular(t->path, O_RDONLY, 0, &why);
	if (fd == -ENOENT)
		return fd;
	if (fd == -EINVAL || fd == -ELOOP) {
		if (t->refused != why)
			pr_warn("alerts '%s': %s: not read; checked again at every poll", t->path,
				why);
		t->refused = why;
		return -EAGAIN;
	}
	if (fd < 0)
		return fd;
	if (fstat(fd, &st)) {
		err = -errno;
		close(fd);
		return err;
	}
	if (t->refused)
		pr_info("alerts '%s': a regular file again", t->path);
	t->refused = NULL;
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
	t->nul_bytes = 0;
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
	t->byte_budget = TAIL_BYTE_BUDGET;
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
				return err == -EAGAIN ? 0 : err;
			t->pos = *resume;
			if (lseek(t->fd, (off_t)resume->offset, SEEK_SET) < 0)
				return -errno;
			return 0;
		}
		/* Rotated while we were away: finish the old file first if it still exists. */
		str_copy(dir, path, sizeof(dir));
		if (find_inode(dirname(dir), FIND_DEPTH, resume->dev, resume->ino, old, sizeof(old),
			       &budget)) {
			int fd = open_regular(old, O_RDONLY, 0, NULL);

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
	return err == -EAGAIN ? 0 : err;
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

/* n NUL bytes consumed at a line start: no line, but they move the position. */
static void skip_nuls(struct tail *t, uint64_t n)
{
	if (!t->nul_bytes)
		pr_warn("alerts '%s': NUL bytes at offset %llu (a sparse or pre-allocated file?): "
			"skipped, the lines after them are read",
			t->path, (unsigned long long)t->pos.offset);
	t->nul_bytes += n;
	t->pos.offset += n;
	t->pos.seq += n;
}

/*
 * At a line start inside a run of NULs: a hole of a sparse file is stepped over by seeking to
 * the next data (or to the end when none follows), not read. A filesystem without SEEK_DATA
 * says the data goes on here, and the reads go on as they were.
 */
static int skip_hole(struct tail *t)
{
	off_t cur = lseek(t->fd, 0, SEEK_CUR), next;
	struct stat st;

	if (cur < 0)
		return -errno;
	next = lseek(t->fd, cur, SEEK_DATA);
	if (next < 0) {
		if (errno != ENXIO)
			return 0;
		if (fstat(t->fd, &st))
			return -errno;
		next = st.st_size;
	}
	if (next <= cur)
		return lseek(t->fd, cur, SEEK_SET) < 0 ? -errno : 0;
	if (lseek(t->fd, next, SEEK_SET) < 0)
		return -errno;
	skip_nuls(t, (uint64_t)(next - cur));
	return 0;
}

/* The line read so far ends here (a newline, or a NUL: then not counted as consumed twice). */
static int end_line(struct tail *t, tail_line_cb cb, void *ctx)
{
	int err;

	if (t->discarding)
		err = emit(t, cb, ctx, t->buf, t->max_line, t->len + 1, true);
	else
		err = emit(t, cb, ctx, t->buf, t->len, t->len + 1, false);
	t->discarding = false;
	t->len = 0;
	return err;
}

static void add_to_line(struct tail *t, const char *p, size_t take)
{
	if (t->discarding) {
		t->len += take; /* counts bytes only */
	} else if (t->len + take > t->max_line) {
		memcpy(t->buf + t->len, p, t->max_line - t->len);
		t->discarding = true;
		t->len += take;
	} else {
		memcpy(t->buf + t->len, p, take);
		t->len += take;
	}
}

/*
 * Reads fd to its current end, or until the line budget or the byte budget is spent (then
 * more is set), handing out complete lines.
 */
static int drain(struct tail *t, tail_line_cb cb, void *ctx, size_t *lines, size_t *bytes)
{
	char chunk[READ_CHUNK];
	ssize_t n;
	int err;

	for (;;) {
		size_t left, want = sizeof(chunk);
		char *p;

		if (t->byte_budget) {
			if (*bytes >= t->byte_budget) {
				t->more = true;
				return 0;
			}
			if (want > t->byte_budget - *bytes)
				want = t->byte_budget - *bytes;
		}
		n = read(t->fd, chunk, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return 0;
		*bytes += (size_t)n;
		p = chunk;
		left = (size_t)n;
		while (left) {
			char *nl, *nul;
			size_t take;

			if (!t->len && !t->discarding && !*p) {
				for (take = 1; take < left && !p[take]; take++)
					;
				skip_nuls(t, take);
				p += take;
				left -= take;
				continue;
			}
			nl = memchr(p, '\n', left);
			take = nl ? (size_t)(nl - p) : left;
			nul = memchr(p, '\0', take);
			if (nul) {
				take = (size_t)(nul - p);
				nl = nul;
			}
			add_to_line(t, p, take);
			if (!nl)
				break;
			err = end_line(t, cb, ctx);
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
		if (!t->len && !t->discarding && !chunk[n - 1]) {
			err = skip_hole(t);
			if (err)
				return err;
		}
	}
}

int tail_poll(struct tail *t, tail_line_cb cb, void *ctx)
{
	struct stat cur, st;
	size_t lines = 0, bytes = 0;
	int err;

	t->more = false;
	if (t->fd < 0) {
		err = open_current(t, false);
		if (err == -ENOENT || err == -EAGAIN)
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
	err = drain(t, cb, ctx, &lines, &bytes);
	if (err || t->more)
		return err;

	/* A new file under the name: the old one is complete (Wazuh never writes it again). */
	if (stat(t->path, &cur) || cur.st_ino != t->pos.ino || cur.st_dev != t->pos.dev) {
		bool exists = !stat(t->path, &cur);

		err = drain(t, cb, ctx, &lines, &bytes);
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
		if (err == -ENOENT || err == -EAGAIN)
			return 0;
		if (err)
			return err;
		pr_info("alerts '%s': rotated: following the new file", t->path);
		return drain(t, cb, ctx, &lines, &bytes);
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
