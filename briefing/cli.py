"""The `briefing` command line: init, build, check, list, facts, schema, new, distribute, serve, diff."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from typing import Sequence

from briefing.errors import (EXIT_BUG, EXIT_ENVIRONMENT, EXIT_INPUT, EXIT_USAGE, EnvironmentFailure, InputError,
                             Problem, UsageError, diagnostics)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("-C", dest="directory", metavar="DIR", default=argparse.SUPPRESS,
                   help="run in the project at DIR (default: the one holding the current folder)")
    p.add_argument("--facts", metavar="PATH", help="the fact base (default: the project's, else facts.yaml)")
    p.add_argument("--templates", metavar="DIR",
                   help="briefs, audiences and style (default: the project's, else templates)")


class _Version(argparse.Action):
    """--version, looked up only when asked for (start-up stays light)."""

    def __call__(self, parser, namespace, values, option_string=None):
        from importlib.metadata import PackageNotFoundError, version

        try:
            release = version("briefing")
        except PackageNotFoundError:  # run from a source tree that was never installed
            release = "unknown"
        print(f"briefing {release}")
        parser.exit()


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefing", description="Footnoted policy briefs, as DOCX, PDF and HTML, "
                                     "from a sourced YAML fact base.")
    parser.add_argument("--version", action=_Version, nargs=0, help="print briefing's version and stop")
    parser.add_argument("-C", dest="directory", metavar="DIR",
                        help="run in the project at DIR, as if started there (default: the current folder)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    i = sub.add_parser("init", help="start a new project in a new folder: a neutral fact base, briefs, audiences")
    i.add_argument("folder", metavar="DIR", help="the new project's folder (new, or empty)")
    i.add_argument("--example", action="store_true",
                   help="instead, the shipped example project (President Lukashenko's visit to Pakistan, 2024)")

    b = sub.add_parser("build", help="build briefs into the output folder")
    b.add_argument("briefs", nargs="*", metavar="BRIEF", help="briefs to build (default: all)")
    b.add_argument("-a", "--audience", action="append", default=[], metavar="NAME",
                   help="build for this audience (repeatable; default: each brief's own audiences)")
    b.add_argument("-f", "--format", default="pdf,docx", metavar="LIST",
                   help="comma-separated formats from pdf, docx, html, md (default: pdf,docx)")
    b.add_argument("-o", "--out", metavar="DIR", help="output folder (default: the project's, else out)")
    b.add_argument("--any-audience", action="store_true",
                   help="build the named briefs for the named audiences even if a brief is not meant for one")
    b.add_argument("--reference-docx", metavar="PATH", help="take Word styles from this .docx")
    b.add_argument("-j", "--jobs", type=_positive, metavar="N",
                   help="render in N processes (default: one per core; -j 1 renders in this process)")
    b.add_argument("--force", action="store_true",
                   help="rebuild every file, even those whose inputs have not changed since the last build")
    _common(b)

    c = sub.add_parser("check", help="validate the fact base and compose every brief for every audience")
    c.add_argument("--corpus", metavar="DIR", help="verify the quotes against the source texts in DIR (default: the "
                   "project's corpus)")
    _common(c)

    lst = sub.add_parser("list", help="list briefs, audiences and facts per topic")
    _common(lst)

    f = sub.add_parser("facts", help="list the facts that match")
    f.add_argument("text", nargs="*", default=[], metavar="WORD", help="words the id or statement contains")
    f.add_argument("--topic", metavar="T", help="only facts with this topic")
    f.add_argument("--source", metavar="S", help="only facts citing this source id")
    _common(f)

    sc = sub.add_parser("schema", help="print the JSON Schema of facts.yaml")
    sc.add_argument("--keys", choices=("audience", "brief", "judgments"),
                    help="instead, print a Markdown table of that file's keys, with their defaults")

    d = sub.add_parser("distribute", help="send numbered personal copies of the PDFs to a distribution list")
    d.add_argument("list", metavar="LIST", help="a distribution list file, or NAME for distribution/NAME.yaml")
    d.add_argument("-b", "--brief", action="append", default=[], metavar="NAME",
                   help="only this brief (repeatable; default: every brief on the list)")
    to = d.add_mutually_exclusive_group()
    to.add_argument("--outbox", metavar="DIR", help="write .eml messages here (default: the project's outbox/LIST)")
    to.add_argument("--smtp", metavar="URL", help="send through smtp://HOST[:PORT] (STARTTLS) or smtps://HOST[:PORT]")
    to.add_argument("--folder", metavar="DIR", help="copy each reader's PDF into this shared folder")
    d.add_argument("--ledger", metavar="PATH", help="the ledger (default: ledger.sqlite beside the list)")
    d.add_argument("--max-size", type=float, metavar="MB", help="largest copy to send (default: the list's setting)")
    d.add_argument("--dry-run", action="store_true", help="show what would be sent; send and record nothing")
    d.add_argument("--status", action="store_true", help="show who has which version, from the ledger")
    d.add_argument("--wait", action="store_true",
                   help="if another run is using the ledger, wait for it to finish (default: refuse at once)")
    d.add_argument("--reissue", action="store_true",
                   help="send every reader a new copy even if theirs says the same (after a layout fix)")
    _common(d)

    _curation(sub)

    df = sub.add_parser("diff", help="what changed between two versions of the fact base, and which briefs it reaches")
    df.add_argument("old", metavar="OLD", help="a fact-base file, a project folder or a git revision (HEAD~1)")
    df.add_argument("new", nargs="?", metavar="NEW", help="the same kinds (default: the working tree)")
    df.add_argument("--json", action="store_true", help="print the changes as JSON")
    _common(df)

    n = sub.add_parser("new", help="start a new audience or brief from a copy of an existing one")
    n.add_argument("kind", choices=("audience", "brief"))
    n.add_argument("name", metavar="NAME", help="lower-case letters, digits and dashes")
    n.add_argument("--from", dest="source", required=True, metavar="EXISTING", help="the one to copy")
    _common(n)

    s = sub.add_parser("serve", help="preview every brief as HTML and PDF in a browser, again at each saved change")
    s.add_argument("--host", default="127.0.0.1", metavar="ADDRESS",
                   help="listen on this address (default: 127.0.0.1, this machine only; any other lets every "
                        "machine that reaches it read every brief: see docs/editing.md)")
    s.add_argument("--port", type=int, default=8000, metavar="N", help="listen on this port (default: 8000; 0: any)")
    _common(s)
    return parser


def _curation(sub) -> None:
    """The curator's commands: source add, quote, coverage (briefing/curate.py)."""
    from briefing.factbase import SOURCE_KINDS

    s = sub.add_parser("source", help="register an article: copy it into the corpus, add its source entry")
    add = s.add_subparsers(dest="action", required=True, metavar="ACTION").add_parser(
        "add", help="copy FILE into the corpus, append its source entry to the fact base, print it numbered")
    add.add_argument("file", metavar="FILE", help="the article's text file (UTF-8)")
    for name in ("id", "title", "author", "author-note", "outlet", "published", "url", "standpoint", "short-name"):
        add.add_argument(f"--{name}", metavar=name.split("-")[0].upper(), help=f"the entry's {name.replace('-', '_')}")
    add.add_argument("--kind", choices=SOURCE_KINDS, help="what the piece is")
    add.add_argument("--into", metavar="FILE", help="the fact-base file to add it to (default: the last source's)")
    add.add_argument("-y", "--yes", action="store_true", help="take what the text says without asking")
    q = sub.add_parser("quote", help="find a passage in the source texts: its exact words and locator, as a citation")
    q.add_argument("words", nargs="+", metavar="WORDS", help="the passage's words (case, punctuation, quotes and "
                   "dashes need not match)")
    c = sub.add_parser("coverage", help="per source, the paragraphs that no fact or disputed claim cites")
    for p in (q, c):
        p.add_argument("--source", metavar="ID", help="only this source")
    for p in (add, q, c):
        p.add_argument("--corpus", metavar="DIR", help="the source texts (default: the project's corpus)")
        _common(p)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status: 0 done, 1 bad input, 2 wrong usage, 3 the environment
    failed (a full disk, a folder that cannot be written, a locked ledger), 70 a bug in briefing."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as e:
        return int(e.code or 0)
    try:
        return _COMMANDS[args.command](args)
    except InputError as e:
        for problem in e.problems:
            print(problem, file=sys.stderr)
        count = len(e.problems)
        print(f"briefing: {count} problem{'s' if count != 1 else ''}; nothing was written", file=sys.stderr)
        return EXIT_INPUT
    except UsageError as e:
        for line in str(e).split("\n"):
            print(f"briefing {args.command}: {line}", file=sys.stderr)
        return EXIT_USAGE
    except EnvironmentFailure as e:
        print(f"briefing {args.command}: {e}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    except KeyboardInterrupt:
        return 130
    except Exception:  # a bug: say so, with what is needed to fix it
        import traceback

        traceback.print_exc()
        print("briefing: this is a bug in briefing, not a problem with your files; please report it with the "
              "command you ran and the traceback above", file=sys.stderr)
        return EXIT_BUG
    finally:
        for warning in diagnostics.take():
            print(warning, file=sys.stderr)


def _where(args):
    """The project's locations, found from -C or the current folder, with --facts and --templates applied."""
    from briefing.project import find

    return find(getattr(args, "directory", None), getattr(args, "facts", None), getattr(args, "templates", None))


def _project(args):
    from briefing.project import Project

    return Project.open(_where(args))


def cmd_build(args) -> int:
    from briefing.build import Build
    from briefing.render import FORMATS

    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        print(f"briefing build: unknown format {', '.join(bad) or '(none)'}; choose from {', '.join(FORMATS)}",
              file=sys.stderr)
        return EXIT_USAGE
    build = Build(_where(args), args.briefs, args.audience, formats, args.out, args.reference_docx, args.jobs,
                  args.force, args.any_audience)
    result = build.run()
    if not result.outputs:
        print(f"briefing: nothing to do; all {len(result.current)} files in {build.out} are up to date "
              "(--force rebuilds them)", file=sys.stderr)
        return 0
    for o in result.outputs:
        print(o.path)
    if result.current:
        print(f"briefing: {len(result.outputs)} files written; {len(result.current)} were up to date",
              file=sys.stderr)
    return 0


def _fact_base_problems(fb, corpus: str | None) -> list[Problem]:
    """What `check` finds in the fact base alone: the lints, what is missing, and every quote against the corpus."""
    from briefing.corpus import verify
    from briefing.lint import lint

    problems = lint(fb)
    for what, present, hint in (("sources", fb.sources, "register an article: briefing source add FILE"),
                                ("facts", fb.facts, "write a fact citing a source (docs/getting-started.md)")):
        if not present:
            problems.append(Problem(fb.path, 0, 0, f"the fact base has no {what} yet", hint))
    if corpus:
        if not os.path.isdir(corpus):
            problems.append(Problem(corpus, 0, 0, "corpus folder not found",
                                    "name the folder of the source texts with --corpus, or under `corpus:` in the "
                                    "project file"))
        else:
            problems.extend(verify(fb, corpus))
    return problems


def cmd_check(args) -> int:
    from briefing.build import compose_pairs, default_jobs, render_in_memory
    from briefing.compose import template_digits
    from briefing.lint import unused
    from briefing.project import Project, load_facts

    where = _where(args)
    corpus = args.corpus or where.corpus
    try:
        project = Project.open(where)
    except InputError as e:  # the templates' problems, and (if the fact base itself loads) its own, at once
        try:
            fb = load_facts(where)
        except InputError:
            raise e from None
        raise InputError(list(dict.fromkeys(e.problems + _fact_base_problems(fb, corpus)))) from None
    fb = project.facts
    problems = _fact_base_problems(fb, corpus)
    pairs = project.plan([], [])  # each brief for the audiences it is meant for
    used: set[str] = set()
    try:
        for composed in compose_pairs(project, pairs):
            used |= composed.used
        # Page limits: the PDFs of the audiences that have one are laid out (in memory) and counted.
        limited = [(b, a) for b, a in pairs if a.page_limit]
        if limited:
            render_in_memory(project, limited, ["pdf"], workers=default_jobs())
    except InputError as e:
        problems.extend(e.problems)
    if project.style.reference_docx:
        from briefing.render.docx import DocxWriter

        try:
            DocxWriter(project.style)  # reads the reference and tries its styles
        except InputError as e:
            problems.extend(e.problems)
    if problems:
        raise InputError(list(dict.fromkeys(problems)))  # a misquote found by the lints and the layout alike, once
    for warning in template_digits(project.templates):
        diagnostics.warn(warning)
    for name, brief in project.briefs.items():
        if name not in project.judgments:
            diagnostics.warn(Problem(brief.path, 0, 0, f"warning: {name} has no key judgments, so its key judgments, "
                                     "recommendations and what to watch are left out",
                                     f"write them in {os.path.join(project.templates, 'judgments', name + '.yaml')} "
                                     "(see docs/editing.md)"))
    quotes = sum(len(f.cite) for f in fb.facts.values())
    print(f"{', '.join(fb.files)}: {_count(len(fb.facts), 'fact')}, {_count(len(fb.disputes), 'disputed question')}, "
          f"{_count(len(fb.sources), 'source')}, {_count(quotes, 'quote')}"
          + (" verified against " + corpus if corpus else ""))
    print(f"{_count(len(project.briefs), 'brief')} compose for the {_count(len(pairs), 'brief × audience pair')} "
          "they are meant for")
    idle = unused(fb, used)
    print(f"info: {len(idle)} of {_count(len(fb.facts), 'fact')} reach no brief"
          + (": " + ", ".join(idle) if idle else ""))
    return 0


def _count(n: int, noun: str) -> str:
    """`1 fact`, `2 facts`."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def cmd_list(args) -> int:
    project = _project(args)
    print("Briefs:")
    for b in project.briefs.values():
        print(f"  {b.name:<20} {b.title}  (for: {', '.join(b.audiences)})")
    print("Audiences:")
    for a in project.audiences.values():
        print(f"  {a.name:<20} {a.description}")
    print("Facts per topic:")
    for topic, n in project.facts.topics().items():
        print(f"  {topic:<20} {n}")
    print("Disputed questions (use dispute(\"ID\") in a template):")
    for d in project.facts.disputes.values():
        print(f"  {d.id:<32} {d.question}  [{', '.join(d.topics)}]")
    return 0


def cmd_facts(args) -> int:
    from briefing.project import load_facts

    fb = load_facts(_where(args))
    words = " ".join(args.text).lower().split()
    shown = 0
    for f in fb.facts.values():
        if args.topic and args.topic not in f.topics:
            continue
        if args.source and all(c.source != args.source for c in f.cite):
            continue
        if words and not all(w in (f.id + " " + f.statement).lower() for w in words):
            continue
        sources = ", ".join(dict.fromkeys(c.source for c in f.cite))
        by = f", by {f.by}" if f.by else ""
        print(f"{f.id}  ({f.kind}{by}; {f.confidence} confidence)  [{sources}]\n    {f.statement}")
        shown += 1
    disputes = 0
    for d in fb.disputes.values():
        if args.topic and args.topic not in d.topics:
            continue
        cites = [c for claim in d.claims for c in claim.cite]
        if args.source and all(c.source != args.source for c in cites):
            continue
        text = " ".join([d.id, d.question] + [c.claim for c in d.claims]).lower()
        if words and not all(w in text for w in words):
            continue
        print(f"{d.id}  (disputed question)  [{', '.join(dict.fromkeys(c.source for c in cites))}]\n    {d.question}")
        for claim in d.claims:
            print(f"    - {claim.claim}")
        disputes += 1
    print(f"{shown} of {len(fb.facts)} facts, {disputes} of {len(fb.disputes)} disputed questions")
    return 0


def cmd_schema(args) -> int:
    from briefing.factbase import schema_json

    if args.keys:
        from briefing.briefs import AUDIENCE, BRIEF
        from briefing.judgments import JUDGMENT
        from briefing.schema import keys_table

        print(keys_table({"audience": AUDIENCE, "brief": BRIEF, "judgments": JUDGMENT}[args.keys]))
        return 0
    print(json.dumps(schema_json(), indent=2, ensure_ascii=False))
    return 0


def cmd_new(args) -> int:
    from briefing.factbase import SLUG
    from briefing.scaffold import new_copy

    if not re.fullmatch(SLUG, args.name):
        print(f"briefing new: {args.name!r} is not a valid name; use lower-case letters, digits and dashes",
              file=sys.stderr)
        return EXIT_USAGE
    written, next_step = new_copy(_where(args).templates, args.kind, args.name, args.source)
    for path in written:
        print(path)
    print(next_step)
    return 0


def cmd_init(args) -> int:
    from briefing.scaffold import init

    written = init(args.folder, args.example)
    for path in written:
        print(path)
    what = "the Pakistan–Belarus example project" if args.example else "a new project"
    print(f"briefing: {what} in {args.folder}. Next: cd {args.folder} && briefing build; then read "
          "docs/getting-started.md", file=sys.stderr)
    return 0


def cmd_curate(args) -> int:
    from briefing import curate

    command = {"source": curate.command_source_add, "quote": curate.command_quote,
               "coverage": curate.command_coverage}[args.command]
    return command(args, _where(args))


def cmd_distribute(args) -> int:
    from briefing.distribute.run import command

    return command(args)


def cmd_diff(args) -> int:
    from briefing.diff import command

    return command(args)


def cmd_serve(args) -> int:
    from briefing.serve import serve, sources

    return serve(sources(getattr(args, "directory", None), args.facts, args.templates), args.host, args.port,
                 say=lambda line: print(line, file=sys.stderr, flush=True))


_COMMANDS = {
    "init": cmd_init,
    "build": cmd_build,
    "check": cmd_check,
    "list": cmd_list,
    "facts": cmd_facts,
    "schema": cmd_schema,
    "new": cmd_new,
    "distribute": cmd_distribute,
    "serve": cmd_serve,
    "diff": cmd_diff,
    "source": cmd_curate,
    "quote": cmd_curate,
    "coverage": cmd_curate,
}


if __name__ == "__main__":
    sys.exit(main())
