"""The Word styles a brief uses, found by name in any template, added when missing, set in the house style.

Styles are looked up by their name (Word's own names, such as "heading 1" or "footnote text", matched
without regard to case), never by style id, which Word translates ("berschrift1" in German Word).

The house style reaches each style property by property. Without a reference document every property
below is set from templates/style.yaml. With one, the reference wins wherever it says something: a
property is set from the house style only where the reference is silent about it, that is where neither
the style, nor the styles it is based on, nor the document defaults set it. A style the reference lacks
is added, so all of its properties come from the house style. The sizes, spacing and indents are the
layout's paragraph styles (`briefing.layout`), the ones the PDF is set in, so both formats are laid out alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from docx.enum.text import WD_LINE_SPACING
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.parts.numbering import NumberingPart
from docx.shared import Pt, RGBColor
from docx.styles.style import StyleFactory
from lxml import etree

from briefing.layout import HOUSE, Fit, Layout, ParaStyle
from briefing.render import ooxml

_NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}


@dataclass(frozen=True)
class WordStyle:
    """One style the renderer writes."""

    name: str
    """Word's name for it; built-in styles use Word's own (lower-case) names."""
    kind: str = "paragraph"
    """paragraph, character or table."""
    para: str | None = None
    """The layout's paragraph style (by role) whose font, size, colour, spacing and indents it takes."""
    extra: tuple = field(default=())
    """Further properties: ("keep_next",), ("outline", level), ("bullet", char, depth), ("number", depth),
    ("indent", depth), ("border", points), ("space", before, after), ("size", points), ("superscript",),
    ("underline",), ("link_colour",), ("mono",)."""


# The renderer's styles by role. The role is the renderer's word for a style; the name is Word's.
STYLES: dict[str, WordStyle] = {
    "normal": WordStyle("Normal", para="body"),
    "body": WordStyle("Body Text", para="body"),
    "title": WordStyle("Title", para="title"),
    "subtitle": WordStyle("Subtitle", para="subtitle"),
    "handling": WordStyle("Handling", para="handling"),
    "meta": WordStyle("Brief Meta", para="meta", extra=(("border", 0.8),)),
    **{f"h{n}": WordStyle(f"heading {n}", para=f"h{n}", extra=(("keep_next",), ("outline", n - 1)))
       for n in (1, 2, 3)},
    **{f"bullet{d}": WordStyle("List Bullet" + (f" {d}" if d > 1 else ""), para="list",
                               extra=(("bullet", "–" if d % 2 == 0 else "•", d),)) for d in (1, 2, 3)},
    **{f"number{d}": WordStyle("List Number" + (f" {d}" if d > 1 else ""), para="list", extra=(("number", d),))
       for d in (1, 2, 3)},
    **{f"continue{d}": WordStyle("List Continue" + (f" {d}" if d > 1 else ""), para="list",
                                 extra=(("indent", d),)) for d in (1, 2, 3)},
    "quote": WordStyle("Quote", para="quote"),
    "caption": WordStyle("caption", para="caption", extra=(("keep_next",),)),
    "note": WordStyle("footnote text", para="note"),
    "note_ref": WordStyle("footnote reference", "character", extra=(("superscript",),)),
    "link": WordStyle("Hyperlink", "character", extra=(("underline",), ("link_colour",))),
    "code": WordStyle("Verbatim Char", "character", extra=(("mono",),)),
    "header": WordStyle("header", para="furniture"),
    "footer": WordStyle("footer", para="furniture"),
    "rule": WordStyle("Horizontal Rule", extra=(("border", 0.5), ("space", 4, 4), ("size", 2))),
    "cell": WordStyle("Table Text", para="cell"),
    "header_cell": WordStyle("Table Heading", para="header_cell"),
    "table": WordStyle("Brief Table", "table"),
}


def _key(name: str) -> str:
    return " ".join(name.split()).lower()


def _xpath(el, path: str) -> list:
    # lxml's own xpath(): python-docx's element classes override it without a namespaces argument.
    return etree.ElementBase.xpath(el, path, namespaces=_NS)


class WordStyles:
    """A document's styles by role: ids found by name, missing styles added, house properties filled in."""

    def __init__(self, document, layout: Layout, reference: bool):
        self.document = document
        self.layout = layout
        self.reference = reference
        """The template is the user's reference document: its properties win where it sets them."""
        self.root = document.styles.element
        self.ids: dict[str, str] = {}
        """Role -> style id in this document."""
        by_name = {}
        for el in _xpath(self.root, "w:style"):
            name = _xpath(el, "w:name/@w:val")
            if name and el.get(qn("w:styleId")):
                by_name.setdefault((_key(name[0]), el.get(qn("w:type"), "paragraph")), el)  # the default type
        self._elements = {}
        self._added: list = []
        """Styles the template lacked, added here: all theirs comes from the house style."""
        for role, spec in STYLES.items():
            el = by_name.get((_key(spec.name), spec.kind))
            if el is not None and not reference:
                _reset(el, role != "normal" and spec.kind == "paragraph" and self._normal_id(by_name))
            if el is None:
                el = self._add(spec, self._normal_id(by_name))
                self._added.append(el)
                by_name[(_key(spec.name), spec.kind)] = el
            self._elements[role] = el
            self.ids[role] = el.get(qn("w:styleId"))

    def copy_for(self, document) -> "WordStyles":
        """These styles in `document`, a deep copy of this one's document: the same ids, its own elements."""
        new = object.__new__(WordStyles)
        new.document, new.layout, new.reference = document, self.layout, self.reference
        new.root = document.styles.element
        by_id = {el.get(qn("w:styleId")): el for el in _xpath(new.root, "w:style")}
        new.ids = dict(self.ids)
        new._elements = {role: by_id[el.get(qn("w:styleId"))] for role, el in self._elements.items()}
        new._added = [by_id[el.get(qn("w:styleId"))] for el in self._added]
        return new

    def _normal_id(self, by_name) -> str | None:
        normal = by_name.get(("normal", "paragraph"))
        return normal.get(qn("w:styleId")) if normal is not None else None

    def _add(self, spec: WordStyle, normal_id: str | None):
        base = "".join(ch for ch in spec.name.title() if ch.isalnum())
        taken = set(_xpath(self.root, "w:style/@w:styleId"))
        style_id, n = base, 1
        while style_id in taken:
            n += 1
            style_id = f"{base}{n}"
        based = f'<w:basedOn w:val="{normal_id}"/>' if normal_id and spec.kind == "paragraph" else ""
        el = parse_xml(f'<w:style {nsdecls("w")} w:type="{spec.kind}" w:customStyle="1" w:styleId="{style_id}">'
                       f'<w:name w:val="{spec.name}"/>{based}<w:uiPriority w:val="99"/><w:qFormat/></w:style>')
        self.root.append(el)
        if spec.kind == "table":
            self._table_style(el)
        return el

    def custom(self, name: str) -> str:
        """The id of the paragraph style named `name` (a model's custom style): the template's, or one added,
        based on body text, that the user can restyle in Word."""
        role = "custom:" + _key(name)
        if role not in self.ids:
            el = next((s for s in _xpath(self.root, "w:style[@w:type='paragraph']")
                       if [_key(n) for n in _xpath(s, "w:name/@w:val")] == [_key(name)]), None)
            if el is None:
                el = self._add(WordStyle(name), self.ids["body"])
            self.ids[role] = el.get(qn("w:styleId"))
        return self.ids[role]

    def id(self, role: str) -> str:
        """The style id of `role` in this document."""
        return self.ids[role]

    def element(self, role: str):
        """The <w:style> of `role`."""
        return self._elements[role]

    def style(self, role: str):
        """The python-docx style object of `role`, for python-docx's own `.style =` setters."""
        return StyleFactory(self._elements[role])

    # -- the house style ----------------------------------------------------------------------------

    def _silent(self, el, path: str) -> bool:
        """True if the reference says nothing that matches `path`: not in `el`, its basedOn chain or the
        document defaults. Without a reference, and for a style added to it, only `el` itself counts: the
        house style sets all of it."""
        if not self.reference or el in self._added:
            return not _xpath(el, path)
        by_id = {s.get(qn("w:styleId")): s for s in _xpath(self.root, "w:style")}
        seen = set()
        while el is not None and el.get(qn("w:styleId")) not in seen:  # a basedOn cycle ends the walk
            seen.add(el.get(qn("w:styleId")))
            if _xpath(el, path):
                return False
            based = _xpath(el, "w:basedOn/@w:val")
            el = by_id.get(based[0]) if based else None
        return not any(_xpath(default, path)
                       for default in _xpath(self.root, "w:docDefaults/w:rPrDefault | w:docDefaults/w:pPrDefault"))

    def with_house_style(self, language: str, fit: Fit = HOUSE) -> "WordStyles":
        """Set every property the reference (if any) is silent about from the house style; return self.

        `fit` scales the space above and below paragraphs, as the PDF does when it fits a brief."""
        paras = self.layout.fitted(fit)
        if not self.reference:
            defaults = _xpath(self.root, "w:docDefaults/w:rPrDefault")
            if defaults:
                ooxml.set_fonts(defaults[0], self.layout.fonts["body"].family)
        for lang in _xpath(self.root, "w:docDefaults/w:rPrDefault/w:rPr/w:lang"):
            lang.set(qn("w:val"), language)
        self._widow_control()
        for role, spec in STYLES.items():
            el = self._elements[role]
            style = StyleFactory(el)
            for extra in spec.extra:  # first: they take precedence over the PDF style's spacing
                self._extra(el, style, *extra)
            if spec.para:
                self._paragraph_properties(el, style, paras[spec.para])
        return self

    def _widow_control(self) -> None:
        """No paragraph leaves a single line at the foot or head of a page, as in the PDF: w:widowControl in the
        document's default paragraph properties, unless the reference says otherwise there."""
        defaults = _xpath(self.root, "w:docDefaults")
        if not defaults or _xpath(defaults[0], "w:pPrDefault/w:pPr/w:widowControl"):
            return
        ppr_default = _xpath(defaults[0], "w:pPrDefault")
        if not ppr_default:
            ppr_default = [OxmlElement("w:pPrDefault")]
            defaults[0].append(ppr_default[0])
        ppr = _xpath(ppr_default[0], "w:pPr")
        if not ppr:
            ppr = [OxmlElement("w:pPr")]
            ppr_default[0].append(ppr[0])
        ppr[0].insert(0, OxmlElement("w:widowControl"))

    def _paragraph_properties(self, el, style, ps: ParaStyle) -> None:
        font = self.layout.fonts[ps.font].family
        if self._silent(el, "w:rPr/w:rFonts[@w:ascii or @w:asciiTheme or @w:hAnsi or @w:hAnsiTheme]"):
            ooxml.set_fonts(el, font)
        if self._silent(el, "w:rPr/w:sz"):
            style.font.size = Pt(ps.size)
        if self._silent(el, "w:rPr/w:color"):
            style.font.color.rgb = RGBColor.from_string(ps.colour.upper())
        pf = style.paragraph_format
        if self._silent(el, "w:pPr/w:spacing[@w:before or @w:beforeLines or @w:beforeAutospacing]"):
            pf.space_before = Pt(ps.space_before)
        if self._silent(el, "w:pPr/w:spacing[@w:after or @w:afterLines or @w:afterAutospacing]"):
            pf.space_after = Pt(ps.space_after)
        if self._silent(el, "w:pPr/w:spacing[@w:line]"):
            # At least the PDF's leading: the same line pitch, yet room for a taller fallback glyph.
            pf.line_spacing = Pt(ps.leading)
            pf.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
        if (ps.left_indent or ps.right_indent) and self._silent(el, "w:pPr/w:ind"):
            pf.left_indent, pf.right_indent = Pt(ps.left_indent), Pt(ps.right_indent)
        if ps.keep_with_next and self._silent(el, "w:pPr/w:keepNext"):
            pf.keep_with_next = True

    def _extra(self, el, style, what: str, *args) -> None:
        if what == "keep_next" and self._silent(el, "w:pPr/w:keepNext"):
            style.paragraph_format.keep_with_next = True
        elif what == "outline" and self._silent(el, "w:pPr/w:outlineLvl"):
            ooxml.outline_level(el, args[0])
        elif what == "superscript" and self._silent(el, "w:rPr/w:vertAlign"):
            style.font.superscript = True
        elif what == "underline" and self._silent(el, "w:rPr/w:u"):
            style.font.underline = True
        elif what == "link_colour" and self._silent(el, "w:rPr/w:color"):
            style.font.color.rgb = RGBColor.from_string(self.layout.colours.link.upper())
        elif what == "mono" and self._silent(el, "w:rPr/w:rFonts"):
            ooxml.set_fonts(el, "DejaVu Sans Mono")
        elif what == "border" and self._silent(el, "w:pPr/w:pBdr"):
            ooxml.bottom_border(el, args[0], self.layout.colours.rule)
        elif what == "space":
            if self._silent(el, "w:pPr/w:spacing[@w:before or @w:beforeLines or @w:beforeAutospacing]"):
                style.paragraph_format.space_before = Pt(args[0])
            if self._silent(el, "w:pPr/w:spacing[@w:after or @w:afterLines or @w:afterAutospacing]"):
                style.paragraph_format.space_after = Pt(args[1])
        elif what == "size" and self._silent(el, "w:rPr/w:sz"):
            style.font.size = Pt(args[0])
        elif what in ("bullet", "number", "indent"):
            depth = args[-1]
            pf = style.paragraph_format
            if self._silent(el, "w:pPr/w:ind"):
                pf.left_indent = Pt(14 * depth)
                if what != "indent":
                    pf.first_line_indent = Pt(-11)
            if what != "indent" and self._silent(el, "w:pPr/w:numPr"):
                num_id = self._numbering(args[0] if what == "bullet" else None, depth)
                ppr = el.get_or_add_pPr()
                num_pr = ppr.get_or_add_numPr()
                num_pr.get_or_add_ilvl().val = 0
                num_pr.get_or_add_numId().val = num_id

    def _numbering(self, bullet: str | None, depth: int) -> int:
        """Add a one-level list definition (a bullet, or decimal numbers with a full stop); return its numId."""
        part = self.document.part
        try:
            numbering = part.part_related_by(RT.NUMBERING).element
        except KeyError:
            new = NumberingPart(PackURI("/word/numbering.xml"), CT.WML_NUMBERING,
                                parse_xml(f'<w:numbering {nsdecls("w")}/>'), part.package)
            part.relate_to(new, RT.NUMBERING)
            numbering = new.element
        ids = [int(v) for v in _xpath(numbering, "w:abstractNum/@w:abstractNumId")]
        abstract_id = max(ids, default=-1) + 1
        fmt, text = ("bullet", bullet) if bullet else ("decimal", "%1.")
        abstract = parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}"><w:multiLevelType w:val="singleLevel"/>'
            f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>'
            f'<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="{280 * depth}" w:hanging="220"/></w:pPr></w:lvl>'
            '</w:abstractNum>')
        nums = _xpath(numbering, "w:num")
        if nums:
            nums[0].addprevious(abstract)
        else:
            anchor = _xpath(numbering, "w:numIdMacAtCleanup")
            anchor[0].addprevious(abstract) if anchor else numbering.append(abstract)
        return numbering.add_num(abstract_id).numId

    def _table_style(self, el) -> None:
        """Give an added table style the PDF's look: a shaded header row and a thin rule under every row."""
        rule = self.layout.colours.rule
        line = f'w:val="single" w:sz="3" w:space="0" w:color="{rule}"'
        el.append(parse_xml(
            f'<w:tblPr {nsdecls("w")}><w:tblBorders><w:bottom {line}/><w:insideH {line}/></w:tblBorders>'
            '<w:tblCellMar><w:top w:w="50" w:type="dxa"/><w:left w:w="120" w:type="dxa"/>'
            '<w:bottom w:w="50" w:type="dxa"/><w:right w:w="120" w:type="dxa"/></w:tblCellMar></w:tblPr>'))
        el.append(parse_xml(
            f'<w:tblStylePr {nsdecls("w")} w:type="firstRow"><w:tcPr><w:shd w:val="clear" w:color="auto" '
            f'w:fill="{self.layout.colours.table_header}"/></w:tcPr></w:tblStylePr>'))


def _reset(el, normal_id: str | None) -> None:
    """Strip a template style down to its name, so that the house style sets all of it."""
    for child in list(el):
        if child.tag in (qn("w:pPr"), qn("w:rPr"), qn("w:basedOn"), qn("w:link"), qn("w:tblPr"),
                         qn("w:tblStylePr"), qn("w:tcPr"), qn("w:trPr")):
            el.remove(child)
    if normal_id:
        based = OxmlElement("w:basedOn")
        based.set(qn("w:val"), normal_id)
        name = el.find(qn("w:name"))
        name.addnext(based) if name is not None else el.insert(0, based)
