"""Bad or hostile input ends in a clean error with its position (or correct output), never a traceback or a hang."""

from __future__ import annotations

import os
import re
import shutil
import stat

import pytest
from conftest import PROJECT

from briefing.cli import main
from briefing.errors import InputError

BRIEF = "visit-politics"
TEMPLATE = os.path.join("templates", "briefs", BRIEF + ".md.j2")


def _line_of(path: str, text: str) -> int:
    with open(path, encoding="utf-8") as f:
        return next(i for i, line in enumerate(f, 1) if text in line)


def _insert(project: str, text: str) -> tuple[str, int]:
    """Make the brief's template a small one of our own with `text` on its line 2; return (path, 2)."""
    path = os.path.join(project, TEMPLATE)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("# A test brief\n" + text + "\n\nThe end.\n")
    return path, 2


def _build(project: str, capsys, *extra: str) -> tuple[int, str, str]:
    cwd = os.getcwd()
    os.chdir(project)
    try:
        status = main(["build", "-f", "md", "-o", "out", BRIEF, "-a", "analyst", *extra])
    finally:
        os.chdir(cwd)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    return status, captured.out, captured.err


@pytest.fixture()
def unhurried(monkeypatch):
    """The sandbox's time limit raised from 5 s to 60 s, for tests of other limits that compose 10,000 notes: on a
    machine busy with other work that can take more than 5 s."""
    import briefing.sandbox

    monkeypatch.setattr(briefing.sandbox, "MAX_SECONDS", 60.0)


def _markdown(project: str) -> str:
    with open(os.path.join(project, "out", f"{BRIEF}.analyst.md"), encoding="utf-8") as f:
        return f.read()


# --- templates: what they may print and how far they may go ---------------------------------------

@pytest.mark.parametrize("expression, message", [
    ("{{ cite }}", "prints the function 'cite' itself"),
    ("{{ fact }}", "prints the function 'fact' itself"),
    ("{{ brief.topics }}", "prints a list, not text"),
    ("{{ 'a' * 10**9 }}", "goes past the sandbox's limit"),
    ("{{ [1] * 10**9 }}", "goes past the sandbox's limit"),
    ("{{ '{:999999999}'.format(1) }}", "format width or precision over"),
    ("{{ '%999999999d' % 1 }}", "format width or precision over"),
    ("{{ '%999999999d' | format(1) }}", "format width or precision over"),
    ("{{ 'a' | center(10**9) }}", "a width of"),
    ("{{ 'x'.ljust(10**9) }}", "a width of"),
    ("{{ lipsum(100000) }}", "lipsum() makes at most"),
    ("{{ 2 ** 1000000 }}", "too large a number"),
    ("{{ {}.pop('x') }}", "KeyError"),
    ("{{ '{}'.format() }}", "IndexError"),
    ('{{ "\\ud800" }}', "U+D800"),
    ("{{ 'ab'.replace('', 'x' * 5000000) }}", "replace() would make a text longer"),
])
def test_a_template_expression_that_cannot_print_is_an_error_at_its_line(project_copy, capsys, expression, message):
    path, line = _insert(project_copy, expression)
    status, _, err = _build(project_copy, capsys)
    assert status == 1
    assert f"{TEMPLATE}:{line}: " in err and message in err, err
    assert not os.path.exists(os.path.join(project_copy, "out"))


def test_a_macro_that_calls_itself_stops_at_the_depth_limit(project_copy, capsys):
    path, line = _insert(project_copy, "{% macro loop(n) %}{{ loop(n + 1) }}{% endmacro %}{{ loop(0) }}")
    status, _, err = _build(project_copy, capsys)
    assert status == 1 and f"{TEMPLATE}:{line}: " in err and "calls nested more than" in err


def test_a_template_that_includes_itself_is_an_error_not_a_crash(project_copy, capsys):
    path = os.path.join(project_copy, "templates", "loop.md.j2")
    with open(path, "w", encoding="utf-8") as f:
        f.write("again\n{% include 'loop.md.j2' %}\n")
    _insert(project_copy, "{% include 'loop.md.j2' %}")
    status, _, err = _build(project_copy, capsys)
    assert status == 1 and "loop.md.j2:2: " in err and "calls itself" in err


def test_a_template_looping_without_end_is_stopped_by_the_time_limit(project_copy, capsys, monkeypatch):
    import briefing.sandbox

    monkeypatch.setattr(briefing.sandbox, "MAX_SECONDS", 0.5)
    path, line = _insert(project_copy, "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}"
                                       "{% endfor %}")
    status, _, err = _build(project_copy, capsys)
    assert status == 1 and f"{TEMPLATE}:{line}: " in err and "more than 0.5 s" in err


def test_composed_markdown_is_bounded_in_size(project_copy, capsys, monkeypatch):
    import briefing.sandbox

    monkeypatch.setattr(briefing.sandbox, "MAX_OUTPUT", 10_000)
    _insert(project_copy, "{% for i in range(10000) %}{{ 'word ' * 100 }}\n{% endfor %}")
    status, _, err = _build(project_copy, capsys)
    assert status == 1 and "passed 10,000 characters" in err


def test_a_paragraph_holding_thousands_of_notes_is_refused_at_its_line_not_laid_out_for_minutes(project_copy, capsys,
                                                                                                 unhurried):
    """Each page foot fits a paragraph's lines to their notes, so one paragraph of 10,000 notes would take hours."""
    path, line = _insert(project_copy, "{% for i in range(10000) %}Point {{ i }}.{{ cite('visit.dates') }} "
                                       "{% endfor %}")
    status, _, err = _build(project_copy, capsys)
    assert status == 1 and f"{TEMPLATE}:{line}: a paragraph holding 10000 notes; at most 100" in err
    assert "a blank line between them" in err


def test_ten_thousand_notes_in_paragraphs_of_their_own_build(project_copy, capsys, unhurried):
    _insert(project_copy, "{% for i in range(10000) %}Point {{ i }}.{{ cite('visit.dates') }}\n\n{% endfor %}")
    status, _, err = _build(project_copy, capsys)
    assert status == 0, err
    assert _markdown(project_copy).count("\n[^") == 10000


def test_a_paragraph_longer_than_a_few_pages_is_refused(project_copy, capsys):
    path, line = _insert(project_copy, "{{ 'word ' * 5000 }}")
    status, _, err = _build(project_copy, capsys)
    assert status == 1 and f"{TEMPLATE}:{line}: a paragraph of 24999 characters; at most 20000" in err


def test_an_unclosed_for_is_reported_where_it_opened(project_copy, capsys):
    path, line = _insert(project_copy, "{% for f in facts() %}")
    status, _, err = _build(project_copy, capsys)
    assert status == 1 and f"{TEMPLATE}:{line}: template syntax error: this 'for' block is never closed" in err


@pytest.mark.parametrize("name, message", [
    ("..\\\\facts.yaml", "uses a backslash"),
    ("../facts.yaml", "without '..'"),
    ("/etc/passwd", "without '..'"),
])
def test_include_paths_stay_inside_templates(project_copy, capsys, name, message):
    path, line = _insert(project_copy, "{% include '" + name + "' %}")
    status, _, err = _build(project_copy, capsys)
    assert status == 1 and f"{TEMPLATE}:{line}: " in err and message in err, err


def test_a_symbolic_link_out_of_templates_is_not_followed(project_copy, capsys):
    os.symlink(os.path.join(project_copy, "facts.yaml"), os.path.join(project_copy, "templates", "outside.md.j2"))
    path, line = _insert(project_copy, "{% include 'outside.md.j2' %}")
    status, _, err = _build(project_copy, capsys)
    assert status == 1 and f"{TEMPLATE}:{line}: " in err and "leading outside the templates folder" in err


@pytest.mark.parametrize("make, message", [
    (lambda p: open(p, "wb").write("Caf\xe9".encode("latin-1")), "not UTF-8 text (byte 0xe9)"),
    (lambda p: os.symlink(p + ".missing", p), "a symbolic link to a missing file"),
    (lambda p: os.mkfifo(p), "a named pipe (FIFO), not a regular file"),
    (lambda p: os.symlink("/dev/zero", p), "leading outside the templates folder"),
    (lambda p: os.mkdir(p), "a folder where a file should be"),
    (lambda p: open(p, "wb").truncate(5 * 1024 * 1024), "the file is too large"),
])
def test_an_included_file_that_cannot_be_read_is_a_clean_error(project_copy, capsys, make, message):
    path = os.path.join(project_copy, "templates", "part.md.j2")
    make(path)
    _insert(project_copy, "{% include 'part.md.j2' %}")
    status, _, err = _build(project_copy, capsys)
    assert status == 1 and "part.md.j2" in err and message in err, err


def test_an_unreadable_template_is_a_clean_error(project_copy, capsys, monkeypatch):
    path = os.path.join(project_copy, TEMPLATE)
    os.chmod(path, 0)
    if os.geteuid() == 0:  # root reads any file: the system refuses for it, as it would for anyone else
        real_open = os.open

        def refuse(name, *args, **kwargs):
            if os.path.abspath(name) == os.path.abspath(path):
                raise PermissionError(13, "Permission denied", name)
            return real_open(name, *args, **kwargs)

        monkeypatch.setattr(os, "open", refuse)
    status, _, err = _build(project_copy, capsys)
    assert status == 1 and "permission denied" in err


def test_check_reports_a_broken_template_that_no_brief_uses(short_copy, capsys):
    with open(os.path.join(short_copy, "templates", "unused.md.j2"), "wb") as f:
        f.write(b"\xff\xfe")
    cwd = os.getcwd()
    os.chdir(short_copy)
    try:
        assert main(["check"]) == 1
    finally:
        os.chdir(cwd)
    err = capsys.readouterr().err
    assert "unused.md.j2" in err and "UTF-16" in err and "Traceback" not in err


# --- Markdown the templates write: nothing silently lost -----------------------------------------

def test_a_note_mark_typed_into_a_template_is_refused(project_copy, capsys):
    for typed in ("Typed[^c1] mark.", "Typed[^c99] mark.", "[^x]: a note of its own"):
        shutil.copy(os.path.join(PROJECT, TEMPLATE), os.path.join(project_copy, TEMPLATE))
        path, line = _insert(project_copy, typed)
        status, _, err = _build(project_copy, capsys)
        assert status == 1 and f"{TEMPLATE}:{line}: a footnote mark typed into the template" in err, err


def test_an_escaped_note_mark_prints_literally(project_copy, capsys):
    _insert(project_copy, "Literal \\[^c1] text.")
    assert _build(project_copy, capsys)[0] == 0
    from briefing.parse import parse
    from briefing.model import Meta, plain_text

    doc = parse(_markdown(project_copy), Meta(title="t"))
    assert any("Literal [^c1] text." in plain_text(p.children) for p in doc.children if hasattr(p, "children")
               and p.children and not isinstance(p.children[0], list) and hasattr(p.children[0], "text"))


@pytest.mark.parametrize("markdown, below, message", [
    ("\n".join("  " * i + "- level" for i in range(50)), 9, "lists inside lists 9 deep"),
    ("> " * 30 + "quoted", 1, "block quotes inside block quotes 9 deep"),
])
def test_nesting_deeper_than_the_renderers_show_is_refused(project_copy, capsys, markdown, below, message):
    path, line = _insert(project_copy, "\n" + markdown)
    status, _, err = _build(project_copy, capsys)
    assert status == 1 and f"{TEMPLATE}:{line + below}: {message}" in err, err


def test_nesting_within_the_limits_keeps_all_its_text():
    from briefing.model import Meta, plain_text
    from briefing.parse import markdown_problems, parse

    markdown = "\n".join("  " * i + f"- level {i}" for i in range(8)) + "\n\n" + "> " * 8 + "deepest quote\n"
    assert markdown_problems(markdown, [(0, "t.md.j2", 1)], "n", "t.md.j2") == []
    doc = parse(markdown, Meta(title="t"))

    def texts(nodes):
        for n in nodes:
            if hasattr(n, "children") and n.children and not hasattr(n.children[0], "children") \
                    and isinstance(n.children[0], (m.Text,)):
                yield plain_text(n.children)
            elif hasattr(n, "items"):
                for item in n.items:
                    yield from texts(item.children)
            elif hasattr(n, "children"):
                yield from texts(n.children)

    from briefing import model as m

    found = list(texts(doc.children))
    assert [f"level {i}" for i in range(8)] + ["deepest quote"] == found


def test_only_web_and_mail_links_become_links(capsys):
    from briefing.model import Link, Meta, Text
    from briefing.parse import markdown_problems, parse

    markdown = ("[a](javascript:alert(1)) [b](https://example.org) [c](mailto:x@example.org) [d](file:///etc/passwd) "
                "[e](data:text/html,x) [f](vbscript:x) [g](ftp://example.org/x) [h](tel:123)\n")
    doc = parse(markdown, Meta(title="t"))
    links = [n for n in doc.children[0].children if isinstance(n, Link)]
    assert [link.href for link in links] == ["https://example.org", "mailto:x@example.org"]
    text = "".join(n.text for n in doc.children[0].children if isinstance(n, Text))
    assert "a" in text and "javascript" not in "".join(link.href for link in links)
    from briefing.errors import diagnostics

    markdown_problems(markdown, [(0, "t.md.j2", 7)], "n", "t.md.j2")
    err = "\n".join(str(w) for w in diagnostics.take())
    assert "t.md.j2:7: warning: the link 'ftp://example.org/x' is printed as text" in err
    assert "t.md.j2:7: warning: the link 'tel:123' is printed as text" in err


def test_a_heading_that_skips_a_level_is_closed_up():
    from briefing.model import Heading, Meta
    from briefing.parse import parse

    doc = parse("# One\n\n### Three\n\n#### Four\n\n## Two\n", Meta(title="t"))
    assert [h.level for h in doc.children if isinstance(h, Heading)] == [1, 2, 3, 2]


def test_notes_ending_in_a_list_or_referencing_each_other_parse():
    from briefing.model import BulletList, Meta, Note, notes
    from briefing.parse import parse

    doc = parse("A[^1]\n\n[^1]: note\n\n    - x\n    - y\n", Meta(title="t"))
    found = notes(doc)
    assert len(found) == 1 and len(found[0].children) == 2 and isinstance(found[0].children[1], BulletList)
    doc = parse("A[^1] B[^2]\n\n[^1]: see[^2]\n[^2]: see[^1]\n", Meta(title="t"))
    found = notes(doc)
    assert len(found) == 2  # the marks inside the notes stay text: no note holds a note
    assert not any(isinstance(n, Note) for f in found for p in f.children for n in p.children)


# --- fact text always prints literally ----------------------------------------------------------

def test_carriage_returns_in_a_statement_cannot_make_markup():
    from briefing.mdtext import escape
    from briefing.model import Meta, Paragraph
    from briefing.parse import parse

    statement = "Trade grew.\r\r# Heading\r\r- item\r\n1. one\n> quote"
    doc = parse("Before " + escape(statement) + " after.\n", Meta(title="t"))
    assert len(doc.children) == 1 and isinstance(doc.children[0], Paragraph)
    from briefing.model import plain_text

    assert plain_text(doc.children[0].children) == \
        "Before Trade grew.  # Heading  - item 1. one > quote after."


def test_a_statement_with_carriage_returns_builds_literally(project_copy, capsys):
    path = os.path.join(project_copy, "facts.yaml")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    from briefing.factbase import load

    fact = next(iter(load(path).facts.values()))
    marker = "statement: "
    start = text.index(marker, text.index(fact.id)) + len(marker)
    end = text.index("\n", start)
    text = text[:start] + '"Trade grew.\\r\\r# Heading\\r\\r- item"' + text[end:]
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    _insert(project_copy, "{{ fact('" + fact.id + "').statement }}")
    assert _build(project_copy, capsys)[0] == 0
    markdown = _markdown(project_copy)
    assert "\r" not in markdown and "\n# Heading" not in markdown and "\n- item" not in markdown


# --- dates, styles and file properties -----------------------------------------------------------

@pytest.mark.parametrize("epoch", ["0", "315532799", "4354819200", "99999999999999999999", "-5"])
def test_source_date_epoch_outside_what_files_can_store_is_refused(project_copy, capsys, monkeypatch, epoch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    status, _, err = _build(project_copy, capsys)
    assert status == 1 and "SOURCE_DATE_EPOCH" in err and "1980" in err


def _set_style(project: str, **values: str) -> None:
    path = os.path.join(project, "templates", "style.yaml")
    with open(path, encoding="utf-8") as f:
        lines = [line for line in f.read().split("\n") if line.split(":")[0] not in values]
    lines += [f"{key}: {value}" for key, value in values.items()]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


@pytest.mark.parametrize("key, content, message", [
    ("logo", b"not an image", "not a PNG or JPEG image"),
    ("logo", b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "not a PNG or JPEG image"),
])
def test_a_logo_that_is_not_an_image_is_refused(project_copy, capsys, key, content, message):
    with open(os.path.join(project_copy, "templates", "logo.png"), "wb") as f:
        f.write(content)
    _set_style(project_copy, logo="logo.png")
    status, _, err = _build(project_copy, capsys)
    assert status == 1 and "style.yaml" in err and message in err, err


@pytest.mark.parametrize("content", [b"", b"plain text, not a font", b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
                                     b"\0\1\0\0\0\x20" + b"\0" * 6])
def test_a_font_that_is_not_truetype_is_refused(project_copy, capsys, content):
    with open(os.path.join(project_copy, "templates", "bad.ttf"), "wb") as f:
        f.write(content)
    _set_style(project_copy, fallback_fonts="[bad.ttf]", font_dirs="[.]")
    status, _, err = _build(project_copy, capsys, "-f", "pdf")
    assert status == 1 and "style.yaml" in err and "not a TrueType font" in err, err


def test_a_title_too_long_for_the_file_properties_is_refused(project_copy, capsys):
    path = os.path.join(project_copy, "templates", "briefs", BRIEF + ".yaml")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join("title: " + "Long " * 60 if line.startswith("title:") else line
                          for line in text.split("\n")))
    status, _, err = _build(project_copy, capsys, "-f", "docx")
    assert status == 1 and f"{BRIEF}.yaml" in err and "at most 255" in err, err


# --- the corpus for check --corpus (on the short brief alone: check lays out its PDFs) -----------------

def _corpus(project: str) -> str:
    from briefing.factbase import load

    corpus = os.path.join(project, "corpus")
    os.mkdir(corpus)
    fb = load(os.path.join(project, "facts.yaml"))
    cites = [c for f in fb.facts.values() for c in f.cite]
    cites += [c for d in fb.disputes.values() for claim in d.claims for c in claim.cite]
    for s in fb.sources.values():
        paragraphs: dict[int, list[str]] = {}
        for c in cites:
            if c.source == s.id:  # a quote located at `para. N` goes on the N-th line
                numbers = [int(n) for n in re.findall(r"\d+", c.at or "")] if (c.at or "").startswith("para") else []
                paragraphs.setdefault(numbers[0] if numbers else 10_000, []).append(c.quote)
        lines = [" ".join(paragraphs.get(n, ["Filler."])) for n in range(1, max(paragraphs) + 1)]
        with open(os.path.join(corpus, s.file), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
    return corpus


def _check(project: str, corpus: str, capsys) -> tuple[int, str]:
    cwd = os.getcwd()
    os.chdir(project)
    try:
        status = main(["check", "--corpus", corpus])
    finally:
        os.chdir(cwd)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return status, err


def test_a_corpus_made_of_the_quotes_checks(short_copy, capsys):
    assert _check(short_copy, _corpus(short_copy), capsys)[0] == 0


@pytest.mark.parametrize("make, message", [
    (lambda p: open(p, "wb").write("x\n".encode("utf-16")), "UTF-16"),
    (lambda p: (os.unlink(p), os.mkfifo(p)), "a named pipe (FIFO)"),
    (lambda p: (os.unlink(p), os.symlink("/dev/zero", p)), "a device"),
    (lambda p: (os.unlink(p), os.symlink(p + ".gone", p)), "a symbolic link to a missing file"),
])
def test_a_corpus_file_that_cannot_be_read_is_a_clean_error(short_copy, capsys, make, message):
    corpus = _corpus(short_copy)
    make(os.path.join(corpus, sorted(os.listdir(corpus))[0]))
    status, err = _check(short_copy, corpus, capsys)
    assert status == 1 and message in err, err


def test_a_quote_missing_from_a_large_source_is_reported_quickly(short_copy, capsys):
    """A source of 7.6 MB (8,000 long paragraphs after its own) whose quotes are found but one, which lost a
    word: that one is reported, with its closest passage, in seconds."""
    import time

    corpus = _corpus(short_copy)
    path = os.path.join(corpus, sorted(os.listdir(corpus))[0])
    with open(path, encoding="utf-8") as f:
        lines = f.read().rstrip("\n").split("\n")
    at = next(i for i, line in enumerate(lines) if line != "Filler.")
    words = lines[at].split()
    lines[at] = " ".join(words[:2] + ["changed"] + words[3:])
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
        f.write(("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor " * 12 + "\n") * 8000)
    started = time.monotonic()
    status, err = _check(short_copy, corpus, capsys)
    assert status == 1 and err.count("quote not found") == 1 and "closest passage" in err, err
    assert time.monotonic() - started < 30


def test_input_files_must_be_regular_utf8_files(tmp_path):
    from briefing.inputs import read_text

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for path, message in ((str(fifo), "FIFO"), ("/dev/zero", "a device"), (str(tmp_path), "a folder")):
        with pytest.raises(InputError) as e:
            read_text(path)
        assert message in str(e.value)
    big = tmp_path / "big"
    big.write_bytes(b"x" * 2000)
    with pytest.raises(InputError) as e:
        read_text(str(big), limit=1000)
    assert "too large" in str(e.value)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_after_one_brief_runs_out_of_time_the_others_get_a_tenth(project_copy, capsys, monkeypatch):
    import time

    import briefing.sandbox

    monkeypatch.setattr(briefing.sandbox, "MAX_SECONDS", 1.0)
    with open(os.path.join(project_copy, "templates", "base.md.j2"), "w", encoding="utf-8") as f:
        f.write("# Slow\n{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}\n")
    for name in os.listdir(os.path.join(project_copy, "templates", "briefs")):
        if name.endswith(".j2"):
            with open(os.path.join(project_copy, "templates", "briefs", name), "w", encoding="utf-8") as f:
                f.write("{% extends 'base.md.j2' %}\n")
    cwd = os.getcwd()
    os.chdir(project_copy)
    started = time.monotonic()
    try:
        assert main(["check"]) == 1
    finally:
        os.chdir(cwd)
    err = capsys.readouterr().err
    assert "templates/base.md.j2:2: the brief took more than 1 s to compose" in err
    assert "more than 0.1 s" in err and "Traceback" not in err
    assert time.monotonic() - started < 1.0 + 0.1 * err.count("more than") + 5


@pytest.mark.parametrize("where", ["facts.yaml", "templates/style.yaml", "templates/audiences/analyst.yaml"])
@pytest.mark.parametrize("make, message", [
    (lambda p: (os.unlink(p), os.mkfifo(p)), "a named pipe (FIFO)"),
    (lambda p: (os.unlink(p), os.symlink("/dev/zero", p)), "a device"),
    (lambda p: (os.unlink(p), os.mkdir(p)), "a folder where a file should be"),
    (lambda p: (os.unlink(p), os.symlink(p + ".gone", p)), "a symbolic link to a missing file"),
    (lambda p: open(p, "ab").write(b"# " + b"x" * (65 * 1024 * 1024)), "the file is too large"),
])
def test_a_yaml_input_that_is_not_a_regular_file_is_a_clean_error(project_copy, capsys, where, make, message):
    make(os.path.join(project_copy, where))
    status, _, err = _build(project_copy, capsys)
    assert status == 1 and where in err and message in err, err


def test_a_brief_naming_a_template_outside_its_folder_is_refused(project_copy, capsys):
    path = os.path.join(project_copy, "templates", "briefs", BRIEF + ".yaml")
    with open(path, "a", encoding="utf-8") as f:
        f.write("template: ..\\\\..\\\\facts.yaml\n")
    status, _, err = _build(project_copy, capsys)
    assert status == 1 and f"{BRIEF}.yaml:" in err and "must name a file in templates/briefs" in err, err


def test_a_missing_templates_folder_or_style_file_is_named(project_copy, capsys):
    os.unlink(os.path.join(project_copy, "templates", "style.yaml"))
    status, _, err = _build(project_copy, capsys)
    assert status == 1 and "templates/style.yaml: file not found" in err
    shutil.rmtree(os.path.join(project_copy, "templates"))
    status, _, err = _build(project_copy, capsys)
    assert status == 1 and "templates/audiences: folder not found" in err
