"""Job fire lateness (handler start minus due time) with a million jobs pending.

Bulk-loads --pending jobs due in an hour with the commands ``JobEngine.schedule_cmds``
writes, schedules --jobs jobs due over the next --spread seconds, runs a real JobEngine
(SystemClock: claims use Redis TIME) and records ``time.time()*1000 - job.due_ms`` in the
handler. Its own redis-server on a unix socket; synthetic data only.

    python bench/job_lateness.py --pending 100000 --jobs 500 --spread 5    # quick
    python bench/job_lateness.py                                           # 1M pending
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import time
from pathlib import Path

import redis.asyncio as aioredis
from _common import RedisProc, pct, redis_binary, rss_mb, summary

from sidecar.infra import keys
from sidecar.infra.clock import SystemClock
from sidecar.infra.jobs import ClaimedJob, Done, JobEngine, Outcome
from sidecar.infra.store import connect

FAR_KIND = "bench_far"
NEAR_KIND = "bench_near"


async def bulk_load(r: aioredis.Redis, engine: JobEngine, n: int, batch: int) -> float:
    """N jobs due between 1 h and 2 h from now, in non-transactional pipelines."""
    t0 = time.monotonic()
    base = int(time.time() * 1000) + 3_600_000
    done = 0
    while done < n:
        async with r.pipeline(transaction=False) as pipe:
            for i in range(done, min(n, done + batch)):
                engine.schedule_cmds(pipe, f"bench:far:{i}", base + i * 3_600_000 // n,
                                     FAR_KIND, {"n": i, "meeting": "bench-far"})
            await pipe.execute()
        done = min(n, done + batch)
        if done % max(batch, n // 10) < batch or done == n:
            print(f"  loaded {done:>9,} jobs  {done / (time.monotonic() - t0):,.0f}/s",
                  flush=True)
    return time.monotonic() - t0


async def wait_for_rewrite(r: aioredis.Redis, limit_s: float = 300) -> float:
    """Seconds spent waiting for an AOF rewrite the bulk load triggered (0 if none)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit_s:
        info = await r.info("persistence")
        if not info.get("aof_rewrite_in_progress") and not info.get("aof_rewrite_scheduled"):
            break
        await asyncio.sleep(0.2)
    return time.monotonic() - t0


async def schedule_near(r: aioredis.Redis, engine: JobEngine, k: int, start_in_s: float,
                        spread_s: float) -> None:
    first = int((time.time() + start_in_s) * 1000)
    async with r.pipeline(transaction=False) as pipe:
        for i in range(k):
            engine.schedule_cmds(pipe, f"bench:near:{i}", first + int(i * spread_s * 1000 / k),
                                 NEAR_KIND, {"n": i, "meeting": "bench-near"})
        await pipe.execute()


async def measure(args: argparse.Namespace, url: str) -> dict[str, float]:
    r = connect(url)
    engine = JobEngine(r, SystemClock(), owner="bench-engine")
    late: list[float] = []
    claim_lag: list[float] = []
    all_fired = asyncio.Event()

    async def handler(job: ClaimedJob) -> Outcome:
        late.append(time.time() * 1000 - job.due_ms)
        claim_lag.append(job.claimed_at_ms - job.due_ms)
        if len(late) >= args.jobs:
            all_fired.set()
        return Done("bench")

    engine.handlers[NEAR_KIND] = handler
    try:
        await engine.ensure_scripts()
        print(f"loading {args.pending:,} pending jobs (pipelines of {args.batch:,})", flush=True)
        load_s = await bulk_load(r, engine, args.pending, args.batch)
        waited = await wait_for_rewrite(r)
        print(f"loaded in {load_s:.1f} s; waited {waited:.1f} s for an AOF rewrite", flush=True)
        await schedule_near(r, engine, args.jobs, args.start_in, args.spread)
        runner = asyncio.create_task(engine.run_forever())
        timeout = args.start_in + args.spread + args.grace
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(all_fired.wait(), timeout)
        await asyncio.sleep(0.5)  # let the last completions land
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
        await engine.drain()
        mem = await r.info("memory")
        zcard = await r.zcard(keys.JOBS_DUE)
    finally:
        await r.aclose()
    print(f"jobs fired            {len(late)} of {args.jobs}  (zset now holds {zcard:,})")
    print(f"lateness p50          {pct(late, 50):.1f} ms")
    print(f"lateness p99          {pct(late, 99):.1f} ms")
    print(f"lateness max          {max(late, default=float('nan')):.1f} ms")
    print(f"claim lag p50/p99     {pct(claim_lag, 50):.0f} / {pct(claim_lag, 99):.0f} ms"
          "  (Redis TIME at claim minus due)")
    print(f"redis used_memory     {mem['used_memory_human']}  (rss "
          f"{mem['used_memory_rss_human']})")
    print(f"bench process RSS     {rss_mb():.0f} MB")
    print(f"bulk load             {args.pending / load_s:,.0f} jobs/s ({load_s:.1f} s)")
    ok = len(late) == args.jobs and pct(late, 99) < 100
    print(f"goal p99 < 100 ms: {'MET' if ok else 'NOT MET'}")
    return {"fired": len(late), "p50_ms": round(pct(late, 50), 1),
            "p99_ms": round(pct(late, 99), 1), "max_ms": round(max(late, default=-1), 1),
            "redis_used_memory": mem["used_memory_human"], "rss_mb": round(rss_mb()),
            "load_s": round(load_s, 1), "goal_met": ok}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--pending", type=int, default=1_000_000, help="jobs due in 1-2 hours")
    p.add_argument("--jobs", type=int, default=2_000, help="jobs due soon, measured")
    p.add_argument("--spread", type=float, default=20.0, help="seconds the K jobs span")
    p.add_argument("--start-in", type=float, default=2.0, help="first due, s from scheduling")
    p.add_argument("--grace", type=float, default=60.0, help="extra seconds to wait at most")
    p.add_argument("--batch", type=int, default=10_000, help="jobs per pipeline")
    p.add_argument("--redis", choices=["redis7", "redis62"], default="redis7")
    p.add_argument("--appendfsync", choices=["everysec", "always", "off"], default="everysec")
    args = p.parse_args()
    if args.pending < 0 or args.jobs < 1 or args.pending > 5_000_000:
        p.error("--pending must be 0..5,000,000 and --jobs at least 1")
    with tempfile.TemporaryDirectory(prefix="tether-bench-") as tmp:
        server = RedisProc(redis_binary(args.redis), Path(tmp), args.appendfsync)
        server.start()
        try:
            figures = asyncio.run(measure(args, server.url))
        finally:
            server.stop()
    summary("job_lateness", pending=args.pending, jobs=args.jobs, redis=args.redis,
            appendfsync=args.appendfsync, **figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
