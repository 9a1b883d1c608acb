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
from sidecar.infra.config import Role
from sidecar.records.clients import ClientOutdated, IdentityConflict
from sidecar.records.deps import RECORDS, RecordsDeps
from sidecar.records.people_csv import ClientRows, client_ids, parse_clients

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
