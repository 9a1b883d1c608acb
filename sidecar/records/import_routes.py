"""Importing people from a spreadsheet: the CSV text is the body; all or nothing.

400 ``{"errors": ["row 3, callback_phone: ...", ...]}`` names every problem by its row and
column, and nothing is stored; 409 in the same shape when a row claims another client's
display name or e-mail, or when the clients kept changing under the import; 413 past
2 MB. The columns: ``sidecar/records/people_csv.py`` and docs/admin.md.
"""

from __future__ import annotations

import asyncio
import json

from aiohttp import web

from sidecar.infra.access import principal, rule, staff
from sidecar.infra.apidoc import CSV, described
from sidecar.infra.config import Role
from sidecar.infra.config_docs import DocumentProblems
from sidecar.infra.config_store import Outdated
from sidecar.records import answers
from sidecar.records.clients import ClientOutdated, IdentityConflict
from sidecar.records.config_routes import sign_out_disabled
from sidecar.records.deps import RECORDS, RecordsDeps
from sidecar.records.people_csv import ClientRows, StaffRows, client_ids, parse_clients, parse_staff

routes = web.RouteTableDef()

MAX_BYTES = 2 * 1024 * 1024
SAVE_ATTEMPTS = 3  # a client saved by someone else mid-import: read again, apply again


def _errors(kind: type[web.HTTPClientError], errors: list[str]) -> web.HTTPClientError:
    return kind(text=json.dumps({"errors": errors}), content_type="application/json")


def _too_big(size: int) -> web.HTTPRequestEntityTooLarge:
    return web.HTTPRequestEntityTooLarge(
        max_size=MAX_BYTES, actual_size=size, content_type="application/json",
        text=json.dumps({"errors": ["the file is larger than 2 MB; split it into smaller "
                                    "files"]}))


async def _csv_text(request: web.Request) -> str:
    """The body as text, read up to the limit (not through the app's general one)."""
    if (request.content_length or 0) > MAX_BYTES:
        raise _too_big(request.content_length or 0)
    body = bytearray()
    while chunk := await request.content.read(64 * 1024):
        body += chunk
        if len(body) > MAX_BYTES:
            raise _too_big(len(body))
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _errors(web.HTTPBadRequest, [
            "the file is not UTF-8 text; save it from the spreadsheet as \"CSV UTF-8\""]
        ) from exc


async def _import(t: RecordsDeps, text: str, actor: str) -> ClientRows:
    """Read the records on file, merge the rows into them, save all of them unless one
    changed in between (ClientOutdated)."""
    on_file = await t.clients.get_many(await asyncio.to_thread(client_ids, text),
                                       actor=actor, purpose="admin.import")
    # reading 5,000 rows takes a while: off the event loop, which runs the callbacks
    parsed = await asyncio.to_thread(parse_clients, text, {
        i: record for i, (record, _) in on_file.items()})
    if parsed.errors:
        raise _errors(web.HTTPBadRequest, parsed.errors)
    expected = {r.id: on_file[r.id][1] if r.id in on_file else 0 for r in parsed.records}
    await t.clients.put_many(parsed.records, actor=actor, prefix=parsed.label,
                             expected=expected)
    return parsed


@routes.post("/api/admin/import/clients")
@rule(staff(Role.ADMIN, Role.PROGRAM_CLINICAL_LEAD))
@described(CSV, also=(409, 413), answer=answers.ImportedRows)
async def import_clients_csv(request: web.Request) -> web.Response:
    """Create or replace the clients a CSV file lists. A client on file keeps what the file
    has no column for (clinical sections, registrant ids, Zoom uids, ...); one saved by
    someone else during the import is read again and the file applied to that."""
    t, who = request.app[RECORDS], principal(request)
    text = await _csv_text(request)
    for _ in range(SAVE_ATTEMPTS):
        try:
            parsed = await _import(t, text, who.staff_id)
        except IdentityConflict as exc:
            raise _errors(web.HTTPConflict, exc.problems) from exc
        except ClientOutdated:
            continue
        return web.json_response({"imported": len(parsed.records),
                                  "created": len(parsed.created),
                                  "updated": len(parsed.updated)})
    raise _errors(web.HTTPConflict, [
        "the clients in this file were being changed by someone else all along; nothing "
        "was imported, send the file again"])


@routes.post("/api/admin/import/staff")
@rule(staff(Role.ADMIN, Role.PROGRAM_CLINICAL_LEAD))
@described(CSV, also=(409, 413), answer=answers.ImportedRows)
async def import_staff_csv(request: web.Request) -> web.Response:
    """Add or replace the staff a CSV file lists (by id) on the staff list, as one save of
    the staff document: live everywhere within a second, or nothing stored. A person the
    file marks not active is signed out at once."""
    t, who = request.app[RECORDS], principal(request)
    text = await _csv_text(request)
    parsed = await asyncio.to_thread(parse_staff, text)
    if parsed.errors:
        raise _errors(web.HTTPBadRequest, parsed.errors)
    for _ in range(SAVE_ATTEMPTS):
        before = t.config
        doc = (await t.config_store.documents())["staff"]
        rows = {s["id"]: s for s in doc.body}
        for person in parsed.records:
            rows[person.id] = person.model_dump(mode="json")
        try:
            _, config, version = await t.config_store.save(
                "staff", list(rows.values()), doc.version, who.staff_id)
        except Outdated:
            continue
        except DocumentProblems as exc:
            raise _errors(web.HTTPBadRequest, [_by_row(parsed, doc.body, p)
                                               for p in exc.sentences]) from exc
        t.live.swap(config, version)
        await sign_out_disabled(t, before, config, who.staff_id)
        known = {s["id"] for s in doc.body}
        created = [p.id for p in parsed.records if p.id not in known]
        return web.json_response({"imported": len(parsed.records), "created": len(created),
                                  "updated": len(parsed.records) - len(created)})
    raise _errors(web.HTTPConflict, [
        "the staff list was being changed by someone else all along; nothing was imported, "
        "send the file again"])


def _by_row(parsed: StaffRows, on_file: list[dict[str, object]], problem: str) -> str:
    """A staff-document problem ("7.email: ...") named by the file's row when it is one of
    the file's people."""
    where, _, what = problem.partition(": ")
    first = where.split(".", 1)[0]
    if not first.isdigit():
        return problem
    ids = [str(s["id"]) for s in on_file]
    ids += [p.id for p in parsed.records if p.id not in ids]
    index = int(first)
    person = ids[index] if index < len(ids) else ""
    for row, record in zip(parsed.rows, parsed.records, strict=True):
        if record.id == person:
            field = where.split(".", 1)[1] if "." in where else ""
            return f"row {row}, {field}: {what}" if field else f"row {row}: {what}"
    return problem
