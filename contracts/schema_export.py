"""Export the contracts' JSON Schema into ``contracts/schema/`` (run as a module)."""

from __future__ import annotations

import json
from pathlib import Path

from contracts.commands import command_adapter
from contracts.events import event_adapter

SCHEMA_DIR = Path(__file__).parent / "schema"


def render() -> dict[str, str]:
    """File name -> exact text of each exported schema."""
    schemas = {
        "event.schema.json": event_adapter.json_schema(),
        "command.schema.json": command_adapter.json_schema(),
    }
    return {name: json.dumps(s, indent=2, sort_keys=True) + "\n" for name, s in schemas.items()}


def main() -> None:
    SCHEMA_DIR.mkdir(exist_ok=True)
    for name, text in render().items():
        (SCHEMA_DIR / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
