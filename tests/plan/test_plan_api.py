"""Plan links over real HTTP with real Redis and the Twilio stand-in: sent as texts, opened
through the cookie exchange (every open on the record), refused when expired, withdrawn or
altered, a failed text said plainly, and fresh links after a plan review."""

from __future__ import annotations

import asyncio

from sidecar.checkin.link_cookie import link_id
from sidecar.plan.sending import FAILED, MAX_ATTEMPTS
from tests.conftest import Harness, eventually
from tests.plan.flow import (
    CASEY,
    CASEY_PHONE,
    DANA,
    ROWAN,
    audit,
    listing,
    opened,
    prepared,
    send,
    texted,
)


async def test_a_sent_link_arrives_by_text_and_opens_through_the_cookie(
        harness: Harness) -> None:
    h = harness
    dana = await prepared(h)
    r = await send(h, ["client", dana])
    assert r.status_code == 202, r.text
    [url] = await texted(h, CASEY_PHONE)
    token = url.split("t=", 1)[1]
    assert "Casey" not in h.standin.messages[0]["body"]  # no name in a text

    first = await h.http.get(url)
    h.http.cookies.clear()
    assert first.status_code == 303
    assert first.headers["Location"] == f"/plan?link={link_id(token)}"
    assert first.headers["Set-Cookie"].endswith("Path=/plan; SameSite=Strict")
    assert "HttpOnly" in first.headers["Set-Cookie"]
    page = await opened(h, url)
    assert page.status_code == 200
    assert "Casey's safety plan" in page.text and "not sleeping for two nights" in page.text
    assert "Lincoln Trail Mobile Crisis Team" in page.text  # the directory, for her address
    assert 'href="tel:+13125550109">(312) 555-0109' in page.text  # the after-hours line
    assert "If your video drops in a session" in page.text
    assert token not in page.text

    lines = (await listing(h))["links"]
    mine = next(x for x in lines if x["person"] == "client")
    assert mine["opens"] == 1 and mine["seen"].startswith("Opened once, last ")
    assert mine["send"] == "sent" and mine["state"] == "active"
    [entry] = await audit(h, "plan.opened")
    assert entry["actor"] == f"client:{CASEY}" and entry["source"] == "127.0.0.1"

    [dana_url] = await texted(h, DANA)
    theirs = await opened(h, dana_url)
    assert "Supporting Casey" in theirs.text and "not sleeping for two nights" in theirs.text
    assert "blue umbrella" not in theirs.text  # Casey did not share her code words
    assert (await audit(h, "plan.opened"))[-1]["actor"] == f"contact:{CASEY}/{dana}"


async def test_without_the_scope_a_caregiver_page_holds_nothing_of_the_plan(
        harness: Harness) -> None:
    h = harness
    dana = await prepared(h, dana_plan=False)
    assert (await send(h, [dana])).status_code == 202
    [url] = await texted(h, DANA)
    page = (await opened(h, url)).text
    assert "Supporting Casey" in page and "Where to turn" in page
    assert "safety plan" not in page.lower() and "not sleeping" not in page
    assert "We may tell you if Casey is in crisis." in page


async def test_links_expire_on_the_programs_clock(harness: Harness) -> None:
    h = harness
    await prepared(h)
    await send(h, ["client"])
    [url] = await texted(h, CASEY_PHONE)
    h.clock.advance(29 * 86400)
    assert (await opened(h, url)).status_code == 200
    h.clock.advance(2 * 86400)
    gone = await opened(h, url)
    assert gone.status_code == 403 and "This page cannot open" in gone.text
    assert "has expired" in gone.text and 'href="tel:988"' in gone.text
    assert (await listing(h))["links"][0]["state"] == "expired"


async def test_a_withdrawn_or_altered_link_does_not_open(harness: Harness) -> None:
    h = harness
    dana = await prepared(h)
    await send(h, ["client", dana])
    [url] = await texted(h, CASEY_PHONE)
    [dana_url] = await texted(h, DANA)
    lid = next(x["id"] for x in (await listing(h))["links"] if x["person"] == "client")
    r = await h.http.post(f"{h.base}/api/admin/clients/{CASEY}/plan-links/revoke",
                          headers=h.token("admin-jordan"), json={"link": lid})
    assert r.json() == {"revoked": 1}
    refused = await opened(h, url)
    assert refused.status_code == 403 and "withdrawn by your care team" in refused.text
    assert (await opened(h, dana_url)).status_code == 200  # the other link still opens

    altered = dana_url[:-12] + ("A" if dana_url[-12] != "A" else "B") + dana_url[-11:]
    bad = await opened(h, altered)
    assert bad.status_code == 403 and "not valid" in bad.text and "Supporting" not in bad.text

    r = await h.http.post(f"{h.base}/api/admin/clients/{CASEY}/plan-links/revoke",
                          headers=h.token("admin-jordan"), json={})
    assert r.json() == {"revoked": 1}
    assert (await opened(h, dana_url)).status_code == 403
    assert {x["state"] for x in (await listing(h))["links"]} == {"revoked"}


async def test_who_cannot_be_sent_a_page_is_told_why(harness: Harness) -> None:
    h = harness
    await prepared(h)
    rowan = await h.tether.clients.get(ROWAN, actor="test", purpose="test")
    assert rowan is not None
    r = await send(h, [rowan.emergency_contacts[0].id], client=ROWAN)
    assert r.status_code == 400
    assert r.json()["error"] == ("Sam cannot be sent a page: Rowan has not agreed that we "
                                 "contact Sam.")
    r = await send(h, ["client"], client=ROWAN)
    assert r.status_code == 400 and "not agreed to texts" in r.json()["error"]
    quinn = await send(h, ["client"], staff="lead-quinn")  # not Casey's group
    assert quinn.status_code == 403


async def test_a_text_the_phone_service_refuses_is_said_plainly_and_kept(
        harness: Harness) -> None:
    h = harness
    await prepared(h)
    h.standin.sms_behaviour[CASEY_PHONE] = "refused"
    await send(h, ["client"])

    async def state(wanted: str) -> bool:
        return (await listing(h))["links"][0]["send"] == wanted
    await eventually(lambda: state("retrying"))
    for _ in range(MAX_ATTEMPTS * 4):  # the backoff, on the injected clock
        if await state("failed"):
            break
        h.clock.advance(10)
        await asyncio.sleep(0.1)
    assert await state("failed")
    line = (await listing(h))["links"][0]
    assert line["note"] == FAILED.format(n=MAX_ATTEMPTS)
    assert line["state"] == "active"  # the link itself is fine: send it again


async def test_a_plan_review_sends_fresh_links_and_withdraws_the_old(
        harness: Harness) -> None:
    h = harness
    dana = await prepared(h)
    await send(h, ["client", dana])
    [old_client] = await texted(h, CASEY_PHONE)
    [old_dana] = await texted(h, DANA)
    lead = h.token("clinlead-sasha")
    got = await h.http.get(f"{h.base}/api/admin/clients/{CASEY}", headers=lead)
    body = got.json()
    body["safety_plan"]["last_reviewed"] = "2027-01-14"
    for k in ("version", "code_words_count"):
        body.pop(k, None)
    r = await h.http.put(f"{h.base}/api/admin/clients/{CASEY}", json=body,
                         headers={**lead, "If-Match": got.headers["ETag"]})
    assert r.status_code == 200, r.text
    new_client = (await texted(h, CASEY_PHONE, 2))[1]
    new_dana = (await texted(h, DANA, 2))[1]
    assert (await opened(h, old_client)).status_code == 403
    assert (await opened(h, old_dana)).status_code == 403
    assert (await opened(h, new_client)).status_code == 200
    assert (await opened(h, new_dana)).status_code == 200
    assert [e["target"] for e in await audit(h, "plan.resent_after_review")] == [CASEY]
    # saving again with the same date sends nothing more
    again = await h.http.put(f"{h.base}/api/admin/clients/{CASEY}", json=body,
                             headers={**lead, "If-Match": r.headers["ETag"]})
    assert again.status_code == 200
    await h.tether.engine.run_due()
    assert len([m for m in h.standin.messages if m["to"] == CASEY_PHONE]) == 2


async def test_odd_links_and_bodies_get_a_plain_4xx(harness: Harness) -> None:
    h = harness
    for path in ("/plan?t=abc.%C3%A9", "/plan?t=" + "a" * 5000, "/plan", "/plan?link=zz"):
        r = await h.http.get(h.base + path)
        assert r.status_code == 403 and 'href="tel:988"' in r.text, path
    lead = h.token()
    for body in (b"[" * 100_000, b"\xff\xfe", b'{"people": []}', b'{"people": ["x"], "y": 1}'):
        r = await h.http.post(f"{h.base}/api/clients/{CASEY}/plan-links", content=body,
                              headers=lead)
        assert r.status_code == 400 and r.json()["error"], body[:20]
    r = await h.http.post(f"{h.base}/api/clients/{CASEY}/plan-links/revoke",
                          json={"link": "0" * 16}, headers=lead)
    assert r.status_code == 404
    r = await h.http.get(f"{h.base}/api/clients/no-such-client/plan-links", headers=lead)
    assert r.status_code in (403, 404)
