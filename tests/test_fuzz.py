"""A short, seeded fuzz run: mutated facts, templates, audiences and style end in exit 0, 1 or 2, never a
traceback, and a failed run leaves out/ as it was. The long run is benchmarks/fuzz.py."""

from __future__ import annotations

import pytest
from conftest import ROOT
from fuzzing import failures, run_case

# (kind, number of cases): about 30 s on the 2-core machine
PLAN = (("facts", 40), ("template", 30), ("audience", 10), ("style", 10))
CASES = [(kind, 1000 * k + i) for k, (kind, count) in enumerate(PLAN) for i in range(count)]


@pytest.mark.parametrize("kind, seed", CASES, ids=[f"{kind}-{seed}" for kind, seed in CASES])
def test_a_mutated_project_never_crashes_hangs_or_leaks(tmp_path, kind, seed):
    case = run_case(ROOT, str(tmp_path / "project"), seed, kind)
    assert not failures(case, slow=20.0), f"{case.target} {case.mutations} {case.argv[:3]}: {failures(case, 20.0)}"
    assert case.status == 0 or case.stderr.rstrip().endswith("nothing was written") or case.status == 2, case.stderr


def test_the_fuzz_run_reaches_the_renderers_too(tmp_path):
    """Mutations that leave the project valid must still build DOCX and PDF cleanly."""
    statuses = []
    for seed in range(3):
        case = run_case(ROOT, str(tmp_path / f"p{seed}"), 5000 + seed, "audience", formats="docx,pdf")
        assert not failures(case, slow=60.0), failures(case, 60.0)
        statuses.append(case.status)
    assert set(statuses) <= {0, 1}
