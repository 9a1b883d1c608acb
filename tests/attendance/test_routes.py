"""Attendance over real HTTP after a real Zoom session (signed webhooks through the edge,
the inbox and the applier; the record made by the job when the meeting ends): the group's
report as JSON and CSV in names and words, a session, a client's history; who may read
them; every read audited; kept for the records policy, holding no names."""

from __future__ import annotations

import csv
import io
from typing import Any

from sidecar.attendance.views import CSV_COLUMNS
from sidecar.infra import keys
from tests import zoom_payloads as zp
from tests.attendance.session import DAY, GROUP, meeting_path, whole_session
from tests.conftest import Harness

RANGE = {"group": GROUP, "from": DAY, "to": DAY}


async def get(h: Harness, path: str, staff: str = "lead-avery", **query: str) -> Any:
    return await h.http.get(f"{h.base}{path}", params=query, headers=h.token(staff))


async def test_the_group_report_in_names_and_words(harness: Harness) -> None:
    h = harness
    record = await whole_session(h)
    assert record.session_minutes == 90
    r = await get(h, "/api/attendance", **RANGE)
    assert r.status_code == 200, r.text
    [session] = r.json()["sessions"]
    assert session["group_name"] == "Tuesday evening group" and not session["running"]
    rows = {c["name"]: c for c in session["clients"]}
    casey, rowan, emery = (rows["Casey Brightwater"], rows["Rowan Tidewell"],
                           rows["Emery Holloway"])
    # 1:00 to 20:00 and 20:05 to 90:00
    assert casey["presence"] == "Present 89 of 90 minutes"
    assert casey["drops_words"] == "Dropped once; rejoined the group"
    assert rowan["presence"] == "Present 78 of 90 minutes" and rowan["drops_words"] == "No drops"
    assert rowan["checkin"] == "Checked in at 02:02" and rowan["checked_in_ms"]
    assert rowan["location"] == "Location from this session's check-in"
    assert rowan["callback"] == "Callback number confirmed"
    assert emery["presence"] == "Did not attend" and emery["checkin"] == "Did not check in"
    assert emery["location"] == "Location from the record on file"


async def test_the_csv_has_its_columns_and_no_ids(harness: Harness) -> None:
    h = harness
    await whole_session(h)
    r = await get(h, "/api/attendance.csv", **RANGE)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert f"attendance-{GROUP}-{DAY}-{DAY}.csv" in r.headers["content-disposition"]
    table = list(csv.reader(io.StringIO(r.text)))
    assert tuple(table[0]) == CSV_COLUMNS
    casey = next(row for row in table[1:] if row[2] == "Casey Brightwater")
    assert dict(zip(CSV_COLUMNS, casey, strict=True)) | {"joined": "", "left": ""} == {
        "date": DAY, "group": "Tuesday evening group", "client": "Casey Brightwater",
        "expected": "yes", "joined": "", "left": "", "minutes present": "89",
        "session minutes": "90", "attendance": "Present 89 of 90 minutes",
        "check-in": "Did not check in", "location": "Location from the record on file",
        "callback number": "Callback number not confirmed", "drops": "1",
        "drop outcomes": "Dropped once; rejoined the group"}
    assert len(table) == 4 and "client-00" not in r.text


async def test_who_may_read_and_each_read_audited(harness: Harness) -> None:
    h = harness
    await whole_session(h)
    assert (await get(h, "/api/attendance", "clinlead-sasha", **RANGE)).status_code == 200
    assert (await get(h, "/api/attendance", "cofac-morgan", **RANGE)).status_code == 200
    other = await get(h, "/api/attendance", "lead-quinn", **RANGE)  # another group's lead
    assert other.status_code == 403 and "not one you care for" in other.text
    assert (await get(h, "/api/attendance", "admin-jordan", **RANGE)).status_code == 403
    assert (await get(h, f"/api/meetings/{meeting_path()}/attendance",
                      "lead-quinn")).status_code == 403
    assert (await get(h, "/api/clients/client-001/attendance", "lead-quinn")).status_code == 403
    await get(h, "/api/attendance.csv", **RANGE)
    await get(h, f"/api/meetings/{meeting_path()}/attendance")
    await get(h, "/api/clients/client-001/attendance")
    audit = [e for _, e in await h.tether.redis.xrange(keys.AUDIT)]
    reads = [(e["actor"], e["action"], e["target"]) for e in audit
             if e["action"].startswith("attendance.read")]
    assert ("clinlead-sasha", "attendance.read:group", GROUP) in reads
    assert ("lead-avery", "attendance.read:csv", GROUP) in reads
    assert ("lead-avery", "attendance.read:session", zp.MEETING_UUID) in reads
    assert ("lead-avery", "attendance.read:client", "client-001") in reads
    assert not any(a == "lead-quinn" for a, _, _ in reads)
    names = [e for e in audit if e["action"] == f"client.read:attendance:{GROUP}"]
    assert names  # the names on the report are audited reads of the records


async def test_a_session_and_a_clients_history(harness: Harness) -> None:
    h = harness
    await whole_session(h)
    one = (await get(h, f"/api/meetings/{meeting_path()}/attendance")).json()
    assert len(one["clients"]) == 3 and one["session_minutes"] == 90
    history = (await get(h, "/api/clients/client-001/attendance")).json()
    assert history["name"] == "Casey Brightwater"
    [s] = history["sessions"]
    assert [c["name"] for c in s["clients"]] == ["Casey Brightwater"]


async def test_kept_for_the_retention_with_no_names(harness: Harness) -> None:
    h = harness
    await whole_session(h)
    r = h.tether.redis
    ttl = await r.ttl(keys.attendance_session(zp.MEETING_UUID))
    assert ttl > 2500 * 24 * 3600  # 2555 days by default, not the meeting's 30
    assert await r.ttl(keys.attendance_group(GROUP)) > 2500 * 24 * 3600
    stored = await r.get(keys.attendance_session(zp.MEETING_UUID))
    assert "Casey" not in stored and "Rowan" not in stored and "555" not in stored
    assert "Marigold" not in stored  # Rowan's check-in address stays in the check-in


async def test_a_bad_range_and_an_unknown_group_are_refused_in_words(harness: Harness
                                                                    ) -> None:
    h = harness
    bad = await get(h, "/api/attendance", group=GROUP, **{"from": "yesterday"})
    assert bad.status_code == 400 and "dates such as" in bad.text
    back = await get(h, "/api/attendance", group=GROUP, **{"from": "2027-02-01",
                                                           "to": "2027-01-01"})
    assert back.status_code == 400 and "on or before" in back.text
    assert (await get(h, "/api/attendance", group="999999999")).status_code == 404
