"""Normalized meeting events (past tense), one discriminated union."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from contracts.ids import MeetingId, MeetingNumber, ParticipantId, Platform


class LeaveReason(StrEnum):
    LEFT = "left"
    DISCONNECTED = "disconnected"
    MOVED_TO_BREAKOUT = "moved_to_breakout"
    MOVED_TO_MAIN = "moved_to_main"
    REMOVED_BY_HOST = "removed_by_host"
    MEETING_ENDED = "meeting_ended"
    LEFT_WAITING_ROOM = "left_waiting_room"
    UNKNOWN = "unknown"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Person(_Frozen):
    """Who the platform says a participant is. Every string here is untrusted."""

    participant: ParticipantId
    display_name: str = Field(default="", max_length=200)
    email: str = ""
    registrant_id: str = ""
    customer_key: str = ""
    platform_user_id: str = ""


class ParticipantJoined(_Frozen):
    type: Literal["participant.joined"] = "participant.joined"
    person: Person


class ParticipantLeft(_Frozen):
    type: Literal["participant.left"] = "participant.left"
    person: Person
    reason: LeaveReason
    reason_text: str = Field(default="", max_length=500)


class WaitingRoomJoined(_Frozen):
    type: Literal["waiting_room.joined"] = "waiting_room.joined"
    person: Person


class WaitingRoomAdmitted(_Frozen):
    type: Literal["waiting_room.admitted"] = "waiting_room.admitted"
    person: Person


class WaitingRoomLeft(_Frozen):
    type: Literal["waiting_room.left"] = "waiting_room.left"
    person: Person


class BreakoutJoined(_Frozen):
    type: Literal["breakout.joined"] = "breakout.joined"
    person: Person
    room: str


class BreakoutLeft(_Frozen):
    type: Literal["breakout.left"] = "breakout.left"
    person: Person
    room: str


class RecordingStarted(_Frozen):
    type: Literal["recording.started"] = "recording.started"


class RecordingStopped(_Frozen):
    type: Literal["recording.stopped"] = "recording.stopped"


class MeetingStarted(_Frozen):
    type: Literal["meeting.started"] = "meeting.started"
    topic: str = Field(default="", max_length=300)


class MeetingEnded(_Frozen):
    type: Literal["meeting.ended"] = "meeting.ended"


CHAT_TEXT_MAX = 4096


class ChatMessageSent(_Frozen):
    """A message in the meeting's chat (to everyone or to one person). ``sender.participant``
    is the platform's in-meeting id for the sender, which may not be the id its presence
    events use. ``text`` is PHI: consumers check it and never store it."""

    type: Literal["chat.message_sent"] = "chat.message_sent"
    sender: Person
    text: str = Field(max_length=CHAT_TEXT_MAX)


Event = Annotated[
    ParticipantJoined
    | ParticipantLeft
    | WaitingRoomJoined
    | WaitingRoomAdmitted
    | WaitingRoomLeft
    | BreakoutJoined
    | BreakoutLeft
    | RecordingStarted
    | RecordingStopped
    | MeetingStarted
    | MeetingEnded
    | ChatMessageSent,
    Field(discriminator="type"),
]


class EventEnvelope(_Frozen):
    """CloudEvents-like envelope. ``occurred_at`` is the platform's time, not arrival."""

    schema_version: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1, max_length=300)
    platform: Platform
    meeting: MeetingId
    meeting_number: MeetingNumber
    occurred_at: datetime
    event: Event


event_adapter: TypeAdapter[EventEnvelope] = TypeAdapter(EventEnvelope)
