"""Personal copies: the brief's PDF laid out once, then a numbered stamp added per reader.

A copy is the shared PDF's bytes unchanged, followed by one incremental update (PDF 1.7, section 7.5.6):
the stamp as a form XObject (drawn by reportlab, its font subsets embedded), one short content stream
that paints it, each page dictionary again with that stream added to its contents, and a new document
information dictionary. A revision adds a last page saying what changed, tagged into the structure tree.
Nothing is laid out or re-encoded per copy, so a copy costs a few milliseconds, and the same inputs give
the same bytes."""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass

from briefing.style import Style

_XOBJECT = "/BriefingStamp"


@dataclass(frozen=True)
class Issue:
    """What a personal copy says about itself."""

    copy: int
    """The reader's copy number of this brief; stays the same across revisions."""
    name: str
    organisation: str
    revision: int = 1
    """1 for the first copy a reader gets, 2 for the first correction, and so on."""

    def line(self) -> str:
        """Return the stamp's text, e.g. `Copy 7 — issued to Jane Doe, Ministry of Trade`."""
        text = f"Copy {self.copy} — issued to {self.name}, {self.organisation}"
        if self.revision > 1:
            text += f" · revision {self.revision}, supersedes revision {self.revision - 1}"
        return text


class Stamper:
    """Makes personal copies of one PDF: reads the shared layout once, appends a stamp per copy (and, for a
    revision, a last page saying what changed since the reader's copy).

    The stamp sits in the bottom margin, under the running footer, in the furniture size and the house
    heading font; it is set through the body text's path (pdf_fonts.Fonts: fallback fonts for characters the
    house font lacks, shaping and right-to-left order), so a name in any script some font of the style covers
    prints; `missing` names the characters none covers, for the list to refuse before anything is sent."""

    def __init__(self, pdf: bytes, style: Style):
        from pypdf import PdfReader

        if not pdf.endswith(b"\n"):
            pdf += b"\n"
        self.base = pdf
        reader = PdfReader(io.BytesIO(pdf))
        self.pages = [(page.indirect_reference.idnum, page.indirect_reference.generation, page)
                      for page in reader.pages]
        box = reader.pages[0].mediabox
        self.size = (float(box.width), float(box.height))
        trailer = reader.trailer
        self.root = trailer.raw_get("/Root")
        self.catalog = trailer["/Root"]
        self.info = trailer.get("/Info")
        self.ids = trailer.get("/ID")
        self.first_free = int(trailer["/Size"])
        self.prev = int(pdf[pdf.rindex(b"startxref") + 9:].split()[0])
        from briefing.layout import resolve

        self.layout = resolve(style)
        """The house style's layout values: sizes, margins, colours (read here and nowhere else)."""
        self.fonts = fonts_for(style)

    def missing(self, text: str) -> list[str]:
        """Return the characters of `text` that no font of the house style can set (each once, in order)."""
        return missing(self.fonts, text)

    def _line(self, text: str, size: float, role: str = "heading", colour: str = "handling", align: int = 1):
        from reportlab.lib import colors
        from reportlab.lib.styles import ParagraphStyle

        from briefing.render.pdf_notes import MeasuredParagraph

        style = ParagraphStyle("Copy Stamp", fontName=self.fonts.names[role], fontSize=size, leading=size * 1.25,
                               alignment=align, textColor=colors.HexColor("#" + getattr(self.layout.colours, colour)))
        return MeasuredParagraph(self.fonts.markup(text, role), style)

    def overlay(self, text: str) -> bytes:
        """Return a one-page PDF holding only the stamp line, for the shared layout's page size."""
        from reportlab.lib.units import mm

        from briefing.render.pdf_tags import TaggingCanvas

        out = io.BytesIO()
        c = TaggingCanvas(out, pagesize=self.size, invariant=1, pageCompression=1)
        size = self.layout.sizes["furniture"]
        margins = self.layout.page.margins_mm
        room = self.size[0] - (margins["left"] + margins["right"]) * mm
        p = self._line(text, size)
        p.wrap(10 * self.size[0], self.size[1])
        width = max(p.getActualLineWidths0() or [0])
        if width > room:  # a long name and organisation: smaller type, never past the margins
            p = self._line(text, max(size * room / width * 0.98, 3))
        _, height = p.wrap(room, self.size[1])
        bottom = margins["bottom"] * mm
        # an artifact inside the form too, as the page's paint operator marks it, so the form reads alike alone
        c.addLiteral("/Artifact <</Type /Pagination>> BDC")
        p.drawOn(c, margins["left"] * mm, max(bottom - 30, 8) - (height - p.style.fontSize))
        c.addLiteral("EMC")
        c.showPage()
        c.save()
        return out.getvalue()

    def change_page(self, title: str, lines: list[str]) -> bytes:
        """Return a one-page PDF: `title`, then one paragraph per line, each marked for the structure tree as
        /H1 (MCID 0) and /P (MCIDs 1, 2, ...). Lines that do not fit are cut, the last saying how many."""
        from reportlab.lib.units import mm

        from briefing.render.pdf_tags import TaggingCanvas

        sizes, margins = self.layout.sizes, self.layout.page.margins_mm
        left, right = margins["left"] * mm, self.size[0] - margins["right"] * mm
        top, bottom = self.size[1] - margins["top"] * mm, margins["bottom"] * mm
        width = right - left
        for keep in range(len(lines), 0, -1):
            shown = lines if keep == len(lines) else \
                lines[:keep - 1] + [f"… and {len(lines) - keep + 1} more changes; the desk can list them all."]
            paras = [self._line(title, sizes["heading1"], colour="heading", align=0)]
            paras += [self._line(line, sizes["body"], role="body", colour="text", align=0) for line in shown]
            heights = [p.wrap(width, top - bottom)[1] for p in paras]
            gap = sizes["body"] * 0.6
            if sum(heights) + gap * len(paras) <= top - bottom or keep == 1:
                break
        out = io.BytesIO()
        c = TaggingCanvas(out, pagesize=self.size, invariant=1, pageCompression=1)
        y = top
        for mcid, (p, h) in enumerate(zip(paras, heights)):
            y -= h
            c.addLiteral(f"/{'H1' if mcid == 0 else 'P'} <</MCID {mcid}>> BDC")
            p.drawOn(c, left, y)
            c.addLiteral("EMC")
            y -= gap
        c.showPage()
        c.save()
        self.change_paragraphs = len(paras)
        return out.getvalue()

    def copy(self, issue: Issue, changes: tuple[str, list[str]] | None = None) -> bytes:
        """Return the personal copy's bytes: the stamp on every page, the issue in the document information,
        and with `changes` (title, lines) a last page listing them."""
        from pypdf.generic import ArrayObject, ByteStringObject, DictionaryObject, IndirectObject, NameObject, \
            NumberObject, TextStringObject

        line = issue.line()
        out = io.BytesIO()
        out.write(self.base)
        offsets: list[tuple[int, int, int]] = []

        def write(idnum: int, generation: int, body) -> None:
            offsets.append((idnum, generation, out.tell()))
            out.write(f"{idnum} {generation} obj\n".encode())
            if isinstance(body, bytes):
                out.write(body)
            else:
                body.write_to_stream(out)
            out.write(b"\nendobj\n")

        next_free = self.first_free

        def reserve(n: int) -> int:
            nonlocal next_free
            next_free += n
            return next_free - n

        form, objects = _page_objects(self.overlay(line), self.size, reserve, as_form=True)
        for idnum, body in objects:
            write(idnum, 0, body)
        form_ref, paint_ref = (IndirectObject(reserve(1), 0, None) for _ in range(2))
        write(form_ref.idnum, 0, form)
        write(paint_ref.idnum, 0, b"<< /Length %d >>\nstream\n%s\nendstream" % (len(_PAINT), _PAINT))
        for idnum, generation, page in self.pages:
            new = _copy_dict(page)
            contents = page.raw_get("/Contents")
            listed = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
            new[NameObject("/Contents")] = ArrayObject(listed + [paint_ref])
            resources = _copy_dict(page["/Resources"])
            xobjects = resources.get("/XObject")
            xobjects = _copy_dict(xobjects.get_object()) if xobjects is not None else DictionaryObject()
            xobjects[NameObject(_XOBJECT)] = form_ref
            resources[NameObject("/XObject")] = xobjects
            new[NameObject("/Resources")] = resources
            write(idnum, generation, new)
        if changes is not None:
            for idnum, generation, body in self._last_page(changes, reserve, form_ref, paint_ref):
                write(idnum, generation, body)
        info_ref = IndirectObject(reserve(1), 0, None)
        info = _copy_dict(self.info.get_object()) if self.info else DictionaryObject()
        for key, value in (("/BriefingCopy", str(issue.copy)),
                           ("/BriefingIssuedTo", f"{issue.name}, {issue.organisation}"),
                           ("/BriefingRevision", str(issue.revision)), ("/BriefingStamp", line)):
            info[NameObject(key)] = TextStringObject(value)
        write(info_ref.idnum, 0, info)

        xref = out.tell()
        out.write(b"xref\n0 1\n0000000000 65535 f \n")  # the free-list head, as readers expect it first
        for idnum, generation, offset in sorted(offsets):
            out.write(f"{idnum} 1\n{offset:010d} {generation:05d} n \n".encode())
        trailer = DictionaryObject({NameObject("/Size"): NumberObject(next_free), NameObject("/Root"): self.root,
                                    NameObject("/Info"): info_ref, NameObject("/Prev"): NumberObject(self.prev)})
        if self.ids:
            first = getattr(self.ids[0], "original_bytes", None) or bytes(self.ids[0])
            # The first identifier names the document, the second this version of it (PDF 1.7, 14.4).
            trailer[NameObject("/ID")] = ArrayObject([ByteStringObject(first), ByteStringObject(
                hashlib.md5(first + line.encode("utf-8") + repr(changes).encode("utf-8")).digest())])
        out.write(b"trailer\n")
        trailer.write_to_stream(out)
        out.write(f"\nstartxref\n{xref}\n%%EOF\n".encode())
        return out.getvalue()

    def _last_page(self, changes: tuple[str, list[str]], reserve, form_ref, paint_ref):
        """Yield (idnum, generation, body) of the objects that add the change page at the end: its fonts and
        content, the page, the page tree again, and — in a tagged PDF — its H1 and P elements, the document
        element, the parent tree and the structure tree root again, so the page is read like the rest."""
        from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, NumberObject

        title, lines = changes
        contents, objects = _page_objects(self.change_page(title, lines), self.size, reserve, as_form=False)
        yield from ((idnum, 0, body) for idnum, body in objects)
        contents_ref, page_ref = (IndirectObject(reserve(1), 0, None) for _ in range(2))
        yield contents_ref.idnum, 0, contents.stream
        pages_ref = self.catalog.raw_get("/Pages")
        pages = pages_ref.get_object()
        resources = DictionaryObject({NameObject("/Font"): contents.font,
                                      NameObject("/XObject"): DictionaryObject({NameObject(_XOBJECT): form_ref})})
        page = DictionaryObject({NameObject("/Type"): NameObject("/Page"), NameObject("/Parent"): pages_ref,
                                 NameObject("/MediaBox"): ArrayObject([NumberObject(0), NumberObject(0),
                                                                       _number(self.size[0]), _number(self.size[1])]),
                                 NameObject("/Resources"): resources,
                                 NameObject("/Contents"): ArrayObject([contents_ref, paint_ref])})
        tree = self.catalog.get("/StructTreeRoot")
        elements: list = []
        if tree is not None:
            key = int(tree.get("/ParentTreeNextKey", 0))
            page[NameObject("/StructParents")] = NumberObject(key)
            page[NameObject("/Tabs")] = NameObject("/S")
            root_ref = self.catalog.raw_get("/StructTreeRoot")
            document_ref = tree.raw_get("/K")
            if isinstance(document_ref.get_object(), ArrayObject):  # several top elements: add beside them
                document_ref = None
            parent = document_ref or root_ref
            for mcid in range(self.change_paragraphs):
                ref = IndirectObject(reserve(1), 0, None)
                elements.append(ref)
                yield ref.idnum, 0, DictionaryObject({
                    NameObject("/Type"): NameObject("/StructElem"), NameObject("/S"): NameObject("/H1" if mcid == 0
                                                                                                  else "/P"),
                    NameObject("/P"): parent, NameObject("/Pg"): page_ref, NameObject("/K"): NumberObject(mcid)})
            holder = parent.get_object()
            kids = holder.get("/K")
            kids = list(kids) if isinstance(kids, ArrayObject) else ([holder.raw_get("/K")] if kids is not None else [])
            new_holder = _copy_dict(holder)
            new_holder[NameObject("/K")] = ArrayObject(kids + elements)
            yield parent.idnum, parent.generation, new_holder
            parent_tree_ref = tree.raw_get("/ParentTree")
            parent_tree = _copy_dict(parent_tree_ref.get_object())
            entry = [NumberObject(key), ArrayObject(elements)]
            if "/Nums" in parent_tree:
                parent_tree[NameObject("/Nums")] = ArrayObject(list(parent_tree["/Nums"]) + entry)
            else:  # a tree with kids: one more leaf
                leaf = IndirectObject(reserve(1), 0, None)
                yield leaf.idnum, 0, DictionaryObject({NameObject("/Nums"): ArrayObject(entry), NameObject("/Limits"):
                                                       ArrayObject([NumberObject(key), NumberObject(key)])})
                parent_tree[NameObject("/Kids")] = ArrayObject(list(parent_tree["/Kids"]) + [leaf])
            new_tree = _copy_dict(tree)
            new_tree[NameObject("/ParentTreeNextKey")] = NumberObject(key + 1)
            if isinstance(parent_tree_ref, IndirectObject):
                yield parent_tree_ref.idnum, parent_tree_ref.generation, parent_tree
            else:
                new_tree[NameObject("/ParentTree")] = parent_tree
            yield root_ref.idnum, root_ref.generation, new_tree
        yield page_ref.idnum, 0, page
        new_pages = _copy_dict(pages)
        new_pages[NameObject("/Kids")] = ArrayObject(list(pages.raw_get("/Kids").get_object()) + [page_ref])
        new_pages[NameObject("/Count")] = NumberObject(int(pages["/Count"]) + 1)
        yield pages_ref.idnum, pages_ref.generation, new_pages


def _copy_dict(d):
    """A new dictionary with `d`'s entries as they are written (references stay references)."""
    from pypdf.generic import DictionaryObject, NameObject

    return DictionaryObject({NameObject(k): d.raw_get(k) for k in d.keys()})


def _number(x: float):
    from pypdf.generic import FloatObject

    return FloatObject(round(x, 4))


_FONTS: dict[int, object] = {}


def fonts_for(style: Style):
    """The house style's fonts for the PDF (pdf_fonts.Fonts), made once per style."""
    from briefing.render.pdf_fonts import Fonts

    key = id(style)
    if key not in _FONTS:
        _FONTS.clear()
        _FONTS[key] = (style, Fonts(style))
    return _FONTS[key][1]


def missing(fonts, text: str) -> list[str]:
    """Return the characters of `text` that neither the heading font nor any fallback font can set."""
    out = []
    for ch in dict.fromkeys(text):
        code = ord(ch)
        if not ch.isspace() and code not in fonts.coverage["heading"] and fonts.fallback(code) is None:
            out.append(ch)
    return out


# Marked as a pagination artifact, like a running footer, so a tagged PDF's structure stays whole.
_PAINT = f"/Artifact << /Type /Pagination >> BDC q {_XOBJECT} Do Q EMC".encode()
_REF = re.compile(rb"(\d+) 0 R")


@dataclass(frozen=True)
class _Page:
    """A page of reportlab's to add as a page of its own: its content stream and its font resources."""

    stream: bytes
    """The content stream object's body, as the bytes to write between `obj` and `endobj`."""
    font: object
    """The reference to its (renumbered) font resource dictionary."""


def _page_objects(pdf: bytes, size: tuple[float, float], reserve, as_form: bool):
    """Return the page of reportlab's one-page `pdf` — as a form XObject's body (`as_form`) or as a _Page — and
    the objects it needs (its fonts: dictionaries, descriptors, subsets, ToUnicode maps) renumbered from
    `reserve(count)`, each as the bytes to write between `obj` and `endobj`.

    The objects are copied as reportlab wrote them, with only their `N 0 R` references renumbered, rather
    than parsed and re-serialised: that is most of the cost of a copy otherwise. It relies on the shape of
    reportlab's output (a classic xref table; a page with `/Contents N 0 R` and `/Font N 0 R` in its
    resources; stream lengths written directly); tests/test_internals.py names it, and tests/test_distribute.py
    reads every stamp back, so a change there fails loudly."""
    from pypdf.generic import IndirectObject

    start = int(pdf[pdf.rindex(b"startxref") + 9:].split()[0])
    head = pdf[start:].split(b"\n", 2)
    count = int(head[1].split()[1])
    table = head[2]
    bodies: dict[int, bytes] = {}
    for number in range(1, count):
        offset = int(table[number * 20:number * 20 + 10])
        end = pdf.index(b"endobj", offset)
        body = pdf[pdf.index(b"obj", offset) + 3:end].strip(b"\r\n")
        if b"stream" in body:  # the stream's data may hold anything, so take exactly /Length bytes of it
            length = int(re.search(rb"/Length (\d+)", body).group(1))
            at = body.index(b"stream") + len(b"stream")
            at += 2 if body[at:at + 2] == b"\r\n" else 1
            end = pdf.index(body[:at], offset) + at + length
            body = pdf[pdf.index(b"obj", offset) + 3:end].strip(b"\r\n") + b"\nendstream"
        bodies[number] = body
    page = next(b for b in bodies.values() if re.search(rb"/Type /Page\b(?!s)", b))
    contents = bodies[int(re.search(rb"/Contents (\d+) 0 R", page).group(1))]
    font = int(re.search(rb"/Font (\d+) 0 R", page).group(1))
    order: list[int] = []
    pending = [font]
    while pending:  # the font dictionary and everything it refers to
        n = pending.pop()
        if n not in order:
            order.append(n)
            dictionary = bodies[n].split(b"stream", 1)[0]
            pending.extend(int(m.group(1)) for m in _REF.finditer(dictionary))
    first = reserve(len(order))
    numbers = {n: first + i for i, n in enumerate(order)}

    def renumber(body: bytes) -> bytes:
        dictionary, stream, data = body.partition(b"stream")
        return _REF.sub(lambda m: b"%d 0 R" % numbers[int(m.group(1))], dictionary) + stream + data

    objects = [(numbers[n], renumber(bodies[n])) for n in order]
    if not as_form:
        return _Page(contents, IndirectObject(numbers[font], 0, None)), objects
    dictionary, _, data = contents.partition(b">>")
    form = (dictionary + b" /Type /XObject /Subtype /Form /BBox [ 0 0 %s %s ] /Resources << /Font %d 0 R >> >>"
            % (_num(size[0]), _num(size[1]), numbers[font]) + data)
    return form, objects


def _num(x: float) -> bytes:
    return (f"{x:.4f}".rstrip("0").rstrip(".")).encode()
