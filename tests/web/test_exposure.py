"""What the sidecar shows to whom: metrics only to the scraper or this machine, API
answers never cached, pages that cannot be re-based or posted elsewhere."""

from __future__ import annotations

from pathlib import Path

import httpx
import redis.asyncio as aioredis
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from sidecar.app import create_app
from sidecar.infra.clock import FakeClock
from sidecar.infra.telephony.standin import TwilioStandIn
from tests import conftest
from tests.conftest import Harness, free_port, program_config


async def test_api_answers_are_never_stored(harness: Harness) -> None:
    h = harness
    for path in ("/api/meetings", "/auth/me", "/api/admin/clients"):
        who = "admin-jordan" if "admin" in path else "lead-avery"
        r = await h.http.get(f"{h.base}{path}", headers=h.token(who))
        assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store", path
    page = await h.http.get(f"{h.base}/admin")
    csp = page.headers["Content-Security-Policy"]
    assert "base-uri 'none'" in csp and "form-action 'self'" in csp
    assert "object-src 'none'" in csp


async def test_metrics_need_the_scrapers_secret_when_one_is_set(
        redis_url: str, tmp_path: Path, standin: tuple[TwilioStandIn, str]) -> None:
    port = free_port()
    settings = conftest.test_settings(redis_url, tmp_path, port, standin[1]).model_copy(
        update={"tether_metrics_token": SecretStr("scrape-secret-for-tests")})
    server = TestServer(create_app(settings, program_config(), FakeClock(1_800_000_000.0)),
                        host="127.0.0.1", port=port)
    await server.start_server()
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            base = f"http://127.0.0.1:{port}"
            refused = await http.get(f"{base}/metrics")
            assert refused.status_code == 401 and "TETHER_METRICS_TOKEN" in refused.text
            wrong = await http.get(f"{base}/metrics", headers={"Authorization": "Bearer no"})
            assert wrong.status_code == 401
            ok = await http.get(f"{base}/metrics",
                                headers={"Authorization": "Bearer scrape-secret-for-tests"})
            assert ok.status_code == 200 and "tether_" in ok.text
            store = aioredis.Redis.from_url(redis_url, decode_responses=True)
            audit = await store.xrange("{tether}:audit")
            await store.aclose()
            refusals = [f for _, f in audit if f["action"] == "auth.refused:metrics"]
            assert [f["source"] for f in refusals] == ["127.0.0.1"] * 2
    finally:
        await server.close()
