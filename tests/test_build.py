"""Builds: parallel and serial give the same bytes; only what changed is rebuilt; a build is written whole or not at
all, even when killed or when the disk refuses it."""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest
from conftest import EVERY_FORMAT, ROOT, in_project, outputs



def _build(project: str, out: str, *args: str) -> int:
    return in_project(project, "build", "-o", str(out), *args)


def _snapshot(folder: str) -> dict[str, tuple[bytes, int]]:
    """Every file under `folder` with its bytes and inode (a rewrite with equal bytes still shows)."""
    found = {}
    for here, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = os.path.join(here, name)
            rel = os.path.relpath(path, folder)
            found[rel] = (b"<dir>", 0) if os.path.isdir(path) else (open(path, "rb").read(), os.stat(path).st_ino)
    return found


def _leftovers(folder: str) -> list[str]:
    parent = os.path.dirname(os.path.abspath(folder))
    inside = os.listdir(folder) if os.path.isdir(folder) else []
    return [n for n in os.listdir(parent) + inside if "staging" in n or n.startswith(".tmp")]


def _written(capsys) -> set[str]:
    return {os.path.basename(line) for line in capsys.readouterr().out.split()}


# -- parallel builds --------------------------------------------------------------------------------

def test_two_worker_processes_give_the_bytes_of_a_serial_build(project, built, tmp_path):
    """The shared build ran with two worker processes (conftest): a serial build gives the same bytes."""
    assert _build(project, str(tmp_path / "serial"), "-j", "1", "-f", EVERY_FORMAT) == 0
    serial, parallel = _snapshot(tmp_path / "serial"), _snapshot(built)
    assert sorted(serial) == sorted(parallel)
    assert len(serial) == len(EVERY_FORMAT.split(",")) * len(outputs(built, "*.pdf")) + 1  # and the manifest
    for name in serial:
        assert serial[name][0] == parallel[name][0], name


def test_jobs_must_be_a_positive_number(project, tmp_path, capsys):
    assert _build(project, str(tmp_path), "-j", "0") == 2
    assert "at least 1" in capsys.readouterr().err
    assert not os.listdir(tmp_path)


# -- incremental builds -----------------------------------------------------------------------------

def test_an_unchanged_tree_writes_nothing_and_says_so_and_force_rebuilds_all(project_copy, capsys):
    out = os.path.join(project_copy, "out")
    assert _build(project_copy, out, "freight-line", "visit-politics") == 0
    first = _written(capsys)
    before = _snapshot(out)
    assert _build(project_copy, out, "freight-line", "visit-politics") == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "nothing to do" in captured.err
    assert _snapshot(out) == before
    assert _build(project_copy, out, "freight-line", "visit-politics", "--force") == 0
    assert _written(capsys) == first
    after = _snapshot(out)
    assert {n: v[0] for n, v in after.items()} == {n: v[0] for n, v in before.items()}


def test_a_deleted_or_edited_output_is_made_again(project_copy, capsys):
    out = os.path.join(project_copy, "out")
    assert _build(project_copy, out, "visit-politics", "-f", "pdf,md") == 0
    names = sorted(_written(capsys))
    os.remove(os.path.join(out, names[0]))
    with open(os.path.join(out, names[1]), "ab") as f:
        f.write(b"edited by hand")
    assert _build(project_copy, out, "visit-politics", "-f", "pdf,md") == 0
    assert _written(capsys) == {names[0], names[1]}


def _composed(project: str, out: str) -> dict[str, str]:
    assert _build(project, out, "-f", "md", "--force") == 0
    return {n[:-3]: open(os.path.join(out, n), encoding="utf-8").read() for n in os.listdir(out) if n.endswith(".md")}


def _changed_pairs(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {pair for pair in after if before.get(pair) != after[pair]}


def test_changing_one_facts_statement_rebuilds_the_outputs_that_print_it_and_no_other(project_copy, capsys):
    from briefing.factbase import load

    facts_path = os.path.join(project_copy, "facts.yaml")
    text = open(facts_path, encoding="utf-8").read()
    out, md = os.path.join(project_copy, "out"), os.path.join(project_copy, "md")
    assert _build(project_copy, out) == 0
    capsys.readouterr()
    before = _composed(project_copy, md)
    # A fact whose statement is one plain line of facts.yaml and is printed by some briefs but not all.
    fb = load(facts_path)
    for fact in fb.facts.values():
        line = f"statement: {fact.statement}\n"
        # (without its full stop: a fact's hedges go before it)
        printed = {pair for pair, body in before.items() if fact.statement.rstrip(".") in body}
        if text.count(line) == 1 and printed and len(printed) < len(before):
            break
    else:
        pytest.fail("no fact in facts.yaml is printed by some briefs but not all")
    open(facts_path, "w", encoding="utf-8").write(text.replace(line, line[:-1] + " Revised wording.\n"))
    capsys.readouterr()
    after = _composed(project_copy, md)
    printing = {pair for pair, body in after.items() if "Revised wording" in body}  # its hedges go before the stop
    assert printing == _changed_pairs(before, after) == printed
    capsys.readouterr()
    assert _build(project_copy, out) == 0
    rebuilt = _written(capsys)
    assert rebuilt == {f"{pair}.{ext}" for pair in printing for ext in ("pdf", "docx")}
    assert all("Revised wording" in open(os.path.join(md, p + ".md"), encoding="utf-8").read() for p in printing)


def test_a_new_fact_that_a_briefs_query_matches_is_never_missed(project_copy, capsys):
    facts_path = os.path.join(project_copy, "facts.yaml")
    text = open(facts_path, encoding="utf-8").read()
    out, md = os.path.join(project_copy, "out"), os.path.join(project_copy, "md")
    assert _build(project_copy, out, "-f", "pdf") == 0
    before = _composed(project_copy, md)
    # Copy a fact that carries a figure (figures() and facts() list it) under a new id and statement.
    blocks = re.findall(r"(?ms)^  - id: [^\n]+\n.*?(?=^  - id: |^\S|\Z)", text[text.index("\nfacts:"):])
    block = next((b for b in blocks if re.search(r"type: (money|count|percent)", b)), blocks[0])
    new = re.sub(r"id: (\S+)", r"id: \1-copy", block, count=1)
    new = re.sub(r"statement: [^\n]+", "statement: A newly added fact for the incremental build test.", new,
                 count=1)
    open(facts_path, "w", encoding="utf-8").write(text.replace(block, block.rstrip("\n") + "\n\n" + new, 1))
    after = _composed(project_copy, md)
    changed = _changed_pairs(before, after)
    assert changed, "the new fact should reach at least one brief through its queries"
    capsys.readouterr()
    assert _build(project_copy, out, "-f", "pdf") == 0
    assert _written(capsys) == {f"{pair}.pdf" for pair in changed}


# -- all or nothing ---------------------------------------------------------------------------------

def test_an_output_folder_that_is_a_file_is_a_clean_error(project, tmp_path, capsys):
    out = tmp_path / "out"
    out.write_bytes(b"not a folder")
    assert _build(project, str(out), "visit-politics", "-a", "minister") == 1
    err = capsys.readouterr().err
    assert "is not a folder" in err and "Traceback" not in err
    assert out.read_bytes() == b"not a folder" and _leftovers(str(out)) == []


def test_a_folder_where_an_output_goes_is_a_clean_error_and_nothing_changes(project, tmp_path, capsys):
    out = str(tmp_path / "out")
    assert _build(project, out, "visit-politics", "-f", "md") == 0
    os.mkdir(os.path.join(out, "visit-politics.minister.pdf"))
    before = _snapshot(out)
    assert _build(project, out, "visit-politics", "--force") == 1
    err = capsys.readouterr().err
    assert "visit-politics.minister.pdf: is a folder where a file of this build goes" in err
    assert _snapshot(out) == before and _leftovers(out) == []


def test_a_disk_that_fills_up_mid_build_leaves_the_folder_as_it_was(project, tmp_path, capsys, monkeypatch):
    import briefing.outdir as outdir

    out = str(tmp_path / "out")
    assert _build(project, out, "visit-politics", "-f", "md") == 0
    before = _snapshot(out)
    real, calls = outdir._write_file, []

    def fill_up(path, data):
        calls.append(path)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
        real(path, data)

    monkeypatch.setattr(outdir, "_write_file", fill_up)
    assert _build(project, out, "visit-politics", "-f", "md,pdf", "--force") == 3  # the environment failed
    err = capsys.readouterr().err
    assert "No space left on device" in err and "free some space" in err and "Traceback" not in err
    assert _snapshot(out) == before and _leftovers(out) == []


@pytest.fixture()
def tmpfs(tmp_path):
    """A 300 KiB RAM disk mounted at tmp_path/disk (needs root; skipped where mounting is not allowed)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a RAM disk needs root")
    run = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(disk)], capture_output=True)
    if run.returncode:
        pytest.skip(f"cannot mount a RAM disk here: {run.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


@pytest.mark.parametrize("where", ["out is the disk", "out is on the disk"])
def test_a_full_disk_is_a_clean_error_and_the_folder_is_as_it_was(project, tmpfs, capsys, where):
    out = str(tmpfs) if where == "out is the disk" else str(tmpfs / "out")
    assert _build(project, out, "visit-politics", "-a", "minister", "-f", "md") == 0
    before = _snapshot(out)
    assert _build(project, out, "--force", "-j", "1") == 3  # every brief as PDF and DOCX: far more than 300 KiB
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Traceback" not in err
    assert _snapshot(out) == before and _leftovers(out) == []


def test_a_read_only_output_folder_is_a_clean_error(project, tmpfs, capsys):
    out = str(tmpfs / "out")
    assert _build(project, out, "visit-politics", "-a", "minister", "-f", "md") == 0
    before = _snapshot(out)
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    assert _build(project, out, "visit-politics", "--force") == 3
    err = capsys.readouterr().err
    assert "read-only" in err and "Traceback" not in err
    assert _snapshot(out) == before


_SLOW_WRITER = """
import os, sys, time
import briefing.outdir as outdir
real_write, real_replace = outdir._write_file, os.replace
def slow_write(path, data):
    if not getattr(slow_write, "said", False):
        print("writing", flush=True)
        slow_write.said = True
    real_write(path, data)
    time.sleep(0.05)
def slow_replace(src, dst):
    real_replace(src, dst)
    time.sleep(0.05)
outdir._write_file, os.replace = slow_write, slow_replace
from briefing.cli import main
sys.exit(main(sys.argv[1:]))
"""
"""A build whose every file write and rename takes 0.05 s longer, and that says "writing" when it starts writing."""

_KILL_AFTER = (None, 0.0, 0.04, 0.1, 0.17, 0.3)
"""When each trial kills: during start-up (None), or so long after the build said it began writing: the writes
into the staging folder and the exchange (or the renames one by one) take about 0.2 s to 0.3 s."""


def _kill_trials(tmp_path, project: str, extra_folder: bool) -> set[str]:
    """Kill builds (with slowed writes and renames) at moments from start-up to the end, each writing the
    briefs of an edited copy of the project over those of the project; return what was seen."""
    from conftest import copy_project

    from briefing.outdir import remove_stale_staging

    edited = copy_project(tmp_path / "edited", project)
    facts = os.path.join(edited, "facts.yaml")
    text = open(facts, encoding="utf-8").read()
    open(facts, "w", encoding="utf-8").write(text.replace("made a state visit to Tarvel", "visited Tarvel", 1))
    out = str(tmp_path / "out")
    env = {**os.environ, "PYTHONPATH": ROOT}
    args = ["build", "-o", out, "-j", "1", "visit-politics", "-f", "md"]

    def fresh(folder):
        shutil.rmtree(folder, ignore_errors=True)
        if extra_folder:  # a folder inside out/: it cannot be exchanged, files are renamed one by one
            os.makedirs(os.path.join(folder, "keep"))
            open(os.path.join(folder, "keep", "mine.txt"), "w").write("kept")
        assert in_project(project, *args[:2], folder, *args[3:]) == 0

    def slow(*more):
        return [sys.executable, "-c", _SLOW_WRITER, "-C", edited, *args, *more]

    fresh(out)
    old = _snapshot(out)
    fresh(str(tmp_path / "new"))
    subprocess.run(slow("-o", str(tmp_path / "new")), env=env, check=True, capture_output=True)
    new = {n: v[0] for n, v in _snapshot(tmp_path / "new").items()}
    assert new != {n: v[0] for n, v in old.items()}
    outcomes = set()
    for after in _KILL_AFTER:
        proc = subprocess.Popen(slow("--force"), env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        if after is None:
            time.sleep(0.1)
        else:
            assert proc.stdout.readline() == "writing\n"
            time.sleep(after)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        assert [n for n in os.listdir(out) if "staging" in n] == []
        now = _snapshot(out)
        if now == old:
            outcomes.add("old")
            continue
        if {n: v[0] for n, v in now.items()} != new:
            # Killed between renames: the next build finishes them before anything else.
            remove_stale_staging(out)
            assert {n: v[0] for n, v in _snapshot(out).items()} == new, f"killed {after} s into writing: a mix remains"
            outcomes.add("completed")
        else:
            outcomes.add("new")
        fresh(out)
        old = _snapshot(out)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    os.makedirs(os.path.join(tmp_path, f".out.briefing-staging-{int(dead.stdout)}-x1/half-written"))
    assert in_project(project, *args) == 0
    assert _leftovers(out) == [], "the next build removes what killed builds left beside the folder"
    assert "old" in outcomes, "a build killed during start-up leaves the old files"
    return outcomes


def test_a_build_killed_at_any_moment_leaves_the_old_files_or_the_new_never_a_mix(project, tmp_path):
    outcomes = _kill_trials(tmp_path, project, extra_folder=False)
    assert "completed" not in outcomes, "the folder is exchanged in one step"


def test_a_build_killed_while_renaming_files_one_by_one_is_completed_by_the_next(project, tmp_path):
    _kill_trials(tmp_path, project, extra_folder=True)


def test_a_lowered_page_limit_fails_the_build_though_the_pdf_itself_is_up_to_date(project_copy, capsys):
    out = os.path.join(project_copy, "out")
    assert _build(project_copy, out, "visit-politics", "-f", "pdf") == 0
    path = os.path.join(project_copy, "templates", "audiences", "analyst.yaml")
    text = open(path, encoding="utf-8").read()
    assert re.search(r"(?m)^page_limit: .*$", text)
    open(path, "w", encoding="utf-8").write(re.sub(r"(?m)^page_limit: .*$", "page_limit: 50", text))
    capsys.readouterr()
    assert _build(project_copy, out, "visit-politics", "-f", "pdf") == 0
    assert "nothing to do" in capsys.readouterr().err, "the limit is not printed, so no PDF is made again"
    before = _snapshot(out)
    open(path, "w", encoding="utf-8").write(re.sub(r"(?m)^page_limit: .*$", "page_limit: 1", text))
    assert _build(project_copy, out, "visit-politics", "-f", "pdf") == 1
    err = capsys.readouterr().err
    assert "visit-politics for analyst: the PDF has" in err and "more than page_limit allows (1)" in err
    assert _snapshot(out) == before


def test_bad_input_found_while_rendering_in_a_worker_is_reported_with_its_position(project, tmp_path, capsys,
                                                                                  monkeypatch):
    from briefing.errors import InputError, Problem
    from briefing.render.pdf import PdfWriter

    def refuse(self, doc, when):
        raise InputError(Problem("templates/style.yaml", 7, 3, f"cannot render {doc.meta.title!r}", "fix it"))

    monkeypatch.setattr(PdfWriter, "render", refuse)  # the workers are forked from this process, so they see it
    assert _build(project, str(tmp_path / "out"), "visit-politics", "-j", "2") == 1
    err = capsys.readouterr().err
    assert err.count("templates/style.yaml:7:3: cannot render") == 2 and "Traceback" not in err
    assert not os.path.exists(tmp_path / "out")


def test_a_docx_only_build_takes_the_fit_an_earlier_pdf_build_kept_and_lays_out_no_pdf(project, built, tmp_path,
                                                                                       monkeypatch):
    import briefing.render as render

    apart = str(tmp_path / "apart")
    assert _build(project, apart, "freight-line", "-a", "minister", "-f", "pdf", "-j", "1") == 0

    def no_layout(*args, **kwargs):
        raise AssertionError("a PDF was laid out to fit a DOCX whose fit the manifest keeps")

    monkeypatch.setattr(render, "fit", no_layout)
    assert _build(project, apart, "freight-line", "-a", "minister", "-f", "docx", "-j", "1") == 0
    name = "freight-line.minister.docx"  # the shared build made it with its PDF
    assert open(f"{built}/{name}", "rb").read() == open(f"{apart}/{name}", "rb").read()
