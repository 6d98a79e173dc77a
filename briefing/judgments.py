"""Key judgments (templates/judgments/BRIEF.yaml): the desk's judgments for a brief, each with an ICD 203
likelihood term, a confidence level with its basis, the facts it rests on, the main alternative reading
and what would change it."""

from __future__ import annotations

import os
from dataclasses import dataclass

from briefing.errors import InputError, Problem, did_you_mean
from briefing.factbase import FACT_ID, SLUG, FactBase
from briefing.schema import Field, ListOf, Record, Str, read_document

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
    "judgment": Field(Str(), "the judgment, one sentence, e.g. `Trade will stay small through 2027.`",
                      required=True),
    "likelihood": Field(Str(enum=tuple(LIKELIHOOD)), "how likely, in ICD 203's terms: " + ", ".join(
        f"{k} ({v})" for k, v in LIKELIHOOD.items()), required=True),
    "confidence": Field(Str(enum=CONFIDENCE), "the desk's confidence in the judgment: low, moderate or high",
                        required=True),
    "basis": Field(Str(), "the basis of that confidence, in one line", required=True),
    "rests_on": Field(ListOf(Str(pattern=FACT_ID, pattern_hint="a fact id such as trade.volume-2023"),
                             min_items=1), "the ids of the facts it rests on", required=True),
    "alternative": Field(Str(), "the main alternative reading of the same facts", required=True),
    "indicators": Field(ListOf(Str(), min_items=1), "what would change the judgment: indicators to watch",
                        required=True),
    "assumption": Field(Str(nullable=True), "the linchpin assumption: what the judgment takes for granted and "
                        "would fall with it (shown to full-detail audiences)"),
    "gaps": Field(ListOf(Str()), "what the desk does not know that bears on the judgment (shown to full-detail "
                  "audiences under What to watch)", default=[]),
    "action": Field(Str(nullable=True), "what the desk recommends in view of it, if anything"),
    "audiences": Field(ListOf(Str(pattern=SLUG, pattern_hint="an audience name")),
                       "the audiences the action is for (file names in templates/audiences); default: every "
                       "audience", default=[]),
    "change": Field(Str(nullable=True), "how the judgment has changed since the desk's last brief, or that it has "
                    "not (leave out for a first judgment)"),
})

JUDGMENTS = Record("judgments", "A brief's key judgments, in the order the brief gives them.", {
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

    @property
    def range(self) -> str:
        """The likelihood's probability range, e.g. `55–80%`."""
        return LIKELIHOOD[self.likelihood]


def load_judgments(templates: str, fb: FactBase | None) -> dict[str, tuple[Judgment, ...]]:
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
                                  "use an id from facts.yaml (`briefing facts TEXT` finds one)")
            for who in j["audiences"]:
                if who not in audiences:
                    found.add(*j["_positions"]["audiences"], f"judgment {j['id']!r}: unknown audience {who!r}"
                              f"{did_you_mean(who, audiences)}", "use a file name from templates/audiences")
            items.append(Judgment(j["id"], j["judgment"], j["likelihood"], j["confidence"], j["basis"],
                                  tuple(j["rests_on"]), j["alternative"], tuple(j["indicators"]), j["action"],
                                  tuple(j["audiences"]), j["assumption"], j["change"], tuple(j["gaps"])))
        problems.extend(found.items)
        if items:  # an empty list is a brief with no judgments yet
            out[name[:-5]] = tuple(items)
    if problems:
        raise InputError(problems)
    return out
