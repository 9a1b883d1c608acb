"""A local stand-in for Twilio's REST API, following its published contract.

Used by the tests and by ``tether demo``; the sidecar talks to it with the same client
code it uses in production. Each destination number can be told how to behave.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import random
import secrets
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any, Literal

import aiohttp
from aiohttp import web
from aiohttp.typedefs import Handler
from yarl import URL

from sidecar.infra.telephony.signature import twilio_signature

# How the called number behaves. "answer": a person picks up and presses 1 (a dialled
# clinician with "answer" picks up the bridge); "pickup": a person picks up and presses
# nothing; "machine": a voicemail records what is said; "fax": a fax machine answers.
Behaviour = Literal["answer", "pickup", "machine", "fax", "no-answer", "busy", "failed",
                    "silent"]
# What a text to a number does: delivered; undelivered or failed after it was accepted;
# refused at once with HTTP 400 (code 21211, not a valid phone number).
SmsBehaviour = Literal["delivered", "undelivered", "failed", "refused"]
# Which StatusCallbackEvent a call status belongs to (Twilio sends "completed" for every
# terminal status: completed, busy, no-answer, failed, canceled).
_EVENT_OF = {"initiated": "initiated", "ringing": "ringing", "in-progress": "answered"}
_PICKED_UP = ("answer", "pickup", "machine", "fax")
_OUTCOME = {**{b: ["ringing", "in-progress", "completed"] for b in _PICKED_UP},
            "no-answer": ["ringing", "no-answer"], "busy": ["busy"], "failed": ["failed"],
            "silent": []}
_ANSWERED_BY = {"answer": "human", "pickup": "human", "machine": "machine_start",
                "fax": "fax"}
_DIAL_STATUS = {"answer": "completed", "busy": "busy", "failed": "failed"}


# a webhook that could not be delivered (the service is down, slow or gone)
_UNSENT = (aiohttp.ClientError, TimeoutError)


@dataclass(frozen=True)
class Posted:
    """The service's answer to a webhook the stand-in posted."""

    status_code: int
    text: str


@dataclass
class StandInCall:
    sid: str
    to: str
    from_: str
    url: str
    status_callback: str
    created: datetime
    callback_events: frozenset[str] = frozenset({"completed"})
    amd_callback: str = ""
    status: str = "queued"
    events: list[str] = field(default_factory=list)
    spoken: list[str] = field(default_factory=list)  # every <Say> the called party heard
    dialled: list[str] = field(default_factory=list)  # numbers a <Dial> bridged to

    def json(self) -> dict[str, Any]:
        return {"sid": self.sid, "to": self.to, "from": self.from_, "status": self.status,
                "date_created": format_datetime(self.created, usegmt=True),
                "uri": f"/2010-04-01/Accounts/x/Calls/{self.sid}.json"}


def _twiml(text: str) -> ET.Element:
    try:
        return ET.fromstring(text)
    except ET.ParseError:
        return ET.Element("Response")


class TwilioStandIn:
    def __init__(self, account_sid: str, auth_token: str, *, step_delay_s: float = 0.01) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.step_delay_s = step_delay_s
        self.behaviour: dict[str, Behaviour] = {}
        self.default: Behaviour = "no-answer"
        self.respond_delay_s = 0.0  # hold the HTTP answer after the call exists
        # a provider's own time per REST request, uniform in [low, high] seconds, spent
        # before the request takes effect (a call exists only once it has passed)
        self.latency_s: tuple[float, float] = (0.0, 0.0)
        # an account's concurrent REST requests: past this many (0: no limit) Twilio
        # answers 429 (code 20429); what was seen: the most at once, the connections used
        self.max_in_flight = 0
        self.in_flight = 0
        self.peak_in_flight = 0
        self.connections: set[object] = set()
        self.fail_requests = 0  # answer this many next POSTs with 500
        self.sms_behaviour: dict[str, SmsBehaviour] = {}
        self.calls: list[StandInCall] = []
        self.messages: list[dict[str, str]] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._http: aiohttp.ClientSession | None = None

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._account_limits])
        base = f"/2010-04-01/Accounts/{self.account_sid}"
        app.router.add_post(base + "/Calls.json", self._create_call)
        app.router.add_get(base + "/Calls.json", self._list_calls)
        app.router.add_get(base + "/Calls/{sid}.json", self._get_call)
        app.router.add_post(base + "/Messages.json", self._create_message)
        app.router.add_get("/_standin/state", self._state)
        app.router.add_post("/_standin/behaviour", self._set_behaviour)
        app.on_cleanup.append(self._cleanup)
        return app

    @web.middleware
    async def _account_limits(self, request: web.Request, handler: Handler
                              ) -> web.StreamResponse:
        if not request.path.startswith("/2010-04-01/"):
            return await handler(request)
        self.connections.add(request.transport)  # a kept-alive connection is seen once
        if self.max_in_flight and self.in_flight >= self.max_in_flight:
            return self._error(429, 20429, "Too Many Requests")
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            low, high = self.latency_s
            if high > 0:
                await asyncio.sleep(random.uniform(low, high))
            return await handler(request)
        finally:
            self.in_flight -= 1

    def _authorized(self, request: web.Request) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return secrets.compare_digest(request.headers.get("Authorization", ""),
                                      f"Basic {expected}")

    @staticmethod
    def _error(status: int, code: int, message: str) -> web.Response:
        return web.json_response({"code": code, "message": message, "status": status},
                                 status=status)

    async def _create_call(self, request: web.Request) -> web.StreamResponse:
        if not self._authorized(request):
            return self._error(401, 20003, "Authenticate")
        if self.fail_requests > 0:
            self.fail_requests -= 1
            return self._error(500, 20500, "Internal Server Error")
        form = await request.post()
        missing = [k for k in ("To", "From", "Url") if not form.get(k)]
        if missing:
            return self._error(400, 21201, f"Missing required parameter {missing[0]}")
        call = StandInCall(
            sid="CA" + secrets.token_hex(16), to=str(form["To"]), from_=str(form["From"]),
            url=str(form["Url"]), status_callback=str(form.get("StatusCallback", "")),
            created=datetime.now(UTC),
            callback_events=frozenset(str(e) for e in form.getall("StatusCallbackEvent", []))
            or frozenset({"completed"}),
            amd_callback=str(form.get("AsyncAmdStatusCallback", ""))
            if form.get("MachineDetection") else "",
        )
        self.calls.append(call)
        task = asyncio.create_task(self._play(call, self.behaviour.get(call.to, self.default)))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if self.respond_delay_s:
            await asyncio.sleep(self.respond_delay_s)
        return web.json_response(call.json(), status=201)

    async def _play(self, call: StandInCall, behaviour: Behaviour) -> None:
        for status in ["initiated", *_OUTCOME[behaviour]]:
            await asyncio.sleep(self.step_delay_s)
            if status == "completed":
                with contextlib.suppress(*_UNSENT):
                    await self._converse(call, behaviour)
            call.status = "queued" if status == "initiated" else status
            call.events.append(status)
            if call.status_callback and _EVENT_OF.get(status, "completed") in call.callback_events:
                with contextlib.suppress(*_UNSENT):
                    await self._post_status(call, status)

    def _params(self, call: StandInCall, **extra: str) -> dict[str, str]:
        return {"CallSid": call.sid, "AccountSid": self.account_sid, "To": call.to,
                "From": call.from_, "CallStatus": call.status, "ApiVersion": "2010-04-01",
                "Direction": "outbound-api", **extra}

    async def _post(self, url: str, params: dict[str, str]) -> Posted:
        """POST a webhook signed as Twilio signs it (URL + sorted form parameters)."""
        if self._http is None:
            # Twilio posts from many hosts at once: no pool limit to queue behind
            self._http = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0),
                timeout=aiohttp.ClientTimeout(sock_connect=5, sock_read=5))
        sig = twilio_signature(self.auth_token, url, params)
        # the URL exactly as given (not re-quoted): the signature covers it byte for byte
        async with self._http.post(URL(url, encoded=True), data=params,
                                   headers={"X-Twilio-Signature": sig}) as resp:
            return Posted(resp.status, await resp.text())

    async def _converse(self, call: StandInCall, behaviour: Behaviour) -> None:
        """What happens once something picked up: the call's TwiML plays (async AMD does
        not hold it back), the detection verdict arrives, and a person who presses 1 goes
        where the next TwiML sends them."""
        doc = _twiml((await self._post(call.url, self._params(call))).text)
        if call.amd_callback:
            await self._post(call.amd_callback, self._params(
                call, AnsweredBy=_ANSWERED_BY[behaviour], MachineDetectionDuration="2400"))
        await self._follow(call, doc, digits="1" if behaviour == "answer" else "")

    async def _follow(self, call: StandInCall, doc: ET.Element, digits: str) -> None:
        for verb in doc:
            if verb.tag == "Say":
                call.spoken.append(verb.text or "")
            elif verb.tag == "Gather":
                call.spoken.extend(s.text or "" for s in verb.iter("Say"))
                if digits and verb.get("action"):
                    nxt = await self._post(str(verb.get("action")),
                                           self._params(call, Digits=digits))
                    return await self._follow(call, _twiml(nxt.text), "")
            elif verb.tag == "Dial":
                return await self._bridge(call, verb)
            elif verb.tag == "Hangup":
                return None
        return None

    async def _bridge(self, call: StandInCall, dial: ET.Element) -> None:
        numbers = [n.text or "" for n in dial.iter("Number")] or [dial.text or ""]
        numbers = [n.strip() for n in numbers if n.strip()]
        call.dialled.extend(numbers)
        each = [_DIAL_STATUS.get(self.behaviour.get(n, self.default), "no-answer")
                for n in numbers]  # every <Number> rings at once; the first to pick up wins
        status = "completed" if "completed" in each else (each[0] if each else "failed")
        if dial.get("action"):
            extra = {"DialCallStatus": status}
            if status == "completed":
                extra["DialCallDuration"] = "42"
            nxt = await self._post(str(dial.get("action")), self._params(call, **extra))
            await self._follow(call, _twiml(nxt.text), "")

    async def _post_status(self, call: StandInCall, status: str) -> None:
        await self._post(call.status_callback, self._params(call, CallStatus=status))

    async def _list_calls(self, request: web.Request) -> web.StreamResponse:
        if not self._authorized(request):
            return self._error(401, 20003, "Authenticate")
        to = request.query.get("To")
        calls = [c.json() for c in reversed(self.calls) if to is None or c.to == to]
        return web.json_response({"calls": calls[: int(request.query.get("PageSize", "50"))]})

    async def _get_call(self, request: web.Request) -> web.StreamResponse:
        if not self._authorized(request):
            return self._error(401, 20003, "Authenticate")
        sid = request.match_info["sid"]
        found = next((c for c in self.calls if c.sid == sid), None)
        if found is None:
            return self._error(404, 20404, "The requested resource was not found")
        return web.json_response(found.json())

    async def _create_message(self, request: web.Request) -> web.StreamResponse:
        if not self._authorized(request):
            return self._error(401, 20003, "Authenticate")
        form = await request.post()
        to = str(form.get("To", ""))
        behaviour = self.sms_behaviour.get(to, "delivered")
        if behaviour == "refused":
            return self._error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        msg = {"sid": "SM" + secrets.token_hex(16), "to": to,
               "body": str(form.get("Body", "")), "status": "queued"}
        self.messages.append(msg)
        callback = str(form.get("StatusCallback", ""))
        if callback:
            task = asyncio.create_task(self._deliver(msg, behaviour, callback))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return web.json_response(msg, status=201)

    async def _deliver(self, msg: dict[str, str], behaviour: SmsBehaviour, url: str) -> None:
        for status in ("sent", "delivered" if behaviour == "delivered" else behaviour):
            await asyncio.sleep(self.step_delay_s)
            msg["status"] = status
            params = {"MessageSid": msg["sid"], "SmsSid": msg["sid"], "MessageStatus": status,
                      "SmsStatus": status, "AccountSid": self.account_sid, "To": msg["to"],
                      "ApiVersion": "2010-04-01"}
            if status in ("undelivered", "failed"):
                params["ErrorCode"] = "30003"  # unreachable destination handset
            with contextlib.suppress(*_UNSENT):
                await self._post(url, params)

    async def text_from(self, url: str, from_: str, to: str, body: str) -> Posted:
        """A text arriving at our number, posted to the messaging webhook as Twilio does."""
        params = {"MessageSid": "SM" + secrets.token_hex(16), "AccountSid": self.account_sid,
                  "From": from_, "To": to, "Body": body, "NumMedia": "0",
                  "ApiVersion": "2010-04-01"}
        return await self._post(url, params)

    async def _state(self, request: web.Request) -> web.StreamResponse:
        return web.json_response({
            "calls": [{**c.json(), "events": c.events, "spoken": c.spoken,
                       "dialled": c.dialled} for c in self.calls],
            "messages": self.messages,
        })

    async def _set_behaviour(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.behaviour.update(body.get("numbers", {}))
        self.default = body.get("default", self.default)
        self.respond_delay_s = float(body.get("respond_delay_s", self.respond_delay_s))
        return web.json_response({"ok": True})

    async def quiesce(self) -> None:
        """Stop calling and texting back: the calls and texts in progress end here (before
        the service they call back shuts down, so no request is left half-sent)."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=5)
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def _cleanup(self, app: web.Application) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._http is not None:
            await self._http.close()
