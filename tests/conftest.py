"""Shared fixtures: the test project (tests/data/project), one build of it shared by every test and worker, its
DOCX files read once by LibreOffice, and the external readers.

The tests check what briefing does, not what this repository's fact base says: generic tests run on the test
project, an invented event with its own facts, sources and briefs, whose house files are this repository's
own (links, as in briefing/skeleton). A desk that replaces the root's facts.yaml and briefs with its own still
gets a green suite. Only the tests whose subject is the shipped example itself (`init --example`, its briefs as
their readers get them, its fact base passing check) read or build the root."""

from __future__ import annotations

import fnmatch
import functools
import glob
import os
import shutil
import subprocess
import sys
from typing import NoReturn

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.environ.get("BRIEFING_SEEDS") or os.path.join(os.path.dirname(ROOT), "shared", "seeds")
"""The source texts the root's fact base quotes (its corpus): $BRIEFING_SEEDS, else ../shared/seeds."""
PROJECT = os.path.join(ROOT, "tests", "data", "project")
"""The test project: an invented event, two briefs, the three shipped audiences and its own corpus (sources/)."""
sys.path.insert(0, os.path.join(ROOT, "tests"))

from readers import locked  # noqa: E402 (tests/ is on the path from the line above)


def missing(message: str) -> NoReturn:
    """Stop a test that lacks something the setup provides: in CI, which always has it, fail; elsewhere skip."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def need(tool: str) -> str:
    """Return the path of an external reader; in CI a missing one fails the test instead of skipping it."""
    path = shutil.which(tool)
    if path is None:
        missing(f"{tool} is not installed (scripts/setup --test installs it)")
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


def copy_project(dest, source: str = PROJECT, briefs: tuple[str, ...] | None = None) -> str:
    """Copy a project into the folder `dest` (made if missing), its links followed as `briefing init` follows the
    skeleton's, without its out/ or outbox/, and with only `briefs` if given; return `dest` as a string."""
    shutil.copytree(source, dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns("out", "outbox", "*.sqlite*"))
    if briefs is not None:
        for folder in ("briefs", "judgments"):
            for name in os.listdir(os.path.join(dest, "templates", folder)):
                if name.split(".")[0] not in briefs:
                    os.remove(os.path.join(dest, "templates", folder, name))
    return str(dest)


SHORT = ("visit-politics",)
"""The test project's short brief (two short PDFs): for tests that need a whole project's check, not its length."""


def in_project(project: str, *argv: str) -> int:
    """Run the CLI on a project, as `briefing -C PROJECT ARGV...`; return its exit status."""
    from briefing.cli import main

    return main(["-C", str(project), *argv])


@functools.lru_cache(maxsize=None)
def markdown_body(text: str) -> str:
    """A built .md file's text after its YAML metadata block (title, audience, handling...)."""
    if text.startswith("---\n"):
        return text.split("\n---\n", 1)[1].lstrip("\n")
    return text


def pairs(project: str = PROJECT) -> list[str]:
    """Every brief.audience a full build of the project writes, sorted."""
    from briefing.project import Project

    loaded = Project.load(directory=project)
    return sorted(f"{name}.{audience}" for name, brief in loaded.briefs.items() for audience in brief.audiences)


def outputs(folder: str, pattern: str = "*.pdf", project: str = PROJECT) -> list[str]:
    """The files of a build of `project` (the test project's, by default) in `folder` that match `pattern`, sorted:
    every brief × audience that matches must be there, so that a loop over them always checks something and
    misses nothing."""
    found = sorted(glob.glob(os.path.join(folder, pattern)))
    ext = pattern.rsplit(".", 1)[1]
    expected = [f"{pair}.{ext}" for pair in pairs(project) if fnmatch.fnmatch(f"{pair}.{ext}", pattern)]
    assert expected, f"no brief × audience of {project} matches {pattern}"
    assert [os.path.basename(p) for p in found] == expected, f"{folder}: {pattern}"
    return found


def shared(tmp_path_factory, name: str, make) -> str:
    """A folder made once per test run by `make(folder)` and shared by every pytest-xdist worker (each worker's
    session fixtures would otherwise make their own): the first worker to ask makes it, the others wait."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    folder = os.path.join(str(base), name)
    with locked(folder + ".lock"):
        if not os.path.exists(os.path.join(folder, ".made")):
            shutil.rmtree(folder, ignore_errors=True)
            os.makedirs(folder)
            make(folder)
            open(os.path.join(folder, ".made"), "w").close()
    return folder


@pytest.fixture(scope="session", autouse=True)
def _readers_share_what_they_read(tmp_path_factory):
    """What the independent readers (tests/readers.py) read of a file is kept for every worker of the run."""
    import readers

    readers.SHARED = shared(tmp_path_factory, "readers", lambda folder: None)
    # Templates compiled by the run are kept for its workers and CLI subprocesses, not in the user's own cache
    # (every test's copy of a project is a new folder, so each would leave files there).
    os.environ["BRIEFING_CACHE_DIR"] = shared(tmp_path_factory, "template-cache", lambda folder: None)


@pytest.fixture(scope="session")
def seeds() -> str:
    """The root's corpus folder; CI always has it beside the checkout, so there its absence fails, elsewhere it
    skips."""
    if not os.path.isdir(SEEDS):
        missing(f"the source texts are not at {SEEDS}; set BRIEFING_SEEDS to the folder holding them")
    return SEEDS


@pytest.fixture(scope="session")
def root() -> str:
    return ROOT


@pytest.fixture(scope="session")
def project(tmp_path_factory) -> str:
    """The test project, copied once (links followed) for every test that reads it and changes nothing."""
    return shared(tmp_path_factory, "project", copy_project)


@pytest.fixture(scope="session")
def short_project(tmp_path_factory) -> str:
    """The test project with its short brief only, copied once for every test that reads it and changes nothing."""
    return shared(tmp_path_factory, "short-project", lambda folder: copy_project(folder, briefs=SHORT))


EVERY_FORMAT = "pdf,docx,html,md"
"""What the shared builds make."""


def _build_everything(project_dir: str, out: str) -> None:
    """Build every brief × audience in two worker processes (test_build compares a serial build with it)."""
    assert in_project(project_dir, "build", "-f", EVERY_FORMAT, "-j", "2", "-o", out) == 0


@pytest.fixture(scope="session")
def built(project, tmp_path_factory) -> str:
    """Every brief of the test project for each of its audiences, built once through the CLI, as PDF, DOCX, HTML
    and Markdown, into a folder named `built`."""
    return os.path.join(shared(tmp_path_factory, "project-build",
                               lambda folder: _build_everything(project, os.path.join(folder, "built"))), "built")


@pytest.fixture(scope="session")
def example_built(tmp_path_factory, seeds) -> str:
    """The shipped example (this repository's root project) built once, as PDF, DOCX, HTML and Markdown: only for
    tests whose subject is the example itself."""
    return os.path.join(shared(tmp_path_factory, "example-build",
                               lambda folder: _build_everything(ROOT, os.path.join(folder, "built"))), "built")


@pytest.fixture()
def project_copy(tmp_path) -> str:
    """A copy of the test project (briefing.yaml, facts.yaml, sources/, templates/, distribution/) that a test may
    break, in the test's own temporary folder."""
    return copy_project(tmp_path)


@pytest.fixture()
def short_copy(tmp_path) -> str:
    """A copy of the test project with its short brief only, that a test may break."""
    return copy_project(tmp_path, briefs=SHORT)


@pytest.fixture(scope="session")
def style():
    """The house style (the test project's templates/style.yaml: this repository's own)."""
    from briefing.style import load_style

    return load_style(os.path.join(PROJECT, "templates", "style.yaml"))


@pytest.fixture(scope="session")
def writer(style):
    """A PDF writer in the house style, for renderer tests on small fixed documents."""
    from briefing.render.pdf import PdfWriter

    return PdfWriter(style)


@pytest.fixture(scope="session")
def libreoffice_pdfs(built, tmp_path_factory) -> dict[str, str]:
    """Every DOCX of the test project's build converted to PDF by LibreOffice, in one run shared by every worker:
    {docx path: LibreOffice's PDF}."""
    need("soffice")
    files = outputs(built, "*.docx")

    def convert(folder):
        run = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{folder}/profile",
                              "--convert-to", "pdf", "--outdir", folder, *files],
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr

    folder = shared(tmp_path_factory, "libreoffice", convert)
    pdfs = {path: os.path.join(folder, os.path.basename(path)[:-5] + ".pdf") for path in files}
    for path, pdf in pdfs.items():
        assert os.path.exists(pdf), f"LibreOffice did not convert {path}"
    return pdfs
