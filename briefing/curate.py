"""Help for the curator, not automation: find a passage's exact words and locator, show which paragraphs no
citation covers yet, and register a new article (its source entry drafted from the text, appended to the
fact base without disturbing the file's comments or layout)."""

from __future__ import annotations

import bisect
import datetime as _dt
import json
import os
import re
import tempfile
from dataclasses import dataclass, field

from briefing.corpus import normalise
from briefing.errors import InputError, Problem
from briefing.factbase import MAX_QUOTE_WORDS, SLUG, SOURCE_KINDS, FactBase, Source
from briefing.inputs import SOURCE_LIMIT, read_text

# --- a source's text, as `check` counts its paragraphs ----------------------------------------------------


@dataclass
class Text:
    """A source's text file, with its paragraphs: the non-empty lines, numbered from 1 as `check` counts them."""

    source: str
    """The source's id."""
    file: str
    """The text file's name in the corpus."""
    raw: str
    """The file's text."""
    starts: list[int] = field(default_factory=list)
    """Offset in `raw` where each paragraph begins."""
    ends: list[int] = field(default_factory=list)
    """Offset in `raw` just past each paragraph's last character."""

    def __post_init__(self):
        offset = 0
        for line in self.raw.split("\n"):
            if line.strip():
                self.starts.append(offset)
                self.ends.append(offset + len(line.rstrip()))
            offset += len(line) + 1

    @property
    def paragraphs(self) -> list[str]:
        """Each paragraph's text."""
        return [self.raw[s:e] for s, e in zip(self.starts, self.ends)]

    def paragraph_at(self, offset: int) -> int:
        """The number (from 1) of the paragraph holding `offset`, or of the last one before it."""
        return max(1, bisect.bisect_right(self.starts, offset))


def locator(first: int, last: int) -> str:
    """`para. 4`, or `paras. 7–8` for a passage that runs over several paragraphs."""
    return f"para. {first}" if first == last else f"paras. {first}–{last}"


def read_source(corpus: str, source: Source) -> Text:
    """Return the text of `source` in the corpus folder; raise InputError at the source's entry if unreadable."""
    path = os.path.join(corpus, source.file)
    try:
        raw = read_text(path, limit=SOURCE_LIMIT, characters=False)
    except InputError as e:
        found = e.problems[0]
        raise InputError(Problem(source.origin, source.line, 0, f"source {source.id!r}: {found.file}: "
                                 f"{found.message}", found.hint or "check `file:` and the corpus folder")) from None
    return Text(source.id, source.file, raw.replace("\r\n", "\n"))


def read_corpus(fb: FactBase, corpus: str, only: str | None = None) -> list[Text]:
    """Return the texts of the fact base's sources (or of the one source `only`), in the fact base's order;
    raise InputError naming every source whose text cannot be read."""
    texts, problems = [], []
    for source in fb.sources.values():
        if only is not None and source.id != only:
            continue
        try:
            texts.append(read_source(corpus, source))
        except InputError as e:
            problems.extend(e.problems)
    if problems:
        raise InputError(problems)
    return texts


# --- quote: the exact words of a passage -----------------------------------------------------------------


def _skeleton(text: str) -> tuple[str, list[int]]:
    """Return (the letters and digits of `text`, case folded, nothing else; the offset in `text` of each).

    Matching skeletons ignores case, punctuation, quotation marks, dashes, spaces and line breaks."""
    chars, offsets = [], []
    for i, c in enumerate(text):
        if c.isalnum():
            for folded in c.casefold():
                chars.append(folded)
                offsets.append(i)
    return "".join(chars), offsets


_INVISIBLE = str.maketrans({"\u00ad": None, "\u200b": None})


@dataclass(frozen=True)
class Match:
    """A passage of a source that the words asked for match."""

    source: str
    """The source's id."""
    file: str
    """Its text file in the corpus."""
    quote: str
    """The passage in the source's own characters (runs of spaces and line breaks as one space)."""
    at: str
    """Its locator: `para. N`, or `paras. N–M` when it runs over paragraphs."""
    paragraph: int
    """The paragraph it begins in."""

    @property
    def words(self) -> int:
        return len(self.quote.split())

    def citation(self) -> str:
        """The citation as YAML, ready to paste under a fact's `cite:`."""
        return (f"      - source: {self.source}\n        quote: {json.dumps(self.quote, ensure_ascii=False)}\n"
                f"        at: {self.at}")


def find_quote(texts: list[Text], words: str) -> list[Match]:
    """Return every passage of `texts` whose words are `words`, ignoring case, punctuation, curly or straight
    quotation marks, dashes and line breaks; a passage begins and ends at whole words."""
    wanted, _ = _skeleton(words)
    if not wanted:
        return []
    found = []
    for text in texts:
        skeleton, offsets = _skeleton(text.raw)
        i = skeleton.find(wanted)
        while i >= 0:
            start, end = offsets[i], offsets[i + len(wanted) - 1] + 1
            whole = (start == 0 or not text.raw[start - 1].isalnum()) and \
                (end == len(text.raw) or not text.raw[end].isalnum())
            if whole:
                quote = " ".join(text.raw[start:end].translate(_INVISIBLE).split())
                first, last = text.paragraph_at(start), text.paragraph_at(end - 1)
                found.append(Match(text.source, text.file, quote, locator(first, last), first))
            i = skeleton.find(wanted, i + 1)
    return found


def closest(texts: list[Text], words: str) -> tuple[str, str] | None:
    """Return (source id, the passage most like `words`) for a search that matched nothing."""
    import difflib

    from briefing.corpus import closest_passage

    query = normalise(words)
    best, best_ratio = None, 0.0
    for text in texts:
        passage = closest_passage(query, normalise(text.raw), seconds=0.5)
        ratio = difflib.SequenceMatcher(None, query.casefold(), passage.casefold()).ratio()
        if ratio > best_ratio:
            best, best_ratio = (text.source, passage), ratio
    return best


# --- coverage: which paragraphs no citation covers -----------------------------------------------------------


@dataclass
class Coverage:
    """How much of one source the fact base cites."""

    source: str
    """The source's id."""
    file: str
    """Its text file."""
    paragraphs: int
    """How many paragraphs it has."""
    cited: dict[int, list[str]]
    """Paragraph number -> the ids of the facts and disputed questions whose quotes cover it."""
    uncited: list[tuple[int, str]]
    """(number, first words) of each paragraph no citation covers."""
    unplaced: list[str] = field(default_factory=list)
    """Ids whose quote is not in the text and whose locator names no paragraph (`check --corpus` reports them)."""

    @property
    def share(self) -> float:
        """The share of paragraphs cited, from 0 to 1."""
        return len(self.cited) / self.paragraphs if self.paragraphs else 1.0


_PARAS = re.compile(r"paras?\. ([\d, –-]+)")


def _named(at: str | None, count: int) -> list[int]:
    """The paragraphs a locator names (`para. 4`, `paras. 7–8`, `paras. 3, 5`), within 1..count."""
    mo = _PARAS.fullmatch(at or "")
    if not mo:
        return []
    numbers: list[int] = []
    for part in re.split(r"\s*,\s*", mo.group(1).strip()):
        ends = [int(n) for n in re.findall(r"\d+", part)]
        if len(ends) == 2:
            numbers.extend(range(ends[0], ends[1] + 1))
        else:
            numbers.extend(ends)
    return [n for n in numbers if 1 <= n <= count]


def coverage(fb: FactBase, texts: list[Text]) -> list[Coverage]:
    """Return, for each source text, the paragraphs cited and those not.

    A paragraph is cited when a citation's quote is found in it — searched as `check --corpus` searches,
    up to typography — wherever the `at:` locator points; a quote that runs over several paragraphs covers
    each of them; a quote found several times covers the place its locator names, else the first. A quote
    that is not in the text at all covers the paragraphs its locator names (check reports the misquote)."""
    by_source: dict[str, list[tuple[str, object]]] = {}
    for f in fb.facts.values():
        for c in f.cite:
            by_source.setdefault(c.source, []).append((f.id, c))
    for d in fb.disputes.values():
        for claim in d.claims:
            for c in claim.cite:
                by_source.setdefault(c.source, []).append((d.id, c))
    result = []
    for text in texts:
        paragraphs = [normalise(p) for p in text.paragraphs]
        starts, offset = [], 0
        for p in paragraphs:  # the paragraphs joined by single spaces, as check's normalised text
            starts.append(offset)
            offset += len(p) + 1
        joined = " ".join(paragraphs)
        cited: dict[int, list[str]] = {}
        unplaced = []
        for owner, c in by_source.get(text.source, []):
            quote = normalise(c.quote)
            named = _named(c.at, len(paragraphs))
            hits = [m.start() for m in re.finditer(re.escape(quote), joined)] if quote else []
            if hits:
                spans = [(bisect.bisect_right(starts, h), bisect.bisect_right(starts, h + len(quote) - 1))
                         for h in hits]
                first, last = next(((a, b) for a, b in spans if a in named), spans[0])
                covered = range(first, last + 1)
            else:
                covered = named
            if not covered:
                unplaced.append(owner)
            for n in covered:
                ids = cited.setdefault(n, [])
                if owner not in ids:
                    ids.append(owner)
        uncited = [(n, first_words(text.paragraphs[n - 1])) for n in range(1, len(paragraphs) + 1)
                   if n not in cited]
        result.append(Coverage(text.source, text.file, len(paragraphs), dict(sorted(cited.items())), uncited,
                               unplaced))
    return result


def first_words(paragraph: str, count: int = 8) -> str:
    """The paragraph's first words, with an ellipsis when there are more."""
    words = paragraph.split()
    return " ".join(words[:count]) + (" …" if len(words) > count else "")


# --- source add: register an article ----------------------------------------------------------------------

SOURCE_FIELDS = ("id", "title", "author", "author_note", "outlet", "published", "url", "kind", "standpoint",
                 "short_name", "file")
"""The keys of a source entry, in the order they are written."""

_STOP = frozenset("a an and as at by for from in into of on or the to with".split())
_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December)"
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(\d{{4}})\b")
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_BYLINE = re.compile(r"^\W*by\s+(?:(?:mr|mrs|ms|dr|prof)\.?\s+)?([^,]+?)\s*(?:,|$)", re.IGNORECASE)
_MARKUP = re.compile(r"<[^>]+>|[*_#]+")


def slug(text: str, words: int = 4) -> str:
    """A source id from `text`: its first significant words, lower case, joined by dashes."""
    tokens = [t for t in re.findall(r"[a-z0-9]+", text.casefold()) if t not in _STOP]
    return "-".join(tokens[:words]) or "source"


def _date(text: str) -> _dt.date | None:
    months = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
              "october", "november", "december")
    for pattern, order in ((_ISO_DATE, "ymd"), (_DAY_MONTH_YEAR, "dmy"), (_MONTH_DAY_YEAR, "mdy")):
        mo = pattern.search(text)
        if not mo:
            continue
        parts = dict(zip(order, mo.groups()))
        month = int(parts["m"]) if parts["m"].isdigit() else months.index(parts["m"].lower()) + 1
        try:
            return _dt.date(int(parts["y"]), month, int(parts["d"]))
        except ValueError:
            continue
    return None


def draft(text: Text, taken: set[str]) -> dict:
    """Return what the text itself says of a source entry — a title (a heading, or a short first line), an
    author (a by-line), a date of publication — and a proposed id not in `taken`; None for what it does not."""
    head = [_MARKUP.sub("", p).strip() for p in text.paragraphs[:15]]
    raw_head = text.paragraphs[:15]
    title = next((_MARKUP.sub("", p).strip() for p in raw_head if p.lstrip().startswith("#")), None)
    if title is None and head and len(head[0].split()) <= 12 and not head[0].endswith((".", ":", "?")):
        title = head[0]
    author = None
    for line in head:
        mo = _BYLINE.match(line)
        if mo and len(mo.group(1).split()) <= 5:
            author = mo.group(1).strip()
            break
    published = next((d for d in map(_date, head[:10]) if d), None)
    base = slug(title) if title else slug(os.path.splitext(text.file)[0])
    proposed, n = base, 2
    while proposed in taken:
        proposed, n = f"{base}-{n}", n + 1
    return {"id": proposed, "title": title, "author": author, "author_note": None, "outlet": None,
            "published": published, "url": None, "kind": None, "standpoint": None, "short_name": None,
            "file": text.file}


def _scalar(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, _dt.date):
        return value.isoformat()
    text = str(value)
    try:  # written plain when YAML reads it back as the same text, quoted otherwise
        import yaml

        if "\n" not in text and yaml.safe_load(f"k: {text}") == {"k": text}:
            return text
    except yaml.YAMLError:
        pass
    return json.dumps(text, ensure_ascii=False)


def entry_lines(entry: dict, dash: int) -> list[str]:
    """The source entry as YAML lines, its `- ` at column `dash` (0-based), keys in the usual order; optional
    keys without a value are left out."""
    lines = []
    required = {"id", "title", "author", "outlet", "published", "url", "kind", "file"}
    for key in SOURCE_FIELDS:
        value = entry.get(key)
        if value is None and key not in required:
            continue
        lead = " " * dash + "- " if not lines else " " * (dash + 2)
        lines.append(f"{lead}{key}: {_scalar(value)}")
    return lines


def _subtree_end(events: list, i: int) -> int:
    """The index just past the value that begins at events[i]."""
    import yaml

    depth = 0
    while True:
        e = events[i]
        i += 1
        if isinstance(e, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
        elif isinstance(e, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        if depth == 0:
            return i


def insert_source(text: str, entry: dict, path: str = "facts.yaml") -> str:
    """Return the YAML `text` of a fact-base file with `entry` appended to its `sources:` list; the rest of the
    text (comments, blank lines, quoting, order) stays as it was. A file without `sources:` gets one at its end;
    an empty one (`sources: []`, or nothing) gets its first entry.

    A list of entries must be a block list (`- id: ...` lines); raise InputError for a flow list (`[...]`)."""
    import yaml

    lines = text.split("\n")
    events = list(yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    root = next((i for i, e in enumerate(events) if isinstance(e, yaml.MappingStartEvent)), None)
    key = value = None
    i = root + 1 if root is not None else len(events)
    while i < len(events) and not isinstance(events[i], yaml.MappingEndEvent):  # the top-level keys
        after_key = _subtree_end(events, i)
        if isinstance(events[i], yaml.ScalarEvent) and events[i].value == "sources":
            key, value = events[i], after_key
            break
        i = _subtree_end(events, after_key)
    if key is None:
        body = "\n".join(entry_lines(entry, 2))
        ending = "" if text.endswith("\n") or not text else "\n"
        return f"{text}{ending}\nsources:\n{body}\n"
    start, end = events[value], events[_subtree_end(events, value) - 1]
    empty = (isinstance(start, yaml.ScalarEvent) and not start.style and start.value in ("", "~", "null")) or \
        (isinstance(start, yaml.SequenceStartEvent) and isinstance(events[value + 1], yaml.SequenceEndEvent))
    if empty and start.start_mark.line == key.start_mark.line:
        k = key.start_mark.line  # `sources: []` or `sources:` becomes `sources:` with the entry below it
        line = lines[k]
        cut_from = start.start_mark.column if start.start_mark.line == k else len(line)
        cut_to = end.end_mark.column if end.end_mark.line == k else len(line)
        lines[k] = (line[:cut_from].rstrip() + " " + line[cut_to:].lstrip()).rstrip()
        return "\n".join(lines[:k + 1] + entry_lines(entry, key.start_mark.column + 2) + lines[k + 1:])
    if not isinstance(start, yaml.SequenceStartEvent) or start.flow_style:
        raise InputError(Problem(path, key.start_mark.line + 1, key.start_mark.column + 1, "sources: is not a "
                                 "block list (lines starting with '- '), so `source add` cannot append to it",
                                 "write the list as `- id: ...` entries, then run `briefing source add` again"))
    # the list's items, and the last line of the last one
    items, last_line, j = [], start.start_mark.line, value + 1
    while not isinstance(events[j], yaml.SequenceEndEvent):
        items.append(events[j])
        stop = _subtree_end(events, j)
        for e in events[j:stop]:
            if isinstance(e, yaml.ScalarEvent):  # a block scalar ends at the start of the line after it
                last_line = max(last_line, e.end_mark.line - (1 if e.end_mark.column == 0 else 0))
        j = stop
    dash = max(items[0].start_mark.column - 2, 0) if items else 2
    insert_at = last_line + 1
    while insert_at < len(lines) and lines[insert_at].startswith(" " * (dash + 1)) and \
            lines[insert_at].strip().startswith("#"):
        insert_at += 1  # an indented comment closing the last entry belongs to it
    spaced = len(items) > 1 and any(not lines[k].strip() for k in range(items[0].start_mark.line,
                                                                           items[-1].start_mark.line))
    new = ([""] if spaced else []) + entry_lines(entry, dash)
    return "\n".join(lines[:insert_at] + new + lines[insert_at:])


def write_atomically(path: str, text: str, check=None) -> None:
    """Replace the file at `path` by `text`: written to a temporary file beside it and flushed to disk; then
    `check(temporary_path)` (which raises to refuse it); then renamed over the file, so that a reader sees the
    old file or the new, never a part. The file keeps its permissions."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if os.path.exists(path):
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        if check is not None:
            check(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def long_quote_note(match: Match) -> str:
    """A note when a passage is longer than a citation may quote; else an empty string."""
    if match.words > MAX_QUOTE_WORDS:
        return f"({match.words} words: a citation quotes at most {MAX_QUOTE_WORDS}; quote the words that matter)"
    return ""


@dataclass
class Article:
    """An article about to be registered: its text, where it goes, and the source entry drafted for it."""

    path: str
    """The article's file, as given."""
    text: Text
    """Its text, with paragraphs as `check` counts them."""
    corpus: str
    """The corpus folder it is copied into."""
    fact_file: str
    """The fact-base file the entry is appended to."""
    entry: dict
    """The source entry: proposals from the text, then what the user gave."""
    taken: set[str]
    """The source ids already in the fact base."""
    copied: bool = False
    """The corpus already holds these very bytes under its name (nothing to copy)."""


def prepare(article: str, fb: FactBase, corpus: str | None, into: str | None = None,
            project_file: str | None = None) -> Article:
    """Return the article at `article` ready to register in the fact base `fb` and the corpus folder `corpus`:
    its text read, its entry drafted from it. Raise InputError if it cannot be (no corpus, an unreadable or
    non-UTF-8 article, another file of its name in the corpus, a source already citing that file)."""
    if not corpus:
        raise InputError(Problem(project_file or "briefing.yaml", 0, 0, "the project names no corpus folder, "
                                 "so there is nowhere to keep the article", "add `corpus: sources` (a folder of "
                                 "your choice) to the project file, or pass --corpus DIR"))
    raw = read_text(article, limit=SOURCE_LIMIT, characters=False).replace("\r\n", "\n")
    name = os.path.basename(article)
    target = os.path.join(corpus, name)
    same = False
    if os.path.exists(target):
        with open(target, "rb") as a, open(article, "rb") as b:
            same = a.read() == b.read()
        if not same:
            raise InputError(Problem(target, 0, 0, "the corpus already holds a different file of this name",
                                     f"rename the article (e.g. {slug(name)}.txt) and add it again"))
    for source in fb.sources.values():
        if source.file == name:
            raise InputError(Problem(source.origin, source.line, 0, f"source {source.id!r} is this article "
                                     f"already (file: {name})", "edit that entry instead"))
    text = Text("", name, raw)
    if not text.starts:
        raise InputError(Problem(article, 0, 0, "the article holds no text", "name the article's text file"))
    files = list(fb.files) or [fb.path]
    if into is None:
        last = list(fb.sources.values())[-1] if fb.sources else None
        into = next((f for f in files if last is not None and f == last.origin), files[0])
    else:
        named = [f for f in files if os.path.realpath(f) == os.path.realpath(into)]
        if not named:
            raise InputError(Problem(into, 0, 0, "not a file of the fact base", f"name one of: {', '.join(files)}"))
        into = named[0]
    entry = draft(text, set(fb.sources))
    return Article(article, text, corpus, into, entry, set(fb.sources), same)


def missing(article: Article) -> list[str]:
    """The fields a source entry needs that have no value yet."""
    return [k for k in ("id", "title", "kind") if not article.entry.get(k)]


def register(article: Article, files: list[str]) -> str:
    """Copy the article into the corpus and append its entry to its fact-base file; return that file's new text.

    The new file replaces the old only if the whole fact base (`files`, with the new text in place of the old)
    loads without a problem; otherwise InputError names each problem, and nothing is left behind."""
    from briefing.factbase import load

    def load_with(path: str, replacement: str) -> None:
        load([replacement if f == path else f for f in files], shown=lambda p: path if p == replacement else p)

    with open(article.fact_file, encoding="utf-8") as f:
        old = f.read()
    new = insert_source(old, article.entry, article.fact_file)
    target = os.path.join(article.corpus, article.text.file)
    created = False
    if not article.copied:
        os.makedirs(article.corpus, exist_ok=True)
        with open(article.path, "rb") as f:
            data = f.read()
        _write_bytes(target, data)
        created = True
    try:
        write_atomically(article.fact_file, new, lambda tmp: load_with(article.fact_file, tmp))
    except BaseException:
        if created:
            os.unlink(target)
        raise
    return new


def _write_bytes(path: str, data: bytes) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def numbered(text: Text) -> list[str]:
    """The article's paragraphs, each with its number as `check` counts it (`at: para. N`)."""
    width = len(str(len(text.starts)))
    return [f"{n:>{width}}  {p}" for n, p in enumerate(text.paragraphs, 1)]


# --- the commands (cli.py parses their arguments; these print) ------------------------------------------------

_ASKED = ("id", "title", "author", "outlet", "published", "url", "kind")
"""What `source add` asks for on a terminal, in this order."""


def _corpus_of(args, where) -> str:
    from briefing.errors import UsageError

    corpus = getattr(args, "corpus", None) or where.corpus
    if not corpus:
        raise UsageError("the project names no corpus folder; add `corpus: DIR` to the project file, or pass "
                         "--corpus DIR")
    if not os.path.isdir(corpus):
        raise InputError(Problem(corpus, 0, 0, "corpus folder not found",
                                 "name the folder of the source texts with --corpus, or under `corpus:` in the "
                                 "project file"))
    return corpus


def _source_named(fb: FactBase, name: str | None) -> None:
    from briefing.errors import UsageError, did_you_mean

    if name is not None and name not in fb.sources:
        raise UsageError(f"unknown source {name!r}{did_you_mean(name, fb.sources)}; known sources: "
                         f"{', '.join(fb.sources)}")


def command_quote(args, where) -> int:
    """`briefing quote WORDS...`: print each passage the words match, as a citation ready to paste."""
    import sys

    from briefing.project import load_facts

    fb = load_facts(where)
    _source_named(fb, args.source)
    texts = read_corpus(fb, _corpus_of(args, where), args.source)
    words = " ".join(args.words)
    matches = find_quote(texts, words)
    if not matches:
        near = closest(texts, words)
        print(f"briefing quote: no passage of {len(texts)} source{'s' if len(texts) != 1 else ''} matches "
              f"{words!r}" + (f"\n    closest, in {near[0]}: {near[1]!r}" if near else ""), file=sys.stderr)
        return 1
    for m in matches:
        note = long_quote_note(m)
        print(f"# {m.source} ({m.file}), {m.at}" + (f"  {note}" if note else ""))
        print(m.citation())
    if len(matches) > 1:
        print(f"briefing quote: {len(matches)} passages match; --source ID narrows the search", file=sys.stderr)
    return 0


def command_coverage(args, where) -> int:
    """`briefing coverage`: per source, the share of paragraphs cited and the first words of the others."""
    from briefing.project import load_facts

    fb = load_facts(where)
    _source_named(fb, args.source)
    found = coverage(fb, read_corpus(fb, _corpus_of(args, where), args.source))
    for cov in found:
        print(f"{cov.source} ({cov.file}): {len(cov.cited)} of {cov.paragraphs} paragraphs cited ({cov.share:.0%})")
        for n, words in cov.uncited:
            print(f"  para. {n:<4} {words}")
        if cov.unplaced:
            print(f"  quotes not in the text, with no locator (check --corpus reports them): {', '.join(cov.unplaced)}")
    cited = sum(len(c.cited) for c in found)
    total = sum(c.paragraphs for c in found)
    print(f"{cited} of {total} paragraphs of {len(found)} sources cited ({cited / total if total else 1:.0%}); "
          "a paragraph is cited when a quote is found in it")
    return 0


def _checked(key: str, value: str | None, taken: set[str]):
    """The value of a field as given on the command line or typed; raise ValueError saying what is wrong."""
    if value is None:
        return None
    value = " ".join(value.split())
    if value in ("", "-", "null", "none"):
        if key in ("id", "title", "kind"):
            raise ValueError(f"{key} is required")
        return None
    if key == "id":
        if not re.fullmatch(SLUG, value):
            raise ValueError(f"{value!r} is not an id of lower-case letters, digits and dashes")
        if value in taken:
            raise ValueError(f"the fact base has a source {value!r} already")
    if key == "kind" and value not in SOURCE_KINDS:
        raise ValueError(f"kind must be one of: {', '.join(SOURCE_KINDS)}")
    if key == "published":
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a date: write YYYY-MM-DD") from None
    if key == "url" and not re.fullmatch(r"https?://\S+", value):
        raise ValueError(f"{value!r} is not a web address (http:// or https://)")
    return value


def command_source_add(args, where) -> int:
    """`briefing source add FILE`: copy the article into the corpus, append its source entry, print it numbered."""
    import sys

    from briefing.errors import UsageError
    from briefing.project import load_facts

    fb = load_facts(where)
    article = prepare(args.file, fb, args.corpus or where.corpus, args.into, where.project_file)
    given = {"id": args.id, "title": args.title, "author": args.author, "author_note": args.author_note,
             "outlet": args.outlet, "published": args.published, "url": args.url, "kind": args.kind,
             "standpoint": args.standpoint, "short_name": args.short_name}
    for key, value in given.items():
        if value is not None:
            try:
                article.entry[key] = _checked(key, value, article.taken)
            except ValueError as e:
                raise UsageError(f"--{key.replace('_', '-')}: {e}") from None
    if sys.stdin.isatty() and not args.yes:
        print(f"Registering {args.file}: Enter keeps [the proposal], '-' leaves a field empty.", file=sys.stderr)
        for key in _ASKED:
            if given.get(key) is not None:
                continue
            while True:
                shown = article.entry.get(key)
                hint = f" ({', '.join(SOURCE_KINDS)})" if key == "kind" else ""
                try:
                    answer = input(f"{key}{hint} [{'' if shown is None else shown}]: ")
                except EOFError:
                    raise UsageError("stopped before the entry was complete; nothing was written") from None
                try:
                    article.entry[key] = shown if not answer.strip() else _checked(key, answer, article.taken)
                except ValueError as e:
                    print(f"  {e}", file=sys.stderr)
                    continue
                if key in ("id", "title", "kind") and not article.entry.get(key):
                    print(f"  {key} is required", file=sys.stderr)
                    continue
                break
    lacking = missing(article)
    if lacking:
        flags = " ".join(f"--{k} {'|'.join(SOURCE_KINDS) if k == 'kind' else k.upper()}" for k in lacking)
        raise UsageError(f"the text does not say its {', '.join(lacking)}; pass {flags} (or run it in a terminal "
                         "to be asked)")
    register(article, list(where.fact_files))
    for line in numbered(article.text):
        print(line)
    copied = "" if article.copied else f"; {article.text.file} copied into {article.corpus}"
    print(f"briefing: source {article.entry['id']!r} added to {article.fact_file}{copied}. Paragraphs are numbered "
          "as `at: para. N` counts them; `briefing quote WORDS` finds a passage's exact words", file=sys.stderr)
    return 0
