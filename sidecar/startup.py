"""What ``tether serve`` checks before it starts: each failure a sentence for the operator
(a StartupProblem), printed alone by the command line, never a traceback."""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

from pydantic import ValidationError

from sidecar.infra.problems import StartupProblem
from sidecar.infra.settings import Settings


class SettingsInvalid(StartupProblem):
    """One line per setting the environment gives a value it cannot take."""


class FileUnreadable(StartupProblem):
    """A file named on the command line cannot be read."""


class PortInUse(StartupProblem):
    """The address to listen on is taken, or not this machine's."""


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        raise settings_invalid(exc) from exc


def settings_invalid(exc: ValidationError) -> SettingsInvalid:
    """The environment's bad values, one line each: "TETHER_X: what is wrong"."""
    return SettingsInvalid("\n".join(_setting_line(e["loc"], e["msg"])
                                      for e in exc.errors()))


def _setting_line(loc: tuple[int | str, ...], msg: str) -> str:
    name = str(loc[0]).upper() if loc else "a setting"
    said = msg.removeprefix("Value error, ").removeprefix(f"{name}: ").rstrip(".")
    return f"{name}: {said[:1].lower()}{said[1:]}."


def check_readable(path: Path, what: str) -> None:
    if not os.access(path, os.R_OK) or not path.is_file():
        why = "there is no such file" if not path.exists() else "it cannot be read"
        raise FileUnreadable(f"{what} {path} cannot be opened ({why}): name a readable "
                             "file.")


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound now so a taken port is said before anything starts."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as exc:
        raise PortInUse(f"--host {host} is not an address of this machine ({exc}).") from exc
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        taken = exc.errno == errno.EADDRINUSE
        raise PortInUse(
            f"port {port} on {host} is already in use: stop what listens there or choose "
            "another with --port." if taken else
            f"cannot listen on {host}:{port} ({exc.strerror}).") from exc
    return sock
