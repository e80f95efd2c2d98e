#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The benchmarks' calibration on this machine (issue 16, item 5): the figure of the empty
# program from calibrated calls must match a direct long measurement (one call of many
# frames, where no fixed cost can matter) within a few %, for the live-frames generator
# (tools/trafficgen, veth rig between two namespaces) and for the unit-cost bench
# (tools/bench-prog, BPF_PROG_TEST_RUN). Each side is the best of 5 runs, interleaved: other
# work on the machine only ever adds time, so the best run is the one both sides can agree on.
# And a plausibility bound the floor cannot meet must make trafficgen refuse, naming it.
. "$(dirname "$0")/lib.sh"
require_root
TG="$OUTPUT/tools/trafficgen"
BP="$OUTPUT/tools/bench-prog"
[ -x "$TG" ] && [ -x "$BP" ] || { echo "FAIL: tools not built"; exit 1; }
# percent, the unit-cost bench: the best of 5 of either side still differ by up to ~7% on this
# VM shared with builds (measured 8.81 against 9.43 ns); the error issue 16 is about is 1000x.
TOL=${CALIB_TOL:-10}
# Live frames through a veth on 2 shared CPUs vary by more between any two runs (the receiver
# is softirq work the scheduler interleaves with everything else), so a wider bound: what it
# catches is a fixed cost per call counted into the figure (issue 16: 10-1000x, not 10%).
LIVE_TOL=${CALIB_LIVE_TOL:-15}

GEN="arxc-g$TID" RX="arxc-r$TID" GDEV="xcg$TID" RDEV="xcr$TID"
ip netns add "$GEN" && _NAMESPACES+=("$GEN")
ip netns add "$RX" && _NAMESPACES+=("$RX")
ip link add "$GDEV" netns "$GEN" type veth peer name "$RDEV" netns "$RX" || exit 1
ip -n "$GEN" addr add 198.19.255.0/31 dev "$GDEV"
ip -n "$RX" addr add 198.19.255.1/31 dev "$RDEV"
ip -n "$GEN" link set "$GDEV" up
ip -n "$RX" link set "$RDEV" up
"$TG" attach --ns "$RX" --dev "$RDEV" --prog drop || exit 1

send() {
	"$TG" send --gen-ns "$GEN" --dev "$GDEV" --rx-ns "$RX" --rx-dev "$RDEV" --n 1000 \
		--src 198.18.0.0 --dst 198.19.255.1 --cpu 1 --count 200000000 "$@"
}
field() { tr ' ' '\n' | sed -n "s/^$1=//p"; }
best() { sort -g | head -1; }
within() { # A B PERCENT
	python3 -c "import sys; a, b, t = map(float, sys.argv[1:]); sys.exit(abs(a - b) > t / 100 * b)" "$@"
}

send --time 0.3 >/dev/null # warm-up
: >/tmp/arxc-$TID.cal
: >/tmp/arxc-$TID.dir
on_exit rm -f /tmp/arxc-$TID.cal /tmp/arxc-$TID.dir
for r in 1 2 3 4 5; do
	out=$(send --time 0.5 --max-ns 5000) || fail "calibrated send, run $r"
	echo "$out" | field ns_per_pkt >>/tmp/arxc-$TID.cal
	[ "$r" = 1 ] && echo "calibration: $(echo "$out" | tr ' ' '\n' | grep calib_ | tr '\n' ' ')"
	send --direct --count 60000000 | field ns_per_pkt >>/tmp/arxc-$TID.dir
done
cal=$(best </tmp/arxc-$TID.cal)
dir=$(best </tmp/arxc-$TID.dir)
echo "trafficgen floor: calibrated $cal ns/pkt ($(tr '\n' ' ' </tmp/arxc-$TID.cal)), direct (one call of 60M frames) $dir ns/pkt ($(tr '\n' ' ' </tmp/arxc-$TID.dir))"
check "trafficgen: calibrated floor within $LIVE_TOL% of the direct measurement" within "$cal" "$dir" "$LIVE_TOL"

out=$(send --time 0.3 --max-ns 1 2>&1)
check "trafficgen: refuses a floor above its plausible bound (exit non-zero)" [ $? -ne 0 ]
check "trafficgen: the refusal names the measured cost and the bound" \
	grep -q 'refused: .* ns per frame .* above the plausible 1 ns' <<<"$out"

: >/tmp/arxc-$TID.cal
: >/tmp/arxc-$TID.dir
for r in 1 2 3 4 5; do
	"$BP" --only floor --runs 5 --repeat 1000 | sed -n 's/^| floor: empty XDP_DROP | \([0-9.]*\) .*/\1/p' >>/tmp/arxc-$TID.cal
	"$BP" --only floor --runs 5 --repeat 100000000 --no-calibrate |
		sed -n 's/^| floor: empty XDP_DROP | \([0-9.]*\) .*/\1/p' >>/tmp/arxc-$TID.dir
done
cal=$(best </tmp/arxc-$TID.cal)
dir=$(best </tmp/arxc-$TID.dir)
echo "bench-prog floor: calibrated $cal ns ($(tr '\n' ' ' </tmp/arxc-$TID.cal)), direct (repeat 100,000,000) $dir ns ($(tr '\n' ' ' </tmp/arxc-$TID.dir))"
check "bench-prog: calibrated floor within $TOL% of the direct measurement" within "$cal" "$dir" "$TOL"
finish
