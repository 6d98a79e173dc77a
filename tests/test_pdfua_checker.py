"""The PDF/UA-1 checker itself (tests/uacheck.py): a hand-built tagged brief passes, and each way of breaking it
fails with the Matterhorn condition (or PDF/UA or PDF clause) it breaks, and with that one only."""

from __future__ import annotations

import io
import os

import pikepdf
import pytest

import uacheck as pdfua  # the project's own checker (tests/uacheck.py), not the PyPI package

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,:;'()-–•·ЖжФ"
XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">{title}{part}</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"""
TITLE = '<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Trade outlook</rdf:li></rdf:Alt></dc:title>'
PART = "<pdfuaid:part>1</pdfuaid:part>"


def _font() -> tuple[bytes, object]:
    """Return (a PDF whose page uses DejaVu Sans, embedded and subset by reportlab, for CHARS; that font's
    ToUnicode as the checker reads it)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "UACheckSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("UACheckSans", FONT))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    c.setFont("UACheckSans", 10)
    c.drawString(10, 10, CHARS)
    c.save()
    return buf.getvalue()


class Brief:
    """A one-page tagged brief built by hand, its content stream, structure tree and ParentTree kept in step:
    a running header and footer (the footer a form XObject) as artifacts, H1, P with a Link, H2, a list,
    a table with header cells, a figure, and two notes."""

    def __init__(self):
        from pikepdf import Array, Dictionary, Name

        self.pdf = pikepdf.new()
        source = pikepdf.open(io.BytesIO(_font()))
        font = next(f for f in source.pages[0].Resources.Font.values() if "DejaVuSans" in str(f.BaseFont))
        self.raw_to_unicode = font.ToUnicode.read_bytes()
        to_unicode = pdfua._ToUnicode(font.ToUnicode)
        self.code = {text: code for code, text in to_unicode.map.items() if text.strip("\x00")}
        self.pdf.add_blank_page(page_size=(595, 842))
        self.page = self.pdf.pages[0].obj
        self.font = self.pdf.copy_foreign(font)
        self.font.ToUnicode = self.pdf.make_stream(self.to_unicode({c: t for t, c in self.code.items()}))
        image = self.pdf.make_stream(b"\x80", Type=Name.XObject, Subtype=Name.Image, Width=1, Height=1,
                                     ColorSpace=Name.DeviceGray, BitsPerComponent=8)
        self.ops: list[str] = []
        self.y = 800
        self.mcids: list = []  # the page's ParentTree array: MCID -> element
        self.struct_parents: list = [None]  # ParentTree keys: 0 is the page, then one per annotation
        self.root = self.pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot, K=Array()))
        footer = self.pdf.make_stream(b"BT /F1 8 Tf 72 30 Td " + self.hex("Page 1") + b" Tj ET",
                                      Type=Name.XObject, Subtype=Name.Form, BBox=[0, 0, 595, 842],
                                      Resources=Dictionary(Font=Dictionary(F1=self.font)))
        self.page.Resources = Dictionary(Font=Dictionary(F1=self.font), XObject=Dictionary(Im1=image, Fm1=footer))
        self.page.Annots = Array()

        doc = self.element("Document", self.root)
        self.artifact("Trade outlook · Restricted")
        self.text(self.element("H1", doc), "Trade outlook")
        p = self.element("P", doc)
        self.text(p, "Trade grew in 2024, see ")
        self.link(p, "the report", "https://example.org/report")
        self.text(self.element("Span", p, Lang="ru"), "Жж", lang="ru")
        ref = self.element("Reference", p)
        self.text(ref, "1")
        self.element("H2", doc)
        self.text(doc.K[-1], "Where reports differ")
        lst = self.element("L", doc)
        for item in ("Imports rose", "Exports fell"):
            li = self.element("LI", lst)
            self.text(self.element("Lbl", li), "•")
            self.text(self.element("LBody", li), item)
        table = self.element("Table", doc)
        head = self.element("TR", table)
        scope = Dictionary(O=Name.Table, Scope=Name.Column)
        for cell in ("Figure", "Value"):
            self.text(self.element("TH", head, A=scope), cell)
        row = self.element("TR", table)
        for cell in ("Trade", "50 million"):
            self.text(self.element("TD", row), cell)
        figure = self.element("Figure", doc, Alt="The house logo")
        self.mark(figure, "q 20 0 0 20 72 {y} cm /Im1 Do Q")
        for n in (1, 2):
            note = self.element("Note", doc, ID=pikepdf.String(f"note-{n}"))
            self.text(note, f"{n}. A source, 2024.")
        self.ops.append("/Artifact <</Type /Pagination /Subtype /Footer>> BDC /Fm1 Do EMC")
        self.ops.append("/Artifact BMC 0.5 w 72 60 m 523 60 l S EMC")

    def hex(self, text: str) -> bytes:
        return b"<" + b"".join(self.code[ch] for ch in text).hex().encode() + b">"

    @staticmethod
    def to_unicode(mapping: dict) -> bytes:
        lines = [f"<{code.hex()}> <{text.encode('utf-16-be').hex()}>" for code, text in sorted(mapping.items())]
        return ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /UACheck def /CMapType 2 def\n"
                "1 begincodespacerange <00> <ff> endcodespacerange\n"
                f"{len(lines)} beginbfchar\n" + "\n".join(lines) + "\nendbfchar endcmap CMapName currentdict "
                "/CMap defineresource pop end end").encode()

    def element(self, kind: str, parent, **entries):
        from pikepdf import Array, Dictionary, Name

        el = self.pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name("/" + kind), P=parent, K=Array(),
                                               **entries))
        parent.K.append(el)
        return el

    def mark(self, element, drawing: str, lang: str | None = None) -> None:
        """Draw content as marked content with the next MCID, owned by `element`."""
        mcid = len(self.mcids)
        self.mcids.append(element)
        element.K.append(mcid)
        element.Pg = self.page
        lang_entry = f" /Lang ({lang})" if lang else ""
        self.ops.append(f"/{str(element.S)[1:]} <</MCID {mcid}{lang_entry}>> BDC {drawing.format(y=self.y)} EMC")
        self.y -= 16

    def text(self, element, text: str, lang: str | None = None) -> None:
        self.mark(element, f"BT /F1 10 Tf 72 {{y}} Td {self.hex(text).decode()} Tj ET", lang)

    def artifact(self, text: str) -> None:
        self.ops.append(f"/Artifact <</Type /Pagination /Subtype /Header>> BDC BT /F1 8 Tf 72 820 Td "
                        f"{self.hex(text).decode()} Tj ET EMC")

    def link(self, parent, text: str, uri: str) -> None:
        from pikepdf import Dictionary, Name

        link = self.element("Link", parent)
        self.text(link, text)
        annot = self.pdf.make_indirect(Dictionary(
            Type=Name.Annot, Subtype=Name.Link, Rect=[72, self.y + 14, 200, self.y + 28], Border=[0, 0, 0],
            A=Dictionary(S=Name.URI, URI=pikepdf.String(uri)), Contents=pikepdf.String(f"Link: {text}"),
            StructParent=len(self.struct_parents)))
        self.struct_parents.append(link)
        link.K.append(Dictionary(Type=Name.OBJR, Obj=annot, Pg=self.page))
        self.page.Annots.append(annot)

    def finish(self):
        """Return the finished pikepdf document: content, ParentTree and the catalog's PDF/UA entries."""
        from pikepdf import Array, Dictionary, Name

        self.page.Contents = self.pdf.make_stream("\n".join(self.ops).encode())
        self.page.StructParents = 0
        self.page.Tabs = Name.S
        nums = Array([0, Array(self.mcids)])
        for key, element in enumerate(self.struct_parents[1:], 1):
            nums.extend([key, element])
        self.root.ParentTree = self.pdf.make_indirect(Dictionary(Nums=nums))
        self.root.ParentTreeNextKey = len(self.struct_parents)
        cat = self.pdf.Root
        cat.StructTreeRoot = self.root
        cat.MarkInfo = Dictionary(Marked=True)
        cat.Lang = pikepdf.String("en-GB")
        cat.ViewerPreferences = Dictionary(DisplayDocTitle=True)
        self.xmp(TITLE, PART)
        return self.pdf

    def xmp(self, title: str, part: str) -> None:
        from pikepdf import Name

        self.pdf.Root.Metadata = self.pdf.make_stream(XMP.format(title=title, part=part).encode(),
                                                      Type=Name.Metadata, Subtype=Name.XML)


def _check(pdf, tmp_path) -> list[str]:
    path = os.path.join(tmp_path, "brief.pdf")
    pdf.save(path)
    return pdfua.problems(path)


def _elements(pdf, kind: str) -> list:
    """The structure elements of a type, in document order."""
    out = []

    def walk(node):
        if isinstance(node, pikepdf.Dictionary) and "/S" in node:
            if str(node.S) == "/" + kind:
                out.append(node)
            for kid in (node.K if isinstance(node.K, pikepdf.Array) else [node.K]):
                walk(kid)

    for kid in pdf.Root.StructTreeRoot.K:
        walk(kid)
    return out


def _content(pdf, old: str, new: str, count: int = 1) -> None:
    page = pdf.pages[0].obj
    data = page.Contents.read_bytes().decode()
    assert old in data, old
    page.Contents = pdf.make_stream(data.replace(old, new, count).encode())


def _set(kind, key, value, index=0):
    def change(pdf):
        el = _elements(pdf, kind)[index]
        if value is None:
            del el[key]
        else:
            el[key] = value
    return change


def _retype(kind, new):
    def change(pdf):
        for el in _elements(pdf, kind):
            el.S = pikepdf.Name("/" + new)
    return change


def _font_entry(key, value):
    def change(pdf):
        font = pdf.pages[0].Resources.Font.F1
        descriptor_keys = ("/FontFile2",)
        target = font.FontDescriptor if key in descriptor_keys else font
        if value is None:
            del target[key]
        else:
            target[key] = value(pdf) if callable(value) else value
    return change


def _annot(key, value):
    def change(pdf):
        annot = pdf.pages[0].Annots[0]
        if value is None:
            del annot[key]
        else:
            annot[key] = value
    return change


def _page(key, value):
    def change(pdf):
        if value is None:
            del pdf.pages[0].obj[key]
        else:
            pdf.pages[0].obj[key] = value
    return change


def _catalog(*keys, value=None):
    def change(pdf):
        node = pdf.Root
        for key in keys[:-1]:
            node = node[key]
        if value is None:
            del node[keys[-1]]
        else:
            node[keys[-1]] = value
    return change


def _role_map(**mapping):
    def change(pdf):
        pdf.Root.StructTreeRoot.RoleMap = pikepdf.Dictionary({"/" + k: pikepdf.Name("/" + v)
                                                              for k, v in mapping.items()})
    return change


def _xmp(title, part):
    def change(pdf):
        pdf.Root.Metadata = pdf.make_stream(XMP.format(title=title, part=part).encode())
    return change


def _text_annotation(tagged: bool):
    """Add a Text annotation: untagged but described, or tagged under an Annot element but not described."""
    def change(pdf):
        annot = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text,
                                                     Rect=[300, 700, 320, 720]))
        pdf.pages[0].Annots.append(annot)
        if not tagged:
            annot.Contents = pikepdf.String("A comment")
            return
        root = pdf.Root.StructTreeRoot
        document = root.K[0]
        element = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.StructElem, S=pikepdf.Name.Annot, P=document,
            K=pikepdf.Array([pikepdf.Dictionary(Type=pikepdf.Name.OBJR, Obj=annot, Pg=pdf.pages[0].obj)])))
        document.K.append(element)
        key = int(root.ParentTreeNextKey)
        annot.StructParent = key
        root.ParentTree.Nums.extend([key, element])
        root.ParentTreeNextKey = key + 1
    return change


def _hex(pdf, text: str) -> str:
    """The string operand that shows `text` in the brief's font."""
    mapping = pdfua._ToUnicode(pdf.pages[0].Resources.Font.F1.ToUnicode).map
    code = {t: c for c, t in mapping.items()}
    return "<" + b"".join(code[ch] for ch in text).hex() + ">"


def _line(pdf, start: str, edit) -> None:
    """Replace the content stream's line that starts with `start` by `edit(line)`."""
    page = pdf.pages[0].obj
    lines = page.Contents.read_bytes().decode().split("\n")
    i = next(i for i, line in enumerate(lines) if line.startswith(start))
    lines[i] = edit(lines[i])
    page.Contents = pdf.make_stream("\n".join(lines).encode())


def _unmap_a_used_code(pdf):
    font = pdf.pages[0].Resources.Font.F1
    mapping = {code: text for code, text in pdfua._ToUnicode(font.ToUnicode).map.items() if text != "T"}
    font.ToUnicode = pdf.make_stream(Brief.to_unicode(mapping))


def _points_at_a_missing_mcid(pdf):
    _elements(pdf, "P")[0].K.append(42)


def _swap_parent_tree_entries(pdf):
    array = pdf.Root.StructTreeRoot.ParentTree.Nums[1]
    array[0], array[1] = array[1], array[0]


def _drop_link_objr(pdf):
    link = _elements(pdf, "Link")[0]
    link.K = pikepdf.Array([k for k in link.K if not isinstance(k, pikepdf.Dictionary)])


BREAKS = {
    "MarkInfo missing": ("UA1:6.2", _catalog("/MarkInfo")),
    "Marked false": ("UA1:6.2", _catalog("/MarkInfo", "/Marked", value=False)),
    "Suspects true": ("01-007", _catalog("/MarkInfo", "/Suspects", value=True)),
    "no Lang": ("11-001", _catalog("/Lang")),
    "malformed Lang": ("11-001", _catalog("/Lang", value=pikepdf.String("en_GB"))),
    "malformed Lang on an element": ("11-001", _set("Span", "/Lang", pikepdf.String("Russian language"))),
    "no DisplayDocTitle": ("07-001", _catalog("/ViewerPreferences", "/DisplayDocTitle")),
    "DisplayDocTitle false": ("07-002", _catalog("/ViewerPreferences", "/DisplayDocTitle", value=False)),
    "no XMP": ("06-001", _catalog("/Metadata")),
    "no PDF/UA identifier": ("06-002", _xmp(TITLE, "")),
    "PDF/UA part 2": ("06-002", _xmp(TITLE, "<pdfuaid:part>2</pdfuaid:part>")),
    "no dc:title": ("06-003", _xmp("", PART)),
    "PDF/UA identifier under another prefix": (
        "06-002", _xmp(TITLE, '<ua:part xmlns:ua="http://www.aiim.org/pdfua/ns/id/">1</ua:part>')),
    "an element without P": ("UA1:7.1", _set("Figure", "/P", None)),
    "an element whose P is not its parent": (
        "PDF:14.7.2", lambda pdf: _set("Figure", "/P", _elements(pdf, "L")[0])(pdf)),
    "text outside marked content": ("01-005", lambda pdf: _content(
        pdf, "/Fm1 Do EMC", f"/Fm1 Do EMC BT /F1 9 Tf 72 40 Td {_hex(pdf, 'Loose')} Tj ET")),
    "a path outside marked content": ("01-005", lambda pdf: _line(pdf, "/Artifact BMC 0.5 w",
                                                                  lambda line: line[len("/Artifact BMC "):-4])),
    "form XObject drawn outside an artifact": (
        "01-005", lambda pdf: _content(pdf, "/Artifact <</Type /Pagination /Subtype /Footer>> BDC /Fm1 Do EMC",
                                       "/Fm1 Do")),
    "MCID that belongs to no element": ("01-005", lambda pdf: _content(pdf, "/Artifact BMC", "/P <</MCID 77>> BDC")),
    "tagged content inside an artifact": ("01-004", lambda pdf: _line(
        pdf, "/H1 ", lambda line: "/Artifact BMC " + line + " EMC")),
    "an artifact inside tagged content": ("01-003", lambda pdf: _line(
        pdf, "/H1 ", lambda line: line[:-4] + " /Artifact BMC EMC EMC")),
    "an EMC missing": ("PDF:14.6", lambda pdf: _content(pdf, "S EMC", "S")),
    "an EMC too many": ("PDF:14.6", lambda pdf: _content(pdf, "S EMC", "S EMC EMC")),
    "an element pointing at a missing MCID": ("PDF:14.7.4.2", _points_at_a_missing_mcid),
    "an MCID used twice": ("PDF:14.7.4.2", lambda pdf: _content(pdf, "<</MCID 1>>", "<</MCID 0>>")),
    "ParentTree mapping an MCID to the wrong element": ("PDF:14.7.4.4", _swap_parent_tree_entries),
    "page without StructParents": ("PDF:14.7.4.4", _page("/StructParents", None)),
    "a non-standard type not role-mapped": ("02-001", _retype("P", "Para")),
    "a role map ending on a non-standard type": ("02-001", lambda pdf: (_retype("P", "Para")(pdf),
                                                                        _role_map(Para="Paragraph")(pdf))),
    "a circular role map": ("02-003", lambda pdf: (_retype("P", "Para")(pdf),
                                                   _role_map(Para="Text", Text="Para")(pdf))),
    "a standard type remapped": ("02-004", _role_map(Figure="Span")),
    "the first heading is not H1": ("14-002", _retype("H1", "H2")),
    "a heading level skipped": ("14-003", _retype("H2", "H3")),
    "both H and H1-H6": ("14-007", _retype("H2", "H")),
    "a TH without Scope": ("15-003", _set("TH", "/A", None)),
    "a TH with a bad Scope": ("15-003", _set("TH", "/A", pikepdf.Dictionary(O=pikepdf.Name.Table,
                                                                            Scope=pikepdf.Name.Left))),
    "a table without header cells": ("15-002", _retype("TH", "TD")),
    "a table row that is not a TR": ("09-004", _retype("TR", "Div")),
    "a table cell outside a row": ("09-004", _retype("Table", "Div")),
    "a list item that is not an LI": ("09-005", _retype("LI", "Div")),
    "a list item holding a P": ("09-005", _retype("LBody", "P")),
    "a list item outside a list": ("09-005", _retype("L", "Div")),
    "a figure without alt text": ("13-004", _set("Figure", "/Alt", None)),
    "a note without ID": ("19-003", _set("Note", "/ID", None)),
    "two notes with one ID": ("19-004", _set("Note", "/ID", pikepdf.String("note-1"), index=1)),
    "a link annotation without StructParent": ("28-011", _annot("/StructParent", None)),
    "a Link element without the OBJR": ("28-011", _drop_link_objr),
    "a link annotation without Contents": ("28-012", _annot("/Contents", None)),
    "a page with annotations but no Tabs": ("28-008", _page("/Tabs", None)),
    "Tabs not S": ("28-009", _page("/Tabs", pikepdf.Name.R)),
    "an annotation outside the structure": ("28-002", _text_annotation(tagged=False)),
    "an annotation without Contents or Alt": ("28-004", _text_annotation(tagged=True)),
    "a font not embedded": ("31-009", _font_entry("/FontFile2", None)),
    "a symbolic TrueType font with an Encoding": ("31-024", _font_entry("/Encoding", pikepdf.Name.WinAnsiEncoding)),
    "a font without ToUnicode": ("31-027", _font_entry("/ToUnicode", None)),
    "a used code missing from ToUnicode": ("10-001", _unmap_a_used_code),
}


def test_a_well_tagged_brief_has_no_problems(tmp_path):
    assert _check(Brief().finish(), tmp_path) == []


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_each_break_is_named_by_its_condition(name, tmp_path):
    condition, change = BREAKS[name]
    pdf = Brief().finish()
    change(pdf)
    found = _check(pdf, tmp_path)
    assert found, name
    assert {p.split(":", 1)[0] if not p.startswith(("UA1:", "PDF:")) else ":".join(p.split(":", 2)[:2])
            for p in found} == {condition}, found


def test_unused_codes_mapped_to_u0000_pass_and_used_ones_are_named_31_028(tmp_path):
    """reportlab's subset fonts map their unused codes to U+0000; PDF/UA-1 7.21.7 forbids zero values, and veraPDF
    judges that over the glyphs the text shows, as the checker does."""
    brief = Brief()
    pdf = brief.finish()
    assert "<0000>" in brief.raw_to_unicode.decode()
    pdf.pages[0].Resources.Font.F1.ToUnicode = pdf.make_stream(brief.raw_to_unicode)
    assert _check(pdf, tmp_path) == []
    for value, condition in (("0000", "31-028"), ("feff", "31-029")):
        mapping = {code: text for code, text in pdfua._ToUnicode(pdf.pages[0].Resources.Font.F1.ToUnicode).map.items()}
        mapping[brief.code["T"]] = bytes.fromhex(value).decode("utf-16-be")
        pdf.pages[0].Resources.Font.F1.ToUnicode = pdf.make_stream(Brief.to_unicode(mapping))
        assert [p.split(":")[0] for p in _check(pdf, tmp_path)] == [condition]


def test_the_untagged_pdf_of_main_fails_the_basic_conditions(tmp_path):
    from reportlab.pdfgen import canvas

    path = os.path.join(tmp_path, "plain.pdf")
    c = canvas.Canvas(path, invariant=1)
    c.drawString(72, 720, "Plain text")
    c.linkURL("https://example.org", (72, 700, 200, 730))
    c.save()
    found = " ".join(pdfua.problems(path))
    for condition in ("UA1:6.2", "UA1:7.1", "11-001", "07-001", "06-001", "01-005", "28-011", "28-012", "28-008",
                      "31-009"):
        assert condition + ":" in found, condition


def test_each_text_has_the_language_of_its_marked_content_or_element(tmp_path):
    path = os.path.join(tmp_path, "brief.pdf")
    Brief().finish().save(path)
    pieces = pdfua.text_languages(path)
    assert ("Жж", "ru") in pieces and ("Trade outlook", "en-GB") in pieces
    assert all(text != "Page 1" for text, _ in pieces), "artifacts have no language to speak"


def test_figure_alts_reads_each_figures_alt_text(tmp_path):
    path = os.path.join(tmp_path, "brief.pdf")
    Brief().finish().save(path)
    assert pdfua.figure_alts(path) == ["The house logo"]


def test_a_language_span_inside_tagged_content_gives_its_text_that_language(tmp_path):
    pdf = Brief().finish()
    _line(pdf, "/H1 ", lambda line: line.replace("BT", "/Span <</Lang (de)>> BDC BT").replace("ET", "ET EMC"))
    assert _check(pdf, tmp_path) == []
    assert ("Trade outlook", "de") in pdfua.text_languages(os.path.join(tmp_path, "brief.pdf"))
