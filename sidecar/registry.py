"""The one module that knows the concrete platform plugins."""

from __future__ import annotations

import logging
from importlib import resources

import httpx

from plugins.base import (
    AppContextReader,
    MeetingCommands,
    PanelContext,
    PanelContextError,
    WebhookAdapter,
)
from plugins.jitsi import JitsiWebhookAdapter
from plugins.jitsi import tokens as jitsi_tokens
from plugins.zoom import ZoomWebhookAdapter
from plugins.zoom.app_context import AppContextError, open_context
from plugins.zoom.rest import ZoomRest
from sidecar.infra.settings import Settings
from sidecar.jitsi.gate import JoinMinter

logger = logging.getLogger(__name__)


def webhook_adapters(settings: Settings, time_zone: str) -> dict[str, WebhookAdapter]:
    """``time_zone``: the program's, whose calendar day names a Jitsi session."""
    adapters: dict[str, WebhookAdapter] = {}
    secret = settings.zoom_webhook_secret_token.get_secret_value()
    if secret:
        adapters["zoom"] = ZoomWebhookAdapter(secret)
    else:
        logger.error("ZOOM_WEBHOOK_SECRET_TOKEN not set: /webhooks/zoom answers 404")
    jitsi_secret = settings.jitsi_webhook_secret.get_secret_value()
    if jitsi_secret:
        adapters["jitsi"] = JitsiWebhookAdapter(jitsi_secret, time_zone)
    else:
        logger.info("JITSI_WEBHOOK_SECRET not set: /webhooks/jitsi answers 404")
    return adapters


def meeting_commands(settings: Settings, http: httpx.AsyncClient) -> dict[str, MeetingCommands]:
    """Platform APIs for server-side commands, where credentials are configured."""
    commands: dict[str, MeetingCommands] = {}
    secret = settings.zoom_client_secret.get_secret_value()
    if settings.zoom_account_id and settings.zoom_client_id and secret:
        commands["zoom"] = ZoomRest(
            http, account_id=settings.zoom_account_id, client_id=settings.zoom_client_id,
            client_secret=secret, api_base_url=settings.zoom_api_base_url,
            oauth_base_url=settings.zoom_oauth_base_url)
    else:
        logger.warning("ZOOM_ACCOUNT_ID/ZOOM_CLIENT_ID/ZOOM_CLIENT_SECRET not set: the "
                       "recording guard can alert but not stop a recording")
    return commands


def app_context_reader(settings: Settings) -> AppContextReader | None:
    """Opens the Zoom App's ``x-zoom-app-context``, if the app's credentials are set."""
    secret = settings.zoom_app_client_secret.get_secret_value()
    if not (settings.zoom_app_client_id and secret):
        return None
    client_id = settings.zoom_app_client_id

    def read(header: str, now_ms: int) -> PanelContext:
        try:
            ctx = open_context(header, secret, client_id, now_ms)
        except AppContextError as exc:
            raise PanelContextError(str(exc)) from exc
        return PanelContext(platform="zoom", user=ctx.uid, meeting=ctx.mid,
                            role=ctx.attendrole)

    return read


def bridge_script(platform: str) -> str:
    """The browser bridge a platform plugin ships for the panel."""
    package = {"zoom": "plugins.zoom", "jitsi": "plugins.jitsi"}[platform]
    return (resources.files(package) / "static" / f"{platform}-bridge.js").read_text("utf-8")


def zoom_sdk_module() -> str | None:
    """The @zoom/appssdk ES module, when ``npm ci --prefix plugins/zoom`` has installed it."""
    path = resources.files("plugins.zoom") / "node_modules" / "@zoom" / "appssdk" / "dist"
    module = path / "sdk.es.js"
    return module.read_text("utf-8") if module.is_file() else None


def jitsi_minter(settings: Settings) -> JoinMinter | None:
    """Jitsi join tokens: RS256 with ``JITSI_PRIVATE_KEY_FILE`` and ``JITSI_KEY_ID``, else
    HS256 with ``JITSI_APP_SECRET``; None (joins carry no token, as on meet.jit.si) when
    no app id or key is set."""
    secret = settings.jitsi_app_secret.get_secret_value()
    key_file = settings.jitsi_private_key_file
    if not settings.jitsi_app_id or not (secret or key_file):
        logger.info("JITSI_APP_ID with JITSI_APP_SECRET or JITSI_PRIVATE_KEY_FILE not set: "
                    "Jitsi joins carry no token")
        return None
    aud, domain = settings.jitsi_audience, settings.jitsi_domain
    if key_file is not None:
        return jitsi_tokens.rs256(settings.jitsi_app_id, key_file.read_text("utf-8"),
                                  settings.jitsi_key_id, audience=aud, domain=domain)
    return jitsi_tokens.hs256(settings.jitsi_app_id, secret, audience=aud, domain=domain)
