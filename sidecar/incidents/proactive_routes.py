"""Proactive check-ins over HTTP: see an incident's check-ins (and what the form offers),
schedule one (a call or a text, at a time the clinician confirms), record its outcome.

Scheduling stores the check-in and its durable job in one MULTI; the outcome cancels the
job. Both are audited and on the meeting's timeline (ids and kinds, no PHI), and on the
incident's log in words, which the report prints."""

from __future__ import annotations

import uuid

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field
from redis.asyncio.client import Pipeline

from sidecar.clinical.proactive import local_ms, local_text, offered, suggested_ms
from sidecar.incidents import checkin_steps, proactive_answers
from sidecar.incidents.deps import IncidentDeps
from sidecar.incidents.model import Incident
from sidecar.incidents.proactive import PROACTIVE_KIND, job_key
from sidecar.incidents.proactive_model import (
    CheckInCancelled,
    CheckInOutcome,
    ProactiveCheckIn,
    Result,
    Way,
)
from sidecar.incidents.routes import body_of, change, load, now_ms, who
from sidecar.infra.access import CLINICAL, on_incident, rule
from sidecar.infra.apidoc import described
from sidecar.infra.timeline import entry

routes = web.RouteTableDef()
LOCAL = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$"
LATEST_DAYS = 90
PAST_SLACK_MS = 60_000


class ScheduleBody(BaseModel):
    """``at``: the program's local time ("2026-12-03T10:00"); left out, tomorrow's
    suggested time. ``assignee``: a clinician's staff id; left out, the caller."""

    model_config = ConfigDict(extra="forbid")
    way: Way = "call"
    at: str | None = Field(default=None, pattern=LOCAL)
    assignee: str | None = Field(default=None, max_length=100)


class MoveBody(BaseModel):
    """``at``: the new time, in the program's local time ("2026-12-03T10:00")."""

    model_config = ConfigDict(extra="forbid")
    at: str = Field(pattern=LOCAL)


class CancelBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(default="", max_length=500)


class OutcomeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    result: Result
    note: str = Field(default="", max_length=500)


def clinicians(t: IncidentDeps) -> list[proactive_answers.Clinician]:
    roles = {r.value for r in CLINICAL}
    return [proactive_answers.Clinician(id=s.id, name=s.name) for s in t.config.staff
            if s.active and roles & {r.value for r in s.roles}]


def overview(t: IncidentDeps, incident: Incident) -> proactive_answers.CheckIns:
    zone, now = t.config.program.time_zone, now_ms(t)
    policy = t.config.proactive_policy
    names = {c.id: c.name for c in clinicians(t)}
    lines = [proactive_answers.CheckInLine(
        id=c.id, way=c.way, due_ms=c.due_ms, due_local=local_text(c.due_ms, zone),
        assignee=c.assignee, assignee_name=names.get(c.assignee, "a former colleague"),
        state=checkin_steps.state(c, now), fired_ms=c.fired_ms, texted=c.texted,
        reply=c.reply, outcome=c.outcome.model_dump(mode="json") if c.outcome else None,
        cancelled=c.cancelled.model_dump(mode="json") if c.cancelled else None)
        for c in sorted(incident.proactive, key=lambda c: c.due_ms)]
    return proactive_answers.CheckIns(
        incident=incident.id, offered=offered(incident.level),
        suggested_local=local_text(suggested_ms(now, zone, policy.suggested_time), zone),
        time_zone=zone, overdue_minutes=policy.overdue_minutes, client_text=policy.client_text,
        clinicians=clinicians(t), check_ins=lines)


def answer(t: IncidentDeps, incident: Incident, status: int = 200) -> web.Response:
    return web.json_response(overview(t, incident).model_dump(mode="json"), status=status)


@routes.get("/api/incidents/{incident}/check-ins")
@rule(on_incident())
@described(answer=proactive_answers.CheckIns)
async def list_checkins(request: web.Request) -> web.Response:
    t, _ = who(request)
    return answer(t, await load(t, request.match_info["incident"]))


def due_of(t: IncidentDeps, at: str | None) -> int:
    zone, now = t.config.program.time_zone, now_ms(t)
    if at is None:
        return suggested_ms(now, zone, t.config.proactive_policy.suggested_time)
    try:
        due = local_ms(at, zone)
    except ValueError as exc:
        raise web.HTTPBadRequest(text="That is not a date and time.") from exc
    if due < now - PAST_SLACK_MS:
        raise web.HTTPBadRequest(text="Choose a time that has not passed yet.")
    if due > now + LATEST_DAYS * 86_400_000:
        raise web.HTTPBadRequest(text=f"Choose a time within {LATEST_DAYS} days.")
    return due


def assignee_of(t: IncidentDeps, body: ScheduleBody, caller: str) -> str:
    chosen = body.assignee or caller
    if chosen not in {c.id for c in clinicians(t)}:
        raise web.HTTPBadRequest(text="Assign the check-in to a clinician on the staff list.")
    return chosen


async def may_text(t: IncidentDeps, incident: Incident, caller: str) -> None:
    record = await t.clients.get(incident.client, actor=caller, purpose="proactive-checkin")
    if record is None or not record.sms_consent:
        raise web.HTTPConflict(text="The client has not agreed to texts, so a check-in text "
                                    "cannot be sent: schedule a call instead.")


@routes.post("/api/incidents/{incident}/check-ins")
@rule(on_incident())
@described(ScheduleBody, ok=(201,), also=(409,), answer=proactive_answers.CheckIns)
async def schedule(request: web.Request) -> web.Response:
    """A call or a text, due at the time given (or tomorrow's suggested time), as a durable
    job that carries ids only."""
    t, me = who(request)
    body = await body_of(request, ScheduleBody)
    incident = await load(t, request.match_info["incident"])
    due, assignee = due_of(t, body.at), assignee_of(t, body, me.staff_id)
    if body.way == "text":
        await may_text(t, incident, me.staff_id)
    at = now_ms(t)
    item = ProactiveCheckIn(id=uuid.uuid4().hex[:10], way=body.way, due_ms=due,
                            assignee=assignee, scheduled_ms=at, scheduled_by=me.staff_id)

    def durable(pipe: Pipeline, i: Incident) -> None:  # the job with the check-in, or neither
        t.engine.schedule_cmds(pipe, job_key(i.id, item.id), due, PROACTIVE_KIND,
                               {"incident": i.id, "checkin": item.id})

    def tell(i: Incident) -> list[dict[str, str]]:
        return [entry("incident.checkin_scheduled", at, incident=i.id, client=i.client,
                      checkin=item.id, way=item.way, due=due, assignee=assignee,
                      by=me.staff_id)]

    zone = t.config.program.time_zone
    incident = await change(t, incident.id, lambda i: checkin_steps.add(i, item, zone), durable,
                            tell)
    await t.audit.record(me.staff_id, "incident.checkin_schedule", incident.id)
    return answer(t, incident, status=201)


@routes.post("/api/incidents/{incident}/check-ins/{checkin}/outcome")
@rule(on_incident())
@described(OutcomeBody, also=(409,), answer=proactive_answers.CheckIns)
async def outcome(request: web.Request) -> web.Response:
    """Reached and okay, reached and needing follow-up, or not reached, with a short note;
    the check-in's job is cancelled (no overdue alert)."""
    t, me = who(request)
    body = await body_of(request, OutcomeBody)
    cid, at = request.match_info["checkin"], now_ms(t)
    result = CheckInOutcome(at_ms=at, by=me.staff_id, result=body.result, note=body.note)
    incident = await load(t, request.match_info["incident"])
    if checkin_steps.find(incident, cid) is None:
        raise web.HTTPNotFound(text="no such check-in on this incident")

    def tell(i: Incident) -> list[dict[str, str]]:
        return [entry("incident.checkin_outcome", at, incident=i.id, client=i.client,
                      checkin=cid, result=body.result, by=me.staff_id)]

    incident = await change(t, incident.id, lambda i: checkin_steps.record(i, cid, result),
                            tell=tell)
    await t.engine.cancel(job_key(incident.id, cid), "outcome recorded")
    await t.audit.record(me.staff_id, "incident.checkin_outcome", incident.id)
    return answer(t, incident)


async def _open_checkin(t: IncidentDeps, request: web.Request) -> tuple[Incident, str]:
    incident = await load(t, request.match_info["incident"])
    cid = request.match_info["checkin"]
    if checkin_steps.find(incident, cid) is None:
        raise web.HTTPNotFound(text="no such check-in on this incident")
    return incident, cid


@routes.post("/api/incidents/{incident}/check-ins/{checkin}/move")
@rule(on_incident())
@described(MoveBody, also=(409,), answer=proactive_answers.CheckIns)
async def move(request: web.Request) -> web.Response:
    """A new time for a check-in still waiting: its job is scheduled again for that time,
    and it will be due, texted and overdue afresh. Refused once the client has replied."""
    t, me = who(request)
    body = await body_of(request, MoveBody)
    incident, cid = await _open_checkin(t, request)
    due, at, zone = due_of(t, body.at), now_ms(t), t.config.program.time_zone

    def durable(pipe: Pipeline, i: Incident) -> None:  # the new time and its job together
        t.engine.schedule_cmds(pipe, job_key(i.id, cid), due, PROACTIVE_KIND,
                               {"incident": i.id, "checkin": cid})

    def tell(i: Incident) -> list[dict[str, str]]:
        return [entry("incident.checkin_moved", at, incident=i.id, client=i.client,
                      checkin=cid, due=due, by=me.staff_id)]

    incident = await change(
        t, incident.id, lambda i: checkin_steps.move(i, cid, due, me.staff_id, at, zone),
        durable, tell)
    await t.audit.record(me.staff_id, "incident.checkin_move", incident.id)
    return answer(t, incident)


@routes.post("/api/incidents/{incident}/check-ins/{checkin}/cancel")
@rule(on_incident())
@described(CancelBody, also=(409,), answer=proactive_answers.CheckIns)
async def cancel(request: web.Request) -> web.Response:
    """No longer needed (the client was seen in person, or another check-in covers it):
    its job is cancelled, with no due or overdue alert; the reason goes on the incident."""
    t, me = who(request)
    body = await body_of(request, CancelBody)
    incident, cid = await _open_checkin(t, request)
    at = now_ms(t)
    gone = CheckInCancelled(at_ms=at, by=me.staff_id, reason=body.reason)

    def tell(i: Incident) -> list[dict[str, str]]:
        return [entry("incident.checkin_cancelled", at, incident=i.id, client=i.client,
                      checkin=cid, by=me.staff_id)]

    incident = await change(t, incident.id, lambda i: checkin_steps.cancel(i, cid, gone),
                            tell=tell)
    await t.engine.cancel(job_key(incident.id, cid), "check-in cancelled")
    await t.audit.record(me.staff_id, "incident.checkin_cancel", incident.id)
    return answer(t, incident)
