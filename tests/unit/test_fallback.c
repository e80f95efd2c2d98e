// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the firewall fallback's tables: the argv and stdin built for iptables,
 * ip6tables and nft for each address family, add, delete and check (built, never run), how
 * the tool is found in PATH, and, with fake tools in a private PATH, that fb_apply runs exactly
 * the built commands and fb_remove_left deletes exactly what its checks found.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "addr.h"
#include "fallback.h"
#include "log.h"
#include "testutil.h"
#include "util.h"

#define NFT_PREAMBLE                                                                          \
	"add table inet arxdp_fwdrop\n"                                                       \
	"add set inet arxdp_fwdrop blk4 { type ipv4_addr; flags timeout; }\n"                 \
	"add set inet arxdp_fwdrop blk6 { type ipv6_addr; flags timeout; }\n"                 \
	"add chain inet arxdp_fwdrop input { type filter hook input priority -1; policy "     \
	"accept; }\n"                                                                         \
	"add chain inet arxdp_fwdrop forward { type filter hook forward priority -1; policy " \
	"accept; }\n"                                                                         \
	"flush chain inet arxdp_fwdrop input\n"                                               \
	"flush chain inet arxdp_fwdrop forward\n"                                             \
	"add rule inet arxdp_fwdrop input ip saddr @blk4 drop\n"                              \
	"add rule inet arxdp_fwdrop input ip6 saddr @blk6 drop\n"                             \
	"add rule inet arxdp_fwdrop forward ip saddr @blk4 drop\n"                            \
	"add rule inet arxdp_fwdrop forward ip6 saddr @blk6 drop\n"

struct plan_case {
	char addr[48];
	bool nft, add;
	uint32_t timeout_s;
	char bin[24];
	int err;
	char argv[2][96]; /* each command's argv joined by spaces ("" = no such command) */
	char input[96]; /* nft: the script's last line; an add's script is NFT_PREAMBLE + it */
};

/* clang-format off */
static struct plan_case plan_cases[] = {
	{ "192.0.2.7", false, true, 600, "/sbin/iptables", 0,
	  { "/sbin/iptables -w 5 -I INPUT -s 192.0.2.7 -j DROP",
	    "/sbin/iptables -w 5 -I FORWARD -s 192.0.2.7 -j DROP" }, "" },
	{ "192.0.2.7", false, false, 0, "/sbin/iptables", 0,
	  { "/sbin/iptables -w 5 -D INPUT -s 192.0.2.7 -j DROP",
	    "/sbin/iptables -w 5 -D FORWARD -s 192.0.2.7 -j DROP" }, "" },
	{ "2001:DB8:0:0::7", false, true, 600, "/sbin/ip6tables", 0,
	  { "/sbin/ip6tables -w 5 -I INPUT -s 2001:db8::7 -j DROP",
	    "/sbin/ip6tables -w 5 -I FORWARD -s 2001:db8::7 -j DROP" }, "" },
	{ "2001:db8::7", false, false, 600, "/sbin/ip6tables", 0,
	  { "/sbin/ip6tables -w 5 -D INPUT -s 2001:db8::7 -j DROP",
	    "/sbin/ip6tables -w 5 -D FORWARD -s 2001:db8::7 -j DROP" }, "" },
	/* What arrives on the wire: a mapped address is the IPv4 one. */
	{ "::ffff:198.51.100.9", false, true, 60, "/sbin/iptables", 0,
	  { "/sbin/iptables -w 5 -I INPUT -s 198.51.100.9 -j DROP",
	    "/sbin/iptables -w 5 -I FORWARD -s 198.51.100.9 -j DROP" }, "" },
	{ "192.0.2.7", true, true, 600, "/usr/sbin/nft", 0, { "/usr/sbin/nft -f -", "" },
	  "add element inet arxdp_fwdrop blk4 { 192.0.2.7 timeout 600s }" },
	/* Timeout 0 is permanent: an element without a timeout. */
	{ "192.0.2.7", true, true, 0, "/usr/sbin/nft", 0, { "/usr/sbin/nft -f -", "" },
	  "add element inet arxdp_fwdrop blk4 { 192.0.2.7 }" },
	{ "192.0.2.7", true, false, 600, "/usr/sbin/nft", 0, { "/usr/sbin/nft -f -", "" },
	  "delete element inet arxdp_fwdrop blk4 { 192.0.2.7 }" },
	{ "2001:db8::7", true, true, 86400, "/usr/sbin/nft", 0, { "/usr/sbin/nft -f -", "" },
	  "add element inet arxdp_fwdrop blk6 { 2001:db8::7 timeout 86400s }" },
	{ "2001:db8::7", true, false, 0, "/usr/sbin/nft", 0, { "/usr/sbin/nft -f -", "" },
	  "delete element inet arxdp_fwdrop blk6 { 2001:db8::7 }" },
	/* A prefix never reaches a firewall tool: the fallback blocks exact addresses. */
	{ "192.0.2.0/24", false, true, 600, "/sbin/iptables", -EINVAL, { "", "" }, "" },
	{ "2001:db8::/64", true, true, 600, "/usr/sbin/nft", -EINVAL, { "", "" }, "" },
};
/* clang-format on */

ParameterizedTestParameters(fallback, plan)
{
	return cr_make_param_array(struct plan_case, plan_cases, ARRAY_SIZE(plan_cases));
}

static void join(char *const argv[], char *out, size_t len)
{
	size_t used = 0;
	int i;

	out[0] = '\0';
	for (i = 0; argv[i] && used < len; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%s", i ? " " : "", argv[i]);
}

/* p's commands against want (argv joined; "" ends them), each run by bin: their count. */
static size_t expect_argv(const struct fb_plan *p, const char *addr, const char *bin,
			  const char want[2][96])
{
	size_t i, n = !want[0][0] ? 0 : !want[1][0] ? 1 : 2;
	char got[256];

	cr_assert_eq(p->n, n, "%s: %zu commands", addr, p->n);
	for (i = 0; i < n; i++) {
		join(p->cmd[i].argv, got, sizeof(got));
		cr_expect_str_eq(got, want[i], "%s", addr);
		cr_expect_eq(p->cmd[i].argv[0], bin, "argv[0] is not the found binary");
	}
	return n;
}

ParameterizedTest(struct plan_case *c, fallback, plan)
{
	char want[FB_PLAN_SCRIPT];
	struct arxdp_addr a;
	struct fb_plan p;
	size_t i, n;

	cr_assert_eq(addr_parse(c->addr, &a, NULL, 0), 0, "%s", c->addr);
	cr_assert_eq(fb_plan_build(&p, c->nft, c->bin, c->add, &a, c->timeout_s), c->err, "%s",
		     c->addr);
	n = expect_argv(&p, c->addr, c->bin, c->argv);
	if (!c->nft) {
		for (i = 0; i < n; i++)
			cr_expect_null(p.cmd[i].input, "%s: iptables got stdin", c->addr);
		return;
	}
	if (!n)
		return;
	snprintf(want, sizeof(want), "%s%s\n", c->add ? NFT_PREAMBLE : "", c->input);
	cr_assert_not_null(p.cmd[0].input);
	cr_expect_str_eq(p.cmd[0].input, want, "%s", c->addr);
}

struct check_case {
	char addr[48];
	bool nft;
	char bin[24];
	int err;
	char argv[2][96]; /* as plan_case */
};

/* clang-format off */
static struct check_case check_cases[] = {
	{ "192.0.2.7", false, "/sbin/iptables", 0,
	  { "/sbin/iptables -w 5 -C INPUT -s 192.0.2.7 -j DROP",
	    "/sbin/iptables -w 5 -C FORWARD -s 192.0.2.7 -j DROP" } },
	{ "2001:DB8:0:0::7", false, "/sbin/ip6tables", 0,
	  { "/sbin/ip6tables -w 5 -C INPUT -s 2001:db8::7 -j DROP",
	    "/sbin/ip6tables -w 5 -C FORWARD -s 2001:db8::7 -j DROP" } },
	{ "::ffff:198.51.100.9", false, "/sbin/iptables", 0,
	  { "/sbin/iptables -w 5 -C INPUT -s 198.51.100.9 -j DROP",
	    "/sbin/iptables -w 5 -C FORWARD -s 198.51.100.9 -j DROP" } },
	{ "192.0.2.7", true, "/usr/sbin/nft", 0,
	  { "/usr/sbin/nft get element inet arxdp_fwdrop blk4 { 192.0.2.7 }", "" } },
	{ "2001:db8:0::7", true, "/usr/sbin/nft", 0,
	  { "/usr/sbin/nft get element inet arxdp_fwdrop blk6 { 2001:db8::7 }", "" } },
	{ "::ffff:198.51.100.9", true, "/usr/sbin/nft", 0,
	  { "/usr/sbin/nft get element inet arxdp_fwdrop blk4 { 198.51.100.9 }", "" } },
	{ "192.0.2.0/24", false, "/sbin/iptables", -EINVAL, { "", "" } },
	{ "2001:db8::/64", true, "/usr/sbin/nft", -EINVAL, { "", "" } },
};
/* clang-format on */

ParameterizedTestParameters(fallback, check)
{
	return cr_make_param_array(struct check_case, check_cases, ARRAY_SIZE(check_cases));
}

ParameterizedTest(struct check_case *c, fallback, check)
{
	struct fb_plan p, del;
	struct arxdp_addr a;
	size_t i, n;

	cr_assert_eq(addr_parse(c->addr, &a, NULL, 0), 0, "%s", c->addr);
	cr_assert_eq(fb_check_build(&p, c->nft, c->bin, &a), c->err, "%s", c->addr);
	n = expect_argv(&p, c->addr, c->bin, c->argv);
	for (i = 0; i < n; i++)
		cr_expect_null(p.cmd[i].input, "%s: a check got stdin", c->addr);
	if (c->err)
		return;
	/* fb_remove_left deletes by index what check i found: the same number of commands. */
	cr_assert_eq(fb_plan_build(&del, c->nft, c->bin, false, &a, 0), 0);
	cr_expect_eq(del.n, p.n, "%s: %zu checks, %zu deletes", c->addr, p.n, del.n);
}

static char dir[64];

static void setup(void)
{
	log_init("test", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	tu_mkdtemp(dir, sizeof(dir), "fallback");
}

static void teardown(void)
{
	tu_rm_rf(dir);
}

static void put(const char *rel, const char *text, mode_t mode)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (!text) {
		cr_assert_eq(mkdir(path, mode), 0, "%s", path);
		return;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(write_all(fd, text, strlen(text)), 0);
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
}

struct find_case {
	char name[32];
	char path[128]; /* PATH, with D for the test's directory */
	char want[32]; /* the hit below the test's directory ("" = -ENOENT) */
};

/* clang-format off */
static struct find_case find_cases[] = {
	{ "first hit", "D/a:D/b", "a/tool" },
	{ "skips non-executable", "D/noexec:D/b", "b/tool" },
	{ "skips a directory", "D/dir:D/b", "b/tool" },
	/* Empty and relative entries mean the cwd: a root program never searches there. */
	{ "skips empty and relative", "::.:a:D/b", "b/tool" },
	{ "none", "D/noexec:D/dir:D/none", "" },
};
/* clang-format on */

ParameterizedTestParameters(fallback, find_binary)
{
	return cr_make_param_array(struct find_case, find_cases, ARRAY_SIZE(find_cases));
}

ParameterizedTest(struct find_case *c, fallback, find_binary, .init = setup, .fini = teardown)
{
	char path[1024], out[256], want[256], *o = path;
	const char *s;

	put("a", NULL, 0755);
	put("a/tool", "#!/bin/sh\n", 0755);
	put("b", NULL, 0755);
	put("b/tool", "#!/bin/sh\n", 0755);
	put("noexec", NULL, 0755);
	put("noexec/tool", "#!/bin/sh\n", 0644);
	put("dir", NULL, 0755);
	put("dir/tool", NULL, 0755);
	for (s = c->path; *s && o < path + sizeof(path) - 64; s++)
		o += *s == 'D' ? sprintf(o, "%s", dir) : sprintf(o, "%c", *s);
	*o = '\0';
	cr_assert_eq(chdir(dir), 0); /* the relative "a" would find a/tool from here */
	setenv("PATH", path, 1);
	if (!c->want[0]) {
		cr_expect_eq(fb_find_binary("tool", out, sizeof(out)), -ENOENT, "%s", c->name);
		cr_expect_str_empty(out);
		return;
	}
	cr_assert_eq(fb_find_binary("tool", out, sizeof(out)), 0, "%s: PATH %s", c->name, path);
	snprintf(want, sizeof(want), "%s/%s", dir, c->want);
	cr_expect_str_eq(out, want, "%s", c->name);
}

/* A fake tool that logs its argv (one line) and its stdin into <name>.log next to it. */
static void put_tool(const char *name, int status)
{
	char text[256];

	snprintf(text, sizeof(text),
		 "#!/bin/sh\nlog=\"${0%%/*}/%s.log\"\necho \"$*\" >>\"$log\"\n"
		 "[ \"$1 $2\" = \"-f -\" ] && /bin/cat >>\"$log\"\nexit %d\n",
		 name, status);
	put(name, text, 0755);
}

static char *slurp(const char *rel)
{
	char path[256];
	char *buf = calloc(1, 8192);
	FILE *f;

	cr_assert_not_null(buf);
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "re");
	if (!f) {
		free(buf);
		return NULL;
	}
	buf[fread(buf, 1, 8191, f)] = '\0';
	fclose(f);
	return buf;
}

struct apply_case {
	char name[40];
	enum arxdp_fallback mode;
	char addr[32];
	bool add;
	char tools[2][12]; /* fake tools in PATH */
	int status; /* their exit status */
	int err;
	char used[12];
	char log[16]; /* the tool's log that must hold the commands */
	char want[512]; /* its content ("" = no tool ran) */
};

/* clang-format off */
static struct apply_case apply_cases[] = {
	{ "iptables", ARXDP_FALLBACK_IPTABLES, "192.0.2.7", true, { "iptables", "nft" }, 0, 0,
	  "iptables", "iptables.log",
	  "-w 5 -I INPUT -s 192.0.2.7 -j DROP\n-w 5 -I FORWARD -s 192.0.2.7 -j DROP\n" },
	{ "ip6tables for v6", ARXDP_FALLBACK_IPTABLES, "2001:db8::7", false,
	  { "iptables", "ip6tables" }, 0, 0, "ip6tables", "ip6tables.log",
	  "-w 5 -D INPUT -s 2001:db8::7 -j DROP\n-w 5 -D FORWARD -s 2001:db8::7 -j DROP\n" },
	/* The stock program's fallback when iptables is missing. */
	{ "nft when no iptables", ARXDP_FALLBACK_IPTABLES, "192.0.2.7", false, { "nft", "" }, 0,
	  0, "nft", "nft.log", "-f -\ndelete element inet arxdp_fwdrop blk4 { 192.0.2.7 }\n" },
	{ "nftables mode", ARXDP_FALLBACK_NFTABLES, "192.0.2.7", false, { "iptables", "nft" }, 0,
	  0, "nft", "nft.log", "-f -\ndelete element inet arxdp_fwdrop blk4 { 192.0.2.7 }\n" },
	/* Both rules are tried, and a failure is reported, never assumed away. */
	{ "tool fails", ARXDP_FALLBACK_IPTABLES, "192.0.2.7", false, { "iptables", "" }, 1, -EIO,
	  "iptables", "iptables.log",
	  "-w 5 -D INPUT -s 192.0.2.7 -j DROP\n-w 5 -D FORWARD -s 192.0.2.7 -j DROP\n" },
	{ "no tool", ARXDP_FALLBACK_IPTABLES, "192.0.2.7", true, { "", "" }, 0, -ENOENT, "", "",
	  "" },
	{ "fail mode", ARXDP_FALLBACK_FAIL, "192.0.2.7", true, { "iptables", "nft" }, 0, -EPERM,
	  "", "", "" },
	{ "prefix", ARXDP_FALLBACK_IPTABLES, "192.0.2.0/24", true, { "iptables", "nft" }, 0,
	  -EINVAL, "", "", "" },
};
/* clang-format on */

/* Only the fake tool whose log is ran (none when ran is "") ran, its commands being want. */
static void expect_ran(const char *name, const char *ran, const char *want)
{
	static const char *const all[] = { "iptables.log", "ip6tables.log", "nft.log" };
	char *log;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all); i++) {
		log = slurp(all[i]);
		if (!ran[0] || strcmp(all[i], ran)) {
			cr_expect_null(log, "%s: %s ran: %s", name, all[i], log);
		} else {
			cr_assert_not_null(log, "%s: %s did not run", name, all[i]);
			cr_expect_str_eq(log, want, "%s: ran:\n%s", name, log);
		}
		free(log);
	}
}

ParameterizedTestParameters(fallback, apply)
{
	return cr_make_param_array(struct apply_case, apply_cases, ARRAY_SIZE(apply_cases));
}

ParameterizedTest(struct apply_case *c, fallback, apply, .init = setup, .fini = teardown)
{
	const char *used = "unset";
	struct arxdp_addr a;
	size_t i;

	for (i = 0; i < 2; i++)
		if (c->tools[i][0])
			put_tool(c->tools[i], c->status);
	setenv("PATH", dir, 1);
	cr_assert_eq(addr_parse(c->addr, &a, NULL, 0), 0);
	cr_expect_eq(fb_apply(c->mode, c->add, &a, 600, &used), c->err, "%s", c->name);
	if (c->used[0])
		cr_expect_str_eq(used ? used : "(null)", c->used, "%s", c->name);
	else
		cr_expect_null(used, "%s: used %s", c->name, used);
	expect_ran(c->name, c->log, c->want);
}

/* What the library logged during a case (warnings and info), one line each. */
struct said {
	char text[1024];
};

static void said_sink(enum log_level level, const char *msg, void *ctx)
{
	struct said *w = ctx;
	size_t used = strlen(w->text);

	(void)level;
	snprintf(w->text + used, sizeof(w->text) - used, "%s\n", msg);
}

/*
 * A fake tool that logs its argv (and an nft script) as put_tool's, and exits with check[0]
 * for a check of INPUT (iptables -C) or an nft get, check[1] for a check of FORWARD, del for
 * anything else (the deletes).
 */
static void put_holder(const char *name, const int check[2], int del)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "#!/bin/sh\nlog=\"${0%%/*}/%s.log\"\necho \"$*\" >>\"$log\"\n"
		 "[ \"$1 $2\" = \"-f -\" ] && /bin/cat >>\"$log\"\n"
		 "case \" $* \" in\n"
		 "*\" -C INPUT \"*|*\" get element \"*) echo 'not there' >&2; exit %d;;\n"
		 "*\" -C FORWARD \"*) echo 'not there' >&2; exit %d;;\n"
		 "esac\nexit %d\n",
		 name, check[0], check[1], del);
	put(name, text, 0755);
}

struct left_case {
	char name[40];
	enum arxdp_fallback mode;
	char addr[32];
	char tools[2][12]; /* fake tools in PATH */
	int check[2]; /* exit status of the check of INPUT (or nft's get) and of FORWARD */
	int del; /* exit status of a delete */
	int err;
	unsigned int found;
	char used[12]; /* "" = NULL */
	char log[16]; /* the tool's log that must hold the commands ("" = none ran) */
	char want[400];
	char said[160]; /* a part of what the library logged ("" = nothing at all) */
};

#define CHK4_IN "-w 5 -C INPUT -s 192.0.2.7 -j DROP\n"
#define CHK4_FW "-w 5 -C FORWARD -s 192.0.2.7 -j DROP\n"
#define DEL4_IN "-w 5 -D INPUT -s 192.0.2.7 -j DROP\n"
#define DEL4_FW "-w 5 -D FORWARD -s 192.0.2.7 -j DROP\n"
#define GET4 "get element inet arxdp_fwdrop blk4 { 192.0.2.7 }\n"
#define NFTDEL4 "-f -\ndelete element inet arxdp_fwdrop blk4 { 192.0.2.7 }\n"

/* clang-format off */
static struct left_case left_cases[] = {
	/* The rollout: both rules of the add are there, each goes once its check found it. */
	{ "iptables rules left", ARXDP_FALLBACK_IPTABLES, "192.0.2.7", { "iptables", "nft" },
	  { 0, 0 }, 0, 0, 2, "iptables", "iptables.log", CHK4_IN DEL4_IN CHK4_FW DEL4_FW, "" },
	/* The plain delete of an expired block: two checks, no delete, nothing said. */
	{ "nothing left", ARXDP_FALLBACK_IPTABLES, "192.0.2.7", { "iptables", "nft" },
	  { 1, 1 }, 0, 0, 0, "iptables", "iptables.log", CHK4_IN CHK4_FW, "" },
	/* Only what is there is deleted: a -D of a missing rule would log iptables' error. */
	{ "one rule left", ARXDP_FALLBACK_IPTABLES, "192.0.2.7", { "iptables", "" },
	  { 1, 0 }, 0, 0, 1, "iptables", "iptables.log", CHK4_IN CHK4_FW DEL4_FW, "" },
	{ "ip6tables for v6", ARXDP_FALLBACK_IPTABLES, "2001:db8::7", { "iptables", "ip6tables" },
	  { 0, 0 }, 0, 0, 2, "ip6tables", "ip6tables.log",
	  "-w 5 -C INPUT -s 2001:db8::7 -j DROP\n-w 5 -D INPUT -s 2001:db8::7 -j DROP\n"
	  "-w 5 -C FORWARD -s 2001:db8::7 -j DROP\n-w 5 -D FORWARD -s 2001:db8::7 -j DROP\n", "" },
	/* Another status than 1 is no answer: said, and the other check still runs. */
	{ "check fails", ARXDP_FALLBACK_IPTABLES, "192.0.2.7", { "iptables", "" },
	  { 4, 1 }, 0, -EIO, 0, "iptables", "iptables.log", CHK4_IN CHK4_FW,
	  "exited with status 4: not there" },
	{ "delete fails", ARXDP_FALLBACK_IPTABLES, "192.0.2.7", { "iptables", "" },
	  { 0, 0 }, 2, -EIO, 2, "iptables", "iptables.log", CHK4_IN DEL4_IN CHK4_FW DEL4_FW,
	  "exited with status 2" },
	{ "nft element left", ARXDP_FALLBACK_IPTABLES, "192.0.2.7", { "nft", "" },
	  { 0, 0 }, 0, 0, 1, "nft", "nft.log", GET4 NFTDEL4, "" },
	{ "nftables mode, nothing left", ARXDP_FALLBACK_NFTABLES, "2001:db8::7",
	  { "iptables", "nft" }, { 1, 0 }, 0, 0, 0, "nft", "nft.log",
	  "get element inet arxdp_fwdrop blk6 { 2001:db8::7 }\n", "" },
	/* No tool, no block it made: nothing to say ("not accessible" is the add's line). */
	{ "no tool", ARXDP_FALLBACK_IPTABLES, "192.0.2.7", { "", "" }, { 0, 0 }, 0, 0, 0, "", "",
	  "", "" },
	{ "fail mode", ARXDP_FALLBACK_FAIL, "192.0.2.7", { "iptables", "nft" }, { 0, 0 }, 0,
	  -EPERM, 0, "", "", "", "" },
};
/* clang-format on */

ParameterizedTestParameters(fallback, remove_left)
{
	return cr_make_param_array(struct left_case, left_cases, ARRAY_SIZE(left_cases));
}

ParameterizedTest(struct left_case *c, fallback, remove_left, .init = setup, .fini = teardown)
{
	const char *used = "unset";
	unsigned int found = 99;
	struct said said = {};
	struct arxdp_addr a;
	size_t i;

	for (i = 0; i < 2; i++)
		if (c->tools[i][0])
			put_holder(c->tools[i], c->check, c->del);
	setenv("PATH", dir, 1);
	cr_assert_eq(addr_parse(c->addr, &a, NULL, 0), 0);
	log_set_level(LOG_LEVEL_INFO);
	log_set_sink(said_sink, &said);
	cr_expect_eq(fb_remove_left(c->mode, &a, &found, &used), c->err, "%s", c->name);
	log_set_sink(NULL, NULL);
	cr_expect_eq(found, c->found, "%s: found %u", c->name, found);
	if (c->used[0])
		cr_expect_str_eq(used ? used : "(null)", c->used, "%s", c->name);
	else
		cr_expect_null(used, "%s: used %s", c->name, used);
	if (!c->said[0])
		cr_expect_str_empty(said.text, "%s: said: %s", c->name, said.text);
	else
		cr_expect_not_null(strstr(said.text, c->said), "%s: said: %s", c->name, said.text);
	expect_ran(c->name, c->log, c->want);
}
