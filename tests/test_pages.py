"""Clean pages, read back from every built PDF with pdfplumber: dates whole, no widows or orphans, no nearly
empty last page, room above superscripts in tables; and a bottom line that states judgments, not the analysis."""

from __future__ import annotations

import os
import re

from conftest import outputs
from readers import pdf_pages

from briefing.project import Project

DATE = re.compile(r"\b\d{1,2}(?:[–-]\d{1,2})? (?:January|February|March|April|May|June|July|August|September|"
                  r"October|November|December) \d{4}\b|\b(?:19|20)\d\d\b")


def _lines(page: dict, sizes=None) -> list[dict]:
    """The text lines of a page (of readers.pdf_pages), top to bottom: text, top, bottom and font size, words of
    `sizes` only."""
    words = page["words"]
    rows: dict[float, list] = {}
    for w in words:
        if sizes is not None and not any(abs(w["size"] - s) < 0.05 for s in sizes):
            continue
        rows.setdefault(round(w["top"]), []).append(w)
    out = []
    for top in sorted(rows):
        ws = sorted(rows[top], key=lambda w: w["x0"])
        out.append({"text": " ".join(w["text"] for w in ws), "top": ws[0]["top"], "bottom": max(w["bottom"] for w in ws),
                    "size": ws[0]["size"], "x0": ws[0]["x0"]})
    return out


def test_no_date_in_a_table_is_broken_across_lines(built):
    checked = 0
    for path in outputs(built, "*.pdf"):
        md = open(path[:-4] + ".md", encoding="utf-8").read()
        cells = [c.strip() for line in md.splitlines() if line.startswith("|") for c in line.strip("|").split("|")]
        dates = {d for c in cells for d in DATE.findall(c)}
        text_lines = [line["text"] for page in pdf_pages(path) for line in _lines(page)]
        for d in dates:
            assert any(d in line for line in text_lines), (path, d)
            checked += 1
    assert checked >= 3


def test_a_table_of_long_dates_keeps_each_date_on_one_line(tmp_path, style):
    from briefing.parse import parse
    from briefing.model import Meta
    from briefing.render.pdf import PdfWriter
    import datetime as dt

    rows = "\n".join(f"| Event {i} with a fairly long description of what happened | 25–27 November 2024 | "
                     f"{i} November 2024 | A source with a long name |" for i in range(1, 6))
    md = "| What | When | As of | Source |\n|:--|:--|:--|:--|\n" + rows + "\n"
    meta = Meta(title="T", subtitle="", date=dt.date(2024, 11, 30), audience="A", handling="H", author="O",
                subject="S", keywords=(), language="en-GB")
    when = dt.datetime(2024, 11, 30, tzinfo=dt.timezone.utc)
    (tmp_path / "t.pdf").write_bytes(PdfWriter(style).render(parse(md, meta), when))
    lines = [line["text"] for line in _lines(pdf_pages(str(tmp_path / "t.pdf"))[0])]
    for i in range(1, 6):
        assert any(f"{i} November 2024" in line and "25–27 November 2024" in line for line in lines), lines


def _paragraphs(md: str) -> list[str]:
    """The body paragraphs and list items of a composed brief, as plain words."""
    body = md.split("\n[^1]:")[0]
    body = re.sub(r"\[\^\d+\]", "", body)
    body = re.sub(r"[*\\]", "", body)
    paras = []
    for block in re.split(r"\n\s*\n|\n(?=[-\d]+\.? )|\n(?=- )", body):
        text = " ".join(block.split())
        text = re.sub(r"^(- |\d+\. )", "", text)
        if text and not text.startswith(("#", "|", "Table:")):
            paras.append(text)
    return paras


def test_no_page_starts_or_ends_with_a_lone_line_of_a_paragraph_that_runs_across_the_break(built, style):
    body_size = style.sizes.body
    breaks = 0
    for path in outputs(built, "*.pdf"):
        md = open(path[:-4] + ".md", encoding="utf-8").read()
        paras = [" ".join(p.split()) for p in _paragraphs(md)]
        pages = [_lines(p, sizes=[body_size]) for p in pdf_pages(path)]
        for before, after in zip(pages, pages[1:]):
            if not before or not after:
                continue
            last, first = before[-1], after[0]
            joined = last["text"] + " " + first["text"]
            if not any(joined in p for p in paras):
                continue  # the paragraph ends on the first page
            breaks += 1
            leading = body_size * style.line_spacing

            def run(lines, start, step):
                """How many lines of one paragraph sit together, from lines[start] going by step."""
                n, i = 1, start
                while 0 <= i + step < len(lines) and abs(lines[i + step]["top"] - lines[i]["top"]) < leading * 1.2:
                    n, i = n + 1, i + step
                return n

            assert run(before, len(before) - 1, -1) >= 2, (path, "orphan", last["text"])
            assert run(after, 0, 1) >= 2, (path, "widow", first["text"])
    assert breaks >= 3, "the briefs should break some paragraphs across pages for this test to mean anything"


def test_the_last_page_of_a_multi_page_brief_is_not_nearly_empty(built, style):
    margin = style.margins_mm.top * 72 / 25.4
    note = style.sizes.note
    for path in outputs(built, "*.pdf"):
        pages = pdf_pages(path)
        if len(pages) < 2:
            continue
        page = pages[-1]
        frame = page["height"] - margin - style.margins_mm.bottom * 72 / 25.4
        words = page["words"]
        body = [w for w in words if w["size"] >= style.sizes.table - 0.05]
        notes = [w for w in words if abs(w["size"] - note) < 0.05]
        used = (max(w["bottom"] for w in body) - margin) if body else 0
        if notes:
            used += max(w["bottom"] for w in notes) - min(w["top"] for w in notes)
        assert used / frame >= 0.15, (path, round(used / frame, 2))


def test_superscripts_in_table_cells_have_room_above(built, style):
    """A note mark in a table cell clears the text line and the rule above it."""
    size = style.sizes.table
    checked = 0
    for path in outputs(built, "*.pdf"):
        for page in pdf_pages(path):
            text = [c for c in page["chars"] if abs(c["size"] - size) < 0.05]
            for mark in page["chars"]:
                if not (mark["text"].isdigit() and mark["size"] < size - 1):
                    continue
                if not any(abs(c["top"] - mark["top"]) < size and 0 <= mark["x0"] - c["x1"] < 2 for c in text):
                    continue  # a mark in body text, not in a table cell
                above = [mark["top"] - c["bottom"] for c in text
                         if c["x0"] - 3 <= mark["x0"] <= c["x1"] + 3 and 0 < mark["top"] + 3 - c["bottom"] < 11]
                above += [mark["top"] - r["bottom"] for r in page["lines"] + page["rects"]
                          if r["x0"] <= mark["x0"] <= r["x1"] and 0 < mark["top"] + 3 - r["bottom"] < 11]
                if above:
                    assert min(above) >= 0.25, (path, mark["text"], min(above))
                    checked += 1
    assert checked >= 5


def _plain(text: str) -> str:
    return " ".join(re.sub(r"\[\^\d+\]|[*\\]", "", text).split())


def test_the_bottom_line_states_judgments_and_repeats_no_sentence_of_the_analysis(built):
    term = (r"\((?:almost no chance|very unlikely|unlikely|roughly even chance|likely|very likely|almost certain), "
            r"\d+–\d+%; (?:low|moderate|high) confidence\)")
    checked = 0
    for path in outputs(built, "*.md"):
        md = open(path, encoding="utf-8").read().split("\n[^1]:")[0]
        sections = re.split(r"(?m)^# ", md)
        bluf = [s for s in sections if s.startswith(("Key judgments", "Bottom line", "In brief"))]
        if not bluf:  # a PUBLIC paper carries none of the desk's judgments
            assert 'handling: "PUBLIC"' in sections[0], path
            continue
        checked += 1
        rest = _plain("\n".join(s for s in sections if s not in bluf))
        judgments = [line for line in bluf[0].split("\n")[1:] if line.startswith(("- ", "1", "2", "3", "4", "5"))]
        assert judgments, path
        for line in judgments:
            assert re.search(term, line), (path, line)
            judgment = _plain(re.sub(r"^(- |\d+\. )", "", line).split(" (")[0])
            assert len(judgment.split()) >= 5 and judgment not in rest, (path, judgment)
    assert checked >= 3


def test_the_ministers_recommendations_are_on_page_1(built):
    for path in outputs(built, "*.minister.pdf"):
        first = pdf_pages(path)[0]["text"]
        assert "Recommended action" in first and "1. " in first.split("Recommended action")[1], path


def test_each_brief_shows_the_disputes_of_its_topics_and_only_those(built, project):
    from briefing.mdtext import escape

    loaded = Project.load(directory=project)
    shown = set()
    for path in outputs(built, "*.analyst.md"):
        brief = os.path.basename(path).split(".")[0]
        topics = set(loaded.briefs[brief].topics)
        md = open(path, encoding="utf-8").read()
        for d in loaded.facts.disputes.values():
            assert (escape(d.question) in md) == bool(set(d.topics) & topics), (brief, d.id)
            shown |= {(brief, d.id)} if escape(d.question) in md else set()
    briefs = {brief for brief, _ in shown}
    assert len(briefs) >= 2 and len(shown) < len(briefs) * len(loaded.facts.disputes), \
        "the test project's briefs each show some disputes and leave some out"
