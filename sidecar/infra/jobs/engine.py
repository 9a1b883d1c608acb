"""Durable jobs on Redis sorted sets, claimed with fenced leases by any replica.

Every delayed or external action is a job ``(key, due, kind, payload)``. Scheduling is
idempotent by key. A job waits in its shard's due index (``keys.due``: a meeting's jobs in
its meeting's shard, the program's in ``{tether}``), so a caller's MULTI over a meeting and
its jobs stays in one Redis Cluster slot; the engine claims from every shard in turn.
A claim bumps the job's epoch and re-scores it to the lease deadline, so a replica that
dies mid-effect leaves a job that simply becomes due again. Every later transition (touch,
defer, complete) is a compare-and-set on (epoch, owner).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.client import Pipeline
from redis.asyncio.cluster import RedisCluster
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError

from sidecar.infra import keys
from sidecar.infra.clock import Clock
from sidecar.infra.coalesce import Coalescer
from sidecar.infra.errors import where
from sidecar.infra.jobs.model import (
    SIGNAL_PREFIX,
    ClaimedJob,
    Defer,
    Done,
    Handler,
    Outcome,
    Retry,
    dumps,
    new_fields,
)
from sidecar.infra.jobs.scripts import RESET_SOURCE, WAKE_SOURCE, Scripts
from sidecar.infra.stopping import cancel_and_wait, check_stop, messages
from sidecar.infra.store_client import UNAVAILABLE, StoreClient

logger = logging.getLogger(__name__)

MAX_IDLE_S = 1.0  # longest sleep without looking at the queue (a safety net, not the timer)
# Handlers running at once. Most wait on Redis or a provider, not the CPU: a burst of drops
# (a thousand ladders due within a second or two) is claimed in a few batches and its
# dials overlap; the dialer bounds the requests in flight to the provider itself.
CONCURRENCY = 256
CLAIM_BATCH = 256  # jobs claimed in one script call (at most the free handler slots)
# A shard is asked for its jobs when its earliest is due by this replica's clock give or
# take this much (the claim itself decides by Redis's TIME, or the injected clock in tests)
CLOCK_SLACK_MS = 50
STOP_HANDLERS_S = 2.0  # at shutdown, handlers' time to stop (their leases lapse anyway)


def split(limit: int, parts: int) -> list[int]:
    """``limit`` dealt over ``parts`` as evenly as it goes, the first ones one more."""
    share, extra = divmod(limit, parts)
    return [share + (1 if i < extra else 0) for i in range(parts)]


def backoff_s(attempts: int) -> float:
    return float(min(30.0, 0.5 * 2 ** min(attempts, 6)))


class JobEngine:
    def __init__(
        self,
        redis: StoreClient,
        clock: Clock,
        handlers: Mapping[str, Handler] | None = None,
        *,
        owner: str | None = None,
        lease_ms: int = 5000,
        concurrency: int = CONCURRENCY,
        on_claim: Callable[[ClaimedJob], None] | None = None,
    ) -> None:
        self.redis = redis
        self.clock = clock
        self.handlers: dict[str, Handler] = dict(handlers or {})
        self.owner = owner or f"w-{uuid.uuid4().hex[:12]}"
        self.lease_ms = lease_ms
        self.scripts = Scripts.register(redis)
        # handlers' round trips (theirs and their leases' and outcomes') gathered per turn
        # of the loop: a burst's hundreds of handlers share a few pipelines
        self.batch = Coalescer(redis)
        self._wake = asyncio.Event()
        self._concurrency = concurrency
        self._slot_freed = asyncio.Event()
        self._running: set[asyncio.Task[None]] = set()
        self._held: dict[int, ClaimedJob] = {}  # running handlers' jobs, by id(job)
        self._renewer: asyncio.Task[None] | None = None
        self.fired = 0
        self._turn = 0  # the shard claims start from rotates
        # while the loop sleeps: when it will look at the queue anyway (ms); a job scheduled
        # to fall due later wakes nobody. While it is awake: infinity
        self._sleep_until_ms = math.inf
        self._idle_heads: dict[str, float] | None = None  # a claim that found nothing due
        self._on_claim = on_claim

    # ---- time -------------------------------------------------------------------------
    def now_ms(self) -> int:
        return int(self.clock.now() * 1000)

    def _now_arg(self) -> str:
        return "" if self.clock.server_time else str(self.now_ms())

    # ---- scheduling ---------------------------------------------------------------------
    def schedule_cmds(
        self, pipe: Pipeline, key: str, due_ms: int, kind: str, payload: dict[str, Any],
        data: dict[str, Any] | None = None,
    ) -> None:
        """Queue a schedule into a caller's MULTI, whose WATCH saw that ``key`` is new.

        Plain commands and EVALs carrying their source, never EVALSHA: a MULTI must not
        half-apply on NOSCRIPT (and a cluster client sends no EVALSHA in a pipeline). The
        wake-up is published by a script bound to the job's key, not by PUBLISH (which a
        cluster client refuses in a pipeline), so it goes out only if the MULTI runs.
        """
        # an earlier run's fields go (its payload entries may have other names), but
        # epoch and wake only ever grow, so a handler of an earlier run stays fenced out
        pipe.eval(RESET_SOURCE, 1, keys.job(key))
        pipe.hset(keys.job(key), mapping=new_fields(kind, due_ms, payload, data))
        pipe.hincrby(keys.job(key), "epoch", 1)
        pipe.hincrby(keys.job(key), "wake", 1)
        pipe.persist(keys.job(key))
        pipe.zadd(keys.due(key), {key: due_ms})
        pipe.eval(WAKE_SOURCE, 1, keys.job(key), keys.JOBS_WAKE_CHANNEL, due_ms)

    async def schedule(
        self, key: str, due_ms: int, kind: str, payload: dict[str, Any],
        data: dict[str, Any] | None = None,
    ) -> bool:
        fields = new_fields(kind, due_ms, payload, data)
        args = [key, due_ms, keys.JOBS_WAKE_CHANNEL,
                *(part for pair in fields.items() for part in pair)]
        created = await self.scripts.schedule(keys=[keys.due(key), keys.job(key)], args=args)
        self._wake_for(due_ms)
        return bool(created)

    def cancel_cmds(self, pipe: Pipeline, key: str, reason: str) -> None:
        """Queue a cancel into a MULTI whose WATCH saw the job pending or leased."""
        pipe.hincrby(keys.job(key), "epoch", 1)
        pipe.hset(keys.job(key), mapping={"state": "cancelled", "outcome": reason})
        pipe.hdel(keys.job(key), "owner")
        pipe.zrem(keys.due(key), key)
        pipe.expire(keys.job(key), keys.JOB_DONE_TTL_S)

    async def cancel(self, key: str, reason: str) -> bool:
        args = [key, reason, keys.JOB_DONE_TTL_S]
        return bool(await self.scripts.cancel(keys=[keys.due(key), keys.job(key)], args=args))

    async def signal(self, key: str, name: str, value: str) -> bool:
        args = [key, SIGNAL_PREFIX + name, value, self._now_arg()]
        done = await self.scripts.signal(keys=[keys.due(key), keys.job(key)], args=args)
        self._wake.set()
        return bool(done)

    async def touch(self, job: ClaimedJob, data: dict[str, Any] | None = None) -> bool:
        """Renew the lease (and record progress). False: the job is no longer ours."""
        args = [job.key, job.epoch, self.owner, self.lease_ms,
                "" if data is None else dumps(data), self._now_arg()]
        return bool(await self._script(self.scripts.touch, [keys.due(job.key), keys.job(job.key)],
                                       args))

    async def _script(self, script: AsyncScript, keys_: list[str], args: list[Any]) -> Any:
        """One call of a running job's script, sent with other tasks' round trips
        (a Cluster client, which runs no script in a pipeline, sends it alone). The
        scripts were loaded at start (``ensure_scripts``); a server that lost them (a
        restart) answers NOSCRIPT, having run nothing, and the call is sent again alone,
        loading the script first: no pipeline asks the server for its scripts each time."""
        if isinstance(self.redis, RedisCluster):
            return await script(keys=keys_, args=args)
        try:
            (reply,) = await self.batch.execute(
                lambda pipe: pipe.evalsha(script.sha, len(keys_), *keys_, *args))
        except NoScriptError:
            return await script(keys=keys_, args=args)
        return reply

    async def ensure_scripts(self) -> None:
        """Load scripts so that pipelines may EVALSHA them (after a Redis restart too)."""
        for script in vars(self.scripts).values():
            await self.redis.script_load(script.script)

    # ---- claiming and running -------------------------------------------------------------
    async def heads(self) -> dict[str, float]:
        """Each shard's earliest due time (ms), for the shards with a job waiting: one
        round trip of plain reads (a cluster client sends them to each node at once)."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for index in keys.DUE_INDEXES:
                pipe.zrange(index, 0, 0, withscores=True)
            rows = await pipe.execute()
        return {shard: float(row[0][1])
                for shard, row in zip(keys.JOB_SHARDS, rows, strict=True) if row}

    async def overdue(self, before_ms: int) -> int:
        """How many jobs, in every shard, were due (or leased until) before ``before_ms``."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for index in keys.DUE_INDEXES:
                pipe.zcount(index, "-inf", before_ms)
            return sum(int(n) for n in await pipe.execute())

    async def claim(self, limit: int = CLAIM_BATCH) -> list[ClaimedJob]:
        """Up to ``limit`` due jobs from the shards whose earliest job is due, asked all at
        once, each for its share of ``limit``; the first share (one more when it does not
        divide) goes one shard further on each time, so a busy shard never starves the
        others. A shard with more due than its share gives the rest at the next claim,
        which comes at once (``run_forever``: the due head says so)."""
        heads = await self.heads()
        now = self.now_ms() + CLOCK_SLACK_MS
        due = [shard for shard in keys.JOB_SHARDS if heads.get(shard, now + 1) <= now]
        if not due:
            self._idle_heads = heads  # what the wait that follows needs: no second read
            return []
        self._turn = (self._turn + 1) % len(keys.JOB_SHARDS)
        due.sort(key=lambda shard: (keys.JOB_SHARDS.index(shard) - self._turn)
                 % len(keys.JOB_SHARDS))
        asks = [(shard, share) for shard, share in zip(due, split(limit, len(due)), strict=True)
                if share]
        claimed = await asyncio.gather(*(self._claim_in(shard, share) for shard, share in asks))
        return [job for jobs in claimed for job in jobs]

    async def _claim_in(self, shard: str, limit: int) -> list[ClaimedJob]:
        args = [self._now_arg(), self.owner, self.lease_ms, limit, keys.job_prefix(shard)]
        raw = await self.scripts.claim(keys=[shard + keys.DUE_SUFFIX], args=args)
        now_ms = int(raw[0])
        jobs = []
        for i in range(1, len(raw), 2):
            flat = raw[i + 1]
            fields = dict(zip(flat[::2], flat[1::2], strict=True))
            jobs.append(ClaimedJob.from_hash(raw[i], fields, now_ms))
        return jobs

    @property
    def free_slots(self) -> int:
        return self._concurrency - len(self._running)

    async def run_due(self) -> int:
        """Claim as many due jobs as there are free handler slots, and start them.

        Claiming more than can run would let leases lapse unrenewed and jobs be claimed
        twice; what is not claimed stays due for this or another replica.
        """
        if self.free_slots <= 0:
            return 0
        jobs = await self.claim(min(CLAIM_BATCH, self.free_slots))
        for job in jobs:
            task = asyncio.create_task(self._run(job))
            self._running.add(task)
            task.add_done_callback(self._handler_done)
        return len(jobs)

    def _handler_done(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self._slot_freed.set()

    async def drain(self) -> None:
        """Wait for the handlers started so far (tests)."""
        while self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)

    async def _run(self, job: ClaimedJob) -> None:
        try:
            self.fired += 1
            if self._on_claim is not None:
                self._on_claim(job)
            handler = self.handlers.get(job.kind)
            if handler is None:
                logger.error("job %s has unknown kind %s", job.key, job.kind)
                await self._finish(job, Retry(f"no handler for {job.kind}"))
                return
            self._hold(job)
            try:
                outcome = await handler(job)
            finally:
                del self._held[id(job)]
            await self._finish(job, outcome)
        except Exception as exc:  # a failed effect is retried, never dropped
            logger.error("job %s kind=%s failed (%s); will retry", job.key, job.kind, where(exc))
            with contextlib.suppress(aioredis.RedisError, *UNAVAILABLE):
                await self._finish(job, Retry(type(exc).__name__))

    def _hold(self, job: ClaimedJob) -> None:
        """Keep ``job``'s lease renewed while its handler runs: one renewer touches every
        held job each third of a lease, in one round trip (not a task per job)."""
        self._held[id(job)] = job
        if self._renewer is None or self._renewer.done():
            self._renewer = asyncio.create_task(self._renew_held(), name="lease renewer")

    async def _renew_held(self) -> None:
        """Ends once a tick finds no handler running (the next one starts it again)."""
        while self._held:
            check_stop()
            await self.clock.sleep(self.lease_ms / 3000)  # lease time is clock time
            held = list(self._held.values())
            if not held:
                return
            try:
                if isinstance(self.redis, RedisCluster):  # it runs no script in a pipeline
                    await asyncio.gather(*(self.touch(job) for job in held))
                    continue
                async with self.redis.pipeline(transaction=False) as pipe:
                    for job in held:
                        args = [job.key, job.epoch, self.owner, self.lease_ms, "",
                                self._now_arg()]
                        await self.scripts.touch(keys=[keys.due(job.key), keys.job(job.key)],
                                                 args=args, client=pipe)
                    await pipe.execute()
            except (aioredis.RedisError, *UNAVAILABLE) as exc:  # the next tick tries again
                logger.warning("job engine: leases not renewed (%s)", exc)

    async def _finish(self, job: ClaimedJob, outcome: Outcome) -> None:
        jk = [keys.due(job.key), keys.job(job.key)]
        if isinstance(outcome, Done):
            data = dumps(outcome.data if outcome.data is not None else job.data)
            args: list[Any] = [job.key, job.epoch, self.owner, outcome.outcome,
                               keys.JOB_DONE_TTL_S, data]
            ok = await self._script(self.scripts.complete, jk, args)
        elif isinstance(outcome, Defer):
            args = [job.key, job.epoch, self.owner, outcome.due_ms, dumps(outcome.data),
                    job.attempts, job.wake, self._now_arg()]
            ok = await self._script(self.scripts.defer, jk, args)
        else:
            due = self.now_ms() + int(backoff_s(job.attempts) * 1000)
            logger.warning("job %s retry #%s: %s", job.key, job.attempts + 1, outcome.reason)
            # no data given: keep what the handler last recorded (an intent to dial, say),
            # not the claim-time copy, so a retry reconciles instead of dialling twice
            kept = "" if outcome.data is None else dumps(outcome.data)
            args = [job.key, job.epoch, self.owner, due, kept,
                    job.attempts + 1, job.wake, self._now_arg()]
            ok = await self._script(self.scripts.defer, jk, args)
        if not ok:
            logger.info("job %s: fenced out (cancelled or re-claimed) at epoch %s",
                        job.key, job.epoch)

    # ---- the loop ------------------------------------------------------------------------
    async def next_due_in_s(self) -> float:
        heads, self._idle_heads = self._idle_heads, None
        if heads is None:
            heads = await self.heads()
        if not heads:
            return MAX_IDLE_S
        return max(0.0, (min(heads.values()) - self.now_ms()) / 1000)

    async def run_forever(self) -> None:
        listener = asyncio.create_task(self._listen_for_wakes())
        try:
            while True:
                check_stop()
                # awake: every wake-up from here on counts (one that comes while the queue
                # is being read makes the coming wait end at once)
                self._sleep_until_ms = math.inf
                self._wake.clear()
                self._slot_freed.clear()
                try:
                    asked = min(CLAIM_BATCH, self.free_slots)
                    started = await self.run_due()
                    if self.free_slots <= 0:
                        wait = MAX_IDLE_S  # woken as soon as a handler finishes
                    elif started and started >= asked:
                        continue  # there may be more due
                    else:
                        wait = min(MAX_IDLE_S, await self.next_due_in_s())
                except UNAVAILABLE as exc:
                    logger.warning("job engine: redis unavailable (%s); retrying", exc)
                    wait = 0.5
                self._sleep_until_ms = self.now_ms() + wait * 1000
                await self._wait(wait)
        finally:  # leases lapse and another replica takes the jobs over
            renewer = [self._renewer] if self._renewer is not None else []
            await cancel_and_wait([listener, *self._running, *renewer, *self.batch.sending],
                                  STOP_HANDLERS_S, "job engine")

    async def _wait(self, seconds: float) -> None:
        """Until the clock reaches the next due job, a wake-up, or MAX_IDLE_S of real time.

        ``asyncio.wait`` with a timeout, not ``wait_for``: a cancel is never swallowed.
        """
        waiters = {asyncio.create_task(self.clock.sleep(seconds)),
                   asyncio.create_task(self._wake.wait()),
                   asyncio.create_task(self._slot_freed.wait())}
        try:
            await asyncio.wait(waiters, timeout=MAX_IDLE_S, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waiters:
                w.cancel()

    def _wake_for(self, due: object) -> None:
        """A job due at ``due`` (ms) was scheduled: look at the queue now if it falls due
        before this engine would look anyway (a notice it cannot read counts)."""
        try:
            due_ms = float(str(due))
        except ValueError:
            due_ms = -math.inf
        if due_ms < self._sleep_until_ms:
            self._wake.set()

    async def _listen_for_wakes(self) -> None:
        """Another replica scheduled a job: look at the queue now, not at the next tick."""
        while True:
            check_stop()
            try:
                pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
                async with pubsub:
                    await pubsub.subscribe(keys.JOBS_WAKE_CHANNEL)
                    async for message in messages(pubsub):
                        self._wake_for(message.get("data"))
            except UNAVAILABLE:
                await asyncio.sleep(0.5)
