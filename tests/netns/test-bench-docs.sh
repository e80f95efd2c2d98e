#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# docs/BENCHMARKS.md is written by `make bench` from scratch: a section with no generator (a
# heading written by hand) would silently vanish at the next run. `scripts/bench.sh
# --selftest` checks every heading against the report of a run that measured nothing and the
# tools' own output statements; this runs it on the real document and on a copy with one
# hand-written section added, which it must refuse. No root, no traffic, under a second: it
# lives in this tier only because that is the tier of shell tests.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
W=$(mktemp -d /tmp/arxdp-bench-docs.XXXXXX)
trap 'rm -rf "$W"' EXIT
fails=0

if out=$("$ROOT/scripts/bench.sh" --selftest 2>&1); then
	echo "ok every heading of docs/BENCHMARKS.md has a generator ($out)"
else
	echo "$out"
	echo "FAIL docs/BENCHMARKS.md has a section make bench does not write"
	fails=$((fails + 1))
fi

# The same check on a copy that has a section no generator writes: it must fail and name it.
mkdir -p "$W/scripts" "$W/docs" && cp -r "$ROOT/scripts/bench" "$ROOT/scripts/bench.sh" "$W/scripts/" &&
	cp -r "$ROOT/tools" "$W/" && cp "$ROOT/docs/BENCHMARKS.md" "$W/docs/" &&
	printf '\n## Tuning notes (by hand)\n\nwritten after a run\n' >>"$W/docs/BENCHMARKS.md" ||
	{ echo "FAIL cannot copy the generator to '$W'"; exit 1; }
if out=$("$W/scripts/bench.sh" --selftest 2>&1); then
	echo "FAIL a hand-written section passed the check: $out"
	fails=$((fails + 1))
elif grep -q "heading '## Tuning notes (by hand)': no generator" <<<"$out"; then
	echo "ok a hand-written section is refused, by name"
else
	echo "$out"
	echo "FAIL the check failed without naming the hand-written section"
	fails=$((fails + 1))
fi
[ "$fails" -eq 0 ]
