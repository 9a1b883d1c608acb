"""Several events of one meeting in a row: each plan sees the meeting as the plans before
it left it, and their writes fold into one set of commands (pure)."""

from __future__ import annotations

from dataclasses import replace

from sidecar.infra import keys
from sidecar.presence.plan import MeetingView, Plan

JobStates = dict[str, str | None]  # job key -> state (None: no such job; "rejoined")


def advance(view: MeetingView, plan: Plan) -> MeetingView:
    """The meeting as the next event sees it once ``plan`` is written."""
    ladders = {**view.ladders, **plan.ladders_set}
    for subject in plan.ladders_del:
        ladders.pop(subject, None)
    return replace(view, people={**view.people, **plan.people}, ladders=ladders,
                   meta={**view.meta, **plan.meta})


def job_writes(plan: Plan, jobs: JobStates) -> tuple[list[str], list[tuple[str, str]]]:
    """Which of the plan's jobs to schedule and which to cancel, given the jobs' states;
    ``jobs`` is updated to what they are once written (for the next plan)."""
    schedule = []
    for s in plan.schedule:
        if jobs.get(s.key) in (None, "rejoined"):  # new, or stopped by a rejoin: (re)start
            schedule.append(s.key)
            jobs[s.key] = "pending"
    cancel = []
    for key, reason in plan.cancel:
        if jobs.get(key) in ("pending", "leased"):
            cancel.append((key, reason))
            jobs[key] = "rejoined" if reason == "rejoined" else "cancelled"
    return schedule, cancel


def state_writes(plans: list[Plan], number: str, platform: str
                 ) -> tuple[dict[str, str], list[str]]:
    """The state hash's fields to set and to delete after ``plans``, in order (disjoint)."""
    fields: dict[str, str] = {}
    deleted: dict[str, None] = {}
    for plan in plans:
        for name, value in [
            *((keys.PERSON_FIELD + p, s.to_json()) for p, s in plan.people.items()),
            *((keys.META_FIELD + k, v) for k, v in plan.meta.items()),
            *((keys.LADDER_FIELD + k, v) for k, v in plan.ladders_set.items()),
        ]:
            fields[name] = value
            deleted.pop(name, None)
        for subject in plan.ladders_del:
            fields.pop(keys.LADDER_FIELD + subject, None)
            deleted[keys.LADDER_FIELD + subject] = None
    fields[keys.META_FIELD + "number"] = number
    fields[keys.META_FIELD + "platform"] = platform
    return fields, list(deleted)
