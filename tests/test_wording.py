"""How the Wordsmith names writers and spells out abbreviations, on a small fact base of its own."""

from __future__ import annotations

import pytest

from briefing.views import Abbreviations, is_abbreviation, later_name, long_form, same_name


@pytest.mark.parametrize("by, later, same", [
    ("an Islamabad op-ed", "the Islamabad op-ed", "The same op-ed"),
    ("an unsigned overview of the visit", "the unsigned overview", "The same overview"),
    ("the columnist Jane Doe", "Doe", "Doe"),
    ("the think-tank director A. B. Writer", "Writer", "Writer"),
])
def test_a_writer_is_named_in_full_then_shortly_then_as_the_same(by, later, same):
    assert later_name(by) == later
    assert same_name(by) == same


@pytest.mark.parametrize("word, expected", [
    ("SCO", True), ("MoUs", True), ("SMEs", True), ("U.S.", True), ("IT", True),
    ("McDonald", False), ("ePaper", False), ("I", False), ("Pakistan", False),
])
def test_what_counts_as_an_abbreviation(word, expected):
    assert is_abbreviation(word) is expected


@pytest.mark.parametrize("text, abbreviation, form", [
    ("the Conference on Interaction and Confidence-Building Measures in Asia (CICA)", "CICA",
     "Conference on Interaction and Confidence-Building Measures in Asia"),
    ("Imran Khan's party, Pakistan Tehreek-e-Insaf (PTI)", "PTI", "Pakistan Tehreek-e-Insaf"),
    ("eight memoranda of understanding (MoUs)", "MoUs", "memoranda of understanding"),
    ("small and medium enterprises (SMEs)", "SMEs", "small and medium enterprises"),
])
def test_the_long_form_is_read_from_the_words_before_the_brackets(text, abbreviation, form):
    assert long_form(text, text.index("("), abbreviation) == form


def test_each_abbreviation_is_spelled_out_at_its_first_use_and_only_there():
    words = Abbreviations(["the World Trade Organization (WTO)", "memoranda of understanding (MoUs)"], ["UN"])
    body = ("The WTO met.\n\n- MoUs were signed; one MoU at the WTO.\n\nLater, the World Trade Organization (WTO) "
            "and the UN again.")
    out = words.spell_out(body)
    assert out == ("The World Trade Organization (WTO) met.\n\n- Memoranda of understanding (MoUs) were signed; one "
                   "MoU at the WTO.\n\nLater, the WTO and the UN again.")
    assert words.undefined(out) == []
    assert words.undefined("The GHQ and “a quoted NLC” and the UN.") == [("GHQ", 1)]
