"""Distribution lists: distribution/NAME.yaml, validated with positions, as typed recipients."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from yaml import ScalarEvent

from briefing.distribute.headers import BREAKS, header_problem, one_address
from briefing.errors import InputError, Problem
from briefing.factbase import SLUG
from briefing.schema import INVALID, Bool, Field, ListOf, Number, Record, Str, json_schema, read_document

# An address a desk would type: local@domain, the local part in the dot-atom form of RFC 5322 (no quoted
# strings, no comments), the domain as dot-separated labels with a letter-only top-level label.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
ADDRESS = rf"{_ATOM}(?:\.{_ATOM})*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.)+[A-Za-z]{{2,63}}"


class OneLine(Str):
    """Text that can go into a mail header: one line, no controls, no bidi overrides and no RFC 2047 encoded
    words (which the email package would decode into a line break and a new header)."""

    def read(self, event, r, where):
        hint = "write it as plain text on one line; names and organisations go into mail headers and the copy's stamp"
        if type(event) is ScalarEvent and BREAKS.search(event.value):  # before Str folds a line break into a space
            return r.error(event, f"{where}: contains a line break", hint)
        value = super().read(event, r, where)
        problem = header_problem(value) if isinstance(value, str) else None
        return r.error(event, f"{where}: {problem}", hint) if problem else value


RECIPIENT = Record("recipient", "One reader: who they are, where copies go, which version they get.", {
    "name": Field(OneLine(), "the reader's name as printed on their copy, e.g. `Dr Jane Doe`", required=True),
    "organisation": Field(OneLine(), "their organisation, printed on their copy", required=True),
    "email": Field(OneLine(pattern=ADDRESS, pattern_hint="an e-mail address (name@example.org)"),
                   "their e-mail address", required=True),
    "audience": Field(Str(pattern=SLUG, pattern_hint="an audience name"),
                      "the audience whose version they get (a file name in templates/audiences)", required=True),
    "briefs": Field(ListOf(Str(pattern=SLUG, pattern_hint="a brief name"), min_items=1),
                    "the briefs they get (file names in templates/briefs)", required=True),
})

LIST = Record("distribution list", "Who receives which brief, as numbered personal copies.", {
    "sender": Field(OneLine(), "the From line, e.g. `Briefing Desk <desk@example.org>`", required=True),
    "reply_to": Field(OneLine(nullable=True), "a Reply-To line, if replies go elsewhere"),
    "cover": Field(Str(), "the cover-note template, relative to this file", default="cover.txt.j2"),
    "sign": Field(Bool(), "sign every copy with the desk's certificate (PAdES; see docs/distribute.md)",
                  default=False),
    "max_attachment_mb": Field(Number(minimum=0.001), "larger copies are reported, not sent", default=10),
    "recipients": Field(ListOf(RECIPIENT, min_items=1), "the readers", required=True),
})


def schema_json() -> dict:
    """Return the JSON Schema of a distribution list, for editors."""
    return json_schema(LIST, "briefing distribution list (distribution/NAME.yaml)")


@dataclass(frozen=True)
class Recipient:
    """One reader of a distribution list."""

    name: str
    organisation: str
    email: str
    """As written in the list."""
    audience: str
    briefs: tuple[str, ...]
    line: int
    """Where the recipient starts in the list file."""
    positions: dict = field(default_factory=dict, compare=False, hash=False)
    """Key -> (line, column) of each of the recipient's values in the list file."""

    @property
    def key(self) -> str:
        """The address as the ledger knows it: lower case."""
        return self.email.lower()


@dataclass(frozen=True)
class DistributionList:
    """A validated distribution list."""

    name: str
    """The file's name without .yaml."""
    path: str
    sender: tuple[str, str]
    """(display name, address) of the From line."""
    reply_to: tuple[str, str] | None
    cover: str
    """Path of the cover-note template."""
    sign: bool
    max_bytes: int
    recipients: tuple[Recipient, ...]


def _check_sender(value: str, path: str, line: int, column: int, problems: list[Problem], what: str
                  ) -> tuple[str, str]:
    found = one_address(value, ADDRESS)
    if isinstance(found, str):
        problems.append(Problem(path, line, column, f"{what}: {value!r} {found}",
                                "write one address, as `Desk name <desk@example.org>` or just the address"))
        return "", ""
    return found


def load_list(path: str, audiences: dict, briefs: dict) -> DistributionList:
    """Return the list at `path`, checked against the project's audiences and briefs; raise InputError
    listing every problem."""
    data, collected = read_document(path, LIST)
    problems = list(collected.items)
    if data is INVALID:
        raise InputError(problems)
    pos = data["_positions"]
    sender = _check_sender(data["sender"], path, *pos["sender"], problems, "sender")
    reply_to = None
    if data["reply_to"]:
        reply_to = _check_sender(data["reply_to"], path, *pos["reply_to"], problems, "reply_to")
    cover = os.path.join(os.path.dirname(path), data["cover"])
    if not os.path.isfile(cover):
        problems.append(Problem(path, *pos.get("cover", (data["_line"], 1)), f"cover-note template {cover} not found",
                                "create it (distribution/cover.txt.j2 is an example), or set `cover:`"))
    seen: dict[str, int] = {}
    recipients = []
    for r in data["recipients"]:
        rp = r["_positions"]
        where = f"recipient {r['name']!r}"
        key = r["email"].lower()
        if key in seen:
            problems.append(Problem(path, *rp["email"], f"{where}: duplicate address {r['email']}",
                                    f"it is already on line {seen[key]}; each reader appears once, with all "
                                    "their briefs in `briefs:`"))
        seen.setdefault(key, rp["email"][0])
        ok = True
        audience = audiences.get(r["audience"])
        if audience is None:
            problems.append(Problem(path, *rp["audience"], f"{where}: unknown audience {r['audience']!r}",
                                    f"known audiences: {', '.join(audiences)}"))
            ok = False
        for i, b in enumerate(r["briefs"]):
            brief = briefs.get(b)
            if brief is None:
                problems.append(Problem(path, *rp["briefs"], f"{where}: unknown brief {b!r}",
                                        f"known briefs: {', '.join(briefs)}"))
                ok = False
            elif audience is not None and r["audience"] not in brief.audiences:
                problems.append(Problem(path, *rp["briefs"],
                                        f"{where}: brief {b!r} is not written for the audience {r['audience']!r}",
                                        f"it is for: {', '.join(brief.audiences)}; choose another "
                                        "audience, or add this one to the brief's `audiences:`"))
                ok = False
        if len(set(r["briefs"])) != len(r["briefs"]):
            problems.append(Problem(path, *rp["briefs"], f"{where}: a brief is named twice", "name each once"))
            ok = False
        if ok:
            recipients.append(Recipient(r["name"], r["organisation"], r["email"], r["audience"],
                                        tuple(r["briefs"]), r["_line"], dict(rp)))
    if problems:
        raise InputError(problems)
    name = os.path.splitext(os.path.basename(path))[0]
    return DistributionList(name, path, sender, reply_to, cover, data["sign"],
                            int(data["max_attachment_mb"] * 1_000_000), tuple(recipients))


if __name__ == "__main__":  # python -m briefing.distribute.lists > distribution/list.schema.json
    import json

    print(json.dumps(schema_json(), indent=2, ensure_ascii=False))
