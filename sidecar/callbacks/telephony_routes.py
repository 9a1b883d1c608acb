"""The telephony provider's voice callbacks (each ``X-Twilio-Signature`` verified): a
call's status, who or what answered (answering-machine detection), the prompt a callback
plays, the keypress, and the outcome of putting a client through to a clinician."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from aiohttp import web

from sidecar.callbacks import scripts
from sidecar.callbacks.bridge import bridge_to
from sidecar.callbacks.deps import CALLBACKS, CallbackDeps
from sidecar.infra import keys
from sidecar.infra.access import public, rule
from sidecar.infra.apidoc import FORM, TWIML, described
from sidecar.infra.telephony.port import FINAL
from sidecar.infra.telephony.signature import twilio_signature_ok
from sidecar.infra.timeline import entry

logger = logging.getLogger(__name__)
routes = web.RouteTableDef()
_BRIDGED = frozenset({"completed", "answered"})  # DialCallStatus: the clinician picked up


def _public_url(request: web.Request) -> str:
    """The URL the provider signed: our public base plus the path and query it called."""
    base = request.app[CALLBACKS].settings.tether_public_url.rstrip("/")
    return base + request.raw_path


async def verified_form(request: web.Request) -> dict[str, str]:
    t = request.app[CALLBACKS]
    form = {k: str(v) for k, v in (await request.post()).items()}
    token = t.settings.twilio_auth_token.get_secret_value()
    header = request.headers.get("X-Twilio-Signature", "")
    if not token or not twilio_signature_ok(token, _public_url(request), form, header):
        t.metrics.rejected.labels("telephony", "BadSignature").inc()
        raise web.HTTPUnauthorized(text="bad X-Twilio-Signature")
    return form


def _xml(text: str) -> web.Response:
    return web.Response(text=text, content_type="application/xml")


def _url(t: CallbackDeps, path: str, request: web.Request, **extra: str) -> str:
    query = {"job": request.query.get("job", ""), "intent": request.query.get("intent", ""),
             **extra}
    return f"{t.settings.tether_public_url.rstrip('/')}{path}?{urlencode(query)}"


@routes.post("/webhooks/telephony")
@rule(public("X-Twilio-Signature"))
@described(FORM, query=("job",), ok=(204,))
async def call_status(request: web.Request) -> web.Response:
    t = request.app[CALLBACKS]
    form = await verified_form(request)
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


@routes.post("/webhooks/telephony/amd")
@rule(public("X-Twilio-Signature"))
@described(FORM, ok=(204,))
async def answered_by(request: web.Request) -> web.Response:
    """Answering-machine detection's verdict: human, machine_*, fax or unknown. Kept with
    the call; the ladder says "voicemail" or "fax" instead of "nobody pressed 1"."""
    t = request.app[CALLBACKS]
    form = await verified_form(request)
    sid, verdict = form.get("CallSid", ""), form.get("AnsweredBy", "")
    if not sid:
        raise web.HTTPBadRequest(text="CallSid is required")
    async with t.redis.pipeline(transaction=False) as pipe:
        pipe.hset(keys.call(sid), "answered_by", verdict[:40])
        pipe.expire(keys.call(sid), keys.CALL_TTL_S)
        await pipe.execute()
    return web.Response(status=204)


@routes.post("/webhooks/telephony/twiml")
@rule(public("X-Twilio-Signature"))
@described(FORM, query=("job", "intent"), answer=TWIML)
async def twiml(request: web.Request) -> web.Response:
    """Something picked up: ask for a keypress (program name and call-back number only)."""
    t = request.app[CALLBACKS]
    await verified_form(request)
    program = t.config.program
    return _xml(scripts.prompt(program.name, _url(t, "/webhooks/telephony/gather", request),
                               program.callback_number))


@routes.post("/webhooks/telephony/gather")
@rule(public("X-Twilio-Signature"))
@described(FORM, query=("job", "intent"), answer=TWIML)
async def gather(request: web.Request) -> web.Response:
    """A key was pressed. 1: a person is there (the ladder stops: reached) and is put
    through to a clinician. Anything else: we hang up and the ladder goes on."""
    t = request.app[CALLBACKS]
    form = await verified_form(request)
    sid, digits = form.get("CallSid", ""), form.get("Digits", "")
    if not sid:
        raise web.HTTPBadRequest(text="CallSid is required")
    if digits != "1":
        return _xml(scripts.hang_up("We will try you again."))
    call = await t.redis.hgetall(keys.call(sid))
    async with t.redis.pipeline(transaction=False) as pipe:
        pipe.hset(keys.call(sid), "pressed", "1")
        pipe.expire(keys.call(sid), keys.CALL_TTL_S)
        await pipe.execute()
    job_key = call.get("job") or request.query.get("job", "")
    if job_key:
        await t.engine.signal(job_key, sid, "reached")
    taken_by = await t.redis.get(keys.ladder_owner(job_key)) if job_key else None
    staff = bridge_to(t.config, call.get("program_meeting", ""), taken_by,
                      int(t.clock.now() * 1000))
    if not staff:
        await _missed(t, call, sid, None)
        return _xml(scripts.call_back_soon(t.config.program.crisis_line))
    to = staff[0]
    if call.get("meeting"):
        await t.meetings.append(call["meeting"], entry(
            "ladder.bridging", int(t.clock.now() * 1000), subject=call.get("subject", ""),
            staff=to.id, staff_name=to.name))
    return _xml(scripts.connect(to.phone, _url(t, "/webhooks/telephony/dial", request,
                                               staff=to.id)))


@routes.post("/webhooks/telephony/dial")
@rule(public("X-Twilio-Signature"))
@described(FORM, query=("job", "intent", "staff"), answer=TWIML)
async def dialled(request: web.Request) -> web.Response:
    """How putting the client through went. Nobody picked up: the client hears that a
    clinician will call right back, and whoever is on call is texted at once."""
    t = request.app[CALLBACKS]
    form = await verified_form(request)
    sid, status = form.get("CallSid", ""), form.get("DialCallStatus", "")
    call = await t.redis.hgetall(keys.call(sid)) if sid else {}
    staff = request.query.get("staff", "")
    person = t.config.staff_by_id(staff)
    if call.get("meeting"):
        await t.meetings.append(call["meeting"], entry(
            "ladder.bridge", int(t.clock.now() * 1000), subject=call.get("subject", ""),
            staff=staff, staff_name=person.name if person else "", status=status,
            connected=status in _BRIDGED))
    if status in _BRIDGED:
        return _xml(scripts.hang_up())
    await _missed(t, call, sid, staff)
    return _xml(scripts.call_back_soon(t.config.program.crisis_line))


async def _missed(t: CallbackDeps, call: dict[str, str], sid: str, tried: str | None) -> None:
    """A client asked to talk and no clinician could be put through: text the on-call
    staff now (and the clinician who missed it), on the timeline with who got the text."""
    program_meeting = call.get("program_meeting", "")
    meeting = t.config.meeting_by_number(program_meeting)
    others = [s for s in bridge_to(t.config, program_meeting, None, int(t.clock.now() * 1000))
              if s.id != tried]
    if not others:
        others = t.config.on_call()
    group = meeting.name if meeting else "your group"
    sent, failed = await t.texter.text_staff(call.get("meeting", ""), call.get("subject", ""),
                                             others, scripts.bridge_missed_text(group),
                                             "bridge_missed")
    if call.get("meeting"):
        await t.meetings.append(call["meeting"], entry(
            "ladder.bridge_missed", int(t.clock.now() * 1000), subject=call.get("subject", ""),
            notified=sent, failed=failed))
    logger.warning("call %s: a client pressed 1 and no clinician picked up", sid)
