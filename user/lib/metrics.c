// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the Prometheus exposition declared in metrics.h: the text renderer over
 * the pinned maps and arxdpd's status, the atomic textfile writer, and the loopback HTTP/1.0
 * responder. No HTTP library: one request per connection, GET /metrics only, so a few hundred
 * lines of bounded reads are easier to audit than a dependency.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "loader.h"
#include "log.h"
#include "metrics.h"
#include "render.h"
#include "util.h"

#define MAX_ROWS (ARXDP_MAX_IFINDEX + 1)

struct iface_row {
	char ifname[IF_NAMESIZE + 8];
	struct arxdp_counter c[ARXDP_STAT_MAX];
};

struct iface_rows {
	struct iface_row *rows;
	int n;
};

struct walk {
	uint64_t now;
	uint64_t by_origin[ARXDP_ORIGIN_MAX];
	uint64_t v4, v6;
};

void metrics_put_label(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(out, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
}

static void head(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{k1="v1",k2="v2"} value; k2 may be NULL. */
static void sample(FILE *out, const char *name, const char *k1, const char *v1, const char *k2,
		   const char *v2, uint64_t value)
{
	fputs(name, out);
	if (k1) {
		fprintf(out, "{%s=\"", k1);
		metrics_put_label(out, v1);
		if (k2) {
			fprintf(out, "\",%s=\"", k2);
			metrics_put_label(out, v2);
		}
		fputs("\"}", out);
	}
	fprintf(out, " %" PRIu64 "\n", value);
}

static void iface_cb(uint32_t ifindex, const struct arxdp_counter row[ARXDP_STAT_MAX], void *vctx)
{
	struct iface_rows *r = vctx;
	struct iface_row *x;
	char name[IF_NAMESIZE];

	if (r->n >= MAX_ROWS)
		return;
	x = &r->rows[r->n++];
	if (!ifindex)
		str_copy(x->ifname, "other", sizeof(x->ifname));
	else if (if_indextoname(ifindex, name))
		str_copy(x->ifname, name, sizeof(x->ifname));
	else /* the interface is gone; its counts stay in the row until the maps go */
		snprintf(x->ifname, sizeof(x->ifname), "if%u", ifindex);
	memcpy(x->c, row, sizeof(x->c));
}

/*
 * Prometheus wants every series from the start: a counter that appears at its first packet
 * makes rate() miss that packet and alerts on absent() fire. Every interface arxdp is attached
 * to gets a row of zeros until it counts something.
 */
/* The interfaces with an XDP program, read once per exposition. */
struct attached {
	char ifname[IF_NAMESIZE];
	enum arxdp_xdp_mode mode;
	bool ours;
};

struct attached_list {
	struct attached *a;
	int n;
};

static void read_attached(struct attached_list *l, const char *pin_dir)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	struct attach_info ai;

	if (!ifs)
		return;
	for (i = ifs; i->if_index && l->n < MAX_ROWS; i++) {
		if (loader_query(pin_dir, (int)i->if_index, &ai) || ai.state == ATTACH_NONE)
			continue;
		str_copy(l->a[l->n].ifname, i->if_name, sizeof(l->a[l->n].ifname));
		l->a[l->n].mode = ai.mode;
		l->a[l->n].ours = ai.state == ATTACH_OURS;
		l->n++;
	}
	if_freenameindex(ifs);
}

static void add_attached_rows(struct iface_rows *r, const struct attached_list *l)
{
	bool have;
	int i, j;

	for (i = 0; i < l->n && r->n < MAX_ROWS; i++) {
		if (!l->a[i].ours)
			continue;
		for (j = 0, have = false; j < r->n && !have; j++)
			have = !strcmp(r->rows[j].ifname, l->a[i].ifname);
		if (have)
			continue;
		memset(&r->rows[r->n], 0, sizeof(r->rows[r->n]));
		str_copy(r->rows[r->n].ifname, l->a[i].ifname, sizeof(r->rows[r->n].ifname));
		r->n++;
	}
}

static int walk_cb(const struct bl_entry *e, void *vctx)
{
	struct walk *w = vctx;

	if (bl_expired(&e->v, w->now))
		return 0;
	if (e->v.origin < ARXDP_ORIGIN_MAX)
		w->by_origin[e->v.origin]++;
	if (e->addr.family == 4)
		w->v4++;
	else
		w->v6++;
	return 0;
}

static uint64_t sum2(const struct arxdp_counter *c, int a, int b, int d, bool bytes)
{
	uint64_t s = bytes ? c[a].bytes + c[b].bytes : c[a].packets + c[b].packets;

	if (d >= 0)
		s += bytes ? c[d].bytes : c[d].packets;
	return s;
}

static void render_traffic(FILE *out, const struct iface_rows *r)
{
	static const struct {
		const char *name, *help;
		bool bytes, drop;
	} m[] = {
		{ "arxdp_dropped_packets_total", "Packets dropped by arxdp's XDP program.", false,
		  true },
		{ "arxdp_dropped_bytes_total", "Bytes dropped by arxdp's XDP program.", true,
		  true },
		{ "arxdp_passed_packets_total",
		  "Packets passed by arxdp's XDP program (dry-run hits included).", false, false },
		{ "arxdp_passed_bytes_total",
		  "Bytes passed by arxdp's XDP program (dry-run hits included).", true, false },
	};
	size_t i;
	int j;

	for (i = 0; i < ARRAY_SIZE(m); i++) {
		head(out, m[i].name, "counter", m[i].help);
		for (j = 0; j < r->n; j++) {
			const struct arxdp_counter *c = r->rows[j].c;
			const char *ifn = r->rows[j].ifname;
			bool b = m[i].bytes;

			if (m[i].drop) {
				sample(out, m[i].name, "ifname", ifn, "family", "ipv4",
				       sum2(c, ARXDP_STAT_DROP_V4, ARXDP_STAT_DROP_CIDR_V4, -1, b));
				sample(out, m[i].name, "ifname", ifn, "family", "ipv6",
				       sum2(c, ARXDP_STAT_DROP_V6, ARXDP_STAT_DROP_CIDR_V6, -1, b));
				continue;
			}
			sample(out, m[i].name, "ifname", ifn, "family", "ipv4",
			       sum2(c, ARXDP_STAT_PASS_V4, ARXDP_STAT_PASS_EXPIRED_V4,
				    ARXDP_STAT_DRYRUN_V4, b));
			sample(out, m[i].name, "ifname", ifn, "family", "ipv6",
			       sum2(c, ARXDP_STAT_PASS_V6, ARXDP_STAT_PASS_EXPIRED_V6,
				    ARXDP_STAT_DRYRUN_V6, b));
			sample(out, m[i].name, "ifname", ifn, "family", "other",
			       b ? c[ARXDP_STAT_PASS_OTHER].bytes :
				   c[ARXDP_STAT_PASS_OTHER].packets);
		}
	}
	head(out, "arxdp_counter_packets_total", "counter",
	     "Every counter of the XDP program by interface, as in 'arxdp stats'.");
	for (j = 0; j < r->n; j++)
		for (i = 0; i < ARXDP_STAT_MAX; i++)
			sample(out, "arxdp_counter_packets_total", "ifname", r->rows[j].ifname,
			       "counter", stat_name(i), r->rows[j].c[i].packets);
	head(out, "arxdp_counter_bytes_total", "counter",
	     "Bytes of every counter of the XDP program by interface.");
	for (j = 0; j < r->n; j++)
		for (i = 0; i < ARXDP_STAT_MAX; i++)
			sample(out, "arxdp_counter_bytes_total", "ifname", r->rows[j].ifname,
			       "counter", stat_name(i), r->rows[j].c[i].bytes);
}

static void render_attached(FILE *out, const struct attached_list *l)
{
	int i;

	head(out, "arxdp_xdp_attached", "gauge",
	     "XDP program on the interface: 1 = arxdp's, 0 = a foreign program.");
	for (i = 0; i < l->n; i++)
		sample(out, "arxdp_xdp_attached", "ifname", l->a[i].ifname, "mode",
		       mode_name(l->a[i].mode), l->a[i].ours);
}

static uint64_t jnum(const cJSON *o, const char *k)
{
	const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;

	return cJSON_IsNumber(v) && v->valuedouble > 0 ? (uint64_t)v->valuedouble : 0;
}

static bool jhas(const cJSON *o, const char *k)
{
	return o && cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, k));
}

/* One labelled family from the keys of a status sub-object that are present. */
static void daemon_family(FILE *out, const cJSON *st, const char *obj, const char *name,
			  const char *type, const char *help, const char *label,
			  const char *const *keys, size_t nkeys)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(st, obj);
	size_t i;

	if (!cJSON_IsObject(o))
		return;
	head(out, name, type, help);
	for (i = 0; i < nkeys; i++)
		if (jhas(o, keys[i]))
			sample(out, name, label, keys[i], NULL, NULL, jnum(o, keys[i]));
}

static void daemon_scalar(FILE *out, const cJSON *o, const char *key, const char *name,
			  const char *type, const char *help)
{
	if (!jhas(o, key))
		return;
	head(out, name, type, help);
	sample(out, name, NULL, NULL, NULL, NULL, jnum(o, key));
}

static void render_daemon(FILE *out, const cJSON *st)
{
	static const char *const decisions[] = { "block", "script", "skip" };
	static const char *const blocks[] = { "new",	 "extended", "duplicates",
					      "refused", "expired",  "unblocked" };
	static const char *const errors[] = { "map_full", "map_write", "state", "reload" };
	static const char *const scripts[] = { "started", "stateful", "stateless", "aborted",
					       "deletes", "killed",   "failed" };
	const cJSON *sc = cJSON_GetObjectItemCaseSensitive(st, "scripts");
	const cJSON *bl = cJSON_GetObjectItemCaseSensitive(st, "blocks");

	head(out, "arxdpd_up", "gauge", "1 when arxdpd answered its status request.");
	sample(out, "arxdpd_up", NULL, NULL, NULL, NULL, st != NULL);
	if (!st)
		return;
	daemon_scalar(out, st, "uptime", "arxdpd_uptime_seconds", "gauge",
		      "Seconds since arxdpd started.");
	daemon_scalar(out, st, "alerts_read", "arxdpd_alerts_read_total", "counter",
		      "Alerts read from alerts.json since arxdpd started.");
	daemon_scalar(out, st, "bad_lines", "arxdpd_alert_bad_lines_total", "counter",
		      "Lines of alerts.json that were not a usable alert (bad JSON, too long).");
	daemon_family(out, st, "decisions", "arxdpd_decisions_total", "counter",
		      "Active-response decisions since arxdpd started, by action.", "action",
		      decisions, ARRAY_SIZE(decisions));
	daemon_family(out, st, "blocks", "arxdpd_blocks_made_total", "counter",
		      "Block writes by arxdpd since it started, by result.", "result", blocks,
		      ARRAY_SIZE(blocks));
	daemon_scalar(out, bl, "tracked", "arxdpd_blocks_tracked", "gauge",
		      "Blocks arxdpd tracks in its state (timers, pending deletes).");
	daemon_family(out, st, "errors", "arxdpd_errors_total", "counter",
		      "Errors since arxdpd started, by kind.", "kind", errors, ARRAY_SIZE(errors));
	daemon_family(out, st, "scripts", "arxdpd_scripts_total", "counter",
		      "Active-response scripts since arxdpd started, by event.", "event", scripts,
		      ARRAY_SIZE(scripts));
	daemon_scalar(out, sc, "running", "arxdpd_scripts_running", "gauge",
		      "Active-response scripts running now.");
	daemon_scalar(out, sc, "queued", "arxdpd_scripts_queued", "gauge",
		      "Active-response scripts waiting for a slot.");
	daemon_scalar(out, sc, "pending_deletes", "arxdpd_scripts_pending_deletes", "gauge",
		      "Stateful responses waiting for their delete.");
}

int metrics_render(FILE *out, struct blocklist *bl, const char *pin_dir, const cJSON *daemon_status,
		   const struct bl_tally *tally)
{
	static const char *const origins[ARXDP_ORIGIN_MAX] = {
		[ARXDP_ORIGIN_NONE] = "none",	[ARXDP_ORIGIN_ALERT] = "alert",
		[ARXDP_ORIGIN_CLI] = "cli",	[ARXDP_ORIGIN_FIREWALL_DROP] = "firewall-drop",
		[ARXDP_ORIGIN_STATE] = "state",
	};
	struct iface_rows r = {};
	struct attached_list att = {};
	struct walk w = { .now = mono_now_ns() };
	struct arxdp_meta meta = {};
	struct bl_fill f;
	int err, i;

	r.rows = calloc(MAX_ROWS, sizeof(*r.rows));
	att.a = calloc(MAX_ROWS, sizeof(*att.a));
	if (!r.rows || !att.a) {
		err = -ENOMEM;
		goto out;
	}
	/* Read everything first, so a failed read never leaves a half exposition behind. */
	err = bl_stats_ifaces(bl, iface_cb, &r);
	if (err) {
		pr_warn("map '%s': read failed: %s", ARXDP_MAP_STATS, strerror(-err));
		goto out;
	}
	read_attached(&att, pin_dir);
	add_attached_rows(&r, &att);
	err = bl_fill(bl, &f);
	if (err) {
		pr_warn("pin directory '%s': cannot read map fill: %s", pin_dir, strerror(-err));
		goto out;
	}
	if (tally) {
		/* A daemon's loop never walks a million entries: its sweep counted them. */
		memcpy(w.by_origin, tally->by_origin, sizeof(w.by_origin));
		w.v4 = tally->v4;
		w.v6 = tally->v6;
	} else {
		err = bl_foreach(bl, walk_cb, &w);
		if (err)
			goto out;
	}
	bl_meta(bl, &meta); /* zeroed when it cannot be read: no dry-run flag to report */

	head(out, "arxdp_build_info", "gauge", "arxdp's version; always 1.");
	sample(out, "arxdp_build_info", "version", ARXDP_VERSION, NULL, NULL, 1);
	render_traffic(out, &r);
	/* Before the daemon's first sweep pass ended there is no count: no sample, not a 0. */
	if (!tally || tally->valid) {
		head(out, "arxdp_blocks_total", "gauge",
		     "Live blocks in the maps now, by origin (a gauge despite the name: not "
		     "cumulative).");
		for (i = 1; i < ARXDP_ORIGIN_MAX; i++)
			sample(out, "arxdp_blocks_total", "origin", origins[i], NULL, NULL,
			       w.by_origin[i]);
		head(out, "arxdp_blocked_addresses", "gauge",
		     "Live blocks (exact addresses and prefixes) in the maps, by family.");
		sample(out, "arxdp_blocked_addresses", "family", "ipv4", NULL, NULL, w.v4);
		sample(out, "arxdp_blocked_addresses", "family", "ipv6", NULL, NULL, w.v6);
	}
	head(out, "arxdp_map_entries", "gauge",
	     "Entries in each block map, expired ones not yet swept included.");
	sample(out, "arxdp_map_entries", "map", ARXDP_MAP_BLOCK4, NULL, NULL, f.block4);
	sample(out, "arxdp_map_entries", "map", ARXDP_MAP_BLOCK6, NULL, NULL, f.block6);
	sample(out, "arxdp_map_entries", "map", ARXDP_MAP_CIDR4, NULL, NULL, f.cidr4);
	sample(out, "arxdp_map_entries", "map", ARXDP_MAP_CIDR6, NULL, NULL, f.cidr6);
	head(out, "arxdp_map_capacity", "gauge", "Capacity of each block map (max_entries).");
	sample(out, "arxdp_map_capacity", "map", ARXDP_MAP_BLOCK4, NULL, NULL, bl->cap_block4);
	sample(out, "arxdp_map_capacity", "map", ARXDP_MAP_BLOCK6, NULL, NULL, bl->cap_block6);
	sample(out, "arxdp_map_capacity", "map", ARXDP_MAP_CIDR4, NULL, NULL, bl->cap_cidr4);
	sample(out, "arxdp_map_capacity", "map", ARXDP_MAP_CIDR6, NULL, NULL, bl->cap_cidr6);
	render_attached(out, &att);
	head(out, "arxdp_dry_run", "gauge", "1 when the loaded program counts but never drops.");
	sample(out, "arxdp_dry_run", NULL, NULL, NULL, NULL,
	       !!(meta.load_flags & ARXDP_LOAD_DRY_RUN));
	render_daemon(out, daemon_status);
	if (fflush(out) || ferror(out))
		err = -EIO;
out:
	free(r.rows);
	free(att.a);
	return err;
}

int metrics_write_textfile(const char *path, metrics_render_fn fn, void *ctx)
{
	char tmp[PATH_MAX], dir[PATH_MAX], base[PATH_MAX];
	FILE *f = NULL;
	int fd = -1, dfd = -1, err;

	if (str_copy(dir, path, sizeof(dir)) || str_copy(base, path, sizeof(base)) ||
	    snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dirname(dir), basename(base)) >=
		    (int)sizeof(tmp)) {
		pr_warn("metrics file '%s': path too long", path);
		return -ENAMETOOLONG;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		pr_warn("metrics file '%s': cannot create a temporary file in '%s': %s", path, dir,
			strerror(-err));
		return err;
	}
	/* mkostemp makes it 0600; node-exporter runs as its own user and must read it. */
	if (fchmod(fd, 0644)) {
		err = -errno;
		goto fail;
	}
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		goto fail;
	}
	fd = -1;
	err = fn(f, ctx);
	if (err)
		goto fail;
	if (fflush(f) || fsync(fileno(f))) {
		err = -errno;
		goto fail;
	}
	if (fclose(f)) {
		f = NULL;
		err = -errno;
		goto fail;
	}
	f = NULL;
	if (rename(tmp, path)) {
		err = -errno;
		goto fail;
	}
	/* The rename itself is durable only once the directory is. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	if (err)
		pr_warn("metrics file '%s': write failed: %s", path, strerror(-err));
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return err ?: -EIO;
}

int metrics_http_listen(const char *addr, uint16_t port)
{
	struct sockaddr_storage ss = {};
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd, one = 1, err;

	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		if ((ntohl(s4->sin_addr.s_addr) >> 24) != 127) {
			pr_warn("metrics address '%s': not a loopback address: use 127.0.0.1 or ::1",
				addr);
			return -EADDRNOTAVAIL;
		}
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		len = sizeof(*s4);
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		if (!IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr)) {
			pr_warn("metrics address '%s': not a loopback address: use 127.0.0.1 or ::1",
				addr);
			return -EADDRNOTAVAIL;
		}
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		len = sizeof(*s6);
	} else {
		pr_warn("metrics address '%s': not a numeric address: use 127.0.0.1 or ::1", addr);
		return -EINVAL;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 16)) {
		err = -errno;
		pr_warn("metrics address '%s' port %u: cannot listen: %s", addr, port,
			strerror(-err));
		close(fd);
		return err;
	}
	return fd;
}

/* The whole response, header and body, in one malloc'd buffer. */
static int respond(char **out, size_t *len, const char *status, const char *ctype, const char *body,
		   size_t blen, bool head_only)
{
	int n = asprintf(out,
			 "HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n%.*s",
			 status, ctype, blen, head_only ? 0 : (int)blen, body);

	if (n < 0) {
		*out = NULL;
		return -ENOMEM;
	}
	*len = (size_t)n;
	return 0;
}

int metrics_http_request_done(const char *buf, size_t len)
{
	if (len >= METRICS_HTTP_REQUEST_MAX - 1)
		return -E2BIG;
	/* HTTP/1.0 clients may omit headers entirely; the request line is all we use. */
	return strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n") ? 1 : 0;
}

int metrics_http_response(const char *request, metrics_render_fn fn, void *ctx, char **out,
			  size_t *len)
{
	static const char text[] = "text/plain; charset=utf-8";
	char req[METRICS_HTTP_REQUEST_MAX], *sp, *path, *end, *body = NULL;
	size_t blen = 0;
	bool head_only;
	FILE *m;
	int err;

	if (str_copy(req, request, sizeof(req)))
		return respond(out, len, "400 Bad Request", text, "request too large\n", 18, false);
	sp = strchr(req, ' ');
	if (!sp)
		return respond(out, len, "400 Bad Request", text, "bad request\n", 12, false);
	*sp = '\0';
	path = sp + 1;
	end = strpbrk(path, " \r\n");
	if (!end || *end != ' ' || strncmp(end + 1, "HTTP/1.", 7))
		return respond(out, len, "400 Bad Request", text, "bad request\n", 12, false);
	*end = '\0';
	head_only = !strcmp(req, "HEAD");
	if (strcmp(req, "GET") && !head_only)
		return respond(out, len, "405 Method Not Allowed", text, "only GET and HEAD\n", 18,
			       false);
	if (strcmp(path, "/metrics") && strncmp(path, "/metrics?", 9))
		return respond(out, len, "404 Not Found", text, "try /metrics\n", 13, head_only);
	m = open_memstream(&body, &blen);
	if (!m)
		return respond(out, len, "500 Internal Server Error", text, "out of memory\n", 14,
			       head_only);
	err = fn(m, ctx);
	if (fclose(m))
		err = err ?: -ENOMEM;
	if (err)
		err = respond(out, len, "500 Internal Server Error", text, "cannot read the maps\n",
			      21, head_only);
	else
		err = respond(out, len, "200 OK", "text/plain; version=0.0.4; charset=utf-8", body,
			      blen, head_only);
	free(body);
	return err;
}
