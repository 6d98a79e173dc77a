"""The HTML: one self-contained, valid, accessible file per brief × audience, notes linked both ways, every text
escaped, the same sentences as the PDF and DOCX."""

from __future__ import annotations

import glob
import os
import re

import pytest
from browser import axe_violations, chromium, vnu_messages
from conftest import ROOT, outputs
from lxml import html as lxml_html

from briefing import model as m
from briefing.render.html import HtmlTranslator, HtmlWriter, css_string, safe_href
from briefing.style import load_style
from samples import WHEN, golden_document, meta, note

GOLDEN_STYLE = os.path.join(ROOT, "tests", "data", "golden", "templates", "style.yaml")


@pytest.fixture(scope="module")
def writer() -> HtmlWriter:
    return HtmlWriter(load_style(GOLDEN_STYLE))


def _page(writer, doc):
    return lxml_html.document_fromstring(writer.render(doc, WHEN))


def _body(*blocks) -> m.Document:
    return m.Document(meta(), list(blocks))


def _html_files(folder: str) -> list[str]:
    files = sorted(glob.glob(os.path.join(folder, "*.html")))
    assert files, f"no HTML files in {folder}"
    return files


# -- the document --------------------------------------------------------------------------------


def test_every_model_class_has_a_method_in_the_html_translator():
    missing = [cls.__name__ for cls in m.NODE_TYPES if not hasattr(HtmlTranslator, "visit_" + cls.__name__)]
    assert not missing


def test_every_node_type_has_its_semantic_element(writer):
    page = _page(writer, golden_document())
    assert page.get("lang") == "en-GB"
    article = page.find(".//main/article")
    assert article is not None
    assert [h.tag for h in article.iter("h1", "h2", "h3", "h4")] == ["h1", "h2", "h3"]  # the title, then in order
    assert article.find(".//header/h1").text_content() == "Sample brief"
    assert [p.get("class") for p in article.find("header").iter("p")] == ["handling", "subtitle", "meta"]
    table = article.find(".//table")
    assert table.find("caption").text_content() == "Figures as reported"
    assert [(th.get("scope"), th.text_content()) for th in table.iterfind("thead/tr/th")] == [
        ("col", "Figure"), ("col", "Value")]
    assert [td.get("class") for td in table.iterfind("tbody/tr/td")] == [None, "align-right"]
    assert article.find(".//ul/li/ul/li").text_content() == "nested"
    assert [li.text_content() for li in article.iterfind(".//ol/li")][:2] == ["one", "two"]
    assert article.find(".//blockquote/p") is not None and article.find(".//hr") is not None
    first = article.xpath(".//h2/following-sibling::p")[0]
    assert [e.tag for e in first.iter("em", "strong", "br", "code", "a")] == ["em", "strong", "a", "br", "code", "a"]


def test_notes_are_a_numbered_section_linked_to_their_marks_and_back(writer):
    page = _page(writer, golden_document())
    marks = page.xpath("//a[@role='doc-noteref']")
    assert [(a.get("href"), a.get("id"), a.text_content()) for a in marks] == [
        ("#fn-1", "fnref-1", "1"), ("#fn-2", "fnref-2", "2")]
    section = page.find(".//section[@role='doc-endnotes']")
    assert section.get("aria-label") and section.getparent().tag == "article"
    items = section.findall("ol/li")
    assert [li.get("id") for li in items] == ["fn-1", "fn-2"]
    for n, li in enumerate(items, 1):
        back = li.xpath(".//a[@role='doc-backlink']")
        assert [a.get("href") for a in back] == [f"#fnref-{n}"]
        assert back[0].getparent().tag == "p"  # at the end of the note's last paragraph, as pandoc writes it
    assert items[1].find(".//a[@href='https://example.org/b']") is not None  # a note keeps its link


def test_a_note_holding_a_table_or_list_keeps_it_and_gets_its_back_link_after_it(writer):
    body = m.Table([m.TableCell([m.Text("A")])], [[m.TableCell([m.Text("1")])]])
    doc = _body(m.Paragraph([m.Text("Text."), m.Note(1, [m.Paragraph([m.Text("See:")]), body,
                                                            m.BulletList([m.ListItem([m.Paragraph([m.Text("x")])])])])]))
    item = _page(writer, doc).find(".//li[@id='fn-1']")
    assert [e.tag for e in item] == ["p", "table", "ul", "p"]
    assert item[-1].find("a").get("href") == "#fnref-1"


def test_a_heading_inside_a_note_is_a_bold_line_and_a_mark_inside_a_note_stays_text(writer):
    doc = _body(m.Paragraph([m.Text("A."), m.Note(1, [m.Heading(1, [m.Text("Inner")]),
                                                         m.Paragraph([m.Text("b"), m.Note(7, [])])])]))
    page = _page(writer, doc)
    item = page.find(".//li[@id='fn-1']")
    assert item.find("p/strong").text == "Inner" and not item.xpath(".//h2|.//h3")
    assert item.xpath(".//a[@role='doc-noteref']") == [] and "7" in item.text_content()


def test_a_lead_in_line_keeps_with_what_follows_on_paper_and_classes_pass_through(writer):
    page = _page(writer, _body(m.Paragraph([m.Strong([m.Text("A disputed question?")])], classes=("lead-in",),
                                           keep_with_next=True),
                               m.Paragraph([m.Text("Answer.")], classes=("x\" onclick=\"y", "wide"),
                                           custom_style="Desk <Note>")))
    first, second = page.findall(".//article/p")
    assert first.get("class") == "lead-in keep-with-next"
    assert re.search(r"\.keep-with-next[^{]*\{[^}]*break-after: avoid", page.find(".//style").text)
    assert (second.get("class"), second.get("onclick"), second.get("data-custom-style")) == ("wide", None, "Desk <Note>")


def test_runs_in_another_script_carry_their_language_and_direction(writer):
    doc = _body(m.Paragraph([m.Text("Minsk (Минск), Beijing (北京), Lahore (لاہور) and Jerusalem (ירושלים).")]))
    spans = [(s.get("lang"), s.get("dir"), s.text) for s in _page(writer, doc).iterfind(".//article//span")]
    assert spans == [("ru", None, "Минск"), ("zh", None, "北京"), ("ur", "rtl", "لاہور"), ("he", "rtl", "ירושלים")]


def test_the_document_language_comes_from_the_brief(writer):
    doc = m.Document(m.Meta("Title", language="fr-FR"), [m.Paragraph([m.Text("Bonjour.")])])
    assert _page(writer, doc).get("lang") == "fr-FR"


HOSTILE = '"><script>alert(1)</script><img src=x onerror=alert(2)>&amp;\u0000\u0007'


def _hostile() -> m.Document:
    return m.Document(m.Meta(HOSTILE, subtitle=HOSTILE, audience=HOSTILE, handling=HOSTILE, author=HOSTILE,
                            subject=HOSTILE, keywords=(HOSTILE,)),
                     [m.Heading(1, [m.Text(HOSTILE)]),
                      m.Paragraph([m.Text(HOSTILE), m.Code(HOSTILE), note(1, HOSTILE),
                                   m.Link('https://example.org/"><script>x</script>', [m.Text(HOSTILE)])]),
                      m.Table([m.TableCell([m.Text(HOSTILE)])], [[m.TableCell([m.Text(HOSTILE)])]], [m.Text(HOSTILE)])])


def test_every_text_and_attribute_from_a_brief_is_escaped(writer):
    data = writer.render(_hostile(), WHEN).decode("utf-8")
    assert "<script" not in data and "<img" not in data and "\u0000" not in data and "\u0007" not in data
    page = lxml_html.document_fromstring(data)
    assert page.find(".//title").text.startswith('"><script>')  # shown as text, exactly
    assert page.find(".//h1").text_content().startswith('"><script>alert(1)</script><img src=x onerror=alert(2)>&amp;')
    assert page.xpath("//a[starts-with(@href, 'https:')]")[0].get("href") == "https://example.org/%22%3E%3Cscript%3Ex%3C/script%3E"
    assert page.find(".//meta[@name='author']").get("content").startswith('"><script>')


@pytest.mark.parametrize("href,live", [
    ("https://example.org/a?b=1&c=2#x", True), ("https://example.org/caf%C3%A9", True), ("http://example.org", True), ("mailto:desk@example.org", True),
    ("#fn-1", True), ("javascript:alert(1)", False), ("JaVaScRiPt:alert(1)", False), ("data:text/html,x", False),
    ("file:///etc/passwd", False), ("vbscript:x", False), ("//evil.example/x", False), ("https:", False),
    ("#a b", False), ("https://exa mple.org", False), ("\x01javascript:x", False),
])
def test_only_http_https_mailto_and_anchor_links_are_live(writer, href, live):
    assert safe_href(href) is live
    page = _page(writer, _body(m.Paragraph([m.Link(href, [m.Text("the text")])])))
    links = page.xpath("//article//a[not(@role)]")
    assert [a.get("href") for a in links] == ([href] if live else [])
    assert "the text" in page.find(".//article").text_content()


def test_css_strings_hold_only_escapes_outside_letters_digits_and_spaces():
    assert css_string('FOR OFFICIAL USE</style><script>"') == (
        '"FOR OFFICIAL USE\\00003c\\00002fstyle\\00003e\\00003cscript\\00003e\\000022"')


def test_nothing_is_fetched_from_elsewhere_and_the_logo_is_inside_the_file(tmp_path):
    import shutil

    from PIL import Image

    shutil.copytree(os.path.dirname(GOLDEN_STYLE), tmp_path / "templates")
    Image.new("RGB", (40, 20), (31, 56, 100)).save(tmp_path / "templates" / "logo.png")
    style = tmp_path / "templates" / "style.yaml"
    style.write_text(style.read_text().replace("logo: null", "logo: logo.png") + 'logo_alt: "The desk\'s crest"\n')
    page = _page(HtmlWriter(load_style(str(style))), golden_document())
    logo = page.find(".//header/img")
    assert logo.get("src").startswith("data:image/png;base64,") and logo.get("alt") == "The desk's crest"
    assert not page.xpath("//script | //link | //iframe | //object | //embed")
    assert all(src.startswith("data:") for src in page.xpath("//@src"))
    assert all(href.startswith(("#", "https:")) for href in page.xpath("//@href"))
    assert "url(" not in page.find(".//style").text and "@import" not in page.find(".//style").text
    policy = page.find(".//meta[@http-equiv='Content-Security-Policy']").get("content")
    assert policy.startswith("default-src 'none';")


def test_the_print_stylesheet_sets_the_page_the_running_header_and_footer_and_keeps_notes_and_tables(writer):
    css = _page(writer, golden_document()).find(".//style").text
    assert re.search(r"@page \{\s*size: A4;\s*margin: [\d.]+mm", css)
    assert "@top-left { content: \"PUBLIC" in css and "counter(page)" in css and "counter(pages)" in css
    assert "@page :first { @top-left { content: none; } }" in css
    printed = css[css.index("@media print {\n"):]
    for rule in ("thead { display: table-header-group; }", "tr, .footnotes li { break-inside: avoid; }",
                 "print-color-adjust: exact", ".footnote-back { display: none; }"):
        assert rule in printed


def test_the_house_style_gives_the_colours_and_fonts(writer):
    css = _page(writer, golden_document()).find(".//style").text
    style = load_style(GOLDEN_STYLE)
    assert f"--heading: #{style.colours.heading};" in css
    assert f"--body-font: {css_string(style.body_font.family)}, serif;" in css
    assert f"--size-body: {style.sizes.body:g}pt;" in css


def test_the_same_model_and_time_give_the_same_bytes(writer):
    assert writer.render(golden_document(), WHEN) == writer.render(golden_document(), WHEN)


# -- every brief × audience ------------------------------------------------------------------------

_CSP_HASH_WARNING = "Inline style violates Content Security Policy"
"""vnu does not compute style hashes, so it warns that the style element the policy's hash allows is blocked;
Chromium applies it (test_every_brief_has_no_accessibility_violations looks at the computed colours)."""


def test_every_brief_passes_the_nu_html_checker(built, writer, tmp_path):
    """Every brief × audience of the project, the golden brief (Urdu, Chinese and Cyrillic runs), every node type
    and a document of hostile text."""
    from briefing.cli import main

    golden = os.path.dirname(os.path.dirname(GOLDEN_STYLE))
    assert main(["-C", golden, "build", "-f", "html", "-o", str(tmp_path)]) == 0
    (tmp_path / "nodes.html").write_bytes(writer.render(golden_document(), WHEN))
    (tmp_path / "hostile.html").write_bytes(writer.render(_hostile(), WHEN))
    paths = outputs(built, "*.html") + _html_files(str(tmp_path))
    messages = [msg for msg in vnu_messages(paths) if not msg["message"].startswith(_CSP_HASH_WARNING)]
    assert messages == []


def test_every_brief_has_no_accessibility_violations(built):
    with chromium() as driver:
        for path in outputs(built, "*.html"):
            driver.get("file://" + path)
            heading = driver.execute_script("return getComputedStyle(document.querySelector('h2')).color")
            assert heading == "rgb(31, 56, 100)", "the style sheet was not applied"
            assert axe_violations(driver) == [], path


def _normal(text: str) -> str:
    return " ".join(text.split())


def html_blocks_cells_and_notes(path: str) -> tuple[list[str], list[str], list[str]]:
    """Return (text blocks outside tables and notes, in order: title block, headings, paragraphs, list items'
    own text, captions; table cells; note texts) of an HTML brief, note marks and back-links left out."""
    page = lxml_html.parse(path).getroot()
    for a in page.xpath("//a[@role='doc-noteref' or @role='doc-backlink']"):
        a.drop_tree()
    notes = [_normal(li.text_content()) for li in page.xpath("//section[@role='doc-endnotes']/ol/li")]
    for section in page.xpath("//section[@role='doc-endnotes']"):
        section.drop_tree()
    blocks = []
    for el in page.find(".//article").iter("p", "h1", "h2", "h3", "h4", "li", "caption"):
        if el.tag == "li":  # the item's own text, not its nested blocks'
            own = [el.text or ""]
            for kid in el:
                if kid.tag not in ("p", "ul", "ol", "blockquote", "table"):
                    own.append(kid.text_content())
                own.append(kid.tail or "")
            text = "".join(own)
        else:
            text = el.text_content()
        if _normal(text) and el.xpath("not(ancestor::td or ancestor::th)"):
            blocks.append(_normal(text))
    cells = [_normal(c.text_content()) for c in page.iter("th", "td")]
    return blocks, cells, notes


def test_html_pdf_and_docx_say_the_same_sentence_for_sentence(built, style):
    """Parity: the HTML's blocks, table cells and notes are the DOCX's, and every sentence of the HTML is in the
    PDF of the same brief and audience (test_docx checks the DOCX against the PDF likewise; right-to-left text
    as the PDF's page shows it)."""
    from readers import displayed, docx_body_and_notes, pdf_body_and_notes

    note_size = style.sizes.note
    for path in outputs(built, "*.html"):
        stem = os.path.join(built, os.path.basename(path)[:-5])
        blocks, cells, notes = html_blocks_cells_and_notes(path)
        paragraphs, docx_cells, docx_notes = docx_body_and_notes(stem + ".docx")
        assert blocks == paragraphs, path
        assert cells == docx_cells, path
        assert ["".join(n.split()) for n in notes] == ["".join(n.split()) for n in docx_notes], path
        pdf_body, pdf_notes = pdf_body_and_notes(stem + ".pdf", note_size)
        assert len(pdf_notes) == len(notes), path
        start = next(i for i, b in enumerate(blocks) if b.startswith("For: ")) + 1  # after the title block
        for block in blocks[start:]:
            for sentence in re.split(r"(?<=[.!?])\s+", displayed(block)):
                assert sentence in pdf_body, (path, sentence)
