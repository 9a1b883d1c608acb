"""Staff sessions: kept in Redis, referenced by a cookie.

A session starts with a sign-in at the program's identity provider, with the Zoom App's
context exchange, or with ``POST /auth/exchange`` and a staff token (automation, tests).
The cookie carries a random value; Redis keeps only its SHA-256, so a copy of the data
names no live cookie. Each session has a CSRF token that the pages send back in a header
on every call that changes something.

A session ends at logout, after ``idle`` without a request, at its absolute limit whatever
is done, or when all of a person's sessions are revoked. The time-outs are checked against
the injected clock; Redis expiry (the same figures) only cleans up.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

import redis.asyncio as aioredis
from aiohttp import web

from sidecar.infra import keys
from sidecar.infra.audit import Audit
from sidecar.infra.source import source

COOKIE = "__Host-tether"
CSRF_HEADER = "X-CSRF-Token"
TOUCH_EVERY_MS = 5_000  # a busy page refreshes its session at most this often


class Via(StrEnum):
    SIGNIN = "signin"  # the program's identity provider
    ZOOM = "zoom"  # the Zoom App's context, inside the Zoom client
    TOKEN = "token"  # a staff token from ``tether token``, exchanged


class Ended(Exception):
    """A session that existed but is over; ``why`` is said to the person."""

    def __init__(self, session: Session, why: str) -> None:
        super().__init__(why)
        self.session = session
        self.why = why


@dataclass(frozen=True)
class SessionPolicy:
    idle_ms: int
    max_ms: int


@dataclass(frozen=True)
class Session:
    key: str  # SHA-256 of the cookie's value
    staff_id: str
    via: Via
    csrf: str
    started_ms: int
    seen_ms: int
    ends_ms: int  # the absolute limit

    def mapping(self) -> dict[str, str]:
        return {"staff": self.staff_id, "via": self.via.value, "csrf": self.csrf,
                "started": str(self.started_ms), "seen": str(self.seen_ms),
                "ends": str(self.ends_ms)}

    @classmethod
    def from_hash(cls, key: str, h: dict[str, str]) -> Session:
        return cls(key=key, staff_id=h["staff"], via=Via(h["via"]), csrf=h["csrf"],
                   started_ms=int(h["started"]), seen_ms=int(h["seen"]),
                   ends_ms=int(h["ends"]))


def session_key(cookie_value: str) -> str:
    return hashlib.sha256(cookie_value.encode()).hexdigest()


class SessionStore:
    def __init__(self, redis: aioredis.Redis, policy: SessionPolicy) -> None:
        self.redis = redis
        self.policy = policy

    def idle_end(self, s: Session) -> int:
        return min(s.seen_ms + self.policy.idle_ms, s.ends_ms)

    async def start(self, staff_id: str, via: Via, now_ms: int) -> tuple[str, Session]:
        """A new session; the first value goes in the cookie and nowhere else."""
        value = secrets.token_urlsafe(32)
        s = Session(key=session_key(value), staff_id=staff_id, via=via,
                    csrf=secrets.token_urlsafe(24), started_ms=now_ms, seen_ms=now_ms,
                    ends_ms=now_ms + self.policy.max_ms)
        mine = keys.STAFF_SESSIONS_PREFIX + staff_id
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.SESSION_PREFIX + s.key, mapping=s.mapping())
            pipe.pexpire(keys.SESSION_PREFIX + s.key, self.policy.idle_ms)
            pipe.sadd(mine, s.key)
            pipe.pexpire(mine, self.policy.max_ms)
            await pipe.execute()
        return value, s

    async def find(self, cookie_value: str, now_ms: int) -> Session | None:
        """The live session behind a cookie; None if there is none (never was, logged out,
        revoked). Raises ``Ended`` (and ends it) if it timed out."""
        key = session_key(cookie_value)
        h = await self.redis.hgetall(keys.SESSION_PREFIX + key)
        if not h:
            return None
        s = Session.from_hash(key, h)
        if now_ms >= s.ends_ms:
            await self.end(s)
            raise Ended(s, "your session reached its limit of "
                        f"{self.policy.max_ms // 3_600_000} hours")
        if now_ms >= s.seen_ms + self.policy.idle_ms:
            await self.end(s)
            raise Ended(s, f"you were signed out after {self.policy.idle_ms // 60_000} "
                        "minutes without activity")
        return s

    async def still(self, s: Session, now_ms: int, *, active: bool) -> Session | None:
        """An open stream asks again: the session as it is now (None: ended, or timed
        out); ``active`` counts as activity (a panel watching a live meeting)."""
        h = await self.redis.hgetall(keys.SESSION_PREFIX + s.key)
        if not h:
            return None
        now_s = Session.from_hash(s.key, h)
        if now_ms >= self.idle_end(now_s):
            await self.end(now_s)
            return None
        if active:
            await self.touch(now_s, now_ms)
        return now_s

    async def touch(self, s: Session, now_ms: int) -> None:
        """Activity: the idle time-out starts again (never past the absolute limit)."""
        if now_ms - s.seen_ms < TOUCH_EVERY_MS:
            return
        ttl = max(1, min(self.policy.idle_ms, s.ends_ms - now_ms))
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.SESSION_PREFIX + s.key, "seen", str(now_ms))
            pipe.pexpire(keys.SESSION_PREFIX + s.key, ttl)
            await pipe.execute()

    async def end(self, s: Session) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(keys.SESSION_PREFIX + s.key)
            pipe.srem(keys.STAFF_SESSIONS_PREFIX + s.staff_id, s.key)
            await pipe.execute()

    async def end_all(self, staff_id: str) -> int:
        """Every session of one person ends; how many there were."""
        mine = keys.STAFF_SESSIONS_PREFIX + staff_id
        members = list(await self.redis.smembers(mine))
        async with self.redis.pipeline(transaction=True) as pipe:
            for key in members:
                pipe.delete(keys.SESSION_PREFIX + key)
            pipe.delete(mine)
            done = await pipe.execute()
        return sum(int(n) for n in done[:len(members)])


def set_cookie(response: web.StreamResponse, value: str, s: Session, now_ms: int) -> None:
    """``__Host-``: Secure, Path=/, no Domain. Inside the Zoom client the app may be framed
    by a zoom.us page, where a Lax cookie would not be sent: Zoom sessions use None (the
    CSRF token guards their calls); every other session uses Lax."""
    response.set_cookie(COOKIE, value, path="/", secure=True, httponly=True,
                        samesite="None" if s.via is Via.ZOOM else "Lax",
                        max_age=max(1, (s.ends_ms - now_ms) // 1000))


class Started:
    """A new session, on the record; ``attach`` puts its cookie on an answer."""

    def __init__(self, value: str, session: Session, now_ms: int) -> None:
        self._value, self.session, self._now_ms = value, session, now_ms

    def attach(self, response: web.StreamResponse) -> web.StreamResponse:
        set_cookie(response, self._value, self.session, self._now_ms)
        return response


async def begin(store: SessionStore, audit: Audit, request: web.Request, staff_id: str,
                via: Via, now_ms: int) -> Started:
    """Start a person's session (sign-in, Zoom App, token exchange) and record it."""
    value, s = await store.start(staff_id, via, now_ms)
    await audit.record(staff_id, f"session.started:{via.value}", "-",
                       source=source(request))
    return Started(value, s, now_ms)


def clear_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE, path="/", secure=True, httponly=True, samesite="Lax")
