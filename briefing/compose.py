"""Compose a brief: render its Jinja2 template for one audience into Markdown with footnotes."""

from __future__ import annotations

import os
import re
import traceback
from dataclasses import dataclass

from briefing import citations
from briefing.briefs import AUDIENCE, BRIEF, Audience, Brief, own_section_template
from briefing.errors import InputError, Problem, did_you_mean
from briefing.factbase import Citation, Dispute, Fact, FactBase, Source, Value, format_date
from briefing.judgments import Judgment, load_judgments
from briefing.mdtext import CONTROL, Md, escape, typographic
from briefing.model import Meta
from briefing.wording import HEDGES, Wording, load_wording


class FactLookupError(LookupError):
    """A template named a fact, dispute or source id that the fact base does not have."""


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


def _dispute_view(fb: FactBase, d: Dispute, words: Wordsmith) -> DisputeView:
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
    if isinstance(data, list):
        return [escaped(v) for v in data]
    return data


class _Notes:
    """Footnotes of one brief while it is rendered: cite() leaves a placeholder mark, finish() numbers them."""

    def __init__(self, fb: FactBase, quotes: bool):
        import secrets

        self.fb = fb
        self.quotes = quotes
        self.pending: list[tuple[Citation, ...]] = []
        self.facts: dict[str, None] = {}
        """Ids of the facts and disputed questions cited, in order: what the brief prints."""
        self.sourcing: Md | None = None
        """The sourcing note, made when the brief is finished (it counts what the brief printed)."""
        self.nonce = secrets.token_hex(6)  # a template cannot type a mark that passes for a helper's own
        self.PLACEHOLDER = re.compile(rf"\[\^c{self.nonce}-(\d+)\]")
        self.sourcing_mark = f"@@sourcing-{self.nonce}@@"
        self.bibliography_mark = f"@@bibliography-{self.nonce}@@"
        """Where the list of sources goes: written once the whole brief is known, wherever it stands."""
        self.standpoint_label: Md | None = None
        """When set, each entry of the list of sources ends with the source's standpoint under this label."""

    def mark(self, cites: tuple[Citation, ...]) -> Md:
        self.pending.append(cites)
        return Md(f"[^c{self.nonce}-{len(self.pending)}]")

    def cited_sources(self) -> list[Source]:
        ids = {c.source for cites in self.pending for c in cites}
        return [s for s in self.fb.sources.values() if s.id in ids]

    def bibliography(self, standpoint: Md | None = None) -> Md:
        """Return the mark where the list of sources goes; with a label, each entry gives its standpoint."""
        self.standpoint_label = standpoint
        return Md(self.bibliography_mark)

    def _standpoint(self, s: Source) -> str:
        if self.standpoint_label is None:
            return ""
        parts = [escape(s.standpoint)] if s.standpoint else []
        if not s.author and s.author_note:
            parts.append(escape(f"Writer: {s.author_note}."))
        return f" *{self.standpoint_label}:* " + " ".join(parts) if parts else ""

    def finish(self, body: str) -> str:
        """Return `body` with marks numbered in reading order and the note texts appended.

        A source's first note is in full, its later notes short (Chicago)."""
        seen: set[str] = set()
        texts: list[str] = []

        def number(mo: re.Match) -> str:
            parts = []
            by_source: dict[str, list[Citation]] = {}
            for c in self.pending[int(mo.group(1)) - 1]:
                by_source.setdefault(c.source, []).append(c)
            for source_id, cites in by_source.items():
                form = citations.short_note if source_id in seen else citations.full_note
                seen.add(source_id)
                parts.append(form(self.fb.sources[source_id], cites, self.quotes))
            texts.append(citations.join_note(parts))
            return f"[^{len(texts)}]"

        if self.sourcing is not None:
            body = body.replace(self.sourcing_mark, self.sourcing)
        if self.bibliography_mark in body:
            cited = sorted(self.cited_sources(), key=citations.bibliography_key)
            body = body.replace(self.bibliography_mark,
                                "\n".join(f"- {citations.bibliography_entry(s)}{self._standpoint(s)}" for s in cited))
        body = self.PLACEHOLDER.sub(number, body)
        notes = "\n".join(f"[^{i}]: {t}" for i, t in enumerate(texts, 1))
        return body.rstrip("\n") + "\n" + ("\n" + notes + "\n" if notes else "")


def _finalize(value: object) -> object:
    """{{ none }} prints nothing; text and numbers print; anything else (a helper, a fact) is an error.
    (Text from the fact base and YAML files arrives escaped already.)"""
    from briefing.sandbox import printable

    return "" if value is None else printable(value)


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


@dataclass(frozen=True)
class Composed:
    """A brief composed for one audience."""

    markdown: str
    """CommonMark with pandoc-compatible footnotes."""
    meta: Meta
    """Title block and file properties."""
    used: frozenset[str]
    """Ids of the facts and disputed questions the brief prints."""


class Composer:
    """Renders brief templates against a fact base. One Jinja2 sandbox, shared by every brief."""

    def __init__(self, fb: FactBase, templates: str, wording: Wording | None = None,
                 judgments: dict[str, tuple[Judgment, ...]] | None = None):
        from jinja2 import StrictUndefined

        from briefing.sandbox import BoundedEnvironment

        self.fb = fb
        self.templates = os.path.abspath(templates)
        self.wording = wording if wording is not None else load_wording(templates)
        self.judgments = judgments if judgments is not None else load_judgments(templates, fb)
        self.env = BoundedEnvironment(
            self.templates, undefined=StrictUndefined, finalize=_finalize,
            autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
        self.env.filters["escape_md"] = escape

    # -- the functions templates call -----------------------------------------------------------

    def _helpers(self, brief: Brief, audience: Audience, notes: _Notes, words: Wordsmith) -> dict:
        fb = self.fb
        topics = tuple(brief.settings["topics"])

        def fact(fact_id: str) -> FactView:
            if fact_id not in fb.facts:
                if fact_id in fb.disputes:
                    raise FactLookupError(f"{fact_id!r} is a disputed question, not a fact; "
                                          f"use dispute({fact_id!r}) or ui.disputed(dispute({fact_id!r}))")
                raise FactLookupError(f"unknown fact id {fact_id!r}" + did_you_mean(fact_id, fb.facts))
            return words.view(fb.facts[fact_id])

        def cite(*items) -> Md:
            cites: list[Citation] = []
            for item in items:
                if isinstance(item, str):
                    item = fact(item)
                if isinstance(item, FactView):
                    notes.facts[item.id] = None
                elif isinstance(item, ClaimView):
                    notes.facts[item.dispute] = None
                    notes.facts.update(dict.fromkeys(item.facts))
                else:
                    raise TypeError(f"cite() takes fact ids, facts or claims, not {type(item).__name__}")
                cites.extend(c for c in item.citations if c not in cites)
            if not cites:
                raise TypeError("cite() needs at least one fact id")
            return notes.mark(tuple(cites))

        def say(fact_id: str) -> Md:
            f = fact(fact_id)
            return Md(f.statement + cite(f))

        def matching(items, want):
            want = set(want or topics)
            return [i for i in items if want & set(i.topics)]

        def facts(*want: str) -> list[FactView]:
            return [words.view(f) for f in matching(fb.facts.values(), want)]

        def figures(*want: str) -> list[FactView]:
            """Figures the sources report: typed amounts of reported facts, never the desk's estimates."""
            return [f for f in facts(*want) if f.typed is not None and f.typed.type in ("money", "count", "percent")
                    and f.kind == "reported" and not f.estimate]

        def disputes(*want: str) -> list[DisputeView]:
            return [_dispute_view(fb, d, words) for d in matching(fb.disputes.values(), want)]

        def dispute(dispute_id: str) -> DisputeView:
            if dispute_id not in fb.disputes:
                hint = (f"; {dispute_id!r} is a fact: use say({dispute_id!r})" if dispute_id in fb.facts
                        else did_you_mean(dispute_id, fb.disputes))
                raise FactLookupError(f"unknown disputed question id {dispute_id!r}{hint}")
            return _dispute_view(fb, fb.disputes[dispute_id], words)

        def sources() -> list[SourceView]:
            cited = sorted(notes.cited_sources(), key=citations.bibliography_key)
            return [SourceView(s.id, escape(s.title), _opt(s.author), _opt(s.outlet), s.kind,
                               citations.bibliography_entry(s)) for s in cited]

        def judgments() -> list[JudgmentView]:
            w = self.wording.settings
            out = []
            for j in self.judgments.get(brief.name, ()):
                estimate = (_fill(w["likelihood"], term=escape(j.likelihood), range=escape(j.range)) + "; "
                            + _fill(w["confidence"], level=escape(j.confidence)))
                out.append(JudgmentView(j.id, escape(j.judgment), j.likelihood, j.range, j.confidence,
                                        Md(estimate), escape(j.basis), tuple(fact(i) for i in j.rests_on),
                                        escape(j.alternative), tuple(escape(i) for i in j.indicators),
                                        _opt(j.action if not j.audiences or audience.name in j.audiences
                                             else None),
                                        _opt(j.assumption), escape(j.change or w["first_judgment"]),
                                        tuple(escape(g) for g in j.gaps)))
            return out

        sections = audience.settings["sections"]
        labels = escaped(audience.settings["labels"])
        own = audience.settings["own_sections"]

        def own_section(name: str) -> str:
            """The template of the audience's own section `name` for this brief."""
            found = own_section_template(self.templates, audience, name, brief.name)
            if found is None:
                raise FactLookupError(
                    f"audience {audience.name!r} asks for its own section {name!r}, but "
                    f"templates/audiences/{audience.name}/{name}/{brief.name}.md.j2 (or default.md.j2 there) "
                    "does not exist")
            return found
        return {
            "fact": fact, "cite": cite, "say": say, "facts": facts, "figures": figures, "disputes": disputes,
            "dispute": dispute, "sources": sources, "judgments": judgments,
            "sourcing_note": lambda: Md(notes.sourcing_mark),
            "bibliography": notes.bibliography,
            "own_section": own_section,
            "own_heading": lambda name: escape(own.get(name, name)),
            "show": lambda section: section in sections,
            "label": lambda section, default: labels.get(section, escape(default)),
        }

    def _sourcing_note(self, notes: _Notes, words: Wordsmith, body: str) -> Md:
        """The sourcing note: the kinds of source the brief rests on, which are unsigned or undated, whether any
        is official, how many of the printed facts rest on one source, and the markers' legend."""
        w = self.wording
        t = w.settings["sourcing"]
        cited = notes.cited_sources()
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
        printed = [self.fb.facts[i] for i in notes.facts if i in self.fb.facts]
        single = sum(1 for f in printed if len(f.source_ids) == 1)
        parts.append(_fill(t["single"], single=str(single), printed=str(len(printed))))
        if t["agreement"]:
            parts.append(escape(t["agreement"]))
        shown = [n for n in HEDGES if escape(w.hedge(n, "markers")) in body]  # the markers the brief prints
        if words.mode == "markers" and shown:
            items = "; ".join(f"{w.hedge(n, 'markers')} {w.hedge(n, 'words')}" for n in shown)
            parts.append(_fill(t["legend"], items=escape(items)))
        return Md(" ".join(parts))

    # -- composing -------------------------------------------------------------------------------

    def meta(self, brief: Brief, audience: Audience) -> Meta:
        b, a = brief.settings, audience.settings
        t = typographic
        return Meta(title=t(b["title"]), subtitle=t(b["subtitle"]), date=self.fb.meta.as_of, audience=t(a["label"]),
                    handling=t(a["handling"] or ""), author=t(self.fb.meta.organisation), subject=t(b["subject"]),
                    keywords=tuple(b["topics"]), language=self.fb.meta.language)

    def compose(self, brief: Brief, audience: Audience) -> Composed:
        """Return the brief's Markdown for `audience`; raise InputError at the template's file and line."""
        from jinja2 import TemplateSyntaxError

        notes = _Notes(self.fb, audience.settings["quotes_in_notes"])
        words = Wordsmith(self.fb, self.wording, audience.settings["hedging"])
        meta = self.meta(brief, audience)
        m = self.fb.meta
        # Names from a fixed list (sections, detail, tone, hedging) stay as they are, for comparisons.
        settings = {**escaped(audience.settings),
                    **{k: audience.settings[k] for k in ("sections", "detail", "tone", "hedging", "name")}}
        context = {"brief": escaped(brief.settings), "audience": settings,
                   "meta": escaped({"title": m.title, "organisation": m.organisation, "language": m.language}),
                   "date": format_date(m.as_of), **self._helpers(brief, audience, notes, words)}
        from briefing.parse import markdown_problems
        from briefing.sandbox import syntax_problem

        try:
            body, spans = self.env.render(self.env.get_template(brief.template), context)
        except InputError:
            raise
        except TemplateSyntaxError as e:
            raise InputError(syntax_problem(e, brief.template)) from None
        except Exception as e:  # whatever a template does (RecursionError, MemoryError too) ends at its line
            raise InputError(self._runtime_problem(e, brief)) from None
        markup = markdown_problems(body, spans, notes.nonce, brief.template)
        if markup:
            raise InputError(markup)
        bad = CONTROL.search(body)
        if bad:  # facts cannot hold them (the loader refuses them), so a template or audience file does
            line = body.count("\n", 0, bad.start()) + 1
            raise InputError(Problem(brief.template, 0, 0,
                                     f"control character U+{ord(bad.group()):04X} in the composed text of "
                                     f"{brief.name} for {audience.name} (line {line} of its Markdown)",
                                     "remove it from the template or the audience file; documents cannot hold it"))
        if notes.sourcing_mark in body:
            notes.sourcing = self._sourcing_note(notes, words, body)
        return Composed(notes.finish(body), meta, frozenset(notes.facts))

    def _names(self, brief: Brief) -> set[str]:
        """Every name and attribute a template can use, for "did you mean" (see docs/templates.md)."""
        from dataclasses import fields

        names = {"brief", "audience", "meta", "date", "ui", "loop", "fact", "cite", "say", "facts", "figures",
                 "disputes", "dispute", "sources", "judgments", "sourcing_note", "bibliography", "show", "label",
                 "own_section",
                 "own_heading"}
        for view in (FactView, ClaimView, DisputeView, SourceView, JudgmentView):
            names.update(f.name for f in fields(view))
        names.update(brief.settings)
        for fields_ in (AUDIENCE.fields, BRIEF.fields):
            names.update(fields_)
        return {n for n in names if not n.startswith("_")} | {"name"}

    def _relative(self, filename: str | None) -> str | None:
        if not filename:
            return None
        return os.path.relpath(filename) if os.path.isabs(filename) else filename

    def _runtime_problem(self, e: Exception, brief: Brief) -> Problem:
        from jinja2 import TemplateError

        where = (brief.template, 0)
        for frame in traceback.extract_tb(e.__traceback__):
            if frame.filename.startswith(self.templates + os.sep):
                where = (frame.filename, frame.lineno)
        message = str(e.args[0]) if e.args else type(e).__name__
        if isinstance(e, RecursionError):
            message, hint = "a macro or include that calls itself without end", "give the recursion an end"
        elif type(e).__name__ == "UndefinedError":
            mo = re.search(r"'(\w+)' is undefined|has no attribute '(\w+)'", message)
            if mo:
                message += did_you_mean(mo.group(1) or mo.group(2), self._names(brief))
            hint = "check the spelling; the names templates can use are listed in docs/templates.md"
        elif isinstance(e, FactLookupError):
            hint = "use an id from facts.yaml (`briefing facts TEXT` finds one)"
        elif isinstance(e, TemplateError):
            hint = "see docs/editing.md for what templates may do"
        else:
            hint = ""
            message = f"{type(e).__name__}: {message}"
        return Problem(self._relative(where[0]) or where[0], where[1], 0, message, hint)


def template_digits(templates: str) -> list[Problem]:
    """Return a warning for each number typed into template prose or string literals.

    Figures, names and dates belong in facts.yaml, so that a corrected fact corrects every brief.
    List numbers, headings' markers and fact ids are not figures."""
    from jinja2 import Environment, TemplateSyntaxError

    from briefing.factbase import FACT_ID
    from briefing.inputs import read_text

    env = Environment(trim_blocks=True, lstrip_blocks=True)
    warnings = []
    for root, _, files in sorted(os.walk(templates)):
        for name in sorted(files):
            if not name.endswith(".j2"):
                continue
            path = os.path.join(root, name)
            source = read_text(path, os.path.relpath(path))  # InputError for a file that cannot be read
            try:
                tokens = list(env.lex(source))
            except TemplateSyntaxError:  # reported when a brief uses it
                continue
            for lineno, kind, value in tokens:
                if kind == "string":
                    literal = value[1:-1]
                    if re.search(r"\d", literal) and not re.fullmatch(FACT_ID, literal) \
                            and not literal.endswith(".j2"):
                        warnings.append(_digit_warning(path, lineno, literal))
                if kind != "data":
                    continue
                for offset, line in enumerate(value.split("\n")):
                    text = re.sub(r"^\s*(\d+[.)]\s|#+\s)", "", line)
                    if re.search(r"\d", text):
                        warnings.append(_digit_warning(path, lineno + offset, line))
    return warnings


def _digit_warning(path: str, line: int, text: str) -> Problem:
    return Problem(os.path.relpath(path), line, 0, f"warning: a number typed into a template: {text.strip()[:60]!r}",
                   "take figures, names and dates from facts.yaml so a correction reaches every brief")
