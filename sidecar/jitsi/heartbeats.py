"""Fast drop detection on Jitsi: the client's join page heartbeats every 3 s.

Prosody notices a dropped client only when its session dies (after the BOSH timeout or the
stream-management hibernation: a minute or more); the page knows at once whether it is still
in the meeting. Each heartbeat records the time it arrived in a per-participant record; the
first one of an *episode* (after a join, a drop or a leave) injects ``ParticipantJoined``
and arms a durable watchdog job. The job looks when the gap could have passed: a newer
heartbeat moves it on; silence for ``gap`` injects ``ParticipantLeft(disconnected)`` dated
at the last heartbeat, so the callback ladder's grace counts from the drop. A deliberate
leave (the page saw ``videoConferenceLeft``, ``readyToClose`` or ``pagehide``) injects
``ParticipantLeft(left)`` and disarms the watchdog.

Injected events go through the inbox like the platform's own, with delivery ids from the
participant and the episode, so a retry is a no-op and the Prosody module's later events
for the same participant agree by event time. Each page load has its own id and numbers
its beats: a beat the page sent before its leave but that arrives after it is ignored.
The record keeps the display name sealed, written with each episode's first beat only.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime

import redis.asyncio as aioredis
from redis.exceptions import WatchError

from contracts.events import (
    Event,
    EventEnvelope,
    LeaveReason,
    ParticipantJoined,
    ParticipantLeft,
    Person,
)
from contracts.ids import MeetingId, MeetingNumber, ParticipantId
from sidecar.infra import keys
from sidecar.infra.jobs import JobEngine
from sidecar.infra.store_client import watched_exists
from sidecar.presence.inbox import Inbox
from sidecar.presence.roster import PersonState

logger = logging.getLogger(__name__)
HEARTBEAT_KIND = "jitsi_heartbeat"
MAX_WATCH_RETRIES = 50


@dataclass(frozen=True)
class Beat:
    """Who a heartbeat (or leave) is from: the link names the meeting and the client; the
    page names the participant, its own instance and the beat's number."""

    meeting: str
    room: str
    client: str
    user: str  # the client's opaque platform user id
    participant: str
    name: str  # the display name in the meeting (untrusted)
    page: str
    seq: int

    def fields(self) -> dict[str, str]:
        return {k: str(v) for k, v in asdict(self).items()}

    @classmethod
    def of(cls, rec: dict[str, str]) -> Beat:
        return cls(rec["meeting"], rec["room"], rec["client"], rec["user"],
                   rec["participant"], rec["name"], rec["page"], int(rec["seq"]))

    def stale_in(self, rec: dict[str, str]) -> bool:
        """Sent by the same page before something already recorded."""
        return rec.get("page") == self.page and int(rec.get("seq", "-1")) > self.seq

    def foreign_to(self, rec: dict[str, str]) -> bool:
        """The participant's beats came from another client's link."""
        return bool(rec) and rec.get("client") != self.client


def watch_key(meeting: str, participant: str, episode: int) -> str:
    return keys.meeting_job(meeting, f"jitsi-watch:{meeting}:{participant}:{episode}")


def envelope(b: Beat, what: str, episode: int, at_ms: int, event: Event) -> EventEnvelope:
    return EventEnvelope(
        id=f"jitsi-hb:{b.meeting}:{b.participant}:{what}:{episode}", platform="jitsi",
        meeting=MeetingId(b.meeting), meeting_number=MeetingNumber(b.room),
        occurred_at=datetime.fromtimestamp(at_ms / 1000, UTC), event=event)


def _person(b: Beat) -> Person:
    return Person(participant=ParticipantId(b.participant), display_name=b.name[:200],
                  platform_user_id=b.user)


class Heartbeats:
    def __init__(self, redis: aioredis.Redis, engine: JobEngine, inbox: Inbox,
                 gap_ms: int) -> None:
        self.redis = redis
        self.engine = engine
        self.inbox = inbox
        self.sealer = inbox.sealer
        self.gap_ms = gap_ms

    def _fields(self, b: Beat, fresh: bool) -> dict[str, str]:
        """What a beat writes: the name sealed once per episode, else left as stored."""
        fields = b.fields()
        if fresh:
            fields["name"] = self.sealer.seal_name(b.meeting, b.participant, b.name[:200])
        else:
            del fields["name"]
        return fields

    def _beat_of(self, rec: dict[str, str]) -> Beat:
        """The record's beat, its name opened (for the event the inbox seals again)."""
        b = Beat.of(rec)
        return replace(b, name=self.sealer.open_name(b.meeting, b.participant, b.name))

    async def record(self, meeting: str, participant: str) -> dict[str, str]:
        return dict(await self.redis.hgetall(keys.heartbeat(meeting, participant)))

    # ---- the page's heartbeat -------------------------------------------------------------
    async def beat(self, b: Beat, now_ms: int) -> str:
        """"joined" (a new episode), "alive", "stale" (ignored), or "foreign" (refused:
        the participant is somebody else's, so no one can hold another's presence)."""
        for _ in range(MAX_WATCH_RETRIES):
            try:
                return await self._beat_once(b, now_ms)
            except WatchError:
                continue
        raise RuntimeError(f"heartbeat record {b.meeting}/{b.participant} too contended")

    async def _beat_once(self, b: Beat, now_ms: int) -> str:
        key = keys.heartbeat(b.meeting, b.participant)
        async with self.redis.pipeline(transaction=True) as pipe:
            await pipe.watch(key)
            rec = await pipe.hgetall(key)
            if b.foreign_to(rec) or (not rec and await self._claimed(b)):
                await pipe.unwatch()
                return "foreign"
            if b.stale_in(rec):
                await pipe.unwatch()
                return "stale"
            fresh = rec.get("state") != "live"
            episode = int(rec.get("episode", "0")) + (1 if fresh else 0)
            job = watch_key(b.meeting, b.participant, episode)
            armed = False
            if fresh:
                await pipe.watch(keys.job(job))
                armed = await watched_exists(pipe, keys.job(job))
                # before the record says "live": a failed append is retried by the next beat
                await self.inbox.accept([envelope(b, "joined", episode, now_ms,
                                                  ParticipantJoined(person=_person(b)))])
            pipe.multi()
            pipe.hset(key, mapping={**self._fields(b, fresh), "state": "live", "last": str(now_ms),
                                    "episode": str(episode)})
            pipe.expire(key, keys.HEARTBEAT_TTL_S)
            if fresh and not armed:
                self.engine.schedule_cmds(pipe, job, now_ms + self.gap_ms, HEARTBEAT_KIND,
                                          {"meeting": b.meeting, "participant": b.participant,
                                           "episode": episode})
            await pipe.execute()
        return "joined" if fresh else "alive"

    async def _claimed(self, b: Beat) -> bool:
        """The roster already names this participant as someone other than the client."""
        raw = await self.redis.hget(keys.state(b.meeting), keys.PERSON_FIELD + b.participant)
        subject = PersonState.from_json(raw).subject if raw else ""
        return subject.split(":", 1)[0] in ("client", "staff") and subject != f"client:{b.client}"

    # ---- a deliberate leave ---------------------------------------------------------------
    async def leave(self, b: Beat, now_ms: int) -> bool:
        """The page says the client left on purpose. False: nothing to leave (never beat,
        or a leave older than the page's latest beat)."""
        for _ in range(MAX_WATCH_RETRIES):
            try:
                left = await self._leave_once(b, now_ms)
            except WatchError:
                continue
            if left is None:
                return False
            rec, episode, at_ms = left
            # the leave first, the watchdog after: if the store fails here, the watchdog
            # still fires, finds "left" and reports it again (same delivery id)
            await self._report_leave(rec, episode, at_ms)
            await self.engine.cancel(watch_key(b.meeting, b.participant, episode), "left")
            return True
        raise RuntimeError(f"heartbeat record {b.meeting}/{b.participant} too contended")

    async def _leave_once(self, b: Beat, now_ms: int
                          ) -> tuple[dict[str, str], int, int] | None:
        key = keys.heartbeat(b.meeting, b.participant)
        async with self.redis.pipeline(transaction=True) as pipe:
            await pipe.watch(key)
            rec = await pipe.hgetall(key)
            if not rec or b.foreign_to(rec) or b.stale_in(rec):
                await pipe.unwatch()
                return None
            episode = int(rec["episode"])
            if rec["state"] == "left":  # told twice (videoConferenceLeft, then pagehide)
                await pipe.unwatch()
                return rec, episode, int(rec["left_at"])
            pipe.multi()
            pipe.hset(key, mapping={"state": "left", "left_at": str(now_ms),
                                    "page": b.page, "seq": str(max(b.seq, int(rec["seq"])))})
            pipe.expire(key, keys.HEARTBEAT_TTL_S)
            await pipe.execute()
        return rec, episode, now_ms

    # ---- the watchdog's decision ----------------------------------------------------------
    async def check(self, meeting: str, participant: str, episode: int, now_ms: int
                    ) -> int | str:
        """When to look again (ms), or what became of the episode: "superseded", "left"
        or "dropped" (then the disconnect is in the inbox)."""
        for _ in range(MAX_WATCH_RETRIES):
            try:
                verdict, rec = await self._check_once(meeting, participant, episode, now_ms)
            except WatchError:
                continue
            if verdict == "dropped":
                await self._report_drop(rec, episode)
            elif verdict == "left":
                await self._report_leave(rec, episode, int(rec["left_at"]))
            return verdict
        raise RuntimeError(f"heartbeat record {meeting}/{participant} too contended")

    def _verdict(self, rec: dict[str, str], episode: int, now_ms: int) -> int | str:
        if not rec or rec.get("episode") != str(episode):
            return "superseded"
        if rec["state"] in ("left", "dropped"):
            return rec["state"]
        due = int(rec["last"]) + self.gap_ms
        return due if now_ms < due else "silent"

    async def _check_once(self, meeting: str, participant: str, episode: int, now_ms: int
                          ) -> tuple[int | str, dict[str, str]]:
        key = keys.heartbeat(meeting, participant)
        async with self.redis.pipeline(transaction=True) as pipe:
            await pipe.watch(key)
            rec = await pipe.hgetall(key)
            verdict = self._verdict(rec, episode, now_ms)
            if verdict != "silent":
                await pipe.unwatch()
                return verdict, rec
            pipe.multi()
            pipe.hset(key, "state", "dropped")
            pipe.expire(key, keys.HEARTBEAT_TTL_S)
            await pipe.execute()
        return "dropped", rec

    async def _report_leave(self, rec: dict[str, str], episode: int, at_ms: int) -> None:
        """The deliberate leave (again, harmlessly, when the watchdog finds it: one id)."""
        b = self._beat_of(rec)
        event = ParticipantLeft(person=_person(b), reason=LeaveReason.LEFT)
        await self.inbox.accept([envelope(b, "left", episode, at_ms, event)])

    async def _report_drop(self, rec: dict[str, str], episode: int) -> None:
        """The disconnect, dated at the last heartbeat (again after a failed append: the
        delivery id makes the second one a no-op)."""
        b = self._beat_of(rec)
        last = int(rec["last"])
        logger.info("jitsi heartbeat silent meeting=%s participant=%s since=%s", b.meeting,
                    b.participant, last)
        event = ParticipantLeft(person=_person(b), reason=LeaveReason.DISCONNECTED,
                                reason_text="the join page stopped sending heartbeats")
        await self.inbox.accept([envelope(b, "dropped", episode, last, event)])
