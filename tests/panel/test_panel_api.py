"""The panels' API: tokens and roles, roster, live stream with resume, dispatch card."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import quote

from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import CASEY, T0, join_group
from tests.conftest import Harness

M = quote(zp.MEETING_UUID, safe="")


async def test_no_token_401_wrong_role_403(harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.settle()
    assert (await h.http.get(f"{h.base}/api/meetings/{M}/roster")).status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    assert (await h.http.get(f"{h.base}/api/meetings/{M}/roster", headers=bad)).status_code == 401
    admin = h.token("admin-jordan")  # admins configure; they do not read a meeting's roster
    assert (await h.http.get(f"{h.base}/api/meetings/{M}/roster",
                             headers=admin)).status_code == 403


async def test_expired_token_is_refused(harness: Harness) -> None:
    h = harness
    token = h.tether.tokens.issue("lead-avery", h.clock.now(), ttl_s=60)
    h.clock.advance(61)
    r = await h.http.get(f"{h.base}/api/meetings", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401 and "expired" in r.text


async def test_roster_shows_who_is_where(harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.zoom(zp.participant_event("meeting.participant_joined_breakout_room", T0,
                                      "pu-rowan-1", "Rowan T", breakout_room_uuid="BrRoom1=="))
    await h.settle()
    people = {p["display_name"]: p for p in (await h.roster())["people"]}
    assert people["Rowan T"]["room"] == "BrRoom1==" and people["Casey B"]["room"] == ""
    assert people["Casey B"]["identity"] == "client"
    assert people["Avery (lead)"]["identity"] == "unknown"  # no check-in yet
    listing = (await h.http.get(f"{h.base}/api/meetings", headers=h.token())).json()
    assert listing["meetings"][0]["name"] == "Tuesday evening group"


async def read_events(h: Harness, headers: dict[str, str], n: int
                      ) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    async with h.http.stream("GET", f"{h.base}/api/meetings/{M}/stream",
                             headers=headers) as resp:
        assert resp.headers["content-type"].startswith("text/event-stream")
        event_id = ""
        async for line in resp.aiter_lines():
            if line.startswith("id: "):
                event_id = line[4:]
            elif line.startswith("data: "):
                out.append((event_id, json.loads(line[6:])))
                if len(out) == n:
                    return out
    return out


async def test_live_stream_pushes_changes_and_resumes_by_last_event_id(harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.settle()
    first = await asyncio.wait_for(read_events(h, h.token(), 3), 5)
    assert [e["data"]["display_name"] for _, e in first] == ["Casey B", "Rowan T",
                                                             "Avery (lead)"]
    resume = {**h.token(), "Last-Event-ID": first[-1][0]}
    reader = asyncio.create_task(read_events(h, resume, 2))
    await asyncio.sleep(0.1)
    await h.zoom(zp.disconnected(T0, *CASEY))
    got = await asyncio.wait_for(reader, 5)
    assert [e["kind"] for _, e in got] == ["roster", "alert.disconnected"]
    assert got[0][1]["data"]["status"] == "gone"


async def test_dispatch_card_gives_the_address_and_is_audited(harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.settle()
    r = await h.http.get(f"{h.base}/api/meetings/{M}/clients/client-001/dispatch",
                         headers=h.token("oncall-riley"))
    card = r.json()
    assert card["address"] == "1200 Larkspur Lane, Apt 4, Springfield, IL 62701, US"
    assert card["callback_phone"] == "+13125550111"
    assert [c["name"] for c in card["emergency_contacts"]] == ["Dana Brightwater"]
    audit = await h.tether.redis.xrange("{tether}:audit")
    assert any(f["actor"] == "oncall-riley" and f["target"] == "client-001" for _, f in audit)
    assert all("Larkspur" not in json.dumps(f) for _, f in audit)
    other = await h.http.get(f"{h.base}/api/meetings/{M}/clients/client-999/dispatch",
                             headers=h.token())
    assert other.status_code == 404


async def test_ack_without_a_running_ladder_is_404(harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.settle()
    r = await h.http.post(f"{h.base}/api/meetings/{M}/ladders/client:client-001/ack",
                          json={}, headers=h.token())
    assert r.status_code == 404


async def test_ack_with_a_bad_body_is_400_with_the_field(harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.zoom(zp.disconnected(T0, *CASEY))
    await h.settle()
    r = await h.http.post(f"{h.base}/api/meetings/{M}/ladders/client:client-001/ack",
                          json={"note": "x" * 400}, headers=h.token())
    assert r.status_code == 400 and "note" in r.text


async def test_admin_imports_clients_and_bad_input_names_the_field(harness: Harness) -> None:
    h = harness
    ok = {"clients": [{"id": "client-050", "name": "Quinn Harrow",
                       "callback_phone": "+13125550150"}]}
    r = await h.http.post(f"{h.base}/api/admin/clients", json=ok, headers=h.token("admin-jordan"))
    assert r.json() == {"imported": 1}
    bad = {"clients": [{"id": "client-051", "name": "", "callback_phone": "+13125550151"}]}
    r = await h.http.post(f"{h.base}/api/admin/clients", json=bad,
                          headers=h.token("admin-jordan"))
    assert r.status_code == 400 and "clients.0.name" in r.text
    r = await h.http.post(f"{h.base}/api/admin/clients", json=ok, headers=h.token())
    assert r.status_code == 403


async def test_stream_of_unknown_meeting_is_404(harness: Harness) -> None:
    h = harness
    r = await h.http.get(f"{h.base}/api/meetings/nope/stream", headers=h.token())
    assert r.status_code == 404

