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
  are reversed here (marks kept after their base, brackets mirrored);
- inline objects (<onDraw> callbacks: note marks, the tagged PDF's spans and links; anchors) are put around
  what they enclose in visual order, so a pair still opens before its text and closes after it.
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
    return "".join("" if hasattr(f, "cbDefn") else f.text for f in words)


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
    if para.kind == 0:
        # One style for the whole paragraph: each line becomes one fragment, so it can be reordered and shaped.
        lines = [FragLine(extraSpace=space, wordCount=len(words), lineBreak=False,
                          words=[para.clone(text=" ".join(words))], fontSize=para.fontSize,
                          ascent=para.ascent, descent=para.descent, maxWidth=None)
                 for space, words in para.lines]
    else:
        lines = para.lines
    return ParaLines(kind=1, lines=[_visual_line(line, BASE_LEVEL) for line in lines])


def _visual_line(line, base: int):
    """Return `line` (a reportlab FragLine) in visual order, or itself when it is all left to right."""
    text = _line_text(line.words)
    if not has_rtl(text) and base == 0:
        return line
    lv = levels(text, base)
    if not any(level % 2 for level in lv):
        return line
    pieces, piece_levels, objects, at = [], [], [], 0
    for frag in line.words:
        if hasattr(frag, "cbDefn"):
            objects.append((len(pieces), frag))  # an inline object stands before the piece that follows it
            continue
        start = 0
        for i in range(1, len(frag.text) + 1):
            if i == len(frag.text) or lv[at + i] != lv[at + start]:
                pieces.append(_drawn(frag, frag.text[start:i], lv[at + start]))
                piece_levels.append(lv[at + start])
                start = i
        at += len(frag.text)
    order = reorder(list(range(len(pieces))), piece_levels)
    words = _with_objects([pieces[i] for i in order], {p: v for v, p in enumerate(order)}, objects)
    extra = line.extraSpace + _width(line.words) - _width(words)
    return line.clone(words=words, extraSpace=extra)


_CLOSES = re.compile(r"(?:^|_)(?:end|close)$")
"""An inline object whose name ends so (note_mark_end, tag_close) closes the last one open with its label."""


def _with_objects(visual: list, position: dict[int, int], objects: list[tuple[int, object]]) -> list:
    """Return the visual `pieces` with the inline objects (the line's fragments with a cbDefn: <onDraw>
    callbacks, anchors) put among them: an object that opens something (a note mark, a link, a tagged span) just
    before the first piece, in visual order, of what it encloses up to its closing object, that one just after
    the last; one that encloses nothing where it stood. A pair then still draws in order around its content,
    in right-to-left text too. `position` maps a piece's logical index to its visual one; each object comes with
    the logical index of the piece that follows it."""
    n = len(visual)
    pairs: dict[int, int] = {}
    open_by_label: dict[object, list[int]] = {}
    for k, (_, frag) in enumerate(objects):
        label = getattr(frag.cbDefn, "label", None)
        if label is None:
            continue
        if _CLOSES.search(getattr(frag.cbDefn, "name", "") or ""):
            if open_by_label.get(label):
                pairs[open_by_label[label].pop()] = k
            else:
                pairs[-1 - k] = k  # closes what opened on an earlier line: it encloses from the line's start
        else:
            open_by_label.setdefault(label, []).append(k)
    for stack in open_by_label.values():
        for k in stack:
            pairs[k] = None  # closes on a later line: it encloses up to the line's end

    def span(first: int, last: int) -> list[int]:
        return [position[i] for i in range(first, last)]

    keys: dict[int, tuple] = {}
    for opener, closer in pairs.items():
        first = objects[opener][0] if opener >= 0 else 0
        last = objects[closer][0] if closer is not None else n
        inside = span(first, last)
        if not inside:
            continue
        low, high = min(inside) - 0.5, max(inside) + 0.5
        if opener >= 0:
            keys[opener] = (low, 1, -high, opener)  # at one place what opens comes after what closes, outer first
        if closer is not None:
            keys[closer] = (high, 0, -low, closer)  # ...and inner ones close first
    for k, (follows, _) in enumerate(objects):
        if k not in keys:  # encloses nothing: beside the piece it followed (or preceded) in logical order
            where = position[follows - 1] + 0.5 if follows > 0 else (position[0] - 0.5 if n else 0)
            keys[k] = (where, 0.5, 0, k)
    items = [((v, 0, 0, 0), piece) for v, piece in enumerate(visual)]
    items += [(keys[k], frag) for k, (_, frag) in enumerate(objects)]
    return [item for _, item in sorted(items, key=lambda kv: kv[0])]


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
