"""Lints of `briefing check`: does each fact say only what its quotes support?

- every number, amount, year and date a fact states appears in one of its quotes, or is marked derived;
- a fact that only opinion pieces support is an attributed assessment, or says why not;
- a fact that only promotional or opinion pieces support states its confidence, rather than taking the default;
- a disputed question's claims really differ;
- how many facts reach no brief (information, not an error).
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal, InvalidOperation

from briefing.errors import Problem
from briefing.factbase import MONTHS, Dispute, FactBase, Value

_WORDS = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
               "hundred": 100, "dozen": 12})
_SCALES = {"thousand": 10**3, "lakh": 10**5, "lakhs": 10**5, "million": 10**6, "m": 10**6, "mn": 10**6,
           "crore": 10**7, "crores": 10**7, "billion": 10**9, "bn": 10**9, "trillion": 10**12}
# 50,000,000 and the South Asian 5,00,00,000; then an optional scale word ("17 million", "2 crore").
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d{1,2}(?:,\d\d)+,\d{3}|\d+)(?:\.(\d+))?"
                     r"(?:\s*(thousand|lakhs?|million|crores?|billion|trillion|mn|bn|m)\b)?", re.IGNORECASE)
# 2025–27 (not the middle of a date such as 2024-11-25)
_YEAR_RANGE = re.compile(r"(?<![\d-])((?:19|20)\d\d)\s*[-–—/]\s*(\d\d)\b(?![-/]\d)")
_WORD = re.compile(r"[a-z]+")
# "may" is a verb far more often than a month: only a capitalised May counts (see months()).
_MONTH_NAMES = {name.lower(): i for i, m in enumerate(MONTHS, 1) for name in (m, m[:3]) if m != "May"}


def _clean(text: str) -> str:
    return (text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ")
            .replace("–", "-").replace("—", "-").replace("‑", "-"))


def numbers(text: str) -> set[Decimal]:
    """Return every quantity written in `text`, as exact numbers.

    `$50 million`, `US$50 million`, `50,000,000` and `fifty million` all give 50000000; `2025–27` gives 2025 and
    2027 (and 27); `three-day` gives 3; a percentage gives its number. "One" and "the two" are not figures."""
    text = _clean(text)
    found: set[Decimal] = set()
    for mo in _NUMBER.finditer(text):
        whole, frac, scale = mo.groups()
        try:
            n = Decimal(whole.replace(",", "") + ("." + frac if frac else ""))
        except InvalidOperation:  # pragma: no cover - the pattern admits only digits
            continue
        if scale:
            n *= _SCALES[scale.lower()]
        found.add(n.normalize())
    for mo in _YEAR_RANGE.finditer(text):
        found.add(Decimal(mo.group(1)[:2] + mo.group(2)))
    words = _WORD.findall(text.lower())
    for i, w in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else ""
        scale = _SCALES[nxt] if nxt in _SCALES and nxt not in ("m", "mn", "bn") else 1
        # "one" is a pronoun more often than a figure, and "the two" names a pair (the two countries); but
        # "one million" and "a million" are figures.
        if w in ("one", "a") and scale > 1:
            found.add(Decimal(scale).normalize())
            continue
        if w not in _WORDS or w == "one" or (w == "two" and i and words[i - 1] == "the"):
            continue
        if w == "hundred" and i and _WORDS.get(words[i - 1], 10) < 10:
            continue  # counted with its units ("two hundred")
        n = _WORDS[w]
        if 20 <= n < 100 and n % 10 == 0 and _WORDS.get(nxt, 10) < 10:  # twenty-five
            continue  # counted with its units below
        if i and n < 10 and _WORDS.get(words[i - 1], 0) in range(20, 100, 10):
            n += _WORDS[words[i - 1]]
        if nxt == "hundred" and n < 10:  # two hundred
            n *= 100
        found.add((Decimal(n) * scale).normalize())
    return found


def months(text: str) -> set[int]:
    """Return the months named in `text` (January = 1)."""
    found = {_MONTH_NAMES[w] for w in _WORD.findall(text.lower()) if w in _MONTH_NAMES}
    return found | {5} if re.search(r"\bMay\b", text) else found


def _date_parts(d: _dt.date | int) -> tuple[set[Decimal], set[int]]:
    """The numbers and months a quote must give for a date; a bare year needs only the year."""
    if isinstance(d, int):
        return {Decimal(d)}, set()
    return {Decimal(d.year), Decimal(d.day)}, {d.month}


def _value_parts(v: Value) -> list[tuple[str, set[Decimal], set[int]]]:
    """Each quantity and date of a typed value, with what a quote must give for it: (how it reads, numbers, months)."""
    parts: list[tuple[str, set[Decimal], set[int]]] = []
    if v.amount is not None:
        parts.append((str(v), {Decimal(str(v.amount)).normalize()}, set()))
    if v.year is not None:
        parts.append((str(v.year), {Decimal(v.year)}, set()))
    for d in (v.date, v.start, v.end):
        if d is not None:
            parts.append((_show(d), *_date_parts(d)))
    if v.as_of is not None:
        parts.append(("as of " + _show(v.as_of), *_date_parts(v.as_of)))
    return parts


def _show(d: _dt.date | int) -> str:
    return str(d) if isinstance(d, int) else d.isoformat()


def provenance(fb: FactBase) -> list[Problem]:
    """Every figure and date in a fact's statement, label and value must appear in one of its quotes, unless derived."""
    problems = []
    for f in fb.facts.values():
        quoted = " ".join(c.quote for c in f.cite)
        have, have_months = numbers(quoted), months(quoted)
        derived: set[Decimal] = set()
        for d in f.derived:
            derived |= numbers(d.value)
            derived |= {Decimal(x) for x in re.findall(r"\d+", d.value)}
        missing: list[tuple[str, str]] = []
        derived_months = months(" ".join(d.value for d in f.derived))
        for field in ("statement", "label"):
            text = getattr(f, field) or ""
            for n in sorted(numbers(text) - have - derived):
                missing.append((field, _number_text(n)))
            for m in sorted(months(text) - have_months - derived_months):
                missing.append((field, MONTHS[m - 1]))
        if f.value is not None:
            for shown, need, need_months in _value_parts(f.value):
                if (need - have - derived) or (need_months - have_months - derived_months):
                    missing.append(("value", shown))
        for field, what in missing:
            line, column = f.positions.get(field, (f.line, 1))
            problems.append(Problem(fb.path, line, column,
                                    f"fact {f.id!r}: {what} (in its {field}) is in none of its quotes",
                                    "quote the words that give it, or, if you worked it out, say how under "
                                    "`derived:` (value, how, from) so it prints as an estimate"))
    return problems


def _number_text(n: Decimal) -> str:
    """A number as a reader writes it: 2024, 17,000,000, 12.5."""
    if n != n.to_integral_value():
        return f"{n:f}".rstrip("0")
    return f"{int(n):,}" if n >= 10000 else str(int(n))


OPINION_KINDS = frozenset(("opinion",))


def opinion_only(fb: FactBase) -> list[Problem]:
    """A fact that only opinion pieces support must be an attributed assessment (or justify itself)."""
    problems = []
    for f in fb.facts.values():
        if f.kind in ("assessment", "unconfirmed") or f.justification:
            continue
        if all(fb.sources[s].kind in OPINION_KINDS for s in f.source_ids):
            line, column = f.positions.get("kind", (f.line, 1))
            names = ", ".join(f.source_ids)
            problems.append(Problem(fb.path, line, column,
                                    f"fact {f.id!r} is stated as {f.kind} but only opinion pieces support it "
                                    f"({names})",
                                    "make it `kind: assessment` with `by:` naming the writer, cite a source that "
                                    "reports it, or give the reason it may stand under `justification:`"))
    return problems


UNCORROBORATED_KINDS = frozenset(("opinion", "promotional"))


def confidence_stated(fb: FactBase) -> list[Problem]:
    """A fact that only promotional or opinion pieces support must say how sure the desk is (no default `high`)."""
    problems = []
    for f in fb.facts.values():
        if "confidence" in f.positions:
            continue
        kinds = sorted({fb.sources[s].kind for s in f.source_ids})
        if all(k in UNCORROBORATED_KINDS for k in kinds):
            line, column = f.positions.get("statement", (f.line, 1))
            problems.append(Problem(fb.path, line, column,
                                    f"fact {f.id!r} rests only on {' and '.join(kinds)} sources "
                                    f"({', '.join(f.source_ids)}) but does not state its confidence",
                                    "add `confidence:` (high, moderate or low); a single promotional or opinion "
                                    "source seldom justifies high"))
    return problems


def _conflict(a: Value, b: Value) -> bool:
    if a.type != b.type:
        return False
    return (a.amount, a.date, a.start, a.end, a.year) != (b.amount, b.date, b.start, b.end, b.year)


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(_clean(text).lower()))


def agreeing(fb: FactBase) -> list[Problem]:
    """A disputed question whose claims agree is not a dispute."""
    problems = []
    for d in fb.disputes.values():
        reason = _agreement(d)
        if reason:
            problems.append(Problem(fb.path, d.line, 5, f"disputed question {d.id!r}: its claims agree ({reason})",
                                    "if the sources agree, make it one fact citing them all; keep a disputed "
                                    "question for claims that cannot all be true"))
    return problems


def _agreement(d: Dispute) -> str:
    values = [c.value for c in d.claims]
    if all(values):
        if not any(_conflict(a, b) for i, a in enumerate(values) for b in values[i + 1:]):
            return "no two values of the same kind differ"
        return ""
    texts = {_norm(c.claim) for c in d.claims}
    return "every claim says the same" if len(texts) == 1 else ""


def unused(fb: FactBase, used: set[str]) -> list[str]:
    """Return the ids of the facts no brief prints."""
    return [i for i in fb.facts if i not in used]


def lint(fb: FactBase) -> list[Problem]:
    """Return every problem the fact-integrity lints find."""
    return provenance(fb) + opinion_only(fb) + confidence_stated(fb) + agreeing(fb)
