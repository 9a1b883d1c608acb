"""Three sidecar processes on Redis Sentinel (a primary, its replica, three Sentinels). The
primary is killed with SIGKILL while a dropped client's callback is counting down: the
Sentinels promote the replica, both sidecars follow it, and the callback is placed once,
before the deadline."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import IO

import httpx
import pytest
import yaml

from sidecar.infra import keys
from sidecar.infra.telephony.standin import TwilioStandIn
from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import CASEY_PHONE
from tests.conftest import DATA_KEY, ROOT, TWILIO_SID, TWILIO_TOKEN, eventually, free_port
from tests.redis_servers import binaries
from tests.sentinel_servers import SentinelSet
from tests.test_replicas import Replica, _proxy, _ready, _start_session, _timeline

pytestmark = pytest.mark.slow
GRACE_S = 6  # long enough to kill the primary and fail over inside the countdown
DEADLINE_S = 60


@pytest.fixture(params=[name for name, path in binaries().items() if path])
def sentinel_set(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SentinelSet]:
    binary = binaries()[request.param]
    assert binary is not None
    servers = SentinelSet(binary, tmp_path / "redis")
    try:
        servers.start()
        yield servers
    finally:
        servers.stop()


@pytest.fixture
async def sidecars(sentinel_set: SentinelSet, tmp_path: Path,
                   standin: tuple[TwilioStandIn, str]) -> AsyncIterator[list[Replica]]:
    raw = yaml.safe_load((ROOT / "examples" / "program.yaml").read_text())
    raw["callback_policy"]["grace_seconds"] = GRACE_S
    config = tmp_path / "program.yaml"
    config.write_text(yaml.safe_dump(raw))
    replicas: list[Replica] = []
    logs: list[IO[bytes]] = []
    proxy = await _proxy(replicas)
    for i in range(3):
        port = free_port()
        logs.append((tmp_path / f"replica{i}.log").open("wb"))
        env = {**os.environ, "TETHER_REDIS_URL": sentinel_set.url,
               "TETHER_DATA_DIR": str(tmp_path / f"r{i}"), "TETHER_DATA_KEY": DATA_KEY,
               "ZOOM_WEBHOOK_SECRET_TOKEN": zp.SECRET,
               "TETHER_PUBLIC_URL": str(proxy.make_url("")).rstrip("/"),
               "TWILIO_ACCOUNT_SID": TWILIO_SID, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
               "TWILIO_FROM_NUMBER": "+13125550199", "TWILIO_API_BASE_URL": standin[1]}
        proc = subprocess.Popen([sys.executable, "-m", "sidecar.cli", "serve", "--config",
                                 str(config), "--port", str(port)], env=env,
                                stdout=subprocess.DEVNULL, stderr=logs[-1])
        replicas.append(Replica(port, proc))
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            for r in replicas:
                await eventually(lambda r=r: _ready(http, r), timeout=30)
        yield replicas
    finally:
        for r in replicas:
            if r.proc.poll() is None:
                r.proc.terminate()
                r.proc.wait(10)
        for fh in logs:
            fh.close()
        await proxy.close()


async def test_the_primary_killed_mid_countdown_still_gets_the_client_called_once(
        sentinel_set: SentinelSet, sidecars: list[Replica],
        standin: tuple[TwilioStandIn, str]) -> None:
    twilio = standin[0]
    twilio.behaviour[CASEY_PHONE] = "answer"
    first = sentinel_set.primary()
    from sidecar.infra.config import ProgramConfig

    config = ProgramConfig.model_validate(
        yaml.safe_load((ROOT / "examples" / "program.yaml").read_text()))
    async with httpx.AsyncClient(timeout=10) as http:
        dropped_ms = await _start_session(http, sidecars, config)
        # the countdown's job has reached the replica: the failover loses nothing
        due = keys.meeting_shard(zp.MEETING_UUID) + keys.DUE_SUFFIX
        sentinel_set.wait_until(lambda: sentinel_set.replicated(due),
                                "the job is on the replica", timeout=GRACE_S)
        assert not twilio.calls, "killed inside the countdown, before any dial"
        sentinel_set.kill_primary()
        sentinel_set.wait_until(lambda: sentinel_set.primary() != first,
                                "the Sentinels promote the replica")
        assert sentinel_set.primary() == sentinel_set.replica_port

        async def answered() -> bool:
            for r in sidecars:
                if "ladder.answered" in [e["kind"] for e in await _timeline(http, r, config)]:
                    return True
            return False

        await eventually(answered, timeout=DEADLINE_S)
        for r in sidecars:  # every one followed the new primary
            assert (await http.get(r.base + "/readyz")).status_code == 200
    calls = [c for c in twilio.calls if c.to == CASEY_PHONE]
    assert len(calls) == 1, "placed once, after the failover, not twice"
    late_s = calls[0].created.timestamp() - dropped_ms / 1000
    assert GRACE_S - 0.5 <= late_s < DEADLINE_S, late_s
    print(f"\nsentinel failover: first dial {late_s:.1f} s after the drop "
          f"(grace {GRACE_S} s, deadline {DEADLINE_S} s)")
