"""Benchmark: load + validate generated fact bases of growing size; prints a table.

Target (issue 3): 10,000 facts and 1,000 sources in under 1 s on a 2-core machine.
Run: .venv/bin/python benchmarks/load_factbase.py [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from briefing.factbase import load  # noqa: E402

TARGET_SECONDS = 1.0
TARGET_FACTS = 10_000


def generate(path: str, facts: int, sources: int) -> None:
    """Write a valid fact base shaped like the real one: two citations per fact, a value on every third."""
    with open(path, "w", encoding="utf-8") as f:
        f.write("meta: {title: Generated, organisation: Bench, as_of: 2024-11-30}\nsources:\n")
        for s in range(sources):
            f.write(f"  - id: source-{s}\n    title: Generated source number {s}\n    author: Writer {s}\n"
                    f"    outlet: Outlet {s % 17}\n    published: 2024-11-{1 + s % 28:02d}\n    url: null\n"
                    f"    kind: news\n    file: source-{s}.txt\n")
        f.write("facts:\n")
        for i in range(facts):
            f.write(f"  - id: topic{i % 7}.fact-{i}\n    topics: [trade, topic{i % 7}]\n"
                    f"    statement: Generated statement number {i} about trade between two countries.\n")
            if i % 3 == 0:
                f.write(f"    value: {{type: money, amount: {1000 * i}, currency: USD, as_of: 2024-11-30}}\n")
            f.write("    cite:\n")
            for c in range(2):
                f.write(f"      - source: source-{(i + c) % sources}\n"
                        f"        quote: \"a short verbatim phrase that supports fact {i}\"\n"
                        f"        at: para. {1 + c}\n")


def measure(facts: int, sources: int, repeats: int) -> tuple[float, float, float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "facts.yaml")
        generate(path, facts, sources)
        size = os.path.getsize(path)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            fb = load(path)
            times.append(time.perf_counter() - start)
            assert len(fb.facts) == facts
        tracemalloc.start()
        load(path)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return min(times), sorted(times)[len(times) // 2], peak / 2**20, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="fact counts, comma-separated")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'facts':>8} {'sources':>8} {'file MB':>8} {'best s':>8} {'median s':>9} {'s/1k facts':>10} "
          f"{'peak MB':>8}  target")
    ok = True
    for n in sizes:
        sources = max(10, n // 10)
        best, median, peak, size = measure(n, sources, args.repeats if n <= 20_000 else 1)
        verdict = ""
        if n == TARGET_FACTS:
            verdict = f"< {TARGET_SECONDS:.0f} s: " + ("met" if best < TARGET_SECONDS else "MISSED")
            ok = ok and best < TARGET_SECONDS
        print(f"{n:>8} {sources:>8} {size / 2**20:>8.1f} {best:>8.3f} {median:>9.3f} {1000 * best / n:>10.4f} "
              f"{peak:>8.0f}  {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
