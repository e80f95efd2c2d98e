// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the drop-in `firewall-drop` for Wazuh's active responses: the stock
 * program's protocol, log lines and exit statuses, message for message (active_responses.c,
 * default-firewall-drop.c of 4.14.7), but the block goes into arxdp's pinned XDP maps instead
 * of iptables. When the maps are absent it falls back to iptables/nftables (or fails loudly, as
 * configured), so a host is never silently unprotected. Installed as firewalld-drop or
 * route-null it behaves the same under that name.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "addr.h"
#include "arlog.h"
#include "arproto.h"
#include "blocklist.h"
#include "config.h"
#include "fallback.h"
#include "log.h"
#include "settings.h"
#include "util.h"

/* Exit statuses of the stock program: OS_SUCCESS and OS_INVALID (-1, seen as 255). */
#define FD_OK 0
#define FD_INVALID 255
/* merror_exit() when the home cannot be entered. */
#define FD_NO_HOME 1

struct input;

struct drop_in {
	const char *name; /* argv[0] exactly as execd passed it */
	struct input *in; /* stdin */
	/* The stock program drops a line it cannot write; so do we (stderr is /dev/null). */
	struct arlog log;
};

static void ar(struct drop_in *d, const char *msg)
{
	arlog_line(&d->log, msg);
}

#define arf(d, ...) arlog_linef(&(d)->log, __VA_ARGS__)

/*
 * The lines so far go out before anything that waits or that another process sees: one write
 * per step instead of an open/write/close per line (arlog.h), the file the same.
 */
static void ar_flush(struct drop_in *d)
{
	arlog_flush(&d->log);
}

/* Library warnings (blocklist, config, fallback) belong to the protocol log too. */
static void ar_sink(enum log_level level, const char *msg, void *ctx)
{
	if (level <= LOG_LEVEL_INFO)
		ar(ctx, msg);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/*
 * The kernel's name of this executable is already the realpath() of it (the path of its
 * dentry: no symbolic link, "." or ".."), so realpath() would only readlink() every component
 * of it again. It is used as it is unless it is not a plain path (" (deleted)" after an
 * upgrade replaced the file, a path outside this root), which realpath() then judges.
 */
static int exe_path(char *exe, size_t len)
{
	static const char deleted[] = " (deleted)";
	ssize_t n = readlink("/proc/self/exe", exe, len);

	if (n > 0 && (size_t)n < len && exe[0] == '/') {
		exe[n] = '\0';
		if ((size_t)n < sizeof(deleted) || strcmp(exe + n - (sizeof(deleted) - 1), deleted))
			return 0;
	}
	return realpath("/proc/self/exe", exe) ? 0 : -errno;
}

/* w_homedir(): the realpath of this executable, cut before "/active-response". */
static int enter_home(const char *name)
{
	char exe[PATH_MAX], *cut;
	int err = exe_path(exe, sizeof(exe));

	if (err) {
		fprintf(stderr, "%s: cannot resolve '/proc/self/exe': %s\n", name, strerror(-err));
		return err;
	}
	cut = strstr(exe, "/active-response");
	if (!cut) {
		fprintf(stderr,
			"%s: Wazuh home '%s': not found: the program must live in "
			"<home>/active-response/bin (copy it there, do not symlink it)\n",
			name, exe);
		return -ENOENT;
	}
	*cut = '\0';
	if (chdir(exe[0] ? exe : "/")) {
		fprintf(stderr, "%s: Wazuh home '%s': cannot enter: %s\n", name, exe,
			strerror(errno));
		return -errno;
	}
	return 0;
}

/*
 * stdin as fgets() of OS_MAXSTR bytes reads it, as the stock program does: a line with its
 * newline, a longer one in pieces of len - 1 bytes, what follows a newline kept for the next
 * call, NULL at the end of input or at an error. read() fills a buffer of its own instead of
 * stdio's, whose set-up cost an fstat() and a 4 KiB buffer at every start. The stock program
 * zeroes the line buffer first; that is left out: zeroing 64 KiB faulted in 16 pages at every
 * start (docs/BENCHMARKS.md, start-up).
 */
struct input {
	char raw[AR_INPUT_MAX];
	size_t off, len; /* raw[off, len): read, not yet taken */
	bool eof;
};

static char *read_line(struct input *in, char *buf, size_t len)
{
	size_t n = 0, take;
	const char *nl;
	ssize_t r;

	while (n + 1 < len) {
		if (in->off < in->len) {
			take = in->len - in->off;
			if (take > len - 1 - n)
				take = len - 1 - n;
			nl = memchr(in->raw + in->off, '\n', take);
			if (nl)
				take = (size_t)(nl - (in->raw + in->off)) + 1;
			memcpy(buf + n, in->raw + in->off, take);
			n += take;
			in->off += take;
			if (nl)
				break;
			continue;
		}
		if (in->eof)
			break;
		r = read(STDIN_FILENO, in->raw, sizeof(in->raw));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return NULL;
		in->off = 0;
		in->len = (size_t)r;
		in->eof = r == 0;
	}
	if (!n)
		return NULL;
	buf[n] = '\0';
	return buf;
}

/* Validates one stdin line; logs the stock error and returns NULL when it is not AR JSON. */
static cJSON *read_message(struct drop_in *d, char *buf, size_t len)
{
	cJSON *msg;

	ar_flush(d);
	if (!read_line(d->in, buf, len)) {
		ar(d, "Cannot read input from stdin");
		return NULL;
	}
	ar(d, buf);
	if (arproto_parse(buf, &msg)) {
		ar(d, "Invalid input format");
		return NULL;
	}
	return msg;
}

/* Sends the check_keys line, reads execd's answer: 0 continue, 1 abort, -1 error (logged). */
static int handshake(struct drop_in *d, const char *srcip, char *buf, size_t len)
{
	const char *keys[] = { srcip };
	enum ar_command c;
	cJSON *reply;
	char *line, *nl;
	size_t n;

	line = arproto_check_keys(base_name(d->name), keys, 1);
	n = line ? strlen(line) : 0;
	nl = line ? realloc(line, n + 2) : NULL;
	if (!nl) {
		free(line);
		ar(d, "Cannot build the check_keys message: out of memory");
		return -1;
	}
	line = nl;
	ar(d, line);
	ar_flush(d);
	/*
	 * The one line the program writes to stdout, in one write(): stdio's stdout would cost an
	 * fstat(), an ioctl() and a 4 KiB buffer at every add for these bytes. A failed write is
	 * not reported, as the stock program's printf() and fflush() are not: execd's answer
	 * (or its absence) decides.
	 */
	line[n] = '\n';
	line[n + 1] = '\0';
	(void)write_all(STDOUT_FILENO, line, n + 1);
	free(line);
	reply = read_message(d, buf, len);
	if (!reply)
		return -1;
	c = arproto_command(reply);
	cJSON_Delete(reply);
	if (c == AR_CMD_CONTINUE)
		return 0;
	if (c == AR_CMD_ABORT)
		return 1;
	ar(d, "Invalid value of 'command'");
	return -1;
}

static void load_settings(struct drop_in *d, struct arxdp_settings *s)
{
	const char *path = settings_path(NULL);
	char err[CONFIG_ERR_MAX];

	if (!path) {
		if (settings_defaults(s))
			arf(d,
			    "environment 'ARXDP_PIN_DIR' or 'ARXDP_SOCKET': value is too long: at most "
			    "%d characters; using the default",
			    ARXDP_PATH_LEN - 1);
		return;
	}
	if (settings_load(s, path, err, sizeof(err))) {
		/* A broken arxdp.conf must not cost the block: defaults still find the maps. */
		arf(d, "%s; using the defaults", err);
		settings_defaults(s);
	}
}

/* The other spelling of an IPv4 address, as execd keys it ("::ffff:a.b.c.d" or "a.b.c.d"). */
static void other_form(const char *ip, uint8_t key, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", key == ARXDP_KEY_PLAIN ? "::ffff:" : "", ip);
}

/*
 * A delete the maps know nothing of: the block may be the fallback's, made before the maps
 * existed (drop-in installed, alert, then `arxdp attach`), which no later delete would ever
 * remove. When the fallback holds nothing the log is as before: one line, no tool's error.
 */
static int left_action(struct drop_in *d, const struct arxdp_settings *s,
		       const struct arxdp_addr *a, const char *ip)
{
	const char *used = NULL, *what;
	unsigned int found = 0;
	int err = 0;

	if (s->fwdrop_fallback != ARXDP_FALLBACK_FAIL && fb_was_used()) {
		/* The fallback's own lock: a check and its delete never meet an add half done. */
		ar_flush(d);
		if (fb_lock(FB_LOCK_DIR, base_name(d->name))) {
			ar(d, "Unable to take lock. End.");
			return -EBUSY;
		}
		err = fb_remove_left(s->fwdrop_fallback, a, &found, &used);
		fb_unlock(FB_LOCK_DIR);
	}
	if (!found) {
		arf(d, "%s was not blocked in the XDP maps '%s'", ip, s->pin_dir);
		/* The maps' answer stands: a check that failed is said, the delete still ends. */
		if (err)
			arf(d, "Cannot check '%s' for a fallback block with %s: %s", ip,
			    used ? used : "the fallback", errstr(err));
		return 0;
	}
	what = !strcmp(used, "nft") ? "element" : found > 1 ? "rules" : "rule";
	if (err) {
		arf(d,
		    "Cannot unblock '%s' with %s (fallback %s left from before the XDP maps '%s'): %s",
		    ip, used, what, s->pin_dir, errstr(err));
		return err;
	}
	arf(d, "Unblocked %s with %s (fallback %s left from before the XDP maps '%s')", ip, used,
	    what, s->pin_dir);
	return 0;
}

static int map_action(struct drop_in *d, struct blocklist *bl, const struct arxdp_settings *s,
		      bool add, const struct arxdp_addr *a, const char *ip, uint8_t key,
		      const cJSON *msg)
{
	struct bl_reason why = { .origin = ARXDP_ORIGIN_FIREWALL_DROP, .keys = key };
	char other[ADDR_STRLEN + 8];
	struct arxdp_block v;
	enum bl_result res;
	uint8_t kept;
	int err;

	if (!add) {
		err = bl_unblock_key(bl, a, key, &kept);
		if (err == -ENOENT)
			return left_action(d, s, a, ip);
		if (err) {
			arf(d, "Cannot unblock '%s' in the XDP maps '%s': %s", ip, s->pin_dir,
			    errstr(err));
			return err;
		}
		if (kept & ARXDP_KEY_OPERATOR) {
			arf(d,
			    "Kept %s in the XDP maps '%s': blocked by hand ('arxdp unblock' "
			    "removes it)",
			    ip, s->pin_dir);
			return 0;
		}
		if (kept) {
			other_form(ip, key, other, sizeof(other));
			arf(d, "Kept %s in the XDP maps '%s': execd still holds it as '%s'", ip,
			    s->pin_dir, other);
			return 0;
		}
		arf(d, "Unblocked %s in the XDP maps '%s'", ip, s->pin_dir);
		return 0;
	}
	arproto_rule(msg, &why.rule_id, &why.level);
	err = bl_block(bl, a, s->fwdrop_safety_expiry_s, &why, &res, &v);
	if (err == -EPERM)
		return err; /* bl_block logged why, through the sink */
	if (err) {
		arf(d, "Cannot block '%s' in the XDP maps '%s': %s", ip, s->pin_dir, errstr(err));
		return err;
	}
	if (v.timeout_s)
		arf(d, "Blocked %s in the XDP maps '%s' (%s, safety expiry %us)", ip, s->pin_dir,
		    res == BL_NEW ? "new" : "extended", v.timeout_s);
	else
		arf(d, "Blocked %s in the XDP maps '%s' (%s, until execd deletes it)", ip,
		    s->pin_dir, res == BL_NEW ? "new" : "extended");
	return 0;
}

/*
 * execd answered abort: it holds this key already and only extends its own timer, and the
 * stock program does nothing. The block's offense count still counts the repeat, so that
 * `arxdp list` means the same whether arxdpd or execd drove the block. Best effort: the
 * exchange ends with "Aborted" and exit 0 whatever happens here.
 */
static void count_repeat(struct drop_in *d, const struct arxdp_addr *a, const char *ip, uint8_t key,
			 const cJSON *msg)
{
	struct bl_reason why = { .origin = ARXDP_ORIGIN_FIREWALL_DROP, .keys = key };
	struct arxdp_settings s;
	struct blocklist bl;
	struct arxdp_block v;
	int err;

	ar_flush(d);
	load_settings(d, &s);
	if (bl_open_some(&bl, s.pin_dir, bl_open_for(a) | BL_OPEN_GUARD))
		return; /* no maps: the fallback's rules have no count */
	arproto_rule(msg, &why.rule_id, &why.level);
	err = bl_repeat(&bl, a, s.fwdrop_safety_expiry_s, &why, &v);
	if (!err)
		arf(d, "Counted a repeat of %s in the XDP maps '%s' (offense %u)", ip, s.pin_dir,
		    v.offenses);
	else if (err == -ENOENT)
		arf(d,
		    "%s is not blocked in the XDP maps '%s' although execd holds its key: not "
		    "blocked again before execd's delete",
		    ip, s.pin_dir);
	else if (err != -EPERM)
		arf(d, "Cannot count the repeat of '%s' in the XDP maps '%s': %s", ip, s.pin_dir,
		    errstr(err));
	bl_close(&bl);
}

static int fallback_action(struct drop_in *d, const struct arxdp_settings *s, bool add,
			   const struct arxdp_addr *a, const char *ip, int open_err)
{
	const char *why = open_err == -ENOENT ? "not loaded" : errstr(open_err);
	const char *used = NULL;
	int err;

	if (s->fwdrop_fallback == ARXDP_FALLBACK_FAIL) {
		arf(d, "XDP maps '%s': %s, and fwdrop_fallback is 'fail': %s NOT %s", s->pin_dir,
		    why, ip, add ? "blocked" : "unblocked");
		return -EPERM;
	}
	/* The lock may wait and the fallback runs children: what was said is written first. */
	ar_flush(d);
	if (fb_lock(FB_LOCK_DIR, base_name(d->name))) {
		ar(d, "Unable to take lock. End.");
		return -EBUSY;
	}
	err = fb_apply(s->fwdrop_fallback, add, a, s->fwdrop_safety_expiry_s, &used);
	fb_unlock(FB_LOCK_DIR);
	if (err) {
		arf(d, "Cannot %s '%s' with the %s fallback (XDP maps '%s': %s): %s%s",
		    add ? "block" : "unblock", ip,
		    s->fwdrop_fallback == ARXDP_FALLBACK_NFTABLES ? "nftables" : "iptables",
		    s->pin_dir, why, errstr(err), add ? ": host NOT protected" : "");
		return err;
	}
	arf(d, "%s %s with %s (fallback: XDP maps '%s': %s)", add ? "Blocked" : "Unblocked", ip,
	    used, s->pin_dir, why);
	/* Said, not fatal: without the mark a later delete finds this block only while the
	 * maps stay absent. */
	if (add && (err = fb_mark_used()))
		arf(d,
		    "Cannot mark '%s' (a delete after the XDP maps appear looks for fallback "
		    "blocks only with it): %s",
		    FB_USED_MARK, errstr(err));
	if (add && s->fwdrop_safety_expiry_s && strcmp(used, "nft"))
		arf(d, "%s has no expiry: the safety expiry of %us does not apply to %s", used,
		    s->fwdrop_safety_expiry_s, ip);
	return 0;
}

int main(int argc, char **argv)
{
	static char buf[AR_INPUT_MAX];
	static struct input in;
	struct arxdp_settings s;
	char ip[ADDR_STRLEN];
	struct arxdp_addr a;
	struct blocklist bl;
	int ret = FD_INVALID, err;
	struct drop_in d = {};
	enum ar_command cmd;
	const char *srcip;
	cJSON *msg = NULL;
	uint8_t key;

	d.name = argc > 0 && argv[0] && argv[0][0] ? argv[0] : "firewall-drop";
	d.in = &in;
	/* A reader that went away must give an error line, not a silent death. */
	signal(SIGPIPE, SIG_IGN);
	if (enter_home(d.name))
		return FD_NO_HOME;
	arlog_init(&d.log, ARLOG_DEFAULT_PATH, d.name);
	log_init(base_name(d.name), LOG_LEVEL_INFO, LOG_TARGET_STDERR);
	log_set_sink(ar_sink, &d);

	ar(&d, "Starting");
	msg = read_message(&d, buf, sizeof(buf));
	if (!msg)
		goto out;
	cmd = arproto_command(msg);
	if (cmd != AR_CMD_ADD && cmd != AR_CMD_DELETE) {
		ar(&d, "Invalid value of 'command'");
		goto out;
	}
	srcip = arproto_srcip(msg, &a);
	if (!srcip) {
		ar(&d, "Cannot read 'srcip' from data or invalid IP format");
		goto out;
	}
	/* The firewall sees the canonical form (an IPv4-mapped address is its IPv4 address). */
	addr_format(&a, ip, sizeof(ip));
	/* execd's key is the text it sent: one address may be held under two of them. */
	key = a.family == 4 && strchr(srcip, ':') ? ARXDP_KEY_MAPPED : ARXDP_KEY_PLAIN;
	if (cmd == AR_CMD_ADD) {
		err = handshake(&d, srcip, buf, sizeof(buf));
		if (err < 0)
			goto out;
		if (err > 0) {
			count_repeat(&d, &a, ip, key, msg);
			ar(&d, "Aborted");
			ret = FD_OK;
			goto out;
		}
	}
	ar_flush(&d);
	load_settings(&d, &s);
	/* The address's own family only; only an add reads this host's addresses (the guard). */
	err = bl_open_some(&bl, s.pin_dir,
			   bl_open_for(&a) | (cmd == AR_CMD_ADD ? BL_OPEN_GUARD : 0));
	if (!err) {
		err = map_action(&d, &bl, &s, cmd == AR_CMD_ADD, &a, ip, key, msg);
		bl_close(&bl);
	} else {
		err = fallback_action(&d, &s, cmd == AR_CMD_ADD, &a, ip, err);
	}
	if (err)
		goto out;
	ar(&d, "Ended");
	ret = FD_OK;
out:
	cJSON_Delete(msg);
	log_set_sink(NULL, NULL);
	arlog_close(&d.log);
	return ret;
}
