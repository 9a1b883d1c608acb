"""The admin API for the program's configuration documents (program, staff, groups, the
on-call schedule, policies), edited in the browser and live on every replica within a
second, without a restart.

``GET /api/admin/config`` gives every document; ``GET /api/admin/config/{doc}`` one, with
``ETag: "<version>"``. ``PUT`` needs ``If-Match`` with the version edited: an outdated copy
is 412 with the current one (who saved it and when), nothing lost on either side. A wrong
value is 400 ``{"errors": [...], "fields": {"0.phone": "..."}}`` with paths inside the
document. Untick a person's Active box and their sessions end at once everywhere.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from sidecar.infra import keys
from sidecar.infra.access import principal, rule, staff
from sidecar.infra.apidoc import JSON, described
from sidecar.infra.config import ProgramConfig, Role
from sidecar.infra.config_docs import DOCUMENTS, DocumentProblems
from sidecar.infra.config_store import Document, Outdated
from sidecar.infra.live_meetings import live_meeting_ids
from sidecar.infra.validation import read_at_most
from sidecar.records import answers
from sidecar.records.deps import RECORDS, RecordsDeps

routes = web.RouteTableDef()
_WHO = staff(Role.ADMIN, Role.PROGRAM_CLINICAL_LEAD)
MAX_BODY = 512 * 1024


def _by(config: ProgramConfig, actor: str | None) -> str | None:
    if not actor:
        return None
    person = config.staff_by_id(actor)
    if person is not None:
        return person.name
    return "the program file" if actor.startswith("file:") else "a command-line import"


def _when(config: ProgramConfig, ms: int | None) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, UTC).astimezone(
        ZoneInfo(config.program.time_zone)).isoformat(timespec="minutes")


def view(config: ProgramConfig, doc: Document) -> dict[str, Any]:
    return {"name": doc.name, "version": doc.version, "body": doc.body,
            "updated_by": _by(config, doc.updated_by),
            "updated_at": _when(config, doc.updated_at_ms)}


def _etag(version: int) -> str:
    return f'"{version}"'


def _json(data: Any, status: int = 200, version: int | None = None) -> web.Response:
    headers = {"Cache-Control": "no-store"}
    if version is not None:
        headers["ETag"] = _etag(version)
    return web.json_response(data, status=status, headers=headers)


def _doc_name(request: web.Request) -> str:
    name = request.match_info["doc"]
    if name not in DOCUMENTS:
        raise web.HTTPNotFound(text=f"There is no configuration document {name!r}; there "
                               f"are: {', '.join(DOCUMENTS)}.")
    return name


def if_match(request: web.Request) -> int:
    """The version named by ``If-Match`` (428 when it is missing, 400 when unreadable)."""
    raw = request.headers.get("If-Match", "").strip()
    if not raw:
        raise web.HTTPPreconditionRequired(
            text="Say which version you edited (the If-Match header with the ETag you read), "
            "so nobody's changes are overwritten.")
    try:
        return int(raw.removeprefix("W/").strip('"'))
    except ValueError:
        raise web.HTTPBadRequest(text="If-Match must be the ETag you read, like \"3\"") from None


def bad(fields: dict[str, str]) -> web.Response:
    return _json({"errors": [f"{k}: {v}" for k, v in fields.items()], "fields": fields},
                 status=400)


def outdated(config: ProgramConfig, current: dict[str, Any], version: int, by: str | None,
             at: str | None) -> web.Response:
    who = by or "someone else"
    when = f" at {at[11:16]}" if at else ""
    return _json({"error": f"{who} saved a change{when} after you opened this. Your changes "
                  "are kept here: compare, then keep yours or use theirs.",
                  "current": current}, status=412, version=version)


async def json_body(request: web.Request) -> Any:
    raw = await read_at_most(request, MAX_BODY)
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise web.HTTPBadRequest(text=json.dumps({"errors": ["(body): not valid JSON"],
                                                  "fields": {}}),
                                 content_type="application/json") from None


@routes.get("/api/admin/config")
@rule(_WHO)
@described(answer=answers.ConfigDocuments)
async def all_documents(request: web.Request) -> web.Response:
    t = request.app[RECORDS]
    docs = await t.config_store.documents()
    return _json({"version": await t.config_store.version(),
                  "documents": {n: view(t.config, d) for n, d in docs.items()}})


@routes.get("/api/admin/config/{doc}")
@rule(_WHO)
@described(answer=answers.ConfigDocument)
async def one_document(request: web.Request) -> web.Response:
    t = request.app[RECORDS]
    name = _doc_name(request)
    doc = (await t.config_store.documents())[name]
    return _json(view(t.config, doc), version=doc.version)


@routes.put("/api/admin/config/{doc}")
@rule(_WHO)
@described(JSON, also=(409, 412, 428), answer=answers.ConfigDocument,
           answers={400: answers.FieldProblems, 412: answers.Outdated})
async def save_document(request: web.Request) -> web.Response:
    t = request.app[RECORDS]
    who = principal(request)
    name = _doc_name(request)
    expected = if_match(request)
    body = await json_body(request)
    before = t.config
    if name == "groups" and (live := await _keep_live_groups(t, before, body)):
        return bad(live)
    try:
        saved, config, version = await t.config_store.save(name, body, expected,
                                                           who.staff_id)
    except Outdated as exc:
        current = view(t.config, exc.current)
        return outdated(t.config, current, exc.current.version, current["updated_by"],
                        current["updated_at"])
    except DocumentProblems as exc:
        return bad(exc.fields)
    t.live.swap(config, version)  # this replica at once (never as a later version)
    if name == "staff":
        await sign_out_disabled(t, before, config, who.staff_id)
    return _json(view(config, saved), version=saved.version)


async def live_numbers(t: RecordsDeps) -> set[str]:
    """The meeting numbers and Jitsi rooms of the sessions running now."""
    out: set[str] = set()
    for meeting in await live_meeting_ids(t.redis):
        state = keys.state(str(meeting))
        number, ended = await t.redis.hmget(state, keys.META_FIELD + "number",
                                            keys.META_FIELD + "ended_at")
        if number and not ended:
            out.add(str(number))
    return out


async def _keep_live_groups(t: RecordsDeps, before: ProgramConfig, body: Any
                            ) -> dict[str, str]:
    """A group meeting now keeps its Zoom meeting id and Jitsi room until it ends: without
    them its drops would no longer be seen (400 naming the group, nothing stored)."""
    if not isinstance(body, list):
        return {}
    out: dict[str, str] = {}
    kept = {str(g.get(k)) for g in body if isinstance(g, dict)
            for k in ("zoom_meeting_id", "jitsi_room") if g.get(k)}
    for number in sorted(await live_numbers(t) - kept):
        group = before.meeting_by_number(number)
        if group is None:
            continue
        where = next((i for i, g in enumerate(body) if isinstance(g, dict)
                      and g.get("name") == group.name), None)
        field = ("zoom_meeting_id" if number == group.zoom_meeting_id else "jitsi_room")
        out[f"{where}.{field}" if where is not None else "(top level)"] = (
            f"{group.name} is meeting now: keep {number} until the session ends, or its "
            "drops would not be seen")
    return out


async def sign_out_disabled(t: RecordsDeps, before: ProgramConfig, after: ProgramConfig,
                             actor: str) -> None:
    """Everyone whose Active box was just unticked (or who left the list) is signed out
    everywhere now."""
    still = {s.id for s in after.staff if s.active}
    now_ms = int(t.clock.now() * 1000)
    for person in before.staff:
        if person.active and person.id not in still:
            await t.revocations.revoke(person.id, now_ms)
            await t.config_store.audit.record(actor, "staff.disabled", person.id)
