"""The whole clinical path through real HTTP and Redis, on Zoom webhooks and a fake clock:
a client types their code word in the group chat, the lead takes them to a 1:1 and screens
them (high, judged imminent), the emergency protocol runs, the incident closes, and the
after-action follow-ups come due; the one left undone raises an overdue alert."""

from __future__ import annotations

from typing import Any

from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import CASEY, T0, join_group
from tests.checkin.test_checkin import GOOD, link
from tests.conftest import Harness, eventually
from tests.incidents.test_incidents import DOCS, HIGH, IMMINENT, M, post


async def test_code_word_to_emergency_to_followups(harness: Harness) -> None:
    h = harness
    await join_group(h)
    token = (await link(h, "client-001")).split("t=", 1)[1]
    assert (await h.http.post(f"{h.base}/api/checkin?t={token}", json=GOOD)).status_code == 200

    # 1. the code word, in the chat everyone sees: only the clinicians' timeline learns
    await h.zoom(zp.chat(T0 + 1_000, "sess-casey", CASEY[1], "the Blue Umbrella is out again"))
    await h.settle()

    async def alerts() -> list[dict[str, Any]]:
        return [e for e in await h.timeline() if e["kind"] == "alert.code_word"]

    await eventually(alerts, timeout=5)
    alert = (await alerts())[0]["data"]
    assert alert["client"] == "client-001" and alert["source"] == "chat"
    assert "umbrella" not in str(await h.timeline()).lower()  # the words never land

    # 2. the lead opens the incident from the alert, takes Casey 1:1, screens
    r = await h.http.post(f"{h.base}/api/meetings/{M}/clients/client-001/incidents",
                          json={"trigger": "code_word"}, headers=h.token())
    inc = r.json()["id"]
    for phase in ("started", "moved"):
        assert (await h.http.post(f"{h.base}/api/meetings/{M}/triage", headers=h.token(),
                                  json={"participant": CASEY[0], "phase": phase})
                ).status_code == 200
    screened = (await post(h, f"{inc}/screens", {"answers": HIGH, "imminence": IMMINENT}))
    assert screened.json()["level"] == "emergency"

    # 3. the protocol: roles, card, steps, a consented contact, the handoff
    assert (await post(h, f"{inc}/emergency")).json()["emergency_ms"] is not None
    card = (await h.http.get(f"{h.base}/api/incidents/{inc}/card",
                             headers=h.token("cofac-morgan"))).json()
    assert card["room"] == "kitchen"
    for key in ("keep_visible", "call_responders", "notify_contact", "warm_handoff"):
        staff = "lead-avery" if key == "keep_visible" else "cofac-morgan"
        assert (await post(h, f"{inc}/steps/{key}", {}, staff=staff)).status_code == 200
    told = await post(h, f"{inc}/contacts", {"contact": "Dana Brightwater",
                                             "purpose": "notify_crisis"}, staff="cofac-morgan")
    assert told.status_code == 200
    assert "Memorial" in (await post(h, f"{inc}/handoff", {"facility": "Memorial ED"})
                          ).json()["summary"]

    # 4. close; everything but the team huddle gets done; the huddle comes due undone
    closed = (await post(h, f"{inc}/close", DOCS)).json()
    kinds = [t["task"]["kind"] for t in closed["tasks"]]
    assert set(kinds) == {"documentation", "client_debrief", "team_huddle",
                          "caregiver_checkin", "safety_plan_review", "care_plan_update"}
    for kind in kinds:
        if kind != "team_huddle":
            assert (await post(h, f"{inc}/tasks/{kind}", {})).status_code == 200
    h.clock.advance(23 * 3600)
    await h.advance(1)
    assert not [e for e in await h.timeline() if e["kind"] == "alert.followup_overdue"]
    h.clock.advance(3600 + 1)  # 24 h after closing: the huddle's deadline

    async def overdue() -> list[dict[str, Any]]:
        return [e for e in await h.timeline() if e["kind"] == "alert.followup_overdue"]

    await eventually(overdue, timeout=10)
    assert [e["data"]["task"] for e in await overdue()] == ["team_huddle"]
    kinds_seen = await h.kinds()
    order = ["alert.code_word", "incident.opened", "triage.started", "incident.screened",
             "emergency.started", "emergency.step", "incident.closed", "alert.followup_overdue"]
    positions = [kinds_seen.index(k) for k in order]
    assert positions == sorted(positions)  # the timeline tells the story in order
