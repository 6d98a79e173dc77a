"""Build briefs: load the project, compose and render every requested brief × audience, write atomically."""

from __future__ import annotations

import datetime as _dt
import os
import tempfile
from dataclasses import dataclass

from briefing.briefs import Audience, Brief, load_audiences, load_briefs
from briefing.compose import Composer
from briefing.errors import InputError, Problem
from briefing.factbase import FactBase, load
from briefing.style import Style, load_style

FORMATS = ("pdf", "docx", "md")


@dataclass
class Project:
    """Everything a build reads: the fact base and the templates folder's briefs, audiences and style."""

    facts: FactBase
    templates: str
    audiences: dict[str, Audience]
    briefs: dict[str, Brief]
    style: Style

    @classmethod
    def load(cls, facts: str, templates: str) -> "Project":
        """Return the project; raise InputError listing the problems of every file at once."""
        problems: list[Problem] = []
        fb = audiences = briefs = style = None
        try:
            fb = load(facts)
        except InputError as e:
            problems.extend(e.problems)
        try:
            audiences = load_audiences(templates)
            briefs = load_briefs(templates, audiences)
        except InputError as e:
            problems.extend(e.problems)
        try:
            style = load_style(os.path.join(templates, "style.yaml"))
        except InputError as e:
            problems.extend(e.problems)
        if problems:
            raise InputError(problems)
        return cls(fb, templates, audiences, briefs, style)

    def plan(self, briefs: list[str], audiences: list[str]) -> list[tuple[Brief, Audience]]:
        """Return the (brief, audience) pairs to build: the named ones, or every brief for its audiences."""
        problems = []
        for name in briefs:
            if name not in self.briefs:
                problems.append(Problem("briefing", 0, 0, f"unknown brief {name!r}",
                                        f"known briefs: {', '.join(self.briefs)}"))
        for name in audiences:
            if name not in self.audiences:
                problems.append(Problem("briefing", 0, 0, f"unknown audience {name!r}",
                                        f"known audiences: {', '.join(self.audiences)}"))
        if problems:
            raise InputError(problems)
        pairs = []
        for name in briefs or list(self.briefs):
            brief = self.briefs[name]
            for a in audiences or brief.settings["audiences"]:
                pairs.append((brief, self.audiences[a]))
        return pairs


def build_time(fb: FactBase) -> _dt.datetime:
    """The time written into the files: SOURCE_DATE_EPOCH when set, else the fact base's as-of date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            when = _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc)
        except ValueError:
            raise InputError(Problem("SOURCE_DATE_EPOCH", 0, 0, f"not a whole number of seconds: {epoch!r}")) from None
        except (OverflowError, OSError):
            when = None
        if when is None or not 1980 <= when.year <= 2107:
            raise InputError(Problem("SOURCE_DATE_EPOCH", 0, 0, f"{epoch} is outside 1980 to 2107",
                                     "files store dates from 1980 to 2107 (the ZIP format inside DOCX); "
                                     "use seconds since 1970, e.g. 1732924800"))
        return when
    d = fb.meta.as_of
    return _dt.datetime(d.year, d.month, d.day, tzinfo=_dt.timezone.utc)


@dataclass
class Output:
    """One file of a build, held in memory until every file has been made."""

    path: str
    data: bytes
    pages: int | None = None
    page_of_note: dict | None = None


def render(project: Project, pairs: list[tuple[Brief, Audience]], formats: list[str], out: str,
           reference_docx: str | None = None) -> list[Output]:
    """Return every requested file's bytes; raise InputError, writing nothing, if any brief fails."""
    composer = Composer(project.facts, project.templates)
    when = build_time(project.facts)
    outputs: list[Output] = []
    problems: list[Problem] = []
    pdf_writer = docx_writer = None
    from briefing.parse import parse

    for brief, audience in pairs:
        base = os.path.join(out, f"{brief.name}.{audience.name}")
        try:
            composed = composer.compose(brief, audience)
        except InputError as e:
            problems.extend(e.problems)
            continue
        if "md" in formats:
            outputs.append(Output(base + ".md", composed.markdown.encode("utf-8")))
        doc = parse(composed.markdown, composed.meta)
        if "docx" in formats:
            if docx_writer is None:
                from briefing.render.docx import DocxWriter

                docx_writer = DocxWriter(project.style, reference_docx)
            outputs.append(Output(base + ".docx", docx_writer.render(doc, when)))
        if "pdf" in formats:
            if pdf_writer is None:
                from briefing.render.pdf import PdfWriter

                pdf_writer = PdfWriter(project.style)
            data = pdf_writer.render(doc, when)
            limit = audience.settings["page_limit"]
            if limit and pdf_writer.pages > limit:
                problems.append(Problem(audience.path, audience.settings["_line"], 0,
                                        f"{brief.name} for {audience.name}: the PDF has {pdf_writer.pages} pages; "
                                        f"this audience allows {limit}",
                                        "shorten the brief's template for this audience, or raise page_limit"))
            outputs.append(Output(base + ".pdf", data, pdf_writer.pages, pdf_writer.page_of_note))
    if problems:
        raise InputError(problems)
    return outputs


def write_all(outputs: list[Output], out: str) -> None:
    """Write every file: each to a temporary file first, then all renamed into place."""
    os.makedirs(out, exist_ok=True)
    temps: list[tuple[str, str]] = []
    try:
        for o in outputs:
            fd, tmp = tempfile.mkstemp(dir=out, prefix=".tmp-", suffix=os.path.splitext(o.path)[1])
            with os.fdopen(fd, "wb") as f:
                f.write(o.data)
            os.chmod(tmp, 0o644)
            temps.append((tmp, o.path))
        for tmp, final in temps:
            os.replace(tmp, final)
    finally:
        for tmp, _ in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)
