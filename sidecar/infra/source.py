"""Where a request came from, and whether it came over TLS, behind a proxy or not.

``TETHER_TRUSTED_PROXIES`` names the proxies in front of Tether (addresses or CIDRs, comma
separated; empty by default). Only when the connection's peer is one of them are its
forwarding headers believed: the source is then the right-most address in
``X-Forwarded-For`` that is not a trusted proxy (each proxy appends the address it saw, so
whatever a client wrote further left is its own claim), and TLS is what the nearest proxy
says in ``X-Forwarded-Proto``. From any other peer both headers are ignored: the source is
the peer and TLS is the connection's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from aiohttp import web

Network = IPv4Network | IPv6Network


def networks(text: str) -> tuple[Network, ...]:
    """``"10.0.0.5, 192.168.0.0/16"`` as networks; ValueError names an entry that is not."""
    out: list[Network] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            out.append(ip_network(part, strict=False))
        except ValueError as exc:
            raise ValueError(f"TETHER_TRUSTED_PROXIES: {part[:60]!r} is not an address or "
                             "a network such as 10.0.0.0/8") from exc
    return tuple(out)


@dataclass(frozen=True)
class Proxies:
    """The proxies whose forwarding headers are believed (none by default)."""

    trusted: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Proxies:
        return cls(networks(text))

    def trusts(self, address: str) -> bool:
        return bool(self.trusted) and _trusted(self.trusted, address.strip())

    def client(self, peer: str, forwarded_for: list[str]) -> str:
        """The right-most address that is not a trusted proxy, walking in from ``peer``."""
        if not self.trusts(peer):
            return peer
        last = peer
        for hop in reversed(forwarded_for):
            if not _is_address(hop):
                return last  # a hop our own proxy could not have written: stop at the proxy
            if not self.trusts(hop):
                return hop
            last = hop
        return last

    def tls(self, peer: str, forwarded_proto: list[str], secure: bool) -> bool:
        if secure:
            return True
        return self.trusts(peer) and bool(forwarded_proto) and forwarded_proto[-1] == "https"


TRUSTED_PROXIES: web.AppKey[Proxies] = web.AppKey("trusted-proxies", Proxies)


@lru_cache(maxsize=4096)  # a deployment sees a few peers (its proxies) again and again
def _trusted(trusted: tuple[Network, ...], address: str) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip.version == n.version and ip in n for n in trusted)


def _is_address(text: str) -> bool:
    try:
        ip_address(text)
    except ValueError:
        return False
    return True


def _values(request: web.Request, header: str) -> list[str]:
    """A list header's items, over every copy of the header, in order."""
    return [v.strip().lower() for line in request.headers.getall(header, [])
            for v in line.split(",") if v.strip()]


def _proxies(request: web.Request) -> Proxies:
    return request.config_dict.get(TRUSTED_PROXIES) or Proxies()


def source(request: web.Request) -> str:
    """The address a request came from, for the audit record and address checks."""
    proxies, peer = _proxies(request), request.remote or ""
    if not proxies.trusts(peer):  # the common case: no header to read
        return peer
    return proxies.client(peer, _values(request, "X-Forwarded-For"))


def over_tls(request: web.Request) -> bool:
    """Whether the browser's connection is TLS: this server's own, or a trusted proxy's."""
    if request.secure:
        return True
    proxies, peer = _proxies(request), request.remote or ""
    if not proxies.trusts(peer):
        return False
    return proxies.tls(peer, _values(request, "X-Forwarded-Proto"), False)
