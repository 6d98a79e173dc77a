"""The document model: the only contract between composing (Markdown) and rendering (DOCX, PDF)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import MISSING, dataclass, field, fields


# --- inline nodes ------------------------------------------------------------------------------

@dataclass
class Text:
    """Plain text, never markup."""

    text: str
    """The characters, exactly as they are to appear."""


@dataclass
class Emph:
    """Emphasised (italic) inline content."""

    children: list = field(default_factory=list)
    """Inline nodes."""


@dataclass
class Strong:
    """Strongly emphasised (bold) inline content."""

    children: list = field(default_factory=list)
    """Inline nodes."""


@dataclass
class Code:
    """Inline code or a literal token."""

    text: str
    """The characters."""


@dataclass
class Link:
    """A hyperlink: an external URL or `#anchor` inside the document."""

    href: str
    """Target address."""
    children: list = field(default_factory=list)
    """Inline nodes shown as the link text."""


@dataclass
class Note:
    """A footnote, where its mark stands in the text (pandoc's `Note [Block]`): shown as a numbered mark,
    its body at the foot of the mark's page."""

    number: int
    """The note's number, from 1, in document order: the number its mark shows."""
    children: list = field(default_factory=list)
    """Block nodes of the note's body: paragraphs, lists, tables, quotes."""


@dataclass
class LineBreak:
    """A hard line break inside a paragraph."""


# --- block nodes -------------------------------------------------------------------------------

@dataclass
class Heading:
    """A section heading."""

    level: int
    """1 for a section, 2 for a subsection, 3 below that."""
    children: list = field(default_factory=list)
    """Inline nodes."""


@dataclass
class Paragraph:
    """A paragraph of body text."""

    children: list = field(default_factory=list)
    """Inline nodes."""
    classes: tuple[str, ...] = ()
    """Classes given in the Markdown's attributes (`{.lead-in}` on the line before it), as pandoc's `Attr`."""
    keep_with_next: bool = False
    """Kept on the page of the block that follows it: a lead-in (`{.lead-in}`, a disputed question before its
    claims) or `{.keep-with-next}`."""
    custom_style: str = ""
    """A named paragraph style (`{custom-style="Name"}`, as pandoc's): the DOCX gives the paragraph Word's style
    of that name (added, based on body text, when the template lacks it); other writers set body text."""


@dataclass
class ListItem:
    """One item of a bullet or numbered list."""

    children: list = field(default_factory=list)
    """Block nodes: paragraphs and nested lists."""


@dataclass
class BulletList:
    """A list with bullets."""

    items: list = field(default_factory=list)
    """ListItem nodes."""


@dataclass
class OrderedList:
    """A numbered list."""

    start: int = 1
    """The first number."""
    items: list = field(default_factory=list)
    """ListItem nodes."""


@dataclass
class BlockQuote:
    """A set-off passage, such as a disputed question or a caution."""

    children: list = field(default_factory=list)
    """Block nodes."""


@dataclass
class TableCell:
    """One cell of a table."""

    children: list = field(default_factory=list)
    """Inline nodes."""
    align: str = "left"
    """left, center or right."""


@dataclass
class Table:
    """A table with one header row."""

    header: list = field(default_factory=list)
    """TableCell nodes of the header row."""
    rows: list = field(default_factory=list)
    """Rows of the body, each a list of TableCell nodes."""
    caption: list = field(default_factory=list)
    """Inline nodes of the caption (pandoc's `Table: ...` line next to the table); may be empty."""


@dataclass
class ThematicBreak:
    """A horizontal rule between sections."""


@dataclass
class Meta:
    """What a brief is: shown in its title block and written into the file's properties."""

    title: str
    """The brief's title."""
    subtitle: str = ""
    """A line under the title."""
    date: _dt.date | None = None
    """The date the brief is current to."""
    audience: str = ""
    """Who the brief is for, as shown to readers."""
    handling: str = ""
    """A handling marking such as PUBLIC or FOR OFFICIAL USE."""
    author: str = ""
    """The organisation or person issuing the brief."""
    subject: str = ""
    """One line on what the brief is about."""
    keywords: tuple[str, ...] = ()
    """Topics, written into the file's properties."""
    language: str = "en-GB"
    """Language tag of the text."""
    title_line: str = ""
    """The line under the title, worded: who the brief is for, who issues it, its date."""
    audience_line: str = ""
    """Who the brief is for, worded as a line ("For: Ministers"): the DOCX's Comments property."""
    header: str = ""
    """The running header, worded (the house style's `header` filled in); empty: none."""
    footer: str = ""
    """The running footer, worded, holding `{page}` and `{pages}` where each writer puts the page number and count."""
    source: str = field(default="", compare=False, repr=False)
    """The template the brief was composed from, as messages name it: where a problem of its layout is reported.
    Not part of what the brief is: the same brief composed from another folder is equal, with the same digest."""


@dataclass
class Document:
    """A whole brief: its metadata and its body (notes are inside the body, at their marks)."""

    meta: Meta
    """Title block and file properties."""
    children: list = field(default_factory=list)
    """Block nodes of the body."""


INLINE_TYPES = (Text, Emph, Strong, Code, Link, Note, LineBreak)
BLOCK_TYPES = (Heading, Paragraph, ListItem, BulletList, OrderedList, BlockQuote, TableCell, Table, ThematicBreak,
               Document)
NODE_TYPES = INLINE_TYPES + BLOCK_TYPES


def dump(node, indent: int = 0) -> str:
    """Return the node as an indented tree, one node per line, for tests and `--debug` output."""
    pad = "  " * indent
    name = type(node).__name__
    scalars, kids = [], []
    for f in fields(node):
        value = getattr(node, f.name)
        if f.name == "meta":
            continue
        if isinstance(value, list):
            kids.append((f.name, value))
        elif f.default is not MISSING and not f.default and value == f.default:
            continue  # an attribute left as it is by default (no classes, no style) is not shown
        else:
            scalars.append(f"{f.name}={value!r}" if f.name != "text" else repr(value))
    lines = [f"{pad}{name}" + (" " + " ".join(scalars) if scalars else "")]
    for label, value in kids:
        if label in ("header", "caption"):  # a table's header row and caption
            if value:
                lines.append(f"{pad}  {label}")
                lines.extend(dump(c, indent + 2) for c in value)
            continue
        for child in value:
            if isinstance(child, list):  # a table row
                lines.append(f"{pad}  row")
                lines.extend(dump(c, indent + 2) for c in child)
            else:
                lines.append(dump(child, indent + 1))
    return "\n".join(lines)


NOTE_SEPARATOR = ","
"""What every writer sets, superscript, between two note marks that stand side by side (²,³, never ²³, which
reads as 23); it is text, not a note reference."""


def separated(nodes: list):
    """Yield (node, whether NOTE_SEPARATOR goes before it) for inline `nodes`: before a note whose mark follows
    another note's mark directly."""
    previous = None
    for node in nodes:
        yield node, isinstance(node, Note) and isinstance(previous, Note)
        previous = node


def plain_text(nodes: list) -> str:
    """Return the text of inline nodes without note marks, notes or formatting."""
    out = []
    for n in nodes:
        if isinstance(n, Note):
            continue
        if isinstance(n, (Text, Code)):
            out.append(n.text)
        elif isinstance(n, LineBreak):
            out.append(" ")
        elif hasattr(n, "children"):
            out.append(plain_text(n.children))
    return "".join(out)


def notes(node) -> list[Note]:
    """Return the notes inside `node` (a block, an inline or a list of them), in document order."""
    found: list[Note] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, list):
            stack.extend(reversed(n))
        elif isinstance(n, Note):
            found.append(n)
        else:
            stack.extend(reversed([getattr(n, f.name) for f in fields(n) if isinstance(getattr(n, f.name), list)]))
    return found
