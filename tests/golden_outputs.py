"""The golden outputs: the small fixed project in tests/data/golden built into PDF and DOCX, their SHA-256 sums
and the environment they were built in; what differs when a build does not match them.

    scripts/update-golden      build them anew and record them (after a change meant to alter output bytes)
"""

from __future__ import annotations

import difflib
import hashlib
import importlib.metadata as md
import os
import subprocess
import sys
import tempfile
import zipfile
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(ROOT, "tests", "data", "golden")
EXPECTED = os.path.join(GOLDEN, "expected")
"""The golden files themselves, kept so that a mismatch can be explained page by page."""
SUMS = os.path.join(GOLDEN, "SHA256SUMS")
ENVIRONMENT = os.path.join(GOLDEN, "ENVIRONMENT")
EPOCH = "1733011200"  # 2024-12-01 00:00 UTC: file dates come from SOURCE_DATE_EPOCH
REGENERATE = ("If the change is meant (a new renderer feature, a raised pin in constraints.txt): run "
              "scripts/update-golden, look at the new files in tests/data/golden/expected (pdftoppm -png), "
              "and commit tests/data/golden.")


def build(out: str) -> dict[str, str]:
    """Build the golden project into `out` in a fresh process, as a user would; return each file's SHA-256."""
    cli = os.path.join(os.path.dirname(sys.executable), "briefing")
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH)
    done = subprocess.run([cli, "-C", GOLDEN, "build", "-o", out, "-j", "1", "--force"],
                          env=env, capture_output=True, text=True)
    if done.returncode:  # say why (a missing font, a changed input), not just the exit status
        raise AssertionError(f"building the golden project failed (exit {done.returncode}):\n{done.stderr}")
    return {name: sha256(os.path.join(out, name)) for name in sorted(os.listdir(out))
            if name.endswith((".pdf", ".docx"))}


def sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def read_sums() -> dict[str, str]:
    """The committed sums: file name -> SHA-256."""
    with open(SUMS, encoding="utf-8") as f:
        return {name: digest for digest, name in (line.split() for line in f if line.strip())}


def environment() -> list[str]:
    """What the output bytes depend on besides the project: Python, zlib, the pinned packages, the font files."""
    lines = [f"python {sys.version_info.major}.{sys.version_info.minor}", f"zlib {zlib.ZLIB_RUNTIME_VERSION}"]
    with open(os.path.join(ROOT, "constraints.txt"), encoding="utf-8") as f:
        for name in sorted(line.split("==")[0] for line in f if "==" in line and not line.startswith("#")):
            try:
                lines.append(f"{name}=={md.version(name)}")
            except md.PackageNotFoundError:
                lines.append(f"{name} not installed")
    from briefing.style import load_style

    style = load_style(os.path.join(GOLDEN, "templates", "style.yaml"))
    for key, path in sorted(style.font_files.items(), key=lambda kv: kv[1]):
        lines.append(f"font {os.path.basename(path)} {sha256(path)}")
    return sorted(set(lines))


def explain(name: str, built: str) -> str:
    """Say how the freshly built file `built` differs from golden file `name`, and what may have caused it."""
    golden = os.path.join(EXPECTED, name)
    lines = [f"{name}: the fresh build differs from the golden file ({built})"]
    if not os.path.exists(golden):
        lines.append("  no golden file of that name: a new output?")
    elif name.endswith(".pdf"):
        lines += _explain_pdf(golden, built)
    elif name.endswith(".docx"):
        lines += _explain_docx(golden, built)
    recorded = open(ENVIRONMENT, encoding="utf-8").read().splitlines() if os.path.exists(ENVIRONMENT) else []
    changed = [line for line in difflib.unified_diff(recorded, environment(), lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    if changed:
        lines.append("  the environment differs from the one the golden files were built in "
                     "(- then, + now; scripts/setup installs the pins in constraints.txt):")
        lines += [f"    {line}" for line in changed]
    else:
        lines.append("  the environment (Python, zlib, pinned packages, fonts) is the one the golden files were built "
                     "in: the renderers' output changed")
    lines.append("  " + REGENERATE)
    return "\n".join(lines)


def _pages(path: str) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", path, "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")


def _explain_pdf(golden: str, built: str) -> list[str]:
    old, new = _pages(golden), _pages(built)
    if len(old) != len(new):
        return [f"  {len(old) - 1} pages then, {len(new) - 1} now"] + _first_text_difference(old, new)
    found = _first_text_difference(old, new)
    return found or ["  the same text on every page (pdftotext): the difference is in layout, fonts or the "
                     "PDF's structure; compare the pages with pdftoppm -png"]


def _first_text_difference(old: list[str], new: list[str]) -> list[str]:
    for page, (a, b) in enumerate(zip(old, new), 1):
        if a != b:
            diff = list(difflib.unified_diff(a.splitlines(), b.splitlines(), "golden", "built", lineterm="", n=1))
            return [f"  page {page} reads differently (pdftotext -layout):"] + [f"    {d}" for d in diff[:24]]
    return []


def _explain_docx(golden: str, built: str) -> list[str]:
    with zipfile.ZipFile(golden) as a, zipfile.ZipFile(built) as b:
        names_a, names_b = set(a.namelist()), set(b.namelist())
        out = [f"  parts only in the golden file: {sorted(names_a - names_b)}"] if names_a - names_b else []
        out += [f"  parts only in the new file: {sorted(names_b - names_a)}"] if names_b - names_a else []
        for name in sorted(names_a & names_b):
            old, new = a.read(name), b.read(name)
            if old != new:
                old_text = old.decode("utf-8", "replace").replace("><", ">\n<").splitlines()
                new_text = new.decode("utf-8", "replace").replace("><", ">\n<").splitlines()
                diff = list(difflib.unified_diff(old_text, new_text, "golden", "built", lineterm="", n=0))
                out += [f"  {name} differs:"] + [f"    {d[:200]}" for d in diff[2:14]]
            elif a.getinfo(name).date_time != b.getinfo(name).date_time:
                out.append(f"  {name}: same bytes, another date in the zip")
        return out or ["  every part has the same bytes: the zip container differs (compression, order)"]


def update() -> None:
    """Build the golden files anew and record them, their sums and the environment."""
    os.makedirs(EXPECTED, exist_ok=True)
    with tempfile.TemporaryDirectory() as out:
        sums = build(out)
        for name in os.listdir(EXPECTED):
            os.remove(os.path.join(EXPECTED, name))
        for name in sums:
            with open(os.path.join(out, name), "rb") as src, open(os.path.join(EXPECTED, name), "wb") as dst:
                dst.write(src.read())
    with open(SUMS, "w", encoding="utf-8") as f:
        f.writelines(f"{digest}  {name}\n" for name, digest in sorted(sums.items()))
    with open(ENVIRONMENT, "w", encoding="utf-8") as f:
        f.writelines(line + "\n" for line in environment())
    for name, digest in sorted(sums.items()):
        print(f"{digest}  {name}")
    print(f"golden files written to {os.path.relpath(EXPECTED, ROOT)}; review them, then commit tests/data/golden")


if __name__ == "__main__":
    update()
