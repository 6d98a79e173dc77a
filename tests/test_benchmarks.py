"""Every shipped benchmark still runs on the current schema and code: each once, in its fast smoke mode, so that
none rots between the runs that measure. (benchmarks/load_factbase.py's smoke run is in test_factbase.py.)"""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT


def _smoke(script: str) -> str:
    """Run benchmarks/`script` --smoke in a fresh process; return what it printed."""
    done = subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", script), "--smoke"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done.stdout


def test_the_comparison_benchmark_judges_each_speed_target():
    out = _smoke("compare.py")
    targets = out[out.index("Targets"):]
    for target in ("one brief PDF + DOCX, whole CLI: at most 1.3× the floor", "at least 25 documents/s",
                   "-f docx, fit kept: at most 60 % of PDF + DOCX", "300 facts load", "no-change rebuild"):
        line = next((line for line in targets.splitlines() if target in line), None)
        assert line is not None, f"no line for {target!r} in:\n{targets}"
        assert line.rstrip().endswith(("met", "MISSED")), line
    assert "-f docx, no fit kept" in targets and "load average" in targets


def test_the_stage_benchmark_times_each_stage_and_judges_nothing():
    out = _smoke("build_speed.py")
    for step in ("compose 1 briefs", "DOCX for 1 briefs", "PDF for 1 briefs untagged", "fit 1 briefs",
                 "tagging overhead"):
        assert step in out, out
    assert "MISSED" not in out and "met" not in out.split()


def test_the_distribution_benchmark_sends_and_then_skips_its_copies():
    out = _smoke("distribute.py")
    assert "3 personal copies" in out and "3 sent" in out and "3 up to date" in out, out


def test_the_fuzz_benchmark_runs_a_case_of_each_kind_without_a_traceback():
    out = _smoke("fuzz.py")
    assert "4 cases" in out, out
    for kind in ("facts", "template", "audience", "style"):
        assert f"| {kind:<9} |     1 |" in out, out
