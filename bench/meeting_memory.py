"""Redis memory per live meeting: N meetings x J joins, by key kind, and bytes per pending job.

Runs the real app in this process (create_app, SystemClock, all workers) on its own
redis-server (unix socket), registers each meeting's expected clients, sends every join as
a signed Zoom webhook over HTTP to 127.0.0.1, waits until the inbox is applied, then asks
``MEMORY USAGE`` of every key and groups the keys by kind (the meeting or job id taken
out). Then schedules --pending bare jobs with ``JobEngine.schedule_cmds`` and reports the
growth of ``used_memory`` per job. Synthetic data only (555-01xx numbers).

    python bench/meeting_memory.py --meetings 20                # quick
    python bench/meeting_memory.py                              # 200 meetings, 10 joins each
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import re
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import aiohttp
import redis.asyncio as aioredis
import yaml
from _common import (
    SECRET,
    RedisProc,
    free_port,
    inbox_settled,
    participant_body,
    redis_binary,
    start_app,
    stop_app,
    summary,
    zoom_headers,
)

from sidecar.app import create_app
from sidecar.infra import keys
from sidecar.infra.config import ProgramConfig
from sidecar.infra.live_meetings import live_meeting_ids
from sidecar.infra.settings import Settings
from sidecar.records.model import ClientRecord
from sidecar.services import TETHER

ROOT = Path(__file__).resolve().parent.parent
GOAL_KB = 20.0
AREAS = ["312", "773", "872", "217", "309", "618", "630", "708", "815", "847"]

# (kind, pattern) in order: the first match names a key's kind
KINDS: list[tuple[str, re.Pattern[str]]] = [
    ("job hashes", re.compile(r"^\{[^}]*\}:job:")),
    ("job due zset", re.compile(r"^\{[^}]*\}:due$")),
    ("state", re.compile(r"^\{s[^}]*\}:m:.*:state$")),
    ("timeline", re.compile(r"^\{s[^}]*\}:m:.*:timeline$")),
    ("meeting other", re.compile(r"^\{s[^}]*\}:")),
    ("inbox", re.compile(r"^\{tether\}:inbox$")),
    ("seen (dedup)", re.compile(r"^\{tether\}:seen:")),
    ("client records", re.compile(r"^\{tether\}:client(:|-ident$)")),
]
PER_MEETING = ("job hashes", "job due zset", "state", "timeline", "meeting other", "inbox",
               "seen (dedup)")


def kind_of(key: str) -> str:
    for name, pattern in KINDS:
        if pattern.search(key):
            return name
    return "other: " + re.sub(r"[0-9a-f]{6,}|\d+", "*", key)


def phone(i: int) -> str:
    return f"+1{AREAS[i % 10]}55501{i % 100:02d}"  # fictional 555-01xx range


def client_id(m: int, j: int) -> str:
    return f"bench-{m:04d}-{j:02d}"


def program(meetings: int, joins: int) -> ProgramConfig:
    raw = yaml.safe_load((ROOT / "examples" / "program.yaml").read_text())
    raw["meetings"] = [{"zoom_meeting_id": f"8{i:010d}", "name": f"Bench group {i}",
                        "lead": "lead-avery", "co_facilitator": "cofac-morgan",
                        "expected_clients": [client_id(i, j) for j in range(joins)]}
                       for i in range(meetings)]
    return ProgramConfig.model_validate(raw)


async def key_usage(r: aioredis.Redis) -> dict[str, list[int]]:
    """Kind -> [keys, bytes] over every key (MEMORY USAGE, all nested values sampled)."""
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    async for key in r.scan_iter(count=1000):
        used = await r.memory_usage(key, samples=0) or 0
        slot = kinds[kind_of(key)]
        slot[0] += 1
        slot[1] += int(used)
    return dict(kinds)


async def encodings(r: aioredis.Redis, pattern: str, limit: int = 200) -> dict[str, int]:
    found: dict[str, int] = defaultdict(int)
    n = 0
    async for key in r.scan_iter(match=pattern, count=1000):
        found[str(await r.object("encoding", key))] += 1
        n += 1
        if n >= limit:
            break
    return dict(found)


async def pending_job_bytes(r: aioredis.Redis, n: int) -> float:
    """used_memory growth per job for n jobs as the applier's ladders schedule them."""
    from sidecar.infra.clock import SystemClock
    from sidecar.infra.jobs import JobEngine

    engine = JobEngine(r, SystemClock(), owner="bench-memory")
    before = (await r.info("memory"))["used_memory"]
    base = int(time.time() * 1000) + 3_600_000
    for start in range(0, n, 5000):
        async with r.pipeline(transaction=False) as pipe:
            for i in range(start, min(n, start + 5000)):
                engine.schedule_cmds(pipe, keys.meeting_job(f"bench-far-{i % 1000}",
                                                            f"bench:mem:{i}"), base + i,
                                     "bench_far",
                                     {"n": i, "meeting": "bench-far"})
            await pipe.execute()
    after = (await r.info("memory"))["used_memory"]
    return float(after - before) / n


async def run(args: argparse.Namespace, url: str, tmp: Path) -> dict[str, Any]:
    n, j = args.meetings, args.joins
    port = free_port()
    settings = Settings(
        tether_redis_url=url, tether_data_dir=tmp / "data",
        tether_data_key=base64.b64encode(bytes(range(32))).decode(),
        tether_public_url=f"http://127.0.0.1:{port}", zoom_webhook_secret_token=SECRET)
    app = create_app(settings, program(n, j))
    runner = await start_app(app, port)
    r: aioredis.Redis = app[TETHER].redis
    try:
        for m in range(n):
            for k in range(j):
                name = f"Bench Client {m:04d} {k:02d}"
                await app[TETHER].clients.put(ClientRecord(
                    id=client_id(m, k), name=name, callback_phone=phone(m * j + k),
                    zoom_display_names=[name]), actor="bench")
        run_id = str(int(time.time()))
        joined_at = int(time.time() * 1000) - 60_000
        failures = 0
        slots = asyncio.Semaphore(args.width)
        async with aiohttp.ClientSession() as session:
            async def join(m: int, k: int) -> None:
                nonlocal failures
                body = participant_body(
                    "meeting.participant_joined", joined_at + k, f"8{m:010d}",
                    f"bench{m:04d}+U/{run_id}==", f"pu-{run_id}-{m}-{k}",
                    f"Bench Client {m:04d} {k:02d}")
                async with slots, session.post(
                        f"http://127.0.0.1:{port}/webhooks/zoom", data=body,
                        headers=zoom_headers(body, time.time())) as resp:
                    await resp.read()
                    failures += resp.status != 200

            t0 = time.monotonic()
            await asyncio.gather(*(join(m, k) for m in range(n) for k in range(j)))
            print(f"sent {n * j:,} joins in {time.monotonic() - t0:.1f} s, {failures} non-200",
                  flush=True)
        if not await inbox_settled(r, 120):
            raise RuntimeError("the joins were not applied within 120 s")
        await asyncio.sleep(args.settle)  # jobs due at once (if any) fire and settle
        usage = await key_usage(r)
        job_enc = await encodings(r, "*" + keys.JOB_INFIX + "*")
        state_enc = await encodings(r, "{s*:m:*:state")
        xlen = await r.xlen(keys.INBOX)
        live = len(await live_meeting_ids(r))
        per_job = await pending_job_bytes(r, args.pending) if args.pending else float("nan")
    finally:
        await stop_app(runner)

    print(f"\n{n} meetings x {j} joins ({live} live); inbox XLEN {xlen}")
    print(f"{'key kind':<22}{'keys':>8}{'KB total':>11}{'KB/meeting':>12}")
    per_meeting: dict[str, float] = {}
    for name, (count, used) in sorted(usage.items(), key=lambda kv: -kv[1][1]):
        kb = used / 1024 / n
        mark = "" if name in PER_MEETING else "  (not per meeting)"
        print(f"{name:<22}{count:>8}{used / 1024:>11.1f}{kb:>12.2f}{mark}")
        if name in PER_MEETING:
            per_meeting[name] = round(kb, 2)
    total = sum(per_meeting.values())
    print(f"KB per live meeting    {total:.1f}   (the kinds without the mark)")
    print(f"job hash encodings     {job_enc}")
    print(f"state hash encodings   {state_enc}")
    print(f"bytes per pending job  {per_job:.0f}   ({args.pending:,} bare jobs, used_memory "
          "growth: hash + due zset entry)")
    ok = total < GOAL_KB
    print(f"goal < {GOAL_KB:.0f} KB per live meeting: {'MET' if ok else 'NOT MET'}")
    return {"meetings": n, "joins": j, "kb_per_meeting": round(total, 1),
            "by_kind_kb": per_meeting, "bytes_per_pending_job": round(per_job),
            "job_encodings": job_enc, "inbox_xlen": xlen, "non200": failures, "goal_met": ok}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--meetings", type=int, default=200)
    p.add_argument("--joins", type=int, default=10, help="joins (expected clients) per meeting")
    p.add_argument("--pending", type=int, default=100_000, help="bare jobs for bytes/job")
    p.add_argument("--width", type=int, default=32, help="webhooks in flight")
    p.add_argument("--settle", type=float, default=2.0, help="seconds after the inbox drains")
    p.add_argument("--redis", choices=["redis7", "redis62"], default="redis7")
    args = p.parse_args()
    if not (1 <= args.meetings <= 5000 and 1 <= args.joins <= 50):
        p.error("--meetings 1..5000, --joins 1..50")
    with tempfile.TemporaryDirectory(prefix="tether-bench-") as tmpdir:
        server = RedisProc(redis_binary(args.redis), Path(tmpdir))
        server.start()
        try:
            figures = asyncio.run(run(args, server.url, Path(tmpdir)))
        finally:
            server.stop()
    summary("meeting_memory", redis=args.redis, **figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
