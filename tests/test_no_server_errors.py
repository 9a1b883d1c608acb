"""No input ever gets a 500: each odd header, query or body found so far gets a 4xx with a
plain sentence (synthetic data only)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import T0, join_group
from tests.conftest import Harness
from tests.incidents.test_incidents import opened, post
from tests.jitsi import events as jitsi

M = quote(zp.MEETING_UUID, safe="")


def plain_4xx(r: httpx.Response) -> None:
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    assert r.text.strip() and "Traceback" not in r.text


async def zoom_raw(h: Harness, raw: bytes, headers: dict[str, Any]) -> httpx.Response:
    return await h.http.post(f"{h.base}/webhooks/zoom", content=raw, headers=headers)


async def test_non_ascii_zoom_signature_headers(harness: Harness) -> None:
    h = harness
    raw, headers = zp.signed(zp.meeting_event("meeting.started", T0), h.clock.now())
    odd = [("x-zm-request-timestamp", "١٨٠٠٠٠٠٠٠٠".encode()),  # Arabic-Indic digits
           ("x-zm-request-timestamp", "18000é".encode()),
           ("x-zm-signature", "v0=é".encode()), ("x-zm-signature", "v0=ü".encode("latin-1"))]
    for name, value in odd:
        r = await zoom_raw(h, raw, {**headers, name: value})
        plain_4xx(r)
        assert r.status_code == 401


async def test_non_ascii_twilio_signature(harness: Harness) -> None:
    h = harness
    for path in ("/webhooks/telephony", "/webhooks/telephony/amd", "/webhooks/telephony/twiml",
                 "/webhooks/telephony/gather", "/webhooks/telephony/dial"):
        r = await h.http.post(h.base + path, data={"CallSid": "CA1", "CallStatus": "busy"},
                              headers={"X-Twilio-Signature": "é=".encode()})
        plain_4xx(r)
        assert r.status_code == 401


@pytest.fixture
async def meeting(harness: Harness) -> AsyncIterator[Harness]:
    await join_group(harness)
    await harness.settle()
    yield harness


@pytest.mark.parametrize("after", ["abc", "-1", "1-", "9999999999999999999999-1", "+", " ",
                                   "1-a", "0x10", "1--1", "é", "1.5"])
async def test_odd_timeline_cursor_is_400(meeting: Harness, after: str) -> None:
    h = meeting
    r = await h.http.get(f"{h.base}/api/meetings/{M}/timeline", params={"after": after},
                         headers=h.token())
    plain_4xx(r)
    assert r.status_code == 400 and "after" in r.text


@pytest.mark.parametrize("after", ["-", "0", "0-0", "1800000000000", "1800000000000-3"])
async def test_timeline_cursors_that_are_ids(meeting: Harness, after: str) -> None:
    h = meeting
    r = await h.http.get(f"{h.base}/api/meetings/{M}/timeline", params={"after": after},
                         headers=h.token())
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("last", ["abc", "99999999999999999999999-1", "1-", "é"])
async def test_odd_stream_resume_point_is_400_before_streaming(meeting: Harness,
                                                              last: str) -> None:
    h = meeting
    r = await h.http.get(f"{h.base}/api/meetings/{M}/stream",
                         params={"last_event_id": last}, headers=h.token())
    plain_4xx(r)
    assert r.status_code == 400 and "text/event-stream" not in r.headers["content-type"]


async def test_whitespace_only_disclosure_fields_are_refused(harness: Harness) -> None:
    h = harness
    inc = await opened(h)
    good = {"recipient_name": "Paramedic Reyes", "recipient_affiliation": "Sangamon EMS",
            "recipient_kind": "ems", "nature_of_emergency": "imminent risk"}
    for field in ("recipient_name", "recipient_affiliation", "nature_of_emergency"):
        r = await post(h, f"{inc['id']}/disclosures", good | {field: " \n\t "})
        plain_4xx(r)
        assert r.status_code == 400 and field in r.text
    contact = await post(h, f"{inc['id']}/contacts", {"contact": "   ", "purpose": "notify_crisis"})
    plain_4xx(contact)


async def test_zoom_event_far_in_the_future_is_refused(harness: Harness) -> None:
    h = harness
    for ts in (1e20, 10**20, 2**63):
        body = zp.joined(0, "pu-casey-1", "Casey B") | {"event_ts": ts}
        r = await h.zoom(body)
        plain_4xx(r)
        assert r.status_code == 400


async def test_a_long_participant_uuid_is_refused(harness: Harness) -> None:
    h = harness
    r = await h.zoom(zp.joined(T0, "p" * 300, "Casey B"))
    plain_4xx(r)
    assert r.status_code == 400


async def jitsi_post(h: Harness, body: dict[str, Any]) -> httpx.Response:
    raw, headers = jitsi.signed(body, h.clock.now())
    return await h.http.post(f"{h.base}/webhooks/jitsi", content=raw, headers=headers)


async def test_jitsi_event_far_in_the_future_is_refused(harness: Harness) -> None:
    h = harness
    for field in ("at_ms", "interrupted_at_ms", "session_started_ms"):
        body = jitsi.joined(jitsi.T0_MS, "nick-1", "Casey B") | {field: 1e20}
        r = await jitsi_post(h, body)
        plain_4xx(r)
        assert r.status_code == 400


async def test_oversize_chunked_webhook_is_413(harness: Harness) -> None:
    h = harness

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(300):
            yield b" " * 1024

    for platform in ("zoom", "jitsi"):
        r = await h.http.post(f"{h.base}/webhooks/{platform}", content=chunks(),
                              headers={"content-type": "application/json"})
        assert r.status_code == 413, (platform, r.status_code, r.text)


async def test_a_non_object_webhook_body_is_400(harness: Harness) -> None:
    h = harness
    for body in (b"[]", b"null", b"1", b'"x"', json.dumps({"event": 1}).encode()):
        raw, headers = zp.signed(body, h.clock.now())
        plain_4xx(await zoom_raw(h, raw, headers))


async def test_odd_bytes_in_credentials_are_refused(harness: Harness) -> None:
    h = harness
    session = await h.session("admin-jordan")
    cookie = session["Cookie"]
    odd = [{"Authorization": b"Bearer \xff\xfe"}, {"Authorization": "Bearer é".encode()},
           {"Cookie": b"__Host-tether=\xff\xfe"}, {"Cookie": "__Host-tether=é".encode()},
           {"Cookie": cookie, "X-CSRF-Token": b"\xff\xfe"},
           {"Cookie": cookie, "X-CSRF-Token": "é".encode()}]
    for headers in odd:
        r = await h.http.post(f"{h.base}/auth/logout", headers=headers)
        plain_4xx(r)
    for t in ("%FF%FE", "%FF.%FE", "abc.%FF"):
        plain_4xx(await h.http.get(f"{h.base}/api/checkin?t={t}"))
        plain_4xx(await h.http.post(f"{h.base}/api/jitsi/join?t={t}"))


async def test_oversize_chunked_configuration_is_413(harness: Harness) -> None:
    h = harness

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"x": "'
        for _ in range(2048):
            yield b"a" * 1024
        yield b'"}'

    r = await h.http.put(f"{h.base}/api/admin/config/groups", content=chunks(),
                         headers=h.token("admin-jordan") | {"If-Match": '"1"'})
    assert r.status_code == 413, (r.status_code, r.text)


ODD_JSON = [b"[]", b"null", b"1", b'"x"', b"{}", b'{"clients": [1, "x", null, {"id": 5}]}',
            b'{"clients": {"id": "client-001"}}', b'{"id": ["client-001"]}',
            b'{"id": "client-001", "code_words": 5, "safety_plan": "x"}',
            b'{"id": {"a": 1}, "name": null}', b'{"countries": 1e400}', b'{"a": NaN}',
            b'{"note": "\\ud800"}', "{\"id\": \"é\\u0000\"}".encode()]


VERSIONS: list[dict[str, Any]] = [{"If-Match": '"1"'}, {"If-None-Match": "*"},
                                  {"If-Match": "é".encode()}, {}]


@pytest.mark.parametrize("staff", ["admin-jordan", "clinlead-sasha"])
async def test_odd_json_to_the_admin_routes(harness: Harness, staff: str) -> None:
    h = harness
    calls = [("POST", "/api/admin/clients"), ("PUT", "/api/admin/clients/client-001"),
             ("PUT", "/api/admin/clients/client-new"), ("PUT", "/api/admin/directory"),
             ("PUT", "/api/admin/config/groups"), ("PUT", "/api/admin/config/staff"),
             ("POST", "/api/break-glass"), ("POST", "/api/admin/clients/client-001/code-words")]
    for method, path in calls:
        for body in ODD_JSON:
            for extra in VERSIONS:
                r = await h.http.request(method, h.base + path, content=body,
                                         headers=h.token(staff) | extra)
                assert r.status_code < 500, (method, path, body, extra, r.text)
