"""Incidents over real HTTP and Redis: the safety check and its checklist, the emergency
protocol, contacts within consent (overrides with a reason, audited), Part 2 disclosures,
the warm handoff, closing with documentation, and follow-ups coming due on the fake clock."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
import yaml

from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import join_group
from tests.checkin.test_checkin import GOOD, link
from tests.conftest import ROOT, Harness, eventually

M = quote(zp.MEETING_UUID, safe="")
HIGH = {"1": True, "2": True, "3": True, "4": True, "5": False, "6": False}
IMMINENT = {"plan": True, "means": True, "intent": True, "timeframe": True}
DOCS = {"documentation": {"risk_assessment": "C-SSRS high, imminent; plan and means",
                          "interventions": "stayed on video; responders called; handoff",
                          "outcome": "transported to the ED; contact notified"}}


async def opened(h: Harness, client: str = "client-001") -> dict[str, Any]:
    await join_group(h)
    await h.settle()
    r = await h.http.post(f"{h.base}/api/meetings/{M}/clients/{client}/incidents",
                          json={"trigger": "code_word"}, headers=h.token())
    assert r.status_code == 201, r.text
    return dict(r.json())


async def post(h: Harness, path: str, body: dict[str, Any] | None = None,
               staff: str = "lead-avery") -> Any:
    return await h.http.post(f"{h.base}/api/incidents/{path}", json=body or {},
                             headers=h.token(staff))


async def test_a_screen_sets_the_level_and_the_checklist(harness: Harness) -> None:
    h = harness
    inc = await opened(h)
    again = await h.http.post(f"{h.base}/api/meetings/{M}/clients/client-001/incidents",
                              json={}, headers=h.token())
    assert again.status_code == 200 and again.json()["id"] == inc["id"]  # one open per client
    skipped = await post(h, f"{inc['id']}/screens",
                         {"answers": {"1": True, "2": False, "3": True, "6": False}})
    assert skipped.status_code == 400 and "only when item 2 is yes" in skipped.text
    r = await post(h, f"{inc['id']}/screens", {"answers": {"1": True, "2": True, "3": False,
                                                           "4": True, "5": False, "6": False}})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["level"] == "high"  # item 4 alone is high (Columbia), never moderate
    start = body["screens"][0]["at_ms"]
    assert body["checklist"] and all(c["due_ms"] >= start for c in body["checklist"])
    first = body["checklist"][0]["key"]
    ticked = (await post(h, f"{inc['id']}/checklist/{first}", {"note": "done"})).json()
    assert ticked["ticks"][first]["by"] == "lead-avery"
    kinds = await h.kinds()
    assert "incident.opened" in kinds and "incident.screened" in kinds
    screened = next(e for e in await h.timeline() if e["kind"] == "incident.screened")
    assert set(screened["data"]) == {"incident", "client", "tier", "level", "by"}  # no PHI


@pytest.mark.parametrize("overrides", [{"part2_program": True}])
async def test_the_emergency_protocol_end_to_end(harness: Harness) -> None:
    h = harness
    inc = await opened(h)
    token = (await link(h, "client-001")).split("t=", 1)[1]
    assert (await h.http.post(f"{h.base}/api/checkin?t={token}", json=GOOD)).status_code == 200
    r = await post(h, f"{inc['id']}/screens", {"answers": HIGH, "imminence": IMMINENT})
    assert r.json()["level"] == "emergency"
    started = (await post(h, f"{inc['id']}/emergency")).json()
    assert started["roles"] == {"keeps_client_visible": "lead-avery",
                                "calls_responders": "cofac-morgan"}
    entry = next(e for e in await h.timeline() if e["kind"] == "emergency.started")
    assert "the group" in entry["data"]["script"].lower()

    directory = yaml.safe_load((ROOT / "examples" / "directory.yaml").read_text())
    put = await h.http.put(f"{h.base}/api/admin/directory", content=json.dumps(
        directory, default=str), headers=h.token("admin-jordan"))
    assert put.status_code == 200, put.text
    card = (await h.http.get(f"{h.base}/api/incidents/{inc['id']}/card",
                             headers=h.token("cofac-morgan"))).json()
    springfield = next(r for r in directory["regions"] if "Springfield" in r.get("cities", []))
    assert springfield["psap_number"] in card["whom_to_call"]
    assert "your own 911 reaches your area" in card["whom_to_call"]
    assert card["responders"]["crisis_line"].startswith("988")
    assert card["on_call"] and card["on_call"][0]["phone"].startswith("+1")
    assert card["address"].startswith("48 Marigold Terrace") and card["room"] == "kitchen"
    assert card["callback_phone"] == "+13125550131" and card["who_is_present"] == "alone"
    assert "overdose" in card["known_risks"] and "Juniper" in card["pets"]
    assert "whom_to_call" in card

    step = await post(h, f"{inc['id']}/steps/call_responders", {"note": "EMS en route"},
                      staff="cofac-morgan")
    assert step.json()["steps"]["call_responders"]["by"] == "cofac-morgan"
    dana = await post(h, f"{inc['id']}/contacts",
                      {"contact": "Dana Brightwater", "purpose": "notify_crisis"})
    assert dana.status_code == 200 and dana.json()["phone"] == "+13125550121"

    # a Part 2 program may disclose only to medical personnel
    police = await post(h, f"{inc['id']}/disclosures", {
        "recipient_name": "Officer Vale", "recipient_affiliation": "Springfield PD",
        "recipient_kind": "law_enforcement", "nature_of_emergency": "imminent risk"})
    assert police.status_code == 403 and "2.51" in police.text
    ems = await post(h, f"{inc['id']}/disclosures", {
        "recipient_name": "Paramedic Reyes", "recipient_affiliation": "Sangamon EMS",
        "recipient_kind": "ems", "nature_of_emergency": "imminent suicide risk"})
    disclosure = ems.json()["disclosures"][0]
    assert disclosure["disclosed_by"] == "lead-avery" and disclosure["disclosed_at"]

    handoff = (await post(h, f"{inc['id']}/handoff", {"facility": "Memorial ED"})).json()
    assert "48 Marigold Terrace" in handoff["summary"] and "tier high" in handoff["summary"]
    assert "call responders" in handoff["summary"]


async def test_contacts_only_within_consent_or_with_a_reason(harness: Harness) -> None:
    h = harness
    inc = await opened(h, "client-002")  # Rowan: parent Sam has given no consent
    refused = await post(h, f"{inc['id']}/contacts",
                         {"contact": "Sam Tidewell", "purpose": "notify_crisis"})
    assert refused.status_code == 403
    assert refused.json()["reason"] == ("Rowan has not agreed that Sam may be told about a "
                                        "crisis. To contact Sam anyway, choose why and say so.")
    blank = await post(h, f"{inc['id']}/contacts", {
        "contact": "Sam Tidewell", "purpose": "notify_crisis",
        "override_basis": "duty_to_protect", "override_reason": "  "})
    assert blank.status_code == 400
    assert blank.text == "Say why you are contacting Sam without Rowan's agreement."
    ok = await post(h, f"{inc['id']}/contacts", {
        "contact": "Sam Tidewell", "purpose": "notify_crisis",
        "override_basis": "hipaa_164_512_j",
        "override_reason": "imminent risk; guardian of a minor must be told"})
    assert ok.status_code == 200 and ok.json()["override"] is True
    assert "notify_crisis" not in ok.json()["reason"] and "serious and imminent" in ok.json()[
        "reason"]
    audit = await h.tether.redis.xrange("{tether}:audit")
    actions = [f["action"] for _, f in audit]
    assert "contact.refused:notify_crisis" in actions
    assert "contact.override:notify_crisis" in actions


async def test_closing_schedules_followups_and_alerts_the_one_left_undone(
        harness: Harness) -> None:
    h = harness
    inc = await opened(h)
    await post(h, f"{inc['id']}/screens", {"answers": HIGH})
    early = await post(h, f"{inc['id']}/close", {"documentation": {"risk_assessment": ""}})
    assert early.status_code == 400  # documentation is required, field by field
    closed = (await post(h, f"{inc['id']}/close", DOCS)).json()
    kinds = [t["task"]["kind"] for t in closed["tasks"]]
    assert "caregiver_checkin" in kinds  # Dana consented to aftercare
    caregiver = next(t["task"] for t in closed["tasks"]
                     if t["task"]["kind"] == "caregiver_checkin")
    assert caregiver["due_ms"] - caregiver["not_before_ms"] == 48 * 3600_000  # 24 h to 72 h
    for kind in kinds:
        if kind != "team_huddle":
            done = await post(h, f"{inc['id']}/tasks/{kind}", {"note": "done"})
            assert done.status_code == 200
    late = await post(h, f"{inc['id']}/screens", {"answers": HIGH})
    assert late.status_code == 409 and "closed" in late.text

    h.clock.advance(8 * 24 * 3600)  # past every deadline
    await h.advance(1)

    async def overdue() -> list[dict[str, Any]]:
        return [e for e in await h.timeline() if e["kind"] == "alert.followup_overdue"]

    await eventually(overdue, timeout=10)
    await h.advance(1)
    alerts = await overdue()
    assert [a["data"]["task"] for a in alerts] == ["team_huddle"]  # only the undone one
    listed = (await h.http.get(f"{h.base}/api/incidents", headers=h.token())).json()
    assert listed["incidents"][0]["overdue"] == 1
    stream = await h.tether.redis.xrange("{tether}:incidents:alerts")
    assert [f["task"] for _, f in stream] == ["team_huddle"]


async def test_no_caregiver_followup_without_consent(harness: Harness) -> None:
    h = harness
    inc = await opened(h, "client-002")
    closed = (await post(h, f"{inc['id']}/close", DOCS)).json()
    assert "caregiver_checkin" not in [t["task"]["kind"] for t in closed["tasks"]]


async def test_a_follow_up_job_run_twice_alerts_once(harness: Harness) -> None:
    """A lease that lapses mid-run makes the engine run a job again: the overdue alert and
    its mark are one write, so the second run finds it alerted and says nothing more."""
    from sidecar.incidents.aftercare import AFTERCARE_KIND
    from sidecar.infra.jobs.model import ClaimedJob

    h = harness
    inc = await opened(h)
    closed = (await post(h, f"{inc['id']}/close", DOCS)).json()
    huddle = next(t["task"] for t in closed["tasks"] if t["task"]["kind"] == "team_huddle")
    h.clock.advance((huddle["due_ms"] - closed["closed_ms"]) / 1000 + 1)
    job = ClaimedJob(key=f"aftercare:{inc['id']}:team_huddle", kind=AFTERCARE_KIND,
                     payload={"incident": inc["id"], "task": "team_huddle"}, data={},
                     epoch="1", attempts=0, wake="1", due_ms=huddle["due_ms"],
                     claimed_at_ms=huddle["due_ms"])
    handler = h.tether.engine.handlers[AFTERCARE_KIND]
    outcomes = [(await handler(job)).outcome, (await handler(job)).outcome]  # type: ignore[union-attr]
    await h.advance(1)  # the engine's own worker runs it as well

    async def alerts() -> list[dict[str, Any]]:
        return [e for e in await h.timeline() if e["kind"] == "alert.followup_overdue"
                and e["data"]["task"] == "team_huddle"]

    await eventually(alerts, timeout=5)
    await h.advance(1)
    assert len(await alerts()) == 1 and outcomes.count("overdue") <= 1


async def test_the_emergency_starts_without_a_screen_only_with_a_reason(
        harness: Harness) -> None:
    h = harness
    inc = await opened(h)
    bare = await post(h, f"{inc['id']}/emergency")
    assert bare.status_code == 400
    assert bare.text.startswith("Say why the emergency protocol starts without a safety check")
    spaces = await post(h, f"{inc['id']}/emergency", {"reason": "   "})
    assert spaces.status_code == 400
    started = await post(h, f"{inc['id']}/emergency",
                         {"reason": "dropped from the call; cannot be screened"})
    assert started.status_code == 200, started.text
    body = started.json()
    assert body["level"] == "emergency" and body["screens"] == []
    assert body["emergency_reason"] == "dropped from the call; cannot be screened"
    entry = next(e for e in await h.timeline() if e["kind"] == "emergency.started")
    assert entry["data"]["reason"] == "dropped from the call; cannot be screened"
    again = await post(h, f"{inc['id']}/emergency")  # already running: no reason needed
    assert again.status_code == 200 and again.json()["emergency_ms"] == body["emergency_ms"]


async def test_after_a_screen_the_reason_is_optional(harness: Harness) -> None:
    h = harness
    inc = await opened(h)
    await post(h, f"{inc['id']}/screens", {"answers": HIGH})
    started = (await post(h, f"{inc['id']}/emergency")).json()
    assert started["emergency_reason"] is None and started["emergency_ms"]


async def test_blank_documentation_and_facility_are_refused_in_a_sentence(
        harness: Harness) -> None:
    h = harness
    inc = await opened(h)
    await post(h, f"{inc['id']}/screens", {"answers": HIGH})
    spaces = await post(h, f"{inc['id']}/close", {"documentation": {
        "risk_assessment": "   ", "interventions": "stayed on video", "outcome": "\n\t"}})
    assert spaces.status_code == 400
    assert spaces.text == ("Write the risk assessment, the outcome before closing: each needs "
                           "a sentence, not just spaces.")
    facility = await post(h, f"{inc['id']}/handoff", {"facility": "  "})
    assert facility.status_code == 400
    assert facility.text == "Name the receiving facility or team for the handoff."
    assert (await post(h, f"{inc['id']}/handoff", {})).status_code == 400
    still_open = (await h.http.get(f"{h.base}/api/incidents/{inc['id']}",
                                   headers=h.token())).json()
    assert still_open["closed_ms"] is None and still_open["handoff"] is None
    closed = (await post(h, f"{inc['id']}/close", {"documentation": {
        "risk_assessment": "  high  ", "interventions": "EMS", "outcome": "safe"}})).json()
    assert closed["documentation"]["risk_assessment"] == "high"
    kinds = await h.kinds()
    assert "incident.closed" in kinds


async def test_one_task_list_where_checklist_and_steps_overlap(harness: Harness) -> None:
    h = harness
    inc = await opened(h)
    await post(h, f"{inc['id']}/screens", {"answers": HIGH, "imminence": IMMINENT})
    before = (await post(h, f"{inc['id']}/checklist/stay_with_client")).json()
    assert [r["key"] for r in before["to_do"]].count("stay_with_client") == 1
    started = (await post(h, f"{inc['id']}/emergency")).json()
    keys = [r["key"] for r in started["to_do"]]
    assert len(keys) == len(set(keys))
    assert {"keep_visible", "call_responders", "notify_contact", "warm_handoff"} <= set(keys)
    assert not {"stay_with_client", "emergency_protocol", "notify_emergency_contact"} & set(keys)
    assert started["steps"]["keep_visible"]["by"] == "lead-avery"  # ticked before, carried
    stepped = (await post(h, f"{inc['id']}/steps/notify_contact", staff="cofac-morgan")).json()
    assert stepped["ticks"]["notify_emergency_contact"]["by"] == "cofac-morgan"
    ticked = (await post(h, f"{inc['id']}/checklist/emergency_protocol")).json()
    assert ticked["steps"]["call_responders"]["by"] == "lead-avery"
    row = next(r for r in ticked["to_do"] if r["key"] == "notify_contact")
    assert row["kind"] == "step" and row["done"]["by"] == "cofac-morgan"
    assert [r["due_ms"] for r in ticked["to_do"]] == sorted(r["due_ms"] for r in ticked["to_do"])


async def test_the_incident_page_names_the_people(harness: Harness) -> None:
    h = harness
    inc = await opened(h)
    page = await h.http.get(f"{h.base}/incidents/{inc['id']}")
    assert page.status_code == 200 and "/static/incident-page.js" in page.text
    r = await h.http.get(f"{h.base}/api/incidents/{inc['id']}/people",
                         headers=h.token("oncall-riley"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["client"] == {"id": "client-001", "name": "Casey Brightwater"}
    assert body["group"] == "Tuesday evening group" and body["meeting"] == zp.MEETING_UUID
    assert body["staff"]["cofac-morgan"] == "Morgan Ostrander"
    other = await h.http.get(f"{h.base}/api/incidents/{inc['id']}/people",
                             headers=h.token("lead-quinn"))
    assert other.status_code == 403
