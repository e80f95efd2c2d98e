// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains `arxdp top` (see top.h). Each refresh walks the block maps once: the
 * per-block drop counters of the previous walk sit in a hash table keyed by address, so the
 * rate of every block is a subtraction, and only the N busiest (N = the rows that fit) are
 * kept while walking. Blocks that never dropped anything are not remembered, so memory follows
 * the blocks that see traffic, not the million that may sit in the maps.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include "log.h"
#include "top.h"
#include "util.h"

#define MAX_ROWS 500
#define HEADER_LINES 5

struct seen {
	struct arxdp_addr addr;
	bool used;
	uint64_t packets;
};

struct table {
	struct seen *s;
	size_t cap, n;
};

struct row {
	struct bl_entry e;
	double rate; /* packets/s, < 0 when unknown (first frame) */
};

struct frame {
	uint64_t now; /* CLOCK_MONOTONIC ns of the walk */
	struct table cur; /* being filled */
	const struct table *prev;
	bool have_prev;
	uint64_t last; /* CLOCK_MONOTONIC ns of the previous walk */
	double dt; /* seconds since the previous walk */
	struct row *top;
	int ntop, max_top;
	uint64_t live, entries[4]; /* entries: block4, block6, cidr4, cidr6 (expired included) */
	struct arxdp_counter st[ARXDP_STAT_MAX];
};

static volatile sig_atomic_t stop_sig, resized;

static void on_signal(int sig)
{
	if (sig == SIGWINCH)
		resized = 1;
	else
		stop_sig = sig;
}

int top_parse_args(int argc, char **argv, struct top_opts *o)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "once", no_argument, NULL, '1' },
		{},
	};
	unsigned long long v;
	char *end;
	int c;

	o->interval_ms = TOP_INTERVAL_DEFAULT_MS;
	o->iterations = 0;
	o->once = false;
	while ((c = getopt_long(argc, argv, "i:n:", opts, NULL)) != -1) {
		if (c == '1') {
			o->once = true;
			continue;
		}
		if (c != 'i' && c != 'n')
			return -EINVAL;
		errno = 0;
		v = strtoull(optarg, &end, 10);
		if (errno || end == optarg || *end ||
		    (c == 'i' && (v < TOP_INTERVAL_MIN_MS || v > 3600000))) {
			pr_warn("top: %s '%s': %s", c == 'i' ? "--interval" : "--iterations",
				optarg,
				c == 'i' ? "milliseconds from 100 to 3600000" : "not a number");
			return -EINVAL;
		}
		if (c == 'i')
			o->interval_ms = (uint32_t)v;
		else
			o->iterations = v;
	}
	if (optind != argc) {
		pr_warn("top: unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

static size_t addr_hash(const struct arxdp_addr *a)
{
	uint64_t h = 1469598103934665603ULL;
	int i;

	h = (h ^ a->family) * 1099511628211ULL;
	h = (h ^ a->prefixlen) * 1099511628211ULL;
	for (i = 0; i < 16; i++)
		h = (h ^ a->a[i]) * 1099511628211ULL;
	return (size_t)h;
}

static bool addr_eq(const struct arxdp_addr *x, const struct arxdp_addr *y)
{
	return x->family == y->family && x->prefixlen == y->prefixlen && !memcmp(x->a, y->a, 16);
}

static struct seen *table_slot(const struct table *t, const struct arxdp_addr *a)
{
	size_t i = addr_hash(a) & (t->cap - 1);

	while (t->s[i].used && !addr_eq(&t->s[i].addr, a))
		i = (i + 1) & (t->cap - 1);
	return &t->s[i];
}

static bool table_get(const struct table *t, const struct arxdp_addr *a, uint64_t *packets)
{
	struct seen *s;

	if (!t->cap)
		return false;
	s = table_slot(t, a);
	if (!s->used)
		return false;
	*packets = s->packets;
	return true;
}

static int table_put(struct table *t, const struct arxdp_addr *a, uint64_t packets)
{
	struct seen *s;
	size_t i;

	/* Open addressing at most half full: grow (and rehash) before inserting. */
	if ((t->n + 1) * 2 > t->cap) {
		struct table g = { .cap = t->cap ? t->cap * 2 : 1024 };

		g.s = calloc(g.cap, sizeof(*g.s));
		if (!g.s)
			return -ENOMEM;
		for (i = 0; i < t->cap; i++)
			if (t->s[i].used)
				*table_slot(&g, &t->s[i].addr) = t->s[i];
		g.n = t->n;
		free(t->s);
		*t = g;
	}
	s = table_slot(t, a);
	if (!s->used)
		t->n++;
	s->used = true;
	s->addr = *a;
	s->packets = packets;
	return 0;
}

static bool row_better(const struct row *x, const struct row *y)
{
	if (x->rate != y->rate)
		return x->rate > y->rate;
	return x->e.dropped.packets > y->e.dropped.packets;
}

static int walk_cb(const struct bl_entry *e, void *vctx)
{
	struct frame *f = vctx;
	bool exact = e->addr.prefixlen == (e->addr.family == 4 ? 32 : 128);
	struct row r = { .e = *e, .rate = -1 };
	uint64_t prev = 0;
	int i, worst;

	f->entries[(exact ? 0 : 2) + (e->addr.family == 4 ? 0 : 1)]++;
	if (bl_expired(&e->v, f->now))
		return 0;
	f->live++;
	if (e->dropped.packets) {
		if (table_put(&f->cur, &e->addr, e->dropped.packets))
			return -ENOMEM;
	}
	if (f->have_prev) {
		/* Not seen before with drops: a new block, or one that starts dropping now. */
		table_get(f->prev, &e->addr, &prev);
		r.rate = e->dropped.packets >= prev ? (double)(e->dropped.packets - prev) / f->dt :
						      (double)e->dropped.packets / f->dt;
	}
	if (f->ntop < f->max_top) {
		f->top[f->ntop++] = r;
		return 0;
	}
	for (worst = 0, i = 1; i < f->ntop; i++)
		if (row_better(&f->top[worst], &f->top[i]))
			worst = i;
	if (f->ntop && row_better(&r, &f->top[worst]))
		f->top[worst] = r;
	return 0;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	return row_better(x, y) ? -1 : row_better(y, x) ? 1 : 0;
}

static void human(double v, char *buf, size_t len)
{
	static const char units[] = " kMGTP";
	int u = 0;

	while (v >= 1000 && u < 5) {
		v /= 1000;
		u++;
	}
	if (!u)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.1f%c", v, units[u]);
}

static void term_size(int *rows, int *cols)
{
	struct winsize ws;

	*rows = 24;
	*cols = 80;
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}

/* One screen line: text cut to the width (ASCII only), optionally bold, then erase-to-EOL. */
static void line(FILE *out, bool tty, int cols, bool bold, bool last, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static void line(FILE *out, bool tty, int cols, bool bold, bool last, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		buf[0] = '\0';
	if (cols > 0 && cols < (int)sizeof(buf))
		buf[cols] = '\0';
	if (!tty) {
		fprintf(out, "%s\n", buf);
		return;
	}
	fprintf(out, "%s%s%s\033[K%s", bold ? "\033[1m" : "", buf, bold ? "\033[0m" : "",
		last ? "" : "\n");
}

static void rate_of(uint64_t cur, uint64_t prev, bool have, double dt, char *buf, size_t len)
{
	if (!have) {
		snprintf(buf, len, "-");
		return;
	}
	human(cur >= prev ? (double)(cur - prev) / dt : 0, buf, len);
}

static void sums(const struct arxdp_counter *st, uint64_t *dp, uint64_t *db, uint64_t *pp)
{
	*dp = st[ARXDP_STAT_DROP_V4].packets + st[ARXDP_STAT_DROP_V6].packets +
	      st[ARXDP_STAT_DROP_CIDR_V4].packets + st[ARXDP_STAT_DROP_CIDR_V6].packets;
	*db = st[ARXDP_STAT_DROP_V4].bytes + st[ARXDP_STAT_DROP_V6].bytes +
	      st[ARXDP_STAT_DROP_CIDR_V4].bytes + st[ARXDP_STAT_DROP_CIDR_V6].bytes;
	*pp = st[ARXDP_STAT_PASS_V4].packets + st[ARXDP_STAT_PASS_V6].packets +
	      st[ARXDP_STAT_PASS_OTHER].packets + st[ARXDP_STAT_PASS_EXPIRED_V4].packets +
	      st[ARXDP_STAT_PASS_EXPIRED_V6].packets + st[ARXDP_STAT_DRYRUN_V4].packets +
	      st[ARXDP_STAT_DRYRUN_V6].packets;
}

static double pct(uint64_t n, uint32_t cap)
{
	return cap ? 100.0 * (double)n / cap : 0;
}

static void render(FILE *out, bool tty, int rows, int cols, const struct top_opts *o,
		   const struct blocklist *bl, const struct frame *f,
		   const struct arxdp_counter *prev_st)
{
	uint64_t dp, db, pp, odp = 0, odb = 0, opp = 0;
	char r1[16], r2[16], r3[16], tot[16], ts[16], ab[ADDR_STRLEN], left[32], why[64];
	char pk[16], by[16], rt[16];
	time_t t = time(NULL);
	struct tm tm;
	int i, aw = 15, shown;

	localtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
	sums(f->st, &dp, &db, &pp);
	if (f->have_prev)
		sums(prev_st, &odp, &odb, &opp);
	rate_of(dp, odp, f->have_prev, f->dt, r1, sizeof(r1));
	rate_of(db * 8, odb * 8, f->have_prev, f->dt, r2, sizeof(r2));
	rate_of(pp, opp, f->have_prev, f->dt, r3, sizeof(r3));
	human((double)dp, tot, sizeof(tot));
	if (tty)
		fputs("\033[H", out);
	line(out, tty, cols, false, false, "arxdp top - %s  refresh %.1fs  %s%s", ts,
	     o->interval_ms / 1000.0, o->pin_dir, tty ? "  (q quits)" : "");
	line(out, tty, cols, false, false,
	     "drop %s pkt/s %s bit/s   pass %s pkt/s   dropped since load %s pkts", r1, r2, r3,
	     tot);
	line(out, tty, cols, false, false,
	     "blocks %" PRIu64 " live   fill block_v4 %" PRIu64 " (%.1f%%) block_v6 %" PRIu64
	     " (%.1f%%) cidr_v4 %" PRIu64 " cidr_v6 %" PRIu64,
	     f->live, f->entries[0], pct(f->entries[0], bl->cap_block4), f->entries[1],
	     pct(f->entries[1], bl->cap_block6), f->entries[2], f->entries[3]);
	line(out, tty, cols, false, false, "%s", "");
	for (i = 0; i < f->ntop; i++) {
		int n = (int)strlen(addr_format(&f->top[i].e.addr, ab, sizeof(ab)));

		aw = n > aw ? n : aw;
	}
	shown = f->ntop;
	if (tty && shown > rows - HEADER_LINES)
		shown = rows - HEADER_LINES > 0 ? rows - HEADER_LINES : 0;
	line(out, tty, cols, true, tty && !shown, "%-*s %8s %10s %10s %-9s %-13s %s", aw, "ADDRESS",
	     "PKT/S", "PACKETS", "BYTES", "EXPIRES", "ORIGIN", "REASON");
	for (i = 0; i < shown; i++) {
		const struct bl_entry *e = &f->top[i].e;

		if (!e->v.expires_ns)
			snprintf(left, sizeof(left), "never");
		else
			duration_format(bl_remaining_s(&e->v, f->now), left, sizeof(left));
		if (e->v.rule_id)
			snprintf(why, sizeof(why), "rule %u level %u x%u", e->v.rule_id, e->v.level,
				 e->v.offenses);
		else
			snprintf(why, sizeof(why), "x%u", e->v.offenses);
		if (f->top[i].rate < 0)
			snprintf(rt, sizeof(rt), "-");
		else
			human(f->top[i].rate, rt, sizeof(rt));
		human((double)e->dropped.packets, pk, sizeof(pk));
		human((double)e->dropped.bytes, by, sizeof(by));
		line(out, tty, cols, false, tty && i == shown - 1,
		     "%-*s %8s %10s %10s %-9s %-13s %s", aw, addr_format(&e->addr, ab, sizeof(ab)),
		     rt, pk, by, left, origin_name(e->v.origin), why);
	}
	if (!f->ntop)
		line(out, tty, cols, false, true, "%s", tty ? "" : "(no live blocks)");
	if (tty)
		fputs("\033[J", out);
	else
		fputc('\n', out);
}

struct term {
	bool tty, have_termios;
	struct termios saved;
	struct sigaction old[4];
};

static const int sigs[4] = { SIGINT, SIGTERM, SIGHUP, SIGWINCH };

static void term_enter(struct term *t, bool tty)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct termios raw;
	int i;

	stop_sig = resized = 0;
	/* No SA_RESTART: a signal must cut the wait for the next refresh short. */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < 4; i++)
		sigaction(sigs[i], &sa, &t->old[i]);
	t->tty = tty;
	if (!tty)
		return;
	if (isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &t->saved)) {
		t->have_termios = true;
		raw = t->saved;
		raw.c_lflag &= ~(ICANON | ECHO);
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 0;
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	/* Alternate screen, cursor hidden: the shell's screen comes back untouched at exit. */
	fputs("\033[?1049h\033[?25l\033[H\033[2J", stdout);
	fflush(stdout);
}

static void term_leave(struct term *t)
{
	int i;

	if (t->tty) {
		fputs("\033[0m\033[?25h\033[?1049l", stdout);
		fflush(stdout);
	}
	if (t->have_termios)
		tcsetattr(STDIN_FILENO, TCSANOW, &t->saved);
	for (i = 0; i < 4; i++)
		sigaction(sigs[i], &t->old[i], NULL);
}

/* Waits up to ms for q; returns true when the user (or a signal) asked to quit. */
static bool wait_keys(int *in_fd, uint32_t ms)
{
	uint64_t deadline = mono_now_ns() + (uint64_t)ms * 1000000;
	struct pollfd p;
	char buf[64];
	ssize_t n, i;
	uint64_t now;

	while (!stop_sig && !resized && (now = mono_now_ns()) < deadline) {
		p.fd = *in_fd;
		p.events = POLLIN;
		if (poll(&p, 1, (int)((deadline - now + 999999) / 1000000)) <= 0)
			continue;
		n = read(*in_fd, buf, sizeof(buf));
		if (n <= 0) {
			/* stdin closed (or /dev/null): keep refreshing, stop watching it */
			*in_fd = -1;
			continue;
		}
		for (i = 0; i < n; i++)
			if (buf[i] == 'q' || buf[i] == 'Q')
				return true;
	}
	return stop_sig != 0;
}

static int take(struct blocklist *bl, struct frame *f, struct row *top, int max_top)
{
	int err;

	f->now = mono_now_ns();
	if (f->have_prev)
		f->dt = f->now > f->last ? (double)(f->now - f->last) / 1e9 : 1e-3;
	f->top = top;
	f->ntop = 0;
	f->max_top = max_top;
	f->live = 0;
	memset(f->entries, 0, sizeof(f->entries));
	err = bl_stats(bl, f->st);
	if (err) {
		pr_warn("map '%s': read failed: %s", ARXDP_MAP_STATS, strerror(-err));
		return err;
	}
	err = bl_foreach(bl, walk_cb, f);
	if (err)
		return err;
	qsort(f->top, (size_t)f->ntop, sizeof(*f->top), cmp_rows);
	return 0;
}

int top_run(struct blocklist *bl, const struct top_opts *o)
{
	struct arxdp_counter prev_st[ARXDP_STAT_MAX] = {};
	struct table prev = {}, cur = {};
	struct row *top = NULL;
	struct term t = {};
	struct frame f = {};
	uint64_t done = 0;
	int rows, cols, in_fd = STDIN_FILENO, err = 0;
	bool tty = !o->once && isatty(STDOUT_FILENO);
	char *buf = NULL;
	size_t blen = 0;
	FILE *m;

	top = calloc(MAX_ROWS, sizeof(*top));
	if (!top)
		return -ENOMEM;
	if (!tty || !isatty(STDIN_FILENO))
		in_fd = -1;
	term_enter(&t, tty);
	for (;;) {
		term_size(&rows, &cols);
		resized = 0;
		f.cur = cur;
		f.prev = &prev;
		err = take(bl, &f, top,
			   tty ? (rows > HEADER_LINES ? rows - HEADER_LINES : 1) :
				 (rows > HEADER_LINES ? rows - HEADER_LINES : 20));
		cur = f.cur;
		if (err)
			break;
		if (!o->once || f.have_prev) {
			m = open_memstream(&buf, &blen);
			if (!m) {
				err = -ENOMEM;
				break;
			}
			render(m, tty, rows, tty ? cols : 0, o, bl, &f, prev_st);
			if (fclose(m)) {
				err = -ENOMEM;
				break;
			}
			/* One write per frame: the terminal never shows half a refresh. */
			fwrite(buf, 1, blen, stdout);
			fflush(stdout);
			free(buf);
			buf = NULL;
			done++;
		}
		if ((o->once && done) || (o->iterations && done >= o->iterations))
			break;
		/* The rates of the next frame are against this walk. */
		free(prev.s);
		prev = cur;
		cur = (struct table){};
		memcpy(prev_st, f.st, sizeof(prev_st));
		f.last = f.now;
		f.have_prev = true;
		if (wait_keys(&in_fd, o->interval_ms))
			break;
	}
	/* q, SIGINT, SIGTERM and SIGHUP all end the view normally: exit status 0. */
	term_leave(&t);
	free(prev.s);
	free(cur.s);
	free(top);
	free(buf);
	return err;
}
