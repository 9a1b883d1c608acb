"""Pacing (pure): which step of each default exercise shows at a moment, in Python and in
the browser's own module (``panel/pacer.js`` run by node on the same table), and the
program's tools refused in plain sentences when they cannot be used."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest
from pydantic import ValidationError

from sidecar.clinical.deescalation import DeescalationPolicy, Exercise, PacedStep
from sidecar.clinical.pacing import Phase, phase_at, rounds_done, total_ms
from sidecar.infra.validation import problems
from tests.conftest import ROOT

TOOLS = DeescalationPolicy()
BY_TITLE = {e.title: e for e in TOOLS.grounding}
PACER = ROOT / "sidecar" / "web" / "static" / "panel" / "pacer.js"

# (exercise, ms since start) -> (round, step words, seconds left, done)
CASES: list[tuple[str, int, tuple[int, str, int, bool]]] = [
    ("Box breathing", 0, (1, "Breathe in", 4, False)),
    ("Box breathing", 3_999, (1, "Breathe in", 1, False)),
    ("Box breathing", 4_000, (1, "Hold", 4, False)),
    ("Box breathing", 9_500, (1, "Breathe out", 3, False)),
    ("Box breathing", 12_000, (1, "Hold", 4, False)),
    ("Box breathing", 16_000, (2, "Breathe in", 4, False)),
    ("Box breathing", 63_999, (4, "Hold", 1, False)),
    ("Box breathing", 64_000, (4, "Hold", 0, True)),
    ("Paced exhale", 4_000, (1, "Breathe out slowly", 7, False)),
    ("Paced exhale", 10_999, (1, "Breathe out slowly", 1, False)),
    ("Paced exhale", 11_000, (2, "Breathe in", 4, False)),
    ("Paced exhale", 65_999, (6, "Breathe out slowly", 1, False)),
    ("Paced exhale", 66_000, (6, "Breathe out slowly", 0, True)),
    ("5-4-3-2-1", 0, (1, "5 things you can see", 15, False)),
    ("5-4-3-2-1", 15_000, (1, "4 things you can touch", 15, False)),
    ("5-4-3-2-1", 45_000, (1, "2 things you can smell", 12, False)),
    ("5-4-3-2-1", 57_000, (1, "1 thing you can taste", 10, False)),
    ("5-4-3-2-1", 67_000, (1, "1 thing you can taste", 0, True)),
    ("Body reset", 40_000, (2, "Feet flat on the floor", 8, False)),
    ("Body reset", 79_000, (2, "A long breath out", 1, False)),
]


@pytest.mark.parametrize(("title", "ms", "want"), CASES)
def test_the_phase_at_a_moment(title: str, ms: int, want: tuple[int, str, int, bool]) -> None:
    p = phase_at(BY_TITLE[title], ms)
    assert (p.round, p.words, p.seconds_left, p.done) == want


def test_rounds_done_and_a_fractional_pace() -> None:
    box = BY_TITLE["Box breathing"]
    assert total_ms(box) == 64_000
    assert [rounds_done(box, t) for t in (0, 15_999, 16_000, 40_000, 99_000)] == [0, 0, 1, 2, 4]
    half = Exercise(title="Quick", steps=[PacedStep(words="In", seconds=1.5),
                                          PacedStep(words="Out", seconds=2.5)], rounds=2)
    assert phase_at(half, 1_499) == Phase(1, 2, 0, "In", 1, False)
    assert phase_at(half, 1_500) == Phase(1, 2, 1, "Out", 3, False)
    assert phase_at(half, 4_000).round == 2


def _node(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    script = (
        "const src = require('fs').readFileSync(process.argv[1], 'utf8');"
        "import('data:text/javascript,' + encodeURIComponent(src)).then((m) => {"
        "  const cases = JSON.parse(process.argv[2]);"
        "  console.log(JSON.stringify(cases.map((c) => m.phaseAt(c.ex, c.ms))));"
        "});")
    done = subprocess.run(["node", "-e", script, str(PACER), json.dumps(cases)],
                          capture_output=True, text=True, timeout=30, check=True)
    return list(json.loads(done.stdout))


def test_the_browser_paces_the_same() -> None:
    if shutil.which("node") is None:
        pytest.skip("no node on this machine")
    cases = [{"ex": BY_TITLE[t].model_dump(), "ms": ms} for t, ms, _ in CASES]
    got = _node(cases)
    assert [(g["round"], g["words"], g["secondsLeft"], g["done"]) for g in got] == [
        w for _, _, w in CASES]


def _problems(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        DeescalationPolicy.model_validate(raw)
    return problems(caught.value)


def test_unusable_tools_are_refused_in_sentences() -> None:
    zero = _problems({"grounding": [{"title": "Box", "rounds": 4,
                                     "steps": [{"words": "In", "seconds": 0}]}]})
    assert zero == ["grounding.0.steps.0.seconds: a step of 0 s cannot be followed: give each "
                    "step at least 1 second"]
    empty = _problems({"name_and_normalise": [{"title": "Name it", "text": "   "}]})
    assert empty == ["name_and_normalise.0.text: the script is empty: write the words, or "
                     "remove it"]
    long = _problems({"targets": [{"title": "Water", "text": "w" * 601}]})
    assert long == ["targets.0.text: the script is 601 characters long: keep it to 600 or "
                    "fewer, it is read in a hurry"]
    twice = _problems({"targets": [{"title": "Water", "text": "Sip."},
                                   {"title": "water", "text": "Drink."}]})
    assert "two targets are called 'water'" in twice[0]
    no_steps = _problems({"grounding": [{"title": "Box", "steps": []}]})
    assert no_steps[0].startswith("grounding.0.steps:")
    assert _problems({"agreement_minutes": 0}) == ["agreement_minutes: should be at least 1"]


def test_the_defaults_are_found_by_title() -> None:
    assert TOOLS.find("grounding", " box BREATHING ") is BY_TITLE["Box breathing"]
    assert TOOLS.find("targets", "Box breathing") is None
    assert TOOLS.agreement_terms[:2] == ["Stay on video together", "Lock away medicines"]
