"""DOCX renderer: the document model as a Word file with real footnotes, named styles and fields."""

from __future__ import annotations

import copy
import datetime as _dt
import io
import re
import zipfile

from dataclasses import dataclass

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.exceptions import InvalidXmlError
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml.etree import LxmlError

from briefing import model as m
from briefing.errors import InputError, Problem
from briefing.render import ooxml
from briefing.render.visitor import Scoped, Visitor
from briefing.render.docx_styles import WordStyles
from briefing.render.footnotes import footnotes_part
from briefing.render.reference import open_reference, read_reference
from briefing.layout import HOUSE, KEEP_ITEM_LINES, KEEP_TABLE_ROWS, MIN_TABLE_ROWS, Fit, Layout, estimated_lines
from briefing.layout import resolve
from briefing.style import Style

@dataclass(frozen=True)
class Env:
    """Where the DOCX translator is writing: what the nodes being visited are inside of."""

    part: object
    """The part that owns what is written (links are its relationships): the document's, or the footnotes part."""
    container: object
    """Where new paragraphs and tables go: the document (its body) or a note (footnotes.Footnote)."""
    runs: object = None
    """The element new runs go into: the paragraph being written, or a hyperlink inside it."""
    in_link: bool = False
    """Inside a hyperlink: text takes the link character style."""
    para_style: str = "body"
    """Role of the next paragraph's style (see docx_styles.STYLES)."""
    list_depth: int = 0
    """How many lists enclose the current paragraph."""
    list_num: int | None = None
    """numId of the numbered list being written, so each list numbers from its own start."""
    number: int | None = None
    """numId the next paragraph is numbered with (the first paragraph of a numbered list's item)."""
    bold: bool = False
    """Inside Strong."""
    italic: bool = False
    """Inside Emph."""


class DocxTranslator(Visitor, Scoped):
    """Walks the model and writes WordprocessingML into a python-docx Document: paragraphs and tables through
    python-docx's own calls, runs as raw WordprocessingML (ooxml.py) where python-docx has no call for them."""

    def __init__(self, document, styles: WordStyles, logo: str | None = None, logo_alt: str = "",
                 tables: tuple[tuple[float, ...], ...] = (), layout: Layout | None = None):
        self.document = document
        self.layout = layout
        """The layout values (page measure, list text size), to estimate a list item's lines; None: every item
        is kept whole."""
        self.styles = styles
        """The document's styles by role."""
        self.logo = logo
        """An image for the title block, or None."""
        self.logo_alt = logo_alt
        """What the logo shows, in words: Word's alt text for it (screen readers say it)."""
        self.env = Env(part=document.part, container=document)
        """Where the translator is writing (changed only through `scoped`)."""
        self.notes_part = None
        """The footnotes part, created at the first note."""
        self.note_mark = False
        """The next paragraph is a note's first: its number (a footnoteRef run) starts it."""
        self.table_widths = iter(tables)
        """Each table's column widths in points, in document order, as the brief's PDF sets them (its fit)."""

    # -- blocks -------------------------------------------------------------------------------

    def _paragraph(self, role: str):
        """Add a paragraph in style `role` where paragraphs go; return it (a python-docx Paragraph)."""
        p = self.env.container.add_paragraph()
        ooxml.set_style(p, self.styles.id(role))
        return p

    def _runs(self, paragraph, nodes: list) -> None:
        """Write inline `nodes` as the runs of `paragraph`."""
        with self.scoped(runs=ooxml.element(paragraph), in_link=False):
            self._inlines(nodes)

    def _inlines(self, nodes: list) -> None:
        for node, sep in m.separated(nodes):
            if sep:  # superscript as the marks are, but text: not a note reference
                self.env.runs.append(ooxml.run(m.NOTE_SEPARATOR, self.styles.id("note_ref")))
            self.visit(node)

    def visit_Document(self, node: m.Document) -> None:
        meta = node.meta
        if self.logo:
            run = self._paragraph("normal").add_run()
            run.add_picture(self.logo, height=Mm(14))
            ooxml.alt_text(run, self.logo_alt)
        if meta.handling:
            self._runs(self._paragraph("handling"), [m.Text(meta.handling)])
        self._runs(self._paragraph("title"), [m.Text(meta.title)])
        if meta.subtitle:
            self._runs(self._paragraph("subtitle"), [m.Text(meta.subtitle)])
        self._runs(self._paragraph("meta"), [m.Text(meta.title_line)])
        for child in node.children:
            self.visit(child)

    def visit_Heading(self, node: m.Heading) -> None:
        self._runs(self._paragraph(f"h{min(node.level, 3)}"), node.children)

    def visit_Paragraph(self, node: m.Paragraph) -> None:
        p = self._paragraph(self.env.para_style)
        if node.custom_style:
            ooxml.set_style(p, self.styles.custom(node.custom_style))
        if node.keep_with_next:  # a lead-in (a disputed question) stays with what follows it, as in the PDF
            p.paragraph_format.keep_with_next = True
        if self.env.list_depth and self.env.part is self.document.part and self._short(node, self.env.list_depth):
            p.paragraph_format.keep_together = True  # w:keepLines: a short list item is not broken across pages
        if self.env.number is not None:
            ooxml.number(p, self.env.number)
        with self.scoped(runs=ooxml.element(p), in_link=False):
            if self.note_mark:  # the note's own number, then a space
                self.note_mark = False
                self.env.runs.append(ooxml.footnote_mark(self.styles.id("note_ref")))
                self.env.runs.append(ooxml.run(" "))
            self._inlines(node.children)

    def _short(self, node: m.Paragraph, depth: int) -> bool:
        """Whether a list item's paragraph runs to few enough lines to be kept whole (as the PDF keeps it; the
        lines are estimated, as this writer measures no text)."""
        if self.layout is None:
            return True
        body = self.layout.styles["list"]
        width = self.layout.page.measure - 14 * depth
        return estimated_lines(len(m.plain_text(node.children)), width, body.size) <= KEEP_ITEM_LINES

    def _list(self, node, style: str, num_id: int | None) -> None:
        depth = self.env.list_depth + 1
        with self.scoped(list_depth=depth, list_num=num_id, para_style=f"{style}{min(depth, 3)}", number=num_id):
            for item in node.items:
                self.visit(item)

    def visit_BulletList(self, node: m.BulletList) -> None:
        self._list(node, "bullet", None)

    def visit_OrderedList(self, node: m.OrderedList) -> None:
        # A new w:num over the style's abstract numbering, restarted at node.start: each list counts afresh.
        style = self.styles.element(f"number{min(self.env.list_depth + 1, 3)}")
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
        """The item's first paragraph carries its bullet or number; the paragraphs after it continue the item."""
        rest = {"para_style": f"continue{min(self.env.list_depth, 3)}", "number": None}
        first = True
        for child in node.children:
            with self.scoped(**({} if first else rest)):
                self.visit(child)
            first = first and not isinstance(child, m.Paragraph)

    def visit_BlockQuote(self, node: m.BlockQuote) -> None:
        with self.scoped(para_style="quote", number=None):
            for child in node.children:
                self.visit(child)

    def visit_ThematicBreak(self, node: m.ThematicBreak) -> None:
        self._paragraph("rule")

    def visit_Table(self, node: m.Table) -> None:
        if node.caption:  # above the table, as Word places table captions
            p = self._paragraph("caption")
            p.paragraph_format.keep_with_next = True
            self._runs(p, node.caption)
        cols = len(node.header)
        section = self.document.sections[0]
        tbl, table = ooxml.table(self.env.container, 1 + len(node.rows), cols,
                                 section.page_width - section.left_margin - section.right_margin)
        table.style = self.styles.style("table")
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        ooxml.table_look(tbl, first_row=True)
        ooxml.repeat_header_row(tbl.tr_lst[0])
        widths = next(self.table_widths, ())
        if len(widths) == cols:  # as the PDF sets them; else the measure shared evenly
            table.autofit = False
            for column, width in zip(table.columns, widths):
                column.width = Pt(width)
                for cell in column.cells:
                    cell.width = Pt(width)
        body = len(node.rows)
        # Rows kept with the next as the PDF keeps them: a short table whole, a longer one with at least two body
        # rows on each side of a break (the header row with the first two, the last two together).
        kept = (set(range(body)) if body <= KEEP_TABLE_ROWS or self.env.part is not self.document.part
                else set(range(MIN_TABLE_ROWS)) | set(range(body - MIN_TABLE_ROWS + 1, body)))
        for r, cells in enumerate([node.header] + node.rows):
            if r:
                ooxml.cant_split_row(tbl.tr_lst[r])
            for c, cell in enumerate(cells[:cols]):  # a row with more cells than the header: only cols of them
                self._cell(table.cell(r, c), cell, "header_cell" if r == 0 else "cell")
                if r in kept:
                    table.cell(r, c).paragraphs[0].paragraph_format.keep_with_next = True

    def _cell(self, docx_cell, cell: m.TableCell, role: str) -> None:
        p = docx_cell.paragraphs[0]
        ooxml.set_style(p, self.styles.id(role))
        if cell.align != "left":
            p.alignment = {"right": WD_ALIGN_PARAGRAPH.RIGHT, "center": WD_ALIGN_PARAGRAPH.CENTER}[cell.align]
        with self.scoped(runs=ooxml.element(p), in_link=False):
            self.visit(cell)

    def visit_TableCell(self, node: m.TableCell) -> None:
        self._inlines(node.children)

    def _note_body(self, node: m.Note) -> None:
        """Write the note's blocks into the footnotes part with the body's block code, its number first."""
        if self.notes_part is None:
            self.notes_part = footnotes_part(self.document.part)
        note = self.notes_part.footnotes.add_footnote(node.number)
        children = node.children or [m.Paragraph([])]
        if not isinstance(children[0], m.Paragraph):  # the note's number needs a paragraph to stand in
            children = [m.Paragraph([])] + children
        with self.scoped(part=self.notes_part, container=note, para_style="note", list_depth=0, list_num=None,
                         number=None, bold=False, italic=False, runs=None, in_link=False):
            self.note_mark = True
            for child in children:
                self.visit(child)

    # -- inlines ------------------------------------------------------------------------------

    def visit_Text(self, node: m.Text) -> None:
        env = self.env
        env.runs.append(ooxml.run(node.text, self.styles.id("link") if env.in_link else None, env.bold, env.italic))

    def visit_Code(self, node: m.Code) -> None:
        self.env.runs.append(ooxml.run(node.text, self.styles.id("code"), self.env.bold, self.env.italic))

    def visit_Emph(self, node: m.Emph) -> None:
        with self.scoped(italic=True):
            self._inlines(node.children)

    def visit_Strong(self, node: m.Strong) -> None:
        with self.scoped(bold=True):
            self._inlines(node.children)

    def visit_Link(self, node: m.Link) -> None:
        link = ooxml.hyperlink(self.env.part, node.href)
        self.env.runs.append(link)
        with self.scoped(runs=link, in_link=True):
            self._inlines(node.children)

    def visit_LineBreak(self, node: m.LineBreak) -> None:
        r = ooxml.run()
        r.append(OxmlElement("w:br"))
        self.env.runs.append(r)

    def visit_Note(self, node: m.Note) -> None:
        self.env.runs.append(ooxml.footnote_reference(node.number, self.styles.id("note_ref")))
        self._note_body(node)


class DocxWriter:
    """Turns a document model into DOCX bytes: template and styles, page furniture, properties, fixed zip."""

    def __init__(self, layout: Layout | Style, reference_docx: str | None = None):
        self.layout = layout = resolve(layout)
        """The house style's layout values."""
        self.reference_docx = reference_docx or layout.reference_docx
        self._reference = read_reference(self.reference_docx) if self.reference_docx else None
        """The reference's bytes, checked once."""
        self._templates: dict[tuple[str, float], tuple | bool] = {}
        """(language, the fit's gaps) -> (document, styles) of the template copied for each brief; False after the
        first."""
        if self.reference_docx:
            self._template("en")  # a reference it cannot use is reported before any brief is rendered

    def _template(self, language: str, fit: Fit = HOUSE):
        """Return (document, styles): the template emptied of its content, with the renderer's styles in place.
        From the second brief of a language and fit on, a deep copy of one made for them (a third of the time
        of making it anew).

        Whatever in a reference document stops that is the reference's fault: an InputError naming it."""
        key = (language, fit.gaps)  # the styles depend on the gaps alone, not on the tables' widths
        kept = self._templates.get(key)
        if kept is None:  # the first brief: made for it alone
            self._templates[key] = False
            return self._new_template(language, fit)
        if kept is False:  # another: one is made to be copied from now on
            kept = self._templates[key] = self._new_template(language, fit)
        document, styles = kept
        document = copy.deepcopy(document)
        return document, styles.copy_for(document)

    def _new_template(self, language: str, fit: Fit):
        if self._reference is None:
            document = docx.Document()
            _forget_content(document)
            return document, WordStyles(document, self.layout, reference=False).with_house_style(language, fit)
        document = open_reference(self.reference_docx, self._reference)
        try:
            _forget_content(document)
            return document, WordStyles(document, self.layout, reference=True).with_house_style(language, fit)
        except (KeyError, ValueError, LxmlError, InvalidXmlError) as e:
            # a reference python-docx opened but whose parts hold what nothing expects (a missing part or
            # attribute, a value of the wrong form); anything else is a bug and shows its traceback
            raise InputError(Problem(self.reference_docx, 0, 0, "reference .docx holds something the DOCX "
                                     f"writer cannot use ({type(e).__name__}: {e})",
                                     "save it again from Word or LibreOffice, or use another reference")) from None

    def render(self, doc: m.Document, timestamp: _dt.datetime, fit: Fit | float | None = None) -> bytes:
        """Return the DOCX file's bytes; the same model, timestamp and fit always give the same bytes.

        `fit` is the brief's fit (`render.fit`, or the PDF writer's `fit` after rendering the same brief): the
        share of the house style's space between paragraphs its PDF is laid out with (less than 1 when it was
        fitted), and its tables' column widths, so both break lines and pages alike. None: the house style's
        spacing, and columns sharing the measure evenly."""
        if not isinstance(fit, Fit):
            fit = HOUSE if fit is None else Fit(fit)
        document, styles = self._template(doc.meta.language, fit)
        self._page(document, doc.meta, styles)
        DocxTranslator(document, styles, self.layout.logo, self.layout.logo_alt, fit.tables, self.layout).visit(doc)
        self._properties(document, doc.meta, timestamp)
        out = io.BytesIO()
        document.save(out)
        return _fixed_zip(out.getvalue(), timestamp)

    def _page(self, document, meta: m.Meta, styles: WordStyles) -> None:
        page = self.layout.page
        section = document.sections[0]
        section.page_width, section.page_height = Mm(page.width_mm), Mm(page.height_mm)
        mg = page.margins_mm
        section.top_margin, section.bottom_margin = Mm(mg["top"]), Mm(mg["bottom"])
        section.left_margin, section.right_margin = Mm(mg["left"]), Mm(mg["right"])
        section.different_first_page_header_footer = page.different_first_page
        hp = section.header.paragraphs[0]
        hp.style = styles.style("header")
        hp.add_run(meta.header)
        footers = [section.footer] + ([section.first_page_footer] if page.different_first_page else [])
        for footer in footers:
            fp = footer.paragraphs[0]
            fp.style = styles.style("footer")
            fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for piece in _split_fields(meta.footer):
                if piece == "{page}":
                    ooxml.element(fp).append(ooxml.field("PAGE", "1"))
                elif piece == "{pages}":
                    ooxml.element(fp).append(ooxml.field("NUMPAGES", "1"))
                elif piece:
                    ooxml.element(fp).append(ooxml.run(piece))

    def _properties(self, document, meta: m.Meta, timestamp: _dt.datetime) -> None:
        cp = document.core_properties
        cp.title = meta.title
        cp.subject = meta.subject
        cp.author = meta.author
        cp.last_modified_by = meta.author
        cp.keywords = ", ".join(meta.keywords)
        cp.language = meta.language
        cp.category = meta.handling
        cp.comments = meta.audience_line
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
    restamped = _restamped(data, stamp)
    if restamped is not None:
        return restamped
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def _restamped(data: bytes, stamp: tuple) -> bytes | None:
    """The zip python-docx wrote, each entry's date set to `stamp` and its permissions to rw-r--r-- where they
    stand in the file (its local header and its central directory entry): the very bytes that writing every
    entry again with those dates gives, as python-docx and this module deflate alike, without inflating and
    deflating each part a second time. None for a zip of another shape (then it is written again)."""
    import struct

    dosdate = (stamp[0] - 1980) << 9 | stamp[1] << 5 | stamp[2]
    dostime = stamp[3] << 11 | stamp[4] << 5 | stamp[5] // 2
    end = len(data) - 22
    if end < 0 or data[end:end + 4] != b"PK\x05\x06" or data[end + 20:end + 22] != b"\0\0":
        return None  # a zip comment, or no plain end record
    entries, size, at = struct.unpack_from("<HII", data, end + 10)
    if at + size != end:
        return None
    out = bytearray(data)
    for _ in range(entries):
        if out[at:at + 4] != b"PK\x01\x02":
            return None
        flags, name, extra, comment = struct.unpack_from("<H", out, at + 8) + struct.unpack_from("<HHH", out, at + 28)
        local = struct.unpack_from("<I", out, at + 42)[0]
        if flags & 0x08 or extra or out[local:local + 4] != b"PK\x03\x04":
            return None  # a data descriptor or extra fields: not the plain entries zipfile writes to memory
        struct.pack_into("<HH", out, at + 12, dostime, dosdate)
        struct.pack_into("<I", out, at + 38, 0o644 << 16)
        struct.pack_into("<HH", out, local + 10, dostime, dosdate)
        at += 46 + name + extra + comment
    return bytes(out)
