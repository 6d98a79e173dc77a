"""Read a YAML file as libyaml's parse events, turning every reading failure into a Problem."""

from __future__ import annotations

import yaml

from briefing.errors import InputError, Problem
from briefing.inputs import FACTS_LIMIT, decode, read_bytes

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

    def __init__(self, path: str, label: str | None = None, limit: int = FACTS_LIMIT):
        """Read the file; raise InputError for an unreadable file, one over `limit` bytes, or text that is not
        UTF-8 or holds control characters. `label` is the file's name in messages (defaults to `path`)."""
        self.label = label or path
        data = read_bytes(path, self.label, limit)
        decode(data, self.label)  # only to check the text; the parser reads the bytes themselves (no copy)
        self.data = data
        self._loader = _Loader(data)
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
