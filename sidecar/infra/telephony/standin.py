"""A local stand-in for Twilio's REST API, following its published contract.

Used by the tests and by ``tether demo``; the sidecar talks to it with the same client
code it uses in production. Each destination number can be told how to behave.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any, Literal

import httpx
from aiohttp import web

from sidecar.infra.telephony.signature import twilio_signature

Behaviour = Literal["answer", "no-answer", "busy", "failed", "silent"]
# Which StatusCallbackEvent a call status belongs to (Twilio sends "completed" for every
# terminal status: completed, busy, no-answer, failed, canceled).
_EVENT_OF = {"initiated": "initiated", "ringing": "ringing", "in-progress": "answered"}
_OUTCOME = {"answer": ["ringing", "in-progress", "completed"],
            "no-answer": ["ringing", "no-answer"], "busy": ["busy"], "failed": ["failed"],
            "silent": []}


@dataclass
class StandInCall:
    sid: str
    to: str
    from_: str
    url: str
    status_callback: str
    created: datetime
    callback_events: frozenset[str] = frozenset({"completed"})
    status: str = "queued"
    events: list[str] = field(default_factory=list)

    def json(self) -> dict[str, Any]:
        return {"sid": self.sid, "to": self.to, "from": self.from_, "status": self.status,
                "date_created": format_datetime(self.created, usegmt=True),
                "uri": f"/2010-04-01/Accounts/x/Calls/{self.sid}.json"}


class TwilioStandIn:
    def __init__(self, account_sid: str, auth_token: str, *, step_delay_s: float = 0.01) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.step_delay_s = step_delay_s
        self.behaviour: dict[str, Behaviour] = {}
        self.default: Behaviour = "no-answer"
        self.respond_delay_s = 0.0  # hold the HTTP answer after the call exists
        self.fail_requests = 0  # answer this many next POSTs with 500
        self.calls: list[StandInCall] = []
        self.messages: list[dict[str, str]] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._http: httpx.AsyncClient | None = None

    def app(self) -> web.Application:
        app = web.Application()
        base = f"/2010-04-01/Accounts/{self.account_sid}"
        app.router.add_post(base + "/Calls.json", self._create_call)
        app.router.add_get(base + "/Calls.json", self._list_calls)
        app.router.add_get(base + "/Calls/{sid}.json", self._get_call)
        app.router.add_post(base + "/Messages.json", self._create_message)
        app.router.add_get("/_standin/state", self._state)
        app.router.add_post("/_standin/behaviour", self._set_behaviour)
        app.on_cleanup.append(self._cleanup)
        return app

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
            call.status = "queued" if status == "initiated" else status
            call.events.append(status)
            if call.status_callback and _EVENT_OF.get(status, "completed") in call.callback_events:
                with contextlib.suppress(httpx.HTTPError):
                    await self._post_status(call, status)

    async def _post_status(self, call: StandInCall, status: str) -> None:
        params = {"CallSid": call.sid, "AccountSid": self.account_sid, "To": call.to,
                  "From": call.from_, "CallStatus": status, "ApiVersion": "2010-04-01",
                  "Direction": "outbound-api"}
        sig = twilio_signature(self.auth_token, call.status_callback, params)
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=5)
        await self._http.post(call.status_callback, data=params,
                              headers={"X-Twilio-Signature": sig})

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
        msg = {"sid": "SM" + secrets.token_hex(16), "to": str(form.get("To", "")),
               "body": str(form.get("Body", ""))}
        self.messages.append(msg)
        return web.json_response(msg, status=201)

    async def _state(self, request: web.Request) -> web.StreamResponse:
        return web.json_response({
            "calls": [{**c.json(), "events": c.events} for c in self.calls],
            "messages": self.messages,
        })

    async def _set_behaviour(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.behaviour.update(body.get("numbers", {}))
        self.default = body.get("default", self.default)
        self.respond_delay_s = float(body.get("respond_delay_s", self.respond_delay_s))
        return web.json_response({"ok": True})

    async def _cleanup(self, app: web.Application) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._http is not None:
            await self._http.aclose()
