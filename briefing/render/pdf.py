"""PDF renderer: the document model as a PDF with page-foot notes, embedded fonts, outline and links."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import io
import re
import time
from dataclasses import dataclass, field
from typing import Callable, Mapping
from xml.sax.saxutils import escape as _xml

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFName
from reportlab.platypus import BaseDocTemplate, KeepTogether, PageTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from briefing import model as m
from briefing.errors import InputError, Problem
from briefing.render.visitor import Scoped, Visitor
from briefing.render.pdf_fonts import Fonts
from briefing.render.pdf_notes import FrameRef, NoteBody, NoteFrame, Noted, note_mark
from briefing.render.pdf_notes import MeasuredParagraph
from briefing.render.pdf_notes import MeasuredParagraph as Paragraph  # measured once per width, tagged when drawn
from briefing.render.pdf_tags import Element, Figure, Rule, StructTree, TaggingCanvas, artifact, inline
from briefing.render.pdf_tags import table_artifacts
from briefing.layout import HOUSE, KEEP_ITEM_LINES, KEEP_TABLE_ROWS, MIN_TABLE_ROWS, UNBREAKABLE, WHITE, Fit, Layout
from briefing.layout import ParaStyle, resolve
from briefing.style import Style, mm



def _hex(colour: str) -> colors.Color:
    return colors.HexColor("#" + colour)


_ALIGN = {"left": TA_LEFT, "right": TA_RIGHT, "center": TA_CENTER}


def paragraph_styles(styles: Mapping[str, ParaStyle], fonts: dict[str, str]) -> dict[str, ParagraphStyle]:
    """Return the layout's named paragraph styles as reportlab's, set in the registered fonts `fonts` (role ->
    name). No paragraph leaves a single line at the foot or the head of a page (no orphans, no widows)."""
    out = {}
    for role, s in styles.items():
        font = fonts[s.font]
        kw = {"keepWithNext": 1} if s.keep_with_next else {}
        if s.space_before:
            kw["spaceBefore"] = s.space_before
        if s.space_after:
            kw["spaceAfter"] = s.space_after
        if s.left_indent or s.right_indent:
            kw.update(leftIndent=s.left_indent, rightIndent=s.right_indent)
        out[role] = ParagraphStyle(s.name, fontName=font, fontSize=s.size, bulletFontName=font, bulletFontSize=s.size,
                                   allowWidows=0, allowOrphans=0, leading=s.leading,
                                   textColor=colors.white if s.colour == WHITE else _hex(s.colour), **kw)
    return out


@dataclass(frozen=True)
class Env:
    """What the nodes the PDF translator is visiting are inside of."""

    para_style: ParagraphStyle
    """Style of the next paragraph."""
    role: str = "body"
    """Whose font the text being written is in: body or heading."""
    list_depth: int = 0
    """How many lists enclose the current paragraph."""
    in_note: bool = False
    """Writing a note's body."""
    marked_notes: list = field(default_factory=list)
    """Where the Note elements of the marks in the paragraph being written are collected (each paragraph gets a
    list of its own): they follow the paragraph in the structure tree."""


class PdfTranslator(Visitor, Scoped):
    """Walks the model and returns reportlab flowables. A note leaves its mark in the text; its body, made by the
    same block code as the body, is kept by number for the frame to set at the foot of the mark's page."""

    def __init__(self, styles: dict[str, ParagraphStyle], layout: Layout, fonts: "Fonts", frame_ref: FrameRef):
        self.styles = styles
        self.layout = layout
        self.fonts = fonts
        self.source = ""
        """The brief's template, as messages name it (from its Meta)."""
        self.env = Env(styles["body"])
        """What the nodes being visited are inside of (changed only through `scoped`)."""
        self.bullet: str | None = None
        """The bullet or number of the list item whose first paragraph comes next."""
        self.headings = 0
        """Headings so far, for outline keys."""
        self.notes: dict[int, Flowable] = {}
        """Each note's body as one flowable, by number."""
        self.frame_ref = frame_ref
        """The frame being laid out, for the flowables that carry note marks."""
        self.marks: list[int] = []
        """Numbers of the notes whose marks the block being made holds so far."""
        self.table_widths: list[tuple[float, ...]] = []
        """Each table's column widths so far, in document order (a brief's fit carries them to its DOCX)."""
        self.lead_in = ""
        """Markup that starts the next paragraph: a note's anchor and number."""
        self.tags = StructTree()
        """The structure tree of the tagged PDF, built in the model's (reading) order."""
        self.tags.actual_texts = fonts.actual_texts
        self.label: Element | None = None
        """The Lbl element the next paragraph's bullet is tagged as."""
        self.holder: Element | None = None
        """An element (table cell, list item's body, note, caption) whose only paragraph comes next: the
        paragraph's text is tagged as that element, unless notes must follow the paragraph inside it."""

    # -- blocks -------------------------------------------------------------------------------

    def _blocks(self, nodes: list) -> list:
        out = []
        for node in nodes:
            out.extend(self.visit(node))
        return out

    def _paragraph(self, type_: str, inlines, style: ParagraphStyle, bulletText: str | None = None,
                   bullet_tag: Element | None = None) -> Paragraph:
        """Return a paragraph tagged as a new `type_` element (or as the holder waiting for it), followed in the
        tree by the notes whose marks `inlines` (a function returning the markup) writes."""
        holder, self.holder = self.holder, None
        with self.scoped(marked_notes=[]) as env:
            markup = inlines()
        notes = env.marked_notes
        if holder is not None and not notes:
            element = holder  # one element fewer to write: a brief has thousands
        else:
            with self.tags.inside(holder) if holder is not None else contextlib.nullcontext():
                element = self.tags.add(type_)
                self.tags.adopt(notes)
        p = Paragraph(markup, style, bulletText=bulletText)
        p._tag, p._bullet_tag = element, bullet_tag
        return p

    def visit_Document(self, node: m.Document) -> list:
        meta = node.meta
        self.source = meta.source or meta.title
        s = self.styles
        head = self.fonts.markup
        out = [self._logo()] if self.layout.logo else []
        if meta.handling:
            out.append(self._paragraph("P", lambda: head(meta.handling, "heading"), s["handling"]))
        # The title is an H1, as the brief's top-level sections are (from the Markdown's #): no role map needed.
        out.append(self._paragraph("H1", lambda: head(meta.title, "heading"), s["title"]))
        if meta.subtitle:
            out.append(self._paragraph("P", lambda: head(meta.subtitle, "heading"), s["subtitle"]))
        out.append(self._paragraph("P", lambda: head(meta.title_line, "heading"), s["meta"]))
        out.append(Rule(width="100%", thickness=0.8, color=_hex(self.layout.colours.rule),
                        spaceBefore=2, spaceAfter=6))
        out.extend(self._blocks(node.children))
        return out

    def _logo(self):
        from reportlab.lib.utils import ImageReader

        path = self.layout.logo
        width, height = ImageReader(path).getSize()
        logo = Figure(path, width=mm(14) * width / height, height=mm(14), hAlign="LEFT")
        logo.spaceAfter = 6
        logo._tag = self.tags.add("Figure", Alt=self.layout.logo_alt)
        return logo

    def _noted(self, flowable, since: int):
        """`flowable`, made from the marks from `since` on, wrapped to keep those marks' notes on its page."""
        numbers = self.marks[since:]
        del self.marks[since:]
        return Noted(flowable, self.frame_ref, numbers) if numbers else flowable

    def visit_Heading(self, node: m.Heading) -> list:
        if self.env.in_note:  # a heading inside a note is a bold line of the note
            return self.visit_Paragraph(m.Paragraph([m.Strong(node.children)]))
        level = min(node.level, 3)
        since = len(self.marks)
        with self.scoped(role="heading"):
            p = self._paragraph(f"H{level}", lambda: self._inlines(node.children), self.styles[f"h{level}"])
        self.headings += 1
        p._outline = (level - 1, m.plain_text(node.children), f"h{self.headings}")
        return [self._noted(p, since)]

    def visit_Paragraph(self, node: m.Paragraph) -> list:
        style, depth = self.env.para_style, self.env.list_depth
        if node.keep_with_next:  # a lead-in (a disputed question) stays with what follows it
            style = ParagraphStyle(style.name + " Lead", parent=style, keepWithNext=1)
        if depth:
            indent = 14 * depth
            style = ParagraphStyle(f"List{depth}", parent=style, leftIndent=indent, bulletIndent=indent - 11)
        since = len(self.marks)
        lead_in, bullet, label = self.lead_in, self.bullet, self.label  # for this paragraph only
        self.lead_in, self.bullet, self.label = "", None, None
        p = self._paragraph("P", lambda: lead_in + self._inlines(node.children), style, bulletText=bullet,
                            bullet_tag=label)
        if depth and not self.env.in_note:  # a short list item is not broken across pages
            p.keep_lines = KEEP_ITEM_LINES
        return [self._noted(p, since)]

    def _list(self, node, bullets) -> list:
        out = []
        with self.scoped(para_style=self.styles["note_list" if self.env.in_note else "list"],
                         list_depth=self.env.list_depth + 1), self.tags.inside(self.tags.add("L")):
            for item, bullet in zip(node.items, bullets, strict=True):
                with self.tags.inside(self.tags.add("LI")):
                    self.bullet, self.label = bullet, self.tags.add("Lbl")
                    with self.tags.inside(self.tags.add("LBody")):
                        out.extend(self.visit(item))
        return out

    def visit_BulletList(self, node: m.BulletList) -> list:
        return self._list(node, ["•" if self.env.list_depth % 2 == 0 else "–"] * len(node.items))

    def visit_OrderedList(self, node: m.OrderedList) -> list:
        return self._list(node, [f"{node.start + i}." for i in range(len(node.items))])

    def visit_ListItem(self, node: m.ListItem) -> list:
        if len(node.children) == 1 and isinstance(node.children[0], m.Paragraph):
            self.holder = self.tags.parents[-1]  # the item's LBody
        return self._blocks(node.children)

    def visit_BlockQuote(self, node: m.BlockQuote) -> list:
        with self.scoped(para_style=self.styles["note_quote" if self.env.in_note else "quote"]), \
                self.tags.inside(self.tags.add("BlockQuote")):
            return self._blocks(node.children)

    def visit_ThematicBreak(self, node: m.ThematicBreak) -> list:
        return [Rule(width="100%", thickness=0.5, color=_hex(self.layout.colours.rule),
                     spaceBefore=4, spaceAfter=4)]

    def visit_Table(self, node: m.Table) -> list:
        s = self.styles
        caption = []
        with self.tags.inside(self.tags.add("Table")):
            if node.caption:
                since = len(self.marks)
                self.holder = self.tags.add("Caption")
                p = self._paragraph("P", lambda: self._inlines(node.caption), self.styles["caption"])
                caption = [self._noted(p, since)]
            # its place in the list before its cells' notes, whose tables come after it in the DOCX's order
            widths = self._widths(node)
            self.table_widths.append(tuple(widths or ()))
            since = len(self.marks)
            with self.scoped(role="heading"), self.tags.inside(self.tags.add("TR")):
                rows = [[self._cell(c, s["header_cell"], "TH") for c in node.header]]
            for row in node.rows:
                with self.tags.inside(self.tags.add("TR")):
                    rows.append([self._cell(c, s["cell"]) for c in row])
        self._check_rows(rows, widths)
        table = _BriefTable(rows, repeatRows=1, hAlign="LEFT", colWidths=widths, renderCB=table_artifacts)
        if len(node.rows) <= KEEP_TABLE_ROWS and not self.env.in_note:
            table.keep_whole = (self.frame_ref, self.layout.page.text_height)
        colours = self.layout.colours
        n = MIN_TABLE_ROWS
        table.setStyle(TableStyle(([("NOSPLIT", (0, 0), (-1, n)), ("NOSPLIT", (0, -n), (-1, -1))]
                                   if len(node.rows) >= 2 * n else []) + [
            ("BACKGROUND", (0, 0), (-1, 0), _hex(colours.table_header)),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, _hex(colours.rule)),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("FONT", (0, 0), (-1, -1), self.styles["cell"].fontName, self.styles["cell"].fontSize),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ]))
        return caption + [self._noted(table, since), Spacer(1, 6)]

    def _widths(self, node: m.Table) -> list[float] | None:
        """Size columns from their content: each at least as wide as its longest word or date (so neither
        breaks), the rest of the measure shared by how much more each column's longest line would take."""
        cols = len(node.header)
        if not cols:
            return None
        measure = self.layout.page.measure
        padding = 12 + 4  # the table's left and right cell padding, and room for a note mark
        least, natural = [padding] * cols, [padding] * cols
        for row, style in [(node.header, self.styles["header_cell"])] + [(r, self.styles["cell"]) for r in node.rows]:
            for i, cell in enumerate(row[:cols]):
                text = m.plain_text(cell.children)
                width = lambda t: pdfmetrics.stringWidth(t, style.fontName, style.fontSize) + padding
                units = UNBREAKABLE.findall(text) + text.split()
                least[i] = max([least[i]] + [width(u) for u in units] + _marked_words(cell.children, style))
                natural[i] = max(natural[i], width(text), least[i])
        if sum(least) >= measure:
            return [measure * w / sum(least) for w in least]
        if sum(natural) <= measure:
            return [measure * w / sum(natural) for w in natural]
        spare = measure - sum(least)
        wants = [n - l for n, l in zip(natural, least)]
        return [l + spare * w / sum(wants) for l, w in zip(least, wants)]

    def _check_rows(self, rows: list, widths: list[float] | None) -> None:
        """Raise InputError at the brief's template if a row of a table in the body, under its repeated header
        row, is taller than the page's text block: reportlab cannot split a row, and would fail."""
        if self.env.in_note or not widths:
            return
        room = self.layout.page.text_height

        def height(row) -> float:
            return max(p.wrap(w - 12, 1e9)[1] for p, w in zip(row, widths)) + 3 + 2.5  # cell padding

        head = height(rows[0])
        for row in rows[1:]:
            if head + height(row) > room:
                text = " ".join(p.getPlainText() for p in row)
                raise InputError(Problem(self.source, 0, 0, f"a table row is taller than a page: "
                                         f"{text[:60] + '…' if len(text) > 60 else text!r}",
                                         "shorten what the row's cells print, or give it fewer columns"))

    def _cell(self, cell: m.TableCell, style: ParagraphStyle, type_: str = "TD") -> Paragraph:
        """Return the cell's paragraph, tagged as its TD (or as a TH that heads its column; a P inside it when
        notes marked in the cell follow the text)."""
        align = {"left": TA_LEFT, "right": TA_RIGHT, "center": TA_CENTER}[cell.align]
        if align != style.alignment:
            style = ParagraphStyle(style.name + cell.align, parent=style, alignment=align)
        scope = {"A": PDFDictionary({"O": PDFName("Table"), "Scope": PDFName("Column")})} if type_ == "TH" else {}
        self.holder = self.tags.add(type_, **scope)
        return self._paragraph("P", lambda: self._inlines(cell.children), style)

    def visit_TableCell(self, node: m.TableCell) -> list:
        return [self._cell(node, self.styles["cell"])]

    def _note_body(self, node: m.Note):
        """The note's blocks as one flowable, made by the body's block code in the note's styles, its anchor and
        number leading its first paragraph."""
        children = node.children or [m.Paragraph([])]
        if not isinstance(children[0], m.Paragraph):  # the number needs a paragraph to stand in
            children = [m.Paragraph([])] + children
        self.lead_in = f'<a name="fn-{node.number}"/>{node.number}.\u00a0'
        note = Element("Note", ID=f"fn-{node.number}")
        with self.scoped(role="body", para_style=self.styles["note"], list_depth=0, in_note=True), \
                self.tags.inside(note):
            if len(children) == 1:
                self.holder = note
            parts = self._blocks(children)
        self.env.marked_notes.append(note)
        return parts[0] if len(parts) == 1 else NoteBody(parts)

    # -- inlines: reportlab paragraph markup -------------------------------------------------

    def _inlines(self, nodes: list) -> str:
        return "".join((f"<super>{m.NOTE_SEPARATOR}</super>" if sep else "") + self.visit(n)
                       for n, sep in m.separated(nodes))

    def visit_Text(self, node: m.Text) -> str:
        return self.fonts.markup(node.text, self.env.role)

    def visit_Code(self, node: m.Code) -> str:
        return self.fonts.markup(node.text, self.env.role)

    def visit_Emph(self, node: m.Emph) -> str:
        return f"<i>{self._inlines(node.children)}</i>"

    def visit_Strong(self, node: m.Strong) -> str:
        return f"<b>{self._inlines(node.children)}</b>"

    def visit_Link(self, node: m.Link) -> str:
        colour = "#" + self.layout.colours.link
        label = self.tags.link(node.href, m.plain_text(node.children))
        return inline(label, f'<a href="{_xml(node.href, {chr(34): "&quot;"})}" color="{colour}">'
                             f'{self._inlines(node.children)}</a>')

    def visit_LineBreak(self, node: m.LineBreak) -> str:
        return "<br/>"

    def visit_Note(self, node: m.Note) -> str:
        if not self.env.in_note:  # the parser never nests notes
            self.marks.append(node.number)
            self.notes[node.number] = self._note_body(node)
        return note_mark(node.number)


def _nearly_empty(pages: int, fill: float) -> bool:
    """Whether a brief of `pages` whose last page is `fill` full is worth laying out again with tighter gaps."""
    return pages > 1 and fill < NEARLY_EMPTY


def _marked_words(inlines: list, style: ParagraphStyle) -> list[float]:
    """The widths a table cell needs for each word that a note mark follows, mark and cell padding included:
    the line cannot break between a word and its mark, so the column must hold both (a long source name
    with a two-digit mark would otherwise push the mark onto a line of its own)."""
    from reportlab.platypus.paraparser import sizeDelta  # reportlab's <super> is this much smaller, at most 20 %

    text, marks = "", {}
    for node in inlines:
        if isinstance(node, m.Note):
            marks[len(text)] = marks.get(len(text), "") + str(node.number)
        else:
            text += m.plain_text([node])
    mark_size = style.fontSize - min(sizeDelta, 0.2 * style.fontSize)
    return [pdfmetrics.stringWidth(word.group(), style.fontName, style.fontSize) + 12
            + pdfmetrics.stringWidth(marks[word.end()], style.fontName, mark_size)
            for word in re.finditer(r"\S+", text) if word.end() in marks]


class _BriefTable(Table):
    """A table that leaves at least two body rows on each side of a page break (NOSPLIT over its first and last
    rows, in its style) and, when it is short, moves on whole rather than split."""

    keep_whole: tuple[FrameRef, float] | None = None
    """(the frame, the height of a page's text block) for a table kept whole on a page when it fits on one:
    split only where it starts a page and is too tall for it. The parts of a split table are never kept so."""

    def split(self, availWidth, availHeight):
        if self.keep_whole is not None:
            ref, page = self.keep_whole
            height = self.wrap(availWidth, availHeight)[1]
            if height <= page and not (ref.frame is not None and ref.frame._atTop):
                return []
        return super().split(availWidth, availHeight)


class _KeepWithFirstLines(KeepTogether):
    """A heading (or a bold lead-in) kept with what follows it as a word processor keeps them: when the
    group does not fit, the heading stays if the first lines of what follows fit beside it (their notes
    included); otherwise both move on. reportlab's own KeepTogether would move the whole group, and the
    DOCX, laid out by Word or LibreOffice, would then break pages elsewhere."""

    def __init__(self, flowables, maxHeight=None):
        self.group = list(flowables)
        """The heading(s) and the flowable they keep with."""
        super().__init__(flowables, maxHeight)

    def wrap(self, aW, aH):
        """As KeepTogether's, the group's height counting the notes its marks put on the page (reportlab measures
        each flowable with unbounded room, where a `Noted` leaves its notes out): else a lead-in would be
        placed with a paragraph whose notes then push it, or its first lines, onto the next page."""
        out = super().wrap(aW, aH)
        noted = [f for f in self._content if isinstance(f, Noted) and f.frame_ref.frame is not None]
        if noted:
            frame = noted[0].frame_ref.frame
            self._H += frame.cost([n for f in noted for n in f.numbers], frame._aW)
            if noted[0] is self._content[0]:
                self._H0 += frame.cost(noted[0].numbers, frame._aW)
        return out

    def split(self, aW, aH):
        *leads, last = self.group
        used = last.getSpaceBefore()
        for f in leads:
            used += f.wrap(aW, aH)[1] + f.getSpaceAfter()
        # Only text is split so; a table (or anything else) that does not fit moves on with its caption.
        if leads and isinstance(last, (Noted, Paragraph)) and used + last.wrap(aW, aH)[1] > aH and used < aH:
            parts = last.split(aW, aH - used)
            if len(parts) >= 2:
                return leads + parts
        return super().split(aW, aH)


class _BriefDoc(BaseDocTemplate):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, keepTogetherClass=_KeepWithFirstLines, **kwargs)
        self.placed: list[tuple[int, object]] = []
        """(page, flowable) for every flowable laid out, in order."""

    def afterFlowable(self, flowable):
        self.placed.append((self.page, flowable))
        outline = getattr(getattr(flowable, "inner", flowable), "_outline", None)
        if outline is not None:
            level, text, key = outline
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(text, key, level=level, closed=False)


def _timestamp(when: _dt.datetime):
    """A reportlab TimeStamp fixed at `when` (UTC): the PDF's dates do not depend on the clock."""
    from reportlab.lib.utils import TimeStamp

    ts = TimeStamp(invariant=True)
    ts.t = when.timestamp()
    ts.lt = time.gmtime(ts.t)
    ts.YMDhms = tuple(ts.lt)[:6]
    return ts


class _CountingCanvas(TaggingCanvas):
    """A canvas that draws what needs the page count once the last page is done: each such drawing is a
    form XObject, placed on its page during layout and defined when the file is saved."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pages_shown = 0
        """Pages finished so far."""
        self.deferred: list[tuple[str, object]] = []
        """(form name, draw(canvas, pages)) for each drawing that waits for the page count."""
        self.setNamedCB("note_mark", self.note_mark)
        self.setNamedCB("note_mark_end", self.note_mark_end)

    def note_mark(self, canv, kind: str, label: str) -> None:
        """Called by reportlab where a note's mark is drawn (the <onDraw> that `note_mark()` writes): the mark is
        tagged as a Reference holding a Link to its note."""
        if self.tags is not None:
            self.tags.inline_opens(self, f"Note:{label}")

    def note_mark_end(self, canv, kind: str, label: str) -> None:
        """Called by reportlab where a note's mark ends."""
        if self.tags is not None:
            self.tags.inline_closes(self, f"Note:{label}")

    def later(self, name: str, draw) -> None:
        """Place form `name` here; `draw(canvas, pages)` fills it in when the page count is known."""
        self.doForm(name)
        self.deferred.append((name, draw))

    def showPage(self):
        super().showPage()
        self.pages_shown += 1

    held = True
    """reportlab saves the canvas as the document's build ends; it waits for `save_now` instead, which is called
    only for the layout the writer keeps."""

    def save(self):
        if not self.held:
            self._write_file()

    def save_now(self) -> None:
        """Finish the file: what reportlab's `save` at the end of the build would have done."""
        self.held = False
        self.save()

    def _write_file(self):
        if len(self._code):
            self.showPage()
        for name, draw in self.deferred:
            self.beginForm(name)
            draw(self, self.pages_shown)
            self.endForm()
        super().save()


class _LayoutCanvas(_CountingCanvas):
    """A canvas for laying a brief out to learn where its pages break: paragraphs draw nothing on it
    (`MeasuredParagraph.drawOn`), page furniture and notes are not drawn, and nothing is saved."""

    lays_out_only = True

    def save(self):
        pass


@dataclass
class _Laid:
    """A brief laid out: its pages, and its file written only when `save` is called (a layout the fit does not
    keep is never saved)."""

    pages: int
    """How many pages."""
    page_of_note: dict[int, int]
    """The page each note starts on."""
    fill: float
    """How full the last page is, as a share of the frame."""
    tables: tuple[tuple[float, ...], ...]
    """Each table's column widths."""
    save: Callable[[], tuple[bytes, bool]]
    """Write the file; return its bytes (empty for a layout that drew nothing) and whether it claims PDF/UA-1."""


NEARLY_EMPTY = 0.15
"""A last page whose content takes less than this share of the frame is nearly empty."""
FULL = 0.9
"""A last page whose content takes more than this share of the frame is full."""
TIGHT_GAPS = 0.5
"""The space above and below paragraphs, as a share of the house style's, when a brief is fitted."""


class PdfWriter:
    """Turns a document model into PDF bytes: fonts, page templates, furniture, notes, metadata."""

    def __init__(self, layout: Layout | Style, tagged: bool = True):
        self.layout = layout = resolve(layout)
        """The house style's layout values."""
        self.tagged = tagged
        """Write a tagged PDF (structure tree, artifacts, XMP); False only to measure what tagging costs."""
        self.claims_ua = False
        """After render(): the file claims PDF/UA-1 in its XMP metadata."""
        self.fonts = Fonts(layout)
        self.page_of_note: dict[int, int] = {}
        """After render(): the page each note starts on."""
        self.pages = 0
        """After render(): the number of pages."""
        self.fit = HOUSE
        """After render(): the fit the brief was laid out with (tighter gaps when fitted)."""
        self._styles: dict[float, dict[str, ParagraphStyle]] = {}
        self.styles = self.styles_for(HOUSE)
        """The paragraph styles at the house style's spacing."""

    def styles_for(self, fit: Fit) -> dict[str, ParagraphStyle]:
        """The paragraph styles of a brief laid out with `fit` (its gaps)."""
        if fit.gaps not in self._styles:
            self._styles[fit.gaps] = paragraph_styles(self.layout.fitted(fit), self.fonts.names)
        return self._styles[fit.gaps]

    def render(self, doc: m.Document, timestamp: _dt.datetime, fit: Fit | None = None,
               two_pass: bool = False) -> bytes:
        """Return the PDF's bytes; the same model, timestamp and fit always give the same bytes.

        Laid out once with `fit` when it is given (`render.fit`, or the `fit` of an earlier render of the same
        brief). Without it, the brief is fitted here: one whose last page would hold only a few lines is laid
        out again with tighter gaps between paragraphs, and kept so if that saves the page; `self.fit` says
        which. Each footer that prints the page count is a form drawn when the file is saved. `two_pass` lays
        the chosen layout out once more with the page count known from the start: a reference for tests."""
        if fit is None:
            chosen, laid = self._fitted(doc, timestamp, draw=True)
        else:
            chosen, laid = fit, self._layout(doc, timestamp, None, self.styles_for(fit))
        if two_pass:
            laid = self._layout(doc, timestamp, laid.pages, self.styles_for(chosen))
        data, claims = laid.save()
        self.pages, self.page_of_note, self.claims_ua = laid.pages, laid.page_of_note, claims
        self.fit = dataclasses.replace(chosen, tables=laid.tables)
        return data

    def find_fit(self, doc: m.Document) -> Fit:
        """Return the fit `render` chooses for `doc` when not told one, learnt by laying the brief out without
        drawing, tagging or writing it (a fraction of the time of rendering it)."""
        when = _dt.datetime(2000, 1, 1, tzinfo=_dt.timezone.utc)  # no file is written: any time will do
        chosen, laid = self._fitted(doc, when, draw=False)
        return dataclasses.replace(chosen, tables=laid.tables)

    def guess_fit(self, doc: m.Document) -> Fit:
        """Return the house style's fit with `doc`'s tables' column widths, which depend on the text and the
        fonts only: the fit most briefs take (`find_fit` would lay the pages out to be sure), found for a fraction
        of that, by making the flowables without laying them out."""
        translator = PdfTranslator(self.styles_for(HOUSE), self.layout, self.fonts, FrameRef())
        with MeasuredParagraph.collecting_fonts() as used:
            translator.visit(doc)
        self.fonts.load(used)
        return dataclasses.replace(HOUSE, tables=tuple(translator.table_widths))

    def _fitted(self, doc: m.Document, timestamp: _dt.datetime, draw: bool) -> tuple[Fit, "_Laid"]:
        """Lay `doc` out with the house style's gaps and, where its last page is nearly empty or full, again with
        tighter ones; return the fit chosen and its layout (only that one is ever saved). The tighter gaps are
        kept when they save the nearly empty page, or leave room on the full one, and their own last page is
        not full: the DOCX is laid out with the same gaps by Word or LibreOffice, whose lines differ a little
        from reportlab's, and a full last page would run onto one more there."""
        laid = self._layout(doc, timestamp, None, self.styles_for(HOUSE), draw=draw)
        pages, fill = laid.pages, laid.fill
        if _nearly_empty(pages, fill) or fill > FULL:
            tight = Fit(TIGHT_GAPS)
            fitted = self._layout(doc, timestamp, None, self.styles_for(tight), draw=draw)
            if fitted.fill <= FULL and (fitted.pages < pages or fitted.pages == pages and fill > FULL):
                return tight, fitted
        return HOUSE, laid

    def _layout(self, doc: m.Document, timestamp: _dt.datetime, total: int | None, styles: dict,
                draw: bool = True) -> "_Laid":
        """Return the brief laid out (and drawn, unless not `draw`) with `styles`, its file not yet saved."""
        ref = FrameRef()
        translator = PdfTranslator(styles, self.layout, self.fonts, ref)
        page = self.layout.page
        size = (page.width, page.height)
        with MeasuredParagraph.collecting_fonts() as used:
            flowables = translator.visit(doc)
            furniture = self._furniture(doc.meta, styles["furniture"])
        self.fonts.load(used)
        frame = NoteFrame(page.margin("left"), page.margin("bottom"), page.measure, page.text_height,
                          leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body",
                          notes=translator.notes)
        ref.frame = frame
        out = io.BytesIO()
        meta = doc.meta
        document = _BriefDoc(out, pagesize=size, title=meta.title, author=meta.author, subject=meta.subject,
                             keywords=list(meta.keywords), creator="briefing", lang=meta.language, invariant=1,
                             leftMargin=page.margin("left"), rightMargin=page.margin("right"),
                             topMargin=page.margin("top"), bottomMargin=page.margin("bottom"),
                             initialFontName=self.fonts.names["body"], initialFontSize=self.layout.sizes["body"])

        def on_page_end(canv, _doc):
            if draw:
                frame.draw_notes(canv)
                furniture(canv, canv.getPageNumber(), total)

        document.addPageTemplates([PageTemplate(id="page", frames=[frame], onPageEnd=on_page_end)])
        stamp = _timestamp(timestamp)

        canvases = []

        def make_canvas(*args, **kwargs):
            c = (_CountingCanvas if draw else _LayoutCanvas)(*args, **kwargs)
            c._doc._timeStamp = stamp
            c.showOutline()
            if self.tagged and draw:
                c.tags, c.meta, c.when = translator.tags, meta, timestamp
            canvases.append(c)
            return c

        document.build(flowables, canvasmaker=make_canvas)
        canvas = canvases[-1]

        def save() -> tuple[bytes, bool]:
            canvas.save_now()
            return out.getvalue(), bool(canvas.claims_ua)

        return _Laid(document.page, dict(frame.page_of_note), self._fill(document, frame, translator),
                     tuple(translator.table_widths), save)

    @staticmethod
    def _fill(document: "_BriefDoc", frame: NoteFrame, translator: PdfTranslator) -> float:
        """The share of the last page's frame that its flowables and notes take."""
        from reportlab.platypus.doctemplate import ActionFlowable

        last, width, height = document.page, document.width, document.height
        used = 0.0
        for page, f in document.placed:
            if page == last and not isinstance(f, ActionFlowable):
                used += f.wrap(width, height)[1] + f.getSpaceBefore() + f.getSpaceAfter()
        for number, page in frame.page_of_note.items():
            if page == last:
                used += translator.notes[number].wrap(width, height)[1]
        return used / height

    def _furniture(self, meta: m.Meta, style: ParagraphStyle):
        """Return draw(canvas, page, pages) for the running header and footer. Their text goes through the body's
        text path (fallback fonts for characters the house font lacks, shaping), so a Chinese or Urdu title
        shows in the header too; a footer that prints the page count is drawn when the count is known."""
        page, colours = self.layout.page, self.layout.colours
        left, width, height = page.margin("left"), page.measure, page.height
        header, footer = meta.header, meta.footer
        header_style = ParagraphStyle("Running Header", parent=style, textColor=_hex(colours.handling))
        footer_style = ParagraphStyle("Running Footer", parent=style, alignment=TA_CENTER)

        def line(text: str, para_style: ParagraphStyle) -> Paragraph:
            return Paragraph(self.fonts.markup(text, "heading"), para_style)

        def put(canv, p: Paragraph, baseline: float) -> None:
            _, high = p.wrap(width, height)
            p.drawOn(canv, left, baseline - (high - p.style.fontSize))

        heading = line(header, header_style)
        line(footer.replace("{page}", "0").replace("{pages}", "0"), footer_style)  # names the fonts it needs

        def draw(canv, number: int, pages: int | None) -> None:
            canv.saveState()
            if number > 1 or not page.different_first_page:
                with artifact(canv, "<</Type /Pagination /Subtype /Header>>"):
                    put(canv, heading, height - page.margin("top") + 14)
                    canv.setStrokeColor(_hex(colours.rule))
                    canv.setLineWidth(0.4)
                    canv.line(left, height - page.margin("top") + 10, page.width - page.margin("right"),
                              height - page.margin("top") + 10)
            if pages is None and "{pages}" in footer:
                with artifact(canv, "<</Type /Pagination /Subtype /Footer>>"):
                    canv.later(f"footer{number}", lambda c, total: draw_footer(c, number, total))
            else:
                draw_footer(canv, number, pages)
            canv.restoreState()

        def draw_footer(canv, number: int, pages: int | None) -> None:
            # also drawn into a form once the page count is known: marked as an artifact inside the form too
            with artifact(canv, "<</Type /Pagination /Subtype /Footer>>"):
                put(canv, line(footer.replace("{page}", str(number)).replace("{pages}", str(pages)), footer_style),
                    page.margin("bottom") - 18)

        return draw
