# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=bash
# Sourced by scripts/bench.sh: the data-plane rig (sender namespace -> veth -> receiver
# namespace), the contenders' set-up and counters, and one measured run. Uses the driver's
# TG, ARXDP, GEN, RX, GDEV, RDEV, PIN, WORK, RAW, TIME, GEN_CPU, CUR_N and log.

# xdpf_do ARGS: one xdp-filter command in the receiver's namespace. It takes a global lock
# file (/run/xdp-filter.lck) and fails at once while another xdp-filter holds it, or races
# it: a bounded retry.
xdpf_do() {
	local i p
	for i in 1 2 3 4 5; do
		# xdp-filter 1.3.1 leaves its lock file behind after `ip` (here, every time),
		# which blocks the next command: removed once its holder is gone (no such PID).
		p=$(cat /run/xdp-filter.lck 2>/dev/null)
		if [ -n "$p" ] && ! kill -0 "$p" 2>/dev/null; then
			rm -f /run/xdp-filter.lck
		fi
		in_rx_root xdp-filter "$@" 2>>"$WORK/xdpf.err" && return 0
		sleep 0.05
	done
	log "xdp-filter $*: failed: $(tail -1 "$WORK/xdpf.err")"
	return 1
}

# xdp-filter pins its maps in the root bpffs (/sys/fs/bpf/xdp-filter) and leaves them there
# when its interface goes with the namespace: the run removes them when it made them
# (XDPF_PINS_OURS, set by the driver before the first load).
xdpf_unload() {
	if [ -e "/run/netns/$RX" ]; then
		nsenter --net="/run/netns/$RX" xdp-filter unload "$RDEV" >/dev/null 2>&1
	fi
	if [ "${XDPF_PINS_OURS:-0}" = 1 ]; then
		rm -rf /sys/fs/bpf/xdp-filter
	fi
}

in_rx() { ip netns exec "$RX" "$@"; }
in_rx_root() { nsenter --net="/run/netns/$RX" "$@"; }

rig_up() {
	ip netns add "$RX" || return 1
	ip link add "$GDEV" netns "$GEN" type veth peer name "$RDEV" netns "$RX" || return 1
	ip -n "$GEN" addr add 198.19.255.0/31 dev "$GDEV"
	ip -n "$GEN" -6 addr add 2001:2:0:ff::2/64 dev "$GDEV" nodad
	ip -n "$GEN" link set "$GDEV" up
	ip -n "$RX" link set lo up
	ip -n "$RX" addr add 198.19.255.1/31 dev "$RDEV"
	ip -n "$RX" -6 addr add 2001:2:0:ff::1/64 dev "$RDEV" nodad
	ip -n "$RX" link set "$RDEV" up
	# Replies (ICMP port unreachable, rate limited) go to the sender's namespace only.
	ip -n "$RX" route add default via 198.19.255.0
	ip -n "$RX" -6 route add default via 2001:2:0:ff::2
	in_rx sysctl -qw net.ipv4.icmp_msgs_per_sec=100 >/dev/null 2>&1
	return 0
}

rig_down() {
	xdpf_unload
	ip netns del "$RX" >/dev/null 2>&1
	rm -rf "$PIN"
	# Freeing a million-entry map is deferred work that would run into the next figure.
	sleep 1
}

# Addresses: blocked sources from 198.18.0.0 (2001:2:0:1::), clean from 198.19.0.0
# (2001:2:0:2::), both uniform over min(N, 65024) for IPv4; sets beyond that are padded
# with 240.0.0.0/4 filler, which is never sent (trafficgen keys).
src_of() { # FAMILY TRAFFIC
	if [ "$1" = 4 ]; then
		[ "$2" = attack ] && echo 198.18.0.0 || echo 198.19.0.0
	else
		[ "$2" = attack ] && echo 2001:2:0:1:: || echo 2001:2:0:2::
	fi
}
dst_of() { [ "$1" = 4 ] && echo 198.19.255.1 || echo 2001:2:0:ff::1; }

keys() { # FAMILY N
	"$TG" keys --family "$1" --n "$2" --src "$(src_of "$1" attack)"
}

# setup CONTENDER FAMILY N: attach and fill; the netfilter ones under an XDP_PASS program,
# which veth needs to take xdp_frames at all.
setup() {
	local c=$1 fam=$2 n=$3 src
	src=$(src_of "$fam" attack)
	case "$c" in
	floor) "$TG" attach --ns "$RX" --dev "$RDEV" --prog drop ;;
	pass) "$TG" attach --ns "$RX" --dev "$RDEV" --prog pass ;;
	lookup | nocnt)
		"$TG" attach --ns "$RX" --dev "$RDEV" --prog "$c" --family "$fam" --n "$n" --src "$src"
		;;
	arxdp)
		"$TG" attach --ns "$RX" --dev "$RDEV" --prog arxdp --pin-dir "$PIN" --fill \
			--family "$fam" --n "$n" --src "$src" || return 1
		ARXDP_PIN_DIR="$PIN" "$ARXDP" status >/dev/null || return 1
		;;
	iptables)
		"$TG" attach --ns "$RX" --dev "$RDEV" --prog pass || return 1
		# Wazuh's firewall-drop does `iptables -I INPUT -s ADDR -j DROP` per address; one
		# restore builds the same chain (newest first) without N process spawns.
		{
			echo '*filter'
			keys 4 "$n" | tac | sed 's/^/-A INPUT -s /; s/$/ -j DROP/'
			echo COMMIT
		} >"$WORK/ipt.rules"
		in_rx iptables-restore <"$WORK/ipt.rules"
		;;
	ipset)
		"$TG" attach --ns "$RX" --dev "$RDEV" --prog pass || return 1
		{
			echo "create arxb hash:ip family inet timeout 86400 maxelem $((n < 65536 ? 65536 : n * 2)) hashsize $((n < 1024 ? 1024 : n))"
			keys 4 "$n" | sed 's/^/add arxb /'
		} >"$WORK/ipset.rules"
		in_rx ipset restore <"$WORK/ipset.rules" || return 1
		in_rx iptables -t raw -A PREROUTING -m set --match-set arxb src -j DROP
		;;
	nft)
		"$TG" attach --ns "$RX" --dev "$RDEV" --prog pass || return 1
		{
			echo 'table ip arxb {'
			echo '  set bl { type ipv4_addr; flags timeout; timeout 1d; }'
			echo '  chain pre { type filter hook prerouting priority raw; policy accept;'
			echo '    ip saddr @bl counter drop; }'
			echo '}'
			keys 4 "$n" | awk '{ if (NR % 10000 == 1) printf "%sadd element ip arxb bl { %s", (NR > 1 ? " }\n" : ""), $1; else printf ", %s", $1 } END { if (NR) print " }" }'
		} >"$WORK/nft.rules"
		in_rx nft -f "$WORK/nft.rules"
		;;
	xdpf | xdpf4)
		# The Debian xdp-tools product as shipped: its default object (all features) or
		# the IPv4 one (-f ipv4: xdpfilt_alw_ip), each behind libxdp's dispatcher, filled
		# with its own CLI. nsenter keeps the root bpffs that `ip netns exec` would hide.
		xdpf_do load "$RDEV" $([ "$c" = xdpf4 ] && echo -f ipv4) || return 1
		keys 4 "$n" | while read -r a; do xdpf_do ip "$a" -m src || exit 1; done || return 1
		[ "$(xdpf_do status | grep -c ' src ')" -ge "$n" ] ||
			{ log "xdp-filter holds fewer than $n addresses"; return 1; }
		;;
	*) return 1 ;;
	esac
}

# count CONTENDER: what the contender says it dropped so far (for the checks).
count() {
	case "$1" in
	arxdp) ARXDP_PIN_DIR="$PIN" "$ARXDP" stats --json |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["dropped_packets"])' ;;
	iptables) in_rx iptables -nvxL INPUT | awk 'NR > 2 { s += $1 } END { print s + 0 }' ;;
	ipset) in_rx iptables -t raw -nvxL PREROUTING | awk 'NR > 2 { s += $1 } END { print s + 0 }' ;;
	nft)
		# Listing fetches every set element (a minute at 1M, -t too): beyond 100k the
		# check falls back to the stack counters (nothing may reach UDP).
		if [ "$CUR_N" -gt 100000 ]; then echo skip; else
			in_rx nft list chain ip arxb pre | sed -n 's/.*counter packets \([0-9]*\).*/\1/p'
		fi
		;;
	xdpf | xdpf4)
		# Through a file: awk's early exit would kill xdp-filter with SIGPIPE mid-list, and
		# xdpf_do would take that for a failure and run it again.
		xdpf_do status >"$WORK/xdpf.status" &&
			awk '$1 == "XDP_DROP" { print $2; exit }' "$WORK/xdpf.status" ;;
	*) echo 0 ;;
	esac
}

# measure SECTION CONTENDER FAMILY N TRAFFIC RUN DIST: one run, one line of RAW.
measure() {
	local sec=$1 c=$2 fam=$3 n=$4 tr=$5 run=$6 dist=${7:-uniform} before after out
	local rx=0 ns_per_pkt=0 mpps=0 ip_in=0 udp_noports=0 loss=0 calib_rx=0 drops verdict
	before=$(count "$c")
	out=$("$TG" send --gen-ns "$GEN" --dev "$GDEV" --rx-ns "$RX" --rx-dev "$RDEV" \
		--family "$fam" --dist "$dist" --n "$n" --src "$(src_of "$fam" "$tr")" \
		--dst "$(dst_of "$fam")" --time "$TIME" --count 4000000000 --cpu "$GEN_CPU" \
		$([ "$c" = floor ] && echo --max-ns 5000)) ||
		{ log "send failed: $c N=$n $tr"; return 1; }
	echo "$c	$n	$tr	$(echo "$out" | tr ' ' '\n' | sed -n 's/^calib_//p' | tr '\n' ' ')" >>"$WORK/calib.tsv"
	after=$(count "$c")
	eval "$(echo "$out" | tr ' ' '\n' | sed -n 's/^\(rx\|ns_per_pkt\|mpps\|ip_in\|udp_noports\|loss\|calib_rx\)=/\1=/p')"
	rx=${rx:-0}
	if [ "$before" = skip ]; then
		# Dropped in netfilter: the stack saw every frame, UDP none of them.
		[ "$tr" = attack ] && drops=$((ip_in - udp_noports)) || drops=$((rx - udp_noports))
	else
		drops=$((after - before))
		# Under attack the contender also dropped the calibration frames sent before the
		# window (clean ones it passed, uncounted).
		[ "$tr" = attack ] && drops=$((drops - ${calib_rx:-0}))
	fi
	# What must have happened to every received frame, from the receiver's own counters.
	verdict=ok
	local tol=$((rx / 1000 + 16))
	within() { local d=$(($1 - $2)); [ ${d#-} -le $tol ]; }
	case "$c:$tr" in
	floor:*) within "$ip_in" 0 || verdict="stack saw $ip_in" ;;
	pass:*) within "$udp_noports" "$rx" || verdict="NoPorts $udp_noports of $rx" ;;
	lookup:attack | nocnt:attack) within "$ip_in" 0 || verdict="stack saw $ip_in" ;;
	arxdp:attack)
		within "$drops" "$rx" || verdict="dropped $drops of $rx"
		within "$ip_in" 0 || verdict="$verdict; stack saw $ip_in"
		;;
	*:attack) within "$drops" "$rx" || verdict="dropped $drops of $rx" ;;
	*:clean)
		within "$drops" 0 || verdict="dropped $drops clean"
		within "$udp_noports" "$rx" || verdict="$verdict; NoPorts $udp_noports of $rx"
		;;
	esac
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$sec" "$c" "$fam" "$n" "$tr" \
		"$dist" "$run" "$ns_per_pkt" "$mpps" "$rx" "$loss" "$verdict" >>"$RAW"
	[ "$verdict" = ok ] || log "CHECK FAILED: $c N=$n $tr run $run: $verdict"
}

