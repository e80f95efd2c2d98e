// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the settings declared in settings.h: defaults, the option table that
 * arxdp.conf and arxdpd's flags share, and the arxdp.conf reader over config.c's element tree
 * (config.c is the one module that sees libxml2).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "arxdp.h"
#include "config.h"
#include "settings.h"
#include "util.h"

static const char *const default_fastpath[] = {
	"firewall-drop", "firewalld-drop", "route-null", "ipfw", "ipfw_mac", "pf", "npf",
};

/* An override from the environment; one that does not fit leaves the setting as it was. */
static int env_path(char *dst, size_t size, const char *name, const char **bad)
{
	const char *v = getenv(name);

	if (!v || !*v)
		return 0;
	if (strlen(v) >= size) {
		*bad = name;
		return -ENAMETOOLONG;
	}
	str_copy(dst, v, size);
	return 0;
}

static int apply_env(struct arxdp_settings *s, const char **bad)
{
	int err = env_path(s->pin_dir, sizeof(s->pin_dir), ARXDP_PIN_DIR_ENV, bad);

	return env_path(s->socket_path, sizeof(s->socket_path), ARXDP_SOCKET_ENV, bad) ?: err;
}

int settings_defaults(struct arxdp_settings *s)
{
	const char *bad;
	size_t i;

	memset(s, 0, sizeof(*s));
	str_copy(s->wazuh_home, ARXDP_WAZUH_HOME_DEFAULT, sizeof(s->wazuh_home));
	s->mode = ARXDP_MODE_AUTO;
	s->xdp_dispatcher = true;
	s->block_counters = true;
	str_copy(s->metrics_textfile, "/var/lib/prometheus/node-exporter/arxdp.prom",
		 sizeof(s->metrics_textfile));
	/* Before libxdp's default of 50: a dropped packet is work no later program must do. */
	s->xdp_priority = 10;
	s->capacity_v4 = ARXDP_DEFAULT_CAPACITY;
	s->capacity_v6 = ARXDP_DEFAULT_CAPACITY;
	s->cidr_capacity = ARXDP_DEFAULT_CIDR_CAPACITY;
	str_copy(s->pin_dir, ARXDP_PIN_DIR_DEFAULT, sizeof(s->pin_dir));
	str_copy(s->state_dir, ARXDP_STATE_DIR_DEFAULT, sizeof(s->state_dir));
	str_copy(s->socket_path, ARXDP_SOCKET_DEFAULT, sizeof(s->socket_path));
	str_copy(s->agent_id, "000", sizeof(s->agent_id));
	for (i = 0; i < ARRAY_SIZE(default_fastpath); i++)
		str_copy(s->fastpath[i], default_fastpath[i], sizeof(s->fastpath[i]));
	s->n_fastpath = ARRAY_SIZE(default_fastpath);
	s->script_concurrency = 8;
	s->script_time_limit_s = 60;
	s->fwdrop_safety_expiry_s = 0;
	s->fwdrop_fallback = ARXDP_FALLBACK_IPTABLES;

	return apply_env(s, &bad);
}

bool settings_is_fastpath(const struct arxdp_settings *s, const char *exe)
{
	size_t n = strlen(exe);
	int i;

	/* Older installs name the programs "firewall-drop.sh"; both spellings take the path. */
	if (n > 3 && !strcmp(exe + n - 3, ".sh"))
		n -= 3;
	for (i = 0; i < s->n_fastpath; i++)
		if (strlen(s->fastpath[i]) == n && !strncmp(s->fastpath[i], exe, n))
			return true;
	return false;
}

static int resolve(char *path, size_t size, const char *home, const char *rel)
{
	int n;

	if (*path)
		return 0;
	n = snprintf(path, size, "%s/%s", home, rel);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* The paths derived from wazuh_home; *which names the first that does not fit. */
static int resolve_all(struct arxdp_settings *s, const char **which)
{
	const struct {
		const char *elem, *rel;
		char *dst;
	} derived[] = {
		{ "ossec_conf", "etc/ossec.conf", s->ossec_conf },
		{ "alerts", "logs/alerts/alerts.json", s->alerts },
		{ "ar_log", "logs/active-responses.log", s->ar_log },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(derived); i++) {
		if (resolve(derived[i].dst, ARXDP_PATH_LEN, s->wazuh_home, derived[i].rel)) {
			*which = derived[i].elem;
			return -ENAMETOOLONG;
		}
	}
	return 0;
}

int settings_resolve_paths(struct arxdp_settings *s)
{
	const char *which;

	return resolve_all(s, &which);
}

/* ---- the option table ---------------------------------------------------------------------- */

enum settings_type {
	ST_PATH, /* absolute in the file */
	ST_PATH_OFF, /* the same, or empty: off */
	ST_BOOL,
	ST_U32,
	ST_DURATION,
	ST_IFACE, /* one interface per element or flag; the first given replaces the defaults */
	ST_MODE,
	ST_FALLBACK,
	ST_AGENT,
};

#define OPT(e, f, t, field, ...)                                                                \
	{                                                                                       \
		.elem = e, .flag = f, .type = t, .off = offsetof(struct arxdp_settings, field), \
		.size = sizeof(((struct arxdp_settings *)0)->field), __VA_ARGS__                \
	}
#define RANGE(lo, hi) .min = (lo), .max = (hi)

/* reloadable: what SIGHUP applies; the loop reads those afresh at every use. */
static const struct settings_opt opts[] = {
	OPT("wazuh_home", "wazuh-home", ST_PATH, wazuh_home),
	OPT("ossec_conf", "ossec-conf", ST_PATH, ossec_conf),
	OPT("alerts", "alerts", ST_PATH, alerts),
	OPT("ar_log", "ar-log", ST_PATH, ar_log),
	OPT("pin_dir", "pin-dir", ST_PATH, pin_dir),
	OPT("state_dir", "state-dir", ST_PATH, state_dir),
	OPT("socket", "socket", ST_PATH, socket_path),
	OPT("interface", "iface", ST_IFACE, ifaces),
	OPT("xdp_mode", "mode", ST_MODE, mode),
	OPT("dry_run", "dry-run", ST_BOOL, dry_run, .flag_value = true),
	OPT("block_counters", "no-block-counters", ST_BOOL, block_counters, .flag_value = false),
	OPT("metrics_textfile", "metrics-textfile", ST_PATH_OFF, metrics_textfile),
	OPT("metrics_port", "metrics-port", ST_U32, metrics_port, RANGE(0, 65535)),
	OPT("xdp_dispatcher", "no-dispatcher", ST_BOOL, xdp_dispatcher, .flag_value = false),
	OPT("xdp_priority", "priority", ST_U32, xdp_priority, RANGE(0, 1000)),
	OPT("manager_in_all", "manager-in-all", ST_BOOL, manager_in_all, .flag_value = true,
	    .reloadable = true),
	OPT("capacity_v4", "capacity-v4", ST_U32, capacity_v4, RANGE(1, 1u << 28)),
	OPT("capacity_v6", "capacity-v6", ST_U32, capacity_v6, RANGE(1, 1u << 28)),
	OPT("cidr_capacity", "cidr-capacity", ST_U32, cidr_capacity, RANGE(1, 1u << 24)),
	OPT("script_concurrency", "script-concurrency", ST_U32, script_concurrency, RANGE(1, 1024),
	    .reloadable = true),
	OPT("script_time_limit", "script-time-limit", ST_DURATION, script_time_limit_s,
	    .reloadable = true),
	OPT("fwdrop_safety_expiry", NULL, ST_DURATION, fwdrop_safety_expiry_s),
	OPT("fwdrop_fallback", NULL, ST_FALLBACK, fwdrop_fallback),
	OPT("agent_id", "agent-id", ST_AGENT, agent_id, .reloadable = true),
	OPT("execq", "execq", ST_BOOL, execq, .flag_value = true),
	OPT("unblock_on_exit", "unblock-on-exit", ST_BOOL, unblock_on_exit, .flag_value = true),
	{ .elem = NULL },
};

#undef RANGE
#undef OPT

bool settings_flag_takes_value(const struct settings_opt *o)
{
	return o->type != ST_BOOL;
}

const struct settings_opt *settings_opts(void)
{
	return opts;
}

const struct settings_opt *settings_find_flag(const char *flag)
{
	const struct settings_opt *o;

	for (o = opts; o->elem; o++)
		if (o->flag && !strcmp(o->flag, flag))
			return o;
	return NULL;
}

static const struct settings_opt *find_elem(const char *elem)
{
	const struct settings_opt *o;

	for (o = opts; o->elem; o++)
		if (!strcmp(o->elem, elem))
			return o;
	return NULL;
}

static int set_path(char *dst, size_t size, const char *v, bool from_flag, char *err, size_t len)
{
	char cwd[PATH_MAX];

	/* A flag's relative path means the working directory of the shell that gave it; the
	 * daemon leaves it for / when it detaches, so it is made absolute now. */
	if (from_flag && v[0] != '/') {
		if (!getcwd(cwd, sizeof(cwd))) {
			snprintf(err, len, "'%s' is relative and the working directory is unknown",
				 v);
			return -EINVAL;
		}
		if (snprintf(dst, size, "%s/%s", cwd, v) >= (int)size) {
			snprintf(err, len, "value is too long: at most %zu characters", size - 1);
			return -ENAMETOOLONG;
		}
		return 0;
	}
	if (v[0] != '/') {
		snprintf(err, len, "'%s' is not an absolute path: write it from '/'", v);
		return -EINVAL;
	}
	if (str_copy(dst, v, size)) {
		snprintf(err, len, "value is too long: at most %zu characters", size - 1);
		return -ENAMETOOLONG;
	}
	return 0;
}

static int set_iface(struct arxdp_settings *s, const char *v, char *err, size_t len)
{
	if (!*v || strchr(v, '/') || strchr(v, ' ')) {
		snprintf(err, len, "invalid interface name '%s'", v);
		return -EINVAL;
	}
	if (s->n_ifaces >= ARXDP_MAX_IFACES) {
		snprintf(err, len, "too many interfaces: at most %d", ARXDP_MAX_IFACES);
		return -E2BIG;
	}
	if (str_copy(s->ifaces[s->n_ifaces], v, IF_NAMESIZE)) {
		snprintf(err, len, "interface name '%s' is too long: at most %d characters", v,
			 IF_NAMESIZE - 1);
		return -ENAMETOOLONG;
	}
	s->n_ifaces++;
	return 0;
}

static int pick(const char *v, const char *const *names, int n, int *out)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(v, names[i])) {
			*out = i;
			return 0;
		}
	return -EINVAL;
}

int settings_set(struct arxdp_settings *s, const struct settings_opt *o, const char *v,
		 bool from_flag, char *err, size_t errlen)
{
	static const char *const modes[] = {
		[ARXDP_MODE_AUTO] = "auto", [ARXDP_MODE_NATIVE] = "native", [ARXDP_MODE_SKB] = "skb"
	};
	static const char *const fallbacks[] = { [ARXDP_FALLBACK_IPTABLES] = "iptables",
						 [ARXDP_FALLBACK_NFTABLES] = "nftables",
						 [ARXDP_FALLBACK_FAIL] = "fail" };
	char *field = (char *)s + o->off;
	unsigned long long x;
	char *end;
	int i;

	switch (o->type) {
	case ST_PATH_OFF:
		if (!*v) {
			field[0] = '\0';
			return 0;
		}
		/* fall through */
	case ST_PATH:
		return set_path(field, o->size, v, from_flag, err, errlen);
	case ST_BOOL:
		if (from_flag && !v)
			*(bool *)field = o->flag_value;
		else if (v && !strcmp(v, "yes"))
			*(bool *)field = true;
		else if (v && !strcmp(v, "no"))
			*(bool *)field = false;
		else {
			snprintf(err, errlen, "invalid value '%s': write 'yes' or 'no'",
				 v ? v : "");
			return -EINVAL;
		}
		return 0;
	case ST_U32:
		errno = 0;
		x = strtoull(v, &end, 10);
		if (!str_is_num(v) || errno || *end || x < o->min || x > o->max) {
			snprintf(err, errlen,
				 "invalid value '%s': write a whole number from %u to %u", v,
				 o->min, o->max);
			return -EINVAL;
		}
		*(uint32_t *)field = (uint32_t)x;
		return 0;
	case ST_DURATION:
		if (duration_parse(v, (uint32_t *)field)) {
			snprintf(err, errlen,
				 "invalid duration '%s': write seconds or a number with s, m, h, d "
				 "or w (\"90\", \"10m\", \"1d\")",
				 v);
			return -EINVAL;
		}
		return 0;
	case ST_IFACE:
		return set_iface(s, v, err, errlen);
	case ST_MODE:
		if (pick(v, modes, ARRAY_SIZE(modes), &i)) {
			snprintf(err, errlen, "invalid mode '%s': write auto, native or skb", v);
			return -EINVAL;
		}
		s->mode = (enum arxdp_xdp_mode)i;
		return 0;
	case ST_FALLBACK:
		if (pick(v, fallbacks, ARRAY_SIZE(fallbacks), &i)) {
			snprintf(err, errlen,
				 "invalid fallback '%s': write iptables, nftables or fail", v);
			return -EINVAL;
		}
		s->fwdrop_fallback = (enum arxdp_fallback)i;
		return 0;
	case ST_AGENT:
		if (!str_is_num(v) || strlen(v) >= o->size) {
			snprintf(err, errlen,
				 "invalid agent id '%s': write digits, \"000\" on a manager", v);
			return -EINVAL;
		}
		str_copy(field, v, o->size);
		return 0;
	}
	snprintf(err, errlen, "internal error: unknown setting type %d", o->type);
	return -EINVAL;
}

int settings_flags_add(struct settings_flags *f, const struct settings_opt *o, const char *v)
{
	if (f->n >= SETTINGS_MAX_FLAGS)
		return -E2BIG;
	f->opt[f->n] = o;
	f->val[f->n] = v;
	f->n++;
	return 0;
}

/* Empties the paths that the file left to its home, so they follow a new one. */
static void follow_home(struct arxdp_settings *s)
{
	struct arxdp_settings derived = *s;

	derived.ossec_conf[0] = derived.alerts[0] = derived.ar_log[0] = '\0';
	settings_resolve_paths(&derived);
	if (!strcmp(s->ossec_conf, derived.ossec_conf))
		s->ossec_conf[0] = '\0';
	if (!strcmp(s->alerts, derived.alerts))
		s->alerts[0] = '\0';
	if (!strcmp(s->ar_log, derived.ar_log))
		s->ar_log[0] = '\0';
}

int settings_apply_flags(struct arxdp_settings *s, const struct settings_flags *f, char *err,
			 size_t errlen)
{
	char why[SETTINGS_ERR_MAX];
	bool ifaces_seen = false;
	int i, r;

	for (i = 0; i < f->n; i++) {
		const struct settings_opt *o = f->opt[i];

		if (o->type == ST_IFACE && !ifaces_seen) {
			ifaces_seen = true;
			s->n_ifaces = 0;
		}
		if (!strcmp(o->elem, "wazuh_home"))
			follow_home(s);
		r = settings_set(s, o, f->val[i], true, why, sizeof(why));
		if (r) {
			snprintf(err, errlen, "--%s '%s': %s", o->flag, f->val[i] ? f->val[i] : "",
				 why);
			return r;
		}
	}
	r = settings_resolve_paths(s);
	if (r)
		snprintf(err, errlen, "settings: a path under '%s' is too long", s->wazuh_home);
	return r;
}

void settings_take_reloadable(struct arxdp_settings *s, const struct arxdp_settings *fresh)
{
	const struct settings_opt *o;

	for (o = opts; o->elem; o++)
		if (o->reloadable)
			memcpy((char *)s + o->off, (const char *)fresh + o->off, o->size);
	/* The fast-path set is a block of its own, not a table entry. */
	memcpy(s->fastpath, fresh->fastpath, sizeof(s->fastpath));
	s->n_fastpath = fresh->n_fastpath;
}

/* ---- arxdp.conf ---------------------------------------------------------------------------- */

struct reader {
	const char *name;
	char *err;
	size_t errlen;
};

static void __attribute__((format(printf, 4, 5)))
rerr(const struct reader *r, long line, const char *elem, const char *fmt, ...)
{
	char msg[SETTINGS_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->err && r->errlen)
		snprintf(r->err, r->errlen, "arxdp.conf '%s' line %ld: <%s>: %s", r->name, line,
			 elem, msg);
}

static int not_a_leaf(const struct reader *r, const struct config_elem *e, const char *parent)
{
	rerr(r, e->line, parent,
	     "element <%s> holds elements instead of a value (1234): write a plain value", e->name);
	return -EINVAL;
}

static int read_fastpath(const struct reader *r, struct arxdp_settings *s,
			 const struct config_elem *blk)
{
	const struct config_elem *e;
	const char *v;

	s->n_fastpath = 0;
	for (e = blk->children; e; e = e->next) {
		if (strcmp(e->name, "executable")) {
			rerr(r, e->line, "fastpath",
			     "unknown element <%s>: list programs as <executable>NAME</executable>",
			     e->name);
			return -EINVAL;
		}
		if (!e->text)
			return not_a_leaf(r, e, "fastpath");
		v = e->text;
		if (!*v || strchr(v, '/')) {
			rerr(r, e->line, "fastpath",
			     "invalid executable '%s': write a file name of active-response/bin, "
			     "without a path",
			     v);
			return -EINVAL;
		}
		if (s->n_fastpath >= ARXDP_MAX_FASTPATH) {
			rerr(r, e->line, "fastpath", "too many executables: at most %d",
			     ARXDP_MAX_FASTPATH);
			return -E2BIG;
		}
		if (str_copy(s->fastpath[s->n_fastpath], v, ARXDP_NAME_MAX)) {
			rerr(r, e->line, "fastpath", "name '%s' is too long: at most %d characters",
			     v, ARXDP_NAME_MAX - 1);
			return -ENAMETOOLONG;
		}
		s->n_fastpath++;
	}
	return 0;
}

static int read_arxdp(const struct reader *r, struct arxdp_settings *s,
		      const struct config_elem *root)
{
	char why[SETTINGS_ERR_MAX];
	const struct config_elem *e;
	const struct settings_opt *o;
	bool ifaces_seen = false;
	int ret;

	for (e = root->children; e; e = e->next) {
		if (!strcmp(e->name, "fastpath")) {
			ret = read_fastpath(r, s, e);
			if (ret)
				return ret;
			continue;
		}
		if (!e->text)
			return not_a_leaf(r, e, "arxdp");
		o = find_elem(e->name);
		if (!o) {
			rerr(r, e->line, e->name,
			     "unknown element: see conf/arxdp.conf for the elements <arxdp> takes "
			     "(is it misspelt?)");
			return -EINVAL;
		}
		/* The file's first <interface> replaces the default list; the rest add to it. */
		if (o->type == ST_IFACE && !ifaces_seen) {
			ifaces_seen = true;
			s->n_ifaces = 0;
		}
		ret = settings_set(s, o, e->text, false, why, sizeof(why));
		if (ret) {
			rerr(r, e->line, e->name, "%s", why);
			return ret;
		}
	}
	return 0;
}

/* The line of the <wazuh_home> that took effect (the last one). */
static long home_line(const struct config_elem *root)
{
	const struct config_elem *e;
	long line = root->line;

	for (e = root->children; e; e = e->next)
		if (!strcmp(e->name, "wazuh_home"))
			line = e->line;
	return line;
}

int settings_parse(struct arxdp_settings *out, const char *name, const char *buf, size_t len,
		   char *err, size_t errlen)
{
	struct reader r = { name, err, errlen };
	const struct config_elem *e, *root = NULL;
	struct config_tree t;
	struct arxdp_settings *s;
	const char *bad;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	settings_defaults(s);
	ret = config_parse_tree("arxdp.conf", name, buf, len, &t, err, errlen);
	if (ret)
		goto out;
	for (e = t.root; e; e = e->next) {
		if (strcmp(e->name, "arxdp") || root) {
			rerr(&r, e->line, e->name,
			     "the file must hold exactly one <arxdp> element");
			ret = -EINVAL;
			goto out;
		}
		root = e;
	}
	if (!root) {
		rerr(&r, 0, "arxdp", "no <arxdp> element: the file must hold one");
		ret = -EINVAL;
		goto out;
	}
	/* <arxdp>value</arxdp>: no settings, like an empty element. */
	ret = read_arxdp(&r, s, root);
	if (ret)
		goto out;
	/* The environment is the operator's override for one run: it beats the file. */
	ret = apply_env(s, &bad);
	if (ret) {
		if (err && errlen)
			snprintf(err, errlen,
				 "environment '%s': value is too long: at most %d characters", bad,
				 ARXDP_PATH_LEN - 1);
		goto out;
	}
	ret = resolve_all(s, &bad);
	if (ret) {
		rerr(&r, home_line(root), "wazuh_home",
		     "<%s> under this home would be longer than %d characters: shorten the home "
		     "or set <%s>",
		     bad, ARXDP_PATH_LEN - 1, bad);
		goto out;
	}
	*out = *s;
out:
	config_free_doc(&t);
	free(s);
	return ret;
}

int settings_load(struct arxdp_settings *s, const char *path, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int ret;

	ret = config_read_named("arxdp.conf", path, NULL, &buf, &len, err, errlen);
	if (ret)
		return ret;
	ret = settings_parse(s, path, buf, len, err, errlen);
	free(buf);
	return ret;
}

const char *settings_path(const char *explicit_path)
{
	const char *env;

	if (explicit_path)
		return explicit_path;
	env = getenv(ARXDP_CONF_ENV);
	if (env && *env)
		return env;
	if (!access(ARXDP_CONF_DEFAULT, F_OK))
		return ARXDP_CONF_DEFAULT;
	return NULL;
}
