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
Key = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
MAX_AGE_MS = 10 * 60 * 1000  # an event held in the bridge's queue longer counts as this old


class _In(BaseModel):
    """``key``: the bridge's id for this event (a resend is a duplicate, not a new event);
    ``age_ms``: how long the browser held it before this request (its queue during an
    outage), so it is dated when it was seen and the callback is not delayed; an age, not
    a time, so the browser's clock needs to be right about nothing."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    key: Key | None = None
    age_ms: int = Field(default=0, ge=0)


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
    members: dict[Id, Annotated[str, Field(max_length=128)]] = Field(default={}, max_length=500)


ConsoleEvent = Annotated[Joined | Left | Knocking | Rooms, Field(discriminator="type")]


class ConsoleBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    events: list[ConsoleEvent] = Field(max_length=200)
    server_events: bool = False  # True when Prosody's module reports attendance


def _when(e: _In, now_ms: int) -> int:
    return now_ms - min(e.age_ms, MAX_AGE_MS)


def _env(meeting: str, room: str, at_ms: int, e: _In, what: str, event: Event
         ) -> EventEnvelope:
    """The bridge's key names a resend as the same delivery; without one, the time does."""
    stamp = e.key if e.key is not None else str(at_ms)
    return EventEnvelope(id=f"console:{meeting}:{stamp}:{what}", platform="jitsi",
                         meeting=meeting, meeting_number=room,
                         occurred_at=datetime.fromtimestamp(at_ms / 1000, tz=UTC),
                         event=event)


def translate(batch: ConsoleBatch, meeting: str, room: str, now_ms: int
              ) -> list[EventEnvelope]:
    out: list[EventEnvelope] = []
    for e in batch.events:
        at_ms = _when(e, now_ms)
        if isinstance(e, Joined) and not batch.server_events:
            person = Person(participant=e.id, display_name=e.display_name,
                            platform_user_id=e.user_id)
            out.append(_env(meeting, room, at_ms, e, f"joined:{e.id}",
                            ParticipantJoined(person=person)))
        elif isinstance(e, Left) and not batch.server_events:
            out.append(_env(meeting, room, at_ms, e, f"left:{e.id}", ParticipantLeft(
                person=Person(participant=e.id), reason=LeaveReason.UNKNOWN)))
        elif isinstance(e, Knocking):
            out.append(_env(meeting, room, at_ms, e, f"knock:{e.id}", WaitingRoomJoined(
                person=Person(participant=e.id, display_name=e.display_name))))
        elif isinstance(e, Rooms):
            for participant, where in sorted(e.members.items()):
                person = Person(participant=participant)
                moved: Any = (BreakoutLeft(person=person, room="") if where == e.main
                              else BreakoutJoined(person=person, room=where))
                out.append(_env(meeting, room, at_ms, e, f"room:{participant}:{where}",
                                moved))
    return out
