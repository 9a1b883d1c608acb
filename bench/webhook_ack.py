"""Signed Zoom webhooks acknowledged per second, and ack latency, with the sidecar on ONE core.

The sidecar (the real app: edge, inbox, applier, job engine) runs in a child process pinned
to one CPU; redis-server and the load generator (wrk, cycling through pre-signed distinct
requests) run on the other. Synthetic data only; traffic goes to 127.0.0.1 only.

    python bench/webhook_ack.py --events 20000 --duration 5      # quick
    python bench/webhook_ack.py                                  # 100k events, 20 s
    python bench/webhook_ack.py --compare      # the floor, then one process, then edge-only

The framework floor (``--floor``) is a bare aiohttp handler that checks the same signature
and replay window and does one XADD on the same Redis: what any Python service on this
stack could reach. ``--compare`` runs the floor and both layouts of Tether one after the
other on fresh servers and prints each as a ratio of the floor.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import redis
from _common import (
    SECRET,
    RedisProc,
    free_port,
    participant_body,
    redis_binary,
    spawn,
    start_app,
    stop_child,
    summary,
    until_sigterm,
    zoom_headers,
)
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
MEETING_NUMBER = "81234567890"  # mapped in examples/program.yaml
DATA_KEY = base64.b64encode(bytes(range(32))).decode()
REPLAY_WINDOW_S = 300

LUA = Path(__file__).with_name("wrk_cycle.lua")


def floor_app(redis_url: str) -> web.Application:
    """The framework floor: verify like the edge (signature, replay window), one XADD."""
    import redis.asyncio as aioredis

    from plugins.zoom.signature import signature_matches

    client = aioredis.Redis.from_url(redis_url)

    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        ts = request.headers.get("x-zm-request-timestamp", "")
        if not ts.isdigit() or abs(time.time() - int(ts)) > REPLAY_WINDOW_S:
            return web.json_response({"error": "stale"}, status=401)
        if not signature_matches(SECRET, ts, body, request.headers.get("x-zm-signature", "")):
            return web.json_response({"error": "signature"}, status=401)
        await client.xadd("floor:inbox", {"e": body})
        return web.json_response({"accepted": 1})

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/webhooks/zoom", handle)
    app.router.add_get("/healthz", healthz)
    return app


async def serve(args: argparse.Namespace) -> None:
    """The child: the real app (or the floor), pinned to one CPU, until SIGTERM."""

    from sidecar.app import create_app
    from sidecar.infra.config import load_config
    from sidecar.infra.settings import Settings

    os.sched_setaffinity(0, {args.sidecar_cpu})
    if args.floor:
        runner = await start_app(floor_app(args.redis_url), args.port)
        await until_sigterm()
        await runner.cleanup()
        return
    settings = Settings(
        tether_redis_url=args.redis_url, tether_data_dir=Path(args.data_dir),
        tether_data_key=DATA_KEY, tether_public_url=f"http://127.0.0.1:{args.port}",
        zoom_webhook_secret_token=SECRET)
    app = create_app(settings, load_config(ROOT / "examples" / "program.yaml"),
                     run_workers=not args.no_workers)
    runner = await start_app(app, args.port)
    pauses = watch_gc()
    await until_sigterm()
    await runner.cleanup()
    for gen, ms in sorted(pauses.items()):
        print(f"sidecar gc gen{gen}: {len(ms)} collections, max {max(ms):.1f} ms, "
              f"total {sum(ms):.0f} ms", flush=True)


def watch_gc() -> dict[int, list[float]]:
    """Collector pauses by generation (a stop-the-world pause delays every ack)."""
    pauses: dict[int, list[float]] = {}
    started = [0.0]

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            pauses.setdefault(info["generation"], []).append(
                (time.perf_counter() - started[0]) * 1000)

    gc.callbacks.append(callback)
    return pauses


def write_requests(path: Path, n: int, meetings: int) -> None:
    """N distinct signed join/leave bodies (own participant and event_ts), signed now."""
    now = time.time()
    base_ms = int(now * 1000)
    run = os.urandom(4).hex()
    with path.open("w") as fh:
        fh.write(str(int(now)) + "\n")
        for k in range(n):
            joined = k % 2 == 0
            body = participant_body(
                "meeting.participant_joined" if joined else "meeting.participant_left",
                base_ms + k, MEETING_NUMBER, f"bench-{run}-m{k % meetings}==",
                f"pu-{run}-{k}", f"Guest {k}",
                "" if joined else "left the meeting. Reason : left the meeting")
            sig = zoom_headers(body, now)["x-zm-signature"]
            fh.write(f"{sig}\t{body.decode()}\n")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_http(url: str, timeout_s: float, child: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError(f"sidecar exited with {child.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"sidecar not answering at {url}")


def run_wrk(args: argparse.Namespace, base: str, tmp: Path, reqfile: Path) -> dict[str, int]:
    cmd = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s",
           "--latency", "--timeout", "5s", "-s", str(LUA), base + "/webhooks/zoom", "--",
           str(reqfile), str(args.threads)]
    print("load:", " ".join(cmd[:9]), "...", flush=True)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.duration + 120,
                         check=False, preexec_fn=lambda: os.sched_setaffinity(0, {args.load_cpu}))
    for line in out.stdout.splitlines():
        if re.match(r"\s+(50|99)%|Requests/sec|\s+\d+ requests in|\s+Non-2xx", line):
            print("wrk:", line.strip())
    found = re.search(r"^WRKJSON (.*)$", out.stdout, re.M)
    if out.returncode != 0 or found is None:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stderr.strip()[:500]}")
    return dict(json.loads(found.group(1)))


def inbox_figures(url: str) -> tuple[int, int | None]:
    client = redis.Redis.from_url(url, decode_responses=True)
    try:
        xlen = int(client.xlen("{tether}:inbox"))
        groups = client.xinfo_groups("{tether}:inbox") if xlen else []
        lag = groups[0].get("lag") if groups else None
        return xlen, None if lag is None else int(lag)
    finally:
        client.close()


def measure(args: argparse.Namespace, tmp: Path, url: str) -> dict[str, float]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, __file__, "--serve", "--port", str(port), "--redis-url", url,
           "--data-dir", str(tmp / "data"), "--sidecar-cpu", str(args.sidecar_cpu)]
    cmd += ["--no-workers"] if args.no_workers or args.split else []
    cmd += ["--floor"] if args.floor else []
    child = spawn(cmd)
    worker = None
    if args.split:  # a second replica, with the workers, applies the inbox on the load CPU
        wport = free_port()
        worker = spawn([sys.executable, __file__, "--serve", "--port", str(wport),
                        "--redis-url", url, "--data-dir", str(tmp / "worker"),
                        "--sidecar-cpu", str(args.load_cpu)])
    try:
        wait_http(base + "/healthz", 30, child)
        reqfile = tmp / "requests.tsv"
        t0 = time.monotonic()
        write_requests(reqfile, args.events, args.meetings)
        print(f"generated {args.events} signed bodies in {time.monotonic() - t0:.1f} s",
              flush=True)
        cpu0 = cpu_seconds(child.pid)
        w = run_wrk(args, base, tmp, reqfile)
        cpu = cpu_seconds(child.pid) - cpu0
        xlen, lag = inbox_figures(url)
    finally:
        stop_child(child)
        if worker is not None:
            stop_child(worker)
    secs = w["duration_us"] / 1e6
    rps = w["requests"] / secs
    errors = w["connect"] + w["read"] + w["write"] + w["timeout"]
    print(f"requests/s            {rps:,.0f}  ({w['requests']} in {secs:.1f} s, "
          f"{args.connections} connections)")
    print(f"ack latency p50       {w['p50_us'] / 1000:.2f} ms")
    print(f"ack latency p90       {w['p90_us'] / 1000:.2f} ms")
    print(f"ack latency p99       {w['p99_us'] / 1000:.2f} ms   max {w['max_us'] / 1000:.1f} ms")
    print(f"non-2xx               {w['non2xx']}   socket errors {errors}")
    print(f"inbox XLEN            {xlen}   (not yet applied: applied entries are deleted; "
          f"distinct bodies {args.events}, wrapped around {w['wrapped']} times)")
    if w["wrapped"]:
        print("WARNING: wrk wrapped around, so later requests were duplicates (cheaper to "
              "ack); raise --events")
    print(f"applier lag at end    {lag}")
    print(f"sidecar CPU           {cpu / secs:.2f} cores busy during load")
    ok = rps >= 5000 and w["p99_us"] < 10_000 and w["non2xx"] == 0
    print(f"goal >= 5,000/s, p99 < 10 ms: {'MET' if ok else 'NOT MET'}")
    if args.compare:
        return {"rps": rps, "p99_ms": w["p99_us"] / 1000, "cores": cpu / secs}
    summary("webhook_ack", rps=round(rps), p50_ms=w["p50_us"] / 1000,
            p99_ms=w["p99_us"] / 1000, max_ms=w["max_us"] / 1000, non2xx=w["non2xx"],
            socket_errors=errors, requests=w["requests"], inbox_xlen=xlen, applier_lag=lag,
            sidecar_cores=round(cpu / secs, 2), connections=args.connections,
            workers=not args.no_workers, split=args.split, goal_met=ok)
    return {"rps": rps, "p99_ms": w["p99_us"] / 1000, "cores": cpu / secs}


def compare(args: argparse.Namespace, tmp: Path) -> None:
    """The floor, one process that acks and applies, and edge-only, each on a fresh Redis,
    one after the other: each as a ratio of the floor (ratios, the machine is noisy).
    With ``--rounds N`` the three run N times in turn; the goal is judged on the medians."""
    layouts = {"floor": {"floor": True}, "one process": {},
               "edge only": {"no_workers": True}}
    rounds: list[dict[str, dict[str, float]]] = []
    for n in range(1, args.rounds + 1):
        got: dict[str, dict[str, float]] = {}
        for name, flags in layouts.items():
            print(f"--- round {n}: {name}", flush=True)
            run = argparse.Namespace(**{**vars(args), "floor": False, "no_workers": False,
                                        "split": False, **flags})
            work = tmp / f"{n}-{name.replace(' ', '-')}"
            work.mkdir()
            server = RedisProc(redis_binary(args.redis), work, args.appendfsync,
                               {args.load_cpu})
            server.start()
            try:
                got[name] = measure(run, work, server.url)
            finally:
                server.stop()
        rounds.append(got)
    print(f"{'layout':<12} {'acks/s':>8} {'x floor':>8} {'p99 ms':>8} {'x floor':>8} "
          f"{'CPU/req x':>9}")
    for got in rounds:
        floor = got["floor"]
        for name, g in got.items():
            per_req = (g["cores"] / g["rps"]) / (floor["cores"] / floor["rps"])
            print(f"{name:<12} {g['rps']:>8,.0f} {g['rps'] / floor['rps']:>8.2f} "
                  f"{g['p99_ms']:>8.1f} {g['p99_ms'] / floor['p99_ms']:>8.2f} {per_req:>9.2f}")
        print()

    def median(layout: str, field: str) -> float:
        return statistics.median(g[layout][field] / g["floor"][field] for g in rounds)

    one, edge, one_p99 = median("one process", "rps"), median("edge only", "rps"), \
        median("one process", "p99_ms")
    ok = one >= 0.5 and one_p99 <= 2 and edge >= 0.9
    print(f"medians over {len(rounds)} round(s): one process {one:.2f} x floor (p99 "
          f"{one_p99:.2f} x), edge only {edge:.2f} x floor")
    print(f"goal one process >= 0.5x floor acks/s with p99 <= 2x; edge-only >= 0.9x: "
          f"{'MET' if ok else 'NOT MET'}")
    summary("webhook_ack_compare", goal_met=ok, rounds=len(rounds),
            one_process_ratio=round(one, 3), one_process_p99_ratio=round(one_p99, 3),
            edge_only_ratio=round(edge, 3),
            edge_only_ratios=[round(g["edge only"]["rps"] / g["floor"]["rps"], 3)
                              for g in rounds])


def _child(args: argparse.Namespace, tmp: Path, url: str, flags: list[str]
           ) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    child = spawn([sys.executable, __file__, "--serve", "--port", str(port), "--redis-url", url,
                   "--data-dir", str(tmp / "data"), "--sidecar-cpu", str(args.sidecar_cpu),
                   *flags])
    return child, f"http://127.0.0.1:{port}"


def paired(args: argparse.Namespace, tmp: Path) -> None:
    """The floor and a layout of Tether at the SAME time, pinned to the same CPU, each
    loaded by its own wrk: the scheduler shares the CPU between them evenly, so whatever
    else the machine is doing slows both alike, and the ratio of their acks/s is the
    ratio of what a request costs. ``--rounds`` repeats it on fresh servers."""
    flags = ["--no-workers"] if args.no_workers else []
    ratios: list[float] = []
    for n in range(1, args.rounds + 1):
        work = tmp / f"round-{n}"
        work.mkdir()
        for name in ("floor", "tether"):
            (work / name).mkdir()
        servers = [RedisProc(redis_binary(args.redis), work / name, args.appendfsync,
                             {args.load_cpu}) for name in ("floor", "tether")]
        children: list[subprocess.Popen[bytes]] = []
        try:
            for server in servers:
                server.start()
            floor, floor_base = _child(args, work / "floor", servers[0].url, ["--floor"])
            children.append(floor)
            tether, tether_base = _child(args, work / "tether", servers[1].url, flags)
            children.append(tether)
            wait_http(floor_base + "/healthz", 30, floor)
            wait_http(tether_base + "/healthz", 30, tether)
            files = []
            for name in ("floor", "tether"):
                files.append(work / name / "requests.tsv")
                write_requests(files[-1], args.events, args.meetings)
            cpu0 = [cpu_seconds(c.pid) for c in children]
            with ThreadPoolExecutor(2) as pool:
                loads = [pool.submit(run_wrk, args, base, work, f)
                         for base, f in ((floor_base, files[0]), (tether_base, files[1]))]
                runs = [load.result() for load in loads]
            cpu = [cpu_seconds(c.pid) - c0 for c, c0 in zip(children, cpu0, strict=True)]
        finally:
            for child in children:
                stop_child(child)
            for server in servers:
                server.stop()
        rps = [w["requests"] / (w["duration_us"] / 1e6) for w in runs]
        bad = sum(w["non2xx"] for w in runs)
        ratios.append(rps[1] / rps[0])
        print(f"round {n}: floor {rps[0]:,.0f}/s ({cpu[0] / args.duration:.2f} cores), "
              f"{'edge only' if args.no_workers else 'one process'} {rps[1]:,.0f}/s "
              f"({cpu[1] / args.duration:.2f} cores), x floor {ratios[-1]:.2f}, "
              f"p99 {runs[0]['p99_us'] / 1000:.1f} / {runs[1]['p99_us'] / 1000:.1f} ms, "
              f"non-2xx {bad}", flush=True)
    median = statistics.median(ratios)
    goal = 0.9 if args.no_workers else 0.5
    print(f"median x floor over {len(ratios)} rounds: {median:.2f}; goal >= {goal}: "
          f"{'MET' if median >= goal else 'NOT MET'}")
    summary("webhook_ack_paired", layout="edge only" if args.no_workers else "one process",
            ratios=[round(r, 3) for r in ratios], median_ratio=round(median, 3),
            goal_met=median >= goal)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--events", type=int, default=100_000, help="distinct signed bodies")
    p.add_argument("--duration", type=int, default=20, help="seconds of load (max 240)")
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--threads", type=int, default=1, help="wrk threads")
    p.add_argument("--meetings", type=int, default=1000, help="meeting uuids to spread over")
    p.add_argument("--no-workers", action="store_true", help="edge only: no applier/engine")
    p.add_argument("--split", action="store_true",
                   help="edge replica (no workers) on the sidecar CPU, a worker replica on "
                        "the load CPU applying the inbox meanwhile")
    p.add_argument("--floor", action="store_true",
                   help="the framework floor instead of Tether: verify + one XADD")
    p.add_argument("--compare", action="store_true",
                   help="floor, one process, edge-only in turn; ratios of the floor")
    p.add_argument("--paired", action="store_true",
                   help="the floor and Tether at the same time on the same CPU (with "
                        "--no-workers: edge only); ratio of acks/s, median of --rounds")
    p.add_argument("--rounds", type=int, default=1,
                   help="rounds of --compare or --paired (the goal: their medians)")
    p.add_argument("--redis", choices=["redis7", "redis62"], default="redis7")
    p.add_argument("--appendfsync", choices=["everysec", "always", "off"], default="everysec")
    p.add_argument("--sidecar-cpu", type=int, default=0)
    p.add_argument("--load-cpu", type=int, default=1, help="CPU for redis-server and wrk")
    p.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--redis-url", default="", help=argparse.SUPPRESS)
    p.add_argument("--data-dir", default="", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.serve:
        asyncio.run(serve(args))
        return 0
    if not 1 <= args.duration <= REPLAY_WINDOW_S - 60:
        p.error("--duration must leave the signatures inside Zoom's 300 s replay window")
    with tempfile.TemporaryDirectory(prefix="tether-bench-") as tmpdir:
        tmp = Path(tmpdir)
        if args.compare:
            compare(args, tmp)
            return 0
        if args.paired:
            paired(args, tmp)
            return 0
        server = RedisProc(redis_binary(args.redis), tmp, args.appendfsync, {args.load_cpu})
        server.start()
        try:
            measure(args, tmp, server.url)
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
