"""The panel's roster (who is here, with each expected client's check-in) and the dispatch
card (location, callback number and consented contacts, for responders)."""

from __future__ import annotations

from aiohttp import web

from sidecar.checkin.store import CheckInStatus
from sidecar.infra import keys
from sidecar.infra.access import for_client, in_meeting, principal, rule
from sidecar.infra.auth import Principal
from sidecar.panel.deps import PANEL, PanelDeps
from sidecar.presence.meetings import split_state
from sidecar.presence.roster import person_view
from sidecar.presence.routes import known_meeting

routes = web.RouteTableDef()


def _who(request: web.Request) -> tuple[PanelDeps, Principal]:
    t = request.app[PANEL]
    return t, principal(request)


@routes.get("/api/meetings/{meeting}/roster")
@rule(in_meeting())
async def roster(request: web.Request) -> web.Response:
    t, who = _who(request)
    m = request.match_info["meeting"]
    await known_meeting(t.meetings, m)
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


@routes.get("/api/meetings/{meeting}/clients/{client}/dispatch")
@rule(for_client())
async def dispatch_card(request: web.Request) -> web.Response:
    """Location on file, callback number and consented contacts: for responders."""
    t, who = _who(request)
    m, client = request.match_info["meeting"], request.match_info["client"]
    meta = await known_meeting(t.meetings, m)
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
