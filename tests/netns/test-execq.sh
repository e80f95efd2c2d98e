#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# arxdpd's execq input end to end: datagrams sent exactly as wazuh-analysisd sends them (raw
# JSON, analysisd's key order, a trailing NUL) to <home>/queue/alerts/execq, real traffic
# from namespaces. A block drops traffic with the response's timeout as its expiry; a repeat
# is execd's abort with repeated_offenders; IPv6 and IPv4-mapped; execd's messages for invalid,
# oversized and legacy datagrams, which block nothing; scripts with the stdin protocol, a hung
# one killed; restart-wazuh; one alert by execq and alerts.json applied once, across a stop
# too; another process taking the socket's name is reported.
. "$(dirname "$0")/lib.sh"
require_root
ARXDPD="$OUTPUT/arxdpd"
GEN="$ROOT/tests/netns/gen-alert.py"
[ -x "$ARXDPD" ] || { echo "FAIL: $ARXDPD not built"; exit 1; }

A=aea$TID B=aeb$TID XA=ea$TID XB=eb$TID
ns_host "$A" "$XA" 198.18.5.1 198.18.5.2 2001:2:0:5::1 2001:2:0:5::2 || { echo "FAIL: setup"; exit 1; }
ns_host "$B" "$XB" 198.18.6.1 198.18.6.2 2001:2:0:6::1 2001:2:0:6::2 || { echo "FAIL: setup"; exit 1; }

W=$(mktemp -d /tmp/arxdp-etest.XXXXXX)
on_exit rm -rf "$W"
H=$W/ossec
show_on_fail "$W/arxdpd.log" "$H/logs/stateful.in"
mkdir -p "$H/etc/shared" "$H/logs/alerts" "$H/active-response/bin" "$H/queue/alerts"
ALERTS=$H/logs/alerts/alerts.json
ARLOG=$H/logs/active-responses.log
Q=$H/queue/alerts/execq
: >"$ALERTS"

cat >"$H/etc/ossec.conf" <<'XML'
<ossec_config>
  <cluster><node_name>node-test</node_name></cluster>
  <command><name>firewall-drop</name><executable>firewall-drop</executable><timeout_allowed>yes</timeout_allowed></command>
  <active-response><command>firewall-drop</command><location>local</location><rules_id>5712</rules_id><timeout>600</timeout><repeated_offenders>1,2</repeated_offenders></active-response>
</ossec_config>
XML
# What analysisd writes for that configuration, plus the lines the tests use.
cat >"$H/etc/shared/ar.conf" <<'EOT'
restart-wazuh0 - restart-ossec.sh - 0
restart-wazuh0 - restart-wazuh - 0
firewall-drop600 - firewall-drop - 600
firewall-drop4 - firewall-drop - 4
firewall-drop0 - firewall-drop - 0
stateful2 - test-stateful - 2
stateful0 - test-stateful - 0
hung0 - test-hung - 0
missing0 - test-missing - 0
escape0 - ../../bin/sh - 0
EOT
# The fast path never runs it; ar.conf's presence check wants it there, as for execd.
printf '#!/bin/sh\nexit 0\n' >"$H/active-response/bin/firewall-drop"
printf '#!/bin/sh\necho "$1" >>logs/restart.out\n' >"$H/active-response/bin/restart.sh"
cat >"$H/active-response/bin/test-stateful" <<'SH'
#!/bin/sh
read -r line
printf '%s\n' "$line" >>logs/stateful.in
case "$line" in
*'"command":"add"'*)
	echo '{"version":1,"origin":{"name":"test-stateful","module":"active-response"},"command":"check_keys","parameters":{"keys":["k1"]}}'
	read -r reply
	printf '%s\n' "$reply" >>logs/stateful.in
	;;
esac
SH
printf '#!/bin/sh\nexec sleep 1000\n' >"$H/active-response/bin/test-hung"
chmod 0750 "$H/active-response/bin/"*

# send NAME ALERTFILE: one datagram as analysisd builds it (ar_json.c key order, then NUL).
cat >"$W/send.py" <<'PY'
import json, socket, sys
sock, name, src = sys.argv[1:4]
if name == "--raw":
    data = src.encode()
elif name == "--big":
    alert = json.loads(open(sys.argv[4]).readline())
    alert["full_log"] = "x" * int(src)
    data = json.dumps({"version": 1, "origin": {"name": "node-test", "module": "wazuh-analysisd"},
        "command": "firewall-drop600", "parameters": {"extra_args": [], "alert": alert}},
        separators=(",", ":")).encode()
else:
    alert = json.loads(open(src).readline())
    data = json.dumps({"version": 1, "origin": {"name": "node-test", "module": "wazuh-analysisd"},
        "command": name, "parameters": {"extra_args": [], "alert": alert}},
        separators=(",", ":")).encode()
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(data + b"\0", sock)
PY
send() { python3 "$W/send.py" "$Q" "$@"; }
# alert FILE SRCIP N: one alert of rule 5712 with id "<now>.N".
alert() { python3 "$GEN" 5712 10 "$2" --start "$3" >"$1"; }

start_daemon() {
	"$ARXDPD" -f --wazuh-home "$H" --state-dir "$W/state" --iface "$XA" --iface "$XB" \
		--script-time-limit 2s --execq "$@" >>"$W/arxdpd.log" 2>&1 &
	DPID=$!
	daemon_up "$W/arxdpd.log"
}
on_exit stop_daemon
entry() { json_get "$("$ARXDP" list --json)" "[e for e in j if e['addr']=='$1'][0]$2"; }
logged() { grep -qF -- "$1" "$W/arxdpd.log"; }
# Polled conditions: wait_for runs its command again each time, but a "$(...)" argument
# would be expanded once, before the first poll, and never see the change it waits for.
entry_is() { [ "$(entry "$1" "$2" 2>/dev/null)" = "$3" ]; }
lines_are() { [ "$(grep -sc -- "$1" "$2")" -eq "$3" ]; }
stat_at_least() { [ "$(daemon_stat "$1")" -ge "$2" ]; }

check "arxdpd starts with the execq input" start_daemon
check "execq is a socket" test -S "$Q"
check "execq has StartMQ's mode 0660" test "$(stat -c %a "$Q")" = 660
check "attacker passes before any datagram" ping_ok "$A" 198.18.5.1

# A block: one datagram, a map write whose expiry stamp is ar.conf's timeout
alert "$W/a1" 198.18.5.2 1
send firewall-drop600 "$W/a1"
check "block appears within 1 s of the datagram" wait_for 1 blocked 198.18.5.2
check "attacker dropped at XDP" ping_blocked "$A" 198.18.5.1
check "the block's timeout is ar.conf's" test "$(entry 198.18.5.2 "['timeout']")" -eq 600
check "its expiry stamp is 600 s from now" python3 -c "import sys; sys.exit(not 595 <= $(entry 198.18.5.2 "['expires_in']") <= 600)"
check "firewall-drop's add lines" grep -q 'firewall-drop: {"version":1,"origin":{"name":"node-test","module":"wazuh-execd"},"command":"add".*198.18.5.2' "$ARLOG"
check "check_keys names the address" grep -q 'check_keys","parameters":{"keys":\["198.18.5.2"\]' "$ARLOG"
check "continue, then Ended" test "$(grep -c '"command":"continue".*198.18.5.2' "$ARLOG")" -eq 1 -a "$(grep -c 'firewall-drop: Ended' "$ARLOG")" -eq 1

# Repeats: execd's abort extends; repeated_offenders 1,2 minutes replaces the timeout
alert "$W/a2" 198.18.5.2 2
send firewall-drop600 "$W/a2"
check "a repeat counts an offense" wait_for 2 entry_is 198.18.5.2 "['offenses']" 2
check "first repeat: timeout repeated_offenders[0] = 60 s" test "$(entry 198.18.5.2 "['timeout']")" -eq 60
check "the repeat logs abort and Aborted" eval 'grep -q "\"command\":\"abort\".*198.18.5.2" "$ARLOG" && grep -q "firewall-drop: Aborted" "$ARLOG"'
alert "$W/a3" 198.18.5.2 3
send firewall-drop600 "$W/a3"
check "second repeat: 120 s" wait_for 2 entry_is 198.18.5.2 "['timeout']" 120
alert "$W/a4" 198.18.5.2 4
send firewall-drop600 "$W/a4"
check "past the list: the last value again" wait_for 2 entry_is 198.18.5.2 "['offenses']" 4
check "... 120 s" test "$(entry 198.18.5.2 "['timeout']")" -eq 120
# execd's timeout list keeps the first alert's delete message; a repeat restarts the timer only.
id1=$(json_get "$(cat "$W/a1")" "j['id']")
"$ARXDP" unblock 198.18.5.2 >/dev/null
check "the delete line carries the first alert's id ($id1), as execd's stored delete" \
	wait_for 3 grep -q "\"command\":\"delete\".*\"id\":\"$id1\".*198.18.5.2" "$ARLOG"

# IPv6 with a short timeout: dropped, then deleted strictly after the timeout
alert "$W/a6" 2001:2:0:5::2 6
send firewall-drop4 "$W/a6"
check "IPv6 block appears" wait_for 1 blocked 2001:2:0:5::2
check "IPv6 attacker dropped at XDP" eval '! ip netns exec "$A" ping -6 -n -q -c 3 -i 0.2 -W 1 -w 1 2001:2:0:5::1 >/dev/null 2>&1'
check "IPv6 block timeout 4 s" test "$(entry 2001:2:0:5::2 "['timeout']")" -eq 4
check "IPv6 block deleted after its timeout" wait_for 8 eval '! blocked 2001:2:0:5::2'
check "delete lines logged" wait_for 3 grep -q '"command":"delete".*2001:2:0:5::2' "$ARLOG"
check "IPv6 passes again" ip netns exec "$A" ping -6 -n -q -c 2 -i 0.2 -W 1 -w 3 2001:2:0:5::1

# IPv4-mapped: stored as IPv4, as it arrives on the wire; timeout 0 is permanent
alert "$W/a7" ::ffff:198.18.6.2 7
send firewall-drop0 "$W/a7"
check "IPv4-mapped address blocked as IPv4" wait_for 1 blocked 198.18.6.2
check "mapped attacker dropped at XDP" ping_blocked "$B" 198.18.6.1
check "timeout 0: permanent" test "$(entry 198.18.6.2 "['expires_in']")" = None
"$ARXDP" unblock 198.18.6.2 >/dev/null

# Bad datagrams: execd's messages, nothing blocked
errs0=$(daemon_stat "['execq']['errors']")
send --raw 'not json'
check "invalid JSON: execd's (1315)" wait_for 2 logged "(1315): Invalid JSON message: 'not json'"
send --raw 'firewall-drop600 - 198.18.7.8 1655477187.49701 5712 /var/log/auth.log - -'
check "legacy string: execd's (1315)" wait_for 2 logged "(1315): Invalid JSON message: 'firewall-drop600 - 198.18.7.8"
alert "$W/a8" 198.18.7.9 8
send --big 70000 "$W/a8"
check "oversized (> 65536): cut, execd's (1315)" wait_for 2 logged "(1315): Invalid JSON message: '{\"version\":1"
send --raw '{"version":1,"command":5}'
check "command not a string: (1316)" wait_for 2 logged "(1316): Invalid AR command: '{\"version\":1,\"command\":5}'"
send nosuch0 "$W/a8"
check "unknown name: (1311)" wait_for 2 logged "(1311): Invalid command name 'nosuch0' provided."
check "ar.conf re-read once for the unknown name" test "$(daemon_stat "['execq']['ar_conf_reads']")" -eq 2
check "errors counted" wait_for 2 stat_at_least "['execq']['errors']" $((errs0 + 5))
check "none of them blocked anything" eval '! blocked 198.18.7.8 && ! blocked 198.18.7.9'
check "a missing program reported at the first read" logged "Active response command not present: 'active-response/bin/test-missing'"
check "a parent reference refused" logged "Active response command '../../bin/sh' vulnerable to directory traversal attack. Ignoring."
ign0=$(daemon_stat "['execq']['ignored']")
send missing0 "$W/a8"
send escape0 "$W/a8"
check "missing and refused programs ignored as execd ignores them" wait_for 2 stat_at_least "['execq']['ignored']" $((ign0 + 2))

# Scripts: execd's stdin protocol; a hung one killed at its limit
alert "$W/s1" 198.18.7.10 10
send stateful2 "$W/s1"
check "script got add, then continue after its check_keys" wait_for 3 grep -sq '"command":"continue"' "$H/logs/stateful.in"
check "its add is execd's message" grep -q '"origin":{"name":"node-test","module":"wazuh-execd"},"command":"add".*"program":"active-response/bin/test-stateful"' "$H/logs/stateful.in"
check "delete after its 2 s timeout" wait_for 6 grep -q '"command":"delete"' "$H/logs/stateful.in"
send hung0 "$W/s1"
check "a hung script is killed at its time limit" wait_for 6 stat_at_least "['scripts']['killed']" 1
send --raw '{"version":1,"origin":{"name":"node-test","module":"API"},"command":"!test-stateful","parameters":{"extra_args":[],"alert":{}}}'
check "an API '!' command runs its script" wait_for 10 lines_are '"command":"add"' "$H/logs/stateful.in" 2

# restart-wazuh: restart.sh with the role
send --raw '{"version":1,"origin":{"name":"node-test","module":"API"},"command":"restart-wazuh","parameters":{"extra_args":[],"alert":{}}}'
check "restart-wazuh runs restart.sh manager" wait_for 10 grep -sqx manager "$H/logs/restart.out"

# One alert by execq and by alerts.json: applied once, whichever comes first
alert "$W/d1" 198.18.6.2 20
adds() { grep -c '"command":"add".*"id":"[0-9]*\.20".*198.18.6.2' "$ARLOG"; }
send firewall-drop600 "$W/d1"
cat "$W/d1" >>"$ALERTS"
check "dedupe: blocked" wait_for 2 blocked 198.18.6.2
sleep 1.5
check "dedupe: one offense" test "$(entry 198.18.6.2 "['offenses']")" -eq 1
check "dedupe: one add sequence in the log" test "$(adds)" -eq 1
check "dedupe: the second copy counted" test "$(daemon_stat "['execq']['seen_twice']")" -eq 1
alert "$W/d2" 198.18.6.2 21
cat "$W/d2" >>"$ALERTS"
sleep 0.5
send firewall-drop600 "$W/d2"
check "dedupe, alerts.json first: one more offense only" wait_for 2 entry_is 198.18.6.2 "['offenses']" 2
sleep 1
check "... still 2" test "$(entry 198.18.6.2 "['offenses']")" -eq 2
check "... and that copy counted too" test "$(daemon_stat "['execq']['seen_twice']")" -eq 2
# ... across a stop: execq applies it, SIGTERM comes before analysisd's writer has written its
# alerts.json line, the line is read after the start. The saved keys know it: applied once.
alert "$W/d3" 198.18.7.30 22
adds3() { grep -c '"command":"add".*"id":"[0-9]*\.22".*198.18.7.30' "$ARLOG"; }
send firewall-drop600 "$W/d3"
check "dedupe across a stop: blocked by the datagram" wait_for 2 blocked 198.18.7.30
stop_daemon
cat "$W/d3" >>"$ALERTS"
check "dedupe across a stop: started again" start_daemon
check "... the alerts.json copy counted as the second one" \
	wait_for 3 stat_at_least "['execq']['seen_twice']" 1
sleep 0.5
check "... one offense" test "$(entry 198.18.7.30 "['offenses']")" -eq 1
check "... one add sequence in the log" test "$(adds3)" -eq 1
check "... no Aborted for it" eval '! grep -q "\"command\":\"abort\".*198.18.7.30" "$ARLOG"'

# Another process takes the name (as an execd started later does): said loudly
python3 -c 'import os, socket, sys, time
os.unlink(sys.argv[1]); s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1])
time.sleep(4)' "$Q" &
TAKER=$!
on_exit kill "$TAKER"
check "the taken name is reported" wait_for 3 logged "another process bound the name"
check "status says the name is not ours" test "$(daemon_stat "['execq']['name_ours']")" = False
wait "$TAKER" 2>/dev/null
stop_daemon
check "a stale socket is replaced at start" start_daemon
check "execq bound again" test "$(daemon_stat "['execq']['name_ours']")" = True
# A live reader is refused: a second input would split the responses
python3 -c 'import os, socket, sys, time
os.unlink(sys.argv[1]); s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1])
time.sleep(5)' "$Q" &
TAKER=$!
on_exit kill "$TAKER"
sleep 0.5
stop_daemon
check "arxdpd refuses to start beside a live reader" eval '! start_daemon'
check "... and says why" logged "wazuh-execd of '$H' is running"
kill "$TAKER" 2>/dev/null
wait "$TAKER" 2>/dev/null
# A directory others may write to is refused: they could put any name there
chmod 0777 "$H/queue/alerts"
check "an execq directory writable by others is refused" eval '! start_daemon'
check "... and says so" logged "directory not trusted"
chmod 0750 "$H/queue/alerts"
check "a trusted one is accepted again" start_daemon
stop_daemon
# A stop in the middle of a burst: a sender that resends what it was refused (EPIPE or no
# reader) gets every one of 250 responses applied exactly once, whatever the stop caught. The
# stop comes while the pin directory is locked, so datagrams the sender was told were
# delivered sit in the socket's queue: the stop must apply them, not drop them.
alert "$W/burst-tpl.json" 203.0.113.1 900
cat >"$W/burst.py" <<'PY'
import errno, json, socket, sys, time
path, tpl, out = sys.argv[1:4]
alert = json.loads(open(tpl).readline())
end = time.monotonic() + 40
sent = refused = 0
s = None
for i in range(1, 251):
    alert["data"]["srcip"] = "203.0.113.%d" % i
    alert["id"] = "1700000000.%d" % (9000 + i)
    data = json.dumps({"version": 1, "origin": {"name": "node-test", "module": "wazuh-analysisd"},
        "command": "firewall-drop600", "parameters": {"extra_args": [], "alert": alert}},
        separators=(",", ":")).encode() + b"\0"
    while time.monotonic() < end:
        try:
            if s is None:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                s.connect(path)
            s.send(data)
            sent += 1
            time.sleep(0.005)  # a burst that lasts past the stop below
            break
        except OSError as e:
            if e.errno not in (errno.EPIPE, errno.ECONNREFUSED, errno.ENOENT):
                raise
            refused += 1
            s = None
            time.sleep(0.01)
open(out, "w").write("%d %d\n" % (sent, refused))
PY
burst_adds() { grep -c '"command":"add".*"srcip":"203\.0\.113\.' "$ARLOG"; }
check "burst: the daemon is up" start_daemon
timeout 60 python3 "$W/burst.py" "$Q" "$W/burst-tpl.json" "$W/burst.out" &
BURST=$!
on_exit kill "$BURST"
check "burst: the first responses applied" wait_for 10 eval '[ "$(burst_adds)" -ge 40 ]'
flock "$ARXDP_PIN_DIR" sleep 1.5 &
LOCKER=$!
sleep 0.5
BEFORE=$(burst_adds)
stop_daemon
wait "$LOCKER"
check "burst: the stop applied what was queued under the lock" test "$(burst_adds)" -gt "$BEFORE"
check "burst: restarted in the middle" start_daemon
wait "$BURST"
check "burst: the sender delivered all 250" eval '[ "$(cut -d" " -f1 "$W/burst.out")" = 250 ]'
echo "burst: sender refused $(cut -d" " -f2 "$W/burst.out") times across the restart"
check "burst: all 250 addresses are blocked" wait_for 5 eval \
	'[ "$("$ARXDP" list --json | grep -o "\"addr\":\"203\.0\.113\.[0-9]*\"" | sort -u | wc -l)" = 250 ]'
check "burst: each applied once (250 add sequences in the log)" test "$(burst_adds)" -eq 250
check "burst: one offense each" test "$(json_get "$("$ARXDP" list --json)" \
	"sum(1 for e in j if e['addr'].startswith('203.0.113.') and e['offenses'] != 1)")" -eq 0
stop_daemon
# Scripts the stop's drain takes run at the next start, whole and once each: started at the
# stop, they would get no answer to their check_keys (the loop has run for the last time).
for i in 1 2 3 4 5; do alert "$W/q$i" "203.0.113.2$i" $((500 + i)); done
check "stop drain: the daemon is up" start_daemon
# The lock is held until the stop has begun, whatever the machine's speed: every datagram is
# still queued when SIGTERM comes, and the drain (which waits up to ~2 s) takes them.
flock "$ARXDP_PIN_DIR" sh -c 'i=0; while [ ! -e "$1" ] && [ $i -lt 200 ]; do
	sleep 0.05; i=$((i + 1)); done' sh "$W/unlock" &
LOCKER=$!
sleep 0.2
for i in 1 2 3 4 5; do send stateful0 "$W/q$i"; done
kill "$DPID"
sleep 0.3
touch "$W/unlock"
stop_daemon
wait "$LOCKER"
check "stop drain: the scripts are kept for the next start" \
	logged "script runs not started yet kept for the next start"
check "stop drain: restarted" start_daemon
for i in 1 2 3 4 5; do
	check "stop drain: 203.0.113.2$i's script got add and continue, once" wait_for 10 eval \
		"lines_are '\"command\":\"continue\".*\"srcip\":\"203.0.113.2$i\"' '$H/logs/stateful.in' 1 &&
		 lines_are '\"command\":\"add\".*\"srcip\":\"203.0.113.2$i\"' '$H/logs/stateful.in' 1"
done
stop_daemon
# With SANITIZE builds, ASan/UBSan/LSan reports of every daemon run land in this log.
check "no sanitizer report in the daemon log" \
	eval '! grep -hE "ERROR: [A-Za-z]+Sanitizer|runtime error:" "$W/arxdpd.log"'
finish
