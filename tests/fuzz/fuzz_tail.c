// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: the alerts.json follower against a model. The input is written to a file
 * on tmpfs in fuzzer-chosen chunks, with tail_poll after each, optionally rotating the file
 * (Wazuh's re-link) halfway or truncating it. Every complete line must come out exactly once,
 * in order, cut to max_line with too_long set when longer; a partial last line never comes
 * out; the position afterwards is the byte after the last newline. A NUL byte is no part of
 * a line: it ends the line being read (handed out without it), and NULs at a line start are
 * skipped.
 *
 * Input: byte 0 = max_line - 1 (1..64), byte 1 = chunking seed, byte 2 = mode (bit 0: rotate
 * halfway, bit 1: truncate halfway), then the file content.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "log.h"
#include "tail.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], path[128], old[128];

struct expect {
	const uint8_t *data; /* the model: the complete lines, in order */
	size_t len, off; /* bytes of data consumed by the lines seen so far */
	size_t max_line;
	size_t lines;
};

static void quiet(enum log_level l, const char *msg, void *ctx)
{
}

static void cleanup(void)
{
	unlink(path);
	unlink(old);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_init("fuzz", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	log_set_sink(quiet, NULL);
	strcpy(dir, access("/dev/shm", W_OK) ? "/tmp/arxdp-fuzz-tail.XXXXXX" :
					       "/dev/shm/arxdp-fuzz-tail.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/alerts.json", dir);
	snprintf(old, sizeof(old), "%s/alerts.json.1", dir);
	atexit(cleanup);
	return 0;
}

/* The next line of the model from off: its start, length and terminator, or NULL if none. */
static const uint8_t *next_line(const struct expect *e, size_t off, size_t *start, size_t *len)
{
	const uint8_t *p = e->data, *end;

	while (off < e->len && !p[off])
		off++; /* NULs at a line start belong to no line */
	*start = off;
	for (end = p + off; end < p + e->len && *end != '\n' && *end; end++)
		;
	if (end == p + e->len)
		return NULL;
	*len = (size_t)(end - (p + off));
	return end;
}

/* Checks one emitted line against the next complete line of the model. */
static int on_line(const char *line, size_t len, const struct tail_pos *at, bool too_long,
		   void *ctx)
{
	struct expect *e = ctx;
	size_t start, want;

	if (e->off >= e->len)
		abort(); /* a line that was never written */
	if (!next_line(e, e->off, &start, &want))
		abort(); /* a partial line handed out */
	if (too_long != (want > e->max_line))
		abort();
	if (len != (too_long ? e->max_line : want) || memcmp(line, e->data + start, len))
		abort();
	e->off = start + want + 1;
	e->lines++;
	if (at->lineno == 0)
		abort();
	return 0;
}

/* Whether a complete line of the model from off to end never came out. */
static bool line_left(const struct expect *e, size_t end)
{
	size_t start, len;
	const uint8_t *t = next_line(e, e->off, &start, &len);

	return t && (size_t)(t - e->data) < end;
}

static void append(int fd, const uint8_t *p, size_t n)
{
	if (n && write(fd, p, n) != (ssize_t)n)
		abort();
}

/* Writes data[0..n) in chunks chosen by seed, polling after each. */
static void feed(struct tail *t, int fd, const uint8_t *d, size_t n, unsigned int seed,
		 struct expect *e)
{
	size_t done = 0, step;

	while (done < n) {
		seed = seed * 1103515245u + 12345u;
		step = 1 + (seed >> 16) % 97;
		if (step > n - done)
			step = n - done;
		append(fd, d + done, step);
		done += step;
		if (tail_poll(t, on_line, e))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct expect e = {};
	struct tail t;
	size_t half;
	const uint8_t *nl;
	int fd;

	if (size < 3 || size > 65536)
		return 0;
	e.max_line = 1 + data[0] % 64;
	e.data = data + 3;
	e.len = size - 3;
	unlink(old);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		abort();
	if (tail_open(&t, path, e.max_line, NULL, true))
		abort();
	/* Rotation and truncation happen on a line boundary, as Wazuh does them. */
	half = e.len / 2;
	nl = memchr(e.data + half, '\n', e.len - half);
	half = nl ? (size_t)(nl - e.data) + 1 : e.len;
	feed(&t, fd, e.data, half, data[1], &e);
	if (line_left(&e, half))
		abort(); /* a complete line of the first half never came out */
	if (half < e.len && (data[2] & 3)) {
		close(fd);
		if (data[2] & 1) {
			if (rename(path, old))
				abort();
			fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		} else {
			/* In place: the follower must start over on the shorter file. */
			fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
		}
		if (fd < 0)
			abort();
		/* The model continues with the rest of the input only. */
		e.data += half;
		e.len -= half;
		e.off = 0;
		if (tail_poll(&t, on_line, &e))
			abort();
		feed(&t, fd, e.data, e.len, data[1] ^ 0x5a, &e);
	} else {
		feed(&t, fd, e.data + half, e.len - half, data[1] ^ 0x5a, &e);
	}
	if (tail_poll(&t, on_line, &e))
		abort();
	/* Every complete line came out: only a partial line (no newline) may be left. */
	if (line_left(&e, e.len))
		abort();
	close(fd);
	tail_close(&t);
	return 0;
}
