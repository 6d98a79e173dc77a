"""Build briefs: compose every requested brief × audience, render the files whose inputs changed, check page
limits, and write all files of the build at once. `Build(...).run()` is the one entry point."""

from __future__ import annotations

import datetime as _dt
import json
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from briefing.errors import EnvironmentFailure, InputError, Problem

if TYPE_CHECKING:  # loaded where used, so that a build with nothing to do starts quickly
    from briefing.briefs import Audience, Brief
    from briefing.compose import Composed
    from briefing.factbase import FactBase
    from briefing.project import Locations, Project

Pair = tuple["Brief", "Audience"]


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
    fit: object = None
    """The fit (layout.Fit) a PDF or DOCX was made with."""


@dataclass
class Job:
    """One file to make: a composed brief in one format, and the key of everything its bytes depend on."""

    path: str
    """Where the file goes."""
    format: str
    """pdf, docx or md."""
    markdown: str
    """The composed brief."""
    meta: object
    """Its title block and file properties (briefing.model.Meta)."""
    key: str
    """Digest of the composed brief, its format and the renderers' inputs: equal keys give equal bytes."""
    limit: tuple | None = None
    """(audience, brief name, page limit) for a PDF whose audience limits its pages."""
    used: frozenset = frozenset()
    """Ids of the facts and disputed questions the brief prints."""
    fit_key: str = ""
    """Digest of what the fit of a PDF or DOCX depends on (the PDF's key): equal keys give equal fits."""
    fit: object = None
    """The fit (layout.Fit) an earlier build found for this key, if it kept one."""


@dataclass
class Result:
    """What a build did: the files it wrote and the ones already up to date."""

    outputs: list[Output] = field(default_factory=list)
    """Files made and written by this build."""
    current: list[str] = field(default_factory=list)
    """Paths of files left as they were, their inputs unchanged."""


def compose_pairs(project: Project, pairs: list[Pair]) -> list[Composed]:
    """Return each brief composed for its audience; raise InputError naming, for each problem, every brief and
    audience it stops."""
    from briefing.compose import Composer

    composer = Composer(project.facts, project.templates, project.wording, project.judgments, project.style)
    composed = []
    failed: dict[Problem, list[tuple[str, str]]] = {}
    for brief, audience in pairs:
        try:
            composed.append(composer.compose(brief, audience))
        except InputError as e:
            for problem in e.problems:
                failed.setdefault(problem, []).append((brief.name, audience.name))
    if failed:  # one report per problem, naming the briefs and audiences it stops
        raise InputError([Problem(p.file, p.line, p.column, f"{p.message} (in {_affected(where)})", p.hint)
                          for p, where in failed.items()])
    return composed


def verify_printed(project: Project, composed: list[Composed]) -> None:
    """Refuse a brief whose quotes are not in their sources: every quote of every fact and disputed question
    the briefs print is looked up in the project's corpus, with the message `check` gives. Without a corpus,
    say once that the quotes were not verified."""
    from briefing.corpus import verify
    from briefing.errors import diagnostics

    where = project.locations
    if not where.corpus:
        diagnostics.warn(Problem(where.project_file or "briefing.yaml", 0, 0,
                                 "warning: the quotes were not verified: the project names no corpus",
                                 "set `corpus:` to the folder of the source texts, so that a misquote never "
                                 "reaches a brief"))
        return
    if not os.path.isdir(where.corpus):
        raise InputError(Problem(where.project_file or where.corpus, 0, 0,
                                 f"the corpus folder {where.corpus} is not there",
                                 "set `corpus:` to the folder of the source texts (or null, to build without "
                                 "checking the quotes)"))
    problems = verify(project.facts, where.corpus, set().union(*(c.used for c in composed)))
    if problems:
        raise InputError(problems)


def _affected(where: list[tuple[str, str]]) -> str:
    """`trade-outlook for minister, analyst; connectivity for analyst`"""
    by_brief: dict[str, list[str]] = {}
    for brief, audience in where:
        by_brief.setdefault(brief, []).append(audience)
    return "; ".join(f"{b} for {', '.join(a)}" for b, a in by_brief.items())


def plan_jobs(project: Project, pairs: list[Pair], composed: list[Composed], formats: list[str], out: str,
              reference_docx: str | None = None) -> list[Job]:
    """Return one job per requested file of each composed brief."""
    from briefing.buildcache import renderer_digest
    from briefing.digests import digest
    from briefing.render import FORMATS
    from briefing.render import markdown as markdown_writer

    when = build_time(project.facts)
    renderers = renderer_digest(project, reference_docx, when) if set(formats) - {"md"} else ""
    jobs: list[Job] = []
    for (brief, audience), c in zip(pairs, composed, strict=True):
        base = os.path.join(out, f"{brief.name}.{audience.name}")
        fit_key = digest("pdf", c.markdown, c.meta, renderers) if renderers else ""
        for fmt in FORMATS:
            if fmt not in formats:
                continue
            key = digest(fmt, c.markdown, c.meta, markdown_writer.digest() if fmt == "md" else renderers)
            limit = audience.page_limit if fmt == "pdf" else None
            jobs.append(Job(f"{base}.{fmt}", fmt, c.markdown, c.meta, key,
                            (audience, brief.name, limit) if limit else None, c.used, fit_key if fmt != "md" else ""))
    return jobs


def render_jobs(project: Project, jobs: list[Job], workers: int = 1, reference_docx: str | None = None
                ) -> list[Output]:
    """Return each job's file; raise InputError with the problems of every job that failed."""
    from briefing.scheduler import run_jobs

    rendered = run_jobs(jobs, project.style, build_time(project.facts), workers, reference_docx)
    return [Output(j.path, r.data, r.pages, r.page_of_note, r.fit) for j, r in zip(jobs, rendered, strict=True)]


def render_in_memory(project: Project, pairs: list[Pair], formats: list[str], reference_docx: str | None = None,
                     workers: int = 1) -> list[Output]:
    """Return every requested file's bytes, written nowhere; raise InputError if any brief fails or runs over
    its audience's page limit."""
    composed = compose_pairs(project, pairs)
    verify_printed(project, composed)
    jobs = plan_jobs(project, pairs, composed, formats, "", reference_docx)
    outputs = render_jobs(project, jobs, workers, reference_docx)
    problems = page_limit_problems(jobs, {o.path: o.pages for o in outputs if o.pages is not None},
                                   {o.path: o.data for o in outputs})
    if problems:
        raise InputError(problems)
    return outputs


def page_limit_problems(jobs: list[Job], pages: dict[str, int], made: dict[str, bytes] | None = None
                        ) -> list[Problem]:
    """Return a problem for each PDF longer than its audience allows, given each path's page count, at the
    audience file's `page_limit` line. Each over-long PDF made now is left in a preview folder, outside the
    output folder, for the user to see."""
    problems = []
    for job in jobs:
        if job.limit is None or job.path not in pages:
            continue
        audience, brief, limit = job.limit
        if pages[job.path] > limit:
            over = pages[job.path] - limit
            hint = "shorten the brief's template for this audience, or raise page_limit"
            preview = _preview(job.path, made[job.path]) if made and job.path in made else None
            if preview:
                hint = f"see it at {preview}; " + hint
            problems.append(Problem(audience.path, *audience.at("page_limit"),
                                    f"{brief} for {audience.name}: the PDF has {pages[job.path]} pages, {over} "
                                    f"more than page_limit allows ({limit})", hint))
    return problems


def _preview(path: str, data: bytes) -> str | None:
    """Write an over-long PDF to a new private folder, outside the output folder, for the user to look at;
    return its path, or None if it cannot be written (the problem is reported all the same)."""
    import tempfile

    try:
        final = os.path.join(tempfile.mkdtemp(prefix="briefing-preview-"), os.path.basename(path))
        with open(final, "xb") as f:
            f.write(data)
    except OSError:
        return None
    return final


def _stem(path: str) -> str:
    """`trade-outlook.minister` of `out/trade-outlook.minister.pdf`."""
    return os.path.splitext(os.path.basename(path))[0]


def default_jobs() -> int:
    """The number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


class Build:
    """One build request: which briefs for which audiences in which formats, into which folder."""

    def __init__(self, where: Locations, briefs: list[str] = (), audiences: list[str] = (),
                 formats: list[str] = ("pdf", "docx"), out: str | None = None, reference_docx: str | None = None,
                 jobs: int | None = None, force: bool = False, any_audience: bool = False):
        self.where = where
        self.briefs = list(briefs)
        self.audiences = list(audiences)
        self.formats = list(formats)
        self.out = out if out is not None else where.out
        self.reference_docx = reference_docx
        self.jobs = jobs or default_jobs()
        self.force = force
        self.any_audience = any_audience

    def run(self) -> Result:
        """Make and write the files whose inputs changed since the build recorded in the output folder (all of
        them with `force`); raise InputError, writing nothing, if any brief fails. One build at a time writes a
        folder: a second waits, then finds the first one's files and manifest (outdir.locked)."""
        from briefing.outdir import locked

        with locked(self.out):
            return self._run()

    def _run(self) -> Result:
        from briefing.buildcache import MANIFEST, request_digest, request_record, up_to_date
        from briefing.outdir import remove_stale_staging, write_all
        from briefing.project import Project

        if self.reference_docx:
            from briefing.render.reference import read_reference

            read_reference(self.reference_docx)
        try:
            request = request_digest(self.where, self.reference_docx,
                                     [self.briefs, self.audiences, self.formats, self.any_audience])
        except OSError:
            request = ""  # an unreadable input: loading the project reports it
        current = None if self.force or not request else up_to_date(self.out, request)
        if current is not None:
            remove_stale_staging(os.path.realpath(self.out))
            return Result([], current)
        project = Project.open(self.where)
        pairs = project.plan(self.briefs, self.audiences, self.any_audience)
        outputs, current, manifest = self._make(project, pairs)
        if request:
            names = [os.path.basename(o.path) for o in outputs] + [os.path.basename(p) for p in current]
            manifest["inputs"] = request_record(request, project, names)
        files = {os.path.basename(o.path): o.data for o in outputs}
        files[MANIFEST] = json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8")
        try:
            write_all(files, self.out)
        except (InputError, EnvironmentFailure):
            if outputs:
                raise
            # Only the record of this request is lost: the files themselves are up to date.
        return Result(outputs, current)

    def _make(self, project: Project, pairs: list[Pair]) -> tuple[list[Output], list[str], dict]:
        """Return (the files whose inputs changed, the paths of those that did not, the manifest after)."""
        import hashlib

        from briefing.buildcache import intact, read_manifest
        from briefing.layout import Fit

        composed = compose_pairs(project, pairs)
        verify_printed(project, composed)
        jobs = plan_jobs(project, pairs, composed, self.formats, self.out, self.reference_docx)
        manifest = read_manifest(self.out)
        recorded = manifest["outputs"]
        old = {} if self.force else recorded
        # Fits earlier builds found, by brief and audience: a DOCX whose PDF is not made now takes its fit from
        # here instead of laying the PDF out again.
        kept_fits = manifest.get("fits")
        fits = {k: v for k, v in kept_fits.items() if isinstance(v, dict)} if isinstance(kept_fits, dict) else {}
        todo, current = [], []
        for job in jobs:
            kept = fits.get(_stem(job.path), {})
            if job.fit_key and kept.get("key") == job.fit_key:
                job.fit = Fit.from_data(kept)
            entry = old.get(os.path.basename(job.path))
            if entry and entry.get("key") == job.key and intact(job.path, entry):
                current.append(job)
            else:
                todo.append(job)
        outputs = render_jobs(project, todo, self.jobs, self.reference_docx)
        pages = {o.path: o.pages for o in outputs if o.pages is not None}
        pages.update({j.path: old[os.path.basename(j.path)].get("pages") for j in current if j.format == "pdf"})
        problems = page_limit_problems(jobs, {k: v for k, v in pages.items() if isinstance(v, int)},
                                       {o.path: o.data for o in outputs})
        if problems:
            raise InputError(problems)
        after = {"outputs": dict(recorded), "fits": fits}
        for job, o in zip(todo, outputs, strict=True):
            after["outputs"][os.path.basename(job.path)] = {
                "key": job.key, "sha256": hashlib.sha256(o.data).hexdigest(), "pages": o.pages}
            if job.fit_key and o.fit is not None:
                after["fits"][_stem(job.path)] = {"key": job.fit_key, **o.fit.data()}
        return outputs, [j.path for j in current], after
