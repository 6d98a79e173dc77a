"""`briefing serve`: a live preview of every brief × audience, as HTML and PDF, rendered in memory again within a
second of each saved change to the project, and pushed to the open pages over server-sent events.

The stack is the standard library's ThreadingHTTPServer (one thread per connection, so each page's event
stream can wait for the next change) with watchfiles watching the project's files. It is read-only: it writes
nothing, anywhere; it answers from a fixed routing table, and a request can name only what is held in memory
(the rendered briefs and the preview's own assets), never a path on disk; no request runs template code.
"""

from __future__ import annotations

import hashlib
import http.server
import ipaddress
import json
import os
import re
import socket
import sys
import threading
import traceback
from dataclasses import dataclass, field
from importlib import resources
from typing import Callable
from urllib.parse import parse_qs, quote, unquote, urlsplit

from briefing.errors import InputError, Problem
from briefing.render.html import text

LOOPBACK = "127.0.0.1"
"""Where the preview listens unless told otherwise: only this machine can reach it."""
QUIET_MS = 50
"""A change is rendered once no other has come for this long (a save may write several files)..."""
GROUP_MS = 500
"""...or this long after the first, if changes keep coming."""
KEEPALIVE_S = 15
"""An event stream with nothing to say sends a comment this often, so a closed page is noticed."""
ASSETS = {"live.js": "text/javascript; charset=utf-8", "preview.css": "text/css; charset=utf-8"}
"""The preview's own files (briefing/assets/), read once when the server starts."""
TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}
"""The formats the preview renders, with their content types."""


@dataclass(frozen=True)
class Pair:
    """One brief for one audience, as the index lists it."""

    brief: str
    """The brief's name (its file name)."""
    audience: str
    """The audience's name."""
    title: str
    """The brief's title, as shown to readers."""
    label: str
    """The audience, as shown to readers."""

    def file(self, fmt: str) -> str:
        """The name of its file in `fmt`, as `build` names it."""
        return f"{self.brief}.{self.audience}.{fmt}"


@dataclass(frozen=True)
class Snapshot:
    """What the preview shows at one moment; replaced whole, never changed."""

    generation: int = 0
    """Counts the changes: an event stream sends each one."""
    files: dict = field(default_factory=dict)
    """File name -> (bytes, version): the last good rendering of each brief × audience in each format."""
    pairs: tuple = ()
    """Every brief × audience of the last good composition, in build order."""
    problems: tuple = ()
    """The problems of the last attempt (empty when it succeeded)."""
    busy: bool = False
    """Rendering now."""

    def event(self) -> str:
        """The snapshot as the JSON an event carries: everything but the files' bytes."""
        return json.dumps({
            "generation": self.generation, "busy": self.busy,
            "problems": [{"text": _where(p), "hint": p.hint} for p in self.problems],
            "versions": {name: version for name, (_, version) in self.files.items()},
            "pairs": pairs_version(self.pairs)}, ensure_ascii=True)


def _where(p: Problem) -> str:
    """`file:line:column: message`, without the hint."""
    return str(Problem(p.file, p.line, p.column, p.message))


def pairs_version(pairs) -> str:
    """A short digest of the list of briefs × audiences: the index reloads when it changes."""
    return hashlib.sha256(repr([(p.brief, p.audience, p.title, p.label) for p in pairs]).encode()).hexdigest()[:16]


class State:
    """The current snapshot, and a way to wait for the next one."""

    def __init__(self):
        self._snapshot = Snapshot()
        self._changed = threading.Condition()
        self.closed = False
        """Set when the server stops: every waiting stream ends."""
        self.viewers: dict[str, int] = {}
        """File name -> pages open on it now: their PDFs are rendered first."""

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def update(self, **changes) -> None:
        """Replace the snapshot with one changed so, and wake every waiting stream."""
        with self._changed:
            old = self._snapshot
            self._snapshot = Snapshot(**{**old.__dict__, **changes, "generation": old.generation + 1})
            self._changed.notify_all()

    def wait(self, generation: int, timeout: float) -> Snapshot:
        """Return the snapshot once it is newer than `generation`, or the current one after `timeout` seconds."""
        with self._changed:
            self._changed.wait_for(lambda: self._snapshot.generation != generation or self.closed, timeout)
            return self._snapshot

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()

    def viewing(self, name: str, change: int) -> None:
        """Count a page opened (+1) or closed (-1) on file `name`."""
        with self._changed:
            count = self.viewers.get(name, 0) + change
            if count > 0:
                self.viewers[name] = count
            else:
                self.viewers.pop(name, None)

    def watched_first(self, names: list[str]) -> list[int]:
        """The indexes of `names` in the order to render them: the files open in a page first."""
        with self._changed:
            return sorted(range(len(names)), key=lambda i: -self.viewers.get(names[i], 0))

    def viewed(self, name: str) -> bool:
        """Whether a page is open on file `name`."""
        with self._changed:
            return name in self.viewers


# -- rendering --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sources:
    """Where a project's inputs are, to load it and to watch it."""

    load: Callable
    """Returns the loaded project; raises InputError."""
    recursive: tuple = ()
    """Folders whose every file is an input (the templates)."""
    flat: tuple = ()
    """Folders whose files directly inside may be inputs (the fact base's, the project file's)."""


class Renderer:
    """Renders the project into the state: at once, then again after each change the watcher reports. HTML first
    (quick), then the PDFs one by one, given up as soon as another change arrives."""

    def __init__(self, state: State, sources: Sources, on_loaded: Callable | None = None):
        self.state = state
        self.sources = sources
        self.on_loaded = on_loaded
        """Called with each project loaded (the watcher follows the folders it names)."""
        self.dirty = threading.Event()
        """Set by the watcher: something changed since the rendering began."""
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="briefing-render", daemon=True)

    def start(self) -> None:
        self.dirty.set()
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.dirty.set()
        self.thread.join(timeout=30)

    def changed(self) -> None:
        """Tell the renderer that an input changed."""
        self.dirty.set()

    def _run(self) -> None:
        while True:
            self.dirty.wait()
            if self.stopping.is_set():
                return
            self.dirty.clear()
            self.render_once()

    def render_once(self) -> None:
        """Render every brief × audience as HTML, then as PDF, into the state; problems go there too."""
        self.state.update(busy=True)
        try:
            self._render()
        except InputError as e:
            self.state.update(problems=tuple(e.problems), busy=False)
        except Exception as e:  # a bug: its traceback goes to the terminal, the page says what happened
            traceback.print_exc(file=sys.stderr)
            bug = Problem("briefing", 0, 0, f"an internal error stopped the preview ({type(e).__name__}: {e})",
                          "the traceback is in the terminal that runs `briefing serve`; please report it")
            self.state.update(problems=(bug,), busy=False)

    def _render(self) -> None:
        from briefing.build import build_time, page_limit_problems
        from briefing.render import writer_class

        project = self.sources.load()
        if self.on_loaded is not None:
            self.on_loaded(project)
        planned = project.plan([], [])
        when = build_time(project.facts)
        html = writer_class("html")(project.style)
        # The briefs open in a page first, so that the one being edited shows at once; then the others.
        names = [f"{brief.name}.{audience.name}.html" for brief, audience in planned]
        order = self.state.watched_first(names)
        viewed = [i for i in order if self.state.viewed(names[i])]
        made: dict[int, tuple] = {}
        for part in (viewed, [i for i in order if i not in viewed]):
            if part is not viewed and viewed and self.dirty.is_set():  # another change came: render that instead
                return
            for i, item in zip(part, self._compose(project, [planned[i] for i in part]), strict=True):
                made[i] = item
            files = dict(self.state.snapshot.files)
            for i in part:
                pair, doc, _ = made[i]
                files[pair.file("html")] = _versioned(html.render(doc, when))
            self.state.update(files=files)
        pairs = [made[i][0] for i in range(len(planned))]
        current = {p.file(fmt) for p in pairs for fmt in TYPES}
        files = {name: value for name, value in self.state.snapshot.files.items() if name in current}
        self.state.update(files=files, pairs=tuple(pairs), problems=(), busy=True)

        pdf = writer_class("pdf")(project.style)
        pages = {}
        for i in self.state.watched_first([pair.file("pdf") for pair in pairs]):
            if self.dirty.is_set():  # another change came: render that instead
                return
            pair, doc, _ = made[i]
            files = dict(self.state.snapshot.files)
            files[pair.file("pdf")] = _versioned(pdf.render(doc, when))
            pages[pair.file("pdf")] = pdf.pages
            self.state.update(files=files)
        # (no PDF is passed: build's page_limit_problems would leave each over-long one in a folder for the user)
        limits = page_limit_problems([made[i][2] for i in range(len(planned))], pages)
        self.state.update(problems=tuple(limits), busy=False)

    @staticmethod
    def _compose(project, planned: list) -> list[tuple]:
        """(pair, document, its PDF's build job) of each brief × audience in `planned`."""
        from briefing.build import compose_pairs, plan_jobs
        from briefing.parse import parse

        jobs = plan_jobs(project, planned, compose_pairs(project, planned), ["pdf"], "") if planned else []
        return [(Pair(brief.name, audience.name, job.meta.title, job.meta.audience), parse(job.markdown, job.meta),
                 job) for (brief, audience), job in zip(planned, jobs, strict=True)]


def _versioned(data: bytes) -> tuple[bytes, str]:
    return data, hashlib.sha256(data).hexdigest()[:16]


# -- watching ---------------------------------------------------------------------------------------


class Watcher:
    """Watches the project's folders with watchfiles and tells the renderer of each change; follows the folders of
    each project loaded (a project file naming another templates folder)."""

    def __init__(self, on_change: Callable[[], None]):
        self.on_change = on_change
        self.folders: tuple = ((), ())
        """(recursive, flat) folders watched now."""
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def follow(self, recursive, flat) -> None:
        """Watch these folders (every file below `recursive`, the files directly inside `flat`) instead."""
        folders = (tuple(sorted(set(recursive))), tuple(sorted(set(flat) - set(recursive))))
        with self._lock:
            if folders == self.folders and all(t.is_alive() for t in self._threads):
                return
            self._halt()
            self.folders = folders
            self._stop = threading.Event()
            for paths, deep in ((folders[0], True), (folders[1], False)):
                if paths:
                    t = threading.Thread(target=self._watch, args=(paths, deep, self._stop), daemon=True,
                                         name="briefing-watch")
                    t.start()
                    self._threads.append(t)

    def _watch(self, paths, recursive: bool, stop: threading.Event) -> None:
        import watchfiles

        existing = [p for p in paths if os.path.isdir(p)]
        if not existing:
            return
        try:
            for _ in watchfiles.watch(*existing, recursive=recursive, debounce=GROUP_MS, step=QUIET_MS,
                                      stop_event=stop, rust_timeout=1000, yield_on_timeout=False,
                                      raise_interrupt=False):
                self.on_change()
        except (OSError, RuntimeError):  # a folder removed while watched: rendering again reports it missing,
            self.on_change()             # and the next project loaded watches it again once it is back

    def _halt(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=5)
        self._threads = []

    def stop(self) -> None:
        with self._lock:
            self._halt()


# -- the server -----------------------------------------------------------------------------------


def _page(title: str, body: str, attrs: str = "", live: bool = True) -> bytes:
    """A preview page: its title, the preview's style sheet and (for a `live` page) its script, and `body`."""
    script = '<script src="/_assets/live.js" defer></script>\n' if live else ""
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{text(title)}</title>\n'
            f'<link rel="stylesheet" href="/_assets/preview.css">\n{script}'
            f"</head>\n<body{attrs}>\n{body}\n</body>\n</html>\n").encode("utf-8")


def _problems(snapshot: Snapshot) -> str:
    items = "".join(f'<li><code>{text(_where(p))}</code>'
                    + (f'<span class="hint">{text(p.hint)}</span>' if p.hint else "") + "</li>"
                    for p in snapshot.problems)
    hidden = "" if snapshot.problems else " hidden"
    return (f'<section id="problems" aria-labelledby="problems-heading"{hidden}>\n'
            '<h2 id="problems-heading">Problems: the preview shows the last good version</h2>\n'
            f"<ul>{items}</ul>\n</section>")


def _status(snapshot: Snapshot) -> str:
    words = "Rendering…" if snapshot.busy else "Problems: showing the last good version" if snapshot.problems \
        else "Up to date"
    return f'<p id="status" role="status">{words}</p>'


def index_page(snapshot: Snapshot) -> bytes:
    """The index: every brief × audience, each with its HTML and PDF preview."""
    rows = []
    for p in snapshot.pairs:
        links = " · ".join(f'<a href="/preview/{quote(p.file(fmt))}">{fmt.upper()}</a>' for fmt in TYPES)
        rows.append(f'<tr><th scope="row">{text(p.title)} <span class="name">({text(p.brief)})</span></th>'
                    f'<td>{text(p.label)} <span class="name">({text(p.audience)})</span></td><td>{links}</td></tr>')
    table = ('<table>\n<caption>Every brief for each of its audiences</caption>\n<thead><tr><th scope="col">Brief'
             '</th><th scope="col">Audience</th><th scope="col">Preview</th></tr></thead>\n<tbody>\n'
             + "\n".join(rows) + "\n</tbody>\n</table>") if rows else \
        '<p class="waiting">No brief has been composed yet.</p>'
    body = (f'<header class="bar"><p>briefing preview</p>{_status(snapshot)}</header>\n{_problems(snapshot)}\n'
            f'<main class="index">\n<h1>Briefs</h1>\n{table}\n</main>')
    return _page("Briefs: preview", body, f' data-pairs="{pairs_version(snapshot.pairs)}"')


def preview_page(snapshot: Snapshot, name: str) -> bytes | None:
    """The preview of one file (`brief.audience.html` or `.pdf`) around the file itself; None if unknown."""
    pair = next((p for p in snapshot.pairs for fmt in TYPES if p.file(fmt) == name), None)
    if pair is None:
        return None
    fmt = name.rsplit(".", 1)[1]
    other = "pdf" if fmt == "html" else "html"
    described = f"{pair.title} for {pair.label}"
    nav = (f'<nav aria-label="Preview"><a href="/">All briefs</a> · <a href="/preview/{quote(pair.file(other))}">'
           f'{other.upper()}</a> · <a href="/brief/{quote(name)}">The {fmt.upper()} file</a></nav>')
    current = snapshot.files.get(name)
    if current is None:
        shown = ('<p class="waiting">Rendering this brief…</p>' if not snapshot.problems else
                 '<p class="waiting">No version of this brief has been rendered yet: see the problems above.</p>')
    else:
        shown = (f'<iframe id="brief" title="{text(described)} ({fmt.upper()})" src="/brief/{quote(name)}" '
                 f'data-src="/brief/{quote(name)}"></iframe>')
    heading = f"<h1>{text(described)} ({fmt.upper()})</h1>"
    body = (f'<header class="bar">{heading}{nav}{_status(snapshot)}</header>\n{_problems(snapshot)}\n'
            f"<main>\n{shown}\n</main>")
    version = current[1] if current else ""
    return _page(f"{described} ({fmt.upper()}): preview", body, f' data-file="{text(name)}" data-version="{version}"')


def not_found_page(snapshot: Snapshot) -> bytes:
    """What any path outside the served set gets: the list of what is served."""
    links = "".join(f'<li><a href="/preview/{quote(p.file("html"))}">{text(p.title)}, for {text(p.label)}</a></li>'
                    for p in snapshot.pairs)
    body = ('<header class="bar"><nav aria-label="Preview"><a href="/">All briefs</a></nav></header>\n'
            '<main class="index">\n<h1>Not found</h1>\n<p>The preview serves the briefs of this project, each as HTML '
            'and PDF, and nothing else: no file of the project is served as it is.</p>\n'
            + (f"<ul>{links}</ul>" if links else "") + "\n</main>")
    return _page("Not found: preview", body, live=False)


PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; frame-src 'self'; "
               "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
"""What the preview's own pages may load: their script and style sheet, the event stream, the brief in a frame."""
BRIEF_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; "
                "frame-ancestors 'self'")
"""What a rendered brief may load: nothing but its own style and images (its meta element says the same)."""


class Handler(http.server.BaseHTTPRequestHandler):
    """Answers GET and HEAD from the fixed routing table (`ROUTES`); anything else is 404 or 405."""

    server: "PreviewServer"
    server_version = "briefing-serve"
    sys_version = ""

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def _not_allowed(self) -> None:
        self._send(405, b"Only GET and HEAD are answered here.\n", "text/plain; charset=utf-8",
                   {"Allow": "GET, HEAD"})

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _not_allowed

    def log_message(self, format: str, *args) -> None:  # the terminal shows problems, not every request
        pass

    def _answer(self, head: bool) -> None:
        if not self.server.host_allowed(self.headers.get("Host", "")):
            self._send(421, b"This preview answers only requests addressed to its own host name.\n",
                       "text/plain; charset=utf-8", head=head)
            return
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        for pattern, route in ROUTES:
            match = pattern.fullmatch(path)
            if match:
                route(self, unquote(match.group(1)) if match.groups() else None, head)
                return
        self._not_found(head)

    def _not_found(self, head: bool) -> None:
        self._send(404, not_found_page(self.server.state.snapshot), TYPES["html"],
                   {"Content-Security-Policy": PAGE_POLICY}, head=head)

    def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None,
              head: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    # -- routes -------------------------------------------------------------------------------------

    def index(self, _, head: bool) -> None:
        self._send(200, index_page(self.server.state.snapshot), TYPES["html"],
                   {"Content-Security-Policy": PAGE_POLICY}, head)

    def preview(self, name: str, head: bool) -> None:
        page = preview_page(self.server.state.snapshot, name)
        if page is None:
            self._not_found(head)
        else:
            self._send(200, page, TYPES["html"], {"Content-Security-Policy": PAGE_POLICY}, head)

    def brief(self, name: str, head: bool) -> None:
        found = self.server.state.snapshot.files.get(name)
        if found is None:
            self._not_found(head)
            return
        fmt = name.rsplit(".", 1)[1]
        headers = {"ETag": f'"{found[1]}"', "Content-Security-Policy": BRIEF_POLICY}
        if fmt == "pdf":
            headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(name)}"
        self._send(200, found[0], TYPES[fmt], headers, head)

    def asset(self, name: str, head: bool) -> None:
        self._send(200, self.server.assets[name], ASSETS[name], {}, head)

    def events(self, _, head: bool) -> None:
        """A stream of server-sent events: the state now, then each new one, until the page goes away."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if head:
            return
        state = self.server.state
        snapshot, sent = state.snapshot, -1
        viewed = parse_qs(urlsplit(self.path).query).get("file", [""])[0]
        state.viewing(viewed, +1)
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while not state.closed:
                if snapshot.generation != sent:
                    self.wfile.write(f"event: state\ndata: {snapshot.event()}\n\n".encode("utf-8"))
                    sent = snapshot.generation
                else:
                    self.wfile.write(b": still here\n\n")
                self.wfile.flush()
                snapshot = state.wait(sent, KEEPALIVE_S)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            pass  # the page was closed or reloaded
        finally:
            state.viewing(viewed, -1)


ROUTES = [
    (re.compile(r"/"), Handler.index),
    (re.compile(r"/events"), Handler.events),
    (re.compile(r"/_assets/(live\.js|preview\.css)"), Handler.asset),
    (re.compile(r"/preview/([^/]+)"), Handler.preview),
    (re.compile(r"/brief/([^/]+)"), Handler.brief),
]
"""Every path the preview answers: a pattern and its route. A name captured is looked up among what is held in
memory (the assets read at start, the rendered files by their exact names), so no path reaches the file system."""


def is_loopback(host: str) -> bool:
    """True for an address or name of this machine alone (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class PreviewServer(http.server.ThreadingHTTPServer):
    """The HTTP server: one thread per connection, each event stream waiting in its own."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: State):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)
        self.state = state
        self.assets = {name: resources.files("briefing").joinpath(f"assets/{name}").read_bytes() for name in ASSETS}
        """The preview's own files, read once."""
        self.loopback = is_loopback(address[0])
        """Listening on loopback only: then requests must name a loopback host, so that no web page can reach the
        preview under a name of its own (DNS rebinding)."""

    def host_allowed(self, host: str) -> bool:
        if not self.loopback:
            return True
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return is_loopback(name)


class Preview:
    """The whole preview: state, renderer, watcher and server, started together and stopped together."""

    def __init__(self, sources: Sources, host: str = LOOPBACK, port: int = 8000):
        self.state = State()
        self.watcher = Watcher(self._changed)
        self.renderer = Renderer(self.state, sources, self._loaded)
        self.sources = sources
        self.server = PreviewServer((host, port), self.state)
        self._serving: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}/"

    def _changed(self) -> None:
        self.renderer.changed()

    def _loaded(self, project) -> None:
        if getattr(project, "locations", None) is not None:
            self.watcher.follow(*watched(project.locations))

    def start(self) -> "Preview":
        """Render, watch and serve in background threads; return at once."""
        self.watcher.follow(self.sources.recursive, self.sources.flat)
        self.renderer.start()
        self._serving = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2},
                                         name="briefing-serve", daemon=True)
        self._serving.start()
        return self

    def close(self) -> None:
        self.state.close()
        self.server.shutdown()
        self.server.server_close()
        self.watcher.stop()
        self.renderer.stop()

    def __enter__(self) -> "Preview":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()


def watched(where) -> tuple[tuple, tuple]:
    """(recursive, flat): the folders to watch for a project at `where` (briefing.project.Locations): every file
    below its templates; the files directly inside its own folder (briefing.yaml) and its fact base's."""
    flat = [where.root] + [os.path.dirname(f) or "." for f in where.fact_files]
    return (os.path.abspath(where.templates),), tuple(os.path.abspath(f) for f in flat)


def sources(directory: str | None = None, facts: str | None = None, templates: str | None = None) -> Sources:
    """The sources of the project found as every command finds it (-C DIR, else upward from here; --facts and
    --templates instead of its own). The project file is read again at each load, so an edit to it counts."""
    from briefing.project import Project, find

    def load():
        return Project.open(find(directory, facts, templates))

    try:
        return Sources(load, *watched(find(directory, facts, templates)))
    except InputError:  # a broken project file: watch the folder it is in, and show its problems on the page
        return Sources(load, (), (os.path.abspath(directory or "."),))


def serve(found: Sources, host: str = LOOPBACK, port: int = 8000, say=print) -> int:
    """Run the preview until interrupted (Ctrl-C); `say` prints what the user should know. Return 0."""
    import time

    from briefing.errors import EnvironmentFailure

    try:
        preview = Preview(found, host, port)
    except OSError as e:
        raise EnvironmentFailure(f"cannot listen on {host} port {port}: {e.strerror or e}",
                                 "pass another --port (--port 0 takes any free one)") from None
    with preview:
        try:  # from the moment the address is printed, Ctrl-C stops the preview cleanly
            say(f"briefing serve: the briefs are at {preview.url} (Ctrl-C stops)")
            if not is_loopback(host):
                say(f"briefing serve: listening on {host}: anyone who can reach this machine on port "
                    f"{preview.server.server_address[1]} can read every brief of this project, with no password "
                    "and no encryption")
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            say("briefing serve: stopped")
    return 0
