"""``tether audit export`` and ``tether audit verify`` run as a user would, against a real
Redis; the retention trims by age only, by the auditor at most hourly."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
import redis
import redis.asyncio as aioredis

from sidecar.cli import parser
from sidecar.infra.audit import Audit
from sidecar.infra.clock import FakeClock
from sidecar.infra.settings import Settings
from sidecar.infra.telephony.standin import TwilioStandIn
from tests.conftest import DATA_KEY, eventually, running_sidecar
from tests.test_cli import tether

ZEROS = "0" * 64


def env(redis_url: str) -> dict[str, str]:
    return {"TETHER_REDIS_URL": redis_url, "TETHER_DATA_KEY": DATA_KEY}


def read_lines(path: Path) -> list[dict[str, str]]:
    return [json.loads(t) for t in path.read_text().splitlines()]


def test_a_minted_token_names_the_shell_that_minted_it(redis_url: str) -> None:
    assert tether("token", "lead-avery", env=env(redis_url)).returncode == 0
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    [minted] = [f for _, f in client.xrange("{tether}:audit")
                if f["action"] == "token.minted:staff"]
    client.close()
    assert minted["target"] == "lead-avery" and minted["source"].startswith("shell:")


def test_export_writes_every_entry_chained_and_verify_accepts_it(redis_url: str,
                                                                 tmp_path: Path) -> None:
    assert tether("token", "lead-avery", env=env(redis_url)).returncode == 0
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    stored = client.xrange("{tether}:audit")
    out = tmp_path / "audit.jsonl"
    done = tether("audit", "export", "--since", "2026-01-01", "--out", str(out),
                  env=env(redis_url))
    assert done.returncode == 0, done.stderr
    lines = read_lines(out)
    assert [line["id"] for line in lines] == [i for i, _ in stored]  # oldest first, all
    assert {k: lines[-1][k] for k in stored[-1][1]} == stored[-1][1]  # every field
    assert lines[0]["prev"] == ZEROS and lines[1]["prev"] == lines[0]["hash"]
    assert f"last hash {lines[-1]['hash']}" in done.stderr
    [exported] = [f for _, f in client.xrange("{tether}:audit")
                  if f["action"] == "audit.exported"]  # reading the record is on it
    client.close()
    assert exported["target"].endswith(f": {len(lines)} entries")
    ok = tether("audit", "verify", str(out))
    assert ok.returncode == 0
    assert ok.stdout.strip() == f"ok: {len(lines)} entries, last hash {lines[-1]['hash']}"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """A command called in this process (as ``tether`` would run it): code, out, err."""
    args = parser().parse_args(list(argv))
    code = int(args.fn(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def store(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store holding a few entries, the environment pointing at it."""
    for name, value in env(redis_url).items():
        monkeypatch.setenv(name, value)
    client = redis.Redis.from_url(redis_url)
    for i in range(4):
        client.xadd("{tether}:audit", {"at": str(i), "actor": "lead-avery",
                                     "action": "timeline.read:panel", "target": f"m-{i}"})
    client.close()
    return redis_url


def test_verify_names_the_first_line_that_does_not_match(
        store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "audit.jsonl"
    assert run(capsys, "audit", "export", "--out", str(out))[0] == 0
    text = out.read_text().splitlines()
    assert len(text) == 4
    changed = json.loads(text[2]) | {"actor": "someone-else"}
    text[2] = json.dumps(changed)
    out.write_text("\n".join(text) + "\n")
    code, _, err = run(capsys, "audit", "verify", str(out))
    assert code == 1 and "line 3 does not match" in err and "hash" in err
    del text[2]  # the changed line taken out: the gap is caught where it is
    out.write_text("\n".join(text) + "\n")
    code, _, err = run(capsys, "audit", "verify", str(out))
    assert code == 1 and "line 3 does not match" in err and "prev" in err


def test_a_later_export_continues_the_chain(store: str, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    assert run(capsys, "audit", "export", "--out", str(first))[0] == 0
    last = read_lines(first)[-1]["hash"]
    assert run(capsys, "audit", "export", "--since", "yesterday")[0] == 2
    assert run(capsys, "audit", "export", "--after-hash", "abc")[0] == 2
    code, _, err = run(capsys, "audit", "export", "--since", "2099-01-01",
                       "--after-hash", last, "--out", str(second))
    assert code == 0 and "exported 0 entries" in err
    code, _, err = run(capsys, "audit", "export", "--since", "2026-01-01", "--until",
                       "2099-01-01", "--after-hash", last, "--out", str(second))
    lines = read_lines(second)
    assert code == 0 and lines[0]["prev"] == last
    assert lines[-1]["action"] == "audit.exported"  # the first export is on the record
    assert run(capsys, "audit", "verify", str(second))[0] == 1  # it continues another
    code, out, _ = run(capsys, "audit", "verify", str(second), "--after-hash", last)
    assert code == 0 and out.strip() == f"ok: {len(lines)} entries, last hash " \
        f"{lines[-1]['hash']}"


def test_retention_is_six_years_unless_set() -> None:
    assert Settings().tether_audit_retention_days == 2190


async def test_trim_removes_only_what_is_older_than_the_retention(redis_url: str) -> None:
    r = aioredis.Redis.from_url(redis_url, decode_responses=True)
    audit = Audit(r, FakeClock(1_800_000_000.0))
    for i in range(3):
        await audit.record("test", "old.entry", str(i))
    await asyncio.sleep(0.5)
    for i in range(2):
        await audit.record("test", "new.entry", str(i))
    assert await audit.trim(retention_days=0.25 / 86_400) == 3
    assert [f["action"] for _, f in await r.xrange("{tether}:audit")] == ["new.entry"] * 2
    assert await audit.trim(retention_days=2190) == 0
    await r.aclose()


async def test_the_auditor_trims_at_start_and_then_hourly(
        redis_url: str, tmp_path: Path, standin: tuple[TwilioStandIn, str],
        caplog: pytest.LogCaptureFixture) -> None:
    r = aioredis.Redis.from_url(redis_url, decode_responses=True)
    await r.xadd("{tether}:audit", {"at": "1", "actor": "test", "action": "old.entry",
                                  "target": "-"})
    await asyncio.sleep(0.3)
    caplog.set_level(logging.INFO, "sidecar.services")
    days = 0.2 / 86_400  # 0.2 s: the entry above is already past it
    async with running_sidecar(redis_url, tmp_path, standin, {},
                               settings={"tether_audit_retention_days": days}) as h:
        async def actions() -> list[Any]:
            return [f["action"] for _, f in await r.xrange("{tether}:audit")]

        await eventually(lambda: _without(actions, "old.entry"))
        assert re.search(r"auditor: trimmed \d+ audit entries older than", caplog.text)
        await h.tether.audit.record("test", "later.entry", "-")
        await asyncio.sleep(0.4)  # past the retention, but the hour has not passed
        await h.advance(60)
        assert "later.entry" in await actions()
        await h.advance(3600)
        await eventually(lambda: _without(actions, "later.entry"))
    await r.aclose()


async def _without(actions: Any, action: str) -> bool:
    return action not in await actions()
