"""Build briefs: load the project, compose every requested brief × audience, render in worker processes
what changed, and write all files of a build at once."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from briefing.errors import InputError, Problem

if TYPE_CHECKING:  # loaded where used, so that a build with nothing to do starts quickly
    from briefing.briefs import Audience, Brief
    from briefing.factbase import FactBase
    from briefing.judgments import Judgment
    from briefing.style import Style
    from briefing.wording import Wording

FORMATS = ("pdf", "docx", "md")


@dataclass
class Project:
    """Everything a build reads: the fact base and the templates folder's briefs, audiences and style."""

    facts: FactBase
    templates: str
    audiences: dict[str, Audience]
    briefs: dict[str, Brief]
    style: Style
    wording: Wording
    judgments: dict[str, tuple[Judgment, ...]]

    @classmethod
    def load(cls, facts: str, templates: str) -> "Project":
        """Return the project; raise InputError listing the problems of every file at once."""
        from briefing.briefs import load_audiences, load_briefs
        from briefing.factbase import load
        from briefing.judgments import load_judgments
        from briefing.style import load_style
        from briefing.wording import load_wording

        problems: list[Problem] = []
        fb = audiences = briefs = style = wording = judgments = None
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
        try:
            wording = load_wording(templates)
        except InputError as e:
            problems.extend(e.problems)
        try:
            judgments = load_judgments(templates, fb)
        except InputError as e:
            problems.extend(e.problems)
        if judgments is not None and briefs is not None:
            from briefing.errors import did_you_mean

            for name in judgments:
                if name not in briefs:
                    problems.append(Problem(os.path.join(templates, "judgments", name + ".yaml"), 0, 0,
                                            f"key judgments for {name!r}, which is not a brief"
                                            f"{did_you_mean(name, briefs)}",
                                            "name the file after its brief: templates/judgments/BRIEF.yaml"))
        if problems:
            raise InputError(problems)
        return cls(fb, templates, audiences, briefs, style, wording, judgments)

    def plan(self, briefs: list[str], audiences: list[str], any_audience: bool = False
             ) -> list[tuple[Brief, Audience]]:
        """Return the (brief, audience) pairs to build: the named ones, or every brief for its audiences.

        An audience named on the command line gets the briefs meant for it; with `any_audience`, every brief
        named. Unknown names, and a brief named for an audience it is not meant for, are UsageErrors."""
        from briefing.errors import UsageError, did_you_mean

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
            meant = brief.settings["audiences"]
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


@dataclass
class Result:
    """What a build made: the files written now and the ones already up to date."""

    outputs: list[Output]
    """Files made by this build, to be written."""
    current: list[str] = field(default_factory=list)
    """Paths of files left as they were, their inputs unchanged."""
    manifest: dict = field(default_factory=dict)
    """What the output folder's manifest says after this build."""


MANIFEST = ".briefing-build.json"
"""The file in the output folder recording each output's key, so that the next build can skip it."""


def _digest(*parts) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else repr(part).encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def _file_digest(path: str | None) -> str:
    """Digest of a file's bytes; OSError for anything but a regular file of a sane size (a FIFO would block:
    the full load then reports it properly)."""
    if not path:
        return ""
    import stat

    from briefing.inputs import FACTS_LIMIT

    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode) or st.st_size > FACTS_LIMIT:
        raise OSError(f"{path} is not a regular file of at most {FACTS_LIMIT} bytes")
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def program_digest() -> str:
    """Digest of this program's source and of the installed libraries that write the files."""
    from importlib.util import find_spec

    here = os.path.dirname(os.path.abspath(__file__))
    parts = []
    for folder, dirs, files in os.walk(here):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                with open(os.path.join(folder, name), "rb") as f:
                    parts.append((os.path.relpath(os.path.join(folder, name), here), f.read()))
    for module in ("reportlab", "docx", "uharfbuzz", "markdown_it", "mdit_py_plugins", "lxml"):
        spec = find_spec(module)
        origin = spec.origin if spec else None
        # An upgrade rewrites the package's files: their size and time stand in for its version.
        st = os.stat(origin) if origin and os.path.exists(origin) else None
        parts.append((module, origin, st and (st.st_size, st.st_mtime_ns)))
    return _digest(parts)


def renderer_digest(project: Project, reference_docx: str | None, when: _dt.datetime) -> str:
    """Digest of what the renderers read besides the composed brief: house style, its fonts and files,
    the reference document, the time written into the files and the program itself."""
    style = project.style
    fonts = sorted((str(k), v) for k, v in style.font_files.items())
    named = [style.file(style[k]) for k in ("logo", "reference_docx") if style[k]]
    # Font files are large and change only when installed again, which gives them a new time: their size and
    # time stand in for their bytes.
    return _digest(sorted(style.data.items(), key=lambda kv: kv[0]), fonts, _stats([v for _, v in fonts if v]),
                   [_file_digest(p) for p in named], _file_digest(reference_docx), when.isoformat(),
                   program_digest())


def plan_jobs(project: Project, pairs: list[tuple[Brief, Audience]], formats: list[str], out: str,
              reference_docx: str | None = None) -> list[Job]:
    """Return one job per requested file; raise InputError, naming every brief that fails to compose."""
    from briefing.compose import Composer

    composer = Composer(project.facts, project.templates, project.wording, project.judgments)
    when = build_time(project.facts)
    renderers = renderer_digest(project, reference_docx, when) if set(formats) - {"md"} else ""
    jobs: list[Job] = []
    failed: dict[Problem, list[str]] = {}
    for brief, audience in pairs:
        base = os.path.join(out, f"{brief.name}.{audience.name}")
        try:
            composed = composer.compose(brief, audience)
        except InputError as e:
            for problem in e.problems:
                failed.setdefault(problem, []).append(f"{brief.name} for {audience.name}")
            continue
        for fmt in FORMATS:
            if fmt not in formats:
                continue
            key = _digest(fmt, composed.markdown, composed.meta, "" if fmt == "md" else renderers)
            limit = audience.settings["page_limit"] if fmt == "pdf" else None
            jobs.append(Job(f"{base}.{fmt}", fmt, composed.markdown, composed.meta, key,
                            (audience, brief.name, limit) if limit else None, composed.used))
    if failed:  # one report per problem, naming the briefs and audiences it stops
        raise InputError([Problem(p.file, p.line, p.column, f"{p.message} (in {_affected(where)})", p.hint)
                          for p, where in failed.items()])
    return jobs


def _affected(where: list[str]) -> str:
    """`trade-outlook for minister, analyst; connectivity for analyst`"""
    by_brief: dict[str, list[str]] = {}
    for item in where:
        brief, audience = item.split(" for ", 1)
        by_brief.setdefault(brief, []).append(audience)
    return "; ".join(f"{b} for {', '.join(a)}" for b, a in by_brief.items())


_WORK: dict = {}
"""What worker processes render with, set before they are started so that they inherit it loaded."""


def _render_job(item: tuple[int, float | None]):
    """Return (bytes, pages, page of each note, paragraph gaps) of job `item[0]`, or (None, problems, None, None)
    for bad input. A DOCX is rendered with the gaps its PDF was laid out with (`item[1]`), found by laying the
    PDF out here when it was not made in this build."""
    index, gaps = item
    job: Job = _WORK["jobs"][index]
    if job.format == "md":
        return job.markdown.encode("utf-8"), None, None, None
    from briefing.parse import parse

    try:
        doc = parse(job.markdown, job.meta)
        writer = _WORK[job.format]
        if job.format == "docx":
            if gaps is None:
                probe = _pdf_writer()
                probe.render(doc, _WORK["when"])
                gaps = probe.gaps
            data = writer.render(doc, _WORK["when"], gaps)
        else:
            data = writer.render(doc, _WORK["when"])
    except InputError as e:  # its problems travel back from a worker intact
        return None, e.problems, None, None
    if job.format == "pdf":
        return data, writer.pages, dict(writer.page_of_note), writer.gaps
    return data, None, None, None


def _pdf_writer():
    """The PDF writer of this build, made when first needed."""
    if "pdf" not in _WORK:
        from briefing.render.pdf import PdfWriter

        _WORK["pdf"] = PdfWriter(_WORK["style"])
    return _WORK["pdf"]


_WEIGHT = {"pdf": 3, "docx": 2, "md": 0}
"""Rough cost of rendering a character of Markdown in each format, to hand out the longest jobs first."""


def default_jobs() -> int:
    """The number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def run_jobs(project: Project, jobs: list[Job], workers: int = 1, reference_docx: str | None = None) -> list[Output]:
    """Return each job's file, rendered in up to `workers` processes; the same bytes as one process gives."""
    formats = {j.format for j in jobs}
    _WORK.clear()
    _WORK.update(jobs=jobs, when=build_time(project.facts), style=project.style)
    if "docx" in formats:
        from briefing.render.docx import DocxWriter

        _WORK["docx"] = DocxWriter(project.style, reference_docx)
    if "pdf" in formats:
        from briefing.render.pdf import PdfWriter

        _WORK["pdf"] = PdfWriter(project.style)
    if formats - {"md"}:
        import briefing.parse  # noqa: F401  (loaded once, before the workers start)
    # PDFs first: a DOCX takes the paragraph gaps its PDF was laid out with, so both break pages alike.
    first = [i for i, j in enumerate(jobs) if j.format != "docx"]
    then = [i for i, j in enumerate(jobs) if j.format == "docx"]
    done: dict[int, tuple] = {}
    try:
        workers = min(workers, len(jobs))
        if workers > 1 and hasattr(os, "fork"):
            import multiprocessing

            # Forked after the fonts and modules are loaded, so each worker starts with them. The longest jobs
            # go first, so that no worker is left with a long one at the end.
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for phase in (first, then):
                    gaps = _gaps(jobs, done)
                    order = sorted(phase, key=lambda i: -len(jobs[i].markdown) * _WEIGHT[jobs[i].format])
                    items = [(i, gaps.get(_stem(jobs[i]))) for i in order]
                    done.update(zip(order, pool.map(_render_job, items, chunksize=1), strict=True))
        else:
            for phase in (first, then):
                gaps = _gaps(jobs, done)
                for i in phase:
                    done[i] = _render_job((i, gaps.get(_stem(jobs[i]))))
    finally:
        _WORK.clear()
    results = [done[i] for i in range(len(jobs))]
    problems = [p for data, found, _, _ in results if data is None for p in found]
    if problems:
        raise InputError(problems)
    return [Output(j.path, data, pages, notes) for j, (data, pages, notes, _) in zip(jobs, results, strict=True)]


def _stem(job: Job) -> str:
    return os.path.splitext(job.path)[0]


def _gaps(jobs: list[Job], done: dict[int, tuple]) -> dict[str, float]:
    """The paragraph gaps of each PDF made so far, by brief and audience (the path without its extension);
    the house style's own for a PDF that failed (its problem is reported once, by its own job)."""
    return {_stem(jobs[i]): (r[3] if r[0] is not None else 1.0) for i, r in done.items() if jobs[i].format == "pdf"}


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
            line, column = audience.settings["_positions"].get("page_limit", (audience.settings["_line"], 0))
            problems.append(Problem(audience.path, line, column,
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


def render(project: Project, pairs: list[tuple[Brief, Audience]], formats: list[str], out: str,
           reference_docx: str | None = None, workers: int = 1) -> list[Output]:
    """Return every requested file's bytes; raise InputError, writing nothing, if any brief fails."""
    jobs = plan_jobs(project, pairs, formats, out, reference_docx)
    outputs = run_jobs(project, jobs, workers, reference_docx)
    problems = page_limit_problems(jobs, {o.path: o.pages for o in outputs if o.pages is not None},
                                   {o.path: o.data for o in outputs})
    if problems:
        raise InputError(problems)
    return outputs


def read_manifest(out: str) -> dict:
    """Return the output folder's manifest: {"outputs": {file name: {"key", "sha256", "pages"}}}."""
    try:
        with open(os.path.join(out, MANIFEST), encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError):
        return {"outputs": {}}
    if not isinstance(manifest, dict) or not isinstance(manifest.get("outputs"), dict):
        return {"outputs": {}}
    return manifest


def _intact(path: str, entry: dict) -> bool:
    """The file at `path` is still the one the manifest entry describes."""
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest() == entry.get("sha256")
    except OSError:
        return False


def build(project: Project, pairs: list[tuple[Brief, Audience]], formats: list[str], out: str,
          reference_docx: str | None = None, workers: int = 1, force: bool = False) -> Result:
    """Return the files to write: those whose inputs changed since the build recorded in `out`, or all of them
    with `force`; raise InputError, writing nothing, if any brief fails."""
    jobs = plan_jobs(project, pairs, formats, out, reference_docx)
    old = {} if force else read_manifest(out)["outputs"]
    todo, current = [], []
    for job in jobs:
        entry = old.get(os.path.basename(job.path))
        if entry and entry.get("key") == job.key and _intact(job.path, entry):
            current.append(job)
        else:
            todo.append(job)
    outputs = run_jobs(project, todo, workers, reference_docx)
    pages = {o.path: o.pages for o in outputs if o.pages is not None}
    pages.update({j.path: old[os.path.basename(j.path)].get("pages") for j in current if j.format == "pdf"})
    problems = page_limit_problems(jobs, {k: v for k, v in pages.items() if isinstance(v, int)},
                                   {o.path: o.data for o in outputs})
    if problems:
        raise InputError(problems)
    manifest = {"outputs": dict(read_manifest(out)["outputs"])}
    for job, o in zip(todo, outputs, strict=True):
        manifest["outputs"][os.path.basename(job.path)] = {"key": job.key, "sha256": hashlib.sha256(o.data).hexdigest(),
                                                           "pages": o.pages}
    return Result(outputs, [j.path for j in current], manifest)


def request_digest(facts: str, templates: str, reference_docx: str | None, request: list) -> str:
    """Digest of a build request and of the files it reads that people edit: the fact base, every file in the
    templates folder, the reference document, SOURCE_DATE_EPOCH and the program. Taken before loading them."""
    parts = [request, os.environ.get("SOURCE_DATE_EPOCH", ""), program_digest(), _file_digest(facts),
             _file_digest(reference_docx)]
    for folder, dirs, files in os.walk(templates):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                parts.append((os.path.relpath(path, templates), _file_digest(path)))
    return _digest(parts)


def _stats(paths: list[str]) -> list:
    found = []
    for path in paths:
        try:
            st = os.stat(path)
            found.append((path, st.st_size, st.st_mtime_ns))
        except OSError:
            found.append((path, None))
    return found


def record_request(result: Result, request: str, project: Project) -> None:
    """Note in the result's manifest what this request read, for `up_to_date` to compare next time."""
    style = project.style
    files = sorted(p for p in style.font_files.values() if p)
    files += [style.file(style[k]) for k in ("logo", "reference_docx") if style[k]]
    names = [os.path.basename(o.path) for o in result.outputs] + [os.path.basename(p) for p in result.current]
    result.manifest["inputs"] = {"request": request, "files": files, "digest": _digest(request, _stats(files)),
                                 "outputs": sorted(names)}


def up_to_date(out: str, request: str) -> list[str] | None:
    """Return the names of the files the last build of the same request wrote in `out`, when neither the files
    it read nor the files it wrote have changed since; None when the build has to look closer."""
    manifest = read_manifest(out)
    inputs = manifest.get("inputs")
    if not isinstance(inputs, dict) or inputs.get("request") != request:
        return None
    files = inputs.get("files")
    names = inputs.get("outputs")
    if not isinstance(files, list) or not isinstance(names, list):
        return None
    if _digest(request, _stats([str(f) for f in files])) != inputs.get("digest"):
        return None
    entries = manifest["outputs"]
    for name in names:
        entry = entries.get(name) if isinstance(name, str) else None
        if not isinstance(entry, dict) or not _intact(os.path.join(out, name), entry):
            return None
    return names


# -- writing a build: all files or none ------------------------------------------------------------

STAGING = "briefing-staging-"
"""Marks the folder a build is written into before it is moved into place; a killed build's is removed later."""


def write_all(outputs: list[Output], out: str, manifest: dict | None = None) -> None:
    """Write every file of a build at once; on any failure raise InputError with `out` exactly as it was.

    The files are written into a staging folder beside `out`, which then takes the place of `out` in one
    atomic step: a rename when `out` is new, else an exchange with a copy of `out` (hard links) holding the
    new files. Where that cannot be done (a file system without exchange, `out` a mount point or holding
    folders or the working directory), the staged files are renamed into `out` one by one under a commit
    mark, and a build killed part way is completed by the next one."""
    files = {os.path.basename(o.path): o.data for o in outputs}
    if manifest is not None:
        files[MANIFEST] = json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8")
    target = os.path.realpath(out)
    _check_target(out, target, files)
    staging = None
    try:
        parent, name = os.path.split(target)
        os.makedirs(parent, exist_ok=True)
        remove_stale_staging(target)
        exists = os.path.isdir(target)
        beside = not exists or os.stat(parent).st_dev == os.stat(target).st_dev
        if beside:
            try:
                staging = _mkstaging(parent, f".{name}.")
            except PermissionError:
                beside = False
        if not beside:
            staging = _mkstaging(target, ".")
        swap = exists and beside and _swappable(target)
        if swap:
            _link_tree(target, staging, skip=set(files))
        st = os.stat(target) if exists else None
        os.chmod(staging, st.st_mode & 0o7777 if st else 0o777 & ~_umask())
        if st and os.geteuid() == 0:
            os.chown(staging, st.st_uid, st.st_gid)
        for fname, data in files.items():
            _write_file(os.path.join(staging, fname), data)
        if not exists:
            os.rename(staging, target)
            staging = None
        elif not (swap and _exchange(staging, target)):
            _commit_one_by_one(staging, target, list(files))
    except OSError as e:
        raise _write_error(out, e) from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


COMMIT_MARK = ".commit"
"""In a staging folder: the names of the files being renamed into place, written before the first rename."""


def _commit_one_by_one(staging: str, target: str, names: list[str]) -> None:
    mark = os.path.join(staging, COMMIT_MARK)
    with open(mark + ".new", "w", encoding="utf-8") as f:
        json.dump(names, f)
    os.rename(mark + ".new", mark)
    _finish_commit(staging, target, names)


def _finish_commit(staging: str, target: str, names: list[str]) -> None:
    for fname in map(os.path.basename, names):
        src = os.path.join(staging, fname)
        if os.path.lexists(src):
            os.replace(src, os.path.join(target, fname))


def _swappable(target: str) -> bool:
    """`target` may be exchanged for a copy of itself: it holds no folders, nor this process's working directory."""
    cwd = os.path.realpath(os.getcwd())
    if cwd == target or cwd.startswith(target + os.sep):
        return False
    return not any(e.is_dir(follow_symlinks=False) for e in os.scandir(target) if STAGING not in e.name)


def _check_target(out: str, target: str, files: dict[str, bytes]) -> None:
    """Raise InputError before anything is written if `out` cannot take the build."""
    problems = []
    if os.path.lexists(target) and not os.path.isdir(target):
        problems.append(Problem(out, 0, 0, "is not a folder, so the build cannot be written into it",
                                "remove or rename it, or choose another output folder with -o"))
    elif os.path.isdir(target):
        if not os.access(target, os.W_OK | os.X_OK):
            problems.append(Problem(out, 0, 0, "the output folder is read-only",
                                    "make it writable, or choose another output folder with -o"))
        for fname in sorted(files):
            path = os.path.join(target, fname)
            if os.path.isdir(path) and not os.path.islink(path):
                problems.append(Problem(os.path.join(out, fname), 0, 0,
                                        "is a folder where a file of this build goes",
                                        "remove or rename the folder, then build again"))
    if problems:
        raise InputError(problems)


def _write_error(out: str, e: OSError) -> InputError:
    import errno

    hint = {errno.ENOSPC: "free some space on that disk, then build again",
            errno.EDQUOT: "free some space within your quota, then build again"}.get(
        e.errno, "make the output folder and its parent writable, or choose another folder with -o")
    where = f" ({e.filename})" if e.filename else ""
    return InputError(Problem(out, 0, 0, f"could not write the build: {e.strerror or e}{where}; "
                                         "the output folder is as it was", hint))


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _mkstaging(folder: str, prefix: str) -> str:
    import tempfile

    return tempfile.mkdtemp(dir=folder, prefix=f"{prefix}{STAGING}{os.getpid()}-")


def _write_file(path: str, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, 0o666 & ~_umask())


def _link_tree(src: str, dst: str, skip: set[str]) -> None:
    """Fill `dst` with hard links to the files under `src` (copies where a link is refused), but not `skip`."""
    for entry in os.scandir(src):
        if entry.name in skip or STAGING in entry.name:
            continue
        to = os.path.join(dst, entry.name)
        if entry.is_symlink():
            os.symlink(os.readlink(entry.path), to)
        elif entry.is_dir():
            os.mkdir(to)
            shutil.copystat(entry.path, to)
            _link_tree(entry.path, to, set())
        else:
            try:
                os.link(entry.path, to)
            except OSError:
                shutil.copy2(entry.path, to)


def _exchange(a: str, b: str) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where that is not supported."""
    import ctypes
    import errno

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EXDEV, errno.EBUSY, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), b)


def remove_stale_staging(target: str) -> None:
    """Remove the staging folders that builds no longer running left beside or inside `target`, first finishing
    the renames of one that was killed while committing."""
    parent, name = os.path.split(target)
    for folder, prefix in ((parent, f".{name}.{STAGING}"), (target, f".{STAGING}")):
        try:
            entries = [e for e in os.scandir(folder) if e.name.startswith(prefix)]
        except OSError:
            continue
        for entry in entries:
            pid = entry.name[len(prefix):].split("-", 1)[0]
            if not pid.isdigit() or _alive(int(pid)):
                continue
            mark = os.path.join(entry.path, COMMIT_MARK)
            if os.path.exists(mark):  # killed while renaming its files into place: finish the job
                try:
                    with open(mark, encoding="utf-8") as f:
                        _finish_commit(entry.path, target, [str(n) for n in json.load(f)])
                except (OSError, ValueError):
                    continue
            shutil.rmtree(entry.path, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
