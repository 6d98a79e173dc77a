"""Read every input file through one path: regular files only, bounded in size, UTF-8 text; failures as Problems."""

from __future__ import annotations

import codecs
import os
import stat

from briefing.errors import InputError, Problem
from briefing.mdtext import CONTROL

MiB = 1024 * 1024
FACTS_LIMIT = 64 * MiB
"""facts.yaml: a fact base of 100,000 facts is about 40 MiB."""
FILE_LIMIT = 4 * MiB
"""A template, audience, brief or style file."""
SOURCE_LIMIT = 16 * MiB
"""A source text in the corpus."""


def _size(n: int) -> str:
    return f"{n / MiB:g} MiB" if n >= MiB else f"{n:,} bytes"


def read_bytes(path: str, label: str | None = None, limit: int = FILE_LIMIT) -> bytes:
    """Return the contents of the regular file at `path`, at most `limit` bytes; raise InputError otherwise.

    A FIFO, a device (such as a link to /dev/zero), a folder or a dangling link is refused without reading
    it, so that nothing can hang or fill the memory."""
    label = label or path
    try:
        # O_NONBLOCK: opening a FIFO that has no writer returns at once instead of waiting for one.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        if os.path.islink(path):
            raise InputError(Problem(label, 0, 0, f"a symbolic link to a missing file ({os.readlink(path)})",
                                     "point the link at an existing file, or replace it with the file")) from None
        raise InputError(Problem(label, 0, 0, "file not found", "check the name and the folder")) from None
    except IsADirectoryError:
        raise InputError(Problem(label, 0, 0, "a folder where a file should be", "name a file")) from None
    except PermissionError:
        raise InputError(Problem(label, 0, 0, "cannot read the file: permission denied",
                                 "check the file's permissions (chmod a+r)")) from None
    except OSError as e:
        raise InputError(Problem(label, 0, 0, f"cannot read the file: {e.strerror}")) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(Problem(label, 0, 0, "a folder where a file should be", "name a file"))
        if not stat.S_ISREG(info.st_mode):
            kind = "a named pipe (FIFO)" if stat.S_ISFIFO(info.st_mode) else \
                "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else "a socket"
            raise InputError(Problem(label, 0, 0, f"{kind}, not a regular file", "name an ordinary file"))
        if info.st_size > limit:
            raise InputError(Problem(label, 0, 0, f"the file is too large ({_size(info.st_size)}; "
                                     f"at most {_size(limit)} is read)", "split it or shorten it"))
        chunks, total = [], 0
        while True:  # a file that grows while read (or lies about its size) is still bounded
            chunk = os.read(fd, min(limit + 1 - total, 1 * MiB))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise InputError(Problem(label, 0, 0, f"the file is too large (at most {_size(limit)} is read)",
                                         "split it or shorten it"))
        return b"".join(chunks)
    except OSError as e:
        raise InputError(Problem(label, 0, 0, f"cannot read the file: {e.strerror}")) from None
    finally:
        os.close(fd)


def _line_column(text: str, index: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def _kind(c: str) -> str:
    return "control character" if ord(c) < 0x20 or ord(c) == 0x7F else "character"


def decode(data: bytes, label: str, characters: bool = True) -> str:
    """Return `data` as text (UTF-8, an optional BOM dropped); raise InputError at the first bad byte.

    With `characters`, also refuse control characters and non-characters (U+FFFE, U+FFFF), which no
    document can hold, at their line and column."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(Problem(label, 1, 1, "the file is UTF-16 text, not UTF-8",
                                 "save it as UTF-8 in your editor (or: iconv -f UTF-16 -t UTF-8)"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise InputError(Problem(label, line, column, f"the file is not UTF-8 text (byte 0x{data[e.start]:02x})",
                                 "save it as UTF-8 in your editor")) from None
    if characters:
        # Dropping printable ASCII and line breaks takes a pass at memory speed: most text leaves nothing to search.
        bad = CONTROL.search(text) if data.translate(None, bytes(range(0x20, 0x7F)) + b"\t\n\r") else None
        if bad:
            line, column = _line_column(text, bad.start())
            raise InputError(Problem(label, line, column,
                                     f"{_kind(bad.group())} U+{ord(bad.group()):04X} cannot stand in a document",
                                     "remove it; such characters are often pasted in from PDFs or spreadsheets"))
    return text


def read_text(path: str, label: str | None = None, limit: int = FILE_LIMIT, characters: bool = True) -> str:
    """Return the UTF-8 text of the regular file at `path`; raise InputError naming the file otherwise."""
    label = label or path
    return decode(read_bytes(path, label, limit), label, characters)
