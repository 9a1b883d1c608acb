"""The program's de-escalation scripts (pure): short words to read aloud when a client is
in crisis, paced grounding exercises, small behavioural targets, and the quick picks a
harm-reduction agreement offers. The program edits them on the admin page; the defaults are
Tether's own words (no published protocol's text is copied).

Each exercise is a list of paced steps ("Breathe in", 4 s) repeated for some rounds;
``sidecar/clinical/pacing.py`` says which step is showing at a given time.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

TITLE_MAX, TEXT_MAX, WORDS_MAX, TERM_MAX = 60, 600, 80, 80
LONGEST_STEP_S, MOST_STEPS, MOST_ROUNDS = 120, 12, 20
LONGEST_AGREEMENT_MIN = 240


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def words(value: str, what: str, limit: int) -> str:
    """Text an admin typed: trimmed, not empty, not longer than ``limit``."""
    text = value.strip()
    if not text:
        raise ValueError(f"{what} is empty: write the words, or remove it")
    if len(text) > limit:
        raise ValueError(f"{what} is {len(text)} characters long: keep it to {limit} or "
                         "fewer, it is read in a hurry")
    return text


class Script(_Strict):
    """A short text the lead reads aloud, under a title the panel shows as its button."""

    title: str
    text: str

    @field_validator("title")
    @classmethod
    def _title(cls, v: str) -> str:
        return words(v, "the title", TITLE_MAX)

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        return words(v, "the script", TEXT_MAX)


class PacedStep(_Strict):
    """One phase of an exercise: the word shown large ("Breathe in") and how long it lasts."""

    words: str
    seconds: float

    @field_validator("words")
    @classmethod
    def _words(cls, v: str) -> str:
        return words(v, "the step's words", WORDS_MAX)

    @field_validator("seconds")
    @classmethod
    def _pace(cls, v: float) -> float:
        if v < 1:
            raise ValueError(f"a step of {v:g} s cannot be followed: give each step at "
                             "least 1 second")
        if v > LONGEST_STEP_S:
            raise ValueError(f"a step of {v:g} s is too long to follow: at most "
                             f"{LONGEST_STEP_S} seconds")
        return v


class Exercise(_Strict):
    """A grounding exercise: what to say first, its paced steps, how many rounds."""

    title: str
    say: str = ""
    steps: list[PacedStep] = Field(min_length=1, max_length=MOST_STEPS)
    rounds: int = Field(default=1, ge=1, le=MOST_ROUNDS)

    @field_validator("title")
    @classmethod
    def _title(cls, v: str) -> str:
        return words(v, "the title", TITLE_MAX)

    @field_validator("say")
    @classmethod
    def _say(cls, v: str) -> str:
        return words(v, "what to say first", TEXT_MAX) if v.strip() else ""


def _unique(items: list[Script] | list[Exercise], what: str) -> None:
    seen: set[str] = set()
    for item in items:
        key = item.title.casefold()
        if key in seen:
            raise ValueError(f"two {what} are called {item.title!r}: give each its own title "
                             "(the record names the one used)")
        seen.add(key)


def _s(title: str, text: str) -> Script:
    return Script(title=title, text=text)


def _ex(title: str, say: str, steps: list[tuple[str, float]], rounds: int) -> Exercise:
    return Exercise(title=title, say=say, rounds=rounds,
                    steps=[PacedStep(words=w, seconds=s) for w, s in steps])


def default_name_and_normalise() -> list[Script]:
    return [
        _s("Name what is happening", "It sounds like a big wave is hitting you right now. "
           "That makes sense with everything you are carrying. You are not in trouble, and "
           "you are not on your own: I am right here with you."),
        _s("It will ease", "Feelings this strong rise, and they also come down again. We "
           "do not have to solve anything right now. Let's just get through the next few "
           "minutes together."),
        _s("You reached out", "Thank you for telling us. Saying it out loud takes courage, "
           "and it is exactly what this group is here for."),
    ]


def default_grounding() -> list[Exercise]:
    return [
        _ex("Box breathing", "Let's breathe in a square together: in, hold, out, hold, four "
            "seconds each. Follow the words on the screen with me.",
            [("Breathe in", 4), ("Hold", 4), ("Breathe out", 4), ("Hold", 4)], 4),
        _ex("Paced exhale", "Breathe in for four, then let the breath out slowly, longer "
            "than it came in. The long breath out is what slows things down.",
            [("Breathe in", 4), ("Breathe out slowly", 7)], 6),
        _ex("5-4-3-2-1", "Let's bring your attention to the room you are in. Take your "
            "time with each one and say them out loud if you can.",
            [("5 things you can see", 15), ("4 things you can touch", 15),
             ("3 things you can hear", 15), ("2 things you can smell", 12),
             ("1 thing you can taste", 10)], 1),
        _ex("Body reset", "We will go through the body slowly. Just follow along; there is "
            "no right way to do this.",
            [("Feet flat on the floor", 8), ("Press your hands into your legs", 8),
             ("Let your shoulders drop", 8), ("Loosen your jaw", 8),
             ("A long breath out", 8)], 2),
    ]


def default_targets() -> list[Script]:
    return [
        _s("A glass of water", "Could you get a glass of water and take a few sips while "
           "we stay on together?"),
        _s("Another room", "Could you move to another room, somewhere with more light or "
           "with someone else nearby, and keep the camera with you?"),
        _s("Feet on the floor", "For the next minute, keep both feet flat on the floor and "
           "notice the ground holding you up."),
        _s("One message", "Who is one person you could send a short message to tonight? "
           "Let's choose them together now."),
    ]


DEFAULT_TERMS = ("Stay on video together", "Lock away medicines", "Move away from the means",
                 "Text your support person")


class DeescalationPolicy(_Strict):
    """The program's de-escalation tools, grouped by kind, and the agreement's quick picks
    and usual length."""

    name_and_normalise: list[Script] = Field(default_factory=default_name_and_normalise,
                                             max_length=20)
    grounding: list[Exercise] = Field(default_factory=default_grounding, max_length=20)
    targets: list[Script] = Field(default_factory=default_targets, max_length=20)
    agreement_terms: list[str] = Field(default_factory=lambda: list(DEFAULT_TERMS),
                                       max_length=12)
    agreement_minutes: int = Field(default=20, ge=1, le=LONGEST_AGREEMENT_MIN)

    @field_validator("agreement_terms")
    @classmethod
    def _terms(cls, v: list[str]) -> list[str]:
        return [words(t, "a quick pick", TERM_MAX) for t in v]

    @model_validator(mode="after")
    def _titles(self) -> DeescalationPolicy:
        _unique(self.name_and_normalise, "scripts")
        _unique(self.grounding, "exercises")
        _unique(self.targets, "targets")
        return self

    def find(self, kind: str, title: str) -> Script | Exercise | None:
        """The script, exercise or target of that kind called ``title`` (any case)."""
        lists: dict[str, list[Script] | list[Exercise]] = {
            "name_and_normalise": self.name_and_normalise, "grounding": self.grounding,
            "targets": self.targets}
        wanted = title.strip().casefold()
        return next((i for i in lists.get(kind, []) if i.title.casefold() == wanted), None)
