"""Zoom webhook -> contract events. A pure dispatch table; unknown events are skipped."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from contracts.events import (
    CHAT_TEXT_MAX,
    BreakoutJoined,
    BreakoutLeft,
    ChatMessageSent,
    Event,
    EventEnvelope,
    MeetingEnded,
    MeetingStarted,
    ParticipantJoined,
    ParticipantLeft,
    Person,
    RecordingStarted,
    RecordingStopped,
    WaitingRoomAdmitted,
    WaitingRoomJoined,
    WaitingRoomLeft,
)
from contracts.ids import MeetingId, MeetingNumber, ParticipantId
from plugins.base import MalformedPayload
from plugins.zoom.leave_reason import classify
from plugins.zoom.payloads import ZoomObject, ZoomParticipant, ZoomWebhook

Builder = Callable[[ZoomObject], Event]


def _person(obj: ZoomObject) -> Person:
    p = obj.participant
    if p is None or not (p.participant_uuid or p.user_id):
        raise MalformedPayload("participant event without participant_uuid")
    return Person(
        participant=ParticipantId(p.participant_uuid or f"user:{p.user_id}"),
        display_name=p.user_name[:200],
        email=p.email,
        registrant_id=p.registrant_id,
        customer_key=p.customer_key,
        platform_user_id=p.participant_user_id or p.id,
    )


def _left(obj: ZoomObject) -> Event:
    text = obj.participant.leave_reason if obj.participant else ""
    return ParticipantLeft(person=_person(obj), reason=classify(text), reason_text=text[:500])


def _chat(obj: ZoomObject) -> Event:
    """The sender is named by the in-meeting session id Zoom also uses as a participant's
    ``user_id`` (so ``user:<id>``, as for a participant without a ``participant_uuid``)."""
    c = obj.chat_message
    if c is None or not c.sender_session_id:
        raise MalformedPayload("chat event without chat_message.sender_session_id")
    sender = Person(participant=ParticipantId(f"user:{c.sender_session_id}"),
                    display_name=c.sender_name[:200], email=c.sender_email)
    return ChatMessageSent(sender=sender, text=c.message_content[:CHAT_TEXT_MAX])


_TABLE: dict[str, Builder] = {
    "meeting.participant_joined": lambda o: ParticipantJoined(person=_person(o)),
    "meeting.participant_left": _left,
    "meeting.participant_joined_waiting_room": lambda o: WaitingRoomJoined(person=_person(o)),
    "meeting.participant_put_in_waiting_room": lambda o: WaitingRoomJoined(person=_person(o)),
    "meeting.participant_admitted": lambda o: WaitingRoomAdmitted(person=_person(o)),
    "meeting.participant_left_waiting_room": lambda o: WaitingRoomLeft(person=_person(o)),
    "meeting.participant_joined_breakout_room": lambda o: BreakoutJoined(
        person=_person(o), room=o.breakout_room_uuid
    ),
    "meeting.participant_left_breakout_room": lambda o: BreakoutLeft(
        person=_person(o), room=o.breakout_room_uuid
    ),
    "meeting.started": lambda o: MeetingStarted(topic=o.topic[:300]),
    "meeting.ended": lambda o: MeetingEnded(),
    "recording.started": lambda o: RecordingStarted(),
    "recording.stopped": lambda o: RecordingStopped(),
    "meeting.chat_message_sent": _chat,
}

SUPPORTED_EVENTS = frozenset(_TABLE)


def _delivery_id(hook: ZoomWebhook, obj: ZoomObject) -> str:
    """Stable across Zoom's retries and duplicate subscriptions of one event."""
    who = obj.participant.participant_uuid if obj.participant else ""
    if obj.chat_message is not None:
        who = obj.chat_message.message_id or obj.chat_message.sender_session_id
    return f"zoom:{obj.uuid}:{who}:{hook.event}:{hook.event_ts}"


def _participant_time(p: ZoomParticipant | None) -> datetime | None:
    if p is None:
        return None
    return p.join_time or p.leave_time or p.date_time


def translate(hook: ZoomWebhook) -> EventEnvelope | None:
    """The contract event for one Zoom webhook, or None for an event we do not use."""
    build = _TABLE.get(hook.event)
    if build is None:
        return None
    obj = hook.payload.object
    if obj is None or not obj.uuid:
        raise MalformedPayload(f"{hook.event} without payload.object.uuid")
    occurred = datetime.fromtimestamp(hook.event_ts / 1000, tz=UTC)
    if hook.event_ts == 0:
        occurred = _participant_time(obj.participant) or occurred
    return EventEnvelope(
        id=_delivery_id(hook, obj),
        platform="zoom",
        meeting=MeetingId(obj.uuid),
        meeting_number=MeetingNumber(obj.id),
        occurred_at=occurred,
        event=build(obj),
    )
