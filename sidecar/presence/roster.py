"""Who is where in a meeting, decided by each event's own time (pure, no I/O).

Platforms deliver late, twice and out of order. Each participant's presence and room are
last-writer-wins registers ordered by ``(second, rank, millisecond)``: within one second a
join outranks a room-move leave, because a leave/join pair stamped in the same second is a
room move (Zoom sends one for every breakout move), and a leave with no reason may be one.
A leave that says the person is gone (left, disconnected, removed, meeting ended)
outranks a join in the same second: Zoom gives a real rejoin a new participant id, so the
only join it can share a second with is the one just before it, and a drop right after
joining must not be lost. Applying the same set of events in any order gives the same
roster.
"""

from __future__ import annotations

import json
from dataclasses import MISSING, asdict, dataclass, fields, replace
from typing import Any, Literal

from contracts.events import (
    BreakoutJoined,
    BreakoutLeft,
    EventEnvelope,
    LeaveReason,
    ParticipantJoined,
    ParticipantLeft,
    Person,
    WaitingRoomAdmitted,
    WaitingRoomJoined,
    WaitingRoomLeft,
)

Status = Literal["present", "waiting", "gone"]
_RANK: dict[Status, int] = {"gone": 0, "waiting": 1, "present": 2}
_GONE_FOR_SURE = 3
_MAYBE_A_MOVE = frozenset({LeaveReason.MOVED_TO_BREAKOUT.value, LeaveReason.MOVED_TO_MAIN.value,
                           LeaveReason.LEFT_WAITING_ROOM.value, LeaveReason.UNKNOWN.value, ""})


def presence_rank(status: Status, reason: str) -> int:
    if status == "gone" and reason not in _MAYBE_A_MOVE:
        return _GONE_FOR_SURE
    return _RANK[status]
SubjectKind = Literal["client", "staff", "unknown"]


def order_key(at_ms: int, rank: int) -> tuple[int, int, int]:
    return (at_ms // 1000, rank, at_ms)


@dataclass(frozen=True)
class PersonState:
    participant: str
    display_name: str
    subject: str  # "client:<id>", "staff:<id>" or "participant:<id>"
    status: Status
    at_ms: int
    reason: str = ""
    room: str = ""  # "" is the main room
    room_at_ms: int = 0
    room_rank: int = 0

    @property
    def key(self) -> tuple[int, int, int]:
        return order_key(self.at_ms, presence_rank(self.status, self.reason))

    @property
    def subject_kind(self) -> SubjectKind:
        kind = self.subject.split(":", 1)[0]
        return kind if kind in ("client", "staff") else "unknown"  # type: ignore[return-value]

    @property
    def current_room(self) -> str:
        """The breakout room a present participant is in ("" = main room)."""
        return self.room if self.status == "present" else ""

    def to_json(self) -> str:
        """Compact JSON: fields at their defaults (main room, no reason) are left out."""
        return json.dumps({k: v for k, v in asdict(self).items()
                           if k not in _DEFAULTS or _DEFAULTS[k] != v}, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> PersonState:
        return cls(**json.loads(text))


_DEFAULTS = {f.name: f.default for f in fields(PersonState) if f.default is not MISSING}


def presence_of(event: EventEnvelope) -> tuple[Person, Status, str] | None:
    ev = event.event
    if isinstance(ev, ParticipantJoined | WaitingRoomAdmitted):
        return ev.person, "present", ""
    if isinstance(ev, WaitingRoomJoined):
        return ev.person, "waiting", ""
    if isinstance(ev, WaitingRoomLeft):
        return ev.person, "gone", LeaveReason.LEFT_WAITING_ROOM.value
    if isinstance(ev, ParticipantLeft):
        return ev.person, "gone", ev.reason.value
    return None


def _blank(person: Person, subject: str) -> PersonState:
    return PersonState(person.participant, person.display_name, subject, "gone", -1)


def apply(current: PersonState | None, event: EventEnvelope, subject: str) -> PersonState | None:
    """The participant's new state, or None when the event changes nothing (stale/dup)."""
    at_ms = int(event.occurred_at.timestamp() * 1000)
    ev = event.event
    if isinstance(ev, BreakoutJoined | BreakoutLeft):
        base = current or _blank(ev.person, subject)
        rank = 1 if isinstance(ev, BreakoutJoined) else 0
        if order_key(at_ms, rank) <= order_key(base.room_at_ms, base.room_rank):
            return None
        room = ev.room if isinstance(ev, BreakoutJoined) else ""
        return replace(base, room=room, room_at_ms=at_ms, room_rank=rank)
    found = presence_of(event)
    if found is None:
        return None
    person, status, reason = found
    base = current or _blank(person, subject)
    if order_key(at_ms, presence_rank(status, reason)) <= base.key:
        return None
    name = person.display_name or base.display_name
    keep = current is not None and not base.subject.startswith("participant:")
    linked = base.subject if keep else subject
    return replace(base, display_name=name, subject=linked, status=status, at_ms=at_ms,
                   reason=reason)


@dataclass(frozen=True)
class Absence:
    """A subject with nobody present: since when and why (the episode of a ladder)."""

    subject: str
    since_ms: int
    reason: str
    participant: str


def absence(people: list[PersonState], subject: str) -> Absence | None:
    """None while any of the subject's participants is present or waiting."""
    mine = [p for p in people if p.subject == subject and p.at_ms >= 0]
    if not mine or any(p.status != "gone" for p in mine):
        return None
    last = max(mine, key=lambda p: p.key)
    return Absence(subject, last.at_ms, last.reason, last.participant)


def person_view(p: PersonState) -> dict[str, Any]:
    """A roster row as panels see it (display names are untrusted text)."""
    kind = p.subject_kind
    return {
        "participant": p.participant,
        "display_name": p.display_name,
        "identity": kind,
        "client": p.subject.split(":", 1)[1] if kind == "client" else None,
        "status": p.status,
        "reason": p.reason,
        "room": p.current_room,
        "since": p.at_ms,
    }
