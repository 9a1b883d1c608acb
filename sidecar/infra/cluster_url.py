"""TETHER_REDIS_URL naming a Redis Cluster instead of one server.

``redis+cluster://[:PASSWORD@]host1:6379,host2:6379,host3:6379``: nodes to start from (any
one that answers tells the client the whole cluster: which primary serves which slot, and
which replica takes over when a primary fails). The password is the nodes' ``requirepass``.
A cluster has only database 0, so the URL names no database (``/0`` is accepted)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sidecar.infra.url_hosts import hosts_and_password

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



def parse(url: str) -> ClusterUrl:
    parts = urlsplit(url)
    if parts.scheme != SCHEME:
        raise ClusterUrlError(f"a Cluster URL starts with {SCHEME}://")
    nodes, password = hosts_and_password(parts.netloc, DEFAULT_PORT, ClusterUrlError)
    if not nodes:
        raise ClusterUrlError("the URL names no node (host:port, comma-separated)")
    if parts.path.strip("/") not in ("", "0"):
        raise ClusterUrlError("a cluster has only database 0: end the URL after the nodes")
    if parts.query:
        raise ClusterUrlError("the URL takes no options after '?'")
    return ClusterUrl(nodes=nodes, password=password or None)
