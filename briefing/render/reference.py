"""Reading a reference .docx safely: a bounded zip of well-formed XML without DTDs, or an InputError."""

from __future__ import annotations

import io
import os
import stat
import zipfile
import zlib

from briefing.errors import InputError, Problem

MAX_FILE = 64 * 2**20
"""Largest reference file read, in bytes."""
MAX_MEMBERS = 1000
"""Most members a reference's zip may hold; Word's own documents hold a few dozen."""
MAX_UNPACKED = 256 * 2**20
"""Most bytes all members may unpack to (images included)."""
MAX_XML = 32 * 2**20
"""Most bytes one XML member may unpack to."""

_HINT = "use a .docx saved by Word, LibreOffice or pandoc (e.g. pandoc -o ref.docx --print-default-data-file " \
        "reference.docx)"


def _problem(path: str, message: str, hint: str = _HINT) -> InputError:
    return InputError(Problem(path, 0, 0, message, hint))


def _parser():
    from lxml import etree

    # No DTD loading, no entity expansion, no network, no huge trees: a reference cannot reach outside itself.
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                           dtd_validation=False)


def check_xml(path: str, name: str, data: bytes) -> None:
    """Raise InputError unless `data` is well-formed XML with no DOCTYPE and no entity references."""
    from lxml import etree

    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as e:
        raise _problem(path, f"{name} is not well-formed XML: {e.msg}") from None
    for entity in root.iter(etree.Entity):
        raise _problem(path, f"{name} line {entity.sourceline}: undefined entity {entity.text}",
                       "replace the entity with the character it stands for, and remove the DOCTYPE")
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise _problem(path, f"{name} declares a DOCTYPE; Word documents never do",
                       "remove the DOCTYPE and any entities from it, or save the file again from Word or "
                       "LibreOffice")


_DOCUMENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def _check_main_part(path: str, content_types: bytes) -> None:
    """Raise InputError unless word/document.xml is declared a Word document (not a template, macros, a sheet)."""
    from lxml import etree

    root = etree.fromstring(content_types, _parser())
    ns = {"ct": "http://schemas.openxmlformats.org/package/2006/content-types"}
    declared = root.xpath('ct:Override[@PartName="/word/document.xml"]/@ContentType', namespaces=ns)
    if declared and declared[0] != _DOCUMENT:
        raise _problem(path, f"not a Word document: its main part is of type {declared[0]!r}",
                       "open it in Word or LibreOffice and save it as a Word document (.docx)")


def read_reference(path: str) -> bytes:
    """Return the bytes of the reference .docx at `path`; raise InputError if it is not a usable Word file.

    Checked before python-docx reads it: a regular file of bounded size, a zip of at most MAX_MEMBERS members
    whose declared sizes stay within the limits (so a small zip cannot unpack to gigabytes), with
    [Content_Types].xml, word/document.xml and word/styles.xml, and every XML member well-formed, without a
    DOCTYPE or entities."""
    try:
        info = os.stat(path)
    except OSError as e:
        raise _problem(path, f"reference .docx cannot be read: {e.strerror}",
                       "check the path given to --reference-docx or reference_docx in style.yaml") from None
    if not stat.S_ISREG(info.st_mode):
        raise _problem(path, "reference .docx is not a regular file")
    if info.st_size == 0:
        raise _problem(path, "reference .docx is empty, not a Word document")
    if info.st_size > MAX_FILE:
        raise _problem(path, f"reference .docx is {info.st_size // 2**20} MiB; at most {MAX_FILE // 2**20} MiB "
                       "is read", "use a reference document without large images")
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE + 1)
    except OSError as e:
        raise _problem(path, f"reference .docx cannot be read: {e.strerror}") from None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            members = z.infolist()
            if len(members) > MAX_MEMBERS:
                raise _problem(path, f"reference .docx holds {len(members)} files; a Word document holds a few "
                               f"dozen and at most {MAX_MEMBERS} are read")
            unpacked = sum(m.file_size for m in members)
            if unpacked > MAX_UNPACKED:
                biggest = max(members, key=lambda m: m.file_size)
                raise _problem(path, f"reference .docx unpacks to {unpacked // 2**20} MiB ({biggest.filename} "
                               f"alone {biggest.file_size // 2**20} MiB); at most {MAX_UNPACKED // 2**20} MiB is read")
            names = {m.filename for m in members}
            for needed in ("[Content_Types].xml", "word/document.xml", "word/styles.xml"):
                if needed not in names:
                    raise _problem(path, f"not a Word document: it has no {needed}")
            for m in members:
                if not m.filename.endswith((".xml", ".rels")):
                    continue
                if m.file_size > MAX_XML:
                    raise _problem(path, f"{m.filename} unpacks to {m.file_size // 2**20} MiB; at most "
                                   f"{MAX_XML // 2**20} MiB is read")
                check_xml(path, m.filename, z.read(m))
            _check_main_part(path, z.read("[Content_Types].xml"))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError, RuntimeError,
            zlib.error, OSError) as e:  # damaged, encrypted, or compressed in a way zipfile cannot read
        raise _problem(path, f"not a Word document (not a readable zip file: {e})") from None
    return data


def open_reference(path: str, data: bytes | None = None):
    """Return the reference at `path` (or its bytes `data`, already read) opened by python-docx; raise
    InputError if it is not a usable Word file."""
    import docx

    if data is None:
        data = read_reference(path)
    from docx.exceptions import InvalidXmlError, PythonDocxError
    from docx.opc.exceptions import OpcError
    from lxml.etree import LxmlError

    try:
        document = docx.Document(io.BytesIO(data))
    except (KeyError, ValueError, zipfile.BadZipFile, LxmlError, OpcError, InvalidXmlError, PythonDocxError) as e:
        # what python-docx raises on a package it cannot read: the reference's fault, not a bug
        raise _problem(path, f"not a Word document python-docx can open ({type(e).__name__}: {e})") from None
    if document.element.body is None:
        raise _problem(path, "not a Word document: word/document.xml has no <w:body>")
    return document
