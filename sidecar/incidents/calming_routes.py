"""Calming tools over HTTP: the program's scripts and paced exercises for the panel, the
record of one used with a client, and harm-reduction agreements (make, extend, end, list).

Each change is audited and on the meeting's timeline without PHI (ids, titles of the
program's own tools, minutes, who), so every panel on the meeting follows along; the
agreement's terms are sealed and read through ``GET .../agreements`` (audited). When the
client has an open incident in the meeting, the step is also on its log, which the report
prints."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field
from redis.asyncio.client import Pipeline

from sidecar.clinical.deescalation import Exercise
from sidecar.incidents import calming_answers as answers
from sidecar.incidents.agreement_model import HOW_WORDS, Agreement, AgreementError, How
from sidecar.incidents.agreement_reminder import AGREEMENT_KIND, job_key
from sidecar.incidents.agreement_store import AgreementNotFound
from sidecar.incidents.calming_log import note_incident
from sidecar.incidents.deps import IncidentDeps
from sidecar.incidents.routes import body_of, now_ms, who
from sidecar.infra.access import CLINICAL, for_client, in_meeting, rule, staff
from sidecar.infra.apidoc import described
from sidecar.infra.timeline import entry
from sidecar.presence.routes import known_meeting

routes = web.RouteTableDef()
Kind = Literal["name_and_normalise", "grounding", "targets"]
KIND_WORDS = {"name_and_normalise": "script", "grounding": "exercise", "targets": "target"}


class UseBody(BaseModel):
    """``title``: one of the program's tools of that kind; ``rounds``: an exercise's
    rounds done (0 when stopped in its first)."""

    model_config = ConfigDict(extra="forbid")
    kind: Kind
    title: str = Field(min_length=1, max_length=120)
    rounds: int | None = Field(default=None, ge=0, le=100)


class AgreementBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    terms: list[str] = Field(default=[], max_length=20)
    note: str = Field(default="", max_length=2000)
    minutes: int = Field(ge=-10_000, le=10_000)


class ExtendBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    minutes: int = Field(ge=-10_000, le=10_000)


class EndBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    how: How = "early"


async def client_here(t: IncidentDeps, request: web.Request) -> tuple[str, str]:
    """The meeting and the client named in the path; 404 unless the client is expected in
    this meeting's group."""
    m, client = request.match_info["meeting"], request.match_info["client"]
    meta = await known_meeting(t.meetings, m)
    group = t.config.meeting_by_number(meta.get("number", ""))
    if group is None or client not in group.expected_clients:
        raise web.HTTPNotFound(text="this client is not part of this meeting")
    return m, client


@routes.get("/api/deescalation")
@rule(staff(*CLINICAL))
@described(answer=answers.Tools)
async def tools(request: web.Request) -> web.Response:
    """The program's scripts, paced exercises and targets, and the agreement's quick picks."""
    t, _ = who(request)
    return web.json_response(t.config.deescalation.model_dump(mode="json"))


def used_words(title: str, found: object, rounds: int | None) -> str:
    if isinstance(found, Exercise) and rounds is not None:
        return f"Used: {title}, {rounds} round{'' if rounds == 1 else 's'}"
    return f"Used: {title}"


@routes.post("/api/meetings/{meeting}/clients/{client}/calming-uses")
@rule(for_client())
@described(UseBody, ok=(201,), answer=answers.Used)
async def record_use(request: web.Request) -> web.Response:
    """A script read, an exercise run (with its rounds) or a target set, for this client:
    on the meeting's timeline and the client's open incident."""
    t, me = who(request)
    m, client = await client_here(t, request)
    body = await body_of(request, UseBody)
    found = t.config.deescalation.find(body.kind, body.title)
    if found is None:
        raise web.HTTPBadRequest(text=f"The program has no {KIND_WORDS[body.kind]} called "
                                 f"{body.title!r} now: reload the panel to see its list.")
    rounds = body.rounds if isinstance(found, Exercise) else None
    at = now_ms(t)
    await t.meetings.append(m, entry("calming.used", at, client=client, group=body.kind,
                                     title=found.title, rounds=rounds, by=me.staff_id))
    detail = {"tool": found.title, **({"rounds": rounds} if rounds is not None else {})}
    incident = await note_incident(t.incidents, m, client, at, me.staff_id,
                                   "calming tool used", **detail)
    await t.audit.record(me.staff_id, "calming.used", client)
    return web.json_response(answers.Used(recorded=used_words(found.title, found, rounds),
                                          incident=incident).model_dump(), status=201)


def view(t: IncidentDeps, a: Agreement, now: int) -> answers.AgreementView:
    def name(staff_id: str) -> str:
        person = t.config.staff_by_id(staff_id)
        return person.name if person else ("Tether" if staff_id == "tether" else staff_id)

    return answers.AgreementView(
        id=a.id, client=a.client, terms=a.terms, note=a.note, minutes=a.minutes,
        made_ms=a.made_ms, made_by=a.made_by, made_by_name=name(a.made_by), ends_ms=a.ends_ms,
        state=a.state(now), ended_ms=a.ended_ms, ended_how=a.ended_how,
        reminded_ms=a.reminded_ms, history=[answers.HappenedView(
            at_ms=h.at_ms, by=h.by, by_name=name(h.by), what=h.what, minutes=h.minutes)
            for h in a.history])


@routes.get("/api/meetings/{meeting}/agreements")
@rule(in_meeting())
@described(answer=answers.Agreements)
async def list_agreements(request: web.Request) -> web.Response:
    """The meeting's agreements with their terms, oldest first (an audited read)."""
    t, me = who(request)
    m = request.match_info["meeting"]
    await known_meeting(t.meetings, m)
    found = await t.agreements.all(m)
    if found:
        await t.audit.record(me.staff_id, "agreement.read", m)
    now = now_ms(t)
    return web.json_response(answers.Agreements(
        agreements=[view(t, a, now) for a in found], now=now).model_dump(mode="json"))


@routes.post("/api/meetings/{meeting}/clients/{client}/agreements")
@rule(for_client())
@described(AgreementBody, ok=(201,), answer=answers.AgreementView)
async def make(request: web.Request) -> web.Response:
    """An agreement with its terms (quick picks and written words, sealed) for some minutes;
    its reminder is a durable job due when it runs out."""
    t, me = who(request)
    m, client = await client_here(t, request)
    body = await body_of(request, AgreementBody)
    at = now_ms(t)
    try:
        a = Agreement.make(uuid.uuid4().hex[:12], m, client, body.terms, body.note,
                           body.minutes, at, me.staff_id)
    except AgreementError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from exc

    def durable(pipe: Pipeline, a: Agreement) -> None:  # the job with the agreement, or neither
        t.engine.schedule_cmds(pipe, job_key(m, a.id), a.ends_ms, AGREEMENT_KIND,
                               {"meeting": m, "agreement": a.id})
        t.meetings.append_cmds(pipe, m, entry("agreement.made", at, agreement=a.id,
                                              client=client, minutes=a.minutes,
                                              ends=a.ends_ms, by=me.staff_id))

    await t.agreements.add(a, durable)
    await note_incident(t.incidents, m, client, at, me.staff_id, "agreement made",
                        terms=a.words(), minutes=a.minutes)
    await t.audit.record(me.staff_id, "agreement.made", a.id)
    return web.json_response(view(t, a, at).model_dump(mode="json"), status=201)


async def _change(t: IncidentDeps, request: web.Request, at: int,
                  edit: Callable[[Agreement], object], kind: str, reschedule: bool
                  ) -> Agreement:
    m, aid = request.match_info["meeting"], request.match_info["agreement"]
    me = who(request)[1]

    def also(pipe: Pipeline, a: Agreement) -> None:
        if reschedule:  # the same job, due at the new end (its reminder reset)
            t.engine.schedule_cmds(pipe, job_key(m, a.id), a.ends_ms, AGREEMENT_KIND,
                                   {"meeting": m, "agreement": a.id})
        else:
            t.engine.cancel_cmds(pipe, job_key(m, a.id), "agreement ended")
        last = a.history[-1]
        t.meetings.append_cmds(pipe, m, entry(kind, at, agreement=a.id, client=a.client,
                                              minutes=last.minutes, ends=a.ends_ms,
                                              how=a.ended_how, by=me.staff_id))

    try:
        return await t.agreements.change(m, aid, edit, also)
    except AgreementNotFound as exc:
        raise web.HTTPNotFound(text="no such agreement in this meeting") from exc
    except AgreementError as exc:
        raise web.HTTPConflict(text=str(exc)) from exc


@routes.post("/api/meetings/{meeting}/agreements/{agreement}/extend")
@rule(in_meeting())
@described(ExtendBody, also=(409,), answer=answers.AgreementView)
async def extend(request: web.Request) -> web.Response:
    """More minutes: from its end while it runs, from now once it has run out (a new
    reminder then)."""
    t, me = who(request)
    minutes = (await body_of(request, ExtendBody)).minutes
    at = now_ms(t)
    a = await _change(t, request, at, lambda a: a.extend(minutes, at, me.staff_id),
                      "agreement.extended", reschedule=True)
    await note_incident(t.incidents, a.meeting, a.client, at, me.staff_id,
                        "agreement extended", added_minutes=minutes, minutes=a.minutes)
    await t.audit.record(me.staff_id, "agreement.extended", a.id)
    return web.json_response(view(t, a, at).model_dump(mode="json"))


@routes.post("/api/meetings/{meeting}/agreements/{agreement}/end")
@rule(in_meeting())
@described(EndBody, also=(409,), answer=answers.AgreementView)
async def end(request: web.Request) -> web.Response:
    """Ended before its time (``early``), or closed after checking in once it ran out
    (``checked_in``); its reminder job is cancelled."""
    t, me = who(request)
    how = (await body_of(request, EndBody)).how
    at = now_ms(t)
    a = await _change(t, request, at, lambda a: a.end(how, at, me.staff_id),
                      "agreement.ended", reschedule=False)
    await note_incident(t.incidents, a.meeting, a.client, at, me.staff_id, "agreement ended",
                        how=HOW_WORDS[how])
    await t.audit.record(me.staff_id, "agreement.ended", a.id)
    return web.json_response(view(t, a, at).model_dump(mode="json"))
