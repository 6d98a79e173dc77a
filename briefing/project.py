"""Find and load a project: the folder whose `briefing.yaml` names its fact base, templates, source texts and
output folders, and the briefs × audiences a command asks for."""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from briefing.errors import InputError, Problem, UsageError, did_you_mean
from briefing.schema import Field, Kind, ListOf, Record, Str, load_record

if TYPE_CHECKING:  # loaded where used, so that a build with nothing to do starts quickly
    from briefing.briefs import Audience, Brief
    from briefing.factbase import FactBase
    from briefing.judgments import Judgment
    from briefing.style import Style
    from briefing.wording import Wording

PROJECT_FILE = "briefing.yaml"
"""The file at a project's root; commands look for it from the current folder upward."""


class _Paths(Kind):
    """One path, or a list of paths and glob patterns (`facts/*.yaml`)."""

    def read(self, event, r, where):
        from yaml import ScalarEvent

        if type(event) is ScalarEvent:
            return Str().read(event, r, where)
        return ListOf(Str(), min_items=1).read(event, r, where)

    def json(self):
        return {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}]}


_FOLDER = Str(pattern_hint="a folder")
PROJECT = Record("project", "Where a project's files are, each relative to the project file's folder.", {
    "facts": Field(_Paths(), "the fact base: one file, or a list of files and patterns such as `facts/*.yaml`",
                   default="facts.yaml"),
    "templates": Field(_FOLDER, "briefs, audiences, judgments, wording and house style", default="templates"),
    "corpus": Field(Str(nullable=True), "the source texts the quotes come from; when set, `build` verifies every "
                    "quote it prints", default=None),
    "out": Field(_FOLDER, "where `build` writes the briefs", default="out"),
    "distribution": Field(_FOLDER, "distribution lists, their cover notes and the ledger", default="distribution"),
    "outbox": Field(_FOLDER, "where `distribute` writes messages when no server or folder is named",
                    default="outbox"),
})


@dataclass(frozen=True)
class Locations:
    """Where a project's files are. Every path is as messages print it: relative to the current folder (or
    under the folder given with -C, as typed), so that it also opens from here."""

    root: str
    """The project's folder."""
    project_file: str | None
    """Its briefing.yaml, or None for a folder without one (facts.yaml and templates/ in the current folder)."""
    fact_files: tuple[str, ...]
    """The fact base's files, in order."""
    templates: str
    corpus: str | None
    out: str
    distribution: str
    outbox: str
    fact_positions: tuple[tuple[int, int], ...] = ()
    """Where each fact-base file is named in the project file, for "file not found"."""


def find(directory: str | None = None, facts: str | None = None, templates: str | None = None) -> Locations:
    """Return the locations of the project found from `directory` (-C), else the current folder, upward;
    `facts` and `templates` (as typed on the command line) take the place of the project file's."""
    start = directory if directory is not None else "."
    if directory is not None and not os.path.isdir(directory):
        raise UsageError(f"-C {directory}: no such folder")
    project_file = _find_upward(start)
    if project_file is None:
        root = os.path.normpath(start)
        data = {key: f.default for key, f in PROJECT.fields.items()}
        data["_positions"] = {}
    else:
        root = os.path.dirname(project_file) or "."
        data = load_record(project_file, PROJECT)

    def under_root(path: str) -> str:
        return path if os.path.isabs(path) else os.path.normpath(os.path.join(root, path))

    if facts is not None:
        fact_files, positions = (facts,), ()
    else:
        fact_files, positions = _expand(data["facts"], under_root, project_file, data["_positions"].get("facts"))
    return Locations(
        root=root, project_file=project_file, fact_files=fact_files,
        templates=templates if templates is not None else under_root(data["templates"]),
        corpus=under_root(data["corpus"]) if data["corpus"] else None,
        out=under_root(data["out"]), distribution=under_root(data["distribution"]),
        outbox=under_root(data["outbox"]), fact_positions=positions)


def _find_upward(start: str) -> str | None:
    """The nearest briefing.yaml in `start` or a folder above it, as a path from here; None if there is none."""
    here = os.path.abspath(start)
    steps = 0
    while True:
        candidate = os.path.join(here, PROJECT_FILE)
        if os.path.isfile(candidate):
            return os.path.normpath(os.path.join(start, *([os.pardir] * steps), PROJECT_FILE))
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here, steps = parent, steps + 1


def _expand(given, under_root, project_file: str | None, at) -> tuple[tuple[str, ...], tuple]:
    """Expand the fact-base entries of the project file: plain paths as they are, patterns into the files they
    match (sorted); a pattern that matches nothing is an error at its line."""
    entries = [given] if isinstance(given, str) else list(given)
    files, positions, problems = [], [], []
    for entry in entries:
        path = under_root(entry)
        if glob.has_magic(entry):
            matched = sorted(glob.glob(path))
            if not matched:
                problems.append(Problem(project_file or PROJECT_FILE, *(at or (0, 0)),
                                        f"facts: {entry!r} matches no file", "check the pattern, e.g. facts/*.yaml"))
            files.extend(os.path.normpath(m) for m in matched)
            positions.extend([at or (0, 0)] * len(matched))
        else:
            files.append(path)
            positions.append(at or (0, 0))
    if problems:
        raise InputError(problems)
    unique = list(dict.fromkeys(files))
    return tuple(unique), tuple(positions[files.index(f)] for f in unique)


def load_facts(locations: Locations) -> FactBase:
    """Return the fact base of the project's fact-base files."""
    from briefing.factbase import load

    return load(list(locations.fact_files))  # the paths are as messages print them


@dataclass
class Project:
    """Everything a build reads: the fact base and the templates folder's briefs, audiences, judgments, wording
    and house style, and where the project keeps its source texts and outputs."""

    facts: FactBase
    templates: str
    audiences: dict[str, Audience]
    briefs: dict[str, Brief]
    style: Style
    wording: Wording
    judgments: dict[str, tuple[Judgment, ...]]
    locations: Locations = field(default=None)  # type: ignore[assignment]

    @property
    def corpus(self) -> str | None:
        return self.locations.corpus

    @property
    def out(self) -> str:
        return self.locations.out

    @classmethod
    def load(cls, facts: str | None = None, templates: str | None = None, *,
             directory: str | None = None) -> "Project":
        """Return the project found from `directory` (or the current folder), with `facts` and `templates`
        overriding its own; raise InputError listing the problems of every file at once."""
        return cls.open(find(directory, facts, templates))

    @classmethod
    def open(cls, where: Locations) -> "Project":
        """Return the project at `where`; raise InputError listing the problems of every file at once."""
        from briefing.briefs import load_audiences, load_briefs
        from briefing.judgments import load_judgments
        from briefing.style import load_style
        from briefing.wording import load_wording

        templates = where.templates
        problems: list[Problem] = []
        fb = audiences = briefs = style = wording = judgments = None
        try:
            fb = load_facts(where)
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
        try:
            wording = load_wording(templates)
        except InputError as e:
            problems.extend(e.problems)
        try:
            judgments = load_judgments(templates, fb)
        except InputError as e:
            problems.extend(e.problems)
        if judgments is not None and briefs is not None:
            for name in judgments:
                if name not in briefs:
                    problems.append(Problem(os.path.join(templates, "judgments", name + ".yaml"), 0, 0,
                                            f"key judgments for {name!r}, which is not a brief"
                                            f"{did_you_mean(name, briefs)}",
                                            f"name the file after its brief: "
                                            f"{os.path.join(templates, 'judgments', 'BRIEF.yaml')}"))
        if audiences is not None and briefs is not None:
            problems.extend(_audience_problems(templates, audiences, briefs))
        if problems:
            raise InputError(problems)
        return cls(fb, templates, audiences, briefs, style, wording, judgments, where)

    def plan(self, briefs: list[str], audiences: list[str], any_audience: bool = False
             ) -> list[tuple[Brief, Audience]]:
        """Return the (brief, audience) pairs to build: the named ones, or every brief for its audiences.

        An audience named on the command line gets the briefs meant for it; with `any_audience`, every brief
        named. Unknown names, and a brief named for an audience it is not meant for, are UsageErrors."""
        briefs, audiences = list(dict.fromkeys(briefs)), list(dict.fromkeys(audiences))
        wrong = [f"unknown brief {n!r}{did_you_mean(n, self.briefs)}; known briefs: {', '.join(self.briefs)}"
                 for n in briefs if n not in self.briefs]
        wrong += [f"unknown audience {n!r}{did_you_mean(n, self.audiences)}; known audiences: "
                  f"{', '.join(self.audiences)}" for n in audiences if n not in self.audiences]
        if wrong:
            raise UsageError("\n".join(wrong))
        pairs = []
        for name in briefs or list(self.briefs):
            brief = self.briefs[name]
            meant = brief.audiences
            for a in audiences or meant:
                if a in meant or any_audience:
                    pairs.append((brief, self.audiences[a]))
                elif briefs:
                    raise UsageError(f"{name} is not meant for the audience {a!r} (its audiences: "
                                     f"{', '.join(meant)}); add {a} to `audiences:` in {brief.path}, "
                                     "or pass --any-audience to build it anyway")
        for a in audiences:
            if not any(audience.name == a for _, audience in pairs):
                raise UsageError(f"no brief is meant for the audience {a!r}; add {a} to the `audiences:` of the "
                                 "briefs it should get, or name them with --any-audience")
        return pairs


def _audience_problems(templates: str, audiences: dict[str, Audience], briefs: dict[str, Brief]) -> list[Problem]:
    """What an audience file asks for that the templates do not have, which would otherwise be lost without a
    word: a `labels:` key no template asks for, and the text of an own section missing for a brief it gets
    (every missing file of an audience in one message)."""
    from briefing.briefs import SECTIONS, label_keys, own_section_template

    problems = []
    asked = label_keys(templates)
    for audience in audiences.values():
        known = asked | set(SECTIONS) | set(audience.own_sections)
        for key in audience.labels:
            if key not in known:
                problems.append(Problem(audience.path, *audience.at("labels"),
                                        f"labels: no template asks for the label {key!r}{did_you_mean(key, known)}",
                                        "the keys are listed in docs/templates.md (a section's name, or the first "
                                        "word of a label(\"key\", \"Default\") in a template)"))
        missing = []
        for section in audience.sections:
            if section not in audience.own_sections:
                continue
            for brief in briefs.values():
                if audience.name in brief.audiences and not own_section_template(templates, audience, section,
                                                                                 brief.name):
                    missing.append(os.path.join(templates, "audiences", audience.name, section, brief.name + ".md.j2"))
        if missing:
            problems.append(Problem(audience.path, *audience.at("own_sections"),
                                    f"the text of its own sections is missing: {', '.join(missing)}",
                                    "write each file (Markdown with Jinja, like a brief's template), or one "
                                    "default.md.j2 in a section's folder for every brief"))
    return problems
