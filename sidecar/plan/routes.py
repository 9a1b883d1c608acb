"""The plan pages and their links over HTTP.

``GET /plan?t=<token>`` (the texted link) answers 303 to ``/plan?link=<id>`` with the token in
an HttpOnly, SameSite=Strict cookie for ``/plan`` (as the check-in link does,
sidecar/checkin/link_cookie.py); ``GET /plan?link=<id>`` renders the page, and every such
open is counted on the link and on the audit record (who: the client or which contact;
the source address). A link that is altered, expired or withdrawn gets the plain refusal
page with the crisis line. Staff send, list and withdraw links: the panel for the clients of
their groups, the admin page for every client."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sidecar.checkin.link_cookie import LINK_COOKIE, has_link_id, link_id, token_of
from sidecar.checkin.page import refusal_html
from sidecar.coaching.attachments import mark_read
from sidecar.coaching.page import page_html
from sidecar.coaching.store import read_pages
from sidecar.infra.access import for_client, principal, public, rule, staff
from sidecar.infra.apidoc import HTML, described
from sidecar.infra.config import Role
from sidecar.infra.source import over_tls
from sidecar.plan import answers
from sidecar.plan.coaching import PAGE_PREFIX, coaching_links
from sidecar.plan.connection import client_first
from sidecar.plan.deps import PLAN, PlanDeps
from sidecar.plan.links import NOT_VALID, LinkRefused, PlanLink
from sidecar.plan.page import compose, render
from sidecar.plan.sending import CLIENT
from sidecar.plan.view import recipient
from sidecar.records.model import ClientRecord
from sidecar.records.oncall import local_time

routes = web.RouteTableDef()
PAGE_PATH = "/plan"
LINK_ENDED = ("this page's link has ended in this browser: open the link your care team "
              "texted you again")
ADMINS = (Role.ADMIN, Role.PROGRAM_CLINICAL_LEAD)
Handler = Callable[[web.Request], Awaitable[web.Response]]


def refused(t: PlanDeps, reason: str) -> web.Response:
    page = refusal_html("This page cannot open", reason, t.config.program)
    return web.Response(text=page, status=403, content_type="text/html",
                        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})


def _exchange(request: web.Request, token: str, ttl_ms: int) -> web.Response:
    lid = link_id(token)
    response = web.Response(status=303, headers={
        "Location": f"{PAGE_PATH}?link={lid}", "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer"})
    parts = [f"{LINK_COOKIE}{lid}={token}", "HttpOnly", f"Max-Age={max(1, ttl_ms // 1000)}",
             f"Path={PAGE_PATH}", "SameSite=Strict"]
    response.headers.add("Set-Cookie", "; ".join([*parts, "Secure"] if over_tls(request)
                                                 else parts))
    return response


def who_opened(link: PlanLink) -> str:
    return f"client:{link.client}" if not link.contact else \
        f"contact:{link.client}/{link.contact}"


async def _opening(t: PlanDeps, request: web.Request, token: str, now: int
                   ) -> PlanLink | web.Response:
    """The link this token opens now, or the refusal page (a refused token audited)."""
    if not token:
        return refused(t, LINK_ENDED if has_link_id(request) else NOT_VALID)
    try:
        return await t.links.opening(token, now)
    except LinkRefused as exc:
        await t.audit.record("-", "auth.refused:plan_link", str(exc)[:200])
        return refused(t, str(exc))


@routes.get(PAGE_PATH)
@rule(public("the signed plan link (its token, then its cookie)"))
@described(query=("t", "link"), ok=(200, 303), answer=HTML)
async def plan_page(request: web.Request) -> web.Response:
    """The client's or a caregiver's plan page. With ``?t=``: 303 to ``?link=<id>`` with the
    token in a cookie; with ``?link=``: the page (each open audited)."""
    t = request.app[PLAN]
    token, now = token_of(request), t.now_ms()
    link = await _opening(t, request, token, now)
    if isinstance(link, web.Response):
        return link
    if "t" in request.query:
        return _exchange(request, token, link.expires_ms - now)
    record = await t.clients.get(link.client, actor=who_opened(link), purpose="plan-page")
    contact = None
    if record is not None and link.contact:
        contact = next((c for c in record.emergency_contacts if c.id == link.contact), None)
    if record is None or (link.contact and contact is None):
        return refused(t, "this page is no longer available: ask the care team for a new link")
    await t.links.opened(link.id, now)
    await t.audit.record(who_opened(link), "plan.opened", f"{link.client}:{link.id}")
    today = local_time(t.config, now).date()
    expires = local_time(t.config, link.expires_ms).date()
    guides = await coaching_links(t, link, link_id(token)) if contact else []
    page = compose(t.config, await t.directory.get(), record, contact, today, expires, guides)
    return web.Response(text=render(page), content_type="text/html", headers={
        "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})


@routes.get(PAGE_PREFIX + "{page}")
@rule(public("the signed plan link of a caregiver (its cookie)"))
@described(query=("link",), also=(403, 404), answer=HTML)
async def coaching_page(request: web.Request) -> web.Response:
    """A coaching page attached for the caregiver whose link this is: the first open is
    their read receipt; every open audited as theirs. 403 for another link or none; 404
    for a page not attached to them (or retired)."""
    t = request.app[PLAN]
    token, now = token_of(request), t.now_ms()
    link = await _opening(t, request, token, now)
    if isinstance(link, web.Response):
        return link
    page_id = request.match_info["page"]
    found = await read_pages(t.redis, [page_id]) if link.contact else {}
    page = found.get(page_id)
    if page is None or page.retired or not await mark_read(
            t.redis, link.client, link.contact, page_id, now):
        raise web.HTTPNotFound(text="This guide is not on your page any more.")
    await t.audit.record(who_opened(link), "coaching.read", f"{link.client}:{page_id}")
    back = f"{PAGE_PATH}?link={link_id(token)}#coaching"
    html = page_html(page, back_href=back, crisis_line=t.config.program.crisis_line,
                     back_label="Back to your page")
    return web.Response(text=html, content_type="text/html", headers={
        "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})


# ---- staff: list, send, withdraw ----------------------------------------------------------
class SendBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    people: list[str] = Field(min_length=1, max_length=12)  # "client" or contact ids


class RevokeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    link: str = Field(default="", pattern=r"^[0-9a-f]{16}$|^$")  # "": every active link


def _seen(t: PlanDeps, link: PlanLink) -> str:
    if not link.opens:
        return "Not opened yet"
    last = local_time(t.config, link.last_open_ms).strftime("%a %H:%M")
    times = "once" if link.opens == 1 else f"{link.opens} times"
    return f"Opened {times}, last {last}"


def _line(t: PlanDeps, record: ClientRecord | None, link: PlanLink) -> dict[str, Any]:
    names = {c.id: c.name for c in (record.emergency_contacts if record else [])}
    name = (record.name if record else "the client") if not link.contact else names.get(
        link.contact, "a former contact")
    return {"id": link.id, "person": link.contact or CLIENT, "name": name,
            "created_at": link.created_ms, "expires_at": link.expires_ms,
            "state": link.state(t.now_ms()), "send": link.send, "note": link.note,
            "mail": link.mail, "mail_note": link.mail_note,
            "opens": link.opens, "last_open_at": link.last_open_ms or None,
            "seen": _seen(t, link), "by": link.by}


async def _record(t: PlanDeps, request: web.Request, purpose: str) -> ClientRecord:
    client = request.match_info["client"]
    record = await t.clients.get(client, actor=principal(request).staff_id, purpose=purpose)
    if record is None:
        raise web.HTTPNotFound(text=f"There is no client {client!r}.")
    return record


def _recipients(record: ClientRecord, today: date) -> list[dict[str, Any]]:
    first = client_first(record)
    own = {"id": CLIENT, "name": record.name, "relation": "the client",
           "can_send": record.sms_consent, "sees_plan": True, "sees_code_words": False,
           "says": (f"{first}'s own page: the safety plan, where to turn and what happens if "
                    "their video drops." if record.sms_consent else
                    f"{first} cannot be texted: they have not agreed to texts from the "
                    "program.")}
    return [own, *(recipient(c, first, today) for c in record.emergency_contacts if c.id)]


async def list_links(request: web.Request) -> web.Response:
    t = request.app[PLAN]
    record = await _record(t, request, "plan-links")
    today = local_time(t.config, t.now_ms()).date()
    links = await t.links.of_client(record.id)
    return web.json_response({
        "recipients": _recipients(record, today),
        "links": [_line(t, record, link) for link in links],
        "expire_days": t.config.plan_links.expire_days}, headers={"Cache-Control": "no-store"})


def _bad(text: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=json.dumps({"error": text}), content_type="application/json")


async def send_links(request: web.Request) -> web.Response:
    t = request.app[PLAN]
    try:
        body = SendBody.model_validate_json(await request.read() or b"{}")
    except ValidationError as exc:
        raise _bad("say whom to send to: people, a list of \"client\" or contact ids") from exc
    record = await _record(t, request, "plan-send")
    today = local_time(t.config, t.now_ms()).date()
    allowed = {r["id"]: r for r in _recipients(record, today)}
    for person in body.people:
        found = allowed.get(person)
        if found is None:
            raise _bad(f"{person!r} is not the client or one of their contacts")
        if not found["can_send"]:
            raise _bad(str(found["says"]))
    made = await t.sending.send(record, list(dict.fromkeys(body.people)),
                                principal(request).staff_id)
    return web.json_response({"links": [_line(t, record, link) for link in made]}, status=202)


async def revoke_links(request: web.Request) -> web.Response:
    t = request.app[PLAN]
    try:
        body = RevokeBody.model_validate_json(await request.read() or b"{}")
    except ValidationError as exc:
        raise _bad("link: a link's id, or empty for every active link") from exc
    record = await _record(t, request, "plan-revoke")
    who, now = principal(request).staff_id, t.now_ms()
    mine = {link.id: link for link in await t.links.of_client(record.id)}
    if body.link and body.link not in mine:
        raise web.HTTPNotFound(text="this client has no such link")
    n = 0
    for lid, link in mine.items():
        if (not body.link or lid == body.link) and link.state(now) == "active" and \
                await t.links.revoke(lid, now, who):
            await t.audit.record(who, "plan.link_revoked", f"{record.id}:{lid}")
            n += 1
    return web.json_response({"revoked": n})


def _twice(path: str, method: str, handler: Handler, described_as: Any) -> None:
    """One operation for the panel (clients of one's groups) and one for the admin page."""
    async def panel(request: web.Request) -> web.Response:
        return await handler(request)

    async def admin(request: web.Request) -> web.Response:
        return await handler(request)

    for h, side in ((panel, "panel"), (admin, "admin")):
        h.__doc__ = handler.__doc__
        h.__name__ = h.__qualname__ = f"{handler.__name__}_{side}"
    for prefix, h, r in (("/api/clients", panel, for_client(*ADMINS[1:], Role.LEAD,
                                                             Role.CO_FACILITATOR,
                                                             Role.ON_CALL)),
                         ("/api/admin/clients", admin, staff(*ADMINS))):
        routes.route(method, prefix + path)(rule(r)(described_as(h)))


list_links.__doc__ = ("Whom a page can go to (and what each page will hold), and the "
                      "client's links with their state, how their text went and their opens.")
send_links.__doc__ = ("Send fresh plan links by text to the client and/or contacts; each "
                      "text is a job (202). A person who cannot be sent one is a 400 saying why.")
revoke_links.__doc__ = "Withdraw one link (``link``) or every active link of the client."
_twice("/{client}/plan-links", "GET", list_links, described(answer=answers.PlanLinks))
_twice("/{client}/plan-links", "POST", send_links,
       described(SendBody, ok=(202,), answer=answers.Sent))
_twice("/{client}/plan-links/revoke", "POST", revoke_links,
       described(RevokeBody, also=(404,), answer=answers.Revoked))
