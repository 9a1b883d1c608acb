"""The job engine on a real Redis Cluster: three primaries, a replica each. Every test of
``tests/infra/test_job_engine.py`` runs again on a cluster client. Then two engines (two
sidecar replicas' worth) with a cluster client each: the primary serving the job's
slot is killed with SIGKILL while a job counts down, its replica is promoted, both engines
follow it, and the job fires once, no later than its due time plus the failover's bound.
And a whole shard lost (primary and replica) while a job counts down: every node refuses
commands until it is back, the engines keep asking, and the job fires once after."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from sidecar.infra import keys
from sidecar.infra.clock import SystemClock
from sidecar.infra.jobs import ClaimedJob, Done, JobEngine, Outcome
from sidecar.infra.redis_wait import wait_for_redis
from sidecar.infra.stopping import cancel_and_wait
from sidecar.infra.store import connect
from tests.cluster_servers import NODE_TIMEOUT_MS, SERVERS, ClusterSet, running_cluster
from tests.conftest import eventually
from tests.infra.test_job_engine import (  # noqa: F401  collected here too: the same tests
    test_a_crash_after_recording_an_intent_keeps_the_intent,
    test_a_dead_owners_job_is_claimed_again_after_its_lease,
    test_a_failing_handler_is_retried_with_backoff_not_dropped,
    test_a_failure_is_logged_without_its_message,
    test_cancel_fences_out_a_running_handler,
    test_engine_claims_no_more_than_it_can_run,
    test_handlers_running_longer_than_a_lease_keep_their_jobs,
    test_nothing_is_claimed_before_it_is_due,
    test_retry_outcome_keeps_the_data_it_is_given,
    test_run_forever_fires_on_time_and_stops_when_cancelled,
    test_schedule_is_idempotent_by_key,
    test_signal_during_a_claim_brings_the_deferred_job_back_at_once,
    test_signal_makes_a_waiting_job_due_now,
)

pytestmark = pytest.mark.slow

DUE_S = 2.0  # the kill comes first, and the due time falls while the slot has no primary
LEASE_MS = 2000
# Fired no later than due + BOUND_S. Redis Cluster's failover: the replica suspects its
# primary after NODE_TIMEOUT, the primaries agree it failed within 2 x NODE_TIMEOUT, the
# replica waits 0.5-1 s before asking for votes and gets them within one round trip. The
# engine then needs a lapsed retry pause (0.5 s) and at most one idle tick (1 s) to look
# again. 2 x NODE_TIMEOUT + 1 + 0.5 + 1 = 4.5 s; doubled for a loaded test machine.
BOUND_S = 2 * (2 * NODE_TIMEOUT_MS / 1000 + 1 + 0.5 + 1)
SHARD_DOWN_S = 6.0  # longer than redis-py's own retries of a refused command (2 to 3.5 s)


@pytest.fixture(scope="module", params=SERVERS)
def shared_cluster(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                   ) -> Iterator[ClusterSet]:
    """One cluster for the engine's own tests (none of them stops a node)."""
    yield from running_cluster(request.param, tmp_path_factory.mktemp("cluster"))


@pytest.fixture
async def redis(shared_cluster: ClusterSet) -> AsyncIterator[aioredis.Redis]:
    """What the engine's tests take: here a cluster client, the store emptied first."""
    client = connect(shared_cluster.url)
    await client.flushall()  # every primary
    yield client
    await client.aclose()


@pytest.fixture(params=SERVERS)
def cluster_set(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ClusterSet]:
    """A cluster of its own: the test kills one of its nodes."""
    yield from running_cluster(request.param, tmp_path / "redis")


async def test_a_job_survives_its_primary_killed_mid_countdown_and_fires_once(
        cluster_set: ClusterSet) -> None:
    assert await wait_for_redis(cluster_set.url, 5) == 1  # start-up takes the URL
    fired: list[tuple[str, str, float]] = []

    def engine(name: str) -> JobEngine:
        async def call(job: ClaimedJob) -> Outcome:
            fired.append((job.key, name, time.time()))
            return Done("called")

        return JobEngine(connect(cluster_set.url), SystemClock(), {"callback": call},
                         owner=name, lease_ms=LEASE_MS)

    engines = [engine("replica-a"), engine("replica-b")]
    tasks = [asyncio.create_task(e.run_forever()) for e in engines]
    try:
        due = time.time() + DUE_S
        assert await engines[0].schedule("countdown", int(due * 1000), "callback",
                                         {"to": "+13125550123"})
        primary = cluster_set.owner(keys.due("countdown"))
        # the job has reached the replica, so the failover loses nothing acknowledged
        await asyncio.to_thread(cluster_set.wait_until,
                                lambda: cluster_set.replicated(keys.job("countdown")),
                                "the job is on the replica", DUE_S / 2)
        cluster_set.kill(primary)
        killed = time.time()
        assert not fired, "killed before the job was due"
        await asyncio.to_thread(cluster_set.wait_until,
                                lambda: cluster_set.failed_over(keys.due("countdown"), primary),
                                "the replica is promoted")
        promoted = time.time()
        await eventually(lambda: _fired(fired, "countdown"), timeout=due + BOUND_S - time.time())
        # both engines follow the promoted primary: each schedules one more, due now
        for i, e in enumerate(engines):
            assert await e.schedule(f"after-{i}", e.now_ms(), "callback", {})
        await eventually(lambda: _fired(fired, "after-0", "after-1"), timeout=5)
        await asyncio.sleep(LEASE_MS / 1000 + 1)  # a lapsed lease would fire it again now
        assert not any(t.done() for t in tasks), "both engines still run"
    finally:
        await cancel_and_wait(tasks, 5, "job engines")
        for e in engines:
            await e.redis.aclose()
    assert sorted(key for key, _, _ in fired) == ["after-0", "after-1", "countdown"]
    at = next(t for key, _, t in fired if key == "countdown")
    assert due - 0.05 <= at < due + BOUND_S, at - due
    print(f"\ncluster failover: promoted {promoted - killed:.1f} s after the kill; the job "
          f"fired {at - due:+.1f} s from its due time ({DUE_S} s after scheduling; bound "
          f"{BOUND_S:g} s)")


async def _fired(fired: list[tuple[str, str, float]], *wanted: str) -> bool:
    return {key for key, _, _ in fired} >= set(wanted)


async def test_a_job_waits_out_a_shard_lost_whole_and_fires_once_it_is_back(
        cluster_set: ClusterSet) -> None:
    """Another shard's primary and its replica both die: no node takes its slots, so every
    node, the one serving the job's slot too, refuses commands (CLUSTERDOWN) until the two are
    started again. The engines keep asking meanwhile, and the job fires once after."""
    fired: list[tuple[str, float]] = []

    async def call(job: ClaimedJob) -> Outcome:
        fired.append((job.key, time.time()))
        return Done("called")

    engines = [JobEngine(connect(cluster_set.url), SystemClock(), {"callback": call},
                         owner=name, lease_ms=LEASE_MS) for name in ("replica-a", "replica-b")]
    tasks = [asyncio.create_task(e.run_forever()) for e in engines]
    owner = cluster_set.owner(keys.due("countdown"))
    # not the first start-up node either: the client can still ask it for the slots, and
    # hears CLUSTERDOWN rather than a refused connection
    other = next(p for p in cluster_set.ports[1:3] if p != owner)
    lost = [cluster_set.replica_of(other), other]
    try:
        due = time.time() + DUE_S
        assert await engines[0].schedule("countdown", int(due * 1000), "callback", {})
        for port in lost:  # the replica first, so that nothing takes over
            cluster_set.kill(port)
        await asyncio.to_thread(cluster_set.wait_until,
                                lambda: cluster_set.state(owner) == "fail",
                                "the node serving {tether} refuses commands")
        # due while refused, and refused longer than the client retries by itself, so
        # that the engines hear of it
        await asyncio.sleep(max(due - time.time() + 1, SHARD_DOWN_S))
        assert not fired and not any(t.done() for t in tasks)
        back = time.time()
        for port in lost:
            cluster_set.restart(port)
        await eventually(lambda: _fired([(k, "", t) for k, t in fired], "countdown"),
                         timeout=BOUND_S)
        await asyncio.sleep(LEASE_MS / 1000 + 1)
        assert not any(t.done() for t in tasks), "both engines still run"
    finally:
        await cancel_and_wait(tasks, 5, "job engines")
        for e in engines:
            await e.redis.aclose()
    assert [key for key, _ in fired] == ["countdown"]
    print(f"\ncluster down: the job fired {fired[0][1] - back:.1f} s after the lost shard was "
          f"started again ({fired[0][1] - due:+.1f} s from its due time)")
