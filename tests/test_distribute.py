"""`briefing distribute`: lists checked with positions, numbered personal copies, delivery to a real SMTP
server on 127.0.0.1, the ledger that never sends twice, revisions, status, dry runs and signed copies."""

from __future__ import annotations

import email
import email.policy
import hashlib
import io
import os
import re
import select
import shutil
import sqlite3
import subprocess
import sys

import pytest
import yaml

from briefing.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAILSERVER = os.path.join(ROOT, "tests", "data", "distribute", "mailserver.py")
FAULTS = os.path.join(ROOT, "tests", "data", "distribute", "faults")


# --- a project, a list, a mail server ---------------------------------------------------------------------

@pytest.fixture(autouse=True)
def no_desk_secrets(monkeypatch, tmp_path):
    """Whatever the machine has set, each test starts with no SMTP credentials and no signing key."""
    for name in ("BRIEFING_SMTP_USER", "BRIEFING_SMTP_PASSWORD", "BRIEFING_SIGN_KEY", "BRIEFING_SIGN_CERT",
                 "BRIEFING_SIGN_CHAIN", "BRIEFING_SIGN_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)
    empty = tmp_path / "empty-netrc"
    empty.write_text("")
    monkeypatch.setenv("NETRC", str(empty))


@pytest.fixture()
def desk(project_copy):
    """A copy of the project with a distribution folder: the shipped cover note, a list made to measure."""
    return Desk(project_copy)


class Desk:
    """A project copy in a temporary folder, with helpers to write a list and run `distribute` on it."""

    def __init__(self, folder: str):
        self.folder = folder
        self.facts = os.path.join(folder, "facts.yaml")
        self.templates = os.path.join(folder, "templates")
        self.lists = os.path.join(folder, "distribution")
        os.makedirs(self.lists, exist_ok=True)  # the test project has one, with the shipped cover note
        shutil.copy(os.path.join(ROOT, "distribution", "cover.txt.j2"), self.lists)
        self.ledger = os.path.join(self.lists, "ledger.sqlite")
        self.briefs = {}
        for name in sorted(os.listdir(os.path.join(self.templates, "briefs"))):
            if name.endswith(".yaml"):
                with open(os.path.join(self.templates, "briefs", name), encoding="utf-8") as f:
                    self.briefs[name[:-5]] = yaml.safe_load(f)
        # The tests use the test project's short brief, written for two audiences (each run lays out its PDFs).
        self.brief = "visit-politics"
        self.audiences = self.briefs[self.brief]["audiences"][:2]
        assert len(self.audiences) == 2

    def readers(self, n: int, start: int = 0, brief: str | None = None) -> list[dict]:
        return [{"name": f"Reader {i} Ünal", "organisation": f"Office {i}", "email": f"reader{i}@example.org",
                 "audience": self.audiences[i % 2], "briefs": [brief or self.brief]} for i in range(start, start + n)]

    def write_list(self, recipients: list[dict], name: str = "desk", **settings) -> str:
        data = {"sender": "Briefing Desk <desk@example.org>", **settings, "recipients": recipients}
        path = os.path.join(self.lists, name + ".yaml")
        with open(path, "w", encoding="utf-8") as f:
            yaml.safe_dump(data, f, allow_unicode=True, sort_keys=False)
        return path

    def run(self, *args: str, list_path: str | None = None) -> int:
        return main(["distribute", list_path or os.path.join(self.lists, "desk.yaml"), "-C", self.folder,
                     "--facts", self.facts, "--templates", self.templates, "--ledger", self.ledger, *args])

    def argv(self, *args: str, list_path: str | None = None) -> list[str]:
        """The command line of `run`, for a subprocess."""
        return ["distribute", list_path or os.path.join(self.lists, "desk.yaml"), "-C", self.folder, "--facts",
                self.facts, "--templates", self.templates, "--ledger", self.ledger, *args]

    def rows(self, where: str = "1") -> list[sqlite3.Row]:
        db = sqlite3.connect(self.ledger)
        db.row_factory = sqlite3.Row
        try:
            return db.execute(f"SELECT * FROM deliveries WHERE {where} ORDER BY id").fetchall()
        finally:
            db.close()

    def change_brief(self) -> None:
        """Give the brief a new subtitle: a new version of its PDF for every audience."""
        path = os.path.join(self.templates, "briefs", self.brief + ".yaml")
        data = dict(self.briefs[self.brief], subtitle="Revised after new figures came in")
        with open(path, "w", encoding="utf-8") as f:
            yaml.safe_dump(data, f, allow_unicode=True, sort_keys=False)


class MailServer:
    """tests/data/distribute/mailserver.py in a subprocess: a real aiosmtpd server on 127.0.0.1."""

    def __init__(self, maildir: str, *options: str):
        self.maildir = maildir
        self.proc = subprocess.Popen([sys.executable, MAILSERVER, maildir, "--lifetime", "120", *options],
                                     stdout=subprocess.PIPE, text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], 30)
        assert ready, "the mail server did not start within 30 s"
        self.port = int(self.proc.stdout.readline())
        self.url = f"smtp://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()

    def messages(self, every: bool = False) -> list[tuple[list[str], email.message.EmailMessage]]:
        """Return (envelope recipients, parsed message) for every message this server accepted, or with
        `every` every server that shared its mail folder."""
        out = []
        if not os.path.isdir(self.maildir):
            return out
        for name in sorted(os.listdir(self.maildir)):
            if name.endswith(".eml") and (every or name.startswith(f"{self.proc.pid}-")):
                base = os.path.join(self.maildir, name[:-4])
                with open(base + ".rcpt", encoding="utf-8") as f:
                    rcpt = f.read().split("\n")
                with open(base + ".eml", "rb") as f:
                    out.append((rcpt, email.message_from_binary_file(f, policy=email.policy.default)))
        return out


@pytest.fixture()
def mailserver(tmp_path):
    """Start servers that store into one mail folder; every one started is killed at the end."""
    started = []

    def start(*options: str) -> MailServer:
        server = MailServer(str(tmp_path / "maildir"), *options)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def attachments(msg) -> dict[str, bytes]:
    """The message's PDFs by file name, in order: the copy, then (for a revision) its change sheet."""
    return {p.get_filename(): p.get_content() for p in msg.iter_attachments()
            if p.get_content_type() == "application/pdf"}


def attachment(msg) -> bytes:
    """The personal copy a message carries (its first PDF; a revision's change sheet comes after it)."""
    files = attachments(msg)
    assert 1 <= len(files) <= 2 and all(f.endswith(".changes.pdf") for f in list(files)[1:]), list(files)
    return next(iter(files.values()))


def sheet(msg) -> bytes:
    """The change sheet a revision's message carries."""
    (name, data), = [(f, d) for f, d in attachments(msg).items() if f.endswith(".changes.pdf")]
    return data


def stamp_on_every_page(pdf: bytes) -> list[str]:
    """Return the stamp line of each page, read back with pypdf."""
    from pypdf import PdfReader

    lines = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        found = [line for line in page.extract_text().splitlines() if line.startswith("Copy ")]
        assert len(found) == 1, page.extract_text()[-300:]
        lines.append(found[0])
    return lines


def info(pdf: bytes) -> dict:
    from pypdf import PdfReader

    return dict(PdfReader(io.BytesIO(pdf)).metadata)


# --- lists ------------------------------------------------------------------------------------------------

def test_list_problems_are_reported_with_line_and_column_before_anything_is_sent(desk, mailserver, capsys):
    text = f"""sender: Briefing Desk <desk@example.org>
recipients:
  - name: Good Reader
    organisation: Office
    email: good@example.org
    audience: {desk.audiences[0]}
    briefs: [{desk.brief}]
  - name: "Eve\\r\\nBcc: everyone@example.org"
    organisation: Office
    email: eve@example.org
    audience: {desk.audiences[0]}
    briefs: [{desk.brief}]
  - name: Bad Address
    organisation: "Tab\\x01Org"
    email: not-an-address@
    audience: {desk.audiences[0]}
    briefs: [{desk.brief}]
  - name: Unknown Things
    organisation: Office
    email: unknown@example.org
    audience: nobody
    briefs: [no-such-brief]
  - name: Twice
    organisation: Office
    email: GOOD@example.org
    audience: {desk.audiences[0]}
    briefs: [{desk.brief}, {desk.brief}]
"""
    path = os.path.join(desk.lists, "bad.yaml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    server = mailserver()
    assert desk.run("--smtp", server.url, list_path=path) == 1
    err = capsys.readouterr().err
    assert f"{path}:8:11: recipients[2].name: contains a line break" in err
    assert f"{path}:14:19: recipients[3].organisation: contains characters that documents cannot hold (U+0001)" in err
    assert f"{path}:15:12: recipients[3].email: 'not-an-address@' is not an e-mail address" in err
    assert f"{path}:21:15: recipient 'Unknown Things': unknown audience 'nobody'" in err
    assert f"{path}:22:13: recipient 'Unknown Things': unknown brief 'no-such-brief'" in err
    assert f"{path}:25:12: recipient 'Twice': duplicate address GOOD@example.org" in err
    assert "it is already on line 5" in err
    assert f"{path}:27:13: recipient 'Twice': a brief is named twice" in err
    assert server.messages() == []
    assert not os.path.exists(desk.ledger)


def test_a_brief_not_written_for_the_readers_audience_is_refused(desk, capsys):
    audiences = [a[:-5] for a in os.listdir(os.path.join(desk.templates, "audiences"))]
    pairs = [(b, a) for b in desk.briefs for a in audiences if a not in desk.briefs[b]["audiences"]]
    if not pairs:
        pytest.skip("every brief is written for every audience in this project")
    brief, audience = pairs[0]
    path = desk.write_list([{"name": "A Reader", "organisation": "Office", "email": "a@example.org",
                             "audience": audience, "briefs": [brief]}])
    assert desk.run("--dry-run") == 1
    err = capsys.readouterr().err
    assert f"{path}:" in err and f"brief {brief!r} is not written for the audience {audience!r}" in err


def test_the_example_list_is_valid_and_its_schema_is_current(root, capsys):
    import json

    from briefing.distribute.lists import schema_json

    with open(os.path.join(root, "distribution", "list.schema.json"), encoding="utf-8") as f:
        assert json.load(f) == schema_json()
    assert main(["distribute", os.path.join(root, "distribution", "desk.yaml"), "--status", "--facts",
                 os.path.join(root, "facts.yaml"), "--templates", os.path.join(root, "templates"),
                 "--ledger", os.path.join(os.path.dirname(root), "no-such-ledger.sqlite")]) == 0
    assert "nothing distributed yet" in capsys.readouterr().out


# --- personal copies and the outbox ----------------------------------------------------------------------

def test_outbox_messages_parse_with_the_copy_the_ledger_recorded(desk, tmp_path, capsys):
    desk.write_list(desk.readers(4))
    outbox = str(tmp_path / "outbox")
    assert desk.run("--outbox", outbox) == 0
    rows = {r["recipient"]: r for r in desk.rows()}
    assert len(rows) == 4 and {r["result"] for r in rows.values()} == {"sent"}
    assert sorted(r["copy"] for r in rows.values()) == [1, 2, 3, 4]
    files = sorted(f for f in os.listdir(outbox) if f.endswith(".eml"))
    assert len(files) == 4
    for name in files:
        with open(os.path.join(outbox, name), "rb") as f:
            msg = email.message_from_binary_file(f, policy=email.policy.default)
        assert not [part.defects for part in msg.walk() if part.defects]
        to = msg["To"].addresses[0]
        row = rows[to.addr_spec]
        pdf = attachment(msg)
        assert hashlib.sha256(pdf).hexdigest() == row["sha256"]
        assert msg["Message-ID"] == row["message_id"]
        assert to.display_name == row["name"]
        assert f"(copy {row['copy']})" in msg["Subject"]
        assert f"Dear {row['name']}" in msg.get_body(("plain",)).get_content()
        line = f"Copy {row['copy']} — issued to {row['name']}, {row['organisation']}"
        assert set(stamp_on_every_page(pdf)) == {line}
        meta = info(pdf)
        assert meta["/BriefingCopy"] == str(row["copy"]) and meta["/BriefingStamp"] == line
    import json

    with open(os.path.join(outbox, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    assert sorted(m["file"] for m in manifest) == files
    assert {m["sha256"] for m in manifest} == {r["sha256"] for r in rows.values()}
    # A second run finds everything delivered and writes nothing new.
    capsys.readouterr()
    assert desk.run("--outbox", outbox) == 0
    assert "0 sent, 4 up to date" in capsys.readouterr().out
    assert len(desk.rows()) == 4


def test_a_personal_copy_remade_from_the_same_inputs_is_byte_identical(desk, tmp_path):
    desk.write_list(desk.readers(2))
    copies = []
    for run in ("a", "b"):
        desk.ledger = str(tmp_path / f"{run}.sqlite")
        assert desk.run("--folder", str(tmp_path / run)) == 0
        copies.append({f: open(os.path.join(tmp_path, run, f), "rb").read()
                       for f in sorted(os.listdir(tmp_path / run))})
    assert copies[0] == copies[1] and len(copies[0]) == 2
    assert len(set(copies[0].values())) == 2  # ...and each reader's copy is their own


def test_a_copy_is_the_shared_layout_unchanged_plus_the_stamp(desk, tmp_path):
    """No layout per reader: each copy starts with the bytes `briefing build` makes for its audience."""
    from pypdf import PdfReader

    reader = desk.readers(1)[0]
    desk.write_list([reader])
    built = tmp_path / "built"
    assert main(["build", desk.brief, "-a", reader["audience"], "-f", "pdf", "-o", str(built), "-C", desk.folder,
                 "--facts", desk.facts, "--templates", desk.templates]) == 0
    shared = (built / f"{desk.brief}.{reader['audience']}.pdf").read_bytes()
    assert desk.run("--folder", str(tmp_path / "copies")) == 0
    (name,) = os.listdir(tmp_path / "copies")
    copy = (tmp_path / "copies" / name).read_bytes()
    assert copy.startswith(shared) and len(copy) > len(shared)
    before = [p.extract_text() for p in PdfReader(io.BytesIO(shared)).pages]
    after = [p.extract_text() for p in PdfReader(io.BytesIO(copy)).pages]
    assert len(after) == len(before)
    line = f"Copy 1 — issued to {reader['name']}, {reader['organisation']}"
    for old, new in zip(before, after):
        assert new.replace(line, "").strip() == old.strip()


def test_copy_numbers_stay_with_their_readers_when_the_list_changes(desk, tmp_path):
    desk.write_list(desk.readers(3))
    assert desk.run("--outbox", str(tmp_path / "o")) == 0
    first = {r["recipient"]: r["copy"] for r in desk.rows()}
    desk.write_list(list(reversed(desk.readers(3))) + desk.readers(1, start=7))
    assert desk.run("--outbox", str(tmp_path / "o")) == 0
    after = {r["recipient"]: r["copy"] for r in desk.rows()}
    assert {k: after[k] for k in first} == first
    assert after["reader7@example.org"] == 4


def test_folder_delivery_puts_one_stamped_pdf_per_reader(desk, tmp_path):
    desk.write_list(desk.readers(2))
    folder = tmp_path / "shared"
    assert desk.run("--folder", str(folder)) == 0
    rows = desk.rows()
    assert sorted(os.listdir(folder)) == sorted(r["detail"] for r in rows)
    for r in rows:
        pdf = (folder / r["detail"]).read_bytes()
        assert hashlib.sha256(pdf).hexdigest() == r["sha256"]
        assert stamp_on_every_page(pdf)[0] == f"Copy {r['copy']} — issued to {r['name']}, {r['organisation']}"


def test_a_copy_over_the_size_limit_is_reported_not_sent(desk, mailserver, capsys):
    desk.write_list(desk.readers(2))
    server = mailserver()
    assert desk.run("--smtp", server.url, "--max-size", "0.01") == 1
    out = capsys.readouterr().out
    assert out.count("not sent (too large:") == 2
    assert server.messages() == []
    assert [r["result"] for r in desk.rows()] == ["too-large", "too-large"]


# --- SMTP --------------------------------------------------------------------------------------------------

def test_readers_receive_their_own_copies_through_smtp(desk, mailserver):
    desk.write_list(desk.readers(5))
    server = mailserver()
    assert desk.run("--smtp", server.url) == 0
    rows = {r["recipient"]: r for r in desk.rows()}
    got = server.messages()
    assert sorted(rcpt[0] for rcpt, _ in got) == sorted(rows)
    for rcpt, msg in got:
        row = rows[rcpt[0]]
        assert msg["To"].addresses[0].addr_spec == rcpt[0]
        assert msg["From"].addresses[0].addr_spec == "desk@example.org"
        pdf = attachment(msg)
        assert hashlib.sha256(pdf).hexdigest() == row["sha256"]
        assert set(stamp_on_every_page(pdf)) == {f"Copy {row['copy']} — issued to {row['name']}, {row['organisation']}"}
        assert row["channel"] == "smtp" and row["destination"] == f"smtp://127.0.0.1:{server.port}"


def test_server_killed_mid_batch_then_a_rerun_leaves_everyone_exactly_one_copy(desk, mailserver, capsys):
    desk.write_list(desk.readers(6))
    first = mailserver("--die-after", "2")
    assert desk.run("--smtp", first.url) == 3  # the environment failed: exit status 3
    err = capsys.readouterr().err
    assert "stopped after 2 sent" in err and "run the same command again" in err
    assert "1 possibly sent" in err and "nothing was written" not in err
    first.proc.wait(timeout=10)
    assert first.proc.returncode == 3
    assert len(first.messages()) == 2
    # exactly what the server accepted, and the one it was handed as it died: possibly sent
    assert [r["result"] for r in desk.rows()] == ["sent", "sent", "possibly-sent"]
    possibly = desk.rows("result = 'possibly-sent'")[0]
    second = mailserver("--port", str(first.port))  # the same server, back up
    assert desk.run("--smtp", second.url) == 0
    got = second.messages(every=True)  # what both servers accepted
    recipients = sorted(rcpt[0] for rcpt, _ in got)
    assert recipients == sorted(f"reader{i}@example.org" for i in range(6))  # each once, none lost
    assert len(desk.rows("result = 'sent'")) == 6
    by_reader = {r["recipient"]: r["sha256"] for r in desk.rows()}
    assert {rcpt[0]: hashlib.sha256(attachment(m)).hexdigest() for rcpt, m in got} == by_reader
    again = [m for rcpt, m in second.messages() if rcpt[0] == possibly["recipient"]]
    assert [m["Message-ID"] for m in again] == [possibly["message_id"]]  # sent again under its own Message-ID


def test_a_refused_recipient_is_recorded_and_sent_on_the_next_run(desk, mailserver, capsys):
    desk.write_list(desk.readers(3))
    first = mailserver("--refuse", "reader1@example.org")
    assert desk.run("--smtp", first.url) == 1
    assert "refused (550 5.1.1 No such mailbox here)" in capsys.readouterr().out
    assert {r["recipient"]: r["result"] for r in desk.rows()} == {
        "reader0@example.org": "sent", "reader1@example.org": "refused", "reader2@example.org": "sent"}
    first.stop()
    second = mailserver("--port", str(first.port))
    assert desk.run("--smtp", second.url) == 0
    assert [rcpt for rcpt, _ in second.messages()] == [["reader1@example.org"]]


def test_a_changed_brief_goes_as_a_revision_to_exactly_the_earlier_readers(desk, mailserver, capsys):
    others = [b for b in desk.briefs if b != desk.brief and desk.audiences[0] in desk.briefs[b]["audiences"]]
    readers = desk.readers(3)
    if others:  # a reader of another brief only: must get nothing when this brief changes
        readers.append({**desk.readers(1, start=9)[0], "audience": desk.audiences[0], "briefs": [others[0]]})
    desk.write_list(readers)
    server = mailserver()
    assert desk.run("--smtp", server.url) == 0
    before = {m["Message-ID"]: rcpt[0] for rcpt, m in server.messages()}
    earlier = {r["recipient"]: r for r in desk.rows()}
    desk.change_brief()
    desk.write_list(readers + desk.readers(1, start=5))  # a new reader joins
    capsys.readouterr()
    assert desk.run("--smtp", server.url) == 0
    new = [(rcpt, m) for rcpt, m in server.messages() if m["Message-ID"] not in before]
    revised = {rcpt[0]: m for rcpt, m in new if m["Supersedes"]}
    assert sorted(revised) == sorted(f"reader{i}@example.org" for i in range(3))
    for address, msg in revised.items():
        old = earlier[address]
        assert msg["Supersedes"] == old["message_id"]
        assert msg["Subject"].startswith("REVISED: ")
        pdf = attachment(msg)
        assert set(stamp_on_every_page(pdf)) == {f"Copy {old['copy']} — issued to {old['name']}, "
                                                 f"{old['organisation']} · revision 2, supersedes revision 1"}
        row = desk.rows(f"recipient = '{address}' AND revision = 2")[0]
        assert row["supersedes"] == old["id"] and row["sha256"] == hashlib.sha256(pdf).hexdigest()
        assert row["version"] != old["version"]
    firsts = [rcpt[0] for rcpt, m in new if not m["Supersedes"]]
    assert firsts == ["reader5@example.org"]  # the newcomer gets a first copy; the other brief's reader nothing
    # --status: who has which version, at which destination
    capsys.readouterr()
    assert desk.run("--status") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:4] == ["destination", "recipient", "brief", "audience"]
    lines = {line.split("<")[1].split(">")[0]: line for line in out[1:-1]}
    for address in revised:
        cells = [c.strip() for c in lines[address].split("  ") if c.strip()]
        assert cells[0] == f"smtp://127.0.0.1:{server.port}" and cells[2] == desk.brief
        assert "supersedes revision 1" in lines[address] and cells[5] == "2"  # the revision column
    assert out[-1] == f"{len(readers) + 1} up to date, 0 with a newer version waiting; 0 possibly sent; " \
                      "0 waiting after a failure; 0 not sent yet"


def test_dry_run_shows_what_would_be_sent_and_sends_nothing(desk, mailserver, capsys):
    desk.write_list(desk.readers(3))
    server = mailserver()
    assert desk.run("--smtp", server.url, "--dry-run") == 0
    out = capsys.readouterr().out
    assert out.count("would send ") == 3
    assert f"{desk.brief} ({desk.audiences[0]}) copy 1 to Reader 0 Ünal <reader0@example.org>" in out
    # the destination and ledger a real run would use, as its summary names them
    assert f"dry run: 3 copies would be sent, 0 up to date (smtp://127.0.0.1:{server.port}; ledger {desk.ledger}); " \
           "nothing was sent or recorded" in out
    assert server.messages() == []
    assert not os.path.exists(desk.ledger)


def test_a_subject_that_would_inject_a_header_stops_the_run_before_anything_is_sent(desk, mailserver, capsys):
    with open(os.path.join(desk.lists, "cover.txt.j2"), "w", encoding="utf-8") as f:
        f.write('Subject: {{ brief.title }}{{ "\\r" }}Bcc: everyone@example.org\n\nHello.\n')
    desk.write_list(desk.readers(2))
    server = mailserver()
    assert desk.run("--smtp", server.url) == 1
    assert "cover.txt.j2:1:1: the subject contains a line break" in capsys.readouterr().err
    assert server.messages() == []
    assert desk.rows() == []
    db = sqlite3.connect(desk.ledger)
    assert db.execute("SELECT COUNT(*) FROM copies").fetchone() == (0,)  # no copy numbers handed out either
    db.close()


def test_credentials_never_travel_in_the_url_or_in_the_clear(desk, mailserver, monkeypatch, capsys):
    desk.write_list(desk.readers(1))
    assert desk.run("--smtp", "smtp://user:secret@127.0.0.1:25") == 2
    assert "do not put credentials in the URL" in capsys.readouterr().err
    server = mailserver()
    monkeypatch.setenv("BRIEFING_SMTP_USER", "desk")
    monkeypatch.setenv("BRIEFING_SMTP_PASSWORD", "secret")
    assert desk.run("--smtp", server.url) == 3  # the environment (a server without TLS), not the input
    assert "no TLS, so the credentials are not sent" in capsys.readouterr().err
    assert server.messages() == [] and desk.rows() == []


# --- a throw-away CA ---------------------------------------------------------------------------------------

def make_ca(folder, passphrase: bytes):
    """Return (ca.pem, key.pem, cert.pem): a CA and a desk certificate it issued, valid for 127.0.0.1."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Desk CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Briefing Desk"),
                                     x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example Ministry")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(2)
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=True,
                                         key_cert_sign=False, crl_sign=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = [os.path.join(folder, n) for n in ("ca.pem", "key.pem", "cert.pem")]
    pem = serialization.Encoding.PEM
    with open(paths[0], "wb") as f:
        f.write(ca.public_bytes(pem))
    with open(paths[1], "wb") as f:
        f.write(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                  serialization.BestAvailableEncryption(passphrase) if passphrase
                                  else serialization.NoEncryption()))
    with open(paths[2], "wb") as f:
        f.write(cert.public_bytes(pem))
    return paths


@pytest.mark.parametrize("source", ["environment", "netrc"])
def test_starttls_and_login_with_credentials_from_the_environment_or_netrc(desk, mailserver, tmp_path, monkeypatch,
                                                                          source):
    ca, key, cert = make_ca(str(tmp_path), b"")
    server = mailserver("--tls", cert, key, "--auth", "desk:s3cret")
    monkeypatch.setenv("SSL_CERT_FILE", ca)  # the client trusts the throw-away CA, as it would a real one
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login desk password s3cret\n" if source == "netrc" else "")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    if source == "environment":
        monkeypatch.setenv("BRIEFING_SMTP_USER", "desk")
        monkeypatch.setenv("BRIEFING_SMTP_PASSWORD", "s3cret")
    desk.write_list(desk.readers(2))
    assert desk.run("--smtp", server.url) == 0
    assert sorted(rcpt[0] for rcpt, _ in server.messages()) == ["reader0@example.org", "reader1@example.org"]


def test_signed_copies_verify_and_an_altered_copy_does_not(desk, tmp_path, monkeypatch):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext
    from pyhanko.keys import load_cert_from_pemder

    ca, key, cert = make_ca(str(tmp_path), b"correct horse")
    monkeypatch.setenv("BRIEFING_SIGN_KEY", key)
    monkeypatch.setenv("BRIEFING_SIGN_CERT", cert)
    monkeypatch.setenv("BRIEFING_SIGN_PASSPHRASE", "correct horse")
    desk.write_list(desk.readers(2), sign=True)
    folder = tmp_path / "signed"
    assert desk.run("--folder", str(folder)) == 0
    context = ValidationContext(trust_roots=[load_cert_from_pemder(ca)], allow_fetching=False,
                                revocation_mode="soft-fail")
    for row in desk.rows():
        data = (folder / row["detail"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == row["sha256"]
        reader = PdfFileReader(io.BytesIO(data))
        (signature,) = reader.embedded_signatures
        status = validate_pdf_signature(signature, context)
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()
        assert status.signing_cert.subject.native["common_name"] == "Briefing Desk"
        assert stamp_on_every_page(data)[0].startswith(f"Copy {row['copy']} — issued to {row['name']}")
        # Change the name in the document information by one letter: the signature no longer holds.
        name = row["name"].encode("latin-1", "ignore")
        i = data.index(b"/BriefingIssuedTo")
        altered = data[:i] + data[i:].replace(name[:6], b"Xeader", 1)
        assert altered != data
        status = validate_pdf_signature(PdfFileReader(io.BytesIO(altered)).embedded_signatures[0], context)
        assert not status.intact and not status.bottom_line
    # A revision: its change sheet comes from the desk too, signed like the copy.
    desk.change_brief()
    assert desk.run("--folder", str(folder)) == 0
    for row in desk.rows("revision = 2"):
        for name in (row["detail"], row["detail"][:-4] + ".changes.pdf"):
            (signature,) = PdfFileReader(io.BytesIO((folder / name).read_bytes())).embedded_signatures
            status = validate_pdf_signature(signature, context)
            assert status.intact and status.valid and status.trusted, name


def _append_update(signed: bytes, issued_to: str) -> bytes:
    """Return `signed` with one more incremental update that only rewrites the document information."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    info = writer.trailer["/Info"]
    info[generic.NameObject("/BriefingIssuedTo")] = generic.TextStringObject(issued_to)
    writer.update_container(info)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_signed_copy_is_tagged_checked_before_it_leaves_and_says_what_its_signature_proves(desk, tmp_path,
                                                                                            monkeypatch):
    """The widget is in the structure tree (PDF/UA); a copy with an update appended after the signature still has
    an intact signed revision — which is all a signature proves — and briefing's own check refuses it, because
    the signature no longer covers the whole file."""
    import pikepdf
    import uacheck
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext
    from pyhanko.keys import load_cert_from_pemder

    from briefing.distribute.sign import SignatureCheckFailed, Signer

    ca, key, cert = make_ca(str(tmp_path), b"")
    monkeypatch.setenv("BRIEFING_SIGN_KEY", key)
    monkeypatch.setenv("BRIEFING_SIGN_CERT", cert)
    desk.write_list(desk.readers(1), sign=True)
    folder = tmp_path / "signed"
    assert desk.run("--folder", str(folder)) == 0
    (row,) = desk.rows()
    path = folder / row["detail"]
    assert uacheck.problems(str(path)) == []
    with pikepdf.open(path) as pdf:
        widget = next(a for page in pdf.pages for a in page.obj.get("/Annots", []) if a.get("/Subtype") == "/Widget")
        numbers = list(pdf.Root.StructTreeRoot.ParentTree.Nums)
        element = dict(zip(numbers[::2], numbers[1::2]))[int(widget.StructParent)]
        assert element.S == "/Form" and element.K.Type == "/OBJR" and element.K.Obj.objgen == widget.objgen
        assert str(widget.TU) and element.P.objgen == pdf.Root.StructTreeRoot.K.objgen
        assert pdf.Root.Perms.DocMDP.objgen  # a certification: no changes permitted after it
    data = path.read_bytes()
    altered = _append_update(data, "Someone Else, Elsewhere")
    context = ValidationContext(trust_roots=[load_cert_from_pemder(ca)], allow_fetching=False,
                                revocation_mode="soft-fail")
    status = validate_pdf_signature(PdfFileReader(io.BytesIO(altered)).embedded_signatures[0], context)
    assert status.intact and status.valid  # the signed revision is untouched...
    assert status.coverage == SignatureCoverageLevel.ENTIRE_REVISION  # ...but the file has more after it
    signer = Signer(desk.lists)
    signer.check(data)
    with pytest.raises(SignatureCheckFailed):
        signer.check(altered)


def test_a_key_that_is_not_the_certificates_is_refused_before_anything_is_sent(desk, mailserver, tmp_path,
                                                                              monkeypatch, capsys):
    os.makedirs(tmp_path / "a")
    os.makedirs(tmp_path / "b")
    _, _, cert = make_ca(str(tmp_path / "a"), b"")
    _, other_key, _ = make_ca(str(tmp_path / "b"), b"")
    monkeypatch.setenv("BRIEFING_SIGN_KEY", other_key)
    monkeypatch.setenv("BRIEFING_SIGN_CERT", cert)
    desk.write_list(desk.readers(3), sign=True)
    server = mailserver()
    assert desk.run("--smtp", server.url) == 1
    assert f"{other_key}: this key does not belong to the certificate" in capsys.readouterr().err
    assert server.messages() == [] and desk.rows() == []
    db = sqlite3.connect(desk.ledger)
    assert db.execute("SELECT COUNT(*) FROM copies").fetchone() == (0,)  # no copy numbers handed out either
    db.close()


def test_signing_without_a_key_is_a_clear_error(desk, capsys):
    desk.write_list(desk.readers(1), sign=True)
    assert desk.run("--outbox", os.path.join(desk.folder, "o")) == 1
    assert "this list asks for signed copies, but BRIEFING_SIGN_KEY is not set" in capsys.readouterr().err


def test_no_server_at_the_address_stops_the_run_with_nothing_recorded(desk, mailserver, capsys):
    desk.write_list(desk.readers(2))
    server = mailserver()
    server.stop()  # its port is now closed
    assert desk.run("--smtp", server.url) == 3
    err = capsys.readouterr().err
    assert f"cannot send through smtp://127.0.0.1:{server.port}:" in err and "run the same command again" in err
    assert "nothing was sent" in err
    assert desk.rows() == []  # the connection is made before anything is recorded


def test_brief_option_limits_a_run_to_some_of_the_lists_briefs(desk, tmp_path, capsys):
    other = next((b for b in desk.briefs if b != desk.brief and desk.audiences[0] in desk.briefs[b]["audiences"]),
                 None)
    if other is None:
        pytest.skip("no second brief for this audience in this project")
    desk.write_list([{**desk.readers(1)[0], "audience": desk.audiences[0], "briefs": [desk.brief, other]}])
    assert desk.run("--brief", other, "--outbox", str(tmp_path / "o")) == 0
    assert [r["brief"] for r in desk.rows()] == [other]
    assert desk.run("--brief", "no-such-brief", "--dry-run") == 2
    assert "no reader of" in capsys.readouterr().err


def test_the_stamp_keeps_what_a_page_already_draws(root):
    """A page with drawings of its own (a logo as a form XObject) keeps them beside the stamp."""
    from pypdf import PdfReader
    from reportlab.pdfgen import canvas

    from briefing.distribute.stamp import Issue, Stamper
    from briefing.style import load_style

    out = io.BytesIO()
    c = canvas.Canvas(out, invariant=1)
    c.beginForm("logo")
    c.drawString(5, 60, "Logo text")
    c.endForm()
    for text in ("First page", "Second page"):
        c.doForm("logo")
        c.drawString(100, 300, text)
        c.showPage()
    c.save()
    stamper = Stamper(out.getvalue(), load_style(os.path.join(root, "templates", "style.yaml")))
    copy = stamper.copy(Issue(12, "Ana Lúcia", "Office", revision=3))
    assert copy == stamper.copy(Issue(12, "Ana Lúcia", "Office", revision=3))
    pages = PdfReader(io.BytesIO(copy)).pages
    assert [p.extract_text().splitlines() for p in pages] == [
        ["Logo text", text, "Copy 12 — issued to Ana Lúcia, Office · revision 3, supersedes revision 2"]
        for text in ("First page", "Second page")]


# --- faults: each with its exact message, nothing sent (tests/data/distribute/faults) ----------------------

def _fault_cases() -> list[str]:
    return sorted(n[:-5] for n in os.listdir(FAULTS) if n.endswith(".yaml"))


def _mount_ram_disk(folder: str, size: str = "300k") -> None:
    os.makedirs(folder, exist_ok=True)
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a RAM disk needs root")
    run = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", folder], capture_output=True)
    if run.returncode:
        pytest.skip(f"cannot mount a RAM disk here: {run.stderr.decode().strip()}")


@pytest.mark.parametrize("case", _fault_cases())
def test_each_fault_gives_its_message_and_sends_nothing(case, desk, mailserver, monkeypatch, capsys, tmp_path):
    with open(os.path.join(FAULTS, case + ".yaml"), encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    with open(os.path.join(FAULTS, case + ".expected"), encoding="utf-8") as f:
        expected = f.read().rstrip("\n")
    audience = desk.audiences[0]
    title = yaml.safe_load(open(os.path.join(desk.templates, "briefs", desk.brief + ".yaml")))["title"]

    def fill(text: str) -> str:
        return text.replace("{brief}", desk.brief).replace("{audience}", audience)

    with open(os.path.join(desk.lists, "desk.yaml"), "w", encoding="utf-8") as f:
        f.write(fill(spec["list"]))
    if spec.get("cover"):
        with open(os.path.join(desk.lists, "cover.txt.j2"), "w", encoding="utf-8") as f:
            f.write(spec["cover"])
    monkeypatch.chdir(desk.folder)
    server = mailserver()
    mounted, held = [], []
    setup = spec.get("setup", [])
    if "outbox-is-a-file" in setup:
        os.makedirs("outbox")
        open("outbox/desk", "w").write("a file")
    if "outbox-read-only" in setup or "outbox-disk-full" in setup:
        _mount_ram_disk("outbox")
        mounted.append(os.path.abspath("outbox"))
        os.makedirs("outbox/desk")
        if "outbox-read-only" in setup:
            subprocess.run(["mount", "-o", "remount,ro", "outbox"], check=True)
        else:
            with open("outbox/filler", "wb") as f:
                with pytest.raises(OSError):
                    while True:
                        f.write(b"\0" * 65536)
                        f.flush()
    if "ledger-damaged" in setup:
        with open("distribution/ledger.sqlite", "wb") as f:
            f.write(b"this is not a database, whatever its name says\n" * 100)
    if "ledger-locked" in setup:
        from briefing.distribute.ledger import Ledger

        Ledger("distribution/ledger.sqlite").close()
        monkeypatch.setattr(Ledger, "busy_seconds", 0.3)  # the same refusal as after the real 5 s, sooner
        holder = sqlite3.connect("distribution/ledger.sqlite", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        held.append(holder)
    if "not-a-ledger" in setup:
        other = sqlite3.connect("people.sqlite")
        other.execute("CREATE TABLE people (name TEXT)")
        other.commit()
        other.close()
    if "key-not-the-certificates" in setup:
        os.makedirs("keys")
        _, _, cert = make_ca("keys", b"")
        os.rename("keys/key.pem", "keys/unused.pem")
        os.rename("keys/cert.pem", "keys/desk-cert.pem")
        _, other_key, _ = make_ca("keys", b"")
        os.rename(other_key, "keys/other-key.pem")
        monkeypatch.setenv("BRIEFING_SIGN_KEY", "keys/other-key.pem")
        monkeypatch.setenv("BRIEFING_SIGN_CERT", "keys/desk-cert.pem")
    if "server-down" in setup:
        server.stop()
    args = [server.url if a == "--smtp" else a for a in spec["args"]]
    args = [a for pair in zip(spec["args"], args) for a in ((pair[0], pair[1]) if pair[0] == "--smtp" else (pair[1],))]
    capsys.readouterr()
    try:
        status = main(["distribute", "desk", *args])
    finally:
        for holder in held:
            holder.execute("ROLLBACK")
            holder.close()
        for folder in mounted:
            subprocess.run(["umount", "-l", folder], check=False)
    err = capsys.readouterr().err.rstrip("\n")
    # The project copy names no corpus: build's one warning about it is not the fault's message.
    err = re.sub(r"\n?\S*briefing.yaml: warning: the quotes were not verified.*\n    .*", "", err)
    assert err == fill(expected).replace("{port}", str(server.port)).replace("{title}", title)
    assert status == spec["status"]
    assert "Traceback" not in err
    if "server-down" not in setup:
        assert server.messages() == []
    if os.path.exists("distribution/ledger.sqlite") and "ledger-damaged" not in setup:
        db = sqlite3.connect("distribution/ledger.sqlite")
        assert db.execute("SELECT COUNT(*) FROM deliveries WHERE result = 'sent'").fetchone() == (0,)
        db.close()


# --- headers: what the server receives -------------------------------------------------------------------------

def _received_headers(msg) -> list[tuple[str, str]]:
    return [(name, " ".join(str(value).split())) for name, value in msg.items()]


def test_the_server_receives_exactly_the_headers_meant_for_names_that_look_like_headers(desk, mailserver):
    """Names and an organisation that are hard on headers but legitimate (quotes, commas, angle brackets, a colon,
    "=?" without an encoded word, non-Latin scripts) arrive as written, in exactly the intended headers."""
    readers = [
        {"name": 'Dr "Ana", Lúcia <Bcc: x@evil.example>', "organisation": "Office: =? not a word ?= ; Bcc",
         "email": "ana@example.org", "audience": desk.audiences[0], "briefs": [desk.brief]},
        {"name": "王小明 Ünal", "organisation": "وزارة التجارة", "email": "wang@example.org",
         "audience": desk.audiences[1], "briefs": [desk.brief]},
    ]
    with open(os.path.join(desk.lists, "cover.txt.j2"), "w", encoding="utf-8") as f:
        f.write("Subject: {{ brief.title }} for {{ recipient.name }}, {{ recipient.organisation }}\n\nHello.\n")
    desk.write_list(readers, reply_to="Replies <replies@example.org>")
    server = mailserver()
    assert desk.run("--smtp", server.url) == 0
    got = server.messages()
    assert sorted(rcpt for rcpt, _ in got) == [["ana@example.org"], ["wang@example.org"]]  # the envelope: only them
    rows = {r["recipient"]: r for r in desk.rows()}
    title = yaml.safe_load(open(os.path.join(desk.templates, "briefs", desk.brief + ".yaml")))["title"]
    for rcpt, msg in got:
        reader = next(r for r in readers if r["email"] == rcpt[0])
        headers = _received_headers(msg)
        assert [name for name, _ in headers] == ["From", "Reply-To", "To", "Subject", "Date", "Message-ID",
                                                 "MIME-Version", "Content-Type"]
        assert msg["From"].addresses[0].addr_spec == "desk@example.org" and len(msg["From"].addresses) == 1
        assert msg["Reply-To"].addresses[0].addr_spec == "replies@example.org"
        (to,) = msg["To"].addresses
        assert (to.display_name, to.addr_spec) == (reader["name"], reader["email"])
        assert str(msg["Subject"]) == f"{title} for {reader['name']}, {reader['organisation']}"
        assert msg["Message-ID"] == rows[rcpt[0]]["message_id"]
        assert not [part.defects for part in msg.walk() if part.defects]


@pytest.mark.parametrize("name", [
    "=?utf-8?q?X=0D=0ABcc=3A_spy@evil.example?=",
    "=?UTF-8?B?WA0KQmNjOiBzcHlAZXZpbC5leGFtcGxl?=",
    "Reader \u202egpj.exe",
    "Reader\u2028Bcc: spy@evil.example",
])
def test_a_name_that_would_change_the_headers_never_reaches_a_message(name):
    """The list refuses these; and were one to slip past, the message reads its own headers back and refuses."""
    from briefing.distribute.deliver import check_headers, message
    from briefing.distribute.headers import HeaderMismatch, header_problem

    assert header_problem(name)
    desk, date = ("Desk", "desk@example.org"), "Fri, 04 Dec 2026 10:00:00 +0000"
    for reader, subject in ((name, "Subject"), ("Reader", name)):
        with pytest.raises(HeaderMismatch):
            check_headers(desk, None, reader, "reader@example.org", subject, "<id@example.org>", None, date)
        with pytest.raises(HeaderMismatch):
            message(desk, None, reader, "reader@example.org", subject, "Hello", "<id@example.org>", None, b"%PDF-1.7",
                    "copy.pdf", date)


@pytest.mark.parametrize("name", ["=?utf-8?q?X=0D=0ABcc=3A_spy@evil.example?=",
                                  "=?UTF-8?B?WA0KQmNjOiBzcHlAZXZpbC5leGFtcGxl?="])
def test_reading_the_headers_back_catches_an_encoded_word_even_if_the_value_check_missed_it(name, monkeypatch):
    from briefing.distribute import deliver
    from briefing.distribute.headers import HeaderMismatch

    monkeypatch.setattr(deliver, "header_problem", lambda text: None)  # the first line of defence gone
    with pytest.raises(HeaderMismatch, match="Bcc"):
        deliver.check_headers(("Desk", "desk@example.org"), None, name, "reader@example.org", "Subject",
                              "<id@example.org>", None, "Fri, 04 Dec 2026 10:00:00 +0000")


# --- one run at a time ---------------------------------------------------------------------------------------

_DRIVER = r"""
import os, signal, sys, time
mode = sys.argv[1]
import briefing.distribute.deliver as deliver
import briefing.distribute.ledger as ledger

def kill():
    os.kill(os.getpid(), signal.SIGKILL)

calls = {"n": 0}

def hit(nth):
    calls["n"] += 1
    if calls["n"] == nth:
        kill()

if mode.startswith("slow:"):  # each copy takes this long to write into an outbox or folder
    pause, real = float(mode[5:]), deliver._Files.send
    def send(self, *args):
        time.sleep(pause)
        return real(self, *args)
    deliver._Files.send = send
elif mode.startswith("kill:"):  # killed (SIGKILL) at one step of the nth send
    _, step, nth = mode.split(":")
    nth = int(nth)
    real_intend, real_resolve = ledger.Ledger.intend, ledger.Ledger.resolve
    real_smtp, real_files = deliver.Smtp.send, deliver._Files.send
    if step == "before-intent":
        def intend(self, **fields):
            hit(nth)
            return real_intend(self, **fields)
        ledger.Ledger.intend = intend
    elif step == "after-intent":
        def intend(self, **fields):
            row = real_intend(self, **fields)
            hit(nth)
            return row
        ledger.Ledger.intend = intend
    elif step == "after-accepted":
        def smtp(self, *args):
            result = real_smtp(self, *args)
            hit(nth)
            return result
        def files(self, *args):
            result = real_files(self, *args)
            hit(nth)
            return result
        deliver.Smtp.send, deliver._Files.send = smtp, files
    elif step == "before-record":
        def resolve(self, delivery, result, detail, sha256=None):
            if result == "sent":
                hit(nth)
            return real_resolve(self, delivery, result, detail, sha256)
        ledger.Ledger.resolve = resolve
from briefing.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _spawn(desk, mode: str, *args: str, list_path: str | None = None) -> subprocess.Popen:
    """`briefing distribute` in a subprocess, slowed or killed as `mode` says (see _DRIVER)."""
    env = {**os.environ, "PYTHONPATH": ROOT}
    return subprocess.Popen([sys.executable, "-c", _DRIVER, mode, *desk.argv(*args, list_path=list_path)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_lock(desk, proc: subprocess.Popen, timeout: float = 120) -> None:
    """Return once `proc` holds the ledger's run lock (it writes its process id into LEDGER.lock)."""
    import time

    lock = desk.ledger + ".lock"
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the run ended before it took the lock: {proc.communicate()}")
        if os.path.exists(lock) and open(lock).read().strip() == str(proc.pid):
            return
        time.sleep(0.05)
    raise AssertionError("the run never took the lock")


def test_two_runs_at_once_deliver_each_copy_exactly_once(desk, mailserver):
    desk.write_list(desk.readers(8))
    server = mailserver("--delay", "0.25")  # a slow server: the first run holds the ledger for seconds
    first = _spawn(desk, "none", "--smtp", server.url)
    _wait_for_lock(desk, first)
    waiting = _spawn(desk, "none", "--smtp", server.url, "--wait")
    refusing = _spawn(desk, "none", "--smtp", server.url)
    out_refused, err_refused = refusing.communicate(timeout=300)
    assert refusing.returncode == 3, err_refused  # the environment: another run holds the ledger
    assert f"another `briefing distribute` (process {first.pid}) is using the ledger {desk.ledger}" in err_refused
    assert "nothing was sent by this run" in err_refused and "--wait" in err_refused
    out_first, err_first = first.communicate(timeout=300)
    out_waiting, err_waiting = waiting.communicate(timeout=300)
    assert (first.returncode, waiting.returncode) == (0, 0), (err_first, err_waiting)
    assert f"waiting for another run (process {first.pid}) to finish" in err_waiting
    assert "8 sent, 0 up to date" in out_first and "0 sent, 8 up to date" in out_waiting
    got = sorted(rcpt[0] for rcpt, _ in server.messages())
    assert got == sorted(f"reader{i}@example.org" for i in range(8))  # each copy once: 8 messages, not 16
    assert len(desk.rows("result = 'sent'")) == 8 and len(desk.rows()) == 8


def test_copy_numbers_stay_unique_when_runs_overlap(desk, tmp_path):
    """Two lists sharing readers, sent at once to two outboxes through one ledger: each reader one number."""
    first_list = desk.write_list(desk.readers(6), name="first")
    second_list = desk.write_list(desk.readers(6, start=3), name="second")
    a = _spawn(desk, "slow:0.2", "--outbox", str(tmp_path / "a"), list_path=first_list)
    _wait_for_lock(desk, a)
    b = _spawn(desk, "slow:0.2", "--outbox", str(tmp_path / "b"), "--wait", list_path=second_list)
    for proc in (a, b):
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    db = sqlite3.connect(desk.ledger)
    copies = db.execute("SELECT recipient, copy FROM copies WHERE brief = ?", (desk.brief,)).fetchall()
    counter = db.execute("SELECT last FROM counters WHERE brief = ?", (desk.brief,)).fetchone()[0]
    db.close()
    assert len(copies) == 9 and sorted(n for _, n in copies) == list(range(1, 10)) and counter == 9
    by_reader = dict(copies)
    for row in desk.rows():  # every delivery carries its reader's one number, in both outboxes
        assert row["copy"] == by_reader[row["recipient"]]


# --- a run killed at each step of a send -----------------------------------------------------------------

@pytest.mark.parametrize("where, step", [("smtp", "before-intent"), ("smtp", "after-intent"),
                                         ("smtp", "after-accepted"), ("smtp", "before-record"),
                                         ("outbox", "after-accepted")])
def test_a_run_killed_at_any_step_of_a_send_then_run_again_leaves_every_reader_one_copy(desk, mailserver, tmp_path,
                                                                                       where, step, capsys):
    desk.write_list(desk.readers(4))
    server = mailserver() if where == "smtp" else None
    to = ["--smtp", server.url] if server else ["--outbox", str(tmp_path / "outbox")]
    killed = _spawn(desk, f"kill:{step}:2", *to)
    killed.communicate(timeout=300)
    assert killed.returncode == -9  # SIGKILL, at the second copy
    possibly = [r["recipient"] for r in desk.rows("result = 'possibly-sent'")]
    assert possibly == ([] if step == "before-intent" else ["reader1@example.org"])
    # --status says which reader may or may not have their copy, and that the run did not finish
    capsys.readouterr()
    assert desk.run("--status") == 0
    status = capsys.readouterr().out.splitlines()
    lines = {line.split("<")[1].split(">")[0]: line for line in status if "<" in line}
    assert "reader0@example.org" in lines and "supersedes" not in lines["reader0@example.org"]
    for address in ("reader2@example.org", "reader3@example.org"):
        assert lines[address].split()[-1] == "waiting"
    if possibly:
        assert "POSSIBLY SENT" in lines["reader1@example.org"] and "same Message-ID" in lines["reader1@example.org"]
    else:
        assert lines["reader1@example.org"].split()[-1] == "waiting"
    assert any(f"(process {killed.pid}," in line and "stopped before it finished: 4 planned" in line
               for line in status)
    assert status[-1].endswith(f"1 up to date, 0 with a newer version waiting; {len(possibly)} possibly sent; "
                               f"0 waiting after a failure; {3 - len(possibly)} not sent yet")
    # the run again: everyone has their copy, none twice unless possibly sent (then under the same Message-ID)
    rerun = _spawn(desk, "none", *to)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    rows = desk.rows()
    assert sorted(r["recipient"] for r in rows if r["result"] == "sent") == [f"reader{i}@example.org" for i in range(4)]
    assert [r["result"] for r in rows] == ["sent"] * 4  # one row per copy, every one settled
    if server:
        got: dict[str, list[str]] = {}
        for rcpt, msg in server.messages():
            got.setdefault(rcpt[0], []).append(msg["Message-ID"])
        for r in rows:
            ids = got[r["recipient"]]
            twice = step in ("after-accepted", "before-record") and r["recipient"] in possibly
            assert ids == [r["message_id"]] * (2 if twice else 1)  # a resend carries the same Message-ID
            if r["recipient"] in possibly:
                assert "sent again after an interrupted run, with the same Message-ID" in r["detail"]
    else:  # an outbox can say whether it holds the file: found whole, recorded, not written again
        assert "1 found already delivered" in out
        assert sorted(f for f in os.listdir(tmp_path / "outbox") if f.endswith(".eml")) == \
            sorted(r["detail"] for r in rows)
    capsys.readouterr()
    assert desk.run("--status") == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("4 up to date, 0 with a newer version waiting; "
                                                               "0 possibly sent; 0 waiting after a failure; "
                                                               "0 not sent yet")


# --- versions: what a brief says, not its bytes ------------------------------------------------------------

def _eml(folder) -> dict[str, email.message.EmailMessage]:
    out = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith(".eml"):
            with open(os.path.join(folder, name), "rb") as f:
                out[name] = email.message_from_binary_file(f, policy=email.policy.default)
    return out


def _text(pdf: bytes) -> str:
    """A one-page PDF's text, its lines joined by single spaces."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        assert len(doc.pages) == 1
        return " ".join(doc.pages[0].extract_text().split())


def test_a_change_to_the_pdf_bytes_alone_sends_nothing_and_reissue_sends_it_deliberately(desk, tmp_path, capsys):
    """A new text colour changes every PDF's bytes, as a reportlab, font or zlib upgrade would; what the briefs
    say is the same, so nobody is sent a "revision"."""
    desk.write_list(desk.readers(2))
    outbox = str(tmp_path / "outbox")
    assert desk.run("--outbox", outbox) == 0
    before = {r["recipient"]: r for r in desk.rows()}
    style = os.path.join(desk.templates, "style.yaml")
    text = open(style, encoding="utf-8").read()
    assert 'text: "1A1A1A"' in text
    open(style, "w", encoding="utf-8").write(text.replace('text: "1A1A1A"', 'text: "202020"'))
    capsys.readouterr()
    assert desk.run("--outbox", outbox) == 0
    assert "0 sent, 2 up to date" in capsys.readouterr().out
    assert len(desk.rows()) == 2
    assert desk.run("--outbox", outbox, "--reissue") == 0
    assert "2 sent, 0 up to date" in capsys.readouterr().out
    for row in desk.rows("revision = 2"):
        old = before[row["recipient"]]
        assert row["version"] == old["version"] and row["supersedes"] == old["id"] and row["sha256"] != old["sha256"]
        msg = _eml(outbox)[row["detail"]]
        body = msg.get_body(("plain",)).get_content()
        assert "Changes since your copy of" in body and "Nothing in the text has changed" in body
        assert "Nothing in the text has changed" in _text(sheet(msg))


def _used_facts(desk, audience: str) -> list[str]:
    from briefing.build import compose_pairs
    from briefing.project import Project

    project = Project.load(desk.facts, desk.templates, directory=desk.folder)
    (composed,) = compose_pairs(project, [(project.briefs[desk.brief], project.audiences[audience])])
    return [f for f in project.facts.facts if f in composed.used]


def _footers(pdf: bytes) -> list[str]:
    """The running footer of each page: the line that says which page it is."""
    from pypdf import PdfReader

    return [next(line.strip() for line in page.extract_text().splitlines() if " · Page " in line)
            for page in PdfReader(io.BytesIO(pdf)).pages]


def _fonts(pdf: bytes) -> set[str]:
    """The font families a PDF sets text in (subset prefixes dropped)."""
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


BOTTOM_LINE = "The visit binds the two leaders to yearly meetings, whatever Tarvel's election brings."
"""A bottom line the tests give the brief, and its revision."""
REVISED_BOTTOM_LINE = "The visit binds the two leaders to yearly meetings, unless Tarvel's election changes them."


def _judgments(desk, edit) -> dict:
    """Apply `edit` to the data of the brief's judgments file; return the data."""
    path = os.path.join(desk.templates, "judgments", desk.brief + ".yaml")
    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    edit(data)
    with open(path, "w", encoding="utf-8") as f:
        yaml.safe_dump(data, f, allow_unicode=True, sort_keys=False, width=1000)
    return data


def _revise(desk, audience: str) -> tuple[dict, str, str]:
    """Reword one fact the brief prints for `audience`, lower another's confidence and set the brief's bottom
    line to REVISED_BOTTOM_LINE; return the facts, the fact whose confidence was lowered and how (`high →
    moderate`)."""
    used = _used_facts(desk, audience)
    with open(desk.facts, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    facts = {f["id"]: f for f in data["facts"]}
    lower = {"high": "moderate", "moderate": "low"}
    reworded, lowered = used[0], next(f for f in used[1:] if facts[f].get("confidence", "high") in lower)
    statement = facts[reworded]["statement"].rstrip(".") + ", according to a revised account's 'first' figures."
    facts[reworded]["statement"] = statement
    was = facts[lowered].get("confidence", "high")
    facts[lowered]["confidence"] = lower[was]
    with open(desk.facts, "w", encoding="utf-8") as f:
        yaml.safe_dump(data, f, allow_unicode=True, sort_keys=False, width=1000)
    _judgments(desk, lambda j: j.update(bottom_line=REVISED_BOTTOM_LINE))
    return facts, lowered, f"{was} → {lower[was]}"


def test_a_revision_in_the_outbox_carries_a_note_of_what_changed_since_the_readers_copy(desk, tmp_path, capsys):
    """In the cover message, and on a sheet of its own attached after the copy: set like the brief's own pages
    (its title block, handling marking, running footer, fonts), stamped like the copy. The copy itself is the
    brief as every reader of that version has it: the same pages, each saying truly which of how many it is."""
    import datetime as dt

    from briefing.mdtext import typographic
    from briefing.project import Project

    reader = desk.readers(1, start=1)[0]  # the analyst: that version prints the statements of the facts it cites
    desk.write_list([reader])
    outbox = str(tmp_path / "outbox")
    _judgments(desk, lambda j: j.update(bottom_line=BOTTOM_LINE))
    assert desk.run("--outbox", outbox) == 0
    (first,) = desk.rows()
    facts, lowered, lowering = _revise(desk, reader["audience"])
    since = dt.date.fromisoformat(first["time"][:10])
    title = f"Changes since your copy of {since.day} {since:%B} {since.year}"
    reworded = next(f for f in facts.values() if "according to a revised account" in f["statement"])
    expected = [f"Revised: {reworded['statement']}", f"Revised: {facts[lowered]['statement']} (confidence: {lowering})",
                f"Bottom line revised: {REVISED_BOTTOM_LINE}"]
    expected = [typographic(line) for line in expected]  # as the brief prints quotation marks and apostrophes
    note = f"{title}:\n" + "\n".join(f"- {line}" for line in expected)
    capsys.readouterr()
    assert desk.run("--outbox", outbox, "--dry-run") == 0  # the desk reads what each reader will be told
    assert f"change note for {desk.brief} ({reader['audience']}), to {reader['name']}:\n" \
           + "\n".join("    " + line for line in note.splitlines()) in capsys.readouterr().out
    assert desk.run("--outbox", outbox) == 0
    (second,) = desk.rows("revision = 2")
    msg = _eml(outbox)[second["detail"]]
    body = msg.get_body(("plain",)).get_content()
    assert note in body and f"sent on {since.day} {since:%B} {since.year}; please destroy" in body
    assert list(attachments(msg)) == [second["detail"][:-4] + ".pdf", second["detail"][:-4] + ".changes.pdf"]

    copy, earlier = attachment(msg), attachment(_eml(outbox)[first["detail"]])
    handling = Project.load(desk.facts, desk.templates, directory=desk.folder).audiences[reader["audience"]].handling
    pages = len(_footers(earlier))
    assert _footers(copy) == _footers(earlier) == [f"{handling} · Page {n} of {pages}" for n in range(1, pages + 1)]
    limit = yaml.safe_load(open(os.path.join(desk.templates, "audiences", reader["audience"] + ".yaml")))["page_limit"]
    assert limit is None or pages <= limit

    page = _text(sheet(msg))
    assert page.startswith(f"{handling} {title}")  # the handling marking above the title, as on the brief
    assert all(" ".join(line.split()) in page for line in expected)
    assert f"{handling} · Page 1 of 1" in page
    assert page.endswith(f"Copy {first['copy']} — issued to {reader['name']}, {reader['organisation']} · revision 2, "
                         "supersedes revision 1")  # stamped like the copy
    assert "'" not in page and '"' not in page
    assert _fonts(sheet(msg)) <= _fonts(copy)  # the house fonts


def test_a_change_sheet_too_long_for_a_page_is_numbered_and_marked_as_the_briefs_pages_are(desk):
    """Twelve long lines and the one saying how many more can take more than a page: each page then carries the
    handling marking and says truly which of how many it is, as the brief's pages do; made again, it is the same
    bytes."""
    import types

    import pdfplumber

    from briefing.distribute.note import ChangeNote, ChangeNotes
    from briefing.distribute.run import current_versions
    from briefing.project import Project

    project = Project.load(desk.facts, desk.templates, directory=desk.folder)
    pair = (desk.brief, desk.audiences[1])
    job = types.SimpleNamespace(version=current_versions(project, [pair])[pair])
    lines = [f"Key judgment revised: judgment {n}, " + "worded at length so as to run over several lines, " * 6
             + "ends here (basis changed)" for n in range(40)]
    note = ChangeNote("5 December 2026", lines)
    made = ChangeNotes(project, None).sheet(job, note)
    handling = project.audiences[pair[1]].handling
    with pdfplumber.open(io.BytesIO(made)) as doc:
        pages = [page.extract_text().splitlines() for page in doc.pages]
    assert len(pages) > 1
    assert [page[-1] for page in pages] == [f"{handling} · Page {n} of {len(pages)}" for n in range(1, len(pages) + 1)]
    assert pages[0][:2] == [handling, note.title]  # the title block, under the marking
    assert all(page[0] == f"{handling} · {project.briefs[desk.brief].title}" for page in pages[1:])  # running header
    assert ChangeNotes(project, None).sheet(job, note) == made


def test_a_reader_moved_to_another_audience_is_told_so_first(desk, tmp_path):
    from briefing.project import Project

    reader = desk.readers(1)[0]
    desk.write_list([reader])
    folder = tmp_path / "copies"
    assert desk.run("--folder", str(folder)) == 0
    desk.write_list([{**reader, "audience": desk.audiences[1]}])
    assert desk.run("--folder", str(folder)) == 0
    (row,) = desk.rows("revision = 2")
    assert row["audience"] == desk.audiences[1]
    audiences = Project.load(desk.facts, desk.templates, directory=desk.folder).audiences
    page = _text((folder / row["detail"].replace(".pdf", ".changes.pdf")).read_bytes())
    assert f"• This copy is the version for {audiences[desk.audiences[1]].label}; your earlier copy was the version " \
           f"for {audiences[desk.audiences[0]].label}. •" in page


def test_a_revision_and_its_sheet_pass_the_pdfua_checker_and_are_remade_byte_identical(desk, tmp_path):
    import uacheck

    reader = desk.readers(1)[0]
    desk.write_list([reader])
    judgments = os.path.join(desk.templates, "judgments", desk.brief + ".yaml")
    before = {path: open(path, encoding="utf-8").read() for path in (desk.facts, judgments)}
    made = []
    for run in ("a", "b"):  # the same inputs twice: the brief as it was, then as revised
        desk.ledger = str(tmp_path / f"{run}.sqlite")
        folder = tmp_path / run
        for path, text in before.items():
            open(path, "w", encoding="utf-8").write(text)
        assert desk.run("--folder", str(folder)) == 0
        _revise(desk, reader["audience"])
        assert desk.run("--folder", str(folder)) == 0
        (row,) = desk.rows("revision = 2")
        files = sorted(f for f in os.listdir(folder) if ".r2." in f)
        assert files == [row["detail"][:-4] + ".changes.pdf", row["detail"]]  # the sheet beside the copy
        for name in files:
            assert uacheck.problems(str(folder / name)) == [], name
        made.append(({f: (folder / f).read_bytes() for f in files}, desk.rows("revision = 1")[0]["time"][:10]))
    (a, a_day), (b, b_day) = made
    if a_day == b_day:  # the sheet names the day of the earlier copy: one made past midnight says another
        assert a == b


# --- destinations ---------------------------------------------------------------------------------------

def test_a_new_destination_gets_every_copy_and_status_shows_each(desk, mailserver, tmp_path, capsys):
    """A trial into an outbox (or a test relay) does not count as having e-mailed anyone."""
    desk.write_list(desk.readers(3))
    outbox = tmp_path / "trial"
    assert desk.run("--outbox", str(outbox)) == 0
    server = mailserver()
    capsys.readouterr()
    assert desk.run("--smtp", server.url) == 0
    assert "3 sent, 0 up to date" in capsys.readouterr().out
    assert sorted(rcpt[0] for rcpt, _ in server.messages()) == [f"reader{i}@example.org" for i in range(3)]
    assert desk.run("--outbox", str(tmp_path / "another")) == 0  # a second folder is a destination of its own
    assert {r["destination"] for r in desk.rows()} == {os.path.realpath(outbox), os.path.realpath(tmp_path / "another"),
                                                       f"smtp://127.0.0.1:{server.port}"}
    assert len({r["copy"] for r in desk.rows() if r["recipient"] == "reader1@example.org"}) == 1  # one number
    capsys.readouterr()
    assert desk.run("--status") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len([line for line in lines if line.startswith(f"smtp://127.0.0.1:{server.port}")]) == 3
    assert len([line for line in lines if line.startswith(os.path.realpath(outbox))]) == 3
    assert lines[-1].startswith("9 up to date")


# --- the stamp ----------------------------------------------------------------------------------------

def test_a_name_in_another_script_is_printed_on_the_copy(desk, tmp_path):
    reader = {**desk.readers(1)[0], "name": "王小明", "organisation": "Министерство торговли"}
    desk.write_list([reader])
    assert desk.run("--folder", str(tmp_path / "copies")) == 0
    (name,) = os.listdir(tmp_path / "copies")
    pdf = (tmp_path / "copies" / name).read_bytes()
    assert set(stamp_on_every_page(pdf)) == {"Copy 1 — issued to 王小明, Министерство торговли"}


# --- a ledger from before -------------------------------------------------------------------------------------

_FIRST_LEDGER = """
CREATE TABLE copies (brief TEXT NOT NULL, recipient TEXT NOT NULL, copy INTEGER NOT NULL,
                     PRIMARY KEY (brief, recipient), UNIQUE (brief, copy));
CREATE TABLE deliveries (id INTEGER PRIMARY KEY, list TEXT NOT NULL, recipient TEXT NOT NULL, name TEXT NOT NULL,
    organisation TEXT NOT NULL, brief TEXT NOT NULL, audience TEXT NOT NULL, copy INTEGER NOT NULL,
    revision INTEGER NOT NULL, version TEXT NOT NULL, sha256 TEXT NOT NULL, message_id TEXT NOT NULL,
    channel TEXT NOT NULL, destination TEXT NOT NULL, time TEXT NOT NULL, result TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '', supersedes INTEGER REFERENCES deliveries(id));
CREATE INDEX deliveries_by_reader ON deliveries (channel, recipient, brief, result);
"""


def test_a_ledger_written_by_the_first_version_is_kept_and_read(desk, tmp_path, capsys):
    """Its rows stay; its versions (digests of the shared PDF) still say who is up to date; a revision after it
    says the ledger cannot list the changes."""
    from briefing.build import render_in_memory
    from briefing.project import Project

    reader = desk.readers(1)[0]
    desk.write_list([reader])
    project = Project.load(desk.facts, desk.templates, directory=desk.folder)
    (shared,) = render_in_memory(project, [(project.briefs[desk.brief], project.audiences[reader["audience"]])],
                                 ["pdf"])
    folder = os.path.realpath(tmp_path / "copies")
    db = sqlite3.connect(desk.ledger)
    db.executescript(_FIRST_LEDGER)
    db.execute("INSERT INTO copies VALUES (?, ?, 7)", (desk.brief, reader["email"]))
    db.execute("INSERT INTO deliveries VALUES (1, 'desk', ?, ?, ?, ?, ?, 7, 1, ?, 'x', '<old@example.org>', "
               "'folder', ?, '2026-11-26T11:14:46Z', 'sent', 'old.pdf', NULL)",
               (reader["email"], reader["name"], reader["organisation"], desk.brief, reader["audience"],
                hashlib.sha256(shared.data).hexdigest(), folder))
    db.commit()
    db.close()
    assert desk.run("--folder", folder) == 0
    assert "0 sent, 1 up to date" in capsys.readouterr().out
    db = sqlite3.connect(desk.ledger)
    assert db.execute("PRAGMA user_version").fetchone() == (2,)
    assert db.execute("SELECT version FROM deliveries").fetchone()[0].startswith("pdf:")
    db.close()
    desk.change_brief()
    assert desk.run("--folder", folder) == 0
    (row,) = desk.rows("revision = 2")
    assert row["copy"] == 7 and row["supersedes"] == 1
    assert row["detail"].endswith(".r2.pdf")
    page = _text((tmp_path / "copies" / row["detail"].replace(".pdf", ".changes.pdf")).read_bytes())
    assert "Changes since your copy of 26 November 2026" in page
    assert "The ledger does not hold what your earlier copy said" in page


def test_a_disk_that_fills_up_mid_run_stops_it_and_the_next_run_sends_the_rest(desk, tmp_path, monkeypatch, capsys):
    """Two copies delivered, the third cannot be written: exit 3, the two recorded, the third recorded as not
    sent, and never "nothing was written"."""
    import errno

    from briefing.distribute import deliver

    desk.write_list(desk.readers(4))
    outbox = tmp_path / "outbox"
    real, calls = deliver.write_atomic, []

    def fill_up(path, data, durable=True):
        calls.append(path)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(path, data, durable)

    monkeypatch.setattr(deliver, "write_atomic", fill_up)
    assert desk.run("--outbox", str(outbox)) == 3
    err = capsys.readouterr().err
    assert f"stopped after 2 sent: the outbox {outbox} cannot be written: No space left on device" in err
    assert "free some space" in err and "nothing was written" not in err and "Traceback" not in err
    assert [r["result"] for r in desk.rows()] == ["sent", "sent", "failed"]
    assert len([f for f in os.listdir(outbox) if f.endswith(".eml")]) == 2
    monkeypatch.setattr(deliver, "write_atomic", real)
    assert desk.run("--outbox", str(outbox)) == 0
    assert "2 sent, 2 up to date" in capsys.readouterr().out
    assert sorted(r["recipient"] for r in desk.rows("result = 'sent'")) == [f"reader{i}@example.org" for i in range(4)]
