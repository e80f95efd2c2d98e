#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Benchmark of the drop-in firewall-drop: time per add+delete cycle, driven as wazuh-execd
# drives it (add line on stdin, check_keys read back, continue written, exit awaited; then a
# new process for the delete), for two paths side by side in one run:
#   xdp    - the drop-in writing the pinned maps;
#   stock  - the same protocol, then iptables twice per action (-I/-D INPUT and FORWARD), as
#            Wazuh's firewall-drop does: the drop-in's iptables fallback with the maps absent.
# at 0, 1,000 and 10,000 blocks already present (maps, or DROP rules in both chains).
# Everything runs inside a private network namespace entered with nsenter --net (the bpffs
# stays visible), so no packet of this machine ever walks the rules. Prints a markdown table
# of the median over RUNS runs of the mean cycle time. Bounded by TIME_LIMIT; cleans up.
#
# Usage: tools/bench-fwdrop.sh [--runs N] [--cycles N] [--sizes "0 1000 10000"]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUTPUT=${OUTPUT:-build}
case "$OUTPUT" in /*) ;; *) OUTPUT="$ROOT/$OUTPUT" ;; esac
RUNS=5
CYCLES=10
SIZES="0 1000 10000"
TIME_LIMIT=${TIME_LIMIT:-900}

while [ $# -gt 0 ]; do
	case "$1" in
	--runs) RUNS=$2; shift 2 ;;
	--cycles) CYCLES=$2; shift 2 ;;
	--sizes) SIZES=$2; shift 2 ;;
	*) echo "usage: $0 [--runs N] [--cycles N] [--sizes \"0 1000 10000\"]" >&2; exit 2 ;;
	esac
done
[ "$RUNS" -ge 5 ] || { echo "bench-fwdrop: --runs must be at least 5 (a median)" >&2; exit 2; }

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for t in python3 iptables iptables-restore nsenter; do
	command -v "$t" >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
for f in "$OUTPUT/firewall-drop" "$OUTPUT/arxdp"; do
	[ -x "$f" ] || { echo "bench-fwdrop: '$f' not built: run make" >&2; exit 1; }
done

ID=$$
NS="arxdp-bfd$ID"
PIN="/sys/fs/bpf/arxdp-bfd$ID"
ABSENT="/sys/fs/bpf/arxdp-bfd$ID-absent"
WORK=$(mktemp -d /tmp/arxdp-bench-fwdrop.XXXXXX)
cleanup() {
	set +e
	ip netns del "$NS" 2>/dev/null
	rm -rf "$PIN" "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$WORK/ossec/active-response/bin" "$WORK/ossec/logs"
install -m 0750 "$OUTPUT/firewall-drop" "$WORK/ossec/active-response/bin/firewall-drop"
ip netns add "$NS"
export ARXDP_PIN_DIR="$PIN"
unset ARXDP_CONF
"$OUTPUT/arxdp" block 192.0.2.1 >/dev/null && "$OUTPUT/arxdp" unblock 192.0.2.1 >/dev/null

# preload N: exactly N blocks on both paths, from 240.0.0.0/8 (reserved: never an address of
# this host, never routed; the rules live in the private namespace, the maps are not attached).
preload() {
	local n=$1
	"$OUTPUT/arxdp" flush >/dev/null
	ip netns exec "$NS" iptables -F INPUT
	ip netns exec "$NS" iptables -F FORWARD
	[ "$n" -gt 0 ] || return 0
	python3 -c '
import sys
n = int(sys.argv[1])
for i in range(n):
    print("240.0.%d.%d" % (i // 250, i % 250 + 1))' "$n" >"$WORK/addrs"
	"$OUTPUT/arxdp" block --from "$WORK/addrs" >/dev/null
	got=$("$OUTPUT/arxdp" list --json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')
	[ "$got" -eq "$n" ] || { echo "bench-fwdrop: preloaded $got blocks instead of $n" >&2; exit 1; }
	{
		echo "*filter"
		sed 's/.*/-A INPUT -s & -j DROP/' "$WORK/addrs"
		sed 's/.*/-A FORWARD -s & -j DROP/' "$WORK/addrs"
		echo "COMMIT"
	} | ip netns exec "$NS" iptables-restore --noflush
	got=$(ip netns exec "$NS" iptables -S | grep -c '^-A .* -j DROP$' || true)
	[ "$got" -eq $((2 * n)) ] || { echo "bench-fwdrop: preloaded $got rules instead of $((2 * n))" >&2; exit 1; }
}

cat >"$WORK/drive.py" <<'PY'
import os, select, statistics, subprocess, sys, time
home, runs, cycles, pin_xdp, pin_absent = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
alert = open(sys.argv[6]).read().strip()
prog = 'active-response/bin/firewall-drop'
def msg(cmd):
    return ('{"version":1,"origin":{"name":"bench","module":"wazuh-execd"},"command":"%s",'
            '"parameters":{"extra_args":[],"alert":%s,"program":"%s"}}\n' % (cmd, alert, prog)).encode()
ADD, CONT, DEL = msg('add'), msg('continue'), msg('delete')
def run(env, data, handshake):
    p = subprocess.Popen([prog], cwd=home, env=env, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    p.stdin.write(data); p.stdin.flush()
    if handshake:
        r, _, _ = select.select([p.stdout], [], [], 30)
        line = p.stdout.readline() if r else b''
        if not line.startswith(b'{"version":1'):
            p.kill(); p.wait(); sys.exit('no check_keys line from the program')
        p.stdin.write(CONT); p.stdin.flush()
    p.stdin.close()
    p.stdout.read()
    if p.wait(timeout=30) != 0:
        sys.exit('the program failed: see %s/logs/active-responses.log' % home)
def cycle_ms(env):
    t = time.perf_counter()
    for _ in range(cycles):
        run(env, ADD, True)
        run(env, DEL, False)
    return (time.perf_counter() - t) * 1000 / cycles
out = {}
for name, pin in (('xdp', pin_xdp), ('stock', pin_absent)):
    env = dict(os.environ, ARXDP_PIN_DIR=pin)
    run(env, ADD, True); run(env, DEL, False)          # warm caches once
    out[name] = statistics.median(cycle_ms(env) for _ in range(runs))
print('%.2f %.2f' % (out['xdp'], out['stock']))
PY
# The reference's Shellshock alert, aimed at a fixture address.
python3 -c 'import json, sys; a = json.load(open(sys.argv[1])); a["data"]["srcip"] = "192.0.2.77"; print(json.dumps(a, separators=(",", ":")))' \
	"$ROOT/tests/data/fwdrop/alert-shellshock.json" >"$WORK/alert.json"

bench() {
	echo "| existing blocks | xdp drop-in (ms/cycle) | stock-style iptables (ms/cycle) | speed-up |"
	echo "|---:|---:|---:|---:|"
	for n in $SIZES; do
		preload "$n"
		read -r xdp stock < <(nsenter --net="/run/netns/$NS" python3 "$WORK/drive.py" \
			"$WORK/ossec" "$RUNS" "$CYCLES" "$PIN" "$ABSENT" "$WORK/alert.json")
		[ -n "${stock:-}" ] || { echo "bench-fwdrop: the driver failed at $n blocks" >&2; exit 1; }
		printf '| %s | %s | %s | %sx |\n' "$n" "$xdp" "$stock" \
			"$(python3 -c "print('%.1f' % ($stock / $xdp))")"
	done
	echo
	echo "One cycle = add (with check_keys/continue) + delete, two processes, as execd runs them;"
	echo "median of $RUNS runs of $CYCLES cycles each; $(nproc) CPUs, $(iptables --version)."
}
export -f bench preload
export RUNS CYCLES SIZES NS PIN ABSENT WORK OUTPUT
timeout "$TIME_LIMIT" bash -c bench || {
	echo "bench-fwdrop: failed or exceeded ${TIME_LIMIT}s" >&2
	exit 1
}
