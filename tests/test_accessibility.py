"""Accessible PDFs, read back from every built brief: tagged, free of the machine-checkable PDF/UA-1 failures
(tests/pdfua.py), and saying in structure order what the DOCX says, sentence for sentence."""

from __future__ import annotations

import glob
import os
import re
import subprocess

from conftest import need

import pdfua
from readers import pandoc_blocks, pandoc_footnotes, pdf_struct_text


def _pdfs(built):
    paths = sorted(glob.glob(os.path.join(built, "*.pdf")))
    assert len(paths) == 10
    return paths


def _bare(text: str) -> str:
    """Text without whitespace: poppler prints each marked-content sequence apart and infers no spaces, so where
    a line broke (inside one sequence or between two) cannot be told from its output."""
    return re.sub(r"\s+", "", text)


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
    the same order, in the PDF's text in structure order outside its notes; the notes say what the DOCX's say."""
    need("pdfinfo")
    need("pandoc")
    for path in _pdfs(built):
        docx = path[:-4] + ".docx"
        body, notes = pdf_struct_text(path)
        assert [_bare(n) for n in notes] == [_bare(n) for n in pandoc_footnotes(docx)], path
        text = _bare("".join(body))
        at = 0
        for block in pandoc_blocks(docx):
            for sentence in re.split(r"(?<=[.!?])\s+", block):
                found = text.find(_bare(sentence), at)
                assert found >= 0, (path, sentence, "missing" if _bare(sentence) not in text else "out of order")
                at = found + len(_bare(sentence))
