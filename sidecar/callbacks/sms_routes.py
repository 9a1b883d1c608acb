"""The telephony provider's messaging callbacks (``X-Twilio-Signature`` verified): the
delivery of a text we sent, and a client's reply to the connection-lost text."""

from __future__ import annotations

import json
import logging
from xml.sax.saxutils import escape

from aiohttp import web

from sidecar.callbacks.deps import CALLBACKS
from sidecar.callbacks.telephony_routes import verified_form
from sidecar.infra import keys
from sidecar.infra.access import public, rule
from sidecar.infra.apidoc import FORM, TWIML, described
from sidecar.infra.timeline import entry

logger = logging.getLogger(__name__)
routes = web.RouteTableDef()
_FINAL = frozenset({"delivered", "undelivered", "failed"})
_NOT_DELIVERED = frozenset({"undelivered", "failed"})
REPLY_TEXT_MAX = 300
_ANSWER = {"ok": "Thank you. Your care team has your message.",
           "call": "Thank you. We are calling you now."}


def _reply(text: str = "") -> web.Response:
    body = f"<Message>{escape(text)}</Message>" if text else ""
    return web.Response(text=f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}'
                             "</Response>", content_type="application/xml")


@routes.post("/webhooks/telephony/sms-status")
@rule(public("X-Twilio-Signature"))
@described(FORM, ok=(204,))
async def sms_status(request: web.Request) -> web.Response:
    """Delivered, undelivered or failed: on the timeline of the meeting that sent it; a text
    that did not arrive is an alert and a counted failure."""
    t = request.app[CALLBACKS]
    form = await verified_form(request)
    sid, status = form.get("MessageSid", ""), form.get("MessageStatus", "")
    if not sid or not status:
        raise web.HTTPBadRequest(text="MessageSid and MessageStatus are required")
    if status not in _FINAL:
        return web.Response(status=204)
    sent = request.query  # what the text was for, as its status callback URL says
    if not sent.get("meeting"):
        return web.Response(status=204)  # not a text the callback work sent
    purpose = sent.get("purpose", "")
    if status in _NOT_DELIVERED:
        t.metrics.sms_failures.labels(purpose).inc()
    kind = "alert.sms_undelivered" if status in _NOT_DELIVERED else "sms.delivered"
    person = t.config.staff_by_id(sent.get("to", ""))
    await t.meetings.append(sent["meeting"], entry(
        kind, int(t.clock.now() * 1000), subject=sent.get("subject", ""), purpose=purpose,
        to=sent.get("to", ""), to_name=person.name if person else "", status=status,
        error_code=form.get("ErrorCode", "")[:10]))
    return web.Response(status=204)


def reading(body: str) -> str:
    """What a reply means: ok ("1"), call ("2"), or other."""
    word = body.strip().rstrip(".!").strip()
    return {"1": "ok", "2": "call"}.get(word, "other")


@routes.post("/webhooks/telephony/sms")
@rule(public("X-Twilio-Signature"))
@described(FORM, ok=(200, 204), answer=TWIML)
async def inbound(request: web.Request) -> web.Response:
    """A text to our number, matched by its sender to the ladder that texted them. "1" is
    shown to the clinicians as "says they are OK"; "2" calls them now."""
    t = request.app[CALLBACKS]
    form = await verified_form(request)
    sender, body, sid = form.get("From", ""), form.get("Body", ""), form.get("MessageSid", "")
    found = await t.redis.mget([keys.sms_from(i) for i in t.clients.phone_indexes(sender)]
                               ) if sender else []
    raw = next((f for f in found if f), None)
    if raw is None:
        logger.info("text %s matched no callback in progress", sid)
        return _reply()
    ladder = json.loads(raw)
    meaning = reading(body)
    data = {"subject": ladder["subject"], "client": ladder["client"], "reply": meaning}
    if meaning == "other":
        data["text"] = body.strip()[:REPLY_TEXT_MAX]  # the clinicians read what they wrote
    await t.meetings.append(ladder["meeting"], entry("sms.reply", int(t.clock.now() * 1000),
                                                     **data))
    if meaning == "call":
        await t.engine.signal(ladder["job"], "call_now", sid or "reply")
    elif meaning == "ok":
        await t.engine.signal(ladder["job"], "reply_ok", sid or "reply")
    return _reply(_ANSWER.get(meaning, ""))
