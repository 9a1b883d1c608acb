"""Coaching pages on a caregiver's plan page, over real HTTP on a real Redis: a page the
clinician attached is listed (marked new), opens through the caregiver's own link, and its
first open is the read receipt the clinicians see; another person's link, a page taken off
or retired, and a browser without the link's cookie open nothing."""

from __future__ import annotations

from html import unescape

from tests.coaching.test_api import AVERY, LEAD, call, pages_path
from tests.conftest import Harness
from tests.plan.flow import CASEY_PHONE, DANA, audit, prepared, send, texted


async def _open(h: Harness, url: str) -> tuple[str, str]:
    """The caregiver's page as a phone opens the texted link: its HTML and its cookie."""
    h.http.cookies.clear()
    first = await h.http.get(url)
    assert first.status_code == 303, first.text
    cookie = first.headers["Set-Cookie"].split(";")[0]
    page = await h.http.get(h.base + first.headers["Location"], headers={"Cookie": cookie})
    h.http.cookies.clear()
    assert page.status_code == 200
    return unescape(page.text), cookie


def coaching(page: str) -> str:
    """The "Coaching for you" section of a caregiver's page."""
    start = page.index('<section class="coaching"')
    return page[start:page.index("</section>", start)]


async def test_an_attached_guide_opens_from_the_caregivers_page_and_counts_as_read(
        harness: Harness) -> None:
    h = harness
    dana = await prepared(h)
    r = await call(h, "PUT", pages_path(dana) + "/making-home-safer", AVERY)
    assert r.status_code == 201, r.text
    await send(h, ["client", dana])
    [hers] = await texted(h, DANA)
    [casey] = await texted(h, CASEY_PHONE)

    page, cookie = await _open(h, hers)
    assert "Making home safer" in coaching(page) and "New" in coaching(page)
    assert "There are none yet" not in coaching(page)
    start = page.index('href="/plan/coaching/making-home-safer')
    href = unescape(page[start + 6:page.index('"', start + 6)])

    guide = await h.http.get(h.base + href, headers={"Cookie": cookie})
    assert guide.status_code == 200, guide.text
    text = unescape(guide.text)
    assert "<h1>Making home safer</h1>" in text and "tel:988" in text
    assert "Back to your page" in text
    seen = (await call(h, "GET", pages_path(dana), AVERY)).json()["attached"]
    assert seen[0]["read_at"] is not None and seen[0]["read_words"].startswith("read ")
    read = await audit(h, "coaching.read")
    assert [(a["actor"], a["target"]) for a in read] == [
        (f"contact:client-001/{dana}", "client-001:making-home-safer")]
    assert read[0].get("source")  # where it was opened from
    page, _ = await _open(h, hers)
    assert "Making home safer" in coaching(page) and "New" not in coaching(page)  # read now

    assert (await h.http.get(h.base + href)).status_code == 403  # no cookie, no guide
    _, client_cookie = await _open(h, casey)  # the client's own link is no caregiver's
    lid = client_cookie.split("=", 1)[0].removeprefix("tether-link-")
    theirs = await h.http.get(f"{h.base}/plan/coaching/making-home-safer?link={lid}",
                              headers={"Cookie": client_cookie})
    assert theirs.status_code == 404
    other = await h.http.get(h.base + href.replace("making-home-safer", "what-to-say"),
                             headers={"Cookie": cookie})
    assert other.status_code == 404  # not attached to Dana

    r = await call(h, "GET", "/api/admin/coaching/making-home-safer", LEAD)
    page_doc = r.json()
    r = await call(h, "PUT", "/api/admin/coaching/making-home-safer", LEAD,
                   json={"title": page_doc["title"], "summary": page_doc["summary"],
                         "body": page_doc["body"], "retired": True},
                   headers={"If-Match": f'"{page_doc["version"]}"'})
    assert r.status_code == 200, r.text
    assert (await h.http.get(h.base + href, headers={"Cookie": cookie})).status_code == 404
    page, _ = await _open(h, hers)
    assert "Making home safer" not in coaching(page)
    assert "There are none yet" in coaching(page)
