#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Namespace test of the drop-in firewall-drop (issue 5). A temporary Wazuh home laid out like
# /var/ossec holds build/firewall-drop as active-response/bin/firewall-drop (and its renamed
# installs); a small execd stand-in drives it exactly as wazuh-execd does (add line on stdin,
# one line read back, continue/abort written, stdin closed, exit awaited) with a timeout on
# every read and wait. Each case asserts the exact stdout, the active-responses.log lines
# (timestamps by regex), the exit status and the pinned maps (arxdp list --json). The iptables
# and nftables fallbacks run inside a network namespace, where `ip netns exec` hides the root
# bpffs, so the maps are absent there and no rule ever touches this machine's own traffic.
# Fixture addresses: 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_root
command -v python3 >/dev/null || skip "python3 is needed to drive the binary like execd"
FWDROP="$OUTPUT/firewall-drop"
[ -x "$FWDROP" ] || { echo "FAIL: $FWDROP not built"; exit 1; }
DATA="$ROOT/tests/data/fwdrop"

WORK=$(mktemp -d /tmp/arxdp-fwdrop.XXXXXX)
on_exit rm -rf "$WORK"
HOME_W="$WORK/ossec"
mkdir -p "$HOME_W/active-response/bin" "$HOME_W/logs" "$HOME_W/etc" "$HOME_W/var/run"
# A copy, as the installer makes: the home is found from the program's own real path.
install -m 0750 "$FWDROP" "$HOME_W/active-response/bin/firewall-drop"
ln "$HOME_W/active-response/bin/firewall-drop" "$HOME_W/active-response/bin/firewalld-drop"
ln "$HOME_W/active-response/bin/firewall-drop" "$HOME_W/active-response/bin/route-null"
LOG="$HOME_W/logs/active-responses.log"
A0="active-response/bin/firewall-drop"
unset ARXDP_CONF

# The execd stand-in. Writes the exit status, stdout and the reply it sent to RES.rc/.out/.sent.
DRIVER="$WORK/execd-drive.py"
cat >"$DRIVER" <<'PY'
import json, os, select, subprocess, sys, time
home, argv0, msgfile, reply_mode, res = sys.argv[1:6]
prefix = sys.argv[6:]
def result(rc, out, reply):
    for ext, data in (('rc', str(rc).encode()), ('out', out), ('sent', reply)):
        open(res + '.' + ext, 'wb').write(data)
msg = open(msgfile, 'rb').read()
deadline = time.monotonic() + 15
p = subprocess.Popen(prefix + [argv0], cwd=home, stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
out = b''
reply = b''
def read_until(pred):
    global out
    fd = p.stdout.fileno()
    while not pred():
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError('no answer from the program')
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            continue
        b = os.read(fd, 65536)
        if not b:
            return False
        out += b
    return True
try:
    if not msg:
        p.stdin.close()         # nothing to say: the program must see EOF, not wait
        rc = p.wait(timeout=15)
        result(rc, p.stdout.read(), b'')
        sys.exit(0)
    p.stdin.write(msg)          # the message file ends with its '\n', as execd writes it
    p.stdin.flush()
    got = read_until(lambda: b'\n' in out)
    if got and reply_mode != 'none':
        if reply_mode.startswith('raw:'):
            reply = reply_mode[4:].encode() + b'\n'
        else:
            # execd: the whole add message, only "command" changed, positions kept.
            reply = msg.replace(b'"command":"add"', b'"command":"%s"' % reply_mode.encode(), 1)
        p.stdin.write(reply)
        p.stdin.flush()
    p.stdin.close()
    read_until(lambda: False)
    rc = p.wait(timeout=max(0.1, deadline - time.monotonic()))
except (TimeoutError, subprocess.TimeoutExpired) as e:
    p.kill()
    p.wait()
    rc = 'timeout'
except BrokenPipeError:
    rc = p.wait(timeout=max(0.1, deadline - time.monotonic()))
result(rc, out, reply)
PY

# mkmsg CMD ALERTFILE [PY-STATEMENTS]: an execd message around an alert, edited by Python
# statements over `m` (the message) and `a` (its alert). Written to $WORK/msg.json.
MSG="$WORK/msg.json"
mkmsg() {
	python3 - "$1" "$2" "${3:-}" "$MSG" <<'PY'
import json, sys
cmd, alertfile, code, out = sys.argv[1:5]
a = json.load(open(alertfile))
m = {"version": 1, "origin": {"name": "node01", "module": "wazuh-execd"}, "command": cmd,
     "parameters": {"extra_args": [], "alert": a, "program": "active-response/bin/firewall-drop"}}
exec(code)
open(out, 'w').write(json.dumps(m, separators=(',', ':'), ensure_ascii=False) + '\n')
PY
}

# srcip_msg CMD ADDR: the Shellshock alert of the reference with data.srcip = ADDR.
srcip_msg() { mkmsg "$1" "$DATA/alert-shellshock.json" "a['data']['srcip'] = '$2'"; }

# run_ar ARGV0 REPLY [PREFIX...]: drives the program with $MSG; sets RC, OUT, SENT.
RC= OUT= SENT=
run_ar() {
	local argv0=$1 reply=$2 res
	shift 2
	: >"$LOG"
	python3 "$DRIVER" "$HOME_W" "$argv0" "$MSG" "$reply" "$WORK/res" "$@"
	RC=$(cat "$WORK/res.rc")
	OUT=$(cat "$WORK/res.out")
	SENT=$(cat "$WORK/res.sent")
}

# log_is EXPECTED: the log, timestamps checked (YYYY/MM/DD HH:MM:SS, local time, within a
# minute of now) and cut, equals EXPECTED line for line; a blank line stands for itself.
TS_RE='[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}'
log_is() {
	local got ts t
	if grep -qvE "^($TS_RE .*)?\$" "$LOG"; then
		echo "  log line without timestamp:"
		grep -vE "^($TS_RE .*)?\$" "$LOG" | head -n 3
		return 1
	fi
	ts=$(head -c 19 "$LOG")
	t=$(date -d "${ts//\//-}" +%s) || return 1
	if [ $((t - $(date +%s))) -gt 60 ] || [ $(($(date +%s) - t)) -gt 60 ]; then
		echo "  timestamp '$ts' is not local time now"
		return 1
	fi
	got=$(sed -E "s|^$TS_RE ||" "$LOG")
	[ "$got" == "$1" ] && return 0
	diff <(printf '%s\n' "$1") <(printf '%s\n' "$got") | cut -c1-300 | head -n 20
	return 1
}

eq() {
	[ "$1" == "$2" ] && return 0
	printf '  got: %.300s\n  exp: %.300s\n' "$1" "$2"
	return 1
}

# map_entry ADDR EXPR: EXPR over the list entry `e` of ADDR ("absent" when not blocked).
map_entry() {
	local out
	out=$("$ARXDP" list --json --all) || { echo "list-failed"; return; }
	python3 -c '
import json, sys
es = [e for e in json.loads(sys.argv[1]) if e["addr"] == sys.argv[2]]
print(eval(sys.argv[3], {"e": es[0]}) if es else "absent")' "$out" "$1" "$2"
}

ck() { # ck ARGV0 ADDR: the check_keys line the program must print
	printf '{"version":1,"origin":{"name":"%s","module":"active-response"},"command":"check_keys","parameters":{"keys":["%s"]}}' \
		"$(basename "$1")" "$2"
}

# Maps created without attaching anything.
"$ARXDP" block 192.0.2.1 >/dev/null && "$ARXDP" unblock 192.0.2.1 >/dev/null ||
	{ echo "FAIL: cannot create the maps in $ARXDP_PIN_DIR"; exit 1; }
PIN=$ARXDP_PIN_DIR

# add_case ARGV0 ADDR KEY WHAT [new|extended]: a full add/continue exchange that ends in the map.
add_case() {
	local argv0=$1 ip=$2 key=$3 what=$4 how=${5:-new} m
	m=$(cat "$MSG")
	run_ar "$argv0" continue
	check "$what: exit 0" eq "$RC" 0
	check "$what: stdout is the check_keys line" eq "$OUT" "$(ck "$argv0" "$key")"
	check "$what: log" log_is "$argv0: Starting
$argv0: $m

$argv0: $(ck "$argv0" "$key")
$argv0: ${SENT%$'\n'}

$argv0: Blocked $ip in the XDP maps '$PIN' ($how, until execd deletes it)
$argv0: Ended"
}

delete_case() {
	local argv0=$1 ip=$2 what=$3 m
	m=$(cat "$MSG")
	run_ar "$argv0" continue
	check "$what: exit 0" eq "$RC" 0
	check "$what: no stdout (no handshake)" eq "$OUT" ""
	check "$what: log" log_is "$argv0: Starting
$argv0: $m

$argv0: Unblocked $ip in the XDP maps '$PIN'
$argv0: Ended"
	check "$what: gone from the map" eq "$(map_entry "$ip" 1)" absent
}

# error_case WHAT REPLY RC LAST-LOG-LINE [HANDSHAKE-KEY]: ends at an error line, no Ended.
error_case() {
	local what=$1 reply=$2 rc=$3 last=$4 key=${5:-} m exp
	m=$(cat "$MSG")
	run_ar "$A0" "$reply"
	check "$what: exit $rc" eq "$RC" "$rc"
	exp="$A0: Starting
$A0: $m
"
	if [ -n "$key" ]; then
		check "$what: stdout is the check_keys line" eq "$OUT" "$(ck "$A0" "$key")"
		exp+="
$A0: $(ck "$A0" "$key")"
		[ -n "$SENT" ] && exp+="
$A0: ${SENT%$'\n'}
"
	else
		check "$what: no stdout" eq "$OUT" ""
	fi
	check "$what: log" log_is "$exp
$A0: $last"
}

echo "# IPv4 add / continue / delete (the reference exchange, fixture address)"
srcip_msg add 192.0.2.10
add_case "$A0" 192.0.2.10 192.0.2.10 "ipv4 add"
check "ipv4 add: in the map with origin, rule and level" eq \
	"$(map_entry 192.0.2.10 '(e["origin"], e["rule_id"], e["level"], e["timeout"], e["expires_in"], e["offenses"])')" \
	"('firewall-drop', '31168', 15, 0, None, 1)"
srcip_msg delete 192.0.2.10
delete_case "$A0" 192.0.2.10 "ipv4 delete"

echo "# the lab's exchange verbatim (its lines, 192.168.56.3 swapped for a fixture address)"
# ref_line NAME: line 1 of tests/data/fwdrop/exchange-NAME.json, the address swapped.
ref_line() { head -n 1 "$DATA/exchange-$1.json" | sed 's/192\.168\.56\.3/192.0.2.19/g'; }
ref_line add >"$MSG"
run_ar "$A0" "raw:$(ref_line continue)"
check "lab add: exit 0" eq "$RC" 0
line=$(ref_line check-keys)
check "lab add: stdout is the lab's check_keys line" eq "$OUT" "$line"
check "lab add: and one newline after it, nothing else" eq "$(wc -c <"$WORK/res.out")" \
	$((${#line} + 1))
check "lab add: log" log_is "$A0: Starting
$(ref_line add | sed "s|^|$A0: |")

$A0: $(ref_line check-keys)
$(ref_line continue | sed "s|^|$A0: |")

$A0: Blocked 192.0.2.19 in the XDP maps '$PIN' (new, until execd deletes it)
$A0: Ended"
ref_line delete >"$MSG"
delete_case "$A0" 192.0.2.19 "lab delete"

echo "# IPv6 (the key is the text execd sent; the map holds the canonical address)"
srcip_msg add 2001:0db8::10
add_case "$A0" 2001:db8::10 2001:0db8::10 "ipv6 add"
check "ipv6 add: in the map" eq "$(map_entry 2001:db8::10 'e["origin"]')" firewall-drop
srcip_msg delete 2001:0db8::10
delete_case "$A0" 2001:db8::10 "ipv6 delete"

echo "# abort for an address not in the maps: logged, exit 0, nothing written"
srcip_msg add 192.0.2.11
error_case "abort" abort 0 "192.0.2.11 is not blocked in the XDP maps '$PIN' although execd holds its key: not blocked again before execd's delete
$A0: Aborted" 192.0.2.11
check "abort: not in the map" eq "$(map_entry 192.0.2.11 1)" absent

echo "# a repeat add while blocked gets abort from execd: the block stays, the offense counts"
srcip_msg add 192.0.2.12
add_case "$A0" 192.0.2.12 192.0.2.12 "repeat: first add"
error_case "repeat: second add aborted" abort 0 "Counted a repeat of 192.0.2.12 in the XDP maps '$PIN' (offense 2)
$A0: Aborted" 192.0.2.12
check "repeat: still blocked, two offenses (as arxdpd counts them)" eq \
	"$(map_entry 192.0.2.12 '(e["offenses"], e["expires_in"], e["origin"])')" \
	"(2, None, 'firewall-drop')"
# A timeout-0 response gets continue every time: the same count.
add_case "$A0" 192.0.2.12 192.0.2.12 "repeat: add with continue (timeout 0)" extended
check "repeat: three offenses" eq "$(map_entry 192.0.2.12 'e["offenses"]')" 3
srcip_msg delete 192.0.2.12
delete_case "$A0" 192.0.2.12 "repeat: delete"

# kept_delete ADDR TEXT WHAT WHY: execd's delete under TEXT leaves ADDR's block; the log says WHY.
kept_delete() {
	local ip=$1 text=$2 what=$3 why=$4 m
	srcip_msg delete "$text"
	m=$(cat "$MSG")
	run_ar "$A0" continue
	check "$what: exit 0" eq "$RC" 0
	check "$what: kept, says why" log_is "$A0: Starting
$A0: $m

$A0: Kept $ip in the XDP maps '$PIN': $why
$A0: Ended"
}

echo "# IPv4-mapped aliases: execd holds two keys, the map one entry, until the last delete"
# alias_run FIRST SECOND: adds under FIRST then SECOND text, deletes FIRST (kept), SECOND (gone)
alias_run() {
	local first=$1 second=$2 ip=198.51.100.60
	srcip_msg add "$first"
	add_case "$A0" "$ip" "$first" "alias $first: first add"
	srcip_msg add "$second"
	add_case "$A0" "$ip" "$second" "alias $second: second add (another execd key)" extended
	check "alias: one entry, two offenses" eq "$(map_entry "$ip" 'e["offenses"]')" 2
	kept_delete "$ip" "$first" "alias: delete of $first" "execd still holds it as '$second'"
	check "alias: still blocked after the first delete" eq "$(map_entry "$ip" 'e["origin"]')" \
		firewall-drop
	srcip_msg delete "$second"
	delete_case "$A0" "$ip" "alias: delete of $second"
}
alias_run 198.51.100.60 ::ffff:198.51.100.60
alias_run ::ffff:198.51.100.60 198.51.100.60

echo "# a block made or extended by hand is the operator's: execd's delete leaves it"
# hand_delete ADDR WHAT: execd's delete of ADDR leaves the block, which 'arxdp unblock' ends.
hand_delete() {
	local ip=$1 what=$2
	kept_delete "$ip" "$ip" "$what: delete" "blocked by hand ('arxdp unblock' removes it)"
	check "$what: still blocked, permanent" eq "$(map_entry "$ip" 'e["expires_in"]')" None
	check "$what: arxdp unblock removes it" eq "$("$ARXDP" unblock "$ip")" "unblocked $ip"
	check "$what: gone" eq "$(map_entry "$ip" 1)" absent
}
srcip_msg add 198.51.100.61
add_case "$A0" 198.51.100.61 198.51.100.61 "by hand over execd's: add"
check "by hand over execd's: arxdp block (permanent)" eq "$("$ARXDP" block 198.51.100.61)" \
	"extended 198.51.100.61 (permanent)"
hand_delete 198.51.100.61 "by hand over execd's"
srcip_msg add 198.51.100.63
add_case "$A0" 198.51.100.63 198.51.100.63 "timed by hand over execd's: add"
check "timed by hand over execd's: arxdp block --timeout 10m" eq \
	"$("$ARXDP" block 198.51.100.63 --timeout 10m)" \
	"extended 198.51.100.63 (held by execd until its delete, then 10m00s)"
check "timed by hand over execd's: no stamp while execd holds it" eq \
	"$(map_entry 198.51.100.63 'e["expires_in"]')" None
kept_delete 198.51.100.63 198.51.100.63 "timed by hand over execd's: delete" \
	"blocked by hand ('arxdp unblock' removes it)"
check "timed by hand over execd's: its 10 minutes run from execd's delete" eq \
	"$(map_entry 198.51.100.63 '590 <= e["expires_in"] <= 600')" True
"$ARXDP" unblock 198.51.100.63 >/dev/null
# --json says what was written, with the fields of arxdpd's reply: not the timeout asked for.
srcip_msg add 198.51.100.64
add_case "$A0" 198.51.100.64 198.51.100.64 "--json, timed by hand over execd's: add"
check "--json, timed by hand over execd's: the time waits for execd's delete" eq \
	"$("$ARXDP" --json block 198.51.100.64 --timeout 10m)" \
	'{"addr":"198.51.100.64","extended":true,"offenses":2,"expires_in":null,"after_execd_delete":600}'
check "--json, timed by hand over execd's: no stamp while execd holds it" eq \
	"$(map_entry 198.51.100.64 '(e["expires_in"], e["timeout"])')" "(None, 600)"
"$ARXDP" unblock 198.51.100.64 >/dev/null
check "--json, by hand: permanent" eq "$("$ARXDP" --json block 198.51.100.65)" \
	'{"addr":"198.51.100.65","extended":false,"offenses":1,"expires_in":null}'
check "--json, by hand: a timed repeat says it stays permanent" eq \
	"$("$ARXDP" --json block 198.51.100.65 --timeout 1h)" \
	'{"addr":"198.51.100.65","extended":true,"offenses":2,"expires_in":null}'
check "--json, by hand: the text line of the same says so too" eq \
	"$("$ARXDP" block 198.51.100.65 --timeout 1h)" "extended 198.51.100.65 (permanent)"
check "--json, by hand: still permanent" eq "$(map_entry 198.51.100.65 'e["expires_in"]')" None
"$ARXDP" unblock 198.51.100.65 >/dev/null
check "--json, by hand: timed" eq "$("$ARXDP" --json block 198.51.100.65 --timeout 1h)" \
	'{"addr":"198.51.100.65","extended":false,"offenses":1,"expires_in":3600}'
"$ARXDP" unblock 198.51.100.65 >/dev/null
check "by hand first: arxdp block" eq "$("$ARXDP" block 198.51.100.62)" \
	"blocked 198.51.100.62 (permanent)"
srcip_msg add 198.51.100.62
add_case "$A0" 198.51.100.62 198.51.100.62 "by hand first: execd's add" extended
hand_delete 198.51.100.62 "by hand first"

echo "# malformed input (all before the handshake, exit 255)"
printf 'this is not json\n' >"$MSG"
error_case "invalid JSON" continue 255 "Invalid input format"
srcip_msg add 192.0.2.13
mkmsg add "$DATA/alert-shellshock.json" "del m['version']"
error_case "missing version" continue 255 "Invalid input format"
mkmsg add "$DATA/alert-shellshock.json" "m['version'] = '1'"
error_case "version not a number" continue 255 "Invalid input format"
mkmsg add "$DATA/alert-shellshock.json" "del m['parameters']"
error_case "missing parameters" continue 255 "Invalid input format"
mkmsg add "$DATA/alert-shellshock.json" "del m['origin']"
error_case "missing origin" continue 255 "Invalid input format"
mkmsg add "$DATA/alert-shellshock.json" "m['command'] = 5"
error_case "command not a string" continue 255 "Invalid input format"
mkmsg restart-wazuh "$DATA/alert-shellshock.json"
error_case "invalid command" continue 255 "Invalid value of 'command'"
mkmsg add "$DATA/alert-shellshock.json" "del a['data']['srcip']"
error_case "missing srcip" continue 255 "Cannot read 'srcip' from data or invalid IP format"
mkmsg add "$DATA/alert-shellshock.json" "a['data']['srcip'] = 3232235523"
error_case "srcip not a string" continue 255 "Cannot read 'srcip' from data or invalid IP format"
rm -f /tmp/arxdp-fwdrop-pwned
for bad in example.com "192.0.2.1; rm -rf /" '$(touch /tmp/arxdp-fwdrop-pwned)' \
	'192.0.2.1`touch /tmp/arxdp-fwdrop-pwned`' "../../tmp/malicious" "" "192.0.2.300" \
	"192.0.2" "127.1" "192.0.2.0/24" " 192.0.2.1" "2001:db8:::1" "fe80::1%eth0" "-j ACCEPT"; do
	srcip_msg add "$bad"
	error_case "malformed address '$bad'" continue 255 \
		"Cannot read 'srcip' from data or invalid IP format"
done
check "no metacharacter reached a shell" test ! -e /tmp/arxdp-fwdrop-pwned
: >"$MSG"
run_ar "$A0" continue
check "empty stdin: exit 255" eq "$RC" 255
check "empty stdin: log" log_is "$A0: Starting
$A0: Cannot read input from stdin"

echo "# handshake failures (after the check_keys line)"
srcip_msg add 192.0.2.14
error_case "reply not JSON" "raw:continue" 255 "Invalid input format" 192.0.2.14
check "reply not JSON: the raw reply was logged" grep -qx '.*: continue' "$LOG"
error_case "reply with another command" "raw:{\"version\":1,\"origin\":{},\"command\":\"stop\",\"parameters\":{}}" \
	255 "Invalid value of 'command'" 192.0.2.14
error_case "execd closes stdin after check_keys" none 255 "Cannot read input from stdin" \
	192.0.2.14
check "handshake failures: nothing blocked" eq "$(map_entry 192.0.2.14 1)" absent

echo "# stdin read as fgets(buf, OS_MAXSTR, stdin) reads it: lines of at most 65535 bytes"
# pad_msg CMD ADDR SIZE: the message with full_log padded so that it is SIZE bytes before '\n'.
pad_msg() {
	mkmsg "$1" "$DATA/alert-shellshock.json" "a['data']['srcip'] = '$2'; a['full_log'] = ''
n = len(json.dumps(m, separators=(',', ':'), ensure_ascii=False).encode())
a['full_log'] = 'x' * ($3 - n)"
}
# Exactly 65535 bytes: the whole message, and the newline after it is the next line, which
# send_keys_and_check_message() reads as execd's reply.
pad_msg add 192.0.2.16 65535
check "65535-byte message: the file" eq "$(wc -c <"$MSG")" 65536
m=$(head -c 65535 "$MSG")
run_ar "$A0" continue
check "65535-byte message: exit 255" eq "$RC" 255
check "65535-byte message: stdout is the check_keys line" eq "$OUT" "$(ck "$A0" 192.0.2.16)"
check "65535-byte message: its newline was the reply" log_is "$A0: Starting
$A0: $m
$A0: $(ck "$A0" 192.0.2.16)
$A0: 

$A0: Invalid input format"
check "65535-byte message: nothing blocked" eq "$(map_entry 192.0.2.16 1)" absent
# Longer: the first 65535 bytes are the message, cut, so not JSON.
pad_msg delete 192.0.2.16 70000
run_ar "$A0" continue
check "70000-byte message: exit 255" eq "$RC" 255
check "70000-byte message: the first 65535 bytes echoed, then refused" log_is "$A0: Starting
$A0: $(head -c 65535 "$MSG")
$A0: Invalid input format"

echo "# the log is stamped in local time (w_get_timestamp: localtime_r), TZ honoured"
srcip_msg delete 192.0.2.17
run_ar "$A0" continue env TZ=XXX-2
check "local time: exit 0" eq "$RC" 0
ts=$(head -c 19 "$LOG")
d=$(($(TZ=XXX-2 date -d "${ts//\//-}" +%s) - $(date +%s)))
check "local time: '$ts' is now in TZ=XXX-2 (off by ${d}s)" test "${d#-}" -le 60
in_tz() { local -x TZ=XXX-2; "$@"; }
check "local time: log" in_tz log_is "$A0: Starting
$A0: $(cat "$MSG")

$A0: 192.0.2.17 was not blocked in the XDP maps '$PIN'
$A0: Ended"

echo "# refused addresses (never block loopback)"
srcip_msg add 127.0.0.1
error_case "loopback refused" continue 255 \
	"block '127.0.0.1': refused: loopback or unspecified addresses are never blocked" 127.0.0.1
check "loopback: not in the map" eq "$(map_entry 127.0.0.1 1)" absent

echo "# Windows event fields, in Wazuh's order"
mkmsg add "$DATA/alert-windows-4625.json"
add_case "$A0" 198.51.100.41 198.51.100.41 "win ipAddress"
check "win ipAddress: rule 60122 level 10" eq \
	"$(map_entry 198.51.100.41 '(e["rule_id"], e["level"])')" "('60122', 10)"
mkmsg add "$DATA/alert-windows-4625.json" \
	"ev = a['data']['win']['eventdata']; del ev['ipAddress']; ev['destinationIp'] = '198.51.100.42'; a['data']['srcip'] = '198.51.100.99'"
add_case "$A0" 198.51.100.42 198.51.100.42 "win destinationIp before data.srcip"
mkmsg add "$DATA/alert-windows-4625.json" \
	"ev = a['data']['win']['eventdata']; ev['ipAddress'] = '-'; ev['destinationIp'] = '198.51.100.43'"
add_case "$A0" 198.51.100.43 198.51.100.43 "win ipAddress '-' counts as missing"
check "win: data.srcip not used" eq "$(map_entry 198.51.100.99 1)" absent

echo "# Wazuh 5 source.ip"
mkmsg add "$DATA/alert-wazuh5-source-ip.json"
add_case "$A0" 203.0.113.44 203.0.113.44 "wazuh5 source.ip"
check "wazuh5: rule 100200 level 12" eq "$(map_entry 203.0.113.44 '(e["rule_id"], e["level"])')" \
	"('100200', 12)"
mkmsg add "$DATA/alert-wazuh5-source-ip.json" "a['data'] = {'srcip': '203.0.113.45'}"
add_case "$A0" 203.0.113.45 203.0.113.45 "data.srcip before source.ip"
mkmsg delete "$DATA/alert-wazuh5-source-ip.json"
delete_case "$A0" 203.0.113.44 "wazuh5 delete"

echo "# renamed installs"
for name in firewalld-drop route-null; do
	srcip_msg add 198.51.100.50
	add_case "active-response/bin/$name" 198.51.100.50 198.51.100.50 "$name add"
	srcip_msg delete 198.51.100.50
	delete_case "active-response/bin/$name" 198.51.100.50 "$name delete"
done

echo "# reference section 8: a manual delete by absolute path removes the block"
srcip_msg add 198.51.100.51
add_case "$A0" 198.51.100.51 198.51.100.51 "manual: add"
srcip_msg delete 198.51.100.51
delete_case "$HOME_W/$A0" 198.51.100.51 "manual delete (argv[0] absolute)"
srcip_msg delete 198.51.100.52
run_ar "$A0" continue
check "delete of an address never blocked: exit 0" eq "$RC" 0
check "delete of an address never blocked: log" log_is "$A0: Starting
$A0: $(cat "$MSG")

$A0: 198.51.100.52 was not blocked in the XDP maps '$PIN'
$A0: Ended"
srcip_msg add 192.0.2.0
add_case "$A0" 192.0.2.0 192.0.2.0 "192.0.2.0 is an address, not a prefix"
srcip_msg delete 192.0.2.0
delete_case "$A0" 192.0.2.0 "delete 192.0.2.0"

echo "# safety expiry and the pin directory from arxdp.conf"
cat >"$WORK/arxdp.conf" <<EOF
<arxdp>
  <pin_dir>$PIN</pin_dir>
  <fwdrop_safety_expiry>1h</fwdrop_safety_expiry>
</arxdp>
EOF
srcip_msg add 203.0.113.60
m=$(cat "$MSG")
(
	FAILS=0
	unset ARXDP_PIN_DIR
	export ARXDP_CONF="$WORK/arxdp.conf"
	run_ar "$A0" continue
	check "safety expiry: exit 0" eq "$RC" 0
	check "safety expiry: log" log_is "$A0: Starting
$A0: $m

$A0: $(ck "$A0" 203.0.113.60)
$A0: ${SENT%$'\n'}

$A0: Blocked 203.0.113.60 in the XDP maps '$PIN' (new, safety expiry 3600s)
$A0: Ended"
	exit "$FAILS"
) || FAILS=$((FAILS + $?))
check "safety expiry: timeout 3600 in the map" eq "$(map_entry 203.0.113.60 'e["timeout"]')" 3600
check "safety expiry: expires within the hour" eq \
	"$(map_entry 203.0.113.60 '3590 <= e["expires_in"] <= 3600')" True
printf '<arxdp><bogus>1</bogus></arxdp>\n' >"$WORK/bad.conf"
srcip_msg delete 203.0.113.60
(
	FAILS=0
	export ARXDP_CONF="$WORK/bad.conf"
	run_ar "$A0" continue
	check "broken arxdp.conf: still unblocks (defaults + ARXDP_PIN_DIR)" eq "$RC" 0
	check "broken arxdp.conf: the error is logged" grep -q "arxdp.conf '$WORK/bad.conf'.*bogus.*; using the defaults" "$LOG"
	exit "$FAILS"
) || FAILS=$((FAILS + $?))
check "broken arxdp.conf: gone from the map" eq "$(map_entry 203.0.113.60 1)" absent

# Wazuh's program would carry on from the directory above the first "/bin" there (w_homedir);
# the drop-in refuses, as its log and lock would land outside any Wazuh home.
echo "# not installed under active-response/: refuses to run (exit 1, as merror_exit)"
cp "$FWDROP" "$WORK/firewall-drop"
srcip_msg add 192.0.2.15
"$WORK/firewall-drop" <"$MSG" >/dev/null 2>"$WORK/err"
check "outside a Wazuh home: exit 1" eq "$?" 1
check "outside a Wazuh home: says why" grep -q "must live in <home>/active-response/bin" "$WORK/err"

echo "# fallback inside a namespace (no bpffs there: the maps are absent)"
NS="arxdp-fd$TID"
ip netns add "$NS" || { echo "FAIL: cannot create namespace $NS"; exit 1; }
on_exit ip netns del "$NS"
IN_NS=(ip netns exec "$NS")
# WITH_MAPS CMD...: runs CMD with the XDP maps present, pinned in PIN2 on a bpffs mounted in
# the mount namespace that `ip netns exec` made (slave of this one: nothing of it shows here),
# so it goes when CMD ends. Each run has fresh maps, created by build/arxdp.
WITH_MAPS="$WORK/with-maps.sh"
BPFFS="$WORK/bpffs"
PIN2="$BPFFS/arxdp"
mkdir -p "$BPFFS"
cat >"$WITH_MAPS" <<EOF
#!/usr/bin/env bash
set -e
exec 3>&2 2>>"$WORK/with-maps.err"
mount -t bpf bpf "$BPFFS"
export ARXDP_PIN_DIR="$PIN2"
"$ARXDP" block 192.0.2.1 >/dev/null
"$ARXDP" unblock 192.0.2.1 >/dev/null
exec "\$@" 2>&3 3>&-
EOF
chmod 0755 "$WITH_MAPS"
show_on_fail "$WORK/with-maps.err"
# No test writes a conf there: default fallback (iptables), pin dir from the environment.
fallback_add() { # fallback_add ADDR TOOL WHAT
	local m
	m=$(cat "$MSG")
	run_ar "$A0" continue "${IN_NS[@]}"
	check "$3: exit 0" eq "$RC" 0
	check "$3: log" log_is "$A0: Starting
$A0: $m

$A0: $(ck "$A0" "$1")
$A0: ${SENT%$'\n'}

$A0: Blocked $1 with $2 (fallback: XDP maps '$PIN': not loaded)
$A0: Ended"
}
# left_delete ADDR LINE WHAT [CMD...]: execd's delete of ADDR once the maps exist (CMD before
# the program, inside WITH_MAPS): exit 0, and the log says LINE only.
left_delete() {
	local ip=$1 line=$2 what=$3 m
	shift 3
	srcip_msg delete "$ip"
	m=$(cat "$MSG")
	run_ar "$A0" continue "${IN_NS[@]}" "$WITH_MAPS" "$@"
	check "$what: exit 0" eq "$RC" 0
	check "$what: log" log_is "$A0: Starting
$A0: $m

$A0: $line
$A0: Ended"
	check "$what: lock released" test ! -e "$HOME_W/active-response/bin/fw-drop"
}
# ns_rules TOOL CHAIN ADDR: how many rules of CHAIN in the namespace name ADDR.
ns_rules() { "${IN_NS[@]}" "$1" -S "$2" | grep -c -- "-s $3/"; }
fallback_delete() { # fallback_delete ADDR TOOL WHAT
	local m
	m=$(cat "$MSG")
	run_ar "$A0" continue "${IN_NS[@]}"
	check "$3: exit 0" eq "$RC" 0
	check "$3: log" log_is "$A0: Starting
$A0: $m

$A0: Unblocked $1 with $2 (fallback: XDP maps '$PIN': not loaded)
$A0: Ended"
}
# Before the fallback was ever used here, such a delete runs no firewall tool (a spy in PATH
# would record it): a block that expired by its stamp is deleted as cheaply as before.
MARK="$HOME_W/var/run/arxdp-fwdrop-fallback"
mkdir -p "$WORK/spy"
for t in iptables ip6tables nft; do
	printf '#!/bin/sh\necho "%s $*" >>"%s"\nexit 1\n' "$t" "$WORK/spy.log" >"$WORK/spy/$t"
	chmod 0755 "$WORK/spy/$t"
done
check "no fallback used yet: no mark" test ! -e "$MARK"
left_delete 192.0.2.44 "192.0.2.44 was not blocked in the XDP maps '$PIN2'" \
	"no fallback used yet: delete" env PATH="$WORK/spy:$PATH"
check "no fallback used yet: no firewall tool ran" test ! -e "$WORK/spy.log"
if command -v iptables >/dev/null && command -v ip6tables >/dev/null; then
	srcip_msg add 192.0.2.20
	fallback_add 192.0.2.20 iptables "iptables add"
	check "iptables add: the fallback leaves its mark" test -f "$MARK"
	check "iptables add: INPUT rule in the namespace" \
		"${IN_NS[@]}" iptables -C INPUT -s 192.0.2.20 -j DROP
	check "iptables add: FORWARD rule in the namespace" \
		"${IN_NS[@]}" iptables -C FORWARD -s 192.0.2.20 -j DROP
	check "iptables add: shown by iptables -S INPUT" eq \
		"$("${IN_NS[@]}" iptables -S INPUT | grep 192.0.2.20)" "-A INPUT -s 192.0.2.20/32 -j DROP"
	check "iptables add: lock released" test ! -e "$HOME_W/active-response/bin/fw-drop"
	check "iptables add: not on this host" bash -c "! iptables -S INPUT | grep -q 192.0.2.20"
	srcip_msg delete 192.0.2.20
	fallback_delete 192.0.2.20 iptables "iptables delete"
	check "iptables delete: rules gone" eq \
		"$("${IN_NS[@]}" iptables -S | grep -c 192.0.2.20)" 0
	srcip_msg add 2001:db8::20
	fallback_add 2001:db8::20 ip6tables "ip6tables add"
	check "ip6tables add: INPUT rule" "${IN_NS[@]}" ip6tables -C INPUT -s 2001:db8::20 -j DROP
	check "ip6tables add: FORWARD rule" "${IN_NS[@]}" ip6tables -C FORWARD -s 2001:db8::20 -j DROP
	srcip_msg delete 2001:db8::20
	fallback_delete 2001:db8::20 ip6tables "ip6tables delete"
	check "ip6tables delete: rules gone" eq "$("${IN_NS[@]}" ip6tables -S | grep -c 2001:db8::20)" 0
	echo "# a fallback block from before the maps: execd's delete finds the maps, removes it"
	srcip_msg add 192.0.2.40
	fallback_add 192.0.2.40 iptables "rollout: add (no maps)"
	check "rollout: INPUT rule in" eq "$(ns_rules iptables INPUT 192.0.2.40)" 1
	check "rollout: FORWARD rule in" eq "$(ns_rules iptables FORWARD 192.0.2.40)" 1
	left_delete 192.0.2.40 "Unblocked 192.0.2.40 with iptables (fallback rules left from before the XDP maps '$PIN2')" \
		"rollout: delete (maps now)"
	check "rollout: INPUT rule gone" eq "$(ns_rules iptables INPUT 192.0.2.40)" 0
	check "rollout: FORWARD rule gone" eq "$(ns_rules iptables FORWARD 192.0.2.40)" 0
	# The delete of an expired block, the common case: one line, no iptables error.
	left_delete 192.0.2.40 "192.0.2.40 was not blocked in the XDP maps '$PIN2'" \
		"rollout: delete again (maps, nothing left)"
	srcip_msg add 2001:db8::40
	fallback_add 2001:db8::40 ip6tables "rollout v6: add (no maps)"
	"${IN_NS[@]}" ip6tables -w 5 -D INPUT -s 2001:db8::40 -j DROP
	left_delete 2001:db8::40 "Unblocked 2001:db8::40 with ip6tables (fallback rule left from before the XDP maps '$PIN2')" \
		"rollout v6: delete, only the FORWARD rule left"
	check "rollout v6: FORWARD rule gone" eq "$(ns_rules ip6tables FORWARD 2001:db8::40)" 0
	check "rollout v6: no INPUT rule either" eq "$(ns_rules ip6tables INPUT 2001:db8::40)" 0
	echo "# a stale lock (holder gone) is reclaimed, not waited on for 625 s"
	mkdir -m 0070 "$HOME_W/active-response/bin/fw-drop"
	on_exit rm -rf "$HOME_W/active-response/bin/fw-drop"
	(exit 0) & dead=$!
	wait "$dead"
	echo "$dead" >"$HOME_W/active-response/bin/fw-drop/pid"
	srcip_msg add 192.0.2.21
	run_ar "$A0" continue "${IN_NS[@]}"
	check "stale lock: exit 0" eq "$RC" 0
	check "stale lock: logged" grep -q "lock 'active-response/bin/fw-drop': removing the stale lock of process $dead" "$LOG"
	check "stale lock: rule in" "${IN_NS[@]}" iptables -C INPUT -s 192.0.2.21 -j DROP
	srcip_msg delete 192.0.2.21
	run_ar "$A0" continue "${IN_NS[@]}"
	check "stale lock: delete" eq "$("${IN_NS[@]}" iptables -S | grep -c 192.0.2.21)" 0
	echo "# iptables missing from PATH: nftables takes over"
	if command -v nft >/dev/null; then
		mkdir -p "$WORK/nft-only"
		ln -s "$(command -v nft)" "$WORK/nft-only/nft"
		srcip_msg add 192.0.2.22
		m=$(cat "$MSG")
		run_ar "$A0" continue "${IN_NS[@]}" env PATH="$WORK/nft-only"
		check "no iptables: exit 0" eq "$RC" 0
		check "no iptables: log" log_is "$A0: Starting
$A0: $m

$A0: $(ck "$A0" 192.0.2.22)
$A0: ${SENT%$'\n'}

$A0: The iptables file 'iptables' is not accessible: No such file or directory (2)
$A0: Blocked 192.0.2.22 with nft (fallback: XDP maps '$PIN': not loaded)
$A0: Ended"
		check "no iptables: element in the nft set" bash -c \
			"ip netns exec $NS nft list set inet arxdp_fwdrop blk4 | grep -q 192.0.2.22"
		srcip_msg delete 192.0.2.22
		run_ar "$A0" continue "${IN_NS[@]}" env PATH="$WORK/nft-only"
		check "no iptables: delete exit 0" eq "$RC" 0
		check "no iptables: element gone" bash -c \
			"! ip netns exec $NS nft list set inet arxdp_fwdrop blk4 | grep -q 192.0.2.22"
		srcip_msg add 192.0.2.42
		run_ar "$A0" continue "${IN_NS[@]}" env PATH="$WORK/nft-only"
		check "rollout nft: add (no maps) exit 0" eq "$RC" 0
		check "rollout nft: element in the set" bash -c \
			"ip netns exec $NS nft list set inet arxdp_fwdrop blk4 | grep -q 192.0.2.42"
		left_delete 192.0.2.42 "Unblocked 192.0.2.42 with nft (fallback element left from before the XDP maps '$PIN2')" \
			"rollout nft: delete (maps now)" env PATH="$WORK/nft-only"
		check "rollout nft: element gone" bash -c \
			"ip netns exec $NS nft list set inet arxdp_fwdrop blk4 >'$WORK/set' && ! grep -q 192.0.2.42 '$WORK/set'"
		left_delete 192.0.2.42 "192.0.2.42 was not blocked in the XDP maps '$PIN2'" \
			"rollout nft: delete again (no element)" env PATH="$WORK/nft-only"
		"${IN_NS[@]}" nft delete table inet arxdp_fwdrop
		left_delete 192.0.2.42 "192.0.2.42 was not blocked in the XDP maps '$PIN2'" \
			"rollout nft: delete again (no table)" env PATH="$WORK/nft-only"
	else
		echo "SKIP (part): nft not installed, nftables fallback not tested"
	fi
else
	echo "SKIP (part): iptables not installed, iptables fallback not tested"
fi

echo "# configured fallback: nftables (with the safety expiry as element timeout), and fail"
if command -v nft >/dev/null; then
	printf '<arxdp><fwdrop_fallback>nftables</fwdrop_fallback><fwdrop_safety_expiry>10m</fwdrop_safety_expiry></arxdp>\n' >"$WORK/nft.conf"
	srcip_msg add 2001:db8::30
	run_ar "$A0" continue "${IN_NS[@]}" env ARXDP_CONF="$WORK/nft.conf"
	check "nftables: exit 0" eq "$RC" 0
	check "nftables: logged" grep -q "Blocked 2001:db8::30 with nft (fallback" "$LOG"
	check "nftables: element with a timeout" bash -c \
		"ip netns exec $NS nft list set inet arxdp_fwdrop blk6 | grep -q '2001:db8::30 timeout 10m'"
	check "nftables: no iptables rule" eq "$("${IN_NS[@]}" ip6tables -S | grep -c 2001:db8::30)" 0
	srcip_msg delete 2001:db8::30
	run_ar "$A0" continue "${IN_NS[@]}" env ARXDP_CONF="$WORK/nft.conf"
	check "nftables: delete exit 0" eq "$RC" 0
	check "nftables: element gone" bash -c \
		"! ip netns exec $NS nft list set inet arxdp_fwdrop blk6 | grep -q 2001:db8::30"
	srcip_msg add 2001:db8::43
	run_ar "$A0" continue "${IN_NS[@]}" env ARXDP_CONF="$WORK/nft.conf"
	check "rollout nftables: add (no maps) exit 0" eq "$RC" 0
	left_delete 2001:db8::43 "Unblocked 2001:db8::43 with nft (fallback element left from before the XDP maps '$PIN2')" \
		"rollout nftables: delete (maps now)" env ARXDP_CONF="$WORK/nft.conf"
	check "rollout nftables: element gone" bash -c \
		"ip netns exec $NS nft list set inet arxdp_fwdrop blk6 >'$WORK/set' && ! grep -q 2001:db8::43 '$WORK/set'"
fi
# No later delete of this test runs a firewall tool on this host.
rm -f "$MARK"
printf '<arxdp><fwdrop_fallback>fail</fwdrop_fallback></arxdp>\n' >"$WORK/fail.conf"
srcip_msg add 192.0.2.31
run_ar "$A0" continue "${IN_NS[@]}" env ARXDP_CONF="$WORK/fail.conf"
check "fallback fail: exit 255" eq "$RC" 255
check "fallback fail: says so, no Ended" eq "$(tail -n 1 "$LOG" | cut -d' ' -f3-)" \
	"$A0: XDP maps '$PIN': not loaded, and fwdrop_fallback is 'fail': 192.0.2.31 NOT blocked"
if command -v iptables >/dev/null; then
	check "fallback fail: no rule" eq "$("${IN_NS[@]}" iptables -S | grep -c 192.0.2.31)" 0
fi

# scripts/wazuh-install.sh is tested by tests/netns/test-install.sh.

finish
