"""Readiness says what would stop a callback from being confirmed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from aiohttp.test_utils import TestServer

from sidecar.app import create_app
from sidecar.infra.clock import FakeClock
from sidecar.infra.telephony.standin import TwilioStandIn
from tests import conftest
from tests.conftest import free_port, program_config


async def _ready(settings_url: str, redis_url: str, tmp_path: Path,
                 standin: tuple[TwilioStandIn, str]) -> tuple[int, dict[str, Any]]:
    port = free_port()
    settings = conftest.test_settings(redis_url, tmp_path, port, standin[1]).model_copy(
        update={"tether_public_url": settings_url})
    server = TestServer(create_app(settings, program_config(), FakeClock(1_800_000_000.0)),
                        host="127.0.0.1", port=port)
    await server.start_server()
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            r = await http.get(f"http://127.0.0.1:{port}/readyz")
            return r.status_code, r.json()
    finally:
        await server.close()


async def test_readyz_reports_a_public_url_the_provider_cannot_reach(
        redis_url: str, tmp_path: Path, standin: tuple[TwilioStandIn, str]) -> None:
    status, body = await _ready("http://10.20.30.40:8080", redis_url, tmp_path, standin)
    assert status == 503 and body["checks"]["public_url"] is False
    assert body["problems"] and "https://" in body["problems"][0]
    status, body = await _ready("https://tether.example.org", redis_url, tmp_path / "ok",
                                standin)
    assert body["checks"]["public_url"] is True and body["problems"] == []
