"""Attaching coaching pages to a caregiver (one of a client's emergency contacts), for the
clinicians who care for the client: ``GET /api/clients/{client}/contacts/{contact}/coaching``
lists what is attached (with who attached it, when, and the caregiver's first read) and
what may still be; ``PUT`` and ``DELETE`` on ``.../coaching/{page}`` attach and detach."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sidecar.coaching import answers
from sidecar.coaching.attachments import Attached, attach, attached, detach
from sidecar.coaching.deps import COACHING, CoachingDeps
from sidecar.coaching.words import by_name, iso, read_words
from sidecar.infra.access import for_client, principal, rule
from sidecar.infra.apidoc import described

routes = web.RouteTableDef()
BASE = "/api/clients/{client}/contacts/{contact}/coaching"


async def _caregiver(t: CoachingDeps, request: web.Request) -> tuple[str, str]:
    """The client and contact ids the path names; 404 when either is not on file."""
    client_id = request.match_info["client"]
    contact_id = request.match_info["contact"]
    record = await t.clients.get(client_id, principal(request).staff_id, "coaching")
    if record is None:
        raise web.HTTPNotFound(text=f"There is no client {client_id!r}.")
    if contact_id not in {c.id for c in record.emergency_contacts}:
        raise web.HTTPNotFound(text=f"{record.name} has no emergency contact with the id "
                               f"{contact_id!r}; reload the record.")
    return client_id, contact_id


def _line(t: CoachingDeps, a: Attached) -> dict[str, Any]:
    return {"page_id": a.page_id, "title": a.title, "summary": a.summary,
            "retired": a.retired, "attached_at": iso(t.config, a.attached_at),
            "attached_by": by_name(t.config, a.attached_by) or a.attached_by,
            "read_at": iso(t.config, a.read_at), "read_words": read_words(t.config, a.read_at)}


async def _answer(t: CoachingDeps, client_id: str, contact_id: str, status: int = 200
                  ) -> web.Response:
    on = await attached(t.redis, client_id, contact_id, include_retired=True)
    have = {a.page_id for a in on}
    free = [{"id": p.id, "title": p.title} for p in await t.pages.all()
            if not p.retired and p.id not in have]
    return web.json_response({"client": client_id, "contact": contact_id,
                              "attached": [_line(t, a) for a in on], "available": free},
                             status=status, headers={"Cache-Control": "no-store"})


@routes.get(BASE)
@rule(for_client())
@described(answer=answers.CaregiverPages)
async def caregiver_pages(request: web.Request) -> web.Response:
    t = request.app[COACHING]
    client_id, contact_id = await _caregiver(t, request)
    return await _answer(t, client_id, contact_id)


@routes.put(BASE + "/{page}")
@rule(for_client())
@described(ok=(200, 201), answer=answers.CaregiverPages)
async def attach_page(request: web.Request) -> web.Response:
    """Attach a page (201; 200 when it already was). A retired page cannot be attached."""
    t = request.app[COACHING]
    client_id, contact_id = await _caregiver(t, request)
    page_id = request.match_info["page"]
    page = await t.pages.get(page_id)
    if page is None:
        raise web.HTTPNotFound(text=f"There is no coaching page {page_id!r}.")
    if page.retired:
        raise web.HTTPConflict(text=f"{page.title} is retired: restore it on the coaching "
                               "pages first, or choose another page.")
    added = await attach(t.redis, t.audit, client_id, contact_id, page_id,
                         principal(request).staff_id, t.now_ms())
    return await _answer(t, client_id, contact_id, 201 if added else 200)


@routes.delete(BASE + "/{page}")
@rule(for_client())
@described(answer=answers.CaregiverPages)
async def detach_page(request: web.Request) -> web.Response:
    """Take a page off (the caregiver no longer sees it); 404 when it was not attached."""
    t = request.app[COACHING]
    client_id, contact_id = await _caregiver(t, request)
    page_id = request.match_info["page"]
    if not await detach(t.redis, t.audit, client_id, contact_id, page_id,
                        principal(request).staff_id):
        raise web.HTTPNotFound(text=f"The page {page_id!r} is not attached to this contact.")
    return await _answer(t, client_id, contact_id)
