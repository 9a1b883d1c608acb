"""Twilio's Programmable Voice and Messaging REST API (2010-04-01), through aiohttp.

Requests go over a pool of kept-alive connections, at most ``concurrency`` at once: a
burst of drops (a meeting's network failing) queues its dials here, each taking the next
free connection, instead of opening a connection per dial or exceeding the provider's
limit on concurrent requests. A request's time-out starts when it is sent, not while it
waits its turn.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode

import aiohttp

from sidecar.infra.telephony.port import CallRef, TelephonyError

logger = logging.getLogger(__name__)


def _created_ms(call: dict[str, Any]) -> int:
    text = call.get("date_created") or ""
    try:
        return int(parsedate_to_datetime(text).timestamp() * 1000)
    except (TypeError, ValueError):
        return 0


def _ref(call: dict[str, Any], *, created: bool = True) -> CallRef:
    """A call as the provider described it; without ``created`` its creation time is left
    at 0 (a call just placed, whose date nobody compares: parsing it is CPU a burst of
    dials needs)."""
    return CallRef(sid=str(call["sid"]), status=str(call.get("status", "")),
                   to=str(call.get("to", "")),
                   created_ms=_created_ms(call) if created else 0)


_FORM = {"Content-Type": "application/x-www-form-urlencoded"}
KEEPALIVE_S = 30.0  # an idle connection is kept this long for the next request


class TwilioDialer:
    def __init__(
        self, *, base_url: str, account_sid: str, auth_token: str, from_number: str,
        timeout_s: float = 5.0, concurrency: int = 100,
    ) -> None:
        self._base = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}"
        token = base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
        self._headers = {"Authorization": f"Basic {token}"}  # no per-request auth flow
        self._from = from_number
        # what every call's form says, encoded once (a list: StatusCallbackEvent repeats)
        self._call_form = urlencode([
            ("From", from_number), ("StatusCallbackMethod", "POST"),
            ("MachineDetection", "Enable"), ("AsyncAmd", "true"),
            ("AsyncAmdStatusCallbackMethod", "POST"),
            *(("StatusCallbackEvent", e) for e in ("answered", "completed"))])  # outcomes only
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._concurrency = concurrency
        self._turns = asyncio.Semaphore(concurrency)
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        """The pooled session, made on first use (in the running loop; an edge-only
        replica never dials and never opens one)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._concurrency,
                                             keepalive_timeout=KEEPALIVE_S)
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=self._timeout, headers=self._headers,
                cookie_jar=aiohttp.DummyCookieJar())
        return self._session

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _request(self, method: str, path: str, *, data: Any = None,
                       params: dict[str, str] | None = None,
                       headers: dict[str, str] | None = None) -> dict[str, Any]:
        async with self._turns:
            try:
                async with self._client().request(
                        method, self._base + path, data=data, params=params,
                        headers=headers, allow_redirects=False) as resp:
                    status, raw = resp.status, await resp.read()
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise TelephonyError(f"twilio unreachable: {type(exc).__name__}") from exc
        if status >= 400:
            raise TelephonyError(f"twilio {method} {path}: HTTP {status}")
        try:
            body = json.loads(raw)
        except ValueError as exc:
            raise TelephonyError("twilio answered with no JSON") from exc
        if not isinstance(body, dict):
            raise TelephonyError("twilio answered with no JSON object")
        return body

    async def place_call(
        self, to: str, *, status_url: str, twiml_url: str, amd_url: str, ring_timeout_s: int
    ) -> CallRef:
        # Asynchronous answering-machine detection: the prompt plays at once (a person
        # is not kept waiting in silence) and the verdict (AnsweredBy) comes to amd_url.
        form = [("To", to), ("Url", twiml_url), ("StatusCallback", status_url),
                ("Timeout", str(ring_timeout_s)), ("AsyncAmdStatusCallback", amd_url)]
        body = f"{urlencode(form)}&{self._call_form}".encode()
        return _ref(await self._request("POST", "/Calls.json", data=body, headers=_FORM),
                    created=False)

    async def find_call(self, to: str, created_after_ms: int) -> CallRef | None:
        # Newest first; no StartTime filter: a call still queued has not started.
        body = await self._request("GET", "/Calls.json", params={"To": to, "PageSize": "20"})
        calls = [_ref(c) for c in body.get("calls", [])]
        recent = [c for c in calls if c.created_ms >= created_after_ms]
        return max(recent, key=lambda c: c.created_ms) if recent else None

    async def call_status(self, sid: str) -> str:
        return str((await self._request("GET", f"/Calls/{sid}.json")).get("status", ""))

    async def send_sms(self, to: str, body: str, *, status_url: str = "") -> str:
        form = {"To": to, "From": self._from, "Body": body}
        if status_url:  # delivered, undelivered or failed comes back here
            form["StatusCallback"] = status_url
        return str((await self._request("POST", "/Messages.json", data=form))["sid"])
