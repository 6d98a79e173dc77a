"""A project is a folder: `init` starts one that builds at once, commands find it from inside or with -C, every
message names files as the user would, and the corpus guards the build."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys

import pytest

from briefing.cli import main
from conftest import EVERY_FORMAT, PROJECT, ROOT, in_project, pairs

EXAMPLE_WORDS = re.compile(r"Pakistan|Belarus|Lukashenko|Minsk|Islamabad|Sharif|\bSCO\b", re.IGNORECASE)


def _files(folder: str) -> dict[str, str]:
    """Every file under `folder`, by path relative to it, with its SHA-256."""
    found = {}
    for here, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(here, name)
            with open(path, "rb") as f:
                found[os.path.relpath(path, folder)] = hashlib.sha256(f.read()).hexdigest()
    return found


def _text_of(path: str) -> str:
    if path.endswith(".md"):
        return open(path, encoding="utf-8").read()
    if path.endswith(".pdf"):
        return subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True).stdout
    from docx import Document

    return "\n".join(p.text for p in Document(path).paragraphs)


def test_init_then_build_in_an_empty_folder_works_with_no_other_step(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["init", "desk"]) == 0
    monkeypatch.chdir(tmp_path / "desk")
    assert main(["check"]) == 0
    assert main(["build", "-f", "pdf,docx,md"]) == 0
    capsys.readouterr()
    built = sorted(os.listdir(tmp_path / "desk" / "out"))
    assert {"overview.minister.pdf", "overview.analyst.docx", "overview.business.md"} <= set(built)
    for name in built:
        if name.endswith((".pdf", ".docx", ".md")):
            text = _text_of(str(tmp_path / "desk" / "out" / name))
            assert "trade agreement" in text, name  # the example fact reached it
            assert not EXAMPLE_WORDS.search(text), f"{name} holds text of the shipped example event"


def test_the_skeletons_own_files_name_no_event_of_the_example(tmp_path):
    assert main(["init", str(tmp_path / "p")]) == 0
    for path in _files(str(tmp_path / "p")):
        if path.endswith((".yaml", ".j2", ".txt")):
            text = open(tmp_path / "p" / path, encoding="utf-8").read()
            assert not EXAMPLE_WORDS.search(text), f"{path}: {EXAMPLE_WORDS.search(text).group()}"


def test_init_refuses_a_folder_that_holds_files_and_writes_nothing(tmp_path, capsys):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "notes.txt").write_text("mine")
    assert main(["init", str(tmp_path / "p")]) == 1
    assert "not an empty folder" in capsys.readouterr().err
    assert os.listdir(tmp_path / "p") == ["notes.txt"]
    assert [n for n in os.listdir(tmp_path) if n.startswith(".briefing-init")] == []


def test_init_example_builds_byte_identical_to_this_repositorys_briefs(tmp_path, example_built):
    assert main(["init", "--example", str(tmp_path / "example")]) == 0
    assert main(["-C", str(tmp_path / "example"), "build", "-o", str(tmp_path / "a"), "-f", EVERY_FORMAT]) == 0
    a, b = _files(str(tmp_path / "a")), _files(example_built)
    a.pop(".briefing-build.json"), b.pop(".briefing-build.json")
    assert len(a) == len(EVERY_FORMAT.split(",")) * len(pairs(ROOT)) and a == b


def test_commands_find_the_project_from_a_subfolder(tmp_path, monkeypatch, capsys):
    assert main(["init", str(tmp_path / "p")]) == 0
    (tmp_path / "p" / "notes").mkdir()
    monkeypatch.chdir(tmp_path / "p" / "notes")
    assert main(["list"]) == 0
    assert "overview" in capsys.readouterr().out
    assert main(["build", "-f", "md"]) == 0
    assert os.path.exists(tmp_path / "p" / "out" / "overview.minister.md")


def test_every_path_in_a_message_is_the_one_the_user_typed_with_C_from_another_folder(tmp_path, monkeypatch,
                                                                                       capsys):
    assert main(["init", str(tmp_path / "proj")]) == 0
    facts = tmp_path / "proj" / "facts.yaml"
    facts.write_text(facts.read_text().replace("kind: news", "kind: newspaper"))
    template = tmp_path / "proj" / "templates" / "briefs" / "overview.md.j2"
    template.write_text(template.read_text().replace("{% endblock %}", "{{ say('event.no-such-fact') }}\n{% endblock %}"))
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    capsys.readouterr()
    assert main(["-C", "../proj", "check"]) == 1
    err = capsys.readouterr().err
    assert "../proj/facts.yaml:" in err and "newspaper" in err
    facts.write_text(facts.read_text().replace("kind: newspaper", "kind: news"))
    assert main(["-C", "../proj", "build", "-f", "md"]) == 1
    err = capsys.readouterr().err
    assert "../proj/templates/briefs/overview.md.j2:" in err and "event.no-such-fact" in err
    paths = re.findall(r"^(\S+?):\d", err, re.MULTILINE)
    assert paths and all(p.startswith("../proj/") for p in paths), paths


def test_build_with_a_corpus_refuses_a_misquote_and_leaves_out_unchanged(tmp_path, monkeypatch, capsys):
    assert main(["init", str(tmp_path / "p")]) == 0
    monkeypatch.chdir(tmp_path / "p")
    assert main(["build", "-f", "md"]) == 0
    before = _files("out")
    facts = tmp_path / "p" / "facts.yaml"
    facts.write_text(facts.read_text().replace('quote: "met on 3 March 2025"', 'quote: "met on 4 March 2025"'))
    capsys.readouterr()
    assert main(["build", "-f", "md"]) == 1
    err = capsys.readouterr().err
    assert "facts.yaml:" in err and "quote not found in example-article.txt: 'met on 4 March 2025'" in err
    assert "closest passage: 'met on 3 March 2025'" in err
    assert _files("out") == before
    assert main(["check"]) == 1
    assert "quote not found in example-article.txt: 'met on 4 March 2025'" in capsys.readouterr().err


def test_build_without_a_corpus_says_once_that_quotes_were_not_verified(tmp_path, monkeypatch, capsys):
    assert main(["init", str(tmp_path / "p")]) == 0
    project = tmp_path / "p" / "briefing.yaml"
    project.write_text(re.sub(r"^corpus: sources", "corpus: null", project.read_text(), flags=re.MULTILINE))
    monkeypatch.chdir(tmp_path / "p")
    capsys.readouterr()
    assert main(["build", "-f", "md,pdf"]) == 0
    err = capsys.readouterr().err
    assert err.count("the quotes were not verified") == 1 and "briefing.yaml" in err


def test_new_brief_from_the_shipped_overview_in_a_project_that_lacks_it(project_copy, capsys):
    t = f"{project_copy}/templates"
    assert main(["new", "brief", "energy", "--from", "overview", "--templates", t]) == 0
    text = open(f"{t}/briefs/energy.yaml").read()
    assert "title: Energy (edit me)" in text and "EXAMPLE" not in text
    assert main(["new", "brief", "water", "--from", "no-such", "--templates", t]) == 1
    assert "copy one of:" in capsys.readouterr().err


def test_a_copied_brief_keeps_the_form_not_the_words_of_its_original(project_copy):
    t = f"{project_copy}/templates"
    assert main(["new", "brief", "energy", "--from", "freight-line", "--templates", t]) == 0
    brief = open(f"{t}/briefs/energy.yaml").read()
    assert "Lakeside" not in brief and "Marovia" not in brief and "title: Energy (edit me)" in brief
    judgments = open(f"{t}/judgments/energy.yaml").read()
    live = [line for line in judgments.split("\n") if line and not line.startswith("#")]
    assert live == ["judgments: []"]
    assert main(["new", "audience", "press", "--from", "business", "--templates", t]) == 0
    audience = open(f"{t}/audiences/press.yaml").read()
    assert "label: Press" in audience and "Business Delegation" not in audience


def test_the_cli_runs_as_a_program_in_a_new_project(tmp_path):
    cli = os.path.join(os.path.dirname(sys.executable), "briefing")
    done = subprocess.run([cli, "init", str(tmp_path / "p")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([cli, "-C", str(tmp_path / "p"), "build", "-f", "md"], capture_output=True, text=True)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert os.path.exists(tmp_path / "p" / "out" / "overview.analyst.md")


@pytest.mark.parametrize("name", ["base.md.j2", "macros.md.j2", "style.yaml", "wording.yaml", "audiences"])
@pytest.mark.parametrize("project", ["skeleton", "test project"])
def test_the_house_files_init_writes_and_the_tests_use_are_this_projects_own(project, name):
    from briefing.scaffold import SKELETON

    folder = SKELETON if project == "skeleton" else PROJECT
    assert os.path.realpath(os.path.join(folder, "templates", name)) == os.path.join(ROOT, "templates", name)


def test_the_test_project_checks_against_its_own_corpus_and_names_nothing_of_the_example(project, capsys):
    """tests/data/project is a project of its own: an invented event, its sources in its own corpus."""
    capsys.readouterr()
    assert in_project(project, "check") == 0
    out = capsys.readouterr().out
    assert re.search(r"\d+ quotes verified against \S+/sources\n", out) and "info: 0 of " in out, out
    for path in _files(PROJECT):
        if path.endswith((".yaml", ".j2", ".txt")) and not os.path.islink(os.path.join(PROJECT, path)):
            text = open(os.path.join(PROJECT, path), encoding="utf-8").read()
            assert not EXAMPLE_WORDS.search(text), f"{path}: {EXAMPLE_WORDS.search(text).group()}"


def test_text_outside_every_block_of_a_brief_template_is_an_error_at_its_line(tmp_path, capsys):
    assert main(["init", str(tmp_path / "p")]) == 0
    template = tmp_path / "p" / "templates" / "briefs" / "overview.md.j2"
    lines = template.read_text().rstrip("\n").split("\n")
    template.write_text("\n".join(lines + ["A paragraph typed after the last block.", ""]))
    assert main(["-C", str(tmp_path / "p"), "build", "-f", "md"]) == 1
    err = capsys.readouterr().err
    assert f"overview.md.j2:{len(lines) + 1}: this stands outside every {{% block %}}" in err
    assert not os.path.exists(tmp_path / "p" / "out")
