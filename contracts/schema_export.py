"""Export the contracts' JSON Schema into ``contracts/schema/`` (run as a module)."""

from __future__ import annotations

import json
import sys
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


def stale() -> list[str]:
    """Names of checked-in schema files that differ from the models."""
    return [name for name, text in render().items()
            if not (SCHEMA_DIR / name).exists()
            or (SCHEMA_DIR / name).read_text(encoding="utf-8") != text]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if "--check" in args:
        names = stale()
        for name in names:
            print(f"contracts/schema/{name} is stale: run python -m contracts.schema_export")
        return 1 if names else 0
    SCHEMA_DIR.mkdir(exist_ok=True)
    for name, text in render().items():
        (SCHEMA_DIR / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
