"""Composing: footnotes numbered in reading order, Chicago first and short notes, escaping, the sandbox."""

from __future__ import annotations

import os
import re
import shutil

import pytest
from conftest import ROOT

from briefing.project import Project
from briefing.compose import Composer
from briefing.errors import InputError
from briefing.mdtext import escape


def notes_of(markdown: str) -> dict[int, str]:
    return {int(n): text for n, text in re.findall(r"^\[\^(\d+)\]: (.*)$", markdown, re.M)}


def test_marks_are_numbered_in_reading_order_and_each_has_its_note(built):
    md = open(os.path.join(built, "trade-outlook.analyst.md"), encoding="utf-8").read()
    body = md.split("\n[^1]: ")[0]
    marks = [int(n) for n in re.findall(r"\[\^(\d+)\]", body)]
    assert marks == list(range(1, len(marks) + 1))
    assert sorted(notes_of(md)) == marks


def test_a_sources_first_note_is_full_and_later_notes_are_short(built):
    md = open(os.path.join(built, "trade-outlook.minister.md"), encoding="utf-8").read()
    akram = [part for _, text in sorted(notes_of(md).items()) for part in text.split("; ") if "Akram" in part]
    full = ("Khalid Taimur Akram, “Pakistan Welcomes Brother Aleksandr Lukashenko,” Institute for a Community "
            "with Shared Future, Communication University of China, 29 November 2024, para")
    assert akram[0].startswith(full)
    assert all(re.match(r"Akram, “Pakistan Welcomes Brother Aleksandr…,” paras?\. \d", t) for t in akram[1:])
    assert len(akram) >= 2


def test_unsigned_pieces_are_cited_by_title_and_the_bibliography_follows_chicago(built):
    md = open(os.path.join(built, "trade-outlook.analyst.md"), encoding="utf-8").read()
    assert re.search(r"\\\[Overview: focus areas and agreements of the visit\\\], n\.d\., paras?\. \d", md)
    sources = md.split("# Sources")[1].split("[^1]:")[0]
    assert "- Rifat, Muhammad Zahid. “Strengthening Pak-Belarus Ties.” Nawaiwaqt (ePaper), n.d." in sources
    assert "- Akram, Khalid Taimur. “Pakistan Welcomes Brother Aleksandr Lukashenko.”" in sources


def test_analyst_notes_quote_the_source_and_minister_notes_do_not(built):
    analyst = open(os.path.join(built, "trade-outlook.analyst.md"), encoding="utf-8").read()
    minister = open(os.path.join(built, "trade-outlook.minister.md"), encoding="utf-8").read()
    assert "“bilateral trade totaling approximately $50 million in 2023”" in analyst
    assert "totaling approximately" not in minister


def test_analyst_briefs_show_every_disputed_question_of_their_topics(built):
    from briefing.factbase import load

    fb = load(os.path.join(ROOT, "facts.yaml"))
    briefs = Project.load(os.path.join(ROOT, "facts.yaml"), os.path.join(ROOT, "templates")).briefs
    for name, brief in briefs.items():
        md = open(os.path.join(built, f"{name}.analyst.md"), encoding="utf-8").read()
        for d in fb.disputes.values():
            if set(d.topics) & set(brief.topics):
                assert escape(d.question) in md, (name, d.id)
                for claim in d.claims:  # (a claim restating facts carries their hedges before its full stop)
                    assert escape(claim.claim).rstrip(".") in md, (name, d.id, claim.claim)


def _project_with_fact(tmp_path, statement: str) -> Project:
    shutil.copytree(os.path.join(ROOT, "templates"), tmp_path / "templates")
    facts = open(os.path.join(ROOT, "facts.yaml"), encoding="utf-8").read()
    facts = facts.replace("statement: Pakistan dismissed the U.S. allegations.", f"statement: {statement}")
    (tmp_path / "facts.yaml").write_text(facts, encoding="utf-8")
    return Project.load(str(tmp_path / "facts.yaml"), str(tmp_path / "templates"))


def test_markup_in_fact_text_stays_literal(tmp_path):
    text = r"'Trade *up* _50%_ [link](x) <b>bold</b> & \ `code` # | Аляксандр Лукашэнка, Łódź, Ελλάδα'"
    project = _project_with_fact(tmp_path, text)
    from briefing.parse import parse
    from briefing import model as m

    composed = Composer(project.facts, project.templates).compose(project.briefs["defense-sco"],
                                                                   project.audiences["analyst"])
    doc = parse(composed.markdown, composed.meta)
    texts = [m.plain_text(p.children) for p in doc.children if isinstance(p, m.Paragraph)]
    assert any(text.strip("'") in t for t in texts)


def test_templates_cannot_reach_python_internals(tmp_path):
    shutil.copytree(os.path.join(ROOT, "templates"), tmp_path / "templates")
    path = tmp_path / "templates" / "briefs" / "connectivity.md.j2"
    path.write_text(path.read_text().replace("{% block background %}",
                                             "{% block background %}\n{{ fact.__globals__ }}"))
    project = Project.load(os.path.join(ROOT, "facts.yaml"), str(tmp_path / "templates"))
    with pytest.raises(InputError) as e:
        Composer(project.facts, project.templates).compose(project.briefs["connectivity"],
                                                           project.audiences["analyst"])
    assert "connectivity.md.j2" in str(e.value) and "unsafe" in str(e.value)


def test_check_warns_about_numbers_typed_into_template_prose(tmp_path):
    from briefing.compose import template_digits

    shutil.copytree(os.path.join(ROOT, "templates"), tmp_path / "templates")
    assert template_digits(str(tmp_path / "templates")) == []
    path = tmp_path / "templates" / "briefs" / "trade-outlook.md.j2"
    path.write_text(path.read_text().replace("## {{ \"Constraints\"", "Trade was only $50 million in 2023.\n\n## {{ \"Constraints\""))
    warnings = template_digits(str(tmp_path / "templates"))
    assert len(warnings) == 1 and "trade-outlook.md.j2" in warnings[0].file


def test_a_control_character_typed_into_a_template_is_a_clear_error_not_a_crash(tmp_path, capsys):
    from briefing.cli import main

    shutil.copytree(os.path.join(ROOT, "templates"), tmp_path / "templates")
    path = tmp_path / "templates" / "briefs" / "connectivity.md.j2"
    path.write_text(path.read_text().replace("{% block background %}", "{% block background %}\nBell\x07 here."))
    assert main(["build", "--facts", os.path.join(ROOT, "facts.yaml"), "--templates", str(tmp_path / "templates"),
                 "-o", str(tmp_path / "out"), "connectivity", "-a", "analyst"]) == 1
    err = capsys.readouterr().err
    assert "control character U+0007" in err and "connectivity" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_docs_list_every_name_a_template_can_reach():
    from briefing.compose import template_names

    names = template_names()
    macros = set(re.findall(r"\{%-? macro (\w+)", open(os.path.join(ROOT, "templates", "macros.md.j2")).read()))
    labels = set(re.findall(r'label\("(\w+)"', open(os.path.join(ROOT, "templates", "macros.md.j2")).read()))
    labels |= set(re.findall(r'ui\.section\("(\w+)"', open(os.path.join(ROOT, "templates", "base.md.j2")).read()))
    docs = open(os.path.join(ROOT, "docs", "templates.md"), encoding="utf-8").read()
    missing = sorted(n for n in names | {f"ui.{m}" for m in macros} | labels
                     if f"`{n}`" not in docs and f".{n}`" not in docs and f"`{n}(" not in docs
                     and f"`{n}." not in docs and f", `{n}`" not in docs)
    assert not missing, f"docs/templates.md does not describe {missing}"


def test_a_misspelled_name_suggests_the_right_one_and_a_dispute_id_is_not_a_fact(tmp_path, capsys):
    from briefing.cli import main

    shutil.copytree(os.path.join(ROOT, "templates"), tmp_path / "templates")
    path = tmp_path / "templates" / "briefs" / "connectivity.md.j2"
    text = path.read_text()
    path.write_text(text.replace("{% block background %}", "{% block background %}\n{{ audience.nmae }}"))
    args = ["check", "--facts", os.path.join(ROOT, "facts.yaml"), "--templates", str(tmp_path / "templates")]
    assert main(args) == 1
    assert "has no attribute 'nmae' (did you mean 'name'?)" in capsys.readouterr().err
    path.write_text(text.replace("{% block background %}", '{% block background %}\n{{ say("visit.delegation-timing") }}'))
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "'visit.delegation-timing' is a disputed question, not a fact" in err and "dispute(" in err
    path.write_text(text.replace("{% block background %}", '{% block background %}\n{{ say("visit.dats") }}'))
    assert main(args) == 1
    assert "unknown fact id 'visit.dats' (did you mean 'visit.dates'?)" in capsys.readouterr().err


def test_a_note_gives_its_places_in_the_sources_order_and_each_quote_once():
    from briefing import citations
    from briefing.factbase import Citation, load

    source = load(os.path.join(ROOT, "facts.yaml")).sources["visit-overview"]
    cites = [Citation("visit-overview", "later words", "para. 14", 1, 1),
             Citation("visit-overview", "earlier words", "para. 2", 2, 1),
             Citation("visit-overview", "later words", "para. 14", 3, 1),
             Citation("visit-overview", "middle words", "para. 4", 4, 1)]
    note = citations.full_note(source, cites, quote=True)
    assert note.endswith("paras. 2, 4, 14: “earlier words”; “middle words”; “later words”")
    unplaced = [Citation("visit-overview", "no place", None, 5, 1), Citation("visit-overview", "blank", " ", 6, 1)]
    assert citations.full_note(source, cites + unplaced, quote=True).endswith("“no place”; “blank”")


def test_analysts_see_each_sources_standpoint_and_summary_audiences_do_not(built):
    from briefing.factbase import load

    fb = load(os.path.join(ROOT, "facts.yaml"))
    analyst = open(os.path.join(built, "politics-diplomacy.analyst.md"), encoding="utf-8").read()
    minister = open(os.path.join(built, "politics-diplomacy.minister.md"), encoding="utf-8").read()
    for s in fb.sources.values():
        words = escape(s.standpoint).replace("'", "’")
        assert f"*Standpoint:* {words}" in analyst, s.id
        assert words not in minister, s.id
    assert "Writer: an author of several books, based in Islamabad." in analyst


def test_an_action_marked_for_some_audiences_reaches_only_them(built, tmp_path, capsys):
    from briefing.cli import main

    business = open(os.path.join(built, "trade-outlook.business.md"), encoding="utf-8").read()
    minister = open(os.path.join(built, "trade-outlook.minister.md"), encoding="utf-8").read()
    screening = "screen the Belarusian partner, its owners and its sector against U.S. and EU sanctions lists"
    assert "# What to do" in business and screening in business and screening in minister
    assert "Ask the Ministry of Commerce" in minister and "Ask the Ministry of Commerce" not in business
    connectivity = open(os.path.join(built, "connectivity.business.md"), encoding="utf-8").read()
    assert "# What to do" not in connectivity  # every connectivity action is for ministries: no empty section
    shutil.copytree(os.path.join(ROOT, "templates"), tmp_path / "templates")
    path = tmp_path / "templates" / "judgments" / "trade-outlook.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("audiences: [minister, analyst]",
                                                             "audiences: [minister, analysts]", 1), encoding="utf-8")
    assert main(["check", "--templates", str(tmp_path / "templates")]) == 1
    err = capsys.readouterr().err
    assert "judgment 'trade-stays-small': unknown audience 'analysts' (did you mean 'analyst'?)" in err


def test_a_writer_given_with_an_initial_ends_the_entry_with_one_full_stop():
    import dataclasses

    from briefing import citations
    from briefing.factbase import load

    source = load(os.path.join(ROOT, "facts.yaml")).sources["visit-overview"]
    entry = citations.bibliography_entry(dataclasses.replace(source, author="A. Writer"))
    assert entry.startswith("Writer, A. ") and "A.." not in entry
