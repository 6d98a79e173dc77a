"""Seeded mutations of a project's input files (facts, templates, audiences, style), run through the CLI.

Used by tests/test_fuzz.py (a short run) and benchmarks/fuzz.py (the long one). Each case copies the
project, applies one or more mutations as a new user's mistake or an attacker's input would, runs
`briefing.cli.main`, and records the exit status, whether a traceback escaped, the time, and whether
`out/` changed although the run failed."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import random
import shutil
import time
import traceback
from dataclasses import dataclass, field

HOSTILE_SCALARS = [
    "nan", ".inf", "-infinity", "1e400", "99999999999999999999999999", "~", "''", '""', "[]", "{}", "[a, b]",
    "? [a, b]", "*anchor", "&a x", "!!python/object:os.system x", "1979-12-31", "2108-01-01", "0000-00-00",
    '"\\uFFFE"', '"\\uFFFF text"', '"\\a bell"', '"\\r\\r# Heading\\r\\r- item"', '"\\x1b[31m"', "|", ">", "'",
    '"', "[", "{", "- -", ": :", "x" * 300, "'" + "word " * 2000 + "'", "'[x](javascript:alert(1))'",
    "'[^c1]'", "'{{ cite }}'", "'# heading'", "'\\ud800'", "yes", "no", "null", "-1", "0", "1.5", "true",
    "'" + "> " * 40 + "deep'", "../../etc/passwd", "..\\\\x.md.j2", "/dev/zero", "'%s%s%s'",
]
HOSTILE_BYTES = [b"\x00", b"\x07", b"\x1b", b"\xff", b"\xfe\xff", b"\r", b"\t", b"\xef\xbf\xbe", b"\xed\xa0\x80",
                 b"\xc2\x85", b"\xe2\x80\xa8", b"  ", b"- ", b": ", b"#", b"&a ", b"*a", b"? ", b"---\n", b"...\n"]
HOSTILE_TEMPLATE = [
    "{{ cite }}", "{{ fact }}", "{{ facts() }}", "{{ 'a' * 10**9 }}", "{{ [0] * 10**9 }}", "{{ '{:999999999}'.format(1) }}",
    "{{ '%999999999d' % 1 }}", "{{ 'x' | center(10**9) }}", "{{ lipsum(100000) }}", "{{ 2 ** 10000000 }}",
    "{{ {}.pop('x') }}", "{{ '{}'.format() }}", '{{ "\\ud800" }}', "{{ say('no.such-fact') }}", "{{ fact(1) }}",
    "{{ cite() }}", "{{ cite(1) }}", "{% for f in facts() %}", "{% endfor %}", "{% if x %}", "{% endif %}", "{{",
    "{%", "}}", "{# unclosed", "{% include 'nope.md.j2' %}", "{% include '..\\\\facts.yaml' %}",
    "{% include '../facts.yaml' %}", "{% include '/etc/passwd' %}", "{% include 'base.md.j2' %}",
    "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "[x](javascript:alert(1))", "[x](file:///etc/passwd)",
    "<script>alert(1)</script>", "Typed[^c1] mark.", "Typed[^c99] mark.", "[^1]: a note", "[^x]", "###### six",
    "### three", "\n".join("  " * i + "- deep" for i in range(50)), "> " * 40 + "quote", "| a | b |\n|---|---|\n| 1 |",
    "Table: caption", "\x07", "\x00", "\ufffe", "\r\r# Heading\r", "{{ undefined_name }}", "{{ brief.nope }}",
    "{% set ns = namespace(s='a') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
    "{{ range(100000) | join(',') }}", "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}", "{{ audience }}", "{{ label }}", "{{ show('bluf') }}",
    "{% extends 'base.md.j2' %}", "{% block bluf %}", "{% endblock %}", "{{ 1/0 }}", "{{ 'x'.zfill(10**8) }}",
]


@dataclass
class Case:
    """One mutated project run through the CLI."""

    seed: int
    target: str
    """The file mutated, relative to the project."""
    mutations: list[str] = field(default_factory=list)
    argv: list[str] = field(default_factory=list)
    status: int | None = None
    seconds: float = 0.0
    traceback: str = ""
    out_changed: bool = False
    stderr: str = ""
    written: list[str] = field(default_factory=list)
    """The files a build that exited 0 wrote into out/."""


def _mutate_yaml(data: bytes, rng: random.Random, notes: list[str]) -> bytes:
    lines = data.split(b"\n")
    kind = rng.choice(("scalar", "scalar", "scalar", "bytes", "delete", "duplicate", "swap", "indent", "truncate"))
    i = rng.randrange(len(lines))
    if kind == "scalar" and b":" in lines[i]:
        head = lines[i].split(b":", 1)[0]
        value = rng.choice(HOSTILE_SCALARS)
        lines[i] = head + b": " + value.encode("utf-8", "surrogatepass")
    elif kind == "bytes":
        j = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:j] + rng.choice(HOSTILE_BYTES) + lines[i][j:]
    elif kind == "delete":
        del lines[i]
    elif kind == "duplicate":
        lines.insert(i, lines[i])
    elif kind == "swap":
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "indent":
        lines[i] = b" " * rng.choice((1, 2, 3, 5)) + lines[i]
    else:
        kind = "truncate"
        return data[:rng.randrange(len(data) + 1)]
    notes.append(f"{kind}@{i + 1}")
    return b"\n".join(lines)


def _mutate_template(data: bytes, rng: random.Random, notes: list[str]) -> bytes:
    lines = data.split(b"\n")
    i = rng.randrange(len(lines) + 1)
    kind = rng.choice(("insert", "insert", "insert", "delete", "duplicate", "bytes"))
    if kind == "insert":
        snippet = rng.choice(HOSTILE_TEMPLATE)
        lines.insert(i, snippet.encode("utf-8", "surrogatepass"))
        notes.append(f"insert@{i + 1}:{snippet[:30]!r}")
        return b"\n".join(lines)
    i = min(i, len(lines) - 1)
    if kind == "delete":
        del lines[i]
    elif kind == "duplicate":
        lines.insert(i, lines[i])
    else:
        j = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:j] + rng.choice(HOSTILE_BYTES) + lines[i][j:]
    notes.append(f"{kind}@{i + 1}")
    return b"\n".join(lines)


def _snapshot(folder: str) -> dict[str, str]:
    found = {}
    for root, dirs, files in os.walk(folder):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            path = os.path.join(root, name)
            try:
                with open(path, "rb") as f:
                    found[os.path.relpath(path, folder)] = hashlib.sha256(f.read()).hexdigest()
            except OSError:
                found[os.path.relpath(path, folder)] = "?"
    return found


def targets(project: str) -> dict[str, list[str]]:
    """Return the files a fuzz run mutates, by kind: facts, template, audience, style."""
    found: dict[str, list[str]] = {"facts": ["facts.yaml"], "template": [], "audience": [], "style": []}
    for root, _, files in os.walk(os.path.join(project, "templates")):
        for name in sorted(files):
            rel = os.path.relpath(os.path.join(root, name), project)
            if name.endswith(".j2"):
                found["template"].append(rel)
            elif name == "style.yaml":
                found["style"].append(rel)
            elif name.endswith(".yaml"):
                found["audience"].append(rel)  # audience and brief files alike
    return found


def _copy_project(source: str, work: str) -> None:
    """Copy the project at `source` (facts.yaml, templates/, links followed) into `work`, with a project file whose
    corpus is the source project's own, so that a build verifies quotes as it would there."""
    from briefing.project import find

    corpus = find(source).corpus
    os.makedirs(work)
    shutil.copy(os.path.join(source, "facts.yaml"), os.path.join(work, "facts.yaml"))
    shutil.copytree(os.path.join(source, "templates"), os.path.join(work, "templates"))
    with open(os.path.join(work, "briefing.yaml"), "w", encoding="utf-8") as f:
        f.write(f"facts: facts.yaml\ntemplates: templates\ncorpus: {os.path.abspath(corpus) if corpus else 'null'}\n")


def run_case(source: str, work: str, seed: int, kind: str, formats: str = "md",
             build: list[str] | None = None) -> Case:
    """Copy the project at `source` into `work`, mutate one file of `kind` with `seed`, build (or check), and judge.

    `build` (e.g. ["visit-politics", "-a", "minister"]) makes every case a build of those briefs; by default the
    seed chooses between a build of everything and a check."""
    from briefing.cli import main

    rng = random.Random(seed)
    if os.path.exists(work):
        shutil.rmtree(work)
    _copy_project(source, work)
    target = rng.choice(targets(work)[kind])
    case = Case(seed, target)
    path = os.path.join(work, target)
    with open(path, "rb") as f:
        data = f.read()
    mutate = _mutate_template if kind == "template" else _mutate_yaml
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        data = mutate(data, rng, case.mutations) or data
    with open(path, "wb") as f:
        f.write(data)
    out = os.path.join(work, "out")
    os.makedirs(out)
    with open(os.path.join(out, "earlier.txt"), "w") as f:
        f.write("a file from an earlier build\n")
    before = _snapshot(out)
    command = rng.choice((["build", "-f", formats, "-o", out], ["check"]))
    case.argv = ["-C", work] + (command if build is None else ["build", "-f", formats, "-o", out, *build])
    stdout, stderr = io.StringIO(), io.StringIO()
    started = time.monotonic()
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            case.status = main(case.argv)
    except BaseException:  # noqa: BLE001 - the very thing a fuzz run looks for
        case.traceback = traceback.format_exc()
    case.seconds = time.monotonic() - started
    case.stderr = stderr.getvalue()
    if "Traceback" in case.stderr + stdout.getvalue():
        case.traceback = case.traceback or case.stderr
    if case.status != 0:
        case.out_changed = _snapshot(out) != before
    elif case.argv[2] == "build":
        case.written = sorted(set(os.listdir(out)) - {"earlier.txt", ".briefing-build.json"})
    return case


def failures(case: Case, slow: float) -> list[str]:
    """Return what is wrong with a case's outcome."""
    wrong = []
    if case.traceback:
        wrong.append("traceback:\n" + case.traceback[-1500:])
    elif case.status not in (0, 1, 2):
        wrong.append(f"exit status {case.status}")
    if case.out_changed:
        wrong.append("out/ changed although the run failed")
    if case.seconds > slow:
        wrong.append(f"took {case.seconds:.1f} s")
    return wrong
