"""Read a YAML file into position-carrying nodes, turning every reading failure into a Problem."""

from __future__ import annotations

import yaml

from briefing.errors import InputError, Problem

try:  # the C parser is several times faster; fall back to pure Python where libyaml is absent
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

NULL_TAG = "tag:yaml.org,2002:null"


def compose(path: str, label: str | None = None) -> yaml.Node | None:
    """Return the root node of the YAML file at `path` (None when the file is empty).

    Raises InputError for a missing file, text that is not UTF-8, and YAML syntax errors.
    `label` is the name used in messages (defaults to `path`)."""
    label = label or path
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise InputError(Problem(label, 0, 0, f"cannot read the file: {e.strerror}")) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise InputError(Problem(label, line, column, f"the file is not UTF-8 text (byte 0x{data[e.start]:02x})",
                                 "save it as UTF-8 in your editor")) from None
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        message = f"YAML syntax error: {e.problem or e.context}"
        if e.context and e.problem:
            message += f" ({e.context})"
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise InputError(Problem(label, line, column, message,
                                 "check indentation, colons and quotes on this line or the one above")) from None
    except yaml.YAMLError as e:
        raise InputError(Problem(label, 0, 0, f"YAML error: {e}")) from None


def position(node: yaml.Node) -> tuple[int, int]:
    """Return the node's 1-based (line, column)."""
    return node.start_mark.line + 1, node.start_mark.column + 1
