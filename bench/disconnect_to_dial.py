"""Disconnect-to-dial with many concurrent meetings, over real HTTP, real Redis, real time.

This process runs the sidecar (create_app, SystemClock, all workers) and sends the webhooks;
the Twilio stand-in runs in a child process (as Twilio is not on the sidecar's CPU), and a
private redis-server on a unix socket. With --pin (default) the sidecar has CPU 0, Redis and
the stand-in CPU 1. Every meeting has one expected client; each joins, then all "got
disconnected" as fast as HTTP allows (event_ts = the real time of sending). Per client: the
stand-in's first call to that number (StandInCall.created) minus the event_ts. The CPU
this process spent from the first ladder's due time (its disconnect + grace) to the last
first dial, per dial, is the burst's cost on the worker (the load generator is idle then).
Synthetic data only: phones are 555-01xx numbers under ten area codes; 127.0.0.1 only.

    python bench/disconnect_to_dial.py --meetings 100       # quick
    python bench/disconnect_to_dial.py                      # 1,000 meetings
    python bench/disconnect_to_dial.py --latency-ms 50-150  # the provider takes 50-150 ms
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import logging
import os
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import aiohttp
import yaml
from _common import (
    DATA_KEY,
    FROM_NUMBER,
    SECRET,
    SID,
    TOKEN,
    RedisProc,
    free_port,
    inbox_settled,
    participant_body,
    pct,
    redis_binary,
    serve_env,
    start_app,
    start_serve,
    start_standin,
    stop_app,
    stop_child,
    summary,
    wait_dials,
    wait_healthy,
    zoom_headers,
)

from sidecar.app import create_app
from sidecar.infra.config import ProgramConfig
from sidecar.infra.settings import Settings
from sidecar.records.model import ClientRecord
from sidecar.services import TETHER

ROOT = Path(__file__).resolve().parent.parent
AREAS = ["312", "773", "872", "217", "309", "618", "630", "708", "815", "847"]
DROP = "got disconnected from the meeting. Reason : Client Close."


def phone(i: int) -> str:
    return f"+1{AREAS[i // 100]}55501{i % 100:02d}"  # fictional 555-01xx range


def latency_range(text: str) -> tuple[float, float]:
    """``50-150`` (uniform, milliseconds) or ``100`` (fixed) as seconds."""
    low, _, high = text.partition("-")
    lo_s, hi_s = float(low) / 1000, float(high or low) / 1000
    if not 0 <= lo_s <= hi_s <= 5:
        raise ValueError(f"--latency-ms {text!r}: want LOW-HIGH, 0 <= LOW <= HIGH <= 5000")
    return lo_s, hi_s


class CpuTrace:
    """This process's CPU seconds against wall time, sampled every 20 ms from a thread."""

    def __init__(self) -> None:
        self.points: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cpu trace", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.points.append((time.time(), time.process_time()))

    def __enter__(self) -> CpuTrace:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def between(self, start: float, end: float) -> float:
        """CPU seconds from wall time ``start`` to ``end`` (the nearest samples)."""
        def at(wall: float) -> float:
            i = bisect.bisect_right(self.points, (wall, float("inf"))) - 1
            return self.points[max(0, min(i, len(self.points) - 1))][1]
        return at(end) - at(start) if self.points else float("nan")


def program(n: int, grace: float) -> ProgramConfig:
    raw = yaml.safe_load((ROOT / "examples" / "program.yaml").read_text())
    raw["meetings"] = [{"zoom_meeting_id": f"8{i:010d}", "name": f"Bench group {i}",
                        "lead": "lead-avery", "co_facilitator": "cofac-morgan",
                        "expected_clients": [f"bench-{i:04d}"]} for i in range(n)]
    raw["callback_policy"]["grace_seconds"] = grace
    return ProgramConfig.model_validate(raw)


class Load:
    """Signed Zoom webhooks for meeting i's one client, sent over HTTP."""

    def __init__(self, base: str, session: aiohttp.ClientSession, run: str, width: int) -> None:
        self.url, self.session, self.run = base + "/webhooks/zoom", session, run
        self.slots = asyncio.Semaphore(width)
        self.failures = 0

    async def send(self, i: int, event: str, ts_ms: int | None = None, reason: str = ""
                   ) -> int:
        async with self.slots:
            ts = ts_ms if ts_ms is not None else int(time.time() * 1000)
            body = participant_body(event, ts, f"8{i:010d}", f"bench{i:04d}+U/{self.run}==",
                                    f"pu-{self.run}-{i}", f"Bench Client {i:04d}", reason)
            async with self.session.post(self.url, data=body,
                                         headers=zoom_headers(body, time.time())) as r:
                await r.read()
                self.failures += r.status != 200
            return ts


def start_replicas(args: argparse.Namespace, settings: Settings, config: ProgramConfig,
                   tmp: Path) -> list[subprocess.Popen[bytes]]:
    """--replicas more sidecar processes (all workers) on the same Redis, on CPU 1."""
    if not args.replicas:
        return []
    path = tmp / "program.yaml"
    path.write_text(yaml.safe_dump(config.model_dump(mode="json")))
    procs = []
    for i in range(args.replicas):
        port = free_port()
        env = serve_env(settings.tether_redis_url, settings.tether_public_url,
                        settings.twilio_api_base_url, tmp / f"replica{i}")
        procs.append(start_serve(path, port, env, cpus={1} if args.pin else None))
        wait_healthy(port)
    return procs


async def run(args: argparse.Namespace, url: str, tmp: Path, t_port: int) -> dict[str, Any]:
    n, grace = args.meetings, args.grace
    s_port, t_base = free_port(), f"http://127.0.0.1:{t_port}"
    settings = Settings(
        tether_redis_url=url, tether_data_dir=tmp / "data",
        tether_data_key=DATA_KEY,
        tether_public_url=f"http://127.0.0.1:{s_port}", zoom_webhook_secret_token=SECRET,
        twilio_account_sid=SID, twilio_auth_token=TOKEN, twilio_from_number=FROM_NUMBER,
        twilio_api_base_url=t_base)
    config = program(n, grace)
    app = create_app(settings, config)
    s_runner = await start_app(app, s_port)
    extra = start_replicas(args, settings, config, tmp)
    try:
        for i in range(n):
            name = f"Bench Client {i:04d}"
            await app[TETHER].clients.put(ClientRecord(
                id=f"bench-{i:04d}", name=name, callback_phone=phone(i),
                zoom_display_names=[name]), actor="bench")
        conn = aiohttp.TCPConnector(limit=args.width + 1)
        async with aiohttp.ClientSession(connector=conn) as session:
            if (await wait_dials(session, t_base + "/_bench/first", set(), 15))["calls"] < 0:
                raise RuntimeError("the Twilio stand-in did not start")
            load = Load(f"http://127.0.0.1:{s_port}", session, str(int(time.time())), args.width)
            joined_at = int(time.time() * 1000) - 60_000
            await asyncio.gather(*(load.send(i, "meeting.participant_joined", joined_at)
                                   for i in range(n)))
            if not await inbox_settled(app[TETHER].redis, 60):
                raise RuntimeError("the joins were not applied within 60 s")
            print(f"{n} clients joined {n} meetings; sending {n} disconnects", flush=True)
            with CpuTrace() as cpu:
                t0 = time.monotonic()
                sent = await asyncio.gather(*(load.send(i, "meeting.participant_left",
                                                        reason=DROP) for i in range(n)))
                send_s = time.monotonic() - t0
                print(f"sent {n} disconnects in {send_s:.2f} s ({n / send_s:,.0f}/s), "
                      f"{load.failures} non-200", flush=True)
                state = await wait_dials(session, t_base + "/_bench/first",
                                         {phone(i) for i in range(n)}, grace + args.wait)
            dialled = list(state["first"].values())
            burst_cpu = (cpu.between(min(sent) / 1000 + grace, max(dialled))
                         if dialled else float("nan"))
        fired = app[TETHER].engine.fired
    finally:
        print("measured; shutting down", flush=True)
        # the stand-in is still posting status callbacks: their cut connections are noise now
        logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
        await stop_app(s_runner)
        for proc in extra:
            stop_child(proc)
    first = state["first"]
    delays = [first[phone(i)] - sent[i] / 1000 for i in range(n) if phone(i) in first]
    return {"delays": delays, "never": n - len(delays), "send_s": send_s,
            "non200": load.failures, "calls": state["calls"], "fired": fired,
            "burst_cpu": burst_cpu}


def report(args: argparse.Namespace, r: dict[str, Any]) -> None:
    d: list[float] = r["delays"]
    late = sum(1 for x in d if x > args.grace + 1)
    over60 = sum(1 for x in d if x > 60)
    print(f"disconnect-to-dial p50   {pct(d, 50):.2f} s")
    print(f"disconnect-to-dial p99   {pct(d, 99):.2f} s")
    print(f"disconnect-to-dial max   {max(d, default=float('nan')):.2f} s")
    print(f"min                      {min(d, default=float('nan')):.2f} s  (grace {args.grace} s)")
    print(f"provider latency         {args.latency_ms} ms per request")
    print(f"over grace + 1 s         {late}")
    print(f"over 60 s                {over60}")
    print(f"never dialled            {r['never']}  (waited {args.grace + args.wait:.0f} s)")
    print(f"stand-in calls in all    {r['calls']}  (job handler runs {r['fired']})")
    per_dial_ms = r["burst_cpu"] / max(1, len(d)) * 1000
    print(f"worker CPU in the burst  {r['burst_cpu']:.2f} s from the first due to the last "
          f"first dial ({per_dial_ms:.2f} ms per dial"
          f"{'; this process only, the replicas not counted' if args.replicas else ''})")
    goal60 = over60 == 0 and r["never"] == 0
    goal_grace = goal60 and late == 0
    print(f"goal every dial < 60 s: {'MET' if goal60 else 'NOT MET'}; "
          f"within grace + 1 s: {'MET' if goal_grace else 'NOT MET'}")
    summary("disconnect_to_dial", meetings=args.meetings, grace_s=args.grace,
            latency_ms=args.latency_ms,
            p50_s=round(pct(d, 50), 3), p99_s=round(pct(d, 99), 3),
            max_s=round(max(d, default=-1), 3), over_grace_plus_1=late, over_60=over60,
            never=r["never"], non200=r["non200"], send_s=round(r["send_s"], 2),
            burst_cpu_s=round(r["burst_cpu"], 3), cpu_ms_per_dial=round(per_dial_ms, 3),
            goal_60_met=goal60, goal_grace_met=goal_grace)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--meetings", type=int, default=1000, help="meetings = clients (<= 1000)")
    p.add_argument("--grace", type=float, default=10.0, help="callback_policy.grace_seconds")
    p.add_argument("--step-delay", type=float, default=1.0, help="stand-in seconds per status")
    p.add_argument("--latency-ms", default="0",
                   help="the stand-in's time per REST request, uniform LOW-HIGH ms (50-150)")
    p.add_argument("--width", type=int, default=64, help="concurrent webhook requests")
    p.add_argument("--wait", type=float, default=80.0, help="seconds past grace to wait")
    p.add_argument("--redis", choices=["redis7", "redis62"], default="redis7")
    p.add_argument("--appendfsync", choices=["everysec", "always", "off"], default="everysec")
    p.add_argument("--replicas", type=int, default=0, choices=range(4),
                   help="extra worker replicas (processes) sharing the burst, on CPU 1")
    p.add_argument("--no-pin", dest="pin", action="store_false",
                   help="do not pin (default: sidecar on CPU 0; Redis, stand-in on CPU 1)")
    args = p.parse_args()
    if not 1 <= args.meetings <= 1000 or not 0 < args.wait <= 300:
        p.error("--meetings must be 1..1000 (555-01xx numbers) and --wait 0..300")
    try:
        latency_range(args.latency_ms)
    except ValueError as exc:
        p.error(str(exc))
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    if args.pin:
        os.sched_setaffinity(0, {0})
    t_port = free_port()
    child = start_standin(t_port, args.step_delay, latency_range(args.latency_ms),
                          cpus={1} if args.pin else None)
    try:
        with tempfile.TemporaryDirectory(prefix="tether-bench-") as tmpdir:
            server = RedisProc(redis_binary(args.redis), Path(tmpdir), args.appendfsync,
                               {1} if args.pin else None)
            server.start()
            try:
                result = asyncio.run(run(args, server.url, Path(tmpdir), t_port))
            finally:
                server.stop()
    finally:
        stop_child(child)
    report(args, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
