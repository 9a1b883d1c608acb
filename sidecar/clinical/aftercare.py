"""After-action tasks once an incident closes, and which of them are overdue.

docs/sources.md §7 lists the after-action note and the follow-ups (team huddle due in
24 h, caregiver check-in in 24-72 h); §1.2 supports structured follow-up contact after a
crisis; §2.5 (TJC) asks for documented risk and follow-up at discharge. Hour-based windows
are elapsed time, so a DST change does not stretch or shrink them; "end of the same day" is
the next local midnight in the program's zone, so it does move with the clock.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, model_validator

HOUR_MS = 3_600_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TaskKind(StrEnum):
    DOCUMENTATION = "documentation"  # risk assessment, interventions and outcome
    CLIENT_DEBRIEF = "client_debrief"
    TEAM_HUDDLE = "team_huddle"
    CAREGIVER_CHECKIN = "caregiver_checkin"
    SAFETY_PLAN_REVIEW = "safety_plan_review"
    CARE_PLAN_UPDATE = "care_plan_update"  # or a referral


class AftercarePolicy(_Strict):
    """Hours after closing. Team huddle and caregiver window: §7. The research gives no time
    for the debrief or the safety-plan review (chosen: 24 h, 72 h), nor for the care-plan
    update (chosen: 7 days, after SPiER's 7-day follow-up measure in §7)."""

    client_debrief_hours: int = Field(default=24, ge=1, le=14 * 24)
    team_huddle_hours: int = Field(default=24, ge=1, le=14 * 24)
    caregiver_window_start_hours: int = Field(default=24, ge=0, le=14 * 24)
    caregiver_window_end_hours: int = Field(default=72, ge=1, le=14 * 24)
    safety_plan_review_hours: int = Field(default=72, ge=1, le=14 * 24)
    care_plan_update_hours: int = Field(default=7 * 24, ge=1, le=30 * 24)

    @model_validator(mode="after")
    def _window(self) -> AftercarePolicy:
        if self.caregiver_window_start_hours >= self.caregiver_window_end_hours:
            raise ValueError("the caregiver window must open before it closes")
        return self


class AfterActionTask(_Strict):
    kind: TaskKind
    title: str
    not_before_ms: int  # the closing time, except for the caregiver window's start
    due_ms: int  # the deadline itself is already late: overdue once now_ms >= due_ms


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {tz!r}") from exc


def end_of_local_day(ms: int, tz: str) -> int:
    """The next local midnight after ``ms`` in ``tz``: the first instant of the next day.
    Where midnight is skipped by DST, zoneinfo resolves it to the first instant that exists."""
    zone = _zone(tz)
    day = (_EPOCH + ms * _MS).astimezone(zone).date()
    midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return (midnight - _EPOCH) // _MS


def _task(kind: TaskKind, title: str, closed_ms: int, due_ms: int) -> AfterActionTask:
    return AfterActionTask(kind=kind, title=title, not_before_ms=closed_ms, due_ms=due_ms)


def schedule(closed_ms: int, tz: str, policy: AftercarePolicy,
             has_caregiver_consent: bool) -> list[AfterActionTask]:
    """The after-action tasks for an incident closed at ``closed_ms``, soonest due first.
    The caregiver check-in is scheduled only if a contact has consented to it."""
    def after(hours: int) -> int:
        return closed_ms + hours * HOUR_MS

    p = policy
    tasks = [
        _task(TaskKind.DOCUMENTATION, "Document the risk assessment, interventions and outcome",
              closed_ms, end_of_local_day(closed_ms, tz)),
        _task(TaskKind.CLIENT_DEBRIEF, "Debrief with the client", closed_ms,
              after(p.client_debrief_hours)),
        _task(TaskKind.TEAM_HUDDLE, "Team huddle", closed_ms, after(p.team_huddle_hours)),
        _task(TaskKind.SAFETY_PLAN_REVIEW, "Review the safety plan with the client", closed_ms,
              after(p.safety_plan_review_hours)),
        _task(TaskKind.CARE_PLAN_UPDATE, "Update the care plan or refer", closed_ms,
              after(p.care_plan_update_hours)),
    ]
    if has_caregiver_consent:
        tasks.append(AfterActionTask(
            kind=TaskKind.CAREGIVER_CHECKIN, title="Check in with the consented caregiver",
            not_before_ms=after(p.caregiver_window_start_hours),
            due_ms=after(p.caregiver_window_end_hours)))
    return sorted(tasks, key=lambda t: t.due_ms)


def overdue(tasks: Collection[AfterActionTask], done_kinds: Collection[TaskKind],
            now_ms: int) -> list[AfterActionTask]:
    """Tasks not yet done whose deadline has arrived, in the order given."""
    return [t for t in tasks if t.kind not in done_kinds and now_ms >= t.due_ms]
