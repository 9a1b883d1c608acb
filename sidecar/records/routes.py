"""The admin API: client records (stored encrypted), the locale directory, who is on call.

Every call needs the ``admin`` role. Errors are 400 ``{"errors": ["path: message", ...]}``
naming every wrong field; nothing is stored when there is one. A record that claims another
client's display name, e-mail, registrant id or Zoom uid is a 409 in the same shape, naming
the other client (``zoom_display_names: "Casey B" is already Casey Brightwater's``).
"""

from __future__ import annotations

import asyncio
import json
from datetime import date
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from sidecar.infra import keys
from sidecar.infra.access import principal, rule, staff
from sidecar.infra.apidoc import described
from sidecar.infra.auth import Principal
from sidecar.infra.config import Role
from sidecar.infra.validation import problems
from sidecar.records import answers
from sidecar.records.clients import ClientOutdated, IdentityConflict
from sidecar.records.deps import RECORDS, RecordsDeps
from sidecar.records.directory import Directory, DirectoryOutdated, lookup
from sidecar.records.model import ClientFile, ClientRecord
from sidecar.records.oncall import covering_shifts, local_time, on_call_now

routes = web.RouteTableDef()


def _admin(request: web.Request) -> tuple[RecordsDeps, Principal]:
    t = request.app[RECORDS]
    return t, principal(request)


def _bad(errors: list[str]) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=json.dumps({"errors": errors}),
                              content_type="application/json")


def _taken(exc: IdentityConflict) -> web.HTTPConflict:
    return web.HTTPConflict(text=json.dumps({"errors": exc.problems}),
                            content_type="application/json")


async def _body(request: web.Request) -> Any:
    try:
        return json.loads(await request.read())
    except json.JSONDecodeError as exc:
        raise _bad([f"(body): not valid JSON ({exc})"]) from exc
    except (ValueError, RecursionError) as exc:  # not UTF-8, or nested past all reason
        raise _bad(["(body): not valid JSON (UTF-8 text, nested at most a few levels)"]
                   ) from exc


# What only clinical staff read or change on a record; an admin configures the program and
# sees the rest (names, numbers, contacts and their consent, identities, review dates).
CLINICAL_FIELDS = ("safety_plan", "considerations", "code_words")


def _clinical(who: Principal) -> bool:
    return Role.PROGRAM_CLINICAL_LEAD.value in who.roles


def _for(who: Principal, record: ClientRecord) -> dict[str, Any]:
    """A record as the admin page shows it: code words never (a clinical lead sees how many
    and reveals them on purpose, audited); clinical sections only to clinical roles."""
    out: dict[str, Any] = record.model_dump(mode="json")
    words = out.pop("code_words")
    if _clinical(who):
        out["code_words_count"] = len(words)
        return out
    for name in CLINICAL_FIELDS:
        out.pop(name, None)
    plan = record.safety_plan
    out["safety_plan_review"] = {
        "last_reviewed": plan.last_reviewed.isoformat() if plan.last_reviewed else None,
        "review_due": plan.review_due.isoformat() if plan.review_due else None}
    out["clinical_fields_hidden"] = list(CLINICAL_FIELDS)
    return out


def _keep_clinical(who: Principal, raw: Any, stored: ClientRecord | None) -> Any:
    """An admin's save keeps the stored clinical fields; changing one needs a clinical
    role (403 naming them). A body without ``code_words`` keeps the stored ones."""
    if isinstance(raw, dict):
        raw = {k: v for k, v in raw.items()
               if k not in ("version", "code_words_count", "safety_plan_review",
                            "clinical_fields_hidden")}
        if "code_words" not in raw and stored is not None:
            raw["code_words"] = list(stored.code_words)
    if _clinical(who) or not isinstance(raw, dict):
        return raw
    current = (stored or ClientRecord(id="x", name="x", callback_phone="+10000000000")
               ).model_dump(mode="json")
    changed = [f for f in CLINICAL_FIELDS if f in raw and raw[f] != current[f]]
    if changed:
        raise web.HTTPForbidden(text=", ".join(changed) + ": only clinical staff (the "
                                "program's clinical lead) may change these")
    raw = {k: v for k, v in raw.items()
           if k not in ("safety_plan_review", "clinical_fields_hidden")}
    return {**raw, **{f: current[f] for f in CLINICAL_FIELDS}}


def _today(t: RecordsDeps) -> date:
    return local_time(t.config, int(t.clock.now() * 1000)).date()


def summary(record: ClientRecord, today: date, directory: Directory) -> dict[str, Any]:
    """A client's line in the admin list: no code words, no address, no numbers."""
    due = record.safety_plan.review_due
    last = record.safety_plan.last_reviewed
    match = lookup(directory, record.location) if record.location else None
    return {
        "id": record.id, "name": record.name,
        "safety_plan": {"last_reviewed": last.isoformat() if last else None,
                        "review_due": due.isoformat() if due else None,
                        "overdue": due is not None and today > due},
        "contacts": len(record.emergency_contacts),
        "consent_scopes": sorted({s for c in record.emergency_contacts for s in c.consent}),
        "has_code_words": bool(record.code_words),
        "address_on_file": record.location is not None,
        "directory_match": match.matched_by if match else None,
    }


async def _as_stored(t: RecordsDeps, who: Principal, rows: list[Any]) -> list[Any]:
    """Records as the admin page reads them go back in as they are: without the page's
    own fields, and keeping the stored code words of a record that does not carry them."""
    dicts = [r for r in rows if isinstance(r, dict)]
    missing = [str(r["id"]) for r in dicts if "code_words" not in r and "id" in r]
    stored = await t.clients.code_words(missing, actor=who.staff_id,
                                        purpose="admin.import") if missing else {}
    out: list[Any] = []
    for row in rows:
        if isinstance(row, dict):
            row = {k: v for k, v in row.items() if k not in ("version", "code_words_count")}
            if "code_words" not in row and str(row.get("id")) in stored:
                row["code_words"] = stored[str(row["id"])]
        out.append(row)
    return out


@routes.post("/api/admin/clients")
@rule(staff(Role.ADMIN, Role.PROGRAM_CLINICAL_LEAD))
@described(ClientFile, also=(409,), answer=answers.Imported)
async def import_clients(request: web.Request) -> web.Response:
    t, who = _admin(request)
    raw = await _body(request)
    if isinstance(raw, dict) and isinstance(raw.get("clients"), list):
        raw["clients"] = await _as_stored(t, who, raw["clients"])
    try:
        parsed = ClientFile.model_validate(raw)
    except ValidationError as exc:
        raise _bad(problems(exc)) from exc
    if not _clinical(who):
        blank = ClientRecord(id="x", name="x", callback_phone="+10000000000")
        carrying = sorted({f"clients.{i}.{f}" for i, r in enumerate(parsed.clients)
                           for f in CLINICAL_FIELDS if getattr(r, f) != getattr(blank, f)})
        if carrying:
            raise web.HTTPForbidden(text=", ".join(carrying) + ": only clinical staff (the "
                                    "program's clinical lead) may import these")
    try:
        await t.clients.put_many(parsed.clients, actor=who.staff_id, prefix="clients.{i}.")
    except IdentityConflict as exc:
        raise _taken(exc) from exc
    return web.json_response({"imported": len(parsed.clients)})


@routes.get("/api/admin/clients")
@rule(staff(Role.ADMIN, Role.PROGRAM_CLINICAL_LEAD))
@described(answer=answers.ClientList)
async def list_clients(request: web.Request) -> web.Response:
    """Every client, each read audited (the names are PHI)."""
    t, who = _admin(request)
    ids = sorted([k.removeprefix(keys.CLIENT_PREFIX) async for k in
                  t.redis.scan_iter(match=keys.CLIENT_PREFIX + "*", count=500)])
    records = await asyncio.gather(
        *(t.clients.get(i, actor=who.staff_id, purpose="admin.list") for i in ids))
    today, directory = _today(t), await t.directory.get()
    return web.json_response({"today": today.isoformat(), "clients": [
        summary(r, today, directory) for r in records if r is not None]})


def _versioned(data: dict[str, Any], version: int, status: int = 200) -> web.Response:
    return web.json_response({**data, "version": version}, status=status, headers={
        "ETag": f'"{version}"', "Cache-Control": "no-store"})


@routes.get("/api/admin/clients/{client}")
@rule(staff(Role.ADMIN, Role.PROGRAM_CLINICAL_LEAD))
@described(answer=answers.ClientCopy)
async def get_client(request: web.Request) -> web.Response:
    t, who = _admin(request)
    client_id = request.match_info["client"]
    record, version = await t.clients.get_versioned(client_id, actor=who.staff_id,
                                                    purpose="admin")
    if record is None:
        raise web.HTTPNotFound(text=f"There is no client {client_id!r}.")
    return _versioned(_for(who, record), version)


@routes.post("/api/admin/clients/{client}/code-words")
@rule(staff(Role.PROGRAM_CLINICAL_LEAD))
@described(answer=answers.CodeWords)
async def reveal_code_words(request: web.Request) -> web.Response:
    """A clinical lead shows a client's code words on purpose; it is on the record."""
    t, who = _admin(request)
    client_id = request.match_info["client"]
    found = await t.clients.code_words([client_id], actor=who.staff_id,
                                       purpose="admin.reveal-code-words")
    if client_id not in found:
        raise web.HTTPNotFound(text=f"There is no client {client_id!r}.")
    return web.json_response({"code_words": found[client_id]},
                             headers={"Cache-Control": "no-store"})


def _expected(request: web.Request) -> int | None:
    """The version a save names: If-Match "<n>", If-None-Match * (a new record: 0), or
    None when the caller names none (a script replacing a record outright)."""
    if request.headers.get("If-None-Match", "").strip() == "*":
        return 0
    raw = request.headers.get("If-Match", "").strip()
    if not raw:
        return None
    try:
        return int(raw.removeprefix("W/").strip('"'))
    except ValueError:
        raise _bad(['(If-Match): the ETag you read, like "3"']) from None


async def _outdated(t: RecordsDeps, who: Principal, exc: ClientOutdated, new: bool
                    ) -> web.Response:
    record, version = await t.clients.get_versioned(exc.client_id, actor=who.staff_id,
                                                    purpose="admin.conflict")
    if record is None:
        return web.json_response({"error": "This record was removed since you opened it.",
                                  "current": None}, status=412)
    by, at = await t.clients.saved_by(exc.client_id)
    person = t.config.staff_by_id(by) if by else None
    saver = person.name if person else "Someone else"
    when = (" at " + local_time(t.config, at).strftime("%I:%M %p").lstrip("0")) if at else ""
    sentence = (f"{saver} created a record with this id{when} while you typed yours" if new
                else f"{saver} saved this record{when}, after you opened it")
    return web.json_response({
        "error": sentence + ". Your changes are kept here: compare, then keep yours or "
        "use theirs.", "current": {**_for(who, record), "version": version}},
        status=412, headers={"ETag": f'"{version}"', "Cache-Control": "no-store"})



def _id_problem(raw: Any, client_id: str) -> list[str]:
    if isinstance(raw, dict) and "id" in raw and raw["id"] != client_id:
        return [f"id: must be {client_id!r}, the client this page edits (the id in the path)"]
    return []


@routes.put("/api/admin/clients/{client}")
@rule(staff(Role.ADMIN, Role.PROGRAM_CLINICAL_LEAD))
@described(ClientRecord, ok=(200, 201), also=(409, 412, 428), answer=answers.ClientSaved,
           answers={412: answers.Outdated})
async def put_client(request: web.Request) -> web.Response:
    """Create or replace one record; the id in the body must be the one in the path."""
    t, who = _admin(request)
    client_id = request.match_info["client"]
    expected = _expected(request)
    stored = await t.clients.get(client_id, actor=who.staff_id, purpose="admin.save")
    raw = _keep_clinical(who, await _body(request), stored)
    mismatch = _id_problem(raw, client_id)
    try:
        record = ClientRecord.model_validate(raw)
    except ValidationError as exc:
        raise _bad(mismatch + problems(exc)) from exc
    if mismatch:
        raise _bad(mismatch)
    created = not await t.redis.exists(keys.client(client_id))
    try:
        version = await t.clients.put(record, actor=who.staff_id, expected=expected)
    except IdentityConflict as exc:
        raise _taken(exc) from exc
    except ClientOutdated as exc:
        return await _outdated(t, who, exc, new=expected == 0)
    await t.after_save(stored, record)  # e.g. a plan review re-sends the plan's links
    return _versioned({"saved": client_id, "created": created}, version,
                      status=201 if created else 200)


@routes.get("/api/admin/directory")
@rule(staff(Role.ADMIN, Role.PROGRAM_CLINICAL_LEAD))
@described(answer=answers.DirectoryCopy)
async def get_directory(request: web.Request) -> web.Response:
    t, _ = _admin(request)
    directory, version = await t.directory.versioned()
    return _versioned(directory.model_dump(mode="json"), version)


@routes.put("/api/admin/directory")
@rule(staff(Role.ADMIN))
@described(Directory, also=(409, 412, 428), answer=answers.DirectorySaved,
           answers={412: answers.Outdated})
async def put_directory(request: web.Request) -> web.Response:
    t, who = _admin(request)
    expected = _expected(request)
    raw = await _body(request)
    if isinstance(raw, dict):
        raw.pop("version", None)
    try:
        directory = Directory.model_validate(raw)
    except ValidationError as exc:
        raise _bad(problems(exc)) from exc
    try:
        version = await t.directory.put(directory, actor=who.staff_id, expected=expected)
    except DirectoryOutdated as exc:
        current, now = await t.directory.versioned()
        return web.json_response({
            "error": "Someone else saved the directory after you opened it. Your changes "
            "are kept here: compare, then keep yours or use theirs.",
            "current": {**current.model_dump(mode="json"), "version": now}},
            status=412, headers={"ETag": f'"{exc.version}"', "Cache-Control": "no-store"})
    return _versioned({"saved": True, "countries": len(directory.countries),
                       "regions": len(directory.regions)}, version)


@routes.get("/api/admin/oncall")
@rule(staff(Role.ADMIN, Role.PROGRAM_CLINICAL_LEAD))
@described(answer=answers.OnCall)
async def oncall(request: web.Request) -> web.Response:
    """The schedule, and who is on call now (``source``: a shift, or the on_call role)."""
    t, _ = _admin(request)
    now_ms = int(t.clock.now() * 1000)
    names = {s.id: s.name for s in t.config.staff}
    return web.json_response({
        "program": t.config.program.name,
        "time_zone": t.config.program.time_zone,
        "local_time": local_time(t.config, now_ms).isoformat(timespec="minutes"),
        "schedule": [{**s.model_dump(), "name": names.get(s.staff, s.staff)}
                     for s in t.config.on_call_schedule],
        "on_call_now": [{"id": s.id, "name": s.name, "phone": s.phone}
                        for s in on_call_now(t.config, now_ms)],
        "source": "schedule" if covering_shifts(t.config, now_ms) else "role",
    })
