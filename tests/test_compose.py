"""Composing: footnotes numbered in reading order, Chicago first and short notes, escaping, the sandbox."""

from __future__ import annotations

import os
import re

import pytest
from conftest import ROOT, in_project, outputs

from briefing.compose import Composer
from briefing.errors import InputError
from briefing.factbase import Citation
from briefing.mdtext import escape
from briefing.project import Project


def notes_of(markdown: str) -> dict[int, str]:
    return {int(n): text for n, text in re.findall(r"^\[\^(\d+)\]: (.*)$", markdown, re.M)}


def test_marks_are_numbered_in_reading_order_and_each_has_its_note(built):
    for path in outputs(built, "*.md"):
        md = open(path, encoding="utf-8").read()
        body = md.split("\n[^1]: ")[0]
        marks = [int(n) for n in re.findall(r"\[\^(\d+)\]", body)]
        assert marks == list(range(1, len(marks) + 1)) and marks, path
        assert sorted(notes_of(md)) == marks, path


def test_a_sources_first_note_is_full_and_later_notes_are_short(built):
    md = open(os.path.join(built, "freight-line.minister.md"), encoding="utf-8").read()
    holm = [part for _, text in sorted(notes_of(md).items()) for part in text.split("; ") if "Holm" in part]
    full = "Dana Holm, “Marovia and Tarvel Agree to Build the Lakeside Freight Line,” Tarvel Gazette, 5 June 2025, para"
    assert holm[0].startswith(full)
    assert all(re.match(r"Holm, “Marovia and Tarvel Agree…,” paras?\. \d", t) for t in holm[1:])
    assert len(holm) >= 2


def test_unsigned_pieces_are_cited_by_title_and_the_bibliography_follows_chicago(built):
    md = open(os.path.join(built, "freight-line.analyst.md"), encoding="utf-8").read()
    assert re.search(r"\\\[Editorial: a railway built on promises\\\], Harbour Weekly, n\.d\., paras?\. \d", md)
    assert re.search(r"“The Lakeside Freight Line: A New Gateway for the North,” Tarvel Freight Authority, "
                     r"4 June 2025, paras?\. \d", md)
    sources = md.split("# Sources")[1].split("[^1]:")[0]
    kell = "- Kell, Mara. “Lakeside Line: The Bill May Be Higher than Brask Admits.” Brask Courier, 6 June 2025."
    assert kell in sources
    assert "- Holm, Dana. “Marovia and Tarvel Agree to Build the Lakeside Freight Line.”" in sources
    assert "- \\[Editorial: a railway built on promises\\]. Harbour Weekly, n.d." in sources


def test_analyst_notes_quote_the_source_and_minister_notes_do_not(built):
    analyst = open(os.path.join(built, "freight-line.analyst.md"), encoding="utf-8").read()
    minister = open(os.path.join(built, "freight-line.minister.md"), encoding="utf-8").read()
    quote = "“The cost of the line is estimated at 240 million euros, according to the two transport ministries”"
    assert quote in analyst
    assert "according to the two transport ministries" not in minister


def test_a_passage_is_quoted_in_one_note_and_later_notes_give_its_place_alone(built):
    cited_again = 0
    for path in outputs(built, "*.analyst.md"):
        quoted: dict[str, int] = {}
        for number, text in sorted(notes_of(open(path, encoding="utf-8").read()).items()):
            for quote in re.findall(r"“([^”]{12,})”", text):
                if not quote.endswith(","):  # a title, not a quotation
                    assert quote not in quoted, f"{path}: note {number} quotes again what note {quoted[quote]} did"
                    quoted[quote] = number
            cited_again += bool(re.search(r"paras?\. [\d, ]+\.?(;|$)", text))  # a place with no quotation after it
    assert quoted and cited_again


def test_analyst_briefs_show_every_disputed_question_of_their_topics(built, project):
    loaded = Project.load(directory=project)
    shown = 0
    for path in outputs(built, "*.analyst.md"):
        brief = loaded.briefs[os.path.basename(path).split(".")[0]]
        md = open(path, encoding="utf-8").read()
        for d in loaded.facts.disputes.values():
            if set(d.topics) & set(brief.topics):
                assert escape(d.question) in md, (brief.name, d.id)
                for claim in d.claims:  # (a claim restating facts carries their hedges before its full stop)
                    assert escape(claim.claim).rstrip(".") in md, (brief.name, d.id, claim.claim)
                shown += 1
    assert shown == len(loaded.facts.disputes), "each of the test project's disputed questions is some brief's"


def _project_with_fact(project_copy, statement: str) -> Project:
    path = os.path.join(project_copy, "facts.yaml")
    facts = open(path, encoding="utf-8").read()
    old = "statement: The project will create some 4,000 jobs during construction."
    assert facts.count(old) == 1
    open(path, "w", encoding="utf-8").write(facts.replace(old, f"statement: {statement}"))
    return Project.load(directory=project_copy)


def test_markup_in_fact_text_stays_literal(project_copy):
    text = r"'Trade *up* _50%_ [link](x) <b>bold</b> & \ `code` # | Аляксандр Лукашэнка, Łódź, Ελλάδα'"
    project = _project_with_fact(project_copy, text)
    from briefing.parse import parse
    from briefing import model as m

    composed = Composer(project.facts, project.templates).compose(project.briefs["freight-line"],
                                                                   project.audiences["analyst"])
    doc = parse(composed.markdown, composed.meta)
    texts = [m.plain_text(p.children) for p in doc.children if isinstance(p, m.Paragraph)]
    assert any(text.strip("'") in t for t in texts)


def test_templates_cannot_reach_python_internals(project_copy):
    path = os.path.join(project_copy, "templates", "briefs", "visit-politics.md.j2")
    text = open(path, encoding="utf-8").read()
    open(path, "w", encoding="utf-8").write(text.replace("{% block background %}",
                                                         "{% block background %}\n{{ fact.__globals__ }}"))
    project = Project.load(directory=project_copy)
    with pytest.raises(InputError) as e:
        Composer(project.facts, project.templates).compose(project.briefs["visit-politics"],
                                                           project.audiences["analyst"])
    assert "visit-politics.md.j2" in str(e.value) and "unsafe" in str(e.value)


def test_check_warns_about_numbers_typed_into_template_prose(project_copy):
    from briefing.compose import template_digits

    templates = os.path.join(project_copy, "templates")
    assert template_digits(templates) == []
    path = os.path.join(templates, "briefs", "freight-line.md.j2")
    text = open(path, encoding="utf-8").read()
    heading = '## {{ "Grain"'
    assert text.count(heading) == 1
    open(path, "w", encoding="utf-8").write(text.replace(heading, "The line costs only €240 million.\n\n" + heading))
    warnings = template_digits(templates)
    assert len(warnings) == 1 and "freight-line.md.j2" in warnings[0].file


def test_a_control_character_typed_into_a_template_is_a_clear_error_not_a_crash(project_copy, tmp_path, capsys):
    path = os.path.join(project_copy, "templates", "briefs", "visit-politics.md.j2")
    text = open(path, encoding="utf-8").read()
    open(path, "w", encoding="utf-8").write(text.replace("{% block background %}",
                                                         "{% block background %}\nBell\x07 here."))
    assert in_project(project_copy, "build", "-o", str(tmp_path / "out"), "visit-politics", "-a", "analyst") == 1
    err = capsys.readouterr().err
    assert "control character U+0007" in err and "visit-politics" in err and "Traceback" not in err
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


def test_a_misspelled_name_suggests_the_right_one_and_a_dispute_id_is_not_a_fact(project_copy, capsys):
    path = os.path.join(project_copy, "templates", "briefs", "visit-politics.md.j2")
    text = open(path, encoding="utf-8").read()

    def check_with(line: str) -> str:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace("{% block background %}", "{% block background %}\n" + line))
        assert in_project(project_copy, "check") == 1
        return capsys.readouterr().err

    assert "has no attribute 'nmae' (did you mean 'name'?)" in check_with("{{ audience.nmae }}")
    err = check_with('{{ say("visit.delegation-size") }}')
    assert "'visit.delegation-size' is a disputed question, not a fact" in err and "dispute(" in err
    assert "unknown fact id 'visit.dats' (did you mean 'visit.dates'?)" in check_with('{{ say("visit.dats") }}')


def test_a_note_gives_its_places_in_the_sources_order_and_each_quote_once(project):
    from briefing import citations

    source = Project.load(directory=project).facts.sources["freight-authority"]
    cites = [Citation("freight-authority", "later words", "para. 14", 1, 1),
             Citation("freight-authority", "earlier words", "para. 2", 2, 1),
             Citation("freight-authority", "later words", "para. 14", 3, 1),
             Citation("freight-authority", "middle words", "para. 4", 4, 1)]
    note = citations.full_note(source, cites, quote=True)
    assert note.endswith("paras. 2, 4, 14: “earlier words”; “middle words”; “later words”")
    unplaced = [Citation("freight-authority", "no place", None, 5, 1),
                Citation("freight-authority", "blank", " ", 6, 1)]
    assert citations.full_note(source, cites + unplaced, quote=True).endswith("“no place”; “blank”")


def test_analysts_see_each_sources_standpoint_and_summary_audiences_do_not(built, project):
    analyst = open(os.path.join(built, "freight-line.analyst.md"), encoding="utf-8").read()
    minister = open(os.path.join(built, "freight-line.minister.md"), encoding="utf-8").read()
    for s in Project.load(directory=project).facts.sources.values():  # the railway brief cites every one
        words = escape(s.standpoint).replace("'", "’")
        assert f"*Standpoint:* {words}" in analyst, s.id
        assert words not in minister, s.id
    assert "Writer: the editors of a port trade weekly." in analyst


def test_an_action_marked_for_some_audiences_reaches_only_them(built, project_copy, tmp_path, capsys):
    business = open(os.path.join(built, "freight-line.business.md"), encoding="utf-8").read()
    minister = open(os.path.join(built, "freight-line.minister.md"), encoding="utf-8").read()
    budget = "Budget for the higher estimate in any guarantee the ministry is asked to give."
    assert "# What to do" in business and budget in business and budget in minister
    timetable = "Ask the transport ministry for the line’s construction timetable"  # for minister and analyst only
    assert timetable in minister and timetable not in business
    path = os.path.join(project_copy, "templates", "judgments", "freight-line.yaml")
    text = open(path, encoding="utf-8").read()
    assert text.count("    action: ") == 3 and text.count("    audiences: [minister, analyst]\n") == 1
    only_ministries = text.replace("    audiences: [minister, analyst]\n", "").replace(
        "    action: ", "    audiences: [minister, analyst]\n    action: ")
    open(path, "w", encoding="utf-8").write(only_ministries)
    assert in_project(project_copy, "build", "-f", "md", "-o", str(tmp_path / "out"), "freight-line", "-a",
                      "business") == 0
    business = open(tmp_path / "out" / "freight-line.business.md", encoding="utf-8").read()
    assert "# What to do" not in business  # every action is for ministries: no empty section
    open(path, "w", encoding="utf-8").write(text.replace("audiences: [minister, analyst]",
                                                         "audiences: [minister, analysts]", 1))
    assert in_project(project_copy, "check") == 1
    err = capsys.readouterr().err
    assert "judgment 'no-train-before-2029': unknown audience 'analysts' (did you mean 'analyst'?)" in err


def test_a_writer_given_with_an_initial_ends_the_entry_with_one_full_stop(project):
    import dataclasses

    from briefing import citations

    source = Project.load(directory=project).facts.sources["freight-authority"]
    entry = citations.bibliography_entry(dataclasses.replace(source, author="A. Writer"))
    assert entry.startswith("Writer, A. ") and "A.." not in entry


def test_a_quote_that_is_a_citations_only_place_is_given_in_every_note_that_cites_it(project):
    from briefing.notes import Notes

    fb = Project.load(directory=project).facts
    source = next(iter(fb.sources))
    placeless = Citation(source, "agreed to build a freight line", None, 0, 0)
    placed = Citation(source, "freight line", "para. 3", 0, 0)
    notes = Notes(fb, quotes=True)
    body = f"One {notes.mark((placeless,))}. Two {notes.mark((placed,))}. Three {notes.mark((placeless, placed))}.\n"
    texts = notes_of(notes.finish(body))
    assert all("“agreed to build a freight line" in texts[n] for n in (1, 3))  # its words are its only locator
    assert "“freight line" in texts[2] and "para. 3" in texts[3] and "“freight line”" not in texts[3]
