# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# `scripts/bench.sh --selftest` (report.py --selftest DOC): every heading of DOC must have a
# generator, so that `make bench` cannot silently drop a section written by hand. A heading
# has one when the report of a run that measured nothing (every tool "not run": no root, no
# BPF, a second or so) writes it, or when a tool's own output statements print it (its
# format specifiers and shell expansions match anything): the report passes a tool's
# output through verbatim. It also fails when a column report_paths.py reads from bench-paths'
# tables is no longer in tools/bench-paths.c's output statements.
import glob
import os
import re
import subprocess
import sys
import tempfile

PLACEHOLDER = re.compile(r"(%[-+ #0-9.*]*(?:l|ll|z|h)?[diuxfsgc]|\$\([^)]*\)|\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*)")


def headings(text):
    out, fence = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fence = not fence
        elif not fence and re.match(r"^#{1,6} ", line):
            out.append(line.rstrip())
    return out


def pattern(template):
    parts = PLACEHOLDER.split(template)
    return re.compile("".join(".+" if i % 2 else re.escape(p) for i, p in enumerate(parts)))


def tool_patterns(root):
    """Headings printed by the tools: printf("#...") in C (adjacent literals joined), echo "#..." in shell."""
    pats = []
    for path in glob.glob(os.path.join(root, "tools", "*.c")):
        src = open(path).read()
        for m in re.finditer(r'printf\s*\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)', src):
            s = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))).replace("\\n", "\n")
            for line in s.splitlines():
                if line.startswith("#"):
                    pats.append(pattern(line.rstrip()))
    for path in glob.glob(os.path.join(root, "tools", "*.sh")):
        for m in re.finditer(r'^\s*echo "(#{1,6} (?:[^"\\]|\\.)*)"', open(path).read(), re.M):
            pats.append(pattern(m.group(1).replace('\\"', '"').replace("\\`", "`")))
    return pats


def printed(path):
    """The text of a C tool's printf() format strings, adjacent literals joined."""
    src = open(path).read()
    return "\n".join("".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1)))
                     for m in re.finditer(r'printf\s*\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)', src))


def stale_columns(root):
    """report_paths' column names that tools/bench-paths.c no longer prints."""
    sys.path.insert(0, os.path.join(root, "scripts", "bench"))
    import report_paths
    text = printed(os.path.join(root, "tools", "bench-paths.c"))
    return [c for c in report_paths.COLUMNS if c not in text]


def dry_report(report_py, tmp):
    md = os.path.join(tmp, "BENCHMARKS.md")
    os.mkdir(os.path.join(tmp, "tools"))
    open(os.path.join(tmp, "raw.tsv"), "w").close()
    env = dict(os.environ, RAW=os.path.join(tmp, "raw.tsv"), WORK=tmp, MD=md, TOOLS=os.path.join(tmp, "tools"),
               ELAPSED="0", QUICK="0", TIME="1", RUNS="5", IPT_MAX="10000", GEN_CPU="1", BENCH_SEED_RAW="",
               BENCH_NO_DATAPLANE="selftest: nothing was measured")
    r = subprocess.run([sys.executable, report_py], env=env, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
        return None
    return open(md).read()


def unexplained(doc_h, gen_h, pats):
    return [h for h in doc_h if h not in gen_h and not any(p.fullmatch(h) for p in pats)]


def main(report_py, doc):
    root = os.path.dirname(os.path.dirname(os.path.dirname(report_py)))
    with tempfile.TemporaryDirectory(prefix="arxdp-bench-selftest.") as tmp:
        gen = dry_report(report_py, tmp)
    if gen is None:
        print("bench selftest: the report of an empty run failed (above)")
        return 1
    try:
        doc_h = headings(open(doc).read())
    except OSError as e:
        print(f"bench selftest '{doc}': cannot read: {e.strerror}")
        return 1
    gen_h, pats = set(headings(gen)), tool_patterns(root)
    # The check itself must be able to fail: a heading nobody writes is caught.
    if not unexplained(["## A section written by hand"], gen_h, pats):
        print("bench selftest: the check accepts a heading no generator writes")
        return 1
    stale = stale_columns(root)
    for c in stale:
        print(f"bench selftest: column '{c}' of scripts/bench/report_paths.py: tools/bench-paths.c does not "
              "print it: the section would fall back to the tool's raw output")
    if stale:
        return 1
    bad = unexplained(doc_h, gen_h, pats)
    for h in bad:
        print(f"bench selftest '{doc}': heading '{h}': no generator (neither scripts/bench/report*.py "
              "nor a tool's output writes it): `make bench` would drop it")
    if bad:
        return 1
    by_tool = sum(1 for h in doc_h if h not in gen_h)
    print(f"bench selftest: all {len(doc_h)} headings of {os.path.relpath(doc, root)} have a generator "
          f"({len(doc_h) - by_tool} written by the report in every run, {by_tool} by a tool's own output)")
    return 0
