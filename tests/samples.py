"""Small document models for renderer tests: fixed, so their output can be compared byte for byte."""

from __future__ import annotations

import datetime as dt

from briefing import model as m

WHEN = dt.datetime(2024, 11, 30, tzinfo=dt.timezone.utc)


def meta(title: str = "Sample brief") -> m.Meta:
    """The metadata of the sample briefs, its running lines worded as compose words them for templates/style.yaml."""
    from briefing.compose import furnish

    return furnish(m.Meta(title=title, subtitle="A subtitle", date=dt.date(2024, 11, 30), audience="Testers",
                          handling="PUBLIC", author="Test Desk", subject="Testing", keywords=("trade", "sco")),
                   "{handling} · {title}", "{handling} · Page {page} of {pages}")


def note(n: int, text: str) -> m.Note:
    return m.Note(n, [m.Paragraph([m.Text(text)])])


def golden_document() -> m.Document:
    """Every node type once, two notes, one with a link."""
    body = [
        m.Heading(1, [m.Text("Bottom line")]),
        m.Paragraph([m.Text("Trade is "), m.Emph([m.Text("small")]), m.Text(" and "), m.Strong([m.Text("growing")]),
                     m.Text("."), note(1, "First note."), m.LineBreak(), m.Code("code"), m.Text(" "),
                     m.Link("https://example.org/a", [m.Text("a link")])]),
        m.BulletList([m.ListItem([m.Paragraph([m.Text("first")]),
                                  m.BulletList([m.ListItem([m.Paragraph([m.Text("nested")])])])])]),
        m.OrderedList(1, [m.ListItem([m.Paragraph([m.Text("one")])]), m.ListItem([m.Paragraph([m.Text("two")])])]),
        m.BlockQuote([m.Paragraph([m.Text("Reports differ."),
                                    m.Note(2, [m.Paragraph([m.Text("See "), m.Link("https://example.org/b", [m.Text("b")]),
                                                            m.Text(".")])])])]),
        m.Table([m.TableCell([m.Text("Figure")]), m.TableCell([m.Text("Value")], "right")],
                [[m.TableCell([m.Text("Trade")]), m.TableCell([m.Text("US$50 million")], "right")]],
                [m.Text("Figures as reported")]),
        m.ThematicBreak(),
        m.Heading(2, [m.Text("Sub")]),
    ]
    return m.Document(meta(), body)


FILLER = ("The delegation discussed cooperation in trade, agriculture and technology, and both sides "
          "agreed to meet again before the end of the year to review progress on the roadmap. ")


def filler_paragraphs(k: int) -> list:
    return [m.Paragraph([m.Text(f"Line {i}. " + FILLER[:60])]) for i in range(k)]


LOGO_BRIEF = "visit-politics.minister"
"""The brief × audience build_with_logo builds."""


def build_with_logo(tmp_path, formats: str = "pdf,docx") -> str:
    """Build the test project's politics brief for the minister from a copy whose house style has a logo and its
    alt text ("The desk's crest"); return the output folder, which holds LOGO_BRIEF's files."""
    from PIL import Image

    from conftest import copy_project, in_project

    project = copy_project(tmp_path / "project")
    Image.new("RGB", (120, 60), (31, 56, 100)).save(tmp_path / "project" / "templates" / "logo.png")
    style = tmp_path / "project" / "templates" / "style.yaml"
    style.write_text(style.read_text().replace("logo: null", "logo: logo.png")
                     .replace("logo_alt: null", 'logo_alt: "The desk\'s crest"'))
    out = tmp_path / "out"
    brief, audience = LOGO_BRIEF.split(".")
    assert in_project(project, "build", "-f", formats, "-o", str(out), brief, "-a", audience) == 0
    return str(out)
