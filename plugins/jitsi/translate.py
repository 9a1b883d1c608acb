"""Module events -> contract events. A pure dispatch table; unknown events are skipped.

One module event may stand for two contract events: an occupant entering or leaving a
breakout room is present in (or gone from) the meeting *and* in (or out of) that room, as
Zoom reports a breakout move with a leave/join pair plus a breakout event.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from contracts.events import (
    BreakoutJoined,
    BreakoutLeft,
    Event,
    EventEnvelope,
    LeaveReason,
    MeetingEnded,
    MeetingStarted,
    ParticipantJoined,
    ParticipantLeft,
    Person,
    WaitingRoomJoined,
    WaitingRoomLeft,
)
from contracts.ids import MeetingId, MeetingNumber, ParticipantId, jitsi_meeting_id
from plugins.base import MalformedPayload
from plugins.jitsi.leave_reason import classify
from plugins.jitsi.payloads import JitsiEvent

Builder = Callable[[JitsiEvent], list[Event]]
SESSION_SPAN = timedelta(hours=12)  # a room older than this names no session day


def _person(ev: JitsiEvent) -> Person:
    o = ev.occupant
    if o is None:
        raise MalformedPayload(f"{ev.event} without occupant")
    return Person(participant=ParticipantId(o.id), display_name=o.name[:200],
                  platform_user_id=o.user_id[:200])


def _room(ev: JitsiEvent) -> str:
    if not ev.breakout_room_id:
        raise MalformedPayload(f"{ev.event} in a breakout room without breakout_room_id")
    return ev.breakout_room_id


def _joined(ev: JitsiEvent) -> list[Event]:
    person = _person(ev)
    events: list[Event] = [ParticipantJoined(person=person)]
    if ev.is_breakout:
        events.append(BreakoutJoined(person=person, room=_room(ev)))
    return events


def _left(ev: JitsiEvent) -> list[Event]:
    person = _person(ev)
    reason = classify(ev.reason, in_breakout=ev.is_breakout)
    events: list[Event] = [ParticipantLeft(person=person, reason=reason,
                                           reason_text=(ev.detail or ev.reason)[:500])]
    if ev.is_breakout:
        events.append(BreakoutLeft(person=person, room=_room(ev)))
    return events


def _interrupted(ev: JitsiEvent) -> list[Event]:
    """The connection went (stream management hibernates the session): a drop, known in
    seconds. The ladder's grace covers a quick resume, which comes as occupant.restored."""
    return [ParticipantLeft(person=_person(ev), reason=LeaveReason.DISCONNECTED,
                            reason_text="connection interrupted")]


def _room_event(kind: type[MeetingStarted] | type[MeetingEnded]) -> Builder:
    def build(ev: JitsiEvent) -> list[Event]:
        return [] if ev.is_breakout else [kind()]

    return build


_TABLE: dict[str, Builder] = {
    "occupant.joined": _joined,
    "occupant.left": _left,
    "occupant.interrupted": _interrupted,
    "occupant.restored": lambda ev: [ParticipantJoined(person=_person(ev))],
    "lobby.knock": lambda ev: [WaitingRoomJoined(person=_person(ev))],
    "lobby.left": lambda ev: [WaitingRoomLeft(person=_person(ev))],
    "room.created": _room_event(MeetingStarted),
    "room.destroyed": _room_event(MeetingEnded),
}

SUPPORTED_EVENTS = frozenset(_TABLE)  # "breakout.created" and the like are skipped


def _occurred_ms(ev: JitsiEvent) -> int:
    """An event's own time, except that a resume counts from the second after its
    interruption: within one second the roster ranks a drop above a join, which would
    hide a quick resume (the participant id does not change on a resume)."""
    if ev.event == "occupant.restored" and ev.interrupted_at_ms is not None:
        return max(ev.at_ms, (ev.interrupted_at_ms // 1000 + 1) * 1000)
    return ev.at_ms


def session_day(ev: JitsiEvent, zone: ZoneInfo) -> str:
    """The program's calendar day of the session: the day the main room was created (a
    group running past midnight stays one session), else the day of the event."""
    at = datetime.fromtimestamp(ev.at_ms / 1000, tz=UTC)
    started = ev.session_started_ms
    if started is not None and started <= ev.at_ms:
        start = datetime.fromtimestamp(started / 1000, tz=UTC)
        if at - start <= SESSION_SPAN:
            at = start
    return at.astimezone(zone).date().isoformat()


def translate(ev: JitsiEvent, zone: ZoneInfo) -> list[EventEnvelope] | None:
    """The contract events for one module event, or None for an event we do not use."""
    build = _TABLE.get(ev.event)
    if build is None:
        return None
    events = build(ev)
    if not events:
        return None
    occurred = datetime.fromtimestamp(_occurred_ms(ev) / 1000, tz=UTC)
    meeting = MeetingId(jitsi_meeting_id(ev.room, session_day(ev, zone)))
    return [
        EventEnvelope(
            id=f"jitsi:{ev.idempotency_key}" + (f":{n}" if n else ""),
            platform="jitsi",
            meeting=meeting,
            meeting_number=MeetingNumber(ev.room),
            occurred_at=occurred,
            event=event,
        )
        for n, event in enumerate(events)
    ]
