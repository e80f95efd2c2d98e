// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the start-up benchmark: the cost of one process per action, as
 * wazuh-execd runs the drop-in and as scripts run the CLI. Each execution is fork + exec +
 * wait (stdin and stdout are pipes, stdout read to EOF, stderr to /dev/null), timed in wall
 * clock and in the child's CPU time (user + system, execve() and dynamic loading included).
 * The cases are interleaved execution by execution, in a rotated order, for ROUNDS rounds of
 * EXECS executions; every figure is the median over the rounds of the case's time divided by
 * /bin/true's in the same round: ratios measured side by side. On a shared machine the CPU
 * ratio is the steadier one (the wall clock also counts waiting for a CPU), so the guard
 * uses it.
 *
 * Cases: /bin/true; xdp-filter (a map verb if loaded, else its start-up and early exit);
 * for each --drop-in LABEL=PATH a full add (add line, check_keys read back, continue
 * written) and a delete; for each --cli LABEL=PATH block, list (one block) and unblock;
 * for each --cmd "LABEL=PATH ARG..." that command (a reference, e.g. `arxdp version`).
 * The caller provides the maps (ARXDP_PIN_DIR) and the drop-in's home
 * (PATH = HOME/active-response/bin/NAME). --max-ratio R exits 1 when a drop-in or CLI case's
 * median ratio exceeds R (the guard of make bench-check).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CASES 32
#define MAX_ROUNDS 1000
#define MAX_ARGS 8

struct bcase {
	char name[64];
	const char *argv[MAX_ARGS];
	const char *input; /* written to stdin; NULL: none */
	const char *reply; /* written after the first stdout line (the handshake) */
	bool guarded; /* counted by --max-ratio */
	bool any_status; /* xdp-filter without its program loaded fails: still a start-up */
	int group; /* cases of a group run in sequence per execution (block, list, unblock) */
	double ratio[MAX_ROUNDS], cpu_ratio[MAX_ROUNDS];
	double us[MAX_ROUNDS], cpu_us[MAX_ROUNDS];
};

struct bench {
	struct bcase c[MAX_CASES];
	int n;
	int groups;
	int rounds;
	int execs;
	char add_msg[1024], cont_msg[512], del_msg[1024];
};

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int write_all(int fd, const char *s)
{
	size_t len = strlen(s), off = 0;
	ssize_t n;

	while (off < len) {
		n = write(fd, s + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		off += (size_t)n;
	}
	return 0;
}

/*
 * One execution; 0 when it exited 0 (or any status is fine), else -errno or -EIO. *cpu_us is
 * the child's user + system time, its execve() and dynamic loading included.
 */
static int run_once(const struct bcase *c, double *cpu_us)
{
	struct rusage ru;
	int in[2], out[2], status, devnull, ret = 0;
	char buf[4096];
	bool replied = false;
	ssize_t n;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC))
		return -errno;
	if (pipe2(out, O_CLOEXEC)) {
		ret = -errno;
		close(in[0]);
		close(in[1]);
		return ret;
	}
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		goto out;
	}
	if (pid == 0) {
		devnull = open("/dev/null", O_WRONLY);
		dup2(in[0], 0);
		dup2(out[1], 1);
		if (devnull >= 0)
			dup2(devnull, 2);
		execv(c->argv[0], (char *const *)c->argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	in[0] = out[1] = -1;
	if (c->input && write_all(in[1], c->input))
		ret = -EIO;
	if (!c->reply) {
		close(in[1]);
		in[1] = -1;
	}
	while ((n = read(out[0], buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (c->reply && !replied && memchr(buf, '\n', (size_t)n)) {
			replied = true;
			if (write_all(in[1], c->reply))
				ret = -EIO;
			close(in[1]);
			in[1] = -1;
		}
	}
	while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	*cpu_us = ru.ru_utime.tv_sec * 1e6 + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1e6 +
		  ru.ru_stime.tv_usec;
	if (!c->any_status && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		ret = -EIO;
out:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	return ret;
}

static struct bcase *add_case(struct bench *b, const char *name)
{
	struct bcase *c;

	if (b->n == MAX_CASES) {
		fprintf(stderr, "bench-exec: more than %d cases\n", MAX_CASES);
		exit(2);
	}
	c = &b->c[b->n++];
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->group = b->groups;
	return c;
}

static char *split_label(char *arg, const char **path)
{
	char *eq = strchr(arg, '=');

	if (!eq) {
		*path = arg;
		return arg;
	}
	*eq = '\0';
	*path = eq + 1;
	return arg;
}

static void add_drop_in(struct bench *b, char *arg)
{
	char name[64];
	const char *path, *label = split_label(arg, &path);
	struct bcase *c;

	snprintf(name, sizeof(name), "%s add", label);
	c = add_case(b, name);
	c->argv[0] = path;
	c->input = b->add_msg;
	c->reply = b->cont_msg;
	c->guarded = true;
	snprintf(name, sizeof(name), "%s delete", label);
	c = add_case(b, name);
	c->argv[0] = path;
	c->input = b->del_msg;
	c->guarded = true;
	b->groups++;
}

static void add_cli(struct bench *b, char *arg, int idx)
{
	static const char *const verbs[] = { "block", "list", "unblock" };
	static char addrs[8][32];
	const char *path, *label = split_label(arg, &path);
	struct bcase *c;
	char name[64];

	snprintf(addrs[idx % 8], sizeof(addrs[0]), "198.18.7.%d", idx % 8 + 1);
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		snprintf(name, sizeof(name), "%s %s", label, verbs[i]);
		c = add_case(b, name);
		c->argv[0] = path;
		c->argv[1] = verbs[i];
		c->argv[2] = i == 1 ? NULL : addrs[idx % 8];
		c->guarded = true;
	}
	b->groups++;
}

/* "LABEL=PATH ARG..." (split at spaces): a reference, not guarded; it must exit 0. */
static void add_cmd(struct bench *b, char *arg)
{
	const char *path, *label = split_label(arg, &path);
	struct bcase *c = add_case(b, label);
	char *save = NULL, *tok;
	int n = 0;

	for (tok = strtok_r((char *)path, " ", &save); tok && n < MAX_ARGS - 1;
	     tok = strtok_r(NULL, " ", &save))
		c->argv[n++] = tok;
	b->groups++;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, int n)
{
	double s[MAX_ROUNDS];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* execd's message for a Shellshock-like alert from a benchmark address. */
static void ar_message(char *buf, size_t len, const char *cmd)
{
	snprintf(buf, len,
		 "{\"version\":1,\"origin\":{\"name\":\"bench\",\"module\":\"wazuh-execd\"},"
		 "\"command\":\"%s\",\"parameters\":{\"extra_args\":[],\"alert\":{\"rule\":"
		 "{\"id\":\"31168\",\"level\":15},\"data\":{\"srcip\":\"198.18.8.1\"}},"
		 "\"program\":\"active-response/bin/firewall-drop\"}}\n",
		 cmd);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench-exec [--rounds N] [--execs N] [--xdp-filter PATH] "
		"[--drop-in LABEL=PATH]... [--cli LABEL=PATH]... [--cmd \"LABEL=PATH ARG...\"]... "
		"[--max-ratio R]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rounds", required_argument, NULL, 'r' },
		{ "execs", required_argument, NULL, 'e' },
		{ "xdp-filter", required_argument, NULL, 'x' },
		{ "drop-in", required_argument, NULL, 'd' },
		{ "cli", required_argument, NULL, 'c' },
		{ "max-ratio", required_argument, NULL, 'm' },
		{ "cmd", required_argument, NULL, 'C' },
		{},
	};
	static struct bench b = { .rounds = 11, .execs = 20 };
	const char *xdp_filter = NULL;
	double max_ratio = 0, t0, ref, cpu;
	int opt, nc = 0, fails = 0;
	struct bcase *c;

	ar_message(b.add_msg, sizeof(b.add_msg), "add");
	ar_message(b.del_msg, sizeof(b.del_msg), "delete");
	snprintf(b.cont_msg, sizeof(b.cont_msg),
		 "{\"version\":1,\"origin\":{\"name\":\"bench\",\"module\":\"wazuh-execd\"},"
		 "\"command\":\"continue\",\"parameters\":{}}\n");

	c = add_case(&b, "/bin/true");
	c->argv[0] = "/bin/true";
	b.groups++;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			b.rounds = atoi(optarg);
			break;
		case 'e':
			b.execs = atoi(optarg);
			break;
		case 'x':
			xdp_filter = optarg;
			break;
		case 'd':
			add_drop_in(&b, optarg);
			break;
		case 'c':
			add_cli(&b, optarg, nc++);
			break;
		case 'm':
			max_ratio = atof(optarg);
			break;
		case 'C':
			add_cmd(&b, optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || b.rounds < 3 || b.rounds > MAX_ROUNDS || b.execs < 1)
		usage();
	if (xdp_filter) {
		c = add_case(&b, "xdp-filter ip");
		c->argv[0] = xdp_filter;
		c->argv[1] = "ip";
		c->argv[2] = "198.18.9.1";
		c->argv[3] = "-m";
		c->argv[4] = "src";
		c->any_status = true;
		b.groups++;
	}

	/* Once each untimed: page cache, maps' first entries, the drop-in's log file. */
	for (int i = 0; i < b.n; i++)
		if (run_once(&b.c[i], &cpu)) {
			fprintf(stderr, "bench-exec: '%s' failed (status or I/O)\n", b.c[i].name);
			return 1;
		}
	for (int r = 0; r < b.rounds; r++) {
		for (int i = 0; i < b.n; i++)
			b.c[i].us[r] = b.c[i].cpu_us[r] = 0;
		/* Interleaved execution by execution, groups in a rotated order: every case is
		 * sampled over the same stretch of time, whatever else the machine does. */
		for (int e = 0; e < b.execs; e++)
			for (int k = 0; k < b.groups; k++) {
				int g = (k + r + e) % b.groups;

				for (int i = 0; i < b.n; i++) {
					c = &b.c[i];
					if (c->group != g)
						continue;
					t0 = now_us();
					if (run_once(c, &cpu)) {
						fprintf(stderr,
							"bench-exec: '%s' failed in round %d\n",
							c->name, r);
						return 1;
					}
					c->us[r] += (now_us() - t0) / b.execs;
					c->cpu_us[r] += cpu / b.execs;
				}
			}
		for (int i = 0; i < b.n; i++) {
			b.c[i].ratio[r] = b.c[i].us[r] / b.c[0].us[r];
			b.c[i].cpu_ratio[r] = b.c[i].cpu_us[r] / b.c[0].cpu_us[r];
		}
	}

	ref = median(b.c[0].us, b.rounds);
	printf("| process | wall µs per exec | wall ratio to /bin/true | CPU µs per exec | "
	       "CPU ratio to /bin/true |\n");
	printf("|---|---:|---:|---:|---:|\n");
	for (int i = 0; i < b.n; i++) {
		double m = median(b.c[i].ratio, b.rounds), mc = median(b.c[i].cpu_ratio, b.rounds);
		bool over = max_ratio > 0 && b.c[i].guarded && mc > max_ratio;

		printf("| %s | %.0f | %.2f× | %.0f | %.2f×%s |\n", b.c[i].name,
		       median(b.c[i].us, b.rounds), m, median(b.c[i].cpu_us, b.rounds), mc,
		       over ? " **over the limit**" : "");
		fails += over;
	}
	printf("\nMedians over %d rounds of %d executions per case, interleaved execution by "
	       "execution; /bin/true %.0f µs wall; %ld CPUs.\n",
	       b.rounds, b.execs, ref, sysconf(_SC_NPROCESSORS_ONLN));
	if (max_ratio > 0)
		printf("Limit: CPU ratio %.2f× /bin/true for the drop-in and the CLI: %s.\n",
		       max_ratio, fails ? "FAILED" : "passed");
	return fails ? 1 : 0;
}
