"""Load the fact base, one file or several, into one typed, validated whole: sources, facts, disputed questions."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import gc
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from briefing.errors import InputError, Problem, did_you_mean
from briefing.schema import (INVALID, Bool, Date, Field, ListOf, Number, Positions, Reader, Record, Str, Tagged,
                             json_schema, read_document, tag_field)

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

FACT_BASE = Record("fact base", "One file of the fact base (facts.yaml, or one of several): sources, facts "
                   "and disputed questions; exactly one file of a fact base holds `meta`.", {
    "meta": Field(META, "about the fact base; in exactly one of its files"),
    "sources": Field(ListOf(SOURCE), "the articles and documents cited", default=[]),
    "facts": Field(ListOf(FACT), "the facts", default=[]),
    "disputed": Field(ListOf(DISPUTE), "questions the sources answer differently", default=[]),
})
"""A fact-base file. Every key is optional in one file; the base as a whole needs one meta, sources and facts."""


def schema_json() -> dict:
    """Return the JSON Schema of a fact-base file (facts.yaml, or any one of the files a base is split over)."""
    return json_schema(FACT_BASE, "briefing fact base (facts.yaml, or one of the files of a fact base)")


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


def _slots_set_directly(cls: type) -> type:
    """Give a frozen dataclass with slots an __init__ that sets its slots directly, and return it.

    The __init__ that dataclasses writes for a frozen class sets every field through object.__setattr__, which
    made building the records of a large fact base a sixth of its load time. This one takes the same arguments,
    with the same defaults, and makes the same object a third faster (tests/test_factbase.py checks it);
    the class stays frozen, as only its __init__ changes."""
    fields = dataclasses.fields(cls)
    assert all(f.default_factory is dataclasses.MISSING and f.init for f in fields), cls
    namespace = {f"set_{f.name}": getattr(cls, f.name).__set__ for f in fields}
    namespace.update({f"default_{f.name}": f.default for f in fields if f.default is not dataclasses.MISSING})
    arguments = ", ".join(f.name if f.default is dataclasses.MISSING else f"{f.name}=default_{f.name}"
                          for f in fields)
    exec(f"def __init__(self, {arguments}):\n" + "".join(f"    set_{f.name}(self, {f.name})\n" for f in fields),
         namespace)
    namespace["__init__"].__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = namespace["__init__"]
    return cls


CURRENCY_SIGNS = {"USD": "US$", "EUR": "€", "GBP": "£", "PKR": "Rs ", "BYN": "BYN ", "CNY": "CN¥"}


@_slots_set_directly
@dataclass(frozen=True, slots=True)
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


_NOWHERE = Positions(0, 0, (), ())
"""The positions of a record made in code, not read from a file."""


@_slots_set_directly
@dataclass(frozen=True, slots=True)
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
    """Line in its fact-base file where the source is defined."""
    origin: str = ""
    """The fact-base file it is defined in, as messages name it."""
    positions: Positions = field(default=_NOWHERE, compare=False, repr=False)
    """Line and column of each field's value in `origin`."""

    @property
    def signed(self) -> bool:
        """The piece names its writer."""
        return self.author is not None

    @property
    def dated(self) -> bool:
        """The piece gives its date of publication."""
        return self.published is not None


@_slots_set_directly
@dataclass(frozen=True, slots=True)
class Citation:
    """A source's support for a fact: its id, a verbatim quote and a locator."""

    source: str
    """Id of the cited source."""
    quote: str
    """The shortest verbatim phrase that supports the fact."""
    at: str | None
    """Where in the source, e.g. `para. 3`."""
    line: int
    """Line of the quote in its fact-base file."""
    column: int
    """Column of the quote in its fact-base file."""
    origin: str = ""
    """The fact-base file the citation is written in, as messages name it."""
    positions: Positions = field(default=_NOWHERE, compare=False, repr=False)
    """Line and column of each field's value in `origin`."""


@_slots_set_directly
@dataclass(frozen=True, slots=True)
class Derived:
    """A figure or date the curator worked out."""

    value: str
    """The figure or date as written in the statement or value."""
    how: str
    """How it was worked out."""
    source: str
    """What it was worked out from."""


@_slots_set_directly
@dataclass(frozen=True, slots=True)
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
    """Line in its fact-base file where the fact is defined."""
    positions: Mapping[str, tuple[int, int]] = field(default=_NOWHERE, compare=False, repr=False)
    """Line and column of each field's value in `origin`, for lints."""
    origin: str = ""
    """The fact-base file it is defined in, as messages name it."""

    @property
    def source_ids(self) -> tuple[str, ...]:
        """The distinct sources cited, in order."""
        return tuple(dict.fromkeys(c.source for c in self.cite))

    @property
    def estimate(self) -> bool:
        """The typed value (or a figure in the statement) was worked out by the curator."""
        return bool(self.derived)


@_slots_set_directly
@dataclass(frozen=True, slots=True)
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
    origin: str = ""
    """The fact-base file it is written in, as messages name it."""
    positions: Positions = field(default=_NOWHERE, compare=False, repr=False)
    """Line and column of each field's value in `origin`."""


@_slots_set_directly
@dataclass(frozen=True, slots=True)
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
    """Line in its fact-base file where the question is defined."""
    minor: bool = False
    """It bears on no judgment; audiences may leave it out."""
    origin: str = ""
    """The fact-base file it is defined in, as messages name it."""
    positions: Positions = field(default=_NOWHERE, compare=False, repr=False)
    """Line and column of each field's value in `origin`."""


@_slots_set_directly
@dataclass(frozen=True, slots=True)
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
    origin: str = ""
    """The fact-base file that holds it, as messages name it."""
    positions: Positions = field(default=_NOWHERE, compare=False, repr=False)
    """Line and column of each field's value in `origin`."""


@dataclass
class FactBase:
    """Everything in the fact base's file or files, validated and cross-checked."""

    path: str
    """Its first file, as messages name it."""
    meta: Meta
    """About the fact base."""
    sources: dict[str, Source]
    """Sources by id, in file order."""
    facts: dict[str, Fact]
    """Facts by id, in file order."""
    disputes: dict[str, Dispute]
    """Disputed questions by id, in file order."""
    files: tuple[str, ...] = ()
    """Every file read, as named to load(), in order."""

    def topics(self) -> dict[str, int]:
        """Return the number of facts per topic, topics in alphabetical order."""
        counts: dict[str, int] = {}
        for fact in self.facts.values():
            for t in fact.topics:
                counts[t] = counts.get(t, 0) + 1
        return dict(sorted(counts.items()))


# --- reading: each record is built as it is read ------------------------------------------------
#
# The schema calls these as soon as a record has been read and validated, so that the plain dicts of a
# large base never all exist at once; ids and references across records and files are checked by load().

# Capitalised words that begin a sentence but not a clause after "According to X,".
_LEAD_WORDS = frozenset(("The", "A", "An", "This", "That", "These", "Those", "It", "Its", "There", "Both", "Many",
                         "Some", "One", "Trade", "Bilateral", "According", "Such", "Each", "All", "Most"))
_intern = sys.intern  # ids, topics and locators recur thousands of times: one string each


def _value(v: dict, at: Positions, r: Reader) -> Value:
    get = v.get
    return Value(v["type"], get("amount"), get("currency"), get("per"), get("unit") or get("of"), get("date"),
                 get("start"), get("end"), get("year"), get("as_of"))


def _source(v: dict, at: Positions, r: Reader) -> Source:
    return Source(_intern(v["id"]), v["title"], v["author"], v["author_note"], v["outlet"], v["published"],
                  v["url"], _intern(v["kind"]), v["standpoint"], v["short_name"], v["file"], at.line,
                  r.problems.file, at)


def _citation(v: dict, at: Positions, r: Reader) -> Citation:
    locator = v["at"]
    return Citation(_intern(v["source"]), v["quote"], _intern(locator) if locator else locator, *at["quote"],
                    r.problems.file, at)


def _derived(v: dict, at: Positions, r: Reader) -> Derived:
    return Derived(v["value"], v["how"], v["from"])


def _check_kind(v: dict, at: Positions, r: Reader) -> None:
    """`by` as each kind needs it; an assessment reads on from `According to ...,`."""
    kind = v["kind"]
    if kind == "reported":  # most facts: nothing to check
        return
    add = r.problems.add
    if kind in ("said", "assessment") and not v["by"]:
        who = "who said it" if kind == "said" else "whose assessment it is"
        add(*at.get("kind", (at.line, at.column)), f"fact {v['id']!r}: a{'n' if kind == 'assessment' else ''} "
            f"{kind} fact needs `by`", f"add `by:` naming {who}, e.g. `by: Muhammad Zahid Rifat`")
    if kind == "said" and v["by"] and v["by"] not in v["statement"]:
        add(*at["by"], f"fact {v['id']!r}: the statement does not name {v['by']!r}, who said it",
            "write `by` as the statement names the speaker, so the sentence reads as said")
    if kind in ("assessment", "unconfirmed"):
        first = v["statement"].split(" ", 1)[0]
        if first in _LEAD_WORDS or first == "according":
            add(*at["statement"], f"fact {v['id']!r}: an {kind} statement is printed after `According to ...,`; "
                "write only the claim", "e.g. `statement: trade is poised to grow exponentially.` (lower case "
                "unless it begins with a name)")


def _fact(v: dict, at: Positions, r: Reader) -> Fact:
    _check_kind(v, at, r)
    return Fact(v["id"], tuple(map(_intern, v["topics"])), v["statement"], v["label"], v["value"],
                _intern(v["kind"]), v["by"], tuple(v["derived"]), tuple(v["cite"]), _intern(v["confidence"]),
                v["caveat"], v["justification"], at.line, at, r.problems.file)


def _claim(v: dict, at: Positions, r: Reader) -> Claim:
    return Claim(v["claim"], v["value"], tuple(v["cite"]), tuple(v["facts"]), r.problems.file, at)


def _dispute(v: dict, at: Positions, r: Reader) -> Dispute:
    return Dispute(v["id"], tuple(map(_intern, v["topics"])), v["question"], tuple(v["claims"]), v["note"],
                   at.line, v["minor"], r.problems.file, at)


def _meta(v: dict, at: Positions, r: Reader) -> Meta:
    return Meta(v["title"], v["organisation"], v["as_of"], v["language"], r.problems.file, at)


for _record, _build in ((SOURCE, _source), (_CITATION, _citation), (_DERIVED, _derived), (FACT, _fact),
                        (_CLAIM, _claim), (DISPUTE, _dispute), (META, _meta), *((variant, _value) for variant in
                                                                                  _VALUE.variants.values())):
    _record.build = _build


def _as_given(path: str) -> str:
    return path


def _place(origin: str, at: tuple[int, int]) -> str:
    return f"{origin}:{at[0]}:{at[1]}"


class _Reading:
    """The files of one fact base as they are read: each file's records, and every problem found."""

    def __init__(self, shown: Callable[[str], str]):
        self.shown = shown
        self.files: list[str] = []
        self.parts: list[dict] = []
        """The top-level mapping of each file read whole, in the order read."""
        self.problems: list[Problem] = []
        self.invalid: set[tuple[str, str]] = set()
        """Records left out as invalid, by (record name, id): references to them are not also unknown."""
        self.complete = True
        """Every file was read (none unreadable, none with a syntax error or a broken top level)."""
        self._seen: set[str] = set()

    def read(self, path: str) -> None:
        """Read the file at `path`, unless it was read already (named twice, or through a link)."""
        key = os.path.realpath(path)
        if key in self._seen:
            return
        self._seen.add(key)
        self.files.append(path)
        label = self.shown(path)
        try:
            data, problems = read_document(path, FACT_BASE, label, invalid=self.invalid)
        except InputError as e:
            self.problems.extend(e.problems)
            self.complete = False
            return
        self.problems.extend(problems.items)
        if data is INVALID:
            self.complete = False
            return
        data["_origin"] = label
        self.parts.append(data)


_WHAT = {Source: "source", Fact: "fact", Dispute: "disputed question"}


def _duplicates(first: dict, again: list, hint: str) -> list[Problem]:
    """A problem at every place an id is defined, naming the others, for each id defined more than once:
    `first` holds the first record of each id, `again` the later ones."""
    problems = []
    for id_ in dict.fromkeys(r.id for r in again):
        where = [(_WHAT[type(r)], r.origin, r.positions["id"]) for r in (first[id_], *(r for r in again
                                                                                     if r.id == id_))]
        for i, (what, origin, at) in enumerate(where):
            others = "; ".join(f"{'an' if w[0][0] in 'aeiou' else 'a'} {w[0]} at {_place(w[1], w[2])}"
                               for j, w in enumerate(where) if j != i)
            problems.append(Problem(origin, *at, f"duplicate {what} id {id_!r} (also {others})", hint))
    return problems


def load(paths: str | Sequence[str], shown: Callable[[str], str] | None = None) -> FactBase:
    """Return the fact base held in the YAML file or files at `paths`, as one.

    Ids are unique across all files, and a citation may name a source of any file; exactly one file holds
    `meta`. Raise InputError listing every problem of every file, each at its file, line and column;
    `shown(path)` is how messages name a file (default: as given)."""
    files = [paths] if isinstance(paths, str) else list(paths)
    if not files:
        raise ValueError("a fact base needs at least one file")
    reading = _Reading(shown or _as_given)
    # Reading allocates hundreds of thousands of small objects and frees none: the cyclic garbage
    # collector would only walk them again and again (a third of the time for a large base). Once read,
    # they go straight to the oldest generation, where the objects that outlive collections end up: enabling
    # the collector with all of them still in the youngest would walk them all once more (5 % of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for path in files:
            reading.read(path)
    finally:
        if collecting:
            gc.freeze()
            gc.unfreeze()
            gc.enable()
    problems = reading.problems
    parts = reading.parts

    metas = [(p["_origin"], p["_positions"]["meta"], p["meta"]) for p in parts if "meta" in p["_positions"]]
    if len(metas) > 1:
        for i, (origin, at, _) in enumerate(metas):
            others = ", ".join(_place(o, a) for j, (o, a, _) in enumerate(metas) if j != i)
            problems.append(Problem(origin, *at, f"meta: a second one in the fact base (also at {others})",
                                    "a fact base has one meta; keep it in one of its files and remove the others"))

    sources: dict[str, Source] = {}
    again: list = []  # records whose id an earlier one has
    for part in parts:
        for s in part["sources"]:
            if sources.setdefault(s.id, s) is not s:
                again.append(s)
    problems += _duplicates(sources, again, "give each source its own id, across all files of the fact base")

    ids: dict[str, Fact | Dispute] = {}
    again = []
    for part in parts:
        for record in (*part["facts"], *part["disputed"]):
            if ids.setdefault(record.id, record) is not record:
                again.append(record)
    problems += _duplicates(ids, again, "give each fact and disputed question its own id, across all files of "
                            "the fact base")
    facts = {i: r for i, r in ids.items() if type(r) is Fact}
    disputes = {i: r for i, r in ids.items() if type(r) is Dispute}

    if reading.complete:
        known_sources = set(sources) | {i for kind, i in reading.invalid if kind == "source"}
        known_facts = set(facts) | {i for kind, i in reading.invalid if kind == "fact"}
        for owner in (*facts.values(), *(claim for d in disputes.values() for claim in d.claims)):
            for c in owner.cite:
                if c.source not in known_sources:
                    problems.append(Problem(c.origin, *c.positions["source"],
                                            f"citation of unknown source {c.source!r}{did_you_mean(c.source, sources)}",
                                            "use the id of an entry under `sources` (in any file of the fact base)"))
        for d in disputes.values():
            for claim in d.claims:
                for fact_id in claim.facts:
                    if fact_id not in known_facts:
                        problems.append(Problem(claim.origin, *claim.positions["facts"],
                                                f"disputed question {d.id!r}: a claim restates unknown fact "
                                                f"{fact_id!r}{did_you_mean(fact_id, facts)}",
                                                "use the id of a fact (`briefing facts TEXT` finds one)"))
        if not problems:
            first = parts[0]
            start = (first["_line"], first["_column"])
            several = len(reading.files) > 1
            # A base with no sources or facts yet loads (a project just begun: `source add`, `quote` and
            # `coverage` work on it); `check` says what is missing.
            for present, what, hint in (
                    (metas, "meta", "add `meta:` (title, organisation, as_of) to "
                     + ("one of its files" if several else "it")),):
                if not present:
                    problems.append(Problem(first["_origin"], *start, f"the fact base has no {what}", hint))
    if problems:
        raise InputError(problems)
    return FactBase(reading.shown(files[0]), metas[0][2], sources, facts, disputes, tuple(reading.files))

