"""A local SMTP server standing in for the program's mail relay: it speaks enough of SMTP
(RFC 5321: greeting, EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) for Python's smtplib,
keeps every message it accepts, and refuses recipients on request (550)."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage


@dataclass
class SmtpStandIn:
    messages: list[EmailMessage] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # recipients answered 550
    server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._session, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
                       ) -> None:
        async def say(line: str) -> None:
            writer.write(line.encode() + b"\r\n")
            await writer.drain()

        await say("220 smtp.example.org stand-in ready")
        rcpt: list[str] = []
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while True:
                line = (await reader.readline()).decode("utf-8", "replace").rstrip("\r\n")
                verb = line[:4].upper()
                if not line or verb == "QUIT":
                    await say("221 bye")
                    break
                if verb in ("EHLO", "HELO"):
                    await say("250 smtp.example.org")
                elif verb == "MAIL" or verb in ("RSET", "NOOP"):
                    rcpt = [] if verb != "NOOP" else rcpt
                    await say("250 ok")
                elif verb == "RCPT":
                    to = line.split(":", 1)[1].strip().strip("<>")
                    if to in self.refuse:
                        await say("550 no such mailbox")
                    else:
                        rcpt.append(to)
                        await say("250 ok")
                elif verb == "DATA":
                    await say("354 end with a dot")
                    data = await reader.readuntil(b"\r\n.\r\n")
                    body = data[:-5].replace(b"\r\n..", b"\r\n.")
                    self.messages.append(message_from_bytes(body, policy=policy.default))
                    await say("250 queued")
                else:
                    await say("502 not implemented")
        writer.close()
