#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# What the per-block drop counts cost when one blocked source floods every CPU at once: they
# are atomic adds in the block's value, so each CPU that drops that source writes the same
# cache line. Two live-frames generators (tools/trafficgen), pinned to CPU 0 and CPU 1, send
# into one veth pair with two queues, so each CPU runs the receiving XDP program for its own
# frames. Every figure is ns of CPU per dropped frame on one CPU (the generator's 1 s divided
# by what it sent; drops are checked against the receiver's counters), median of RUNS:
#   same     both CPUs send the same blocked source (one value, two writers: contention)
#   distinct each CPU sends its own blocked source (two values: no sharing)
# for arxdp (atomic adds), the variant without per-block counts (tools/arxdp-variant.bpf.c)
# and the empty XDP_DROP floor. Addresses 198.18.0.0/15; everything in namespaces of this
# script, removed on every exit. Prints a markdown section on stdout.
#
# Usage: tools/bench-contention.sh        env: OUTPUT (build), RUNS (5), TIME (1 s)
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUTPUT=${OUTPUT:-build}
case "$OUTPUT" in /*) ;; *) OUTPUT="$ROOT/$OUTPUT" ;; esac
RUNS=${RUNS:-5}
TIME=${TIME:-1}
TG="$OUTPUT/tools/trafficgen"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: bench-contention needs root"; exit 77; }
[ -x "$TG" ] || { echo "bench-contention '$TG': not built: run make" >&2; exit 1; }
[ "$(nproc)" -ge 2 ] || { echo "SKIP: bench-contention needs 2 CPUs"; exit 77; }

TAG=$(printf '%04x' $(($$ % 65536)))
GEN=arxc-g$TAG RX=arxc-r$TAG GDEV=xcg$TAG RDEV=xcr$TAG
PIN=/sys/fs/bpf/arxdp-contention-$$
WORK=$(mktemp -d /tmp/arxdp-contention.XXXXXX)
cleanup() {
	set +e
	ip netns del "$RX" 2>/dev/null
	ip netns del "$GEN" 2>/dev/null
	rm -rf "$PIN" "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { echo "bench-contention: $*" >&2; }
die() { say "$*"; exit 1; }

rig() {
	ip netns del "$RX" 2>/dev/null
	rm -rf "$PIN"
	ip netns add "$RX" || return 1
	ip link add "$GDEV" netns "$GEN" numtxqueues 2 numrxqueues 2 type veth \
		peer name "$RDEV" netns "$RX" numtxqueues 2 numrxqueues 2 || return 1
	ip -n "$GEN" addr add 198.19.254.0/31 dev "$GDEV"
	ip -n "$RX" addr add 198.19.254.1/31 dev "$RDEV"
	ip -n "$GEN" link set "$GDEV" up
	ip -n "$RX" link set "$RDEV" up
	ip -n "$RX" link set lo up
}

ip netns add "$GEN" || die "namespace '$GEN': create failed"
ip -n "$GEN" link set lo up

# run PROG MODE -> "ns_cpu0 ns_cpu1" for one run (1 s each, concurrent)
one_run() {
	local mode=$1 src1=198.18.0.1 i rx0 rx1
	[ "$mode" = same ] && src1=198.18.0.0
	rx0=$(ip netns exec "$RX" cat /sys/class/net/"$RDEV"/statistics/rx_packets)
	for i in 0 1; do
		"$TG" send --gen-ns "$GEN" --dev "$GDEV" --rx-ns "$RX" --rx-dev "$RDEV" --family 4 \
			--dist one --src "$([ $i = 0 ] && echo 198.18.0.0 || echo $src1)" \
			--dst 198.19.254.1 --time "$TIME" --cpu $i >"$WORK/out$i" 2>"$WORK/err$i" &
	done
	wait
	rx1=$(ip netns exec "$RX" cat /sys/class/net/"$RDEV"/statistics/rx_packets)
	awk -v t="$TIME" -v rx=$((rx1 - rx0)) '
		{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		  sent += v["sent"]; ns[NR] = v["wall_ns"] / v["sent"] }
		END { printf "%.1f %.1f %d %d\n", ns[1], ns[2], sent, rx }' "$WORK/out0" "$WORK/out1"
}

med() { sort -g | awk '{v[NR]=$1} END {print NR % 2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

declare -A RES
for prog in drop nocnt arxdp; do
	rig || die "rig: failed"
	case "$prog" in
	arxdp)
		"$TG" attach --ns "$RX" --dev "$RDEV" --prog arxdp --pin-dir "$PIN" --fill \
			--family 4 --n 2 --src 198.18.0.0 --capacity 1024 >/dev/null ||
			die "attach arxdp: failed"
		;;
	nocnt)
		"$TG" attach --ns "$RX" --dev "$RDEV" --prog nocnt --family 4 --n 2 \
			--src 198.18.0.0 --capacity 1024 >/dev/null || die "attach nocnt: failed"
		;;
	*) "$TG" attach --ns "$RX" --dev "$RDEV" --prog drop >/dev/null || die "attach: failed" ;;
	esac
	for mode in distinct same; do
		one_run "$mode" >/dev/null # warm-up
		: >"$WORK/runs"
		for r in $(seq "$RUNS"); do
			one_run "$mode" >>"$WORK/runs"
		done
		bad=$(awk '$4 < $3 * 0.99 {n++} END {print n + 0}' "$WORK/runs")
		[ "$bad" -eq 0 ] || say "$prog $mode: $bad runs received under 99% of what was sent"
		RES[$prog.$mode]="$(awk '{print ($1 + $2) / 2}' "$WORK/runs" | med) $(awk '{print $1, $2}' "$WORK/runs" | tr ' ' '\n' | sort -g | sed -n '1p;$p' | tr '\n' ' ')"
		say "$prog $mode: ${RES[$prog.$mode]}"
	done
done

f() { set -- ${RES[$1]}; printf '%.0f (%.0f–%.0f)' "$1" "$2" "$3"; }
m() { set -- ${RES[$1]}; echo "$1"; }
echo "### One source flooding two CPUs (tools/bench-contention.sh)"
echo
echo "Two live-frames generators pinned to CPU 0 and CPU 1 send 64-byte frames into one veth"
echo "pair with two queues, so each CPU runs the receiving XDP program for its own frames. ns"
echo "of CPU per dropped frame on one CPU (generator included), mean of both CPUs, median of"
echo "$RUNS runs of ${TIME} s (min–max over both CPUs and all runs)."
echo
echo "| Program | distinct sources (one per CPU) | same source on both CPUs | same − distinct, ns |"
echo "|---|---:|---:|---:|"
for prog in drop nocnt arxdp; do
	case $prog in
	drop) name="empty XDP_DROP (floor)" ;;
	nocnt) name="arxdp without per-block counts" ;;
	arxdp) name="arxdp (atomic adds in the block value)" ;;
	esac
	echo "| $name | $(f $prog.distinct) | $(f $prog.same) | $(awk -v a="$(m $prog.same)" -v b="$(m $prog.distinct)" 'BEGIN {printf "%.0f", a - b}') |"
done
echo
echo "The last column of arxdp less that of the variant is what sharing one block's line between"
echo "two CPUs costs per drop here; with more CPUs on one source it grows, and"
echo "\`block_counters no\` removes it."
