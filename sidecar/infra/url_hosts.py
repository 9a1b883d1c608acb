"""The part of a multi-host Redis URL both Sentinel and Cluster URLs share:
``[:PASSWORD@]host[:port],host[:port]...``, read the same way for both."""

from __future__ import annotations

from urllib.parse import unquote


def hosts_and_password(netloc: str, default_port: int, error: type[ValueError]
                       ) -> tuple[tuple[tuple[str, int], ...], str | None]:
    """The hosts (each with ``default_port`` if it names none) and the password, if any;
    ``error`` names an entry that is not host:port."""
    auth, _, hosts = netloc.rpartition("@")
    password = unquote(auth.partition(":")[2]) if auth else None
    return tuple(_host_port(h, default_port, error) for h in hosts.split(",") if h), \
        password or None


def _host_port(item: str, default_port: int, error: type[ValueError]) -> tuple[str, int]:
    host, _, port = item.rpartition(":") if item.count(":") == 1 else (item, "", "")
    if not host:
        host, port = item, ""
    if not port:
        return host, default_port
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise error(f"{item!r} is not host:port")
    return host, int(port)
