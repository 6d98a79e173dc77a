"""Help for the curator: `quote` finds a passage's exact words and locator, `coverage` shows what no citation
covers, `source add` registers an article without disturbing the fact base's comments. The article texts are
read from the seed corpus at test time; none is copied into the project."""

from __future__ import annotations

import glob
import os
import random
import re
import subprocess
import sys

import pytest

from briefing.cli import main
from briefing.corpus import normalise
from briefing.curate import Text, coverage, find_quote, insert_source, read_corpus
from briefing.errors import InputError
from briefing.factbase import load

CURLY = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def _seed_texts(seeds) -> list[Text]:
    return [Text("s" + name[:-4].replace("_", "-"), name, open(os.path.join(seeds, name), encoding="utf-8").read())
            for name in sorted(os.listdir(seeds)) if name.endswith(".txt")]


def _spans(texts: list[Text], count: int, rng: random.Random):
    """`count` spans of 4 to 14 whole words, each inside one paragraph: (text, paragraph number, exact words)."""
    spans = []
    while len(spans) < count:
        text = rng.choice(texts)
        n = rng.randrange(len(text.paragraphs)) + 1
        tokens = list(re.finditer(r"\S+", text.paragraphs[n - 1]))
        if len(tokens) < 4:
            continue
        size = rng.randint(4, min(14, len(tokens)))
        first = rng.randrange(len(tokens) - size + 1)
        start, end = tokens[first].start(), tokens[first + size - 1].end()
        words = text.paragraphs[n - 1][start:end]
        while words and not words[0].isalnum():
            words = words[1:]
        while words and not words[-1].isalnum():
            words = words[:-1]
        if len(words.split()) >= 3:
            spans.append((text, n, " ".join(words.split())))
    return spans


def test_quote_finds_the_exact_text_and_locator_of_30_spans_sampled_from_the_seed_articles(seeds):
    texts = _seed_texts(seeds)
    assert len(texts) == 5
    for text, n, exact in _spans(texts, 30, random.Random(19)):
        words = exact.split()
        half = len(words) // 2  # typed in lower case, with straight quotes and dashes, over two lines
        typed = (" ".join(words[:half]) + "\n" + " ".join(words[half:])).lower().translate(CURLY)
        found = find_quote(texts, typed)
        assert (text.source, exact, f"para. {n}") in {(m.source, m.quote, m.at) for m in found}, typed
        for m in found:  # every passage offered is one that `check --corpus` accepts, locator and all
            owner = next(t for t in texts if t.source == m.source)
            assert normalise(m.quote) in normalise(owner.paragraphs[m.paragraph - 1]) or m.at.startswith("paras.")


def test_quote_gives_a_passage_over_a_line_break_with_both_paragraphs(tmp_path):
    text = Text("s", "s.txt", "Line one ends here\n\nand the “second” line – goes on.\n")
    [m] = find_quote([text], 'ends here and the "second" line - goes')
    assert (m.quote, m.at) == ("ends here and the “second” line – goes", "paras. 1–2")
    assert m.citation() == ('      - source: s\n        quote: "ends here and the “second” line – goes"\n'
                            "        at: paras. 1–2")
    assert find_quote([text], "here and") and not find_quote([text], "ere and")  # whole words only


def test_quote_through_the_cli_lists_every_match_and_narrows_to_a_source(tmp_path, monkeypatch, capsys):
    project = _project(tmp_path)
    (tmp_path / "p" / "sources" / "other.txt").write_text("Elsewhere: the two delegations met on 3 March 2025.\n")
    facts = (tmp_path / "p" / "facts.yaml").read_text()
    (tmp_path / "p" / "facts.yaml").write_text(facts.replace("sources:\n", "sources:\n  - {id: other, title: O, "
                                                             "author: null, outlet: null, published: null, url: null,"
                                                             " kind: news, file: other.txt}\n", 1))
    monkeypatch.chdir(project)
    assert main(["quote", "Met on 3 MARCH", "2025"]) == 0
    out, err = capsys.readouterr()
    assert out.count("- source: ") == 2 and "2 passages match" in err
    assert main(["quote", "met on 3 march 2025", "--source", "other"]) == 0
    out, _ = capsys.readouterr()
    assert out == ('# other (other.txt), para. 1\n      - source: other\n        quote: "met on 3 March 2025"\n'
                   "        at: para. 1\n")
    assert main(["quote", "nothing like this at all"]) == 1
    assert "no passage of 2 sources matches" in capsys.readouterr().err
    assert main(["quote", "x", "--source", "othre"]) == 2
    assert "did you mean 'other'" in capsys.readouterr().err


# --- coverage ---------------------------------------------------------------------------------------------


def _cites(cites: list[tuple[str, str, str | None]], indent: int = 6) -> str:
    import json

    return "".join(" " * indent + f"- {{source: {s}, quote: {json.dumps(q, ensure_ascii=False)}"
                   + (f", at: {a}" if a else "") + "}\n" for s, q, a in cites)


def test_coverage_counts_agree_with_the_citations(seeds, tmp_path):
    texts = {t.source: t for t in _seed_texts(seeds)}
    a, b = sorted(texts)[3:5]
    pa, pb = texts[a].paragraphs, texts[b].paragraphs

    def words(paragraph: str, first: int, count: int) -> str:
        return " ".join(paragraph.split()[first:first + count])

    cited = {  # source -> {paragraph: why}
        a: {2: "found where at says", 5: "found, at wrong", 7: "not found: at says", 9: "runs over 9-10",
            10: "runs over 9-10"},
        b: {1: "found, no locator"}}
    fact_cites = [(a, words(pa[1], 0, 6), "para. 2"), (a, words(pa[4], 1, 5), "para. 2"),
                  (a, "words that are in no paragraph", "para. 7"),
                  (a, " ".join(pa[8].split()[-3:] + pa[9].split()[:3]), "paras. 9–10"),
                  (b, words(pb[0], 0, 4), None)]
    path = tmp_path / "facts.yaml"
    path.write_text(
        "meta: {title: T, organisation: O, as_of: 2024-11-30}\nsources:\n"
        + "".join(f"  - {{id: {s}, title: T, author: null, outlet: null, published: null, url: null, kind: news, "
                  f"file: {texts[s].file}}}\n" for s in (a, b))
        + "facts:\n  - id: t.one\n    topics: [t]\n    kind: reported\n    statement: S.\n    cite:\n"
        + _cites(fact_cites[:3])
        + "disputed:\n  - id: t.question\n    topics: [t]\n    question: Q?\n    claims:\n"
        + "".join(f"      - claim: C{i}.\n        cite:\n" + _cites([c], 10) for i, c in enumerate(fact_cites[3:])))
    fb = load(str(path))
    found = {c.source: c for c in coverage(fb, read_corpus(fb, seeds))}
    for source, expected in cited.items():
        c = found[source]
        assert set(c.cited) == set(expected), source
        assert c.paragraphs == len(texts[source].paragraphs)
        assert [n for n, _ in c.uncited] == [n for n in range(1, c.paragraphs + 1) if n not in expected]
        assert c.share == pytest.approx(len(expected) / c.paragraphs)
    assert found[b].cited[1] == ["t.question"] and found[a].cited[2] == ["t.one"]
    first_uncited = next(n for n in range(1, 20) if n not in cited[a])
    assert found[a].uncited[0] == (first_uncited, " ".join(pa[first_uncited - 1].split()[:8])
                                   + (" …" if len(pa[first_uncited - 1].split()) > 8 else ""))


def test_coverage_of_a_fact_base_marks_every_paragraph_a_quote_is_in(project):
    fb = load(os.path.join(project, "facts.yaml"))
    texts = read_corpus(fb, os.path.join(project, "sources"))
    for c in coverage(fb, texts):
        paragraphs = [normalise(p) for p in next(t for t in texts if t.source == c.source).paragraphs]
        quotes = [normalise(q.quote) for f in [*fb.facts.values(), *(cl for d in fb.disputes.values()
                                                                     for cl in d.claims)]
                  for q in f.cite if q.source == c.source]
        joined = " ".join(paragraphs)
        once = [q for q in quotes if joined.count(q) == 1]  # a quote found twice counts where its locator says
        for n in range(1, c.paragraphs + 1):
            if any(q in paragraphs[n - 1] for q in once):
                assert n in c.cited, (c.source, n)
        assert len(c.cited) + len(c.uncited) == c.paragraphs


# --- source add -------------------------------------------------------------------------------------------


def _project(tmp_path) -> str:
    assert main(["init", str(tmp_path / "p")]) == 0
    return str(tmp_path / "p")


def test_source_add_writes_an_entry_that_check_accepts_and_keeps_the_comments(seeds, tmp_path, monkeypatch, capsys):
    project = _project(tmp_path)
    facts = os.path.join(project, "facts.yaml")
    before = open(facts, encoding="utf-8").read()
    article = os.path.join(seeds, "002_463d6c46dadd9c42.txt")
    monkeypatch.chdir(project)
    capsys.readouterr()
    assert main(["source", "add", article, "--kind", "analysis", "--outlet", "Shared Future Institute", "--yes"]) == 0
    out, err = capsys.readouterr()
    after = open(facts, encoding="utf-8").read()
    kept = iter(after.split("\n"))
    assert all(line in kept for line in before.split("\n")), "a line of the file was lost or moved"
    assert "  - id: pakistan-welcomes-brother-aleksandr\n    title: Pakistan Welcomes Brother Aleksandr " \
           "Lukashenko\n    author: Khalid Taimur Akram\n    outlet: Shared Future Institute\n" \
           "    published: 2024-11-29\n    url: null\n    kind: analysis\n    file: 002_463d6c46dadd9c42.txt\n" in after
    with open(article, "rb") as f, open(os.path.join("sources", os.path.basename(article)), "rb") as g:
        assert f.read() == g.read()
    text = Text("x", "x", open(article, encoding="utf-8").read())
    assert out.split("\n")[:2] == [f"{n:>2}  {p}" for n, p in enumerate(text.paragraphs[:2], 1)]
    assert "source 'pakistan-welcomes-brother-aleksandr' added to facts.yaml" in err
    # a fact citing it, with the words `quote` gives, passes check (quotes verified against the corpus)
    assert main(["quote", "historic visit marked a new chapter"]) == 0
    citation = capsys.readouterr().out.split("\n", 1)[1]
    with open(facts, "a", encoding="utf-8") as f:
        f.write("\n  - id: event.new-chapter\n    topics: [event]\n    kind: assessment\n    by: Khalid Taimur Akram\n"
                "    statement: the visit marked a new chapter.\n    cite:\n" + citation)
    assert main(["check", "--corpus", "sources"]) == 0, capsys.readouterr().err


def test_source_add_refuses_a_bad_entry_and_leaves_everything_as_it_was(seeds, tmp_path, monkeypatch, capsys):
    project = _project(tmp_path)
    monkeypatch.chdir(project)
    before = open("facts.yaml", encoding="utf-8").read()
    article = os.path.join(seeds, "000_a4d5cb50ad60533b.txt")
    assert main(["source", "add", article, "--yes", "--kind", "opinion"]) == 2  # the text has no title
    assert "--title TITLE" in capsys.readouterr().err
    assert main(["source", "add", article, "--title", "T", "--kind", "opinion", "--id", "example-article"]) == 2
    assert "has a source 'example-article' already" in capsys.readouterr().err
    assert main(["source", "add", article, "--title", "bell \x07", "--kind", "opinion"]) == 1
    err = capsys.readouterr().err
    assert re.search(r"^facts\.yaml:\d+:\d+: source '[a-z0-9-]+', title: contains characters", err, re.M), err
    assert open("facts.yaml", encoding="utf-8").read() == before
    assert sorted(os.listdir("sources")) == ["example-article.txt"]


def test_source_add_asks_on_a_terminal_for_what_the_text_does_not_say(seeds, tmp_path, monkeypatch, capsys):
    project = _project(tmp_path)
    monkeypatch.chdir(project)
    answers = iter(["", "[Op-ed on the visit]", "-", "The Example Times", "2024-11-31", "2024-11-30", "",
                    "gossip", "opinion"])
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    assert main(["source", "add", os.path.join(seeds, "000_a4d5cb50ad60533b.txt")]) == 0
    err = capsys.readouterr().err
    assert "is not a date" in err and "kind must be one of" in err
    fb = load("facts.yaml")
    s = fb.sources["000-a4d5cb50ad60533b"]
    assert (s.title, s.author, s.outlet, str(s.published), s.url, s.kind) == (
        "[Op-ed on the visit]", None, "The Example Times", "2024-11-30", None, "opinion")


def test_insert_source_keeps_the_layout_of_the_list():
    entry = {"id": "new", "title": "New: a title", "author": None, "outlet": None, "published": None, "url": None,
             "kind": "news", "file": "new.txt"}
    spaced = ("# head\nsources:\n  - id: a\n    file: a.txt\n\n  - id: b\n    file: b.txt   # b's file\n"
              "    # about b\n\n# facts follow\nfacts: []\n")
    assert insert_source(spaced, entry) == (
        "# head\nsources:\n  - id: a\n    file: a.txt\n\n  - id: b\n    file: b.txt   # b's file\n    # about b\n"
        "\n  - id: new\n    title: \"New: a title\"\n    author: null\n    outlet: null\n    published: null\n"
        "    url: null\n    kind: news\n    file: new.txt\n\n# facts follow\nfacts: []\n")
    tight = "sources:\n- id: a\n  file: a.txt\nfacts: []\n"
    assert insert_source(tight, entry).startswith("sources:\n- id: a\n  file: a.txt\n- id: new\n  title:")
    assert insert_source("facts: []\n", entry).startswith("facts: []\n\nsources:\n  - id: new\n")
    assert insert_source("title: sources\nsources: []  # none yet\nfacts: []\n", entry).startswith(
        "title: sources\nsources: # none yet\n  - id: new\n")
    with pytest.raises(InputError) as e:
        insert_source("sources: [{id: a}]\n", entry)
    assert "facts.yaml:1:1: sources: is not a block list" in str(e.value)


def test_the_curation_commands_run_as_a_program(seeds, tmp_path):
    project = _project(tmp_path)
    done = subprocess.run([sys.executable, "-m", "briefing", "coverage"], cwd=project, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert re.search(r"^example-article \(example-article\.txt\): \d+ of \d+ paragraphs cited", done.stdout, re.M)


def test_source_add_in_a_fact_base_of_several_files_goes_where_the_sources_are_or_into_the_file_named(
        seeds, tmp_path, monkeypatch, capsys):
    from test_factbase import _split_golden

    monkeypatch.chdir(_split_golden(tmp_path))
    article = os.path.join(seeds, "003_d5669119656f8e5d.txt")
    assert main(["source", "add", article, "--kind", "opinion", "--corpus", "texts", "--yes"]) == 0
    assert "- id: strengthening-pak-belarus-ties\n" in open("facts/1-base.yaml", encoding="utf-8").read()
    os.unlink(os.path.join("texts", os.path.basename(article)))
    rest = open("facts/3-rest.yaml", encoding="utf-8").read()
    assert main(["source", "add", article, "--kind", "opinion", "--corpus", "texts", "--yes", "--id", "again",
                 "--into", "./facts/3-rest.yaml"]) == 1
    assert "source 'strengthening-pak-belarus-ties' is this article already" in capsys.readouterr().err
    base = open("facts/1-base.yaml", encoding="utf-8").read()
    open("facts/1-base.yaml", "w", encoding="utf-8").write(base.split("  - id: strengthening-pak")[0])
    assert main(["source", "add", article, "--kind", "opinion", "--corpus", "texts", "--yes", "--id", "again",
                 "--into", "./facts/3-rest.yaml"]) == 0
    assert open("facts/3-rest.yaml", encoding="utf-8").read().startswith(rest)
    assert load(sorted(glob.glob("facts/*.yaml"))).sources["again"].origin == "facts/3-rest.yaml"
