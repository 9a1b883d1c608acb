"""The command line, run as a user would: check-config, import-clients, token."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jwt
import redis

from sidecar.infra.crypto import TOKEN
from tests.conftest import DATA_KEY, ROOT


def tether(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sidecar.cli", *args], capture_output=True,
                          text=True, timeout=60, env={**os.environ, **(env or {})}, cwd=ROOT)


def test_check_config_accepts_the_example() -> None:
    out = tether("check-config", "examples/program.yaml")
    assert out.returncode == 0 and "ok" in out.stdout


def test_check_config_names_every_wrong_field_by_path(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("""
program: {name: Demo, time_zone: Mars/Olympus}
staff:
  - {id: a, name: A, roles: [lead_clinician], phone: "555-0101"}
meetings:
  - {zoom_meeting_id: "81234567890", name: G, lead: nobody}
callback_policy: {grace_seconds: 10, deadline_seconds: 90}
""")
    out = tether("check-config", str(bad))
    assert out.returncode == 2
    for path in ("program.time_zone", "staff.0.phone", "callback_policy.deadline_seconds"):
        assert path in out.stderr, out.stderr


def test_check_config_reports_unreadable_yaml(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("program: [unclosed")
    out = tether("check-config", str(bad))
    assert out.returncode == 2 and "bad.yaml" in out.stderr


def test_import_clients_stores_records_encrypted(redis_url: str) -> None:
    env = {"TETHER_REDIS_URL": redis_url, "TETHER_DATA_KEY": DATA_KEY}
    out = tether("import-clients", "examples/clients.yaml", env=env)
    assert out.returncode == 0, out.stderr
    assert "imported 3" in out.stdout
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    raw = client.hgetall("{tether}:client:client-001")
    dump = " ".join(raw.values())
    assert raw and "Larkspur" not in dump and "5550111" not in dump and "Casey" not in dump
    clear = ("v", "by", "at")  # its version, who saved it last (a staff id) and when
    assert all(TOKEN.fullmatch(v) for k, v in raw.items() if k not in clear)
    assert client.xlen("{tether}:audit") >= 3  # each import is audited
    client.close()


def test_import_clients_rejects_a_bad_file_and_imports_nothing(redis_url: str,
                                                               tmp_path: Path) -> None:
    bad = tmp_path / "clients.yaml"
    bad.write_text("clients:\n  - {id: c1, name: X, callback_phone: '12345'}\n")
    out = tether("import-clients", str(bad),
                 env={"TETHER_REDIS_URL": redis_url, "TETHER_DATA_KEY": DATA_KEY})
    assert out.returncode == 2 and "clients.0.callback_phone" in out.stderr
    client = redis.Redis.from_url(redis_url)
    assert client.exists("{tether}:client:c1") == 0
    client.close()


def test_import_clients_refuses_another_clients_identity(redis_url: str,
                                                        tmp_path: Path) -> None:
    env = {"TETHER_REDIS_URL": redis_url, "TETHER_DATA_KEY": DATA_KEY}
    assert tether("import-clients", "examples/clients.yaml", env=env).returncode == 0
    taken = tmp_path / "clients.yaml"
    taken.write_text("clients:\n"
                     "  - {id: client-004, name: Indigo Marsh, callback_phone: '+13125550114'}\n"
                     "  - {id: client-005, name: Sky Arden, callback_phone: '+13125550115',\n"
                     "     zoom_display_names: [Casey B], zoom_user_ids: [zUidEmery0003]}\n")
    out = tether("import-clients", str(taken), env=env)
    assert out.returncode == 2, out.stderr
    assert "nothing imported" in out.stderr
    assert 'clients.1.zoom_display_names: "Casey B" is already Casey Brightwater\'s' in out.stderr
    assert 'clients.1.zoom_user_ids: "zUidEmery0003" is already Emery Holloway\'s' in out.stderr
    client = redis.Redis.from_url(redis_url)
    assert client.exists("{tether}:client:client-004", "{tether}:client:client-005") == 0
    client.close()
    again = tether("import-clients", "examples/clients.yaml", env=env)
    assert again.returncode == 0, again.stderr  # re-importing the same records is fine


def test_token_for_unknown_staff_is_refused(redis_url: str) -> None:
    env = {"TETHER_REDIS_URL": redis_url, "TETHER_DATA_KEY": DATA_KEY}
    assert tether("token", "nobody", env=env).returncode == 2
    ok = tether("token", "lead-avery", env=env)
    assert ok.returncode == 0 and ok.stdout.count(".") == 2  # a JWT
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    minted = [f for _, f in client.xrange("{tether}:audit")
              if f["action"] == "token.minted:staff"]
    client.close()
    assert minted and minted[-1]["target"] == "lead-avery"  # every minted token is audited
    assert minted[-1]["purpose"] == "automation" and "@" in minted[-1]["source"]  # user@host
    for too_long in ("13", "876000"):
        out = tether("token", "lead-avery", "--hours", too_long, env=env)
        assert out.returncode == 2 and "at most 12 hours" in out.stderr


def test_serve_refuses_a_shared_store_without_a_data_key(redis_url: str) -> None:
    env = {"TETHER_REDIS_URL": redis_url, "TETHER_DATA_KEY": ""}
    out = tether("token", "lead-avery", env=env)
    assert out.returncode != 0 and "TETHER_DATA_KEY" in out.stderr


TELEPHONY = {"TWILIO_ACCOUNT_SID": "ACtest", "TWILIO_AUTH_TOKEN": "synthetic-token",
             "TWILIO_FROM_NUMBER": "+13125550199"}


def test_serve_refuses_a_public_url_the_provider_cannot_call_back(tmp_path: Path) -> None:
    for url, sentence in [
        ("", "TETHER_PUBLIC_URL is not set"),
        ("/tether", "must be a full address such as https://tether.example.org"),
        ("http://tether.example.org", "must start with https://"),
    ]:
        env = {**TELEPHONY, "TETHER_PUBLIC_URL": url, "TETHER_DATA_DIR": str(tmp_path)}
        out = tether("serve", "--config", "examples/program.yaml", env=env)
        assert out.returncode == 2, out.stderr
        lines = [line for line in out.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and sentence in lines[0], out.stderr  # one plain sentence
    assert not (tmp_path / "redis").exists()  # refused before anything started


def test_revoke_from_a_shell_voids_every_earlier_token(redis_url: str) -> None:
    env = {"TETHER_REDIS_URL": redis_url, "TETHER_DATA_KEY": DATA_KEY}
    token = tether("token", "lead-avery", env=env).stdout.strip()
    assert tether("revoke", "nobody", env=env).returncode == 2
    out = tether("revoke", "lead-avery", env=env)
    assert out.returncode == 0 and "no longer works" in out.stdout
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    mark = int(client.get("{tether}:revoked:lead-avery") or 0)
    client.close()
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["ms"] <= mark  # the gate refuses tokens minted at or before the mark


def test_serve_refuses_a_half_set_identity_provider(tmp_path: Path) -> None:
    for env, sentence in [
        ({"TETHER_OIDC_ISSUER": "https://login.example.org"}, "TETHER_OIDC_CLIENT_ID"),
        ({"TETHER_OIDC_ISSUER": "http://login.example.org", "TETHER_OIDC_CLIENT_ID": "t",
          "TETHER_OIDC_CLIENT_SECRET": "s"}, "must start with https://"),
    ]:
        out = tether("serve", "--config", "examples/program.yaml",
                     env={**env, "TETHER_DATA_DIR": str(tmp_path)})
        assert out.returncode == 2, out.stderr
        lines = [line for line in out.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and sentence in lines[0], out.stderr


def test_config_export_then_import_changes_nothing(redis_url: str, tmp_path: Path) -> None:
    env = {"TETHER_REDIS_URL": redis_url, "TETHER_DATA_KEY": DATA_KEY}
    first = tmp_path / "first.yaml"
    out = tether("config", "export", "--out", str(first), env=env)  # seeds from the example
    assert out.returncode == 0, out.stderr
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    version = client.get("{tether}:config:version")
    again = tether("config", "import", str(first), env=env)
    assert again.returncode == 0 and "already holds exactly this" in again.stdout
    assert client.get("{tether}:config:version") == version  # nothing was saved
    second = tmp_path / "second.yaml"
    assert tether("config", "export", "--out", str(second), env=env).returncode == 0
    assert first.read_text() == second.read_text()

    changed = first.read_text().replace("Harbor Light Evening IOP", "Harbor Light IOP")
    (tmp_path / "changed.yaml").write_text(changed)
    out = tether("config", "import", str(tmp_path / "changed.yaml"), env=env)
    assert out.returncode == 0 and "imported" in out.stdout
    assert int(client.get("{tether}:config:version") or 0) == int(version or 0) + 1
    assert "name: Harbor Light IOP" in tether("config", "export", env=env).stdout
    client.close()
