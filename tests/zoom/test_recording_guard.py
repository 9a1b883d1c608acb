"""The recording guard: recording.started is an alert and, by policy, a stop through
Zoom's REST API (S2S OAuth), against a stand-in that answers as Zoom documents."""

from __future__ import annotations

import httpx
import pytest

from plugins.base import CommandFailed
from plugins.zoom.rest import ZoomRest, meeting_path_id
from sidecar.infra import keys
from tests import zoom_payloads as zp
from tests.conftest import (
    ZOOM_ACCOUNT,
    ZOOM_CLIENT_ID,
    ZOOM_CLIENT_SECRET,
    Harness,
    eventually,
)
from tests.zoom_rest_standin import ZoomRestStandIn

T0 = 1_800_000_000_000


def client(http: httpx.AsyncClient, url: str, secret: str = ZOOM_CLIENT_SECRET) -> ZoomRest:
    return ZoomRest(http, account_id=ZOOM_ACCOUNT, client_id=ZOOM_CLIENT_ID,
                    client_secret=secret, api_base_url=url, oauth_base_url=url)


def test_uuid_with_leading_or_double_slash_is_encoded_twice() -> None:
    assert meeting_path_id("abc/def==") == "abc%2Fdef%3D%3D"
    assert meeting_path_id("/abc==") == "%252Fabc%253D%253D"
    assert meeting_path_id("ab//c") == "ab%252F%252Fc"


async def test_token_is_cached_and_renewed_after_a_401(
        zoom_rest: tuple[ZoomRestStandIn, str]) -> None:
    standin, url = zoom_rest
    standin.live |= {"/live//uuid==", "other=="}
    async with httpx.AsyncClient() as http:
        zoom = client(http, url)
        await zoom.stop_recording("/live//uuid==")
        await zoom.stop_recording("other==")
        assert standin.tokens_issued == 1
        standin._tokens.clear()  # Zoom revoked it: 401, a fresh token, one retry
        await zoom.stop_recording("other==")
        assert standin.tokens_issued == 2
    assert standin.stopped == ["/live//uuid==", "other==", "other=="]


async def test_zoom_errors_become_clear_command_failures(
        zoom_rest: tuple[ZoomRestStandIn, str]) -> None:
    standin, url = zoom_rest
    async with httpx.AsyncClient() as http:
        with pytest.raises(CommandFailed) as not_live:
            await client(http, url).stop_recording("not-live==")
        assert not_live.value.final and "not live" in not_live.value.reason
        standin.live.add("m==")
        standin.rate_limited = 1
        with pytest.raises(CommandFailed) as limited:
            await client(http, url).stop_recording("m==")
        assert limited.value.retry_after_s == 1 and not limited.value.final
        with pytest.raises(CommandFailed) as bad_secret:
            await client(http, url, secret="wrong").stop_recording("m==")
        assert bad_secret.value.final


async def test_recording_started_is_stopped_and_on_the_timeline(harness: Harness) -> None:
    h = harness
    assert h.zoom_rest is not None
    h.zoom_rest.live.add(zp.MEETING_UUID)
    h.zoom_rest.rate_limited = 1  # the first try meets a 429 and comes back after Retry-After
    await h.zoom(zp.joined(T0, "pu-lead", "Avery (lead)"))
    await h.zoom(zp.meeting_event("recording.started", T0 + 1000))
    await h.settle()

    async def deferred() -> bool:  # the 429 was met; the retry waits for Retry-After
        job = await h.tether.redis.hgetall(keys.job(keys.meeting_job(
            zp.MEETING_UUID, f"recording:{zp.MEETING_UUID}:{T0 + 1000}")))
        return h.zoom_rest is not None and h.zoom_rest.rate_limited == 0 and \
            job.get("state") == "pending"

    await eventually(deferred, timeout=10)
    assert h.zoom_rest.stopped == []
    await h.advance(1.5)
    await eventually(lambda: _has(h, "recording.stop_requested"), timeout=10)
    assert h.zoom_rest.stopped == [zp.MEETING_UUID]
    kinds = await h.kinds()
    assert kinds.index("recording.started") < kinds.index("recording.stop_requested")


async def test_recording_of_a_meeting_not_live_is_reported(harness: Harness) -> None:
    h = harness
    await h.zoom(zp.joined(T0, "pu-lead", "Avery (lead)"))
    await h.zoom(zp.meeting_event("recording.started", T0 + 1000))
    await h.settle()
    await eventually(lambda: _has(h, "recording.stop_failed"), timeout=10)
    failed = next(e for e in await h.timeline() if e["kind"] == "recording.stop_failed")
    assert "not live" in failed["data"]["reason"]


@pytest.mark.parametrize("overrides", [{"recording_policy": {"on_start": "alert"}}])
async def test_alert_only_policy_does_not_call_zoom(harness: Harness) -> None:
    h = harness
    assert h.zoom_rest is not None
    h.zoom_rest.live.add(zp.MEETING_UUID)
    await h.zoom(zp.meeting_event("recording.started", T0 + 1000))
    await h.settle()
    await h.advance(5)
    assert "recording.started" in await h.kinds()
    assert h.zoom_rest.stopped == [] and h.zoom_rest.tokens_issued == 0


async def _has(h: Harness, kind: str) -> bool:
    return kind in await h.kinds()
