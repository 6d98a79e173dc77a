"""Render a build's jobs, in worker processes when there are several cores: the files of each brief × audience
together, its PDF first and its DOCX with the paragraph gaps that PDF was fitted with; the same bytes whichever
process renders a job."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefing.errors import InputError
from briefing.layout import HOUSE

if TYPE_CHECKING:
    import datetime as _dt

    from briefing.build import Job
    from briefing.style import Style


@dataclass
class Rendered:
    """One job's file: its bytes, and for a PDF its page count and the page of each note; for a PDF or DOCX the
    fit (layout.Fit) it was made with."""

    data: bytes
    pages: int | None = None
    page_of_note: dict | None = None
    fit: object = None


@dataclass
class _State:
    """What every worker renders with: the jobs, the writers' settings, the time written into the files."""

    jobs: list
    when: object
    style: object
    reference_docx: str | None
    writers: dict


@dataclass
class Failed:
    """A job whose input was bad: its problems (a list travels back from a worker intact)."""

    problems: list


_state: _State | None = None
"""The state of the build this process renders for: set by the pool's initializer in each worker (and in
this process for a serial build)."""


def _init(state: _State) -> None:
    global _state
    _state = state


FIT_ONLY = "fit"
"""A task's fit that asks for nothing but the fit of its DOCX's brief (laid out, not rendered)."""
GUESS = "guess"
"""A task's fit that asks for the fit most briefs take (render.guess_fit): house gaps, the tables' widths."""


def _render_task(task: tuple[list[int], object]) -> list[Rendered | Failed]:
    """Return the files of the jobs `task[0]`, all of one brief × audience (its PDF first), or the problems of
    their bad input (Failed). The Markdown is parsed once for all of them. A DOCX is rendered with the fit
    `task[1]` when given, else the one its PDF was laid out with here, else the one an earlier build kept
    (`job.fit`), else one found by laying the PDF's pages out here (drawing nothing); its Rendered says which
    fit it used."""
    from briefing.parse import parse

    indexes, known = task
    done: list[Rendered | Failed] = []
    doc = None
    if known == FIT_ONLY:  # only the fit of the brief of DOCX job indexes[0]
        from briefing.render import fit

        job = _state.jobs[indexes[0]]
        try:
            return [Rendered(b"", fit=fit(parse(job.markdown, job.meta), _writer("docx").layout, _writer("pdf")))]
        except InputError as e:
            return [Failed(e.problems)]  # the DOCX's, as when it finds its fit itself
    for index in indexes:
        job: Job = _state.jobs[index]
        if job.format == "md":
            from briefing.render import markdown

            done.append(Rendered(markdown.render(job.markdown, job.meta)))
            continue
        try:
            if doc is None:
                doc = parse(job.markdown, job.meta)
            writer = _writer(job.format)
            if job.format == "docx":
                from briefing.render import fit, guess_fit

                if known == GUESS:
                    try:
                        known = guess_fit(doc, writer.layout, _writer("pdf"))
                    except InputError:  # the PDF's own layout problem: its PDF or fit task reports it, once
                        known = HOUSE
                elif known is None:
                    known = job.fit if job.fit is not None else fit(doc, writer.layout, _writer("pdf"))
                done.append(Rendered(writer.render(doc, _state.when, fit=known), fit=known))
                continue
            data = writer.render(doc, _state.when)
        except InputError as e:
            done.append(Failed(e.problems))
            if job.format == "pdf":
                known = HOUSE  # the house style's own: the problem is reported once, by the PDF's own job
            continue
        if job.format == "pdf":
            known = writer.fit
            done.append(Rendered(data, writer.pages, dict(writer.page_of_note), writer.fit))
        else:
            done.append(Rendered(data))
    return done


def _writer(fmt: str):
    """The writer of this build for `fmt`, made when first needed."""
    if fmt not in _state.writers:
        from briefing.render import writer_class

        cls = writer_class(fmt)
        _state.writers[fmt] = cls(_state.style, _state.reference_docx) if fmt == "docx" else cls(_state.style)
    return _state.writers[fmt]


_WEIGHT = {"pdf": 3, "docx": 2, "html": 1, "md": 0}
"""Rough cost of rendering a character of Markdown in each format, to hand out the longest tasks first."""


def run_jobs(jobs: list[Job], style: Style, when: _dt.datetime, workers: int = 1,
             reference_docx: str | None = None) -> list[Rendered]:
    """Return each job's file, rendered in up to `workers` processes; the same bytes as one process gives.
    Raise InputError with the problems of every job that failed.

    The files of one brief × audience are one task, rendered in one process: its PDF first, so that the DOCX
    takes the paragraph gaps the PDF was laid out with and both break pages alike. With a worker to spare
    (a single brief), a DOCX is made beside its PDF instead (`_guess_beside_pdfs`)."""
    state = _State(jobs, when, style, reference_docx, {})
    _init(state)
    tasks: dict[str, list[int]] = {}
    for i, j in enumerate(jobs):
        tasks.setdefault(_stem(j), []).append(i)
    order = {"pdf": 0, "docx": 2}  # PDF first, DOCX last, the others between
    groups = [(sorted(t, key=lambda i: order.get(jobs[i].format, 1)), None) for t in tasks.values()]
    parallel = workers > 1 and hasattr(os, "fork")
    guessed = _guess_beside_pdfs(jobs, groups, workers) if parallel else {}
    # The writers (fonts, styles) and the parser are made before the workers are forked, so each starts with
    # them; but where each worker makes one format (a PDF beside a DOCX), each loads its own library, side by
    # side (a reference document is still checked here first).
    for fmt in dict.fromkeys(j.format for j in jobs):
        if fmt != "md" and (not guessed or fmt == "docx" and reference_docx):
            _writer(fmt)
    if any(j.format != "md" for j in jobs):
        import briefing.parse  # noqa: F401
    done: dict[int, Rendered | Failed] = {}
    fits: dict[int, Rendered | Failed] = {}
    try:
        workers = min(workers, len(groups))
        if parallel and workers > 1:
            import multiprocessing

            # Forked after the fonts and modules are loaded, so each worker starts with them. The longest tasks
            # go first, so that no worker is left with a long one at the end.
            groups.sort(key=lambda t: -sum(len(jobs[i].markdown) * _WEIGHT[jobs[i].format] for i in t[0]))
            with multiprocessing.get_context("fork").Pool(workers, initializer=_init, initargs=(state,)) as pool:
                for group, rendered in zip(groups, pool.imap(_render_task, groups, chunksize=1), strict=True):
                    if group[1] == FIT_ONLY:
                        fits[group[0][0]] = rendered[0]
                    else:
                        done.update(zip(group[0], rendered, strict=True))
        else:
            for group in groups:
                done.update(zip(group[0], _render_task(group), strict=True))
        for i, pdf in guessed.items():  # a DOCX made with a fit its PDF does not take: again, with the PDF's
            found = done[pdf] if pdf is not None else fits[i]
            if pdf is None and isinstance(found, Failed):
                done[i] = found  # its fit could not be found: its problems, as when the DOCX looks for it
                continue
            fitted = found.fit if isinstance(found, Rendered) else HOUSE
            if isinstance(done[i], Rendered) and done[i].fit != fitted:
                done[i] = _render_task(([i], fitted))[0]
    finally:
        _init(None)
    results = [done[i] for i in range(len(jobs))]
    problems = [p for r in results if isinstance(r, Failed) for p in r.problems]
    if problems:
        raise InputError(problems)
    return results


def _guess_beside_pdfs(jobs: list[Job], groups: list[tuple[list[int], object]], workers: int
                       ) -> dict[int, int]:
    """With fewer tasks than workers, make a brief's DOCX beside its PDF instead of after it: take it out of its
    task into one of its own, with the fit an earlier build kept, else the one most briefs take (the house
    style's gaps, its tables' column widths: `render.guess_fit`); `run_jobs` makes it again should the PDF
    take another. A DOCX without its PDF in the build and without a
    kept fit is made so beside a task that only finds its fit. Return {DOCX job: its PDF job, or None where
    a task finds the fit} for each DOCX so made."""
    guessed: dict[int, int | None] = {}
    for n, (indexes, _) in enumerate(list(groups)):
        if len(groups) >= workers:
            break
        pdf = next((i for i in indexes if jobs[i].format == "pdf"), None)
        docx = next((i for i in indexes if jobs[i].format == "docx"), None)
        if docx is None or pdf is None and jobs[docx].fit is not None:
            continue  # nothing to make beside it, or a DOCX whose fit is known
        if pdf is not None:
            indexes.remove(docx)
            fit = jobs[docx].fit
            groups.append(([docx], fit if fit is not None else GUESS))
        else:  # the DOCX stays in its task, with the guessed fit; another task finds the true one
            groups[n] = (indexes, GUESS)
            groups.append(([docx], FIT_ONLY))
        guessed[docx] = pdf
    return guessed


def _stem(job: Job) -> str:
    return os.path.splitext(job.path)[0]
