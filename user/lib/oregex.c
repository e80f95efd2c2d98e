// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * This file contains the OS_Regex / OSMatch subset declared in oregex.h. Patterns are tiny
 * (a rules_group, a location, a host name) and subjects are bounded by the alert size, so a
 * backtracking matcher with a step budget is enough and keeps a hostile pattern from running
 * away: the budget bounds every loop.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "oregex.h"

enum tok_kind {
	TOK_LIT = 0,
	TOK_ANY, /* \. */
	TOK_DIGIT, /* \d */
	TOK_NDIGIT, /* \D */
	TOK_WORD, /* \w */
	TOK_NWORD, /* \W */
	TOK_SPACE, /* \s */
	TOK_NSPACE, /* \S */
	TOK_PUNCT, /* \p */
};

enum tok_quant {
	Q_ONE = 0,
	Q_STAR,
	Q_PLUS,
};

struct oregex_tok {
	uint8_t kind;
	uint8_t quant;
	uint8_t ch; /* lower-cased literal */
};

struct oregex_alt {
	uint32_t first;
	uint32_t n;
	bool bol;
	bool eol;
};

/* Work allowed per match attempt; far above what a real pattern needs on a 64 KiB subject. */
#define OREGEX_STEP_BUDGET 4000000u

static void set_err(char *err, size_t errlen, const char *msg, const char *pattern)
{
	if (err && errlen)
		snprintf(err, errlen, "pattern '%.80s': %s", pattern, msg);
}

void oregex_free(struct oregex *re)
{
	if (!re)
		return;
	free(re->alts);
	free(re->toks);
	memset(re, 0, sizeof(*re));
}

static int escape_kind(char c, struct oregex_tok *t)
{
	t->quant = Q_ONE;
	t->ch = 0;
	switch (c) {
	case 'w':
		t->kind = TOK_WORD;
		return 0;
	case 'W':
		t->kind = TOK_NWORD;
		return 0;
	case 'd':
		t->kind = TOK_DIGIT;
		return 0;
	case 'D':
		t->kind = TOK_NDIGIT;
		return 0;
	case 's':
		t->kind = TOK_SPACE;
		return 0;
	case 'S':
		t->kind = TOK_NSPACE;
		return 0;
	case 'p':
		t->kind = TOK_PUNCT;
		return 0;
	case '.':
		t->kind = TOK_ANY;
		return 0;
	case 't':
		t->kind = TOK_LIT;
		t->ch = '\t';
		return 0;
	case '\\':
	case '|':
	case '(':
	case ')':
	case '$':
	case '^':
	case '!':
	case '<':
	case '>':
	case '*':
	case '+':
		t->kind = TOK_LIT;
		t->ch = (uint8_t)c;
		return 0;
	default:
		return -EINVAL;
	}
}

int oregex_compile(struct oregex *re, const char *pattern, enum oregex_mode mode, char *err,
		   size_t errlen)
{
	size_t len, i, alt_start;
	struct oregex_alt *alt;
	struct oregex_tok *t;
	int ret = 0;

	memset(re, 0, sizeof(*re));
	if (!pattern || !*pattern) {
		set_err(err, errlen, "empty pattern", "");
		return -EINVAL;
	}
	len = strlen(pattern);
	if (len > OREGEX_MAX_PATTERN) {
		set_err(err, errlen, "longer than 2048 characters", pattern);
		return -ENAMETOOLONG;
	}
	/* Upper bounds: one token per character, one alternative per '|' plus one. */
	re->toks = calloc(len + 1, sizeof(*re->toks));
	re->alts = calloc(len + 1, sizeof(*re->alts));
	if (!re->toks || !re->alts) {
		ret = -ENOMEM;
		goto out;
	}

	alt_start = 0;
	alt = &re->alts[0];
	alt->first = 0;
	for (i = 0; i <= len; i++) {
		char c = pattern[i];

		if (c == '|' || c == '\0') {
			alt->n = re->n_toks - alt->first;
			if (!alt->n && !alt->bol && !alt->eol) {
				set_err(err, errlen, "empty alternative around '|'", pattern);
				ret = -EINVAL;
				goto out;
			}
			re->n_alts++;
			if (c == '\0')
				break;
			alt = &re->alts[re->n_alts];
			alt->first = re->n_toks;
			alt_start = i + 1;
			continue;
		}
		if (c == '^' && i == alt_start) {
			alt->bol = true;
			continue;
		}
		if (c == '$' && (pattern[i + 1] == '|' || pattern[i + 1] == '\0')) {
			alt->eol = true;
			continue;
		}
		t = &re->toks[re->n_toks];
		if (mode == OREGEX_REGEX && c == '\\') {
			if (!pattern[i + 1] || escape_kind(pattern[i + 1], t)) {
				set_err(err, errlen, "invalid escape after '\\'", pattern);
				ret = -EINVAL;
				goto out;
			}
			i++;
			/* OS_Regex takes '*' and '+' only after an escape; elsewhere they are text. */
			if (pattern[i + 1] == '*' || pattern[i + 1] == '+') {
				t->quant = pattern[i + 1] == '*' ? Q_STAR : Q_PLUS;
				i++;
			}
			re->n_toks++;
			continue;
		}
		if (mode == OREGEX_REGEX && (c == '(' || c == ')'))
			continue;
		t->kind = TOK_LIT;
		t->quant = Q_ONE;
		t->ch = (uint8_t)tolower((unsigned char)c);
		re->n_toks++;
	}
out:
	if (ret)
		oregex_free(re);
	return ret;
}

static bool is_word(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '@' || c == '_';
}

static bool tok_accepts(const struct oregex_tok *t, unsigned char c)
{
	switch (t->kind) {
	case TOK_LIT:
		return (unsigned char)tolower(c) == t->ch;
	case TOK_ANY:
		return true;
	case TOK_DIGIT:
		return isdigit(c);
	case TOK_NDIGIT:
		return !isdigit(c);
	case TOK_WORD:
		return is_word(c);
	case TOK_NWORD:
		return !is_word(c);
	case TOK_SPACE:
		return c == ' ';
	case TOK_NSPACE:
		return c != ' ';
	case TOK_PUNCT:
		return c && strchr("()*+,-.:;<=>?[]!\"'#$%&|{}", c) != NULL;
	}
	return false;
}

/* Does toks[0..n) match at s, ending at the subject's end when eol? */
static bool match_here(const struct oregex_tok *toks, uint32_t n, const char *s, bool eol,
		       uint32_t *budget)
{
	const struct oregex_tok *t;
	size_t k, max;

	for (;;) {
		if (!*budget)
			return false;
		(*budget)--;
		if (!n)
			return !eol || !*s;
		t = toks;
		if (t->quant == Q_ONE) {
			if (!*s || !tok_accepts(t, (unsigned char)*s))
				return false;
			toks++;
			n--;
			s++;
			continue;
		}
		/* Greedy run, then give back one character at a time. */
		for (max = 0; s[max] && tok_accepts(t, (unsigned char)s[max]); max++)
			;
		for (k = max + 1; k-- > (t->quant == Q_PLUS ? 1u : 0u);) {
			if (match_here(toks + 1, n - 1, s + k, eol, budget))
				return true;
			if (!*budget)
				return false;
		}
		return false;
	}
}

bool oregex_match(const struct oregex *re, const char *subject)
{
	uint32_t budget = OREGEX_STEP_BUDGET;
	const struct oregex_tok *first;
	const struct oregex_alt *alt;
	const char *s;
	uint32_t i;

	if (!re || !subject)
		return false;
	for (i = 0; i < re->n_alts; i++) {
		alt = &re->alts[i];
		if (alt->bol) {
			if (match_here(re->toks + alt->first, alt->n, subject, alt->eol, &budget))
				return true;
			continue;
		}
		first = alt->n ? &re->toks[alt->first] : NULL;
		for (s = subject;; s++) {
			/* Most patterns start with a plain letter: skip what cannot start a match. */
			if (first && first->kind == TOK_LIT && first->quant == Q_ONE) {
				while (*s && (unsigned char)tolower((unsigned char)*s) != first->ch)
					s++;
				if (!*s)
					break;
			}
			if (match_here(re->toks + alt->first, alt->n, s, alt->eol, &budget))
				return true;
			if (!*s || !budget)
				break;
		}
	}
	return false;
}
