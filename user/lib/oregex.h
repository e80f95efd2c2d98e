/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file contains the subset of the OSSEC pattern languages Wazuh applies to active-response
 * configuration: OS_Regex (rules_group, location) and OSMatch (white-list host names). Both are
 * case-insensitive, unanchored (substring) and split on '|' into alternatives, each of which
 * may start with '^' and end with '$'. OS_Regex adds '\' escapes (\w \d \s \p \W \D \S, \. for
 * any character, \\ \| \( \) \$ \^ \t \! for literals) and the '*' / '+' quantifiers after an
 * escape; a bare '.' is a literal dot in both languages. Unescaped '(' and ')' only delimit
 * captures in OS_Regex, so they do not change what matches and are ignored here.
 */
#ifndef ARXDP_OREGEX_H
#define ARXDP_OREGEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest pattern accepted; Wazuh's own limit (OS_PATTERN_MAXSIZE) is 2048. */
#define OREGEX_MAX_PATTERN 2048

enum oregex_mode {
	OREGEX_REGEX = 0, /* OS_Regex */
	OREGEX_MATCH, /* OSMatch: only '^', '$' and '|' are special */
};

struct oregex_tok;
struct oregex_alt;

/* A compiled pattern. Zero-initialised means "empty" (matches nothing); free with oregex_free. */
struct oregex {
	struct oregex_alt *alts;
	struct oregex_tok *toks;
	uint32_t n_alts;
	uint32_t n_toks;
};

/*
 * Compiles pattern. Returns 0, -EINVAL for an empty or malformed pattern (err, when not NULL,
 * receives a sentence), -ENAMETOOLONG past OREGEX_MAX_PATTERN or -ENOMEM.
 */
int oregex_compile(struct oregex *re, const char *pattern, enum oregex_mode mode, char *err,
		   size_t errlen);
/* Does any alternative occur in subject (case-insensitively)? */
bool oregex_match(const struct oregex *re, const char *subject);
void oregex_free(struct oregex *re);

#endif /* ARXDP_OREGEX_H */
