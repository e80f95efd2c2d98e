#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# arxdpd end to end: real alerts.json, real traffic, real scripts. An alert appended blocks the
# attacker at XDP within a stated bound; the legitimate and the white-listed hosts pass; blocks
# expire with Wazuh's delete lines; rotation, truncation, bad and half-written lines; SIGKILL
# in the middle of a burst loses and doubles nothing; stateful, stateless and hung scripts;
# a reload with a broken file keeps the running configuration.
. "$(dirname "$0")/lib.sh"
require_root
ARXDPD="$OUTPUT/arxdpd"
GEN="$ROOT/tests/netns/gen-alert.py"
[ -x "$ARXDPD" ] || { echo "FAIL: $ARXDPD not built"; exit 1; }

A=ada$TID L=adl$TID XA=da$TID XL=dl$TID
ns_host "$A" "$XA" 198.18.3.1 198.18.3.2 2001:2:0:3::1 2001:2:0:3::2 || { echo "FAIL: setup"; exit 1; }
ns_host "$L" "$XL" 198.18.4.1 198.18.4.2 2001:2:0:4::1 2001:2:0:4::2 || { echo "FAIL: setup"; exit 1; }

W=$(mktemp -d /tmp/arxdp-dtest.XXXXXX)
on_exit rm -rf "$W"
show_on_fail "$W/arxdpd.log"
H=$W/ossec
mkdir -p "$H/etc" "$H/logs/alerts/2026/Nov" "$H/active-response/bin"
ALERTS=$H/logs/alerts/alerts.json
ARLOG=$H/logs/active-responses.log
: >"$H/logs/alerts/2026/Nov/ossec-alerts-26.json"
ln "$H/logs/alerts/2026/Nov/ossec-alerts-26.json" "$ALERTS"

cat >"$H/etc/ossec.conf" <<'XML'
<ossec_config>
  <global>
    <white_list>127.0.0.1</white_list>
    <white_list>198.18.4.2</white_list>
  </global>
  <cluster><node_name>node-test</node_name></cluster>
  <command><name>firewall-drop</name><executable>firewall-drop</executable><timeout_allowed>yes</timeout_allowed></command>
  <command><name>stateful</name><executable>test-stateful</executable><timeout_allowed>yes</timeout_allowed><extra_args>-a b</extra_args></command>
  <command><name>stateless</name><executable>test-stateless</executable></command>
  <command><name>hung</name><executable>test-hung</executable></command>
  <command><name>missing</name><executable>test-missing</executable></command>
  <active-response><command>firewall-drop</command><location>server</location><rules_id>5712</rules_id><timeout>3</timeout></active-response>
  <active-response><command>firewall-drop</command><location>server</location><rules_id>5710</rules_id><timeout>600</timeout></active-response>
  <active-response><command>stateful</command><location>server</location><rules_id>100001</rules_id><timeout>2</timeout></active-response>
  <active-response><command>stateless</command><location>server</location><rules_id>100002</rules_id></active-response>
  <active-response><command>hung</command><location>server</location><rules_id>100003</rules_id></active-response>
  <active-response><command>missing</command><location>server</location><rules_id>100004</rules_id></active-response>
</ossec_config>
XML
cat >"$H/active-response/bin/test-stateful" <<'SH'
#!/bin/sh
# Wazuh's protocol from the program's side: read add, ask for keys, read the verdict.
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
# Like Wazuh's QA custom-ar.sh: reads its line, prints nothing (no keys), exits.
printf '#!/bin/sh\nread -r line\nprintf "%%s\\n" "$line" >>logs/stateless.in\n' >"$H/active-response/bin/test-stateless"
printf '#!/bin/sh\nexec sleep 1000\n' >"$H/active-response/bin/test-hung"
chmod 0750 "$H/active-response/bin/"test-*

MPORT=$((20000 + 16#$TID % 20000))
start_daemon() {
	"$ARXDPD" -f --wazuh-home "$H" --state-dir "$W/state" --iface "$XA" --iface "$XL" \
		--script-time-limit 2s --metrics-textfile "$W/arxdp.prom" --metrics-port "$MPORT" \
		"$@" >>"$W/arxdpd.log" 2>&1 &
	DPID=$!
	daemon_up "$W/arxdpd.log"
}
on_exit stop_daemon
# Evaluated on every poll (a "$(...)" argument to wait_for would be evaluated once).
stat_at_least() { [ "$(daemon_stat "$1")" -ge "$2" ]; }
prefix_count_is() { [ "$(count_prefix "$1")" -eq "$2" ]; }
# ctl JSON: one raw request on the control socket, as any client could send it.
ctl() { python3 -c 'import socket,sys
s=socket.socket(socket.AF_UNIX); s.settimeout(3); s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode()+b"\n"); print(s.makefile().readline().strip())' "$ARXDP_SOCKET" "$1"; }
count_prefix() { json_get "$("$ARXDP" list --json)" "len([e for e in j if e['addr'].startswith('$1')])"; }

check "arxdpd starts" start_daemon
# After start-up the daemon keeps only the capabilities its loop needs.
capeff=$((16#$(awk '/^CapEff/ {print $2}' /proc/$DPID/status)))
check "CAP_SYS_ADMIN dropped after start-up" test $((capeff >> 21 & 1)) -eq 0
check "CAP_SYS_MODULE dropped after start-up" test $((capeff >> 16 & 1)) -eq 0
check "CAP_NET_ADMIN kept" test $((capeff >> 12 & 1)) -eq 1
check "configuration check (-n)" "$ARXDPD" -n --wazuh-home "$H"
check "attacker passes before any alert" ping_ok "$A" 198.18.3.1

# Alert -> drop, with a bound: the block must be in the map within 1 s of the write.
python3 "$GEN" 5712 10 198.18.3.2 >"$W/a1"
t0=$(date +%s%N)
cat "$W/a1" >>"$ALERTS"
check "block appears within 1 s of the alert" wait_for 1 blocked 198.18.3.2
t1=$(date +%s%N)
echo "   alert written to block seen by the CLI: $(((t1 - t0) / 1000000)) ms"
check "attacker dropped at XDP" ping_blocked "$A" 198.18.3.1
check "legitimate host unaffected" ping_ok "$L" 198.18.4.1
check "add lines in active-responses.log" grep -q '"command":"add".*198.18.3.2' "$ARLOG"
check "check_keys line names the address" grep -q 'check_keys","parameters":{"keys":\["198.18.3.2"\]' "$ARLOG"
check "origin name is the cluster node" grep -q '"origin":{"name":"node-test","module":"wazuh-execd"}' "$ARLOG"

# Metrics: the textfile and the loopback endpoint, both with the daemon's series
check "metrics textfile written" wait_for 3 test -s "$W/arxdp.prom"
check "textfile has the daemon's series" grep -q '^arxdpd_up 1' "$W/arxdp.prom"
body=$(python3 -c 'import urllib.request,sys; print(urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=3).read().decode())' "$MPORT" 2>&1)
check "loopback /metrics counts the attacker's drops" grep -q '^arxdp_dropped_packets_total{ifname="'"$(stat_row "$XA")"'",family="ipv4"} [1-9]' <<<"$body"
# The live-block breakdown comes from the sweep's last pass (at most a tick old), not a walk.
scrape() { python3 -c 'import urllib.request,sys; print(urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=3).read().decode())' "$MPORT" 2>&1; }
alert_blocks_shown() { scrape | grep -q '^arxdp_blocks_total{origin="alert"} [1-9]'; }
check "/metrics shows the alert's block by origin after a sweep pass" wait_for 3 alert_blocks_shown

# White-listed host: an alert about it blocks nothing
python3 "$GEN" 5712 10 198.18.4.2 >>"$ALERTS"
sleep 0.5
check "white-listed host not blocked" eval '! blocked 198.18.4.2'
check "white-listed host still passes" ping_ok "$L" 198.18.4.1
check "the skip is counted" test "$(daemon_stat "['skips'].get('white_list',0)")" -ge 1

# An address this host takes after start (a VIP moving over) is never blocked: netlink
ip addr add 198.18.9.9/32 dev "$XA"
on_exit ip addr del 198.18.9.9/32 dev "$XA"
own_skips() { daemon_stat "['skips'].get('own_address',0)"; }
skips_before=$(own_skips)
python3 "$GEN" 5712 10 198.18.9.9 >>"$ALERTS"
check "an alert about it is skipped as own_address" wait_for 3 eval '[ "$(own_skips)" -gt "$skips_before" ]'
check "the address added after start is not blocked" eval '! blocked 198.18.9.9'
out=$(ctl '{"cmd":"block","addr":"198.18.9.0/24"}')
check "a prefix covering it is refused by the daemon" grep -q '"ok":false.*refused' <<<"$out"
check "and not blocked" eval '! blocked 198.18.9.0/24'
ip addr del 198.18.9.9/32 dev "$XA"

# Expiry: 3 s timeout, then traffic passes and the delete line is logged
check "attacker passes after the 3 s block expired" wait_for 6 ping_ok "$A" 198.18.3.1
check "delete line logged at expiry" wait_for 3 grep -q '"command":"delete".*198.18.3.2' "$ARLOG"

# Rotation by re-linking: the old file is read to its end, then the new one
python3 "$GEN" 5710 10 198.51.100.41 >>"$ALERTS"
: >"$H/logs/alerts/2026/Nov/ossec-alerts-27.json"
python3 "$GEN" 5710 10 198.51.100.42 >>"$H/logs/alerts/2026/Nov/ossec-alerts-26.json"
ln -f "$H/logs/alerts/2026/Nov/ossec-alerts-27.json" "$ALERTS"
python3 "$GEN" 5710 10 198.51.100.43 >>"$ALERTS"
check "alert before rotation applied" wait_for 2 blocked 198.51.100.41
check "last alert of the old file applied" wait_for 2 blocked 198.51.100.42
check "first alert of the new file applied" wait_for 2 blocked 198.51.100.43

# Truncation in place: start over from the beginning
: >"$ALERTS"
python3 "$GEN" 5710 10 198.51.100.44 >>"$ALERTS"
check "alert after truncation applied" wait_for 2 blocked 198.51.100.44

# Malformed, oversized and half-written lines
bad0=$(daemon_stat "['bad_lines']")
echo 'this is not JSON' >>"$ALERTS"
python3 -c 'print("{\"x\":\"" + "a" * 70000 + "\"}")' >>"$ALERTS"
python3 "$GEN" 5710 10 198.51.100.45 >"$W/half"
head -c 200 "$W/half" >>"$ALERTS"
sleep 0.5
check "bad and oversized lines counted" test "$(daemon_stat "['bad_lines']")" -ge $((bad0 + 2))
check "bad lines named with their line number" grep -q "line [0-9]*: .*skipped" "$W/arxdpd.log"
check "half-written line not applied yet" eval '! blocked 198.51.100.45'
tail -c +201 "$W/half" >>"$ALERTS"
check "completed line applied" wait_for 2 blocked 198.51.100.45
check "daemon still running" kill -0 "$DPID"

# Scripts: stateful (check_keys, continue, abort, delete), stateless, hung, missing
python3 "$GEN" 100001 10 198.51.100.50 >>"$ALERTS"
check "stateful script got add and continue" wait_for 3 grep -sq '"command":"continue"' "$H/logs/stateful.in"
check "extra_args passed as Wazuh splits them" grep -q '"extra_args":\["-a","b"\]' "$H/logs/stateful.in"
check "program path as execd gives it" grep -q '"program":"active-response/bin/test-stateful"' "$H/logs/stateful.in"
python3 "$GEN" 100001 10 198.51.100.51 >>"$ALERTS"
check "same key again: abort" wait_for 3 grep -q '"command":"abort"' "$H/logs/stateful.in"
check "delete after the timeout" wait_for 6 grep -q '"command":"delete"' "$H/logs/stateful.in"
check "one delete only (the abort extended, not doubled)" test "$(grep -c '"command":"delete"' "$H/logs/stateful.in")" -eq 1
python3 "$GEN" 100002 10 198.51.100.52 >>"$ALERTS"
check "stateless script ran with the add message" wait_for 3 grep -sq '"command":"add".*198.51.100.52' "$H/logs/stateless.in"
sleep 3
check "stateless script never gets a delete" eval '! grep -q "\"command\":\"delete\"" "$H/logs/stateless.in"'
python3 "$GEN" 100003 10 198.51.100.53 >>"$ALERTS"
python3 "$GEN" 100004 10 198.51.100.54 >>"$ALERTS"
python3 "$GEN" 5710 10 198.51.100.55 >>"$ALERTS"
check "a hung script does not stall blocking" wait_for 2 blocked 198.51.100.55
check "the hung script is killed after its time limit" wait_for 5 stat_at_least "['scripts']['killed']" 1
check "kill logged" grep -q "test-hung.*killed" "$W/arxdpd.log"
check "missing program reported once" test "$(grep -c "cannot run.*test-missing" "$W/arxdpd.log")" -eq 1

# Reload with a broken file: refused, the running configuration stays
cp "$H/etc/ossec.conf" "$W/ossec.good"
echo '<ossec_config><active-response><command>nosuch</command><location>server</location><level>3</level></active-response></ossec_config>' >>"$H/etc/ossec.conf"
check "reload of a broken file fails" eval '! "$ARXDP" reload 2>/dev/null'
kill -HUP "$DPID"
sleep 0.3
check "SIGHUP with a broken file is reported" grep -q "keeping the running configuration" "$W/arxdpd.log"
python3 "$GEN" 5710 10 198.51.100.56 >>"$ALERTS"
check "old configuration still blocks" wait_for 2 blocked 198.51.100.56
cp "$W/ossec.good" "$H/etc/ossec.conf"
check "reload of the fixed file succeeds" "$ARXDP" reload

# CLI blocks go through the daemon: logged and persisted
check "CLI block through arxdpd" "$ARXDP" block 198.51.100.60 --timeout 1h
check "CLI block logged in active-responses.log" grep -q '198.51.100.60' "$ARLOG"
# The line says what the daemon wrote, not what was asked: a permanent block stays permanent.
check "CLI block through arxdpd, permanent" test "$("$ARXDP" block 198.51.100.64)" = \
	"blocked 198.51.100.64 (permanent, through arxdpd)"
check "CLI timed repeat through arxdpd says the block stays permanent" \
	test "$("$ARXDP" block 198.51.100.64 --timeout 1h)" = \
	"extended 198.51.100.64 (permanent, through arxdpd)"

# The drop-in firewall-drop beside arxdpd, on its maps, as execd runs it (add, check_keys read
# back, continue; a delete has no handshake), with no safety expiry: execd's block is unstamped.
# A timed block by hand through arxdpd then waits for execd's delete to start its time.
FWDROP="$OUTPUT/firewall-drop"
FH=$W/fwhome
FLOG=$FH/logs/active-responses.log
mkdir -p "$FH/active-response/bin" "$FH/logs"
install -m 0750 "$FWDROP" "$FH/active-response/bin/firewall-drop"
echo '<arxdp><fwdrop_safety_expiry>0</fwdrop_safety_expiry></arxdp>' >"$W/fwdrop.conf"
# fwdrop add|delete ADDR: one exchange; its exit status (99: killed after 10 s). Log in $FLOG.
fwdrop() {
	: >"$FLOG"
	ARXDP_CONF=$W/fwdrop.conf python3 - "$1" "$2" "$FH" <<'PY'
import json, subprocess, sys
cmd, addr, home = sys.argv[1:4]
alert = {"timestamp": "2026-11-26T10:00:00.000+0000", "id": "1.1",
         "rule": {"id": "5710", "level": 10}, "data": {"srcip": addr}}
def msg(c):
    return json.dumps({"version": 1, "origin": {"name": "node01", "module": "wazuh-execd"},
                       "command": c, "parameters": {"extra_args": [], "alert": alert,
                       "program": "active-response/bin/firewall-drop"}}, separators=(",", ":"))
text = msg(cmd) + "\n" + (msg("continue") + "\n" if cmd == "add" else "")
p = subprocess.Popen(["active-response/bin/firewall-drop"], cwd=home, stdin=subprocess.PIPE,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    p.communicate(text.encode(), timeout=10)
except subprocess.TimeoutExpired:
    p.kill(); sys.exit(99)
sys.exit(p.returncode)
PY
}
# entry ADDR EXPR: EXPR over the list entry `e` of ADDR ("absent" when not blocked).
entry() {
	"$ARXDP" list --json --all | python3 -c '
import json, sys
es = [e for e in json.load(sys.stdin) if e["addr"] == sys.argv[1]]
print(eval(sys.argv[2], {"e": es[0]}) if es else "absent")' "$1" "$2"
}
X=198.51.100.65
check "drop-in beside arxdpd: execd's add" fwdrop add $X
check "drop-in beside arxdpd: unstamped (no safety expiry)" \
	grep -q "Blocked $X in the XDP maps '$ARXDP_PIN_DIR' (new, until execd deletes it)" "$FLOG"
check "timed by hand over execd's, through arxdpd: the line" \
	test "$("$ARXDP" block $X --timeout 10m)" = \
	"extended $X (held by execd until its delete, then 10m00s, through arxdpd)"
check "timed by hand over execd's, through arxdpd: no stamp while execd holds it" \
	test "$(entry $X '(e["expires_in"], e["timeout"])')" = "(None, 600)"
check "timed by hand over execd's, through arxdpd: arxdpd's log line" \
	grep -q "block $X: by the operator, held by execd until its delete, then 10m00s$" "$W/arxdpd.log"
out=$("$ARXDP" --json block $X --timeout 10m)
check "timed by hand over execd's, through arxdpd: --json says it waits for execd's delete" \
	test "$(json_get "$out" '(j["expires_in"], j.get("after_execd_delete"), j["extended"])')" = \
	"(None, 600, True)"
check "timed by hand over execd's, through arxdpd: execd's delete" fwdrop delete $X
check "timed by hand over execd's, through arxdpd: the delete keeps it" \
	grep -q "Kept $X in the XDP maps '$ARXDP_PIN_DIR': blocked by hand" "$FLOG"
check "timed by hand over execd's, through arxdpd: its 10 minutes run from the delete" \
	test "$(entry $X '590 <= e["expires_in"] <= 600')" = True
check "timed by hand over execd's, through arxdpd: arxdp unblock" \
	test "$("$ARXDP" unblock $X)" = "unblocked $X (through arxdpd)"
check "timed by hand over execd's, through arxdpd: gone" test "$(entry $X 1)" = absent

# The loop never waits on a client: idle and slow-loris connections, more of them on the
# metrics port (any local user reaches it) than it has slots, two idle on the control socket.
python3 - "$ARXDP_SOCKET" "$MPORT" >"$W/hang.log" 2>&1 <<'PY' &
import socket, sys, time
socks = []
for i in range(2):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); socks.append(s)
for i in range(12):
    socks.append(socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=2))
end = time.time() + 6
while time.time() < end:  # slow loris: a byte every half second on four of them
    for s in socks[:1] + socks[2:5]:
        try:
            s.send(b"G")
        except OSError:
            pass
    time.sleep(0.5)
dropped = 0
for s in socks[:2]:
    s.settimeout(0.2)
    try:
        dropped += s.recv(1) == b""
    except OSError:
        dropped += 1
print("control clients dropped: %d of 2" % dropped)
PY
HANG=$!
sleep 0.5
python3 "$GEN" 5712 10 198.18.3.7 >>"$ALERTS"
check "a block applies within 1 s while 14 clients hang on" wait_for 1 blocked 198.18.3.7
t0=$(date +%s%N)
check "arxdp status answers meanwhile" "$ARXDP" status
t1=$(date +%s%N)
check "within a second ($(((t1 - t0) / 1000000)) ms)" test $(((t1 - t0) / 1000000)) -lt 1000
wait "$HANG"
check "the hanging control clients were dropped at their deadline" grep -q "dropped: 2 of 2" "$W/hang.log"
"$ARXDP" unblock 198.18.3.7 >/dev/null 2>&1

# Another process holds the pin-directory lock for 3 s: the loop goes on, the alert waits in
# the file and is applied once the lock is free; none is lost.
flock "$ARXDP_PIN_DIR" sleep 3 &
LOCKER=$!
sleep 0.3
python3 "$GEN" 5712 10 198.18.3.8 >>"$ALERTS"
t0=$(date +%s%N)
check "status answers while the lock is held" "$ARXDP" status --json
t1=$(date +%s%N)
check "within a second ($(((t1 - t0) / 1000000)) ms)" test $(((t1 - t0) / 1000000)) -lt 1000
check "the daemon says the lock is held" wait_for 2 grep -q "lock held" "$W/arxdpd.log"
wait "$LOCKER"
check "the alert is applied once the lock is free" wait_for 3 blocked 198.18.3.8
"$ARXDP" unblock 198.18.3.8 >/dev/null 2>&1

# The control socket checks its numbers instead of casting them (timeout -5 was 136 years)
for bad in '"timeout":-5' '"timeout":1e30' '"timeout":1.5' '"timeout":"600"' '"level":17' \
	'"rule_id":-1' '"rule_id":4294967296'; do
	out=$(ctl '{"cmd":"block","addr":"198.51.100.61",'"$bad"'}')
	check "control block with $bad refused" grep -q '"ok":false.*must be a whole number' <<<"$out"
done
check "nothing blocked by the refused requests" eval '! blocked 198.51.100.61'
out=$(ctl '{"cmd":"block","addr":"198.51.100.61","timeout":4294967295,"level":16}')
check "the largest valid timeout is taken" grep -q '"ok":true.*"expires_in":4294967295' <<<"$out"
"$ARXDP" unblock 198.51.100.61 >/dev/null

# One daemon per pin directory: a second one, with its own state directory, is refused
out=$(timeout 5 "$ARXDPD" -f --wazuh-home "$H" --state-dir "$W/state2" 2>&1)
rc=$?
check "a second arxdpd on the same maps exits non-zero" test "$rc" -ne 0
check "and says why" grep -q "another arxdpd already serves these maps" <<<"$out"

# SIGKILL in the middle of a burst: nothing lost, nothing doubled, blocks kept
python3 "$GEN" 5710 10 2001:db8:77:: 3000 >"$W/burst"
cat "$W/burst" >>"$ALERTS"
sleep 0.0$((RANDOM % 9 + 1))
kill -9 "$DPID"
wait "$DPID" 2>/dev/null
DPID=""
before=$(count_prefix 2001:db8:77:)
echo "   killed with $before of 3000 burst blocks applied"
check "restart after SIGKILL" start_daemon
check "every burst alert applied after the restart" wait_for 20 prefix_count_is 2001:db8:77: 3000
# The daemon's own log is capped at 100 block lines a second; active-responses.log has them all.
python3 "$GEN" 5710 10 2001:db8:78:: 1000 >>"$ALERTS"
check "a second burst applied" wait_for 20 prefix_count_is 2001:db8:78: 1000
burst_lines=$(grep -c "block 2001:db8:78:" "$W/arxdpd.log")
check "its block lines capped ($burst_lines of 1000 logged)" test "$burst_lines" -lt 1000
check "the cap says how many it left out" wait_for 3 grep -Eq \
	"[0-9]+ more block and unblock lines in the last second not logged here" "$W/arxdpd.log"
check "active-responses.log has every block of the burst" wait_for 3 eval \
	'[ "$(grep -c "check_keys.*2001:db8:78:" "$ARLOG")" -eq 1000 ]'
out=$("$ARXDP" list --json)
check "no burst alert applied twice (all offenses = 1)" test "$(json_get "$out" "len([e for e in j if e['addr'].startswith('2001:db8:77:') and e['offenses'] != 1])")" -eq 0
check "earlier blocks kept across the kill" blocked 198.51.100.56
check "CLI block persisted across the kill" blocked 198.51.100.60

# A clean stop keeps every block, and the program keeps enforcing them with no daemon
python3 "$GEN" 5710 10 198.18.3.2 >>"$ALERTS"
check "attacker blocked again (10 min)" wait_for 2 blocked 198.18.3.2
stop_daemon
check "blocks stay after SIGTERM" test "$(count_prefix 2001:db8:77:)" -eq 3000
check "attacker still dropped with no daemon running" ping_blocked "$A" 198.18.3.1

# A restart with other knobs loads the program anew: the pinned one's would stay otherwise
status_is() { [ "$(json_get "$("$ARXDP" status --json)" "j['$1']")" = "$2" ]; }
check "per-block counts on before" status_is block_counters True
check "restart with --no-block-counters" start_daemon --no-block-counters
check "the program now runs without per-block counts" status_is block_counters False
check "the reload is said in the log" grep -q "pinned with other settings" "$W/arxdpd.log"
check "blocks kept across the new program" test "$(count_prefix 2001:db8:77:)" -eq 3000
check "attacker still dropped by the new program" ping_blocked "$A" 198.18.3.1
stop_daemon

# An operator's removal while the daemon is stopped is final: nothing comes back from state
check "arxdp flush with the daemon stopped" "$ARXDP" flush
check "restart after the flush" start_daemon
sleep 1
check "no block brought back from the state" test "$(json_get "$("$ARXDP" list --json)" "len(j)")" -eq 0
check "the daemon says it forgot them" grep -q "removed from the maps while arxdpd was stopped" "$W/arxdpd.log"
stop_daemon

# A private bpffs unmounted and mounted again under a running daemon: the daemon pins its maps
# and program again, so the CLI finds the same maps (not new ones no program reads).
BPFMNT="$W/bpffs"
mkdir -p "$BPFMNT"
if mount -t bpf bpf "$BPFMNT" 2>/dev/null; then
	on_exit umount -l "$BPFMNT"
	P2="$BPFMNT/arxdp" S2="$W/p2.sock"
	ARXDP_PIN_DIR=$P2 ARXDP_SOCKET=$S2 "$ARXDPD" -f --wazuh-home "$H" --state-dir "$W/state3" \
		--metrics-textfile "" >>"$W/arxdpd2.log" 2>&1 &
	D2=$!
	on_exit kill "$D2"
	check "a second daemon on a private bpffs starts" wait_for 5 test -e "$P2/block_v4"
	check "it blocks" env ARXDP_PIN_DIR="$P2" ARXDP_SOCKET="$S2" "$ARXDP" block 198.51.100.63
	id_before=$(bpftool -j map show pinned "$P2/block_v4" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	umount -l "$BPFMNT"
	mount -t bpf bpf "$BPFMNT"
	check "the pins come back within 3 s" wait_for 3 test -e "$P2/block_v4" -a -e "$P2/prog"
	id_after=$(bpftool -j map show pinned "$P2/block_v4" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	check "the same map, not a new one ($id_before = $id_after)" test "$id_before" = "$id_after"
	check "the block made before is still listed" eval \
		'ARXDP_PIN_DIR=$P2 "$ARXDP" list --json | grep -q 198.51.100.63'
	check "the daemon says what it did" grep -q "pinned again" "$W/arxdpd2.log"
	kill "$D2"; wait "$D2" 2>/dev/null
else
	echo "SKIP: private bpffs: cannot mount one here"
fi

# Never twice: a live wazuh-execd of the same home holds queue/alerts/execq; arxdpd on
# alerts.json would run every response a second time, so it refuses, naming both fixes.
mkdir -p "$H/queue/alerts"
python3 -c 'import socket,sys,time
s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); time.sleep(30)' \
	"$H/queue/alerts/execq" &
EXECQ=$!
on_exit kill "$EXECQ"
wait_for 3 test -S "$H/queue/alerts/execq"
out=$(timeout 5 "$ARXDPD" -f --wazuh-home "$H" --state-dir "$W/state" 2>&1)
rc=$?
check "beside a live execd arxdpd exits non-zero (rc $rc)" test "$rc" -ne 0 -a "$rc" -ne 124
check "and names both fixes" eval 'grep -q "would run each one twice" <<<"$out" &&
	grep -q "firewall-drop" <<<"$out" && grep -q "disabled" <<<"$out"'
kill "$EXECQ"; wait "$EXECQ" 2>/dev/null
check "a stale execq (execd stopped) does not stop it" start_daemon
check "it is the one answering" test "$(daemon_stat "['pid']")" = "$DPID"
stop_daemon
rm -f "$H/queue/alerts/execq"

# A 4 GB sparse alerts.json: the loop steps over the hole, stays responsive, and the first
# real alert after it is applied.
truncate -s 4G "$ALERTS"
python3 "$GEN" 5712 10 198.18.3.9 >>"$ALERTS"
check "start over a sparse alerts.json" start_daemon --from-start
t0=$(date +%s%N)
check "status answers" "$ARXDP" status --json
t1=$(date +%s%N)
check "within a second ($(((t1 - t0) / 1000000)) ms)" test $(((t1 - t0) / 1000000)) -lt 1000
check "the alert after the hole is applied" wait_for 10 blocked 198.18.3.9
stop_daemon

# A FIFO at alerts.json and at active-responses.log (the Wazuh user owns logs/): refused,
# never opened in a way that blocks; the daemon answers and stops on SIGTERM.
mv "$ALERTS" "$W/alerts.saved"
mkfifo "$ALERTS"
mv "$ARLOG" "$W/arlog.saved"
mkfifo "$ARLOG"
check "start with FIFOs at alerts.json and active-responses.log" start_daemon
check "a block through the daemon still answers" timeout 5 "$ARXDP" block 198.51.100.62 --timeout 1m
check "the FIFO at alerts.json is refused by name" wait_for 3 grep -q "alerts '$ALERTS'.*FIFO" "$W/arxdpd.log"
check "the FIFO at active-responses.log is refused by name" wait_for 3 grep -q "active-responses.log '$ARLOG'.*FIFO" "$W/arxdpd.log"
kill "$DPID"
stopped=no
for _ in $(seq 40); do kill -0 "$DPID" 2>/dev/null || { stopped=yes; break; }; sleep 0.05; done
check "SIGTERM stops it within 2 s" test "$stopped" = yes
wait "$DPID" 2>/dev/null
DPID=""
rm -f "$ALERTS" "$ARLOG"
mv "$W/alerts.saved" "$ALERTS"
mv "$W/arlog.saved" "$ARLOG"
finish
