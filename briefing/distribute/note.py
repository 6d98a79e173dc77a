"""The change note of a revised copy: what changed since the copy a reader holds, as that reader's version prints
it, for the cover message and for the one-page sheet that goes with the copy.

The note is computed from the version the reader holds (what the ledger kept of it) and the version they are
sent, cut down to the changes that reach what their brief prints for their audience (`briefing.diff.Reach`),
and worded for that audience: notes without quotes are told "sources changed", never "quotes changed".

The sheet is a document of its own, laid out by the brief's own PDF writer from the brief's title block and
running lines: the same handling marking, header and footer ("Page 1 of 1"), fonts and tagging as the brief.
It is a separate file rather than a page added to the copy, so that the copy stays the brief exactly as every
reader of that version has it: its pages say "Page N of M" truly, an audience's page limit holds, and the copy
is the shared layout plus the stamp, as a first copy is (docs/distribute.md, "What changed")."""

from __future__ import annotations

import datetime as _dt

LIMIT = 12
"""At most this many lines; the last then says how many more changes there are."""
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def long_date(iso: str) -> str:
    """`2026-11-26T11:14:46Z` -> `26 November 2026`."""
    d = _dt.date.fromisoformat(iso[:10])
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


class ChangeNote:
    """What changed in a brief since the copy a reader holds: for the cover template (`changes`) and the sheet."""

    def __init__(self, since: str, lines: list[str]):
        self.since = since
        """The date of the reader's copy, e.g. `26 November 2026`."""
        self.lines = lines
        """One line per change."""

    @property
    def title(self) -> str:
        return f"Changes since your copy of {self.since}"

    def __str__(self) -> str:
        return self.title + ":\n" + "\n".join(f"- {line}" for line in self.lines)


class ChangeNotes:
    """The change notes of one run's revisions and their sheets: each note computed once per pair of versions and
    audience, each sheet laid out once per note."""

    def __init__(self, project, ledger):
        self.project = project
        self.ledger = ledger
        self._reach = None
        self._lines: dict[tuple, list[str]] = {}
        self._summaries: dict[str, dict] = {}
        self._sheets: dict[tuple, bytes] = {}
        self._writer = None

    def summary(self, version) -> dict:
        """What a version of a brief prints, as the ledger keeps it: its facts and disputed questions, and the
        brief's key judgments."""
        from briefing.diff import snapshot

        if version.digest not in self._summaries:
            p = self.project
            self._summaries[version.digest] = snapshot(p.facts, p.judgments, ids=version.used, briefs={version.brief},
                                                       markdown=version.markdown or None)
        return self._summaries[version.digest]

    def note(self, job) -> ChangeNote | None:
        """Return the change note of a revision, computed from the version the reader holds at this destination;
        None for a first copy."""
        if job.earlier is None:
            return None
        since = long_date(job.earlier.time)
        if job.reissue:
            return ChangeNote(since, ["Nothing in the text has changed: this copy is reissued (its layout or "
                                      "production changed)."])
        key = (job.earlier.version, job.version.digest, job.recipient.audience)
        if key not in self._lines:
            self._lines[key] = self._changed(job)
        lines = self._lines[key]
        if job.earlier.audience != job.recipient.audience:  # the list moved the reader to another audience
            audiences = self.project.audiences
            label = lambda name: audiences[name].label if name in audiences else name  # noqa: E731
            lines = [f"This copy is the version for {label(job.recipient.audience)}; your earlier copy was the "
                     f"version for {label(job.earlier.audience)}."] + lines
        return ChangeNote(since, lines)

    def _changed(self, job) -> list[str]:
        from briefing.diff import Reach, changes, note_lines

        old = self.ledger.summary(job.earlier.version)
        if old is None:
            return ["The ledger does not hold what your earlier copy said (it was sent by an older briefing), so the "
                    "changes cannot be listed; please read this copy whole."]
        if self._reach is None:
            self._reach = Reach(self.project)
        v = job.version
        found = self._reach.narrowed(changes(old, self.summary(v)), v.brief, v.audience, v.digest)
        lines = note_lines(found, LIMIT, self.project.audiences[v.audience], self.project)
        return lines or ["The facts and key judgments are as they were; the wording of the brief has been revised."]

    def sheet(self, job, note: ChangeNote) -> bytes:
        """Return the sheet of a change note (not yet stamped): one page in the house style, under the brief's
        title block and running lines."""
        from dataclasses import replace

        from briefing.build import build_time
        from briefing.mdtext import escape, typographic
        from briefing.parse import parse
        from briefing.render.pdf import PdfWriter

        meta = job.version.meta
        key = (job.version.digest, note.title, tuple(note.lines))
        if key not in self._sheets:
            lead = ("This sheet comes with your revised copy of the brief and is not part of it. What changed in "
                    "the brief as you receive it:")
            markdown = escape(lead) + "\n\n" + "".join(f"- {escape(line)}\n" for line in note.lines)
            doc = parse(markdown, replace(meta, title=typographic(note.title), subtitle=meta.title))
            if self._writer is None:
                self._writer = PdfWriter(self.project.style)
            self._sheets[key] = self._writer.render(doc, build_time(self.project.facts))
        return self._sheets[key]
