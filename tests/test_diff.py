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


EXPECTED = """{old} → {new}: facts 1 added, 1 removed, 3 changed; disputed questions 1 opened, 0 closed, 0 changed; key judgments 0 added, 0 removed, 1 changed
~ fact fair.exhibitors changed: kind: reported → unconfirmed
    About 120 firms exhibited at the fair, among them a delegation from Minsk (Мінск, 明斯克).
    reaches golden for analyst
~ fact fair.contracts changed: confidence: high → moderate
    Contracts worth US$12 million were signed at the fair.
    reaches golden for analyst
~ fact fair.halls changed: statement changed; citations changed
    The fair filled 4 exhibition halls in the new city centre.
    was: The fair filled 4 exhibition halls.
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
    assert out.startswith(f"{old}/facts.yaml → {new}/facts.yaml: facts 1 added, 1 removed, 3 changed; disputed "
                          "questions 1 opened, 0 closed, 0 changed; key judgments 0 added, 0 removed, 0 changed\n")
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
        ("fact", "changed", "fair.exhibitors"), ("fact", "changed", "fair.contracts"),
        ("fact", "changed", "fair.halls"), ("fact", "added", "fair.catering"), ("fact", "removed", "fair.parking"),
        ("dispute", "opened", "fair.stands"), ("judgment", "changed", "fair-small")])
    assert found[("fact", "changed", "fair.halls")]["fields"] == ["statement", "cite"]
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
