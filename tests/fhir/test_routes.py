"""The FHIR export over real HTTP and Redis: a collection Bundle for one incident and a
searchset for the incidents since a time, parsed back by ``fhir.resources``; only the
clinical lead and the group's facilitators may call them, and every read is audited."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.flag import Flag
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from tests.conftest import DATA_KEY, Harness
from tests.incidents.test_incidents import HIGH, opened, post
from tests.test_cli import tether

MEDIA = "application/fhir+json"


async def screened(h: Harness) -> str:
    inc = await opened(h)
    r = await post(h, f"{inc['id']}/screens", {"answers": HIGH})
    assert r.status_code == 200, r.text
    return str(inc["id"])


async def export(h: Harness, path: str, staff: str | None = "lead-avery") -> Any:
    headers = h.token(staff) if staff else {}
    return await h.http.get(f"{h.base}/api/fhir/{path}", headers=headers)


async def reads(h: Harness) -> list[dict[str, str]]:
    return [e for _, e in await h.tether.redis.xrange("{tether}:audit")
            if e["action"] == "incident.read:fhir-export"]


def kinds(bundle: dict[str, Any]) -> list[str]:
    return [e["resource"]["resourceType"] for e in bundle["entry"]]


async def test_an_incident_exports_as_a_valid_r4_collection(harness: Harness) -> None:
    h = harness
    incident = await screened(h)
    r = await export(h, f"incidents/{incident}", "cofac-morgan")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == MEDIA
    bundle = Bundle.model_validate_json(r.text)  # the served JSON parses as the model
    assert bundle.type == "collection"
    data = r.json()
    assert kinds(data) == ["QuestionnaireResponse", "Observation", "Flag"]
    by_kind = {e["resource"]["resourceType"]: e["resource"] for e in data["entry"]}
    QuestionnaireResponse.model_validate(by_kind["QuestionnaireResponse"])
    Observation.model_validate(by_kind["Observation"])
    Flag.model_validate(by_kind["Flag"])
    assert by_kind["Flag"]["status"] == "active"
    assert by_kind["QuestionnaireResponse"]["author"]["identifier"]["value"] == "lead-avery"
    assert by_kind["Observation"]["valueString"] == "High suicide risk"
    assert "Casey" not in r.text and "Brightwater" not in r.text  # the id, never the name


async def test_each_read_is_audited_with_who_and_from_where(harness: Harness) -> None:
    h = harness
    incident = await screened(h)
    assert (await export(h, f"incidents/{incident}", "clinlead-sasha")).status_code == 200
    [read] = await reads(h)
    assert read["actor"] == "clinlead-sasha" and read["target"] == incident
    assert read["source"] == "127.0.0.1"


async def test_who_may_export(harness: Harness) -> None:
    h = harness
    incident = await screened(h)
    for path in (f"incidents/{incident}", "incidents?since=2026-01-01"):
        assert (await export(h, path, None)).status_code == 401, path  # unsigned
        refused = await export(h, path, "admin-jordan")  # not a clinical role
        assert refused.status_code == 403 and "role" in refused.text, path
    other = await export(h, f"incidents/{incident}", "lead-quinn")  # another group's lead
    assert other.status_code == 403
    assert await reads(h) == []  # a refusal reads nothing
    assert (await export(h, "incidents/nosuch0000")).status_code == 404


async def test_since_gives_a_searchset_of_the_groups_cared_for(harness: Harness) -> None:
    h = harness
    incident = await screened(h)
    r = await export(h, "incidents?since=2026-12-01")
    assert r.status_code == 200 and r.headers["content-type"].startswith(MEDIA)
    bundle = Bundle.model_validate_json(r.text)
    assert bundle.type == "searchset" and bundle.total == 3
    assert {e["search"]["mode"] for e in r.json()["entry"]} == {"match"}
    assert [x["target"] for x in await reads(h)] == [incident]
    elsewhere = await export(h, "incidents?since=2026-12-01", "lead-quinn")
    assert elsewhere.status_code == 200 and "entry" not in elsewhere.json()
    assert elsewhere.json()["total"] == 0
    later = await export(h, "incidents?since=2099-01-01")
    assert later.json()["total"] == 0


async def test_a_since_that_is_no_date_is_refused_in_words(harness: Harness) -> None:
    r = await export(harness, "incidents?since=last-tuesday")
    assert r.status_code == 400 and "2026-12-01" in r.text


async def test_the_bulk_export_writes_one_valid_resource_a_line(harness: Harness,
                                                               redis_url: str,
                                                               tmp_path: Path) -> None:
    h = harness
    incident = await screened(h)
    out = tmp_path / "incidents.ndjson"
    env = {"TETHER_REDIS_URL": redis_url, "TETHER_DATA_KEY": DATA_KEY}
    done = await asyncio.to_thread(tether, "fhir", "export", "--since", "2026-12-01",
                                   "--out", str(out), env=env)
    assert done.returncode == 0, done.stderr
    assert "exported 1 incidents and 0 attended sessions as 3 FHIR resources" in done.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    parsed = [json.loads(line) for line in lines]
    assert [p["resourceType"] for p in parsed] == ["QuestionnaireResponse", "Observation",
                                                   "Flag"]
    models = {"QuestionnaireResponse": QuestionnaireResponse, "Observation": Observation,
              "Flag": Flag}
    for line, p in zip(lines, parsed, strict=True):
        models[p["resourceType"]].model_validate_json(line)
    served = (await export(h, f"incidents/{incident}")).json()
    assert parsed == [e["resource"] for e in served["entry"]]  # the same resources
    [read] = [x for x in await reads(h) if x["actor"] == "cli:fhir-export"]
    assert read["target"] == incident and read["source"].startswith("shell:")


async def test_the_bulk_export_refuses_a_bad_date(tmp_path: Path) -> None:
    done = await asyncio.to_thread(tether, "fhir", "export", "--since", "soon", "--out",
                                   str(tmp_path / "x.ndjson"))
    assert done.returncode == 2 and "--since" in done.stderr
