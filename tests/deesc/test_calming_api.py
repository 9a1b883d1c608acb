"""Calming tools and harm-reduction agreements over real HTTP and Redis on the fake clock:
a use recorded on the timeline and the open incident, an agreement made (terms sealed),
extended, ended, and its reminder firing once when it runs out, even with two workers."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import quote

from sidecar.incidents.agreement_reminder import AGREEMENT_KIND, job_key
from sidecar.infra import keys
from sidecar.infra.jobs import JobEngine, read_payload
from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import join_group
from tests.conftest import Harness, eventually

M = quote(zp.MEETING_UUID, safe="")
TERMS = ["Stay on video together", "Lock away medicines"]
NOTE = "Pills go in the lockbox on the Larkspur Lane shelf"


async def post(h: Harness, path: str, body: dict[str, Any], staff: str = "lead-avery") -> Any:
    return await h.http.post(f"{h.base}/api/meetings/{M}{path}", json=body,
                             headers=h.token(staff))


async def entries(h: Harness, kind: str) -> list[dict[str, Any]]:
    return [e for e in await h.timeline() if e["kind"] == kind]


async def listed(h: Harness, staff: str = "lead-avery") -> dict[str, Any]:
    r = await h.http.get(f"{h.base}/api/meetings/{M}/agreements", headers=h.token(staff))
    assert r.status_code == 200, r.text
    return dict(r.json())


async def made(h: Harness, minutes: int = 20) -> dict[str, Any]:
    await join_group(h)
    await h.settle()
    r = await post(h, "/clients/client-001/agreements",
                   {"terms": TERMS, "note": NOTE, "minutes": minutes})
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_the_tools_are_the_programs_and_a_use_is_recorded(harness: Harness) -> None:
    h = harness
    tools = (await h.http.get(f"{h.base}/api/deescalation", headers=h.token())).json()
    box = next(x for x in tools["grounding"] if x["title"] == "Box breathing")
    assert [s["words"] for s in box["steps"]] == ["Breathe in", "Hold", "Breathe out", "Hold"]
    assert box["rounds"] == 4 and tools["agreement_terms"][0] == "Stay on video together"
    await join_group(h)
    await h.settle()
    inc = await h.http.post(f"{h.base}/api/meetings/{M}/clients/client-001/incidents",
                            json={"trigger": "clinician"}, headers=h.token())
    r = await post(h, "/clients/client-001/calming-uses",
                   {"kind": "grounding", "title": "box breathing", "rounds": 4})
    assert r.status_code == 201, r.text
    assert r.json() == {"recorded": "Used: Box breathing, 4 rounds", "incident": inc.json()["id"]}
    (used,) = await entries(h, "calming.used")
    assert used["data"] == {"client": "client-001", "group": "grounding",
                            "title": "Box breathing", "rounds": 4, "by": "lead-avery"}
    report = (await h.http.get(f"{h.base}/api/incidents/{inc.json()['id']}",
                               headers=h.token())).json()
    line = next(e for e in report["log"] if e["what"] == "calming tool used")
    assert line["detail"] == {"tool": "Box breathing", "rounds": 4}
    script = await post(h, "/clients/client-002/calming-uses",
                        {"kind": "name_and_normalise", "title": "It will ease"})
    assert script.json() == {"recorded": "Used: It will ease", "incident": None}
    unknown = await post(h, "/clients/client-001/calming-uses",
                         {"kind": "targets", "title": "Run a marathon"})
    assert unknown.status_code == 400 and "no target called 'Run a marathon'" in unknown.text
    stranger = await post(h, "/clients/client-009/calming-uses",
                          {"kind": "targets", "title": "A glass of water"})
    assert stranger.status_code in (403, 404)


async def test_an_agreement_is_sealed_counts_down_and_reminds_once(harness: Harness) -> None:
    h = harness
    a = await made(h)
    assert a["state"] == "running" and a["terms"] == TERMS and a["note"] == NOTE
    assert a["ends_ms"] - a["made_ms"] == 20 * 60_000 and a["made_by_name"] == "Avery Lindqvist"
    raw = await h.tether.redis.hgetall(keys.agreements(zp.MEETING_UUID))
    assert NOTE not in json.dumps(raw) and "Lock away" not in json.dumps(raw)  # sealed
    job = await h.tether.redis.hgetall(keys.job(job_key(zp.MEETING_UUID, a["id"])))
    assert read_payload(job) == {"meeting": zp.MEETING_UUID, "agreement": a["id"]}
    (line,) = await entries(h, "agreement.made")
    assert "Lock" not in json.dumps(line) and line["data"]["minutes"] == 20
    co = await listed(h, "cofac-morgan")  # the co-facilitator sees it too
    assert co["agreements"][0]["id"] == a["id"] and co["agreements"][0]["terms"] == TERMS

    await h.advance(19 * 60)
    assert not await entries(h, "agreement.reminder")
    await h.advance(61)
    await eventually(lambda: entries(h, "agreement.reminder"))
    await h.advance(5)
    (reminder,) = await entries(h, "agreement.reminder")
    assert reminder["data"]["agreement"] == a["id"] and reminder["data"]["minutes"] == 20
    assert (await listed(h))["agreements"][0]["state"] == "due"

    done = await post(h, f"/agreements/{a['id']}/end", {"how": "checked_in"})
    assert done.status_code == 200 and done.json()["state"] == "ended"
    again = await post(h, f"/agreements/{a['id']}/end", {"how": "early"})
    assert again.status_code == 409 and "already ended" in again.text
    whats = [x["what"] for x in done.json()["history"]]
    assert whats == ["made", "reminded", "ended"]


async def test_extended_then_ended_early_never_reminds(harness: Harness) -> None:
    h = harness
    a = await made(h, minutes=10)
    await h.advance(9 * 60)
    r = await post(h, f"/agreements/{a['id']}/extend", {"minutes": 15}, staff="cofac-morgan")
    assert r.status_code == 200, r.text
    assert r.json()["ends_ms"] == a["ends_ms"] + 15 * 60_000 and r.json()["minutes"] == 25
    await h.advance(2 * 60)  # past the first end: the job waits for the new one
    assert not await entries(h, "agreement.reminder")
    ended = await post(h, f"/agreements/{a['id']}/end", {})
    assert ended.json()["ended_how"] == "early"
    await h.advance(30 * 60)
    await h.advance(1)
    assert not await entries(h, "agreement.reminder")
    kinds = [e["kind"] for e in await h.timeline() if e["kind"].startswith("agreement.")]
    assert kinds == ["agreement.made", "agreement.extended", "agreement.ended"]
    late = await post(h, f"/agreements/{a['id']}/extend", {"minutes": 5})
    assert late.status_code == 409 and "make a new one" in late.text


async def test_an_agreement_on_an_incident_is_in_its_report(harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.settle()
    inc = (await h.http.post(f"{h.base}/api/meetings/{M}/clients/client-001/incidents",
                             json={"trigger": "clinician"}, headers=h.token())).json()
    a = (await post(h, "/clients/client-001/agreements",
                    {"terms": TERMS, "minutes": 5})).json()
    await post(h, f"/agreements/{a['id']}/extend", {"minutes": 5})
    await h.advance(10 * 60 + 1)
    await eventually(lambda: entries(h, "agreement.reminder"))
    await post(h, f"/agreements/{a['id']}/end", {"how": "checked_in"})
    report = (await h.http.get(f"{h.base}/api/incidents/{inc['id']}", headers=h.token())).json()
    log = [(e["what"], e["detail"]) for e in report["log"] if "agreement" in e["what"]]
    assert log == [
        ("agreement made", {"terms": "Stay on video together; Lock away medicines",
                            "minutes": 5}),
        ("agreement extended", {"added_minutes": 5, "minutes": 10}),
        ("agreement ran out", {"minutes": 10,
                               "terms": "Stay on video together; Lock away medicines"}),
        ("agreement ended", {"how": "checked in after it ended"})]


async def test_refusals_are_sentences(harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.settle()
    empty = await post(h, "/clients/client-001/agreements", {"terms": [], "minutes": 20})
    assert empty.status_code == 400 and "Say what was agreed" in empty.text
    zero = await post(h, "/clients/client-001/agreements", {"terms": TERMS, "minutes": 0})
    assert zero.status_code == 400 and "at least 1 minute" in zero.text
    long = await post(h, "/clients/client-001/agreements",
                      {"terms": TERMS, "note": "x" * 600, "minutes": 20})
    assert long.status_code == 400 and "keep them to 500 or fewer" in long.text
    missing = await post(h, "/agreements/nope/end", {})
    assert missing.status_code == 404


async def test_the_reminder_fires_once_with_two_workers(harness: Harness) -> None:
    """A second worker on the same store claims from the same queue; the reminder's mark
    and its timeline entry are one write, so running it on both (and twice by hand)
    reminds once."""
    h = harness
    a = await made(h, minutes=1)
    handler = h.tether.engine.handlers[AGREEMENT_KIND]
    other = JobEngine(h.tether.redis, h.clock, {AGREEMENT_KIND: handler}, owner="second")
    h.clock.advance(61)
    await asyncio.gather(other.run_due(), other.run_due(), h.advance(0))
    await other.drain()
    await eventually(lambda: entries(h, "agreement.reminder"))
    from sidecar.infra.jobs.model import ClaimedJob

    job = ClaimedJob(key=job_key(zp.MEETING_UUID, a["id"]), kind=AGREEMENT_KIND,
                     payload={"meeting": zp.MEETING_UUID, "agreement": a["id"]}, data={},
                     epoch="1", attempts=0, wake="1", due_ms=a["ends_ms"],
                     claimed_at_ms=a["ends_ms"])
    outcomes = [(await handler(job)).outcome for _ in range(2)]  # type: ignore[union-attr]
    await h.advance(2)
    assert outcomes == ["already reminded", "already reminded"]
    assert len(await entries(h, "agreement.reminder")) == 1
