"""What changed between two versions of a fact base: facts added, removed and changed, disputed questions
opened and closed, key judgments changed, and which briefs and audiences each change reaches.

A version is read into a *snapshot*: plain JSON-able data holding, for each fact, what a reader sees of it
(statement, kind, who, confidence, citations), each disputed question's claims, and each brief's key
judgments. `changes(old, new)` compares two snapshots. The same snapshot, cut down to what one brief printed
for one audience, is what the distribution ledger keeps of every version it delivered, so that a revised copy
can say what changed since the copy its reader holds (`briefing.distribute`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from briefing.errors import UsageError

FACT_FIELDS = ("statement", "kind", "by", "confidence", "cite")
"""What a reader sees of a fact, compared in this order."""
JUDGMENT_FIELDS = ("judgment", "likelihood", "confidence", "basis", "rests_on", "alternative", "assumption",
                   "indicators", "action", "gaps")
"""What briefs print of a key judgment."""
FIELD_NAMES = {"cite": "citations", "by": "attribution", "rests_on": "the facts it rests on"}


def fact_view(fact) -> dict:
    """What a reader sees of one fact."""
    return {"statement": fact.statement, "kind": fact.kind, "by": fact.by, "confidence": fact.confidence,
            "cite": [[c.source, c.quote, c.at] for c in fact.cite]}


def dispute_view(dispute) -> dict:
    """What a reader sees of one disputed question."""
    return {"question": dispute.question,
            "claims": [[claim.claim, sorted({c.source for c in claim.cite})] for claim in dispute.claims]}


def judgment_view(judgment) -> dict:
    """What briefs print of one key judgment."""
    out = {}
    for name in JUDGMENT_FIELDS:
        value = getattr(judgment, name, None)
        out[name] = list(value) if isinstance(value, tuple) else value
    return out


def snapshot(facts, judgments: dict, ids=None, briefs=None) -> dict:
    """Return a version as data: the fact base's facts and disputed questions (only those in `ids`, if given)
    and the key judgments of each brief (only those of `briefs`, if given)."""
    return {
        "as_of": facts.meta.as_of.isoformat(),
        "facts": {k: fact_view(f) for k, f in facts.facts.items() if ids is None or k in ids},
        "disputes": {k: dispute_view(d) for k, d in facts.disputes.items() if ids is None or k in ids},
        "judgments": {b: {j.id: judgment_view(j) for j in items} for b, items in judgments.items()
                      if briefs is None or b in briefs},
    }


@dataclass
class Change:
    """One difference between two versions."""

    kind: str
    """fact, dispute or judgment."""
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
    """The (brief, audience) pairs that print the item, in either version."""

    @property
    def text(self) -> str:
        """The item's main text, as the newer version has it (the older one for a removal)."""
        item = self.new or self.old or {}
        return item.get("statement") or item.get("question") or item.get("judgment") or ""

    def describe(self) -> str:
        """One line saying what changed, e.g. `confidence: high → moderate; citations changed`."""
        parts = []
        for name in self.fields:
            old, new = (self.old or {}).get(name), (self.new or {}).get(name)
            label = FIELD_NAMES.get(name, name)
            if isinstance(old, str) and isinstance(new, str) and len(old) + len(new) < 60:
                parts.append(f"{label}: {old} → {new}")
            elif old is None or new is None:
                parts.append(f"{label} {'added' if old is None else 'removed'}")
            else:
                parts.append(f"{label} changed")
        return "; ".join(parts)


def _compare(old: dict, new: dict, kind: str, fields, words=("added", "removed"), brief=None) -> list[Change]:
    out = []
    for key in new:
        if key not in old:
            out.append(Change(kind, words[0], key, new=new[key], brief=brief))
        elif old[key] != new[key]:
            differ = tuple(f for f in fields if old[key].get(f) != new[key].get(f))
            out.append(Change(kind, "changed", key, differ, old[key], new[key], brief))
    out.extend(Change(kind, words[1], key, old=old[key], brief=brief) for key in old if key not in new)
    return out


def changes(old: dict, new: dict) -> list[Change]:
    """Return every difference between two snapshots: facts, then disputed questions, then judgments."""
    out = _compare(old.get("facts", {}), new.get("facts", {}), "fact", FACT_FIELDS)
    out += _compare(old.get("disputes", {}), new.get("disputes", {}), "dispute", ("question", "claims"),
                    ("opened", "closed"))
    olds, news = old.get("judgments", {}), new.get("judgments", {})
    for brief in list(news) + [b for b in olds if b not in news]:
        out += _compare(olds.get(brief, {}), news.get(brief, {}), "judgment", JUDGMENT_FIELDS, brief=brief)
    return out


def note_lines(found: list[Change], limit: int | None = None) -> list[str]:
    """Return the changes as short lines for a reader: what is new, changed or gone in their brief."""
    lines = []
    for c in found:
        if c.kind == "fact":
            head = {"added": "New", "removed": "Withdrawn", "changed": "Revised"}[c.what]
            line = f"{head}: {c.text}"
            if c.what == "changed":
                others = tuple(f for f in c.fields if f != "statement")  # the statement is the line itself
                detail = Change(c.kind, c.what, c.id, others, c.old, c.new).describe()
                if detail:
                    line += f" ({detail})"
        elif c.kind == "dispute":
            head = {"opened": "New disputed question", "closed": "Disputed question settled or dropped",
                    "changed": "Disputed question revised"}[c.what]
            line = f"{head}: {c.text}"
        else:
            head = {"added": "New key judgment", "removed": "Key judgment withdrawn",
                    "changed": "Key judgment revised"}[c.what]
            line = f"{head}: {c.text}"
            if c.what == "changed":
                detail = Change(c.kind, c.what, c.id, tuple(f for f in c.fields if f != "judgment"), c.old,
                                c.new).describe()
                if detail:
                    line += f" ({detail})"
        lines.append(line)
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
    """Return the changes between two composed sides, each with the briefs × audiences it reaches."""
    found = changes(snapshot(old.project.facts, old.project.judgments),
                    snapshot(new.project.facts, new.project.judgments))
    pairs = list(dict.fromkeys(list(old.used) + list(new.used)))
    # A change reaches a brief for an audience when that brief prints the item (in either version) and what the
    # brief says has changed: a field its audience is not shown (an analyst-only gap) reaches no one else.
    differ = {p for p in pairs if old.digests.get(p) != new.digests.get(p)}
    for c in found:
        if c.kind == "judgment":
            c.reaches = [p for p in pairs if p[0] == c.brief and p in differ]
        else:
            c.reaches = [p for p in pairs
                         if p in differ and (c.id in old.used.get(p, ()) or c.id in new.used.get(p, ()))]
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
             f"{n('judgment', 'added')} added, {n('judgment', 'removed')} removed, {n('judgment', 'changed')} changed"]
    mark = {"added": "+", "opened": "+", "removed": "-", "closed": "-", "changed": "~"}
    noun = {"fact": "fact", "dispute": "disputed question", "judgment": "key judgment"}
    for c in found:
        name = f"{c.brief}/{c.id}" if c.kind == "judgment" else c.id
        head = f"{mark[c.what]} {noun[c.kind]} {name} {c.what}"
        if c.what == "changed":
            head += f": {c.describe()}"
        lines.append(head)
        lines.append(f"    {c.text}")
        if "statement" in c.fields or "question" in c.fields or "judgment" in c.fields:
            was = c.old.get("statement") or c.old.get("question") or c.old.get("judgment")
            lines.append(f"    was: {was}")
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
    finally:
        for side in sides:
            side.close()
    old, new = sides
    found = compare(old, new)
    if args.json:
        print(json.dumps([{"kind": c.kind, "what": c.what, "id": c.id, "brief": c.brief, "fields": list(c.fields),
                           "old": c.old, "new": c.new, "reaches": [list(p) for p in c.reaches]} for c in found],
                         indent=1, ensure_ascii=False))
    else:
        print("\n".join(report(old, new, found)))
    return 0
