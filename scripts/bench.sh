#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Runs the benchmark suite and writes docs/BENCHMARKS.md and docs/bench-*.png:
#   - program unit cost through BPF_PROG_TEST_RUN (build/tools/bench-prog);
#   - the data-plane matrix: live frames (build/tools/trafficgen) through a veth pair into a
#     receiving namespace, for every contender at every N, attack and clean traffic, each
#     figure the median of RUNS runs, every run checked against the receiver's counters;
#   - the control plane (build/tools/bench-ctl) and the other engineers' benchmarks when
#     present (bench-replay, bench-fwdrop.sh, bench-exec.sh, bench-contention.sh,
#     bench-execq.sh,
#     bench-daemon*.sh).
# Topology: sender namespace -> veth -> receiver namespace. The receiving veth carries the XDP
# program under test; arxdp's maps stay pinned in the root bpffs (private pin directory). Every
# netfilter rule lives in a receiver namespace of its own, created for one contender and one N
# and deleted right after, so no packet of this machine ever walks it. Frames carry addresses
# of 198.18.0.0/15 and 2001:2::/48 only and go nowhere but the receiver namespace. One EXIT
# trap removes every namespace, veth, pin directory and XDP attachment, also on failure.
#
# Usage: scripts/bench.sh [--quick] [--check] [--no-docs]
#   --quick    fewer N, shorter runs (about 3 minutes): a smoke run, still 5 runs per figure
#   --check    only the regression guards: unit cost against tools/bench-baseline.txt, and the
#              start-up of the drop-in and the CLI (tools/bench-exec.sh --check)
#   --no-docs  print the report instead of writing docs/
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
OUTPUT=${OUTPUT:-build}
case "$OUTPUT" in /*) ;; *) OUTPUT="$ROOT/$OUTPUT" ;; esac
TG="$OUTPUT/tools/trafficgen"
ARXDP="$OUTPUT/arxdp"

QUICK=0 CHECK=0 DOCS=1
for arg in "$@"; do
	case "$arg" in
	--quick) QUICK=1 ;;
	--check) CHECK=1 ;;
	--no-docs) DOCS=0 ;;
	*) echo "usage: $0 [--quick] [--check] [--no-docs]" >&2; exit 2 ;;
	esac
done

[ "$(id -u)" -eq 0 ] || { echo "SKIP: the benchmarks need root (BPF, namespaces)"; exit 77; }

if [ "$CHECK" -eq 1 ]; then
	"$OUTPUT/tools/bench-prog" --check --baseline "$ROOT/tools/bench-baseline.txt" || exit 1
	# Start-up of the drop-in and the CLI's map verbs: the goal is 1.3x /bin/true; the guard
	# fails above 1.6x (BENCH_EXEC_MAX_RATIO), room for a loaded machine, not for libxml2.
	OUTPUT="$OUTPUT" "$ROOT/tools/bench-exec.sh" --check || exit 1
	# The calibration against direct long measurements (issue 16): a timing comparison, so it
	# guards here and not in make test.
	OUTPUT="$OUTPUT" bash "$ROOT/tests/netns/check-bench-calib.sh"
	exit $?
fi

for t in ip iptables-restore ipset nft python3 gnuplot; do
	command -v "$t" >/dev/null || { echo "bench: '$t' missing: run make deps" >&2; exit 1; }
done
for f in "$TG" "$ARXDP" "$OUTPUT/tools/bench-prog" "$OUTPUT/tools/bench-ctl"; do
	[ -x "$f" ] || { echo "bench: '$f' not built: run make all" >&2; exit 1; }
done

RUNS=${BENCH_RUNS:-5}
if [ "$QUICK" -eq 1 ]; then
	TIME=0.3
	NLIST="1 1000 10000"
	PROG_REPEAT=1000000
else
	TIME=1
	NLIST="1 1000 10000 100000 1000000"
	PROG_REPEAT=2000000
fi
# Smoke-run overrides (not for published figures).
NLIST=${BENCH_NLIST:-$NLIST}
TIME=${BENCH_TIME:-$TIME}
# Smoke runs only: a subset of the contenders (space-separated names as in setup()).
CONTENDERS=${BENCH_CONTENDERS:-}
XDPF_MAX=10000 # xdp-filter's maps hold 10,000 entries (compiled in)
IPT_MAX=10000 # linear iptables beyond this is extrapolated, not measured
GEN_CPU=1
BUDGET_S=${BENCH_BUDGET_S:-1500} # hard stop for the data-plane matrix
START=$(date +%s)

TAG=$(printf '%04x' $(($$ % 65536)))
GEN="arxb-g$TAG"
RX="arxb-r$TAG"
GDEV="xbg$TAG"
RDEV="xbr$TAG"
PIN="/sys/fs/bpf/arxdp-bench-$$"
WORK=$(mktemp -d /tmp/arxdp-bench.XXXXXX)
RAW="$WORK/raw.tsv"
: >"$RAW"
CUR_N=0
# Resuming an interrupted run: its raw lines are kept and their figures not measured again.
[ -n "${BENCH_SEED_RAW:-}" ] && cp "$BENCH_SEED_RAW" "$RAW"

# xdpf_do ARGS: one xdp-filter command in the receiver's namespace. It takes a global lock
# file (/run/xdp-filter.lck) and fails at once while another xdp-filter holds it, or races
# it: a bounded retry.
xdpf_do() {
	local i p
	for i in 1 2 3 4 5; do
		# xdp-filter 1.3.1 leaves its lock file behind after `ip` (here, every time),
		# which blocks the next command: removed once its holder is gone (no such PID).
		p=$(cat /run/xdp-filter.lck 2>/dev/null)
		if [ -n "$p" ] && ! kill -0 "$p" 2>/dev/null; then
			rm -f /run/xdp-filter.lck
		fi
		in_rx_root xdp-filter "$@" 2>>"$WORK/xdpf.err" && return 0
		sleep 0.05
	done
	log "xdp-filter $*: failed: $(tail -1 "$WORK/xdpf.err")"
	return 1
}

xdpf_unload() {
	[ -e "/run/netns/$RX" ] || return 0
	nsenter --net="/run/netns/$RX" xdp-filter unload "$RDEV" >/dev/null 2>&1
}

cleanup() {
	set +e
	xdpf_unload
	ip netns del "$RX" >/dev/null 2>&1
	ip netns del "$GEN" >/dev/null 2>&1
	ip link del "$GDEV" >/dev/null 2>&1
	rm -rf "$PIN"
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[bench %4ds] %s\n' $(($(date +%s) - START)) "$*" >&2; }
in_rx() { ip netns exec "$RX" "$@"; }
in_rx_root() { nsenter --net="/run/netns/$RX" "$@"; }

# The sender's namespace lives for the whole run; the receiver's is remade per contender.
ip netns add "$GEN" || exit 1
ip -n "$GEN" link set lo up

rig_up() {
	ip netns add "$RX" || return 1
	ip link add "$GDEV" netns "$GEN" type veth peer name "$RDEV" netns "$RX" || return 1
	ip -n "$GEN" addr add 198.19.255.0/31 dev "$GDEV"
	ip -n "$GEN" -6 addr add 2001:2:0:ff::2/64 dev "$GDEV" nodad
	ip -n "$GEN" link set "$GDEV" up
	ip -n "$RX" link set lo up
	ip -n "$RX" addr add 198.19.255.1/31 dev "$RDEV"
	ip -n "$RX" -6 addr add 2001:2:0:ff::1/64 dev "$RDEV" nodad
	ip -n "$RX" link set "$RDEV" up
	# Replies (ICMP port unreachable, rate limited) go to the sender's namespace only.
	ip -n "$RX" route add default via 198.19.255.0
	ip -n "$RX" -6 route add default via 2001:2:0:ff::2
	in_rx sysctl -qw net.ipv4.icmp_msgs_per_sec=100 >/dev/null 2>&1
	return 0
}

rig_down() {
	xdpf_unload
	ip netns del "$RX" >/dev/null 2>&1
	rm -rf "$PIN"
	# Freeing a million-entry map is deferred work that would run into the next figure.
	sleep 1
}

# Addresses: blocked sources from 198.18.0.0 (2001:2:0:1::), clean from 198.19.0.0
# (2001:2:0:2::), both uniform over min(N, 65024) for IPv4; sets beyond that are padded
# with 240.0.0.0/4 filler, which is never sent (trafficgen keys).
src_of() { # FAMILY TRAFFIC
	if [ "$1" = 4 ]; then
		[ "$2" = attack ] && echo 198.18.0.0 || echo 198.19.0.0
	else
		[ "$2" = attack ] && echo 2001:2:0:1:: || echo 2001:2:0:2::
	fi
}
dst_of() { [ "$1" = 4 ] && echo 198.19.255.1 || echo 2001:2:0:ff::1; }

keys() { # FAMILY N
	"$TG" keys --family "$1" --n "$2" --src "$(src_of "$1" attack)"
}

# setup CONTENDER FAMILY N: attach and fill; the netfilter ones under an XDP_PASS program,
# which veth needs to take xdp_frames at all.
setup() {
	local c=$1 fam=$2 n=$3 src
	src=$(src_of "$fam" attack)
	case "$c" in
	floor) "$TG" attach --ns "$RX" --dev "$RDEV" --prog drop ;;
	pass) "$TG" attach --ns "$RX" --dev "$RDEV" --prog pass ;;
	lookup | nocnt)
		"$TG" attach --ns "$RX" --dev "$RDEV" --prog "$c" --family "$fam" --n "$n" --src "$src"
		;;
	arxdp)
		"$TG" attach --ns "$RX" --dev "$RDEV" --prog arxdp --pin-dir "$PIN" --fill \
			--family "$fam" --n "$n" --src "$src" || return 1
		ARXDP_PIN_DIR="$PIN" "$ARXDP" status >/dev/null || return 1
		;;
	iptables)
		"$TG" attach --ns "$RX" --dev "$RDEV" --prog pass || return 1
		# Wazuh's firewall-drop does `iptables -I INPUT -s ADDR -j DROP` per address; one
		# restore builds the same chain (newest first) without N process spawns.
		{
			echo '*filter'
			keys 4 "$n" | tac | sed 's/^/-A INPUT -s /; s/$/ -j DROP/'
			echo COMMIT
		} >"$WORK/ipt.rules"
		in_rx iptables-restore <"$WORK/ipt.rules"
		;;
	ipset)
		"$TG" attach --ns "$RX" --dev "$RDEV" --prog pass || return 1
		{
			echo "create arxb hash:ip family inet timeout 86400 maxelem $((n < 65536 ? 65536 : n * 2)) hashsize $((n < 1024 ? 1024 : n))"
			keys 4 "$n" | sed 's/^/add arxb /'
		} >"$WORK/ipset.rules"
		in_rx ipset restore <"$WORK/ipset.rules" || return 1
		in_rx iptables -t raw -A PREROUTING -m set --match-set arxb src -j DROP
		;;
	nft)
		"$TG" attach --ns "$RX" --dev "$RDEV" --prog pass || return 1
		{
			echo 'table ip arxb {'
			echo '  set bl { type ipv4_addr; flags timeout; timeout 1d; }'
			echo '  chain pre { type filter hook prerouting priority raw; policy accept;'
			echo '    ip saddr @bl counter drop; }'
			echo '}'
			keys 4 "$n" | awk '{ if (NR % 10000 == 1) printf "%sadd element ip arxb bl { %s", (NR > 1 ? " }\n" : ""), $1; else printf ", %s", $1 } END { if (NR) print " }" }'
		} >"$WORK/nft.rules"
		in_rx nft -f "$WORK/nft.rules"
		;;
	xdpf | xdpf4)
		# The Debian xdp-tools product as shipped: its default object (all features) or
		# the IPv4 one (-f ipv4: xdpfilt_alw_ip), each behind libxdp's dispatcher, filled
		# with its own CLI. nsenter keeps the root bpffs that `ip netns exec` would hide.
		xdpf_do load "$RDEV" $([ "$c" = xdpf4 ] && echo -f ipv4) || return 1
		keys 4 "$n" | while read -r a; do xdpf_do ip "$a" -m src || exit 1; done || return 1
		[ "$(xdpf_do status | grep -c ' src ')" -ge "$n" ] ||
			{ log "xdp-filter holds fewer than $n addresses"; return 1; }
		;;
	*) return 1 ;;
	esac
}

# count CONTENDER: what the contender says it dropped so far (for the checks).
count() {
	case "$1" in
	arxdp) ARXDP_PIN_DIR="$PIN" "$ARXDP" stats --json |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["dropped_packets"])' ;;
	iptables) in_rx iptables -nvxL INPUT | awk 'NR > 2 { s += $1 } END { print s + 0 }' ;;
	ipset) in_rx iptables -t raw -nvxL PREROUTING | awk 'NR > 2 { s += $1 } END { print s + 0 }' ;;
	nft)
		# Listing fetches every set element (a minute at 1M, -t too): beyond 100k the
		# check falls back to the stack counters (nothing may reach UDP).
		if [ "$CUR_N" -gt 100000 ]; then echo skip; else
			in_rx nft list chain ip arxb pre | sed -n 's/.*counter packets \([0-9]*\).*/\1/p'
		fi
		;;
	xdpf | xdpf4)
		xdpf_do status | awk '$1 == "XDP_DROP" { print $2; exit }' ;;
	*) echo 0 ;;
	esac
}

# measure SECTION CONTENDER FAMILY N TRAFFIC RUN DIST: one run, one line of RAW.
measure() {
	local sec=$1 c=$2 fam=$3 n=$4 tr=$5 run=$6 dist=${7:-uniform} before after out
	local rx=0 ns_per_pkt=0 mpps=0 ip_in=0 udp_noports=0 loss=0 calib_rx=0 drops verdict
	before=$(count "$c")
	out=$("$TG" send --gen-ns "$GEN" --dev "$GDEV" --rx-ns "$RX" --rx-dev "$RDEV" \
		--family "$fam" --dist "$dist" --n "$n" --src "$(src_of "$fam" "$tr")" \
		--dst "$(dst_of "$fam")" --time "$TIME" --count 4000000000 --cpu "$GEN_CPU" \
		$([ "$c" = floor ] && echo --max-ns 5000)) ||
		{ log "send failed: $c N=$n $tr"; return 1; }
	echo "$c	$n	$tr	$(echo "$out" | tr ' ' '\n' | sed -n 's/^calib_//p' | tr '\n' ' ')" >>"$WORK/calib.tsv"
	after=$(count "$c")
	eval "$(echo "$out" | tr ' ' '\n' | sed -n 's/^\(rx\|ns_per_pkt\|mpps\|ip_in\|udp_noports\|loss\|calib_rx\)=/\1=/p')"
	rx=${rx:-0}
	if [ "$before" = skip ]; then
		# Dropped in netfilter: the stack saw every frame, UDP none of them.
		[ "$tr" = attack ] && drops=$((ip_in - udp_noports)) || drops=$((rx - udp_noports))
	else
		drops=$((after - before))
		# Under attack the contender also dropped the calibration frames sent before the
		# window (clean ones it passed, uncounted).
		[ "$tr" = attack ] && drops=$((drops - ${calib_rx:-0}))
	fi
	# What must have happened to every received frame, from the receiver's own counters.
	verdict=ok
	local tol=$((rx / 1000 + 16))
	within() { local d=$(($1 - $2)); [ ${d#-} -le $tol ]; }
	case "$c:$tr" in
	floor:*) within "$ip_in" 0 || verdict="stack saw $ip_in" ;;
	pass:*) within "$udp_noports" "$rx" || verdict="NoPorts $udp_noports of $rx" ;;
	lookup:attack | nocnt:attack) within "$ip_in" 0 || verdict="stack saw $ip_in" ;;
	arxdp:attack)
		within "$drops" "$rx" || verdict="dropped $drops of $rx"
		within "$ip_in" 0 || verdict="$verdict; stack saw $ip_in"
		;;
	*:attack) within "$drops" "$rx" || verdict="dropped $drops of $rx" ;;
	*:clean)
		within "$drops" 0 || verdict="dropped $drops clean"
		within "$udp_noports" "$rx" || verdict="$verdict; NoPorts $udp_noports of $rx"
		;;
	esac
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$sec" "$c" "$fam" "$n" "$tr" \
		"$dist" "$run" "$ns_per_pkt" "$mpps" "$rx" "$loss" "$verdict" >>"$RAW"
	[ "$verdict" = ok ] || log "CHECK FAILED: $c N=$n $tr run $run: $verdict"
}

over_budget() { [ $(($(date +%s) - START)) -ge "$BUDGET_S" ]; }

# bench_one SECTION CONTENDER FAMILY N "TRAFFICS" [DIST]: fresh rig, warm-up, RUNS runs,
# attack and clean interleaved so drift hits both alike.
bench_one() {
	local sec=$1 c=$2 fam=$3 n=$4 traffics=$5 dist=${6:-uniform} r tr
	if [ -n "$CONTENDERS" ] && ! [[ " $CONTENDERS " == *" $c "* ]]; then
		return 0
	fi
	if over_budget; then
		log "time budget spent: skipping $c N=$n"
		return 0
	fi
	if [ -n "${BENCH_SEED_RAW:-}" ] &&
		awk -F'\t' -v s="$sec" -v c="$c" -v f="$fam" -v n="$n" -v d="$dist" \
			'$1 == s && $2 == c && $3 == f && $4 == n && $6 == d { hit = 1 } END { exit !hit }' "$RAW"; then
		log "$sec: $c IPv$fam N=$n: already measured (seed)"
		return 0
	fi
	CUR_N=$n
	log "$sec: $c IPv$fam N=$n ($traffics, $dist)"
	rig_up || { log "rig failed"; rig_down; return 1; }
	if ! setup "$c" "$fam" "$n"; then
		log "setup failed: $c N=$n"
		rig_down
		return 1
	fi
	# Warm-up: caches, and the hash buckets every later run walks.
	for tr in $traffics; do
		"$TG" send --gen-ns "$GEN" --dev "$GDEV" --rx-ns "$RX" --rx-dev "$RDEV" \
			--family "$fam" --dist "$dist" --n "$n" --src "$(src_of "$fam" "$tr")" \
			--dst "$(dst_of "$fam")" --time "$TIME" --cpu "$GEN_CPU" >/dev/null
	done
	for ((r = 1; r <= RUNS; r++)); do
		for tr in $traffics; do
			measure "$sec" "$c" "$fam" "$n" "$tr" "$r" "$dist"
		done
	done
	rig_down
}

############################################################################################
log "program unit cost (BPF_PROG_TEST_RUN)"
if [ -n "${BENCH_SKIP_PROG:-}" ]; then :; elif [ -n "${BENCH_SEED_PROG:-}" ]; then cp "$BENCH_SEED_PROG" "$WORK/prog.md"; else
"$OUTPUT/tools/bench-prog" --repeat "$PROG_REPEAT" --runs 7 \
	--baseline "$ROOT/tools/bench-baseline.txt" >"$WORK/prog.md" 2>"$WORK/prog.err" ||
	{ cat "$WORK/prog.err" >&2; log "bench-prog failed"; cat "$WORK/prog.err" >>"$WORK/prog.md"; }
fi

log "data plane matrix: N = $NLIST, $RUNS runs of ${TIME}s each"
for n in $NLIST; do
	bench_one matrix floor 4 "$n" "attack"
	bench_one matrix pass 4 "$n" "clean"
	bench_one matrix arxdp 4 "$n" "attack clean"
	bench_one matrix lookup 4 "$n" "attack clean"
	bench_one matrix nocnt 4 "$n" "attack"
	if [ "$n" -le "$IPT_MAX" ]; then
		bench_one matrix iptables 4 "$n" "attack clean"
	fi
	bench_one matrix ipset 4 "$n" "attack clean"
	bench_one matrix nft 4 "$n" "attack clean"
	if [ "$n" -le "$XDPF_MAX" ]; then
		bench_one matrix xdpf 4 "$n" "attack clean"
		bench_one matrix xdpf4 4 "$n" "attack clean"
	fi
done

# The 1.3x goal compares two programs a few ns apart, and this VM drifts by more than that
# between rigs built minutes apart (the floor alone reads differently at every N above). So
# the pair is also measured on one rig, arxdp's maps filled once, the two programs swapped
# on the same veth before every run: drift then hits both alike, and each pair gives a ratio.
bench_pair() {
	local n=$1 r
	[ -z "$CONTENDERS" ] || [[ " $CONTENDERS " == *" pair "* ]] || return 0
	over_budget && { log "time budget spent: skipping the interleaved pair"; return 0; }
	log "pair: floor, arxdp, bare lookup, no-count variant, IPv4 N=$n, interleaved ($((RUNS * 2)) runs each)"
	rig_up || { log "rig failed"; rig_down; return 1; }
	if ! setup arxdp 4 "$n"; then
		log "setup failed: arxdp N=$n"
		rig_down
		return 1
	fi
	"$TG" send --gen-ns "$GEN" --dev "$GDEV" --rx-ns "$RX" --rx-dev "$RDEV" --family 4 \
		--n "$n" --src "$(src_of 4 attack)" --dst "$(dst_of 4)" --time "$TIME" \
		--cpu "$GEN_CPU" >/dev/null
	# The bare lookup and the variant without counts ride along: they say where the gap goes.
	for ((r = 1; r <= RUNS * 2; r++)); do
		"$TG" attach --ns "$RX" --dev "$RDEV" --prog drop --capacity 1 || return 1
		measure pair floor 4 "$n" attack "$r"
		"$TG" attach --ns "$RX" --dev "$RDEV" --prog arxdp --pin-dir "$PIN" || return 1
		measure pair arxdp 4 "$n" attack "$r"
		for c in lookup nocnt; do
			"$TG" attach --ns "$RX" --dev "$RDEV" --prog "$c" --family 4 --n "$n" \
				--src "$(src_of 4 attack)" || return 1
			measure pair "$c" 4 "$n" attack "$r"
		done
	done
	rig_down
}
bench_pair 1000

if [ "$QUICK" -eq 0 ]; then
	# IPv4 cannot carry a million distinct sources inside 198.18.0.0/15; IPv6 can: the
	# uniform-over-all-N case of the 1.2x goal, arxdp against the bare lookup.
	for c in floor arxdp lookup nocnt; do
		bench_one v6 "$c" 6 1000000 "attack"
	done
	for c in arxdp lookup; do
		bench_one hot "$c" 4 1000000 "attack" hot
		bench_one one "$c" 4 1000000 "attack" one
	done
fi

if [ -z "${BENCH_SKIP_PEERS:-}" ] && [ -x "$ROOT/tools/bench-peers.sh" ]; then
	log "peers: control plane (fail2ban, CrowdSec, arxdp)"
	OUTPUT="$OUTPUT" QUICK="$QUICK" timeout 900 "$ROOT/tools/bench-peers.sh" >"$WORK/peers.md" \
		2>"$WORK/peers.err" || { tail -5 "$WORK/peers.err" >&2; log "bench-peers failed"; }
fi

log "control plane"
[ -n "${BENCH_SKIP_CTL:-}" ] || "$OUTPUT/tools/bench-ctl" $([ "$QUICK" -eq 1 ] && echo --quick) >"$WORK/ctl.md" \
	2>"$WORK/ctl.err" || { cat "$WORK/ctl.err" >&2; log "bench-ctl failed"; }

: >"$WORK/others.md"
[ -n "${BENCH_SKIP_OTHERS:-}" ] && OTHERS=0 || OTHERS=1
if [ "$OTHERS" -eq 1 ] && [ -x "$OUTPUT/tools/bench-replay" ]; then
	log "bench-replay"
	{ echo "### Alert replay throughput (build/tools/bench-replay)"; echo
	  timeout 300 "$OUTPUT/tools/bench-replay" 2>&1 || echo "(bench-replay failed: exit $?)"
	  echo; } >>"$WORK/others.md"
fi
if [ "$OTHERS" -eq 1 ] && [ -x "$ROOT/tools/bench-fwdrop.sh" ]; then
	log "bench-fwdrop"
	{ echo "### firewall-drop add/delete cycle (tools/bench-fwdrop.sh)"; echo
	  OUTPUT="$OUTPUT" TIME_LIMIT=300 timeout 360 "$ROOT/tools/bench-fwdrop.sh" $([ "$QUICK" -eq 1 ] && echo --sizes "0 1000") 2>&1 ||
		echo "(bench-fwdrop failed: exit $?)"
	  echo; } >>"$WORK/others.md"
fi
if [ "$OTHERS" -eq 1 ] && [ -x "$ROOT/tools/bench-exec.sh" ]; then
	log "bench-exec"
	{ echo "### Start-up: one process per action (tools/bench-exec.sh)"; echo
	  OUTPUT="$OUTPUT" timeout 300 "$ROOT/tools/bench-exec.sh" $([ "$QUICK" -eq 1 ] && echo --rounds 5) 2>&1 ||
		echo "(bench-exec failed: exit $?)"
	  echo; } >>"$WORK/others.md"
fi
if [ "$OTHERS" -eq 1 ] && [ -x "$ROOT/tools/bench-contention.sh" ]; then
	log "bench-contention"
	{ OUTPUT="$OUTPUT" RUNS=$RUNS timeout 300 "$ROOT/tools/bench-contention.sh" 2>/dev/null ||
		echo "(bench-contention failed: exit $?)"
	  echo; } >>"$WORK/others.md"
fi
# Optional (BENCH_SKIP_EXECQ=1 leaves it out): N attackers through execq, arxdpd as
# wazuh-execd against an execd-shaped serial executor; --quick sends 1,000 instead of 10,000.
if [ "$OTHERS" -eq 1 ] && [ -z "${BENCH_SKIP_EXECQ:-}" ] && [ -x "$ROOT/tools/bench-execq.sh" ]; then
	log "bench-execq"
	{ echo "### execq (tools/bench-execq.sh)"; echo
	  OUTPUT="$OUTPUT" TIME_LIMIT=900 timeout 960 "$ROOT/tools/bench-execq.sh" $([ "$QUICK" -eq 1 ] && echo --quick) 2>/dev/null ||
		echo "(bench-execq failed: exit $?)"
	  echo; } >>"$WORK/others.md"
fi
# The scripts only: build/tools/bench-daemon is their helper and takes a sub-command.
for b in "$ROOT"/tools/bench-daemon*.sh; do
	[ "$OTHERS" -eq 1 ] && [ -x "$b" ] || continue
	log "$(basename "$b")"
	{ echo "### Daemon ($(basename "$b"))"; echo
	  OUTPUT="$OUTPUT" timeout 600 "$b" 2>&1 || echo "($(basename "$b") failed: exit $?)"
	  echo; } >>"$WORK/others.md"
done

############################################################################################
log "report"
mkdir -p "$ROOT/docs"
MD="$ROOT/docs/BENCHMARKS.md"
[ "$DOCS" -eq 1 ] || MD="$WORK/BENCHMARKS.md"
ELAPSED=$(($(date +%s) - START))
export RAW WORK MD ROOT ELAPSED QUICK TIME RUNS IPT_MAX GEN_CPU BENCH_SEED_RAW=${BENCH_SEED_RAW:-}
python3 - <<'PY' || { log "report generation failed"; exit 1; }
import os, statistics as st, subprocess, platform, collections

raw, work, md = os.environ["RAW"], os.environ["WORK"], os.environ["MD"]
rows = [l.rstrip("\n").split("\t") for l in open(raw) if l.strip()]
figs = collections.defaultdict(list)
bad = []
for sec, c, fam, n, tr, dist, run, ns, mpps, rx, loss, verdict in rows:
    figs[(sec, c, fam, int(n), tr, dist)].append((float(ns), float(mpps), int(rx), float(loss)))
    if verdict != "ok":
        bad.append(f"{c} IPv{fam} N={n} {tr} run {run}: {verdict}")

def med(key):
    v = figs.get(key)
    if not v:
        return None
    ns = [x[0] for x in v]
    return st.median(ns), min(ns), max(ns), st.median([x[1] for x in v]), len(v), max(x[3] for x in v)

def cell(m):
    if not m:
        return "—"
    return f"{m[0]:,.0f} ({m[1]:,.0f}–{m[2]:,.0f})"

def read(p):
    try:
        return open(p).read()
    except OSError:
        return ""

def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=10).stdout.strip()
    except Exception:
        return "?"

ns_list = sorted({k[3] for k in figs if k[0] == "matrix"})
ipt_max = int(os.environ["IPT_MAX"])

# Linear iptables beyond IPT_MAX: from the two largest measured N, per rule.
def ipt(n, tr):
    m = med(("matrix", "iptables", "4", n, tr, "uniform"))
    if m:
        return m[0], False
    pts = sorted((k[3], med(k)[0]) for k in figs if k[:3] == ("matrix", "iptables", "4") and k[4] == tr)
    if len(pts) < 2:
        return None, True
    (n1, y1), (n2, y2) = pts[-2], pts[-1]
    return y2 + (y2 - y1) / (n2 - n1) * (n - n2), True

names = {
    "floor": "(a) empty XDP_DROP (floor)",
    "pass": "(b) XDP_PASS to the stack, no rules",
    "arxdp": "(c) arxdp",
    "iptables": "(d) iptables -I INPUT -s ADDR -j DROP per address",
    "ipset": "(e) ipset hash:ip timeout, raw PREROUTING",
    "nft": "(f) nftables set, flags timeout, prerouting priority raw",
    "lookup": "(g) bare XDP program: one hash lookup, same map size",
    "nocnt": "(h) arxdp without per-block counts (tools/arxdp-variant.bpf.c)",
    "xdpf": "(i) xdp-filter (Debian xdp-tools), default object (all features)",
    "xdpf4": "(j) xdp-filter -f ipv4 (Debian xdp-tools, object xdpfilt_alw_ip)",
}
order = ["floor", "pass", "arxdp", "lookup", "nocnt", "iptables", "ipset", "nft", "xdpf", "xdpf4"]

out = []
w = out.append
cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
w("# arxdp benchmarks\n")
w("Generated by `make bench` (`scripts/bench.sh`%s) in %d s. Every figure below was measured in this one run, on this machine, side by side; "
  "each is the **median of %s runs** with the spread (min–max) in parentheses. Nothing is copied from elsewhere; "
  "extrapolated figures are marked *extrapolated*.\n" % (" --quick" if os.environ["QUICK"] == "1" else "", int(os.environ["ELAPSED"]), os.environ["RUNS"]))
if os.environ.get("BENCH_SEED_RAW"):
    w("> **Resumed run.** The first invocation stalled on listing the nftables counter of a 1M-element set; the figures it had "
      "finished were kept (`BENCH_SEED_RAW`) and the rest was measured by a second invocation right after. Each contender/N "
      "row and its ratios within one N still come from one invocation, but two rows may be minutes apart.\n")
w("## Machine\n")
w("| | |\n|---|---|")
w(f"| CPU | {cpu}, {os.cpu_count()} vCPUs ({'VM' if 'hypervisor' in read('/proc/cpuinfo') else 'bare metal'}) |")
w(f"| Kernel | {platform.release()} |")
w(f"| Clock source | {read('/sys/devices/system/clocksource/clocksource0/current_clocksource').strip()} |")
memtotal = int(read("/proc/meminfo").split()[1]) // 1024
w(f"| Memory | {memtotal} MiB |")
w(f"| Tools | {sh('iptables -V')}, {sh('ipset --version | head -1')}, {sh('nft --version')}, {sh('clang --version | head -1')} |")
w(f"| Load during the run | {read('/proc/loadavg').split()[0:3]} (1/5/15 min; other engineers build on this VM, so some spread is theirs) |")
w("")

w("## Data plane: ns per packet (lower is better)\n")
w("Live frames (`BPF_PROG_RUN` with `BPF_F_TEST_XDP_LIVE_FRAMES`, `tools/trafficgen`) from a sender namespace through a veth pair "
  "into a receiver namespace: the frames arrive as xdp_frames, as from a NIC driver. 64-byte IPv4/UDP frames with valid IP and UDP "
  f"checksums and the receiver's MAC. Generator and receiver share one pinned CPU (CPU {os.environ['GEN_CPU']}), so a figure is the CPU "
  "time of *generator + receiver* per received packet: wall time / the receiving veth's `rx_packets`; the floor (a) is mostly the "
  "generator. Mpps = 1000 / ns. Each run lasts "
  f"{os.environ['TIME']} s after one discarded warm-up run.\n")
w("*Attack*: every source blocked; *clean*: no source blocked (the cost to legitimate traffic). Sources are uniform over "
  "min(N, 65,024) addresses (198.18.0.0/15 cannot carry more distinct IPv4 sources once the clean set and the test hosts are "
  "taken out); beyond 65,024 the set is padded with 240.0.0.0/4 filler addresses that are never sent, so at N = 100,000 and "
  "1,000,000 the map/set/chain holds N entries but the traffic touches 65,024 of them. The IPv6 section below has traffic "
  "uniform over all 1,000,000.\n")
for tr in ["attack", "clean"]:
    w(f"### {tr.capitalize()} traffic\n")
    w("| Contender | " + " | ".join(f"N = {n:,}" for n in ns_list) + " |")
    w("|---|" + "---:|" * len(ns_list))
    for c in order:
        cells = []
        t = tr
        if c == "floor":
            t = "attack"
        if c == "pass":
            t = "clean"
        if c == "nocnt" and tr == "clean":
            continue
        for n in ns_list:
            m = med(("matrix", c, "4", n, t, "uniform"))
            if c == "iptables" and not m and n > ipt_max:
                v, ex = ipt(n, tr)
                cells.append(f"~{v:,.0f} *extrapolated*" if v else "—")
            else:
                cells.append(cell(m))
        w(f"| {names[c]} | " + " | ".join(cells) + " |")
    w("")

w("### Ratios (medians of this run)\n")
w("| N | hit / floor (c/a) | hit − floor, ns | hit / bare lookup (c/g) | per-block count cost, ns (c − h) | ipset / arxdp, attack | nft / arxdp, attack | iptables / arxdp, attack | ipset / arxdp, clean | nft / arxdp, clean | iptables / arxdp, clean | iptables − pass / (arxdp − pass), clean |")
w("|---:|" + "---:|" * 11)
def v(c, n, tr):
    m = med(("matrix", c, "4", n, tr, "uniform"))
    return m[0] if m else None
def r(x, y, fmt="{:.2f}×"):
    return fmt.format(x / y) if x is not None and y else "—"
goals = {}
for n in ns_list:
    a, b = v("floor", n, "attack"), v("pass", n, "clean")
    c, cc = v("arxdp", n, "attack"), v("arxdp", n, "clean")
    g, h = v("lookup", n, "attack"), v("nocnt", n, "attack")
    ia, ic = ipt(n, "attack")[0], ipt(n, "clean")[0]
    ex = "*" if n > ipt_max else ""
    marg = "—"
    if ic is not None and cc is not None and b is not None:
        marg = f"{(ic - b) / max(cc - b, 1.0):,.0f}×{ex} (arxdp adds {cc - b:,.0f} ns)"
    w(f"| {n:,} | {r(c, a)} | {c - a if c and a else 0:,.0f} | {r(c, g)} | {(c - h) if c and h else 0:,.0f} | "
      f"{r(v('ipset', n, 'attack'), c, '{:.1f}×')} | {r(v('nft', n, 'attack'), c, '{:.1f}×')} | {r(ia, c, '{:,.0f}×')}{ex} | "
      f"{r(v('ipset', n, 'clean'), cc, '{:.1f}×')} | {r(v('nft', n, 'clean'), cc, '{:.1f}×')} | {r(ic, cc, '{:,.0f}×')}{ex} | {marg} |")
    goals[n] = dict(a=a, b=b, c=c, cc=cc, g=g, ipset=v("ipset", n, "attack"), nft=v("nft", n, "attack"),
                    ipsetc=v("ipset", n, "clean"), nftc=v("nft", n, "clean"), ic=ic, iex=n > ipt_max)
w("\n`*` iptables beyond %s rules is extrapolated linearly from the two largest measured chains." % f"{ipt_max:,}")
w("")

# Peers: what each adds to the path, measured in the same run on the same rig.
peer_rows = []
for n in ns_list:
    a, b = v("floor", n, "attack"), v("pass", n, "clean")
    row = {}
    for c in ["arxdp", "xdpf", "xdpf4", "nft"]:
        x, y = v(c, n, "attack"), v(c, n, "clean")
        row[c] = (x - a if x is not None and a is not None else None,
                  y - b if y is not None and b is not None else None)
    peer_rows.append((n, row))
if any(r["xdpf"][0] is not None or r["xdpf4"][0] is not None for _, r in peer_rows):
    w("### Peers: marginal cost per packet, same run, same rig\n")
    w("What a contender adds to the path, in ns per packet: attack traffic above the empty XDP_DROP program (a), clean "
      "traffic above the bare XDP_PASS (b) (the stack cost every passed packet pays anyway). Ratios are peer / arxdp "
      "of these marginal costs; below 1 the peer is cheaper. xdp-filter's maps hold **10,000 entries** (compiled in), so "
      "it has no figure beyond N = 10,000. Both xdp-filter objects run behind libxdp's dispatcher, as `xdp-filter load` "
      "installs them, and were filled with `xdp-filter ip ADDR -m src`.\n")
    w("| N | arxdp, attack | xdp-filter (all), attack | xdp-filter -f ipv4, attack | nft set, attack | xdp-filter (all) / arxdp | xdp-filter -f ipv4 / arxdp | nft / arxdp | arxdp, clean | xdp-filter (all), clean | xdp-filter -f ipv4, clean | nft set, clean |")
    w("|---:|" + "---:|" * 11)
    def f(x):
        return "—" if x is None else f"{x:,.0f}"
    def q(x, y):
        return "—" if x is None or y is None or y <= 0 else f"{x / y:.2f}×"
    for n, r_ in peer_rows:
        ar = r_["arxdp"][0]
        w(f"| {n:,} | {f(ar)} | {f(r_['xdpf'][0])} | {f(r_['xdpf4'][0])} | {f(r_['nft'][0])} | {q(r_['xdpf'][0], ar)} | "
          f"{q(r_['xdpf4'][0], ar)} | {q(r_['nft'][0], ar)} | {f(r_['arxdp'][1])} | {f(r_['xdpf'][1])} | {f(r_['xdpf4'][1])} | {f(r_['nft'][1])} |")
    w("\nA marginal cost below a few ns is inside the run-to-run spread of the floor itself (see the min–max above); "
      "a negative one means the two medians are within that spread. Each contender gets a rig of its own, minutes apart, "
      "and the floor itself moves between rigs (compare (a) across N): when the load of the machine (above) is high, "
      "differences of tens of ns between XDP programs are that drift, not the programs; the interleaved pair below and "
      "the unit cost are the figures that resolve them.\n")

v6 = {c: med(("v6", c, "6", 1000000, "attack", "uniform")) for c in ["floor", "arxdp", "lookup", "nocnt"]}
if any(v6.values()):
    w("### IPv6, N = 1,000,000, attack traffic uniform over all 1,000,000 blocked sources\n")
    w("| Contender | ns/pkt | Mpps |\n|---|---:|---:|")
    for c in ["floor", "arxdp", "lookup", "nocnt"]:
        m = v6[c]
        w(f"| {names[c]} | {cell(m)} | {m[3]:.2f} |" if m else f"| {names[c]} | — | — |")
    if v6["arxdp"] and v6["lookup"]:
        w(f"\narxdp / bare lookup = **{v6['arxdp'][0] / v6['lookup'][0]:.2f}×**" +
          (f"; without per-block counts {v6['nocnt'][0] / v6['lookup'][0]:.2f}×" if v6["nocnt"] else "") + ".")
    w("")
dist_rows = [(d, c) for d in ["uniform", "hot", "one"] for c in ["arxdp", "lookup"]]
if any(med((d if d != "uniform" else "matrix", c, "4", 1000000, "attack", d)) for d, c in dist_rows[2:]):
    w("### Key locality, IPv4, N = 1,000,000, attack\n")
    w("| Sources | (c) arxdp | (g) bare lookup |\n|---|---:|---:|")
    for d, label in [("uniform", "uniform over 65,024"), ("hot", "hot set of 1,000"), ("one", "one address")]:
        sec = "matrix" if d == "uniform" else d
        w(f"| {label} | {cell(med((sec, 'arxdp', '4', 1000000, 'attack', d)))} | {cell(med((sec, 'lookup', '4', 1000000, 'attack', d)))} |")
    w("")

w("### Goals\n")
def goal(name, ok, detail):
    w(f"| {name} | {'**met**' if ok else ('**not met**' if ok is not None else 'not measured')} | {detail} |")
pair_note = None
w("| Goal | Result | Figures |\n|---|---|---|")
g1 = goals.get(1000, {})
pf, pa = figs.get(("pair", "floor", "4", 1000, "attack", "uniform")), figs.get(("pair", "arxdp", "4", 1000, "attack", "uniform"))
if pf and pa and len(pf) == len(pa):
    q = [y[0] / x[0] for x, y in zip(pf, pa)]
    goal("arxdp hit path at N = 1,000 within 1.3× of the empty program", st.median(q) <= 1.3,
         f"interleaved on one rig, {len(q)} pairs: median of the per-pair ratios {st.median(q):.2f}× (min {min(q):.2f}×, max {max(q):.2f}×); "
         f"{st.median(x[0] for x in pa):,.0f} / {st.median(x[0] for x in pf):,.0f} ns (live frames, generator included in both)")
    pl, pn = figs.get(("pair", "lookup", "4", 1000, "attack", "uniform")), figs.get(("pair", "nocnt", "4", 1000, "attack", "uniform"))
    pair_note = "Interleaved at N = 1,000 (same rig, programs swapped before every run; median ns, per-pair ratio to the floor): " + "; ".join(
        f"{names[c].split(' ', 1)[1]} {st.median(x[0] for x in v_):,.0f} ns, {st.median(y[0] / x[0] for x, y in zip(pf, v_)):.2f}×"
        for c, v_ in [("floor", pf), ("arxdp", pa), ("lookup", pl), ("nocnt", pn)] if v_ and len(v_) == len(pf)) + "."
elif g1.get("c") and g1.get("a"):
    goal("arxdp hit path at N = 1,000 within 1.3× of the empty program", g1["c"] / g1["a"] <= 1.3,
         f"{g1['c']:,.0f} / {g1['a']:,.0f} ns = {g1['c'] / g1['a']:.2f}× (live frames, generator included in both; separate rigs)")
gm = goals.get(1000000, {})
if v6.get("arxdp") and v6.get("lookup"):
    q = v6["arxdp"][0] / v6["lookup"][0]
    goal("N = 1,000,000 uniform within 1.2× of the bare lookup (IPv6, all 1M sources)", q <= 1.2,
         f"{v6['arxdp'][0]:,.0f} / {v6['lookup'][0]:,.0f} ns = {q:.2f}×")
if gm.get("c") and gm.get("g"):
    q = gm["c"] / gm["g"]
    goal("N = 1,000,000 within 1.2× of the bare lookup (IPv4, 65,024 of 1M sources)", q <= 1.2,
         f"{gm['c']:,.0f} / {gm['g']:,.0f} ns = {q:.2f}×")
worst = []
for n, d in sorted(goals.items()):
    for k, kc, lab in [("ipset", "c", "ipset attack"), ("nft", "c", "nft attack"), ("ipsetc", "cc", "ipset clean"), ("nftc", "cc", "nft clean")]:
        if d.get(k) and d.get(kc):
            worst.append((d[k] / d[kc], f"{lab} N={n:,}"))
if worst:
    lo = min(worst)
    goal("≥3× faster than nftables set and ipset at every N", lo[0] >= 3,
         f"smallest ratio {lo[0]:.2f}× ({lo[1]}); clean traffic includes the same stack cost on both sides")
g10 = goals.get(10000, {})
if g10.get("ic") and g10.get("cc"):
    q = g10["ic"] / g10["cc"]
    mq = (g10["ic"] - g10["b"]) / max(g10["cc"] - g10["b"], 1.0) if g10.get("b") else None
    goal("≥500× faster than Wazuh-style iptables at 10,000 blocks, clean traffic", q >= 500,
         f"whole path (XDP + stack for arxdp): {g10['ic']:,.0f} / {g10['cc']:,.0f} ns = {q:,.0f}×" +
         (f"; filtering cost alone (minus the no-rule stack (b)): {mq:,.0f}×" if mq else ""))
w("")
if pair_note:
    w(pair_note + "\n")
if bad:
    w("### Counter checks that failed\n")
    for b_ in bad:
        w(f"- {b_}")
else:
    w(f"Every one of the {len(rows)} runs was checked against the receiver's counters (arxdp's drop counter, the rule or set "
      "counter, the veth's `rx_packets`, the namespace's IpInReceives / UdpNoPorts): all agreed (tolerance 0.1%).")
w("")
w("![ns per packet against N](bench-dataplane.png)\n")
w("![every run](bench-runs.png)\n")

cal_rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(work, "calib.tsv"))] if os.path.exists(os.path.join(work, "calib.tsv")) else []
cal = []
for c_, n_, tr_, kv in cal_rows:
    d = dict(x.split("=", 1) for x in kv.split() if "=" in x)
    try:
        cal.append((float(d["fixed_ns"]), float(d["spread_ns"]), int(d["size"]), float(d["fixed_share"])))
    except (KeyError, ValueError):
        pass
if cal:
    w("### Calibration of the generator\n")
    w(f"Before every timed run, outside its window, `trafficgen` timed calls of two sizes and fitted a fixed cost per "
      f"`BPF_PROG_RUN` call plus a cost per frame; its calls were then sized so the fixed cost stays ≤ 2% and the "
      f"timing spread ≤ 1% of a call (or it refuses). Over the {len(cal)} runs here: fixed cost per call "
      f"{min(x[0] for x in cal) / 1e6:,.2f}–{max(x[0] for x in cal) / 1e6:,.2f} ms, spread "
      f"{min(x[1] for x in cal) / 1e6:,.2f}–{max(x[1] for x in cal) / 1e6:,.2f} ms, frames per call "
      f"{min(x[2] for x in cal):,}–{max(x[2] for x in cal):,}, largest predicted fixed share {100 * max(x[3] for x in cal):.2f}%.\n")

w("## Program unit cost (BPF_PROG_TEST_RUN)\n")
w(read(os.path.join(work, "prog.md")) or "(bench-prog produced nothing)\n")
w("## Control plane\n")
w(read(os.path.join(work, "ctl.md")) or "(bench-ctl produced nothing)\n")
pm = read(os.path.join(work, "peers.md"))
o = read(os.path.join(work, "others.md"))
if pm:
    w("## Peers: control plane\n")
    w(pm)
    import re
    def ms(x):
        m_ = re.search(r"([0-9.]+) ms", x or "")
        return float(m_.group(1)) if m_ else None
    d0 = re.search(r"^\| 0 \| \d+ \(\+\d+ timeouts\) \| ([0-9.]+ ms) \| ([0-9.]+ ms) \| [0-9.]+ ms \| ([0-9.]+ ms)", o, re.M)
    f2 = next((l.split("|") for l in pm.splitlines() if l.startswith("| fail2ban")), None)
    ax = next((l.split("|") for l in pm.splitlines() if l.startswith("| arxdp")), None)
    if d0:
        w(f"arxdpd, in the same run (`tools/bench-daemon.sh`, Daemon section below, 0 existing blocks): alerts.json line to block "
          f"in the map p50 **{d0.group(1)}**, to the first dropped packet p50 {d0.group(2)}, p99 {d0.group(3)}.")
        if f2 and ms(f2[4]) and ms(d0.group(1)):
            w(f" Log line to ban, fail2ban p50 / arxdpd p50 (line to map) = **{ms(f2[4]) / ms(d0.group(1)):,.0f}×**.")
        w("\n")
    if f2 and ax:
        try:
            r_f2, r_ax = float(f2[3].strip().replace(",", "")), float(ax[3].strip().replace(",", ""))
            w(f"Time to ban {os.environ.get('PEERS_N', '10,000')} addresses, fail2ban / arxdp `block --from` = **{r_ax / r_f2:,.0f}×** ({r_f2:,.0f} against {r_ax:,.0f} bans/s).\n")
        except ValueError:
            pass
if o:
    w("## Other benchmarks of the project\n")
    w(o)
w("## Method notes\n")
w("- Receiver figures only: `rx_packets` of the receiving veth counts every frame its XDP program saw; frames lost in veth's "
  "ring (`loss` in the raw data, at most %.2f%% here) cost generator time but are not counted as received." %
  (100 * max((x[3] for v_ in figs.values() for x in v_), default=0)))
w("- The netfilter contenders run behind an XDP_PASS program (veth needs one to accept xdp_frames), so (b) is their floor. "
  "Passed frames end in UDP port 9 with no listener (UdpNoPorts); ICMP replies are rate limited to 100/s in the receiver namespace.")
w("- For slow receivers the generator shrinks its batch so one NAPI poll stays well inside the softirq budget; otherwise the "
  "remainder moves to ksoftirqd, the generator keeps filling a full ring and the figure would double.")
w("- Maps: arxdp and the bare lookup use 1,048,576-entry preallocated hashes at every N (arxdp's default capacity); blocks "
  "carry a one-day timeout, so every hit reads the (coarse) clock, as Wazuh's timed blocks do. The blocks are written "
  "straight into arxdp's pinned map (batched, in its value layout), not through `arxdp block`: the CLI rightly refuses "
  "addresses this host owns, and tests running beside the benchmark put 198.18.x.y on root-namespace veths.")
w("- Calibration: each `BPF_PROG_RUN` call has a fixed cost besides its frames. The largest part on VMs was the XDP dispatcher: "
  "a test run adds its program to the kernel's XDP dispatcher and removes it again, and each change waits for the dispatcher's "
  "update, 15–40 ms of idle wall time per call on this VM when measured (issue 16). `trafficgen` and `bench-prog` therefore keep "
  "their programs attached in native mode to a spare veth for the run, so the dispatcher never changes (the empty program at "
  "repeat 1,000: 23,752 ns per run without that, 13 ns with it). What is left is measured before the timed window (calls of "
  "two sizes, a fitted line), and calls are sized so the fixed cost stays ≤ 2% and the timing spread ≤ 1% of a call, or the "
  "tool refuses with the measured figures; `bench-prog` times with its thread's CPU time, which other work on the two CPUs does "
  "not inflate. `tests/netns/check-bench-calib.sh` (run by `make bench-check`) checks the calibrated floor against one long direct call.")
w("- Raw per-run data: `docs/bench-raw.tsv`.")
open(md, "w").write("\n".join(out) + "\n")

# Plot data: one block per contender, N against median with min/max.
with open(os.path.join(work, "plot.dat"), "w") as f:
    for c in order:
        for tr in ["attack", "clean"]:
            pts = []
            for n in ns_list:
                m = med(("matrix", c, "4", n, tr, "uniform"))
                if m:
                    pts.append((n, m[0], m[1], m[2], 0))
                elif c == "iptables" and n > ipt_max:
                    e = ipt(n, tr)[0]
                    if e:
                        pts.append((n, e, e, e, 1))
            if not pts:
                continue
            f.write(f'"{names[c].split(" ")[0]} {c} {tr}"\n')
            for p in pts:
                f.write("%d %.1f %.1f %.1f %d\n" % p)
            f.write("\n\n")
with open(os.path.join(work, "runs.dat"), "w") as f:
    i = 0
    labels = []
    for c in order:
        for tr in ["attack", "clean"]:
            for n in ns_list:
                v_ = figs.get(("matrix", c, "4", n, tr, "uniform"))
                if not v_:
                    continue
                i += 1
                labels.append(f'"{c} {tr} {n:,}" {i}')
                for x in v_:
                    f.write(f"{i} {x[0]:.1f}\n")
    open(os.path.join(work, "runs.labels"), "w").write(", ".join(labels))
PY

if [ "$DOCS" -eq 1 ]; then
	cp "$RAW" "$ROOT/docs/bench-raw.tsv"
	ndata=$(grep -c '^"' "$WORK/plot.dat")
	gnuplot <<EOF || log "gnuplot failed"
set terminal pngcairo size 1100,700 font "sans,10"
set output "$ROOT/docs/bench-dataplane.png"
set title "Data plane: CPU ns per received packet (generator + receiver, one CPU), median of $RUNS runs, min-max bars"
set logscale xy
set xlabel "N blocked addresses"
set ylabel "ns per packet (log)"
set key outside right
set grid
set xrange [0.5:2000000]
plot for [i=0:$((ndata - 1))] "$WORK/plot.dat" index i using 1:2:3:4 with yerrorlines title columnheader(1)
EOF
	gnuplot <<EOF || log "gnuplot failed"
set terminal pngcairo size 1400,600 font "sans,8"
set output "$ROOT/docs/bench-runs.png"
set title "Every measured run (ns per packet, log scale): the spread behind each median"
set logscale y
set ylabel "ns per packet"
set xtics rotate by 60 right ($(cat "$WORK/runs.labels"))
set grid ytics
unset key
plot "$WORK/runs.dat" using 1:2 with points pt 7 ps 0.6
EOF
	log "wrote $MD, docs/bench-dataplane.png, docs/bench-runs.png"
else
	cat "$MD"
fi
exit 0
