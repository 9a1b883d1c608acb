"""Coaching pages attached to a caregiver: one of a client's emergency contacts, named by
the client's id and the contact's stable id (``records.contact_ids``), never by a name or
a number. Each attachment keeps who attached it, when, and when the caregiver first read
it. The caregiver's own page calls :func:`attached` and :func:`mark_read`."""

from __future__ import annotations

import json
from dataclasses import dataclass

import redis.asyncio as aioredis
from redis.exceptions import WatchError

from sidecar.coaching.store import read_pages
from sidecar.infra import keys
from sidecar.infra.audit import Audit

RETRIES = 20


@dataclass(frozen=True)
class Attached:
    page_id: str
    title: str
    summary: str
    attached_at: int  # ms since the epoch
    attached_by: str  # the staff id of the clinician who attached it
    read_at: int | None  # ms: the first time the caregiver opened it; None: not yet
    retired: bool = False  # retired since it was attached (caregivers no longer see it)


def _entry(raw: str) -> dict[str, int | str | None]:
    data = json.loads(raw)
    return {"at": int(data["at"]), "by": str(data["by"]),
            "read": int(data["read"]) if data.get("read") is not None else None}


async def attached(redis: aioredis.Redis, client_id: str, contact_id: str, *,
                   include_retired: bool = False) -> list[Attached]:
    """The pages attached to this caregiver, oldest attachment first; a retired page only
    with ``include_retired`` (the staff view), a removed one never."""
    raw = await redis.hgetall(keys.coaching_for(client_id, contact_id))
    entries = {str(k): _entry(v) for k, v in raw.items()}
    pages = await read_pages(redis, entries)
    out: list[Attached] = []
    for page_id, e in entries.items():
        page = pages.get(page_id)
        if page is None or (page.retired and not include_retired):
            continue
        read = e["read"]
        out.append(Attached(page_id, page.title, page.summary, int(e["at"] or 0),
                            str(e["by"]), int(read) if read is not None else None,
                            page.retired))
    return sorted(out, key=lambda a: (a.attached_at, a.page_id))


async def attach(redis: aioredis.Redis, audit: Audit, client_id: str, contact_id: str,
                 page_id: str, by: str, at_ms: int) -> bool:
    """Attach a page; False (and nothing changes) when it already was."""
    entry = json.dumps({"at": at_ms, "by": by, "read": None})
    added = await redis.hsetnx(keys.coaching_for(client_id, contact_id), page_id, entry)
    if added:
        await audit.record(by, "coaching.attached", f"{client_id}/{contact_id}/{page_id}")
    return bool(added)


async def detach(redis: aioredis.Redis, audit: Audit, client_id: str, contact_id: str,
                 page_id: str, by: str) -> bool:
    """Take a page off; False when it was not attached."""
    removed = await redis.hdel(keys.coaching_for(client_id, contact_id), page_id)
    if removed:
        await audit.record(by, "coaching.detached", f"{client_id}/{contact_id}/{page_id}")
    return bool(removed)


async def mark_read(redis: aioredis.Redis, client_id: str, contact_id: str, page_id: str,
                    at_ms: int) -> bool:
    """The caregiver opened the page: the first time is kept, later reads do not move it.
    False for a page not attached to them."""
    key = keys.coaching_for(client_id, contact_id)
    for _ in range(RETRIES):
        try:
            async with redis.pipeline(transaction=True) as pipe:
                await pipe.watch(key)
                raw = await pipe.hget(key, page_id)
                if raw is None:
                    await pipe.unwatch()
                    return False
                data = json.loads(raw)
                if data.get("read") is not None:
                    await pipe.unwatch()
                    return True
                data["read"] = at_ms
                pipe.multi()
                pipe.hset(key, page_id, json.dumps(data))
                await pipe.execute()
                return True
        except WatchError:
            continue
    raise RuntimeError("the read receipt changed too often to be saved; try again")
