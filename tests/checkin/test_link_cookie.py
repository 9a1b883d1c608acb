"""A texted link's token leaves the URL on the first request: 303 to ``?link=<id>`` with
the token in HttpOnly, SameSite=Strict cookies for the flow's API paths and with the link's
expiry; the API takes the cookie where it took ``?t=`` (which still works). Over HTTP, then
in real headless Chromium arriving from another site as a tapped link does: no script on
the page can read the token, a reload mid-flow works, the link opens again."""

from __future__ import annotations

import json
from typing import Any

from sidecar.checkin.link_cookie import link_id
from sidecar.checkin.routes import LINK_GONE, MOMENT_GRACE_MS
from sidecar.checkin.sms import LINK_TTL_MS
from tests.axe import assert_accessible
from tests.checkin.test_checkin import (  # noqa: F401  (the Chromium fixture)
    ARTIFACTS,
    GOOD,
    M,
    browser,
    fill,
    link,
    started,
)
from tests.conftest import Harness

SMS_APP = "http://sms.example.org/"  # another site, as a tapped link comes from
# what a script on the page can read of where it is and how it got there
READABLE = """() => JSON.stringify({href: location.href, cookie: document.cookie,
  referrer: document.referrer, history: history.length,
  entries: performance.getEntries().map(e => e.name),
  local: Object.assign({}, localStorage), session: Object.assign({}, sessionStorage)})"""


def cookies(response: Any) -> dict[str, str]:
    """Set-Cookie headers by path."""
    out = {}
    for line in response.headers.get_list("Set-Cookie"):
        path = next(p.split("=", 1)[1] for p in line.split("; ") if p.startswith("Path="))
        out[path] = line
    return out


async def test_the_first_request_trades_the_token_for_a_cookie(harness: Harness) -> None:
    h = harness
    await started(h)
    url = await link(h)
    token = url.split("t=", 1)[1]
    lid = link_id(token)
    first = await h.http.get(url)
    assert first.status_code == 303 and first.headers["Location"] == f"/checkin?link={lid}"
    assert first.headers["Cache-Control"] == "no-store" and token not in first.headers[
        "Location"]
    set_ = cookies(first)
    h.http.cookies.clear()  # each call below says which cookie it sends
    assert set(set_) == {"/api/checkin", "/api/checkin/moment"}
    ttl_s = LINK_TTL_MS // 1000
    assert set_["/api/checkin"] == (f"tether-link-{lid}={token}; HttpOnly; Max-Age={ttl_s}; "
                                    "Path=/api/checkin; SameSite=Strict")
    assert set_["/api/checkin/moment"] == (
        f"tether-moment-{lid}={token}; HttpOnly; Max-Age={ttl_s + MOMENT_GRACE_MS // 1000}; "
        "Path=/api/checkin/moment; SameSite=Strict")
    page = await h.http.get(f"{h.base}/checkin?link={lid}")  # a reload: the form, no token
    assert page.status_code == 200 and "Where are you right now?" in page.text
    assert "Set-Cookie" not in page.headers and token not in page.text

    jar = {"Cookie": f"tether-link-{lid}={token}"}
    mine = await h.http.get(f"{h.base}/api/checkin?link={lid}", headers=jar)
    assert mine.status_code == 200 and mine.json()["checkin"] is None
    sent = await h.http.post(f"{h.base}/api/checkin?link={lid}", headers=jar, json=GOOD)
    assert sent.status_code == 200, sent.text
    old = await h.http.get(f"{h.base}/api/checkin?t={token}")  # old links keep working
    assert old.status_code == 200 and old.json()["checkin"]["location"]["room"] == "kitchen"

    gone = await h.http.get(f"{h.base}/api/checkin?link={lid}")  # no cookie in this browser
    assert gone.status_code == 403 and gone.json()["error"] == LINK_GONE
    other = await h.http.get(f"{h.base}/api/checkin?link={'0' * 16}", headers=jar)
    assert other.status_code == 403  # a cookie answers only for its own link
    again = await h.http.get(url)  # the same link opened again: a fresh cookie
    h.http.cookies.clear()
    assert again.status_code == 303 and cookies(again)["/api/checkin"] == set_["/api/checkin"]


async def test_a_call_for_help_outlives_the_link_by_its_grace(harness: Harness) -> None:
    h = harness
    await started(h)
    token = (await link(h)).split("t=", 1)[1]
    lid = link_id(token)
    h.clock.advance(LINK_TTL_MS / 1000 + 60)  # the link cookie has gone with the link
    moment = {"Cookie": f"tether-moment-{lid}={token}"}
    r = await h.http.post(f"{h.base}/api/checkin/moment?link={lid}", headers=moment)
    assert r.status_code == 200, r.text
    r = await h.http.get(f"{h.base}/api/checkin?link={lid}", headers=moment)
    assert r.status_code == 403  # the moment's cookie opens nothing else


async def _reads_no_token(page: Any, token: str) -> dict[str, Any]:
    seen = json.loads(await page.evaluate(READABLE))
    assert token not in json.dumps(seen) and "t=" not in seen["href"]
    assert seen["cookie"] == ""  # HttpOnly: nothing for a script
    return dict(seen)


async def test_in_chromium_from_a_texted_link(harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    await started(h)
    url = await link(h)
    token = url.split("t=", 1)[1]
    context = await browser.new_context(viewport={"width": 400, "height": 900})
    page = await context.new_page()
    await page.route(SMS_APP, lambda route: route.fulfill(
        status=200, content_type="text/html",
        body=f'<!doctype html><title>Messages</title><a id="tap" href="{url}">{url}</a>'))
    await page.goto(SMS_APP)
    await page.click("#tap")  # a cross-site navigation, as from a messages app
    await page.locator("#checkin").wait_for(state="visible")
    seen = await _reads_no_token(page, token)
    assert seen["href"] == f"{h.base}/checkin?link={link_id(token)}"
    stored = {c["name"]: c for c in await context.cookies()}
    jar = stored[f"tether-link-{link_id(token)}"]
    assert jar["httpOnly"] and jar["sameSite"] == "Strict" and jar["path"] == "/api/checkin"
    await assert_accessible(page, "checkin-link-400")
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "checkin-link-400.png"), full_page=True)

    await page.reload()  # mid-flow: the form again, the link still good
    await page.locator("#checkin").wait_for(state="visible")
    await fill(page, {"street": "48 Marigold Terrace", "city": "Springfield", "region": "IL",
                      "postal_code": "62704", "room": "kitchen",
                      "callback_phone": "(312) 555-0131"})
    await page.click("text=I'm alone")
    await page.click("#checkin button[type=submit]")
    await page.locator("#done").wait_for(state="visible")
    await _reads_no_token(page, token)
    for width in (1280, 375):
        await page.set_viewport_size({"width": width, "height": 900})
        await assert_accessible(page, f"checkin-link-done-{width}")
        await page.screenshot(path=str(ARTIFACTS / f"checkin-link-done-{width}.png"),
                              full_page=True)
    await page.reload()  # checked in: the reload says so
    await page.locator("#done").wait_for(state="visible")

    again = await context.new_page()  # the same link tapped again later
    await again.goto(url)
    await again.locator("#done").wait_for(state="visible")
    await _reads_no_token(again, token)
    card = (await h.http.get(f"{h.base}/api/meetings/{M}/clients/client-001/dispatch",
                             headers=h.token())).json()
    assert card["callback_phone"] == "+13125550131" and card["room"] == "kitchen"
    await context.close()

    elsewhere = await browser.new_page(viewport={"width": 375, "height": 700})
    await elsewhere.goto(f"{h.base}/checkin?link={link_id(token)}")  # the id, no cookie
    fatal = elsewhere.locator("#fatal")
    await fatal.wait_for(state="visible")
    assert await fatal.text_content() == LINK_GONE[0].upper() + LINK_GONE[1:] + "."
    await assert_accessible(elsewhere, "checkin-link-gone-375")
    await elsewhere.screenshot(path=str(ARTIFACTS / "checkin-link-gone-375.png"))
    await elsewhere.close()
