"""The house style (templates/style.yaml), read by both renderers: page, fonts, sizes, colours, furniture."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from briefing.errors import InputError, Problem
from briefing.inputs import MiB, read_bytes
from briefing.schema import Bool, ListOf, Number, Str, instance, load_record, positions_of, record_of, setting

# reportlab's own units (reportlab.lib.units), as the same float expressions, so that the PDF's page and
# margins are the very numbers it always had. They are here, below the layout, because checking a house
# style's geometry needs them.
INCH = 72.0
CM = INCH / 2.54
_MM = CM * 0.1

PAGE_SIZES_MM = {"A4": (210, 297), "Letter": (215.9, 279.4)}
"""Paper sizes in millimetres (what the DOCX writes)."""


def mm(value: float) -> float:
    """Millimetres in points, as reportlab computes them."""
    return value * _MM


_COLOUR = Str(pattern=r"[0-9A-Fa-f]{6}", pattern_hint="a colour as six hex digits, e.g. 1F3864")


@dataclass(frozen=True, kw_only=True)
class Margins:
    """Page margins in millimetres."""

    top: float = setting(Number(minimum=5), "top margin", required=True)
    bottom: float = setting(Number(minimum=5), "bottom margin", required=True)
    left: float = setting(Number(minimum=5), "left margin", required=True)
    right: float = setting(Number(minimum=5), "right margin", required=True)


@dataclass(frozen=True, kw_only=True)
class FontSpec:
    """A font family: its name and the TrueType files of its four faces."""

    family: str = setting(Str(), "the family name, used by Word for the DOCX", required=True)
    regular: str = setting(Str(), "TrueType file of the regular face", required=True)
    bold: str = setting(Str(), "TrueType file of the bold face", required=True)
    italic: str = setting(Str(), "TrueType file of the italic face", required=True)
    bold_italic: str = setting(Str(), "TrueType file of the bold italic face", required=True)


def _size(what: str) -> float:
    return setting(Number(minimum=4), f"{what} text size in points", required=True)


@dataclass(frozen=True, kw_only=True)
class Sizes:
    """Font sizes in points."""

    title: float = _size("title")
    subtitle: float = _size("subtitle")
    heading1: float = _size("heading1")
    heading2: float = _size("heading2")
    heading3: float = _size("heading3")
    body: float = _size("body")
    note: float = _size("note")
    table: float = _size("table")
    furniture: float = _size("furniture")


def _colour(what: str) -> str:
    return setting(_COLOUR, f"colour of {what}", required=True)


@dataclass(frozen=True, kw_only=True)
class Colours:
    """Colours as hex RGB."""

    text: str = _colour("text")
    heading: str = _colour("heading")
    handling: str = _colour("handling")
    rule: str = _colour("rule")
    link: str = _colour("link")
    table_header: str = _colour("table header")


@dataclass(frozen=True, kw_only=True)
class Style:
    """The validated house style (templates/style.yaml), with its font files resolved to paths."""

    path: str
    """The style file, as messages name it."""
    font_files: dict = field(default_factory=dict)
    """(role, face) -> path of the TrueType file, e.g. ("body", "bold"); ("fallback", i) for the fallbacks."""
    positions: dict = field(default_factory=dict, compare=False, repr=False)
    """(line, column) of each key in the file, and of the file's mapping under ''."""
    page_size: str = setting(Str(enum=("A4", "Letter")), "paper size", default="A4")
    margins_mm: Margins = setting(Margins, "page margins in millimetres", required=True)
    font_dirs: tuple = setting(ListOf(Str()), "folders searched for the font files, before the system's font "
                               "folders", default=[])
    body_font: FontSpec = setting(FontSpec, "the font of body text, notes and tables", required=True)
    fallback_fonts: tuple = setting(ListOf(Str()), "TrueType files (.ttf or .ttc) for characters the main fonts "
                                    "lack, tried in order (e.g. Chinese, Urdu)", default=[])
    heading_font: FontSpec = setting(FontSpec, "the font of the title and headings", required=True)
    sizes: Sizes = setting(Sizes, "font sizes in points", required=True)
    line_spacing: float = setting(Number(minimum=1), "line height as a multiple of the font size", default=1.25)
    colours: Colours = setting(Colours, "colours", required=True)
    header: str = setting(Str(), "running header; {handling}, {title}, {audience} and {date} are filled in",
                          default="{handling} · {title}")
    footer: str = setting(Str(), "running footer; {page} and {pages} are filled in", default="Page {page} of {pages}")
    different_first_page: bool = setting(Bool(), "no running header on the first page (the title block stands "
                                         "there)", default=True)
    logo: str | None = setting(Str(nullable=True), "an image file (PNG or JPEG) for the title block, relative to "
                               "this file")
    logo_alt: str | None = setting(Str(nullable=True), "what the logo shows, in words, for screen readers (the "
                                   "tagged PDF's alternative text); required with a logo")
    reference_docx: str | None = setting(Str(nullable=True), "a .docx whose Word styles the DOCX takes, relative "
                                         "to this file")

    def file(self, relative: str) -> str:
        """Return a path given in the style file, relative to the style file's folder."""
        return os.path.join(os.path.dirname(self.path), relative)

    def files(self) -> list[str]:
        """The files the style names besides its fonts: the logo and the reference document."""
        return [self.file(name) for name in (self.logo, self.reference_docx) if name]


STYLE = record_of(Style, "house style", "Fonts, sizes, colours, page and furniture for DOCX and PDF alike.")

FONT_LIMIT = 64 * MiB
IMAGE_LIMIT = 16 * MiB
SYSTEM_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", os.path.expanduser("~/.fonts"))


def _find_font(name: str, dirs: list[str]) -> str | None:
    if os.path.isabs(name):
        return name if os.path.isfile(name) else None
    for d in dirs:
        if os.path.isfile(os.path.join(d, name)):
            return os.path.join(d, name)
    for d in SYSTEM_FONT_DIRS:
        for root, _, files in os.walk(d):
            if name in files:
                return os.path.join(root, name)
    return None


_TRUETYPE_TABLES = (b"head", b"hhea", b"hmtx", b"maxp", b"cmap", b"glyf", b"loca")


def font_problem(path: str) -> str | None:
    """Return why the file at `path` is not a TrueType font (.ttf, or the first font of a .ttc), or None."""
    try:
        data = read_bytes(path, limit=FONT_LIMIT)
    except InputError as e:
        return e.problems[0].message
    offset = int.from_bytes(data[12:16], "big") if data[:4] == b"ttcf" else 0
    version = data[offset:offset + 4]
    if version == b"OTTO":
        return "an OpenType font with PostScript outlines; the PDF needs TrueType outlines"
    if version not in (b"\0\1\0\0", b"true"):
        return "no TrueType header"
    count = int.from_bytes(data[offset + 4:offset + 6], "big")
    directory = offset + 12
    if count == 0 or directory + 16 * count > len(data):
        return "its table directory is damaged"
    tables = {}
    for i in range(count):
        entry = data[directory + 16 * i:directory + 16 * i + 16]
        start, length = int.from_bytes(entry[8:12], "big"), int.from_bytes(entry[12:16], "big")
        if start + length > len(data):
            return f"its {entry[:4].decode('latin-1')!r} table lies past the end of the file"
        tables[entry[:4]] = (start, length)
    missing = [t.decode() for t in _TRUETYPE_TABLES if t not in tables]
    return f"it lacks the {', '.join(missing)} table(s)" if missing else None


def image_problem(path: str) -> str | None:
    """Return why the file at `path` is not a PNG or JPEG image both renderers can place, or None."""
    try:
        data = read_bytes(path, limit=IMAGE_LIMIT)
    except InputError as e:
        return e.problems[0].message
    if not data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        return "not a PNG or JPEG image"
    import io

    from PIL import Image

    # python-docx places PNG, and JPEG with a JFIF or Exif header (it reads the size and resolution from them).
    if data.startswith(b"\xff\xd8") and data[6:10] not in (b"JFIF", b"Exif"):
        return "a JPEG without a JFIF or Exif header, which Word files cannot take here"
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG"):
                return "not a PNG or JPEG image"
            if image.width * image.height > 40_000_000:
                return f"an image of {image.width} × {image.height} pixels is too large"
            image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as e:  # Pillow cannot decode it
        return f"not a PNG or JPEG image that can be read ({type(e).__name__})"
    return None


def load_style(path: str) -> Style:
    """Return the house style at `path`; raise InputError naming any missing font or file."""
    data = load_record(path, STYLE)
    here = os.path.dirname(path)
    dirs = [os.path.join(here, d) for d in data["font_dirs"]]
    files, problems = {}, []
    for role in ("body", "heading"):
        spec = data[f"{role}_font"]
        for face in ("regular", "bold", "italic", "bold_italic"):
            found = _find_font(spec[face], dirs)
            if found is None:
                problems.append(Problem(path, spec["_line"], spec["_column"], f"font file {spec[face]!r} not found",
                                        "install it (the setup script installs DejaVu: apt-get install "
                                        "fonts-dejavu-core fonts-dejavu-extra) or add its folder to font_dirs"))
            files[(role, face)] = found
    for i, name in enumerate(data["fallback_fonts"]):
        found = _find_font(name, dirs)
        if found is None:
            line, column = data["_positions"]["fallback_fonts"]
            problems.append(Problem(path, line, column, f"fallback font file {name!r} not found",
                                    "install it (the setup script installs fonts-wqy-microhei) or remove it"))
        files[("fallback", i)] = found
    for (role, face), found in files.items():
        why = found and font_problem(found)
        if why:
            if role == "fallback":
                line, column = data["_positions"]["fallback_fonts"]
            else:
                line, column = data[f"{role}_font"]["_positions"][face]
            problems.append(Problem(path, line, column, f"font file {found} is not a TrueType font: {why}",
                                    "name a .ttf or .ttc file with TrueType outlines"))
    for key in ("logo", "reference_docx"):
        if data[key] and not os.path.isfile(os.path.join(here, data[key])):
            problems.append(Problem(path, data["_line"], 1, f"{key}: file {data[key]!r} not found"))
    if data["logo"] and not (data["logo_alt"] or "").strip():
        problems.append(Problem(path, *data["_positions"]["logo"], "logo: no alternative text (logo_alt)",
                                "add logo_alt: the words a screen reader says for the logo, e.g. "
                                "'Ministry of Trade crest'"))
    if data["logo"] and os.path.isfile(os.path.join(here, data["logo"])):
        why = image_problem(os.path.join(here, data["logo"]))
        if why:
            problems.append(Problem(path, *data["_positions"]["logo"], f"logo: {data['logo']!r} is {why}"
                                    if why.startswith("not") or why.startswith("an ") else f"logo: {why}",
                                    "use a PNG or JPEG file"))
    problems.extend(geometry_problems(path, data))
    if problems:
        raise InputError(problems)
    return instance(Style, data, path=path, font_files=files, positions=positions_of(data))


MIN_TEXT_MM = 40
"""The narrowest and shortest text block (page less margins), in millimetres, a brief is laid out in."""
MIN_LINE_CHARACTERS = 6
"""A line of the text block holds at least this many characters (about 0.6 em each) of every size."""
MIN_PAGE_LINES = 3
"""The text block holds at least this many lines of every size (two at a page's foot, one more at its head)."""


def geometry_problems(path: str, data: dict) -> list[Problem]:
    """Return what in a house style's page, margins and sizes leaves no room to set a line: margins wider than the
    paper (a negative measure), or a font size whose line is wider or taller than the text block. Each at its
    line in the style file."""
    width, height = PAGE_SIZES_MM[data["page_size"]]
    margins, sizes = data["margins_mm"], data["sizes"]
    problems = []
    measure, tall = width - margins["left"] - margins["right"], height - margins["top"] - margins["bottom"]
    for what, room, sides in (("wide", measure, "left and right"), ("high", tall, "top and bottom")):
        if room < MIN_TEXT_MM:
            problems.append(Problem(path, *margins["_positions"]["left" if what == "wide" else "top"],
                                    f"margins_mm: the {sides} margins leave {room:g} mm of the {width if what == 'wide' else height:g} mm "
                                    f"{data['page_size']} page for text; at least {MIN_TEXT_MM} mm are needed",
                                    f"make the {sides} margins smaller"))
    if problems:
        return problems
    for key, size in sizes.items():
        if key.startswith("_"):
            continue
        line = size * max(data["line_spacing"], 1.4)
        if size * 0.6 * MIN_LINE_CHARACTERS > mm(measure) or line * MIN_PAGE_LINES > mm(tall):
            problems.append(Problem(path, *sizes["_positions"][key],
                                    f"sizes.{key}: {size:g} pt is too large for the text block "
                                    f"({measure:g} × {tall:g} mm): a page must hold {MIN_PAGE_LINES} lines of "
                                    f"{MIN_LINE_CHARACTERS} characters", "use a smaller size"))
    return problems
