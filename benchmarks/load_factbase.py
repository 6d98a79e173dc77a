"""Benchmark: load + validation of generated fact bases of growing size, each load in a fresh process.

Targets: 10,000 facts in under 1 s (issue 3); 100,000 facts in under 5 s and 300 MB (issue 20).
Memory is the whole process's peak resident size (the interpreter, the file's text and the fact base).

    .venv/bin/python benchmarks/load_factbase.py                     # 1,000 to 100,000 facts
    .venv/bin/python benchmarks/load_factbase.py --against ../main   # beside another checkout, rounds alternating
    .venv/bin/python benchmarks/load_factbase.py --files 3           # the base split over three files (a
                                                                     # checkout --against must load lists too)
    .venv/bin/python benchmarks/load_factbase.py --smoke             # once, small: that it still runs (CI)

On a shared machine other processes swing single runs by tens of per cent: compare two checkouts with
`--against` in one run (their rounds alternate, so both meet the same load), and read the best of the rounds
and the CPU time (less swayed by other processes than the wall-clock time the targets are set in).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGETS = {10_000: (1.0, None), 100_000: (5.0, 300.0)}
"""Facts -> (seconds, peak MB) to stay under; None where there is no target."""

# Run in a fresh interpreter: import the loader of one checkout, load the files, report time and memory.
_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from briefing.factbase import load
paths = sys.argv[3:]
start, cpu = time.perf_counter(), time.process_time()
fb = load(paths[0] if len(paths) == 1 else paths)
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
assert len(fb.facts) == int(sys.argv[2]), len(fb.facts)
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak_mb}))
"""


def generate(folder: str, facts: int, sources: int, files: int = 1) -> list[str]:
    """Write a valid fact base shaped like the real one (two citations per fact, a value on every third,
    a disputed question per hundred facts) into `files` files; return their paths. With several files, the
    first holds meta and the sources, the others the facts and questions, dealt out in turn."""
    paths = [os.path.join(folder, "facts.yaml" if files == 1 else f"part-{k}.yaml") for k in range(files)]
    outs = [open(p, "w", encoding="utf-8") for p in paths]
    try:
        head = outs[0]
        head.write("meta: {title: Generated, organisation: Bench, as_of: 2024-11-30}\nsources:\n")
        for s in range(sources):
            head.write(f"  - id: source-{s}\n    title: Generated source number {s}\n    author: Writer {s}\n"
                       f"    outlet: Outlet {s % 17}\n    published: 2024-11-{1 + s % 28:02d}\n    url: null\n"
                       f"    kind: news\n    file: source-{s}.txt\n")
        parts = outs[1:] or outs
        for out in parts:
            out.write("facts:\n")
        for i in range(facts):
            f = parts[i % len(parts)]
            f.write(f"  - id: topic{i % 7}.fact-{i}\n    topics: [trade, topic{i % 7}]\n    kind: reported\n"
                    f"    statement: Generated statement number {i} about trade between two countries.\n")
            if i % 3 == 0:
                f.write(f"    value: {{type: money, amount: {1000 * i}, currency: USD, as_of: 2024-11-30}}\n")
            f.write("    cite:\n")
            for c in range(2):
                f.write(f"      - source: source-{(i + c) % sources}\n"
                        f"        quote: \"a short verbatim phrase that supports fact {i}\"\n"
                        f"        at: para. {1 + c}\n")
        for k, out in enumerate(parts):
            out.write("disputed:\n")
            for i in range(k, facts // 100, len(parts)):
                out.write(f"  - id: dispute.question-{i}\n    topics: [trade]\n    question: How large was it?\n"
                          "    claims:\n")
                for c in range(2):
                    out.write(f"      - claim: It was size {c}.\n        cite:\n"
                              f"          - {{source: source-{(i + c) % sources}, quote: \"size {c}\", at: para. 1}}\n")
    finally:
        for out in outs:
            out.close()
    return paths


def run_once(checkout: str, paths: list[str], facts: int) -> dict:
    """Load the files with the loader of `checkout` in a fresh process; return its seconds and peak MB."""
    done = subprocess.run([sys.executable, "-c", _CHILD, checkout, str(facts), *paths], capture_output=True,
                          text=True)
    if done.returncode:
        raise SystemExit(f"loading with {checkout} failed:\n{done.stderr}")
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="fact counts, comma-separated")
    parser.add_argument("--rounds", type=int, default=3, help="loads per size and checkout (the best is shown)")
    parser.add_argument("--files", type=int, default=1, help="split each base over this many files")
    parser.add_argument("--against", metavar="CHECKOUT", help="also load with this other checkout's briefing, "
                        "alternating rounds with this one")
    parser.add_argument("--smoke", action="store_true", help="one small load (split over 3 files): that it runs")
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes, args.rounds, args.files = "300", 1, 3
    sizes = [int(s) for s in args.sizes.split(",")]
    checkouts = [("this", ROOT)] + ([("against", os.path.abspath(args.against))] if args.against else [])
    print(f"{'facts':>8} {'sources':>8} {'files':>5} {'MB':>6}  {'checkout':<8} {'best s':>7} {'median s':>8} "
          f"{'CPU s':>7} {'peak MB':>8}  target")
    ok = True
    for n in sizes:
        sources = max(10, n // 10)
        with tempfile.TemporaryDirectory() as tmp:
            paths = generate(tmp, n, sources, args.files)
            size = sum(os.path.getsize(p) for p in paths) / 2**20
            runs: dict[str, list[dict]] = {name: [] for name, _ in checkouts}
            for _ in range(args.rounds):
                for name, checkout in checkouts:
                    runs[name].append(run_once(checkout, paths, n))
        for name, _ in checkouts:
            seconds = sorted(r["seconds"] for r in runs[name])
            cpu = min(r["cpu"] for r in runs[name])
            peak = min(r["peak_mb"] for r in runs[name])
            verdict = ""
            if n in TARGETS and name == "this":
                limit_s, limit_mb = TARGETS[n]
                met = seconds[0] < limit_s and (limit_mb is None or peak < limit_mb)
                verdict = f"< {limit_s:g} s" + (f", < {limit_mb:g} MB" if limit_mb else "") + ": " + \
                    ("met" if met else "MISSED")
                ok = ok and met
            print(f"{n:>8} {sources:>8} {args.files:>5} {size:>6.1f}  {name:<8} {seconds[0]:>7.3f} "
                  f"{seconds[len(seconds) // 2]:>8.3f} {cpu:>7.3f} {peak:>8.0f}  {verdict}")
    return 0 if ok or args.smoke else 1


if __name__ == "__main__":
    sys.exit(main())
