// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Placeholder until the matching engine lands (issue 3). */
#include <errno.h>
#include "log.h"
#include "replay.h"

int cmd_replay(int argc, char **argv)
{
	pr_warn("replay: not built yet");
	return -ENOSYS;
}

int cmd_check_config(int argc, char **argv)
{
	pr_warn("check-config: not built yet");
	return -ENOSYS;
}
