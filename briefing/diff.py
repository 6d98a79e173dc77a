"""What changed between two versions of a fact base: facts added, removed and changed, disputed questions
opened and closed, key judgments changed, and which briefs and audiences each change reaches.

A version is read into a *snapshot*: plain JSON-able data holding, for each fact, what a reader sees of it
(statement, kind, who, confidence, citations), each disputed question's claims, and each brief's key
judgments. `changes(old, new)` compares two snapshots. The same snapshot, cut down to what one brief printed
for one audience, is what the distribution ledger keeps of every version it delivered, so that a revised copy
can say what changed since the copy its reader holds (`briefing.distribute`)."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import os
from dataclasses import dataclass, field

from briefing.errors import UsageError

FORMAT = 2
"""The snapshot's shape: 2 holds every field a reader may see (caveats, values, labels, whole claims, every field of
a judgment). A snapshot without `format` was kept by the first ledgers: only the fields both hold are compared."""
FACT_FIELDS = ("statement", "kind", "by", "confidence", "caveat", "value", "label", "derived", "cite")
"""What a reader may see of a fact, compared in this order."""
DISPUTE_FIELDS = ("question", "claims", "note")
"""What a reader may see of a disputed question."""
JUDGMENT_FIELDS = ("judgment", "likelihood", "confidence", "basis", "rests_on", "alternative", "assumption", "gaps",
                   "indicators", "action", "audiences", "seen_by", "event", "deadline", "evidence", "change")
"""What briefs may print of a key judgment (`audiences` says who is shown its action, `seen_by` who sees it)."""
FIELDS = {"fact": FACT_FIELDS, "dispute": DISPUTE_FIELDS, "judgment": JUDGMENT_FIELDS,
          "bottom line": ("bottom_line",)}
FIELD_NAMES = {"by": "attribution", "label": "label in key figures", "derived": "worked-out figures",
               "cite": "citations", "claims": "claims", "note": "the desk’s note", "rests_on": "the facts it rests on",
               "alternative": "alternative reading", "assumption": "key assumption",
               "gaps": "what the desk does not know", "action": "recommended action",
               "audiences": "audiences of its action", "seen_by": "audiences that see it",
               "event": "how it is scored", "evidence": "how the desk would know",
               "change": "change since the last brief"}
"""How a note names each field."""


def _plain(x):
    """A value as JSON holds it: dates as ISO text, tuples as lists."""
    if isinstance(x, (_dt.date, _dt.datetime)):
        return x.isoformat()
    if isinstance(x, tuple):
        return [_plain(i) for i in x]
    return x


def value_view(value) -> dict | None:
    """A typed value as data: its fields that are set."""
    if value is None:
        return None
    return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)
            if getattr(value, f.name) is not None}


def _cites(cites) -> list:
    return [[c.source, c.quote, c.at] for c in cites]


def fact_view(fact) -> dict:
    """What a reader may see of one fact."""
    return {"statement": fact.statement, "kind": fact.kind, "by": fact.by, "confidence": fact.confidence,
            "caveat": fact.caveat, "value": value_view(fact.value), "label": fact.label,
            "derived": [[d.value, d.how, d.source] for d in fact.derived], "cite": _cites(fact.cite)}


def dispute_view(dispute) -> dict:
    """What a reader may see of one disputed question."""
    return {"question": dispute.question, "note": dispute.note,
            "claims": [{"claim": c.claim, "value": value_view(c.value), "cite": _cites(c.cite), "facts": list(c.facts)}
                       for c in dispute.claims]}


def judgment_view(judgment) -> dict:
    """What briefs may print of one key judgment."""
    return {name: _plain(getattr(judgment, name, None)) for name in JUDGMENT_FIELDS}


def said(fact, markdown: str) -> bool:
    """Whether a brief's Markdown prints a fact, rather than only citing it in a note (a judgment's note names
    the sources of the facts it rests on, and may quote them): its label in a row of key figures, or its whole
    statement as the views escape it, past the first letter (a wording may capitalise it) and without its full
    stop (a hedge may come before it). A note's quote shares words with the statement, never the whole of it."""
    from briefing.mdtext import escape

    if fact.label and f"| {escape(fact.label)} |" in markdown:
        return True
    return escape(fact.statement)[1:].rstrip(".") in markdown


def snapshot(facts, judgments: dict, ids=None, briefs=None, markdown: str | None = None) -> dict:
    """Return a version as data: the fact base's facts and disputed questions (only those in `ids`, if given)
    and the key judgments of each brief (only those of `briefs`, if given), each with its place in the brief, and
    each brief's bottom line. With the brief's `markdown`, each fact says whether the brief prints it
    (`said`: its statement or its label) or only cites it."""
    chosen = {b: items for b, items in judgments.items() if briefs is None or b in briefs}

    def fact(f):
        view = fact_view(f)
        return view if markdown is None else {**view, "said": said(f, markdown)}

    return {
        "format": FORMAT,
        "as_of": facts.meta.as_of.isoformat(),
        "facts": {k: fact(f) for k, f in facts.facts.items() if ids is None or k in ids},
        "disputes": {k: dispute_view(d) for k, d in facts.disputes.items() if ids is None or k in ids},
        "judgments": {b: {j.id: {**judgment_view(j), "position": n} for n, j in enumerate(items)}
                      for b, items in chosen.items()},
        "bottom_lines": {b: {"bottom_line": items.bottom_line} for b, items in chosen.items()
                         if getattr(items, "bottom_line", None)},
    }


# -- from a snapshot back to the fact base's objects, to compose with an older item -------------------------

def _value(data):
    from briefing.factbase import Value

    if data is None:
        return None
    days = {k: _dt.date.fromisoformat(v) if isinstance(v, str) and k in ("date", "start", "end", "as_of") else v
            for k, v in data.items()}
    return Value(**days)


def _citations(data) -> tuple:
    from briefing.factbase import Citation

    return tuple(Citation(source, quote, at, 0, 0) for source, quote, at in data)


def restore(name: str, data):
    """The value of the field `name` as the fact base or the judgments hold it, from its snapshot `data`; raise
    ValueError for data a first ledger kept in a shorter form (a disputed question's claims)."""
    from briefing.factbase import Claim, Derived

    if data is None:
        return None
    if name == "value":
        return _value(data)
    if name == "cite":
        return _citations(data)
    if name == "derived":
        return tuple(Derived(*d) for d in data)
    if name == "claims":
        if any(not isinstance(c, dict) for c in data):
            raise ValueError("claims kept without their citations")
        return tuple(Claim(c["claim"], _value(c["value"]), _citations(c["cite"]), tuple(c["facts"])) for c in data)
    if name == "deadline":
        return _dt.date.fromisoformat(data)
    if isinstance(data, list):
        return tuple(data)
    return data


def _judgment(key: str, view: dict):
    from briefing.judgments import Judgment

    return Judgment(key, **{name: restore(name, view[name]) for name in JUDGMENT_FIELDS if name in view})


def _fact(key: str, view: dict):
    from briefing.factbase import Fact

    return Fact(id=key, topics=(), justification=None, line=0,
                **{name: restore(name, view.get(name)) for name in FACT_FIELDS})


# -- changes ------------------------------------------------------------------------------------------------

@dataclass
class Change:
    """One difference between two versions."""

    kind: str
    """fact, dispute, judgment or bottom line (a brief's one-sentence bottom line, `id` the brief's name)."""
    what: str
    """added, removed or changed (a disputed question: opened, closed or changed)."""
    id: str
    fields: tuple[str, ...] = ()
    """For a change: which of the fields differ."""
    old: dict | None = None
    new: dict | None = None
    brief: str | None = None
    """For a judgment: the brief it belongs to."""
    reaches: list[tuple[str, str]] = field(default_factory=list)
    """The (brief, audience) pairs whose text it changes."""

    @property
    def text(self) -> str:
        """The item's main text, as the newer version has it (the older one for a removal)."""
        item = self.new or self.old or {}
        return item.get("statement") or item.get("question") or item.get("judgment") or item.get("bottom_line") or ""

    def describe(self, quotes: bool = True) -> str:
        """One line saying what changed, e.g. `confidence: high → moderate; caveat added: …`; `quotes` is
        false for readers whose notes print no quotes (a change of citations then says what they do see)."""
        parts = []
        for name in self.fields:
            old, new = (self.old or {}).get(name), (self.new or {}).get(name)
            part = _describe(name, old, new, quotes)
            if part:
                parts.append(part)
        return "; ".join(parts)


def _short(text) -> bool:
    return isinstance(text, str) and len(text) <= 40


def _sources(cites) -> list:
    return sorted({c[0] for c in cites or ()})


def _cite_change(old, new, quotes: bool) -> str | None:
    """What changed in a list of citations, as a reader of notes with (or without) quotes sees it."""
    if _sources(old) != _sources(new):
        return "sources changed"
    if quotes and [c[1] for c in old or ()] != [c[1] for c in new or ()]:
        return "quotes changed"
    if [c[2] for c in old or ()] != [c[2] for c in new or ()]:
        return "places cited changed"
    return None


def _describe(name: str, old, new, quotes: bool) -> str | None:
    """A few words on how one field changed; None when nothing a reader sees of it did."""
    label = FIELD_NAMES.get(name, name)
    if name in MAIN:
        return f"{name.replace('_', ' ')} reworded"
    if name == "cite":
        return _cite_change(old, new, quotes)
    if name == "claims":
        texts = [[c["claim"] if isinstance(c, dict) else c[0] for c in side or ()] for side in (old, new)]
        if len(texts[0]) != len(texts[1]):
            return f"claims: {len(texts[0])} → {len(texts[1])}"
        if texts[0] != texts[1]:
            return "claims reworded"
        if any(isinstance(c, dict) for c in old or ()) and any(isinstance(c, dict) for c in new or ()):
            cites = [[i for c in side for i in c["cite"]] for side in (old, new)]
            said = _cite_change(*cites, quotes)
            if said:
                return said
            if [c["value"] for c in old] != [c["value"] for c in new]:
                return "figures of the claims changed"
        return "claims changed"
    if name == "value":
        if old is None or new is None:
            return f"value {'added' if old is None else 'removed'}" + (f": {_value(new)}" if new else "")
        return f"value: {_value(old)} → {_value(new)}"
    if name == "derived":
        if bool(old) != bool(new):
            return "now marked as an estimate" if new else "no longer marked as an estimate"
        return "worked-out figures changed"
    if name == "caveat":
        if new is None:
            return "caveat removed"
        return f"caveat {'added' if old is None else 'now'}: {new}"
    if name == "deadline":
        from briefing.factbase import format_date

        return f"deadline: {format_date(restore(name, old))} → {format_date(restore(name, new))}" \
            if old and new else f"deadline {'added' if new else 'removed'}"
    if isinstance(old, list) or isinstance(new, list):
        if not old or not new:
            return f"{label} {'added' if not old else 'removed'}"
        return f"{label} changed"
    if old is None or new is None:
        return f"{label} {'added' if old is None else 'removed'}"
    if _short(old) and _short(new):
        return f"{label}: {old} → {new}"
    return f"{label} changed"


MAIN = ("statement", "question", "judgment", "bottom_line")
"""The field that is an item's main text: a note's line gives it, so its rewording goes without saying there."""


def _same_shape(name: str, old, new):
    """`new` cut down to the form a first ledger kept `old` in (a claim as its text and its sources)."""
    if name == "claims" and old and not isinstance(old[0], dict) and new:
        return [[c["claim"], _sources(c["cite"])] for c in new]
    return new


def _compare(old: dict, new: dict, kind: str, words=("added", "removed"), brief=None) -> list[Change]:
    fields = FIELDS[kind]
    out = []
    for key in new:
        if key not in old:
            out.append(Change(kind, words[0], key, new=new[key], brief=brief))
            continue
        # Only fields both versions hold: a first ledger kept fewer (no caveats, values or labels).
        differ = tuple(f for f in fields if f in old[key] and f in new[key]
                       and old[key][f] != _same_shape(f, old[key][f], new[key][f]))
        if differ:
            out.append(Change(kind, "changed", key, differ, old[key], new[key], brief))
    out.extend(Change(kind, words[1], key, old=old[key], brief=brief) for key in old if key not in new)
    return out


def changes(old: dict, new: dict) -> list[Change]:
    """Return every difference between two snapshots: facts, then disputed questions, then judgments."""
    out = _compare(old.get("facts", {}), new.get("facts", {}), "fact")
    out += _compare(old.get("disputes", {}), new.get("disputes", {}), "dispute", ("opened", "closed"))
    olds, news = old.get("judgments", {}), new.get("judgments", {})
    for brief in list(news) + [b for b in olds if b not in news]:
        out += _compare(olds.get(brief, {}), news.get(brief, {}), "judgment", brief=brief)
    if "bottom_lines" in old:  # not kept by the first ledgers
        lines = _compare(old["bottom_lines"], new.get("bottom_lines", {}), "bottom line")
        out += [dataclasses.replace(c, brief=c.id) for c in lines]
    return out


# -- which changes reach what a brief prints --------------------------------------------------------------------

class Reach:
    """Whether a change reaches what a brief prints for an audience, asked of the brief itself: it is composed
    again in the newer version with the item (or one field of it) as the older version had it. Unless that
    alters what it says (its digest), the change does not reach it: a field the audience is not shown (a
    judgment's basis or an action meant for others), a quote in notes that print none, a judgment past the
    audience's `max_points`. So no rule of what each audience sees is written twice, here and in the templates."""

    def __init__(self, project):
        from briefing.compose import Composer

        self.project = project
        self.composer = Composer(project.facts, project.templates, project.wording, project.judgments, project.style)

    def differs(self, brief: str, audience: str, digest: str, change: Change, fields=None) -> bool:
        """Whether the brief would say something other than `digest` with the change's `fields` (default: every
        field that differs; the whole item for one added or removed) as the older version had them."""
        p = self.project
        try:
            fb, judgments = self._reverted(change, change.fields if fields is None else fields)
            composed = self.composer.variant(fb, judgments).compose(p.briefs[brief], p.audiences[audience])
        except Exception:  # noqa: BLE001 - the older item does not compose with the newer version (it names a
            return True    # source or fact since removed): the change is reported, never hidden
        return composed.digest != digest

    def _reverted(self, c: Change, fields):
        from briefing.judgments import Judgments

        fb, judgments = self.project.facts, self.project.judgments
        if c.kind == "bottom line":
            items = judgments.get(c.brief, ())
            return fb, {**judgments, c.brief: Judgments(items, (c.old or {}).get("bottom_line"))}
        if c.kind == "judgment":
            items = list(judgments.get(c.brief, ()))
            at = next((n for n, j in enumerate(items) if j.id == c.id), None)
            if c.what == "added":
                del items[at]
            elif c.what == "removed":
                items.insert(min(c.old.get("position", len(items)), len(items)), _judgment(c.id, c.old))
            else:
                items[at] = dataclasses.replace(items[at], **{f: restore(f, c.old[f]) for f in fields})
            bottom_line = getattr(judgments.get(c.brief), "bottom_line", None)
            return fb, {**judgments, c.brief: Judgments(items, bottom_line)}
        if c.what != "changed":
            raise ValueError("an item added or removed reaches the briefs that print it")
        table = "facts" if c.kind == "fact" else "disputes"
        items = getattr(fb, table)
        item = dataclasses.replace(items[c.id], **{f: restore(f, c.old[f]) for f in fields})
        return dataclasses.replace(fb, **{table: {**items, c.id: item}}), judgments

    def narrowed(self, found: list[Change], brief: str, audience: str, digest: str) -> list[Change]:
        """Return the changes that reach what `brief` prints for `audience` (whose text is now `digest`), each
        with only the fields that reach it (all of them, when only together do they)."""
        out = []
        for c in found:
            if c.brief not in (None, brief):
                continue
            if c.kind in ("judgment", "bottom line") or c.what == "changed":
                if not self.differs(brief, audience, digest, c):
                    continue
                if len(c.fields) > 1:
                    alone = tuple(f for f in c.fields if self.differs(brief, audience, digest, c, (f,)))
                    c = dataclasses.replace(c, fields=alone or c.fields)
            out.append(c)
        return out


def _worded(c: Change, words) -> str:
    """The fact's claim as the briefs word its kind for the reader (`The columnist Jane Doe says that …`), with
    `words` (views.Wordsmith); else the item's main text."""
    import re

    from briefing.mdtext import Md

    item = c.new or c.old or {}
    if c.kind != "fact" or words is None:
        return c.text
    try:
        said = words.sentence(_fact(c.id, item), Md(""))
    except (TypeError, ValueError, KeyError):  # a first ledger's fact, kept with fewer fields
        return c.text
    return re.sub(r"\\(.)", r"\1", said)  # the Markdown escapes undone: the note is plain text


def _for_audience(c: Change, audience: str) -> Change | None:
    """The change as a reader of `audience` sees it: a judgment only if they see it (a judgment they now see, or
    no longer see, is new or withdrawn for them), its action only where it is meant for them."""
    if c.kind != "judgment":
        return c

    def shown(item):
        if item is None or audience not in (item.get("seen_by") or [audience]):
            return None
        meant = item.get("audiences") or []
        return {**item, "action": item.get("action") if not meant or audience in meant else None}

    old, new = shown(c.old), shown(c.new)
    if old is None and new is None:
        return None
    if old is None or new is None:
        return dataclasses.replace(c, what="added" if old is None else "removed", old=old, new=new, fields=())
    fields = tuple(f for f in c.fields if f not in ("audiences", "seen_by"))
    if old.get("action") != new.get("action") and "action" not in fields:
        fields += ("action",)
    return dataclasses.replace(c, old=old, new=new, fields=fields)


def note_lines(found: list[Change], limit: int | None = None, audience=None, project=None) -> list[str]:
    """Return the changes as short lines for a reader of `audience` (a briefs.Audience; None: the desk): what is
    new, changed or gone in their brief, a writer's view worded as `project`'s briefs word it, with straight
    quotation marks made typographic as the brief prints them."""
    from briefing.mdtext import typographic

    quotes = audience.quotes_in_notes if audience is not None else True
    words = None
    if project is not None:
        from briefing.views import Wordsmith

        words = Wordsmith(project.facts, project.wording, audience.hedging if audience else "words",
                          audience.detail if audience else "full")
    lines = []
    for c in found:
        if audience is not None:
            c = _for_audience(c, audience.name)
            if c is None:
                continue
            if c.kind == "fact" and c.what != "changed" and (c.new or c.old).get("said") is False:
                continue  # only cited in a note of something else, whose own change says so
        text = _worded(c, words)
        if c.kind == "fact":
            head = {"added": "New", "removed": "Withdrawn", "changed": "Revised"}[c.what]
        elif c.kind == "dispute":
            head = {"opened": "New disputed question", "closed": "Disputed question settled or dropped",
                    "changed": "Disputed question revised"}[c.what]
        elif c.kind == "bottom line":
            head = {"added": "New bottom line", "removed": "Bottom line withdrawn",
                    "changed": "Bottom line revised"}[c.what]
        else:
            head = {"added": "New key judgment", "removed": "Key judgment withdrawn",
                    "changed": "Key judgment revised"}[c.what]
        line = f"{head}: {text}"
        if c.what == "changed":
            # The main text is the line itself: its rewording goes without saying.
            others = tuple(f for f in c.fields if f not in MAIN)
            detail = dataclasses.replace(c, fields=others).describe(quotes)
            if detail:
                line += f" ({detail})"
            elif not set(c.fields) & set(MAIN):
                continue  # nothing this reader sees of it changed
        lines.append(typographic(line))
    if limit is not None and len(lines) > limit:
        more = len(lines) - (limit - 1)
        lines = lines[:limit - 1] + [f"… and {more} more changes; the desk can list them all."]
    return lines


# -- versions of a project: files, folders and git revisions --------------------------------------------------

@dataclass
class Side:
    """One version of the project to compare: its label, the project loaded, and what each brief prints."""

    label: str
    project: object
    digests: dict[tuple[str, str], str] = field(default_factory=dict)
    """(brief, audience) -> Composed.digest: what the brief says."""
    used: dict[tuple[str, str], frozenset] = field(default_factory=dict)
    """(brief, audience) -> ids of the facts and disputed questions it prints."""
    folder: str | None = None
    """The temporary folder a git revision was extracted into, removed by `close`."""

    def renamed(self, e):
        """The InputError `e` with files in the temporary folder named as `REV:path`."""
        from briefing.errors import InputError, Problem

        if self.folder is None:
            return e
        folder = os.path.realpath(self.folder)

        def name(path: str) -> str:
            real = os.path.realpath(path)
            return f"{self.label}:{os.path.relpath(real, folder)}" if real.startswith(folder + os.sep) else path

        return InputError([Problem(name(p.file), p.line, p.column, p.message, p.hint) for p in e.problems])

    def close(self) -> None:
        if self.folder is not None:
            import shutil

            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def _git(root: str, *args: str, binary: bool = False):
    import subprocess

    run = subprocess.run(["git", "-C", root, *args], capture_output=True)
    return run.returncode, run.stdout if binary else run.stdout.decode("utf-8", "replace")


def _revision(root: str, spec: str) -> str | None:
    """The commit `spec` names in the repository holding `root`, or None if it names none (or there is no git)."""
    import shutil

    if not shutil.which("git"):
        return None
    code, out = _git(root, "rev-parse", "--verify", "--quiet", spec + "^{commit}")
    return out.strip() if code == 0 and out.strip() else None


def _checkout(root: str, commit: str, spec: str, where) -> str:
    """Extract the project's input files at `commit` into a new temporary folder; return it."""
    import io
    import tarfile
    import tempfile

    import yaml

    from briefing.project import PROJECT_FILE

    names = [PROJECT_FILE]
    code, text = _git(root, "show", f"{commit}:./{PROJECT_FILE}")
    settings = yaml.safe_load(text) if code == 0 else None
    if isinstance(settings, dict):
        facts = settings.get("facts", "facts.yaml")
        names += [str(p).split("*")[0].rstrip("/") or "." for p in (facts if isinstance(facts, list) else [facts])]
        names.append(str(settings.get("templates", "templates")))
    else:
        names += [os.path.relpath(p, where.root) for p in where.fact_files]
        names.append(os.path.relpath(where.templates, where.root))
    present = [n for n in dict.fromkeys(names) if _git(root, "cat-file", "-e", f"{commit}:./{n}")[0] == 0]
    code, data = _git(root, "archive", "--format=tar", commit, "--", *present, binary=True)
    if code != 0:
        raise UsageError(f"cannot read the project at {spec} from git")
    folder = tempfile.mkdtemp(prefix="briefing-diff-")
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def load_side(spec: str, where) -> Side:
    """Return the version of the project `spec` names: a fact-base file (with this project's templates), a
    project folder, or a git revision of this project (`HEAD~1`, a tag, a commit)."""
    from briefing.errors import InputError
    from briefing.project import PROJECT_FILE, Locations, Project, find

    if os.path.isfile(spec):
        import dataclasses

        return Side(spec, Project.open(dataclasses.replace(where, fact_files=(spec,), fact_positions=())))
    if os.path.isdir(spec):
        if os.path.isfile(os.path.join(spec, PROJECT_FILE)):
            return Side(spec, Project.open(find(spec)))
        templates = os.path.join(spec, "templates")
        located = Locations(root=spec, project_file=None, fact_files=(os.path.join(spec, "facts.yaml"),),
                            templates=templates if os.path.isdir(templates) else where.templates, corpus=None,
                            out=where.out, distribution=where.distribution, outbox=where.outbox)
        return Side(spec, Project.open(located))
    commit = _revision(where.root, spec)
    if commit is None:
        raise UsageError(f"{spec!r} is not a file, a folder or a git revision of {where.root}")
    side = Side(spec, None, folder=_checkout(where.root, commit, spec, where))
    try:
        side.project = Project.open(find(side.folder))
    except InputError as e:  # name the files as `REV:path`, not the temporary folder
        renamed = side.renamed(e)
        side.close()
        raise renamed from None
    return side


def compose_side(side: Side) -> None:
    """Compose every brief of the side for each of its audiences, keeping what each prints."""
    from briefing.build import compose_pairs
    from briefing.errors import InputError

    pairs = side.project.plan([], [])
    try:
        composed = compose_pairs(side.project, pairs)
    except InputError as e:
        raise side.renamed(e) from None
    for (brief, audience), c in zip(pairs, composed):
        side.digests[(brief.name, audience.name)] = c.digest
        side.used[(brief.name, audience.name)] = c.used


def compare(old: Side, new: Side) -> list[Change]:
    """Return the changes between two composed sides, each with the briefs × audiences it reaches: those whose
    text it changes. A fact or disputed question added or removed reaches the briefs that print it; a changed
    one, or a judgment, the briefs that print it and would print something else without the change (`Reach`):
    a field an audience is not shown reaches no one there."""
    found = changes(snapshot(old.project.facts, old.project.judgments),
                    snapshot(new.project.facts, new.project.judgments))
    pairs = list(dict.fromkeys(list(old.used) + list(new.used)))
    differ = [p for p in pairs if old.digests.get(p) != new.digests.get(p)]
    reach = Reach(new.project)
    for c in found:
        if c.brief is not None:  # a judgment or a bottom line: its brief's
            candidates = [p for p in differ if p[0] == c.brief]
        else:
            candidates = [p for p in differ if c.id in old.used.get(p, ()) or c.id in new.used.get(p, ())]
        if c.brief is not None or c.what == "changed":
            candidates = [p for p in candidates if p in new.digests and reach.differs(*p, new.digests[p], c)]
        c.reaches = candidates
    return found


def _pairs_text(pairs) -> str:
    """`trade-outlook for minister, analyst; connectivity for analyst`"""
    by_brief: dict[str, list[str]] = {}
    for brief, audience in pairs:
        by_brief.setdefault(brief, []).append(audience)
    return "; ".join(f"{b} for {', '.join(a)}" for b, a in by_brief.items()) or "no brief"


def report(old: Side, new: Side, found: list[Change]) -> list[str]:
    """Return the lines `briefing diff` prints."""
    count = {}
    for c in found:
        count[(c.kind, c.what)] = count.get((c.kind, c.what), 0) + 1
    n = lambda kind, what: count.get((kind, what), 0)  # noqa: E731
    lines = [f"{old.label} → {new.label}: facts {n('fact', 'added')} added, {n('fact', 'removed')} removed, "
             f"{n('fact', 'changed')} changed; disputed questions {n('dispute', 'opened')} opened, "
             f"{n('dispute', 'closed')} closed, {n('dispute', 'changed')} changed; key judgments "
             f"{n('judgment', 'added')} added, {n('judgment', 'removed')} removed, {n('judgment', 'changed')} changed"
             + (f"; bottom lines {n('bottom line', 'added')} added, {n('bottom line', 'removed')} removed, "
                f"{n('bottom line', 'changed')} changed" if any(c.kind == "bottom line" for c in found) else "")]
    mark = {"added": "+", "opened": "+", "removed": "-", "closed": "-", "changed": "~"}
    noun = {"fact": "fact", "dispute": "disputed question", "judgment": "key judgment", "bottom line": "bottom line of"}
    for c in found:
        name = f"{c.brief}/{c.id}" if c.kind == "judgment" else c.id
        head = f"{mark[c.what]} {noun[c.kind]} {name} {c.what}"
        if c.what == "changed":
            head += f": {c.describe()}"
        lines.append(head)
        lines.append(f"    {c.text}")
        main = next((f for f in MAIN if f in c.fields), None)
        if main:
            lines.append(f"    was: {c.old[main]}")
        lines.append(f"    reaches {_pairs_text(c.reaches)}")
    pairs = list(dict.fromkeys(list(old.digests) + list(new.digests)))
    differ = [p for p in pairs if old.digests.get(p) != new.digests.get(p)]
    lines.append(f"briefs that print differently: {_pairs_text(differ)}" if differ else
                 "every brief prints the same")
    return lines


def command(args) -> int:
    """`briefing diff OLD [NEW]`: print what changed; NEW defaults to the working tree."""
    import json

    from briefing.project import find

    where = find(getattr(args, "directory", None), args.facts, args.templates)
    sides: list[Side] = []
    try:
        sides.append(load_side(args.old, where))
        if args.new:
            sides.append(load_side(args.new, where))
        else:
            from briefing.project import Project

            sides.append(Side("working tree", Project.open(where)))
        for side in sides:
            compose_side(side)
        old, new = sides
        found = compare(old, new)  # composes the newer side again: before a git revision's folder goes
    finally:
        for side in sides:
            side.close()
    if args.json:
        print(json.dumps([{"kind": c.kind, "what": c.what, "id": c.id, "brief": c.brief, "fields": list(c.fields),
                           "old": c.old, "new": c.new, "reaches": [list(p) for p in c.reaches]} for c in found],
                         indent=1, ensure_ascii=False))
    else:
        print("\n".join(report(old, new, found)))
    return 0
