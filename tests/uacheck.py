"""An independent PDF/UA-1 checker for the tests: the machine-checkable failure conditions of the Matterhorn
Protocol 1.1 that apply to briefs (text, headings, lists, tables, links, notes, a logo, running header and footer),
read with pikepdf.

`problems(path)` returns one line per failure, each starting with the Matterhorn condition it breaks ("28-011: ...")
or, where the Matterhorn Protocol has no condition of its own, the clause of ISO 14289-1 (PDF/UA-1, "UA1:6.2")
or ISO 32000-1 ("PDF:14.7.4.4") that it breaks. It is written from those documents, not from the renderer, so that
it is a second opinion on the renderer's tagging.

Not checked (they need the font programs parsed or a person's judgment): glyphs missing from an embedded font
(31-011), widths that differ from the font program (31-016), cmaps inside TrueType programs (31-017, 31-018,
31-023, 31-025, 31-026), .notdef (31-030), reading order and semantic fitness (09-001 to 09-003 and every other
condition the Protocol marks as human), optional content (20), embedded files (21), XFA (25), forms (28-005,
28-010) and media (28-014, 28-015), none of which a brief has.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

STANDARD_TYPES = frozenset(
    "Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private "
    "H H1 H2 H3 H4 H5 H6 P L LI Lbl LBody Table TR TH TD THead TBody TFoot "
    "Span Quote Note Reference BibEntry Code Link Annot Ruby RB RT RP Warichu WT WP Figure Formula Form".split())
"""The standard structure types of ISO 32000-1 (14.8.4), which PDF/UA-1 builds on."""

HEADINGS = {f"H{n}": n for n in range(1, 7)}
TEXT_SHOWING = {"Tj", "TJ", "'", '"'}
PAINTING = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "BI"}
"""Operators that put something other than text on the page (paths, shadings, inline images)."""

UA_NS = "http://www.aiim.org/pdfua/ns/id/"
DC_NS = "http://purl.org/dc/elements/1.1/"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

# BCP 47 (RFC 5646) language tags, as /Lang takes them: language, script, region, variants, extensions, private use.
_LANG = re.compile(r"^(?:(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})(?:-[a-z]{4})?(?:-(?:[a-z]{2}|\d{3}))?"
                   r"(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*(?:-[a-wyz\d](?:-[a-z\d]{2,8})+)*(?:-x(?:-[a-z\d]{1,8})+)?"
                   r"|x(?:-[a-z\d]{1,8})+)$", re.IGNORECASE)


def problems(path: str) -> list[str]:
    """Return the PDF/UA-1 failures found in the PDF at `path`, each named by its Matterhorn condition."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        return _Checker(pdf).run()


def text_languages(path: str) -> list[tuple[str, str]]:
    """Return (text, language) for each text-showing operator inside tagged content, in content order: the
    language is the innermost /Lang of the marked content around it, else of its structure element or that
    element's ancestors, else the document's."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        checker = _Checker(pdf)
        checker.run()
        return checker.pieces


def figure_alts(path: str) -> list[str]:
    """Return the /Alt text of each Figure element, in document order."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        checker = _Checker(pdf)
        checker.run()
        return [_text(el.get("/Alt")) for el in checker.elements if checker.standard(el) == "Figure"]


def _name(obj) -> str | None:
    """Return a PDF name without its slash, or None for anything else."""
    import pikepdf

    return str(obj)[1:] if isinstance(obj, pikepdf.Name) else None


def _text(obj) -> str:
    """Return a PDF text string as str ('' for anything that is not a string)."""
    import pikepdf

    return str(obj) if isinstance(obj, pikepdf.String) else ""


def _items(obj) -> list:
    """Return an array's items, or the object itself as a one-item list (None gives [])."""
    import pikepdf

    if obj is None:
        return []
    return list(obj) if isinstance(obj, pikepdf.Array) else [obj]


def _key(obj) -> tuple:
    """Return an identity for a PDF object: its object number for an indirect one, else Python's id."""
    return obj.objgen if obj.is_indirect else ("direct", id(obj))


def _number_tree(node, seen=None) -> dict[int, object]:
    """Return the entries of a number tree (the ParentTree) as {key: value}."""
    out: dict[int, object] = {}
    if node is None:
        return out
    seen = seen if seen is not None else set()
    if node.is_indirect:
        if node.objgen in seen:
            return out
        seen.add(node.objgen)
    nums = node.get("/Nums")
    if nums is not None:
        for i in range(0, len(nums) - 1, 2):
            out[int(nums[i])] = nums[i + 1]
    for kid in _items(node.get("/Kids")):
        out.update(_number_tree(kid, seen))
    return out


class _ToUnicode:
    """A font's ToUnicode CMap: {code bytes: text} and the code lengths its codespace allows."""

    def __init__(self, stream):
        data = stream.read_bytes().decode("latin-1")
        self.map: dict[bytes, str] = {}
        self.lengths: set[int] = set()
        for block in re.findall(r"begincodespacerange(.*?)endcodespacerange", data, re.S):
            for lo, _hi in re.findall(r"<([0-9A-Fa-f]*)>\s*<([0-9A-Fa-f]*)>", block):
                self.lengths.add(len(lo) // 2)
        for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
            for src, dst in re.findall(r"<([0-9A-Fa-f]*)>\s*<([0-9A-Fa-f]*)>", block):
                self.map[bytes.fromhex(src)] = _utf16(dst)
        for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
            for lo, hi, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])", block):
                width, start, end = len(lo) // 2, int(lo, 16), int(hi, 16)
                if dst.startswith("["):
                    for i, d in enumerate(re.findall(r"<([0-9A-Fa-f]*)>", dst)):
                        self.map[(start + i).to_bytes(width, "big")] = _utf16(d)
                else:
                    base = bytes.fromhex(dst[1:-1])
                    for i in range(min(end - start + 1, 65536)):
                        last = int.from_bytes(base[-2:], "big") + i if len(base) >= 2 else i
                        text = base[:-2] + (last & 0xFFFF).to_bytes(2, "big") if len(base) >= 2 else base
                        self.map[(start + i).to_bytes(width, "big")] = text.decode("utf-16-be", "replace")
        self.lengths = self.lengths or {len(k) for k in self.map} or {1}


def _utf16(hexdigits: str) -> str:
    return bytes.fromhex(hexdigits).decode("utf-16-be", "replace")


class _Font:
    """What the checker needs to know of one font dictionary: how its codes split and map to Unicode."""

    def __init__(self, font):
        self.font = font
        self.subtype = _name(font.get("/Subtype"))
        self.name = _name(font.get("/BaseFont")) or "(unnamed)"
        self.to_unicode = _ToUnicode(font.ToUnicode) if "/ToUnicode" in font else None
        self.codes_shown: set[bytes] = set()

    def codes(self, data: bytes) -> list[bytes]:
        """Return the character codes in a string shown with this font."""
        if self.subtype != "Type0":
            return [data[i:i + 1] for i in range(len(data))]
        if _name(self.font.get("/Encoding")) in ("Identity-H", "Identity-V") or self.to_unicode is None:
            return [data[i:i + 2] for i in range(0, len(data), 2)]
        out, i = [], 0
        lengths = sorted(self.to_unicode.lengths)
        while i < len(data):
            n = next((n for n in lengths if data[i:i + n] in self.to_unicode.map), lengths[-1])
            out.append(data[i:i + n])
            i += n
        return out

    def decode(self, data: bytes) -> str:
        codes = self.codes(data)
        self.codes_shown.update(codes)
        if self.to_unicode is None:
            return data.decode("latin-1")
        return "".join(self.to_unicode.map.get(c, "\ufffd") for c in codes)


class _Checker:
    def __init__(self, pdf):
        self.pdf = pdf
        self.out: list[str] = []
        self.page_number = {page.obj.objgen: i for i, page in enumerate(pdf.pages, 1)}
        self.fonts: dict[tuple, _Font] = {}
        self.lang = _text(pdf.Root.get("/Lang"))
        self.role_map: dict[str, str | None] = {}
        # The structure tree: every element in document order, its parent, the content it owns.
        self.elements: list = []
        self.parent: dict[tuple, object] = {}
        self.owner: dict[tuple, object] = {}  # (page or form XObject objgen, MCID) -> element
        self.objrs: dict[tuple, list] = defaultdict(list)  # annotation objgen -> elements holding an OBJR to it
        self.parent_tree: dict[int, object] = {}
        # The content streams: the MCIDs each uses, the text each marked-content sequence shows.
        self.mcids_seen: dict[tuple, set[int]] = defaultdict(set)
        self.mc_text: dict[tuple, str] = {}
        self.pieces: list[tuple[str, str]] = []  # (text shown inside tagged content, its language)
        self.xobject_uses: Counter = Counter()
        self.xobject_has_mcid: set[tuple] = set()

    def fail(self, condition: str, message: str) -> None:
        self.out.append(f"{condition}: {message}")

    def run(self) -> list[str]:
        self.check_catalog()
        self.check_metadata()
        root = self.pdf.Root.get("/StructTreeRoot")
        if root is not None:
            self.role_map = {str(k)[1:]: _name(v) for k, v in root.get("/RoleMap", {}).items()}
            self.check_role_map()
            self.walk_structure(root)
        for number, page in enumerate(self.pdf.pages, 1):
            self.check_content(page.obj, page.obj, page.obj.get("/Resources"), f"page {number}", [])
        self.check_xobject_reuse()
        if root is not None:
            self.check_parent_tree(root)
            self.check_elements()
            self.check_headings()
        self.check_annotations()
        self.check_fonts()
        return self.out

    # -- the catalog, the metadata --------------------------------------------------------------------------

    def check_catalog(self) -> None:
        cat = self.pdf.Root
        mark_info = cat.get("/MarkInfo")
        if mark_info is None or mark_info.get("/Marked") is not True:
            self.fail("UA1:6.2", "the catalog has no /MarkInfo << /Marked true >>")
        elif mark_info.get("/Suspects") is True:
            self.fail("01-007", "/MarkInfo /Suspects is true")
        if "/StructTreeRoot" not in cat:
            self.fail("UA1:7.1", "the catalog has no /StructTreeRoot: the document is not tagged")
        lang = _text(cat.get("/Lang"))
        if not lang:
            self.fail("11-001", "the catalog has no /Lang, so the language of the text cannot be determined")
        elif not _LANG.match(lang):
            self.fail("11-001", f"the catalog's /Lang {lang!r} is not a BCP 47 language tag")
        prefs = cat.get("/ViewerPreferences")
        if prefs is None or "/DisplayDocTitle" not in prefs:
            self.fail("07-001", "/ViewerPreferences has no /DisplayDocTitle")
        elif prefs.DisplayDocTitle is not True:
            self.fail("07-002", "/ViewerPreferences /DisplayDocTitle is false")
        encrypt = self.pdf.trailer.get("/Encrypt")
        if encrypt is not None:
            if "/P" not in encrypt:
                self.fail("26-001", "the file is encrypted but its encryption dictionary has no /P")
            elif not int(encrypt.P) & (1 << 9):
                self.fail("26-002", "the file is encrypted and forbids extracting text for accessibility (/P bit 10)")

    def check_metadata(self) -> None:
        from lxml import etree

        stream = self.pdf.Root.get("/Metadata")
        if stream is None:
            self.fail("06-001", "the catalog has no XMP metadata stream")
            return
        try:
            xmp = etree.fromstring(stream.read_bytes().strip(b"\x00 \t\r\n"))
        except etree.XMLSyntaxError as e:
            self.fail("06-001", f"the XMP metadata is not well-formed XML ({e})")
            return
        titles = [li.text or "" for title in xmp.iter(f"{{{DC_NS}}}title") for li in title.iter(f"{{{RDF_NS}}}li")]
        if not any(t.strip() for t in titles):
            self.fail("06-003", "the XMP metadata has no dc:title")
        parts = [el.text for el in xmp.iter(f"{{{UA_NS}}}part")]
        parts += [d.get(f"{{{UA_NS}}}part") for d in xmp.iter(f"{{{RDF_NS}}}Description")
                  if d.get(f"{{{UA_NS}}}part") is not None]
        prefixes = {prefix for el in xmp.iter() for prefix, ns in (el.nsmap or {}).items() if ns == UA_NS}
        if not parts:
            self.fail("06-002", "the XMP metadata does not identify the file as PDF/UA (pdfuaid:part)")
        elif prefixes - {"pdfuaid"}:
            self.fail("06-002", f"the PDF/UA identification schema has the prefix {sorted(prefixes - {'pdfuaid'})}, "
                                "not pdfuaid")
        elif any((p or "").strip() != "1" for p in parts):
            self.fail("06-002", f"pdfuaid:part is {parts}, not 1")

    # -- the structure tree ---------------------------------------------------------------------------------

    def check_role_map(self) -> None:
        for name in self.role_map:
            if name in STANDARD_TYPES:
                self.fail("02-004", f"the role map remaps the standard type {name} to {self.role_map[name]}")
            seen = [name]
            target = self.role_map[name]
            while target is not None and target not in STANDARD_TYPES and target in self.role_map:
                if target in seen:
                    self.fail("02-003", f"the role map is circular: {' -> '.join(seen + [target])}")
                    break
                seen.append(target)
                target = self.role_map[target]
            else:
                if target not in STANDARD_TYPES:
                    self.fail("02-001", f"the role map takes {name} to {target}, which is not a standard type")

    def standard(self, element) -> str:
        """Return an element's standard structure type, after role mapping ('' when there is none)."""
        name = _name(element.get("/S")) or ""
        seen = set()
        while name not in STANDARD_TYPES and name in self.role_map and name not in seen:
            seen.add(name)
            name = self.role_map[name] or ""
        return name if name in STANDARD_TYPES else ""

    def walk_structure(self, root) -> None:
        seen: set[tuple] = set()

        def visit(node, parent, page) -> None:
            import pikepdf

            if isinstance(node, int) and not isinstance(node, bool):
                self.claim(parent, page, int(node), None)
                return
            if not isinstance(node, pikepdf.Dictionary):
                return
            kind = _name(node.get("/Type"))
            if kind == "MCR":
                stm = node.get("/Stm")
                self.claim(parent, node.get("/Pg", page), int(node.MCID), stm)
                return
            if kind == "OBJR":
                obj = node.get("/Obj")
                if obj is not None:
                    self.objrs[obj.objgen].append(parent)
                return
            if "/S" not in node:
                return
            key = _key(node)
            if key in seen:
                self.fail("PDF:14.7.2", f"the structure element {_name(node.S)} is reached twice in the tree")
                return
            seen.add(key)
            if not node.is_indirect:
                self.fail("PDF:14.7.2", f"the structure element {_name(node.S)} is a direct object, so the "
                                        "ParentTree cannot refer to it")
            self.elements.append(node)
            self.parent[key] = parent
            if "/P" not in node:
                self.fail("UA1:7.1", f"a {_name(node.S)} element has no /P (parent) entry")
            elif _key(node.P) != _key(parent if parent is not None else root):
                self.fail("PDF:14.7.2", f"the /P of a {_name(node.S)} element is not the element that holds it")
            if not self.standard(node) and _name(node.S) not in self.role_map:  # else check_role_map says why
                self.fail("02-001", f"the structure type {_name(node.S)} is neither standard nor role-mapped "
                                    "to a standard type")
            for kid in _items(node.get("/K")):
                visit(kid, node, node.get("/Pg", page))

        for kid in _items(root.get("/K")):
            visit(kid, None, None)

    def claim(self, element, page, mcid: int, stream) -> None:
        """Record that `element` owns marked content `mcid` on `page` (or in the form XObject `stream`)."""
        if element is None:
            self.fail("PDF:14.7.2", f"the structure tree root holds MCID {mcid} directly")
            return
        container = stream if stream is not None else page
        if container is None:
            self.fail("PDF:14.7.4.2", f"a {_name(element.S)} element holds MCID {mcid} but names no page (/Pg)")
            return
        key = (container.objgen, mcid)
        if key in self.owner:
            self.fail("PDF:14.7.4.2", f"{self.where(container)}: MCID {mcid} is claimed by two structure elements")
        self.owner[key] = element

    def where(self, container) -> str:
        n = self.page_number.get(container.objgen)
        return f"page {n}" if n else f"form XObject {container.objgen[0]}"

    def check_parent_tree(self, root) -> None:
        import pikepdf

        tree = _number_tree(root.get("/ParentTree"))
        used: dict[int, str] = {}
        containers = [(page.obj, self.where(page.obj)) for page in self.pdf.pages]
        containers += [(self.pdf.get_object(og), self.where(self.pdf.get_object(og))) for og in self.xobject_has_mcid]
        for container, where in containers:
            mcids = self.mcids_seen.get(container.objgen, set())
            owned = {mcid for og, mcid in self.owner if og == container.objgen}
            for mcid in sorted(owned - mcids):
                self.fail("PDF:14.7.4.2", f"{where}: a {_name(self.owner[container.objgen, mcid].S)} element points "
                                          f"at MCID {mcid}, which the content does not have")
            if not mcids:
                continue
            if "/StructParents" not in container:
                self.fail("PDF:14.7.4.4", f"{where} has marked content but no /StructParents")
                continue
            index = int(container.StructParents)
            if index in used:
                self.fail("PDF:14.7.4.4", f"{where} and {used[index]} share /StructParents {index}")
            used[index] = where
            array = tree.get(index)
            if not isinstance(array, pikepdf.Array):
                self.fail("PDF:14.7.4.4", f"{where}: the ParentTree has no array for /StructParents {index}")
                continue
            for mcid in sorted(mcids):
                element = self.owner.get((container.objgen, mcid))
                if element is None:
                    continue  # reported by the content walk as content outside the structure tree
                listed = array[mcid] if mcid < len(array) else None
                if listed is None or not hasattr(listed, "objgen") or listed.objgen != element.objgen:
                    self.fail("PDF:14.7.4.4", f"{where}: the ParentTree does not map MCID {mcid} to the "
                                              f"{_name(element.S)} element that holds it")
        for annot_page, annot in self.annotations():
            if "/StructParent" in annot:
                index = int(annot.StructParent)
                if index in used:
                    self.fail("PDF:14.7.4.4", f"page {annot_page}: an annotation shares /StructParent {index} "
                                              f"with {used[index]}")
                used[index] = f"an annotation on page {annot_page}"
        self.parent_tree = tree

    def check_elements(self) -> None:
        import pikepdf

        ids = Counter()
        for el in self.elements:
            kind = self.standard(el)
            kids = [k for k in _items(el.get("/K")) if isinstance(k, pikepdf.Dictionary) and "/S" in k]
            kid_types = [self.standard(k) for k in kids]
            parent = self.parent.get(_key(el))
            parent_type = self.standard(parent) if parent is not None else ""
            label = f"{_name(el.S)} element" + (f" ({self.text_of(el)[:40]!r})" if kind in ("Figure", "Note") else "")
            if kind in ("Figure", "Formula") and not (_text(el.get("/Alt")).strip()
                                                     or _text(el.get("/ActualText")).strip()):
                self.fail("13-004" if kind == "Figure" else "17-002", f"a {label} has no /Alt or /ActualText")
            if kind == "Note":
                note_id = _text(el.get("/ID")) if "/ID" in el else ""
                if not note_id:
                    self.fail("19-003", f"a {label} has no /ID")
                else:
                    ids[note_id] += 1
            if kind == "Table":
                self.check_table(el, kid_types)
            if kind in ("TR", "THead", "TBody", "TFoot") and kind != "TR" and parent_type != "Table":
                self.fail("09-004", f"{kind} is inside {parent_type or 'the root'}, not a Table")
            if kind == "TR":
                if parent_type not in ("Table", "THead", "TBody", "TFoot"):
                    self.fail("09-004", f"TR is inside {parent_type or 'the root'}, not a Table, THead, TBody or TFoot")
                if any(t not in ("TH", "TD") for t in kid_types):
                    self.fail("09-004", f"TR holds {', '.join(t for t in kid_types if t not in ('TH', 'TD'))}, "
                                        "not only TH and TD")
            if kind in ("TH", "TD") and parent_type != "TR":
                self.fail("09-004", f"{kind} is inside {parent_type or 'the root'}, not a TR")
            if kind == "L":
                body = [t for t in kid_types if t != "Caption"]
                if any(t not in ("L", "LI") for t in body) or kid_types.count("Caption") > 1 or \
                        ("Caption" in kid_types and kid_types[0] != "Caption"):
                    self.fail("09-005", f"L holds {kid_types}: only LI and L, after at most one leading Caption")
            if kind == "LI":
                if parent_type != "L":
                    self.fail("09-005", f"LI is inside {parent_type or 'the root'}, not an L")
                if any(t not in ("Lbl", "LBody") for t in kid_types):
                    self.fail("09-005", f"LI holds {kid_types}: only Lbl and LBody")
            if kind == "LBody" and parent_type != "LI":
                self.fail("09-005", f"LBody is inside {parent_type or 'the root'}, not an LI")
            if kid_types.count("H") > 1:
                self.fail("14-006", f"a {_name(el.S)} element holds more than one H")
            if "/Lang" in el and not _LANG.match(_text(el.Lang)):
                self.fail("11-001", f"a {_name(el.S)} element has /Lang {_text(el.Lang)!r}, not a BCP 47 tag")
        for note_id, n in ids.items():
            if n > 1:
                self.fail("19-004", f"{n} Note elements share the /ID {note_id!r}")

    def attributes(self, el) -> list:
        """Return the attribute dictionaries of an element: its own /A and those of its classes (/C)."""
        import pikepdf

        out = [a for a in _items(el.get("/A")) if isinstance(a, pikepdf.Dictionary)]
        class_map = self.pdf.Root.StructTreeRoot.get("/ClassMap", {})
        for c in _items(el.get("/C")):
            if isinstance(c, pikepdf.Name) and c in class_map:
                out += [a for a in _items(class_map[c]) if isinstance(a, pikepdf.Dictionary)]
        return out

    def check_table(self, table, kid_types: list[str]) -> None:
        extra = [t for t in kid_types if t not in ("TR", "THead", "TBody", "TFoot", "Caption")]
        if extra:
            self.fail("09-004", f"a Table holds {', '.join(extra)}: only TR, THead, TBody, TFoot and Caption")
        if kid_types.count("THead") > 1 or kid_types.count("TFoot") > 1:
            self.fail("09-004", "a Table holds more than one THead or TFoot")
        if ("THead" in kid_types or "TFoot" in kid_types) and "TBody" not in kid_types:
            self.fail("09-004", "a Table has a THead or TFoot but no TBody")
        cells = [el for el in self.elements if self.standard(el) in ("TH", "TD") and self.table_of(el) is table]
        heads = [c for c in cells if self.standard(c) == "TH"]
        if cells and not heads:
            self.fail("15-002", "a Table has no TH cell, so no cell's header can be determined")
        by_headers = all(any("/Headers" in a for a in self.attributes(c)) for c in cells
                         if self.standard(c) == "TD")
        if not by_headers:
            for th in heads:
                scopes = [_name(a.get("/Scope")) for a in self.attributes(th) if "/Scope" in a]
                if not scopes:
                    self.fail("15-003", f"a TH cell ({self.text_of(th)[:40]!r}) has no /Scope, and the table's "
                                        "cells do not name their headers (/Headers)")
                elif any(s not in ("Row", "Column", "Both") for s in scopes):
                    self.fail("15-003", f"a TH cell has /Scope {scopes}, not Row, Column or Both")

    def table_of(self, el):
        node = self.parent.get(_key(el))
        while node is not None and self.standard(node) != "Table":
            node = self.parent.get(_key(node))
        return node

    def check_headings(self) -> None:
        kinds = [self.standard(el) for el in self.elements]
        numbered = [HEADINGS[k] for k in kinds if k in HEADINGS]
        if numbered and "H" in kinds:
            self.fail("14-007", "the document uses both H and H1-H6")
        if numbered and numbered[0] != 1:
            self.fail("14-002", f"the first heading is H{numbered[0]}, not H1")
        for before, after in zip(numbered, numbered[1:]):
            if after > before + 1:
                self.fail("14-003", f"H{after} follows H{before}: heading level {before + 1} is skipped")

    def text_of(self, el) -> str:
        """Return the text of an element's marked content, read from the content streams (for messages)."""
        return "".join(self.mc_text.get(key, "") for key, owner in self.owner.items()
                       if _key(owner) == _key(el)).strip()

    # -- content streams ------------------------------------------------------------------------------------

    def check_content(self, container, page, resources, where: str, stack: list) -> None:
        """Walk one content stream: marked content balanced, every painting operator inside tagged content or an
        artifact, no artifact inside tagged content nor the other way round; then the form XObjects it draws."""
        import pikepdf

        try:
            is_page = container.objgen == page.objgen
            instructions = pikepdf.parse_content_stream(pikepdf.Page(container) if is_page else container)
        except pikepdf.PdfError as e:
            self.fail("PDF:7.8.2", f"{where}: the content stream cannot be parsed ({e})")
            return
        depth0 = len(stack)
        fonts = resources.get("/Font", {}) if resources is not None else {}
        font = None
        saved: list = []
        outside: Counter = Counter()
        outside_text: list[str] = []
        for ins in instructions:
            op = str(ins.operator)
            ops = ins.operands
            if op in ("BMC", "BDC"):
                tag = _name(ops[0])
                props = ops[1] if op == "BDC" and len(ops) > 1 else None
                if isinstance(props, pikepdf.Name) and resources is not None:
                    props = resources.get("/Properties", {}).get(props)
                mcid = int(props.MCID) if isinstance(props, pikepdf.Dictionary) and "/MCID" in props else None
                lang = _text(props.get("/Lang")) if isinstance(props, pikepdf.Dictionary) else ""
                mcid_owner = self.owner.get((container.objgen, mcid)) if mcid is not None else None
                if isinstance(props, pikepdf.Dictionary) and "/Lang" in props \
                        and not _LANG.match(_text(props.Lang)):
                    self.fail("11-001", f"{where}: marked content /{tag} has /Lang {_text(props.Lang)!r}, "
                                        "not a BCP 47 tag")
                if tag == "Artifact":
                    if any(kind == "mcid" for kind, _, _ in stack):
                        self.fail("01-003", f"{where}: an artifact is marked inside tagged content")
                    stack.append(("artifact", None, None))
                elif mcid is not None:
                    if any(kind == "artifact" for kind, _, _ in stack):
                        self.fail("01-004", f"{where}: tagged content (MCID {mcid}) is inside an artifact")
                    if mcid in self.mcids_seen[container.objgen]:
                        self.fail("PDF:14.7.4.2", f"{where}: MCID {mcid} is used more than once")
                    self.mcids_seen[container.objgen].add(mcid)
                    if (container.objgen, mcid) not in self.owner:
                        self.fail("01-005", f"{where}: marked content with MCID {mcid} belongs to no structure "
                                            "element")
                    stack.append(("mcid", (container.objgen, mcid), lang or self.element_lang(mcid_owner)))
                else:
                    stack.append(("other", None, lang))
            elif op == "EMC":
                if len(stack) <= depth0:
                    self.fail("PDF:14.6", f"{where}: EMC without a BMC or BDC before it")
                else:
                    stack.pop()
            elif op == "q":
                saved.append(font)
            elif op == "Q":
                font = saved.pop() if saved else font
            elif op == "Tf":
                entry = fonts.get(ops[0]) if ops else None
                font = self.font(entry) if entry is not None else None
            elif op in TEXT_SHOWING or op in PAINTING or op in ("Do", "INLINE IMAGE"):
                inside = next((item for kind, item, _ in reversed(stack) if kind in ("mcid", "artifact")), False)
                shown = ""
                if op in TEXT_SHOWING and font is not None:
                    strings = [o for o in (ops[-1] if op == "TJ" else ops[-1:]) if isinstance(o, pikepdf.String)] \
                        if ops else []
                    shown = "".join(font.decode(bytes(s)) for s in strings)
                    if inside:
                        self.mc_text[inside] = self.mc_text.get(inside, "") + shown
                        lang = next((lang for _, _, lang in reversed(stack) if lang), self.lang)
                        self.pieces.append((shown, lang))
                if op == "Do":
                    xobject = resources.get("/XObject", {}).get(ops[0]) if resources is not None else None
                    if xobject is None:
                        continue
                    if _name(xobject.get("/Subtype")) == "Form":
                        if "/Ref" in xobject:
                            self.fail("30-001", f"{where}: draws a reference XObject")
                        self.xobject_uses[xobject.objgen] += 1
                        self.check_content(xobject, page, xobject.get("/Resources", resources),
                                           f"{where}, form XObject {ops[0]}", stack)
                        continue
                if inside is False:
                    outside[op if op in TEXT_SHOWING else "image" if op in ("Do", "INLINE IMAGE") else "graphics"] += 1
                    if shown.strip() and len(outside_text) < 3:
                        outside_text.append(shown.strip()[:40])
        if len(stack) > depth0:
            self.fail("PDF:14.6", f"{where}: {len(stack) - depth0} BMC/BDC without EMC")
            del stack[depth0:]
        if outside:
            counts = ", ".join(f"{n} {op}" for op, n in sorted(outside.items()))
            sample = f" (text: {'; '.join(repr(t) for t in outside_text)})" if outside_text else ""
            self.fail("01-005", f"{where}: content is neither tagged nor an artifact: {counts}{sample}")

    def element_lang(self, element) -> str:
        """Return the /Lang an element has or inherits from its ancestors ('' when none does)."""
        while element is not None:
            if _text(element.get("/Lang")):
                return _text(element.Lang)
            element = self.parent.get(_key(element))
        return ""

    def check_xobject_reuse(self) -> None:
        for og in list(self.mcids_seen):
            if og not in self.page_number:
                self.xobject_has_mcid.add(og)
        for og in self.xobject_has_mcid:
            if self.xobject_uses[og] > 1:
                self.fail("30-002", f"form XObject {og[0]} has MCIDs and is drawn {self.xobject_uses[og]} times")

    # -- annotations ----------------------------------------------------------------------------------------

    def annotations(self):
        for number, page in enumerate(self.pdf.pages, 1):
            for annot in _items(page.obj.get("/Annots")):
                yield number, annot

    def check_annotations(self) -> None:
        import pikepdf

        tree = self.parent_tree
        pages_with_annots = set()
        for number, annot in self.annotations():
            pages_with_annots.add(number)
            subtype = _name(annot.get("/Subtype"))
            hidden = int(annot.get("/F", 0)) & 2
            where = f"page {number}: a {subtype} annotation"
            if subtype == "TrapNet":
                self.fail("28-007", f"{where} is present")
            if hidden or subtype in ("Popup", "PrinterMark", "Widget"):
                continue
            element = tree.get(int(annot.StructParent)) if "/StructParent" in annot else None
            holders = self.objrs.get(annot.objgen, [])
            is_element = isinstance(element, pikepdf.Dictionary) and "/S" in element
            if subtype == "Link":
                if not is_element or self.standard(element) != "Link":
                    self.fail("28-011", f"{where} has no /StructParent leading to a Link element")
                elif not any(h.objgen == element.objgen for h in holders):
                    self.fail("28-011", f"{where}: its Link element holds no OBJR to it")
                if not _text(annot.get("/Contents")).strip():
                    self.fail("28-012", f"{where} has no /Contents (alternate description)")
            else:
                if not is_element or self.standard(element) != "Annot" \
                        or not any(h.objgen == element.objgen for h in holders):
                    self.fail("28-002", f"{where} is not the child (OBJR) of an Annot element")
                if not _text(annot.get("/Contents")).strip() and not (
                        is_element and _text(element.get("/Alt")).strip()):
                    self.fail("28-004", f"{where} has neither /Contents nor an /Alt on its element")
        for number in sorted(pages_with_annots):
            page = self.pdf.pages[number - 1].obj
            if "/Tabs" not in page:
                self.fail("28-008", f"page {number} has annotations but no /Tabs")
            elif _name(page.Tabs) != "S":
                self.fail("28-009", f"page {number} has /Tabs /{_name(page.Tabs)}, not /S")

    # -- fonts ----------------------------------------------------------------------------------------------

    def font(self, font) -> _Font:
        key = _key(font)
        if key not in self.fonts:
            self.fonts[key] = _Font(font)
        return self.fonts[key]

    def check_fonts(self) -> None:
        import pikepdf

        for f in self.fonts.values():
            if not f.codes_shown:
                continue
            font = f.font
            descendant = font.DescendantFonts[0] if f.subtype == "Type0" and "/DescendantFonts" in font else None
            descriptor = (descendant or font).get("/FontDescriptor")
            if f.subtype != "Type3" and (descriptor is None or not any(
                    k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))):
                self.fail("31-009", f"the font {f.name} is used for text but not embedded")
            if descendant is not None and _name(descendant.get("/Subtype")) == "CIDFontType2":
                if "/CIDToGIDMap" not in descendant:
                    self.fail("31-005", f"the CIDFontType2 font {f.name} has no /CIDToGIDMap")
                elif _name(descendant.CIDToGIDMap) not in (None, "Identity"):
                    self.fail("31-004", f"the CIDFontType2 font {f.name} has a /CIDToGIDMap that is neither a "
                                        "stream nor /Identity")
            flags = int(descriptor.get("/Flags", 0)) if descriptor is not None else 0
            symbolic = bool(flags & 4)
            if f.subtype == "TrueType":
                encoding = font.get("/Encoding")
                if symbolic and encoding is not None:
                    self.fail("31-024", f"the symbolic TrueType font {f.name} has an /Encoding")
                if not symbolic:
                    if encoding is None:
                        self.fail("31-019", f"the non-symbolic TrueType font {f.name} has no /Encoding")
                    else:
                        is_dict = isinstance(encoding, pikepdf.Dictionary)
                        base = encoding.get("/BaseEncoding") if is_dict else encoding
                        if is_dict and base is None:
                            self.fail("31-020", f"the non-symbolic TrueType font {f.name} has an /Encoding "
                                                "dictionary without /BaseEncoding")
                        elif _name(base) not in ("MacRomanEncoding", "WinAnsiEncoding"):
                            self.fail("31-021", f"the non-symbolic TrueType font {f.name} has encoding {base}")
            if f.to_unicode is None:
                encoding = _name(font.get("/Encoding"))
                ordering = _text(descendant.get("/CIDSystemInfo", {}).get("/Ordering")) if descendant is not None \
                    else ""
                if not (encoding in ("MacRomanEncoding", "MacExpertEncoding", "WinAnsiEncoding")
                        or ordering in ("GB1", "CNS1", "Japan1", "Korea1")
                        or (f.subtype == "TrueType" and not symbolic)):
                    self.fail("31-027", f"the font {f.name} has no /ToUnicode and its codes cannot be mapped "
                                        "to Unicode otherwise")
                continue
            missing = sorted(c for c in f.codes_shown if not f.to_unicode.map.get(c))
            if missing:
                self.fail("10-001", f"the font {f.name}: {len(missing)} character code(s) used in the text have no "
                                    f"Unicode value in its /ToUnicode (first: {missing[0].hex()})")
            # Judged over the codes the text uses, as veraPDF does (its rule is on each glyph shown): reportlab's
            # subsets map their unused codes to U+0000, which no reader ever looks up.
            values = [f.to_unicode.map.get(c, "") for c in f.codes_shown]
            if any("\x00" in v for v in values):
                self.fail("31-028", f"the /ToUnicode of {f.name} maps a code the text uses to U+0000")
            if any("\ufeff" in v or "\ufffe" in v for v in values):
                self.fail("31-029", f"the /ToUnicode of {f.name} maps a code the text uses to U+FEFF or U+FFFE")
