"""The DOCX: real Word footnotes, read back by python-docx, pandoc and LibreOffice; golden XML; reproducible."""

from __future__ import annotations

import copy
import io
import os
import re
import subprocess
import zipfile
from dataclasses import asdict

import pytest
from conftest import ROOT, in_project, need, outputs
from lxml import etree
from readers import docx_part, pandoc_footnotes, pandoc_plain

from briefing import model as m
from briefing.render.docx import DocxWriter
from samples import WHEN, golden_document

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _note_ids(xml: str) -> list[int]:
    root = etree.fromstring(xml.encode())
    return [int(n.get(W + "id")) for n in root.iter(W + "footnote") if n.get(W + "type") is None]


def test_every_docx_has_a_footnotes_part_with_one_note_per_reference(built):
    for path in outputs(built, "*.docx"):
        document = docx_part(path, "word/document.xml")
        footnotes = docx_part(path, "word/footnotes.xml")
        refs = [int(x) for x in re.findall(r'<w:footnoteReference w:id="(\d+)"', document)]
        assert refs == list(range(1, len(refs) + 1)) and refs, path
        assert _note_ids(footnotes) == refs, path
        assert 'w:type="separator"' in footnotes and 'w:type="continuationSeparator"' in footnotes
        types = docx_part(path, "[Content_Types].xml")
        assert "/word/footnotes.xml" in types and "wordprocessingml.footnotes+xml" in types
        assert "relationships/footnotes" in docx_part(path, "word/_rels/document.xml.rels")
        styles = docx_part(path, "word/styles.xml")
        assert 'w:styleId="FootnoteText"' in styles and 'w:styleId="FootnoteReference"' in styles


def test_python_docx_reopens_edits_and_saves_with_footnotes_intact(built, tmp_path):
    import docx

    path = os.path.join(built, "freight-line.analyst.docx")
    before = docx_part(path, "word/footnotes.xml")
    document = docx.Document(path)
    document.add_paragraph("Edited by a reader.")
    out = tmp_path / "edited.docx"
    document.save(out)
    assert _note_ids(docx_part(str(out), "word/footnotes.xml")) == _note_ids(before)
    assert "Edited by a reader." in docx_part(str(out), "word/document.xml")


def test_pandoc_reads_every_footnote_as_in_the_markdown(built):
    need("pandoc")
    counts = []
    for path in outputs(built, "*.docx"):
        from_docx = pandoc_footnotes(path)
        from_md = pandoc_footnotes(path[:-5] + ".md")
        assert from_docx == from_md and from_docx, path
        counts.append(len(from_docx))
    assert max(counts) >= 20, counts


def test_markdown_output_makes_a_pandoc_docx_with_the_same_footnotes(built, tmp_path):
    need("pandoc")
    md = os.path.join(built, "freight-line.minister.md")
    converted = tmp_path / "pandoc.docx"
    subprocess.run(["pandoc", md, "-o", str(converted)], check=True)
    assert pandoc_footnotes(str(converted)) == pandoc_footnotes(os.path.join(built, "freight-line.minister.docx"))


def test_libreoffice_lays_out_each_docx_on_as_many_pages_as_its_pdf(libreoffice_pdfs):
    from pypdf import PdfReader

    for path, converted in libreoffice_pdfs.items():
        ours = len(PdfReader(path[:-5] + ".pdf").pages)
        assert len(PdfReader(str(converted)).pages) == ours, os.path.basename(path)


def test_docx_styles_carry_the_house_fonts_sizes_and_colours_of_the_pdf(built, style):
    import docx
    from docx.shared import Pt

    styles = docx.Document(os.path.join(built, "freight-line.analyst.docx")).styles
    heading_font, body_font = style.heading_font.family, style.body_font.family
    for name, font, size, colour in (("Title", heading_font, "title", "heading"),
                                     ("Subtitle", heading_font, "subtitle", "heading"),
                                     ("Heading 1", heading_font, "heading1", "heading"),
                                     ("Heading 2", heading_font, "heading2", "heading"),
                                     ("Body Text", body_font, "body", "text"),
                                     ("footnote text", body_font, "note", "text")):
        st = styles[name]
        assert (st.font.name, st.font.size, str(st.font.color.rgb)) == (font, Pt(getattr(style.sizes, size)),
                                                                       getattr(style.colours, colour).upper()), name
        assert not st.font.bold and not st.font.italic, name  # the PDF sets neither
    body = styles["Body Text"].paragraph_format
    assert body.line_spacing == Pt(style.sizes.body * style.line_spacing)


def test_libreoffice_converts_every_docx_and_puts_each_note_at_the_foot_of_a_page(libreoffice_pdfs):
    import pdfplumber

    for path, pdf in libreoffice_pdfs.items():
        notes = pandoc_footnotes(path)
        with pdfplumber.open(str(pdf)) as doc:
            pages = [(p.height, p.extract_words(use_text_flow=True)) for p in doc.pages]
        for n, text in enumerate(notes, 1):
            head = text.split()[:3]
            found = False
            for height, words in pages:
                texts = [w["text"] for w in words]
                for i in range(len(texts) - 2):
                    if texts[i:i + 3] == head and words[i]["top"] > height * 0.45:
                        found = True
                        break
                if found:
                    break
            assert found, f"{path}: note {n} ({' '.join(head)}) not found at the foot of a page"


def test_headings_have_outline_levels_and_footers_hold_page_fields(built):
    path = os.path.join(built, "freight-line.analyst.docx")
    styles = docx_part(path, "word/styles.xml")
    for level in (1, 2):
        style = re.search(rf'<w:style [^>]*w:styleId="Heading{level}".*?</w:style>', styles, re.S).group(0)
        assert f'<w:outlineLvl w:val="{level - 1}"/>' in style
    with zipfile.ZipFile(path) as z:
        footers = [z.read(n).decode() for n in z.namelist() if n.startswith("word/footer")]
    assert any("PAGE" in f and "NUMPAGES" in f for f in footers)
    assert '<w:titlePg/>' in docx_part(path, "word/document.xml")


def test_core_properties_come_from_the_brief_and_the_fact_base_date(built):
    core = docx_part(os.path.join(built, "freight-line.minister.docx"), "docProps/core.xml")
    assert "<dc:title>The Lakeside Freight Line</dc:title>" in core
    assert "<cp:keywords>freight, grain</cp:keywords>" in core
    assert "<dc:creator>Lakeside Test Desk</dc:creator>" in core
    assert "2025-06-07T00:00:00Z" in core
    assert "<dc:language>en-GB</dc:language>" in core


def test_two_builds_give_identical_docx_bytes(project, built, tmp_path):
    """A second build, of DOCX only (fitted without the shared build's PDFs), gives the shared build's bytes."""
    assert in_project(project, "build", "-f", "docx", "-o", str(tmp_path), "visit-politics") == 0
    names = sorted(n for n in os.listdir(tmp_path) if n.endswith(".docx"))
    assert names == ["visit-politics.analyst.docx", "visit-politics.minister.docx"]
    for name in names:
        assert (tmp_path / name).read_bytes() == open(os.path.join(built, name), "rb").read(), name


def canonical(xml: bytes) -> str:
    """XML with attributes sorted, one element per line: a stable form for golden files."""
    root = etree.fromstring(xml)
    for el in root.iter():
        items = sorted(el.attrib.items())
        el.attrib.clear()
        el.attrib.update(items)
    etree.indent(root)
    return etree.tostring(root, encoding="unicode")


@pytest.mark.parametrize("part", ["word/document.xml", "word/footnotes.xml"])
def test_fixed_model_renders_the_golden_xml(part, style):
    data = DocxWriter(style).render(golden_document(), WHEN)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        got = canonical(z.read(part))
    golden = os.path.join(ROOT, "tests", "golden", os.path.basename(part))
    if os.environ.get("BRIEFING_UPDATE_GOLDEN"):
        with open(golden, "w", encoding="utf-8") as f:
            f.write(got)
    with open(golden, encoding="utf-8") as f:
        assert got == f.read()


def test_links_are_real_hyperlinks_in_body_and_notes(style):
    data = DocxWriter(style).render(golden_document(), WHEN)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "https://example.org/a" in z.read("word/_rels/document.xml.rels").decode()
        assert "https://example.org/b" in z.read("word/_rels/footnotes.xml.rels").decode()
        assert b"<w:hyperlink" in z.read("word/footnotes.xml")


def test_pandoc_reads_the_body_text(built):
    need("pandoc")
    text = pandoc_plain(os.path.join(built, "freight-line.minister.docx"))
    assert "The Lakeside Freight Line" in text and "€240 million" in text


def test_docx_and_pdf_say_the_same_sentence_for_sentence(built, style):
    """Parity: every body sentence and every note of the DOCX is in the PDF of the same brief and audience."""
    import re as _re

    from readers import displayed, docx_body_and_notes, pdf_body_and_notes

    note_size = style.sizes.note
    assert note_size not in [v for k, v in asdict(style.sizes).items() if k != "note"]
    for path in outputs(built, "*.docx"):
        paragraphs, cells, docx_notes = (list(map(displayed, texts)) for texts in docx_body_and_notes(path))
        pdf_body, pdf_notes = pdf_body_and_notes(path[:-5] + ".pdf", note_size)
        assert pdf_notes == docx_notes, path
        start = next(i for i, p in enumerate(paragraphs) if p.startswith("For: ")) + 1  # after the title block
        for paragraph in paragraphs[start:]:
            for sentence in _re.split(r"(?<=[.!?])\s+", paragraph):
                assert sentence in pdf_body, (path, sentence)
        pdf_words = pdf_body.split()
        for cell in cells:
            assert all(word in pdf_words for word in cell.split()), (path, cell)


def test_reference_docx_gives_the_word_styles(project, tmp_path):
    import docx
    from docx.shared import Pt, RGBColor

    reference = docx.Document()
    heading = reference.styles["Heading 1"]
    heading.font.name = "Georgia"
    heading.font.size = Pt(21)
    heading.font.color.rgb = RGBColor(0x99, 0x00, 0x33)
    reference.add_paragraph("This text of the reference document must not appear.")
    reference.save(tmp_path / "house.docx")
    assert in_project(project, "build", "-f", "docx", "-o", str(tmp_path / "out"), "--reference-docx",
                      str(tmp_path / "house.docx"), "freight-line", "-a", "minister") == 0
    out = docx.Document(str(tmp_path / "out" / "freight-line.minister.docx"))
    h1 = out.styles["Heading 1"]
    assert h1.font.name == "Georgia" and h1.font.size == Pt(21) and h1.font.color.rgb == RGBColor(0x99, 0x00, 0x33)
    assert all("reference document" not in p.text for p in out.paragraphs)
    assert _note_ids(docx_part(str(tmp_path / "out" / "freight-line.minister.docx"), "word/footnotes.xml"))


def test_a_logo_in_the_house_style_appears_in_both_title_blocks(tmp_path):
    from samples import LOGO_BRIEF, build_with_logo

    out = build_with_logo(tmp_path)
    with zipfile.ZipFile(os.path.join(out, f"{LOGO_BRIEF}.docx")) as z:
        assert any(n.startswith("word/media/") for n in z.namelist())
        assert b'descr="The desk&apos;s crest"' in z.read("word/document.xml") or \
            b"descr=\"The desk's crest\"" in z.read("word/document.xml"), "the logo's alt text for screen readers"
    from pypdf import PdfReader

    page = PdfReader(os.path.join(out, f"{LOGO_BRIEF}.pdf")).pages[0]
    assert page.images, "no image on the PDF's first page"


def test_a_built_brief_reopens_with_a_footnotes_part_and_proxy_that_add_notes(built, tmp_path):
    import docx

    from briefing.render.footnotes import FootnotesPart, footnotes_part

    path = os.path.join(built, "freight-line.minister.docx")
    document = docx.Document(path)
    part = footnotes_part(document.part)
    assert isinstance(part, FootnotesPart)
    notes = part.footnotes
    count = len(notes)
    assert count == len(_note_ids(docx_part(path, "word/footnotes.xml"))) and count
    added = notes.add_footnote(count + 1)
    added.add_paragraph("A reader's note.")
    document.save(tmp_path / "more.docx")
    assert _note_ids(docx_part(str(tmp_path / "more.docx"), "word/footnotes.xml"))[-1] == count + 1
    notes.clear()
    assert len(notes) == 0 and len(part.element.footnote_lst) == 2  # the two separators


def test_a_table_inside_a_note_stays_in_the_note(style):
    from briefing import model as m
    from samples import meta

    table = m.Table([m.TableCell([m.Text("Year")]), m.TableCell([m.Text("Trade")], "right")],
                    [[m.TableCell([m.Text("2023")]), m.TableCell([m.Text("US$50 million")], "right")]])
    doc = m.Document(meta(), [m.Paragraph([m.Text("Body."), m.Note(1, [m.Paragraph([m.Text("Figures:")]), table]),
                                           m.Note(2, [copy.deepcopy(table)])])])
    data = DocxWriter(style).render(doc, WHEN)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        body, notes = z.read("word/document.xml"), etree.fromstring(z.read("word/footnotes.xml"))
    assert b"<w:tbl>" not in body and b"US$50" not in body
    real = [n for n in notes.iter(W + "footnote") if n.get(W + "type") is None]
    for note in real:
        assert [c.tag for c in note] == [W + "p", W + "tbl"]
        assert note[0].find(f"{W}r/{W}footnoteRef") is not None  # the note's number leads it


def test_a_lead_in_keeps_with_next_and_a_custom_style_is_word_style_of_that_name(style):
    """The model says what a paragraph needs (parse.py reads it from the Markdown's attributes); the DOCX writer
    guesses nothing from a paragraph's shape."""
    import io

    import docx as python_docx

    from briefing.parse import parse
    from briefing.render.docx import DocxWriter

    doc = parse("{.lead-in}\n**Question?**\n\n**Bold, not a lead-in.**\n\n{custom-style=\"Box Text\"}\nBoxed.\n",
                golden_document().meta)
    document = python_docx.Document(io.BytesIO(DocxWriter(style).render(doc, WHEN)))
    by_text = {p.text: p for p in document.paragraphs}
    assert by_text["Question?"].paragraph_format.keep_with_next is True
    assert by_text["Bold, not a lead-in."].paragraph_format.keep_with_next is None
    assert by_text["Boxed."].style.name == "Box Text" and by_text["Boxed."].style.base_style.name == "Body Text"


def _keep_document():
    from samples import FILLER, meta

    cell = m.TableCell
    table = lambda rows: m.Table([cell([m.Text("A")]), cell([m.Text("B")])],  # noqa: E731
                                 [[cell([m.Text(f"r{i}")]), cell([m.Text("x")])] for i in range(rows)])
    items = [m.ListItem([m.Paragraph([m.Text("A short action.")])]),
             m.ListItem([m.Paragraph([m.Text(FILLER * 6)])])]
    return m.Document(meta(), [m.OrderedList(1, items), table(5), table(9)])


def test_word_keeps_short_items_and_table_rows_together_and_controls_widows(style):
    """Read back with python-docx: widow control in the document defaults; a short list item keeps its lines
    together, a long one not; a five-row table's rows all keep with the next but the last; a nine-row table's
    header and first body row, and its last but one, so that two body rows stand on each side of a break."""
    import docx as python_docx
    from docx.oxml.ns import qn

    from briefing.render.docx import DocxWriter
    from samples import WHEN

    document = python_docx.Document(io.BytesIO(DocxWriter(style).render(_keep_document(), WHEN)))
    defaults = document.styles.element.find(qn("w:docDefaults"))
    assert defaults.find(f'{qn("w:pPrDefault")}/{qn("w:pPr")}/{qn("w:widowControl")}') is not None
    short, long_ = [p for p in document.paragraphs if p.text.startswith(("A short", "The delegation"))]
    assert short.paragraph_format.keep_together is True and long_.paragraph_format.keep_together is None
    kept = [[bool(row.cells[0].paragraphs[0].paragraph_format.keep_with_next) for row in t.rows]
            for t in document.tables]
    assert kept[0] == [True] * 5 + [False]
    assert kept[1] == [True, True, False, False, False, False, False, False, True, False]


def test_each_table_takes_the_column_widths_its_pdf_gives_it_a_note_table_in_a_cell_included(style):
    """The PDF's fit lists the tables' widths in the order the DOCX writes the tables: the body's table before
    the table in a note that one of its cells holds."""
    from briefing.parse import parse
    from briefing.render.pdf import PdfWriter
    from samples import meta

    md = ("# Figures\n\n| Item | Value |\n|---|---|\n"
          "| Trade volume in the first half of the year according to both ministries[^a] | 5 |\n\n"
          "[^a]: Breakdown:\n\n    | n | A long description of a partner country that takes room |\n"
          "    |---|---|\n    | Belarus | 1 |\n")
    pdf = PdfWriter(style)
    pdf.render(parse(md, meta()), WHEN)
    assert len(pdf.fit.tables) == 2 and pdf.fit.tables[0] != pdf.fit.tables[1]
    data = DocxWriter(style).render(parse(md, meta()), WHEN, fit=pdf.fit)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        grids = [[int(w) / 20 for w in re.findall(r'w:w="(\d+)"', grid)]
                 for part in ("word/document.xml", "word/footnotes.xml")
                 for grid in re.findall(r"<w:tblGrid>(.*?)</w:tblGrid>", z.read(part).decode())]
    body, note = grids
    assert body[0] > body[1] and note[0] < note[1]  # each column as wide as its own long text asks
    assert sorted([round(w) for w in g] for g in grids) == sorted([round(w) for w in t] for t in pdf.fit.tables)
