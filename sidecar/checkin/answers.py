"""What the check-in routes answer: a link made, the client's own check-in, a submission."""

from __future__ import annotations

from typing import Any

from sidecar.infra.apidoc import Reply
from sidecar.records.model import Location


class LinkMade(Reply):
    """A signed link to the form, when it expires (ms), and whether it was texted."""

    url: str
    expires_at: int
    sms_sent: bool


class Done(Reply):
    ok: bool


class OwnCheckIn(Reply):
    """The client's own check-in this session (null before the first), whether they said
    they moved since, and the address on their record (null when none)."""

    checkin: dict[str, Any] | None
    stale: bool
    on_file: Location | None  # without the room


class Submitted(Reply):
    ok: bool
    checked_in_at: int
    linked: bool  # tied to the participant the form runs in


class Moved(Reply):
    ok: bool
    stale: bool


class Moment(Reply):
    ok: bool
    message: str


class FieldProblem(Reply):
    field: str  # the form field, like location.room
    message: str


class FormProblems(Reply):
    """400 from the form: each problem by the field the form shows it under."""

    errors: list[FieldProblem]
