"""Compose a brief: render its Jinja2 template for one audience into Markdown with footnotes."""

from __future__ import annotations

import os
import re
import traceback
from dataclasses import dataclass

from briefing import citations
from briefing.briefs import Audience, Brief
from briefing.errors import InputError, Problem
from briefing.factbase import Citation, Dispute, Fact, FactBase, Source, Value, format_date
from briefing.mdtext import CONTROL, Md, escape
from briefing.model import Meta


class FactLookupError(LookupError):
    """A template named a fact, dispute or source id that the fact base does not have."""


@dataclass(frozen=True)
class FactView:
    """A fact as templates see it. Text fields are already escaped Markdown: they print literally."""

    id: str
    statement: Md
    label: Md
    """The short name for tables, or the statement."""
    value: Md | None
    """The typed value written out, e.g. `US$17 million`."""
    as_of: Md
    """The value's as-of date written out, or empty."""
    typed: Value | None
    """The typed value itself, for comparisons such as `f.typed.amount > 1000000`."""
    topics: tuple[str, ...]
    held_by: Md | None
    confidence: str
    sources: tuple[Md, ...]
    """How prose names the sources: writer, else outlet, else title."""
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class ClaimView:
    """One side of a disputed question, as templates see it."""

    claim: Md
    value: Md | None
    sources: tuple[Md, ...]
    """Names of the writers or outlets that make the claim, for prose such as 'according to ...'."""
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class DisputeView:
    """A disputed question, as templates see it."""

    id: str
    question: Md
    claims: tuple[ClaimView, ...]
    note: Md | None
    topics: tuple[str, ...]


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


def _fact_view(fb: FactBase, f: Fact) -> FactView:
    v = f.value
    return FactView(f.id, escape(f.statement), escape(f.label or f.statement), escape(str(v)) if v else None,
                    escape(v.as_of_text) if v else Md(""), v, f.topics, _opt(f.held_by), f.confidence,
                    _names(fb, f.cite), f.cite)


def _dispute_view(fb: FactBase, d: Dispute) -> DisputeView:
    claims = tuple(ClaimView(escape(c.claim), escape(str(c.value)) if c.value else None, _names(fb, c.cite), c.cite)
                   for c in d.claims)
    return DisputeView(d.id, escape(d.question), claims, _opt(d.note), d.topics)


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
        self.nonce = secrets.token_hex(6)  # a template cannot type a mark that passes for a helper's own
        self.PLACEHOLDER = re.compile(rf"\[\^c{self.nonce}-(\d+)\]")

    def mark(self, cites: tuple[Citation, ...]) -> Md:
        self.pending.append(cites)
        return Md(f"[^c{self.nonce}-{len(self.pending)}]")

    def cited_sources(self) -> list[Source]:
        ids = {c.source for cites in self.pending for c in cites}
        return [s for s in self.fb.sources.values() if s.id in ids]

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

        body = self.PLACEHOLDER.sub(number, body)
        notes = "\n".join(f"[^{i}]: {t}" for i, t in enumerate(texts, 1))
        return body.rstrip("\n") + "\n" + ("\n" + notes + "\n" if notes else "")


def _finalize(value: object) -> object:
    """{{ none }} prints nothing; text and numbers print; anything else (a helper, a fact) is an error.
    (Text from the fact base and YAML files arrives escaped already.)"""
    from briefing.sandbox import printable

    return "" if value is None else printable(value)


@dataclass(frozen=True)
class Composed:
    """A brief composed for one audience."""

    markdown: str
    """CommonMark with pandoc-compatible footnotes."""
    meta: Meta
    """Title block and file properties."""


class Composer:
    """Renders brief templates against a fact base. One Jinja2 sandbox, shared by every brief."""

    def __init__(self, fb: FactBase, templates: str):
        from jinja2 import StrictUndefined

        from briefing.sandbox import BoundedEnvironment

        self.fb = fb
        self.templates = os.path.abspath(templates)
        self.env = BoundedEnvironment(
            self.templates, undefined=StrictUndefined, finalize=_finalize,
            autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
        self.env.filters["escape_md"] = escape

    # -- the functions templates call -----------------------------------------------------------

    def _helpers(self, brief: Brief, audience: Audience, notes: _Notes) -> dict:
        fb = self.fb
        topics = tuple(brief.settings["topics"])

        def fact(fact_id: str) -> FactView:
            if fact_id not in fb.facts:
                raise FactLookupError(f"unknown fact id {fact_id!r}")
            return _fact_view(fb, fb.facts[fact_id])

        def cite(*items) -> Md:
            cites: list[Citation] = []
            for item in items:
                if isinstance(item, str):
                    item = fact(item)
                if not isinstance(item, (FactView, ClaimView)):
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
            return [_fact_view(fb, f) for f in matching(fb.facts.values(), want)]

        def figures(*want: str) -> list[FactView]:
            return [f for f in facts(*want) if f.typed is not None and f.typed.type in ("money", "count", "percent")]

        def disputes(*want: str) -> list[DisputeView]:
            return [_dispute_view(fb, d) for d in matching(fb.disputes.values(), want)]

        def dispute(dispute_id: str) -> DisputeView:
            if dispute_id not in fb.disputes:
                raise FactLookupError(f"unknown disputed question id {dispute_id!r}")
            return _dispute_view(fb, fb.disputes[dispute_id])

        def sources() -> list[SourceView]:
            cited = sorted(notes.cited_sources(), key=citations.bibliography_key)
            return [SourceView(s.id, escape(s.title), _opt(s.author), _opt(s.outlet), s.kind,
                               citations.bibliography_entry(s)) for s in cited]

        sections = audience.settings["sections"]
        labels = escaped(audience.settings["labels"])
        return {
            "fact": fact, "cite": cite, "say": say, "facts": facts, "figures": figures, "disputes": disputes,
            "dispute": dispute, "sources": sources,
            "show": lambda section: section in sections,
            "label": lambda section, default: labels.get(section, escape(default)),
        }

    # -- composing -------------------------------------------------------------------------------

    def meta(self, brief: Brief, audience: Audience) -> Meta:
        b, a = brief.settings, audience.settings
        return Meta(title=b["title"], subtitle=b["subtitle"], date=self.fb.meta.as_of, audience=a["label"],
                    handling=a["handling"], author=self.fb.meta.organisation, subject=b["subject"],
                    keywords=tuple(b["topics"]), language=self.fb.meta.language)

    def compose(self, brief: Brief, audience: Audience) -> Composed:
        """Return the brief's Markdown for `audience`; raise InputError at the template's file and line."""
        from jinja2 import TemplateSyntaxError

        notes = _Notes(self.fb, audience.settings["quotes_in_notes"])
        meta = self.meta(brief, audience)
        m = self.fb.meta
        context = {"brief": escaped(brief.settings), "audience": escaped(audience.settings),
                   "meta": escaped({"title": m.title, "organisation": m.organisation, "language": m.language}),
                   "date": format_date(m.as_of), **self._helpers(brief, audience, notes)}
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
        return Composed(notes.finish(body), meta)

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
            hint = "check the spelling; the names templates can use are listed in docs/editing.md"
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
