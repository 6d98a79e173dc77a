"""Where copies go: cover notes and RFC 5322 messages, and the outbox, folder and SMTP channels."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from email.message import EmailMessage

from briefing.distribute.headers import HeaderMismatch, header_problem, verify
from briefing.errors import EnvironmentFailure, InputError, Problem
from briefing.mdtext import CONTROL

class DeliveryError(Exception):
    """The channel stopped working (connection lost, server gone, disk full): the batch stops; the rest waits
    for a re-run."""

    def __init__(self, message: str, possibly_sent: bool = False):
        super().__init__(message)
        self.possibly_sent = possibly_sent
        """The message in hand may have reached the server (the connection dropped after it was handed over)."""


def fsync_folder(folder: str) -> None:
    """Make a folder's entries (a file created or renamed in it) durable."""
    fd = os.open(folder or ".", os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: str, data: bytes, durable: bool = True) -> None:
    """Write `data` to `path` through a temporary file in the same folder, so no reader sees half a file; with
    `durable`, the file and its folder entry are on the disk when this returns (else at the next `sync_folder`)."""
    folder = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        if durable:
            fsync_folder(folder)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def sync_folder(folder: str) -> None:
    """Put everything written into `folder`'s file system on the disk: one syncfs(2) for a batch of copies,
    instead of two fsyncs per copy (os.sync where syncfs is missing)."""
    import ctypes

    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        try:
            syncfs = ctypes.CDLL(None, use_errno=True).syncfs
        except (AttributeError, OSError):
            os.sync()
            return
        if syncfs(fd) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err), folder)
    finally:
        os.close(fd)


class Cover:
    """The cover-note template: `Subject: ...` on its first line, a blank line, then the note's text."""

    def __init__(self, path: str):
        from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
        from jinja2.sandbox import SandboxedEnvironment

        self.path = path
        env = SandboxedEnvironment(loader=FileSystemLoader(os.path.dirname(path) or "."), undefined=StrictUndefined,
                                   keep_trailing_newline=True, autoescape=False)
        try:
            self.template = env.get_template(os.path.basename(path))
        except TemplateError as e:
            raise InputError(Problem(path, getattr(e, "lineno", 0) or 0, 0, f"template error: {e}")) from None
        except UnicodeDecodeError:
            raise InputError(Problem(path, 0, 0, "the file is not UTF-8 text", "save it as UTF-8 in your editor")) \
                from None
        except OSError as e:  # it was there when the list was read: the file system failed
            raise EnvironmentFailure(f"cannot read the cover note {path}: {e.strerror or e}",
                                     "check the file's permissions, then run the same command again") from None

    def uses(self, name: str) -> bool:
        """Whether the template names the variable `name` (a desk's older template may not print `changes`)."""
        from jinja2 import meta

        with open(self.path, encoding="utf-8") as f:
            return name in meta.find_undeclared_variables(self.template.environment.parse(f.read()))

    def render(self, **context) -> tuple[str, str]:
        """Return (subject, body); raise InputError when the template fails or its subject would not be one plain
        header line."""
        from jinja2 import TemplateError

        hint = "the variables a cover note can use are listed in docs/distribute.md"
        try:
            text = self.template.render(**context)
        except TemplateError as e:
            raise InputError(Problem(self.path, getattr(e, "lineno", 0) or _template_line(e), 0,
                                     f"template error: {e}", hint)) from None
        except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as e:
            line = _template_line(e)
            if not line:  # raised in briefing's own code, not by an expression of the template: a bug
                raise
            raise InputError(Problem(self.path, line, 0, f"template error: {type(e).__name__}: {e}", hint)) from None
        head, _, body = text.partition("\n")
        if not head.startswith("Subject:"):
            raise InputError(Problem(self.path, 1, 1, "the first line must be `Subject: ...`",
                                     "start the template with the subject line, then a blank line, then the note"))
        subject = head[len("Subject:"):].strip()
        problem = "is empty" if not subject else header_problem(subject)
        if problem:
            raise InputError(Problem(self.path, 1, 1, f"the subject {problem}: {subject!r}",
                                     "keep the subject to one line of plain text"))
        if CONTROL.search(body.replace("\t", "")):
            raise InputError(Problem(self.path, 0, 0, "the note holds control characters", "remove them"))
        return subject, body.lstrip("\n")


def _template_line(error: Exception) -> int:
    """Return the line of the cover template an error was raised from (Jinja marks template frames with the
    template's file name), or 0 when briefing's own code raised it."""
    import traceback

    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    line = 0
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename and frame.filename.endswith(".j2"):
            line = frame.lineno or 0
        elif line and os.path.abspath(frame.filename).startswith(package + os.sep):
            line = 0  # the template called into briefing, which failed there
    return line


@dataclass(frozen=True)
class Message:
    """One RFC 5322 message, ready to write or send."""

    data: bytes
    """The whole message, CRLF line ends."""
    sender: str
    """The envelope sender: the From line's address."""
    to: str
    """The envelope recipient."""


_PLACEHOLDER = b"\0briefing attachment %d\0"


def _headed(sender: tuple[str, str], reply_to: tuple[str, str] | None, name: str, address: str, subject: str,
            message_id: str, supersedes: str | None, date: str) -> tuple[EmailMessage, list[tuple[str, object]]]:
    """Return a message holding only its headers, and the (name, value) pairs meant; raise HeaderMismatch for a
    value no header may hold."""
    from email.headerregistry import Address
    from email.policy import SMTP

    headers = [("From", Address(display_name=sender[0], addr_spec=sender[1]))]
    if reply_to:
        headers.append(("Reply-To", Address(display_name=reply_to[0], addr_spec=reply_to[1])))
    headers += [("To", Address(display_name=name, addr_spec=address)), ("Subject", subject), ("Date", date),
                ("Message-ID", message_id)]
    if supersedes:
        headers += [("Supersedes", supersedes), ("References", supersedes)]
    msg = EmailMessage(policy=SMTP)
    for key, value in headers:
        texts = [value.display_name, value.addr_spec] if isinstance(value, Address) else [value]
        problem = next(filter(None, map(header_problem, texts)), None)
        if problem:
            raise HeaderMismatch(f"the {key} header {problem}")
        try:
            msg[key] = value
        except ValueError as e:  # the email package refuses it outright
            raise HeaderMismatch(f"the {key} header: {e}") from None
    return msg, headers


def check_headers(sender: tuple[str, str], reply_to: tuple[str, str] | None, name: str, address: str, subject: str,
                  message_id: str, supersedes: str | None, date: str) -> None:
    """Raise HeaderMismatch unless a message with these headers, read back as a mail program reads it (decoded),
    holds exactly them. A run checks every reader's headers so, before anything is sent."""
    msg, headers = _headed(sender, reply_to, name, address, subject, message_id, supersedes, date)
    msg.set_content("")
    verify(msg.as_bytes(), [(key, str(msg["Date"]) if key == "Date" else str(value)) for key, value in headers])


def message(sender: tuple[str, str], reply_to: tuple[str, str] | None, name: str, address: str, subject: str,
            body: str, message_id: str, supersedes: str | None, pdf: bytes, filename: str, date: str,
            extra: list[tuple[str, bytes]] = ()) -> Message:
    """Return the message: the cover note as text, the personal copy attached (base64) first, then each of
    `extra` (file name, PDF: a revision's change sheet). Raise HeaderMismatch if a header value is refused;
    `check_headers` reads the same headers back (a run does, before it sends)."""
    msg, _ = _headed(sender, reply_to, name, address, subject, message_id, supersedes, date)
    msg.set_content(body)
    # The email package writes a base64 body one line at a time, which costs more than the copy itself; so
    # the message is made around short stand-ins, and each stand-in's encoded line is then replaced by its
    # PDF encoded in one call, in the same 76-character lines (RFC 2045) with CRLF ends.
    files = [(filename, pdf), *extra]
    for n, (file, _) in enumerate(files):
        msg.add_attachment(_PLACEHOLDER % n, maintype="application", subtype="pdf", filename=file)
    # A boundary drawn from the content (not at random), so a message re-made from the same inputs on the
    # same date is the same bytes; base64 and quoted-printable text never hold "=_".
    msg.set_boundary("=_briefing_" + hashlib.sha256(b"".join(data for _, data in files)
                                                    + body.encode("utf-8")).hexdigest()[:32])
    data = msg.as_bytes()
    for n, (_, attached) in enumerate(files):
        stand_in = base64.b64encode(_PLACEHOLDER % n) + b"\r\n"
        # The last such line: its part comes after the text and after every attachment put in so far.
        at = data.rindex(stand_in)
        data = data[:at] + base64.encodebytes(attached).replace(b"\n", b"\r\n") + data[at + len(stand_in):]
    return Message(data, sender[1], address)


def _file_failure(what: str, folder: str, e: OSError) -> EnvironmentFailure:
    """The environment failure for a folder that cannot take the copies, naming the real cause."""
    import errno

    hint = {errno.ENOSPC: "free some space on that disk, then run the same command again",
            errno.EDQUOT: "free some space within your quota, then run the same command again",
            errno.EROFS: "the disk is mounted read-only; choose another folder",
            errno.EACCES: "make the folder writable for you, or choose another",
            errno.ENOTDIR: "remove or rename it, or choose another path"}.get(
        e.errno, "fix the folder, then run the same command again")
    where = f" ({e.filename})" if e.filename and e.filename != folder else ""
    return EnvironmentFailure(f"{what} {folder} cannot be written: {e.strerror or e}{where}", hint)


class _Files:
    """A folder that takes one file per copy: what the outbox and a shared folder have in common."""

    channel = ""
    suffix = ""
    batched = True
    """Copies are made durable a batch at a time (`sync`): a copy lost to a power cut before its batch was synced
    is lost with its ledger rows, and the next run writes it again under the same name, with the same bytes."""

    def __init__(self, folder: str):
        self.folder = folder
        self.destination = os.path.realpath(folder)
        """Where copies go, as the ledger knows it: the folder's real path."""

    def prepare(self) -> None:
        """Make the folder and try writing in it, or raise EnvironmentFailure naming why copies cannot go there."""
        import errno

        what = "the outbox" if self.channel == "outbox" else "the folder"
        if os.path.lexists(self.folder) and not os.path.isdir(self.folder):
            raise _file_failure(what, self.folder, OSError(errno.ENOTDIR, "it is a file, not a folder"))
        try:
            os.makedirs(self.folder, exist_ok=True)
        except OSError as e:
            raise _file_failure(what, self.folder, e) from None
        try:
            with tempfile.TemporaryFile(dir=self.folder, prefix=".tmp-"):
                pass
        except OSError as e:  # the probe's own name says nothing
            raise _file_failure(what, self.folder, OSError(e.errno, e.strerror)) from None

    def payload(self, msg: Message, pdf: bytes) -> bytes:
        raise NotImplementedError

    def beside(self, extra: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
        """The files written beside the copy's (a revision's change sheet): none where the message holds them."""
        return []

    def send(self, msg: Message, pdf: bytes, name: str, extra: list[tuple[str, bytes]] = ()) -> tuple[str, str]:
        """Return ('sent', file name) once the file is on the disk; raise DeliveryError when it cannot be written
        (nothing is left behind: the file appears whole or not at all). Files written beside it go first, so a
        copy that is there whole has its change sheet beside it."""
        try:
            for file, data in self.beside(extra):
                write_atomic(os.path.join(self.folder, file), data, durable=False)
            write_atomic(os.path.join(self.folder, name + self.suffix), self.payload(msg, pdf), durable=False)
        except OSError as e:
            raise DeliveryError(str(_file_failure("the outbox" if self.channel == "outbox" else "the folder",
                                                  self.folder, e))) from None
        return "sent", name + self.suffix

    def sync(self) -> None:
        """Put the copies written so far on the disk (before the ledger's rows for them are)."""
        try:
            sync_folder(self.folder)
        except OSError as e:
            raise DeliveryError(str(_file_failure("the outbox" if self.channel == "outbox" else "the folder",
                                                  self.folder, e))) from None

    def holds(self, detail: str, sha256: str, pdf_of) -> bool:
        """Whether the file a possibly-sent delivery names is there, whole: the one question a folder can answer
        after a crash (`pdf_of(bytes)` returns the copy a file holds)."""
        try:
            with open(os.path.join(self.folder, detail), "rb") as f:
                data = f.read()
        except OSError:
            return False
        return hashlib.sha256(pdf_of(data)).hexdigest() == sha256

    def finish(self, deliveries) -> None:
        pass

    def close(self) -> None:
        pass


class Outbox(_Files):
    """Messages as .eml files in a folder, with a manifest: nothing leaves the machine."""

    channel = "outbox"
    suffix = ".eml"

    def payload(self, msg: Message, pdf: bytes) -> bytes:
        return msg.data

    def holds(self, detail: str, sha256: str, pdf_of=None) -> bool:
        return super().holds(detail, sha256, attached_pdf)

    def finish(self, deliveries) -> None:
        """Write manifest.json: every message this outbox holds, oldest first."""
        message_ids = {d.id: d.message_id for d in deliveries}
        rows = [{"file": d.detail, "to": d.recipient, "name": d.name, "organisation": d.organisation,
                 "brief": d.brief, "audience": d.audience, "copy": d.copy, "revision": d.revision,
                 "sha256": d.sha256, "message_id": d.message_id, "supersedes": message_ids.get(d.supersedes),
                 "time": d.time}
                for d in deliveries if d.result == "sent" and d.destination == self.destination]
        try:
            write_atomic(os.path.join(self.folder, "manifest.json"),
                         (json.dumps(rows, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
        except OSError as e:
            raise _file_failure("the outbox", self.folder, e) from None


def attached_pdf(data: bytes) -> bytes:
    """Return the PDF attached to a message written by `message`, or b"" if it holds none."""
    import email
    from email.policy import default

    msg = email.message_from_bytes(data, policy=default)
    for part in msg.iter_attachments():
        if part.get_content_type() == "application/pdf":
            return part.get_content()
    return b""


class Folder(_Files):
    """Personal copies as PDF files in a shared folder, one per reader and revision."""

    channel = "folder"
    suffix = ".pdf"

    def payload(self, msg: Message, pdf: bytes) -> bytes:
        return pdf

    def beside(self, extra: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
        return list(extra)

    def holds(self, detail: str, sha256: str, pdf_of=None) -> bool:
        return super().holds(detail, sha256, lambda data: data)


_LOOPBACK = re.compile(r"^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$")


class Smtp:
    """Sends through an SMTP server: smtp://host[:port] (STARTTLS) or smtps://host[:port] (TLS from the start).

    Credentials come from BRIEFING_SMTP_USER and BRIEFING_SMTP_PASSWORD, else from a netrc file entry for
    the host; never from the URL. Plain smtp:// without STARTTLS is allowed only to a loopback address."""

    channel = "smtp"
    batched = False
    """Each message is handed over once the intent for it is on the disk: a server cannot be asked later."""

    def __init__(self, url: str):
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("--smtp takes smtp://HOST[:PORT] or smtps://HOST[:PORT]")
        if parts.username or parts.password:
            raise ValueError("--smtp: do not put credentials in the URL; set BRIEFING_SMTP_USER and "
                             "BRIEFING_SMTP_PASSWORD, or use a netrc file")
        if parts.path not in ("", "/") or parts.query:
            raise ValueError("--smtp: the URL takes a host and a port only")
        self.tls = parts.scheme == "smtps"
        self.host = parts.hostname
        try:
            self.port = parts.port or (465 if self.tls else 587)
        except ValueError:
            raise ValueError("--smtp: the port is not a number") from None
        self.destination = f"{parts.scheme}://{self.host.lower()}:{self.port}"
        """Where copies go, as the ledger knows it."""
        self.conn = None

    def _credentials(self) -> tuple[str, str] | None:
        user, password = os.environ.get("BRIEFING_SMTP_USER"), os.environ.get("BRIEFING_SMTP_PASSWORD")
        if user and password:
            return user, password
        import netrc

        try:
            entry = netrc.netrc(os.environ.get("NETRC") or None).authenticators(self.host)
        except (FileNotFoundError, netrc.NetrcParseError, OSError):
            entry = None
        if entry and entry[0] and entry[2]:
            return entry[0], entry[2]
        return None

    def _open(self):
        import smtplib
        import ssl

        context = ssl.create_default_context()
        try:
            if self.tls:
                conn = smtplib.SMTP_SSL(self.host, self.port, timeout=60, context=context)
                secure = True
            else:
                conn = smtplib.SMTP(self.host, self.port, timeout=60)
                conn.ehlo()
                secure = conn.has_extn("starttls")
                if secure:
                    conn.starttls(context=context)
                    conn.ehlo()
                elif not _LOOPBACK.match(self.host):
                    conn.close()
                    raise DeliveryError(f"{self.destination} offers no STARTTLS; refusing to send in the clear")
            credentials = self._credentials()
            if credentials:
                if not secure:
                    conn.close()
                    raise DeliveryError(f"{self.destination}: no TLS, so the credentials are not sent")
                conn.login(*credentials)
        except (OSError, smtplib.SMTPException) as e:
            raise DeliveryError(f"{self.destination}: {e}") from None
        return conn

    def prepare(self) -> None:
        """Connect (and log in) before anything is recorded: a server that is down, offers no TLS or refuses the
        login stops the run here, with nothing sent; raise EnvironmentFailure saying which."""
        if self.conn is None:
            try:
                self.conn = self._open()
            except DeliveryError as e:
                raise EnvironmentFailure(f"cannot send through {e}",
                                         "nothing was sent; check the server's address and that it is up, "
                                         "then run the same command again") from None

    def holds(self, detail: str, sha256: str, pdf_of=None) -> bool | None:
        """Whether a possibly-sent message reached the server: SMTP cannot say (None)."""
        return None

    def sync(self) -> None:
        pass

    def send(self, msg: Message, pdf: bytes, name: str, extra=()) -> tuple[str, str]:
        """Return ('sent', the server's answer) once the server accepted the message, or ('refused', why); raise
        DeliveryError when the connection is gone — with `possibly_sent` when it went after the message was
        handed over and before the server answered, the one moment no client can know what happened."""
        import smtplib

        if self.conn is None:
            self.conn = self._open()
        conn = self.conn

        def answer(code: int, text: bytes) -> str:
            return f"{code} {text.decode('utf-8', 'replace')}".strip()

        def gone(e: Exception, possibly: bool = False) -> DeliveryError:
            self.conn = None
            return DeliveryError(f"{self.destination}: {e or type(e).__name__}", possibly)

        try:
            conn.ehlo_or_helo_if_needed()
            code, text = conn.mail(msg.sender, ["size=%d" % len(msg.data)] if conn.has_extn("size") else [])
            if code != 250:
                if code != 421:
                    conn.rset()
                raise DeliveryError(f"{self.destination} refuses the sender: {answer(code, text)}")
            code, text = conn.rcpt(msg.to)
            if code not in (250, 251):
                if code == 421:
                    raise gone(answer(code, text))
                conn.rset()
                return "refused", answer(code, text)
        except (OSError, smtplib.SMTPException) as e:
            raise gone(e) from None
        try:
            code, text = conn.data(msg.data)
        except smtplib.SMTPDataError as e:  # DATA itself refused: nothing was handed over
            if e.smtp_code == 421:
                raise gone(answer(e.smtp_code, e.smtp_error)) from None
            conn.rset()
            return "refused", answer(e.smtp_code, e.smtp_error)
        except (OSError, smtplib.SMTPException) as e:
            raise gone(e, possibly=True) from None
        if code != 250:
            if code == 421:
                raise gone(answer(code, text))
            conn.rset()
            return "refused", answer(code, text)
        return "sent", answer(code, text)

    def finish(self, deliveries) -> None:
        pass

    def close(self) -> None:
        import smtplib

        if self.conn is not None:
            try:
                self.conn.quit()
            except (OSError, smtplib.SMTPException):  # the server may already be gone; nothing is left to report
                pass
            self.conn = None
