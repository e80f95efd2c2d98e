/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares a growing string buffer for JSON text built by hand where printing a cJSON
 * tree would cost too much per alert (arxdpd's per-block path). Strings are escaped as cJSON
 * prints them, so the text matches what Wazuh's programs print.
 */
#ifndef ARXDP_SBUF_H
#define ARXDP_SBUF_H

#include <stdbool.h>
#include <stddef.h>

struct sbuf {
	char *p; /* NUL-terminated, malloc'd; the caller frees it */
	size_t len, cap;
	bool oom; /* an allocation failed: the content is incomplete */
};

void sb_add(struct sbuf *b, const char *s, size_t n);
void sb_str(struct sbuf *b, const char *s);
/* The inside of a JSON string literal, escaped as cJSON prints it. */
void sb_esc(struct sbuf *b, const char *s);
/* A JSON string literal. */
void sb_json(struct sbuf *b, const char *s);

#endif /* ARXDP_SBUF_H */
