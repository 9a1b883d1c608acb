"""The panel's roster (who is here, with each expected client's check-in) and the dispatch
card (location, callback number and consented contacts, for responders)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sidecar.checkin.store import CheckInStatus
from sidecar.clinical.privacy import PrivacyPrompts
from sidecar.infra import keys
from sidecar.infra.access import for_client, in_meeting, principal, rule
from sidecar.infra.apidoc import described
from sidecar.infra.auth import Principal
from sidecar.infra.config import Meeting, ProgramConfig
from sidecar.panel import answers
from sidecar.panel.deps import PANEL, PanelDeps
from sidecar.panel.dispatch import dispatch
from sidecar.presence.meetings import split_state
from sidecar.presence.roster import person_view
from sidecar.presence.routes import known_meeting
from sidecar.records.directory import lookup

routes = web.RouteTableDef()


def _who(request: web.Request) -> tuple[PanelDeps, Principal]:
    t = request.app[PANEL]
    return t, principal(request)


@routes.get("/api/meetings/{meeting}/roster")
@rule(in_meeting())
@described(answer=answers.Roster)
async def roster(request: web.Request) -> web.Response:
    t, who = _who(request)
    m = request.match_info["meeting"]
    await known_meeting(t.meetings, m)
    async with t.redis.pipeline(transaction=True) as pipe:
        pipe.hgetall(keys.state(m))
        pipe.xrevrange(keys.timeline(m), count=1)
        raw, last = await pipe.execute()
    found, ladders, meta = split_state(raw)
    people = sorted((t.meetings.opened(m, p) for p in found.values()),
                    key=lambda p: p.display_name)
    checked = await t.checkins.statuses(m)
    privacy = await t.checkins.privacy(m)
    cfg = t.config.meeting_by_number(meta.get("number", ""))
    expected = cfg.expected_clients if cfg else []
    names = {}
    for client in expected:
        record = await t.clients.get(client, actor=who.staff_id, purpose=f"roster:{m}")
        names[client] = record.name if record else client
    return web.json_response({
        "meeting": m, "meta": meta, "people": [person_view(p) for p in people],
        "ladders": ladders, "last_event_id": last[0][0] if last else "0-0",
        "checkins": {c: _checkin_view(checked.get(c)) | {
            "privacy": privacy_view(t.config.privacy_prompts, privacy.get(c, {}))}
            for c in expected},
        "clients": [{"id": c, "name": names[c]} for c in expected],
        "group": group_view(t.config, cfg), "now": int(t.clock.now() * 1000),
        "time_zone": t.config.program.time_zone,
        "callback_steps": [{"action": s.action, "attempts": s.attempts}
                           for s in t.config.callback_policy.steps]})


@routes.get("/api/meetings/{meeting}/privacy-answers")
@rule(in_meeting())
@described(answer=answers.PrivacyAnswers)
async def privacy_answers(request: web.Request) -> web.Response:
    """Each checked-in client's answers to the privacy prompts, in the roster's words (the
    panel asks after a check-in: the answers are sealed, never on the timeline)."""
    t, _ = _who(request)
    m = request.match_info["meeting"]
    meta = await known_meeting(t.meetings, m)
    cfg = t.config.meeting_by_number(meta.get("number", ""))
    expected = set(cfg.expected_clients if cfg else [])
    found = await t.checkins.privacy(m)
    return web.json_response({"clients": {
        c: privacy_view(t.config.privacy_prompts, a) for c, a in found.items() if c in expected}})


def group_view(config: ProgramConfig, cfg: Meeting | None) -> dict[str, Any] | None:
    """The group this meeting is, with its lead and co-facilitator (for each panel's role)."""
    if cfg is None:
        return None
    return {"name": cfg.name, "lead": cfg.lead, "co_facilitator": cfg.co_facilitator,
            "staff": {s.id: s.name for s in config.staff}}


def privacy_view(prompts: PrivacyPrompts, answers: dict[str, bool]) -> list[dict[str, Any]]:
    """A client's privacy answers in the roster's words; a "no" is marked for attention."""
    return [{"key": p.key, "label": p.label, "answer": a, "words": p.said(a),
             "attention": not a} for p, a in prompts.in_words(answers)]


def _checkin_view(status: CheckInStatus | None) -> dict[str, int | bool | None]:
    if status is None:
        return {"checked_in_at": None, "moved_at": None, "stale": False}
    return {"checked_in_at": status.checked_in_ms, "moved_at": status.moved_ms,
            "stale": status.stale}


@routes.get("/api/meetings/{meeting}/clients/{client}/dispatch")
@rule(for_client())
@described(answer=answers.DispatchCard)
async def dispatch_card(request: web.Request) -> web.Response:
    """Whom to call for the client's address, the location with its source and age, the
    callback number, who is with them and what responders must know. Audited."""
    t, who = _who(request)
    m, client = request.match_info["meeting"], request.match_info["client"]
    meta = await known_meeting(t.meetings, m)
    cfg = t.config.meeting_by_number(meta.get("number", ""))
    if cfg is None or client not in cfg.expected_clients:
        raise web.HTTPNotFound(text="this client is not part of this meeting")
    record = await t.clients.get(client, actor=who.staff_id, purpose=f"dispatch:{m}")
    if record is None:
        raise web.HTTPNotFound(text="no record on file for this client")
    checkin = await t.checkins.get(m, client, who.staff_id, f"dispatch:{m}")
    status = (await t.checkins.statuses(m)).get(client)
    here = checkin.location if checkin else record.location
    match = lookup(await t.directory.get(), here) if here else None
    card = dispatch(record, checkin, status, match)
    return web.json_response({**card, "program": t.config.program.name, "meeting": cfg.name})
