/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* This file declares what the loader's two files (loader.c, loader_xdp.c) share, no one else. */
#ifndef ARXDP_LOADER_INT_H
#define ARXDP_LOADER_INT_H

#include <linux/types.h>

/* bpf_obj_get_info_by_fd on a pinned object: needs no CAP_SYS_ADMIN, unlike *_get_fd_by_id. */
int loader_pinned_info(const char *pin_dir, const char *name, void *info, __u32 len);

/*
 * After a new program over pin_dir's maps was pinned: every interface still running another
 * program of ours (the one it replaced, an older build's) runs prog_fd from now on, replaced
 * atomically in its mode. Without it, a reload on one interface left the others on a program
 * that may not read the maps the writers fill. Says what it did and what it could not do.
 */
void loader_swap_others(const char *pin_dir, int prog_fd);

#endif /* ARXDP_LOADER_INT_H */
