"""DOCX renderer: the document model as a Word file with real footnotes, named styles and fields."""

from __future__ import annotations

import datetime as _dt
import io
import re
import zipfile

import docx
import docx.text.paragraph
import docx.text.run
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

from briefing import model as m
from briefing.render import Visitor, furniture_text, ooxml, title_line
from briefing.style import Style

# Styles the renderer adds when the template (python-docx's default or a reference.docx) lacks them.
# Word's built-in names, so Word treats them as its own (e.g. "footnote text").
_EXTRA_STYLES = {
    "FootnoteText": ("paragraph", "footnote text",
                     '<w:pPr><w:spacing w:after="40" w:line="240" w:lineRule="auto"/></w:pPr>'),
    "FootnoteReference": ("character", "footnote reference", '<w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'),
    "Hyperlink": ("character", "Hyperlink", '<w:rPr><w:color w:val="0563C1"/><w:u w:val="single"/></w:rPr>'),
    "Handling": ("paragraph", "Handling",
                 '<w:pPr><w:spacing w:before="0" w:after="120"/></w:pPr><w:rPr><w:b/><w:caps/></w:rPr>'),
    "BriefMeta": ("paragraph", "Brief Meta", '<w:pPr><w:spacing w:before="0" w:after="60"/></w:pPr>'),
    "HorizontalRule": ("paragraph", "Horizontal Rule",
                       '<w:pPr><w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="auto"/></w:pBdr>'
                       '</w:pPr>'),
    "VerbatimChar": ("character", "Verbatim Char", '<w:rPr><w:rFonts w:ascii="DejaVu Sans Mono" '
                     'w:hAnsi="DejaVu Sans Mono"/></w:rPr>'),
    "TableText": ("paragraph", "Table Text", '<w:pPr><w:spacing w:before="20" w:after="20" w:line="240" '
                  'w:lineRule="auto"/></w:pPr>'),
}

_TABLE_STYLE = "Light List Accent 1"


def _ensure_style(document, style_id: str) -> None:
    styles = document.styles.element
    if styles.find(f'{qn("w:style")}[@{qn("w:styleId")}="{style_id}"]') is not None:
        return
    kind, name, inner = _EXTRA_STYLES[style_id]
    based = '<w:basedOn w:val="Normal"/>' if kind == "paragraph" else ""
    styles.append(parse_xml(f'<w:style {nsdecls("w")} w:type="{kind}" w:customStyle="1" w:styleId="{style_id}">'
                            f'<w:name w:val="{name}"/>{based}<w:uiPriority w:val="99"/><w:qFormat/>{inner}'
                            '</w:style>'))


class DocxTranslator(Visitor):
    """Walks the model and appends WordprocessingML to a python-docx Document."""

    def __init__(self, document, logo: str | None = None):
        self.document = document
        self.logo = logo
        """An image for the title block, or None."""
        self.part = document.part
        """The part that owns what is being written: the document, or the footnotes part inside a note."""
        self.container = document.element.body
        """Where new paragraphs go: the body, a table cell or a footnote."""
        self.target = None
        """Where new runs go: the current paragraph or hyperlink."""
        self.para_style = "BodyText"
        """Style id of the next paragraph."""
        self.list_depth = 0
        """How many lists enclose the current paragraph."""
        self.list_num: int | None = None
        """numId of the numbered list being written, so each list numbers from its own start."""
        self.bold = False
        """Inside Strong."""
        self.italic = False
        """Inside Emph."""
        self.notes_part = None
        """The footnotes part, created at the first note."""
        self.notes: dict[int, m.Footnote] = {}
        """The document's notes by number, written into the footnotes part at their marks."""

    # -- blocks -------------------------------------------------------------------------------

    def _paragraph(self, style_id: str):
        p = OxmlElement("w:p")
        if hasattr(self.container, "_insert_p"):
            self.container._insert_p(p)
        else:
            self.container.append(p)
        p.style = style_id
        self.target = p
        return p

    def _inlines(self, nodes: list) -> None:
        for node in nodes:
            self.visit(node)

    def visit_Document(self, node: m.Document) -> None:
        meta = node.meta
        if self.logo:
            self._paragraph("BriefMeta")
            run = docx.text.run.Run(ooxml.run(), docx.text.paragraph.Paragraph(self.target, self.document.part))
            self.target.append(run._r)
            run.add_picture(self.logo, height=Mm(14))
        self._paragraph("Handling")
        self.visit(m.Text(meta.handling))
        self._paragraph("Title")
        self.visit(m.Text(meta.title))
        if meta.subtitle:
            self._paragraph("Subtitle")
            self.visit(m.Text(meta.subtitle))
        self._paragraph("BriefMeta")
        self.visit(m.Text(title_line(meta)))
        self.notes = {n.number: n for n in node.footnotes}
        for child in node.children:
            self.visit(child)

    def visit_Heading(self, node: m.Heading) -> None:
        p = self._paragraph(f"Heading{min(node.level, 3)}")
        self._inlines(node.children)
        return p

    def visit_Paragraph(self, node: m.Paragraph) -> None:
        self._paragraph(self.para_style)
        self._inlines(node.children)
        if self.para_style.startswith("List") and not self.para_style.startswith("ListContinue"):
            if self.list_num is not None:
                self._number(self.target, self.list_num)
            depth = "" if self.list_depth == 1 else str(min(self.list_depth, 3))
            self.para_style = f"ListContinue{depth}"

    def _number(self, p, num_id: int) -> None:
        ppr = p.get_or_add_pPr()
        num_pr = ppr.get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = 0
        num_pr.get_or_add_numId().val = num_id

    def _list(self, node, style: str, num_id: int | None) -> None:
        saved = (self.para_style, self.list_num)
        self.list_depth += 1
        depth = "" if self.list_depth == 1 else str(min(self.list_depth, 3))
        for item in node.items:
            self.para_style = f"{style}{depth}"
            self.list_num = num_id
            self.visit(item)
        self.list_depth -= 1
        self.para_style, self.list_num = saved

    def visit_BulletList(self, node: m.BulletList) -> None:
        self._list(node, "ListBullet", None)

    def visit_OrderedList(self, node: m.OrderedList) -> None:
        # A new w:num over the style's abstract numbering, restarted at node.start: each list counts afresh.
        depth = "" if self.list_depth == 0 else str(min(self.list_depth + 1, 3))
        style = self.document.styles.element.find(
            f'{qn("w:style")}[@{qn("w:styleId")}="ListNumber{depth}"]')
        num_id = None
        if style is not None and style.pPr is not None and style.pPr.numPr is not None:
            numbering = self.document.part.numbering_part.element
            base = numbering.num_having_numId(style.pPr.numPr.numId.val)
            num = numbering.add_num(base.abstractNumId.val)
            num.add_lvlOverride(ilvl=0).add_startOverride(node.start)
            num_id = num.numId
        self._list(node, "ListNumber", num_id)

    def visit_ListItem(self, node: m.ListItem) -> None:
        for child in node.children:
            self.visit(child)

    def visit_BlockQuote(self, node: m.BlockQuote) -> None:
        saved = self.para_style
        self.para_style = "Quote"
        for child in node.children:
            self.visit(child)
        self.para_style = saved

    def visit_ThematicBreak(self, node: m.ThematicBreak) -> None:
        self._paragraph("HorizontalRule")

    def visit_Table(self, node: m.Table) -> None:
        if node.caption:  # above the table, as Word places table captions
            p = self._paragraph("Caption")
            ooxml.keep_with_next(p)
            self._inlines(node.caption)
        cols = len(node.header)
        table = self.document.add_table(rows=1 + len(node.rows), cols=cols)
        # add_table appends at the end of the body; that is where we are.
        if _TABLE_STYLE in [s.name for s in self.document.styles]:
            table.style = self.document.styles[_TABLE_STYLE]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        ooxml.table_look(table, first_row=True)
        ooxml.repeat_header_row(table.rows[0])
        for r, cells in enumerate([node.header] + node.rows):
            if r:
                ooxml.cant_split_row(table.rows[r])
            for c, cell in enumerate(cells):
                self._cell(table.cell(r, c), cell)
        self.target = None

    def _cell(self, docx_cell, cell: m.TableCell) -> None:
        saved = self.container
        self.container = docx_cell._tc
        p = docx_cell.paragraphs[0]._p
        p.style = "TableText"
        if cell.align != "left":
            docx_cell.paragraphs[0].alignment = {"right": WD_ALIGN_PARAGRAPH.RIGHT,
                                                 "center": WD_ALIGN_PARAGRAPH.CENTER}[cell.align]
        self.target = p
        self.visit(cell)
        self.container = saved

    def visit_TableCell(self, node: m.TableCell) -> None:
        self._inlines(node.children)

    def visit_Footnote(self, node: m.Footnote) -> None:
        if self.notes_part is None:
            self.notes_part = ooxml.footnotes_part(self.document.part)
        saved = dict(vars(self))
        self.container = self.notes_part.add_footnote(node.number)
        self.part = self.notes_part
        self.para_style = "FootnoteText"
        self.list_depth, self.list_num, self.bold, self.italic = 0, None, False, False
        first = True
        for child in node.children or [m.Paragraph([])]:
            self.visit(child)
            if first:
                self.target.insert(1 if self.target.pPr is not None else 0, ooxml.footnote_mark("FootnoteReference"))
                self.target.insert(2 if self.target.pPr is not None else 1, ooxml.run(" "))
                first = False
        vars(self).update(saved)

    # -- inlines ------------------------------------------------------------------------------

    def visit_Text(self, node: m.Text) -> None:
        style = "Hyperlink" if self.target.tag == qn("w:hyperlink") else None
        self.target.append(ooxml.run(node.text, style, self.bold, self.italic))

    def visit_Code(self, node: m.Code) -> None:
        self.target.append(ooxml.run(node.text, "VerbatimChar", self.bold, self.italic))

    def visit_Emph(self, node: m.Emph) -> None:
        saved, self.italic = self.italic, True
        self._inlines(node.children)
        self.italic = saved

    def visit_Strong(self, node: m.Strong) -> None:
        saved, self.bold = self.bold, True
        self._inlines(node.children)
        self.bold = saved

    def visit_Link(self, node: m.Link) -> None:
        link = ooxml.hyperlink(self.part, node.href)
        self.target.append(link)
        saved, self.target = self.target, link
        self._inlines(node.children)
        self.target = saved

    def visit_LineBreak(self, node: m.LineBreak) -> None:
        r = ooxml.run()
        r.append(OxmlElement("w:br"))
        self.target.append(r)

    def visit_FootnoteRef(self, node: m.FootnoteRef) -> None:
        self.target.append(ooxml.footnote_reference(node.number, "FootnoteReference"))
        note = self.notes.get(node.number)
        if note is not None:
            self.visit(note)


class DocxWriter:
    """Turns a document model into DOCX bytes: template and styles, page furniture, properties, fixed zip."""

    def __init__(self, style: Style, reference_docx: str | None = None):
        self.style = style
        self.reference_docx = reference_docx or (style.file(style["reference_docx"]) if style["reference_docx"]
                                                 else None)

    def render(self, doc: m.Document, timestamp: _dt.datetime) -> bytes:
        """Return the DOCX file's bytes; the same model and timestamp always give the same bytes."""
        document = docx.Document(self.reference_docx)
        package_rels = document.part.package.rels
        for r_id in [k for k, rel in package_rels.items() if rel.reltype == RT.THUMBNAIL]:
            package_rels.pop(r_id)  # the template's picture of someone else's first page
        body = document.element.body
        for child in list(body):  # a reference document gives its styles, not its text
            if child.tag != qn("w:sectPr"):
                body.remove(child)
        for style_id in _EXTRA_STYLES:
            _ensure_style(document, style_id)
        if self.reference_docx is None:
            self._house_style(document, doc.meta)
        for level in (1, 2, 3):
            el = document.styles.element.find(f'{qn("w:style")}[@{qn("w:styleId")}="Heading{level}"]')
            if el is not None:
                ooxml.outline_level(el, level - 1)
        self._page(document, doc.meta)
        logo = self.style.file(self.style["logo"]) if self.style["logo"] else None
        DocxTranslator(document, logo).visit(doc)
        self._properties(document, doc.meta, timestamp)
        out = io.BytesIO()
        document.save(out)
        return _fixed_zip(out.getvalue(), timestamp)

    def _house_style(self, document, meta: m.Meta) -> None:
        s = self.style
        sizes, colours = s["sizes"], s["colours"]
        body_font, heading_font = s["body_font"]["family"], s["heading_font"]["family"]
        spacing = s["line_spacing"]

        def styled(style_id, family=None, size=None, colour=None):
            el = document.styles.element.find(f'{qn("w:style")}[@{qn("w:styleId")}="{style_id}"]')
            if el is None:
                return None
            st = document.styles[el.name_val]
            if family:
                ooxml.set_fonts(el, family)
            if size:
                st.font.size = Pt(size)
            if colour:
                ooxml.drop_theme_colour(el)
                st.font.color.rgb = RGBColor.from_string(colour.upper())
            return st

        defaults = document.styles.element.find(qn("w:docDefaults"))
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        ooxml.set_fonts(defaults.find(qn("w:rPrDefault")), body_font)
        lang = rpr.find(qn("w:lang"))
        if lang is not None:
            lang.set(qn("w:val"), meta.language)
        normal = styled("Normal", body_font, sizes["body"], colours["text"])
        normal.paragraph_format.line_spacing = spacing
        normal.paragraph_format.space_after = Pt(sizes["body"] * 0.6)
        styled("BodyText", body_font, sizes["body"])
        styled("Title", heading_font, sizes["title"], colours["heading"])
        styled("Subtitle", heading_font, sizes["subtitle"], colours["heading"])
        for level in (1, 2, 3):
            styled(f"Heading{level}", heading_font, sizes[f"heading{level}"], colours["heading"])
        styled("FootnoteText", body_font, sizes["note"])
        styled("TableText", body_font, sizes["table"])
        styled("Caption", heading_font, sizes["table"], colours["heading"])
        styled("Handling", heading_font, sizes["furniture"], colours["handling"])
        styled("BriefMeta", heading_font, sizes["furniture"] + 1)
        styled("Hyperlink", None, None, colours["link"])
        for sid in ("Header", "Footer"):
            styled(sid, heading_font, sizes["furniture"])
        for p in document.styles["Heading 1"].paragraph_format, document.styles["Heading 2"].paragraph_format:
            p.space_before = Pt(sizes["body"] * 1.4)
            p.space_after = Pt(sizes["body"] * 0.4)

    def _page(self, document, meta: m.Meta) -> None:
        s = self.style
        section = document.sections[0]
        width, height = (Mm(210), Mm(297)) if s["page_size"] == "A4" else (Mm(215.9), Mm(279.4))
        section.page_width, section.page_height = width, height
        mg = s["margins_mm"]
        section.top_margin, section.bottom_margin = Mm(mg["top"]), Mm(mg["bottom"])
        section.left_margin, section.right_margin = Mm(mg["left"]), Mm(mg["right"])
        section.different_first_page_header_footer = s["different_first_page"]
        header_text = furniture_text(s["header"], meta)
        hp = section.header.paragraphs[0]
        hp.style = document.styles["Header"]
        hp.add_run(header_text)
        footers = [section.footer] + ([section.first_page_footer] if s["different_first_page"] else [])
        for footer in footers:
            fp = footer.paragraphs[0]
            fp.style = document.styles["Footer"]
            fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for piece in _split_fields(s["footer"]):
                if piece == "{page}":
                    fp._p.append(ooxml.field("PAGE", "1"))
                elif piece == "{pages}":
                    fp._p.append(ooxml.field("NUMPAGES", "1"))
                elif piece:
                    fp._p.append(ooxml.run(furniture_text(piece, meta)))

    def _properties(self, document, meta: m.Meta, timestamp: _dt.datetime) -> None:
        cp = document.core_properties
        cp.title = meta.title
        cp.subject = meta.subject
        cp.author = meta.author
        cp.last_modified_by = meta.author
        cp.keywords = ", ".join(meta.keywords)
        cp.language = meta.language
        cp.category = meta.handling
        cp.comments = f"For: {meta.audience}"
        cp.created = timestamp.replace(tzinfo=None)
        cp.modified = timestamp.replace(tzinfo=None)
        cp.revision = 1


def _split_fields(text: str) -> list[str]:
    return re.split(r"(\{page\}|\{pages\})", text)


def _fixed_zip(data: bytes, timestamp: _dt.datetime) -> bytes:
    """Return the zip with every entry dated `timestamp`, in the same order: rebuilds give identical bytes."""
    stamp = (max(timestamp.year, 1980), timestamp.month, timestamp.day, timestamp.hour, timestamp.minute,
             timestamp.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()
