"""The command line as users meet it: main(argv) and once as a subprocess; exit codes; out/ left alone on failure."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from conftest import EVERY_FORMAT, ROOT, in_project, markdown_body, need, outputs, pairs

from briefing.cli import main


def test_build_writes_every_brief_for_each_of_its_audiences(built):
    for ext in EVERY_FORMAT.split(","):
        assert len(outputs(built, f"*.{ext}")) == len(pairs())  # each brief × audience, none missing
    assert not [f for f in os.listdir(built) if f.startswith(".tmp")]


def test_build_as_a_subprocess_prints_one_line_per_file(project, tmp_path):
    env = {**os.environ, "PYTHONPATH": ROOT}
    run = subprocess.run([sys.executable, "-m", "briefing", "build", "visit-politics", "-a", "minister",
                          "-o", str(tmp_path)], cwd=project, capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    assert sorted(run.stdout.split()) == [str(tmp_path / "visit-politics.minister.docx"),
                                          str(tmp_path / "visit-politics.minister.pdf")]


def _snapshot(folder):
    return {f: open(os.path.join(folder, f), "rb").read() for f in sorted(os.listdir(folder))}


def test_undefined_name_in_template_stops_with_file_and_line_and_writes_nothing(project_copy, capsys):
    out = os.path.join(project_copy, "out")
    assert in_project(project_copy, "build", "-o", out, "freight-line", "-a", "minister") == 0
    before = _snapshot(out)
    path = os.path.join(project_copy, "templates", "briefs", "visit-politics.md.j2")
    lines = open(path).read().split("\n")
    at = next(i for i, line in enumerate(lines) if "{% block background %}" in line)
    lines.insert(at + 1, "{{ audiense.label }}")
    open(path, "w").write("\n".join(lines))
    code = in_project(project_copy, "build", "-o", out)
    err = capsys.readouterr().err
    assert code == 1
    assert f"visit-politics.md.j2:{at + 2}: 'audiense' is undefined" in err
    assert "Traceback" not in err
    assert _snapshot(out) == before


def test_unknown_fact_id_names_the_template_line_and_the_id(project_copy, capsys):
    path = os.path.join(project_copy, "templates", "briefs", "freight-line.md.j2")
    text = open(path).read().replace('say("freight.capacity")', 'say("freight.capacity-typo")')
    open(path, "w").write(text)
    line = next(i for i, s in enumerate(text.split("\n"), 1) if "freight.capacity-typo" in s)
    code = in_project(project_copy, "check")
    err = capsys.readouterr().err
    assert code == 1
    assert f"freight-line.md.j2:{line}: unknown fact id 'freight.capacity-typo'" in err


def test_template_syntax_error_is_reported_at_its_line(project_copy, capsys):
    path = os.path.join(project_copy, "templates", "briefs", "visit-politics.md.j2")
    lines = open(path).read().split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("## "))  # inside the analysis block
    lines[at] = "{% if %}"
    open(path, "w").write("\n".join(lines))
    assert in_project(project_copy, "check") == 1
    assert f"visit-politics.md.j2:{at + 1}: template syntax error" in capsys.readouterr().err


def test_wrong_usage_exits_2(capsys):
    assert main(["build", "--format", "odt"]) == 2
    assert main(["frobnicate"]) == 2


def test_an_unknown_brief_on_the_command_line_is_wrong_usage(project, capsys):
    assert in_project(project, "build", "no-such-brief", "-o", "/nonexistent") == 2
    assert "unknown brief 'no-such-brief'" in capsys.readouterr().err


def test_check_verifies_every_quote_against_the_corpus(project, capsys):
    assert in_project(project, "check", "--corpus", os.path.join(project, "sources")) == 0
    assert "verified against" in capsys.readouterr().out


def test_changing_one_word_of_a_quote_fails_the_check_at_its_line(project_copy, capsys):
    path = os.path.join(project_copy, "facts.yaml")
    lines = open(path).read().split("\n")
    words = "The cost of the line is estimated at 240 million euros, according to the two transport ministries"
    i = next(i for i, s in enumerate(lines) if words in s and "quote:" in s and not s.lstrip().startswith("#"))
    lines[i] = lines[i].replace("estimated", "reckoned")
    open(path, "w").write("\n".join(lines))
    assert in_project(project_copy, "check") == 1
    err = capsys.readouterr().err
    assert f"facts.yaml:{i + 1}:" in err and "quote not found" in err
    assert f"closest passage: '{words}" in err


def test_list_shows_briefs_audiences_and_topics(project, capsys):
    assert in_project(project, "list") == 0
    out = capsys.readouterr().out
    assert "freight-line" in out and "minister" in out and "freight " in out


def test_facts_and_list_show_disputed_questions(project, capsys):
    assert in_project(project, "facts", "2028") == 0
    out = capsys.readouterr().out
    assert "freight.first-train  (disputed question)" in out and "1 of 4 disputed questions" in out
    assert in_project(project, "list") == 0
    out = capsys.readouterr().out
    assert "Disputed questions" in out and "visit.delegation-size" in out


def test_facts_filters_by_topic_source_and_words(project, capsys):
    assert in_project(project, "facts", "--topic", "freight", "--source", "harbour-editorial", "paper") == 0
    out = capsys.readouterr().out
    assert "freight.paper-sense" in out and "1 of" in out


def test_new_audience_from_a_copy_builds_every_brief_it_is_added_to(project_copy, capsys):
    t = f"{project_copy}/templates"
    assert main(["new", "audience", "press", "--from", "analyst", "--templates", t]) == 0
    _add_audience(t, "press")
    assert in_project(project_copy, "build", "-o", f"{project_copy}/out", "-a", "press", "freight-line",
                      "visit-politics") == 0
    assert os.path.exists(f"{project_copy}/out/visit-politics.press.pdf")
    assert main(["new", "audience", "press", "--from", "analyst", "--templates", t]) == 1


def _add_audience(templates: str, audience: str) -> None:
    """Add `audience` to the audiences of every brief of the test project."""
    for name in ("freight-line", "visit-politics"):
        path = f"{templates}/briefs/{name}.yaml"
        text = open(path).read()
        assert re.search(r"(?m)^audiences: \[[^\]]+\]$", text)
        open(path, "w").write(re.sub(r"(?m)^audiences: \[([^\]]+)\]$", rf"audiences: [\1, {audience}]", text))


def test_new_brief_copies_yaml_template_and_judgments_with_clean_comments(project_copy):
    t = f"{project_copy}/templates"
    assert main(["new", "brief", "energy", "--from", "freight-line", "--templates", t]) == 0
    for path in (f"{t}/briefs/energy.yaml", f"{t}/briefs/energy.md.j2", f"{t}/judgments/energy.yaml"):
        text = open(path).read()
        assert "energy" in text.split("\n")[0] + text.split("\n")[1], path
        # the original's own comments are not copied (only that it was the model)
        assert "railway brief" not in text and "long brief" not in text and "Long paragraphs" not in text, path
    assert in_project(project_copy, "build", "-o", f"{project_copy}/out", "energy", "-a", "minister") == 0


def test_schema_prints_json_schema_matching_the_committed_file(capsys):
    import json

    assert main(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    with open(os.path.join(ROOT, "facts.schema.json")) as f:
        assert printed == json.load(f), "run `briefing schema > facts.schema.json` after changing the schema"
    assert "facts" in printed["properties"] and printed["additionalProperties"] is False


def test_a_wrong_paragraph_locator_fails_the_check_and_names_the_right_one(project_copy, capsys):
    path = os.path.join(project_copy, "facts.yaml")
    text = open(path).read()
    old = 'quote: "Officials said the first freight train should run in 2028"\n        at: para. 10'
    assert old in text
    open(path, "w").write(text.replace(old, old.replace("para. 10", "para. 9")))
    assert in_project(project_copy, "check") == 1
    assert "the quote is in para. 10, not para. 9" in capsys.readouterr().err


def test_the_editing_guide_lists_every_audience_key_with_its_default_as_the_schema_says(capsys):
    assert main(["schema", "--keys", "audience"]) == 0
    table = capsys.readouterr().out.strip()
    docs = open(os.path.join(ROOT, "docs", "editing.md"), encoding="utf-8").read()
    block = docs.split("<!-- audience keys: start -->\n")[1].split("\n<!-- audience keys: end -->")[0]
    assert block == table, "run `briefing schema --keys audience` and paste its table into docs/editing.md"
    assert "| `hedging` | no | `words` |" in table and "| `handling` | no | empty |" in table


def test_an_audience_without_handling_gives_an_unmarked_brief(project_copy):
    import subprocess

    t = f"{project_copy}/templates"
    path = f"{t}/audiences/business.yaml"
    text = open(path).read()
    assert "handling: PUBLIC\n" in text
    open(path, "w").write(text.replace("handling: PUBLIC\n", "").replace("tone: plain\n", ""))
    out = f"{project_copy}/out"
    assert in_project(project_copy, "build", "-o", out, "-f", "pdf", "freight-line", "-a", "business") == 0
    need("pdftotext")
    text = subprocess.run(["pdftotext", f"{out}/freight-line.business.pdf", "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "PUBLIC" not in text and "· ·" not in text and "Page 1 of" in text


def test_an_audience_with_its_own_section_changes_no_other_audiences_output(project_copy, tmp_path):
    t = f"{project_copy}/templates"
    before = tmp_path / "before"
    assert in_project(project_copy, "build", "-o", str(before), "-f", "pdf,docx,md") == 0
    with open(f"{t}/audiences/press.yaml", "w") as f:
        f.write("label: Press Office\ndescription: Lines to take for the spokesperson\nhandling: PUBLIC\n"
                "detail: summary\nsections: [lines_to_take, bluf, sourcing]\nown_sections:\n"
                "  lines_to_take: Lines to take\n")
    os.makedirs(f"{t}/audiences/press/lines_to_take")
    with open(f"{t}/audiences/press/lines_to_take/freight-line.md.j2", "w") as f:
        f.write('- The line is agreed, not yet funded. {{ say("freight.agreed") }}\n')
    with open(f"{t}/audiences/press/lines_to_take/default.md.j2", "w") as f:
        f.write('- The visit took place as planned. {{ say("visit.dates") }}\n')
    _add_audience(t, "press")
    after = tmp_path / "after"
    assert in_project(project_copy, "build", "-o", str(after), "-f", "pdf,docx,md") == 0
    built = [name for name in sorted(os.listdir(before)) if not name.startswith(".")]  # not the build's manifest
    assert len(built) == 3 * len(pairs())
    for name in built:
        assert (before / name).read_bytes() == (after / name).read_bytes(), name
    md = markdown_body((after / "freight-line.press.md").read_text(encoding="utf-8"))
    assert md.startswith("# Lines to take\n\n- The line is agreed, not yet funded. Marovia and Tarvel agreed")
    assert "# Lines to take\n\n- The visit took place as planned." in (after / "visit-politics.press.md").read_text()
    assert "Recommended action" not in md and "Lines to take" not in (after / "freight-line.minister.md").read_text()


def test_an_own_section_without_its_text_is_reported_with_the_file_to_write(project_copy, capsys):
    t = f"{project_copy}/templates"
    path = f"{t}/audiences/business.yaml"
    text = open(path).read()
    assert "sections: [what_happened," in text
    open(path, "w").write(text.replace("sections: [what_happened,",
                                           "own_sections: {checklist: Checklist}\nsections: [checklist, what_happened,"))
    assert in_project(project_copy, "check") == 1
    err = capsys.readouterr().err
    assert "audiences/business.yaml:" in err and "the text of its own sections is missing: " in err
    assert "templates/audiences/business/checklist/freight-line.md.j2" in err
    assert err.count("own sections is missing") == 1 and "default.md.j2" in err
    open(path, "w").write(text.replace("sections: [what_happened,", "sections: [what_happend,"))
    assert in_project(project_copy, "check") == 1
    assert "unknown section 'what_happend' (did you mean 'what_happened'?)" in capsys.readouterr().err


def test_a_misspelt_label_key_is_an_error_with_did_you_mean(project_copy, capsys):
    t = f"{project_copy}/templates"
    path = f"{t}/audiences/business.yaml"
    text = open(path).read()
    open(path, "w").write(text.replace("labels:\n", "labels:\n  alternativ: Another view\n"))
    assert in_project(project_copy, "check") == 1
    err = capsys.readouterr().err
    assert "business.yaml:" in err and "no template asks for the label 'alternativ' (did you mean 'alternative'?)" in err


def test_check_lays_out_the_briefs_and_reports_a_page_limit_at_its_line_with_a_preview(project_copy, capsys):
    t = f"{project_copy}/templates"
    path = f"{t}/audiences/minister.yaml"
    text = open(path).read()
    open(path, "w").write(text.replace("page_limit: 2 ", "page_limit: 1 "))
    line = next(i for i, ln in enumerate(text.split("\n"), 1) if ln.startswith("page_limit:"))
    assert in_project(project_copy, "check") == 1
    err = capsys.readouterr().err
    found = re.search(rf"minister\.yaml:{line}:13: freight-line for minister: the PDF has 2 pages, 1 more than "
                      r"page_limit allows \(1\)\n    see it at (\S+\.pdf);", err)
    assert found, err
    from pypdf import PdfReader

    assert len(PdfReader(found.group(1)).pages) == 2


def test_build_refuses_an_audience_a_brief_is_not_meant_for_unless_asked_and_unknown_names_are_usage_errors(
        project_copy, capsys):
    args = ["-C", project_copy, "build", "-o", f"{project_copy}/out", "-f", "md"]
    assert main(args + ["visit-politics", "-a", "business"]) == 2
    assert "visit-politics is not meant for the audience 'business'" in capsys.readouterr().err
    assert not os.path.exists(f"{project_copy}/out")
    assert main(args + ["visit-politics", "-a", "business", "--any-audience"]) == 0
    assert os.path.exists(f"{project_copy}/out/visit-politics.business.md")
    assert main(args + ["-a", "ministr"]) == 2
    assert "unknown audience 'ministr' (did you mean 'minister'?)" in capsys.readouterr().err
    assert main(args + ["freight-lin"]) == 2
    assert main(args + ["-a", "business"]) == 0  # every brief meant for the business audience, and no other
    out = capsys.readouterr().out
    assert "freight-line.business.md" in out and "visit-politics.business.md" not in out


def test_a_template_error_is_reported_once_naming_the_audiences_it_stops(project_copy, capsys):
    t = f"{project_copy}/templates"
    path = f"{t}/briefs/freight-line.md.j2"
    text = open(path).read()
    open(path, "w").write(text.replace("{% block analysis %}", "{% block analysis %}\n{{ say(\"nope.fact\") }}"))
    assert in_project(project_copy, "check") == 1
    err = capsys.readouterr().err
    assert err.count("unknown fact id 'nope.fact'") == 1
    assert "(in freight-line for analyst, business)" in err, err  # the minister has no analysis section


def test_a_judgments_file_that_names_no_brief_is_reported(project_copy, capsys):
    t = f"{project_copy}/templates"
    os.rename(f"{t}/judgments/freight-line.yaml", f"{t}/judgments/freight-lin.yaml")
    assert in_project(project_copy, "check") == 1
    err = capsys.readouterr().err
    assert "key judgments for 'freight-lin', which is not a brief (did you mean 'freight-line'?)" in err


def test_sources_listed_first_still_list_every_source_and_an_own_section_cannot_take_a_shared_name(
        project_copy, capsys):
    t = f"{project_copy}/templates"
    path = f"{t}/audiences/business.yaml"
    text = open(path).read()
    sources_first, count = re.subn(r"(?m)^sections: \[[^\]]*\]", "sections: [sources, bluf, background, analysis]",
                                   text)
    assert count == 1
    open(path, "w").write(sources_first)
    out = f"{project_copy}/out"
    assert in_project(project_copy, "build", "-o", out, "-f", "md", "freight-line", "-a", "business") == 0
    md = markdown_body(open(f"{out}/freight-line.business.md").read())
    assert md.startswith("# Sources\n")
    sources = md.split("# Sources\n")[1].split("\n# ")[0]
    assert sources.count("\n- ") >= 3 and "Holm, Dana." in sources
    open(path, "w").write(text.replace("labels:", "own_sections: {bluf: Mine}\nlabels:"))
    assert in_project(project_copy, "check") == 1
    assert "own section 'bluf' has the name of a shared section" in capsys.readouterr().err


def test_an_audience_no_brief_is_meant_for_is_wrong_usage(project_copy, capsys):
    t = f"{project_copy}/templates"
    assert main(["new", "audience", "press", "--from", "analyst", "--templates", t]) == 0
    assert in_project(project_copy, "build", "-o", f"{project_copy}/out", "-a", "press") == 2
    assert "no brief is meant for the audience 'press'" in capsys.readouterr().err


def test_the_docx_footer_keeps_its_spaces(built):
    import zipfile

    with zipfile.ZipFile(os.path.join(built, "freight-line.minister.docx")) as z:
        footer = z.read("word/footer1.xml").decode("utf-8")
    assert "FOR OFFICIAL USE · Page </w:t>" in footer.replace('xml:space="preserve">', ">")
    assert "> of </w:t>" in footer.replace('xml:space="preserve">', ">")
