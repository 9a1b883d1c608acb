"""What the production files promise, read from the files themselves (no Docker daemon
needed): only 443 published, Redis with a password and AOF, a healthcheck and a restart
policy on every service, a sentence for every required variable, the forwarded-for trust
set to the proxy's own network, the image non-root and built from the runtime lock."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import Any

import pytest
import yaml

from sidecar.web import ops
from tests.conftest import ROOT

COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
REQUIRED = re.compile(r"\$\{(\w+):\?([^}]*)\}")
BARE = re.compile(r"\$\{(\w+)\}")


def _env(service: str) -> dict[str, str]:
    items = SERVICES[service].get("environment", {})
    if isinstance(items, dict):
        return {k: str(v) for k, v in items.items()}
    return dict(item.split("=", 1) if "=" in item else (item, "") for item in items)


def test_only_caddy_publishes_and_only_443() -> None:
    published = {name: s.get("ports", []) for name, s in SERVICES.items() if s.get("ports")}
    assert published == {"caddy": ["443:443"]}


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_service_restarts_and_has_a_healthcheck(name: str) -> None:
    assert SERVICES[name]["restart"] == "unless-stopped"
    assert SERVICES[name]["healthcheck"]["test"]


def test_redis_requires_a_password_and_keeps_an_aof() -> None:
    command = " ".join(SERVICES["redis"]["command"])
    assert "requirepass" in command and "--appendonly yes" in command
    assert "REDIS_PASSWORD:?" in _env("redis")["REDIS_PASSWORD"]


def test_the_sidecar_reaches_redis_with_the_password() -> None:
    url = _env("sidecar")["TETHER_REDIS_URL"]
    assert url.startswith("redis://:${REDIS_PASSWORD:?") and url.endswith("@redis:6379/0")


def test_every_required_variable_fails_with_a_sentence() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    required = REQUIRED.findall(text)
    assert {"TETHER_KEYS_DIR", "REDIS_PASSWORD", "TETHER_DOMAIN"} <= {n for n, _ in required}
    for name, sentence in required:
        assert sentence.startswith(f"Set {name} to ") and sentence.endswith("."), sentence
    assert not BARE.findall(text), "a bare ${VAR} passes an empty string when unset"


def test_the_keys_come_from_a_keyring_file_on_a_writable_mount() -> None:
    env = _env("sidecar")
    assert "TETHER_DATA_KEY" not in env  # one or the other, never both
    folder = env["TETHER_KEYRING_FILE"].rsplit("/", 1)[0]
    mounts = [str(v) for v in SERVICES["sidecar"]["volumes"]]
    assert any(m.endswith(":" + folder) for m in mounts), mounts  # not ":ro": rotation


def test_forwarded_for_is_trusted_from_the_proxy_network_only() -> None:
    subnet = COMPOSE["networks"]["edge"]["ipam"]["config"][0]["subnet"]
    assert _env("sidecar")["TETHER_TRUSTED_PROXIES"] == subnet
    assert "edge" in SERVICES["caddy"]["networks"]
    assert COMPOSE["networks"]["store"]["internal"] is True
    assert SERVICES["redis"]["networks"] == ["store"]


def test_the_image_runs_unprivileged_from_the_runtime_lock() -> None:
    assert re.search(r"^USER tether$", DOCKERFILE, re.M)
    assert "--require-hashes --no-deps -r /tmp/runtime.lock" in DOCKERFILE
    assert "npm ci --prefix sidecar/web" in DOCKERFILE
    assert "npm ci --prefix plugins/zoom" in DOCKERFILE
    assert not re.search(r"pip install (-e|--editable)", DOCKERFILE)
    assert "volumes" not in SERVICES["sidecar"] or all(
        not str(v).startswith(".:") for v in SERVICES["sidecar"]["volumes"])


def test_the_healthcheck_asks_a_route_the_sidecar_serves() -> None:
    served = {r.path for r in ops.routes if hasattr(r, "path")}  # type: ignore[attr-defined]
    for check in (DOCKERFILE, json.dumps(SERVICES["sidecar"]["healthcheck"]["test"])):
        path = re.search(r"http://127\.0\.0\.1:8080(/\w+)", check)
        assert path and path.group(1) in served


@pytest.mark.skipif(shutil.which("caddy") is None, reason="caddy is not installed")
def test_the_production_caddyfile_proxies_the_sidecar_on_443() -> None:
    out = subprocess.run(["caddy", "adapt", "--config", str(ROOT / "deploy" / "Caddyfile"),
                          "--adapter", "caddyfile"], capture_output=True, text=True,
                         timeout=30, check=True,
                         env={"TETHER_DOMAIN": "tether.example.org",
                              "ACME_EMAIL": "ops@example.org", "PATH": "/usr/bin:/bin"})
    servers = json.loads(out.stdout)["apps"]["http"]["servers"]
    assert [s["listen"] for s in servers.values()] == [[":443"]]
    proxy = json.dumps(servers)
    assert '"dial": "sidecar:8080"' in proxy and '"flush_interval": -1' in proxy
