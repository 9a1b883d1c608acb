"""Platforms deliver late, twice and out of order: every permutation and duplication of a
join/leave/rejoin sequence gives the same roster and the same callbacks."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.events import EventEnvelope
from plugins.zoom import ZoomWebhookAdapter
from sidecar.infra.config import CallbackPolicy
from sidecar.presence.plan import MeetingView, plan_event
from sidecar.presence.roster import PersonState
from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import CASEY_PHONE
from tests.conftest import Harness, eventually

T0 = 1_800_000_000_000
GRACE_S = 45  # longer than any generated story (3 cycles of at most 12 s)


@pytest.fixture
def policy() -> dict[str, Any]:
    return {"grace_seconds": GRACE_S}
ADAPTER = ZoomWebhookAdapter(zp.SECRET)


@st.composite
def sessions(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A client's join/drop/rejoin story (a new participant uuid on each rejoin), with the
    odd same-second breakout room move, ending either present or dropped."""
    cycles = draw(st.integers(1, 3))
    end_dropped = draw(st.booleans())
    t = T0 - 120_000
    events = []
    for i in range(cycles):
        puuid = f"pu-casey-{i}"
        events.append(zp.joined(t, puuid, "Casey B"))
        if draw(st.booleans()):  # a room move: left + joined in the same second
            t += draw(st.integers(1000, 4000))
            events.append(zp.left(t, puuid, "Casey B", "left the meeting. Reason : left the "
                                                      "meeting to join breakout room"))
            events.append(zp.joined(t, puuid, "Casey B"))
        last = i == cycles - 1
        if not last or end_dropped:
            t += draw(st.integers(1000, 4000))
            events.append(zp.disconnected(t, puuid, "Casey B"))
            t += draw(st.integers(1000, 4000))
    return events


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    story = draw(sessions())
    dupes = draw(st.lists(st.sampled_from(story), max_size=3))
    return story, draw(st.permutations(story + dupes))


def envelopes(bodies: list[dict[str, Any]]) -> list[EventEnvelope]:
    return [ADAPTER.handle(json.dumps(b).encode()).events[0] for b in bodies]


def replay(events: list[EventEnvelope]) -> tuple[dict[str, PersonState], set[str]]:
    """The pure planner fed one event at a time, as ingest does."""
    view = MeetingView(zp.MEETING_UUID, zp.MEETING_NUMBER, {}, {}, {})
    ladders: dict[str, str] = {}
    policy = CallbackPolicy()
    for env in events:
        plan = plan_event(env, view, "client:client-001", policy, T0 + 60_000)
        for key, _ in plan.cancel:
            ladders = {s: k for s, k in ladders.items() if k != key}
        ladders.update(plan.ladders_set)
        view = MeetingView(view.meeting, view.program_meeting, {**view.people, **plan.people},
                           ladders, {})
    return view.people, set(ladders.values())


@settings(max_examples=300, deadline=None)
@given(deliveries())
def test_pure_roster_and_ladders_ignore_arrival_order(case: tuple[list[Any], list[Any]]) -> None:
    in_order, shuffled = case
    people_a, ladders_a = replay(envelopes(in_order))
    people_b, ladders_b = replay(envelopes(shuffled))
    assert {p: (s.status, s.reason) for p, s in people_a.items()} == \
           {p: (s.status, s.reason) for p, s in people_b.items()}
    assert len(ladders_a) == len(ladders_b)
    dropped_at_end = in_order[-1]["event"] == "meeting.participant_left"
    assert len(ladders_a) == (1 if dropped_at_end else 0)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=deliveries())
async def test_through_redis_every_order_gives_one_roster_and_the_same_calls(
        harness: Harness, case: tuple[list[dict[str, Any]], list[dict[str, Any]]]) -> None:
    h = harness
    h.standin.behaviour[CASEY_PHONE] = "answer"
    in_order, shuffled = case
    meeting = f"perm-{uuid.uuid4().hex}=="
    before = sum(1 for c in h.standin.calls if c.to == CASEY_PHONE)
    # the story ends now and lasts under the grace: nothing is due while it is delivered
    shift = int(h.clock.now() * 1000) - max(b["event_ts"] for b in in_order)
    for body in shuffled:
        body = json.loads(json.dumps(body))
        body["payload"]["object"]["uuid"] = meeting
        body["event_ts"] += shift
        assert (await h.zoom(body)).status_code == 200
    await h.settle()
    assert sum(1 for c in h.standin.calls if c.to == CASEY_PHONE) == before
    h.clock.advance(GRACE_S + 1)
    expected_calls = 1 if in_order[-1]["event"] == "meeting.participant_left" else 0

    async def calls_settled() -> bool:
        kinds = [e["kind"] for e in await h.timeline(meeting)]
        done = "ladder.answered" in kinds if expected_calls else True
        return done

    await eventually(calls_settled, timeout=10)
    placed = sum(1 for c in h.standin.calls if c.to == CASEY_PHONE) - before
    assert placed == expected_calls
    people, _ = replay(envelopes(in_order))
    roster = {p["participant"]: (p["status"], p["reason"])
              for p in (await h.roster(meeting))["people"]}
    assert roster == {p: (s.status, s.reason) for p, s in people.items()}
