"""Read YAML text: as libyaml's parse events (every reading failure a Problem), or, faster, as plain lines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml

from briefing.errors import InputError, Problem

try:  # the C parser is several times faster; fall back to pure Python where libyaml is absent
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


def _line_column(data: bytes, offset: int) -> tuple[int, int]:
    """The 1-based line and column (in characters) of a byte offset into UTF-8 `data`."""
    offset = min(max(offset, 0), len(data))
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", "replace"))
    return data.count(b"\n", 0, offset) + 1, column + 1


class Events:
    """The parse events of the single YAML document in one file, one at a time.

    `start()` positions it on the root value's first event; `next()` returns each following event;
    `finish()` reads past the document, refusing a second one. A YAMLError raised by any of them is turned
    into a Problem by `problem()`; the caller raises it (see `schema.read_document`)."""

    def __init__(self, data: bytes, label: str):
        """Parse `data`, the bytes of a file already read and checked (`inputs.read_bytes`, `inputs.decode`);
        `label` is the file's name in messages."""
        self.label = label
        self.data = data
        self._loader = _Loader(data)  # the parser reads the bytes themselves (no copy)
        self.next = self._loader.get_event
        """Return the next parse event."""

    def start(self):
        """Return the root value's first event, or None when the file holds no document."""
        while (event := self.next()) is not None:
            if type(event) is yaml.DocumentStartEvent:
                return self.next()
            if type(event) is yaml.StreamEndEvent:
                return None
        return None

    def finish(self) -> None:
        """Read the rest of the stream: the parser reports anything wrong after the document here."""
        documents = 1
        while (event := self.next()) is not None:
            if type(event) is yaml.DocumentStartEvent:
                documents += 1
                line, column = event.start_mark.line + 1, event.start_mark.column + 1
                raise InputError(Problem(self.label, line, column, "a second YAML document ('---') in the file",
                                         "keep everything in one document"))

    def close(self) -> None:
        self._loader.dispose()

    def problem(self, e: yaml.YAMLError) -> Problem:
        """The Problem a YAML syntax error stands for, at its position."""
        label = self.label
        if isinstance(e, yaml.MarkedYAMLError):
            mark = e.problem_mark or e.context_mark
            message = f"YAML syntax error: {e.problem or e.context}"
            if e.context and e.problem:
                message += f" ({e.context})"
            line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
            return Problem(label, line, column, message,
                           "check indentation, colons and quotes on this line or the one above")
        if isinstance(e, yaml.reader.ReaderError):  # a character YAML does not allow; it has only an offset
            line, column = _line_column(self.data, e.position)
            return Problem(label, line, column, f"character U+{e.character:04X} is not allowed in YAML",
                           "remove it; such characters are often pasted in from PDFs or spreadsheets")
        return Problem(label, 0, 0, f"YAML error: {e}")


# --- the plain block style, a line at a time -----------------------------------------------------------------
#
# A fact base of 100,000 facts is 3.8 million parse events: making a Python object of each costs four times
# what libyaml's parsing does. Most files are written in a narrow style: one key or list item a line, each
# value on the line of its key (a plain word or sentence, quoted text, a flow list or mapping of such), and
# comments. `plain_rows` and `value` read that style a line at a time, as libyaml would read it, and raise
# Unplain at anything else (a tab, a block scalar, a value continued on the next line, most escapes, an anchor,
# a tag); the caller then reads the file's events instead, which also name any syntax error.

class Unplain(Exception):
    """The text uses YAML that the plain reading does not follow (libyaml's events do)."""


_DOUBLE = r'"(?:[^"\\\n]|\\["\\])*+"'
"""A double-quoted scalar on one line, whose only escapes are \\" and \\\\ (see `unquote`)."""
_ROW = re.compile(r"""^( *)(- )?(?:([A-Za-z0-9_][A-Za-z0-9_-]{0,99}):(?: |$))?(?:("[^"\\\n]*")|"""
                  r"""([^ \n"'\[{#&*!|>%@`?:,\]}-][^:#\n]*+(?:(?::(?=\S)|(?<! )#)[^:#\n]*+)*+(?<![ :]))|(.*))$""",
                  re.M)
"""A line, as a row of plain_rows: a plain scalar has no `: ` or ` #` within and no space or colon at its end."""
_BEYOND = re.compile("[\x80-\x9f\u2028\u2029\ufeff]")
"""Characters libyaml reads in ways the plain reading does not follow: other line breaks, C1 controls, BOMs."""
_NOT_PLAIN = frozenset("-?:,[]{}#&*!|>'\"%@`")
"""Characters that cannot start a plain scalar, or that start one in ways the plain reading does not follow."""
_TOKEN = rf"""({_DOUBLE}|'(?:[^']|'')*'|[^\s,\[\]{{}}#&*!|>'"%@`?:-][^,\[\]{{}}#:]*?) *"""
"""A scalar in a flow list or mapping: quoted, or plain without a colon or a comment."""
_FLOW_ITEM = re.compile(" *" + _TOKEN + "([],])")
_PLAIN_ITEM = r"[^\s,\[\]{}#&*!|>'\"%@`?:-](?:[^\s,\[\]{}#:]+| (?=[^\s,\[\]{}#:]))*+"
_PLAIN_LIST = re.compile(rf"\[ *({_PLAIN_ITEM}(?: *, *{_PLAIN_ITEM})*) *\]")
"""A flow list of plain scalars, as most are."""
_PLAIN_ENTRY = rf"[A-Za-z0-9_][A-Za-z0-9_-]{{0,99}}: +{_PLAIN_ITEM}"
_PLAIN_MAP = re.compile(rf"\{{ *({_PLAIN_ENTRY}(?: *, *{_PLAIN_ENTRY})*) *\}}")
"""A flow mapping of plain scalars, as most are."""
_FLOW_ENTRY = re.compile(r" *([A-Za-z0-9_][A-Za-z0-9_-]{0,99}): +" + _TOKEN + "([,}])")
_SINGLE = re.compile(r"'(?:[^']|'')*'")
_DOUBLE_SCALAR = re.compile(_DOUBLE)
_ESCAPE = re.compile(r'\\(["\\])')
_TAIL = re.compile(r"(?: +#.*| *)")
"""What may follow a quoted scalar or a flow collection on its line: spaces, then perhaps a comment."""
_CHUNK = 1 << 18
"""Characters read into rows at a time (rows for all the lines of a large file would take much memory)."""


def plain_rows(text: str) -> Iterator[list[tuple[str, str, str, str, str, str]]]:
    """Each line of `text`, split as the plain block style writes it, a list of lines at a time; raise Unplain
    at a tab, a carriage return or a character in _BEYOND.

    A line is a row (indent, dash, key, quoted, plain, other), each an empty string where absent: the line's
    `indent`; a list item's `dash` ('- '); a `key`, written with a colon and a space (or the line's end) after
    it. The value is then `quoted`, a double-quoted scalar without escapes, with its quotes; or `plain`, a plain
    scalar (no `: ` or ` #` within, no space or colon at its end, which libyaml reads otherwise); or `other`:
    nothing, or what `value()` reads (a comment, a flow list, a value after more spaces, escapes...). A quoted or
    plain value ends its line and starts right after the space that follows a dash or a key."""
    start = 0
    while start < len(text):
        end = text.find("\n", start + _CHUNK)
        if end < 0:
            end = len(text)
        chunk = text[start:end]
        if "\t" in chunk or "\r" in chunk or (not chunk.isascii() and _BEYOND.search(chunk)):
            raise Unplain
        yield _ROW.findall(chunk)
        start = end + 1


def value(rest: str, column: int) -> tuple[Any, str | None, int]:
    """Return the value that `rest`, the `other` of a row, holds, and its 1-based column: a scalar's text and
    its style ('' plain, "'" or '"' quoted), a flow list's items as (text, style) with style '[', a flow
    mapping's entries as (key, text, style, 1-based column) with style '{', or None and style None for nothing
    (spaces, a comment); `column` is where `rest` starts (0-based). Raise Unplain where the plain reading does
    not follow the value (an escape other than \\" and \\\\, a block scalar, a value that goes on to the next line,
    a collection within a flow collection, an anchor, a tag) or libyaml would refuse it."""
    if rest[0] == " ":
        stripped = rest.lstrip(" ")
        column += len(rest) - len(stripped)
        rest = stripped
    if not rest or rest[0] == "#":
        return None, None, column + 1
    first = rest[0]
    if first == '"':
        m = _DOUBLE_SCALAR.match(rest)
        if m is None:
            raise Unplain  # an escape it does not read, or text that goes on to the next line
        end = m.end()
        found, style = unquote(m[0]), '"'
    elif first == "'":
        m = _SINGLE.match(rest)
        if m is None:
            raise Unplain
        end = m.end()
        found, style = rest[1:end - 1].replace("''", "'"), "'"
    elif first == "[" or first == "{":
        found, end = _flow(rest, column)
        style = first
    elif first in _NOT_PLAIN:
        raise Unplain
    else:  # a plain scalar with a comment after it, or spaces
        cut = rest.find(" #")
        found = (rest if cut < 0 else rest[:cut]).rstrip(" ")
        if ": " in found or found[-1] == ":":
            raise Unplain  # libyaml refuses it
        return found, "", column + 1
    if not _TAIL.fullmatch(rest, end):
        raise Unplain
    return found, style, column + 1


def unquote(token: str) -> str:
    """The text of a double-quoted scalar written as `token` (see _DOUBLE)."""
    text = token[1:-1]
    return _ESCAPE.sub(r"\1", text) if "\\" in text else text


def _scalar(token: str) -> tuple[str, str]:
    """The text and style of a scalar written as `token` (see _TOKEN)."""
    quote = token[0]
    if quote == '"':
        return unquote(token), quote
    if quote == "'":
        return token[1:-1].replace("''", "'"), quote
    return token, ""


def _flow(rest: str, column: int) -> tuple[list, int]:
    """The items (text, style) of the flow list, or the entries (key, text, style, 1-based column) of the flow
    mapping, that `rest` (from 0-based `column` on) starts with; and where it ends in `rest`."""
    if rest[0] == "[":
        m = _PLAIN_LIST.match(rest)
        if m is not None:
            return [(item.strip(" "), "") for item in m[1].split(",")], m.end()
        pattern, close, entries = _FLOW_ITEM, "]", False
    else:
        m = _PLAIN_MAP.match(rest)
        if m is not None:
            out = []
            at = column + m.start(1)  # where each entry starts
            for entry in m[1].split(","):
                key, _, found = entry.partition(":")
                stripped = found.lstrip(" ")
                out.append((key.strip(" "), stripped.rstrip(" "), "", at + len(key) + len(found) - len(stripped) + 2))
                at += len(entry) + 1
            return out, m.end()
        pattern, close, entries = _FLOW_ENTRY, "}", True
    out: list = []
    if rest[1:].lstrip(" ")[:1] == close:  # [] or {}
        return out, rest.index(close) + 1
    at = 1
    while True:
        m = pattern.match(rest, at)
        if m is None:  # a collection within, a line break, a colon in a plain scalar, ...
            raise Unplain
        if entries:
            out.append((m[1], *_scalar(m[2]), column + m.start(2) + 1))
        else:
            out.append(_scalar(m[1]))
        at = m.end()
        if m[m.lastindex] == close:
            return out, at
