"""A Redis primary, its replica and three Sentinels on loopback ports, for failover tests."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import redis

from tests.conftest import free_port

SERVICE = "tether"
DOWN_AFTER_MS = 1000


def _wait(port: int, ready: str = "ping") -> None:
    client = redis.Redis(port=port, socket_timeout=1)
    deadline = time.monotonic() + 10
    while True:
        try:
            if client.ping():
                break
        except (redis.ConnectionError, redis.TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing answered on port {port}")
        time.sleep(0.05)
    client.close()


@dataclass
class SentinelSet:
    binary: str
    workdir: Path
    primary_port: int = 0
    replica_port: int = 0
    sentinel_ports: list[int] = field(default_factory=list)
    procs: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        hosts = ",".join(f"127.0.0.1:{p}" for p in self.sentinel_ports)
        return f"redis+sentinel://{hosts}/{SERVICE}/0"

    def _server(self, port: int, *extra: str) -> None:
        folder = self.workdir / str(port)
        folder.mkdir(parents=True, exist_ok=True)
        self.procs[port] = subprocess.Popen(
            [self.binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
             "--appendonly", "yes", "--save", "", "--logfile", "redis.log", *extra],
            stdin=subprocess.DEVNULL)
        _wait(port)

    def _sentinel(self, port: int) -> None:
        folder = self.workdir / f"sentinel-{port}"
        folder.mkdir(parents=True, exist_ok=True)
        conf = folder / "sentinel.conf"  # a Sentinel rewrites its own file: one each
        conf.write_text(
            f"port {port}\nbind 127.0.0.1\ndir {folder}\nlogfile sentinel.log\n"
            f"sentinel monitor {SERVICE} 127.0.0.1 {self.primary_port} 2\n"
            f"sentinel down-after-milliseconds {SERVICE} {DOWN_AFTER_MS}\n"
            f"sentinel failover-timeout {SERVICE} 5000\n"
            f"sentinel parallel-syncs {SERVICE} 1\n")
        self.procs[port] = subprocess.Popen([self.binary, str(conf), "--sentinel"],
                                            stdin=subprocess.DEVNULL)
        _wait(port)

    def start(self) -> None:
        self.primary_port, self.replica_port = free_port(), free_port()
        self._server(self.primary_port)
        self._server(self.replica_port, "--replicaof", "127.0.0.1", str(self.primary_port))
        self.sentinel_ports = [free_port() for _ in range(3)]
        for port in self.sentinel_ports:
            self._sentinel(port)
        self.wait_until(lambda: self._sentinels_know_the_replica(), "the replica is known")

    def _sentinels_know_the_replica(self) -> bool:
        for port in self.sentinel_ports:
            client = redis.Redis(port=port, decode_responses=True, socket_timeout=1)
            try:
                known = client.execute_command("SENTINEL", "REPLICAS", SERVICE)
                sentinels = client.execute_command("SENTINEL", "SENTINELS", SERVICE)
            finally:
                client.close()
            if not known or len(sentinels) < 2:
                return False
        return True

    def primary(self) -> int:
        client = redis.Redis(port=self.sentinel_ports[0], decode_responses=True,
                             socket_timeout=1)
        try:
            _, port = client.execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", SERVICE)
            return int(port)
        finally:
            client.close()

    def replicated(self, key: str) -> bool:
        """Has the replica got ``key`` (a sorted set's members) from the primary?"""
        client = redis.Redis(port=self.replica_port, decode_responses=True, socket_timeout=1)
        try:
            return bool(client.exists(key))
        finally:
            client.close()

    def kill_primary(self) -> None:
        proc = self.procs[self.primary_port]
        proc.kill()
        proc.wait(10)

    @staticmethod
    def wait_until(check: Callable[[], bool], what: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise RuntimeError(f"timed out waiting until {what}")
            time.sleep(0.1)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
                proc.wait(10)
