"""The fact base: the real facts.yaml loads and verifies; every bad file gives exactly its expected errors."""

from __future__ import annotations

import glob
import os

import pytest
from conftest import ROOT, problems_of

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


def test_the_fact_base_covers_the_five_articles():
    fb = load(os.path.join(ROOT, "facts.yaml"))
    assert 80 <= len(fb.facts) <= 150
    assert len(fb.sources) == 5
    cited = {c.source for f in fb.facts.values() for c in f.cite}
    assert cited == set(fb.sources)
    assert len(fb.disputes) >= 2
    assert all(len(d.claims) >= 2 for d in fb.disputes.values())


def test_quotes_are_short_phrases_not_passages():
    fb = load(os.path.join(ROOT, "facts.yaml"))
    quotes = [c.quote for f in fb.facts.values() for c in f.cite]
    assert max(len(q.split()) for q in quotes) <= MAX_QUOTE_WORDS
    assert sum(len(q.split()) for q in quotes) / len(quotes) < 16


def test_disputed_questions_keep_every_claim_with_its_own_sources():
    fb = load(os.path.join(ROOT, "facts.yaml"))
    years = fb.disputes["diplomacy.ties-anniversary"]
    assert [c.value.amount for c in years.claims] == [35, 30]
    assert {c.source for c in years.claims[0].cite} != {c.source for c in years.claims[1].cite}
    size = fb.disputes["visit.delegation-make-up"]
    assert [c.value.amount for c in size.claims] == [68, 55]  # members against members: the real conflict


def test_assessments_name_whose_view_they_are_and_statements_name_the_speaker():
    fb = load(os.path.join(ROOT, "facts.yaml"))
    opinion_sources = {s.id for s in fb.sources.values() if s.kind == "opinion"}
    views = [f for f in fb.facts.values() if f.kind == "assessment"]
    assert len(views) >= 20 and all(f.by for f in views)
    assert not any(f.statement.startswith(("One ", "According", "The writer")) for f in views)
    assert any(c.source in opinion_sources for f in views for c in f.cite)
    said = [f for f in fb.facts.values() if f.kind == "said"]
    assert said and all(f.by in f.statement for f in said)


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
