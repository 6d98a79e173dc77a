"""Benchmark: how long briefing takes to build the briefs, stage by stage, beside pandoc on the same Markdown.

Prints a table: loading, composing, parsing, DOCX, PDF tagged and untagged (what tagging, the accessible PDF's
structure tree and marked content, costs), fitting (the PDF's pages laid out without drawing, what a DOCX
without its PDF needs), the whole build in-process, CLI start-up and memory. It judges nothing: the speed
targets (issue 20) are measured by benchmarks/compare.py, whole processes side by side.

Run: .venv/bin/python benchmarks/build_speed.py
     .venv/bin/python benchmarks/build_speed.py --smoke   # one brief, each step once: that it still runs (CI)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

def best(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def tagging_cost(tagged_writer, untagged_writer, docs, when, rounds: int = 11) -> tuple[float, float, float]:
    """Return (tagged s, untagged s, overhead %) of the PDFs: the best of `rounds` runs each, taken in turns and
    timed in CPU time, so that a machine busy with other work skews neither side."""
    tagged, untagged = [], []
    for _ in range(rounds):
        for writer, times in ((tagged_writer, tagged), (untagged_writer, untagged)):
            start = time.process_time()
            for d in docs:
                writer.render(d, when)
            times.append(time.process_time() - start)
    return min(tagged), min(untagged), 100 * (min(tagged) / min(untagged) - 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="one brief for one audience, each step once")
    args = parser.parse_args(argv)
    from briefing.build import build_time, render_in_memory
    from briefing.project import Project
    from briefing.compose import Composer
    from briefing.render import fit
    from briefing.parse import parse
    from briefing.render.docx import DocxWriter
    from briefing.render.pdf import PdfWriter

    repeats = 1 if args.smoke else 3
    project = Project.load(os.path.join(ROOT, "facts.yaml"), os.path.join(ROOT, "templates"))
    pairs = project.plan(["trade-outlook"], ["analyst"]) if args.smoke else project.plan([], [])
    when = build_time(project.facts)
    composer = Composer(project.facts, project.templates)
    composed = [composer.compose(b, a) for b, a in pairs]
    docs = [parse(c.markdown, c.meta) for c in composed]
    docx_writer, pdf_writer = DocxWriter(project.style), PdfWriter(project.style)
    rows = []
    n = len(pairs)

    rows.append(("load facts.yaml + templates", best(lambda: Project.load(os.path.join(ROOT, "facts.yaml"),
                                                                            os.path.join(ROOT, "templates")),
                                                     repeats), None))
    rows.append((f"compose {n} briefs (Jinja2 → Markdown)", best(lambda: [composer.compose(b, a) for b, a in pairs],
                                                                 repeats), None))
    rows.append((f"parse {n} briefs (Markdown → model)", best(lambda: [parse(c.markdown, c.meta) for c in composed],
                                                              repeats), None))
    docx_time = best(lambda: [docx_writer.render(d, when) for d in docs], repeats)
    pandoc_time = None
    if shutil.which("pandoc"):
        with tempfile.TemporaryDirectory() as tmp:
            paths = []
            for i, c in enumerate(composed):
                path = os.path.join(tmp, f"{i}.md")
                with open(path, "w", encoding="utf-8") as f:
                    f.write(c.markdown)
                paths.append(path)
            pandoc_time = best(lambda: [subprocess.run(["pandoc", p, "-o", p[:-3] + ".docx"], check=True)
                                        for p in paths], repeats)
    rows.append((f"DOCX for {n} briefs", docx_time, pandoc_time))
    tagged, untagged, tagging = tagging_cost(PdfWriter(project.style), PdfWriter(project.style, tagged=False),
                                             docs, when, 1 if args.smoke else 11)
    rows.append((f"PDF for {n} briefs (tagged; CPU s)", tagged, None))
    rows.append((f"PDF for {n} briefs untagged (tagging's cost; CPU s)", untagged, None))
    rows.append((f"fit {n} briefs (pages laid out, nothing drawn)",
                 best(lambda: [fit(d, pdf_writer.layout, pdf_writer) for d in docs], repeats), None))

    def whole():
        render_in_memory(project, pairs, ["pdf", "docx"])

    whole_time = best(whole, 1 if args.smoke else 2)
    rows.append(("whole build in-process (all of the above)", whole_time, None))
    start_cmd = [sys.executable, "-c", "import sys; from briefing.cli import main; sys.exit(main(['--help']))"]
    env = {**os.environ, "PYTHONPATH": ROOT}
    startup = best(lambda: subprocess.run(start_cmd, capture_output=True, env=env), 1 if args.smoke else 5)
    pandoc_start = best(lambda: subprocess.run(["pandoc", "--version"], capture_output=True),
                        1 if args.smoke else 5) if shutil.which("pandoc") else None
    rows.append(("CLI start-up (briefing --help)", startup, pandoc_start))

    tracemalloc.start()
    render_in_memory(project, pairs, ["pdf", "docx"])
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()

    print(f"{'step':<52} {'briefing s':>11} {'pandoc s':>9}")
    for name, ours, theirs in rows:
        other = "—" if theirs is None else f"{theirs:.3f}"
        print(f"{name:<52} {ours:>11.3f} {other:>9}")
    import resource

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'peak traced Python memory of a whole build, MB':<52} {peak:>11.1f}")
    print(f"{'peak resident memory of this process, MB':<52} {rss:>11.1f}")
    print(f"{'tagging overhead, % of the untagged PDF CPU time':<52} {tagging:>11.1f}")
    print("pandoc has no PDF column: it needs a LaTeX engine for PDF, which this machine does not have.")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; the speed targets are measured by "
          "benchmarks/compare.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
