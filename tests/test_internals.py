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


# -- tagging (briefing/render/pdf_tags.py) ---------------------------------------------------------------


def test_a_text_object_keeps_its_operators_in_a_code_list_joined_between_bt_and_et():
    """_text_literal puts marked-content operators into a paragraph's text object through `_code`."""
    import io

    from reportlab.pdfgen.canvas import Canvas

    tx = Canvas(io.BytesIO()).beginText(0, 0)
    assert isinstance(tx._code, list)
    tx._code.append("/P <</MCID 0>> BDC")
    tx.textOut("x")
    tx._code.append("EMC")
    code = tx.getCode()
    assert code.startswith("BT") and code.endswith("ET") and code.index("BDC") < code.index("Tj") < code.index("EMC")


def test_paragraph_lines_end_with_a_textout_that_moves_to_the_next_line():
    """_SpacedText adds the word space a line break stands for in `_textOut(text, TStar=1)`."""
    from reportlab.platypus import paragraph

    assert "tx._textOut(text,f is words[-1])" in inspect.getsource(paragraph._putFragLine)
    assert "_textOut" in inspect.getsource(paragraph._leftDrawParaLine)
    from reportlab.pdfgen.textobject import PDFTextObject

    assert list(inspect.signature(PDFTextObject._textOut).parameters) == ["self", "text", "TStar"]


def test_ondraw_callbacks_see_the_text_object_in_curr_tx_info():
    """_current_text_object reads the line's text object where an <onDraw> callback runs."""
    from reportlab.platypus import paragraph

    source = inspect.getsource(paragraph._putFragLine)
    assert "_curr_tx_info=dict(tx=tx" in source and "getNamedCB(name)" in source


def test_a_page_dictionary_writes_the_keys_listed_in_its_no_default_list():
    """_page_entries adds StructParents and Tabs to a page by extending its `__NoDefault__` list;
    _last_page finds the page just shown in `_doc.Pages.pages`."""
    from reportlab.pdfbase import pdfdoc

    assert "self.__NoDefault__" in inspect.getsource(pdfdoc.PDFCatalog.format)
    assert "StructParents" not in pdfdoc.PDFPage.__NoDefault__  # else the extension is no longer needed
    assert "self.pages.append(page)" in inspect.getsource(pdfdoc.PDFPages.addPage)
    assert "self.Pages.addPage(page)" in inspect.getsource(pdfdoc.PDFDocument.addPage)


def test_link_annotations_pass_through_add_annotation_and_keep_extra_keys_in_otherkw():
    """TaggingCanvas._addAnnotation gives each link annotation its /StructParent; _annotation_entries writes
    a LinkAnnotation's extra keys through `otherkw` and `permitted`."""
    from reportlab.pdfbase import pdfdoc
    from reportlab.pdfgen.canvas import Canvas

    assert "self._addAnnotation(" in inspect.getsource(Canvas.linkURL)
    assert "self._addAnnotation(" in inspect.getsource(Canvas.linkRect)
    assert list(inspect.signature(Canvas._addAnnotation).parameters) == ["self", "annotation", "name", "addtopage"]
    ann = pdfdoc.LinkAnnotation(Rect=(0, 0, 1, 1), Contents="", Destination="x")
    assert isinstance(ann.otherkw, dict) and "d.update(self.otherkw)" in inspect.getsource(pdfdoc.LinkAnnotation.Dict)
    assert "permitted" in inspect.getsource(pdfdoc.Annotation.AnnotationDict)


def test_a_tables_render_callback_brackets_its_background_and_lines():
    """table_artifacts marks a Table's background and grid as artifacts through the documented renderCB."""
    from reportlab.platypus.tables import Table

    source = inspect.getsource(Table.draw)
    for event in ("'startBG'", "'endBG'", "'startLines'", "'endLines'"):
        assert event in source
    assert source.index("'endBG'") < source.index("_drawCell") < source.index("'startLines'")


# -- render (briefing/render, briefing/layout.py): what the writers still reach into, each in one function -------
# Foreign underscored names left in the render files, all reportlab's: NoteFrame reads and moves a frame's state
# (_aW, _aH, _atTop, _y1p, and overrides _reset; its geometry it reads by the public x1, y1, leftPadding,
# bottomPadding), the canvas's _code and _doc, the document's _timeStamp, a text object's _code and _textOut,
# _curr_tx_info in an <onDraw> callback, the canvas's _addAnnotation, and drawOn's _sW parameter: 12 names,
# each tested above or here. python-docx, lxml and python-bidi: none (python-bidi's levels are read from
# get_display(debug=True), its documented way to return them, in pdf_bidi._levels_per_utf8_byte, tested above).


def test_python_docx_gives_a_paragraphs_element_through_its_paragraph_format(tmp_path):
    """ooxml.element: Paragraph keeps its <w:p> private; ParagraphFormat is an ElementProxy over the same element."""
    import docx
    from docx.shared import ElementProxy

    paragraph = docx.Document().add_paragraph("x")
    assert isinstance(paragraph.paragraph_format, ElementProxy)
    assert paragraph.paragraph_format.element.tag.endswith("}p")


def test_python_docx_registers_element_and_part_classes_through_its_public_hooks():
    """footnotes.py registers CT_Footnotes/CT_Footnote (register_element_cls) and FootnotesPart
    (PartFactory.part_type_for), as python-docx registers its own comments part."""
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.part import PartFactory
    from docx.oxml import parse_xml

    from briefing.render.footnotes import CT_Footnotes, FootnotesPart

    assert PartFactory.part_type_for[CT.WML_FOOTNOTES] is FootnotesPart
    root = parse_xml('<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>')
    assert isinstance(root, CT_Footnotes) and callable(root.add_footnote)


def test_the_pdf_writer_fixes_the_documents_time_stamp_before_anything_is_written():
    """pdf._timestamp: reportlab reads SOURCE_DATE_EPOCH itself, but only from the environment when the document is
    made; the writer's time (SOURCE_DATE_EPOCH or the fact base's as_of) is set on `_doc._timeStamp` instead."""
    from reportlab.lib.utils import TimeStamp
    from reportlab.pdfbase import pdfdoc

    assert "self._timeStamp = TimeStamp(" in inspect.getsource(pdfdoc.PDFDocument.__init__)
    assert "document._timeStamp" in inspect.getsource(pdfdoc.PDFInfo.format)
    stamp = TimeStamp(invariant=True)
    assert {"t", "lt", "YMDhms"} <= set(vars(stamp))


# -- speed (briefing/render/pdf_notes.py): what the paragraphs' line breaking and its cache rely on ---------------
# No underscored name: Paragraph.split drops `blPara` when too few lines fit (MeasuredParagraph keeps the lines it
# broke for the next try). The scratch canvas that learns a part's note marks draws with a text object whose
# `_textOut` writes nothing: the name _SpacedText relies on already (tested above); were reportlab to stop calling
# it, the marks would still be found.


def test_a_paragraph_split_drops_its_lines_when_too_few_fit_and_keeps_them_when_it_makes_parts():
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus.paragraph import Paragraph

    p = Paragraph("word " * 200, ParagraphStyle("p", allowOrphans=0, allowWidows=0, leading=12))
    p.wrap(200, 1e6)
    assert p.split(200, 13) == [] and "blPara" not in vars(p)
    p.wrap(200, 1e6)
    lines = p.blPara
    first, rest = p.split(200, 40)
    assert p.blPara is lines and first.blPara.lines == lines.lines[:3]


# -- distribute (briefing/distribute/*): the one internal it relies on -------------------------------------------
# Everything else there is public API: pypdf's raw_get, write_to_stream and generic objects; pyHanko's key loaders,
# SimpleSigner, IncrementalPdfFileWriter (root, trailer, add_object, update_container), append_signature_field,
# sign_pdf and validate_pdf_signature; smtplib's mail, rcpt, data and rset; email's header registry and parser.


def test_reportlab_writes_a_one_page_pdf_in_the_shape_the_stamp_copies_from():
    """stamp._page_objects copies the stamp's font objects and content out of reportlab's bytes rather than
    parsing and re-serialising them (most of a copy's cost otherwise): it relies on a classic xref table of
    20-byte entries, a page whose /Contents and /Font are single indirect references, and stream lengths
    written as direct numbers. A change fails here, and every stamp read back in test_distribute fails too."""
    import io
    import re

    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out, invariant=1, pageCompression=1)
    canvas.drawString(10, 10, "Copy 1")
    canvas.showPage()
    canvas.save()
    pdf = out.getvalue()
    start = int(pdf[pdf.rindex(b"startxref") + 9:].split()[0])
    head = pdf[start:].split(b"\n", 2)
    assert head[0] == b"xref" and head[1].split()[0] == b"0", "reportlab no longer writes a classic xref table"
    count = int(head[1].split()[1])
    for number in range(1, count):
        entry = head[2][number * 20:number * 20 + 20]
        assert re.fullmatch(rb"\d{10} \d{5} n\s\s", entry), entry
    page = next(m for m in re.finditer(rb"/Type /Page\b(?!s)[^>]*", pdf))
    body = pdf[pdf.rindex(b"obj", 0, page.start()):pdf.index(b"endobj", page.start())]
    assert re.search(rb"/Contents \d+ 0 R", body) and re.search(rb"/Font \d+ 0 R", body), body
    assert all(re.match(rb"/Length \d+\b", m.group()) for m in re.finditer(rb"/Length [^/>]+", pdf))
