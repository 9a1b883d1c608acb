"""A meeting's live stream (server-sent events) for one signed-in person.

The stream lives as long as the person's right to it: it ends at once when their session
ends anywhere (logout, revocation: ``Revocations``), and, checked before every write,
when their session times out or their token expires. While the meeting runs, an open
panel counts as activity, so a clinician watching a quiet group is not signed out.

It also ends as soon as this server starts shutting down (``stopping``), with a hint to
reconnect within a second: the panel's EventSource reconnects, to another replica behind
the balancer, and resumes from its last event id."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from aiohttp import web

from sidecar.infra import keys
from sidecar.infra.auth import Principal
from sidecar.infra.stopping import check_stop
from sidecar.presence.deps import PresenceDeps

KEEPALIVE_MS = 15_000
_EVENT_ID = re.compile(r"^([0-9]{1,20})(?:-([0-9]{1,20}))?$")
_ID_PART_MAX = 2**64 - 2  # Redis stream ids are two 64-bit numbers; the very last is no cursor
SIGNED_OUT = b"event: signed_out\ndata: {}\n\n"
RECONNECT_SOON = b"retry: 1000\n\n"  # this server is stopping: reconnect in 1 s


def is_event_id(value: str) -> bool:
    """A timeline entry id (``1700000000000-0``) or its time alone (``1700000000000``)."""
    found = _EVENT_ID.fullmatch(value)
    return found is not None and all(int(part or 0) <= _ID_PART_MAX for part in found.groups())


def resume_point(request: web.Request) -> str:
    last = request.headers.get("Last-Event-ID") or request.query.get("last_event_id") or "0-0"
    if not is_event_id(last):
        raise web.HTTPBadRequest(text="last_event_id must be an event id such as 1700000000000-0")
    return last


def after_point(request: web.Request) -> str:
    """``?after=``: "-" (from the start, the default) or an entry id to read past."""
    after = request.query.get("after", "-")
    if after != "-" and not is_event_id(after):
        raise web.HTTPBadRequest(text="after must be an event id such as 1700000000000-0 "
                                      "(or - for the start)")
    return after


class Stream:
    def __init__(self, t: PresenceDeps, who: Principal, meeting: str,
                 stopping: asyncio.Event) -> None:
        self.t, self.who, self.meeting, self.stopping = t, who, meeting, stopping
        self.watch = t.revocations.watch(who.staff_id, who.session.key if who.session else None)

    async def allowed(self) -> bool:
        """Is the person still signed in? (A panel of a running meeting keeps it so.)"""
        now_ms = int(self.t.clock.now() * 1000)
        if self.who.session is None:
            return now_ms < self.who.ends_ms
        live = not await self.t.meetings.ended(self.meeting)
        return await self.t.sessions.still(self.who.session, now_ms, active=live) is not None

    async def next_batch(self, last: str) -> list[Any] | None:
        """The next entries after ``last`` ([] on a keepalive); None once the session ended
        or the server is stopping."""
        if self.stopping.is_set():
            return None
        read = asyncio.ensure_future(self.t.redis.xread(
            {keys.timeline(self.meeting): last}, count=100, block=KEEPALIVE_MS))
        ends = {asyncio.ensure_future(self.watch.done.wait()),
                asyncio.ensure_future(self.stopping.wait())}
        try:
            done, _ = await asyncio.wait({read, *ends}, return_when=asyncio.FIRST_COMPLETED)
        finally:  # also when the panel went away and this handler is being cancelled
            for task in (read, *ends):
                task.cancel()
        if done & ends:
            await asyncio.wait({read}, timeout=1)
            return None
        got = read.result()
        return list(got[0][1]) if got else []

    async def run(self, resp: web.StreamResponse, last: str) -> None:
        try:
            while True:
                check_stop()
                batch = await self.next_batch(last)
                if self.stopping.is_set():
                    await resp.write(RECONNECT_SOON)  # what it missed, it resumes from
                    return
                if batch is None or not await self.allowed():
                    await resp.write(SIGNED_OUT)
                    return
                if not batch:
                    await resp.write(b": keepalive\n\n")
                for entry_id, fields in batch:
                    data = {"kind": fields.get("kind"), "at": int(fields.get("at", "0")),
                            "data": self.t.meetings.sealer.open_entry(
                                self.meeting, fields.get("kind", ""),
                                json.loads(fields.get("data") or "{}"))}
                    await resp.write(f"id: {entry_id}\nevent: {fields.get('kind')}\n"
                                     f"data: {json.dumps(data)}\n\n".encode())
                    last = entry_id
        finally:
            self.t.revocations.unwatch(self.watch)
