"""Joining a Jitsi group through Tether: the session link, the check-in gate, the join token.

A client's link is a check-in link (``CheckInLinks``) for the Jitsi session
``<room>~<day>``, opened at ``/join/<room>``: the page shows the check-in form first, and
only a client checked in for that session gets the room's join token. The token's
``context.user.id`` is opaque and stable per person (an HMAC of the subject), and
``tether:platform-users`` maps it back, so the Prosody module's events and the page's
heartbeats name the client without carrying a name or an address. Staff get moderator
tokens. Without a configured key (meet.jit.si) a join carries no token.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

import redis.asyncio as aioredis

from contracts.ids import jitsi_meeting_id
from sidecar.infra import keys
from sidecar.infra.audit import Audit
from sidecar.infra.keyring import Keyring

USER_IDS = "tether/jitsi-users/v1"

LINK_GRACE = timedelta(hours=4)  # a link works until this long after its day ends (late groups)
_HOST = re.compile(r"^[a-z0-9.-]+(:[0-9]+)?$")


class JoinMinter(Protocol):
    """Mints a Jitsi join token (``plugins/jitsi/tokens.py``, through the registry)."""

    def mint(self, room: str, user_id: str, name: str, *, moderator: bool, now: float) -> str:
        ...


def local_day(now: float, time_zone: str) -> str:
    """The program's calendar day at ``now`` ("YYYY-MM-DD")."""
    return datetime.fromtimestamp(now, ZoneInfo(time_zone)).date().isoformat()


SESSION_SPAN_MS = 12 * 3600 * 1000  # as the Prosody adapter: a room older than this is done


class SessionMeta(Protocol):
    async def meta(self, meeting: str) -> dict[str, str]: ...


async def current_session(meetings: SessionMeta, room: str, now: float, time_zone: str) -> str:
    """The room's session now: yesterday's while it is still running (a group past local
    midnight stays one session, as the server's events say), else today's."""
    today = datetime.fromtimestamp(now, ZoneInfo(time_zone)).date()
    before = session_of(room, (today - timedelta(days=1)).isoformat())
    meta = await meetings.meta(before)
    started = int(meta.get("started_at", "0") or 0)
    if started and "ended_at" not in meta and now * 1000 - started < SESSION_SPAN_MS:
        return before
    return session_of(room, today.isoformat())


def day_of(meeting: str) -> str:
    """The calendar day a Jitsi meeting id names."""
    return meeting.rsplit("~", 1)[1]


def session_of(room: str, day: str) -> str:
    """The Jitsi meeting id of ``room`` on ``day`` (raises ValueError for a bad day)."""
    return jitsi_meeting_id(room, date.fromisoformat(day).isoformat())


def room_of(meeting: str) -> str:
    """The room a Jitsi meeting id names ("" when it is not one)."""
    room, sep, _ = meeting.rpartition("~")
    return room if sep else ""


def link_expiry_ms(day: str, time_zone: str) -> int:
    """A session link expires LINK_GRACE after the end of its day, in the program's zone."""
    end = datetime.combine(date.fromisoformat(day) + timedelta(days=1), time(0),
                           ZoneInfo(time_zone)) + LINK_GRACE
    return int(end.timestamp() * 1000)


def join_url(public_url: str, token: str, meeting: str) -> str:
    """The client's join page for a Jitsi session, carrying their signed session link."""
    return f"{public_url.rstrip('/')}/join/{room_of(meeting)}?t={token}"


def jitsi_origin(domain: str) -> str:
    """``https://<domain>``, where the IFrame API script and the meeting's frame come from
    (a page's CSP names it; raises ValueError unless the setting is a plain host name)."""
    host = domain.strip().lower()
    if not _HOST.fullmatch(host):
        raise ValueError("JITSI_DOMAIN is not a host name")
    return f"https://{host}"


def jitsi_csp(origin: str) -> str:
    """The CSP of a page that embeds the meeting: scripts and the frame from ``origin``
    (and our own), nothing else from anywhere; everything else as the global one."""
    return ("default-src 'self'; script-src 'self' " + origin + "; style-src 'self'; "
            "img-src 'self' data:; connect-src 'self'; frame-src " + origin + "; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")


@dataclass(frozen=True)
class JoinGrant:
    """What the join page needs to embed the meeting (``jwt`` None: join without one)."""

    domain: str
    room: str
    meeting: str
    jwt: str | None
    display_name: str

    def as_json(self) -> dict[str, str | None]:
        return {"domain": self.domain, "room": self.room, "meeting": self.meeting,
                "jwt": self.jwt, "display_name": self.display_name}


class JitsiGate:
    def __init__(self, redis: aioredis.Redis, minter: JoinMinter | None, keyring: Keyring,
                 domain: str, audit: Audit | None = None) -> None:
        self.redis = redis
        self.minter = minter
        self._keyring = keyring
        self.domain = domain
        self._audit = audit

    def user_id(self, subject: str) -> str:
        """The opaque, stable ``context.user.id`` for "client:<id>" or "staff:<id>"."""
        key = self._keyring.pinned(USER_IDS)  # kept across key rotations
        return hmac.new(key, subject.encode(), hashlib.sha256).hexdigest()[:32]

    async def grant(self, subject: str, room: str, meeting: str, name: str, *,
                    now: float, purpose: str) -> JoinGrant:
        """Map the subject's user id (so events name them) and mint their token (on the
        audit record, with ``purpose``); staff get a moderator's."""
        uid = self.user_id(subject)
        await self.redis.hset(keys.PLATFORM_USERS, uid, subject)
        token = None
        if self.minter is not None:
            token = self.minter.mint(room, uid, name, moderator=subject.startswith("staff:"),
                                     now=now)
            if self._audit is not None:
                await self._audit.minted(subject.removeprefix("staff:"), "jitsi_jwt", subject,
                                         f"{purpose}:{meeting}")
        return JoinGrant(self.domain, room, meeting, token, name)
