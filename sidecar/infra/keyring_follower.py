"""Every replica follows the keyring: when a rotation names a new primary key (or the
keyring file changes: a key retired), the replica reloads its file; and it reports which
primary key it seals with, so a rotation knows when every replica has moved."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

import redis.asyncio as aioredis

from sidecar.infra import keyring_file, keys
from sidecar.infra.keyring import KeyProblem, Keyring
from sidecar.infra.stopping import check_stop

logger = logging.getLogger(__name__)

FOLLOW_EVERY_S = 0.5


class KeyringFollower:
    def __init__(self, redis: aioredis.Redis, keyring: Keyring, path: Path | None,
                 worker_id: str, on_reload: Callable[[], None] | None = None) -> None:
        self.redis = redis
        # what this replica keeps sealed outside the store (its spool), sealed anew before
        # it reports the new key: a rotation retires the old key only after that report
        self.on_reload = on_reload
        self.keyring = keyring
        self.path = path
        self.worker_id = worker_id
        self._stamp = self._file_stamp()

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path) if self.path else None
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size) if st else None

    async def once(self) -> None:
        wanted = await self.redis.get(keys.KEYRING_PRIMARY)
        stamp = self._file_stamp()
        if self.path is not None and (stamp != self._stamp or (
                wanted and wanted != self.keyring.primary)):
            try:
                state = keyring_file.read(self.path)
            except KeyProblem as exc:  # keep sealing with what we hold
                logger.error("keyring not reloaded: %s", exc)
            else:
                if state != self.keyring.state:
                    self.keyring.replace(state)
                    logger.info("keyring reloaded: primary key %s, %s key(s) active",
                                state.primary, len(state.keys))
                    if self.on_reload is not None:
                        self.on_reload()
                self._stamp = stamp
        elif wanted and wanted != self.keyring.primary:
            logger.error("a rotation made key %s primary, but this replica's keys come from "
                         "TETHER_DATA_KEY: use TETHER_KEYRING_FILE on every replica", wanted)
        await self.redis.hset(keys.KEYRING_REPLICAS, self.worker_id,
                              f"{self.keyring.primary} {int(time.time() * 1000)}")

    async def follow_forever(self) -> None:
        """Until cancelled; a replica that stops stops reporting (its report ages out)."""
        while True:
            check_stop()
            try:
                await self.once()
            except (aioredis.RedisError, OSError):
                logger.warning("keyring follower lost the store; retrying")
            await asyncio.sleep(FOLLOW_EVERY_S)
