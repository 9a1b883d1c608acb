"""Apply a batch of inbox entries to their meetings in a few round trips.

One WATCH of every meeting in the batch, one read of all their states, one look-up of the
participants seen for the first time, one WATCH and read of the jobs the plans touch, and
one MULTI/EXEC for all the writes: five or six round trips for a batch of events,
where applying them one by one took four each. Each meeting's events are planned in inbox
order, each seeing the meeting as the one before left it (``sequence.py``). Anyone else
changing one of these meetings in between (another replica, a clinician's link) fails the
EXEC as a whole; nothing is half-written and the caller tries again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis

from contracts.events import EventEnvelope, Person
from sidecar.infra import keys
from sidecar.infra.config import Meeting
from sidecar.presence.meetings import MeetingStore, planned_jobs
from sidecar.presence.plan import MeetingView, Plan
from sidecar.presence.sequence import advance

logger = logging.getLogger(__name__)
Item = tuple[str, EventEnvelope, Meeting]  # inbox entry id, its event, the program meeting
Planner = Callable[[EventEnvelope, MeetingView, str], Plan]
Subjects = Callable[[list[tuple[Person, Meeting]]], Awaitable[list[str]]]
Failed = Callable[[EventEnvelope, Exception], None]


class MeetingBatch:
    def __init__(self, redis: aioredis.Redis, meetings: MeetingStore, subjects: Subjects,
                 planner: Planner, failed: Failed) -> None:
        self.redis = redis
        self.meetings = meetings
        self.subjects = subjects
        self.planner = planner
        self.failed = failed

    async def apply(self, items: list[Item]) -> list[str]:
        """The entry ids applied (every one but those whose planning failed, which
        ``failed`` has heard of). Raises WatchError if a meeting changed meanwhile."""
        by_meeting: dict[str, list[Item]] = {}
        for item in items:
            by_meeting.setdefault(item[1].meeting, []).append(item)
        numbers = {m: its[0][1].meeting_number for m, its in by_meeting.items()}
        applied: list[str] = []
        async with self.redis.pipeline(transaction=True) as pipe:
            await pipe.watch(*[keys.state(m) for m in by_meeting])
            views, fresh = await self.meetings.read_views(pipe, numbers)
            listed = {m: bool(v.people) for m, v in views.items()}  # on the active list
            subjects = await self._first_seen(by_meeting, views)
            written: list[tuple[str, str, list[Plan]]] = []
            for meeting, its in by_meeting.items():
                view, plans = views[meeting], []
                for entry_id, env, _ in its:
                    try:
                        plan = self.planner(env, view, _subject(env, view, meeting, subjects))
                    except Exception as exc:  # a fault in one event never stops the others
                        self.failed(env, exc)
                        continue
                    applied.append(entry_id)
                    if not plan.empty:
                        plans.append(plan)
                        view = advance(view, plan)
                if plans:
                    written.append((meeting, its[0][1].platform, plans))
            if not written:
                await pipe.unwatch()
                return applied
            jobs = await self.meetings.read_jobs(
                pipe, planned_jobs([p for _, _, plans in written for p in plans]))
            pipe.multi()
            for meeting, platform, plans in written:
                self.meetings.write_all(pipe, meeting, numbers[meeting], platform, plans, jobs,
                                        listed=bool(listed[meeting]), fresh=meeting in fresh)
            await pipe.execute()
        return applied

    async def _first_seen(self, by_meeting: dict[str, list[Item]],
                          views: dict[str, MeetingView]) -> dict[tuple[str, str], str]:
        """Who each participant new to its meeting is, all looked up together."""
        asks: dict[tuple[str, str], tuple[Person, Meeting]] = {}
        for meeting, its in by_meeting.items():
            for _, env, cfg in its:
                person = getattr(env.event, "person", None)
                if person is None or person.participant in views[meeting].people:
                    continue
                if (meeting, person.participant) not in asks:
                    asks[(meeting, person.participant)] = (
                        self.meetings.sealer.open_person(env, person), cfg)
        if not asks:
            return {}
        return dict(zip(asks, await self.subjects(list(asks.values())), strict=True))


def _subject(env: EventEnvelope, view: MeetingView, meeting: str,
             first_seen: dict[tuple[str, str], str]) -> str:
    person = getattr(env.event, "person", None)
    if person is None:
        return ""
    known = view.people.get(person.participant)
    if known is not None:
        return known.subject  # resolved when this participant first appeared
    return first_seen[(meeting, person.participant)]
