"""Every access is on the record: each PHI read (a check-in with its private note, the
dispatch card, a timeline, a stream), each refused credential, each sign-in, break-glass and
configuration change lands on ``tether:audit`` with who, why and from where, over real
HTTP. Synthetic people only."""

from __future__ import annotations

import asyncio
from typing import Any

from sidecar.infra.sessions import COOKIE
from tests import zoom_payloads as zp
from tests.checkin.test_checkin import GOOD, M, link, started
from tests.conftest import Harness
from tests.panel.test_panel_api import read_events
from tests.records.test_config_api import doc, new_person, save

LOOPBACK = "127.0.0.1"
M_RAW = zp.MEETING_UUID


async def entries(h: Harness, action: str) -> list[dict[str, Any]]:
    return [e for _, e in await h.tether.redis.xrange("{tether}:audit")
            if e["action"] == action]


async def checked_in(h: Harness) -> str:
    """Casey has checked in, with a private note; the link's token."""
    await started(h)
    token = (await link(h)).split("t=", 1)[1]
    body = {**GOOD, "note": "rough week, synthetic note"}
    r = await h.http.post(f"{h.base}/api/checkin?t={token}", json=body)
    assert r.status_code == 200, r.text
    return token


async def test_a_client_reading_their_own_check_in_is_on_the_record(harness: Harness
                                                                    ) -> None:
    h = harness
    token = await checked_in(h)
    r = await h.http.get(f"{h.base}/api/checkin?t={token}")
    assert r.json()["checkin"]["note"] == "rough week, synthetic note"
    [read] = await entries(h, f"checkin.read:own:{M_RAW}")
    assert read["actor"] == "client:client-001" and read["target"] == "client-001"
    assert read["source"] == LOOPBACK
    # the submit's look at the earlier check-in is a read too, by the client themself
    assert [e["actor"] for e in await entries(h, f"checkin.read:update:{M_RAW}")] == [
        "client:client-001"]


async def test_the_dispatch_card_records_the_record_and_the_check_in_it_read(
        harness: Harness) -> None:
    h = harness
    await checked_in(h)
    r = await h.http.get(f"{h.base}/api/meetings/{M}/clients/client-001/dispatch",
                         headers=h.token("oncall-riley"))
    assert r.status_code == 200, r.text
    for action in (f"client.read:dispatch:{M_RAW}", f"checkin.read:dispatch:{M_RAW}"):
        [read] = await entries(h, action)
        assert (read["actor"], read["target"], read["source"]) == (
            "oncall-riley", "client-001", LOOPBACK)
    dump = str(await h.tether.redis.xrange("{tether}:audit"))
    assert "synthetic note" not in dump and "Marigold" not in dump  # never PHI itself


async def test_each_timeline_read_is_one_entry(harness: Harness) -> None:
    h = harness
    await started(h)
    before = len(await entries(h, "timeline.read:panel"))
    await h.timeline()
    await h.timeline()
    reads = (await entries(h, "timeline.read:panel"))[before:]
    assert [(e["actor"], e["target"], e["source"]) for e in reads] == [
        ("lead-avery", M_RAW, LOOPBACK)] * 2


async def test_a_stream_is_one_entry_per_opening_not_per_event(harness: Harness) -> None:
    h = harness
    await started(h)
    got = await asyncio.wait_for(read_events(h, h.token(), 3), 5)
    assert len(got) == 3
    resume = {**h.token("cofac-morgan"), "Last-Event-ID": got[0][0]}
    assert len(await asyncio.wait_for(read_events(h, resume, 2), 5)) == 2
    opened = await entries(h, "stream.opened:panel")
    assert [(e["actor"], e["target"], e["source"]) for e in opened] == [
        ("lead-avery", M_RAW, LOOPBACK), ("cofac-morgan", M_RAW, LOOPBACK)]


async def test_refused_tokens_sessions_and_links_are_on_the_record(harness: Harness
                                                                   ) -> None:
    h = harness
    await started(h)
    bad = {"Authorization": "Bearer not-a-token"}
    assert (await h.http.get(f"{h.base}/api/meetings", headers=bad)).status_code == 401
    stale = {"Cookie": f"{COOKIE}=made-up-cookie-value"}
    assert (await h.http.get(f"{h.base}/api/meetings", headers=stale)).status_code == 401
    assert (await h.http.get(f"{h.base}/api/checkin?t=forged.link")).status_code == 403
    for action in ("auth.refused:token", "auth.refused:session",
                   "auth.refused:checkin_link"):
        [refused] = await entries(h, action)
        assert refused["source"] == LOOPBACK, action


async def test_a_cookie_whose_session_was_ended_is_refused_on_the_record(harness: Harness
                                                                         ) -> None:
    h = harness
    cookie = await h.session("cofac-morgan")
    staff, etag = await doc(h, "staff")
    off = [{**s, "active": False} if s["id"] == "cofac-morgan" else s for s in staff["body"]]
    assert (await save(h, "staff", off, etag)).status_code == 200  # ends their sessions
    [disabled] = await entries(h, "staff.disabled")
    assert (disabled["actor"], disabled["source"]) == ("admin-jordan", LOOPBACK)
    r = await h.http.get(f"{h.base}/auth/me", headers=cookie)
    assert r.status_code == 401
    [refused] = await entries(h, "auth.refused:session")
    assert (refused["target"], refused["source"]) == ("no such session", LOOPBACK)


async def test_sign_in_break_glass_and_configuration_changes_name_their_source(
        harness: Harness) -> None:
    h = harness
    await started(h)
    await h.session("lead-quinn")
    [signed_in] = await entries(h, "session.started:token")
    assert (signed_in["actor"], signed_in["source"]) == ("lead-quinn", LOOPBACK)
    r = await h.http.post(f"{h.base}/api/break-glass", headers=h.token("lead-quinn"),
                          json={"client": "client-001", "reason": "synthetic emergency"})
    assert r.status_code == 200, r.text
    r = await h.http.get(f"{h.base}/api/meetings/{M}/clients/client-001/dispatch",
                         headers=h.token("lead-quinn"))
    assert r.status_code == 200, r.text
    for action in ("break_glass.opened", "access.break_glass"):
        [e] = await entries(h, action)
        assert (e["actor"], e["source"]) == ("lead-quinn", LOOPBACK), action
    staff, etag = await doc(h, "staff")
    assert (await save(h, "staff", [*staff["body"], new_person()], etag)).status_code == 200
    saved = await entries(h, "config.saved:staff")
    assert (saved[-1]["actor"], saved[-1]["source"]) == ("admin-jordan", LOOPBACK)
