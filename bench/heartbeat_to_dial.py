"""Jitsi join pages that go silent at once: last heartbeat -> first callback dial, over real
HTTP, real Redis and real time.

This process runs the sidecar (create_app, SystemClock, all workers); the Twilio stand-in
runs in a child process (disconnect_to_dial.py's), and a private redis-server on a unix
socket. Each of --clients clients has its own Jitsi group: a clinician makes the session
link, the client checks in, gets the join answer, and beats every second like the join page
for --beats beats; then every page stops at once (a network cut). Per client: the stand-in's
first call to the check-in's number minus the moment its last beat was sent. The watchdog
notices the silence after --gap seconds; the ladder's grace counts from the last beat, so
the dial is due at last beat + max(gap, grace). Synthetic data only; 127.0.0.1 only.

    python bench/heartbeat_to_dial.py --clients 100     # quick
    python bench/heartbeat_to_dial.py                   # 500 clients
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import yaml
from _common import (
    DATA_KEY,
    FROM_NUMBER,
    SID,
    TOKEN,
    RedisProc,
    free_port,
    pct,
    redis_binary,
    start_app,
    start_standin,
    stop_app,
    stop_child,
    summary,
    wait_dials,
)
from disconnect_to_dial import phone

from sidecar.app import create_app
from sidecar.infra.config import ProgramConfig
from sidecar.infra.settings import Settings
from sidecar.records.model import ClientRecord
from sidecar.services import TETHER

ROOT = Path(__file__).resolve().parent.parent


def program(n: int, grace: float) -> ProgramConfig:
    raw = yaml.safe_load((ROOT / "examples" / "program.yaml").read_text())
    raw["meetings"] = [{"jitsi_room": f"bench-room-{i:04d}", "name": f"Bench group {i}",
                        "lead": "lead-avery", "co_facilitator": "cofac-morgan",
                        "expected_clients": [f"bench-{i:04d}"]} for i in range(n)]
    raw["callback_policy"]["grace_seconds"] = grace
    return ProgramConfig.model_validate(raw)


def checkin(i: int) -> dict[str, Any]:
    return {"location": {"street": f"{100 + i} Bench Lane", "city": "Springfield",
                         "region": "IL", "postal_code": "62704", "country": "US",
                         "room": "study"},
            "callback_phone": phone(i), "emergency_contact_ok": True, "others_present": "alone"}


class Client:
    def __init__(self, i: int, base: str, http: aiohttp.ClientSession) -> None:
        self.i, self.base, self.http = i, base, http
        self.token = ""
        self.last_beat = 0.0

    async def post(self, path: str, body: dict[str, Any], **headers: str) -> dict[str, Any]:
        async with self.http.post(self.base + path, json=body, headers=headers) as r:
            if r.status != 200:
                raise RuntimeError(f"{path}: {r.status} {await r.text()}")
            return dict(await r.json())

    async def arrive(self, staff_token: str) -> None:
        room, client = f"bench-room-{self.i:04d}", f"bench-{self.i:04d}"
        link = await self.post(f"/api/jitsi/rooms/{room}/clients/{client}/join-link", {},
                               Authorization="Bearer " + staff_token)
        self.token = link["url"].split("t=", 1)[1]
        await self.post(f"/api/checkin?t={self.token}", checkin(self.i))
        await self.post(f"/api/jitsi/join?t={self.token}", {})

    async def beat(self, seq: int) -> None:
        self.last_beat = time.time()
        await self.post(f"/api/jitsi/heartbeat?t={self.token}", {
            "participant": f"p{self.i:04d}", "display_name": "Bench", "page": "pg1",
            "seq": seq})


async def run(args: argparse.Namespace, url: str, tmp: Path, t_port: int) -> dict[str, Any]:
    n = args.clients
    s_port, t_base = free_port(), f"http://127.0.0.1:{t_port}"
    settings = Settings(
        tether_redis_url=url, tether_data_dir=tmp / "data",
        tether_data_key=DATA_KEY,
        tether_public_url=f"http://127.0.0.1:{s_port}", twilio_account_sid=SID,
        twilio_auth_token=TOKEN, twilio_from_number=FROM_NUMBER,
        twilio_api_base_url=t_base, jitsi_heartbeat_gap_seconds=args.gap)
    app = create_app(settings, program(n, args.grace))
    runner = await start_app(app, s_port)
    try:
        t = app[TETHER]
        for i in range(n):
            await t.clients.put(ClientRecord(id=f"bench-{i:04d}", name=f"Bench Client {i:04d}",
                                             callback_phone=phone(i)), actor="bench")
        staff = t.tokens.issue("lead-avery", time.time())
        conn = aiohttp.TCPConnector(limit=args.width)
        async with aiohttp.ClientSession(connector=conn) as http:
            if (await wait_dials(http, t_base + "/_bench/first", set(), 15))["calls"] < 0:
                raise RuntimeError("the Twilio stand-in did not start")
            clients = [Client(i, f"http://127.0.0.1:{s_port}", http) for i in range(n)]
            await asyncio.gather(*(c.arrive(staff) for c in clients))
            print(f"{n} clients checked in and joined; beating", flush=True)
            for seq in range(1, args.beats + 1):
                started = time.monotonic()
                await asyncio.gather(*(c.beat(seq) for c in clients))
                await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
            print("every page went silent", flush=True)
            state = await wait_dials(http, t_base + "/_bench/first",
                                     {phone(i) for i in range(n)},
                                     max(args.gap, args.grace) + args.wait)
    finally:
        logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
        await stop_app(runner)
    first = state["first"]
    delays = [first[phone(c.i)] - c.last_beat for c in clients if phone(c.i) in first]
    return {"delays": delays, "never": n - len(delays), "calls": state["calls"]}


def report(args: argparse.Namespace, r: dict[str, Any]) -> None:
    d: list[float] = r["delays"]
    due = max(args.gap, args.grace)
    late = sum(1 for x in d if x > due + 1)
    over60 = sum(1 for x in d if x > 60)
    print(f"last beat -> dial p50   {pct(d, 50):.2f} s")
    print(f"last beat -> dial p99   {pct(d, 99):.2f} s")
    print(f"last beat -> dial max   {max(d, default=float('nan')):.2f} s")
    print(f"min                     {min(d, default=float('nan')):.2f} s  (due at "
          f"max(gap {args.gap} s, grace {args.grace} s) = {due} s)")
    print(f"over due + 1 s          {late}")
    print(f"over 60 s               {over60}")
    print(f"never dialled           {r['never']}")
    goal = over60 == 0 and r["never"] == 0
    print(f"goal every dial < 60 s after the cut: {'MET' if goal else 'NOT MET'}; "
          f"within due + 1 s: {'MET' if goal and late == 0 else 'NOT MET'}")
    summary("heartbeat_to_dial", clients=args.clients, gap_s=args.gap, grace_s=args.grace,
            p50_s=round(pct(d, 50), 3), p99_s=round(pct(d, 99), 3),
            max_s=round(max(d, default=-1), 3), over_due_plus_1=late, over_60=over60,
            never=r["never"], goal_60_met=goal)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--clients", type=int, default=500, help="clients = groups (<= 1000)")
    p.add_argument("--gap", type=float, default=10.0, help="JITSI_HEARTBEAT_GAP_SECONDS")
    p.add_argument("--grace", type=float, default=10.0, help="callback_policy.grace_seconds")
    p.add_argument("--beats", type=int, default=3, help="heartbeats before the cut")
    p.add_argument("--width", type=int, default=64, help="concurrent HTTP requests")
    p.add_argument("--wait", type=float, default=60.0, help="seconds past due to wait")
    p.add_argument("--redis", choices=["redis7", "redis62"], default="redis7")
    args = p.parse_args()
    if not 1 <= args.clients <= 1000:
        p.error("--clients must be 1..1000 (555-01xx numbers)")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    t_port = free_port()
    child = start_standin(t_port, 1.0)
    try:
        with tempfile.TemporaryDirectory(prefix="tether-bench-") as tmpdir:
            server = RedisProc(redis_binary(args.redis), Path(tmpdir))
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
