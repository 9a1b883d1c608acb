"""A client's link leaves the address bar on the first request.

A texted link carries its token in the query (``/checkin?t=...``, ``/join/<room>?t=...``).
The page's first request answers 303 to the same page with ``?link=<id>`` instead, where
the id is a hash of the token (it opens nothing by itself), and puts the token in an
HttpOnly, SameSite=Strict cookie named for that id (Secure over TLS), one per API path of
that flow and with the link's own expiry. So the token is never in the page's URL, its
history entry or its navigation timing, and no script on the page can read it; the pages'
API calls name the id and the browser adds the cookie. Opening the link again makes a
fresh cookie; a reload keeps the id; several links in one browser each keep their own.
``?t=`` stays accepted on every route (old links). The in-meeting form, whose token comes
from the Zoom bridge rather than a link, sends it in the ``X-Tether-Link`` header, so it is
in no URL and no access log.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from aiohttp import web

from sidecar.infra.source import over_tls

LINK_HEADER = "X-Tether-Link"  # the in-meeting form's token (from the Zoom bridge)
LINK_COOKIE = "tether-link-"  # + the link's id: the token, for the flow's API paths
MOMENT_COOKIE = "tether-moment-"  # + id: the token for "I need a moment", past its time too
MOMENT_PATH = "/api/checkin/moment"
CHECKIN_PATHS = ("/api/checkin",)  # the form's API: the check-in, "I moved", "a moment"
_ID = re.compile(r"^[0-9a-f]{16}$")


def link_id(token: str) -> str:
    """The link's name in the URL and its cookie's name: a hash, no use without the cookie."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def token_of(request: web.Request, *, moment: bool = False) -> str:
    """The link's token: the ``X-Tether-Link`` header or ``?t=`` when given, else the
    cookie of ``?link=<id>`` ("" when none); ``moment`` also takes the longer-lived cookie
    of "I need a moment"."""
    token = request.headers.get(LINK_HEADER, "") or request.query.get("t", "")
    if token:
        return token
    lid = request.query.get("link", "")
    if not _ID.fullmatch(lid):
        return ""
    found = request.cookies.get(LINK_COOKIE + lid, "")
    if not found and moment:
        found = request.cookies.get(MOMENT_COOKIE + lid, "")
    return found


def has_link_id(request: web.Request) -> bool:
    """The page was reached by the exchange's redirect (or reloaded after it)."""
    return bool(_ID.fullmatch(request.query.get("link", "")))


def exchange(request: web.Request, token: str, ttl_ms: int, paths: Iterable[str],
             moment_grace_ms: int) -> web.Response:
    """303 to this page with ``?link=<id>``, the token in cookies for ``paths`` (and for
    "I need a moment", ``moment_grace_ms`` longer)."""
    lid = link_id(token)
    response = web.Response(status=303, headers={
        "Location": f"{request.path}?link={lid}", "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer"})
    secure = over_tls(request)
    ttl_s = max(1, ttl_ms // 1000)
    for path in paths:
        _set(response, LINK_COOKIE + lid, token, ttl_s, path, secure)
    _set(response, MOMENT_COOKIE + lid, token, ttl_s + moment_grace_ms // 1000, MOMENT_PATH,
         secure)
    return response


def _set(response: web.Response, name: str, value: str, max_age: int, path: str,
         secure: bool) -> None:
    """One Set-Cookie header (aiohttp keeps one cookie per name; ours differ by path). A
    token is base64url and dots, a cookie value as it is."""
    parts = [f"{name}={value}", "HttpOnly", f"Max-Age={max_age}", f"Path={path}",
             "SameSite=Strict"]
    response.headers.add("Set-Cookie", "; ".join([*parts, "Secure"] if secure else parts))
