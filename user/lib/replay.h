/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares the `arxdp replay` and `arxdp check-config` commands: the decision engine
 * run offline over alert files, and the ossec.conf validator. Neither needs root nor changes
 * anything outside its own stdout.
 */
#ifndef ARXDP_REPLAY_H
#define ARXDP_REPLAY_H

/* argv[0] is the command name; return 0 or a negative errno (main maps it to exit status). */
int cmd_replay(int argc, char **argv);
int cmd_check_config(int argc, char **argv);

#endif /* ARXDP_REPLAY_H */
