"""Where keys land in a Redis Cluster: a meeting's keys and jobs in one slot, its shard's;
the shards spread over the slot range; every job in a due index some engine walks."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st
from redis.crc import REDIS_CLUSTER_HASH_SLOTS, key_slot

from sidecar.incidents.agreement_reminder import job_key as agreement_job
from sidecar.infra import keys
from sidecar.infra.clock import FakeClock
from sidecar.infra.jobs import JobEngine
from sidecar.infra.jobs.engine import split
from sidecar.infra.store import connect
from sidecar.jitsi.heartbeats import watch_key
from sidecar.presence.plan import ladder_key

T = 1_800_000_000.0
NOW_MS = int(T * 1000)
SIXTEENTH = REDIS_CLUSTER_HASH_SLOTS // len(keys.MEETING_SHARDS)


def slot(name: str) -> int:
    return int(key_slot(name.encode()))


def test_each_shard_lies_in_its_own_sixteenth_of_the_slots() -> None:
    """Three primaries given equal slot ranges (as ``redis-cli --cluster create`` deals
    them) serve five or six shards each."""
    sixteenths = [slot(tag) // SIXTEENTH for tag in keys.MEETING_SHARDS]
    assert sixteenths == list(range(len(keys.MEETING_SHARDS)))
    per_primary = Counter(slot(tag) * 3 // REDIS_CLUSTER_HASH_SLOTS
                          for tag in keys.MEETING_SHARDS)
    assert sorted(per_primary.values()) == [5, 5, 6]


meeting_ids = st.text(st.characters(blacklist_characters="{}", blacklist_categories=("Cs",)),
                      min_size=1, max_size=40)


@given(meeting_ids, st.text(min_size=1, max_size=20))
def test_a_meetings_keys_and_jobs_share_one_slot(meeting: str, who: str) -> None:
    names = [keys.state(meeting), keys.timeline(meeting), keys.checkins(meeting),
             keys.agreements(meeting), keys.heartbeat(meeting, who),
             keys.active_meetings(meeting)]
    for job in (ladder_key(meeting, who, 1), watch_key(meeting, who, 2),
                agreement_job(meeting, who), keys.meeting_job(meeting, "checkin:x")):
        names += [keys.job(job), keys.due(job)]
    assert len({slot(n) for n in names}) == 1


@given(st.text(max_size=40))
def test_every_job_waits_in_a_due_index_the_engine_walks(job: str) -> None:
    """A key naming no shard, or a tag that is no shard's, waits under ``{tether}``."""
    assert keys.due(job) in keys.DUE_INDEXES
    assert slot(keys.job(job)) == slot(keys.due(job))


@given(st.integers(1, 512), st.integers(1, len(keys.JOB_SHARDS)))
def test_a_claim_deals_its_slots_over_the_due_shards(limit: int, parts: int) -> None:
    shares = split(limit, parts)
    assert sum(shares) == limit and max(shares) - min(shares) <= 1


async def test_a_busy_shard_never_starves_another(redis_url: str) -> None:
    """Fifty ladders due in one meeting's shard and one in another's: a claim for four
    takes the lone one too, not only the first four of the busy shard; the next claim
    takes the rest, each job once."""
    busy, quiet = "meeting-busy", "meeting-quiet-1"
    assert keys.meeting_shard(busy) != keys.meeting_shard(quiet)
    redis = connect(redis_url)
    try:
        engine = JobEngine(redis, FakeClock(T), owner="a")
        for i in range(50):
            await engine.schedule(keys.meeting_job(busy, f"ladder:{i}"), NOW_MS, "k", {})
        lone = keys.meeting_job(quiet, "ladder:0")
        await engine.schedule(lone, NOW_MS, "k", {})
        claimed = [job.key for job in await engine.claim(4)]
        assert lone in claimed and len(claimed) <= 4
        rest = [job.key for job in await engine.claim(100)]  # the busy shard's remainder
        assert len(set(claimed + rest)) == len(claimed) + len(rest) == 51
    finally:
        await redis.aclose()
