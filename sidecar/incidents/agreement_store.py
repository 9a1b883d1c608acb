"""Harm-reduction agreements on Redis: one hash per meeting, each agreement sealed whole
(its terms are PHI), changed under WATCH so the lead extending and the reminder firing at
the same moment never lose each other's change."""

from __future__ import annotations

from collections.abc import Callable

import redis.asyncio as aioredis
from redis.asyncio.client import Pipeline
from redis.exceptions import WatchError

from sidecar.incidents.agreement_model import Agreement
from sidecar.infra import keys
from sidecar.infra.crypto import FieldCipher
from sidecar.infra.sealing import agreements_record

MAX_TRIES = 20
Also = Callable[[Pipeline, Agreement], None]


class AgreementNotFound(LookupError):
    pass


class AgreementStore:
    def __init__(self, redis: aioredis.Redis, cipher: FieldCipher) -> None:
        self.redis = redis
        self.cipher = cipher

    def _seal(self, a: Agreement) -> str:
        return self.cipher.encrypt(agreements_record(a.meeting), a.id, a.model_dump_json())

    def _open(self, meeting: str, agreement_id: str, sealed: str) -> Agreement:
        return Agreement.model_validate_json(
            self.cipher.decrypt(agreements_record(meeting), agreement_id, sealed))

    async def all(self, meeting: str) -> list[Agreement]:
        raw = await self.redis.hgetall(keys.agreements(meeting))
        found = [self._open(meeting, str(k), str(v)) for k, v in raw.items()]
        return sorted(found, key=lambda a: a.made_ms)

    async def get(self, meeting: str, agreement_id: str) -> Agreement:
        sealed = await self.redis.hget(keys.agreements(meeting), agreement_id)
        if not sealed:
            raise AgreementNotFound(agreement_id)
        return self._open(meeting, agreement_id, str(sealed))

    async def add(self, a: Agreement, also: Also) -> None:
        """Store a new agreement with ``also``'s commands (its job, its timeline entry) in
        one MULTI."""
        key = keys.agreements(a.meeting)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, a.id, self._seal(a))
            pipe.expire(key, keys.MEETING_TTL_S)
            also(pipe, a)
            await pipe.execute()

    async def change(self, meeting: str, agreement_id: str, edit: Callable[[Agreement], object],
                     also: Also | None = None) -> Agreement:
        """Apply ``edit`` to the stored agreement and store it, retrying on a race; ``edit``
        may raise (AgreementError) and then nothing is stored."""
        key = keys.agreements(meeting)
        for _ in range(MAX_TRIES):
            async with self.redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(key)
                    sealed = await pipe.hget(key, agreement_id)
                    if not sealed:
                        raise AgreementNotFound(agreement_id)
                    agreement = self._open(meeting, agreement_id, str(sealed))
                    edit(agreement)
                    pipe.multi()
                    pipe.hset(key, agreement_id, self._seal(agreement))
                    pipe.expire(key, keys.MEETING_TTL_S)
                    if also is not None:
                        also(pipe, agreement)
                    await pipe.execute()
                    return agreement
                except WatchError:
                    continue
        raise RuntimeError(f"agreement {agreement_id} too contended")
