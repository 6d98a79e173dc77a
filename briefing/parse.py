"""Parse composed Markdown (CommonMark, tables, footnotes) into the document model."""

from __future__ import annotations

import bisect
import copy
import os
import re

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_block_plugin
from mdit_py_plugins.footnote import footnote_plugin

from briefing import model as m
from briefing.errors import Problem, diagnostics

_md: MarkdownIt | None = None


def _parser() -> MarkdownIt:
    global _md
    if _md is None:
        # markdown-it drops what lies deeper than maxNesting (20 in CommonMark); a higher ceiling lets
        # markdown_problems() refuse deep nesting instead of its being silently lost.
        _md = MarkdownIt("commonmark", {"html": False, "maxNesting": MAX_NESTING}).enable("table") \
            .use(footnote_plugin).use(attrs_block_plugin)
    return _md


MAX_NESTING = 100
"""The Markdown parser's own nesting ceiling; anything at it may have been cut off."""
MAX_LIST_DEPTH = 8
"""Lists inside lists, as deep as both renderers show them."""
MAX_QUOTE_DEPTH = 8
"""Block quotes inside block quotes, as deep as both renderers show them."""
MAX_PARAGRAPH = 20_000
"""Characters in one paragraph (about four pages): longer ones are refused, as page layout slows with their square."""
MAX_PARAGRAPH_NOTES = 100
"""Notes in one paragraph: each line of a paragraph with more is fitted with its notes at every page foot."""
SAFE_SCHEMES = ("http", "https", "mailto")
"""The only links that become links; anything else (javascript:, file:, data:) is printed as text."""


def safe_link(href: str) -> bool:
    """True for http, https and mailto addresses."""
    scheme, colon, rest = href.partition(":")
    return bool(colon and rest) and scheme.lower() in SAFE_SCHEMES


class _Blocks:
    """Turns the flat token stream into nested block nodes."""

    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.i = 0
        self.definitions: dict[int, list] = {}  # footnote plugin id -> block nodes
        self.refs: list[tuple[m.Note, int]] = []  # every note at its mark, in document order, with its plugin id
        self._hrefs: list[str] = []
        self.in_note = False
        self.heading_level = 0
        self.captions: set[int] = set()
        """Paragraphs whose Markdown starts "Table: " (pandoc's caption line; an escaped "Table\\:" is text)."""

    def blocks(self, until: str | None = None) -> list:
        out = []
        while self.i < len(self.tokens):
            t = self.tokens[self.i]
            if until and t.type == until:
                self.i += 1
                return out
            self.i += 1
            node = self.block(t)
            if node is not None:
                out.append(node)
        return out

    def block(self, t: Token):
        kind = t.type
        if kind == "heading_open":
            # A heading that skips levels (### under #) is one level below the one before it.
            level = min(int(t.tag[1]), self.heading_level + 1, 3)
            self.heading_level = level
            node = m.Heading(level, self.inline(self.tokens[self.i]))
            self.i += 2
            return node
        if kind == "paragraph_open":
            node = m.Paragraph(self.inline(self.tokens[self.i]), **_paragraph_attrs(t.attrs))
            if self.tokens[self.i].content.startswith(CAPTION):
                self.captions.add(id(node))
            while self.tokens[self.i].type != "paragraph_close":  # footnote anchors sit before the close
                self.i += 1
            self.i += 1
            return node
        if kind == "bullet_list_open":
            return m.BulletList(self.items("bullet_list_close"))
        if kind == "ordered_list_open":
            return m.OrderedList(int(t.attrs.get("start", 1)), self.items("ordered_list_close"))
        if kind == "blockquote_open":
            return m.BlockQuote(self.blocks("blockquote_close"))
        if kind == "hr":
            return m.ThematicBreak()
        if kind == "table_open":
            return self.table()
        if kind in ("fence", "code_block"):
            return m.Paragraph([m.Code(t.content.rstrip("\n"))])
        if kind == "footnote_block_open":
            self.footnote_block()
            return None
        if kind == "footnote_anchor":  # a note ending in a list or table: its back-link stands alone
            return None
        raise ValueError(f"unexpected Markdown token {kind!r}")

    def items(self, close: str) -> list:
        items = []
        while self.tokens[self.i].type != close:
            assert self.tokens[self.i].type == "list_item_open"
            self.i += 1
            items.append(m.ListItem(self.blocks("list_item_close")))
        self.i += 1
        return items

    def table(self) -> m.Table:
        table = m.Table()
        row: list | None = None
        while True:
            t = self.tokens[self.i]
            self.i += 1
            if t.type == "table_close":
                return table
            if t.type == "tr_open":
                row = []
            elif t.type == "tr_close":
                if not table.header:
                    table.header = row
                else:
                    table.rows.append(row)
            elif t.type in ("th_open", "td_open"):
                style = t.attrs.get("style", "") or ""
                align = "right" if "right" in style else "center" if "center" in style else "left"
                row.append(m.TableCell(self.inline(self.tokens[self.i]), align))
                self.i += 2

    def footnote_block(self) -> None:
        while self.tokens[self.i].type != "footnote_block_close":
            t = self.tokens[self.i]
            self.i += 1
            if t.type == "footnote_open":
                self.in_note = True
                self.definitions[t.meta["id"]] = self.blocks("footnote_close")
                self.in_note = False
        self.i += 1

    def inline(self, t: Token) -> list:
        stack: list[list] = [[]]
        for c in t.children or []:
            kind = c.type
            if kind == "text":
                _append_text(stack[-1], c.content)
            elif kind == "softbreak":
                _append_text(stack[-1], " ")
            elif kind == "hardbreak":
                stack[-1].append(m.LineBreak())
            elif kind == "code_inline":
                stack[-1].append(m.Code(c.content))
            elif kind in ("em_open", "strong_open", "link_open"):
                stack.append([])
            elif kind == "em_close":
                kids = stack.pop()
                stack[-1].append(m.Emph(kids))
            elif kind == "strong_close":
                kids = stack.pop()
                stack[-1].append(m.Strong(kids))
            elif kind == "link_close":
                kids, href = stack.pop(), self._hrefs.pop()
                if safe_link(href):
                    stack[-1].append(m.Link(href, kids))
                else:  # printed as its text, never a live link
                    for kid in kids:
                        if isinstance(kid, m.Text):
                            _append_text(stack[-1], kid.text)
                        else:
                            stack[-1].append(kid)
            elif kind == "footnote_ref" and self.in_note:  # a note's mark inside a note stays text, never a loop
                _append_text(stack[-1], f"[^{c.meta.get('label', '')}]")
            elif kind == "footnote_ref":
                note = m.Note(len(self.refs) + 1)
                self.refs.append((note, c.meta["id"]))
                stack[-1].append(note)
            elif kind == "footnote_anchor":
                continue
            elif kind == "image":
                _append_text(stack[-1], c.content)
            else:
                _append_text(stack[-1], c.content)
            if kind == "link_open":
                self._hrefs.append(str(c.attrs.get("href", "")))
        return stack[0]


KEEP_WITH_NEXT = ("lead-in", "keep-with-next")
"""Classes that keep a paragraph with the block after it."""


def _paragraph_attrs(attrs: dict) -> dict:
    """The model's attributes of a paragraph from its Markdown attributes (`{.lead-in custom-style="Box"}` on
    the line before it: markdown-it's attrs plugin, pandoc's syntax)."""
    if not attrs:
        return {}
    classes = tuple(str(attrs.get("class", "")).split())
    return {"classes": classes, "keep_with_next": any(c in KEEP_WITH_NEXT for c in classes),
            "custom_style": str(attrs.get("custom-style", ""))}


def _append_text(nodes: list, text: str) -> None:
    if not text:
        return
    if nodes and isinstance(nodes[-1], m.Text):
        nodes[-1].text += text
    else:
        nodes.append(m.Text(text))


CAPTION = "Table: "


def _caption_of(block, captions: set[int]) -> list | None:
    """Return the caption's inline nodes if `block` is a paragraph written `Table: ...` (one of `captions`),
    else None."""
    if not (id(block) in captions and block.children and isinstance(block.children[0], m.Text)
            and block.children[0].text.startswith(CAPTION)):
        return None
    first = block.children[0].text[len(CAPTION):]
    return ([m.Text(first)] if first else []) + block.children[1:]


def _captions(blocks: list, captions: set[int]) -> list:
    """Attach a `Table: ...` paragraph just before or after a table to it as its caption (pandoc's syntax)."""
    out: list = []
    for block in blocks:
        caption = _caption_of(block, captions)
        if caption is not None and out and isinstance(out[-1], m.Table) and not out[-1].caption:
            out[-1].caption = caption
            continue
        if isinstance(block, m.Table) and out and not block.caption:
            before = _caption_of(out[-1], captions)
            if before is not None:
                block.caption = before
                out.pop()
        out.append(block)
    return out


def parse(markdown: str, meta: m.Meta) -> m.Document:
    """Return the document model of `markdown`.

    Every footnote reference becomes its own note, holding the definition's blocks and numbered in document
    order, so a note referenced twice appears twice; this keeps DOCX and PDF numbering identical."""
    walker = _Blocks(_parser().parse(markdown))
    body = _captions(walker.blocks(), walker.captions)
    for note, plugin_id in walker.refs:
        note.children = copy.deepcopy(walker.definitions.get(plugin_id, []))
    return m.Document(meta, body)


_TYPED_MARK = re.compile(r"(?<!\\)\[\^")
_MAY_NEST = re.compile(r"^[ >*+\-0-9.)]{16,}|^ *(?:> *){9}", re.MULTILINE)
_BLOCK = re.compile(r"[^\n]+(?:\n[^\n]+)*")
_MAY_LINK = re.compile(r"\]\(|\]\s*\[|^ {0,3}\[[^\]]*\]:|<[A-Za-z][A-Za-z0-9+.\-]{1,31}:", re.MULTILINE)


def markdown_problems(body: str, spans: list[tuple[int, str, int]], own_mark: str, template: str) -> list[Problem]:
    """Return what in a brief's composed Markdown would be lost or misread, at the template lines that wrote it:
    note marks typed into the template (only cite() and say() make notes: theirs start with `own_mark`), nesting
    deeper than the renderers show. Links other than http, https and mailto are printed as text; each is a
    warning, kept in the diagnostics."""
    offsets = [s[0] for s in spans]

    def where(offset: int) -> tuple[str, int]:
        i = bisect.bisect_right(offsets, offset) - 1
        if i < 0 or not spans[i][1]:
            return template, 0
        start, file, line = spans[i]
        line += body.count("\n", start, offset)  # the piece may run over several lines of the template
        return (os.path.relpath(file) if os.path.isabs(file) else file), line

    starts: list[int] = []

    def at_line(line: int) -> tuple[str, int]:
        if not starts:  # only when something is wrong
            starts.extend([0] + [mo.end() for mo in re.finditer("\n", body)])
        return where(starts[min(line, len(starts) - 1)])

    problems: list[Problem] = []
    own = own_mark
    for mo in _TYPED_MARK.finditer(body):
        if body.startswith(own, mo.start()):
            continue
        text = body[mo.start():mo.start() + 20].split("\n")[0]
        problems.append(Problem(*where(mo.start()), 0, f"a footnote mark typed into the template: {text!r}",
                                "notes come only from cite() and say(); to print '[^' write '\\[^'"))
        break  # one is enough; the rest are usually copies of it
    depth = {"list": 0, "quote": 0}
    limits = {"list": MAX_LIST_DEPTH, "quote": MAX_QUOTE_DEPTH}
    reported: set[str] = set()
    # Parsing again costs as much as composing: only text that may nest deeply, hold a link or make a very long
    # paragraph needs it.
    long = any(len(mo.group(0)) > MAX_PARAGRAPH or mo.group(0).count(own) > MAX_PARAGRAPH_NOTES
               for mo in _BLOCK.finditer(body))
    suspect = long or "\t" in body or _MAY_NEST.search(body) or _MAY_LINK.search(body)
    tokens = _parser().parse(body) if suspect else ()
    for i, t in enumerate(tokens):
        if long and t.type == "inline" and i and tokens[i - 1].type == "paragraph_open" and t.map:
            notes = t.content.count(own)  # the notes' texts are added after this check: marks are not refs yet
            if notes > MAX_PARAGRAPH_NOTES or len(t.content) > MAX_PARAGRAPH:
                at_line(0)  # fills `starts`
                start = starts[min(t.map[0], len(starts) - 1)]
                mark = body.find(own, start, start + len(t.content) + 1)
                place = where(mark) if mark >= 0 else at_line(t.map[0])  # a loop's marks name the loop's line
            if len(t.content) > MAX_PARAGRAPH and "size" not in reported:
                reported.add("size")
                problems.append(Problem(*place, 0, f"a paragraph of {len(t.content)} characters; at most "
                                        f"{MAX_PARAGRAPH} make one paragraph", "break the text into paragraphs "
                                        "(a blank line between them)"))
            if notes > MAX_PARAGRAPH_NOTES and "notes" not in reported:
                reported.add("notes")
                problems.append(Problem(*place, 0, f"a paragraph holding {notes} notes; at most "
                                        f"{MAX_PARAGRAPH_NOTES} fit in one paragraph", "break the text into "
                                        "paragraphs (a blank line between them)"))
        kind = "list" if t.type in ("bullet_list_open", "ordered_list_open", "bullet_list_close",
                                    "ordered_list_close") else "quote" if t.type.startswith("blockquote") else None
        if kind:
            depth[kind] += t.nesting
            if depth[kind] > limits[kind] and kind not in reported and t.map:
                reported.add(kind)
                what = "lists inside lists" if kind == "list" else "block quotes inside block quotes"
                problems.append(Problem(*at_line(t.map[0]), 0, f"{what} {depth[kind]} deep; at most {limits[kind]} "
                                        "show in both formats", "flatten the nesting"))
        if t.level >= MAX_NESTING - 2 and "deep" not in reported:
            reported.add("deep")
            problems.append(Problem(*at_line(t.map[0] if t.map else 0), 0, "Markdown nested too deep to be read",
                                    "flatten the nesting"))
        for c in t.children or ():
            href = str(c.attrs.get("href", "")) if c.type == "link_open" else ""
            if c.type == "link_open" and not safe_link(href) and t.map:
                warning = Problem(*at_line(t.map[0]), 0, f"warning: the link {href[:80]!r} is printed as text",
                                  "only http, https and mailto links become links")
                diagnostics.warn(warning)  # kept once, however many audiences compose the line
    return problems
