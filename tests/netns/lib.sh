#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Shared helpers of the namespace tests. A test script sources this file, creates its hosts
# with ns_host, registers nothing else by hand: one EXIT trap removes every namespace, veth,
# pin directory and XDP attachment it made, also when the test fails or is interrupted.
#
# Addresses: test hosts use 198.18.0.0/15 and 2001:2::/48 only, and traffic goes only to
# hosts this test created.
# Exit codes: 0 pass, 77 skip (with a reason on stdout), anything else fails.

set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUTPUT=${OUTPUT:-build}
case "$OUTPUT" in /*) ;; *) OUTPUT="$ROOT/$OUTPUT" ;; esac
ARXDP="$OUTPUT/arxdp"
SKIP=77
# Short, unique per run: interface names have 15 characters at most.
TID=${TID:-$(printf '%04x' $(($$ % 65536)))}
export ARXDP_PIN_DIR="/sys/fs/bpf/arxdp-t$TID"
export ARXDP_SOCKET="/tmp/arxdp-t$TID.sock"

_CLEANUP=()
_NAMESPACES=()
_HOST_IFACES=()
FAILS=0
_FAIL_LOGS=()

on_exit() { _CLEANUP+=("$*"); }
# show_on_fail FILE...: finish prints the tail of each when a check failed, lines marked
# "log|" so scripts/run-tests.sh can show them: CI keeps nothing but that output.
show_on_fail() { _FAIL_LOGS+=("$@"); }

_cleanup_all() {
	local i
	set +e
	for ((i = ${#_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${_CLEANUP[$i]}" >/dev/null 2>&1
	done
	for i in "${_HOST_IFACES[@]}"; do
		ip link set dev "$i" xdp off >/dev/null 2>&1
		ip link set dev "$i" xdpgeneric off >/dev/null 2>&1
		ip link del "$i" >/dev/null 2>&1
	done
	for i in "${_NAMESPACES[@]}"; do
		ip netns del "$i" >/dev/null 2>&1
	done
	rm -rf "$ARXDP_PIN_DIR" "$ARXDP_SOCKET" >/dev/null 2>&1
}
trap _cleanup_all EXIT
trap 'exit 130' INT TERM

skip() {
	echo "SKIP: $*"
	exit $SKIP
}

fail() {
	echo "FAIL: $*"
	FAILS=$((FAILS + 1))
}

ok() { echo "ok: $*"; }

# check DESCRIPTION COMMAND...: runs the command, reports ok/FAIL.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else fail "$what"; fi
}

finish() {
	local f
	if [ "$FAILS" -ne 0 ]; then
		for f in "${_FAIL_LOGS[@]}"; do
			[ -f "$f" ] || continue
			echo "log| == $(basename "$f"), last 25 lines"
			tail -25 "$f" | cut -c1-300 | sed 's/^/log| /'
		done
		echo "$FAILS check(s) failed"
		exit 1
	fi
	exit 0
}

require_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	ip netns list >/dev/null 2>&1 || skip "network namespaces unavailable"
	[ -x "$ARXDP" ] || { echo "FAIL: $ARXDP not built"; exit 1; }
}

# ns_host NAME HOSTIF HOSTADDR4 NSADDR4 HOSTADDR6 NSADDR6
# Creates namespace NAME with one veth whose other end HOSTIF stays in the root namespace
# (where the XDP program runs: `ip netns exec` hides the root bpffs). /24 and /64 networks.
ns_host() {
	local ns=$1 hif=$2 h4=$3 n4=$4 h6=$5 n6=$6
	ip netns add "$ns" || return 1
	_NAMESPACES+=("$ns")
	ip link add "$hif" type veth peer name eth0 netns "$ns" || return 1
	_HOST_IFACES+=("$hif")
	ip addr add "$h4/24" dev "$hif"
	ip -6 addr add "$h6/64" dev "$hif" nodad
	ip link set "$hif" up
	ip -n "$ns" addr add "$n4/24" dev eth0
	ip -n "$ns" -6 addr add "$n6/64" dev eth0 nodad
	ip -n "$ns" link set eth0 up
	ip -n "$ns" link set lo up
}

# ping_ok NS ADDR: true when ADDR answers from NS (bounded: 3 probes, 1 s each at most).
ping_ok() {
	ip netns exec "$1" ping -n -q -c 3 -i 0.2 -W 1 -w 3 "$2" >/dev/null 2>&1
}

# ping_blocked NS ADDR: true when no probe of a short burst (1 s at most) gets an answer.
ping_blocked() {
	! ip netns exec "$1" ping -n -q -c 3 -i 0.2 -W 1 -w 1 "$2" >/dev/null 2>&1
}

# ping_some NS ADDR COUNT: sends COUNT probes (bounded), never fails.
ping_some() {
	ip netns exec "$1" ping -n -q -c "$3" -i 0.05 -W 1 -w 3 "$2" >/dev/null 2>&1 || true
}

# json_get JSON EXPR: evaluates a Python expression over the parsed JSON as `j`.
# The JSON goes through stdin: a long listing does not fit in an argument.
json_get() {
	printf '%s' "$1" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(eval(sys.argv[1]))' "$2"
}

# block_packets ADDR: dropped packets counted for the block of ADDR (0 when absent).
block_packets() {
	local out
	out=$("$ARXDP" list --json --all) || { echo -1; return; }
	json_get "$out" "sum(e['packets'] for e in j if e['addr']=='$1')"
}

# stat_row IFACE: the name IFACE's counters go under in `arxdp stats` and the metrics: its own
# below ARXDP_MAX_IFINDEX (1024, bpf/arxdp.h), else "other", the row every higher ifindex shares
# (a machine that made many veths since boot gets there).
stat_row() {
	local idx
	idx=$(cat "/sys/class/net/$1/ifindex" 2>/dev/null) || idx=0
	if [ "$idx" -ge 1024 ]; then echo other; else echo "$1"; fi
}
stat_get() {
	local out
	out=$("$ARXDP" stats --json) || { echo -1; return; }
	json_get "$out" "j$1"
}

# ---- a test's arxdpd (ARXDPD, started by the test with its own flags; its pid in DPID) ----
DPID=""
# daemon_up LOG: this DPID answers the control socket within 10 s, else LOG's tail is shown.
daemon_up() {
	local i
	for i in $(seq 100); do
		# This daemon must be the one answering: a second one exits, the first answers.
		"$ARXDP" status --json 2>/dev/null | grep -q "\"pid\":$DPID," && return 0
		kill -0 "$DPID" 2>/dev/null || break
		sleep 0.1
	done
	echo "arxdpd did not come up:"
	tail -5 "$1"
	return 1
}
# stop_daemon: SIGTERM, at most 10 s for it to go, then SIGKILL.
stop_daemon() {
	[ -n "$DPID" ] || return 0
	kill "$DPID" 2>/dev/null
	timeout 10 tail --pid="$DPID" -f /dev/null 2>/dev/null
	kill -9 "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	DPID=""
}
daemon_stat() { json_get "$("$ARXDP" status --json)" "j['daemon']$1"; }
# wait_for SECONDS COMMAND...: polls every 50 ms; the command runs again at each poll.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	while [ $SECONDS -le $end ]; do "$@" && return 0; sleep 0.05; done
	return 1
}
blocked() { "$ARXDP" list --json | grep -q "\"addr\":\"$1\""; }
