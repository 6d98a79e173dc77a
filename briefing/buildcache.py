"""What a build has made before: digests of its inputs and the output folder's manifest, so that a build
remakes only the files whose inputs changed, and a request whose inputs did not change at all starts nothing."""

from __future__ import annotations

import hashlib
from dataclasses import asdict

from briefing.digests import digest
import json
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as _dt

    from briefing.project import Locations, Project

MANIFEST = ".briefing-build.json"
"""The file in the output folder recording each output's key, so that the next build can skip it."""


def file_digest(path: str | None) -> str:
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


_program: str | None = None


def program_digest() -> str:
    """Digest of this program's source and of the installed libraries that write the files: taken once per
    process (a build asks twice), as the code it runs is the code it loaded."""
    global _program
    if _program is None:
        _program = _program_digest()
    return _program


def _program_digest() -> str:
    from importlib.util import find_spec

    here = os.path.dirname(os.path.abspath(__file__))
    parts = []
    for folder, dirs, files in os.walk(here):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".py", ".css", ".js")):  # the HTML's style sheet (briefing/assets) too
                with open(os.path.join(folder, name), "rb") as f:
                    parts.append((os.path.relpath(os.path.join(folder, name), here), f.read()))
    for module in ("reportlab", "docx", "uharfbuzz", "markdown_it", "mdit_py_plugins", "lxml"):
        spec = find_spec(module)
        origin = spec.origin if spec else None
        # An upgrade rewrites the package's files: their size and time stand in for its version.
        st = os.stat(origin) if origin and os.path.exists(origin) else None
        parts.append((module, origin, st and (st.st_size, st.st_mtime_ns)))
    return digest(parts)


def renderer_digest(project: Project, reference_docx: str | None, when: _dt.datetime) -> str:
    """Digest of what the renderers read besides the composed brief: house style, its fonts and files,
    the reference document, the time written into the files and the program itself."""
    style = project.style
    fonts = sorted((str(k), v) for k, v in style.font_files.items())
    # Font files are large and change only when installed again, which gives them a new time: their size and
    # time stand in for their bytes. The style's values count, not where they stand in its file.
    values = {k: v for k, v in asdict(style).items() if k not in ("path", "positions", "font_files")}
    return digest(sorted(values.items()), fonts, _stats([v for _, v in fonts if v]),
                   [file_digest(p) for p in style.files()], file_digest(reference_docx), when.isoformat(),
                   program_digest())

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


def intact(path: str, entry: dict) -> bool:
    """The file at `path` is still the one the manifest entry describes."""
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest() == entry.get("sha256")
    except OSError:
        return False


def request_digest(where: Locations, reference_docx: str | None, request: list) -> str:
    """Digest of a build request and of the files it reads that people edit: the project file, the fact base,
    every file in the templates folder, the reference document, SOURCE_DATE_EPOCH and the program. Taken
    before loading them; OSError when one cannot be read (loading the project then says why)."""
    templates = where.templates
    parts = [request, os.environ.get("SOURCE_DATE_EPOCH", ""), program_digest(), file_digest(where.project_file),
             [file_digest(f) for f in where.fact_files], where.corpus, file_digest(reference_docx)]
    for folder, dirs, files in os.walk(templates):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                parts.append((os.path.relpath(path, templates), file_digest(path)))
    return digest(parts)


def _stats(paths: list[str]) -> list:
    found = []
    for path in paths:
        try:
            st = os.stat(path)
            found.append((path, st.st_size, st.st_mtime_ns))
        except OSError:
            found.append((path, None))
    return found


def request_record(request: str, project: Project, names: list[str]) -> dict:
    """What this request read and wrote, for the manifest, so that `up_to_date` can compare next time."""
    style = project.style
    files = sorted(p for p in style.font_files.values() if p)
    files += style.files()
    if project.corpus:  # the texts every printed quote was verified against
        files += sorted({os.path.join(project.corpus, s.file) for s in project.facts.sources.values()})
    return {"request": request, "files": files, "digest": digest(request, _stats(files)), "outputs": sorted(names)}


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
    if digest(request, _stats([str(f) for f in files])) != inputs.get("digest"):
        return None
    entries = manifest["outputs"]
    for name in names:
        entry = entries.get(name) if isinstance(name, str) else None
        if not isinstance(entry, dict) or not intact(os.path.join(out, name), entry):
            return None
    return names

