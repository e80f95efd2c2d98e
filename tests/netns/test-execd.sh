#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# arxdpd as a drop-in wazuh-execd, in a fake Wazuh home: started by the name wazuh-execd or
# with --execd; -V, -h, -t (exit 0, and 1 naming the file and line), -g; the home found from
# the program's path, its name, or --wazuh-home; without -f it forks away and writes
# var/run/wazuh-execd-<pid>.pid with that pid; the com socket answers getconfig
# active-response, getconfig internal, lock_restart, restart and the configuration check with
# execd's framing;
# alerts.json is not followed; SIGTERM stops it within 2 s with clients connected, removes
# the pid file and the socket, leaves other pids' files alone, and keeps every block.
. "$(dirname "$0")/lib.sh"
require_root
ARXDPD="$OUTPUT/arxdpd"
GEN="$ROOT/tests/netns/gen-alert.py"
[ -x "$ARXDPD" ] || { echo "FAIL: $ARXDPD not built"; exit 1; }
command -v python3 >/dev/null || skip "python3 is needed to speak the com socket's framing"

A=aea$TID XA=ea$TID
ns_host "$A" "$XA" 198.18.6.1 198.18.6.2 2001:2:0:6::1 2001:2:0:6::2 || { echo "FAIL: setup"; exit 1; }

W=$(mktemp -d /tmp/arxdp-etest.XXXXXX)
chmod 0755 "$W"
on_exit rm -rf "$W"
H=$W/ossec
mkdir -p "$H/bin" "$H/etc/shared" "$H/var/run" "$H/queue/sockets" "$H/queue/alerts" \
	"$H/logs/alerts" "$H/active-response/bin"
chmod 0770 "$H/var/run" "$H/queue/sockets" # as Wazuh makes them (root:wazuh)
ln -s "$ARXDPD" "$H/bin/wazuh-execd"
EXECD=$H/bin/wazuh-execd
: >"$H/logs/alerts/alerts.json"
cat >"$H/etc/ossec.conf" <<'XML'
<ossec_config>
  <command><name>firewall-drop</name><executable>firewall-drop</executable><timeout_allowed>yes</timeout_allowed></command>
  <active-response><repeated_offenders>1, 5,30</repeated_offenders></active-response>
  <active-response><command>firewall-drop</command><location>local</location><rules_id>5712</rules_id><timeout>600</timeout></active-response>
</ossec_config>
XML
printf 'firewall-drop600 - firewall-drop - 600\n' >"$H/etc/shared/ar.conf"
printf 'execd.request_timeout=60\nexecd.max_restart_lock=600\n' >"$H/etc/internal_options.conf"
printf 'execd.max_restart_lock=120\n' >"$H/etc/local_internal_options.conf"
cat >"$H/etc/bad.conf" <<'XML'
<ossec_config>
  <active-response>
    <disabled>maybe</disabled>
  </active-response>
</ossec_config>
XML
# The rest comes from arxdp.conf, as the issue says: pins (ARXDP_PIN_DIR), state, socket,
# interfaces.
cat >"$W/arxdp.conf" <<XML
<arxdp>
  <state_dir>$W/state</state_dir>
  <interface>$XA</interface>
  <metrics_textfile></metrics_textfile>
</arxdp>
XML
export ARXDP_CONF=$W/arxdp.conf

# ---- the command line ----
out=$("$EXECD" -V 2>&1); rc=$?
check "-V exits 0 (rc $rc)" test "$rc" -eq 0
check "-V says it stands in for wazuh-execd" grep -q "standing in for wazuh-execd" <<<"$out"
out=$("$EXECD" -h 2>&1); rc=$?
check "-h exits 1 as execd's help does (rc $rc)" test "$rc" -eq 1
check "-h shows execd's usage line" grep -qF -- "wazuh-execd: -[Vhdtf] [-g group] [-c config]" <<<"$out"
# print_out() writes to stderr: nothing of -V or -h on stdout.
check "-V and -h print on stderr only, as execd's print_out" \
	test -z "$("$EXECD" -V 2>/dev/null; "$EXECD" -h 2>/dev/null)"
out=$("$EXECD" -x 2>&1); rc=$?
check "an unknown option exits 1 (rc $rc)" test "$rc" -eq 1
out=$("$EXECD" -t -g root 2>&1); rc=$?
check "-t on a good configuration exits 0 (rc $rc)" test "$rc" -eq 0
check "-t found the home from argv[0] (a symlink to arxdpd)" grep -qF "$H/etc/ossec.conf" <<<"$out"
out=$("$EXECD" -t -g root -c etc/bad.conf 2>&1); rc=$?
check "-t on a broken configuration exits 1 (rc $rc)" test "$rc" -eq 1
check "-t names the file and the line" grep -qF "'$H/etc/bad.conf' line 3" <<<"$out"
out=$("$EXECD" -t -g no-such-group-$TID 2>&1); rc=$?
check "-g with an unknown group exits 1 (rc $rc)" test "$rc" -eq 1
check "-g names the group" grep -q "group 'no-such-group-$TID'" <<<"$out"
out=$("$ARXDPD" --execd -t -g root 2>&1); rc=$?
check "--execd outside a Wazuh home exits 1 (rc $rc)" test "$rc" -eq 1
check "--execd says where the home was looked for" grep -q "not in a bin directory" <<<"$out"
out=$("$ARXDPD" --execd -t -g root --wazuh-home "$H" 2>&1); rc=$?
check "--execd --wazuh-home DIR -t exits 0 (rc $rc)" test "$rc" -eq 0
# A hard copy started by its bare name: only realpath(/proc/self/exe) can find the home.
H2=$W/other
mkdir -p "$H2/bin" "$H2/etc"
cp "$ARXDPD" "$H2/bin/wazuh-execd"
cp "$H/etc/ossec.conf" "$H2/etc/ossec.conf"
out=$(PATH="$H2/bin:$PATH" wazuh-execd -t -g root 2>&1); rc=$?
check "a copy run by its bare name finds its home from /proc/self/exe (rc $rc)" \
	grep -qF "$H2/etc/ossec.conf" <<<"$out"

# ---- the daemon ----
# A stale pid file of another (dead) execd: never ours to remove.
echo 999999 >"$H/var/run/wazuh-execd-999999.pid"
t0=$(date +%s%N)
"$EXECD" -g root >"$W/start.out" 2>&1; rc=$?
t1=$(date +%s%N)
check "without -f it returns at once, rc 0 (rc $rc, $(((t1 - t0) / 1000000)) ms)" \
	test "$rc" -eq 0 -a $(((t1 - t0) / 1000000)) -lt 5000
PIDF=""
for _ in $(seq 100); do
	PIDF=$(ls "$H"/var/run/wazuh-execd-*.pid 2>/dev/null | grep -v 999999 | head -1)
	[ -n "$PIDF" ] && "$ARXDP" status --json 2>/dev/null | grep -q '"pid"' && break
	sleep 0.1
done
DPID=${PIDF##*/wazuh-execd-}
DPID=${DPID%.pid}
on_exit "kill -9 $DPID"
check "the pid file is there ($PIDF)" test -n "$PIDF"
check "the pid file holds the pid of its name" test "$(cat "$PIDF" 2>/dev/null)" = "$DPID"
check "the pid file is 0640" test "$(stat -c %a "$PIDF" 2>/dev/null)" = 640
check "that pid is the running daemon" grep -q "\"pid\":$DPID," <<<"$("$ARXDP" status --json)"
check "its name is wazuh-execd, as wazuh-control's status looks for it" \
	grep -q "wazuh-execd" "/proc/$DPID/cmdline"
check "the com socket is 0660" test "$(stat -c %a "$H/queue/sockets/com" 2>/dev/null)" = 660

# com REQUEST...: each request on its own connection, framed as OS_SendSecureTCP frames it;
# prints one answer per line.
com() {
	python3 - "$H/queue/sockets/com" "$@" <<'PY'
import socket, struct, sys
for req in sys.argv[2:]:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(3)
    s.connect(sys.argv[1])
    s.sendall(struct.pack("<I", len(req)) + req.encode())
    head = b""
    while len(head) < 4:
        b = s.recv(4 - len(head))
        if not b:
            break
        head += b
    n = struct.unpack("<I", head)[0] if len(head) == 4 else 0
    body = b""
    while len(body) < n:
        b = s.recv(n - len(body))
        if not b:
            break
        body += b
    print(body.decode())
    s.close()
PY
}
out=$(com "getconfig active-response")
check "getconfig active-response answers as execd ($out)" test "$out" = \
	'ok {"active-response":{"disabled":"no","repeated_offenders":[1,5,30]}}'
# wcom.c's globals: request_timeout never set, max_restart_lock read by lock_restart only.
out=$(com "getconfig internal")
check "getconfig internal answers as execd before any lock_restart ($out)" test "$out" = \
	'ok {"internal":{"execd":{"request_timeout":0,"max_restart_lock":0}}}'
out=$(com "lock_restart -1" "getconfig internal")
check "lock_restart -1 is ok and reads the maximum, local options first ($out)" test "$out" = \
	"$(printf '%s\n%s' 'ok ' 'ok {"internal":{"execd":{"request_timeout":0,"max_restart_lock":120}}}')"
# restart.sh manager, as wcom_restart runs it: not while locked; an invalid lock lifts it.
printf '#!/bin/sh\necho "$@" >>"%s"\n' "$W/restarted" >"$H/active-response/bin/restart.sh"
chmod 0755 "$H/active-response/bin/restart.sh"
out=$(com "restart")
sleep 0.3
check "restart while locked answers ok ($out) and runs nothing" \
	test "$out" = "ok " -a ! -e "$W/restarted"
out=$(com "lock_restart -2" "restart")
check "lock_restart -2 is refused and lifts the lock; restart then answers ok ($out)" \
	test "$out" = "$(printf 'err Invalid timeout\nok ')"
for _ in $(seq 50); do [ -s "$W/restarted" ] && break; sleep 0.1; done
check "restart ran restart.sh manager ($(cat "$W/restarted" 2>/dev/null))" \
	test "$(cat "$W/restarted" 2>/dev/null)" = manager
rm -f "$H/active-response/bin/restart.sh"
out=$(com "check-manager-configuration")
check "the configuration check answers ok ($out)" test "$out" = '{"error":0,"message":"ok"}'
out=$(com "getconfig nothing" "frobnicate")
check "unknown sections and commands get execd's errors" test "$out" = \
	"$(printf 'err Could not get requested section\nerr Unrecognized command')"

# SIGHUP re-reads the ossec.conf of the command line (not arxdp.conf's): the answer follows.
sed -i 's|1, 5,30|2,4|' "$H/etc/ossec.conf"
kill -HUP "$DPID"
want='ok {"active-response":{"disabled":"no","repeated_offenders":[2,4]}}'
for _ in $(seq 40); do
	out=$(com "getconfig active-response")
	[ "$out" = "$want" ] && break
	sleep 0.05
done
check "after SIGHUP the answer follows the file ($out)" test "$out" = "$want"

# alerts.json is not this mode's input: an alert that would block does nothing.
python3 "$GEN" 5712 10 198.18.6.2 >>"$H/logs/alerts/alerts.json"
sleep 1.5
check "alerts.json is not followed" test "$(block_packets 198.18.6.2)" = 0
check "no block from it" bash -c "! '$ARXDP' list | grep -q 198.18.6.2"
"$ARXDP" block 198.18.6.2 --timeout 10m >/dev/null
check "a block through the daemon drops the host" ping_blocked "$A" 198.18.6.1

# SIGTERM with clients in flight: a com client that sends half a frame, a control client
# that sends nothing. wazuh-control waits 30 s before kill -9; this must be far below.
python3 -c '
import socket, struct, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(sys.argv[1])
s.sendall(struct.pack("<I", 100) + b"getconfig"); open(sys.argv[2], "w").close(); time.sleep(10)' \
	"$H/queue/sockets/com" "$W/com.ready" &
C1=$!
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(sys.argv[1])
open(sys.argv[2], "w").close(); time.sleep(10)' "$ARXDP_SOCKET" "$W/ctl.ready" &
C2=$!
on_exit "kill $C1 $C2"
for _ in $(seq 100); do
	[ -e "$W/com.ready" ] && [ -e "$W/ctl.ready" ] && break
	sleep 0.1
done
check "a com and a control client are connected" test -e "$W/com.ready" -a -e "$W/ctl.ready"
t0=$(date +%s%N)
kill -TERM "$DPID"
# Gone, or a zombie: the daemon's parent is init, which reaps it when it gets to it.
alive() {
	local st
	st=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}
for _ in $(seq 200); do
	alive "$DPID" || break
	sleep 0.01
done
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
gone=1
alive "$DPID" && gone=0
check "SIGTERM stops it within 1 s with clients connected ($ms ms)" \
	test "$gone" -eq 1 -a "$ms" -lt 1000
kill $C1 $C2 2>/dev/null
check "the pid file is removed on exit" test ! -e "$PIDF"
check "the com socket is removed on exit" test ! -e "$H/queue/sockets/com"
check "another pid's stale file is left alone" test -e "$H/var/run/wazuh-execd-999999.pid"
check "the block survives the stop (in the maps)" bash -c "'$ARXDP' list | grep -q 198.18.6.2"
check "and still drops the host" ping_blocked "$A" 198.18.6.1

# Never beside a live execd of the same home: its com socket answers, and is not taken.
python3 -c '
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(sys.argv[1]); s.listen(4)
open(sys.argv[2], "w").close(); time.sleep(20)' "$H/queue/sockets/com" "$W/live.ready" &
LPID=$!
on_exit "kill $LPID"
for _ in $(seq 100); do [ -e "$W/live.ready" ] && break; sleep 0.1; done
out=$(timeout 20 "$EXECD" -f -g root 2>&1); rc=$?
check "beside a live execd it exits 1 (rc $rc)" test "$rc" -eq 1
check "and says another wazuh-execd answers" grep -q "another wazuh-execd answers" <<<"$out"
check "the live one's socket stays" test -S "$H/queue/sockets/com"
kill "$LPID" 2>/dev/null
wait "$LPID" 2>/dev/null
# Its name stays behind, as a killed execd leaves it: the next start takes it over.

# -f stays in the foreground, as wazuh-execd -f does.
"$EXECD" -f -g root >"$W/fg.out" 2>&1 &
FPID=$!
on_exit "kill -9 $FPID"
for _ in $(seq 100); do
	[ -e "$H/var/run/wazuh-execd-$FPID.pid" ] && break
	sleep 0.1
done
check "-f keeps the pid it was started with" test -e "$H/var/run/wazuh-execd-$FPID.pid"
check "a stale com name was taken over" test "$(com "getconfig internal" | cut -c1-3)" = "ok "
check "-f logs execd's start line" grep -qF "Started (pid: $FPID)." "$W/fg.out"
kill -TERM "$FPID"
wait "$FPID"; rc=$?
check "-f exits 0 on SIGTERM (rc $rc)" test "$rc" -eq 0

# Active response off in ossec.conf: execd logs 1350, keeps its pid file and com socket, and
# binds no execq (src/os_execd/main.c), so neither does arxdpd in its place.
cp "$H/etc/ossec.conf" "$W/ossec.on"
sed -i 's|<active-response><repeated_offenders>|<active-response><disabled>yes</disabled><repeated_offenders>|' \
	"$H/etc/ossec.conf"
rm -f "$H/queue/alerts/execq"
"$EXECD" -f -g root >"$W/off.out" 2>&1 &
FPID=$!
on_exit "kill -9 $FPID"
for _ in $(seq 100); do
	[ -e "$H/var/run/wazuh-execd-$FPID.pid" ] && grep -q "1350" "$W/off.out" && break
	sleep 0.1
done
check "execd off: the pid file is written" test -e "$H/var/run/wazuh-execd-$FPID.pid"
check "execd off: (1350) logged" grep -qF "(1350): Active response disabled." "$W/off.out"
out=$(com "getconfig active-response")
check "execd off: the com socket answers disabled ($out)" \
	grep -qF 'ok {"active-response":{"disabled":"yes"' <<<"$out"
check "execd off: no execq bound" test ! -e "$H/queue/alerts/execq"
kill -TERM "$FPID"
wait "$FPID"
cp "$W/ossec.on" "$H/etc/ossec.conf"

# execd's way of stopping, asked for in arxdp.conf: wazuh-control passes no arxdpd flags.
# The responses go (execd's delete for each), an operator's block stays.
sed -i 's|</arxdp>|  <unblock_on_exit>yes</unblock_on_exit>\n</arxdp>|' "$W/arxdp.conf"
"$ARXDP" unblock 198.18.6.2 >/dev/null
"$ARXDP" block 198.18.6.77 >/dev/null
# ar.conf's presence check wants the program there, as execd's does; the fast path never runs it.
printf '#!/bin/sh\nexit 0\n' >"$H/active-response/bin/firewall-drop"
chmod 0750 "$H/active-response/bin/firewall-drop"
"$EXECD" -f -g root >"$W/unblock.out" 2>&1 &
FPID=$!
on_exit "kill -9 $FPID"
for _ in $(seq 100); do
	"$ARXDP" status --json 2>/dev/null | grep -q "\"pid\":$FPID," && break
	sleep 0.1
done
# One response by execq, as analysisd sends it (JSON, then NUL).
python3 "$GEN" 5712 10 198.18.6.2 >"$W/u.alert"
python3 -c 'import json, socket, sys
alert = json.loads(open(sys.argv[2]).readline())
msg = {"version": 1, "origin": {"name": "node-test", "module": "wazuh-analysisd"},
       "command": "firewall-drop600", "parameters": {"extra_args": [], "alert": alert}}
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(json.dumps(msg, separators=(",", ":")).encode() + b"\0", sys.argv[1])' \
	"$H/queue/alerts/execq" "$W/u.alert"
for _ in $(seq 40); do "$ARXDP" list | grep -q 198.18.6.2 && break; sleep 0.05; done
check "<unblock_on_exit>: the execq response blocks" ping_blocked "$A" 198.18.6.1
kill -TERM "$FPID"
wait "$FPID"; rc=$?
check "<unblock_on_exit>: exits 0 on SIGTERM (rc $rc)" test "$rc" -eq 0
check "<unblock_on_exit>: says it deletes every response" \
	grep -qF "deleting every response (unblock_on_exit)" "$W/unblock.out"
check "<unblock_on_exit>: the response is gone from the maps" \
	bash -c "! '$ARXDP' list | grep -q 198.18.6.2"
check "<unblock_on_exit>: the host gets through again" ping_ok "$A" 198.18.6.1
check "<unblock_on_exit>: the operator's block stays" bash -c "'$ARXDP' list | grep -q 198.18.6.77"
"$ARXDP" unblock 198.18.6.77 >/dev/null

finish
