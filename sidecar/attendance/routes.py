"""Attendance over HTTP: a group's sessions in a date range (JSON and CSV), one session
(refreshed while its meeting is there), a client's history, and the report page. Only the
group's clinicians and the clinical lead may read them; every read is audited."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from sidecar.attendance import answers
from sidecar.attendance.deps import ATTENDANCE, AttendanceDeps
from sidecar.attendance.model import SessionAttendance
from sidecar.attendance.views import BadRange, csv_text, day_range, ms_range, session_row
from sidecar.infra.access import for_client, groups, in_meeting, principal, public, rule, staff
from sidecar.infra.apidoc import CSV, HTML, described
from sidecar.infra.config import Role
from sidecar.infra.live_meetings import live_meeting_ids

routes = web.RouteTableDef()
READERS = (Role.LEAD, Role.CO_FACILITATOR, Role.PROGRAM_CLINICAL_LEAD)
PAGE = resources.files("sidecar.web") / "static" / "attendance.html"


def _names(t: AttendanceDeps, actor: str, purpose: str) -> Any:
    known: dict[str, str] = {}

    async def name(client: str) -> str:
        if client not in known:
            record = await t.clients.get(client, actor=actor, purpose=purpose)
            known[client] = record.name if record else "A client no longer on file"
        return known[client]
    return name


async def _running(t: AttendanceDeps, numbers: list[str]) -> None:
    """Refresh the group's sessions that are running now, so the report is current."""
    for meeting in await live_meeting_ids(t.redis):
        meta = await t.meetings.meta(meeting)
        if meta.get("number") in numbers and "ended_at" not in meta:
            await t.recorder.refresh(meeting)


async def _group_report(request: web.Request, purpose: str) -> dict[str, Any]:
    t, me = request.app[ATTENDANCE], principal(request)
    cfg = t.config.meeting_by_number(request.query.get("group", ""))
    if cfg is None:
        raise web.HTTPNotFound(text="no group meets with that number or room")
    group = cfg.numbers[0]
    mine = groups(request)
    if mine is not None and not set(cfg.numbers) & mine:
        raise web.HTTPForbidden(text="this group is not one you care for")
    zone = ZoneInfo(t.config.program.time_zone)
    today = datetime.fromtimestamp(t.clock.now(), UTC).astimezone(zone).date()
    try:
        first, last = day_range(request.query.get("from", ""), request.query.get("to", ""),
                                zone, today)
    except BadRange as exc:
        raise web.HTTPBadRequest(text=str(exc)) from exc
    await _running(t, cfg.numbers)
    records = await t.store.of_group(group, *ms_range(first, last, zone))
    await t.audit.record(me.staff_id, f"attendance.read:{purpose}", group)
    names = _names(t, me.staff_id, f"attendance:{group}")
    return {"group": group, "group_name": cfg.name, "from_day": first.isoformat(),
            "to_day": last.isoformat(), "time_zone": t.config.program.time_zone,
            "sessions": [await session_row(t.config, r, names) for r in records]}


@routes.get("/api/attendance")
@rule(staff(*READERS))
@described(query=("group", "from", "to"), also=(400, 404), answer=answers.GroupAttendance)
async def group_attendance(request: web.Request) -> web.Response:
    """The group's sessions from ``from`` to ``to`` (dates where the program is, both
    included; the last 30 days by default), each client's row in words. Audited."""
    return web.json_response(await _group_report(request, "group"))


@routes.get("/api/attendance/groups")
@rule(staff(*READERS))
@described(answer=answers.Groups)
async def attendance_groups(request: web.Request) -> web.Response:
    """The groups whose attendance the caller may read (for the report page's choice)."""
    t, mine = request.app[ATTENDANCE], groups(request)
    out = [{"group": g.numbers[0], "name": g.name} for g in t.config.meetings
           if mine is None or set(g.numbers) & mine]
    return web.json_response({"groups": out, "time_zone": t.config.program.time_zone})


@routes.get("/api/attendance.csv")
@rule(staff(*READERS))
@described(query=("group", "from", "to"), also=(400, 404), answer=CSV)
async def group_attendance_csv(request: web.Request) -> web.Response:
    """The same as a spreadsheet: one row per client per session. Audited."""
    report = await _group_report(request, "csv")
    text = csv_text(report["sessions"], ZoneInfo(report["time_zone"]))
    name = f"attendance-{report['group']}-{report['from_day']}-{report['to_day']}.csv"
    return web.Response(text=text, content_type="text/csv", charset="utf-8", headers={
        "Content-Disposition": f'attachment; filename="{name}"'})


@routes.get("/api/meetings/{meeting}/attendance")
@rule(in_meeting(*READERS))
@described(also=(404,), answer=answers.SessionRow)
async def session_attendance(request: web.Request) -> web.Response:
    """One session's record, made afresh while its meeting's story is still kept. Audited."""
    t, me = request.app[ATTENDANCE], principal(request)
    m = request.match_info["meeting"]
    record: SessionAttendance | None = await t.recorder.refresh(m) or await t.store.get(m)
    if record is None:
        raise web.HTTPNotFound(text="no attendance is recorded for this session")
    await t.audit.record(me.staff_id, "attendance.read:session", m)
    names = _names(t, me.staff_id, f"attendance:{m}")
    return web.json_response(await session_row(t.config, record, names))


@routes.get("/api/clients/{client}/attendance")
@rule(for_client(*READERS))
@described(also=(404,), answer=answers.ClientHistory)
async def client_attendance(request: web.Request) -> web.Response:
    """Every session the client was expected at or came to, newest first. Audited."""
    t, me = request.app[ATTENDANCE], principal(request)
    client = request.match_info["client"]
    record = await t.clients.get(client, actor=me.staff_id, purpose="attendance:history")
    if record is None:
        raise web.HTTPNotFound(text="no record on file for this client")
    await t.audit.record(me.staff_id, "attendance.read:client", client)
    sessions = await t.store.of_client(client)
    names = _names(t, me.staff_id, "attendance:history")
    rows = [await session_row(t.config, s, names, only=client) for s in reversed(sessions)]
    return web.json_response({"client": client, "name": record.name, "sessions": rows,
                              "time_zone": t.config.program.time_zone})


@routes.get("/attendance")
@rule(public("a page: its data comes from the API, for the signed-in person"))
@described(answer=HTML)
async def attendance_page(request: web.Request) -> web.Response:
    """The attendance report: a group's sessions in a date range, printable."""
    return web.Response(text=PAGE.read_text(encoding="utf-8"), content_type="text/html")
