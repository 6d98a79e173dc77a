"""Fact integrity: claim kinds, the check lints, key judgments, and how every brief words what it prints."""

from __future__ import annotations

import glob
import os
import re

import pytest
from conftest import PROJECT, ROOT, in_project, need, outputs, problems_of

from briefing.errors import InputError
from briefing.factbase import load
from briefing.lint import lint, numbers
from briefing.mdtext import typographic
from briefing.project import Project

LINT = sorted(glob.glob(os.path.join(ROOT, "tests", "data", "lint", "*.yaml")))


@pytest.mark.parametrize("path", LINT, ids=[os.path.basename(p) for p in LINT])
def test_each_lint_reports_its_fixture_exactly(path):
    found, expected = problems_of(path, lambda name: lint(load(name)))
    assert found == expected


def test_check_runs_the_lints_and_exits_1(project_copy, capsys):
    facts = os.path.join(project_copy, "facts.yaml")
    text = open(facts, encoding="utf-8").read()
    old = "statement: Prime Minister Dovan invited Chancellor Lind to Brask in 2026."
    assert text.count(old) == 1
    open(facts, "w", encoding="utf-8").write(text.replace(old, old.replace("in 2026", "in May 2027")))
    assert in_project(project_copy, "check") == 1
    err = capsys.readouterr().err
    assert "fact 'visit.invitation': May (in its statement) is in none of its quotes" in err
    assert "fact 'visit.invitation': 2027 (in its statement) is in none of its quotes" in err


def test_check_says_how_many_facts_reach_no_brief(project_copy, capsys):
    facts = os.path.join(project_copy, "facts.yaml")
    text = open(facts, encoding="utf-8").read().replace("\ndisputed:\n", """
  - id: culture.unused
    topics: [nothing-reads-this]
    kind: assessment
    by: the Harbour Weekly editorial
    statement: the history of the region is full of lines that were opened on paper and never on the ground.
    confidence: moderate
    cite:
      - source: harbour-editorial
        quote: "the history of the region is full of lines that were opened on paper and never on the ground"
        at: para. 6

disputed:
""")
    open(facts, "w", encoding="utf-8").write(text)
    assert in_project(project_copy, "check") == 0
    out = capsys.readouterr().out
    assert f"info: 1 of {len(load(facts).facts)} facts reach no brief: culture.unused" in out


def test_the_shipped_fact_base_passes_every_lint_and_every_fact_reaches_a_brief(seeds, capsys):
    fb = load(os.path.join(ROOT, "facts.yaml"))
    assert lint(fb) == []
    assert in_project(ROOT, "check") == 0
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


@pytest.mark.parametrize("where", [PROJECT, ROOT], ids=["test project", "shipped example"])
def test_claim_kinds_shape_the_fact_base(where):
    fb = load(os.path.join(where, "facts.yaml"))
    kinds = {f.kind for f in fb.facts.values()}
    assert kinds <= {"reported", "said", "assessment", "unconfirmed"}
    assert kinds == {"reported", "said", "assessment", "unconfirmed"} or where != PROJECT  # the test project: each
    # opinion-only facts are attributed or justify themselves
    for f in fb.facts.values():
        if all(fb.sources[s].kind == "opinion" for s in f.source_ids):
            assert f.kind in ("assessment", "unconfirmed") or f.justification, f.id
        if f.kind in ("assessment", "said"):
            assert f.by, f.id


def test_the_test_projects_facts_are_what_they_say():
    fb = load(os.path.join(PROJECT, "facts.yaml"))
    assert fb.facts["freight.funding-gap"].kind == "assessment" and fb.facts["freight.funding-gap"].by
    assert fb.facts["freight.loan-rumour"].kind == "unconfirmed"
    said = fb.facts["freight.no-borrowing"]
    assert said.kind == "said" and "Tomas Reyn" in said.statement
    assert fb.facts["visit.bazaar-welcome"].justification  # an opinion piece's report of an event
    assert fb.facts["freight.consortium-share"].caveat and fb.facts["freight.line-length"].estimate
    assert {d for d in fb.disputes if fb.disputes[d].minor} == {"visit.delegation-size"}
    assert {"freight.cost", "freight.first-train", "freight.agreements-count"} <= set(fb.disputes)


def test_sources_say_what_they_are():
    fb = load(os.path.join(PROJECT, "facts.yaml"))
    assert {s.kind for s in fb.sources.values()} == {"news", "opinion", "promotional"}
    assert sorted(s.id for s in fb.sources.values() if not s.signed) == ["freight-authority", "harbour-editorial"]
    assert [s.id for s in fb.sources.values() if not s.dated] == ["harbour-editorial"]


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
        load_judgments(str(tmp_path), load(os.path.join(PROJECT, "facts.yaml")))
    assert "\n".join(str(p) for p in e.value.problems) == expected


def test_every_brief_has_judgments_with_known_facts():
    from briefing.judgments import LIKELIHOOD, load_judgments

    fb = load(os.path.join(PROJECT, "facts.yaml"))
    judgments = load_judgments(os.path.join(PROJECT, "templates"), fb)
    briefs = {os.path.basename(p)[:-5] for p in glob.glob(os.path.join(PROJECT, "templates", "briefs", "*.yaml"))}
    assert set(judgments) == briefs
    for items in judgments.values():
        assert all(j.likelihood in LIKELIHOOD and j.rests_on and j.alternative for j in items)


# --- what the built briefs say ---------------------------------------------------------------------

def _texts(built: str, pdfs: list[str] | None = None) -> dict[str, tuple[str, str]]:
    """Each built brief × audience (`pdfs`, by default all of the test project's): (PDF body text read by
    pdfplumber, without the page-foot notes and furniture; DOCX text by pandoc), whitespace folded."""
    from readers import pandoc_plain, pdf_body_and_notes

    need("pandoc")
    note_size = Project.load(directory=PROJECT).style.sizes.note
    out = {}
    for pdf in pdfs if pdfs is not None else outputs(built, "*.pdf"):
        base = pdf[:-4]
        pdf_text = pdf_body_and_notes(pdf, note_size)[0]
        out[os.path.basename(base)] = (_fold(pdf_text), _fold(pandoc_plain(base + ".docx")))
    return out


def _fold(text: str) -> str:
    text = re.sub(r"-\n\s*", "-", text)
    return " ".join(text.split())


def _restated(fb) -> set[str]:
    """Ids of the facts that disputed claims restate."""
    return {i for d in fb.disputes.values() for c in d.claims for i in c.facts}


def test_disputed_claims_carry_the_hedges_and_caveats_of_the_facts_they_restate(built):
    md = open(os.path.join(built, "freight-line.minister.md"), encoding="utf-8").read()
    assert ("The Gazette reports that the two transport ministries put the cost at 240 million euros (moderate "
            "confidence; single source).") in md
    md = open(os.path.join(built, "freight-line.analyst.md"), encoding="utf-8").read()
    assert "said it was unlikely to run before 2030 \\[L·S\\]." in md
    assert "the railway from Brask to Port Lessen \\[M\\]." in md  # the lower of its two facts; one has two sources


def test_summary_audiences_leave_out_minor_disputes_and_analysts_see_them(built, project):
    loaded = Project.load(directory=project)
    minor = [d for d in loaded.facts.disputes.values() if d.minor]
    checked = 0
    for path in outputs(built, "*.minister.md"):
        name = os.path.basename(path).split(".")[0]
        analyst = open(os.path.join(built, f"{name}.analyst.md"), encoding="utf-8").read()
        minister = open(path, encoding="utf-8").read()
        for d in minor:
            if set(d.topics) & set(loaded.briefs[name].topics):
                question = typographic(d.question)
                assert question in analyst and question not in minister, (name, d.id)
                checked += 1
    assert checked, "a minor disputed question bears on one of the test project's briefs"


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
    "the same" writer; unconfirmed reports with no writer as such (templates/wording.yaml)."""
    from briefing.views import it_name, later_name, same_name

    by = f.by or ""
    if f.kind == "unconfirmed" and not by:  # unnamed reports: the wording file's unconfirmed_anonymous
        return before.endswith("According to unconfirmed reports, ")
    names = {by[:1].upper() + by[1:], later_name(by)[:1].upper() + later_name(by)[1:]}
    if f.kind == "assessment":
        forms = [f"{n} says that " for n in names] + [f"{same_name(by)} adds that ", f"{it_name(by)} also says that "]
    else:
        forms = [f"{n} says, citing no named source, that " for n in names]
        forms += [f"{same_name(by)} also says, citing no named source, that ",
                  f"{it_name(by)} also says, citing no named source, that "]
    return any(before.endswith(typographic(form)) for form in forms)


def test_every_brief_words_each_fact_for_its_kind_and_confidence_in_both_formats(built):
    fb = load(os.path.join(PROJECT, "facts.yaml"))
    texts = _texts(built)
    seen: dict[str, set] = {"assessment": set(), "unconfirmed": set(), "moderate": set(), "low": set()}
    for name, (pdf, docx) in texts.items():
        audience = name.split(".")[1]
        for text in (pdf, docx):
            _check_wording(fb, name, text, seen)
            # a summary's note says it in its first sentence: "…, none of them an official text: …"
            assert "This brief rests on" in text and re.search("No official text|none of them an official text",
                                                               text), name
        if audience == "analyst":
            group = re.compile(r"\[([MLSE](?:·[MLSE])*)\]")  # one token of markers per sentence, e.g. [M·S]
            assert group.search(pdf) and group.search(docx) and "Markers, in square brackets" in pdf
            for mark, words in (("S", "single source"), ("M", "moderate confidence"),
                                ("L", "low confidence"), ("E", "year or figure inferred by the desk")):
                if any(mark in mo.group(1) for mo in group.finditer(pdf.split("Markers,")[0])):
                    assert f"{mark} {words}" in pdf and f"{mark} {words}" in docx, (name, mark)
        else:
            assert "single source" in pdf and "single source" in docx
        if "Lake-Port Consortium (湖港联合体) will provide" in pdf:
            caveat = "caveat: the builder’s own figure; no financing agreement has been published"
            assert caveat in pdf and caveat in docx, name
    assert seen["assessment"] >= {"analyst", "business"} and seen["unconfirmed"] >= {"analyst"}
    assert seen["low"] >= {"analyst", "business"} and seen["moderate"] >= {"analyst", "business"}


def test_no_audience_can_print_a_claim_without_its_kind_and_hedges(project_copy):
    """A brief that prints an assessment, unconfirmed reporting and a low-confidence fact, for every audience."""
    templates = os.path.join(project_copy, "templates")
    with open(os.path.join(templates, "briefs", "kinds.yaml"), "w", encoding="utf-8") as f:
        f.write("title: Kinds\nsubject: Kinds of claim\ntopics: [freight]\naudiences: [minister, analyst, business]\n")
    with open(os.path.join(templates, "briefs", "kinds.md.j2"), "w", encoding="utf-8") as f:
        body = ('{{ say("freight.payback") }} {{ say("freight.loan-rumour") }} '
                '{{ say("freight.consortium-share") }} {{ fact("freight.gateway").statement }}\n')
        # every audience opens with one of these sections (a public version has no key judgments)
        f.write('{% extends "base.md.j2" %}\n{% block bluf %}\n' + body + '{% endblock %}\n'
                '{% block what_happened %}\n' + body + '{% endblock %}\n')
    out = os.path.join(project_copy, "out")
    assert in_project(project_copy, "build", "kinds", "-o", out) == 0
    texts = _texts(out, sorted(glob.glob(os.path.join(out, "*.pdf"))))
    assert sorted(texts) == ["kinds.analyst", "kinds.business", "kinds.minister"]
    for name, (pdf, docx) in texts.items():
        for text in (pdf, docx):
            assert "The Tarvel Freight Authority says that the line will pay for itself within fifteen years" in text
            assert ("The Harbour Weekly editorial says, citing no named source, that a third country has been asked "
                    "for a loan") in text
            assert "The Tarvel Freight Authority says that the line will make Port Lessen the natural gateway" in text
            low = "[L·S]" if name.endswith("analyst") else "low confidence"
            assert re.search(r"the two governments will share the rest[^.]{0,80}" + re.escape(low), text), (name, text)
            assert "caveat: the builder’s own figure" in text


def test_figures_tables_never_show_a_desk_estimate_or_an_unreported_kind(built):
    fb = load(os.path.join(PROJECT, "facts.yaml"))
    excluded = [f for f in fb.facts.values() if f.estimate or f.kind != "reported"]
    labelled = [f for f in excluded if f.label]
    rows = 0
    for path in outputs(built, "*.md"):
        md = open(path, encoding="utf-8").read()
        for line in md.split("Table:")[0].split("| Figure")[-1].split("\n")[2:] if "| Figure" in md else []:
            if line.startswith("|"):
                rows += 1
                assert not any(line.startswith(f"| {f.label} |") for f in labelled), (path, line)
    assert rows >= 5


def test_check_refuses_a_judgment_with_an_unknown_term_level_or_fact(project_copy, capsys):
    path = os.path.join(project_copy, "templates", "judgments", "freight-line.yaml")
    text = open(path, encoding="utf-8").read()
    lines = text.split("\n")
    likelihood = lines.index("    likelihood: likely") + 1
    confidence = lines.index("    confidence: moderate") + 1
    open(path, "w", encoding="utf-8").write(text.replace("likelihood: likely", "likelihood: probably", 1)
                                            .replace("confidence: moderate", "confidence: medium", 1))
    assert in_project(project_copy, "check") == 1
    err = capsys.readouterr().err
    judgment = "freight-line.yaml:{}:17: judgment 'no-train-before-2029', "
    assert judgment.format(likelihood) + "likelihood: 'probably' is not one of: almost no chance," in err
    assert judgment.format(confidence) + "confidence: 'medium' is not one of: low, moderate, high" in err
    typo = text.replace("[freight.first-train-official,", "[freight.first-train-oficial,", 1)
    open(path, "w", encoding="utf-8").write(typo)
    assert in_project(project_copy, "check") == 1
    err = capsys.readouterr().err
    assert "rests on unknown fact 'freight.first-train-oficial' (did you mean 'freight.first-train-official'?)" in err
    assert "Traceback" not in err


def test_a_disputed_question_stays_with_its_claims_in_the_docx(built):
    import docx

    document = docx.Document(os.path.join(built, "freight-line.analyst.docx"))
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
    assert in_project(project_copy, "check") == 1
    assert message in capsys.readouterr().err


def test_a_facts_label_and_value_print_with_its_kind_and_hedges(project_copy):
    templates = os.path.join(project_copy, "templates")
    path = os.path.join(templates, "briefs", "freight-line.md.j2")
    text = open(path, encoding="utf-8").read()
    open(path, "w", encoding="utf-8").write(text.replace("{% block analysis %}", '{% block analysis %}\n'
                                            '{{ fact("freight.payback").label }} | '
                                            '{{ fact("freight.cost-official").value }}\n'))
    from briefing.compose import Composer

    project = Project.load(directory=project_copy)
    md = Composer(project.facts, project.templates).compose(project.briefs["freight-line"],
                                                            project.audiences["business"]).markdown
    assert "The Tarvel Freight Authority says that the line will pay for itself within fifteen years" in md
    assert "€240 million (moderate confidence; single source)" in md
