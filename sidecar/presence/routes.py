"""The panels' view of who is in the meeting: the meeting list, the timeline, the live
stream (SSE), and "this is Casey" (link a participant to a client)."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from sidecar.infra.access import CLINICAL, groups, in_meeting, principal, rule, staff
from sidecar.infra.apidoc import EVENTS, described
from sidecar.infra.auth import Principal
from sidecar.infra.config import ProgramConfig
from sidecar.infra.live_meetings import live_meeting_ids
from sidecar.infra.stopping import STOPPING
from sidecar.infra.timeline import entry
from sidecar.infra.validation import read_json
from sidecar.presence import answers
from sidecar.presence.deps import PRESENCE, PresenceDeps
from sidecar.presence.meetings import MeetingStore
from sidecar.presence.stream import Stream, after_point, resume_point
from sidecar.records import group_schedule as schedule

logger = logging.getLogger(__name__)
routes = web.RouteTableDef()


def _who(request: web.Request) -> tuple[PresenceDeps, Principal]:
    t = request.app[PRESENCE]
    return t, principal(request)


async def known_meeting(meetings: MeetingStore, meeting: str) -> dict[str, str]:
    """The meeting's facts; 404 before any event has arrived for it."""
    meta = await meetings.meta(meeting)
    if not meta:
        raise web.HTTPNotFound(text="no such meeting (yet): no event has arrived for it")
    return meta


@routes.get("/api/meetings")
@rule(staff(*CLINICAL))
@described(answer=answers.Meetings)
async def list_meetings(request: web.Request) -> web.Response:
    """The live meetings of the groups the caller cares for."""
    t, who = _who(request)
    ids = await live_meeting_ids(t.redis)
    mine = groups(request)
    out = []
    for m in ids:
        meta = await t.meetings.meta(m)
        if mine is not None and meta.get("number") not in mine:
            continue
        cfg = t.config.meeting_by_number(meta.get("number", ""))
        out.append({"meeting": m, "number": meta.get("number"), "name": cfg.name if cfg else "",
                    "ended": "ended_at" in meta})
    return web.json_response({"meetings": out, "groups": cared_groups(
        t.config, who.staff_id, mine, out, int(t.clock.now() * 1000))})


def cared_groups(config: ProgramConfig, staff_id: str, mine: set[str] | None,
                 live: list[dict[str, Any]], now_ms: int) -> list[dict[str, Any]]:
    """Every group the caller cares for, with their part in it, its live session if one
    runs, and when it meets today (``today``: start and end times; empty when it does not
    meet today). Running groups first, then today's by start time, then the others."""
    out = []
    for g in config.meetings:
        if mine is not None and not set(g.numbers) & mine:
            continue
        running = [m for m in live if m["number"] in g.numbers and not m["ended"]]
        role = ("lead" if g.lead == staff_id else
                "co_facilitator" if g.co_facilitator == staff_id else "")
        out.append({"name": g.name, "role": role, "jitsi_room": g.jitsi_room,
                    "meeting": running[-1]["meeting"] if running else None,
                    "today": [{"start": s.start, "end": s.end}
                              for s in schedule.today(config, g, now_ms)]})
    return sorted(out, key=lambda g: (g["meeting"] is None, not g["today"],
                                      g["today"][0]["start"] if g["today"] else "", g["name"]))


@routes.get("/api/meetings/{meeting}/timeline")
@rule(in_meeting())
@described(query=("after",), answer=answers.Timeline)
async def timeline(request: web.Request) -> web.Response:
    """The meeting's timeline (display names, alerts): one audit entry per read."""
    t, who = _who(request)
    m = request.match_info["meeting"]
    await known_meeting(t.meetings, m)
    after = after_point(request)
    await t.audit.record(who.staff_id, "timeline.read:panel", m)
    return web.json_response({"meeting": m, "entries": await t.meetings.timeline(m, after)})


@routes.get("/api/meetings/{meeting}/stream")
@rule(in_meeting())
@described(query=("last_event_id",), answer=EVENTS)
async def stream(request: web.Request) -> web.StreamResponse:
    """Server-sent events; resume with ``Last-Event-ID`` (or ``?last_event_id=``). It ends
    with a ``signed_out`` event when the caller's session or token does, and with a hint to
    reconnect soon when this server shuts down. One audit entry per stream opened (each
    resume is an opening), not one per event."""
    t, who = _who(request)
    m = request.match_info["meeting"]
    await known_meeting(t.meetings, m)
    await t.audit.record(who.staff_id, "stream.opened:panel", m)
    last = resume_point(request)
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream",
                                       "Cache-Control": "no-cache, no-store",
                                       "X-Accel-Buffering": "no"})
    await resp.prepare(request)
    try:
        await Stream(t, who, m, request.app[STOPPING]).run(resp, last)
    except ConnectionResetError:  # the panel was closed: the normal end of a stream
        pass
    return resp


class SeenBody(BaseModel):
    """Which alert card was seen: its kind as the panel files it, and its key (a client id
    or a participant id)."""

    model_config = ConfigDict(extra="forbid")
    note: str = Field(min_length=1, max_length=40, pattern=r"^[a-z-]+$")
    key: str = Field(min_length=1, max_length=200)


@routes.post("/api/meetings/{meeting}/alerts/seen")
@rule(in_meeting())
@described(SeenBody, answer=answers.Seen)
async def alert_seen(request: web.Request) -> web.Response:
    """"Seen" on an alert card: on the timeline, so every panel, and each reload, puts it
    away (a new alert of the same kind shows again)."""
    t, who = _who(request)
    m = request.match_info["meeting"]
    await known_meeting(t.meetings, m)
    body = await read_json(request, SeenBody)
    at = int(t.clock.now() * 1000)
    await t.meetings.append(m, entry("alert.seen", at, note=body.note, key=body.key,
                                     by=who.staff_id))
    await t.audit.record(who.staff_id, "alert.seen", body.note)
    return web.json_response({"seen": True, "at": at})


class LinkBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    client: str = Field(min_length=1, max_length=64)


@routes.post("/api/meetings/{meeting}/participants/{participant}/link")
@rule(in_meeting())
@described(LinkBody, answer=answers.Linked)
async def link_participant(request: web.Request) -> web.Response:
    """"This is Casey": an unidentified participant becomes a client of the meeting."""
    t, who = _who(request)
    m, participant = request.match_info["meeting"], request.match_info["participant"]
    meta = await known_meeting(t.meetings, m)
    body = await read_json(request, LinkBody)
    cfg = t.config.meeting_by_number(meta.get("number", ""))
    if cfg is None or body.client not in cfg.expected_clients:
        raise web.HTTPBadRequest(text="that client is not expected in this meeting")
    if not await t.applier.link(m, participant, body.client, who.staff_id):
        raise web.HTTPNotFound(text="no such participant in this meeting")
    await t.audit.record(who.staff_id, "participant.link", body.client)
    return web.json_response({"linked": True})
