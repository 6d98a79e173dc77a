"""What templates see of the fact base: facts, claims, disputed questions, sources and key judgments as views
whose text is escaped Markdown, worded for each fact's kind and this audience's hedging (`Wordsmith`), and the
sourcing note written from what a brief cites."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from briefing import citations
from briefing.factbase import Citation, Dispute, Fact, FactBase, Source, Value, format_date
from briefing.judgments import Judgment
from briefing.lint import INLINE_REF
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
    value_short: Md | None = None
    """The value for a table cell: its hedges, with a caveat only flagged (`cite(f, caveat=true)` puts the caveat
    in the row's note)."""


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
    one_source: bool = False
    """One source makes every claim: it contradicts itself."""


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


_ARTICLE = re.compile(r"^(?:a|an|the)\s+", re.IGNORECASE)


def _person(by: str) -> bool:
    """`by` names a person ("the columnist Jane Doe"), not a piece ("a city op-ed")."""
    last = by.split()[-1] if by.split() else ""
    return last[:1].isupper() and not last.isupper()


def later_name(by: str) -> str:
    """How a writer is named after the first time: a person by surname ("Doe"), a piece with "the" and without
    what it is of ("the city op-ed" for "a city op-ed", "the unsigned overview" for "an unsigned overview of the
    visit")."""
    if _person(by):
        return by.split()[-1]
    return "the " + _ARTICLE.sub("", by).split(" of ")[0] if _ARTICLE.match(by) else by


def same_name(by: str) -> str:
    """How a claim right after another by the same writer names them: "The same op-ed", or the surname."""
    if _person(by):
        return by.split()[-1]
    words = _ARTICLE.sub("", by).split(" of ")[0].split()
    return "The same " + (words[-1] if words else by)


def it_name(by: str) -> str:
    """How the third claim in a row by one writer names them: "It", or the surname."""
    return by.split()[-1] if _person(by) else "It"


class Wordsmith:
    """Words facts for one brief and audience: each fact's kind (a writer named in full the first time, by a short
    name later, "The same op-ed adds …" right after), its hedges (words, or markers grouped into one token per
    sentence) and its caveat; and facts named inline in the desk's texts ([@fact.id]) with their hedges and a note."""

    def __init__(self, fb: FactBase, wording: Wording, mode: str, detail: str = "full"):
        self.fb = fb
        self.wording = wording
        self.mode = mode
        self.detail = detail
        self._named: set[str] = set()
        """Writers the brief has named so far."""
        self._last: str | None = None
        """The writer of the claim said last, if it was a writer's."""
        self._run = 0
        """How many claims in a row that writer has made."""
        self._cite: Callable[..., Md] | None = None
        self._told: set[str] = set()
        """How the desk inferred figures (`derived:` how) the brief has printed in words already: said once."""
        self._marks: dict[tuple[str, int], Md] = {}
        """The note mark of each inline reference, by (where it stands, which one there), so that a view built
        twice cites once."""

    def bind(self, cite: Callable[..., Md]) -> None:
        """Give the function that leaves a note mark for a fact (the template API's `cite`)."""
        self._cite = cite

    def hedges(self, f: Fact) -> list[str]:
        names = [f.confidence] if f.confidence != "high" else []
        if len(f.source_ids) == 1:
            names.append("single_source")
        if f.estimate:
            names.append("estimate")
        return names

    def hedge(self, f: Fact, caveat: bool = True, disputed: bool = False, once: str = "") -> Md:
        """The fact's hedges as this audience shows them; with `caveat` false, a caveat is only flagged; with
        `disputed`, a flag says that the sources dispute it (for a table cell, which shows one side only). How the
        desk inferred a figure is said in full once: `once="tell"` (a sentence the brief prints) says it unless
        said already, and records it; `once="check"` (a desk text, whose view may be built and not printed) only
        shortens it when said already; said already, it reads "year inferred by the desk", without "from …"."""
        w = self.wording.settings
        flags = [w["disputed_in_table"]] if disputed and w["disputed_in_table"] else []
        caveats = [f.caveat] if f.caveat else []
        if f.caveat and not caveat and w["caveat_in_note"]:
            flags, caveats = flags + [w["caveat_in_note"]], []
        how = _how([f])
        if once and how in self._told:  # said in full already: what was inferred, without how again
            how = "; ".join(dict.fromkeys(h.split(" from ")[0] for h in how.split("; ")))
        elif once == "tell" and how and self.mode == "words":
            self._told.add(how)
        return self._hedge(self.hedges(f), caveats, flags=flags, how=how)

    def disputed(self, f: Fact) -> bool:
        """A disputed question's claim restates `f`: the sources disagree on it."""
        return any(f.id in c.facts for d in self.fb.disputes.values() for c in d.claims)

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
        return self._hedge(names, list(dict.fromkeys(f.caveat for f in facts if f.caveat)), how=_how(facts))

    def _hedge(self, names: list[str], caveats: list[str], flags: list[str] = (), how: str = "") -> Md:
        """The hedges `names`, the caveats and flags (a caveat given in a note, a dispute) as this audience shows
        them; in words, an estimate
        says how the desk worked it out (`how`) when the wording file has the words for it."""
        w = self.wording.settings
        marks = [escape(self.wording.hedge(n, self.mode)) for n in names]
        if how and "estimate" in names and self.mode == "words" and w["estimate_how"]:
            marks[names.index("estimate")] = _fill(w["estimate_how"], how=escape(how))
        caveats = [_clause(c) for c in caveats]
        caveat = [_fill(w["caveat"], caveat=escape("; ".join(caveats)))] if caveats else []
        caveat += [escape(flag) for flag in flags]
        if self.mode == "words":
            parts = marks + caveat
            return Md(" (" + "; ".join(parts) + ")") if parts else Md("")
        if marks and w["marker_group"]:
            text = " " + _fill(w["marker_group"], marks=escape(w["marker_join"]).join(marks))
        else:
            text = (" " + "".join(marks)) if marks else ""
        return Md(text + (" (" + "; ".join(caveat) + ")" if caveat else ""))

    def caveat_note(self, caveats: list[str]) -> Md | None:
        """How a note gives the caveats a table cell or an inline reference only flags; None when there are none
        or the wording gives them in full where they stand."""
        if not caveats or not self.wording.settings["caveat_in_note"]:
            return None
        caveats = [_clause(c) for c in caveats]
        return _fill(self.wording.settings["caveat_note"], caveat=escape("; ".join(dict.fromkeys(caveats))))

    def estimate_note(self, facts: list[Fact]) -> Md | None:
        """For markers, how a note says how the desk inferred the figures its marker flags; None in words (the
        hedge says it where it stands), or when no fact says how."""
        how = _how(facts)
        if self.mode == "words" or not how or not self.wording.settings["estimate_note"]:
            return None
        return _fill(self.wording.settings["estimate_note"], how=escape(how))

    def markers_in(self, body: str) -> list[str]:
        """The hedges whose markers `body` prints, in the wording file's order."""
        w = self.wording.settings
        marks = {n: escape(self.wording.hedge(n, "markers")) for n in HEDGES}
        if not w["marker_group"]:
            return [n for n in HEDGES if marks[n] in body]
        one = "|".join(re.escape(m) for m in sorted(marks.values(), key=len, reverse=True))
        join = re.escape(escape(w["marker_join"]))
        head, _, tail = escape(w["marker_group"]).partition("{marks}")
        found = set()
        for mo in re.finditer(re.escape(head) + f"((?:{one})(?:{join}(?:{one}))*)" + re.escape(tail), body):
            found.update(mo.group(1).split(escape(w["marker_join"])) if w["marker_join"] else [mo.group(1)])
        return [n for n in HEDGES if marks[n] in found]

    def sentence(self, f: Fact, hedge: Md, by: str | None = None, again: int = 0) -> Md:
        """The fact's claim worded for its kind; `by` is how its writer is named here (default: as written), and
        `again` counts the claims in a row by that writer (0: the first)."""
        claim = escape(f.statement)
        by = f.by if by is None else by
        form = self.wording.kind(self._kind(f), again=again, anonymous=not f.by)
        text = _fill(form, claim=claim, Claim=Md(_capital(claim)), by=escape(by or ""),
                     By=escape(_capital(by or "")), Same=escape(same_name(f.by or "")),
                     It=escape(it_name(f.by or "")))
        return _with_hedge(text, hedge)

    def _kind(self, f: Fact) -> str:
        """The wording a fact takes: its kind, or `reported_by` for a reported event whose fact names who reports
        it (when the wording file has words for that)."""
        if f.kind == "reported" and f.by and self.wording.settings["kinds"].get("reported_by"):
            return "reported_by"
        return f.kind

    def spoken(self, f: Fact) -> Md:
        """The fact's statement as the brief prints it here: its writer named in full the first time, by a short
        name later, and as "the same" right after a claim of theirs."""
        writer = f.by if self._kind(f) in ("assessment", "unconfirmed", "reported_by") and f.by else None
        self._run = self._run + 1 if writer is not None and writer == self._last else 1
        again = self._run if writer is not None and self._run > 1 else 0
        by = None
        if writer is not None and writer in self._named:
            by = later_name(writer)
        if writer is not None:
            self._named.add(writer)
        self._last = writer
        return self.sentence(f, self.hedge(f, once="tell"), by, again)

    def view(self, f: Fact) -> FactView:
        v = f.value
        hedge = self.hedge(f)
        value = short = None
        if v:
            value = escape(str(v))
            if f.estimate:
                value = Md(value + " (" + escape(self.wording.hedge("estimate", "words")) + ")")
        sentence = self.sentence(f, hedge)
        if value is not None:
            short = Md(value + self.hedge(f, caveat=False, disputed=self.disputed(f)))
            value = Md(value + hedge)
        return FactView(f.id, sentence, escape(f.label) if f.label else sentence, value,
                        escape(v.as_of_text) if v else Md(""), v, f.topics, f.kind, _opt(f.by), f.confidence,
                        len(f.source_ids) == 1, f.estimate, hedge, _names(self.fb, f.cite), f.cite, short)

    def inline(self, text: str | None, where: str) -> Md | None:
        """`text` (the desk's own, from a judgment or a desk note) escaped, with each fact it names inline as
        [@fact.id] replaced by the fact's hedges and a note mark citing its sources (and giving its caveat);
        `where` keeps one mark per place, however often the view is built."""
        if text is None:
            return None
        out, at = [], 0
        for n, mo in enumerate(re.finditer(r"\s*" + INLINE_REF.pattern + r"([)”’]*[.,;:]?)", text)):
            out.append(escape(text[at:mo.start()]))
            f = self.fb.facts[mo.group(1)]
            key = (where, n)
            if key not in self._marks:
                self._marks[key] = self._cite(f.id, caveat=True) if self._cite is not None else Md("")
            out.append(self.hedge(f, caveat=False, once="check") + escape(mo.group(2)) + self._marks[key])
            at = mo.end()
        out.append(escape(text[at:]))
        return Md("".join(out))


def _how(facts: list[Fact]) -> str:
    """How the desk worked out the figures of `facts` (their `derived:` entries), each once."""
    return "; ".join(dict.fromkeys(d.how for f in facts for d in f.derived))


def _with_hedge(text: Md, hedge: Md) -> Md:
    """`text` with `hedge` before its closing full stop (or at its end). A full stop inside a closing quotation mark
    or bracket moves after the hedge (`… “we will” (hedge).`), so that no bracket stands after a full stop."""
    if not hedge:
        return text
    end = _END.search(text)
    if not end:
        return Md(text + hedge + ".")
    stop, closers = end.group()[0], end.group()[1:]
    if closers and stop != ".":
        return Md(text + hedge + ".")  # “Why?” (hedge).
    return Md(text[:end.start()] + closers + hedge + stop)


_ABBREVIATION_END = re.compile(r"(?:\b[A-Z]\.){2,}$")


def _clause(caveat: str) -> str:
    """A curator's caveat as a clause to print inside brackets: without a closing full stop (an abbreviation's
    stays: `U.S.`), since the sentence's own full stop follows the bracket."""
    caveat = caveat.rstrip()
    if caveat.endswith(".") and not _ABBREVIATION_END.search(caveat):
        return caveat[:-1].rstrip()
    return caveat


def dispute_view(fb: FactBase, d: Dispute, words: Wordsmith) -> DisputeView:
    """A disputed question as templates see it: each claim with the hedges of the facts it restates, the desk's
    note with the facts it names inline, and whether one source makes every claim."""
    claims = tuple(ClaimView(d.id, _with_hedge(escape(c.claim), words.claim_hedge([fb.facts[i] for i in c.facts])),
                             escape(str(c.value)) if c.value else None, _names(fb, c.cite), c.cite, c.facts)
                   for c in d.claims)
    one = len({q.source for c in d.claims for q in c.cite}) == 1
    return DisputeView(d.id, escape(d.question), claims, words.inline(d.note, "dispute " + d.id), d.topics, d.minor,
                       one)


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
    """A key judgment as templates see it. Text fields are escaped Markdown; the facts the desk's texts name inline
    print there with their hedges and a note."""

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
    """Why the facts make it this likely."""
    facts: tuple[FactView, ...]
    """The facts it rests on: `cite(*j.facts)` footnotes them."""
    alternative: Md
    indicators: tuple[Md, ...]
    action: Md | None
    """The recommended action, or None when there is none for this audience."""
    assumption: Md | None
    """The linchpin assumption, if the desk states one."""
    change: Md | None
    """How the judgment changed since the desk's last brief; None when it did not (or the wording file's words for
    a first judgment, when it has them)."""
    gaps: tuple[Md, ...] = ()
    """What the desk does not know that bears on the judgment."""
    event: Md = Md("")
    """The observable event that scores it."""
    deadline: str = ""
    """When it is scored, written out: `31 December 2025`."""
    evidence: Md = Md("")
    """How the desk would know."""
    scoring: Md = Md("")
    """Event, deadline and evidence in one sentence, as the wording file writes them."""


def judgment_view(j: Judgment, audience: str, words: Wordsmith) -> JudgmentView:
    """A key judgment as `audience` sees it: its likelihood and confidence worded, its action only when the
    judgment recommends it to that audience, its change only when it has one."""
    w = words.wording.settings
    estimate = (_fill(w["likelihood"], term=escape(j.likelihood), range=escape(j.range)) + "; "
                + _fill(w["confidence"], level=escape(j.confidence)))
    where = "judgment " + j.id + " "
    deadline = format_date(j.deadline) if j.deadline else ""
    event = escape(j.event)
    scoring = _fill(w["scoring"], event=event, Event=Md(_capital(event)), deadline=escape(deadline),
                    evidence=escape(j.evidence))
    change = j.change or w["first_judgment"] or None
    return JudgmentView(j.id, escape(j.judgment), j.likelihood, j.range, j.confidence, Md(estimate),
                        words.inline(j.basis, where + "basis"), tuple(words.view(words.fb.facts[i]) for i in j.rests_on),
                        words.inline(j.alternative, where + "alternative"), tuple(escape(i) for i in j.indicators),
                        words.inline(j.action if not j.audiences or audience in j.audiences else None,
                                     where + "action"),
                        words.inline(j.assumption, where + "assumption"), words.inline(change, where + "change"),
                        tuple(words.inline(g, f"{where}gap {n}") for n, g in enumerate(j.gaps)),
                        event, deadline, escape(j.evidence), scoring)


def source_view(s: Source) -> SourceView:
    """A cited source as templates see it."""
    return SourceView(s.id, escape(s.title), _opt(s.author), _opt(s.outlet), s.kind, citations.bibliography_entry(s))


def sourcing_note(words: Wordsmith, cited: list[Source], printed: list[Fact], body: str) -> Md:
    """The sourcing note of a brief that cites `cited` and prints the facts `printed` in `body`: the kinds of
    source it rests on, which are unsigned or undated, whether any is official, how many of the printed facts
    rest on one source, and the legend of the markers it shows."""
    w = words.wording
    t = w.settings["sourcing"]
    kinds: dict[str, list[str]] = {}
    for s in cited:
        kinds.setdefault(s.kind, []).append(source_name(s))
    named = t["kind_named"]  # e.g. "{count} {kind} ({names})": which sources are of each kind
    kind_text = "; ".join(named.replace("{count}", str(len(ns))).replace("{kind}", w.kind_name(k, len(ns)))
                          .replace("{names}", ", ".join(ns)) for k, ns in kinds.items()) if named else \
        ", ".join(f"{len(ns)} {w.kind_name(k, len(ns))}" for k, ns in kinds.items())
    official = [source_name(s) for s in cited if s.kind == "official"]
    summary = words.detail == "summary"
    form = t["one_source"] if len(cited) == 1 and t["one_source"] else t["sources"]
    if summary and not official and t["sources_summary"]:  # "…, none of them an official text: …"
        form = t["sources_summary"]
    parts = [_fill(form, count=str(len(cited)), kinds=escape(kind_text))]
    if summary and t["unsigned_undated_summary"]:
        names = [source_name(s) for s in cited if not s.signed or not s.dated]
        if names:
            parts.append(_fill(t["unsigned_undated_summary"], names=escape(", ".join(names))))
    else:
        unnamed = bool(t["unnamed"])  # a writer described but not named is "author not named", not "unsigned"
        for key, test in (("unsigned", lambda s: not s.signed and not (unnamed and s.author_note)),
                          ("unnamed", lambda s: unnamed and not s.signed and bool(s.author_note)),
                          ("undated", lambda s: not s.dated)):
            names = [source_name(s) for s in cited if test(s)]
            if names:
                parts.append(_fill(t[key], names=escape(", ".join(names)), count=str(len(names))))
    if official:
        parts.append(_fill(t["official"], names=escape(", ".join(official))))
    elif form != t["sources_summary"] or not t["sources_summary"]:
        parts.append(escape(t["no_official"]))
    single = sum(1 for f in printed if len(f.source_ids) == 1)
    if summary and t["single_summary"]:
        if single:
            parts.append(escape(t["single_summary"]))
    else:
        parts.append(_fill(t["single"], single=str(single), printed=str(len(printed))))
    if t["agreement"]:
        parts.append(escape(t["agreement"]))
    shown = words.markers_in(body)
    if words.mode == "markers" and shown:
        items = "; ".join(f"{w.hedge(n, 'markers')} {w.hedge(n, 'words')}" for n in shown)
        parts.append(_fill(t["legend"], items=escape(items)))
    views = [f for f in printed if f.kind in ("assessment", "unconfirmed") and words.hedges(f)]
    if words.mode == "words" and views and t["views"]:
        parts.append(escape(t["views"]))
    if t["locators"] and words.detail == "full":  # readers who look passages up
        parts.append(escape(t["locators"]))
    return Md(" ".join(parts))


# -- abbreviations ---------------------------------------------------------------------------------------------

# An abbreviation: a word with two or more capitals and no lower-case letter but one after the first (MoU) and a
# plural s (SMEs), or capitals with full stops (U.S.); not one before a currency sign (US$).
_WORD = re.compile(r"(?<![\w.\-/@])(?:(?:[A-Z]\.)+[A-Z]\.?|[A-Za-z]+)(?![\w$@])")


def is_abbreviation(word: str) -> bool:
    """`WTO`, `MoUs`, `SMEs`, `U.S.`; not `McDonald`, `ePaper`, `I`."""
    if "." in word:
        return True
    # Most words end here: an abbreviation starts with a capital and ends with one (or a plural s after one).
    if not word or not word[0].isupper() or not (word[-1].isupper() or word[-1] == "s" and word[-2:-1].isupper()):
        return False
    core = word[:-1] if len(word) > 2 and word.endswith("s") and word[-2].isupper() else word
    lower = [i for i, c in enumerate(core) if c.islower()]
    return sum(c.isupper() for c in core) >= 2 and core[0].isupper() and lower in ([], [1]) and len(core) > 1


_DEFINED = re.compile(r"\(([A-Z][A-Za-z.]*[A-Z.])(s?)\)")
_STOP = {"of", "and", "for", "the", "on", "in", "a", "an", "with", "to", "&"}
_QUOTED = re.compile(r"“[^”]*”")


def _key(abbreviation: str) -> str:
    """`MoUs` and `MoU` are one abbreviation."""
    return abbreviation[:-1] if abbreviation.endswith("s") and abbreviation[:-1] and abbreviation[-2].isupper() \
        else abbreviation


def _initials(word: str) -> str:
    """The initials a word gives an abbreviation: one per part of `Confidence-Building` or `Tehreek-e-Insaf`."""
    return "".join(p[0] for p in re.split(r"[-–]", word) if p).lower()


def long_form(text: str, at: int, abbreviation: str) -> str | None:
    """The long form written just before `(ABBREVIATION)` at `at` in `text`: the fewest words, starting with a
    word whose initial is the abbreviation's first letter, whose initials hold its capitals in order."""
    letters = [c.lower() for c in _key(abbreviation) if c.isupper()]
    words = re.findall(r"[\w’'][\w’'–-]*", text[max(0, at - 200):at].split(",")[-1].split("(")[-1].split(";")[-1])
    for start in range(len(words) - 1, -1, -1):
        run = words[start:]
        if _initials(run[0])[:1] != letters[0] or run[0].lower() in _STOP:
            continue
        initials = "".join(_initials(w) for w in run if w.lower() not in _STOP)
        it = iter(initials)
        if all(ch in it for ch in letters):
            return " ".join(run)
    return None


class Abbreviations:
    """Spells out each abbreviation at its first use in a brief, from the long form the fact base (or the desk's
    judgments) writes once as "World Trade Organization (WTO)", and finds any a brief uses before it is
    spelled out. Abbreviations every reader knows (the wording file's `known_abbreviations`) are left as they are."""

    def __init__(self, texts: list[str], known: list[str]):
        self.known = {_key(k) for k in known}
        self.forms: dict[str, tuple[str, bool]] = {}
        """The long form of each abbreviation, and whether it is plural, by its key (`MoU` for MoUs), from the first
        text that gives it."""
        for text in texts:
            for mo in _DEFINED.finditer(text):
                key = _key(mo.group(1) + mo.group(2))
                if key not in self.forms and key not in self.known:
                    found = long_form(text, mo.start(), mo.group(1) + mo.group(2))
                    if found:
                        self.forms[key] = (found, bool(mo.group(2)))

    @classmethod
    def of(cls, fb: FactBase, judgments: dict, wording: Wording) -> "Abbreviations":
        """The abbreviations the fact base and the desk's judgments spell out: the curator's own words first
        (statements, claims, notes, caveats, how a source describes its writer), then the judgments, then quotes."""
        texts = [t for f in fb.facts.values() for t in (f.statement, f.caveat or "", f.label or "")]
        texts += [t for d in fb.disputes.values() for t in (d.question, d.note or "", *(c.claim for c in d.claims))]
        texts += [t for s in fb.sources.values() for t in (s.author_note or "", s.standpoint or "")]
        texts += [getattr(items, "bottom_line", None) or "" for items in judgments.values()]
        texts += [t for items in judgments.values() for j in items
                  for t in (j.judgment, j.basis, j.alternative, j.assumption or "", j.action or "", *j.gaps,
                            *j.indicators, j.event, j.evidence)]
        texts += [c.quote for f in fb.facts.values() for c in f.cite]
        return cls(texts, wording.settings.get("known_abbreviations") or [])

    def _uses(self, text: str):
        """Each abbreviation used in `text` and not known to every reader, in order: (match, key)."""
        for mo in _WORD.finditer(text):
            if not is_abbreviation(mo.group()):
                continue
            key = _key(mo.group())
            if key not in self.known and not (key.replace(".", "") and key.replace(".", "") in self.known):
                yield mo, key

    def spell_out(self, body: str) -> str:
        """`body` with each abbreviation spelled out where it is first used (unless its long form stands there
        already), and a long form written again later shortened to the abbreviation."""
        lower = body.lower()
        out, at, done = [], 0, set()
        for mo, key in self._uses(body):
            if key not in self.forms or mo.start() < at:
                continue
            form, plural = self.forms[key]
            start = -1
            if body[mo.start() - 1:mo.start()] == "(" and body[mo.end():mo.end() + 1] == ")":
                start = lower.rfind(form.lower(), at, mo.start())
                if start >= 0 and body[start + len(form):mo.start()].strip() != "(":
                    start = -1
            if key in done:
                if start >= 0:  # written out again: keep only the abbreviation
                    out.append(body[at:start])
                    out.append(mo.group())
                    at = mo.end() + 1
                continue
            done.add(key)
            if start >= 0:
                continue
            shown = _singular(form) if plural and not mo.group().endswith("s") else form
            if re.search(r"(^|[.!?:]\s+|\n[#>*\-\d. |]*\s*)$", body[max(0, mo.start() - 12):mo.start()]):
                shown = _capital(shown)  # it starts a sentence, a heading, a list item or a cell
            out.append(body[at:mo.start()])
            out.append(f"{shown} ({mo.group()})")
            at = mo.end()
        out.append(body[at:])
        return "".join(out)

    def undefined(self, text: str) -> list[tuple[str, int]]:
        """Each abbreviation `text` uses before it is spelled out (outside quotations, which are the sources' own
        words), with the line where it first stands."""
        plain = _QUOTED.sub(lambda mo: " " * len(mo.group()), text)
        seen, late = set(), []
        for mo, key in self._uses(plain):
            if key in seen:
                continue
            seen.add(key)
            if plain[mo.end():mo.end() + 1] == ")" or plain[mo.end():mo.end() + 2] == "s)":
                opening = plain.rfind("(", 0, mo.start())
                if opening >= 0 and long_form(plain, opening, mo.group()):
                    continue
            late.append((mo.group(), plain.count("\n", 0, mo.start()) + 1))
        return late


def _singular(form: str) -> str:
    """`memoranda of understanding` -> `memorandum of understanding`; `small and medium enterprises` -> `…enterprise`."""
    head, sep, tail = form.partition(" of ")
    words = head.split()
    last = words[-1]
    if last.endswith("anda"):
        last = last[:-1] + "um"
    elif last.endswith("s") and not last.endswith("ss"):
        last = last[:-1]
    return " ".join(words[:-1] + [last]) + sep + tail
