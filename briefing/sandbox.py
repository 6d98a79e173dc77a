"""The Jinja2 sandbox that briefs are composed in, bounded in size, time, depth and what it may print or read."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import marshal
import os
import re
import signal
import stat
import string
import sys
import tempfile
import threading
import time
from typing import Any, Callable

import jinja2
from jinja2 import BaseLoader, BytecodeCache, TemplateNotFound, TemplateRuntimeError, Undefined
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import Namespace

from briefing.inputs import FILE_LIMIT, read_text
from briefing.mdtext import CONTROL

MAX_STRING = 8 * 1024 * 1024
"""Characters in any one string a template makes."""
MAX_ITEMS = 1_000_000
"""Items in any one list, tuple or dict a template makes."""
MAX_OUTPUT = 8 * 1024 * 1024
"""Characters of composed Markdown per brief."""
MAX_WIDTH = 1000
"""Width or precision in a format specification ('{:>20}', '%.2f')."""
MAX_DEPTH = 100
"""Nested macro calls."""
MAX_SECONDS = 5.0
"""Time to compose one brief."""
MAX_LIPSUM = 50
"""Paragraphs of lipsum()."""


class LimitError(TemplateRuntimeError):
    """A template went past one of the sandbox's limits."""


class TemplateTimeout(LimitError):
    """A brief took longer than its time limit to compose."""


class OutsideError(TemplateRuntimeError):
    """A template name that leads outside the templates folder, or is written with backslashes."""


class TemplatesLoader(BaseLoader):
    """Loads templates from one folder only: no '..', no backslashes, no symbolic links leading out of it;
    every file read through briefing.inputs (regular files, bounded size, UTF-8)."""

    def __init__(self, root: str):
        self.shown = root
        """The folder as messages name it; a template's file name is its path under it."""
        self.root = os.path.abspath(root)
        self.real_root = os.path.realpath(self.root)
        self.names: dict[str, str] = {}
        """Each template's name by its file name as shown (the file name its compiled code carries)."""

    def get_source(self, environment, template: str):
        if "\\" in template:
            raise OutsideError(f"template name {template!r} uses a backslash; write folders with '/', "
                               f"e.g. {template.replace(chr(92), '/')!r}")
        parts = template.split("/")
        if template.startswith("/") or any(p in ("", ".", "..") for p in parts) or "\0" in template:
            raise OutsideError(f"template name {template!r} must be a path inside the templates folder, "
                               "without '..', '.' or a leading '/'")
        path = os.path.join(self.root, *parts)
        if not os.path.lexists(path):
            raise TemplateNotFound(template)
        real = os.path.realpath(path)
        if not real.startswith(self.real_root + os.sep):
            raise OutsideError(f"template {template!r} is a symbolic link leading outside the templates folder "
                               f"(to {real})")
        shown = os.path.normpath(os.path.join(self.shown, *parts))
        source = read_text(path, shown, FILE_LIMIT)
        self.names[shown] = template
        mtime = os.path.getmtime(path)
        return source, shown, lambda: os.path.exists(path) and os.path.getmtime(path) == mtime


_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _check_format(spec_source: str) -> None:
    """Refuse a str.format string whose widths or precisions are too large, or that nests fields in specs."""
    try:
        fields = list(string.Formatter().parse(spec_source))
    except ValueError:
        return  # str.format will raise its own, clearer error
    for _, name, spec, _ in fields:
        if not spec:
            continue
        if "{" in spec:
            raise LimitError(f"a format specification taken from a value ({spec!r}) is not allowed")
        if any(int(n) > MAX_WIDTH for n in re.findall(r"\d+", spec)):
            raise LimitError(f"a format width or precision over {MAX_WIDTH} ({spec!r})")


def _check_percent(fmt: str) -> None:
    for mo in _PERCENT_SPEC.finditer(fmt):
        for n in mo.groups():
            if n == "*":
                raise LimitError("a '%*' width taken from a value is not allowed")
            if n and int(n) > MAX_WIDTH:
                raise LimitError(f"a format width or precision over {MAX_WIDTH} ({mo.group()!r})")


def _check_size(value: Any) -> Any:
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            raise LimitError(f"a text of {len(value):,} characters; at most {MAX_STRING:,} are allowed")
    elif isinstance(value, (list, tuple, dict, set)) and len(value) > MAX_ITEMS:
        raise LimitError(f"a list of {len(value):,} items; at most {MAX_ITEMS:,} are allowed")
    return value


def _width(n: Any) -> None:
    if isinstance(n, int) and n > MAX_WIDTH:
        raise LimitError(f"a width of {n:,}; at most {MAX_WIDTH} is allowed")


def _replace_size(s: str, old: str, new: str, count: int = -1) -> int:
    times = (len(s) + 1 if old == "" else s.count(old)) if count is None or count < 0 else count
    return len(s) + times * max(0, len(new) - len(old))


class BoundedNamespace(Namespace):
    """`namespace()` whose attributes cannot grow past the sandbox's limits."""

    def __setitem__(self, name: str, value: Any) -> None:
        super().__setitem__(name, _check_size(value))


CACHE_ENV = "BRIEFING_CACHE_DIR"
"""The environment variable naming the folder compiled templates are kept in; empty turns the keeping off."""


def cache_folder() -> str | None:
    """The folder compiled templates are kept in between runs, as Python keeps .pyc files: $BRIEFING_CACHE_DIR,
    else $XDG_CACHE_HOME/briefing/templates, else ~/.cache/briefing/templates. None when it is turned off, cannot
    be written, or is a folder that another user could write or swap: compiled templates run as Python code, so
    the folder must be this user's, and every folder above it this user's or root's, writable by others only
    where it is sticky (as /tmp is: nobody may rename what is not theirs)."""
    folder = os.environ.get(CACHE_ENV)
    if folder is None:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = os.path.join(base, "briefing", "templates")
    if not folder:
        return None
    folder = os.path.abspath(folder)
    try:
        os.makedirs(folder, mode=stat.S_IRWXU, exist_ok=True)
        st = os.lstat(folder)
        if not stat.S_ISDIR(st.st_mode) or not _only_mine(st) or not os.access(folder, os.W_OK | os.X_OK):
            return None
        above = os.path.dirname(folder)
        while True:
            st = os.lstat(above)
            if not stat.S_ISDIR(st.st_mode) or st.st_uid not in (0, os.getuid()) or \
                    st.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not st.st_mode & stat.S_ISVTX:
                return None
            if os.path.dirname(above) == above:
                return folder
            above = os.path.dirname(above)
    except OSError:
        return None


def _only_mine(st: os.stat_result) -> bool:
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


class _CompiledTemplates(BytecodeCache):
    """Compiled templates kept in a folder (`cache_folder`), one file each, keyed by everything the compiled code
    depends on: the template's name and file name as shown (its code carries them), the Python and Jinja
    versions, the environment's options and sandbox, and each filter, test and finalize function, named and with
    the source of briefing's modules that define or wrap them (Jinja calls some of them while compiling and keeps
    what they return). Jinja checks the source's checksum on load. A file is written whole (a temporary file
    renamed); one that is not this user's, or cannot be read, is a miss; a folder that cannot be written turns
    the keeping off for the run. Nothing here ever fails a build."""

    def __init__(self, folder: str, environment: SandboxedEnvironment):
        self.folder = folder
        self.environment = environment
        self.writable = True
        self._fingerprint: tuple[tuple, str] = ((), "")

    def fingerprint(self) -> str:
        env = self.environment
        functions = sorted((kind, name, f) for kind, table in (("filter", env.filters), ("test", env.tests))
                           for name, f in table.items())
        functions.append(("finalize", "", env.finalize))
        shape = tuple((kind, name, id(f)) for kind, name, f in functions)
        if shape != self._fingerprint[0]:
            named, modules = [], {"briefing.sandbox", "briefing.compose", "briefing.mdtext"}
            for kind, name, f in functions:
                for g in (f, getattr(f, "__wrapped__", None)):
                    module = getattr(g, "__module__", None) or ""
                    code = getattr(g, "__code__", None)  # the function's own code, wherever it is defined
                    named.append((kind, name, module, getattr(g, "__qualname__", repr(g)),
                                  str(getattr(g, "jinja_pass_arg", "")),
                                  hashlib.sha256(marshal.dumps(code)).hexdigest() if code else ""))
                    if module.startswith("briefing"):
                        modules.add(module)
            sources = hashlib.sha256()
            for module in sorted(modules):
                path = getattr(sys.modules.get(module), "__file__", None)
                if path:
                    with open(path, "rb") as f:
                        sources.update(module.encode() + b"\0" + f.read() + b"\0")
            self._fingerprint = (shape, repr((
                sys.version, jinja2.__version__, type(env).__qualname__, sorted(env.intercepted_binops),
                sorted(env.intercepted_unops), sorted(env.extensions), named, sources.hexdigest(),
                env.block_start_string, env.block_end_string, env.variable_start_string, env.variable_end_string,
                env.comment_start_string, env.comment_end_string, env.line_statement_prefix,
                env.line_comment_prefix, env.trim_blocks, env.lstrip_blocks, env.newline_sequence,
                env.keep_trailing_newline, env.optimized, env.is_async, bool(env.autoescape),
                callable(env.autoescape))))
        return self._fingerprint[1]

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        key = "\0".join((self.fingerprint(), name, filename or ""))
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()

    def _path(self, bucket) -> str:
        return os.path.join(self.folder, f"{bucket.key}.jinja")

    def load_bytecode(self, bucket) -> None:
        try:
            fd = os.open(self._path(bucket), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return
        try:
            with os.fdopen(fd, "rb") as f:
                st = os.fstat(f.fileno())
                if stat.S_ISREG(st.st_mode) and _only_mine(st):
                    bucket.load_bytecode(f)
        except Exception:  # noqa: BLE001 - a damaged or cut-short file of ours: compiled again and rewritten
            bucket.reset()

    def dump_bytecode(self, bucket) -> None:
        if not self.writable:
            return
        path = self._path(bucket)
        try:
            fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
        except OSError:
            self.writable = False
            return
        try:
            with os.fdopen(fd, "wb") as f:
                bucket.write_bytecode(f)
            os.replace(temporary, path)
        except OSError:  # a full disk, a folder made read-only since: keep nothing more this run
            self.writable = False
            with contextlib.suppress(OSError):
                os.remove(temporary)


class BoundedEnvironment(SandboxedEnvironment):
    """A SandboxedEnvironment that stops a template going past its limits with a LimitError:
    string and list repetition, format widths, text size, macro depth and time per brief."""

    intercepted_binops = frozenset(("*", "**", "%", "+"))

    def __init__(self, templates: str, **options):
        super().__init__(loader=TemplatesLoader(templates), **options)
        self.deadline = float("inf")
        self.depth = 0
        self.timed_out = False
        self.seconds = MAX_SECONDS
        self.globals["namespace"] = BoundedNamespace
        self.globals["lipsum"] = self._lipsum
        safe_range = self.globals["range"]
        self.globals["range"] = lambda *args: self._ticking(safe_range(*args))
        self._wrap_filters()
        folder = cache_folder()
        if folder is not None:
            self.bytecode_cache = _CompiledTemplates(folder, self)

    # -- limits on operators, calls and filters ---------------------------------------------------

    def tick(self) -> None:
        """Raise TemplateTimeout once the brief's time is up."""
        if time.monotonic() > self.deadline:
            raise TemplateTimeout(f"the brief took more than {self.seconds:g} s to compose")

    def _ticking(self, items):
        for i, item in enumerate(items):
            if not i & 1023:
                self.tick()
            yield item

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        self.tick()
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and n > 0:
                    if len(seq) * n > (MAX_STRING if isinstance(seq, str) else MAX_ITEMS):
                        raise LimitError(f"repeating {len(seq):,} items {n:,} times goes past the sandbox's limit")
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and \
                    right * max(abs(left), 2).bit_length() > 64_000:
                raise LimitError(f"{left} ** {right} is too large a number")
        elif operator == "%" and isinstance(left, str):
            _check_percent(left)
        return _check_size(super().call_binop(context, operator, left, right))

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.tick()
        return super().getattr(obj, attribute)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
        __self.tick()
        target = getattr(__obj, "__wrapped__", __obj)
        owner = getattr(target, "__self__", None)
        name = getattr(target, "__name__", "")
        if isinstance(owner, str):
            if name in ("format", "format_map"):
                _check_format(owner)
            elif name in ("center", "ljust", "rjust", "zfill") and args:
                _width(args[0])
            elif name == "expandtabs":
                _width(args[0] if args else kwargs.get("tabsize", 8))
            elif name == "replace" and len(args) >= 2 and all(isinstance(a, str) for a in args[:2]):
                if _replace_size(owner, args[0], args[1], *args[2:3]) > MAX_STRING:
                    raise LimitError("replace() would make a text longer than the sandbox allows")
            elif name == "join" and args:
                items = list(args[0])
                _check_size(items)
                if sum(len(i) for i in items if isinstance(i, str)) + len(owner) * len(items) > MAX_STRING:
                    raise LimitError("join() would make a text longer than the sandbox allows")
                args = (items,) + args[1:]
        __self.depth += 1
        try:
            if __self.depth > MAX_DEPTH:
                raise LimitError(f"calls nested more than {MAX_DEPTH} deep (a macro that calls itself?)")
            result = super().call(__context, __obj, *args, **kwargs)
        finally:
            __self.depth -= 1
        if isinstance(owner, (list, dict, set)):
            _check_size(owner)
        return _check_size(result)

    def _lipsum(self, n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
        from jinja2.utils import generate_lorem_ipsum

        if not isinstance(n, int) or n > MAX_LIPSUM or not isinstance(max, int) or max > MAX_WIDTH:
            raise LimitError(f"lipsum() makes at most {MAX_LIPSUM} paragraphs of at most {MAX_WIDTH} words")
        return generate_lorem_ipsum(n, html, min, max)

    def _wrap_filters(self) -> None:
        def bounded(name: str, check: Callable) -> None:
            original = self.filters[name]

            @functools.wraps(original)  # keeps what Jinja's pass_context and pass_eval_context decorators set
            def wrapper(*args, **kwargs):
                check(*args, **kwargs)
                return _check_size(original(*args, **kwargs))

            self.filters[name] = wrapper

        def fmt(value, *args, **kwargs):
            _check_percent(str(value))

        def center(value, width=80):
            _width(width)

        def indent(s, width=4, *args, **kwargs):
            _width(width)
            _width(kwargs.get("width"))

        def replace(eval_ctx, s, old, new, count=None):
            if _replace_size(str(s), str(old), str(new), count) > MAX_STRING:
                raise LimitError("replace would make a text longer than the sandbox allows")

        def join(eval_ctx, value, d="", attribute=None):
            if isinstance(value, (list, tuple)) and \
                    sum(len(v) for v in value if isinstance(v, str)) + len(str(d)) * len(value) > MAX_STRING:
                raise LimitError("join would make a text longer than the sandbox allows")

        for name, check in (("format", fmt), ("center", center), ("indent", indent), ("replace", replace),
                            ("join", join)):
            bounded(name, check)

    # -- rendering ----------------------------------------------------------------------------------

    def render(self, template, context: dict) -> tuple[str, list[tuple[int, str, int]]]:
        """Return the template's output and, for each piece of it, (offset, template file, line).

        Stops with a LimitError once the output passes MAX_OUTPUT characters or MAX_SECONDS have passed."""
        # After one brief has run out of time, the others (which often share its templates) get a tenth.
        seconds = self.seconds = MAX_SECONDS / 10 if self.timed_out else MAX_SECONDS
        self.deadline = time.monotonic() + seconds
        self.depth = 0
        pieces: list[str] = []
        spans: list[tuple[int, str, int]] = []
        size = 0
        lines: dict[tuple[str, int], int] = {}
        with _alarm(seconds + 0.5, seconds):
            try:
                stream = template.generate(context)  # an error is re-raised with the template's lines in its traceback
                for piece in stream:
                    if piece:
                        spans.append((size, *self._origin(stream, lines)))
                        pieces.append(piece)
                        size += len(piece)
                        if size > MAX_OUTPUT:
                            raise LimitError(f"the brief's Markdown passed {MAX_OUTPUT:,} characters")
                    self.tick()
            except Exception as e:
                self.timed_out = self.timed_out or isinstance(e, TemplateTimeout)
                raise
        return "".join(pieces), spans

    def _origin(self, stream, lines: dict[tuple[str, int], int]) -> tuple[str, int]:
        """Return (template file, line) of the code that yielded the latest piece of a render stream: the
        innermost generator's frame is a template's compiled code, whose line Jinja maps back to the
        template's (`Template.get_corresponding_lineno`)."""
        gen = stream
        while getattr(gen, "gi_yieldfrom", None) is not None and hasattr(gen.gi_yieldfrom, "gi_frame"):
            gen = gen.gi_yieldfrom
        frame = getattr(gen, "gi_frame", None)
        if frame is None:
            return "", 0
        file, code_line = frame.f_code.co_filename, frame.f_lineno
        line = lines.get((file, code_line))
        if line is None:
            name = self.loader.names.get(file)
            line = lines[file, code_line] = self.get_template(name).get_corresponding_lineno(code_line) if name else 0
        return file, line


class _alarm:
    """A SIGALRM after `seconds` that raises TemplateTimeout, where signals can be used (the main thread)."""

    def __init__(self, seconds: float, limit: float):
        self.seconds = seconds
        self.limit = limit
        self.active = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")

    def __enter__(self):
        if self.active:
            def expired(signum, frame):
                raise TemplateTimeout(f"the brief took more than {self.limit:g} s to compose")

            self.previous = signal.signal(signal.SIGALRM, expired)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *exc):
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
        return False


class NotPrintable(TemplateRuntimeError):
    """A template printed something that is not text: a helper, a fact, a list."""


def printable(value: Any) -> Any:
    """Return `value` if a template may print it (text, numbers); raise NotPrintable otherwise."""
    if isinstance(value, str):
        bad = CONTROL.search(value)
        if bad:
            raise NotPrintable(f"the text printed here holds U+{ord(bad.group()):04X}, which documents cannot hold")
        return value
    if isinstance(value, (int, float, Undefined)):  # an Undefined prints nothing, or raises if strict
        return value
    if callable(value):
        name = getattr(value, "__name__", type(value).__name__)
        raise NotPrintable(f"prints the function {name!r} itself; call it, e.g. {name}(...)")
    raise NotPrintable(f"prints a {type(value).__name__}, not text; print one of its fields or loop over it")


_BLOCKS = frozenset(("for", "if", "macro", "call", "filter", "with", "autoescape", "block", "raw", "trans", "set"))


def _unclosed_block(source: str, environment) -> tuple[str, int] | None:
    """Return (tag, line) of the innermost block statement left open in `source`, or None."""
    stack: list[tuple[str, int]] = []
    tokens = [t for t in _tokens(source, environment) if t[1] != "whitespace"]
    for i, (line, kind, value) in enumerate(tokens):
        if kind != "block_begin" or i + 1 >= len(tokens) or tokens[i + 1][1] != "name":
            continue
        name = tokens[i + 1][2]
        if name == "set" and any(k == "assign" for _, k, _ in _statement(tokens, i + 1)):
            continue  # {% set x = 1 %} needs no end
        if name in _BLOCKS:
            stack.append((name, line))
        elif name.startswith("end") and stack and stack[-1][0] == name[3:]:
            stack.pop()
    return stack[-1] if stack else None


def _tokens(source: str, environment):
    try:
        yield from environment.lex(source)
    except Exception:  # the lexer's own error is the one reported
        return


def _statement(tokens, start):
    for token in tokens[start:]:
        if token[1] == "block_end":
            return
        yield token


def syntax_problem(e, template: str):
    """Return the Problem of a TemplateSyntaxError, at the line where an unclosed block opened."""
    from jinja2 import Environment

    from briefing.errors import Problem

    filename = os.path.relpath(e.filename) if e.filename and os.path.isabs(e.filename) else e.filename or template
    line, hint = e.lineno or 0, "see docs/editing.md for the template language"
    if "needs to be closed" in e.message and e.source:
        opened = _unclosed_block(e.source, Environment(trim_blocks=True, lstrip_blocks=True))
        if opened:
            tag, opened_line = opened
            if "Unexpected end of template" in e.message:
                return Problem(filename, opened_line, 0, f"template syntax error: this '{tag}' block is never "
                               f"closed", f"add {{% end{tag} %}} where the block should end")
            hint = f"the '{tag}' block opened on line {opened_line} is not closed before this line"
    return Problem(filename, line, 0, f"template syntax error: {e.message}", hint)
