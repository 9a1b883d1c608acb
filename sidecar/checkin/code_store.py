"""Where one-time check-in codes live (Redis): each client's one live code, hashed; the
requests (handles) the form holds; the hourly count per client. The rules are in
``code_rules.py``; times come from the injected clock, Redis TTLs only clear up.

A request whose details matched nobody gets a handle too, holding a code nobody was sent,
so that from the outside it answers exactly like one that matched (wrong, wrong, ...,
dead after 5), and the form's first answer cannot tell a stranger whether they guessed a
client's details.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import redis.asyncio as aioredis
from redis.exceptions import WatchError

from sidecar.checkin.code_rules import (
    CODE_TTL_MS,
    HOUR_MS,
    TRIES_PER_CODE,
    Attempt,
    code_mac,
    judge,
    new_code,
    new_salt,
    same_code,
    within_cap,
)
from sidecar.infra import keys
from sidecar.infra.keyring import SigningKeys

ATTEMPT_RETRIES = 20


@dataclass(frozen=True)
class Issued:
    handle: str
    code: str  # in clear only here, on its way to the text
    salt: str  # which code this is (to withdraw it if the text fails)


@dataclass(frozen=True)
class Capped:
    handle: str  # still lets the client type the newest code already sent
    next_at_ms: int  # when the oldest code of the hour stops counting


class CodeStore:
    def __init__(self, redis: aioredis.Redis, keys_: SigningKeys) -> None:
        self.redis = redis
        self._keys = keys_

    async def _ask(self, meeting: str, client: str, now_ms: int,
                   own_code: dict[str, str] | None = None) -> str:
        handle = secrets.token_urlsafe(18)
        fields = {"meeting": meeting, "client": client, "exp": now_ms + CODE_TTL_MS}
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.checkin_code_ask(handle), mapping=fields | (own_code or {}))
            pipe.pexpire(keys.checkin_code_ask(handle), CODE_TTL_MS)
            await pipe.execute()
        return handle

    def _sealed(self, client: str, code: str, now_ms: int) -> dict[str, str]:
        salt = new_salt()
        kid, key = self._keys.current()
        return {"salt": salt, "mac": code_mac(key, salt, client, code), "kid": kid,
                "exp": str(now_ms + CODE_TTL_MS), "tries": "0"}

    async def decoy(self, meeting: str, now_ms: int) -> str:
        """A handle for details that matched nobody: it holds a code nobody was sent."""
        return await self._ask(meeting, "", now_ms, self._sealed("", new_code(), now_ms))

    async def issue(self, meeting: str, client: str, now_ms: int) -> Issued | Capped:
        """A new code for ``client`` (replacing their live one), unless they have had
        CODES_PER_HOUR codes in the hour before ``now_ms``."""
        sent = keys.checkin_codes_sent(client)
        member = f"{now_ms}:{secrets.token_hex(4)}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(sent, "-inf", now_ms - HOUR_MS)
            pipe.zadd(sent, {member: now_ms})
            pipe.zcard(sent)
            pipe.pexpire(sent, HOUR_MS)
            _, _, count, _ = await pipe.execute()
        if not within_cap(int(count)):
            await self.redis.zrem(sent, member)
            oldest = await self.redis.zrange(sent, 0, 0, withscores=True)
            first = int(oldest[0][1]) if oldest else now_ms
            return Capped(await self._ask(meeting, client, now_ms), first + HOUR_MS)
        code = new_code()
        sealed = self._sealed(client, code, now_ms)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(keys.checkin_code(client))
            pipe.hset(keys.checkin_code(client), mapping=sealed)
            pipe.pexpire(keys.checkin_code(client), CODE_TTL_MS)
            await pipe.execute()
        return Issued(await self._ask(meeting, client, now_ms), code, sealed["salt"])

    async def withdraw(self, client: str, issued: Issued) -> None:
        """The text did not go out: that code is dropped (unless a newer one replaced it)."""
        key = keys.checkin_code(client)
        async with self.redis.pipeline(transaction=True) as pipe:
            try:
                await pipe.watch(key)
                if await pipe.hget(key, "salt") == issued.salt:
                    pipe.multi()
                    pipe.delete(key)
                    await pipe.execute()
            except WatchError:
                pass  # replaced meanwhile: the newer code stays

    async def attempt(self, handle: str, meeting: str, typed: str, now_ms: int) -> Attempt:
        """One try at the code behind ``handle``: counted against that code whoever tries
        it; the right code works once; the fifth wrong try ends it."""
        ask = await self.redis.hgetall(keys.checkin_code_ask(handle)) if handle else {}
        if not ask or ask.get("meeting") != meeting or int(ask.get("exp", 0)) < now_ms:
            return Attempt("dead", ask.get("client", "") if ask else "")
        client = ask["client"]
        key = keys.checkin_code(client) if client else keys.checkin_code_ask(handle)
        for _ in range(ATTEMPT_RETRIES):
            try:
                return await self._try(key, client, typed, now_ms)
            except WatchError:
                continue  # another try landed first: count this one on top of it
        raise RuntimeError("too many simultaneous tries at one code")

    async def _try(self, key: str, client: str, typed: str, now_ms: int) -> Attempt:
        async with self.redis.pipeline(transaction=True) as pipe:
            await pipe.watch(key)
            code = await pipe.hgetall(key)
            tries = int(code.get("tries", TRIES_PER_CODE))
            if not code.get("mac") or int(code.get("exp", 0)) < now_ms or tries >= TRIES_PER_CODE:
                await pipe.unwatch()
                return Attempt("dead", client)
            signer = self._keys.for_kid(code.get("kid", ""), now_ms)
            right = bool(client) and signer is not None and same_code(
                signer, code["salt"], client, typed, code["mac"])
            verdict = judge(right, tries)
            pipe.multi()
            if right or verdict.tries_left == 0:
                pipe.delete(key)
            else:
                pipe.hset(key, "tries", tries + 1)
            await pipe.execute()
        return Attempt(verdict.outcome, client, verdict.tries_left)
