"""Sessions end: after 15 idle minutes, at 12 hours whatever is done, at logout, and at
once on every replica when a person is revoked (their open streams close). Tokens go in
the header only, and a change made with the cookie needs the page's CSRF token."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import T0, join_group
from tests.conftest import Harness, TwilioStandIn, running_sidecar

M = quote(zp.MEETING_UUID, safe="")


async def _audit(h: Harness, prefix: str) -> list[dict[str, str]]:
    return [e for _, e in await h.tether.redis.xrange("{tether}:audit")
            if e["action"].startswith(prefix)]


_READERS: dict[int, AsyncIterator[bytes]] = {}


async def _events(stream: httpx.Response, until: bytes, timeout: float = 5) -> bytes:
    """What a stream sends until ``until`` (or it closes); call again to read on."""
    chunks = _READERS.setdefault(id(stream), stream.aiter_bytes())
    got = b""

    async def read() -> None:
        nonlocal got
        async for chunk in chunks:
            got += chunk
            if until in got:
                return

    await asyncio.wait_for(read(), timeout)
    return got


async def test_the_session_cookie_and_who_am_i(harness: Harness) -> None:
    h = harness
    r = await h.http.post(f"{h.base}/auth/exchange", headers=h.token("admin-jordan"))
    cookie = r.headers["set-cookie"]
    for part in ("__Host-tether=", "HttpOnly", "Secure", "Path=/", "SameSite=Lax"):
        assert part in cookie, part
    assert "Domain" not in cookie  # a __Host- cookie belongs to this host alone
    me = (await h.http.get(f"{h.base}/auth/me", headers={"Cookie": cookie.split(";")[0]}))
    assert me.json()["name"] == "Jordan Pell" and me.json()["csrf"]
    assert me.headers["Cache-Control"] == "no-store"
    started = await _audit(h, "session.started:token")
    assert started[0]["actor"] == "admin-jordan" and started[0]["source"] == "127.0.0.1"


async def test_a_token_in_the_address_is_not_accepted(harness: Harness) -> None:
    h = harness
    token = h.token()["Authorization"].removeprefix("Bearer ")
    for path in (f"/api/meetings?token={token}", f"/api/meetings/{M}/stream?token={token}"):
        r = await h.http.get(h.base + path)
        assert r.status_code == 401 and "sign in" in r.text


async def test_a_change_with_the_cookie_needs_the_pages_csrf_token(harness: Harness) -> None:
    h = harness
    s = await h.session("lead-avery")
    bare = {"Cookie": s["Cookie"]}  # what a forged cross-site form would send
    r = await h.http.post(f"{h.base}/auth/logout", headers=bare)
    assert r.status_code == 403 and "reload the page" in r.text
    assert (await _audit(h, "auth.refused:csrf"))[0]["actor"] == "lead-avery"
    assert (await h.http.get(f"{h.base}/auth/me", headers=bare)).status_code == 200


async def test_idle_time_out_and_activity(harness: Harness) -> None:
    h = harness
    s = await h.session("admin-jordan")
    for _ in range(3):  # a request every 10 minutes keeps the session
        h.clock.advance(10 * 60)
        assert (await h.http.get(f"{h.base}/api/admin/oncall", headers=s)).status_code == 200
    h.clock.advance(15 * 60 + 1)
    r = await h.http.get(f"{h.base}/api/admin/oncall", headers=s)
    assert r.status_code == 401
    assert "signed out after 15 minutes without activity" in r.text
    assert (await _audit(h, "session.timed_out"))[0]["actor"] == "admin-jordan"
    assert (await h.http.get(f"{h.base}/api/admin/oncall", headers=s)).status_code == 401


async def test_the_absolute_limit_holds_however_busy(harness: Harness) -> None:
    h = harness
    s = await h.session("lead-avery")
    for _ in range(71):  # busy every 10 minutes for 11 h 50 min
        h.clock.advance(10 * 60)
        assert (await h.http.get(f"{h.base}/auth/me", headers=s)).status_code == 200
    h.clock.advance(10 * 60)
    r = await h.http.get(f"{h.base}/auth/me", headers=s)
    assert r.status_code == 401 and "limit of 12 hours" in r.text


async def test_logout_ends_the_session(harness: Harness) -> None:
    h = harness
    s = await h.session("lead-avery")
    r = await h.http.post(f"{h.base}/auth/logout", headers=s)
    assert r.status_code == 200 and "__Host-tether=\"\"" in r.headers["set-cookie"]
    assert (await h.http.get(f"{h.base}/auth/me", headers=s)).status_code == 401
    assert (await _audit(h, "session.signed_out"))[0]["actor"] == "lead-avery"


async def test_an_open_panel_keeps_its_session_while_the_meeting_runs(harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.settle()
    s = await h.session("lead-avery")
    async with h.http.stream("GET", f"{h.base}/api/meetings/{M}/stream", headers=s) as st:
        assert st.status_code == 200
        for minute in (14, 28, 42):  # quiet stretches, each shorter than the idle time-out
            h.clock.advance(14 * 60)
            await h.zoom(zp.joined(T0 + minute * 60_000, f"pu-late-{minute}", "Late Guest"))
            await _events(st, f"pu-late-{minute}".encode())
    assert (await h.http.get(f"{h.base}/auth/me", headers=s)).status_code == 200


async def test_a_stream_ends_when_its_token_expires(harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.settle()
    short = {"Authorization": "Bearer " + h.tether.tokens.issue("lead-avery", h.clock.now(),
                                                                 ttl_s=60)}
    async with h.http.stream("GET", f"{h.base}/api/meetings/{M}/stream", headers=short) as st:
        assert st.status_code == 200
        h.clock.advance(61)
        await h.zoom(zp.joined(T0, "pu-after", "After Expiry"))
        got = await _events(st, b"signed_out")
    assert b"pu-after" not in got  # nothing more was delivered on an expired token


async def test_revocation_reaches_every_replica_at_once(
        redis_url: str, tmp_path: Path, standin: tuple[TwilioStandIn, str]) -> None:
    async with running_sidecar(redis_url, tmp_path / "a", standin, {}) as a, \
            running_sidecar(redis_url, tmp_path / "b", standin, {}) as b:
        await join_group(a)
        await a.settle()
        on_b = await b.session("lead-avery")
        old_token = b.token("lead-avery")
        roster = f"{b.base}/api/meetings/{M}/roster"
        async with b.http.stream("GET", f"{b.base}/api/meetings/{M}/stream",
                                 headers=on_b) as st:
            assert st.status_code == 200
            r = await a.http.post(f"{a.base}/api/admin/staff/lead-avery/revoke",
                                  headers=a.token("admin-jordan"))
            assert r.status_code == 200 and r.json()["sessions_ended"] == 1
            await _events(st, b"event: signed_out", timeout=3)  # the open panel closes
        assert (await b.http.get(roster, headers=on_b)).status_code == 401
        assert (await b.http.get(roster, headers=old_token)).status_code == 401
        b.clock.advance(1)
        assert (await b.http.get(roster, headers=b.token("lead-avery"))).status_code == 200
        revoked = await _audit(a, "session.revoked")
        assert revoked[0]["actor"] == "admin-jordan" and revoked[0]["target"] == "lead-avery"


async def test_break_glass_opens_one_client_for_an_hour(harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.settle()
    quinn = h.token("lead-quinn")  # leads the Thursday group, not Casey's Tuesday one
    card = f"{h.base}/api/meetings/{M}/clients/client-001/dispatch"
    refused = await h.http.get(card, headers=quinn)
    assert refused.status_code == 403 and "break-glass" in refused.text
    short = await h.http.post(f"{h.base}/api/break-glass", headers=quinn,
                              json={"client": "client-001", "reason": "urgent"})
    assert short.status_code == 400 and "why" in short.text
    why = "Covering for Avery; Casey dropped after saying they took pills"
    opened = await h.http.post(f"{h.base}/api/break-glass", headers=quinn,
                               json={"client": "client-001", "reason": why})
    assert opened.status_code == 200 and opened.json()["minutes"] == 60
    got: Any = await h.http.get(card, headers=quinn)
    assert got.status_code == 200 and "Casey" in got.text
    other = f"{h.base}/api/meetings/{M}/clients/client-002/dispatch"
    assert (await h.http.get(other, headers=quinn)).status_code == 403  # one client only
    assert await _audit(h, "access.break_glass")
    assert (await _audit(h, "break_glass.opened"))[0]["target"] == "client-001"
    texted = [m for m in h.standin.messages if m["to"] == "+13125550105"]  # Sasha
    assert texted and "Quinn Hartigan used break-glass" in texted[0]["body"]
    assert why not in texted[0]["body"]  # the reason stays on the admin page
    listing = await h.http.get(f"{h.base}/api/admin/break-glass",
                               headers=h.token("admin-jordan"))
    row = listing.json()["openings"][0]
    assert row["staff_name"] == "Quinn Hartigan" and row["client_name"] == "Casey Brightwater"
    assert row["reason"] == why and row["open"] is True
    h.clock.advance(61 * 60)
    assert (await h.http.get(card, headers=h.token("lead-quinn"))).status_code == 403


async def test_break_glass_from_a_refused_incident(harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.settle()
    r = await h.http.post(f"{h.base}/api/meetings/{M}/clients/client-001/incidents",
                          json={"trigger": "clinician"}, headers=h.token("lead-avery"))
    incident = r.json()["id"]
    quinn = h.token("lead-quinn")
    assert (await h.http.get(f"{h.base}/api/incidents/{incident}",
                             headers=quinn)).status_code == 403
    opened = await h.http.post(f"{h.base}/api/break-glass", headers=quinn, json={
        "incident": incident, "reason": "Avery asked me to take over the call"})
    assert opened.status_code == 200 and opened.json()["client"] == "client-001"
    assert (await h.http.get(f"{h.base}/api/incidents/{incident}",
                             headers=quinn)).status_code == 200
    nowhere = await h.http.post(f"{h.base}/api/break-glass", headers=quinn, json={
        "incident": "no-such-incident", "reason": "Avery asked me to take over the call"})
    assert nowhere.status_code == 404
