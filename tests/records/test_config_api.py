"""The program's configuration is edited as versioned documents over HTTP, with no restart:
a save is live on this replica at once and on another within a second; an outdated copy is
refused with the other person's change; wrong values are named at their field; unticking a
person's Active box signs them out; and a running crisis keeps the policy it started with."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from sidecar.infra.telephony.standin import TwilioStandIn
from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import CASEY, CASEY_PHONE, DANA_PHONE, T0, calls_to
from tests.conftest import Harness, eventually, running_sidecar

ADMIN = "admin-jordan"
NEW_MEETING = "84455566677"


async def doc(h: Harness, name: str, who: str = ADMIN) -> tuple[dict[str, Any], str]:
    r = await h.http.get(f"{h.base}/api/admin/config/{name}", headers=h.token(who))
    assert r.status_code == 200, r.text
    return r.json(), r.headers["ETag"]


async def save(h: Harness, name: str, body: Any, etag: str | None, who: str = ADMIN
               ) -> httpx.Response:
    headers = h.token(who) | ({"If-Match": etag} if etag else {})
    return await h.http.put(f"{h.base}/api/admin/config/{name}", json=body, headers=headers)


def new_person(**extra: Any) -> dict[str, Any]:
    return {"id": "cofac-rowe", "name": "Rowe Halvorsen", "roles": ["co_facilitator"],
            "phone": "+13125550108", "email": "rowe@example.org", **extra}


async def test_the_program_file_seeds_the_store_as_five_documents(harness: Harness) -> None:
    h = harness
    r = await h.http.get(f"{h.base}/api/admin/config", headers=h.token(ADMIN))
    docs = r.json()["documents"]
    assert sorted(docs) == ["groups", "on_call", "policies", "program", "staff"]
    assert {d["version"] for d in docs.values()} == {1}
    assert docs["program"]["body"]["name"] == "Harbor Light Evening IOP"
    assert docs["staff"]["updated_by"] == "the program file"
    assert r.headers["Cache-Control"] == "no-store"
    refused = await h.http.get(f"{h.base}/api/admin/config", headers=h.token("lead-avery"))
    assert refused.status_code == 403


async def test_a_saved_person_is_live_at_once_and_the_save_is_audited(harness: Harness
                                                                       ) -> None:
    h = harness
    staff, etag = await doc(h, "staff")
    r = await save(h, "staff", [*staff["body"], new_person()], etag)
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] == '"2"' and r.json()["updated_by"] == "Jordan Pell"
    assert h.tether.config.staff_by_id("cofac-rowe") is not None  # no restart
    assert h.tether.live.version == await h.tether.config_store.version()  # as what it is
    # the new person can be given a token and a session at once
    assert (await h.http.get(f"{h.base}/auth/me", headers=await h.session("cofac-rowe"))
            ).json()["name"] == "Rowe Halvorsen"
    audit = await h.tether.redis.xrange("{tether}:audit")
    saved = [e for _, e in audit if e["action"] == "config.saved:staff"]
    assert saved and saved[-1]["actor"] == ADMIN
    assert saved[-1]["target"] == str(len(staff["body"]))  # the row added


async def test_an_outdated_copy_is_refused_with_the_other_change(harness: Harness) -> None:
    h = harness
    staff, etag = await doc(h, "staff")
    first = await save(h, "staff", [*staff["body"], new_person()], etag)
    assert first.status_code == 200
    mine = [{**s, "phone": "+13125550199"} if s["id"] == "lead-avery" else s
            for s in staff["body"]]
    late = await save(h, "staff", mine, etag, who="clinlead-sasha")
    assert late.status_code == 412
    body = late.json()
    assert "Jordan Pell saved a change" in body["error"]
    assert "Your changes are kept" in body["error"]
    assert any(s["id"] == "cofac-rowe" for s in body["current"]["body"])
    assert body["current"]["version"] == 2
    assert h.tether.config.staff_by_id("lead-avery").phone == "+13125550101"  # unchanged
    again = await save(h, "staff", [*mine, new_person()], late.headers["ETag"],
                       who="clinlead-sasha")
    assert again.status_code == 200  # kept mine, saved on top of theirs
    assert h.tether.config.staff_by_id("lead-avery").phone == "+13125550199"
    missing = await save(h, "staff", mine, None)
    assert missing.status_code == 428 and "If-Match" in missing.text


async def test_wrong_values_are_named_at_their_fields(harness: Harness) -> None:
    h = harness
    staff, etag = await doc(h, "staff")
    r = await save(h, "staff", [*staff["body"], new_person(phone="312", name="")], etag)
    assert r.status_code == 400
    n = len(staff["body"])
    assert r.json()["fields"] == {
        f"{n}.name": "required",
        f"{n}.phone": "a phone number in international format, like +12175550142"}

    groups, etag = await doc(h, "groups")
    wrong = [{**groups["body"][0], "lead": "nobody-here", "zoom_meeting_id": "12",
              "schedule": [{"days": ["tue"], "start": "7pm", "end": "21:00"}]}]
    r = await save(h, "groups", wrong, etag)
    fields = r.json()["fields"]
    assert fields["0.lead"] == "nobody on the staff list has the id 'nobody-here'"
    assert "0.zoom_meeting_id" in fields
    assert fields["0.schedule.0.start"] == "a time like 18:30 (24-hour clock)"

    policies, etag = await doc(h, "policies")
    ladder = policies["body"]["callback_policy"]
    wrong_p = {**policies["body"], "callback_policy": {
        **ladder, "steps": [{"action": "call_support"}], "grace_seconds": 70}}
    r = await save(h, "policies", wrong_p, etag)
    fields = r.json()["fields"]
    assert fields["callback_policy.grace_seconds"] == "should be at most 50"

    # a person still leading a group cannot be removed: say who and what to do instead
    r = await save(h, "staff", [s for s in staff["body"] if s["id"] != "lead-avery"],
                   (await doc(h, "staff"))[1])
    assert r.status_code == 400
    assert r.json()["fields"]["(top level)"].startswith(
        "Avery Lindqvist leads Tuesday evening group: choose someone else there first")
    assert (await doc(h, "staff"))[0]["version"] == 1  # nothing stored


async def test_unticking_active_signs_the_person_out_everywhere(harness: Harness) -> None:
    h = harness
    avery = await h.session("lead-avery")
    assert (await h.http.get(f"{h.base}/auth/me", headers=avery)).status_code == 200
    staff, etag = await doc(h, "staff")
    off = [{**s, "active": False} if s["id"] == "lead-avery" else s for s in staff["body"]]
    assert (await save(h, "staff", off, etag)).status_code == 200
    r = await h.http.get(f"{h.base}/auth/me", headers=avery)
    assert r.status_code == 401
    assert (await h.http.post(f"{h.base}/auth/exchange", headers=h.token(ADMIN))
            ).status_code == 200
    audit = await h.tether.redis.xrange("{tether}:audit")
    assert any(e["action"] == "staff.disabled" and e["target"] == "lead-avery"
               for _, e in audit)


async def test_a_second_replica_serves_the_change_within_a_second(
        harness: Harness, redis_url: str, tmp_path: Path,
        standin: tuple[TwilioStandIn, str]) -> None:
    h = harness
    async with running_sidecar(redis_url, tmp_path / "b", standin, {}) as other:
        assert other.tether.config.staff_by_id("cofac-rowe") is None
        staff, etag = await doc(h, "staff")
        assert (await save(h, "staff", [*staff["body"], new_person()], etag)).status_code == 200
        saved_at = time.monotonic()

        async def there() -> bool:
            r = await other.http.get(f"{other.base}/api/admin/config/staff",
                                     headers=other.token(ADMIN))
            return any(s["id"] == "cofac-rowe" for s in r.json()["body"])

        await eventually(there, timeout=5)
        took = time.monotonic() - saved_at
        assert other.tether.config.staff_by_id("cofac-rowe") is not None
        assert took < 1.0, f"the other replica took {took:.2f} s"


async def test_a_group_added_in_the_browser_gets_callbacks_to_the_right_number(
        harness: Harness) -> None:
    h = harness
    groups, etag = await doc(h, "groups")
    group = {"name": "Saturday morning group", "zoom_meeting_id": NEW_MEETING,
             "lead": "lead-avery", "co_facilitator": "cofac-morgan",
             "expected_clients": ["client-001"],
             "schedule": [{"days": ["thu"], "start": "09:00", "end": "12:00"}]}
    r = await save(h, "groups", [*groups["body"], group], etag)
    assert r.status_code == 200, r.text
    uuid = "thUrsDay/Uuid+1=="

    def here(body: dict[str, Any]) -> dict[str, Any]:
        body["payload"]["object"].update({"id": NEW_MEETING, "uuid": uuid})
        return body

    await h.zoom(here(zp.joined(T0 - 60_000, *CASEY)))
    await h.zoom(here(zp.disconnected(T0, *CASEY)))
    await h.settle()
    await h.advance(10)
    await eventually(lambda: calls_to(h, CASEY_PHONE), timeout=5)
    kinds = await h.kinds_of(uuid)
    assert "alert.disconnected" in kinds and "ladder.dialing" in kinds


async def test_a_ladder_under_way_keeps_the_policy_it_started_with(harness: Harness) -> None:
    h = harness
    for puuid, name in [CASEY, ("pu-lead", "Avery (lead)")]:
        await h.zoom(zp.joined(T0 - 60_000, puuid, name))
    await h.zoom(zp.disconnected(T0, *CASEY))
    await h.settle()
    policies, etag = await doc(h, "policies")
    # mid-crisis an admin cuts the ladder to one call to the client and nothing else
    one = {**policies["body"], "callback_policy": {
        **policies["body"]["callback_policy"],
        "steps": [{"action": "call_client", "attempts": 1, "ring_timeout_seconds": 30}]}}
    assert (await save(h, "policies", one, etag)).status_code == 200
    await h.advance(10)
    await eventually(lambda: _n(h, CASEY_PHONE, 2), timeout=10)  # still two attempts
    await eventually(lambda: _n(h, DANA_PHONE, 1), timeout=10)  # and the support call


async def _n(h: Harness, number: str, n: int) -> bool:
    if all(c.status not in ("ringing", "in-progress") for c in h.standin.calls):
        await h.advance(5)
    return await calls_to(h, number) >= n


async def test_a_group_meeting_now_keeps_its_meeting_id_until_it_ends(harness: Harness
                                                                      ) -> None:
    h = harness
    await h.zoom(zp.joined(T0 - 60_000, *CASEY))
    await h.settle()
    groups, etag = await doc(h, "groups")
    moved = [{**groups["body"][0], "zoom_meeting_id": "89999999999"}, *groups["body"][1:]]
    r = await save(h, "groups", moved, etag)
    assert r.status_code == 400
    assert r.json()["fields"] == {"0.zoom_meeting_id": (
        "Tuesday evening group is meeting now: keep 81234567890 until the session ends, "
        "or its drops would not be seen")}
    renamed = [{**groups["body"][0], "name": "Tuesday group"}, *groups["body"][1:]]
    assert (await save(h, "groups", renamed, etag)).status_code == 200  # the rest may change
    await h.zoom(zp.meeting_event("meeting.ended", T0))
    await h.settle()
    groups, etag = await doc(h, "groups")
    moved = [{**groups["body"][0], "zoom_meeting_id": "89999999999"}, *groups["body"][1:]]
    assert (await save(h, "groups", moved, etag)).status_code == 200
