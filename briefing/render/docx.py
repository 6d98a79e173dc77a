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
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm

from briefing import model as m
from briefing.errors import InputError, Problem
from briefing.render import Visitor, furniture_text, ooxml, title_line
from briefing.render.docx_styles import WordStyles
from briefing.render.footnotes import footnotes_part
from briefing.render.reference import open_reference, read_reference
from briefing.layout import HOUSE, Fit, Layout, resolve
from briefing.style import Style

class DocxTranslator(Visitor):
    """Walks the model and appends WordprocessingML to a python-docx Document."""

    def __init__(self, document, styles: WordStyles, logo: str | None = None, logo_alt: str = ""):
        self.document = document
        self.styles = styles
        """The document's styles by role."""
        self.logo = logo
        """An image for the title block, or None."""
        self.logo_alt = logo_alt
        """What the logo shows, in words: Word's alt text for it (screen readers say it)."""
        self.part = document.part
        """The part that owns what is being written: the document, or the footnotes part inside a note."""
        self.container = document.element.body
        """Where new paragraphs go: the body, a table cell or a footnote."""
        self.target = None
        """Where new runs go: the current paragraph or hyperlink."""
        self.para_style = "body"
        """Role of the next paragraph's style (see docx_styles.STYLES)."""
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
        self.note = None
        """The note being written (a footnotes.Footnote), or None in the body."""

    # -- blocks -------------------------------------------------------------------------------

    def _paragraph(self, role: str):
        p = OxmlElement("w:p")
        if hasattr(self.container, "_insert_p"):
            self.container._insert_p(p)
        else:
            self.container.append(p)
        p.style = self.styles.id(role)
        self.target = p
        return p

    def _inlines(self, nodes: list) -> None:
        for node in nodes:
            self.visit(node)

    def visit_Document(self, node: m.Document) -> None:
        meta = node.meta
        if self.logo:
            self._paragraph("normal")
            run = docx.text.run.Run(ooxml.run(), docx.text.paragraph.Paragraph(self.target, self.document.part))
            self.target.append(run._r)
            picture = run.add_picture(self.logo, height=Mm(14))
            ooxml.alt_text(picture, self.logo_alt)
        if meta.handling:
            self._paragraph("handling")
            self.visit(m.Text(meta.handling))
        self._paragraph("title")
        self.visit(m.Text(meta.title))
        if meta.subtitle:
            self._paragraph("subtitle")
            self.visit(m.Text(meta.subtitle))
        self._paragraph("meta")
        self.visit(m.Text(title_line(meta)))
        for child in node.children:
            self.visit(child)

    def visit_Heading(self, node: m.Heading) -> None:
        p = self._paragraph(f"h{min(node.level, 3)}")
        self._inlines(node.children)
        return p

    def visit_Paragraph(self, node: m.Paragraph) -> None:
        self._paragraph(self.para_style)
        if len(node.children) == 1 and isinstance(node.children[0], m.Strong):
            # a bold lead-in line (a disputed question) stays with what follows it, as in the PDF
            self.target.get_or_add_pPr().keepNext_val = True

        self._inlines(node.children)
        if self.para_style.startswith(("bullet", "number")):
            if self.list_num is not None:
                self._number(self.target, self.list_num)
            self.para_style = f"continue{min(self.list_depth, 3)}"

    def _number(self, p, num_id: int) -> None:
        ppr = p.get_or_add_pPr()
        num_pr = ppr.get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = 0
        num_pr.get_or_add_numId().val = num_id

    def _list(self, node, style: str, num_id: int | None) -> None:
        saved = (self.para_style, self.list_num)
        self.list_depth += 1
        for item in node.items:
            self.para_style = f"{style}{min(self.list_depth, 3)}"
            self.list_num = num_id
            self.visit(item)
        self.list_depth -= 1
        self.para_style, self.list_num = saved

    def visit_BulletList(self, node: m.BulletList) -> None:
        self._list(node, "bullet", None)

    def visit_OrderedList(self, node: m.OrderedList) -> None:
        # A new w:num over the style's abstract numbering, restarted at node.start: each list counts afresh.
        style = self.styles.element(f"number{min(self.list_depth + 1, 3)}")
        num_id = base = None
        if style.pPr is not None and style.pPr.numPr is not None and style.pPr.numPr.numId is not None:
            try:
                numbering = self.document.part.part_related_by(RT.NUMBERING).element
                base = numbering.num_having_numId(style.pPr.numPr.numId.val)
            except KeyError:  # a reference's list style naming a list definition it lacks: plain paragraphs
                pass
        if base is not None:
            num = numbering.add_num(base.abstractNumId.val)
            num.add_lvlOverride(ilvl=0).add_startOverride(node.start)
            num_id = num.numId
        self._list(node, "number", num_id)

    def visit_ListItem(self, node: m.ListItem) -> None:
        for child in node.children:
            self.visit(child)

    def visit_BlockQuote(self, node: m.BlockQuote) -> None:
        saved = self.para_style
        self.para_style = "quote"
        for child in node.children:
            self.visit(child)
        self.para_style = saved

    def visit_ThematicBreak(self, node: m.ThematicBreak) -> None:
        self._paragraph("rule")

    def visit_Table(self, node: m.Table) -> None:
        if node.caption:  # above the table, as Word places table captions
            p = self._paragraph("caption")
            ooxml.keep_with_next(p)
            self._inlines(node.caption)
        cols = len(node.header)
        if self.note is None:  # add_table appends at the end of the body; that is where we are
            table = self.document.add_table(rows=1 + len(node.rows), cols=cols)
        else:
            section = self.document.sections[0]
            width = section.page_width - section.left_margin - section.right_margin
            table = self.note.add_table(1 + len(node.rows), cols, width)
        table.style = self.styles.style("table")
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        ooxml.table_look(table, first_row=True)
        ooxml.repeat_header_row(table.rows[0])
        for r, cells in enumerate([node.header] + node.rows):
            if r:
                ooxml.cant_split_row(table.rows[r])
            for c, cell in enumerate(cells):
                self._cell(table.cell(r, c), cell, "header_cell" if r == 0 else "cell")
        self.target = None

    def _cell(self, docx_cell, cell: m.TableCell, role: str) -> None:
        saved = self.container
        self.container = docx_cell._tc
        p = docx_cell.paragraphs[0]._p
        p.style = self.styles.id(role)
        if cell.align != "left":
            docx_cell.paragraphs[0].alignment = {"right": WD_ALIGN_PARAGRAPH.RIGHT,
                                                 "center": WD_ALIGN_PARAGRAPH.CENTER}[cell.align]
        self.target = p
        self.visit(cell)
        self.container = saved

    def visit_TableCell(self, node: m.TableCell) -> None:
        self._inlines(node.children)

    def _note_body(self, node: m.Note) -> None:
        """Write the note's blocks into the footnotes part with the body's block code, its number first."""
        if self.notes_part is None:
            self.notes_part = footnotes_part(self.document.part)
        saved = dict(vars(self))
        self.note = self.notes_part.footnotes.add_footnote(node.number)
        self.container = self.note.element
        self.part = self.notes_part
        self.para_style = "note"
        self.list_depth, self.list_num, self.bold, self.italic = 0, None, False, False
        children = node.children or [m.Paragraph([])]
        if not isinstance(children[0], m.Paragraph):  # the note's number needs a paragraph to stand in
            children = [m.Paragraph([])] + children
        for i, child in enumerate(children):
            self.visit(child)
            if i == 0:
                at = 0 if self.target.pPr is None else 1
                self.target.insert(at, ooxml.footnote_mark(self.styles.id("note_ref")))
                self.target.insert(at + 1, ooxml.run(" "))
        vars(self).update(saved)

    # -- inlines ------------------------------------------------------------------------------

    def visit_Text(self, node: m.Text) -> None:
        style = self.styles.id("link") if self.target.tag == qn("w:hyperlink") else None
        self.target.append(ooxml.run(node.text, style, self.bold, self.italic))

    def visit_Code(self, node: m.Code) -> None:
        self.target.append(ooxml.run(node.text, self.styles.id("code"), self.bold, self.italic))

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

    def visit_Note(self, node: m.Note) -> None:
        self.target.append(ooxml.footnote_reference(node.number, self.styles.id("note_ref")))
        self._note_body(node)


class DocxWriter:
    """Turns a document model into DOCX bytes: template and styles, page furniture, properties, fixed zip."""

    def __init__(self, layout: Layout | Style, reference_docx: str | None = None):
        self.layout = layout = resolve(layout)
        """The house style's layout values."""
        self.reference_docx = reference_docx or layout.reference_docx
        self._reference = read_reference(self.reference_docx) if self.reference_docx else None
        """The reference's bytes, checked once."""
        if self.reference_docx:
            self._template("en")  # a reference it cannot use is reported before any brief is rendered

    def _template(self, language: str, fit: Fit = HOUSE):
        """Return (document, styles): the template emptied of its content, with the renderer's styles in place.

        Whatever in a reference document stops that is the reference's fault: an InputError naming it."""
        if self._reference is None:
            document = docx.Document()
            _forget_content(document)
            return document, WordStyles(document, self.layout, reference=False).with_house_style(language, fit)
        document = open_reference(self.reference_docx, self._reference)
        try:
            _forget_content(document)
            return document, WordStyles(document, self.layout, reference=True).with_house_style(language, fit)
        except Exception as e:  # a reference python-docx opened but whose parts hold what nothing expects
            raise InputError(Problem(self.reference_docx, 0, 0, "reference .docx holds something the DOCX "
                                     f"writer cannot use ({type(e).__name__}: {e})",
                                     "save it again from Word or LibreOffice, or use another reference")) from None

    def render(self, doc: m.Document, timestamp: _dt.datetime, fit: Fit | float | None = None) -> bytes:
        """Return the DOCX file's bytes; the same model, timestamp and fit always give the same bytes.

        `fit` is the brief's fit (`layout.fit`, or the PDF writer's `fit` after rendering the same brief): the
        share of the house style's space between paragraphs its PDF is laid out with (less than 1 when it was
        fitted to save a nearly empty page), so both break pages alike. None: the house style's spacing."""
        if not isinstance(fit, Fit):
            fit = HOUSE if fit is None else Fit(fit)
        document, styles = self._template(doc.meta.language, fit)
        self._page(document, doc.meta, styles)
        DocxTranslator(document, styles, self.layout.logo, self.layout.logo_alt).visit(doc)
        self._properties(document, doc.meta, timestamp)
        out = io.BytesIO()
        document.save(out)
        return _fixed_zip(out.getvalue(), timestamp)

    def _page(self, document, meta: m.Meta, styles: WordStyles) -> None:
        page = self.layout.page
        s = self.layout.style
        section = document.sections[0]
        section.page_width, section.page_height = Mm(page.width_mm), Mm(page.height_mm)
        mg = page.margins_mm
        section.top_margin, section.bottom_margin = Mm(mg["top"]), Mm(mg["bottom"])
        section.left_margin, section.right_margin = Mm(mg["left"]), Mm(mg["right"])
        section.different_first_page_header_footer = page.different_first_page
        header_text = furniture_text(s["header"], meta)
        hp = section.header.paragraphs[0]
        hp.style = styles.style("header")
        hp.add_run(header_text)
        footers = [section.footer] + ([section.first_page_footer] if page.different_first_page else [])
        for footer in footers:
            fp = footer.paragraphs[0]
            fp.style = styles.style("footer")
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


def _forget_content(document) -> None:
    """Keep a template's styles, numbering, theme and settings; drop its text, notes, headers and footers."""
    part = document.part
    for r_id, rel in list(part.package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del part.package.rels[r_id]  # the template's picture of someone else's first page
        elif rel.reltype != RT.CORE_PROPERTIES and rel.reltype.endswith("/metadata/core-properties"):
            # LibreOffice relates its core properties with an older type, which python-docx does not
            # recognise: it would add a second docProps/core.xml. Dropped, python-docx makes a new one.
            del part.package.rels[r_id]
    body = document.element.body
    sect_pr = body.get_or_add_sectPr()
    for child in list(body):
        if child is not sect_pr:
            body.remove(child)
    for ref in sect_pr.findall(qn("w:headerReference")) + sect_pr.findall(qn("w:footerReference")):
        sect_pr.remove(ref)
    used = ooxml.relationship_ids(document.element)
    for r_id, rel in list(part.rels.items()):
        if rel.reltype in (RT.HEADER, RT.FOOTER, RT.COMMENTS) or (
                rel.reltype in (RT.IMAGE, RT.HYPERLINK) and r_id not in used):
            del part.rels[r_id]
    footnotes_part(part).footnotes.clear()  # a rebuilt brief's old notes must not linger
    for special in document.settings.element.findall(f'{qn("w:footnotePr")}/{qn("w:footnote")}'):
        special.getparent().remove(special)  # they named the old separators (LibreOffice's have ids 0 and 1)
    for rel in part.rels.values():
        if rel.reltype == RT.ENDNOTES and not rel.is_external:
            root = rel.target_part.element if hasattr(rel.target_part, "element") else None
            for note in [] if root is None else root.findall(qn("w:endnote")):
                if note.get(qn("w:type")) is None:
                    root.remove(note)


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
