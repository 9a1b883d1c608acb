"""The program's YAML configuration, validated by pydantic (no secrets in it)."""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from contracts.events import LeaveReason
from sidecar.clinical.aftercare import AftercarePolicy
from sidecar.clinical.checkin_rules import CheckInRequirements
from sidecar.clinical.deescalation import DeescalationPolicy
from sidecar.clinical.policy import TriagePolicy
from sidecar.clinical.privacy import PrivacyPrompts
from sidecar.clinical.proactive import ProactivePolicy

PHONE_PATTERN = r"^\+[1-9][0-9]{6,14}$"  # E.164


M = TypeVar("M", bound=BaseModel)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Role(StrEnum):
    LEAD = "lead_clinician"
    CO_FACILITATOR = "co_facilitator"
    ON_CALL = "on_call"
    ADMIN = "admin"
    PROGRAM_CLINICAL_LEAD = "program_clinical_lead"  # cares for every group of the program


class Program(_Strict):
    name: str = Field(min_length=1)
    time_zone: str = "UTC"
    locale: str = "en-US"
    # the number a client can call the program back on: said on a voicemail, put in texts
    callback_number: str | None = Field(default=None, pattern=PHONE_PATTERN)
    after_hours_number: str | None = Field(default=None, pattern=PHONE_PATTERN)
    crisis_line: str = Field(default="988", min_length=1, max_length=40)  # "call or text 988"

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        return _zone(v)


class Staff(_Strict):
    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = Field(min_length=1)
    roles: list[Role] = Field(min_length=1)
    phone: str = Field(pattern=PHONE_PATTERN)
    # the address the program's identity provider vouches for at sign-in (any case)
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+$")
    zoom_emails: list[str] = []
    zoom_user_ids: list[str] = []  # the "uid" in the Zoom App's context
    # a disabled person keeps their name on the record but cannot sign in, is on no call
    # list, and every session they hold ends when the change is saved
    active: bool = True


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


_HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


def _zone(v: str) -> str:
    try:
        ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {v!r} (use a name like America/Chicago)") from exc
    return v


class GroupSession(_Strict):
    """When a group meets each week, in wall-clock time of its zone."""

    days: list[Weekday] = Field(min_length=1)
    start: str = Field(pattern=_HHMM)
    end: str = Field(pattern=_HHMM + r"|^24:00$")


class Meeting(_Strict):
    """A group the program runs: on Zoom (its meeting number), on Jitsi (its room name),
    or on both. The number or the room name is what platform events carry."""

    zoom_meeting_id: str | None = Field(default=None, pattern=r"^[0-9]{9,12}$")
    jitsi_room: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_-]{2,63}$")
    name: str = Field(min_length=1)
    lead: str
    co_facilitator: str | None = None
    expected_clients: list[str] = []
    # who a dropped client who pressed 1 on our callback is put through to, unless a
    # clinician took the alert ("I'm calling them"); default the co-facilitator, then on call
    connection_lost_responder: str | None = None
    join_url: str | None = Field(default=None, pattern=r"^https://")  # texted to rejoin
    dial_in: str | None = Field(default=None, pattern=PHONE_PATTERN)  # the meeting's phone line
    schedule: list[GroupSession] = []  # when it meets (the panel's picker lists today's)
    time_zone: str | None = None  # the schedule's zone; None: the program's

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, v: str | None) -> str | None:
        return None if v is None else _zone(v)

    @model_validator(mode="after")
    def _on_a_platform(self) -> Meeting:
        if not (self.zoom_meeting_id or self.jitsi_room):
            raise ValueError(f"meeting {self.name!r} needs a zoom_meeting_id or a jitsi_room")
        return self

    @property
    def numbers(self) -> list[str]:
        """What platform events call this meeting (``EventEnvelope.meeting_number``)."""
        return [n for n in (self.zoom_meeting_id, self.jitsi_room) if n]


class LadderStep(_Strict):
    action: Literal["call_client", "call_support", "prompt_responders"]
    ring_timeout_seconds: float = Field(default=30, gt=0, le=120)
    attempts: int = Field(default=2, ge=1, le=5)


def _default_steps() -> list[LadderStep]:
    return [
        LadderStep(action="call_client"),
        LadderStep(action="call_support", attempts=1),
        LadderStep(action="prompt_responders", ring_timeout_seconds=60),
    ]


class CallbackPolicy(_Strict):
    grace_seconds: float = Field(default=10, ge=0, le=50)
    deadline_seconds: float = Field(default=60, gt=0, le=60)
    trigger_reasons: list[LeaveReason] = [LeaveReason.DISCONNECTED, LeaveReason.UNKNOWN]
    steps: list[LadderStep] = Field(default_factory=_default_steps, min_length=1)
    # text the client (rejoin link, "reply 1 if OK, 2 for a call") with the first call, when
    # their record says they agreed to texts
    text_client: bool = True
    reply_ok_stops_ladder: bool = False  # a "1" reply stops the calls (default: shown only)

    @model_validator(mode="after")
    def _grace_before_deadline(self) -> CallbackPolicy:
        if self.grace_seconds >= self.deadline_seconds:
            raise ValueError("grace_seconds must be shorter than deadline_seconds")
        if self.steps[0].action != "call_client":
            raise ValueError("the ladder's first step must be call_client")
        return self


class Telephony(_Strict):
    provider: Literal["twilio"] = "twilio"
    request_timeout_seconds: float = Field(default=5, gt=0, le=30)
    # requests to the provider in flight at once, over kept-alive connections; more wait
    # their turn (a burst of drops). Twilio's accounts allow 100 concurrent API requests.
    concurrent_requests: int = Field(default=100, ge=1, le=1000)


class CheckInPolicy(_Strict):
    """``off``: the check-in is offered but nobody is alerted when it is missing.
    ``warn``: alert the clinicians when a present client has not checked in after
    ``grace_minutes``. ``hold``: the same, and the panel offers to admit clients from the
    waiting room (the meeting's waiting room must be on) once they have checked in."""

    enforcement: Literal["off", "warn", "hold"] = "warn"  # off: no missing check-in alert
    grace_minutes: float = Field(default=5, ge=0, le=60)
    required: CheckInRequirements = CheckInRequirements()
    # ISO 3166-2 codes ("US-IL") where the program's clinicians are licensed; a check-in
    # elsewhere raises an alert. Empty: no check.
    licensed_regions: list[str] = []
    reprompt_by_sms: bool = False  # text the link to a client still missing after the grace

    @field_validator("licensed_regions")
    @classmethod
    def _iso_codes(cls, v: list[str]) -> list[str]:
        bad = [c for c in v if not re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}", c)]
        if bad:
            raise ValueError(f"use ISO 3166-2 codes like US-IL, not {bad}")
        return v


class RecordingPolicy(_Strict):
    """``alert``: tell the clinicians; ``stop``: also stop cloud recording via the API."""

    on_start: Literal["alert", "stop"] = "stop"


class RecordsPolicy(_Strict):
    """How long records the program must keep are kept. Attendance: 7 years by default
    (2555 days); a meeting's own keys still expire 30 days after its last event."""

    attendance_retention_days: int = Field(default=2555, ge=30, le=36500)


class OnCallShift(_Strict):
    """Who answers after hours: a staff member, on these days, from ``start`` to ``end`` in
    the program's time zone (an ``end`` before ``start`` runs past midnight)."""

    staff: str
    days: list[Weekday] = Field(min_length=1)
    start: str = Field(pattern=_HHMM)
    end: str = Field(pattern=_HHMM + r"|^24:00$")


# --- plan links (sidecar/plan) ---------------------------------------------------------
class PlanLinksPolicy(_Strict):
    """Links to a client's own plan page and their caregivers' pages (``/plan``): how many
    days a link opens before it expires."""

    expire_days: int = Field(default=30, ge=1, le=180)
# --- end plan links ----------------------------------------------------------------------


class ProgramConfig(_Strict):
    program: Program
    staff: list[Staff] = Field(min_length=1)
    meetings: list[Meeting] = []
    callback_policy: CallbackPolicy = CallbackPolicy()
    recording_policy: RecordingPolicy = RecordingPolicy()
    checkin_policy: CheckInPolicy = CheckInPolicy()
    # privacy prompts: headphones, a private spot... (sidecar/clinical/privacy.py)
    privacy_prompts: PrivacyPrompts = PrivacyPrompts()
    telephony: Telephony = Telephony()
    triage_policy: TriagePolicy = TriagePolicy()
    aftercare_policy: AftercarePolicy = AftercarePolicy()
    proactive_policy: ProactivePolicy = ProactivePolicy()  # check-ins after a screen
    deescalation: DeescalationPolicy = DeescalationPolicy()  # calm & ground tools, agreements
    part2_program: bool = False  # a substance-use program under 42 CFR Part 2
    records: RecordsPolicy = RecordsPolicy()
    on_call_schedule: list[OnCallShift] = []
    plan_links: PlanLinksPolicy = PlanLinksPolicy()  # the plan pages' links (sidecar/plan)

    @model_validator(mode="after")
    def _references(self) -> ProgramConfig:
        ids = [s.id for s in self.staff]
        if len(set(ids)) != len(ids):
            raise ValueError("staff ids must be unique")
        emails = [s.email.casefold() for s in self.staff if s.email]
        if len(set(emails)) != len(emails):
            raise ValueError("two staff members have the same email: each signs in as one person")
        for shift in self.on_call_schedule:
            if shift.staff not in ids:
                raise ValueError(f"on_call_schedule names unknown staff {shift.staff!r}")
        for m in self.meetings:
            for who in (m.lead, m.co_facilitator, m.connection_lost_responder):
                if who is not None and who not in ids:
                    raise ValueError(f"meeting {m.name!r} names unknown staff {who!r}")
        return self

    @cached_property
    def _staff_index(self) -> dict[str, Staff]:
        return {s.id: s for s in self.staff}

    @cached_property
    def _meeting_index(self) -> dict[str, Meeting]:
        return {n: m for m in self.meetings for n in m.numbers}

    def staff_by_id(self, staff_id: str) -> Staff | None:
        return self._staff_index.get(staff_id)

    def meeting_by_number(self, number: str) -> Meeting | None:
        return self._meeting_index.get(number)

    def staff_by_email(self, email: str) -> Staff | None:
        wanted = email.strip().casefold()
        return next((s for s in self.staff if s.email and s.email.casefold() == wanted), None)

    def staff_by_zoom_uid(self, uid: str) -> Staff | None:
        return next((s for s in self.staff if uid and uid in s.zoom_user_ids), None)

    def recording_statement(self) -> str:
        """What clients are told about recording: only while recordings are stopped."""
        return self.privacy_prompts.statement(self.recording_policy.on_start == "stop")

    def on_call(self) -> list[Staff]:
        return [s for s in self.staff if Role.ON_CALL in s.roles and s.active]


class ConfigError(Exception):
    """A configuration file that cannot be used; ``problems`` name each field by path."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _path(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def _by_path(exc: ValidationError) -> list[str]:
    return [f"{_path(e['loc'])}: {e['msg']}" for e in exc.errors()]


def load_yaml(path: Path, model: type[M],
              explain: Callable[[ValidationError], list[str]] = _by_path) -> M:
    """A YAML (or JSON) file as ``model``; ConfigError names every problem by its path."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError([f"{path}: {exc}"]) from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(explain(exc)) from exc


def load_config(path: Path) -> ProgramConfig:
    return load_yaml(path, ProgramConfig)
