"""Raw WordprocessingML that python-docx has no API for: note references, fields, borders, outline levels,
table row properties; and the one way this renderer reaches a paragraph's element.

Everything here uses python-docx's public names: its proxies (Paragraph, Run, Table), the `OxmlElement`
factory, and the properties of its oxml element classes (`pPr`, `tr_lst`, `get_or_add_trPr`...)."""

from __future__ import annotations

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl
from docx.table import Table


def element(paragraph):
    """Return the <w:p> of a python-docx Paragraph. The Paragraph keeps it private; its ParagraphFormat is an
    ElementProxy over the same element and gives it publicly (`ElementProxy.element`)."""
    return paragraph.paragraph_format.element


def set_style(paragraph, style_id: str) -> None:
    """Give `paragraph` the paragraph style with id `style_id` (ids are found by name in docx_styles).

    python-docx's `Paragraph.style` setter looks the style up again, and leaves the default style unnamed; the
    renderer names every paragraph's style, the default's too."""
    element(paragraph).style = style_id


def number(paragraph, num_id: int) -> None:
    """Number `paragraph` in the list `num_id`, at its first level."""
    num_pr = element(paragraph).get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = 0
    num_pr.get_or_add_numId().val = num_id


def table(container, rows: int, cols: int, width):
    """Add an empty table of `rows` × `cols` cells, `width` wide, at the end of `container` (a python-docx
    Document or a footnotes.Footnote); return (its <w:tbl>, its python-docx Table).

    python-docx's own `add_table` makes the same table but keeps its element private; the row properties
    python-docx has no call for (a repeated header row, rows kept whole) need it."""
    tbl = CT_Tbl.new_tbl(rows, cols, width)
    body = getattr(container.element, "body", None)  # a Document's element is <w:document>; a note's is its own
    if body is not None:
        body.sectPr.addprevious(tbl) if body.sectPr is not None else body.append(tbl)
    else:
        container.element.append(tbl)
    return tbl, Table(tbl, container)

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


def table_look(tbl, first_row: bool) -> None:
    """Say which of the table style's conditional formats apply: a header row only, no first-column emphasis."""
    look = tbl.tblPr.find(qn("w:tblLook"))
    if look is None:
        look = OxmlElement("w:tblLook")
        tbl.tblPr.append(look)
    for attr, on in (("firstRow", first_row), ("lastRow", False), ("firstColumn", False), ("lastColumn", False),
                     ("noHBand", False), ("noVBand", True)):
        look.set(qn(f"w:{attr}"), "1" if on else "0")
    look.set(qn("w:val"), "0420" if first_row else "0400")


def repeat_header_row(tr) -> None:
    """Mark a table row (<w:tr>) as a header row that Word repeats at the top of every page."""
    tr_pr = tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def cant_split_row(tr) -> None:
    """Keep a table row (<w:tr>) on one page."""
    tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


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


def alt_text(run, text: str) -> None:
    """Give the picture in `run` (a python-docx Run after `add_picture`) its alternative text, as Word's "Alt Text"
    pane does: the `descr` of its `wp:docPr`. python-docx has no call for it."""
    for doc_pr in run.element.xpath("w:drawing/wp:inline/wp:docPr"):
        doc_pr.set("descr", text)
