"""The distribution ledger: an SQLite file holding the copy numbers handed out, every delivery (written as an
intent before the copy goes, resolved once it has gone), the runs, and what each delivered version said.

What it guarantees, and under which faults, is in docs/distribute.md ("What the ledger guarantees"). In short:
one run at a time holds the ledger (`RunLock`); every change is one `BEGIN IMMEDIATE` transaction committed with
`synchronous=FULL` (on the disk when the commit returns, so a power cut loses no copy number or delivery that a
run went on from); a delivery is recorded as `possibly-sent` and committed before the copy is handed to the
outbox, folder or server, and resolved to `sent`, `refused` or `failed` after, so a crash at any moment leaves a
row saying what may have happened; copy numbers come from a counter per brief that never goes down."""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import sqlite3
import zlib
from dataclasses import dataclass

from briefing.errors import EnvironmentFailure, InputError, Problem

APPLICATION_ID = 0x42524946
"""`PRAGMA application_id` of a briefing ledger ("BRIF"): tells it from any other SQLite file."""
SCHEMA_VERSION = 2
"""`PRAGMA user_version`: 2 adds counters, versions, runs and per-destination intents to the first ledger."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS copies (
    brief     TEXT NOT NULL,
    recipient TEXT NOT NULL,            -- the address, lower case
    copy      INTEGER NOT NULL,         -- handed out once, never changed
    PRIMARY KEY (brief, recipient),
    UNIQUE (brief, copy)
);
CREATE TABLE IF NOT EXISTS counters (
    brief TEXT PRIMARY KEY,
    last  INTEGER NOT NULL              -- the highest copy number ever handed out: never goes down, never reused
);
CREATE TABLE IF NOT EXISTS versions (
    version   TEXT PRIMARY KEY,         -- digest of what the brief says for the audience (Composed.digest)
    brief     TEXT NOT NULL,
    audience  TEXT NOT NULL,
    as_of     TEXT NOT NULL,            -- the fact base's date
    recorded  TEXT NOT NULL,            -- UTC, when first sent
    summary   BLOB NOT NULL             -- zlib JSON: the facts, disputes and judgments it printed (change notes)
);
CREATE TABLE IF NOT EXISTS runs (
    id          INTEGER PRIMARY KEY,
    list        TEXT NOT NULL,
    destination TEXT NOT NULL,
    pid         INTEGER NOT NULL,
    started     TEXT NOT NULL,          -- UTC
    planned     INTEGER NOT NULL,       -- copies the run set out to deliver
    finished    TEXT,                   -- UTC, or NULL while it runs (and for ever if it was killed)
    outcome     TEXT                    -- its summary line
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
    revision     INTEGER NOT NULL,      -- 1, then 2 for the first correction, ... (per destination)
    version      TEXT NOT NULL,         -- what the brief said (versions.version)
    sha256       TEXT NOT NULL,         -- SHA-256 of the personal copy
    message_id   TEXT NOT NULL,
    channel      TEXT NOT NULL,         -- outbox, folder or smtp
    destination  TEXT NOT NULL,         -- the outbox's or folder's real path, or smtp[s]://host:port
    time         TEXT NOT NULL,         -- UTC, ISO 8601: of the intent, then of the delivery
    result       TEXT NOT NULL,         -- possibly-sent (the intent), sent, refused, too-large, failed
    detail       TEXT NOT NULL DEFAULT '',
    supersedes   INTEGER REFERENCES deliveries(id),
    run          INTEGER REFERENCES runs(id)
);
CREATE INDEX IF NOT EXISTS deliveries_by_reader ON deliveries (destination, recipient, brief, id);
"""

POSSIBLY_SENT = "possibly-sent"
"""The result an intent is written with: true if the run dies at any moment from then on."""
HELD = ("sent", POSSIBLY_SENT)
"""Results after which a reader may hold the copy."""


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
    run: int | None


@dataclass(frozen=True)
class Run:
    """One row of the runs table."""

    id: int
    list: str
    destination: str
    pid: int
    started: str
    planned: int
    finished: str | None
    outcome: str | None


_COLUMNS = ", ".join(Delivery.__dataclass_fields__)


def now() -> str:
    """The current time, UTC, as the ledger writes it."""
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _failure(path: str, e: sqlite3.Error) -> EnvironmentFailure:
    """The environment failure an SQLite error stands for, naming its real cause."""
    text = str(e)
    if "locked" in text or "busy" in text:
        return EnvironmentFailure(f"the ledger {path} is locked by another program ({text})",
                                  "close the program that holds it (an sqlite3 shell, a backup tool), then run "
                                  "the same command again; what was recorded stands")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return EnvironmentFailure(f"the ledger {path} is damaged: {text}",
                                  "restore it from a backup (it is the record of who got what); "
                                  "`sqlite3 FILE .recover` may save what it holds")
    if "readonly" in text or "read-only" in text:
        return EnvironmentFailure(f"the ledger {path} cannot be written: {text}",
                                  "make the file and its folder writable, or pass --ledger with another path")
    if "disk" in text and "full" in text:
        return EnvironmentFailure(f"the ledger {path} cannot be written: the disk is full",
                                  "free some space, then run the same command again; what was recorded stands")
    if "unable to open" in text:
        return EnvironmentFailure(f"the ledger {path} cannot be opened: {text}",
                                  "check that its folder exists and is readable and writable")
    return EnvironmentFailure(f"the ledger {path} failed: {text}", "what was recorded before stands")


class Ledger:
    """Who was sent which copy of which brief, where; every change committed at once, durably."""

    busy_seconds = 5.0
    """How long to wait for a ledger another run or program holds before giving up (exit 3)."""

    def __init__(self, path: str, create: bool = True):
        self.path = path
        if not create and not os.path.exists(path):
            self.db = sqlite3.connect(":memory:", isolation_level=None)
            self.db.executescript(_SCHEMA)
            return
        if os.path.isdir(path):
            raise InputError(Problem(path, 0, 0, "is a folder, not a ledger",
                                     "pass --ledger with the path of a ledger file (it is made if missing)"))
        try:
            folder = os.path.dirname(path)
            if folder and create:
                os.makedirs(folder, exist_ok=True)
            # Autocommit mode: every transaction below is an explicit BEGIN IMMEDIATE ... COMMIT.
            self.db = sqlite3.connect(path, timeout=self.busy_seconds, isolation_level=None)
            self.db.execute(f"PRAGMA busy_timeout = {int(self.busy_seconds * 1000)}")
            self._check_kind()
            # WAL: a commit is one append to the log; FULL: and the log is on the disk when COMMIT returns, so a
            # power cut cannot take back a copy number or an intent a run has gone on from.
            if self.db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA foreign_keys=ON")
            if self.db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                with self.transaction():
                    self._migrate()
        except OSError as e:
            raise EnvironmentFailure(f"the ledger {path} cannot be made: {e.strerror or e}",
                                     "check that its folder can be written") from None
        except sqlite3.Error as e:
            raise _failure(path, e) from None

    def _check_kind(self) -> None:
        """Raise InputError if the file is an SQLite database of something else."""
        app = self.db.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if app == APPLICATION_ID or not tables or (app == 0 and {"copies", "deliveries"} <= tables):
            return
        raise InputError(Problem(self.path, 0, 0, "not a briefing ledger: an SQLite file holding "
                                 + (", ".join(sorted(tables)) or "other data"),
                                 "pass --ledger with the path of a briefing ledger (a new path makes a new one)"))

    def _migrate(self) -> None:
        """Make the tables; bring a first-version ledger up to this schema, keeping every row."""
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise EnvironmentFailure(f"the ledger {self.path} was written by a newer briefing (schema {version})",
                                     "upgrade briefing to use it")
        if version == SCHEMA_VERSION:
            return
        old = {r[1] for r in self.db.execute("PRAGMA table_info(deliveries)")}
        if old:  # a first-version ledger: its rows stay; its versions were digests of the shared PDFs
            self.db.execute("DROP INDEX IF EXISTS deliveries_by_reader")
        for statement in _SCHEMA.split(";"):  # executescript would commit the transaction
            if statement.strip():
                if old and "TABLE IF NOT EXISTS deliveries" in statement:
                    continue
                self.db.execute(statement)
        if old and "run" not in old:
            self.db.execute("ALTER TABLE deliveries ADD COLUMN run INTEGER REFERENCES runs(id)")
            self.db.execute("UPDATE deliveries SET version = 'pdf:' || version WHERE version NOT LIKE 'pdf:%'")
            self.db.execute("INSERT OR IGNORE INTO counters SELECT brief, MAX(copy) FROM copies GROUP BY brief")
        self.db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextlib.contextmanager
    def transaction(self):
        """One write transaction: BEGIN IMMEDIATE (the write lock first, so no reader turns writer half-way),
        committed at the end, rolled back on any error."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()

    # -- copy numbers ---------------------------------------------------------------------------------------

    def copy_number(self, brief: str, recipient: str) -> int | None:
        """Return the reader's copy number of the brief, if one was handed out."""
        row = self.db.execute("SELECT copy FROM copies WHERE brief = ? AND recipient = ?",
                              (brief, recipient)).fetchone()
        return row[0] if row else None

    def next_copy(self, brief: str) -> int:
        """Return the number the next new reader of the brief would get."""
        row = self.db.execute("SELECT last FROM counters WHERE brief = ?", (brief,)).fetchone()
        highest = self.db.execute("SELECT COALESCE(MAX(copy), 0) FROM copies WHERE brief = ?", (brief,)).fetchone()[0]
        return max(row[0] if row else 0, highest) + 1

    def assign(self, brief: str, recipients: list[str]) -> dict[str, int]:
        """Hand out copy numbers to the readers who have none yet, in order; return every reader's number.

        Call inside `transaction()`: the counter and the numbers are committed together."""
        numbers = {}
        for r in recipients:
            n = self.copy_number(brief, r)
            if n is None:
                n = self.next_copy(brief)
                self.db.execute("INSERT INTO counters VALUES (?, ?) ON CONFLICT (brief) DO UPDATE SET last = ?",
                                (brief, n, n))
                self.db.execute("INSERT INTO copies VALUES (?, ?, ?)", (brief, r, n))
            numbers[r] = n
        return numbers

    # -- versions -------------------------------------------------------------------------------------------

    def remember(self, version: str, brief: str, audience: str, as_of: str, summary: dict) -> None:
        """Keep what a version of a brief printed, once (call inside `transaction()`)."""
        data = zlib.compress(json.dumps(summary, ensure_ascii=False, sort_keys=True).encode("utf-8"), 9)
        self.db.execute("INSERT OR IGNORE INTO versions VALUES (?, ?, ?, ?, ?, ?)",
                        (version, brief, audience, as_of, now(), data))

    def summary(self, version: str) -> dict | None:
        """Return what a delivered version printed, or None if the ledger does not know (a first-version ledger)."""
        row = self.db.execute("SELECT summary FROM versions WHERE version = ?", (version,)).fetchone()
        return json.loads(zlib.decompress(row[0])) if row else None

    # -- runs and deliveries --------------------------------------------------------------------------------

    def start_run(self, list_name: str, destination: str, planned: int) -> int:
        """Record a run about to deliver `planned` copies; return its id (call inside `transaction()`)."""
        return self.db.execute("INSERT INTO runs (list, destination, pid, started, planned) VALUES (?, ?, ?, ?, ?)",
                               (list_name, destination, os.getpid(), now(), planned)).lastrowid

    def end_run(self, run: int, outcome: str) -> None:
        with self.transaction():
            self.db.execute("UPDATE runs SET finished = ?, outcome = ? WHERE id = ?", (now(), outcome, run))

    def runs(self) -> list[Run]:
        return [Run(*r) for r in self.db.execute(f"SELECT {', '.join(Run.__dataclass_fields__)} FROM runs ORDER BY id")]

    def intend(self, durable: bool = True, **fields) -> int:
        """Record a delivery about to happen as possibly sent, and commit it before the copy goes; return its id.

        With `durable` the commit is on the disk when this returns (a server is handed the copy next, and cannot
        be asked later); without, it is on the disk at the next durable commit (`checkpoint`), as the outbox
        and folder copies it stands for are (their transport's `sync`)."""
        fields.update(result=POSSIBLY_SENT, time=now())
        fields.setdefault("detail", "")
        fields.setdefault("supersedes", None)
        fields.setdefault("run", None)
        names = list(Delivery.__dataclass_fields__)[1:]
        with self._synchronous(durable):
            with self.transaction():
                cur = self.db.execute(f"INSERT INTO deliveries ({', '.join(names)}) "
                                      f"VALUES ({', '.join('?' * len(names))})", [fields[n] for n in names])
        return cur.lastrowid

    @contextlib.contextmanager
    def _synchronous(self, durable: bool):
        """Commit without waiting for the disk meanwhile, unless `durable` (the connection's default is FULL)."""
        if durable:
            yield
            return
        self.db.execute("PRAGMA synchronous=NORMAL")
        try:
            yield
        finally:
            self.db.execute("PRAGMA synchronous=FULL")

    def checkpoint(self, run: int, progress: str) -> None:
        """Commit the run's progress durably: every commit before it reaches the disk with it (WAL order)."""
        with self.transaction():
            self.db.execute("UPDATE runs SET outcome = ? WHERE id = ?", (progress, run))

    def record(self, **fields) -> int:
        """Add a delivery that is already settled (a copy too large to send) and commit it; return its id."""
        result = fields.pop("result")
        detail = fields.pop("detail", "")
        row = self.intend(durable=False, **fields)
        self.resolve(row, result, detail)
        return row

    def resolve(self, delivery: int, result: str, detail: str, sha256: str | None = None) -> None:
        """Settle an intent: sent, refused, too-large or failed, with the channel's answer; commit at once.

        This commit alone is not waited onto the disk (synchronous=NORMAL): the next intent's or the run's end
        commit, which is, carries it there. Lost to a power cut in between, the row stays possibly sent, which is
        what the ledger then knows: an outbox or folder settles it by looking, a server by sending it again."""
        with self._synchronous(False):
            with self.transaction():
                self._resolve(delivery, result, detail, sha256)

    def _resolve(self, delivery: int, result: str, detail: str, sha256: str | None) -> None:
        if sha256 is None:
            self.db.execute("UPDATE deliveries SET result = ?, detail = ?, time = ? WHERE id = ?",
                            (result, detail, now(), delivery))
        else:
            self.db.execute("UPDATE deliveries SET result = ?, detail = ?, time = ?, sha256 = ? WHERE id = ?",
                            (result, detail, now(), sha256, delivery))

    def again(self, delivery: int, sha256: str, run: int, detail: str) -> None:
        """Take up a possibly-sent delivery again in a new run: it stays possibly sent until the copy has gone."""
        with self.transaction():
            self.db.execute("UPDATE deliveries SET sha256 = ?, run = ?, detail = ?, time = ? WHERE id = ?",
                            (sha256, run, detail, now(), delivery))

    def latest(self, destination: str, brief: str, recipient: str, before: int | None = None) -> Delivery | None:
        """Return the latest delivery of the brief to the reader at the destination that the reader may hold
        (sent, or possibly sent); with `before`, the latest older than that delivery."""
        row = self.db.execute(f"SELECT {_COLUMNS} FROM deliveries WHERE destination = ? AND brief = ? AND "
                              f"recipient = ? AND result IN {HELD} AND id < ? ORDER BY id DESC LIMIT 1",
                              (destination, brief, recipient, before or 2**62)).fetchone()
        return Delivery(*row) if row else None

    def get(self, delivery: int) -> Delivery:
        return Delivery(*self.db.execute(f"SELECT {_COLUMNS} FROM deliveries WHERE id = ?", (delivery,)).fetchone())

    def deliveries(self, destination: str | None = None) -> list[Delivery]:
        """Return every delivery, oldest first, optionally to one destination."""
        if destination is None:
            rows = self.db.execute(f"SELECT {_COLUMNS} FROM deliveries ORDER BY id")
        else:
            rows = self.db.execute(f"SELECT {_COLUMNS} FROM deliveries WHERE destination = ? ORDER BY id",
                                   (destination,))
        return [Delivery(*row) for row in rows]


class RunLock:
    """One `briefing distribute` at a time per ledger: an exclusive lock on LEDGER.lock for the whole run.

    The lock is the operating system's (flock), so it goes with the process however it ends; the file stays
    (removing it would let two runs lock two different files)."""

    def __init__(self, ledger: str, wait: bool, log=None):
        import fcntl
        import sys

        self.path = ledger + ".lock"
        try:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise EnvironmentFailure(f"cannot lock the ledger: {self.path}: {e.strerror or e}",
                                     "make the ledger's folder writable, or pass --ledger with another path") from None
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = self.holder()
            if not wait:
                os.close(self.fd)
                raise EnvironmentFailure(f"another `briefing distribute`{holder} is using the ledger {ledger}",
                                         "run this again when it has finished, or pass --wait to wait for it; "
                                         "nothing was sent by this run") from None
            print(f"briefing distribute: waiting for another run{holder} to finish with {ledger}",
                  file=log or sys.stderr, flush=True)
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        os.ftruncate(self.fd, 0)
        os.write(self.fd, f"{os.getpid()}\n".encode())

    def holder(self) -> str:
        """` (process N)` for the run holding the lock, if it said."""
        try:
            with open(self.path, encoding="ascii") as f:
                pid = f.read().strip()
        except (OSError, ValueError):
            return ""
        return f" (process {pid})" if pid.isdigit() else ""

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the last descriptor releases the lock
            self.fd = None
