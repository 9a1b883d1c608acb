"""TLS in front of the sidecar, as in production (deploy/Caddyfile): Debian's caddy with its
own local certificate authority (``tls internal``) on loopback ports reaches the real
sidecar over https, verified against that authority's root certificate; plain http is
redirected to https, and plain http sent to the https port is refused."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import CASEY, T0, join_group
from tests.conftest import Harness, free_port
from tests.panel.test_panel_api import M

CADDY = shutil.which("caddy")
pytestmark = pytest.mark.skipif(CADDY is None and not os.environ.get("CI"),
                                reason="caddy is not installed (apt-get install caddy)")

CADDYFILE = """\
{{
	admin off
	local_certs
	skip_install_trust
	auto_https disable_redirects
	grace_period 1s
	http_port {http}
	https_port {https}
}}

https://localhost:{https} {{
	bind 127.0.0.1
	tls internal
	reverse_proxy 127.0.0.1:{upstream} {{
		flush_interval -1
	}}
}}

http://localhost:{http} {{
	bind 127.0.0.1
	redir https://localhost:{https}{{uri}} permanent
}}
"""


@dataclass
class Caddy:
    https: str
    http: str
    root_cert: Path

    def trust(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.root_cert))


@pytest.fixture
def caddy(harness: Harness, tmp_path: Path) -> Iterator[Caddy]:
    assert CADDY is not None, "CI needs caddy (.ci/run installs it)"
    https, http = free_port(), free_port()
    home = tmp_path / "caddy"
    home.mkdir()
    config = home / "Caddyfile"
    upstream = harness.base.rsplit(":", 1)[1]
    config.write_text(CADDYFILE.format(http=http, https=https, upstream=upstream))
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
           "XDG_CONFIG_HOME": str(home / "config")}
    log = (home / "caddy.log").open("wb")
    proc = subprocess.Popen([CADDY, "run", "--config", str(config), "--adapter", "caddyfile"],
                            env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    root = home / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
    try:
        _until_listening(proc, https, root, home / "caddy.log")
        yield Caddy(f"https://localhost:{https}", f"http://localhost:{http}", root)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
            log.close()


def _until_listening(proc: subprocess.Popen[bytes], port: int, root: Path, log: Path) -> None:
    """Until Caddy completes a verified handshake for localhost: its local authority makes
    the site's certificate a moment after it starts listening."""
    import socket

    deadline = time.monotonic() + 30
    while True:
        assert proc.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        if root.exists():
            trust = ssl.create_default_context(cafile=str(root))
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=2) as raw, \
                        trust.wrap_socket(raw, server_hostname="localhost"):
                    return
            except (OSError, ssl.SSLError):
                pass
        time.sleep(0.05)


async def test_https_through_caddy_reaches_the_sidecar(caddy: Caddy) -> None:
    async with httpx.AsyncClient(verify=caddy.trust(), timeout=10) as tls:
        alive = await tls.get(caddy.https + "/healthz")
        ready = await tls.get(caddy.https + "/readyz")
    assert alive.status_code == 200 and alive.json() == {"ok": True}
    assert alive.http_version in ("HTTP/1.1", "HTTP/2")
    assert ready.json()["checks"]["redis"] is True  # the sidecar's own answer, via Caddy


async def test_the_certificate_is_refused_without_caddys_root(caddy: Caddy) -> None:
    async with httpx.AsyncClient(timeout=10) as untrusting:  # the system's roots only
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await untrusting.get(caddy.https + "/healthz")


async def test_plain_http_is_redirected_to_https(caddy: Caddy) -> None:
    async with httpx.AsyncClient(timeout=10, follow_redirects=False) as plain:
        answer = await plain.get(caddy.http + "/readyz?x=1")
    assert answer.status_code in (301, 308)
    assert answer.headers["Location"] == caddy.https + "/readyz?x=1"
    assert "ok" not in answer.text  # nothing of the sidecar's answered over plain http


async def test_plain_http_on_the_https_port_is_refused(caddy: Caddy) -> None:
    async with httpx.AsyncClient(timeout=10) as plain:
        answer = await plain.get(caddy.https.replace("https://", "http://") + "/healthz")
    assert answer.status_code == 400 and "HTTPS" in answer.text


async def test_a_panels_live_stream_arrives_through_caddy_as_it_happens(
        harness: Harness, caddy: Caddy) -> None:
    h = harness
    await join_group(h)
    await h.settle()
    async with httpx.AsyncClient(verify=caddy.trust(), timeout=10) as tls:
        first = await asyncio.wait_for(_events(tls, caddy, h.token(), 3), 10)
        resume = {**h.token(), "Last-Event-ID": first[-1][0]}
        reader = asyncio.create_task(_events(tls, caddy, resume, 2))
        await asyncio.sleep(0.2)
        await h.zoom(zp.disconnected(T0, *CASEY))
        got = await asyncio.wait_for(reader, 10)
    assert [event["kind"] for _, event in got] == ["roster", "alert.disconnected"]


async def _events(tls: httpx.AsyncClient, caddy: Caddy, headers: dict[str, str], n: int
                  ) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    async with tls.stream("GET", f"{caddy.https}/api/meetings/{M}/stream",
                          headers=headers) as resp:
        assert resp.headers["content-type"].startswith("text/event-stream")
        event_id = ""
        async for line in resp.aiter_lines():
            if line.startswith("id: "):
                event_id = line[4:]
            elif line.startswith("data: "):
                out.append((event_id, json.loads(line[6:])))
                if len(out) == n:
                    break
    return out
