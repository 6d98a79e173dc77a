"""`briefing check` on a fact base split over several files: every lint names the file that holds the fact or the
disputed question it reports, not the base's first file."""

from __future__ import annotations

import textwrap

from briefing.factbase import load
from briefing.lint import lint

_META = """\
meta:
  title: Lint test
  organisation: Desk
  as_of: 2024-11-30

sources:
  - id: column
    title: A column
    author: A. Writer
    outlet: The Courier
    published: null
    url: null
    kind: opinion
    file: column.txt
"""

# A figure no quote gives, a high confidence on one undated opinion piece, and a disputed question whose claims
# agree: three lints, all in the second file.
_FACTS = """\
facts:
  - id: trade.volume
    topics: [trade]
    kind: assessment
    by: the columnist A. Writer
    statement: trade was worth US$60 million in 2023.
    confidence: high
    cite:
      - source: column
        quote: "trade was worth $50 million"
        at: para. 1

disputed:
  - id: trade.size
    topics: [trade]
    question: How large is trade?
    claims:
      - claim: Writer says trade is small.
        cite:
          - source: column
            quote: "trade was worth $50 million"
            at: para. 1
      - claim: Writer says trade is small.
        cite:
          - source: column
            quote: "trade was worth $50 million"
            at: para. 1
"""


def test_each_lint_names_the_file_that_holds_the_fact_or_question(tmp_path):
    first, second = tmp_path / "a-meta.yaml", tmp_path / "b-facts.yaml"
    first.write_text(textwrap.dedent(_META), encoding="utf-8")
    second.write_text(textwrap.dedent(_FACTS), encoding="utf-8")
    fb = load([str(first), str(second)])
    problems = lint(fb)
    assert [p.message for p in problems] == [
        "fact 'trade.volume': 2023 (in its statement) is in none of its quotes",
        "fact 'trade.volume': 60,000,000 (in its statement) is in none of its quotes",
        "fact 'trade.volume' is rated high but rests on a single source, an undated opinion piece (column)",
        "disputed question 'trade.size': its claims agree (every claim says the same)"]
    assert fb.path.endswith("a-meta.yaml")
    assert {p.file for p in problems} == {fb.facts["trade.volume"].origin} == {fb.disputes["trade.size"].origin}
    assert fb.facts["trade.volume"].origin.endswith("b-facts.yaml")
