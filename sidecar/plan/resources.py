"""Where to turn, for the client's address (pure): the crisis line, the emergency number,
the mobile crisis team, the nearest emergency department, the program's after-hours line
and the care team's number, from the locale directory and the program's configuration."""

from __future__ import annotations

from dataclasses import dataclass

from sidecar.infra.config import Program
from sidecar.records.directory import Directory, lookup
from sidecar.records.model import Location


def readable(number: str) -> str:
    """A North American number as people write it, "(217) 555-0143"; others as given."""
    digits = "".join(c for c in number if c.isdigit())
    if number.startswith("+1") and len(digits) == 11:
        return f"({digits[1:4]}) {digits[4:7]}-{digits[7:]}"
    return number


@dataclass(frozen=True)
class Resource:
    what: str  # "Crisis line"
    name: str  # "988 Suicide & Crisis Lifeline"; "" when the number says it all
    number: str  # dialled as written
    note: str = ""  # hours, an address, "call or text"


def resources(program: Program, directory: Directory, location: Location | None
              ) -> list[Resource]:
    """The list, most urgent first; without an address only the program's own lines."""
    out = [Resource("Crisis line", "", program.crisis_line, "call or text, any time")]
    match = lookup(directory, location) if location else None
    country = match.country if match else None
    if country is not None:
        numbers = " or ".join(country.emergency_numbers)
        out.append(Resource("Emergency", "", country.emergency_numbers[0],
                            f"call {numbers} if a life is in danger now"))
    entry = match.entry if match else None
    if entry is not None and entry.mobile_crisis is not None:
        team = entry.mobile_crisis
        out.append(Resource("Mobile crisis team", team.name, team.number,
                            team.hours or "they come to you"))
    if entry is not None and entry.nearest_ed is not None:
        ed = entry.nearest_ed
        out.append(Resource("Nearest emergency department", ed.name, ed.phone, ed.address))
    if program.after_hours_number:
        out.append(Resource("After hours", f"{program.name} after-hours line",
                            program.after_hours_number, "evenings, nights and weekends"))
    elif entry is not None and entry.after_hours_line is not None:
        line = entry.after_hours_line
        out.append(Resource("After hours", line.name, line.number, line.hours))
    if program.callback_number:
        out.append(Resource("Your care team", program.name, program.callback_number,
                            "during program hours"))
    return out
