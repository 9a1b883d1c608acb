"""What one event does to a meeting: new roster rows, timeline lines, ladder jobs (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from contracts.events import (
    EventEnvelope,
    MeetingEnded,
    MeetingStarted,
    RecordingStarted,
    RecordingStopped,
)
from sidecar.infra import keys
from sidecar.infra.config import CallbackPolicy
from sidecar.infra.timeline import entry
from sidecar.presence.roster import (
    Absence,
    PersonState,
    absence,
    apply,
    person_view,
    presence_of,
)

LADDER_KIND = "callback_ladder"
RECORDING_GUARD_KIND = "recording_guard"
CHECKIN_KIND = "checkin_reminder"
ATTENDANCE_KIND = "attendance_record"  # records a session's attendance once it has ended


@dataclass(frozen=True)
class Schedule:
    key: str
    due_ms: int
    payload: dict[str, Any]
    kind: str = LADDER_KIND


@dataclass
class Plan:
    people: dict[str, PersonState] = field(default_factory=dict)
    timeline: list[dict[str, str]] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    schedule: list[Schedule] = field(default_factory=list)
    cancel: list[tuple[str, str]] = field(default_factory=list)  # (job key, reason)
    ladders_set: dict[str, str] = field(default_factory=dict)  # subject -> job key
    ladders_del: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.people or self.timeline or self.meta or self.schedule or self.cancel)


def ladder_key(meeting: str, subject: str, since_ms: int) -> str:
    return keys.meeting_job(meeting, f"ladder:{meeting}:{subject}:{since_ms}")


_MEETING_FACTS = {
    MeetingStarted: ("started_at", "meeting.started"),
    MeetingEnded: ("ended_at", "meeting.ended"),
    RecordingStarted: ("recording_started_at", "recording.started"),
    RecordingStopped: ("recording_stopped_at", "recording.stopped"),
}


def _meeting_fact(env: EventEnvelope, meta: dict[str, str], at_ms: int,
                  stop_recordings: bool, now_ms: int) -> Plan:
    plan = Plan()
    fact = _MEETING_FACTS.get(type(env.event))
    if fact is None:
        return plan
    field_name, kind = fact
    if meta.get(field_name) == str(at_ms):
        return plan  # a duplicate delivery
    plan.meta[field_name] = str(at_ms)
    plan.timeline.append(entry(kind, at_ms))
    if isinstance(env.event, MeetingEnded):
        key = keys.meeting_job(env.meeting, f"attendance:{env.meeting}")
        plan.schedule.append(Schedule(key, now_ms, {"meeting": env.meeting}, ATTENDANCE_KIND))
    if isinstance(env.event, RecordingStarted) and stop_recordings:
        key = keys.meeting_job(env.meeting, f"recording:{env.meeting}:{at_ms}")
        plan.schedule.append(Schedule(key, now_ms, {"meeting": env.meeting,
                                                    "started_ms": at_ms},
                                      RECORDING_GUARD_KIND))
    return plan


@dataclass(frozen=True)
class MeetingView:
    meeting: str
    program_meeting: str
    people: dict[str, PersonState]
    ladders: dict[str, str]
    meta: dict[str, str]


def plan_event(
    env: EventEnvelope, view: MeetingView, subject: str, policy: CallbackPolicy, now_ms: int,
    *, stop_recordings: bool = False, checkin_grace_ms: int | None = None,
) -> Plan:
    at_ms = int(env.occurred_at.timestamp() * 1000)
    person = getattr(env.event, "person", None)
    if person is None:
        return _meeting_fact(env, view.meta, at_ms, stop_recordings, now_ms)
    current = view.people.get(person.participant)
    updated = apply(current, env, subject)
    plan = Plan()
    if updated is None:
        _late(plan, env, at_ms)
        return plan
    plan.people[updated.participant] = updated
    plan.timeline.append(entry("roster", at_ms, **person_view(updated)))
    people = {**view.people, updated.participant: updated}
    _ladder(plan, view, list(people.values()), updated.subject, policy, now_ms)
    if checkin_grace_ms is not None:
        _checkin_reminder(plan, view, updated, checkin_grace_ms, now_ms)
    return plan


def _late(plan: Plan, env: EventEnvelope, at_ms: int) -> None:
    """An event older than what the roster knows changes nothing there, but attendance
    still needs to know when it happened (ids and times only)."""
    found = presence_of(env)
    if found is not None:
        person, status, reason = found
        plan.timeline.append(entry("presence.late", at_ms, participant=person.participant,
                                   status=status, reason=reason))


def _checkin_reminder(plan: Plan, view: MeetingView, person: PersonState, grace_ms: int,
                      now_ms: int) -> None:
    """A client present in the meeting gets one check-in reminder job per session."""
    if person.status != "present" or person.subject_kind != "client":
        return
    client = person.subject.split(":", 1)[1]
    key = keys.meeting_job(view.meeting, f"checkin:{view.meeting}:{client}")
    plan.schedule.append(Schedule(key, now_ms + grace_ms,
                                  {"meeting": view.meeting, "client": client,
                                   "subject": person.subject}, CHECKIN_KIND))


def _ladder(
    plan: Plan, view: MeetingView, people: list[PersonState], subject: str,
    policy: CallbackPolicy, now_ms: int,
) -> None:
    gone = absence(people, subject)
    active = view.ladders.get(subject)
    if gone is None:
        if active is not None:
            plan.cancel.append((active, "rejoined"))
            plan.ladders_del.append(subject)
            plan.timeline.append(entry("ladder.stopped", now_ms, subject=subject,
                                       reason="rejoined"))
        return
    if active is not None or gone.reason not in policy.trigger_reasons:
        # A ladder already running for this absence keeps running: it is the earlier,
        # more urgent one, and a late event must never push a callback back.
        return
    if not subject.startswith("client:"):
        if subject.startswith("participant:"):
            plan.timeline.append(entry("alert.unidentified_drop", gone.since_ms,
                                       participant=gone.participant, reason=gone.reason))
        return
    start = _start(view, gone, policy, now_ms, ladder_key(view.meeting, subject, gone.since_ms))
    plan.schedule.append(start)
    plan.ladders_set[subject] = start.key
    plan.timeline.append(entry(
        "alert.disconnected", gone.since_ms, subject=subject, participant=gone.participant,
        reason=gone.reason, callback_due=start.due_ms, deadline=start.payload["deadline_ms"]))


LADDER_POLICY_FIELDS = {"steps", "text_client", "reply_ok_stops_ladder"}


def _start(view: MeetingView, gone: Absence, policy: CallbackPolicy, now_ms: int,
           key: str) -> Schedule:
    """The ladder fires after the grace, counted from the disconnect (or from now, if the
    platform's clock is ahead of ours); a late event fires at once."""
    origin = min(gone.since_ms, now_ms)
    due = origin + int(policy.grace_seconds * 1000)
    payload = {
        "meeting": view.meeting,
        "program_meeting": view.program_meeting,
        "subject": gone.subject,
        "client": gone.subject.split(":", 1)[1],
        "participant": gone.participant,
        "since_ms": gone.since_ms,
        "deadline_ms": origin + int(policy.deadline_seconds * 1000),
        # the ladder keeps the steps it started with: a policy an admin saves mid-ladder
        # applies to the next drop, never to a crisis already under way
        "policy": policy.model_dump_json(include=LADDER_POLICY_FIELDS),
    }
    return Schedule(key, due, payload)


def plan_link(view: MeetingView, participant: str, client: str, by: str,
              policy: CallbackPolicy, now_ms: int) -> Plan | None:
    """A clinician says who an unidentified participant is. If that client is away now,
    their callback ladder starts as if the platform had named them. None: no such person."""
    current = view.people.get(participant)
    if current is None:
        return None
    subject = f"client:{client}"
    plan = Plan()
    if current.subject == subject:
        return plan
    linked = replace(current, subject=subject)
    plan.people[participant] = linked
    plan.timeline.append(entry("participant.linked", now_ms, participant=participant,
                               client=client, by=by))
    plan.timeline.append(entry("roster", now_ms, **person_view(linked)))
    people = {**view.people, participant: linked}
    _ladder(plan, view, list(people.values()), subject, policy, now_ms)
    return plan
