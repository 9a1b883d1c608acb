"""Everything one sidecar process holds, built and torn down in one place."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import redis.asyncio as aioredis

from plugins.base import AppContextReader
from sidecar import keys
from sidecar.audit import Audit
from sidecar.auth import TokenIssuer
from sidecar.checkin import CheckInLinks, CheckInStore
from sidecar.checkin_sms import CheckInTexter
from sidecar.clients import ClientStore
from sidecar.clock import Clock
from sidecar.config import ProgramConfig
from sidecar.crypto import FieldCipher, derive, new_data_key, parse_data_key
from sidecar.directory import DirectoryStore
from sidecar.heartbeat import HEARTBEAT_KIND, Heartbeats
from sidecar.inbox import Inbox
from sidecar.incidents.store import IncidentStore
from sidecar.ingest import Applier
from sidecar.jitsi_join import JitsiGate, current_session
from sidecar.jobs import JobEngine
from sidecar.meetings import MeetingStore
from sidecar.metrics import Metrics
from sidecar.registry import app_context_reader, jitsi_minter, meeting_commands
from sidecar.settings import Settings
from sidecar.store import EmbeddedRedis, connect
from sidecar.telephony import CallRef, Dialer, TelephonyError
from sidecar.telephony.twilio import TwilioDialer
from sidecar.workflows.aftercare import AFTERCARE_KIND, AftercareDue
from sidecar.workflows.checkin_reminder import CheckInReminder
from sidecar.workflows.heartbeat import HeartbeatWatchdog
from sidecar.workflows.ladder import CallbackLadder, LadderDeps
from sidecar.workflows.plan import CHECKIN_KIND, LADDER_KIND, RECORDING_GUARD_KIND
from sidecar.workflows.recording import RecordingGuard

logger = logging.getLogger(__name__)
AUDIT_EVERY_S = 5.0
OVERDUE_SLACK_MS = 5000


class UnconfiguredDialer:
    """Stands in when no telephony credentials are set: every dial fails loudly."""

    async def place_call(self, to: str, *, status_url: str, twiml_url: str,
                         ring_timeout_s: int) -> CallRef:
        raise TelephonyError("telephony is not configured (TWILIO_* variables)")

    async def find_call(self, to: str, created_after_ms: int) -> CallRef | None:
        return None

    async def call_status(self, sid: str) -> str:
        raise TelephonyError("telephony is not configured")

    async def send_sms(self, to: str, body: str) -> str:
        raise TelephonyError("telephony is not configured")


def data_key(settings: Settings, embedded: bool) -> bytes:
    text = settings.tether_data_key.get_secret_value()
    if text:
        return parse_data_key(text)
    if not embedded:
        raise RuntimeError("TETHER_DATA_KEY must be set when TETHER_REDIS_URL is set")
    path = settings.tether_data_dir / "secrets" / "data.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(new_data_key())
        logger.warning("generated a development data key at %s (set TETHER_DATA_KEY in "
                       "production)", path)
    return parse_data_key(path.read_text().strip())


@dataclass
class Tether:
    settings: Settings
    config: ProgramConfig
    clock: Clock
    redis: aioredis.Redis
    metrics: Metrics
    engine: JobEngine
    inbox: Inbox
    meetings: MeetingStore
    clients: ClientStore
    audit: Audit
    applier: Applier
    tokens: TokenIssuer
    dialer: Dialer
    telephony_ready: bool
    worker_id: str
    checkins: CheckInStore
    links: CheckInLinks
    app_context: AppContextReader | None
    incidents: IncidentStore = field(kw_only=True)
    directory: DirectoryStore = field(kw_only=True)
    jitsi: JitsiGate = field(kw_only=True)  # join links' tokens (sidecar/jitsi_join.py)
    heartbeats: Heartbeats = field(kw_only=True)  # join pages' heartbeats (sidecar/heartbeat.py)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def jitsi_moderator_token(self, room: str, staff_id: str) -> str | None:
        """A moderator join token for today's session of ``room`` (None: no key set)."""
        staff = self.config.staff_by_id(staff_id)
        now = self.clock.now()
        meeting = await current_session(self.meetings, room, now,
                                        self.config.program.time_zone)
        grant = await self.jitsi.grant(f"staff:{staff_id}", room, meeting,
                                       staff.name if staff else staff_id, now=now)
        return grant.jwt

    def alive(self) -> bool:
        return bool(self.tasks) and all(not t.done() for t in self.tasks)

    async def audit_forever(self) -> None:
        """Alarm on jobs that should have fired; heartbeat this worker."""
        while True:
            with contextlib.suppress(aioredis.RedisError, OSError):
                now = self.engine.now_ms()
                overdue = await self.redis.zcount(keys.JOBS_DUE, "-inf", now - OVERDUE_SLACK_MS)
                self.metrics.overdue_jobs.set(overdue)
                if overdue:
                    logger.error("auditor: %s jobs overdue by more than %s ms", overdue,
                                 OVERDUE_SLACK_MS)
                await self.redis.hset(keys.WORKERS, self.worker_id, now)
            await self.clock.sleep(AUDIT_EVERY_S)


async def supervise(embedded: EmbeddedRedis) -> None:
    """Restart the embedded server if it dies; AOF brings every acknowledged write back."""
    while True:
        await asyncio.sleep(0.5)
        if embedded.process is not None and embedded.process.poll() is not None:
            logger.error("embedded redis exited (%s); restarting", embedded.process.returncode)
            with contextlib.suppress(OSError):
                embedded.socket.unlink()
            embedded.start()
            with contextlib.suppress(RuntimeError):
                await embedded.wait_ready()


@contextlib.asynccontextmanager
async def open_store(settings: Settings) -> AsyncIterator[tuple[aioredis.Redis, bool]]:
    embedded = None
    url = settings.tether_redis_url
    if not url:
        candidate = EmbeddedRedis(Path(settings.tether_data_dir) / "redis")
        if await candidate.answering():
            logger.info("using the embedded redis another tether process runs at %s",
                        candidate.url)
        else:
            embedded = candidate
            embedded.start()
            await embedded.wait_ready()
            logger.info("started the embedded redis at %s (AOF on)", embedded.url)
        url = candidate.url
    redis = connect(url)
    watcher = asyncio.create_task(supervise(embedded)) if embedded is not None else None
    try:
        yield redis, not settings.tether_redis_url
    finally:
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        await redis.aclose()
        if embedded is not None:
            embedded.stop()


def build_dialer(settings: Settings, config: ProgramConfig, http: httpx.AsyncClient
                 ) -> tuple[Dialer, bool]:
    token = settings.twilio_auth_token.get_secret_value()
    if not (settings.twilio_account_sid and token and settings.twilio_from_number):
        logger.error("TWILIO_* not set: callbacks cannot be placed")
        return UnconfiguredDialer(), False
    return TwilioDialer(http, base_url=settings.twilio_api_base_url,
                        account_sid=settings.twilio_account_sid, auth_token=token,
                        from_number=settings.twilio_from_number), True


def build(settings: Settings, config: ProgramConfig, clock: Clock, redis: aioredis.Redis,
          key: bytes, http: httpx.AsyncClient) -> Tether:
    metrics = Metrics.create()
    worker_id = f"w-{uuid.uuid4().hex[:10]}"
    engine = JobEngine(redis, clock, owner=worker_id, on_claim=lambda job: metrics.job_lag.labels(
        job.kind).observe(max(0, job.claimed_at_ms - job.due_ms) / 1000))
    audit = Audit(redis, clock)
    clients = ClientStore(redis, FieldCipher(key), audit)
    meetings = MeetingStore(redis, engine)
    checkins = CheckInStore(redis, FieldCipher(key))
    dialer, ready = build_dialer(settings, config, http)
    ladder = CallbackLadder(LadderDeps(redis, engine, meetings, clients, config, dialer,
                                       metrics, settings.tether_public_url.rstrip("/"),
                                       checkins))
    engine.handlers[LADDER_KIND] = ladder
    engine.handlers[RECORDING_GUARD_KIND] = RecordingGuard(
        engine, meetings, meeting_commands(settings, http))
    links = CheckInLinks(derive(key, "tether/checkin-links/v1"))
    texter = CheckInTexter(links, clients, dialer, settings.tether_public_url.rstrip("/"))
    engine.handlers[CHECKIN_KIND] = CheckInReminder(
        engine, meetings, checkins, texter if config.checkin_policy.reprompt_by_sms else None)
    incidents = IncidentStore(redis, FieldCipher(key))
    engine.handlers[AFTERCARE_KIND] = AftercareDue(engine, meetings, incidents, metrics)
    applier = Applier(redis, config, meetings, clients, clock, metrics, consumer=worker_id)
    inbox = Inbox(redis)
    heartbeats = Heartbeats(redis, engine, inbox,
                            gap_ms=int(settings.jitsi_heartbeat_gap_seconds * 1000))
    engine.handlers[HEARTBEAT_KIND] = HeartbeatWatchdog(heartbeats)
    gate = JitsiGate(redis, jitsi_minter(settings), derive(key, "tether/jitsi-users/v1"),
                     settings.jitsi_domain)
    return Tether(settings, config, clock, redis, metrics, engine, inbox, meetings,
                  clients, audit, applier, TokenIssuer(derive(key, "tether/tokens/v1"), config),
                  dialer, ready, worker_id, checkins,
                  links,
                  app_context_reader(settings), incidents=incidents,
                  directory=DirectoryStore(redis, audit), jitsi=gate,
                  heartbeats=heartbeats)
