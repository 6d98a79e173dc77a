"""Renderers: one module per output format, each a visitor (render/visitor.py) over the document model. This
module names the formats and their writers, and finds a brief's fit; it imports no writer until one is asked for."""

from __future__ import annotations

FORMATS = ("pdf", "docx", "html", "md")
"""The formats a build can write, in the order they are made."""


def writer_class(fmt: str) -> type:
    """The writer of a format other than md (render/markdown.py writes the composed Markdown under its
    metadata)."""
    if fmt == "html":
        from briefing.render.html import HtmlWriter

        return HtmlWriter
    if fmt == "pdf":
        from briefing.render.pdf import PdfWriter

        return PdfWriter
    if fmt == "docx":
        from briefing.render.docx import DocxWriter

        return DocxWriter
    raise ValueError(f"no writer for {fmt!r}")


def fit(doc, layout, writer=None):
    """Return the fit (layout.Fit) of document `doc` (a model.Document): the house style's gaps, or tighter ones
    when they save a nearly empty last page of its PDF. Lays the PDF's pages out in memory, drawing, tagging and
    writing nothing, with `writer` (a PdfWriter of `layout`, to reuse its loaded fonts) or a new one; reportlab
    is imported here, only when a fit is needed.

    The result depends only on `doc` and `layout` (a layout.Layout): a build keeps it with the digest of both,
    so that a later `-f docx` need not lay out the PDF again."""
    if writer is None:
        from briefing.render.pdf import PdfWriter

        writer = PdfWriter(layout)
    return writer.find_fit(doc)


def guess_fit(doc, layout, writer=None):
    """Return the fit most briefs take, without laying `doc` out: the house style's gaps and its tables' column
    widths (`fit` would lay the pages out to be sure). A guess to make a DOCX beside its PDF with; the build
    makes the DOCX again if the PDF takes another fit."""
    if writer is None:
        from briefing.render.pdf import PdfWriter

        writer = PdfWriter(layout)
    return writer.guess_fit(doc)
