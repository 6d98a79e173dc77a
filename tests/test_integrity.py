"""Fact integrity: claim kinds, the check lints, key judgments, and how every brief words what it prints."""

from __future__ import annotations

import glob
import os
import re
import subprocess

import pytest
from conftest import ROOT, need, problems_of

from briefing.project import Project
from briefing.cli import main
from briefing.errors import InputError
from briefing.factbase import load
from briefing.lint import lint, numbers
from briefing.mdtext import typographic

LINT = sorted(glob.glob(os.path.join(ROOT, "tests", "data", "lint", "*.yaml")))


@pytest.mark.parametrize("path", LINT, ids=[os.path.basename(p) for p in LINT])
def test_each_lint_reports_its_fixture_exactly(path):
    found, expected = problems_of(path, lambda name: lint(load(name)))
    assert found == expected


def test_check_runs_the_lints_and_exits_1(project_copy, capsys):
    facts = os.path.join(project_copy, "facts.yaml")
    text = open(facts, encoding="utf-8").read()
    text = text.replace("statement: Pakistan dismissed the U.S. allegations.",
                        "statement: Pakistan dismissed the U.S. allegations in May 2024.")
    open(facts, "w", encoding="utf-8").write(text)
    assert main(["check", "--facts", facts, "--templates", os.path.join(project_copy, "templates")]) == 1
    err = capsys.readouterr().err
    assert "fact 'defense.pakistan-dismissed': May (in its statement) is in none of its quotes" in err
    assert "fact 'defense.pakistan-dismissed': 2024 (in its statement) is in none of its quotes" in err


def test_check_says_how_many_facts_reach_no_brief(project_copy, capsys):
    facts = os.path.join(project_copy, "facts.yaml")
    text = open(facts, encoding="utf-8").read().replace("\ndisputed:\n", """
  - id: culture.unused
    topics: [nothing-reads-this]
    kind: reported
    statement: Plans for student exchanges were finalised.
    confidence: moderate
    cite:
      - source: prccsf-akram
        quote: "student exchange programs"
        at: para. 30

disputed:
""")
    open(facts, "w", encoding="utf-8").write(text)
    assert main(["check", "--facts", facts, "--templates", os.path.join(project_copy, "templates")]) == 0
    out = capsys.readouterr().out
    assert f"info: 1 of {len(load(facts).facts)} facts reach no brief: culture.unused" in out


def test_the_real_fact_base_passes_every_lint_and_every_fact_reaches_a_brief(capsys):
    fb = load(os.path.join(ROOT, "facts.yaml"))
    assert lint(fb) == []
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        assert main(["check"]) == 0
    finally:
        os.chdir(cwd)
    assert "info: 0 of" in capsys.readouterr().out


@pytest.mark.parametrize("text, expected", [
    ("$50 million", {50_000_000}), ("US$50 million", {50_000_000}), ("50,000,000", {50_000_000}),
    ("fifty million", {50_000_000}), ("2025–27", {2025, 27, 2027}), ("a three-day visit", {3}),
    ("12.5%", {12.5}), ("one columnist and the two leaders", set()), ("one million", {1_000_000}),
    ("a million", {1_000_000}), ("twenty-five", {25}), ("two hundred", {200}), ("10,00,000", {1_000_000}),
    ("2 crore", {20_000_000}), ("on 2024-11-25", {2024, 11, 25}),
])
def test_numbers_are_normalised_before_they_are_compared(text, expected):
    assert {float(n) for n in numbers(text)} == {float(n) for n in expected}


def test_claim_kinds_shape_the_fact_base():
    fb = load(os.path.join(ROOT, "facts.yaml"))
    kinds = {f.kind for f in fb.facts.values()}
    assert kinds == {"reported", "said", "assessment", "unconfirmed"}
    # opinion-only facts are attributed or justify themselves
    for f in fb.facts.values():
        if all(fb.sources[s].kind == "opinion" for s in f.source_ids):
            assert f.kind in ("assessment", "unconfirmed") or f.justification, f.id
    # the examples
    assert fb.facts["context.western-interest"].kind == "assessment"
    assert fb.facts["context.warning-europe"].kind == "unconfirmed"
    assert fb.facts["trade.composition"].kind == "assessment"
    assert fb.facts["defense.security-mechanism"].kind == "assessment"
    assert "crafting" in fb.facts["defense.security-mechanism"].statement
    assert "Minsk" not in fb.facts["diplomacy.embassy-2014"].statement
    assert "including" in fb.facts["agreements.sectors"].statement
    assert fb.facts["connectivity.flights-moscow"].caveat
    assert "visit.delegation-timing" in fb.disputes and "trade.prospects" in fb.disputes
    assert "diplomacy.reception" in fb.disputes and "trade.forum-outcome" not in fb.disputes


def test_sources_say_what_they_are():
    fb = load(os.path.join(ROOT, "facts.yaml"))
    assert {s.kind for s in fb.sources.values()} <= {"news", "analysis", "opinion", "promotional", "official"}
    assert sorted(s.id for s in fb.sources.values() if not s.signed) == [
        "numl-analysis", "visit-and-protests", "visit-overview"]
    assert [s.id for s in fb.sources.values() if s.dated] == ["prccsf-akram"]


# --- key judgments -------------------------------------------------------------------------------

JUDGMENTS = sorted(glob.glob(os.path.join(ROOT, "tests", "data", "judgments", "*.yaml")))


@pytest.mark.parametrize("path", JUDGMENTS, ids=[os.path.basename(p) for p in JUDGMENTS])
def test_check_rejects_bad_judgments_with_exact_messages(path, tmp_path):
    from briefing.judgments import load_judgments

    (tmp_path / "judgments").mkdir()
    name = os.path.basename(path)
    (tmp_path / "judgments" / name).write_text(open(path, encoding="utf-8").read(), encoding="utf-8")
    with open(path[:-5] + ".expected", encoding="utf-8") as f:
        expected = f.read().rstrip("\n").replace("FOLDER", str(tmp_path))
    with pytest.raises(InputError) as e:
        load_judgments(str(tmp_path), load(os.path.join(ROOT, "facts.yaml")))
    assert "\n".join(str(p) for p in e.value.problems) == expected


def test_every_brief_has_judgments_with_known_facts():
    from briefing.judgments import LIKELIHOOD, load_judgments

    fb = load(os.path.join(ROOT, "facts.yaml"))
    judgments = load_judgments(os.path.join(ROOT, "templates"), fb)
    briefs = {os.path.basename(p)[:-5] for p in glob.glob(os.path.join(ROOT, "templates", "briefs", "*.yaml"))}
    assert set(judgments) == briefs
    for items in judgments.values():
        assert all(j.likelihood in LIKELIHOOD and j.rests_on and j.alternative for j in items)


# --- what the built briefs say ---------------------------------------------------------------------

def _texts(built: str) -> dict[str, tuple[str, str]]:
    """Each built brief × audience: (PDF body text read by pdfplumber, without the page-foot notes and
    furniture; DOCX text by pandoc), whitespace folded."""
    from readers import pdf_body_and_notes

    need("pandoc")
    note_size = Project.load(os.path.join(ROOT, "facts.yaml"), os.path.join(ROOT, "templates")).style.sizes.note
    out = {}
    for pdf in sorted(glob.glob(os.path.join(built, "*.pdf"))):
        base = pdf[:-4]
        pdf_text = pdf_body_and_notes(pdf, note_size)[0]
        docx_text = subprocess.run(["pandoc", base + ".docx", "-t", "plain", "--wrap=none"], capture_output=True,
                                   text=True, check=True).stdout
        out[os.path.basename(base)] = (_fold(pdf_text), _fold(docx_text))
    return out


def _fold(text: str) -> str:
    text = re.sub(r"-\n\s*", "-", text)
    return " ".join(text.split())


def _restated(fb) -> set[str]:
    """Ids of the facts that disputed claims restate."""
    return {i for d in fb.disputes.values() for c in d.claims for i in c.facts}


def test_disputed_claims_carry_the_hedges_and_caveats_of_the_facts_they_restate(built):
    md = open(os.path.join(built, "politics-diplomacy.minister.md"), encoding="utf-8").read()
    assert ("The visit overview says Islamabad’s streets were adorned with welcoming banners and portraits of both "
            "leaders, “reflecting the enthusiasm surrounding the visit” (moderate confidence; single source).") in md
    md = open(os.path.join(built, "defense-sco.analyst.md"), encoding="utf-8").read()
    assert "under the radar of the West, particularly the United States \\[L·S\\]." in md
    assert "watched the visit with great interest \\[L·S\\]." in md  # the lowest of its two facts


def test_summary_audiences_leave_out_minor_disputes_and_analysts_see_them(built):
    fb = load(os.path.join(ROOT, "facts.yaml"))
    minor = [d for d in fb.disputes.values() if d.minor]
    assert len(minor) == 3
    for name, topics in (("politics-diplomacy", {"diplomacy", "politics"}), ("trade-outlook", {"trade"})):
        analyst = open(os.path.join(built, f"{name}.analyst.md"), encoding="utf-8").read()
        minister = open(os.path.join(built, f"{name}.minister.md"), encoding="utf-8").read()
        for d in minor:
            if set(d.topics) & topics:
                question = typographic(d.question)
                assert question in analyst and question not in minister, (name, d.id)


def _check_wording(fb, name: str, text: str, seen: dict) -> None:
    """Every fact printed in `text` reads as its kind and carries its hedges."""
    audience = name.split(".")[1]
    for f in fb.facts.values():
        claim = " ".join(typographic(f.statement).split()[:6]).rstrip(".")
        places = [mo.start() for mo in re.finditer(re.escape(claim), text)]
        if not places:
            continue
        if f.id in _restated(fb) and not any(_attributed(f, text[:at]) for at in places):
            continue  # only a disputed claim restates it here (see the test above) and a note quotes it
        # (a note may quote the same words from the source: one place must be the brief's own sentence)
        if f.kind == "assessment":
            assert any(_attributed(f, text[:at]) for at in places), (name, f.id)
            seen["assessment"].add(audience)
        if f.kind == "unconfirmed":
            assert any(_attributed(f, text[:at]) for at in places), (name, f.id)
            seen["unconfirmed"].add(audience)
        if f.confidence != "high":
            hedge = {"moderate": ("moderate confidence", "[M·", "[M]"), "low": ("low confidence", "[L·", "[L]")}[
                f.confidence]
            assert any(h in text[at:at + len(f.statement) + 200] for at in places for h in hedge), (name, f.id)
            seen[f.confidence].add(audience)


def _attributed(f, before: str) -> bool:
    """The text before a writer's claim names the writer as the wording file says: in full, by a short name, or as
    "the same" writer (templates/wording.yaml)."""
    from briefing.views import it_name, later_name, same_name

    by = f.by or ""
    names = {by[:1].upper() + by[1:], later_name(by)[:1].upper() + later_name(by)[1:]}
    if f.kind == "assessment":
        forms = [f"{n} says that " for n in names] + [f"{same_name(by)} adds that ", f"{it_name(by)} also says that "]
    else:
        forms = [f"{n} says, citing no named source, that " for n in names]
        forms += [f"{same_name(by)} also says, citing no named source, that ",
                  f"{it_name(by)} also says, citing no named source, that "]
    return any(before.endswith(typographic(form)) for form in forms)


def test_every_brief_words_each_fact_for_its_kind_and_confidence_in_both_formats(built):
    fb = load(os.path.join(ROOT, "facts.yaml"))
    texts = _texts(built)
    assert len(texts) == 10
    seen: dict[str, set] = {"assessment": set(), "unconfirmed": set(), "moderate": set(), "low": set()}
    for name, (pdf, docx) in texts.items():
        audience = name.split(".")[1]
        for text in (pdf, docx):
            _check_wording(fb, name, text, seen)
            assert "This brief rests on" in text and "No official text" in text, name
        if audience == "analyst":
            group = re.compile(r"\[([MLSE](?:·[MLSE])*)\]")  # one token of markers per sentence, e.g. [M·S]
            assert group.search(pdf) and group.search(docx) and "Markers, in square brackets" in pdf
            for mark, words in (("S", "single source"), ("M", "moderate confidence"),
                                ("L", "low confidence"), ("E", "year or figure inferred by the desk")):
                if any(mark in mo.group(1) for mo in group.finditer(pdf.split("Markers,")[0])):
                    assert f"{mark} {words}" in pdf and f"{mark} {words}" in docx, (name, mark)
        else:
            assert "single source" in pdf and "single source" in docx
        if "Islamabad to Moscow" in pdf:
            assert "caveat: Moscow is not in Belarus" in pdf and "caveat: Moscow is not in Belarus" in docx
    assert seen["assessment"] >= {"analyst", "business"} and seen["unconfirmed"] >= {"analyst"}
    assert seen["low"] >= {"analyst", "business"} and seen["moderate"] >= {"analyst", "business"}


def test_no_audience_can_print_a_claim_without_its_kind_and_hedges(project_copy):
    """A brief that prints an assessment, unconfirmed reporting and a low-confidence fact, for every audience."""
    templates = os.path.join(project_copy, "templates")
    with open(os.path.join(templates, "briefs", "kinds.yaml"), "w", encoding="utf-8") as f:
        f.write("title: Kinds\nsubject: Kinds of claim\ntopics: [trade]\naudiences: [minister, analyst, business]\n")
    with open(os.path.join(templates, "briefs", "kinds.md.j2"), "w", encoding="utf-8") as f:
        f.write('{% extends "base.md.j2" %}\n{% block bluf %}\n'
                '{{ say("trade.volume-low") }} {{ say("context.warning-europe") }} '
                '{{ say("connectivity.flights-moscow") }} {{ fact("trade.forecast-growth").statement }}\n'
                '{% endblock %}\n')
    out = os.path.join(project_copy, "out")
    assert main(["build", "kinds", "--facts", os.path.join(project_copy, "facts.yaml"), "--templates", templates,
                 "-o", out]) == 0
    texts = _texts(out)
    assert sorted(texts) == ["kinds.analyst", "kinds.business", "kinds.minister"]
    for name, (pdf, docx) in texts.items():
        for text in (pdf, docx):
            assert "The columnist Muhammad Zahid Rifat says that trade between Pakistan and Belarus is embarrassingly low" in text
            assert "An Islamabad op-ed says, citing no named source, that President Lukashenko delivered a stern" in text
            assert "An unsigned overview of the visit says that bilateral trade is poised" in text
            low = "[L·S]" if name.endswith("analyst") else "low confidence"
            assert re.search(r"Islamabad to Moscow[^.]{0,80}" + re.escape(low), text), (name, text)
            assert "caveat: Moscow is not in Belarus" in text


def test_figures_tables_never_show_a_desk_estimate_or_an_unreported_kind(built):
    fb = load(os.path.join(ROOT, "facts.yaml"))
    excluded = [f for f in fb.facts.values() if f.estimate or f.kind != "reported"]
    labelled = [f for f in excluded if f.label]
    rows = 0
    for path in glob.glob(os.path.join(built, "*.md")):
        md = open(path, encoding="utf-8").read()
        for line in md.split("Table:")[0].split("| Figure")[-1].split("\n")[2:] if "| Figure" in md else []:
            if line.startswith("|"):
                rows += 1
                assert not any(line.startswith(f"| {f.label} |") for f in labelled), (path, line)
    assert rows >= 5


def test_check_refuses_a_judgment_with_an_unknown_term_level_or_fact(project_copy, capsys):
    path = os.path.join(project_copy, "templates", "judgments", "trade-outlook.yaml")
    text = open(path, encoding="utf-8").read()
    args = ["check", "--facts", os.path.join(project_copy, "facts.yaml"),
            "--templates", os.path.join(project_copy, "templates")]
    open(path, "w", encoding="utf-8").write(text.replace("likelihood: likely", "likelihood: probably", 1)
                                            .replace("confidence: moderate", "confidence: medium", 1))
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "trade-outlook.yaml:24:17: judgment 'trade-stays-small', likelihood: 'probably' is not one of: almost no chance," in err
    assert "trade-outlook.yaml:25:17: judgment 'trade-stays-small', confidence: 'medium' is not one of: low, moderate, high" in err
    open(path, "w", encoding="utf-8").write(text.replace("[trade.volume-2023,", "[trade.volume-2032,", 1))
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "rests on unknown fact 'trade.volume-2032' (did you mean 'trade.volume-2023'?)" in err
    assert "Traceback" not in err


def test_a_disputed_question_stays_with_its_claims_in_the_docx(built):
    import docx

    document = docx.Document(os.path.join(built, "trade-outlook.analyst.docx"))
    questions = [p for p in document.paragraphs if p.text.endswith("?") and p.runs and all(r.bold for r in p.runs if r.text.strip())]
    assert len(questions) >= 3
    assert all(p.paragraph_format.keep_with_next for p in questions)


@pytest.mark.parametrize("key, value, message", [
    ("  assessment: \"{By} says that {claim}\"", "  assessment: \"{Claim}\"",
     "kinds.assessment: '{Claim}' leaves out {by} or {By}"),
    ("  unconfirmed: \"{By} says, citing no named source, that {claim}\"", "  unconfirmed: \"Reports say\"",
     "kinds.unconfirmed: 'Reports say' leaves out {claim} or {Claim}"),
    ("  single_source: S\n", "  single_source: \"\\u200b\"\n", "markers.single_source: nothing a reader can see"),
])
def test_the_wording_file_cannot_switch_off_attribution_or_hedges(project_copy, capsys, key, value, message):
    path = os.path.join(project_copy, "templates", "wording.yaml")
    text = open(path, encoding="utf-8").read()
    assert key in text
    open(path, "w", encoding="utf-8").write(text.replace(key, value))
    assert main(["check", "--facts", os.path.join(project_copy, "facts.yaml"),
                 "--templates", os.path.join(project_copy, "templates")]) == 1
    assert message in capsys.readouterr().err


def test_a_facts_label_and_value_print_with_its_kind_and_hedges(project_copy):
    templates = os.path.join(project_copy, "templates")
    path = os.path.join(templates, "briefs", "trade-outlook.md.j2")
    text = open(path, encoding="utf-8").read()
    open(path, "w", encoding="utf-8").write(text.replace("{% block background %}", '{% block background %}\n'
                                            '{{ fact("trade.volume-low").label }} | '
                                            '{{ fact("trade.volume-2023").value }}\n'))
    from briefing.project import Project
    from briefing.compose import Composer

    project = Project.load(os.path.join(project_copy, "facts.yaml"), templates)
    md = Composer(project.facts, project.templates).compose(project.briefs["trade-outlook"],
                                                            project.audiences["business"]).markdown
    assert "The columnist Muhammad Zahid Rifat says that trade between Pakistan and Belarus is embarrassingly low" in md
    assert "US$50 million a year (moderate confidence)" in md
