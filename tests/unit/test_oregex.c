// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* This file contains the tests of the OS_Regex / OSMatch subset (user/lib/oregex.c). */
#include <errno.h>
#include <string.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include "oregex.h"

struct re_case {
	char pattern[96];
	char subject[128];
	int mode;
	bool match;
};

ParameterizedTestParameters(oregex, match)
{
	static struct re_case cases[] = {
		/* rules_group: case-insensitive substring, groups end with ',' */
		{ "sshd,", "syslog,sshd,authentication_failed,", OREGEX_REGEX, true },
		{ "SSHD,", "syslog,sshd,", OREGEX_REGEX, true },
		{ "sshd,", "syslog,sshd_foo,", OREGEX_REGEX, false },
		{ "sshd,|pci_dss_11.4,", "web,pci_dss_11.4,", OREGEX_REGEX, true },
		{ "sshd,|pci_dss_11.4,", "web,pci_dss_11.45,", OREGEX_REGEX, false },
		/* a bare '.' is a literal dot, \. is any character */
		{ "pci_dss_11.4,", "pci_dss_1134,", OREGEX_REGEX, false },
		{ "pci_dss_11\\.4,", "pci_dss_1134,", OREGEX_REGEX, true },
		/* anchors per alternative */
		{ "^syslog,", "syslog,sshd,", OREGEX_REGEX, true },
		{ "^sshd,", "syslog,sshd,", OREGEX_REGEX, false },
		{ "attack,$", "web,attack,", OREGEX_REGEX, true },
		{ "web,$", "web,attack,", OREGEX_REGEX, false },
		{ "^web,$|^sshd,$", "sshd,", OREGEX_REGEX, true },
		/* the location regexes of ReadActiveResponses */
		{ "AS|analysisd|analysis-server|server", "Server", OREGEX_REGEX, true },
		{ "AS|analysisd|analysis-server|server", "alias", OREGEX_REGEX, true },
		{ "AS|analysisd|analysis-server|server", "local", OREGEX_REGEX, false },
		{ "local", "LOCAL", OREGEX_REGEX, true },
		{ "all|any", "ALL", OREGEX_REGEX, true },
		{ "all|any", "defined-agent", OREGEX_REGEX, false },
		{ "defined-agent", "defined-agent", OREGEX_REGEX, true },
		/* escapes and quantifiers */
		{ "\\d+\\.\\d+", "v 4.14", OREGEX_REGEX, true },
		{ "^\\d+$", "4a", OREGEX_REGEX, false },
		{ "^\\w+$", "web-accesslog", OREGEX_REGEX, true },
		{ "a\\s*b", "a   b", OREGEX_REGEX, true },
		{ "a\\s+b", "ab", OREGEX_REGEX, false },
		{ "x\\|y", "x|y", OREGEX_REGEX, true },
		{ "x\\|y", "y", OREGEX_REGEX, false },
		{ "(sshd),", "sshd,", OREGEX_REGEX, true },
		{ "\\$1", "cost $1", OREGEX_REGEX, true },
		/* OSMatch (white-list host names): '.' and '\' literal */
		{ "^localhost.localdomain$", "localhost.localdomain", OREGEX_MATCH, true },
		{ "^localhost.localdomain$", "LOCALHOST.LOCALDOMAIN", OREGEX_MATCH, true },
		{ "^localhost.localdomain$", "localhostxlocaldomain", OREGEX_MATCH, false },
		{ "^localhost.localdomain$", "localhost.localdomain.x", OREGEX_MATCH, false },
		{ "2001:db8::1", "2001:db8::10", OREGEX_MATCH, true },
		{ "^2001:db8::1$", "2001:db8::10", OREGEX_MATCH, false },
		{ "a\\d", "a\\d", OREGEX_MATCH, true },
		{ "a\\d", "a1", OREGEX_MATCH, false },
		{ "^gateway$|^backup", "backup-7", OREGEX_MATCH, true },
		{ "^gateway$|^backup", "my-gateway", OREGEX_MATCH, false },
	};

	return cr_make_param_array(struct re_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct re_case *c, oregex, match)
{
	struct oregex re;
	char err[128];

	cr_assert_eq(oregex_compile(&re, c->pattern, (enum oregex_mode)c->mode, err, sizeof(err)),
		     0, "compile '%s': %s", c->pattern, err);
	cr_expect_eq(oregex_match(&re, c->subject), c->match, "'%s' on '%s': expected %d",
		     c->pattern, c->subject, c->match);
	oregex_free(&re);
}

struct bad_case {
	char pattern[64];
	int ret;
};

ParameterizedTestParameters(oregex, invalid)
{
	static struct bad_case cases[] = {
		{ "", -EINVAL },    { "a||b", -EINVAL }, { "|a", -EINVAL },
		{ "a\\", -EINVAL }, { "a\\q", -EINVAL },
	};

	return cr_make_param_array(struct bad_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_case *c, oregex, invalid)
{
	struct oregex re;
	char err[128] = "";

	cr_expect_eq(oregex_compile(&re, c->pattern, OREGEX_REGEX, err, sizeof(err)), c->ret);
	cr_expect_neq(err[0], '\0', "an error sentence is given");
	cr_expect_null(re.toks);
}

Test(oregex, long_pattern_and_budget)
{
	static char pat[OREGEX_MAX_PATTERN + 2], subject[65537];
	struct oregex re;

	memset(pat, 'a', sizeof(pat) - 1);
	cr_expect_eq(oregex_compile(&re, pat, OREGEX_REGEX, NULL, 0), -ENAMETOOLONG);
	/* A pathological pattern ends (step budget) instead of running for minutes. */
	cr_assert_eq(oregex_compile(&re, "\\w*\\w*\\w*\\w*\\w*\\w*b$", OREGEX_REGEX, NULL, 0), 0);
	memset(subject, 'a', sizeof(subject) - 1);
	cr_expect_not(oregex_match(&re, subject));
	oregex_free(&re);
	oregex_free(&re); /* idempotent */
}
