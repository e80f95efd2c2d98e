# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# "Peers interleaved on one rig" of docs/BENCHMARKS.md (issue 16): the lines of section
# "peers" in RAW (scripts/bench/dataplane.sh, bench_peers): at each N, every round swapped
# floor, pass, arxdp, both xdp-filter objects and nftables' set in on one veth. A contender's
# marginal cost in a round is its ns minus the floor's (attack) or the bare pass's (clean) of
# the same round, so the drift between rounds cancels; a figure is the median over rounds.
import statistics as st

HEADING = "### Peers interleaved on one rig (live frames)"
PEERS = [("xdpf4", "xdp-filter `-f ipv4`"), ("xdpf", "xdp-filter (all)"), ("nft", "nft set")]


def rounds(rows):
    """{(n, contender, traffic): {run: ns}} of the peers section."""
    out = {}
    for sec, c, fam, n, tr, dist, run, ns, *_ in rows:
        if sec == "peers":
            out.setdefault((int(n), c, tr), {})[int(run)] = float(ns)
    return out


def marginals(r, n, c, tr):
    """Per-round marginal ns of contender c: {run: ns - reference of that run}."""
    ref = r.get((n, "floor" if tr == "attack" else "pass", tr), {})
    mine = r.get((n, c, tr), {})
    return {k: mine[k] - ref[k] for k in mine if k in ref}


def section(w, rows, quick):
    """Writes the section; returns (ok, detail) for the goals table, or None."""
    r = rounds(rows)
    ns = sorted({k[0] for k in r})
    w(HEADING + "\n")
    if not ns:
        w("*Not measured in this run: " + ("xdp-filter is not installed (Debian package xdp-tools, `make deps`)"
          " or the time budget was spent; see the log of scripts/bench.sh" if not quick else
          "no round finished; see the log of scripts/bench.sh") + ".*\n")
        return None
    runs = max(len(v) for v in r.values())
    w("The per-rig table above puts each contender on a rig of its own, minutes apart, and this VM drifts by more than "
      "the few ns that separate XDP programs. Here, at each N, one rig holds every contender's filled maps (arxdp's "
      "pins; xdp-filter's, kept across its `unload -k` and shared by both of its objects; the nft rules file), and "
      f"each of {runs} rounds swaps the empty `XDP_DROP` (floor), the bare `XDP_PASS`, arxdp, both xdp-filter objects "
      "(behind libxdp's dispatcher, as `xdp-filter load` installs them) and nftables' set (loaded for its own runs "
      "only, under the bare pass) in on the same veth, in an order rotated per round, for one attack and one clean run "
      "each. Marginal cost per round: ns minus the floor's (attack) or the bare pass's (clean) of that round; figures "
      "are medians over the rounds (ns per received frame, generator included in both terms); `k/R` counts the rounds "
      "in which arxdp's marginal was at or below the peer's.\n")
    w("| N | traffic | reference, ns (min–max) | arxdp, ns | " + " | ".join(f"{lab}, ns" for _, lab in PEERS) + " | " +
      " | ".join(f"arxdp / {lab}" for _, lab in PEERS) + " |")
    w("|---:|---|---:|" + "---:|" * (1 + 2 * len(PEERS)))
    fails, worst = [], []
    for n in ns:
        for tr in ["attack", "clean"]:
            a = marginals(r, n, "arxdp", tr)
            if not a:
                continue
            am = st.median(a.values())
            ref = list(r.get((n, "floor" if tr == "attack" else "pass", tr), {}).values())
            cells, ratios = [], []
            for c, lab in PEERS:
                p = marginals(r, n, c, tr)
                if not p:
                    cells.append("—")
                    ratios.append("—")
                    continue
                pm = st.median(p.values())
                common = [k for k in a if k in p]
                k_le = sum(a[k] <= p[k] for k in common)
                cells.append(f"{pm:,.0f}")
                # A ratio of marginals means something only when both are above the noise's 0.
                ratios.append(f"{am / pm:.2f}× ({k_le}/{len(common)})" if pm > 0 and am > 0 else
                              f"— ({k_le}/{len(common)})")
                if tr == "clean":
                    continue
                if am > pm:
                    fails.append(f"{lab} N={n:,}: {am:,.0f} vs {pm:,.0f} ns")
                if pm > 0 and am > 0:
                    worst.append((am / pm, f"{lab} {tr} N={n:,}"))
            w(f"| {n:,} | {tr} | {st.median(ref):,.0f} ({min(ref):,.0f}–{max(ref):,.0f}) | {am:,.0f} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
    w("\nThe reference is the floor for attack traffic and the bare pass for clean traffic. Clean frames go on "
      "through the stack (UDP to a closed port), whose cost moves by hundreds of ns from run to run here: the clean "
      "rows cannot resolve what a contender adds to them, and the goal below counts the attack rows only; the clean "
      "path's own figure is in-program, behind the spreader (`bench-paths`, its section below).\n")
    if not worst:
        return None
    hi = max(worst)
    detail = (f"one rig, {runs} rounds, medians of per-round marginals; attack traffic; highest arxdp / peer {hi[0]:.2f}× ({hi[1]})" +
              (f"; above a peer: {'; '.join(fails)}" if fails else ""))
    return not fails, detail
