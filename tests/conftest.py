"""Shared fixtures: real Redis servers, the real sidecar over loopback HTTP, a Twilio
stand-in that follows Twilio's REST contract, and an injected fake clock."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
import yaml
from aiohttp import web
from aiohttp.test_utils import TestServer

from sidecar.app import create_app
from sidecar.cli import HANDLER_GRACE_S
from sidecar.infra.clock import FakeClock
from sidecar.infra.config import ProgramConfig
from sidecar.infra.settings import Settings
from sidecar.infra.stopping import stuck_at
from sidecar.infra.telephony.standin import TwilioStandIn
from sidecar.records.model import ClientFile
from sidecar.services import TETHER, Tether
from tests import zoom_payloads as zp
from tests.jitsi import events as jitsi_events
from tests.redis_servers import RedisServer, binaries, require_all_in_ci
from tests.zoom_rest_standin import ZoomRestStandIn

pytest_plugins = ["tests.stuck"]  # a test that times out says where its tasks wait

ROOT = Path(__file__).resolve().parent.parent
TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "test-twilio-auth-token"
DATA_KEY = base64.b64encode(bytes(range(32))).decode()
ZOOM_ACCOUNT = "AcCt0001"
ZOOM_CLIENT_ID = "SampleClientId01"
ZOOM_CLIENT_SECRET = "sample-client-secret-0001"
ZOOM_APP_CLIENT_ID = "SampleZoomApp01"
ZOOM_APP_SECRET = "sample-zoom-app-secret-01"


def _servers() -> list[str]:
    require_all_in_ci()
    return [name for name, path in binaries().items() if path]


@pytest.fixture(scope="session", params=_servers())
def redis_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[RedisServer]:
    binary = binaries()[request.param]
    assert binary is not None
    server = RedisServer(request.param, binary, tmp_path_factory.mktemp(request.param))
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def redis_url(redis_server: RedisServer) -> AsyncIterator[str]:
    if redis_server.proc is None or redis_server.proc.poll() is not None:
        redis_server.start()  # a test may have stopped it
    client = aioredis.Redis.from_url(redis_server.url)
    await client.flushall()
    await client.aclose()
    yield redis_server.url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def program_config(overrides: dict[str, Any] | None = None, **policy: Any) -> ProgramConfig:
    raw = yaml.safe_load((ROOT / "examples" / "program.yaml").read_text())
    raw["callback_policy"].update(policy)
    raw.update(overrides or {})
    return ProgramConfig.model_validate(raw)


def client_file() -> ClientFile:
    return ClientFile.model_validate(
        yaml.safe_load((ROOT / "examples" / "clients.yaml").read_text()))


@dataclass
class Harness:
    base: str
    http: httpx.AsyncClient
    clock: FakeClock
    app: web.Application
    standin: TwilioStandIn
    zoom_rest: ZoomRestStandIn | None = None

    @property
    def tether(self) -> Tether:
        return self.app[TETHER]

    async def zoom(self, body: dict[str, Any]) -> httpx.Response:
        raw, headers = zp.signed(body, self.clock.now())
        return await self.http.post(f"{self.base}/webhooks/zoom", content=raw, headers=headers)

    def token(self, staff: str = "lead-avery") -> dict[str, str]:
        return {"Authorization": "Bearer " + self.tether.tokens.issue(staff, self.clock.now())}

    async def session(self, staff: str = "lead-avery") -> dict[str, str]:
        """Headers of a signed-in browser: the session cookie (from ``/auth/exchange``,
        as automation gets one) and the CSRF token its pages send on changes."""
        r = await self.http.post(f"{self.base}/auth/exchange", headers=self.token(staff))
        r.raise_for_status()
        cookie = r.headers["set-cookie"].split(";")[0]
        return {"Cookie": cookie, "X-CSRF-Token": r.json()["csrf"]}

    async def roster(self, meeting: str = zp.MEETING_UUID) -> dict[str, Any]:
        r = await self.http.get(f"{self.base}/api/meetings/{_q(meeting)}/roster",
                                headers=self.token())
        r.raise_for_status()
        return dict(r.json())

    async def timeline(self, meeting: str = zp.MEETING_UUID) -> list[dict[str, Any]]:
        r = await self.http.get(f"{self.base}/api/meetings/{_q(meeting)}/timeline",
                                headers=self.token())
        r.raise_for_status()
        return list(r.json()["entries"])

    async def kinds(self) -> list[str]:
        return [e["kind"] for e in await self.timeline()]

    async def kinds_of(self, meeting: str) -> list[str]:
        return [e["kind"] for e in await self.timeline(meeting)]

    async def settle(self) -> None:
        """Wait until every accepted event is applied (the inbox has nothing pending)."""
        await eventually(self._inbox_empty, timeout=10)

    async def _inbox_empty(self) -> bool:
        r = self.tether.redis
        groups = await r.xinfo_groups("{tether}:inbox")
        last = await r.xrevrange("{tether}:inbox", count=1)
        last_id = last[0][0] if last else "0-0"
        # applied chat entries are deleted, so the last delivered may be past the last kept
        return bool(groups and groups[0]["pending"] == 0
                    and _sid(groups[0]["last-delivered-id"]) >= _sid(last_id))

    async def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        await asyncio.sleep(0.05)


def _sid(stream_id: str) -> tuple[int, int]:
    ms, _, seq = stream_id.partition("-")
    return int(ms), int(seq or 0)


def _q(meeting: str) -> str:
    from urllib.parse import quote

    return quote(meeting, safe="")


async def signed_in_page(h: Harness, browser: Any, staff: str = "lead-avery",
                         **page_options: Any) -> Any:
    """A new browser page whose context holds ``staff``'s session cookie, got the way
    automation gets one: ``POST /auth/exchange`` with a staff token in the header."""
    context = await browser.new_context(**page_options)
    r = await context.request.post(f"{h.base}/auth/exchange", headers=h.token(staff))
    assert r.ok, await r.text()
    return await context.new_page()


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 5.0) -> None:
    """Poll a condition in real time (for work done by background tasks, not for the
    clock: the clock only moves when a test advances it)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        if await check():
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


@pytest.fixture(autouse=True)
async def _no_task_left_behind() -> AsyncIterator[None]:
    """After each test, cancel what is still running, again and again for up to 5 s: a
    task whose cancellation a client library swallowed once would otherwise keep the
    event loop, and the whole run, waiting for ever. A task still running after that fails
    the test, named with where it is stuck, and is struck from the loop's books so that
    closing the loop does not wait for it (the run goes on to the next test)."""
    yield
    me = asyncio.current_task()
    left: list[asyncio.Task[Any]] = []
    for _ in range(50):
        left = [t for t in asyncio.all_tasks() if t is not me and not t.done()]
        if not left:
            return
        for task in left:
            task.cancel()
        await asyncio.wait(left, timeout=0.1)
    left = [t for t in left if not t.done()]
    if not left:
        return
    for task in left:
        asyncio.tasks._unregister_task(task)
    pytest.fail("tasks did not stop when cancelled, for 5 s: " + "; ".join(
        f"{t.get_name()} at {stuck_at(t)}" for t in left), pytrace=False)


@pytest.fixture
async def standin() -> AsyncIterator[tuple[TwilioStandIn, str]]:
    s = TwilioStandIn(TWILIO_SID, TWILIO_TOKEN, step_delay_s=0.005)
    server = TestServer(s.app(), host="127.0.0.1", port=free_port())
    await server.start_server()
    yield s, str(server.make_url("")).rstrip("/")
    await server.close()


def test_settings(redis_url: str, tmp_path: Path, port: int, twilio_url: str,
                  zoom_url: str = "", **extra: Any) -> Settings:
    return Settings(**{"tether_data_key": DATA_KEY, **extra},
        tether_redis_url=redis_url, tether_data_dir=tmp_path,
        tether_public_url=f"http://127.0.0.1:{port}", zoom_webhook_secret_token=zp.SECRET,
        twilio_account_sid=TWILIO_SID, twilio_auth_token=TWILIO_TOKEN,
        twilio_from_number="+13125550199", twilio_api_base_url=twilio_url,
        zoom_account_id=ZOOM_ACCOUNT if zoom_url else "", zoom_client_id=ZOOM_CLIENT_ID,
        zoom_client_secret=ZOOM_CLIENT_SECRET, zoom_api_base_url=zoom_url or "http://0.0.0.0",
        zoom_oauth_base_url=zoom_url or "http://0.0.0.0",
        zoom_app_client_id=ZOOM_APP_CLIENT_ID, zoom_app_client_secret=ZOOM_APP_SECRET,
        jitsi_webhook_secret=jitsi_events.SECRET)


@pytest.fixture
async def zoom_rest() -> AsyncIterator[tuple[ZoomRestStandIn, str]]:
    s = ZoomRestStandIn(ZOOM_ACCOUNT, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET)
    server = TestServer(s.app(), host="127.0.0.1", port=free_port())
    await server.start_server()
    yield s, str(server.make_url("")).rstrip("/")
    await server.close()


@pytest.fixture
def policy() -> dict[str, Any]:
    """callback_policy fields a test module overrides."""
    return {}


@pytest.fixture
def overrides() -> dict[str, Any]:
    """Top-level configuration sections a test replaces (parametrize to change)."""
    return {}


@pytest.fixture
def clock_start() -> float:
    """Where the fake clock starts (tests against a real server's clock start it now)."""
    return 1_800_000_000.0


@contextlib.asynccontextmanager
async def running_sidecar(redis_url: str, tmp_path: Path, standin: tuple[TwilioStandIn, str],
                          policy: dict[str, Any], zoom_url: str = "",
                          overrides: dict[str, Any] | None = None,
                          clock_start: float = 1_800_000_000.0, port: int = 0,
                          settings: dict[str, Any] | None = None,
                          workers: bool = True) -> AsyncIterator[Harness]:
    """The real app on a loopback port; ``redis_url`` "" means the embedded store;
    ``workers=False``: no job engine or applier running (a test drives them)."""
    port = port or free_port()
    clock = FakeClock(clock_start)
    app = create_app(test_settings(redis_url, tmp_path, port, standin[1], zoom_url,
                                   **(settings or {})),
                     program_config(overrides, **policy), clock, run_workers=workers)
    # requests get as long to finish at shutdown as under ``tether serve``
    server = TestServer(app, host="127.0.0.1", port=port, shutdown_timeout=HANDLER_GRACE_S)
    await server.start_server()
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            h = Harness(f"http://127.0.0.1:{port}", http, clock, app, standin[0])
            for record in client_file().clients:
                await h.tether.clients.put(record, actor="test")
            yield h
    finally:
        await standin[0].quiesce()  # no callback left in flight into a closing server
        await server.close()


@pytest.fixture
async def harness(redis_url: str, tmp_path: Path, standin: tuple[TwilioStandIn, str],
                  policy: dict[str, Any], zoom_rest: tuple[ZoomRestStandIn, str],
                  overrides: dict[str, Any], clock_start: float) -> AsyncIterator[Harness]:
    async with running_sidecar(redis_url, tmp_path, standin, policy, zoom_rest[1],
                               overrides, clock_start) as h:
        h.zoom_rest = zoom_rest[0]
        yield h
