# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# "Drop and clean paths" of docs/BENCHMARKS.md (issue 16), from build/tools/bench-paths'
# output in this run, with issue 16's goals judged on its figures (imported by
# report_tools.py). The method and the analysis are fixed text; what they quote from the run
# is computed, and every figure of the fixed text that is not from this run says so.
import re
import textwrap

import report_tools as rt

HEADING = "## Drop and clean paths (tools/bench-paths, issue 16)"

METHOD = """**Method.** `BPF_PROG_TEST_RUN` repeats one frame, so a plain test run always finds its bucket
in cache and a million-entry map looks free. `tools/spread.bpf.c` rewrites the IPv4 source on
every repetition (uniform over the range, scrambled order) and tail-calls the program under
test; every contender and both references (empty `XDP_DROP`, bare `XDP_PASS`) run behind the
same spreader, so differences and ratios cancel it. Attack: sources uniform over the N blocked
addresses; clean: 65,024 sources, none blocked. arxdp at its default capacity (1,048,576) with
its hot tier ({hot} per family, `docs/ARCHITECTURE.md`), and in the same rounds without the
hot tier (`use_hot` off, private instances only: the big map alone, the path before the tier),
without the prefilter (`no_prefilter`, measuring only) and at capacity 16,384; xdp-filter is
Debian's own `xdpfilt_alw_ip.o` (what `xdp-filter load -f ipv4` runs; its map holds 10,000)
with the same N addresses. At 100,000 (beyond xdp-filter's map) arxdp runs against itself
without the tier: {hot} blocks in the hot map, the rest spilled to the big one. Figures are the
kernel's mean (`duration`, whole ns; its timer stops while the loop is rescheduled, which
matters on this shared VM), {rounds}; ratios are medians of per-round ratios.
"""

TABLES = """Marginal ns (minus the empty `XDP_DROP`) and the ratio to xdp-filter's marginal in the same
rounds, this run:
"""

HISTORY = """Earlier runs (by hand, not this run: `make bench` builds no "before" bench-paths; the
column without the hot tier above is the path before it, in the same rounds): two runs of the
hot-tier build interleaved with two of the build before it (main, d7e68c9), one after the other
in one lock slot; ratio of marginals to xdp-filter's in the same run:

| Earlier, N | arxdp, hot tier / xdp-filter | same run, without the hot tier | before (main's build) / xdp-filter |
|---:|---:|---:|---:|
| 1 | 1.00×, 1.06× | 1.22×, 1.03× | 0.97×, 1.00× |
| 1,000 | 0.92×, 1.00× | 1.33×, 1.00× | 0.95×, 1.03× |
| 10,000 | 1.16×, 0.98× | 1.64×, 1.88× | 1.64×, 2.03× |
| 100,000 | the tier costs 1.14×, 1.09× the big map alone | — | — |

Clean, arxdp − PASS in those runs: 10, 7 ns at N = 1 and 13, 15 at 1,000,000 (main's build:
14, 10 and 11, 11). A third run of the final build (`bench-paths --check`) gave 1.00×, 1.00×,
1.06× at 1, 1,000 and 10,000 (without the hot tier 1.48× at 10,000) and 1.07× for the spill at
100,000. A fourth, with one instance's per-block counts off instead of its prefilter (a one-off
build of bench-paths), gave 0.90×, 1.03×, 0.87×; the counts cost nothing measurable at 10,000
(78 ns with, 76 without).
"""

HOT = """**The hot tier.** In this run at 10,000 blocks arxdp with the tier is {a10} xdp-filter and the
big map alone {h10} in the same rounds; at N = 1 and 1,000 {low}. Over the four earlier runs (by
hand, above) the big map alone cost 1.64–2.03× xdp-filter (main's build) and 1.48–1.88× in
the same runs, with the tier 0.98–1.16× at 10,000 and 0.92–1.06× at N ≤ 1,000 (parity: the
run-to-run spread at N = 1, where both maps are cache-resident, is ±0.06); the goal (≤ 1.0× at
every N ≤ 10,000) was met at 10,000 in two runs of four (0.87×, 0.98×; 1.06× and 1.16× in
the others), so not reliably: what is left is the element, not the buckets. A hot element is
112 bytes (48-byte header, key, 56-byte value) where xdp-filter's is 64 (its value is a per-CPU
pointer), so 10,000 live blocks take ~1.1 MB against ~0.6 MB. `struct arxdp_hot` puts the
expiry and the counts right after the key, so a drop touches one line for half the hot elements
(112-byte strides put an element's start at four offsets within a line) and two for the
others, where `struct arxdp_block`'s order needs two for every one; the first measurement with
that order read 1.35× (by hand, one run of 5 rounds), the four since 0.98–1.21×: a gain, but
within the spread of single runs here. Beyond the hot tier's room the spilled blocks pay the big
map's misses plus the hot miss before them: {spill} the big map alone at 100,000 in this run
(1.07–1.14× in the earlier runs).
"""

CAPACITY = """**Its capacity** (by hand, not this run: one run per size, 7 rounds, marginal ratio to
xdp-filter at 10,000; arxdp's marginal at 100,000): 16,384: 1.21×, 248 ns; 32,768: 1.35×,
259 ns; 65,536: 1.20×, 187 ns. At N ≤ 10,000 a larger hot map buys nothing (its buckets grow:
256 KB, 512 KB, 1 MB) and costs ~1.8 MB of preallocated elements per 16,384 entries and family;
16,384 is the smallest that holds xdp-filter's 10,000 and the default. 65,536 would help lists
of ~100,000 (0.74× the big map alone there): a choice for such lists, not made here
(`--hot-capacity` measures it).
"""

LAYOUTS = """**Other hot-tier layouts** (issue 16, item 2; `tools/bench-hot`, by hand, not this run: one run
of 25 round-robin rounds of 500,000 repetitions behind the same spreader, each figure the least
of three calls, timed by the thread's CPU time). The `h_*` programs of
`tools/arxdp-variant.bpf.c` run the real IPv4 hit path (VLAN parse, prefilter word, hot lookup,
coarse-clock expiry, per-block counts, the stats row) over a hot map of another layout, or
with one component less, beside arxdp itself and xdp-filter's own object; marginal ns and the
median per-round ratio to xdp-filter's marginal:

| Variant: hot map, value | Element | N = 1 | N = 1,000 | N = 10,000 |
|---|---|---:|---:|---:|
| arxdp itself | 112 B | 30.7, 0.93× | 34.1, 1.00× | 49.1, 1.07× |
| xdp-filter `-f ipv4` | 64 B + 8 B per CPU | 34.1 | 37.1 | 38.1 |
| today's path (`h_cur`): HASH, `struct arxdp_hot` (56 B) | 112 B | 30.5, 0.87× | 34.8, 0.95× | 43.2, 0.97× |
| (a) `h_pcpu`: PERCPU_HASH, {expires, packets, bytes} per CPU | 64 B + 24 B per CPU | 31.3, 0.91× | 35.1, 0.98× | 36.6, 0.96× |
| (b) `h_pcpu_full`: PERCPU_HASH, `struct arxdp_hot` per CPU | 64 B + 56 B per CPU | 31.7, 0.89× | 39.1, 1.04× | 44.8, 1.12× |
| (c) `h_small`: HASH, {expires, packets, bytes}, the rest elsewhere | 80 B | 30.7, 0.92× | 36.8, 0.98× | 40.2, 0.94× |
| `h_exp`: HASH, the expiry alone (no per-block counts) | 64 B | 29.2, 0.79× | 36.0, 0.96× | 35.2, 0.98× |
| today's path without the clock | 112 B | 23.5, 0.72× | 28.0, 0.74× | 32.7, 0.85× |
| today's path without the stats row | 112 B | 25.5, 0.72× | 30.5, 0.86× | 41.6, 1.06× |
| today's path without the prefilter word | 112 B | 28.6, 0.79× | 33.2, 0.90× | 34.4, 0.94× |
| today's path without per-block counts | 112 B | 31.8, 0.87× | 32.1, 0.91× | 43.2, 1.03× |
| today's path, `bpf_jiffies64()` for the clock | 112 B | 26.2, 0.71× | 29.5, 0.81× | 39.3, 1.00× |
| (c), `bpf_jiffies64()` for the clock | 80 B | 26.4, 0.74× | 25.5, 0.77× | 37.0, 0.88× |
| today's path, the lookup alone | 112 B | 15.1, 0.43× | 23.2, 0.60× | 27.3, 0.70× |

Over seven such runs (15–31 rounds each, some with a subset of the variants) the medians at
N = 10,000 were 1.01× for today's path (0.97–1.10), 1.04× for (a) (0.96–1.10), 1.26× for (b)
(1.09–1.32), 0.94× for (c) (0.90–1.02) and 0.91× without the clock (0.85–0.96); at N = 1 0.93×,
0.93×, 0.96×, 0.94× and 0.74×. No layout clears the bar set for changing it (at least 10% below
today's at 10,000, no worse at 1): (a) costs what today's does (its element is one line, but
the per-CPU value is a line of its own, as xdp-filter's is), (b) more, and (c) ~7% less at
10,000 and the same below, inside the spread of single runs, for a second map per family and a
migration of every pinned hot map. So the layout stays. Per-CPU layouts also cost memory by
the possible CPUs: at 16,384 entries per family, (a) is 1 MiB of elements plus 384 KiB per CPU
(1.75 MiB at 2 possible CPUs, 49 MiB at 128), (b) 1 MiB plus 896 KiB per CPU (2.75 MiB, 113
MiB), today's 1.75 MiB whatever the CPU count (plus 256 KiB of buckets each). The largest
single component is the coarse clock's helper call on every hit of a timed block, 5–8 ns;
`bpf_jiffies64()`, which the verifier inlines as one load, recovered most of it at N ≤ 1,000
in three runs (0.71–0.88×) and part at 10,000 (0.87–1.08×). An expiry read from jiffies
is now the program's clock (`ARXDP_PROG_REV` 2; struct `arxdp_clock_sample` in `bpf/arxdp.h`): the
stamps stay in CLOCK_MONOTONIC ns, and the loader ties jiffies to that clock at load, from samples
of a tiny XDP program (`bpf/arxdp_clock.bpf.c`) taken around a jiffy's start. The kernel advances
jiffies by exactly TICK_NSEC of CLOCK_MONOTONIC (`tick_do_update_jiffies64`), so the tie holds for
the boot; the coarse clock's 35 ns per second against jiffies × 4 ms seen above is the coarse
clock's own accumulation phase, which stays within a tick. The program's clock then lags
CLOCK_MONOTONIC by at most a tick and the sampling gap (0.3 ms at most) and runs ahead of it only
by the delay of a tick the kernel counted late at every one of four samples (the least offset is
kept): `tests/bpf/test_clock.c` checks both bounds, with a millisecond of room, at 24 points over
several ticks, for the jiffies clock and the coarse helper, also with every CPU busy. HZ comes from the
kernel's configuration, checked against a measured tick (or from the measurement alone); where
neither fits, the program keeps the coarse helper and the loader says so. In one `bench-prog`
run after the change (cache-hot, 7 runs): a timed IPv4 hit 29.4 ns over the empty program with the
jiffies clock, 38.1 ns with the coarse helper, 36.0 ns for xdp-filter `-f ipv4` (0.82× and
1.06×), and a permanent block's hit (no clock) 28.2 ns: a timed block now costs what a
permanent one does. Behind the spreader
(`bench-paths`, five runs of five rounds in one session after the change), arxdp's marginal cost
over xdp-filter `-f ipv4`'s was 0.85, 0.86, 0.85, 0.91 and 0.77× at N = 1, 0.76, 0.98, 0.89,
0.88 and 0.89× at 1,000, and 0.92, 0.94, 0.86, 1.14 and 0.87× at 10,000.
arxdp itself measured 0.02–0.22 above its copy `h_cur` at 10,000 in every run; in one run a
second private instance of it differed from the first by as much (1.17× and 1.09× at 10,000),
and its hit path keeps five loads of its measuring switches (`use_prefilter`, `use_hot`, ...)
and three tests of them, which the verifier resolves but does not remove (the xlated program):
at N = 1 arxdp was 0.2–3.3 ns above `h_cur` (median 1.4).
"""

CLEAN = """**Clean path.** The prefilter makes it flat in N and the hot tier does not touch it (a clear bit
passes before any exact map is read): in this run {m1} ns above a bare `XDP_PASS` at N = 1 and
{m1m} ns at N = 1,000,000 ({h1} and {h1m} ns without the hot tier), against {n1} → {n1m} ns
without the prefilter (the miss walks a random bucket of a 16 MB bucket array; at N = 1
already, because the array is sized by the capacity, not by N). Behind the spreader a bare
`XDP_PASS` costs {p1} ns at N = 1 and {p1m} ns at 1,000,000, so the *ratio* here is {r1} and
{r1m}; on live frames a bare `XDP_PASS` into the stack costs far more (the (b) rows of the data
plane above), and the same marginal is a much smaller share of it (goals below).
"""

DROP = """**Drop path.** Component costs on the hit (bench-prog's `component:` rows, cache-hot; by hand,
one local run of 21 rounds timed by the kernel's duration instead of bench-prog's wall clock,
because the VM was loaded; medians, ±3 ns): the coarse clock helper ~6 ns, the two locked adds
~6 ns, the global per-CPU counter ~2–4 ns, the VLAN loop ~0–2 ns, the bare lookup ~17 ns above
the floor. The locked adds became plain adds (the count is exact on one CPU and a lower bound
otherwise; {lost}). The clock stays (the expiry is exact; a cached per-tick read measured no
better than the helper). Without the hot tier (the big map alone) arxdp / xdp-filter, marginal,
is {nohot} in this run: at 10,000 the difference is the map's size, not its code. The big hash
is sized for a million (16 MB of buckets: every hit on a set spread over 10,000 misses L2 and
the TLB), xdp-filter's for 10,000 (256 KB); arxdp at capacity 16,384 was within 1.2× of
xdp-filter before the tier (by hand). That was the hot tier's reason (above); at capacity
16,384 all 10,000 blocks are now in the hot map ({small} of xdp-filter's marginal in this run).
"""

WRITERS = """**Writers.** Keeping the prefilter costs the writers its per-slot counts (counts updated once per
slot per batched load; the sweep's uncounts once per slot per chunk): this run's one-by-one,
batched and sweep figures are in the Control plane section above. When the prefilter came in
(bench-ctl --quick, by hand, not this run): one by one 2.1–2.9 µs per block (2.1–2.4 before),
batched 1.4–1.5, the sweep of 1,000,000 expired blocks 2.9 µs per block (3.9 before).

Writers of the two tiers: a new block costs a look in the big map (a key is never in both)
and the tier count's update beside the prefilter's; a bulk load one count update per tier.

`make bench-check` guards these: `attack_vs_xdpfilter_n{1,1000,10000}`,
`attack_vs_nohot_n100000` (the spill against the big map alone), `clean_pass_ratio_n1000000`
and `clean_n1000000_over_n1` in `tools/bench-baseline.txt`, each failing above its baseline
+20%.
"""

# bench-paths' column headers (tools/bench-paths.c), by what they hold.
A_ARXDP, A_XDPF, A_RATIO = "arxdp − floor", "xdp-filter − floor", "arxdp / xdp-filter"
A_NOHOT, A_NOHOT_R = "without hot tier − floor", "without hot tier / xdp-filter"
A_SMALL = "at capacity 16,384 − floor"
C_ARXDP, C_NOPF, C_NOHOT, C_RATIO = "arxdp − PASS", "without prefilter − PASS", "without hot tier − PASS", "arxdp / PASS"
C_PASS = "bare PASS"
# What report_selftest.py checks against bench-paths' output statements, so that a renamed
# column fails the selftest instead of turning this section into the tool's raw output.
COLUMNS = ("Attack, N", A_ARXDP, A_XDPF, A_RATIO, A_NOHOT, A_NOHOT_R, A_SMALL, "Clean, N", C_PASS, C_ARXDP,
           C_NOPF, C_NOHOT, C_RATIO, "(arxdp / without:", "Hot tier: ")


def prose(text):
    """Fixed text with this run's figures filled in, its paragraphs wrapped again at 100 columns."""
    paras = text.strip("\n").split("\n\n")
    return "\n\n".join(textwrap.fill(" ".join(p.split("\n")), 100, break_long_words=False,
                                      break_on_hyphens=False) for p in paras) + "\n"


def f0(x):
    return "—" if x is None else f"{x:,.0f}"


def fx(x):
    return "—" if x is None else f"{x:.2f}×"


def cell(c):
    """A figure cell's number; None for an empty cell or a capacity note such as "(10,000 max)"."""
    return None if "max" in c else rt.num(c)


def figures(out):
    """bench-paths' two tables as {N: {column: value}} each, or None. The spill row's ratio (arxdp
    over itself without the hot tier, "(arxdp / without: 1.07×)") goes to "spill"."""
    res = []
    for first, need in (("Attack, N", A_NOHOT), ("Clean, N", C_NOHOT)):
        hdr, rows = rt.table(out, first)
        if not hdr or need not in hdr:
            return None
        t = {}
        for r in rows:
            n = rt.num(r[0])
            if n is None:
                continue
            v = {h: cell(c) for h, c in zip(hdr[1:], r[1:])}
            for c in r[1:]:
                if c.startswith("(arxdp / without:"):
                    v[A_NOHOT_R], v["spill"] = None, rt.num(c.split(":", 1)[1])
            t[int(n)] = v
        res.append(t)
    return res


def tables(w, atk, cln):
    w("| Attack, N | arxdp, hot tier | xdp-filter `-f ipv4` | arxdp / xdp-filter | same run, without the hot tier |")
    w("|---:|---:|---:|---:|---:|")
    for n, v in sorted(atk.items()):
        if v.get(A_XDPF) is None:
            w(f"| {n:,} | {f0(v.get(A_ARXDP))} | (10,000 max) | — | {f0(v.get(A_NOHOT))}: the tier costs "
              f"{fx(v.get('spill'))} |")
        else:
            w(f"| {n:,} | {f0(v.get(A_ARXDP))} | {f0(v.get(A_XDPF))} | **{fx(v.get(A_RATIO))}** | "
              f"{f0(v.get(A_NOHOT))} ({fx(v.get(A_NOHOT_R))}) |")
    w("\n| Clean, N | arxdp − PASS, ns | without prefilter − PASS, ns | without the hot tier − PASS, ns | arxdp / PASS |")
    w("|---:|---:|---:|---:|---:|")
    for n, v in sorted(cln.items()):
        w(f"| {n:,} | {f0(v.get(C_ARXDP))} | {f0(v.get(C_NOPF))} | {f0(v.get(C_NOHOT))} | {fx(v.get(C_RATIO))} |")
    w("")


def section(w, t, live_pass, exec_goal):
    w(HEADING + "\n")
    m = re.search(r"repeat (\d+), median of (\d+) rounds", t.out)
    hot = re.search(r"Hot tier: (\d+) entries per family", t.out)
    w(prose(METHOD.format(rounds=f"medians of {m.group(2)} round-robin rounds of {int(m.group(1)):,} repetitions"
                    if m else "medians of round-robin rounds",
                    hot=f"{int(hot.group(1)):,}" if hot else "16,384")))
    figs = figures(t.out) if t.ok() else None
    if not figs:
        w(t.body() if t.ok() else t.missing())
        w(HISTORY)
        w(CAPACITY)
        w(LAYOUTS)
        goals(w, None, None, live_pass, exec_goal)
        w(WRITERS)
        return
    atk, cln = figs
    w(TABLES)
    tables(w, atk, cln)
    for line in t.out.splitlines():
        if line.startswith(("Clean marginal at", "Per-block counts")):
            w(line + "\n")
    checks = [l for l in t.out.splitlines() if re.match(r"^\w+ = [0-9.]+, baseline", l)]
    if checks:
        w("Against `tools/bench-baseline.txt` (limit: baseline +20%): " + "; ".join(checks) + ".\n")
    w(HISTORY)
    a10 = atk.get(10000, {})
    spill = [v["spill"] for n, v in sorted(atk.items()) if v.get("spill") is not None]
    w(prose(HOT.format(a10=fx(a10.get(A_RATIO)), h10=fx(a10.get(A_NOHOT_R)),
                 low=f"{fx(atk.get(1, {}).get(A_RATIO))}, {fx(atk.get(1000, {}).get(A_RATIO))}",
                 spill=fx(spill[0]) if spill else "(no figure)")))
    w(CAPACITY)
    w(LAYOUTS)
    c1, cm = cln.get(1, {}), cln.get(1000000, {})
    if c1 and cm:
        w(prose(CLEAN.format(m1=f0(c1.get(C_ARXDP)), m1m=f0(cm.get(C_ARXDP)), h1=f0(c1.get(C_NOHOT)),
                       h1m=f0(cm.get(C_NOHOT)), n1=f0(c1.get(C_NOPF)), n1m=f0(cm.get(C_NOPF)),
                       p1=f0(c1.get(C_PASS)), p1m=f0(cm.get(C_PASS)), r1=fx(c1.get(C_RATIO)),
                       r1m=fx(cm.get(C_RATIO)))))
    lost = re.search(r"flood of one source \(plain adds\): ([0-9.]+%)", t.out)
    sm, xf = a10.get(A_SMALL), a10.get(A_XDPF)
    w(prose(DROP.format(
        lost=f"{lost.group(1)} of the drops went uncounted in this run with both CPUs flooding one source, "
        "1.96–2.66% in earlier runs" if lost
        else "`bench-paths` prints how many went uncounted with both CPUs flooding one source",
        nohot=", ".join(f"{v[A_NOHOT_R]:.2f}× at N = {n:,}" for n, v in sorted(atk.items())
                        if v.get(A_NOHOT_R) is not None) or "(no figure)",
        small=f"{sm / xf:.2f}×" if sm is not None and xf else "(no figure)")))
    goals(w, atk, cln, live_pass, exec_goal)
    w(WRITERS)


def goals(w, atk, cln, live_pass, exec_goal):
    w("**Goals of issue 16**, judged on this run's figures:\n")
    w("| Goal | Result | Figures |\n|---|---|---|")
    if atk:
        r = [(n, v.get(A_RATIO)) for n, v in sorted(atk.items()) if n <= 10000]
        r = [(n, x) for n, x in r if x is not None]
        w(f"| marginal drop cost ≤ xdp-filter -f ipv4's at every N ≤ 10,000 (behind the spreader) | "
          f"{rt.verdict(bool(r) and all(x <= 1.0 for _, x in r))} | arxdp / xdp-filter, marginal: "
          + ", ".join(f"{x:.2f}× at N = {n:,}" for n, x in r) + " |")
    else:
        w("| marginal drop cost ≤ xdp-filter -f ipv4's at every N ≤ 10,000 | not measured | no bench-paths figures (above) |")
    if cln:
        r = [(n, v.get("arxdp / PASS")) for n, v in sorted(cln.items()) if v.get("arxdp / PASS") is not None]
        w(f"| clean ≤ 1.10× a bare XDP_PASS up to N = 1,000,000, program alone (behind the spreader) | "
          f"{rt.verdict(bool(r) and all(x <= 1.10 for _, x in r))} | arxdp / PASS: "
          + ", ".join(f"{x:.2f}× at N = {n:,}" for n, x in r) + " |")
        mg = max((v.get("arxdp − PASS") for v in cln.values() if v.get("arxdp − PASS") is not None), default=None)
        if mg is not None and live_pass:
            lo = min(live_pass.values())
            q = (lo + mg) / lo
            w(f"| clean ≤ 1.10× a bare XDP_PASS up to N = 1,000,000, on live frames (the largest marginal above over "
              f"the smallest (b) of this run's matrix) | {rt.verdict(q <= 1.10)} | ({lo:,.0f} + {mg:,.0f}) / {lo:,.0f} ns = {q:.2f}× |")
        else:
            w("| clean ≤ 1.10× a bare XDP_PASS, on live frames | not measured | no (b) figure from the data plane in this run |")
    else:
        w("| clean ≤ 1.10× a bare XDP_PASS up to N = 1,000,000 | not measured | no bench-paths figures (above) |")
    ok, txt = exec_goal
    w(f"| per-exec start-up of the drop-in and the CLI ≤ 1.3× /bin/true (CPU) | "
      f"{'not measured' if ok is None else rt.verdict(ok)} | {txt} (Start-up section above) |")
    w("")
