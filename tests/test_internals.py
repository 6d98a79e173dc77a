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
