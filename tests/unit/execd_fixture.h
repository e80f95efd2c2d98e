// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains what the wazuh-execd mode's two test files share: a file written into a
 * directory, ossec.conf texts, a daemon over a fake Wazuh home, and a fake home holding
 * internal_options.conf. Static: each test file is its own program.
 */
#ifndef ARXDP_TEST_EXECD_FIXTURE_H
#define ARXDP_TEST_EXECD_FIXTURE_H

static inline void put(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	cr_assert_lt(snprintf(path, sizeof(path), "%s/%s", dir, name), (int)sizeof(path));
	f = fopen(path, "w");
	cr_assert(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

#define CONF_ESC                                                                           \
	"<ossec_config><active-response><repeated_offenders>2, 10,60</repeated_offenders>" \
	"</active-response></ossec_config>"
#define CONF_RO(v)                                                                      \
	"<ossec_config><active-response><repeated_offenders>" v "</repeated_offenders>" \
	"</active-response></ossec_config>"
#define CONF_OFF                                                                    \
	"<ossec_config><active-response><disabled>yes</disabled></active-response>" \
	"</ossec_config>"
#define CONF_BAD                                                                            \
	"<ossec_config>\n<active-response>\n<disabled>maybe</disabled>\n</active-response>" \
	"</ossec_config>"

/* A daemon over a fake home, with the strings its options point at. */
struct fixture {
	struct daemon d;
	char home[64], ossec[PATH_MAX], arxdp[PATH_MAX];
};

static inline struct daemon *daemon_over(const char *home, const char *ossec)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char err[CONFIG_ERR_MAX];
	struct daemon *d = &fx->d;

	cr_assert(fx);
	put(home, "ossec.conf", ossec);
	put(home, "arxdp.conf", "<arxdp></arxdp>\n");
	str_copy(fx->home, home, sizeof(fx->home));
	snprintf(fx->ossec, sizeof(fx->ossec), "%s/ossec.conf", home);
	snprintf(fx->arxdp, sizeof(fx->arxdp), "%s/arxdp.conf", home);
	d->o.config = fx->arxdp;
	settings_defaults(&d->s);
	str_copy(d->s.wazuh_home, home, sizeof(d->s.wazuh_home));
	settings_flags_add(&d->flags, settings_find_flag("wazuh-home"), fx->home);
	settings_flags_add(&d->flags, settings_find_flag("ossec-conf"), fx->ossec);
	/* A broken file is what the check must find; the daemon runs on a good one. */
	if (config_load_ossec(&d->r.cfg, fx->ossec, err, sizeof(err)))
		cr_assert_eq(config_parse_ossec(&d->r.cfg, "good", CONF_ESC, strlen(CONF_ESC), err,
						sizeof(err)),
			     0, "%s", err);
	return d;
}

static inline void fake_home(char *dir, size_t size, const char *local_internal)
{
	char etc[PATH_MAX];

	tu_mkdtemp(dir, size, "execd");
	snprintf(etc, sizeof(etc), "%s/etc", dir);
	cr_assert_eq(mkdir(etc, 0755), 0);
	put(etc, "internal_options.conf", "execd.request_timeout=60\nexecd.max_restart_lock=600\n");
	if (local_internal && local_internal[0])
		put(etc, "local_internal_options.conf", local_internal);
}

#endif
