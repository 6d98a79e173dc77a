"""The document model: Markdown in, tree out (fixture file), and both renderers know every node type."""

from __future__ import annotations

import os

import pytest
from conftest import ROOT

from briefing import model as m
from briefing.mdtext import escape, literal
from briefing.parse import parse


def read_fixtures(path: str) -> list[tuple[int, str, str, str]]:
    """Return (line, title, markdown, expected tree) from a file of title / . / input / . / output / . blocks."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    cases, i = [], 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        title, start = lines[i], i + 1
        parts, i = [], i + 2
        for _ in range(2):
            end = lines.index(".", i)
            parts.append("\n".join(lines[i:end]))
            i = end + 1
        cases.append((start, title, parts[0], parts[1]))
    return cases


FIXTURES = read_fixtures(os.path.join(ROOT, "tests", "data", "parse.txt"))


@pytest.mark.parametrize("line,title,markdown,expected", FIXTURES, ids=[f"line{c[0]}" for c in FIXTURES])
def test_markdown_parses_to_the_expected_tree(line, title, markdown, expected):
    assert m.dump(parse(markdown + "\n", m.Meta("t"))) == expected


def test_every_model_class_has_a_method_in_every_renderer():
    from briefing.render.docx import DocxTranslator
    from briefing.render.pdf import PdfTranslator

    for renderer in (DocxTranslator, PdfTranslator):
        missing = [cls.__name__ for cls in m.NODE_TYPES if not hasattr(renderer, "visit_" + cls.__name__)]
        assert not missing, f"{renderer.__name__} lacks {missing}"


@pytest.mark.parametrize("text", [
    "* _ [ ] # | < > & \\ ` ! ~ ^",
    "1. not a list",
    "- not a bullet",
    "# not a heading",
    "Аляксандр Лукашэнка, Łódź, Ελλάδα, اسلام آباد, 明斯克",
    "[^1] is not a note, <http://x> is not a link",
    "{.lead-in} is not an attribute",
    "{#id key=value}",
    'He said "no" and \'maybe\'; the desk\'s view',
])
def test_literal_text_reads_back_as_exactly_its_characters(text):
    doc = parse(literal(text) + "\n", m.Meta("t"))
    assert m.dump(doc) == f"Document\n  Paragraph\n    Text {text!r}"


def test_escaped_prose_reads_back_with_typographic_quotes_and_nothing_else_changed():
    text = 'He said "no" and \'maybe\'; the desk\'s {.view} * _ [x]'
    doc = parse(escape(text) + "\n", m.Meta("t"))
    assert m.dump(doc) == "Document\n  Paragraph\n    Text " + repr("He said “no” and ‘maybe’; the desk’s {.view} * _ [x]")


def test_an_escaped_fact_starting_with_table_after_a_table_is_text_not_its_caption():
    markdown = "| A |\n|--|\n| 1 |\n\n" + escape("Table: a fact that begins so") + "\n"
    doc = parse(markdown, m.Meta("t"))
    table, paragraph = doc.children
    assert table.caption == [] and m.plain_text(paragraph.children) == "Table: a fact that begins so"
    typed = parse("| A |\n|--|\n| 1 |\n\nTable: " + escape("a caption") + "\n", m.Meta("t"))
    assert len(typed.children) == 1 and m.plain_text(typed.children[0].caption) == "a caption"


def test_the_markdown_output_carries_its_metadata_as_pandoc_reads_it():
    """The .md starts with a YAML block pandoc -f commonmark_x reads as metadata, whatever the text holds
    (quotes, backslashes, a colon, a line of dashes, markup, a line separator); a lead-in's attribute line is
    read as its class."""
    import datetime as dt
    import json
    import subprocess

    from conftest import need
    from briefing.render import markdown

    nasty = 'A "quoted" \\ title: with *stars* #1\n---\u2028[^1]'
    meta = m.Meta(title=nasty, subtitle="Sub", date=dt.date(2024, 11, 30), audience="The Minister",
                  handling="FOR OFFICIAL USE", author="Desk", language="en-GB")
    data = markdown.render("{.lead-in}\n**Question?** Answer.\n\nNext.\n", meta)
    # without smart punctuation, which would make typographic quotes and dashes of the title's
    run = subprocess.run([need("pandoc"), "-f", "commonmark_x-smart", "-t", "json"], input=data, capture_output=True,
                         check=True)
    tree = json.loads(run.stdout)

    def text(value) -> str:
        if isinstance(value, dict):
            kind, content = value["t"], value.get("c")
            if kind == "Str":
                return content
            if kind in ("Space", "SoftBreak"):
                return " "
            return text(content)
        return "".join(text(v) for v in value) if isinstance(value, list) else ""

    got = {key: text(value) for key, value in tree["meta"].items()}
    assert got["title"] == nasty.replace("\n", " ")
    assert (got["handling"], got["audience"], got["date"], got["lang"]) == ("FOR OFFICIAL USE", "The Minister",
                                                                           "2024-11-30", "en-GB")
    assert tree["blocks"][0]["t"] == "Div" and tree["blocks"][0]["c"][0][1] == ["lead-in"]
