/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * This file declares the Prometheus exposition of arxdp: the text format (version 0.0.4) over
 * the pinned maps and, when given, arxdpd's status; an atomic writer for node-exporter's
 * textfile collector; and a tiny loopback-only HTTP/1.0 responder for GET /metrics.
 *
 * Series (every counter is read from the kernel's per-CPU counters, so it survives restarts of
 * any process and only resets when the maps are recreated):
 *   arxdp_build_info{version}                      gauge, always 1
 *   arxdp_dropped_packets_total{ifname,family}     counter, family ipv4|ipv6 (exact + prefix)
 *   arxdp_dropped_bytes_total{ifname,family}       counter
 *   arxdp_passed_packets_total{ifname,family}      counter, family ipv4|ipv6|other; dry-run
 *   arxdp_passed_bytes_total{ifname,family}        counter  hits count as passed (they were)
 *   arxdp_counter_packets_total{ifname,counter}    counter, every raw counter by stat_name()
 *   arxdp_counter_bytes_total{ifname,counter}      counter
 *   arxdp_blocks_total{origin}                     gauge: live (unexpired) blocks in the maps
 *                                                  now, by origin. Named as the issue asks; it
 *                                                  is NOT cumulative (no rate() on it). The
 *                                                  cumulative count is arxdpd_blocks_made_total.
 *   arxdp_blocked_addresses{family}                gauge: live blocks (exact and prefix)
 *   arxdp_map_entries{map}, arxdp_map_capacity{map} gauges, the four block maps (entries count
 *                                                  expired ones not yet swept)
 *   arxdp_xdp_attached{ifname,mode}                gauge, one series per interface carrying an
 *                                                  XDP program: 1 = arxdp's, 0 = a foreign one
 *   arxdp_dry_run                                  gauge, 1 when the loaded program only counts
 *   arxdpd_up                                      gauge, 1 when a daemon status was given
 *   with a daemon status: arxdpd_uptime_seconds, arxdpd_alerts_read_total,
 *   arxdpd_alert_bad_lines_total, arxdpd_decisions_total{action}, arxdpd_blocks_made_total{result},
 *   arxdpd_blocks_tracked, arxdpd_errors_total{kind}, arxdpd_scripts_total{event},
 *   arxdpd_scripts_running, arxdpd_scripts_queued, arxdpd_scripts_pending_deletes.
 *
 * Cost: without a tally, one walk of the block maps per render (for the origin and family
 * breakdown), one counter lookup per block inside bl_foreach(): with a million blocks about a
 * second of CPU, fine for `arxdp metrics`. arxdpd passes its expiry sweep's tally instead
 * (bl_sweep_tally(): the last complete pass, up to a second old, 8 s at a million blocks) and
 * never walks the maps in its loop; until its first pass ended, the two gauges are absent.
 *
 * Wiring into arxdpd (single-threaded epoll loop):
 *
 *	static int render_metrics(FILE *out, void *ctx)
 *	{
 *		cJSON *st = status_json();              // the "daemon" object of the status reply
 *		int err = metrics_render(out, &d.bl, d.s.pin_dir, st, &tally);
 *
 *		cJSON_Delete(st);
 *		return err;
 *	}
 *
 *	textfile: on a timer (e.g. every 15 s, and once after start-up):
 *		err = metrics_write_textfile(METRICS_TEXTFILE_DEFAULT, render_metrics, NULL);
 *	  -ENOENT means the directory does not exist (node-exporter not installed): log it once
 *	  at info level and stop trying until the next reload; nothing is ever created but the file.
 *	HTTP:   lfd = metrics_http_listen("127.0.0.1", 9118);  // once, before the loop
 *	  The caller owns the connections and never blocks on one (arxdpd/clients.c): it reads
 *	  until metrics_http_request_done() says the head is complete, within
 *	  METRICS_HTTP_TIMEOUT_MS, then sends what metrics_http_response() built, as the socket
 *	  takes it. Close lfd at exit.
 */
#ifndef ARXDP_METRICS_H
#define ARXDP_METRICS_H

#include <stdint.h>
#include <stdio.h>
#include <cjson/cJSON.h>
#include "blocklist.h"

/* Debian's prometheus-node-exporter reads *.prom from this directory (README.textfile). */
#define METRICS_TEXTFILE_DEFAULT "/var/lib/prometheus/node-exporter/arxdp.prom"
#define METRICS_HTTP_TIMEOUT_MS 1000
#define METRICS_HTTP_CLIENTS 8 /* connections served at once; the next wait in the backlog */
#define METRICS_HTTP_REQUEST_MAX 4096

/* Writes the whole exposition to out; any callback with this shape can be served or written. */
typedef int (*metrics_render_fn)(FILE *out, void *ctx);

/*
 * Renders every arxdp_* series from the maps of bl (interfaces judged against pin_dir) and, when
 * daemon_status (the "daemon" object of arxdpd's status reply) is not NULL, the arxdpd_* series.
 * tally: the live blocks by origin and family from a sweep (see Cost above), or NULL to walk.
 * Returns 0, -EIO when out failed, or the map read error.
 */
int metrics_render(FILE *out, struct blocklist *bl, const char *pin_dir, const cJSON *daemon_status,
		   const struct bl_tally *tally);

/* Writes s as a label value: \, " and newline escaped, as the text format 0.0.4 requires. */
void metrics_put_label(FILE *out, const char *s);

/*
 * Atomically replaces path with what fn writes: a temporary file in the same directory (name
 * not ending in .prom, so the collector never reads it half-written), fsync, mode 0644, rename,
 * then fsync of the directory. Creates no directory. Returns 0 or -errno (-ENOENT: no directory).
 */
int metrics_write_textfile(const char *path, metrics_render_fn fn, void *ctx);

/*
 * Listens on addr:port, addr being a numeric loopback address (127.0.0.0/8 or ::1; anything
 * else is -EADDRNOTAVAIL: the exposition is not for the network). Returns a non-blocking,
 * close-on-exec listening fd, or -errno.
 */
int metrics_http_listen(const char *addr, uint16_t port);

/* 1 when the request head in buf is complete, 0 when more must come, -E2BIG when too long. */
int metrics_http_request_done(const char *buf, size_t len);
/*
 * The whole HTTP/1.0 response to a request head, in a malloc'd *out: GET or HEAD /metrics ->
 * 200 text/plain; version=0.0.4 with fn's exposition, another path -> 404, another method ->
 * 405, a malformed or oversized request -> 400. -ENOMEM only.
 */
int metrics_http_response(const char *request, metrics_render_fn fn, void *ctx, char **out,
			  size_t *len);

#endif /* ARXDP_METRICS_H */
