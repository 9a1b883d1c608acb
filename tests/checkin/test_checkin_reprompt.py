"""With ``reprompt_by_sms``, a client still missing the check-in after the grace gets the
signed link by text again (through the Twilio stand-in), besides the clinicians' alert."""

from __future__ import annotations

from typing import Any

import pytest

from tests.callbacks.test_callback_ladder import CASEY_PHONE, join_group
from tests.checkin.test_checkin import GOOD, link
from tests.conftest import Harness, eventually

REPROMPT = [{"checkin_policy": {"reprompt_by_sms": True}}]


async def kinds_for(h: Harness, kind: str) -> list[str]:
    return [e["data"]["client"] for e in await h.timeline() if e["kind"] == kind]


async def after_the_grace(h: Harness, kind: str) -> None:
    await h.advance(301)

    async def there() -> bool:
        return bool(await kinds_for(h, kind))

    await eventually(there, timeout=5)


@pytest.mark.parametrize("overrides", REPROMPT)
async def test_missing_client_gets_the_link_again_by_text(harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.settle()
    token = (await link(h, "client-002")).split("t=", 1)[1]
    assert (await h.http.post(f"{h.base}/api/checkin?t={token}", json=GOOD)).status_code == 200
    await after_the_grace(h, "checkin.reprompted")
    assert await kinds_for(h, "alert.checkin_missing") == ["client-001"]
    assert await kinds_for(h, "checkin.reprompted") == ["client-001"]
    (sms,) = h.standin.messages
    assert sms["to"] == CASEY_PHONE and "/checkin?t=" in sms["body"]
    assert "Casey" not in sms["body"] and "Larkspur" not in sms["body"]
    url = sms["body"].split(": ", 1)[1]
    assert (await h.http.get(url, follow_redirects=True)).status_code == 200  # signed
    new_token = url.split("t=", 1)[1]
    r = await h.http.post(f"{h.base}/api/checkin?t={new_token}", json=GOOD)
    assert r.status_code == 200
    audit = await h.tether.redis.xrange("{tether}:audit")
    assert any(f["actor"] == "checkin-reminder" and f["target"] == "client-001"
               for _, f in audit)


@pytest.mark.parametrize("overrides", REPROMPT)
async def test_no_record_to_text_is_on_the_timeline(harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.settle()
    await h.tether.redis.delete("{tether}:client:client-001")  # the record was removed
    await after_the_grace(h, "checkin.reprompt_failed")
    assert "client-001" in await kinds_for(h, "checkin.reprompt_failed")
    assert all(m["to"] != CASEY_PHONE for m in h.standin.messages)


async def test_without_the_setting_nobody_is_texted(harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.settle()
    await after_the_grace(h, "alert.checkin_missing")
    assert await kinds_for(h, "checkin.reprompted") == []
    messages: list[Any] = h.standin.messages
    assert messages == []
