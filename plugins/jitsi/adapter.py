"""The Jitsi webhook adapter: our Prosody module's signature, replay window, translation."""

from __future__ import annotations

from collections.abc import Mapping
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from contracts.prepared import PreparedEvent
from plugins.base import BadSignature, MalformedPayload, StaleRequest, WebhookResult
from plugins.jitsi.payloads import JitsiEvent
from plugins.jitsi.signature import signature_matches
from plugins.jitsi.translate import translate

TIMESTAMP = "x-tether-timestamp"
SIGNATURE = "x-tether-signature"


class JitsiWebhookAdapter:
    """Events from ``prosody/mod_tether_events.lua``; a session is the room on one day of
    the program's calendar (``time_zone``)."""

    platform = "jitsi"

    def __init__(self, secret: str, time_zone: str, replay_window_s: float = 300.0) -> None:
        if not secret:
            raise ValueError("JITSI_WEBHOOK_SECRET is empty")
        self._secret = secret
        self._zone = ZoneInfo(time_zone)
        self._window = replay_window_s

    def verify(self, headers: Mapping[str, str], body: bytes, now: float) -> None:
        lowered = {k.lower(): v for k, v in headers.items()}
        ts, sig = lowered.get(TIMESTAMP, ""), lowered.get(SIGNATURE, "")
        if not ts or not sig:
            raise BadSignature("missing X-Tether-Signature or X-Tether-Timestamp")
        if not (ts.isascii() and ts.isdigit() and len(ts) <= 12):
            raise BadSignature("X-Tether-Timestamp is not unix seconds")
        if not signature_matches(self._secret, ts, body, sig):
            raise BadSignature("X-Tether-Signature does not match")
        if abs(now - int(ts)) > self._window:
            raise StaleRequest("X-Tether-Timestamp outside the replay window")

    def prepare(self, body: bytes) -> PreparedEvent | None:
        return None  # a few events a minute per room: the model path is quick enough

    def handle(self, body: bytes) -> WebhookResult:
        try:
            event = JitsiEvent.model_validate_json(body)
        except ValidationError as exc:
            raise MalformedPayload(f"not a Tether Jitsi event: {exc.error_count()} errors"
                                   ) from exc
        try:
            envelopes = translate(event, self._zone)
        except ValidationError as exc:  # a field past what the contract holds
            raise MalformedPayload(f"not a Jitsi event Tether can hold: {exc.error_count()} "
                                   "errors") from exc
        if envelopes is None:
            return WebhookResult(skipped=event.event)
        return WebhookResult(events=envelopes)
