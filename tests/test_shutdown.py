"""``tether serve`` stops when asked: SIGTERM with panels' event streams open and webhooks
arriving, and it is gone within its bound, cleanly, its embedded redis-server with it. A
sidecar killed outright (SIGKILL) leaves no redis-server behind either."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import yaml

from sidecar.cli import SHUTDOWN_BOUND_S
from sidecar.infra.auth import TokenIssuer
from sidecar.infra.config import ProgramConfig
from sidecar.infra.config_store import LiveConfig
from sidecar.infra.crypto import parse_data_key
from sidecar.infra.keyring import Keyring, SigningKeys
from tests import zoom_payloads as zp
from tests.conftest import DATA_KEY, ROOT, eventually, free_port

pytestmark = pytest.mark.slow
STREAMS = 3
SENDERS = 4
_PID = re.compile(r"embedded redis started pid=(\d+)")


@dataclass
class Served:
    proc: subprocess.Popen[bytes]
    base: str
    log: Path
    data_dir: Path

    def redis_pid(self) -> int:
        found = _PID.search(self.log.read_text())
        assert found, "the sidecar started no embedded redis"
        return int(found.group(1))

    @property
    def socket(self) -> Path:
        return self.data_dir / "redis" / "redis.sock"


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    """``tether serve`` in a child process on its embedded store (no TETHER_REDIS_URL)."""
    port, log = free_port(), tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items() if k != "TETHER_REDIS_URL"}
    env.update(PYTHONPATH=str(ROOT), TETHER_DATA_DIR=str(tmp_path / "data"),
               TETHER_DATA_KEY=DATA_KEY, ZOOM_WEBHOOK_SECRET_TOKEN=zp.SECRET,
               TETHER_PUBLIC_URL=f"http://127.0.0.1:{port}")
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "sidecar.cli", "serve", "--config",
                                 "examples/program.yaml", "--port", str(port)],
                                cwd=ROOT, env=env, stdout=out, stderr=out)
    s = Served(proc, f"http://127.0.0.1:{port}", log, tmp_path / "data")
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            await eventually(lambda: _ready(http, s), timeout=60)
        yield s
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        with contextlib.suppress(AssertionError, ProcessLookupError):
            os.kill(s.redis_pid(), signal.SIGKILL)  # a failed test leaves no server behind


async def _ready(http: httpx.AsyncClient, s: Served) -> bool:
    assert s.proc.poll() is None, s.log.read_text()[-2000:]
    try:
        checks = (await http.get(s.base + "/readyz")).json()["checks"]
    except httpx.HTTPError:
        return False
    return bool(checks["redis"] and checks["workers"])  # no telephony: not needed here


def _token(staff: str) -> dict[str, str]:
    raw = yaml.safe_load((ROOT / "examples" / "program.yaml").read_text())
    issuer = TokenIssuer(SigningKeys(Keyring.single(parse_data_key(DATA_KEY)), "tether/tokens/v1"),
                         LiveConfig(ProgramConfig.model_validate(raw)))
    return {"Authorization": "Bearer " + issuer.issue(staff, time.time())}


async def _send(http: httpx.AsyncClient, s: Served, n: int) -> int:
    raw, headers = zp.signed(zp.joined(int(time.time() * 1000), f"pu-load-{n}", f"Guest {n}"),
                             time.time())
    return (await http.post(s.base + "/webhooks/zoom", content=raw, headers=headers)
            ).status_code


async def _load(s: Served, counter: Iterator[int], answered: list[Any]) -> None:
    """Webhooks one after another until the server stops answering."""
    async with httpx.AsyncClient(timeout=10) as http:
        while True:
            try:
                answered.append(await _send(http, s, next(counter)))
            except httpx.HTTPError:
                return


async def _watch(s: Served, opened: asyncio.Event) -> bytes:
    """A panel's stream, read until the server ends it."""
    got = b""
    url = f"{s.base}/api/meetings/{quote(zp.MEETING_UUID, safe='')}/stream"
    async with httpx.AsyncClient(timeout=httpx.Timeout(5, read=None)) as http, \
            http.stream("GET", url, headers=_token("lead-avery")) as resp:
        assert resp.status_code == 200
        with contextlib.suppress(httpx.HTTPError):  # ended without its last chunk
            async for chunk in resp.aiter_bytes():
                got += chunk
                if b"event: roster" in got:
                    opened.set()
    return got


def _gone(pid: int) -> bool:
    """No such process, or one that has exited and waits to be reaped (a zombie)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status


async def _wait_exit(proc: subprocess.Popen[bytes], bound_s: float) -> float:
    start = time.monotonic()
    while proc.poll() is None and time.monotonic() - start < bound_s:
        await asyncio.sleep(0.05)
    return time.monotonic() - start


async def test_sigterm_with_streams_open_and_webhooks_arriving_stops_within_the_bound(
        served: Served) -> None:
    s = served
    async with httpx.AsyncClient(timeout=10) as http:
        assert await _send(http, s, 0) == 200  # the meeting exists: its panels can open
    redis_pid = s.redis_pid()
    opened = [asyncio.Event() for _ in range(STREAMS)]
    streams = [asyncio.create_task(_watch(s, o)) for o in opened]
    async with asyncio.timeout(30):
        await asyncio.gather(*(o.wait() for o in opened))
    counter, answered = itertools.count(1), []
    load = [asyncio.create_task(_load(s, counter, answered)) for _ in range(SENDERS)]
    await eventually(lambda: _more_than(answered, 20), timeout=30)

    s.proc.send_signal(signal.SIGTERM)
    took = await _wait_exit(s.proc, SHUTDOWN_BOUND_S + 5)

    assert s.proc.returncode == 0, (took, s.log.read_text()[-3000:])
    assert took < SHUTDOWN_BOUND_S
    async with asyncio.timeout(15):  # the streams and the senders have all ended
        ended = await asyncio.gather(*streams)
        await asyncio.gather(*load)
    assert all(b"retry: 1000" in got for got in ended), "each stream was told to reconnect"
    assert set(answered) == {200}, "webhooks were accepted (or spooled) up to the end"
    assert _gone(redis_pid) and not s.socket.exists()
    assert "did not stop" not in s.log.read_text()


async def _more_than(answered: list[Any], n: int) -> bool:
    return len(answered) > n


@pytest.mark.skipif(sys.platform != "linux", reason="the kernel's parent-death signal")
async def test_a_killed_sidecar_leaves_no_redis_server_behind(served: Served) -> None:
    redis_pid = served.redis_pid()
    served.proc.send_signal(signal.SIGKILL)
    served.proc.wait(10)

    async def gone() -> bool:
        return _gone(redis_pid)

    await eventually(gone, timeout=10)
