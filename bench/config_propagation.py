"""An admin's save, live on another replica: save latency and propagation, with the
pub/sub notice and with the notice lost (the one-second catch-up alone).

Two sidecars (create_app, all workers) run in this process on one private redis-server.
--saves times an admin saves the groups document on replica A over HTTP (If-Match, a
session-less staff token); for each, the figure is the moment replica B's live
configuration reached the saved version minus the moment the save was sent. Then the same
with the notice suppressed (the follower's once-a-second version check must catch up).
Also: the save's own round trip, and the stored configuration's size in Redis.

    python bench/config_propagation.py            # 100 saves each way
    python bench/config_propagation.py --saves 300
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import yaml
from _common import RedisProc, free_port, pct, redis_binary, start_app, stop_app, summary

from sidecar.app import create_app
from sidecar.infra import keys
from sidecar.infra.config import ProgramConfig
from sidecar.infra.settings import Settings
from sidecar.services import TETHER, Tether

ROOT = Path(__file__).resolve().parent.parent
ADMIN = "admin-jordan"


def program() -> ProgramConfig:
    raw = yaml.safe_load((ROOT / "examples" / "program.yaml").read_text())
    return ProgramConfig.model_validate(raw)


def settings(rp: RedisProc, tmp: Path, port: int) -> Settings:
    return Settings(tether_redis_url=rp.url, tether_data_dir=tmp / f"data-{port}",
                    tether_data_key=base64.b64encode(bytes(range(32))).decode(),
                    tether_public_url=f"http://127.0.0.1:{port}")


async def until_version(t: Tether, version: int, timeout_s: float = 5.0) -> float:
    """When ``t`` runs on ``version`` (perf_counter), polled every 0.5 ms."""
    deadline = time.perf_counter() + timeout_s
    while t.live.version < version:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"replica stuck at version {t.live.version} < {version}")
        await asyncio.sleep(0.0005)
    return time.perf_counter()


async def one_save(http: aiohttp.ClientSession, base: str, token: str, n: int
                   ) -> tuple[float, float]:
    headers = {"Authorization": "Bearer " + token}
    async with http.get(f"{base}/api/admin/config/groups", headers=headers) as r:
        doc: dict[str, Any] = await r.json()
    body = doc["body"]
    body[0] = {**body[0], "name": f"Tuesday evening group ({n})"}
    sent = time.perf_counter()
    async with http.put(f"{base}/api/admin/config/groups", json=body,
                        headers={**headers, "If-Match": f'"{doc["version"]}"'}) as r:
        if r.status != 200:
            raise RuntimeError(f"save {n}: {r.status} {await r.text()}")
    return sent, time.perf_counter()


async def series(a: Tether, b: Tether, http: aiohttp.ClientSession, base: str, saves: int,
                 label: str) -> dict[str, float]:
    token = a.tokens.issue(ADMIN, time.time(), ttl_s=3600)
    spread, trips = [], []
    for n in range(saves):
        sent, done = await one_save(http, base, token, n)
        arrived = await until_version(b, await a.config_store.version())
        spread.append((arrived - sent) * 1000)
        trips.append((done - sent) * 1000)
        await asyncio.sleep(0.01)
    figures = {"p50_ms": pct(spread, 50), "p99_ms": pct(spread, 99), "max_ms": max(spread),
               "save_p50_ms": pct(trips, 50), "save_p99_ms": pct(trips, 99)}
    print(f"{label}: replica B live after p50 {figures['p50_ms']:.1f} ms, p99 "
          f"{figures['p99_ms']:.1f} ms, max {figures['max_ms']:.1f} ms; the save itself "
          f"p50 {figures['save_p50_ms']:.1f} ms, p99 {figures['save_p99_ms']:.1f} ms "
          f"({saves} saves)", flush=True)
    return figures


async def run(args: argparse.Namespace) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="tether-bench-config-"))
    rp = RedisProc(redis_binary(args.redis), tmp)
    rp.start()
    ports = [free_port(), free_port()]
    apps = [create_app(settings(rp, tmp, p), program()) for p in ports]
    runners = [await start_app(app, p) for app, p in zip(apps, ports, strict=True)]
    a, b = (app[TETHER] for app in apps)
    base = f"http://127.0.0.1:{ports[0]}"
    try:
        async with aiohttp.ClientSession() as http:
            noticed = await series(a, b, http, base, args.saves, "with the notice")

            async def silent() -> None:  # the notice lost: only the catch-up is left
                return None

            a.config_store._announce = silent  # type: ignore[method-assign]
            lost = await series(a, b, http, base, max(10, args.saves // 5), "notice lost")
        size = sum([await a.redis.memory_usage(keys.CONFIG_DOC_PREFIX + d) or 0
                    for d in ("program", "staff", "groups", "on_call", "policies")])
        print(f"stored configuration: {size} bytes in Redis (five documents)")
        summary("config_propagation", notice_p50_ms=round(noticed["p50_ms"], 1),
                notice_p99_ms=round(noticed["p99_ms"], 1),
                notice_max_ms=round(noticed["max_ms"], 1),
                save_p50_ms=round(noticed["save_p50_ms"], 1),
                save_p99_ms=round(noticed["save_p99_ms"], 1),
                lost_p50_ms=round(lost["p50_ms"], 1), lost_max_ms=round(lost["max_ms"], 1),
                stored_bytes=size)
    finally:
        for runner in runners:
            await stop_app(runner)
        rp.stop()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--saves", type=int, default=100)
    p.add_argument("--redis", choices=["redis7", "redis62"], default="redis7")
    asyncio.run(run(p.parse_args()))


if __name__ == "__main__":
    main()
