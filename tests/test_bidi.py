"""Right-to-left text in the PDF: each line, read back by its characters' positions, is in the order python-bidi
gives for that line's logical text, also when an Urdu phrase wraps; Arabic-script letters are joined."""

from __future__ import annotations

import re
import unicodedata

import pytest
from readers import pdftotext

from briefing import model as m
from samples import FILLER, WHEN, meta

# Urdu that the house fallback font (DejaVu Sans) has every glyph for: it lacks ہ and ے, which print as boxes.
URDU = ("صدر لوکاشینکو اور وزیر اعظم شریف کی اسلام آباد میں پاکستان اور بیلاروس کی تجارت اور تعاون میں نمایاں "
        "ترقی پر بات چیت")
ENGLISH = ("On 26 November the two leaders held talks, which the joint statement summed up as {} and the "
           "ministers then signed fifteen agreements on trade, industry, science and education.")
_BRACKETS = str.maketrans("()[]", "||||")


def _render(writer, paragraphs: list[str], tmp_path, title: str = "Sample brief") -> str:
    path = tmp_path / "doc.pdf"
    doc = m.Document(meta(title), [m.Paragraph([m.Text(t)]) for t in paragraphs])
    path.write_bytes(writer.render(doc, WHEN))
    return str(path)


def _as_read(text: str) -> str:
    """A glyph's text as a reader sees it: presentation forms as letters; a ligature (lam-alef) of right-to-left
    letters in visual order, as the glyph stands for them."""
    plain = unicodedata.normalize("NFKC", text)
    return plain[::-1] if len(plain) > 1 and unicodedata.bidirectional(plain[0]) in ("R", "AL") else plain


def _visual_lines(path: str, page: int = 0) -> list[str]:
    """Each line of a page (by baseline, top to bottom) as its characters stand from left to right."""
    import pdfplumber

    rows: dict[float, list] = {}
    with pdfplumber.open(path) as pdf:
        for c in pdf.pages[page].chars:
            rows.setdefault(round(c["matrix"][5]), []).append(c)
    return [" ".join("".join(_as_read(c["text"]) for c in sorted(rows[y], key=lambda c: c["x0"])).split())
            for y in sorted(rows, reverse=True)]


def _logical_lines(paragraph: str, lines: list[str]) -> list[str]:
    """Cut `paragraph` into consecutive pieces holding as many characters as each of `lines` (spaces apart):
    the logical text of each line, if the lines follow in logical order."""
    out, at = [], 0
    for line in lines:
        need = len(line.replace(" ", ""))
        start = at
        while need:
            need -= paragraph[at] != " "
            at += 1
        out.append(paragraph[start:at].strip())
    assert paragraph[at:].strip() == "", "the lines hold less than the paragraph"
    return out


def _assert_each_line_in_bidi_order(lines: list[str], paragraph: str) -> None:
    from bidi import get_display

    for logical, seen in zip(_logical_lines(paragraph, lines), lines):
        expected = " ".join(get_display(logical, base_dir="L").split())  # every paragraph is left to right
        # python-bidi orders characters; a bracket's mirrored glyph is the shaper's business, compared apart
        assert seen.translate(_BRACKETS) == expected.translate(_BRACKETS), f"logical line: {logical}"


def _body(lines: list[str], first_words: str) -> list[str]:
    start = next(i for i, line in enumerate(lines) if line.startswith(first_words))
    return lines[start:]


def test_an_urdu_phrase_that_wraps_reads_right_to_left_on_each_line(writer, tmp_path):
    paragraph = ENGLISH.format(URDU)
    lines = _body(_visual_lines(_render(writer, [paragraph], tmp_path)), "On 26")
    lines = lines[:next(i for i, line in enumerate(lines) if line.endswith("education.")) + 1]
    urdu_lines = [line for line in lines if any(unicodedata.bidirectional(ch) == "AL" for ch in line)]
    assert len(urdu_lines) >= 2, "the Urdu phrase should wrap"
    assert all(any(ch.isascii() and ch.isalpha() for ch in line) for line in (urdu_lines[0], urdu_lines[-1]))
    _assert_each_line_in_bidi_order(lines, paragraph)
    # The phrase's first word stands at the right end of its first line, its last word at the left of its last
    assert urdu_lines[0].split()[-1] == "صدر"[::-1] and urdu_lines[-1].split()[0] == "چیت"[::-1]


def test_an_urdu_paragraph_reads_right_to_left_line_after_line(writer, tmp_path):
    paragraph = " ".join([URDU] * 3)
    lines = _body(_visual_lines(_render(writer, ["Before.", paragraph], tmp_path)), "Before.")[1:]
    lines = [line for line in lines if "PUBLIC" not in line]  # the running footer
    assert len(lines) >= 3
    _assert_each_line_in_bidi_order(lines, paragraph)
    assert lines[0].endswith("صدر لوکاشینکو"[::-1]), "the paragraph starts at the right of its first line"
    assert lines[-1].startswith("بات چیت"[::-1]), "and ends at the left of its last"


def test_a_mixed_line_with_a_date_in_brackets_reads_as_one_would_write_it(writer, tmp_path):
    paragraph = "The city of اسلام آباد (2024) is the capital."
    lines = _body(_visual_lines(_render(writer, [paragraph], tmp_path)), "The city")
    assert lines[0] == "The city of (2024) دابآ مالسا is the capital."
    _assert_each_line_in_bidi_order(lines[:1], paragraph)


def test_arabic_script_letters_are_joined(writer, tmp_path):
    """Shaped text is drawn with the joining forms' glyphs, which a reader maps to presentation forms."""
    import pdfplumber

    with pdfplumber.open(_render(writer, ["The city of اسلام آباد is the capital."], tmp_path)) as pdf:
        glyphs = [c["text"] for c in pdf.pages[0].chars]
    assert any("\ufb50" <= g <= "\ufeff" for g in glyphs), glyphs


def test_chinese_cyrillic_and_latin_lines_come_out_as_typed(writer, tmp_path):
    paragraphs = ["Минск и Исламабад подписали соглашения.", "明斯克和伊斯兰堡签署了协议。",
                  "Łódź, Ελλάδα and Minsk, with 15 agreements (2024)."]
    text = pdftotext(_render(writer, paragraphs, tmp_path))
    for paragraph in paragraphs:
        assert paragraph in text
    lines = _visual_lines(str(tmp_path / "doc.pdf"))
    for paragraph in paragraphs:
        assert paragraph.replace(" ", "") in [line.replace(" ", "") for line in lines]


def test_the_running_header_puts_an_urdu_title_in_order(writer, tmp_path):
    title = "Trade talks · پاکستان اور بیلاروس"
    path = _render(writer, [FILLER] * 40, tmp_path, title)
    header = next(line for line in _visual_lines(path, page=1) if "Trade talks" in line)
    _assert_each_line_in_bidi_order([header], f"PUBLIC · {title}")
    assert header.endswith("سورالیب روا ناتسکاپ")


def test_a_note_in_urdu_keeps_its_number_at_the_left(writer, tmp_path):
    """Paragraphs are set left to right, as in the DOCX: a note's number stays where the reader looks for it."""
    text = "پاکستان اور بیلاروس کی تجارت"
    doc = m.Document(meta(), [m.Paragraph([m.Text("A claim."), m.Note(1, [m.Paragraph([m.Text(text)])])])])
    path = tmp_path / "note.pdf"
    path.write_bytes(writer.render(doc, WHEN))
    lines = _visual_lines(str(path))
    assert f"1. {text[::-1]}" in lines, lines


def test_urdu_output_is_byte_identical_on_a_rebuild(writer, tmp_path):
    paragraphs = [ENGLISH.format(URDU), URDU]
    first = open(_render(writer, paragraphs, tmp_path), "rb").read()
    assert open(_render(writer, paragraphs, tmp_path), "rb").read() == first


def test_a_note_marks_draw_callbacks_stay_around_its_number_in_urdu_text(writer):
    """<onDraw> marks (how note marks tell the canvas where they are) keep their order around the number, which
    the bidi algorithm places at the end of the right-to-left run it follows."""
    mark = ('<onDraw name="note_mark" label="{0}"/><a href="#fn-{0}"><super>{0}</super></a>'
            '<onDraw name="note_mark_end" label="{0}"/>')
    calls = _callbacks(writer, ["The capital is " + writer.fonts.markup("اسلام آباد") + mark.format(1) + " and more.",
                                writer.fonts.markup("پاکستان اور بیلاروس") + mark.format(2),
                                "Plain" + mark.format(3) + " text."], ("note_mark", "note_mark_end"))
    assert [(name, label) for name, label, *_ in calls] == [("note_mark", "1"), ("note_mark_end", "1"),
                                                            ("note_mark", "2"), ("note_mark_end", "2"),
                                                            ("note_mark", "3"), ("note_mark_end", "3")]
    starts, ends = calls[::2], calls[1::2]
    assert all(end[2] > start[2] for start, end in zip(starts, ends)), "each mark's end lies right of its start"
    assert starts[1][2] == 0, "after an Urdu run the number ends it, at its left"


def test_rule_l2_and_unshaped_reversal_on_their_own():
    from briefing.render.pdf_bidi import reorder, reversed_text

    # "ab" level 0, then a right-to-left run holding a number at level 2: the run turns, the number does not
    assert reorder(["a", "b", "R1", "R2", "12", "R3", "c"], [0, 0, 1, 1, 2, 1, 0]) == \
        ["a", "b", "R3", "12", "R2", "R1", "c"]
    shin, lamed, vav, final_mem = "\u05e9\u05b8\u05c1", "\u05dc", "\u05d5\u05b9", "\u05dd"  # with their points
    assert reversed_text(f"({shin}{lamed}{vav}{final_mem})") == f"({final_mem}{vav}{lamed}{shin})", \
        "marks stay after their letter, brackets are mirrored"


def _callbacks(writer, texts: list[str], names: tuple[str, str], width: float = 400) -> list[tuple]:
    """(name, label, x, line) of each <onDraw> callback named `names` as `texts` are drawn, in drawing order."""
    import io

    from reportlab.pdfgen.canvas import Canvas

    from briefing.render.pdf_notes import MeasuredParagraph

    calls = []
    canvas = Canvas(io.BytesIO())
    for name in set(re.findall(r'<onDraw name="([^"]+)"', "".join(texts))) - set(names):
        canvas.setNamedCB(name, lambda canv, kind, label: None)  # others' callbacks (the tagged PDF's, say)
    for name in names:
        canvas.setNamedCB(name, lambda canv, kind, label, name=name: calls.append(
            (name, label, round(canv._curr_tx_info["cur_x"], 2), round(canv._curr_tx_info["cur_y"], 2))))
    for text in texts:
        paragraph = MeasuredParagraph(text, writer.styles["body"])
        paragraph.wrap(width, 1000)
        paragraph.drawOn(canvas, 0, 0)
    return calls


def test_a_span_around_urdu_text_opens_before_its_glyphs_and_closes_after_them(writer):
    """The tagged PDF marks a run in another language with a pair of <onDraw> callbacks: the pair must open
    before the run's glyphs and close after them in drawing order, also when the run is reversed and wraps."""
    def span(text):
        return f'<onDraw name="span_open" label="Span:ur"/>{writer.fonts.markup(text)}<onDraw name="span_close" ' \
               f'label="Span:ur"/>'

    from reportlab.pdfbase.pdfmetrics import stringWidth

    calls = _callbacks(writer, ["The city of " + span("اسلام آباد") + " is the capital.",
                                "Talks on " + span(URDU) + " went well, said the ministers of both sides."],
                       ("span_open", "span_close"), width=250)
    assert [name for name, *_ in calls] == ["span_open", "span_close"] * 2
    (_, _, x_open, y_open), (_, _, x_close, y_close) = calls[:2]
    body = writer.styles["body"]
    assert y_open == y_close
    assert x_open == pytest.approx(stringWidth("The city of ", body.fontName, body.fontSize), abs=0.01)
    assert x_close - x_open > 30, "the span encloses the Urdu words, reversed between its two callbacks"
    (_, _, x_open, y_open), (_, _, x_close, y_close) = calls[2:]
    assert y_open > y_close, "the second span wraps: it opens on its first line and closes on its last"
    assert x_open == pytest.approx(stringWidth("Talks on ", body.fontName, body.fontSize), abs=0.01), \
        "it opens where its Urdu words start on the first line, though the first of them stands at the right"


def test_a_link_inside_urdu_text_draws_in_order_around_its_words(writer):
    words = URDU.split()
    text = writer.fonts.markup(" ".join(words[:3]) + " ") + '<onDraw name="span_open" label="Link:1"/>' + \
        writer.fonts.markup(" ".join(words[3:5])) + '<onDraw name="span_close" label="Link:1"/>' + \
        writer.fonts.markup(" " + " ".join(words[5:8]))
    calls = _callbacks(writer, [text], ("span_open", "span_close"))
    assert [name for name, *_ in calls] == ["span_open", "span_close"]
    assert 0 < calls[0][2] < calls[1][2], "the link's words lie inside the Urdu run, between its neighbours"
