"""arq's job lateness with a million deferred jobs: the baseline beside ours.

Run by ``job_lateness.py --arq`` with the interpreter of a separate virtual env
(``/tmp/arq-venv``: arq pins an older redis-py than the sidecar's locks allow), against the
same redis-server, after our measurement has been flushed. Imports arq and the standard
library only, never the sidecar.

Bulk-loads --pending jobs deferred 1-2 hours into the future, written as arq's
``enqueue_job`` writes them (``serialize_job``, PSETEX of the job, ZADD to the queue) but in
non-transactional pipelines; then for each --poll-delay: --jobs jobs due over the next
--spread seconds, an arq ``Worker`` polling at that delay, and lateness = the function's
start (``time.time()``) minus its due time. Prints one ``ARQ {json}`` line per poll delay.

    /tmp/arq-venv/bin/python bench/arq_baseline.py --socket /tmp/x/redis.sock --pending 100000
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
from typing import Any

from arq.connections import RedisSettings, create_pool
from arq.constants import default_queue_name, expires_extra_ms, job_key_prefix
from arq.jobs import serialize_job
from arq.worker import Worker, func

FAR = "bench_far"
NEAR = "bench_near"


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100), as bench/_common.py computes it."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


async def load(pool: Any, prefix: str, fn: str, dues: list[int], batch: int) -> None:
    """Jobs as ``ArqRedis.enqueue_job`` stores them, pipelined."""
    now = int(time.time() * 1000)
    for start in range(0, len(dues), batch):
        async with pool.pipeline(transaction=False) as pipe:
            for i in range(start, min(len(dues), start + batch)):
                job_id = f"{prefix}:{i}"
                data = serialize_job(fn, (dues[i], {"n": i, "meeting": f"bench-{prefix}"}),
                                     {}, None, now)
                pipe.psetex(job_key_prefix + job_id, dues[i] - now + expires_extra_ms, data)
                pipe.zadd(default_queue_name, {job_id: dues[i]})
            await pipe.execute()


async def measure_poll(settings: RedisSettings, pool: Any, args: argparse.Namespace,
                       poll_delay: float, run: int) -> dict[str, Any]:
    late: list[float] = []
    all_fired = asyncio.Event()

    async def near(ctx: dict[str, Any], due_ms: int, payload: dict[str, Any]) -> None:
        late.append(time.time() * 1000 - due_ms)
        if len(late) >= args.jobs:
            all_fired.set()

    async def far(ctx: dict[str, Any], due_ms: int, payload: dict[str, Any]) -> None:
        raise AssertionError("a far job came due during the bench")

    first = int((time.time() + args.start_in) * 1000)
    dues = [first + int(i * args.spread * 1000 / args.jobs) for i in range(args.jobs)]
    await load(pool, f"near{run}", NEAR, dues, args.batch)
    worker = Worker(functions=[func(near, name=NEAR), func(far, name=FAR)],
                    redis_settings=settings, poll_delay=poll_delay, handle_signals=False,
                    max_jobs=args.max_jobs, keep_result=0)
    runner = asyncio.create_task(worker.async_run())
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(all_fired.wait(), args.start_in + args.spread + args.grace)
    await asyncio.sleep(0.5)
    runner.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await runner
    await worker.close()
    return {"poll_delay_s": poll_delay, "fired": len(late), "jobs": args.jobs,
            "p50_ms": round(pct(late, 50), 1), "p99_ms": round(pct(late, 99), 1),
            "max_ms": round(max(late, default=float("nan")), 1)}


async def main_async(args: argparse.Namespace) -> None:
    settings = RedisSettings(unix_socket_path=args.socket)
    pool = await create_pool(settings)
    try:
        t0 = time.monotonic()
        base = int(time.time() * 1000) + 3_600_000
        dues = [base + i * 3_600_000 // max(1, args.pending) for i in range(args.pending)]
        await load(pool, "far", FAR, dues, args.batch)
        load_s = time.monotonic() - t0
        mem = await pool.info("memory")
        print(f"arq: loaded {args.pending:,} deferred jobs in {load_s:.1f} s; redis "
              f"{mem['used_memory_human']}", flush=True)
        for run, delay in enumerate(args.poll_delay):
            got = await measure_poll(settings, pool, args, delay, run)
            got.update(pending=args.pending, load_s=round(load_s, 1),
                       redis_used_memory=mem["used_memory_human"])
            print("ARQ " + json.dumps(got), flush=True)
    finally:
        await pool.aclose()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--socket", required=True, help="the redis-server's unix socket")
    p.add_argument("--pending", type=int, default=1_000_000)
    p.add_argument("--jobs", type=int, default=2_000)
    p.add_argument("--spread", type=float, default=20.0)
    p.add_argument("--start-in", type=float, default=2.0)
    p.add_argument("--grace", type=float, default=60.0)
    p.add_argument("--batch", type=int, default=10_000)
    p.add_argument("--max-jobs", type=int, default=64, help="as our engine's concurrency")
    p.add_argument("--poll-delay", type=float, nargs="+", default=[0.5, 0.05])
    asyncio.run(main_async(p.parse_args()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
