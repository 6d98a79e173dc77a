"""Plan a distribution from the list and the ledger, then make, deliver and record each copy in turn."""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import sys
from dataclasses import dataclass, field, replace
from email.utils import formatdate

from briefing.distribute.deliver import Cover, DeliveryError, check_headers, message
from briefing.distribute.headers import HeaderMismatch
from briefing.distribute.ledger import POSSIBLY_SENT, Delivery, Ledger, RunLock, _failure
from briefing.distribute.lists import DistributionList, Recipient
from briefing.distribute.note import ChangeNotes
from briefing.distribute.stamp import Issue, Stamper
from briefing.errors import EnvironmentFailure, InputError, Problem


BATCH = 100
"""An outbox's or folder's copies are put on the disk, and their rows after them, every this many copies."""


@dataclass
class Version:
    """What one brief says for one audience now."""

    brief: str
    audience: str
    digest: str
    """Composed.digest: of the composed text and its metadata — what the brief says, not its PDF's bytes."""
    used: frozenset
    """Ids of the facts and disputed questions it prints."""
    meta: object = None
    """Its title block and running lines (briefing.model.Meta): the change note's sheet is set under them."""
    markdown: str = ""
    """Its composed text: what its change notes say is printed."""


@dataclass
class Job:
    """One personal copy to make and deliver."""

    recipient: Recipient
    brief: str
    version: Version
    copy: int | None
    """The copy number; None until handed out (a new reader in a dry run)."""
    revision: int
    earlier: Delivery | None
    """The delivery this copy supersedes, at the same destination."""
    resend: Delivery | None = None
    """A possibly-sent delivery of this very copy, sent again with its Message-ID."""
    reissue: bool = False
    """Sent again with the same words (--reissue)."""

    def describe(self, copy: int | None = None) -> str:
        n = copy if copy is not None else self.copy
        what = f"{self.brief} ({self.recipient.audience}) copy {n}"
        if self.resend:
            what += f", revision {self.revision} again (possibly sent before; same Message-ID)"
        elif self.earlier:
            what += f", revision {self.revision} superseding revision {self.earlier.revision}"
        return f"{what} to {self.recipient.name} <{self.recipient.email}>"


@dataclass
class Plan:
    """What a run is to do."""

    jobs: list[Job] = field(default_factory=list)
    unchanged: int = 0
    """Readers who already have the current version at this destination."""
    found: int = 0
    """Possibly-sent copies found whole in the outbox or folder, now recorded as sent."""


@dataclass
class Outcome:
    """What a run did."""

    sent: int = 0
    refused: int = 0
    too_large: int = 0
    failed: int = 0
    """Copies made but not sent: a signature that did not validate."""
    stopped: str | None = None
    """Why the batch stopped early, if it did."""
    possibly_sent: int = 0
    """Copies the server may have taken when the connection went (left as possibly sent in the ledger)."""

    @property
    def ok(self) -> bool:
        return not (self.refused or self.too_large or self.failed or self.stopped)


def _slug(text: str) -> str:
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "reader"


def _pairs(lst: DistributionList, briefs: list[str]) -> list[tuple[str, str]]:
    return sorted({(b, r.audience) for r in lst.recipients for b in r.briefs if not briefs or b in briefs})


def current_versions(project, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], Version]:
    """Return what each (brief, audience) says now: composed, not laid out."""
    from briefing.build import compose_pairs

    composed = compose_pairs(project, [(project.briefs[b], project.audiences[a]) for b, a in pairs])
    return {pair: Version(pair[0], pair[1], c.digest, frozenset(c.used), c.meta, c.markdown)
            for pair, c in zip(pairs, composed)}


def shared_pdfs(project, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], bytes]:
    """Return the shared PDF of each (brief, audience), each laid out once."""
    if not pairs:
        return {}
    from briefing.build import render_in_memory

    outputs = render_in_memory(project, [(project.briefs[b], project.audiences[a]) for b, a in pairs], ["pdf"])
    return {pair: o.data for pair, o in zip(pairs, outputs)}


def plan(lst: DistributionList, ledger: Ledger, transport, versions: dict[tuple[str, str], Version],
         briefs: list[str] = (), reissue: bool = False, legacy=None, dry: bool = False) -> Plan:
    """Return the copies to send to the transport's destination: to readers who do not hold the current
    version there. A possibly-sent copy is settled first: an outbox or folder can say whether it holds it
    (recorded so, unless `dry`); a server cannot, so the same copy goes again with its Message-ID.

    `legacy(pair)` returns the SHA-256 of a pair's shared PDF, to compare with a first-version ledger's rows."""
    out = Plan()
    destination = transport.destination
    for r in lst.recipients:
        for b in r.briefs:
            if briefs and b not in briefs:
                continue
            version = versions[(b, r.audience)]
            last = ledger.latest(destination, b, r.key)
            if last is not None and last.result == POSSIBLY_SENT:
                held = transport.holds(last.detail, last.sha256)
                if held is None:
                    if last.version == version.digest:
                        earlier = ledger.get(last.supersedes) if last.supersedes else None
                        out.jobs.append(Job(r, b, version, last.copy, last.revision, earlier, resend=last))
                        continue
                elif held:
                    out.found += 1
                    if not dry:
                        ledger.resolve(last.id, "sent", last.detail)
                    last = replace(last, result="sent")
                else:
                    if not dry:
                        ledger.resolve(last.id, "failed", f"{last.detail}: not written; the run that was writing "
                                       "it stopped first")
                    last = ledger.latest(destination, b, r.key, before=last.id)
            current = last is not None and (last.version == version.digest or (
                legacy is not None and last.version.startswith("pdf:")
                and last.version == "pdf:" + legacy((b, r.audience))))
            if current and not reissue:
                out.unchanged += 1
                continue
            out.jobs.append(Job(r, b, version, ledger.copy_number(b, r.key), last.revision + 1 if last else 1, last,
                                reissue=current))
    return out


def dry_run(work: Plan, ledger: Ledger, destination: str, notes: ChangeNotes | None = None, out=None) -> None:
    """Print what a real run would send to `destination`, with the copy numbers new readers would get, and each
    change note the revisions would carry (once, with the readers it goes to)."""
    out = out or sys.stdout
    next_copy: dict[str, int] = {}
    told: dict[tuple[str, str, str], list[str]] = {}
    for job in work.jobs:
        n = job.copy
        if n is None:
            n = next_copy.setdefault(job.brief, ledger.next_copy(job.brief))
            next_copy[job.brief] += 1
        print("would send " + job.describe(n), file=out)
        note = notes.note(job) if notes is not None and job.revision > 1 else None
        if note is not None:
            told.setdefault((job.brief, job.recipient.audience, str(note)), []).append(job.recipient.name)
    for (brief, audience, note), names in told.items():
        print(f"change note for {brief} ({audience}), to {', '.join(names)}:", file=out)
        print("\n".join("    " + line for line in note.splitlines()), file=out)
    count = len(work.jobs)
    found = f", {work.found} found already delivered" if work.found else ""
    print(f"dry run: {count} cop{'y' if count == 1 else 'ies'} would be sent, {work.unchanged} up to date{found} "
          f"({destination}; ledger {ledger.path}); nothing was sent or recorded", file=out)


def unsettable(lst: DistributionList, stamper_fonts) -> list[Problem]:
    """Return a problem, at its line in the list, for each name or organisation holding a character no font of
    the house style can set: the copy's stamp would print a blank box where the reader's name should be."""
    from briefing.distribute.stamp import missing

    problems = []
    for r in lst.recipients:
        for key in ("name", "organisation"):
            chars = missing(stamper_fonts, getattr(r, key))
            if chars:
                shown = ", ".join(f"{c} (U+{ord(c):04X})" for c in chars)
                problems.append(Problem(lst.path, *r.positions.get(key, (r.line, 0)),
                                        f"recipient {r.name!r}: no font of the house style can set {shown}, so "
                                        "the copy's stamp could not print it",
                                        "write the name without it, or add a font that has it to `fallback_fonts` "
                                        "in the style"))
    return problems


def _signer(lst: DistributionList, jobs: list[Job]):
    if not (lst.sign and jobs):
        return None
    from briefing.distribute.sign import Signer

    return Signer(lst.path)


def execute(project, lst: DistributionList, ledger: Ledger, transport, work: Plan, pdfs: dict[tuple[str, str], bytes],
            max_bytes: int, log=None) -> Outcome:
    """Make, deliver and record every job: an intent committed before each copy goes, resolved after."""
    log = log or sys.stdout
    jobs = work.jobs
    cover = Cover(lst.cover)
    signer = _signer(lst, jobs)  # a key that does not fit its certificate stops the run here
    # Copy numbers, what each version says, and every cover note, before anything is sent: a note that fails
    # or a subject that would break the headers stops the run here with nothing recorded. The numbers are
    # committed before the first copy goes out, so a crash later never renumbers anyone.
    appends = not cover.uses("changes")
    notes = ChangeNotes(project, ledger)
    with ledger.transaction():
        for brief in dict.fromkeys(j.brief for j in jobs):
            numbers = ledger.assign(brief, [j.recipient.key for j in jobs if j.brief == brief])
            for j in jobs:
                if j.brief == brief:
                    j.copy = numbers[j.recipient.key]
        for v in {j.version.digest: j.version for j in jobs}.values():
            ledger.remember(v.digest, v.brief, v.audience, project.facts.meta.as_of.isoformat(), notes.summary(v))
        covers = []
        for j in jobs:
            b, a = project.briefs[j.brief], project.audiences[j.recipient.audience]
            changes = notes.note(j) if j.revision > 1 else None
            context = dict(recipient=j.recipient, brief=b, audience=a, copy=j.copy,
                           revision=j.revision, earlier=j.earlier, sender=_sender(lst), changes=changes)
            subject, body = cover.render(**context)
            if changes and appends:
                body = body.rstrip("\n") + "\n\n" + str(changes) + "\n"
            covers.append((subject, body, changes))
            try:  # the headers as a mail program will read them, checked before anything is sent
                check_headers(lst.sender, lst.reply_to, j.recipient.name, j.recipient.email, subject,
                              f"<check@{lst.sender[1].rpartition('@')[2]}>",
                              "<earlier@example.org>" if j.earlier else None, formatdate(usegmt=True))
            except HeaderMismatch as e:  # the checks on the list and the cover note should make this impossible
                raise InputError(Problem(lst.path, j.recipient.line, 0, f"recipient {j.recipient.name!r}: {e}",
                                         "write names, organisations and the subject as plain text")) from None
        run = ledger.start_run(lst.name, transport.destination, len(jobs))
    domain = lst.sender[1].rpartition("@")[2]
    stampers: dict[object, Stamper] = {}

    def stamped(key, shared: bytes, issue: Issue) -> bytes:
        if key not in stampers:
            stampers[key] = Stamper(shared, project.style)
        return stampers[key].copy(issue)

    outcome = Outcome()
    try:
        for j, (subject, body, changes) in zip(jobs, covers):
            r = j.recipient
            pair = (j.brief, r.audience)
            issue = Issue(j.copy, r.name, r.organisation, j.revision)
            name = f"{j.brief}.copy-{j.copy:04d}.{_slug(r.name)}" + (f".r{j.revision}" if j.revision > 1 else "")
            pdf = stamped(pair, pdfs[pair], issue)
            extra = []  # the change note's sheet, stamped as the copy is
            if changes is not None:
                sheet = notes.sheet(j, changes)
                extra.append((name + ".changes.pdf", stamped(sheet, sheet, issue)))
            unsigned = None
            if signer is not None:
                from briefing.distribute.sign import SignatureCheckFailed

                reason = f"Copy {j.copy} issued to {r.name}, {r.organisation}"
                try:
                    pdf = signer.sign(pdf, reason)
                    extra = [(file, signer.sign(data, reason)) for file, data in extra]
                except SignatureCheckFailed as e:
                    unsigned = str(e)
            message_id = j.resend.message_id if j.resend else \
                f"<{j.brief}.{r.audience}.copy{j.copy}.r{j.revision}.{j.version.digest[:16]}@{domain}>"
            sha = hashlib.sha256(pdf).hexdigest()
            row = dict(list=lst.name, recipient=r.key, name=r.name, organisation=r.organisation, brief=j.brief,
                       audience=r.audience, copy=j.copy, revision=j.revision, version=j.version.digest, sha256=sha,
                       message_id=message_id, channel=transport.channel, destination=transport.destination,
                       supersedes=j.earlier.id if j.earlier else None, run=run)
            if unsigned:  # checked before it leaves: a copy whose signature does not hold is not sent
                ledger.record(**row, result="failed", detail=unsigned)
                outcome.failed += 1
                print(f"not sent ({unsigned}): {j.describe()}", file=log)
                continue
            size = len(pdf) + sum(len(data) for _, data in extra)
            if size > max_bytes:
                ledger.record(**row, result="too-large", detail=f"{size} bytes; the limit is {max_bytes}")
                outcome.too_large += 1
                print(f"not sent (too large: {size:,} bytes, limit {max_bytes:,}): {j.describe()}", file=log)
                continue
            msg = message(lst.sender, lst.reply_to, r.name, r.email, subject, body, message_id,
                          j.earlier.message_id if j.earlier else None, pdf, name + ".pdf", formatdate(usegmt=True),
                          extra)
            file_name = name + transport.suffix if hasattr(transport, "suffix") else ""
            if j.resend:
                intent = j.resend.id
                ledger.again(intent, sha, run, file_name)
            else:
                intent = ledger.intend(durable=not transport.batched, **row, detail=file_name)
            try:
                result, detail = transport.send(msg, pdf, name, extra)
            except DeliveryError as e:
                if e.possibly_sent:
                    outcome.possibly_sent += 1
                    ledger.resolve(intent, POSSIBLY_SENT, f"the connection went before the server answered: {e}")
                else:
                    ledger.resolve(intent, "failed", str(e))
                raise
            if j.resend and result == "sent":
                detail += " (sent again after an interrupted run, with the same Message-ID)"
            ledger.resolve(intent, result, detail)
            if result == "sent":
                outcome.sent += 1
                print(f"sent {j.describe()}", file=log)
            else:
                outcome.refused += 1
                print(f"refused ({detail}): {j.describe()}", file=log)
            if transport.batched and outcome.sent % BATCH == 0:  # the copies on the disk, then their rows
                transport.sync()
                ledger.checkpoint(run, _summary_line(outcome, work))
    except DeliveryError as e:
        outcome.stopped = str(e)
    finally:
        transport.close()
        try:
            transport.sync()
            transport.finish(ledger.deliveries(transport.destination))
        except (EnvironmentFailure, DeliveryError) as e:  # the last batch or the manifest: done again next run
            outcome.stopped = outcome.stopped or str(e)
        finally:
            ledger.end_run(run, _summary_line(outcome, work))
    return outcome


def _sender(lst: DistributionList) -> str:
    from email.headerregistry import Address

    return str(Address(display_name=lst.sender[0], addr_spec=lst.sender[1]))


def _summary_line(outcome: Outcome, work: Plan) -> str:
    return (f"{outcome.sent} sent, {work.unchanged} up to date, {outcome.refused} refused, "
            f"{outcome.too_large} too large" + (f", {outcome.possibly_sent} possibly sent" if outcome.possibly_sent
                                                else "") + (f"; stopped: {outcome.stopped}" if outcome.stopped else ""))


# -- status ------------------------------------------------------------------------------------------------

def status(ledger: Ledger, lst: DistributionList | None, versions: dict[tuple[str, str], Version] | None = None,
           out=None) -> None:
    """Print, per destination, who holds which version of which brief, what may have been sent by a run that
    stopped, what failed, and who is still waiting: for the list's readers and briefs, whichever list they
    were sent through."""
    from briefing.outdir import process_alive

    out = out or sys.stdout
    rows = ledger.deliveries()
    wanted = None
    if lst is not None:
        wanted = {(r.key, b): r for r in lst.recipients for b in r.briefs}
        rows = [d for d in rows if (d.recipient, d.brief) in wanted]
    if not rows:
        print("nothing distributed yet", file=out)
        return
    destinations = list(dict.fromkeys(d.destination for d in rows))
    table = [("destination", "recipient", "brief", "audience", "copy", "rev", "version", "sent (UTC)", "note")]
    totals = dict(current=0, behind=0, possibly=0, failed=0, unsent=0)
    for dest in destinations:
        held: dict[tuple[str, str], Delivery] = {}
        failed: dict[tuple[str, str], Delivery] = {}
        for d in rows:
            if d.destination != dest:
                continue
            key = (d.recipient, d.brief)
            if d.result in ("sent", POSSIBLY_SENT):
                held[key] = d
                failed.pop(key, None)
            else:
                failed[key] = d
        keys = sorted(set(held) | set(failed) | (set(wanted) if wanted else set()))
        for key in keys:
            d, f = held.get(key), failed.get(key)
            shown = d or f
            note = []
            if shown is None:
                r = wanted[key]
                totals["unsent"] += 1
                table.append((dest, f"{r.name} <{r.key}>", key[1], r.audience, "-", "-", "-", "not sent", "waiting"))
                continue
            if d and d.result == POSSIBLY_SENT:
                totals["possibly"] += 1
                note.append(f"POSSIBLY SENT {d.time}: the run stopped before the outcome was known; the next run "
                            f"sends it again with the same Message-ID {d.message_id}")
            elif d and d.supersedes:
                note.append(f"supersedes revision {d.revision - 1}")
            if d and d.result == "sent" and versions is not None:
                now_version = versions.get((d.brief, d.audience))
                if now_version is not None and now_version.digest != d.version:
                    totals["behind"] += 1
                    note.append("a newer version waits")
                else:
                    totals["current"] += 1
            elif d and d.result == "sent":
                totals["current"] += 1
            if f:
                totals["failed"] += 1
                note.append(f"{f.result} {f.time}: {f.detail}")
            table.append((dest, f"{shown.name} <{shown.recipient}>", shown.brief, shown.audience, str(shown.copy),
                          str(d.revision) if d else "-", d.version[:12] if d else "-",
                          (d.time if d.result == "sent" else "?") if d else "not delivered", "; ".join(note)))
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        print("  ".join(cell.rjust(w) if i in (4, 5) else cell.ljust(w)
                        for i, (cell, w) in enumerate(zip(row, widths))).rstrip(), file=out)
    for run in ledger.runs():
        if run.finished is None and run.destination in destinations and not process_alive(run.pid):
            settled = sum(1 for d in rows if d.run == run.id and d.result != POSSIBLY_SENT)
            print(f"the run of {run.started} (process {run.pid}, {run.list} to {run.destination}) stopped before "
                  f"it finished: {run.planned} planned, {settled} settled", file=out)
    print(f"{totals['current']} up to date" + (f", {totals['behind']} with a newer version waiting"
                                                if versions is not None else "")
          + f"; {totals['possibly']} possibly sent; {totals['failed']} waiting after a failure; "
          f"{totals['unsent']} not sent yet", file=out)


# -- the command ----------------------------------------------------------------------------------------------

def command(args) -> int:
    """`briefing distribute`: status, dry run or a real run; return the exit status."""
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
    pairs = _pairs(lst, args.brief)
    versions = current_versions(project, pairs)
    if args.status:
        ledger = Ledger(ledger_path, create=False)
        try:
            status(ledger, lst, versions)
        except sqlite3.Error as e:
            raise _failure(ledger_path, e) from None
        finally:
            ledger.close()
        return 0
    from briefing.distribute.stamp import fonts_for

    problems = unsettable(lst, fonts_for(project.style))
    if problems:
        raise InputError(problems)
    if transport is None:
        transport = Folder(args.folder) if args.folder else Outbox(args.outbox or os.path.join(where.outbox, lst.name))
    lock = None if args.dry_run else RunLock(ledger_path, getattr(args, "wait", False))
    try:
        return _run(args, project, lst, ledger_path, transport, versions)
    finally:
        if lock is not None:
            lock.release()


def _run(args, project, lst, ledger_path, transport, versions) -> int:
    pdf_cache: dict[tuple[str, str], bytes] = {}

    def legacy(pair):
        if pair not in pdf_cache:
            pdf_cache.update(shared_pdfs(project, [pair]))
        return hashlib.sha256(pdf_cache[pair]).hexdigest()

    ledger = Ledger(ledger_path, create=not args.dry_run)
    try:
        work = plan(lst, ledger, transport, versions, args.brief, getattr(args, "reissue", False), legacy,
                    dry=args.dry_run)
        if args.dry_run:
            dry_run(work, ledger, transport.destination, ChangeNotes(project, ledger))
            return 0
        transport.prepare()
        needed = sorted({(j.brief, j.recipient.audience) for j in work.jobs} - set(pdf_cache))
        pdf_cache.update(shared_pdfs(project, needed))
        max_bytes = int(args.max_size * 1_000_000) if args.max_size is not None else lst.max_bytes
        outcome = execute(project, lst, ledger, transport, work, pdf_cache, max_bytes)
    except sqlite3.Error as e:  # a full disk, a damaged file, another program holding it: what was committed stands
        raise _failure(ledger_path, e) from None
    finally:
        ledger.close()
    found = f", {work.found} found already delivered" if work.found else ""
    summary = (f"{outcome.sent} sent, {work.unchanged} up to date{found}, {outcome.refused} refused, "
               f"{outcome.too_large} too large ({transport.destination}; ledger {ledger_path})")
    print(summary)
    if outcome.stopped:
        possibly = (f"; {outcome.possibly_sent} possibly sent (the connection went before the server answered): "
                    "the next run sends it again with the same Message-ID" if outcome.possibly_sent else "")
        raise EnvironmentFailure(f"stopped after {outcome.sent} sent: {outcome.stopped}{possibly}",
                                 "what was delivered is recorded in the ledger (see `--status`); run the same "
                                 "command again to send the rest")
    if not outcome.ok:
        print("briefing distribute: some copies were not delivered; see above and `--status`", file=sys.stderr)
    return 0 if outcome.ok else 1
