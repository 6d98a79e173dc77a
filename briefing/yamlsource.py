"""Read a YAML file as libyaml's parse events, turning every reading failure into a Problem."""

from __future__ import annotations

from typing import Iterator

import yaml

from briefing.errors import InputError, Problem
from briefing.inputs import FACTS_LIMIT, read_text

try:  # the C parser is several times faster; fall back to pure Python where libyaml is absent
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


def _syntax_problem(e: yaml.YAMLError, label: str, text: str) -> Problem:
    if isinstance(e, yaml.MarkedYAMLError):
        mark = e.problem_mark or e.context_mark
        message = f"YAML syntax error: {e.problem or e.context}"
        if e.context and e.problem:
            message += f" ({e.context})"
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        return Problem(label, line, column, message, "check indentation, colons and quotes on this line or the one above")
    if isinstance(e, yaml.reader.ReaderError):  # a character YAML does not allow; it has no line, only an index
        index = min(max(e.position, 0), len(text))
        line = text.count("\n", 0, index) + 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1
        return Problem(label, line, column, f"character U+{e.character:04X} is not allowed in YAML",
                       "remove it; such characters are often pasted in from PDFs or spreadsheets")
    return Problem(label, 0, 0, f"YAML error: {e}")


def document_events(path: str, label: str | None = None, limit: int = FACTS_LIMIT) -> Iterator | None:
    """Return an iterator over the parse events of the single YAML document in `path`, starting with the
    root value's first event; None when the file holds no document.

    Raises InputError, also while iterating, for an unreadable file, text that is not UTF-8, YAML
    syntax errors and a second document. `label` is the name used in messages (defaults to `path`); files
    over `limit` bytes are refused unread."""
    label = label or path
    text = read_text(path, label, limit)
    loader = _Loader(text)

    def events():
        get, document_start, documents = loader.get_event, yaml.DocumentStartEvent, 0
        try:
            while (event := get()) is not None:
                if type(event) is document_start:
                    documents += 1
                    if documents > 1:
                        line, column = event.start_mark.line + 1, event.start_mark.column + 1
                        raise InputError(Problem(label, line, column, "a second YAML document ('---') in the file",
                                                 "keep everything in one document"))
                yield event
        except yaml.YAMLError as e:
            raise InputError(_syntax_problem(e, label, text)) from None
        finally:
            loader.dispose()

    stream = events()
    for event in stream:
        if isinstance(event, yaml.DocumentStartEvent):
            return stream
        if isinstance(event, yaml.StreamEndEvent):
            return None
    return None
