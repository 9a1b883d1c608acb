"""What a check-in raises for the clinicians only: a code word in its note, "I need a
moment", a place outside the program's licences; and the program's required fields."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sidecar.infra import keys
from tests import zoom_payloads as zp
from tests.checkin.test_checkin import GOOD, link, started
from tests.conftest import Harness

NOTE = "Fine mostly. Left my Blue Umbrella at the bus stop."


async def submit(h: Harness, body: dict[str, Any], client: str = "client-001") -> Any:
    token = (await link(h, client)).split("t=", 1)[1]
    return await h.http.post(f"{h.base}/api/checkin?t={token}", json=body)


async def entries(h: Harness, kind: str) -> list[dict[str, Any]]:
    return [e["data"] for e in await h.timeline() if e["kind"] == kind]


async def test_a_code_word_in_the_note_alerts_quietly(harness: Harness) -> None:
    h = harness
    await started(h)
    r = await submit(h, {**GOOD, "note": NOTE})
    assert r.status_code == 200 and set(r.json()) == {"ok", "checked_in_at", "linked"}
    assert await entries(h, "alert.code_word") == [{"client": "client-001",
                                                    "source": "checkin"}]
    submitted = (await entries(h, "checkin.submitted"))[0]
    assert submitted["note"] is True
    assert "umbrella" not in json.dumps(await h.timeline()).casefold()
    raw = await h.tether.redis.hgetall(keys.checkins(zp.MEETING_UUID))
    assert "Umbrella" not in json.dumps(raw)  # sealed with the check-in
    stored = await h.tether.checkins.get(zp.MEETING_UUID, "client-001", "test", "test")
    assert stored is not None and stored.note == NOTE
    # the same note again (say, after "I moved") does not alert twice
    assert (await submit(h, {**GOOD, "note": NOTE})).status_code == 200
    assert len(await entries(h, "alert.code_word")) == 1
    assert h.standin.messages == []


async def test_a_note_without_a_code_word_or_another_clients_word(harness: Harness) -> None:
    h = harness
    await started(h)
    assert (await submit(h, {**GOOD, "note": "my weather report: sunny"})).status_code == 200
    assert await entries(h, "alert.code_word") == []  # Rowan's word, not Casey's
    r = await submit(h, {**GOOD, "note": "x" * 501})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "note"


async def test_i_need_a_moment(harness: Harness) -> None:
    h = harness
    await started(h)
    token = (await link(h, "client-002")).split("t=", 1)[1]
    r = await h.http.post(f"{h.base}/api/checkin/moment?t={token}")
    assert r.status_code == 200
    assert r.json()["message"] == "Thanks. Your care team will check in with you quietly."
    assert await entries(h, "alert.need_moment") == [{"client": "client-002"}]
    r = await h.http.post(f"{h.base}/api/checkin/moment?t={token[:-2]}xx")
    assert r.status_code == 403
    audit = await h.tether.redis.xrange("{tether}:audit")
    assert any(f["action"] == "checkin.moment" and f["actor"] == "client:client-002"
               for _, f in audit)


@pytest.mark.parametrize("overrides", [{"checkin_policy": {"required": {"required": [
    "location", "callback_phone", "others_present", "emergency_contact_ok",
    "location.unit", "emergency_contact"]}}}])
async def test_the_programs_required_fields_are_named(harness: Harness) -> None:
    h = harness
    await started(h)
    body: dict[str, Any] = {**GOOD, "location": {**GOOD["location"], "unit": "", "city": ""}}
    r = await submit(h, body)
    assert r.status_code == 400
    assert {e["field"] for e in r.json()["errors"]} == {
        "location.city", "location.unit", "emergency_contact"}
    assert (await h.roster())["checkins"]["client-001"]["checked_in_at"] is None
    contact = {"name": "Dana Brightwater", "phone": "+13125550121"}
    r = await submit(h, {**GOOD, "emergency_contact": contact})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("overrides", [{"checkin_policy": {"licensed_regions": ["US-IL"]}}])
async def test_a_place_outside_the_licences_alerts_and_is_still_stored(
        harness: Harness) -> None:
    h = harness
    await started(h)
    assert (await submit(h, GOOD)).status_code == 200
    assert await entries(h, "alert.outside_license") == []
    away = {**GOOD, "location": {**GOOD["location"], "city": "Kenosha", "region": "WI",
                                 "postal_code": "53140"}}
    assert (await submit(h, away)).status_code == 200
    assert await entries(h, "alert.outside_license") == [{"client": "client-001",
                                                          "region": "US-WI"}]
    stored = await h.tether.checkins.get(zp.MEETING_UUID, "client-001", "test", "test")
    assert stored is not None and stored.location.region == "WI"
    assert (await submit(h, {**away, "location": {**away["location"], "room": "porch"}})
            ).status_code == 200
    assert len(await entries(h, "alert.outside_license")) == 1  # same place, no repeat
