"""Right-to-left text in PDF paragraphs: the Unicode bidi algorithm (python-bidi) applied to each line after
reportlab has broken the paragraph into lines, and each right-to-left run shaped with HarfBuzz.

reportlab's own bidi support needs `rlbidi`, which is not on PyPI, so paragraphs are laid out in logical
order (as typed) and each line is put in visual order only while it is drawn: `visual_order(paragraph)`
swaps the paragraph's broken lines for their visual order for the time of `drawPara`. Lines are measured,
split across pages and kept with their notes in logical order, as reportlab expects.

For each line that holds right-to-left text:
- the resolved embedding level of each character comes from python-bidi, every paragraph set left to right
  (`BASE_LEVEL`, see there);
- the line's pieces (each a run of one level inside one reportlab fragment) are reordered by rule L2;
- each right-to-left piece is shaped with HarfBuzz (reportlab's `shapeStr`) when its font is shapable, which
  joins Arabic-script letters, mirrors brackets and puts the glyphs right to left; otherwise its characters
  are reversed here (marks kept after their base, brackets mirrored).
A line of left-to-right text only is left untouched, so such paragraphs draw exactly as before.
"""

from __future__ import annotations

import contextlib
import functools
import re
import unicodedata

# Any character of a right-to-left script (Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic, their
# presentation forms, and the right-to-left blocks of the supplementary planes): lines without one are left as
# they are.
_RTL_CHAR = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]")
_PLACEHOLDER = "\u2060"  # stands for an inline object (an <onDraw> mark, an anchor): boundary neutral, ignored
_MIRRORED = dict(zip("()[]{}<>«»‹›", ")(][}{><»«›‹"))
BASE_LEVEL = 0
"""The embedding level of every paragraph: left to right, the direction of the briefs (English) and of their DOCX,
whose paragraphs Word and LibreOffice set left to right (no w:bidi). This is the higher-level protocol UBA rule
HL1 allows in place of rules P2-P3 (a paragraph's first strong character): with those, a note in Urdu would have
its number at the right, and a paragraph the DOCX sets left to right would be set right to left in the PDF."""


def has_rtl(text: str) -> bool:
    """Return whether `text` holds a character of a right-to-left script."""
    return bool(_RTL_CHAR.search(text))


def levels(text: str, base: int) -> list[int]:
    """Return the resolved embedding level of each character of `text`, one line set at paragraph level `base`
    (rules X1–I2 and L1: whitespace at the end of the line returns to the paragraph level)."""
    per_byte = _levels_per_utf8_byte(text, base)
    out, offset = [], 0
    for ch in text:
        out.append(per_byte[offset])
        offset += len(ch.encode("utf-8"))
    end = len(out)
    while end and unicodedata.bidirectional(text[end - 1]) in ("WS", "BN", "FSI", "LRI", "RLI", "PDI"):
        end -= 1
        out[end] = base
    return out


@functools.lru_cache(maxsize=4096)  # a paragraph is drawn more than once (page-fit tries, the notes' scratch canvas)
def _levels_per_utf8_byte(text: str, base: int) -> tuple[int, ...]:
    """The levels python-bidi computes, one per UTF-8 byte of `text`.

    python-bidi (the Rust crate unicode-bidi inside) gives them only through `get_display(debug=True)`,
    documented to "return the calculated levels": a Debug print of unicode-bidi's `BidiInfo`, whose `levels`
    field holds one `Level(n)` per byte. That print is read here, and nowhere else; tests/test_internals.py
    checks it against a known line, so an upgrade that changes it fails loudly (constraints.txt pins it)."""
    from bidi import get_display

    dump = get_display(text, base_dir="LR"[base], debug=True)
    section = dump[dump.rindex("levels: ["):dump.rindex("paragraphs:")]
    found = [int(n) for n in re.findall(r"Level\(\s*(\d+),?\s*\)", section)]
    if len(found) != len(text.encode("utf-8")):
        raise RuntimeError("python-bidi's debug output no longer lists a level per byte (tests/test_internals.py)")
    return tuple(found)


def reorder(items: list, item_levels: list[int]) -> list:
    """Return `items` in visual order (rule L2): from the highest level down to the lowest odd one, every run
    of items at that level or higher is reversed."""
    items = list(items)
    if not item_levels:
        return items
    top = max(item_levels)
    lowest_odd = min(item_levels) | 1
    lv = list(item_levels)
    for level in range(top, lowest_odd - 1, -1):
        i = 0
        while i < len(items):
            if lv[i] >= level:
                j = i
                while j < len(items) and lv[j] >= level:
                    j += 1
                items[i:j] = items[i:j][::-1]
                lv[i:j] = lv[i:j][::-1]
                i = j
            else:
                i += 1
    return items


def reversed_text(text: str) -> str:
    """Return `text` drawn right to left without a shaper: characters reversed, each mark kept after its
    base character, brackets mirrored."""
    clusters: list[str] = []
    for ch in text:
        if clusters and (unicodedata.combining(ch) or unicodedata.bidirectional(ch) == "NSM"):
            clusters[-1] += ch
        else:
            clusters.append(_MIRRORED.get(ch, ch))
    return "".join(reversed(clusters))


@contextlib.contextmanager
def visual_order(paragraph):
    """While the block runs, `paragraph.blPara` (its lines as broken by reportlab) holds the lines that hold
    right-to-left text in visual order; the logical lines are restored after."""
    logical = getattr(paragraph, "blPara", None)
    visual = _visual_para(logical) if logical is not None else None
    if visual is None:
        yield
        return
    paragraph.blPara = visual
    try:
        yield
    finally:
        paragraph.blPara = logical


def _line_text(words) -> str:
    return "".join(_PLACEHOLDER if hasattr(f, "cbDefn") else f.text for f in words)


def _visual_para(para):
    """Return a copy of reportlab's broken lines `para` with its right-to-left lines in visual order, or None
    when no line holds right-to-left text."""
    from reportlab.platypus.paragraph import FragLine, ParaLines

    if para.kind == 0:
        texts = [" ".join(words) for _, words in para.lines]
    else:
        texts = [_line_text(line.words) for line in para.lines]
    if not any(has_rtl(t) for t in texts):
        return None
    base = BASE_LEVEL
    if para.kind == 0:
        # One style for the whole paragraph: each line becomes one fragment, so it can be reordered and shaped.
        lines = [FragLine(extraSpace=space, wordCount=len(words), lineBreak=False,
                          words=[para.clone(text=" ".join(words))], fontSize=para.fontSize,
                          ascent=para.ascent, descent=para.descent, maxWidth=None)
                 for space, words in para.lines]
    else:
        lines = para.lines
    return ParaLines(kind=1, lines=[_visual_line(line, base) for line in lines])


def _visual_line(line, base: int):
    """Return `line` (a reportlab FragLine) in visual order, or itself when it is all left to right."""
    text = _line_text(line.words)
    if not has_rtl(text) and base == 0:
        return line
    lv = _objects_inward(text, levels(text, base))
    if not any(level % 2 for level in lv):
        return line
    pieces, piece_levels, at = [], [], 0
    for frag in line.words:
        if hasattr(frag, "cbDefn"):
            pieces.append(frag)
            piece_levels.append(lv[at])
            at += 1
            continue
        start = 0
        for i in range(1, len(frag.text) + 1):
            if i == len(frag.text) or lv[at + i] != lv[at + start]:
                chunk = frag.text[start:i]
                level = lv[at + start]
                pieces.append(_drawn(frag, chunk, level))
                piece_levels.append(level)
                start = i
        at += len(frag.text)
    words = reorder(pieces, piece_levels)
    extra = line.extraSpace + _width(line.words) - _width(words)
    return line.clone(words=words, extraSpace=extra)


def _objects_inward(text: str, lv: list[int]) -> list[int]:
    """Return `lv` with each inline object (a placeholder in `text`) at the higher level of the characters on its
    either side: a note mark's <onDraw> callbacks then stay around its number, in their order, when the number
    stands inside right-to-left text."""
    out = list(lv)
    previous: int | None = None
    for i, ch in enumerate(text):  # the level of the character before each object...
        if ch == _PLACEHOLDER:
            out[i] = previous if previous is not None else -1
        else:
            previous = lv[i]
    following: int | None = None
    for i in range(len(text) - 1, -1, -1):  # ...and after it, the higher of the two
        if text[i] == _PLACEHOLDER:
            out[i] = max(out[i], following if following is not None else -1)
            if out[i] < 0:
                out[i] = lv[i]
        else:
            following = lv[i]
    return out


def _drawn(frag, chunk: str, level: int):
    """Return a copy of `frag` holding `chunk` as drawn at bidi level `level`."""
    if level % 2 == 0:
        return frag.clone(text=chunk)
    from reportlab.pdfbase import pdfmetrics

    font = pdfmetrics.getFont(frag.fontName)
    if getattr(font, "shapable", False) and has_rtl(chunk):
        return frag.clone(text=_shaped(chunk, frag.fontName, frag.fontSize))
    return frag.clone(text=reversed_text(chunk))


@functools.lru_cache(maxsize=4096)
def _shaped(text: str, font_name: str, size: float):
    """`text` shaped by HarfBuzz in font `font_name`: its glyphs in visual order (a reportlab ShapedStr, never
    changed once made, so fragments can share it)."""
    from reportlab.pdfbase.ttfonts import shapeStr

    return shapeStr(text, font_name, size)


def _width(words) -> float:
    """Width of a line's fragments as drawn (shaped text by its glyphs' advances)."""
    from reportlab.pdfbase import pdfmetrics

    total = 0.0
    for f in words:
        if hasattr(f, "cbDefn"):
            continue
        shape = getattr(f.text, "__shapeData__", None)
        if shape is not None:
            total += sum(sd.x_advance for sd in shape) * f.fontSize / 1000
        else:
            total += pdfmetrics.stringWidth(f.text, f.fontName, f.fontSize)
    return total
