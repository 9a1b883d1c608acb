"""The screener's wording, skip logic, triage table and emergency rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sidecar.clinical.cssrs import (
    COPYRIGHT,
    ITEMS,
    TIER_ORDER,
    Imminence,
    Level,
    ScreenError,
    Tier,
    level,
    next_items,
    tier,
    validate,
)

ALL_NO = {1: False, 2: False, 6: False}
THOUGHTS_NO = {1: False, 2: True, 3: False, 4: False, 5: False, 6: False}


def test_items_are_verbatim_since_last_contact_wording() -> None:
    assert [i.number for i in ITEMS] == [1, 2, 3, 4, 5, 6]
    assert ITEMS[0].text == ("Have you wished you were dead or wished you could go to sleep "
                             "and not wake up?")
    assert ITEMS[1].text == "Have you actually had any thoughts of killing yourself?"
    assert ITEMS[2].text == "Have you been thinking about how you might do this?"
    assert ITEMS[3].text == ("Have you had these thoughts and had some intention of acting "
                             "on them?")
    assert ITEMS[4].text == ("Have you started to work out or worked out the details of how "
                             "to kill yourself? Do you intend to carry out this plan?")
    assert ITEMS[5].text == ("Have you done anything, started to do anything, or prepared to "
                             "do anything to end your life?")
    assert "ever" not in ITEMS[5].text.split()
    assert [i.loinc for i in ITEMS] == ["93246-7", "93247-5", "93248-3", "93249-1", "93250-9",
                                        "93267-3"]
    assert ITEMS[3].definition == "Suicidal Intent (without Specific Plan)"


def test_copyright_line() -> None:
    assert COPYRIGHT == "© The Research Foundation for Mental Hygiene, Inc."


@pytest.mark.parametrize(("answers", "expected"), [
    ({}, [1, 2, 6]),
    ({1: True}, [2, 6]),
    ({1: True, 2: False}, [6]),
    ({1: False, 2: True}, [3, 4, 5, 6]),
    ({1: False, 2: True, 3: True}, [4, 5, 6]),
    ({1: False, 2: True, 6: False}, [3, 4, 5]),
    (ALL_NO, []),
    (THOUGHTS_NO, []),
])
def test_next_items_follow_the_skip_logic(answers: dict[int, bool], expected: list[int]) -> None:
    assert next_items(answers) == expected


@pytest.mark.parametrize(("answers", "message"), [
    ({1: False, 2: False, 3: True, 6: False},
     "item 3 is asked only when item 2 is yes; item 2 is no"),
    ({1: False, 2: False, 4: False, 6: False}, "item 4 is asked only when item 2 is yes"),
    ({1: False, 5: True}, "item 5 is asked only when item 2 is yes; item 2 is unanswered"),
    ({1: False, 2: False, 6: False, 7: True}, "items 1-6; got an answer to item 7"),
    ({0: True}, "got an answer to item 0"),
    ({1: "yes", 2: False, 6: False}, "item 1 needs a yes/no answer"),
    ({1: False, 2: False}, r"no answer to item\(s\) \[6\]"),
    ({1: False, 2: True, 3: False, 6: False}, r"no answer to item\(s\) \[4, 5\]"),
    ({}, r"\[1, 2, 6\]"),
])
def test_validate_refuses(answers: dict[int, object], message: str) -> None:
    with pytest.raises(ScreenError, match=message):
        validate(answers)  # type: ignore[arg-type]


def test_validate_accepts_finished_screens() -> None:
    validate(ALL_NO)
    validate(THOUGHTS_NO)


@pytest.mark.parametrize(("answers", "expected"), [
    (ALL_NO, Tier.NONE),
    ({1: True, 2: False, 6: False}, Tier.LOW),  # item 1 only
    (THOUGHTS_NO, Tier.LOW),  # item 2 only
    ({**THOUGHTS_NO, 1: True}, Tier.LOW),
    ({**THOUGHTS_NO, 3: True}, Tier.MODERATE),  # item 3 alone
    ({**THOUGHTS_NO, 4: True}, Tier.HIGH),  # item 4 alone: high, not SPiER's moderate
    ({**THOUGHTS_NO, 3: True, 4: True}, Tier.HIGH),
    ({**THOUGHTS_NO, 5: True}, Tier.HIGH),
    ({1: False, 2: False, 6: True}, Tier.HIGH),  # behaviour since last contact
    ({1: True, 2: False, 6: True}, Tier.HIGH),
    ({**THOUGHTS_NO, 6: True}, Tier.HIGH),
])
def test_triage_table(answers: dict[int, bool], expected: Tier) -> None:
    assert tier(answers) is expected


def test_tier_needs_a_finished_screen() -> None:
    with pytest.raises(ScreenError, match="unfinished"):
        tier({1: True, 2: True, 4: True})
    with pytest.raises(ScreenError, match="item 3 is asked only when item 2 is yes"):
        tier({1: False, 2: False, 3: True, 6: False})


def test_partial_tier_is_what_the_answers_already_establish() -> None:
    assert tier({1: True, 2: True, 4: True}, partial=True) is Tier.HIGH
    assert tier({1: True}, partial=True) is Tier.LOW
    assert tier({}, partial=True) is Tier.NONE
    with pytest.raises(ScreenError):
        tier({2: False, 3: True}, partial=True)


@st.composite
def screens(draw: st.DrawFn) -> dict[int, bool]:
    """Any finished screen the form's skip logic can produce."""
    answers = {1: draw(st.booleans()), 2: draw(st.booleans())}
    if answers[2]:
        answers.update({n: draw(st.booleans()) for n in (3, 4, 5)})
    answers[6] = draw(st.booleans())
    return answers


def rank(t: Tier) -> int:
    return TIER_ORDER.index(t)


@given(screens(), st.data())
def test_another_yes_never_lowers_the_tier(screen: dict[int, bool], data: st.DataObject) -> None:
    flip = data.draw(st.sampled_from(sorted(n for n, a in screen.items() if not a) or [0]))
    if flip == 0:
        return
    more = {**screen, flip: True}
    if flip == 2:
        more.update({n: data.draw(st.booleans()) for n in (3, 4, 5)})
    assert rank(tier(more)) >= rank(tier(screen))


@given(screens(), st.integers(min_value=0, max_value=6))
def test_partial_tier_is_a_floor(screen: dict[int, bool], asked: int) -> None:
    prefix = dict(list(screen.items())[:asked])  # answers in the order the form asks them
    still_asked = screen if 2 in prefix else (1, 2, 6)  # 3-5 wait for item 2's answer
    assert next_items(prefix) == [n for n in still_asked if n not in prefix]
    assert rank(tier(prefix, partial=True)) <= rank(tier(screen))


@given(screens())
def test_high_exactly_when_intent_or_behaviour(screen: dict[int, bool]) -> None:
    said_yes = {n for n, a in screen.items() if a}
    assert (tier(screen) is Tier.HIGH) == bool(said_yes & {4, 5, 6})


IMMINENT = Imminence(intent=True, plan=True, means=True)


@pytest.mark.parametrize(("judgement", "imminent"), [
    (IMMINENT, True),
    (Imminence(intent=True, plan=True, means=True, timeframe=True), True),
    (Imminence(attempt_in_progress=True), True),
    (Imminence(intent=True, plan=True), False),
    (Imminence(intent=True, means=True, timeframe=True), False),
    (Imminence(plan=True, means=True, timeframe=True), False),
    (Imminence(timeframe=True), False),
    (Imminence(), False),
])
def test_imminence_rule(judgement: Imminence, imminent: bool) -> None:
    assert judgement.imminent is imminent


@pytest.mark.parametrize(("screen_tier", "judgement", "expected"), [
    (Tier.HIGH, IMMINENT, Level.EMERGENCY),
    (Tier.HIGH, Imminence(attempt_in_progress=True), Level.EMERGENCY),
    (Tier.HIGH, Imminence(intent=True, plan=True), Level.HIGH),
    (Tier.HIGH, Imminence(), Level.HIGH),
    (Tier.MODERATE, IMMINENT, Level.MODERATE),
    (Tier.LOW, Imminence(attempt_in_progress=True), Level.LOW),
    (Tier.NONE, IMMINENT, Level.NONE),
    (Tier.MODERATE, Imminence(), Level.MODERATE),
])
def test_level(screen_tier: Tier, judgement: Imminence, expected: Level) -> None:
    assert level(screen_tier, judgement) is expected


@given(st.sampled_from(Tier), st.builds(Imminence))
def test_emergency_only_for_high_and_imminent(screen_tier: Tier, judgement: Imminence) -> None:
    result = level(screen_tier, judgement)
    assert (result is Level.EMERGENCY) == (screen_tier is Tier.HIGH and judgement.imminent)
    if result is not Level.EMERGENCY:
        assert result.value == screen_tier.value
