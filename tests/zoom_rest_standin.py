"""A local stand-in for the parts of Zoom's REST API Tether calls, with Zoom's documented
answers: S2S OAuth tokens, 401 for an expired token, 429 with Retry-After, 404 when the
meeting is not live."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field
from urllib.parse import unquote

from aiohttp import web


@dataclass
class ZoomRestStandIn:
    account_id: str
    client_id: str
    client_secret: str
    live: set[str] = field(default_factory=set)  # meeting uuids that are live
    rate_limited: int = 0  # the next N calls answer 429
    expire_tokens: bool = False  # every issued token is already expired
    tokens_issued: int = 0
    stopped: list[str] = field(default_factory=list)
    _tokens: dict[str, bool] = field(default_factory=dict)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/oauth/token", self._token)
        app.router.add_patch("/v2/live_meetings/{id:.+}/events", self._events)
        return app

    async def _token(self, request: web.Request) -> web.Response:
        creds = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        form = await request.post()
        if request.headers.get("Authorization") != f"Basic {creds}":
            return web.json_response({"reason": "Invalid client_id or client_secret",
                                      "error": "invalid_client"}, status=401)
        if form.get("grant_type") != "account_credentials":
            return web.json_response({"reason": "unsupported grant type",
                                      "error": "unsupported_grant_type"}, status=400)
        if form.get("account_id") != self.account_id:
            return web.json_response({"reason": "Invalid account_id",
                                      "error": "invalid_request"}, status=400)
        token = secrets.token_urlsafe(24)
        self._tokens[token] = not self.expire_tokens
        self.tokens_issued += 1
        return web.json_response({"access_token": token, "token_type": "bearer",
                                  "expires_in": 3599, "scope": "meeting:write:admin",
                                  "api_url": "https://api.zoom.us"})

    async def _events(self, request: web.Request) -> web.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if not self._tokens.get(token):
            return web.json_response({"code": 124, "message": "Invalid access token."},
                                     status=401)
        if self.rate_limited > 0:
            self.rate_limited -= 1
            return web.json_response(
                {"code": 429, "message": "You have reached the maximum per-second rate limit "
                                         "for this API. Try again later."},
                status=429, headers={"Retry-After": "1"})
        meeting = unquote(unquote(request.match_info["id"]))
        body = await request.json()
        if meeting not in self.live:
            return web.json_response({"code": 3001, "message": "Meeting does not exist or "
                                                               "is not live."}, status=404)
        if body.get("method") != "recording.stop":
            return web.json_response({"code": 300, "message": "Invalid method"}, status=400)
        self.stopped.append(meeting)
        return web.Response(status=202)
