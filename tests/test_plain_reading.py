"""The plain reading (a file read a line at a time) gives exactly what reading libyaml's events gives: the same
values and positions, or nothing at all (the events read the file then). Every file the project reads, cases
built to catch it out, and a few thousand files broken at random are read both ways and compared."""

from __future__ import annotations

import dataclasses
import glob
import os
import random

import pytest
from conftest import PROJECT, ROOT

from briefing.briefs import AUDIENCE, BRIEF
from briefing.distribute.lists import LIST
from briefing.errors import InputError, Problems
from briefing.factbase import FACT_BASE
from briefing.judgments import JUDGMENTS
from briefing.schema import Positions, Reader, Record, _Lines, _no_events, read_document
from briefing.style import STYLE
from briefing.wording import WORDING
from briefing.yamlsource import Events, Unplain


def by_events(text: str, record: Record):
    """(value, problems) read from the events, as before the plain reading; raises for a syntax error."""
    problems = Problems("f.yaml")
    events = Events(text.encode(), "f.yaml")
    try:
        first = events.start()
        assert first is not None, "an empty file"
        value = record.read(first, Reader(events.next, problems, set()), "")
        events.finish()
    finally:
        events.close()
    return value, [str(p) for p in problems.items]


def by_lines(text: str, record: Record):
    """(value, problems) read a line at a time, or None where the plain reading leaves the file to the events."""
    problems = Problems("f.yaml")
    try:
        value = _Lines(Reader(_no_events, problems, set())).read(text, record)
    except Unplain:
        return None
    return value, [str(p) for p in problems.items]


def same(a, b, where: str = "value") -> None:
    """Assert that `a` and `b` are alike to the last position: of the same types, with equal fields (positions
    too, which records leave out of ==), keys in the same order."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} against {type(b).__name__}"
    if isinstance(a, Positions):
        assert (a.line, a.column, list(a.items())) == (b.line, b.column, list(b.items())), where
    elif dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{where}[{i}]")
    else:
        assert a == b, f"{where}: {a!r} against {b!r}"


def check(text: str, record: Record) -> bool:
    """Assert that the plain reading of `text` gives what the events give, or leaves it to them (it must, where
    the events find a problem or a syntax error); return whether it read the file."""
    lines = by_lines(text, record)
    if lines is None or lines[1]:  # read again from the events, which report the problems
        return False
    try:
        events = by_events(text, record)
    except (InputError, Exception) as e:  # noqa: B014 - a YAMLError, or a second document
        raise AssertionError(f"the plain reading took a file the events refuse ({e})\n{text}") from None
    assert not events[1], f"the plain reading found nothing wrong where the events found {events[1]}\n{text}"
    same(lines[0], events[0])
    return True


def _files() -> list[tuple[str, Record]]:
    found = []
    for root in (ROOT, PROJECT, os.path.join(ROOT, "tests", "data", "golden")):
        found += [(os.path.join(root, "facts.yaml"), FACT_BASE)]
        templates = os.path.join(root, "templates")
        found += [(p, STYLE) for p in glob.glob(os.path.join(templates, "style.yaml"))]
        found += [(p, WORDING) for p in glob.glob(os.path.join(templates, "wording.yaml"))]
        found += [(p, AUDIENCE) for p in glob.glob(os.path.join(templates, "audiences", "*.yaml"))]
        found += [(p, BRIEF) for p in glob.glob(os.path.join(templates, "briefs", "*.yaml"))]
        found += [(p, JUDGMENTS) for p in glob.glob(os.path.join(templates, "judgments", "*.yaml"))]
        found += [(p, LIST) for p in glob.glob(os.path.join(root, "distribution", "*.yaml"))]
    return [(p, r) for p, r in found if os.path.exists(p)]


FILES = _files()


@pytest.mark.parametrize("path,record", FILES, ids=[os.path.relpath(p, ROOT) for p, _ in FILES])
def test_every_file_the_project_reads_reads_alike_both_ways(path, record):
    with open(path, encoding="utf-8") as f:
        check(f.read(), record)


def test_the_fact_bases_are_read_a_line_at_a_time():
    for path in (os.path.join(ROOT, "facts.yaml"), os.path.join(PROJECT, "facts.yaml")):
        with open(path, encoding="utf-8") as f:
            assert check(f.read(), FACT_BASE), f"{path} is left to the events: loading a large base would be slow"


HEAD = "meta: {title: T, organisation: O, as_of: 2024-11-30}\nsources:\n  - {id: s1, title: T, author: null, " \
       "outlet: null, published: null, url: null, kind: news, file: a.txt}\n"
FACT = """facts:
  - id: trade.volume
    topics: [trade]
    kind: reported
    statement: Trade was small.
    cite:
      - source: s1
        quote: trade was small
"""

CASES = {
    "comments and blank lines": FACT.replace("    kind:", "    # a comment\n\n    kind:").replace(
        "small.\n", "small.   # after a value\n"),
    "a value after two spaces": FACT.replace("kind: reported", "kind:   reported"),
    "a list item after two spaces": FACT.replace("- source: s1", "-   source: s1"),
    "double quotes with escapes": FACT.replace("quote: trade was small", r'quote: "trade \"was\" small\\"'),
    "double quotes with other escapes": FACT.replace("quote: trade was small", r'quote: "trade\nwas small"'),
    "double quotes and a comment": FACT.replace("quote: trade was small", 'quote: "trade was small"  # q'),
    "single quotes": FACT.replace("quote: trade was small", "quote: 'trade ''was'' small'"),
    "an empty quote": FACT.replace("quote: trade was small", 'quote: ""'),
    "null words": FACT.replace("    cite:", "    by: ~\n    label: null\n    caveat:\n    cite:"),
    "quoted null": FACT.replace("    cite:", "    label: 'null'\n    cite:"),
    "a key with nothing after it, last": FACT + "    caveat:",
    "a list at the key's column": FACT.replace("      - source: s1\n        quote", "    - source: s1\n      quote"),
    "a list nested deeper": FACT.replace("      - source: s1\n        quote", "          - source: s1\n"
                                                                               "            quote"),
    "a block list of topics": FACT.replace("topics: [trade]", "topics:\n      - trade\n      - 'sco'"),
    "a flow list with quotes": FACT.replace("topics: [trade]", "topics: [ trade , \"sco\", 'x y' ]"),
    "an empty flow list": FACT.replace("topics: [trade]", "topics: []"),
    "a flow list over two lines": FACT.replace("topics: [trade]", "topics: [trade,\n      sco]"),
    "a typed value in flow": FACT.replace("    cite:", "    value: {type: money, amount: 5, currency: USD, "
                                                     "as_of: 2023}\n    cite:"),
    "a typed value with quotes": FACT.replace("    cite:", "    value: {type: count, amount: 5, unit: \"a, b\"}\n"
                                                          "    cite:"),
    "a typed value in a block": FACT.replace("    cite:", "    value:\n      type: year\n      year: 1994\n"
                                                          "    cite:"),
    "a typed value, tag not first": FACT.replace("    cite:", "    value:\n      year: 1994\n      type: year\n"
                                                               "    cite:"),
    "a plain value with a colon and a hash": FACT.replace("Trade was small.", "Trade: see http://x.org/#a, C#."),
    "a plain value with a colon and space": FACT.replace("Trade was small.", "Trade: was small."),
    "a value ending in a colon": FACT.replace("Trade was small.", "Trade was small:"),
    "a value on the next line": FACT.replace("Trade was small.", "Trade was\n      small."),
    "a block scalar": FACT.replace("statement: Trade was small.", "statement: >\n      Trade was small."),
    "an anchor and an alias": FACT.replace("topics: [trade]", "topics: &t [trade]"),
    "a tag": FACT.replace("kind: reported", "kind: !!str reported"),
    "a tab": FACT.replace("kind: reported", "kind:\treported"),
    "windows line breaks": FACT.replace("\n", "\r\n"),
    "a duplicate key": FACT.replace("    kind: reported\n", "    kind: reported\n    kind: said\n"),
    "an unknown key": FACT.replace("    kind: reported\n", "    kind: reported\n    knid: said\n"),
    "a wrong indentation": FACT.replace("    kind: reported", "     kind: reported"),
    "a second document": FACT + "---\nfacts: []\n",
    "a document end": FACT + "...\n",
    "non-ASCII text": FACT.replace("Trade was small.", "Торговля была мала — 贸易很小, تجارت کم تھی."),
    "a line separator": FACT.replace("Trade was small.", "Trade was\u2028small."),
    "a number and a date": FACT.replace("    cite:", "    value: {type: percent, amount: 1_5.5, of: GDP, "
                                                     "as_of: 2024-02-30}\n    cite:"),
    "a derived figure": FACT.replace("    cite:", "    derived:\n      - value: '130'\n        how: sum\n"
                                                   "        from: 'a, b'\n    cite:"),
    "an assessment without by": FACT.replace("kind: reported", "kind: assessment"),
    "facts as a scalar": "facts: none\n",
    "a list at the top": "- facts\n",
    "only a comment": "# nothing\n",
    "a top level indented": "  " + FACT.replace("\n", "\n  "),
    "a dispute": FACT + "disputed:\n  - id: d.q\n    topics: [trade]\n    question: How large?\n    minor: yes\n"
                        "    claims:\n      - claim: Small.\n        cite: [{source: s1, quote: small}]\n"
                        "      - {claim: Large., cite: [{source: s1, quote: large}], facts: [trade.volume]}\n",
}


@pytest.mark.parametrize("name", CASES)
def test_a_case_built_to_catch_the_plain_reading_out_reads_alike_or_is_left_to_the_events(name):
    check(HEAD + CASES[name], FACT_BASE)


def test_files_broken_at_random_read_alike_or_are_left_to_the_events():
    """Lines of a small fact base changed at random, a few at a time: indentation, a character put in or
    taken out, lines dropped, repeated or swapped, values emptied. About a third still read."""
    with open(os.path.join(ROOT, "tests", "data", "golden", "facts.yaml"), encoding="utf-8") as f:
        lines = f.read().split("\n")
    pick = random.Random(20)
    characters = list("#:'\"-[]{},&*!|>?%@` \t\\") + ["é", "\xa0", "\u3000", "\u2028", "\x85", "\ufeff", "null", "~",
                                                       "\n"]
    read = 0
    for _ in range(3000):
        changed = list(lines)
        for _ in range(pick.randint(1, 3)):
            i = pick.randrange(len(changed))
            line = changed[i]
            how = pick.randrange(8)
            if how == 0:
                changed[i] = " " * pick.choice((1, 2)) + line
            elif how == 1:
                changed[i] = line[pick.choice((1, 2)):] if line.startswith("  ") else line
            elif how == 2:
                at = pick.randint(0, len(line))
                changed[i] = line[:at] + pick.choice(characters) + line[at:]
            elif how == 3 and line:
                at = pick.randrange(len(line))
                changed[i] = line[:at] + line[at + 1:]
            elif how == 4:
                del changed[i]
            elif how == 5:
                changed.insert(i, line)
            elif how == 6 and i + 1 < len(changed):
                changed[i], changed[i + 1] = changed[i + 1], line
            elif ": " in line:
                changed[i] = line.split(": ")[0] + ": " + pick.choice(("", "null", "~", '""', "''", "[]", "{}"))
        read += check("\n".join(changed), FACT_BASE)
    assert read > 300, f"only {read} of the broken files were read a line at a time"


def test_a_problem_found_while_reading_lines_is_reported_as_the_events_report_it(tmp_path):
    path = tmp_path / "facts.yaml"
    path.write_text(HEAD + CASES["an assessment without by"], encoding="utf-8")
    assert by_lines(path.read_text(encoding="utf-8"), FACT_BASE)[1]  # the builder found it
    value, problems = read_document(str(path), FACT_BASE, "f.yaml")
    assert [str(p) for p in problems.items] == by_events(path.read_text(encoding="utf-8"), FACT_BASE)[1]


def test_a_file_with_a_byte_order_mark_reads_alike(tmp_path):
    path = tmp_path / "facts.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + (HEAD + FACT).encode())
    value, problems = read_document(str(path), FACT_BASE, "f.yaml")
    same(value, by_events(HEAD + FACT, FACT_BASE)[0])
    text = (HEAD + FACT).replace("kind: reported", "kind: \x80")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    with pytest.raises(InputError) as e:  # left to the events, which read the bytes as they are in the file
        read_document(str(path), FACT_BASE, "f.yaml")
    line = text.split("\n").index("    kind: \x80") + 1
    assert str(e.value).startswith(f"f.yaml:{line}:11: character U+0080 is not allowed in YAML")


def test_a_kind_with_rules_of_its_own_in_read_is_left_to_the_events():
    from briefing.schema import Field, Str

    class Shouting(Str):
        def read(self, event, r, where):
            value = super().read(event, r, where)
            return r.error(event, f"{where}: whisper") if value == value.upper() else value

    assert by_lines("a: YES\n", Record("r", "a record", {"a": Field(Shouting(), "a")})) is None
    assert by_lines("a: YES\n", Record("r", "a record", {"a": Field(Str(), "a")})) is not None
    with open(os.path.join(ROOT, "distribution", "desk.yaml"), encoding="utf-8") as f:
        assert by_lines(f.read(), LIST) is None  # its names and organisations are OneLine
