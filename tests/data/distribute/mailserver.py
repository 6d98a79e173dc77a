"""A real SMTP server for the tests (aiosmtpd), on 127.0.0.1 only: stores each accepted message as a file.

    python mailserver.py MAILDIR [--port N] [--die-after K] [--refuse ADDRESS] [--tls CERT KEY] [--auth USER:PASSWORD]
                             [--delay SECONDS]

Prints the port it listens on, then serves until killed or for at most --lifetime seconds. --die-after K
makes the process exit abruptly when message K+1 arrives, before it answers (a server killed mid-batch).
Each message is stored as PID-N.eml with its envelope recipients in PID-N.rcpt, before 250 is answered;
--delay makes the server take that long over each message (a slow server, so that runs overlap)."""

from __future__ import annotations

import argparse
import asyncio
import os
import ssl

from aiosmtpd.smtp import SMTP, AuthResult


class Store:
    def __init__(self, maildir: str, die_after: int | None, refuse: set[str], delay: float = 0):
        self.maildir, self.die_after, self.refuse, self.count, self.delay = maildir, die_after, refuse, 0, delay

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.die_after is not None and self.count > self.die_after:
            os._exit(3)  # killed mid-batch: no answer, nothing stored
        base = os.path.join(self.maildir, f"{os.getpid()}-{self.count:04d}")
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".rcpt", "w") as f:
            f.write("\n".join(envelope.rcpt_tos))
        os.replace(base + ".eml.tmp", base + ".eml")
        return "250 2.0.0 Message accepted"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("maildir")
    p.add_argument("--port", type=int, default=0, help="listen here (default: any free port)")
    p.add_argument("--die-after", type=int)
    p.add_argument("--refuse", action="append", default=[])
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--auth", metavar="USER:PASSWORD")
    p.add_argument("--lifetime", type=float, default=120)
    p.add_argument("--delay", type=float, default=0)
    a = p.parse_args()
    os.makedirs(a.maildir, exist_ok=True)
    handler = Store(a.maildir, a.die_after, {r.lower() for r in a.refuse}, a.delay)
    options = {}
    if a.tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*a.tls)
        options.update(tls_context=context, require_starttls=True)
    if a.auth:
        user, password = (s.encode() for s in a.auth.split(":", 1))

        def authenticator(server, session, envelope, mechanism, auth_data):
            return AuthResult(success=auth_data.login == user and auth_data.password == password)

        options.update(authenticator=authenticator, auth_required=True, auth_require_tls=True)

    async def serve():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: SMTP(handler, hostname="localhost", **options), "127.0.0.1", a.port)
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.sleep(a.lifetime)
        server.close()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
