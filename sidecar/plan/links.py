"""Plan links: a random id signed with the plan-links key (``<id>.<mac>.<key id>``), and the
link's record in Redis under its id (``keys.plan_link``): whose page it opens (the client's,
or one contact's by id), when it expires, whether it was revoked, how its text went, how
often it was opened. The ids of the client and contact are sealed; the rest are times,
counts, status words and the SHA-256 of the signature the text carried.

A link lives longer (30 days by default) than a retired key's token keys are kept (48 hours,
docs/keys.md). So a token whose key is gone is checked against that stored digest instead:
the link still opens after a rotation, and a token nobody was sent still opens nothing (the
digest gives no way back to the signature). The text job derives the token from the id."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from typing import Literal

import redis.asyncio as aioredis

from sidecar.infra import keys
from sidecar.infra.crypto import FieldCipher
from sidecar.infra.keyring import SigningKeys

PURPOSE = "tether/plan-links/v1"
SendState = Literal["sending", "retrying", "sent", "failed", "not_sent"]
MailState = Literal["", "sending", "retrying", "sent", "failed"]  # "": not e-mailed
_TOKEN = re.compile(r"^([0-9a-f]{16})\.([A-Za-z0-9_-]{43})\.([0-9a-f]{8})$")
NOT_VALID = "this link is not valid: it may have been copied wrongly"
GONE = "this link has expired: ask your care team for a new one"
REVOKED = "this link was withdrawn by your care team: ask them for a new one"


class LinkRefused(Exception):
    """A link that does not open; the message is the sentence the person reads."""


@dataclass(frozen=True)
class PlanLink:
    id: str
    client: str
    contact: str  # "" for the client's own page, else the contact's id
    created_ms: int
    expires_ms: int
    by: str  # the staff id who sent it, or "plan-review"
    revoked_ms: int = 0
    revoked_by: str = ""
    send: SendState = "sending"
    note: str = ""  # how the text went, in a sentence (never the provider's own words)
    opens: int = 0
    last_open_ms: int = 0
    sent: frozenset[str] = frozenset()  # SHA-256 of each token sent (opens after a rotation)
    mail: MailState = ""
    mail_note: str = ""

    def state(self, now_ms: int) -> Literal["active", "expired", "revoked"]:
        if self.revoked_ms:
            return "revoked"
        return "expired" if now_ms >= self.expires_ms else "active"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _mac(key: bytes, lid: str) -> str:
    digest = hmac.new(key, f"plan-link:{lid}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class PlanLinks:
    def __init__(self, redis: aioredis.Redis, cipher: FieldCipher, signing: SigningKeys
                 ) -> None:
        self.redis = redis
        self.cipher = cipher
        self.signing = signing

    def token(self, lid: str) -> str:
        kid, key = self.signing.current()
        return f"{lid}.{_mac(key, lid)}.{kid}"

    async def issued(self, lid: str) -> str:
        """The token to send for a link, its signature's digest kept on the link."""
        token = self.token(lid)
        await self.redis.hset(keys.plan_link(lid), f"sent:{_digest(token)}", 1)
        return token

    def verify(self, token: str, now_ms: int) -> tuple[str, bool]:
        """The link id a token names, and whether its signature was checked by a key we
        still hold (False: its key retired, the stored digest decides); LinkRefused when
        it is malformed or its signature is wrong."""
        found = _TOKEN.fullmatch(token) if token.isascii() else None
        if found is None:
            raise LinkRefused(NOT_VALID)
        lid, mac, kid = found.groups()
        key = self.signing.for_kid(kid, now_ms)
        if key is None:
            return lid, False
        if not hmac.compare_digest(_mac(key, lid), mac):
            raise LinkRefused(NOT_VALID)
        return lid, True

    async def create(self, client: str, contact: str, now_ms: int, expires_ms: int, by: str
                     ) -> PlanLink:
        lid = secrets.token_hex(8)
        doc = json.dumps({"client": client, "contact": contact})
        sealed = self.cipher.encrypt(f"plan-link/{lid}", "doc", doc)
        ttl_ms = expires_ms - now_ms + keys.PLAN_LINK_KEEP_S * 1000
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.plan_link(lid), mapping={
                "doc": sealed, "created": now_ms, "expires": expires_ms, "by": by,
                "send": "sending", "opens": 0})
            pipe.pexpire(keys.plan_link(lid), ttl_ms)
            pipe.zadd(keys.plan_links(client), {lid: now_ms})
            await pipe.execute()
        return PlanLink(lid, client, contact, now_ms, expires_ms, by)

    async def get(self, lid: str) -> PlanLink | None:
        raw = await self.redis.hgetall(keys.plan_link(lid))
        if not raw.get("doc"):
            return None
        doc = json.loads(self.cipher.decrypt(f"plan-link/{lid}", "doc", raw["doc"]))
        return PlanLink(lid, doc["client"], doc["contact"], int(raw["created"]),
                        int(raw["expires"]), raw.get("by", ""), int(raw.get("revoked", 0)),
                        raw.get("revoked_by", ""), raw.get("send", "sending"),
                        raw.get("note", ""), int(raw.get("opens", 0)),
                        int(raw.get("last", 0)),
                        frozenset(k[5:] for k in raw if k.startswith("sent:")),
                        raw.get("mail", ""), raw.get("mail_note", ""))

    async def opening(self, token: str, now_ms: int) -> PlanLink:
        """The link a token opens now; LinkRefused with the person's sentence if none."""
        lid, signed = self.verify(token, now_ms)
        link = await self.get(lid)
        if not signed and (link is None or _digest(token) not in link.sent):
            raise LinkRefused(NOT_VALID)
        if link is None:
            raise LinkRefused(GONE)
        if link.revoked_ms:
            raise LinkRefused(REVOKED)
        if now_ms >= link.expires_ms:
            raise LinkRefused(GONE)
        return link

    async def opened(self, lid: str, now_ms: int) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(keys.plan_link(lid), "opens", 1)
            pipe.hset(keys.plan_link(lid), "last", now_ms)
            await pipe.execute()

    async def sending(self, lid: str, state: SendState, note: str = "") -> None:
        if await self.redis.exists(keys.plan_link(lid)):
            await self.redis.hset(keys.plan_link(lid), mapping={"send": state, "note": note})

    async def mailing(self, lid: str, state: MailState, note: str = "") -> None:
        if await self.redis.exists(keys.plan_link(lid)):
            await self.redis.hset(keys.plan_link(lid), mapping={"mail": state,
                                                                "mail_note": note})

    async def revoke(self, lid: str, now_ms: int, by: str) -> bool:
        """Withdraw one link; False when it is unknown or already withdrawn."""
        if not await self.redis.exists(keys.plan_link(lid)) or not await self.redis.hsetnx(
                keys.plan_link(lid), "revoked", now_ms):
            return False
        await self.redis.hset(keys.plan_link(lid), "revoked_by", by)
        return True

    async def of_client(self, client: str) -> list[PlanLink]:
        """The client's links, newest first; links whose record expired are pruned."""
        ids = await self.redis.zrevrange(keys.plan_links(client), 0, -1)
        out: list[PlanLink] = []
        gone: list[str] = []
        for lid in ids:
            link = await self.get(lid)
            if link is None:
                gone.append(lid)
            else:
                out.append(link)
        if gone:
            await self.redis.zrem(keys.plan_links(client), *gone)
        return out
