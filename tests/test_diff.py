"""`briefing diff`: what changed between two versions of a fact base — two files, two project folders, or a git
revision and the working tree — and which briefs and audiences each change reaches.

The versions are made from the small fixed project in tests/data/golden (not this repository's facts.yaml),
with the changes seeded below; the test checks that exactly those are listed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from briefing.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(ROOT, "tests", "data", "golden")

# An unused fact and a second disputed question, present in the old version only.
_OLD_EXTRA_FACT = """
  - id: fair.parking
    topics: [fair]
    kind: reported
    statement: Visitors parked in a field beside the halls.
    cite:
      - source: fair-report
        quote: "visitors parked in a field"
        at: para. 6
"""
_NEW_DISPUTE = """
  - id: fair.stands
    topics: [fair]
    question: How many stands did the Minsk delegation have?
    claims:
      - claim: The Minsk delegation had six stands.
        cite:
          - source: fair-report
            quote: "six stands from Minsk"
            at: para. 2
      - claim: The Minsk delegation had two stands.
        cite:
          - source: fair-column
            quote: "two stands from Minsk"
            at: para. 3
"""

# The seeded changes: (file, old text, new text).
SEEDED = [
    ("facts.yaml", "statement: The fair filled 4 exhibition halls.",
     "statement: The fair filled 4 exhibition halls in the new city centre."),                   # statement
    ("facts.yaml", "    statement: Contracts worth US$12 million were signed at the fair.\n",
     "    statement: Contracts worth US$12 million were signed at the fair.\n    confidence: moderate\n"),  # confidence
    ("facts.yaml", "  - id: fair.exhibitors\n    topics: [fair]\n    kind: reported",
     "  - id: fair.exhibitors\n    topics: [fair]\n    kind: unconfirmed"),                          # kind
    ("facts.yaml", '        quote: "the fair filled 4 halls"\n        at: para. 2',
     '        quote: "the fair filled 4 halls"\n        at: para. 3'),                                # citations
    ("facts.yaml", _OLD_EXTRA_FACT, ""),                                                             # a fact removed
    ("facts.yaml", "disputed:\n", "disputed:\n" + _NEW_DISPUTE),                                    # a question opened
    ("templates/judgments/golden.yaml", "    likelihood: likely\n", "    likelihood: very likely\n"),  # a judgment
    ("facts.yaml", "    label: Trade fair\n",
     "    label: Trade fair\n    caveat: the organisers have not confirmed the closing date\n"),  # a caveat added
    ("facts.yaml", "    label: Contracts signed\n", "    label: Contracts signed at the fair\n"),  # a label
    ("facts.yaml", "    by: the Test column\n", "    by: the unsigned Test column\n"),          # an attribution
    ("facts.yaml", "      - claim: Fewer than 5,000 people visited the fair.",
     "      - claim: Fewer than 5,000 people came to the fair."),                                  # a dispute's claim
]


def _project(folder) -> str:
    """Copy the golden project into `folder` with the old version's extra fact; return the folder."""
    os.makedirs(folder)
    shutil.copy(os.path.join(GOLDEN, "facts.yaml"), folder)
    shutil.copytree(os.path.join(GOLDEN, "templates"), os.path.join(folder, "templates"))
    path = os.path.join(folder, "facts.yaml")
    text = open(path, encoding="utf-8").read()
    open(path, "w", encoding="utf-8").write(text.replace("\ndisputed:\n", _OLD_EXTRA_FACT + "\ndisputed:\n"))
    return str(folder)


def _seed(folder: str) -> None:
    """Apply the seeded changes, and add a fact no brief prints."""
    for name, old, new in SEEDED:
        path = os.path.join(folder, name)
        text = open(path, encoding="utf-8").read()
        assert text.count(old) == 1, (name, old)
        open(path, "w", encoding="utf-8").write(text.replace(old, new))
    path = os.path.join(folder, "facts.yaml")
    text = open(path, encoding="utf-8").read()
    added = _OLD_EXTRA_FACT.replace("fair.parking", "fair.catering").replace(
        "Visitors parked in a field beside the halls.", "Food stalls stood at the gates.").replace(
        "visitors parked in a field", "food stalls stood at the gates")
    open(path, "w", encoding="utf-8").write(text.replace("\ndisputed:\n", added + "\ndisputed:\n"))


EXPECTED = """{old} → {new}: facts 1 added, 1 removed, 5 changed; disputed questions 1 opened, 0 closed, 1 changed; \
key judgments 0 added, 0 removed, 1 changed
~ fact fair.dates changed: caveat added: the organisers have not confirmed the closing date
    The trade fair was held in Islamabad (اسلام آباد) from 25 to 27 November 2024.
    reaches golden for analyst
~ fact fair.exhibitors changed: kind: reported → unconfirmed
    About 120 firms exhibited at the fair, among them a delegation from Minsk (Мінск, 明斯克).
    reaches golden for analyst
~ fact fair.contracts changed: confidence: high → moderate; label in key figures: Contracts signed → \
Contracts signed at the fair
    Contracts worth US$12 million were signed at the fair.
    reaches golden for analyst
~ fact fair.halls changed: statement reworded; places cited changed
    The fair filled 4 exhibition halls in the new city centre.
    was: The fair filled 4 exhibition halls.
    reaches golden for analyst
~ fact fair.doubts changed: attribution: the Test column → the unsigned Test column
    few of the contracts will be carried out within a year.
    reaches golden for analyst
+ fact fair.catering added
    Food stalls stood at the gates.
    reaches no brief
- fact fair.parking removed
    Visitors parked in a field beside the halls.
    reaches no brief
+ disputed question fair.stands opened
    How many stands did the Minsk delegation have?
    reaches golden for analyst
~ disputed question fair.visitors changed: claims reworded
    How many people visited the fair?
    reaches golden for analyst
~ key judgment golden/fair-small changed: likelihood: likely → very likely
    The fair's contracts will add little to trade by the end of 2025.
    reaches golden for analyst
briefs that print differently: golden for analyst"""


@pytest.fixture()
def versions(tmp_path):
    old = _project(tmp_path / "old")
    new = _project(tmp_path / "new")
    _seed(new)
    return old, new


def test_diff_of_two_project_folders_lists_exactly_the_seeded_changes(versions, capsys):
    old, new = versions
    assert main(["diff", old, new, "-C", new]) == 0
    assert capsys.readouterr().out.rstrip("\n") == EXPECTED.format(old=old, new=new)


def test_diff_of_two_fact_base_files_with_the_projects_templates(versions, capsys):
    """Two files: the judgments are the same templates', so only the facts and questions differ."""
    old, new = versions
    shutil.copy(os.path.join(old, "templates", "judgments", "golden.yaml"),
                os.path.join(new, "templates", "judgments", "golden.yaml"))
    assert main(["diff", os.path.join(old, "facts.yaml"), os.path.join(new, "facts.yaml"), "-C", new]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{old}/facts.yaml → {new}/facts.yaml: facts 1 added, 1 removed, 5 changed; disputed "
                          "questions 1 opened, 0 closed, 1 changed; key judgments 0 added, 0 removed, 0 changed\n")
    assert "key judgment golden/fair-small" not in out


def test_diff_of_a_git_revision_and_the_working_tree_as_json(versions, tmp_path):
    """The old version is a commit; the new one the files as they are; run as a subprocess, as a user would."""
    old, _ = versions
    repo = tmp_path / "repo"
    shutil.copytree(old, repo)
    (repo / "briefing.yaml").write_text("facts: facts.yaml\ntemplates: templates\n")
    git = ["git", "-C", str(repo), "-c", "user.name=Test", "-c", "user.email=test@example.org"]
    subprocess.run(git + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "."], check=True)
    subprocess.run(git + ["commit", "-q", "-m", "old"], check=True)
    _seed(str(repo))
    run = subprocess.run([sys.executable, "-m", "briefing", "diff", "HEAD", "--json"], cwd=repo, capture_output=True,
                         text=True, env={**os.environ, "PYTHONPATH": ROOT})
    assert run.returncode == 0, run.stderr
    found = {(c["kind"], c["what"], c["id"]): c for c in json.loads(run.stdout)}
    assert sorted(found) == sorted([
        ("fact", "changed", "fair.dates"), ("fact", "changed", "fair.exhibitors"),
        ("fact", "changed", "fair.contracts"), ("fact", "changed", "fair.halls"), ("fact", "changed", "fair.doubts"),
        ("fact", "added", "fair.catering"), ("fact", "removed", "fair.parking"), ("dispute", "opened", "fair.stands"),
        ("dispute", "changed", "fair.visitors"), ("judgment", "changed", "fair-small")])
    assert found[("fact", "changed", "fair.halls")]["fields"] == ["statement", "cite"]
    dates = found[("fact", "changed", "fair.dates")]  # a caveat is printed to every reader: it is a change
    assert dates["fields"] == ["caveat"] and dates["old"]["caveat"] is None
    assert dates["new"]["caveat"] == "the organisers have not confirmed the closing date"
    assert dates["new"]["value"] == {"type": "period", "start": "2024-11-25", "end": "2024-11-27"}
    assert found[("fact", "changed", "fair.contracts")]["fields"] == ["confidence", "label"]
    assert found[("fact", "changed", "fair.doubts")]["fields"] == ["by"]
    visitors = found[("dispute", "changed", "fair.visitors")]
    assert visitors["fields"] == ["claims"]
    assert visitors["new"]["claims"][1]["claim"] == "Fewer than 5,000 people came to the fair."
    assert found[("fact", "changed", "fair.contracts")]["old"]["confidence"] == "high"
    assert found[("fact", "changed", "fair.contracts")]["new"]["confidence"] == "moderate"
    assert found[("judgment", "changed", "fair-small")]["reaches"] == [["golden", "analyst"]]
    assert found[("fact", "added", "fair.catering")]["reaches"] == []


def test_an_old_revision_with_problems_names_its_files_by_revision(versions, tmp_path, capsys):
    old, _ = versions
    repo = tmp_path / "repo"
    shutil.copytree(old, repo)
    git = ["git", "-C", str(repo), "-c", "user.name=Test", "-c", "user.email=test@example.org"]
    with open(repo / "facts.yaml", "a", encoding="utf-8") as f:
        f.write("unknown_key: 1\n")
    subprocess.run(git + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "."], check=True)
    subprocess.run(git + ["commit", "-q", "-m", "broken"], check=True)
    assert main(["diff", "HEAD", "-C", str(repo)]) == 1
    err = capsys.readouterr().err
    assert "HEAD:facts.yaml:" in err and "briefing-diff-" not in err
    assert main(["diff", "no-such-revision", "-C", str(repo)]) == 2
    assert "'no-such-revision' is not a file, a folder or a git revision" in capsys.readouterr().err


# A summary audience beside the golden analyst: no quotes in its notes, no basis or alternative for a judgment, and
# the judgment's action only where the judgment names it.
_MINISTER = """label: The Minister
description: The essentials
handling: FOR OFFICIAL USE
detail: summary
sections: [bluf, background, key_figures, recommendations, sourcing]
quotes_in_notes: false
hedging: words
"""


def _two_audiences(folder: str) -> None:
    with open(os.path.join(folder, "templates", "audiences", "minister.yaml"), "w", encoding="utf-8") as f:
        f.write(_MINISTER)
    path = os.path.join(folder, "templates", "briefs", "golden.yaml")
    text = open(path, encoding="utf-8").read()
    open(path, "w", encoding="utf-8").write(text.replace("audiences: [analyst]", "audiences: [analyst, minister]"))


def _edit(folder: str, name: str, old: str, new: str) -> None:
    path = os.path.join(folder, name)
    text = open(path, encoding="utf-8").read()
    assert text.count(old) == 1, (name, old)
    open(path, "w", encoding="utf-8").write(text.replace(old, new))


def test_a_change_reaches_only_the_audiences_whose_brief_prints_what_changed(tmp_path, capsys):
    """Both audiences' briefs use the facts and the judgment; only the analyst is shown quotes, a writer's view in
    full and a judgment's basis, and the action is now meant for the analyst alone."""
    old, new = _project(tmp_path / "old"), _project(tmp_path / "new")
    for folder in (old, new):
        _two_audiences(folder)
    _edit(new, "facts.yaml", 'quote: "contracts worth 12 million dollars were signed"',
          'quote: "contracts worth 12 million dollars were signed at the fair"')                  # a quote: analyst
    _edit(new, "facts.yaml", 'quote: "the fair filled 4 halls"\n        at: para. 2',
          'quote: "the fair filled 4 halls"\n        at: para. 3')                                # a locator: both
    _edit(new, "facts.yaml", "    statement: few of the contracts",
          "    caveat: the column gives no figures\n    statement: few of the contracts")          # a caveat: both
    _edit(new, "templates/judgments/golden.yaml", "    basis: One report gives the contracts' value;",
          "    basis: Only one report gives the contracts' value;")                                 # analyst
    _edit(new, "templates/judgments/golden.yaml", "    action: Ask the organisers for a list of the contracts and "
          "their dates.\n", "    action: Ask the organisers for a list of the contracts and their dates.\n"
          "    audiences: [analyst]\n")                                                           # the minister's goes
    assert main(["diff", old, new, "-C", new, "--json"]) == 0
    found = {c["id"]: c for c in json.loads(capsys.readouterr().out)}
    assert found["fair.contracts"]["fields"] == ["cite"] and found["fair.contracts"]["reaches"] == [
        ["golden", "analyst"]]                                                  # the minister's notes print no quote
    assert found["fair.halls"]["reaches"] == [["golden", "analyst"], ["golden", "minister"]]
    assert found["fair.doubts"]["fields"] == ["caveat"]
    assert found["fair.doubts"]["new"]["caveat"] == "the column gives no figures"
    # The minister's brief names the column only as a source in the judgment's note: its caveat is not printed there.
    assert found["fair.doubts"]["reaches"] == [["golden", "analyst"]]
    judgment = found["fair-small"]
    assert judgment["fields"] == ["basis", "audiences"]
    assert judgment["reaches"] == [["golden", "analyst"], ["golden", "minister"]]  # the basis; the action gone


def _told(old: str, new: str, brief: str = "golden", audiences=("analyst", "minister")) -> tuple[dict, dict]:
    """What the change note tells a reader of each audience who holds `brief` as `old` prints it and is sent it as
    `new` prints it, as distribute computes it; and the newer brief's composed text for each audience."""
    from briefing.build import compose_pairs
    from briefing.diff import Reach, changes, note_lines, snapshot
    from briefing.project import Project

    before, after = (Project.load(directory=folder, facts=f"{folder}/facts.yaml", templates=f"{folder}/templates")
                     for folder in (old, new))
    reach, told, texts = Reach(after), {}, {}
    for audience in audiences:
        (was,) = compose_pairs(before, [(before.briefs[brief], before.audiences[audience])])
        (now,) = compose_pairs(after, [(after.briefs[brief], after.audiences[audience])])
        found = changes(snapshot(before.facts, before.judgments, was.used, {brief}, was.markdown),
                        snapshot(after.facts, after.judgments, now.used, {brief}, now.markdown))
        told[audience] = note_lines(reach.narrowed(found, brief, audience, now.digest), 12, after.audiences[audience],
                                    after)
        texts[audience] = now
    return told, texts


def test_the_change_note_is_worded_for_the_readers_audience(tmp_path):
    """The same changes as a minister and an analyst are told them: each only what their brief prints, a minister
    never of quotes, a writer's view attributed as briefs word it, quotation marks typographic."""
    old, new = _project(tmp_path / "old"), _project(tmp_path / "new")
    for folder in (old, new):
        _two_audiences(folder)
    _edit(new, "facts.yaml", 'quote: "contracts worth 12 million dollars were signed"',
          'quote: "contracts worth 12 million dollars were signed at the fair"')
    _edit(new, "facts.yaml", "    statement: few of the contracts",
          "    caveat: the column gives no figures\n    statement: few of the contracts")
    _edit(new, "facts.yaml", "    label: Exhibition halls\n", "    label: Halls\n")
    _edit(new, "facts.yaml", "{type: count, amount: 120, unit: firms}", "{type: count, amount: 125, unit: firms}")
    _edit(new, "templates/judgments/golden.yaml", "    basis: One report gives the contracts' value;",
          "    basis: Only one report gives the contracts' value;")
    _edit(new, "templates/judgments/golden.yaml", "    action: Ask the organisers for a list of the contracts and "
          "their dates.\n", "    action: Ask the organisers for a list of the contracts and their dates.\n"
          "    audiences: [analyst]\n")
    lines, _ = _told(old, new)
    doubts = ("Revised: According to the Test column, few of the contracts will be carried out within a year. "
              "(caveat added: the column gives no figures)")
    firms = ("Revised: About 120 firms exhibited at the fair, among them a delegation from Minsk (Мінск, 明斯克). "
             "(value: 120 firms → 125 firms)")  # the statement as it stands: only the key figure says 125
    assert lines["analyst"] == [
        firms,
        "Revised: Contracts worth US$12 million were signed at the fair. (quotes changed)",
        "Revised: The fair filled 4 exhibition halls. (label in key figures: Exhibition halls → Halls)",
        doubts,
        "Key judgment revised: The fair’s contracts will add little to trade by the end of 2025. (basis changed)"]
    assert lines["minister"] == [
        firms,
        "Revised: The fair filled 4 exhibition halls. (label in key figures: Exhibition halls → Halls)",
        "Key judgment revised: The fair’s contracts will add little to trade by the end of 2025. "
        "(recommended action removed)"]


def test_each_field_that_changed_is_told_in_a_few_words():
    from briefing.diff import Change

    def told(name, old, new, quotes=True):
        return Change("fact", "changed", "x", (name,), {name: old}, {name: new}).describe(quotes)

    money = {"type": "money", "amount": 12000000, "currency": "USD"}
    assert told("value", money, {**money, "amount": 14000000}) == "value: US$12 million → US$14 million"
    assert told("value", None, money) == "value added: US$12 million"
    assert told("derived", [], [["12", "sum", "two counts"]]) == "now marked as an estimate"
    assert told("caveat", "one source", None) == "caveat removed"
    assert told("kind", "reported", "unconfirmed") == "kind: reported → unconfirmed"
    cite = [["report", "twelve million", "para. 3"]]
    assert told("cite", cite, [["report", "12 million", "para. 3"]]) == "quotes changed"
    assert told("cite", cite, [["report", "12 million", "para. 3"]], quotes=False) == ""  # not shown to this reader
    assert told("cite", cite, cite + [["column", "12 million", "para. 1"]], quotes=False) == "sources changed"
    assert told("cite", cite, [["report", "twelve million", "para. 4"]], quotes=False) == "places cited changed"
    claims = [{"claim": "About 10,000 came.", "value": None, "cite": cite, "facts": []}]
    assert told("claims", claims, claims + claims) == "claims: 1 → 2"
    assert told("claims", claims, [{**claims[0], "claim": "Some 10,000 came."}]) == "claims reworded"
    assert told("claims", [["About 10,000 came.", ["report"]]], [["About 10,000 came.", ["column"]]]) \
        == "claims changed"  # as a first ledger kept them: no more can be said


def test_a_judgment_kept_from_an_audience_is_withdrawn_for_its_readers_only(tmp_path, capsys):
    old, new = _project(tmp_path / "old"), _project(tmp_path / "new")
    for folder in (old, new):
        _two_audiences(folder)
    _edit(new, "templates/judgments/golden.yaml", "    action: Ask", "    seen_by: [analyst]\n    action: Ask")
    assert main(["diff", old, new, "-C", new, "--json"]) == 0
    (found,) = json.loads(capsys.readouterr().out)
    assert (found["id"], found["fields"], found["reaches"]) == ("fair-small", ["seen_by"], [["golden", "minister"]])
    told, texts = _told(old, new)
    judgment = "The fair’s contracts will add little to trade by the end of 2025."
    assert judgment in texts["analyst"].markdown and judgment not in texts["minister"].markdown
    assert told == {"analyst": [], "minister": [f"Key judgment withdrawn: {judgment}"]}


def test_a_fact_the_brief_only_cites_in_a_note_is_not_listed_as_new(tmp_path):
    """A judgment now rests on a fact the brief does not print: its note names one more source, which the note on
    the judgment says; the fact itself is no news to the reader."""
    old, new = _project(tmp_path / "old"), _project(tmp_path / "new")
    _edit(new, "templates/judgments/golden.yaml", "rests_on: [fair.contracts, fair.doubts]",
          "rests_on: [fair.contracts, fair.doubts, fair.parking]")
    told, texts = _told(old, new, audiences=("analyst",))
    (now,) = texts.values()
    assert "fair.parking" in now.used and "parked in a field beside" not in now.markdown  # cited, quoted, not said
    assert told == {"analyst": ["Key judgment revised: The fair’s contracts will add little to trade by the end of "
                                "2025. (the facts it rests on changed)"]}


def test_a_new_key_figure_is_listed_though_its_statement_is_not_printed(tmp_path):
    """A fact that the brief shows only as a row of key figures (its label and value) is news to the reader."""
    old, new = _project(tmp_path / "old"), _project(tmp_path / "new")
    _edit(new, "facts.yaml", "    statement: Visitors parked in a field beside the halls.\n",
          "    statement: Visitors parked in a field beside the halls.\n    label: Cars parked\n"
          "    value: {type: count, amount: 3000, unit: cars}\n")
    told, texts = _told(old, new, audiences=("analyst",))
    assert "| Cars parked | 3,000 cars" in texts["analyst"].markdown
    assert "parked in a field beside" not in texts["analyst"].markdown
    assert told == {"analyst": ["New: Visitors parked in a field beside the halls."]}


def test_a_reworded_bottom_line_reaches_every_audience_that_prints_it(tmp_path, capsys):
    """The test project's politics brief, given a bottom line that is then reworded: both its audiences print it."""
    from conftest import SHORT, copy_project

    old, new = (copy_project(tmp_path / name, briefs=SHORT) for name in ("old", "new"))
    path = "templates/judgments/visit-politics.yaml"
    was = "The visit binds the two leaders to yearly meetings, whatever Tarvel's election brings."
    now = "The visit binds the two leaders to yearly meetings, unless Tarvel's election changes them."
    for folder, line in ((old, was), (new, now)):
        _edit(folder, path, "judgments:\n", f"bottom_line: \"{line}\"\njudgments:\n")
    assert main(["diff", old, new, "-C", new]) == 0
    out = capsys.readouterr().out
    assert f"~ bottom line of visit-politics changed: bottom line reworded\n    {now}\n    was: {was}\n" \
           "    reaches visit-politics for minister, analyst\n" in out
    told, texts = _told(old, new, "visit-politics")
    curly = now.replace("'", "’")
    assert all(curly in t.markdown for t in texts.values())
    assert told == {"analyst": [f"Bottom line revised: {curly}"], "minister": [f"Bottom line revised: {curly}"]}
