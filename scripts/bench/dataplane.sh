# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=bash
# Sourced by scripts/bench.sh: the data-plane matrix (every contender at every N, attack and
# clean traffic, RUNS runs per figure), the interleaved pair at N = 1,000, and in full runs
# IPv6 at 1M and the key-locality cases. Each run is one line of RAW (rig.sh's measure).

over_budget() { [ $(($(date +%s) - START)) -ge "$BUDGET_S" ]; }

# bench_one SECTION CONTENDER FAMILY N "TRAFFICS" [DIST]: fresh rig, warm-up, RUNS runs,
# attack and clean interleaved so drift hits both alike.
bench_one() {
	local sec=$1 c=$2 fam=$3 n=$4 traffics=$5 dist=${6:-uniform} r tr
	if [ -n "$CONTENDERS" ] && ! [[ " $CONTENDERS " == *" $c "* ]]; then
		return 0
	fi
	if over_budget; then
		log "time budget spent: skipping $c N=$n"
		return 0
	fi
	if [ -n "${BENCH_SEED_RAW:-}" ] &&
		awk -F'\t' -v s="$sec" -v c="$c" -v f="$fam" -v n="$n" -v d="$dist" \
			'$1 == s && $2 == c && $3 == f && $4 == n && $6 == d { hit = 1 } END { exit !hit }' "$RAW"; then
		log "$sec: $c IPv$fam N=$n: already measured (seed)"
		return 0
	fi
	CUR_N=$n
	log "$sec: $c IPv$fam N=$n ($traffics, $dist)"
	rig_up || { log "rig failed"; rig_down; return 1; }
	if ! setup "$c" "$fam" "$n"; then
		log "setup failed: $c N=$n"
		rig_down
		return 1
	fi
	# Warm-up: caches, and the hash buckets every later run walks.
	for tr in $traffics; do
		"$TG" send --gen-ns "$GEN" --dev "$GDEV" --rx-ns "$RX" --rx-dev "$RDEV" \
			--family "$fam" --dist "$dist" --n "$n" --src "$(src_of "$fam" "$tr")" \
			--dst "$(dst_of "$fam")" --time "$TIME" --cpu "$GEN_CPU" >/dev/null
	done
	for ((r = 1; r <= RUNS; r++)); do
		for tr in $traffics; do
			measure "$sec" "$c" "$fam" "$n" "$tr" "$r" "$dist"
		done
	done
	rig_down
}

# The 1.3x goal compares two programs a few ns apart, and this VM drifts by more than that
# between rigs built minutes apart (the floor alone reads differently at every N above). So
# the pair is also measured on one rig, arxdp's maps filled once, the two programs swapped
# on the same veth before every run: drift then hits both alike, and each pair gives a ratio.
bench_pair() {
	local n=$1 r
	[ -z "$CONTENDERS" ] || [[ " $CONTENDERS " == *" pair "* ]] || return 0
	over_budget && { log "time budget spent: skipping the interleaved pair"; return 0; }
	log "pair: floor, arxdp, bare lookup, no-count variant, IPv4 N=$n, interleaved ($((RUNS * 2)) runs each)"
	rig_up || { log "rig failed"; rig_down; return 1; }
	if ! setup arxdp 4 "$n"; then
		log "setup failed: arxdp N=$n"
		rig_down
		return 1
	fi
	"$TG" send --gen-ns "$GEN" --dev "$GDEV" --rx-ns "$RX" --rx-dev "$RDEV" --family 4 \
		--n "$n" --src "$(src_of 4 attack)" --dst "$(dst_of 4)" --time "$TIME" \
		--cpu "$GEN_CPU" >/dev/null
	# The bare lookup and the variant without counts ride along: they say where the gap goes.
	for ((r = 1; r <= RUNS * 2; r++)); do
		"$TG" attach --ns "$RX" --dev "$RDEV" --prog drop --capacity 1 || return 1
		measure pair floor 4 "$n" attack "$r"
		"$TG" attach --ns "$RX" --dev "$RDEV" --prog arxdp --pin-dir "$PIN" || return 1
		measure pair arxdp 4 "$n" attack "$r"
		for c in lookup nocnt; do
			"$TG" attach --ns "$RX" --dev "$RDEV" --prog "$c" --family 4 --n "$n" \
				--src "$(src_of 4 attack)" || return 1
			measure pair "$c" 4 "$n" attack "$r"
		done
	done
	rig_down
}

# The peers' table needs the same: contenders a few ns apart, on rigs built minutes apart, read
# the VM's drift (negative marginal costs in the per-rig table). So at every N <= XDPF_MAX the
# peers also share one rig: arxdp's maps and xdp-filter's (pinned, kept across its unload with
# -k, shared by both of its objects) are filled once, and every round swaps each contender in
# on the same veth, in an order rotated per round, for one attack and one clean run each.
# nftables' set is loaded for its own runs only (under a bare XDP_PASS, as in setup()), since
# its hook would also tax the clean traffic of every other contender.
peer_in() { # CONTENDER: attach it (the previous one is out)
	case "$1" in
	floor) "$TG" attach --ns "$RX" --dev "$RDEV" --prog drop --capacity 1 ;;
	pass) "$TG" attach --ns "$RX" --dev "$RDEV" --prog pass ;;
	arxdp) "$TG" attach --ns "$RX" --dev "$RDEV" --prog arxdp --pin-dir "$PIN" ;;
	xdpf | xdpf4)
		# libxdp refuses an interface that runs a program of someone else's.
		ip -n "$RX" link set dev "$RDEV" xdp off &&
			xdpf_do load "$RDEV" $([ "$1" = xdpf4 ] && echo -f ipv4)
		;;
	nft)
		"$TG" attach --ns "$RX" --dev "$RDEV" --prog pass &&
			in_rx nft -f "$WORK/nft.rules"
		;;
	esac
}
peer_out() { # CONTENDER: undo what peer_in did beyond the attach
	case "$1" in
	xdpf | xdpf4) xdpf_do unload -k "$RDEV" ;;
	nft) in_rx nft delete table ip arxb ;;
	esac
}

bench_peers() {
	local n=$1 r i k c tr list=(floor pass arxdp xdpf4 xdpf nft) order
	[ -z "$CONTENDERS" ] || [[ " $CONTENDERS " == *" peers "* ]] || return 0
	command -v xdp-filter >/dev/null || { log "peers on one rig: no xdp-filter"; return 0; }
	over_budget && { log "time budget spent: skipping the peers on one rig at N=$n"; return 0; }
	log "peers on one rig: ${list[*]}, IPv4 N=$n, $RUNS rounds"
	CUR_N=$n
	rig_up || { log "rig failed"; rig_down; return 1; }
	# Fills: arxdp's pins, xdp-filter's pinned maps, the nft rules file (setup() writes it).
	if ! setup xdpf4 4 "$n" || ! xdpf_do unload -k "$RDEV" || ! setup nft 4 "$n" ||
		! peer_out nft || ! setup arxdp 4 "$n"; then
		log "peers: set-up failed at N=$n"
		rig_down
		return 1
	fi
	for tr in attack clean; do
		"$TG" send --gen-ns "$GEN" --dev "$GDEV" --rx-ns "$RX" --rx-dev "$RDEV" --family 4 \
			--n "$n" --src "$(src_of 4 "$tr")" --dst "$(dst_of 4)" --time "$TIME" \
			--cpu "$GEN_CPU" >/dev/null
	done
	for ((r = 1; r <= RUNS; r++)); do
		order=()
		for ((i = 0; i < ${#list[@]}; i++)); do
			order+=("${list[$(((i + r) % ${#list[@]}))]}")
		done
		for c in "${order[@]}"; do
			peer_in "$c" || { log "peers: cannot swap in $c"; rig_down; return 1; }
			for tr in attack clean; do
				[ "$c" = floor ] && [ "$tr" = clean ] && continue
				[ "$c" = pass ] && [ "$tr" = attack ] && continue
				measure peers "$c" 4 "$n" "$tr" "$r"
			done
			peer_out "$c" || { log "peers: cannot swap out $c"; rig_down; return 1; }
		done
	done
	rig_down
}

run_dataplane() {
	local n c
	log "data plane matrix: N = $NLIST, $RUNS runs of ${TIME}s each"
	for n in $NLIST; do
		bench_one matrix floor 4 "$n" "attack"
		bench_one matrix pass 4 "$n" "clean"
		bench_one matrix arxdp 4 "$n" "attack clean"
		bench_one matrix lookup 4 "$n" "attack clean"
		bench_one matrix nocnt 4 "$n" "attack"
		if [ "$n" -le "$IPT_MAX" ]; then
			bench_one matrix iptables 4 "$n" "attack clean"
		fi
		bench_one matrix ipset 4 "$n" "attack clean"
		bench_one matrix nft 4 "$n" "attack clean"
		if [ "$n" -le "$XDPF_MAX" ]; then
			bench_one matrix xdpf 4 "$n" "attack clean"
			bench_one matrix xdpf4 4 "$n" "attack clean"
		fi
	done
	bench_pair 1000
	for n in $NLIST; do
		[ "$n" -gt "$XDPF_MAX" ] || bench_peers "$n"
	done

	if [ "$QUICK" -eq 0 ]; then
		# IPv4 cannot carry a million distinct sources inside 198.18.0.0/15; IPv6 can: the
		# uniform-over-all-N case of the 1.2x goal, arxdp against the bare lookup.
		for c in floor arxdp lookup nocnt; do
			bench_one v6 "$c" 6 1000000 "attack"
		done
		for c in arxdp lookup; do
			bench_one hot "$c" 4 1000000 "attack" hot
			bench_one one "$c" 4 1000000 "attack" one
		done
	fi
}
