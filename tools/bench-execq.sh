#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The execq benchmark (issue 13, "Tests and benchmark"): N distinct attackers sent to
# <home>/queue/alerts/execq as fast as a blocking sender can, the way wazuh-analysisd sends
# them (build/tools/bench-execq), against two executors side by side in one run, rounds
# interleaved so drift hits both alike:
#   serial  build/tools/execd-serial, shaped like wazuh-execd: one process of the drop-in
#           firewall-drop per message, handshake, wait, one at a time (the Wazuh-style rig);
#   arxdpd  build/arxdpd as wazuh-execd (copied to <home>/bin/wazuh-execd, started there),
#           when `arxdpd --help` mentions the execq input; otherwise it is said and skipped;
#   floor   build/tools/execq-floor: a blocking recvmmsg and a map write per datagram, nothing
#           else. What its sender still waits is this machine's floor, not an executor's.
# Reported per executor (median over the rounds, min-max): the total and the longest time the
# sender was blocked in send(), sends that waited over 1 ms, blocks/s (N over the time until
# every block is in the map), alert-to-drop p50/p99 (send() to the block in the pinned map,
# every SAMPLE-th attacker), and the ratios. Goals: no send over 1 ms, >= 50,000 blocks/s.
# Each round gets a fresh fake Wazuh home (temp dir), a private pin directory and state, and
# both executors and the sender run in a private network namespace entered with nsenter --net
# (the bpffs stays visible; this host's addresses are not the namespace's, and no packet is
# sent anywhere). Attackers are 198.19.128.0 + i (198.18.0.0/15, map entries only). The
# drop-in's fallback is `fail`, so a missing map never turns into an iptables rule. Prints a
# markdown section on stdout, progress on stderr. Cleans up on every exit.
#
# Usage: tools/bench-execq.sh [--quick]
#   env: OUTPUT, N (10000; --quick 1000), SAMPLE (100; --quick 20), ROUNDS (3; --quick 1),
#        FLOOR_WORK_NS (execq-floor's --work-ns: spin per datagram; default none),
#        FAST_ROUNDS (rounds of floor, arxdpd and base: 15; --quick 1; ROUNDS when ROUNDS is
#        larger: a wait over 1 ms is rare, so "never" needs more rounds than the serial
#        executor's 25 s ones),
#        TIME_LIMIT (900 s), MAX_DGRAM_QLEN (the namespace's net.unix.max_dgram_qlen; default:
#        left as the kernel sets it), ARXDPD_EXECD_ARGS (arguments of the arxdpd run, "-f -g <own group>"),
#        ARXDPD_BASE (another arxdpd build, e.g. a copy of build/arxdpd before a change: run as
#        executor "base" in the same rounds, interleaved; the executors then default to
#        "base arxdpd", and the ratio row compares the two builds; BENCH_EXECQ_WHO still wins),
#        RT (a SCHED_FIFO priority, e.g. 10: the executor and the sender run at it, so that
#        other processes of a shared machine take no CPU from them during a burst; what is
#        left is the executor's own stalls. RT throttling leaves the rest 5% meanwhile)
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUTPUT=${OUTPUT:-build}
case "$OUTPUT" in /*) ;; *) OUTPUT="$ROOT/$OUTPUT" ;; esac
QUICK=0
if [ "${1:-}" = "--quick" ]; then
	QUICK=1
elif [ $# -gt 0 ]; then
	echo "usage: $0 [--quick]" >&2
	exit 2
fi
if [ "$QUICK" -eq 1 ]; then
	N=${N:-1000} SAMPLE=${SAMPLE:-20} ROUNDS=${ROUNDS:-1} FAST_ROUNDS=${FAST_ROUNDS:-1}
else
	N=${N:-10000} SAMPLE=${SAMPLE:-100} ROUNDS=${ROUNDS:-3} FAST_ROUNDS=${FAST_ROUNDS:-15}
fi
TIME_LIMIT=${TIME_LIMIT:-900}
RT=${RT:-}
case "$RT" in '' | [1-9] | [1-9][0-9]) ;; *) echo "RT '$RT': a SCHED_FIFO priority (1-99) or empty" >&2; exit 2 ;; esac
# -g: execd refuses a missing group, and this machine need not have the wazuh one.
ARXDPD_EXECD_ARGS=${ARXDPD_EXECD_ARGS:--f -g $(id -gn)}
BX="$OUTPUT/tools/bench-execq"
SERIAL="$OUTPUT/tools/execd-serial"
FLOOR="$OUTPUT/tools/execq-floor"
ARXDPD="$OUTPUT/arxdpd"
ARXDP="$OUTPUT/arxdp"
FWDROP="$OUTPUT/firewall-drop"
TPL="$ROOT/tests/data/execq/analysisd-shellshock.json"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: bench-execq needs root (BPF maps, a namespace)"; exit 77; }
command -v nsenter >/dev/null || { echo "SKIP: bench-execq: nsenter not installed"; exit 77; }
for f in "$BX" "$SERIAL" "$FLOOR" "$ARXDPD" "$ARXDP" "$FWDROP"; do
	[ -x "$f" ] || { echo "bench-execq '$f': not built: run make" >&2; exit 1; }
done
[ -f "$TPL" ] || { echo "bench-execq '$TPL': missing" >&2; exit 1; }

TAG=$(printf '%04x' $(($$ % 65536)))
NS=arxdp-bx$TAG
PIN_BASE=/sys/fs/bpf/arxdp-bx$TAG
WORK=$(mktemp -d /tmp/arxdp-bench-execq.XXXXXX)
EPID="" WDPID=""
cleanup() {
	set +e
	[ -n "$WDPID" ] && kill "$WDPID" 2>/dev/null
	stop_exec
	ip netns del "$NS" 2>/dev/null
	rm -rf "$PIN_BASE"-* "$WORK"
}
stop_exec() {
	if [ -n "$EPID" ]; then
		kill "$EPID" 2>/dev/null
		wait "$EPID" 2>/dev/null
	fi
	EPID=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# The whole run is bounded: the watchdog ends it (and the trap cleans up). Its sleep is killed
# with it, so no process outlives the run holding the caller's stdout.
(
	trap 'kill "$sp" 2>/dev/null; exit 0' TERM
	sleep "$TIME_LIMIT" &
	sp=$!
	wait "$sp" && echo "bench-execq: time limit of ${TIME_LIMIT}s reached: stopping" >&2 &&
		kill -TERM $$
) &
WDPID=$!

say() { echo "bench-execq: $*" >&2; }
die() { echo "bench-execq: $*" >&2; exit 1; }
kv() { sed -n "s/^$2=//p" "$1" | head -1; }
in_ns() { nsenter --net="/run/netns/$NS" "$@"; }
# median/min/max of numbers on stdin -> "median min max"
mmm() { sort -g | awk '{v[NR]=$1} END {if (!NR) {print "- - -"; exit} m = NR % 2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; print m, v[1], v[NR]}'; }
commas() { awk -v n="$1" 'BEGIN {if (n == "-") {print n; exit} s = sprintf("%.0f", n); r = ""; while (length(s) > 3) {r = "," substr(s, length(s)-2) r; s = substr(s, 1, length(s)-3)} print s r}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-" || b == "-" || b <= 0) print "-"; else if (a / b < 10) printf "%.1f×", a / b; else printf "%.0f×", a / b}'; }

ip netns add "$NS" || die "namespace '$NS': create failed"
in_ns ip link set lo up
if [ -n "${MAX_DGRAM_QLEN:-}" ]; then
	in_ns sysctl -qw net.unix.max_dgram_qlen="$MAX_DGRAM_QLEN" || die "max_dgram_qlen: set failed"
fi
QLEN=$(in_ns sysctl -n net.unix.max_dgram_qlen)

WHO="serial"
if "$ARXDPD" --help 2>&1 | grep -q -e execq -e '--execd'; then
	# BENCH_EXECQ_WHO: one side alone (profiling); the report then has no ratio row.
	WHO=${BENCH_EXECQ_WHO:-serial floor arxdpd}
	if [ -n "${ARXDPD_BASE:-}" ]; then
		[ -x "$ARXDPD_BASE" ] || die "ARXDPD_BASE '$ARXDPD_BASE': not an executable"
		WHO=${BENCH_EXECQ_WHO:-base floor arxdpd}
	fi
else
	say "build/arxdpd has no execq input yet (\`arxdpd --help\` mentions neither execq nor --execd): baseline only"
fi

# home DIR: a fresh Wazuh home: ossec.conf, ar.conf, the drop-in, queue and logs.
home() {
	local h=$1
	mkdir -p "$h/etc/shared" "$h/queue/alerts" "$h/queue/sockets" "$h/logs" "$h/bin" "$h/active-response/bin" \
		"$h/var/run"
	cat >"$h/etc/ossec.conf" <<-'XML'
		<ossec_config>
		  <cluster><node_name>node01</node_name></cluster>
		  <command><name>firewall-drop</name><executable>firewall-drop</executable><timeout_allowed>yes</timeout_allowed></command>
		  <active-response><command>firewall-drop</command><location>server</location><rules_id>31168</rules_id><timeout>600</timeout></active-response>
		</ossec_config>
	XML
	echo "firewall-drop600 - firewall-drop - 600" >"$h/etc/shared/ar.conf"
	install -m 0750 "$FWDROP" "$h/active-response/bin/firewall-drop"
}

# round WHO K: one executor, one burst; results in $WORK/WHO-K.out.
round() {
	local who=$1 k=$2 d=$WORK/$1-$2 pin=$PIN_BASE-$1-$2 i
	local h=$d/ossec out=$WORK/$1-$2.out
	home "$h"
	printf '<arxdp>\n  <wazuh_home>%s</wazuh_home>\n  <pin_dir>%s</pin_dir>\n  <state_dir>%s</state_dir>\n  <socket>%s</socket>\n  <fwdrop_fallback>fail</fwdrop_fallback>\n</arxdp>\n' \
		"$h" "$pin" "$d/state" "$d/arxdpd.sock" >"$d/arxdp.conf"
	mkdir -p "$d/state"
	export ARXDP_PIN_DIR=$pin ARXDP_CONF=$d/arxdp.conf ARXDP_SOCKET=$d/arxdpd.sock
	# The maps exist before the executor starts (the drop-in never creates them).
	"$ARXDP" block 192.0.2.1 >/dev/null && "$ARXDP" unblock 192.0.2.1 >/dev/null ||
		die "pin directory '$pin': cannot create the maps"
	case "$who" in
	serial)
		nsenter --net="/run/netns/$NS" ${RT:+chrt -f "$RT"} "$SERIAL" --home "$h" >"$d/exec.out" \
			2>"$d/exec.err" &
		;;
	floor)
		nsenter --net="/run/netns/$NS" ${RT:+chrt -f "$RT"} "$FLOOR" --home "$h" --pin-dir "$pin" ${FLOOR_WORK_NS:+--work-ns "$FLOOR_WORK_NS"} \
			>"$d/exec.out" 2>"$d/exec.err" &
		;;
	arxdpd | base)
		# The execd mode finds its home from its own path, as wazuh-execd does.
		install -m 0750 "$([ "$who" = base ] && echo "$ARXDPD_BASE" || echo "$ARXDPD")" "$h/bin/wazuh-execd"
		# shellcheck disable=SC2086
		nsenter --net="/run/netns/$NS" --wd="$h" ${RT:+chrt -f "$RT"} "$h/bin/wazuh-execd" $ARXDPD_EXECD_ARGS \
			>"$d/exec.out" 2>"$d/exec.err" &
		;;
	esac
	EPID=$!
	for i in $(seq 200); do
		[ -S "$h/queue/alerts/execq" ] && break
		kill -0 "$EPID" 2>/dev/null || break
		sleep 0.05
	done
	[ -S "$h/queue/alerts/execq" ] || { tail -5 "$d/exec.err" >&2; die "$who: execq never bound"; }
	say "round $k: $who, $N attackers"
	# The executor's CPU time over the burst (schedstat: ns on a CPU, its threads only;
	# forked children not counted): robust to other load, unlike the wall-clock figures.
	cpu0=$([ "$who" = serial ] || cut -d" " -f1 "/proc/$EPID/schedstat" 2>/dev/null)
	in_ns ${RT:+chrt -f "$RT"} "$BX" --home "$h" --template "$TPL" --pin-dir "$pin" --n "$N" --sample "$SAMPLE" \
		--timeout $((TIME_LIMIT / 2)) >"$out" 2>"$d/bx.err" ||
		{ cat "$d/bx.err" >&2; say "$who round $k: the sender failed (see above)"; }
	cpu1=$(cut -d" " -f1 "/proc/$EPID/schedstat" 2>/dev/null)
	[ -n "$cpu0" ] && [ -n "$cpu1" ] &&
		awk -v a="$cpu0" -v b="$cpu1" -v n="$N" 'BEGIN {printf "cpu_us_per_msg=%.2f\n", (b - a) / n / 1000}' >>"$out"
	stop_exec
	# Per round as well: paired rounds of two builds say more than medians under other load.
	[ -n "$(kv "$out" cpu_us_per_msg)" ] && say "$who round $k: $(kv "$out" cpu_us_per_msg) µs of CPU per message"
	[ -n "$(kv "$out" slow_sends)" ] && say "$who round $k: $(kv "$out" sends_over_1ms) sends over 1 ms (the first 16, #index@start:wait): $(kv "$out" slow_sends)"
	cat "$d/exec.out" >>"$out"
	echo "fwdrop_failed=$(grep -c 'NOT blocked\|refus' "$h/logs/active-responses.log" 2>/dev/null)" >>"$out"
	rm -rf "$pin" "$d"
}

LOAD0=$(cut -d" " -f1-3 /proc/loadavg)
T0=$SECONDS
[ "$FAST_ROUNDS" -ge "$ROUNDS" ] 2>/dev/null || FAST_ROUNDS=$ROUNDS
rounds_of() { if [ "$1" = serial ]; then echo "$ROUNDS"; else echo "$FAST_ROUNDS"; fi; }
for k in $(seq "$FAST_ROUNDS"); do
	for who in $WHO; do [ "$k" -le "$(rounds_of "$who")" ] && round "$who" "$k"; done
done
LOAD1=$(cut -d" " -f1-3 /proc/loadavg)

# stat WHO KEY -> "median min max" over the rounds
stat_of() { for f in "$WORK/$1"-*.out; do kv "$f" "$2"; done | grep -v '^$' | mmm; }
declare -A M
for who in $WHO; do
	for key in send_blocked_ms send_max_us sends_over_1ms blocks_per_s lat_p50_ms lat_p99_ms all_s present cpu_us_per_msg; do
		M[$who.$key]=$(stat_of "$who" "$key")
	done
done
med() { set -- ${M[$1.$2]}; echo "$1"; }
# Over all rounds of WHO: "sends over 1 ms in total, rounds with one, longest wait in µs".
slow_of() {
	for f in "$WORK/$1"-*.out; do echo "$(kv "$f" sends_over_1ms) $(kv "$f" send_max_us)"; done |
		awk 'NF == 2 {t += $1; r += ($1 > 0); if ($2 > m) m = $2} END {printf "%d %d %.0f\n", t, r, m}'
}
# The largest over the rounds: "never" is judged on the worst round, not the median.
worst() { set -- ${M[$1.$2]}; echo "${3:-$1}"; }
cellc() {
	local r
	r=$(rounds_of "$1")
	set -- ${M[$1.$2]}
	[ "$1" = - ] && { echo "—"; return; }
	[ "$r" -eq 1 ] && { commas "$1"; return; }
	echo "$(commas "$1") ($(commas "$2")–$(commas "$3"))"
}
num() { awk -v v="$1" 'BEGIN {if (v == "-") print "—"; else if (v >= 100) printf "%.0f", v; else if (v >= 10) printf "%.1f", v; else printf "%.2f", v}'; }
cell() {
	local r
	r=$(rounds_of "$1")
	set -- ${M[$1.$2]}
	[ "$1" = - ] && { echo "—"; return; }
	[ "$r" -eq 1 ] && { num "$1"; return; }
	echo "$(num "$1") ($(num "$2")–$(num "$3"))"
}

echo "## execq: arxdpd as wazuh-execd vs. an execd-shaped serial executor"
echo
echo "Measured by \`tools/bench-execq.sh$([ "$QUICK" -eq 1 ] && echo " --quick")\` on $(date -u +%Y-%m-%d): kernel $(uname -r), $(nproc) CPUs,"
echo "$N distinct attackers per round, $ROUNDS round(s) of the serial executor and $FAST_ROUNDS of each other, interleaved; median (min–max)."
echo "net.unix.max_dgram_qlen in the benchmark's namespace: $QLEN (the queue depth of execq before a"
echo "blocking sender waits). Load average before: $LOAD0, after: $LOAD1. Run time $((SECONDS - T0)) s.$([ -n "$RT" ] && echo " Executor and sender at SCHED_FIFO $RT (RT=$RT): other load takes no CPU from them.")"
echo
echo "| executor | sender blocked, total ms | longest send, µs | sends > 1 ms | blocks/s | alert-to-drop p50, ms | p99, ms | all $N in map, s | executor CPU per message, µs |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for who in $WHO; do
	case "$who" in
	serial) label="execd-shaped serial executor (one firewall-drop process per message)" ;;
	arxdpd) label="arxdpd as wazuh-execd" ;;
	base) label="arxdpd as wazuh-execd, baseline build (ARXDPD_BASE)" ;;
	floor) label="floor: recvmmsg + map write per datagram, nothing else (execq-floor)" ;;
	esac
	echo "| $label | $(cell "$who" send_blocked_ms) | $(cell "$who" send_max_us) | $(cell "$who" sends_over_1ms) | $(cellc "$who" blocks_per_s) | $(cell "$who" lat_p50_ms) | $(cell "$who" lat_p99_ms) | $(cell "$who" all_s) | $(cell "$who" cpu_us_per_msg) |"
done
if [ "$WHO" = serial ]; then
	echo "| arxdpd as wazuh-execd | TODO: build/arxdpd has no execq input in this build | | | | | | | |"
fi
has() { case " $WHO " in *" $1 "*) return 0 ;; esac; return 1; }
if has serial && has arxdpd; then # one side alone (BENCH_EXECQ_WHO): no ratio
	echo "| ratio (serial ÷ arxdpd; blocks/s arxdpd ÷ serial) | $(ratio "$(med serial send_blocked_ms)" "$(med arxdpd send_blocked_ms)") | $(ratio "$(med serial send_max_us)" "$(med arxdpd send_max_us)") | | $(ratio "$(med arxdpd blocks_per_s)" "$(med serial blocks_per_s)") | $(ratio "$(med serial lat_p50_ms)" "$(med arxdpd lat_p50_ms)") | $(ratio "$(med serial lat_p99_ms)" "$(med arxdpd lat_p99_ms)") | $(ratio "$(med serial all_s)" "$(med arxdpd all_s)") | |"
fi
if has base && has arxdpd; then
	echo "| ratio (base ÷ arxdpd; blocks/s arxdpd ÷ base) | $(ratio "$(med base send_blocked_ms)" "$(med arxdpd send_blocked_ms)") | $(ratio "$(med base send_max_us)" "$(med arxdpd send_max_us)") | | $(ratio "$(med arxdpd blocks_per_s)" "$(med base blocks_per_s)") | $(ratio "$(med base lat_p50_ms)" "$(med arxdpd lat_p50_ms)") | $(ratio "$(med base lat_p99_ms)" "$(med arxdpd lat_p99_ms)") | $(ratio "$(med base all_s)" "$(med arxdpd all_s)") | $(ratio "$(med base cpu_us_per_msg)" "$(med arxdpd cpu_us_per_msg)") |"
fi
echo
echo "| goal | executor | result |"
echo "|---|---|---|"
for who in $WHO; do
	mx=$(worst "$who" send_max_us) bps=$(med "$who" blocks_per_s)
	read -r st sr _ <<<"$(slow_of "$who")"
	echo "| the sender never waits more than 1 ms on a message | $who | $(awk -v v="$mx" 'BEGIN {print (v != "-" && v < 1000) ? "met" : "**not met**"}') (longest $(num "$mx") µs, worst round; $st send(s) over 1 ms in $sr of $(rounds_of "$who") rounds) |"
	echo "| ≥ 50,000 blocks/s | $who | $(awk -v v="$bps" 'BEGIN {print (v != "-" && v >= 50000) ? "met" : "**not met**"}') ($(commas "$bps")/s) |"
done
bad=0 errs=0
for f in "$WORK"/*.out; do
	[ "$(kv "$f" present)" = "$N" ] || bad=$((bad + 1))
	errs=$((errs + $(kv "$f" errors | grep . || echo 0) + $(kv "$f" fwdrop_failed | grep . || echo 0)))
done
echo
echo "Every round checked that all $N blocks reached the pinned map: $([ "$bad" -eq 0 ] && echo "all did" || echo "**$bad round(s) did not**");"
echo "executor errors and refused blocks over all rounds: $errs."
echo "Method: the sender (\`build/tools/bench-execq\`) builds every message before the clock starts"
echo "(the reference's Shellshock alert, analysisd's envelope, \`firewall-drop600\`, strlen + 1 bytes),"
echo "times each blocking \`send()\` with CLOCK_MONOTONIC, and a poller thread looks every"
echo "${SAMPLE}th attacker (and the last) up in the pinned map from the start of its send() until"
echo "it is there. The serial executor (\`build/tools/execd-serial\`) is execd's loop: ar.conf lookup,"
echo "message rewrite, fork + setsid + exec of \`active-response/bin/firewall-drop\` (the drop-in, so"
echo "both sides write the same maps), add, check_keys, continue, wait; no timeouts fire in a run."
