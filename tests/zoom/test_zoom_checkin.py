"""Client check-in from inside the Zoom meeting (the app invitation), over HTTP: who the
client is, what their token lets them see, linking their roster row, and "I moved"."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import T0, join_group
from tests.checkin.test_checkin import GOOD, link
from tests.conftest import Harness
from tests.zoom.test_zoom_app import context

M = quote(zp.MEETING_UUID, safe="")
GUEST = ("pu-guest-7", "iPad")  # nobody we know by this name


async def group(h: Harness) -> None:
    await join_group(h)
    assert (await h.zoom(zp.joined(T0 - 30_000, *GUEST))).status_code == 200
    await h.settle()


async def session(h: Harness, participant: str = GUEST[0], uid: str | None = None,
                  **identify: str) -> Any:
    body: dict[str, Any] = {"context": context(h, uid=uid, attendrole="participant"),
                            "participant": participant}
    if identify:
        body["identify"] = identify
    return await h.http.post(f"{h.base}/api/zoom/checkin-session", json=body)


def person(roster: dict[str, Any], participant: str) -> dict[str, Any]:
    return next(p for p in roster["people"] if p["participant"] == participant)


async def test_a_guest_says_who_they_are_and_their_row_is_linked(harness: Harness) -> None:
    h = harness
    await group(h)
    asked = await session(h)
    assert asked.status_code == 401 and asked.json()["need"] == "identify"
    wrong = await session(h, first_name="Emery", phone_last4="0111")  # Casey's digits
    assert wrong.status_code == 403 and "could not match" in wrong.json()["error"]
    unmatched = [e for e in await h.timeline() if e["kind"] == "checkin.unmatched"]
    assert unmatched[-1]["data"] == {"participant": GUEST[0], "blocked": False}

    ok = await session(h, first_name=" émery ", phone_last4="0113")  # accents and case fold
    assert ok.status_code == 200, ok.text
    assert ok.json()["first_name"] == "Emery"
    token = ok.json()["token"]
    assert (await h.http.get(f"{h.base}/api/checkin?t={token}")).json()["checkin"] is None
    r = await h.http.post(f"{h.base}/api/checkin?t={token}", json=GOOD)
    assert r.status_code == 200 and r.json()["linked"] is True
    await h.settle()
    guest = person(await h.roster(), GUEST[0])
    assert guest["identity"] == "client" and guest["client"] == "client-003"
    linked = next(e for e in await h.timeline() if e["kind"] == "participant.linked")
    assert linked["data"]["by"] == "client:client-003"
    assert (await h.roster())["checkins"]["client-003"]["checked_in_at"] is not None


async def test_a_signed_in_client_is_known_by_their_zoom_account(harness: Harness) -> None:
    h = harness
    await group(h)
    r = await session(h, uid="zUidEmery0003")  # on client-003's record
    assert r.status_code == 200 and r.json()["first_name"] == "Emery"
    staff_like = await session(h, uid="zUidNobody")  # a Zoom account we do not hold
    assert staff_like.status_code == 401 and staff_like.json()["need"] == "identify"


async def test_a_token_opens_only_its_own_checkin(harness: Harness) -> None:
    h = harness
    await group(h)
    casey = (await link(h, "client-001")).split("t=", 1)[1]
    assert (await h.http.post(f"{h.base}/api/checkin?t={casey}", json=GOOD)).status_code == 200
    rowan = (await session(h, first_name="Rowan", phone_last4="0112")).json()["token"]
    mine = (await h.http.get(f"{h.base}/api/checkin?t={rowan}")).json()
    assert mine["checkin"] is None  # Casey's check-in exists, Rowan's token cannot see it
    own = (await h.http.get(f"{h.base}/api/checkin?t={casey}")).json()["checkin"]
    assert own["location"]["room"] == "kitchen" and "client" not in own


async def test_a_row_that_is_somebody_else_is_never_relinked(harness: Harness) -> None:
    h = harness
    await group(h)
    # Rowan's app reports Casey's participant id (a bug, or a trick): no relink
    r = await session(h, participant="pu-casey-1", first_name="Rowan", phone_last4="0112")
    token = r.json()["token"]
    done = await h.http.post(f"{h.base}/api/checkin?t={token}", json=GOOD)
    assert done.status_code == 200 and done.json()["linked"] is False
    await h.settle()
    assert person(await h.roster(), "pu-casey-1")["client"] == "client-001"


async def test_guessing_is_cut_off_and_the_team_is_told(harness: Harness) -> None:
    h = harness
    await group(h)
    answers = [(await session(h, first_name="Emery", phone_last4=f"{n:04d}")).status_code
               for n in range(5)]
    assert answers == [403, 403, 403, 403, 429]
    right = await session(h, first_name="Emery", phone_last4="0113")
    assert right.status_code == 429 and "text you a check-in link" in right.json()["error"]
    last = [e for e in await h.timeline() if e["kind"] == "checkin.unmatched"][-1]
    assert last["data"]["blocked"] is True
    other = await session(h, participant="pu-other-2", first_name="Emery", phone_last4="0113")
    assert other.status_code == 200  # the block is per participant (and per meeting at 30)
    bad = await session(h, first_name="Emery")
    assert bad.status_code == 400 and "phone_last4" in bad.json()["error"]


async def test_bad_contexts_and_unknown_meetings_get_clear_answers(harness: Harness) -> None:
    h = harness
    await group(h)
    expired = context(h, uid=None, exp=int(h.clock.now() * 1000) - 1)
    r = await h.http.post(f"{h.base}/api/zoom/checkin-session", json={"context": expired})
    assert r.status_code == 403 and "expired" in r.json()["error"]
    elsewhere = context(h, uid=None, mid="SomeOtherMeeting==")
    r = await h.http.post(f"{h.base}/api/zoom/checkin-session", json={"context": elsewhere})
    assert r.status_code == 404 and "text you a check-in link" in r.json()["error"]


async def test_i_moved_makes_the_checkin_stale_until_updated(harness: Harness) -> None:
    h = harness
    await group(h)
    token = (await link(h, "client-001")).split("t=", 1)[1]
    early = await h.http.post(f"{h.base}/api/checkin/moved?t={token}")
    assert early.status_code == 409 and "not checked in" in early.json()["error"]
    await h.http.post(f"{h.base}/api/checkin?t={token}", json=GOOD)
    h.clock.advance(600)
    moved = await h.http.post(f"{h.base}/api/checkin/moved?t={token}")
    assert moved.status_code == 200
    state = (await h.roster())["checkins"]["client-001"]
    assert state["stale"] is True and state["moved_at"] > state["checked_in_at"]
    card = (await h.http.get(f"{h.base}/api/meetings/{M}/clients/client-001/dispatch",
                             headers=h.token())).json()
    assert card["stale"] is True and card["room"] == "kitchen"  # last known, flagged stale
    assert (await h.http.get(f"{h.base}/api/checkin?t={token}")).json()["stale"] is True

    h.clock.advance(60)
    upstairs = GOOD | {"location": GOOD["location"] | {"room": "bedroom upstairs"}}
    await h.http.post(f"{h.base}/api/checkin?t={token}", json=upstairs)
    state = (await h.roster())["checkins"]["client-001"]
    assert state["stale"] is False
    card = (await h.http.get(f"{h.base}/api/meetings/{M}/clients/client-001/dispatch",
                             headers=h.token())).json()
    assert card["stale"] is False and card["room"] == "bedroom upstairs"
    submitted = [e["data"]["update"] for e in await h.timeline()
                 if e["kind"] == "checkin.submitted"]
    assert submitted == [False, True]
    assert "checkin.moved" in await h.kinds()
