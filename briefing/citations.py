"""Chicago notes-and-bibliography forms for sources: full first note, short later notes, bibliography; and a plain
form of each for readers who are not analysts (no "n.d.", no bracketed descriptions: an untitled piece is named
by its short name, an undated one says so in words)."""

from __future__ import annotations

from collections.abc import Collection

from briefing.factbase import Citation, Source, format_date
from briefing.mdtext import Md, escape


def _quoted_title(source: Source, end: str) -> str:
    """A title in quotation marks with the punctuation inside; a [description] stays bare."""
    title = source.title
    if title.startswith("["):
        return escape(title) + end.strip()
    return f"“{escape(title)}{end.strip()}”"


def short_title(title: str) -> str:
    """The first four words of a title, for short notes."""
    words = title.strip("[]").split()
    short = " ".join(words[:4])
    return short + ("…" if len(words) > 4 else "")


def _surname(name: str) -> str:
    return name.split()[-1]


def _url(url: str) -> str:
    return f"<{url}>"


def untitled(source: Source) -> bool:
    """The piece has no headline: its title is a [description]."""
    return source.title.startswith("[")


def _plain_name(source: Source) -> str:
    """How the plain form names an untitled piece: its short name, else its description without brackets."""
    return escape(source.short_name or _description(source))


def _description(source: Source) -> str:
    """`[Opinion: the visit and the protests]` -> `the visit and the protests`."""
    text = source.title.strip("[]")
    return text.split(": ", 1)[1] if ": " in text else text


def full_note(source: Source, cites: list[Citation] = (), quote: bool = False, plain: bool = False,
              given: Collection[str] = ()) -> Md:
    """Return the first, full note for `source`: Author, “Title,” Outlet, date, locator, URL. The plain form
    names an untitled piece by its short name and leaves out a date it does not have. `given`: quotes of this
    source an earlier note printed, which this one cites by their place alone."""
    if plain and untitled(source):
        return short_note(source, cites, quote, plain, given)
    head = _quoted_title(source, ",")
    if source.author:
        head = escape(source.author) + ", " + head
    where = [escape(source.outlet)] if source.outlet else []
    if source.published or not plain:
        where.append(format_date(source.published) if source.published else "n.d.")
    text = head + (" " + ", ".join(where) if where else "")
    locator = _locator(cites, quote, given)
    if locator:
        text += ", " + locator
    if source.url:
        text += ", " + _url(source.url)
    return Md(text)


def short_note(source: Source, cites: list[Citation] = (), quote: bool = False, plain: bool = False,
               given: Collection[str] = ()) -> Md:
    """Return a later, short note: Surname, “Short Title,” locator; the plain form names an untitled piece by its
    short name. `given` as for `full_note`."""
    title = source.title
    short = escape(short_title(title))
    locator = _locator(cites, quote, given)
    if plain and untitled(source):
        return Md(_plain_name(source) + (", " + locator if locator else ""))
    if title.startswith("["):
        short_t = short + ("," if locator else "")
    else:
        short_t = f"“{short}{',' if locator else ''}”"
    text = (escape(_surname(source.author)) + ", " + short_t) if source.author else short_t
    return Md(text + (" " + locator if locator else ""))


def _place_key(place: str) -> tuple:
    """Sort key for a locator: `para. 4` before `para. 12` (by number), anything else after, as written."""
    number = (place.split() or [""])[-1]
    return (0, int(number), place) if place.startswith("para. ") and number.isdigit() else (1, 0, place)


def _locator(cites: list[Citation], quote: bool, given: Collection[str] = ()) -> str:
    """`para. 3` or `paras. 3, 5` (in the source's order), then the quoted words in the same order, each once,
    when asked for: none that `given` (quotes an earlier note printed) holds, so a passage is quoted once and
    then cited by its place."""
    places = sorted(dict.fromkeys(c.at.strip() for c in cites if c.at and c.at.strip()), key=_place_key)
    out = ""
    if len(places) == 1:
        out = escape(places[0])
    elif places:
        nums = [p.split()[-1] for p in places]
        same_kind = all(p.startswith("para. ") for p in places)
        out = ("paras. " + ", ".join(nums)) if same_kind else ", ".join(places)
        out = escape(out)
    if quote and cites:
        quotes = list(dict.fromkeys(c.quote for c in sorted(cites, key=lambda c: _place_key(c.at or ""))))
        kept: list[str] = []
        before = [_words(g) for g in given]
        for q in sorted(quotes, key=lambda q: -len(_words(q))):  # the longer first; one inside it adds nothing
            if not any(_words(q) in k for k in before + [_words(k) for k in kept]):
                kept.append(q)
        quotes = [q for q in quotes if q in kept]
        quoted = "; ".join(f"“{escape(_inner_quotes(q))}”" for q in quotes)
        if quoted:
            out = f"{out}: {quoted}" if out else quoted
    return out


def _words(text: str) -> str:
    """`text` as its words alone, to tell whether one quotation holds another (a note quotes the longer once)."""
    import re

    return " " + " ".join(re.findall(r"\w+", text.lower())) + " "


def _inner_quotes(text: str) -> str:
    """Double quotes inside a quotation become single ones, as the quotation itself is in double quotes."""
    out, opening = [], True
    for ch in text:
        if ch == '"':
            out.append("‘" if opening else "’")
            opening = not opening
        else:
            out.append(ch)
    return "".join(out).replace("“", "‘").replace("”", "’")


def bibliography_entry(source: Source, plain: bool = False) -> Md:
    """Return the source as a bibliography entry: Surname, Given. “Title.” Outlet, date. URL. The plain form
    describes an untitled piece in words ("City op-ed: untitled, unsigned and undated; on …", or "author not named"
    for a piece that describes its writer without a name) and writes "undated" for n.d."""
    if plain and untitled(source):
        writer = "author not named" if source.author_note else "unsigned"  # a piece that describes its writer
        missing = ["untitled"] + [w for w, bad in ((writer, not source.author), ("undated", not source.published))
                                  if bad]
        said = ", ".join(missing[:-1]) + " and " + missing[-1] if len(missing) > 1 else missing[0]
        text = f"{_plain_name(source)}: {said}; on {escape(_description(source))}"
        if source.outlet:
            text += ", " + escape(source.outlet)
        if source.published:
            text += ", " + format_date(source.published)
        text += "."
        return Md(text + (" " + _url(source.url) + "." if source.url else ""))
    parts = []
    if source.author:
        names = source.author.split()
        name = " ".join([names[-1] + ","] + names[:-1]) if len(names) > 1 else names[0]
        parts.append(escape(name) + ("" if name.endswith(".") else "."))  # "Writer, A." not "Writer, A.."
    parts.append(_quoted_title(source, "."))
    where = [escape(source.outlet)] if source.outlet else []
    where.append(format_date(source.published) if source.published else ("undated" if plain else "n.d."))
    where_text = ", ".join(where)
    parts.append(where_text if where_text.endswith(".") else where_text + ".")
    if source.url:
        parts.append(_url(source.url) + ".")
    return Md(" ".join(parts))


def bibliography_key(source: Source) -> str:
    """Sort key: writer's surname, or the title for unsigned pieces (as Chicago sorts them)."""
    key = _surname(source.author) if source.author else source.title.strip("[]“”\"")
    return key.lower()


def join_note(parts: list[Md]) -> Md:
    """Join several citations into one note, separated by semicolons, ending with a full stop."""
    text = "; ".join(parts)
    if text.endswith("”"):  # the full stop goes inside the closing quotation mark
        return Md(text if text[-2] in ".?!" else text[:-1] + ".”")
    return Md(text if text.endswith((".", "?", "!")) else text + ".")
