"""A real Prosody (Debian's 0.12) on loopback, configured from scratch in a temp dir, with
our module loaded on its MUC component. No TLS, anonymous logins: tests only."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
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
# the module's options (without "tether_") unless a test says otherwise; retry timings stay
# the module's production defaults
MODULE_OPTIONS: dict[str, float] = {"timeout": 5, "queue_size": 100}
QUEUE_STORE = "tether_events"  # the module's keyval store: one .dat file per queued event


def prosody_binary() -> str | None:
    return shutil.which("prosody") or (
        "/usr/bin/prosody" if os.access("/usr/bin/prosody", os.X_OK) else None)


def _lua(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def config(workdir: Path, port: int, url: str, secret: str,
           options: Mapping[str, float]) -> str:
    """A whole prosody.cfg.lua: the two VirtualHosts, the main, breakout and lobby MUCs."""
    module_options = "\n".join(f"    tether_{name} = {value!r}"
                               for name, value in options.items())
    return f"""
run_as_root = {"true" if os.geteuid() == 0 else "false"}
pidfile = {_lua(str(workdir / "prosody.pid"))}
data_path = {_lua(str(workdir / "data"))}
certificates = {_lua(str(workdir / "certs"))}
plugin_paths = {{ {_lua(str(MODULE_DIR))}, {_lua(str(TEST_MODULE_DIR))} }}
log = {{ {{ levels = {{ min = "debug" }}, to = "file",
          filename = {_lua(str(workdir / "prosody.log"))} }} }}
default_storage = "memory"  -- as Jitsi configures its MUCs: the module must not rely on it
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
{module_options}
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
    _started: list[str] = field(default_factory=list)  # url, secret of the last start
    _options: dict[str, float] = field(default_factory=dict)
    _mark: int = 0  # where the current run's lines start in prosody.log

    def start(self, url: str, secret: str, *, startup_s: float = 10.0,
              **options: float) -> None:
        for sub in ("data", "certs"):
            (self.workdir / sub).mkdir(parents=True, exist_ok=True)
        self._started = [url, secret]
        self._options = {**MODULE_OPTIONS, **options}
        cfg = self.workdir / "prosody.cfg.lua"
        cfg.write_text(config(self.workdir, self.port, url, secret, self._options))
        main_log = self.workdir / "prosody.log"
        self._mark = main_log.stat().st_size if main_log.exists() else 0
        self._out = (self.workdir / "stdout.log").open("ab")
        self.proc = subprocess.Popen(
            [self.binary, "-F", "--config", str(cfg)], cwd=self.workdir,
            stdout=self._out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + startup_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"prosody exited {self.proc.returncode}:\n{self.log()}")
            if self._listening() and "posting events to" in self.run_log():
                return
            time.sleep(0.05)
        raise RuntimeError(f"prosody did not start in {startup_s}s:\n{self.log()}")

    def restart(self) -> None:
        """Stop (as systemd does: SIGTERM) and start again on the same data directory."""
        self.stop()
        url, secret = self._started
        self.start(url, secret, **self._options)

    def _listening(self) -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def log(self) -> str:
        """Everything Prosody wrote, every run."""
        parts = []
        for name in ("stdout.log", "prosody.log"):
            path = self.workdir / name
            if path.exists():
                parts.append(path.read_text(errors="replace"))
        return "\n".join(parts)

    def run_log(self) -> str:
        """prosody.log since the current run started."""
        path = self.workdir / "prosody.log"
        if not path.exists():
            return ""
        with path.open("rb") as f:
            f.seek(self._mark)
            return f.read().decode(errors="replace")

    def queued_files(self) -> list[Path]:
        """The module's disk queue: one file per event not yet delivered."""
        hosts = (self.workdir / "data").glob(f"*/{QUEUE_STORE}/*.dat")
        return sorted(hosts)

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
            self._out = None
