"""Shared steps of the plan-link tests: a program with its directory, a caregiver who may
receive the plan (and knows the code words), links sent and opened over real HTTP."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from typing import Any

from sidecar.infra import keys
from sidecar.records.directory import load_directory
from tests.conftest import ROOT, Harness, eventually

CASEY = "client-001"
ROWAN = "client-002"
DANA = "+13125550121"
CASEY_PHONE = "+13125550111"
LINK = re.compile(r"(http://\S+/plan\?t=\S+?)(?= \(it opens)")


async def prepared(h: Harness, *, dana_plan: bool = True, dana_words: bool = False) -> str:
    """Directory loaded; Dana (Casey's sister) may receive the plan; her contact id."""
    await h.tether.directory.put(load_directory(ROOT / "examples" / "directory.yaml"),
                                 actor="test")
    record = await h.tether.clients.get(CASEY, actor="test", purpose="test")
    assert record is not None
    dana = record.emergency_contacts[0]
    scopes = [*dana.consent, "receive_safety_plan"] if dana_plan else list(dana.consent)
    dana = dana.model_copy(update={"consent": scopes, "shares_code_words": dana_words})
    await h.tether.clients.put(record.model_copy(update={"emergency_contacts": [dana]}),
                               actor="test")
    stored = await h.tether.clients.get(CASEY, actor="test", purpose="test")
    assert stored is not None
    return stored.emergency_contacts[0].id


async def send(h: Harness, people: list[str], client: str = CASEY,
               staff: str = "lead-avery") -> Any:
    r = await h.http.post(f"{h.base}/api/clients/{client}/plan-links",
                          headers=h.token(staff), json={"people": people})
    return r


async def texted(h: Harness, to: str, n: int = 1) -> list[str]:
    """The plan links texted to ``to`` once ``n`` of them reached the Twilio stand-in."""
    def bodies() -> list[str]:
        return [m["body"] for m in h.standin.messages if m["to"] == to and "/plan?t=" in m["body"]]

    async def arrived() -> bool:
        return len(bodies()) >= n
    await eventually(arrived, timeout=10)
    found = [LINK.search(b) for b in bodies()]
    assert all(found), bodies()
    return [f.group(1) for f in found if f]


async def listing(h: Harness, client: str = CASEY, staff: str = "lead-avery") -> Any:
    r = await h.http.get(f"{h.base}/api/clients/{client}/plan-links", headers=h.token(staff))
    assert r.status_code == 200, r.text
    return r.json()


@dataclass(frozen=True)
class Page:
    status_code: int
    text: str  # as a person reads it (entities unescaped)


async def opened(h: Harness, url: str) -> Page:
    """The page as a phone opens a texted link: the exchange, then the page."""
    h.http.cookies.clear()
    first = await h.http.get(url)
    if first.status_code != 303:
        return Page(first.status_code, unescape(first.text))
    page = await h.http.get(h.base + first.headers["Location"],
                            headers={"Cookie": first.headers["Set-Cookie"].split(";")[0]})
    h.http.cookies.clear()
    return Page(page.status_code, unescape(page.text))


async def audit(h: Harness, action: str) -> list[dict[str, str]]:
    return [fields for _, fields in await h.tether.redis.xrange(keys.AUDIT)
            if fields.get("action") == action]
