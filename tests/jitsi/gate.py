"""Tether's front door as our Prosody module sees it: a loopback port that forwards
``POST /webhooks/jitsi`` to the real sidecar. Closed, nothing listens there (an outage:
connections are refused); open, it passes requests and answers through; with
``lose_answers`` the sidecar still gets each request but the module is told 500, as when a
proxy loses the answer."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiohttp import web

from tests.conftest import free_port

FORWARDED = ("Content-Type", "X-Tether-Timestamp", "X-Tether-Signature",
             "X-Tether-Idempotency-Key")


@dataclass
class Answer:
    at: float  # time.time() when the sidecar answered
    event: str
    body: dict[str, Any]  # the event as the module posted it
    reply: dict[str, Any]  # the sidecar's answer


@dataclass
class Gate:
    target: str  # the sidecar's POST /webhooks/jitsi
    http: httpx.AsyncClient
    port: int = field(default_factory=free_port)
    lose_answers: bool = False
    answers: dict[str, list[Answer]] = field(default_factory=dict)  # idempotency key ->
    _runner: web.AppRunner | None = None
    _site: web.TCPSite | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks/jitsi"

    async def open(self) -> None:
        if self._runner is None:
            app = web.Application()
            app.router.add_post("/webhooks/jitsi", self._forward)
            self._runner = web.AppRunner(app)
            await self._runner.setup()
        self._site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await self._site.start()

    async def close(self) -> None:
        """Stop listening: the module's next connection is refused."""
        if self._site is not None:
            await self._site.stop()
            self._site = None

    async def cleanup(self) -> None:
        await self.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.Response:
        raw = await request.read()
        headers = {k: request.headers[k] for k in FORWARDED if k in request.headers}
        r = await self.http.post(self.target, content=raw, headers=headers)
        body = json.loads(raw)
        reply = r.json() if r.headers.get("content-type", "").startswith("application/json") \
            else {}
        self.answers.setdefault(body["idempotency_key"], []).append(
            Answer(time.time(), body["event"], body, reply))
        if self.lose_answers:
            return web.json_response({"error": "answer lost"}, status=500)
        return web.Response(status=r.status_code, body=r.content,
                            content_type="application/json")

    def delivered(self, event: str) -> list[Answer]:
        """First answers of this kind of event, one per idempotency key."""
        return [a[0] for a in self.answers.values() if a[0].event == event]
