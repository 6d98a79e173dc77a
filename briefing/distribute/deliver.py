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

from briefing.errors import InputError, Problem
from briefing.mdtext import CONTROL

_BREAKS = re.compile(r"[\r\n\x85\u2028\u2029]")


class DeliveryError(Exception):
    """The channel stopped working (connection lost, server gone): the batch stops; the rest waits for a re-run."""


def write_atomic(path: str, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder, so no reader sees half a file."""
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


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
        except OSError as e:
            raise InputError(Problem(path, 0, 0, f"cannot read the file: {e.strerror}")) from None

    def render(self, **context) -> tuple[str, str]:
        """Return (subject, body); raise InputError when the template fails or its subject would break the headers."""
        from jinja2 import TemplateError

        try:
            text = self.template.render(**context)
        except Exception as e:  # noqa: BLE001 - any failure of the desk's template is reported, never a traceback
            line = getattr(e, "lineno", 0) or _template_line(e)
            message = f"template error: {e}" if isinstance(e, TemplateError) else \
                f"template error: {type(e).__name__}: {e}"
            raise InputError(Problem(self.path, line, 0, message,
                                     "the variables a cover note can use are listed in docs/distribute.md")) from None
        head, _, body = text.partition("\n")
        if not head.startswith("Subject:"):
            raise InputError(Problem(self.path, 1, 1, "the first line must be `Subject: ...`",
                                     "start the template with the subject line, then a blank line, then the note"))
        subject = head[len("Subject:"):].strip()
        bad = _BREAKS.search(subject) or CONTROL.search(subject)
        if bad or not subject:
            what = f"holds the character U+{ord(bad.group()):04X}" if bad else "is empty"
            raise InputError(Problem(self.path, 1, 1, f"the subject {what}, which a mail header cannot take: "
                                     f"{subject!r}", "keep the subject to one line of plain text"))
        if CONTROL.search(body.replace("\t", "")):
            raise InputError(Problem(self.path, 0, 0, "the note holds control characters", "remove them"))
        return subject, body.lstrip("\n")


def _template_line(error: Exception) -> int:
    """Return the template line a runtime error happened on (Jinja marks template frames), or 0."""
    import traceback

    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename and frame.filename.endswith(".j2"):
            return frame.lineno or 0
    return 0


@dataclass(frozen=True)
class Message:
    """One RFC 5322 message, ready to write or send."""

    data: bytes
    """The whole message, CRLF line ends."""
    sender: str
    """The envelope sender: the From line's address."""
    to: str
    """The envelope recipient."""


_PLACEHOLDER = b"\0briefing attachment\0"


def message(sender: str, sender_address: str, reply_to: str | None, name: str, address: str, subject: str,
            body: str, message_id: str, supersedes: str | None, pdf: bytes, filename: str, date: str) -> Message:
    """Return the message: the cover note as text, the personal copy attached (base64)."""
    from email.headerregistry import Address
    from email.policy import SMTP

    msg = EmailMessage(policy=SMTP)
    msg["From"] = sender
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["To"] = Address(display_name=name, addr_spec=address)
    msg["Subject"] = subject
    msg["Date"] = date
    msg["Message-ID"] = message_id
    if supersedes:
        msg["Supersedes"] = supersedes
        msg["References"] = supersedes
    msg.set_content(body)
    # The email package writes a base64 body one line at a time, which costs more than the copy itself; so
    # the message is made around a short stand-in, and the stand-in's encoded line is then replaced by the
    # PDF encoded in one call, in the same 76-character lines (RFC 2045) with CRLF ends.
    msg.add_attachment(_PLACEHOLDER, maintype="application", subtype="pdf", filename=filename)
    # A boundary drawn from the content (not at random), so a message re-made from the same inputs on the
    # same date is the same bytes; base64 and quoted-printable text never hold "=_".
    msg.set_boundary("=_briefing_" + hashlib.sha256(pdf + body.encode("utf-8")).hexdigest()[:32])
    data = msg.as_bytes()
    stand_in = base64.b64encode(_PLACEHOLDER) + b"\r\n"
    at = data.rindex(stand_in)  # the attachment is the last part, so its line is the last such line
    data = data[:at] + base64.encodebytes(pdf).replace(b"\n", b"\r\n") + data[at + len(stand_in):]
    return Message(data, sender_address, address)


class Outbox:
    """Messages as .eml files in a folder, with a manifest: nothing leaves the machine."""

    channel = "outbox"

    def __init__(self, folder: str):
        self.folder = folder
        self.destination = folder

    def send(self, msg: Message, pdf: bytes, name: str) -> tuple[str, str]:
        write_atomic(os.path.join(self.folder, name + ".eml"), msg.data)
        return "sent", name + ".eml"

    def finish(self, deliveries) -> None:
        """Write manifest.json: every message this outbox holds for the list, oldest first."""
        message_ids = {d.id: d.message_id for d in deliveries}
        rows = [{"file": d.detail, "to": d.recipient, "name": d.name, "organisation": d.organisation,
                 "brief": d.brief, "audience": d.audience, "copy": d.copy, "revision": d.revision,
                 "sha256": d.sha256, "message_id": d.message_id, "supersedes": message_ids.get(d.supersedes),
                 "time": d.time}
                for d in deliveries if d.result == "sent" and d.destination == self.destination]
        write_atomic(os.path.join(self.folder, "manifest.json"),
                     (json.dumps(rows, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))

    def close(self) -> None:
        pass


class Folder:
    """Personal copies as PDF files in a shared folder, one per reader and revision."""

    channel = "folder"

    def __init__(self, folder: str):
        self.folder = folder
        self.destination = os.path.abspath(folder)

    def send(self, msg: Message, pdf: bytes, name: str) -> tuple[str, str]:
        write_atomic(os.path.join(self.folder, name + ".pdf"), pdf)
        return "sent", name + ".pdf"

    def finish(self, deliveries) -> None:
        pass

    def close(self) -> None:
        pass


_LOOPBACK = re.compile(r"^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$")


class Smtp:
    """Sends through an SMTP server: smtp://host[:port] (STARTTLS) or smtps://host[:port] (TLS from the start).

    Credentials come from BRIEFING_SMTP_USER and BRIEFING_SMTP_PASSWORD, else from a netrc file entry for
    the host; never from the URL. Plain smtp:// without STARTTLS is allowed only to a loopback address."""

    channel = "smtp"

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
        self.destination = f"{parts.scheme}://{self.host}:{self.port}"
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

    def send(self, msg: Message, pdf: bytes, name: str) -> tuple[str, str]:
        """Return ('sent', reply) once the server accepted the message, or ('refused', why); raise
        DeliveryError when the connection is gone, leaving the message unsent."""
        import smtplib

        if self.conn is None:
            self.conn = self._open()
        to = msg.to
        try:
            self.conn.sendmail(msg.sender, [to], msg.data)
        except smtplib.SMTPRecipientsRefused as e:
            code, text = e.recipients.get(to, (0, b""))
            return "refused", f"{code} {text.decode('utf-8', 'replace')}".strip()
        except smtplib.SMTPDataError as e:
            if e.smtp_code == 421:
                self.conn = None
                raise DeliveryError(f"{self.destination}: {e.smtp_code} {e.smtp_error!r}") from None
            return "refused", f"{e.smtp_code} {e.smtp_error.decode('utf-8', 'replace')}"
        except smtplib.SMTPSenderRefused as e:
            raise DeliveryError(f"{self.destination} refuses the sender: {e.smtp_code} "
                                f"{e.smtp_error.decode('utf-8', 'replace')}") from None
        except (OSError, smtplib.SMTPException) as e:
            self.conn = None
            raise DeliveryError(f"{self.destination}: {e or type(e).__name__}") from None
        return "sent", "250 accepted"

    def finish(self, deliveries) -> None:
        pass

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except Exception:  # the server may already be gone; nothing is left to report
                pass
            self.conn = None
