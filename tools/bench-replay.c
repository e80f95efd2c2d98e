// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the replay benchmark: generated ~1 KiB alerts in memory, run on one core
 * through (a) cJSON's bare parse, (b) the full replay path (alert_parse + match_alert, what
 * `arxdp replay` and arxdpd do per line) and (c) match_alert alone on parsed alerts. Each rate
 * is the median of RUNS runs; the output is a markdown table on stdout.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>
#include "alert.h"
#include "config.h"
#include "log.h"
#include "match.h"
#include "settings.h"
#include "util.h"

#define N_ALERTS 20000
#define RUNS 7
#define GOAL 150000.0

static const char ossec_xml[] =
	"<ossec_config><global><white_list>127.0.0.1</white_list>"
	"<white_list>^localhost.localdomain$</white_list><white_list>192.0.2.0/24</white_list>"
	"<white_list>198.51.100.1</white_list><white_list>2001:db8::1</white_list></global>"
	"<command><name>firewall-drop</name><executable>firewall-drop</executable>"
	"<timeout_allowed>yes</timeout_allowed></command>"
	"<command><name>host-deny</name><executable>host-deny</executable>"
	"<timeout_allowed>yes</timeout_allowed></command>"
	"<command><name>disable-account</name><executable>disable-account</executable>"
	"<timeout_allowed>yes</timeout_allowed></command>"
	"<active-response><command>firewall-drop</command><location>server</location>"
	"<level>10</level><rules_group>sshd,|web,</rules_group><timeout>600</timeout>"
	"<repeated_offenders>30,60,120</repeated_offenders></active-response>"
	"<active-response><command>firewall-drop</command><location>local</location>"
	"<rules_id>5712, 5720, 31168</rules_id><timeout>180</timeout></active-response>"
	"<active-response><command>host-deny</command><location>all</location>"
	"<rules_group>authentication_failures,</rules_group><timeout>60</timeout>"
	"</active-response>"
	"<active-response><command>disable-account</command><location>server</location>"
	"<rules_group>pci_dss_10.2.4,</rules_group><level>12</level></active-response>"
	"</ossec_config>";

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* A realistic sshd/web alert of about 1 KiB, varied so no two lines are equal. */
static int gen_alert(char *buf, size_t size, int i)
{
	static const int rules[] = { 5710, 5712, 5716, 5720, 31168, 31101 };
	int rule = rules[i % 6], level = 3 + i % 13;

	return snprintf(
		buf, size,
		"{\"timestamp\":\"2024-03-01T10:%02d:%02d.%03d+0000\",\"rule\":{\"level\":%d,"
		"\"description\":\"sshd: authentication failed for an existing or non-existent "
		"user\",\"id\":\"%d\",\"mitre\":{\"id\":[\"T1110\"],\"tactic\":[\"Credential "
		"Access\"],\"technique\":[\"Brute Force\"]},\"firedtimes\":%d,\"mail\":false,"
		"\"groups\":[\"syslog\",\"%s\",\"authentication_failures\"],\"gdpr\":"
		"[\"IV_35.7.d\",\"IV_32.2\"],\"hipaa\":[\"164.312.b\"],\"nist_800_53\":[\"SI.4\","
		"\"AU.14\",\"AC.7\"],\"pci_dss\":[\"11.4\",\"10.2.4\",\"10.2.5\"],\"tsc\":"
		"[\"CC6.1\",\"CC6.8\",\"CC7.2\",\"CC7.3\"]},\"agent\":{\"id\":\"%03d\",\"name\":"
		"\"agent-%d\",\"ip\":\"198.51.100.%d\"},\"manager\":{\"name\":\"wazuh-manager\"},"
		"\"id\":\"1709287200.%d\",\"full_log\":\"Mar  1 10:00:00 host sshd[%d]: Failed "
		"password for invalid user admin from 203.0.%d.%d port %d ssh2\",\"predecoder\":"
		"{\"program_name\":\"sshd\",\"timestamp\":\"Mar  1 10:00:00\",\"hostname\":"
		"\"host\"},\"decoder\":{\"parent\":\"sshd\",\"name\":\"sshd\"},\"data\":{\"srcip\":"
		"\"203.0.%d.%d\",\"srcport\":\"%d\",\"srcuser\":\"admin\"},\"location\":"
		"\"/var/log/auth.log\"}",
		i / 3600 % 60, i / 60 % 60, i % 1000, level, rule, i % 100,
		rule > 30000 ? "web" : "sshd", i % 4, i % 250, i % 250, 1000 + i, 20000 + i,
		(i >> 8) % 256, i % 256, 1024 + i % 60000, (i >> 8) % 256, i % 256,
		1024 + i % 60000);
}

static void discard(enum log_level level, const char *msg, void *ctx)
{
}

int main(void)
{
	double parse_r[RUNS], replay_r[RUNS], match_r[RUNS], t, bytes = 0;
	struct match_decision dec[8];
	struct ossec_config *cfg = NULL;
	struct arxdp_settings s;
	struct match_env env;
	struct alert *parsed;
	char **lines, err[CONFIG_ERR_MAX];
	size_t *lens, n, total_dec = 0;
	int i, r, ret = 1;

	cpu_set_t one;

	/* One core, as the goal says; a migration mid-run would only add noise. */
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu() >= 0 ? sched_getcpu() : 0, &one);
	sched_setaffinity(0, sizeof(one), &one);
	log_set_sink(discard, NULL);
	settings_defaults(&s);
	if (config_parse_ossec(&cfg, "bench", ossec_xml, strlen(ossec_xml), err, sizeof(err))) {
		fprintf(stderr, "bench-replay: %s\n", err);
		return 1;
	}
	lines = calloc(N_ALERTS, sizeof(*lines));
	lens = calloc(N_ALERTS, sizeof(*lens));
	parsed = calloc(N_ALERTS, sizeof(*parsed));
	if (!lines || !lens || !parsed)
		goto out;
	for (i = 0; i < N_ALERTS; i++) {
		lines[i] = malloc(2048);
		if (!lines[i])
			goto out;
		lens[i] = (size_t)gen_alert(lines[i], 2048, i);
		bytes += (double)lens[i];
	}

	for (r = 0; r < RUNS; r++) {
		t = now_s();
		for (i = 0; i < N_ALERTS; i++)
			cJSON_Delete(cJSON_ParseWithLength(lines[i], lens[i]));
		parse_r[r] = N_ALERTS / (now_s() - t);

		env = (struct match_env){ .cfg = cfg, .settings = &s };
		env.offenders = offenders_new();
		t = now_s();
		for (i = 0; i < N_ALERTS; i++) {
			struct alert a;

			if (alert_parse(&a, lines[i], lens[i], NULL, 0))
				goto out;
			match_alert(&env, &a, dec, 8, &n);
			total_dec += n;
			alert_free(&a);
		}
		replay_r[r] = N_ALERTS / (now_s() - t);
		offenders_free(env.offenders);

		for (i = 0; i < N_ALERTS; i++)
			if (alert_parse(&parsed[i], lines[i], lens[i], NULL, 0))
				goto out;
		env.offenders = offenders_new();
		t = now_s();
		for (i = 0; i < N_ALERTS; i++)
			match_alert(&env, &parsed[i], dec, 8, &n);
		match_r[r] = N_ALERTS / (now_s() - t);
		offenders_free(env.offenders);
		for (i = 0; i < N_ALERTS; i++)
			alert_free(&parsed[i]);
	}

	printf("### Replay throughput (one core, %d alerts of %.0f bytes on average, median of "
	       "%d runs)\n\n",
	       N_ALERTS, bytes / N_ALERTS, RUNS);
	printf("| stage | alerts/s | ns/alert |\n|---|---:|---:|\n");
	t = median(parse_r, RUNS);
	printf("| cJSON parse only (baseline) | %.0f | %.0f |\n", t, 1e9 / t);
	t = median(replay_r, RUNS);
	printf("| replay: alert_parse + match_alert | %.0f | %.0f |\n", t, 1e9 / t);
	t = median(match_r, RUNS);
	printf("| match_alert alone | %.0f | %.0f |\n", t, 1e9 / t);
	printf("\nGoal: replay >= %.0f alerts/s: %s; matching cheaper than parsing: %s "
	       "(%zu decisions)\n",
	       GOAL, median(replay_r, RUNS) >= GOAL ? "met" : "NOT met",
	       median(match_r, RUNS) > median(parse_r, RUNS) ? "yes" : "NO", total_dec);
	ret = median(replay_r, RUNS) >= GOAL ? 0 : 2;
out:
	for (i = 0; lines && i < N_ALERTS; i++)
		free(lines[i]);
	free(lines);
	free(lens);
	free(parsed);
	config_free_ossec(cfg);
	return ret;
}
