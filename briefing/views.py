"""What templates see of the fact base: facts, claims, disputed questions, sources and key judgments as views
whose text is escaped Markdown, worded for each fact's kind and this audience's hedging (`Wordsmith`), and the
sourcing note written from what a brief cites."""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefing import citations
from briefing.factbase import Citation, Dispute, Fact, FactBase, Source, Value
from briefing.judgments import Judgment
from briefing.mdtext import Md, escape
from briefing.wording import HEDGES, Wording

@dataclass(frozen=True)
class FactView:
    """A fact as templates see it. Text fields are already escaped Markdown: they print literally.

    There is no bare statement: `statement` is always worded for the fact's kind (an assessment attributed,
    unconfirmed reporting marked) with its hedges and caveat, so no template can print a claim unqualified."""

    id: str
    statement: Md
    """The claim worded for its kind, with its hedges and caveat; no footnote mark (say() adds one)."""
    label: Md
    """The short name for tables, or the worded statement."""
    value: Md | None
    """The typed value written out with its hedges, e.g. `US$17 million (single source)`; marked as an estimate
    when derived."""
    as_of: Md
    """The value's as-of date written out, or empty."""
    typed: Value | None
    """The typed value itself, for comparisons such as `f.typed.amount > 1000000`."""
    topics: tuple[str, ...]
    kind: str
    """reported, said, assessment or unconfirmed."""
    by: Md | None
    """Who said it, or whose assessment it is."""
    confidence: str
    """high, moderate or low."""
    single_source: bool
    """Only one source supports it."""
    estimate: bool
    """A figure in it was worked out by the desk."""
    hedge: Md
    """The hedges and caveat as this audience shows them, with a leading space (empty when none)."""
    sources: tuple[Md, ...]
    """How prose names the sources: writer, else outlet, else title."""
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class ClaimView:
    """One side of a disputed question, as templates see it."""

    dispute: str
    """The id of its disputed question."""
    claim: Md
    """The claim, with the hedges and caveats of the facts it restates (if any)."""
    value: Md | None
    sources: tuple[Md, ...]
    """Names of the writers or outlets that make the claim, for prose such as 'according to ...'."""
    citations: tuple[Citation, ...]
    facts: tuple[str, ...] = ()
    """Ids of the facts the claim restates."""


@dataclass(frozen=True)
class DisputeView:
    """A disputed question, as templates see it."""

    id: str
    question: Md
    claims: tuple[ClaimView, ...]
    note: Md | None
    topics: tuple[str, ...]
    minor: bool = False
    """It bears on no judgment; audiences with `minor_disputes: false` leave it out."""


@dataclass(frozen=True)
class SourceView:
    """A cited source, as templates see it."""

    id: str
    title: Md
    author: Md | None
    outlet: Md | None
    kind: str
    entry: Md
    """The source as a Chicago bibliography entry."""


def source_name(s: Source) -> str:
    """How prose and tables name a source: its short name, else the writer's surname, the outlet, a short title."""
    if s.short_name:
        return s.short_name
    if s.author:
        return s.author.split()[-1]
    return s.outlet or citations.short_title(s.title)


def _opt(text: str | None) -> Md | None:
    return None if text is None else escape(text)


def _names(fb: FactBase, cites: tuple[Citation, ...]) -> tuple[Md, ...]:
    return tuple(escape(n) for n in dict.fromkeys(source_name(fb.sources[c.source]) for c in cites))


_END = re.compile(r"[.!?][\"”’)]*$")


def _fill(form: str, **fields: str) -> Md:
    """Return the wording `form` (plain text from a house file) with its {placeholders} filled by Markdown."""
    text = escape(form)
    for key, value in fields.items():
        text = text.replace("{" + key + "}", value)
    return Md(text)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


class Wordsmith:
    """Words a fact for one audience: its kind, its hedges (in words or markers) and its caveat."""

    def __init__(self, fb: FactBase, wording: Wording, mode: str):
        self.fb = fb
        self.wording = wording
        self.mode = mode

    def hedges(self, f: Fact) -> list[str]:
        names = [f.confidence] if f.confidence != "high" else []
        if len(f.source_ids) == 1:
            names.append("single_source")
        if f.estimate:
            names.append("estimate")
        return names

    def hedge(self, f: Fact) -> Md:
        return self._hedge(self.hedges(f), [f.caveat] if f.caveat else [])

    def claim_hedge(self, facts: list[Fact]) -> Md:
        """The hedges of a disputed claim that restates `facts`: the lowest confidence among them, single
        source when each rests on one, estimate when any is one, and every caveat."""
        if not facts:
            return Md("")
        order = ("low", "moderate", "high")
        lowest = min((f.confidence for f in facts), key=order.index)
        names = [lowest] if lowest != "high" else []
        if all(len(f.source_ids) == 1 for f in facts):
            names.append("single_source")
        if any(f.estimate for f in facts):
            names.append("estimate")
        return self._hedge(names, list(dict.fromkeys(f.caveat for f in facts if f.caveat)))

    def _hedge(self, names: list[str], caveats: list[str]) -> Md:
        marks = [escape(self.wording.hedge(n, self.mode)) for n in names]
        caveat = [_fill(self.wording.settings["caveat"], caveat=escape("; ".join(caveats)))] if caveats else []
        if self.mode == "words":
            parts = marks + caveat
            return Md(" (" + "; ".join(parts) + ")") if parts else Md("")
        text = (" " + "".join(marks)) if marks else ""
        return Md(text + (" (" + caveat[0] + ")" if caveat else ""))

    def sentence(self, f: Fact, hedge: Md) -> Md:
        claim = escape(f.statement)
        text = _fill(self.wording.kind(f.kind), claim=claim, Claim=Md(_capital(claim)),
                     by=escape(f.by or ""))
        return _with_hedge(text, hedge)

    def view(self, f: Fact) -> FactView:
        v = f.value
        hedge = self.hedge(f)
        value = None
        if v:
            value = escape(str(v))
            if f.estimate:
                value = Md(value + " (" + escape(self.wording.hedge("estimate", "words")) + ")")
        sentence = self.sentence(f, hedge)
        if value is not None:
            value = Md(value + hedge)
        return FactView(f.id, sentence, escape(f.label) if f.label else sentence, value,
                        escape(v.as_of_text) if v else Md(""), v, f.topics, f.kind, _opt(f.by), f.confidence,
                        len(f.source_ids) == 1, f.estimate, hedge, _names(self.fb, f.cite), f.cite)


def _with_hedge(text: Md, hedge: Md) -> Md:
    """`text` with `hedge` before its closing full stop (or at its end)."""
    if not hedge:
        return text
    end = _END.search(text)
    cut = end.start() if end else len(text)
    return Md(text[:cut] + hedge + (text[cut:] if end else "."))


def dispute_view(fb: FactBase, d: Dispute, words: Wordsmith) -> DisputeView:
    """A disputed question as templates see it: each claim with the hedges of the facts it restates."""
    claims = tuple(ClaimView(d.id, _with_hedge(escape(c.claim), words.claim_hedge([fb.facts[i] for i in c.facts])),
                             escape(str(c.value)) if c.value else None, _names(fb, c.cite), c.cite, c.facts)
                   for c in d.claims)
    return DisputeView(d.id, escape(d.question), claims, _opt(d.note), d.topics, d.minor)


def escaped(data):
    """Return YAML settings with every text escaped, so a label or title prints literally."""
    if isinstance(data, str):
        return escape(data)
    if isinstance(data, dict):
        return {k: escaped(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [escaped(v) for v in data]
    return data


@dataclass(frozen=True)
class JudgmentView:
    """A key judgment as templates see it. Text fields are escaped Markdown."""

    id: str
    judgment: Md
    likelihood: str
    """The ICD 203 term, e.g. `likely`."""
    range: str
    """Its probability range, e.g. `55–80%`."""
    confidence: str
    """low, moderate or high."""
    estimate: Md
    """Likelihood and confidence as the wording file writes them, e.g. `likely (55–80%); moderate confidence`."""
    basis: Md
    facts: tuple[FactView, ...]
    """The facts it rests on: `cite(*j.facts)` footnotes them."""
    alternative: Md
    indicators: tuple[Md, ...]
    action: Md | None
    """The recommended action, or None when there is none for this audience."""
    assumption: Md | None
    """The linchpin assumption, if the desk states one."""
    change: Md
    """How the judgment changed since the last brief, or the wording file's words for a first judgment."""
    gaps: tuple[Md, ...] = ()
    """What the desk does not know that bears on the judgment."""



def judgment_view(j: Judgment, audience: str, words: Wordsmith) -> JudgmentView:
    """A key judgment as `audience` sees it: its likelihood and confidence worded, its action only when the
    judgment recommends it to that audience."""
    w = words.wording.settings
    estimate = (_fill(w["likelihood"], term=escape(j.likelihood), range=escape(j.range)) + "; "
                + _fill(w["confidence"], level=escape(j.confidence)))
    return JudgmentView(j.id, escape(j.judgment), j.likelihood, j.range, j.confidence, Md(estimate),
                        escape(j.basis), tuple(words.view(words.fb.facts[i]) for i in j.rests_on),
                        escape(j.alternative), tuple(escape(i) for i in j.indicators),
                        _opt(j.action if not j.audiences or audience in j.audiences else None),
                        _opt(j.assumption), escape(j.change or w["first_judgment"]), tuple(escape(g) for g in j.gaps))


def source_view(s: Source) -> SourceView:
    """A cited source as templates see it."""
    return SourceView(s.id, escape(s.title), _opt(s.author), _opt(s.outlet), s.kind, citations.bibliography_entry(s))


def sourcing_note(words: Wordsmith, cited: list[Source], printed: list[Fact], body: str) -> Md:
    """The sourcing note of a brief that cites `cited` and prints the facts `printed` in `body`: the kinds of
    source it rests on, which are unsigned or undated, whether any is official, how many of the printed facts
    rest on one source, and the legend of the markers it shows."""
    w = words.wording
    t = w.settings["sourcing"]
    kinds: dict[str, int] = {}
    for s in cited:
        kinds[s.kind] = kinds.get(s.kind, 0) + 1
    kind_text = ", ".join(f"{n} {w.kind_name(k, n)}" for k, n in kinds.items())
    parts = [_fill(t["sources"], count=str(len(cited)), kinds=escape(kind_text))]
    for key, test in (("unsigned", lambda s: not s.signed), ("undated", lambda s: not s.dated)):
        names = [source_name(s) for s in cited if test(s)]
        if names:
            parts.append(_fill(t[key], names=escape(", ".join(names)), count=str(len(names))))
    official = [source_name(s) for s in cited if s.kind == "official"]
    parts.append(_fill(t["official"], names=escape(", ".join(official))) if official
                 else escape(t["no_official"]))
    single = sum(1 for f in printed if len(f.source_ids) == 1)
    parts.append(_fill(t["single"], single=str(single), printed=str(len(printed))))
    if t["agreement"]:
        parts.append(escape(t["agreement"]))
    shown = [n for n in HEDGES if escape(w.hedge(n, "markers")) in body]  # the markers the brief prints
    if words.mode == "markers" and shown:
        items = "; ".join(f"{w.hedge(n, 'markers')} {w.hedge(n, 'words')}" for n in shown)
        parts.append(_fill(t["legend"], items=escape(items)))
    return Md(" ".join(parts))
