"""The answers of a whole scenario, checked against the served ``/openapi.json``: a group
meets, a platform's webhook is taken in, a client checks in, an incident runs through the
emergency protocol to its close, an admin reads and edits records, the directory and the
configuration and imports people, a clinical lead opens a client with break-glass. Each
answer's status is one the document lists, its content type one listed for that status,
and its body one the schema allows: the success answers generated requests seldom reach,
and the refusals with more than a sentence (a stale copy, a contact refused)."""

from __future__ import annotations

import json
from email.message import Message
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import schemathesis
import yaml
from schemathesis.checks import Failure, FailureGroup

from tests import zoom_payloads as zp
from tests.checkin.test_checkin import GOOD, link
from tests.conftest import ROOT, Harness
from tests.incidents.test_incidents import DOCS, HIGH, IMMINENT, opened
from tests.records.test_import_routes import CASEY, HEADER

M = quote(zp.MEETING_UUID, safe="")
LEAD, ADMIN, CLINICAL_LEAD = "lead-avery", "admin-jordan", "clinlead-sasha"


def media_type(response: httpx.Response) -> str:
    message = Message()
    message["content-type"] = response.headers.get("content-type", "")
    return message.get_content_type()


class Conformance:
    """Calls the sidecar and checks each answer against the served document."""

    def __init__(self, h: Harness, doc: dict[str, Any]) -> None:
        self.h, self.doc = h, doc
        self.schema = schemathesis.openapi.from_dict(doc)
        self.checked: list[str] = []

    async def __call__(self, method: str, template: str, path: str = "",
                       staff: str | None = LEAD, **kw: Any) -> httpx.Response:
        headers = {**(self.h.token(staff) if staff else {}), **kw.pop("headers", {})}
        r = await self.h.http.request(method, self.h.base + (path or template),
                                      headers=headers, **kw)
        return self.check(method, template, r)

    def check(self, method: str, template: str, r: httpx.Response) -> httpx.Response:
        label = f"{method} {template} -> {r.status_code}"
        answers = self.doc["paths"][template][method.lower()]["responses"]
        assert str(r.status_code) in answers, f"{label}: not a status the document lists"
        content = answers[str(r.status_code)].get("content", {})
        if r.content or content:
            assert media_type(r) in content, f"{label}: {media_type(r)} not in {set(content)}"
        try:
            self.schema[template][method.upper()].validate_response(r)
        except FailureGroup as group:
            pytest.fail(f"{label}: " + "; ".join(str(f.message)[:400] for f in group.exceptions))
        except Failure as failure:
            pytest.fail(f"{label}: {str(failure.message)[:400]}")
        self.checked.append(label)
        return r


async def checked(h: Harness) -> Conformance:
    return Conformance(h, (await h.http.get(f"{h.base}/openapi.json")).json())


async def test_a_session_and_an_emergency_answer_as_documented(harness: Harness) -> None:
    h = harness
    inc = await opened(h)
    call = await checked(h)
    i = inc["id"]
    await call("GET", "/api/meetings")
    left = await h.zoom(zp.left(int(h.clock.now() * 1000), "pu-rowan-1", "Rowan T"))
    assert call.check("POST", "/webhooks/{platform}", left).json() == {"accepted": 1}
    await call("GET", "/api/meetings/{meeting}/roster", f"/api/meetings/{M}/roster")
    await call("GET", "/api/meetings/{meeting}/timeline", f"/api/meetings/{M}/timeline")
    await call("POST", "/api/meetings/{meeting}/alerts/seen", f"/api/meetings/{M}/alerts/seen",
               json={"note": "dropped", "key": "client-001"})
    token = (await link(h, "client-001")).split("t=", 1)[1]
    await call("GET", "/api/checkin", f"/api/checkin?t={token}", staff=None)
    bad = await call("POST", "/api/checkin", f"/api/checkin?t={token}", staff=None,
                     json={**GOOD, "callback_phone": "not a number"})
    assert bad.status_code == 400
    await call("POST", "/api/checkin", f"/api/checkin?t={token}", staff=None, json=GOOD)
    await call("GET", "/api/checkin", f"/api/checkin?t={token}", staff=None)
    await call("GET", "/api/meetings/{meeting}/clients/{client}/dispatch",
               f"/api/meetings/{M}/clients/client-001/dispatch")
    directory = yaml.safe_load((ROOT / "examples" / "directory.yaml").read_text())
    await call("PUT", "/api/admin/directory", staff=ADMIN,
               content=json.dumps(directory, default=str))
    await call("GET", "/api/cssrs")
    await call("POST", "/api/incidents/{incident}/screens", f"/api/incidents/{i}/screens",
               json={"answers": HIGH, "imminence": IMMINENT})
    await call("POST", "/api/incidents/{incident}/emergency", f"/api/incidents/{i}/emergency")
    await call("GET", "/api/incidents/{incident}/card", f"/api/incidents/{i}/card")
    await call("GET", "/api/incidents/{incident}/people", f"/api/incidents/{i}/people")
    await call("POST", "/api/incidents/{incident}/steps/{key}",
               f"/api/incidents/{i}/steps/call_responders", json={"note": "EMS en route"})
    await call("POST", "/api/incidents/{incident}/contacts", f"/api/incidents/{i}/contacts",
               json={"contact": "Dana Brightwater", "purpose": "notify_crisis"})
    await call("POST", "/api/incidents/{incident}/disclosures",
               f"/api/incidents/{i}/disclosures", json={
                   "recipient_name": "Paramedic Reyes", "recipient_affiliation": "Sangamon EMS",
                   "recipient_kind": "ems", "nature_of_emergency": "imminent suicide risk"})
    await call("POST", "/api/incidents/{incident}/handoff", f"/api/incidents/{i}/handoff",
               json={"facility": "Memorial ED"})
    closed = await call("POST", "/api/incidents/{incident}/close", f"/api/incidents/{i}/close",
                        json=DOCS)
    kind = closed.json()["tasks"][0]["task"]["kind"]
    await call("POST", "/api/incidents/{incident}/tasks/{kind}",
               f"/api/incidents/{i}/tasks/{kind}", json={"note": "called"})
    await call("GET", "/api/incidents/{incident}", f"/api/incidents/{i}")
    await call("GET", "/api/incidents")
    await call("GET", "/api/admin/incident-stats", staff=ADMIN)
    csv = await call("GET", "/api/admin/incidents.csv", staff=ADMIN)
    assert csv.text.startswith("incident,")
    other = await call("POST", "/api/meetings/{meeting}/clients/{client}/incidents",
                       f"/api/meetings/{M}/clients/client-002/incidents",
                       json={"trigger": "clinician"})
    refused = await call("POST", "/api/incidents/{incident}/contacts",
                         f"/api/incidents/{other.json()['id']}/contacts",
                         json={"contact": "Sam Tidewell", "purpose": "notify_crisis"})
    assert refused.status_code == 403 and refused.json()["allowed"] is False


async def test_the_admin_api_answers_as_documented(harness: Harness) -> None:
    h = harness
    call = await checked(h)
    await call("GET", "/api/admin/clients", staff=ADMIN)
    for who in (ADMIN, CLINICAL_LEAD):
        copy = await call("GET", "/api/admin/clients/{client}", "/api/admin/clients/client-001",
                          staff=who)
    await call("POST", "/api/admin/clients/{client}/code-words",
               "/api/admin/clients/client-001/code-words", staff=CLINICAL_LEAD)
    record = {k: v for k, v in copy.json().items() if k not in ("version", "code_words_count")}
    version = copy.headers["ETag"]
    saved = await call("PUT", "/api/admin/clients/{client}", "/api/admin/clients/client-001",
                       staff=CLINICAL_LEAD, json=record, headers={"If-Match": version})
    assert saved.status_code == 200
    stale = await call("PUT", "/api/admin/clients/{client}", "/api/admin/clients/client-001",
                       staff=CLINICAL_LEAD, json=record, headers={"If-Match": version})
    assert stale.status_code == 412 and stale.json()["current"]["id"] == "client-001"
    await call("GET", "/api/admin/directory", staff=ADMIN)
    await call("GET", "/api/admin/oncall", staff=ADMIN)
    await call("GET", "/api/admin/config", staff=ADMIN)
    groups = await call("GET", "/api/admin/config/{doc}", "/api/admin/config/groups",
                        staff=ADMIN)
    stale_doc = await call("PUT", "/api/admin/config/{doc}", "/api/admin/config/groups",
                           staff=ADMIN, json=groups.json()["body"],
                           headers={"If-Match": '"999"'})
    assert stale_doc.status_code == 412
    imported = await call("POST", "/api/admin/import/clients", staff=ADMIN,
                          content="\r\n".join((HEADER, CASEY, "")),
                          headers={"Content-Type": "text/csv"})
    assert imported.json() == {"imported": 1, "created": 1, "updated": 0}
    staff_csv = "id,name,email,phone,roles,active\r\n" \
                "cofac-quinn,Quinn Example,quinn@example.org,+13125550177,co_facilitator,yes\r\n"
    await call("POST", "/api/admin/import/staff", staff=ADMIN, content=staff_csv,
               headers={"Content-Type": "text/csv"})
    await call("POST", "/api/break-glass", staff=CLINICAL_LEAD,
               json={"client": "client-001", "reason": "on-call review of a missed callback"})
    await call("GET", "/api/admin/break-glass", staff=ADMIN)
    await call("GET", "/auth/me")
    await call("POST", "/api/admin/staff/{staff}/revoke", "/api/admin/staff/cofac-morgan/revoke",
               staff=ADMIN)
    for page in ("/healthz", "/readyz", "/openapi.json", "/panel", "/admin", "/metrics"):
        await call("GET", page, staff=None)
