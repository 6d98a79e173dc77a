"""Renderers: one module per output format, each a visitor over the document model."""

from __future__ import annotations

from briefing.factbase import format_date
from briefing.model import Meta


FORMATS = ("pdf", "docx", "md")
"""The formats a build can write, in the order they are made."""


def writer_class(fmt: str) -> type:
    """The writer of a format other than md (the composed Markdown is written as it is)."""
    if fmt == "pdf":
        from briefing.render.pdf import PdfWriter

        return PdfWriter
    if fmt == "docx":
        from briefing.render.docx import DocxWriter

        return DocxWriter
    raise ValueError(f"no writer for {fmt!r}")


class Visitor:
    """Dispatches a node to the method named after its class: visit_Paragraph, visit_Text, ..."""

    def visit(self, node):
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method is None:
            raise NotImplementedError(f"{type(self).__name__} has no method for {type(node).__name__} nodes")
        return method(node)


def furniture_text(template: str, meta: Meta) -> str:
    """Fill {handling}, {title}, {audience} and {date} into a header or footer line of the house style.

    A field left empty (an unmarked public brief has no handling) takes its separator with it."""
    text = (template.replace("{handling}", meta.handling).replace("{title}", meta.title)
            .replace("{audience}", meta.audience)
            .replace("{date}", format_date(meta.date) if meta.date else ""))
    return " · ".join(p for p in text.split(" · ") if p.strip())


def title_line(meta: Meta) -> str:
    """The line under a brief's title: who it is for, who issues it, and its date."""
    parts = [f"For: {meta.audience}" if meta.audience else "", meta.author,
             format_date(meta.date) if meta.date else ""]
    return " · ".join(p for p in parts if p)
