"""Personal copies: the brief's PDF laid out once, then a numbered stamp drawn over every page per reader."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass

from briefing.style import Style

_FONT = "BriefingStamp"


@dataclass(frozen=True)
class Issue:
    """What a personal copy says about itself."""

    copy: int
    """The reader's copy number of this brief; stays the same across revisions."""
    name: str
    organisation: str
    revision: int = 1
    """1 for the first copy a reader gets, 2 for the first correction, and so on."""

    def line(self) -> str:
        """Return the stamp's text, e.g. `Copy 7 — issued to Jane Doe, Ministry of Trade`."""
        text = f"Copy {self.copy} — issued to {self.name}, {self.organisation}"
        if self.revision > 1:
            text += f" · revision {self.revision}, supersedes revision {self.revision - 1}"
        return text


class Stamper:
    """Makes personal copies of one PDF: reads the shared layout once, overlays a small stamp per copy.

    The stamp sits in the bottom margin, under the running footer, in the house style's furniture size and
    heading font (so names in any script the font covers print); the same inputs give the same bytes."""

    def __init__(self, pdf: bytes, style: Style):
        from pypdf import PdfReader

        self.reader = PdfReader(io.BytesIO(pdf))
        box = self.reader.pages[0].mediabox
        self.size = (float(box.width), float(box.height))
        self.style = style
        self.font = self._register_font()

    def _register_font(self) -> str:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        path = self.style.font_files[("heading", "regular")]
        name = _FONT + "-" + os.path.basename(path)
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
        return name

    def overlay(self, text: str) -> bytes:
        """Return a one-page PDF holding only the stamp line, for the shared layout's page size."""
        from reportlab.lib import colors
        from reportlab.lib.units import mm
        from reportlab.pdfgen import canvas

        out = io.BytesIO()
        c = canvas.Canvas(out, pagesize=self.size, invariant=1, pageCompression=1)
        c.setFont(self.font, self.style["sizes"]["furniture"])
        c.setFillColor(colors.HexColor("#" + self.style["colours"]["handling"]))
        bottom = self.style["margins_mm"]["bottom"] * mm
        c.drawCentredString(self.size[0] / 2, max(bottom - 30, 8), text)
        c.showPage()
        c.save()
        return out.getvalue()

    def copy(self, issue: Issue) -> bytes:
        """Return the personal copy's bytes: the stamp on every page, the issue in the document information."""
        from pypdf import PdfReader, PdfWriter

        stamp = PdfReader(io.BytesIO(self.overlay(issue.line()))).pages[0]
        writer = PdfWriter(clone_from=self.reader)
        for page in writer.pages:
            page.merge_page(stamp)
        writer.add_metadata({"/BriefingCopy": str(issue.copy), "/BriefingIssuedTo": f"{issue.name}, {issue.organisation}",
                             "/BriefingRevision": str(issue.revision), "/BriefingStamp": issue.line()})
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()
