"""The fact base: the real facts.yaml loads and verifies; every bad file gives exactly its expected errors."""

from __future__ import annotations

import glob
import os

import pytest
from conftest import PROJECT, ROOT, problems_of

from briefing.errors import InputError
from briefing.factbase import MAX_QUOTE_WORDS, load

BAD = sorted(glob.glob(os.path.join(ROOT, "tests", "data", "bad", "*.yaml")))


@pytest.mark.parametrize("path", BAD, ids=[os.path.basename(p) for p in BAD])
def test_bad_fact_file_gives_its_exact_errors(path):
    def loaded(name):
        load(name)
        return ["(it loaded: no error was raised)"]

    found, expected = problems_of(path, loaded)
    assert found == expected


def test_alias_bomb_is_refused_without_expanding_it():
    with pytest.raises(InputError) as e:
        load(os.path.join(ROOT, "tests", "data", "bad", "alias-bomb.yaml"))
    assert sum("YAML alias (*a)" in p.message for p in e.value.problems) == 1


def test_an_alias_in_an_otherwise_valid_place_is_refused_where_it_stands(tmp_path):
    path = tmp_path / "facts.yaml"
    path.write_text(open(os.path.join(ROOT, "tests", "data", "bad", "duplicate-ids.yaml")).read()
                    .replace("topics: [trade]\n    kind: reported\n    statement: Trade was small.",
                             "topics: &t [trade]\n    kind: reported\n    statement: Trade was small.")
                    .replace("topics: [trade]\n    kind: reported\n    statement: Trade was large.",
                             "topics: *t\n    kind: reported\n    statement: Trade was large."))
    with pytest.raises(InputError) as e:
        load(str(path))
    assert [str(p).split("\n")[0].split("facts.yaml:")[1] for p in e.value.problems] == [
        "11:13: fact 'trade.volume', topics: a YAML alias (*t) stands here"]


FACT_BASES = pytest.mark.parametrize("where", [PROJECT, ROOT], ids=["test project", "shipped example"])


@FACT_BASES
def test_the_fact_base_cites_every_source_it_lists_and_every_dispute_has_two_claims(where):
    fb = load(os.path.join(where, "facts.yaml"))
    cited = {c.source for f in fb.facts.values() for c in f.cite}
    assert cited == set(fb.sources)
    assert all(len(d.claims) >= 2 for d in fb.disputes.values())
    assert len(fb.disputes) >= 2 or where != PROJECT


@FACT_BASES
def test_quotes_are_short_phrases_not_passages(where):
    fb = load(os.path.join(where, "facts.yaml"))
    quotes = [c.quote for f in fb.facts.values() for c in f.cite]
    assert max(len(q.split()) for q in quotes) <= MAX_QUOTE_WORDS
    assert sum(len(q.split()) for q in quotes) / len(quotes) < 16


def test_disputed_questions_keep_every_claim_with_its_own_sources():
    fb = load(os.path.join(PROJECT, "facts.yaml"))
    cost = fb.disputes["freight.cost"]
    assert [c.value.amount for c in cost.claims] == [240_000_000, 310_000_000]
    assert {c.source for c in cost.claims[0].cite} != {c.source for c in cost.claims[1].cite}
    size = fb.disputes["visit.delegation-size"]
    assert [c.value.amount for c in size.claims] == [40, 55]  # members against members: the real conflict


@FACT_BASES
def test_assessments_name_whose_view_they_are_and_statements_name_the_speaker(where):
    fb = load(os.path.join(where, "facts.yaml"))
    views = [f for f in fb.facts.values() if f.kind == "assessment"]
    said = [f for f in fb.facts.values() if f.kind == "said"]
    assert all(f.by for f in views)
    assert not any(f.statement.startswith(("One ", "According", "The writer")) for f in views)
    assert all(f.by in f.statement for f in said)
    if where == PROJECT:  # the test project has both kinds, and views taken from an opinion piece
        opinion_sources = {s.id for s in fb.sources.values() if s.kind == "opinion"}
        assert views and said and any(c.source in opinion_sources for f in views for c in f.cite)


def test_docs_describe_every_field_of_the_schema():
    from briefing.factbase import FACT_BASE
    from briefing.schema import ListOf, Record, Tagged

    names: set[str] = set()

    def walk(kind):
        if isinstance(kind, Record):
            for name, field in kind.fields.items():
                names.add(name)
                walk(field.kind)
        elif isinstance(kind, ListOf):
            walk(kind.item)
        elif isinstance(kind, Tagged):
            for variant in kind.variants.values():
                walk(variant)

    walk(FACT_BASE)
    docs = open(os.path.join(ROOT, "docs", "facts.md"), encoding="utf-8").read()
    missing = sorted(n for n in names if f"`{n}`" not in docs)
    assert not missing, f"docs/facts.md does not describe {missing}"


def test_problems_name_a_fact_by_its_id_and_an_audience_with_its_article(tmp_path):
    from briefing.briefs import AUDIENCE
    from briefing.schema import load_record

    found, _ = problems_of(os.path.join(ROOT, "tests", "data", "bad", "wrong-types.yaml"),
                           lambda name: load(name) and [])
    assert "fact 'trade.volume', topics:" in found and "facts[" not in found
    path = tmp_path / "press.yaml"
    path.write_text("label: Press\ndescription: d\ndetail: summary\n")
    with pytest.raises(InputError) as e:
        load_record(str(path), AUDIENCE)
    assert "missing field 'sections' in an audience" in str(e.value)


# --- a fact base in several files ---------------------------------------------------------------------------

GOLDEN = os.path.join(ROOT, "tests", "data", "golden")


def _split_golden(tmp_path) -> str:
    """The golden project with its fact base split over three files: meta and sources; two facts; the other
    facts and the disputed question. Returns the project's folder."""
    import shutil

    project = tmp_path / "split"
    shutil.copytree(os.path.join(GOLDEN, "templates"), project / "templates")
    lines = open(os.path.join(GOLDEN, "facts.yaml"), encoding="utf-8").read().split("\n")
    facts_at = lines.index("facts:")
    third = next(i for i, line in enumerate(lines) if i > facts_at and line.startswith("  - id: ") and
                 sum(x.startswith("  - id: ") for x in lines[facts_at:i]) == 2)
    (project / "facts").mkdir()
    (project / "facts" / "1-base.yaml").write_text("\n".join(lines[:facts_at]) + "\n", encoding="utf-8")
    (project / "facts" / "2-first.yaml").write_text("\n".join(lines[facts_at:third]) + "\n", encoding="utf-8")
    (project / "facts" / "3-rest.yaml").write_text("facts:\n" + "\n".join(lines[third:]), encoding="utf-8")
    (project / "briefing.yaml").write_text("facts: [facts/*.yaml]\ntemplates: templates\ncorpus: null\n")
    return str(project)


def test_a_project_with_its_fact_base_split_over_three_files_builds_the_same_brief(tmp_path, monkeypatch, capsys):
    from briefing.cli import main

    split = _split_golden(tmp_path)
    whole = load(os.path.join(GOLDEN, "facts.yaml"))
    parts = load(sorted(glob.glob(os.path.join(split, "facts", "*.yaml"))))
    assert list(parts.facts) == list(whole.facts) and list(parts.sources) == list(whole.sources)
    assert list(parts.disputes) == list(whole.disputes) and parts.meta.title == whole.meta.title
    assert {f.origin.rsplit(os.sep, 1)[1] for f in parts.facts.values()} == {"2-first.yaml", "3-rest.yaml"}
    monkeypatch.chdir(tmp_path)
    assert main(["-C", "split", "build", "-f", "pdf,md", "-j", "1", "-o", "split-out"]) == 0
    assert main(["-C", GOLDEN, "build", "-f", "pdf,md", "-j", "1", "-o", str(tmp_path / "whole-out")]) == 0
    capsys.readouterr()
    built = [n for n in os.listdir(tmp_path / "whole-out") if n.endswith((".pdf", ".md"))]
    assert len(built) == 2 and sorted(built) == sorted(n for n in os.listdir(tmp_path / "split-out")
                                                       if n.endswith((".pdf", ".md")))
    for name in built:  # the same brief, to the byte
        assert (tmp_path / "split-out" / name).read_bytes() == (tmp_path / "whole-out" / name).read_bytes(), name


def _problems(paths) -> list[str]:
    with pytest.raises(InputError) as e:
        load(paths)
    return [str(p) for p in e.value.problems]


def _line_of(path: str, text: str) -> int:
    return open(path, encoding="utf-8").read().split("\n").index(text) + 1


def test_a_duplicate_id_across_files_is_reported_at_both_places(tmp_path, monkeypatch):
    monkeypatch.chdir(_split_golden(tmp_path))
    first = open("facts/2-first.yaml", encoding="utf-8").read().split("  - id: ")[1].split("\n")[0]
    rest = open("facts/3-rest.yaml", encoding="utf-8").read()
    again = rest.split("  - id: ")[1].split("\n")[0]
    open("facts/3-rest.yaml", "w", encoding="utf-8").write(rest.replace(f"  - id: {again}\n", f"  - id: {first}\n"))
    one, two = _line_of("facts/2-first.yaml", f"  - id: {first}"), _line_of("facts/3-rest.yaml", f"  - id: {first}")
    hint = "\n    give each fact and disputed question its own id, across all files of the fact base"
    assert _problems(sorted(glob.glob("facts/*.yaml"))) == [
        f"facts/2-first.yaml:{one}:9: duplicate fact id {first!r} (also a fact at facts/3-rest.yaml:{two}:9){hint}",
        f"facts/3-rest.yaml:{two}:9: duplicate fact id {first!r} (also a fact at facts/2-first.yaml:{one}:9){hint}"]


def test_every_problem_names_its_own_file_and_line_and_messages_print_paths_as_shown(tmp_path, monkeypatch):
    monkeypatch.chdir(_split_golden(tmp_path))
    rest = open("facts/3-rest.yaml", encoding="utf-8").read()
    source = rest.split("      - source: ")[1].split("\n")[0]
    rest = rest.replace(f"      - source: {source}\n", "      - source: nowhere\n", 1)
    head, _, tail = rest.rpartition("kind: reported")  # the last fact, not the one citing nowhere
    rest = head + "kind: reportd" + tail
    open("facts/3-rest.yaml", "w", encoding="utf-8").write(rest)
    found = _problems([os.path.abspath(p) for p in sorted(glob.glob("facts/*.yaml"))])
    assert [p.split(": ", 1)[0] for p in found] == [
        f"{os.path.abspath('facts/3-rest.yaml')}:{_line_of('facts/3-rest.yaml', '      - source: nowhere')}:17",
        f"{os.path.abspath('facts/3-rest.yaml')}:{_line_of('facts/3-rest.yaml', '    kind: reportd')}:11"]
    with pytest.raises(InputError) as e:
        load([os.path.abspath(p) for p in sorted(glob.glob("facts/*.yaml"))], shown=os.path.relpath)
    assert [str(p).split(":", 1)[0] for p in e.value.problems] == ["facts/3-rest.yaml"] * 2


def test_meta_stands_in_exactly_one_file(tmp_path, monkeypatch):
    monkeypatch.chdir(_split_golden(tmp_path))
    files = sorted(glob.glob("facts/*.yaml"))
    base = open(files[0], encoding="utf-8").read()
    meta = base[base.index("meta:"):base.index("sources:")]
    open(files[0], "w", encoding="utf-8").write(base.replace(meta, ""))
    assert _problems(files) == ["facts/1-base.yaml:6:1: the fact base has no meta\n"
                                "    add `meta:` (title, organisation, as_of) to one of its files"]
    open(files[0], "w", encoding="utf-8").write(base)
    open(files[2], "a", encoding="utf-8").write("\n" + meta)
    at = _line_of(files[2], "meta:")
    hint = "\n    a fact base has one meta; keep it in one of its files and remove the others"
    assert _problems(files) == [
        f"facts/1-base.yaml:7:3: meta: a second one in the fact base (also at facts/3-rest.yaml:{at + 1}:3){hint}",
        f"facts/3-rest.yaml:{at + 1}:3: meta: a second one in the fact base (also at facts/1-base.yaml:7:3){hint}"]


def test_the_schema_describes_each_file_so_a_file_of_only_facts_or_only_sources_is_valid():
    from briefing.factbase import schema_json

    schema = schema_json()
    assert schema["required"] == [] and not schema["additionalProperties"]
    assert {"meta", "sources", "facts", "disputed"} == set(schema["properties"])


def test_a_file_named_twice_is_read_once(tmp_path, monkeypatch):
    monkeypatch.chdir(_split_golden(tmp_path))
    files = sorted(glob.glob("facts/*.yaml"))
    fb = load(files + [os.path.abspath(files[1])])
    assert fb.files == tuple(files)


def test_the_load_benchmark_runs_on_the_current_schema():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "load_factbase.py"), "--smoke"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[1].split()[:3] == ["300", "30", "3"]  # 300 facts, 30 sources, 3 files


def test_records_are_made_as_their_dataclasses_make_them():
    """factbase gives its record classes an __init__ that sets their slots directly, as it is faster: it takes
    the same arguments with the same defaults and makes the same object, which stays frozen."""
    import dataclasses

    from briefing import factbase

    for cls in (factbase.Value, factbase.Source, factbase.Citation, factbase.Derived, factbase.Fact,
                factbase.Claim, factbase.Dispute, factbase.Meta):
        fields = dataclasses.fields(cls)
        values = [f"v{i}" for i in range(len(fields))]
        made = cls(*values)
        assert [getattr(made, f.name) for f in fields] == values
        required = [f.name for f in fields if f.default is dataclasses.MISSING]
        made = cls(**{name: name for name in required})
        assert [getattr(made, f.name) for f in fields] == [f.name if f.name in required else f.default
                                                           for f in fields]
        assert dataclasses.replace(made) == made and repr(made).startswith(cls.__name__ + "(")
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(made, fields[0].name, "other")
        with pytest.raises(TypeError):
            cls(*values, "one too many")
