"""The records policy: attendance kept 7 years unless the program says otherwise, never
less than 30 days; saved and named like the other policies."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sidecar.infra.config import RecordsPolicy
from sidecar.infra.config_docs import POLICY_FIELDS, split
from tests.conftest import program_config


def test_the_default_is_seven_years_and_it_is_a_policy() -> None:
    config = program_config()
    assert config.records.attendance_retention_days == 2555
    assert "records" in POLICY_FIELDS
    assert split(config)["policies"]["records"] == {"attendance_retention_days": 2555}


@pytest.mark.parametrize("days", [0, 29, 36501, "ever"])
def test_a_retention_out_of_range_is_refused(days: object) -> None:
    with pytest.raises(ValidationError):
        RecordsPolicy.model_validate({"attendance_retention_days": days})


def test_a_program_may_keep_them_longer() -> None:
    config = program_config({"records": {"attendance_retention_days": 3650}})
    assert config.records.attendance_retention_days == 3650
