"""Page-foot notes for reportlab: a frame whose bottom rises as notes are placed, and a flowable wrapper
that keeps each mark's line on the same page as its note.

How it works. Every body flowable that holds note marks is wrapped in `Noted`. When the frame asks it
to fit, it fits only if its own height plus the height of its new notes fits; otherwise it splits so
that the lines whose notes fit stay on this page and the rest (mark and all) moves on. Placing it
raises the frame's bottom by the notes' height, so later text flows above the notes. When a note is too
long for what is left even with its mark's line first on the page, the note itself is split and its
remainder continues at the foot of the next page under a full-width continuation rule.
"""

from __future__ import annotations

import contextlib
import copy
import io
import itertools

from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus.flowables import Flowable
from reportlab.platypus.frames import Frame

from briefing.render.pdf_bidi import visual_order
from briefing.render.pdf_tags import TaggedParagraph, TaggingCanvas, artifact

RULE_GAP_ABOVE = 6.0
RULE_GAP_BELOW = 3.0
NOTE_GAP = 0.0
SHORT_RULE = 0.33  # the separator spans a third of the measure, the continuation rule all of it
MIN_NOTE_PART_LINES = 2


class MeasuredParagraph(TaggedParagraph):
    """reportlab's Paragraph (tagged when drawn for a tagged PDF), its lines broken once per width: layout asks a
    paragraph its height many times (each keep-with-next group, each try at a page foot), and the answer depends
    on the width alone."""

    fonts_used: set[str] | None = None
    """While `collecting_fonts`, the fonts named by the paragraphs made, for the writer to load those faces."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if MeasuredParagraph.fonts_used is not None:
            MeasuredParagraph.fonts_used.update(getattr(f, "fontName", "") for f in self.frags)
            MeasuredParagraph.fonts_used.add(self.style.fontName)

    @staticmethod
    @contextlib.contextmanager
    def collecting_fonts():
        """Yield a set that fills with the names of the fonts of the paragraphs made meanwhile."""
        MeasuredParagraph.fonts_used = used = set()
        try:
            yield used
        finally:
            MeasuredParagraph.fonts_used = None

    _unsplit = None
    """The lines broken at the measured width, while no split has handed them to parts: reportlab's split drops
    `blPara` when the paragraph does not fit (to break the lines again), and only a split that makes parts
    changes them (it moves their words into the parts)."""

    def wrap(self, availWidth, availHeight):
        if getattr(self, "_measured", None) == availWidth:
            if "blPara" not in self.__dict__ and self._unsplit is not None:
                self.blPara = self._unsplit  # dropped by a split that found no room: the same lines again
            if "blPara" in self.__dict__:
                self.width, self.height = availWidth, self._measured_height
                return self.width, self.height
        self._measured, before = None, self.__dict__.get("blPara")
        w, h = super().wrap(availWidth, availHeight)
        broken = self.__dict__.get("blPara")
        self._measured, self._measured_height = availWidth, h
        self._unsplit = broken if broken is not before else None  # none broken: too narrow to hold a line
        return w, h

    keep_lines = 0
    """A paragraph of at most this many lines is not split (0: any may be, leaving two lines on each side)."""

    def split(self, availWidth, availHeight):
        if self.keep_lines:
            self.wrap(availWidth, availHeight)
            if len(self.blPara.lines) <= self.keep_lines:
                return []  # moves on whole (a short list item)
        parts = super().split(availWidth, availHeight)
        if len(parts) > 1:
            self._unsplit = None
        return parts

    def drawOn(self, canvas, x, y, _sW=0):
        if getattr(canvas, "lays_out_only", False):
            return None  # laid out only to learn where the pages break: nothing is drawn
        return super().drawOn(canvas, x, y, _sW)

    def drawPara(self, debug=0):
        with visual_order(self):  # right-to-left text put in order line by line (pdf_bidi.py)
            super().drawPara(debug)


def note_mark(number: int) -> str:
    """Paragraph markup for note `number`'s mark: a superscript number linked to the note.

    The mark is bracketed by reportlab's <onDraw> callbacks (named callbacks of the canvas, `setNamedCB`), so
    whoever draws it learns which notes it drew (`marks_in`) and where (the PDF canvas)."""
    return (f'<onDraw name="note_mark" label="{number}"/><a href="#fn-{number}"><super>{number}</super></a>'
            f'<onDraw name="note_mark_end" label="{number}"/>')


class _MarkRecorder(TaggingCanvas):
    """A canvas that is never saved: drawing a flowable on it tells which note marks the flowable holds."""

    def __init__(self):
        super().__init__(io.BytesIO(), invariant=1)
        self.seen: list[int] = []
        self.setNamedCB("note_mark", self.note_mark)
        self.setNamedCB("note_mark_end", self.note_mark_end)

    def note_mark(self, canv, kind: str, label: str) -> None:
        number = int(label)
        if number not in self.seen:
            self.seen.append(number)

    def note_mark_end(self, canv, kind: str, label: str) -> None:
        pass

    def beginText(self, x=0, y=0, direction=None):
        return _Unwritten(self, x, y, direction=direction)


class _Unwritten(PDFTextObject):
    """A text object that writes no text: the marks are learnt from the <onDraw> callbacks a paragraph makes
    between its runs of text, and encoding those runs for a file never written was most of what drawing cost.
    reportlab's paragraphs show each run with `_textOut`, as _SpacedText (pdf_tags.py) relies on too."""

    def _textOut(self, text, TStar=0):
        pass


def marks_in(flowable: Flowable, width: float) -> list[int]:
    """Return the numbers of the note marks `flowable` draws, in drawing order (a part of a split paragraph or
    table holds some of the whole's marks; which, only drawing it tells)."""
    canv = _MarkRecorder()
    flowable.wrap(width, 1e9)
    flowable.drawOn(canv, 0, 0)
    return canv.seen


class NoteBody(Flowable):
    """A note of several blocks (paragraphs, a list, a table), set one under another; splits between lines."""

    def __init__(self, parts: list[Flowable]):
        super().__init__()
        self.parts = parts
        self.style = getattr(parts[0], "style", None)
        """The first part's paragraph style: its leading is the note's line height."""

    def _gaps(self) -> list[float]:
        gaps = [0.0]
        for before, part in zip(self.parts, self.parts[1:]):
            gaps.append(max(before.getSpaceAfter(), part.getSpaceBefore()))
        return gaps

    def wrap(self, aW, aH):
        self.width = aW
        self._heights = [p.wrap(aW, aH)[1] for p in self.parts]
        self.height = sum(self._gaps()) + sum(self._heights)
        return aW, self.height

    def split(self, aW, aH):
        used = 0.0
        for i, (gap, part) in enumerate(zip(self._gaps(), self.parts)):
            height = part.wrap(aW, aH)[1]
            if used + gap + height > aH:
                room = aH - used - gap
                pieces = part.split(aW, room) if room > 0 else []
                if len(pieces) >= 2:
                    return [NoteBody(self.parts[:i] + pieces[:1]), NoteBody(pieces[1:] + self.parts[i + 1:])]
                if i:
                    return [NoteBody(self.parts[:i]), NoteBody(self.parts[i:])]
                return []
            used += gap + height
        return [self]

    def drawOn(self, canv, x, y, _sW=0):
        top = y + self.height
        for gap, part, height in zip(self._gaps(), self.parts, self._heights):
            top -= gap + height
            part.drawOn(canv, x, top)


class NoteFrame(Frame):
    """A frame that keeps the notes placed on the current page and gives up height for them."""

    def __init__(self, *args, notes: dict[int, Flowable], **kwargs):
        self.note_flowables = notes
        """Each note's flowable, by number."""
        self.placed: list[tuple[Flowable, float]] = []
        """(note flowable, height) in the order placed on this page."""
        self.placed_numbers: set[int] = set()
        """Numbers of the notes whose start is on this page."""
        self.carry: list[Flowable] = []
        """Remainders of split notes, to continue at the foot of the next page."""
        self.continued = False
        """The notes area of this page begins with a continued note."""
        self.page_of_note: dict[int, int] = {}
        """Page number where each note starts; tests and the writer read it."""
        self.heights: dict[tuple[int, float], float] = {}
        """(note number, width) -> the whole note's height: each note is measured once per width."""
        super().__init__(*args, **kwargs)

    _SHARED = ("note_flowables", "placed", "placed_numbers", "carry", "page_of_note", "heights")
    """Attributes a copy shares with its original: the notes, which only the original ever changes."""

    def __deepcopy__(self, memo):
        """Return a copy that shares the notes: reportlab copies the frame to measure keep-with-next groups,
        and copying every note placed so far made layout time grow with the square of the notes."""
        new = self.__class__.__new__(self.__class__)
        memo[id(self)] = new
        for key, value in self.__dict__.items():
            new.__dict__[key] = value if key in self._SHARED else copy.deepcopy(value, memo)
        return new

    def _reset(self):
        super()._reset()
        self._y1p = self.y1 + self.bottomPadding  # the geometry by its public names (Frame.__getattr__)
        self.placed, self.placed_numbers, self.continued = [], set(), False
        carry, self.carry = self.carry, []
        if carry:
            self.continued = True
            budget = self._aH * 0.6
            for f in carry:
                w, h = f.wrap(self._aW, budget)
                if h <= budget - self.reserved():
                    self._place(f, h)
                    continue
                parts = _split_note_text(f, self._aW, budget - self.reserved() - NOTE_GAP)
                if parts:
                    self._place(parts[0], parts[0].wrap(self._aW, budget)[1])
                    self.carry.extend(parts[1:])
                else:
                    self.carry.append(f)

    def reserved(self) -> float:
        """Height the notes area takes at the foot of this page, rule included."""
        if not self.placed:
            return 0.0
        return RULE_GAP_ABOVE + RULE_GAP_BELOW + sum(h + NOTE_GAP for _, h in self.placed)

    def cost(self, numbers: list[int], width: float) -> float:
        """Extra height that placing notes `numbers` on this page would take."""
        new = [n for n in numbers if n not in self.placed_numbers and n in self.note_flowables]
        if not new:
            return 0.0
        h = sum(self.height(n, width) + NOTE_GAP for n in new)
        return h + (0.0 if self.placed else RULE_GAP_ABOVE + RULE_GAP_BELOW)

    def height(self, number: int, width: float) -> float:
        """Return the height of note `number`, whole, at `width`."""
        key = (number, width)
        if key not in self.heights:
            self.heights[key] = self.note_flowables[number].wrap(width, 1e6)[1]
        return self.heights[key]

    def _place(self, flowable: Flowable, height: float) -> None:
        before = self.reserved()
        self.placed.append((flowable, height))
        self._y1p += self.reserved() - before

    def place_notes(self, numbers: list[int], page: int,
                    split_last: tuple[Flowable, list[Flowable]] | None = None) -> None:
        """Put notes `numbers` at the foot of this page; the last may be given as (first part, rest)."""
        for n in numbers:
            if n in self.placed_numbers or n not in self.note_flowables:
                continue
            self.placed_numbers.add(n)
            self.page_of_note[n] = page
            if split_last is not None and n == numbers[-1]:
                first, rest = split_last
                self._place(first, first.wrap(self._aW, 1e6)[1])
                self.carry.extend(rest)
            else:
                f = self.note_flowables[n]
                f.wrap(self._aW, 1e6)  # lines broken at this width for drawing
                self._place(f, self.height(n, self._aW))

    def draw_notes(self, canv) -> None:
        """Draw this page's notes at the foot of the frame, under their rule."""
        if not self.placed:
            return
        x = self.x1 + self.leftPadding
        y = self.y1 + self.bottomPadding + self.reserved() - RULE_GAP_ABOVE
        with artifact(canv, "<</Type /Layout>>"):
            canv.saveState()
            canv.setLineWidth(0.5)
            canv.line(x, y, x + self._aW * (1.0 if self.continued else SHORT_RULE), y)
            canv.restoreState()
        y -= RULE_GAP_BELOW
        for f, h in self.placed:
            y -= h
            f.drawOn(canv, x, y)
            y -= NOTE_GAP


def _split_note_text(note: Flowable, width: float, height: float) -> list[Flowable]:
    """Split a note so that its first part fills `height`; [] when not even two lines fit."""
    leading = getattr(getattr(note, "style", None), "leading", 10)
    if height < MIN_NOTE_PART_LINES * leading:
        return []
    note.wrap(width, height)
    parts = note.split(width, height)
    return parts if len(parts) > 1 else []


class Noted(Flowable):
    """A body flowable with note marks: fits only together with its notes, splits to keep them together."""

    def __init__(self, inner: Flowable, frame_ref: "FrameRef", numbers: list[int]):
        super().__init__()
        self.inner = inner
        self.frame_ref = frame_ref
        self.numbers = numbers
        """The notes whose marks `inner` holds, in order."""

    def getSpaceBefore(self):
        return self.inner.getSpaceBefore()

    def getSpaceAfter(self):
        return self.inner.getSpaceAfter()

    def getKeepWithNext(self):
        return self.inner.getKeepWithNext()

    def wrap(self, aW, aH):
        w, h = self.inner.wrap(aW, aH)
        self.width, self.height = w, h
        frame = self.frame_ref.frame
        cost = self._note_cost(frame) if frame else 0.0
        # Too tall with its notes: say so, and the frame will ask us to split.
        return (w, h) if h + cost <= aH + 1e-6 else (w, h + cost)

    def _note_cost(self, frame: NoteFrame) -> float:
        split_last = getattr(self, "_split_last", None)
        if split_last is None:
            return frame.cost(self.numbers, frame._aW)
        numbers = [n for n in self.numbers if n not in frame.placed_numbers]
        overhead = 0.0 if (frame.placed or numbers[:-1]) else RULE_GAP_ABOVE + RULE_GAP_BELOW
        return frame.cost(numbers[:-1], frame._aW) + overhead + split_last[0].wrap(frame._aW, 1e6)[1] + NOTE_GAP

    def drawOn(self, canv, x, y, _sW=0):
        self.frame_ref.frame.place_notes(self.numbers, canv.getPageNumber(), getattr(self, "_split_last", None))
        self.inner.drawOn(canv, x, y, _sW)

    def split(self, aW, aH):
        frame = self.frame_ref.frame
        parts = self._split_keeping_notes(aW, aH, frame)
        if parts:
            return parts
        if frame._atTop or self._mark_fits_with_part_note(aW, aH, frame):
            return self._split_note(aW, aH, frame)
        return []

    def _heights(self, aH) -> list[float]:
        """The heights a split is tried at: `aH`, then a line less each time, tallest first."""
        step = getattr(getattr(self.inner, "style", None), "leading", None) or 6.0
        return [aH - i * step for i in range(int(aH // step) + 1) if aH - i * step > 0]

    def _split_at(self, aW, aH, height):
        """(first part, the rest, first part's height) of the inner flowable split at `height`, or None."""
        parts = self.inner.split(aW, height)
        if len(parts) < 2:
            return None
        return parts[0], parts[1:], parts[0].wrap(aW, aH)[1]

    def _candidates(self, aW, aH):
        """Yield (first, rest, height of first) splits of the inner flowable, shortest first part first."""
        tried: set[float] = set()
        for height in reversed(self._heights(aH)):
            candidate = self._split_at(aW, aH, height)
            if candidate and round(candidate[2], 2) not in tried:
                tried.add(round(candidate[2], 2))
                yield candidate

    def _split_keeping_notes(self, aW, aH, frame):
        """The tallest first part that fits together with the notes of its marks, or [].

        A shorter first part holds fewer marks, so whether one fits changes once as the part grows: the
        tallest that fits is found by bisection, in a few splits even for a paragraph many pages long."""
        heights = self._heights(aH)
        found: dict[int, tuple | None] = {}

        def fits(i: int) -> bool:  # True also when the part at heights[i] is too short to split at all
            candidate = found[i] = self._split_at(aW, aH, heights[i])
            if candidate is None:
                return heights[i] < self.inner.wrap(aW, aH)[1]
            first, _, first_h = candidate
            return first_h + frame.cost(marks_in(first, aW), frame._aW) <= aH + 1e-6

        lo, hi = 0, len(heights) - 1
        if hi < 0 or not fits(hi):
            return []
        while lo < hi:
            mid = (lo + hi) // 2
            if fits(mid):
                hi = mid
            else:
                lo = mid + 1
        candidate = found[hi]  # hi is always a tried index
        if candidate is None:
            return []
        first, rest, _ = candidate
        return self._parts(first, marks_in(first, aW), rest, aW)

    def _mark_fits_with_part_note(self, aW, aH, frame) -> bool:
        """Splitting the note mid-page is worth it only if a few of its lines fit under the text."""
        return bool(self._split_note(aW, aH, frame, dry=True))

    def _split_note(self, aW, aH, frame, dry: bool = False):
        """The smallest first part whose notes, the last one split, fit: the note continues overleaf."""
        whole = self.inner.wrap(aW, aH)[1]
        candidates = itertools.chain(self._candidates(aW, aH), [(self.inner, [], whole)] if whole <= aH else [])
        for first, rest, first_h in candidates:
            held = self.numbers if not rest else marks_in(first, aW)
            numbers = [n for n in held if n not in frame.placed_numbers]
            if not numbers:
                continue
            earlier = frame.cost(numbers[:-1], frame._aW)
            overhead = 0.0 if (frame.placed or numbers[:-1]) else RULE_GAP_ABOVE + RULE_GAP_BELOW
            room = aH - first_h - earlier - overhead - NOTE_GAP
            note = frame.note_flowables[numbers[-1]]
            if room < MIN_NOTE_PART_LINES * getattr(getattr(note, "style", None), "leading", 10):
                break  # a taller first part leaves less room still
            pieces = _split_note_text(note, frame._aW, room)
            if not pieces:
                continue
            if dry:
                return True
            parts = self._parts(first, held, rest, aW)
            parts[0]._split_last = (pieces[0], pieces[1:])
            return parts
        return False if dry else []

    def _parts(self, first: Flowable, first_numbers: list[int], rest: list[Flowable], aW) -> list[Flowable]:
        """The split parts, each holding marks wrapped with the numbers of its own marks."""
        left = [n for n in self.numbers if n not in first_numbers]
        out = [Noted(first, self.frame_ref, first_numbers)]
        for i, part in enumerate(rest):
            numbers = left if i == len(rest) - 1 else marks_in(part, aW)
            left = [n for n in left if n not in numbers]
            out.append(Noted(part, self.frame_ref, numbers) if numbers else part)
        return out


class FrameRef:
    """Lets flowables find the frame they are being laid out in."""

    frame: NoteFrame | None = None
