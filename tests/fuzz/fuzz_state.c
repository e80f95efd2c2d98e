// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: arxdpd's state loader. The input becomes <dir>/state.json in a private
 * directory on tmpfs (/dev/shm), since state_load reads a file. A corrupt file must be refused
 * or partly loaded, never crash or leak; whatever loads must survive a save and a reload with
 * the same number of blocks, offenders and pending deletes (the restart path of the daemon).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "btable.h"
#include "log.h"
#include "match.h"
#include "state.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], path[128];

static void quiet(enum log_level l, const char *msg, void *ctx)
{
}

static void cleanup(void)
{
	char tmp[160];

	unlink(path);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, STATE_FILE);
	unlink(tmp);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_init("fuzz", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	log_set_sink(quiet, NULL);
	strcpy(dir, access("/dev/shm", W_OK) ? "/tmp/arxdp-fuzz-state.XXXXXX" :
					       "/dev/shm/arxdp-fuzz-state.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/%s", dir, STATE_FILE);
	atexit(cleanup);
	return 0;
}

static size_t count_pending(const struct pending_delete *p)
{
	size_t n = 0;

	for (; p; p = p->next)
		n++;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct btable *bt = btable_new(), *bt2 = btable_new();
	struct offender_table *off = offenders_new(), *off2 = offenders_new();
	struct pending_delete *pending = NULL, *pending2 = NULL;
	struct tail_pos pos = {}, pos2 = {};
	bool have_pos = false, have_pos2 = false;
	/* The dedupe's keys too: their field is parsed as the rest is (hex strings). */
	struct state_seen seen = { .cap = 64 }, seen2 = { .cap = 64 };
	int fd, err;

	if (!bt || !bt2 || !off || !off2)
		abort();
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);

	err = state_load_seen(dir, &pos, &have_pos, bt, off, &pending, NULL, NULL, &seen);
	if (err == 0) {
		if (state_save_seen(dir, have_pos ? &pos : NULL, bt, off, pending, NULL, NULL,
				    &seen))
			abort();
		if (state_load_seen(dir, &pos2, &have_pos2, bt2, off2, &pending2, NULL, NULL,
				    &seen2))
			abort();
		if (seen.n != seen2.n)
			abort();
		if (btable_size(bt) != btable_size(bt2) ||
		    offenders_size(off) != offenders_size(off2) ||
		    count_pending(pending) != count_pending(pending2) || have_pos != have_pos2 ||
		    (have_pos && memcmp(&pos, &pos2, sizeof(pos))))
			abort();
	} else if (err != -EBADMSG && err != -ENOMEM) {
		abort(); /* the file exists and is small: only "corrupt" is a valid refusal */
	}
	free(seen.keys);
	free(seen2.keys);
	pending_free_all(pending);
	pending_free_all(pending2);
	btable_free(bt);
	btable_free(bt2);
	offenders_free(off);
	offenders_free(off2);
	return 0;
}
