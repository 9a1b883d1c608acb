"""The client store: records encrypted field by field, and a blind identity index."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import NamedTuple

import redis.asyncio as aioredis
from redis.asyncio.client import Pipeline
from redis.exceptions import WatchError

from contracts.events import Person
from sidecar.infra import keys
from sidecar.infra.audit import Audit
from sidecar.infra.crypto import FieldCipher
from sidecar.records.contact_ids import positional, with_contact_ids
from sidecar.records.identities import collisions, identities
from sidecar.records.model import ClientRecord, EmergencyContact

logger = logging.getLogger(__name__)
SAVE_RETRIES = 20


_CALL_FIELDS = ("callback_phone", "care")


class CallDetails(NamedTuple):
    """Of a client's record, what a call to them needs."""

    callback_phone: str
    sms_consent: bool


class IdentityConflict(Exception):
    """A save would give an identity to a second client; nothing was stored. ``problems``
    name the field and the client it already belongs to, one sentence each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _label(prefix: str | Callable[[int], str], position: int) -> str:
    return prefix(position) if callable(prefix) else prefix.format(i=position)


class ClientOutdated(Exception):
    """A save named a version of the record that is no longer the stored one."""

    def __init__(self, client_id: str, version: int) -> None:
        super().__init__(f"{client_id} is at version {version}")
        self.client_id = client_id
        self.version = version


VERSION_FIELD = "v"  # a record's version, in clear beside its sealed fields (not PHI)
SAVED_BY_FIELD, SAVED_AT_FIELD = "by", "at"  # who saved it last (a staff id) and when (ms)
_CLEAR = (VERSION_FIELD, SAVED_BY_FIELD, SAVED_AT_FIELD)


def _check_versions(versions: dict[str, int], expected: dict[str, int]) -> None:
    for client_id, wanted in expected.items():
        if versions.get(client_id, 0) != wanted:
            raise ClientOutdated(client_id, versions.get(client_id, 0))


class ClientStore:
    def __init__(self, redis: aioredis.Redis, cipher: FieldCipher, audit: Audit) -> None:
        self.redis = redis
        self.cipher = cipher
        self.audit = audit

    def _sealed(self, record: ClientRecord) -> dict[str, str]:
        plain = {
            "name": record.name,
            "callback_phone": record.callback_phone,
            "location": record.location.model_dump_json() if record.location else "",
            "emergency_contacts": json.dumps(
                [c.model_dump(mode="json") for c in record.emergency_contacts]),
            "identities": json.dumps(identities(record)),
            "care": record.model_dump_json(include={"safety_plan", "considerations",
                                                    "code_words", "sms_consent"}),
        }
        return {f: self.cipher.encrypt(record.id, f, v) for f, v in plain.items()}

    async def put(self, record: ClientRecord, actor: str, expected: int | None = None
                  ) -> int:
        """Create or replace one record; IdentityConflict if it claims another client's
        display name, e-mail, registrant id or Zoom uid (nothing is stored then). With
        ``expected`` (0: a new record), ClientOutdated unless that is its version now.
        The record's new version."""
        versions = await self.put_many(
            [record], actor, expected=None if expected is None else {record.id: expected})
        return versions[record.id]

    async def put_many(self, records: Sequence[ClientRecord], actor: str,
                       prefix: str | Callable[[int], str] = "",
                       expected: dict[str, int] | None = None) -> dict[str, int]:
        """Save all of ``records`` or none: IdentityConflict when any of them claims an
        identity that is another client's, on file or earlier in ``records``. ``prefix``
        names a record in the problems: a format of its position ``i`` (``"clients.{i}."``
        for a file of clients), or a function of it (a spreadsheet's row)."""
        index = self.cipher.blind_index
        for _ in range(SAVE_RETRIES):
            try:
                async with self.redis.pipeline(transaction=True) as pipe:
                    await pipe.watch(keys.CLIENT_IDENT, *(keys.client(r.id) for r in records))
                    sealed = await self._stored([r.id for r in records])
                    versions = {r_id: int(raw.get(VERSION_FIELD, 1 if raw else 0))
                                for r_id, raw in sealed.items()}
                    _check_versions(versions, expected or {})
                    olds = {r_id: self._open(r_id, raw) for r_id, raw in sealed.items()}
                    records = [with_contact_ids(r, olds.get(r.id)) for r in records]
                    old_idents = {r_id: [index(k, v) for k, v in identities(old)]
                                  for r_id, old in olds.items() if old is not None}
                    wanted = sorted({index(k, v) for r in records for k, v in identities(r)}
                                    | {i for idx in old_idents.values() for i in idx})
                    found = await pipe.hmget(keys.CLIENT_IDENT, wanted) if wanted else []
                    owners = {i: str(o) for i, o in zip(wanted, found, strict=True) if o}
                    clashes = collisions(records, owners, index)
                    if clashes:
                        await pipe.unwatch()
                        names = {r.id: r.name for r in records}
                        raise IdentityConflict([
                            c.message(names.get(c.owner) or await self._name(c.owner, actor),
                                      _label(prefix, c.position)) for c in clashes])
                    pipe.multi()
                    for r_id, idx in old_idents.items():  # every release before any claim
                        mine = [i for i in idx if owners.get(i) == r_id]
                        if mine:
                            pipe.hdel(keys.CLIENT_IDENT, *mine)
                    for record in records:
                        pipe.delete(keys.client(record.id))
                        pipe.hset(keys.client(record.id), mapping={
                            **self._sealed(record), VERSION_FIELD: versions[record.id] + 1,
                            SAVED_BY_FIELD: actor,
                            SAVED_AT_FIELD: int(self.audit.clock.now() * 1000)})
                        for kind, value in identities(record):
                            pipe.hset(keys.CLIENT_IDENT, index(kind, value), record.id)
                        self.audit.record_in(pipe, actor, "client.upsert", record.id)
                    await pipe.execute()
                    break
            except WatchError:
                continue
        else:
            raise RuntimeError("the client records changed too often to be saved; try again")
        return {r_id: v + 1 for r_id, v in versions.items()}

    async def _stored(self, ids: Sequence[str]) -> dict[str, dict[str, str]]:
        """The records on file now, sealed, read in one round trip. Under a WATCH of their
        keys, a change after the read still fails the save that follows."""
        async with self.redis.pipeline(transaction=False) as reads:
            for client_id in ids:
                reads.hgetall(keys.client(client_id))
            sealed = await reads.execute()
        return dict(zip(ids, sealed, strict=True))

    async def _name(self, client_id: str, actor: str) -> str:
        """The name on file of the client an identity belongs to (an audited read)."""
        record = await self.get(client_id, actor=actor, purpose="identity-check")
        return record.name if record is not None else client_id

    async def _load(self, client_id: str) -> ClientRecord | None:
        return self._open(client_id, await self.redis.hgetall(keys.client(client_id)))

    def _open(self, client_id: str, sealed: dict[str, str]) -> ClientRecord | None:
        if not sealed:
            return None
        plain = {f: self.cipher.decrypt(client_id, f, v) for f, v in sealed.items()
                 if f not in _CLEAR}
        idents = json.loads(plain.pop("identities", "[]"))
        location = plain.pop("location")
        contacts = positional([EmergencyContact.model_validate(c) for c in
                               json.loads(plain.pop("emergency_contacts"))])
        care = json.loads(plain.pop("care", "{}"))
        return ClientRecord(
            id=client_id, name=plain["name"], callback_phone=plain["callback_phone"],
            location=json.loads(location) if location else None,
            emergency_contacts=contacts,
            zoom_display_names=[v for k, v in idents if k == "dn"],
            zoom_emails=[v for k, v in idents if k == "email"],
            zoom_registrant_ids=[v for k, v in idents if k == "registrant"],
            zoom_user_ids=[v for k, v in idents if k == "uid"],
            **care,
        )

    async def get(self, client_id: str, actor: str, purpose: str) -> ClientRecord | None:
        """Read a record; every read of PHI lands on the audit stream (same round trip)."""
        return (await self.get_versioned(client_id, actor, purpose))[0]

    async def get_versioned(self, client_id: str, actor: str, purpose: str
                            ) -> tuple[ClientRecord | None, int]:
        """A record and its version (0: there is none), the read audited."""
        async with self.redis.pipeline(transaction=False) as pipe:
            self.get_cmds(pipe, client_id, actor, purpose)
            sealed, _ = await pipe.execute()
        return (self.opened(client_id, sealed),
                int(sealed.get(VERSION_FIELD, 1)) if sealed else 0)

    def get_cmds(self, pipe: Pipeline, client_id: str, actor: str, purpose: str) -> None:
        """Queue an audited read of one record into a caller's pipeline: two replies, the
        sealed record (for ``opened``) and the audit entry. Open it only once the pipeline
        ran without an error, so that no record is opened whose read went unrecorded."""
        pipe.hgetall(keys.client(client_id))
        self.audit.record_in(pipe, actor, f"client.read:{purpose}", client_id)

    def opened(self, client_id: str, sealed: dict[str, str]) -> ClientRecord | None:
        """The record read by ``get_cmds`` (None: there is none)."""
        return self._open(client_id, sealed)

    def call_cmds(self, pipe: Pipeline, client_id: str, actor: str, purpose: str) -> None:
        """Like ``get_cmds``, for a call to the client: only the number on file and the
        care field (whether they agreed to texts) are read, not the rest of the record."""
        pipe.hmget(keys.client(client_id), *_CALL_FIELDS)
        self.audit.record_in(pipe, actor, f"client.read:{purpose}", client_id)

    def call_opened(self, client_id: str, sealed: list[str | None]) -> CallDetails | None:
        """What ``call_cmds`` read (None: there is no record)."""
        phone, care = sealed
        if phone is None:
            return None
        agreed = json.loads(self.cipher.decrypt(client_id, "care", care)).get(
            "sms_consent", False) if care else False
        return CallDetails(self.cipher.decrypt(client_id, "callback_phone", phone),
                           bool(agreed))

    async def saved_by(self, client_id: str) -> tuple[str | None, int | None]:
        """Who saved the record last (a staff id, or "cli:..." for an import) and when."""
        by, at = await self.redis.hmget(keys.client(client_id), SAVED_BY_FIELD, SAVED_AT_FIELD)
        return (str(by) if by else None), (int(at) if at else None)

    async def get_many(self, client_ids: Sequence[str], actor: str, purpose: str
                       ) -> dict[str, tuple[ClientRecord, int]]:
        """The records on file among ``client_ids``, each with its version, read together;
        each one found lands on the audit stream (an id with no record reads no PHI)."""
        sealed = {i: raw for i, raw in (await self._stored(list(client_ids))).items() if raw}
        async with self.redis.pipeline(transaction=False) as pipe:
            for client_id in sealed:
                self.audit.record_in(pipe, actor, f"client.read:{purpose}", client_id)
            await pipe.execute()
        return {i: (record, int(raw.get(VERSION_FIELD, 1))) for i, raw in sealed.items()
                if (record := self._open(i, raw)) is not None}

    def phone_index(self, number: str) -> str:
        """A keyed blind index of a phone number: finds a texting client without the number
        in a Redis key."""
        return self.cipher.blind_index("sms-from", number)

    def phone_indexes(self, number: str) -> list[str]:
        """The number's index under every active key, the primary's first."""
        return self.cipher.blind_indexes("sms-from", number)

    async def code_words(self, client_ids: list[str], actor: str, purpose: str
                         ) -> dict[str, list[str]]:
        """Each client's code words (only the care field is opened); every read audited."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for c in client_ids:
                pipe.hget(keys.client(c), "care")
                self.audit.record_in(pipe, actor, f"client.read:{purpose}", c)
            replies = await pipe.execute()
        out: dict[str, list[str]] = {}
        for c, sealed in zip(client_ids, replies[::2], strict=True):
            if sealed:
                care = json.loads(self.cipher.decrypt(c, "care", sealed))
                out[c] = [str(w) for w in care.get("code_words", [])]
        return out

    async def resolve(self, person: Person, expected: list[str]) -> str | None:
        """The client a platform participant is, by registrant id, email, then name.

        A display name alone only links to a client expected in this meeting.
        """
        return (await self.resolve_many([(person, expected)]))[0]

    async def resolve_many(self, people: list[tuple[Person, list[str]]]) -> list[str | None]:
        """``resolve`` for many participants in one round trip (a batch of events)."""
        asked = [self._lookups(person) for person, _ in people]
        fields = [f for lookups in asked for _, fs in lookups for f in fs]
        found = await self.redis.hmget(keys.CLIENT_IDENT, fields) if fields else []
        out: list[str | None] = []
        at = 0
        for lookups, (_, expected) in zip(asked, people, strict=True):
            picked = None
            for kind, fs in lookups:
                owners = [o for o in found[at:at + len(fs)] if o]
                at += len(fs)
                if picked is None and owners and (kind != "dn" or owners[0] in expected):
                    picked = str(owners[0])
            out.append(picked)
        return out

    def _lookups(self, person: Person) -> list[tuple[str, list[str]]]:
        """(kind, blind index fields) to look up, strongest first; each identity under every
        active key: mid-rotation, an index may still be the previous key's (``reindex``
        moves them)."""
        strong = [("registrant", person.registrant_id), ("email", person.email)]
        lookups = [(k, v) for k, v in strong if v]
        if person.display_name:
            lookups.append(("dn", person.display_name))
        return [(k, self.cipher.blind_indexes(k, v)) for k, v in lookups]

    async def by_zoom_user(self, uid: str) -> str | None:
        """The client whose Zoom account this is (the app context's ``uid``)."""
        if not uid:
            return None
        found = await self.redis.hmget(keys.CLIENT_IDENT, self.cipher.blind_indexes("uid", uid))
        return next((str(f) for f in found if f), None)

    async def reindex(self) -> int:
        """Rebuild the identity index under the primary key (after a key rotation): every
        record's identities indexed anew, every index of another key dropped. A save that
        lands meanwhile (it changes the index) makes it start again. How many index
        entries it wrote."""
        for _ in range(SAVE_RETRIES):
            async with self.redis.pipeline(transaction=True) as pipe:
                await pipe.watch(keys.CLIENT_IDENT)
                ids = sorted({k.removeprefix(keys.CLIENT_PREFIX) async for k in
                              self.redis.scan_iter(match=keys.CLIENT_PREFIX + "*")})
                fresh: dict[str, str] = {}
                for client_id in ids:
                    record = await self._load(client_id)
                    for kind, value in identities(record) if record else []:
                        fresh.setdefault(self.cipher.blind_index(kind, value), client_id)
                pipe.multi()
                pipe.delete(keys.CLIENT_IDENT)
                if fresh:
                    pipe.hset(keys.CLIENT_IDENT, mapping=fresh)
                try:
                    await pipe.execute()
                except WatchError:
                    continue
                return len(fresh)
        raise RuntimeError("client records kept changing during the re-index; run it again")
