"""What the presence routes answer: the meeting list, the timeline, a seen alert, a link."""

from __future__ import annotations

from typing import Any

from sidecar.infra.apidoc import Reply


class LiveMeeting(Reply):
    meeting: str
    number: str | None
    name: str
    ended: bool


class Session(Reply):
    start: str  # 18:30
    end: str


class CaredGroup(Reply):
    """A group the caller cares for: their part in it, its running session, today's times."""

    name: str
    role: str  # lead, co_facilitator or ""
    jitsi_room: str | None
    meeting: str | None
    today: list[Session]


class Meetings(Reply):
    meetings: list[LiveMeeting]
    groups: list[CaredGroup]


class TimelineEntry(Reply):
    """One entry: its stream id, kind and time (ms); ``data`` depends on the kind."""

    id: str
    kind: str
    at: int
    data: dict[str, Any]


class Timeline(Reply):
    meeting: str
    entries: list[TimelineEntry]


class Seen(Reply):
    seen: bool
    at: int


class Linked(Reply):
    linked: bool
