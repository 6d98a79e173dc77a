"""Load facts.yaml into a typed, validated fact base: sources, facts with citations, disputed questions."""

from __future__ import annotations

import datetime as _dt
import gc
from dataclasses import dataclass

from briefing.errors import did_you_mean
from briefing.schema import (INVALID, Bool, Date, Field, ListOf, Number, Record, Str, Tagged, json_schema,
                             read_document, tag_field)

SLUG = r"[a-z0-9][a-z0-9-]*"
FACT_ID = r"[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)+"
MAX_QUOTE_WORDS = 25
SOURCE_KINDS = ("news", "analysis", "opinion", "promotional", "official")
CLAIM_KINDS = ("reported", "said", "assessment", "unconfirmed")
CONFIDENCE = ("high", "moderate", "low")

# --- the schema -------------------------------------------------------------------------------

_CITATION = Record("citation", "Where a source supports the fact: the source's id and its own words.", {
    "source": Field(Str(pattern=SLUG, pattern_hint="a source id (lower-case letters, digits, dashes)"),
                    "id of an entry under `sources`", required=True),
    "quote": Field(Str(max_words=MAX_QUOTE_WORDS),
                   f"the shortest verbatim phrase of the source that supports the fact (at most {MAX_QUOTE_WORDS} words)",
                   required=True),
    "at": Field(Str(nullable=True), "where in the source, e.g. `para. 3`"),
})

_AS_OF = Field(Date(nullable=True, year_ok=True), "the date (YYYY-MM-DD) or year (YYYY) the value refers to")
_VALUE = Tagged("type", {
    "money": Record("money value", "An amount of money.", {
        "type": tag_field("money", "`money`"),
        "amount": Field(Number(minimum=0), "the amount in units of the currency, e.g. 17000000", required=True),
        "currency": Field(Str(pattern=r"[A-Z]{3}", pattern_hint="a three-letter ISO currency code such as USD"),
                          "ISO 4217 code, e.g. USD", required=True),
        "per": Field(Str(enum=("year", "month")), "the period the amount recurs over, if any"),
        "as_of": _AS_OF,
    }),
    "count": Record("count", "A number of things.", {
        "type": tag_field("count", "`count`"),
        "amount": Field(Number(integer=True, minimum=0), "how many", required=True),
        "unit": Field(Str(), "what is counted, plural, e.g. `members`", required=True),
        "as_of": _AS_OF,
    }),
    "percent": Record("percentage", "A share, in per cent.", {
        "type": tag_field("percent", "`percent`"),
        "amount": Field(Number(), "the percentage, e.g. 12.5", required=True),
        "of": Field(Str(), "what it is a share of", required=True),
        "as_of": _AS_OF,
    }),
    "date": Record("date value", "A day on which something happened.", {
        "type": tag_field("date", "`date`"),
        "date": Field(Date(), "the day", required=True),
    }),
    "period": Record("period", "A span of days or years.", {
        "type": tag_field("period", "`period`"),
        "start": Field(Date(), "first day", required=True),
        "end": Field(Date(), "last day", required=True),
    }),
    "year": Record("year", "A year in which something happened.", {
        "type": tag_field("year", "`year`"),
        "year": Field(Number(integer=True, minimum=1000), "the year, e.g. 1994", required=True),
    }),
}, name="typed value")

_TOPICS = Field(ListOf(Str(pattern=SLUG, pattern_hint="a topic (lower-case word)"), min_items=1),
                "topics such as trade, defense, sco, connectivity, diplomacy, politics, culture", required=True)

SOURCE = Record("source", "An article or document that facts cite.", {
    "id": Field(Str(pattern=SLUG, pattern_hint="an id of lower-case letters, digits and dashes"),
                "short stable id, e.g. `nation-2024-11-28`", required=True),
    "title": Field(Str(), "the headline; a description in [brackets] when the piece has none", required=True),
    "author": Field(Str(nullable=True), "the writer's name, or null when unsigned", required=True),
    "author_note": Field(Str(nullable=True), "how the piece describes its writer, when it gives no name"),
    "outlet": Field(Str(nullable=True), "newspaper, site or publisher; null when unknown", required=True),
    "published": Field(Date(nullable=True), "publication date, or null when unknown", required=True),
    "url": Field(Str(nullable=True, pattern=r"https?://\S+", pattern_hint="a web address (http:// or https://)"),
                 "web address, or null when unknown", required=True),
    "kind": Field(Str(enum=SOURCE_KINDS), "what sort of piece it is: news (a report of events), analysis "
                  "(an expert's study), opinion (a column, op-ed or commentary), promotional (a celebratory or "
                  "institutional account), official (a government's or body's own text)", required=True),
    "standpoint": Field(Str(nullable=True), "the source's standpoint, where it has one"),
    "short_name": Field(Str(nullable=True), "how briefs name it in prose and tables, e.g. `Rifat (Nawaiwaqt)`"),
    "file": Field(Str(pattern=r"[^/\\]+", pattern_hint="a file name without folders"),
                  "the source's text file in the corpus folder", required=True),
})

_DERIVED = Record("derived figure", "A figure or date the curator worked out rather than found in a quote.", {
    "value": Field(Str(), "the figure or date as the statement or value writes it, e.g. `130` or `2024`",
                   required=True),
    "how": Field(Str(), "how it was worked out, e.g. `sum of the two counts`", required=True),
    "from": Field(Str(), "what it was worked out from, e.g. `over 30 Belarusian and nearly 100 Pakistani "
                  "companies`", required=True),
})

FACT = Record("fact", "One neutral, sourced statement.", {
    "id": Field(Str(pattern=FACT_ID, pattern_hint="a dotted id such as trade.volume-2023"),
                "stable dotted id used by templates, e.g. `trade.volume-2023`", required=True),
    "topics": _TOPICS,
    "kind": Field(Str(enum=CLAIM_KINDS), "what kind of claim: reported (reported as having happened, or a "
                  "reported figure), said (what a named actor said), assessment (a writer's judgment, "
                  "characterisation or forecast), unconfirmed (rumour, 'it is believed')", required=True),
    "by": Field(Str(nullable=True), "who said it (kind said: as the statement names them) or whose assessment it "
                "is (kind assessment, required), e.g. `Muhammad Zahid Rifat`"),
    "statement": Field(Str(), "one neutral sentence; for an assessment or unconfirmed report, the claim itself as "
                       "a clause that follows `According to ...,`", required=True),
    "label": Field(Str(nullable=True), "a short name for tables of key figures, e.g. `Bilateral trade, 2023`"),
    "value": Field(_VALUE, "an optional typed value: money, count, percent, date, period or year"),
    "derived": Field(ListOf(_DERIVED), "figures or dates the curator worked out; they print as estimates",
                     default=[]),
    "cite": Field(ListOf(_CITATION, min_items=1), "one or more citations", required=True),
    "confidence": Field(Str(enum=CONFIDENCE), "how sure the desk is that the statement is true (ICD 203 levels)",
                        default="high"),
    "caveat": Field(Str(nullable=True), "a caveat readers must see, printed with the fact in every brief"),
    "justification": Field(Str(nullable=True), "why a fact that only opinion pieces support may still be stated "
                           "as reported, not as an assessment"),
    "note": Field(Str(nullable=True), "a curator's remark, not shown in briefs"),
})

_CLAIM = Record("claim", "One side of a disputed question.", {
    "claim": Field(Str(), "what this side says, as one sentence", required=True),
    "value": Field(_VALUE, "an optional typed value"),
    "cite": Field(ListOf(_CITATION, min_items=1), "the sources that say it", required=True),
    "facts": Field(ListOf(Str(pattern=FACT_ID, pattern_hint="a fact id such as visit.success")),
                   "ids of the facts this claim restates: the claim then carries their hedges and caveats",
                   default=[]),
})

DISPUTE = Record("disputed question", "A question the sources answer differently; every claim is kept.", {
    "id": Field(Str(pattern=FACT_ID, pattern_hint="a dotted id such as diplomacy.ties-years"),
                "stable dotted id", required=True),
    "topics": _TOPICS,
    "question": Field(Str(), "the question, neutrally worded", required=True),
    "claims": Field(ListOf(_CLAIM, min_items=2), "two or more competing claims", required=True),
    "note": Field(Str(nullable=True), "a curator's remark, e.g. how the claims might be reconciled"),
    "minor": Field(Bool(), "true for a question that bears on no judgment (a date, a head count): audiences "
                   "with `minor_disputes: false` leave it out", default=False),
})

META = Record("meta", "About the fact base as a whole.", {
    "title": Field(Str(), "what the fact base covers", required=True),
    "organisation": Field(Str(max_length=255), "who keeps it; shown as the author of briefs", required=True),
    "as_of": Field(Date(earliest=_dt.date(1980, 1, 1), latest=_dt.date(2107, 12, 31),
                        range_hint="files store dates from 1980 to 2107 (the ZIP format inside DOCX)"),
                   "the date the fact base is current to; dates the briefs", required=True),
    "language": Field(Str(pattern=r"[a-z]{2}(-[A-Z]{2})?", pattern_hint="a language tag such as en or en-GB"),
                      "language of statements", default="en-GB"),
})

FACT_BASE = Record("fact base", "facts.yaml: sources, facts and disputed questions.", {
    "meta": Field(META, "about the fact base", required=True),
    "sources": Field(ListOf(SOURCE, min_items=1), "the articles and documents cited", required=True),
    "facts": Field(ListOf(FACT, min_items=1), "the facts", required=True),
    "disputed": Field(ListOf(DISPUTE), "questions the sources answer differently", default=[]),
})


def schema_json() -> dict:
    """Return the JSON Schema of facts.yaml."""
    return json_schema(FACT_BASE, "briefing fact base (facts.yaml)")


# --- the typed fact base ------------------------------------------------------------------------

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def format_date(d: _dt.date) -> str:
    """Return a date as `25 November 2024`."""
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def _amount(n: float | int) -> str:
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if n >= size:
            scaled = n / size
            text = f"{scaled:.2f}".rstrip("0").rstrip(".")
            return f"{text} {word}"
    return f"{n:,}" if isinstance(n, int) else f"{n:,.2f}".rstrip("0").rstrip(".")


CURRENCY_SIGNS = {"USD": "US$", "EUR": "€", "GBP": "£", "PKR": "Rs ", "BYN": "BYN ", "CNY": "CN¥"}


@dataclass(frozen=True)
class Value:
    """A typed value of a fact: money, count, percent, date, period or year."""

    type: str
    """One of money, count, percent, date, period, year."""
    amount: float | int | None = None
    """The number, for money, count and percent."""
    currency: str | None = None
    """ISO currency code, for money."""
    per: str | None = None
    """The period a sum of money recurs over (year, month), if any."""
    unit: str | None = None
    """What a count counts; what a percentage is of."""
    date: _dt.date | None = None
    """The day, for date values."""
    start: _dt.date | None = None
    """First day of a period."""
    end: _dt.date | None = None
    """Last day of a period."""
    year: int | None = None
    """The year, for year values."""
    as_of: _dt.date | int | None = None
    """When the value held: a day, or a year alone."""

    def __str__(self) -> str:
        if self.type == "money":
            sign = CURRENCY_SIGNS.get(self.currency or "", f"{self.currency} ")
            return f"{sign}{_amount(self.amount)}" + (f" a {self.per}" if self.per else "")
        if self.type == "count":
            return f"{_amount(self.amount)} {self.unit}"
        if self.type == "percent":
            return f"{self.amount:g}% of {self.unit}"
        if self.type == "date":
            return format_date(self.date)
        if self.type == "year":
            return str(self.year)
        if self.type == "period":
            s, e = self.start, self.end
            if (s.year, s.month) == (e.year, e.month):
                return f"{s.day}–{e.day} {MONTHS[e.month - 1]} {e.year}"
            if s.year == e.year:
                return f"{s.day} {MONTHS[s.month - 1]} – {format_date(e)}"
            return f"{format_date(s)} – {format_date(e)}"
        raise ValueError(self.type)

    @property
    def as_of_text(self) -> str:
        """The as-of date written out, or an empty string."""
        if isinstance(self.as_of, int):
            return str(self.as_of)
        return format_date(self.as_of) if self.as_of else ""


@dataclass(frozen=True)
class Source:
    """An article or document that facts cite."""

    id: str
    """Stable short id."""
    title: str
    """Headline, or a bracketed description."""
    author: str | None
    """Writer's name; None when unsigned."""
    author_note: str | None
    """How the piece describes an unnamed writer."""
    outlet: str | None
    """Newspaper, site or publisher; None when unknown."""
    published: _dt.date | None
    """Publication date; None when unknown."""
    url: str | None
    """Web address; None when unknown."""
    kind: str
    """news, analysis, opinion, promotional or official."""
    standpoint: str | None
    """The source's standpoint, where it has one."""
    short_name: str | None
    """How briefs name it in prose and tables."""
    file: str
    """The source's text file name in the corpus."""
    line: int
    """Line in facts.yaml where the source is defined."""

    @property
    def signed(self) -> bool:
        """The piece names its writer."""
        return self.author is not None

    @property
    def dated(self) -> bool:
        """The piece gives its date of publication."""
        return self.published is not None


@dataclass(frozen=True)
class Citation:
    """A source's support for a fact: its id, a verbatim quote and a locator."""

    source: str
    """Id of the cited source."""
    quote: str
    """The shortest verbatim phrase that supports the fact."""
    at: str | None
    """Where in the source, e.g. `para. 3`."""
    line: int
    """Line in facts.yaml of the quote."""
    column: int
    """Column in facts.yaml of the quote."""


@dataclass(frozen=True)
class Derived:
    """A figure or date the curator worked out."""

    value: str
    """The figure or date as written in the statement or value."""
    how: str
    """How it was worked out."""
    source: str
    """What it was worked out from."""


@dataclass(frozen=True)
class Fact:
    """One neutral, sourced statement."""

    id: str
    """Stable dotted id."""
    topics: tuple[str, ...]
    """Topics the fact belongs to."""
    statement: str
    """One neutral sentence."""
    label: str | None
    """A short name for tables of key figures."""
    value: Value | None
    """An optional typed value."""
    kind: str
    """reported, said, assessment or unconfirmed."""
    by: str | None
    """Who said it (said) or whose view it is (assessment); who reports it (unconfirmed, optional)."""
    derived: tuple[Derived, ...]
    """Figures or dates the curator worked out, with how and from what."""
    cite: tuple[Citation, ...]
    """The citations, at least one."""
    confidence: str
    """high, moderate or low."""
    caveat: str | None
    """A caveat printed with the fact wherever it appears."""
    justification: str | None
    """Why an opinion-sourced fact is stated as reported."""
    line: int
    """Line in facts.yaml where the fact is defined."""
    positions: dict
    """Line and column of each field's value, for lints."""

    @property
    def source_ids(self) -> tuple[str, ...]:
        """The distinct sources cited, in order."""
        return tuple(dict.fromkeys(c.source for c in self.cite))

    @property
    def estimate(self) -> bool:
        """The typed value (or a figure in the statement) was worked out by the curator."""
        return bool(self.derived)


@dataclass(frozen=True)
class Claim:
    """One side of a disputed question."""

    claim: str
    """What this side says."""
    value: Value | None
    """An optional typed value."""
    cite: tuple[Citation, ...]
    """The sources that say it."""
    facts: tuple[str, ...] = ()
    """Ids of the facts the claim restates; their hedges and caveats go with it."""


@dataclass(frozen=True)
class Dispute:
    """A question the sources answer differently, with every competing claim."""

    id: str
    """Stable dotted id."""
    topics: tuple[str, ...]
    """Topics the question touches."""
    question: str
    """The question, neutrally worded."""
    claims: tuple[Claim, ...]
    """Two or more competing claims."""
    note: str | None
    """A curator's remark."""
    line: int
    """Line in facts.yaml where the question is defined."""
    minor: bool = False
    """It bears on no judgment; audiences may leave it out."""


@dataclass(frozen=True)
class Meta:
    """About the fact base as a whole."""

    title: str
    """What the fact base covers."""
    organisation: str
    """Who keeps it."""
    as_of: _dt.date
    """The date the fact base is current to."""
    language: str
    """Language tag of the statements."""


@dataclass
class FactBase:
    """Everything in facts.yaml, validated and cross-checked."""

    path: str
    """The file it was read from."""
    meta: Meta
    """About the fact base."""
    sources: dict[str, Source]
    """Sources by id, in file order."""
    facts: dict[str, Fact]
    """Facts by id, in file order."""
    disputes: dict[str, Dispute]
    """Disputed questions by id, in file order."""

    def topics(self) -> dict[str, int]:
        """Return the number of facts per topic, topics in alphabetical order."""
        counts: dict[str, int] = {}
        for fact in self.facts.values():
            for t in fact.topics:
                counts[t] = counts.get(t, 0) + 1
        return dict(sorted(counts.items()))


# Capitalised words that begin a sentence but not a clause after "According to X,".
_LEAD_WORDS = frozenset(("The", "A", "An", "This", "That", "These", "Those", "It", "Its", "There", "Both", "Many",
                         "Some", "One", "Trade", "Bilateral", "According", "Such", "Each", "All", "Most"))


def _value(d: dict | None) -> Value | None:
    if d is None:
        return None
    unit = d.get("unit") or d.get("of")
    return Value(type=d["type"], amount=d.get("amount"), currency=d.get("currency"), per=d.get("per"), unit=unit,
                 date=d.get("date"), start=d.get("start"), end=d.get("end"), year=d.get("year"),
                 as_of=d.get("as_of"))


def _citations(items: list[dict]) -> tuple[Citation, ...]:
    return tuple(Citation(c["source"], c["quote"], c["at"], *c["_positions"]["quote"]) for c in items)


def load(path: str) -> FactBase:
    """Return the fact base in the YAML file at `path`; raise InputError listing every problem."""
    # Reading allocates hundreds of thousands of small objects and frees none: the cyclic garbage
    # collector would only walk them again and again (a third of the time for a large base).
    collecting = gc.isenabled()
    gc.disable()
    try:
        data, problems = read_document(path, FACT_BASE)
    finally:
        if collecting:
            gc.enable()
    if data is INVALID:
        problems.raise_if_any()

    sources: dict[str, Source] = {}
    for s in data["sources"]:
        if s["id"] in sources:
            problems.add(*s["_positions"]["id"], f"duplicate source id {s['id']!r}",
                         f"the first is on line {sources[s['id']].line}; give each source its own id")
            continue
        sources[s["id"]] = Source(s["id"], s["title"], s["author"], s["author_note"], s["outlet"], s["published"],
                                  s["url"], s["kind"], s["standpoint"], s["short_name"], s["file"], s["_line"])

    def check_citations(items: list[dict]) -> None:
        for c in items:
            if c["source"] not in sources:
                problems.add(*c["_positions"]["source"], f"citation of unknown source {c['source']!r}",
                             "use the id of an entry under `sources`")

    def check_kind(f: dict) -> None:
        """`by` as each kind needs it; an assessment reads on from `According to ...,`."""
        where = f["_positions"].get("kind", (f["_line"], f["_column"]))
        if f["kind"] in ("said", "assessment") and not f["by"]:
            who = "who said it" if f["kind"] == "said" else "whose assessment it is"
            problems.add(*where, f"fact {f['id']!r}: a{'n' if f['kind'] == 'assessment' else ''} {f['kind']} fact "
                         f"needs `by`", f"add `by:` naming {who}, e.g. `by: Muhammad Zahid Rifat`")
        if f["kind"] == "said" and f["by"] and f["by"] not in f["statement"]:
            problems.add(*f["_positions"]["by"], f"fact {f['id']!r}: the statement does not name {f['by']!r}, "
                         "who said it", "write `by` as the statement names the speaker, so the sentence reads "
                         "as said")
        if f["kind"] in ("assessment", "unconfirmed"):
            first = f["statement"].split(" ", 1)[0]
            if first in _LEAD_WORDS or first == "according":
                problems.add(*f["_positions"]["statement"], f"fact {f['id']!r}: an {f['kind']} statement is "
                             "printed after `According to ...,`; write only the claim",
                             "e.g. `statement: trade is poised to grow exponentially.` (lower case unless it "
                             "begins with a name)")

    ids: dict[str, int] = {}

    def claim_id(d: dict, what: str) -> bool:
        if d["id"] in ids:
            problems.add(*d["_positions"]["id"], f"duplicate {what} id {d['id']!r}",
                         f"the first is on line {ids[d['id']]}; ids must be unique across facts and disputes")
            return False
        ids[d["id"]] = d["_line"]
        return True

    facts: dict[str, Fact] = {}
    for f in data["facts"]:
        check_citations(f["cite"])
        if claim_id(f, "fact"):
            check_kind(f)
            facts[f["id"]] = Fact(f["id"], tuple(f["topics"]), f["statement"], f["label"], _value(f["value"]),
                                  f["kind"], f["by"], tuple(Derived(d["value"], d["how"], d["from"])
                                                            for d in f["derived"]),
                                  _citations(f["cite"]), f["confidence"], f["caveat"], f["justification"],
                                  f["_line"], f["_positions"])
    disputes: dict[str, Dispute] = {}
    for d in data["disputed"]:
        for claim in d["claims"]:
            check_citations(claim["cite"])
        if claim_id(d, "disputed question"):
            for c in d["claims"]:
                for fact_id in c["facts"]:
                    if fact_id not in facts:
                        problems.add(*c["_positions"]["facts"], f"disputed question {d['id']!r}: a claim restates "
                                     f"unknown fact {fact_id!r}{did_you_mean(fact_id, facts)}",
                                     "use an id from facts.yaml (`briefing facts TEXT` finds one)")
            claims = tuple(Claim(c["claim"], _value(c["value"]), _citations(c["cite"]),
                                 tuple(i for i in c["facts"] if i in facts)) for c in d["claims"])
            disputes[d["id"]] = Dispute(d["id"], tuple(d["topics"]), d["question"], claims, d["note"], d["_line"],
                                        d["minor"])
    problems.raise_if_any()
    m = data["meta"]
    return FactBase(path, Meta(m["title"], m["organisation"], m["as_of"], m["language"]), sources, facts, disputes)
