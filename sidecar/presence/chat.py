"""In-meeting chat: a client's code word raises a silent alert for the clinicians.

The text is PHI and is never written anywhere. It is checked where the event arrives, as
the inbox takes it (``ChatScreen``): the inbox keeps only the decision, which of the
meeting's expected clients' code words it holds (client ids), with the sender's name
sealed. The applier (``ChatWatch``) then finds who sent it and alerts: only who and when
reach the timeline (``alert.code_word``, the name sealed), never the words or the message,
and nothing goes back to the group. While the store is down the event waits in the edge's
sealed spool and is checked when it is replayed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag

from contracts.events import ChatMessageSent, EventEnvelope, Person
from sidecar.infra.config import Meeting
from sidecar.infra.config_store import LiveConfig
from sidecar.infra.timeline import entry
from sidecar.presence.meetings import MeetingStore
from sidecar.presence.roster import PersonState
from sidecar.records.clients import ClientStore
from sidecar.records.codewords import matching_clients

logger = logging.getLogger(__name__)
Resolve = Callable[[Person, Meeting], Awaitable[str]]


@dataclass(frozen=True)
class Sender:
    subject: str  # "client:<id>", "staff:<id>" or "participant:<id>"
    participant: str  # the roster's participant id when the roster knows the sender


def on_roster(sender: Person, people: Iterable[PersonState]) -> Sender | None:
    """The roster row that sent a message: by participant id, else by display name (a
    chat shows the sender's name); None when no row or rows of different people match."""
    rows = [p for p in people if p.participant == sender.participant]
    name = sender.display_name.strip().casefold()
    if not rows and name:
        rows = [p for p in people if p.display_name.strip().casefold() == name]
        rows = [p for p in rows if p.status == "present"] or rows
    if len({p.subject for p in rows}) != 1:
        return None
    return Sender(rows[0].subject, rows[0].participant)


def alert_for(sender: Sender, matched: list[str]) -> tuple[bool, str | None]:
    """Whether to alert, and the client to name: the linked client if their words matched;
    for an unlinked sender, the one expected client whose words matched (None if several)."""
    if sender.subject.startswith("client:"):
        client = sender.subject.split(":", 1)[1]
        return (True, client) if client in matched else (False, None)
    if not matched:
        return False, None
    return True, matched[0] if len(matched) == 1 else None


@dataclass(frozen=True)
class ChatScreen:
    """The check where a chat message arrives: which expected clients' code words it holds
    (a linked client is always an expected one). A message from staff (by a Zoom e-mail
    on file) is not checked."""

    live: LiveConfig
    clients: ClientStore

    async def matches(self, env: EventEnvelope) -> list[str]:
        chat = env.event
        if not isinstance(chat, ChatMessageSent) or not chat.text.strip():
            return []
        config = self.live.current
        cfg = config.meeting_by_number(env.meeting_number)
        email = chat.sender.email.casefold()
        if cfg is None or (email and any(email in (e.casefold() for e in s.zoom_emails)
                                         for s in config.staff)):
            return []
        try:
            words = await self.clients.code_words(cfg.expected_clients, actor="codewords",
                                                  purpose=f"chat:{env.meeting}")
        except (ValueError, InvalidTag):  # a record this key cannot open: say so loudly
            logger.error("chat delivery=%s meeting=%s: code words unreadable, not checked",
                         env.id, env.meeting)
            return []
        return matching_clients(chat.text, words)


@dataclass(frozen=True)
class ChatWatch:
    meetings: MeetingStore
    resolve: Resolve  # a participant the roster does not name: staff, client or unknown

    async def sender(self, person: Person, meeting: str, cfg: Meeting) -> Sender:
        """Who sent a message (``person`` with the name in clear)."""
        people = await self.meetings.people(meeting)
        if not any(p.participant == person.participant for p in people):
            people = [self.meetings.opened(meeting, p) for p in people]  # by name, then
        row = on_roster(person, people)
        if row is not None and not row.subject.startswith("participant:"):
            return row
        participant = row.participant if row else person.participant
        subject = await self.resolve(person, cfg)
        if subject.startswith("participant:"):
            subject = f"participant:{participant}"
        return Sender(subject, participant)

    async def check(self, env: EventEnvelope, cfg: Meeting, matched: list[str]) -> None:
        """Alert on a message whose check (``ChatScreen``) matched someone's words."""
        chat = env.event
        if not isinstance(chat, ChatMessageSent) or not matched:
            return
        sealer = self.meetings.sealer
        person = sealer.open_person(env, chat.sender)
        sender = await self.sender(person, env.meeting, cfg)
        if sender.subject.startswith("staff:"):
            return
        alert, client = alert_for(sender, [c for c in matched if c in cfg.expected_clients])
        if not alert:
            return
        at_ms = int(env.occurred_at.timestamp() * 1000)
        await self.meetings.append(env.meeting, entry(
            "alert.code_word", at_ms, client=client, source="chat",
            participant=sender.participant,
            display_name=sealer.seal_name(env.meeting, sender.participant, person.display_name)))
