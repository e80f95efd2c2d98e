/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares the XDP attach modes: the loader's vocabulary, which arxdp.conf's
 * <mode> and `arxdp attach --mode` name (mode_name() and mode_parse() are in loader.h).
 */
#ifndef ARXDP_XDPMODE_H
#define ARXDP_XDPMODE_H

enum arxdp_xdp_mode {
	ARXDP_MODE_AUTO = 0, /* native, falling back to skb with a warning */
	ARXDP_MODE_NATIVE,
	ARXDP_MODE_SKB,
};

#endif /* ARXDP_XDPMODE_H */
