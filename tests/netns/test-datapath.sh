#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Real traffic through the XDP program: two test hosts in namespaces, each behind a veth whose
# root-namespace end carries arxdp. Blocks, CIDR blocks, IPv6, expiry, detach/attach and the
# CLI's error paths are checked against what actually crosses the wire and the counters.
. "$(dirname "$0")/lib.sh"
require_root

A=axa$TID B=axb$TID XA=xa$TID XB=xb$TID
ns_host "$A" "$XA" 198.18.1.1 198.18.1.2 2001:2:0:1::1 2001:2:0:1::2 || { echo "FAIL: setup"; exit 1; }
ns_host "$B" "$XB" 198.18.2.1 198.18.2.2 2001:2:0:2::1 2001:2:0:2::2 || { echo "FAIL: setup"; exit 1; }

check "attach to $XA" "$ARXDP" attach "$XA"
check "attach to $XB (second interface, same maps)" "$ARXDP" attach "$XB"
check "attacker reaches the host before any block" ping_ok "$A" 198.18.1.1
check "legitimate host reaches the host" ping_ok "$B" 198.18.2.1

# IPv4 exact block
check "block the attacker" "$ARXDP" block 198.18.1.2 --rule 5712 --level 10
check "attacker is dropped" ping_blocked "$A" 198.18.1.1
check "legitimate host still passes" ping_ok "$B" 198.18.2.1
n=$(block_packets 198.18.1.2)
check "drops counted on the block ($n)" test "$n" -ge 3
d=$(stat_get "['counters']['drop_v4']['packets']")
check "global drop_v4 counter ($d)" test "$d" -ge 3
check "counted on the receiving interface $XA" test "$(stat_get "['interfaces']['$(stat_row "$XA")']['counters']['drop_v4']['packets']")" -ge 3
check "nothing dropped on $XB" test "$(stat_get "['interfaces'].get('$XB',{}).get('dropped_packets',0)")" -eq 0
out=$("$ARXDP" list --json)
check "list shows the rule id" test "$(json_get "$out" "[e['rule_id'] for e in j if e['addr']=='198.18.1.2'][0]")" = 5712
check "list shows a permanent block" test "$(json_get "$out" "[e['expires_in'] for e in j if e['addr']=='198.18.1.2'][0]")" = None

# Shared maps: a block applies on every attached interface
check "block the second host too" "$ARXDP" block 198.18.2.2
check "second host dropped on the other interface" ping_blocked "$B" 198.18.2.1
check "unblock the second host" "$ARXDP" unblock 198.18.2.2
check "second host passes again" ping_ok "$B" 198.18.2.1

# A reload swaps the new program in on every interface running arxdp's, not only the one named
# (an interface left on the old program would ignore maps only the new one reads).
prog_id() { ip -j link show dev "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["xdp"]["prog"]["id"])'; }
old_a=$(prog_id "$XA") old_b=$(prog_id "$XB")
check "both interfaces run one program ($old_a, $old_b)" test "$old_a" = "$old_b"
check "reload on $XA" "$ARXDP" attach "$XA" --reload
new_a=$(prog_id "$XA") new_b=$(prog_id "$XB")
check "$XA runs the new program ($old_a -> $new_a)" test "$new_a" != "$old_a"
check "$XB was swapped too ($new_b)" test "$new_b" = "$new_a"
check "block on $XB's side after the reload" "$ARXDP" block 198.18.2.2
check "second host dropped by the reloaded program" ping_blocked "$B" 198.18.2.1
check "unblock the second host again" "$ARXDP" unblock 198.18.2.2
# A program pinned by an older build (revision 0: before the revision existed) is replaced by
# a plain attach, on every interface.
meta_set_rev0() {
	local v
	v=$(bpftool -j map lookup pinned "$ARXDP_PIN_DIR/meta" key 0 0 0 0) || return 1
	bpftool map update pinned "$ARXDP_PIN_DIR/meta" key 0 0 0 0 value $(json_get "$v" \
		"' '.join(j['value'][:11]) + ' 0x00 ' + ' '.join(j['value'][12:])")
}
check "pin set marked as an older build's" meta_set_rev0
out=$("$ARXDP" attach "$XA" 2>&1)
check "attach says it replaces an older build's program" grep -q "pinned by an older arxdp (revision 0" <<<"$out"
rev_a=$(prog_id "$XA") rev_b=$(prog_id "$XB")
check "$XA runs this build's program ($new_a -> $rev_a)" test "$rev_a" != "$new_a"
check "$XB too ($rev_b)" test "$rev_b" = "$rev_a"
out=$("$ARXDP" attach "$XA" 2>&1)
check "a second attach keeps the program" test "$(prog_id "$XA")" = "$rev_a"
check "and says nothing about revisions" eval '! grep -q revision <<<"$out"'

# Detach keeps the blocks, attach applies them again
check "detach $XA" "$ARXDP" detach "$XA"
check "without XDP the attacker passes" ping_ok "$A" 198.18.1.1
check "the block survived the detach" test "$(block_packets 198.18.1.2)" -ge 3
check "re-attach $XA" "$ARXDP" attach "$XA" --mode native
check "attacker dropped again after re-attach" ping_blocked "$A" 198.18.1.1
check "unblock the attacker" "$ARXDP" unblock 198.18.1.2
check "attacker passes after unblock" ping_ok "$A" 198.18.1.1

# IPv6 exact block
check "attacker reaches the host over IPv6" ping_ok "$A" 2001:2:0:1::1
check "block the attacker's IPv6 address" "$ARXDP" block 2001:2:0:1::2
check "IPv6 attacker dropped" ping_blocked "$A" 2001:2:0:1::1
check "IPv6 drops counted" test "$(stat_get "['counters']['drop_v6']['packets']")" -ge 1
check "IPv4 of the same host still passes" ping_ok "$A" 198.18.1.1
check "unblock IPv6" "$ARXDP" unblock 2001:2:0:1::2

# CIDR block
check "block 198.18.1.2/31" "$ARXDP" block 198.18.1.2/31
check "attacker dropped by the prefix" ping_blocked "$A" 198.18.1.1
check "prefix drops counted" test "$(stat_get "['counters']['drop_cidr_v4']['packets']")" -ge 1
check "refuse a prefix covering this host" eval '! "$ARXDP" block 198.18.1.0/24 2>/dev/null'
check "unblock the prefix" "$ARXDP" unblock 198.18.1.2/31
check "attacker passes after the prefix goes" ping_ok "$A" 198.18.1.1

# Expiry enforced by the program itself, no process deletes the entry
check "block with --timeout 2" "$ARXDP" block 198.18.1.2 --timeout 2
check "dropped while the block lives" ping_blocked "$A" 198.18.1.1
sleep 2
check "passes after expiry" ping_ok "$A" 198.18.1.1
out=$("$ARXDP" list --json --all)
check "expired entry still in the map, marked expired" test "$(json_get "$out" "[e['expired'] for e in j if e['addr']=='198.18.1.2'][0]")" = True
check "plain list hides it" test "$("$ARXDP" list --json)" = "[]"
check "sweep removes it" "$ARXDP" sweep
check "gone after sweep" test "$(json_get "$("$ARXDP" list --json --all)" "len(j)")" = 0

# Bulk load with bad lines: good lines load, bad ones are reported by number
list=$(mktemp)
on_exit rm -f "$list"
printf '# comment\n198.51.100.7\n\n203.0.113.0/24 1h\nnot-an-address\n2001:db8::1 30m # note\n198.51.100.8 5x\n' >"$list"
err=$("$ARXDP" block --from "$list" 2>&1 >/dev/null)
rc=$?
check "bulk load with bad lines exits non-zero" test "$rc" -ne 0
check "bad line 5 named" grep -q ":5: 'not-an-address'" <<<"$err"
check "bad line 7 named" grep -q ":7: duration '5x'" <<<"$err"
check "three good lines loaded" test "$(json_get "$("$ARXDP" list --json)" "len(j)")" = 3
check "flush" "$ARXDP" flush
check "nothing left after flush" test "$("$ARXDP" list --json)" = "[]"

# Bad input: clear message, non-zero exit, nothing changed
"$ARXDP" block 198.51.100.9 >/dev/null
for bad in "block 198.51.100.256" "block 203.0.113.5/24" "block 198.51.100.1 --timeout 5y" \
	"unblock 192.0.2.99" "attach nosuchif$TID" "detach nosuchif$TID" "block 127.0.0.1"; do
	out=$("$ARXDP" $bad 2>&1)
	rc=$?
	check "'arxdp $bad' fails with a message" test "$rc" -ne 0 -a -n "$out"
done
out=$("$ARXDP" --json block 198.51.100.256 2>/dev/null)
check "--json errors are JSON" test -n "$(json_get "$out" "j['error']")"
check "the earlier block is untouched" test "$(json_get "$("$ARXDP" list --json)" "[e['addr'] for e in j]")" = "['198.51.100.9']"

# status names both interfaces and their mode
st=$("$ARXDP" status --json)
check "status lists both interfaces as arxdp's" test "$(json_get "$st" "sorted(i['ifname'] for i in j['interfaces'] if i['arxdp'])")" = "['$XA', '$XB']"
check "status shows the native mode" test "$(json_get "$st" "set(i['mode'] for i in j['interfaces'] if i['arxdp'])")" = "{'native'}"
att=$(json_get "$st" "j['attachment']")
check "status says how it is attached ($att)" test "$att" = dispatcher -o "$att" = "plain (libxdp dispatcher unavailable)"
check "re-attach without the dispatcher" "$ARXDP" attach "$XB" --no-dispatcher
check "status says plain" test "$(json_get "$("$ARXDP" status --json)" "j['attachment']")" = plain
finish
