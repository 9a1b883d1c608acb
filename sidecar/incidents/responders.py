"""Whom to call for a client's address: the locale directory's answer, as the card needs it."""

from __future__ import annotations

from sidecar.incidents.card import Responders
from sidecar.records.directory import DirectoryMatch, DirectoryStore, lookup
from sidecar.records.model import Location


def responders(match: DirectoryMatch) -> Responders:
    country, entry = match.country, match.entry
    crisis = ""
    if country and country.crisis_line:
        crisis = country.crisis_line + (f" ({country.crisis_text_line})"
                                        if country.crisis_text_line else "")
    r = Responders(
        emergency_number=" or ".join(country.emergency_numbers) if country
        else "the local emergency number", crisis_line=crisis,
        note="" if match.covered else match.advice)
    if entry is None:
        return r
    mobile, ed, after = entry.mobile_crisis, entry.nearest_ed, entry.after_hours_line
    return Responders(
        emergency_number=r.emergency_number, crisis_line=r.crisis_line, note=r.note,
        psap_name=entry.psap_name, psap_number=entry.psap_number,
        mobile_crisis=f"{mobile.name} {mobile.number}" + (f" ({mobile.hours})"
                                                          if mobile.hours else "")
        if mobile else "",
        nearest_ed=f"{ed.name}, {ed.address}, {ed.phone}" if ed else "",
        after_hours_line=f"{after.name} {after.number}" if after else "",
        non_police_options=list(entry.non_police_options))


async def lookup_responders(directory: DirectoryStore, here: Location | None) -> Responders:
    if here is None:
        return Responders(note="no address on file or checked in: ask the client where "
                               "they are")
    return responders(lookup(await directory.get(), here))
