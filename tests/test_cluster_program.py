"""The whole sidecar on a real Redis Cluster of three primaries with a replica each. An edge
replica (no workers) takes webhooks into its inbox once each, saves an admin's
configuration, signs staff in and keeps its audit record under the ``{tether}`` hash tag. A
full replica applies a client's drop to its meeting's shard and calls them back when the
grace ends, and an incident's closing keeps its follow-ups and its timeline line; and when
the primary serving the meeting's shard is killed mid-countdown, the callback is still
placed once, before the deadline."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from sidecar.clinical.aftercare import TaskKind
from sidecar.incidents.aftercare import job_key as aftercare_job
from sidecar.infra import keys
from sidecar.infra.store import connect
from sidecar.infra.telephony.standin import TwilioStandIn
from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import CASEY, CASEY_PHONE, T0, calls_to, join_group
from tests.cluster_servers import SERVERS, ClusterSet, running_cluster
from tests.conftest import Harness, eventually, running_sidecar
from tests.incidents.test_incidents import DOCS, HIGH, opened, post
from tests.records.test_config_api import ADMIN, doc, new_person, save
from tests.test_cluster_jobs import BOUND_S

pytestmark = pytest.mark.slow
LEASE_S = 5.0  # the job engine's lease (``JobEngine``'s default)
FAILOVER_BOUND_S = BOUND_S  # the job engine's own bound on a cluster (test_cluster_jobs.py)


@pytest.fixture(scope="module", params=SERVERS)
def cluster(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[ClusterSet]:
    yield from running_cluster(request.param, tmp_path_factory.mktemp("cluster"))


async def emptied(cluster: ClusterSet) -> None:
    client = connect(cluster.url)
    try:
        await client.flushall()  # every primary
    finally:
        await client.aclose()


@pytest.fixture
async def on_cluster(cluster: ClusterSet, tmp_path: Path, standin: tuple[TwilioStandIn, str],
                     policy: dict[str, Any]) -> AsyncIterator[Harness]:
    await emptied(cluster)
    async with running_sidecar(cluster.url, tmp_path, standin, policy, workers=False) as h:
        yield h


@pytest.fixture
async def whole_on_cluster(cluster: ClusterSet, tmp_path: Path,
                           standin: tuple[TwilioStandIn, str], policy: dict[str, Any]
                           ) -> AsyncIterator[Harness]:
    await emptied(cluster)
    async with running_sidecar(cluster.url, tmp_path, standin, policy) as h:
        yield h


async def test_webhooks_are_taken_once_each_on_a_cluster(on_cluster: Harness) -> None:
    h = on_cluster
    joined = zp.joined(1_800_000_000_000 - 5000, "pu-casey-1", "Casey B")
    left = zp.left(1_800_000_000_000 - 1000, "pu-casey-1", "Casey B")
    assert (await h.zoom(joined)).json() == {"accepted": 1}
    assert (await h.zoom(joined)).json() == {"accepted": 0}  # Zoom's retry: a repeat
    assert (await h.zoom(left)).json() == {"accepted": 1}
    assert await h.tether.redis.xlen(keys.INBOX) == 2


async def test_an_admin_saves_and_staff_sign_in_on_a_cluster(on_cluster: Harness) -> None:
    h = on_cluster
    staff, etag = await doc(h, "staff")
    r = await save(h, "staff", [*staff["body"], new_person()], etag)
    assert r.status_code == 200, r.text
    assert h.tether.config.staff_by_id("cofac-rowe") is not None
    me = await h.http.get(f"{h.base}/auth/me", headers=await h.session("cofac-rowe"))
    assert me.json()["name"] == "Rowe Halvorsen"
    actions = [e["action"] for _, e in await h.tether.redis.xrange(keys.AUDIT)]
    assert "config.saved:staff" in actions
    assert (await doc(h, "staff", ADMIN))[1] != etag


async def test_the_coaching_library_is_seeded_once_and_grows_on_a_cluster(
        on_cluster: Harness) -> None:
    h = on_cluster
    lib = f"{h.base}/api/admin/coaching"
    first = (await h.http.get(lib, headers=h.token(ADMIN))).json()["pages"]
    assert len(first) == 3  # the defaults, stored once
    r = await h.http.post(lib, headers=h.token(ADMIN), json={
        "title": "After a hard night", "summary": "What the next morning can look like.",
        "body": "Be gentle with each other."})
    assert r.status_code == 201, r.text
    again = await h.http.post(lib, headers=h.token(ADMIN), json={
        "title": "After a hard night", "summary": "Again.", "body": "Again."})
    assert again.status_code == 409  # the id is taken: never written over
    pages = (await h.http.get(lib, headers=h.token(ADMIN))).json()["pages"]
    assert "after-a-hard-night" in [p["id"] for p in pages] and len(pages) == 4


async def test_a_drop_is_applied_and_called_back_on_a_cluster(whole_on_cluster: Harness
                                                              ) -> None:
    h = whole_on_cluster
    await join_group(h)
    assert (await h.zoom(zp.disconnected(T0, *CASEY))).json() == {"accepted": 1}
    await h.settle()
    casey = next(p for p in (await h.roster())["people"] if p["participant"] == CASEY[0])
    assert (casey["display_name"], casey["status"]) == ("Casey B", "gone")
    assert h.standin.calls == []  # inside the reconnect grace
    await h.advance(10)
    await eventually(lambda: calls_to(h, CASEY_PHONE), timeout=5)
    dial = next(e for e in await h.timeline() if e["kind"] == "ladder.dialing")
    assert dial["data"]["late"] is False
    # the client comes back: the ladder stops, in the same MULTI as the roster's change
    await h.zoom(zp.joined(T0 + 20_000, *CASEY))
    await h.settle()
    await eventually(lambda: _has(h, "ladder.stopped"), timeout=5)


async def test_an_incident_closes_with_its_follow_ups_on_a_cluster(
        whole_on_cluster: Harness) -> None:
    h = whole_on_cluster
    inc = await opened(h)
    await post(h, f"{inc['id']}/screens", {"answers": HIGH})
    closed = (await post(h, f"{inc['id']}/close", DOCS)).json()
    kinds = [t["task"]["kind"] for t in closed["tasks"]]
    assert "caregiver_checkin" in kinds
    # the incident and its follow-ups' jobs in one MULTI (one slot); its lines on the
    # meeting's timeline, in the meeting's shard, right after
    assert {"incident.screened", "incident.closed"} <= set(await h.kinds())
    for kind in kinds:
        job = keys.job(aftercare_job(inc["id"], TaskKind(kind)))
        assert await h.tether.redis.hget(job, "state") == "pending"


@pytest.fixture(params=SERVERS)
def own_cluster(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ClusterSet]:
    """A cluster of its own: the test kills one of its nodes."""
    yield from running_cluster(request.param, tmp_path / "redis")


async def test_the_callback_is_placed_once_when_the_meetings_primary_dies_mid_countdown(
        own_cluster: ClusterSet, tmp_path: Path, standin: tuple[TwilioStandIn, str],
        policy: dict[str, Any]) -> None:
    """The drop is applied; inside the reconnect grace the primary serving the meeting's
    shard (its state, timeline and the ladder's job) is killed with SIGKILL; the grace ends
    while that slot has no primary. Its replica is promoted, and the client is called
    once, on time by the clock the ladder keeps."""
    cs = own_cluster
    due = keys.meeting_shard(zp.MEETING_UUID) + keys.DUE_SUFFIX
    standin[0].behaviour[CASEY_PHONE] = "answer"  # reached at once: the ladder ends there
    async with running_sidecar(cs.url, tmp_path, standin, policy) as h:
        await join_group(h)
        assert (await h.zoom(zp.disconnected(T0, *CASEY))).json() == {"accepted": 1}
        await h.settle()
        primary = cs.owner(due)
        await asyncio.to_thread(cs.wait_until, lambda: cs.replicated(due),
                                "the ladder's job is on the replica", 5)
        assert h.standin.calls == []
        cs.kill(primary)
        await h.advance(10)  # the grace ends while the slot has no primary
        await asyncio.to_thread(cs.wait_until, lambda: cs.failed_over(due, primary),
                                "the replica is promoted")
        await eventually(lambda: calls_to(h, CASEY_PHONE), timeout=FAILOVER_BOUND_S)
        dial = next(e for e in await h.timeline() if e["kind"] == "ladder.dialing")
        assert dial["data"]["late"] is False
        await asyncio.sleep(2 * LEASE_S)  # a second claim of the same job would dial again
        assert await calls_to(h, CASEY_PHONE) == 1


async def _has(h: Harness, kind: str) -> bool:
    return kind in await h.kinds()
