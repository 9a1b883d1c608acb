"""What the panel's routes answer: the roster and the dispatch card."""

from __future__ import annotations

from typing import Any

from sidecar.infra.apidoc import Reply
from sidecar.records.model import EmergencyContact, Location


class Person(Reply):
    """A roster row (display names are untrusted text)."""

    participant: str
    display_name: str
    identity: str  # client, staff or unknown
    client: str | None
    status: str
    reason: str
    room: str | None
    since: int


class PrivacyAnswer(Reply):
    """A privacy prompt the client answered at check-in, in the roster's words."""

    key: str
    label: str  # "Headphones"
    answer: bool
    words: str  # "Headphones: yes", "No headphones"
    attention: bool  # a "no": the lead may gently check in


class CheckInState(Reply):
    checked_in_at: int | None
    moved_at: int | None
    stale: bool
    privacy: list[PrivacyAnswer]


class PrivacyAnswers(Reply):
    """Client id -> their privacy answers this session (checked-in clients only)."""

    clients: dict[str, list[PrivacyAnswer]]


class ExpectedClient(Reply):
    id: str
    name: str


class GroupView(Reply):
    name: str
    lead: str | None
    co_facilitator: str | None
    staff: dict[str, str]  # staff id -> name


class CallbackStep(Reply):
    action: str
    attempts: int


class Roster(Reply):
    meeting: str
    meta: dict[str, str]
    people: list[Person]
    ladders: dict[str, str]  # subject -> the running ladder's job
    last_event_id: str
    checkins: dict[str, CheckInState]
    clients: list[ExpectedClient]
    group: GroupView | None
    now: int
    time_zone: str
    callback_steps: list[CallbackStep]


class DispatchCard(Reply):
    """Whom to call for where the client is, the callback number, who is with them."""

    client: str
    name: str
    callback_phone: str
    location_source: str  # this session's check-in, or on file
    stale: bool  # the client said they moved since checking in
    moved_at: int | None
    checked_in_at: int | None
    others_present: str | None
    who_is_present: str
    location: Location | None
    address: str | None
    room: str | None
    location_on_file: str | None
    emergency_contacts: list[EmergencyContact]  # those responders may call or be told
    support_contacts: list[dict[str, Any]]
    considerations: dict[str, Any]
    responders: dict[str, Any]
    program: str
    meeting: str  # the group's name
