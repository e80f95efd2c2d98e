#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Start-up benchmark (build/tools/bench-exec): per-exec cost of the drop-in and the CLI's map
# verbs as ratios to /bin/true, side by side with xdp-filter and with a floor
# (tools/bench-exec-floor.c), in one interleaved run. Sets up
# what the programs need and removes it on exit: a private pin directory with arxdp's maps
# (not attached anywhere), a Wazuh home holding the drop-in, and no daemon socket. Runs with
# the shipped conf/arxdp.conf (the installed case: make install puts it in /etc/arxdp), the
# pin directory from ARXDP_PIN_DIR.
#
# The maps are made with small capacities (4096 per family) so that `arxdp list` walks a small
# table: at the default 1,048,576 the kernel's walk of the empty buckets costs more than the
# start-up being measured.
#
# Usage: tools/bench-exec.sh [--check] [--no-conf] [--variant LABEL=DIR]... [bench-exec options]
#   --check    fail when a drop-in or CLI case exceeds BENCH_EXEC_MAX_RATIO (default 1.6)
#   --no-conf  no arxdp.conf at all (ARXDP_CONF unset; /etc/arxdp/arxdp.conf must be absent)
#   --variant  also time DIR/firewall-drop and DIR/arxdp (e.g. a build from before a change)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUTPUT=${OUTPUT:-build}
case "$OUTPUT" in /*) ;; *) OUTPUT="$ROOT/$OUTPUT" ;; esac
# The goal is 1.3x; the guard leaves room for a loaded 2-CPU machine.
MAX_RATIO=${BENCH_EXEC_MAX_RATIO:-1.6}
CHECK=0
CONF=1
VARIANTS=()
ARGS=()
while [ $# -gt 0 ]; do
	case "$1" in
	--check) CHECK=1; shift ;;
	--no-conf) CONF=0; shift ;;
	--variant) VARIANTS+=("$2"); shift 2 ;;
	*) ARGS+=("$1"); shift ;;
	esac
done

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (BPF maps)"; exit 77; }
for f in "$OUTPUT/firewall-drop" "$OUTPUT/arxdp" "$OUTPUT/tools/bench-exec"; do
	[ -x "$f" ] || { echo "bench-exec: '$f' not built: run make" >&2; exit 1; }
done

PIN="/sys/fs/bpf/arxdp-bexec$$"
WORK=$(mktemp -d /tmp/arxdp-bench-exec.XXXXXX)
cleanup() {
	set +e
	rm -rf "$PIN" "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export ARXDP_PIN_DIR="$PIN" ARXDP_SOCKET="$WORK/no-daemon.sock"
sed -e 's|<\(capacity_v[46]\)>[0-9]*<|<\1>4096<|' -e 's|<cidr_capacity>[0-9]*<|<cidr_capacity>4096<|' \
	"$ROOT/conf/arxdp.conf" >"$WORK/arxdp.conf"
grep -q '<capacity_v6>4096<' "$WORK/arxdp.conf" || { echo "bench-exec: cannot set the capacities" >&2; exit 1; }
export ARXDP_CONF="$WORK/arxdp.conf"
"$OUTPUT/arxdp" block 192.0.2.1 >/dev/null && "$OUTPUT/arxdp" unblock 192.0.2.1 >/dev/null
if [ "$CONF" -eq 0 ]; then
	unset ARXDP_CONF
	[ ! -e /etc/arxdp/arxdp.conf ] || { echo "bench-exec: --no-conf: /etc/arxdp/arxdp.conf exists" >&2; exit 1; }
fi

set_up() { # LABEL DIR: the drop-in copied into a home of its own
	mkdir -p "$WORK/$1/active-response/bin" "$WORK/$1/logs"
	install -m 0750 "$2/firewall-drop" "$WORK/$1/active-response/bin/firewall-drop"
}
CASES=()
i=0
for v in "${VARIANTS[@]}"; do
	label=${v%%=*} dir=${v#*=}
	i=$((i + 1))
	set_up "v$i" "$dir"
	CASES+=(--drop-in "$label firewall-drop=$WORK/v$i/active-response/bin/firewall-drop"
		--cli "$label arxdp=$dir/arxdp")
done
set_up new "$OUTPUT"
CASES+=(--drop-in "firewall-drop=$WORK/new/active-response/bin/firewall-drop"
	--cli "arxdp=$OUTPUT/arxdp")
# References, not guarded: the programs' start-up without a verb, and the floor of a program
# linked as they are that opens one pinned map and appends one log line (bench-exec-floor.c).
CASES+=(--cmd "arxdp version (no verb)=$OUTPUT/arxdp version")
if [ -x "$OUTPUT/tools/bench-exec-floor" ]; then
	CASES+=(--cmd "floor (one pinned map, one log line)=$OUTPUT/tools/bench-exec-floor $PIN $WORK/floor.log")
fi
XF=$(command -v xdp-filter || true)
if [ -n "$XF" ]; then
	CASES+=(--xdp-filter "$XF")
fi
[ "$CHECK" -eq 1 ] && CASES+=(--max-ratio "$MAX_RATIO")
"$OUTPUT/tools/bench-exec" "${CASES[@]}" "${ARGS[@]}"
if [ -n "$XF" ] && "$XF" status 2>&1 | grep -q 'not loaded'; then
	echo "xdp-filter is not loaded here: its row is its start-up and early exit (the map verb"
	echo "needs the program; libxdp, libbpf and libelf are loaded all the same)."
fi
