"""Digests that tell whether two things are the same: one SHA-256 over several parts, used for build keys, the
version of what a brief says, and the distribution ledger's versions."""

from __future__ import annotations

import hashlib


def digest(*parts) -> str:
    """The SHA-256 (hex) of `parts`: bytes as they are, anything else by its repr."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else repr(part).encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()
