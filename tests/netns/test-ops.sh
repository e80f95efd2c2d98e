#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# What an operator relies on: `make install` into a DESTDIR and the installed binaries, the
# systemd unit (systemd-analyze verify), the Prometheus exposition against `arxdp stats` after
# real traffic (a strict parser of the text format), the atomic textfile, `arxdp top` in a real
# terminal (tmux), and coexistence with a foreign XDP program on the same interface.
. "$(dirname "$0")/lib.sh"
require_root
command -v python3 >/dev/null || skip "python3 missing"

W=$(mktemp -d /tmp/arxdp-ops.XXXXXX)
on_exit rm -rf "$W"

# ---- install into a DESTDIR, run what was installed ----
D=$W/dest
if make -C "$ROOT" --no-print-directory -s OUTPUT="$OUTPUT" DESTDIR="$D" PREFIX=/usr install \
	>"$W/install.log" 2>&1; then
	ok "make install DESTDIR PREFIX=/usr"
else
	fail "make install DESTDIR PREFIX=/usr"
	tail -5 "$W/install.log"
fi
for f in usr/sbin/arxdp usr/sbin/arxdpd usr/sbin/firewall-drop; do
	check "installed $f is executable" test -x "$D/$f"
done
for f in usr/lib/arxdp/arxdp.bpf.o usr/lib/systemd/system/arxdpd.service \
	usr/share/man/man8/arxdp.8 usr/share/man/man8/arxdpd.8 usr/share/man/man5/arxdp.conf.5 \
	usr/share/bash-completion/completions/arxdp etc/arxdp/arxdp.conf; do
	check "installed $f" test -s "$D/$f"
done
check "state directory is 0700" test "$(stat -c %a "$D/var/lib/arxdp" 2>/dev/null)" = 700
check "the unit starts the installed daemon" grep -qx 'ExecStart=/usr/sbin/arxdpd -f' \
	"$D/usr/lib/systemd/system/arxdpd.service"
check "installed arxdp --help" "$D/usr/sbin/arxdp" --help
check "installed arxdp help lists metrics and top" eval \
	'"$D/usr/sbin/arxdp" help | grep -q "^  metrics" && "$D/usr/sbin/arxdp" help | grep -q "^  top"'
check "installed arxdpd --help" eval '"$D/usr/sbin/arxdpd" --help | grep -q "^Usage: arxdpd"'
check "installed arxdp top --help" eval '"$D/usr/sbin/arxdp" top --help | grep -q -- --interval'
timeout 5 "$D/usr/sbin/firewall-drop" </dev/null >/dev/null 2>&1
rc=$?
check "installed firewall-drop runs and rejects empty input (exit $rc)" test "$rc" -ne 0 -a "$rc" -lt 124
out=$("$D/usr/sbin/arxdp" --pin-dir "$ARXDP_PIN_DIR" status 2>&1)
check "installed arxdp status on an empty test pin dir" eval 'grep -q "not loaded" <<<"$out"'
for p in man/arxdp.8 man/arxdpd.8 man/arxdp.conf.5; do
	w=$(MANWIDTH=100 man --warnings -l "$D/usr/share/$(sed 's|man/\(.*\)\.\([58]\)$|man/man\2/\1.\2|' <<<"$p")" 2>&1 >/dev/null)
	check "$p renders without warnings" test -z "$w"
done
# The completion offers the new commands and the interfaces.
comp=$(bash -c 'source "$1"; COMP_WORDS=(arxdp t); COMP_CWORD=1; _arxdp; echo "${COMPREPLY[*]}"' _ \
	"$D/usr/share/bash-completion/completions/arxdp")
check "bash completion: 't' completes to top ($comp)" test "$comp" = top

# An operator's configuration is never overwritten, and survives uninstall.
echo '<!-- changed by the operator -->' >>"$D/etc/arxdp/arxdp.conf"
make -C "$ROOT" --no-print-directory -s OUTPUT="$OUTPUT" DESTDIR="$D" PREFIX=/usr install \
	>"$W/install2.log" 2>&1
check "re-install keeps a changed arxdp.conf" grep -q 'changed by the operator' "$D/etc/arxdp/arxdp.conf"
check "re-install puts the shipped one next to it" cmp -s "$ROOT/conf/arxdp.conf" "$D/etc/arxdp/arxdp.conf.dist"
make -C "$ROOT" --no-print-directory -s OUTPUT="$OUTPUT" DESTDIR="$D" PREFIX=/usr uninstall \
	>"$W/uninstall.log" 2>&1
check "uninstall removes the binaries" test ! -e "$D/usr/sbin/arxdp" -a ! -e "$D/usr/sbin/arxdpd"
check "uninstall removes the unit, man pages, completion" test ! -e "$D/usr/lib/systemd/system/arxdpd.service" \
	-a ! -e "$D/usr/share/man/man8/arxdp.8" -a ! -e "$D/usr/share/bash-completion/completions/arxdp"
check "uninstall keeps the changed configuration" test -e "$D/etc/arxdp/arxdp.conf"
check "uninstall keeps the state directory" test -d "$D/var/lib/arxdp"
D2=$W/dest2
make -C "$ROOT" --no-print-directory -s OUTPUT="$OUTPUT" DESTDIR="$D2" PREFIX=/usr install >/dev/null 2>&1
make -C "$ROOT" --no-print-directory -s OUTPUT="$OUTPUT" DESTDIR="$D2" PREFIX=/usr uninstall >/dev/null 2>&1
check "uninstall removes an unchanged configuration" test ! -e "$D2/etc/arxdp/arxdp.conf"

# ---- systemd unit ----
if command -v systemd-analyze >/dev/null; then
	# Installed under a real prefix so ExecStart= names an executable that exists and the
	# Documentation= man pages resolve (verify checks both).
	P=$W/pfx
	make -C "$ROOT" --no-print-directory -s OUTPUT="$OUTPUT" PREFIX="$P" SYSCONFDIR="$P/etc" \
		STATEDIR="$P/var/lib/arxdp" install >/dev/null 2>&1
	check "PREFIX rewrites ExecStart" grep -qx "ExecStart=$P/sbin/arxdpd -f" "$P/lib/systemd/system/arxdpd.service"
	v=$(MANPATH="$P/share/man" systemd-analyze verify "$P/lib/systemd/system/arxdpd.service" 2>&1)
	rc=$?
	check "systemd-analyze verify arxdpd.service${v:+: $v}" test "$rc" -eq 0 -a -z "$v"
	check "the unit is Type=notify and never detaches on stop" eval \
		'grep -qx "Type=notify" "$ROOT/conf/arxdpd.service" && ! grep -q "^ExecStop" "$ROOT/conf/arxdpd.service"'
else
	echo "SKIP: systemd-analyze verify: systemd-analyze is not installed (Debian package systemd)"
fi

# ---- metrics after real traffic ----
A=opa$TID B=opb$TID XA=oa$TID XB=ob$TID
ns_host "$A" "$XA" 198.18.41.1 198.18.41.2 2001:2:0:41::1 2001:2:0:41::2 || { echo "FAIL: setup"; exit 1; }
ns_host "$B" "$XB" 198.18.42.1 198.18.42.2 2001:2:0:42::1 2001:2:0:42::2 || { echo "FAIL: setup"; exit 1; }
check "attach to $XA (native)" "$ARXDP" attach "$XA" --mode native
check "attach to $XB (skb)" "$ARXDP" attach "$XB" --mode skb
check "block the attacker" "$ARXDP" block 198.18.41.2 --rule 5712 --level 10 --timeout 1h
check "block an IPv6 prefix" "$ARXDP" block 2001:db8:77::/48
# Before the first packet every attached interface has its series, at 0 (Prometheus' rule).
m0=$("$ARXDP" metrics)
for x in "$XA" "$XB"; do
	check "series of $x at 0 before any packet" grep -q \
		"^arxdp_dropped_packets_total{ifname=\"$x\",family=\"ipv6\"} 0$" <<<"$m0"
done
ping_some "$A" 198.18.41.1 10
ping_some "$B" 198.18.42.1 5
check "legitimate host passes" ping_ok "$B" 198.18.42.1

cat >"$W/promparse.py" <<'PY'
# Strict parser of the Prometheus text exposition format 0.0.4, as arxdp must write it:
# HELP then TYPE before a family's samples, each family once and contiguous, valid names,
# label escapes, no duplicate series, float values, counters never negative.
import json, re, sys
NAME = re.compile(r'[a-zA-Z_:][a-zA-Z0-9_:]*$')
LABEL = re.compile(r'[a-zA-Z_][a-zA-Z0-9_]*$')
TYPES = {"counter", "gauge", "untyped", "histogram", "summary"}

def die(n, msg, line):
    sys.exit("line %d: %s: %r" % (n, msg, line))

def labels(s, n, line):
    out, i = {}, 0
    while i < len(s):
        m = re.match(r'([a-zA-Z_][a-zA-Z0-9_]*)="', s[i:])
        if not m:
            die(n, "bad label", line)
        k = m.group(1); i += m.end(); v = ""
        while True:
            if i >= len(s):
                die(n, "unterminated label value", line)
            c = s[i]
            if c == "\\":
                e = s[i + 1:i + 2]
                if e not in ("\\", '"', "n"):
                    die(n, "bad escape", line)
                v += {"n": "\n"}.get(e, e); i += 2
            elif c == '"':
                i += 1; break
            elif c == "\n":
                die(n, "newline in label", line)
            else:
                v += c; i += 1
        if k in out:
            die(n, "duplicate label " + k, line)
        out[k] = v
        if i < len(s):
            if s[i] != ",":
                die(n, "expected ,", line)
            i += 1
    return out

fams, order, cur, seen = {}, [], None, set()
text = sys.stdin.read()
if not text.endswith("\n"):
    sys.exit("exposition does not end with a newline")
for n, line in enumerate(text.split("\n")[:-1], 1):
    if not line:
        die(n, "empty line", line)
    if line.startswith("#"):
        p = line.split(" ", 3)
        if len(p) >= 3 and p[1] in ("HELP", "TYPE"):
            name = p[2]
            if not NAME.match(name):
                die(n, "bad metric name", line)
            f = fams.setdefault(name, {"help": None, "type": None, "samples": []})
            if f["samples"]:
                die(n, p[1] + " after samples", line)
            if p[1] == "HELP":
                if f["help"] is not None or len(p) < 4:
                    die(n, "HELP twice or empty", line)
                f["help"] = p[3]
            else:
                if f["type"] is not None or len(p) != 4 or p[3] not in TYPES:
                    die(n, "bad TYPE", line)
                f["type"] = p[3]
            if name != cur:
                if name in order:
                    die(n, "family not contiguous", line)
                order.append(name); cur = name
        continue
    m = re.match(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$', line)
    if not m:
        die(n, "bad sample", line)
    name, lab, val = m.group(1), labels(m.group(3) or "", n, line), m.group(4)
    if name != cur:
        die(n, "sample outside its family (no TYPE, or interleaved)", line)
    try:
        v = float(val)
    except ValueError:
        die(n, "bad value", line)
    f = fams[name]
    if f["type"] is None:
        die(n, "sample before TYPE", line)
    if f["type"] == "counter" and not v >= 0:
        die(n, "negative counter", line)
    key = (name, tuple(sorted(lab.items())))
    if key in seen:
        die(n, "duplicate series", line)
    seen.add(key)
    f["samples"].append({"labels": lab, "value": v})
json.dump(fams, sys.stdout)
PY
prom() { python3 "$W/promparse.py"; }
# m JSON EXPR: evaluates EXPR over the parsed families `f`; s(name, **labels) sums samples.
m() {
	printf '%s' "$1" | python3 -c '
import json, sys
f = json.load(sys.stdin)
def s(name, **kw):
    return sum(x["value"] for x in f.get(name, {"samples": []})["samples"]
               if all(x["labels"].get(k) == v for k, v in kw.items()))
print(eval(sys.argv[1]))' "$2"
}

st1=$("$ARXDP" stats --json)
"$ARXDP" metrics >"$W/m.prom" 2>"$W/m.err"
rc=$?
st2=$("$ARXDP" stats --json)
check "arxdp metrics exits 0" test "$rc" -eq 0
if mj=$(prom <"$W/m.prom" 2>"$W/parse.err"); then
	ok "metrics parse strictly ($(wc -l <"$W/m.prom") lines)"
else
	fail "metrics parse strictly: $(cat "$W/parse.err")"
	mj='{}'
fi
between() { # VALUE EXPR-over-stats: st1 <= VALUE <= st2
	local lo hi
	lo=$(json_get "$st1" "$2")
	hi=$(json_get "$st2" "$2")
	python3 -c "import sys; sys.exit(0 if $lo <= $1 <= $hi else 1)"
}
d=$(m "$mj" 's("arxdp_dropped_packets_total")')
check "dropped packets match stats ($d)" between "$d" "j['dropped_packets']"
check "drops were counted ($d >= 10)" python3 -c "import sys; sys.exit(0 if $d >= 10 else 1)"
db=$(m "$mj" 's("arxdp_dropped_bytes_total")')
check "dropped bytes match stats ($db)" between "$db" "j['dropped_bytes']"
p=$(m "$mj" 's("arxdp_passed_packets_total")')
check "passed packets match stats ($p)" between "$p" "j['passed_packets']"
RA=$(stat_row "$XA") RB=$(stat_row "$XB")
d4=$(m "$mj" "s('arxdp_dropped_packets_total', ifname='$RA', family='ipv4')")
check "drops on $XA ($RA) ipv4 match its row ($d4)" between "$d4" "j['interfaces']['$RA']['dropped_packets']"
c=$(m "$mj" "s('arxdp_counter_packets_total', ifname='$RA', counter='drop_v4')")
check "raw counter drop_v4 on $XA ($RA) matches ($c)" between "$c" "j['interfaces']['$RA']['counters']['drop_v4']['packets']"
if [ "$RA" != "$RB" ]; then
	check "nothing dropped on $XB" test "$(m "$mj" "s('arxdp_dropped_packets_total', ifname='$RB')")" = 0.0
else
	echo "SKIP: nothing dropped on $XB: it counts in row '$RB' with $XA (ifindex >= 1024)"
fi
check "blocks by origin: 2 from the CLI" test "$(m "$mj" "s('arxdp_blocks_total', origin='cli')")" = 2.0
check "blocked addresses: 1 IPv4, 1 IPv6" test "$(m "$mj" "(s('arxdp_blocked_addresses', family='ipv4'), s('arxdp_blocked_addresses', family='ipv6'))")" = "(1.0, 1.0)"
sj=$("$ARXDP" status --json)
check "map capacity matches status" test "$(m "$mj" "s('arxdp_map_capacity', map='block_v4')")" = "$(json_get "$sj" "float(j['maps']['block_v4']['capacity'])")"
check "map entries match status" test "$(m "$mj" "s('arxdp_map_entries', map='cidr_v6')")" = 1.0
check "xdp_attached $XA native" test "$(m "$mj" "s('arxdp_xdp_attached', ifname='$XA', mode='native')")" = 1.0
check "xdp_attached $XB skb" test "$(m "$mj" "s('arxdp_xdp_attached', ifname='$XB', mode='skb')")" = 1.0
ver=$("$ARXDP" version | awk '{print $2}')
check "build_info carries the version" test "$(m "$mj" "s('arxdp_build_info', version='$ver')")" = 1.0
check "counters are typed counter, gauges gauge" test "$(m "$mj" "(f['arxdp_dropped_packets_total']['type'], f['arxdp_map_capacity']['type'], f['arxdp_xdp_attached']['type'])")" = "('counter', 'gauge', 'gauge')"
check "no daemon: arxdpd_up 0" test "$(m "$mj" "s('arxdpd_up')")" = 0.0

# ---- textfile: atomic replacement, nothing else created ----
T=$W/textfile
mkdir "$T"
check "textfile written" "$ARXDP" metrics --textfile "$T/arxdp.prom"
check "textfile is 0644 (node-exporter reads it as its own user)" test "$(stat -c %a "$T/arxdp.prom")" = 644
check "textfile parses" eval 'prom <"$T/arxdp.prom" >/dev/null'
# A reader racing 40 rewrites must only ever see complete files.
(
	end=$((SECONDS + 20))
	while [ $SECONDS -lt $end ] && [ ! -e "$W/writer.done" ]; do
		if ! tail -n 1 "$T/arxdp.prom" | grep -q '^arxdpd_up '; then
			echo torn >"$W/torn"
			break
		fi
	done
) &
rpid=$!
# Held open, the first file's inode stays allocated, so a rename-based writer cannot get the
# same inode number back (a freed inode may be reused and make the check meaningless).
exec 7<"$T/arxdp.prom"
ino1=$(stat -c %i "$T/arxdp.prom")
werr=0
for i in $(seq 40); do "$ARXDP" metrics --textfile "$T/arxdp.prom" || werr=1; done
touch "$W/writer.done"
wait "$rpid"
check "40 rewrites succeed" test "$werr" -eq 0
check "a concurrent reader never saw a partial file" test ! -e "$W/torn"
check "each write replaces the inode (rename, not rewrite)" test "$(stat -c %i "$T/arxdp.prom")" != "$ino1"
exec 7<&-
check "no temporary file left behind" test "$(ls -A "$T")" = arxdp.prom
check "a missing directory is an error" eval '! "$ARXDP" metrics --textfile "$W/nodir/arxdp.prom" 2>/dev/null'
check "and nothing is created for it" test ! -e "$W/nodir"

# ---- a pin directory too long for the settings: refused, never cut short ----
long="/sys/fs/bpf/$(printf 'x%.0s' $(seq 600))"
for form in "--pin-dir $long list" "list --pin-dir $long"; do
	# shellcheck disable=SC2086 # word splitting of the form is the point
	err=$("$ARXDP" $form 2>&1 >/dev/null); rc=$?
	check "a 600-character --pin-dir ($(cut -c1-12 <<<"$form")...) exits 2 (rc $rc)" test "$rc" -eq 2
	check "and says it is too long" grep -q "too long: at most 511 characters" <<<"$err"
done
err=$(ARXDP_PIN_DIR=$long "$ARXDP" list 2>&1 >/dev/null); rc=$?
check "a 600-character ARXDP_PIN_DIR exits 2, not the default directory (rc $rc)" test "$rc" -eq 2
check "and says which variable" grep -q "environment 'ARXDP_PIN_DIR'" <<<"$err"

# ---- arxdp top ----
out=$("$ARXDP" top --once --interval 300 </dev/null)
check "top --once shows the header" grep -q '^arxdp top' <<<"$out"
check "top --once shows the blocked address" grep -q '^198\.18\.41\.2 ' <<<"$out"
check "top --once writes no escape sequence" eval '! grep -q $'"'"'\033'"'"' <<<"$out"'
n=$(timeout 10 "$ARXDP" top --iterations 3 --interval 100 </dev/null | grep -c '^arxdp top')
check "top --iterations 3 draws 3 frames ($n)" test "$n" = 3
check "top --interval below 100 ms is refused" eval '! "$ARXDP" top --interval 5 --once 2>/dev/null'

if command -v tmux >/dev/null; then
	TS="arxdp-t$TID"
	# A private server whose socket lives in $W: nothing of it outlives the test.
	TM=(tmux -S "$W/tmux.sock" -f /dev/null)
	on_exit "${TM[*]}" kill-server
	# The pane runs a shell: terminal settings before and after top are compared.
	"${TM[@]}" new-session -d -s "$TS" -x 120 -y 30 \
		"stty -a >'$W/stty.before'; ARXDP_PIN_DIR='$ARXDP_PIN_DIR' '$ARXDP' top --interval 300; echo \$? >'$W/top.rc'; stty -a >'$W/stty.after'; exec sleep 120"
	ping_some "$A" 198.18.41.1 30 &
	pp=$!
	sleep 1.5
	"${TM[@]}" capture-pane -p -t "$TS" >"$W/pane"
	wait "$pp"
	check "top (tmux): header on the first line" grep -q '^arxdp top - ' <(head -1 "$W/pane")
	check "top (tmux): column header" grep -q '^ADDRESS .*PKT/S .*PACKETS .*BYTES .*EXPIRES .*ORIGIN .*REASON' "$W/pane"
	row=$(grep '^198\.18\.41\.2 ' "$W/pane")
	check "top (tmux): the attacker's row with rule and origin ($row)" eval 'grep -q "cli .*rule 5712 level 10" <<<"$row"'
	rate=$(awk '{print $2}' <<<"$row")
	check "top (tmux): a drop rate while it is attacked ($rate)" eval '[[ "$rate" =~ ^[0-9.]+[kMG]?$ ]] && [ "$rate" != 0 ]'
	check "top (tmux): the IPv6 prefix row" grep -q '^2001:db8:77::/48 ' "$W/pane"
	check "top (tmux): no stray escape or control characters" eval '! grep -qP "[\x00-\x08\x0b-\x1f\x7f]|\[\?[0-9]+[hl]|\[[0-9;]*[HJKm]" "$W/pane"'
	check "top (tmux): no line wider than the terminal" test "$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$W/pane")" -le 120
	"${TM[@]}" send-keys -t "$TS" q
	for i in $(seq 50); do [ -e "$W/stty.after" ] && break; sleep 0.1; done
	check "top (tmux): q quits with status 0" test "$(cat "$W/top.rc" 2>/dev/null)" = 0
	check "top (tmux): terminal settings restored after q" cmp -s "$W/stty.before" "$W/stty.after"
	"${TM[@]}" capture-pane -p -t "$TS" >"$W/pane2"
	check "top (tmux): the normal screen is back (alternate screen left)" eval '! grep -q "^arxdp top" "$W/pane2"'
	"${TM[@]}" kill-session -t "$TS"

	# SIGTERM restores the terminal too.
	rm -f "$W/stty.after" "$W/top.rc"
	"${TM[@]}" new-session -d -s "$TS" -x 100 -y 20 \
		"stty -a >'$W/stty.before'; ARXDP_PIN_DIR='$ARXDP_PIN_DIR' '$ARXDP' top --interval 200; echo \$? >'$W/top.rc'; stty -a >'$W/stty.after'; exec sleep 120"
	sleep 0.8
	shpid=$("${TM[@]}" display-message -p -t "$TS" '#{pane_pid}')
	tpid=$(pgrep -P "$shpid" -x arxdp | head -1)
	if [ -n "$tpid" ]; then
		kill -TERM "$tpid"
		for i in $(seq 50); do [ -e "$W/stty.after" ] && break; sleep 0.1; done
		check "top (tmux): SIGTERM ends it with status 0" test "$(cat "$W/top.rc" 2>/dev/null)" = 0
		check "top (tmux): terminal settings restored after SIGTERM" cmp -s "$W/stty.before" "$W/stty.after"
	else
		fail "top (tmux): could not find the top process under pane pid $shpid"
	fi
	"${TM[@]}" kill-session -t "$TS"
else
	echo "SKIP: arxdp top in a terminal: tmux is not installed"
fi

# ---- coexistence with a foreign XDP program ----
MA=$(gcc -print-multiarch 2>/dev/null)
if clang -O2 -g -target bpf ${MA:+-idirafter /usr/include/$MA} -c "$ROOT/tests/netns/xdp_pass.bpf.c" \
	-o "$W/xdp_pass.bpf.o" 2>"$W/clang.err"; then
	ok "compile the foreign program"
else
	fail "compile the foreign program: $(head -3 "$W/clang.err")"
fi
C=opc$TID XC=oc$TID
ns_host "$C" "$XC" 198.18.43.1 198.18.43.2 2001:2:0:43::1 2001:2:0:43::2 || { echo "FAIL: setup"; exit 1; }
foreign_count() { # packets the foreign program on $XC counted
	local pid mid
	pid=$(ip -j link show dev "$XC" | python3 -c 'import json,sys; l=json.load(sys.stdin)[0]; print(l.get("xdp",{}).get("prog",{}).get("id",""))')
	[ -n "$pid" ] || { echo -1; return; }
	mid=$(bpftool -j prog show id "$pid" | python3 -c 'import json,sys; print(json.load(sys.stdin)["map_ids"][0])')
	bpftool -j map dump id "$mid" | python3 -c 'import json,sys; d=json.load(sys.stdin); e=d[0]; print(e.get("formatted",{}).get("value", int.from_bytes(bytes(int(b,16) for b in e["value"]),"little")))'
}
check "load the foreign program with ip link" ip link set dev "$XC" xdp obj "$W/xdp_pass.bpf.o" sec xdp
check "block the third host" "$ARXDP" block 198.18.43.2
err=$("$ARXDP" attach "$XC" 2>&1)
rc=$?
check "attach refuses to replace a foreign program" test "$rc" -ne 0
check "and says how (--force): $err" grep -q -- '--force' <<<"$err"
check "the foreign program is still there" eval 'ip link show dev "$XC" | grep -q "prog/xdp"'
check "status marks it foreign" eval '"$ARXDP" status | grep "$XC" | grep -q "foreign"'
check "metrics report it as not arxdp's (0)" test "$(m "$(prom <<<"$("$ARXDP" metrics)")" "s('arxdp_xdp_attached', ifname='$XC')")" = 0.0
check "detach refuses to touch it" eval '! "$ARXDP" detach "$XC" 2>/dev/null'
check "traffic still flows through the foreign program" ping_ok "$C" 198.18.43.1
fc=$(foreign_count)
check "the foreign program saw that traffic ($fc)" test "$fc" -ge 3
check "attach --force replaces it" "$ARXDP" attach "$XC" --force
check "status shows arxdp on $XC" eval '"$ARXDP" status | grep "$XC" | grep -vq foreign'
check "arxdp drops there now" ping_blocked "$C" 198.18.43.1
check "detach $XC" "$ARXDP" detach "$XC"

# Several programs on one interface need libxdp's dispatcher, which needs BPF trampolines
# (freplace). Detect it with xdp-loader itself on a scratch interface.
if ! command -v xdp-loader >/dev/null; then
	echo "SKIP: multi-program coexistence: xdp-loader (xdp-tools) is not installed"
else
	xl=$(xdp-loader load -v -m skb "$XC" "$W/xdp_pass.bpf.o" 2>&1)
	on_exit xdp-loader unload --all "$XC"
	st=$(xdp-loader status "$XC" 2>&1)
	if grep -q xdp_dispatcher <<<"$st"; then
		# The dispatcher runs here (not on the machine this was written on: untested).
		if "$ARXDP" attach "$XC" --mode skb >/dev/null 2>&1 && xdp-loader status "$XC" | grep -q arxdp; then
			check "multi-program: arxdp drops through the dispatcher" ping_blocked "$C" 198.18.43.1
			check "multi-program: the other program is still loaded" eval 'xdp-loader status "$XC" | grep -q xdp_pass'
			"$ARXDP" unblock 198.18.43.2 >/dev/null
			check "multi-program: unblocked traffic passes both programs" ping_ok "$C" 198.18.43.1
		else
			echo "SKIP: multi-program coexistence: libxdp's dispatcher runs on this kernel, but arxdp's loader does not attach through it yet"
		fi
	else
		reason=$(grep -m1 -iE 'compatibility check|dispatcher' <<<"$xl" | sed 's/^ *libxdp: //')
		echo "SKIP: multi-program coexistence: libxdp's dispatcher cannot run on this kernel" \
			"(${reason:-xdp-loader fell back to a single program}): it needs BPF trampolines" \
			"(freplace), absent from kernels built without ftrace"
	fi
	xdp-loader unload --all "$XC" >/dev/null 2>&1
fi

finish
