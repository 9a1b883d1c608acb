"""Per-session location check-in: where the client is right now, the number to call back
this session, whether their emergency contact is still right, whether anyone is with them.

Clients reach the form by a signed, expiring link bound to one meeting and one client
(for SMS or chat); the Zoom App's form posts the same body. A check-in is
stored encrypted, links the client's participants, lands on the timeline, and takes
precedence over the location on file for the callback and the dispatch card.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from typing import Annotated, Literal, NamedTuple

import redis.asyncio as aioredis
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from redis.asyncio.client import Pipeline

from sidecar.infra import keys
from sidecar.infra.audit import Audit
from sidecar.infra.config import PHONE_PATTERN
from sidecar.infra.crypto import FieldCipher
from sidecar.infra.keyring import SigningKeys
from sidecar.records.model import EmergencyContact, Location


class LinkError(Exception):
    """A check-in link that is altered, malformed or expired."""


class CheckInBody(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    location: Location
    callback_phone: str = Field(pattern=PHONE_PATTERN)
    emergency_contact_ok: bool
    emergency_contact: EmergencyContact | None = None
    others_present: Literal["alone", "others", "prefer_not_to_say"]
    # "Anything else you'd like your care team to know?": PHI, stored sealed with the
    # check-in and checked against the client's code words, never put on the timeline
    note: str | None = Field(default=None, max_length=500)
    # the program's privacy prompts by key: true "yes", false "no"; a skipped one is left
    # out (sidecar/clinical/privacy.py). Sealed with the check-in.
    privacy: dict[Annotated[str, StringConstraints(max_length=32)], bool | None] = Field(
        default_factory=dict, max_length=16)

    @field_validator("location")
    @classmethod
    def _room_given(cls, v: Location) -> Location:
        if not v.room.strip():
            raise ValueError("say which room you are in")
        return v

    @field_validator("callback_phone", mode="before")
    @classmethod
    def _e164(cls, v: object) -> object:
        """Accept what people type: "(312) 555-0131", "312.555.0131", "1 312 555 0131"."""
        if not isinstance(v, str):
            return v
        digits = re.sub(r"[\s().-]", "", v)
        if re.fullmatch(r"[0-9]{10}", digits):
            return "+1" + digits  # North American number without the country code
        if re.fullmatch(r"1[0-9]{10}", digits):
            return "+" + digits
        return digits


class CheckIn(CheckInBody):
    client: str
    at_ms: int


class LinkClaims(NamedTuple):
    meeting: str
    client: str
    participant: str  # the Zoom participant the in-meeting form ran in; "" for SMS links
    via: str = ""  # how the in-meeting form knew the client: "uid" (Zoom account) or "code"
    expires_ms: int = 0  # the link's own expiry


class CheckInStatus(NamedTuple):
    checked_in_ms: int | None
    moved_ms: int | None  # the client said "I moved" at this time

    @property
    def stale(self) -> bool:
        """Checked in, then said they moved: the address on the card may be wrong."""
        return (self.checked_in_ms is not None and self.moved_ms is not None
                and self.moved_ms >= self.checked_in_ms)


class CheckInLinks:
    """HMAC-signed tokens: ``base64url(json{m,c,exp[,p]}).base64url(hmac).<key id>``; a
    link of a retired key passes until it expires (at most the keyring's token window)."""

    def __init__(self, keys: SigningKeys, audit: Audit | None = None) -> None:
        self._keys = keys
        self._audit = audit

    async def mint(self, meeting: str, client: str, expires_ms: int, *, by: str,
                   purpose: str, participant: str = "", via: str = "") -> str:
        """``issue``, on the audit record: who asked, for which client, what for."""
        token = self.issue(meeting, client, expires_ms, participant, via)
        if self._audit is not None:
            await self._audit.minted(by, "checkin_link", f"client:{client}", purpose)
        return token

    @staticmethod
    def _mac(key: bytes, body: bytes) -> str:
        return base64.urlsafe_b64encode(hmac.new(key, body, hashlib.sha256).digest()
                                        ).decode().rstrip("=")

    def issue(self, meeting: str, client: str, expires_ms: int, participant: str = "",
              via: str = "") -> str:
        claims: dict[str, str | int] = {"m": meeting, "c": client, "exp": expires_ms}
        if participant:
            claims["p"] = participant
        if via:
            claims["v"] = via
        body = base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode()
                                        ).decode().rstrip("=")
        kid, key = self._keys.current()
        return f"{body}.{self._mac(key, body.encode())}.{kid}"

    def open(self, token: str, now_ms: int, grace_ms: int = 0) -> LinkClaims:
        body, _, rest = token.partition(".")
        mac, _, kid = rest.partition(".")
        # a link sent before links named their key is checked against every active key
        candidates = ([self._keys.for_kid(kid, now_ms)] if kid else self._keys.candidates()
                      ) if token.isascii() else []
        if not body or not mac or not any(
                key is not None and hmac.compare_digest(self._mac(key, body.encode()), mac)
                for key in candidates):
            raise LinkError("this check-in link is not valid")
        try:
            claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            meeting, client, exp = str(claims["m"]), str(claims["c"]), int(claims["exp"])
            participant, via = str(claims.get("p", "")), str(claims.get("v", ""))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise LinkError("this check-in link is not valid") from exc
        if exp + grace_ms < now_ms:
            raise LinkError("this check-in link has expired: ask your care team for a new one")
        return LinkClaims(meeting, client, participant, via, exp)


class CheckInStore:
    def __init__(self, redis: aioredis.Redis, cipher: FieldCipher, audit: Audit) -> None:
        self.redis = redis
        self.cipher = cipher
        self.audit = audit

    async def put(self, meeting: str, checkin: CheckIn) -> None:
        record = f"{meeting}/{checkin.client}"
        sealed = self.cipher.encrypt(record, "checkin", checkin.model_dump_json())
        # the privacy answers apart, so the roster shows them without opening the check-in
        privacy = self.cipher.encrypt(record, "privacy", json.dumps(checkin.privacy))
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.checkins(meeting), mapping={f"c:{checkin.client}": sealed,
                                                       f"p:{checkin.client}": privacy,
                                                       f"t:{checkin.client}": checkin.at_ms})
            pipe.hdel(keys.checkins(meeting), f"s:{checkin.client}")
            pipe.expire(keys.checkins(meeting), keys.MEETING_TTL_S)
            await pipe.execute()

    async def get(self, meeting: str, client: str, actor: str, purpose: str
                  ) -> CheckIn | None:
        """The client's check-in, private note included; every read lands on the audit
        stream as ``checkin.read:<purpose>`` (same round trip)."""
        async with self.redis.pipeline(transaction=False) as pipe:
            self.get_cmds(pipe, meeting, client, actor, purpose)
            sealed, _ = await pipe.execute()
        return self.opened(meeting, client, sealed)

    def get_cmds(self, pipe: Pipeline, meeting: str, client: str, actor: str, purpose: str
                 ) -> None:
        """Queue an audited read of the check-in into a caller's pipeline: two replies, the
        sealed check-in (for ``opened``) and the audit entry. Open it only once the
        pipeline ran without an error (no check-in opened whose read went unrecorded)."""
        pipe.hget(keys.checkins(meeting), f"c:{client}")
        self.audit.record_in(pipe, actor, f"checkin.read:{purpose}", client)

    def opened(self, meeting: str, client: str, sealed: str | None) -> CheckIn | None:
        """The check-in read by ``get_cmds`` (None: the client has not checked in)."""
        if not sealed:
            return None
        return CheckIn.model_validate_json(
            self.cipher.decrypt(f"{meeting}/{client}", "checkin", sealed))

    async def privacy(self, meeting: str) -> dict[str, dict[str, bool]]:
        """Client id -> their answers to the privacy prompts this session (yes/no only:
        nothing else of the check-in is opened)."""
        raw = await self.redis.hgetall(keys.checkins(meeting))
        out: dict[str, dict[str, bool]] = {}
        for k, v in raw.items():
            if k.startswith("p:"):
                answers = json.loads(self.cipher.decrypt(f"{meeting}/{k[2:]}", "privacy", v))
                out[k[2:]] = {a: b for a, b in answers.items() if isinstance(b, bool)}
        return out

    async def moved(self, meeting: str, client: str, at_ms: int) -> bool:
        """The client says they moved; False if they had not checked in yet."""
        if not await self.redis.hexists(keys.checkins(meeting), f"t:{client}"):
            return False
        await self.redis.hset(keys.checkins(meeting), f"s:{client}", at_ms)
        return True

    async def times(self, meeting: str) -> dict[str, int]:
        """Client id -> when they last checked in (nothing decrypted for the roster)."""
        raw = await self.redis.hgetall(keys.checkins(meeting))
        return {k[2:]: int(v) for k, v in raw.items() if k.startswith("t:")}

    async def statuses(self, meeting: str) -> dict[str, CheckInStatus]:
        """Client id -> checked in when, and whether they said they moved since."""
        raw = await self.redis.hgetall(keys.checkins(meeting))
        out: dict[str, CheckInStatus] = {}
        for k, v in raw.items():
            kind, _, client = k.partition(":")
            if kind not in ("t", "s"):
                continue
            old = out.get(client, CheckInStatus(None, None))
            out[client] = (old._replace(checked_in_ms=int(v)) if kind == "t"
                           else old._replace(moved_ms=int(v)))
        return out
