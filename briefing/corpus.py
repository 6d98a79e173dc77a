"""Verify that every quote in the fact base appears in its source's text, up to typography."""

from __future__ import annotations

import difflib
import os
import re
import time

from briefing.errors import InputError, Problem
from briefing.factbase import Citation, FactBase
from briefing.inputs import SOURCE_LIMIT, read_text

_TYPOGRAPHY = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00ad": None, "\u200b": None, "\u00a0": " ", "\u202f": " ", "\u2009": " ",
})


def normalise(text: str) -> str:
    """Return `text` with quotes, dashes and spaces made uniform and soft hyphens removed."""
    return " ".join(text.translate(_TYPOGRAPHY).split())


CLOSEST_SECONDS = 2.0
"""Time spent looking for the passage closest to one missing quote; the best found so far is shown."""
SEARCH_SECONDS = 10.0
"""Time spent on closest passages for all missing quotes together."""


def closest_passage(quote: str, text: str, seconds: float = CLOSEST_SECONDS) -> str:
    """Return the passage of `text` (normalised) most like `quote`, for a mismatch report.

    The search is bounded in time: in a very large source the best passage found within `seconds`."""
    words = text.split(" ")
    n = max(1, len(quote.split(" ")))
    best, best_ratio = "", -1.0
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(quote)
    deadline = time.monotonic() + seconds
    for i in range(0, max(1, len(words) - n + 1)):
        if not i & 255 and time.monotonic() > deadline:
            break
        window = " ".join(words[i:i + n])
        matcher.set_seq1(window)
        if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_ratio = window, ratio
    return best


def verify(fb: FactBase, corpus: str, owners: set[str] | None = None) -> list[Problem]:
    """Return a problem for every quote not found in its source's file under `corpus`: the quotes of every fact
    and disputed question, or of those whose ids are in `owners` (only their sources' texts are read)."""
    problems: list[Problem] = []
    texts: dict[str, str | None] = {}
    paragraphs: dict[str, list[str]] = {}
    cites: list[tuple[str, Citation]] = [(f.id, c) for f in fb.facts.values() for c in f.cite]
    cites += [(d.id, c) for d in fb.disputes.values() for claim in d.claims for c in claim.cite]
    if owners is not None:
        cites = [(owner, c) for owner, c in cites if owner in owners]
    wanted = {c.source for _, c in cites}
    for source in fb.sources.values():
        if source.id not in wanted:
            continue
        path = os.path.join(corpus, source.file)
        try:
            raw = read_text(path, limit=SOURCE_LIMIT, characters=False)
            texts[source.id] = normalise(raw)
            paragraphs[source.id] = [normalise(line) for line in raw.split("\n") if line.strip()]
        except InputError as e:
            texts[source.id] = None
            found = e.problems[0]
            problems.append(Problem(source.origin or fb.path, source.line, 0,
                                    f"source {source.id!r}: {found.file}: {found.message}",
                                    e.problems[0].hint or "check `file:` and the --corpus folder"))
    deadline = time.monotonic() + SEARCH_SECONDS
    for owner, c in cites:
        text = texts.get(c.source)
        if text is None:
            continue
        quote = normalise(c.quote)
        if quote in text:
            problem = _locator_problem(fb, c, quote, paragraphs[c.source], owner)
            if problem:
                problems.append(problem)
            continue
        left = deadline - time.monotonic()
        near = closest_passage(quote, text, min(CLOSEST_SECONDS, left)) if left > 0 else None
        problems.append(Problem(c.origin or fb.path, c.line, c.column,
                                f"{owner}: quote not found in {fb.sources[c.source].file}: {c.quote!r}",
                                f"closest passage: {near!r}" if near is not None else
                                "(no closest passage: the time for searching the sources is used up)"))
    return problems


def _locator_problem(fb: FactBase, c: Citation, quote: str, paragraphs: list[str], owner: str) -> Problem | None:
    """A `para. N` locator must name a paragraph (non-empty line of the text file) that holds the quote."""
    mo = re.fullmatch(r"paras?\. ([\d, –-]+)", c.at or "")
    if not mo:
        return None
    wanted = [int(n) for n in re.findall(r"\d+", mo.group(1))]
    if any(1 <= n <= len(paragraphs) and quote in paragraphs[n - 1] for n in wanted):
        return None
    actual = [i for i, p in enumerate(paragraphs, 1) if quote in p]
    if not actual:  # the quote spans paragraphs; the locator cannot be checked line by line
        return None
    return Problem(c.origin or fb.path, c.line, c.column, f"{owner}: the quote is in para. {actual[0]}, not {c.at}",
                   f"set `at: para. {actual[0]}` (paragraphs are the non-empty lines of {fb.sources[c.source].file})")
