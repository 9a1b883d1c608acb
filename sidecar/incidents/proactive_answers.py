"""What the proactive check-in routes answer."""

from __future__ import annotations

from typing import Any

from sidecar.infra.apidoc import Reply


class Clinician(Reply):
    id: str
    name: str


class CheckInLine(Reply):
    """One check-in: how, when (epoch ms, and the program's local time), whose, its state
    (scheduled, due, overdue, done or cancelled) and, once recorded, its outcome, or who
    cancelled it, when and why."""

    id: str
    way: str  # call or text
    due_ms: int
    due_local: str  # "2026-12-03T10:00" in the program's zone
    assignee: str
    assignee_name: str
    state: str
    fired_ms: int | None
    texted: bool | None
    reply: str | None
    outcome: dict[str, Any] | None
    cancelled: dict[str, Any] | None


class CheckIns(Reply):
    """An incident's check-ins, and what the scheduling form offers: whether the last
    screen suggests one, the suggested time, the clinicians who may be assigned."""

    incident: str
    offered: bool
    suggested_local: str
    time_zone: str
    overdue_minutes: int
    client_text: str  # what a text check-in sends (the program's words, no PHI)
    clinicians: list[Clinician]
    check_ins: list[CheckInLine]
