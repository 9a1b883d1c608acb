"""The ``since`` of an export: a date or date-time (ISO 8601; UTC unless it names a zone)."""

from __future__ import annotations

from datetime import UTC, datetime


class BadSince(ValueError):
    """Not a date or date-time; the message is a sentence for the caller."""


def since_ms(text: str) -> int:
    """``2026-12-01`` or ``2026-12-01T18:00:00-06:00`` in ms since the epoch."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise BadSince("since takes a date such as 2026-12-01 or a date and time such as "
                       "2026-12-01T18:00:00Z") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0, int(moment.timestamp() * 1000))
