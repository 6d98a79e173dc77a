"""The reportlab internals the PDF renderer relies on, each named here so that an upgrade that changes one
fails loudly (constraints.txt pins the version the tests pass with)."""

from __future__ import annotations

import inspect

import pytest


def test_the_frame_keeps_the_state_the_note_frame_reads_and_resets():
    from reportlab.platypus.frames import Frame

    frame = Frame(0, 0, 200, 300, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    # NoteFrame reads and moves the frame's bottom (_y1p) and reads the available size and position
    for name in ("_aW", "_aH", "_atTop", "_y", "_x", "_y1", "_y1p", "_bottomPadding", "_leftPadding"):
        assert hasattr(frame, name), f"reportlab's Frame has no {name} any more"
    assert callable(getattr(frame, "_reset")) and callable(getattr(frame, "_add"))
    assert "_y1p" in inspect.getsource(Frame._add), "Frame._add no longer measures against _y1p"


def test_keep_with_next_groups_are_made_by_the_class_the_document_is_given():
    from reportlab.platypus.doctemplate import BaseDocTemplate

    source = inspect.getsource(BaseDocTemplate.handle_keepWithNext)
    assert "self.keepTogetherClass(" in source
    assert "keepTogetherClass" in inspect.getsource(BaseDocTemplate.__init__) or \
        "keepTogetherClass" in str(getattr(BaseDocTemplate, "_initArgs", {}))


def test_measuring_a_keep_together_group_deep_copies_the_frame():
    """NoteFrame shares its placed notes when copied; that copy is made in _listWrapOn."""
    from reportlab.platypus import flowables

    assert "deepcopy" in inspect.getsource(flowables._listWrapOn)


def test_the_canvas_holds_page_code_and_the_document_a_time_stamp():
    import io

    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(io.BytesIO())
    assert isinstance(canvas._code, list), "_CountingCanvas.save checks for an unfinished page in _code"
    assert hasattr(canvas._doc, "_timeStamp"), "the writer fixes the PDF's dates through _doc._timeStamp"


@pytest.mark.parametrize("module, version", [("reportlab", "5.1.0"), ("docx", "1.2.0")])
def test_the_renderers_run_on_the_pinned_versions(module, version):
    """The pins in constraints.txt are what byte-identical output across installs rests on."""
    import importlib.metadata as md
    import os

    from conftest import ROOT

    name = {"docx": "python-docx"}.get(module, module)
    pins = dict(line.strip().split("==") for line in open(os.path.join(ROOT, "constraints.txt"))
                if "==" in line and not line.startswith("#"))
    assert pins[name] == version == md.version(name)


def test_python_bidi_reports_one_level_per_utf8_byte_in_its_debug_output():
    """pdf_bidi reads the resolved levels from get_display(debug=True), a Debug print of unicode-bidi's BidiInfo."""
    from briefing.render.pdf_bidi import _levels_per_utf8_byte, levels

    line = "ab اب 12"  # digits after Arabic letters are Arabic numbers (W2): level 2, the space before them 1
    assert _levels_per_utf8_byte(line, 0) == (0, 0, 0, 1, 1, 1, 1, 1, 2, 2)  # each Arabic letter is two bytes
    assert levels(line, 0) == [0, 0, 0, 1, 1, 1, 2, 2]
    assert levels("اب 12 ab", 1) == [1, 1, 1, 2, 2, 1, 2, 2]
    assert levels("ab اب ", 0) == [0, 0, 0, 1, 1, 0], "a line's trailing space returns to the paragraph level (L1)"


def test_paragraphs_draw_the_broken_lines_pdf_bidi_puts_in_visual_order():
    """pdf_bidi swaps Paragraph.blPara while drawPara runs: kind 0 lines are (extra space, words), kind 1 lines are
    FragLines of fragments with text (or cbDefn for inline objects), cloned with clone(); split parts are made by
    the paragraph's own class; a ShapedStr drawn in a shapable font keeps its glyphs' positions."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase.ttfonts import ShapedStr, TTFont, shapeStr
    from reportlab.pdfgen import textobject
    from reportlab.platypus.paragraph import FragLine, Paragraph, ParaLines

    assert "blPara" in inspect.getsource(Paragraph.drawPara)
    assert "self.__class__(" in inspect.getsource(Paragraph.split)
    for name in ("extraSpace", "wordCount", "words", "ascent", "descent"):
        assert name in FragLine.__doc__ or name in inspect.getsource(Paragraph.breakLines)
    assert callable(ParaLines(kind=1, lines=[]).clone)
    style = ParagraphStyle("p")
    one = Paragraph("plain words", style)
    one.wrap(200, 100)
    assert one.blPara.kind == 0 and one.blPara.lines[0][1] == ["plain", "words"]
    two = Paragraph("plain <b>bold</b>", style)
    two.wrap(200, 100)
    assert two.blPara.kind == 1 and [f.text for f in two.blPara.lines[0].words] == ["plain ", "bold"]
    assert "shaping" in inspect.getsource(Paragraph.breakLines), "breakLines shapes only when style.shaping is on"
    assert style.shaping == 0
    assert "font.shapable and isinstance(text,ShapedStr)" in inspect.getsource(textobject)
    font = TTFont("InternalsSans", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    from reportlab.pdfbase import pdfmetrics

    pdfmetrics.registerFont(font)
    shaped = shapeStr("سلام", "InternalsSans", 10)
    assert isinstance(shaped, ShapedStr) and all(hasattr(sd, "x_advance") for sd in shaped.__shapeData__)
