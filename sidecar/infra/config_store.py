"""The program's configuration in the store: versioned documents, changed without a restart.

Each document (``config_docs.DOCUMENTS``) is a hash ``{v, body, by, at}``. A save names the
version it edited; an outdated copy is refused with the current one (:class:`Outdated`), so
two admins never overwrite each other. Every save is checked as the whole configuration it
makes, bumps ``CONFIG_VERSION`` and publishes it; each replica's :class:`ConfigFollower`
reloads on the notice, and compares the version every half second to catch up on one it missed.
A replica swaps its :class:`LiveConfig` whole: a request reads one consistent snapshot.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import WatchError

from sidecar.infra import keys
from sidecar.infra.audit import Audit
from sidecar.infra.clock import Clock
from sidecar.infra.config import ProgramConfig
from sidecar.infra.config_docs import DOCUMENTS, join, split, with_document
from sidecar.infra.stopping import check_stop
from sidecar.infra.store_client import watched_exists

logger = logging.getLogger(__name__)
SAVE_RETRIES = 20
CATCH_UP_EVERY_S = 0.5  # a replica that missed a notice is still live within 1 s


class LiveConfig:
    """The configuration this replica runs on now; ``current`` is swapped whole."""

    def __init__(self, config: ProgramConfig, version: int = 0) -> None:
        self._current = config
        self.version = version

    @property
    def current(self) -> ProgramConfig:
        return self._current

    def swap(self, config: ProgramConfig, version: int) -> bool:
        """Take a newer configuration (an older or equal version is ignored)."""
        if version <= self.version:
            return False
        self._current, self.version = config, version
        return True


@dataclass(frozen=True)
class Document:
    name: str
    version: int
    body: Any
    updated_by: str | None  # a staff id, or "file:<path>" / "cli" for a seed or an import
    updated_at_ms: int | None


class Outdated(Exception):
    """The copy saved was not the current one; ``current`` is."""

    def __init__(self, current: Document) -> None:
        super().__init__(f"{current.name} is at version {current.version}")
        self.current = current


def changed_paths(old: Any, new: Any, at: str = "") -> list[str]:
    """Where two JSON values differ, as dotted paths (a whole new or removed row counts
    once); for the audit record of what a save changed."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for k in sorted(set(old) | set(new), key=str):
            out += changed_paths(old.get(k), new.get(k), f"{at}.{k}" if at else str(k))
        return out
    if isinstance(old, list) and isinstance(new, list):
        out = []
        for i in range(max(len(old), len(new))):
            where = f"{at}.{i}" if at else str(i)
            if i >= len(old) or i >= len(new):
                out.append(where)  # a row added or removed
            else:
                out += changed_paths(old[i], new[i], where)
        return out
    return [] if old == new else [at or "(all)"]


def _doc(name: str, raw: dict[str, str]) -> Document:
    return Document(name, int(raw.get("v", 0)), json.loads(raw["body"]) if raw else None,
                    raw.get("by") or None, int(raw["at"]) if raw.get("at") else None)


class ConfigStore:
    def __init__(self, redis: aioredis.Redis, clock: Clock, audit: Audit) -> None:
        self.redis = redis
        self.clock = clock
        self.audit = audit

    async def version(self) -> int:
        raw = await self.redis.get(keys.CONFIG_VERSION)
        return int(raw) if raw else 0

    async def documents(self) -> dict[str, Document]:
        async with self.redis.pipeline(transaction=True) as pipe:
            for name in DOCUMENTS:
                pipe.hgetall(keys.CONFIG_DOC_PREFIX + name)
            replies = await pipe.execute()
        return {n: _doc(n, r) for n, r in zip(DOCUMENTS, replies, strict=True)}

    async def load(self) -> tuple[ProgramConfig, int] | None:
        """The stored configuration and its version, or None while the store has none.
        The version is read in the same transaction as the documents."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.get(keys.CONFIG_VERSION)
            for name in DOCUMENTS:
                pipe.hgetall(keys.CONFIG_DOC_PREFIX + name)
            version, *docs = await pipe.execute()
        if not version or not all(docs):
            return None
        return join({n: json.loads(d["body"]) for n, d in zip(DOCUMENTS, docs, strict=True)}
                    ), int(version)

    async def seed(self, config: ProgramConfig, source: str) -> bool:
        """Store ``config`` if the store has no configuration yet (the program file seeds
        an empty store); False when there already was one."""
        return await self._replace(config, source, only_if_empty=True)

    async def replace(self, config: ProgramConfig, actor: str) -> bool:
        """Every document replaced by ``config`` (``tether config import``); a document
        whose body is the same keeps its version. True when anything changed."""
        return await self._replace(config, actor, only_if_empty=False)

    async def _replace(self, config: ProgramConfig, actor: str, *, only_if_empty: bool
                       ) -> bool:
        bodies = split(config)
        names = [keys.CONFIG_DOC_PREFIX + n for n in DOCUMENTS]
        for _ in range(SAVE_RETRIES):
            try:
                async with self.redis.pipeline(transaction=True) as pipe:
                    await pipe.watch(keys.CONFIG_VERSION, *names)
                    if only_if_empty and await watched_exists(pipe, keys.CONFIG_VERSION):
                        await pipe.unwatch()
                        return False
                    olds = {n: _doc(n, await pipe.hgetall(keys.CONFIG_DOC_PREFIX + n))
                            for n in DOCUMENTS}
                    changed = {n: changed_paths(olds[n].body, bodies[n]) for n in DOCUMENTS
                               if olds[n].body != bodies[n]}
                    if not changed:
                        await pipe.unwatch()
                        return False
                    now = str(int(self.clock.now() * 1000))
                    pipe.multi()
                    for n in changed:
                        pipe.hset(keys.CONFIG_DOC_PREFIX + n, mapping={
                            "v": olds[n].version + 1, "body": json.dumps(bodies[n]),
                            "by": actor, "at": now})
                    pipe.incr(keys.CONFIG_VERSION)
                    for n, paths in changed.items():
                        self.audit.record_in(pipe, actor, f"config.saved:{n}",
                                             ",".join(paths)[:500])
                    await pipe.execute()
                    await self._announce()
                    return True
            except WatchError:
                continue
        raise RuntimeError("the configuration changed too often to be saved; try again")

    async def save(self, name: str, body: Any, expected: int, actor: str
                   ) -> tuple[Document, ProgramConfig, int]:
        """Replace one document, if ``expected`` is its current version; Outdated if not,
        config_docs.DocumentProblems if the configuration it makes is not valid. Also the
        global version this save wrote (0 when nothing changed): the version the returned
        configuration is, never a later one someone else saved meanwhile."""
        names = [keys.CONFIG_DOC_PREFIX + n for n in DOCUMENTS]
        for _ in range(SAVE_RETRIES):
            try:
                async with self.redis.pipeline(transaction=True) as pipe:
                    await pipe.watch(keys.CONFIG_VERSION, *names)
                    docs = {n: _doc(n, await pipe.hgetall(keys.CONFIG_DOC_PREFIX + n))
                            for n in DOCUMENTS}
                    mine = docs[name]
                    if mine.version != expected:
                        await pipe.unwatch()
                        raise Outdated(mine)
                    config = with_document(join({n: d.body for n, d in docs.items()}),
                                           name, body)
                    stored = split(config)[name]  # as the model writes it, defaults filled
                    paths = changed_paths(mine.body, stored)
                    now_ms = int(self.clock.now() * 1000)
                    saved = Document(name, mine.version + 1, stored, actor, now_ms)
                    if not paths:
                        await pipe.unwatch()
                        return mine, config, 0
                    pipe.multi()
                    pipe.hset(keys.CONFIG_DOC_PREFIX + name, mapping={
                        "v": saved.version, "body": json.dumps(stored), "by": actor,
                        "at": str(now_ms)})
                    pipe.incr(keys.CONFIG_VERSION)
                    self.audit.record_in(pipe, actor, f"config.saved:{name}",
                                         ",".join(paths)[:500])
                    _, version, _ = await pipe.execute()
                    await self._announce()
                    return saved, config, int(version)
            except WatchError:
                continue
        raise RuntimeError("the configuration changed too often to be saved; try again")

    async def _announce(self) -> None:
        with contextlib.suppress(aioredis.RedisError, OSError):  # the catch-up covers it
            await self.redis.publish(keys.CONFIG_CHANNEL, str(await self.version()))


class ConfigFollower:
    """Keeps one replica's LiveConfig at the stored version: on each notice, and every
    second whatever happens to the notices."""

    def __init__(self, store: ConfigStore, live: LiveConfig) -> None:
        self.store = store
        self.live = live

    async def refresh(self) -> bool:
        """Load the stored configuration if it is newer than ours; True when swapped."""
        if await self.store.version() <= self.live.version:
            return False
        loaded = await self.store.load()
        if loaded is None:
            return False
        config, version = loaded
        if self.live.swap(config, version):
            logger.info("configuration version %s is live", version)
            return True
        return False

    async def follow_forever(self) -> None:
        while True:
            check_stop()
            try:
                async with self.store.redis.pubsub(ignore_subscribe_messages=True) as ps:
                    await ps.subscribe(keys.CONFIG_CHANNEL)
                    await self._refresh_logged()
                    while True:
                        check_stop()
                        await ps.get_message(timeout=CATCH_UP_EVERY_S)
                        await self._refresh_logged()
            except Exception:
                logger.warning("configuration follower lost the store; retrying in 1 s")
                await asyncio.sleep(1)

    async def _refresh_logged(self) -> None:
        try:
            await self.refresh()
        except (aioredis.RedisError, OSError):
            raise
        except Exception:  # a stored configuration this replica cannot read: keep ours
            logger.exception("the stored configuration could not be loaded; keeping "
                             "version %s", self.live.version)
