"""The C-SSRS Screener, "Since Last Contact" version: its items, skip logic and risk tier.

Columbia lets anyone embed the scale but forbids changing its wording and requires its
copyright notice (docs/sources.md §2.4), so the items are verbatim and ``COPYRIGHT``
travels with them. Tiers follow Columbia's imminent-risk threshold (items 4 or 5, or any
behaviour, are high), not SPiER's crosswalk, which puts item 4 at moderate (§2.3).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

# As docs/sources.md §2.4 gives it (from SPiER's licensing memo). The research did not read the
# notice printed on Columbia's own form; confirm the full line on cssrs.columbia.edu.
COPYRIGHT = "© The Research Foundation for Mental Hygiene, Inc."

Answers = Mapping[int, bool]
"""Item number (1-6) to the client's answer: True is yes."""


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    number: int
    text: str
    loinc: str
    definition: str | None  # the form's heading for the item (§2.2)
    examples: str | None = None  # the form's examples under the item, verbatim (§2.1)


# Items 1-5: §2.2 says the Since Last Contact form keeps the screener's wording, so the text
# is §2.1's, with §2.2's definitions. Item 6 is §2.2's since-last-contact wording ("ever"
# dropped); the research gives no definition heading for it. The recent screener's
# follow-up 6a ("Was this within the past 3 months?") is not asked here: the window is
# already "since last contact", and SPiER's since-last-contact form drops it (§2.2).
ITEMS: tuple[Item, ...] = (
    Item(number=1, loinc="93246-7", definition="Wish to be Dead",
         text="Have you wished you were dead or wished you could go to sleep and not wake up?"),
    Item(number=2, loinc="93247-5", definition="Suicidal Thoughts",
         text="Have you actually had any thoughts of killing yourself?"),
    Item(number=3, loinc="93248-3",
         definition="Suicidal Thoughts with Method (without Specific Plan or Intent to Act)",
         text="Have you been thinking about how you might do this?"),
    Item(number=4, loinc="93249-1", definition="Suicidal Intent (without Specific Plan)",
         text="Have you had these thoughts and had some intention of acting on them?"),
    Item(number=5, loinc="93250-9", definition="Suicide Intent with Specific Plan",
         text="Have you started to work out or worked out the details of how to kill "
              "yourself? Do you intend to carry out this plan?"),
    Item(number=6, loinc="93267-3", definition=None,
         text="Have you done anything, started to do anything, or prepared to do anything "
              "to end your life?",
         examples="Examples: Collected pills, obtained a gun, gave away valuables, wrote a "
                  "will or suicide note, took out pills but didn't swallow any, held a gun "
                  "but changed your mind or it was grabbed from your hand, went to the roof "
                  "but didn't jump; or actually took pills, tried to shoot yourself, cut "
                  "yourself, tried to hang yourself, etc."),
)

ALWAYS_ASKED = (1, 2, 6)
ASKED_IF_THOUGHTS = (3, 4, 5)  # only when item 2 is yes (§2.1, §2.2 skip rule)


class ScreenError(ValueError):
    """Answers that the form's skip logic could not have produced, or an unfinished screen."""


class Tier(StrEnum):
    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


TIER_ORDER = (Tier.NONE, Tier.LOW, Tier.MODERATE, Tier.HIGH)


def _asked(answers: Answers) -> tuple[int, ...]:
    """The items the form asks, in order, as far as the answers so far decide it."""
    if answers.get(2) is True:
        return (1, 2, *ASKED_IF_THOUGHTS, 6)
    return ALWAYS_ASKED


def _check_consistent(answers: Answers) -> None:
    for number, answer in answers.items():
        if number not in range(1, 7):
            raise ScreenError(f"the screener has items 1-6; got an answer to item {number}")
        if not isinstance(answer, bool):
            raise ScreenError(f"item {number} needs a yes/no answer, got {answer!r}")
        if number in ASKED_IF_THOUGHTS and answers.get(2) is not True:
            raise ScreenError(f"item {number} is asked only when item 2 is yes; "
                              f"item 2 is {_said(answers.get(2))}")


def _said(answer: bool | None) -> str:
    return "unanswered" if answer is None else ("yes" if answer else "no")


def next_items(answers: Answers) -> list[int]:
    """Items still to ask, in form order. Items 3-5 appear once item 2 is answered yes."""
    _check_consistent(answers)
    return [n for n in _asked(answers) if n not in answers]


def validate(answers: Answers) -> None:
    """Raise ``ScreenError`` unless the answers are exactly those of a finished screen."""
    missing = next_items(answers)
    if missing:
        raise ScreenError(f"the screen is unfinished: no answer to item(s) {missing}")


def tier(answers: Answers, *, partial: bool = False) -> Tier:
    """The risk tier of a finished screen (§2.3, with §2.3's since-last-contact rule that any
    behaviour is high). ``partial=True`` accepts an unfinished screen and returns the tier
    its answers already establish: a floor, since later answers can only raise it."""
    if partial:
        _check_consistent(answers)
    else:
        validate(answers)
    yes = {n for n, answer in answers.items() if answer}
    if yes & {4, 5, 6}:
        return Tier.HIGH
    if 3 in yes:
        return Tier.MODERATE
    if yes & {1, 2}:
        return Tier.LOW
    return Tier.NONE


class Level(StrEnum):
    """The tier, plus ``emergency``: a high tier the clinician judges imminent (§2.3)."""

    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"
    EMERGENCY = "emergency"


class Imminence(BaseModel):
    """The clinician's judgement after the screen. The screen alone never says "imminent":
    that is a clinical judgement beyond the C-SSRS level (SPiER's crosswalk, §2.3)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    plan: bool = False
    means: bool = False  # has access to the means
    intent: bool = False
    timeframe: bool = False  # means to act soon; recorded, not part of the rule (see below)
    attempt_in_progress: bool = False

    @property
    def imminent(self) -> bool:
        """§2.3's rule: intent, plan and access to means together, or an attempt in progress.
        A near timeframe alone does not decide it: the research's rule does not use it, and
        requiring it too would make the rule stricter than the research's."""
        return self.attempt_in_progress or (self.intent and self.plan and self.means)


def level(screen_tier: Tier, imminence: Imminence) -> Level:
    """Emergency exactly when the tier is high and the clinician's judgement is imminent.

    Below high an imminent judgement does not raise the level: intent answers item 4 and an
    attempt answers item 6, so a screen that disagrees should be repeated, not overridden.
    """
    if screen_tier is Tier.HIGH and imminence.imminent:
        return Level.EMERGENCY
    return Level(screen_tier.value)
