"""Three sidecar processes share one Redis; the one holding a callback's lease is killed
with SIGKILL in the middle of dialling. The callback is still requested once, in time."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
import redis.asyncio as aioredis
import yaml
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
from yarl import URL

from sidecar.infra import keys
from sidecar.infra.auth import TokenIssuer
from sidecar.infra.config import ProgramConfig
from sidecar.infra.config_store import LiveConfig
from sidecar.infra.crypto import parse_data_key
from sidecar.infra.keyring import Keyring, SigningKeys
from sidecar.infra.telephony.standin import TwilioStandIn
from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import CASEY, CASEY_PHONE
from tests.conftest import DATA_KEY, ROOT, TWILIO_SID, TWILIO_TOKEN, eventually, free_port

pytestmark = pytest.mark.slow
GRACE_S = 2


@dataclass
class Replica:
    port: int
    proc: subprocess.Popen[bytes]
    worker: str = ""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


async def _proxy(upstreams: list[Replica]) -> TestServer:
    """A load balancer: forwards provider callbacks to whichever replica is alive."""

    async def forward(request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items()
                   if k.lower() in ("content-type", "x-twilio-signature")}
        async with ClientSession() as session:
            for r in upstreams:
                if r.proc.poll() is not None:
                    continue
                try:
                    # pass the path through as-is, as a load balancer does
                    url = URL(r.base + request.raw_path, encoded=True)
                    async with session.request(request.method, url,
                                               data=body, headers=headers) as resp:
                        return web.Response(status=resp.status, body=await resp.read())
                except OSError:
                    continue
        return web.Response(status=502)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", forward)
    server = TestServer(app, host="127.0.0.1", port=free_port())
    await server.start_server()
    return server


def _config(tmp: Path) -> tuple[Path, ProgramConfig]:
    raw = yaml.safe_load((ROOT / "examples" / "program.yaml").read_text())
    raw["callback_policy"]["grace_seconds"] = GRACE_S
    path = tmp / "program.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path, ProgramConfig.model_validate(raw)


@pytest.fixture
async def cluster(redis_url: str, tmp_path: Path, standin: tuple[TwilioStandIn, str]
                  ) -> AsyncIterator[tuple[list[Replica], TwilioStandIn, ProgramConfig]]:
    path, config = _config(tmp_path)
    replicas: list[Replica] = []
    logs: list[IO[bytes]] = []
    proxy = await _proxy(replicas)
    for i in range(3):
        port = free_port()
        logs.append((tmp_path / f"replica{i}.log").open("wb"))
        env = {**os.environ, "TETHER_REDIS_URL": redis_url,
               "TETHER_DATA_DIR": str(tmp_path / f"r{i}"),
               "TETHER_DATA_KEY": DATA_KEY, "ZOOM_WEBHOOK_SECRET_TOKEN": zp.SECRET,
               "TETHER_PUBLIC_URL": str(proxy.make_url("")).rstrip("/"),
               "TWILIO_ACCOUNT_SID": TWILIO_SID, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
               "TWILIO_FROM_NUMBER": "+13125550199", "TWILIO_API_BASE_URL": standin[1]}
        proc = subprocess.Popen([sys.executable, "-m", "sidecar.cli", "serve", "--config",
                                 str(path), "--port", str(port)], env=env,
                                stdout=subprocess.DEVNULL, stderr=logs[-1])
        replicas.append(Replica(port, proc))
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            for r in replicas:
                await eventually(lambda r=r: _ready(http, r), timeout=30)
        yield replicas, standin[0], config
    finally:
        for r in replicas:
            if r.proc.poll() is None:
                r.proc.terminate()
                r.proc.wait(10)
        for fh in logs:
            fh.close()
        await proxy.close()


async def _ready(http: httpx.AsyncClient, r: Replica) -> bool:
    try:
        resp = await http.get(r.base + "/readyz")
    except httpx.HTTPError:
        return False
    r.worker = resp.json().get("worker", "")
    return resp.status_code == 200


def _token(config: ProgramConfig, staff: str) -> dict[str, str]:
    keys = SigningKeys(Keyring.single(parse_data_key(DATA_KEY)), "tether/tokens/v1")
    issuer = TokenIssuer(keys, LiveConfig(config))
    return {"Authorization": "Bearer " + issuer.issue(staff, time.time())}


async def _send(http: httpx.AsyncClient, r: Replica, body: dict[str, Any]) -> None:
    raw, headers = zp.signed(body, time.time())
    resp = await http.post(r.base + "/webhooks/zoom", content=raw, headers=headers)
    assert resp.status_code == 200


async def _start_session(http: httpx.AsyncClient, replicas: list[Replica],
                         config: ProgramConfig) -> int:
    clients = yaml.safe_load((ROOT / "examples" / "clients.yaml").read_text())
    r = await http.post(replicas[0].base + "/api/admin/clients",
                        content=json.dumps(clients, default=str),  # YAML dates -> ISO text
                        headers=_token(config, "clinlead-sasha"))  # clinical fields too
    assert r.status_code == 200
    now_ms = int(time.time() * 1000)
    await _send(http, replicas[1], zp.joined(now_ms - 30_000, *CASEY))
    await _send(http, replicas[2], zp.disconnected(now_ms, *CASEY))
    return now_ms


async def _timeline(http: httpx.AsyncClient, r: Replica, config: ProgramConfig
                    ) -> list[dict[str, Any]]:
    from urllib.parse import quote

    resp = await http.get(f"{r.base}/api/meetings/{quote(zp.MEETING_UUID, safe='')}/timeline",
                          headers=_token(config, "lead-avery"))
    return list(resp.json()["entries"]) if resp.status_code == 200 else []


async def test_lease_holder_killed_mid_dial_calls_once_before_deadline(
        cluster: tuple[list[Replica], TwilioStandIn, ProgramConfig], redis_url: str) -> None:
    replicas, standin, config = cluster
    standin.behaviour[CASEY_PHONE] = "answer"
    standin.respond_delay_s = 3.0  # the provider has the call; its answer is still on the way
    redis = aioredis.Redis.from_url(redis_url, decode_responses=True)
    async with httpx.AsyncClient(timeout=10) as http:
        disconnected_ms = await _start_session(http, replicas, config)
        await eventually(lambda: _n_calls(standin), timeout=GRACE_S + 5)
        due = keys.meeting_shard(zp.MEETING_UUID) + keys.DUE_SUFFIX
        (job_key,) = [k for k in await redis.zrange(due, 0, -1) if "ladder:" in k]
        owner = await redis.hget(keys.job(job_key), "owner")
        victim = next(r for r in replicas if r.worker == owner)
        victim.proc.send_signal(signal.SIGKILL)
        victim.proc.wait(5)
        standin.respond_delay_s = 0.0
        survivor = next(r for r in replicas if r is not victim)

        async def answered() -> bool:
            return "ladder.answered" in [e["kind"] for e in
                                         await _timeline(http, survivor, config)]

        await eventually(answered, timeout=30)
        entries = await _timeline(http, survivor, config)
    await redis.aclose()
    calls = [c for c in standin.calls if c.to == CASEY_PHONE]
    assert len(calls) == 1, "the call was placed once, not again after the crash"
    assert calls[0].created.timestamp() * 1000 - disconnected_ms < 60_000
    dialing = [e for e in entries if e["kind"] == "ladder.dialing"]
    assert [e["data"]["adopted"] for e in dialing] == [True]


async def test_replicas_killed_during_grace_do_not_delay_the_callback(
        cluster: tuple[list[Replica], TwilioStandIn, ProgramConfig]) -> None:
    replicas, standin, config = cluster
    async with httpx.AsyncClient(timeout=10) as http:
        disconnected_ms = await _start_session(http, replicas, config)
        for r in replicas[:2]:
            r.proc.send_signal(signal.SIGKILL)
        await eventually(lambda: _n_calls(standin), timeout=GRACE_S + 10)
    calls = [c for c in standin.calls if c.to == CASEY_PHONE]
    assert len(calls) == 1
    assert calls[0].created.timestamp() * 1000 - disconnected_ms < (GRACE_S + 1) * 1000


async def _n_calls(standin: TwilioStandIn) -> bool:
    await asyncio.sleep(0)
    return any(c.to == CASEY_PHONE for c in standin.calls)
