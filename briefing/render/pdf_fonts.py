"""Fonts for the PDF renderer: the house faces, fallback fonts for characters they lack, and text as
paragraph markup set in them."""

from __future__ import annotations

import os
import re
from xml.sax.saxutils import escape as _xml

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from briefing.style import Style

_FACES = ("regular", "bold", "italic", "bold_italic")


def _can_shape() -> bool:
    try:
        import uharfbuzz  # noqa: F401  (reportlab shapes Arabic-script text with it)
    except ImportError:
        return False
    return True


def _register(name: str, path: str, shapable: bool = False) -> TTFont:
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0, shapable=shapable))
    return pdfmetrics.getFont(name)


class Fonts:
    """The style's TrueType faces registered with reportlab, and which characters each covers."""

    def __init__(self, style: Style):
        self.names: dict[str, str] = {}
        """Role (body, heading) -> registered name of the regular face."""
        self.coverage: dict[str, set[int]] = {}
        """Role -> code points the role's regular face has glyphs for."""
        self.fallbacks: list[tuple[str, set[int]]] = []
        """(registered name, code points) of each fallback font loaded so far, in the order tried."""
        self.fallback_files = [style.font_files[("fallback", i)] for i in range(len(style["fallback_fonts"]))]
        """Each fallback font's file: loaded only when a character needs it (the fonts are large)."""
        self.shaping = _can_shape()
        """uharfbuzz is there, so Arabic-script text is shaped (joined letters)."""
        self.faces: dict[str, str] = {}
        """Registered name -> file of each bold or italic face: loaded once a paragraph is set in it."""
        for role in ("body", "heading"):
            family = style[f"{role}_font"]["family"].replace(" ", "")
            faces = {face: f"{family}-{face}" for face in _FACES}
            _register(faces["regular"], style.font_files[(role, "regular")])
            self.faces.update({name: style.font_files[(role, face)] for face, name in faces.items()})
            pdfmetrics.registerFontFamily(faces["regular"], normal=faces["regular"], bold=faces["bold"],
                                          italic=faces["italic"], boldItalic=faces["bold_italic"])
            self.names[role] = faces["regular"]
            self.coverage[role] = set(pdfmetrics.getFont(faces["regular"]).face.charToGlyph)

    def load(self, names: set[str]) -> None:
        """Register the faces named that are not yet (paragraphs name faces before reportlab measures them)."""
        for name in sorted(names & self.faces.keys()):
            _register(name, self.faces[name])

    def fallback(self, code: int) -> str | None:
        """Return the registered name of the first fallback font with a glyph for `code`, or None."""
        for i, path in enumerate(self.fallback_files):
            if i == len(self.fallbacks):
                name = "Fallback-" + os.path.splitext(os.path.basename(path))[0]
                font = _register(name, path, shapable=self.shaping)
                pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)
                self.fallbacks.append((name, set(font.face.charToGlyph)))
            name, covered = self.fallbacks[i]
            if code in covered:
                return name
        return None

    def markup(self, text: str, role: str = "body") -> str:
        """Return `text` as paragraph markup, characters the role's font lacks set in a fallback font.

        Runs of right-to-left script have their words reversed, so that a name in Urdu reads right to
        left within a left-to-right line (each word is shaped in logical order)."""
        covered = self.coverage[role]
        text = _RTL_RUN.sub(lambda mo: " ".join(reversed(mo.group(0).split())), text)
        out, run, run_font = [], [], None

        def flush():
            if run:
                chunk = _xml("".join(run))
                out.append(f'<font face="{run_font}">{chunk}</font>' if run_font else chunk)
                run.clear()

        for ch in text:
            code = ord(ch)
            font = None
            if code not in covered and not ch.isspace():
                font = self.fallback(code)
            elif ch.isspace() and run_font is not None:
                font = run_font  # a space inside a fallback run stays with it
            if font != run_font:
                flush()
                run_font = font
            run.append(ch)
        flush()
        return "".join(out)


# Words of right-to-left scripts (Hebrew, Arabic, Urdu), and spaces between them.
_RTL = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff"
_RTL_RUN = re.compile(f"[{_RTL}]+(?:\\s+[{_RTL}]+)*")
