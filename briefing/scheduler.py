"""Render a build's jobs, in worker processes when there are several cores: PDFs first, then each DOCX with the
paragraph gaps its PDF was fitted with; the same bytes whichever process renders a job."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefing.errors import InputError

if TYPE_CHECKING:
    import datetime as _dt

    from briefing.build import Job
    from briefing.style import Style


@dataclass
class Rendered:
    """One job's file: its bytes, and for a PDF its page count and the page of each note; for a PDF or DOCX the
    paragraph gaps it was fitted with."""

    data: bytes
    pages: int | None = None
    page_of_note: dict | None = None
    gaps: float | None = None


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


def _render_job(item: tuple[int, float | None]) -> Rendered | Failed:
    """Return the file of job `item[0]`, or the problems of its bad input (Failed). A DOCX is rendered with the
    fit its PDF was laid out with: the one made in this build (`item[1]`), else the one an earlier build kept
    (`job.fit`), else one found by laying the PDF out here; its Rendered says which fit it used."""
    index, gaps = item
    job: Job = _state.jobs[index]
    if gaps is None:
        gaps = job.fit
    if job.format == "md":
        return Rendered(job.markdown.encode("utf-8"))
    from briefing.parse import parse

    try:
        doc = parse(job.markdown, job.meta)
        writer = _writer(job.format)
        if job.format == "docx":
            from briefing.layout import Fit, fit

            known = Fit(gaps) if gaps is not None else fit(doc, writer.layout, _writer("pdf"))
            return Rendered(writer.render(doc, _state.when, fit=known), gaps=known.gaps)
        data = writer.render(doc, _state.when)
    except InputError as e:
        return Failed(e.problems)
    if job.format == "pdf":
        return Rendered(data, writer.pages, dict(writer.page_of_note), writer.gaps)
    return Rendered(data)


def _writer(fmt: str):
    """The writer of this build for `fmt`, made when first needed."""
    if fmt not in _state.writers:
        from briefing.render import writer_class

        cls = writer_class(fmt)
        _state.writers[fmt] = cls(_state.style, _state.reference_docx) if fmt == "docx" else cls(_state.style)
    return _state.writers[fmt]


_WEIGHT = {"pdf": 3, "docx": 2, "html": 1, "md": 0}
"""Rough cost of rendering a character of Markdown in each format, to hand out the longest jobs first."""



def run_jobs(jobs: list[Job], style: Style, when: _dt.datetime, workers: int = 1,
             reference_docx: str | None = None) -> list[Rendered]:
    """Return each job's file, rendered in up to `workers` processes; the same bytes as one process gives.
    Raise InputError with the problems of every job that failed."""
    state = _State(jobs, when, style, reference_docx, {})
    _init(state)
    # The writers (fonts, styles) and the parser are made before the workers are forked, so each starts with them.
    for fmt in dict.fromkeys(j.format for j in jobs):
        if fmt != "md":
            _writer(fmt)
    if any(j.format != "md" for j in jobs):
        import briefing.parse  # noqa: F401
    # PDFs first: a DOCX takes the paragraph gaps its PDF was laid out with, so both break pages alike.
    first = [i for i, j in enumerate(jobs) if j.format != "docx"]
    then = [i for i, j in enumerate(jobs) if j.format == "docx"]
    done: dict[int, Rendered | Failed] = {}
    try:
        workers = min(workers, len(jobs))
        if workers > 1 and hasattr(os, "fork"):
            import multiprocessing

            # Forked after the fonts and modules are loaded, so each worker starts with them. The longest jobs
            # go first, so that no worker is left with a long one at the end.
            with multiprocessing.get_context("fork").Pool(workers, initializer=_init, initargs=(state,)) as pool:
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
        _init(None)
    results = [done[i] for i in range(len(jobs))]
    problems = [p for r in results if isinstance(r, Failed) for p in r.problems]
    if problems:
        raise InputError(problems)
    return results


def _stem(job: Job) -> str:
    return os.path.splitext(job.path)[0]


def _gaps(jobs: list[Job], done: dict[int, Rendered | Failed]) -> dict[str, float]:
    """The paragraph gaps of each PDF made so far, by brief and audience (the path without its extension);
    the house style's own for a PDF that failed (its problem is reported once, by its own job)."""
    return {_stem(jobs[i]): (r.gaps if isinstance(r, Rendered) else 1.0) for i, r in done.items()
            if jobs[i].format == "pdf"}
