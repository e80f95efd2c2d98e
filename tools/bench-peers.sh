#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The control plane of arxdp's peers, measured beside arxdp's own, for `make bench` (it prints
# a markdown section on stdout, progress on stderr):
#   - fail2ban (Debian package): a private fail2ban-server (own config dir, socket, pid file,
#     sqlite db, log) with one jail on a private log file and the stock nftables action, in a
#     network namespace of its own, so its table is in no packet's path. Time to ban 10,000
#     addresses with `fail2ban-client set JAIL banip` in batches, until the kernel set holds
#     them all; and log line to ban: a failure line appended to the jail's log, until its
#     address is in the set (p50/p99 over a bounded sample).
#   - CrowdSec + crowdsec-firewall-bouncer (Debian packages): a private LAPI (crowdsec -no-cs,
#     own config, sqlite db, port on the namespace's loopback) and a private bouncer in
#     nftables mode; 10,000 decisions through `cscli decisions import`, until the kernel set
#     holds them all (bounded wait; what never arrives is counted).
#   - arxdp: `arxdp block --from` with the same 10,000 addresses, until the map holds them.
# Every service is started here and stopped by the EXIT trap, with its namespace; nothing
# listens outside the namespace. Addresses: 198.19.64.0 onwards (198.18.0.0/15), never sent.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUTPUT=${OUTPUT:-build}
case "$OUTPUT" in /*) ;; *) OUTPUT="$ROOT/$OUTPUT" ;; esac
ARXDP="$OUTPUT/arxdp"
TG="$OUTPUT/tools/trafficgen"
QUICK=${QUICK:-0}
N=${PEERS_N:-10000}
LAT=${PEERS_LAT:-$([ "$QUICK" = 1 ] && echo 40 || echo 200)}
WAIT=${PEERS_WAIT:-300} # s, at most, for a set to fill

[ "$(id -u)" -eq 0 ] || { echo "bench-peers: needs root" >&2; exit 77; }
TAG=$(printf '%04x' $(($$ % 65536)))
NS="arxp-$TAG"
PIN="/sys/fs/bpf/arxdp-peers-$$"
W=$(mktemp -d /tmp/arxdp-peers.XXXXXX)
PIDS=()

log() { printf '[bench-peers] %s\n' "$*" >&2; }
in_ns() { ip netns exec "$NS" "$@"; }
now() { date +%s.%N; }
el() { python3 -c "import sys; print('%.3f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$2"; }

cleanup() {
	set +e
	[ -S "$W/f2b.sock" ] && in_ns fail2ban-client -s "$W/f2b.sock" stop >/dev/null 2>&1
	for p in "${PIDS[@]}"; do
		kill "$p" >/dev/null 2>&1
	done
	sleep 0.5
	for p in "${PIDS[@]}"; do
		kill -9 "$p" >/dev/null 2>&1
	done
	# Whatever still runs in the namespace is this script's (it made the namespace).
	for p in $(ip netns pids "$NS" 2>/dev/null); do
		kill -9 "$p" >/dev/null 2>&1
	done
	ip netns del "$NS" >/dev/null 2>&1
	rm -rf "$PIN" "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NS" || exit 1
ip -n "$NS" link set lo up
# The addresses, one per line.
python3 -c "
import ipaddress, sys
b = int(ipaddress.ip_address('198.19.64.0'))
for i in range($N): print(ipaddress.ip_address(b + i))" >"$W/addrs"

# nft_count FAMILY TABLE SET: elements in a set of the namespace (0 when it does not exist).
nft_count() {
	in_ns nft -j list set "$1" "$2" "$3" 2>/dev/null | python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)
except Exception:
    print(0); sys.exit()
n = 0
for o in d.get("nftables", []):
    if "set" in o:
        n += len(o["set"].get("elem", []))
print(n)'
}

# wait_fill FAMILY TABLE SET N T0: seconds from T0 until the set holds N, or "timeout COUNT".
wait_fill() {
	local c end=$(($(date +%s) + WAIT))
	while :; do
		c=$(nft_count "$1" "$2" "$3")
		if [ "$c" -ge "$4" ]; then
			el "$5" "$(now)"
			return 0
		fi
		[ "$(date +%s)" -lt "$end" ] || { echo "timeout $c"; return 1; }
		sleep 0.2
	done
}

# shown T N HAVE: a wait_fill result for the table.
shown() {
	case "$1" in
	timeout*) echo "not all within ${WAIT} s: $3 of $2" ;;
	*) echo "**$1 s** ($3 of $2)" ;;
	esac
}
rate() { case "$1" in timeout*) echo "—" ;; *) python3 -c "print('%.0f' % ($2 / float('$1')))" ;; esac; }

pct() { # P FILE: the P-th percentile of the numbers in FILE
	sort -g "$2" | awk -v p="$1" '{ v[NR] = $1 } END { if (!NR) { print "—"; exit } i = int(p / 100 * NR + 0.999); if (i < 1) i = 1; print v[i] }'
}

############################################################################################
F2B_VER=$(fail2ban-server -V 2>/dev/null | head -1)
f2b_rows=""
if [ -z "${PEERS_SKIP_F2B:-}" ] && command -v fail2ban-server >/dev/null &&
	command -v fail2ban-client >/dev/null; then
	log "fail2ban: private server"
	mkdir -p "$W/f2b"
	cp -r /etc/fail2ban/action.d /etc/fail2ban/filter.d /etc/fail2ban/fail2ban.conf \
		/etc/fail2ban/paths-*.conf /etc/fail2ban/jail.conf "$W/f2b/"
	cat >"$W/f2b/fail2ban.local" <<EOF
[Definition]
loglevel = NOTICE
logtarget = $W/f2b.log
socket = $W/f2b.sock
pidfile = $W/f2b.pid
dbfile = $W/f2b.sqlite3
EOF
	cat >"$W/f2b/filter.d/arxb.conf" <<'EOF'
[Definition]
failregex = ^arxb auth failure from <HOST>$
EOF
	: >"$W/auth.log"
	cat >"$W/f2b/jail.local" <<EOF
[DEFAULT]
banaction = nftables-allports
[arxb]
enabled = true
filter = arxb
logpath = $W/auth.log
backend = auto
maxretry = 1
findtime = 600
bantime = 86400
EOF
	# Not through in_ns: $! must be the server itself (ip netns exec execs it), not a subshell.
	ip netns exec "$NS" fail2ban-server -f -x -c "$W/f2b" -s "$W/f2b.sock" -p "$W/f2b.pid" \
		>"$W/f2b.out" 2>&1 &
	PIDS+=($!)
	f2c() { in_ns fail2ban-client -c "$W/f2b" -s "$W/f2b.sock" "$@"; }
	for _ in $(seq 100); do f2c ping >/dev/null 2>&1 && break; sleep 0.1; done
	if f2c status arxb >/dev/null 2>&1; then
		# The nftables action makes its table on the first ban: one warm-up ban, then none.
		f2c set arxb banip 198.19.255.250 >/dev/null
		wait_fill inet f2b-table addr-set-arxb 1 "$(now)" >/dev/null
		log "fail2ban: banip $N addresses in batches of 500"
		t0=$(now)
		split -l 500 "$W/addrs" "$W/f2b-batch."
		for b in "$W"/f2b-batch.*; do
			# shellcheck disable=SC2046
			f2c set arxb banip $(cat "$b") >/dev/null || log "fail2ban: banip batch failed"
		done
		t_cli=$(el "$t0" "$(now)")
		t_set=$(wait_fill inet f2b-table addr-set-arxb $((N + 1)) "$t0")
		have=$(($(nft_count inet f2b-table addr-set-arxb) - 1))
		log "fail2ban: $N bans: client returned after $t_cli s, set full after $t_set"
		log "fail2ban: log line to ban, $LAT samples"
		: >"$W/f2b.lat"
		for i in $(seq "$LAT"); do
			ip=198.19.$((120 + i / 250)).$((i % 250 + 1))
			t0=$(now)
			echo "arxb auth failure from $ip" >>"$W/auth.log"
			end=$(($(date +%s) + 10))
			while ! in_ns nft get element inet f2b-table addr-set-arxb "{ $ip }" >/dev/null 2>&1; do
				[ "$(date +%s)" -lt "$end" ] || { echo timeout >>"$W/f2b.lat.to"; continue 2; }
				sleep 0.002
			done
			el "$t0" "$(now)" >>"$W/f2b.lat"
		done
		got=$(wc -l <"$W/f2b.lat")
		to=$([ -f "$W/f2b.lat.to" ] && wc -l <"$W/f2b.lat.to" || echo 0)
		f2b_rows="| fail2ban $F2B_VER, stock nftables action (nftables-allports) | $(shown "$t_set" "$N" "$have"); client returned after ${t_cli} s | $(rate "$t_set" "$N") | $(awk '{ print $1 * 1000 }' "$W/f2b.lat" | pct 50 /dev/stdin) ms | $(awk '{ print $1 * 1000 }' "$W/f2b.lat" | pct 99 /dev/stdin) ms | $got (+$to timeouts) |"
		F2B_NOTE="fail2ban's jail watches its log with \`backend = auto\`, which is polling here (pyinotify is not installed), and its nftables action runs one \`nft add element\` process per address."
	else
		log "fail2ban: server did not start: $(tail -3 "$W/f2b.out" "$W/f2b.log" 2>/dev/null)"
		f2b_rows="| fail2ban ($F2B_VER) | did not start: $(tail -1 "$W/f2b.log" 2>/dev/null) | | | | |"
	fi
	f2c stop >/dev/null 2>&1
fi

############################################################################################
CS_VER=$(cscli version 2>&1 | sed -n 's/.*version: //p' | head -1)
cs_rows=""
CS_NOTE=""
if command -v crowdsec >/dev/null && command -v crowdsec-firewall-bouncer >/dev/null; then
	log "crowdsec: private LAPI and bouncer"
	C="$W/cs"
	mkdir -p "$C/data" "$C/hub"
	cp /etc/crowdsec/profiles.yaml /etc/crowdsec/simulation.yaml "$C/"
	cat >"$C/config.yaml" <<EOF
common:
  daemonize: false
  log_media: file
  log_level: warning
  log_dir: $C/
  working_dir: .
config_paths:
  config_dir: $C/
  data_dir: $C/data/
  simulation_path: $C/simulation.yaml
  hub_dir: $C/hub/
  index_path: $C/hub/.index.json
  notification_dir: $C/notifications/
  plugin_dir: /usr/lib/crowdsec/plugins/
crowdsec_service:
  acquisition_path: $C/acquis.yaml
cscli:
  output: human
db_config:
  log_level: warning
  type: sqlite
  use_wal: true
  db_path: $C/data/crowdsec.db
  flush:
    max_items: 100000
    max_age: 7d
api:
  client:
    insecure_skip_verify: false
    credentials_path: $C/local_api_credentials.yaml
  server:
    log_level: warning
    listen_uri: 127.0.0.1:18080
    profiles_path: $C/profiles.yaml
    trusted_ips:
      - 127.0.0.1
prometheus:
  enabled: false
  level: full
  listen_addr: 127.0.0.1
  listen_port: 16060
EOF
	echo '{}' >"$C/hub/.index.json"
	csc() { in_ns cscli -c "$C/config.yaml" "$@"; }
	csc machines add bench --password "arxdp-bench-$$" -f "$C/local_api_credentials.yaml" --force \
		>"$W/cs-machine.out" 2>&1 || log "crowdsec: machines add failed: $(tail -1 "$W/cs-machine.out")"
	key=$(csc bouncers add "arxb-$$" -o raw 2>"$W/cs-bouncer.err")
	ip netns exec "$NS" crowdsec -c "$C/config.yaml" -no-cs >"$W/cs.out" 2>&1 &
	PIDS+=($!)
	up=0
	for _ in $(seq 300); do
		in_ns bash -c 'exec 3<>/dev/tcp/127.0.0.1/18080' 2>/dev/null && { up=1; break; }
		sleep 0.1
	done
	if [ "$up" = 1 ] && [ -n "$key" ]; then
		cat >"$C/bouncer.yaml" <<EOF
mode: nftables
pid_dir: $C/
update_frequency: 100ms
daemonize: false
log_mode: file
log_dir: $C/
log_level: warning
api_url: http://127.0.0.1:18080/
api_key: $key
disable_ipv6: true
deny_action: DROP
deny_log: false
supported_decisions_types:
  - ban
blacklists_ipv4: crowdsec-blacklists
nftables:
  ipv4:
    enabled: true
    set-only: false
    table: crowdsec
    chain: crowdsec-chain
  ipv6:
    enabled: false
prometheus:
  enabled: false
EOF
		ip netns exec "$NS" crowdsec-firewall-bouncer -c "$C/bouncer.yaml" >"$W/csb.out" 2>&1 &
		PIDS+=($!)
		sleep 2
		{
			echo "duration,scope,value,reason,type"
			sed 's/^/24h,ip,/; s/$/,arxdp-bench,ban/' "$W/addrs"
		} >"$W/decisions.csv"
		log "crowdsec: import $N decisions"
		t0=$(now)
		csc decisions import -i "$W/decisions.csv" >"$W/cs-import.out" 2>&1 ||
			log "crowdsec: import failed: $(tail -1 "$W/cs-import.out")"
		t_cli=$(el "$t0" "$(now)")
		t_set=$(wait_fill ip crowdsec crowdsec-blacklists "$N" "$t0")
		have=$(nft_count ip crowdsec crowdsec-blacklists)
		log "crowdsec: import returned after $t_cli s, set: $t_set ($have of $N)"
		cs_rows="| CrowdSec $CS_VER LAPI + crowdsec-firewall-bouncer $(dpkg-query -W -f '${Version}' crowdsec-firewall-bouncer 2>/dev/null), nftables | $(shown "$t_set" "$N" "$have"), $((N - have)) missing; import returned after ${t_cli} s$(grep -q 'level=fatal' "$W/cs-import.out" && echo ", with \`$(grep -o 'msg=.*' "$W/cs-import.out" | head -1 | cut -c1-110)\`") | $(rate "$t_set" "$N") | — | — | — |"
		CS_NOTE="CrowdSec runs offline only without its online API: the package's postinst registers to api.crowdsec.net and fails without network unless online_api_credentials.yaml is non-empty beforehand (scripts/deps.sh writes a comment line there); the LAPI here runs with \`-no-cs\` (no log-parsing agent: its parsers and scenarios come from the online hub), so there is no log-line-to-ban figure; decisions enter through \`cscli decisions import\`, and the bouncer polls the LAPI every 100 ms (its default is 10 s)."
	else
		log "crowdsec: LAPI did not come up: $(tail -3 "$W/cs.out" "$C/crowdsec_api.log" 2>/dev/null | tr '\n' ' ')"
		cs_rows="| CrowdSec $CS_VER | stopped before any decision: LAPI did not start ($(tail -1 "$W/cs.out" 2>/dev/null | cut -c1-120)) ; bouncer key: $([ -n "$key" ] && echo ok || tail -1 "$W/cs-bouncer.err" | cut -c1-80) | | | | |"
	fi
fi

############################################################################################
log "arxdp: block --from, $N addresses"
ip link add "xpa$TAG" netns "$NS" type veth peer name "xpb$TAG" netns "$NS" || exit 1
ip -n "$NS" link set "xpa$TAG" up
ip -n "$NS" link set "xpb$TAG" up
"$TG" attach --ns "$NS" --dev "xpa$TAG" --prog arxdp --pin-dir "$PIN" || exit 1
sed 's/$/ 86400/' "$W/addrs" >"$W/arxdp.from"
t0=$(now)
ARXDP_PIN_DIR="$PIN" "$ARXDP" block --from "$W/arxdp.from" >"$W/arxdp.out" 2>&1 ||
	log "arxdp: block --from failed: $(tail -1 "$W/arxdp.out")"
t_ax=$(el "$t0" "$(now)")
have=$(ARXDP_PIN_DIR="$PIN" "$ARXDP" list --json 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d if isinstance(d, list) else d.get("blocks", [])))' 2>/dev/null || echo "?")
ax_row="| arxdp \`block --from\` (one process, batched map writes) | **${t_ax} s** ($have of $N in the map) | $(rate "$t_ax" "$N") | arxdpd: see below | | |"

echo "Measured by \`tools/bench-peers.sh\` in this run: each product in a network namespace of its own, started for the"
echo "measurement and stopped right after. Time to ban is from the first command until the kernel set (or map) holds every"
echo "address (polled every 0.2 s, at most ${WAIT} s); log line to ban is from appending one failure line to the watched"
echo "log until \`nft get element\` finds its address (polled every 2 ms)."
echo
echo "| Product | ban $N addresses: until all are in the kernel | bans/s | log line to ban p50 | p99 | samples |"
echo "|---|---|---:|---:|---:|---|"
[ -n "$f2b_rows" ] && echo "$f2b_rows"
[ -n "$cs_rows" ] && echo "$cs_rows"
echo "$ax_row"
echo
[ -n "${F2B_NOTE:-}" ] && echo "$F2B_NOTE"
[ -n "$CS_NOTE" ] && { echo; echo "$CS_NOTE"; }
echo
exit 0
