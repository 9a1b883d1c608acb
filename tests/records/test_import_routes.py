"""Importing people from a spreadsheet over real HTTP: all or nothing, every problem named
by its row, a client on file keeps its clinical sections, identity conflicts name the row."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx

from tests.conftest import Harness
from tests.records.test_admin_api import ADMIN, CLINICAL_LEAD, audit, get

URL = "/api/admin/import/clients"
HEADER = ("id,name,callback_phone,sms_consent,street,city,region,postal_code,country,"
          "zoom_display_names,contact1_name,contact1_phone,contact1_consent")
CASEY = ("client-101,Casey Example,(312) 555-0131,yes,12 Example Street,Springfield,IL,"
         "62701,US,Casey E,Dana Example,312-555-0132,"
         "may be called when we cannot reach the client;aftercare")
ROBIN = "client-102,Robin Example,312-555-0133,no,,,,,,Robin E,,,"


async def post(h: Harness, text: str | bytes, staff: str = ADMIN) -> httpx.Response:
    headers = {**h.token(staff), "Content-Type": "text/csv"}
    return await h.http.post(h.base + URL, content=text, headers=headers)


async def stored_ids(h: Harness) -> list[str]:
    return [c["id"] for c in (await get(h, "/api/admin/clients"))["clients"]]


async def test_a_good_file_is_stored(harness: Harness) -> None:
    h = harness
    r = await post(h, "\ufeff" + "\r\n".join((HEADER, CASEY, ROBIN, "")) + "\r\n")
    assert r.status_code == 200, r.text
    assert r.json() == {"imported": 2, "created": 2, "updated": 0}
    casey: dict[str, Any] = await get(h, "/api/admin/clients/client-101")
    assert casey["callback_phone"] == "+13125550131" and casey["sms_consent"] is True
    assert casey["location"]["street"] == "12 Example Street"
    assert casey["zoom_display_names"] == ["Casey E"]
    assert casey["emergency_contacts"][0]["consent"] == ["callback_ladder", "aftercare"]
    robin = await get(h, "/api/admin/clients/client-102")
    assert robin["location"] is None and robin["emergency_contacts"] == []
    upserts = [a for a in await audit(h) if a[1] == "client.upsert"]
    assert (ADMIN, "client.upsert", "client-101") in upserts


async def test_a_client_on_file_keeps_its_clinical_sections(harness: Harness) -> None:
    h = harness
    before = await get(h, "/api/admin/clients/client-001", CLINICAL_LEAD)
    text = ("id,name,callback_phone,zoom_display_names\n"
            "client-001,Casey Brightwater,312-555-0134,Casey B;Casey Brightwater\n"
            f"{ROBIN.split(',no,')[0]},Robin E\n")
    r = await post(h, text)
    assert r.status_code == 200, r.text
    assert r.json() == {"imported": 2, "created": 1, "updated": 1}
    after = await get(h, "/api/admin/clients/client-001", CLINICAL_LEAD)
    assert after["callback_phone"] == "+13125550134"
    assert after["version"] == before["version"] + 1
    assert after == before | {"callback_phone": "+13125550134",
                              "version": after["version"]}  # the rest as it was
    assert after["safety_plan"]["warning_signs"] and after["considerations"]["known_risks"]
    reads = [a for a in await audit(h) if a[1] == "client.read:admin.import"]
    assert [a[2] for a in reads] == ["client-001"]  # only records on file are read


async def test_one_bad_row_stores_nothing(harness: Harness) -> None:
    h = harness
    before = await audit(h)
    bad = ROBIN.replace("312-555-0133", "555-0133").replace(",no,", ",perhaps,")
    r = await post(h, "\n".join((HEADER, CASEY, bad, CASEY)))
    assert r.status_code == 400
    assert r.json()["errors"] == [
        "row 3, callback_phone: a phone number in international format, like +12175550142",
        "row 3, sms_consent: yes or no (empty means no)",
        "row 4: id client-101 is also on row 2"]
    assert await stored_ids(h) == ["client-001", "client-002", "client-003"]
    assert not [a for a in (await audit(h))[len(before):] if a[1] == "client.upsert"]


async def test_an_identity_conflict_names_the_row(harness: Harness) -> None:
    h = harness
    grab = ROBIN.replace("Robin E", "rowan t")
    r = await post(h, "\n".join((HEADER, CASEY, "", grab)))
    assert r.status_code == 409
    assert r.json()["errors"] == [
        'row 4, zoom_display_names: "rowan t" is already Rowan Tidewell\'s']
    assert await stored_ids(h) == ["client-001", "client-002", "client-003"]


async def test_problems_with_the_file_itself(harness: Harness) -> None:
    h = harness
    r = await post(h, "")
    assert r.status_code == 400 and r.json()["errors"][0].startswith("the file is empty")
    r = await post(h, "id,name,callback_phone\nc1,Zoë Example,+13125550135\n".encode("latin-1"))
    assert r.status_code == 400
    assert r.json()["errors"] == [
        'the file is not UTF-8 text; save it from the spreadsheet as "CSV UTF-8"']
    big = "id,name,callback_phone\n" + "c1,Casey Example,+13125550136\n" * 80_000
    r = await post(h, big)
    assert r.status_code == 413
    assert r.json()["errors"] == ["the file is larger than 2 MB; split it into smaller files"]

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it comes
        for _ in range(40):
            yield big[:100_000].encode()

    r = await h.http.post(h.base + URL, content=chunks(), headers=h.token(ADMIN))
    assert r.status_code == 413


async def test_only_admins_and_the_clinical_lead_import(harness: Harness) -> None:
    h = harness
    r = await h.http.post(h.base + URL, content=f"{HEADER}\n{CASEY}\n")
    assert r.status_code == 401
    for staff in ("lead-avery", "oncall-riley"):
        assert (await post(h, f"{HEADER}\n{CASEY}\n", staff)).status_code == 403
    assert (await post(h, f"{HEADER}\n{CASEY}\n", CLINICAL_LEAD)).status_code == 200


async def test_a_client_saved_during_the_import_keeps_that_save(harness: Harness) -> None:
    h = harness
    store = h.tether.clients
    read = store.get_many
    calls = 0

    async def read_then_someone_saves(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        found = await read(*args, **kwargs)
        calls += 1
        if calls == 1:  # a clinician saves Casey's record while the file is being read
            casey = found["client-001"][0]
            plan = casey.safety_plan.model_copy(update={"warning_signs": ["a new sign"]})
            await store.put(casey.model_copy(update={"safety_plan": plan}), actor="test")
        return found

    store.get_many = read_then_someone_saves  # type: ignore[method-assign]
    r = await post(h, "id,name,callback_phone\nclient-001,Casey Brightwater,312-555-0137\n")
    assert r.status_code == 200, r.text
    assert calls == 2
    after = await get(h, "/api/admin/clients/client-001", CLINICAL_LEAD)
    assert after["callback_phone"] == "+13125550137"
    assert after["safety_plan"]["warning_signs"] == ["a new sign"]


STAFF_URL = "/api/admin/import/staff"


async def test_a_staff_file_joins_the_staff_list_live_or_not_at_all(harness: Harness) -> None:
    h = harness
    text = "\r\n".join((
        "id,name,email,phone,roles,active",
        "cofac-kit,Kit Example,kit@example.org,(312) 555-0141,co-facilitator;on call,yes",
        "oncall-riley,Riley Fenwick,,312-555-0103,on call,no", ""))
    headers = {**h.token(ADMIN), "Content-Type": "text/csv"}
    r = await h.http.post(h.base + STAFF_URL, content=text, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json() == {"imported": 2, "created": 1, "updated": 1}
    kit = h.tether.config.staff_by_id("cofac-kit")  # live without a restart
    assert kit is not None and kit.phone == "+13125550141"
    riley = h.tether.config.staff_by_id("oncall-riley")
    assert riley is not None and not riley.active
    # Kit can be given a session at once; Riley, turned off, cannot
    assert (await h.http.post(f"{h.base}/auth/exchange", headers=h.token("cofac-kit"))
            ).status_code == 200

    twice = "\r\n".join(("id,name,email,phone,roles",
                         "cofac-lee,Lee Example,kit@example.org,312-555-0142,co-facilitator",
                         "cofac-max,Max Example,,312-555-014,co-facilitator", ""))
    r = await h.http.post(h.base + STAFF_URL, content=twice, headers=headers)
    assert r.status_code == 400
    assert any(e.startswith("row 3, phone:") for e in r.json()["errors"]), r.json()
    assert h.tether.config.staff_by_id("cofac-lee") is None  # nothing stored
