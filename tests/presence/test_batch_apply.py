"""Many events applied in one batch give the same roster, timeline and callbacks as the
same events applied one at a time (the applier takes the inbox a batch at a time)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from sidecar.infra import keys
from sidecar.infra.telephony.standin import TwilioStandIn
from tests import zoom_payloads as zp
from tests.conftest import Harness, running_sidecar
from tests.presence.test_permutations import deliveries


@pytest.fixture
async def paused(redis_url: str, tmp_path: Path, standin: tuple[TwilioStandIn, str],
                 policy: dict[str, Any]) -> AsyncIterator[Harness]:
    """The sidecar with no applier running: the test applies the inbox itself."""
    async with running_sidecar(redis_url, tmp_path, standin, policy, workers=False) as h:
        await h.tether.applier.ensure_group()
        yield h


def story_for(meeting: str, bodies: list[dict[str, Any]], shift_ms: int) -> list[dict[str, Any]]:
    out = []
    for body in bodies:
        body = json.loads(json.dumps(body))
        body["payload"]["object"]["uuid"] = meeting
        body["event_ts"] += shift_ms
        out.append(body)
    return out


async def outcome(h: Harness, meeting: str) -> tuple[Any, ...]:
    """What staff see and what will be called: roster rows, timeline, ladders running."""
    roster = sorted((p["participant"], p["status"], p["reason"], p["display_name"])
                    for p in (await h.roster(meeting))["people"])
    lines = [(e["kind"], json.dumps(e["data"], sort_keys=True))
             for e in await h.timeline(meeting)]
    due = await h.tether.redis.zrange(keys.due(keys.meeting_job(meeting, "")), 0, -1)
    mine = keys.meeting_job(meeting, f"ladder:{meeting}:")
    ladders = sorted(k.removeprefix(mine) for k in due if k.startswith(mine))
    return roster, lines, ladders


async def deliver(h: Harness, bodies: list[dict[str, Any]]) -> None:
    for body in bodies:
        assert (await h.zoom(body)).status_code == 200


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=deliveries())
async def test_one_batch_of_two_meetings_equals_one_event_at_a_time(
        paused: Harness, case: tuple[list[dict[str, Any]], list[dict[str, Any]]]) -> None:
    h = paused
    _, shuffled = case
    shift = int(h.clock.now() * 1000) - max(b["event_ts"] for b in shuffled)
    run = uuid.uuid4().hex
    a1, a2, b1, b2 = (f"batch-{run}-{n}==" for n in ("a1", "a2", "b1", "b2"))
    times = [b["event_ts"] for b in shuffled]
    guest = [zp.joined(min(times) - 1000, "pu-guest", "Visitor"),
             zp.disconnected(max(times), "pu-guest", "Visitor")]

    # a1 and a2 interleaved, all in the inbox, then applied in one go
    together = [b for pair in zip(story_for(a1, shuffled, shift), story_for(a2, shuffled, shift),
                                  strict=True) for b in pair]
    await deliver(h, together + story_for(a2, guest, shift))  # a repeated delivery is dropped
    distinct = len({json.dumps(b, sort_keys=True) for b in together}) + len(guest)
    assert await h.tether.applier.run_once(block_ms=None) == distinct

    # b1 and b2 the same, but applied after each delivery
    for body in [b for pair in zip(story_for(b1, shuffled, shift), story_for(b2, shuffled, shift),
                                   strict=True) for b in pair] + story_for(b2, guest, shift):
        await deliver(h, [body])
        assert await h.tether.applier.run_once(block_ms=None) <= 1

    assert await h.tether.applier.run_once(block_ms=None) == 0  # nothing left pending
    assert await outcome(h, a1) == await outcome(h, b1)
    assert await outcome(h, a2) == await outcome(h, b2)
    roster = (await outcome(h, a2))[0]
    assert ("pu-guest", "gone") in {(p, s) for p, s, _, _ in roster}


async def test_a_meeting_changed_mid_batch_costs_a_retry_and_loses_nothing(
        paused: Harness) -> None:
    """Another replica (or a clinician's link) writes one meeting while this batch is being
    planned: the batch's EXEC fails as a whole, the batch is split and tried again, and
    every meeting ends with everyone in it."""
    h = paused
    applier = h.tether.applier
    run = uuid.uuid4().hex
    meetings = [f"race-{run}-{n}==" for n in range(5)]
    t = int(h.clock.now() * 1000) - 10_000
    for m in meetings:
        await deliver(h, story_for(m, [zp.joined(t, "pu-a", "Visitor A"),
                                       zp.joined(t + 1, "pu-b", "Visitor B")], 0))
    resolve = applier.batch.subjects
    writes = 0

    async def meanwhile(asks: list[Any]) -> list[str]:
        nonlocal writes
        if writes < 2:  # twice: the retry of the half holding it fails once more
            writes += 1
            await h.tether.redis.hset(keys.state(meetings[3]), "m:touched", str(writes))
        return await resolve(asks)

    applier.batch.subjects = meanwhile
    assert await applier.run_once(block_ms=None) == 10
    assert writes == 2
    assert await applier.run_once(block_ms=None) == 0  # nothing left pending
    for m in meetings:
        roster = (await h.roster(m))["people"]
        assert sorted((p["participant"], p["status"]) for p in roster) == [
            ("pu-a", "present"), ("pu-b", "present")]
