"""A real Prosody (Debian's 0.12) on loopback, configured from scratch in a temp dir, with
our module loaded on its MUC component. No TLS, anonymous logins: tests only."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[2]
MODULE_DIR = ROOT / "plugins" / "jitsi" / "prosody"
TEST_MODULE_DIR = Path(__file__).resolve().parent / "prosody_modules"
DOMAIN = "meet.test"  # anonymous, as a public Jitsi Meet
MEMBERS = f"members.{DOMAIN}"  # named accounts (any password), as behind a token module
MUC = f"conference.{DOMAIN}"
BREAKOUT = f"breakout.{DOMAIN}"
LOBBY = f"lobby.{DOMAIN}"
HIBERNATION_S = 3


def prosody_binary() -> str | None:
    return shutil.which("prosody") or (
        "/usr/bin/prosody" if os.access("/usr/bin/prosody", os.X_OK) else None)


def _lua(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def config(workdir: Path, port: int, url: str, secret: str, *, timeout: float = 5,
           retries: int = 3, queue_size: int = 100) -> str:
    """A whole prosody.cfg.lua: the two VirtualHosts, the main, breakout and lobby MUCs."""
    return f"""
run_as_root = {"true" if os.geteuid() == 0 else "false"}
pidfile = {_lua(str(workdir / "prosody.pid"))}
data_path = {_lua(str(workdir / "data"))}
certificates = {_lua(str(workdir / "certs"))}
plugin_paths = {{ {_lua(str(MODULE_DIR))}, {_lua(str(TEST_MODULE_DIR))} }}
log = {{ {{ levels = {{ min = "debug" }}, to = "file",
          filename = {_lua(str(workdir / "prosody.log"))} }} }}
default_storage = "memory"
c2s_ports = {{ {port} }}
c2s_interfaces = {{ "127.0.0.1" }}
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
modules_enabled = {{ "saslauth", "disco", "smacks", "ping" }}
modules_disabled = {{ "s2s", "tls", "offline", "http" }}
smacks_hibernation_time = {HIBERNATION_S}

VirtualHost {_lua(DOMAIN)}
    authentication = "anonymous"

VirtualHost {_lua(MEMBERS)}
    authentication = "insecure"
    insecure_open_authentication = "Yes please, I know what I'm doing!"
    modules_enabled = {{ "tether_test_context" }}

Component {_lua(MUC)} "muc"
    muc_room_locking = false
    modules_enabled = {{ "tether_events" }}
    tether_url = {_lua(url)}
    tether_secret = {_lua(secret)}
    tether_timeout = {timeout}
    tether_retries = {retries}
    tether_queue_size = {queue_size}
    tether_breakout_muc = {_lua(BREAKOUT)}
    tether_lobby_muc = {_lua(LOBBY)}

Component {_lua(BREAKOUT)} "muc"
    muc_room_locking = false

Component {_lua(LOBBY)} "muc"
    muc_room_locking = false
"""


@dataclass
class ProsodyServer:
    binary: str
    workdir: Path
    port: int
    proc: subprocess.Popen[bytes] | None = None
    _out: IO[bytes] | None = None

    def start(self, url: str, secret: str, *, startup_s: float = 10.0, timeout: float = 5,
              retries: int = 3, queue_size: int = 100) -> None:
        for sub in ("data", "certs"):
            (self.workdir / sub).mkdir(parents=True, exist_ok=True)
        cfg = self.workdir / "prosody.cfg.lua"
        cfg.write_text(config(self.workdir, self.port, url, secret, timeout=timeout,
                              retries=retries, queue_size=queue_size))
        self._out = (self.workdir / "stdout.log").open("wb")
        self.proc = subprocess.Popen(
            [self.binary, "-F", "--config", str(cfg)], cwd=self.workdir,
            stdout=self._out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + startup_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"prosody exited {self.proc.returncode}:\n{self.log()}")
            if self._listening() and "posting events to" in self.log():
                return
            time.sleep(0.05)
        raise RuntimeError(f"prosody did not start in {startup_s}s:\n{self.log()}")

    def _listening(self) -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def log(self) -> str:
        parts = []
        for name in ("stdout.log", "prosody.log"):
            path = self.workdir / name
            if path.exists():
                parts.append(path.read_text(errors="replace"))
        return "\n".join(parts)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._out is not None:
            self._out.close()
