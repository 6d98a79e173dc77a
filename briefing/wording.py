"""How briefs word a fact's kind, confidence and caveats (templates/wording.yaml), so it can be restyled or
translated without Python; and the audience's choice of hedges in words or markers."""

from __future__ import annotations

import os
from dataclasses import dataclass

from briefing.errors import InputError, Problem
from briefing.schema import Field, ListOf, Record, Str, load_record

_KIND_DOC = ("{claim} is the statement as facts.yaml words it, {Claim} the same with a capital letter, "
             "{by} who said it or whose view it is, {By} the same with a capital letter")
_HEDGES = ("moderate", "low", "single_source", "estimate")

WORDING = Record("wording", "The words briefs use for kinds of claim, hedges and the sourcing note.", {
    "kinds": Field(Record("kinds", "How each kind of claim is written. " + _KIND_DOC, {
        "reported": Field(Str(), "a reported event or figure, e.g. `{Claim}`", required=True),
        "said": Field(Str(), "what a named actor said (the statement names them), e.g. `{Claim}`", required=True),
        "assessment": Field(Str(), "a writer's assessment, e.g. `{By} says that {claim}`", required=True),
        "unconfirmed": Field(Str(), "unconfirmed reporting by the writer its fact names under `by:`, e.g. `{By} "
                             "says, citing no named source, that {claim}`", required=True),
        "reported_by": Field(Str(), "a reported event whose fact names who reports it under `by:` (one source's "
                             "report of an event it does not vouch for), e.g. `{By} reports that {claim}` (left "
                             "out: as `reported`)", default=""),
    }), "how each kind of claim is written", required=True),
    "again": Field(Record("again", "How a claim right after another by the same writer is written; {Same} is "
                          "`The same op-ed` or the writer's surname. Left out: as the first.", {
        "assessment": Field(Str(), "e.g. `{Same} adds that {claim}`", required=True),
        "unconfirmed": Field(Str(), "e.g. `{Same} also says, citing no named source, that {claim}`", required=True),
        "reported_by": Field(Str(), "e.g. `{Same} also reports that {claim}`", default=""),
    }), "claims that follow one by the same writer", default=None),
    "again_more": Field(Record("again more", "How the third claim in a row by one writer is written (then the "
                               "fourth as `again`, and so on); {It} is `It` or the writer's surname. Left out: as "
                               "`again`.", {
        "assessment": Field(Str(), "e.g. `{It} also says that {claim}`", required=True),
        "unconfirmed": Field(Str(), "e.g. `{It} also says, citing no named source, that {claim}`", required=True),
        "reported_by": Field(Str(), "e.g. `{It} also reports that {claim}`", default=""),
    }), "the third claim in a row by one writer", default=None),
    "unconfirmed_anonymous": Field(Str(), "unconfirmed reporting whose fact names nobody under `by:`, e.g. "
                                   "`According to unconfirmed reports, {claim}` (default: as kinds.unconfirmed)",
                                   default=""),
    "hedges": Field(Record("hedges", "Words put in brackets after a fact (audiences with `hedging: words`).", {
        k: Field(Str(), f"the words for {k.replace('_', ' ')}", required=True) for k in _HEDGES
    }), "hedges in words", required=True),
    "markers": Field(Record("markers", "Short marks after a fact (audiences with `hedging: markers`), "
                            "explained in the sourcing note.", {
        k: Field(Str(), f"the mark for {k.replace('_', ' ')}", required=True) for k in _HEDGES
    }), "hedges as markers", required=True),
    "marker_group": Field(Str(), "how one sentence's markers print together; {marks} are the markers joined by "
                          "`marker_join`, e.g. `[{marks}]` gives [M·S] (empty: each marker as it is, side by side)",
                          default=""),
    "marker_join": Field(Str(), "what joins the markers inside `marker_group`, e.g. `·`", default=""),
    "estimate_how": Field(Str(), "audiences with `hedging: words`: how a figure the desk inferred is marked when "
                          "the fact's `derived:` says how, e.g. `{how}` (empty: `hedges.estimate`)", default=""),
    "estimate_note": Field(Str(), "audiences with `hedging: markers`: how the fact's note says how the desk "
                           "inferred the figure its marker flags, e.g. `Inferred by the desk: {how}.` (empty: "
                           "the note does not say)", default=""),
    "caveat": Field(Str(), "how a curator's caveat is written after a fact; {caveat} is its text",
                    required=True),
    "caveat_in_note": Field(Str(), "in a table cell, the flag for a caveat given in the row's note, e.g. `caveat in "
                            "note` (empty: the caveat in full in the cell)", default=""),
    "disputed_in_table": Field(Str(), "in a key-figures cell, the flag for a figure that a disputed question's claim "
                               "restates, e.g. `sources differ` (empty: no flag)", default="sources differ"),
    "caveat_note": Field(Str(), "how the row's note gives that caveat; {caveat} is its text, e.g. `Caveat: "
                         "{caveat}.`", default="{caveat}."),
    "likelihood": Field(Str(), "how a judgment's likelihood reads; {term} and {range}, e.g. `{term} ({range})`",
                        required=True),
    "confidence": Field(Str(), "how a judgment's confidence reads; {level}, e.g. `{level} confidence`",
                        required=True),
    "scoring": Field(Str(), "how a judgment's scoring reads: {event} (or {Event}), {deadline} and {evidence}, e.g. "
                     "`It comes true if, by {deadline}, {event}; the desk will know from {evidence}.` (the deadline "
                     "before the event, whose last clause may be an exception)",
                     default="By {deadline}, {event} ({evidence})."),
    "for_audience": Field(Str(), "who a brief is for, under its title and in its DOCX properties; {audience}",
                          default="For: {audience}"),
    "first_judgment": Field(Str(), "said of a judgment that has no `change:` (the desk's first on the question); "
                            "empty: nothing is said, and a judgment shows a change only when it has one", default=""),
    "sourcing": Field(Record("sourcing note", "Sentences of the sourcing note each brief carries; "
                             "the numbers and names are filled in from the fact base.", {
        "sources": Field(Str(), "{count} sources of which kinds ({kinds})", required=True),
        "one_source": Field(Str(), "the same for a brief resting on one source ({kinds}; empty: as `sources`)",
                            default=""),
        "sources_summary": Field(Str(), "summary audiences, when no official text is among the sources: `sources` "
                                 "saying so, in place of `no_official` ({count}, {kinds}; empty: as `sources`)",
                                 default=""),
        "unsigned_undated_summary": Field(Str(), "summary audiences: the sources with no writer named or no date, "
                                          "in one sentence in place of `unsigned`, `unnamed` and `undated` "
                                          "({names}; empty: those three)", default=""),
        "kind_named": Field(Str(), "how {kinds} in `sources` gives each kind: {count}, {kind} and the sources' "
                            "{names}, e.g. `{count} {kind} ({names})` (empty: the count and kind only)", default=""),
        "unsigned": Field(Str(), "which are unsigned ({names})", required=True),
        "unnamed": Field(Str(), "which describe their writer without naming them (`author_note:`) ({names}; "
                         "empty: counted as unsigned)", default=""),
        "views": Field(Str(), "audiences with `hedging: words`, when the brief gives a writer's view: what its "
                       "confidence rates (empty: nothing)", default=""),
        "undated": Field(Str(), "which are undated ({names})", required=True),
        "no_official": Field(Str(), "said when no official text is among the sources", required=True),
        "official": Field(Str(), "said when official texts are among them ({names})", required=True),
        "single": Field(Str(), "how many printed facts rest on one source ({single} of {printed})",
                        required=True),
        "single_summary": Field(Str(), "the same said without counts, for summary audiences, when any printed "
                                "fact rests on one source (empty: as `single`)", default=""),
        "agreement": Field(Str(), "a fixed line on how far agreeing sources confirm each other (empty: none)",
                           default=""),
        "legend": Field(Str(), "the markers' legend ({items})", required=True),
        "locators": Field(Str(), "what the notes' paragraph numbers count (empty: nothing)", default=""),
    }), "the sourcing note", required=True),
    "kind_names": Field(Record("kind names", "Names of source kinds in the sourcing note, singular|plural.", {
        k: Field(Str(pattern=r"[^|]+\|[^|]+", pattern_hint="singular|plural, e.g. opinion piece|opinion pieces"),
                 f"the {k} kind", required=True)
        for k in ("news", "analysis", "opinion", "promotional", "official")
    }), "names of source kinds", required=True),
    "known_abbreviations": Field(ListOf(Str()), "abbreviations every reader knows, e.g. `[U.S., UN, EU]`; briefs "
                                 "spell out any other at its first use, from the long form the fact base gives once "
                                 "as `World Trade Organization (WTO)`", default=[]),
})

HEDGES = _HEDGES


@dataclass(frozen=True)
class Wording:
    """templates/wording.yaml, validated."""

    path: str
    """Where it was read from."""
    settings: dict
    """Its contents."""

    def kind(self, name: str, again: int = 0, anonymous: bool = False) -> str:
        """The wording of a kind of claim: for the `again`-th claim in a row by one writer (the second, third …),
        or an unconfirmed one that names nobody (`anonymous`), the special form when the file gives one. Claims in
        a row alternate between `again` and `again_more`."""
        if anonymous and name == "unconfirmed" and self.settings["unconfirmed_anonymous"]:
            return self.settings["unconfirmed_anonymous"]
        more = self.settings["again_more"] if again and again % 2 == 1 else None
        for forms in (more, self.settings["again"] if again else None):
            if forms and forms.get(name):
                return forms[name]
        return self.settings["kinds"][name] or self.settings["kinds"]["reported"]

    def hedge(self, name: str, mode: str) -> str:
        return self.settings["hedges" if mode == "words" else "markers"][name]

    def kind_name(self, kind: str, count: int) -> str:
        singular, plural = self.settings["kind_names"][kind].split("|")
        return singular if count == 1 else plural


# What each wording must keep, so that no edit can drop a claim, its attribution or a hedge.
_CLAIM = "{claim}|{Claim}"
_NEEDS = {("kinds", "reported"): (_CLAIM,), ("kinds", "said"): (_CLAIM,),
          ("kinds", "assessment"): (_CLAIM, "{by}|{By}"), ("kinds", "unconfirmed"): (_CLAIM,),
          ("kinds", "reported_by"): (_CLAIM, "{by}|{By}"),
          ("again", "assessment"): (_CLAIM, "{Same}"), ("again", "unconfirmed"): (_CLAIM, "{Same}"),
          ("again", "reported_by"): (_CLAIM, "{Same}"),
          ("again_more", "assessment"): (_CLAIM, "{It}"), ("again_more", "unconfirmed"): (_CLAIM, "{It}"),
          ("again_more", "reported_by"): (_CLAIM, "{It}"), ("unconfirmed_anonymous",): (_CLAIM,),
          ("estimate_how",): ("{how}",), ("estimate_note",): ("{how}",), ("marker_group",): ("{marks}",),
          ("caveat_note",): ("{caveat}",), ("scoring",): ("{event}|{Event}", "{deadline}"),
          ("caveat",): ("{caveat}",), ("likelihood",): ("{term}", "{range}"), ("confidence",): ("{level}",)}


_OPTIONAL = ("again", "again_more", "unconfirmed_anonymous", "marker_group", "caveat_note", "estimate_how",
             "estimate_note")
_OPTIONAL_KEYS = ("reported_by",)
"""Forms that may be left out inside a record whose other forms are required."""


def _visible(text: str) -> bool:
    import unicodedata

    return any(not c.isspace() and unicodedata.category(c) not in ("Cf", "Cc", "Zs") for c in text)


def load_wording(templates: str) -> Wording:
    """Return the wording file of `templates`; raise InputError if it is missing or bad.

    Every kind keeps its claim (and an assessment its `{by}`), the caveat its text, and every hedge and marker
    something a reader can see: the wording may be restyled or translated, never switched off."""
    path = os.path.join(templates, "wording.yaml")
    if not os.path.isfile(path):
        raise InputError(Problem(path, 0, 0, "the wording file is missing",
                                 "briefs need it: copy one from a project made with `briefing init`"))
    data = load_record(path, WORDING)
    problems = []
    for keys, needs in _NEEDS.items():
        record = data
        for key in keys[:-1]:
            record = record[key] or {}
        text = record.get(keys[-1])
        if not text and (keys[0] in _OPTIONAL or keys[-1] in _OPTIONAL_KEYS):  # an optional form left out
            continue
        for need in needs:
            if not any(n in text for n in need.split("|")):
                line, column = record["_positions"][keys[-1]]
                problems.append(Problem(path, line, column, f"{'.'.join(keys)}: {text!r} leaves out "
                                        f"{need.replace('|', ' or ')}", "keep every {placeholder} the example shows; "
                                        "it is how briefs print the claim, who holds it and how sure the desk is"))
    for group in ("hedges", "markers"):
        for name in HEDGES:
            if not _visible(data[group][name]):
                line, column = data[group]["_positions"][name]
                problems.append(Problem(path, line, column, f"{group}.{name}: nothing a reader can see",
                                        "hedges and markers cannot be switched off; write words or a mark"))
    if problems:
        raise InputError(problems)
    return Wording(path, data)
