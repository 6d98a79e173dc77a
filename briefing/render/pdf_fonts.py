"""Fonts for the PDF renderer: the house faces, fallback fonts for characters they lack, and text as
paragraph markup set in them."""

from __future__ import annotations

import os
from xml.sax.saxutils import escape as _xml

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from briefing.languages import RIGHT_TO_LEFT, language_runs
from briefing.render.pdf_tags import inline
from briefing.layout import Layout, resolve
from briefing.style import Style

_FACES = ("regular", "bold", "italic", "bold_italic")


def _can_shape() -> bool:
    try:
        import uharfbuzz  # noqa: F401  (reportlab shapes Arabic-script text with it)
    except ImportError:
        return False
    return True


_FILES: dict[str, str] = {}
"""Font name -> the file it stands for, for every name handed out (reportlab's registry is one per process)."""
_LOADED: set[str] = set()
"""The names registered with reportlab so far (a face is loaded when a paragraph first needs it)."""


def font_name(name: str, path: str) -> str:
    """Return the name the font file `path` is registered under: `name`, unless it stands for another file
    already (two house styles naming one family with different files, in one process), then `name~2`, ..."""
    candidate, n = name, 1
    while _FILES.setdefault(candidate, path) != path:
        n += 1
        candidate = f"{name}~{n}"
    return candidate


def _register(name: str) -> TTFont:
    """Register the font named `name` (by `font_name`) with reportlab, once. Every face is shapable when
    uharfbuzz is there (a fallback font may be the same face as a house one): reportlab still shapes nothing
    while breaking lines (the paragraph styles leave `shaping` off), pdf_bidi.py shapes the right-to-left runs
    of each line as it is drawn."""
    if name not in _LOADED:
        pdfmetrics.registerFont(TTFont(name, _FILES[name], subfontIndex=0, shapable=_can_shape()))
        _LOADED.add(name)
    return pdfmetrics.getFont(name)


class Fonts:
    """The style's TrueType faces registered with reportlab, and which characters each covers."""

    def __init__(self, layout: Layout | Style):
        layout = resolve(layout)
        self.names: dict[str, str] = {}
        """Role (body, heading) -> registered name of the regular face."""
        self.coverage: dict[str, set[int]] = {}
        """Role -> code points the role's regular face has glyphs for."""
        self.fallbacks: list[tuple[str, set[int]]] = []
        """(registered name, code points) of each fallback font loaded so far, in the order tried."""
        self.fallback_files = list(layout.fallback_fonts)
        """Each fallback font's file: loaded only when a character needs it (the fonts are large)."""
        self.actual_texts: list[str] = []
        """The logical text of each right-to-left run marked as a span, by the index its label carries."""
        self.faces: dict[str, str] = {}
        """Registered name -> file of each bold or italic face: loaded once a paragraph is set in it."""
        for role in ("body", "heading"):
            family = layout.fonts[role]
            files = family.files
            faces = {face: font_name(f"{family.family.replace(' ', '')}-{face}", files[face]) for face in _FACES}
            _register(faces["regular"])
            self.faces.update({name: files[face] for face, name in faces.items()})
            pdfmetrics.registerFontFamily(faces["regular"], normal=faces["regular"], bold=faces["bold"],
                                          italic=faces["italic"], boldItalic=faces["bold_italic"])
            self.names[role] = faces["regular"]
            self.coverage[role] = set(pdfmetrics.getFont(faces["regular"]).face.charToGlyph)

    def load(self, names: set[str]) -> None:
        """Register the faces named that are not yet (paragraphs name faces before reportlab measures them)."""
        for name in sorted(names & self.faces.keys()):
            _register(name)

    def fallback(self, code: int) -> str | None:
        """Return the registered name of the first fallback font with a glyph for `code`, or None."""
        for i, path in enumerate(self.fallback_files):
            if i == len(self.fallbacks):
                name = font_name("Fallback-" + os.path.splitext(os.path.basename(path))[0], path)
                font = _register(name)
                pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)
                self.fallbacks.append((name, set(font.face.charToGlyph)))
            name, covered = self.fallbacks[i]
            if code in covered:
                return name
        return None

    def markup(self, text: str, role: str = "body") -> str:
        """Return `text` as paragraph markup, characters the role's font lacks set in a fallback font, and runs
        in another script (Cyrillic, Chinese, Urdu) marked as spans in their language for the tagged PDF.

        Text stays in logical order: right-to-left runs are put in visual order line by line as the paragraph
        is drawn (pdf_bidi.py)."""
        return "".join(inline(self._span(lang, run), self._faces(run, role)) if lang else self._faces(run, role)
                       for lang, run in language_runs(text))

    def _span(self, lang: str, run: str) -> str:
        """The inline label of a run in another language. A right-to-left run is drawn in visual order, shaped,
        so a screen reader reading the tags would hear it backwards: its logical text goes with it as the
        span's /ActualText, kept here by index."""
        if lang not in RIGHT_TO_LEFT:
            return f"Span:{lang}"
        self.actual_texts.append(run)
        return f"Span:{lang}:{len(self.actual_texts) - 1}"

    def _faces(self, text: str, role: str) -> str:
        """Return `text` as markup, characters the role's font lacks set in a fallback font."""
        covered = self.coverage[role]
        if covered.issuperset(map(ord, text)):  # most text: every character in the house face
            return _xml(text)
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

