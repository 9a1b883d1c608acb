"""Proactive check-ins over real HTTP and Redis on the fake clock: offered after a moderate
screen for tomorrow at 10:00 in the program's zone, due (the clinician told and texted),
overdue (an alert like the other follow-ups), the outcome on the incident and its report,
a text check-in matched by the client's reply, and refusals."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sidecar.infra import keys
from sidecar.infra.jobs import read_payload
from sidecar.infra.telephony.signature import twilio_signature
from tests.conftest import TWILIO_TOKEN, Harness, eventually
from tests.incidents.test_incidents import opened, post

MODERATE = {"1": True, "2": True, "3": True, "4": False, "5": False, "6": False}
ZONE = ZoneInfo("America/Chicago")  # examples/program.yaml
CASEY_PHONE, AVERY_PHONE = "+13125550111", "+13125550101"
PHI = ("Casey", "Brightwater", "Larkspur")


async def checkins(h: Harness, incident: str, staff: str = "lead-avery") -> Any:
    r = await h.http.get(f"{h.base}/api/incidents/{incident}/check-ins", headers=h.token(staff))
    assert r.status_code == 200, r.text
    return r.json()


async def kinds(h: Harness, kind: str) -> list[dict[str, Any]]:
    return [e for e in await h.timeline() if e["kind"] == kind]


async def screened(h: Harness, client: str = "client-001") -> str:
    inc = await opened(h, client)
    assert (await checkins(h, inc["id"]))["offered"] is False  # not screened yet
    r = await post(h, f"{inc['id']}/screens", {"answers": MODERATE})
    assert r.json()["level"] == "moderate"
    return str(inc["id"])


async def until(h: Harness, due_ms: int, extra_s: float = 1) -> None:
    """Move the fake clock just past ``due_ms``, then let the engine run."""
    await h.advance(max(0.0, (due_ms - h.clock.now() * 1000) / 1000) + extra_s)


async def test_a_moderate_screen_offers_tomorrow_at_ten(harness: Harness) -> None:
    h = harness
    incident = await screened(h)
    got = await checkins(h, incident)
    tomorrow = datetime.fromtimestamp(h.clock.now(), tz=ZONE).date() + timedelta(days=1)
    assert got["offered"] is True and got["check_ins"] == []
    assert got["suggested_local"] == f"{tomorrow.isoformat()}T10:00"
    assert got["time_zone"] == "America/Chicago"
    assert {"id": "lead-avery", "name": "Avery Lindqvist"} in got["clinicians"]
    assert all(c["id"] != "admin-jordan" for c in got["clinicians"])


async def test_a_call_comes_due_then_overdue_and_its_outcome_is_recorded(
        harness: Harness) -> None:
    h = harness
    incident = await screened(h)
    r = await post(h, f"{incident}/check-ins", {"way": "call"})
    assert r.status_code == 201, r.text
    (line,) = r.json()["check_ins"]
    assert line["state"] == "scheduled" and line["assignee_name"] == "Avery Lindqvist"
    assert line["due_local"].endswith("T10:00")
    job = await h.tether.redis.hgetall(keys.job(f"proactive:{incident}:{line['id']}"))
    assert set(read_payload(job)) == {"incident", "checkin"}  # ids only

    await until(h, line["due_ms"])
    await eventually(lambda: _has(h, "alert.checkin_due"))
    (due,) = await kinds(h, "alert.checkin_due")
    assert due["data"]["assignee"] == "lead-avery" and due["data"]["way"] == "call"
    nudge = [m for m in h.standin.messages if m["to"] == AVERY_PHONE]
    assert nudge and not any(p in nudge[0]["body"] for p in PHI)  # no name in a text
    assert (await checkins(h, incident))["check_ins"][0]["state"] == "due"
    view = (await h.http.get(f"{h.base}/api/incidents/{incident}", headers=h.token())).json()
    (todo,) = [r for r in view["to_do"] if r["kind"] == "checkin"]  # in the incident's list
    assert todo["key"] == line["id"] and todo["assignee"] == "lead-avery"
    assert not await kinds(h, "alert.followup_overdue")

    await until(h, line["due_ms"] + 120 * 60_000)  # the default window: two hours
    await eventually(lambda: _has(h, "alert.followup_overdue"))
    (late,) = await kinds(h, "alert.followup_overdue")
    assert late["data"]["task"] == "proactive_checkin" and late["data"]["title"] == "Check-in call"
    stream = await h.tether.redis.xrange(keys.INCIDENT_ALERTS)
    assert any(f.get("checkin") == line["id"] for _, f in stream)
    listed = (await h.http.get(f"{h.base}/api/incidents", headers=h.token())).json()
    assert next(i for i in listed["incidents"] if i["id"] == incident)["overdue"] == 1
    assert (await checkins(h, incident))["check_ins"][0]["state"] == "overdue"

    done = await post(h, f"{incident}/check-ins/{line['id']}/outcome",
                      {"result": "needs_follow_up", "note": "Rough night; booked a session."})
    assert done.status_code == 200, done.text
    assert done.json()["check_ins"][0]["state"] == "done"
    again = await post(h, f"{incident}/check-ins/{line['id']}/outcome", {"result": "okay"})
    assert again.status_code == 409 and "already" in again.text
    report = (await h.http.get(f"{h.base}/api/incidents/{incident}", headers=h.token())).json()
    assert report["proactive"][0]["outcome"]["result"] == "needs_follow_up"
    assert not [r for r in report["to_do"] if r["kind"] == "checkin"]
    words = [e for e in report["log"] if e["what"] == "check-in outcome"]
    assert words[0]["detail"]["result"] == "reached, needs follow-up"
    assert words[0]["by"] == "lead-avery"
    assert await kinds(h, "incident.checkin_outcome")
    audit = await h.tether.redis.xrange(keys.AUDIT)
    actions = [f.get("action") for _, f in audit]
    assert "incident.checkin_schedule" in actions and "incident.checkin_outcome" in actions


async def _has(h: Harness, kind: str) -> bool:
    return bool(await kinds(h, kind))


async def test_an_outcome_in_time_means_no_overdue_alert(harness: Harness) -> None:
    h = harness
    inc = await opened(h)  # a clinician's choice: no screen needed
    at = datetime.fromtimestamp(h.clock.now() + 3600, tz=ZONE).strftime("%Y-%m-%dT%H:%M")
    r = await post(h, f"{inc['id']}/check-ins", {"at": at, "assignee": "cofac-morgan"})
    (line,) = r.json()["check_ins"]
    assert line["assignee"] == "cofac-morgan" and line["due_local"] == at
    ok = await post(h, f"{inc['id']}/check-ins/{line['id']}/outcome",
                    {"result": "not_reached", "note": "Voicemail."}, staff="cofac-morgan")
    assert ok.status_code == 200
    await until(h, line["due_ms"] + 3 * 3600_000)
    await h.advance(1)
    assert not await kinds(h, "alert.followup_overdue")
    assert not await kinds(h, "alert.checkin_due")


async def _reply(h: Harness, body: str) -> str:
    url = f"{h.tether.settings.tether_public_url}/webhooks/telephony/sms"
    form = {"MessageSid": "SM" + "1" * 32, "From": CASEY_PHONE, "To": "+13125550199",
            "Body": body}
    r = await h.http.post(url, data=form, headers={
        "X-Twilio-Signature": twilio_signature(TWILIO_TOKEN, url, form)})
    assert r.status_code == 200
    return r.text


async def test_a_text_check_in_matches_the_replies(harness: Harness) -> None:
    h = harness
    incident = await screened(h)
    first = (await post(h, f"{incident}/check-ins", {"way": "text"})).json()["check_ins"][0]
    await until(h, first["due_ms"])

    async def texted() -> bool:
        return any(m["to"] == CASEY_PHONE for m in h.standin.messages)

    await eventually(texted)
    sent = next(m for m in h.standin.messages if m["to"] == CASEY_PHONE)
    assert sent["body"].startswith("Your care team is checking in. Reply 1")
    assert "Thank you" in await _reply(h, "1")

    async def okay() -> bool:
        return (await checkins(h, incident))["check_ins"][0]["state"] == "done"

    await eventually(okay)
    line = (await checkins(h, incident))["check_ins"][0]
    assert line["reply"] == "ok" and line["outcome"]["by"] == "client"
    assert line["outcome"]["result"] == "okay"
    audit = await h.tether.redis.xrange(keys.AUDIT)
    assert any(f.get("action") == "incident.checkin_reply:ok" for _, f in audit)

    second = (await post(h, f"{incident}/check-ins", {"way": "text"})).json()
    new = next(c for c in second["check_ins"] if c["state"] == "scheduled")
    await until(h, new["due_ms"])
    await eventually(lambda: _texts_to(h, CASEY_PHONE, 2))
    await _reply(h, "2")

    async def asked() -> bool:
        return any(e["data"].get("asked") for e in await kinds(h, "alert.checkin_due"))

    await eventually(asked)
    assert await _texts_to(h, AVERY_PHONE, 1)  # the clinician is nudged to call
    after = next(c for c in (await checkins(h, incident))["check_ins"] if c["id"] == new["id"])
    assert after["reply"] == "call" and after["outcome"] is None


async def _texts_to(h: Harness, number: str, count: int) -> bool:
    return sum(1 for m in h.standin.messages if m["to"] == number) >= count


async def test_refusals(harness: Harness) -> None:
    h = harness
    incident = await screened(h)
    for staff in ("admin-jordan", "lead-quinn"):  # no clinical role; not their group
        r = await post(h, f"{incident}/check-ins", {}, staff=staff)
        assert r.status_code == 403, (staff, r.text)
        g = await h.http.get(f"{h.base}/api/incidents/{incident}/check-ins",
                             headers=h.token(staff))
        assert g.status_code == 403
    past = datetime.fromtimestamp(h.clock.now() - 3600, tz=ZONE).strftime("%Y-%m-%dT%H:%M")
    r = await post(h, f"{incident}/check-ins", {"at": past})
    assert r.status_code == 400 and "has not passed" in r.text
    r = await post(h, f"{incident}/check-ins", {"assignee": "admin-jordan"})
    assert r.status_code == 400 and "clinician" in r.text
    other = await opened(h, "client-002")  # has not agreed to texts
    r = await post(h, f"{other['id']}/check-ins", {"way": "text"})
    assert r.status_code == 409 and "agreed to texts" in r.text
    r = await post(h, f"{incident}/check-ins/nope/outcome", {"result": "okay"})
    assert r.status_code == 404


async def test_a_check_in_job_run_twice_tells_once(harness: Harness) -> None:
    """A lapsed lease runs a job again: the clinicians are told once, texted once, and the
    overdue alert is raised once."""
    from sidecar.incidents.proactive import PROACTIVE_KIND
    from sidecar.infra.jobs.model import ClaimedJob

    h = harness
    incident = await screened(h)
    line = (await post(h, f"{incident}/check-ins", {})).json()["check_ins"][0]
    handler = h.tether.engine.handlers[PROACTIVE_KIND]

    def job(at_ms: int) -> ClaimedJob:
        return ClaimedJob(key=f"proactive:{incident}:{line['id']}", kind=PROACTIVE_KIND,
                          payload={"incident": incident, "checkin": line["id"]}, data={},
                          epoch="1", attempts=0, wake="1", due_ms=at_ms, claimed_at_ms=at_ms)

    h.clock.advance((line["due_ms"] - h.clock.now() * 1000) / 1000 + 1)
    await handler(job(line["due_ms"]))
    await handler(job(line["due_ms"]))
    await h.advance(1)  # the engine's own worker runs it as well
    assert len(await kinds(h, "alert.checkin_due")) == 1
    assert sum(1 for m in h.standin.messages if m["to"] == AVERY_PHONE) == 1
    late = line["due_ms"] + 120 * 60_000
    h.clock.advance(121 * 60)
    outcomes = [(await handler(job(late))).outcome,  # type: ignore[union-attr]
                (await handler(job(late))).outcome]  # type: ignore[union-attr]
    await h.advance(1)
    await eventually(lambda: _has(h, "alert.followup_overdue"))
    assert len(await kinds(h, "alert.followup_overdue")) == 1
    assert outcomes.count("overdue") <= 1
