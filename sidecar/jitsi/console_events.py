"""What the clinician console's IFrame API sees, as contract events (pure).

On a self-hosted deployment Prosody's module is the source of truth for attendance; the
console adds what only the browser sees (breakout room membership, knocking participants).
On meet.jit.si there is no server module, so the console's joins and leaves are all there
is: the IFrame API gives no leave reason, so those leaves are ``unknown`` (the default
policy treats an unknown leave as a possible drop).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.events import (
    BreakoutJoined,
    BreakoutLeft,
    Event,
    EventEnvelope,
    LeaveReason,
    ParticipantJoined,
    ParticipantLeft,
    Person,
    WaitingRoomJoined,
)

Id = Annotated[str, Field(min_length=1, max_length=128)]
Name = Annotated[str, Field(default="", max_length=200)]


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Joined(_In):
    type: Literal["participant.joined"]
    id: Id
    display_name: Name = ""
    user_id: str = Field(default="", max_length=128)


class Left(_In):
    type: Literal["participant.left"]
    id: Id


class Knocking(_In):
    type: Literal["knocking"]
    id: Id
    display_name: Name = ""


class Rooms(_In):
    """``breakoutRoomsUpdated``: the bridge flattens both payload shapes to this."""

    type: Literal["breakout.rooms"]
    main: str = Field(default="", max_length=200)  # the main room's id
    members: dict[str, str] = Field(default={}, max_length=500)  # participant -> room id


ConsoleEvent = Annotated[Joined | Left | Knocking | Rooms, Field(discriminator="type")]


class ConsoleBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    events: list[ConsoleEvent] = Field(max_length=200)
    server_events: bool = False  # True when Prosody's module reports attendance


def _env(meeting: str, room: str, at_ms: int, key: str, event: Event) -> EventEnvelope:
    return EventEnvelope(id=f"console:{meeting}:{key}:{at_ms}", platform="jitsi",
                         meeting=meeting, meeting_number=room,
                         occurred_at=datetime.fromtimestamp(at_ms / 1000, tz=UTC),
                         event=event)


def translate(batch: ConsoleBatch, meeting: str, room: str, at_ms: int
              ) -> list[EventEnvelope]:
    out: list[EventEnvelope] = []
    for e in batch.events:
        if isinstance(e, Joined) and not batch.server_events:
            person = Person(participant=e.id, display_name=e.display_name,
                            platform_user_id=e.user_id)
            out.append(_env(meeting, room, at_ms, f"joined:{e.id}",
                            ParticipantJoined(person=person)))
        elif isinstance(e, Left) and not batch.server_events:
            out.append(_env(meeting, room, at_ms, f"left:{e.id}", ParticipantLeft(
                person=Person(participant=e.id), reason=LeaveReason.UNKNOWN)))
        elif isinstance(e, Knocking):
            out.append(_env(meeting, room, at_ms, f"knock:{e.id}", WaitingRoomJoined(
                person=Person(participant=e.id, display_name=e.display_name))))
        elif isinstance(e, Rooms):
            out += _rooms(e, meeting, room, at_ms)
    return out


def _rooms(e: Rooms, meeting: str, room: str, at_ms: int) -> list[EventEnvelope]:
    out: list[EventEnvelope] = []
    for participant, where in sorted(e.members.items()):
        person = Person(participant=participant)
        event: Any = (BreakoutLeft(person=person, room="") if where == e.main
                      else BreakoutJoined(person=person, room=where))
        out.append(_env(meeting, room, at_ms, f"room:{participant}:{where}", event))
    return out
