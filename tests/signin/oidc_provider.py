"""A real OpenID provider for the tests (``tests/oidc/provider.mjs``, the npm package
``oidc-provider``), run as a Node process on a loopback port, and a login over plain HTTP.

Accounts: the staff of ``examples/program.yaml`` (avery@, morgan@, riley@, jordan@, sasha@,
quinn@example.org), ``stranger@example.org`` (not on staff) and ``unverified@example.org``
(``email_verified`` false). The password ``mfa`` signs in with a second factor (``amr``
``["pwd", "mfa"]``); any other password with a password alone (``["pwd"]``).

In a real browser (checked once by hand in Chromium) the login is the same form. The
provider's cookies: ``_interaction`` (path ``/interaction/<uid>``), ``_interaction_resume``
(path ``/auth/<uid>``) and ``_session`` (path ``/``), each with a ``.sig``; over plain http
Chromium drops the ``SameSite=None`` ones and keeps the ``.legacy`` (``SameSite=Lax``)
copies, which is enough. Cookies are kept per host, not per port: a sidecar under test on
127.0.0.1 shares the jar with the provider, so its own cookie names must differ.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from sidecar.signin.oidc import OidcSettings

HERE = Path(__file__).resolve().parent.parent / "oidc"
SCRIPT = HERE / "provider.mjs"
CLIENT_SECRET = "test-oidc-client-secret-0001"
REDIRECT_URI = "http://127.0.0.1:8080/auth/callback"
MFA_PASSWORD = "mfa"


@dataclass
class OidcProvider:
    log: Path
    redirect_uri: str = REDIRECT_URI  # where it sends people back (one per provider)
    issuer: str = ""
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def settings(self, client_id: str = "tether", require_mfa: bool = False) -> OidcSettings:
        return OidcSettings(issuer=self.issuer, client_id=client_id, client_secret=CLIENT_SECRET,
                            redirect_uri=self.redirect_uri, require_mfa=require_mfa)

    def start(self, timeout: float = 20.0) -> None:
        node = shutil.which("node")
        assert node is not None
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [node, str(SCRIPT), "--port", "0", "--secret", CLIENT_SECRET,
                 "--redirect-uri", self.redirect_uri],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log, cwd=HERE)
        self.issuer = self._ready_line(timeout).removeprefix("ready ")

    def _ready_line(self, timeout: float) -> str:
        assert self.proc is not None and self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            readable, _, _ = select.select([self.proc.stdout], [], [], 0.1)
            if readable:
                line = self.proc.stdout.readline().decode().strip()
                if line.startswith("ready "):
                    return line
                if not line and self.proc.poll() is not None:
                    break
        self.stop()
        raise RuntimeError(f"the OpenID provider did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.proc = None


def available() -> str | None:
    """Why the provider cannot run here, or None."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        return "run: npm ci --prefix tests/oidc"
    return None


def require_in_ci() -> None:
    missing = available()
    if missing and os.environ.get("CI"):
        raise RuntimeError(f"CI needs the test OpenID provider: {missing}")


async def login(http: httpx.AsyncClient, authorization_url: str, email: str,
                password: str = "pw") -> str:
    """Sign in at the provider as a person would, from ``authorization_url`` (an
    ``Attempt.url``), and return the URL the provider sends the browser back to (our redirect
    URI with ``code`` and ``state``, or ``error``), without following it.

    ``http`` plays the person's browser: its cookie jar is cleared first, so every login
    starts without a provider session."""
    http.cookies.clear()
    origin = _origin(authorization_url)
    page = await _follow(http, http.build_request("GET", authorization_url), origin)
    if isinstance(page, str):
        return page  # the provider answered at once (an error for the client)
    action = _form_action(page)
    form = {"login": email, "password": password}
    answer = await _follow(http, http.build_request("POST", urljoin(str(page.url), action),
                                                    data=form), origin)
    if isinstance(answer, str):
        return answer
    raise AssertionError(f"the provider did not let {email} in: {answer.text[:500]}")


async def _follow(http: httpx.AsyncClient, request: httpx.Request,
                  origin: str) -> httpx.Response | str:
    """Follow the provider's redirects; the first one leaving its origin is returned."""
    for _ in range(10):
        answer = await http.send(request)
        if not answer.is_redirect:
            return answer
        target = urljoin(str(request.url), answer.headers["location"])
        if _origin(target) != origin:
            return target
        request = http.build_request("GET", target)
    raise AssertionError("the provider redirected more than 10 times")


def _form_action(page: httpx.Response) -> str:
    assert page.status_code == 200, page.text[:500]
    marker = '<form method="post" action="'
    start = page.text.find(marker)
    assert start >= 0, f"no login form: {page.text[:500]}"
    start += len(marker)
    return page.text[start:page.text.index('"', start)]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
