"""Plan a distribution from the list and the ledger, then make, deliver and record each copy in turn."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import sys
from dataclasses import dataclass
from email.utils import formatdate

from briefing.distribute.deliver import Cover, DeliveryError, message
from briefing.distribute.ledger import Delivery, Ledger
from briefing.distribute.lists import DistributionList, Recipient
from briefing.distribute.stamp import Issue, Stamper
from briefing.errors import InputError, Problem


@dataclass
class Job:
    """One personal copy to make and deliver."""

    recipient: Recipient
    brief: str
    version: str
    """SHA-256 of the brief's shared PDF for the recipient's audience."""
    copy: int | None
    """The copy number; None until handed out (a new reader in a dry run)."""
    revision: int
    earlier: Delivery | None
    """The delivery this copy supersedes."""

    def describe(self, copy: int | None = None) -> str:
        n = copy if copy is not None else self.copy
        what = f"{self.brief} ({self.recipient.audience}) copy {n}"
        if self.earlier:
            what += f", revision {self.revision} superseding revision {self.earlier.revision}"
        return f"{what} to {self.recipient.name} <{self.recipient.email}>"


@dataclass
class Outcome:
    """What a run did."""

    sent: int = 0
    refused: int = 0
    too_large: int = 0
    stopped: str | None = None
    """Why the batch stopped early, if it did."""

    @property
    def ok(self) -> bool:
        return not (self.refused or self.too_large or self.stopped)


def _slug(text: str) -> str:
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "reader"


def shared_pdfs(project, lst: DistributionList, briefs: list[str]) -> dict[tuple[str, str], bytes]:
    """Return the shared PDF of every (brief, audience) the list needs, each laid out once."""
    from briefing.build import render_in_memory

    pairs = sorted({(b, r.audience) for r in lst.recipients for b in r.briefs if not briefs or b in briefs})
    outputs = render_in_memory(project, [(project.briefs[b], project.audiences[a]) for b, a in pairs], ["pdf"])
    return {pair: o.data for pair, o in zip(pairs, outputs)}


def plan(lst: DistributionList, ledger: Ledger, channel: str, pdfs: dict[tuple[str, str], bytes]
         ) -> tuple[list[Job], int]:
    """Return (the copies to send, how many readers already have the current version)."""
    versions = {pair: hashlib.sha256(data).hexdigest() for pair, data in pdfs.items()}
    jobs, unchanged = [], 0
    for r in lst.recipients:
        for b in r.briefs:
            if (b, r.audience) not in versions:
                continue
            version = versions[(b, r.audience)]
            last = ledger.last_sent(channel, b, r.key)
            if last is not None and last.version == version:
                unchanged += 1
                continue
            jobs.append(Job(r, b, version, ledger.copy_number(b, r.key), last.revision + 1 if last else 1, last))
    return jobs, unchanged


def dry_run(jobs: list[Job], unchanged: int, ledger: Ledger, out=None) -> None:
    """Print what a real run would send, with the copy numbers new readers would get."""
    out = out or sys.stdout
    next_copy: dict[str, int] = {}
    for job in jobs:
        n = job.copy
        if n is None:
            n = next_copy.setdefault(job.brief, ledger.next_copy(job.brief))
            next_copy[job.brief] += 1
        print("would send " + job.describe(n), file=out)
    print(f"dry run: {len(jobs)} cop{'y' if len(jobs) == 1 else 'ies'} would be sent; {unchanged} up to date; "
          "nothing was sent or recorded", file=out)


def execute(project, lst: DistributionList, ledger: Ledger, transport, jobs: list[Job],
            pdfs: dict[tuple[str, str], bytes], max_bytes: int, log=None) -> Outcome:
    """Make, deliver and record every job, committing each delivery as soon as the channel took it."""
    log = log or sys.stdout
    cover = Cover(lst.cover)
    signer = None
    if lst.sign and jobs:
        from briefing.distribute.sign import Signer

        signer = Signer(lst.path)
    # Copy numbers, then every cover note, before anything is sent: a note that fails or a subject that would
    # break the headers stops the run here with nothing recorded. The numbers are committed before the first
    # copy goes out, so a crash later never renumbers anyone.
    with ledger.db:
        for brief in dict.fromkeys(j.brief for j in jobs):
            numbers = ledger.assign(brief, [j.recipient.key for j in jobs if j.brief == brief])
            for j in jobs:
                if j.brief == brief:
                    j.copy = numbers[j.recipient.key]
        notes = []
        for j in jobs:
            b, a = project.briefs[j.brief], project.audiences[j.recipient.audience]
            context = dict(recipient=j.recipient, brief=b, audience=a, copy=j.copy,
                           revision=j.revision, earlier=j.earlier, sender=lst.sender)
            notes.append(cover.render(**context))
    domain = lst.sender_address.rpartition("@")[2]
    stampers: dict[tuple[str, str], Stamper] = {}
    outcome = Outcome()
    try:
        for j, (subject, body) in zip(jobs, notes):
            r = j.recipient
            pair = (j.brief, r.audience)
            if pair not in stampers:
                stampers[pair] = Stamper(pdfs[pair], project.style)
            pdf = stampers[pair].copy(Issue(j.copy, r.name, r.organisation, j.revision))
            if signer is not None:
                pdf = signer.sign(pdf, f"Copy {j.copy} issued to {r.name}, {r.organisation}")
            name = f"{j.brief}.copy-{j.copy:04d}.{_slug(r.name)}" + (f".r{j.revision}" if j.revision > 1 else "")
            message_id = f"<{j.brief}.{r.audience}.copy{j.copy}.r{j.revision}.{j.version[:16]}@{domain}>"
            row = dict(list=lst.name, recipient=r.key, name=r.name, organisation=r.organisation, brief=j.brief,
                       audience=r.audience, copy=j.copy, revision=j.revision, version=j.version,
                       sha256=hashlib.sha256(pdf).hexdigest(), message_id=message_id, channel=transport.channel,
                       destination=transport.destination, supersedes=j.earlier.id if j.earlier else None)
            if len(pdf) > max_bytes:
                ledger.record(**row, result="too-large", detail=f"{len(pdf)} bytes; the limit is {max_bytes}")
                outcome.too_large += 1
                print(f"not sent (too large: {len(pdf):,} bytes, limit {max_bytes:,}): {j.describe()}", file=log)
                continue
            msg = message(lst.sender, lst.sender_address, lst.reply_to, r.name, r.email, subject, body, message_id,
                          j.earlier.message_id if j.earlier else None, pdf, name + ".pdf",
                          formatdate(usegmt=True))
            result, detail = transport.send(msg, pdf, name)
            ledger.record(**row, result=result, detail=detail)
            if result == "sent":
                outcome.sent += 1
                print(f"sent {j.describe()}", file=log)
            else:
                outcome.refused += 1
                print(f"refused ({detail}): {j.describe()}", file=log)
    except DeliveryError as e:
        outcome.stopped = str(e)
    finally:
        transport.close()
        transport.finish(ledger.deliveries(transport.channel, lst.name))
    return outcome


def status(ledger: Ledger, lst: DistributionList | None, out=None) -> None:
    """Print who has which version of which brief, per channel, and what did not get through: for the
    list's readers and briefs, whichever list they were sent through."""
    out = out or sys.stdout
    rows = ledger.deliveries()
    if lst is not None:
        wanted = {(r.key, b) for r in lst.recipients for b in r.briefs}
        rows = [d for d in rows if (d.recipient, d.brief) in wanted]
    latest: dict[tuple[str, str, str], Delivery] = {}
    failed: dict[tuple[str, str, str], Delivery] = {}
    for d in rows:
        key = (d.channel, d.recipient, d.brief)
        if d.result == "sent":
            latest[key] = d
            failed.pop(key, None)
        else:
            failed[key] = d
    if not rows:
        print("nothing distributed yet", file=out)
        return
    table = [("channel", "recipient", "brief", "audience", "copy", "rev", "version", "sent (UTC)", "note")]
    for key in sorted(set(latest) | set(failed)):
        d, f = latest.get(key), failed.get(key)
        shown = d or f
        note = f"supersedes revision {d.revision - 1}" if d and d.supersedes else ""
        if f:
            note = (note + "; " if note else "") + f"{f.result} {f.time}: {f.detail}"
        table.append((shown.channel, f"{shown.name} <{shown.recipient}>", shown.brief, shown.audience,
                      str(shown.copy), str(d.revision) if d else "-", d.version[:12] if d else "-",
                      d.time if d else "not delivered", note))
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        print("  ".join(cell.rjust(w) if i in (4, 5) else cell.ljust(w)
                        for i, (cell, w) in enumerate(zip(row, widths))).rstrip(), file=out)
    sent = sum(1 for d in rows if d.result == "sent")
    print(f"{len(latest)} reader-brief pairs delivered; {sent} deliveries in all; "
          f"{len(failed)} waiting after a failure", file=out)


def command(args) -> int:
    """`briefing distribute`: status, dry run or a real run; return the exit status."""
    import os

    from briefing.distribute.deliver import Folder, Outbox, Smtp
    from briefing.distribute.lists import load_list
    from briefing.project import Project, find

    where = find(getattr(args, "directory", None), args.facts, args.templates)
    path = args.list
    if not path.endswith((".yaml", ".yml")) and os.sep not in path:
        path = os.path.join(where.distribution, path + ".yaml")
    transport = None
    try:
        if args.smtp:
            transport = Smtp(args.smtp)
    except ValueError as e:
        print(f"briefing distribute: {e}", file=sys.stderr)
        return 2
    if args.max_size is not None and args.max_size <= 0:
        print("briefing distribute: --max-size must be above 0 (megabytes)", file=sys.stderr)
        return 2
    project = Project.open(where)
    lst = load_list(path, project.audiences, project.briefs)
    unknown = [b for b in args.brief if b not in {b for r in lst.recipients for b in r.briefs}]
    if unknown:
        print(f"briefing distribute: no reader of {path} gets {', '.join(unknown)}", file=sys.stderr)
        return 2
    ledger_path = args.ledger or os.path.join(os.path.dirname(path), "ledger.sqlite")
    if args.status:
        ledger = Ledger(ledger_path, create=False)
        status(ledger, lst)
        ledger.close()
        return 0
    if transport is None:
        transport = Folder(args.folder) if args.folder else Outbox(args.outbox or os.path.join(where.outbox, lst.name))
    pdfs = shared_pdfs(project, lst, args.brief)
    ledger = Ledger(ledger_path, create=not args.dry_run)
    try:
        jobs, unchanged = plan(lst, ledger, transport.channel, pdfs)
        if args.dry_run:
            dry_run(jobs, unchanged, ledger)
            return 0
        max_bytes = int(args.max_size * 1_000_000) if args.max_size is not None else lst.max_bytes
        outcome = execute(project, lst, ledger, transport, jobs, pdfs, max_bytes)
    except sqlite3.Error as e:  # another run holding the ledger, a full disk: what was committed stands
        raise InputError(Problem(ledger_path, 0, 0, f"the ledger cannot be written: {e}",
                                 "is another `briefing distribute` running? Deliveries recorded so far stand; "
                                 "run the command again when it has finished")) from None
    finally:
        ledger.close()
    summary = (f"{outcome.sent} sent, {unchanged} up to date, {outcome.refused} refused, "
               f"{outcome.too_large} too large ({transport.destination}; ledger {ledger_path})")
    print(summary)
    if outcome.stopped:
        print(f"briefing distribute: stopped: {outcome.stopped}\n    what was delivered is in the ledger; "
              "run the same command again to send the rest", file=sys.stderr)
    elif not outcome.ok:
        print("briefing distribute: some copies were not delivered; see above and `--status`", file=sys.stderr)
    return 0 if outcome.ok else 1
