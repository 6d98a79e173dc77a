"""The PDF: notes on the page of their marks (also under stress), embedded fonts, outline, metadata, reproducible."""

from __future__ import annotations

import io
import os
import re
import subprocess
import warnings

import pytest
from conftest import PROJECT, ROOT, in_project, need, outputs
from readers import pdf_link_targets_same_page, pdf_marks_and_notes, pdftotext

from briefing import model as m
from briefing.project import Project
from briefing.render.pdf_notes import MeasuredParagraph as Paragraph
from briefing.render.pdf_notes import note_mark
from samples import FILLER, WHEN, filler_paragraphs, meta, note


def _render(writer, doc, tmp_path, name="doc.pdf"):
    path = tmp_path / name
    path.write_bytes(writer.render(doc, WHEN))
    return str(path)


def _assert_notes_on_mark_pages(path, count=None):
    marks, notes = pdf_marks_and_notes(path)
    assert marks, "no note marks found"
    if count is not None:
        assert sorted(marks) == list(range(1, count + 1))
    assert marks == notes, f"mark pages {marks} != note pages {notes}"
    for mark_page, dest_page in pdf_link_targets_same_page(path):
        assert mark_page == dest_page
    return marks


def test_every_built_pdf_has_each_note_on_the_page_of_its_mark(built):
    for path in outputs(built, "*.pdf"):
        md = open(path[:-4] + ".md", encoding="utf-8").read()
        count = md.count("\n[^")
        _assert_notes_on_mark_pages(path, count)


def test_note_lands_on_the_page_of_its_mark_when_the_mark_is_on_a_pages_last_line(writer, tmp_path):
    """k one-line paragraphs push a marked paragraph down line by line. Where its mark moves from page 1 to page 2
    (found by bisection), the mark stands on page 1's last lines or page 2's first: each k around it is checked."""
    pages: dict[int, int] = {}

    def page_of_mark(k: int) -> int:
        if k not in pages:
            body = filler_paragraphs(k) + [m.Paragraph([m.Text(FILLER * 2), note(1, "The note of the last line. " * 3),
                                                        m.Text(" After.")])]
            pages[k] = _assert_notes_on_mark_pages(_render(writer, m.Document(meta(), body), tmp_path), 1)[1]
        return pages[k]

    first, last = 18, 42
    assert (page_of_mark(first), page_of_mark(last)) == (1, 2), "the sweep should cross the page boundary"
    while last - first > 1:
        middle = (first + last) // 2
        first, last = (middle, last) if page_of_mark(middle) == 1 else (first, middle)
    for k in range(first - 4, last + 3):  # the paragraph's lines on either side of the page break, one by one
        page_of_mark(k)
    assert [pages[k] for k in range(first - 4, last + 3)] == [1] * 5 + [2] * 3


def test_twenty_notes_on_one_page_push_text_on_not_notes_off(writer, tmp_path):
    body = [m.Paragraph([m.Text(f"Sentence {i} of a crowded paragraph. "),
                         note(i, f"Note {i}: " + "a note of middling length that takes a line or two. " * 2)])
            for i in range(1, 21)]
    path = _render(writer, m.Document(meta(), filler_paragraphs(10) + body), tmp_path)
    _assert_notes_on_mark_pages(path, 20)


def test_a_note_longer_than_half_a_page_starts_on_its_page_and_continues_on_the_next(writer, tmp_path):
    long_note = "A very long note that goes on and on about the sources and their disagreements. " * 40
    body = filler_paragraphs(20) + [m.Paragraph([m.Text("The claim."), note(1, long_note)])] + filler_paragraphs(55)
    path = _render(writer, m.Document(meta(), body), tmp_path)
    marks = _assert_notes_on_mark_pages(path, 1)
    text = pdftotext(path).split("\f")
    page = marks[1]
    assert "The claim." in text[page - 1]
    words = long_note.split()
    assert " ".join(words[-6:]) in " ".join(text[page].split()), "the note's end continues on the next page"


def test_cyrillic_greek_and_latin_diacritics_come_back_exactly(writer, tmp_path):
    need("pdftotext")
    sentence = "Аляксандр Лукашэнка met officials in Łódź and Αθήνα; São Paulo, Kraków, Ærøskøbing."
    doc = m.Document(meta(), [m.Paragraph([m.Text(sentence), note(1, "Ελληνικά, Беларусь.")])])
    text = pdftotext(_render(writer, doc, tmp_path))
    assert sentence in " ".join(text.split())
    assert "Ελληνικά, Беларусь." in text


def test_every_font_is_embedded_and_the_metadata_is_set(built, project):
    from pypdf import PdfReader

    need("pdffonts")
    meta = Project.load(directory=project).facts.meta
    for path in outputs(built, "*.pdf"):
        fonts = subprocess.run(["pdffonts", path], capture_output=True, text=True, check=True).stdout
        rows = fonts.strip().split("\n")[2:]
        assert rows and all(row.split()[-5] == "yes" for row in rows), fonts
        info = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True)
        assert info.stderr == ""
        fields = dict(line.split(":", 1) for line in info.stdout.splitlines() if ":" in line)
        assert fields["Title"].strip() and fields["Author"].strip() == meta.organisation
        assert fields["Subject"].strip()
        assert PdfReader(path).metadata.creation_date.date() == meta.as_of  # no SOURCE_DATE_EPOCH: the facts' date


def test_outline_has_an_entry_for_each_heading_and_readers_raise_no_warnings(built):
    from pypdf import PdfReader

    for path in outputs(built, "*.pdf"):
        md = open(path[:-4] + ".md", encoding="utf-8").read()
        headings = [line.lstrip("#").strip() for line in md.splitlines() if line.startswith("#")]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            reader = PdfReader(path, strict=True)
            titles = []

            def walk(items):
                for item in items:
                    if isinstance(item, list):
                        walk(item)
                    else:
                        titles.append(item.title)

            walk(reader.outline)
            for page in reader.pages:
                page.extract_text()
        assert titles == [h.replace("\\", "") for h in headings], path
        run = subprocess.run(["pdftotext", path, "/dev/null"], capture_output=True, text=True)
        assert run.returncode == 0 and run.stderr == ""


def test_briefs_keep_their_audiences_page_limits_and_a_four_page_brief_is_small(built, project):
    from pypdf import PdfReader

    audiences = Project.load(directory=project).audiences
    limited = 0
    for path in outputs(built, "*.pdf"):
        pages = len(PdfReader(path).pages)
        limit = audiences[os.path.basename(path).split(".")[1]].page_limit
        if limit is not None:
            assert pages <= limit, path
            limited += 1
        if pages <= 4:
            assert os.path.getsize(path) < 200_000, path
    assert limited >= 2, "the test project's minister and business briefs have page limits"


def test_two_builds_give_identical_pdf_bytes(project, built, tmp_path):
    """A second build, in one process (-j 1) and of PDFs only, gives the bytes of the shared build."""
    assert in_project(project, "build", "-f", "pdf", "-j", "1", "-o", str(tmp_path), "visit-politics") == 0
    names = sorted(n for n in os.listdir(tmp_path) if n.endswith(".pdf"))
    assert names == ["visit-politics.analyst.pdf", "visit-politics.minister.pdf"]
    for name in names:
        assert (tmp_path / name).read_bytes() == open(os.path.join(built, name), "rb").read(), name


def test_source_date_epoch_sets_the_creation_date(project, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1733011200")  # 2024-12-01 00:00 UTC
    assert in_project(project, "build", "-f", "pdf", "-o", str(tmp_path), "visit-politics", "-a", "minister") == 0
    data = (tmp_path / "visit-politics.minister.pdf").read_bytes()
    assert b"D:20241201000000" in data


def test_markup_characters_and_other_scripts_come_out_literally_in_pdf_and_docx(project_copy, tmp_path):
    """A fact with Markdown and XML specials, Cyrillic, Greek, diacritics, Urdu and Chinese, through the CLI."""
    import zipfile

    statement = "Trade *up* _50%_ [x](y) <b> & \\\\ `c` # | Аляксандр Лукашэнка, Łódź, Ελλάδα, اسلام آباد, 明斯克"
    facts = tmp_path / "facts.yaml"
    text = facts.read_text(encoding="utf-8")
    old = "statement: The project will create some 4,000 jobs during construction."
    assert text.count(old) == 1
    facts.write_text(text.replace(old, f'statement: "{statement}"'), encoding="utf-8")
    assert in_project(project_copy, "build", "-o", str(tmp_path / "out"), "freight-line", "-a", "analyst") == 0
    literal = statement.replace("\\\\", "\\")
    latin_cyrillic_greek = literal.split(", اسلام")[0]
    pdf_text = " ".join(pdftotext(str(tmp_path / "out" / "freight-line.analyst.pdf")).split())
    assert latin_cyrillic_greek in pdf_text
    assert "明斯克" in pdf_text
    with zipfile.ZipFile(tmp_path / "out" / "freight-line.analyst.docx") as z:
        from lxml import etree

        root = etree.fromstring(z.read("word/document.xml"))
        ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
        paragraphs = ["".join(t.text or "" for t in p.iter(ns + "t")) for p in root.iter(ns + "p")]
    assert any(literal in p for p in paragraphs)
    fonts = subprocess.run(["pdffonts", str(tmp_path / "out" / "freight-line.analyst.pdf")], capture_output=True,
                           text=True, check=True).stdout
    assert "WenQuanYi" in fonts and "DejaVuSans" in fonts


def test_copying_the_note_frame_shares_the_notes_placed_so_far():
    """reportlab deep-copies the frame to measure each keep-with-next group; the notes must not be copied."""
    import copy

    from briefing.render.pdf_notes import NoteFrame
    from reportlab.platypus import Paragraph

    notes = {1: Paragraph("A note.")}
    frame = NoteFrame(0, 0, 300, 500, notes=notes)
    frame.placed.append((notes[1], 12.0))
    twin = copy.deepcopy(frame)
    assert twin is not frame and twin.note_flowables is notes and twin.placed is frame.placed
    assert twin._aW == frame._aW and twin._y1p == frame._y1p


def test_one_layout_pass_gives_the_pages_of_the_two_pass_reference(writer, tmp_path):
    """Bytes differ (the footers are forms drawn at save), so the pages' text and their count are compared."""
    from pypdf import PdfReader

    body = []
    for i in range(1, 46):
        body += filler_paragraphs(1) + [m.Paragraph([m.Text(f"Claim {i}."), note(i, f"Note {i}, citing a source. " * 3)])]
    doc = m.Document(meta(), body)
    one = tmp_path / "one.pdf"
    one.write_bytes(writer.render(doc, WHEN))
    two = tmp_path / "two.pdf"
    two.write_bytes(writer.render(doc, WHEN, two_pass=True))
    assert one.read_bytes() != two.read_bytes()
    pages = [PdfReader(p).pages for p in (one, two)]
    assert len(pages[0]) == len(pages[1]) > 2
    assert pdftotext(str(one)) == pdftotext(str(two))
    total = len(pages[0])
    for n, page in enumerate(pages[0], 1):
        assert f"{n} of {total}" in " ".join(page.extract_text().split())
    assert writer.render(doc, WHEN) == one.read_bytes()
    _assert_notes_on_mark_pages(str(one), 45)


def test_fallback_fonts_are_loaded_only_when_a_character_needs_them(style):
    from briefing.render.pdf_fonts import Fonts

    fonts = Fonts(style)
    assert len(fonts.fallback_files) >= 2 and fonts.fallbacks == []
    fonts.markup("Łódź, Αθήνα, Минск")
    assert fonts.fallbacks == []
    marked = fonts.markup("明斯克")
    assert '<font face="Fallback-' in marked and len(fonts.fallbacks) >= 1


def test_bold_and_italic_faces_are_loaded_when_a_paragraph_is_set_in_them(writer, tmp_path):
    need("pdffonts")
    from briefing.render.pdf_notes import MeasuredParagraph

    with MeasuredParagraph.collecting_fonts() as used:
        MeasuredParagraph("plain <b>bold <i>both</i></b>", writer.styles["body"])
    family = writer.fonts.names["body"].rsplit("-", 1)[0]
    assert used >= {f"{family}-regular", f"{family}-bold", f"{family}-bold_italic"}
    assert f"{family}-italic" not in used
    body = [m.Heading(1, [m.Text("A "), m.Emph([m.Text("slanted")]), m.Text(" heading")]),
            m.Paragraph([m.Strong([m.Text("Bold "), m.Emph([m.Text("and italic")])]), m.Text(" text."),
                         note(1, "A note.")])]
    path = _render(writer, m.Document(meta(), body), tmp_path)
    fonts = subprocess.run(["pdffonts", path], capture_output=True, text=True, check=True).stdout
    for face in ("DejaVuSerif-Bold ", "DejaVuSerif-BoldItalic", "DejaVuSans-Oblique"):
        assert face in fonts, fonts
    assert "DejaVuSans-BoldOblique" not in fonts


def test_the_running_header_sets_a_chinese_or_urdu_title_in_its_fallback_font(writer, tmp_path):
    """Header and footer go through the body's text path: the title shows on page 2 in every script."""
    title = "巴基斯坦 白俄罗斯 · پاکستان بیلاروس"
    doc = m.Document(meta(title), filler_paragraphs(60))
    path = _render(writer, doc, tmp_path)
    pages = pdftotext(path).split("\f")
    assert len(pages) >= 2
    assert "巴基斯坦 白俄罗斯" in pages[1], pages[1][:200]
    fonts = subprocess.run(["pdffonts", path], capture_output=True, text=True, check=True).stdout
    assert "wqy" in fonts.lower() or "WenQuanYi" in fonts


def test_a_note_holding_a_list_and_a_table_prints_them_at_the_foot_of_its_marks_page(writer, tmp_path):
    """A note is blocks (pandoc's Note [Block]): its list and table are set in the note, not lost or flattened."""
    import pdfplumber

    table = m.Table([m.TableCell([m.Text("Year")]), m.TableCell([m.Text("Trade")], "right")],
                    [[m.TableCell([m.Text("2023")]), m.TableCell([m.Text("US$50 million")], "right")]])
    body_note = m.Note(1, [m.Paragraph([m.Text("Figures differ:")]),
                           m.BulletList([m.ListItem([m.Paragraph([m.Text("one report")])]),
                                         m.ListItem([m.Paragraph([m.Text("another report")])])]),
                           table])
    body = filler_paragraphs(5) + [m.Paragraph([m.Text("The claim."), body_note])] + filler_paragraphs(50)
    path = _render(writer, m.Document(meta(), body), tmp_path)
    _assert_notes_on_mark_pages(path, 1)
    with pdfplumber.open(path) as pdf:
        page = next(p for p in pdf.pages if "The claim." in (p.extract_text() or ""))
        words = page.extract_words()
        claim = next(w for w in words if w["text"] == "claim.")
        foot = [w for w in words if w["top"] > claim["top"] and w["top"] > page.height * 0.5]
        text = " ".join(w["text"] for w in foot)
    for expected in ("1. Figures differ:", "• one report", "• another report", "Year Trade", "2023 US$50 million"):
        assert expected in text, (expected, text)
    lines = [w for w in foot if w["text"] in ("Figures", "one", "another", "Year", "2023")]
    assert [w["text"] for w in sorted(lines, key=lambda w: w["top"])] == ["Figures", "one", "another", "Year",
                                                                           "2023"], "the note's blocks in order"


def test_a_split_paragraph_takes_only_the_notes_of_its_own_lines(writer, tmp_path):
    """Which notes each part of a split paragraph holds comes from drawing the part, not reportlab internals."""
    from briefing.render.pdf_notes import marks_in

    marks = [m.Text("Start. ")]
    for i in range(1, 9):
        marks += [m.Text(FILLER), note(i, f"Note {i}.")]
    translator_doc = m.Document(meta(), filler_paragraphs(25) + [m.Paragraph(marks)])
    path = _render(writer, translator_doc, tmp_path)
    pages = _assert_notes_on_mark_pages(path, 8)
    assert set(pages.values()) == {1, 2}, "the paragraph should run over the page break, its notes with it"
    p = Paragraph("".join(["Lead. "] + [f"word {i}{note_mark(i)} " + FILLER for i in range(1, 6)]),
                  writer.styles["body"])
    p.wrap(400, 1e6)
    first, rest = p.split(400, p.style.leading * 3.5)
    assert marks_in(p, 400) == [1, 2, 3, 4, 5]
    assert marks_in(first, 400) + marks_in(rest, 400) == [1, 2, 3, 4, 5]
    assert 0 < len(marks_in(first, 400)) < 5


def test_two_styles_naming_one_family_with_different_files_each_get_their_own_files(tmp_path):
    """reportlab's font registry is one per process: a second style naming the same family must not silently
    reuse the first one's files."""
    from reportlab.pdfbase import pdfmetrics

    from briefing.render.pdf_fonts import Fonts
    from briefing.style import load_style

    source = open(f"{PROJECT}/templates/style.yaml", encoding="utf-8").read()
    paths = []
    for name, regular in (("serif", "DejaVuSerif.ttf"), ("sans", "DejaVuSans.ttf")):
        (tmp_path / name).mkdir()
        text = source.replace("family: DejaVu Serif", "family: Same Name").replace("regular: DejaVuSerif.ttf",
                                                                                   f"regular: {regular}")
        (tmp_path / name / "style.yaml").write_text(text, encoding="utf-8")
        paths.append(str(tmp_path / name / "style.yaml"))
    first, second = (Fonts(load_style(p)) for p in paths)
    assert first.names["body"] != second.names["body"]
    faces = [pdfmetrics.getFont(f.names["body"]).face.name for f in (first, second)]
    assert faces[0].endswith(b"DejaVuSerif") and faces[1].endswith(b"DejaVuSans"), faces


@pytest.mark.parametrize("name", ["margins-wider-than-the-page", "font-too-large"])
def test_a_style_that_leaves_no_room_for_a_line_is_reported_at_its_line(name):
    """Margins wider than the paper, or a size whose lines cannot fit the text block, crashed reportlab
    (negative availWidth, LayoutError); they are bad input, at their line of style.yaml."""
    from conftest import problems_of

    from briefing.style import load_style

    found, expected = problems_of(f"{ROOT}/tests/data/bad/layout/{name}.yaml", load_style)
    assert found == expected


def test_a_table_row_taller_than_a_page_is_bad_input_at_the_briefs_template(writer):
    from briefing.errors import InputError
    from briefing.parse import parse

    path = f"{ROOT}/tests/data/bad/layout/table-row-taller-than-a-page.md"
    with open(path, encoding="utf-8") as f:
        doc = parse(f.read(), m.Meta("T", source=os.path.basename(path)))
    with pytest.raises(InputError) as caught:
        writer.render(doc, WHEN)
    with open(path[:-3] + ".expected", encoding="utf-8") as f:
        assert "\n".join(str(p) for p in caught.value.problems) == f.read().rstrip("\n")


def test_a_note_mark_after_the_longest_word_of_a_narrow_column_stays_on_its_words_line(writer, tmp_path):
    """A column is at least as wide as its longest word with the mark that follows it: "Authority" with a
    two-digit mark once lost the mark to a line of its own (or had it split, "2" / "7")."""
    import pdfplumber

    long = "a value with a long caveat that takes most of the width of the page and more " * 2
    notes = [note(i, f"Note {i}.") for i in range(1, 28)]
    body = [m.Paragraph([m.Text("Lead."), *notes[:26]]),
            m.Table([m.TableCell([m.Text("Figure")]), m.TableCell([m.Text("Value")]), m.TableCell([m.Text("Source")])],
                    [[m.TableCell([m.Text("Share")]), m.TableCell([m.Text(long)]),
                      m.TableCell([m.Text("Authority"), notes[26]])]])]
    path = _render(writer, m.Document(meta(), body), tmp_path)
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        word = next(w for w in page.extract_words() if w["text"].startswith("Authority"))
        mark = [c for c in page.chars if c["text"] in "27" and c["size"] < 8 and c["x0"] > word["x0"]]
    assert [c["text"] for c in mark] == ["2", "7"], mark
    assert all(abs(c["bottom"] - word["bottom"]) < 5 for c in mark), (word, mark)


def _pages_of_words(path: str, words: list[str]) -> dict[str, list[int]]:
    """Each of `words`: the pages it is printed on, read back with poppler's pdftotext (pages end in form feeds)."""
    need("pdftotext")
    text = pdftotext(path)
    found: dict[str, list[int]] = {w: [] for w in words}
    for number, page in enumerate(text.split("\f")[:-1], 1):
        printed = {w.strip(".,:") for w in page.split()}
        for word in words:
            if word in printed:
                found[word].append(number)
    return found


def _sweep(writer, tmp_path, make, first: int, last: int, step: int = 1):
    """Yield (k, path) for documents `make(filler_paragraphs(k))` with k from `first` to `last` (one-line
    paragraphs pushing what follows them across the foot of page 1)."""
    for k in range(first, last, step):
        yield k, _render(writer, m.Document(meta(), make(filler_paragraphs(k))), tmp_path, f"k{k}.pdf")


def test_a_short_list_item_is_never_broken_across_pages(writer, tmp_path):
    """A five-line recommended action, pushed down line by line across the page foot, moves on whole."""
    item = m.Paragraph([m.Text("Startword " + FILLER * 2 + " Endword")])
    crossed = set()
    for k, path in _sweep(writer, tmp_path, lambda fill: fill + [m.OrderedList(1, [m.ListItem([item])])] + filler_paragraphs(3),
                         26, 36):
        pages = _pages_of_words(path, ["Startword", "Endword"])
        assert pages["Startword"] == pages["Endword"], (k, pages)
        crossed.add(pages["Startword"][0])
    assert crossed == {1, 2}, "the sweep should move the item from page 1 to page 2"


def _table(rows: int, prefix: str) -> m.Table:
    cell = m.TableCell
    return m.Table([cell([m.Text("Figure")]), cell([m.Text("Value")])],
                   [[cell([m.Text(f"{prefix}{i}")]), cell([m.Text("US$50 million as reported by the visit's sources")])]
                    for i in range(1, rows + 1)])


@pytest.mark.parametrize("rows", [5, 9])
def test_a_table_leaves_no_lone_row_and_a_short_table_is_not_split(writer, tmp_path, rows):
    """A table (captionless: a caption already moves its table on whole) pushed across the page foot: a five-row
    table moves on whole; a nine-row one leaves at least two body rows on each side of the break."""
    names = [f"Row{i}" for i in range(1, rows + 1)]
    split = 0
    for k, path in _sweep(writer, tmp_path, lambda fill: fill + [_table(rows, "Row")] + filler_paragraphs(3), 12, 38):
        pages = _pages_of_words(path, names)
        on = [pages[name][0] for name in names]
        if len(set(on)) > 1:
            split += 1
            assert rows > 6 and min(on.count(p) for p in set(on)) >= 2, (k, on)
    assert (split > 0) == (rows > 6)


def test_a_lead_in_stays_with_a_paragraph_whose_notes_fill_the_page_foot(writer, tmp_path):
    """A bold lead-in before a paragraph with a long note: where the paragraph and its note must move on, the
    lead-in goes with them (its group's height counts the notes)."""
    def make(fill):
        lead = m.Paragraph([m.Strong([m.Text("Leadword: how many agreements were signed?")])], keep_with_next=True)
        after = m.Paragraph([m.Text("Followword " + FILLER[:80]), note(1, "A long note. " * 60), m.Text(FILLER[:60])])
        return fill + [m.BulletList([m.ListItem([lead, after])])] + filler_paragraphs(3)

    crossed = set()
    for k, path in _sweep(writer, tmp_path, make, 14, 30):
        pages = _pages_of_words(path, ["Leadword", "Followword"])
        assert pages["Leadword"] == pages["Followword"], (k, pages)
        crossed.add(pages["Leadword"][0])
    assert crossed == {1, 2}


def test_adjacent_note_marks_are_separated_by_a_comma_in_every_format(writer, style, tmp_path):
    """Two marks side by side read ²,³ (not ²³) in the PDF (pdfplumber: the comma superscript, outside either
    link), the DOCX (a comma run between the two note references) and the HTML (both links still there)."""
    import pdfplumber

    from briefing.render.docx import DocxWriter
    from briefing.render.html import HtmlWriter

    doc = m.Document(meta(), [m.Paragraph([m.Text("Two sources agree."), note(1, "One."), note(2, "Two."),
                                           m.Text(" Then one more."), note(3, "Three.")])])
    path = _render(writer, doc, tmp_path)
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        line = next(w for w in page.extract_words() if w["text"].startswith("agree"))["top"]
        chars = [c for c in page.chars if c["size"] < style.sizes.body - 1 and abs(c["top"] - line) < 8]
        assert "".join(c["text"] for c in chars)[:4] == "1,23", chars
        comma = next(c for c in chars if c["text"] == ",")
        assert not any(a["x0"] <= (comma["x0"] + comma["x1"]) / 2 <= a["x1"] for a in page.annots)
    assert _assert_notes_on_mark_pages(path, 3)
    import zipfile

    with zipfile.ZipFile(io.BytesIO(DocxWriter(style).render(doc, WHEN))) as z:
        xml = z.read("word/document.xml").decode()
    assert re.search(r'w:id="1"/></w:r><w:r><w:rPr><w:rStyle w:val="[^"]+"/></w:rPr><w:t xml:space="preserve">,</w:t>'
                     r'</w:r><w:r><w:rPr><w:rStyle w:val="[^"]+"/></w:rPr><w:footnoteReference w:id="2"/>', xml), xml
    html = HtmlWriter(style).render(doc, WHEN).decode()
    assert ('<sup>1</sup></a><sup class="footnote-sep">,</sup><a href="#fn-2" id="fnref-2"' in html
            and 'href="#fnref-2"' in html), html


@pytest.mark.parametrize("workers", [1, 2])
def test_a_table_row_taller_than_a_page_is_reported_once_however_many_workers_render(style, tmp_path, workers):
    """With two workers a brief's DOCX is made beside its PDF on a guessed fit; the guess lays no pages out but
    checks the rows too, and the problem must still be reported once, by the PDF."""
    from briefing.build import Job
    from briefing.errors import InputError
    from briefing.scheduler import run_jobs

    md = "# T\n\n| A | B |\n|---|---|\n| " + " ".join(["word"] * 6000) + " | x |\n"
    jobs = [Job(str(tmp_path / "x.pdf"), "pdf", md, meta(), "k1", None, frozenset(), "fk"),
            Job(str(tmp_path / "x.docx"), "docx", md, meta(), "k2", None, frozenset(), "fk")]
    with pytest.raises(InputError) as caught:
        run_jobs(jobs, style, WHEN, workers)
    assert len(caught.value.problems) == 1
    assert "a table row is taller than a page" in str(caught.value.problems[0])
