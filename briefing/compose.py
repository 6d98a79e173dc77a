"""Compose a brief: render its Jinja2 template for one audience, in the bounded sandbox, into Markdown with
footnotes; report what a template gets wrong at its file and line."""

from __future__ import annotations

import os
import re
import traceback
from dataclasses import dataclass

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.utils import missing

from briefing.briefs import AUDIENCE, BRIEF, Audience, Brief
from briefing.errors import InputError, Problem, did_you_mean
from briefing.factbase import FactBase, format_date
from briefing.judgments import Judgment, load_judgments
from briefing.mdtext import CONTROL, escape, typographic
from briefing.model import Meta
from briefing.style import Style
from briefing.notes import Notes, typed_mark_prefix
from briefing.template_api import FactLookupError, TemplateAPI
from briefing.views import Abbreviations, Wordsmith, escaped, sourcing_note
from briefing.wording import Wording, load_wording


def _finalize(value: object) -> object:
    """{{ none }} prints nothing; text and numbers print; anything else (a helper, a fact) is an error.
    (Text from the fact base and YAML files arrives escaped already.)"""
    from briefing.sandbox import printable

    return "" if value is None else printable(value)



class UndefinedName(UndefinedError):
    """A template used a name or attribute that does not exist; `name` is the one it used."""

    def __init__(self, message: str, name: str | None):
        super().__init__(message)
        self.name = name


class BriefUndefined(StrictUndefined):
    """StrictUndefined whose error names what was looked up, for "did you mean"."""

    __slots__ = ()

    def __init__(self, hint=None, obj=missing, name=None, exc=UndefinedError):
        super().__init__(hint, obj, name, exc=lambda message: UndefinedName(message, name))


@dataclass(frozen=True)
class Composed:
    """A brief composed for one audience."""

    markdown: str
    """CommonMark with pandoc-compatible footnotes."""
    meta: Meta
    """Title block and file properties."""
    used: frozenset[str]
    """Ids of the facts and disputed questions the brief prints."""

    digest: str = ""
    """Digest of the composed text and its metadata: what the brief says, whatever the bytes of its files."""


class Composer:
    """Renders brief templates against a fact base. One Jinja2 sandbox, shared by every brief."""

    def __init__(self, fb: FactBase, templates: str, wording: Wording | None = None,
                 judgments: dict[str, tuple[Judgment, ...]] | None = None, style: Style | None = None):
        from briefing.sandbox import BoundedEnvironment
        from briefing.style import load_style

        self.fb = fb
        self.templates = templates
        self.style = style if style is not None else load_style(os.path.join(templates, "style.yaml"))
        self.wording = wording if wording is not None else load_wording(templates)
        self.judgments = judgments if judgments is not None else load_judgments(templates, fb)
        self.abbreviations = Abbreviations.of(fb, self.judgments, self.wording)
        self.env = BoundedEnvironment(
            templates, undefined=BriefUndefined, finalize=_finalize,
            autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
        self.env.filters["escape_md"] = escape
        self._outside: dict[tuple[str, str, str], list[Problem]] = {}
        """(template name, path shown, its text) -> the problems `_outside_blocks` found in it."""

    def variant(self, fb: FactBase, judgments: dict[str, tuple[Judgment, ...]]) -> "Composer":
        """A composer of the same templates, wording and style for another fact base and judgments, sharing the
        compiled templates: `briefing diff` and change notes compose a brief again with one item as an older
        version had it, to see whether a change reaches what that brief prints."""
        import copy

        other = copy.copy(self)
        other.fb, other.judgments = fb, judgments
        other.abbreviations = Abbreviations.of(fb, judgments, self.wording)
        return other

    def meta(self, brief: Brief, audience: Audience) -> Meta:
        """The brief's title block, running header and footer and file properties for `audience`, worded from
        the house style (templates/style.yaml) and wording.yaml: the writers print them as they are."""
        from dataclasses import replace

        t = typographic
        meta = Meta(title=t(brief.title), subtitle=t(brief.subtitle), date=self.fb.meta.as_of,
                    audience=t(audience.label), handling=t(audience.handling or ""),
                    author=t(self.fb.meta.organisation),
                    subject=t(brief.subject), keywords=tuple(brief.topics), language=self.fb.meta.language)
        meta = replace(meta, source=os.path.join(self.templates, brief.template_path))
        return furnish(meta, self.style.header, self.style.footer, self.wording.settings["for_audience"])

    def context(self, brief: Brief, audience: Audience, api: TemplateAPI) -> dict:
        """The names a brief's template sees: the brief, the audience, the fact base's meta, the date and the
        template functions."""
        m = self.fb.meta
        settings = {f: getattr(audience, f) for f in AUDIENCE_KEYS}
        # Names from a fixed list (sections, detail, tone, hedging) stay as they are, for comparisons.
        view = {**escaped(settings), **{k: settings[k] for k in ("sections", "detail", "tone", "hedging")},
                "name": audience.name}
        return {"brief": {**escaped({f: getattr(brief, f) for f in BRIEF_KEYS}), "name": brief.name},
                "audience": view,
                "meta": escaped({"title": m.title, "organisation": m.organisation, "language": m.language}),
                "date": format_date(m.as_of), **api.functions()}

    def compose(self, brief: Brief, audience: Audience) -> Composed:
        """Return the brief's Markdown for `audience`; raise InputError at the template's file and line."""
        from briefing.digests import digest
        from briefing.parse import markdown_problems

        notes = Notes(self.fb, audience.quotes_in_notes, plain=audience.detail == "summary")
        words = Wordsmith(self.fb, self.wording, audience.hedging, audience.detail)
        api = TemplateAPI(self.fb, self.templates, self.judgments, brief, audience, notes, words)
        meta = self.meta(brief, audience)
        template = os.path.join(self.templates, brief.template_path)
        try:
            body, spans = self.env.render(self.env.get_template(brief.template_path),
                                          self.context(brief, audience, api))
        except TemplateSyntaxError as e:
            from briefing.sandbox import syntax_problem

            raise InputError(syntax_problem(e, template)) from None
        except Exception as e:
            problem = self._template_problem(e, template)
            if problem is None:
                raise  # a bug in briefing, not in the template: its traceback is shown
            raise InputError(problem) from None
        lost = self._outside_blocks(brief.template_path, template)
        if lost:
            raise InputError(lost)
        markup = markdown_problems(body, spans, typed_mark_prefix(notes.nonce), template)
        if markup:
            raise InputError(markup)
        bad = CONTROL.search(body)
        if bad:  # facts cannot hold them (the loader refuses them), so a template or audience file does
            line = body.count("\n", 0, bad.start()) + 1
            raise InputError(Problem(template, 0, 0,
                                     f"control character U+{ord(bad.group()):04X} in the composed text of "
                                     f"{brief.name} for {audience.name} (line {line} of its Markdown)",
                                     "remove it from the template or the audience file; documents cannot hold it"))
        body = self.abbreviations.spell_out(body)  # each abbreviation spelled out at its first use
        notes.keep(body)  # a note mark left in a text this audience does not print counts for nothing
        # Checked in the prose only: the notes, the list of sources and the sourcing note name sources as they
        # call themselves ("PRCCSF", "BBC"), which is citation, not prose.
        late = self.abbreviations.undefined(body)
        if notes.sourcing_mark in body:
            printed = [self.fb.facts[i] for i in notes.facts if i in self.fb.facts]
            notes.sourcing = sourcing_note(words, notes.cited_sources(), printed, body)
        markdown = notes.finish(body)
        if late:
            raise InputError([Problem(template, 0, 0, f"{word!r} is used before it is spelled out (line {line} of the "
                                      "composed Markdown)", "write its long form once in "
                                      "the fact base, as in `World Trade Organization (WTO)`, or spell it "
                                      "out; abbreviations every reader knows go under `known_abbreviations` in the "
                                      "wording file") for word, line in late])
        return Composed(markdown, meta, frozenset(notes.facts), digest(markdown, meta))

    def _outside_blocks(self, name: str, shown: str) -> list[Problem]:
        """A problem for each piece of a template that extends another but stands outside every block: Jinja
        never prints it, so it would vanish without a word."""
        source, _, _ = self.env.loader.get_source(self.env, name)
        key = (name, shown, source)
        if key not in self._outside:  # parsed once per template text: every audience of a brief asks again
            self._outside[key] = self._pieces_outside(name, shown, source)
        return self._outside[key]

    def _pieces_outside(self, name: str, shown: str, source: str) -> list[Problem]:
        from jinja2 import nodes

        tree = self.env.parse(source, name, shown)
        if not any(isinstance(n, nodes.Extends) for n in tree.body):
            return []
        problems = []
        for node in tree.body:
            if isinstance(node, (nodes.Extends, nodes.Block, nodes.Import, nodes.FromImport, nodes.Macro,
                                 nodes.Assign, nodes.AssignBlock)):
                continue
            if isinstance(node, nodes.Output) and all(isinstance(n, nodes.TemplateData) and not n.data.strip()
                                                      for n in node.nodes):
                continue
            problems.append(Problem(shown, node.lineno, 0, "this stands outside every {% block %}, so it is never "
                                    "printed (the template extends another, which prints only blocks)",
                                    "move it into a block, e.g. between {% block analysis %} and {% endblock %}"))
        return problems

    def _template_problem(self, e: Exception, template: str) -> Problem | None:
        """The Problem a template's error is, at the line of the innermost template frame; None for an error
        that did not come from template code (a bug in briefing)."""
        frames = traceback.extract_tb(e.__traceback__)
        where = (template, 0)
        for frame in frames:
            if _in_folder(frame.filename, self.templates):
                where = (frame.filename, frame.lineno)
        if not isinstance(e, (TemplateError, RecursionError)) and _raised_by_briefing(frames, self.templates):
            return None
        message = str(e.args[0]) if e.args else type(e).__name__
        if isinstance(e, RecursionError):
            message, hint = "a macro or include that calls itself without end", "give the recursion an end"
        elif isinstance(e, UndefinedError):
            if isinstance(e, UndefinedName) and e.name:
                message += did_you_mean(e.name, template_names())
            hint = "check the spelling; the names templates can use are listed in docs/templates.md"
        elif isinstance(e, FactLookupError):
            hint = "use an id from the fact base (`briefing facts TEXT` finds one)"
        elif isinstance(e, TemplateError):
            hint = "see docs/editing.md for what templates may do"
        else:
            hint = ""
            message = f"{type(e).__name__}: {message}"
        return Problem(where[0], where[1], 0, message, hint)


def _in_folder(path: str, folder: str) -> bool:
    return os.path.normpath(path).startswith(os.path.normpath(folder) + os.sep)


def _raised_by_briefing(frames, templates: str) -> bool:
    """Whether the innermost code that raised is briefing's own (a bug), not a template's or Jinja's on a
    template's behalf (its filters and runtime). Library frames between them (string.py formatting a
    template's format string) and the sandbox, which only passes calls on, are looked through."""
    import jinja2

    own = os.path.dirname(os.path.abspath(__file__)) + os.sep
    jinja = os.path.dirname(os.path.abspath(jinja2.__file__)) + os.sep
    sandbox = os.path.join(own, "sandbox.py")
    for frame in reversed(frames):
        path = os.path.abspath(frame.filename)
        if _in_folder(frame.filename, templates) or path.startswith(jinja) or frame.filename.endswith(".j2"):
            return False
        if path.startswith(own) and path != sandbox:
            return True
    return False


AUDIENCE_KEYS = tuple(AUDIENCE.fields)
BRIEF_KEYS = tuple(BRIEF.fields)


def template_names() -> set[str]:
    """Every name and attribute a template can use, for "did you mean" (docs/templates.md lists them)."""
    from dataclasses import fields

    from briefing.views import ClaimView, DisputeView, FactView, JudgmentView, SourceView

    names = {"brief", "audience", "meta", "date", "ui", "loop", "name", *TemplateAPI.names(), *AUDIENCE_KEYS,
             *BRIEF_KEYS}
    for view in (FactView, ClaimView, DisputeView, SourceView, JudgmentView):
        names.update(f.name for f in fields(view))
    return names


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
            source = read_text(path, path)  # InputError for a file that cannot be read
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
    return Problem(path, line, 0, f"warning: a number typed into a template: {text.strip()[:60]!r}",
                   "take figures, names and dates from facts.yaml so a correction reaches every brief")


def _running_line(template: str, meta: Meta) -> str:
    """Fill {handling}, {title}, {audience} and {date} into a line of the house style. A field left empty (an
    unmarked public brief has no handling) takes its separator with it."""
    text = (template.replace("{handling}", meta.handling).replace("{title}", meta.title)
            .replace("{audience}", meta.audience)
            .replace("{date}", format_date(meta.date) if meta.date else ""))
    return " · ".join(p for p in text.split(" · ") if p.strip())


def furnish(meta: Meta, header: str, footer: str, for_audience: str = "For: {audience}") -> Meta:
    """Return `meta` with its running header and footer (from the house style's `header` and `footer`; the
    footer keeps {page} and {pages} for the writers), its title line and audience line worded (`for_audience`
    from wording.yaml): what the writers print, so that they word nothing themselves."""
    from dataclasses import replace

    audience_line = for_audience.replace("{audience}", meta.audience)
    parts = [audience_line if meta.audience else "", meta.author, format_date(meta.date) if meta.date else ""]
    return replace(meta, header=_running_line(header, meta), footer=_running_line(footer, meta),
                   audience_line=audience_line, title_line=" · ".join(p for p in parts if p))
