"""Process settings and secrets: from the environment only (never from the repo)."""

from __future__ import annotations

from ipaddress import ip_address
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sidecar.infra.source import networks


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    tether_redis_url: str = ""
    # how long ``tether serve`` waits for the Redis server at TETHER_REDIS_URL to answer
    tether_redis_wait_s: float = Field(default=60, ge=0)
    tether_data_dir: Path = Path("./var")
    tether_data_key: SecretStr = SecretStr("")
    # the keyring file (JSON, 0600; ``tether keys rotate`` writes it); instead of the key above
    tether_keyring_file: str = ""
    tether_public_url: str = "http://127.0.0.1:8080"
    zoom_webhook_secret_token: SecretStr = SecretStr("")
    twilio_account_sid: str = ""
    twilio_auth_token: SecretStr = SecretStr("")
    twilio_from_number: str = ""
    twilio_api_base_url: str = "https://api.twilio.com"
    zoom_account_id: str = ""
    zoom_client_id: str = ""
    zoom_client_secret: SecretStr = SecretStr("")
    zoom_api_base_url: str = "https://api.zoom.us"
    zoom_oauth_base_url: str = "https://zoom.us"
    zoom_app_client_id: str = ""  # the Zoom App (panel) credentials, not the S2S app's
    zoom_app_client_secret: SecretStr = SecretStr("")
    # sign-in with the program's identity provider (OpenID Connect, authorization code + PKCE)
    tether_oidc_issuer: str = ""
    tether_oidc_client_id: str = ""
    tether_oidc_client_secret: SecretStr = SecretStr("")
    tether_oidc_require_mfa: bool = False
    # Microsoft Entra ID leaves out email_verified; set true there (single tenant) to accept
    # an address the provider does not state either way
    tether_oidc_accept_unstated_email: bool = False
    # staff sessions: signed out after this long without a request (a panel watching a live
    # meeting counts as active), and after the absolute limit whatever they do
    tether_session_idle_minutes: float = 15
    tether_session_max_hours: float = 12
    tether_break_glass_minutes: float = 60  # how long a break-glass opening lasts
    # how long the audit record is kept (6 years, HIPAA's documentation retention); the
    # auditor trims older entries hourly and logs how many, nothing is trimmed otherwise
    tether_audit_retention_days: float = Field(default=2190, gt=0)
    # the bearer secret a metrics scraper sends; unset: /metrics answers only on loopback
    tether_metrics_token: SecretStr = SecretStr("")
    # Jitsi: the Prosody module signs its events with this shared secret (HMAC-SHA256)
    jitsi_webhook_secret: SecretStr = SecretStr("")
    # the Jitsi Meet deployment: "meet.example.org" (self-hosted) or "meet.jit.si" (first look)
    jitsi_domain: str = "meet.jit.si"
    # join tokens (JWT) for a self-hosted deployment with token authentication: HS256 with the
    # app secret, or RS256 with a private key file and its kid (the public key on the ASAP
    # key server). Without either, joins carry no token (meet.jit.si).
    jitsi_app_id: str = ""
    jitsi_app_secret: SecretStr = SecretStr("")
    jitsi_private_key_file: Path | None = None
    jitsi_key_id: str = ""
    jitsi_audience: str = "jitsi"
    # the heartbeat gap (seconds) after which a client's join page counts as disconnected
    jitsi_heartbeat_gap_seconds: float = 10.0
    # the proxies in front (addresses or CIDRs, comma separated): only from these are
    # X-Forwarded-For and X-Forwarded-Proto believed (sidecar/infra/source.py)
    tether_trusted_proxies: str = ""
    # e-mail for safety-plan links (sidecar/plan): smtp://host:25 (a relay that needs no
    # login), smtp+starttls://user:password@host:587 or smtps://user:password@host:465;
    # unset: links go by text only
    tether_smtp_url: SecretStr = SecretStr("")
    tether_smtp_from: str = ""  # the sender, like care-team@example.org

    @field_validator("tether_trusted_proxies")
    @classmethod
    def _proxies(cls, v: str) -> str:
        networks(v)  # a sentence naming the entry that is not an address or a network
        return v

    def telephony_configured(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token.get_secret_value()
                    and self.twilio_from_number)

    def public_url_problem(self) -> str | None:
        """Why the telephony provider could not call Tether back at ``TETHER_PUBLIC_URL``
        (call outcomes, keypresses, text replies), in one sentence; None when it can."""
        url = self.tether_public_url.strip()
        if not url:
            return ("TETHER_PUBLIC_URL is not set, so the telephony provider could not tell "
                    "Tether whether anyone answered a callback: set it to this server's "
                    "public https:// address.")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return ("TETHER_PUBLIC_URL must be a full address such as "
                    "https://tether.example.org, not a relative path.")
        if parts.scheme == "http" and not _loopback(parts.hostname):
            return ("TETHER_PUBLIC_URL must start with https:// (plain http is allowed only "
                    "for this machine, such as http://127.0.0.1:8080).")
        return None


    def oidc_problem(self) -> str | None:
        """Why sign-in with the identity provider cannot work as set, in one sentence."""
        if not self.tether_oidc_issuer.strip():
            return None
        if not (self.tether_oidc_client_id.strip()
                and self.tether_oidc_client_secret.get_secret_value()):
            return ("TETHER_OIDC_ISSUER is set but TETHER_OIDC_CLIENT_ID or "
                    "TETHER_OIDC_CLIENT_SECRET is not: set all three to let staff sign in.")
        parts = urlsplit(self.tether_oidc_issuer.strip())
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname
                                            and _loopback(parts.hostname)):
            return ("TETHER_OIDC_ISSUER must start with https:// (for example "
                    "https://login.example.org), as the identity provider publishes it.")
        return None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False
