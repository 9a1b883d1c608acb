"""A proactive check-in moved to another time comes due then, not before; one cancelled
never comes due nor overdue; both are on the incident's log with who and why."""

from __future__ import annotations

from datetime import datetime

from tests.conftest import Harness
from tests.incidents.test_incidents import opened, post
from tests.incidents.test_proactive import ZONE, checkins, kinds, until


def _local(h: Harness, seconds_ahead: float) -> str:
    return datetime.fromtimestamp(h.clock.now() + seconds_ahead, tz=ZONE).strftime(
        "%Y-%m-%dT%H:%M")


async def test_a_moved_check_in_comes_due_at_its_new_time(harness: Harness) -> None:
    h = harness
    inc = (await opened(h))["id"]
    (line,) = (await post(h, f"{inc}/check-ins", {"at": _local(h, 3600)})).json()["check_ins"]
    later = _local(h, 5 * 3600)
    moved = await post(h, f"{inc}/check-ins/{line['id']}/move", {"at": later})
    assert moved.status_code == 200, moved.text
    (now_line,) = moved.json()["check_ins"]
    assert now_line["due_local"] == later and now_line["state"] == "scheduled"

    await until(h, line["due_ms"])  # the old time passes quietly
    await h.advance(1)
    assert not await kinds(h, "alert.checkin_due")
    await until(h, now_line["due_ms"])
    await h.advance(1)
    (due,) = await kinds(h, "alert.checkin_due")
    assert due["data"]["checkin"] == line["id"]
    report = (await h.http.get(f"{h.base}/api/incidents/{inc}", headers=h.token())).json()
    (said,) = [e for e in report["log"] if e["what"] == "check-in moved"]
    assert said["by"] == "lead-avery" and said["detail"]["due"].endswith(later[-5:])
    assert await kinds(h, "incident.checkin_moved")


async def test_a_cancelled_check_in_never_comes_due(harness: Harness) -> None:
    h = harness
    inc = (await opened(h))["id"]
    (line,) = (await post(h, f"{inc}/check-ins", {"at": _local(h, 3600)})).json()["check_ins"]
    gone = await post(h, f"{inc}/check-ins/{line['id']}/cancel",
                      {"reason": "Seen in person at the clinic this morning."})
    assert gone.status_code == 200, gone.text
    (after,) = gone.json()["check_ins"]
    assert after["state"] == "cancelled" and after["cancelled"]["by"] == "lead-avery"

    await until(h, line["due_ms"] + 3 * 3600_000)
    await h.advance(1)
    assert not await kinds(h, "alert.checkin_due")
    assert not await kinds(h, "alert.followup_overdue")
    assert (await checkins(h, inc))["check_ins"][0]["state"] == "cancelled"
    view = (await h.http.get(f"{h.base}/api/incidents/{inc}", headers=h.token())).json()
    assert not [r for r in view["to_do"] if r["kind"] == "checkin"]
    (said,) = [e for e in view["log"] if e["what"] == "check-in cancelled"]
    assert said["detail"]["reason"] == "Seen in person at the clinic this morning."

    again = await post(h, f"{inc}/check-ins/{line['id']}/move", {"at": _local(h, 7200)})
    assert again.status_code == 409 and "cancelled" in again.text
    late = await post(h, f"{inc}/check-ins/{line['id']}/outcome", {"result": "okay"})
    assert late.status_code == 409
    missing = await post(h, f"{inc}/check-ins/nope/cancel", {})
    assert missing.status_code == 404


async def test_cancelling_a_check_in_already_due_clears_it_from_the_lists(
        harness: Harness) -> None:
    h = harness
    inc = (await opened(h))["id"]
    (line,) = (await post(h, f"{inc}/check-ins", {"at": _local(h, 600)})).json()["check_ins"]
    await until(h, line["due_ms"] + 3 * 3600_000)  # due, then overdue
    await h.advance(1)
    listed = (await h.http.get(f"{h.base}/api/incidents", headers=h.token())).json()
    assert next(i for i in listed["incidents"] if i["id"] == inc)["overdue"] == 1
    view = (await h.http.get(f"{h.base}/api/incidents/{inc}", headers=h.token())).json()
    assert [r for r in view["to_do"] if r["kind"] == "checkin"]

    assert (await post(h, f"{inc}/check-ins/{line['id']}/cancel", {})).status_code == 200
    listed = (await h.http.get(f"{h.base}/api/incidents", headers=h.token())).json()
    assert next(i for i in listed["incidents"] if i["id"] == inc)["overdue"] == 0
    view = (await h.http.get(f"{h.base}/api/incidents/{inc}", headers=h.token())).json()
    assert not [r for r in view["to_do"] if r["kind"] == "checkin"]
