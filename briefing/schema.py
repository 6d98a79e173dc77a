"""A small schema language for YAML input: validates a file's lines or its parser events, exports JSON Schema.

One declaration serves three uses: checking a file (every problem at once, each with its
line and column), producing plain Python values for the loader, and `briefing schema`.

Values are read without building a node tree first, in one of two ways that give the same values and
positions. A file in the plain block style (`yamlsource.plain_rows`: a key or list item a line, each value on
its key's line) is read a line at a time against the schema (`_Lines`): 100,000 facts, 1.2 million lines, load
in half the time it takes to make a Python object of each of libyaml's 3.8 million events and walk them. At
anything beyond that style, and at the first problem, the file is read again from libyaml's event stream,
which reports every problem at its position: a duplicate key is seen as it comes, an alias is refused where it
stands (so an alias bomb never expands). A scalar's rules are written once (`Kind.check`) for both readers.
"""

from __future__ import annotations

import codecs
import datetime as _dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, Callable, NamedTuple

from yaml import (AliasEvent, MappingEndEvent, MappingStartEvent, ScalarEvent, SequenceEndEvent,
                  SequenceStartEvent, YAMLError)

from briefing.errors import InputError, Problems, did_you_mean
from briefing.inputs import FACTS_LIMIT, FILE_LIMIT, decode, read_bytes
from briefing.mdtext import CONTROL, control_characters
from briefing.yamlsource import Events, Unplain, plain_rows
from briefing.yamlsource import value as yaml_value


class Invalid:
    """Marks a value that failed validation (its problem is already recorded)."""

    def __repr__(self) -> str:
        return "INVALID"


INVALID = Invalid()


class Wrong(NamedTuple):
    """Why a scalar is refused: the message (after `where: `) and what to do about it."""

    message: str
    hint: str = ""


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


_NOT_A_SCALAR = Wrong("not a scalar")


class Kind:
    """A type of value. Subclasses implement read() and json(), and check() where a value may be a scalar."""

    nullable: bool = False

    def read(self, event, r: Reader, where: str) -> Any:
        """Return the value that starts with `event` (consuming all of it), or INVALID."""
        raise NotImplementedError

    def check(self, value: str, style: str) -> Any:
        """Return what a scalar of this text and style ('' plain, "'" or '"' quoted) stands for, or a Wrong."""
        return _NOT_A_SCALAR

    def json(self) -> dict:
        raise NotImplementedError


class _Scalar(Kind):
    """A kind whose values are scalars: read() takes an event's text and style to check()."""

    expected = "a scalar"
    """What a value of the wrong shape is told it should have been."""

    def read(self, event, r, where):
        if type(event) is not ScalarEvent:
            return _unexpected(event, r, where, self.expected)
        value = self.check(event.value, event.style)
        if type(value) is Wrong:
            return r.error(event, f"{where}: {value.message}", value.hint)
        return value


@dataclass
class Str(_Scalar):
    """A text value."""

    expected = "text"

    pattern: str | None = None
    pattern_hint: str = ""
    enum: tuple[str, ...] | None = None
    max_words: int | None = None
    nullable: bool = False
    multiline: bool = False
    max_length: int | None = None
    """At most this many characters (a document property such as the title holds 255)."""

    def check(self, value, style):
        if not style and value in _NULLS:
            return None if self.nullable else Wrong("a value is required here", "write the text")
        if not value or value.isspace():
            return Wrong("must not be empty")
        # The file's own text holds no control characters (yamlsource refuses them): only a double-quoted
        # scalar's escapes ("\x07", "\uFFFE") can make one.
        if style == '"' and not value.isprintable() and CONTROL.search(value):  # no printable one is
            bad = control_characters(value)
            return Wrong(f"contains characters that documents cannot hold ({', '.join(bad)})",
                         "remove them; they are often pasted in from PDFs or spreadsheets")
        if len(value) > self._limit:
            if self.max_length is None:
                return Wrong(f"{len(value):,} characters; at most {MAX_TEXT:,} are allowed",
                             "shorten it; a value holds a sentence or a few, not a document")
            return Wrong(f"{len(value)} characters; at most {self.max_length} are allowed",
                         "shorten it; it is written into the document's file properties")
        if self._checked:
            if self.enum is not None and value not in self.enum:
                return Wrong(f"{value!r} is not one of: {', '.join(self.enum)}")
            if self._regex is not None and not self._regex.fullmatch(value):
                return Wrong(f"{value!r} is not {self.pattern_hint or 'valid'}")
            if self.max_words is not None and value.count(" ") >= self.max_words and \
                    len(value.split()) > self.max_words:
                return Wrong(f"{len(value.split())} words; at most {self.max_words} are allowed",
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
_YEAR = re.compile(r"\d{4}")
_INTEGER = re.compile(r"[-+]?\d+")


@dataclass
class Date(_Scalar):
    """A calendar date written YYYY-MM-DD; with `year_ok`, a year alone (YYYY) too, read as an int."""

    expected = "a date (YYYY-MM-DD)"

    nullable: bool = False
    year_ok: bool = False
    earliest: _dt.date | None = None
    latest: _dt.date | None = None
    range_hint: str = ""
    """Why the date must lie between `earliest` and `latest`."""

    def check(self, value, style):
        if self.nullable and not style and value in _NULLS:
            return None
        if self.year_ok and not style and _YEAR.fullmatch(value):
            return int(value)
        if _DATE.fullmatch(value):
            try:
                day = _dt.date.fromisoformat(value)
            except ValueError:
                pass
            else:
                if (self.earliest and day < self.earliest) or (self.latest and day > self.latest):
                    return Wrong(f"{value} is outside {self.earliest} to {self.latest}", self.range_hint)
                return day
        return Wrong(f"{value!r} is not a date", "write it as YYYY-MM-DD, e.g. 2024-11-25")

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
class Number(_Scalar):
    """A number; `integer` requires a whole number."""

    expected = "a number"

    integer: bool = False
    minimum: float | None = None
    nullable: bool = False

    def check(self, value, style):
        if self.nullable and not style and value in _NULLS:
            return None
        text = value.replace("_", "")
        try:
            number: float | int = int(text) if _INTEGER.fullmatch(text) else float(text)
        except ValueError:
            return Wrong(f"{value!r} is not a number", "write digits only, e.g. 17000000 or 1.5")
        if style:
            return Wrong("a number must not be quoted")
        if not _finite(number):
            return Wrong(f"{value!r} is not a finite number", "write digits only, e.g. 17000000")
        if self.integer and not isinstance(number, int):
            return Wrong(f"{value!r} is not a whole number")
        if self.minimum is not None and number < self.minimum:
            return Wrong(f"{value} is below the minimum of {self.minimum}")
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

    def check(self, value, style):
        if self.min_items == 0 and not style and value in _NULLS:
            return []
        return _NOT_A_SCALAR

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
        self._kinds = {key: f.kind for key, f in self.fields.items()}
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
        if not self._required <= out.keys():
            for key, spec in self.fields.items():
                if spec.required and key not in out:
                    r.error(event, f"{where}: missing field {key!r} in {_a(self.name)}", f"{key}: {spec.doc}")
            ok = False
        if not ok:
            if isinstance(out.get("id"), str):
                r.invalid.add((self.name, out["id"]))
            return INVALID
        return self.complete(out, line, column, at, r)

    def complete(self, out: dict, line: int, column: int, at: list[int], r: Reader) -> Any:
        """Return the record read at (line, column) from its values `out` (all valid, every required key
        present) and `at`, the line offset and column of each one's value in order: the defaults added, and
        built (see the class) or given its positions."""
        keys = tuple(out)
        build = self.build
        if len(out) < len(self.fields):
            if build is not None:
                out = {**self._defaults, **out}  # a builder reads values by key: their order does not matter
            else:
                for key, default in self._defaults.items():
                    if key not in out:
                        out[key] = default
        if build is not None:
            return build(out, Positions(line, column, _KEY_ORDERS.setdefault(keys, keys), tuple(at)), r)
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
class Bool(_Scalar):
    """true or false."""

    expected = "true or false"

    def check(self, value, style):
        if style or (value not in _TRUE and value not in _FALSE):
            return Wrong(f"expected true or false, found {value!r}")
        return value in _TRUE

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
    data = read_bytes(path, label, limit)
    text = decode(data, label)
    bom = data[:3] == codecs.BOM_UTF8
    del data  # the text holds all of it (a large file's bytes would add a third to the memory at its peak)
    problems = Problems(label)
    try:
        value = _Lines(Reader(_no_events, problems, set())).read(text, record)
    except Unplain:
        pass
    else:
        if not problems.items:  # else read again: the events give each problem in order, with what it leaves out
            return value, problems
        problems = Problems(label)
    data = (codecs.BOM_UTF8 if bom else b"") + text.encode()  # the bytes as read: decode() took strict UTF-8
    del text
    events = Events(data, label)
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


def _no_events():
    raise AssertionError("a record read from lines asked for a parse event")


_SCALAR_STYLES = frozenset(("", "'", '"'))
_READS = (_Scalar.read, ListOf.read, Record.read, Tagged.read, MapOf.read)
"""The read() methods whose rules for a scalar are those of check(), which the plain reading uses."""
_LEFT_TO_EVENTS = Kind()
"""Stands in the plain reading for a kind it leaves to the events: no value is one of it."""
_UNSEEN = object()
_MEMO_SIZE = 4096
"""Plain scalars whose value each kind remembers while reading a file: most files repeat a few words often."""


class _Plan:
    """How the plain reading reads values of one kind: the kind, what its values are made of, and a memo."""

    __slots__ = ("kind", "memo", "fields", "item", "variants", "mapping")

    def __init__(self, kind: Kind):
        self.kind = kind
        self.memo: dict[str, Any] = {}
        """The values of the plain scalars read so far (at most _MEMO_SIZE): checking a scalar has no side effects,
        so the same text stands for the same value."""
        self.fields: dict[str, _Plan] | None = None
        """A Record's plan for each key."""
        self.item: _Plan | None = None
        """A ListOf's or MapOf's plan for its items."""
        self.variants: dict[str, _Plan] | None = None
        """A Tagged's plan for each variant, by tag."""
        self.mapping = type(kind) in (Record, Tagged, MapOf)
        """A mapping stands for a value of this kind."""


class _Lines:
    """Reads a file in the plain block style (yamlsource.plain_rows) against a Record, a line at a time, giving
    the values and positions that reading its events gives; raises Unplain where the text goes beyond that
    style, or where anything in it is wrong (the caller then reads the events, which report it).

    An open mapping or list is a frame, [indent, plan, values, at, line, column, key]: the indentation its keys
    or dashes stand at (a string of spaces); the _Plan of its kind (a Record, a Tagged until its first key, a
    MapOf or a ListOf); the values read so far (a dict, or a list); a mapping's positions (for each value a line
    offset from `line` and a column, as in Positions; None for a list); the 1-based line and column it starts
    at; its key in the mapping that holds it (None in a list)."""

    def __init__(self, r: Reader):
        self.r = r
        """Records built may report problems through it."""
        self._plans: dict[int, _Plan] = {}

    def plan(self, kind: Kind) -> _Plan:
        """The plan for `kind`, made once per file. A kind with a read() of its own (a subclass adding rules
        there) is left to the events: the plain reading knows only the rules of check()."""
        plan = self._plans.get(id(kind))
        if plan is None:
            plan = self._plans[id(kind)] = _Plan(kind if type(kind).read in _READS else _LEFT_TO_EVENTS)
            if type(kind) is Record:
                plan.fields = {key: self.plan(field) for key, field in kind._kinds.items()}
            elif type(kind) in (ListOf, MapOf):
                plan.item = self.plan(kind.item)
            elif type(kind) is Tagged:
                plan.variants = {tag: self.plan(variant) for tag, variant in kind.variants.items()}
        return plan

    @staticmethod
    def scalar(plan: _Plan, text: str, style: str) -> Any:
        """The value of a scalar, checked by the plan's kind."""
        memo = plan.memo
        if not style:
            found = memo.get(text, _UNSEEN)
            if found is not _UNSEEN:
                return found
        found = plan.kind.check(text, style)
        if type(found) is Wrong:
            raise Unplain
        if not style and len(memo) < _MEMO_SIZE and type(found) is not list:  # a list would be shared
            memo[text] = found
        return found

    def value(self, plan: _Plan, found: Any, style: str, line: int, column: int) -> Any:
        """The value that a scalar, or a flow list or mapping, read by yamlsource stands for (see its `value`)."""
        if style in _SCALAR_STYLES:
            return self.scalar(plan, found, style)
        if style == "[":
            item, scalar = plan.item, self.scalar
            if type(plan.kind) is not ListOf or len(found) < plan.kind.min_items:
                raise Unplain
            return [scalar(item, text, item_style) for text, item_style in found]
        frame = self.mapping(plan, "", line, None)
        frame[5] = column
        values, at, scalar = frame[2], frame[3], self.scalar
        if found:  # the first key chooses a tagged mapping's variant
            key, text, entry_style, entry_column = found[0]
            values[key] = scalar(self.entry(frame, key, text, entry_style), text, entry_style)
            at += (0, entry_column)
        fields = frame[1].fields
        for key, text, entry_style, entry_column in found[1:]:
            entry = fields.get(key) if fields is not None else frame[1].item
            if entry is None or key in values:
                raise Unplain  # an unknown or duplicate key
            values[key] = scalar(entry, text, entry_style)
            at += (0, entry_column)
        return self.close(frame)

    @staticmethod
    def mapping(plan: _Plan, indent: str, line: int, key: str | None) -> list:
        """A new open mapping whose keys stand after `indent`, starting on `line`, held under `key`."""
        if not plan.mapping:
            raise Unplain
        return [indent, plan, {}, [], line, len(indent) + 1, key]

    @staticmethod
    def list(plan: _Plan, indent: str, line: int, key: str | None) -> list:
        """A new open list whose dashes stand after `indent`, starting on `line`, held under `key`."""
        if type(plan.kind) is not ListOf:
            raise Unplain
        return [indent, plan, [], None, line, len(indent) + 1, key]

    @staticmethod
    def entry(frame: list, key: str, value: Any, style: str | None) -> _Plan:
        """The plan for the value of `key` in the open mapping `frame`; a tagged mapping's first key chooses its
        variant (the events also read a tag that comes later)."""
        plan = frame[1]
        if plan.variants is not None:
            if key != plan.kind.key or style not in _SCALAR_STYLES:
                raise Unplain
            plan = frame[1] = plan.variants.get(value)
            if plan is None:
                raise Unplain
        if key in frame[2]:
            raise Unplain  # a duplicate key
        if plan.fields is None:
            return plan.item  # a MapOf
        found = plan.fields.get(key)
        if found is None:
            raise Unplain  # an unknown key
        return found

    def close(self, frame: list) -> Any:
        """The value of an open mapping or list whose last line has been read."""
        plan, values = frame[1], frame[2]
        if plan.fields is not None:  # a Record
            if not plan.kind._required <= values.keys():
                raise Unplain
            return plan.kind.complete(values, frame[4], frame[5], frame[3], self.r)
        if type(values) is list:
            if len(values) < plan.kind.min_items:
                raise Unplain
            return values
        if plan.variants is not None:  # a tagged mapping without its tag
            raise Unplain
        return values  # a MapOf

    def end(self, frame: list, holder: list) -> None:
        """Close `frame` and put its value in `holder`, the frame that holds it."""
        if frame[6] is None:
            holder[2].append(self.close(frame))
        else:
            holder[2][frame[6]] = self.close(frame)

    def read(self, text: str, root: Record) -> Any:
        """The value of `text`, which holds one `root`."""
        stack: list[list] = []  # the open frames that hold `top`
        top: list = []  # the innermost open frame; what is read of it on every line is kept apart too:
        top_indent = values = at = line = fields = None  # fields: for a Record, the plan of each key
        key_at = 0  # 3 + the length of top_indent: the column of the value of a key of length 0
        pending = None  # (key, plan, line, column): a key with nothing after it; its value is on the lines below
        number = 0
        scalar, value, close, end, unseen = self.scalar, self.value, self.close, self.end, _UNSEEN
        for rows in plain_rows(text):
            for indent, dash, key, quoted, plain, other in rows:
                number += 1
                if dash and key and pending is None and at is not None and top[6] is None and stack and \
                        stack[-1][0] == indent and stack[-1][1].item.fields is not None:
                    # The next record in a list of records: the one before it ends.
                    holder = stack[-1]
                    holder[2].append(close(top))
                    plan = holder[1].item
                    top = [top_indent, plan, {}, [], number, len(top_indent) + 1, None]
                    values, at, line, fields = top[2], top[3], number, plan.fields
                elif dash or indent != top_indent or pending is not None or fields is None or not key:
                    # Anything but a key of the record being read: what the line holds, where it stands.
                    if not key:  # a list item's value, a comment, nothing
                        if plain:
                            found, style, column = plain, "", len(indent) + 3
                        elif quoted:
                            found, style, column = quoted[1:-1], '"', len(indent) + 3
                        elif other:
                            found, style, column = yaml_value(other, len(indent) + len(dash))
                        else:
                            style = None
                        if not dash:
                            if style is None:
                                continue  # a blank line or a comment
                            raise Unplain  # a value alone: continued from the line above, a document marker, ...
                        if style is None:
                            raise Unplain  # a dash alone: its item is on the lines below
                    width = len(indent)
                    if pending is not None:
                        held, plan, held_line, held_column = pending
                        pending = None
                        if width > len(top_indent) or (dash and indent == top_indent):  # its value starts here
                            at += (number - line, width + 1)
                            stack.append(top)
                            top = self.list(plan, indent, number, held) if dash else \
                                self.mapping(plan, indent, number, held)
                            top_indent, values, at, line, fields = indent, top[2], top[3], number, plan.fields
                            key_at = width + 3
                        else:
                            values[held] = value(plan, "", "", held_line, held_column)  # null
                            at += (held_line - line, held_column)
                    elif not top:  # the first line: the root mapping
                        if dash:
                            raise Unplain
                        plan = self.plan(root)
                        top = self.mapping(plan, indent, number, None)
                        top_indent, values, at, line, fields = indent, top[2], top[3], number, plan.fields
                        key_at = width + 3
                    while width < len(top_indent) or (indent == top_indent and not dash and at is None):
                        if not stack:  # the line ends the root mapping
                            raise Unplain
                        holder = stack.pop()
                        end(top, holder)
                        top = holder
                        top_indent, values, at, line, fields = top[0], top[2], top[3], top[4], top[1].fields
                        key_at = len(top_indent) + 3
                    if indent != top_indent:
                        raise Unplain  # a value continued from the line above, or indentation libyaml refuses
                    if dash:
                        if at is not None:
                            raise Unplain  # a dash in a mapping
                        plan = top[1].item
                        if not key:
                            values.append(value(plan, found, style, number, column))
                            continue
                        stack.append(top)
                        top = self.mapping(plan, indent + "  ", number, None)
                        top_indent, values, at, line, fields = top[0], top[2], top[3], number, plan.fields
                        key_at = width + 5
                    elif at is None:
                        raise Unplain  # a key in a list
                    if fields is None:  # a key of a MapOf, or the first of a tagged mapping
                        column = key_at + len(key) - 1
                        if plain or quoted:
                            found, style, column = plain or quoted[1:-1], "" if plain else '"', column + 1
                        else:
                            found, style, column = yaml_value(other, column) if other else (None, None, 0)
                        plan = self.entry(top, key, found, style)
                        fields = top[1].fields
                        if style is None:
                            pending = (key, plan, number, key_at + len(key) - 1)
                        else:
                            values[key] = value(plan, found, style, number, column)
                            at += (number - line, column)
                        continue
                # A key of the record being read, the most common line.
                plan = fields.get(key)
                if plan is None or key in values:
                    raise Unplain  # an unknown or duplicate key
                if plain:
                    found = plan.memo.get(plain, unseen)
                    values[key] = scalar(plan, plain, "") if found is unseen else found
                    at += (number - line, key_at + len(key))
                elif quoted:
                    values[key] = scalar(plan, quoted[1:-1], '"')
                    at += (number - line, key_at + len(key))
                elif other[:1] == "[" and other in plan.memo:  # a flow list read before, such as topics
                    values[key] = list(plan.memo[other])
                    at += (number - line, key_at + len(key))
                else:
                    found, style, column = yaml_value(other, key_at + len(key) - 1) if other else \
                        (None, None, 0)
                    if style is None:
                        pending = (key, plan, number, key_at + len(key) - 1)
                    else:
                        values[key] = value(plan, found, style, number, column)
                        at += (number - line, column)
                        if style == "[" and other[0] == "[" and len(plan.memo) < _MEMO_SIZE:
                            plan.memo[other] = tuple(values[key])
        if not top:
            raise Unplain  # an empty file: the events say so
        if pending is not None:
            held, plan, held_line, held_column = pending
            values[held] = value(plan, "", "", held_line, held_column)
            at += (held_line - line, held_column)
        while stack:
            holder = stack.pop()
            self.end(top, holder)
            top = holder
        return close(top)


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
