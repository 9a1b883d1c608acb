"""The pages that embed Jitsi run the deployment's external_api.js, so here it is a hostile
stand-in: besides playing the IFrame API it harvests everything a script can reach (where
the page is and how it got there, cookies, both storages, every string on ``window``) and
wraps fetch, XMLHttpRequest and sendBeacon to record every URL, header and body. In real
headless Chromium under the pages' own CSP (not bypassed): the client's join page and the
clinician console still join, heartbeat and forward events, also after a reload, and the
harvest never holds the link's token, the staff session or its CSRF token. The script
comes only from the configured domain, and nothing else leaves for anywhere."""

from __future__ import annotations

import json
from typing import Any

from sidecar.checkin.link_cookie import link_id
from tests.axe import assert_accessible
from tests.checkin.test_checkin import browser, fill  # noqa: F401  (the Chromium fixture)
from tests.conftest import ROOT, Harness, eventually, signed_in_page
from tests.jitsi import test_jitsi_console as console_test
from tests.jitsi import test_jitsi_join_browser as join_test
from tests.jitsi.test_jitsi_join import (  # noqa: F401  (the sidecar fixtures)
    DOMAIN,
    ROOM,
    jh,
    jitsi_settings,
    join_link,
    session,
)

ARTIFACTS = ROOT / "artifacts"
ORIGIN = f"https://{DOMAIN}"
HARVEST = """
(function () {
  const h = window.__harvest = { requests: [], snapshots: [] };
  function copy(storage) {
    const out = {};
    for (let i = 0; i < storage.length; i++) out[storage.key(i)] = storage.getItem(storage.key(i));
    return out;
  }
  window.__snap = function (when) {
    const strings = {};
    for (const k of Object.getOwnPropertyNames(window)) {
      try { if (typeof window[k] === "string") strings[k] = window[k]; } catch (e) {}
    }
    h.snapshots.push({ when: when, href: location.href, cookie: document.cookie,
      referrer: document.referrer, local: copy(localStorage), session: copy(sessionStorage),
      strings: strings, entries: performance.getEntries().map(function (e) { return e.name; }) });
  };
  function headers(source) {
    const out = {};
    try { new Headers(source || {}).forEach(function (v, k) { out[k] = v; }); } catch (e) {}
    return out;
  }
  function text(body) { return typeof body === "string" ? body : (body ? String(body) : ""); }
  const realFetch = window.fetch;
  window.fetch = function (input, init) {
    const asked = init || {};
    h.requests.push({ via: "fetch", url: String(input && input.url ? input.url : input),
      headers: headers(asked.headers || (input && input.headers)), body: text(asked.body) });
    return realFetch.apply(this, arguments);
  };
  const open = XMLHttpRequest.prototype.open;
  const setHeader = XMLHttpRequest.prototype.setRequestHeader;
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url) {
    this.__seen = { via: "xhr", url: String(url), headers: {}, body: "" };
    h.requests.push(this.__seen);
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.setRequestHeader = function (k, v) {
    if (this.__seen) this.__seen.headers[k] = v;
    return setHeader.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function (body) {
    if (this.__seen) this.__seen.body = text(body);
    return send.apply(this, arguments);
  };
  const beacon = navigator.sendBeacon.bind(navigator);
  navigator.sendBeacon = function (url, data) {
    h.requests.push({ via: "beacon", url: String(url), headers: {}, body: text(data) });
    return beacon(url, data);
  };
  window.__snap("loaded");
  window.fetch("/static/join.css");  // the wrapper works: its own call is recorded
})();
"""


def stand_in(api: str) -> Any:
    async def serve(route: Any) -> None:
        await route.fulfill(status=200, content_type="application/javascript",
                            body=HARVEST + api)
    return serve


def watch_origins(page: Any, base: str) -> list[str]:
    """Every request the page makes that is not to Tether or the deployment's script."""
    foreign: list[str] = []

    def seen(request: Any) -> None:
        url = request.url
        if not (url.startswith(base + "/") or url == f"{ORIGIN}/external_api.js"):
            foreign.append(url)
    page.on("request", seen)
    return foreign


async def harvest(page: Any, when: str) -> str:
    await page.evaluate(f"window.__snap({when!r})")
    got = await page.evaluate("window.__harvest")
    assert "/static/join.css" in [r["url"] for r in got["requests"]]  # the wrappers ran
    return json.dumps(got)


def assert_csp(csp: str) -> None:
    """The script and the frame from exactly the configured origin; nothing wider."""
    rules = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert rules["script-src"] == f"'self' {ORIGIN}" and rules["frame-src"] == ORIGIN
    assert rules["connect-src"] == "'self'" and rules["default-src"] == "'self'"
    assert "*" not in csp and "http:" not in csp and "'unsafe" not in csp


async def test_the_join_page_gives_the_meeting_script_no_credential(
        jh: Harness, browser: Any) -> None:  # noqa: F811
    h = jh
    url = await join_link(h)
    token = url.split("t=", 1)[1]
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    foreign = watch_origins(page, h.base)
    await page.route(f"{ORIGIN}/external_api.js", stand_in(join_test.FAKE_API))
    answer = await page.goto(url)
    assert_csp(answer.headers["content-security-policy"])
    assert page.url == f"{h.base}/join/{ROOM}?link={link_id(token)}"
    await fill(page, {"street": "48 Marigold Terrace", "city": "Springfield", "region": "IL",
                      "postal_code": "62704", "room": "kitchen",
                      "callback_phone": "(312) 555-0131"})
    await page.click("text=I'm alone")
    await page.click("#checkin button[type=submit]")
    await page.locator("#join-status", has_text="You're in the group").wait_for()
    await eventually(lambda: join_test._beats(h, 2), timeout=8)  # heartbeats every 3 s
    first = await harvest(page, "in the meeting")
    assert token not in first and "t=" not in json.loads(first)["snapshots"][-1]["href"]
    await assert_accessible(page, "join-harvest-1280")
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "join-harvest-1280.png"), full_page=True)

    seq = int((await join_test._record(h))["seq"])
    await page.reload()  # checked in already: straight back into the meeting
    await page.locator("#join-status", has_text="You're in the group").wait_for()
    await eventually(lambda: join_test._beats(h, seq + 1), timeout=8)
    again = await harvest(page, "after a reload")
    assert token not in again
    for width in (400, 375):
        await page.set_viewport_size({"width": width, "height": 800})
        await assert_accessible(page, f"join-harvest-{width}")
        await page.screenshot(path=str(ARTIFACTS / f"join-harvest-{width}.png"))
    await page.goto("about:blank")  # a deliberate leave, by beacon with the cookie
    await eventually(lambda: join_test._state(h, "left"), timeout=5)
    assert foreign == []


async def test_the_console_gives_the_meeting_script_no_credential(
        jh: Harness, browser: Any) -> None:  # noqa: F811
    h = jh
    page = await signed_in_page(h, browser, "lead-avery",
                                viewport={"width": 1280, "height": 900})
    jar = {c["name"]: c["value"] for c in await page.context.cookies()}
    me = await page.context.request.get(f"{h.base}/auth/me")
    secrets = {"session": jar["__Host-tether"], "csrf": (await me.json())["csrf"]}
    foreign = watch_origins(page, h.base)
    await page.route(f"{ORIGIN}/external_api.js", stand_in(console_test.FAKE_API))
    answer = await page.goto(f"{h.base}/jitsi/console/{ROOM}")
    assert_csp(answer.headers["content-security-policy"])
    for when in ("first load", "after a reload"):
        await page.wait_for_function("() => " + console_test.LOADED)
        assert await page.text_content("#error") == ""
        await page.evaluate("window.__emit('videoConferenceJoined', {id: 'lead0001'})")
        who = "casey001" if when == "first load" else "rowan001"
        await page.evaluate(f"window.__emit('participantJoined', {{id: {who!r}, "
                            "displayName: 'Casey B'})")
        await page.locator(f"tr[data-participant='{who}']").wait_for()  # forwarded, back
        got = await harvest(page, when)
        for name, value in secrets.items():
            assert value not in got, f"the meeting's script saw the {name} ({when})"
        if when == "first load":
            await assert_accessible(page, "jitsi-console-harvest-1280")
            await page.screenshot(path=str(ARTIFACTS / "jitsi-console-harvest-1280.png"))
            await page.reload()
    assert "x-csrf-token" not in got.lower() and foreign == []
    for width in (400, 375):
        await page.set_viewport_size({"width": width, "height": 800})
        await page.screenshot(path=str(ARTIFACTS / f"jitsi-console-harvest-{width}.png"))
