"""Everything one sidecar process holds, built and torn down in one place."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

import httpx
import redis.asyncio as aioredis
from aiohttp import web

from plugins.base import AppContextReader
from sidecar.attendance.deps import ATTENDANCE, AttendanceDeps
from sidecar.attendance.recorder import AttendanceRecorder
from sidecar.attendance.store import AttendanceStore
from sidecar.callbacks.deps import CALLBACKS, CallbackDeps
from sidecar.callbacks.ladder import CallbackLadder, LadderDeps
from sidecar.callbacks.sms import Texter
from sidecar.checkin.code_store import CodeStore
from sidecar.checkin.deps import CHECKIN, CheckInDeps
from sidecar.checkin.reminder import CheckInReminder
from sidecar.checkin.sms import CheckInTexter, CodeTexter
from sidecar.checkin.store import CheckInLinks, CheckInStore
from sidecar.coaching.deps import COACHING, CoachingDeps
from sidecar.coaching.store import PageStore
from sidecar.incidents.aftercare import AFTERCARE_KIND, AftercareDue
from sidecar.incidents.agreement_reminder import AGREEMENT_KIND, AgreementReminder
from sidecar.incidents.agreement_store import AgreementStore
from sidecar.incidents.deps import INCIDENTS, IncidentDeps
from sidecar.incidents.proactive import PROACTIVE_KIND, ProactiveDue
from sidecar.incidents.store import IncidentNotFound, IncidentStore
from sidecar.infra import access, key_layout, keyring_file, keys
from sidecar.infra.audit import Audit
from sidecar.infra.auth import Authenticator, TokenIssuer
from sidecar.infra.breakglass import BreakGlass
from sidecar.infra.clock import Clock
from sidecar.infra.config import ProgramConfig
from sidecar.infra.config_store import ConfigFollower, ConfigStore, LiveConfig
from sidecar.infra.crypto import FieldCipher
from sidecar.infra.jobs import JobEngine
from sidecar.infra.keyring import Keyring, SigningKeys
from sidecar.infra.mail import SmtpMailer
from sidecar.infra.metrics import Metrics
from sidecar.infra.problems import StartupProblem
from sidecar.infra.revocations import Revocations
from sidecar.infra.sealing import Sealer
from sidecar.infra.sessions import SessionPolicy, SessionStore
from sidecar.infra.settings import Settings
from sidecar.infra.stopping import cancel_and_wait, check_stop
from sidecar.infra.store import EmbeddedRedis, connect
from sidecar.infra.store_client import StoreClient
from sidecar.infra.telephony import CallRef, Dialer, TelephonyError
from sidecar.infra.telephony.twilio import TwilioDialer
from sidecar.jitsi.deps import JITSI, JitsiDeps
from sidecar.jitsi.gate import JitsiGate, day_of, join_url, link_expiry_ms, room_of
from sidecar.jitsi.heartbeats import HEARTBEAT_KIND, Heartbeats
from sidecar.jitsi.watchdog import HeartbeatWatchdog
from sidecar.panel.deps import PANEL, PanelDeps
from sidecar.plan.deps import PLAN, PlanDeps
from sidecar.plan.links import PURPOSE as PLAN_LINKS_PURPOSE
from sidecar.plan.links import PlanLinks
from sidecar.plan.sending import (
    MAIL_KIND,
    REVIEW_KIND,
    SEND_KIND,
    MailJob,
    PlanSending,
    ReviewJob,
    SendJob,
    after_save,
)
from sidecar.presence.deps import PRESENCE, PresenceDeps
from sidecar.presence.inbox import Inbox
from sidecar.presence.ingest import Applier
from sidecar.presence.meetings import MeetingStore
from sidecar.presence.plan import ATTENDANCE_KIND, CHECKIN_KIND, LADDER_KIND, RECORDING_GUARD_KIND
from sidecar.records.clients import ClientStore
from sidecar.records.deps import RECORDS, RecordsDeps
from sidecar.records.directory import DirectoryStore
from sidecar.records.oncall import on_call_now
from sidecar.registry import (
    app_context_reader,
    bridge_script,
    jitsi_minter,
    meeting_commands,
    zoom_sdk_module,
)
from sidecar.signin.deps import SIGNIN, SigninDeps
from sidecar.signin.oidc import OidcClient, OidcSettings
from sidecar.web.deps import WEB, WebDeps
from sidecar.zoom.deps import ZOOM, ZoomDeps
from sidecar.zoom.recording_guard import RecordingGuard

logger = logging.getLogger(__name__)
AUDIT_EVERY_S = 5.0
TRIM_EVERY_S = 3600.0  # the audit record is trimmed by age at most this often
SUPERVISOR_STOP_S = 1.0
OVERDUE_SLACK_MS = 5000


class UnconfiguredDialer:
    """Stands in when no telephony credentials are set: every dial fails loudly."""

    async def place_call(self, to: str, *, status_url: str, twiml_url: str, amd_url: str,
                         ring_timeout_s: int) -> CallRef:
        raise TelephonyError("telephony is not configured (TWILIO_* variables)")

    async def find_call(self, to: str, created_after_ms: int) -> CallRef | None:
        return None

    async def call_status(self, sid: str) -> str:
        raise TelephonyError("telephony is not configured")

    async def send_sms(self, to: str, body: str, *, status_url: str = "") -> str:
        raise TelephonyError("telephony is not configured")

    async def aclose(self) -> None:
        return None


def data_key(settings: Settings, embedded: bool) -> Keyring:
    """The process's keyring: its file, the single key in the environment, or the embedded
    store's development keyring (``sidecar/infra/keyring_file.py``)."""
    return keyring_file.load(settings, embedded)


@dataclass
class Tether:
    settings: Settings
    live: LiveConfig  # the program's configuration now (swapped when an admin saves)
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
    codes: CodeStore = field(kw_only=True)  # one-time check-in codes, hashed
    incidents: IncidentStore = field(kw_only=True)
    directory: DirectoryStore = field(kw_only=True)
    jitsi: JitsiGate = field(kw_only=True)  # join links' tokens (sidecar/jitsi/gate.py)
    heartbeats: Heartbeats = field(kw_only=True)  # join pages' heartbeats
    sessions: SessionStore = field(kw_only=True)  # staff sessions (cookies)
    oidc: OidcClient | None = field(kw_only=True)  # the identity provider (None: not set up)
    revocations: Revocations = field(kw_only=True)  # ending sessions on every replica
    breakglass: BreakGlass = field(kw_only=True)  # clients opened outside one's groups
    config_store: ConfigStore = field(kw_only=True)  # the configuration's documents
    keyring: Keyring = field(kw_only=True)  # the data keys (reloaded after a rotation)
    cipher: FieldCipher = field(kw_only=True)  # seals PHI with the keyring's primary key
    plan_sending: PlanSending = field(kw_only=True)  # plan links and their texts (sidecar/plan)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def config(self) -> ProgramConfig:
        return self.live.current

    async def load_config(self, source: str) -> None:
        """Seed an empty store with the program file's configuration, then run on what the
        store holds (what admins saved in the browser wins over the file)."""
        if not await self.config_store.seed(self.live.current, f"file:{source}"):
            logger.info("the store holds the program's configuration; %s only seeds an "
                        "empty store (use `tether config import` to replace it)", source)
        await ConfigFollower(self.config_store, self.live).refresh()

    def authenticator(self) -> Authenticator:
        return Authenticator(self.live, self.clock, self.tokens, self.sessions,
                             self.revocations, self.audit)

    def alive(self) -> bool:
        return bool(self.tasks) and all(not t.done() for t in self.tasks)

    async def audit_forever(self) -> None:
        """Alarm on jobs that should have fired; heartbeat this worker; hourly, drop the
        audit entries older than the retention."""
        next_trim = 0.0
        while True:
            check_stop()
            with contextlib.suppress(aioredis.RedisError, OSError):
                now = self.engine.now_ms()
                overdue = await self.engine.overdue(now - OVERDUE_SLACK_MS)
                self.metrics.overdue_jobs.set(overdue)
                if overdue:
                    logger.error("auditor: %s jobs overdue by more than %s ms", overdue,
                                 OVERDUE_SLACK_MS)
                await self.redis.hset(keys.WORKERS, self.worker_id, now)
                if self.clock.now() >= next_trim:
                    next_trim = self.clock.now() + TRIM_EVERY_S
                    await self.trim_audit()
            await self.clock.sleep(AUDIT_EVERY_S)

    async def trim_audit(self) -> int:
        days = self.settings.tether_audit_retention_days
        removed = await self.audit.trim(days)
        if removed:
            logger.info("auditor: trimmed %s audit entries older than %g days", removed, days)
        return removed


async def supervise(embedded: EmbeddedRedis, stop: asyncio.Event) -> None:
    """Restart the embedded server if it dies; AOF brings every acknowledged write back.
    Ends when ``stop`` is set, even if a library swallowed the task's cancellation."""
    while not stop.is_set():
        check_stop()
        stopped = asyncio.ensure_future(stop.wait())
        try:  # not wait_for, which can swallow a cancel that meets the timeout
            await asyncio.wait({stopped}, timeout=0.5)
        finally:
            stopped.cancel()
        if stop.is_set():
            return
        if embedded.process is not None and embedded.process.poll() is not None:
            logger.error("embedded redis exited (%s); restarting", embedded.process.returncode)
            with contextlib.suppress(OSError):
                embedded.socket.unlink()
            embedded.start()
            with contextlib.suppress(RuntimeError):
                await embedded.wait_ready()


@contextlib.asynccontextmanager
async def open_store(settings: Settings) -> AsyncIterator[tuple[StoreClient, bool]]:
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
    stop = asyncio.Event()
    watcher = (asyncio.create_task(supervise(embedded, stop)) if embedded is not None
               else None)
    try:
        await key_layout.upgrade(redis)  # a store an earlier version wrote: today's names
        yield redis, not settings.tether_redis_url
    finally:
        stop.set()
        if watcher is not None:
            # never wait forever: a cancellation swallowed inside a client library once
            # left this await hanging and the process unable to shut down
            await cancel_and_wait({watcher}, SUPERVISOR_STOP_S, "embedded redis supervisor")
        try:
            await redis.aclose()
        finally:  # the server stops even if the client could not close cleanly
            if embedded is not None:
                embedded.stop()


def build_dialer(settings: Settings, config: ProgramConfig) -> tuple[Dialer, bool]:
    token = settings.twilio_auth_token.get_secret_value()
    if not (settings.twilio_account_sid and token and settings.twilio_from_number):
        logger.error("TWILIO_* not set: callbacks cannot be placed")
        return UnconfiguredDialer(), False
    return TwilioDialer(base_url=settings.twilio_api_base_url,
                        account_sid=settings.twilio_account_sid, auth_token=token,
                        from_number=settings.twilio_from_number,
                        timeout_s=config.telephony.request_timeout_seconds,
                        concurrency=config.telephony.concurrent_requests), True


def build(settings: Settings, config: ProgramConfig, clock: Clock, redis: aioredis.Redis,
          key: Keyring | bytes, http: httpx.AsyncClient) -> Tether:
    keyring = key if isinstance(key, Keyring) else Keyring.single(key)
    cipher = FieldCipher(keyring)
    metrics = Metrics.create()
    worker_id = f"w-{uuid.uuid4().hex[:10]}"
    live = LiveConfig(config)
    engine = JobEngine(redis, clock, owner=worker_id, on_claim=lambda job: metrics.job_lag.labels(
        job.kind).observe(max(0, job.claimed_at_ms - job.due_ms) / 1000))
    audit = Audit(redis, clock)
    clients = ClientStore(redis, cipher, audit)
    sealer = Sealer(cipher)  # display names, e-mails, dialled numbers, staff notes, spool
    meetings = MeetingStore(redis, engine, sealer)
    checkins = CheckInStore(redis, cipher, audit)
    dialer, ready = build_dialer(settings, config)
    links = CheckInLinks(SigningKeys(keyring, "tether/checkin-links/v1"), audit)
    public_url = settings.tether_public_url.rstrip("/")

    async def rejoin_link(meeting: str, client: str, program_meeting: str) -> str | None:
        """A Jitsi session's join page (a fresh session link), else the group's Zoom link."""
        if room_of(meeting):
            expires = link_expiry_ms(day_of(meeting), live.current.program.time_zone)
            token = await links.mint(meeting, client, expires, by="ladder",
                                     purpose=f"rejoin:{meeting}")
            return join_url(public_url, token, meeting)
        group = live.current.meeting_by_number(program_meeting)
        return group.join_url if group else None

    ladder = CallbackLadder(LadderDeps(redis, engine, meetings, clients, live, dialer,
                                       metrics, public_url, checkins, rejoin_link))
    engine.handlers[LADDER_KIND] = ladder
    engine.handlers[RECORDING_GUARD_KIND] = RecordingGuard(
        engine, meetings, meeting_commands(settings, http))
    texter = CheckInTexter(links, clients, dialer, settings.tether_public_url.rstrip("/"))
    engine.handlers[CHECKIN_KIND] = CheckInReminder(
        engine, meetings, checkins,
        lambda: texter if live.current.checkin_policy.reprompt_by_sms else None)
    incidents = IncidentStore(redis, cipher)
    engine.handlers[AFTERCARE_KIND] = AftercareDue(engine, meetings, incidents, metrics)
    engine.handlers[PROACTIVE_KIND] = ProactiveDue(engine, meetings, incidents, clients, live,
                                                   dialer, redis, metrics, public_url, audit)
    engine.handlers[AGREEMENT_KIND] = AgreementReminder(engine, meetings,
                                                        AgreementStore(redis, cipher), incidents)
    applier = Applier(redis, live, meetings, clients, clock, metrics, consumer=worker_id)
    inbox = Inbox(redis, sealer, applier.screen.matches)
    heartbeats = Heartbeats(redis, engine, inbox,
                            gap_ms=int(settings.jitsi_heartbeat_gap_seconds * 1000))
    engine.handlers[HEARTBEAT_KIND] = HeartbeatWatchdog(heartbeats)
    engine.handlers[ATTENDANCE_KIND] = AttendanceRecorder(live, clock, meetings,
                                                          AttendanceStore(redis))
    sessions = SessionStore(redis, SessionPolicy(
        idle_ms=int(settings.tether_session_idle_minutes * 60_000),
        max_ms=int(settings.tether_session_max_hours * 3_600_000)))
    gate = JitsiGate(redis, jitsi_minter(settings), keyring,
                     settings.jitsi_domain, audit)
    tokens = TokenIssuer(SigningKeys(keyring, "tether/tokens/v1"), live)
    mailer = build_mailer(settings)
    plan_sending = PlanSending(
        PlanLinks(redis, cipher, SigningKeys(keyring, PLAN_LINKS_PURPOSE)), clients, engine,
        live, audit, mail_ready=mailer is not None)
    engine.handlers[SEND_KIND] = SendJob(plan_sending, dialer, public_url)
    engine.handlers[REVIEW_KIND] = ReviewJob(plan_sending)
    if mailer is not None:
        engine.handlers[MAIL_KIND] = MailJob(plan_sending, mailer, public_url)
    return Tether(settings, live, clock, redis, metrics, engine, inbox, meetings,
                  clients, audit, applier, tokens,
                  dialer, ready, worker_id, checkins,
                  links,
                  app_context_reader(settings), incidents=incidents,
                  directory=DirectoryStore(redis, audit), jitsi=gate,
                  heartbeats=heartbeats,
                  codes=CodeStore(redis, SigningKeys(keyring, "tether/checkin-codes/v1")),
                  sessions=sessions, revocations=Revocations(redis, sessions),
                  oidc=identity_provider(settings, http),
                  breakglass=BreakGlass(redis, cipher,
                                        int(settings.tether_break_glass_minutes * 60_000)),
                  config_store=ConfigStore(redis, clock, audit), keyring=keyring, cipher=cipher,
                  plan_sending=plan_sending)


def build_mailer(settings: Settings) -> SmtpMailer | None:
    """The SMTP server for plan links' e-mails (``TETHER_SMTP_URL``), None when unset."""
    try:
        return SmtpMailer.from_settings(settings.tether_smtp_url.get_secret_value(),
                                        settings.tether_smtp_from)
    except ValueError as exc:
        raise StartupProblem(str(exc)) from exc


def identity_provider(settings: Settings, http: httpx.AsyncClient) -> OidcClient | None:
    """The program's identity provider, when the three OIDC settings are made."""
    if not settings.tether_oidc_issuer.strip() or settings.oidc_problem():
        return None
    return OidcClient(OidcSettings(
        issuer=settings.tether_oidc_issuer.strip(),  # exactly as the provider writes it
        client_id=settings.tether_oidc_client_id.strip(),
        client_secret=settings.tether_oidc_client_secret.get_secret_value(),
        redirect_uri=settings.tether_public_url.rstrip("/") + "/auth/callback",
        require_mfa=settings.tether_oidc_require_mfa,
        accept_unstated_email=settings.tether_oidc_accept_unstated_email), http)


TETHER: web.AppKey[Tether] = web.AppKey("tether", Tether)


@dataclass(frozen=True)
class _ScopeLookup:
    """Which group a meeting instance or an incident belongs to, for the access gate."""

    live: LiveConfig
    meetings: MeetingStore
    incidents: IncidentStore

    async def meeting_number(self, meeting: str) -> str | None:
        return (await self.meetings.meta(meeting)).get("number") or None

    async def incident_of(self, incident: str) -> tuple[str, str] | None:
        try:
            found = await self.incidents.get(incident)
        except IncidentNotFound:
            return None
        return found.meeting_number, found.client

    async def incident_client(self, incident: str) -> str | None:
        found = await self.incident_of(incident)
        return found[1] if found else None

    def on_call_now(self, now_ms: int) -> set[str]:
        return {s.id for s in on_call_now(self.live.current, now_ms)}


class _Base(TypedDict):
    """What every capability's routes use: the program, the clock, staff tokens."""
    live: LiveConfig
    clock: Clock
    tokens: TokenIssuer


def wire(app: web.Application, t: Tether) -> None:
    """Give each capability's routes the few things they use, and nothing else."""
    app[TETHER] = t  # the composition root's own handle (CLI, demo, tests)
    lookup = _ScopeLookup(t.live, t.meetings, t.incidents)
    app[access.GATE] = access.Gate(t.live, t.clock, t.authenticator(), t.audit, lookup,
                                   t.breakglass)
    base = _Base(live=t.live, clock=t.clock, tokens=t.tokens)
    app[PRESENCE] = PresenceDeps(**base, audit=t.audit, redis=t.redis, meetings=t.meetings,
                                 applier=t.applier, sessions=t.sessions,
                                 revocations=t.revocations)
    app[PANEL] = PanelDeps(**base, redis=t.redis, meetings=t.meetings, clients=t.clients,
                           checkins=t.checkins, directory=t.directory)
    app[RECORDS] = RecordsDeps(**base, redis=t.redis, clients=t.clients,
                               directory=t.directory, config_store=t.config_store,
                               revocations=t.revocations,
                               after_save=lambda old, new: after_save(t.plan_sending, old, new))
    app[PLAN] = PlanDeps(**base, audit=t.audit, clients=t.clients, directory=t.directory,
                         links=t.plan_sending.links, sending=t.plan_sending, redis=t.redis)
    checkin = CheckInDeps(**base, settings=t.settings, audit=t.audit, meetings=t.meetings,
                          applier=t.applier, clients=t.clients, checkins=t.checkins,
                          links=t.links, dialer=t.dialer)
    app[CHECKIN] = checkin
    app[CALLBACKS] = CallbackDeps(
        **base, settings=t.settings, audit=t.audit, redis=t.redis, metrics=t.metrics,
        engine=t.engine, meetings=t.meetings, clients=t.clients,
        texter=Texter(t.redis, t.dialer, t.metrics, t.settings.tether_public_url.rstrip("/")))
    app[INCIDENTS] = IncidentDeps(**base, audit=t.audit, redis=t.redis, metrics=t.metrics,
                                  engine=t.engine, meetings=t.meetings, clients=t.clients,
                                  checkins=t.checkins, directory=t.directory,
                                  incidents=t.incidents,
                                  agreements=AgreementStore(t.redis, t.cipher))
    app[ZOOM] = ZoomDeps(**base, audit=t.audit, redis=t.redis, meetings=t.meetings,
                         clients=t.clients, links=t.links, app_context=t.app_context,
                         codes=t.codes, sdk_module=zoom_sdk_module, sessions=t.sessions,
                         code_texter=CodeTexter(t.dialer, t.settings.tether_public_url.rstrip("/"),
                                                lambda: t.config.program.name))
    app[JITSI] = JitsiDeps(**base, settings=t.settings, audit=t.audit, inbox=t.inbox,
                           meetings=t.meetings, applier=t.applier, clients=t.clients,
                           checkins=t.checkins, links=t.links, jitsi=t.jitsi,
                           heartbeats=t.heartbeats, checkin=checkin,
                           bridge_script=lambda: bridge_script("jitsi"))
    app[SIGNIN] = SigninDeps(live=t.live, clock=t.clock, redis=t.redis, audit=t.audit,
                             sessions=t.sessions, revocations=t.revocations,
                             breakglass=t.breakglass, dialer=t.dialer, clients=t.clients,
                             oidc=t.oidc, incident_client=lookup.incident_client)
    app[COACHING] = CoachingDeps(**base, redis=t.redis, audit=t.audit, clients=t.clients,
                                 pages=PageStore(t.redis, t.clock, t.audit))
    store = AttendanceStore(t.redis)
    app[ATTENDANCE] = AttendanceDeps(
        **base, audit=t.audit, redis=t.redis, meetings=t.meetings, clients=t.clients,
        store=store, recorder=AttendanceRecorder(t.live, t.clock, t.meetings, store))
    app[WEB] = WebDeps(redis=t.redis, metrics=t.metrics, audit=t.audit, worker_id=t.worker_id,
                       telephony_ready=t.telephony_ready, alive=t.alive,
                       public_url_problem=t.settings.public_url_problem()
                       if t.settings.telephony_configured() else None,
                       zoom_bridge=lambda: bridge_script("zoom"),
                       metrics_token=t.settings.tether_metrics_token.get_secret_value())
