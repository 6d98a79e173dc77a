"""The shipped example's briefs as their readers get them: every brief × audience of this repository's project,
read back from the built PDF (pdfplumber) and DOCX (pandoc). The minister's version says what happened and what the
desk does not know; every key judgment names a time frame; no abbreviation is used before it is spelled out; notes
take at most a quarter of a page in the minister's and the business delegation's PDFs. Each test fails when it finds
no outputs to read, or misses one. They read the example's text for properties every desk's briefs should have, and
name none of its facts."""

from __future__ import annotations

import functools
import os
import re
import subprocess

import pytest
from conftest import ROOT, need, outputs
from readers import per_file_version

from briefing.judgments import LIKELIHOOD
from briefing.project import Project

QUARTER = 0.25


@functools.lru_cache(maxsize=None)
def _project() -> Project:
    return Project.load(os.path.join(ROOT, "facts.yaml"), os.path.join(ROOT, "templates"))


def _outputs(built: str, pattern: str) -> list[str]:
    """The example's built files matching `pattern`; none at all, or one missing, fails the test that asked."""
    return outputs(built, pattern, ROOT)


def _fold(text: str) -> str:
    return " ".join(re.sub(r"-\n\s*", "-", text).split())


@per_file_version
def _pdf_pages(path: str) -> list[str]:
    """The text of each page in reading order, as pdfplumber reads it: the body, then the notes at its foot; the
    note marks (the characters inside note links) left out, as a reader's eye skips them."""
    import pdfplumber

    note_size = _project().style.sizes.note
    pages = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            rects = [(a["x0"], a["top"], a["x1"], a["bottom"]) for a in page.annots if "Dest" in a["data"]]

            def keep(o, notes: bool) -> bool:
                if o.get("object_type") != "char":
                    return True
                cx, cy = (o["x0"] + o["x1"]) / 2, (o["top"] + o["bottom"]) / 2
                if any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in rects):
                    return False
                return (abs(o["size"] - note_size) < 0.05) == notes

            body = page.filter(lambda o: keep(o, False)).extract_text() or ""
            notes = page.filter(lambda o: keep(o, True)).extract_text() or ""
            pages.append(body + "\n" + notes)
    return pages


@per_file_version
def _docx_text(path: str) -> str:
    need("pandoc")
    return subprocess.run(["pandoc", path, "-t", "plain", "--wrap=none"], capture_output=True, text=True,
                          check=True).stdout


def _texts(built: str, pattern: str) -> list[tuple[str, str]]:
    """(file name, text) for the PDF and the DOCX of every output matching `pattern` (e.g. `*.minister`)."""
    out = []
    for pdf in _outputs(built, pattern + ".pdf"):
        out.append((os.path.basename(pdf), _fold("\n".join(_pdf_pages(pdf)))))
        out.append((os.path.basename(pdf)[:-4] + ".docx", _fold(_docx_text(pdf[:-4] + ".docx"))))
    return out


def test_the_ministers_version_says_what_happened_and_what_we_do_not_know(example_built):
    for name, text in _texts(example_built, "*.minister"):
        assert "What happened" in text, name
        assert "What we do not know" in text, name
        happened = text.split("What happened", 1)[1].split("Bottom line", 1)[0]
        assert len(happened.split()) >= 20, (name, happened)  # a paragraph, not a heading alone


def test_every_key_judgment_names_a_time_frame(example_built):
    """Every audience that has key judgments prints them with a likelihood, a confidence and a year; a public
    version, which carries no internal judgments, prints none."""
    as_of = _project().facts.meta.as_of
    audiences = _project().audiences
    terms = "|".join(sorted(map(re.escape, LIKELIHOOD), key=len, reverse=True))
    estimate = re.compile(r"\((?:" + terms + r"), \d+–\d+%; (?:low|moderate|high) confidence\)")
    for name, text in _texts(example_built, "*"):
        judgments = []
        for mo in estimate.finditer(text):
            before = text[:mo.start()].rstrip()
            start = max(before.rfind(". ", 0, len(before) - 1), before.rfind("• "), before.rfind("1. "))
            judgments.append(before[start + 2:])
        audience = audiences[name.rsplit(".", 2)[-2]]
        if audience.handling == "PUBLIC":
            assert not judgments, f"{name}: a public version prints the desk's judgments {judgments}"
            continue
        assert judgments, f"{name}: no key judgment with a likelihood and a confidence"
        for j in judgments:
            years = [int(y) for y in re.findall(r"\b(20\d\d)\b", j)]
            assert any(y >= as_of.year for y in years), f"{name}: no time frame in {j!r}"


_KNOWN = None


def _known() -> set[str]:
    global _KNOWN
    if _KNOWN is None:
        from briefing.wording import load_wording

        _KNOWN = set(load_wording(os.path.join(ROOT, "templates")).settings["known_abbreviations"])
    return _KNOWN


def _abbreviations_used_before_defined(text: str, furniture: set[str]) -> list[str]:
    """Each abbreviation whose first use (outside quotation marks, which hold the sources' own words) does not
    stand in brackets right after its long form."""
    for word in furniture:
        text = text.replace(word, " ")
    text = re.sub(r"“[^”]*”", " ", text)
    seen, late = set(), []
    for mo in re.finditer(r"(?<![\w.\-/@])(?:(?:[A-Z]\.)+[A-Z]\.?|[A-Za-z]+)(?![\w$@])", text):
        word = mo.group()
        core = word[:-1] if len(word) > 2 and word.endswith("s") and word[-2].isupper() else word
        lower = [i for i, c in enumerate(core) if c.islower()]
        if "." not in word and not (sum(c.isupper() for c in core) >= 2 and lower in ([], [1])):
            continue
        if core in seen or word in _known() or core in _known():
            continue
        seen.add(core)
        if not (text[mo.start() - 1:mo.start()] == "(" and text[mo.end():mo.end() + 1] == ")"):
            late.append(word)
    return late


def test_no_abbreviation_is_used_before_it_is_spelled_out(example_built):
    project = _project()
    furniture = {a.handling for a in project.audiences.values() if a.handling}
    for name, text in _texts(example_built, "*"):
        assert not _abbreviations_used_before_defined(text, furniture), name


def _note_areas(path: str, note_size: float) -> list[tuple[int, float, float]]:
    """(page, height of the note area, page height) for every page with notes: from the separator rule above the
    notes to the lowest note character."""
    import pdfplumber

    out = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            notes = [c for c in page.chars if abs(c["size"] - note_size) < 0.05]
            if not notes:
                continue
            top = min(c["top"] for c in notes)
            rules = [ln["top"] for ln in page.lines if ln["top"] <= top and ln["x1"] - ln["x0"] < page.width / 2]
            start = max(rules) if rules else top
            out.append((page.page_number, max(c["bottom"] for c in notes) - start, page.height))
    return out


@pytest.mark.parametrize("audience", ["minister", "business"])
def test_notes_take_at_most_a_quarter_of_any_page(example_built, audience):
    note_size = _project().style.sizes.note
    measured = 0
    for pdf in _outputs(example_built, f"*.{audience}.pdf"):
        for page, height, page_height in _note_areas(pdf, note_size):
            measured += 1
            assert height <= QUARTER * page_height, (os.path.basename(pdf), page, round(height), page_height)
    assert measured, f"no notes found in the {audience}'s PDFs"


def test_summary_versions_show_no_fact_counts_no_nd_no_bracketed_titles_and_no_source_as_speaker(example_built):
    names = [s.short_name for s in _project().facts.sources.values() if s.short_name]
    for pattern in ("*.minister", "*.business"):
        for name, text in _texts(example_built, pattern):
            assert "n.d." not in text, name
            assert not re.search(r"\[[A-Z][a-z]+: ", text), name  # "[Opinion: …]", a description as a title
            assert not re.search(r"Of the \d+ facts", text), name
            differ = text.split("Where reports differ", 1)[-1].split("Sourcing", 1)[0]
            assert not [n for n in names if f"{n}:" in differ], name  # "Visit overview: Bilateral trade is …"


def test_a_change_line_only_where_a_judgment_changed(example_built):
    judgments = _project().judgments
    for pdf in _outputs(example_built, "*.analyst.pdf"):
        brief = os.path.basename(pdf).split(".")[0]
        text = _fold("\n".join(_pdf_pages(pdf)))
        changed = [j for j in judgments[brief] if j.change]
        assert text.count("Change:") == len(changed), brief


@pytest.fixture()
def example(request) -> str:
    """The shipped example's build: `example_built` where the suite builds the example apart from its own test
    project, else `built`."""
    try:
        return request.getfixturevalue("example_built")
    except pytest.FixtureLookupError:
        return request.getfixturevalue("built")


def _named_in(notes: str, source) -> bool:
    """Whether the notes cite `source`: by the writer's surname, else by its short name (plain notes) or the first
    words of its bracketed description (analysts' notes)."""
    if source.author:
        return source.author.split()[-1] in notes
    words = " ".join(source.title.strip("[]").replace("'", "’").split()[:2])
    return bool(source.short_name and source.short_name in notes) or words in notes


def test_the_sourcing_note_counts_the_sources_its_own_notes_cite(example):
    """A source cited only from a text the audience does not print (a judgment's basis in a summary) is not
    counted: every version's count is the number of sources its own notes name."""
    sources = _project().facts.sources.values()
    counted = 0
    for path in _outputs(example, "*.md"):
        text = open(path, encoding="utf-8").read()
        notes = "\n".join(line for line in text.splitlines() if line.startswith("[^"))
        mo = re.search(r"This brief rests on (\d+|one) sources?(?:, none of them an official text)?: ([^.]*)\.", text)
        assert mo, path
        count = 1 if mo.group(1) == "one" else int(mo.group(1))
        assert count == len([s for s in sources if _named_in(notes, s)]), (os.path.basename(path), mo.group())
        assert count == sum(int(n) for n in re.findall(r"(\d+) ", mo.group(2))), mo.group()
        counted += 1
    assert counted >= 10


def test_a_judgment_seen_by_some_audiences_reaches_only_them(example):
    """A forecast kept from public versions (`seen_by:`) is in neither their judgments, nor their actions, gaps and
    indicators."""
    project = _project()
    checked = 0
    for brief, items in project.judgments.items():
        for j in items:
            if not j.seen_by:
                continue
            for audience in project.briefs[brief].audiences:
                md = open(os.path.join(example, f"{brief}.{audience}.md"), encoding="utf-8").read().replace("’", "'")
                texts = [j.judgment[:60], *(g[:40] for g in j.gaps), *(i[:40] for i in j.indicators)]
                shown = [t for t in texts if t.replace("’", "'") in md]
                if audience in j.seen_by:
                    assert texts[0] in shown, (brief, audience, j.id)
                else:
                    assert not shown, (brief, audience, j.id, shown)
                checked += 1
    assert checked, "no judgment is kept from any audience"
