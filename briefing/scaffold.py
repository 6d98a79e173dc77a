"""Start things from copies: a new project (`briefing init`, from the neutral skeleton or the shipped example), and
a new brief or audience inside one (`briefing new`), each copy cleaned of what belonged to its original."""

from __future__ import annotations

import os
import re
import shutil
import tempfile

from briefing.errors import EnvironmentFailure, InputError, Problem
from briefing.inputs import read_text

SKELETON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "skeleton")
"""The neutral project `briefing init` writes: one example source, its text, three facts, one brief."""
EXAMPLE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
"""The example project `briefing init --example` writes: briefing's own source tree, the Pakistan–Belarus desk."""
EXAMPLE_FILES = ("briefing.yaml", "facts.yaml", "templates", "distribution/desk.yaml", "distribution/cover.txt.j2")
GITIGNORE = "/out/\n/outbox/\n/distribution/*.sqlite*\n.*.briefing-lock\n"


def init(folder: str, example: bool = False) -> list[str]:
    """Write a new project into `folder` (new, or empty) at once; return the paths written, as shown from here.

    The example's corpus is the folder its project file names, resolved from briefing's source tree, so that
    the new project's quotes are checked against the same texts."""
    if os.path.lexists(folder) and (not os.path.isdir(folder) or os.listdir(folder)):
        raise InputError(Problem(folder, 0, 0, "already exists and is not an empty folder",
                                 "name a new folder; init never writes over files"))
    if example and not os.path.isfile(os.path.join(EXAMPLE, "briefing.yaml")):
        raise InputError(Problem(EXAMPLE, 0, 0, "the example project is not here: it ships with briefing's source "
                                 "tree", "install briefing from its repository (scripts/setup), or run init "
                                 "without --example"))
    parent = os.path.dirname(os.path.abspath(folder))
    try:
        os.makedirs(parent, exist_ok=True)
        staging = tempfile.mkdtemp(prefix=".briefing-init-", dir=parent)
    except OSError as e:
        raise EnvironmentFailure(f"{folder}: cannot create the project: {e.strerror or e}",
                                 "choose a folder you can write to") from None
    try:
        if example:
            _copy_example(staging)
        else:
            shutil.copytree(SKELETON, staging, dirs_exist_ok=True)  # follows the skeleton's links to shared files
        _write_generated(staging)
        os.chmod(staging, 0o777 & ~_umask())
        if os.path.isdir(folder):
            os.rmdir(folder)  # empty: checked above
        os.rename(staging, folder)
    except OSError as e:
        shutil.rmtree(staging, ignore_errors=True)
        raise EnvironmentFailure(f"{folder}: cannot create the project: {e.strerror or e}",
                                 "choose a folder you can write to") from None
    return sorted(os.path.join(folder, os.path.relpath(os.path.join(root, f), folder))
                  for root, _, files in os.walk(folder) for f in files)


def _copy_example(staging: str) -> None:
    for name in EXAMPLE_FILES:
        src, dst = os.path.join(EXAMPLE, name), os.path.join(staging, name)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.isdir(src):
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(src, dst)
    project = os.path.join(staging, "briefing.yaml")
    text = read_text(project)
    mo = re.search(r"^corpus: *(\S+)", text, re.MULTILINE)
    if mo:
        corpus = os.path.normpath(os.path.join(EXAMPLE, mo.group(1)))
        text = text[:mo.start(1)] + (corpus if os.path.isdir(corpus) else "null") + text[mo.end(1):]
    with open(project, "w", encoding="utf-8") as f:
        f.write(text)


def _write_generated(staging: str) -> None:
    """The JSON Schemas editors use to check the fact base and the distribution lists, and a .gitignore."""
    import json

    from briefing.distribute import lists
    from briefing.factbase import schema_json

    for path, schema in (("facts.schema.json", schema_json()), ("distribution/list.schema.json", lists.schema_json())):
        with open(os.path.join(staging, path), "w", encoding="utf-8") as f:
            f.write(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
    with open(os.path.join(staging, ".gitignore"), "w", encoding="utf-8") as f:
        f.write(GITIGNORE)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def new_copy(templates: str, kind: str, name: str, source: str) -> tuple[list[str], str]:
    """Start brief or audience `name` in `templates` from a copy of `source` (the project's own, else the one
    `init` ships); return (the files written, what to do next). The copy keeps the original's form, not its
    words: a brief's title, subtitle and subject are placeholders, its key judgments are kept only as a
    commented-out example, an audience's label and description are its own."""
    folder = "audiences" if kind == "audience" else "briefs"
    origin = templates
    if not os.path.isfile(os.path.join(templates, folder, source + ".yaml")):
        shipped = os.path.join(SKELETON, "templates")
        if not os.path.isfile(os.path.join(shipped, folder, source + ".yaml")):
            known = sorted({f[:-5] for where in (templates, shipped) if os.path.isdir(os.path.join(where, folder))
                            for f in os.listdir(os.path.join(where, folder)) if f.endswith(".yaml")})
            raise InputError(Problem(os.path.join(templates, folder, source + ".yaml"), 0, 0,
                                     f"no {kind} named {source!r} to copy",
                                     f"copy one of: {', '.join(known)}" if known else "name an existing one"))
        origin = shipped
    parts = [(folder, ".yaml")]
    if kind == "brief":
        parts.append((folder, ".md.j2"))
        if os.path.isfile(os.path.join(origin, "judgments", source + ".yaml")):
            parts.append(("judgments", ".yaml"))
    made = []
    for sub, ext in parts:
        src, dst = os.path.join(origin, sub, source + ext), os.path.join(templates, sub, name + ext)
        if os.path.lexists(dst):
            raise InputError(Problem(dst, 0, 0, "already exists; choose another name or edit it"))
        made.append((src, dst))
    for src, dst in made:
        text = read_text(src)  # InputError for a file that is not UTF-8 text
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        _write_new(dst, _clean(text, os.path.basename(os.path.dirname(dst)), dst.endswith(".md.j2"), source, name))
    written = [dst for _, dst in made]
    if kind == "brief":
        judgments = f", then the key judgments in {written[2]}" if len(written) > 2 else ""
        return written, (f"now edit {written[0]} (title, topics, audiences) and {written[1]} (the text){judgments}")
    return written, f"now edit {written[0]}; add '{name}' to the `audiences:` of the briefs it is for"


def _clean(text: str, folder: str, template: bool, old: str, new: str) -> str:
    """The text of a copy: its leading comment says what it now is; what named the original is replaced."""
    if template:
        body = re.sub(r"\A\{#-?.*?-?#\}\n*", "", text, flags=re.S)
        return (f"{{#-\n  {new}: started from a copy of {old}. Every sentence that states a fact uses say(\"fact.id\").\n"
                "  The names templates can use are listed in docs/templates.md.\n-#}\n") + body
    lines = text.split("\n")
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    title = new.replace("-", " ").capitalize()
    if folder == "judgments":
        example = "\n".join(("# " + line).rstrip() for line in lines if line.strip())
        return (f"# Key judgments of brief {new!r}. Write each as an event that can happen, with a time frame; keys:\n"
                f"# docs/editing.md. Those of {old!r}, to show the form, commented out:\n#\n{example}\n\n"
                "judgments: []\n")
    body = "\n".join(lines)
    if folder == "briefs":
        for key, value in (("title", f"{title} (edit me)"), ("subtitle", "(edit me)"),
                           ("subject", f"What the {title.lower()} brief covers (edit me)")):
            body = re.sub(rf"^{key}:.*$", f"{key}: {value}", body, count=1, flags=re.MULTILINE)
        what = "Brief"
    else:
        for key, value in (("label", title), ("description", f"Who the {title} audience is (edit me)")):
            body = re.sub(rf"^{key}:.*$", f"{key}: {value}", body, count=1, flags=re.MULTILINE)
        what = "Audience"
    return f"# {what} {new!r}, started from a copy of {old!r}. Keys: docs/editing.md.\n" + body


def _write_new(path: str, text: str) -> None:
    """Write a new file whole or not at all."""
    fd, temp = tempfile.mkstemp(prefix=".briefing-new-", dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temp, 0o666 & ~_umask())
        os.link(temp, path)  # fails, writing nothing, if the file appeared meanwhile
    except FileExistsError:
        raise InputError(Problem(path, 0, 0, "already exists; choose another name or edit it")) from None
    except OSError as e:
        raise EnvironmentFailure(f"{path}: cannot write: {e.strerror or e}") from None
    finally:
        os.unlink(temp)
