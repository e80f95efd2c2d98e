#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Builds every libFuzzer target tests/fuzz/fuzz_*.c (clang, ASan + UBSan) into $OUTPUT/fuzz/
# and runs it. The user/lib/*.c library sources are compiled into each target directly, so the
# sanitizers see them; loader.c (the skeleton user) and the programs' main files are left out.
#
#   scripts/fuzz.sh            each target for FUZZ_SECONDS (default 60) over its corpus
#   scripts/fuzz.sh --short    replay every seed and regression input, then a few seconds of
#                              fuzzing each (the `make test` tier); under a minute in all
#   scripts/fuzz.sh TARGET...  only these targets (fuzz_alert, ...)
#
# Runs work on a copy of the corpus, so the repository never grows. A crash leaves its input in
# $OUTPUT/fuzz/artifacts/<target>/; minimise it (the command is printed) and add it to
# tests/fuzz/regressions/<target>/, which every run replays first.
# Prints "ok: <target> ..." per target; exits 1 on a finding, 77 when clang's libFuzzer is absent.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
OUTPUT=${OUTPUT:-build}
case "$OUTPUT" in /*) ;; *) OUTPUT="$ROOT/$OUTPUT" ;; esac
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
CLANG=${CLANG:-clang}
SHORT=0
if [ "${1:-}" = "--short" ]; then
	SHORT=1
	shift
fi
# Short mode: seconds of new fuzzing per target after the replay (8 targets, < 60 s in all,
# the build included).
SHORT_SECONDS=${FUZZ_SHORT_SECONDS:-2}
FUZZ_DIR="$OUTPUT/fuzz"
LIB_SRCS="addr alert arlog arproto btable config config_lean config_xml execq_parse log match oregex sbuf settings state tail util"
PKGS="libbpf libxml-2.0 libcjson zlib libelf"

command -v "$CLANG" >/dev/null 2>&1 || { echo "SKIP: $CLANG not installed"; exit 77; }
pkg-config --exists $PKGS 2>/dev/null || { echo "SKIP: development packages missing ($PKGS)"; exit 77; }
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' >"$probe/p.c"
"$CLANG" -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" >/dev/null 2>&1 ||
	{ echo "SKIP: $CLANG cannot link -fsanitize=fuzzer (install libclang-rt-dev)"; exit 77; }

if [ $# -gt 0 ]; then
	TARGETS="$*"
else
	TARGETS=$(for f in tests/fuzz/fuzz_*.c; do basename "$f" .c; done)
fi

mkdir -p "$FUZZ_DIR/obj" || exit 1
# -fno-sanitize-recover: a UBSan finding is a crash with an input, not a log line.
CFLAGS_F="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror \
	-Wno-unused-parameter -Ibpf -Iuser -Iuser/lib -I$OUTPUT $(pkg-config --cflags $PKGS) \
	-DFUZZ_ROOT=\"$ROOT\""
LIBS_F="$(pkg-config --libs $PKGS) -lm"

# Library objects once, instrumented for coverage (-fsanitize=fuzzer-no-link), shared by all.
objs=()
for s in $LIB_SRCS; do
	o="$FUZZ_DIR/obj/$s.o"
	if [ ! -e "$o" ] || [ "user/lib/$s.c" -nt "$o" ] || [ -n "$(find user -name '*.h' -newer "$o" | head -1)" ]; then
		# shellcheck disable=SC2086
		"$CLANG" ${CFLAGS_F/-fsanitize=fuzzer,/-fsanitize=fuzzer-no-link,} -c "user/lib/$s.c" -o "$o" ||
			{ echo "FAIL: compile user/lib/$s.c"; exit 1; }
	fi
	objs+=("$o")
done
for t in $TARGETS; do
	src="tests/fuzz/$t.c"
	[ -f "$src" ] || { echo "FAIL: no $src"; exit 1; }
	if [ ! -x "$FUZZ_DIR/$t" ] || [ -n "$(find "$src" "${objs[@]}" -newer "$FUZZ_DIR/$t" | head -1)" ]; then
		# shellcheck disable=SC2086
		"$CLANG" $CFLAGS_F "$src" "${objs[@]}" $LIBS_F -o "$FUZZ_DIR/$t" ||
			{ echo "FAIL: build $t"; exit 1; }
	fi
done
echo "built:" $TARGETS "-> $FUZZ_DIR"

failed=0
# LeakSanitizer runs at exit of each input batch; a leak is a finding like a crash.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for t in $TARGETS; do
	bin="$FUZZ_DIR/$t"
	seeds="tests/fuzz/corpus/$t"
	regs="tests/fuzz/regressions/$t"
	art="$FUZZ_DIR/artifacts/$t"
	work=$(mktemp -d "${TMPDIR:-/tmp}/arxdp-fuzz-$t.XXXXXX")
	mkdir -p "$art" "$work/corpus"
	[ -d "$seeds" ] && cp -r "$seeds/." "$work/corpus/"
	log="$work/log"
	common=(-rss_limit_mb=2048 -timeout=10 -artifact_prefix="$art/" -max_len=1100000)
	# Replay: every seed and every past crash, each must run clean.
	inputs=()
	[ -d "$seeds" ] && inputs+=("$seeds")
	[ -d "$regs" ] && inputs+=("$regs")
	nreg=$(find "$regs" -type f 2>/dev/null | wc -l)
	if [ ${#inputs[@]} -gt 0 ] && ! "$bin" "${common[@]}" -runs=0 "${inputs[@]}" >"$log" 2>&1; then
		grep -E 'ERROR|SUMMARY|runtime error|Running:|Test unit' "$log" | head -20
		echo "FAIL: $t: replay of the seeds and regressions"
		failed=$((failed + 1))
		rm -rf "$work"
		continue
	fi
	secs=$FUZZ_SECONDS
	[ "$SHORT" -eq 1 ] && secs=$SHORT_SECONDS
	if ! "$bin" "${common[@]}" -max_total_time="$secs" -print_final_stats=1 "$work/corpus" \
		>"$log" 2>&1; then
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -20
		crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
		echo "FAIL: $t: finding after fuzzing; input $crash"
		[ -n "$crash" ] && echo "  minimise: $bin -minimize_crash=1 -runs=10000 $crash" &&
			echo "  then: cp the result into tests/fuzz/regressions/$t/"
		failed=$((failed + 1))
	else
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
		cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
		echo "ok: $t: $(find "$seeds" -type f 2>/dev/null | wc -l) seeds and $nreg regressions replayed, ${execs:-0} runs in ${secs}s, $cov"
	fi
	rm -rf "$work"
done
[ "$failed" -eq 0 ] || { echo "$failed fuzz target(s) failed"; exit 1; }
exit 0
