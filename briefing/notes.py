"""The notes of one brief while it is composed: `cite()` leaves a placeholder mark in the text, `keep()` forgets the
marks the finished text does not hold, and `finish()` numbers the rest in reading order and writes the note texts
(Chicago: full first note, short later ones). The placeholder format is known here only; the parser asks
`typed_mark_prefix()` for it."""

from __future__ import annotations

import re

from briefing import citations
from briefing.factbase import Citation, FactBase, Source
from briefing.mdtext import Md, escape

def typed_mark_prefix(nonce: str) -> str:
    """The start of every placeholder mark of the brief composed with `nonce`: a note mark in the composed text
    that does not start so was typed into a template."""
    return f"[^c{nonce}-"


class Notes:
    """Footnotes of one brief while it is composed: mark() leaves a placeholder mark, finish() numbers them."""

    def __init__(self, fb: FactBase, quotes: bool, plain: bool = False):
        import secrets

        self.fb = fb
        self.quotes = quotes
        self.plain = plain
        """Notes and the list of sources in the plain form (citations.py), for readers who are not analysts."""
        self.pending: list[tuple[Citation, ...]] = []
        self.leads: dict[int, Md] = {}
        """Text a note opens with, by its mark's number: a table row's caveat."""
        self.ids: list[tuple[str, ...]] = []
        """The ids of the facts and disputed questions each mark cites, by its number less one."""
        self.kept: set[int] | None = None
        """The numbers of the marks the finished text holds, once `keep()` has seen it; None before."""
        self.sourcing: Md | None = None
        """The sourcing note, made when the brief is finished (it counts what the brief printed)."""
        self.nonce = secrets.token_hex(6)  # a template cannot type a mark that passes for a helper's own
        self.placeholder = re.compile(re.escape(typed_mark_prefix(self.nonce)) + r"(\d+)\]")
        self.sourcing_mark = f"@@sourcing-{self.nonce}@@"
        self.bibliography_mark = f"@@bibliography-{self.nonce}@@"
        """Where the list of sources goes: written once the whole brief is known, wherever it stands."""
        self.standpoint_label: Md | None = None
        """When set, each entry of the list of sources ends with the source's standpoint under this label."""

    def mark(self, cites: tuple[Citation, ...], lead: Md | None = None, ids: tuple[str, ...] = ()) -> Md:
        """A placeholder mark for a note citing `cites` (for the facts and disputed questions `ids`), opening with
        `lead`."""
        self.pending.append(cites)
        self.ids.append(tuple(ids))
        if lead:
            self.leads[len(self.pending)] = lead
        return Md(f"{typed_mark_prefix(self.nonce)}{len(self.pending)}]")

    def keep(self, body: str) -> None:
        """Count only the marks `body` holds: a mark made for a text this audience does not print (a judgment's
        basis in a summary, say) cites nothing, and its sources and facts count nowhere."""
        self.kept = {int(mo.group(1)) for mo in self.placeholder.finditer(body)}

    def _marks(self) -> list[int]:
        """The numbers of the marks that count: all of them until `keep()` has seen the finished text."""
        return [n for n in range(1, len(self.pending) + 1) if self.kept is None or n in self.kept]

    @property
    def facts(self) -> dict[str, None]:
        """Ids of the facts and disputed questions cited, in order: what the brief prints."""
        return dict.fromkeys(i for n in self._marks() for i in self.ids[n - 1])

    def cited_sources(self) -> list[Source]:
        """The sources cited so far (once `keep()` has seen the finished text, by the marks it holds), in the fact
        base's order."""
        ids = {c.source for n in self._marks() for c in self.pending[n - 1]}
        return [s for s in self.fb.sources.values() if s.id in ids]

    def bibliography(self, standpoint: Md | None = None) -> Md:
        """Return the mark where the list of sources goes; with a label, each entry gives its standpoint."""
        self.standpoint_label = standpoint
        return Md(self.bibliography_mark)

    def _standpoint(self, s: Source) -> str:
        if self.standpoint_label is None:
            return ""
        standpoint = (s.standpoint or "").rstrip()
        if standpoint and standpoint[-1] not in ".!?":  # a sentence, whether or not the curator ended it
            standpoint += "."
        parts = [escape(standpoint)] if standpoint else []
        if not s.author and s.author_note:
            parts.append(escape(f"Writer: {s.author_note}."))
        return f" *{self.standpoint_label}:* " + " ".join(parts) if parts else ""

    def finish(self, body: str) -> str:
        """Return `body` with marks numbered in reading order and the note texts appended.

        A source's first note is in full, its later notes short (Chicago); a passage is quoted in the first note
        that cites it, and later ones give its place alone."""
        seen: set[str] = set()
        given: dict[str, set[str]] = {}
        """The quotes of each source printed so far: a later note cites the same passage by its place alone."""
        texts: list[str] = []

        def number(mo: re.Match) -> str:
            parts = []
            by_source: dict[str, list[Citation]] = {}
            for c in self.pending[int(mo.group(1)) - 1]:
                by_source.setdefault(c.source, []).append(c)
            for source_id, cites in by_source.items():
                form = citations.short_note if source_id in seen else citations.full_note
                seen.add(source_id)
                before = given.setdefault(source_id, set())
                parts.append(form(self.fb.sources[source_id], cites, self.quotes, self.plain, frozenset(before)))
                before.update(c.quote for c in cites if c.at and c.at.strip())  # one without a place stays
            lead = self.leads.get(int(mo.group(1)))
            texts.append((lead + " " if lead else "") + citations.join_note(parts))
            return f"[^{len(texts)}]"

        if self.kept is None:
            self.keep(body)
        if self.sourcing is not None:
            body = body.replace(self.sourcing_mark, self.sourcing)
        if self.bibliography_mark in body:
            cited = sorted(self.cited_sources(), key=citations.bibliography_key)
            body = body.replace(self.bibliography_mark,
                                "\n".join(f"- {citations.bibliography_entry(s, self.plain)}{self._standpoint(s)}"
                                          for s in cited))
        body = self.placeholder.sub(number, body)
        notes = "\n".join(f"[^{i}]: {t}" for i, t in enumerate(texts, 1))
        return body.rstrip("\n") + "\n" + ("\n" + notes + "\n" if notes else "")

