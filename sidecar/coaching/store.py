"""The coaching library in the store: one versioned hash per page, like the configuration
documents (``sidecar/infra/config_store.py``). A save names the version it edited; an
outdated copy is refused with the current one (:class:`Outdated`). Every change is on the
audit record (``coaching.added``, ``coaching.saved``, ``coaching.retired``,
``coaching.restored``) with the fields it changed. The defaults are stored once, the first
time the library is read; a default someone retired stays retired."""

from __future__ import annotations

import json
from collections.abc import Iterable

import redis.asyncio as aioredis
from redis.exceptions import WatchError

from sidecar.coaching.defaults import DEFAULTS
from sidecar.coaching.model import Page, PageText
from sidecar.infra import keys
from sidecar.infra.audit import Audit
from sidecar.infra.clock import Clock
from sidecar.infra.store_client import watched_exists

SAVE_RETRIES = 20
DEFAULTS_BY = "tether"  # who the audit record says stored the defaults


class Outdated(Exception):
    """The copy saved was not the current one; ``current`` is."""

    def __init__(self, current: Page) -> None:
        super().__init__(f"{current.id} is at version {current.version}")
        self.current = current


class PageExists(Exception):
    """A new page with the id of one already in the library (retired ones count)."""


def _page(page_id: str, raw: dict[str, str]) -> Page | None:
    if not raw:
        return None
    return Page(page_id, PageText.model_validate(json.loads(raw["body"])), int(raw["v"]),
                raw.get("by") or None, int(raw["at"]) if raw.get("at") else None)


def _fields(text: PageText, version: int, actor: str, now_ms: int) -> dict[str, str]:
    return {"v": str(version), "body": text.model_dump_json(), "by": actor, "at": str(now_ms)}


def _changed(old: PageText, new: PageText) -> list[str]:
    return [f for f in ("title", "summary", "body", "retired")
            if getattr(old, f) != getattr(new, f)]


async def read_pages(redis: aioredis.Redis, ids: Iterable[str]) -> dict[str, Page]:
    """The pages with these ids that exist."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    async with redis.pipeline(transaction=False) as pipe:
        for page_id in wanted:
            pipe.hgetall(keys.coaching_page(page_id))
        replies = await pipe.execute()
    found = {i: _page(i, r) for i, r in zip(wanted, replies, strict=True)}
    return {i: p for i, p in found.items() if p is not None}


class PageStore:
    def __init__(self, redis: aioredis.Redis, clock: Clock, audit: Audit) -> None:
        self.redis = redis
        self.clock = clock
        self.audit = audit
        self._seeded = False

    def _now_ms(self) -> int:
        return int(self.clock.now() * 1000)

    async def all(self) -> list[Page]:
        """Every page, retired ones too, in the order they were added."""
        await self.ensure_defaults()
        ids = [str(i) for i in await self.redis.zrange(keys.COACHING_PAGES, 0, -1)]
        pages = await read_pages(self.redis, ids)
        return [pages[i] for i in ids if i in pages]

    async def get(self, page_id: str) -> Page | None:
        await self.ensure_defaults()
        return (await read_pages(self.redis, [page_id])).get(page_id)

    async def ensure_defaults(self) -> None:
        """Store the default pages if the library never had them (once per store)."""
        if self._seeded:
            return
        now_ms = self._now_ms()
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                await pipe.watch(keys.COACHING_SEEDED)
                if not await watched_exists(pipe, keys.COACHING_SEEDED):
                    pipe.multi()
                    pipe.set(keys.COACHING_SEEDED, str(now_ms))
                    for n, (page_id, text) in enumerate(DEFAULTS.items()):
                        pipe.hset(keys.coaching_page(page_id),
                                  mapping=_fields(text, 1, DEFAULTS_BY, now_ms))
                        pipe.zadd(keys.COACHING_PAGES, {page_id: now_ms + n}, nx=True)
                        self.audit.record_in(pipe, DEFAULTS_BY, "coaching.added", page_id)
                    await pipe.execute()
        except WatchError:
            pass  # another replica stored them just now
        self._seeded = True

    async def add(self, page_id: str, text: PageText, actor: str) -> Page:
        """A new page at version 1; PageExists if the id is taken."""
        await self.ensure_defaults()
        now_ms = self._now_ms()
        key = keys.coaching_page(page_id)
        for _ in range(SAVE_RETRIES):
            try:
                async with self.redis.pipeline(transaction=True) as pipe:
                    await pipe.watch(key)
                    if await watched_exists(pipe, key):
                        await pipe.unwatch()
                        raise PageExists(page_id)
                    pipe.multi()
                    pipe.hset(key, mapping=_fields(text, 1, actor, now_ms))
                    pipe.zadd(keys.COACHING_PAGES, {page_id: now_ms})
                    self.audit.record_in(pipe, actor, "coaching.added", page_id)
                    await pipe.execute()
                    return Page(page_id, text, 1, actor, now_ms)
            except WatchError:
                continue
        raise RuntimeError("the coaching page changed too often to be saved; try again")

    async def save(self, page_id: str, text: PageText, expected: int, actor: str) -> Page:
        """Replace a page if ``expected`` is its version; Outdated if not, KeyError when
        there is no such page. Saving the same text again changes nothing."""
        key = keys.coaching_page(page_id)
        for _ in range(SAVE_RETRIES):
            try:
                async with self.redis.pipeline(transaction=True) as pipe:
                    await pipe.watch(key)
                    current = _page(page_id, await pipe.hgetall(key))
                    if current is None:
                        await pipe.unwatch()
                        raise KeyError(page_id)
                    if current.version != expected:
                        await pipe.unwatch()
                        raise Outdated(current)
                    changed = _changed(current.text, text)
                    if not changed:
                        await pipe.unwatch()
                        return current
                    saved = Page(page_id, text, current.version + 1, actor, self._now_ms())
                    pipe.multi()
                    pipe.hset(key, mapping=_fields(text, saved.version, actor,
                                                   saved.updated_at_ms or 0))
                    self.audit.record_in(pipe, actor, _action(current.text, text),
                                         f"{page_id}:{','.join(changed)}")
                    await pipe.execute()
                    return saved
            except WatchError:
                continue
        raise RuntimeError("the coaching page changed too often to be saved; try again")


def _action(old: PageText, new: PageText) -> str:
    if new.retired and not old.retired:
        return "coaching.retired"
    if old.retired and not new.retired:
        return "coaching.restored"
    return "coaching.saved"
