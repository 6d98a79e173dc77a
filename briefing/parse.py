"""Parse composed Markdown (CommonMark, tables, footnotes) into the document model."""

from __future__ import annotations

import copy

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from briefing import model as m

_md: MarkdownIt | None = None


def _parser() -> MarkdownIt:
    global _md
    if _md is None:
        _md = MarkdownIt("commonmark", {"html": False}).enable("table").use(footnote_plugin)
    return _md


class _Blocks:
    """Turns the flat token stream into nested block nodes."""

    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.i = 0
        self.definitions: dict[int, list] = {}  # footnote plugin id -> block nodes
        self.refs: list[tuple[m.FootnoteRef, int]] = []  # every mark, in document order, with its plugin id
        self._href = ""

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
            node = m.Heading(int(t.tag[1]), self.inline(self.tokens[self.i]))
            self.i += 2
            return node
        if kind == "paragraph_open":
            node = m.Paragraph(self.inline(self.tokens[self.i]))
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
                self.definitions[t.meta["id"]] = self.blocks("footnote_close")
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
                kids = stack.pop()
                stack[-1].append(m.Link(self._href, kids))
            elif kind == "footnote_ref":
                ref = m.FootnoteRef(len(self.refs) + 1)
                self.refs.append((ref, c.meta["id"]))
                stack[-1].append(ref)
            elif kind == "footnote_anchor":
                continue
            elif kind == "image":
                _append_text(stack[-1], c.content)
            else:
                _append_text(stack[-1], c.content)
            if kind == "link_open":
                self._href = c.attrs.get("href", "")
        return stack[0]


def _append_text(nodes: list, text: str) -> None:
    if not text:
        return
    if nodes and isinstance(nodes[-1], m.Text):
        nodes[-1].text += text
    else:
        nodes.append(m.Text(text))


CAPTION = "Table: "


def _caption_of(block) -> list | None:
    """Return the caption's inline nodes if `block` is a `Table: ...` paragraph, else None."""
    if not (isinstance(block, m.Paragraph) and block.children and isinstance(block.children[0], m.Text)
            and block.children[0].text.startswith(CAPTION)):
        return None
    first = block.children[0].text[len(CAPTION):]
    return ([m.Text(first)] if first else []) + block.children[1:]


def _captions(blocks: list) -> list:
    """Attach a `Table: ...` paragraph just before or after a table to it as its caption (pandoc's syntax)."""
    out: list = []
    for block in blocks:
        caption = _caption_of(block)
        if caption is not None and out and isinstance(out[-1], m.Table) and not out[-1].caption:
            out[-1].caption = caption
            continue
        if isinstance(block, m.Table) and out and not block.caption:
            before = _caption_of(out[-1])
            if before is not None:
                block.caption = before
                out.pop()
        out.append(block)
    return out


def parse(markdown: str, meta: m.Meta) -> m.Document:
    """Return the document model of `markdown`.

    Every footnote reference becomes its own note, numbered in document order, so a note
    referenced twice appears twice; this keeps DOCX and PDF numbering identical."""
    walker = _Blocks(_parser().parse(markdown))
    body = _captions(walker.blocks())
    footnotes = [m.Footnote(ref.number, copy.deepcopy(walker.definitions.get(plugin_id, [])))
                 for ref, plugin_id in walker.refs]
    return m.Document(meta, body, footnotes)
