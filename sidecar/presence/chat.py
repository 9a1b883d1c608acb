"""In-meeting chat: a client's code word raises a silent alert for the clinicians.

The text is PHI. It reaches the inbox sealed (``sidecar/infra/sealing.py``), is opened and
checked here, then dropped with its inbox entry: only who and when reach the timeline
(``alert.code_word``, the name sealed), never the words or the message, and nothing goes
back to the group.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from contracts.events import ChatMessageSent, EventEnvelope, Person
from sidecar.infra.config import Meeting
from sidecar.infra.timeline import entry
from sidecar.presence.meetings import MeetingStore
from sidecar.presence.roster import PersonState
from sidecar.records.clients import ClientStore
from sidecar.records.codewords import matching_clients

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
    if not matched:
        return False, None
    if sender.subject.startswith("client:"):
        return True, sender.subject.split(":", 1)[1]
    return True, matched[0] if len(matched) == 1 else None


@dataclass(frozen=True)
class ChatWatch:
    meetings: MeetingStore
    clients: ClientStore
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

    async def check(self, env: EventEnvelope, cfg: Meeting) -> None:
        chat = env.event
        sealer = self.meetings.sealer
        text = sealer.open_text(env)
        if not isinstance(chat, ChatMessageSent) or not text.strip():
            return
        person = sealer.open_person(env, chat.sender)
        sender = await self.sender(person, env.meeting, cfg)
        if sender.subject.startswith("staff:"):
            return
        linked = sender.subject.startswith("client:")
        candidates = [sender.subject.split(":", 1)[1]] if linked else cfg.expected_clients
        words = await self.clients.code_words(candidates, actor="codewords",
                                              purpose=f"chat:{env.meeting}")
        alert, client = alert_for(sender, matching_clients(text, words))
        if not alert:
            return
        at_ms = int(env.occurred_at.timestamp() * 1000)
        await self.meetings.append(env.meeting, entry(
            "alert.code_word", at_ms, client=client, source="chat",
            participant=sender.participant,
            display_name=sealer.seal_name(env.meeting, sender.participant, person.display_name)))
