// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: the config module's plain reader (config_lean.c) against libxml2. For
 * every input, config_parse_tree() (plain reader first) and config_parse_tree_xml()
 * (libxml2 alone) must return the same status and message, and on success the same tree,
 * element for element (name, line, text); a difference aborts.
 */
#include <stdlib.h>
#include <string.h>
#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_tree(const struct config_elem *a, const struct config_elem *b)
{
	for (; a && b; a = a->next, b = b->next) {
		if (strcmp(a->name, b->name) || a->line != b->line || !a->text != !b->text ||
		    (a->text && strcmp(a->text, b->text)))
			abort();
		same_tree(a->children, b->children);
	}
	if (a || b)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err_a[CONFIG_ERR_MAX] = "", err_b[CONFIG_ERR_MAX] = "";
	const char *buf = (const char *)data;
	struct config_tree a, b;
	int ra, rb;

	ra = config_parse_tree("arxdp.conf", "fuzz", buf, size, &a, err_a, sizeof(err_a));
	rb = config_parse_tree_xml("arxdp.conf", "fuzz", buf, size, &b, err_b, sizeof(err_b));
	if (ra != rb || strcmp(err_a, err_b))
		abort();
	if (!ra) {
		same_tree(a.root, b.root);
		config_free_doc(&a);
		config_free_doc(&b);
	}
	return 0;
}
