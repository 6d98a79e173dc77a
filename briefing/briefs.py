"""Load the briefs and audiences that live in the templates folder, as plain YAML files."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from briefing.errors import InputError, Problem, did_you_mean
from briefing.factbase import SLUG
from briefing.schema import (Bool, ListOf, MapOf, Number, Record, Str, instance, load_record, positions_of,
                             record_of, setting)

SECTIONS = ("what_happened", "bluf", "unknowns", "recommendations", "background", "analysis", "key_figures",
            "disputes", "outlook", "sourcing", "sources")

@dataclass(frozen=True, kw_only=True)
class Audience:
    """An audience file, templates/audiences/NAME.yaml: who a brief is written for, and what they are shown."""

    name: str
    """The file's name without .yaml."""
    path: str
    """Where it was read from, as messages name it."""
    positions: dict = field(default_factory=dict, compare=False, repr=False)
    """(line, column) of each key in the file, and of the file's mapping under ''."""
    label: str = setting(Str(max_length=250), "how the audience is named in the title block, e.g. `The Minister`",
                         required=True)
    description: str = setting(Str(), "one line for `briefing list`", required=True)
    handling: str = setting(Str(nullable=True, max_length=255), "handling marking printed on every page, e.g. FOR "
                            "OFFICIAL USE; empty (`handling:`) for an unmarked brief", default="")
    detail: str = setting(Str(enum=("summary", "full")), "summary: the essentials; full: every fact and claim",
                          required=True)
    sections: tuple = setting(ListOf(Str(pattern=r"[a-z][a-z0-9_]*", pattern_hint="a section name such as bluf or "
                                         "lines_to_take"), min_items=1),
                              "the sections shown, in this order (the sourcing note is added at the end if "
                              "`sourcing` is not listed)", required=True)
    page_limit: int | None = setting(Number(integer=True, minimum=1, nullable=True),
                                     "most pages the PDF may have (null: no limit); the build fails beyond it")
    quotes_in_notes: bool = setting(Bool(), "show each source's quote in its footnote", default=False)
    max_points: int = setting(Number(integer=True, minimum=1), "at most this many key judgments", default=5)
    minor_disputes: bool = setting(Bool(), "show disputed questions marked `minor: true` (a date, a head count) as "
                                   "well", default=True)
    tone: str = setting(Str(enum=("formal", "plain")), "formal for officials; plain for business readers",
                        default="formal")
    labels: dict = setting(MapOf(Str()), "headings and labels to use instead of the defaults (keys: "
                           "docs/templates.md)", default={})
    own_sections: dict = setting(MapOf(Str()), "sections of this audience's own, by name, each with its heading, "
                                 "e.g. `lines_to_take: Lines to take`; the text of each is in templates/audiences/"
                                 "NAME/SECTION/BRIEF.md.j2 (or default.md.j2 there, for every brief)", default={})
    hedging: str = setting(Str(enum=("words", "markers")),
                           "how confidence below high, single-source facts and estimates show: words in brackets "
                           "after the fact, or short markers explained in the sourcing note (they cannot be switched "
                           "off)", default="words")

    def at(self, key: str) -> tuple[int, int]:
        """The (line, column) of `key` in the file, or of the file's mapping when the key is not written."""
        return self.positions.get(key) or self.positions.get("", (0, 0))


@dataclass(frozen=True, kw_only=True)
class Brief:
    """A brief file, templates/briefs/NAME.yaml, and the template it names."""

    name: str
    """The file's name without .yaml."""
    path: str
    """Where it was read from, as messages name it."""
    template_path: str = ""
    """Its template's name relative to the templates folder, e.g. briefs/trade-outlook.md.j2."""
    positions: dict = field(default_factory=dict, compare=False, repr=False)
    """(line, column) of each key in the file, and of the file's mapping under ''."""
    title: str = setting(Str(max_length=255), "the brief's title", required=True)
    subtitle: str = setting(Str(), "a line under the title", default="")
    subject: str = setting(Str(max_length=255), "one line on what it covers (written into the file's properties)",
                           required=True)
    topics: tuple = setting(ListOf(Str(pattern=SLUG, pattern_hint="a topic (lower-case word)"), min_items=1),
                            "fact topics the brief draws on", required=True)
    audiences: tuple = setting(ListOf(Str(pattern=SLUG, pattern_hint="an audience name")),
                               "audiences it is built for by default (file names in templates/audiences)",
                               required=True)
    template: str | None = setting(Str(nullable=True), "its template under templates/briefs (default: NAME.md.j2)")

    def at(self, key: str) -> tuple[int, int]:
        """The (line, column) of `key` in the file, or of the file's mapping when the key is not written."""
        return self.positions.get(key) or self.positions.get("", (0, 0))


AUDIENCE = record_of(Audience, "audience", "Who a brief is written for, and what they are shown.")
BRIEF = record_of(Brief, "brief", "One brief: its title, topics and the audiences it is meant for.")


def _yaml_files(folder: str) -> list[tuple[str, str]]:
    if not os.path.isdir(folder):
        raise InputError(Problem(folder, 0, 0, "folder not found", "pass --templates DIR pointing at your templates"))
    return [(f[:-5], os.path.join(folder, f)) for f in sorted(os.listdir(folder)) if f.endswith(".yaml")]


def _collect(folder: str, record: Record) -> list[tuple[str, str, dict]]:
    problems: list[Problem] = []
    out = []
    for name, path in _yaml_files(folder):
        try:
            out.append((name, path, load_record(path, record)))
        except InputError as e:
            problems.extend(e.problems)
    if problems:
        raise InputError(problems)
    return out


def load_audiences(templates: str) -> dict[str, Audience]:
    """Return every audience in `templates`/audiences, by name; each section must be a shared or an own one."""
    audiences = {}
    problems = []
    for name, path, data in _collect(os.path.join(templates, "audiences"), AUDIENCE):
        for own in data["own_sections"]:
            if own in SECTIONS:
                problems.append(Problem(path, *data["_positions"]["own_sections"],
                                        f"own section {own!r} has the name of a shared section",
                                        "give it a name of its own, e.g. lines_to_take"))
        known = SECTIONS + tuple(data["own_sections"])
        for section in data["sections"]:
            if section not in known:
                problems.append(Problem(path, *data["_positions"]["sections"],
                                        f"unknown section {section!r}{did_you_mean(section, known)}",
                                        f"use one of {', '.join(SECTIONS)}, or define it under `own_sections:`"))
        audiences[name] = instance(Audience, data, name=name, path=path, positions=positions_of(data))
    if problems:
        raise InputError(problems)
    return audiences


def own_section_template(templates: str, audience: Audience, section: str, brief: str) -> str | None:
    """The template of an audience's own section for a brief (relative to `templates`), or None if missing."""
    for name in (brief, "default"):
        relative = f"audiences/{audience.name}/{section}/{name}.md.j2"
        if os.path.isfile(os.path.join(templates, relative)):
            return relative
    return None


def load_briefs(templates: str, audiences: dict[str, Audience]) -> dict[str, Brief]:
    """Return every brief in `templates`/briefs, by name; check the audiences and templates they name."""
    briefs = {}
    problems = []
    for name, path, data in _collect(os.path.join(templates, "briefs"), BRIEF):
        for a in data["audiences"]:
            if a not in audiences:
                problems.append(Problem(path, data["_line"], 1, f"unknown audience {a!r}",
                                        f"known audiences: {', '.join(audiences)}"))
        if len(", ".join(data["topics"])) > 255:
            line, column = data["_positions"]["topics"]
            problems.append(Problem(path, line, column, "the topics are too long for the file's keywords "
                                    "(at most 255 characters)", "name fewer topics"))
        given = data["template"] or f"{name}.md.j2"
        template = "briefs/" + given
        if "\\" in given or ".." in given.split("/") or given.startswith("/"):
            line, column = data["_positions"]["template"]
            problems.append(Problem(path, line, column, f"template {given!r} must name a file in "
                                    f"{os.path.join(templates, 'briefs')}",
                                    "write a file name such as trade-outlook.md.j2, without '..' or '\\'"))
        elif not os.path.isfile(os.path.join(templates, template)):
            problems.append(Problem(path, data["_line"], 1, f"template {os.path.join(templates, template)} not found",
                                    "create it, or set `template:` to an existing file in "
                                    f"{os.path.join(templates, 'briefs')}"))
        briefs[name] = instance(Brief, data, name=name, path=path, template_path=template,
                                positions=positions_of(data))
    if problems:
        raise InputError(problems)
    return briefs


_LABEL_CALL = re.compile(r"""\blabel\(\s*(["'])(\w+)\1""")


def label_keys(templates: str) -> set[str]:
    """The keys templates ask `label()` for (the first argument, when it is written as text), in every template
    under `templates`: the keys an audience's `labels:` may set. Read from the sources as text (a label
    written in a comment counts too, which only ever lets a key through)."""
    from briefing.inputs import read_text

    keys: set[str] = set()
    for root, _, files in os.walk(templates):
        for name in files:
            if name.endswith(".j2"):
                try:
                    keys.update(mo.group(2) for mo in _LABEL_CALL.finditer(read_text(os.path.join(root, name))))
                except InputError:
                    continue  # reported when a brief uses the template
    return keys
