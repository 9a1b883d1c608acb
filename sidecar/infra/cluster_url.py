"""TETHER_REDIS_URL naming a Redis Cluster instead of one server.

``redis+cluster://[:PASSWORD@]host1:6379,host2:6379,host3:6379``: nodes to start from (any
one that answers tells the client the whole cluster: which primary serves which slot, and
which replica takes over when a primary fails). The password is the nodes' ``requirepass``.
A cluster has only database 0, so the URL names no database (``/0`` is accepted)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

SCHEME = "redis+cluster"
DEFAULT_PORT = 6379


class ClusterUrlError(ValueError):
    """The URL names no node, a port that is not a number, or a database other than 0."""


@dataclass(frozen=True)
class ClusterUrl:
    nodes: tuple[tuple[str, int], ...]
    password: str | None = None

    def where(self) -> str:
        """The start-up nodes for a log line or a sentence: never the password."""
        return "Cluster " + ",".join(f"{h}:{p}" for h, p in self.nodes)


def is_cluster(url: str) -> bool:
    return url.startswith(SCHEME + "://")


def _host_port(item: str) -> tuple[str, int]:
    host, _, port = item.rpartition(":") if item.count(":") == 1 else (item, "", "")
    if not host:
        host, port = item, ""
    if not port:
        return host, DEFAULT_PORT
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ClusterUrlError(f"{item!r} is not host:port")
    return host, int(port)


def parse(url: str) -> ClusterUrl:
    parts = urlsplit(url)
    if parts.scheme != SCHEME:
        raise ClusterUrlError(f"a Cluster URL starts with {SCHEME}://")
    auth, _, hosts = parts.netloc.rpartition("@")
    password = unquote(auth.partition(":")[2]) if auth else None
    nodes = tuple(_host_port(h) for h in hosts.split(",") if h)
    if not nodes:
        raise ClusterUrlError("the URL names no node (host:port, comma-separated)")
    if parts.path.strip("/") not in ("", "0"):
        raise ClusterUrlError("a cluster has only database 0: end the URL after the nodes")
    if parts.query:
        raise ClusterUrlError("the URL takes no options after '?'")
    return ClusterUrl(nodes=nodes, password=password or None)
