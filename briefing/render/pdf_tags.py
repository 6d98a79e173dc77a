"""Tagged PDF for reportlab: the structure tree, marked content with MCIDs on every page, artifacts for page
furniture, and the catalog entries (StructTreeRoot, MarkInfo, XMP metadata) an accessible PDF carries.

How it works. The translator builds the structure tree while it walks the model (so the tree's order is the
document's logical order, whatever order the page is drawn in) and hangs each element on the flowable that
shows it (`flowable._tag`). When a tagged paragraph draws, the canvas opens marked content for its element
inside each text object it draws (`/P <</MCID n>> BDC ... EMC` right after BT and before ET), so a paragraph
split across pages is one element with marked content on both. Inline structure (links, note marks, runs in
another language) is marked by reportlab's <onDraw> callbacks inside the text object: the paragraph's
marked content is closed, the inline element's opened, and the paragraph's reopened after it. Everything
else that draws (rules, table backgrounds and grid lines, the running header and footer) is wrapped in
`/Artifact BMC ... EMC`. The tree and its parent tree are written when the file is saved.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import re
from xml.sax.saxutils import escape as _xml

from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFObject, PDFStream, PDFString
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus import Image, Paragraph
from reportlab.platypus.flowables import HRFlowable


OPEN, CLOSE = "tag_open", "tag_close"
"""Names of the <onDraw> callbacks that mark inline structure inside a paragraph."""

def inline(label: str, markup: str) -> str:
    """Return `markup` between the callbacks that mark it as the inline element `label` names."""
    return f'<onDraw name="{OPEN}" label="{label}"/>{markup}<onDraw name="{CLOSE}" label="{label}"/>'


class Element:
    """One structure element: its type, parent, kids (elements, marked content, annotations), attributes."""

    __slots__ = ("type", "parent", "kids", "attrs", "page")

    def __init__(self, type_: str, parent: "Element | None" = None, **attrs):
        self.type = type_
        """The standard structure type (P, H1, LI, TD, Link, Note...)."""
        self.parent = parent
        self.kids: list = []
        """Child elements, ("mcid", page, n) and ("objr", page, annotation) in reading order."""
        self.attrs = attrs
        """Extra entries: ID, Lang, Alt, A (attributes such as a header cell's scope)."""
        self.page: int | None = None
        """The page of the element's first marked content (its /Pg)."""
        if parent is not None:
            parent.kids.append(self)

    def __repr__(self):
        return f"<{self.type}>"


class StructTree:
    """The document's structure tree, built by the translator and filled with marked content by the canvas."""

    def __init__(self):
        self.root = Element("Document")
        self.parents = [self.root]
        """Stack of the elements new block elements go into."""
        self.links: list[tuple[str, str]] = []
        """(target, text) of each link, by the number its <onDraw> label carries."""
        self.actual_texts: list[str] = []
        """The logical text of each right-to-left span, by the index its label carries (Fonts keeps them)."""
        # drawing state
        self.mode: str | None = None
        """While drawing: "tag" inside a tagged paragraph, "again" inside one drawn before, "artifact" inside
        furniture, else None."""
        self.element: Element | None = None
        """The element of the paragraph being drawn."""
        self.bullet: Element | None = None
        """The Lbl element the paragraph's bullet (its first text object) is tagged as."""
        self.stack: list[Element] = []
        """The elements open inside the text object being drawn: the paragraph's, then inline ones."""
        self.open_texts: set[int] = set()
        """Text objects that hold open marked content."""
        self.carried: dict[int, list[Element]] = {}
        """Paragraph element -> the inline elements open where its part on one page ended (a link split by
        the page break), to reopen where the next part begins."""
        self.drawn: list = []
        """Paragraphs already drawn (kept, so that their ids stay theirs): one drawn again (a table's
        repeated header row) is an artifact."""
        self.drawn_ids: set[int] = set()
        self.target_link: dict[str, Element] = {}
        """Link target -> the Link element drawn last with it, for the annotation made at its line's end."""
        self.page = 0
        """Index of the page being drawn."""
        self.page_mcids: list[Element] = []
        """The element of each MCID on this page, by MCID."""
        self.page_annotations = 0
        self.pages: list = []
        """The PDFPage of each finished page."""
        self.parent_tree: dict[int, object] = {}
        """Parent tree key -> a page's list of elements by MCID, or an annotation's element."""
        self.next_key = 0
        self.problems: list[str] = []
        """What keeps the file from PDF/UA: text outside the tree, links outside Link elements, figures
        without alternative text."""

    # -- building (translator) ----------------------------------------------------------------

    def add(self, type_: str, **attrs) -> Element:
        """Return a new element, the last child of the current parent."""
        return Element(type_, self.parents[-1], **attrs)

    @contextlib.contextmanager
    def inside(self, element: Element):
        """Elements added meanwhile go into `element`."""
        self.parents.append(element)
        try:
            yield element
        finally:
            self.parents.pop()

    def adopt(self, elements: list[Element]) -> None:
        """Make `elements` (notes made apart) the next children of the current parent."""
        for el in elements:
            if el.parent is not None:
                continue  # a note marked twice follows its first mark
            el.parent = self.parents[-1]
            self.parents[-1].kids.append(el)

    def link(self, target: str, text: str) -> str:
        """Return the <onDraw> label of a new link to `target` whose text is `text`."""
        self.links.append((target, text))
        return f"Link:{len(self.links) - 1}"

    # -- drawing (canvas) ---------------------------------------------------------------------

    def _mcid(self, element: Element) -> str:
        """Allocate the next MCID on this page to `element`; return the operator that opens it."""
        n = len(self.page_mcids)
        self.page_mcids.append(element)
        element.kids.append(("mcid", self.page, n))
        if element.page is None:
            element.page = self.page
        return f"/{element.type} <</MCID {n}>> BDC"

    @contextlib.contextmanager
    def drawing(self, canv, flowable):
        """Tag the text `flowable` draws meanwhile as its element (an artifact if it was drawn before)."""
        element = getattr(flowable, "_tag", None)
        if self.mode == "artifact" or element is None:
            yield
            return
        again = id(flowable) in self.drawn_ids
        self.drawn.append(flowable)
        self.drawn_ids.add(id(flowable))
        saved = self.mode, self.element, self.bullet
        self.mode = "again" if again else "tag"
        self.element = element
        self.bullet = getattr(flowable, "_bullet_tag", None) if flowable.bulletText else None
        try:
            yield
        finally:
            self.mode, self.element, self.bullet = saved

    @contextlib.contextmanager
    def artifact(self, canv, kind: str = ""):
        """Mark what is drawn meanwhile as an artifact (page furniture), `kind` its property list."""
        canv.addLiteral(f"/Artifact {kind} BDC" if kind else "/Artifact BMC")
        saved, self.mode = self.mode, "artifact"
        try:
            yield
        finally:
            self.mode = saved
            canv.addLiteral("EMC")

    def text_begins(self, tx) -> None:
        if self.mode == "artifact":
            return
        if self.mode == "again":
            _text_literal(tx, "/Artifact BMC")
        elif self.mode == "tag":
            element, self.bullet = (self.bullet, None) if self.bullet is not None else (self.element, None)
            self.stack = [element] + self.carried.pop(id(element), [])
            _text_literal(tx, self._mcid(self.stack[-1]))
        else:
            self.problems.append(f"text outside the structure tree on page {self.page + 1}")
            return
        self.open_texts.add(id(tx))

    def text_ends(self, tx) -> None:
        if id(tx) in self.open_texts:
            self.open_texts.discard(id(tx))
            _text_literal(tx, "EMC")
            if len(self.stack) > 1:
                self.carried[id(self.stack[0])] = self.stack[1:]
            self.stack = []

    def inline_opens(self, canv, label: str) -> None:
        if self.mode != "tag" or not self.stack:
            return
        kind, _, arg = label.partition(":")
        parent = self.stack[-1]
        if kind == "Span":
            lang, _, index = arg.partition(":")
            text = {"ActualText": self.actual_texts[int(index)]} if index and self.actual_texts else {}
            element = Element("Span", parent, Lang=lang, **text)
        elif kind == "Link":
            target, text = self.links[int(arg)]
            element = Element("Link", parent, Alt=text)
            self.target_link[target] = element
        elif kind == "Note":
            element = Element("Link", Element("Reference", parent), Alt=f"Note {arg}")
            self.target_link[f"#fn-{arg}"] = element
        else:
            return
        tx = _current_text_object(canv)
        _text_literal(tx, "EMC")
        self.stack.append(element)
        _text_literal(tx, self._mcid(element))

    def inline_closes(self, canv, label: str) -> None:
        if self.mode != "tag" or len(self.stack) < 2:
            return
        tx = _current_text_object(canv)
        _text_literal(tx, "EMC")
        self.stack.pop()
        _text_literal(tx, self._mcid(self.stack[-1]))

    def annotation(self, annotation, target: str | None) -> None:
        """Tie a link annotation just made to the Link element drawn last with its target."""
        element = self.target_link.get(target or "")
        if element is None or self.mode == "artifact":
            self.problems.append(f"a link to {target} outside a Link element on page {self.page + 1}")
            return
        key = self.next_key
        self.next_key += 1
        self.parent_tree[key] = element
        element.kids.append(("objr", self.page, annotation))
        _annotation_entries(annotation, StructParent=key, Contents=element.attrs.get("Alt", ""))
        self.page_annotations += 1

    def figure(self, canv, element: Element, box: tuple[float, float, float, float]):
        """Open marked content for a figure drawn in `box` (x0, y0, x1, y1); return the closing call."""
        if not element.attrs.get("Alt"):
            self.problems.append(f"a figure without alternative text on page {self.page + 1}")
        element.attrs["A"] = PDFDictionary({"O": PDFName("Layout"), "BBox": PDFArray([round(v, 2) for v in box])})
        canv.addLiteral(self._mcid(element))

    def page_ends(self, canv) -> None:
        """Give the page just finished its parent tree entry (and /Tabs /S when it has annotations)."""
        key = self.next_key
        self.next_key += 1
        self.parent_tree[key] = list(self.page_mcids)
        page = _last_page(canv)
        extra = {"StructParents": key}
        if self.page_annotations:
            extra["Tabs"] = PDFName("S")
        _page_entries(page, **extra)
        self.pages.append(page)
        self.page += 1
        self.page_mcids, self.page_annotations = [], 0

    # -- writing ------------------------------------------------------------------------------

    def write(self, canv) -> None:
        """Put the structure tree, parent tree and ID tree into the document the canvas is saving."""
        doc = canv._doc
        self._prune(self.root)
        page_refs = [doc.Reference(p) for p in self.pages]
        objects: dict[int, _StructElem] = {}
        order: list[Element] = []
        refs: dict[str, str] = {}

        def register(el: Element):
            objects[id(el)] = obj = _StructElem(el, refs)
            obj.ref = doc.Reference(obj)
            order.append(el)
            for kid in el.kids:
                if isinstance(kid, Element):
                    register(kid)

        register(self.root)
        root = PDFDictionary({"Type": PDFName("StructTreeRoot")})
        root_ref = doc.Reference(root)
        ids = []
        for el in order:
            obj = objects[id(el)]
            obj.parent = objects[id(el.parent)].ref if el.parent is not None else root_ref
            obj.page = page_refs[el.page] if el.page is not None else None
            obj.kids = [objects[id(k)].ref if isinstance(k, Element) else
                        (k[0], page_refs[k[1]], k[2] if k[0] == "mcid" else doc.Reference(k[2])) for k in el.kids]
            if "ID" in el.attrs:
                ids.append((el.attrs["ID"], obj.ref))
        nums = []
        for key in sorted(self.parent_tree):
            value = self.parent_tree[key]
            nums += [key, PDFArray([objects[id(e)].ref for e in value]) if isinstance(value, list)
                     else objects[id(value)].ref]
        root["K"] = objects[id(self.root)].ref
        root["ParentTree"] = doc.Reference(PDFDictionary({"Nums": PDFArray(nums)}))
        root["ParentTreeNextKey"] = self.next_key
        if ids:
            names = []
            for name, ref in sorted(ids):
                names += [PDFString(name), ref]
            root["IDTree"] = doc.Reference(PDFDictionary({"Names": PDFArray(names)}))
        doc.Catalog.StructTreeRoot = root_ref
        doc.Catalog.MarkInfo = PDFDictionary({"Marked": "true"})

    def _prune(self, el: Element) -> bool:
        """Drop elements that hold no content (say, a paragraph with no text); return whether `el` holds any."""
        el.kids = [k for k in el.kids if not isinstance(k, Element) or self._prune(k)]
        return bool(el.kids) or el is self.root


class _StructElem(PDFObject):
    """A structure element dictionary, written straight to bytes: a brief has thousands of them, and formatting
    each through reportlab's generic PDFDictionary was most of what tagging cost."""

    __slots__ = ("el", "ref", "parent", "page", "kids", "refs")

    def __init__(self, el: Element, refs: dict[str, str]):
        self.el = el
        self.refs = refs
        """Each reference's text ("12 0 R") by object name, shared by the document's elements: made once."""
        self.ref = self.parent = self.page = None
        self.kids: list = []

    def format(self, document) -> bytes:
        refs = self.refs

        def ref(r) -> str:
            text = refs.get(r.name)
            if text is None:
                text = refs[r.name] = r.format(document).decode("latin-1")
            return text

        el = self.el
        out = [f"<< /Type /StructElem /S /{el.type} /P {ref(self.parent)}"]
        if self.page is not None:
            out.append(f" /Pg {ref(self.page)}")
        kids = []
        for kid in self.kids:
            if not isinstance(kid, tuple):
                kids.append(ref(kid))
            elif kid[0] == "mcid":
                _, page, n = kid
                kids.append(str(n) if page.name == getattr(self.page, "name", None)
                            else f"<< /Type /MCR /Pg {ref(page)} /MCID {n} >>")
            else:
                kids.append(f"<< /Type /OBJR /Obj {ref(kid[2])} /Pg {ref(kid[1])} >>")
        out.append(f" /K {kids[0]}" if len(kids) == 1 else f" /K [{' '.join(kids)}]")
        for key, value in el.attrs.items():
            if key == "A":
                out.append(" /A " + value.format(document).decode("latin-1"))
            elif not (key == "Alt" and el.type == "Link"):  # a link's description is its annotation's /Contents
                out.append(f" /{key} " + PDFString(value).format(document).decode("latin-1"))
        out.append(" >>")
        return "".join(out).encode("latin-1")


# -- the reportlab internals tagging relies on, each in one place -------------------------------------


def _text_literal(tx, literal: str) -> None:
    """Put an operator into a text object at the point reached. A paragraph's lines are one text object,
    and reportlab's PDFTextObject has no public call for a marked-content operator; its code list
    (`_code`) is joined between BT and ET when the object is drawn."""
    tx._code.append(literal)


def _current_text_object(canv):
    """The text object of the line being drawn when an <onDraw> callback runs: reportlab puts it in
    `canvas._curr_tx_info` for the callback's time only."""
    return canv._curr_tx_info["tx"]


def _page_entries(page, **entries) -> None:
    """Add entries to a page dictionary: reportlab's PDFPage writes only the keys in its `__NoDefault__`
    list (it has no StructParents or Tabs), so this page's copy of the list is extended."""
    page.__NoDefault__ = list(page.__NoDefault__) + [k for k in entries if k not in page.__NoDefault__]
    for key, value in entries.items():
        setattr(page, key, value)


def _last_page(canv):
    """The PDFPage the canvas's last showPage added to its document."""
    return canv._doc.Pages.pages[-1]


def _annotation_entries(annotation, **entries) -> None:
    """Add entries to a link annotation: linkURL makes a PDFDictionary, linkRect a LinkAnnotation, which
    writes only the keys in its `permitted` list and keeps extra ones in `otherkw`."""
    if isinstance(annotation, PDFDictionary):
        for key, value in entries.items():
            annotation[key] = PDFString(value) if isinstance(value, str) else value
        return
    annotation.permitted = tuple(annotation.permitted) + tuple(k for k in entries if k not in annotation.permitted)
    for key, value in entries.items():
        if key == "Contents":
            annotation.Contents = value
        else:
            annotation.otherkw[key] = value


class _SpacedText(PDFTextObject):
    """A text object that ends each line of a paragraph with a space, so that text read from the structure
    tree (a screen reader, `pdfinfo -struct-text`) keeps the word break a line break stands for.

    reportlab's paragraphs end each line with `_textOut(last word, TStar=1)`, the private call that shows
    text and moves to the next line; a space is shown after the word there (invisible at a line's end)."""

    def _textOut(self, text, TStar=0):
        if TStar and not (text[-1:].isspace() or _NO_SPACE.match(text[-1:])):
            text += " "
        super()._textOut(text, TStar)


_NO_SPACE = re.compile("[\u3000-\u9fff\uff00-\uffef]")
"""Characters between which a line breaks without a word space (Chinese)."""


# -- the canvas and flowables that tag ---------------------------------------------------------------


class TaggingCanvas(rl_canvas.Canvas):
    """A canvas that marks the content it draws for the structure tree `tags` (None: an untagged PDF)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tags: StructTree | None = None
        """The structure tree the content is marked for; None: an untagged PDF."""
        self.meta = None
        """The document's metadata (title, author, subject, language), for the XMP packet."""
        self.when: _dt.datetime | None = None
        """The build's time stamp, for the XMP dates."""
        self.claims_ua: bool | None = None
        """After save: whether the file claims PDF/UA-1."""
        self._link_target: str | None = None
        self.setNamedCB(OPEN, self._inline_opens)
        self.setNamedCB(CLOSE, self._inline_closes)

    def _inline_opens(self, canv, kind, label):
        if self.tags is not None:
            self.tags.inline_opens(self, label)

    def _inline_closes(self, canv, kind, label):
        if self.tags is not None:
            self.tags.inline_closes(self, label)

    def beginText(self, x=0, y=0, direction=None):
        if self.tags is None:
            return super().beginText(x, y, direction)
        tx = _SpacedText(self, x, y, direction=direction)
        self.tags.text_begins(tx)
        return tx

    def drawText(self, aTextObject):
        if self.tags is not None:
            self.tags.text_ends(aTextObject)
        super().drawText(aTextObject)

    def linkURL(self, url, rect, *args, **kwargs):
        self._link_target = url
        try:
            return super().linkURL(url, rect, *args, **kwargs)
        finally:
            self._link_target = None

    def linkRect(self, contents, destinationname, *args, **kwargs):
        self._link_target = "#" + destinationname
        try:
            return super().linkRect(contents, destinationname, *args, **kwargs)
        finally:
            self._link_target = None

    def _addAnnotation(self, annotation, name=None, addtopage=1):
        # reportlab's one funnel for annotations (linkURL and linkRect both end here): the only place the
        # annotation object is in reach before it is written, to give it a /StructParent.
        if self.tags is not None and self._link_target is not None:
            self.tags.annotation(annotation, self._link_target)
        return super()._addAnnotation(annotation, name, addtopage)

    def showPage(self):
        super().showPage()
        if self.tags is not None:
            self.tags.page_ends(self)

    def save(self):
        if self.tags is not None:
            if len(self._code):
                self.showPage()
            self.claims_ua = finish(self, self.meta, self.when)
        super().save()

    @contextlib.contextmanager
    def artifact(self, kind: str = ""):
        """Mark what is drawn meanwhile as page furniture (nothing when untagged)."""
        if self.tags is None:
            yield
        else:
            with self.tags.artifact(self, kind):
                yield


def artifact(canv, kind: str = ""):
    """Mark what `canv` draws meanwhile as an artifact, if it tags; else do nothing."""
    return canv.artifact(kind) if isinstance(canv, TaggingCanvas) else contextlib.nullcontext()


class TaggedParagraph(Paragraph):
    """A paragraph whose text is marked as its structure element (`_tag`), its bullet as a label."""

    _tag: Element | None = None
    _bullet_tag: Element | None = None

    def split(self, availWidth, availHeight):
        parts = super().split(availWidth, availHeight)
        for part in parts:
            if part is not self:
                part._tag = self._tag
                part._bullet_tag = self._bullet_tag if part.bulletText else None
        return parts

    def drawOn(self, canvas, x, y, _sW=0):
        tags = getattr(canvas, "tags", None)
        if tags is None:
            return super().drawOn(canvas, x, y, _sW)
        with tags.drawing(canvas, self):
            return super().drawOn(canvas, x, y, _sW)


class Rule(HRFlowable):
    """A horizontal rule drawn as an artifact."""

    def draw(self):
        with artifact(self.canv, "<</Type /Layout>>"):
            super().draw()


class Figure(Image):
    """An image tagged as a Figure with alternative text (`_tag`)."""

    _tag: Element | None = None

    def drawOn(self, canvas, x, y, _sW=0):
        tags = getattr(canvas, "tags", None)
        if tags is None or self._tag is None:
            return super().drawOn(canvas, x, y, _sW)
        w, h = self.drawWidth, self.drawHeight
        tags.figure(canvas, self._tag, (x, y, x + w, y + h))
        super().drawOn(canvas, x, y, _sW)
        canvas.addLiteral("EMC")


def table_artifacts(table, event, *args) -> None:
    """A Table's renderCB: its backgrounds and grid lines are artifacts (its cells tag themselves)."""
    canv = table.canv
    if not isinstance(canv, TaggingCanvas) or canv.tags is None:
        return
    if event in ("startBG", "startLines"):
        canv.addLiteral("/Artifact <</Type /Layout>> BDC")
    elif event in ("endBG", "endLines"):
        canv.addLiteral("EMC")


# -- metadata ----------------------------------------------------------------------------------------


def xmp(title: str, author: str, subject: str, language: str, producer: str, when: _dt.datetime,
        ua: bool) -> bytes:
    """Return the XMP metadata packet: title, creator, description, language, producer, dates, and the
    PDF/UA-1 identification when `ua`."""
    stamp = when.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    x = lambda s: _xml(s or "")
    ua_schema = ('\n   <rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">'
                 '\n    <pdfuaid:part>1</pdfuaid:part>\n   </rdf:Description>') if ua else ""
    text = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
   <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:format>application/pdf</dc:format>
    <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{x(title)}</rdf:li></rdf:Alt></dc:title>
    <dc:creator><rdf:Seq><rdf:li>{x(author)}</rdf:li></rdf:Seq></dc:creator>
    <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{x(subject)}</rdf:li></rdf:Alt></dc:description>
    <dc:language><rdf:Bag><rdf:li>{x(language)}</rdf:li></rdf:Bag></dc:language>
   </rdf:Description>
   <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
    <pdf:Producer>{x(producer)}</pdf:Producer>
   </rdf:Description>
   <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
    <xmp:CreateDate>{stamp}</xmp:CreateDate>
    <xmp:ModifyDate>{stamp}</xmp:ModifyDate>
    <xmp:MetadataDate>{stamp}</xmp:MetadataDate>
    <xmp:CreatorTool>briefing</xmp:CreatorTool>
   </rdf:Description>{ua_schema}
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    return text.encode("utf-8")


def finish(canv, meta, when: _dt.datetime) -> bool:
    """Write the structure tree, MarkInfo, DisplayDocTitle and the XMP packet into the document `canv` is
    saving; return whether it claims PDF/UA-1 (every requirement the renderer controls met)."""
    tags = canv.tags
    tags.write(canv)
    ua = not tags.problems and bool(meta.title) and bool(meta.language)
    doc = canv._doc
    packet = xmp(meta.title, meta.author, meta.subject, meta.language, doc.info.producer, when, ua)
    stream = PDFStream(PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}), packet, filters=[])
    doc.Catalog.Metadata = doc.Reference(stream)
    canv.setViewerPreference("DisplayDocTitle", "true")
    return ua
