"""The coaching library's admin API and the staff preview of a page.

``GET /api/admin/coaching`` lists the pages; ``POST`` adds one; ``GET|PUT
/api/admin/coaching/{page}`` reads or saves one with ``ETag``/``If-Match`` like the
configuration documents (412 with the current copy when someone saved first; retiring is a
save with ``retired: true``). ``POST /api/admin/coaching/preview`` renders a body as the
caregiver will see it. ``GET /coaching/{page}`` is the page itself, for signed-in staff.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from sidecar.coaching import answers
from sidecar.coaching.deps import COACHING, CoachingDeps
from sidecar.coaching.model import NewPage, Page, PageText, slug
from sidecar.coaching.page import page_html
from sidecar.coaching.render import nodes, render
from sidecar.coaching.store import Outdated, PageExists
from sidecar.coaching.words import by_name, iso
from sidecar.infra.access import principal, rule, staff
from sidecar.infra.apidoc import HTML, described
from sidecar.infra.config import Role
from sidecar.infra.validation import plain_problems, read_at_most, read_json

routes = web.RouteTableDef()
_AUTHORS = staff(Role.ADMIN, Role.PROGRAM_CLINICAL_LEAD)
MAX_BODY = 64 * 1024


def line(t: CoachingDeps, page: Page) -> dict[str, Any]:
    return {"id": page.id, "title": page.title, "summary": page.summary,
            "retired": page.retired, "version": page.version,
            "updated_by": by_name(t.config, page.updated_by),
            "updated_at": iso(t.config, page.updated_at_ms)}


def copy(t: CoachingDeps, page: Page) -> dict[str, Any]:
    return {**line(t, page), "body": page.body}


def _json(data: Any, status: int = 200, version: int | None = None) -> web.Response:
    headers = {"Cache-Control": "no-store"}
    if version is not None:
        headers["ETag"] = f'"{version}"'
    return web.json_response(data, status=status, headers=headers)


def _problems(exc: ValidationError) -> web.Response:
    fields: dict[str, str] = {}
    for loc, message in plain_problems(exc):
        where = ".".join(map(str, loc)) or "(top level)"
        fields.setdefault(where, "this cannot be empty" if message == "required"
                          else message)
    return _json({"errors": [f"{k}: {v}" for k, v in fields.items()], "fields": fields},
                 status=400)


async def _body(request: web.Request) -> Any:
    raw = await read_at_most(request, MAX_BODY)
    try:
        return json.loads(raw or b"{}")
    except (ValueError, RecursionError):
        raise web.HTTPBadRequest(text=json.dumps({"errors": ["(body): not valid JSON"]}),
                                 content_type="application/json") from None


def _if_match(request: web.Request) -> int:
    raw = request.headers.get("If-Match", "").strip()
    if not raw:
        raise web.HTTPPreconditionRequired(
            text="Say which version you edited (the If-Match header with the ETag you read), "
            "so nobody's changes are overwritten.")
    try:
        return int(raw.removeprefix("W/").strip('"'))
    except ValueError:
        raise web.HTTPBadRequest(text="If-Match must be the ETag you read, like \"3\"") from None


@routes.get("/api/admin/coaching")
@rule(_AUTHORS)
@described(answer=answers.PageList)
async def list_pages(request: web.Request) -> web.Response:
    t = request.app[COACHING]
    return _json({"pages": [line(t, p) for p in await t.pages.all()]})


@routes.post("/api/admin/coaching")
@rule(_AUTHORS)
@described(NewPage, ok=(201,), also=(409,), answer=answers.PageCopy,
           answers={400: answers.PageProblems})
async def add_page(request: web.Request) -> web.Response:
    """A new page; without an id, one is made from the title."""
    t = request.app[COACHING]
    try:
        new = NewPage.model_validate(await _body(request))
    except ValidationError as exc:
        return _problems(exc)
    page_id = new.id or slug(new.title)
    text = PageText.model_validate(new.model_dump(exclude={"id"}))
    try:
        page = await t.pages.add(page_id, text, principal(request).staff_id)
    except PageExists:
        field = "id" if new.id else "title"
        sentence = (f"there is already a page with the id {page_id}: choose another "
                    + ("id" if new.id else "title, or give the page its own id"))
        return _json({"errors": [f"{field}: {sentence}"], "fields": {field: sentence}},
                     status=409)
    return _json(copy(t, page), status=201, version=page.version)


@routes.post("/api/admin/coaching/preview")
@rule(_AUTHORS)
@described(answers.Markdown, answer=answers.Preview)
async def preview(request: web.Request) -> web.Response:
    """The body as the caregiver's page will show it (nothing is stored)."""
    md = await read_json(request, answers.Markdown)
    html = render(md.body)
    return _json({"html": html, "nodes": nodes(html)})


async def _page(t: CoachingDeps, request: web.Request) -> Page:
    page_id = request.match_info["page"]
    page = await t.pages.get(page_id)
    if page is None:
        raise web.HTTPNotFound(text=f"There is no coaching page {page_id!r}.")
    return page


@routes.get("/api/admin/coaching/{page}")
@rule(_AUTHORS)
@described(answer=answers.PageCopy)
async def get_page(request: web.Request) -> web.Response:
    t = request.app[COACHING]
    page = await _page(t, request)
    return _json(copy(t, page), version=page.version)


@routes.put("/api/admin/coaching/{page}")
@rule(_AUTHORS)
@described(PageText, also=(412, 428), answer=answers.PageCopy,
           answers={400: answers.PageProblems, 412: answers.PageOutdated})
async def save_page(request: web.Request) -> web.Response:
    """Save a page over the version read (``If-Match``); ``retired: true`` retires it."""
    t = request.app[COACHING]
    page_id = request.match_info["page"]
    expected = _if_match(request)
    try:
        text = PageText.model_validate(await _body(request))
    except ValidationError as exc:
        return _problems(exc)
    try:
        page = await t.pages.save(page_id, text, expected, principal(request).staff_id)
    except KeyError:
        raise web.HTTPNotFound(text=f"There is no coaching page {page_id!r}.") from None
    except Outdated as exc:
        return _outdated(t, exc.current)
    return _json(copy(t, page), version=page.version)


def _outdated(t: CoachingDeps, current: Page) -> web.Response:
    who = by_name(t.config, current.updated_by) or "Someone else"
    at = iso(t.config, current.updated_at_ms)
    when = f" at {at[11:16]}" if at else ""
    return _json({"error": f"{who} saved this page{when} after you opened it. Your changes "
                  "are kept here: compare, then keep yours or use theirs.",
                  "current": copy(t, current)}, status=412, version=current.version)


@routes.get("/coaching/{page}")
@rule(staff())
@described(answer=HTML)
async def staff_preview(request: web.Request) -> web.Response:
    """A coaching page as a caregiver sees it, for signed-in staff (retired ones too)."""
    t = request.app[COACHING]
    page = await _page(t, request)
    html = page_html(page, back_href="/admin#coaching", crisis_line=t.config.program.crisis_line,
                     back_label="Back to the coaching pages")
    return web.Response(text=html, content_type="text/html",
                        headers={"Cache-Control": "no-store"})
