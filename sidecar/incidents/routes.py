"""Incidents over HTTP: open one for a client, the collaborative safety check (C-SSRS since
last contact), its checklist, the emergency protocol and its steps, closing with the
documentation (which schedules the after-action follow-ups), and the export.

Each change is one read-modify-write of the encrypted incident, an audit entry, and a
timeline entry without PHI (ids, kinds, levels, who), so every panel follows along."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from redis.asyncio.client import Pipeline

from sidecar.clinical import cssrs
from sidecar.clinical.aftercare import TaskKind, schedule
from sidecar.clinical.cssrs import Imminence, ScreenError
from sidecar.clinical.policy import checklist
from sidecar.incidents import answers
from sidecar.incidents.aftercare import AFTERCARE_KIND, job_key
from sidecar.incidents.deps import INCIDENTS, IncidentDeps
from sidecar.incidents.model import Documentation, Incident, IncidentError, Screen, Trigger
from sidecar.incidents.store import IncidentNotFound, Tell
from sidecar.incidents.todo import to_do
from sidecar.incidents.triage_routes import SECURE_THE_GROUP
from sidecar.infra.access import CLINICAL, for_client, groups, on_incident, principal, rule, staff
from sidecar.infra.apidoc import described
from sidecar.infra.auth import Principal
from sidecar.infra.timeline import entry
from sidecar.infra.validation import problems

routes = web.RouteTableDef()
M = TypeVar("M", bound=BaseModel)


class OpenBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    trigger: Trigger = "clinician"


class ScreenBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: dict[int, bool]
    imminence: Imminence = Imminence()


class NoteBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="", max_length=500)


class Draft(BaseModel):
    """The closing documentation as typed; blanks are refused with a sentence, not a path."""

    model_config = ConfigDict(extra="forbid")
    risk_assessment: str = Field(default="", max_length=4000)
    interventions: str = Field(default="", max_length=4000)
    outcome: str = Field(default="", max_length=4000)


class CloseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    documentation: Draft = Draft()


class EmergencyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(default="", max_length=500)


DRAFT_WORDS = {"risk_assessment": "the risk assessment", "interventions": "the interventions",
               "outcome": "the outcome"}


def now_ms(t: IncidentDeps) -> int:
    return int(t.clock.now() * 1000)


def who(request: web.Request) -> tuple[IncidentDeps, Principal]:
    t = request.app[INCIDENTS]
    return t, principal(request)


async def body_of(request: web.Request, model: type[M]) -> M:
    try:
        return model.model_validate_json(await request.read() or b"{}")
    except ValidationError as exc:
        raise web.HTTPBadRequest(text="; ".join(problems(exc))) from exc


async def change(t: IncidentDeps, incident_id: str, edit: Any, also: Any = None,
                 tell: Tell | None = None) -> Incident:
    try:
        return await t.incidents.change(incident_id, edit, also, tell)
    except IncidentNotFound as exc:
        raise web.HTTPNotFound(text="no such incident") from exc
    except (IncidentError, ScreenError) as exc:
        raise web.HTTPConflict(text=str(exc)) from exc


async def load(t: IncidentDeps, incident_id: str) -> Incident:
    try:
        return await t.incidents.get(incident_id)
    except IncidentNotFound as exc:
        raise web.HTTPNotFound(text="no such incident") from exc


def view(incident: Incident) -> dict[str, Any]:
    """The incident as stored, with ``to_do``: its one merged task list."""
    return {**incident.model_dump(mode="json"), "to_do": to_do(incident)}


@routes.get("/api/cssrs")
@rule(staff(*CLINICAL))
@described(answer=answers.Instrument)
async def instrument(request: web.Request) -> web.Response:
    """The screener as the panel shows it: items verbatim, skip logic, copyright line."""
    who(request)
    return web.json_response({
        "version": "Screener, since last contact", "copyright": cssrs.COPYRIGHT,
        "items": [i.model_dump() for i in cssrs.ITEMS],
        "always": list(cssrs.ALWAYS_ASKED), "if_item_2_yes": list(cssrs.ASKED_IF_THOUGHTS)})


@routes.post("/api/meetings/{meeting}/clients/{client}/incidents")
@rule(for_client())
@described(OpenBody, ok=(200, 201), answer=answers.IncidentView)
async def open_incident(request: web.Request) -> web.Response:
    t, me = who(request)
    m, client = request.match_info["meeting"], request.match_info["client"]
    meta = await t.meetings.meta(m)
    cfg = t.config.meeting_by_number(meta.get("number", ""))
    if cfg is None or client not in cfg.expected_clients:
        raise web.HTTPNotFound(text="this client is not part of this meeting")
    body = await body_of(request, OpenBody)
    incident, new = await t.incidents.create(m, meta.get("number", ""), client, body.trigger,
                                             now_ms(t), me.staff_id)
    if new:
        await t.meetings.append(m, entry("incident.opened", now_ms(t), incident=incident.id,
                                         client=client, trigger=body.trigger, by=me.staff_id))
        await t.audit.record(me.staff_id, "incident.open", incident.id)
        t.metrics.incidents.labels(body.trigger).inc()
    return web.json_response(view(incident), status=201 if new else 200)


@routes.get("/api/incidents/{incident}")
@rule(on_incident())
@described(answer=answers.IncidentView)
async def get_incident(request: web.Request) -> web.Response:
    """The whole incident: the JSON export of its report (an audited read)."""
    t, me = who(request)
    incident = await load(t, request.match_info["incident"])
    await t.audit.record(me.staff_id, "incident.read", incident.id)
    return web.json_response(view(incident))


@routes.post("/api/incidents/{incident}/screens")
@rule(on_incident())
@described(ScreenBody, also=(409,), answer=answers.IncidentView)
async def screen(request: web.Request) -> web.Response:
    t, me = who(request)
    body = await body_of(request, ScreenBody)
    try:
        tier = cssrs.tier(body.answers)
    except ScreenError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from exc
    level = cssrs.level(tier, body.imminence)
    at = now_ms(t)
    result = Screen(at_ms=at, by=me.staff_id, answers=dict(body.answers), tier=tier,
                    imminence=body.imminence, level=level)
    items = checklist(level, t.config.triage_policy, at)
    incident = await change(t, request.match_info["incident"],
                            lambda i: i.add_screen(result, items),
                            tell=lambda i: [entry(
                                "incident.screened", at, incident=i.id, client=i.client,
                                tier=tier.value, level=level.value, by=me.staff_id)])
    await t.audit.record(me.staff_id, "incident.screen", incident.id)
    t.metrics.screens.labels(level.value).inc()
    return web.json_response(view(incident))


@routes.post("/api/incidents/{incident}/checklist/{key}")
@rule(on_incident())
@described(NoteBody, also=(409,), answer=answers.IncidentView)
async def tick(request: web.Request) -> web.Response:
    t, me = who(request)
    key = request.match_info["key"]
    note = (await body_of(request, NoteBody)).note
    incident = await change(t, request.match_info["incident"],
                            lambda i: i.tick(key, now_ms(t), me.staff_id, note))
    await t.meetings.append(incident.meeting, entry(
        "incident.checked", now_ms(t), incident=incident.id, key=key, by=me.staff_id))
    return web.json_response(view(incident))


@routes.post("/api/incidents/{incident}/emergency")
@rule(on_incident())
@described(EmergencyBody, also=(409,), answer=answers.IncidentView)
async def emergency(request: web.Request) -> web.Response:
    """One action opens the playbook for the whole team: roles, card, steps, script. With
    no scored screen (a client who dropped and cannot be screened) a reason is required."""
    t, me = who(request)
    reason = (await body_of(request, EmergencyBody)).reason.strip()
    incident = await load(t, request.match_info["incident"])
    if not incident.screens and not reason and incident.emergency_ms is None:
        raise web.HTTPBadRequest(text="Say why the emergency protocol starts without a safety "
                                      "check (for example: the client dropped and cannot be "
                                      "screened).")
    cfg = t.config.meeting_by_number(incident.meeting_number)
    lead = cfg.lead if cfg else me.staff_id
    second = (cfg.co_facilitator if cfg and cfg.co_facilitator else None) or me.staff_id
    roles = {"keeps_client_visible": lead, "calls_responders": second}
    at = now_ms(t)
    items = checklist(cssrs.Level.EMERGENCY, t.config.triage_policy, at)
    started: list[bool] = []

    def tell_everyone(i: Incident) -> list[dict[str, str]]:  # with the start, or not at all
        if not started[-1]:
            return []
        return [entry(
            "emergency.started", at, incident=i.id, client=i.client, roles=roles,
            by=me.staff_id, script=SECURE_THE_GROUP,
            reason=t.meetings.sealer.seal_note(i.meeting, "emergency.started", "reason",
                                               i.emergency_reason or ""))]

    incident = await change(t, incident.id, lambda i: started.append(
        i.start_emergency(at, me.staff_id, roles, items, reason)), tell=tell_everyone)
    if started[-1]:
        await t.audit.record(me.staff_id, "emergency.start", incident.id)
    return web.json_response(view(incident))


@routes.post("/api/incidents/{incident}/steps/{key}")
@rule(on_incident())
@described(NoteBody, also=(409,), answer=answers.IncidentView)
async def step(request: web.Request) -> web.Response:
    t, me = who(request)
    key = request.match_info["key"]
    note = (await body_of(request, NoteBody)).note
    at = now_ms(t)
    incident = await change(t, request.match_info["incident"],
                            lambda i: i.step(key, at, me.staff_id, note))
    await t.meetings.append(incident.meeting, entry(
        "emergency.step", at, incident=incident.id, key=key, by=me.staff_id))
    await t.audit.record(me.staff_id, f"emergency.step:{key}", incident.id)
    if key == "call_responders" and incident.emergency_ms is not None:
        t.metrics.emergency_to_responders.observe(
            (incident.steps[key].at_ms - incident.emergency_ms) / 1000)
    return web.json_response(view(incident))


@routes.post("/api/incidents/{incident}/close")
@rule(on_incident())
@described(CloseBody, also=(409,), answer=answers.IncidentView)
async def close(request: web.Request) -> web.Response:
    """Closing schedules the after-action follow-ups as durable jobs, due by policy."""
    t, me = who(request)
    documentation = written(await body_of(request, CloseBody))
    incident = await load(t, request.match_info["incident"])
    record = await t.clients.get(incident.client, actor=me.staff_id, purpose="incident-close")
    consent = record is not None and _has_aftercare_consent(t, record.emergency_contacts)
    at = now_ms(t)
    tasks = schedule(at, t.config.program.time_zone, t.config.aftercare_policy, consent)
    def follow_ups(pipe: Pipeline, i: Incident) -> None:  # durable with the closing itself
        for task in tasks:
            t.engine.schedule_cmds(pipe, job_key(i.id, task.kind), task.due_ms, AFTERCARE_KIND,
                                   {"incident": i.id, "task": task.kind.value})

    incident = await change(t, incident.id,
                            lambda i: i.close(at, me.staff_id, documentation, tasks),
                            follow_ups, lambda i: [entry(
                                "incident.closed", at, incident=i.id, client=i.client,
                                tasks=[x.kind.value for x in tasks], by=me.staff_id)])
    await t.audit.record(me.staff_id, "incident.close", incident.id)
    return web.json_response(view(incident))


def written(body: CloseBody) -> Documentation:
    """The documentation, each part with words in it, or a 400 naming what is missing."""
    draft = body.documentation.model_dump()
    missing = [DRAFT_WORDS[k] for k, text in draft.items() if not text.strip()]
    if missing:
        raise web.HTTPBadRequest(text="Write " + ", ".join(missing) + " before closing: "
                                      "each needs a sentence, not just spaces.")
    return Documentation.model_validate(draft)


def _has_aftercare_consent(t: IncidentDeps, contacts: list[Any]) -> bool:
    """A contact whose consent covers the caregiver check-in today."""
    today = datetime.fromtimestamp(t.clock.now(), tz=ZoneInfo(t.config.program.time_zone))
    for c in contacts:
        if "aftercare" not in c.consent:
            continue
        if c.consent_given_on and today.date() < c.consent_given_on:
            continue
        if c.consent_expires_on and today.date() > c.consent_expires_on:
            continue
        return True
    return False


@routes.post("/api/incidents/{incident}/tasks/{kind}")
@rule(on_incident())
@described(NoteBody, also=(409,), answer=answers.IncidentView)
async def task_done(request: web.Request) -> web.Response:
    t, me = who(request)
    try:
        kind = TaskKind(request.match_info["kind"])
    except ValueError as exc:
        raise web.HTTPNotFound(text="no such after-action task") from exc
    note = (await body_of(request, NoteBody)).note
    incident = await change(t, request.match_info["incident"],
                            lambda i: i.task_done(kind, now_ms(t), me.staff_id, note))
    await t.engine.cancel(job_key(incident.id, kind), "done")
    await t.audit.record(me.staff_id, f"incident.task:{kind.value}", incident.id)
    return web.json_response(view(incident))


@routes.get("/api/incidents")
@rule(staff(*CLINICAL))
@described(answer=answers.Incidents)
async def list_incidents(request: web.Request) -> web.Response:
    t, _ = who(request)
    mine = groups(request)
    out = []
    for incident_id in reversed(await t.incidents.ids()):
        i = await t.incidents.get(incident_id)
        if mine is not None and i.meeting_number not in mine:
            continue  # not a group the caller cares for
        out.append({"id": i.id, "meeting": i.meeting, "client": i.client, "trigger": i.trigger,
                    "level": i.level, "opened": i.opened_ms, "closed": i.closed_ms,
                    "emergency": i.emergency_ms is not None,
                    "overdue": sum(1 for x in i.tasks
                                   if x.done is None and x.overdue_alerted_ms is not None)
                    + sum(1 for c in i.proactive
                          if c.outcome is None and c.cancelled is None
                          and c.overdue_alerted_ms is not None)})
    return web.json_response({"incidents": out})

