"""Privacy prompts over real HTTP: the answers are stored sealed with the check-in, come back
to the client and to the panel in plain words, never block a check-in; the program's prompts
are validated with clear sentences; the recording statement is said only while Tether stops
recordings."""

from __future__ import annotations

from typing import Any

import pytest

from sidecar.infra import keys
from tests import zoom_payloads as zp
from tests.checkin.test_checkin import GOOD, M, link, started
from tests.conftest import Harness
from tests.records.test_config_api import ADMIN, doc, save

NEVER = "This session is never recorded."


async def token(h: Harness) -> str:
    return (await link(h)).split("t=", 1)[1]


async def check_in(h: Harness, tok: str, **privacy: Any) -> None:
    r = await h.http.post(f"{h.base}/api/checkin?t={tok}", json={**GOOD, "privacy": privacy})
    assert r.status_code == 200, r.text


async def test_answers_are_sealed_with_the_checkin_and_read_back_in_words(
        harness: Harness) -> None:
    h = harness
    await started(h)
    tok = await token(h)
    # a reminder-only prompt and a prompt the program does not have are not kept
    await check_in(h, tok, headphones=True, private_spot=False, virtual_background=True,
                   made_up=False)
    own = (await h.http.get(f"{h.base}/api/checkin?t={tok}")).json()["checkin"]
    assert own["privacy"] == {"headphones": True, "private_spot": False}

    row = (await h.roster())["checkins"]["client-001"]
    assert [(a["words"], a["attention"]) for a in row["privacy"]] == [
        ("Headphones: yes", False), ("Not private", True)]
    r = await h.http.get(f"{h.base}/api/meetings/{M}/privacy-answers", headers=h.token())
    assert r.status_code == 200
    assert r.json()["clients"]["client-001"] == row["privacy"]
    assert "client-002" not in r.json()["clients"]  # not checked in: nothing to say

    raw = await h.tether.redis.hgetall(keys.checkins(zp.MEETING_UUID))
    assert "p:client-001" in raw
    assert not any("private_spot" in v or "headphones" in v for v in raw.values())
    submitted = [e for e in await h.timeline() if e["kind"] == "checkin.submitted"]
    assert "privacy" not in submitted[-1]["data"]  # sealed: never on the timeline


async def test_skipping_the_prompts_still_checks_in_and_a_new_checkin_replaces_answers(
        harness: Harness) -> None:
    h = harness
    await started(h)
    tok = await token(h)
    r = await h.http.post(f"{h.base}/api/checkin?t={tok}", json=GOOD)  # no privacy at all
    assert r.status_code == 200, r.text
    row = (await h.roster())["checkins"]["client-001"]
    assert row["checked_in_at"] is not None and row["privacy"] == []

    await check_in(h, tok, headphones=False, private_spot=None)  # one skipped
    assert [a["words"] for a in (await h.roster())["checkins"]["client-001"]["privacy"]] == [
        "No headphones"]
    await check_in(h, tok, headphones=True, private_spot=True)
    assert [a["words"] for a in (await h.roster())["checkins"]["client-001"]["privacy"]] == [
        "Headphones: yes", "Private spot: yes"]


async def test_privacy_answers_are_for_the_meetings_clinicians_only(harness: Harness) -> None:
    h = harness
    await started(h)
    url = f"{h.base}/api/meetings/{M}/privacy-answers"
    assert (await h.http.get(url)).status_code == 401
    assert (await h.http.get(f"{h.base}/api/meetings/nope/privacy-answers",
                             headers=h.token())).status_code == 404


async def test_the_forms_ask_the_prompts_and_say_the_recording_statement(
        harness: Harness) -> None:
    h = harness
    await started(h)
    page = (await h.http.get(await link(h), follow_redirects=True)).text
    assert "Are you wearing headphones?" in page and 'name="privacy.private_spot"' in page
    assert "Turn on a virtual background" in page and NEVER in page
    assert 'name="privacy.virtual_background"' not in page  # a reminder is not asked


@pytest.mark.parametrize("overrides", [{"recording_policy": {"on_start": "alert"}}])
async def test_no_recording_statement_while_recordings_are_not_stopped(
        harness: Harness) -> None:
    h = harness
    await started(h)
    page = (await h.http.get(await link(h), follow_redirects=True)).text
    assert "Are you wearing headphones?" in page and NEVER not in page


def _prompt(**over: Any) -> dict[str, Any]:
    return {"key": "headphones", "question": "Are you wearing headphones?", "ask": "yes_no",
            "label": "Headphones", "when_no": "No headphones", **over}


async def _refused(h: Harness, privacy: dict[str, Any]) -> dict[str, str]:
    policies, etag = await doc(h, "policies")
    r = await save(h, "policies", {**policies["body"], "privacy_prompts": privacy}, etag)
    assert r.status_code == 400, r.text
    fields: dict[str, str] = r.json()["fields"]
    return fields


async def test_the_prompts_are_validated_with_clear_sentences(harness: Harness) -> None:
    h = harness
    fields = await _refused(h, {"prompts": [_prompt(key="Head Phones", question="   ")]})
    assert fields == {
        "privacy_prompts.prompts.0.key": "a key is 1 to 32 lowercase letters, digits or _, "
                                         "starting with a letter, like headphones",
        "privacy_prompts.prompts.0.question": "write it in words (it cannot be only spaces)"}
    fields = await _refused(h, {"prompts": [_prompt(), _prompt(question="Headset on?")]})
    assert fields == {"privacy_prompts.prompts": "each prompt needs its own key; used twice: "
                                                 "headphones"}
    fields = await _refused(h, {"prompts": [_prompt(ask="sometimes")]})
    assert fields == {"privacy_prompts.prompts.0.ask": "ask is yes_no (a yes/no question) or "
                                                       "reminder (shown only)"}


async def test_a_saved_prompt_is_asked_at_once(harness: Harness) -> None:
    h = harness
    await started(h)
    policies, etag = await doc(h, "policies")
    body = {**policies["body"], "privacy_prompts": {
        "prompts": [_prompt(key="door", question="Is your door closed?", label="Door",
                            when_no="Door open")],
        "recording_statement": "We never record a group."}}
    r = await save(h, "policies", body, etag)
    assert r.status_code == 200, r.text
    page = (await h.http.get(await link(h), follow_redirects=True)).text
    assert "Is your door closed?" in page and "We never record a group." in page
    assert "Are you wearing headphones?" not in page
    await check_in(h, await token(h), door=False, headphones=True)
    assert [a["words"] for a in (await h.roster())["checkins"]["client-001"]["privacy"]] == [
        "Door open"]
    assert (await doc(h, "policies", ADMIN))[0]["body"]["privacy_prompts"]["prompts"][0][
        "key"] == "door"
