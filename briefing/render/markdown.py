"""Markdown: the composed brief as it is, under a YAML metadata block (title, date, audience, handling...) that
pandoc reads as the document's metadata, so a forwarded .md keeps its handling marking."""

from __future__ import annotations

import hashlib
import re

from briefing import model as m
from briefing.mdtext import literal

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\"\\\\]")
"""What a YAML double-quoted scalar cannot hold as it is: controls, line and paragraph separators, the byte-order
mark, lone surrogates, the quotation mark and the backslash."""


def _quoted(text: str) -> str:
    """`text` as a YAML double-quoted scalar that reads back as exactly these characters."""
    def escape(match: re.Match) -> str:
        c = match.group()
        return "\\" + c if c in '"\\' else f"\\u{ord(c):04x}"

    return '"' + _UNSAFE.sub(escape, text) + '"'


def metadata_block(meta: m.Meta) -> str:
    """The brief's metadata as a YAML block between `---` lines, each value quoted, and as Markdown text that
    reads back as its characters (pandoc reads metadata values as Markdown)."""
    fields = [("title", meta.title), ("subtitle", meta.subtitle),
              ("date", meta.date.isoformat() if meta.date else ""), ("audience", meta.audience),
              ("handling", meta.handling), ("author", meta.author), ("organisation", meta.author),
              ("subject", meta.subject), ("lang", meta.language)]
    lines = [f"{key}: {_quoted(str(literal(value)))}" for key, value in fields if value]
    if meta.keywords:
        lines.append("keywords: [" + ", ".join(_quoted(str(literal(k))) for k in meta.keywords) + "]")
    return "---\n" + "\n".join(lines) + "\n---\n\n"


def render(markdown: str, meta: m.Meta) -> bytes:
    """Return the .md file's bytes: the metadata block, then the composed Markdown; the same input always gives
    the same bytes."""
    return (metadata_block(meta) + markdown).encode("utf-8")


def digest() -> str:
    """The digest of this writer's code: a build's key for a .md file, which changes when what it writes does."""
    with open(__file__, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()
