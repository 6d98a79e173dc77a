"""What changed between two versions of a fact base: facts added, removed and changed, disputed questions
opened and closed, key judgments changed, and which briefs and audiences each change reaches.

A version is read into a *snapshot*: plain JSON-able data holding, for each fact, what a reader sees of it
(statement, kind, who, confidence, citations), each disputed question's claims, and each brief's key
judgments. `changes(old, new)` compares two snapshots. The same snapshot, cut down to what one brief printed
for one audience, is what the distribution ledger keeps of every version it delivered, so that a revised copy
can say what changed since the copy its reader holds (`briefing.distribute`)."""

from __future__ import annotations

from dataclasses import dataclass, field

FACT_FIELDS = ("statement", "kind", "by", "confidence", "cite")
"""What a reader sees of a fact, compared in this order."""
JUDGMENT_FIELDS = ("judgment", "likelihood", "confidence", "basis", "rests_on", "alternative", "assumption",
                   "indicators", "action", "gaps")
"""What briefs print of a key judgment."""
FIELD_NAMES = {"cite": "citations", "by": "attribution", "rests_on": "the facts it rests on"}


def fact_view(fact) -> dict:
    """What a reader sees of one fact."""
    return {"statement": fact.statement, "kind": fact.kind, "by": fact.by, "confidence": fact.confidence,
            "cite": [[c.source, c.quote, c.at] for c in fact.cite]}


def dispute_view(dispute) -> dict:
    """What a reader sees of one disputed question."""
    return {"question": dispute.question,
            "claims": [[claim.claim, sorted({c.source for c in claim.cite})] for claim in dispute.claims]}


def judgment_view(judgment) -> dict:
    """What briefs print of one key judgment."""
    out = {}
    for name in JUDGMENT_FIELDS:
        value = getattr(judgment, name, None)
        out[name] = list(value) if isinstance(value, tuple) else value
    return out


def snapshot(facts, judgments: dict, ids=None, briefs=None) -> dict:
    """Return a version as data: the fact base's facts and disputed questions (only those in `ids`, if given)
    and the key judgments of each brief (only those of `briefs`, if given)."""
    return {
        "as_of": facts.meta.as_of.isoformat(),
        "facts": {k: fact_view(f) for k, f in facts.facts.items() if ids is None or k in ids},
        "disputes": {k: dispute_view(d) for k, d in facts.disputes.items() if ids is None or k in ids},
        "judgments": {b: {j.id: judgment_view(j) for j in items} for b, items in judgments.items()
                      if briefs is None or b in briefs},
    }


@dataclass
class Change:
    """One difference between two versions."""

    kind: str
    """fact, dispute or judgment."""
    what: str
    """added, removed or changed (a disputed question: opened, closed or changed)."""
    id: str
    fields: tuple[str, ...] = ()
    """For a change: which of the fields differ."""
    old: dict | None = None
    new: dict | None = None
    brief: str | None = None
    """For a judgment: the brief it belongs to."""
    reaches: list[tuple[str, str]] = field(default_factory=list)
    """The (brief, audience) pairs that print the item, in either version."""

    @property
    def text(self) -> str:
        """The item's main text, as the newer version has it (the older one for a removal)."""
        item = self.new or self.old or {}
        return item.get("statement") or item.get("question") or item.get("judgment") or ""

    def describe(self) -> str:
        """One line saying what changed, e.g. `confidence: high → moderate; citations changed`."""
        parts = []
        for name in self.fields:
            old, new = (self.old or {}).get(name), (self.new or {}).get(name)
            label = FIELD_NAMES.get(name, name)
            if isinstance(old, str) and isinstance(new, str) and len(old) + len(new) < 60:
                parts.append(f"{label}: {old} → {new}")
            elif old is None or new is None:
                parts.append(f"{label} {'added' if old is None else 'removed'}")
            else:
                parts.append(f"{label} changed")
        return "; ".join(parts)


def _compare(old: dict, new: dict, kind: str, fields, words=("added", "removed"), brief=None) -> list[Change]:
    out = []
    for key in new:
        if key not in old:
            out.append(Change(kind, words[0], key, new=new[key], brief=brief))
        elif old[key] != new[key]:
            differ = tuple(f for f in fields if old[key].get(f) != new[key].get(f))
            out.append(Change(kind, "changed", key, differ, old[key], new[key], brief))
    out.extend(Change(kind, words[1], key, old=old[key], brief=brief) for key in old if key not in new)
    return out


def changes(old: dict, new: dict) -> list[Change]:
    """Return every difference between two snapshots: facts, then disputed questions, then judgments."""
    out = _compare(old.get("facts", {}), new.get("facts", {}), "fact", FACT_FIELDS)
    out += _compare(old.get("disputes", {}), new.get("disputes", {}), "dispute", ("question", "claims"),
                    ("opened", "closed"))
    olds, news = old.get("judgments", {}), new.get("judgments", {})
    for brief in list(news) + [b for b in olds if b not in news]:
        out += _compare(olds.get(brief, {}), news.get(brief, {}), "judgment", JUDGMENT_FIELDS, brief=brief)
    return out


def note_lines(found: list[Change], limit: int | None = None) -> list[str]:
    """Return the changes as short lines for a reader: what is new, changed or gone in their brief."""
    lines = []
    for c in found:
        if c.kind == "fact":
            head = {"added": "New", "removed": "Withdrawn", "changed": "Revised"}[c.what]
            line = f"{head}: {c.text}"
            if c.what == "changed" and c.fields != ("statement",):
                detail = c.describe() if "statement" not in c.fields else \
                    Change(c.kind, c.what, c.id, tuple(f for f in c.fields if f != "statement"), c.old, c.new).describe()
                if detail:
                    line += f" ({detail})"
        elif c.kind == "dispute":
            head = {"opened": "New disputed question", "closed": "Disputed question settled or dropped",
                    "changed": "Disputed question revised"}[c.what]
            line = f"{head}: {c.text}"
        else:
            head = {"added": "New key judgment", "removed": "Key judgment withdrawn",
                    "changed": "Key judgment revised"}[c.what]
            line = f"{head}: {c.text}"
            if c.what == "changed":
                detail = Change(c.kind, c.what, c.id, tuple(f for f in c.fields if f != "judgment"), c.old,
                                c.new).describe()
                if detail:
                    line += f" ({detail})"
        lines.append(line)
    if limit is not None and len(lines) > limit:
        more = len(lines) - (limit - 1)
        lines = lines[:limit - 1] + [f"… and {more} more changes; the desk can list them all."]
    return lines
