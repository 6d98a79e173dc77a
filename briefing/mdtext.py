"""Markdown text helpers: escape fact text so it is never read as markup; mark trusted Markdown."""

from __future__ import annotations

import re


class Md(str):
    """A string that is already Markdown (a footnote mark, a formatted citation): not escaped again."""

    __slots__ = ()


_SPECIAL = re.compile(r"([\\`*_\[\]<>&|#~^!])")
_ATTRIBUTES = re.compile(r"\{(?=\s*(?:[.#]|[\w-]+\s*=))")
"""An opening brace that starts attributes (`{.class}`, `{#id}`, `{key=value}`): a line of them is read as the next
block's attributes. A brace that cannot start them (a wording's `{placeholder}`) stays as it is."""
_LIST_MARK = re.compile(r"^(\s*)([-+=])")
_NUMBERED = re.compile(r"^(\s*\d+)([.)])")
_CAPTION = re.compile(r"^(\s*Table):")
_MAY_NEED = re.compile(r"[\\`*_\[\]<>&|#~^!{]|^\s*(?:[-+=]|\d+[.)]|Table:)")
"""Anything any of the five patterns above could change: text without it is Markdown as it stands."""
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
"""Characters that XML and PDF text cannot hold: C0 controls, DEL, lone surrogates, U+FFFE and U+FFFF."""
_LINE_BREAK = re.compile(r"\r\n?|\n")
# Straight quotation marks become typographic ones, so body and notes (which quote titles in “ ”) agree;
# an opening mark follows the start, a space or an opening bracket or dash.
_OPEN_DOUBLE = re.compile(r'(^|[\s(\[{\u2014\u2013-])"')
_OPEN_SINGLE = re.compile(r"(^|[\s(\[{\u2014\u2013\u201c-])'")


def typographic(text: str) -> str:
    """Return `text` with straight quotation marks and apostrophes made typographic (“ ” ‘ ’)."""
    if '"' in text:
        text = _OPEN_DOUBLE.sub("\\1\u201c", text).replace('"', "\u201d")
    if "'" in text:
        text = _OPEN_SINGLE.sub("\\1\u2018", text).replace("'", "\u2019")
    return text


def escape(text: object) -> Md:
    """Return `text` as prose in Markdown: it reads back as these characters with straight quotation marks and
    apostrophes made typographic (`typographic`), so that fact text and the notes (which quote titles in “ ”)
    agree. `literal` keeps every character as it is.

    Line breaks (LF, CR LF and a bare CR, as the Markdown parser reads them) become spaces: a value
    interpolated into a template never starts a new block."""
    if isinstance(text, Md):
        return text
    return literal(typographic(str(text)))


def literal(text: object) -> Md:
    """Return `text` as Markdown that reads back as exactly these characters (line breaks become spaces): never
    read as markup, as a list, a caption (`Table: `) or attributes (`{.class}`)."""
    if isinstance(text, Md):
        return text
    s = str(text)
    if "\n" in s or "\r" in s:
        s = _LINE_BREAK.sub(" ", s)
    if not _MAY_NEED.search(s):  # most fact text: nothing to escape
        return Md(s)
    s = _SPECIAL.sub(r"\\\1", s)
    s = _ATTRIBUTES.sub(r"\\{", s)
    # At the start of a line, "- ", "+ " and "=" open blocks, and "1." or "1)" a numbered list.
    s = _LIST_MARK.sub(r"\1\\\2", s)
    s = _NUMBERED.sub(r"\1\\\2", s)
    s = _CAPTION.sub(r"\1\\:", s)  # parse.py takes a paragraph whose source starts "Table: " as a caption
    return Md(s)


def control_characters(text: str) -> list[str]:
    """Return the control characters in `text` that XML and PDF text cannot hold."""
    return sorted({f"U+{ord(c):04X}" for c in CONTROL.findall(text)})
