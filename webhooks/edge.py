"""``POST /webhooks/{platform}``: verify, translate, hand to ingest, answer fast."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from aiohttp import web

from contracts.prepared import Arrival, envelope_of, event_type
from plugins.base import WebhookAdapter, WebhookRejected
from webhooks.spool import LineSeal, Spool

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
INGEST_TIMEOUT_S = 2.0  # Zoom wants an answer within 3 s

Ingest = Callable[[Sequence[Arrival]], Awaitable[int]]
# the answers to an accepted delivery, written once (most deliveries are one new event)
_ACCEPTED = {n: f'{{"accepted": {n}}}'.encode() for n in (0, 1)}


class IngestUnavailable(Exception):
    """The store cannot take events right now (the edge spools them)."""


class EdgeObserver(Protocol):
    def accepted(self, platform: str, event_type: str) -> None: ...
    def rejected(self, platform: str, reason: str) -> None: ...
    def ignored(self, platform: str, event: str) -> None: ...
    def spooled(self, platform: str, count: int) -> None: ...


class WebhookEdge:
    def __init__(
        self, adapters: Mapping[str, WebhookAdapter], ingest: Ingest, now: Callable[[], float],
        spool_dir: Path, observer: EdgeObserver, spool_seal: LineSeal,
    ) -> None:
        self.adapters = dict(adapters)
        self.ingest = ingest
        self.now = now
        self.spool = Spool(spool_dir / "webhooks.jsonl", spool_seal)
        self.observer = observer

    def routes(self) -> web.RouteTableDef:
        routes = web.RouteTableDef()
        routes.post("/webhooks/{platform:(zoom|jitsi)}")(self.handle)
        return routes

    async def _body(self, request: web.Request) -> bytes:
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY_BYTES,
                                                actual_size=request.content_length)
        if request.content_length is not None:  # the common case: read in one go
            return await request.read()
        body = bytearray()  # a chunked body comes in pieces: read until its end, or too far
        while chunk := await request.content.read(MAX_BODY_BYTES + 1 - len(body)):
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY_BYTES,
                                                    actual_size=len(body))
        return bytes(body)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        platform = request.match_info["platform"]
        adapter = self.adapters.get(platform)
        if adapter is None:
            return web.json_response({"error": f"{platform} is not configured"}, status=404)
        body = await self._body(request)
        try:
            adapter.verify(request.headers, body, self.now())
            prepared = adapter.prepare(body)  # the common events, without models
            if prepared is not None:
                return _answer(await self._hand_over(platform, [prepared]))
            result = adapter.handle(body)
        except WebhookRejected as exc:
            self.observer.rejected(platform, type(exc).__name__)
            logger.warning("webhook %s rejected: %s", platform, exc.reason)
            return web.json_response({"error": exc.reason}, status=exc.status)
        if result.reply is not None:
            return web.json_response(result.reply)
        if result.skipped is not None:
            self.observer.ignored(platform, result.skipped)
            return web.json_response({"ignored": result.skipped})
        return _answer(await self._hand_over(platform, result.events))

    async def _hand_over(self, platform: str, events: Sequence[Arrival]) -> dict[str, int]:
        try:  # asyncio.timeout, not wait_for: on 3.11 that can swallow a cancel
            async with asyncio.timeout(INGEST_TIMEOUT_S):
                new = await self.ingest(events)
        except Exception as exc:  # whatever failed, the event is kept, not lost
            self.spool.append([envelope_of(e) for e in events])
            self.observer.spooled(platform, len(events))
            logger.error("store unavailable (%s): %s events spooled", type(exc).__name__,
                         len(events))
            return {"spooled": len(events)}
        for e in events:
            self.observer.accepted(platform, event_type(e))
        return {"accepted": new}

    async def replay_forever(self, interval_s: float = 1.0) -> None:
        """Give spooled events back to ingest as soon as the store takes them."""
        while True:
            _check_stop()
            await asyncio.sleep(interval_s)
            if self.spool.pending() or self.spool.path.with_suffix(".replaying").exists():
                with contextlib.suppress(IngestUnavailable, TimeoutError, OSError):
                    await self.spool.replay(self.ingest)


def _answer(outcome: dict[str, int]) -> web.Response:
    body = _ACCEPTED.get(outcome.get("accepted", -1))
    if body is None:
        return web.json_response(outcome)
    return web.Response(body=body, content_type="application/json", charset="utf-8")


def _check_stop() -> None:
    """Raise the cancel a client library swallowed (3.11's ``wait_for`` can), if this task
    was asked to stop: the request is still counted."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
