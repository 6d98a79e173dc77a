"""Independent readers for the tests: what a PDF or DOCX says, as pdfplumber, pypdf, pandoc or LibreOffice see it."""

from __future__ import annotations

import contextlib
import copy
import functools
import os
import re
import subprocess
import zipfile

NOTE_SIZE_MAX = 7.6  # the house style's note size is 7.5 pt; body text and marks are larger


SHARED: str | None = None
"""A folder every pytest-xdist worker of a test run shares (conftest sets it): what one worker read of a file,
the others take from there."""


@contextlib.contextmanager
def locked(path: str):
    """Hold an exclusive lock on the file `path` (made if missing) while the block runs: one process at a time."""
    import fcntl

    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def per_file_version(read):
    """`read(path, *args)`, done once for each version of the file (its name and contents) and arguments in a test
    run: several tests, in either worker, read the same built brief. Each caller gets its own copy of the result."""
    import hashlib
    import pickle

    def shared(path, digest, *args):
        if SHARED is None:
            return read(path, *args)
        key = repr((read.__module__, read.__qualname__, os.path.basename(path), digest, args))
        stored = os.path.join(SHARED, hashlib.sha256(key.encode()).hexdigest() + ".pickle")
        with locked(stored + ".lock"):
            if os.path.exists(stored):
                with open(stored, "rb") as f:
                    return pickle.load(f)
            value = read(path, *args)
            with open(stored + ".part", "wb") as f:
                pickle.dump(value, f)
            os.replace(stored + ".part", stored)
            return value

    once = functools.lru_cache(maxsize=256)(shared)

    @functools.wraps(read)
    def cached(path, *args):
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        return copy.deepcopy(once(os.path.abspath(path), digest, *args))

    return cached


@per_file_version
def pdf_pages(path: str) -> list[dict]:
    """Each page of a PDF as pdfplumber reads it: `height`, `text`, `words` (each with its font `size`), `chars`
    (`text`, `size`, `x0`, `x1`, `top`, `bottom`) and the `lines` and `rects` drawn (`x0`, `x1`, `bottom`)."""
    import pdfplumber

    def keep(objects, keys):
        return [{k: o[k] for k in keys} for o in objects]

    with pdfplumber.open(path) as pdf:
        return [{"height": page.height, "text": page.extract_text() or "",
                 "words": page.extract_words(extra_attrs=["size"]),
                 "chars": keep(page.chars, ("text", "size", "x0", "x1", "top", "bottom")),
                 "lines": keep(page.lines, ("x0", "x1", "bottom")), "rects": keep(page.rects, ("x0", "x1", "bottom"))}
                for page in pdf.pages]


@per_file_version
def pdf_marks_and_notes(path: str) -> tuple[dict[int, int], dict[int, int]]:
    """Return ({mark number: page}, {note number: page where the note starts}) read from the PDF.

    A mark is the superscript number inside a link annotation in the body; a note starts with a line
    `N. ` in the note size."""
    import pdfplumber

    marks: dict[int, int] = {}
    notes: dict[int, int] = {}
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            n = page.page_number
            for a in page.annots:
                if "Dest" not in a["data"]:
                    continue
                digits = "".join(c["text"] for c in page.chars if c["text"].isdigit()
                                 and a["x0"] <= (c["x0"] + c["x1"]) / 2 <= a["x1"]
                                 and a["top"] <= (c["top"] + c["bottom"]) / 2 <= a["bottom"])
                if digits:
                    marks.setdefault(int(digits), n)
            small = page.filter(lambda o: o.get("object_type") != "char" or o.get("size", 99) <= NOTE_SIZE_MAX)
            for line in (small.extract_text() or "").splitlines():
                mo = re.match(r"^(\d+)\.\s", line)
                if mo:
                    notes.setdefault(int(mo.group(1)), n)
    return marks, notes


def pdf_link_targets_same_page(path: str) -> list[tuple[int, int]]:
    """Return (page of mark, page of its destination) for every internal link, read with pypdf."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    index = {p.indirect_reference.idnum: i + 1 for i, p in enumerate(reader.pages)}
    pairs = []
    for i, page in enumerate(reader.pages, 1):
        for annot in page.get("/Annots", []) or []:
            a = annot.get_object()
            dest = a.get("/Dest")
            if dest is not None:
                pairs.append((i, index[dest[0].idnum]))
    return pairs


@per_file_version
def pdftotext(path: str) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", path, "-"], check=True, capture_output=True,
                          text=True).stdout


def docx_part(path: str, name: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(name).decode("utf-8")


@per_file_version
def pandoc_plain(path: str) -> str:
    return subprocess.run(["pandoc", "-t", "plain", "--wrap=none", path], check=True, capture_output=True,
                          text=True).stdout


@per_file_version
def _pandoc_json(path: str) -> dict:
    """pandoc's reading of a DOCX or Markdown file (Markdown without smart quotes)."""
    import json

    fmt = ["-f", "markdown-smart"] if path.endswith(".md") else []
    return json.loads(subprocess.run(["pandoc", *fmt, "-t", "json", path], check=True, capture_output=True,
                                     text=True).stdout)


def _pandoc_text(node, note=lambda node: "") -> str:
    """The text of pandoc inlines; a note is given as `note(node)` ('' by default)."""
    if isinstance(node, list):
        return "".join(_pandoc_text(n, note) for n in node)
    if not isinstance(node, dict):
        return ""
    t = node.get("t")
    if t == "Str":
        return node["c"]
    if t in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if t == "Code":
        return node["c"][1]
    if t == "Note":
        return note(node)
    if t == "Quoted":
        q = ("“", "”") if node["c"][0]["t"] == "DoubleQuote" else ("‘", "’")
        return q[0] + _pandoc_text(node["c"][1], note) + q[1]
    c = node.get("c")
    return _pandoc_text(c, note) if isinstance(c, list) else ""


def pandoc_footnotes(path: str) -> list[str]:
    """The note texts pandoc finds in a DOCX or Markdown file, in order (Markdown read without smart quotes)."""
    notes: list[str] = []

    def walk(node):
        if isinstance(node, list):
            for n in node:
                walk(n)
        elif isinstance(node, dict):
            if node.get("t") == "Note":
                notes.append(" ".join(_pandoc_text(node["c"]).split()))
            c = node.get("c")
            if isinstance(c, (list, dict)):
                walk(c)

    walk(_pandoc_json(path)["blocks"])
    return notes


def pandoc_blocks(path: str) -> list[str]:
    """The text blocks of a DOCX as pandoc reads it, in order: headings, paragraphs, list items and table cells,
    each note's mark given as its number where it stands (the notes' own text left out)."""
    blocks: list[str] = []
    count = iter(range(1, 10_000))

    def mark(node) -> str:
        return str(next(count))

    def walk(node):
        if isinstance(node, list):
            for n in node:
                walk(n)
        elif isinstance(node, dict):
            t = node.get("t")
            if t in ("Para", "Plain"):
                blocks.append(_normal(_pandoc_text(node["c"], mark)))
            elif t == "Header":
                blocks.append(_normal(_pandoc_text(node["c"][2], mark)))
            elif isinstance(node.get("c"), (list, dict)):
                walk(node["c"])

    walk(_pandoc_json(path)["blocks"])
    return [b for b in blocks if b]


@per_file_version
def pdf_struct_text(path: str) -> tuple[list[str], list[str]]:
    """Return ([text of each marked-content sequence outside notes], [text of each note]) of a tagged PDF in
    structure order, as poppler's `pdfinfo -struct-text` prints it (a note's text without its leading number).

    poppler prints the text of each marked-content sequence on its own line, in quotes, indented under its
    structure element; it does not escape quotes or infer spaces, so the pieces are returned as printed. It prints
    the glyphs drawn, not a Span's /ActualText: a right-to-left Span, drawn in visual order and shaped, is given
    in the order it was typed, as its /ActualText (what a screen reader reads) gives it."""
    out = subprocess.run(["pdfinfo", "-struct-text", path], check=True, capture_output=True, text=True).stdout
    body: list[str] = []
    notes: list[str] = []
    stack: list[tuple[int, str]] = []  # (indent, element type) of the open elements
    lines = out.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        indent = len(line) - len(line.lstrip(" "))
        stripped = line.strip()
        i += 1
        if stripped.startswith('"'):
            text = stripped[1:]
            while not text.endswith('"') and i < len(lines):  # a text holding a line break goes on
                text += "\n" + lines[i]
                i += 1
            text = text[:-1] if text.endswith('"') else text
            while stack and stack[-1][0] >= indent:
                stack.pop()
            if stack and stack[-1][1] == "Span" and _right_to_left(text):
                text = _typed(text)
            if any(kind in ("Note", "FENote") for _, kind in stack):
                notes[-1] += text
            else:
                body.append(text)
            continue
        if not stripped or stripped.startswith("/") or stripped.startswith("Object "):
            continue
        while stack and stack[-1][0] >= indent:
            stack.pop()
        kind = stripped.split()[0].rstrip(":")
        if kind in ("Note", "FENote") and not any(k in ("Note", "FENote") for _, k in stack):
            notes.append("")
        stack.append((indent, kind))
    notes = [re.sub(r"^\s*\d+\.?\s*", "", _normal(n)) for n in notes]
    return body, notes


def _normal(text: str) -> str:
    return " ".join(text.split())


def _as_letter(glyph: str) -> str:
    """An Arabic-script glyph's text as letters: a shaped glyph is a presentation form, which stands for a letter
    (a lam-alef ligature for two, in visual order as the glyph shows them). Other text is left as it is."""
    import unicodedata

    if not ("\ufb50" <= glyph <= "\ufdff" or "\ufe70" <= glyph <= "\ufeff"):
        return glyph
    letters = unicodedata.normalize("NFKC", glyph)
    return letters[::-1] if len(letters) > 1 else letters


def _right_to_left(text: str) -> bool:
    import unicodedata

    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


def _typed(drawn: str) -> str:
    """The text of a right-to-left run drawn in visual order (shaped glyphs), in the order it was typed."""
    return "".join(_as_letter(c) for c in drawn)[::-1]


def displayed(text: str) -> str:
    """`text`, typed in logical order, as a left-to-right line shows it read from left to right: its right-to-left
    runs (Urdu, say) reversed, as python-bidi orders them and as pdfplumber reads a PDF's glyphs."""
    from bidi import get_display

    return get_display(text, base_dir="L")


@per_file_version
def pdf_body_and_notes(path: str, note_size: float) -> tuple[str, list[str]]:
    """Return (body text, [note texts in order]) of a PDF, read with pdfplumber.

    Marks (the characters inside note-link annotations) are left out; notes are the characters set in
    `note_size`; furniture and everything smaller is ignored. Right-to-left text comes as the page shows it (see
    `displayed`), its shaped glyphs as letters."""
    import pdfplumber

    body_parts: list[str] = []
    notes: list[str] = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            rects = [(a["x0"], a["top"], a["x1"], a["bottom"]) for a in page.annots if "Dest" in a["data"]]

            def in_mark(o):
                cx, cy = (o["x0"] + o["x1"]) / 2, (o["top"] + o["bottom"]) / 2
                return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in rects)

            def is_char(o):
                return o.get("object_type") == "char"

            body = page.filter(lambda o: not is_char(o) or (o["size"] > note_size + 0.05 and not in_mark(o)))
            small = page.filter(lambda o: not is_char(o) or abs(o["size"] - note_size) < 0.05)
            body_parts.append(body.extract_text() or "")
            for line in (small.extract_text() or "").splitlines():
                mo = re.match(r"^(\d+)\.\s(.*)$", line)
                if mo and int(mo.group(1)) == len(notes) + 1:
                    notes.append(mo.group(2))
                elif notes:
                    notes[-1] += " " + line
    def read(text: str) -> str:
        return _normal("".join(_as_letter(c) for c in text))

    return read(" ".join(body_parts)), [read(n) for n in notes]


@per_file_version
def docx_body_and_notes(path: str) -> tuple[list[str], list[str], list[str]]:
    """Return (body paragraphs outside tables, table cell texts, note texts) of a DOCX, from its XML."""
    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

    def text(p) -> str:
        return _normal("".join(t.text or "" for t in p.iter(w + "t")))

    with zipfile.ZipFile(path) as z:
        body = etree.fromstring(z.read("word/document.xml")).find(w + "body")
        notes_root = etree.fromstring(z.read("word/footnotes.xml"))
    paragraphs = [text(p) for p in body.findall(w + "p")]
    cells = [text(tc) for tc in body.iter(w + "tc")]
    notes = [text(n) for n in notes_root.findall(w + "footnote") if n.get(w + "type") is None]
    return [p for p in paragraphs if p], cells, notes
