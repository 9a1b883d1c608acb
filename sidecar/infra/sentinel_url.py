"""TETHER_REDIS_URL naming Redis Sentinels instead of one server.

``redis+sentinel://[:PASSWORD@]host1:26379,host2:26379,host3:26379/SERVICE[/DB]``: the
Sentinels to ask, the name they monitor the primary under (``sentinel monitor SERVICE ...``)
and the database number. The password is the data servers' (``requirepass``); Sentinels
that want one of their own take ``?sentinel_password=``. The client asks the Sentinels for
the primary and asks again after a failover, so every replica follows the new primary."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from sidecar.infra.url_hosts import hosts_and_password

SCHEME = "redis+sentinel"
DEFAULT_PORT = 26379


class SentinelUrlError(ValueError):
    """The URL names no Sentinel, no service, or a port that is not a number."""


@dataclass(frozen=True)
class SentinelUrl:
    sentinels: tuple[tuple[str, int], ...]
    service: str
    db: int = 0
    password: str | None = None
    sentinel_password: str | None = None

    def where(self) -> str:
        """The Sentinels and service for a log line or a sentence: never a password."""
        hosts = ",".join(f"{h}:{p}" for h, p in self.sentinels)
        return f"Sentinel {hosts} (service {self.service})"


def is_sentinel(url: str) -> bool:
    return url.startswith(SCHEME + "://")



def parse(url: str) -> SentinelUrl:
    parts = urlsplit(url)
    if parts.scheme != SCHEME:
        raise SentinelUrlError(f"a Sentinel URL starts with {SCHEME}://")
    sentinels, password = hosts_and_password(parts.netloc, DEFAULT_PORT, SentinelUrlError)
    if not sentinels:
        raise SentinelUrlError("the URL names no Sentinel (host:port, comma-separated)")
    path = [p for p in parts.path.split("/") if p]
    if not path:
        raise SentinelUrlError("the URL names no service: add /SERVICE, the name the "
                               "Sentinels monitor the primary under")
    if len(path) > 2 or (len(path) == 2 and not path[1].isdigit()):
        raise SentinelUrlError("after the service comes only the database number")
    query = parse_qs(parts.query)
    return SentinelUrl(sentinels=sentinels, service=unquote(path[0]),
                       db=int(path[1]) if len(path) == 2 else 0, password=password or None,
                       sentinel_password=query.get("sentinel_password", [""])[0] or None)
