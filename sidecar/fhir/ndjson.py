"""FHIR Bulk Data's NDJSON: one resource per line, each line a whole JSON resource."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from fhir.resources.R4B.resource import Resource

from sidecar.fhir.bundle import as_json


def write(resources: Iterable[Resource], out: TextIO) -> int:
    """Write each resource on a line of its own; how many were written."""
    count = 0
    for resource in resources:
        out.write(as_json(resource) + "\n")
        count += 1
    return count
