"""Raw WordprocessingML that python-docx has no API for: the footnotes part, note references, fields."""

from __future__ import annotations

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn

# The separator notes Word expects before any real note; ids -1 and 0 are reserved for them.
_FOOTNOTES_XML = (
    f'<w:footnotes {nsdecls("w", "r")}>'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
    '</w:footnotes>'
)


class FootnotesPart(XmlPart):
    """The word/footnotes.xml part: holds the notes; has its own relationships for links in notes."""

    @classmethod
    def new(cls, package) -> "FootnotesPart":
        return cls(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, parse_xml(_FOOTNOTES_XML), package)

    def add_footnote(self, number: int):
        """Append an empty note with id `number` and return its <w:footnote> element."""
        note = OxmlElement("w:footnote")
        note.set(qn("w:id"), str(number))
        self.element.append(note)
        return note


def footnotes_part(document_part) -> FootnotesPart:
    """Return the document's footnotes part, creating and relating it on first use."""
    for rel in document_part.rels.values():
        if rel.reltype == RT.FOOTNOTES and not rel.is_external:
            return rel.target_part
    part = FootnotesPart.new(document_part.package)
    document_part.relate_to(part, RT.FOOTNOTES)
    return part


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
    if ppr.find(qn("w:outlineLvl")) is None:
        el = OxmlElement("w:outlineLvl")
        el.set(qn("w:val"), str(level))
        ppr.append(el)


def keep_with_next(p) -> None:
    """Keep a paragraph on the page of the next one (a caption with its table)."""
    p.get_or_add_pPr().append(OxmlElement("w:keepNext"))
