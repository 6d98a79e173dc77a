"""The long fuzz run: mutate facts.yaml, templates, audiences and the style; print a table of outcomes.

Done when (issue 12): at least 2,000 fact-base and 500 template mutations, no traceback, no case over 20 s,
and out/ unchanged by every failed run.
Run: .venv/bin/python benchmarks/fuzz.py [--facts 2000 --templates 500 --audiences 100 --styles 100]
     [--pdf-every 25] [--seed 0]
     .venv/bin/python benchmarks/fuzz.py --smoke   # one case of each kind, Markdown only: that it still runs (CI)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))

from fuzzing import failures, run_case  # noqa: E402

SLOW = 20.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--facts", type=int, default=2000)
    parser.add_argument("--templates", type=int, default=500)
    parser.add_argument("--audiences", type=int, default=100)
    parser.add_argument("--styles", type=int, default=100)
    parser.add_argument("--pdf-every", type=int, default=25, help="every N-th build also renders DOCX and PDF")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--smoke", action="store_true", help="one case of each kind, Markdown only")
    args = parser.parse_args()
    if args.smoke:
        args.facts = args.templates = args.audiences = args.styles = 1
        args.pdf_every = 0
    plan = (("facts", args.facts), ("template", args.templates), ("audience", args.audiences),
            ("style", args.styles))
    rows, bad = [], []
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        for k, (kind, count) in enumerate(plan):
            statuses: dict = {}
            tracebacks = slow = changed = 0
            longest = 0.0
            for i in range(count):
                seed = args.seed + 1_000_000 * k + i
                formats = "md,docx,pdf" if args.pdf_every and i % args.pdf_every == 0 else "md"
                case = run_case(ROOT, os.path.join(tmp, "project"), seed, kind, formats)
                statuses[case.status] = statuses.get(case.status, 0) + 1
                tracebacks += bool(case.traceback)
                slow += case.seconds > SLOW
                changed += case.out_changed
                longest = max(longest, case.seconds)
                wrong = failures(case, SLOW)
                if wrong:
                    bad.append((kind, seed, case.target, case.mutations, wrong))
            rows.append((kind, count, statuses, tracebacks, slow, changed, longest))
    print(f"| {'file':<9} | {'cases':>5} | {'exit 0':>6} | {'exit 1':>6} | {'exit 2':>6} | {'traceback':>9} "
          f"| {'over 20 s':>9} | {'out/ changed':>12} | {'slowest s':>9} |")
    print("|" + "|".join("-" * w for w in (11, 7, 8, 8, 8, 11, 11, 14, 11)) + "|")
    for kind, count, statuses, tracebacks, slow, changed, longest in rows:
        print(f"| {kind:<9} | {count:>5} | {statuses.get(0, 0):>6} | {statuses.get(1, 0):>6} | "
              f"{statuses.get(2, 0):>6} | {tracebacks:>9} | {slow:>9} | {changed:>12} | {longest:>9.2f} |")
    print(f"\n{sum(r[1] for r in rows)} cases in {time.monotonic() - started:.0f} s")
    for kind, seed, target, mutations, wrong in bad[:20]:
        print(f"\n{kind} seed {seed}: {target} {mutations}\n  " + "\n  ".join(wrong))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
