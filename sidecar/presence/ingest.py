"""Apply accepted platform events to meeting state, from the inbox, on any replica."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from collections.abc import Awaitable, Iterable

import redis.asyncio as aioredis
from pydantic import ValidationError
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import WatchError

from contracts.events import ChatMessageSent, EventEnvelope, Person
from sidecar.infra import keys
from sidecar.infra.clock import Clock
from sidecar.infra.config import Meeting, ProgramConfig
from sidecar.infra.config_store import LiveConfig
from sidecar.infra.errors import where
from sidecar.infra.metrics import Metrics
from sidecar.infra.sealing import with_values
from sidecar.infra.stopping import check_stop
from sidecar.infra.store_client import UNAVAILABLE
from sidecar.presence.batch import Item, MeetingBatch
from sidecar.presence.chat import ChatScreen, ChatWatch
from sidecar.presence.meetings import MeetingStore
from sidecar.presence.plan import MeetingView, Plan, plan_event, plan_link
from sidecar.records.clients import ClientStore

logger = logging.getLogger(__name__)
RECLAIM_IDLE_MS = 1000  # a dead replica's unapplied events move on after this
MAX_WATCH_RETRIES = 50
BATCH = 32  # inbox entries applied together (more: fewer commands each, but a longer
#   stretch of planning during which this process answers no webhook)
_Entry = tuple[str, EventEnvelope, list[str] | None]  # id, event, a chat's decision


class Applier:
    def __init__(
        self, redis: aioredis.Redis, live: LiveConfig, meetings: MeetingStore,
        clients: ClientStore, clock: Clock, metrics: Metrics, *, consumer: str,
    ) -> None:
        self.redis = redis
        self.live = live
        self.meetings = meetings
        self.clients = clients
        self.clock = clock
        self.metrics = metrics
        self.consumer = consumer
        self.screen = ChatScreen(live, clients)  # the inbox checks chat with it as it arrives
        self.chat = ChatWatch(meetings, self.subject_of)
        self.batch = MeetingBatch(redis, meetings, self.subjects_of, self._plan, self._failed)

    @property
    def config(self) -> ProgramConfig:
        """The configuration now (an admin's change applies to the next event)."""
        return self.live.current

    async def subject_of(self, person: Person, meeting: Meeting) -> str:
        return (await self.subjects_of([(person, meeting)]))[0]

    async def subjects_of(self, asks: list[tuple[Person, Meeting]]) -> list[str]:
        """Who each participant is: a join token Tether issued (Jitsi) names them; else a
        staff e-mail; else a client record; else an unidentified participant. One round
        trip for all of them (two when some carry a join token)."""
        users = [p.platform_user_id for p, _ in asks if p.platform_user_id]
        named = dict(zip(users, await self.redis.hmget(keys.PLATFORM_USERS, users),
                         strict=True)) if users else {}
        out: list[str] = [""] * len(asks)
        unknown: list[int] = []
        for i, (person, meeting) in enumerate(asks):
            subject = named.get(person.platform_user_id) if person.platform_user_id else None
            if subject and (subject.startswith("staff:")
                            or subject.removeprefix("client:") in meeting.expected_clients):
                out[i] = str(subject)
            elif staff := self._staff_with_email(person.email):
                out[i] = f"staff:{staff}"
            else:
                unknown.append(i)
        found = await self.clients.resolve_many(
            [(asks[i][0], asks[i][1].expected_clients) for i in unknown])
        for i, client in zip(unknown, found, strict=True):
            out[i] = f"client:{client}" if client else f"participant:{asks[i][0].participant}"
        return out

    def _staff_with_email(self, email: str) -> str | None:
        folded = email.casefold()
        if not folded:
            return None
        return next((s.id for s in self.config.staff
                     if folded in (e.casefold() for e in s.zoom_emails)), None)

    async def apply(self, env: EventEnvelope, matched: list[str] | None = None) -> None:
        """Apply one event; a chat message with its check's decision (``matched``; None:
        an entry from before the inbox kept decisions, checked now)."""
        meeting_cfg = self.config.meeting_by_number(env.meeting_number)
        if meeting_cfg is None:
            self.metrics.unmapped.labels(env.platform).inc()
            return
        if isinstance(env.event, ChatMessageSent):
            if matched is None:
                matched = await self.screen.matches(env)
            # no state to change: nothing to WATCH
            await self.chat.check(env, meeting_cfg, matched)
            return
        for _ in range(MAX_WATCH_RETRIES):
            try:
                await self._apply_once(env, meeting_cfg)
                return
            except WatchError:
                continue
        raise RuntimeError(f"meeting {env.meeting} too contended to apply {env.id}")

    async def _subject(self, env: EventEnvelope, view: MeetingView, meeting_cfg: Meeting) -> str:
        person = getattr(env.event, "person", None)
        if person is None:
            return ""
        known = view.people.get(person.participant)
        if known is not None:
            return known.subject  # resolved when this participant first appeared
        return await self.subject_of(self.meetings.sealer.open_person(env, person),
                                     meeting_cfg)

    async def _apply_once(self, env: EventEnvelope, meeting_cfg: Meeting) -> None:
        m = env.meeting
        async with self.redis.pipeline(transaction=True) as pipe:
            await pipe.watch(keys.state(m))
            view = await self.meetings.read_view(pipe, m, env.meeting_number)
            subject = await self._subject(env, view, meeting_cfg)
            plan = self._plan(env, view, subject)
            if plan.empty:
                await pipe.unwatch()
                return
            jobs = await self.meetings.job_states(pipe, plan)
            pipe.multi()
            self.meetings.write(pipe, m, env.meeting_number, env.platform, plan, jobs)
            await pipe.execute()

    def _plan(self, env: EventEnvelope, view: MeetingView, subject: str) -> Plan:
        """What one event does to the meeting, under the configuration now."""
        config = self.config
        checkin = config.checkin_policy
        return plan_event(
            env, view, subject, config.callback_policy, int(self.clock.now() * 1000),
            stop_recordings=config.recording_policy.on_start == "stop",
            checkin_grace_ms=None if checkin.enforcement == "off"
            else int(checkin.grace_minutes * 60_000))

    async def link(self, meeting: str, participant: str, client: str, by: str) -> bool:
        """Link a participant to a client (a clinician's word); False if no such person."""
        meta = await self.meetings.meta(meeting)
        number = meta.get("number", "")
        for _ in range(MAX_WATCH_RETRIES):
            try:
                async with self.redis.pipeline(transaction=True) as pipe:
                    await pipe.watch(keys.state(meeting))
                    view = await self.meetings.read_view(pipe, meeting, number)
                    plan = plan_link(view, participant, client, by,
                                     self.config.callback_policy,
                                     int(self.clock.now() * 1000))
                    if plan is None or plan.empty:
                        await pipe.unwatch()
                        return plan is not None
                    jobs = await self.meetings.job_states(pipe, plan)
                    pipe.multi()
                    self.meetings.write(pipe, meeting, number, meta.get("platform", "zoom"),
                                        plan, jobs)
                    await pipe.execute()
                    return True
            except WatchError:
                continue
        raise RuntimeError(f"meeting {meeting} too contended to link {participant}")

    # ---- the inbox consumer ---------------------------------------------------------------
    async def ensure_group(self) -> None:
        try:
            await self.redis.xgroup_create(keys.INBOX, keys.INBOX_GROUP, id="0", mkstream=True)
        except aioredis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def run_once(self, block_ms: int | None = 500) -> int:
        """Apply one batch: entries a dead replica left pending, then new ones (waiting up
        to ``block_ms`` for them; None: not at all)."""
        _, stale, *_ = await self.redis.xautoclaim(
            keys.INBOX, keys.INBOX_GROUP, self.consumer, RECLAIM_IDLE_MS, "0-0", count=100)
        entries = list(stale)
        if not entries:
            got = await self.redis.xreadgroup(keys.INBOX_GROUP, self.consumer,
                                              {keys.INBOX: ">"}, count=BATCH, block=block_ms)
            entries = got[0][1] if got else []
        decoded: list[_Entry] = []
        private: set[str] = set()
        for entry_id, fields in entries:
            env = self._decode(entry_id, fields)
            if env is not None:
                decided = json.loads(fields["w"]) if "w" in fields else None
                decoded.append((entry_id, env, decided))
                if isinstance(env.event, ChatMessageSent):
                    private.add(entry_id)
            else:
                await self.redis.xack(keys.INBOX, keys.INBOX_GROUP, entry_id)
        applied, lost = await self._apply_entries(decoded)
        if applied:  # what did apply is acknowledged even when another meeting hit a blip,
            # so it is not applied twice (a chat code word alerted twice) after reclaim
            await self._ack(applied, [i for i in applied if i in private])
        if lost is not None:
            raise lost  # the rest stays pending; run_forever backs off and goes on
        return len(entries)

    async def _apply_entries(self, entries: list[_Entry]) -> tuple[list[str], Exception | None]:
        """Apply a batch: chat messages one by one (they change no state), the rest
        together (``batch.py``). The ids applied, and the store error that stopped it."""
        applied: list[str] = []
        chats: list[_Entry] = []
        changes: list[Item] = []
        for entry_id, env, matched in entries:
            meeting_cfg = self.config.meeting_by_number(env.meeting_number)
            if meeting_cfg is None:
                self.metrics.unmapped.labels(env.platform).inc()
                applied.append(entry_id)
            elif isinstance(env.event, ChatMessageSent):
                chats.append((entry_id, env, matched))
            else:
                changes.append((entry_id, env, meeting_cfg))
        if chats:
            done, lost = await self._apply_all(chats)
            applied += done
            if lost is not None:
                return applied, lost
        done, lost = await self._apply_changes(changes)
        return applied + done, lost

    async def _apply_changes(self, items: list[Item]) -> tuple[list[str], Exception | None]:
        """Apply state-changing events as one batch. If a meeting in it changed meanwhile
        (another replica applied events of it, a clinician linked someone), the batch is
        split in two by meeting and each half tried again, so a conflict costs a few small
        retries, not the whole batch each time; a single meeting falls back to the
        one-event-at-a-time path (which retries its own WATCH). On a Redis Cluster a MULTI
        stays in one slot, so there the batch is first split by meeting shard."""
        if not items:
            return [], None
        if isinstance(self.redis, RedisCluster):
            shards: dict[str, list[Item]] = defaultdict(list)
            for item in items:
                shards[keys.meeting_shard(item[1].meeting)].append(item)
            if len(shards) > 1:
                return await _together(self._apply_changes(g) for g in shards.values())
        try:
            return await self.batch.apply(items), None
        except WatchError:
            meetings = list(dict.fromkeys(env.meeting for _, env, _ in items))
            if len(meetings) > 1:
                first = set(meetings[:len(meetings) // 2])
                return await _together([
                    self._apply_changes([i for i in items if i[1].meeting in first]),
                    self._apply_changes([i for i in items if i[1].meeting not in first])])
        except UNAVAILABLE as exc:
            return [], exc
        except Exception as exc:
            logger.error("batch of %s events failed (%s); applying one by one", len(items),
                         where(exc))
        by_meeting: dict[str, list[_Entry]] = defaultdict(list)
        for entry_id, env, _ in items:  # contended or failed: one meeting at a time
            by_meeting[env.meeting].append((entry_id, env, None))
        return await _together(self._apply_all(items) for items in by_meeting.values())

    async def _ack(self, applied: list[str], private: list[str]) -> None:
        """Acknowledge applied entries and delete them in the same MULTI. No applied chat
        message (``private``, among ``applied``) may stay in Redis: its text is PHI; and
        every other applied event is in its meeting's state and timeline, so its inbox
        copy would only hold memory."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xack(keys.INBOX, keys.INBOX_GROUP, *applied)
            pipe.xdel(keys.INBOX, *applied)
            await pipe.execute()

    def _decode(self, entry_id: str, fields: dict[str, str]) -> EventEnvelope | None:
        """The entry's event, its display name and e-mail still sealed."""
        try:
            env = EventEnvelope.model_validate_json(fields.get("e", ""))
        except ValidationError:
            logger.error("inbox entry %s is not a contract event; dropped", entry_id)
            self.metrics.apply_failures.inc()
            return None
        return with_values(env, fields.get("n"), fields.get("m"))

    def _failed(self, env: EventEnvelope, exc: Exception) -> None:
        logger.error("apply failed delivery=%s meeting=%s (%s)", env.id, env.meeting, where(exc))
        self.metrics.apply_failures.inc()

    async def _apply_all(self, items: list[_Entry]) -> tuple[list[str], Exception | None]:
        """Apply one meeting's events in order: the ids applied (to acknowledge), and the
        store error that stopped it, if one did (the rest stays pending, in order)."""
        applied: list[str] = []
        for entry_id, env, matched in items:
            try:
                await self.apply(env, matched)
            except UNAVAILABLE as exc:
                return applied, exc  # this or another replica applies the rest again
            except Exception as exc:
                logger.error("apply failed delivery=%s meeting=%s (%s)", env.id, env.meeting,
                             where(exc))
                self.metrics.apply_failures.inc()
                continue  # stays pending and is retried after RECLAIM_IDLE_MS
            applied.append(entry_id)
        return applied, None

    async def run_forever(self) -> None:
        while True:
            check_stop()
            try:
                await self.ensure_group()
                while True:
                    check_stop()
                    await self.run_once()
            except UNAVAILABLE as exc:
                logger.warning("applier: redis unavailable (%s); retrying", exc)
                await asyncio.sleep(0.5)


async def _together(parts: Iterable[Awaitable[tuple[list[str], Exception | None]]]
                    ) -> tuple[list[str], Exception | None]:
    """Parts of a batch applied at once: every id applied, and the first store error."""
    done = await asyncio.gather(*parts)
    return ([entry_id for ids, _ in done for entry_id in ids],
            next((exc for _, exc in done if exc is not None), None))
