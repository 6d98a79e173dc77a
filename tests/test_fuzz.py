"""A short, seeded fuzz run on the test project (its short brief only, so that a check that gets through lays out
two short PDFs): mutated facts, templates, audiences and style end in exit 0, 1 or 2, never a traceback, and a
failed run leaves out/ as it was; enough mutated projects get through to the renderers that their DOCX and PDF
paths are fuzzed too. The long run is benchmarks/fuzz.py."""

from __future__ import annotations

import pytest
from fuzzing import failures, run_case

# (kind, number of cases): Markdown only, about 10 s of CPU on the 2-core machine
PLAN = (("facts", 40), ("template", 30), ("audience", 10), ("style", 10))
CASES = [(kind, 1000 * k + i) for k, (kind, count) in enumerate(PLAN) for i in range(count)]
RENDERED = [(kind, 5000 + 100 * k + i) for k, (kind, _) in enumerate(PLAN) for i in range(4)]
"""Cases built as PDF and DOCX (one short brief, to keep them quick): at least a quarter must get through."""
PAIR = ["visit-politics", "-a", "minister"]


@pytest.fixture(autouse=True)
def _brief_time_limit(monkeypatch):
    """A mutation that makes a template loop ends at the sandbox's time limit: 1 s here instead of 5 s, so that
    such a case does not hold the run up (the limit itself is tested in test_hardening)."""
    import briefing.sandbox

    monkeypatch.setattr(briefing.sandbox, "MAX_SECONDS", 1.0)


@pytest.mark.parametrize("kind, seed", CASES, ids=[f"{kind}-{seed}" for kind, seed in CASES])
def test_a_mutated_project_never_crashes_hangs_or_leaks(short_project, tmp_path, kind, seed):
    case = run_case(short_project, str(tmp_path / "project"), seed, kind)
    assert not failures(case, slow=20.0), f"{case.target} {case.mutations} {case.argv[2:5]}: {failures(case, 20.0)}"
    assert case.status == 0 or case.stderr.rstrip().endswith("nothing was written") or case.status == 2, case.stderr
    if case.status == 0 and "build" in case.argv:
        assert case.written and all(name.endswith(".md") for name in case.written), case.written


def test_the_fuzz_run_reaches_the_renderers_too(short_project, tmp_path):
    """Mutations that leave the project valid must still build DOCX and PDF cleanly; a run whose every case
    were rejected would fuzz only the error paths, so a share of the cases must get through."""
    rendered = []
    for kind, seed in RENDERED:
        case = run_case(short_project, str(tmp_path / f"p{seed}"), seed, kind, formats="docx,pdf", build=PAIR)
        assert not failures(case, slow=60.0), (kind, seed, failures(case, 60.0))
        assert case.status in (0, 1), (kind, seed, case.stderr)
        if case.status == 0:
            assert case.written == [f"{PAIR[0]}.{PAIR[2]}.docx", f"{PAIR[0]}.{PAIR[2]}.pdf"], case.written
            rendered.append((kind, seed))
    assert len(rendered) >= len(RENDERED) // 4, f"only {rendered} of {len(RENDERED)} cases reached the renderers"
    assert len({kind for kind, _ in rendered}) >= 2, f"only mutations of one kind reached the renderers: {rendered}"
