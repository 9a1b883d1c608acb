"""Telephony: the dialer port, Twilio's REST client, its webhook signature, a stand-in."""

from sidecar.infra.telephony.port import CallRef, Dialer, TelephonyError

__all__ = ["CallRef", "Dialer", "TelephonyError"]
