"""A client's platform identities (display names, e-mails, registrant ids, Zoom uids) and
the rule that one identity belongs to one client. Pure: the store looks the owners up
and writes; this decides.

Why it matters: the identity index maps each identity to one client. Saving a record that
claims an identity already another client's would silently re-point the index, and that
client would then join as ``unknown``, with no callback ladder. So a save that would do it
is refused, naming the other client and the field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sidecar.records.model import ClientRecord

# index kind -> the record's field that holds identities of that kind
FIELDS = {"dn": "zoom_display_names", "email": "zoom_emails",
          "registrant": "zoom_registrant_ids", "uid": "zoom_user_ids"}


def identities(record: ClientRecord) -> list[tuple[str, str]]:
    """(kind, value) for every identity on the record, in the record's order."""
    return [(kind, value) for kind, field in FIELDS.items()
            for value in getattr(record, field)]


@dataclass(frozen=True)
class Collision:
    position: int  # the record's place in what is being saved (0 for a single record)
    field: str  # e.g. zoom_display_names
    value: str  # as the new record spells it
    owner: str  # the client id it already belongs to

    def message(self, owner_name: str, prefix: str = "") -> str:
        """``zoom_display_names: "Casey B" is already Casey Brightwater's``."""
        return f'{prefix}{self.field}: "{self.value}" is already {owner_name}\'s'


def collisions(batch: Sequence[ClientRecord], stored_owners: Mapping[str, str],
               index: Callable[[str, str], str]) -> list[Collision]:
    """Every identity in ``batch`` that would belong to two clients once it is saved.

    ``stored_owners`` maps a blind index to the client that owns it now. An owner that is
    itself in the batch owns only what its new record claims (so a batch may move an
    identity from one client to another); within the batch the first record to claim an
    identity owns it. A record may always keep its own identities.
    """
    in_batch = {r.id for r in batch}
    claimed: dict[str, str] = {}  # blind index -> the batch record that claims it first
    found: list[Collision] = []
    for position, record in enumerate(batch):
        for kind, value in identities(record):
            key = index(kind, value)
            stored = stored_owners.get(key)
            owner = claimed.get(key) or (stored if stored not in in_batch else None)
            if owner is not None and owner != record.id:
                found.append(Collision(position, FIELDS[kind], value, owner))
            else:
                claimed.setdefault(key, record.id)
    return found
