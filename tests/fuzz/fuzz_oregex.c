// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: Wazuh's OS_Regex / OSMatch dialect (rules_group and white-list patterns
 * come from ossec.conf, subjects from alerts). Input: pattern, a NUL, then the subject.
 * Both modes are compiled; matching must terminate and stay in bounds.
 */
#include <stdlib.h>
#include <string.h>
#include "oregex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oregex re;
	char *buf, *subject;
	char err[128];
	int mode;

	if (size > 8192)
		return 0;
	buf = malloc(size + 2);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = '\0';
	subject = buf + strlen(buf) + 1;
	if (subject > buf + size)
		subject = buf + size + 1;
	for (mode = OREGEX_REGEX; mode <= OREGEX_MATCH; mode++) {
		memset(&re, 0, sizeof(re));
		if (oregex_compile(&re, buf, mode, err, sizeof(err)) == 0) {
			oregex_match(&re, subject);
			oregex_match(&re, "");
		}
		oregex_free(&re);
	}
	free(buf);
	return 0;
}
