"""The Zoom App's entry: app context -> staff member -> panel session, or a clear refusal."""

from __future__ import annotations

from typing import Any

from tests import zoom_payloads as zp
from tests.conftest import ZOOM_APP_CLIENT_ID, ZOOM_APP_SECRET, Harness
from tests.plugins.test_zoom_app_context import vector


def context(h: Harness, **fields: Any) -> str:
    now = int(h.clock.now() * 1000)
    base = {"typ": "meeting", "uid": "zUidAvery0001", "mid": zp.MEETING_UUID, "ts": now,
            "exp": now + 120_000, "attendrole": "host", "iss": "marketplace.zoom.us",
            "aud": ZOOM_APP_CLIENT_ID}
    merged = {k: v for k, v in {**base, **fields}.items() if v is not None}  # None: absent
    return vector(merged, secret=ZOOM_APP_SECRET)


async def test_staff_context_becomes_a_panel_session(harness: Harness) -> None:
    h = harness
    r = await h.http.post(f"{h.base}/api/zoom/session", json={"context": context(h)})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["staff"] == "lead-avery" and body["meeting"] == zp.MEETING_UUID
    assert "token" not in body  # the session is an HttpOnly cookie, out of the page's reach
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("__Host-tether=") and "HttpOnly" in cookie and "Secure" in cookie
    assert "SameSite=None" in cookie  # Zoom's client may frame the app under zoom.us
    session = {"Cookie": cookie.split(";")[0]}
    listing = await h.http.get(f"{h.base}/api/meetings", headers=session)
    assert listing.status_code == 200
    # a change needs the session's CSRF token, which only the panel was given
    link = f"{h.base}/api/meetings/x/participants/p/link"
    refused = await h.http.post(link, headers=session, json={"client": "client-001"})
    assert refused.status_code == 403 and "CSRF" in refused.text
    allowed = await h.http.post(link, json={"client": "client-001"},
                                headers={**session, "X-CSRF-Token": body["csrf"]})
    assert allowed.status_code != 403


async def test_home_url_gives_staff_the_panel_and_others_the_checkin(harness: Harness) -> None:
    h = harness
    ok = await h.http.get(f"{h.base}/zoom/home", headers={"x-zoom-app-context": context(h)})
    assert ok.status_code == 200 and '<script src="/zoom/bridge.js">' in ok.text
    assert "/static/panel/app.js" in ok.text and 'id="checkin"' not in ok.text  # the panel
    assert "Content-Security-Policy" in ok.headers
    for uid in ("zUidNobody", None):  # a client signed in to Zoom, or a guest
        other = await h.http.get(f"{h.base}/zoom/home",
                                 headers={"x-zoom-app-context": context(h, uid=uid)})
        assert other.status_code == 200 and 'id="checkin"' in other.text
        assert "/static/panel/app.js" not in other.text and "/zoom/bridge.js" in other.text
    missing = await h.http.get(f"{h.base}/zoom/home")
    assert missing.status_code == 403 and "Tether could not open" in missing.text


async def test_expired_forged_or_guest_contexts_get_no_session(harness: Harness) -> None:
    h = harness
    expired = context(h, exp=int(h.clock.now() * 1000) - 1)
    forged = vector({"typ": "meeting", "uid": "zUidAvery0001", "ts": 1, "exp": 2**50},
                    secret="not-the-app-secret")
    guest = context(h, uid=None)  # Guest Mode: Zoom sends no uid
    for ctx, words in ((expired, "expired"), (forged, "decrypt"), (guest, "staff list")):
        r = await h.http.post(f"{h.base}/api/zoom/session", json={"context": ctx})
        assert r.status_code == 403 and words in r.json()["error"], r.text
    bad = await h.http.post(f"{h.base}/api/zoom/session", json={"nope": 1})
    assert bad.status_code == 400


async def test_the_real_appssdk_is_served_from_our_origin(harness: Harness) -> None:
    h = harness
    module = await h.http.get(f"{h.base}/zoom/appssdk.es.js")
    assert module.status_code == 200, "run: npm ci --prefix plugins/zoom"
    assert "ZoomSdk" in module.text and "export" in module.text
    shim = await h.http.get(f"{h.base}/zoom/appssdk.js")
    assert 'import zoomSdk from "/zoom/appssdk.es.js"' in shim.text
