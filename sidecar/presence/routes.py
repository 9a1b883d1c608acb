"""The panels' API: roster, timeline, live stream (SSE), acknowledge, dispatch card."""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sidecar import keys
from sidecar.appkeys import TETHER
from sidecar.auth import Principal
from sidecar.checkin import CheckInStatus
from sidecar.config import Role
from sidecar.meetings import split_state
from sidecar.services import Tether
from sidecar.timeline import entry, person_view

logger = logging.getLogger(__name__)
routes = web.RouteTableDef()
CLINICAL = (Role.LEAD, Role.CO_FACILITATOR, Role.ON_CALL)
KEEPALIVE_MS = 15_000


def _who(request: web.Request, *roles: Role) -> tuple[Tether, Principal]:
    t = request.app[TETHER]
    return t, t.tokens.require(request, t.clock.now(), *roles)


async def _known_meeting(t: Tether, meeting: str) -> dict[str, str]:
    meta = await t.meetings.meta(meeting)
    if not meta:
        raise web.HTTPNotFound(text="no such meeting (yet): no event has arrived for it")
    return meta


@routes.get("/api/meetings")
async def list_meetings(request: web.Request) -> web.Response:
    t, _ = _who(request, *CLINICAL)
    ids = sorted(await t.redis.smembers(keys.ACTIVE_MEETINGS))
    out = []
    for m in ids:
        meta = await t.meetings.meta(m)
        cfg = t.config.meeting_by_number(meta.get("number", ""))
        out.append({"meeting": m, "number": meta.get("number"), "name": cfg.name if cfg else "",
                    "ended": "ended_at" in meta})
    return web.json_response({"meetings": out})


@routes.get("/api/meetings/{meeting}/roster")
async def roster(request: web.Request) -> web.Response:
    t, who = _who(request, *CLINICAL)
    m = request.match_info["meeting"]
    await _known_meeting(t, m)
    async with t.redis.pipeline(transaction=True) as pipe:
        pipe.hgetall(keys.state(m))
        pipe.xrevrange(keys.timeline(m), count=1)
        raw, last = await pipe.execute()
    found, ladders, meta = split_state(raw)
    people = sorted(found.values(), key=lambda p: p.display_name)
    checked = await t.checkins.statuses(m)
    cfg = t.config.meeting_by_number(meta.get("number", ""))
    expected = cfg.expected_clients if cfg else []
    names = {}
    for client in expected:
        record = await t.clients.get(client, actor=who.staff_id, purpose=f"roster:{m}")
        names[client] = record.name if record else client
    return web.json_response({
        "meeting": m, "meta": meta, "people": [person_view(p) for p in people],
        "ladders": ladders, "last_event_id": last[0][0] if last else "0-0",
        "checkins": {c: _checkin_view(checked.get(c)) for c in expected},
        "clients": [{"id": c, "name": names[c]} for c in expected]})


def _checkin_view(status: CheckInStatus | None) -> dict[str, int | bool | None]:
    if status is None:
        return {"checked_in_at": None, "moved_at": None, "stale": False}
    return {"checked_in_at": status.checked_in_ms, "moved_at": status.moved_ms,
            "stale": status.stale}


@routes.get("/api/meetings/{meeting}/timeline")
async def timeline(request: web.Request) -> web.Response:
    t, _ = _who(request, *CLINICAL)
    m = request.match_info["meeting"]
    await _known_meeting(t, m)
    after = request.query.get("after", "-")
    return web.json_response({"meeting": m, "entries": await t.meetings.timeline(m, after)})


@routes.get("/api/meetings/{meeting}/stream")
async def stream(request: web.Request) -> web.StreamResponse:
    """Server-sent events; resume with ``Last-Event-ID`` (or ``?last_event_id=``)."""
    t, _ = _who(request, *CLINICAL)
    m = request.match_info["meeting"]
    await _known_meeting(t, m)
    last = request.headers.get("Last-Event-ID") or request.query.get("last_event_id") or "0-0"
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream",
                                       "Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    await resp.prepare(request)
    try:
        while True:
            got = await t.redis.xread({keys.timeline(m): last}, count=100, block=KEEPALIVE_MS)
            if not got:
                await resp.write(b": keepalive\n\n")
                continue
            for entry_id, fields in got[0][1]:
                data = {"kind": fields.get("kind"), "at": int(fields.get("at", "0")),
                        "data": json.loads(fields.get("data") or "{}")}
                await resp.write(f"id: {entry_id}\nevent: {fields.get('kind')}\n"
                                 f"data: {json.dumps(data)}\n\n".encode())
                last = entry_id
    except ConnectionResetError:  # the panel was closed: the normal end of a stream
        return resp


class AckBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="I'm calling them", max_length=300)


async def _body(request: web.Request, model: type[BaseModel]) -> Any:
    try:
        raw = await request.read()
        return model.model_validate_json(raw or b"{}")
    except ValidationError as exc:
        problems = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise web.HTTPBadRequest(text=json.dumps({"errors": problems}),
                                 content_type="application/json") from exc


@routes.post("/api/meetings/{meeting}/ladders/{subject}/ack")
async def acknowledge(request: web.Request) -> web.Response:
    """A clinician takes over ("I'm calling them"): the ladder stops."""
    t, who = _who(request, *CLINICAL)
    m, subject = request.match_info["meeting"], request.match_info["subject"]
    body: AckBody = await _body(request, AckBody)
    job_key = (await t.meetings.ladders(m)).get(subject)
    if job_key is None:
        raise web.HTTPNotFound(text="no callback ladder is running for this participant")
    stopped = await t.engine.cancel(job_key, f"acknowledged by {who.staff_id}")
    await t.meetings.release_ladder(m, subject, job_key)
    now = int(t.clock.now() * 1000)
    await t.meetings.append(m, entry("ladder.acknowledged", now, subject=subject,
                                     by=who.staff_id, note=body.note, stopped=stopped))
    await t.audit.record(who.staff_id, "ladder.ack", job_key)
    return web.json_response({"stopped": stopped, "ladder": job_key})


@routes.get("/api/meetings/{meeting}/clients/{client}/dispatch")
async def dispatch_card(request: web.Request) -> web.Response:
    """Location on file, callback number and consented contacts: for responders."""
    t, who = _who(request, *CLINICAL)
    m, client = request.match_info["meeting"], request.match_info["client"]
    meta = await _known_meeting(t, m)
    cfg = t.config.meeting_by_number(meta.get("number", ""))
    if cfg is None or client not in cfg.expected_clients:
        raise web.HTTPNotFound(text="this client is not part of this meeting")
    record = await t.clients.get(client, actor=who.staff_id, purpose=f"dispatch:{m}")
    if record is None:
        raise web.HTTPNotFound(text="no record on file for this client")
    checkin = await t.checkins.get(m, client)
    status = (await t.checkins.statuses(m)).get(client)
    here = checkin.location if checkin else record.location
    return web.json_response({
        "client": record.id, "name": record.name,
        "callback_phone": checkin.callback_phone if checkin else record.callback_phone,
        "location_source": "this session's check-in" if checkin else "on file",
        "stale": bool(status and status.stale),
        "moved_at": status.moved_ms if status and status.stale else None,
        "checked_in_at": checkin.at_ms if checkin else None,
        "others_present": checkin.others_present if checkin else None,
        "location": here.model_dump() if here else None,
        "address": here.one_line() if here else None,
        "room": here.room if here else None,
        "location_on_file": record.location.one_line() if record.location else None,
        "emergency_contacts": [c.model_dump(mode="json") for c in record.emergency_contacts
                               if {"notify_crisis", "responders_may_call"} & set(c.consent)],
        "program": t.config.program.name, "meeting": cfg.name})


class LinkBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    client: str = Field(min_length=1, max_length=64)


@routes.post("/api/meetings/{meeting}/participants/{participant}/link")
async def link_participant(request: web.Request) -> web.Response:
    """"This is Casey": an unidentified participant becomes a client of the meeting."""
    t, who = _who(request, *CLINICAL)
    m, participant = request.match_info["meeting"], request.match_info["participant"]
    meta = await _known_meeting(t, m)
    body: LinkBody = await _body(request, LinkBody)
    cfg = t.config.meeting_by_number(meta.get("number", ""))
    if cfg is None or body.client not in cfg.expected_clients:
        raise web.HTTPBadRequest(text="that client is not expected in this meeting")
    if not await t.applier.link(m, participant, body.client, who.staff_id):
        raise web.HTTPNotFound(text="no such participant in this meeting")
    await t.audit.record(who.staff_id, "participant.link", body.client)
    return web.json_response({"linked": True})
