"""Where a request came from: the peer, unless the peer is a trusted proxy
(``TETHER_TRUSTED_PROXIES``), and then the right-most address in X-Forwarded-For that is
no trusted proxy; X-Forwarded-Proto is believed from a trusted proxy only (HSTS, the link
cookie's Secure). Over real HTTP: the audit record's source, /metrics' "this machine only"
and the headers, with and without a trusted proxy in front."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from sidecar.infra.settings import Settings
from sidecar.infra.source import Proxies
from sidecar.infra.telephony.standin import TwilioStandIn
from tests.checkin.test_checkin import link, started
from tests.conftest import Harness, running_sidecar

OUTSIDE = "203.0.113.9"  # the browser, as the proxy saw it
SPOOF = "198.51.100.7"  # what a client wrote in its own X-Forwarded-For


def test_the_right_most_untrusted_address_is_the_source() -> None:
    p = Proxies.parse("10.0.0.0/8, 127.0.0.1")
    assert p.client("127.0.0.1", [OUTSIDE]) == OUTSIDE
    assert p.client("127.0.0.1", [SPOOF, OUTSIDE, "10.1.2.3"]) == OUTSIDE  # two proxies
    assert p.client("127.0.0.1", []) == "127.0.0.1"  # the proxy's own request
    assert p.client("127.0.0.1", ["10.9.9.9", "10.1.2.3"]) == "10.9.9.9"  # all proxies
    assert p.client("127.0.0.1", [OUTSIDE, "not-an-address"]) == "127.0.0.1"
    assert p.client("192.0.2.1", [SPOOF]) == "192.0.2.1"  # not a proxy: the header is theirs
    v6 = Proxies.parse("2001:db8::/32")
    assert v6.client("2001:db8::1", ["2001:db8::2", "2001:db9::5"]) == "2001:db9::5"
    assert not v6.trusts("10.0.0.1") and not Proxies().trusts("127.0.0.1")


def test_tls_is_believed_from_a_trusted_proxy_only() -> None:
    p = Proxies.parse("127.0.0.1")
    assert p.tls("127.0.0.1", ["https"], secure=False)
    assert not p.tls("127.0.0.1", ["https", "http"], secure=False)  # the nearest proxy says
    assert not p.tls("192.0.2.1", ["https"], secure=False)
    assert p.tls("192.0.2.1", [], secure=True)  # our own TLS needs no header


def test_a_setting_that_is_no_address_is_refused_in_a_sentence() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(tether_trusted_proxies="10.0.0.0/8, proxy.example.org")
    assert "'proxy.example.org' is not an address or a network" in str(refused.value)
    assert Settings().tether_trusted_proxies == ""  # trust nobody by default


@pytest.fixture
async def proxied(redis_url: str, tmp_path: Path, standin: tuple[TwilioStandIn, str],
                  policy: dict[str, Any]) -> AsyncIterator[Harness]:
    """The sidecar behind a proxy on this machine (the tests' client plays the proxy)."""
    async with running_sidecar(redis_url, tmp_path, standin, policy,
                               settings={"tether_trusted_proxies": "127.0.0.1/32, ::1"}) as h:
        yield h


async def refused_sources(h: Harness, forwarded: dict[str, str]) -> list[str]:
    r = await h.http.get(f"{h.base}/auth/me",
                         headers={"Authorization": "Bearer forged", **forwarded})
    assert r.status_code == 401
    return [e.get("source", "") for _, e in await h.tether.redis.xrange("{tether}:audit")
            if e["action"] == "auth.refused:token"]


async def test_behind_a_trusted_proxy_the_browser_is_the_source(proxied: Harness) -> None:
    h = proxied
    assert await refused_sources(h, {"X-Forwarded-For": f"{SPOOF}, {OUTSIDE}"}) == [OUTSIDE]
    metrics = await h.http.get(f"{h.base}/metrics", headers={"X-Forwarded-For": OUTSIDE})
    assert metrics.status_code == 403  # from outside, through the proxy on this machine
    assert (await h.http.get(f"{h.base}/metrics")).status_code == 200  # the proxy's own
    await started(h)
    url = await link(h)
    tls = await h.http.get(url, headers={"X-Forwarded-Proto": "https"})
    assert tls.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert all("Secure" in c for c in tls.headers.get_list("Set-Cookie"))
    plain = await h.http.get(url, headers={"X-Forwarded-Proto": "http"})
    assert "Strict-Transport-Security" not in plain.headers
    assert not any("Secure" in c for c in plain.headers.get_list("Set-Cookie"))


async def test_without_a_trusted_proxy_forwarding_headers_are_ignored(harness: Harness
                                                                     ) -> None:
    h = harness
    spoofed = {"X-Forwarded-For": SPOOF, "X-Forwarded-Proto": "https"}
    assert await refused_sources(h, spoofed) == ["127.0.0.1"]
    assert (await h.http.get(f"{h.base}/metrics", headers=spoofed)).status_code == 200
    await started(h)
    r = await h.http.get(await link(h), headers=spoofed)
    assert r.status_code == 303 and "Strict-Transport-Security" not in r.headers
    assert not any("Secure" in c for c in r.headers.get_list("Set-Cookie"))
