"""The coaching API's answers against the served ``/openapi.json``: the library, a save
refused as outdated, a refused field, the preview, attaching, a read receipt, detaching."""

from __future__ import annotations

from sidecar.coaching.attachments import mark_read
from tests.conftest import Harness
from tests.web.test_answers_conform import checked

LEAD, AVERY = "clinlead-sasha", "lead-avery"
ONE = "/api/admin/coaching/{page}"
MINE = "/api/clients/{client}/contacts/{contact}/coaching"


async def test_the_coaching_api_answers_as_documented(harness: Harness) -> None:
    h = harness
    call = await checked(h)
    await call("GET", "/api/admin/coaching", staff=LEAD)
    page = (await call("GET", ONE, "/api/admin/coaching/calming-down", staff=LEAD)).json()
    text = {k: page[k] for k in ("title", "summary", "body", "retired")}
    await call("PUT", ONE, "/api/admin/coaching/calming-down", staff=LEAD, json=text | {
        "body": "Breathe slowly together."}, headers={"If-Match": '"1"'})
    stale = await call("PUT", ONE, "/api/admin/coaching/calming-down", staff=LEAD, json=text,
                       headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    bad = await call("POST", "/api/admin/coaching", staff=LEAD, json={"title": "", "summary": "",
                                                                     "body": ""})
    assert bad.status_code == 400
    added = await call("POST", "/api/admin/coaching", staff=LEAD, json={
        "title": "After a hard night", "summary": "The next morning.", "body": "Be gentle."})
    assert added.status_code == 201
    await call("POST", "/api/admin/coaching/preview", staff=LEAD, json={"body": "## Hi"})
    record = (await h.http.get(f"{h.base}/api/admin/clients/client-001",
                               headers=h.token(LEAD))).json()
    contact = record["emergency_contacts"][0]["id"]
    path = f"/api/clients/client-001/contacts/{contact}/coaching"
    await call("GET", MINE, path, staff=AVERY)
    await call("PUT", MINE + "/{page}", path + "/after-a-hard-night", staff=AVERY)
    assert await mark_read(h.tether.redis, "client-001", contact, "after-a-hard-night",
                           int(h.clock.now() * 1000))
    read = await call("GET", MINE, path, staff=AVERY)
    assert read.json()["attached"][0]["read_at"] is not None
    await call("DELETE", MINE + "/{page}", path + "/after-a-hard-night", staff=AVERY)
    assert len(call.checked) == 11
