"""Accessible PDFs, read back from every built brief: tagged, free of the machine-checkable PDF/UA-1 failures
(tests/uacheck.py), and saying in structure order what the DOCX says, sentence for sentence."""

from __future__ import annotations

import os
import re
import subprocess

from conftest import need, outputs

import uacheck as pdfua  # the project's own checker (tests/uacheck.py), not the PyPI package
from readers import pandoc_blocks, pandoc_footnotes, pdf_struct_text


def _pdfs(built):
    return outputs(built, "*.pdf")


def _normal(text: str) -> str:
    return " ".join(text.split())


def test_every_built_pdf_is_tagged(built):
    need("pdfinfo")
    for path in _pdfs(built):
        info = subprocess.run(["pdfinfo", path], check=True, capture_output=True, text=True).stdout
        assert re.search(r"^Tagged:\s+yes$", info, re.M), path


def test_every_built_pdf_passes_the_machine_checkable_pdfua_conditions(built):
    found = {os.path.basename(path): pdfua.problems(path) for path in _pdfs(built)}
    assert {name: p for name, p in found.items() if p} == {}


def test_structure_order_says_what_the_docx_says_sentence_for_sentence(built):
    """Parity: every sentence of the DOCX (pandoc's reading, a note's mark as its number where it stands) comes, in
    the same order, in the PDF's text in structure order outside its notes; the notes say what the DOCX's say.

    poppler prints each marked-content sequence's text apart and infers no spaces, so the pieces are joined as they
    are: a line that lost the space before the next one would glue two words, as a screen reader would hear them."""
    need("pdfinfo")
    need("pandoc")
    for path in _pdfs(built):
        docx = path[:-4] + ".docx"
        body, notes = pdf_struct_text(path)
        assert notes == [_normal(n) for n in pandoc_footnotes(docx)], path
        text = _normal("".join(body))
        at = 0
        for block in pandoc_blocks(docx):
            for sentence in re.split(r"(?<=[.!?])\s+", block):
                found = text.find(sentence, at)
                assert found >= 0, (path, sentence, "missing" if sentence not in text else "out of order")
                at = found + len(sentence)


def _struct_types(path: str) -> set[str]:
    """The structure types poppler's `pdfinfo -struct` names in a PDF."""
    out = subprocess.run(["pdfinfo", "-struct", path], check=True, capture_output=True, text=True).stdout
    return {line.split()[0].rstrip(":") for line in out.splitlines()
            if line.strip() and not line.lstrip().startswith(("/", '"', "Object "))}


def test_the_structure_tree_has_the_parts_of_each_brief(built):
    """Headings, paragraphs, lists, tables, notes and links are tagged as what they are, where the brief has them."""
    need("pdfinfo")
    for path in _pdfs(built):
        md = open(path[:-4] + ".md", encoding="utf-8").read()
        types = _struct_types(path)
        expected = {"H1", "P", "Note", "Link"}
        if re.search(r"^(?:- |\d+\. )", md, re.M):
            expected |= {"L", "LI", "Lbl", "LBody"}
        if re.search(r"^\|", md, re.M):
            expected |= {"Table", "TR", "TH", "TD"}
        assert expected <= types, (path, sorted(expected - types))


def test_a_logo_is_a_figure_with_alt_text(tmp_path):
    from samples import LOGO_BRIEF, build_with_logo

    need("pdfinfo")
    path = os.path.join(build_with_logo(tmp_path, "pdf"), f"{LOGO_BRIEF}.pdf")
    assert pdfua.problems(path) == []
    assert "Figure" in _struct_types(path)
    assert pdfua.figure_alts(path) == ["The desk's crest"]


SCRIPTS = {"Cyrillic": ("\u0400", "\u04ff", {"ru", "be", "uk", "bg", "sr", "mk", "kk"}),
           "Han": ("\u4e00", "\u9fff", {"zh", "ja"}),
           "Arabic": ("\u0600", "\u06ff", {"ur", "ar", "fa", "ps"})}


def test_runs_in_another_script_carry_their_language(tmp_path, style):
    """A screen reader switches voice on /Lang: Cyrillic, Chinese and Urdu runs inside English text each carry a
    language of their script, and the English around them stays English."""
    from samples import WHEN, meta, note

    from briefing import model as m
    from briefing.render.pdf import PdfWriter

    body = [m.Paragraph([m.Text("The president, Аляксандр Лукашэнка, visited; the Chinese name is 白俄罗斯 and "
                                "the Urdu name پاکستان appears on the sign."), note(1, "Reported in English.")])]
    doc = m.Document(meta(), body)
    path = tmp_path / "scripts.pdf"
    path.write_bytes(PdfWriter(style).render(doc, WHEN))
    assert pdfua.problems(str(path)) == []
    pieces = pdfua.text_languages(str(path))
    seen = set()
    for text, lang in pieces:
        primary = lang.split("-")[0].lower()
        for script, (lo, hi, langs) in SCRIPTS.items():
            if any(lo <= ch <= hi for ch in text):
                seen.add(script)
                assert primary in langs, (text, lang, script)
        if re.fullmatch(r"[\sA-Za-z.,;]*[A-Za-z]{4,}[\sA-Za-z.,;]*", text):
            assert primary == "en", (text, lang)
    assert seen == set(SCRIPTS)


def test_running_header_and_footer_are_not_read_aloud(built):
    """The running header and the page numbers are on every page but outside the text a screen reader follows."""
    from readers import pdftotext

    need("pdfinfo")
    headers = 0
    for path in _pdfs(built):
        body, notes = pdf_struct_text(path)
        text = " ".join(" ".join(body + notes).split())
        assert text, f"{path}: no text in structure order"
        pages = [page for page in pdftotext(path).split("\f") if page.strip()]
        assert re.search(r"Page 1 of \d+", pages[0]), path  # the footer is there, to be left out
        assert not re.search(r"Page \d+ of \d+", text), path
        if len(pages) > 1:  # page 1 has the title block instead of the running header
            header = next(line.strip() for line in pages[1].splitlines() if line.strip())
            assert " · " in header and header not in text, (path, header)
            headers += 1
    assert headers


def test_every_node_type_and_a_note_across_a_page_break_tag_cleanly(tmp_path, writer):
    """Beyond the built briefs: a quote, code, nested and numbered lists, a rule, a table with its caption, a link
    in a note, a paragraph and a long note that both run on to the next page."""
    from samples import FILLER, WHEN, filler_paragraphs, golden_document, note

    from briefing import model as m

    doc = golden_document()
    long_note = "A very long note that goes on and on about the sources and their disagreements. " * 40
    doc.children += filler_paragraphs(20) + [m.Paragraph([m.Text(FILLER * 6), note(3, long_note)])] \
        + filler_paragraphs(55)
    path = tmp_path / "every-node.pdf"
    path.write_bytes(writer.render(doc, WHEN))
    assert pdfua.problems(str(path)) == []
    assert {"BlockQuote", "Table", "Caption", "L", "Note", "Link"} <= _struct_types(str(path))
    body, notes = pdf_struct_text(str(path))
    assert len(notes) == 3 and notes[2] == _normal(long_note)
