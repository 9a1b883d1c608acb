"""Typed application keys."""

from __future__ import annotations

from aiohttp import web

from sidecar.services import Tether

TETHER: web.AppKey[Tether] = web.AppKey("tether", Tether)
