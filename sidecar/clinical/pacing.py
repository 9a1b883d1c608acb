"""Which step of a paced exercise is showing at a moment (pure).

The panel's timer and the shared grounding page compute the same thing in the browser
(``sidecar/web/static/panel/pacer.js``); tests run one table of cases through both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sidecar.clinical.deescalation import Exercise


@dataclass(frozen=True)
class Phase:
    round: int  # 1-based; the last round once done
    rounds: int
    step: int  # index into the exercise's steps
    words: str  # shown large: "Breathe in"
    seconds_left: int  # in this step, counted down, never 0 while running
    done: bool


def round_ms(exercise: Exercise) -> int:
    return sum(round(s.seconds * 1000) for s in exercise.steps)


def total_ms(exercise: Exercise) -> int:
    return round_ms(exercise) * exercise.rounds


def phase_at(exercise: Exercise, elapsed_ms: int) -> Phase:
    """The step showing ``elapsed_ms`` after the start (paused time not counted)."""
    rounds = exercise.rounds
    if elapsed_ms >= total_ms(exercise):
        last = exercise.steps[-1]
        return Phase(rounds, rounds, len(exercise.steps) - 1, last.words, 0, True)
    at = max(0, elapsed_ms)
    whole = round_ms(exercise)
    n, into = divmod(at, whole)
    for i, step in enumerate(exercise.steps):
        length = round(step.seconds * 1000)
        if into < length:
            left = math.ceil((length - into) / 1000)
            return Phase(n + 1, rounds, i, step.words, max(1, left), False)
        into -= length
    raise AssertionError("unreachable: the round's length is the sum of its steps")


def rounds_done(exercise: Exercise, elapsed_ms: int) -> int:
    """Whole rounds finished by ``elapsed_ms`` (what the record says: "4 rounds")."""
    return min(exercise.rounds, max(0, elapsed_ms) // round_ms(exercise))
