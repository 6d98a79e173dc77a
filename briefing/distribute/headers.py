"""What may go into a mail header: one line of plain text (no encoded words, controls or bidi overrides),
and one address per address field; and a check of a finished message's headers against what was meant.

A header value is checked twice: as the desk wrote it (in a list, or as a cover template rendered it), and
again as the email package reads it back after RFC 2047 decoding — an encoded word such as
`=?utf-8?q?X=0D=0ABcc=3A_spy@evil.example?=` is plain text before decoding and a second header after it."""

from __future__ import annotations

import re

# C0 and C1 controls (CR and LF among them), DEL, the Unicode line and paragraph separators, and the
# characters that reorder text (bidi embeddings, overrides, isolates and marks): a header shown with them can
# read as something else than what it says.
UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                    r"\ud800-\udfff\ufffe\uffff]")
BREAKS = re.compile(r"[\r\n\x0b\x0c\x85\u2028\u2029]")
ENCODED_WORD = re.compile(r"=\?[^?\s]*\?[A-Za-z]\?[^\s]*?\?=")
"""An RFC 2047 encoded word (loosely: the email package decodes sloppy ones too)."""


def header_problem(text: str) -> str | None:
    """Return why `text` cannot be a header value (or the words of one), or None when it can."""
    if BREAKS.search(text):
        return "contains a line break"
    bad = UNSAFE.search(text)
    if bad:
        return f"contains the character U+{ord(bad.group()):04X}, which a mail header cannot take"
    word = ENCODED_WORD.search(text)
    if word:
        return (f"contains the encoded word {word.group()!r}, which mail programs decode into other text "
                "(it could hide a line break and a new header)")
    return None


def one_address(value: str, pattern: str) -> tuple[str, str] | str:
    """Return (display name, address) of a From or Reply-To value holding exactly one address that matches
    `pattern`, or why it cannot be one."""
    from email.policy import default

    problem = header_problem(value)
    if problem:
        return problem
    header = default.header_factory("From", value)
    if len(header.addresses) > 1:
        return "holds more than one address; a desk sends from one"
    if header.defects or not header.addresses or not re.fullmatch(pattern, header.addresses[0].addr_spec):
        return "holds no valid e-mail address"
    address = header.addresses[0]
    name_problem = header_problem(address.display_name)
    if name_problem:
        return name_problem
    return address.display_name, address.addr_spec


_MIME = ("MIME-Version", "Content-Type", "Content-Transfer-Encoding")
"""The headers the email package writes itself."""


class HeaderMismatch(Exception):
    """A finished message's headers are not the ones meant: a value changed meaning on the way."""


def verify(data: bytes, expected: list[tuple[str, str]]) -> None:
    """Read back the header block of `data` as a mail program would (RFC 2047 decoded) and raise HeaderMismatch
    unless it holds exactly the `expected` (name, value) pairs, in order, besides the MIME headers."""
    from email.parser import BytesHeaderParser
    from email.policy import default

    head = data.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
    msg = BytesHeaderParser(policy=default).parsebytes(head)
    def unfolded(value) -> str:  # a long header is folded, and reads back with the fold's white space
        return " ".join(str(value).split())

    got = [(name, unfolded(value)) for name, value in msg.items() if name not in _MIME]
    if got != [(name, unfolded(value)) for name, value in expected]:
        raise HeaderMismatch(f"the message's headers would read {got!r}, not {expected!r}")
    for name, value in msg.items():
        if UNSAFE.search(str(value)):
            raise HeaderMismatch(f"the {name} header would hold a control character: {str(value)!r}")
