"""A contract event a plugin has already checked and written out, its person's name apart.

A plugin's fast path produces this for the common participant events instead of an
``EventEnvelope``: building and serialising the model costs more than the rest of an
acknowledgement. ``bare`` is exactly what ``EventEnvelope.model_dump_json`` writes for the
envelope with the person's ``display_name`` and ``email`` left out (the inbox keeps those
two sealed, beside it); ``envelope()`` gives the full model back whenever one is needed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from contracts.events import EventEnvelope


@dataclass(frozen=True, slots=True)
class PreparedEvent:
    id: str  # the envelope's delivery id
    meeting: str
    type: str  # the contract event's ``type``
    participant: str
    display_name: str
    email: str
    bare: str

    def envelope(self) -> EventEnvelope:
        """The full envelope, name and e-mail in clear."""
        data = json.loads(self.bare)
        person = data["event"]["person"]
        person["display_name"] = self.display_name
        person["email"] = self.email
        return EventEnvelope.model_validate(data)


Arrival = EventEnvelope | PreparedEvent
"""What the webhook edge hands to ingest: a model, or an event prepared by a fast path."""


def event_type(item: Arrival) -> str:
    return item.type if isinstance(item, PreparedEvent) else item.event.type


def envelope_of(item: Arrival) -> EventEnvelope:
    return item.envelope() if isinstance(item, PreparedEvent) else item
