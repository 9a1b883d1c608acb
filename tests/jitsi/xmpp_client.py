"""A participant as Jitsi Meet's client looks to Prosody: an anonymous XMPP session (no TLS)
that joins MUC rooms with a nickname and a <nick/> display name, with or without stream
management (XEP-0198), and can leave, switch rooms, kick, or drop its TCP connection."""

from __future__ import annotations

import asyncio
from xml.etree import ElementTree as ET

from slixmpp import ClientXMPP
from slixmpp.stanza import Presence

MUC_NS = "http://jabber.org/protocol/muc"
ADMIN_NS = "http://jabber.org/protocol/muc#admin"
NICK_NS = "http://jabber.org/protocol/nick"


class Participant(ClientXMPP):  # type: ignore[misc]
    def __init__(self, jid: str, port: int, *, smacks: bool) -> None:
        super().__init__(jid, "x")  # a bare domain logs in with SASL ANONYMOUS
        self.enable_starttls = False
        self.enable_direct_tls = False
        self.enable_plaintext = True
        self.plugin["feature_mechanisms"].unencrypted_plain = True  # loopback tests only
        self.plugin["feature_mechanisms"].unencrypted_scram = True
        self.port = port
        if smacks:
            self.register_plugin("xep_0198")
        self._waiting: dict[str, asyncio.Future[Presence]] = {}
        self._online: asyncio.Future[None] | None = None
        self.add_event_handler("session_start", self._started)
        self.add_event_handler("session_resumed", self._started)
        self.add_event_handler("presence", self._presence)

    def _started(self, _: object) -> None:
        if self._online is not None and not self._online.done():
            self._online.set_result(None)

    def _presence(self, pr: Presence) -> None:
        waiter = self._waiting.pop(str(pr["from"]), None)
        if waiter is not None and not waiter.done():
            waiter.set_result(pr)

    async def online(self, timeout: float = 5.0) -> None:
        """Connect (or reconnect, resuming the session when stream management allows)."""
        self._online = asyncio.get_running_loop().create_future()
        self.connect(host="127.0.0.1", port=self.port)
        await asyncio.wait_for(self._online, timeout)

    async def _sent_and_echoed(self, pr: Presence, occupant: str) -> Presence:
        waiter: asyncio.Future[Presence] = asyncio.get_running_loop().create_future()
        self._waiting[occupant] = waiter
        pr.send()
        return await asyncio.wait_for(waiter, 5)

    async def join(self, room: str, nick: str, display_name: str) -> None:
        occupant = f"{room}/{nick}"
        pr = self.make_presence(pto=occupant)
        pr.xml.append(ET.Element(f"{{{MUC_NS}}}x"))
        name = ET.Element(f"{{{NICK_NS}}}nick")
        name.text = display_name
        pr.xml.append(name)
        echoed = await self._sent_and_echoed(pr, occupant)
        assert echoed["type"] != "error", f"join refused: {echoed}"

    async def leave(self, room: str, nick: str, status: str = "") -> None:
        occupant = f"{room}/{nick}"
        pr = self.make_presence(pto=occupant, ptype="unavailable", pstatus=status or None)
        await self._sent_and_echoed(pr, occupant)

    async def kick(self, room: str, nick: str) -> None:
        iq = self.make_iq_set(ito=room)
        query = ET.Element(f"{{{ADMIN_NS}}}query")
        ET.SubElement(query, f"{{{ADMIN_NS}}}item", nick=nick, role="none")
        iq.xml.append(query)
        await iq.send(timeout=5)

    def drop(self) -> None:
        """The network goes: no unavailable presence, no </stream>, just a closed socket."""
        assert self.transport is not None
        self.transport.abort()

    async def goodbye(self) -> None:
        await self.disconnect(wait=1)
