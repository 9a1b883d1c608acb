"""Break-glass: a clinician opens a client outside their groups in an emergency, saying
why. It lasts a limited time, is on the record with the reason, shows on the admin page,
and is texted to the program's clinical lead."""

from __future__ import annotations

import logging

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, field_validator

from sidecar.infra.access import CLINICAL, principal, rule, staff
from sidecar.infra.apidoc import described
from sidecar.infra.breakglass import Opening
from sidecar.infra.config import Role
from sidecar.infra.source import source
from sidecar.infra.validation import read_json
from sidecar.signin import answers
from sidecar.signin.deps import SIGNIN, SigninDeps

logger = logging.getLogger(__name__)
routes = web.RouteTableDef()
SHOWN_DAYS = 30  # the admin page lists openings this far back


class OpenBody(BaseModel):
    """The client by id, or the incident a clinician was refused (its client is opened)."""

    model_config = ConfigDict(extra="forbid")
    client: str | None = Field(default=None, min_length=1, max_length=64)
    incident: str | None = Field(default=None, min_length=1, max_length=64)
    reason: str = Field(max_length=500)

    @field_validator("reason")
    @classmethod
    def _said(cls, v: str) -> str:
        v = " ".join(v.split())
        if len(v) < 10:
            raise ValueError("say in a few words why you need this client's record now")
        return v


async def _tell_clinical_leads(t: SigninDeps, o: Opening) -> None:
    """A text to each clinical lead but the opener; a failed text is logged and audited,
    and never takes the access away."""
    opener = t.config.staff_by_id(o.staff_id)
    when = t.clock_text(o.at_ms)
    body = (f"Tether: {opener.name if opener else o.staff_id} used break-glass at {when} to "
            "open a client outside their groups. The reason is on the admin page.")
    for lead in t.config.staff:
        if Role.PROGRAM_CLINICAL_LEAD not in lead.roles or lead.id == o.staff_id:
            continue
        try:
            await t.dialer.send_sms(lead.phone, body)
        except Exception:
            logger.exception("could not text the clinical lead %s of a break-glass", lead.id)
            await t.audit.record(o.staff_id, "break_glass.text_failed", lead.id)


@routes.post("/api/break-glass")
@rule(staff(*CLINICAL))
@described(OpenBody, also=(404,), answer=answers.Opened)
async def open_client(request: web.Request) -> web.Response:
    t, who = request.app[SIGNIN], principal(request)
    body = await read_json(request, OpenBody)
    client = body.client or (await t.incident_client(body.incident) if body.incident else None)
    if client is None or not any(client in m.expected_clients for m in t.config.meetings):
        raise web.HTTPNotFound(text="no group of this program expects that client")
    o = await t.breakglass.open(who.staff_id, client, body.reason, t.now_ms())
    await t.audit.record(who.staff_id, "break_glass.opened", client,
                         source=source(request))
    await _tell_clinical_leads(t, o)
    return web.json_response({"client": o.client, "until": o.until_ms,
                              "minutes": (o.until_ms - o.at_ms) // 60_000})


@routes.get("/api/admin/break-glass")
@rule(staff(Role.ADMIN, Role.PROGRAM_CLINICAL_LEAD))
@described(answer=answers.Openings)
async def openings(request: web.Request) -> web.Response:
    """Recent openings, newest first, with names and the reason given."""
    t, who = request.app[SIGNIN], principal(request)
    now_ms = t.now_ms()
    rows = await t.breakglass.recent(now_ms - SHOWN_DAYS * 86_400_000)
    await t.audit.record(who.staff_id, "break_glass.listed", str(len(rows)))
    names = await t.client_names({o.client for o in rows}, who.staff_id)
    out = []
    for o in rows:
        person = t.config.staff_by_id(o.staff_id)
        out.append({"staff": o.staff_id, "staff_name": person.name if person else o.staff_id,
                    "client": o.client, "client_name": names.get(o.client, o.client),
                    "reason": o.reason, "at": o.at_ms, "until": o.until_ms,
                    "open": o.until_ms > now_ms})
    return web.json_response({"openings": out}, headers={"Cache-Control": "no-store"})
