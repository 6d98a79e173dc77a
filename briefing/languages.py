"""Which language a run of text is in, told by its script: what every writer tags as a span of another
language (and of another direction)."""

from __future__ import annotations

import re

# Runs of text in a script the document's language is not written in, and the language each is tagged as.
_SCRIPTS = [("ru", "\u0400-\u04ff"), ("zh", "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"),
            ("ur", "\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff"), ("he", "\u0590-\u05ff\ufb1d-\ufb4f")]
RIGHT_TO_LEFT = ("ur", "he")
"""The languages of _SCRIPTS written right to left: drawn in visual order, so tagged with their logical text."""
_SCRIPT_RUN = re.compile("|".join(f"(?P<{lang}>[{chars}]+(?:[\\s\u00b7\u060c]+[{chars}]+)*)"
                                  for lang, chars in _SCRIPTS))


def language_runs(text: str) -> list[tuple[str | None, str]]:
    """Return `text` cut into (language, run): runs of Cyrillic (ru), Chinese (zh) or Arabic-script (ur)
    text with their language, the rest with None."""
    if text.isascii():  # most text: no other script
        return [(None, text)] if text else []
    out, at = [], 0
    for mo in _SCRIPT_RUN.finditer(text):
        if mo.start() > at:
            out.append((None, text[at:mo.start()]))
        out.append((mo.lastgroup, mo.group(0)))
        at = mo.end()
    if at < len(text):
        out.append((None, text[at:]))
    return out
