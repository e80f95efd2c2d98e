#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The main job on the bundled example: arxdpd follows an alerts.json, a real-looking sshd
# brute-force alert arrives for an attacker, and the attacker's packets are dropped at XDP
# while a legitimate host keeps passing; then the block expires. Throwaway hosts live in
# network namespaces (198.18.0.0/15); everything is removed on exit, also on Ctrl-C.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUTPUT=${OUTPUT:-build}
case "$OUTPUT" in /*) ;; *) OUTPUT="$ROOT/$OUTPUT" ;; esac
[ "$(id -u)" -eq 0 ] || { echo "demo: needs root (sudo make demo)" >&2; exit 1; }

TAG=$(printf '%04x' $(($$ % 65536)))
NS_ATK=arxdp-demo-atk NS_OK=arxdp-demo-ok
IF_ATK=dmatk$TAG IF_OK=dmok$TAG
export ARXDP_PIN_DIR=/sys/fs/bpf/arxdp-demo
WORK=$(mktemp -d /tmp/arxdp-demo.XXXXXX)
export ARXDP_SOCKET=$WORK/arxdpd.sock
HOME_DIR=$WORK/ossec
DPID=""
B=$(tput bold 2>/dev/null || true) N=$(tput sgr0 2>/dev/null || true)

cleanup() {
	set +e
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	pkill -f "ping -n -D -O -i 0.25 -c 240 198.18" 2>/dev/null
	for i in "$IF_ATK" "$IF_OK"; do
		ip link set dev "$i" xdp off 2>/dev/null
		ip link del "$i" 2>/dev/null
	done
	ip netns del "$NS_ATK" 2>/dev/null
	ip netns del "$NS_OK" 2>/dev/null
	rm -rf "$ARXDP_PIN_DIR" "$WORK"
	echo "demo: cleaned up (namespaces, veths, XDP, pins, files)"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }

host() { # NS IF HOSTADDR NSADDR
	ip netns add "$1"
	ip link add "$2" type veth peer name eth0 netns "$1"
	ip addr add "$3/24" dev "$2"
	ip link set "$2" up
	ip -n "$1" addr add "$4/24" dev eth0
	ip -n "$1" link set eth0 up
}

step "Setting up two throwaway hosts in network namespaces"
host "$NS_ATK" "$IF_ATK" 198.18.1.1 198.18.1.2 || exit 1
host "$NS_OK" "$IF_OK" 198.18.2.1 198.18.2.2 || exit 1
echo "attacker    198.18.1.2 (namespace $NS_ATK) -> this host 198.18.1.1 via $IF_ATK"
echo "legitimate  198.18.2.2 (namespace $NS_OK)  -> this host 198.18.2.1 via $IF_OK"

step "Starting arxdpd on conf/demo/ossec.conf (a Wazuh manager's active-response config)"
mkdir -p "$HOME_DIR/etc" "$HOME_DIR/logs/alerts" "$HOME_DIR/active-response/bin"
cp "$ROOT/conf/demo/ossec.conf" "$HOME_DIR/etc/ossec.conf"
cp "$ROOT/conf/demo/alerts.json" "$HOME_DIR/logs/alerts/alerts.json"
# The demo's metrics go to its own directory, never to this host's node-exporter's.
"$OUTPUT/arxdpd" -f --wazuh-home "$HOME_DIR" --state-dir "$WORK/state" \
	--iface "$IF_ATK" --iface "$IF_OK" --metrics-textfile "$WORK/arxdp.prom" \
	>"$WORK/arxdpd.log" 2>&1 &
DPID=$!
for _ in $(seq 50); do
	"$OUTPUT/arxdp" status --json 2>/dev/null | grep -q '"pid"' && break
	sleep 0.1
done
sed 's/^/  /' "$WORK/arxdpd.log"
"$OUTPUT/arxdp" check-config --ossec-conf "$HOME_DIR/etc/ossec.conf" | sed 's/^/  /'

step "Both hosts send pings (4 per second)"
ip netns exec "$NS_ATK" ping -n -D -O -i 0.25 -c 240 198.18.1.1 >"$WORK/ping-atk" 2>&1 &
ip netns exec "$NS_OK" ping -n -D -O -i 0.25 -c 240 198.18.2.1 >"$WORK/ping-ok" 2>&1 &

replies() { grep -c 'bytes from' "$1" 2>/dev/null || echo 0; }
drops() {
	"$OUTPUT/arxdp" stats --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["dropped_packets"])'
}
show() { # SECONDS
	local i
	for ((i = 0; i < $1; i++)); do
		sleep 1
		printf '  attacker replies %4s | legitimate replies %4s | dropped at XDP %4s\n' \
			"$(replies "$WORK/ping-atk")" "$(replies "$WORK/ping-ok")" "$(drops)"
	done
}
show 3

step "Wazuh writes an sshd brute-force alert (rule 5712, level 10) about 198.18.1.2"
now=$(date -u +%Y-%m-%dT%H:%M:%S.000+0000)
sed -e "s/172\.17\.1\.1/198.18.1.2/g" -e "s/\"timestamp\":\"[^\"]*\"/\"timestamp\":\"$now\"/" \
	"$ROOT/tests/data/alerts/demo-5712.json" >>"$HOME_DIR/logs/alerts/alerts.json"
echo "and one about the white-listed legitimate host 198.18.2.2:"
sed -e "s/172\.17\.1\.1/198.18.2.2/g" -e "s/\"timestamp\":\"[^\"]*\"/\"timestamp\":\"$now\"/" \
	"$ROOT/tests/data/alerts/demo-5712.json" >>"$HOME_DIR/logs/alerts/alerts.json"
sleep 0.3
"$OUTPUT/arxdp" list | sed 's/^/  /'
show 4

step "active-responses.log (what Wazuh's rules 651/652 read), abridged"
cut -c1-160 "$HOME_DIR/logs/active-responses.log" | sed 's/^/  /'

step "The block expires after 20 seconds; the XDP program stops dropping on its own"
show 18
"$OUTPUT/arxdp" list | sed 's/^/  /'

step "arxdp status (the daemon's part: the white-listed host was skipped, not blocked)"
"$OUTPUT/arxdp" status | sed 's/^/  /'

step "arxdpd's log"
sed 's/^/  /' "$WORK/arxdpd.log"
step "active-responses.log, delete lines"
grep -E 'delete|Ended' "$HOME_DIR/logs/active-responses.log" | tail -3 | cut -c1-160 | sed 's/^/  /'
