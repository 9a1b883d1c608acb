"""Job fire lateness (handler start minus due time) with a million jobs pending.

Bulk-loads --pending jobs due in an hour with the commands ``JobEngine.schedule_cmds``
writes, schedules --jobs jobs due over the next --spread seconds, runs a real JobEngine
(SystemClock: claims use Redis TIME) and records ``time.time()*1000 - job.due_ms`` in the
handler. Its own redis-server on a unix socket; synthetic data only.

With ``--arq``, the same redis-server is then flushed and ``arq_baseline.py`` runs as a
subprocess with arq's own virtual env (created with ``python -m venv`` and ``pip install
arq`` if missing: arq pins an older redis-py than our locks): the same pending count, jobs
and spread, at arq's default poll (0.5 s) and at 0.05 s; both are printed side by side.

    python bench/job_lateness.py --pending 100000 --jobs 500 --spread 5    # quick
    python bench/job_lateness.py                                           # 1M pending
    python bench/job_lateness.py --arq                                     # and arq's
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import redis
import redis.asyncio as aioredis
from _common import RedisProc, pct, redis_binary, rss_mb, summary

from sidecar.infra import keys
from sidecar.infra.clock import SystemClock
from sidecar.infra.jobs import ClaimedJob, Done, JobEngine, Outcome
from sidecar.infra.store import connect

FAR_KIND = "bench_far"
NEAR_KIND = "bench_near"
GOAL_P99_MS = 20.0
ARQ_VENV = Path("/tmp/arq-venv")
ARQ_SCRIPT = Path(__file__).with_name("arq_baseline.py")


def _spread(i: int, name: str) -> str:
    """Job i as one of a thousand meetings' jobs, so they lie in every shard as ladders do
    (one job in 17 is the program's own)."""
    return name if i % 17 == 0 else keys.meeting_job(f"bench-{i % 1000}", name)


async def bulk_load(r: aioredis.Redis, engine: JobEngine, n: int, batch: int) -> float:
    """N jobs due between 1 h and 2 h from now, in non-transactional pipelines."""
    t0 = time.monotonic()
    base = int(time.time() * 1000) + 3_600_000
    done = 0
    while done < n:
        async with r.pipeline(transaction=False) as pipe:
            for i in range(done, min(n, done + batch)):
                engine.schedule_cmds(pipe, _spread(i, f"bench:far:{i}"), base + i * 3_600_000 // n,
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
            engine.schedule_cmds(pipe, _spread(i, f"bench:near:{i}"),
                                 first + int(i * spread_s * 1000 / k), NEAR_KIND,
                                 {"n": i, "meeting": "bench-near"})
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
        before = await r.info("persistence")
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
        after = await r.info("persistence")
        forks = await r.info("stats")
        zcard = sum([await r.zcard(index) for index in keys.DUE_INDEXES])
    finally:
        await r.aclose()
    print(f"jobs fired            {len(late)} of {args.jobs}  (due indexes now hold {zcard:,})")
    print(f"lateness p50          {pct(late, 50):.1f} ms")
    print(f"lateness p99          {pct(late, 99):.1f} ms")
    print(f"lateness max          {max(late, default=float('nan')):.1f} ms")
    print(f"claim lag p50/p99     {pct(claim_lag, 50):.0f} / {pct(claim_lag, 99):.0f} ms"
          "  (Redis TIME at claim minus due)")
    print(f"redis used_memory     {mem['used_memory_human']}  (rss "
          f"{mem['used_memory_rss_human']})")
    print(f"bench process RSS     {rss_mb():.0f} MB")
    rewrites = int(after.get("aof_rewrites", 0)) - int(before.get("aof_rewrites", 0))
    fork_ms = forks["latest_fork_usec"] / 1000
    print(f"AOF rewrites meanwhile {rewrites}  (last fork {fork_ms:.1f} ms; a fork stalls Redis)")
    print(f"bulk load             {args.pending / load_s:,.0f} jobs/s ({load_s:.1f} s)")
    ok = len(late) == args.jobs and pct(late, 99) < GOAL_P99_MS
    print(f"goal p99 < {GOAL_P99_MS:.0f} ms: {'MET' if ok else 'NOT MET'}")
    return {"fired": len(late), "p50_ms": round(pct(late, 50), 1),
            "p99_ms": round(pct(late, 99), 1), "max_ms": round(max(late, default=-1), 1),
            "redis_used_memory": mem["used_memory_human"], "rss_mb": round(rss_mb()),
            "load_s": round(load_s, 1), "goal_met": ok}


def arq_python(venv: Path) -> Path:
    """The arq env's interpreter; the env is made (python -m venv, pip install arq) if missing."""
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"creating {venv} for arq (python -m venv; pip install arq)", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "arq"], check=True)
    return python


def run_arq(args: argparse.Namespace, server: RedisProc) -> list[dict[str, Any]]:
    """arq on the same redis-server, flushed of our jobs first: one result per poll delay."""
    python = arq_python(Path(args.arq_venv))
    client = redis.Redis(unix_socket_path=str(server.socket))
    try:
        client.flushall()
    finally:
        client.close()
    cmd = [str(python), str(ARQ_SCRIPT), "--socket", str(server.socket), "--pending",
           str(args.pending), "--jobs", str(args.jobs), "--spread", str(args.spread),
           "--start-in", str(args.start_in), "--grace", str(args.grace), "--batch",
           str(args.batch), "--poll-delay", *[str(d) for d in args.arq_poll]]
    print("arq baseline:", " ".join(cmd[:2]), "...", flush=True)
    out = subprocess.run(cmd, capture_output=True, text=True, check=False,
                         timeout=3600)
    results = []
    for line in out.stdout.splitlines():
        if line.startswith("ARQ "):
            results.append(dict(json.loads(line[4:])))
        else:
            print(line)
    if out.returncode != 0:
        raise RuntimeError(f"arq baseline failed ({out.returncode}): {out.stderr[-2000:]}")
    return results


def side_by_side(ours: dict[str, Any], arq: list[dict[str, Any]]) -> None:
    print(f"\n{'lateness (start - due)':<26}{'fired':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    rows = [("tether JobEngine", ours)] + [
        (f"arq, poll {a['poll_delay_s']:g} s", a) for a in arq]
    for name, r in rows:
        print(f"{name:<26}{r['fired']:>8}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}"
              f"{r['max_ms']:>9.1f}")


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
    p.add_argument("--arq", action="store_true", help="then arq's lateness, side by side")
    p.add_argument("--arq-venv", default=str(ARQ_VENV), help="arq's virtual env")
    p.add_argument("--arq-poll", type=float, nargs="+", default=[0.5, 0.05],
                   help="arq poll delays to measure, s")
    args = p.parse_args()
    if args.pending < 0 or args.jobs < 1 or args.pending > 5_000_000:
        p.error("--pending must be 0..5,000,000 and --jobs at least 1")
    with tempfile.TemporaryDirectory(prefix="tether-bench-") as tmp:
        server = RedisProc(redis_binary(args.redis), Path(tmp), args.appendfsync)
        server.start()
        arq: list[dict[str, Any]] = []
        try:
            figures = asyncio.run(measure(args, server.url))
            if args.arq:
                arq = run_arq(args, server)
                side_by_side(figures, arq)
        finally:
            server.stop()
    extra = {"arq": [{k: a[k] for k in ("poll_delay_s", "fired", "p50_ms", "p99_ms", "max_ms")}
                     for a in arq]} if args.arq else {}
    summary("job_lateness", pending=args.pending, jobs=args.jobs, redis=args.redis,
            appendfsync=args.appendfsync, **figures, **extra)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
