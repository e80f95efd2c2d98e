// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* This file contains the snapshot writer and loader declared in state.h (JSON via cJSON). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cjson/cJSON.h>
#include "arxdp.h"
#include "log.h"
#include "match.h"
#include "state.h"
#include "util.h"

/* The key forms a saved block keeps: the operator's hold and whether execd held it. */
#define STATE_KEYS (ARXDP_KEY_OPERATOR | ARXDP_KEY_PLAIN | ARXDP_KEY_MAPPED)

#define STATE_VERSION 1
#define STATE_MAX_BYTES (1ULL << 31)
#define STATE_TMP "." STATE_FILE ".tmp"

void pending_free(struct pending_delete *p)
{
	if (!p)
		return;
	free(p->rkey);
	free(p->json);
	free(p);
}

void queued_free_all(struct queued_run *list)
{
	struct queued_run *next;

	for (; list; list = next) {
		next = list->next;
		free(list->exe);
		free(list->json);
		free(list);
	}
}

void pending_free_all(struct pending_delete *list)
{
	struct pending_delete *next;

	for (; list; list = next) {
		next = list->next;
		pending_free(list);
	}
}

static int add_u64(cJSON *o, const char *k, uint64_t v)
{
	char buf[24];

	/* As a string: a double loses precision above 2^53 (inodes, ns stamps). */
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	return cJSON_AddStringToObject(o, k, buf) ? 0 : -ENOMEM;
}

static uint64_t get_u64(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	/* strtoull takes "-5" as 2^64 - 5: a sign is no number of ours, read as 0. */
	if (cJSON_IsString(v))
		return strchr(v->valuestring, '-') ? 0 : strtoull(v->valuestring, NULL, 10);
	/* Outside [0, 2^64) the conversion is undefined behaviour: a corrupt file reads as 0. */
	if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 18446744073709551616.0)
		return (uint64_t)v->valuedouble;
	return 0;
}

/* A field narrower than 64 bits: a value beyond max is said and clamped, never wrapped. */
static uint64_t get_capped(const cJSON *o, const char *k, uint64_t max, const char *path, int i)
{
	uint64_t v = get_u64(o, k);

	if (v <= max)
		return v;
	pr_warn("state '%s': entry #%d: '%s' %llu is out of range (at most %llu): using %llu", path,
		i, k, (unsigned long long)v, (unsigned long long)max, (unsigned long long)max);
	return max;
}

static const char *get_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int block_to_json(struct bmeta *m, void *ctx)
{
	cJSON *arr = ctx, *o = cJSON_CreateObject();
	char buf[ADDR_STRLEN];
	int err = 0;

	if (!o)
		return -ENOMEM;
	cJSON_AddItemToArray(arr, o);
	if (!cJSON_AddStringToObject(o, "addr", addr_format(&m->addr, buf, sizeof(buf))) ||
	    !cJSON_AddStringToObject(o, "exe", m->exe))
		return -ENOMEM;
	/* Re-derived from the monotonic stamp at every save: a clock step since the block was
	 * made does not move its expiry (a stored wall time would). */
	err = err   ?:
		      add_u64(o, "expires_wall_ns",
			      bmeta_expiry_wall(m->v.expires_ns, mono_now_ns(), wall_now_ns()));
	err = err ?: add_u64(o, "added_wall_ns", m->v.added_ns);
	err = err ?: add_u64(o, "seq", m->v.seq);
	if (err || !cJSON_AddNumberToObject(o, "timeout", m->v.timeout_s) ||
	    !cJSON_AddNumberToObject(o, "rule_id", m->v.rule_id) ||
	    !cJSON_AddNumberToObject(o, "level", m->v.level) ||
	    !cJSON_AddNumberToObject(o, "origin", m->v.origin) ||
	    !cJSON_AddNumberToObject(o, "offenses", m->v.offenses) ||
	    !cJSON_AddNumberToObject(o, "keys", m->v.keys & STATE_KEYS))
		return -ENOMEM;
	if (m->alert && !cJSON_AddStringToObject(o, "alert", m->alert))
		return -ENOMEM;
	return 0;
}

static int offender_to_json(const char *rkey, uint32_t count, void *ctx)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return -ENOMEM;
	cJSON_AddItemToArray(ctx, o);
	if (!cJSON_AddStringToObject(o, "rkey", rkey) ||
	    !cJSON_AddNumberToObject(o, "count", count))
		return -ENOMEM;
	return 0;
}

/* Oldest first, so that a load puts them back in the order they were recorded. */
static int seen_to_json(cJSON *root, const struct state_seen *seen)
{
	cJSON *arr = cJSON_AddArrayToObject(root, "seen"), *o;
	char hex[17];
	uint32_t i;

	if (!arr)
		return -ENOMEM;
	for (i = 0; seen && seen->cap && i < seen->n; i++) {
		snprintf(hex, sizeof(hex), "%016llx",
			 (unsigned long long)seen->keys[(seen->first + i) % seen->cap]);
		o = cJSON_CreateString(hex);
		if (!o || !cJSON_AddItemToArray(arr, o))
			return -ENOMEM;
	}
	return 0;
}

int state_save(const char *dir, const struct tail_pos *pos, const struct btable *bt,
	       struct offender_table *off, const struct pending_delete *pending,
	       const struct state_maps *maps, const struct queued_run *queued)
{
	return state_save_seen(dir, pos, bt, off, pending, maps, queued, NULL);
}

int state_save_seen(const char *dir, const struct tail_pos *pos, const struct btable *bt,
		    struct offender_table *off, const struct pending_delete *pending,
		    const struct state_maps *maps, const struct queued_run *queued,
		    const struct state_seen *seen)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	cJSON *root = NULL, *o, *arr;
	char *text = NULL;
	int fd = -1, dfd = -1, err = 0;

	if (snprintf(path, sizeof(path), "%s/%s", dir, STATE_FILE) >= (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s/%s", dir, STATE_TMP) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	root = cJSON_CreateObject();
	if (!root || !cJSON_AddNumberToObject(root, "version", STATE_VERSION)) {
		err = -ENOMEM;
		goto out;
	}
	add_u64(root, "saved_wall_ns", wall_now_ns());
	if (maps && maps->boot_id[0]) {
		o = cJSON_AddObjectToObject(root, "maps");
		if (!o || !cJSON_AddStringToObject(o, "boot_id", maps->boot_id) ||
		    !cJSON_AddNumberToObject(o, "map_id", maps->map_id)) {
			err = -ENOMEM;
			goto out;
		}
	}
	if (pos) {
		o = cJSON_AddObjectToObject(root, "alerts");
		if (!o) {
			err = -ENOMEM;
			goto out;
		}
		err = add_u64(o, "dev", pos->dev);
		err = err ?: add_u64(o, "ino", pos->ino);
		err = err ?: add_u64(o, "offset", pos->offset);
		err = err ?: add_u64(o, "lineno", pos->lineno);
		err = err ?: add_u64(o, "seq", pos->seq);
		if (err)
			goto out;
	}
	arr = cJSON_AddArrayToObject(root, "blocks");
	err = arr ? btable_foreach(bt, block_to_json, arr) : -ENOMEM;
	if (err)
		goto out;
	arr = cJSON_AddArrayToObject(root, "offenders");
	err = arr ? (off ? offenders_foreach(off, offender_to_json, arr) : 0) : -ENOMEM;
	if (err)
		goto out;
	arr = cJSON_AddArrayToObject(root, "pending");
	if (!arr) {
		err = -ENOMEM;
		goto out;
	}
	for (; pending; pending = pending->next) {
		o = cJSON_CreateObject();
		if (!o) {
			err = -ENOMEM;
			goto out;
		}
		cJSON_AddItemToArray(arr, o);
		if (!cJSON_AddStringToObject(o, "exe", pending->exe) ||
		    !cJSON_AddStringToObject(o, "rkey", pending->rkey) ||
		    !cJSON_AddStringToObject(o, "json", pending->json) ||
		    !cJSON_AddNumberToObject(o, "timeout", pending->timeout_s)) {
			err = -ENOMEM;
			goto out;
		}
		/* In memory on the monotonic clock (a clock step never fires a delete early);
		 * as wall time in the file, which must outlive a reboot. */
		err = add_u64(
			o, "deadline_wall_ns",
			bmeta_expiry_wall(pending->deadline_mono_ns, mono_now_ns(), wall_now_ns()));
		if (err)
			goto out;
	}
	if (queued) {
		arr = cJSON_AddArrayToObject(root, "queued");
		if (!arr) {
			err = -ENOMEM;
			goto out;
		}
	}
	for (; queued; queued = queued->next) {
		o = cJSON_CreateObject();
		if (!o || !cJSON_AddItemToArray(arr, o) ||
		    !cJSON_AddStringToObject(o, "exe", queued->exe) ||
		    !cJSON_AddStringToObject(o, "json", queued->json) ||
		    !cJSON_AddNumberToObject(o, "timeout", queued->timeout_s) ||
		    !cJSON_AddBoolToObject(o, "delete", queued->is_delete)) {
			err = -ENOMEM;
			goto out;
		}
	}
	err = seen_to_json(root, seen);
	if (err)
		goto out;
	text = cJSON_PrintUnformatted(root);
	if (!text) {
		err = -ENOMEM;
		goto out;
	}
	/* Every step relative to one directory fd: a directory renamed or swapped meanwhile
	 * does not move where the file goes. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		err = -errno;
		pr_warn("state directory '%s': cannot open: %s", dir, strerror(-err));
		goto out;
	}
	/* A temporary file of a crash, or a link another user planted: the name goes (unlink
	 * removes a link, never its target), and O_EXCL creates a new file of ours or fails. */
	if (unlinkat(dfd, STATE_TMP, 0) && errno != ENOENT) {
		err = -errno;
		pr_warn("state '%s': cannot remove the old temporary file: %s", tmp,
			strerror(-err));
		goto out;
	}
	fd = openat(dfd, STATE_TMP, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = -errno;
		pr_warn("state '%s': cannot write: %s", tmp, strerror(-err));
		goto out;
	}
	err = write_all(fd, text, strlen(text));
	err = err ?: write_all(fd, "\n", 1);
	if (!err && fsync(fd))
		err = -errno;
	if (err) {
		pr_warn("state '%s': write failed: %s; the previous state stays", tmp,
			strerror(-err));
		unlinkat(dfd, STATE_TMP, 0);
		goto out;
	}
	/* The name is replaced, whatever it was (a link included); nothing is followed. */
	if (renameat(dfd, STATE_TMP, dfd, STATE_FILE)) {
		err = -errno;
		pr_warn("state '%s': cannot replace: %s", path, strerror(-err));
		unlinkat(dfd, STATE_TMP, 0);
		goto out;
	}
	/* The rename itself must reach the disk, or a crash could bring the old file back. */
	fsync(dfd);
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	free(text);
	cJSON_Delete(root);
	return err;
}

static int read_file(const char *path, char **out)
{
	const char *why = NULL;
	struct stat st;
	char *buf;
	ssize_t n;
	size_t got = 0;
	int fd, err = 0;

	/* Not through a link, not from a FIFO (that would hang the start): not a state file. */
	fd = open_regular(path, O_RDONLY, 0, &why);
	if (fd == -EINVAL || fd == -ELOOP) {
		pr_warn("state '%s': %s: not read", path, why);
		return -EBADMSG;
	}
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) || (uint64_t)st.st_size > STATE_MAX_BYTES) {
		close(fd);
		return -EFBIG;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	buf[got] = '\0';
	*out = buf;
	return 0;
}

static int load_blocks(const cJSON *arr, struct btable *bt, const char *path)
{
	const cJSON *o;
	int i = 0;

	cJSON_ArrayForEach(o, arr)
	{
		const char *addr = get_str(o, "addr"), *exe = get_str(o, "exe");
		const char *alert = get_str(o, "alert");
		struct arxdp_addr a;
		struct bmeta *m;

		i++;
		if (!addr || addr_parse(addr, &a, NULL, 0)) {
			pr_warn("state '%s': block #%d: missing or bad 'addr': skipped", path, i);
			continue;
		}
		m = btable_upsert(bt, &a);
		if (!m || bmeta_set_alert(m, alert))
			return -ENOMEM;
		str_copy(m->exe, exe ? exe : "firewall-drop", sizeof(m->exe));
		m->v.expires_ns = bmeta_expiry_mono(get_u64(o, "expires_wall_ns"), mono_now_ns(),
						    wall_now_ns());
		m->v.added_ns = get_u64(o, "added_wall_ns");
		m->v.seq = get_u64(o, "seq");
		m->v.timeout_s = (uint32_t)get_capped(o, "timeout", UINT32_MAX, path, i);
		m->v.rule_id = (uint32_t)get_capped(o, "rule_id", UINT32_MAX, path, i);
		m->v.level = (uint8_t)get_capped(o, "level", UINT8_MAX, path, i);
		m->v.origin = (uint8_t)get_capped(o, "origin", ARXDP_ORIGIN_MAX - 1, path, i);
		m->v.offenses = (uint32_t)get_capped(o, "offenses", UINT32_MAX, path, i);
		/* execd's key forms only say that execd held the block when it was saved: the
		 * restore (persist.c) ends that hold, for execd's timers never outlive it. */
		m->v.keys = (uint8_t)get_capped(o, "keys", UINT8_MAX, path, i) & STATE_KEYS;
		m->v.prefixlen = a.prefixlen;
	}
	return 0;
}

/* The queue a clean stop left, in its order; an entry without exe or json is said, skipped. */
static int load_queued(const cJSON *arr, struct queued_run **out, const char *path)
{
	struct queued_run **tail = out, *q;
	const cJSON *o;
	int i = 0;

	cJSON_ArrayForEach(o, arr)
	{
		const cJSON *exe = cJSON_GetObjectItemCaseSensitive(o, "exe");
		const cJSON *json = cJSON_GetObjectItemCaseSensitive(o, "json");

		i++;
		if (!cJSON_IsString(exe) || !cJSON_IsString(json) || !exe->valuestring[0]) {
			pr_warn("state '%s': queued run #%d without exe or json: skipped", path, i);
			continue;
		}
		q = calloc(1, sizeof(*q));
		if (q) {
			q->exe = strdup(exe->valuestring);
			q->json = strdup(json->valuestring);
		}
		if (!q || !q->exe || !q->json) {
			queued_free_all(q);
			return -ENOMEM;
		}
		q->timeout_s = (uint32_t)get_capped(o, "timeout", UINT32_MAX, path, i);
		q->is_delete = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "delete"));
		*tail = q;
		tail = &q->next;
	}
	return 0;
}

/* One key as seen_to_json writes it: 16 hex digits, never 0 (the dedupe's empty slot). */
static bool parse_key(const cJSON *o, uint64_t *h)
{
	const char *s = cJSON_IsString(o) ? o->valuestring : "";

	if (strlen(s) != 16 || strspn(s, "0123456789abcdefABCDEF") != 16)
		return false;
	*h = strtoull(s, NULL, 16);
	return *h != 0;
}

/* The newest keep keys of the file's "seen", oldest first; a bad entry is said and skipped. */
static int load_seen(const cJSON *root, struct state_seen *out, uint32_t keep, const char *path)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "seen"), *o;
	size_t n, skip, i = 0;
	uint64_t h;

	if (!arr) {
		pr_info("state '%s': no 'seen' field (an older arxdpd's file): the dedupe of execq "
			"and alerts.json starts empty",
			path);
		return 0;
	}
	if (!cJSON_IsArray(arr)) {
		pr_warn("state '%s': 'seen' is not a list: the dedupe of execq and alerts.json "
			"starts empty",
			path);
		return 0;
	}
	n = (size_t)cJSON_GetArraySize(arr);
	/* The older ones would be pushed out of the ring anyway: they are not even read. */
	skip = n > keep ? n - keep : 0;
	if (n == skip)
		return 0;
	out->keys = calloc(n - skip, sizeof(*out->keys));
	if (!out->keys)
		return -ENOMEM;
	out->cap = (uint32_t)(n - skip);
	cJSON_ArrayForEach(o, arr)
	{
		if (++i <= skip)
			continue;
		if (!parse_key(o, &h)) {
			pr_warn("state '%s': 'seen' entry #%zu: not a key (16 hex digits): skipped",
				path, i);
			continue;
		}
		out->keys[out->n++] = h;
	}
	return 0;
}

int state_load(const char *dir, struct tail_pos *pos, bool *have_pos, struct btable *bt,
	       struct offender_table *off, struct pending_delete **pending, struct state_maps *maps,
	       struct queued_run **queued)
{
	return state_load_seen(dir, pos, have_pos, bt, off, pending, maps, queued, NULL);
}

int state_load_seen(const char *dir, struct tail_pos *pos, bool *have_pos, struct btable *bt,
		    struct offender_table *off, struct pending_delete **pending,
		    struct state_maps *maps, struct queued_run **queued, struct state_seen *seen)
{
	uint32_t keep = seen ? seen->cap : 0;
	char path[PATH_MAX], *text = NULL;
	const cJSON *o, *arr;
	cJSON *root = NULL;
	int err, i;

	if (seen)
		*seen = (struct state_seen){};
	*have_pos = false;
	*pending = NULL;
	if (queued)
		*queued = NULL;
	if (snprintf(path, sizeof(path), "%s/%s", dir, STATE_FILE) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	err = read_file(path, &text);
	if (err)
		return err;
	root = cJSON_Parse(text);
	if (!root || !cJSON_IsObject(root) ||
	    !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(root, "version"))) {
		pr_warn("state '%s': not a state file (corrupt JSON)", path);
		err = -EBADMSG;
		goto out;
	}
	if (maps) {
		memset(maps, 0, sizeof(*maps));
		o = cJSON_GetObjectItemCaseSensitive(root, "maps");
		if (cJSON_IsObject(o) && get_str(o, "boot_id")) {
			str_copy(maps->boot_id, get_str(o, "boot_id"), sizeof(maps->boot_id));
			maps->map_id = (uint32_t)get_capped(o, "map_id", UINT32_MAX, path, 0);
		}
	}
	o = cJSON_GetObjectItemCaseSensitive(root, "alerts");
	if (cJSON_IsObject(o)) {
		pos->dev = get_u64(o, "dev");
		pos->ino = get_u64(o, "ino");
		pos->offset = get_u64(o, "offset");
		pos->lineno = get_u64(o, "lineno");
		pos->seq = get_u64(o, "seq");
		*have_pos = true;
	}
	err = load_blocks(cJSON_GetObjectItemCaseSensitive(root, "blocks"), bt, path);
	if (err)
		goto out;
	arr = cJSON_GetObjectItemCaseSensitive(root, "offenders");
	i = 0;
	cJSON_ArrayForEach(o, arr)
	{
		const char *rkey = get_str(o, "rkey");

		i++;
		if (!off)
			continue;
		/* offenders_set refuses an empty key: one bad entry must not lose the whole state. */
		if (!rkey || !*rkey) {
			pr_warn("state '%s': offender #%d: missing or empty 'rkey': skipped", path,
				i);
			continue;
		}
		err = offenders_set(off, rkey,
				    (uint32_t)get_capped(o, "count", UINT32_MAX, path, i));
		if (err)
			goto out;
	}
	arr = cJSON_GetObjectItemCaseSensitive(root, "pending");
	i = 0;
	cJSON_ArrayForEach(o, arr)
	{
		const char *exe = get_str(o, "exe"), *rkey = get_str(o, "rkey");
		const char *json = get_str(o, "json");
		struct pending_delete *p;

		i++;
		if (!exe || !rkey || !json) {
			pr_warn("state '%s': pending delete without exe, rkey or json: skipped",
				path);
			continue;
		}
		p = calloc(1, sizeof(*p));
		if (!p || !(p->rkey = strdup(rkey)) || !(p->json = strdup(json))) {
			pending_free(p);
			err = -ENOMEM;
			goto out;
		}
		str_copy(p->exe, exe, sizeof(p->exe));
		p->deadline_mono_ns = bmeta_expiry_mono(get_u64(o, "deadline_wall_ns"),
							mono_now_ns(), wall_now_ns());
		p->timeout_s = (uint32_t)get_capped(o, "timeout", UINT32_MAX, path, i);
		p->next = *pending;
		*pending = p;
	}
	if (queued) {
		err = load_queued(cJSON_GetObjectItemCaseSensitive(root, "queued"), queued, path);
		if (err)
			goto out;
	}
	if (seen)
		err = load_seen(root, seen, keep, path);
out:
	if (err && seen) {
		free(seen->keys);
		*seen = (struct state_seen){};
	}
	cJSON_Delete(root);
	free(text);
	return err;
}
