"""Apply accepted platform events to meeting state, from the inbox, on any replica."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict

import redis.asyncio as aioredis
from pydantic import ValidationError
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
from sidecar.presence.chat import ChatScreen, ChatWatch
from sidecar.presence.meetings import MeetingStore
from sidecar.presence.plan import MeetingView, plan_event, plan_link
from sidecar.records.clients import ClientStore

logger = logging.getLogger(__name__)
RECLAIM_IDLE_MS = 1000  # a dead replica's unapplied events move on after this
MAX_WATCH_RETRIES = 50
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

    @property
    def config(self) -> ProgramConfig:
        """The configuration now (an admin's change applies to the next event)."""
        return self.live.current

    async def subject_of(self, person: Person, meeting: Meeting) -> str:
        if person.platform_user_id:  # a join token Tether issued (Jitsi): it names them
            subject = await self.redis.hget(keys.PLATFORM_USERS, person.platform_user_id)
            if subject and (subject.startswith("staff:")
                            or subject.removeprefix("client:") in meeting.expected_clients):
                return str(subject)
        email = person.email.casefold()
        for s in self.config.staff:
            if email and email in (e.casefold() for e in s.zoom_emails):
                return f"staff:{s.id}"
        client = await self.clients.resolve(person, meeting.expected_clients)
        return f"client:{client}" if client else f"participant:{person.participant}"

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
            now_ms = int(self.clock.now() * 1000)
            config = self.config
            checkin = config.checkin_policy
            plan = plan_event(
                env, view, subject, config.callback_policy, now_ms,
                stop_recordings=config.recording_policy.on_start == "stop",
                checkin_grace_ms=None if checkin.enforcement == "off"
                else int(checkin.grace_minutes * 60_000))
            if plan.empty:
                await pipe.unwatch()
                return
            jobs = await self.meetings.job_states(pipe, plan)
            pipe.multi()
            self.meetings.write(pipe, m, env.meeting_number, env.platform, plan, jobs)
            await pipe.execute()

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

    async def run_once(self, block_ms: int = 500) -> int:
        """Apply one batch: entries a dead replica left pending, then new ones."""
        _, stale, *_ = await self.redis.xautoclaim(
            keys.INBOX, keys.INBOX_GROUP, self.consumer, RECLAIM_IDLE_MS, "0-0", count=100)
        entries = list(stale)
        if not entries:
            got = await self.redis.xreadgroup(keys.INBOX_GROUP, self.consumer,
                                              {keys.INBOX: ">"}, count=200, block=block_ms)
            entries = got[0][1] if got else []
        by_meeting: dict[str, list[_Entry]] = defaultdict(list)
        private: set[str] = set()
        for entry_id, fields in entries:
            env = self._decode(entry_id, fields)
            if env is not None:
                decided = json.loads(fields["w"]) if "w" in fields else None
                by_meeting[env.meeting].append((entry_id, env, decided))
                if isinstance(env.event, ChatMessageSent):
                    private.add(entry_id)
            else:
                await self.redis.xack(keys.INBOX, keys.INBOX_GROUP, entry_id)
        done = await asyncio.gather(*(self._apply_all(items) for items in by_meeting.values()))
        applied = [entry_id for ids, _ in done for entry_id in ids]
        if applied:  # what did apply is acknowledged even when another meeting hit a blip,
            # so it is not applied twice (a chat code word alerted twice) after reclaim
            await self._ack(applied, [i for i in applied if i in private])
        lost = next((exc for _, exc in done if exc is not None), None)
        if lost is not None:
            raise lost  # the rest stays pending; run_forever backs off and goes on
        return len(entries)

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

    async def _apply_all(self, items: list[_Entry]) -> tuple[list[str], Exception | None]:
        """Apply one meeting's events in order: the ids applied (to acknowledge), and the
        store error that stopped it, if one did (the rest stays pending, in order)."""
        applied: list[str] = []
        for entry_id, env, matched in items:
            try:
                await self.apply(env, matched)
            except (aioredis.ConnectionError, aioredis.TimeoutError, OSError) as exc:
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
            except (aioredis.ConnectionError, aioredis.TimeoutError, OSError) as exc:
                logger.warning("applier: redis unavailable (%s); retrying", exc)
                await asyncio.sleep(0.5)
