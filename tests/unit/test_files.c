// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the file helpers root uses where another user owns the directory:
 * open_regular_append() (and arlog_write(), the drop-in's log writer, through it) against a
 * FIFO, a socket, a device, a directory, symbolic and hard links at the log's path, each of
 * which must be refused at once, untouched, with a reason; and path_trusted_dir() against
 * directories others can write or own. Real files in a temporary directory; the cases that
 * need another owner or a device node run as root only.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include "arlog.h"
#include "testutil.h"
#include "util.h"

#define NOBODY 65534
#define VICTIM_TEXT "root's file\n"

static char dir[64];

static void setup(void)
{
	tu_mkdtemp(dir, sizeof(dir), "files");
}

static void teardown(void)
{
	cr_assert_eq(tu_rm_rf(dir), 0);
}

static void at(char *buf, size_t len, const char *name)
{
	cr_assert_lt(snprintf(buf, len, "%s/%s", dir, name), (int)len);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "fixture %s", path);
	fputs(text, f);
	fclose(f);
}

static size_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (size_t)st.st_size;
}

enum kind {
	K_NONE,
	K_REGULAR,
	K_FIFO,
	K_FIFO_READER,
	K_SOCKET,
	K_DEVICE,
	K_DIR,
	K_SYMLINK,
	K_DANGLING,
	K_HARDLINK
};

struct open_case {
	char desc[40];
	enum kind kind;
	int err; /* what open_regular_append answers; 0: an fd */
	char why[24]; /* in the reason */
};

/* clang-format off */
static struct open_case open_cases[] = {
	{ "missing: created", K_NONE, 0, "" },
	{ "regular file", K_REGULAR, 0, "" },
	{ "FIFO without a reader", K_FIFO, -EINVAL, "FIFO" },
	{ "FIFO with a reader", K_FIFO_READER, -EINVAL, "FIFO" },
	{ "unix socket", K_SOCKET, -EINVAL, "socket" },
	{ "character device", K_DEVICE, -EINVAL, "device" },
	{ "directory", K_DIR, -EINVAL, "directory" },
	{ "symlink to root's file", K_SYMLINK, -ELOOP, "symbolic link" },
	{ "dangling symlink", K_DANGLING, -ELOOP, "symbolic link" },
	{ "hard link to root's file", K_HARDLINK, -EMLINK, "hard link" },
};
/* clang-format on */

ParameterizedTestParameters(files, open_regular_append)
{
	return cr_make_param_array(struct open_case, open_cases, ARRAY_SIZE(open_cases));
}

/* Makes the thing at path; returns an fd to close afterwards (FIFO reader, socket) or -1. */
static int make_kind(enum kind k, const char *path, const char *victim)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = -1;

	switch (k) {
	case K_NONE:
		break;
	case K_REGULAR:
		write_text(path, "");
		break;
	case K_FIFO:
		cr_assert_eq(mkfifo(path, 0600), 0);
		break;
	case K_FIFO_READER:
		cr_assert_eq(mkfifo(path, 0600), 0);
		fd = open(path, O_RDONLY | O_NONBLOCK);
		cr_assert_geq(fd, 0);
		break;
	case K_SOCKET:
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		cr_assert_eq(str_copy(sa.sun_path, path, sizeof(sa.sun_path)), 0);
		cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		cr_assert_eq(listen(fd, 1), 0);
		break;
	case K_DEVICE:
		if (geteuid())
			cr_skip_test("mknod needs root");
		cr_assert_eq(mknod(path, S_IFCHR | 0600, makedev(1, 3)), 0); /* /dev/null */
		break;
	case K_DIR:
		cr_assert_eq(mkdir(path, 0700), 0);
		break;
	case K_SYMLINK:
		cr_assert_eq(symlink(victim, path), 0);
		break;
	case K_DANGLING:
		unlink(victim);
		cr_assert_eq(symlink(victim, path), 0);
		break;
	case K_HARDLINK:
		cr_assert_eq(link(victim, path), 0);
		break;
	}
	return fd;
}

ParameterizedTest(struct open_case *c, files, open_regular_append, .init = setup, .fini = teardown,
		  .timeout = 10)
{
	char path[128], victim[128];
	const char *why = NULL;
	uint64_t t0;
	int keep, fd;

	at(path, sizeof(path), "active-responses.log");
	at(victim, sizeof(victim), "victim");
	write_text(victim, VICTIM_TEXT);
	keep = make_kind(c->kind, path, victim);
	t0 = mono_now_ns();
	fd = open_regular_append(path, 0640, &why);
	cr_expect_lt(mono_now_ns() - t0, NSEC_PER_SEC / 2, "%s: answered at once", c->desc);
	if (!c->err) {
		cr_assert_geq(fd, 0, "%s: opened (%d, %s)", c->desc, fd, why ? why : "");
		cr_expect_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0, "back in blocking mode");
		cr_expect(fcntl(fd, F_GETFD) & FD_CLOEXEC);
		cr_expect_eq(write_all(fd, "x\n", 2), 0);
		close(fd);
	} else {
		cr_expect_eq(fd, c->err, "%s: %d, want %d", c->desc, fd, c->err);
		cr_expect(why && strstr(why, c->why), "%s: reason '%s' lacks '%s'", c->desc,
			  why ? why : "(none)", c->why);
		/* The drop-in's writer: the same refusal, and no hang (old: fopen on a FIFO). */
		cr_expect_eq(arlog_write(path, "active-response/bin/firewall-drop", "Starting"),
			     c->err, "%s: arlog_write refuses too", c->desc);
	}
	if (c->kind == K_DANGLING)
		cr_expect_eq(access(victim, F_OK), -1, "nothing created through the link");
	else
		cr_expect_eq(file_size(victim), strlen(VICTIM_TEXT), "%s: root's file untouched",
			     c->desc);
	if (keep >= 0)
		close(keep);
}

/* Reading (the alerts follower, the state loader): a FIFO is refused without a wait. */
Test(files, open_regular_read_fifo, .init = setup, .fini = teardown, .timeout = 10)
{
	char path[128];
	const char *why = NULL;

	at(path, sizeof(path), "alerts.json");
	cr_assert_eq(mkfifo(path, 0600), 0);
	cr_expect_eq(open_regular(path, O_RDONLY, 0, &why), -EINVAL);
	cr_expect(why && strstr(why, "FIFO"));
}

enum who { ROOT_OR_US, NOBODY_OWNS };

struct dir_case {
	char desc[48];
	mode_t parent_mode, mode; /* parent: dir/p, the directory checked: dir/p/d */
	enum who parent_owner, owner;
	bool via_link; /* check dir/p/link -> d instead */
	enum who link_owner;
	unsigned int flags;
	int err;
	char why[40];
};

/* clang-format off */
static struct dir_case dir_cases[] = {
	{ "0700 under 0755", 0755, 0700, ROOT_OR_US, ROOT_OR_US, false, ROOT_OR_US, 0, 0, "" },
	{ "0755 under 0755", 0755, 0755, ROOT_OR_US, ROOT_OR_US, false, ROOT_OR_US, 0, 0, "" },
	{ "group-writable", 0755, 0770, ROOT_OR_US, ROOT_OR_US, false, ROOT_OR_US, 0, -EPERM,
	  "(mode 0770)" },
	{ "world-writable", 0755, 0777, ROOT_OR_US, ROOT_OR_US, false, ROOT_OR_US, 0, -EPERM,
	  "(mode 0777)" },
	{ "sticky, not allowed", 0755, 01777, ROOT_OR_US, ROOT_OR_US, false, ROOT_OR_US, 0, -EPERM,
	  "(mode 1777)" },
	{ "sticky, allowed", 0755, 01777, ROOT_OR_US, ROOT_OR_US, false, ROOT_OR_US,
	  PATH_TRUST_STICKY, 0, "" },
	{ "parent world-writable", 0777, 0700, ROOT_OR_US, ROOT_OR_US, false, ROOT_OR_US, 0, -EPERM,
	  "without the sticky bit" },
	{ "parent sticky", 01777, 0700, ROOT_OR_US, ROOT_OR_US, false, ROOT_OR_US, 0, 0, "" },
	{ "owned by nobody", 0755, 0700, ROOT_OR_US, NOBODY_OWNS, false, ROOT_OR_US, 0, -EPERM,
	  "belongs to uid 65534" },
	{ "parent owned by nobody", 0755, 0700, NOBODY_OWNS, ROOT_OR_US, false, ROOT_OR_US, 0,
	  -EPERM, "belongs to uid 65534" },
	{ "through our symlink", 0755, 0700, ROOT_OR_US, ROOT_OR_US, true, ROOT_OR_US, 0, 0, "" },
	{ "symlink in a writable parent", 0777, 0700, ROOT_OR_US, ROOT_OR_US, true, ROOT_OR_US, 0,
	  -EPERM, "without the sticky bit" },
	{ "symlink of nobody's", 01777, 0700, ROOT_OR_US, ROOT_OR_US, true, NOBODY_OWNS, 0, -EPERM,
	  "symbolic link" },
};
/* clang-format on */

ParameterizedTestParameters(files, path_trusted_dir)
{
	return cr_make_param_array(struct dir_case, dir_cases, ARRAY_SIZE(dir_cases));
}

ParameterizedTest(struct dir_case *c, files, path_trusted_dir, .init = setup, .fini = teardown)
{
	char p[128], d[128], l[128], why[256];
	const char *checked = d;
	int err;

	if ((c->owner == NOBODY_OWNS || c->parent_owner == NOBODY_OWNS ||
	     c->link_owner == NOBODY_OWNS) &&
	    geteuid())
		cr_skip_test("chown needs root");
	at(p, sizeof(p), "p");
	at(d, sizeof(d), "p/d");
	at(l, sizeof(l), "p/link");
	cr_assert_eq(mkdir(p, 0700), 0);
	cr_assert_eq(mkdir(d, 0700), 0);
	cr_assert_eq(chmod(d, c->mode), 0);
	if (c->owner == NOBODY_OWNS)
		cr_assert_eq(chown(d, NOBODY, NOBODY), 0);
	if (c->via_link) {
		cr_assert_eq(symlink("d", l), 0);
		if (c->link_owner == NOBODY_OWNS)
			cr_assert_eq(lchown(l, NOBODY, NOBODY), 0);
		checked = l;
	}
	cr_assert_eq(chmod(p, c->parent_mode), 0);
	if (c->parent_owner == NOBODY_OWNS)
		cr_assert_eq(chown(p, NOBODY, NOBODY), 0);
	err = path_trusted_dir(checked, c->flags, why, sizeof(why));
	cr_expect_eq(err, c->err, "%s: %d, want %d (%s)", c->desc, err, c->err, why);
	if (c->err)
		cr_expect(strstr(why, c->why), "%s: reason '%s' lacks '%s'", c->desc, why, c->why);
}

Test(files, path_trusted_dir_missing, .init = setup, .fini = teardown)
{
	char d[128], why[256];

	at(d, sizeof(d), "none");
	cr_expect_eq(path_trusted_dir(d, 0, why, sizeof(why)), -ENOENT);
	cr_expect(strstr(why, d), "names the directory: %s", why);
}
