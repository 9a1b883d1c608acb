"""Who and what the resources point at: a client as a ``Patient`` by a stable pseudonymous
identifier (the client id under the program's own system, never a name), a staff member as
a ``Practitioner`` the same way, and stable resource ids (the same incident exports the same
ids every time, so an EHR that loads it twice updates rather than duplicates)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.reference import Reference

_NAMESPACE = uuid.UUID("6f1c2a4e-8d3b-5c7a-9e21-4b0d7f3a1c55")  # Tether's FHIR ids


def slug(name: str) -> str:
    """A program name as it appears in identifier systems: ``Harbor Light IOP`` is
    ``harbor-light-iop``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "program"


@dataclass(frozen=True)
class Program:
    """The program's identifier systems (URNs: no web address is implied)."""

    slug: str

    @classmethod
    def named(cls, name: str) -> Program:
        return cls(slug(name))

    def system(self, kind: str) -> str:
        return f"urn:tether:{self.slug}:{kind}"

    def identifier(self, kind: str, value: str) -> Identifier:
        return Identifier(system=self.system(kind), value=value)

    def patient(self, client: str) -> Reference:
        return Reference(type="Patient", identifier=self.identifier("client", client))

    def practitioner(self, staff_id: str) -> Reference:
        return Reference(type="Practitioner", identifier=self.identifier("staff", staff_id))

    def resource_id(self, *parts: str) -> str:
        """A UUID fixed by what the resource is (program, incident, kind, number)."""
        return str(uuid.uuid5(_NAMESPACE, "/".join((self.slug, *parts))))


def full_url(resource_id: str) -> str:
    return f"urn:uuid:{resource_id}"


def local(resource_id: str, kind: str) -> Reference:
    """A reference to another resource of the same bundle or export."""
    return Reference(reference=full_url(resource_id), type=kind)


def instant(ms: int) -> str:
    """Milliseconds since the epoch as a FHIR dateTime (UTC, to the second)."""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
