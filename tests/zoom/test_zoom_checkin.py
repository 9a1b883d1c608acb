"""Client check-in from inside the Zoom meeting (the app invitation), over real HTTP with
the Twilio stand-in: who the client is (their Zoom account, or a one-time code texted to
the number on file), the code's limits, what their token lets them see, linking their
roster row, never taking over another participant's check-in, and "I moved"."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import T0, join_group
from tests.checkin.test_checkin import GOOD, link
from tests.conftest import Harness
from tests.zoom.test_zoom_app import context

M = quote(zp.MEETING_UUID, safe="")
GUEST = ("pu-guest-7", "iPad")  # nobody we know by this name
EMERY_PHONE = "+13125550113"  # client-003, Zoom uid zUidEmery0003
ROWAN_PHONE = "+13125550112"  # client-002
SECOND = "mT3x/Second+Instance=="  # the same group's next meeting instance


async def group(h: Harness, meeting: str = zp.MEETING_UUID) -> None:
    for puuid, name in [("pu-casey-1", "Casey B"), ("pu-rowan-1", "Rowan T"),
                        ("pu-lead", "Avery (lead)"), GUEST]:
        body = zp.joined(T0 - 60_000, puuid, name)
        body["payload"]["object"]["uuid"] = meeting
        assert (await h.zoom(body)).status_code == 200
    await h.settle()


def _ctx(h: Harness, uid: str | None, meeting: str) -> str:
    return context(h, uid=uid, attendrole="participant", mid=meeting)


async def session(h: Harness, participant: str = GUEST[0], uid: str | None = None,
                  meeting: str = zp.MEETING_UUID) -> Any:
    return await h.http.post(f"{h.base}/api/zoom/checkin-session",
                             json={"context": _ctx(h, uid, meeting), "participant": participant})


async def ask(h: Harness, participant: str = GUEST[0], uid: str | None = None,
              meeting: str = zp.MEETING_UUID, **identify: str) -> Any:
    """Ask for a code: by first name and last 4 digits, or (none given) by Zoom account."""
    body: dict[str, Any] = {"context": _ctx(h, uid, meeting), "participant": participant}
    if identify:
        body["identify"] = identify
    return await h.http.post(f"{h.base}/api/zoom/checkin-code", json=body)


async def enter(h: Harness, challenge: str, code: str, participant: str = GUEST[0],
                uid: str | None = None, meeting: str = zp.MEETING_UUID) -> Any:
    return await h.http.post(f"{h.base}/api/zoom/checkin-code/verify", json={
        "context": _ctx(h, uid, meeting), "participant": participant,
        "challenge": challenge, "code": code})


def texts_to(h: Harness, phone: str) -> list[str]:
    return [m["body"] for m in h.standin.messages if m["to"] == phone]


def newest_code(h: Harness, phone: str) -> str:
    found = re.search(r"\b([0-9]{6})\b", texts_to(h, phone)[-1])
    assert found, texts_to(h, phone)
    return found.group(1)


def other_than(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


async def emery_code(h: Harness, participant: str = GUEST[0],
                     meeting: str = zp.MEETING_UUID) -> tuple[str, str]:
    """Ask for Emery's code as Emery would: the handle and the texted code."""
    r = await ask(h, participant, meeting=meeting, first_name="Emery", phone_last4="0113")
    assert r.status_code == 200, r.text
    return r.json()["challenge"], newest_code(h, EMERY_PHONE)


async def entries(h: Harness, kind: str, meeting: str = zp.MEETING_UUID) -> list[Any]:
    return [e["data"] for e in await h.timeline(meeting) if e["kind"] == kind]


def person(roster: dict[str, Any], participant: str) -> dict[str, Any]:
    return next(p for p in roster["people"] if p["participant"] == participant)


async def test_a_guest_gets_a_code_by_text_and_checks_in(harness: Harness) -> None:
    h = harness
    await group(h)
    asked = await session(h)
    assert asked.status_code == 401 and asked.json()["need"] == "identify"
    r = await ask(h, first_name=" émery ", phone_last4="0113")  # accents and case fold
    assert r.status_code == 200, r.text
    assert "We texted a code to the number ending 0113" in r.json()["message"]
    assert r.json()["sent_to"] == "0113"
    [text] = texts_to(h, EMERY_PHONE)
    code = newest_code(h, EMERY_PHONE)
    assert text.startswith("Harbor Light Evening IOP: your check-in code is " + code)
    assert "Emery" not in text and "Holloway" not in text  # the code and the program only

    stored = {k: await h.tether.redis.hgetall(k) async for k in
              h.tether.redis.scan_iter(match="{tether}:checkin-code*", _type="hash")}
    assert len(stored) == 2 and code not in str(stored)  # hashed, never in clear
    live = await h.tether.redis.pttl("{tether}:checkin-code:client-003")
    assert 0 < live <= 600_000

    wrong = await enter(h, r.json()["challenge"], other_than(code))
    assert wrong.status_code == 403 and wrong.json()["tries_left"] == 4
    assert "not right" in wrong.json()["error"]
    ok = await enter(h, r.json()["challenge"], code[:3] + " " + code[3:])  # as people type
    assert ok.status_code == 200, ok.text
    assert ok.json()["first_name"] == "Emery"
    again = await enter(h, r.json()["challenge"], code)
    assert again.status_code == 410  # a code works once

    token = ok.json()["token"]
    assert (await h.http.get(f"{h.base}/api/checkin?t={token}")).json()["checkin"] is None
    done = await h.http.post(f"{h.base}/api/checkin?t={token}", json=GOOD)
    assert done.status_code == 200 and done.json()["linked"] is True
    await h.settle()
    guest = person(await h.roster(), GUEST[0])
    assert guest["identity"] == "client" and guest["client"] == "client-003"
    assert await entries(h, "checkin.code_sent") == [{"client": "client-003"}]
    failed = await entries(h, "checkin.code_failed")
    assert failed[0] == {"client": "client-003", "reason": "wrong", "tries_left": 4,
                         "dead": False}
    assert await entries(h, "checkin.code_verified") == [{"client": "client-003"}]


async def test_details_that_match_nobody_get_the_same_answer_and_text_nobody(
        harness: Harness) -> None:
    h = harness
    await group(h)
    real = await ask(h, first_name="Emery", phone_last4="0113")
    decoy = await ask(h, first_name="Emery", phone_last4="0111")  # Casey's digits
    assert decoy.status_code == real.status_code == 200
    assert set(decoy.json()) == set(real.json())
    assert decoy.json()["message"] == real.json()["message"].replace("0113", "0111")
    assert len(h.standin.messages) == 1  # only Emery's own number was texted
    answers = [(await enter(h, decoy.json()["challenge"], f"{n:06d}")).json()
               for n in range(6)]
    assert [a.get("tries_left") for a in answers[:5]] == [4, 3, 2, 1, 0]
    assert "no longer works" in answers[5]["error"]  # as a real code would answer
    assert await entries(h, "checkin.unmatched") == [{"participant": GUEST[0],
                                                      "ambiguous": False}]
    assert {d["client"] for d in await entries(h, "checkin.code_failed")} == {None}


async def test_five_wrong_tries_end_a_code(harness: Harness) -> None:
    h = harness
    await group(h)
    challenge, code = await emery_code(h)
    tries = [await enter(h, challenge, other_than(code)) for _ in range(5)]
    assert [r.json()["tries_left"] for r in tries] == [4, 3, 2, 1, 0]
    assert tries[-1].json()["need"] == "new_code"
    late = await enter(h, challenge, code)  # the right code, after 5 wrong: dead
    assert late.status_code == 410 and late.json()["need"] == "new_code"
    failed = await entries(h, "checkin.code_failed")
    assert [d["dead"] for d in failed] == [False] * 4 + [True, True]
    assert failed[-1]["reason"] == "expired"


async def test_an_expired_code_is_refused(harness: Harness) -> None:
    h = harness
    await group(h)
    challenge, code = await emery_code(h)
    await h.advance(600)  # 10 minutes: still the last moment it works
    h.clock.advance(0.001)
    r = await enter(h, challenge, code)
    assert r.status_code == 410 and "expired" in r.json()["error"]
    assert (await entries(h, "checkin.code_failed"))[-1] == {
        "client": "client-003", "reason": "expired", "tries_left": 0, "dead": True}


async def test_a_fourth_code_within_the_hour_is_refused(harness: Harness) -> None:
    h = harness
    await group(h)
    handles = []
    for _ in range(3):
        challenge, _ = await emery_code(h)
        handles.append(challenge)
        await h.advance(60)
    first_code = re.findall(r"\b[0-9]{6}\b", texts_to(h, EMERY_PHONE)[0])[0]
    fourth = await ask(h, first_name="Emery", phone_last4="0113")
    assert fourth.status_code == 429 and "3 codes" in fourth.json()["error"]
    assert len(texts_to(h, EMERY_PHONE)) == 3  # no fourth text
    assert (await entries(h, "checkin.code_refused")) == [{"client": "client-003",
                                                           "reason": "hourly_cap"}]
    newest = newest_code(h, EMERY_PHONE)
    if first_code != newest:  # a newer code replaces the older ones
        assert (await enter(h, handles[0], first_code)).status_code == 403
    ok = await enter(h, fourth.json()["challenge"], newest)  # the newest still works
    assert ok.status_code == 200, ok.text
    await h.advance(3600 - 120)  # an hour after the first code
    assert (await ask(h, first_name="Emery", phone_last4="0113")).status_code == 200
    assert len(texts_to(h, EMERY_PHONE)) == 4


async def test_guessing_from_many_participants_and_meetings_stays_within_the_limits(
        harness: Harness) -> None:
    """A stranger who knows Emery's first name and last 4 digits tries from ten
    participant ids in two meeting instances. Only the client's limits apply: at most 3
    codes (texts) an hour and 5 guesses a code; no participant id or new instance resets
    them; the stranger's failures never stop Emery getting a code within the cap, and the
    cap is the only thing that can (until the hour is over)."""
    h = harness
    await group(h)
    await group(h, SECOND)
    challenge, _ = await ask_as_stranger(h, "pu-stranger-0", zp.MEETING_UUID)
    counted = 0
    for n in range(10):  # ten participant ids, each guessing twice
        for guess in (f"{n:03d}{n:03d}", f"{n + 10:03d}{n:03d}"):
            r = await enter(h, challenge, guess, participant=f"pu-stranger-{n}")
            counted += r.status_code == 403
    assert counted == 5  # one code: 5 guesses, whoever makes them

    mine, code = await emery_code(h)  # the real client still gets a code, and it works
    assert (await enter(h, mine, code)).status_code == 200

    third, _ = await ask_as_stranger(h, "pu-stranger-20", SECOND)  # a new instance
    for n in range(21, 25):
        r = await ask(h, f"pu-stranger-{n}", meeting=SECOND, first_name="Emery",
                      phone_last4="0113")
        assert r.status_code == 429  # the cap is the client's, not the meeting's
    assert len(texts_to(h, EMERY_PHONE)) == 3
    wrong = [await enter(h, third, f"{n:06d}", participant=f"pu-stranger-{n}",
                         meeting=SECOND) for n in range(30, 40)]
    assert sum(r.status_code == 403 for r in wrong) == 5  # 15 guesses an hour at most

    blocked = await ask(h, GUEST[0], meeting=SECOND, first_name="Emery", phone_last4="0113")
    assert blocked.status_code == 429  # the documented price of the cap: wait, or a link
    await h.advance(3600)
    mine, code = await emery_code(h, GUEST[0], SECOND)
    assert (await enter(h, mine, code, meeting=SECOND)).status_code == 200
    failed = (await entries(h, "checkin.code_failed")
              + await entries(h, "checkin.code_failed", SECOND))
    assert len(failed) == 30 and {d["client"] for d in failed} == {"client-003"}


async def ask_as_stranger(h: Harness, participant: str, meeting: str) -> tuple[str, str]:
    r = await ask(h, participant, meeting=meeting, first_name="Emery", phone_last4="0113")
    assert r.status_code == 200, r.text
    return r.json()["challenge"], newest_code(h, EMERY_PHONE)


async def test_a_text_that_cannot_be_sent_says_so_and_alerts_the_panel(
        harness: Harness) -> None:
    h = harness
    await group(h)
    h.standin.sms_behaviour[EMERY_PHONE] = "refused"
    r = await ask(h, first_name="Emery", phone_last4="0113")
    assert r.status_code == 502
    assert r.json()["error"] == ("We could not text a code; your care team will text you "
                                 "a link.")
    assert await entries(h, "alert.checkin_code_unsent") == [{"client": "client-003",
                                                              "reason": "provider"}]
    assert await h.tether.redis.exists("{tether}:checkin-code:client-003") == 0


async def test_a_signed_in_client_is_known_by_their_zoom_account(harness: Harness) -> None:
    h = harness
    await group(h)
    r = await session(h, uid="zUidEmery0003")  # on client-003's record
    assert r.status_code == 200 and r.json()["first_name"] == "Emery"
    staff_like = await session(h, uid="zUidNobody")  # a Zoom account we do not hold
    assert staff_like.status_code == 401 and staff_like.json()["need"] == "identify"
    by_account = await ask(h, uid="zUidEmery0003")  # a code with nothing typed
    assert by_account.status_code == 200 and by_account.json()["sent_to"] == "0113"
    assert (await ask(h, uid="zUidNobody")).status_code == 401


async def test_a_checkin_linked_to_another_participant_needs_the_code(
        harness: Harness) -> None:
    h = harness
    await group(h)
    challenge, code = await emery_code(h)  # Emery checks in on the iPad
    token = (await enter(h, challenge, code)).json()["token"]
    assert (await h.http.post(f"{h.base}/api/checkin?t={token}", json=GOOD)).json()["linked"]
    await h.settle()

    laptop = ("pu-emery-laptop", "Emery's laptop")
    assert (await h.zoom(zp.joined(T0 - 10_000, *laptop))).status_code == 200
    await h.settle()
    by_uid = (await session(h, laptop[0], uid="zUidEmery0003")).json()["token"]
    decoy = GOOD | {"location": GOOD["location"] | {"street": "1 Decoy Road"}}
    read = await h.http.get(f"{h.base}/api/checkin?t={by_uid}")
    assert read.status_code == 409 and read.json()["need"] == "code"
    assert "Marigold" not in read.text
    write = await h.http.post(f"{h.base}/api/checkin?t={by_uid}", json=decoy)
    assert write.status_code == 409 and write.json()["need"] == "code"
    card = (await h.http.get(f"{h.base}/api/meetings/{M}/clients/client-003/dispatch",
                             headers=h.token())).json()
    assert "Marigold" in card["address"]  # unchanged

    sent = await ask(h, laptop[0], uid="zUidEmery0003")  # the code step, by Zoom account
    code = newest_code(h, EMERY_PHONE)
    proven = (await enter(h, sent.json()["challenge"], code, laptop[0])).json()["token"]
    assert (await h.http.get(f"{h.base}/api/checkin?t={proven}")).json()["checkin"]
    moved = await h.http.post(f"{h.base}/api/checkin?t={proven}", json=decoy)
    assert moved.status_code == 200
    card = (await h.http.get(f"{h.base}/api/meetings/{M}/clients/client-003/dispatch",
                             headers=h.token())).json()
    assert "1 Decoy Road" in card["address"]


async def test_a_token_opens_only_its_own_checkin(harness: Harness) -> None:
    h = harness
    await group(h)
    casey = (await link(h, "client-001")).split("t=", 1)[1]
    assert (await h.http.post(f"{h.base}/api/checkin?t={casey}", json=GOOD)).status_code == 200
    r = await ask(h, first_name="Rowan", phone_last4="0112")
    rowan = (await enter(h, r.json()["challenge"], newest_code(h, ROWAN_PHONE))).json()["token"]
    mine = (await h.http.get(f"{h.base}/api/checkin?t={rowan}")).json()
    assert mine["checkin"] is None  # Casey's check-in exists, Rowan's token cannot see it
    own = (await h.http.get(f"{h.base}/api/checkin?t={casey}")).json()["checkin"]
    assert own["location"]["room"] == "kitchen" and "client" not in own


async def test_a_row_that_is_somebody_else_is_never_relinked(harness: Harness) -> None:
    h = harness
    await group(h)
    # Rowan's app reports Casey's participant id (a bug, or a trick): no relink
    r = await ask(h, "pu-casey-1", first_name="Rowan", phone_last4="0112")
    token = (await enter(h, r.json()["challenge"], newest_code(h, ROWAN_PHONE),
                         "pu-casey-1")).json()["token"]
    done = await h.http.post(f"{h.base}/api/checkin?t={token}", json=GOOD)
    assert done.status_code == 200 and done.json()["linked"] is False
    await h.settle()
    assert person(await h.roster(), "pu-casey-1")["client"] == "client-001"


async def test_bad_bodies_contexts_and_unknown_meetings_get_clear_answers(
        harness: Harness) -> None:
    h = harness
    await group(h)
    guess = {"context": _ctx(h, None, zp.MEETING_UUID),
             "identify": {"first_name": "Emery", "phone_last4": "0113"}}
    old_way = await h.http.post(f"{h.base}/api/zoom/checkin-session", json=guess)
    assert old_way.status_code == 400  # details alone never open a check-in any more
    bad = await ask(h, first_name="Emery")
    assert bad.status_code == 400 and "phone_last4" in bad.json()["error"]
    challenge, code = await emery_code(h)
    typo = await enter(h, challenge, "12ab")
    assert typo.status_code == 400 and "6 digits" in typo.json()["error"]
    assert (await enter(h, challenge, code)).status_code == 200  # a typo is not a try
    elsewhere = await enter(h, challenge, code, meeting=SECOND)
    assert elsewhere.status_code == 404  # a meeting Tether does not know
    expired = context(h, uid=None, exp=int(h.clock.now() * 1000) - 1)
    r = await h.http.post(f"{h.base}/api/zoom/checkin-session", json={"context": expired})
    assert r.status_code == 403 and "expired" in r.json()["error"]
    other = context(h, uid=None, mid="SomeOtherMeeting==")
    r = await h.http.post(f"{h.base}/api/zoom/checkin-code", json={"context": other})
    assert r.status_code == 404 and "text you a check-in link" in r.json()["error"]


async def test_i_moved_makes_the_checkin_stale_until_updated(harness: Harness) -> None:
    h = harness
    await join_group(h)
    await h.settle()
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
