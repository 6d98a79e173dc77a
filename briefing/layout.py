"""The house style resolved into plain, frozen layout values (points, hex colours, named paragraph styles) that
every writer reads, and the fit: how much of the house style's paragraph spacing a brief is laid out with, and
its tables' column widths.

The house style file (templates/style.yaml, read by `briefing.style`) says what a brief looks like in a
reader's terms (millimetres, "A4", font files); `resolve(style)` turns it into the numbers the writers use,
computed once, here, for DOCX, PDF and HTML alike. Nothing here imports a rendering library: the DOCX
writer learns the PDF's paragraph styles from this module, never from reportlab.

Fitting is a stage of its own. A brief whose last PDF page would hold only a few lines (or be full) is laid
out again with tighter gaps between paragraphs, and the DOCX of the same brief takes the same gaps and column
widths, so that Word and LibreOffice break its lines and pages where the PDF does. `briefing.render.fit(doc,
layout)` finds that value (a `Fit`) by laying out the PDF; a build keeps it, so that making only the DOCX
later need not lay out a PDF.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from briefing.style import CM, INCH, PAGE_SIZES_MM, Style, mm

_PAGE_SIZES_PT = {"A4": (21 * CM, 29.7 * CM), "Letter": (8.5 * INCH, 11 * INCH)}
"""The paper sizes in points, as reportlab defines them (reportlab.lib.pagesizes.A4 and LETTER)."""


@dataclass(frozen=True)
class Page:
    """The page: paper size and margins, in millimetres (for Word) and in points (for the PDF)."""

    name: str
    """A4 or Letter."""
    width_mm: float
    """Paper width in millimetres."""
    height_mm: float
    """Paper height in millimetres."""
    margins_mm: Mapping[str, float]
    """top, bottom, left and right margins in millimetres."""
    different_first_page: bool
    """No running header on the first page (the title block stands there)."""

    @property
    def width(self) -> float:
        """Paper width in points."""
        return _PAGE_SIZES_PT[self.name][0]

    @property
    def height(self) -> float:
        """Paper height in points."""
        return _PAGE_SIZES_PT[self.name][1]

    def margin(self, side: str) -> float:
        """The `side` (top, bottom, left, right) margin in points."""
        return mm(self.margins_mm[side])

    @property
    def measure(self) -> float:
        """The width of the text block in points: the paper less the left and right margins."""
        return self.width - mm(self.margins_mm["left"] + self.margins_mm["right"])

    @property
    def text_height(self) -> float:
        """The height of the text block in points: the paper less the top and bottom margins."""
        return self.height - mm(self.margins_mm["top"] + self.margins_mm["bottom"])


@dataclass(frozen=True)
class FontFamily:
    """One of the house's two font families (body, heading) and its four TrueType files."""

    role: str
    """body or heading."""
    family: str
    """The family name Word looks the font up by."""
    files: Mapping[str, str]
    """regular, bold, italic and bold_italic -> path of the TrueType file."""


@dataclass(frozen=True)
class ParaStyle:
    """A named paragraph style, in points, as every writer sets it."""

    name: str
    """The style's name (Word's name for it in the DOCX)."""
    font: str
    """Whose font: body or heading."""
    size: float
    """Font size in points."""
    leading: float
    """Line pitch in points (the DOCX's "at least" line spacing)."""
    colour: str
    """Text colour as six hex digits."""
    space_before: float = 0.0
    """Space above the paragraph in points."""
    space_after: float = 0.0
    """Space below the paragraph in points."""
    left_indent: float = 0.0
    """Left indent in points."""
    right_indent: float = 0.0
    """Right indent in points."""
    keep_with_next: bool = False
    """Kept on the page of the paragraph that follows (headings, captions)."""

    def spaced(self, gaps: float) -> "ParaStyle":
        """This style with the space above and below it scaled by `gaps`."""
        if gaps == 1.0:
            return self
        return dataclasses.replace(self, space_before=self.space_before * gaps, space_after=self.space_after * gaps)


@dataclass(frozen=True)
class Colours:
    """The house colours, as six hex digits."""

    text: str
    """Body text."""
    heading: str
    """Title, headings, captions."""
    handling: str
    """The handling marking and the running header."""
    rule: str
    """Rules and table lines."""
    link: str
    """Links."""
    table_header: str
    """The shading of a table's header row."""


WHITE = "FFFFFF"
"""The colour of a table header's text."""


@dataclass(frozen=True)
class Fit:
    """How a brief is fitted to its pages: the share of the house style's space above and below paragraphs
    it is laid out with. Both the PDF and the DOCX of one brief take the same fit."""

    gaps: float = 1.0
    """1: the house style's spacing; less: tighter, to save a nearly empty last page."""
    tables: tuple[tuple[float, ...], ...] = ()
    """Each table's column widths in points, in document order (a note's tables where its mark stands), as
    the PDF sets them from its fonts' metrics; the DOCX sets the same, so that its rows wrap as the PDF's do.
    Empty: the fit was chosen before the PDF was laid out (the DOCX then shares the measure evenly)."""

    def data(self) -> dict:
        """The fit as JSON data (a build's manifest keeps it)."""
        return {"gaps": self.gaps, "tables": [list(t) for t in self.tables]}

    @classmethod
    def from_data(cls, data) -> "Fit | None":
        """The fit `data()` gave, or None if `data` is not one (a manifest from another version)."""
        try:
            return cls(float(data["gaps"]), tuple(tuple(float(w) for w in t) for t in data["tables"]))
        except (KeyError, TypeError, ValueError):
            return None


HOUSE = Fit()
"""The fit of a brief laid out with the house style's own spacing."""

KEEP_ITEM_LINES = 5
"""A list item's paragraph of at most this many lines is kept whole on one page (a longer one may split, leaving
at least two lines on each side): a recommended action never breaks mid-sentence across a page."""
KEEP_TABLE_ROWS = 6
"""A table of at most this many body rows is kept whole on one page (it moves on whole rather than split)."""
MIN_TABLE_ROWS = 2
"""A longer table, split across pages, leaves at least this many body rows on each side of the break (its
header row repeats above the rest)."""
AVERAGE_CHAR = 0.5
"""The average width of a character of body text, as a share of its size: what a writer that cannot measure
text (the DOCX's) takes to estimate how many lines a paragraph runs to."""


def estimated_lines(chars: int, width: float, size: float) -> int:
    """About how many lines `chars` characters of text at `size` points run to in a column `width` points wide."""
    per_line = max(1, int(width / (size * AVERAGE_CHAR)))
    return max(1, -(-chars // per_line))


@dataclass(frozen=True)
class Layout:
    """The house style as layout values: page, fonts, colours, paragraph styles, the title block's logo."""

    page: Page
    """Paper and margins."""
    fonts: Mapping[str, FontFamily]
    """body and heading -> the family."""
    fallback_fonts: tuple[str, ...]
    """Font files for characters the house families lack, tried in order (the PDF uses them)."""
    colours: Colours
    """The house colours."""
    sizes: Mapping[str, float]
    """Font sizes in points by role (title, body, note, table, furniture...)."""
    line_spacing: float
    """Line pitch as a multiple of the font size."""
    styles: Mapping[str, ParaStyle]
    """The named paragraph styles by role (body, title, h1, note, cell...), at the house style's spacing."""
    logo: str | None
    """The logo's image file, or None."""
    logo_alt: str
    """What the logo shows, in words."""
    reference_docx: str | None
    """A .docx whose Word styles the DOCX takes, or None."""
    style: Style
    """The house style file this was resolved from (its path, for messages)."""

    def fitted(self, fit: Fit) -> Mapping[str, ParaStyle]:
        """The paragraph styles with their gaps scaled as `fit` says."""
        if fit.gaps == 1.0:
            return self.styles
        return MappingProxyType({role: s.spaced(fit.gaps) for role, s in self.styles.items()})


def _styles(sz: Mapping[str, float], colours: Colours, spacing: float) -> dict[str, ParaStyle]:
    """The named paragraph styles: the PDF sets them, the DOCX fills Word's styles of the same names from them."""
    text = colours.text

    def ps(name, font, size, leading=None, colour=text, **kw):
        return ParaStyle(name, font, size, size * spacing if leading is None else leading, colour, **kw)

    b = sz["body"]
    return {
        "body": ps("Body Text", "body", b, space_after=b * 0.6),
        "title": ps("Title", "heading", sz["title"], leading=sz["title"] * 1.15, colour=colours.heading,
                    space_after=4),
        "subtitle": ps("Subtitle", "heading", sz["subtitle"], colour=colours.heading, space_after=6),
        "handling": ps("Handling", "heading", sz["furniture"], colour=colours.handling, space_after=6),
        "meta": ps("Brief Meta", "heading", sz["furniture"] + 1, space_after=4),
        "h1": ps("Heading 1", "heading", sz["heading1"], colour=colours.heading, space_before=b * 1.4,
                 space_after=b * 0.4, keep_with_next=True),
        "h2": ps("Heading 2", "heading", sz["heading2"], colour=colours.heading, space_before=b * 1.2,
                 space_after=b * 0.3, keep_with_next=True),
        "h3": ps("Heading 3", "heading", sz["heading3"], colour=colours.heading, space_before=b,
                 space_after=b * 0.2, keep_with_next=True),
        "list": ps("List", "body", b, space_after=b * 0.3),
        "quote": ps("Quote", "body", b, left_indent=14, right_indent=14, space_after=b * 0.5),
        "note": ps("Footnote Text", "body", sz["note"], leading=sz["note"] * 1.2),
        "note_list": ps("Footnote List", "body", sz["note"], leading=sz["note"] * 1.2, space_before=sz["note"] * 0.2),
        "note_quote": ps("Footnote Quote", "body", sz["note"], leading=sz["note"] * 1.2, left_indent=10,
                         right_indent=10, space_before=sz["note"] * 0.2),
        # Table text leaves room above a line for a note mark's superscript.
        "cell": ps("Table Text", "body", sz["table"], leading=sz["table"] * 1.4),
        "header_cell": ps("Table Header", "heading", sz["table"], leading=sz["table"] * 1.4, colour=WHITE),
        "furniture": ps("Furniture", "heading", sz["furniture"]),
        "caption": ps("Caption", "heading", sz["table"], colour=colours.heading, space_before=4, space_after=3,
                      keep_with_next=True),
    }


_resolved: dict[int, Layout] = {}


def resolve(style: Style) -> Layout:
    """Return the layout values of the house style `style` (resolved once per style object)."""
    if isinstance(style, Layout):
        return style
    found = _resolved.get(id(style))
    if found is not None and found.style is style:
        return found
    from dataclasses import asdict

    fonts = {role: FontFamily(role, getattr(style, f"{role}_font").family,
                              MappingProxyType({face: style.font_files[(role, face)]
                                                for face in ("regular", "bold", "italic", "bold_italic")}))
             for role in ("body", "heading")}
    colours = Colours(**asdict(style.colours))
    sizes = asdict(style.sizes)
    width, height = PAGE_SIZES_MM[style.page_size]
    layout = Layout(
        page=Page(style.page_size, width, height, MappingProxyType(asdict(style.margins_mm)),
                  bool(style.different_first_page)),
        fonts=MappingProxyType(fonts),
        fallback_fonts=tuple(style.font_files[("fallback", i)] for i in range(len(style.fallback_fonts))),
        colours=colours,
        sizes=MappingProxyType(sizes),
        line_spacing=style.line_spacing,
        styles=MappingProxyType(_styles(sizes, colours, style.line_spacing)),
        logo=style.file(style.logo) if style.logo else None,
        logo_alt=style.logo_alt or "",
        reference_docx=style.file(style.reference_docx) if style.reference_docx else None,
        style=style,
    )
    _resolved[id(style)] = layout
    return layout


# A date such as "27 November 2024" or "25–27 November 2024": a table never breaks one across lines. The month
# names are the ones factbase.format_date writes; writers take the pattern from here and know no month names.
def _date_unit() -> re.Pattern:
    from briefing.factbase import MONTHS

    return re.compile(r"\d{1,2}(?:[–-]\d{1,2})?\s+(?:" + "|".join(MONTHS) + r")\s+\d{4}")


UNBREAKABLE = _date_unit()
"""Phrases a table column is made wide enough to hold on one line (dates as the briefs write them)."""
