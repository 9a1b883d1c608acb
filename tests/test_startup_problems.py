"""``tether serve`` with something wrong says it in one sentence on stderr, no traceback,
and exits non-zero within seconds; started before its Redis, it waits and becomes ready."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import DATA_KEY, ROOT, free_port
from tests.redis_servers import RedisServer, binaries

EXIT_WITHIN_S = 20  # the interpreter's start-up on a busy machine, and a 1 s wait


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TETHER_", "TWILIO_", "ZOOM_", "JITSI_"))}
    env.update(PYTHONPATH=str(ROOT), TETHER_DATA_DIR=str(tmp_path / "data"), **settings)
    return env


def _serve(env: dict[str, str], port: int, **kw: object) -> subprocess.Popen[str]:
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "sidecar.cli", "serve", "--config", "examples/program.yaml",
         "--port", str(port)], cwd=ROOT, env=env, text=True, **kw)


def _refused(env: dict[str, str]) -> list[str]:
    """Serve, expect a refusal; the lines it printed on stderr."""
    proc = _serve(env, free_port(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, err = proc.communicate(timeout=EXIT_WITHIN_S)
    assert proc.returncode != 0, err
    assert "Traceback" not in err, err
    return err.splitlines()


def _said_once(lines: list[str], *words: str) -> None:
    said = [line for line in lines if line.startswith("tether: ")]
    assert len(said) == 1, lines
    assert all(word in said[0] for word in words), said[0]


def test_no_data_key_with_a_redis_url_is_one_sentence(tmp_path: Path) -> None:
    lines = _refused(_env(tmp_path, TETHER_DATA_KEY="",
                          TETHER_REDIS_URL=f"unix://{tmp_path}/none.sock"))
    assert len(lines) == 1, lines
    _said_once(lines, "TETHER_KEYRING_FILE (or TETHER_DATA_KEY) must be set")


def test_an_unreachable_redis_is_waited_for_then_one_sentence(tmp_path: Path) -> None:
    started = time.monotonic()
    lines = _refused(_env(tmp_path, TETHER_DATA_KEY=DATA_KEY, TETHER_REDIS_WAIT_S="1",
                          TETHER_LOG_FORMAT="plain",
                          TETHER_REDIS_URL=f"unix://{tmp_path}/none.sock"))
    assert time.monotonic() - started < EXIT_WITHIN_S
    _said_once(lines, "did not answer within 1 s", "TETHER_REDIS_URL")
    attempts = [line for line in lines if "not answering yet (attempt" in line]
    assert len(attempts) >= 2 and len(lines) == len(attempts) + 1, lines  # one per attempt


def test_a_bad_setting_value_names_the_setting(tmp_path: Path) -> None:
    lines = _refused(_env(tmp_path, TETHER_AUDIT_RETENTION_DAYS="-5"))
    assert lines == ["tether: TETHER_AUDIT_RETENTION_DAYS: input should be greater than 0."]


def test_a_setting_that_explains_itself_is_said_once(tmp_path: Path) -> None:
    lines = _refused(_env(tmp_path, TETHER_TRUSTED_PROXIES="10.0.0.0/8, the-proxy"))
    assert lines == ["tether: TETHER_TRUSTED_PROXIES: 'the-proxy' is not an address or a "
                     "network such as 10.0.0.0/8."]


def test_a_port_in_use_is_one_sentence(tmp_path: Path) -> None:
    with _listening() as port:
        proc = _serve(_env(tmp_path, TETHER_DATA_KEY=DATA_KEY), port,
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _, err = proc.communicate(timeout=EXIT_WITHIN_S)
    assert proc.returncode != 0 and "Traceback" not in err, err
    _said_once(err.splitlines(), f"port {port}", "already in use")


def test_a_wrong_redis_password_is_one_sentence(tmp_path: Path) -> None:
    server = _redis(tmp_path, "--requirepass", "right-horse-battery")
    try:
        url = f"unix://:tangerine-0042@{server.socket}"
        lines = _refused(_env(tmp_path, TETHER_DATA_KEY=DATA_KEY, TETHER_REDIS_URL=url))
    finally:
        server.stop()
    assert len(lines) == 1, lines
    _said_once(lines, "refused the password", "TETHER_REDIS_URL")
    assert "tangerine" not in lines[0] and "right-horse" not in lines[0]  # no password said


def test_serve_started_before_redis_becomes_ready_when_it_comes_up(tmp_path: Path) -> None:
    server, port = _redis(tmp_path, start=False), free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = _serve(_env(tmp_path, TETHER_DATA_KEY=DATA_KEY, TETHER_REDIS_URL=server.url,
                           TETHER_LOG_FORMAT="plain", TETHER_REDIS_WAIT_S="60"),
                      port, stdout=out, stderr=out)
    try:
        _until(lambda: "not answering yet (attempt 2" in log.read_text(), proc, log)
        server.start()
        _until(lambda: _ready(f"http://127.0.0.1:{port}"), proc, log)
    finally:
        proc.terminate()
        proc.wait(30)
        server.stop()
    assert "Traceback" not in log.read_text()


def _redis(tmp_path: Path, *args: str, start: bool = True) -> RedisServer:
    binary = binaries()["redis7"] or binaries()["redis62"]
    assert binary is not None, "no redis-server on this machine"
    server = _RedisWith(args, "redis", binary, tmp_path / "redis")
    if start:
        server.start()
    return server


class _RedisWith(RedisServer):
    """A test Redis with extra arguments (a password); ready when it answers on its
    socket, password or not."""

    def __init__(self, extra: tuple[str, ...], *args: object) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.extra = extra

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [self.binary, "--port", "0", "--unixsocket", str(self.socket), "--dir",
             str(self.workdir), "--save", "", "--logfile", "redis.log", *self.extra],
            stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not self.socket.exists():
            assert time.monotonic() < deadline, "the test redis did not start"
            time.sleep(0.02)


def _ready(base: str) -> bool:
    try:
        checks = httpx.get(base + "/readyz", timeout=2).json()["checks"]
    except httpx.HTTPError:
        return False
    return bool(checks["redis"] and checks["workers"])


def _until(check: Callable[[], bool], proc: subprocess.Popen[str], log: Path,
           timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert proc.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.1)


@contextmanager
def _listening() -> Iterator[int]:
    """A port something else listens on, for the length of a ``with``."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


@pytest.mark.parametrize("command", [["config", "export"], ["token", "lead-avery"],
                                     ["audit", "export", "--since", "2026-12-01"]])
def test_one_shot_commands_print_only_their_own_result(redis_url: str, tmp_path: Path,
                                                       command: list[str]) -> None:
    env = _env(tmp_path, TETHER_REDIS_URL=redis_url, TETHER_DATA_KEY=DATA_KEY)
    out = subprocess.run([sys.executable, "-m", "sidecar.cli", *command], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    # an export's summary goes to stderr beside its data; nothing else may
    noise = [line for line in out.stderr.splitlines() if not line.startswith("exported ")]
    assert noise == [] and (out.stdout + out.stderr).strip()  # no "TWILIO_* not set" ...


def test_a_one_shot_command_with_a_bad_setting_is_one_sentence(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "sidecar.cli", "audit", "export", "--since",
                          "2026-12-01"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         env=_env(tmp_path, TETHER_SESSION_MAX_HOURS="twelve"))
    assert out.returncode == 2
    assert out.stderr.splitlines() == [
        "tether: TETHER_SESSION_MAX_HOURS: input should be a valid number, unable to parse "
        "string as a number."]
