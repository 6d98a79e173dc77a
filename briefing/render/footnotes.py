"""The DOCX footnotes part for python-docx, built as python-docx 1.2 builds comments: oxml, part, proxy.

Importing this module registers the element classes and the part class, so that a document opened
afterwards (a reference .docx, a previously built brief) loads its word/footnotes.xml as a
`FootnotesPart` that the renderer can clear and write to.
"""

from __future__ import annotations

from typing import Callable, Iterator

from docx.blkcntnr import BlockItemContainer
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import PartFactory
from docx.oxml import parse_xml, register_element_cls
from docx.oxml.ns import nsdecls
from docx.oxml.simpletypes import ST_DecimalNumber, ST_String
from docx.oxml.xmlchemy import BaseOxmlElement, OptionalAttribute, RequiredAttribute, ZeroOrMore
from docx.parts.story import StoryPart

from briefing.render.ooxml import relationship_ids

# -- oxml: the raw elements ------------------------------------------------------------------------

# The separator notes Word expects before any real note; ids -1 and 0 are reserved for them.
_SEPARATORS = (
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
)


class CT_Footnotes(BaseOxmlElement):
    """`w:footnotes`, the root of the footnotes part: the separator notes, then one `w:footnote` per note."""

    footnote = ZeroOrMore("w:footnote", successors=())
    footnote_lst: list["CT_Footnote"]
    add_footnote: Callable[[], "CT_Footnote"]
    """Append an empty `w:footnote` and return it (made by python-docx's ZeroOrMore)."""

    def add_note(self, note_id: int) -> "CT_Footnote":
        """Append an empty note with id `note_id` and return it."""
        note = self.add_footnote()
        note.id = note_id
        return note

    def reset(self) -> None:
        """Remove every note, separators included, and add Word's two separators with ids -1 and 0.

        (LibreOffice numbers its separators 0 and 1; kept, its 1 would clash with note 1.)"""
        for note in self.footnote_lst:
            self.remove(note)
        for note in parse_xml(f'<w:footnotes {nsdecls("w")}>{_SEPARATORS}</w:footnotes>'):
            self.append(note)

    @property
    def notes(self) -> list["CT_Footnote"]:
        """The real notes, without the separators."""
        return [n for n in self.footnote_lst if n.type is None]


class CT_Footnote(BaseOxmlElement):
    """`w:footnote`: one note, a story of paragraphs and tables like a table cell."""

    id: int = RequiredAttribute("w:id", ST_DecimalNumber)  # pyright: ignore[reportAssignmentType]
    type: str | None = OptionalAttribute("w:type", ST_String)  # pyright: ignore[reportAssignmentType]
    p = ZeroOrMore("w:p", successors=())
    tbl = ZeroOrMore("w:tbl", successors=())


register_element_cls("w:footnotes", CT_Footnotes)
register_element_cls("w:footnote", CT_Footnote)


# -- the part -----------------------------------------------------------------------------------------


class FootnotesPart(StoryPart):
    """The word/footnotes.xml part: holds the notes; has its own relationships for links in notes."""

    @property
    def footnotes(self) -> "Footnotes":
        """A `Footnotes` proxy over this part's notes."""
        return Footnotes(self.element, self)

    @classmethod
    def default(cls, package) -> "FootnotesPart":
        """A new part holding only the two separator notes."""
        element = parse_xml(f'<w:footnotes {nsdecls("w", "r")}>{_SEPARATORS}</w:footnotes>')
        return cls(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, element, package)

    def drop_unused_rels(self) -> None:
        """Forget relationships (links, images) that no note refers to any more."""
        used = relationship_ids(self.element)
        for r_id in [r_id for r_id in self.rels if r_id not in used]:
            del self.rels[r_id]


PartFactory.part_type_for[CT.WML_FOOTNOTES] = FootnotesPart


# -- the proxies ------------------------------------------------------------------------------------


class Footnotes:
    """The document's footnotes, in order, without the separators."""

    def __init__(self, element: CT_Footnotes, part: FootnotesPart):
        self._element = element
        self._part = part

    def __iter__(self) -> Iterator["Footnote"]:
        return (Footnote(n, self._part) for n in self._element.notes)

    def __len__(self) -> int:
        return len(self._element.notes)

    def add_footnote(self, note_id: int) -> "Footnote":
        """Add an empty note with id `note_id` (the number its mark shows) and return it."""
        return Footnote(self._element.add_note(note_id), self._part)

    def clear(self) -> None:
        """Remove every note, leaving Word's separator notes."""
        self._element.reset()
        self._part.drop_unused_rels()


class Footnote(BlockItemContainer):
    """One note: paragraphs and tables, like a table cell."""

    def __init__(self, element: CT_Footnote, part: FootnotesPart):
        super().__init__(element, part)  # pyright: ignore[reportArgumentType]
        self._note = element

    @property
    def element(self) -> CT_Footnote:
        """The note's <w:footnote>."""
        return self._note

    @property
    def note_id(self) -> int:
        """The note's id, which its mark in the text refers to."""
        return self._note.id


def footnotes_part(document_part) -> FootnotesPart:
    """Return the document's footnotes part: the one it has, or a new one holding only the separators."""
    try:
        part = document_part.part_related_by(RT.FOOTNOTES)
    except KeyError:
        part = None
    if not isinstance(part, FootnotesPart) or not isinstance(part.element, CT_Footnotes):
        # none, or one with an odd content type or root element: start afresh
        for r_id, rel in list(document_part.rels.items()):
            if rel.reltype == RT.FOOTNOTES:
                del document_part.rels[r_id]
        part = FootnotesPart.default(document_part.package)
        document_part.relate_to(part, RT.FOOTNOTES)
    return part
