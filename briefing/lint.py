"""Lints of `briefing check`: does each fact say only what its quotes support, and no more surely than the desk's rule
allows?

- every number, amount, year and date a fact states (statement, label, value, caveat) appears in one of its
  quotes, or is marked derived;
- a fact that only opinion pieces support is an attributed assessment, or says why not;
- a fact resting on one unsigned or undated source, or only on promotional or opinion pieces, states its
  confidence, and one resting on a single such source (or whose figure only one such source gives) is not `high`;
- a disputed question's claims really differ, in typed values that measure the same thing; each claim says who
  makes it; every figure in its claims, question and desk note comes from a quote (a figure the desk inferred
  carries its mark);
- how many facts reach no brief (information, not an error).

The figure checks (`unsupported`) serve the judgments' lints too (briefing/judgments.py).
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal, InvalidOperation

from briefing.errors import Problem, did_you_mean
from briefing.factbase import MONTHS, Dispute, Fact, FactBase, Source, Value

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


def _file(fb: FactBase, record: Fact | Dispute) -> str:
    """The fact-base file that holds `record`, as messages name it: in a base of several files, its own."""
    return record.origin or fb.path


def provenance(fb: FactBase) -> list[Problem]:
    """Every figure and date in a fact's statement, label, value and caveat must appear in one of its quotes, unless
    derived."""
    problems = []
    for f in fb.facts.values():
        quoted = " ".join(c.quote for c in f.cite)
        have, have_months = numbers(quoted), months(quoted)
        derived, derived_months = _derived(f)
        missing: list[tuple[str, str]] = []
        for field in ("statement", "label", "caveat"):
            for shown, need, need_months in figures(getattr(f, field) or ""):
                if (need - have - derived) or (need_months - have_months - derived_months):
                    missing.append((field, shown))
        if f.value is not None:
            for shown, need, need_months in _value_parts(f.value):
                if (need - have - derived) or (need_months - have_months - derived_months):
                    missing.append(("value", shown))
        for field, what in missing:
            line, column = f.positions.get(field, (f.line, 1))
            problems.append(Problem(_file(fb, f), line, column,
                                    f"fact {f.id!r}: {what} (in its {field}) is in none of its quotes",
                                    "quote the words that give it, or, if you worked it out, say how under "
                                    "`derived:` (value, how, from) so it prints as an estimate"))
    return problems


def _derived(f: Fact) -> tuple[set[Decimal], set[int]]:
    """The numbers and months a fact's `derived:` entries give."""
    found: set[Decimal] = set()
    for d in f.derived:
        found |= numbers(d.value)
        found |= {Decimal(x) for x in re.findall(r"\d+", d.value)}
    return found, months(" ".join(d.value for d in f.derived))


# A fact named inside a text a reader sees (a judgment's basis or action, a desk note): `[@trade.volume-2023]`.
# The brief prints the fact's hedges and a note citing its sources where the reference stands.
INLINE_REF = re.compile(r"\[@([A-Za-z0-9][\w.-]*[A-Za-z0-9])\]")


def inline_refs(text: str | None) -> list[str]:
    """The ids of the facts `text` names inline, in order, each once."""
    return list(dict.fromkeys(INLINE_REF.findall(text or "")))


_MONTH = "|".join(sorted({m for m in MONTHS} | {m[:3] for m in MONTHS}, key=len, reverse=True))
# A date with its day: "2 December", "2 December 2026", "December 2, 2026" — one figure, not a day and a month.
_DAY_DATE = re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTH})\b(?:,?\s+(?:19|20)\d\d\b)?"
                       rf"|\b(?:{_MONTH})\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,\s*(?:19|20)\d\d\b)?")


def figures(text: str) -> list[tuple[str, set[Decimal], set[int]]]:
    """Each figure, year, month and date of `text`: (how a reader writes it, its numbers, its months). A date with
    its day counts once, as written ("2 December 2026"), so that a missing date is one problem, not three."""
    text = INLINE_REF.sub("", text)
    dates = [(" ".join(mo.group().split()), numbers(mo.group()), months(mo.group()))
             for mo in _DAY_DATE.finditer(text)]
    text = _DAY_DATE.sub(" ", text)
    return (dates + [(_number_text(n), {n}, set()) for n in sorted(numbers(text))]
            + [(MONTHS[m - 1], set(), {m}) for m in sorted(months(text))])


def unsupported(fb: FactBase, text: str | None, scope: list[str], inline: list[str]) -> list[tuple[str, str | None]]:
    """The figures and dates of `text` that the facts in `scope` (and those it names `inline`) do not give.

    Returns (figure, fact id) pairs: the id is None when no fact's quotes give the figure, or names the fact
    whose derived figure it is when that fact is not named inline (the figure would then print without the mark
    that says the desk inferred it)."""
    if not text:
        return []
    facts = [fb.facts[i] for i in dict.fromkeys([*scope, *inline]) if i in fb.facts]
    quoted = " ".join(c.quote for f in facts for c in f.cite)
    have, have_months = numbers(quoted), months(quoted)
    out: list[tuple[str, str | None]] = []
    for shown, need, need_months in figures(text):
        if not (need - have) and not (need_months - have_months):
            continue
        owner = None
        for f in sorted(facts, key=lambda f: f.id not in inline):  # a fact named inline first
            derived, derived_months = _derived(f)
            if not (need - have - derived) and not (need_months - have_months - derived_months):
                owner = f
                break
        if owner is None:
            out.append((shown, None))
        elif owner.id not in inline:
            out.append((shown, owner.id))
    return out


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
            problems.append(Problem(_file(fb, f), line, column,
                                    f"fact {f.id!r} is stated as {f.kind} but only opinion pieces support it "
                                    f"({names})",
                                    "make it `kind: assessment` with `by:` naming the writer, cite a source that "
                                    "reports it, or give the reason it may stand under `justification:`"))
    return problems


UNCORROBORATED_KINDS = frozenset(("opinion", "promotional"))


def _weakness(s: Source) -> list[str]:
    """What keeps a source from carrying `high` on its own: unsigned, undated, promotional, opinion."""
    out = [w for w, bad in (("unsigned", not s.signed), ("undated", not s.dated)) if bad]
    return out + ([s.kind] if s.kind in UNCORROBORATED_KINDS else [])


def _describe(s: Source) -> str:
    """`an unsigned, undated analysis (numl-analysis)`."""
    words = [w for w in _weakness(s) if w not in UNCORROBORATED_KINDS]
    text = ", ".join(words) + (" " if words else "") + _KIND_NOUNS.get(s.kind, s.kind)
    return ("an " if text[0] in "aeiou" else "a ") + text + f" ({s.id})"


_KIND_NOUNS = {"opinion": "opinion piece", "promotional": "promotional account", "news": "news report",
               "analysis": "analysis", "official": "official text"}
_RULE = "the desk's rule (docs/facts.md): one unsigned, undated, promotional or opinion source carries at most moderate"


def confidence_stated(fb: FactBase) -> list[Problem]:
    """A fact resting on a single unsigned or undated source, or only on promotional or opinion pieces, must say how
    sure the desk is (no default `high`)."""
    problems = []
    for f in fb.facts.values():
        what = _unstated(fb, f)
        if not what:
            continue
        line, column = f.positions.get("statement", (f.line, 1))
        problems.append(Problem(_file(fb, f), line, column, f"fact {f.id!r} {what} but does not state its confidence",
                                f"add `confidence:` (high, moderate or low); {_RULE}"))
    return problems


def _unstated(fb: FactBase, f: Fact) -> str:
    """Why the fact must state its confidence and does not (empty when it need not, or does)."""
    if "confidence" in f.positions:
        return ""
    sources = [fb.sources[s] for s in f.source_ids]
    kinds = sorted({s.kind for s in sources})
    if all(k in UNCORROBORATED_KINDS for k in kinds):
        return f"rests only on {' and '.join(kinds)} sources ({', '.join(f.source_ids)})"
    if len(sources) == 1 and _weakness(sources[0]):
        return f"rests on a single source, {_describe(sources[0])},"
    return ""


def confidence_cap(fb: FactBase) -> list[Problem]:
    """A fact rated `high` may not rest on a single unsigned, undated, promotional or opinion source, nor take a
    figure or date from only one such source (the desk's rule, docs/facts.md)."""
    problems = []
    for f in fb.facts.values():
        if f.confidence != "high" or _unstated(fb, f):  # an unstated confidence is reported once, above
            continue
        line, column = f.positions.get("confidence", f.positions.get("statement", (f.line, 1)))
        sources = [fb.sources[s] for s in f.source_ids]
        if len(sources) == 1 and _weakness(sources[0]):
            problems.append(Problem(_file(fb, f), line, column, f"fact {f.id!r} is rated high but rests on a single "
                                    f"source, {_describe(sources[0])}", "lower it to `confidence: moderate` (or "
                                    f"low), or cite a second source that reports it; {_RULE}"))
            continue
        for shown, source in _single_source_figures(fb, f):
            problems.append(Problem(_file(fb, f), line, column, f"fact {f.id!r} is rated high, but its {shown} comes "
                                    f"from one source only, {_describe(source)}", "lower it to `confidence: "
                                    f"moderate` (or low), or cite a second source that gives it; {_RULE}"))
    return problems


def _single_source_figures(fb: FactBase, f: Fact) -> list[tuple[str, Source]]:
    """The figures and dates of a fact (statement, label, value) that only one weak source's quotes give."""
    by_source: dict[str, str] = {}
    for c in f.cite:
        by_source[c.source] = by_source.get(c.source, "") + " " + c.quote
    wanted: list[tuple[str, set[Decimal], set[int]]] = []
    for field in ("statement", "label"):
        wanted += [(f"{shown} (in its {field})", need, m) for shown, need, m in figures(getattr(f, field) or "")]
    if f.value is not None:
        wanted += [(f"{shown} (in its value)", need, m) for shown, need, m in _value_parts(f.value)]
    out, seen = [], set()
    for shown, need, need_months in wanted:
        givers = [s for s, text in by_source.items() if not (need - numbers(text)) and not (need_months - months(text))]
        key = shown.split(" (in")[0]
        if len(givers) == 1 and _weakness(fb.sources[givers[0]]) and key not in seen:
            seen.add(key)
            out.append((shown, fb.sources[givers[0]]))
    return out


def _comparable(a: Value, b: Value) -> bool:
    """Two values measure the same thing: same type, and for money the same currency, for counts and percentages
    the same unit."""
    return a.type == b.type and (a.currency, a.unit) == (b.currency, b.unit)


def _conflict(a: Value, b: Value) -> bool:
    if not _comparable(a, b):
        return False
    return (a.amount, a.date, a.start, a.end, a.year) != (b.amount, b.date, b.start, b.end, b.year)


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(_clean(text).lower()))


def agreeing(fb: FactBase) -> list[Problem]:
    """A disputed question whose claims agree is not a dispute."""
    problems = []
    for d in fb.disputes.values():
        reason = _agreement(d)
        if reason.startswith("its typed values"):
            problems.append(Problem(_file(fb, d), d.line, 5, f"disputed question {d.id!r}: {reason}, so they show no "
                                    "conflict", "give the claims values of the same kind and unit that show what "
                                    "really conflicts, e.g. 68 members against 55 members"))
        elif reason:
            problems.append(Problem(_file(fb, d), d.line, 5, f"disputed question {d.id!r}: its claims agree ({reason})",
                                    "if the sources agree, make it one fact citing them all; keep a disputed "
                                    "question for claims that cannot all be true"))
    return problems


def _agreement(d: Dispute) -> str:
    values = [c.value for c in d.claims]
    if all(values):
        if not any(_conflict(a, b) for i, a in enumerate(values) for b in values[i + 1:]):
            if not any(_comparable(a, b) for i, a in enumerate(values) for b in values[i + 1:]):
                return "its typed values measure different things (" + "; ".join(str(v) for v in values) + ")"
            return "no two values of the same kind differ"
        return ""
    texts = {_norm(c.claim) for c in d.claims}
    return "every claim says the same" if len(texts) == 1 else ""


def dispute_provenance(fb: FactBase) -> list[Problem]:
    """Every figure and date in a disputed claim (text and value) comes from its quotes or the facts it restates;
    in the question and the desk note, from the claims' quotes and facts or from a fact the note names inline.
    A figure the desk inferred must be named inline ([@fact.id]) so that it prints with its mark."""
    problems = []
    for d in fb.disputes.values():
        def report(what: str, hint: str) -> None:
            problems.append(Problem(_file(fb, d), d.line, 5, f"disputed question {d.id!r}: {what}", hint))

        everything: list[str] = []
        quotes: list[str] = []
        for i, c in enumerate(d.claims, 1):
            quoted = " ".join(q.quote for q in c.cite)
            quotes.append(quoted)
            everything += c.facts
            text = c.claim + (" " + " ".join(str(p[0]) for p in _value_parts(c.value)) if c.value else "")
            for shown, fact_id in _unsupported_with(fb, text, list(c.facts), [], quoted, restated=True):
                report(f"{shown} (in claim {i}) is in none of its quotes",
                       "quote the words that give it, or restate a fact that gives it (`facts:`), so that the claim "
                       "carries that fact's hedges")
        for field, text in (("question", d.question), ("note", d.note)):
            refs = inline_refs(text)
            for ref in refs:
                if ref not in fb.facts:
                    report(f"its {field} names unknown fact {ref!r}{did_you_mean(ref, fb.facts)}",
                           "name a fact id from the fact base inside [@…]")
            for shown, fact_id in _unsupported_with(fb, text, everything, refs, " ".join(quotes)):
                if fact_id is None:
                    report(f"{shown} (in its {field}) is in none of its claims' quotes or the facts it names",
                           "name the fact that gives it inline, as [@fact.id], or leave the figure out")
                else:
                    report(f"{shown} (in its {field}) was inferred by the desk (fact {fact_id!r}) but is not marked",
                           f"name the fact inline, as [@{fact_id}], so the figure prints with its mark")
    return problems


def claims_attributed(fb: FactBase) -> list[Problem]:
    """Each disputed claim says who makes it, by a source's writer's surname or the last word of its short name
    ("The visit overview says …"): briefs print claims as written, never behind a source's name as a label."""
    problems = []
    for d in fb.disputes.values():
        for i, c in enumerate(d.claims, 1):
            names = set()
            for source_id in dict.fromkeys(q.source for q in c.cite):
                s = fb.sources[source_id]
                if s.author:
                    names.add(s.author.split()[-1])
                if s.short_name:
                    names.add(s.short_name.split()[-1].strip("()"))
            text = c.claim.lower()
            if names and not any(re.search(rf"(?<!\w){re.escape(n.lower())}(?!\w)", text) for n in names):
                problems.append(Problem(_file(fb, d), d.line, 5, f"disputed question {d.id!r}: claim {i} does not say "
                                        f"who makes it (one of: {', '.join(sorted(names))})",
                                        "write the claim as a sentence that names its source, e.g. `The visit "
                                        "overview says that trade is poised to grow.`"))
    return problems


def _unsupported_with(fb: FactBase, text: str | None, scope: list[str], inline: list[str], quoted: str,
                      restated: bool = False) -> list[tuple[str, str | None]]:
    """`unsupported()`, with `quoted` (a claim's own quotes) counting as support too. A claim's restated facts
    carry their marks with it, so their derived figures need no inline name (`restated`)."""
    have, have_months = numbers(quoted), months(quoted)
    out = []
    for shown, fact_id in unsupported(fb, text, scope, inline):
        need = {n for s, ns, ms in figures(shown) for n in ns}
        need_months = {m for s, ns, ms in figures(shown) for m in ms}
        if need <= have and need_months <= have_months and (need or need_months):
            continue
        if restated and fact_id is not None:
            continue
        out.append((shown, fact_id))
    return out


def unused(fb: FactBase, used: set[str]) -> list[str]:
    """Return the ids of the facts no brief prints."""
    return [i for i in fb.facts if i not in used]


def lint(fb: FactBase) -> list[Problem]:
    """Return every problem the fact-integrity lints find."""
    return (provenance(fb) + opinion_only(fb) + confidence_stated(fb) + confidence_cap(fb) + agreeing(fb)
            + dispute_provenance(fb) + claims_attributed(fb))
