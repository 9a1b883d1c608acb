"""Every setting Tether reads is in the README's settings table, by its variable name."""

from __future__ import annotations

import re

from sidecar.infra.settings import Settings
from tests.conftest import ROOT

HEADING = "### Secrets and settings (environment only)"


def _documented() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert HEADING in readme, "the README's settings table has moved: update this test"
    section = readme.split(HEADING, 1)[1].split("\n#", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    first_cells = [row.split("|")[1] for row in rows]
    return {name for cell in first_cells for name in re.findall(r"`([A-Z0-9_]+)`", cell)}


def test_every_settings_field_is_a_row_of_the_readme_table() -> None:
    fields = {name.upper() for name in Settings.model_fields}
    missing = sorted(fields - _documented())
    assert not missing, f"add these to the README's settings table: {', '.join(missing)}"


def test_the_table_names_no_setting_that_does_not_exist() -> None:
    read_elsewhere = {"TETHER_LOG_FORMAT"}  # read by the entry point's logging set-up
    fields = {name.upper() for name in Settings.model_fields}
    assert not sorted(_documented() - fields - read_elsewhere)
