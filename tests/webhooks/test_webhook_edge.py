"""The webhook edge over real HTTP: what Zoom (or an impostor) gets back."""

from __future__ import annotations

import json

from tests import zoom_payloads as zp
from tests.conftest import Harness


async def post_raw(h: Harness, raw: bytes, headers: dict[str, str]) -> tuple[int, str]:
    r = await h.http.post(f"{h.base}/webhooks/zoom", content=raw, headers=headers)
    return r.status_code, r.text


async def test_bad_signature_is_401_and_counted(harness: Harness) -> None:
    h = harness
    raw, headers = zp.signed(zp.joined(1, "pu-1", "Casey B"), h.clock.now(), secret="nope")
    status, text = await post_raw(h, raw, headers)
    assert status == 401 and "signature" in text
    metrics = (await h.http.get(f"{h.base}/metrics")).text
    assert 'tether_webhook_rejected_total{platform="zoom",reason="BadSignature"} 1.0' in metrics


async def test_replayed_old_request_is_401(harness: Harness) -> None:
    h = harness
    raw, headers = zp.signed(zp.joined(1, "pu-1", "Casey B"), h.clock.now() - 600)
    assert (await post_raw(h, raw, headers))[0] == 401


async def test_url_validation_handshake_over_http(harness: Harness) -> None:
    h = harness
    body = {"payload": {"plainToken": "qgg8vlvZRS6UYooatFL8Aw"}, "event_ts": 1,
            "event": "endpoint.url_validation"}
    r = await h.zoom(body)
    assert r.status_code == 200
    assert r.json()["plainToken"] == "qgg8vlvZRS6UYooatFL8Aw"
    assert len(r.json()["encryptedToken"]) == 64


async def test_malformed_signed_body_is_400(harness: Harness) -> None:
    h = harness
    raw, headers = zp.signed(b'{"event": 5}', h.clock.now())
    assert (await post_raw(h, raw, headers))[0] == 400


async def test_unknown_event_type_is_200_and_counted(harness: Harness) -> None:
    h = harness
    r = await h.zoom(zp.meeting_event("meeting.sharing_started", 1))
    assert r.status_code == 200 and r.json() == {"ignored": "meeting.sharing_started"}
    metrics = (await h.http.get(f"{h.base}/metrics")).text
    assert ('tether_webhook_unknown_total{event="meeting.sharing_started",platform="zoom"} 1.0'
            in metrics)


async def test_duplicate_delivery_is_acknowledged_but_applied_once(harness: Harness) -> None:
    h = harness
    body = zp.joined(1_800_000_000_000, "pu-1", "Casey B")
    assert (await h.zoom(body)).json() == {"accepted": 1}
    assert (await h.zoom(body)).json() == {"accepted": 0}
    await h.settle()
    rows = [e for e in await h.timeline() if e["kind"] == "roster"]
    assert len(rows) == 1


async def test_webhook_answers_are_plain_json_and_pages_keep_their_headers(
        harness: Harness) -> None:
    """The platform's servers read a webhook's answer, no browser: it goes without the
    pages' headers, which the pages (and API answers) still carry."""
    h = harness
    r = await h.zoom(zp.joined(1_800_000_000_000, "pu-2", "Casey B"))
    assert r.status_code == 200 and r.json() == {"accepted": 1}
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    assert "content-security-policy" not in r.headers
    page = await h.http.get(f"{h.base}/healthz")
    assert "Content-Security-Policy" in page.headers
    assert page.headers["X-Content-Type-Options"] == "nosniff"


async def test_oversized_body_is_413(harness: Harness) -> None:
    h = harness
    raw, headers = zp.signed(json.dumps({"pad": "x" * 300_000}).encode(), h.clock.now())
    assert (await post_raw(h, raw, headers))[0] == 413


async def test_unmapped_meeting_is_acknowledged_and_not_stored(harness: Harness) -> None:
    h = harness
    body = zp.joined(1_800_000_000_000, "pu-1", "Casey B")
    body["payload"]["object"]["id"] = "99999999999"
    assert (await h.zoom(body)).status_code == 200
    await h.settle()
    r = await h.http.get(f"{h.base}/api/meetings", headers=h.token())
    assert r.json()["meetings"] == []  # nothing stored for a meeting no group holds


async def test_health_and_readiness(harness: Harness) -> None:
    h = harness
    assert (await h.http.get(f"{h.base}/healthz")).json() == {"ok": True}
    ready = (await h.http.get(f"{h.base}/readyz")).json()
    assert ready["ready"] is True and ready["checks"]["redis"] is True
