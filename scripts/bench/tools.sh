# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=bash
# Sourced by scripts/bench.sh: every benchmark tool besides the data-plane matrix. Each tool's
# stdout, stderr and exit status land in $TOOLS/NAME.{out,err,rc}, or $TOOLS/NAME.skip holds
# why it was not run; scripts/bench/report*.py turn them into sections, including a section
# that says why when a tool could not run, so no section vanishes from docs/BENCHMARKS.md.

# run_tool NAME SECONDS CMD...: runs CMD bounded; a failure is logged, never fatal.
run_tool() {
	local name=$1 limit=$2 rc
	shift 2
	log "$name"
	timeout "$limit" "$@" >"$TOOLS/$name.out" 2>"$TOOLS/$name.err"
	rc=$?
	echo "$rc" >"$TOOLS/$name.rc"
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
		tail -5 "$TOOLS/$name.err" >&2
		log "$name: failed: exit $rc"
	fi
	return 0
}

# skip_tool NAME REASON: the section says REASON instead of figures.
skip_tool() {
	echo "$2" >"$TOOLS/$1.skip"
	log "$1: not run: $2"
}

# runnable NAME PATH [SKIPVAR]: 0 when PATH is executable and SKIPVAR is unset; otherwise
# records why not.
runnable() {
	if [ -n "${3:-}" ] && [ -n "${!3:-}" ]; then
		skip_tool "$1" "left out of this run ($3=${!3})"
		return 1
	fi
	if [ "$OTHERS" -eq 0 ] && [ "${4:-}" = other ]; then
		skip_tool "$1" "left out of this run (BENCH_SKIP_OTHERS=$BENCH_SKIP_OTHERS)"
		return 1
	fi
	[ -x "$2" ] && return 0
	skip_tool "$1" "'${2#"$ROOT"/}' is not built or not executable (run make all tests)"
	return 1
}

run_prog() {
	if [ -n "${BENCH_SEED_PROG:-}" ]; then
		cp "$BENCH_SEED_PROG" "$TOOLS/prog.out" && echo 0 >"$TOOLS/prog.rc"
	elif runnable prog "$OUTPUT/tools/bench-prog" BENCH_SKIP_PROG; then
		run_tool prog 900 "$OUTPUT/tools/bench-prog" --repeat "$PROG_REPEAT" --runs 7 \
			--baseline "$ROOT/tools/bench-baseline.txt"
	fi
}

run_peers() {
	runnable peers "$ROOT/tools/bench-peers.sh" BENCH_SKIP_PEERS || return 0
	OUTPUT="$OUTPUT" QUICK="$QUICK" run_tool peers 900 "$ROOT/tools/bench-peers.sh"
}

run_ctl() {
	runnable ctl "$OUTPUT/tools/bench-ctl" BENCH_SKIP_CTL || return 0
	run_tool ctl 900 "$OUTPUT/tools/bench-ctl" $([ "$QUICK" -eq 1 ] && echo --quick)
}

# The start-up benchmark compares with a build from before the start-up work (issue 16, item
# 4): BENCH_EXEC_BEFORE names its git revision (empty: no comparison). Built from `git
# archive` in WORK, so neither the worktree nor its git metadata change.
build_before() {
	local rev=$1 dir=$WORK/before
	mkdir -p "$dir/src" || return 1
	git -C "$ROOT" archive "$rev" | tar -x -C "$dir/src" || return 1
	log "bench-exec: building $rev for the before rows"
	make -C "$dir/src" -j2 all OUTPUT="$dir/build" >"$dir/make.log" 2>&1 ||
		{ tail -5 "$dir/make.log" >&2; return 1; }
	[ -x "$dir/build/firewall-drop" ] && [ -x "$dir/build/arxdp" ]
}

run_exec() {
	local rev=${BENCH_EXEC_BEFORE-723f961} var=() why
	runnable exec "$ROOT/tools/bench-exec.sh" BENCH_SKIP_EXEC other || return 0
	if [ -z "$rev" ]; then
		echo "no comparison build (BENCH_EXEC_BEFORE is empty)" >"$TOOLS/exec.before"
	elif build_before "$rev"; then
		git -C "$ROOT" rev-parse --short "$rev" >"$TOOLS/exec.before"
		var=(--variant "before=$WORK/before/build")
	else
		echo "the build of $rev failed: no before rows" >"$TOOLS/exec.before"
	fi
	# `arxdp version`: start-up and arxdp.conf without a verb, what every case pays.
	local ver=(--cmd "arxdp version (start-up and arxdp.conf, no verb)=$OUTPUT/arxdp version")
	OUTPUT="$OUTPUT" run_tool exec 300 "$ROOT/tools/bench-exec.sh" "${var[@]}" "${ver[@]}" \
		$([ "$QUICK" -eq 1 ] && echo --rounds 5)
	# An old build may refuse this tree's arxdp.conf (an element it does not know): then the
	# table goes without it, and only the --no-conf run below compares the two.
	if [ "$(cat "$TOOLS/exec.rc")" -ne 0 ] && [ ${#var[@]} -gt 0 ]; then
		# The old binary's own word on this tree's arxdp.conf, else what bench-exec said.
		why=$(cd "$ROOT" && ARXDP_CONF=conf/arxdp.conf "$WORK/before/build/arxdp" version 2>&1 >/dev/null)
		[ -n "$why" ] || why=$(grep -v '^$' "$TOOLS/exec.err")
		echo "$why" | tail -1 >"$TOOLS/exec.before-failed"
		log "bench-exec: again without the before build"
		OUTPUT="$OUTPUT" run_tool exec 300 "$ROOT/tools/bench-exec.sh" "${ver[@]}" \
			$([ "$QUICK" -eq 1 ] && echo --rounds 5)
	fi
	if [ -e /etc/arxdp/arxdp.conf ]; then
		skip_tool exec-noconf "/etc/arxdp/arxdp.conf exists on this machine, and --no-conf needs it absent"
	else
		OUTPUT="$OUTPUT" run_tool exec-noconf 300 "$ROOT/tools/bench-exec.sh" --no-conf \
			"${var[@]}" $([ "$QUICK" -eq 1 ] && echo --rounds 5)
	fi
}

run_others() {
	if runnable replay "$OUTPUT/tools/bench-replay" "" other; then
		run_tool replay 300 "$OUTPUT/tools/bench-replay"
	fi
	if runnable fwdrop "$ROOT/tools/bench-fwdrop.sh" "" other; then
		if [ "$QUICK" -eq 1 ]; then
			OUTPUT="$OUTPUT" TIME_LIMIT=300 run_tool fwdrop 360 "$ROOT/tools/bench-fwdrop.sh" \
				--sizes "0 1000"
		else
			OUTPUT="$OUTPUT" TIME_LIMIT=300 run_tool fwdrop 360 "$ROOT/tools/bench-fwdrop.sh"
		fi
	fi
	run_exec
	if runnable contention "$ROOT/tools/bench-contention.sh" "" other; then
		OUTPUT="$OUTPUT" RUNS=$RUNS run_tool contention 300 "$ROOT/tools/bench-contention.sh"
	fi
	# N attackers through execq, arxdpd as wazuh-execd against an execd-shaped serial
	# executor; --quick sends 1,000 instead of 10,000.
	if runnable execq "$ROOT/tools/bench-execq.sh" BENCH_SKIP_EXECQ other; then
		OUTPUT="$OUTPUT" TIME_LIMIT=900 run_tool execq 960 "$ROOT/tools/bench-execq.sh" \
			$([ "$QUICK" -eq 1 ] && echo --quick)
	fi
	# The script only: build/tools/bench-daemon is its helper and takes a sub-command.
	if runnable daemon "$ROOT/tools/bench-daemon.sh" "" other; then
		OUTPUT="$OUTPUT" run_tool daemon 600 "$ROOT/tools/bench-daemon.sh"
	fi
}

# Drop and clean paths behind the source spreader (issue 16); its --check runs in bench-check.
run_paths() {
	runnable paths "$OUTPUT/tools/bench-paths" BENCH_SKIP_PATHS || return 0
	run_tool paths 600 "$OUTPUT/tools/bench-paths" --runs "$([ "$QUICK" -eq 1 ] && echo 5 || echo 9)" \
		--baseline "$ROOT/tools/bench-baseline.txt"
}
