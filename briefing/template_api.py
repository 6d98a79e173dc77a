"""The functions brief templates call — fact(), say(), cite(), facts(), judgments() and the rest — as the public
methods of one class, so that the names templates may use, their "did you mean" and docs/templates.md all come
from one place."""

from __future__ import annotations

import inspect
import os

from jinja2 import TemplateRuntimeError

from briefing import citations
from briefing.briefs import Audience, Brief, own_section_template
from briefing.errors import did_you_mean
from briefing.factbase import Citation, FactBase
from briefing.judgments import Judgment, Judgments
from briefing.mdtext import Md, escape
from briefing.notes import Notes
from briefing.views import (ClaimView, DisputeView, FactView, JudgmentView, SourceView, Wordsmith, dispute_view,
                            escaped, judgment_view, source_view)


class FactLookupError(TemplateRuntimeError):
    """A template named a fact, dispute or source id that the fact base does not have."""


class TemplateUsageError(TemplateRuntimeError):
    """A template called one of these functions with arguments it does not take."""


def _text(value, function: str, what: str) -> str:
    """`value`, when it is text; a template that passes anything else gets a TemplateUsageError."""
    if not isinstance(value, str):
        given = f"{type(value).__name__} {value!r}"[:80]
        raise TemplateUsageError(f"{function}() takes {what} (text in quotes), not {given}")
    return value


class TemplateAPI:
    """What one brief's template can call while it is composed for one audience. Every public method is a name
    templates can use (docs/templates.md lists them all; a test keeps the two in step)."""

    def __init__(self, fb: FactBase, templates: str, judgments: dict[str, Judgments | tuple[Judgment, ...]],
                 brief: Brief, audience: Audience, notes: Notes, words: Wordsmith):
        self._fb = fb
        self._templates = templates
        self._judgments = judgments
        self._brief = brief
        self._audience = audience
        self._notes = notes
        self._words = words
        self._labels = escaped(audience.labels)
        self._explained: set[str] = set()
        """Facts whose notes have said how the desk inferred their figures (markers only)."""
        words.bind(self.cite)  # facts named inline in the desk's texts ([@fact.id]) are cited as cite() does

    @classmethod
    def names(cls) -> list[str]:
        """The names of the functions templates can call."""
        return [n for n, _ in inspect.getmembers(cls, inspect.isfunction)
                if not n.startswith("_") and n not in ("names", "functions")]

    def functions(self) -> dict:
        """Each function by its name, for a template's context."""
        return {name: getattr(self, name) for name in self.names()}

    # -- facts, claims and notes ------------------------------------------------------------------

    def fact(self, fact_id: str) -> FactView:
        """The fact with this id, worded for its kind with its hedges."""
        fb = self._fb
        if _text(fact_id, "fact", "a fact id") not in fb.facts:
            if fact_id in fb.disputes:
                raise FactLookupError(f"{fact_id!r} is a disputed question, not a fact; "
                                      f"use dispute({fact_id!r}) or ui.disputed(dispute({fact_id!r}))")
            raise FactLookupError(f"unknown fact id {fact_id!r}" + did_you_mean(fact_id, fb.facts))
        return self._words.view(fb.facts[fact_id])

    def cite(self, *items, caveat: bool = False) -> Md:
        """A note mark citing the sources of the facts (ids or facts) and claims given; with `caveat=true`, the
        note opens with the facts' caveats (a table cell only flags them)."""
        notes = self._notes
        cites: list[Citation] = []
        caveats = [self._fb.facts[i.id].caveat for i in items if isinstance(i, FactView)] if caveat else []
        caveats += [self._fb.facts[i].caveat for i in items if isinstance(i, str) and i in self._fb.facts] if caveat else []
        ids: list[str] = []
        for item in items:
            if isinstance(item, str):
                item = self.fact(item)
            if isinstance(item, FactView):
                ids.append(item.id)
            elif isinstance(item, ClaimView):
                ids += [item.dispute, *item.facts]
            else:
                raise TemplateUsageError(f"cite() takes fact ids, facts or claims, not {type(item).__name__}")
            cites.extend(c for c in item.citations if c not in cites)
        if not cites:
            raise TemplateUsageError("cite() needs at least one fact id")
        ids = list(dict.fromkeys(ids))
        unexplained = [self._fb.facts[i] for i in ids if i in self._fb.facts and i not in self._explained]
        leads = [self._words.caveat_note([c for c in caveats if c]), self._words.estimate_note(unexplained)]
        if leads[1]:  # how the desk inferred a figure is said in the fact's first note only
            self._explained.update(f.id for f in unexplained)
        lead = Md(" ".join(x for x in leads if x)) or None
        return notes.mark(tuple(cites), lead, tuple(ids))

    def say(self, fact_id: str) -> Md:
        """The fact's statement, worded for its kind with its hedges, and its note mark."""
        f = self.fact(fact_id)
        return Md(self._words.spoken(self._fb.facts[f.id]) + self.cite(f))

    def _matching(self, items, want):
        want = set(want or self._brief.topics)
        return [i for i in items if want & set(i.topics)]

    def facts(self, *topics: str) -> list[FactView]:
        """The facts of these topics (default: the brief's), in the fact base's order."""
        for t in topics:
            _text(t, "facts", "topics")
        return [self._words.view(f) for f in self._matching(self._fb.facts.values(), topics)]

    def figures(self, *topics: str) -> list[FactView]:
        """Figures the sources report: typed amounts of reported facts, never the desk's estimates."""
        return [f for f in self.facts(*topics) if f.typed is not None and f.typed.type in ("money", "count", "percent")
                and f.kind == "reported" and not f.estimate]

    def disputes(self, *topics: str) -> list[DisputeView]:
        """The disputed questions of these topics (default: the brief's)."""
        for t in topics:
            _text(t, "disputes", "topics")
        return [dispute_view(self._fb, d, self._words) for d in self._matching(self._fb.disputes.values(), topics)]

    def dispute(self, dispute_id: str) -> DisputeView:
        """The disputed question with this id."""
        fb = self._fb
        if _text(dispute_id, "dispute", "a disputed question's id") not in fb.disputes:
            hint = (f"; {dispute_id!r} is a fact: use say({dispute_id!r})" if dispute_id in fb.facts
                    else did_you_mean(dispute_id, fb.disputes))
            raise FactLookupError(f"unknown disputed question id {dispute_id!r}{hint}")
        return dispute_view(fb, fb.disputes[dispute_id], self._words)

    def sources(self) -> list[SourceView]:
        """The sources cited so far, in bibliography order."""
        return [source_view(s) for s in sorted(self._notes.cited_sources(), key=citations.bibliography_key)]

    def judgments(self) -> list[JudgmentView]:
        """The brief's key judgments (templates/judgments/BRIEF.yaml) that this audience sees, as it sees them."""
        return [judgment_view(j, self._audience.name, self._words)
                for j in self._judgments.get(self._brief.name, ()) if j.seen(self._audience.name)]

    def bottom_line(self) -> Md | None:
        """The desk's one-sentence "so what" for the brief (`bottom_line:` in its judgments file), or nothing."""
        text = getattr(self._judgments.get(self._brief.name), "bottom_line", None)
        return self._words.inline(text, "bottom line")

    def sourcing_note(self) -> Md:
        """Where the sourcing note goes: it is written once the brief is complete."""
        return Md(self._notes.sourcing_mark)

    def bibliography(self, standpoint: Md | None = None) -> Md:
        """Where the list of sources goes; with a label, each entry gives the source's standpoint."""
        return self._notes.bibliography(standpoint)

    # -- the audience's sections and labels -------------------------------------------------------

    def own_section(self, name: str) -> str:
        """The template of the audience's own section `name` for this brief."""
        audience = self._audience
        found = own_section_template(self._templates, audience, _text(name, "own_section", "a section name"),
                                     self._brief.name)
        if found is None:
            folder = os.path.join(self._templates, "audiences", audience.name, name)
            raise FactLookupError(
                f"audience {audience.name!r} asks for its own section {name!r}, but "
                f"{os.path.join(folder, self._brief.name + '.md.j2')} (or default.md.j2 there) does not exist")
        return found

    def own_heading(self, name: str) -> Md:
        """The heading the audience gives its own section `name`."""
        return escape(self._audience.own_sections.get(name, _text(name, "own_heading", "a section name")))

    def show(self, section: str) -> bool:
        """Whether the audience shows this section."""
        return _text(section, "show", "a section name") in self._audience.sections

    def label(self, key: str, default: str) -> Md:
        """The audience's word for a heading or label (its `labels:`), else `default`."""
        return self._labels.get(_text(key, "label", "a label's key"), escape(_text(default, "label", "default text")))
