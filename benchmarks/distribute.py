"""Benchmark: numbered personal copies of one brief for many readers, into the outbox; prints a table.

Target (issue 14): 1,000 readers' personal copies of one brief into the outbox in under 30 s on a 2-core
machine — the whole `briefing distribute` run: one layout of the brief, a stamp per copy, one .eml per
reader, a ledger row committed per message, the manifest.
Run: .venv/bin/python benchmarks/distribute.py [--readers 1000] [--brief NAME] [--audience NAME]
     .venv/bin/python benchmarks/distribute.py --smoke   # three readers: that it still runs (CI)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from briefing.build import render_in_memory  # noqa: E402
from briefing.project import Project  # noqa: E402
from briefing.cli import main  # noqa: E402

TARGET_SECONDS = 30.0
TARGET_READERS = 1000


def write_list(path: str, brief: str, audience: str, readers: int) -> None:
    shutil.copy(os.path.join(ROOT, "distribution", "cover.txt.j2"), os.path.dirname(path))
    with open(path, "w", encoding="utf-8") as f:
        f.write("sender: Briefing Desk <desk@example.org>\nrecipients:\n")
        for i in range(readers):
            f.write(f"  - name: Reader {i} Łukasz-Öztürk\n    organisation: Ministry Department {i % 37}\n"
                    f"    email: reader{i}@example.org\n    audience: {audience}\n    briefs: [{brief}]\n")


def timed(argv: list[str]) -> tuple[float, float, str]:
    """Return (wall-clock seconds, CPU seconds of this process, the run's summary line)."""
    out = io.StringIO()
    start, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(out):
        status = main(argv)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert status == 0, out.getvalue()[-2000:]
    return elapsed, cpu, out.getvalue().strip().splitlines()[-1]


def main_bench() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--readers", type=int, default=TARGET_READERS)
    p.add_argument("--brief", help="default: the brief written for the most audiences")
    p.add_argument("--audience", help="default: the brief's audience with the longest PDF")
    p.add_argument("--smoke", action="store_true", help="three readers: that the benchmark still runs")
    a = p.parse_args()
    if a.smoke:
        a.readers = 3
    facts, templates = os.path.join(ROOT, "facts.yaml"), os.path.join(ROOT, "templates")
    project = Project.load(facts, templates)
    brief = a.brief or max(project.briefs, key=lambda b: len(project.briefs[b].audiences))
    start = time.perf_counter()
    outputs = render_in_memory(project, project.plan([brief], list(project.briefs[brief].audiences)), ["pdf"])
    layout = (time.perf_counter() - start) / len(outputs)
    longest = max(outputs, key=lambda o: (o.pages, len(o.data)))
    audience = a.audience or longest.path.split(".")[-2]
    pages = next(o.pages for o in outputs if o.path.split(".")[-2] == audience)

    with tempfile.TemporaryDirectory() as tmp:
        lst = os.path.join(tmp, "bench.yaml")
        write_list(lst, brief, audience, a.readers)
        argv = ["distribute", lst, "--facts", facts, "--templates", templates,
                "--ledger", os.path.join(tmp, "ledger.sqlite"), "--outbox", os.path.join(tmp, "outbox")]
        first, first_cpu, summary = timed(argv)
        files = os.listdir(os.path.join(tmp, "outbox"))
        size = sum(os.path.getsize(os.path.join(tmp, "outbox", f)) for f in files)
        again, again_cpu, again_summary = timed(argv)
    messages = sum(f.endswith(".eml") for f in files)
    assert messages == a.readers, (messages, summary)

    print(f"briefing distribute: {a.readers:,} personal copies of {brief} ({audience}, {pages} pages) into the outbox")
    print(f"{'step':<44} {'seconds':>8} {'CPU s':>8} {'per copy':>10}")
    print(f"{'one layout of the brief (the shared PDF)':<44} {layout:>8.2f} {'':>8} {'':>10}")
    print(f"{'whole run: layout, stamps, .eml, ledger':<44} {first:>8.2f} {first_cpu:>8.2f} "
          f"{first / a.readers * 1000:>8.1f}ms")
    print(f"{'re-run: everything already delivered':<44} {again:>8.2f} {again_cpu:>8.2f} {'':>10}")
    print(f"load average while running: {os.getloadavg()[0]:.1f} (2 cores; other work slows the wall clock)")
    print(f"outbox: {messages:,} messages, {size / 2**20:.1f} MiB; {summary}")
    print(f"re-run: {again_summary}")
    if a.readers == TARGET_READERS:
        verdict = "meets" if first < TARGET_SECONDS else "MISSES"
        print(f"target: {TARGET_READERS:,} copies in under {TARGET_SECONDS:.0f} s — {verdict} it ({first:.1f} s)")


if __name__ == "__main__":
    main_bench()
