"""The top of an hour at platform scale: many concurrent Zoom meetings, replicas, drops → dials.

Starts a private redis-server, the Twilio stand-in (a child process answering each REST
request after a random 50-150 ms, as a provider's round trip would) and ``--replicas``
``tether serve`` processes (every one an edge and a worker) on them. The program has
``--meetings`` Zoom meetings; in each, ``--per-meeting`` participants: the lead, the
co-facilitator and clients expected in that meeting (client records generated and stored
encrypted before the replicas start). Traffic, shaped as Zoom sends it when groups start on
the hour, goes as signed webhooks over HTTP to the replicas' edges in turn:

1. ``meeting.started`` for each meeting within the first ``--start-spread`` s, then each
   participant's ``participant_joined`` at a random moment in the ``--join-spread`` s after
   their meeting started (people arrive);
2. at one known instant (``--drop-at`` s after the first start), ``--drops`` clients (spread
   over the meetings, among those due to have joined 2 s before) "got disconnected", sent as
   fast as the edges take them; if the generator is behind its schedule, the drop waits
   until those clients' joins were acknowledged (how late it went out is printed);
3. once every dropped client has been dialled (or ``grace + --wait`` s passed), everyone
   else leaves normally within ``--leave-spread`` s.

Measured: the webhook acks (achieved rate, p50/p99, errors) per phase; how far behind its
schedule the generator fell; the inbox not yet applied, every second; for each drop,
disconnect (the webhook's event_ts, the real time of sending) → the stand-in's first call to
that client's number (the arrival of the request), p50/p99/max, late (> grace + 1 s) and
never dialled; Redis memory (the stored records, then per meeting of traffic); the
replicas' RSS. Bounded in time (the hour's events stop after ``--limit`` s, the leaves
after their spread + 60 s; what was not sent is counted); every child gets SIGTERM at the end.
Synthetic data only: 555-01xx numbers under area codes 200-999; 127.0.0.1 only.

    python bench/platform_load.py --meetings 200              # quick
    python bench/platform_load.py                             # 10,000 meetings of 10
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import redis.asyncio as aioredis
import yaml
from _common import (
    DATA_KEY,
    RedisProc,
    free_port,
    meeting_body,
    participant_body,
    pct,
    redis_binary,
    rss_mb,
    serve_env,
    start_serve,
    start_standin,
    stop_child,
    stop_children,
    summary,
    wait_dials,
    wait_healthy,
    zoom_headers,
)

from sidecar.infra.audit import Audit
from sidecar.infra.clock import SystemClock
from sidecar.infra.crypto import FieldCipher
from sidecar.infra.keyring import Keyring
from sidecar.infra.keyring_file import parse_key
from sidecar.records.clients import ClientStore
from sidecar.records.model import ClientRecord

ROOT = Path(__file__).resolve().parent.parent
DROP = "got disconnected from the meeting. Reason : Network connection error."
LEAVE = "left the meeting. Reason : left the meeting."
STAFF_SEATS = 2  # seat 0 the lead, seat 1 the co-facilitator; the rest are clients
MAX_CLIENTS = 800 * 100  # +1 NXX 555-01xx: 800 area codes (200-999) x 100 numbers
RECORD_BATCH = 1000


# --- the scenario (pure) -----------------------------------------------------------------
def phone(j: int) -> str:
    """Client j's callback number: fictional 555-01xx, unique for j < MAX_CLIENTS."""
    return f"+1{200 + j // 100}55501{j % 100:02d}"


def meeting_number(m: int) -> str:
    return f"8{m:010d}"


@dataclass(frozen=True)
class Seat:
    """Participant ``seat`` of meeting ``m``; ``client`` is its client index, or -1 (staff)."""

    m: int
    seat: int
    per_meeting: int

    @property
    def client(self) -> int:
        clients = self.per_meeting - STAFF_SEATS
        return self.m * clients + self.seat - STAFF_SEATS if self.seat >= STAFF_SEATS else -1

    @property
    def name(self) -> str:
        if self.seat == 0:
            return f"Lead of group {self.m:05d}"
        if self.seat == 1:
            return f"Co-facilitator of group {self.m:05d}"
        return client_name(self.client)


def client_name(j: int) -> str:
    return f"Bench Client {j:05d}"


@dataclass(frozen=True, order=True)
class Planned:
    at: float  # seconds after the first meeting.started
    m: int
    seat: int  # -1: the meeting itself (meeting.started)


def arrivals(meetings: int, per_meeting: int, start_spread: float, join_spread: float,
             rng: random.Random) -> list[Planned]:
    """Each meeting starts within ``start_spread``; its people join within ``join_spread``
    after it started. In time order."""
    plan = []
    for m in range(meetings):
        start = rng.uniform(0, start_spread)
        plan.append(Planned(start, m, -1))
        plan.extend(Planned(start + rng.uniform(0, join_spread), m, s)
                    for s in range(per_meeting))
    return sorted(plan)


def dropped(plan: Sequence[Planned], per_meeting: int, drops: int, before: float
            ) -> list[Seat]:
    """``drops`` client seats spread evenly over the meetings, among those planned to have
    joined by ``before`` (a client not yet in the meeting cannot drop out of it)."""
    joined = sorted((p.m, p.seat) for p in plan if p.seat >= STAFF_SEATS and p.at <= before)
    if len(joined) < drops:
        raise ValueError(f"only {len(joined)} clients have joined by the drop: lower --drops "
                         "or raise --drop-at")
    return [Seat(*joined[k * len(joined) // drops], per_meeting) for k in range(drops)]


def leaves(stay: Sequence[Seat], spread: float, rng: random.Random) -> list[Planned]:
    return sorted(Planned(rng.uniform(0, spread), s.m, s.seat) for s in stay)


# --- the program and its clients ---------------------------------------------------------
def program_file(path: Path, meetings: int, per_meeting: int, grace: float) -> None:
    raw = yaml.safe_load((ROOT / "examples" / "program.yaml").read_text())
    clients = per_meeting - STAFF_SEATS
    raw["meetings"] = [
        {"zoom_meeting_id": meeting_number(m), "name": f"Bench group {m:05d}",
         "lead": "lead-avery", "co_facilitator": "cofac-morgan",
         "expected_clients": [f"pl-{m * clients + c:05d}" for c in range(clients)]}
        for m in range(meetings)]
    raw["callback_policy"]["grace_seconds"] = grace
    path.write_text(yaml.safe_dump(raw, default_flow_style=None, width=200))


async def store_clients(url: str, count: int) -> None:
    """Client records pl-00000.. with one display name each, saved in batches."""
    r = aioredis.from_url(url)
    try:
        store = ClientStore(r, FieldCipher(Keyring.single(parse_key(DATA_KEY))),
                            Audit(r, SystemClock()))
        for first in range(0, count, RECORD_BATCH):
            await store.put_many([
                ClientRecord(id=f"pl-{j:05d}", name=client_name(j), callback_phone=phone(j),
                             zoom_display_names=[client_name(j)])
                for j in range(first, min(count, first + RECORD_BATCH))], actor="bench")
    finally:
        await r.aclose()


# --- the load generator ------------------------------------------------------------------
@dataclass
class Phase:
    name: str
    acks_ms: list[float] = field(default_factory=list)
    errors: int = 0
    behind_s: float = 0.0  # the most the generator fell behind its schedule
    unsent: int = 0  # planned but not sent: the run's time limit came first
    began: float = 0.0
    ended: float = 0.0

    @property
    def rate(self) -> float:
        took = self.ended - self.began
        return (len(self.acks_ms) + self.errors) / took if took > 0 else float("nan")


class Sender:
    """Signed webhooks to the replicas' edges in turn, at most ``width`` in flight."""

    def __init__(self, edges: list[str], session: aiohttp.ClientSession, run: str,
                 per_meeting: int, width: int) -> None:
        self.edges, self.session, self.run = edges, session, run
        self.per_meeting = per_meeting
        self.slots = asyncio.Semaphore(width)
        self.turn = 0
        self.tasks: set[asyncio.Task[None]] = set()
        self.acked: set[tuple[int, int]] = set()  # (meeting, seat) of every 200

    def body(self, m: int, seat: int, ts_ms: int, reason: str) -> bytes:
        uuid = f"pl{m:05d}+U/{self.run}=="
        if seat < 0:
            return meeting_body("meeting.started", ts_ms, meeting_number(m), uuid,
                                f"Bench group {m:05d}")
        event = "meeting.participant_left" if reason else "meeting.participant_joined"
        return participant_body(event, ts_ms, meeting_number(m), uuid,
                                f"pu-{self.run}-{m}-{seat}",
                                Seat(m, seat, self.per_meeting).name, reason)

    async def _post(self, phase: Phase, who: tuple[int, int], body: bytes) -> None:
        url = self.edges[self.turn % len(self.edges)]
        self.turn += 1
        t0 = time.perf_counter()
        try:
            async with self.session.post(url, data=body,
                                         headers=zoom_headers(body, time.time())) as r:
                await r.read()
                ok = r.status == 200
        except (aiohttp.ClientError, TimeoutError):
            ok = False
        finally:
            self.slots.release()
        if ok:
            phase.acks_ms.append((time.perf_counter() - t0) * 1000)
            self.acked.add(who)
        else:
            phase.errors += 1

    async def play(self, phase: Phase, plan: Sequence[Planned], stop_at: float,
                   reason: str = "", sent: dict[tuple[int, int], int] | None = None) -> None:
        """Send ``plan`` on its schedule (``at`` after now) until ``stop_at`` (the loop's
        time); ``sent`` gets each event_ts."""
        loop = asyncio.get_running_loop()
        t0 = phase.began = loop.time()
        for n, item in enumerate(plan):
            wait = t0 + item.at - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            await self.slots.acquire()
            if loop.time() > stop_at:
                self.slots.release()
                phase.unsent = len(plan) - n
                break
            phase.behind_s = max(phase.behind_s, loop.time() - t0 - item.at)
            ts = int(time.time() * 1000)
            if sent is not None:
                sent[(item.m, item.seat)] = ts
            body = self.body(item.m, item.seat, ts, reason)
            task = asyncio.create_task(self._post(phase, (item.m, item.seat), body))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        if self.tasks:
            await asyncio.wait(set(self.tasks))
        phase.ended = loop.time()


# --- what the platform is doing ----------------------------------------------------------
@dataclass
class Watch:
    """The inbox not yet applied (entries), every second; the replicas' largest RSS."""

    started: float = field(default_factory=time.monotonic)
    inbox: list[tuple[float, int]] = field(default_factory=list)
    rss_max_mb: dict[int, float] = field(default_factory=dict)

    async def run(self, r: aioredis.Redis, pids: list[int]) -> None:
        while True:
            groups = await r.xinfo_groups("{tether}:inbox") if await r.exists(
                "{tether}:inbox") else []
            if groups:
                g = groups[0]
                lag = g.get("lag")
                self.inbox.append((time.monotonic() - self.started,
                                   int(g.get("pending", 0)) + int(lag or 0)))
            for pid in pids:
                try:
                    self.rss_max_mb[pid] = max(self.rss_max_mb.get(pid, 0.0), rss_mb(pid))
                except (OSError, StopIteration):
                    pass
            await asyncio.sleep(1.0)

    def unapplied_now(self) -> int:
        return self.inbox[-1][1] if self.inbox else -1

    def peak(self) -> tuple[int, float]:
        if not self.inbox:
            return -1, float("nan")
        at, most = max(self.inbox, key=lambda x: x[1])
        return most, at


async def settled(watch: Watch, limit_s: float) -> bool:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        await asyncio.sleep(1.0)
        if watch.unapplied_now() == 0:
            return True
    return False


def redis_used_mb(r_info: dict[str, Any]) -> float:
    return int(r_info["used_memory"]) / 2**20


@dataclass
class Outcome:
    phases: list[Phase]
    delays: list[float]
    never: int
    calls: int
    watch: Watch
    mem_empty_mb: float
    mem_records_mb: float
    mem_end_mb: float
    rss_end_mb: list[float]
    settled_at_end: bool
    unapplied_at_drop: int
    drop_late_s: float


@dataclass
class Drop:
    seats: list[Seat]
    sent: dict[tuple[int, int], int]  # (meeting, seat) -> the leave's event_ts (ms)
    phase: Phase
    unapplied: int  # inbox entries not yet applied at the drop
    waited_s: float  # for the dropped clients' joins to be acknowledged first


async def top_of_hour(args: argparse.Namespace, sender: Sender, watch: Watch,
                      rng: random.Random) -> tuple[Phase, Drop]:
    """Meetings start and people join; at ``--drop-at`` the drops go out meanwhile."""
    loop = asyncio.get_running_loop()
    stop_at = loop.time() + args.limit
    plan = arrivals(args.meetings, args.per_meeting, args.start_spread, args.join_spread, rng)
    seats = dropped(plan, args.per_meeting, args.drops, args.drop_at - 2)
    print(f"top of the hour: {args.meetings:,} meetings start, {len(plan):,} events over "
          f"{args.start_spread + args.join_spread:.0f} s", flush=True)
    hour = Phase("starts+joins")
    t0 = loop.time()
    joining = asyncio.create_task(sender.play(hour, plan, stop_at))
    await asyncio.sleep(max(0.0, t0 + args.drop_at - loop.time()))
    wanted = {(s.m, s.seat) for s in seats}
    while not wanted <= sender.acked and loop.time() < stop_at:
        await asyncio.sleep(0.05)  # behind schedule: a client must be in before dropping
    waited = loop.time() - t0 - args.drop_at
    unapplied = watch.unapplied_now()
    print(f"drop: {len(seats):,} clients disconnect ({unapplied:,} events not yet applied, "
          f"{waited:.1f} s late)", flush=True)
    drop = Drop(seats, {}, Phase("drops"), unapplied, waited)
    await sender.play(drop.phase, [Planned(0.0, s.m, s.seat) for s in seats],
                      stop_at + 60, DROP, drop.sent)
    await joining
    return hour, drop


async def drive(args: argparse.Namespace, server: RedisProc, edges: list[str], t_base: str,
                pids: list[int], mem: tuple[float, float]) -> Outcome:
    rng = random.Random(args.seed)
    r = aioredis.from_url(server.url, decode_responses=True)
    watch = Watch()
    watcher = asyncio.create_task(watch.run(r, pids))
    conn = aiohttp.TCPConnector(limit=args.width + 8, limit_per_host=0)
    timeout = aiohttp.ClientTimeout(total=30)
    try:
        async with aiohttp.ClientSession(connector=conn, timeout=timeout) as session:
            if (await wait_dials(session, t_base + "/_bench/first", set(), 15))["calls"] < 0:
                raise RuntimeError("the Twilio stand-in did not start")
            sender = Sender(edges, session, str(int(time.time())), args.per_meeting, args.width)
            hour, drop = await top_of_hour(args, sender, watch, rng)
            numbers = {phone(s.client): drop.sent[(s.m, s.seat)] / 1000 for s in drop.seats
                       if (s.m, s.seat) in drop.sent}
            state = await wait_dials(session, t_base + "/_bench/first", set(numbers),
                                     args.grace + args.wait, every_s=1.0)
            gone = set(drop.seats)
            stay = [s for s in (Seat(m, i, args.per_meeting) for m in range(args.meetings)
                                for i in range(args.per_meeting)) if s not in gone]
            print(f"dials seen; {len(stay):,} people leave over {args.leave_spread:.0f} s",
                  flush=True)
            end = Phase("leaves")
            await sender.play(end, leaves(stay, args.leave_spread, rng),
                              asyncio.get_running_loop().time() + args.leave_spread + 60, LEAVE)
            done = await settled(watch, args.settle)
            info = server.info()
            rss_end = [rss_mb(pid) for pid in pids]
    finally:
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)
        await r.aclose()
    first = state["first"]
    delays = [first[n] - t for n, t in numbers.items() if n in first]
    return Outcome([hour, drop.phase, end], delays, len(drop.seats) - len(delays),
                   state["calls"], watch, mem[0], mem[1], redis_used_mb(info), rss_end, done,
                   drop.unapplied, drop.waited_s)


# --- the report ----------------------------------------------------------------------------
def report(args: argparse.Namespace, o: Outcome) -> dict[str, Any]:
    d, grace = o.delays, args.grace
    late = sum(1 for x in d if x > grace + 1)
    rows = [("phase", "sent", "rate/s", "ack p50 ms", "ack p99 ms", "errors", "behind s",
             "unsent")]
    rows += [(p.name, f"{len(p.acks_ms) + p.errors:,}", f"{p.rate:,.0f}",
              f"{pct(p.acks_ms, 50):.1f}", f"{pct(p.acks_ms, 99):.1f}", str(p.errors),
              f"{p.behind_s:.1f}", f"{p.unsent:,}") for p in o.phases]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
    peak, peak_at = o.watch.peak()
    curve = ", ".join(f"{t:.0f}s:{n}" for t, n in o.watch.inbox[:: max(1, len(o.watch.inbox)
                                                                        // 12)])
    print(f"inbox not yet applied: peak {peak:,} at {peak_at:.0f} s; at the drop "
          f"{o.unapplied_at_drop:,} (the drop went out {o.drop_late_s:.1f} s after its "
          f"instant); settled at the end: {o.settled_at_end}")
    print(f"  over time: {curve}")
    print(f"drop -> first dial  p50 {pct(d, 50):.2f} s  p99 {pct(d, 99):.2f} s  "
          f"max {max(d, default=float('nan')):.2f} s  min {min(d, default=float('nan')):.2f} s"
          f"  (grace {grace:g} s)")
    print(f"late (> grace + 1 s) {late} of {len(d) + o.never}; never dialled {o.never} "
          f"(waited {grace + args.wait:.0f} s); stand-in calls in all {o.calls:,}")
    traffic = o.mem_end_mb - o.mem_records_mb
    print(f"redis used: empty {o.mem_empty_mb:.1f} MB, with "
          f"{args.meetings * (args.per_meeting - STAFF_SEATS):,} client records "
          f"{o.mem_records_mb:.1f} MB, at the end {o.mem_end_mb:.1f} MB "
          f"({traffic * 1024 / args.meetings:.1f} KB per meeting of traffic)")
    rss = ", ".join(f"{x:.0f}" for x in o.rss_end_mb)
    rss_max = ", ".join(f"{x:.0f}" for x in o.watch.rss_max_mb.values())
    print(f"replicas RSS at the end: {rss} MB (max {rss_max} MB)")
    met = late == 0 and o.never == 0
    print(f"goal every drop dialled within grace + 1 s: {'MET' if met else 'NOT MET'}")
    hour, drop, end = o.phases
    return dict(
        meetings=args.meetings, per_meeting=args.per_meeting, drops=args.drops,
        replicas=args.replicas, grace_s=grace,
        join_rate=round(hour.rate), join_ack_p50_ms=round(pct(hour.acks_ms, 50), 2),
        join_ack_p99_ms=round(pct(hour.acks_ms, 99), 2), join_behind_s=round(hour.behind_s, 2),
        drop_rate=round(drop.rate), drop_ack_p99_ms=round(pct(drop.acks_ms, 99), 2),
        leave_rate=round(end.rate), leave_ack_p99_ms=round(pct(end.acks_ms, 99), 2),
        errors=sum(p.errors for p in o.phases), unsent=sum(p.unsent for p in o.phases),
        drop_late_s=round(o.drop_late_s, 2), inbox_peak=peak,
        inbox_at_drop=o.unapplied_at_drop, settled=o.settled_at_end,
        dial_p50_s=round(pct(d, 50), 3), dial_p99_s=round(pct(d, 99), 3),
        dial_max_s=round(max(d, default=-1), 3), late=late, never=o.never,
        redis_records_mb=round(o.mem_records_mb, 1), redis_end_mb=round(o.mem_end_mb, 1),
        redis_kb_per_meeting=round(traffic * 1024 / args.meetings, 2),
        rss_max_mb=[round(x) for x in o.watch.rss_max_mb.values()], goal_met=met)


# --- processes ----------------------------------------------------------------------------
def start_platform(args: argparse.Namespace, server: RedisProc, tmp: Path, t_base: str
                   ) -> tuple[list[subprocess.Popen[bytes]], list[str]]:
    config = tmp / "program.yaml"
    program_file(config, args.meetings, args.per_meeting, args.grace)
    procs, ports = [], []
    for i in range(args.replicas):
        port = free_port()
        env = serve_env(server.url, f"http://127.0.0.1:{port}", t_base, tmp / f"replica{i}")
        procs.append(start_serve(config, port, env))
        ports.append(port)
    for port in ports:
        wait_healthy(port, timeout_s=args.boot)
    return procs, [f"http://127.0.0.1:{p}/webhooks/zoom" for p in ports]


def check(p: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    clients = args.meetings * (args.per_meeting - STAFF_SEATS)
    if args.per_meeting <= STAFF_SEATS:
        p.error(f"--per-meeting must be more than {STAFF_SEATS} (the lead and co-facilitator)")
    if not 1 <= clients <= MAX_CLIENTS:
        p.error(f"meetings x clients per meeting must be 1..{MAX_CLIENTS:,} (555-01xx numbers)")
    if not 0 <= args.drops <= clients:
        p.error("--drops must be at most the number of clients")
    if not 1 <= args.replicas <= 8:
        p.error("--replicas must be 1..8")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--meetings", type=int, default=10_000)
    p.add_argument("--per-meeting", type=int, default=10, help="participants per meeting")
    p.add_argument("--drops", type=int, default=1000, help="clients who get disconnected")
    p.add_argument("--replicas", type=int, default=3, help="tether serve processes")
    p.add_argument("--grace", type=float, default=10.0, help="callback_policy.grace_seconds")
    p.add_argument("--start-spread", type=float, default=10.0, help="meetings start within")
    p.add_argument("--join-spread", type=float, default=90.0,
                   help="each participant joins within this after their meeting started")
    p.add_argument("--drop-at", type=float, default=60.0,
                   help="seconds after the first start when the drops happen")
    p.add_argument("--leave-spread", type=float, default=30.0, help="everyone leaves within")
    p.add_argument("--wait", type=float, default=50.0, help="seconds past grace to wait")
    p.add_argument("--limit", type=float, default=300.0,
                   help="stop sending the hour's events after this many seconds")
    p.add_argument("--settle", type=float, default=90.0,
                   help="seconds to let the inbox drain at the end")
    p.add_argument("--width", type=int, default=128, help="webhook requests in flight")
    p.add_argument("--latency", type=float, nargs=2, default=(0.05, 0.15),
                   metavar=("LO", "HI"), help="the stand-in's answer time, random LO..HI s")
    p.add_argument("--boot", type=float, default=180.0, help="seconds a replica may take")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--redis", choices=["redis7", "redis62"], default="redis7")
    args = p.parse_args()
    check(p, args)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    t_port = free_port()
    t_base = f"http://127.0.0.1:{t_port}"
    began = time.monotonic()
    standin = start_standin(t_port, 1.0, (args.latency[0], args.latency[1]))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="tether-bench-") as tmpdir:
            server = RedisProc(redis_binary(args.redis), Path(tmpdir))
            server.start()
            try:
                empty = redis_used_mb(server.info())
                clients = args.meetings * (args.per_meeting - STAFF_SEATS)
                asyncio.run(store_clients(server.url, clients))
                records = redis_used_mb(server.info())
                print(f"stored {clients:,} client records in {time.monotonic() - began:.0f} s",
                      flush=True)
                procs, edges = start_platform(args, server, Path(tmpdir), t_base)
                print(f"{args.replicas} replicas up after {time.monotonic() - began:.0f} s",
                      flush=True)
                outcome = asyncio.run(drive(args, server, edges, t_base,
                                            [x.pid for x in procs], (empty, records)))
            finally:
                print("measured; shutting down", flush=True)
                stop_children(procs)
                server.stop()
    finally:
        stop_child(standin)
    figures = report(args, outcome)
    print(f"took {time.monotonic() - began:.0f} s in all")
    summary("platform_load", **figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
