"""The admin API over real HTTP: roles, the client list and editor, the locale directory,
who is on call; errors by path, nothing stored on error, everything audited."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from contracts.events import Person
from tests.conftest import ROOT, Harness

ADMIN = "admin-jordan"
CLINICAL_LEAD = "clinlead-sasha"  # program_clinical_lead: edits clinical fields too
ENDPOINTS = [("GET", "/api/admin/clients"), ("GET", "/api/admin/clients/client-001"),
             ("PUT", "/api/admin/clients/client-001"), ("GET", "/api/admin/directory"),
             ("PUT", "/api/admin/directory"), ("GET", "/api/admin/oncall")]


def example_directory() -> dict[str, Any]:
    raw: dict[str, Any] = yaml.safe_load((ROOT / "examples" / "directory.yaml").read_text())
    return raw


async def audit(h: Harness) -> list[tuple[str, str, str]]:
    entries = await h.tether.redis.xrange("{tether}:audit")
    return [(e["actor"], e["action"], e["target"]) for _, e in entries]


async def get(h: Harness, path: str, staff: str = ADMIN) -> Any:
    r = await h.http.get(h.base + path, headers=h.token(staff))
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
async def test_only_admins_get_in(harness: Harness, method: str, path: str) -> None:
    h = harness
    r = await h.http.request(method, h.base + path, json={})
    assert r.status_code == 401
    for staff in ("lead-avery", "oncall-riley", "cofac-morgan"):
        r = await h.http.request(method, h.base + path, json={}, headers=h.token(staff))
        assert r.status_code == 403 and "admin" in r.text


async def test_the_list_flags_reviews_and_never_shows_code_words(harness: Harness) -> None:
    h = harness
    body = await get(h, "/api/admin/clients")
    assert body["today"] == "2027-01-15"  # the program's today (America/Chicago)
    rows = {c["id"]: c for c in body["clients"]}
    assert list(rows) == ["client-001", "client-002", "client-003"]
    casey = rows["client-001"]
    assert casey["name"] == "Casey Brightwater"
    assert casey["safety_plan"] == {"last_reviewed": "2026-10-01", "review_due": "2026-12-30",
                                    "overdue": True}
    assert casey["contacts"] == 1 and casey["has_code_words"] is True
    assert casey["consent_scopes"] == ["aftercare", "callback_ladder", "notify_crisis",
                                       "responders_may_call"]
    rowan = rows["client-002"]
    assert rowan["safety_plan"]["last_reviewed"] is None and not rowan["safety_plan"]["overdue"]
    assert rowan["contacts"] == 1 and rowan["consent_scopes"] == []
    assert not rows["client-003"]["has_code_words"] and rows["client-003"]["contacts"] == 0
    text = str(body)
    for secret in ("blue umbrella", "weather report", "Larkspur", "5550111", "Dana"):
        assert secret not in text
    reads = [a for a in await audit(h) if a[1] == "client.read:admin.list"]
    assert sorted(reads) == [(ADMIN, "client.read:admin.list", f"client-00{i}")
                             for i in (1, 2, 3)]


async def test_the_list_says_which_addresses_have_a_psap(harness: Harness) -> None:
    h = harness
    body = await get(h, "/api/admin/clients")
    assert [c["directory_match"] for c in body["clients"]] == [None, None, None]
    assert all(c["address_on_file"] for c in body["clients"])
    r = await h.http.put(f"{h.base}/api/admin/directory", json=example_directory(),
                         headers=h.token(ADMIN))
    assert r.status_code == 200, r.text
    body = await get(h, "/api/admin/clients")
    assert [c["directory_match"] for c in body["clients"]] == ["city", "city", "postal_code"]


async def test_reading_one_record_is_audited(harness: Harness) -> None:
    h = harness
    record = await get(h, "/api/admin/clients/client-001", CLINICAL_LEAD)
    assert "code_words" not in record and record["code_words_count"] == 1  # masked
    shown = await h.http.post(f"{h.base}/api/admin/clients/client-001/code-words",
                              headers=h.token(CLINICAL_LEAD))
    assert shown.json() == {"code_words": ["blue umbrella"]}
    assert (CLINICAL_LEAD, "client.read:admin.reveal-code-words", "client-001") in await audit(h)
    refused = await h.http.post(f"{h.base}/api/admin/clients/client-001/code-words",
                                headers=h.token(ADMIN))
    assert refused.status_code == 403
    assert record["location"]["street"] == "1200 Larkspur Lane"
    assert record["emergency_contacts"][0]["consent_given_on"] == "2026-09-14"
    assert (CLINICAL_LEAD, "client.read:admin", "client-001") in await audit(h)
    r = await h.http.get(f"{h.base}/api/admin/clients/client-999", headers=h.token(ADMIN))
    assert r.status_code == 404 and "client-999" in r.text


async def test_a_bad_edit_names_every_field_and_stores_nothing(harness: Harness) -> None:
    h = harness
    record = await get(h, "/api/admin/clients/client-001", CLINICAL_LEAD)
    bad = {**record, "id": "client-002", "callback_phone": "555-0111", "nickname": "C",
           "emergency_contacts": [{**record["emergency_contacts"][0], "phone": "x",
                                   "consent": ["callback_ladder", "gossip"]}],
           "safety_plan": {**record["safety_plan"], "last_reviewed": "yesterday"}}
    before = await audit(h)
    r = await h.http.put(f"{h.base}/api/admin/clients/client-001", json=bad,
                         headers=h.token(CLINICAL_LEAD))
    assert r.status_code == 400
    errors = r.json()["errors"]
    assert errors[0].startswith("id: must be 'client-001'")
    text = "\n".join(errors)
    for path in ("callback_phone: a phone number in international format",
                 "emergency_contacts.0.phone: a phone number",
                 "emergency_contacts.0.consent.1:", "safety_plan.last_reviewed:",
                 "nickname: not a field here"):
        assert path in text, text
    assert not [a for a in (await audit(h))[len(before):] if a[1] == "client.upsert"]
    after = await get(h, "/api/admin/clients/client-001", CLINICAL_LEAD)
    assert after == record


async def test_an_id_mismatch_alone_is_refused(harness: Harness) -> None:
    h = harness
    record = await get(h, "/api/admin/clients/client-002")
    r = await h.http.put(f"{h.base}/api/admin/clients/client-001", json=record,
                         headers=h.token(ADMIN))
    assert r.status_code == 400 and r.json()["errors"] == [
        "id: must be 'client-001', the client this page edits (the id in the path)"]
    assert (await get(h, "/api/admin/clients/client-001"))["name"] == "Casey Brightwater"


async def test_a_good_edit_is_saved_and_audited(harness: Harness) -> None:
    h = harness
    record = await get(h, "/api/admin/clients/client-001", CLINICAL_LEAD)
    fixed = {**record, "callback_phone": "+13125550119",
             "safety_plan": {**record["safety_plan"], "last_reviewed": "2027-01-14"}}
    r = await h.http.put(f"{h.base}/api/admin/clients/client-001", json=fixed,
                         headers=h.token(CLINICAL_LEAD))
    assert r.status_code == 200 and r.json() == {"saved": "client-001", "created": False,
                                                 "version": 2}
    assert (CLINICAL_LEAD, "client.upsert", "client-001") in await audit(h)
    assert (await get(h, "/api/admin/clients/client-001"))["callback_phone"] == "+13125550119"
    rows = (await get(h, "/api/admin/clients"))["clients"]
    assert rows[0]["safety_plan"]["overdue"] is False


async def test_a_new_client_is_created(harness: Harness) -> None:
    h = harness
    new = {"id": "client-004", "name": "Indigo Marsh", "callback_phone": "+13125550114"}
    r = await h.http.put(f"{h.base}/api/admin/clients/client-004", json=new,
                         headers=h.token(ADMIN))
    assert r.status_code == 201 and r.json()["created"] is True
    ids = [c["id"] for c in (await get(h, "/api/admin/clients"))["clients"]]
    assert ids == ["client-001", "client-002", "client-003", "client-004"]


@pytest.mark.parametrize("path", ["/api/admin/clients/client-001", "/api/admin/directory"])
async def test_text_that_is_not_json_is_a_400_naming_the_body(harness: Harness,
                                                             path: str) -> None:
    h = harness
    r = await h.http.put(h.base + path, content=b'{"id": "client-001",',
                         headers=h.token(ADMIN))
    assert r.status_code == 400 and r.json()["errors"][0].startswith("(body): not valid JSON")


async def test_the_directory_round_trip_keeps_000_and_is_audited(harness: Harness) -> None:
    h = harness
    assert await get(h, "/api/admin/directory") == {"countries": [], "regions": [],
                                                    "version": 0}
    r = await h.http.put(f"{h.base}/api/admin/directory", json=example_directory(),
                         headers=h.token(ADMIN))
    assert r.json() == {"saved": True, "countries": 3, "regions": 2, "version": 1}
    stored = await get(h, "/api/admin/directory")
    assert stored["countries"][1] == {**stored["countries"][1], "country": "AU",
                                      "emergency_numbers": ["000"]}
    assert stored["regions"][0]["psap_number"] == "+12175550142"
    assert (ADMIN, "directory.put", "directory") in await audit(h)


async def test_a_bad_directory_names_every_field_and_stores_nothing(harness: Harness) -> None:
    h = harness
    good = example_directory()
    await h.http.put(f"{h.base}/api/admin/directory", json=good, headers=h.token(ADMIN))
    bad = example_directory()
    bad["countries"][1]["emergency_numbers"] = [0]
    bad["regions"][0]["region"] = "Illinois"
    bad["regions"][1]["psap_number"] = "217-555-0146"
    del bad["regions"][1]["psap_name"]
    r = await h.http.put(f"{h.base}/api/admin/directory", json=bad, headers=h.token(ADMIN))
    assert r.status_code == 400
    text = "\n".join(r.json()["errors"])
    for path in ("countries.1.emergency_numbers.0: write the number in quotes",
                 "regions.0.region: use an ISO 3166-2 code like US-IL",
                 "regions.1.psap_number: a phone number in international format",
                 "regions.1.psap_name: required"):
        assert path in text, text
    stored = await get(h, "/api/admin/directory")
    assert stored["regions"][0]["region"] == "US-IL"
    assert stored["countries"][1]["emergency_numbers"] == ["000"]


async def test_on_call_falls_back_to_the_role(harness: Harness) -> None:
    body = await get(harness, "/api/admin/oncall")
    assert body["source"] == "role" and body["schedule"] == []
    assert body["on_call_now"] == [{"id": "oncall-riley", "name": "Riley Fenwick",
                                    "phone": "+13125550103"}]
    assert body["time_zone"] == "America/Chicago"
    assert body["local_time"] == "2027-01-15T02:00-06:00"


NIGHTS = {"staff": "lead-avery", "days": ["thu"], "start": "22:00", "end": "06:00"}


@pytest.mark.parametrize("overrides", [{"on_call_schedule": [NIGHTS]}])
async def test_on_call_follows_the_schedule(harness: Harness) -> None:
    h = harness
    body = await get(h, "/api/admin/oncall")  # Friday 02:00: Thursday's night shift
    assert body["source"] == "schedule"
    assert [s["id"] for s in body["on_call_now"]] == ["lead-avery"]
    assert body["schedule"] == [{**NIGHTS, "name": "Avery Lindqvist"}]
    await h.advance(4 * 3600)  # 06:00: the shift is over
    body = await get(h, "/api/admin/oncall")
    assert body["source"] == "role" and body["on_call_now"][0]["id"] == "oncall-riley"


async def test_bulk_import_still_works_with_paths(harness: Harness) -> None:
    h = harness
    bad = {"clients": [{"id": "c9", "name": "X", "callback_phone": "12"}]}
    r = await h.http.post(f"{h.base}/api/admin/clients", json=bad, headers=h.token(ADMIN))
    assert r.status_code == 400
    assert r.json()["errors"] == [
        "clients.0.callback_phone: a phone number in international format, like +12175550142"]


async def test_an_admin_sees_no_clinical_content_and_cannot_change_it(harness: Harness) -> None:
    h = harness
    record = await get(h, "/api/admin/clients/client-001")
    for clinical in ("code_words", "safety_plan", "considerations"):
        assert clinical not in record
    assert record["safety_plan_review"] == {"last_reviewed": "2026-10-01",
                                            "review_due": "2026-12-30"}
    assert "blue umbrella" not in str(record) and "overdose" not in str(record)
    r = await h.http.put(f"{h.base}/api/admin/clients/client-001",
                         json={**record, "code_words": ["red kite"]}, headers=h.token(ADMIN))
    assert r.status_code == 403 and "code_words" in r.text
    # the admin's own kind of edit is saved, and the clinical fields are kept as they were
    r = await h.http.put(f"{h.base}/api/admin/clients/client-001",
                         json={**record, "callback_phone": "+13125550119"},
                         headers=h.token(ADMIN))
    assert r.status_code == 200, r.text
    full = await get(h, "/api/admin/clients/client-001", CLINICAL_LEAD)
    assert full["callback_phone"] == "+13125550119"
    assert full["code_words_count"] == 1
    shown = await h.http.post(f"{h.base}/api/admin/clients/client-001/code-words",
                              headers=h.token(CLINICAL_LEAD))
    assert shown.json()["code_words"] == ["blue umbrella"]
    assert full["considerations"]["medical_notes"] == "asthma; inhaler in the kitchen"


# ---- one identity, one client ---------------------------------------------------------

EXPECTED = ["client-001", "client-002", "client-003"]


async def owner_of(h: Harness, display_name: str = "", email: str = "",
                   registrant: str = "") -> str | None:
    person = Person(participant="pu-x", display_name=display_name, email=email,
                    registrant_id=registrant)
    return await h.tether.clients.resolve(person, EXPECTED)


async def put(h: Harness, record: dict[str, Any]) -> Any:
    return await h.http.put(f"{h.base}/api/admin/clients/{record['id']}", json=record,
                            headers=h.token(ADMIN))


async def test_a_record_claiming_another_clients_identity_is_refused(harness: Harness) -> None:
    h = harness
    casey = await get(h, "/api/admin/clients/client-001")
    casey |= {"zoom_emails": ["casey@example.org"], "zoom_registrant_ids": ["reg-casey-1"]}
    assert (await put(h, casey)).status_code == 200  # its own identities: fine
    assert (await put(h, casey)).status_code == 200  # and again, unchanged
    rowan = await get(h, "/api/admin/clients/client-002")
    before = await audit(h)

    grabs = {"zoom_display_names": ["Rowan T", "casey  b"], "zoom_user_ids": ["zUidEmery0003"],
             "zoom_emails": ["Casey@Example.org"], "zoom_registrant_ids": ["reg-casey-1"]}
    r = await put(h, rowan | grabs)
    assert r.status_code == 409
    assert r.json()["errors"] == [
        'zoom_display_names: "casey  b" is already Casey Brightwater\'s',
        'zoom_emails: "Casey@Example.org" is already Casey Brightwater\'s',
        'zoom_registrant_ids: "reg-casey-1" is already Casey Brightwater\'s',
        'zoom_user_ids: "zUidEmery0003" is already Emery Holloway\'s']
    new = {"id": "client-004", "name": "Indigo Marsh", "callback_phone": "+13125550114",
           "zoom_display_names": ["Casey B"]}
    r = await put(h, new)
    assert r.status_code == 409 and "Casey Brightwater's" in r.json()["errors"][0]

    assert await get(h, "/api/admin/clients/client-002") == rowan  # nothing stored
    missing = await h.http.get(f"{h.base}/api/admin/clients/client-004", headers=h.token(ADMIN))
    assert missing.status_code == 404
    assert not [a for a in (await audit(h))[len(before):] if a[1] == "client.upsert"]
    assert await owner_of(h, display_name="Casey B") == "client-001"  # the index is unmoved
    assert await owner_of(h, email="casey@example.org") == "client-001"
    assert await owner_of(h, registrant="reg-casey-1") == "client-001"
    assert await h.tether.clients.by_zoom_user("zUidEmery0003") == "client-003"


async def test_an_import_with_a_taken_identity_stores_nothing(harness: Harness) -> None:
    h = harness
    fresh = {"id": "client-004", "name": "Indigo Marsh", "callback_phone": "+13125550114",
             "zoom_display_names": ["Indigo M"]}
    grab = {"id": "client-005", "name": "Sky Arden", "callback_phone": "+13125550115",
            "zoom_display_names": ["Rowan T"]}
    twin = {"id": "client-006", "name": "Lee Arden", "callback_phone": "+13125550116",
            "zoom_display_names": ["indigo m"]}
    r = await h.http.post(f"{h.base}/api/admin/clients", json={"clients": [fresh, grab, twin]},
                          headers=h.token(ADMIN))
    assert r.status_code == 409
    assert r.json()["errors"] == [
        'clients.1.zoom_display_names: "Rowan T" is already Rowan Tidewell\'s',
        'clients.2.zoom_display_names: "indigo m" is already Indigo Marsh\'s']
    ids = [c["id"] for c in (await get(h, "/api/admin/clients"))["clients"]]
    assert ids == EXPECTED  # not even the good record
    assert await owner_of(h, display_name="Rowan T") == "client-002"

    casey = await get(h, "/api/admin/clients/client-001", CLINICAL_LEAD)  # whole records
    rowan = await get(h, "/api/admin/clients/client-002", CLINICAL_LEAD)
    moved = [casey | {"zoom_display_names": ["Casey Brightwater"]},
             rowan | {"zoom_display_names": ["Rowan T", "Casey B"]}]
    r = await h.http.post(f"{h.base}/api/admin/clients", json={"clients": moved},
                          headers=h.token(CLINICAL_LEAD))
    assert r.status_code == 200  # one file may move a name from one client to another
    assert await owner_of(h, display_name="Casey B") == "client-002"
    assert await owner_of(h, display_name="Casey Brightwater") == "client-001"
