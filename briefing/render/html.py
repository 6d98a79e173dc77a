"""HTML renderer: the document model as one self-contained, accessible HTML5 file with numbered notes."""

from __future__ import annotations

import base64
import dataclasses
import datetime as _dt
import hashlib
import html
import re
from dataclasses import dataclass
from importlib import resources
from urllib.parse import quote

from briefing import model as m
from briefing.layout import Layout, resolve
from briefing.render.visitor import Visitor

LINK_SCHEMES = ("http:", "https:", "mailto:")
"""The only addresses a link may go to, besides an anchor in the same document."""
_ANCHOR = re.compile(r"#[A-Za-z][A-Za-z0-9_.:-]*")
_CLASS = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
"""A class name from the Markdown's attributes that goes into the HTML; any other is left out."""
_UNSAFE_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff]")
"""Characters an HTML document may not hold (controls, noncharacters, lone surrogates): shown as U+FFFD."""
NOTES_LABEL = "Notes"
"""The notes section's name, for screen readers (it has no visible heading, as pandoc's has none)."""
BACK_LABEL = "Back to the text of note {n}"
"""What a note's back-link says to a screen reader."""


def text(value: str) -> str:
    """Return `value` as HTML text or a double-quoted attribute's value: every markup character escaped."""
    return html.escape(_UNSAFE_CHARS.sub("\ufffd", value), quote=True)


def safe_href(href: str) -> bool:
    """True for an http, https or mailto address, or an anchor in the same document."""
    lowered = href.strip().lower()
    if _ANCHOR.fullmatch(href):
        return True
    return lowered.startswith(LINK_SCHEMES) and len(lowered) > len(lowered.split(":", 1)[0]) + 1 \
        and not _UNSAFE_CHARS.search(href) and not any(c.isspace() for c in href)


def url(href: str) -> str:
    """Return `href` with every character a URL may not hold (quotes, angle brackets, non-ASCII...) percent-encoded,
    and the escapes it already has kept."""
    return quote(href, safe="!#$%&'()*+,-./:;=?@[]~_")


def css_string(value: str) -> str:
    """Return `value` as a CSS string literal in which only letters, digits and spaces stand as they are: nothing
    in it can close the string, the rule or the style element."""
    return '"' + "".join(c if c.isalnum() and c.isascii() or c == " " else f"\\{ord(c):06x}"
                         for c in _UNSAFE_CHARS.sub("\ufffd", value)) + '"'


@dataclass(frozen=True)
class Look:
    """What the HTML takes from the house style's layout, read in one place (`Look.of`)."""

    colours: dict
    """Role (text, heading, handling, rule, link, table_header) -> six hex digits."""
    body_font: str
    """Family of body text, notes and tables."""
    heading_font: str
    """Family of the title, headings and furniture."""
    sizes: dict
    """Role (title, subtitle, heading1..3, body, note, table, furniture) -> points."""
    line_spacing: float
    """Line height as a multiple of the font size."""
    page_size: str
    """A4 or Letter, for printing."""
    margins_mm: dict
    """top, bottom, left, right page margins in millimetres, for printing."""
    different_first_page: bool
    """No running header on the first printed page."""
    logo: bytes | None
    """The title block's image, or None."""
    logo_alt: str
    """What the logo shows, in words."""

    @classmethod
    def of(cls, layout: Layout) -> "Look":
        """The look of a house style's layout."""
        logo = None
        if layout.logo:
            with open(layout.logo, "rb") as f:
                logo = f.read()
        page = layout.page
        return cls(dataclasses.asdict(layout.colours), layout.fonts["body"].family, layout.fonts["heading"].family,
                   dict(layout.sizes), layout.line_spacing, page.name, dict(page.margins_mm),
                   page.different_first_page, logo, layout.logo_alt)


_FALLBACK = {"body": "serif", "heading": "sans-serif"}


def _family(name: str, role: str) -> str:
    return f"{css_string(name)}, {_FALLBACK[role]}"


def stylesheet(look: Look, meta: m.Meta) -> str:
    """Return the document's CSS: the house style as custom properties, the printed page (size, margins, running
    header and footer) and the shared sheet (briefing/assets/brief.css)."""
    props = {f"--{k.replace('_', '-')}": f"#{v}" for k, v in look.colours.items()}
    props["--body-font"] = _family(look.body_font, "body")
    props["--heading-font"] = _family(look.heading_font, "heading")
    props.update({f"--size-{k}": f"{v:g}pt" for k, v in look.sizes.items()})
    props["--leading"] = f"{look.line_spacing:g}"
    root = ":root {\n" + "".join(f"  {k}: {v};\n" for k, v in props.items()) + "}\n"
    mg = look.margins_mm
    size = "A4" if look.page_size == "A4" else "letter"
    box = (f"font-family: var(--heading-font); font-size: {look.sizes['furniture']:g}pt;")
    header = meta.header
    footer = [css_string(piece) if piece not in ("{page}", "{pages}") else
              "counter(page)" if piece == "{page}" else "counter(pages)"
              for piece in re.split(r"(\{page\}|\{pages\})", meta.footer) if piece]
    page = (f"@page {{\n  size: {size};\n  margin: {mg['top']:g}mm {mg['right']:g}mm {mg['bottom']:g}mm "
            f"{mg['left']:g}mm;\n"
            + (f"  @top-left {{ content: {css_string(header)}; color: #{look.colours['handling']}; {box} }}\n"
               if header else "")
            + (f"  @bottom-center {{ content: {' '.join(footer)}; {box} }}\n" if footer else "")
            + "}\n")
    if look.different_first_page and header:
        page += "@page :first { @top-left { content: none; } }\n"
    sheet = resources.files("briefing").joinpath("assets/brief.css").read_text(encoding="utf-8")
    return root + page + sheet


class HtmlTranslator(Visitor):
    """Walks the model and returns HTML: blocks and inlines as strings; each note's body, made by the same block
    code, kept by number for the notes section at the end."""

    def __init__(self, look: Look):
        self.look = look
        self.notes: list[tuple[int, list]] = []
        """(number, body HTML blocks) of every note, in document order."""
        self.in_note = False
        """Writing a note's body: headings become bold lines and note marks stay text."""
        self.in_link = False
        """Inside a link, where a note's mark cannot be a link of its own."""

    # -- blocks -------------------------------------------------------------------------------

    def _blocks(self, nodes: list) -> list[str]:
        return [self.visit(n) for n in nodes]

    def visit_Document(self, node: m.Document) -> str:
        meta = node.meta
        top = []
        if self.look.logo is not None:
            top.append(f'<img class="logo" src="{_data_uri(self.look.logo)}" alt="{text(self.look.logo_alt)}">')
        if meta.handling:
            top.append(f'<p class="handling">{self._run(meta.handling)}</p>')
        top.append(f"<h1>{self._run(meta.title)}</h1>")
        if meta.subtitle:
            top.append(f'<p class="subtitle">{self._run(meta.subtitle)}</p>')
        if meta.title_line:
            top.append(f'<p class="meta">{self._run(meta.title_line)}</p>')
        body = self._blocks(node.children)
        out = ['<main>\n<article>\n<header class="title-block">', *top, "</header>", *body]
        if self.notes:
            out.append(f'<section id="footnotes" class="footnotes" role="doc-endnotes" '
                       f'aria-label="{text(NOTES_LABEL)}">\n<hr>\n<ol>')
            out.extend(self._note_item(number, blocks) for number, blocks in self.notes)
            out.append("</ol>\n</section>")
        out.append("</article>\n</main>")
        return "\n".join(out)

    def _note_item(self, number: int, blocks: list[str]) -> str:
        back = (f'<a href="#fnref-{number}" class="footnote-back" role="doc-backlink" '
                f'aria-label="{text(BACK_LABEL.format(n=number))}">\u21a9\ufe0e</a>')
        if blocks and blocks[-1].endswith("</p>"):
            blocks = blocks[:-1] + [blocks[-1][:-len("</p>")] + back + "</p>"]
        else:
            blocks = blocks + [f"<p>{back}</p>"]
        return f'<li id="fn-{number}">' + "\n".join(blocks) + "</li>"

    def visit_Heading(self, node: m.Heading) -> str:
        if self.in_note:  # a heading inside a note is a bold line of the note, as in the PDF
            return self.visit_Paragraph(m.Paragraph([m.Strong(node.children)]))
        level = min(node.level, 3) + 1  # the title is the h1
        return f"<h{level}>{self._inlines(node.children)}</h{level}>"

    def visit_Paragraph(self, node: m.Paragraph) -> str:
        classes = [c for c in node.classes if _CLASS.fullmatch(c)]
        if node.keep_with_next and "keep-with-next" not in classes:  # kept with what follows it on paper
            classes.append("keep-with-next")
        attrs = f' class="{" ".join(classes)}"' if classes else ""
        if node.custom_style:  # as pandoc's HTML writer marks a custom style
            attrs += f' data-custom-style="{text(node.custom_style)}"'
        return f"<p{attrs}>" + self._inlines(node.children) + "</p>"

    def visit_BulletList(self, node: m.BulletList) -> str:
        return "<ul>\n" + "\n".join(self.visit(item) for item in node.items) + "\n</ul>"

    def visit_OrderedList(self, node: m.OrderedList) -> str:
        start = f' start="{node.start:d}"' if node.start != 1 else ""
        return f"<ol{start}>\n" + "\n".join(self.visit(item) for item in node.items) + "\n</ol>"

    def visit_ListItem(self, node: m.ListItem) -> str:
        kids = node.children
        if kids and isinstance(kids[0], m.Paragraph) and not any(isinstance(k, m.Paragraph) for k in kids[1:]):
            # a tight item: its first paragraph's text stands in the item itself, as pandoc writes it
            first = self._inlines(kids[0].children)
            return "<li>" + "\n".join([first, *self._blocks(kids[1:])]) + "</li>"
        return "<li>" + "\n".join(self._blocks(kids)) + "</li>"

    def visit_BlockQuote(self, node: m.BlockQuote) -> str:
        return "<blockquote>\n" + "\n".join(self._blocks(node.children)) + "\n</blockquote>"

    def visit_ThematicBreak(self, node: m.ThematicBreak) -> str:
        return "<hr>"

    def visit_Table(self, node: m.Table) -> str:
        out = ["<table>"]
        if node.caption:
            out.append(f"<caption>{self._inlines(node.caption)}</caption>")
        out.append("<thead>\n<tr>" + "".join(self._cell(c, "th") for c in node.header) + "</tr>\n</thead>")
        if node.rows:
            out.append("<tbody>")
            out.extend("<tr>" + "".join(self._cell(c, "td") for c in row) + "</tr>" for row in node.rows)
            out.append("</tbody>")
        out.append("</table>")
        return "\n".join(out)

    def _cell(self, cell: m.TableCell, tag: str) -> str:
        attrs = ' scope="col"' if tag == "th" else ""
        if cell.align in ("right", "center"):
            attrs += f' class="align-{cell.align}"'
        return f"<{tag}{attrs}>{self.visit(cell)}</{tag}>"

    def visit_TableCell(self, node: m.TableCell) -> str:
        return self._inlines(node.children)

    # -- inlines ------------------------------------------------------------------------------

    def _inlines(self, nodes: list) -> str:
        return "".join((f'<sup class="footnote-sep">{m.NOTE_SEPARATOR}</sup>' if sep else "") + self.visit(n)
                       for n, sep in m.separated(nodes))

    def _run(self, value: str) -> str:
        """Return text as HTML, runs in another script (Cyrillic, Chinese, Arabic script, Hebrew) in a span that
        names their language, right-to-left ones with their direction."""
        from briefing.languages import RIGHT_TO_LEFT, language_runs

        out = []
        for lang, run in language_runs(value):
            if lang is None:
                out.append(text(run))
            else:
                rtl = ' dir="rtl"' if lang in RIGHT_TO_LEFT else ""
                out.append(f'<span lang="{lang}"{rtl}>{text(run)}</span>')
        return "".join(out)

    def visit_Text(self, node: m.Text) -> str:
        return self._run(node.text)

    def visit_Code(self, node: m.Code) -> str:
        return f"<code>{self._run(node.text)}</code>"

    def visit_Emph(self, node: m.Emph) -> str:
        return f"<em>{self._inlines(node.children)}</em>"

    def visit_Strong(self, node: m.Strong) -> str:
        return f"<strong>{self._inlines(node.children)}</strong>"

    def visit_Link(self, node: m.Link) -> str:
        if not safe_href(node.href) or self.in_link:  # printed as its text, never a live link
            return self._inlines(node.children)
        self.in_link = True
        try:
            return f'<a href="{text(url(node.href))}">{self._inlines(node.children)}</a>'
        finally:
            self.in_link = False

    def visit_LineBreak(self, node: m.LineBreak) -> str:
        return "<br>"

    def visit_Note(self, node: m.Note) -> str:
        n = node.number
        if self.in_note:  # the parser never nests notes
            return f"<sup>{n:d}</sup>"
        self.in_note = True
        try:
            self.notes.append((n, self._blocks(node.children)))
        finally:
            self.in_note = False
        if self.in_link:  # a link cannot hold another: the mark is a target of the back-link only
            return f'<sup id="fnref-{n:d}" class="footnote-ref">{n:d}</sup>'
        return (f'<a href="#fn-{n:d}" id="fnref-{n:d}" class="footnote-ref" role="doc-noteref">'
                f"<sup>{n:d}</sup></a>")


def _data_uri(image: bytes) -> str:
    kind = "image/png" if image.startswith(b"\x89PNG") else "image/jpeg"
    return f"data:{kind};base64,{base64.b64encode(image).decode('ascii')}"


class HtmlWriter:
    """Turns a document model into one self-contained HTML5 file: the house style's CSS inside it, the logo as a
    data: URI, no fonts (the CSS names the house families; see docs/editing.md) and nothing fetched from elsewhere."""

    def __init__(self, layout):
        self.look = Look.of(resolve(layout))

    def render(self, doc: m.Document, when: _dt.datetime) -> bytes:
        """Return the file's bytes (UTF-8); the same model and time always give the same bytes."""
        meta = doc.meta
        body = HtmlTranslator(self.look).visit(doc)
        css = stylesheet(self.look, meta)
        digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
        # Nothing may load from elsewhere: no script, no font, no frame; only this style sheet and data: images.
        policy = f"default-src 'none'; style-src 'sha256-{digest}'; img-src data:; base-uri 'none'; form-action 'none'"
        title = meta.title + (f" \u2014 {meta.audience}" if meta.audience else "")
        head = [
            "<!DOCTYPE html>",
            f'<html lang="{text(meta.language or "en")}">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta http-equiv="Content-Security-Policy" content="{text(policy)}">',
            f"<title>{text(title)}</title>",
            '<meta name="generator" content="briefing">',
        ]
        if meta.author:
            head.append(f'<meta name="author" content="{text(meta.author)}">')
        if meta.subject:
            head.append(f'<meta name="description" content="{text(meta.subject)}">')
        if meta.keywords:
            head.append(f'<meta name="keywords" content="{text(", ".join(meta.keywords))}">')
        if meta.date:
            head.append(f'<meta name="dcterms.date" content="{meta.date.isoformat()}">')
        head.append(f'<meta name="dcterms.modified" content="{when.date().isoformat()}">')
        head.append(f"<style>{css}</style>")
        page = "\n".join([*head, "</head>", "<body>", body, "</body>", "</html>", ""])
        return page.encode("utf-8")
