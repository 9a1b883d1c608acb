"""Telephony callbacks: call status (``X-Twilio-Signature`` verified) and the TwiML a
callback plays when the person answers."""

from __future__ import annotations

import json
import logging
from xml.sax.saxutils import escape

from aiohttp import web

from sidecar.callbacks.deps import CALLBACKS
from sidecar.infra import keys
from sidecar.infra.telephony.port import FINAL
from sidecar.infra.telephony.signature import twilio_signature_ok

logger = logging.getLogger(__name__)
routes = web.RouteTableDef()


def _public_url(request: web.Request) -> str:
    """The URL the provider signed: our public base plus the path and query it called."""
    base = request.app[CALLBACKS].settings.tether_public_url.rstrip("/")
    return base + request.raw_path


async def _verified_form(request: web.Request) -> dict[str, str]:
    t = request.app[CALLBACKS]
    form = {k: str(v) for k, v in (await request.post()).items()}
    token = t.settings.twilio_auth_token.get_secret_value()
    header = request.headers.get("X-Twilio-Signature", "")
    if not token or not twilio_signature_ok(token, _public_url(request), form, header):
        t.metrics.rejected.labels("telephony", "BadSignature").inc()
        raise web.HTTPUnauthorized(text="bad X-Twilio-Signature")
    return form


@routes.post("/webhooks/telephony")
async def call_status(request: web.Request) -> web.Response:
    t = request.app[CALLBACKS]
    form = await _verified_form(request)
    sid, status = form.get("CallSid", ""), form.get("CallStatus", "")
    if not sid or not status:
        raise web.HTTPBadRequest(text="CallSid and CallStatus are required")
    job_key = request.query.get("job", "")
    async with t.redis.pipeline(transaction=False) as pipe:
        pipe.hset(keys.call(sid), mapping={"status": status, "job": job_key})
        pipe.expire(keys.call(sid), keys.CALL_TTL_S)
        await pipe.execute()
    if job_key and status in FINAL:  # only an outcome moves the ladder on
        await t.engine.signal(job_key, sid, status)
    logger.info("call %s status=%s job=%s", sid, status, job_key)
    return web.Response(status=204)


@routes.post("/webhooks/telephony/twiml")
async def twiml(request: web.Request) -> web.Response:
    """Answered: say who is calling (no PHI), then bridge to the group's lead clinician."""
    t = request.app[CALLBACKS]
    await _verified_form(request)
    job = await t.redis.hgetall(keys.job(request.query.get("job", "")))
    number = ""
    if job:
        meeting = t.config.meeting_by_number(json.loads(job["payload"])["program_meeting"])
        lead = t.config.staff_by_id(meeting.lead) if meeting else None
        number = lead.phone if lead else ""
    program = escape(t.config.program.name)
    dial = f"<Dial>{escape(number)}</Dial>" if number else ""
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><Response><Say>This is your care team at '
           f"{program}. Please stay on the line for a clinician.</Say>{dial}</Response>")
    return web.Response(text=xml, content_type="application/xml")
