"""The coaching library and attaching pages to a caregiver, over real HTTP on a real
Redis: defaults, versioned saves with 412 on a stale copy, every change audited, validation
named at its field, role and group checks, read receipts that keep the first read."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from sidecar.coaching.attachments import attached, mark_read
from tests.conftest import Harness
from tests.records.test_admin_api import audit

ADMIN = "admin-jordan"
LEAD = "clinlead-sasha"  # program_clinical_lead: authors pages and cares for every group
AVERY = "lead-avery"  # leads the group client-001 is in
QUINN = "lead-quinn"  # leads a group client-001 is not in
LIB = "/api/admin/coaching"


async def contact_of(h: Harness, client: str = "client-001") -> str:
    r = await h.http.get(f"{h.base}/api/admin/clients/{client}", headers=h.token(LEAD))
    assert r.status_code == 200, r.text
    return str(r.json()["emergency_contacts"][0]["id"])


def pages_path(contact: str, client: str = "client-001") -> str:
    return f"/api/clients/{client}/contacts/{contact}/coaching"


async def call(h: Harness, method: str, path: str, staff: str, **kw: Any) -> Any:
    return await h.http.request(method, h.base + path, headers={**h.token(staff),
                                                                 **kw.pop("headers", {})}, **kw)


async def test_the_library_starts_with_three_default_pages(harness: Harness) -> None:
    h = harness
    r = await call(h, "GET", LIB, ADMIN)
    assert r.status_code == 200
    pages = r.json()["pages"]
    assert [p["id"] for p in pages] == ["what-to-say", "calming-down", "making-home-safer"]
    assert [p["title"] for p in pages] == ["What to say, and what to avoid",
                                           "Helping someone calm down", "Making home safer"]
    assert all(p["version"] == 1 and p["updated_by"] == "Tether" for p in pages)
    again = await call(h, "GET", LIB, LEAD)  # read again: stored once, not twice
    assert len(again.json()["pages"]) == 3
    assert [a for a in await audit(h) if a[1] == "coaching.added"] == [
        ("tether", "coaching.added", p) for p in ("what-to-say", "calming-down",
                                                  "making-home-safer")]


async def test_a_page_is_added_saved_over_its_version_and_audited(harness: Harness) -> None:
    h = harness
    r = await call(h, "POST", LIB, ADMIN, json={
        "title": "After a hard night", "summary": "What the next morning can look like.",
        "body": "Be gentle with each other."})
    assert r.status_code == 201, r.text
    assert r.json()["id"] == "after-a-hard-night" and r.headers["ETag"] == '"1"'
    path = LIB + "/after-a-hard-night"
    body = {"title": "After a hard night", "summary": "What the next morning can look like.",
            "body": "Be gentle with each other. Eat something.", "retired": False}
    r = await call(h, "PUT", path, ADMIN, json=body, headers={"If-Match": '"1"'})
    assert r.status_code == 200 and r.headers["ETag"] == '"2"'
    assert r.json()["updated_by"] == "Jordan Pell"
    # a second author still holding version 1 is refused with the current copy
    stale = {**body, "body": "Something else entirely."}
    r = await call(h, "PUT", path, LEAD, json=stale, headers={"If-Match": '"1"'})
    assert r.status_code == 412
    assert r.json()["current"]["body"] == "Be gentle with each other. Eat something."
    assert r.json()["current"]["version"] == 2 and "saved this page" in r.json()["error"]
    r = await call(h, "PUT", path, LEAD, json=stale)
    assert r.status_code == 428
    r = await call(h, "PUT", path, LEAD, json={**body, "retired": True},
                   headers={"If-Match": '"2"'})
    assert r.status_code == 200 and r.json()["retired"] is True
    mine = [a for a in await audit(h) if a[2].startswith("after-a-hard-night")]
    assert mine == [(ADMIN, "coaching.added", "after-a-hard-night"),
                    (ADMIN, "coaching.saved", "after-a-hard-night:body"),
                    (LEAD, "coaching.retired", "after-a-hard-night:retired")]
    r = await call(h, "POST", LIB, ADMIN, json={"title": "After a hard night",
                                                "summary": "x", "body": "y"})
    assert r.status_code == 409 and "title" in r.json()["fields"]


async def test_wrong_values_are_named_at_their_fields(harness: Harness) -> None:
    h = harness
    r = await call(h, "POST", LIB, ADMIN, json={
        "id": "Not An Id", "title": "  ", "summary": "two\nlines", "body": "x" * 20_001})
    assert r.status_code == 400
    fields = r.json()["fields"]
    assert fields["title"] == "this cannot be empty"
    assert fields["summary"] == "one line, without line breaks"
    assert "20000" in fields["body"]
    assert "small letters" in fields["id"]
    r = await call(h, "GET", LIB, ADMIN)
    assert len(r.json()["pages"]) == 3  # nothing stored


async def test_only_admins_and_the_clinical_lead_author_pages(harness: Harness) -> None:
    h = harness
    for method, path in (("GET", LIB), ("POST", LIB), ("GET", LIB + "/calming-down"),
                         ("PUT", LIB + "/calming-down"), ("POST", LIB + "/preview")):
        assert (await h.http.request(method, h.base + path, json={})).status_code == 401
        r = await call(h, method, path, AVERY, json={})
        assert r.status_code == 403, (method, path)


async def test_the_preview_renders_on_the_server_and_drops_scripts(harness: Harness) -> None:
    h = harness
    r = await call(h, "POST", LIB + "/preview", LEAD, json={
        "body": "## Hi\n\n<script>alert(1)</script> [x](javascript:alert(1)) [988](tel:988)"})
    assert r.status_code == 200
    html = r.json()["html"]
    assert "<script" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html  # shown as the text it is
    assert '<a href="tel:988">988</a>' in html
    assert r.json()["nodes"][0] == {"tag": "h2", "children": ["Hi"]}


async def test_a_clinician_attaches_a_page_and_sees_the_first_read(harness: Harness) -> None:
    h = harness
    contact = await contact_of(h)
    path = pages_path(contact)
    r = await call(h, "GET", path, AVERY)
    assert r.status_code == 200 and r.json()["attached"] == []
    assert [p["id"] for p in r.json()["available"]] == ["what-to-say", "calming-down",
                                                        "making-home-safer"]
    r = await call(h, "PUT", path + "/making-home-safer", AVERY)
    assert r.status_code == 201
    line = r.json()["attached"][0]
    assert line["title"] == "Making home safer" and line["read_words"] == "not read yet"
    assert line["attached_by"] == "Avery Lindqvist"
    assert [p["id"] for p in r.json()["available"]] == ["what-to-say", "calming-down"]
    assert (await call(h, "PUT", path + "/making-home-safer", AVERY)).status_code == 200
    # the caregiver's page reads it: the first time is kept, a later read does not move it
    first = int(h.clock.now() * 1000)
    assert await mark_read(h.tether.redis, "client-001", contact, "making-home-safer", first)
    assert await mark_read(h.tether.redis, "client-001", contact, "making-home-safer",
                           first + 3_600_000)
    assert not await mark_read(h.tether.redis, "client-001", contact, "what-to-say", first)
    mine = await attached(h.tether.redis, "client-001", contact)
    assert [(a.page_id, a.read_at, a.attached_by) for a in mine] == [
        ("making-home-safer", first, AVERY)]
    r = await call(h, "GET", path, AVERY)
    # 1_800_000_000 s is Fri 15 Jan 2027 08:00 UTC: 02:00 in Chicago, the program's zone
    assert r.json()["attached"][0]["read_words"] == "read Fri 02:00"
    r = await call(h, "DELETE", path + "/making-home-safer", AVERY)
    assert r.status_code == 200 and r.json()["attached"] == []
    assert (await call(h, "DELETE", path + "/making-home-safer", AVERY)).status_code == 404
    target = f"client-001/{contact}/making-home-safer"
    assert [a for a in await audit(h) if a[2] == target] == [
        (AVERY, "coaching.attached", target), (AVERY, "coaching.detached", target)]


async def test_keys_hold_ids_only(harness: Harness) -> None:
    h = harness
    contact = await contact_of(h)
    await call(h, "PUT", pages_path(contact) + "/calming-down", AVERY)
    names = [k async for k in h.tether.redis.scan_iter("{tether}:coaching:for:*")]
    assert names == [f"{{tether}}:coaching:for:client-001:{contact}"]
    stored = await h.tether.redis.hgetall(names[0])
    assert "Dana" not in str(stored) and "5550121" not in str(stored)


async def test_who_may_attach(harness: Harness) -> None:
    h = harness
    contact = await contact_of(h)
    path = pages_path(contact) + "/calming-down"
    assert (await h.http.put(h.base + path)).status_code == 401
    r = await call(h, "PUT", path, ADMIN)  # an admin without a clinical role
    assert r.status_code == 403
    r = await call(h, "PUT", path, QUINN)  # a clinician, but not in this client's group
    assert r.status_code == 403
    assert (await call(h, "GET", pages_path(contact), ADMIN)).status_code == 403
    assert (await call(h, "PUT", path, LEAD)).status_code == 201


async def test_unknown_contacts_pages_and_retired_pages_are_refused(harness: Harness) -> None:
    h = harness
    contact = await contact_of(h)
    assert (await call(h, "GET", pages_path("nobody1"), AVERY)).status_code == 404
    assert (await call(h, "PUT", pages_path(contact) + "/no-such-page", AVERY)
            ).status_code == 404
    page = (await call(h, "GET", LIB + "/what-to-say", LEAD)).json()
    body = {k: page[k] for k in ("title", "summary", "body")} | {"retired": True}
    await call(h, "PUT", LIB + "/what-to-say", LEAD, json=body, headers={"If-Match": '"1"'})
    r = await call(h, "PUT", pages_path(contact) + "/what-to-say", AVERY)
    assert r.status_code == 409 and "retired" in r.text


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


async def test_the_staff_preview_is_the_page_with_the_crisis_line_first(harness: Harness
                                                                        ) -> None:
    h = harness
    assert (await h.http.get(h.base + "/coaching/making-home-safer")).status_code == 401
    r = await h.http.get(h.base + "/coaching/making-home-safer", headers=await h.session())
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "style-src 'self'" in r.headers["Content-Security-Policy"]
    p = Page()
    p.feed(r.text)
    links = [a.get("href") for t, a in p.tags if t == "a"]
    assert links[0] == "tel:988"  # the crisis line, before anything else
    assert not any(t in ("script", "style") or "style" in a for t, a in p.tags)
    assert "<h1>Making home safer</h1>" in r.text
    missing = await h.http.get(h.base + "/coaching/nope", headers=await h.session())
    assert missing.status_code == 404
