"""The Jitsi join gate over real HTTP and Redis: no check-in, no token; a checked-in client
gets the room's join token (and their opaque user id maps back to them); staff get
moderator tokens; bad, foreign and expired links are refused; links can be texted."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from plugins.jitsi.tokens import Acceptance, verify
from sidecar.app import create_app
from sidecar.infra import keys
from sidecar.infra.clock import FakeClock
from sidecar.infra.telephony.standin import TwilioStandIn
from sidecar.jitsi.deps import JITSI as JITSI_ROUTES
from sidecar.jitsi.gate import local_day, session_of
from tests import conftest
from tests.checkin.test_checkin import GOOD
from tests.conftest import Harness, client_file, free_port, program_config

ROOM = "tuesday-evening-group"
DOMAIN = "meet.example.org"
SECRET = "synthetic-jitsi-app-secret-0123456789abcdef"
JITSI: dict[str, Any] = {"jitsi_app_id": "tether-app", "jitsi_app_secret": SecretStr(SECRET),
                         "jitsi_domain": DOMAIN, "jitsi_audience": "jitsi"}
ACCEPT = Acceptance("HS256", SECRET, issuers=["tether-app"], audiences=["jitsi"])


@contextlib.asynccontextmanager
async def jitsi_sidecar(redis_url: str, tmp_path: Path, standin: tuple[TwilioStandIn, str],
                        policy: dict[str, Any], jitsi: dict[str, Any]
                        ) -> AsyncIterator[Harness]:
    """conftest's running sidecar, with the Jitsi settings of the test."""
    port = free_port()
    clock = FakeClock()
    settings = conftest.test_settings(redis_url, tmp_path, port, standin[1]).model_copy(
        update=jitsi)
    server = TestServer(create_app(settings, program_config(**policy), clock),
                        host="127.0.0.1", port=port)
    await server.start_server()
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            h = Harness(f"http://127.0.0.1:{port}", http, clock, server.app, standin[0])
            for record in client_file().clients:
                await h.tether.clients.put(record, actor="test")
            yield h
    finally:
        await server.close()


@pytest.fixture
def jitsi_settings() -> dict[str, Any]:
    return dict(JITSI)


@pytest.fixture
async def jh(redis_url: str, tmp_path: Path, standin: tuple[TwilioStandIn, str],
             policy: dict[str, Any], jitsi_settings: dict[str, Any]) -> AsyncIterator[Harness]:
    async with jitsi_sidecar(redis_url, tmp_path, standin, policy, jitsi_settings) as h:
        yield h


def session(h: Harness) -> str:
    return session_of(ROOM, local_day(h.clock.now(), h.tether.config.program.time_zone))


async def join_link(h: Harness, client: str = "client-001", staff: str = "lead-avery",
                    **body: Any) -> str:
    r = await h.http.post(f"{h.base}/api/jitsi/rooms/{ROOM}/clients/{client}/join-link",
                          json=body, headers=h.token(staff))
    assert r.status_code == 200, r.text
    assert r.json()["meeting"] == session(h)
    url: str = r.json()["url"]
    assert url.startswith(f"{h.tether.settings.tether_public_url}/join/{ROOM}?t=")
    return url


def token_of(url: str) -> str:
    return url.split("t=", 1)[1]


async def check_in(h: Harness, token: str) -> None:
    r = await h.http.post(f"{h.base}/api/checkin?t={token}", json=GOOD)
    assert r.status_code == 200, r.text


async def joined(h: Harness, client: str = "client-001") -> tuple[str, dict[str, Any]]:
    """A checked-in client's link token and the join answer."""
    token = token_of(await join_link(h, client))
    await check_in(h, token)
    r = await h.http.post(f"{h.base}/api/jitsi/join?t={token}")
    assert r.status_code == 200, r.text
    return token, dict(r.json())


async def test_no_checkin_no_token_then_the_token_after_checking_in(jh: Harness) -> None:
    h = jh
    token = token_of(await join_link(h))
    r = await h.http.post(f"{h.base}/api/jitsi/join?t={token}")
    assert r.status_code == 409 and r.json() == {"error": "check in first"}
    assert "jwt" not in r.text
    await check_in(h, token)
    r = await h.http.post(f"{h.base}/api/jitsi/join?t={token}")
    assert r.status_code == 200
    answer = r.json()
    assert answer["domain"] == DOMAIN and answer["room"] == ROOM
    assert answer["meeting"] == session(h) and answer["display_name"] == "Casey"
    claims = verify(answer["jwt"], ACCEPT, room=ROOM, now=h.clock.now())
    assert claims["sub"] == DOMAIN and claims["exp"] > h.clock.now()
    user = claims["context"]["user"]
    assert set(user) == {"id", "name"} and user["name"] == "Casey"  # no moderator
    assert "client-001" not in user["id"]  # opaque
    assert await h.tether.redis.hget(keys.PLATFORM_USERS, user["id"]) == "client:client-001"
    roster = await h.roster(session(h))  # the check-in is this Jitsi session's
    assert roster["checkins"]["client-001"]["checked_in_at"] is not None
    again = (await h.http.post(f"{h.base}/api/jitsi/join?t={token}")).json()
    assert verify(again["jwt"], ACCEPT, room=ROOM, now=h.clock.now())["context"]["user"][
        "id"] == user["id"]  # stable


async def test_join_page_is_the_checkin_form_with_its_own_csp(jh: Harness) -> None:
    h = jh
    r = await h.http.get(await join_link(h), follow_redirects=True)
    assert r.status_code == 200
    assert "Where are you right now?" in r.text and "/static/join.js" in r.text
    assert "/static/checkin.js" in r.text
    csp = r.headers["Content-Security-Policy"]
    assert f"script-src 'self' https://{DOMAIN};" in csp and f"frame-src https://{DOMAIN};" in csp
    assert "connect-src 'self';" in csp
    assert DOMAIN not in (await h.http.get(f"{h.base}/panel")).headers["Content-Security-Policy"]
    js = await h.http.get(f"{h.base}/static/join.js")
    assert js.status_code == 200 and "videoConferenceJoined" in js.text


async def test_bad_foreign_and_expired_links_are_refused(jh: Harness) -> None:
    h = jh
    token = token_of(await join_link(h))
    body, mac, kid = token.split(".")
    forged = f"{body[:-2]}xx.{mac}.{kid}"
    assert (await h.http.get(f"{h.base}/join/{ROOM}?t={forged}")).status_code == 403
    r = await h.http.post(f"{h.base}/api/jitsi/join?t={forged}")
    assert r.status_code == 403 and "not valid" in r.json()["error"]
    beat = {"participant": "abcd1234", "page": "p1", "seq": 1}
    assert (await h.http.post(f"{h.base}/api/jitsi/heartbeat?t={forged}",
                              json=beat)).status_code == 403
    assert (await h.http.get(f"{h.base}/join/thursday-group?t={token}")).status_code == 403
    zoom_link = h.tether.links.issue("zoom-uuid==", "client-001",
                                     int(h.clock.now() * 1000) + 60_000)
    r = await h.http.post(f"{h.base}/api/jitsi/join?t={zoom_link}")
    assert r.status_code == 403 and "not for this group" in r.json()["error"]
    await check_in(h, token)
    h.clock.advance(27 * 3600)  # past the end of the link's day and its grace
    r = await h.http.post(f"{h.base}/api/jitsi/join?t={token}")
    assert r.status_code == 403 and "expired" in r.json()["error"]
    assert (await h.http.get(f"{h.base}/join/{ROOM}?t={token}")).status_code == 403


async def test_staff_get_moderator_tokens(jh: Harness) -> None:
    h = jh
    url = f"{h.base}/api/jitsi/rooms/{ROOM}/token"
    assert (await h.http.post(url)).status_code == 401
    assert (await h.http.post(url, headers=h.token("admin-jordan"))).status_code == 403
    assert (await h.http.post(f"{h.base}/api/jitsi/rooms/nowhere-room/token",
                              headers=h.token())).status_code == 404
    r = await h.http.post(url, headers=h.token("cofac-morgan"))
    assert r.status_code == 200 and r.json()["meeting"] == session(h)
    user = verify(r.json()["jwt"], ACCEPT, room=ROOM, now=h.clock.now())["context"]["user"]
    assert user["moderator"] is True and user["affiliation"] == "owner"
    assert user["name"] == "Morgan Ostrander"
    assert await h.tether.redis.hget(keys.PLATFORM_USERS, user["id"]) == "staff:cofac-morgan"
    console = await h.app[JITSI_ROUTES].jitsi_moderator_token(ROOM, "lead-avery")  # console
    assert console is not None
    assert verify(console, ACCEPT, room=ROOM, now=h.clock.now())["context"]["user"][
        "moderator"] is True


async def test_links_for_clients_of_the_group_texted_on_request(jh: Harness) -> None:
    h = jh
    base = f"{h.base}/api/jitsi/rooms/{ROOM}/clients"
    assert (await h.http.post(f"{base}/client-999/join-link",
                              headers=h.token())).status_code == 404
    assert (await h.http.post(f"{base}/client-001/join-link",  # an admin is not the care team
                              headers=h.token("admin-jordan"))).status_code == 403
    assert (await h.http.post(f"{base}/client-001/join-link", json={"day": "2026-01-01"},
                              headers=h.token())).status_code == 400
    r = await h.http.post(f"{base}/client-002/join-link", json={"send_sms": True},
                          headers=h.token())
    assert r.status_code == 200 and r.json()["sms_sent"] is True
    sms = [m for m in h.standin.messages if m["to"] == "+13125550112"]
    assert len(sms) == 1 and r.json()["url"] in sms[0]["body"]
    assert "Rowan" not in sms[0]["body"]  # the link only
    assert "checkin.link_sent" in await h.kinds_of(session(h))
    tomorrow = await h.http.post(f"{base}/client-002/join-link", json={"day": "2027-01-16"},
                                 headers=h.token())
    assert tomorrow.json()["meeting"] == f"{ROOM}~2027-01-16"


@pytest.mark.parametrize("jitsi_settings", [{}])  # meet.jit.si: no app id, no key
async def test_without_a_key_the_join_carries_no_token(jh: Harness) -> None:
    h = jh
    token, answer = await joined(h)
    assert answer["jwt"] is None and answer["domain"] == "meet.jit.si"
    uid = h.tether.jitsi.user_id("client:client-001")
    assert await h.tether.redis.hget(keys.PLATFORM_USERS, uid) == "client:client-001"
    r = await h.http.post(f"{h.base}/api/jitsi/rooms/{ROOM}/token", headers=h.token())
    assert r.status_code == 200 and r.json()["jwt"] is None
    page = await h.http.get(f"{h.base}/join/{ROOM}?t={token}", follow_redirects=True)
    assert "https://meet.jit.si" in page.headers["Content-Security-Policy"]
