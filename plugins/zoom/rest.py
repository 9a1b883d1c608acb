"""Zoom's REST API with a Server-to-Server OAuth token, through httpx.

The token (``grant_type=account_credentials``) is cached until a minute before it expires
and fetched again after a 401. Errors become ``CommandFailed``: 429 carries Retry-After,
404 (meeting not live) and 403 are final.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx

from plugins.base import CommandFailed

REFRESH_BEFORE_S = 60


def meeting_path_id(meeting: str) -> str:
    """Zoom wants a UUID that starts with "/" or contains "//" encoded twice."""
    once = quote(meeting, safe="")
    return quote(once, safe="") if meeting.startswith("/") or "//" in meeting else once


class ZoomRest:
    platform = "zoom"

    def __init__(
        self, http: httpx.AsyncClient, *, account_id: str, client_id: str, client_secret: str,
        api_base_url: str = "https://api.zoom.us", oauth_base_url: str = "https://zoom.us",
        now: Callable[[], float] = time.time,
    ) -> None:
        self._http = http
        self._account = account_id
        basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        self._basic = f"Basic {basic}"
        self._api = api_base_url.rstrip("/")
        self._oauth = oauth_base_url.rstrip("/")
        self._now = now
        self._token: tuple[str, float] | None = None

    async def _access_token(self) -> str:
        if self._token and self._token[1] > self._now():
            return self._token[0]
        try:
            resp = await self._http.post(
                f"{self._oauth}/oauth/token", headers={"Authorization": self._basic},
                data={"grant_type": "account_credentials", "account_id": self._account})
        except httpx.HTTPError as exc:
            raise CommandFailed(f"zoom oauth unreachable: {type(exc).__name__}",
                                retry_after_s=2) from exc
        if resp.status_code != 200:
            raise CommandFailed(f"zoom oauth refused: HTTP {resp.status_code}",
                                final=resp.status_code in (400, 401))
        body: dict[str, Any] = resp.json()
        ttl = float(body.get("expires_in", 3600))
        self._token = (str(body["access_token"]), self._now() + ttl - REFRESH_BEFORE_S)
        return self._token[0]

    async def _call(self, method: str, path: str, json_body: dict[str, Any]) -> httpx.Response:
        for attempt in range(2):
            token = await self._access_token()
            try:
                resp = await self._http.request(method, f"{self._api}{path}", json=json_body,
                                                headers={"Authorization": f"Bearer {token}"})
            except httpx.HTTPError as exc:
                raise CommandFailed(f"zoom api unreachable: {type(exc).__name__}",
                                    retry_after_s=2) from exc
            if resp.status_code == 401 and attempt == 0:
                self._token = None  # expired or revoked: one fresh token, one more try
                continue
            return resp
        return resp

    async def stop_recording(self, meeting: str) -> None:
        resp = await self._call("PATCH", f"/v2/live_meetings/{meeting_path_id(meeting)}/events",
                                {"method": "recording.stop"})
        if resp.status_code in (200, 202, 204):
            return
        if resp.status_code == 429:
            retry = float(resp.headers.get("Retry-After", "1") or 1)
            raise CommandFailed("zoom rate limit", retry_after_s=retry)
        if resp.status_code == 404:
            raise CommandFailed("meeting not live (404)", final=True)
        if resp.status_code in (400, 401, 403):
            raise CommandFailed(f"zoom refused: HTTP {resp.status_code}", final=True)
        raise CommandFailed(f"zoom error: HTTP {resp.status_code}", retry_after_s=2)
