// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains `arxdp replay` and `arxdp check-config`. Replay feeds alert files through
 * match_alert(), the very function the daemon calls, with the offender state kept in memory and
 * the clock taken from each alert's timestamp, so the output depends only on the inputs.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cjson/cJSON.h>
#include "alert.h"
#include "config.h"
#include "log.h"
#include "match.h"
#include "replay.h"
#include "settings.h"
#include "util.h"

#define REPLAY_MAX_OWN 64

struct replay_opts {
	const char *ossec_conf;
	const char *config;
	bool json;
	struct arxdp_addr own[REPLAY_MAX_OWN];
	size_t n_own;
};

struct replay_stats {
	uint64_t alerts;
	uint64_t bad;
	uint64_t actions[MATCH_SKIP + 1];
	uint64_t reasons[MATCH_AR_DISABLED + 1];
};

static void replay_usage(FILE *f)
{
	fprintf(f,
		"Usage: arxdp replay [--ossec-conf FILE] [--config FILE] [--own ADDR]... [--json] "
		"FILE...\n"
		"Runs the decision engine over alerts.json files, rotated .json.gz archives or '-'\n"
		"(stdin) without side effects, and prints what arxdpd would do for each alert.\n"
		"  --ossec-conf FILE  Wazuh configuration (default: arxdp.conf's, else "
		"/var/ossec/etc/ossec.conf)\n"
		"  --config FILE      arxdp.conf (default: $ARXDP_CONF, else " ARXDP_CONF_DEFAULT
		" if it exists,\n"
		"                     else built-in defaults: a manager, agent 000)\n"
		"  --own ADDR         treat ADDR as this host's address (never blocked); repeatable\n"
		"  --json             one JSON object per (alert, active response) pair\n");
}

static void check_usage(FILE *f)
{
	fprintf(f,
		"Usage: arxdp check-config [--ossec-conf FILE] [--config FILE]\n"
		"Validates ossec.conf (and arxdp.conf) and prints the active responses the way\n"
		"Wazuh's etc/shared/ar.conf lists them, marking those arxdp takes on the fast path.\n"
		"  --ossec-conf FILE  Wazuh configuration (default: arxdp.conf's, else "
		"/var/ossec/etc/ossec.conf)\n"
		"  --config FILE      arxdp.conf (default: $ARXDP_CONF, else " ARXDP_CONF_DEFAULT
		" if it exists)\n");
}

/* 1: --help printed; 0: go on; <0: bad usage. */
static int parse_opts(int argc, char **argv, struct replay_opts *o, bool replay)
{
	static const struct option long_opts[] = {
		{ "ossec-conf", required_argument, NULL, 'o' },
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "own", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 0; /* GNU: reinitialise, main may have run getopt already */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:c:jh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->ossec_conf = optarg;
			break;
		case 'c':
			o->config = optarg;
			break;
		case 'j':
			if (!replay)
				goto bad;
			o->json = true;
			break;
		case 'a':
			if (!replay)
				goto bad;
			if (o->n_own >= REPLAY_MAX_OWN) {
				pr_warn("%s: --own: at most %d addresses", argv[0], REPLAY_MAX_OWN);
				return -E2BIG;
			}
			if (addr_parse_host(optarg, &o->own[o->n_own])) {
				pr_warn("%s: --own '%s': not a numeric IPv4 or IPv6 address",
					argv[0], optarg);
				return -EINVAL;
			}
			o->n_own++;
			break;
		case 'h':
			if (replay)
				replay_usage(stdout);
			else
				check_usage(stdout);
			return 1;
		default:
			goto bad;
		}
	}
	return 0;
bad:
	pr_warn("%s: unknown or incomplete option '%s': see '%s --help'", argv[0],
		argv[optind - 1 > 0 ? optind - 1 : 0], argv[0]);
	return -EINVAL;
}

/* Settings and ossec.conf as the daemon would load them. */
static int load_configs(const struct replay_opts *o, struct arxdp_settings *s,
			struct ossec_config **cfg)
{
	char err[CONFIG_ERR_MAX];
	const char *path;
	int ret;

	path = settings_path(o->config);
	if (path) {
		ret = settings_load(s, path, err, sizeof(err));
		if (ret) {
			pr_warn("%s", err);
			return ret;
		}
	} else {
		settings_defaults(s);
		settings_resolve_paths(s);
	}
	ret = config_load_ossec(cfg, o->ossec_conf ? o->ossec_conf : s->ossec_conf, err,
				sizeof(err));
	if (ret)
		pr_warn("%s", err);
	return ret;
}

static void print_decision_json(const struct alert *a, const struct match_decision *d)
{
	char abuf[ADDR_STRLEN];
	cJSON *o = cJSON_CreateObject();
	char *s;

	if (!o)
		return;
	cJSON_AddStringToObject(o, "alert_id", a->id);
	cJSON_AddStringToObject(o, "rule_id", a->rule_id);
	cJSON_AddStringToObject(o, "command", d->ar->cmd->name);
	cJSON_AddStringToObject(o, "ar", d->ar->name);
	cJSON_AddStringToObject(o, "action", match_action_name(d->action));
	if (d->has_addr)
		cJSON_AddStringToObject(o, "addr", addr_format(&d->addr, abuf, sizeof(abuf)));
	else
		cJSON_AddNullToObject(o, "addr");
	cJSON_AddNumberToObject(o, "timeout", d->timeout);
	/* The replay clock: the alert's own time, so expiries are reproducible. */
	if (d->action != MATCH_SKIP && d->timeout)
		cJSON_AddNumberToObject(o, "expires", (double)(a->time_s + d->timeout));
	else
		cJSON_AddNullToObject(o, "expires");
	if (d->action == MATCH_BLOCK)
		cJSON_AddNumberToObject(o, "repeats", d->repeats);
	if (d->action == MATCH_SKIP)
		cJSON_AddStringToObject(o, "reason", match_reason_name(d->reason));
	s = cJSON_PrintUnformatted(o);
	if (s)
		printf("%s\n", s);
	free(s);
	cJSON_Delete(o);
}

static void print_decision_text(const struct alert *a, const struct match_decision *d)
{
	char abuf[ADDR_STRLEN];

	printf("%-22s %-7s %-20s %-6s %-26s %7u  %s\n", a->id, a->rule_id, d->ar->name,
	       match_action_name(d->action),
	       d->has_addr ? addr_format(&d->addr, abuf, sizeof(abuf)) : "-", d->timeout,
	       d->action == MATCH_SKIP ? match_reason_name(d->reason) : "");
}

static int replay_line(const struct match_env *env, const struct replay_opts *o,
		       struct replay_stats *st, struct match_decision *dec, const char *name,
		       uint64_t lineno, const char *line, size_t len)
{
	char err[160];
	struct alert a;
	size_t i, n = 0;
	int ret;

	ret = alert_parse(&a, line, len, err, sizeof(err));
	if (ret) {
		st->bad++;
		pr_warn("alerts '%s' line %llu: %s: line skipped", name, (unsigned long long)lineno,
			err);
		return 0;
	}
	st->alerts++;
	ret = match_alert(env, &a, dec, env->cfg->n_ars, &n);
	for (i = 0; i < n; i++) {
		st->actions[dec[i].action]++;
		st->reasons[dec[i].reason]++;
		if (o->json)
			print_decision_json(&a, &dec[i]);
		else
			print_decision_text(&a, &dec[i]);
	}
	alert_free(&a);
	return ret;
}

static gzFile open_input(const char *name)
{
	int fd;
	gzFile f;

	if (strcmp(name, "-"))
		return gzopen(name, "rb");
	/* gzdopen owns the descriptor; keep stdin itself open. */
	fd = dup(STDIN_FILENO);
	if (fd < 0)
		return NULL;
	f = gzdopen(fd, "rb");
	if (!f)
		close(fd);
	return f;
}

/* gzopen reads plain files as they are and every member of a concatenated gzip file. */
static int replay_file(const struct match_env *env, const struct replay_opts *o,
		       struct replay_stats *st, struct match_decision *dec, const char *name)
{
	const size_t size = ALERT_LINE_MAX + 2;
	const char *msg;
	uint64_t lineno = 0;
	char *buf = NULL;
	gzFile f;
	int ret = 0, zerr;
	size_t len;

	errno = 0;
	f = open_input(name);
	if (!f) {
		ret = errno ? -errno : -ENOMEM;
		pr_warn("alerts '%s': cannot open: %s", name, errstr(ret));
		return ret;
	}
	buf = malloc(size);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	gzbuffer(f, 128 * 1024);
	while (gzgets(f, buf, (int)size)) {
		lineno++;
		len = strlen(buf);
		if (len == size - 1 && buf[len - 1] != '\n') {
			/* Too long: drop the rest of the line, bounded by the file itself. */
			int c;

			while ((c = gzgetc(f)) != -1 && c != '\n')
				;
			st->bad++;
			pr_warn("alerts '%s' line %llu: line longer than %d bytes: line skipped",
				name, (unsigned long long)lineno, ALERT_LINE_MAX);
			continue;
		}
		while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			buf[--len] = '\0';
		if (!len)
			continue; /* blank lines carry no alert */
		ret = replay_line(env, o, st, dec, name, lineno, buf, len);
		if (ret)
			goto out;
	}
	msg = gzerror(f, &zerr);
	/* A truncated archive ends like a file, but zlib remembers Z_BUF_ERROR. */
	if (zerr != Z_OK && zerr != Z_STREAM_END) {
		ret = zerr == Z_ERRNO ? -errno : -EIO;
		pr_warn("alerts '%s' line %llu: read failed: %s", name,
			(unsigned long long)lineno + 1, zerr == Z_ERRNO ? errstr(ret) : msg);
	}
out:
	free(buf);
	gzclose(f);
	return ret;
}

int cmd_replay(int argc, char **argv)
{
	struct replay_stats st = { 0 };
	struct ossec_config *cfg = NULL;
	struct match_decision *dec = NULL;
	struct arxdp_settings s;
	struct replay_opts o;
	struct match_env env;
	int ret, i, first_err = 0;

	ret = parse_opts(argc, argv, &o, true);
	if (ret)
		return ret > 0 ? 0 : ret;
	if (optind >= argc) {
		pr_warn("%s: no alert file given: name files, or '-' for stdin", argv[0]);
		return -EINVAL;
	}
	ret = load_configs(&o, &s, &cfg);
	if (ret)
		goto out;
	dec = calloc(cfg->n_ars ? cfg->n_ars : 1, sizeof(*dec));
	env = (struct match_env){ .cfg = cfg, .settings = &s, .own = o.own, .n_own = o.n_own };
	env.offenders = offenders_new();
	if (!dec || !env.offenders) {
		ret = -ENOMEM;
		goto out;
	}
	if (!o.json)
		printf("%-22s %-7s %-20s %-6s %-26s %7s  %s\n", "ALERT", "RULE", "RESPONSE",
		       "ACTION", "ADDRESS", "TIMEOUT", "REASON");
	for (i = optind; i < argc; i++) {
		ret = replay_file(&env, &o, &st, dec, argv[i]);
		if (ret && !first_err)
			first_err = ret;
	}
	ret = first_err;
	if (!o.json) {
		printf("\n%llu alerts, %llu bad lines; %llu block, %llu script, %llu skip",
		       (unsigned long long)st.alerts, (unsigned long long)st.bad,
		       (unsigned long long)st.actions[MATCH_BLOCK],
		       (unsigned long long)st.actions[MATCH_SCRIPT],
		       (unsigned long long)st.actions[MATCH_SKIP]);
		for (i = MATCH_REASON_NONE + 1; i <= MATCH_AR_DISABLED; i++)
			if (st.reasons[i])
				printf(" (%s %llu)", match_reason_name((enum match_reason)i),
				       (unsigned long long)st.reasons[i]);
		printf("\n");
	} else if (st.bad) {
		pr_info("%llu bad lines skipped", (unsigned long long)st.bad);
	}
	fflush(stdout);
	if (env.offenders)
		offenders_free(env.offenders);
out:
	free(dec);
	config_free_ossec(cfg);
	return ret;
}

static const char *where(const struct arxdp_settings *s, const struct ossec_ar *ar)
{
	if (ar->loc & AR_LOC_AS_ONLY)
		return "here";
	if (ar->loc & AR_LOC_REMOTE_AGENT)
		return atoi(s->agent_id) == 0 ? "here for agent 000 alerts, else agents" : "agents";
	if ((ar->loc & AR_LOC_ALL_AGENTS) && s->manager_in_all)
		return "here and agents";
	return "agents";
}

/* The queues the accepted blocks ask for, before a trailing disabled block resets them. */
static unsigned int queues_wanted(const struct ossec_config *cfg)
{
	unsigned int q = 0;
	size_t i;

	for (i = 0; i < cfg->n_ars; i++) {
		if (cfg->ars[i].loc & (AR_LOC_AS_ONLY | AR_LOC_REMOTE_AGENT))
			q |= AR_QUEUE_LOCAL;
		if (cfg->ars[i].loc &
		    (AR_LOC_ALL_AGENTS | AR_LOC_REMOTE_AGENT | AR_LOC_SPECIFIC_AGENT))
			q |= AR_QUEUE_REMOTE;
	}
	return q;
}

static const char *lost_what(unsigned int lost)
{
	if (lost == (AR_QUEUE_LOCAL | AR_QUEUE_REMOTE))
		return "Wazuh sends no active response at all";
	if (lost == AR_QUEUE_LOCAL)
		return "Wazuh runs no response on the manager (server, and local for its own "
		       "alerts)";
	return "Wazuh sends no response to agents (local, defined-agent, all)";
}

int cmd_check_config(int argc, char **argv)
{
	struct ossec_config *cfg = NULL;
	struct arxdp_settings s;
	struct replay_opts o;
	unsigned int lost;
	char tl[96];
	size_t i;
	int ret, j;

	ret = parse_opts(argc, argv, &o, false);
	if (ret)
		return ret > 0 ? 0 : ret;
	if (optind < argc) {
		pr_warn("%s: unexpected argument '%s': see '%s --help'", argv[0], argv[optind],
			argv[0]);
		return -EINVAL;
	}
	ret = load_configs(&o, &s, &cfg);
	if (ret)
		return ret;
	printf("# ossec.conf '%s': %zu commands, %zu active responses (%d disabled), white list "
	       "%zu addresses + %zu patterns, node '%s'\n",
	       cfg->path, cfg->n_cmds, cfg->n_ars, cfg->n_disabled, cfg->n_wl_ip, cfg->n_wl_host,
	       cfg->node_name);
	printf("# ar.conf lines (name - executable - timeout); fast path = XDP map write\n");
	for (i = 0; i < cfg->n_ars; i++) {
		const struct ossec_ar *ar = &cfg->ars[i];

		snprintf(tl, sizeof(tl), "%s - %s - %d", ar->name, ar->cmd->executable,
			 ar->wazuh_timeout);
		printf("%-48s # %s, location '%s' runs %s, line %d\n", tl,
		       settings_is_fastpath(&s, ar->cmd->executable) ? "fast-path" : "script",
		       ar->location, where(&s, ar), ar->line);
	}
	if (cfg->n_repeated) {
		printf("# repeated_offenders:");
		for (j = 0; j < cfg->n_repeated; j++)
			printf(" %um", cfg->repeated[j]);
		printf("\n");
	}
	if (cfg->execd_disabled)
		pr_warn("ossec.conf '%s' line %d: <disabled>yes</disabled> in the first "
			"<active-response> of its <ossec_config> turns wazuh-execd off on this host "
			"(1350): it binds no execq and analysisd drops every response meant for this "
			"host (1210); nothing runs here, responses for agents still go out",
			cfg->path, cfg->execd_disabled_line);
	lost = queues_wanted(cfg) & ~cfg->ar_queue;
	if (lost)
		pr_warn("ossec.conf '%s': a <disabled>yes</disabled> block after the last enabled "
			"one resets analysisd's queues (ar_flag): %s; delete the disabled block, or "
			"put an enabled block after it",
			cfg->path, lost_what(lost));
	config_free_ossec(cfg);
	return 0;
}
