"""Key judgments (templates/judgments/BRIEF.yaml): the desk's judgments for a brief, each with an ICD 203
likelihood term, a confidence level with its basis, the facts it rests on, the main alternative reading,
what would change it, and what makes it scorable: the observable event, the deadline and the evidence the desk
would see. Every figure or date in the texts a reader sees comes from a fact, named inline as `[@fact.id]`
where the brief must print its hedges and note."""

from __future__ import annotations

import datetime as _dt
import os
import re
from dataclasses import dataclass

from briefing.errors import InputError, Problem, did_you_mean
from briefing.factbase import FACT_ID, SLUG, FactBase, format_date
from briefing.lint import figures, inline_refs, unsupported
from briefing.schema import Date, Field, ListOf, Record, Str, read_document

# ICD 203's seven terms of likelihood, each with its range of probability.
LIKELIHOOD = {
    "almost no chance": "1–5%",
    "very unlikely": "5–20%",
    "unlikely": "20–45%",
    "roughly even chance": "45–55%",
    "likely": "55–80%",
    "very likely": "80–95%",
    "almost certain": "95–99%",
}
CONFIDENCE = ("low", "moderate", "high")

JUDGMENT = Record("judgment", "One key judgment of the desk.", {
    "id": Field(Str(pattern=SLUG, pattern_hint="an id of lower-case letters, digits and dashes"),
                "short id, unique in the file", required=True),
    "judgment": Field(Str(), "the judgment as an event with a time frame, one sentence, e.g. `Recorded trade will "
                      "stay below US$100 million a year through 2027.`", required=True),
    "event": Field(Str(), "the observable event that scores it, e.g. `official figures for 2025, 2026 or 2027 "
                   "show trade above US$100 million`", required=True),
    "deadline": Field(Date(year_ok=True), "when it is scored: a date (YYYY-MM-DD) or a year (the end of it); "
                      "the judgment's text names its year", required=True),
    "evidence": Field(Str(), "how the desk would know, e.g. `the annual trade figures of both statistics "
                      "offices`", required=True),
    "likelihood": Field(Str(enum=tuple(LIKELIHOOD)), "how likely, in ICD 203's terms: " + ", ".join(
        f"{k} ({v})" for k, v in LIKELIHOOD.items()), required=True),
    "confidence": Field(Str(enum=CONFIDENCE), "the desk's confidence in the judgment: low, moderate or high",
                        required=True),
    "basis": Field(Str(), "the basis of the likelihood and the confidence, in a line or two: what the facts show "
                   "and why they make it this likely; name a fact inline as [@fact.id] where its hedges must print",
                   required=True),
    "rests_on": Field(ListOf(Str(pattern=FACT_ID, pattern_hint="a fact id such as trade.volume-2023"),
                             min_items=1), "the ids of the facts it rests on", required=True),
    "alternative": Field(Str(), "the main alternative reading of the same facts", required=True),
    "indicators": Field(ListOf(Str(), min_items=1), "what would change the judgment: indicators to watch",
                        required=True),
    "assumption": Field(Str(nullable=True), "the linchpin assumption: what the judgment takes for granted and "
                        "would fall with it (shown to full-detail audiences)"),
    "gaps": Field(ListOf(Str()), "what the desk does not know that bears on the judgment (shown to full-detail "
                  "audiences under What to watch)", default=[]),
    "action": Field(Str(nullable=True), "what the desk recommends in view of it, if anything; a reason it gives "
                    "(`since …`) names its fact inline, as [@fact.id], so the brief prints the fact's hedges and note"),
    "audiences": Field(ListOf(Str(pattern=SLUG, pattern_hint="an audience name")),
                       "the audiences the action is for (file names in templates/audiences); default: every "
                       "audience", default=[]),
    "seen_by": Field(ListOf(Str(pattern=SLUG, pattern_hint="an audience name")),
                     "the audiences that see the judgment at all, with its action, gaps and indicators (file names "
                     "in templates/audiences); default: every audience of the brief. Leave a forecast a public "
                     "version should not carry out of it", default=[]),
    "change": Field(Str(nullable=True), "how the judgment has changed since the desk's last brief, or that it has "
                    "not (leave out for a first judgment)"),
})

JUDGMENTS = Record("judgments", "A brief's key judgments, in the order the brief gives them.", {
    "bottom_line": Field(Str(nullable=True), "the desk's \"so what\" in one plain sentence, printed first under the "
                         "key judgments for every audience, e.g. `The visit opened doors, but trade will stay small "
                         "unless contracts follow.`; a figure in it comes from a fact named inline as [@fact.id]"),
    "judgments": Field(ListOf(JUDGMENT), "the key judgments (`judgments: []` while there are none yet)",
                       required=True),
})


@dataclass(frozen=True)
class Judgment:
    """One key judgment."""

    id: str
    """Short id."""
    judgment: str
    """The judgment, one sentence."""
    likelihood: str
    """An ICD 203 likelihood term."""
    confidence: str
    """low, moderate or high."""
    basis: str
    """The basis of the confidence."""
    rests_on: tuple[str, ...]
    """Fact ids."""
    alternative: str
    """The main alternative reading."""
    indicators: tuple[str, ...]
    """What would change it."""
    action: str | None
    """The recommended action, if any."""
    audiences: tuple[str, ...]
    """The audiences the action is shown to; empty: every audience."""
    assumption: str | None
    """The linchpin assumption, if stated."""
    change: str | None
    """Change since the last brief, or None for a first judgment."""
    gaps: tuple[str, ...] = ()
    """What the desk does not know that bears on it."""
    seen_by: tuple[str, ...] = ()
    """The audiences that see it; empty: every audience."""
    event: str = ""
    """The observable event that scores it."""
    deadline: _dt.date | None = None
    """When it is scored."""
    evidence: str = ""
    """How the desk would know."""

    @property
    def range(self) -> str:
        """The likelihood's probability range, e.g. `55–80%`."""
        return LIKELIHOOD[self.likelihood]

    def seen(self, audience: str) -> bool:
        """Whether `audience` sees the judgment."""
        return not self.seen_by or audience in self.seen_by


class Judgments(tuple):
    """A brief's key judgments, in order, and the desk's one-sentence bottom line (`bottom_line`, or None)."""

    bottom_line: str | None = None

    def __new__(cls, items=(), bottom_line: str | None = None):
        out = super().__new__(cls, items)
        out.bottom_line = bottom_line
        return out


def load_judgments(templates: str, fb: FactBase | None) -> dict[str, Judgments]:
    """Return each brief's judgments by brief name; check every fact id against `fb` when it is given."""
    folder = os.path.join(templates, "judgments")
    if not os.path.isdir(folder):
        return {}
    out: dict[str, tuple[Judgment, ...]] = {}
    problems: list[Problem] = []
    folder_a = os.path.join(templates, "audiences")
    audiences = {n[:-5] for n in os.listdir(folder_a) if n.endswith(".yaml")} if os.path.isdir(folder_a) else set()
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".yaml"):
            continue
        path = os.path.join(folder, name)
        data, found = read_document(path, JUDGMENTS)
        if not isinstance(data, dict):
            problems.extend(found.items)
            continue
        seen: set[str] = set()
        items = []
        for j in data["judgments"]:
            if j["id"] in seen:
                found.add(*j["_positions"]["id"], f"duplicate judgment id {j['id']!r}", "give each its own id")
            seen.add(j["id"])
            if fb is not None:
                for fact_id in j["rests_on"]:
                    if fact_id in fb.disputes:
                        found.add(*j["_positions"]["rests_on"], f"judgment {j['id']!r} rests on {fact_id!r}, "
                                  "a disputed question", "a judgment rests on facts; cite the facts behind it")
                    elif fact_id not in fb.facts:
                        found.add(*j["_positions"]["rests_on"], f"judgment {j['id']!r} rests on unknown fact "
                                  f"{fact_id!r}{did_you_mean(fact_id, fb.facts)}",
                                  "use an id from the fact base (`briefing facts TEXT` finds one)")
            if fb is not None:
                found.items.extend(_lint(path, j, fb))
            for key in ("audiences", "seen_by"):
                for who in j[key]:
                    if who not in audiences:
                        found.add(*j["_positions"][key], f"judgment {j['id']!r}: unknown audience {who!r}"
                                  f"{did_you_mean(who, audiences)}", f"use a file name from {folder_a}")
            items.append(Judgment(j["id"], j["judgment"], j["likelihood"], j["confidence"], j["basis"],
                                  tuple(j["rests_on"]), j["alternative"], tuple(j["indicators"]), j["action"],
                                  tuple(j["audiences"]), j["assumption"], j["change"], tuple(j["gaps"]),
                                  tuple(j["seen_by"]), j["event"], _end(j["deadline"]), j["evidence"]))
        if fb is not None and data["bottom_line"] and not found.items:  # its scope is every judgment's facts
            found.items.extend(_lint_bottom_line(path, data, fb))
        problems.extend(found.items)
        if items:  # an empty list is a brief with no judgments yet
            out[name[:-5]] = Judgments(items, data["bottom_line"])
    if problems:
        raise InputError(problems)
    return out


def _lint_bottom_line(path: str, data: dict, fb: FactBase) -> list[Problem]:
    """The bottom line's figures come from the judgments' own texts or facts, a figure the desk inferred from a fact
    named inline."""
    text, at = data["bottom_line"], data["_positions"]["bottom_line"]
    refs = inline_refs(text)
    problems = [Problem(path, *at, f"the bottom line names unknown fact {ref!r}{did_you_mean(ref, fb.facts)}",
                        "use an id from the fact base inside [@…] (`briefing facts TEXT` finds one)")
                for ref in refs if ref not in fb.facts]
    own = {shown for j in data["judgments"] for t in (j["judgment"], j["event"]) for shown, _, _ in figures(t)}
    scope = [i for j in data["judgments"] for i in j["rests_on"]]
    for shown, fact_id in unsupported(fb, text, scope, refs):
        if shown in own:
            continue
        if fact_id is None:
            problems.append(Problem(path, *at, f"{shown} (in the bottom line) is in none of the quotes of the facts "
                                    "the judgments rest on or the bottom line names",
                                    "name the fact that gives it inline, as [@fact.id], or leave the figure out"))
        else:
            problems.append(Problem(path, *at, f"{shown} (in the bottom line) was inferred by the desk (fact "
                                    f"{fact_id!r}) but is not marked",
                                    f"name the fact inline, as [@{fact_id}], so the figure prints with its mark"))
    return problems


def _end(deadline: _dt.date | int) -> _dt.date:
    """A deadline as a date: a year alone means its last day."""
    return _dt.date(deadline, 12, 31) if isinstance(deadline, int) else deadline


# Texts a reader sees whose figures must come from facts; the judgment, its event and its indicators look ahead
# and are the desk's own.
_CHECKED = ("basis", "alternative", "assumption", "gaps", "action", "change")
# A clause giving a reason, or a past event ("when the President met …"): in an action it states a fact, so it
# must name one inline. "When the first round is due" asks about the future and states nothing.
_PAST = r"(?:\w+ed|met|said|was|were|had|took|made|gave|told|held|sent|won|lost|saw|began|led)"
_REASON = re.compile(r"\b(since|because|given that|as shown by)\b|\b(when|after)\b(?=(?:\s+[\w’'-]+){0,5}?\s+"
                     + _PAST + r"\b)", re.IGNORECASE)


def _lint(path: str, j: dict, fb: FactBase) -> list[Problem]:
    """The judgment is scorable, and its texts state no figure or reason that a named fact does not give."""
    problems: list[Problem] = []
    at = j["_positions"]

    def add(field: str, message: str, hint: str) -> None:
        problems.append(Problem(path, *at.get(field, at.get("id", (0, 0))), f"judgment {j['id']!r}: {message}",
                                hint))

    deadline = _end(j["deadline"])
    if deadline <= fb.meta.as_of:
        add("deadline", f"its deadline, {format_date(deadline)}, is not after the fact base's date "
            f"({format_date(fb.meta.as_of)})", "a judgment looks ahead: give a date still to come")
    if str(deadline.year) not in j["judgment"]:
        add("judgment", f"its text names no time frame (the year of its deadline, {deadline.year})",
            "word it as an event with a time frame, e.g. `… will sign a contract by the end of "
            f"{deadline.year}.`, so it can be scored")
    own = {shown for text in (j["judgment"], j["event"]) for shown, _, _ in figures(text)}
    for field in _CHECKED:
        value = j.get(field)
        for text in (value if isinstance(value, list) else [value]):
            if not text:
                continue
            refs = inline_refs(text)
            its = "one of its gaps" if field == "gaps" else f"its {field}"
            for ref in refs:
                if ref not in fb.facts:
                    add(field, f"{its} names unknown fact {ref!r}{did_you_mean(ref, fb.facts)}",
                        "use an id from the fact base inside [@…] (`briefing facts TEXT` finds one)")
            scope = [] if field == "action" else list(j["rests_on"])
            for shown, fact_id in unsupported(fb, text, scope, refs):
                if shown in own:  # the desk's own threshold or year, from the judgment itself
                    continue
                if fact_id is None:
                    where = "the facts it names inline" if field == "action" else "the facts it rests on or names"
                    add(field, f"{shown} (in {its}) is in none of the quotes of {where}",
                        "name the fact that gives it inline, as [@fact.id], or leave the figure out")
                else:
                    add(field, f"{shown} (in {its}) was inferred by the desk (fact {fact_id!r}) but is not "
                        "marked", f"name the fact inline, as [@{fact_id}], so the figure prints with its mark")
            reason = _REASON.search(text)
            if field == "action" and reason and not refs:
                add(field, f"its action gives a reason (“{reason.group(1) or reason.group(2)} …”) without naming the "
                    "fact it rests on",
                    "name the fact inline where the clause ends, as [@fact.id]: the brief prints its hedges and a "
                    "note there")
    return problems
