"""The distribution ledger: an SQLite file with one row per delivery, and the copy numbers handed out."""

from __future__ import annotations

import datetime as _dt
import os
import sqlite3
from dataclasses import dataclass

from briefing.errors import InputError, Problem

_SCHEMA = """
CREATE TABLE IF NOT EXISTS copies (
    brief     TEXT NOT NULL,
    recipient TEXT NOT NULL,            -- the address, lower case
    copy      INTEGER NOT NULL,         -- handed out once, never changed
    PRIMARY KEY (brief, recipient),
    UNIQUE (brief, copy)
);
CREATE TABLE IF NOT EXISTS deliveries (
    id           INTEGER PRIMARY KEY,
    list         TEXT NOT NULL,
    recipient    TEXT NOT NULL,         -- the address, lower case
    name         TEXT NOT NULL,
    organisation TEXT NOT NULL,
    brief        TEXT NOT NULL,
    audience     TEXT NOT NULL,
    copy         INTEGER NOT NULL,
    revision     INTEGER NOT NULL,      -- 1, then 2 for the first correction, ...
    version      TEXT NOT NULL,         -- SHA-256 of the brief's shared PDF (before the stamp)
    sha256       TEXT NOT NULL,         -- SHA-256 of the personal copy sent
    message_id   TEXT NOT NULL,
    channel      TEXT NOT NULL,         -- outbox, folder or smtp
    destination  TEXT NOT NULL,         -- the outbox or folder path, or the server
    time         TEXT NOT NULL,         -- UTC, ISO 8601
    result       TEXT NOT NULL,         -- sent, refused, too-large
    detail       TEXT NOT NULL DEFAULT '',
    supersedes   INTEGER REFERENCES deliveries(id)
);
CREATE INDEX IF NOT EXISTS deliveries_by_reader ON deliveries (channel, recipient, brief, result);
"""


@dataclass(frozen=True)
class Delivery:
    """One row of the ledger."""

    id: int
    list: str
    recipient: str
    name: str
    organisation: str
    brief: str
    audience: str
    copy: int
    revision: int
    version: str
    sha256: str
    message_id: str
    channel: str
    destination: str
    time: str
    result: str
    detail: str
    supersedes: int | None


_COLUMNS = ", ".join(Delivery.__dataclass_fields__)


class Ledger:
    """Who was sent which copy of which brief. Each delivery is committed as soon as it has happened."""

    def __init__(self, path: str, create: bool = True):
        self.path = path
        if not create and not os.path.exists(path):
            self.db = sqlite3.connect(":memory:")
        else:
            folder = os.path.dirname(path)
            if folder:
                os.makedirs(folder, exist_ok=True)
            try:
                self.db = sqlite3.connect(path, timeout=30)
                # WAL: a commit is one append to the log, so committing every message stays cheap; a crash
                # of the program never loses a committed row.
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.DatabaseError as e:
                raise InputError(Problem(path, 0, 0, f"cannot open the ledger: {e}",
                                         "pass --ledger with the path of a briefing ledger")) from None
        try:
            self.db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as e:
            raise InputError(Problem(path, 0, 0, f"not a briefing ledger: {e}",
                                     "pass --ledger with the path of a briefing ledger")) from None

    def close(self) -> None:
        self.db.close()

    def copy_number(self, brief: str, recipient: str) -> int | None:
        """Return the reader's copy number of the brief, if one was handed out."""
        row = self.db.execute("SELECT copy FROM copies WHERE brief = ? AND recipient = ?",
                              (brief, recipient)).fetchone()
        return row[0] if row else None

    def next_copy(self, brief: str) -> int:
        """Return the number the next new reader of the brief would get."""
        return self.db.execute("SELECT COALESCE(MAX(copy), 0) + 1 FROM copies WHERE brief = ?",
                               (brief,)).fetchone()[0]

    def assign(self, brief: str, recipients: list[str]) -> dict[str, int]:
        """Hand out copy numbers to the readers who have none yet, in order; return every reader's number.

        Not committed here: the caller commits (`with ledger.db:`) once the copies can be made."""
        numbers = {}
        for r in recipients:
            n = self.copy_number(brief, r)
            if n is None:
                n = self.next_copy(brief)
                self.db.execute("INSERT INTO copies VALUES (?, ?, ?)", (brief, r, n))
            numbers[r] = n
        return numbers

    def last_sent(self, channel: str, brief: str, recipient: str) -> Delivery | None:
        """Return the latest delivery of the brief to the reader through the channel that got through."""
        row = self.db.execute(f"SELECT {_COLUMNS} FROM deliveries WHERE channel = ? AND brief = ? AND recipient = ? "
                              "AND result = 'sent' ORDER BY id DESC LIMIT 1", (channel, brief, recipient)).fetchone()
        return Delivery(*row) if row else None

    def record(self, **fields) -> int:
        """Add one delivery and commit it at once; return its id."""
        fields.setdefault("time", _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
        fields.setdefault("detail", "")
        fields.setdefault("supersedes", None)
        names = list(Delivery.__dataclass_fields__)[1:]
        with self.db:
            cur = self.db.execute(f"INSERT INTO deliveries ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                                  [fields[n] for n in names])
        return cur.lastrowid

    def deliveries(self, channel: str | None = None, list_name: str | None = None) -> list[Delivery]:
        """Return every delivery, oldest first, optionally of one channel and list."""
        where, args = [], []
        if channel:
            where.append("channel = ?")
            args.append(channel)
        if list_name:
            where.append("list = ?")
            args.append(list_name)
        sql = f"SELECT {_COLUMNS} FROM deliveries" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id"
        return [Delivery(*row) for row in self.db.execute(sql, args)]
