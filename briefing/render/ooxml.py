"""Raw WordprocessingML that python-docx has no API for: note references, fields, borders, outline levels."""

from __future__ import annotations

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

def run(text: str = "", style_id: str | None = None, bold: bool = False, italic: bool = False):
    """Return a <w:r> holding `text`, with a character style and bold/italic from the model's Strong/Emph."""
    r = OxmlElement("w:r")
    if style_id or bold or italic:
        rpr = OxmlElement("w:rPr")
        if style_id:
            rs = OxmlElement("w:rStyle")
            rs.set(qn("w:val"), style_id)
            rpr.append(rs)
        if bold:
            rpr.append(OxmlElement("w:b"))
        if italic:
            rpr.append(OxmlElement("w:i"))
        r.append(rpr)
    if text:
        t = OxmlElement("w:t")
        t.text = text
        t.set(qn("xml:space"), "preserve")
        r.append(t)
    return r


def footnote_reference(number: int, style_id: str):
    """Return the run that places note `number`'s mark in the body."""
    r = run(style_id=style_id)
    ref = OxmlElement("w:footnoteReference")
    ref.set(qn("w:id"), str(number))
    r.append(ref)
    return r


def footnote_mark(style_id: str):
    """Return the run that shows a note's own number at the start of the note."""
    r = run(style_id=style_id)
    r.append(OxmlElement("w:footnoteRef"))
    return r


def hyperlink(part, href: str):
    """Return an empty <w:hyperlink> to `href`: an external URL (related from `part`) or `#anchor`."""
    h = OxmlElement("w:hyperlink")
    if href.startswith("#"):
        h.set(qn("w:anchor"), href[1:])
    else:
        h.set(qn("r:id"), part.relate_to(href, RT.HYPERLINK, is_external=True))
    h.set(qn("w:history"), "1")
    return h


def field(instruction: str, shown: str):
    """Return a simple field (PAGE, NUMPAGES, ...) showing `shown` until Word updates it."""
    f = OxmlElement("w:fldSimple")
    f.set(qn("w:instr"), f" {instruction} ")
    f.append(run(shown))
    return f


def table_look(table, first_row: bool) -> None:
    """Say which of the table style's conditional formats apply: a header row only, no first-column emphasis."""
    look = table._tbl.tblPr.find(qn("w:tblLook"))
    if look is None:
        look = OxmlElement("w:tblLook")
        table._tbl.tblPr.append(look)
    for attr, on in (("firstRow", first_row), ("lastRow", False), ("firstColumn", False), ("lastColumn", False),
                     ("noHBand", False), ("noVBand", True)):
        look.set(qn(f"w:{attr}"), "1" if on else "0")
    look.set(qn("w:val"), "0420" if first_row else "0400")


def repeat_header_row(row) -> None:
    """Mark a table row as a header row that Word repeats at the top of every page."""
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def cant_split_row(row) -> None:
    """Keep a table row on one page."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _rpr(parent):
    """Return the <w:rPr> of a style or of <w:rPrDefault>, adding it if missing."""
    if hasattr(parent, "get_or_add_rPr"):
        return parent.get_or_add_rPr()
    rpr = parent.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        parent.append(rpr)
    return rpr


def set_fonts(rpr_parent, family: str) -> None:
    """Set every script slot of a style's font to `family`, dropping theme fonts that would override it."""
    rpr = _rpr(rpr_parent)
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.endswith("Theme") or attr.endswith("theme"):
            del fonts.attrib[attr]
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), family)


def drop_theme_colour(rpr_parent) -> None:
    """Remove theme colour attributes so an explicit colour in the style wins."""
    rpr = _rpr(rpr_parent)
    color = rpr.find(qn("w:color"))
    if color is not None:
        for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):
            color.attrib.pop(qn(attr), None)


def outline_level(style_element, level: int) -> None:
    """Give a paragraph style an outline level (0 = Heading 1) for the navigation pane and TOC."""
    ppr = style_element.get_or_add_pPr()
    if ppr.outlineLvl is None:
        ppr.get_or_add_outlineLvl().val = level


def keep_with_next(p) -> None:
    """Keep a paragraph on the page of the next one (a caption with its table)."""
    p.get_or_add_pPr().append(OxmlElement("w:keepNext"))


def bottom_border(style_element, points: float, colour: str) -> None:
    """Give a paragraph style a rule under it, `points` thick, in `colour` (six hex digits)."""
    ppr = style_element.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for attr, value in (("val", "single"), ("sz", str(max(2, round(points * 8)))), ("space", "1"),
                        ("color", colour.upper())):
        bottom.set(qn(f"w:{attr}"), value)
    border.append(bottom)
    # pBdr comes after the keep/numbering/frame group and before shd, tabs and spacing in CT_PPr.
    successor = next((c for c in ppr if c.tag in {qn(t) for t in (
        "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct",
        "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
        "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
        "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
        "w:pPrChange")}), None)
    if successor is not None:
        successor.addprevious(border)
    else:
        ppr.append(border)


def relationship_ids(element) -> set[str]:
    """Return the relationship ids an XML tree refers to (r:id, r:embed, r:link, ...)."""
    ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    return {value for el in element.iter() for name, value in el.attrib.items() if name.startswith(ns)}


def alt_text(picture, text: str) -> None:
    """Give an inline picture (python-docx's InlineShape) its alternative text, as Word's "Alt Text" pane does:
    the `descr` of its `wp:docPr`. python-docx has no call for it; `_inline` is the shape's element."""
    picture._inline.docPr.set("descr", text)
