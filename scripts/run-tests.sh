#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Runs the three test tiers from the repository root: Criterion unit tests (no privileges),
# BPF_PROG_TEST_RUN datapath tables (root), and namespace tests with real traffic (root).
# A tier that lacks a capability says so and is skipped; anything else that fails, fails.
# The last line is the summary: "N passed, N failed, N skipped".
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
OUTPUT=${OUTPUT:-build}
export OUTPUT
FILTER=${TESTS:-}

passed=0 failed=0 skipped=0
failures=()

criterion_counts() { # FILE -> "pass fail"
	sed -n 's/.*Synthesis: Tested: *\([0-9]*\) | Passing: *\([0-9]*\) | Failing: *\([0-9]*\) | Crashing: *\([0-9]*\).*/\2 \3 \4/p' "$1" | tail -1
}

run_criterion() { # BINARY
	local bin=$1 log rc counts p f c
	log=$(mktemp)
	"$bin" --short-filename >"$log" 2>&1
	rc=$?
	counts=$(criterion_counts "$log")
	if [ -z "$counts" ]; then
		cat "$log"
		echo "FAIL $bin: no Criterion summary (exit $rc)"
		failed=$((failed + 1))
		failures+=("$bin")
	else
		read -r p f c <<<"$counts"
		passed=$((passed + p))
		failed=$((failed + f + c))
		if [ "$rc" -ne 0 ] || [ $((f + c)) -ne 0 ]; then
			grep -v '^\[----\] *$' "$log" | grep -E 'FAIL|CRASH|Assertion|expected|SKIP' | head -40
			failures+=("$bin")
			[ $((f + c)) -eq 0 ] && failed=$((failed + 1))
		fi
		skipped=$((skipped + $(grep -c '^\[SKIP\]' "$log")))
		printf '  %-40s %s passed, %s failed\n' "$(basename "$bin")" "$p" "$((f + c))"
	fi
	rm -f "$log"
}

selected() { [ -z "$FILTER" ] || [[ "$1" == *$FILTER* ]]; }

echo "== unit tests (Criterion)"
for t in "$OUTPUT"/tests/unit/test_*; do
	[ -x "$t" ] && selected "$t" && run_criterion "$t"
done

echo "== datapath tests (BPF_PROG_TEST_RUN)"
if [ "$(id -u)" -ne 0 ]; then
	echo "  skipped: needs root (CAP_BPF)"
	skipped=$((skipped + 1))
else
	for t in "$OUTPUT"/tests/bpf/test_*; do
		[ -x "$t" ] && selected "$t" && run_criterion "$t"
	done
fi

echo "== fuzzing (short libFuzzer runs over the corpora)"
if [ -x scripts/fuzz.sh ] && selected fuzz; then
	log=$(mktemp)
	if scripts/fuzz.sh --short >"$log" 2>&1; then
		n=$(grep -c '^ok' "$log")
		printf '  %-40s %s passed\n' "fuzz targets" "$n"
		passed=$((passed + n))
	elif [ $? -eq 77 ]; then
		printf '  %-40s skipped: %s\n' "fuzz targets" "$(grep '^SKIP' "$log" | head -1)"
		skipped=$((skipped + 1))
	else
		tail -20 "$log"
		failed=$((failed + 1))
		failures+=("scripts/fuzz.sh")
	fi
	rm -f "$log"
fi

echo "== namespace tests (real traffic)"
for t in tests/netns/test-*.sh; do
	[ -f "$t" ] && selected "$t" || continue
	log=$(mktemp)
	timeout --kill-after=10 600 bash "$t" >"$log" 2>&1
	rc=$?
	oks=$(grep -c '^ok' "$log")
	bad=$(grep -c '^FAIL' "$log")
	if [ "$rc" -eq 77 ]; then
		printf '  %-40s skipped: %s\n' "$(basename "$t")" "$(grep '^SKIP' "$log" | head -1)"
		skipped=$((skipped + 1))
	elif [ "$rc" -eq 0 ] && [ "$bad" -eq 0 ]; then
		printf '  %-40s %s passed\n' "$(basename "$t")" "$oks"
		passed=$((passed + oks))
		skipped=$((skipped + $(grep -c '^SKIP' "$log")))
	else
		grep -E '^(FAIL|SKIP|log\|)' "$log" | head -120
		[ "$rc" -eq 124 ] && echo "  $(basename "$t"): timed out"
		tail -5 "$log" | sed 's/^/    | /'
		printf '  %-40s %s passed, %s failed (exit %s)\n' "$(basename "$t")" "$oks" "$bad" "$rc"
		passed=$((passed + oks))
		failed=$((failed + (bad ? bad : 1)))
		failures+=("$t")
	fi
	rm -f "$log"
done

# The same user-space code again, built with AddressSanitizer and UndefinedBehaviorSanitizer:
# the unit and datapath tiers and the namespace tests that drive the daemon hardest.
if [ -n "${SAN_OUTPUT:-}" ]; then
	echo "== sanitizer pass (ASan + UBSan build in $SAN_OUTPUT)"
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
	for t in "$SAN_OUTPUT"/tests/unit/test_* "$SAN_OUTPUT"/tests/bpf/test_*; do
		[ -x "$t" ] && selected "$t" && run_criterion "$t"
	done
	for t in tests/netns/test-daemon.sh tests/netns/test-faults.sh tests/netns/test-execq.sh; do
		[ -f "$t" ] && selected "$t" || continue
		log=$(mktemp)
		OUTPUT=$SAN_OUTPUT timeout --kill-after=10 600 bash "$t" >"$log" 2>&1
		rc=$?
		oks=$(grep -c '^ok' "$log")
		bad=$(grep -c '^FAIL' "$log")
		if [ "$rc" -eq 0 ] && [ "$bad" -eq 0 ]; then
			printf '  %-40s %s passed\n' "$(basename "$t") (sanitized)" "$oks"
			passed=$((passed + oks))
		else
			grep -E '^FAIL|^log\||ERROR: (Address|Leak)Sanitizer|runtime error' "$log" | head -120
			printf '  %-40s %s passed, %s failed (exit %s)\n' "$(basename "$t") (sanitized)" \
				"$oks" "$bad" "$rc"
			passed=$((passed + oks))
			failed=$((failed + (bad ? bad : 1)))
			failures+=("$t (sanitized)")
		fi
		rm -f "$log"
	done
fi

echo
if [ ${#failures[@]} -ne 0 ]; then
	echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
