"""A small schema language for YAML input: validates the parser's events, exports JSON Schema.

One declaration serves three uses: checking a file (every problem at once, each with its
line and column), producing plain Python values for the loader, and `briefing schema`.

Values are read straight from libyaml's event stream, without building a node tree first: the
events carry positions, a duplicate key is seen as it comes, an alias is refused where it stands
(so an alias bomb never expands), and a fact base of ten thousand facts reads in well under a second.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, Callable

from yaml import (AliasEvent, MappingEndEvent, MappingStartEvent, ScalarEvent, SequenceEndEvent,
                  SequenceStartEvent, YAMLError)

from briefing.errors import InputError, Problems, did_you_mean
from briefing.inputs import FACTS_LIMIT, FILE_LIMIT
from briefing.mdtext import CONTROL, control_characters
from briefing.yamlsource import Events


class Invalid:
    """Marks a value that failed validation (its problem is already recorded)."""

    def __repr__(self) -> str:
        return "INVALID"


INVALID = Invalid()
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_TRUE = frozenset(("true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"))
_FALSE = frozenset(("false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"))
MAX_TEXT = 10_000
"""Characters in any one text value (a statement, a quote, a title); longer ones are refused."""
_START = (MappingStartEvent, SequenceStartEvent)
_END = (MappingEndEvent, SequenceEndEvent)


_ITEM = re.compile(r"\[\d+\]$")
"""The end of where a list item stands, e.g. `facts[105]`."""


def _a(noun: str) -> str:
    """`a fact`, `an audience`."""
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def position(event) -> tuple[int, int]:
    """Return the event's 1-based (line, column)."""
    mark = event.start_mark
    return mark.line + 1, mark.column + 1


class Reader:
    """Hands out parse events one at a time and collects the problems found in them."""

    def __init__(self, next_event: Callable[[], Any], problems: Problems, invalid: set | None = None):
        self.next = next_event
        """Return the next event."""
        self.problems = problems
        """Where problems go; `problems.file` is the file as messages name it."""
        self.invalid: set[tuple[str, str]] = set() if invalid is None else invalid
        """(record name, id) of each record with an id that was reported invalid and left out: cross-checks
        then need not also call a reference to it unknown."""
        self.alias_reported = False
        """An alias has been reported; one report per file is enough."""

    def alias(self, event, where: str) -> Invalid:
        """Report the first YAML alias of the file; aliases are never expanded."""
        if not self.alias_reported:
            self.alias_reported = True
            where = f"{where}: " if where else ""
            self.error(event, f"{where}a YAML alias (*{event.anchor}) stands here",
                       "aliases are not allowed in the fact base; write the value out in full")
        return INVALID

    def error(self, event, message: str, hint: str = "") -> Invalid:
        line, column = position(event)
        self.problems.add(line, column, message, hint)
        return INVALID

    def skip(self, event) -> None:
        """Consume the rest of the value that `event` starts."""
        if type(event) in _START:
            depth = 1
            while depth:
                e = self.next()
                kind = type(e)
                if kind in _START:
                    depth += 1
                elif kind in _END:
                    depth -= 1
                elif kind is AliasEvent:
                    self.alias(e, "")

    def subtree(self, event) -> list:
        """Return the events of the value that `event` starts, `event` first."""
        out = [event]
        if type(event) in _START:
            depth = 1
            while depth:
                e = self.next()
                out.append(e)
                if type(e) in _START:
                    depth += 1
                elif type(e) in _END:
                    depth -= 1
        return out


def _skip_to_end(r: Reader) -> None:
    """Consume the rest of the mapping or list being read, up to and including its end."""
    depth = 1
    while depth:
        kind = type(r.next())
        if kind in _START:
            depth += 1
        elif kind in _END:
            depth -= 1


def _plain(event) -> bool:
    """An unquoted scalar (the C parser says '' where the Python one says None)."""
    return not event.style


def _is_null(event) -> bool:
    return type(event) is ScalarEvent and not event.style and event.value in _NULLS


def _unexpected(event, r: Reader, where: str, what: str) -> Invalid:
    """Report a value of the wrong shape (or an alias) and consume it."""
    if type(event) is AliasEvent:
        return r.alias(event, where)
    found = {MappingStartEvent: "a mapping", SequenceStartEvent: "a list"}.get(type(event))
    if found is None:
        found = repr(event.value) if type(event) is ScalarEvent else "something else"
    r.skip(event)
    return r.error(event, f"{where}: expected {what}, found {found}")


class Kind:
    """A type of value. Subclasses implement read() and json()."""

    nullable: bool = False

    def read(self, event, r: Reader, where: str) -> Any:
        """Return the value that starts with `event` (consuming all of it), or INVALID."""
        raise NotImplementedError

    def json(self) -> dict:
        raise NotImplementedError


@dataclass
class Str(Kind):
    """A text value."""

    pattern: str | None = None
    pattern_hint: str = ""
    enum: tuple[str, ...] | None = None
    max_words: int | None = None
    nullable: bool = False
    multiline: bool = False
    max_length: int | None = None
    """At most this many characters (a document property such as the title holds 255)."""

    def read(self, event, r, where):
        if type(event) is not ScalarEvent:
            return _unexpected(event, r, where, "text")
        value = event.value
        style = event.style
        if not style and value in _NULLS:
            if self.nullable:
                return None
            return r.error(event, f"{where}: a value is required here", "write the text")
        if not value or value.isspace():
            return r.error(event, f"{where}: must not be empty")
        # The file's own text holds no control characters (yamlsource refuses them): only a double-quoted
        # scalar's escapes ("\x07", "\uFFFE") can make one.
        if style == '"' and CONTROL.search(value):
            bad = control_characters(value)
            return r.error(event, f"{where}: contains characters that documents cannot hold ({', '.join(bad)})",
                           "remove them; they are often pasted in from PDFs or spreadsheets")
        if len(value) > self._limit:
            if self.max_length is None:
                return r.error(event, f"{where}: {len(value):,} characters; at most {MAX_TEXT:,} are allowed",
                               "shorten it; a value holds a sentence or a few, not a document")
            return r.error(event, f"{where}: {len(value)} characters; at most {self.max_length} are allowed",
                           "shorten it; it is written into the document's file properties")
        if self._checked:
            if self.enum is not None and value not in self.enum:
                return r.error(event, f"{where}: {value!r} is not one of: {', '.join(self.enum)}")
            if self._regex is not None and not self._regex.fullmatch(value):
                return r.error(event, f"{where}: {value!r} is not {self.pattern_hint or 'valid'}")
            if self.max_words is not None and value.count(" ") >= self.max_words and \
                    len(value.split()) > self.max_words:
                return r.error(event, f"{where}: {len(value.split())} words; at most {self.max_words} are allowed",
                               "quote the shortest phrase that supports the fact")
        if "\n" in value and not self.multiline:
            value = " ".join(value.split())
        return value

    def __post_init__(self):
        self._regex = re.compile(self.pattern) if self.pattern is not None else None
        self._limit = self.max_length or MAX_TEXT
        self._checked = self.enum is not None or self.pattern is not None or self.max_words is not None

    def json(self):
        j: dict[str, Any] = {"type": ["string", "null"] if self.nullable else "string", "minLength": 1}
        if self.enum is not None:
            j["enum"] = list(self.enum) + ([None] if self.nullable else [])
        if self.pattern is not None:
            j["pattern"] = "^(?:" + self.pattern + ")$"
        return j


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class Date(Kind):
    """A calendar date written YYYY-MM-DD; with `year_ok`, a year alone (YYYY) too, read as an int."""

    nullable: bool = False
    year_ok: bool = False
    earliest: _dt.date | None = None
    latest: _dt.date | None = None
    range_hint: str = ""
    """Why the date must lie between `earliest` and `latest`."""

    def read(self, event, r, where):
        if self.nullable and _is_null(event):
            return None
        if type(event) is not ScalarEvent:
            return _unexpected(event, r, where, "a date (YYYY-MM-DD)")
        value = event.value
        if self.year_ok and _plain(event) and re.fullmatch(r"\d{4}", value):
            return int(value)
        if _DATE.fullmatch(value):
            try:
                day = _dt.date.fromisoformat(value)
            except ValueError:
                pass
            else:
                if (self.earliest and day < self.earliest) or (self.latest and day > self.latest):
                    return r.error(event, f"{where}: {value} is outside {self.earliest} to {self.latest}",
                                   self.range_hint)
                return day
        return r.error(event, f"{where}: {value!r} is not a date", "write it as YYYY-MM-DD, e.g. 2024-11-25")

    def json(self):
        date = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "format": "date"}
        kinds = [date] + ([{"type": "integer", "minimum": 1000, "maximum": 9999}] if self.year_ok else []) + (
            [{"type": "null"}] if self.nullable else [])
        return kinds[0] if len(kinds) == 1 else {"anyOf": kinds}


def _finite(number: float | int) -> bool:
    """False for nan, infinity and whole numbers too large to be written as a float."""
    try:
        return math.isfinite(number)
    except OverflowError:
        return False


@dataclass
class Number(Kind):
    """A number; `integer` requires a whole number."""

    integer: bool = False
    minimum: float | None = None
    nullable: bool = False

    def read(self, event, r, where):
        if self.nullable and _is_null(event):
            return None
        if type(event) is not ScalarEvent:
            return _unexpected(event, r, where, "a number")
        value = event.value
        text = value.replace("_", "")
        try:
            number: float | int = int(text) if re.fullmatch(r"[-+]?\d+", text) else float(text)
        except ValueError:
            return r.error(event, f"{where}: {value!r} is not a number", "write digits only, e.g. 17000000 or 1.5")
        if not _plain(event):
            return r.error(event, f"{where}: a number must not be quoted")
        if not _finite(number):
            return r.error(event, f"{where}: {value!r} is not a finite number", "write digits only, e.g. 17000000")
        if self.integer and not isinstance(number, int):
            return r.error(event, f"{where}: {value!r} is not a whole number")
        if self.minimum is not None and number < self.minimum:
            return r.error(event, f"{where}: {value} is below the minimum of {self.minimum}")
        return number

    def json(self):
        kind = "integer" if self.integer else "number"
        j: dict[str, Any] = {"type": [kind, "null"] if self.nullable else kind}
        if self.minimum is not None:
            j["minimum"] = self.minimum
        return j


@dataclass
class ListOf(Kind):
    """A list whose items are all of one kind."""

    item: Kind
    min_items: int = 0

    def read(self, event, r, where):
        if type(event) is not SequenceStartEvent:
            if self.min_items == 0 and _is_null(event):
                return []
            return _unexpected(event, r, where, "a list (lines starting with '- ', or [a, b])")
        # Invalid items are reported and left out, so later checks still see the valid ones.
        values, count, read, next_event = [], 0, self.item.read, r.next
        while True:
            e = next_event()
            if type(e) is SequenceEndEvent:
                break
            count += 1
            v = read(e, r, f"{where}[{count}]")
            if v is not INVALID:
                values.append(v)
        if count < self.min_items:
            return r.error(event, f"{where}: needs at least {self.min_items} item(s), found {count}")
        return values

    def json(self):
        j: dict[str, Any] = {"type": "array", "items": self.item.json()}
        if self.min_items:
            j["minItems"] = self.min_items
        return j


@dataclass
class Field:
    """One key of a Record."""

    kind: Kind
    doc: str
    required: bool = False
    default: Any = None


_KEY_ORDERS: dict[tuple[str, ...], tuple[str, ...]] = {}
"""One shared tuple per order of keys met, so that a hundred thousand records keep one each."""


class Positions(Mapping):
    """Where a record and the value of each of its keys stand: `positions[key]` is a 1-based (line, column).

    Compact, for records kept by the hundred thousand: one key tuple shared by records with the same keys
    in the same order, and line offsets from the record's line (small numbers Python does not allocate)."""

    __slots__ = ("line", "column", "_keys", "_at")

    def __init__(self, line: int, column: int, keys: tuple[str, ...], at: tuple[int, ...]):
        self.line = line
        """Line of the record itself."""
        self.column = column
        """Column of the record itself."""
        self._keys = keys
        self._at = at  # for each key: line - self.line, column

    def __getitem__(self, key: str) -> tuple[int, int]:
        try:
            i = 2 * self._keys.index(key)
        except ValueError:
            raise KeyError(key) from None
        return self.line + self._at[i], self._at[i + 1]

    def __iter__(self):
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __hash__(self) -> int:  # immutable, so records holding it may be frozen dataclasses
        return hash(frozenset(self.items()))

    def __repr__(self) -> str:
        return f"Positions({dict(self.items())})"


@dataclass
class Record(Kind):
    """A mapping with known keys.

    Values come back as dicts with `_line`, `_column` and `_positions` (key -> (line, column)) added; or, when
    the record has a `build` function, as what `build(values, positions, reader)` returns from the plain dict
    of values and a compact Positions (it may report problems through `reader.problems`)."""

    name: str
    doc: str
    fields: dict[str, Field] = field(default_factory=dict)
    build: Callable[[dict, Positions, "Reader"], Any] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self):  # the fields are fixed once declared: what reading needs, worked out once
        self._reads = {key: f.kind.read for key, f in self.fields.items()}
        self._required = frozenset(key for key, f in self.fields.items() if f.required)
        self._defaults = {key: f.default for key, f in self.fields.items() if not f.required}

    def read(self, event, r, where):
        if type(event) is not MappingStartEvent:
            found = event.value if type(event) is ScalarEvent else None
            if found is not None:
                return r.error(event, f"{where or 'top level'}: expected {_a(self.name)} (a mapping of key: value), "
                               f"found {found!r}")
            return _unexpected(event, r, where or "top level", f"{_a(self.name)} (a mapping of key: value)")
        mark = event.start_mark
        line, column = mark.line + 1, mark.column + 1
        at: list[int] = []  # line offset and column of the value of each key in `out`, in order
        out: dict[str, Any] = {}
        prefix = where + "." if where else ""
        where = where or "top level"
        reads = self._reads
        ok = True
        next_event = r.next
        append = at.append
        while True:
            key_event = next_event()
            if type(key_event) is not ScalarEvent:
                if type(key_event) is MappingEndEvent:
                    break
                # a list or mapping as a key (`? [a, b]`), or an alias
                r.skip(key_event)
                r.skip(next_event())
                r.error(key_event, f"{where}: keys must be plain words")
                ok = False
                continue
            value_event = next_event()
            key = key_event.value
            read = reads.get(key)
            if read is None:
                r.error(key_event, f"{where}: unknown field {key!r} in {_a(self.name)}"
                        f"{did_you_mean(key, self.fields)}", f"known fields: {', '.join(self.fields)}")
                r.skip(value_event)
                ok = False
                continue
            if key in out:
                r.error(key_event, f"{where}: duplicate key {key!r}",
                        "YAML keeps only the last one silently; remove or rename one of them")
                r.skip(value_event)
                ok = False
                continue
            mark = value_event.start_mark
            append(mark.line + 1 - line)
            append(mark.column + 1)
            value = read(value_event, r, prefix + key)
            if value is INVALID:
                spec = self.fields[key]
                ok = ok and not spec.required  # a bad optional field is reported, and the record kept
                value = spec.default
            elif key == "id" and isinstance(value, str) and where.endswith("]") and _ITEM.search(where):
                # from here on, problems name the item as a person would: "fact 'trade.volume', statement"
                where = f"{self.name} {value!r}"
                prefix = where + ", "
            out[key] = value
        keys = tuple(out)
        if len(out) < len(self.fields):
            if not self._required <= out.keys():
                for key, spec in self.fields.items():
                    if spec.required and key not in out:
                        r.error(event, f"{where}: missing field {key!r} in {_a(self.name)}", f"{key}: {spec.doc}")
                ok = False
            if self.build is not None:
                out = {**self._defaults, **out}  # a builder reads values by key: their order does not matter
            else:
                for key, default in self._defaults.items():
                    if key not in out:
                        out[key] = default
        if not ok:
            if isinstance(out.get("id"), str):
                r.invalid.add((self.name, out["id"]))
            return INVALID
        if self.build is not None:
            return self.build(out, Positions(line, column, _KEY_ORDERS.setdefault(keys, keys), tuple(at)), r)
        positions = {key: (line + at[2 * i], at[2 * i + 1]) for i, key in enumerate(keys)}
        return {"_line": line, "_column": column, "_positions": positions, **out}

    def json(self):
        return {
            "type": "object",
            "title": self.name,
            "description": self.doc,
            "properties": {k: {**f.kind.json(), "description": f.doc} for k, f in self.fields.items()},
            "required": [k for k, f in self.fields.items() if f.required],
            "additionalProperties": False,
        }


@dataclass
class Tagged(Kind):
    """One of several Records, chosen by the value of the `key` field (e.g. `type: money`)."""

    key: str
    variants: dict[str, Record]
    name: str = "value"

    def read(self, event, r, where):
        if type(event) is not MappingStartEvent:
            return _unexpected(event, r, where, f"{_a(self.name)} (a mapping with {self.key}: ...)")
        # Read up to the tag (usually the first key), keeping what was read; the chosen variant then reads
        # the mapping from its start: what was kept, then the rest of the stream.
        kept = []
        next_event = r.next
        while True:
            key = next_event()
            if type(key) is MappingEndEvent:
                return r.error(event, f"{where}: missing field {self.key!r}", f"one of: {', '.join(self.variants)}")
            kept += r.subtree(key)  # a key may itself be a list (`? [a, b]`)
            value = next_event()
            if type(key) is ScalarEvent and key.value == self.key:
                variant = self.variants.get(value.value) if type(value) is ScalarEvent else None
                if variant is None:
                    r.skip(value)
                    _skip_to_end(r)
                    return r.error(value, f"{where}.{self.key}: must be one of: {', '.join(self.variants)}")
                stream = chain(kept, (value,), iter(next_event, None))
                return variant.read(event, Reader(stream.__next__, r.problems, r.invalid), where)
            kept += r.subtree(value)

    def json(self):
        return {"oneOf": [v.json() for v in self.variants.values()]}


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

    def read(self, event, r, where):
        if type(event) is not MappingStartEvent:
            return _unexpected(event, r, where, "a mapping of name: value")
        out: dict[str, Any] = {}
        ok = True
        while True:
            key_event = r.next()
            if type(key_event) is MappingEndEvent:
                break
            r.skip(key_event)  # a list or mapping as a key (`? [a, b]`) is consumed before its value
            value_event = r.next()
            key = getattr(key_event, "value", None)
            if type(key_event) is not ScalarEvent or key in out:
                r.skip(value_event)
                r.error(key_event, f"{where}: duplicate or invalid key {key!r}")
                ok = False
                continue
            out[key] = self.item.read(value_event, r, f"{where}.{key}")
            ok = ok and out[key] is not INVALID
        return out if ok else INVALID

    def json(self):
        return {"type": "object", "additionalProperties": self.item.json()}


@dataclass
class Bool(Kind):
    """true or false."""

    def read(self, event, r, where):
        if type(event) is not ScalarEvent:
            return _unexpected(event, r, where, "true or false")
        if not _plain(event) or (event.value not in _TRUE and event.value not in _FALSE):
            return r.error(event, f"{where}: expected true or false, found {event.value!r}")
        return event.value in _TRUE

    def json(self):
        return {"type": "boolean"}


def keys_table(record: Record) -> str:
    """Return a Markdown table of the record's keys: whether each is required, its default, what it means."""
    rows = ["| key | required | default | what it does |", "| --- | --- | --- | --- |"]
    for name, f in record.fields.items():
        if f.required:
            default = ""
        elif f.default is None or f.default == "":
            default = "none" if f.default is None else "empty"
        elif isinstance(f.default, bool):
            default = f"`{str(f.default).lower()}`"
        else:
            default = f"`{f.default}`"
        rows.append(f"| `{name}` | {'yes' if f.required else 'no'} | {default} | {f.doc.replace('|', '/')} |")
    return "\n".join(rows)


def read_document(path: str, record: Record, label: str | None = None, limit: int = FACTS_LIMIT,
                  invalid: set | None = None) -> tuple[Any, Problems]:
    """Return (value, problems) for the YAML file at `path`, holding one `record`.

    The value is INVALID when the record as a whole is; the problems are not raised, so that callers
    can add cross-checks first (`invalid`, when given, collects the ids of the records left out as invalid:
    see Reader.invalid). Unreadable files and YAML syntax errors raise InputError at once."""
    label = label or path
    problems = Problems(label)
    events = Events(path, label, limit)
    try:
        first = events.start()
        if first is None:
            problems.add(1, 1, f"the file is empty; expected {_a(record.name)}")
            return INVALID, problems
        value = record.read(first, Reader(events.next, problems, invalid), "")
        events.finish()
    except YAMLError as e:
        # a syntax error: what was read before it may be misread, so it alone is reported
        raise InputError(events.problem(e)) from None
    finally:
        events.close()
    return value, problems


def load_record(path: str, record: Record, label: str | None = None, limit: int = FILE_LIMIT) -> Any:
    """Return the validated contents of the YAML file at `path`; raise InputError listing every problem."""
    value, problems = read_document(path, record, label, limit)
    problems.raise_if_any()
    return value


# --- typed settings: one declaration gives the schema and the object ------------------------------

def setting(kind: Kind | type, doc: str, *, required: bool = False, default: Any = None) -> Any:
    """Declare one key of a settings file as a dataclass field: its kind and meaning for the schema, its default
    for the object. `record_of` collects these into the Record that validates the file. A dataclass as `kind`
    is a nested mapping of its own settings, which `instance` makes into that dataclass."""
    import dataclasses

    nested = kind if isinstance(kind, type) else None
    if nested is not None:
        kind = record_of(nested, nested.__name__.lower(), (nested.__doc__ or "").split("\n")[0])
    spec = Field(kind, doc, required, default)
    metadata = {"schema": spec, "type": nested}
    if isinstance(default, (list, dict)):
        return dataclasses.field(default_factory=lambda: type(default)(default), metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def record_of(cls: type, name: str, doc: str) -> Record:
    """Return the Record that validates a file of `cls`: one key per field declared with `setting`."""
    import dataclasses

    return Record(name, doc, {f.name: f.metadata["schema"] for f in dataclasses.fields(cls) if "schema" in f.metadata})


def positions_of(data: dict) -> dict[str, tuple[int, int]]:
    """The (line, column) of each key of a validated record, and of the record itself under ''."""
    return {"": (data["_line"], data["_column"]), **data["_positions"]}


def instance(cls: type, data: dict, **extra: Any) -> Any:
    """Return the `cls` object of a validated record: its values (no positions) and the `extra` fields."""
    import dataclasses

    values = {}
    for f in dataclasses.fields(cls):
        if "schema" not in f.metadata:
            continue
        value = data[f.name]
        if f.metadata.get("type") is not None and isinstance(value, dict):
            value = instance(f.metadata["type"], value)
        values[f.name] = tuple(value) if isinstance(value, list) else value
    return cls(**values, **extra)
