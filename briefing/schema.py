"""A small schema language for YAML input: validates position-carrying nodes, exports JSON Schema.

One declaration serves three uses: checking a file (every problem at once, each with its
line and column), producing plain Python values for the loader, and `briefing schema`.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from briefing.errors import Problems
from briefing.mdtext import control_characters
from briefing.yamlsource import NULL_TAG, compose, position


class Invalid:
    """Marks a value that failed validation (its problem is already recorded)."""

    def __repr__(self) -> str:
        return "INVALID"


INVALID = Invalid()


class Checker:
    """Walks nodes against a schema, collecting problems; remembers values of reused (aliased) nodes."""

    def __init__(self, problems: Problems):
        self.problems = problems

    def error(self, node: yaml.Node, message: str, hint: str = "") -> Invalid:
        line, column = position(node)
        self.problems.add(line, column, message, hint)
        return INVALID

    def check(self, kind: "Kind", node: yaml.Node, where: str) -> Any:
        return kind.check(node, self, where)

    def reject_aliases(self, root: yaml.Node) -> bool:
        """Report every value reached twice, i.e. through a YAML alias; return True if there were any.

        Walking the graph once, never expanding a node twice, keeps an alias bomb ("billion laughs")
        from growing without bound."""
        seen: set[int] = set()
        reported: set[int] = set()
        stack = [root]
        while stack:
            node = stack.pop()
            if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
                continue
            if id(node) in seen:
                if id(node) not in reported:
                    reported.add(id(node))
                    self.error(node, "this value is reused through a YAML alias (*name)",
                               "aliases are not allowed in the fact base; write the value out in full")
                continue
            seen.add(id(node))
            if isinstance(node, yaml.MappingNode):
                stack.extend(v for pair in node.value for v in pair)
            else:
                stack.extend(node.value)
        return bool(reported)


def _plain(node: yaml.Node) -> bool:
    """An unquoted scalar (the C parser says '' where the Python one says None)."""
    return not getattr(node, "style", None)


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG and _plain(node)


class Kind:
    """A type of value. Subclasses implement check() and json()."""

    nullable: bool = False

    def check(self, node: yaml.Node, c: Checker, where: str) -> Any:
        raise NotImplementedError

    def json(self) -> dict:
        raise NotImplementedError

    def describe(self) -> str:
        """A few words for the documentation and error messages."""
        raise NotImplementedError


def _scalar(node: yaml.Node, c: Checker, where: str, what: str) -> str | Invalid:
    if not isinstance(node, yaml.ScalarNode):
        found = "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"
        return c.error(node, f"{where}: expected {what}, found {found}")
    return node.value


@dataclass
class Str(Kind):
    """A text value."""

    pattern: str | None = None
    pattern_hint: str = ""
    enum: tuple[str, ...] | None = None
    max_words: int | None = None
    nullable: bool = False
    multiline: bool = False

    def check(self, node, c, where):
        if self.nullable and _is_null(node):
            return None
        value = _scalar(node, c, where, "text")
        if value is INVALID:
            return value
        if node.tag == NULL_TAG and _plain(node):
            return c.error(node, f"{where}: a value is required here",
                           "write the text, or null where the schema allows it" if self.nullable else "write the text")
        if not value.strip():
            return c.error(node, f"{where}: must not be empty")
        bad = control_characters(value)
        if bad:
            return c.error(node, f"{where}: contains control characters ({', '.join(bad)}) that documents cannot hold",
                           "remove them; they are often pasted in from PDFs or spreadsheets")
        if self.enum is not None and value not in self.enum:
            return c.error(node, f"{where}: {value!r} is not one of: {', '.join(self.enum)}")
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            return c.error(node, f"{where}: {value!r} is not {self.pattern_hint or 'valid'}")
        if self.max_words is not None and len(value.split()) > self.max_words:
            return c.error(node, f"{where}: {len(value.split())} words; at most {self.max_words} are allowed",
                           "quote the shortest phrase that supports the fact")
        if not self.multiline and "\n" in value.strip():
            value = " ".join(value.split())
        return value

    def json(self):
        j: dict[str, Any] = {"type": ["string", "null"] if self.nullable else "string", "minLength": 1}
        if self.enum is not None:
            j["enum"] = list(self.enum) + ([None] if self.nullable else [])
        if self.pattern is not None:
            j["pattern"] = "^(?:" + self.pattern + ")$"
        return j

    def describe(self):
        if self.enum:
            return "one of " + ", ".join(f"`{e}`" for e in self.enum)
        return self.pattern_hint or "text"


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class Date(Kind):
    """A calendar date written YYYY-MM-DD."""

    nullable: bool = False

    def check(self, node, c, where):
        if self.nullable and _is_null(node):
            return None
        value = _scalar(node, c, where, "a date (YYYY-MM-DD)")
        if value is INVALID:
            return value
        if _DATE.fullmatch(value):
            try:
                return _dt.date.fromisoformat(value)
            except ValueError:
                pass
        return c.error(node, f"{where}: {value!r} is not a date", "write it as YYYY-MM-DD, e.g. 2024-11-25")

    def json(self):
        return {"type": ["string", "null"] if self.nullable else "string",
                "pattern": r"^\d{4}-\d{2}-\d{2}$", "format": "date"}

    def describe(self):
        return "a date, YYYY-MM-DD"


@dataclass
class Number(Kind):
    """A number; `integer` requires a whole number."""

    integer: bool = False
    minimum: float | None = None
    nullable: bool = False

    def check(self, node, c, where):
        if self.nullable and _is_null(node):
            return None
        value = _scalar(node, c, where, "a number")
        if value is INVALID:
            return value
        text = value.replace("_", "")
        try:
            number: float | int = int(text) if re.fullmatch(r"[-+]?\d+", text) else float(text)
        except ValueError:
            return c.error(node, f"{where}: {value!r} is not a number", "write digits only, e.g. 17000000 or 1.5")
        if not _plain(node):
            return c.error(node, f"{where}: a number must not be quoted")
        if self.integer and not isinstance(number, int):
            return c.error(node, f"{where}: {value!r} is not a whole number")
        if self.minimum is not None and number < self.minimum:
            return c.error(node, f"{where}: {value} is below the minimum of {self.minimum}")
        return number

    def json(self):
        kind = "integer" if self.integer else "number"
        j: dict[str, Any] = {"type": [kind, "null"] if self.nullable else kind}
        if self.minimum is not None:
            j["minimum"] = self.minimum
        return j

    def describe(self):
        return "a whole number" if self.integer else "a number"


@dataclass
class ListOf(Kind):
    """A list whose items are all of one kind."""

    item: Kind
    min_items: int = 0

    def check(self, node, c, where):
        if not isinstance(node, yaml.SequenceNode):
            if isinstance(node, yaml.ScalarNode) and self.min_items == 0 and _is_null(node):
                return []
            return c.error(node, f"{where}: expected a list (lines starting with '- ', or [a, b])")
        if len(node.value) < self.min_items:
            return c.error(node, f"{where}: needs at least {self.min_items} item(s), found {len(node.value)}")
        # Invalid items are reported and left out, so later checks still see the valid ones.
        values = [c.check(self.item, child, f"{where}[{i + 1}]") for i, child in enumerate(node.value)]
        return [v for v in values if v is not INVALID]

    def json(self):
        j: dict[str, Any] = {"type": "array", "items": self.item.json()}
        if self.min_items:
            j["minItems"] = self.min_items
        return j

    def describe(self):
        return f"a list of {self.item.describe()}"


@dataclass
class Field:
    """One key of a Record."""

    kind: Kind
    doc: str
    required: bool = False
    default: Any = None


@dataclass
class Record(Kind):
    """A mapping with known keys. Values come back as dicts with `_line` and `_column` added."""

    name: str
    doc: str
    fields: dict[str, Field] = field(default_factory=dict)
    example: str = ""

    def check(self, node, c, where):
        if not isinstance(node, yaml.MappingNode):
            found = "a list" if isinstance(node, yaml.SequenceNode) else f"{getattr(node, 'value', '')!r}"
            return c.error(node, f"{where}: expected a {self.name} (a mapping of key: value), found {found}")
        line, column = position(node)
        positions: dict[str, tuple[int, int]] = {}
        out: dict[str, Any] = {"_line": line, "_column": column, "_positions": positions}
        child = (lambda key: f"{where}.{key}") if where else (lambda key: key)
        where = where or "top level"
        ok = True
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is None:
                c.error(key_node, f"{where}: keys must be plain words")
                ok = False
                continue
            if key in seen:
                c.error(key_node, f"{where}: duplicate key {key!r}",
                        "YAML keeps only the last one silently; remove or rename one of them")
                ok = False
                continue
            seen.add(key)
            spec = self.fields.get(key)
            if spec is None:
                known = ", ".join(self.fields)
                c.error(key_node, f"{where}: unknown field {key!r} in a {self.name}", f"known fields: {known}")
                ok = False
                continue
            positions[key] = position(value_node)
            value = c.check(spec.kind, value_node, child(key))
            if value is INVALID:
                ok = ok and not spec.required  # a bad optional field is reported, and the record kept
                value = spec.default
            out[key] = value
        for key, spec in self.fields.items():
            if key not in seen:
                if spec.required:
                    c.error(node, f"{where}: missing field {key!r} in a {self.name}", f"{key}: {spec.doc}")
                    ok = False
                else:
                    out[key] = spec.default
        return out if ok else INVALID

    def json(self):
        return {
            "type": "object",
            "title": self.name,
            "description": self.doc,
            "properties": {k: {**f.kind.json(), "description": f.doc} for k, f in self.fields.items()},
            "required": [k for k, f in self.fields.items() if f.required],
            "additionalProperties": False,
        }

    def describe(self):
        return f"a {self.name}"


@dataclass
class Tagged(Kind):
    """One of several Records, chosen by the value of the `key` field (e.g. `type: money`)."""

    key: str
    variants: dict[str, Record]
    name: str = "value"

    def check(self, node, c, where):
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if getattr(key_node, "value", None) == self.key:
                    variant = self.variants.get(getattr(value_node, "value", None))
                    if variant is None:
                        return c.error(value_node, f"{where}.{self.key}: must be one of: {', '.join(self.variants)}")
                    return variant.check(node, c, where)
            return c.error(node, f"{where}: missing field {self.key!r}", f"one of: {', '.join(self.variants)}")
        return c.error(node, f"{where}: expected a {self.name} (a mapping with {self.key}: ...)")

    def json(self):
        return {"oneOf": [v.json() for v in self.variants.values()]}

    def describe(self):
        return f"a {self.name}: " + ", ".join(self.variants)


def tag_field(value: str, doc: str) -> Field:
    """The discriminating field of a Tagged variant."""
    return Field(Str(enum=(value,)), doc, required=True)


def json_schema(root: Record, title: str) -> dict:
    """Return a JSON Schema (draft 2020-12) document for `root`."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **root.json(), "title": title}


@dataclass
class MapOf(Kind):
    """A mapping from free keys (plain words) to values of one kind."""

    item: Kind

    def check(self, node, c, where):
        if not isinstance(node, yaml.MappingNode):
            return c.error(node, f"{where}: expected a mapping of name: value")
        out: dict[str, Any] = {}
        ok = True
        for key_node, value_node in node.value:
            key = getattr(key_node, "value", None)
            if not isinstance(key_node, yaml.ScalarNode) or key in out:
                c.error(key_node, f"{where}: duplicate or invalid key {key!r}")
                ok = False
                continue
            out[key] = c.check(self.item, value_node, f"{where}.{key}")
            ok = ok and out[key] is not INVALID
        return out if ok else INVALID

    def json(self):
        return {"type": "object", "additionalProperties": self.item.json()}

    def describe(self):
        return f"a mapping of names to {self.item.describe()}"


@dataclass
class Bool(Kind):
    """true or false."""

    def check(self, node, c, where):
        value = _scalar(node, c, where, "true or false")
        if value is INVALID:
            return value
        if node.tag != "tag:yaml.org,2002:bool" or not _plain(node):
            return c.error(node, f"{where}: expected true or false, found {value!r}")
        return value.lower() in ("true", "yes", "on")

    def json(self):
        return {"type": "boolean"}

    def describe(self):
        return "true or false"


def load_record(path: str, record: Record, label: str | None = None) -> dict:
    """Return the validated contents of a YAML file holding one `record`; raise InputError listing every problem."""
    label = label or path
    problems = Problems(label)
    root = compose(path, label)
    if root is None:
        problems.add(1, 1, f"the file is empty; expected a {record.name}")
        problems.raise_if_any()
    checker = Checker(problems)
    value = None if checker.reject_aliases(root) else checker.check(record, root, "")
    problems.raise_if_any()
    return value
