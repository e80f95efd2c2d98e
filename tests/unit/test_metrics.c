// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the tables of the Prometheus exposition (metrics.c): label escaping and the
 * atomic textfile without privileges; and, as root, the whole text rendered over a private real
 * instance (blocks written through the blocklist, packets counted by the XDP program through
 * BPF_PROG_TEST_RUN) with and without a daemon status: a strict check of the text format
 * 0.0.4, the families and their types, and the samples' values. Skips those without root.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <cjson/cJSON.h>
#include "arxdp.h"
#include "blocklist.h"
#include "loader.h"
#include "log.h"
#include "metrics.h"
#include "util.h"
#include "bpf/pkt.h"

/* ---- label values ---- */

struct label_case {
	char in[64];
	char out[96];
};

/* clang-format off */
static struct label_case label_cases[] = {
	{ "eth0", "eth0" },
	{ "", "" },
	{ "a\"b", "a\\\"b" },
	{ "a\\b", "a\\\\b" },
	{ "line\nbreak", "line\\nbreak" },
	{ "\\\"\n", "\\\\\\\"\\n" },
	{ "tab\tand cr\r stay", "tab\tand cr\r stay" },
	{ "{x=\"1\"}", "{x=\\\"1\\\"}" },
};
/* clang-format on */

ParameterizedTestParameters(metrics, label_escape)
{
	return cr_make_param_array(struct label_case, label_cases, ARRAY_SIZE(label_cases));
}

ParameterizedTest(struct label_case *c, metrics, label_escape)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	cr_assert_not_null(m);
	metrics_put_label(m, c->in);
	cr_assert_eq(fclose(m), 0);
	cr_expect_str_eq(buf, c->out, "label '%s'", c->in);
	free(buf);
}

/* ---- the textfile writer ---- */

struct textfile_case {
	char desc[64];
	bool make_dir; /* else the directory does not exist */
	char before[32]; /* the file's content before the call; "" = no file */
	char written[32]; /* what the render callback writes */
	int render_err; /* what it returns */
	int err; /* what metrics_write_textfile returns */
	char after[32]; /* the file's content after the call; "" = no file */
};

/* clang-format off */
static struct textfile_case textfile_cases[] = {
	{ "new file", true, "", "arxdp_up 1\n", 0, 0, "arxdp_up 1\n" },
	{ "replaces the old one", true, "old 1\n", "new 2\n", 0, 0, "new 2\n" },
	{ "failed render keeps the old one", true, "old 1\n", "half", -EIO, -EIO, "old 1\n" },
	{ "failed render creates nothing", true, "", "half", -ENOMEM, -ENOMEM, "" },
	{ "no directory: -ENOENT, nothing created", false, "", "x 1\n", 0, -ENOENT, "" },
};
/* clang-format on */

static int write_case(FILE *out, void *ctx)
{
	const struct textfile_case *c = ctx;

	fputs(c->written, out);
	return c->render_err;
}

static void read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	buf[0] = '\0';
	if (!f)
		return;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Entries in dir other than . and .. and name: temporaries left behind. */
static int others_in(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, name))
			n++;
	closedir(d);
	return n;
}

ParameterizedTestParameters(metrics, textfile)
{
	return cr_make_param_array(struct textfile_case, textfile_cases,
				   ARRAY_SIZE(textfile_cases));
}

ParameterizedTest(struct textfile_case *c, metrics, textfile)
{
	char base[] = "/tmp/arxdp-test-metrics.XXXXXX", dir[128], path[160];
	char got[64];
	struct stat st;
	FILE *f;

	log_init("test", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	cr_assert_not_null(mkdtemp(base));
	snprintf(dir, sizeof(dir), "%s/%s", base, c->make_dir ? "textfile" : "missing");
	if (c->make_dir)
		cr_assert_eq(mkdir(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/arxdp.prom", dir);
	if (c->before[0]) {
		f = fopen(path, "w");
		cr_assert_not_null(f);
		fputs(c->before, f);
		fclose(f);
	}
	cr_expect_eq(metrics_write_textfile(path, write_case, c), c->err, "%s", c->desc);
	read_file(path, got, sizeof(got));
	cr_expect_str_eq(got, c->after, "%s: content", c->desc);
	if (c->make_dir) {
		cr_expect_eq(others_in(dir, "arxdp.prom"), 0, "%s: a temporary file is left",
			     c->desc);
		if (c->after[0] && !c->err) {
			cr_assert_eq(stat(path, &st), 0);
			/* node-exporter runs as its own user: the file must be world-readable. */
			cr_expect_eq(st.st_mode & 0777, 0644, "%s: mode %o", c->desc,
				     st.st_mode & 0777);
		}
		unlink(path);
		rmdir(dir);
	} else {
		cr_expect_neq(stat(dir, &st), 0, "%s: the directory was created", c->desc);
	}
	rmdir(base);
}

/* ---- the exposition over a private instance (root) ---- */

#define CAP_V4 1024
#define CAP_V6 512
#define CAP_CIDR 64

static struct loader_private *lp;
static struct blocklist bl;

static void add_block(const char *s, uint32_t timeout, uint8_t origin, bool expired)
{
	struct bl_reason why = { .rule_id = 5712, .level = 10, .origin = origin };
	struct arxdp_block v = { .offenses = 1, .origin = origin };
	struct arxdp_addr a;

	cr_assert_eq(addr_parse(s, &a, NULL, 0), 0, "fixture address %s", s);
	if (expired) {
		v.expires_ns = mono_now_ns() - NSEC_PER_SEC;
		v.timeout_s = 1;
		cr_assert_eq(bl_put(&bl, &a, &v), 0, "put %s", s);
		return;
	}
	cr_assert_eq(bl_block(&bl, &a, timeout, &why, NULL, NULL), 0, "block %s", s);
}

/* One frame through the program; the test run counts it on the loopback interface. */
static int send_frame(const struct pkt_spec *spec)
{
	uint8_t buf[PKT_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int len = pkt_build(spec, buf);

	opts.data_in = buf;
	opts.data_size_in = (__u32)len;
	opts.repeat = 1;
	cr_assert_eq(bpf_prog_test_run_opts(loader_private_prog_fd(lp), &opts), 0,
		     "BPF_PROG_TEST_RUN: %s", strerror(errno));
	return len;
}

static const struct pkt_spec frames[] = {
	{ .ethertype = ETH_P_IP, .src = "198.51.100.7" }, /* exact block: drop */
	{ .ethertype = ETH_P_IP, .src = "198.51.100.7" },
	{ .ethertype = ETH_P_IP, .src = "198.51.100.10" }, /* miss: pass */
	{ .ethertype = ETH_P_IPV6, .src = "2001:db8:1::5" }, /* prefix block: drop */
	{ .ethertype = ETH_P_ARP }, /* not IP: pass */
};
static int v4_drop_bytes; /* of the two dropped IPv4 frames */

static void expo_init(void)
{
	struct loader_opts o = { .capacity_v4 = CAP_V4,
				 .capacity_v6 = CAP_V6,
				 .cidr_capacity = CAP_CIDR };
	size_t i;
	int len;

	if (geteuid() != 0)
		cr_skip_test("a private BPF instance needs root");
	log_init("test", LOG_LEVEL_WARN, LOG_TARGET_STDERR);
	cr_assert_eq(loader_private_open(&o, &lp), 0, "load the XDP program");
	cr_assert_eq(loader_private_blocklist(lp, &bl), 0);
	add_block("198.51.100.7", 0, ARXDP_ORIGIN_CLI, false);
	add_block("198.51.100.8", 0, ARXDP_ORIGIN_CLI, true);
	add_block("198.51.100.9", 3600, ARXDP_ORIGIN_ALERT, false);
	add_block("203.0.113.0/24", 600, ARXDP_ORIGIN_FIREWALL_DROP, false);
	add_block("2001:db8::7", 0, ARXDP_ORIGIN_STATE, false);
	add_block("2001:db8:1::/48", 0, ARXDP_ORIGIN_CLI, false);
	v4_drop_bytes = 0;
	for (i = 0; i < ARRAY_SIZE(frames); i++) {
		len = send_frame(&frames[i]);
		if (i < 2)
			v4_drop_bytes += len;
	}
}

static void expo_fini(void)
{
	bl_close(&bl);
	loader_private_close(lp);
	lp = NULL;
}

TestSuite(exposition, .init = expo_init, .fini = expo_fini);

/* The "daemon" objects of arxdpd's status reply the rows render with. */
enum daemon_fixture { D_NONE, D_FULL, D_ODD };

static const char *const daemon_json[] = {
	[D_NONE] = NULL,
	[D_FULL] = "{\"pid\":1,\"uptime\":12,\"alerts_read\":5,\"bad_lines\":1,"
		   "\"decisions\":{\"block\":3,\"script\":1,\"skip\":2},"
		   "\"blocks\":{\"new\":2,\"extended\":1,\"duplicates\":0,\"refused\":1,"
		   "\"expired\":4,\"unblocked\":0,\"tracked\":7},"
		   "\"errors\":{\"map_full\":0,\"map_write\":1,\"state\":0,\"reload\":0},"
		   "\"scripts\":{\"started\":1,\"stateful\":1,\"stateless\":0,\"aborted\":0,"
		   "\"deletes\":0,\"killed\":0,\"failed\":0,\"running\":1,\"queued\":2,"
		   "\"pending_deletes\":3}}",
	/* Wrong types and a negative count, as a newer or broken daemon might send. */
	[D_ODD] = "{\"uptime\":\"12\",\"alerts_read\":-3,\"decisions\":5,\"blocks\":{\"new\":2}}",
};

static char *render(enum daemon_fixture d)
{
	cJSON *st = daemon_json[d] ? cJSON_Parse(daemon_json[d]) : NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *m;

	cr_assert(!daemon_json[d] || st, "fixture %d is not JSON", d);
	m = open_memstream(&buf, &len);
	cr_assert_not_null(m);
	cr_assert_eq(metrics_render(m, &bl, "/nonexistent/arxdp-test-pin", st, NULL), 0);
	cr_assert_eq(fclose(m), 0);
	cJSON_Delete(st);
	return buf;
}

/* Does a line of text equal s (exact), or start with s (prefix)? */
static bool has_line(const char *text, const char *s, bool prefix)
{
	size_t n = strlen(s);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, s, n) && (prefix || p[n] == '\n' || p[n] == '\0'))
			return true;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return false;
}

static bool valid_name(const char *s, size_t n)
{
	size_t i;

	if (!n || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (i = 0; i < n; i++)
		if (!(s[i] == '_' || s[i] == ':' || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

/* {k="v",...}: label names valid, values with only \\, \" and \n escapes. Returns the end. */
static const char *check_labels(const char *p, const char *line)
{
	const char *k;

	cr_assert_eq(*p, '{');
	p++;
	for (;;) {
		for (k = p; *p && *p != '='; p++)
			;
		cr_assert(valid_name(k, (size_t)(p - k)), "label name in: %s", line);
		cr_assert(p[0] == '=' && p[1] == '"', "label value unquoted in: %s", line);
		for (p += 2; *p && *p != '"'; p++) {
			cr_assert(*p != '\n', "raw newline in: %s", line);
			if (*p == '\\') {
				p++;
				cr_assert(*p == '\\' || *p == '"' || *p == 'n', "bad escape in: %s",
					  line);
			}
		}
		cr_assert_eq(*p, '"', "label value unterminated in: %s", line);
		p++;
		if (*p == '}')
			return p + 1;
		cr_assert_eq(*p, ',', "labels not comma-separated in: %s", line);
		p++;
	}
}

/*
 * The text format as a strict scraper reads it: every family opens with HELP then TYPE (counter
 * or gauge, counters named *_total), is declared once, and its samples follow it; a sample is
 * NAME[{labels}] VALUE with an unsigned integer value.
 */
static void check_format(char *text)
{
	char fam[128] = "", seen[64][128], *line, *save, *p;
	int n_seen = 0, i, lines = 0;
	bool want_type = false;
	size_t n;

	cr_assert(strlen(text) > 0 && text[strlen(text) - 1] == '\n', "no final newline");
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lines++;
		if (!strncmp(line, "# HELP ", 7)) {
			cr_assert(!want_type, "HELP without TYPE before: %s", line);
			p = line + 7;
			n = strcspn(p, " ");
			cr_assert(valid_name(p, n) && n < sizeof(fam), "family name: %s", line);
			cr_assert(p[n] == ' ' && p[n + 1], "HELP without text: %s", line);
			memcpy(fam, p, n);
			fam[n] = '\0';
			for (i = 0; i < n_seen; i++)
				cr_assert_str_neq(seen[i], fam, "family declared twice: %s", fam);
			cr_assert_lt(n_seen, 64);
			strcpy(seen[n_seen++], fam);
			want_type = true;
			continue;
		}
		if (!strncmp(line, "# TYPE ", 7)) {
			char want[160];

			cr_assert(want_type, "TYPE without HELP: %s", line);
			snprintf(want, sizeof(want), "# TYPE %s counter", fam);
			if (strcmp(line, want)) {
				snprintf(want, sizeof(want), "# TYPE %s gauge", fam);
				cr_assert_str_eq(line, want, "TYPE line of %s", fam);
			} else {
				n = strlen(fam);
				cr_assert(n > 6 && !strcmp(fam + n - 6, "_total"),
					  "counter %s not named *_total", fam);
			}
			want_type = false;
			continue;
		}
		cr_assert_neq(line[0], '#', "stray comment: %s", line);
		cr_assert(!want_type, "sample between HELP and TYPE: %s", line);
		n = strcspn(line, "{ ");
		cr_assert(fam[0] && strlen(fam) == n && !strncmp(line, fam, n),
			  "sample outside its family %s: %s", fam, line);
		p = line + n;
		if (*p == '{')
			p = (char *)check_labels(p, line);
		cr_assert_eq(*p, ' ', "no value: %s", line);
		p++;
		cr_assert(*p && strspn(p, "0123456789") == strlen(p), "value not an integer: %s",
			  line);
	}
	cr_assert(!want_type, "the text ends after a HELP line");
	cr_assert_gt(lines, 0);
}

Test(exposition, format)
{
	enum daemon_fixture d;
	char *text;

	for (d = D_NONE; d <= D_ODD; d++) {
		text = render(d);
		check_format(text);
		free(text);
	}
}

struct family_case {
	char name[64];
	char type[8];
	bool daemon_only; /* present only with a daemon status */
};

/* clang-format off */
static struct family_case family_cases[] = {
	{ "arxdp_build_info", "gauge", false },
	{ "arxdp_dropped_packets_total", "counter", false },
	{ "arxdp_dropped_bytes_total", "counter", false },
	{ "arxdp_passed_packets_total", "counter", false },
	{ "arxdp_passed_bytes_total", "counter", false },
	{ "arxdp_counter_packets_total", "counter", false },
	{ "arxdp_counter_bytes_total", "counter", false },
	{ "arxdp_blocks_total", "gauge", false },
	{ "arxdp_blocked_addresses", "gauge", false },
	{ "arxdp_map_entries", "gauge", false },
	{ "arxdp_map_capacity", "gauge", false },
	{ "arxdp_xdp_attached", "gauge", false },
	{ "arxdp_dry_run", "gauge", false },
	{ "arxdpd_up", "gauge", false },
	{ "arxdpd_uptime_seconds", "gauge", true },
	{ "arxdpd_alerts_read_total", "counter", true },
	{ "arxdpd_alert_bad_lines_total", "counter", true },
	{ "arxdpd_decisions_total", "counter", true },
	{ "arxdpd_blocks_made_total", "counter", true },
	{ "arxdpd_blocks_tracked", "gauge", true },
	{ "arxdpd_errors_total", "counter", true },
	{ "arxdpd_scripts_total", "counter", true },
	{ "arxdpd_scripts_running", "gauge", true },
	{ "arxdpd_scripts_queued", "gauge", true },
	{ "arxdpd_scripts_pending_deletes", "gauge", true },
};
/* clang-format on */

ParameterizedTestParameters(exposition, family)
{
	return cr_make_param_array(struct family_case, family_cases, ARRAY_SIZE(family_cases));
}

ParameterizedTest(struct family_case *c, exposition, family)
{
	char type[160], help[160];
	char *with = render(D_FULL), *without = render(D_NONE);

	snprintf(type, sizeof(type), "# TYPE %s %s", c->name, c->type);
	snprintf(help, sizeof(help), "# HELP %s ", c->name);
	cr_expect(has_line(with, type, false), "%s: no '%s' with a daemon", c->name, type);
	cr_expect(has_line(with, help, true), "%s: no HELP line", c->name);
	if (c->daemon_only)
		cr_expect(!has_line(without, help, true), "%s: present without a daemon", c->name);
	else
		cr_expect(has_line(without, type, false), "%s: missing without a daemon", c->name);
	free(with);
	free(without);
}

struct sample_case {
	int daemon; /* enum daemon_fixture */
	char line[96]; /* a whole line; with prefix, the start of lines that must not exist */
	bool present;
	bool prefix;
};

#define LO_V4 "{ifname=\"lo\",family=\"ipv4\"}"
#define LO_V6 "{ifname=\"lo\",family=\"ipv6\"}"

/* clang-format off */
static struct sample_case sample_cases[] = {
	{ D_NONE, "arxdp_build_info{version=\"" ARXDP_VERSION "\"} 1", true, false },
	/* The fixture's frames, counted on lo by the program itself. */
	{ D_NONE, "arxdp_dropped_packets_total" LO_V4 " 2", true, false },
	{ D_NONE, "arxdp_dropped_packets_total" LO_V6 " 1", true, false },
	{ D_NONE, "arxdp_passed_packets_total" LO_V4 " 1", true, false },
	{ D_NONE, "arxdp_passed_packets_total" LO_V6 " 0", true, false },
	{ D_NONE, "arxdp_passed_packets_total{ifname=\"lo\",family=\"other\"} 1", true, false },
	{ D_NONE, "arxdp_dropped_packets_total{ifname=\"lo\",family=\"other\"}", false, true },
	{ D_NONE, "arxdp_counter_packets_total{ifname=\"lo\",counter=\"drop_v4\"} 2", true, false },
	{ D_NONE, "arxdp_counter_packets_total{ifname=\"lo\",counter=\"drop_cidr_v6\"} 1", true,
	  false },
	{ D_NONE, "arxdp_counter_packets_total{ifname=\"lo\",counter=\"pass_v4\"} 1", true, false },
	{ D_NONE, "arxdp_counter_packets_total{ifname=\"lo\",counter=\"dry_run_v4\"} 0", true,
	  false },
	/* Live blocks by origin: the expired one is not counted; "none" is never a series. */
	{ D_NONE, "arxdp_blocks_total{origin=\"cli\"} 2", true, false },
	{ D_NONE, "arxdp_blocks_total{origin=\"alert\"} 1", true, false },
	{ D_NONE, "arxdp_blocks_total{origin=\"firewall-drop\"} 1", true, false },
	{ D_NONE, "arxdp_blocks_total{origin=\"state\"} 1", true, false },
	{ D_NONE, "arxdp_blocks_total{origin=\"none\"}", false, true },
	{ D_NONE, "arxdp_blocked_addresses{family=\"ipv4\"} 3", true, false },
	{ D_NONE, "arxdp_blocked_addresses{family=\"ipv6\"} 2", true, false },
	/* Map entries count the expired block not yet swept. */
	{ D_NONE, "arxdp_map_entries{map=\"" ARXDP_MAP_BLOCK4 "\"} 3", true, false },
	{ D_NONE, "arxdp_map_entries{map=\"" ARXDP_MAP_BLOCK6 "\"} 1", true, false },
	{ D_NONE, "arxdp_map_entries{map=\"" ARXDP_MAP_CIDR4 "\"} 1", true, false },
	{ D_NONE, "arxdp_map_entries{map=\"" ARXDP_MAP_CIDR6 "\"} 1", true, false },
	{ D_NONE, "arxdp_map_capacity{map=\"" ARXDP_MAP_BLOCK4 "\"} 1024", true, false },
	{ D_NONE, "arxdp_map_capacity{map=\"" ARXDP_MAP_BLOCK6 "\"} 512", true, false },
	{ D_NONE, "arxdp_map_capacity{map=\"" ARXDP_MAP_CIDR4 "\"} 64", true, false },
	{ D_NONE, "arxdp_map_capacity{map=\"" ARXDP_MAP_CIDR6 "\"} 64", true, false },
	/* A private instance has no load flags in meta: not a dry run. */
	{ D_NONE, "arxdp_dry_run 0", true, false },
	{ D_NONE, "arxdpd_up 0", true, false },
	{ D_NONE, "arxdpd_alerts_read_total", false, true },
	{ D_FULL, "arxdpd_up 1", true, false },
	{ D_FULL, "arxdpd_uptime_seconds 12", true, false },
	{ D_FULL, "arxdpd_alerts_read_total 5", true, false },
	{ D_FULL, "arxdpd_alert_bad_lines_total 1", true, false },
	{ D_FULL, "arxdpd_decisions_total{action=\"block\"} 3", true, false },
	{ D_FULL, "arxdpd_decisions_total{action=\"skip\"} 2", true, false },
	{ D_FULL, "arxdpd_blocks_made_total{result=\"refused\"} 1", true, false },
	{ D_FULL, "arxdpd_blocks_made_total{result=\"expired\"} 4", true, false },
	{ D_FULL, "arxdpd_blocks_made_total{result=\"tracked\"}", false, true },
	{ D_FULL, "arxdpd_blocks_tracked 7", true, false },
	{ D_FULL, "arxdpd_errors_total{kind=\"map_write\"} 1", true, false },
	{ D_FULL, "arxdpd_scripts_total{event=\"stateful\"} 1", true, false },
	{ D_FULL, "arxdpd_scripts_total{event=\"running\"}", false, true },
	{ D_FULL, "arxdpd_scripts_running 1", true, false },
	{ D_FULL, "arxdpd_scripts_queued 2", true, false },
	{ D_FULL, "arxdpd_scripts_pending_deletes 3", true, false },
	/* A string is not a number, an object that is not one is no family, below zero is 0. */
	{ D_ODD, "arxdpd_up 1", true, false },
	{ D_ODD, "# HELP arxdpd_uptime_seconds ", false, true },
	{ D_ODD, "arxdpd_alerts_read_total 0", true, false },
	{ D_ODD, "# HELP arxdpd_decisions_total ", false, true },
	{ D_ODD, "arxdpd_blocks_made_total{result=\"new\"} 2", true, false },
	{ D_ODD, "arxdpd_blocks_made_total{result=\"extended\"}", false, true },
	{ D_ODD, "# HELP arxdpd_blocks_tracked ", false, true },
	{ D_ODD, "# HELP arxdpd_scripts_total ", false, true },
};
/* clang-format on */

ParameterizedTestParameters(exposition, sample)
{
	return cr_make_param_array(struct sample_case, sample_cases, ARRAY_SIZE(sample_cases));
}

ParameterizedTest(struct sample_case *c, exposition, sample)
{
	char *text = render((enum daemon_fixture)c->daemon);

	cr_expect_eq(has_line(text, c->line, c->prefix), c->present, "%s '%s' (daemon fixture %d)",
		     c->present ? "missing" : "unexpected", c->line, c->daemon);
	free(text);
}

/* The daemon's way: the breakdown from its sweep's tally, never a walk of the maps. */
enum tally_fixture { T_SWEPT, T_GIVEN, T_EARLY };

struct tally_case {
	int tally;
	char line[160];
	bool present, prefix;
};

/* clang-format off */
static const struct tally_case tally_cases[] = {
	/* A full pass of the real sweep counts what the walk counts (the expired one goes). */
	{ T_SWEPT, "arxdp_blocks_total{origin=\"cli\"} 2", true, false },
	{ T_SWEPT, "arxdp_blocks_total{origin=\"alert\"} 1", true, false },
	{ T_SWEPT, "arxdp_blocks_total{origin=\"firewall-drop\"} 1", true, false },
	{ T_SWEPT, "arxdp_blocks_total{origin=\"state\"} 1", true, false },
	{ T_SWEPT, "arxdp_blocked_addresses{family=\"ipv4\"} 3", true, false },
	{ T_SWEPT, "arxdp_blocked_addresses{family=\"ipv6\"} 2", true, false },
	/* A tally given is what is reported: these figures are in no map. */
	{ T_GIVEN, "arxdp_blocks_total{origin=\"cli\"} 7", true, false },
	{ T_GIVEN, "arxdp_blocks_total{origin=\"state\"} 2", true, false },
	{ T_GIVEN, "arxdp_blocked_addresses{family=\"ipv4\"} 11", true, false },
	{ T_GIVEN, "arxdp_blocked_addresses{family=\"ipv6\"} 13", true, false },
	{ T_GIVEN, "arxdp_map_entries{map=\"" ARXDP_MAP_BLOCK4 "\"} 3", true, false },
	/* Before the first pass ended: no count rather than a wrong 0; the rest is there. */
	{ T_EARLY, "# HELP arxdp_blocks_total ", false, true },
	{ T_EARLY, "arxdp_blocked_addresses", false, true },
	{ T_EARLY, "arxdp_map_entries{map=\"" ARXDP_MAP_BLOCK4 "\"} 3", true, false },
};
/* clang-format on */

ParameterizedTestParameters(exposition, tally)
{
	return cr_make_param_array(struct tally_case, tally_cases, ARRAY_SIZE(tally_cases));
}

ParameterizedTest(struct tally_case *c, exposition, tally)
{
	struct bl_tally t = {};
	char *buf = NULL;
	size_t len = 0;
	uint32_t swept;
	FILE *m;

	bl_sweep_tally(&bl, &t);
	cr_expect_not(t.valid, "no pass yet");
	if (c->tally == T_SWEPT) {
		cr_assert_eq(bl_sweep(&bl, mono_now_ns(), UINT32_MAX, NULL, NULL, &swept), 0);
		bl_sweep_tally(&bl, &t);
		cr_assert(t.valid, "one full pass");
	} else if (c->tally == T_GIVEN) {
		t = (struct bl_tally){ .valid = true, .v4 = 11, .v6 = 13 };
		t.by_origin[ARXDP_ORIGIN_CLI] = 7;
		t.by_origin[ARXDP_ORIGIN_STATE] = 2;
	}
	m = open_memstream(&buf, &len);
	cr_assert_not_null(m);
	cr_assert_eq(metrics_render(m, &bl, "/nonexistent/arxdp-test-pin", NULL, &t), 0);
	cr_assert_eq(fclose(m), 0);
	cr_expect_eq(has_line(buf, c->line, c->prefix), c->present, "%s '%s' (tally fixture %d)",
		     c->present ? "missing" : "unexpected", c->line, c->tally);
	free(buf);
}

Test(exposition, dropped_bytes)
{
	char *text = render(D_NONE), want[128];

	snprintf(want, sizeof(want), "arxdp_dropped_bytes_total" LO_V4 " %d", v4_drop_bytes);
	cr_expect(has_line(text, want, false), "missing '%s'", want);
	free(text);
}
