"""Personal copies: the brief's PDF laid out once, then a numbered stamp added per reader.

A copy is the shared PDF's bytes unchanged, followed by one incremental update (PDF 1.7, section 7.5.6):
the stamp as a form XObject (drawn by reportlab, its font subsets embedded), one short content stream
that paints it, each page dictionary again with that stream added to its contents, and a new document
information dictionary. (A revision's change note is a sheet of its own, stamped the same way: note.py.)
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
    """Makes personal copies of one PDF: reads the shared layout once, appends a stamp per copy.

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

    def _line(self, text: str, size: float):
        from reportlab.lib import colors
        from reportlab.lib.styles import ParagraphStyle

        from briefing.render.pdf_notes import MeasuredParagraph

        style = ParagraphStyle("Copy Stamp", fontName=self.fonts.names["heading"], fontSize=size, leading=size * 1.25,
                               alignment=1, textColor=colors.HexColor("#" + self.layout.colours.handling))
        return MeasuredParagraph(self.fonts.markup(text, "heading"), style)

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

    def copy(self, issue: Issue) -> bytes:
        """Return the personal copy's bytes: the stamp on every page, the issue in the document information."""
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

        form, objects = _page_objects(self.overlay(line), self.size, reserve)
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
                hashlib.md5(first + line.encode("utf-8")).digest())])
        out.write(b"trailer\n")
        trailer.write_to_stream(out)
        out.write(f"\nstartxref\n{xref}\n%%EOF\n".encode())
        return out.getvalue()


def _copy_dict(d):
    """A new dictionary with `d`'s entries as they are written (references stay references)."""
    from pypdf.generic import DictionaryObject, NameObject

    return DictionaryObject({NameObject(k): d.raw_get(k) for k in d.keys()})


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


def _page_objects(pdf: bytes, size: tuple[float, float], reserve):
    """Return the page of reportlab's one-page `pdf` as a form XObject's body, and the objects it needs (its
    fonts: dictionaries, descriptors, subsets, ToUnicode maps) renumbered from `reserve(count)`, each as the
    bytes to write between `obj` and `endobj`.

    The objects are copied as reportlab wrote them, with only their `N 0 R` references renumbered, rather
    than parsed and re-serialised: that is most of the cost of a copy otherwise. It relies on the shape of
    reportlab's output (a classic xref table; a page with `/Contents N 0 R` and `/Font N 0 R` in its
    resources; stream lengths written directly); tests/test_internals.py names it, and tests/test_distribute.py
    reads every stamp back, so a change there fails loudly."""
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
    dictionary, _, data = contents.partition(b">>")
    form = (dictionary + b" /Type /XObject /Subtype /Form /BBox [ 0 0 %s %s ] /Resources << /Font %d 0 R >> >>"
            % (_num(size[0]), _num(size[1]), numbers[font]) + data)
    return form, objects


def _num(x: float) -> bytes:
    return (f"{x:.4f}".rstrip("0").rstrip(".")).encode()
