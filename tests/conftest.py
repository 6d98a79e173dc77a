"""Shared fixtures: the project's paths, one full build of every brief, and the external readers."""

from __future__ import annotations

import os
import shutil
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.environ.get("BRIEFING_SEEDS") or os.path.join(os.path.dirname(ROOT), "shared", "seeds")
"""The source texts the fact base quotes (the corpus for `check --corpus`): $BRIEFING_SEEDS, else ../shared/seeds."""
sys.path.insert(0, os.path.join(ROOT, "tests"))


def need(tool: str) -> str:
    """Return the path of an external reader; in CI a missing one fails the test instead of skipping it."""
    path = shutil.which(tool)
    if path is None:
        message = f"{tool} is not installed (scripts/setup --test installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def problems_of(path: str, check) -> tuple[str, str]:
    """Return (the problems `check` reports for a fixture file, run beside it; the fixture's .expected text).

    `check(name)` returns the problems, or raises InputError with them."""
    from briefing.errors import InputError

    with open(path[:-5] + ".expected", encoding="utf-8") as f:
        expected = f.read().rstrip("\n")
    cwd = os.getcwd()
    os.chdir(os.path.dirname(path))
    try:
        problems = check(os.path.basename(path))
    except InputError as e:
        problems = e.problems
    finally:
        os.chdir(cwd)
    return "\n".join(str(p) for p in problems), expected


@pytest.fixture(scope="session")
def seeds() -> str:
    """The corpus folder; CI always has it beside the checkout, so there its absence fails, elsewhere it skips."""
    if not os.path.isdir(SEEDS):
        message = f"the source texts are not at {SEEDS}; set BRIEFING_SEEDS to the folder holding them"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return SEEDS


@pytest.fixture(scope="session")
def root() -> str:
    return ROOT


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> str:
    """Every brief for each of its audiences, built once through the CLI, as PDF, DOCX, HTML and Markdown."""
    from briefing.cli import main

    out = str(tmp_path_factory.mktemp("out"))
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        assert main(["build", "-f", "pdf,docx,html,md", "-o", out]) == 0
    finally:
        os.chdir(cwd)
    return out


@pytest.fixture()
def project_copy(tmp_path) -> str:
    """A copy of facts.yaml and templates/ that a test may break."""
    shutil.copy(os.path.join(ROOT, "facts.yaml"), tmp_path / "facts.yaml")
    shutil.copytree(os.path.join(ROOT, "templates"), tmp_path / "templates")
    return str(tmp_path)
