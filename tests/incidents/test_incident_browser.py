"""The incident view (sidecar/web/static/panel/incident.js) on its own page,
``/incidents/{id}``, in real headless Chromium against the real sidecar: the safety check
(headings, skip logic that clears hidden answers, inputs beside their labels), the high
result, the emergency view (the caller's card first, one task list with names), consent
refusals in plain words, closing for everyone, and the emergency started without a screen.
Each state is checked at 400, 1280 and 375 px for overflow and by axe-core, and survives a
reload. Screenshots in artifacts/."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from sidecar.clinical.cssrs import ALWAYS_ASKED, COPYRIGHT, ITEMS
from tests import zoom_payloads as zp
from tests.axe import assert_accessible
from tests.callbacks.test_callback_ladder import join_group
from tests.checkin.test_checkin import GOOD, browser, link  # noqa: F401  (the Chromium fixture)
from tests.conftest import ROOT, Harness, signed_in_page
from tests.panel.flow import load_directory

ARTIFACTS = ROOT / "artifacts"
M = quote(zp.MEETING_UUID, safe="")
VIEW = ".incident-view"


async def opened(h: Harness, client: str = "client-001") -> str:
    """A clinician opens the client's incident through the API, as the panel does."""
    await join_group(h)
    await h.settle()
    r = await h.http.post(f"{h.base}/api/meetings/{M}/clients/{client}/incidents",
                          json={"trigger": "code_word"}, headers=h.token())
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def page_for(h: Harness, browser: Any, incident: str, width: int,  # noqa: F811
                   staff: str = "lead-avery") -> Any:
    page = await signed_in_page(h, browser, staff, viewport={"width": width, "height": 900})
    await page.goto(f"{h.base}/incidents/{incident}")
    await page.wait_for_function("() => document.getElementById('conn').textContent === 'live'")
    return page


async def state(page: Any, name: str) -> None:
    await page.locator(f"{VIEW}[data-state='{name}']").wait_for(state="visible")


async def check_screen(page: Any, name: str, width: int) -> None:
    """No horizontal overflow, no serious axe finding, a screenshot to look at."""
    wide = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{name} at {width}px overflows by {wide}px"
    await assert_accessible(page, f"incident-{name}-{width}")
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"incident-{name}-{width}.png"), full_page=True)


async def reloaded(page: Any, name: str) -> None:
    await page.reload()
    await state(page, name)


async def answer(page: Any, item: int, yes: bool) -> None:
    await page.check(f"fieldset[data-item='{item}'] input[value='{'yes' if yes else 'no'}']")


async def said(page: Any, selector: str) -> str:
    """A sentence the view says in answer (it appears once the server has answered)."""
    await page.locator(selector).first.wait_for(state="visible")
    return await text(page, selector)


async def text(page: Any, selector: str = VIEW) -> str:
    return str(await page.locator(selector).first.text_content() or "")


@pytest.mark.parametrize("width", [400, 1280, 375])
async def test_safety_check_to_emergency_to_close(harness: Harness, browser: Any,  # noqa: F811
                                                  width: int) -> None:
    h = harness
    await load_directory(h)  # PSAPs and crisis lines by address
    incident = await opened(h)
    token = (await link(h, "client-001")).split("t=", 1)[1]
    await h.http.post(f"{h.base}/api/checkin?t={token}", json=GOOD)
    page = await page_for(h, browser, incident, width)
    await state(page, "screener")
    assert await text(page, "header") == "Casey BrightwaterTuesday evening grouplive"
    form = await text(page, "form.screener")
    asked = [i for i in ITEMS if i.number in ALWAYS_ASKED]
    assert all(i.text in form for i in asked) and COPYRIGHT in form  # verbatim
    assert "Wish to be Dead" in form and "Collected pills" in form  # headings, Q6 examples
    # a radio sits beside its label, not stretched across the row
    box = await page.locator("fieldset[data-item='1'] input[value='yes']").bounding_box()
    assert box["width"] < 40
    await check_screen(page, "screener", width)

    # skip logic: 3-5 only after a yes to 2, and a no to 2 clears what they held
    await answer(page, 1, True)
    await answer(page, 2, True)
    form = await text(page, "form.screener")
    assert all(i.text in form and (i.definition or "") in form for i in ITEMS)
    await answer(page, 3, True)
    await answer(page, 2, False)
    assert await page.locator("fieldset[data-item='3']").count() == 0
    await answer(page, 2, True)
    assert not await page.locator("fieldset[data-item='3'] input[value='yes']").is_checked()
    await answer(page, 6, False)
    await page.click("button.score")
    assert "Answer item 3, 4, 5" in await said(page, "form.screener .said")
    for n, yes in ((3, False), (4, True), (5, False)):
        await answer(page, n, yes)
    await page.click("button.score")
    await state(page, "screened")
    assert "High risk" in await text(page, ".level")
    todo = await text(page, "ul.todo")
    assert "Stay with the client" in todo and "due " in todo
    await reloaded(page, "screened")
    await check_screen(page, "high-result", width)

    await page.click(".result .start-emergency button")
    await state(page, "emergency")
    # the dispatch card first: whom to call, where (and from what), the callback number
    await page.locator(".card .whom").wait_for(state="visible")
    order = await page.evaluate("[...document.querySelectorAll('.emergency > *')]"
                                ".map(e => e.className)")
    assert order.index("card") < order.index("script") < order.index("steps")
    card = await text(page, ".card")
    assert "48 Marigold Terrace" in card and "this session's check-in" in card
    assert "(312) 555-0131" in card and "kitchen" in card
    whom = await text(page, ".card .whom")  # the 911 centre for the address, readable
    assert "Prairie Junction Emergency Communications Center" in whom, whom
    assert "(217) 555-0142" in whom and "+1217" not in whom
    assert "+1312" not in card  # every number on the card reads as people read it
    assert "You keep Casey on screen" in await text(page, ".role")
    await page.click("details.steps summary")
    await page.locator("li[data-key='call_responders'] button").click()
    await page.locator("li[data-key='call_responders'].done").wait_for()
    todo = await text(page, "ul.todo")
    assert "Done" in todo and "by Avery Lindqvist" in todo and "lead-avery" not in todo
    assert "Stay with the client" not in todo  # one list: the step stands for it
    await reloaded(page, "emergency")
    await page.locator(".card .whom").wait_for(state="visible")
    await check_screen(page, "emergency", width)

    for name, words in (("risk_assessment", "high, imminent"), ("interventions", "EMS"),
                        ("outcome", "transported")):
        await page.fill(f"textarea[name={name}]", words)
    await page.click("button.close-incident")
    await state(page, "closed")
    assert "Do not end the call" not in await text(page)
    followups = await text(page, "ul.followups")
    assert "Team huddle" in followups and "due " in followups
    await reloaded(page, "closed")
    await check_screen(page, "closed", width)
    await page.context.close()


async def test_the_whole_team_follows_and_closing_ends_it_for_everyone(
        harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    incident = await opened(h)
    lead = await page_for(h, browser, incident, 1280)
    cofac = await page_for(h, browser, incident, 400, staff="cofac-morgan")
    await lead.locator("#unscreened-reason-" + incident).wait_for(state="attached")
    await lead.click("details.unscreened summary")
    await lead.click("details.unscreened button")
    assert "Say why the emergency protocol starts" in await said(lead, "details.unscreened .said")
    await lead.fill("#unscreened-reason-" + incident, "dropped from the call mid-sentence")
    await lead.click("details.unscreened button")
    await state(lead, "emergency")
    await state(cofac, "emergency")  # by the live stream
    assert "You call responders" in await text(cofac, ".role")
    assert "dropped from the call mid-sentence" in await text(cofac, ".reason")
    await cofac.click("details.script summary")
    script = await text(cofac, "details.script")
    assert "the group" in script and "Casey" not in script  # never names the client
    await check_screen(cofac, "emergency-caller", 400)
    await cofac.click("details.steps summary")
    await cofac.locator("li[data-key='keep_visible'] button").click()
    await lead.click("details.steps summary")
    await lead.locator("li[data-key='keep_visible'].done").wait_for()
    assert "by Morgan Ostrander" in await text(lead, "li[data-key='keep_visible']")

    await lead.fill("textarea[name=risk_assessment]", "   ")
    await lead.fill("textarea[name=interventions]", "EMS")
    await lead.fill("textarea[name=outcome]", "safe")
    await lead.click("button.close-incident")
    assert "Write the risk assessment" in await said(lead, ".close .said")
    await lead.fill("textarea[name=risk_assessment]", "could not screen; judged imminent")
    await lead.click("button.close-incident")
    await state(lead, "closed")
    await state(cofac, "closed")  # closing ends the emergency view for everyone
    for page in (lead, cofac):
        words = await text(page)
        assert "EMERGENCY" not in words and "Do not end the call" not in words
    await lead.context.close()
    await cofac.context.close()


async def test_consent_refusal_in_plain_words_and_an_override(
        harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    await join_group(h)
    await h.settle()
    page = await signed_in_page(h, browser, "lead-avery", viewport={"width": 375, "height": 900})
    await page.goto(f"{h.base}/incidents/none")
    await page.wait_for_function("() => document.getElementById('incident').textContent"
                                 ".includes('no such incident')")
    # startEmergency, as the panel calls it: opens Rowan's incident and starts the protocol
    incident = await page.evaluate("""async (meeting) => {
        const m = await import('/static/panel/incident.js');
        await window.tetherAuth.whoami();
        const api = async (method, path, body) => {
            const r = await window.tetherAuth.call(method, path, body);
            const text = await r.text();
            let data; try { data = JSON.parse(text); } catch (e) { data = {error: text}; }
            return {ok: r.ok, status: r.status, data};
        };
        return m.startEmergency({api}, {meeting, client: 'client-002',
                                        reason: 'left the call; not answering'});
    }""", zp.MEETING_UUID)
    await page.goto(f"{h.base}/incidents/{incident}")
    await state(page, "emergency")
    await page.locator(".contact button.notify").click()
    said = ".contact > .said"
    await page.wait_for_function(f"() => document.querySelector('{said}').textContent.length")
    refusal = await text(page, said)
    assert refusal == ("Rowan has not agreed that Sam may be told about a crisis. "
                       "To contact Sam anyway, choose why and say so.")
    assert await page.get_by_label("Why contact Sam anyway").count() == 1
    assert await page.get_by_label("Say why, in a sentence").count() == 1
    await check_screen(page, "consent-refused", 375)
    await page.get_by_label("Say why, in a sentence").fill("Rowan is 16 and in danger now")
    await page.click("button:has-text('Contact Sam anyway')")
    await page.wait_for_function(f"() => document.querySelector('{said}').textContent"
                                 ".includes('+13125550122')")
    await page.context.close()


async def test_an_attempt_judged_against_a_low_score_offers_the_protocol(
        harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    incident = await opened(h)
    r = await h.http.post(f"{h.base}/api/incidents/{incident}/screens", headers=h.token(),
                          json={"answers": {"1": True, "2": False, "6": False},
                                "imminence": {"attempt_in_progress": True}})
    assert r.json()["level"] == "low"
    page = await page_for(h, browser, incident, 400)
    await state(page, "screened")
    warning = await text(page, ".result .warning")
    assert "attempt in progress" in warning and "score low" in warning
    await check_screen(page, "low-with-attempt", 400)
    await page.click(".result .warning button")
    await state(page, "emergency")
    await page.context.close()
