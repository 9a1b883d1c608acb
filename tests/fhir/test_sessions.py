"""An Encounter per client per attended session, over real HTTP and Redis: the ``since``
searchset and the bulk NDJSON export carry one for each client present in each ended session
(finished, virtual, joined to left, the minutes present, the client as subject, the same ids
every time), parsed back by ``fhir.resources``; a client who never came and a session still
running have none; only the group's clinicians see it, and every session read is audited."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.encounter import Encounter

from sidecar.attendance.model import SessionAttendance
from sidecar.infra import keys
from tests import zoom_payloads as zp
from tests.attendance.session import DAY, GROUP, whole_session
from tests.attendance.test_fhir import _incident
from tests.conftest import DATA_KEY, Harness
from tests.fhir.test_routes import MEDIA, export
from tests.test_cli import tether

SYSTEM = "urn:tether:harbor-light-evening-iop:session"


def encounters(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The bundle's Encounters by client id."""
    found = [e["resource"] for e in bundle.get("entry", [])]
    assert {r["resourceType"] for r in found} <= {"Encounter"}
    return {r["subject"]["identifier"]["value"]: r for r in found}


def iso(ms: int) -> str:
    from sidecar.fhir.refs import instant
    return instant(ms)


async def session_reads(h: Harness) -> list[dict[str, str]]:
    return [e for _, e in await h.tether.redis.xrange("{tether}:audit")
            if e["action"] == "attendance.read:fhir-export"]


async def test_each_client_present_has_a_finished_virtual_encounter(harness: Harness) -> None:
    h = harness
    record = await whole_session(h)
    r = await export(h, f"encounters?since={DAY}")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == MEDIA
    bundle = Bundle.model_validate_json(r.text)  # the served JSON parses as the model
    assert bundle.type == "searchset" and bundle.total == 2
    found = encounters(r.json())
    assert sorted(found) == ["client-001", "client-002"]  # Emery never came: none
    for client, resource in found.items():
        encounter = Encounter.model_validate(resource)
        row = next(c for c in record.clients if c.client == client)
        assert encounter.status == "finished" and encounter.class_fhir.code == "VR"
        assert resource["period"] == {"start": iso(row.joined_ms or 0),
                                      "end": iso(row.left_ms or 0)}
        assert resource["length"]["value"] == row.minutes_present
        assert resource["length"]["code"] == "min"
        assert resource["subject"]["identifier"]["system"].endswith(":client")
        assert resource["identifier"] == [{"system": SYSTEM,
                                           "value": f"{zp.MEETING_UUID}/{client}"}]
    assert found["client-001"]["length"]["value"] == 89  # a drop within the grace and back
    assert found["client-002"]["length"]["value"] < 89  # left early
    assert [x["target"] for x in await session_reads(h)] == [zp.MEETING_UUID]

    again = encounters((await export(h, f"encounters?since={DAY}")).json())
    assert {c: e["id"] for c, e in again.items()} == {c: e["id"] for c, e in found.items()}
    incident = await _incident(h, "client-001")  # the incident export names the same one
    single = (await export(h, f"incidents/{incident}")).json()
    [same] = [e["resource"] for e in single["entry"]
              if e["resource"]["resourceType"] == "Encounter"]
    assert same == found["client-001"]


async def test_since_groups_and_who_may_ask(harness: Harness) -> None:
    h = harness
    await whole_session(h)
    later = await export(h, "encounters?since=2027-01-16")
    assert later.status_code == 200 and later.json()["total"] == 0
    assert "entry" not in later.json()
    bad = await export(h, "encounters?since=last-tuesday")
    assert bad.status_code == 400 and "2026-12-01" in bad.text
    elsewhere = await export(h, f"encounters?since={DAY}", "lead-quinn")  # another group
    assert elsewhere.status_code == 200 and elsewhere.json()["total"] == 0
    assert (await export(h, f"encounters?since={DAY}", "cofac-morgan")).json()["total"] == 2
    assert (await export(h, f"encounters?since={DAY}", "admin-jordan")).status_code == 403
    assert (await export(h, f"encounters?since={DAY}", None)).status_code == 401


async def test_a_running_session_waits_and_older_records_are_found(harness: Harness) -> None:
    h = harness
    record = await whole_session(h)
    store = h.app[_attendance()].store
    running = SessionAttendance.model_validate(
        record.model_dump() | {"meeting": "running-session", "started_ms": record.started_ms
                               + 86_400_000, "ended_ms": None})
    await store.put(running, 2555, int(h.clock.now() * 1000))
    found = (await export(h, f"encounters?since={DAY}")).json()
    assert found["total"] == 2  # the running session's minutes are not final yet
    assert {e["resource"]["identifier"][0]["value"].rsplit("/", 1)[0]
            for e in found["entry"]} == {zp.MEETING_UUID}
    # a record made before the index of all sessions is found from its group's index
    await h.tether.redis.delete(keys.attendance_sessions())
    assert (await export(h, f"encounters?since={DAY}")).json()["total"] == 2
    assert GROUP == record.group


async def test_the_bulk_export_writes_the_sessions_encounters(harness: Harness, redis_url: str,
                                                              tmp_path: Path) -> None:
    h = harness
    await whole_session(h)
    out = tmp_path / "export.ndjson"
    env = {"TETHER_REDIS_URL": redis_url, "TETHER_DATA_KEY": DATA_KEY}
    done = await asyncio.to_thread(tether, "fhir", "export", "--since", DAY, "--out",
                                   str(out), env=env)
    assert done.returncode == 0, done.stderr
    assert "exported 0 incidents and 1 attended sessions as 2 FHIR resources" in done.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    for line in lines:
        Encounter.model_validate_json(line)
    parsed = [json.loads(line) for line in lines]
    served = (await export(h, f"encounters?since={DAY}")).json()
    assert parsed == [e["resource"] for e in served["entry"]]  # the same resources
    [read] = [x for x in await session_reads(h) if x["actor"] == "cli:fhir-export"]
    assert read["target"] == zp.MEETING_UUID and read["source"].startswith("shell:")


def _attendance() -> Any:
    from sidecar.attendance.deps import ATTENDANCE
    return ATTENDANCE
