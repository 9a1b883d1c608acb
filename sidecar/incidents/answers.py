"""What the incident routes answer: the incident with its task list, the list, the card,
a contact decision, the hand-off, the people on the page, the figures, a triage room."""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import SkipJsonSchema

from sidecar.clinical.cssrs import Item
from sidecar.incidents.model import Incident
from sidecar.infra.apidoc import Reply
from sidecar.records.model import SafetyPlan


class ToDo(Reply):
    """One task: a protocol step or a checklist action, due when, done by whom."""

    key: str
    kind: str  # step, check, or checkin (a proactive check-in that came due)
    title: str
    due_ms: int
    done: dict[str, Any] | None
    assignee: str | SkipJsonSchema[None] = None  # a check-in's clinician


class IncidentView(Incident):
    """The incident as stored, with ``to_do``: its one merged task list, soonest first."""

    to_do: list[ToDo]


class Instrument(Reply):
    version: str
    copyright: str
    items: list[Item]
    always: list[int]
    if_item_2_yes: list[int]


class IncidentLine(Reply):
    id: str
    meeting: str
    client: str
    trigger: str
    level: str | None
    opened: int
    closed: int | None
    emergency: bool
    overdue: int  # follow-ups past due


class Incidents(Reply):
    incidents: list[IncidentLine]


class EmergencyCard(Reply):
    """Whom to call, the exact address and room, who is there, what the group is told."""

    whom_to_call: str  # one sentence, first on the card
    client: str
    name: str
    address: str | None
    room: str | None
    location_source: str
    checked_in_at: str | None
    callback_phone: str
    who_is_present: str
    safety_plan: SafetyPlan
    responders: dict[str, Any]
    contacts: list[dict[str, Any]]
    incident: str
    part2_program: bool
    group_script: str
    on_call: list[dict[str, str]]


class ContactDecision(Reply):
    """Whether consent (or a stated override) allows the call; the number only if so."""

    allowed: bool
    reason: str
    phone: str | None
    override: bool | SkipJsonSchema[None] = None


class HandedOff(Reply):
    summary: str  # plain text for the receiving facility
    incident: IncidentView


class NamedClient(Reply):
    id: str
    name: str


class IncidentPeople(Reply):
    incident: str
    meeting: str
    client: NamedClient
    group: str
    staff: dict[str, str]  # staff id -> name


class Spread(Reply):
    count: int
    p50: float | None
    p90: float | None
    max: float | None


class Figures(Reply):
    incidents: int
    open: int
    by_trigger: dict[str, int]
    by_level: dict[str, int]
    emergencies: int
    disconnect_to_first_call_s: Spread
    emergency_to_responders_s: Spread
    followups_overdue: int


class TriageRoom(Reply):
    room_name: str
