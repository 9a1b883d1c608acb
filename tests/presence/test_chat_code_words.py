"""A client's code word in the Zoom meeting chat raises a silent alert for the clinicians;
the message itself is checked and dropped: it stays nowhere in Redis, the timeline, the
audit stream or the logs, and nothing goes back to the group."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from contracts.events import ChatMessageSent, EventEnvelope, Person
from contracts.ids import MeetingId, MeetingNumber, ParticipantId
from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import T0, join_group
from tests.conftest import Harness

SECRET_LINE = "ugh my Blue-Umbrella is soaked again tonight"


async def redis_keys_holding(h: Harness, needle: str) -> list[str]:
    """Every key whose name or content (any type) contains ``needle``, case-insensitively."""
    r = h.tether.redis
    found = []
    async for key in r.scan_iter(count=1000):
        kind = await r.type(key)
        values: list[Any] = [key]
        if kind == "string":
            values.append(await r.get(key))
        elif kind == "hash":
            values += list((await r.hgetall(key)).items())
        elif kind == "stream":
            values += [fields for _, fields in await r.xrange(key)]
        elif kind == "zset":
            values += await r.zrange(key, 0, -1)
        elif kind == "set":
            values += list(await r.smembers(key))
        elif kind == "list":
            values += await r.lrange(key, 0, -1)
        if needle.casefold() in json.dumps(values).casefold():
            found.append(key)
    return found


async def alerts(h: Harness) -> list[dict[str, Any]]:
    return [e["data"] for e in await h.timeline() if e["kind"] == "alert.code_word"]


async def say(h: Harness, ts: int, session: str, name: str, text: str,
              email: str = "") -> None:
    r = await h.zoom(zp.chat(ts, session, name, text, email))
    assert r.status_code == 200 and r.json() == {"accepted": 1}, r.text
    await h.settle()


async def test_code_word_in_chat_alerts_clinicians_and_leaves_no_trace(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    h = harness
    caplog.set_level(logging.DEBUG)
    await join_group(h)
    await h.settle()
    await say(h, T0, "16778240", "Casey B", SECRET_LINE)
    assert await alerts(h) == [{"client": "client-001", "source": "chat",
                                "participant": "pu-casey-1", "display_name": "Casey B"}]
    timeline = json.dumps(await h.timeline()).casefold()
    assert "umbrella" not in timeline and "soaked" not in timeline
    for needle in ("umbrella", "soaked"):
        assert await redis_keys_holding(h, needle) == []  # inbox, timeline, audit, all
    assert await h.tether.redis.xlen("{tether}:inbox") == 0  # applied: deleted, chat too
    assert "umbrella" not in caplog.text.casefold()
    audit = await h.tether.redis.xrange("{tether}:audit")
    assert any(f["action"] == "client.read:chat:" + zp.MEETING_UUID for _, f in audit)
    # silent: no chat reply, no text, no call, no Zoom API call
    assert h.standin.messages == [] and h.standin.calls == []
    assert h.zoom_rest is not None and h.zoom_rest.tokens_issued == 0


async def test_ordinary_chat_raises_nothing_and_is_deleted_too(harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.settle()
    await say(h, T0, "16778240", "Casey B", "is anyone else's video frozen?")
    await say(h, T0 + 1, "16778240", "Casey B", "blueumbrellas are on sale")
    assert await alerts(h) == []
    assert await redis_keys_holding(h, "frozen") == []


async def test_a_linked_client_is_checked_against_their_own_words_only(
        harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.settle()
    await say(h, T0, "16778240", "Casey B", "the weather report said rain")  # Rowan's word
    assert await alerts(h) == []


async def test_an_unlinked_sender_names_the_one_client_whose_word_matched(
        harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.settle()
    await say(h, T0, "16779000", "iPhone 12", "did anyone see the Weather Report?")
    assert await alerts(h) == [{"client": "client-002", "source": "chat",
                                "participant": "user:16779000", "display_name": "iPhone 12"}]
    await say(h, T0 + 1, "16779000", "iPhone 12", "weather report: blue umbrella")
    assert (await alerts(h))[1] == {"client": None, "source": "chat",
                                    "participant": "user:16779000",
                                    "display_name": "iPhone 12"}


async def test_an_unlinked_roster_row_is_reported_by_its_participant(
        harness: Harness) -> None:
    h = harness
    await join_group(h)
    assert (await h.zoom(zp.joined(T0 - 30_000, "pu-anon-1", "Kitchen iPad"))).status_code == 200
    await h.settle()
    await say(h, T0, "16779111", "Kitchen iPad", "weather report")
    assert await alerts(h) == [{"client": "client-002", "source": "chat",
                                "participant": "pu-anon-1", "display_name": "Kitchen iPad"}]


async def test_staff_saying_a_code_word_raises_nothing(harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.settle()
    await say(h, T0, "16778000", "Avery L", "remember your blue umbrella", "avery@example.org")
    assert await alerts(h) == []


async def test_a_chat_entry_from_before_the_inbox_kept_decisions_is_checked_as_applied(
        harness: Harness) -> None:
    """An upgrade finds an entry an older version wrote (the text in the envelope, no
    decision): it is checked when applied, then deleted like any chat entry."""
    h = harness
    await join_group(h)
    await h.settle()
    old = EventEnvelope(
        id="zoom:old-chat-1", platform="zoom", meeting=MeetingId(zp.MEETING_UUID),
        meeting_number=MeetingNumber(zp.MEETING_NUMBER),
        occurred_at=datetime.fromtimestamp(T0 / 1000, UTC),
        event=ChatMessageSent(sender=Person(participant=ParticipantId("16778240"),
                                            display_name="Casey B"), text=SECRET_LINE))
    await h.tether.redis.xadd("{tether}:inbox", {"e": old.model_dump_json()})
    await h.settle()
    assert [a["client"] for a in await alerts(h)] == ["client-001"]
    assert await redis_keys_holding(h, "umbrella") == []
