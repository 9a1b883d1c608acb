"""Every credential Tether mints is on the audit record as ``token.minted:<kind>``: who
asked (``actor``), for whom (``target``), what for (``purpose``) and from where
(``source``). Over real HTTP and Redis: check-in links, Jitsi session links, Jitsi join
tokens for a client, a staff member and the console, the in-meeting check-in token and
its one-time code. (A staff token from ``tether token``: tests/test_cli.py.)"""

from __future__ import annotations

from typing import Any

from tests import zoom_payloads as zp
from tests.checkin.test_checkin import link, started
from tests.conftest import Harness
from tests.jitsi.test_jitsi_join import (  # noqa: F401  (the Jitsi sidecar fixtures)
    ROOM,
    jh,
    jitsi_settings,
    joined,
    session,
)
from tests.zoom.test_zoom_checkin import ask, enter, group, newest_code
from tests.zoom.test_zoom_checkin import session as zoom_session

EMERY_PHONE = "+13125550113"


async def minted(h: Harness, kind: str) -> list[dict[str, Any]]:
    return [{k: e.get(k) for k in ("actor", "target", "purpose", "source")}
            for _, e in await h.tether.redis.xrange("{tether}:audit")
            if e["action"] == f"token.minted:{kind}"]


async def test_a_check_in_link_a_clinician_makes(harness: Harness) -> None:
    h = harness
    await started(h)
    await link(h)
    assert await minted(h, "checkin_link") == [{
        "actor": "lead-avery", "target": "client:client-001",
        "purpose": f"checkin:{zp.MEETING_UUID}", "source": "127.0.0.1"}]


async def test_a_jitsi_link_and_the_join_tokens(jh: Harness) -> None:  # noqa: F811
    h = jh
    await joined(h)
    meeting = session(h)
    assert await minted(h, "checkin_link") == [{
        "actor": "lead-avery", "target": "client:client-001",
        "purpose": f"jitsi-join:{meeting}", "source": "127.0.0.1"}]
    r = await h.http.post(f"{h.base}/api/jitsi/rooms/{ROOM}/token", headers=h.token())
    assert r.status_code == 200 and r.json()["jwt"]
    r = await h.http.get(f"{h.base}/api/jitsi/rooms/{ROOM}/console", headers=h.token())
    assert r.status_code == 200 and r.json()["jwt"]
    assert await minted(h, "jitsi_jwt") == [
        {"actor": "client:client-001", "target": "client:client-001",
         "purpose": f"join:{meeting}", "source": "127.0.0.1"},
        {"actor": "lead-avery", "target": "staff:lead-avery",
         "purpose": f"staff-join:{meeting}", "source": "127.0.0.1"},
        {"actor": "lead-avery", "target": "staff:lead-avery",
         "purpose": f"console:{meeting}", "source": "127.0.0.1"}]


async def test_the_in_meeting_code_and_token(harness: Harness) -> None:
    h = harness
    await started(h)
    await group(h)
    known = await zoom_session(h, uid="zUidEmery0003")  # Zoom names the client
    assert known.status_code == 200 and known.json()["token"], known.text
    asked = await ask(h, first_name="Emery", phone_last4="0113")
    assert asked.status_code == 200, asked.text
    assert await minted(h, "checkin_code") == [{
        "actor": "zoom-app", "target": "client:client-003",
        "purpose": f"in-meeting-checkin:{zp.MEETING_UUID}", "source": "127.0.0.1"}]
    ok = await enter(h, asked.json()["challenge"], newest_code(h, EMERY_PHONE))
    assert ok.status_code == 200, ok.text
    assert await minted(h, "checkin_link") == [
        {"actor": "client:client-003", "target": "client:client-003",
         "purpose": "in-meeting-checkin:uid", "source": "127.0.0.1"},
        {"actor": "client:client-003", "target": "client:client-003",
         "purpose": "in-meeting-checkin:code", "source": "127.0.0.1"}]
