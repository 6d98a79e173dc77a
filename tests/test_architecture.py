"""The package's shape, read from its source: every module has a place in the pipeline's layers, imports only
from its own layer or below (imports inside functions count; those under `if TYPE_CHECKING:` do not), and no
modules import each other in a cycle. docs/architecture.md describes the layers; this is where they are kept."""

from __future__ import annotations

import ast
import os
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "briefing")

LAYERS = [
    ("foundations", {"errors", "mdtext", "model", "languages", "digests", "render.ooxml", "render.pdf_tags",
                     "render.pdf_bidi", "render.visitor", "distribute.headers"}),
    ("reading input", {"inputs", "yamlsource", "schema", "parse"}),
    ("inputs", {"factbase", "style", "wording", "briefs", "lint", "corpus", "citations", "judgments"}),
    ("layout", {"layout"}),
    ("writers", {"render", "render.pdf_fonts", "render.pdf_notes", "render.reference", "render.footnotes",
                 "render.docx_styles", "render.docx", "render.pdf", "render.html",
                 "render.markdown"}),
    ("composing", {"notes", "views", "template_api", "sandbox", "compose"}),
    ("project and build machinery", {"project", "buildcache", "outdir", "scheduler"}),
    ("build", {"build"}),
    ("commands", {"diff", "curate", "scaffold", "serve", "distribute", "distribute.deliver", "distribute.ledger",
                  "distribute.lists", "distribute.note", "distribute.run", "distribute.sign",
                  "distribute.stamp"}),
    ("command line", {"cli", "__main__"}),
]
"""Low to high. The writers know the document model and the resolved layout, never the fact base, the
templates or the project; composing knows no writer; nothing but the commands and the command line knows the
build. A new module must be given a layer here."""

LEVEL = {name: n for n, (_, names) in enumerate(LAYERS) for name in names}

WORD_WRITERS = ("render.docx", "render.docx_styles", "render.footnotes", "render.ooxml", "render.html")
"""Writers that must not load reportlab (a DOCX or HTML build pays for no PDF library)."""


def _module_paths() -> dict[str, str]:
    """Each module's name within the package (a package by its own name; the top package is `__init__`) and
    its file."""
    return {os.path.relpath(os.path.join(folder, file), ROOT)[:-3].replace(os.sep, ".").removesuffix(".__init__"):
            os.path.join(folder, file) for folder, _, files in os.walk(ROOT) for file in files if file.endswith(".py")}


PATHS = _module_paths()
MODULE_NAMES = set(PATHS)


def _imports(tree: ast.Module, name: str = "") -> set[str]:
    """The names of everything `tree` (module `name` of the package) imports, as absolute names, outside the
    body of `if TYPE_CHECKING:` blocks (their `else:` counts). `from briefing.render import ooxml` imports the
    module render.ooxml, not names of the package render (a package's own module runs first on any import of
    its modules: that is no edge between them); a relative import is read from the importing module's package."""
    skipped = {id(n) for node in ast.walk(tree)
               if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
               for statement in node.body for n in ast.walk(statement)}
    package = ("briefing." + name).split(".")
    if not _is_package(name):
        package = package[:-1]
    out = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom):
            base = ".".join(package[:len(package) - node.level + 1]) if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            names = [f"{module}.{a.name}" for a in node.names]
            submodules = [n for n in names if n.removeprefix("briefing.") in MODULE_NAMES]
            out.update(submodules)
            if len(submodules) < len(names):  # names defined in the module itself
                out.add(module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def _is_package(name: str) -> bool:
    return name == "__init__" or PATHS.get(name, "").endswith("__init__.py")


def _parse(path: str) -> ast.Module:
    with open(path, encoding="utf-8") as f:
        return ast.parse(f.read(), path)


MODULES = {name: _parse(path) for name, path in PATHS.items()}


def _edges() -> dict[str, set[str]]:
    """Each module's imports of briefing's own modules, by their names within the package."""
    edges = {}
    for name, tree in MODULES.items():
        own = {i.removeprefix("briefing.") for i in _imports(tree, name) if i.startswith("briefing.")}
        edges[name] = {i for i in own if i in MODULES and i != name}
    return edges


def test_every_module_has_a_layer():
    placed = set(LEVEL) | {"__init__"}
    assert sorted(set(MODULES) - placed) == [], "give each new module a layer in LAYERS"
    assert sorted(set(LEVEL) - set(MODULES)) == [], "a layer names a module that no longer exists"


def test_no_module_imports_from_a_layer_above_its_own():
    upward = [f"{name} ({LAYERS[LEVEL[name]][0]}) imports {other} ({LAYERS[LEVEL[other]][0]})"
              for name, others in _edges().items() if name in LEVEL
              for other in sorted(others) if other in LEVEL and LEVEL[other] > LEVEL[name]]
    assert upward == []


def test_no_import_cycles():
    edges = _edges()
    state: dict[str, int] = {}  # 1: being visited, 2: done
    cycles = []

    def visit(name, path):
        state[name] = 1
        for other in sorted(edges[name]):
            if state.get(other) == 1:
                cycles.append(" -> ".join(path[path.index(other):] + [other]))
            elif other not in state:
                visit(other, path + [other])
        state[name] = 2

    for name in sorted(edges):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_docx_and_html_writers_do_not_load_reportlab():
    loaders = [name for name in WORD_WRITERS
               if any(i.split(".")[0] == "reportlab" for i in _imports(MODULES[name], name))]
    assert loaders == []
    # nor through anything they import, as a fresh interpreter loads them
    code = ("import sys, briefing.render.docx, briefing.render.html, briefing.render.markdown; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'reportlab'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=os.path.dirname(ROOT))
    assert done.stdout.strip() == "[]"


def test_no_module_imports_by_name_at_run_time():
    """The checks above read import statements: a module imported by a computed name would escape them."""
    dynamic = [f"{name}:{node.lineno}" for name, tree in MODULES.items() for node in ast.walk(tree)
               if isinstance(node, ast.Call) and ast.unparse(node.func) in ("importlib.import_module", "__import__",
                                                                             "import_module")]
    assert dynamic == []


def test_the_checks_see_imports_inside_functions_and_relative_ones():
    """The rules would pass vacuously if the reader missed imports: a known import inside a function is seen,
    and so are relative ones and those in the `else:` of `if TYPE_CHECKING:`."""
    assert "render.pdf" in _edges()["render"]  # writer_class imports the PDF writer only when asked
    assert "reportlab" in {i.split(".")[0] for i in _imports(MODULES["render.pdf"], "render.pdf")}
    tree = ast.parse("from . import ooxml\nfrom ..build import Job\n"
                     "if TYPE_CHECKING:\n    import a\nelse:\n    import b\n")
    assert _imports(tree, "render.docx") == {"briefing.render.ooxml", "briefing.build", "b"}
