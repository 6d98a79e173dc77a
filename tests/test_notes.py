"""The notes of a brief count only the marks its finished text holds: a mark left in a text the audience does not
print (a judgment's basis in a summary) cites nothing, so its source counts neither in the sourcing note nor in the
list of sources, and its facts count as unprinted."""

from __future__ import annotations

import datetime as dt

from briefing.factbase import Citation, FactBase, Meta, Source
from briefing.notes import Notes


def _source(id_: str, author: str) -> Source:
    return Source(id_, f"A piece by {author}", author, None, "The Courier", dt.date(2024, 11, 29), None, "news", None,
                  None, f"{id_}.txt", 1)


def _fact_base() -> FactBase:
    sources = {s.id: s for s in (_source("kept", "Ann Kept"), _source("dropped", "Bo Dropped"))}
    return FactBase("facts.yaml", Meta("Test", "Desk", dt.date(2024, 11, 30), "en-GB"), sources, {}, {})


def test_a_mark_the_finished_text_does_not_hold_counts_for_nothing():
    notes = Notes(_fact_base(), quotes=False)
    kept = notes.mark((Citation("kept", "words", "para. 1", 1, 1),), ids=("fact.kept",))
    dropped = notes.mark((Citation("dropped", "other words", "para. 2", 2, 1),), ids=("fact.dropped",))
    assert [s.id for s in notes.cited_sources()] == ["kept", "dropped"]  # while the brief is composed
    body = f"A sentence.{kept}\n\n{notes.bibliography()}\n"
    assert dropped not in body
    notes.keep(body)
    assert [s.id for s in notes.cited_sources()] == ["kept"]
    assert list(notes.facts) == ["fact.kept"]
    out = notes.finish(body)
    assert "A sentence.[^1]" in out and "[^2]" not in out
    assert "Kept" in out and "Dropped" not in out  # neither in the notes nor in the list of sources


def test_finish_keeps_the_marks_of_the_text_it_is_given_when_nothing_was_kept_before():
    notes = Notes(_fact_base(), quotes=False)
    notes.mark((Citation("kept", "words", "para. 1", 1, 1),), ids=("fact.kept",))
    dropped = notes.mark((Citation("dropped", "other words", "para. 2", 2, 1),), ids=("fact.dropped",))
    out = notes.finish(f"Only this.{dropped}\n")
    assert "Only this.[^1]" in out and "Dropped" in out and "Kept" not in out
    assert list(notes.facts) == ["fact.dropped"]
